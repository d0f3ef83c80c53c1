package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// TestRedecide: a re-decision is a run of one policy for one enterprise
// that stores what the reference evaluator decides, the same as a full
// run for the same data; an enterprise found not eligible gets a run with
// no decision and the explanation why.
func TestRedecide(t *testing.T) {
	f := newFixture(t, 300, nil)
	ctx := as(context.Background(), "runner")
	full, err := f.eng.Run(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	const pid = "example-rd-subsidy"
	eligible := map[string]*policy.StoredDecision{}
	for _, d := range allDecisions(t, f.store, full.ID) {
		if d.PolicyID == pid {
			eligible[d.Code] = d
		}
	}
	var yes, no string
	for _, c := range f.codes {
		if eligible[c] != nil && yes == "" {
			yes = c
		}
		if eligible[c] == nil && no == "" {
			no = c
		}
	}
	if yes == "" || no == "" {
		t.Fatalf("the demo base has no eligible (%q) or no ineligible (%q) firm for %s", yes, no, pid)
	}

	run, pd, err := f.eng.Redecide(as(context.Background(), "科员"), pid, yes, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if run.Enterprises != 1 || len(run.Policies) != 1 || run.Policies[0].ID != pid || run.Eligible != 1 || run.By != "科员 (admin)" || run.AsOf != asOf || len(run.Snapshot) != 64 {
		t.Errorf("re-decision run %+v", run)
	}
	ds := allDecisions(t, f.store, run.ID)
	want := eligible[yes]
	if len(ds) != 1 || ds[0].Code != yes || ds[0].AmountFen != want.AmountFen || ds[0].Period != want.Period || string(ds[0].Params) != string(want.Params) ||
		ds[0].Status != policy.DecisionComputed || !pd.Decision.Eligible || pd.Decision.AmountFen != want.AmountFen {
		t.Errorf("re-decided %+v (explained %+v), want as the full run: %+v", ds, pd.Decision, want)
	}

	run, pd, err = f.eng.Redecide(ctx, pid, no, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if run.Eligible != 0 || run.TotalFen != 0 || pd.Decision.Eligible || len(allDecisions(t, f.store, run.ID)) != 0 {
		t.Errorf("an ineligible firm: run %+v, decision %+v", run, pd.Decision)
	}

	_, _, err = f.eng.Redecide(ctx, pid, no, mustDate("2024-06-30")) // before the policy's effective period
	if chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("out of the policy's period: %v, want EINVALID", err)
	}
	_, _, err = f.eng.Redecide(ctx, "no-such-policy", no, asOf)
	if chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("no policy: %v, want ENOTFOUND", err)
	}
	_, _, err = f.eng.Redecide(ctx, pid, "91440101MA59XXXX1X", asOf)
	if chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("no enterprise: %v, want ENOTFOUND", err)
	}
}

// TestRedecideCountsVerdicts: a re-decision counts its enterprise's verdict
// as a run does and stores what a run stores — a needs-data decision with
// the figures it needs, apart from the eligible ones, and a failed decision
// listed as the run's error — and the audit log reconciles it (issue 9,
// points 1 and 2, with engine.Redecide).
func TestRedecideCountsVerdicts(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	f := newFixture(t, 1500, nil)
	v, err := f.store.CreatePolicyVersion(ctx, []byte(verdictsYAML))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.PublishPolicyVersion(ctx, v.PolicyID, v.Version); err != nil {
		t.Fatal(err)
	}
	c, err := policy.Compile(v.Policy)
	if err != nil {
		t.Fatal(err)
	}
	firm := map[policy.Verdict]string{}
	for _, code := range f.codes {
		ent, err := f.store.FindEnterpriseByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if st := c.Evaluate(policy.NewSubject(ent, asOf), asOf).Status; firm[st] == "" {
			firm[st] = code
		}
	}
	if len(firm) != len(policy.Verdicts) {
		t.Fatalf("the demo base gives %v: want a firm of every verdict", firm)
	}
	nd := policy.VerdictNeedsData
	for k, vd := range policy.Verdicts {
		run, pd, err := f.eng.Redecide(ctx, v.PolicyID, firm[vd], asOf)
		if err != nil {
			t.Fatalf("%s: %v", vd, err)
		}
		rp := run.Policies[0]
		got, want := []int{rp.Eligible, rp.NotEligible, rp.NeedsData, rp.Errors}, make([]int, len(policy.Verdicts))
		want[k] = 1
		if pd.Decision.Status != vd || fmt.Sprint(got) != fmt.Sprint(want) || run.NeedsData != want[2] || run.Errors != want[3] {
			t.Errorf("%s: decided %s, counts %v, run needs data %d errors %d; want counts %v", vd, pd.Decision.Status, got, run.NeedsData, run.Errors, want)
		}
		if vd == policy.VerdictError && (len(rp.ErrorSamples) != 1 || rp.ErrorSamples[0].Code != firm[vd] || !strings.Contains(rp.ErrorSamples[0].Message, "division by zero")) {
			t.Errorf("error samples %+v", rp.ErrorSamples)
		}
		if n := len(allDecisions(t, f.store, run.ID)); n != want[0] {
			t.Errorf("%s: %d eligible decisions stored", vd, n)
		}
		needs, n, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, Verdict: &nd})
		if err != nil || n != want[2] {
			t.Fatalf("%s: %d needs-data decisions stored, %v", vd, n, err)
		}
		if n == 1 && (needs[0].Code != firm[vd] || len(needs[0].Needs) != 1 || needs[0].Needs[0].Variable != "e.fy1.revenue" || needs[0].AsOf != asOf) {
			t.Errorf("needs-data decision %+v", needs[0])
		}
		stored, err := f.store.FindRun(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(stored.Policies) != fmt.Sprint(run.Policies) {
			t.Errorf("%s: stored %+v, returned %+v", vd, stored.Policies, run.Policies)
		}
	}
	if rep, err := f.store.VerifyAudit(ctx, nil); err != nil || !rep.OK {
		t.Errorf("VerifyAudit = %+v, %v", rep, err)
	}
}
