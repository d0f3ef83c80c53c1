package sqlstore_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestWarnings1246FromStore reads the warning board of the 1,246 demo
// projects with their nodes and report histories from SQLite, evaluated
// with the stored rules, and the red list agrees with it. What it costs is
// BenchmarkCards' to show (scorecard), not a timed test's.
func TestWarnings1246FromStore(t *testing.T) {
	if testing.Short() {
		t.Skip("demo base")
	}
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: testclock.Today(), Enterprises: 2000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	cat, err := store.FindCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	asOf := testclock.Today()
	stats, err := demo.GenerateProjects(ctx, store, cat, store, demo.ProjectOptions{Seed: 1, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := store.FindWarnings(ctx, project.ProjectFilter{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	reds, total, err := store.FindProjects(ctx, project.ProjectFilter{AsOf: asOf, Colour: ptr(project.Red), Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	colours := map[project.Colour]int{}
	cs := project.Colours(ws)
	for range stats.Projects - len(cs) {
		colours[project.Green]++
	}
	for _, c := range cs {
		colours[c]++
	}
	t.Logf("%d projects: %d warnings (%v); red list page of %d/%d", stats.Projects, len(ws), colours, len(reds), total)
	if total != colours[project.Red] || total == 0 || len(reds) != min(total, 50) {
		t.Errorf("red list %d of %d, board counts %d red", len(reds), total, colours[project.Red])
	}
}

func ptr[T any](v T) *T { return &v }
