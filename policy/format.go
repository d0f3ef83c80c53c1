package policy

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// Explanations show every figure and threshold with its label and in its
// unit — money in 元 or 万元, exactly to the fen; ratios as percentages;
// basis points as percentages — and never a raw name or a raw number of
// fen. Numbers that are not whole are printed with as many digits as it
// takes for a failed comparison never to look passed: a ratio of
// 2.99999999998 % against 3 % prints as such, not as "3 %, needs ≥ 3 %".

// UnitBP is an int parameter in basis points (1/10,000), shown as a
// percentage: 1000 is 10 %.
const UnitBP Unit = "bp"

// paramUnits are the units a parameter may declare in the YAML.
var paramUnits = map[Unit]bool{UnitNone: true, UnitRatio: true, UnitBP: true, UnitPeople: true, UnitCount: true, UnitYears: true, UnitYear: true, UnitDate: true}

// labelOf returns the labels and unit of a schema variable or a parameter
// p.NAME. A parameter without labels is called 参数 NAME / parameter NAME.
func (p *Policy) labelOf(name string) (zh, en string, u Unit) {
	if n, ok := strings.CutPrefix(name, "p."); ok {
		if n == CohortParam && p.Cohort != nil {
			return "本批认定年度", "year of the batch paid", UnitYear
		}
		pa := p.param(n)
		if pa == nil {
			return name, name, UnitNone
		}
		zh, en, u = pa.LabelZH, pa.LabelEN, pa.Unit
		if zh == "" {
			zh = "参数 " + n
		}
		if en == "" {
			en = "parameter " + n
		}
		if pa.Money {
			u = UnitFen
		}
		return zh, en, u
	}
	if zh, en, u, ok := p.inputLabel(name); ok {
		return zh, en, u
	}
	v, ok := LookupVariable(name)
	if !ok {
		return name, name, UnitNone
	}
	return v.LabelZH, v.LabelEN, v.Unit
}

// ParamText shows a value of parameter pa in its unit, in Chinese and in
// English: money in 元 / 万元, ratios, basis points and rates as
// percentages.
func ParamText(pa *Param, v any) (string, string) {
	u := pa.Unit
	if pa.Money {
		u = UnitFen
	}
	return formatAny(v, u)
}

// ParamLabel returns a parameter's labels: its own, or 参数 NAME /
// parameter NAME.
func (p *Policy) ParamLabel(name string) (string, string) {
	zh, en, _ := p.labelOf("p." + name)
	return zh, en
}

// valueText is "label value" for a value a condition read.
func (c *Compiled) valueText(name string, v any, missing bool) (string, string) {
	lz, le, u := c.Policy.labelOf(name)
	if missing && strings.HasPrefix(name, InputPrefix) {
		return lz + " 未填报", le + " not given"
	}
	if missing {
		return lz + " 未报送", le + " not reported"
	}
	z, e := formatAny(v, u)
	return lz + " " + z, le + " " + e
}

// formatAny shows a value of any schema or parameter type in unit u.
func formatAny(v any, u Unit) (string, string) {
	switch x := v.(type) {
	case int64:
		return formatInt(x, u)
	case float64:
		if u == UnitRatio {
			return formatRatio(x, 2, true)
		}
		s := trimZeros(strconv.FormatFloat(x, 'f', -1, 64))
		return s, s
	case Rate:
		s := x.Percent()
		return s, strings.TrimSuffix(s, "%") + " %"
	case bool:
		if x {
			return "是", "yes"
		}
		return "否", "no"
	case string:
		if x == "" {
			return "（空）", "(empty)"
		}
		return x, x
	case []string:
		if len(x) == 0 {
			return "（无）", "(none)"
		}
		return strings.Join(x, "、"), strings.Join(x, ", ")
	}
	s := fmt.Sprint(v)
	return s, s
}

// formatInt shows an int exactly in its unit.
func formatInt(x int64, u Unit) (string, string) {
	switch u {
	case UnitFen:
		return MoneyText(chanye.Fen(x))
	case UnitBP:
		s := decimalText(x, 2) // 100 bp = 1 %
		return s + "%", s + " %"
	case UnitPeople:
		s := group(strconv.FormatInt(x, 10))
		return s + " 人", s + " people"
	case UnitYears:
		s := strconv.FormatInt(x, 10)
		return s + " 年", s + " years"
	case UnitYear:
		if x == 0 {
			return "无", "none"
		}
		s := strconv.FormatInt(x, 10)
		return s + " 年", s
	case UnitDate:
		if x >= 10000101 && x <= 99991231 {
			s := fmt.Sprintf("%04d-%02d-%02d", x/10000, x/100%100, x%100)
			return s, s
		}
	case UnitCount:
		s := group(strconv.FormatInt(x, 10))
		return s + " 件", s
	}
	s := group(strconv.FormatInt(x, 10))
	return s, s
}

// MoneyText shows an amount of fen exactly: in 万元 from 1 万元 up (with
// up to six decimals, so no fen is lost) and in 元 below; in English in
// yuan with two decimals.
func MoneyText(f chanye.Fen) (string, string) {
	yuan := decimalText(int64(f), 2)
	whole, frac, _ := strings.Cut(yuan, ".")
	frac = (frac + "00")[:2]
	en := "¥" + group(whole+"."+frac)
	if f >= 1_000_000 || f <= -1_000_000 {
		return group(decimalText(int64(f), 6)) + " 万元", en
	}
	return group(yuan) + " 元", en
}

// decimalText writes x / 10^places exactly, trailing zeros dropped.
func decimalText(x int64, places int) string {
	sign, u := "", uint64(x)
	if x < 0 {
		sign, u = "-", -u
	}
	p := uint64(1)
	for range places {
		p *= 10
	}
	frac := strconv.FormatUint(u%p, 10)
	if pad := places - len(frac); pad > 0 {
		frac = strings.Repeat("0", pad) + frac
	}
	return trimZeros(sign + strconv.FormatUint(u/p, 10) + "." + frac)
}

// percentDigits writes x × 100 exactly as a decimal: the shortest decimal
// that reads back as x, its point moved two places (0.0299999999998 is
// 2.99999999998). ok is false for NaN and the infinities.
func percentDigits(x float64) (string, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "", false
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	frac += "00"
	whole = strings.TrimLeft(whole+frac[:2], "0")
	if whole == "" {
		whole = "0"
	}
	if frac = frac[2:]; frac != "" {
		return sign + whole + "." + frac, true
	}
	return sign + whole, true
}

// roundDigits rounds a decimal to places decimals, a half away from zero;
// exact tells whether nothing was dropped.
func roundDigits(s string, places int) (string, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if len(frac) <= places {
		return trimZeros(s), true
	}
	sign := ""
	if strings.HasPrefix(whole, "-") {
		sign, whole = "-", whole[1:]
	}
	digits := []byte(whole + frac[:places])
	if frac[places] >= '5' {
		i := len(digits) - 1
		for ; i >= 0 && digits[i] == '9'; i-- {
			digits[i] = '0'
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		} else {
			digits[i]++
		}
	}
	w := len(digits) - places
	out := string(digits[:w])
	if places > 0 {
		out += "." + string(digits[w:])
	}
	out = trimZeros(out)
	if out == "0" {
		sign = ""
	}
	return sign + out, false
}

// formatRatio shows a fraction as a percentage rounded to places
// decimals; marked 约 / ≈ when the rounding changed it and mark is set.
func formatRatio(x float64, places int, mark bool) (string, string) {
	pct, ok := percentDigits(x)
	if !ok {
		s := strconv.FormatFloat(x, 'g', -1, 64)
		return s, s
	}
	s, exact := roundDigits(pct, places)
	if mark && !exact {
		return "约 " + s + "%", "≈" + s + " %"
	}
	return s + "%", s + " %"
}

// ratioRat is the exact value of the shortest decimal that reads back as
// x: what the author wrote for a threshold, and what a ratio prints as.
func ratioRat(x float64) (*big.Rat, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	return r, ok
}

var hundred = big.NewRat(100, 1)

// ratioPair shows two ratios with the fewest decimals (at least two) at
// which they print differently when they differ, so that a comparison
// that failed never prints as one that passed.
func ratioPair(h, n float64) (hz, he, nz, ne string) {
	for places := 2; places <= 24; places++ {
		hz, he = formatRatio(h, places, false)
		nz, ne = formatRatio(n, places, false)
		if hz != nz || h == n {
			break
		}
	}
	return hz, he, nz, ne
}

// ratioDiff shows |n - h| in percentage points with at least one
// significant digit.
func ratioDiff(h, n float64) string {
	if d := math.Abs(n-h) * 100; d >= 1e-4 && !math.IsInf(d, 0) {
		// Far apart: the float difference, rounded, is the decimal one.
		s, _ := roundDigits(strconv.FormatFloat(d, 'f', -1, 64), 4)
		return s
	}
	hr, ok1 := ratioRat(h)
	nr, ok2 := ratioRat(n)
	if !ok1 || !ok2 {
		return strconv.FormatFloat(math.Abs(n-h)*100, 'g', 3, 64)
	}
	d := new(big.Rat).Sub(nr, hr)
	d.Abs(d).Mul(d, hundred)
	for places := 2; places <= 30; places++ {
		if s := trimZeros(d.FloatString(places)); s != "0" || d.Sign() == 0 {
			return s
		}
	}
	return d.FloatString(30)
}

// gaps measures the comparisons of x that evaluated to false.
func (x *expr) gaps(st interpreter.EvalState, c *Compiled) []Gap {
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
		if g, ok := gap(cm, have, need); ok {
			out = append(out, g)
		}
	}
	return out
}

var opSymbols = map[string]string{">=": "≥", ">": ">", "<": "<", "<=": "≤", "==": "="}

// gap words a failed comparison of variable cm.variable: its value, the
// threshold and, but for ==, the difference — ints exactly, ratios with
// enough digits.
func gap(cm comparison, have, need ref.Val) (Gap, bool) {
	v, _ := LookupVariable(cm.variable)
	op := strings.Trim(cm.op, "_")
	g := Gap{Variable: cm.variable, Op: op, Have: have.Value(), Need: need.Value()}
	var hz, he, nz, ne, dz, de string
	hi, iok1 := have.(types.Int)
	ni, iok2 := need.(types.Int)
	switch {
	case iok1 && iok2:
		hz, he = formatInt(int64(hi), v.Unit)
		nz, ne = formatInt(int64(ni), v.Unit)
		diff := int64(ni) - int64(hi)
		if (diff < 0) != (int64(ni) < int64(hi)) { // the difference overflows
			dz, de = "", ""
		} else {
			if diff < 0 {
				diff = -diff
			}
			dz, de = formatInt(diff, v.Unit)
			if v.Unit == UnitYear || v.Unit == UnitDate {
				dz, de = strconv.FormatInt(diff, 10), strconv.FormatInt(diff, 10)
			}
		}
	default:
		h, hok := number(have)
		n, nok := number(need)
		if !hok || !nok {
			return g, false
		}
		if v.Unit == UnitRatio {
			hz, he, nz, ne = ratioPair(h, n)
			d := ratioDiff(h, n)
			dz, de = d+" 个百分点", d+" percentage points"
		} else {
			hz, he = trimZeros(strconv.FormatFloat(h, 'f', -1, 64)), trimZeros(strconv.FormatFloat(h, 'f', -1, 64))
			nz, ne = trimZeros(strconv.FormatFloat(n, 'f', -1, 64)), trimZeros(strconv.FormatFloat(n, 'f', -1, 64))
			d := strconv.FormatFloat(math.Abs(n-h), 'g', 6, 64)
			dz, de = d, d
		}
	}
	sym := opSymbols[op]
	g.MessageZH = v.LabelZH + " " + hz + "，需 " + sym + " " + nz
	g.MessageEN = v.LabelEN + " " + he + ", needs " + sym + " " + ne
	if op != "==" && dz != "" {
		if op == "<" || op == "<=" {
			g.MessageZH += "（超出 " + dz + "）"
			g.MessageEN += " (" + de + " over)"
		} else {
			g.MessageZH += "（差 " + dz + "）"
			g.MessageEN += " (" + de + " short)"
		}
	}
	return g, true
}

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

// Explain writes the decision in lines, Chinese then English: the verdict
// and amount, what a needs-data decision waits for, the error, then each
// condition with the values it read and its gaps.
func (d *Decision) Explain() string {
	var b strings.Builder
	st := d.Status
	if st == "" {
		st = map[bool]Verdict{true: VerdictEligible, false: VerdictNotEligible}[d.Eligible]
	}
	az, ae := MoneyText(d.AmountFen)
	fmt.Fprintf(&b, "%s v%d %s：%s / %s", d.PolicyID, d.Version, d.AsOf, st.NameZH(), st.NameEN())
	if st == VerdictEligible {
		fmt.Fprintf(&b, "，金额 %s / amount %s", az, ae)
	}
	if !d.Active {
		b.WriteString("；基准日不在有效期内 / the as-of date is outside the effective period")
	}
	for _, a := range d.Adjustments {
		bz, be := MoneyText(a.BeforeFen)
		fmt.Fprintf(&b, "；%s（按规则 %s）/ %s (the rules give %s)", a.ReasonZH, bz, a.ReasonEN, be)
	}
	if len(d.Needs) > 0 {
		var zh, en []string
		for _, n := range d.Needs {
			z, e := n.LabelZH, n.LabelEN
			if n.FiscalYear > 0 {
				z += fmt.Sprintf("（%d 年度）", n.FiscalYear)
				e += fmt.Sprintf(" (fiscal year %d)", n.FiscalYear)
			}
			if n.Zero {
				z += "为 0"
				e += " is 0"
			}
			zh, en = append(zh, z), append(en, e)
		}
		fmt.Fprintf(&b, "；待补充 %s / needs %s", strings.Join(zh, "、"), strings.Join(en, ", "))
	}
	if d.Err != "" {
		b.WriteString("；错误 / error: " + d.Err)
	}
	for _, o := range d.Conditions {
		mark := "✗"
		switch {
		case o.Passed:
			mark = "✓"
		case o.Unknown:
			mark = "?"
		case o.Err != "":
			mark = "!"
		}
		fmt.Fprintf(&b, "\n  %s %s %s / %s", mark, o.ID, o.LabelZH, o.LabelEN)
		var zh, en []string
		for _, v := range o.Values {
			z, e := v.TextZH, v.TextEN
			if z == "" { // stored before values carried their text
				z = fmt.Sprintf("%s=%v", v.Name, v.Value)
				if v.Missing {
					z += "（未报送）"
				}
				e = z
			}
			zh, en = append(zh, z), append(en, e)
		}
		if len(zh) > 0 {
			fmt.Fprintf(&b, " [%s / %s]", strings.Join(zh, "，"), strings.Join(en, ", "))
		}
		if o.Unknown {
			b.WriteString(" 待补充数据 / needs data")
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
