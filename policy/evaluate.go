package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// Decision is what a policy decides for one enterprise on one as-of date,
// with the reasons.
type Decision struct {
	PolicyID   string         `json:"policy_id"`
	Version    int            `json:"version"`
	Code       string         `json:"code"`
	AsOf       chanye.Date    `json:"as_of"`
	Active     bool           `json:"active"` // the as-of date lies in the effective period
	Eligible   bool           `json:"eligible"`
	AmountFen  chanye.Fen     `json:"amount_fen"`      // only when eligible: floored, capped, never negative
	FormulaFen chanye.Fen     `json:"formula_fen"`     // the amount formula's value before flooring and the cap
	Capped     bool           `json:"capped"`          // the cap lowered the amount
	Params     map[string]any `json:"params"`          // parameter values in force
	Conditions []Outcome      `json:"conditions"`      // in policy order
	Missing    int            `json:"missing"`         // conditions not met
	NearMiss   bool           `json:"near_miss"`       // active and missed by exactly one condition
	Err        string         `json:"error,omitempty"` // evaluation failed; the decision is not eligible
}

// Outcome is one condition's result and the values it saw.
type Outcome struct {
	ID      string  `json:"id"`
	LabelZH string  `json:"label_zh"`
	LabelEN string  `json:"label_en"`
	Clause  string  `json:"clause,omitempty"`
	Passed  bool    `json:"passed"`
	Err     string  `json:"error,omitempty"`
	Values  []Value `json:"values"`
	Gaps    []Gap   `json:"gaps,omitempty"` // failed numeric comparisons
}

// Value is a variable read by a condition and its value; Missing means the
// underlying figure was not reported.
type Value struct {
	Name    string `json:"name"`
	Value   any    `json:"value"`
	Missing bool   `json:"missing,omitempty"`
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
// after one fails, so that the explanation is complete.
func (c *Compiled) Evaluate(s Subject, asOf chanye.Date) Decision {
	p := c.Policy
	d := Decision{PolicyID: p.ID, Version: p.Version, Code: s.Code, AsOf: asOf, Active: p.Effective.Contains(asOf)}
	params, err := p.ParamsAt(asOf)
	if err != nil {
		if d.Active { // outside the period a parameter without a value is expected
			d.Err = err.Error()
		}
		return d
	}
	d.Params = params
	act := activation{s: &s, params: params}
	for i, cd := range p.Conds {
		x := c.conds[i]
		o := Outcome{ID: cd.ID, LabelZH: cd.LabelZH, LabelEN: cd.LabelEN, Clause: cd.Clause}
		out, det, err := x.prg.Eval(act)
		switch {
		case err != nil:
			o.Err = err.Error()
		case out == types.True:
			o.Passed = true
		}
		for _, name := range x.reads {
			v, _ := act.ResolveName(name)
			o.Values = append(o.Values, Value{Name: name, Value: v, Missing: s.Missing(name)})
		}
		if !o.Passed && det != nil {
			o.Gaps = x.gaps(det.State(), p)
		}
		if !o.Passed {
			d.Missing++
		}
		d.Conditions = append(d.Conditions, o)
	}
	d.Eligible = d.Active && d.Missing == 0
	d.NearMiss = d.Active && d.Missing == 1
	if !d.Eligible {
		return d
	}
	out, _, err := c.amount.prg.Eval(act)
	if err != nil {
		d.Eligible, d.Err = false, "金额公式无法计算 / the amount formula failed: "+err.Error()
		return d
	}
	raw := chanye.Fen(out.(types.Int))
	d.FormulaFen = raw
	amt, capped, ok := p.Amount.Final(raw)
	if !ok {
		d.Eligible, d.Err = false, fmt.Sprintf("金额 %s 元超过单户上限 %s 元 / the amount ¥%s exceeds the limit of ¥%s per enterprise",
			amt.Yuan(), chanye.MaxGrantFen.Yuan(), amt.Yuan(), chanye.MaxGrantFen.Yuan())
		return d
	}
	d.AmountFen, d.Capped = amt, capped
	return d
}

// Final turns the formula's value into the amount granted: rounded down
// by Floor, capped at CapFen, never negative. ok is false when the amount
// exceeds chanye.MaxGrantFen, which only an uncapped formula can give: an
// evaluation error, so that no total of decisions wraps. The reference and
// the fast path both call it.
func (a Amount) Final(raw chanye.Fen) (amt chanye.Fen, capped, ok bool) {
	amt = raw
	switch a.Floor {
	case FloorYuan:
		amt -= amt % 100
	case FloorWan:
		amt -= amt % 1_000_000
	}
	if a.CapFen > 0 && amt > a.CapFen {
		amt, capped = a.CapFen, true
	}
	return max(amt, 0), capped, amt <= chanye.MaxGrantFen
}

// gaps measures the comparisons of x that evaluated to false.
func (x *expr) gaps(st interpreter.EvalState, p *Policy) []Gap {
	var out []Gap
	for _, cm := range x.cmps {
		res, ok := st.Value(cm.id)
		if !ok || res != types.False {
			continue
		}
		have, ok1 := st.Value(cm.varID)
		need, ok2 := st.Value(cm.threshold)
		if !ok1 || !ok2 {
			continue
		}
		h, hok := number(have)
		n, nok := number(need)
		if !hok || !nok {
			continue
		}
		v, _ := LookupVariable(cm.variable)
		op := strings.Trim(cm.op, "_")
		g := Gap{Variable: cm.variable, Op: op, Have: have.Value(), Need: need.Value()}
		hz, he := formatValue(h, v.Unit)
		nz, ne := formatValue(n, v.Unit)
		sym := opSymbols[op]
		g.MessageZH = fmt.Sprintf("%s %s，需 %s %s", v.LabelZH, hz, sym, nz)
		g.MessageEN = fmt.Sprintf("%s %s, needs %s %s", v.LabelEN, he, sym, ne)
		if op != "==" {
			dz, de := formatValue(math.Abs(n-h), v.Unit)
			if v.Unit == UnitRatio {
				dz, de = strings.TrimSuffix(dz, "%")+" 个百分点", strings.TrimSuffix(de, " %")+" percentage points"
			}
			if op == "<" || op == "<=" {
				g.MessageZH += "（超出 " + dz + "）"
				g.MessageEN += " (" + de + " over)"
			} else {
				g.MessageZH += "（差 " + dz + "）"
				g.MessageEN += " (" + de + " short)"
			}
		}
		out = append(out, g)
	}
	return out
}

var opSymbols = map[string]string{">=": "≥", ">": ">", "<": "<", "<=": "≤", "==": "="}

// number converts an int or double CEL value.
func number(v ref.Val) (float64, bool) {
	switch n := v.(type) {
	case types.Int:
		return float64(n), true
	case types.Double:
		return float64(n), true
	case types.Uint:
		return float64(n), true
	}
	return 0, false
}

// formatValue shows a number in its unit, in Chinese and in English. Money
// is shown in 万元 from 1 万元 up and in 元 below; ratios as percentages.
func formatValue(x float64, u Unit) (string, string) {
	switch u {
	case UnitFen:
		f := chanye.Fen(math.Round(x))
		en := "¥" + group(f.Yuan())
		if f >= 1_000_000 || f <= -1_000_000 {
			return trimZeros(group(strconv.FormatFloat(float64(f)/1_000_000, 'f', 4, 64))) + " 万元", en
		}
		return group(f.Yuan()) + " 元", en
	case UnitRatio:
		s := trimZeros(strconv.FormatFloat(x*100, 'f', 2, 64))
		return s + "%", s + " %"
	case UnitPeople:
		s := trimZeros(strconv.FormatFloat(x, 'f', 2, 64))
		return s + " 人", s + " people"
	case UnitYears:
		s := trimZeros(strconv.FormatFloat(x, 'f', 2, 64))
		return s + " 年", s + " years"
	case UnitYear:
		if x == 0 {
			return "无", "none"
		}
	case UnitCount:
		s := trimZeros(strconv.FormatFloat(x, 'f', 2, 64))
		return s + " 件", s
	}
	s := trimZeros(strconv.FormatFloat(x, 'f', 4, 64))
	return s, s
}

// trimZeros drops trailing zeros of a decimal, and the point if nothing is
// left after it.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// group puts thousands separators into the integer part of a decimal.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// Explain writes the decision in lines, Chinese then English: the result,
// then each condition with its values and gaps.
func (d *Decision) Explain() string {
	var b strings.Builder
	yes := map[bool]string{true: "符合 / eligible", false: "不符合 / not eligible"}
	fmt.Fprintf(&b, "%s v%d %s：%s，金额 %s 元 / amount ¥%s", d.PolicyID, d.Version, d.AsOf, yes[d.Eligible], d.AmountFen.Yuan(), d.AmountFen.Yuan())
	if !d.Active {
		b.WriteString("；基准日不在有效期内 / the as-of date is outside the effective period")
	}
	if d.Err != "" {
		b.WriteString("；错误 / error: " + d.Err)
	}
	for _, o := range d.Conditions {
		mark := "✗"
		if o.Passed {
			mark = "✓"
		}
		fmt.Fprintf(&b, "\n  %s %s %s / %s", mark, o.ID, o.LabelZH, o.LabelEN)
		var vals []string
		for _, v := range o.Values {
			s := fmt.Sprintf("%s=%v", v.Name, v.Value)
			if v.Missing {
				s += "（未报送 / not reported）"
			}
			vals = append(vals, s)
		}
		if len(vals) > 0 {
			b.WriteString(" [" + strings.Join(vals, ", ") + "]")
		}
		if o.Err != "" {
			b.WriteString(" 错误 / error: " + o.Err)
		}
		for _, g := range o.Gaps {
			fmt.Fprintf(&b, "\n      %s / %s", g.MessageZH, g.MessageEN)
		}
	}
	return b.String()
}
