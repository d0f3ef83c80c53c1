package vector

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// genInputPolicy is a random policy reading declared inputs of every type,
// from either source first, mixed with the random schema rules.
func genInputPolicy(g *ruleGen, k int) *policy.Policy {
	p := genPolicy(g, k)
	p.ID = fmt.Sprintf("in-%d", k)
	p.Inputs = []policy.Input{
		{Name: "equipment_investment", Type: policy.InputMoney, LabelZH: "设备投资额", LabelEN: "equipment", From: []policy.InputSource{policy.SourceProject, policy.SourceApplication}},
		{Name: "finished_on", Type: policy.InputDate, LabelZH: "竣工日期", LabelEN: "finished", From: []policy.InputSource{policy.SourceApplication, policy.SourceProject}},
		{Name: "share", Type: policy.InputRatio, LabelZH: "占比", LabelEN: "share", From: []policy.InputSource{policy.SourceApplication}},
		{Name: "staff", Type: policy.InputInt, LabelZH: "人数", LabelEN: "staff", From: []policy.InputSource{policy.SourceApplication}},
		{Name: "flag", Type: policy.InputBool, LabelZH: "是否", LabelEN: "flag", From: []policy.InputSource{policy.SourceApplication}},
	}
	p.Application = &policy.ApplicationRule{ReviewDays: 5}
	conds := []string{
		"input.equipment_investment >= p.ia * 1000",
		"input.share >= p.da",
		"input.flag",
		"!input.flag || e.fy1.employees > 50",
		"input.staff > e.fy1.employees / 10",
		"input.finished_on >= as_of - 30000 && input.finished_on <= as_of",
		"input.share * 100.0 > e.fy1.rd_ratio",
		"input.staff == 0 || input.equipment_investment / input.staff > 1000",
		g.boolExpr(2),
	}
	amounts := []string{
		"input.equipment_investment * p.rt",
		"math.least([input.equipment_investment * p.rt, p.ic])",
		"input.staff * 100 + (input.flag ? 5 : 0)",
		"(input.share > 0.5 ? input.equipment_investment : 0) + p.ic",
		g.amountExpr(2),
	}
	p.Conds = nil
	for i := range 1 + g.r.IntN(3) {
		x := conds[g.r.IntN(len(conds))]
		if g.r.IntN(3) == 0 {
			x = "(" + x + ") " + g.pick([]string{"&&", "||"}) + " (" + conds[g.r.IntN(len(conds))] + ")"
		}
		p.Conds = append(p.Conds, policy.Condition{ID: "c" + strconv.Itoa(i), LabelZH: "条件", LabelEN: "cond", Expr: x})
	}
	p.Amount.Expr = amounts[g.r.IntN(len(amounts))]
	return p
}

// withRandomInputs gives about half the subjects input values, from the
// project, an application of one of pols, or both; some out of bounds
// (which no evaluator reads).
func withRandomInputs(subjects []policy.Subject, pols []*policy.Compiled, asOf chanye.Date, seed uint64) []policy.Subject {
	r := rand.New(rand.NewPCG(seed, 5))
	money := []int64{0, 1, 99, 1_000_000, 123_456_789_01, int64(chanye.MaxFactFen), -1, int64(chanye.MaxFactFen) + 1}
	value := func(name string) any {
		switch name {
		case "equipment_investment", "plant_investment":
			if r.IntN(3) == 0 {
				return money[r.IntN(len(money))]
			}
			return int64(r.IntN(1_000_000_000))
		case "finished_on":
			return chanye.Date{Time: asOf.AddDate(0, 0, r.IntN(1600)-1400)}
		case "share":
			return policy.Rate{Num: int64(r.IntN(1200)), Scale: 3} // up to 120 %: past 100 % is out of bounds
		case "staff":
			return int64(r.IntN(300))
		case "flag":
			return r.IntN(2) == 0
		}
		return nil
	}
	names := []string{"equipment_investment", "plant_investment", "finished_on", "share", "staff", "flag"}
	out := make([]policy.Subject, len(subjects))
	for i, s := range subjects {
		out[i] = s
		if r.IntN(2) == 0 {
			continue
		}
		ins := &policy.Inputs{Project: map[string]any{}, Applied: map[string]map[string]any{}}
		for _, n := range names {
			if r.IntN(3) == 0 {
				ins.Project[n] = value(n)
			}
		}
		for range 1 + r.IntN(3) {
			id := pols[r.IntN(len(pols))].Policy.ID
			m := map[string]any{}
			for _, n := range names {
				if r.IntN(4) != 0 {
					m[n] = value(n)
				}
			}
			ins.Applied[id] = m
		}
		out[i] = s.WithInputs(ins)
	}
	return out
}

// TestDifferentialInputs: declared inputs — held or not, from the project
// or an application, in bounds or not — are decided alike by the fast path
// (opInput) and the reference, with the same inputs needed.
func TestDifferentialInputs(t *testing.T) {
	t.Parallel()
	g := newRuleGen(20261206)
	var pols []*policy.Compiled
	for _, p := range policy.Shipped() {
		if len(p.Inputs) > 0 {
			c, err := policy.Compile(p)
			if err != nil {
				t.Fatal(err)
			}
			pols = append(pols, c)
		}
	}
	for k := 0; len(pols) < sized(60); k++ {
		if c, err := policy.Compile(genInputPolicy(g, k)); err == nil {
			pols = append(pols, c)
		} else if k > 1000 {
			t.Fatal(err)
		}
	}
	for _, day := range []string{"2025-06-30", "2026-03-15"} {
		asOf := mustDate(t, day)
		prog := Compile(asOf, pols...)
		inputReads := 0
		for _, n := range prog.nodes {
			if n.op == opInput {
				inputReads++
			}
		}
		if inputReads == 0 {
			t.Fatalf("%s: no input is read natively", day)
		}
		t.Logf("%s: %d expressions native, %d to cel-go, %d input nodes", day, prog.Native, prog.Fallback, inputReads)
		synth := withRandomInputs(SyntheticSubjects(sized(1000), asOf, 21), pols, asOf, 1)
		if sharedNeeds(t, synth, prog) {
			t.Errorf("%s: needs shared: they would not be compared", day)
		}
		compareRuns(t, synth, pols, asOf)
		compareRuns(t, withRandomInputs(randomSubjects(sized(200), asOf, 22, true), pols, asOf, 2), pols, asOf)
	}
}

// TestRetrofitFastPathAmounts runs the retrofit policy's cases through the
// fast path: the amounts to the fen, and needs data without figures.
func TestRetrofitFastPathAmounts(t *testing.T) {
	for _, p := range policy.Shipped() {
		if p.ID != "gz-tech-retrofit" {
			continue
		}
		c, err := policy.Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, cs := range p.Cases {
			prog := Compile(cs.AsOf, c)
			if prog.Fallback > 0 {
				t.Errorf("%d retrofit expressions fall back to cel-go", prog.Fallback)
			}
			cols, err := NewColumns(1, prog.Reads()...)
			if err != nil {
				t.Fatal(err)
			}
			cols.Append(cs.Subject(p.ID))
			res := Run(cols, prog)
			pr := &res.Policies[0]
			var amt int64
			if pr.Count == 1 {
				amt = pr.Amounts[0]
			}
			if pr.Verdict(0) != cs.Expect.Verdict() || amt != int64(cs.Expect.AmountFen) {
				t.Errorf("%s: fast path %s %d fen, want %s %d", cs.Name, pr.Verdict(0), amt, cs.Expect.Verdict(), cs.Expect.AmountFen)
			}
			if pr.NeedsCount == 1 {
				if got := strings.Join(res.NeedNames(pr.Needs[0]), " "); !strings.Contains(got, "input.") {
					t.Errorf("%s: needs %q name no input", cs.Name, got)
				}
			}
		}
		return
	}
	t.Fatal("gz-tech-retrofit is not shipped")
}
