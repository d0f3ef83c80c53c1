package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// relPolicy is a policy granting amount (a CEL int in fen) to every firm
// that reported revenue last year, with extra YAML (relations, budget).
func relPolicy(id, amount, caseYuan, extra string) string {
	return `id: ` + id + `
version: 1
status: draft
official: false
title_zh: 测试` + id + `
title_en: Test ` + id + `
document: 测试
issuer: 测试
department: 市工业和信息化局
effective: {from: 2020-01-01}
mode: no_application
` + extra + `
conditions:
  - id: revenue
    label_zh: 上年度有营业收入
    label_en: Revenue last year
    expr: e.fy1.revenue > 0
amount:
  expr: ` + amount + `
cases:
  - name: ok
    as_of: 2026-06-30
    enterprise:
      facts: [{year: 2025, revenue_yuan: "1000000"}]
    expect: {eligible: true, amount_yuan: "` + caseYuan + `"}
  - name: no revenue
    as_of: 2026-06-30
    enterprise:
      facts: [{year: 2025, revenue_yuan: "0"}]
    expect: {eligible: false}
`
}

// publishAll stores and publishes the sources, retiring the shipped ones
// from the run by making the test's the only ones that pay.
func publishAll(t *testing.T, f *fixture, srcs ...string) {
	t.Helper()
	ctx := as(context.Background(), "editor")
	for _, src := range srcs {
		v, err := f.store.CreatePolicyVersion(ctx, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.PublishPolicyVersion(ctx, v.PolicyID, v.Version); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRunResolvesRelations: a run of two policies in one exclusive group
// stores for each firm only the higher of the two, the other excluded
// with 就高不重复 and its reason; a policy requiring another is granted
// only beside it; a needs-data decision is never excluded; the run's
// counts add up; the explanation says why; on both databases.
func TestRunResolvesRelations(t *testing.T) {
	sqlstoretest.ForEachDB(t, func(t *testing.T, store *sqlstore.Store) {
		ctx := context.Background()
		f := newFixtureOn(t, store, 400, nil)
		// rel-a: 1 % of revenue; rel-b: 10,000 yuan flat; both in group g.
		// rel-c: 500 yuan, only beside rel-a.
		publishAll(t, f,
			relPolicy("rel-a", "e.fy1.revenue / 100", "10000", "budget_yuan: \"1000000000\"\nrelations: {exclusive_group: g}"),
			relPolicy("rel-b", "1000000", "10000", "budget_yuan: \"1000000000\"\nrelations: {exclusive_group: g}"),
			relPolicy("rel-c", "50000", "500", "budget_yuan: \"1000000000\"\nrelations: {requires: [rel-a]}"))
		run, err := f.eng.Run(as(ctx, "runner"), asOf)
		if err != nil {
			t.Fatal(err)
		}
		byFirm := map[string]map[string]*policy.StoredDecision{}
		for _, d := range allDecisions(t, f.store, run.ID) {
			if byFirm[d.Code] == nil {
				byFirm[d.Code] = map[string]*policy.StoredDecision{}
			}
			byFirm[d.Code][d.PolicyID] = d
		}
		ex := policy.VerdictExcluded
		excluded, _, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, Verdict: &ex, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		both := 0
		for code, ds := range byFirm {
			if ds["rel-a"] != nil && ds["rel-b"] != nil {
				t.Errorf("%s granted both rel-a and rel-b", code)
			}
			if ds["rel-c"] != nil && ds["rel-a"] == nil {
				t.Errorf("%s granted rel-c without rel-a", code)
			}
		}
		for _, d := range excluded {
			last := d.Adjustments[len(d.Adjustments)-1]
			switch d.PolicyID {
			case "rel-a", "rel-b":
				both++
				if !strings.Contains(last.ReasonZH, "就高不重复") || last.BeforeFen <= 0 {
					t.Errorf("%s/%s excluded: %+v", d.PolicyID, d.Code, last)
				}
				other := byFirm[d.Code][last.By]
				if other == nil || other.AmountFen < last.BeforeFen {
					t.Errorf("%s/%s excluded for %s, which grants %v", d.PolicyID, d.Code, last.By, other)
				}
			case "rel-c":
				if !strings.Contains(last.ReasonZH, "需先获得") {
					t.Errorf("rel-c/%s excluded: %+v", d.Code, last)
				}
			}
			if d.AmountFen != 0 || d.Verdict != policy.VerdictExcluded {
				t.Errorf("excluded decision %+v", d)
			}
		}
		if both == 0 {
			t.Fatal("no firm was decided by both policies of the group")
		}
		for _, rp := range run.Policies {
			if rp.Eligible+rp.Excluded+rp.NotEligible+rp.NeedsData+rp.Errors != run.Enterprises {
				t.Errorf("%s: %d+%d+%d+%d+%d != %d", rp.ID, rp.Eligible, rp.Excluded, rp.NotEligible, rp.NeedsData, rp.Errors, run.Enterprises)
			}
		}
		// Needs data: a firm whose revenue is missing is never excluded.
		nd := policy.VerdictNeedsData
		needs, _, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, Verdict: &nd, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range needs {
			for _, x := range excluded {
				if x.Code == d.Code && x.PolicyID == d.PolicyID {
					t.Errorf("needs-data %s/%s excluded", d.PolicyID, d.Code)
				}
			}
		}
		// The explanation of an excluded firm says why.
		d := excluded[0]
		pd, err := f.eng.Explain(ctx, d.PolicyID, 0, d.Code, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if pd.Decision.Status != policy.VerdictExcluded || len(pd.Decision.Adjustments) == 0 ||
			pd.Decision.Adjustments[len(pd.Decision.Adjustments)-1].ReasonZH != d.Adjustments[len(d.Adjustments)-1].ReasonZH {
			t.Errorf("explain %s/%s: %+v", d.PolicyID, d.Code, pd.Decision)
		}
		// A re-decision of that firm applies the relations as the run did.
		_, rd, err := f.eng.Redecide(as(ctx, "redecider"), d.PolicyID, d.Code, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if rd.Decision.Status != policy.VerdictExcluded {
			t.Errorf("re-decision of %s/%s: %s, want excluded", d.PolicyID, d.Code, rd.Decision.Status)
		}
		all, err := f.eng.ExplainEnterprise(ctx, d.Code, asOf)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, x := range all.Excluded {
			found = found || x.PolicyID == d.PolicyID
		}
		if !found {
			t.Errorf("ExplainEnterprise(%s) does not list %s as excluded: %+v", d.Code, d.PolicyID, all.Excluded)
		}
		if rep, err := f.store.VerifyAudit(ctx, nil); err != nil || !rep.OK {
			t.Errorf("audit verify: %+v, %v", rep, err)
		}
	})
}

// TestBudgetCutsInRunAndSimulation: an always-true policy with a budget of
// 1000万 over every firm: pro rata, the run's amounts sum exactly to the
// budget; in order, the run grants no more than the budget and excludes
// the rest with 预算已用完; the simulation shows the budget line.
func TestBudgetCutsInRunAndSimulation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 400, nil)
	publishAll(t, f,
		relPolicy("pro", "1000000000", "10000000", `budget: {yuan: "10000000", at_limit: pro_rata}`),
		relPolicy("ord", "1000000000", "10000000", `budget: {yuan: "10000000", at_limit: in_order, order: [amount_desc]}`))
	run, err := f.eng.Run(as(ctx, "runner"), asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, rp := range run.Policies {
		switch rp.ID {
		case "pro":
			if rp.AmountFen != 10_000_000_00 || rp.Eligible < 2 {
				t.Errorf("pro rata: %d firms, %d fen; want the budget exactly", rp.Eligible, rp.AmountFen)
			}
		case "ord":
			if rp.AmountFen != 10_000_000_00 || rp.Eligible != 1 || rp.Excluded < 1 {
				t.Errorf("in order: %d firms, %d excluded, %d fen", rp.Eligible, rp.Excluded, rp.AmountFen)
			}
		}
	}
	ex := policy.VerdictExcluded
	id := "ord"
	xs, _, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, PolicyID: &id, Verdict: &ex, Limit: 1})
	if err != nil || len(xs) == 0 || !strings.Contains(xs[0].Adjustments[0].ReasonZH, "预算已用完") {
		t.Errorf("in order excluded: %+v, %v", xs, err)
	}
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store, Budgets: f.store})
	draft, err := policy.Parse([]byte(relPolicy("pro", "1000000000", "10000000", `budget: {yuan: "10000000", at_limit: pro_rata}`)))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := eng.Simulate(ctx, draft, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Budget == nil || sim.Budget.DecidedFen != 10_000_000_00 || sim.Budget.RemainingFen != 0 || sim.Draft.ReducedFen <= 0 || sim.OverBudget {
		t.Errorf("simulation budget line %+v, draft %+v", sim.Budget, sim.Draft)
	}
	_ = chanye.Fen(0)
}
