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
// coordinator and two shards (SQLite files; PostgreSQL databases).
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
			open := func() *DB { return openTestDB(t, migratedPostgres(t, dsn)) }
			fn(t, open(), open(), open())
		})
	}
}

// failing is a stream of decisions that must not be read.
func failing(t *testing.T) iter.Seq2[*policy.StoredDecision, error] {
	return func(func(*policy.StoredDecision, error) bool) {
		t.Error("a part stored already read its decisions again")
	}
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
			decisions(eligible(version, code(t, 1), "440103", 100_00), eligible(version, code(t, 2), "440106", 250_00)), nil)
		if err != nil || !stored {
			t.Fatalf("StoreRunPart = %v, %v", stored, err)
		}
		if part0.Eligible != 2 || part0.TotalFen != 350_00 || len(part0.Totals) == 0 {
			t.Fatalf("part 0 = %+v", part0)
		}
		// Delivered again: nothing stored, the stored record returned.
		again := &policy.RunPart{Shard: 0, Shards: 2, Enterprises: 10, Snapshot: "other",
			Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}
		if stored, err := shard0.StoreRunPart(ctx, run, []*policy.Version{v}, again, failing(t), nil); err != nil || stored {
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
		if _, err := shard1.StoreRunPart(ctx, run, []*policy.Version{v}, part1, decisions(eligible(version, code(t, 3), "440103", 1_00)), nil); err != nil {
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

func TestRunPartCarry(t *testing.T) {
	forEachDBTrio(t, func(t *testing.T, cdb, db0, _ *DB) {
		ctx := as(context.Background(), "runner")
		coord, shard := newStore(t, cdb), newStore(t, db0)
		version := publishedPolicy(t, coord)
		v, err := coord.FindPolicyVersion(ctx, testPolicyID, version)
		if err != nil {
			t.Fatal(err)
		}
		newRun := func() *policy.Run {
			run := &policy.Run{AsOf: chanye.DateOf(today), Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version}}}
			if err := coord.CreateShardedRun(ctx, run, 1); err != nil {
				t.Fatal(err)
			}
			return run
		}
		needs := &policy.StoredDecision{PolicyID: testPolicyID, Version: version, Code: code(t, 4), Name: "企业4", District: "440103",
			Industries: []string{"auto"}, Size: "small", Period: 2025, Verdict: policy.VerdictNeedsData,
			Needs: []policy.Need{{Variable: "e.fy1.equipment_purchases", LabelZH: "设备购置", LabelEN: "equipment", FiscalYear: 2024}}}
		first := newRun()
		part1 := &policy.RunPart{Shards: 1, Enterprises: 4, Snapshot: "a", BaseSeq: 7, Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version, NotEligible: 1}}}
		if _, err := shard.StoreRunPart(ctx, first, []*policy.Version{v}, part1, decisions(eligible(version, code(t, 1), "440103", 100_00),
			eligible(version, code(t, 2), "440106", 250_00), eligible(version, code(t, 3), "440106", 5_00), needs), nil); err != nil {
			t.Fatal(err)
		}
		last, err := shard.LastRunPart(ctx)
		if err != nil || last.RunID != first.ID || last.BaseSeq != 7 || last.AsOf != chanye.DateOf(today) {
			t.Fatalf("LastRunPart = %+v, %v", last, err)
		}

		// The next day's part: firm 1's amount changed, firm 3 is no longer
		// eligible; 2 and the needs-data firm 4 are carried.
		second := newRun()
		part2 := &policy.RunPart{Shards: 1, Enterprises: 4, Snapshot: "b", BaseSeq: 9, Policies: []policy.RunPolicy{{ID: testPolicyID, Version: version, NotEligible: 2}}}
		carry := &Carry{FromRun: first.ID, Again: []string{code(t, 1), code(t, 3)}}
		if _, err := shard.StoreRunPart(ctx, second, []*policy.Version{v}, part2, decisions(eligible(version, code(t, 1), "440103", 120_00)), carry); err != nil {
			t.Fatal(err)
		}
		if part2.Carried != 2 || part2.CarriedFrom != first.ID || part2.Eligible != 2 || part2.TotalFen != 370_00 || part2.NeedsData != 1 {
			t.Fatalf("part 2 = carried %d from %d, eligible %d, %d fen, needs %d; want 2 from %d, 2, 37000, 1",
				part2.Carried, part2.CarriedFrom, part2.Eligible, part2.TotalFen, part2.NeedsData, first.ID)
		}
		ds, _, err := shard.FindDecisions(ctx, policy.DecisionFilter{RunID: &second.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]chanye.Fen{}
		for _, d := range ds {
			got[d.Code] = d.AmountFen
			if d.Status != policy.DecisionComputed {
				t.Errorf("%s carried as %s", d.Code, d.Status)
			}
		}
		if len(got) != 2 || got[code(t, 1)] != 120_00 || got[code(t, 2)] != 250_00 {
			t.Errorf("run 2's decisions = %v; want firm 1 at 12000 (decided again) and firm 2 at 25000 (carried)", got)
		}
		byDistrict := map[string]chanye.Fen{}
		for _, tt := range part2.Totals {
			if tt.Dimension == policy.DimDistrict {
				byDistrict[tt.Key] = tt.AmountFen
			}
		}
		if byDistrict["440103"] != 120_00 || byDistrict["440106"] != 250_00 {
			t.Errorf("part 2's totals by district = %v", byDistrict)
		}
		if rep, err := shard.VerifyAudit(ctx, nil); err != nil || !rep.OK {
			t.Errorf("shard audit %+v, %v", rep, err)
		}
	})
}
