package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// punctWords cuts a text at punctuation and spaces: enough words for the
// demo's product lists without loading a dictionary.
type punctWords struct{}

func (punctWords) Words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }) {
		if len([]rune(w)) >= 2 && !strings.Contains(strings.Join(out, " "), w) {
			out = append(out, w)
		}
	}
	return out
}

// TestMatchmaking: the demo lists supplies and demands marked demo data,
// runs matching and leaves matches in every state, a past fair with
// outcomes and a report, and an upcoming one scheduled; a second run
// makes nothing.
func TestMatchmaking(t *testing.T) {
	db, s := sqlstoretest.NewWithDB(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	today := testclock.Today()
	chains, err := s.FindChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 2000, Seed: 1, AsOf: today, Chains: chains}); err != nil {
		t.Fatal(err)
	}
	real := db.Now
	opts := demo.MatchOptions{Today: today, Words: punctWords{},
		SetClock: func(at time.Time) { db.Now = func() time.Time { return at } },
		Restore:  func() { db.Now = real }}
	st, err := demo.Matchmaking(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Supplies == 0 || st.Demands == 0 || st.Fairs != 2 || st.Meetings == 0 {
		t.Fatalf("demo matchmaking: %+v", st)
	}
	for _, x := range match.MatchStatuses {
		if st.ByStatus[x.Status] == 0 {
			t.Errorf("no demo match %s: %+v", x.Status, st.ByStatus)
		}
	}
	sup, _, err := s.FindSupplies(ctx, match.ListingFilter{Limit: 1000})
	if err != nil || len(sup) != st.Supplies || !sup[0].Demo {
		t.Errorf("supplies: %d %v", len(sup), err)
	}
	fairs, _, err := s.FindEvents(ctx, match.EventFilter{Limit: 10})
	if err != nil || len(fairs) != 2 {
		t.Fatalf("fairs: %+v %v", fairs, err)
	}
	held := 0
	for _, f := range fairs {
		rep, err := s.FindEventReport(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		held += rep.Held
	}
	if held == 0 {
		t.Errorf("no meeting held at the demo's past fair")
	}
	again, err := demo.Matchmaking(ctx, s, opts)
	if err != nil || again.Supplies != 0 {
		t.Errorf("a second run: %+v %v", again, err)
	}
}
