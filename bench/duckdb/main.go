// Command duckdb times the policy engine's fast path against DuckDB on the
// same generated enterprises and the same rules, in one run, and checks
// that DuckDB finds the same counts and amounts to the fen.
//
// DuckDB's Go driver needs cgo and a native library, so this benchmark is a
// module of its own and never part of the chanye binary:
//
//	cd bench/duckdb && go run . --enterprises 3600000 --policies 100 --threads 2
//
// The rules are translated by internal/sqlbench, as for SQLite and
// PostgreSQL in `chanye bench policies`. The rows are loaded with DuckDB's
// appender; loading is not timed, for any peer.
package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/sqlbench"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
	"github.com/duckdb/duckdb-go/v2"
)

// result is the --json output: each time in nanoseconds.
type result struct {
	Enterprises int    `json:"enterprises"`
	Policies    int    `json:"policies"`
	Threads     int    `json:"threads"`
	Cores       int    `json:"cores"`
	Eligible    int    `json:"eligible"`
	FastNs      int64  `json:"fast_ns"`
	ScanNs      int64  `json:"duckdb_scan_ns"`       // one scan, counts
	AmountsNs   int64  `json:"duckdb_amounts_ns"`    // one scan, counts and amounts
	EachNs      int64  `json:"duckdb_each_ns"`       // one query per policy, counts and amounts
	CountEachNs int64  `json:"duckdb_count_each_ns"` // one COUNT per policy
	Version     string `json:"duckdb_version"`
}

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "duckdb bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("duckdb", flag.ContinueOnError)
	n := fs.Int("enterprises", 1_000_000, "企业数 / enterprises")
	np := fs.Int("policies", 100, "政策数 / policies")
	threads := fs.Int("threads", runtime.NumCPU(), "DuckDB 线程数 / DuckDB threads")
	asOfS := fs.String("as-of", "2026-06-30", "基准日 / as-of date")
	asJSON := fs.Bool("json", false, "输出 JSON / print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *np < 1 || *threads < 1 {
		return errors.New("--enterprises, --policies and --threads must be positive")
	}
	asOf, err := chanye.ParseDate(*asOfS)
	if err != nil {
		return err
	}
	progress := func(format string, a ...any) {
		if !*asJSON {
			fmt.Fprintf(os.Stderr, format+"\n", a...)
		}
	}
	pols, err := vector.RealisticPolicies(*np, 1)
	if err != nil {
		return err
	}
	reads := vector.Compile(asOf, pols...).Reads()
	rules := make([]sqlbench.Rule, len(pols))
	for i, c := range pols {
		if rules[i], err = sqlbench.Translate(sqlbench.DuckDB, c, asOf); err != nil {
			return err
		}
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := sqlbench.NewTable(ctx, sqlbench.DuckDB, db, "bench_subjects", reads, func() {})
	if err != nil {
		return err
	}
	defer t.Close()
	res := result{Enterprises: *n, Policies: *np, Threads: *threads, Cores: runtime.NumCPU()}
	if err := t.Conn.QueryRowContext(ctx, "SELECT version()").Scan(&res.Version); err != nil {
		return err
	}

	// Load through the appender, on the table's connection.
	start := time.Now()
	var cols *vector.Columns
	err = t.Conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", t.Name)
		if err != nil {
			return err
		}
		row := make([]driver.Value, len(reads)+1)
		cols, _, err = sqlbench.Load(ctx, *n, asOf, reads, func(id int, s policy.Subject) error {
			for i, v := range t.Row(id, s.Values(), s.MissingFlags()) {
				row[i] = v
			}
			return app.AppendRow(row...)
		})
		if err != nil {
			app.Close()
			return err
		}
		return app.Close()
	})
	if err != nil {
		return fmt.Errorf("loading DuckDB: %w", err)
	}
	progress("生成并载入 / generated and loaded %d enterprises in %s", *n, time.Since(start).Round(time.Millisecond))

	el, fast := sqlbench.Fast(cols, asOf, pols)
	res.FastNs = el.Nanoseconds()
	counts, totals := sqlbench.Expected(fast)
	for _, c := range counts {
		res.Eligible += c
	}
	progress("快速路径 / fast path %s", el)

	if _, err := t.Conn.ExecContext(ctx, "SET threads = "+strconv.Itoa(*threads)); err != nil {
		return err
	}
	if _, err := t.Conn.ExecContext(ctx, "SELECT COUNT(*) FROM "+t.Name); err != nil { // warm
		return err
	}
	forms := []struct {
		name string
		run  func() (*sqlbench.Tally, error)
		ns   *int64
	}{
		{"one scan, counts", func() (*sqlbench.Tally, error) { return t.ScanAll(ctx, rules, false) }, &res.ScanNs},
		{"one scan, counts and amounts", func() (*sqlbench.Tally, error) { return t.ScanAll(ctx, rules, true) }, &res.AmountsNs},
		{"one query per policy, counts and amounts", func() (*sqlbench.Tally, error) { return t.SumEach(ctx, rules) }, &res.EachNs},
		{"one COUNT per policy", func() (*sqlbench.Tally, error) { return t.CountEach(ctx, rules) }, &res.CountEachNs},
	}
	for _, f := range forms {
		tally, err := f.run()
		if err != nil {
			return err
		}
		if err := sqlbench.Check("DuckDB ("+f.name+")", tally, rules, counts, totals); err != nil {
			return err
		}
		*f.ns = tally.Elapsed.Nanoseconds()
		progress("DuckDB, %s: %s（与快速路径一致 / agrees with the fast path）", f.name, tally.Elapsed.Round(time.Millisecond))
	}

	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("%d 家企业 × %d 项政策，%d 核，DuckDB %s，%d 线程 / %d enterprises × %d policies on %d cores, DuckDB %s with %d threads; %d eligible decisions\n",
		res.Enterprises, res.Policies, res.Cores, res.Version, res.Threads, res.Enterprises, res.Policies, res.Cores, res.Version, res.Threads, res.Eligible)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "路径 path\t用时 time\t快速路径快 fast is\t")
	fmt.Fprintf(tw, "fast path\t%s\t—\t  compile + run, counts and amounts, best of 3\n", time.Duration(res.FastNs).Round(time.Microsecond))
	for _, f := range forms {
		fmt.Fprintf(tw, "DuckDB\t%s\t%.1f×\t  %s, checked\n", time.Duration(*f.ns).Round(time.Microsecond), float64(*f.ns)/float64(res.FastNs), f.name)
	}
	return tw.Flush()
}
