package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/sqlbench"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
)

const benchHelp = `chanye bench policies [--enterprises N] [--policies P] [--postgres URL] [--json]
chanye bench run [--db PATH|URL] [--runs N]   （见 / see chanye bench run --help）
chanye bench http …                           （见 / see chanye bench http --help）
chanye bench shards …                         （见 / see chanye bench shards --help）

在同一次运行中比较：快速路径（列式向量化，含编译）、cel-go 逐企业求值（抽样计时后按比例
换算，输出中注明）、同样的规则生成的 SQL 在 SQLite（临时文件）和 PostgreSQL（--postgres，
临时表）上的计数查询（核对各政策符合企业数与快速路径一致，不一致即失败）、解释一家企业的
全部政策（平均纳秒），以及引擎内存（峰值 RSS）。企业按批生成以控制内存。不需要 --db。

Times in one run, on the same generated enterprises and P realistic policies:
the fast path (columnar, vectorised, compile included), cel-go one enterprise at
a time (a sample timed and scaled, as the output says), the same rules as SQL
generated from the checked CEL on SQLite (a temp file) and on PostgreSQL (with
--postgres, a temp table) — each policy's eligible COUNT must equal the fast
path's or the benchmark fails — explaining one enterprise across all policies
(average ns), and the engine's memory (peak RSS). Enterprises are generated in
batches to bound memory. No --db is needed.
`

// benchResult is the --json output; nil is a peer that was not run.
type benchResult struct {
	Enterprises int    `json:"enterprises"`
	Policies    int    `json:"policies"`
	FastNs      *int64 `json:"fast_ns"`
	CelgoNs     *int64 `json:"celgo_ns"`
	SqliteNs    *int64 `json:"sqlite_ns"`   // one COUNT per policy
	PostgresNs  *int64 `json:"postgres_ns"` // one COUNT per policy
	// One scan for every policy (COUNT … FILTER), counts only and with
	// the amounts summed.
	SqliteScanNs      *int64 `json:"sqlite_scan_ns"`
	SqliteAmountsNs   *int64 `json:"sqlite_amounts_ns"`
	PostgresScanNs    *int64 `json:"postgres_scan_ns"`
	PostgresAmountsNs *int64 `json:"postgres_amounts_ns"`
	ExplainNs         *int64 `json:"explain_ns"`
	RSSBytes          *int64 `json:"rss_bytes"`
	ColumnsBytes      int64  `json:"columns_bytes"`
	CelgoSample       int    `json:"celgo_sample"`
	Eligible          int    `json:"eligible"`
	Fallback          int    `json:"fallback_exprs"`
	Cores             int    `json:"cores"`
	// With relations in play (half the policies in exclusive groups, a
	// cap per enterprise, some requiring another): the fast path with its
	// resolution over the bitmaps, cel-go with the per-firm resolution,
	// and explaining one enterprise; Excluded is the decisions excluded.
	RelFastNs    *int64 `json:"relations_fast_ns"`
	RelResolveNs *int64 `json:"relations_resolve_ns"`
	RelCelgoNs   *int64 `json:"relations_celgo_ns"`
	RelExplainNs *int64 `json:"relations_explain_ns"`
	RelExcluded  int    `json:"relations_excluded"`
}

var benchSchemaIndex = func() map[string]int {
	m := map[string]int{}
	for i, v := range policy.Schema() {
		m[v.Name] = i
	}
	return m
}()

func runBench(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 && args[0] == "http" {
		return runBenchHTTP(ctx, cfg, args[1:])
	}
	if len(args) > 0 && args[0] == "run" {
		return runBenchRun(ctx, cfg, args[1:])
	}
	if len(args) > 0 && args[0] == "shards" {
		return runBenchShards(ctx, cfg, args[1:])
	}
	if len(args) == 0 || args[0] != "policies" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
			fmt.Fprint(cfg.Stdout, benchHelp)
			return nil
		}
		fmt.Fprint(cfg.Stderr, benchHelp)
		return errors.New("用法 / usage: chanye bench policies … | chanye bench run … | chanye bench http … | chanye bench shards …")
	}
	fs := newFlags(&cfg, "bench policies", benchHelp)
	n := fs.Int("enterprises", 1_000_000, "企业数 / enterprises")
	np := fs.Int("policies", 100, "政策数 / policies")
	pgURL := fs.String("postgres", "", "PostgreSQL URL，给出则同时测 PostgreSQL / also time PostgreSQL at this URL")
	asJSON := fs.Bool("json", false, "输出一个 JSON 对象 / print one JSON object")
	celSample := fs.Int("celgo-sample", 2000, "cel-go 计时的企业数 / enterprises cel-go is timed on")
	noSQLite := fs.Bool("no-sqlite", false, "不测 SQLite / skip SQLite")
	asOfS := fs.String("as-of", "2026-06-30", "基准日 / as-of date")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *n < 1 || *np < 1 {
		return errors.New("--enterprises 与 --policies 须为正数 / must be positive")
	}
	asOf, err := chanye.ParseDate(*asOfS)
	if err != nil {
		return err
	}
	progress := func(format string, a ...any) {
		if !*asJSON {
			fmt.Fprintf(cfg.Stderr, format+"\n", a...)
		}
	}
	res := benchResult{Enterprises: *n, Policies: *np, Cores: runtime.GOMAXPROCS(0)}
	pols, err := vector.RealisticPolicies(*np, 1)
	if err != nil {
		return err
	}
	prog := vector.Compile(asOf, pols...)
	reads := prog.Reads()
	res.Fallback = prog.Fallback

	// The SQL of each policy, from its checked AST.
	rules := map[string][]sqlbench.Rule{}
	var peers []*sqlbench.Table
	defer func() {
		for _, p := range peers {
			p.Close()
		}
	}()
	addPeer := func(d sqlbench.Dialect, driver, dsn string, closeFn func()) error {
		db, err := sql.Open(driver, dsn)
		if err != nil {
			return err
		}
		var rs []sqlbench.Rule
		for _, c := range pols {
			r, err := sqlbench.Translate(d, c, asOf)
			if err != nil {
				db.Close()
				return err
			}
			rs = append(rs, r)
		}
		rules[d.Name] = rs
		p, err := sqlbench.NewTable(ctx, d, db, fmt.Sprintf("chanye_bench_%d", os.Getpid()), reads, func() { db.Close(); closeFn() })
		if err != nil {
			return err
		}
		peers = append(peers, p)
		return nil
	}
	if !*noSQLite {
		dir, err := os.MkdirTemp("", "chanye-bench-")
		if err != nil {
			return err
		}
		dsn := "file:" + filepath.Join(dir, "bench.db") + "?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)&_pragma=temp_store(FILE)"
		if err := addPeer(sqlbench.SQLite, "sqlite", dsn, func() { os.RemoveAll(dir) }); err != nil {
			return err
		}
	}
	if *pgURL != "" {
		if err := addPeer(sqlbench.Postgres, "pgx", *pgURL, func() {}); err != nil {
			return err
		}
	}

	// Generate in batches, into the columns and the SQL tables.
	start := time.Now()
	var sinks []func(int, policy.Subject) error
	for _, p := range peers {
		sinks = append(sinks, func(id int, s policy.Subject) error { return p.Add(ctx, id, s.Values(), s.MissingFlags()) })
	}
	cols, first, err := sqlbench.Load(ctx, *n, asOf, reads, sinks...)
	if err != nil {
		return err
	}
	sample := first[:min(len(first), max(*celSample, 200))]
	progress("生成并载入 / generated and loaded %d enterprises in %s", *n, time.Since(start).Round(time.Millisecond))
	res.ColumnsBytes = cols.Bytes()

	// The fast path: compile and run, best of three.
	el, fast := sqlbench.Fast(cols, asOf, pols)
	best := el.Nanoseconds()
	res.FastNs = &best
	for _, pr := range fast.Policies {
		res.Eligible += pr.Count
	}
	rss := peakRSS()
	res.RSSBytes = &rss
	progress("快速路径 / fast path %s", time.Duration(best))

	// cel-go one enterprise and one policy at a time, on a sample, scaled.
	cs := sample[:min(len(sample), *celSample)]
	res.CelgoSample = len(cs)
	t0 := time.Now()
	for _, s := range cs {
		for _, c := range pols {
			c.Evaluate(s, asOf)
		}
	}
	celNs := time.Since(t0).Nanoseconds() * int64(*n) / int64(len(cs))
	res.CelgoNs = &celNs
	progress("cel-go %s (%d 家抽样换算 / scaled from %d)", time.Duration(celNs), len(cs), len(cs))

	// Explaining one enterprise across all policies, as ExplainEnterprise
	// does after its read.
	ex := sample[:min(len(sample), 200)]
	t0 = time.Now()
	for _, s := range ex {
		engine.ExplainSubject(s, pols, asOf)
	}
	exNs := time.Since(t0).Nanoseconds() / int64(len(ex))
	res.ExplainNs = &exNs

	// SQL: the same rules; every form's counts (and amounts) must agree
	// with the fast path's. PostgreSQL gets its strongest honest form: an
	// unlogged table, parallel workers on every core, one scan for all
	// policies with FILTER.
	counts, totals := sqlbench.Expected(fast)
	for _, p := range peers {
		if err := p.Analyze(ctx); err != nil {
			return err
		}
		if p.D.Name == "PostgreSQL" {
			if _, err := p.Conn.ExecContext(ctx, fmt.Sprintf("SET max_parallel_workers_per_gather = %d", runtime.NumCPU())); err != nil {
				return err
			}
		}
		rs := rules[p.D.Name]
		forms := []struct {
			name string
			run  func() (*sqlbench.Tally, error)
			ns   **int64
		}{
			{"one COUNT per policy", func() (*sqlbench.Tally, error) { return p.CountEach(ctx, rs) }, map[string]**int64{"SQLite": &res.SqliteNs, "PostgreSQL": &res.PostgresNs}[p.D.Name]},
			{"one scan, counts", func() (*sqlbench.Tally, error) { return p.ScanAll(ctx, rs, false) }, map[string]**int64{"SQLite": &res.SqliteScanNs, "PostgreSQL": &res.PostgresScanNs}[p.D.Name]},
			{"one scan, counts and amounts", func() (*sqlbench.Tally, error) { return p.ScanAll(ctx, rs, true) }, map[string]**int64{"SQLite": &res.SqliteAmountsNs, "PostgreSQL": &res.PostgresAmountsNs}[p.D.Name]},
		}
		// A first scan warms the caches: every form is timed warm.
		if _, err := p.Conn.ExecContext(ctx, "SELECT COUNT(*) FROM "+p.Name); err != nil {
			return err
		}
		for _, f := range forms {
			t, err := f.run()
			if err != nil {
				return err
			}
			if err := sqlbench.Check(p.D.Name+" ("+f.name+")", t, rs, counts, totals); err != nil {
				return err
			}
			ns := t.Elapsed.Nanoseconds()
			*f.ns = &ns
			progress("%s, %s: %s（与快速路径一致 / agrees with the fast path）", p.D.Name, f.name, t.Elapsed.Round(time.Millisecond))
		}
	}

	if err := benchRelations(&res, pols, cols, cs, ex, asOf); err != nil {
		return err
	}
	progress("含关系 / with relations: fast path %s (resolve %s), %d excluded", time.Duration(*res.RelFastNs), time.Duration(*res.RelResolveNs), res.RelExcluded)

	if *asJSON {
		enc := json.NewEncoder(cfg.Stdout)
		return enc.Encode(res)
	}
	printBench(cfg, &res)
	return nil
}

// benchRelations times the same policies with relations in play: half of
// them in exclusive groups of five, one per group with a cap per
// enterprise, every tenth odd one requiring the one before. It checks on
// the sample that the fast path's resolution equals the reference's,
// firm by firm, or fails.
func benchRelations(res *benchResult, pols []*policy.Compiled, cols *vector.Columns, sample, ex []policy.Subject, asOf chanye.Date) error {
	vector.WithRelations(pols, 50_000_00)
	defer func() {
		for _, c := range pols {
			c.Policy.Relations, c.Policy.Groups = policy.Relations{}, nil
		}
	}()
	codes := func(row int) string { return strconv.Itoa(row) }
	var fast vector.Result
	var rs *policy.Resolution
	best, bestResolve := int64(-1), int64(-1)
	for range 3 {
		t0 := time.Now()
		fast = vector.Run(cols, vector.Compile(asOf, pols...))
		t1 := time.Now()
		rs = engine.Resolve(pols, &fast, codes)
		if ns := time.Since(t0).Nanoseconds(); best < 0 || ns < best {
			best = ns
		}
		if ns := time.Since(t1).Nanoseconds(); bestResolve < 0 || ns < bestResolve {
			bestResolve = ns
		}
	}
	res.RelFastNs, res.RelResolveNs = &best, &bestResolve
	for k := range pols {
		res.RelExcluded += rs.ExcludedCount(k)
	}
	ps := make([]*policy.Policy, len(pols))
	for k, c := range pols {
		ps[k] = c.Policy
	}
	idx := make([]int, len(pols))
	t0 := time.Now()
	for row, s := range sample {
		ds := make([]policy.Decision, len(pols))
		for k, c := range pols {
			ds[k] = c.Evaluate(s, asOf)
		}
		policy.NewResolver(ps).ResolveDecisions(ds)
		for k := range pols {
			if !fast.Policies[k].IsEligible(row) {
				continue
			}
			i := int32(idx[k])
			idx[k]++
			if out := rs.Excluded(k, i); out != (ds[k].Status == policy.VerdictExcluded) || !out && rs.Amounts[k][i] != int64(ds[k].AmountFen) {
				return fmt.Errorf("含关系时快速路径与参考求值不一致 / with relations the fast path and the reference differ: row %d, %s: excluded %v ¥%d, reference %s ¥%d",
					row, pols[k].Policy.ID, out, rs.Amounts[k][i], ds[k].Status, ds[k].AmountFen)
			}
		}
	}
	celNs := time.Since(t0).Nanoseconds() * int64(res.Enterprises) / int64(len(sample))
	res.RelCelgoNs = &celNs
	t0 = time.Now()
	for _, s := range ex {
		engine.ExplainSubject(s, pols, asOf)
	}
	exNs := time.Since(t0).Nanoseconds() / int64(len(ex))
	res.RelExplainNs = &exNs
	return nil
}

func printBench(cfg Config, r *benchResult) {
	w := cfg.Stdout
	fmt.Fprintf(w, "%d 家企业 × %d 项政策，%d 核 / %d enterprises × %d policies on %d cores; %d eligible decisions; %d expressions on cel-go fallback\n",
		r.Enterprises, r.Policies, r.Cores, r.Enterprises, r.Policies, r.Cores, r.Eligible, r.Fallback)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "路径 path\t用时 time\t每企业·政策 per decision\t快速路径快 fast is\t")
	row := func(name string, ns *int64, note string) {
		if ns == nil {
			fmt.Fprintf(tw, "%s\t未运行 not run\t\t\t\n", name)
			return
		}
		per := float64(*ns) / float64(r.Enterprises) / float64(r.Policies)
		ratio := "—"
		if name != "fast path" {
			ratio = strconv.FormatFloat(float64(*ns)/float64(*r.FastNs), 'f', 1, 64) + "×"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f ns\t%s\t%s\n", name, time.Duration(*ns).Round(time.Microsecond), per, ratio, note)
	}
	row("fast path", r.FastNs, "  compile + run, best of 3")
	row("cel-go", r.CelgoNs, fmt.Sprintf("  one at a time; %d enterprises timed, scaled to %d", r.CelgoSample, r.Enterprises))
	row("SQLite", r.SqliteNs, "  one COUNT(*) per policy, counts checked")
	row("SQLite", r.SqliteScanNs, "  one scan, COUNT(*) FILTER per policy, counts checked")
	row("SQLite", r.SqliteAmountsNs, "  one scan, counts and amounts checked")
	row("PostgreSQL", r.PostgresNs, "  unlogged table, parallel; one COUNT(*) per policy, counts checked")
	row("PostgreSQL", r.PostgresScanNs, "  one scan, COUNT(*) FILTER per policy, counts checked")
	row("PostgreSQL", r.PostgresAmountsNs, "  one scan, counts and amounts checked")
	tw.Flush()
	fmt.Fprintf(w, "解释一家企业的全部 %d 项政策 / explain one enterprise across %d policies: %s\n", r.Policies, r.Policies, time.Duration(*r.ExplainNs))
	if r.RelFastNs != nil {
		fmt.Fprintf(w, "\n含关系 / with relations (half the policies in exclusive groups of 5, caps per enterprise, requires): %d decisions excluded\n", r.RelExcluded)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "路径 path\t用时 time\t每企业·政策 per decision\t快速路径快 fast is\t")
		per := func(ns int64) float64 { return float64(ns) / float64(r.Enterprises) / float64(r.Policies) }
		fmt.Fprintf(tw, "fast path + relations\t%s\t%.1f ns\t—\t  resolution over the bitmaps %s; without relations %s (%.2f×)\n",
			time.Duration(*r.RelFastNs).Round(time.Microsecond), per(*r.RelFastNs), time.Duration(*r.RelResolveNs).Round(time.Microsecond),
			time.Duration(*r.FastNs).Round(time.Microsecond), float64(*r.RelFastNs)/float64(*r.FastNs))
		fmt.Fprintf(tw, "cel-go + relations\t%s\t%.1f ns\t%s×\t  one firm at a time, resolved per firm; results checked equal on the sample\n",
			time.Duration(*r.RelCelgoNs).Round(time.Microsecond), per(*r.RelCelgoNs), strconv.FormatFloat(float64(*r.RelCelgoNs)/float64(*r.RelFastNs), 'f', 1, 64))
		tw.Flush()
		fmt.Fprintf(w, "解释一家企业（含关系）/ explain one enterprise with relations: %s\n", time.Duration(*r.RelExplainNs))
	}
	fmt.Fprintf(w, "内存 / memory: 峰值 RSS / peak RSS %.1f MiB (columns %.1f MiB)\n", float64(*r.RSSBytes)/(1<<20), float64(r.ColumnsBytes)/(1<<20))
}

// peakRSS is the process's peak resident memory (VmHWM), or the Go
// runtime's memory from the OS where /proc is missing.
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				f := strings.Fields(v)
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb * 1024
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}
