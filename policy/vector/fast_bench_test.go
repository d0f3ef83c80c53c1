package vector

import (
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFast times the fast path alone on CHANYE_BENCH_N synthetic
// enterprises (1,000,000 by default) and 100 realistic policies: Compile
// and Run reported apart, without the cel-go comparison of BenchmarkRun.
func BenchmarkFast(b *testing.B) {
	asOf, pols, _, cols, _ := benchBase(b, 1_000_000, 0)
	n := cols.Len()
	tu := defaultTuning
	if s := os.Getenv("CHANYE_BENCH_TUNING"); s != "" { // condSparse,amountSparse
		c, a, _ := strings.Cut(s, ",")
		tu.condSparse, _ = strconv.Atoi(c)
		tu.amountSparse, _ = strconv.Atoi(a)
	}
	b.Logf("columns %d bytes/enterprise, %d MB", cols.Bytes()/int64(n), cols.Bytes()>>20)
	// The machine may be shared: report the fastest iteration, and the
	// CPU time of the run (both cores busy: about twice the wall time).
	compileNs, runNs, cpuNs := math.Inf(1), math.Inf(1), math.Inf(1)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		p := Compile(asOf, pols...)
		mid, cpu := time.Now(), cpuTime()
		run(cols, tu, []*Program{p})
		runNs = min(runNs, float64(time.Since(mid).Nanoseconds()))
		cpuNs = min(cpuNs, float64(cpuTime()-cpu))
		compileNs = min(compileNs, float64(mid.Sub(start).Nanoseconds()))
	}
	b.ReportMetric(compileNs, "compile-ns")
	b.ReportMetric(runNs, "run-ns")
	b.ReportMetric(cpuNs, "run-cpu-ns")
}

func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
