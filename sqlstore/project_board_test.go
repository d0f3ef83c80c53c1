package sqlstore_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestFindBoardEqualsPerProjectReads: the batch read gives, for the demo's
// 1,246 projects and for selections small enough to be read by id, the
// projects and colours of FindProjects, the warnings of FindWarnings and
// each project's nodes as FindNodes reads them one project at a time —
// also right after a node and a report are written.
func TestFindBoardEqualsPerProjectReads(t *testing.T) {
	if testing.Short() {
		t.Skip("demo base")
	}
	sqlstoretest.ForEachDB(t, func(t *testing.T, store *sqlstore.Store) {
		ctx := chanye.WithActor(context.Background(), chanye.Operator)
		today := testclock.Today()
		if _, err := demo.Generate(ctx, store, demo.Options{AsOf: today, Enterprises: 2000, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		cat, err := store.FindCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stats, err := demo.GenerateProjects(ctx, store, cat, store, demo.ProjectOptions{Seed: 1, AsOf: today})
		if err != nil {
			t.Fatal(err)
		}
		all, _, err := store.FindProjects(ctx, project.ProjectFilter{AsOf: today, Limit: 1000})
		if err != nil || len(all) == 0 {
			t.Fatalf("FindProjects: %d, %v", len(all), err)
		}
		owner, ind, dept := all[7].OwnerCode, all[3].IndustryID, all[5].EffectiveOwners(cat.Industry(all[5].IndustryID)).Department
		filters := map[string]project.ProjectFilter{
			"all":                  {AsOf: today},
			"all, half a year ago": {AsOf: chanye.DateOf(today.AddDate(0, -6, 0))},
			"industry":             {AsOf: today, IndustryID: &ind},
			"department":           {AsOf: today, Department: &dept},
			"owner":                {AsOf: today, OwnerCode: &owner},
			"ids":                  {AsOf: today, IDs: []string{all[0].ID, all[1].ID, all[len(all)-1].ID, "no-such-project"}},
			"none":                 {AsOf: today, IDs: []string{}},
		}
		check := func(t *testing.T, name string, f project.ProjectFilter) {
			t.Helper()
			b, err := store.FindBoard(ctx, f)
			if err != nil {
				t.Fatalf("%s: FindBoard: %v", name, err)
			}
			var want []*project.Project
			for off := 0; ; {
				page := f
				page.Offset, page.Limit = off, 1000
				ps, total, err := store.FindProjects(ctx, page)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, ps...)
				if off += len(ps); len(ps) == 0 || off >= total {
					break
				}
			}
			if want == nil {
				want = []*project.Project{}
			}
			if !reflect.DeepEqual(b.Projects, want) {
				t.Errorf("%s: board has %d projects, FindProjects %d, or they differ", name, len(b.Projects), len(want))
			}
			ws, err := store.FindWarnings(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(b.Warnings, ws) {
				t.Errorf("%s: board has %d warnings, FindWarnings %d, or they differ", name, len(b.Warnings), len(ws))
			}
			if len(b.Nodes) != len(want) {
				t.Errorf("%s: nodes of %d projects, want %d", name, len(b.Nodes), len(want))
			}
			for _, p := range want {
				ns, err := store.FindNodes(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got, ok := b.Nodes[p.ID]; !ok || !reflect.DeepEqual(got, ns) {
					t.Errorf("%s: nodes of %s: board %d, FindNodes %d, or they differ", name, p.ID, len(got), len(ns))
				}
			}
		}
		for name, f := range filters {
			check(t, name, f)
		}
		if b, _ := store.FindBoard(ctx, filters["all"]); len(b.Projects) != stats.Projects || len(b.Warnings) == 0 {
			t.Fatalf("board of all: %d projects, %d warnings; want %d projects and some warnings", len(b.Projects), len(b.Warnings), stats.Projects)
		}

		// A node done and a report made are seen by the next read.
		p := all[3]
		ns, err := store.FindNodes(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var seq int
		for _, n := range ns {
			if n.ActualDate.IsZero() && n.PlannedDate.Before(today.Time) {
				seq = n.Seq
				break
			}
		}
		if seq > 0 {
			if _, err := store.PutNode(ctx, p.ID, seq, project.NodeUpdate{ActualDate: &today}); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: testclock.Month(-1), InvestedFen: 1,
			CumulativeFen: p.TotalInvestmentFen, ProgressPct: 99}); err != nil {
			t.Fatal(err)
		}
		check(t, "after writes", filters["all"])
		check(t, "industry after writes", filters["industry"])
	})
}
