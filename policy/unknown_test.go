package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// smallFirmYAML is "营收 < 2000 万元" with one more condition and an
// amount formula, each replaced per test.
const smallFirmYAML = `id: small-firm
version: 1
status: draft
official: false
title_zh: 小微企业补助
title_en: Small firm grant
document: 测试
issuer: 测试
effective: {from: 2025-01-01}
mode: no_application
params:
  max_revenue:
    label_zh: 营业收入上限
    label_en: revenue limit
    values:
      - {from: 2025-01-01, value_yuan: "20000000"}
  rate:
    label_zh: 补助比例
    label_en: grant rate
    values:
      - {from: 2025-01-01, value_rate: "0.35"}
conditions:
  - id: small
    label_zh: 上年度营业收入低于 2000 万元
    label_en: Revenue below 20 million yuan
    expr: e.fy1.revenue < p.max_revenue
  - id: other
    label_zh: 其他条件
    label_en: another condition
    expr: 'OTHER'
amount:
  expr: 'AMOUNT'
ROUNDING
`

func smallFirm(t *testing.T, other, amount, rounding string) *Compiled {
	t.Helper()
	src := strings.NewReplacer("OTHER", other, "AMOUNT", amount, "ROUNDING", rounding).Replace(smallFirmYAML)
	c, err := Compile(mustParse(t, src))
	if err != nil {
		t.Fatalf("%s / %s: %v", other, amount, err)
	}
	return c
}

// TestNoFactsIsNeverEligible: a firm that reported nothing is not paid
// under "营收 < 2000 万元": its revenue is unknown, not 0, and the decision
// needs data, naming the figure and its fiscal year (issue 9, point 1).
// On the code before, it was eligible.
func TestNoFactsIsNeverEligible(t *testing.T) {
	c := smallFirm(t, "true", "100000", "")
	asOf := date(t, "2025-06-30")
	d := c.Evaluate(NewSubject(enterprise(), asOf), asOf)
	if d.Eligible || d.Status != VerdictNeedsData || d.AmountFen != 0 {
		t.Fatalf("got %s eligible %v amount %d, want needs data\n%s", d.Status, d.Eligible, d.AmountFen, d.Explain())
	}
	want := []Need{{Variable: "e.fy1.revenue", LabelZH: "营业收入（上年度）", LabelEN: "Revenue (last fiscal year)", FiscalYear: 2024}}
	if fmt.Sprint(d.Needs) != fmt.Sprint(want) {
		t.Errorf("needs %+v, want %+v", d.Needs, want)
	}
	if ex := d.Explain(); !strings.Contains(ex, "待补充数据 / needs data") || !strings.Contains(ex, "营业收入（上年度）（2024 年度）") {
		t.Errorf("explanation:\n%s", ex)
	}
	// Reported: decided as before.
	e := enterprise()
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(1_999_999_999)}}
	if d := c.Evaluate(NewSubject(e, asOf), asOf); !d.Eligible || d.Status != VerdictEligible || len(d.Needs) != 0 {
		t.Errorf("reported 1,999.99999999 万元: %s\n%s", d.Status, d.Explain())
	}
}

// TestKleeneLogic: conditions reading an unknown figure follow CEL's
// three-valued logic (issue 9, point 1).
func TestKleeneLogic(t *testing.T) {
	asOf := date(t, "2025-06-30")
	noFacts := enterprise()
	zeroRevenue := enterprise()
	zeroRevenue.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(1_000_000), RDSpending: fen(0), Employees: n64(0), RDStaff: n64(3)}}
	oneYear := enterprise()
	oneYear.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(1_000_000)}}
	for _, tc := range []struct {
		name  string
		e     *chanye.Enterprise
		other string
		want  Verdict
		needs string
	}{
		{"unknown && false is false", noFacts, "false", VerdictNotEligible, ""},
		{"unknown && true needs data", noFacts, "e.tier.high_tech.held", VerdictNeedsData, "e.fy1.revenue"},
		{"unknown || true is true", noFacts, "e.fy1.employees > 10 || true", VerdictNeedsData, "e.fy1.revenue"},
		{"not unknown", noFacts, "!(e.fy1.employees > 10)", VerdictNeedsData, "e.fy1.revenue e.fy1.employees"},
		{"unknown condition of ?:", zeroRevenue, "(e.fy1.invention_patents > 0 ? true : true)", VerdictNeedsData, "e.fy1.invention_patents"},
		{"ratio over a zero base", zeroRevenue, "e.fy1.rd_staff_ratio >= 0.0", VerdictNeedsData, "e.fy1.employees"},
		{"growth without the year before", oneYear, "e.revenue_growth > 0.0", VerdictNeedsData, "e.fy2.revenue"},
		{"membership of an unknown", oneYear, "e.fy1.employees in [1, 2]", VerdictNeedsData, "e.fy1.employees"},
		{"a list holding an unknown", oneYear, "1 in [1, e.fy1.employees]", VerdictNeedsData, "e.fy1.employees"},
		{"a known false beside", oneYear, "e.fy1.employees > 1 && e.fy1.revenue > 100000000", VerdictNotEligible, ""},
	} {
		c := smallFirm(t, tc.other, "100000", "")
		d := c.Evaluate(NewSubject(tc.e, asOf), asOf)
		var needs []string
		for _, n := range d.Needs {
			needs = append(needs, n.Variable)
		}
		if d.Status != tc.want || strings.Join(needs, " ") != tc.needs {
			t.Errorf("%s: %s needs %v, want %s needs %q\n%s", tc.name, d.Status, needs, tc.want, tc.needs, d.Explain())
		}
	}
	// The needs of a zero base say so.
	d := smallFirm(t, "e.fy1.rd_staff_ratio >= 0.0", "100000", "").Evaluate(NewSubject(zeroRevenue, asOf), asOf)
	if len(d.Needs) != 1 || !d.Needs[0].Zero || !strings.Contains(d.Explain(), "研发人员…") && !strings.Contains(d.Explain(), "为 0") {
		t.Errorf("zero base: %+v\n%s", d.Needs, d.Explain())
	}
	// The amount formula reading an unknown: needs data too.
	d = smallFirm(t, "true", "e.fy1.rd_spending * p.rate", "").Evaluate(NewSubject(oneYear, asOf), asOf)
	if d.Status != VerdictNeedsData || len(d.Needs) != 1 || d.Needs[0].Variable != "e.fy1.rd_spending" {
		t.Errorf("amount reading an unknown: %s %+v", d.Status, d.Needs)
	}
}

// TestEvaluationErrorIsNeverNotEligible: a division by zero makes the
// decision an error, not 不符合 (issue 9, point 2); a condition known to be
// false still decides "not eligible" whatever another one gives.
func TestEvaluationErrorIsNeverNotEligible(t *testing.T) {
	asOf := date(t, "2025-06-30")
	e := enterprise()
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(1_000_000), Employees: n64(0)}}
	c := smallFirm(t, "e.fy1.revenue / e.fy1.employees > 100", "100000", "")
	d := c.Evaluate(NewSubject(e, asOf), asOf)
	if d.Status != VerdictError || d.Eligible || !strings.Contains(d.Err, "condition other failed") || !strings.Contains(d.Err, "division by zero") {
		t.Fatalf("got %s %q, want an error naming the condition and the division\n%s", d.Status, d.Err, d.Explain())
	}
	if !strings.Contains(d.Explain(), "! other") {
		t.Errorf("explanation does not mark the condition:\n%s", d.Explain())
	}
	e.Facts[0].Revenue = fen(9_000_000_000) // the first condition fails
	if d := c.Evaluate(NewSubject(e, asOf), asOf); d.Status != VerdictNotEligible {
		t.Errorf("a false condition beside an error: %s, want not eligible", d.Status)
	}
	e.Facts[0].Revenue = fen(1_000_000)
	d = smallFirm(t, "true", "e.fy1.revenue / e.fy1.employees", "").Evaluate(NewSubject(e, asOf), asOf)
	if d.Status != VerdictError || !strings.Contains(d.Err, "amount formula failed") {
		t.Errorf("division by zero in the amount: %s %q", d.Status, d.Err)
	}
}

// TestExactAmounts: no double on the money path; a rate parameter times
// money is exact and rounded as declared (issue 9, point 7).
func TestExactAmounts(t *testing.T) {
	asOf := date(t, "2025-06-30")
	src := strings.NewReplacer("OTHER", "true", "ROUNDING", "").Replace(smallFirmYAML)
	for _, bad := range []struct{ expr, at string }{
		{"int(double(e.fy1.revenue) * 0.35)", "1:1"},
		{"e.fy1.revenue * 35 / 100 + int(0.5)", "1:28"},
	} {
		_, err := Compile(mustParse(t, strings.Replace(src, "AMOUNT", bad.expr, 1)))
		got := chanye.ErrorFields(err)["amount.expr"]
		if !strings.Contains(got, "at "+bad.at+": no double on the money path") || !strings.Contains(got, "x * p.rate") || !strings.Contains(got, "x * 35 / 100") {
			t.Errorf("%s: %v, want a refusal at %s suggesting the exact forms", bad.expr, err, bad.at)
		}
	}
	for _, bad := range []struct{ expr, want string }{
		{"e.fy1.revenue + -5", "the negative number -5"},
		{"math.greatest(e.fy1.revenue, -5)", "the negative number -5"},
		{"e.fy1.employees > -1 ? -1 : 0", "the negative number -1"},
	} {
		_, err := Compile(mustParse(t, strings.Replace(src, "AMOUNT", bad.expr, 1)))
		if got := chanye.ErrorFields(err)["amount.expr"]; !strings.Contains(got, bad.want) {
			t.Errorf("%s: %v, want %q", bad.expr, err, bad.want)
		}
	}
	// Off the money path, in the condition of ?:, doubles and negative
	// numbers are allowed.
	if _, err := Compile(mustParse(t, strings.Replace(src, "AMOUNT", "e.fy1.rd_ratio > 0.05 && e.age > -1 ? e.fy1.revenue * p.rate : 0", 1))); err != nil {
		t.Errorf("a double in the condition of ?:: %v", err)
	}
	negParam := strings.Replace(strings.Replace(src, "AMOUNT", "e.fy1.revenue * p.ia / 100", 1), "params:\n", "params:\n  ia:\n    - {from: 2025-01-01, value: -3}\n", 1)
	if _, err := Compile(mustParse(t, negParam)); !strings.Contains(chanye.ErrorFields(err)["amount.expr"], "parameter p.ia is the negative number -3") {
		t.Errorf("negative parameter: %v", err)
	}

	// 3,450,994 元 × 0.35 = 1,207,847.90 元: int(double(x) * 0.35) gave .89.
	e := enterprise()
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(345_099_400)}}
	for _, tc := range []struct {
		amount, rounding string
		revenue          chanye.Fen
		want             chanye.Fen
	}{
		{"e.fy1.revenue * p.rate", "  rounding: half_up", 345_099_400, 120_784_790},
		{"p.rate * e.fy1.revenue", "  rounding: {mode: half_up, to: fen}", 345_099_400, 120_784_790},
		{"e.fy1.revenue * 35 / 100", "", 345_099_400, 120_784_790},
		{"e.fy1.revenue * p.rate", "  rounding: half_up", 345_099_433, 120_784_802}, // 1,207,848.0155 元
		{"e.fy1.revenue * p.rate", "  rounding: down", 345_099_433, 120_784_801},
		{"e.fy1.revenue * p.rate", "  rounding: {mode: half_up, to: yuan}", 345_099_433, 120_784_800},
		{"e.fy1.revenue * p.rate", "  rounding: {mode: half_up, to: wan}", 345_099_433, 121_000_000},
		{"e.fy1.revenue * p.rate", "  rounding: {mode: down, to: wan}", 345_099_433, 120_000_000},
		{"e.fy1.revenue * p.rate", "  floor: wan_yuan", 345_099_433, 120_000_000},
	} {
		c := smallFirm(t, "true", tc.amount, tc.rounding)
		e.Facts[0].Revenue = fen(int64(tc.revenue))
		d := c.Evaluate(NewSubject(e, asOf), asOf)
		if d.Status != VerdictEligible || d.AmountFen != tc.want {
			t.Errorf("%s %s on %d fen: %s %d fen, want %d\n%s", tc.amount, tc.rounding, tc.revenue, d.Status, d.AmountFen, tc.want, d.Explain())
		}
	}
	for _, tc := range []struct {
		x    int64
		r    string
		mode RoundMode
		want int64
		ok   bool
	}{
		{345_099_400, "0.35", RoundHalfUp, 120_784_790, true},
		{1, "0.5", RoundHalfUp, 1, true},
		{1, "0.5", RoundDown, 0, true},
		{-1, "0.5", RoundHalfUp, -1, true},
		{3, "33.3333%", RoundHalfUp, 1, true},
		{9_223_372_036_854_775_807, "2", RoundDown, 0, false},
		{9_223_372_036_854_775_807, "1", RoundDown, 9_223_372_036_854_775_807, true},
	} {
		r, err := ParseRate(tc.r)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := MulRate(tc.x, r, tc.mode); got != tc.want || ok != tc.ok {
			t.Errorf("MulRate(%d, %s, %s) = %d, %v; want %d, %v", tc.x, tc.r, tc.mode, got, ok, tc.want, tc.ok)
		}
	}
	for _, bad := range []string{"-0.1", "0.1234567891", "abc", "1e3", "1001"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

// TestExplanationsShowUnitsAndLabels: thresholds and parameters are shown
// with their labels in 元 / 万元 / %, and a failed comparison never prints
// as one that passed (issue 9, point 7).
func TestExplanationsShowUnitsAndLabels(t *testing.T) {
	asOf := date(t, "2025-06-30")
	c := smallFirm(t, "e.fy1.revenue >= p.max_revenue", "100000", "")
	e := enterprise()
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(1_999_999_999)}}
	d := c.Evaluate(NewSubject(e, asOf), asOf)
	o := d.Conditions[1]
	if len(o.Gaps) != 1 || o.Gaps[0].MessageZH != "营业收入（上年度） 1,999.999999 万元，需 ≥ 2,000 万元（差 0.01 元）" ||
		o.Gaps[0].MessageEN != "Revenue (last fiscal year) ¥19,999,999.99, needs ≥ ¥20,000,000.00 (¥0.01 short)" {
		t.Errorf("gaps %+v", o.Gaps)
	}
	if o.Values[1].TextZH != "营业收入上限 2,000 万元" || o.Values[1].TextEN != "revenue limit ¥20,000,000.00" {
		t.Errorf("parameter shown as %q / %q", o.Values[1].TextZH, o.Values[1].TextEN)
	}
	ex := d.Explain()
	for _, bad := range []string{"p.max_revenue", "2000000000"} {
		if strings.Contains(ex, bad) {
			t.Errorf("explanation shows %q:\n%s", bad, ex)
		}
	}

	// An R&D ratio of 2.99999999998 % against 3 %.
	rd := mustParse(t, readRD(t))
	rc, err := Compile(rd)
	if err != nil {
		t.Fatal(err)
	}
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(10_000_000_000_000), RDSpending: fen(299_999_999_998)}}
	d = rc.Evaluate(NewSubject(e, asOf), asOf)
	o = d.Conditions[1]
	if o.Passed || len(o.Gaps) != 1 || o.Gaps[0].MessageZH != "研发投入强度（上年度） 2.99999999998%，需 ≥ 3%（差 0.00000000002 个百分点）" ||
		o.Gaps[0].MessageEN != "R&D ratio (last fiscal year) 2.99999999998 %, needs ≥ 3 % (0.00000000002 percentage points short)" {
		t.Errorf("gap %+v", o.Gaps)
	}
	if o.Values[0].TextZH != "研发投入强度（上年度） 约 3%" {
		t.Errorf("value %q, want it marked as rounded", o.Values[0].TextZH)
	}
}

// TestDecimalFormatting: percentages and money print exactly, rounding
// marked, carries included.
func TestDecimalFormatting(t *testing.T) {
	for _, tc := range []struct {
		x      float64
		places int
		want   string
	}{
		{0.024, 2, "2.4%"}, {0.03, 2, "3%"}, {0.0299999999998, 2, "约 3%"}, {0.0299999999998, 11, "2.99999999998%"},
		{0.99999, 2, "约 100%"}, {-0.0125, 1, "约 -1.3%"}, {0.07, 2, "7%"}, {1.0 / 3, 2, "约 33.33%"}, {0, 2, "0%"}, {-0.00001, 2, "约 0%"},
	} {
		if got, _ := formatRatio(tc.x, tc.places, true); got != tc.want {
			t.Errorf("formatRatio(%v, %d) = %q, want %q", tc.x, tc.places, got, tc.want)
		}
	}
	for f, want := range map[chanye.Fen]string{1: "0.01 元", 100: "1 元", 999_999: "9,999.99 元", 1_000_000: "1 万元",
		199_999_999: "199.999999 万元", 2_000_000_000: "2,000 万元", -1_500_000: "-1.5 万元"} {
		if got, _ := MoneyText(f); got != want {
			t.Errorf("MoneyText(%d) = %q, want %q", f, got, want)
		}
	}
	if _, en := MoneyText(123_456_789); en != "¥1,234,567.89" {
		t.Errorf("MoneyText en = %q", en)
	}
	if d := ratioDiff(0.0299999999998, 0.03); d != "0.00000000002" {
		t.Errorf("ratioDiff = %q", d)
	}
}
