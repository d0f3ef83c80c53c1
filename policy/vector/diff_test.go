package vector

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

func mustDate(t testing.TB, s string) chanye.Date {
	t.Helper()
	d, err := chanye.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// ruleGen writes random well-typed CEL over the schema and the parameters
// ia, ib (int), da (double), s (string), b (bool).
type ruleGen struct {
	r                            *rand.Rand
	ints, dbls, strs, bools, lst []string
}

func newRuleGen(seed uint64) *ruleGen {
	g := &ruleGen{r: rand.New(rand.NewPCG(seed, 3))}
	for _, v := range schema {
		switch v.Type {
		case "int":
			g.ints = append(g.ints, v.Name)
		case "double":
			g.dbls = append(g.dbls, v.Name)
		case "string":
			g.strs = append(g.strs, v.Name)
		case "bool":
			g.bools = append(g.bools, v.Name)
		default:
			g.lst = append(g.lst, v.Name)
		}
	}
	return g
}

func (g *ruleGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

var (
	intLits = []string{"0", "1", "-1", "2", "3", "10", "100", "10000", "2025", "9223372036854775807", "-9223372036854775807", "4611686018427387904", "1000000000"}
	dblLits = []string{"0.0", "0.5", "-0.5", "0.03", "0.15", "1.0", "1e300", "-1e300", "9.3e18", "-9.3e18", "2.5"}
	strLits = []string{`""`, `"440106"`, `"440112"`, `"44"`, `"13"`, `"small"`, `"large"`, `"ai"`, `"1"`, `"0"`}
)

func (g *ruleGen) intExpr(d int) string {
	if d <= 0 || g.r.IntN(3) == 0 {
		switch g.r.IntN(4) {
		case 0:
			return g.pick(intLits)
		case 1:
			return g.pick([]string{"p.ia", "p.ib"})
		default:
			return g.pick(g.ints)
		}
	}
	switch g.r.IntN(12) {
	case 0, 1, 2, 3:
		return "(" + g.intExpr(d-1) + " " + g.pick([]string{"+", "-", "*", "/", "%"}) + " " + g.intExpr(d-1) + ")"
	case 4:
		return "-(" + g.intExpr(d-1) + ")"
	case 5:
		return "(" + g.boolExpr(d-1) + " ? " + g.intExpr(d-1) + " : " + g.intExpr(d-1) + ")"
	case 6:
		return "int(" + g.dblExpr(d-1) + ")"
	case 7:
		return "size(" + g.pick(g.lst) + ")"
	case 8:
		return "size(" + g.pick(g.strs) + ")"
	case 9:
		if g.r.IntN(2) == 0 {
			return "math.least(" + g.intExpr(d-1) + ", " + g.intExpr(d-1) + ")"
		}
		return "math.greatest(" + g.intExpr(d-1) + ", " + g.intExpr(d-1) + ", " + g.intExpr(d-1) + ")"
	case 10:
		return g.pick(g.ints) + " * p.ia / 10000"
	}
	return "int(" + g.pick(g.ints) + ")"
}

// amountExpr writes an amount formula the policy package accepts: ints
// only on the money path, no negative number or parameter there, money
// times the rate p.rt; doubles only in the conditions of ?:.
func (g *ruleGen) amountExpr(d int) string {
	if d <= 0 || g.r.IntN(3) == 0 {
		switch g.r.IntN(4) {
		case 0:
			return g.pick([]string{"0", "1", "2", "3", "10", "100", "10000", "2025", "9223372036854775807", "4611686018427387904", "1000000000"})
		case 1:
			return "p.ic"
		default:
			return g.pick(g.ints)
		}
	}
	switch g.r.IntN(10) {
	case 0, 1, 2:
		return "(" + g.amountExpr(d-1) + " " + g.pick([]string{"+", "-", "*", "/", "%"}) + " " + g.amountExpr(d-1) + ")"
	case 3:
		return "-(" + g.amountExpr(d-1) + ")"
	case 4:
		return "(" + g.boolExpr(d-1) + " ? " + g.amountExpr(d-1) + " : " + g.amountExpr(d-1) + ")"
	case 5, 6:
		if g.r.IntN(2) == 0 {
			return g.amountExpr(d-1) + " * p.rt"
		}
		return "p.rt * " + g.pick(g.ints)
	case 7:
		return "size(" + g.pick(g.lst) + ")"
	case 8:
		if g.r.IntN(2) == 0 {
			return "math.least(" + g.amountExpr(d-1) + ", " + g.amountExpr(d-1) + ")"
		}
		return "math.greatest(" + g.amountExpr(d-1) + ", " + g.amountExpr(d-1) + ", " + g.amountExpr(d-1) + ")"
	}
	return g.pick(g.ints) + " * p.ic / 10000"
}

func (g *ruleGen) dblExpr(d int) string {
	if d <= 0 || g.r.IntN(3) == 0 {
		switch g.r.IntN(4) {
		case 0:
			return g.pick(dblLits)
		case 1:
			return "p.da"
		default:
			return g.pick(g.dbls)
		}
	}
	switch g.r.IntN(7) {
	case 0, 1, 2:
		return "(" + g.dblExpr(d-1) + " " + g.pick([]string{"+", "-", "*", "/"}) + " " + g.dblExpr(d-1) + ")"
	case 3:
		return "-" + g.dblExpr(d-1)
	case 4:
		return "(" + g.boolExpr(d-1) + " ? " + g.dblExpr(d-1) + " : " + g.dblExpr(d-1) + ")"
	case 5:
		return "double(" + g.intExpr(d-1) + ")"
	}
	return "math.least(" + g.dblExpr(d-1) + ", " + g.dblExpr(d-1) + ")"
}

func (g *ruleGen) strExpr() string {
	switch g.r.IntN(4) {
	case 0:
		return g.pick(strLits)
	case 1:
		return "p.s"
	}
	return g.pick(g.strs)
}

func (g *ruleGen) boolExpr(d int) string {
	if d <= 0 || g.r.IntN(4) == 0 {
		switch g.r.IntN(5) {
		case 0:
			return g.pick([]string{"true", "false", "p.b"})
		default:
			return g.pick(g.bools)
		}
	}
	cmp := func() string { return g.pick([]string{"==", "!=", "<", "<=", ">", ">="}) }
	switch g.r.IntN(20) {
	case 0, 1, 2:
		return g.intExpr(d-1) + " " + cmp() + " " + g.intExpr(d-1)
	case 3, 4:
		return g.dblExpr(d-1) + " " + cmp() + " " + g.dblExpr(d-1)
	case 5:
		return g.strExpr() + " " + cmp() + " " + g.strExpr()
	case 6, 7:
		return "(" + g.boolExpr(d-1) + " && " + g.boolExpr(d-1) + ")"
	case 8, 9:
		return "(" + g.boolExpr(d-1) + " || " + g.boolExpr(d-1) + ")"
	case 10:
		return "!(" + g.boolExpr(d-1) + ")"
	case 11:
		return "(" + g.boolExpr(d-1) + " ? " + g.boolExpr(d-1) + " : " + g.boolExpr(d-1) + ")"
	case 12:
		return g.pick([]string{`"ai"`, `"fashion"`, `"none"`, "p.s"}) + " in " + g.pick(g.lst)
	case 13:
		return g.strExpr() + " in [" + g.strExpr() + ", " + g.pick(strLits) + "]"
	case 14:
		return g.intExpr(d-1) + " in [" + g.pick(intLits) + ", " + g.pick(g.ints) + "]"
	case 15:
		return g.pick(g.strs) + "." + g.pick([]string{"startsWith", "endsWith", "contains"}) + "(" + g.pick(strLits) + ")"
	case 16:
		m := g.pick([]string{"exists", "all", "exists_one"})
		return g.pick(g.lst) + "." + m + "(i, " + g.pick([]string{`i in ["ai", "semiconductors"]`, `i.startsWith("s")`, `i == p.s`, `size(i) > 5`, `i > "f"`}) + ")"
	case 17:
		return g.boolExpr(d-1) + " " + g.pick([]string{"==", "!="}) + " " + g.boolExpr(d-1)
	case 18: // things the fast path leaves to cel-go
		return g.pick([]string{`string(e.age) == "5"`, `e.industries[0] == "ai"`, `math.least(e.age, e.fy1.rd_ratio) > 0`,
			`e.industries.size() + 1 > 2`, `e.district + "x" == "440106x"`, `[e.age, 1].size() == 2`})
	}
	return "p.b == " + g.boolExpr(d-1)
}

func genPolicy(g *ruleGen, k int) *policy.Policy {
	from, later := mustDateV("2020-01-01"), mustDateV("2025-07-01")
	ib := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 40}[g.r.IntN(6)]
	p := &policy.Policy{ID: fmt.Sprintf("r-%d", k), Version: 1, Status: policy.StatusPublished,
		TitleZH: "随机", TitleEN: "random", Document: "测试", Issuer: "测试",
		Effective: policy.Period{From: from}, Mode: policy.ModeNoApplication, FiscalYears: policy.MaxFiscalYears,
		Params: []policy.Param{
			{Name: "ia", Type: policy.ParamInt, Values: []policy.ParamValue{{From: from, Value: int64(g.r.IntN(2000) - 100)}, {From: later, Value: int64(g.r.IntN(2000))}}},
			{Name: "ib", Type: policy.ParamInt, Values: []policy.ParamValue{{From: from, Value: ib}}},
			{Name: "da", Type: policy.ParamDouble, Values: []policy.ParamValue{{From: from, Value: g.r.Float64() - 0.2}}},
			{Name: "s", Type: policy.ParamString, Values: []policy.ParamValue{{From: from, Value: g.pick([]string{"ai", "440106", "small", ""})}}},
			{Name: "b", Type: policy.ParamBool, Values: []policy.ParamValue{{From: from, Value: g.r.IntN(2) == 0}}},
			{Name: "ic", Type: policy.ParamInt, Values: []policy.ParamValue{{From: from, Value: int64(g.r.IntN(20000))}}},
			{Name: "rt", Type: policy.ParamRate, Values: []policy.ParamValue{{From: from, Value: policy.Rate{Num: int64(g.r.IntN(200_000)), Scale: 5}}}},
		},
		Amount: policy.Amount{Expr: g.amountExpr(3)},
	}
	p.Amount.Rounding.Mode = []policy.RoundMode{"", policy.RoundDown, policy.RoundHalfUp}[g.r.IntN(3)]
	if g.r.IntN(3) == 0 {
		p.Amount.CapFen = chanye.Fen(g.r.IntN(1_000_000))
	}
	if g.r.IntN(2) == 0 {
		p.Amount.Rounding.To = []policy.RoundUnit{"", policy.RoundFen, policy.RoundYuan, policy.RoundWan}[g.r.IntN(4)]
	} else if p.Amount.Rounding.Mode == "" {
		p.Amount.Floor = []policy.Floor{"", policy.FloorYuan, policy.FloorWan}[g.r.IntN(3)]
	}
	for i := range 1 + g.r.IntN(3) {
		p.Conds = append(p.Conds, policy.Condition{ID: "c" + strconv.Itoa(i), LabelZH: "条件", LabelEN: "cond", Expr: g.boolExpr(3)})
	}
	return p
}

func mustDateV(s string) chanye.Date {
	d, err := chanye.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// randomSubjects makes enterprises with edge values: zeros, extremes, NaN
// and infinities, empty strings and lists, and missing values (unknown to
// the rules) of every kind but the run's as_of and policy_year.
func randomSubjects(n int, asOf chanye.Date, seed uint64, varyYear bool) []policy.Subject {
	r := rand.New(rand.NewPCG(seed, 4))
	edgeInts := []int64{0, 1, -1, 2, 3, 5, 100, 2025, 2024, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, 1 << 32, -(1 << 40), 10000}
	edgeDbls := []float64{0, math.Copysign(0, -1), 0.03, 0.15, 1, -1, math.NaN(), math.Inf(1), math.Inf(-1), 9.3e18, -9.3e18, 1e300, 0.5}
	words := []string{"", "440106", "440112", "44", "13", "small", "large", "ai", "1", "0", "中文"}
	out := make([]policy.Subject, n)
	for k := range out {
		vals, missing := make([]any, len(schema)), make([]bool, len(schema))
		for i, v := range schema {
			switch v.Type {
			case "int":
				switch {
				case v.Name == "as_of":
					vals[i] = int64(20250630)
				case v.Name == "policy_year" && !varyYear:
					vals[i] = int64(2025)
				case r.IntN(3) == 0:
					vals[i] = edgeInts[r.IntN(len(edgeInts))]
				default:
					vals[i] = int64(r.IntN(4000) - 500)
				}
			case "double":
				if r.IntN(3) == 0 {
					vals[i] = edgeDbls[r.IntN(len(edgeDbls))]
				} else {
					vals[i] = r.Float64()*2 - 0.5
				}
			case "string":
				vals[i] = words[r.IntN(len(words))]
			case "bool":
				vals[i] = r.IntN(2) == 0
			default:
				var l []string
				for range r.IntN(5) {
					l = append(l, genIndustries[r.IntN(len(genIndustries))])
				}
				vals[i] = append([]string{}, l...)
			}
			if missable(v.Name) && r.IntN(7) == 0 {
				missing[i] = true
			}
		}
		out[k] = policy.SubjectOf(fmt.Sprintf("R%06d", k), asOf, vals, missing)
	}
	return out
}

// missable are the variables randomSubjects may leave missing: every
// kind, but not as_of and policy_year (the run's), e.fyN.reported, the
// tiers' years, dates and levels and the fiscal years past the third, so
// that the columns with missing rows fit the 64 slots of a needs mask and
// the needs are compared exactly. TestDifferentialFiscalYears leaves the
// older years missing.
func missable(name string) bool {
	switch {
	case name == "as_of", name == "policy_year", strings.HasSuffix(name, ".reported"),
		strings.HasPrefix(name, "e.tier.") && !strings.HasSuffix(name, ".held"),
		policy.FiscalYearOf(name) > policy.DefaultFiscalYears:
		return false
	}
	return true
}

// Tunings the differential tests run under besides the default: every
// condition and amount over the whole chunk, and every one over the
// selected rows, so that both ways of evaluating meet every rule.
var testTunings = []struct {
	name string
	tu   tuning
}{
	{"default", defaultTuning},
	{"whole chunks", tuning{condSparse: 1 << 30, amountSparse: 1 << 30}},
	{"selected rows", tuning{}},
}

// compareRuns requires the fast path and the reference to decide alike:
// the same verdict for every row (eligible, not eligible, needs data,
// error), the same amount for an eligible row and the same figures needed
// for a needs-data one — unless more than 64 columns have missing rows
// (Result.Shared), when a needs mask names only the first 64 and the
// engine, too, keeps the reference's needs without comparing. The
// reference decides each policy once, policies spread over the cores, and
// every tuning's run is held to it.
func compareRuns(t *testing.T, subjects []policy.Subject, pols []*policy.Compiled, asOf chanye.Date) {
	t.Helper()
	prog := Compile(asOf, pols...)
	cols, err := NewColumns(len(subjects), prog.Reads()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subjects {
		cols.Append(s)
	}
	cols.seal() // before the runs share the columns
	results := make([]Result, len(testTunings))
	var runs sync.WaitGroup
	for m, tt := range testTunings {
		runs.Go(func() { results[m] = run(cols, tt.tu, []*Program{prog}) })
	}
	runs.Wait()
	var elig, needs, errs int
	for _, r := range results[0].Policies {
		elig, needs, errs = elig+r.Count, needs+r.NeedsCount, errs+r.ErrorCount
	}
	t.Logf("%d decisions: %d eligible, %d need data, %d in error", len(pols)*len(subjects), elig, needs, errs)
	msgs := make([][]string, len(pols)) // per policy, in row order
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= len(pols) {
					return
				}
				c := pols[k]
				amounts, needs := make([]int, len(testTunings)), make([]int, len(testTunings))
				for i, s := range subjects {
					d := c.Evaluate(s, asOf)
					for m, tt := range testTunings {
						r := &results[m].Policies[k]
						got := r.Verdict(i)
						var amt int64
						var need []policy.Need
						switch got {
						case policy.VerdictEligible:
							amt = r.Amounts[amounts[m]]
							amounts[m]++
						case policy.VerdictNeedsData:
							need = c.NeedsOf(s, asOf, results[m].NeedNames(r.Needs[needs[m]]))
							needs[m]++
						}
						if got != d.Status || amt != int64(d.AmountFen) || !results[m].Shared && fmt.Sprint(need) != fmt.Sprint(d.Needs) {
							msgs[k] = append(msgs[k], fmt.Sprintf("policy %s row %d (%s): fast %s amount %d needs %v, reference %s %d needs %v (%s)\nconds %q amount %q\n%s",
								c.Policy.ID, i, tt.name, got, amt, need, d.Status, d.AmountFen, d.Needs, d.Err, exprs(c.Policy), c.Policy.Amount.Expr, d.Explain()))
						}
					}
				}
				for m, tt := range testTunings {
					if r := &results[m].Policies[k]; amounts[m] != r.Count || needs[m] != r.NeedsCount {
						msgs[k] = append(msgs[k], fmt.Sprintf("policy %s (%s): %d amounts, count %d; %d needs, count %d", c.Policy.ID, tt.name, amounts[m], r.Count, needs[m], r.NeedsCount))
					}
				}
			}
		})
	}
	wg.Wait()
	bad := 0
	for _, ms := range msgs {
		for _, m := range ms {
			if bad++; bad <= 10 {
				t.Error(m)
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d mismatches in all", bad)
	}
}

// sharedNeeds reports whether a run of prog over subjects shares the last
// slot of its needs masks (Result.Shared).
func sharedNeeds(t *testing.T, subjects []policy.Subject, prog *Program) bool {
	t.Helper()
	cols, err := NewColumns(len(subjects), prog.Reads()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subjects {
		cols.Append(s)
	}
	return Run(cols, prog).Shared
}

func exprs(p *policy.Policy) []string {
	var out []string
	for _, c := range p.Conds {
		out = append(out, c.Expr)
	}
	return out
}

func TestDifferentialRandomRules(t *testing.T) {
	t.Parallel()
	rules, rows := sized(1500), 400
	g := newRuleGen(20250630)
	asOf := mustDate(t, "2025-06-30")
	// The rules are generated in order and compiled on every core; the
	// first that compile are kept (one may be over the cost limit).
	var pols []*policy.Compiled
	for k := 0; len(pols) < rules; {
		batch := make([]*policy.Policy, rules-len(pols)+10)
		for i := range batch {
			batch[i] = genPolicy(g, k)
			k++
		}
		compiled := make([]*policy.Compiled, len(batch))
		var next atomic.Int64
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(batch); i = int(next.Add(1) - 1) {
					if c, err := policy.Compile(batch[i]); err == nil {
						compiled[i] = c
					}
				}
			})
		}
		wg.Wait()
		for _, c := range compiled {
			if c != nil && len(pols) < rules {
				pols = append(pols, c)
			}
		}
	}
	prog := Compile(asOf, pols...)
	t.Logf("%d rules: %d expressions native, %d to cel-go, %d shared nodes", len(pols), prog.Native, prog.Fallback, prog.Nodes())
	if prog.Native < 4*prog.Fallback {
		t.Errorf("only %d of %d expressions native", prog.Native, prog.Native+prog.Fallback)
	}
	for i, vary := range []bool{false, true} {
		subjects := randomSubjects(rows, asOf, uint64(i+1), vary)
		if shared := sharedNeeds(t, subjects, prog); shared {
			t.Errorf("more than 64 columns with missing rows: the needs would not be compared")
		}
		compareRuns(t, subjects, pols, asOf)
	}
	// Generated enterprises keep their int columns in 16 and 32 bits.
	compareRuns(t, SyntheticSubjects(200, asOf, 3), pols, asOf)
}

func TestDifferentialShipped(t *testing.T) {
	t.Parallel()
	var pols []*policy.Compiled
	for _, p := range policy.Shipped() {
		c, err := policy.Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		pols = append(pols, c)
	}
	more, err := RealisticPolicies(30, 7)
	if err != nil {
		t.Fatal(err)
	}
	pols = append(pols, more...)
	for _, day := range []string{"2024-12-31", "2025-06-30", "2025-12-31", "2026-03-01"} {
		asOf := mustDate(t, day)
		prog := Compile(asOf, pols...)
		if prog.Fallback > 0 {
			t.Errorf("%s: %d shipped expressions fall back to cel-go", day, prog.Fallback)
		}
		compareRuns(t, SyntheticSubjects(3000, asOf, 11), pols, asOf)
		compareRuns(t, randomSubjects(1000, asOf, 12, true), pols[:6], asOf)
	}
}

// TestDifferentialAtTheGrantBound: amounts at and above chanye.MaxGrantFen,
// and formulas that overflow, are decided alike by the fast path and the
// reference: above the bound or overflowing is not eligible (issue 8).
func TestDifferentialAtTheGrantBound(t *testing.T) {
	t.Parallel()
	asOf := mustDate(t, "2025-06-30")
	var pols []*policy.Compiled
	for i, expr := range []string{"e.fy1.revenue / 10000", "e.fy1.revenue / 10000 + e.fy1.employees", "e.fy1.revenue * 1000",
		"e.fy1.revenue / 5000 / 2", "e.fy1.revenue - 9223372036854775807 - 2"} {
		p := &policy.Policy{ID: fmt.Sprintf("bound-%d", i), Version: 1, Status: policy.StatusDraft, TitleZH: "t", TitleEN: "t",
			Document: "d", Issuer: "i", Mode: policy.ModeNoApplication, Effective: policy.Period{From: mustDate(t, "2025-01-01")},
			Conds:  []policy.Condition{{ID: "reported", LabelZH: "l", LabelEN: "l", Expr: "e.fy1.reported"}},
			Amount: policy.Amount{Expr: expr}}
		c, err := policy.Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		pols = append(pols, c)
	}
	var subjects []policy.Subject
	for _, rev := range []int64{0, 1, int64(chanye.MaxGrantFen) * 10000, int64(chanye.MaxGrantFen)*10000 + 9999, int64(chanye.MaxGrantFen)*10000 + 10000,
		int64(chanye.MaxFactFen), math.MaxInt64} {
		for _, emp := range []int64{0, 1} {
			e := &chanye.Enterprise{Code: "91440101MA59TEST0X", DistrictCode: "440106", IndustryClass: "3562", Founded: mustDate(t, "2015-03-10"),
				Facts: []*chanye.Facts{{Year: 2024, Revenue: (*chanye.Fen)(&rev), Employees: &emp}}}
			subjects = append(subjects, policy.NewSubject(e, asOf))
		}
	}
	compareRuns(t, subjects, pols, asOf)
	res := Run(func() *Columns {
		prog := Compile(asOf, pols[0])
		cols, _ := NewColumns(len(subjects), prog.Reads()...)
		for _, s := range subjects {
			cols.Append(s)
		}
		return cols
	}(), Compile(asOf, pols[0]))
	r := res.Policies[0]
	for _, a := range r.Amounts {
		if a < 0 || a > int64(chanye.MaxGrantFen) {
			t.Errorf("amount %d outside [0, MaxGrantFen]", a)
		}
	}
	if r.Overflow || r.TotalFen != int64(chanye.MaxGrantFen)*6 {
		t.Errorf("total %d (overflow %v), want six grants at the bound", r.TotalFen, r.Overflow)
	}
}

// TestUnknownsErrorsAndExactAmountsInBothEvaluators: a firm with no facts
// needs data under "营收 < 2000 万元" (with the figure named), a division by
// zero is an error, and 3,450,994 元 × 0.35 is 1,207,847.90 元 — in the
// fast path as in the reference (issue 9, points 1, 2 and 7).
func TestUnknownsErrorsAndExactAmountsInBothEvaluators(t *testing.T) {
	t.Parallel()
	asOf := mustDate(t, "2025-06-30")
	from := mustDate(t, "2025-01-01")
	mk := func(id, cond, amount string) *policy.Compiled {
		p := &policy.Policy{ID: id, Version: 1, Status: policy.StatusDraft, TitleZH: "t", TitleEN: "t", Document: "d", Issuer: "i",
			Mode: policy.ModeNoApplication, Effective: policy.Period{From: from},
			Params: []policy.Param{
				{Name: "max_revenue", Type: policy.ParamInt, Money: true, Values: []policy.ParamValue{{From: from, Value: int64(2_000_000_000)}}},
				{Name: "rate", Type: policy.ParamRate, Values: []policy.ParamValue{{From: from, Value: policy.Rate{Num: 35, Scale: 2}}}},
			},
			Conds:  []policy.Condition{{ID: "c", LabelZH: "l", LabelEN: "l", Expr: cond}},
			Amount: policy.Amount{Expr: amount, Rounding: policy.Rounding{Mode: policy.RoundHalfUp, To: policy.RoundFen}}}
		c, err := policy.Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pols := []*policy.Compiled{
		mk("small", "e.fy1.revenue < p.max_revenue", "100000"),
		mk("per-head", "e.fy1.revenue / e.fy1.employees > 100", "100000"),
		mk("rate", "e.fy1.reported", "e.fy1.revenue * p.rate"),
	}
	ent := func(facts ...*chanye.Facts) policy.Subject {
		e := &chanye.Enterprise{Code: "91440101MA59TEST0X", DistrictCode: "440106", IndustryClass: "3562", Founded: mustDate(t, "2015-03-10"), Facts: facts}
		return policy.NewSubject(e, asOf)
	}
	rev, zero := chanye.Fen(345_099_400), int64(0)
	subjects := []policy.Subject{ent(), ent(&chanye.Facts{Year: 2024, Revenue: &rev, Employees: &zero})}
	compareRuns(t, subjects, pols, asOf)

	prog := Compile(asOf, pols...)
	if prog.Fallback > 0 {
		t.Errorf("%d expressions fall back to cel-go", prog.Fallback)
	}
	cols, _ := NewColumns(len(subjects), prog.Reads()...)
	for _, s := range subjects {
		cols.Append(s)
	}
	res := Run(cols, prog)
	small, perHead, rate := &res.Policies[0], &res.Policies[1], &res.Policies[2]
	if v := small.Verdict(0); v != policy.VerdictNeedsData || fmt.Sprint(res.NeedNames(small.Needs[0])) != "[e.fy1.revenue]" {
		t.Errorf("no facts, revenue below 2000 万元: %s needs %v", v, res.NeedNames(small.Needs[0]))
	}
	if v := perHead.Verdict(1); v != policy.VerdictError || perHead.ErrorCount != 1 {
		t.Errorf("division by zero: %s, %d errors", v, perHead.ErrorCount)
	}
	if rate.Verdict(1) != policy.VerdictEligible || rate.Amounts[0] != 120_784_790 {
		t.Errorf("3,450,994 元 × 0.35: %s %v, want 120784790 fen", rate.Verdict(1), rate.Amounts)
	}
}

// TestDifferentialFiscalYears: a policy that declares more fiscal years than
// three reads e.fy5 and e.fy10 alike in the fast path and the reference, on
// enterprises with facts over ten years, some of them missing (issue 9).
func TestDifferentialFiscalYears(t *testing.T) {
	t.Parallel()
	asOf := mustDate(t, "2026-03-31")
	var pols []*policy.Compiled
	for i, tc := range []struct {
		years     int
		cond, amt string
	}{
		{5, "e.fy5.reported && e.fy1.revenue >= 2 * e.fy5.revenue", "(e.fy1.revenue - e.fy5.revenue) / 100"},
		{10, "e.fy10.employees > 0 && e.fy10.revenue < e.fy6.revenue", "e.fy10.rd_spending + e.fy7.equipment_purchases / 10"},
		{6, "e.fy6.rd_ratio >= 0.03 || e.fy4.rd_staff_ratio > 0.1", "e.fy6.rd_spending / 20"},
	} {
		p := &policy.Policy{ID: fmt.Sprintf("years-%d", i), Version: 1, Status: policy.StatusDraft, TitleZH: "t", TitleEN: "t",
			Document: "d", Issuer: "i", Mode: policy.ModeNoApplication, Effective: policy.Period{From: mustDate(t, "2025-01-01")},
			FiscalYears: tc.years, Conds: []policy.Condition{{ID: "c", LabelZH: "l", LabelEN: "l", Expr: tc.cond}},
			Amount: policy.Amount{Expr: tc.amt}}
		c, err := policy.Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		pols = append(pols, c)
	}
	r := rand.New(rand.NewPCG(5, 5))
	var subjects []policy.Subject
	for k := range 600 {
		e := &chanye.Enterprise{Code: fmt.Sprintf("Y%05d", k), DistrictCode: "440106", IndustryClass: "3562", Founded: mustDate(t, "2010-01-01")}
		for y := 2015; y <= 2025; y++ {
			if r.IntN(5) == 0 {
				continue // a year not reported
			}
			rev, rd, emp, staff, eq := chanye.Fen(r.Int64N(1e12)), chanye.Fen(r.Int64N(1e10)), r.Int64N(2000), r.Int64N(300), chanye.Fen(r.Int64N(1e9))
			staff = min(staff, emp)
			e.Facts = append(e.Facts, &chanye.Facts{Year: y, Revenue: &rev, RDSpending: &rd, Employees: &emp, RDStaff: &staff, EquipmentPurchases: &eq})
		}
		subjects = append(subjects, policy.NewSubject(e, asOf))
	}
	prog := Compile(asOf, pols...)
	if prog.Fallback > 0 {
		t.Errorf("%d expressions reading older fiscal years fall back to cel-go", prog.Fallback)
	}
	eligible := 0
	for _, s := range subjects {
		if pols[0].Evaluate(s, asOf).Eligible {
			eligible++
		}
	}
	if eligible == 0 || eligible == len(subjects) {
		t.Errorf("%d of %d eligible for the fy5 policy: the data does not exercise it", eligible, len(subjects))
	}
	compareRuns(t, subjects, pols, asOf)
	compareRuns(t, SyntheticSubjects(2000, asOf, 9), pols, asOf)
}

// sized is n, or a quarter of it under -short: CI's second pass of the
// suite, with the test clock moved years ahead, runs the differential
// tests smaller (they read no clock; the first pass runs them whole).
func sized(n int) int {
	if testing.Short() {
		return max(n/4, 1)
	}
	return n
}
