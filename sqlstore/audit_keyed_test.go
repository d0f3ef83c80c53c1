package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// lastHead returns the id and hash of the last audit row.
func lastHead(t *testing.T, db *DB) chanye.AuditHead {
	t.Helper()
	var h chanye.AuditHead
	if err := db.db.QueryRow(`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&h.ID, &h.Hash); err != nil {
		t.Fatal(err)
	}
	return h
}

func verifyExpect(t *testing.T, s *Store, expect *chanye.AuditHead) *chanye.AuditReport {
	t.Helper()
	rep, err := s.VerifyAudit(context.Background(), expect)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func execSQL(t *testing.T, db *DB, q string, args ...any) {
	t.Helper()
	if _, err := db.db.ExecContext(context.Background(), db.dialect.rebind(q), args...); err != nil {
		t.Fatal(err)
	}
}

// TestAuditExpectedHeadFindsTruncation removes rows from the end of the
// chain, and all of them: only a head kept elsewhere can tell.
func TestAuditExpectedHeadFindsTruncation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		for i := 1; i <= 6; i++ {
			if err := s.CreateEnterprise(ctx, enterprise(t, i, "440103", "3612")); err != nil {
				t.Fatal(err)
			}
		}
		head := lastHead(t, db)
		rep := verifyExpect(t, s, &head)
		if !rep.OK || rep.Head == nil || *rep.Head != head {
			t.Fatalf("verify = %+v, want OK with head %v", rep, head)
		}
		early := chanye.AuditHead{ID: 3}
		if err := db.db.QueryRow(`SELECT hash FROM audit_log WHERE id = 3`).Scan(&early.Hash); err != nil {
			t.Fatal(err)
		}
		if rep := verifyExpect(t, s, &early); !rep.OK {
			t.Errorf("verify with an earlier head = %+v, want OK", rep)
		}
		wrong := head
		wrong.Hash = auditGenesis
		if rep := verifyExpect(t, s, &wrong); rep.OK || rep.Problem != "expect" {
			t.Errorf("verify with another hash = %+v, want an expect failure", rep)
		}

		execSQL(t, db, `DELETE FROM audit_log WHERE id > ?`, head.ID-3)
		if rep := verify(t, s); !rep.OK {
			t.Errorf("after truncation without a head: %+v (the chain itself is intact)", rep)
		}
		if rep := verifyExpect(t, s, &head); rep.OK || rep.Problem != "truncated" || rep.Head.ID != head.ID-3 {
			t.Errorf("after deleting the last 3 rows: %+v, want truncated at head %d", rep, head.ID-3)
		}
		if rep := verifyExpect(t, s, &early); !rep.OK {
			t.Errorf("the earlier head is still there: %+v", rep)
		}

		execSQL(t, db, `DELETE FROM audit_log`)
		if rep := verifyExpect(t, s, &head); rep.OK || rep.Problem != "truncated" || rep.Rows != 0 {
			t.Errorf("after deleting every row: %+v, want truncated", rep)
		}
	})
}

// resignPlain recomputes every row's hash with the published unkeyed
// encoding, as someone who can write the database but has no key would.
func resignPlain(t *testing.T, db *DB, keyID int) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var es []*chanye.AuditEntry
	var ats []int64
	for rows.Next() {
		e, at, err := scanAuditRow(rows)
		if err != nil {
			t.Fatal(err)
		}
		es, ats = append(es, e), append(ats, at)
	}
	rows.Close()
	prev := auditGenesis
	for i, e := range es {
		e.PrevHash = prev
		e.Hash = plainHash(e, ats[i], keyID)
		execSQL(t, db, `UPDATE audit_log SET prev_hash = ?, hash = ?, key_id = ? WHERE id = ?`, e.PrevHash, e.Hash, keyID, e.ID)
		prev = e.Hash
	}
}

// plainHash is SHA-256 over the fields: version 1 for key 0, and the
// version-2 field list without the key otherwise.
func plainHash(e *chanye.AuditEntry, at int64, keyID int) string {
	h := sha256.New()
	field := func(s string) { h.Write([]byte(strconv.Itoa(len(s)) + ":" + s + ",")) }
	nullable := func(b []byte) {
		if b == nil {
			h.Write([]byte("-,"))
			return
		}
		field(string(b))
	}
	if keyID == 0 {
		h.Write([]byte("chanye.audit.v1\n"))
	} else {
		h.Write([]byte("chanye.audit.v2\n"))
	}
	field(strconv.FormatInt(e.ID, 10))
	field(strconv.FormatInt(at, 10))
	if keyID != 0 {
		field(strconv.Itoa(keyID))
	}
	for _, s := range []string{e.Actor, string(e.ActorRole), e.RequestID, e.Action, e.Entity, e.EntityKey} {
		field(s)
	}
	nullable(e.Before)
	nullable(e.After)
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// paidEntitlement pays one decision and returns the store, the payment and
// its audit row.
func paidEntitlement(t *testing.T, db *DB) (*Store, *policy.LedgerEntry, *chanye.AuditEntry) {
	t.Helper()
	ctx := context.Background()
	clock := setClock(db)
	s := newStore(t, db)
	version := publishedPolicy(t, s)
	a, b := code(t, 1), code(t, 2)
	run := createRun(t, s, version, eligible(version, a, "440103", 100_00), eligible(version, b, "440103", 200_00))
	publicisedAndApproved(t, s, clock, run, a, b)
	paid, _, err := s.Pay(as(ctx, "treasury"), policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: a}, payout(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Pay(as(ctx, "treasury"), policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: b}, payout(s)); err != nil {
		t.Fatal(err)
	}
	for _, e := range auditEntries(t, s, chanye.AuditFilter{Action: ptr("pay")}) {
		if e.EntityKey == paid.Decision.String() {
			return s, paid, e
		}
	}
	t.Fatal("no audit entry of the payment")
	return nil, nil, nil
}

// TestAuditForgedWithoutKey changes a payment's audit row (actor and
// amount) and recomputes every hash without the key.
func TestAuditForgedWithoutKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, paid, e := paidEntitlement(t, db)
		if rep := verify(t, s); !rep.OK {
			t.Fatalf("verify before forging = %+v", rep)
		}
		var after map[string]any
		if err := json.Unmarshal(e.After, &after); err != nil {
			t.Fatal(err)
		}
		after["by"], after["amount_fen"] = "mallory", 1
		forged, _ := json.Marshal(after)
		execSQL(t, db, `UPDATE audit_log SET actor = 'mallory (admin)', after = ? WHERE id = ?`, string(forged), e.ID)
		execSQL(t, db, `UPDATE policy_ledger SET actor = 'mallory', amount_fen = 1 WHERE id = ?`, paid.ID)
		execSQL(t, db, `UPDATE policy_entitlements SET net_fen = 1 WHERE code = ?`, paid.Entitlement.Code)
		for _, keyID := range []int{1, 0} { // as signed rows, then as rows of the unkeyed chain
			resignPlain(t, db, keyID)
			if rep := verify(t, s); rep.OK || rep.BadID != 1 {
				t.Errorf("key %d: verify after forging every hash = %+v, want row 1 to fail", keyID, rep)
			}
		}
	})
}

// TestAuditReconcilesLedger edits and removes ledger rows behind the
// store's back.
func TestAuditReconcilesLedger(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, paid, _ := paidEntitlement(t, db)
		if rep := verify(t, s); !rep.OK || rep.Reconciled["policy_ledger"] != 2 {
			t.Fatalf("verify before = %+v, want OK with 2 ledger rows reconciled", rep)
		}
		execSQL(t, db, `UPDATE policy_ledger SET amount_fen = 999999 WHERE id = ?`, paid.ID)
		rep := verify(t, s)
		if rep.OK || rep.Problem != "reconcile" || len(rep.Mismatches) == 0 {
			t.Fatalf("verify after editing the ledger = %+v", rep)
		}
		m := rep.Mismatches[0]
		if m.Table != "policy_ledger" || m.Key != strconv.FormatInt(paid.ID, 10) || m.Field != "amount_fen" || m.Stored != "999999" || m.Audited != "10000" {
			t.Errorf("mismatch = %+v", m)
		}
		execSQL(t, db, `UPDATE policy_ledger SET amount_fen = ? WHERE id = ?`, int64(paid.AmountFen), paid.ID)
		if rep := verify(t, s); !rep.OK {
			t.Fatalf("verify after restoring = %+v", rep)
		}

		execSQL(t, db, `UPDATE policy_entitlements SET net_fen = 5 WHERE code = ?`, paid.Entitlement.Code)
		if rep := verify(t, s); rep.OK || !hasMismatch(rep, "policy_entitlements", "net_fen") {
			t.Errorf("verify after editing the net = %+v", rep)
		}
		execSQL(t, db, `UPDATE policy_entitlements SET net_fen = ? WHERE code = ?`, int64(paid.AmountFen), paid.Entitlement.Code)

		execSQL(t, db, `DELETE FROM policy_ledger WHERE id = ?`, paid.ID)
		rep = verify(t, s)
		if rep.OK || !hasMismatch(rep, "policy_ledger", "row") {
			t.Errorf("verify after deleting a ledger row = %+v", rep)
		}
	})
}

func hasMismatch(rep *chanye.AuditReport, table, field string) bool {
	for _, m := range rep.Mismatches {
		if m.Table == table && m.Field == field {
			return true
		}
	}
	return false
}

// TestAuditReconcilesRunsReportsFacts edits the other money tables.
func TestAuditReconcilesRunsReportsFacts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := operator()
		s, _, _ := paidEntitlement(t, db)
		e := enterprise(t, 3, "440103", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		rev := chanye.Fen(500_00)
		if _, err := s.PutFacts(ctx, e.Code, []*chanye.Facts{{Year: 2024, Revenue: &rev, Source: "统计局", AsOf: date("2025-03-01")}}); err != nil {
			t.Fatal(err)
		}
		p := testProjectN(t, 1)
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 7, CumulativeFen: 9, ProgressPct: 10}); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, s); !rep.OK {
			t.Fatalf("verify before = %+v", rep)
		}
		for _, tc := range []struct {
			table, field, edit, undo string
		}{
			{"policy_runs", "total_fen", `UPDATE policy_runs SET total_fen = total_fen + 1`, `UPDATE policy_runs SET total_fen = total_fen - 1`},
			{"policy_run_policies", "amount_fen", `UPDATE policy_run_policies SET amount_fen = amount_fen + 1`, `UPDATE policy_run_policies SET amount_fen = amount_fen - 1`},
			{"policy_decisions", "sum(amount_fen)", `UPDATE policy_decisions SET amount_fen = amount_fen + 1`, `UPDATE policy_decisions SET amount_fen = amount_fen - 1`},
			{"project_reports", "invested_fen", `UPDATE project_reports SET invested_fen = 8`, `UPDATE project_reports SET invested_fen = 7`},
			{"projects", "total_investment_fen", `UPDATE projects SET total_investment_fen = 1`, `UPDATE projects SET total_investment_fen = 50000000000`},
			{"enterprise_facts", "revenue_fen", `UPDATE enterprise_facts SET revenue_fen = 1`, `UPDATE enterprise_facts SET revenue_fen = 50000`},
			{"enterprise_facts", "row", `INSERT INTO enterprise_facts (code, year, source, as_of, revenue_fen) VALUES ('` + e.Code + `', 2023, 'x', '2024-01-01', 1)`,
				`DELETE FROM enterprise_facts WHERE year = 2023`},
			{"policy_ledger", "row", `INSERT INTO policy_ledger (policy_id, period, code, kind, amount_fen, run_id, actor, at, note)
				SELECT policy_id, period, code, 'adjustment', 1, run_id + 1, actor, at, note FROM policy_ledger WHERE kind = 'payment' AND amount_fen = 10000`,
				`DELETE FROM policy_ledger WHERE kind = 'adjustment'`},
		} {
			execSQL(t, db, tc.edit)
			if rep := verify(t, s); rep.OK || !hasMismatch(rep, tc.table, tc.field) {
				t.Errorf("%s: verify = %+v, want a mismatch of %s.%s", tc.edit, rep, tc.table, tc.field)
			}
			execSQL(t, db, tc.undo)
			if rep := verify(t, s); !rep.OK {
				t.Fatalf("%s: verify after undoing = %+v", tc.undo, rep)
			}
		}
	})
}

// TestNoOpWritesAreNotAudited repeats every kind of write with what is
// already stored: the log does not grow.
func TestNoOpWritesAreNotAudited(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := operator()
		s := newStore(t, db)
		e := enterprise(t, 1, "440103", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		rev := chanye.Fen(500_00)
		facts := []*chanye.Facts{{Year: 2024, Revenue: &rev, Source: "统计局", AsOf: date("2025-03-01")}}
		tier := chanye.Tier{Kind: chanye.TierSRDI, From: date("2024-01-01"), Source: "工信局"}
		p := testProjectN(t, 1)
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		report := func() *project.Report {
			return &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 7, CumulativeFen: 9, ProgressPct: 10, Problems: "无"}
		}
		es, fs, ts := population(t, 5)
		var batch project.Batch
		batch.Projects = []*project.Project{testProjectN(t, 2)}
		batch.Reports = []*project.Report{{ProjectID: "GZ2025-0002", Month: "2025-05", InvestedFen: 1, CumulativeFen: 2, ProgressPct: 70}}
		batch.Nodes = []*project.Node{{ProjectID: "GZ2025-0002", Seq: 1, Name: "开工", PlannedDate: date("2024-01-01"), ActualDate: date("2024-01-02")}}
		writes := []struct {
			name  string
			write func() error
		}{
			{"update enterprise", func() error {
				_, err := s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{Name: ptr("改名有限公司")})
				return err
			}},
			{"put facts", func() error { _, err := s.PutFacts(ctx, e.Code, facts); return err }},
			{"put tier", func() error { _, err := s.PutTier(ctx, e.Code, tier); return err }},
			{"update project", func() error {
				_, err := s.UpdateProject(ctx, p.ID, project.ProjectUpdate{Stage: ptr(project.StageCompleted)})
				return err
			}},
			{"put node", func() error {
				_, err := s.PutNode(ctx, p.ID, 6, project.NodeUpdate{ActualDate: ptr(date("2024-01-10"))})
				return err
			}},
			{"put report", func() error { return s.PutReport(ctx, report()) }},
			{"update responsibility", func() error {
				_, err := s.UpdateResponsibility(ctx, "auto", chanye.ResponsibilityUpdate{TaskForce: ptr("")})
				return err
			}},
			{"upsert indicators", func() error {
				return s.UpsertIndicators(ctx, []*chanye.Indicator{{IndustryID: "auto", Metric: "revenue", Period: "2024", Value: 7, Source: "统计局"}})
			}},
			{"import enterprises", func() error { return s.Bulk(ctx, writeAll(es, fs, ts)) }},
			{"import projects", func() error {
				b := batch // WriteBatch sets times on the records it is given
				return s.WriteBatch(ctx, &b)
			}},
		}
		for _, w := range writes {
			if err := w.write(); err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			before := lastHead(t, db)
			for range 2 {
				if err := w.write(); err != nil {
					t.Fatalf("%s again: %v", w.name, err)
				}
			}
			if after := lastHead(t, db); after != before {
				t.Errorf("%s twice more added audit rows %d–%d", w.name, before.ID+1, after.ID)
			}
		}
		if rep := verify(t, s); !rep.OK {
			t.Errorf("verify = %+v", rep)
		}

		// A re-import that changes one report says so.
		fs[0].Revenue = &rev
		if err := s.Bulk(ctx, writeAll(es, fs, ts)); err != nil {
			t.Fatal(err)
		}
		last := auditEntries(t, s, chanye.AuditFilter{Entity: ptr("enterprises")})
		var counts bulkCounts
		if err := json.Unmarshal(last[len(last)-1].After, &counts); err != nil {
			t.Fatal(err)
		}
		if counts.FactsChanged != 1 || counts.Changed != 0 || counts.Inserted != 0 || counts.TiersChanged != 0 || counts.Facts != int64(len(fs)) {
			t.Errorf("re-import counts %+v, want one report changed", counts)
		}
	})
}

// TestAuditKeysAndLegacy covers the key rules: the unkeyed prefix only as
// the key file pins it, rotation, no older key after a newer one, a key
// the file lacks, a writer holding a rotated-away key, no key at all.
func TestAuditKeysAndLegacy(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		for i := 1; i <= 3; i++ {
			if err := s.CreateEnterprise(ctx, enterprise(t, i, "440103", "3612")); err != nil {
				t.Fatal(err)
			}
		}
		// The log as the code before keys wrote it.
		resignPlain(t, db, 0)
		if rep := verify(t, s); rep.OK || rep.Problem != "unkeyed" || rep.BadID != 1 {
			t.Errorf("unkeyed rows without a pin: %+v", rep)
		}
		legacy := lastHead(t, db)
		keys, err := NewAuditKeys(&legacy)
		if err != nil {
			t.Fatal(err)
		}
		old := db.AuditKeys
		db.AuditKeys = keys
		if err := s.CreateEnterprise(ctx, enterprise(t, 4, "440103", "3612")); err != nil {
			t.Fatal(err)
		}
		rep := verify(t, s)
		if !rep.OK || rep.LegacyRows != 4 || fmt.Sprint(rep.KeyIDs) != "[1]" || rep.Rows != 5 {
			t.Errorf("legacy then keyed: %+v", rep)
		}
		db.AuditKeys = old // another file: its key 1 is not this key 1
		if rep := verify(t, s); rep.OK || rep.Problem != "unkeyed" {
			t.Errorf("with a file that pins no legacy rows: %+v", rep)
		}
		db.AuditKeys = keys

		// Rotation: old rows verify with key 1, new ones are signed with 2.
		stale := *keys
		stale.ids, stale.keys = slices.Clone(keys.ids), maps.Clone(keys.keys)
		head := lastHead(t, db)
		if id, err := keys.Rotate(&head); err != nil || id != 2 {
			t.Fatalf("Rotate = %d, %v", id, err)
		}
		if err := s.RecordAuditKey(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, s); !rep.OK || fmt.Sprint(rep.KeyIDs) != "[1 2]" {
			t.Errorf("after rotation: %+v", rep)
		}
		// A process still holding only key 1 may not write.
		db.AuditKeys = &stale
		if err := s.CreateEnterprise(ctx, enterprise(t, 5, "440103", "3612")); err == nil || !strings.Contains(err.Error(), "rotated") {
			t.Errorf("write with the rotated-away key: %v", err)
		}
		db.AuditKeys = nil
		if err := s.CreateEnterprise(ctx, enterprise(t, 5, "440103", "3612")); !errors.Is(err, ErrNoAuditKey) {
			t.Errorf("write without keys: %v", err)
		}
		db.AuditKeys = keys

		// The file round-trips.
		text, err := keys.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseAuditKeys(text)
		if err != nil || back.Current() != 2 || *back.Legacy() != legacy || len(back.pins) != 1 || back.pins[0] != head ||
			!bytes.Equal(back.key(1), keys.key(1)) {
			t.Fatalf("ParseAuditKeys(%s) = %+v, %v", text, back, err)
		}

		// A row appended with key 1 after key 2's, by whoever holds key 1.
		last := lastHead(t, db)
		forged := &chanye.AuditEntry{ID: last.ID + 1, Actor: "mallory (admin)", ActorRole: chanye.RoleAdmin, Action: "update",
			Entity: "enterprise", EntityKey: "x", KeyID: 1, After: json.RawMessage(`{}`), PrevHash: last.Hash}
		forged.Hash = auditHash(forged, today.UnixMilli(), keys.key(1))
		execSQL(t, db, `INSERT INTO audit_log (id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash, key_id)
			VALUES (?, ?, ?, ?, '', ?, ?, ?, NULL, ?, ?, ?, ?)`, forged.ID, today.UnixMilli(), forged.Actor, string(forged.ActorRole),
			forged.Action, forged.Entity, forged.EntityKey, string(forged.After), forged.PrevHash, forged.Hash, forged.KeyID)
		if rep := verify(t, s); rep.OK || rep.Problem != "key" || rep.BadID != forged.ID {
			t.Errorf("a key-1 row after key 2: %+v", rep)
		}
		execSQL(t, db, `UPDATE audit_log SET key_id = 3 WHERE id = ?`, forged.ID)
		if rep := verify(t, s); rep.OK || rep.Problem != "key" || rep.BadID != forged.ID {
			t.Errorf("a row of a key the file lacks: %+v", rep)
		}
		execSQL(t, db, `DELETE FROM audit_log WHERE id = ?`, forged.ID)

		// The pinned rotation head and the legacy head are checked.
		execSQL(t, db, `DELETE FROM audit_log WHERE id > ?`, legacy.ID)
		if rep := verify(t, s); rep.OK || rep.Problem != "truncated" {
			t.Errorf("rows up to the rotation pin removed: %+v", rep)
		}
		execSQL(t, db, `DELETE FROM audit_log WHERE id > 1`)
		if rep := verify(t, s); rep.OK || rep.Problem != "truncated" {
			t.Errorf("legacy rows removed: %+v", rep)
		}
	})
}

// TestPayAgainNotAudited pays a paid decision again: nothing changes.
func TestPayAgainNotAudited(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, paid, _ := paidEntitlement(t, db)
		before := lastHead(t, db)
		if again, created, err := s.Pay(as(context.Background(), "treasury"), paid.Decision, payout(s)); err != nil || again.ID != paid.ID || created {
			t.Fatalf("Pay again = %+v, %v", again, err)
		}
		if after := lastHead(t, db); after != before {
			t.Errorf("paying a paid decision added audit rows %d–%d", before.ID+1, after.ID)
		}
	})
}
