package engine_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
)

// fakeInputs holds declared inputs' values the test changes at will.
type fakeInputs struct {
	mu sync.Mutex
	m  map[string]*policy.Inputs
}

func (f *fakeInputs) FindInputs(_ context.Context, codes ...string) (map[string]*policy.Inputs, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(codes) == 0 {
		return maps.Clone(f.m), nil
	}
	out := map[string]*policy.Inputs{}
	for _, c := range codes {
		if v, ok := f.m[c]; ok {
			out[c] = v
		}
	}
	return out, nil
}

func (f *fakeInputs) set(code string, ins *policy.Inputs) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ins == nil {
		delete(f.m, code)
		return
	}
	f.m[code] = ins
}

// codeAfter returns a valid credit code that sorts right after code.
func codeAfter(t *testing.T, code string) string {
	t.Helper()
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := code[8:16]
	for pos := 7; pos >= 0; pos-- {
		for _, ch := range chars {
			if byte(ch) <= body[pos] {
				continue
			}
			nb := body[:pos] + string(ch) + "00000000"[:7-pos]
			oc, err := uscc.OrgCheckChar(nb)
			if err != nil {
				continue
			}
			if c, err := uscc.Complete(code[:8] + nb + string(oc)); err == nil && c > code {
				return c
			}
		}
	}
	t.Fatalf("no code after %s", code)
	return ""
}

// The base the engine keeps and refreshes is, after every kind of write,
// on other days of the year and when read back from the store by another
// process, the base a fresh read gives — same rows, columns and inputs
// (the snapshot hashes them all) — without reading the whole base again;
// and a run on it stores what a fresh engine's run stores.
func TestResidentBaseEqualsFresh(t *testing.T) {
	sqlstoretest.ForEachDB(t, func(t *testing.T, store *sqlstore.Store) {
		ctx := as(context.Background(), "tester")
		f := newFixtureOn(t, store, 600, nil)
		ins := &fakeInputs{m: map[string]*policy.Inputs{}}
		cfg := engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store, Inputs: ins}
		fresh := func() *engine.Engine { return engine.New(cfg) } // reads the whole base
		cfg.Snapshots = store
		eng := engine.New(cfg)
		check := func(e *engine.Engine, step string, day chanye.Date, loads int64) {
			t.Helper()
			got, err := e.BaseSnapshot(ctx, day)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			want, err := fresh().FreshSnapshot(ctx, day)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: the kept base differs from a fresh read (%s, want %s)", step, got[:12], want[:12])
			}
			if n := e.Loads(); n != loads {
				t.Errorf("%s: %d whole reads of the base, want %d", step, n, loads)
			}
		}
		check(eng, "first", asOf, 1)
		check(eng, "nothing changed", asOf, 1)

		c := f.codes
		if _, err := store.PutFacts(ctx, c[10], []*chanye.Facts{{Year: 2025, Source: "test", AsOf: mustDate("2026-04-30"), Revenue: ptr(chanye.Fen(987654321)), Employees: ptr(int64(77))}}); err != nil {
			t.Fatal(err)
		}
		check(eng, "facts", asOf, 1)
		if _, err := store.PutTier(ctx, c[20], chanye.Tier{Kind: chanye.TierLittleGiant, Level: chanye.LevelNational, From: mustDate("2026-03-01"), Source: "test"}); err != nil {
			t.Fatal(err)
		}
		check(eng, "tier added", asOf, 1)
		if _, err := store.DeleteTier(ctx, c[20], chanye.TierLittleGiant, mustDate("2026-03-01")); err != nil {
			t.Fatal(err)
		}
		check(eng, "tier removed", asOf, 1)
		if _, err := store.UpdateEnterprise(ctx, c[30], chanye.EnterpriseUpdate{DistrictCode: ptr("440106"), Industries: &[]string{"software-internet"}}); err != nil {
			t.Fatal(err)
		}
		check(eng, "enterprise row", asOf, 1)
		for _, at := range []string{c[0], c[300], c[len(c)-1]} { // new rows among, before none of and after all the others
			nc := codeAfter(t, at)
			if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: nc, Name: "新设企业" + nc[12:], DistrictCode: "440112",
				IndustryClass: "3562", Founded: mustDate("2019-07-15")}); err != nil {
				t.Fatal(err)
			}
			if _, err := store.PutFacts(ctx, nc, []*chanye.Facts{{Year: 2025, Source: "test", AsOf: mustDate("2026-04-30"), Revenue: ptr(chanye.Fen(5e9))}}); err != nil {
				t.Fatal(err)
			}
		}
		check(eng, "new enterprises", asOf, 1)
		ins.set(c[40], &policy.Inputs{Project: map[string]any{"investment": int64(3e10)}})
		ins.set(c[41], &policy.Inputs{Applied: map[string]map[string]any{"gz-x": {"employees": int64(12)}}})
		check(eng, "inputs given", asOf, 1)
		ins.set(c[40], &policy.Inputs{Project: map[string]any{"investment": int64(4e10)}})
		ins.set(c[41], nil)
		check(eng, "inputs changed and gone", asOf, 1)
		for _, d := range []string{"2026-08-15", "2026-07-20", "2026-08-31", "2026-06-30"} {
			check(eng, "day "+d, mustDate(d), 1) // anniversaries and tiers turn, some weeks apart: no whole read
		}

		// Another process finds the base the run stored and refreshes it.
		run, err := eng.Run(ctx, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.PutFacts(ctx, c[50], []*chanye.Facts{{Year: 2025, Source: "test", AsOf: mustDate("2026-06-30"), Revenue: ptr(chanye.Fen(123)), RDSpending: ptr(chanye.Fen(100))}}); err != nil {
			t.Fatal(err)
		}
		next := engine.New(cfg)
		check(next, "stored base, refreshed", asOf, 0)
		got, err := next.Run(ctx, asOf)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fresh().Run(ctx, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if got.Snapshot != want.Snapshot || got.TotalFen != want.TotalFen || got.Eligible != want.Eligible || got.NeedsData != want.NeedsData {
			t.Errorf("run on the kept base: %s %d fen, %d eligible, %d need data; fresh: %s %d fen, %d, %d",
				got.Snapshot[:12], got.TotalFen, got.Eligible, got.NeedsData, want.Snapshot[:12], want.TotalFen, want.Eligible, want.NeedsData)
		}
		if got.Snapshot == run.Snapshot {
			t.Error("the snapshot did not change with the facts")
		}
		decided := func(id int64) map[string]string {
			out := map[string]string{}
			for _, d := range allDecisions(t, store, id) {
				out[d.PolicyID+"/"+d.Code] = fmt.Sprintf("%s %d %v", d.Verdict, d.AmountFen, d.Needs)
			}
			return out
		}
		if a, b := decided(got.ID), decided(want.ID); !maps.Equal(a, b) {
			t.Errorf("decisions on the kept base differ from a fresh run's: %d and %d", len(a), len(b))
		}

		// A change to most rows reads the whole base rather than each by key.
		for _, code := range c[:len(c)/3] {
			if _, err := store.PutFacts(ctx, code, []*chanye.Facts{{Year: 2025, Source: "bulk", AsOf: mustDate("2026-06-30"), Employees: ptr(int64(5))}}); err != nil {
				t.Fatal(err)
			}
		}
		check(next, "a third of the rows changed", asOf, 1)

		// Another year reads the whole base.
		check(next, "next year", mustDate("2027-01-04"), 2)
	})
}

func ptr[T any](v T) *T { return &v }
