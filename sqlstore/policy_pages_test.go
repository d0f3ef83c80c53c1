package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// The store's side of the lifecycle in the pages (issue 9, point 8): the
// four-eyes rule on approval, the treasury's reference on each payment,
// corrections after an upheld objection, and the searchable public list.

// TestApprovalFourEyes: the person who ran a run or publicised its list
// may not approve its decisions, whatever role the account has since; the
// error says the rule, Chinese first. Anyone else approves.
func TestApprovalFourEyes(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		a := code(t, 1)
		run := createRun(t, s, version, eligible(version, a, "440103", 100_00)) // by "runner"
		if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		*clock = clock.AddDate(0, 0, 10)
		refs := []policy.DecisionRef{{RunID: run.ID, PolicyID: testPolicyID, Code: a}}
		runnerNow := chanye.WithActor(ctx, &chanye.Actor{Name: "runner", Role: chanye.RoleDepartment, Department: "市工业和信息化局"})
		for _, c := range []struct {
			name string
			ctx  context.Context
			says string
		}{
			{"the runner", as(ctx, "runner"), "运行了该批量计算"},
			{"the runner with another role", runnerNow, "运行了该批量计算"},
			{"the publicist", as(ctx, "clerk"), "公示了该政策的名单"},
		} {
			err := s.Approve(c.ctx, refs)
			wantCodeOf(t, c.name, err, chanye.EFORBIDDEN)
			if msg := chanye.ErrorMessage(err); !strings.HasPrefix(msg, "四眼原则") || !strings.Contains(msg, c.says) || !strings.Contains(msg, "four-eyes rule") {
				t.Errorf("%s: message %q does not state the rule", c.name, msg)
			}
		}
		if d, _ := s.FindDecision(ctx, refs[0]); d.Status != policy.DecisionPublicised {
			t.Fatalf("refused approvals left the decision %s", d.Status)
		}
		if err := s.Approve(as(ctx, "director"), refs); err != nil {
			t.Fatal(err)
		}
		if d, _ := s.FindDecision(ctx, refs[0]); d.Status != policy.DecisionApproved || d.StatusBy != "director (admin)" {
			t.Errorf("decision %s by %s, want approved by the director", d.Status, d.StatusBy)
		}
	})
}

// TestPayoutRecorded: a payment records the day, the voucher and the bank
// batch; the day is neither in the future nor before the approval; a
// replay must say the same, and paying stays idempotent; verify
// reconciles the new columns with the audit log.
func TestPayoutRecorded(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		a, b := code(t, 1), code(t, 2)
		run := createRun(t, s, version, eligible(version, a, "440103", 123_456_78), eligible(version, b, "440106", 50_00))
		publicisedAndApproved(t, s, clock, run, a, b) // approved on 2025-06-25
		ref := policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: a}
		treasury := as(ctx, "treasury")
		today := chanye.DateOf(*clock)

		for _, c := range []struct {
			name  string
			p     policy.Payout
			field string
		}{
			{"no day", policy.Payout{Voucher: "记-1", Batch: "B1"}, "paid_on"},
			{"no voucher", policy.Payout{PaidOn: today, Batch: "B1"}, "voucher"},
			{"no batch", policy.Payout{PaidOn: today, Voucher: "记-1", Batch: "  "}, "batch"},
			{"long voucher", policy.Payout{PaidOn: today, Voucher: strings.Repeat("9", policy.MaxReference+1), Batch: "B1"}, "voucher"},
			{"control character", policy.Payout{PaidOn: today, Voucher: "记-1\t2", Batch: "B1"}, "voucher"},
			{"tomorrow", policy.Payout{PaidOn: chanye.Date{Time: today.AddDate(0, 0, 1)}, Voucher: "记-1", Batch: "B1"}, "paid_on"},
			{"before the approval", policy.Payout{PaidOn: chanye.Date{Time: today.AddDate(0, 0, -1)}, Voucher: "记-1", Batch: "B1"}, "paid_on"},
		} {
			_, _, err := s.Pay(treasury, ref, c.p)
			wantCodeOf(t, c.name, err, chanye.EINVALID)
			if _, ok := chanye.ErrorFields(err)[c.field]; !ok {
				t.Errorf("%s: fields %v, want %s", c.name, chanye.ErrorFields(err), c.field)
			}
		}
		if n := countPayments(t, db); n != 0 {
			t.Fatalf("refused payouts wrote %d payments", n)
		}

		// One bank batch, one voucher for the batch, paid the day after
		// the approval.
		*clock = clock.AddDate(0, 0, 2)
		p := policy.Payout{PaidOn: chanye.Date{Time: today.AddDate(0, 0, 1)}, Voucher: " 记-2025-0612 ", Batch: "GK202506260001"}
		e, created, err := s.Pay(treasury, ref, p)
		if err != nil || !created {
			t.Fatalf("pay: %v, created %v", err, created)
		}
		if e.PaidOn.String() != "2025-06-26" || e.Voucher != "记-2025-0612" || e.Batch != "GK202506260001" || e.AmountFen != 123_456_78 {
			t.Errorf("entry %+v", e)
		}
		p.Voucher = "记-2025-0612"
		if again, created, err := s.Pay(treasury, ref, p); err != nil || created || again.ID != e.ID {
			t.Fatalf("replay: %+v, created %v, %v; want the entry, not created", again, created, err)
		}
		other := p
		other.Voucher = "记-2025-0999"
		_, _, err = s.Pay(treasury, ref, other)
		wantCodeOf(t, "pay again with another voucher", err, chanye.ECONFLICT)
		if msg := chanye.ErrorMessage(err); !strings.Contains(msg, "记-2025-0612") || !strings.Contains(msg, "GK202506260001") {
			t.Errorf("conflict %q does not name the payment's voucher and batch", msg)
		}
		if _, _, err := s.Pay(treasury, policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: b}, p); err != nil {
			t.Fatal(err)
		}
		if n := countPayments(t, db); n != 2 {
			t.Fatalf("%d payments, want 2", n)
		}
		list, n, err := s.FindLedger(ctx, policy.LedgerFilter{RunID: &run.ID})
		if err != nil || n != 2 || list[0].Voucher != "记-2025-0612" || list[1].Batch != "GK202506260001" || list[1].PaidOn.String() != "2025-06-26" {
			t.Fatalf("ledger of the run: %d, %v, %+v", n, err, list)
		}
		other0 := int64(run.ID + 1)
		if _, n, _ := s.FindLedger(ctx, policy.LedgerFilter{RunID: &other0}); n != 0 {
			t.Errorf("ledger of another run: %d entries", n)
		}
		if rep := verify(t, s); !rep.OK || rep.Reconciled["policy_ledger"] != 2 {
			t.Errorf("verify = %+v", rep)
		}
		// A voucher changed behind the store's back no longer matches its
		// audit entry.
		if _, err := db.db.Exec(`UPDATE policy_ledger SET voucher = 'forged' WHERE id = ` + itoa(e.ID)); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, s); rep.OK || !strings.Contains(rep.Message+rep.Problem+fmtMismatches(rep), "voucher") {
			t.Errorf("verify after a forged voucher = %+v, want a voucher mismatch", rep)
		}
	})
}

// fmtMismatches joins what a report lists as mismatched.
func fmtMismatches(rep *chanye.AuditReport) string {
	var b strings.Builder
	for _, m := range rep.Mismatches {
		b.WriteString(m.Field + " ")
	}
	return b.String()
}

// TestCorrectFacts: after an upheld objection the department writes the
// corrected figure as a new facts report with its source and day, audited
// like any facts write; an open or rejected objection allows none.
func TestCorrectFacts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		setClock(db)
		s := newStore(t, db)
		e := enterprise(t, 1, "440103", "3612")
		if err := s.CreateEnterprise(as(ctx, "registrar"), e); err != nil {
			t.Fatal(err)
		}
		old := chanye.Fen(10_000_000_00)
		if _, err := s.PutFacts(as(ctx, "registrar"), e.Code, []*chanye.Facts{{Year: 2024, Revenue: &old, Source: "市统计局", AsOf: date("2025-03-01")}}); err != nil {
			t.Fatal(err)
		}
		version := publishedPolicy(t, s)
		b := code(t, 2)
		run := createRun(t, s, version, eligible(version, e.Code, "440103", 100_00), eligible(version, b, "440103", 100_00))
		if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		ref := policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: e.Code}
		o := &policy.Objection{Ref: ref, Reason: "2024 年营业收入应为 1234.56 万元"}
		if err := s.CreateObjection(as(ctx, "firm"), o); err != nil {
			t.Fatal(err)
		}
		rb := &policy.Objection{Ref: policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: b}, Reason: "x"}
		if err := s.CreateObjection(as(ctx, "firm-b"), rb); err != nil {
			t.Fatal(err)
		}
		revenue := chanye.Fen(12_345_600_00)
		fix := func() *chanye.Facts {
			return &chanye.Facts{Year: 2024, Revenue: &revenue, Source: " 企业提交的 2024 年审计报告 ", AsOf: date("2025-06-10")}
		}
		_, err := s.CorrectFacts(as(ctx, "department"), o.ID, fix())
		wantCodeOf(t, "correct on an open objection", err, chanye.EINVALID)
		if _, err := s.ResolveObjection(as(ctx, "department"), rb.ID, false, "数据无误"); err != nil {
			t.Fatal(err)
		}
		_, err = s.CorrectFacts(as(ctx, "department"), rb.ID, fix())
		wantCodeOf(t, "correct on a rejected objection", err, chanye.EINVALID)
		if _, err := s.ResolveObjection(as(ctx, "department"), o.ID, true, "营业收入有误，予以更正并重新判定"); err != nil {
			t.Fatal(err)
		}
		bad := fix()
		bad.Source = ""
		_, err = s.CorrectFacts(as(ctx, "department"), o.ID, bad)
		wantCodeOf(t, "correct without a source", err, chanye.EINVALID)
		_, err = s.CorrectFacts(as(ctx, "department"), 999, fix())
		wantCodeOf(t, "correct on no objection", err, chanye.ENOTFOUND)
		_, err = s.CorrectFacts(ctx, o.ID, fix())
		wantCodeOf(t, "correct with no actor", err, chanye.EINVALID)

		got, err := s.CorrectFacts(as(ctx, "department"), o.ID, fix())
		if err != nil {
			t.Fatal(err)
		}
		if f := got.Facts[0]; f.Year != 2024 || f.Revenue == nil || *f.Revenue != revenue || f.Source != "企业提交的 2024 年审计报告" {
			t.Errorf("merged facts %+v, want the corrected revenue from the new source", f)
		}
		// The old report is kept beside the new one.
		var reports int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM enterprise_facts WHERE code = '` + e.Code + `' AND year = 2024`).Scan(&reports); err != nil || reports != 2 {
			t.Errorf("facts reports of 2024: %d, %v; want 2", reports, err)
		}
		evs, err := s.FindDecisionEvents(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if last.Action != "correct" || last.By != "department (admin)" || !strings.Contains(last.Note, "revenue_fen") || !strings.Contains(last.Note, "审计报告") {
			t.Errorf("last event %+v, want the correction", last)
		}
		entries := auditEntries(t, s, chanye.AuditFilter{})
		if a := entries[len(entries)-1]; a.Entity != "enterprise_facts" || a.EntityKey != e.Code || a.Actor != "department (admin)" {
			t.Errorf("last audit entry %s %s by %s, want the facts write", a.Entity, a.EntityKey, a.Actor)
		}
		if rep := verify(t, s); !rep.OK {
			t.Errorf("verify = %+v", rep)
		}
	})
}

// TestPublicitySearch: the public list is searched by company name or the
// start of a credit code, paged, and each entry names the issuing unit
// and where objections go.
func TestPublicitySearch(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		var ds []*policy.StoredDecision
		for i := 1; i <= 12; i++ {
			d := eligible(version, code(t, i), "440103", chanye.Fen(i*100_00))
			d.Name = "广州甲乙科技有限公司"
			if i%3 == 0 {
				d.Name = "Guangzhou ABC_%Robotics 有限公司"
			}
			ds = append(ds, d)
		}
		run := createRun(t, s, version, ds...)
		if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		find := func(q string, offset, limit int) ([]*policy.PublicityEntry, int) {
			t.Helper()
			list, n, err := s.FindPublicity(ctx, policy.PublicityFilter{Query: &q, Offset: offset, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			return list, n
		}
		if _, n := find("甲乙", 0, 0); n != 8 {
			t.Errorf("甲乙: %d, want 8", n)
		}
		if page, n := find("abc_%robot", 2, 2); n != 4 || len(page) != 2 || page[0].Code != code(t, 9) {
			t.Errorf("abc_%%robot page 2: %d of %d, want 2 of 4 from %s", len(page), n, code(t, 9))
		}
		if _, n := find("a_c", 0, 0); n != 0 {
			t.Errorf("a_c matched %d: _ must not be a wildcard", n)
		}
		prefix := strings.ToLower(code(t, 12)[:12])
		if list, n := find(prefix, 0, 0); n < 1 || list[0].Code[:12] != code(t, 12)[:12] {
			t.Errorf("code prefix %s: %d", prefix, n)
		}
		list, n := find("", 0, 1)
		if n != 12 || len(list) != 1 {
			t.Fatalf("no query: %d of %d", len(list), n)
		}
		e := list[0]
		if e.Issuer != "示例：市工业和信息化局" || e.Department != "市工业和信息化局" || e.Contact == nil || e.Contact.Unit != "市工业和信息化局" || e.Contact.Phone != "" {
			t.Errorf("entry issuer %q, department %q, contact %+v", e.Issuer, e.Department, e.Contact)
		}
	})
}
