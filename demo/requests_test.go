package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestRequests: the demo's requests stand in every state — waiting,
// in hand, answered, closed — some reopened, some escalated, one closed
// after a callback, each saying 演示数据; a second run raises nothing.
func TestRequests(t *testing.T) {
	db, s := sqlstoretest.NewWithDB(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	today := testclock.Today()
	if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 500, Seed: 1, AsOf: today}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Responsibilities(ctx, s); err != nil {
		t.Fatal(err)
	}
	real := db.Now
	opts := demo.RequestOptions{Today: today, Seed: 1,
		SetClock: func(at time.Time) { db.Now = func() time.Time { return at } },
		Restore:  func() { db.Now = real }}
	st, err := demo.Requests(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range request.Statuses {
		if st.ByStatus[x.Status] == 0 {
			t.Errorf("no demo request %s: %+v", x.Status, st)
		}
	}
	if st.Reopened == 0 || st.Escalated == 0 || st.Callbacks == 0 || st.Rerouted == 0 || st.Issues == 0 {
		t.Errorf("the demo lacks a reopening, an escalation, a callback or a rerouting: %+v", st)
	}
	rs, total, err := s.FindRequests(ctx, request.Filter{Limit: 1000})
	if err != nil || total != demo.DefaultRequests {
		t.Fatalf("%d requests, %v", total, err)
	}
	overdue := 0
	for _, r := range rs {
		if !strings.HasPrefix(r.Title, "演示数据") || !chanye.DemoSource(r.Description) {
			t.Errorf("request %d does not say 演示数据: %q", r.ID, r.Title)
		}
		if r.Clock != nil && r.Clock.Colour == request.Red {
			overdue++
		}
	}
	if overdue == 0 {
		t.Error("no overdue demo request")
	}
	if again, err := demo.Requests(ctx, s, opts); err != nil || len(again.ByStatus) != 0 {
		t.Errorf("a second run: %+v %v", again, err)
	}
	if !db.Now().Equal(real()) {
		t.Error("the clock is not put back")
	}
}
