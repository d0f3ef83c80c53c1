package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// publishVariant stores and publishes the test policy under id with its
// budget line replaced by budget (and what follows it).
func publishVariant(t *testing.T, s *Store, id, budget string) int {
	t.Helper()
	src := strings.Replace(string(policySource(t)), "id: "+testPolicyID, "id: "+id, 1)
	src = strings.Replace(src, `budget_yuan: "200000000"`, budget, 1)
	ctx := context.Background()
	v, err := s.CreatePolicyVersion(as(ctx, "editor"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishPolicyVersion(as(ctx, "director"), v.PolicyID, v.Version); err != nil {
		t.Fatal(err)
	}
	return v.Version
}

// runOf stores a run of one policy over ds, publicised for 5 days.
func runOf(t *testing.T, s *Store, id string, version int, ds ...*policy.StoredDecision) *policy.Run {
	t.Helper()
	for _, d := range ds {
		d.PolicyID, d.Version = id, version
	}
	run := &policy.Run{AsOf: chanye.DateOf(today), Snapshot: "snap", Enterprises: len(ds),
		Policies: []policy.RunPolicy{{ID: id, Version: version}}}
	ctx := context.Background()
	if err := s.CreateRun(as(ctx, "runner"), run, decisions(ds...)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publicise(as(ctx, "clerk"), run.ID, id, 5); err != nil {
		t.Fatal(err)
	}
	return run
}

// TestExclusiveGroupNeverPaysTwice: two published policies in one
// exclusive group never both carry one firm's money for one period, even
// from two runs that each decided one of them: the second approval is
// refused, and a payment whose partner is paid is refused too (issue 9,
// point 3). On today's main both are approved and paid.
func TestExclusiveGroupNeverPaysTwice(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		rel := "budget_yuan: \"200000000\"\nrelations: {exclusive_group: equipment}"
		va := publishVariant(t, s, "equip-a", rel)
		vb := publishVariant(t, s, "equip-b", rel)
		x, y := code(t, 1), code(t, 2)
		ra := runOf(t, s, "equip-a", va, eligible(va, x, "440103", 100_00), eligible(va, y, "440103", 100_00))
		rb := runOf(t, s, "equip-b", vb, eligible(vb, x, "440103", 200_00), eligible(vb, y, "440103", 200_00))
		*clock = clock.AddDate(0, 0, 10)
		a := func(c string) policy.DecisionRef {
			return policy.DecisionRef{RunID: ra.ID, PolicyID: "equip-a", Code: c}
		}
		b := func(c string) policy.DecisionRef {
			return policy.DecisionRef{RunID: rb.ID, PolicyID: "equip-b", Code: c}
		}

		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{a(x)}); err != nil {
			t.Fatal(err)
		}
		err := s.Approve(as(ctx, "director"), []policy.DecisionRef{b(x)})
		wantCodeOf(t, "approve the partner", err, chanye.ECONFLICT)
		if !strings.Contains(err.Error(), "就高不重复") {
			t.Errorf("error %q does not say 就高不重复", err)
		}
		// In one call too: the second of the pair sees the first.
		wantCodeOf(t, "approve both in one call", s.Approve(as(ctx, "director"), []policy.DecisionRef{b(y), a(y)}), chanye.ECONFLICT)
		if d, _ := s.FindDecision(ctx, b(y)); d.Status != policy.DecisionPublicised {
			t.Errorf("b(y) is %s after a refused call, want publicised", d.Status)
		}
		if _, _, err := s.Pay(as(ctx, "treasury"), a(x), payout(s)); err != nil {
			t.Fatal(err)
		}
		// A decision approved around the check (as before this rule) is
		// still never paid while its partner is.
		if _, err := db.db.Exec(db.dialect.rebind(`UPDATE policy_decisions SET status = 'approved' WHERE run_id = ? AND policy_id = 'equip-b' AND code = ?`), rb.ID, x); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Pay(as(ctx, "treasury"), b(x), payout(s))
		wantCodeOf(t, "pay the partner", err, chanye.ECONFLICT)
		var n int
		if err := db.db.QueryRow(db.dialect.rebind(`SELECT COUNT(*) FROM policy_ledger WHERE code = ?`), x).Scan(&n); err != nil || n != 1 {
			t.Errorf("ledger entries for %s: %d, %v; want 1", x, n, err)
		}
		// The other firm gets the group's other policy alone.
		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{b(y)}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBudgetNeverExceeded: a policy with a budget of 1000万 whose rules
// grant 100万 to each of 30 firms: approving beyond the budget is
// refused, all or nothing, counting what earlier runs approved, and a
// payment beyond it is refused too (issue 9, point 4). On today's main
// the 30 are approved: 3000万.
func TestBudgetNeverExceeded(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		v := publishVariant(t, s, "always", `budget: {yuan: "10000000", at_limit: refuse}`)
		var ds []*policy.StoredDecision
		for i := 1; i <= 30; i++ {
			ds = append(ds, eligible(v, code(t, i), "440103", 1_000_000_00))
		}
		run := runOf(t, s, "always", v, ds...)
		*clock = clock.AddDate(0, 0, 10)
		ref := func(i int) policy.DecisionRef {
			return policy.DecisionRef{RunID: run.ID, PolicyID: "always", Code: code(t, i)}
		}
		var all []policy.DecisionRef
		for i := 1; i <= 30; i++ {
			all = append(all, ref(i))
		}
		err := s.Approve(as(ctx, "director"), all)
		wantCodeOf(t, "approve all", err, chanye.ECONFLICT)
		if !strings.Contains(err.Error(), "超出预算") {
			t.Errorf("error %q does not say 超出预算", err)
		}
		if n := countStatus(t, db, "approved"); n != 0 {
			t.Fatalf("%d approved after a refused call, want 0", n)
		}
		if err := s.Approve(as(ctx, "director"), all[:10]); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "approve the 11th", s.Approve(as(ctx, "director"), all[10:11]), chanye.ECONFLICT)
		// A second run deciding the same firms does not reopen the budget:
		// its decisions of the 10 carry the same entitlements.
		run2 := runOf(t, s, "always", v, eligible(v, code(t, 1), "440103", 1_000_000_00), eligible(v, code(t, 11), "440103", 1_000_000_00))
		*clock = clock.AddDate(0, 0, 10)
		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{{RunID: run2.ID, PolicyID: "always", Code: code(t, 1)}}); err != nil {
			t.Fatalf("re-approving an entitlement within the budget: %v", err)
		}
		wantCodeOf(t, "approve a new firm from a later run", s.Approve(as(ctx, "director"),
			[]policy.DecisionRef{{RunID: run2.ID, PolicyID: "always", Code: code(t, 11)}}), chanye.ECONFLICT)
		// Payments: the 10 are paid; one approved around the check is not.
		for i := 1; i <= 10; i++ {
			if _, _, err := s.Pay(as(ctx, "treasury"), ref(i), payout(s)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.db.Exec(db.dialect.rebind(`UPDATE policy_decisions SET status = 'approved' WHERE run_id = ? AND code = ?`), run.ID, code(t, 12)); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Pay(as(ctx, "treasury"), ref(12), payout(s))
		wantCodeOf(t, "pay beyond the budget", err, chanye.ECONFLICT)
		var paid int64
		if err := db.db.QueryRow(`SELECT COALESCE(SUM(amount_fen), 0) FROM policy_ledger WHERE policy_id = 'always'`).Scan(&paid); err != nil || paid != 10_000_000_00 {
			t.Errorf("paid %d fen, %v; want exactly the budget", paid, err)
		}
	})
}

// TestGroupCapPerEnterprise: a group's cap per enterprise holds across its
// policies at approval.
func TestGroupCapPerEnterprise(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		va := publishVariant(t, s, "cap-a", "budget_yuan: \"200000000\"\nrelations: {exclusive_group: capped}\ngroups: [{id: capped, cap_per_enterprise_yuan: \"250\"}]")
		x := code(t, 1)
		r1 := runOf(t, s, "cap-a", va, eligible(va, x, "440103", 200_00))
		*clock = clock.AddDate(0, 0, 10)
		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{{RunID: r1.ID, PolicyID: "cap-a", Code: x}}); err != nil {
			t.Fatal(err)
		}
		// A later run decides more for the same entitlement: over the cap.
		r2 := runOf(t, s, "cap-a", va, eligible(va, x, "440103", 300_00))
		*clock = clock.AddDate(0, 0, 10)
		err := s.Approve(as(ctx, "director"), []policy.DecisionRef{{RunID: r2.ID, PolicyID: "cap-a", Code: x}})
		wantCodeOf(t, "over the cap", err, chanye.ECONFLICT)
		if !strings.Contains(err.Error(), "每户上限") {
			t.Errorf("error %q does not name the cap", err)
		}
	})
}

func countStatus(t *testing.T, db *DB, status string) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow(db.dialect.rebind(`SELECT COUNT(*) FROM policy_decisions WHERE status = ?`), status).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPublishShowsConflicts: publishing a policy whose relation names a
// policy not published gives a warning with the result; one declaring a
// group unlike a published member's is refused.
func TestPublishShowsConflicts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		setClock(db)
		s := NewStore(db)
		publishVariant(t, s, "grp-a", "budget_yuan: \"1\"\nrelations: {exclusive_group: g}\ngroups: [{id: g, cap_per_enterprise_yuan: \"100\"}]")
		src := strings.Replace(string(policySource(t)), "id: "+testPolicyID, "id: grp-b", 1)
		src = strings.Replace(src, `budget_yuan: "200000000"`, "budget_yuan: \"1\"\nrelations: {exclusive_group: g, excludes: [nowhere]}", 1)
		v, err := s.CreatePolicyVersion(as(ctx, "editor"), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.PublishPolicyVersion(as(ctx, "director"), v.PolicyID, v.Version)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Conflicts) != 1 || out.Conflicts[0].With != "nowhere" || out.Conflicts[0].Invalid {
			t.Errorf("conflicts %+v, want a warning about nowhere", out.Conflicts)
		}
		src = strings.Replace(string(policySource(t)), "id: "+testPolicyID, "id: grp-c", 1)
		src = strings.Replace(src, `budget_yuan: "200000000"`, "budget_yuan: \"1\"\nrelations: {exclusive_group: g}\ngroups: [{id: g, cap_per_enterprise_yuan: \"200\"}]", 1)
		if v, err = s.CreatePolicyVersion(as(ctx, "editor"), []byte(src)); err != nil {
			t.Fatal(err)
		}
		_, err = s.PublishPolicyVersion(as(ctx, "director"), v.PolicyID, v.Version)
		wantCodeOf(t, "a group declared differently", err, chanye.EINVALID)
		if msg := chanye.ErrorFields(err)["groups"]; !strings.Contains(msg, "grp-a") {
			t.Errorf("fields %v do not name grp-a", chanye.ErrorFields(err))
		}
	})
}

// TestRequiresAtApproval: a policy requiring another's award is approved
// and paid only for firms that hold it — approved or paid from any run, or
// decided in the same run and not withdrawn since; a firm whose required
// award was withdrawn after an upheld objection is refused (issue 9,
// point 3: enforced in approval and payment).
func TestRequiresAtApproval(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		vb := publishVariant(t, s, "retrofit-base", `budget_yuan: "200000000"`)
		vt := publishVariant(t, s, "retrofit-topup", "budget_yuan: \"200000000\"\nrelations: {requires: [retrofit-base]}")
		x, y := code(t, 1), code(t, 2)
		rb := runOf(t, s, "retrofit-base", vb, eligible(vb, x, "440103", 100_00), eligible(vb, y, "440103", 100_00))
		// y objects to the base award in its window; upheld, withdrawn.
		o := &policy.Objection{Ref: policy.DecisionRef{RunID: rb.ID, PolicyID: "retrofit-base", Code: y}, Reason: "金额有误"}
		if err := s.CreateObjection(as(ctx, "enterprise:"+y), o); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResolveObjection(as(ctx, "clerk"), o.ID, true, "撤回重算"); err != nil {
			t.Fatal(err)
		}
		rt := runOf(t, s, "retrofit-topup", vt, eligible(vt, x, "440103", 2_00), eligible(vt, y, "440103", 2_00))
		*clock = clock.AddDate(0, 0, 10)
		base := policy.DecisionRef{RunID: rb.ID, PolicyID: "retrofit-base", Code: x}
		top := func(c string) policy.DecisionRef {
			return policy.DecisionRef{RunID: rt.ID, PolicyID: "retrofit-topup", Code: c}
		}

		// x: the base award is only publicised, in another run: refused.
		wantCodeOf(t, "top-up before the base is approved", s.Approve(as(ctx, "director"), []policy.DecisionRef{top(x)}), chanye.ECONFLICT)
		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{base}); err != nil {
			t.Fatal(err)
		}
		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{top(x)}); err != nil {
			t.Fatalf("top-up of a firm holding the base award: %v", err)
		}
		// y: its base award was withdrawn.
		err := s.Approve(as(ctx, "director"), []policy.DecisionRef{top(y)})
		wantCodeOf(t, "top-up of a withdrawn base award", err, chanye.ECONFLICT)
		if err != nil && !strings.Contains(err.Error(), "需先获得 retrofit-base") {
			t.Errorf("error %q does not say what is required", err)
		}
	})
}
