package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/policy"
)

// auditEntries returns every entry of the log, oldest first.
func auditEntries(t *testing.T, s *Store, f chanye.AuditFilter) []*chanye.AuditEntry {
	t.Helper()
	f.Limit = MaxLimit
	page, total, err := s.FindAudit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(page) {
		t.Fatalf("FindAudit total = %d, page %d", total, len(page))
	}
	for i, j := 0, len(page)-1; i < j; i, j = i+1, j-1 {
		page[i], page[j] = page[j], page[i]
	}
	return page
}

func verify(t *testing.T, s *Store) *chanye.AuditReport {
	t.Helper()
	rep, err := s.VerifyAudit(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAuditRecordsEveryWrite(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s := newStore(t, db) // the catalog import is entry 1, by the public
		alice := &chanye.Actor{Name: "alice", Role: chanye.RoleAdmin}
		ctx := chanye.WithRequestID(chanye.WithActor(context.Background(), alice), "req-42")

		e := enterprise(t, 1, "440103", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateEnterprise(ctx, e); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Fatalf("second create = %v, want a conflict", err) // rolled back: no entry
		}
		if _, err := s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{Name: ptr("改名有限公司")}); err != nil {
			t.Fatal(err)
		}
		tier := chanye.Tier{Kind: chanye.TierSRDI, From: date("2024-01-01")}
		if _, err := s.PutTier(ctx, e.Code, tier); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteTier(ctx, e.Code, tier.Kind, tier.From); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateResponsibility(ctx, "auto", chanye.ResponsibilityUpdate{TaskForce: ptr("")}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertIndicators(ctx, []*chanye.Indicator{{IndustryID: "auto", Metric: "revenue", Period: "2024", Value: 7, Source: "统计局"}}); err != nil {
			t.Fatal(err)
		}
		es, facts, tiers := population(t, 5)
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		version := publishedPolicy(t, s)
		createRun(t, s, version, eligible(version, e.Code, "440103", 100_00))

		got := auditEntries(t, s, chanye.AuditFilter{})
		var seen []string
		for _, x := range got {
			seen = append(seen, x.Action+" "+x.Entity)
		}
		want := "[import catalog create enterprise update enterprise update enterprise_tiers delete enterprise_tiers update industry update indicators import enterprises create policy_version publish policy_version run policy_run]"
		if fmt.Sprint(seen) != want {
			t.Errorf("entries\n got %v\nwant %s", seen, want)
		}
		if got[0].Actor != "public (public)" || got[1].Actor != "alice (admin)" || got[1].ActorRole != chanye.RoleAdmin || got[1].RequestID != "req-42" {
			t.Errorf("who: %q, %q %q %q", got[0].Actor, got[1].Actor, got[1].ActorRole, got[1].RequestID)
		}
		if got[1].Before != nil || got[1].After == nil || got[1].EntityKey != e.Code {
			t.Errorf("create: before %s, after %s, key %q", got[1].Before, got[1].After, got[1].EntityKey)
		}
		var before, after struct{ Name string }
		if err := json.Unmarshal(got[2].Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got[2].After, &after); err != nil {
			t.Fatal(err)
		}
		if before.Name != e.Name || after.Name != "改名有限公司" {
			t.Errorf("update: before %q, after %q", before.Name, after.Name)
		}
		var counts bulkCounts
		if err := json.Unmarshal(got[7].After, &counts); err != nil {
			t.Fatal(err)
		}
		if counts.Enterprises != 5 || counts.Inserted != 5 || counts.Facts != int64(len(facts)) || counts.Tiers != int64(len(tiers)) {
			t.Errorf("bulk counts %+v", counts)
		}
		for i, x := range got {
			if x.ID != int64(i+1) {
				t.Errorf("entry %d has id %d", i, x.ID)
			}
		}
		if rep := verify(t, s); !rep.OK || rep.Rows != len(got) || rep.LastID != int64(len(got)) {
			t.Errorf("verify = %+v, want OK over %d rows", rep, len(got))
		}

		// Filters.
		page := auditEntries(t, s, chanye.AuditFilter{Entity: ptr("enterprise"), EntityKey: ptr(e.Code), Actor: ptr("alice (admin)")})
		if len(page) != 2 || page[0].Action != "create" || page[1].Action != "update" {
			t.Errorf("filtered by entity and actor: %d entries", len(page))
		}
		if page := auditEntries(t, s, chanye.AuditFilter{Action: ptr("publish")}); len(page) != 1 {
			t.Errorf("filtered by action: %d entries", len(page))
		}
		from, to := today, today.Add(time.Second)
		if page := auditEntries(t, s, chanye.AuditFilter{From: &from, To: &to}); len(page) != len(got) {
			t.Errorf("filtered by time: %d entries, want %d", len(page), len(got))
		}
		if page := auditEntries(t, s, chanye.AuditFilter{To: &from}); len(page) != 0 {
			t.Errorf("before today: %d entries", len(page))
		}
	})
}

// TestAuditVerifyFindsTampering edits and removes rows with plain SQL and
// expects VerifyAudit to name the row.
func TestAuditVerifyFindsTampering(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		for i := 1; i <= 5; i++ {
			if err := s.CreateEnterprise(ctx, enterprise(t, i, "440103", "3612")); err != nil {
				t.Fatal(err)
			}
		}
		if rep := verify(t, s); !rep.OK || rep.Rows != 6 {
			t.Fatalf("verify before tampering = %+v", rep)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.db.ExecContext(ctx, db.dialect.rebind(q), args...); err != nil {
				t.Fatal(err)
			}
		}
		var after string
		if err := db.db.QueryRowContext(ctx, `SELECT after FROM audit_log WHERE id = 3`).Scan(&after); err != nil {
			t.Fatal(err)
		}

		exec(`UPDATE audit_log SET after = ? WHERE id = 3`, `{"name":"冒名"}`)
		if rep := verify(t, s); rep.OK || rep.BadID != 3 || rep.Problem != "altered" {
			t.Errorf("after editing row 3: %+v, want row 3 altered", rep)
		}
		exec(`UPDATE audit_log SET after = ? WHERE id = 3`, after)
		if rep := verify(t, s); !rep.OK {
			t.Errorf("after restoring row 3: %+v", rep)
		}
		exec(`UPDATE audit_log SET actor = 'mallory (admin)' WHERE id = 2`)
		if rep := verify(t, s); rep.OK || rep.BadID != 2 || rep.Problem != "altered" {
			t.Errorf("after editing row 2's actor: %+v, want row 2 altered", rep)
		}
		exec(`UPDATE audit_log SET actor = 'public (public)' WHERE id = 2`)

		exec(`DELETE FROM audit_log WHERE id = 4`)
		if rep := verify(t, s); rep.OK || rep.BadID != 5 || rep.Problem != "removed" {
			t.Errorf("after deleting row 4: %+v, want row 5 (removed before it)", rep)
		}
		// Renumbering row 5 as 4 to hide the gap breaks its hash instead.
		exec(`UPDATE audit_log SET id = 4 WHERE id = 5`)
		if rep := verify(t, s); rep.OK || rep.BadID != 4 || rep.Problem != "altered" {
			t.Errorf("after renumbering: %+v, want row 4 altered", rep)
		}

		// A new chain in a second store, its first row deleted.
		s2 := newStore(t, openTestDB(t, t.TempDir()+"/second.db"))
		if err := s2.CreateEnterprise(ctx, enterprise(t, 9, "440103", "3612")); err != nil {
			t.Fatal(err)
		}
		if _, err := s2.db.db.ExecContext(ctx, `DELETE FROM audit_log WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, s2); rep.OK || rep.BadID != 2 || rep.Problem != "removed" {
			t.Errorf("after deleting the first row: %+v", rep)
		}
	})
}

// TestAuditVerifyFindsRewrittenHash recomputes a changed row's hash, as a
// forger who holds the key would: the next row no longer chains.
func TestAuditVerifyFindsRewrittenHash(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		for i := 1; i <= 3; i++ {
			if err := s.CreateEnterprise(ctx, enterprise(t, i, "440103", "3612")); err != nil {
				t.Fatal(err)
			}
		}
		e, at, err := scanAuditRow(db.db.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE id = 2`))
		if err != nil {
			t.Fatal(err)
		}
		e.After = json.RawMessage(`{"name":"冒名"}`)
		if _, err := db.db.ExecContext(ctx, db.dialect.rebind(`UPDATE audit_log SET after = ?, hash = ? WHERE id = 2`), string(e.After), auditHash(e, at, db.AuditKeys.key(e.KeyID))); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, s); rep.OK || rep.BadID != 3 || rep.Problem != "broken" {
			t.Errorf("verify = %+v, want row 3 broken", rep)
		}
	})
}

// TestAuditConcurrentWriters writes from many goroutines at once: the chain
// must not fork.
func TestAuditConcurrentWriters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		const workers, each = 8, 10
		for w := range workers {
			for i := 1; i < each; i += 2 {
				addUnits(t, s, chanye.OrgTaskForce, fmt.Sprintf("专班 %d-%d", w, i))
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := chanye.WithActor(ctx, &chanye.Actor{Name: fmt.Sprintf("w%d", w), Role: chanye.RoleDepartment})
				for i := range each {
					var err error
					if i%2 == 0 {
						err = s.CreateEnterprise(ctx, enterprise(t, 1+w*each+i, "440106", "3971"))
					} else {
						_, err = s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{TaskForce: ptr(fmt.Sprintf("专班 %d-%d", w, i))})
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// The import, the task forces added to the list, then the writes.
		if rep := verify(t, s); !rep.OK || rep.Rows != 1+workers*each/2+workers*each {
			t.Errorf("verify = %+v, want OK over %d rows", rep, 1+workers*each/2+workers*each)
		}
	})
}

// TestAuditLifecycle checks the entries of publicity, objections,
// approvals, payments and reversals.
func TestAuditLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		clock := setClock(db)
		version := publishedPolicy(t, s)
		a, b := code(t, 1), code(t, 2)
		run := createRun(t, s, version, eligible(version, a, "440103", 100_00), eligible(version, b, "440103", 200_00))
		if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		o := &policy.Objection{Ref: policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: b}, Reason: "不应列入"}
		if err := s.CreateObjection(as(ctx, "b"), o); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResolveObjection(as(ctx, "clerk"), o.ID, false, "驳回"); err != nil {
			t.Fatal(err)
		}
		*clock = clock.AddDate(0, 0, 30)
		refs := []policy.DecisionRef{{RunID: run.ID, PolicyID: testPolicyID, Code: a}, {RunID: run.ID, PolicyID: testPolicyID, Code: b}}
		if err := s.Approve(as(ctx, "director"), refs); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Pay(as(ctx, "treasury"), refs[0], payout(s)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Reverse(as(ctx, "treasury"), refs[0], "错付"); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, x := range auditEntries(t, s, chanye.AuditFilter{})[4:] {
			seen = append(seen, x.Action+" "+x.Entity+" "+x.EntityKey)
		}
		ref := func(c string) string {
			return policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: c}.String()
		}
		want := fmt.Sprintf("[publicise policy_publicity %d/%s object policy_objection %d resolve policy_objection %d approve policy_decisions  pay policy_ledger %s reverse policy_ledger %s]",
			run.ID, testPolicyID, o.ID, o.ID, ref(a), ref(a))
		if fmt.Sprint(seen) != want {
			t.Errorf("entries\n got %v\nwant %s", seen, want)
		}
		if rep := verify(t, s); !rep.OK {
			t.Errorf("verify = %+v", rep)
		}
	})
}

// TestAuditAccounts checks that account writes are recorded without the
// password, its hash or a token's secret.
func TestAuditAccounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s := newStore(t, db)
		u := &auth.User{Name: "root", Role: chanye.RoleAdmin}
		if err := s.CreateUser(adminCtx, u, testPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangePassword(adminCtx, u.ID, testPassword+"2"); err != nil {
			t.Fatal(err)
		}
		tok, secret, err := s.CreateToken(adminCtx, u.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(adminCtx, tok.ID); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, x := range auditEntries(t, s, chanye.AuditFilter{})[1:] {
			seen = append(seen, x.Action+" "+x.Entity)
			for _, b := range []json.RawMessage{x.Before, x.After} {
				if s := string(b); strings.Contains(s, testPassword) || strings.Contains(s, secret) || strings.Contains(s, "argon2") {
					t.Errorf("%s %s holds a secret: %s", x.Action, x.Entity, s)
				}
			}
		}
		if want := "[create user password user create api_token revoke api_token]"; fmt.Sprint(seen) != want {
			t.Errorf("entries %v, want %s", seen, want)
		}
		if rep := verify(t, s); !rep.OK {
			t.Errorf("verify = %+v", rep)
		}
	})
}
