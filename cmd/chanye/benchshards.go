package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/shardrun"
	"github.com/chanye-org/chanye/sqlstore"
)

const benchShardsHelp = `chanye bench shards --db COORDINATOR --shards N --shard K=URL [--shard K=URL …] [--runs R] [--changed PCT] [--policies P]

分片计算的基准测试（issue 16）：与 chanye worker 相同的代码路径，在本进程中对每个分片的部分
依次（--parallel 则同时）计算并存储，逐次逐片列出：基准数据从何而来、重读的企业数、读取、判定、
存储（COPY）、为下次保存基准数据的用时，以及每片的读取速率（企业/秒）、判定速率（企业×政策/秒）、
存储速率（决定/秒）与列数据内存。第 2 次起每次先在每个分片改动 --changed% 的企业（不计时），
即每日增量。同时在分片 0 上反复读取单个企业（企业页面的读取），比较空闲时与计算时的延迟。
会在协调库与分片库中存储批次，请在副本上运行。

Times sharded runs through the worker's own code path, one part at a time
(--parallel: all at once), and prints per run and shard where the base came
from, the rows read again, the time to read, decide, store (COPY) and keep the
base, and per shard the read rate (enterprises/s), decide rate (enterprises ×
policies/s), store rate (decisions/s) and column memory. From the second run,
--changed percent of each shard's enterprises are changed first (not timed): a
daily incremental run. Meanwhile one enterprise at a time is read on shard 0
(what an enterprise's page reads), idle and during the runs, to compare. The
runs are stored on the coordinator and the shards: run it on copies.
`

func runBenchShards(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "bench shards", benchShardsHelp)
	total := fs.Int("shards", 0, "分片总数 / the shards of the whole registry")
	owned := shardList{}
	fs.Var(owned, "shard", "分片：K=数据库，可重复 / a shard, K=database (repeatable)")
	runs := fs.Int("runs", 2, "运行次数 / runs, 1–20")
	changed := fs.Float64("changed", 1, "第 2 次起每次改动的企业百分比 / percent of each shard's enterprises changed before each run after the first, 0–100")
	npol := fs.Int("policies", 0, "发布副本直到有 N 项已发布政策，0 不发布 / publish copies until N policies are published, 0 for none (at most 1000)")
	parallel := fs.Bool("parallel", false, "各分片同时计算 / decide the parts all at once")
	asOfS := fs.String("as-of", "", "基准日 / as-of date (YYYY-MM-DD), default today")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *total < 1 || *total > policy.MaxShards:
		return fmt.Errorf("--shards 须在 1–%d 之间 / --shards must be 1–%d", policy.MaxShards, policy.MaxShards)
	case len(owned) != *total:
		return fmt.Errorf("须给出全部 %d 个分片的 --shard / give --shard for each of the %d shards", *total, *total)
	case *runs < 1 || *runs > 20:
		return errors.New("--runs 须在 1–20 之间 / --runs must be 1–20")
	case *changed < 0 || *changed > 100:
		return errors.New("--changed 须在 0–100 之间 / --changed must be 0–100")
	case *npol < 0 || *npol > 1000:
		return errors.New("--policies 须在 0–1000 之间 / --policies must be 0–1000")
	}
	asOf, err := dateFlag(*asOfS)
	if err != nil {
		return err
	}
	softMemoryLimit()
	db, coord, eng, err := newEngine(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if *npol > 0 {
		if _, err := publishCopies(ctx, coord, *npol); err != nil {
			return err
		}
	}
	w, closeShards, err := newWorker(ctx, cfg, coord, owned, *total)
	if err != nil {
		return err
	}
	defer closeShards()
	asOf, pols, err := eng.Plan(ctx, asOf)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "分片 / shards %d  政策 / policies %d  基准日 / as of %s  %s\n", *total, len(pols), asOf, map[bool]string{true: "同时 / parallel", false: "依次 / one at a time"}[*parallel])

	probe, err := newPageProbe(ctx, w.Shards[0].Store)
	if err != nil {
		return err
	}
	idle := probe.measure(ctx, 2*time.Second)

	tw := tabwriter.NewWriter(cfg.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "次 run\t片 shard\t基准 base\t重读 reread\t企业 enterprises\t决定 decisions\t带入 carried\t读取 read\t判定 decide\t存储 store\t保留 keep\t读 rows/s\t判 rows×pol/s\t存 decisions/s\t列 MiB\t")
	// The changes differ from one bench to the next: a figure put again
	// with the value it has changes nothing, and stamps nothing.
	_, earlier, err := coord.FindRuns(ctx, policy.RunFilter{Limit: 1})
	if err != nil {
		return err
	}
	var during []time.Duration
	for r := 1; r <= *runs; r++ {
		if r > 1 && *changed > 0 {
			for k := range *total {
				if err := changeShare(ctx, w.Shards[k].Store, *changed, asOf, earlier+r); err != nil {
					return err
				}
			}
		}
		run := &policy.Run{AsOf: asOf, Policies: slices.Clone(pols)}
		if err := coord.CreateShardedRun(ctx, run, *total); err != nil {
			return err
		}
		stopProbe := probe.start(ctx)
		t0 := time.Now()
		results := make([]*shardrun.PartResult, *total)
		errs := make([]error, *total)
		do := func(k int) {
			results[k], errs[k] = w.Process(ctx, shardrun.Part{RunID: run.ID, Shard: k, Shards: *total})
		}
		if *parallel {
			var wg sync.WaitGroup
			for k := range *total {
				wg.Go(func() { do(k) })
			}
			wg.Wait()
		} else {
			for k := range *total {
				do(k)
			}
		}
		wall := time.Since(t0)
		during = append(during, stopProbe()...)
		if err := errors.Join(errs...); err != nil {
			return err
		}
		var sum struct {
			ents, decisions, carried  int
			read, decide, store, keep time.Duration
			cols                      int64
		}
		for k, res := range results {
			tm, p := res.Timings, res.Part
			decisions := p.Eligible + p.NeedsData + p.Excluded
			fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", r, k, tm.Base, tm.Changed, p.Enterprises, decisions, p.Carried,
				round(tm.Read), round(tm.Decide), round(tm.Store), round(tm.Keep),
				rate(p.Enterprises, tm.Read), rate(p.Enterprises*len(pols), tm.Decide), rate(decisions, tm.Store), tm.Columns>>20)
			sum.ents += p.Enterprises
			sum.carried += p.Carried
			sum.decisions += decisions
			sum.read, sum.decide, sum.store, sum.keep = sum.read+tm.Read, sum.decide+tm.Decide, sum.store+tm.Store, sum.keep+tm.Keep
			sum.cols += tm.Columns
		}
		fmt.Fprintf(tw, "%d\t合计 all\t\t\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", r, sum.ents, sum.decisions, sum.carried,
			round(sum.read), round(sum.decide), round(sum.store), round(sum.keep),
			rate(sum.ents, sum.read), rate(sum.ents*len(pols), sum.decide), rate(sum.decisions, sum.store), sum.cols>>20)
		fmt.Fprintf(tw, "%d\t墙钟 wall\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\n", r, round(wall))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "分片 0 读取单个企业 / one enterprise read on shard 0: 空闲 idle p50 %s p99 %s (%d reads); 计算时 during runs p50 %s p99 %s (%d reads)\n",
		pct(idle, 50), pct(idle, 99), len(idle), pct(during, 50), pct(during, 99), len(during))
	fmt.Fprintf(cfg.Stdout, "峰值内存 / peak RSS %.2f GiB\n", float64(peakRSS())/(1<<30))
	return nil
}

// changeShare changes about pct percent of the store's enterprises as a
// day's imports would: a revised revenue for the last fiscal year, through
// the bulk path, which stamps each change. Which firms, and their figures,
// follow from the codes and salt alone, so that a shard and a database
// holding every firm change the same ones.
func changeShare(ctx context.Context, store *sqlstore.Store, pct float64, asOf chanye.Date, salt int) error {
	every := max(1, int(100/pct))
	var codes []string
	if err := store.ScanCodes(ctx, chanye.EnterpriseFilter{}, func(code string) error {
		// SHA-256, apart from chanye.ShardOf's hash: picks by a hash
		// related to the shard's would fall on few shards.
		h := sha256.Sum256(fmt.Appendf(nil, "%d:%s", salt, code))
		if binary.BigEndian.Uint64(h[:8])%uint64(every) == 0 {
			codes = append(codes, code)
		}
		return nil
	}); err != nil {
		return err
	}
	return store.Bulk(ctx, func(bw chanye.BulkWriter) error {
		for _, code := range codes {
			h := sha256.Sum256([]byte(code))
			rev := chanye.Fen(100_000_000_00 + int64(binary.BigEndian.Uint32(h[:4])%1_000_000)*100 + int64(salt))
			if err := bw.PutFacts(&chanye.FactsRecord{Code: code, Facts: chanye.Facts{Year: asOf.Year() - 1, Revenue: &rev, Source: "bench"}}); err != nil {
				return err
			}
		}
		return bw.Finish()
	})
}

// pageProbe reads one enterprise at a time, as its page does, and times it.
type pageProbe struct {
	store *sqlstore.Store
	codes []string
}

func newPageProbe(ctx context.Context, store *sqlstore.Store) (*pageProbe, error) {
	p := &pageProbe{store: store}
	n := 0
	err := store.ScanCodes(ctx, chanye.EnterpriseFilter{}, func(code string) error {
		if n%97 == 0 {
			p.codes = append(p.codes, code)
		}
		n++
		return nil
	})
	if err == nil && len(p.codes) == 0 {
		err = errors.New("分片 0 没有企业 / shard 0 has no enterprises")
	}
	return p, err
}

// measure reads for d and returns the latencies.
func (p *pageProbe) measure(ctx context.Context, d time.Duration) []time.Duration {
	stop := p.start(ctx)
	time.Sleep(d)
	return stop()
}

// start reads until the returned function is called, which returns the
// latencies.
func (p *pageProbe) start(ctx context.Context) func() []time.Duration {
	ctx, cancel := context.WithCancel(ctx)
	var out []time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			t0 := time.Now()
			if _, err := p.store.FindEnterpriseByCode(ctx, p.codes[i%len(p.codes)]); err != nil {
				return
			}
			out = append(out, time.Since(t0))
			time.Sleep(5 * time.Millisecond) // a page now and then, not a load test
		}
	}()
	return func() []time.Duration {
		cancel()
		<-done
		return out
	}
}

// pct returns the p-th percentile of ds.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
