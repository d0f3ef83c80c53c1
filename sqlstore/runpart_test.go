package sqlstore

import (
	"context"
	"iter"
	"os"
	"path/filepath"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// forEachDBTrio runs fn on three fresh databases of each kind: a
// coordinator and two shards (SQLite files; PostgreSQL schemas).
func forEachDBTrio(t *testing.T, fn func(t *testing.T, coord, s0, s1 *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		open := func(name string) *DB { return openTestDB(t, filepath.Join(dir, name+".db")) }
		fn(t, open("coord"), open("shard0"), open("shard1"))
	})
	if dsn := os.Getenv("CHANYE_TEST_POSTGRES"); dsn != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			open := func() *DB { return openTestDB(t, postgresSchema(t, dsn)) }
			fn(t, open(), open(), open())
		})
	}
}

// failing is a stream of decisions that must not be read.
func failing(t *testing.T) iter.Seq2[*policy.StoredDecision, error] {
	return func(func(*policy.StoredDecision, error) bool) { t.Error("a part stored already read its decisions again") }
}

func TestRunParts(t *testing.T) {
	forEachDBTrio(t, func(t *testing.T, cdb, db0, db1 *DB) {
		ctx := as(context.Background(), "runner")
		coord, shard0, shard1 := newStore(t, cdb), newStore(t, db0), newStore(t, db1)
		version := publishedPolicy(t, coord)
		v, err := coord.FindPolicyVersion(ctx, testPolicyID, version)
		if err != nil {
			t.Fatal(err)
		}
		run := &policy.Run{AsOf: chanye.DateOf(today), Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}
		if err := coord.CreateShardedRun(ctx, run, 2); err != nil {
			t.Fatal(err)
		}
		if run.Parts != 2 || run.Complete() {
			t.Fatalf("new run: parts %d, complete %v", run.Parts, run.Complete())
		}

		// Shard 0: two eligible firms of 10, 8 not eligible.
		part0 := &policy.RunPart{Shard: 0, Shards: 2, Enterprises: 10, Snapshot: "s0",
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version, NotEligible: 8}}}
		stored, err := shard0.StoreRunPart(ctx, run, []*policy.Version{v}, part0,
			decisions(eligible(version, code(t, 1), "440103", 100_00), eligible(version, code(t, 2), "440106", 250_00)))
		if err != nil || !stored {
			t.Fatalf("StoreRunPart = %v, %v", stored, err)
		}
		if part0.Eligible != 2 || part0.TotalFen != 350_00 || len(part0.Totals) == 0 {
			t.Fatalf("part 0 = %+v", part0)
		}
		// Delivered again: nothing stored, the stored record returned.
		again := &policy.RunPart{Shard: 0, Shards: 2, Enterprises: 10, Snapshot: "other",
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}
		if stored, err := shard0.StoreRunPart(ctx, run, []*policy.Version{v}, again, failing(t)); err != nil || stored {
			t.Fatalf("StoreRunPart again = %v, %v; want false, nil", stored, err)
		}
		if again.Snapshot != "s0" || again.TotalFen != 350_00 {
			t.Errorf("the part delivered again reads %+v, not the stored one", again)
		}
		if _, n, err := shard0.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID}); err != nil || n != 2 {
			t.Errorf("shard 0 holds %d decisions of the run (%v), want 2", n, err)
		}

		// The coordinator records it, once.
		for range 2 {
			r, err := coord.CompleteRunPart(ctx, part0)
			if err != nil {
				t.Fatal(err)
			}
			if r.PartsDone != 1 || r.Complete() || r.Eligible != 0 {
				t.Fatalf("after part 0: done %d, complete %v, eligible %d", r.PartsDone, r.Complete(), r.Eligible)
			}
		}
		if _, err := coord.Publicise(ctx, run.ID, testPolicyID, 5); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("publicising an incomplete run: %v, want EINVALID", err)
		}
		if _, err := coord.CompleteRunPart(ctx, &policy.RunPart{RunID: run.ID, Shard: 2, Shards: 3}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("a part of another shard map: %v, want EINVALID", err)
		}

		// Shard 1: one eligible firm of 5, one in error.
		part1 := &policy.RunPart{Shard: 1, Shards: 2, Enterprises: 5, Snapshot: "s1",
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version, NotEligible: 3, Errors: 1,
				ErrorSamples: []policy.RunError{{Code: code(t, 9), Message: "boom"}}}}}
		if _, err := shard1.StoreRunPart(ctx, run, []*policy.Version{v}, part1, decisions(eligible(version, code(t, 3), "440103", 1_00))); err != nil {
			t.Fatal(err)
		}
		r, err := coord.CompleteRunPart(ctx, part1)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Complete() || r.Enterprises != 15 || r.Eligible != 3 || r.TotalFen != 351_00 || r.Errors != 1 {
			t.Fatalf("complete run = %+v", r)
		}
		rp := r.Policies[0]
		if rp.NotEligible != 11 || rp.Eligible != 3 || len(rp.ErrorSamples) != 1 || rp.ErrorSamples[0].Message != "boom" {
			t.Errorf("the run's policy = %+v", rp)
		}
		totals, err := coord.FindRunTotals(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		byDistrict := map[string]chanye.Fen{}
		for _, tt := range totals {
			if tt.Dimension == policy.DimDistrict {
				byDistrict[tt.Key] += tt.AmountFen
			}
		}
		if byDistrict["440103"] != 101_00 || byDistrict["440106"] != 250_00 {
			t.Errorf("totals by district = %v, want the parts' sums", byDistrict)
		}

		// Each database's chain verifies and reconciles on its own.
		for name, s := range map[string]*Store{"coordinator": coord, "shard 0": shard0, "shard 1": shard1} {
			rep, err := s.VerifyAudit(ctx, nil)
			if err != nil || !rep.OK {
				t.Errorf("%s: audit %+v, %v", name, rep, err)
			}
		}
	})
}
