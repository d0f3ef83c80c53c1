package policy

import (
	"fmt"

	"github.com/chanye-org/chanye"
)

// CaseResult is the outcome of one test case of a policy.
type CaseResult struct {
	Name     string   `json:"name"`
	Pass     bool     `json:"pass"`
	Want     Expect   `json:"want"`
	Decision Decision `json:"decision"`
	// Message says what differs, with the explanation; empty on a pass.
	Message string `json:"message,omitempty"`
}

// RunCases compiles p and runs its cases. A policy that does not compile
// returns the compile error and no results.
func RunCases(p *Policy) ([]CaseResult, error) {
	c, err := Compile(p)
	if err != nil {
		return nil, err
	}
	return c.RunCases(), nil
}

// RunCases runs the policy's cases with the reference evaluator and reports
// each mismatch with the explanation of the decision.
func (c *Compiled) RunCases() []CaseResult {
	out := make([]CaseResult, 0, len(c.Policy.Cases))
	for _, cs := range c.Policy.Cases {
		d := c.Evaluate(cs.Subject(c.Policy.ID), cs.AsOf)
		r := CaseResult{Name: cs.Name, Want: cs.Expect, Decision: d}
		want := cs.Expect.Verdict()
		r.Pass = d.Status == want && d.AmountFen == cs.Expect.AmountFen
		if !r.Pass {
			r.Message = fmt.Sprintf("期望%s、金额 %s 元，实为%s、金额 %s 元 / want %s ¥%s, got %s ¥%s\n%s",
				want.NameZH(), cs.Expect.AmountFen.Yuan(), d.Status.NameZH(), d.AmountFen.Yuan(),
				want.NameEN(), cs.Expect.AmountFen.Yuan(), d.Status.NameEN(), d.AmountFen.Yuan(), d.Explain())
		}
		out = append(out, r)
	}
	return out
}

// Coverage is what the cases of a policy exercise. A policy is published
// only when its cases decide at least one enterprise eligible and one not,
// and every condition is not met in at least one case (in the effective
// period, known to be false: neither in error nor left open by an unknown
// figure): a condition no case makes fail is one the cases do not show to
// matter, and a typo in it would go unnoticed. A case that needs data or
// fails counts as neither eligible nor ineligible.
type Coverage struct {
	Cases      int `json:"cases"`
	Eligible   int `json:"eligible"`   // cases decided eligible
	Ineligible int `json:"ineligible"` // cases decided not eligible (a known false)
	// Uncovered are the conditions no case makes fail, in policy order.
	Uncovered []Condition `json:"uncovered,omitempty"`
}

// CoverageOf measures the coverage of p's case results (RunCases).
func CoverageOf(p *Policy, results []CaseResult) Coverage {
	cv := Coverage{Cases: len(results)}
	failed := make([]bool, len(p.Conds))
	for _, r := range results {
		d := r.Decision
		switch d.Status {
		case VerdictEligible:
			cv.Eligible++
		case VerdictNotEligible:
			cv.Ineligible++
		}
		if !d.Active {
			continue
		}
		for i, o := range d.Conditions {
			if i < len(failed) && !o.Passed && !o.Unknown && o.Err == "" {
				failed[i] = true
			}
		}
	}
	for i, f := range failed {
		if !f {
			cv.Uncovered = append(cv.Uncovered, p.Conds[i])
		}
	}
	return cv
}

// Complete reports whether the cases are enough to publish.
func (cv Coverage) Complete() bool {
	return cv.Eligible > 0 && cv.Ineligible > 0 && len(cv.Uncovered) == 0
}

// Problems names what the cases lack, Chinese then English, keyed as field
// paths: "cases" for a missing eligible or ineligible case, conditions[i]
// for each condition no case makes fail. Empty when complete.
func (cv Coverage) Problems(p *Policy) map[string]string {
	out := map[string]string{}
	switch {
	case cv.Cases == 0:
		out["cases"] = "没有测试用例：至少需要一个符合条件和一个不符合条件的企业 / no test cases: at least one eligible and one ineligible enterprise are needed"
	case cv.Eligible == 0:
		out["cases"] = "用例中没有符合条件的企业 / no case is an eligible enterprise"
	case cv.Ineligible == 0:
		out["cases"] = "用例中没有不符合条件的企业 / no case is an ineligible enterprise"
	}
	for _, c := range cv.Uncovered {
		i := 0
		for i < len(p.Conds) && p.Conds[i].ID != c.ID {
			i++
		}
		out[fmt.Sprintf("conditions[%d]", i)] = fmt.Sprintf("条件 %s（%s）在所有用例中均满足：请增加一个不满足此条件的用例 / condition %s (%s) is met in every case: add a case where it is not met",
			c.ID, c.LabelZH, c.ID, c.LabelEN)
	}
	return out
}

// CanPublish reports whether p may be published: it compiles, every case
// passes and the cases cover it (Coverage). The error is EINVALID with
// Fields keyed cases[i] for failing cases, and as Coverage.Problems for what
// the cases lack.
func CanPublish(p *Policy) error {
	results, err := RunCases(p)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for i, r := range results {
		if !r.Pass {
			fields[fmt.Sprintf("cases[%d]", i)] = r.Name + "：" + r.Message
		}
	}
	failing := len(fields) > 0
	problems := CoverageOf(p, results).Problems(p)
	for k, v := range problems {
		fields[k] = v
	}
	switch {
	case len(problems) == 0:
		return chanye.Invalid(fmt.Sprintf("政策 %s 有未通过的测试用例，不能发布 / policy %s has failing cases and cannot be published", p.ID, p.ID), fields)
	case !failing:
		return chanye.Invalid(fmt.Sprintf("政策 %s 的测试用例不完整，不能发布 / the cases of policy %s are incomplete: it cannot be published", p.ID, p.ID), fields)
	}
	return chanye.Invalid(fmt.Sprintf("政策 %s 有未通过的测试用例且用例不完整，不能发布 / policy %s has failing and incomplete cases and cannot be published", p.ID, p.ID), fields)
}

// Subject is the case's enterprise as the rules of policy id see it on its
// as-of day, with its inputs.
func (cs *Case) Subject(id string) Subject {
	return NewSubject(cs.Enterprise, cs.AsOf).WithInputs(cs.inputs(id))
}

// inputs are the case's input values as every source of policy id would
// hold them.
func (cs *Case) inputs(id string) *Inputs {
	if cs.Inputs == nil {
		return nil
	}
	return &Inputs{Project: cs.Inputs, Scenario: cs.Inputs, Applied: map[string]map[string]any{id: cs.Inputs}}
}
