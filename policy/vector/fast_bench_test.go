package vector

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkFast times the fast path alone on CHANYE_BENCH_N synthetic
// enterprises (1,000,000 by default) and 100 realistic policies: Compile
// and Run reported apart, without the cel-go comparison of BenchmarkRun.
func BenchmarkFast(b *testing.B) {
	n := 1_000_000
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
	for lo := 0; lo < n; lo += 100_000 {
		for _, s := range SyntheticSubjects(min(100_000, n-lo), asOf, uint64(lo+1)) {
			cols.Append(s)
		}
	}
	b.Logf("columns %d bytes/enterprise, %d MB", cols.Bytes()/int64(n), cols.Bytes()>>20)
	var compileNs, runNs float64
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		p := Compile(asOf, pols...)
		mid := time.Now()
		Run(cols, p)
		compileNs, runNs = float64(mid.Sub(start).Nanoseconds()), float64(time.Since(mid).Nanoseconds())
	}
	b.ReportMetric(compileNs, "compile-ns")
	b.ReportMetric(runNs, "run-ns")
}
