package policy

import (
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/common/types"
)

// Decision is what a policy decides for one enterprise on one as-of date,
// with the reasons. Status is the verdict: eligible, not eligible, needs
// data (an unknown figure decides the outcome: Needs lists the figures) or
// error (a condition or the amount formula failed: Err says why). Only an
// eligible decision has an amount.
type Decision struct {
	PolicyID   string         `json:"policy_id"`
	Version    int            `json:"version"`
	Code       string         `json:"code"`
	AsOf       chanye.Date    `json:"as_of"`
	Active     bool           `json:"active"` // the as-of date lies in the effective period
	Status     Verdict        `json:"status"`
	Eligible   bool           `json:"eligible"`        // Status is eligible
	AmountFen  chanye.Fen     `json:"amount_fen"`      // only when eligible: rounded, capped, never negative
	FormulaFen chanye.Fen     `json:"formula_fen"`     // the amount formula's value before rounding and the cap
	Capped     bool           `json:"capped"`          // the cap lowered the amount
	Params     map[string]any `json:"params"`          // parameter values in force
	Conditions []Outcome      `json:"conditions"`      // in policy order
	Missing    int            `json:"missing"`         // conditions not met (false)
	Unknown    int            `json:"unknown"`         // conditions an unknown figure leaves open
	NearMiss   bool           `json:"near_miss"`       // active and missed by exactly one condition, none open or failing
	Needs      []Need         `json:"needs,omitempty"` // needs data: the figures it waits for
	Err        string         `json:"error,omitempty"` // the evaluation failed; Status is error
	// Adjustments are what the relations with other policies or the
	// budget did (Resolver.Apply): Status excluded with the reason, or a
	// lower AmountFen.
	Adjustments []Adjustment `json:"adjustments,omitempty"`
}

// Outcome is one condition's result and the values it saw: passed, not
// passed, unknown (an unknown figure leaves it open) or an error.
type Outcome struct {
	ID      string  `json:"id"`
	LabelZH string  `json:"label_zh"`
	LabelEN string  `json:"label_en"`
	Clause  string  `json:"clause,omitempty"`
	Passed  bool    `json:"passed"`
	Unknown bool    `json:"unknown,omitempty"`
	Err     string  `json:"error,omitempty"`
	Values  []Value `json:"values"`
	Gaps    []Gap   `json:"gaps,omitempty"` // failed numeric comparisons
}

// Value is a variable or parameter read by a condition and its value;
// Missing means the figure was not reported (its value is unknown). TextZH
// and TextEN show it with its label and unit, as explanations print it.
type Value struct {
	Name    string `json:"name"`
	Value   any    `json:"value"`
	Missing bool   `json:"missing,omitempty"`
	TextZH  string `json:"text_zh,omitempty"`
	TextEN  string `json:"text_en,omitempty"`
}

// Gap is how far a failed comparison is from passing.
type Gap struct {
	Variable  string `json:"variable"`
	Op        string `json:"op"` // >=, >, <, <=, ==
	Have      any    `json:"have"`
	Need      any    `json:"need"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

// Evaluate decides the policy for subject s as of day asOf with cel-go's
// interpreter, the reference evaluator. Every condition is evaluated, even
// after one fails, so that the explanation is complete. The conditions are
// joined as CEL joins &&, an error counting before an unknown: a condition
// that is false makes the decision not eligible whatever the others are;
// otherwise a condition in error makes it an error, else an unknown one
// makes it needs data, needing the figures those conditions read; all
// true, the amount formula decides the amount (or an error, or needs data
// when it reads an unknown figure, needing those).
func (c *Compiled) Evaluate(s Subject, asOf chanye.Date) Decision {
	p := c.Policy
	d := Decision{PolicyID: p.ID, Version: p.Version, Code: s.Code, AsOf: asOf, Active: p.Effective.Contains(asOf), Status: VerdictNotEligible}
	params, err := p.ParamsAt(asOf)
	if err != nil {
		if d.Active { // outside the period a parameter without a value is expected
			d.Status, d.Err = VerdictError, err.Error()
		}
		return d
	}
	d.Params = params
	inputs, inUnknown := c.InputActivation(s.inputs)
	act := partial{activation: activation{s: &s, params: params, inputs: inputs}, unknowns: append(s.UnknownPatterns(c.reads), inUnknown...)}
	var unknown []string
	firstErr := ""
	for i, cd := range p.Conds {
		x := c.conds[i]
		o := Outcome{ID: cd.ID, LabelZH: cd.LabelZH, LabelEN: cd.LabelEN, Clause: cd.Clause}
		out, det, err := x.prg.Eval(act)
		switch {
		case err != nil:
			o.Err = err.Error()
			if firstErr == "" {
				firstErr = fmt.Sprintf("条件 %s 无法计算 / condition %s failed: %s", cd.ID, cd.ID, o.Err)
			}
		case types.IsUnknown(out):
			o.Unknown = true
			d.Unknown++
			unknown = append(unknown, unknownNames(out)...)
		case out == types.True:
			o.Passed = true
		default:
			d.Missing++
		}
		for _, name := range x.reads {
			v, _ := act.ResolveName(name)
			val := Value{Name: name, Value: v, Missing: s.Missing(name)}
			if strings.HasPrefix(name, InputPrefix) {
				_, held := inputs[name]
				val.Missing = !held
			}
			val.TextZH, val.TextEN = c.valueText(name, v, val.Missing)
			o.Values = append(o.Values, val)
		}
		if !o.Passed && !o.Unknown && o.Err == "" && det != nil {
			o.Gaps = x.gaps(det.State(), c)
		}
		d.Conditions = append(d.Conditions, o)
	}
	d.NearMiss = d.Active && d.Missing == 1 && d.Unknown == 0 && firstErr == ""
	switch {
	case !d.Active || d.Missing > 0:
		return d
	case firstErr != "":
		d.Status, d.Err = VerdictError, firstErr
		return d
	}
	if d.Unknown > 0 {
		d.Status, d.Needs = VerdictNeedsData, c.NeedsOf(s, asOf, unknown)
		return d
	}
	out, _, err := c.amount.prg.Eval(act)
	switch {
	case err != nil:
		d.Status, d.Err = VerdictError, "金额公式无法计算 / the amount formula failed: "+err.Error()
		return d
	case types.IsUnknown(out):
		d.Status, d.Needs = VerdictNeedsData, c.NeedsOf(s, asOf, unknownNames(out))
		return d
	}
	raw := chanye.Fen(out.(types.Int))
	d.FormulaFen = raw
	amt, capped, problem := p.Amount.Final(raw)
	if problem != "" {
		d.Status, d.Err = VerdictError, problem
		return d
	}
	d.Status, d.Eligible, d.AmountFen, d.Capped = VerdictEligible, true, amt, capped
	return d
}
