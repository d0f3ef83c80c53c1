package engine_test

import (
	"context"
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
