package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestWarnings1246FromStore times what the warning board costs end to end:
// the 1,246 demo projects with their nodes and report histories read from
// SQLite and evaluated with the stored rules.
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
	asOf := chanye.DateOf(time.Now())
	stats, err := demo.GenerateProjects(ctx, store, cat, store, demo.ProjectOptions{Seed: 1, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ws, err := store.FindWarnings(ctx, project.ProjectFilter{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	board := time.Since(start)
	start = time.Now()
	reds, total, err := store.FindProjects(ctx, project.ProjectFilter{AsOf: asOf, Colour: ptr(project.Red), Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	list := time.Since(start)
	colours := map[project.Colour]int{}
	cs := project.Colours(ws)
	for range stats.Projects - len(cs) {
		colours[project.Green]++
	}
	for _, c := range cs {
		colours[c]++
	}
	t.Logf("%d projects: %d warnings (%v) read and evaluated in %v; red list page of %d/%d in %v",
		stats.Projects, len(ws), colours, board, len(reds), total, list)
	if total != colours[project.Red] {
		t.Errorf("red list total %d, board counts %d red", total, colours[project.Red])
	}
	if board > time.Second {
		t.Errorf("warning board took %v, want well under a second", board)
	}
}

func ptr[T any](v T) *T { return &v }
