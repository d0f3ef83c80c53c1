package vector

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// benchBase builds CHANYE_BENCH_N (else n) synthetic enterprises and 100
// variants of the shipped policies, loading only the columns they read. The
// subjects are generated in batches: a million policy.Subject values at
// once would take gigabytes the columns do not need. It keeps the first
// keep subjects for comparisons with the reference evaluator.
func benchBase(b *testing.B, n, keep int) (chanye.Date, []*policy.Compiled, *Program, *Columns, []policy.Subject) {
	b.Helper()
	if s := os.Getenv("CHANYE_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	asOf := mustDate(b, "2025-12-31")
	pols, err := RealisticPolicies(100, 1)
	if err != nil {
		b.Fatal(err)
	}
	prog := Compile(asOf, pols...)
	cols, err := NewColumns(n, prog.Reads()...)
	if err != nil {
		b.Fatal(err)
	}
	var sample []policy.Subject
	for lo := 0; lo < n; lo += 100_000 {
		batch := SyntheticSubjects(min(100_000, n-lo), asOf, uint64(lo+1))
		for _, s := range batch {
			cols.Append(s)
		}
		if sample == nil {
			sample = batch[:min(len(batch), keep)]
		}
	}
	return asOf, pols, prog, cols, sample
}

// BenchmarkRun compares the fast path with cel-go one row at a time on
// CHANYE_BENCH_N synthetic enterprises (200,000 by default) and 100
// variants of the shipped policies. cel-go sees a sample of 20,000 and is
// scaled.
func BenchmarkRun(b *testing.B) {
	asOf, pols, prog, cols, sample := benchBase(b, 200_000, 20_000)
	n := cols.Len()
	b.Logf("%d nodes for %d expressions (%d to cel-go); columns %d bytes/enterprise (%d read)",
		prog.Nodes(), prog.Native+prog.Fallback, prog.Fallback, cols.Bytes()/int64(n), len(prog.Reads()))
	full, _ := NewColumns(len(sample))
	for _, s := range sample {
		full.Append(s)
	}
	b.Logf("every variable held: %d bytes/enterprise", full.Bytes()/int64(len(sample)))
	start := time.Now()
	for _, s := range sample {
		for _, c := range pols {
			c.Evaluate(s, asOf)
		}
	}
	celNs := float64(time.Since(start).Nanoseconds()) * float64(n) / float64(len(sample))
	var fastNs float64
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		Run(cols, Compile(asOf, pols...))
		fastNs = float64(time.Since(start).Nanoseconds())
	}
	b.ReportMetric(fastNs, "fast-ns")
	b.ReportMetric(celNs, "celgo-ns")
	b.ReportMetric(celNs/fastNs, "speedup")
}
