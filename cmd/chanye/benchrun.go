package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
)

const benchRunHelp = `chanye bench run [--db PATH|URL] [--runs N] [--policies N] [--as-of YYYY-MM-DD]

在已存储的企业库上端到端运行 N 次批量计算（与 policy run 相同，会存储计算批次，请在数据库副本上
运行），逐次列出：基准数据从何而来（whole 全量读取、stored 上次存储的基准数据刷新、kept 本进程
保留的基准数据刷新）、刷新时重读的企业数、读取、判定、解释并存储决定、为下个进程存储基准数据
各自用时，以及进程峰值内存（RSS）。SQLite 与 PostgreSQL 均可。--policies N 先经正常的保存与发布
（测试用例须通过）发布内置政策（不含申报数据项的）的副本，编号加 -bench-K，直到已发布 N 项政策。

Runs the batch decision end to end N times on the stored base (as policy run
does: the runs are stored, so run it on a copy of the database) and prints for
each where the base came from (whole: read whole; stored: the base the last run
stored, refreshed; kept: the base this process kept, refreshed), how many rows
were read again to refresh it, and the time to ready the base, to decide, to
explain and store the decisions and to store the base for the next process;
then the process's peak resident memory. SQLite or PostgreSQL. --policies N
first publishes copies of the shipped policies that declare no inputs (ids
suffixed -bench-K), through the usual save and publish (their cases must
pass), until N policies are published.
`

func runBenchRun(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "bench run", benchRunHelp)
	runs := fs.Int("runs", 2, "运行次数 / runs, 1–20")
	npol := fs.Int("policies", 0, "发布副本直到有 N 项已发布政策，0 不发布 / publish copies until N policies are published, 0 for none (at most 1000)")
	asOfS := fs.String("as-of", "", "基准日 / as-of date (YYYY-MM-DD), default today")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *runs < 1 || *runs > 20 {
		return errors.New("--runs 须在 1–20 之间 / --runs must be 1–20")
	}
	if *npol < 0 || *npol > 1000 {
		return errors.New("--policies 须在 0–1000 之间 / --policies must be 0–1000")
	}
	asOf, err := dateFlag(*asOfS)
	if err != nil {
		return err
	}
	softMemoryLimit()
	db, store, eng, err := newEngine(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if *npol > 0 {
		n, err := publishCopies(ctx, store, *npol)
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.Stdout, "已发布政策 / published policies: %d（本次发布副本 / copies published now: %d）\n", *npol, n)
	}
	tw := tabwriter.NewWriter(cfg.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "次 run\t基准 base\t重读 reread\t企业 enterprises\t决定 decisions\t读取 read\t判定 decide\t存储 store\t保留 keep\t合计 total\t")
	for i := range *runs {
		t0 := time.Now()
		run, tm, err := eng.RunTimed(ctx, asOf)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", i+1, tm.Base, tm.Changed, run.Enterprises, run.Eligible+run.NeedsData+run.Excluded,
			round(tm.Read), round(tm.Decide), round(tm.Store), round(tm.Keep), round(time.Since(t0)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "峰值内存 / peak RSS %.2f GiB\n", float64(peakRSS())/(1<<30))
	return nil
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// publishCopies publishes copies of the shipped policies that declare no
// inputs, as an official would (save, then publish: the cases must pass),
// until n policies are published; it returns how many it published.
func publishCopies(ctx context.Context, store *sqlstore.Store, n int) (int, error) {
	published := policy.StatusPublished
	_, have, err := store.FindPolicies(ctx, policy.VersionFilter{Status: &published, Limit: 1})
	if err != nil {
		return 0, err
	}
	var srcs [][]byte
	for _, src := range policy.ShippedSources(true) {
		p, err := policy.Parse(src)
		if err != nil {
			return 0, err
		}
		if len(p.Inputs) == 0 {
			srcs = append(srcs, src)
		}
	}
	done := 0
	for k := 0; have+done < n; k++ {
		src := srcs[k%len(srcs)]
		id := fmt.Sprintf("-bench-%d", k)
		copySrc := benchCopyLine.ReplaceAllFunc(src, func(line []byte) []byte {
			line = slices.Clone(line) // a subslice of src: appending in place would overwrite it
			if bytes.HasPrefix(line, []byte("id:")) {
				return append(line, id...)
			}
			return append(line, fmt.Sprintf("（基准测试副本 %d / benchmark copy %d）", k, k)...)
		})
		v, err := store.CreatePolicyVersion(ctx, copySrc)
		if chanye.ErrorCode(err) == chanye.ECONFLICT { // published by an earlier call
			continue
		} else if err != nil {
			return done, err
		}
		if _, err := store.PublishPolicyVersion(ctx, v.PolicyID, v.Version); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// benchCopyLine is a policy source's id or title line.
var benchCopyLine = regexp.MustCompile(`(?m)^(id|title_zh|title_en): .*$`)
