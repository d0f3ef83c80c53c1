package engine_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
)

// TestAcceptedApplicationDecides: a manufacturer with no retrofit figures
// needs data in a run, listing the figures with their labels, and is never
// paid; once its application is accepted, a re-decision and the next run
// read the accepted values and decide it eligible with the amount to the
// fen.
func TestAcceptedApplicationDecides(t *testing.T) {
	f := newFixture(t, 200, nil)
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store, Inputs: f.store})
	ctx := as(context.Background(), "runner")
	const pid = "gz-tech-retrofit"
	run, err := eng.Run(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var code string
	nd, pidv := policy.VerdictNeedsData, pid
	needing, _, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, PolicyID: &pidv, Verdict: &nd, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range append(needing, allDecisions(t, f.store, run.ID)...) {
		if d.PolicyID != pid {
			continue
		}
		if d.Eligible || d.AmountFen != 0 {
			t.Fatalf("%s eligible for %d fen with no figures", d.Code, d.AmountFen)
		}
		if code == "" {
			code = d.Code
			if len(d.Needs) != 3 || d.Needs[0].Variable != "input.equipment_investment" || d.Needs[0].LabelZH != "设备投资额" || !d.Needs[0].Input {
				t.Errorf("needs %+v, want the three inputs with their labels", d.Needs)
			}
		}
	}
	if code == "" {
		t.Fatalf("no firm needs data for the retrofit policy: %+v", run.Policies)
	}
	app, err := f.store.SaveApplication(ctx, &policy.Application{PolicyID: pid, Code: code, Values: map[string]any{
		"equipment_investment": int64(12_345_678_901), "plant_investment": int64(0), "finished_on": mustDate("2025-06-30")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []policy.AppStatus{policy.AppSubmitted, policy.AppAccepted} {
		if _, err := f.store.MoveApplication(ctx, app.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, pd, err := eng.Redecide(ctx, pid, code, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if !pd.Decision.Eligible || pd.Decision.AmountFen != 2_469_135_780 {
		t.Errorf("after acceptance: %s %s, want eligible 24691357.80", pd.Decision.Status, pd.Decision.AmountFen.Yuan())
	}
	run, err = eng.Run(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range allDecisions(t, f.store, run.ID) {
		if d.PolicyID == pid && d.Code == code {
			found = d.Eligible && d.AmountFen == 2_469_135_780
		}
	}
	if !found {
		t.Errorf("the next run does not decide %s eligible for 24691357.80", code)
	}
	if rep, err := f.store.VerifyAudit(context.Background(), nil); err != nil || !rep.OK {
		t.Errorf("audit verify = %+v, %v", rep, err)
	}
}
