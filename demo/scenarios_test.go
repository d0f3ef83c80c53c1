package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/scenario"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestScenarios: the demo's scenarios stand in every state, each marked
// demo data; a review is fully scored and one partly, with a conflict; a
// pilot has milestones done and due; procurements are recorded; the
// judges are accounts; the store's clock is put back; a second run makes
// nothing.
func TestScenarios(t *testing.T) {
	db, s := sqlstoretest.NewWithDB(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	today := testclock.Today()
	if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 500, Seed: 1, AsOf: today}); err != nil {
		t.Fatal(err)
	}
	real := db.Now
	opts := demo.ScenarioOptions{Today: today,
		SetClock: func(at time.Time) { db.Now = func() time.Time { return at } },
		Restore:  func() { db.Now = real }}
	st, err := demo.Scenarios(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range scenario.Statuses {
		if st.ByStatus[x.Status] == 0 {
			t.Errorf("no demo scenario %s: %+v", x.Status, st)
		}
	}
	if db.Now().Sub(real()) > time.Minute || real().Sub(db.Now()) > time.Minute {
		t.Errorf("the clock was not put back")
	}
	list, total, err := s.FindScenarios(ctx, scenario.Filter{Limit: 100})
	if err != nil || total != 12 {
		t.Fatalf("%d scenarios, %v", total, err)
	}
	var complete, partial, milestones, procured int
	for _, x := range list {
		if !x.Demo {
			t.Errorf("scenario %d is not marked demo data", x.ID)
		}
		switch x.Status {
		case scenario.Reviewing:
			if _, err := s.FindRanking(ctx, x.ID, false); err == nil {
				complete++
			} else if r, err := s.FindRanking(ctx, x.ID, true); err == nil && len(r.Incomplete) > 0 {
				partial++
			}
		case scenario.Piloting:
			for _, m := range x.Milestones {
				if m.IsDone() {
					milestones++
				}
			}
		case scenario.Procured:
			if total, err := x.ProcuredFen(); err != nil || total <= 0 {
				t.Errorf("procured scenario %d: %v %v", x.ID, total, err)
			}
			procured++
		}
	}
	if complete == 0 || partial == 0 || milestones == 0 || procured != 2 {
		t.Errorf("reviews complete %d, partial %d; milestones done %d; procured %d", complete, partial, milestones, procured)
	}
	for _, j := range demo.Judges {
		if _, err := s.FindUserByName(ctx, j); err != nil {
			t.Errorf("judge %s: %v", j, err)
		}
	}
	again, err := demo.Scenarios(ctx, s, opts)
	if err != nil || len(again.ByStatus) != 0 {
		t.Errorf("a second run: %+v %v", again, err)
	}
}
