package policy

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/cel"
)

// FuzzCompile compiles arbitrary text as a condition and as the amount
// formula. Whatever the text: no panic; either an EINVALID error naming
// the expression, or a program whose estimated cost is within MaxCost and
// whose evaluation on the policy's sample enterprise ends within the
// runtime cost limit.
func FuzzCompile(f *testing.F) {
	src, err := os.ReadFile("testdata/rd.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"e.tier.high_tech.held",
		"e.fy1.rd_ratio >= p.min_ratio",
		"e.fy1.revenue >= p.min_revenue && e.fy1.reported",
		"e.industries.exists(i, i == 'ai')",
		"e.industries.all(a, e.industries.all(b, e.industries.all(c, a + b + c != '')))",
		"e.industries.map(a, e.industries.map(b, a + b)).size() > 0",
		"[1,2,3].map(x, [1,2,3].map(y, x * y)).size() > 0",
		"math.greatest(e.fy1.revenue, 1) > 0",
		"e.fy1.rd_spending * p.rate_bp / 10000",
		"1 / 0 == 1",
		"e.code.matches('^(a+)+$')",
		"'x' * 3", "((((((((((1))))))))))", "", "e.", "\x00", "e.fy1.revenue >= 9223372036854775807 + 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		cs := p.Cases[0]
		for _, where := range []string{"condition", "amount"} {
			if where == "condition" {
				p.Conds[1].Expr = text
			} else {
				p.Conds[1].Expr = "true"
				p.Amount.Expr = text
			}
			c, err := Compile(p)
			if err != nil {
				if chanye.ErrorCode(err) != chanye.EINVALID {
					t.Fatalf("%s %q: error %v, want EINVALID", where, text, err)
				}
				var e *chanye.Error
				if !errors.As(err, &e) || len(e.Fields) == 0 {
					t.Fatalf("%s %q: error %v names no field", where, text, err)
				}
				continue
			}
			for i, x := range append(append([]*expr(nil), c.conds...), c.amount) {
				env, _ := baseEnv()
				env, _ = env.Extend(paramVars(p)...)
				est, err := env.EstimateCost(x.ast, costEstimator)
				if err != nil || est.Max > MaxCost {
					t.Fatalf("%s %q: expression %d compiled with estimated cost %+v, %v; limit %d", where, text, i, est, err, MaxCost)
				}
			}
			done := make(chan Decision, 1)
			go func() { done <- c.Evaluate(cs.Subject(p.ID), cs.AsOf) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s %q: evaluation did not end within 10 s", where, text)
			}
			act := activation{s: ptrTo(cs.Subject(p.ID)), params: mustParams(t, p, cs.AsOf)}
			for i, x := range append(append([]*expr(nil), c.conds...), c.amount) {
				_, det, _ := x.prg.Eval(act)
				if det != nil && det.ActualCost() != nil && *det.ActualCost() > MaxCost {
					t.Fatalf("%s %q: expression %d cost %d at run time, limit %d", where, text, i, *det.ActualCost(), MaxCost)
				}
			}
		}
	})
}

func paramVars(p *Policy) []cel.EnvOption {
	var opts []cel.EnvOption
	for _, pa := range p.Params {
		opts = append(opts, cel.Variable("p."+pa.Name, paramCELType(pa.Type)))
	}
	return opts
}

func ptrTo[T any](v T) *T { return &v }

func mustParams(t *testing.T, p *Policy, d chanye.Date) map[string]any {
	params, err := p.ParamsAt(d)
	if err != nil {
		t.Fatal(err)
	}
	return params
}
