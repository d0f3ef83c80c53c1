package shardrun

import (
	"context"
	"fmt"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
)

// Start creates on the coordinator a run of the published policies in
// force on asOf (today when zero), decided in shards parts, and puts its
// parts on the queue. A run whose parts could not all be published is
// stored all the same: Resume publishes them.
func Start(ctx context.Context, coordinator *sqlstore.Store, eng *engine.Engine, q *Queue, asOf chanye.Date, shards int) (*policy.Run, error) {
	asOf, pols, err := eng.Plan(ctx, asOf)
	if err != nil {
		return nil, err
	}
	run := &policy.Run{AsOf: asOf, Policies: pols}
	if err := coordinator.CreateShardedRun(ctx, run, shards); err != nil {
		return nil, err
	}
	if _, err := Resume(ctx, coordinator, q, run.ID); err != nil {
		return run, fmt.Errorf("批次 %d 已建立，分片未能全部入队，请用 --resume %d 重试 / run %d created but not all its parts queued; retry with --resume %d: %w",
			run.ID, run.ID, run.ID, run.ID, err)
	}
	return run, nil
}

// Resume puts on the queue the parts of a run not yet recorded on the
// coordinator (the queue drops those it holds already) and returns how
// many it published.
func Resume(ctx context.Context, coordinator *sqlstore.Store, q *Queue, runID int64) (int, error) {
	run, err := coordinator.FindRun(ctx, runID)
	if err != nil {
		return 0, err
	}
	if run.Parts == 0 {
		return 0, chanye.Errorf(chanye.EINVALID, "批次 %d 不是分片计算 / run %d is not sharded", run.ID, run.ID)
	}
	done, err := coordinator.FindRunParts(ctx, run.ID)
	if err != nil {
		return 0, err
	}
	have := map[int]bool{}
	for _, p := range done {
		have[p.Shard] = true
	}
	n := 0
	for shard := range run.Parts {
		if have[shard] {
			continue
		}
		if err := q.Publish(ctx, Part{RunID: run.ID, Shard: shard, Shards: run.Parts}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Wait polls the coordinator every poll until the run is complete or ctx
// ends, calling progress (when set) each time the parts done change.
func Wait(ctx context.Context, coordinator *sqlstore.Store, runID int64, poll time.Duration, progress func(*policy.Run)) (*policy.Run, error) {
	last := -1
	for {
		run, err := coordinator.FindRun(ctx, runID)
		if err != nil {
			return nil, err
		}
		if run.PartsDone != last && progress != nil {
			progress(run)
		}
		last = run.PartsDone
		if run.Complete() {
			return run, nil
		}
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-time.After(poll):
		}
	}
}
