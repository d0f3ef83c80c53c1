package scorecard_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/scorecard"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// BenchmarkCards builds every scorecard of the demo's 1,246 key projects
// on SQLite, through the guards as the pages do (issue 10: ≤ 300 ms).
func BenchmarkCards(b *testing.B) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(b)
	today := testclock.Today()
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: today, Enterprises: 2000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	cat, err := store.FindCatalog(ctx)
	if err != nil {
		b.Fatal(err)
	}
	stats, err := demo.GenerateProjects(ctx, store, cat, store, demo.ProjectOptions{Seed: 1, AsOf: today})
	if err != nil {
		b.Fatal(err)
	}
	ps := store.PolicyServices()
	sc := &scorecard.Service{Catalog: store, Projects: authz.Projects(store, store), Versions: ps.Versions, Runs: ps.Runs, Ledger: ps.Ledger}
	var cards int
	for b.Loop() {
		cs, err := sc.Cards(ctx, today, scorecard.Kinds...)
		if err != nil {
			b.Fatal(err)
		}
		cards = len(cs)
	}
	b.ReportMetric(float64(stats.Projects), "projects")
	b.ReportMetric(float64(cards), "cards")
}
