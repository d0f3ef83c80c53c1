package shardrun

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
)

// Shard is one shard a worker owns: its database and the engine that
// keeps its columns resident between runs.
type Shard struct {
	Index  int
	Store  *sqlstore.Store
	Engine *engine.Engine
}

// NewShard returns shard index of shards, on store (the shard's
// database), its engine reading the policy versions and declared inputs
// from the coordinator (reference data, on every node under Citus): the
// inputs of this shard's firms only.
func NewShard(index, shards int, store, coordinator *sqlstore.Store, log *slog.Logger, now func() time.Time) *Shard {
	return &Shard{Index: index, Store: store, Engine: engine.New(engine.Config{
		Catalog: store, Enterprises: store, Versions: coordinator, Runs: store,
		Inputs:    shardInputs{coordinator, index, shards},
		Snapshots: store, Logger: log, Now: now,
	})}
}

// shardInputs are the declared inputs of one shard's firms.
type shardInputs struct {
	all           policy.InputService
	shard, shards int
}

func (s shardInputs) FindInputs(ctx context.Context, codes ...string) (map[string]*policy.Inputs, error) {
	m, err := s.all.FindInputs(ctx, codes...)
	if err != nil {
		return nil, err
	}
	for code := range m {
		if chanye.ShardOf(code, s.shards) != s.shard {
			delete(m, code)
		}
	}
	return m, nil
}

// Worker decides and stores the parts of its shards.
type Worker struct {
	Coordinator *sqlstore.Store
	Shards      map[int]*Shard
	Total       int // the shards of the whole registry
	Logger      *slog.Logger
	// AfterStore, when set, is called once a part is stored on its shard
	// and before the coordinator records it: the tests' way to kill a
	// worker at the worst moment.
	AfterStore func(Part)
}

// PartResult is what Do did with a part, for the log and the benchmark.
type PartResult struct {
	Part    *policy.RunPart
	Stored  bool // false: stored by an earlier delivery
	Timings engine.Timings
}

// Do decides and stores part p on its shard, unless the shard has it
// already, and records it on the coordinator; the run is complete when its
// last part is recorded. Every step is idempotent, so a part delivered
// again after a crash anywhere in Do is stored exactly once.
func (w *Worker) Do(ctx context.Context, p Part) error {
	_, err := w.Process(ctx, p)
	return err
}

// Process is Do, saying what it did.
func (w *Worker) Process(ctx context.Context, p Part) (*PartResult, error) {
	sh := w.Shards[p.Shard]
	if sh == nil || p.Shards != w.Total {
		return nil, Permanent(chanye.Errorf(chanye.EINVALID, "分片 %d/%d 不属于本进程（本进程：共 %d 片）/ part %d of %d is not this worker's (it has %d shards in all)",
			p.Shard, p.Shards, w.Total, p.Shard, p.Shards, w.Total))
	}
	run, err := w.Coordinator.FindRun(ctx, p.RunID)
	if chanye.ErrorCode(err) == chanye.ENOTFOUND {
		return nil, Permanent(err)
	} else if err != nil {
		return nil, err
	}
	if run.Parts != p.Shards {
		return nil, Permanent(chanye.Errorf(chanye.EINVALID, "批次 %d 分 %d 片，消息为 %d 片 / run %d has %d parts, the message %d", run.ID, run.Parts, p.Shards, run.ID, run.Parts, p.Shards))
	}
	if _, err := w.Coordinator.FindRunPart(ctx, run.ID, p.Shard); err == nil {
		return &PartResult{}, nil // recorded already
	} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return nil, err
	}
	w.Logger.Info("part started", "run", run.ID, "shard", p.Shard)
	res := &PartResult{}
	var decided *engine.Decided
	part, err := sh.Store.FindRunPart(ctx, run.ID, p.Shard)
	if chanye.ErrorCode(err) == chanye.ENOTFOUND {
		if part, decided, err = w.decideAndStore(ctx, sh, run, p, &res.Timings); err != nil {
			return nil, err
		}
		res.Stored = decided != nil
	} else if err != nil {
		return nil, err
	}
	res.Part = part
	if w.AfterStore != nil {
		w.AfterStore(p)
	}
	if _, err := w.Coordinator.CompleteRunPart(ctx, part); err != nil {
		return nil, err
	}
	if decided != nil {
		// The base kept for the next process, once the run has its part.
		t0 := time.Now()
		sh.Engine.Keep(ctx, decided)
		res.Timings.Keep = time.Since(t0)
	}
	w.Logger.Info("part stored", "run", run.ID, "shard", p.Shard, "stored_now", res.Stored, "enterprises", part.Enterprises, "carried", part.Carried,
		"eligible", part.Eligible, "needs_data", part.NeedsData, "total_fen", int64(part.TotalFen), "timings", res.Timings.String())
	return res, nil
}

func (w *Worker) decideAndStore(ctx context.Context, sh *Shard, run *policy.Run, p Part, tm *engine.Timings) (*policy.RunPart, *engine.Decided, error) {
	versions := make([]*policy.Version, 0, len(run.Policies))
	for _, rp := range run.Policies {
		v, err := w.Coordinator.FindPolicyVersion(ctx, rp.ID, rp.Version)
		if err != nil {
			return nil, nil, err
		}
		versions = append(versions, v)
	}
	belongs := func(code string) bool { return chanye.ShardOf(code, p.Shards) == p.Shard }
	d, err := sh.Engine.DecidePart(ctx, run.AsOf, run.Policies, belongs, tm)
	if chanye.ErrorCode(err) == chanye.EINVALID {
		return nil, nil, Permanent(err)
	} else if err != nil {
		return nil, nil, err
	}
	part := &policy.RunPart{Shard: p.Shard, Shards: p.Shards, Enterprises: d.Run.Enterprises, Snapshot: d.Run.Snapshot,
		Policies: d.Run.Policies, BaseSeq: d.BaseSeq()}
	// A daily part explains only the firms whose data changed since the
	// shard's last part, when that part's base is the one this base was
	// refreshed from, and carries the others' decisions inside the
	// database.
	decisions, carry := d.Decisions, (*sqlstore.Carry)(nil)
	prev, err := sh.Store.LastRunPart(ctx)
	if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return nil, nil, err
	}
	if prev != nil && sameVersions(prev.Policies, run.Policies) {
		if again, ds, ok := d.Carry(prev.BaseSeq, prev.AsOf); ok {
			decisions, carry = ds, &sqlstore.Carry{FromRun: prev.RunID, Again: again}
		}
	}
	t0 := time.Now()
	stored, err := sh.Store.StoreRunPart(ctx, run, versions, part, decisions, carry)
	if err != nil {
		return nil, nil, fmt.Errorf("shard %d: %w", p.Shard, err)
	}
	tm.Store = time.Since(t0)
	if !stored { // stored meanwhile by another delivery: its base is not ours to keep
		d = nil
	}
	return part, d, nil
}

// sameVersions reports whether two runs decide the same policy versions.
func sameVersions(a, b []policy.RunPolicy) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Version != b[i].Version {
			return false
		}
	}
	return true
}
