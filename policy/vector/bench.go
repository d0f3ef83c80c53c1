package vector

import (
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Bench times, on the same subjects and policies, the fast path (compile,
// then Run over columns already loaded) and cel-go one subject and one
// policy at a time through policy.Compiled.Evaluate. celSample bounds the
// subjects cel-go sees (0: all); its time is scaled to all of them.
func Bench(subjects []policy.Subject, pols []*policy.Compiled, asOf chanye.Date, celSample int) (fastNs, celNs int64, err error) {
	prog := Compile(asOf, pols...)
	cols, err := NewColumns(len(subjects), prog.Reads()...)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range subjects {
		cols.Append(s)
	}
	start := time.Now()
	Run(cols, Compile(asOf, pols...))
	fastNs = time.Since(start).Nanoseconds()

	sample := subjects
	if celSample > 0 && celSample < len(sample) {
		sample = sample[:celSample]
	}
	start = time.Now()
	for _, s := range sample {
		for _, c := range pols {
			c.Evaluate(s, asOf)
		}
	}
	celNs = time.Since(start).Nanoseconds() * int64(len(subjects)) / int64(max(len(sample), 1))
	return fastNs, celNs, nil
}
