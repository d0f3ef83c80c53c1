package scorecard_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/scorecard"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// BenchmarkCards builds every scorecard of the demo's 1,246 key projects
// through the guards, as the pages do, and reads the board the warning
// board and the meeting page show (issue 10: ≤ 300 ms a page), on SQLite
// and, when CHANYE_TEST_POSTGRES names a database, on PostgreSQL.
func BenchmarkCards(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlstore.Store
	}{{"sqlite", sqlstoretest.New}, {"postgres", sqlstoretest.NewPostgres}} {
		b.Run(db.name, func(b *testing.B) {
			ctx := chanye.WithActor(context.Background(), chanye.Operator)
			store := db.open(b)
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
			guarded := authz.Projects(store, store)
			sc := &scorecard.Service{Catalog: store, Projects: guarded, Versions: ps.Versions, Runs: ps.Runs, Ledger: ps.Ledger}
			b.Run("cards", func(b *testing.B) {
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
			})
			b.Run("board", func(b *testing.B) {
				var warnings int
				for b.Loop() {
					board, err := guarded.FindBoard(ctx, project.ProjectFilter{AsOf: today})
					if err != nil {
						b.Fatal(err)
					}
					warnings = len(board.Warnings)
				}
				b.ReportMetric(float64(warnings), "warnings")
			})
		})
	}
}
