package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/shardrun"
	"github.com/chanye-org/chanye/sqlstore"
)

// queueFlags are where the queue of run parts is, for policy run --shards
// and worker.
type queueFlags struct {
	url     *string
	stream  *string
	ackWait *time.Duration
}

func (q *queueFlags) add(fs *flag.FlagSet, cfg Config) {
	url := cfg.Queue
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	q.url = fs.String("queue", url, "分片计算队列（NATS JetStream）/ the queue of run parts, a NATS JetStream server (env CHANYE_QUEUE)")
	q.stream = fs.String("stream", shardrun.DefaultStream, "队列的流名 / the queue's stream name")
	q.ackWait = fs.Duration("ack-wait", shardrun.DefaultAckWait, "分片无心跳多久后重新投递，1s–1h / how long a part may go without a heartbeat before it is delivered again, 1s–1h")
}

func (q *queueFlags) open(ctx context.Context) (*shardrun.Queue, error) {
	return shardrun.Open(ctx, shardrun.Config{URL: *q.url, Stream: *q.stream, AckWait: *q.ackWait})
}

// shardedFlags are policy run's flags for a sharded run.
type shardedFlags struct {
	queueFlags
	shards *int
	wait   *time.Duration
	resume *int64
}

func (s *shardedFlags) add(fs *flag.FlagSet, cfg Config) {
	s.queueFlags.add(fs, cfg)
	s.shards = fs.Int("shards", 0, fmt.Sprintf("分片数，0 为不分片 / shards to decide the run in, 0 for one database (at most %d)", policy.MaxShards))
	s.wait = fs.Duration("wait", 0, "等待全部分片完成的最长时间，0 为不等待 / how long to wait for every part, 0 not to wait")
	s.resume = fs.Int64("resume", 0, "把该批次尚未完成的分片再次放入队列 / queue again the parts of this run not yet stored")
}

func (s *shardedFlags) on() bool { return *s.shards > 0 || *s.resume > 0 }

// runSharded starts (or resumes) a sharded run and, with --wait, waits
// for it; the run it returns is complete only if waited for.
func runSharded(ctx context.Context, cfg Config, store *sqlstore.Store, eng *engine.Engine, asOf chanye.Date, s shardedFlags) (*policy.Run, error) {
	if *s.shards < 0 || *s.shards > policy.MaxShards {
		return nil, fmt.Errorf("--shards 须在 0–%d 之间 / --shards must be 0–%d", policy.MaxShards, policy.MaxShards)
	}
	if *s.wait < 0 {
		return nil, errors.New("--wait 不能为负 / --wait must not be negative")
	}
	q, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	var run *policy.Run
	if *s.resume > 0 {
		n, err := shardrun.Resume(ctx, store, q, *s.resume)
		if err != nil {
			return nil, err
		}
		if run, err = store.FindRun(ctx, *s.resume); err != nil {
			return nil, err
		}
		fmt.Fprintf(cfg.Stdout, "批次 / run %d：再次入队 %d 个分片 / %d parts queued again\n", run.ID, n, n)
	} else {
		if run, err = shardrun.Start(ctx, store, eng, q, asOf, *s.shards); err != nil {
			return nil, err
		}
		fmt.Fprintf(cfg.Stdout, "批次 / run %d  基准日 / as of %s  分片 / parts %d：已入队 / queued\n", run.ID, run.AsOf, run.Parts)
	}
	if *s.wait == 0 {
		return run, nil
	}
	wctx, cancel := context.WithTimeout(ctx, *s.wait)
	defer cancel()
	run, err = shardrun.Wait(wctx, store, run.ID, 200*time.Millisecond, func(r *policy.Run) {
		fmt.Fprintf(cfg.Stderr, "分片完成 / parts stored: %d/%d\n", r.PartsDone, r.Parts)
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return run, fmt.Errorf("批次 %d 在 %s 内未完成（%d/%d 个分片）/ run %d not complete within %s (%d of %d parts)",
			run.ID, *s.wait, run.PartsDone, run.Parts, run.ID, *s.wait, run.PartsDone, run.Parts)
	}
	return run, err
}

const workerHelp = `chanye worker --db COORDINATOR --shards N --shard K=URL [--shard K=URL …] [--queue URL]

分片计算的工作进程（issue 16）：拥有若干分片（--shard K=数据库），常驻各分片的列数据，
从队列（NATS JetStream）领取批次的分片部分，在分片旁计算，并在分片的一个事务中存储该部分
的决定及其记录（重复投递的部分不再存储），然后在协调库（--db）登记；最后一个分片登记时批次
完成，合计为各分片之和。进程被杀时，其分片在确认等待时间后重新投递给同一分片的其他进程。
每个分片库须只含该分片的企业（chanye.ShardOf；chanye demo --shard K/N 生成）。

A worker of sharded runs (issue 16): it owns some shards (--shard K=database),
keeps their columns resident, takes the parts of runs from the queue (NATS
JetStream), decides each next to its data and stores its decisions with the
part's record in one transaction of the shard (a part delivered again is not
stored again), then records it on the coordinator (--db); the run is complete
when its last part is recorded, its totals the sums of the parts'. If the
worker is killed, its part is delivered again after the ack wait to another
worker of the shard. Each shard's database holds that shard's enterprises only
(chanye.ShardOf; chanye demo --shard K/N makes them). Runs until interrupted.
`

// shardList is the repeatable --shard K=URL flag.
type shardList map[int]string

func (l shardList) String() string { return fmt.Sprint(map[int]string(l)) }

func (l shardList) Set(v string) error {
	k, url, ok := strings.Cut(v, "=")
	n, err := strconv.Atoi(k)
	if !ok || err != nil || n < 0 || url == "" {
		return fmt.Errorf("%q 须为 K=数据库 / must be K=database", v)
	}
	if _, dup := l[n]; dup {
		return fmt.Errorf("分片 %d 重复 / shard %d given twice", n, n)
	}
	l[n] = url
	return nil
}

func runWorker(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "worker", workerHelp)
	var qf queueFlags
	qf.add(fs, cfg)
	total := fs.Int("shards", 0, "分片总数 / the shards of the whole registry")
	owned := shardList{}
	fs.Var(owned, "shard", "本进程拥有的分片：K=数据库，可重复 / a shard this worker owns, K=database (repeatable)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *total < 1 || *total > policy.MaxShards {
		return fmt.Errorf("--shards 须在 1–%d 之间 / --shards must be 1–%d", policy.MaxShards, policy.MaxShards)
	}
	if len(owned) == 0 {
		return errors.New("至少一个 --shard K=数据库 / at least one --shard K=database")
	}
	softMemoryLimit()
	db, coord, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	w, closeShards, err := newWorker(ctx, cfg, coord, owned, *total)
	if err != nil {
		return err
	}
	defer closeShards()
	indexes := slices.Sorted(maps.Keys(w.Shards))
	if os.Getenv("CHANYE_WORKER_EXIT_AFTER_STORE") == "1" {
		// Fault injection for the tests: die between storing a part on its
		// shard and recording it on the coordinator.
		w.AfterStore = func(p shardrun.Part) {
			cfg.Logger.Warn("exiting after the part is stored, as CHANYE_WORKER_EXIT_AFTER_STORE asks", "run", p.RunID, "shard", p.Shard)
			os.Exit(3)
		}
	}
	q, err := qf.open(ctx)
	if err != nil {
		return err
	}
	defer q.Close()
	cfg.Logger.Info("worker ready", "shards", indexes, "of", *total, "queue", *qf.url)
	return q.Work(ctx, indexes, cfg.Logger, w.Do)
}

// newWorker opens the shards owned (K=database) of total and returns the
// worker of their parts, and a function that closes them.
func newWorker(ctx context.Context, cfg Config, coord *sqlstore.Store, owned shardList, total int) (*shardrun.Worker, func(), error) {
	w := &shardrun.Worker{Coordinator: coord, Shards: map[int]*shardrun.Shard{}, Total: total, Logger: cfg.Logger}
	var dbs []*sqlstore.DB
	closeAll := func() {
		for _, db := range dbs {
			db.Close()
		}
	}
	for k, url := range owned {
		if k >= total {
			closeAll()
			return nil, nil, fmt.Errorf("分片 %d 超出总数 %d / shard %d is not below --shards %d", k, total, k, total)
		}
		scfg := cfg
		scfg.DB = url
		sdb, sstore, _, err := open(ctx, scfg)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("分片 / shard %d: %w", k, err)
		}
		dbs = append(dbs, sdb)
		w.Shards[k] = shardrun.NewShard(k, total, sstore, coord, cfg.Logger.With("shard", k), cfg.Now)
	}
	return w, closeAll, nil
}
