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
		d := c.Evaluate(NewSubject(cs.Enterprise, cs.AsOf), cs.AsOf)
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

// CanPublish reports whether p may be published: it compiles and every case
// passes. The error is EINVALID with Fields keyed cases[i] for failing cases.
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
	return chanye.Invalid(fmt.Sprintf("政策 %s 有未通过的测试用例，不能发布 / policy %s has failing cases and cannot be published", p.ID, p.ID), fields)
}
