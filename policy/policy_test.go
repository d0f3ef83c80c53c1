package policy

import (
	"os"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

func readRD(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/rd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParse(t *testing.T, src string) *Policy {
	t.Helper()
	p, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func date(t *testing.T, s string) chanye.Date {
	t.Helper()
	d, err := chanye.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func fen(v int64) *chanye.Fen { f := chanye.Fen(v); return &f }
func n64(v int64) *int64      { return &v }

func TestParse(t *testing.T) {
	p := mustParse(t, readRD(t))
	if p.BudgetFen != 100_000_000 || p.Amount.CapFen != 30_000_000 {
		t.Errorf("budget %d cap %d, want 100000000 and 30000000 fen", p.BudgetFen, p.Amount.CapFen)
	}
	if pa := p.param("min_revenue"); pa == nil || pa.Type != ParamInt || !pa.Money || pa.Values[0].Value != int64(2_000_000_000) {
		t.Errorf("min_revenue = %+v, want int money 2000000000 fen", pa)
	}
	if pa := p.param("min_ratio"); pa == nil || pa.Type != ParamDouble {
		t.Errorf("min_ratio = %+v, want double", pa)
	}
	c := p.Cases[0]
	if c.Expect.AmountFen != 20_000_000 || !c.Expect.Eligible {
		t.Errorf("expect = %+v", c.Expect)
	}
	f := c.Enterprise.Facts[0]
	if f.Year != 2024 || *f.Revenue != 4_000_000_000 || *f.RDSpending != 200_000_000 || f.Employees != nil {
		t.Errorf("facts = %+v", f)
	}
}

func TestParseErrors(t *testing.T) {
	base := readRD(t)
	tests := []struct {
		name       string
		old, new   string
		field, msg string
	}{
		{"unknown top-level field", "issuer: 测试", "issuer: 测试\ntitel: x", "titel", "unknown field titel"},
		{"unknown condition field", "    expr: e.tier.high_tech.held", "    exprr: e.tier.high_tech.held", "conditions[0].exprr", "line 28"},
		{"unknown fact figure", "revenue_yuan: \"40000000\"", "revenu_yuan: \"40000000\"", "cases[0].enterprise.facts[0].revenu_yuan", "unknown field revenu_yuan"},
		{"float yuan", `budget_yuan: "1000000.00"`, "budget_yuan: 1000000.5", "budget_yuan", "quoted string"},
		{"three decimals", `budget_yuan: "1000000.00"`, `budget_yuan: "1000000.001"`, "budget_yuan", "at most two decimals"},
		{"fen must be int", `budget_yuan: "1000000.00"`, "budget_fen: 1.5", "budget_fen", "integer"},
		{"both units", `budget_yuan: "1000000.00"`, "budget_yuan: \"1\"\nbudget_fen: 100", "budget_fen", "not both"},
		{"bad id", "id: test-rd", "id: Test RD", "id", "slug"},
		{"bad date", "effective: {from: 2025-01-01}", "effective: {from: 2025-13-01}", "effective.from", "YYYY-MM-DD"},
		{"missing official", "official: false\n", "", "official", "required"},
		{"bad mode", "mode: no_application", "mode: automatic", "mode", "no_application"},
		{"duplicate condition", "  - id: rd_ratio", "  - id: high_tech", "conditions[1].id", "duplicate"},
		{"param type changes", "{from: 2026-01-01, value: 800}", "{from: 2026-01-01, value: 0.08}", "params.rate_bp[1].value", "type int"},
		{"param dates not increasing", "{from: 2026-01-01, value: 800}", "{from: 2024-01-01, value: 800}", "params.rate_bp[1].from", "increasing"},
		{"unknown tier", "kind: high_tech", "kind: rocket", "cases[0].enterprise.tiers[0].kind", "unknown tier"},
		{"amount when not eligible", `expect: {eligible: true, amount_yuan: "200000"}`, `expect: {eligible: false, amount_yuan: "1"}`, "cases[0].expect.amount_fen", "must be 0"},
		{"missing title", "title_en: Test\n", "", "title_en", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(base, tt.old, tt.new, 1)
			if src == base {
				t.Fatalf("edit %q not applied", tt.old)
			}
			_, err := Parse([]byte(src))
			if chanye.ErrorCode(err) != chanye.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			got, ok := chanye.ErrorFields(err)[tt.field]
			if !ok || !strings.Contains(got, tt.msg) {
				t.Errorf("fields = %v, want %s containing %q", chanye.ErrorFields(err), tt.field, tt.msg)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	base := readRD(t)
	tests := []struct {
		name       string
		old, new   string
		field, msg string
	}{
		{"type error", "e.fy1.rd_ratio >= p.min_ratio", "e.fy1.rd_ratio >= 3", "conditions[1].expr",
			"condition rd_ratio (R&D ratio) at 1:16: found no matching overload for '_>=_' applied to '(double, int)'"},
		{"unknown variable", "e.fy1.revenue >= p.min_revenue", "e.fy1.revnue >= p.min_revenue", "conditions[2].expr",
			"at 1:1: unknown variable e.fy1.revnue; did you mean e.fy1.revenue?"},
		{"unknown parameter", "e.fy1.rd_ratio >= p.min_ratio", "e.fy1.rd_ratio >= p.min_ratoi", "conditions[1].expr",
			"unknown variable p.min_ratoi; did you mean p.min_ratio?"},
		{"no suggestion", "e.fy1.rd_ratio >= p.min_ratio", "e.whatever > 0.0", "conditions[1].expr",
			"unknown variable e.whatever (line 32)"},
		{"second line", "    expr: e.fy1.revenue >= p.min_revenue && e.fy1.reported",
			"    expr: |-\n      e.fy1.reported &&\n        e.fy1.revnue >= p.min_revenue", "conditions[2].expr", "at 2:3: unknown variable e.fy1.revnue"},
		{"non-bool condition", "expr: e.tier.high_tech.held", "expr: e.fy1.revenue", "conditions[0].expr",
			"condition high_tech (High-tech): must be of type bool, not int"},
		{"double amount", "expr: e.fy1.rd_spending * p.rate_bp / 10000", "expr: e.fy1.rd_ratio * 2.0", "amount.expr",
			"amount formula: must be of type int, not double"},
		{"syntax", "e.fy1.rd_ratio >= p.min_ratio", "e.fy1.rd_ratio >=", "conditions[1].expr", "condition rd_ratio (R&D ratio) at 1:"},
		{"cost limit", "expr: e.tier.high_tech.held",
			`expr: e.industries.all(a, e.industries.all(b, e.industries.all(c, a + b + c != "")))`, "conditions[0].expr", "exceeds the limit 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(base, tt.old, tt.new, 1)
			if src == base {
				t.Fatalf("edit %q not applied", tt.old)
			}
			_, err := Compile(mustParse(t, src))
			if chanye.ErrorCode(err) != chanye.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			got := chanye.ErrorFields(err)[tt.field]
			if !strings.Contains(got, tt.msg) {
				t.Errorf("%s = %q, want it to contain %q (all: %v)", tt.field, got, tt.msg, chanye.ErrorFields(err))
			}
			if !strings.Contains(got, "第") || !strings.Contains(got, "line") {
				t.Errorf("%s = %q, want the YAML line", tt.field, got)
			}
		})
	}
	if _, err := Compile(mustParse(t, base)); err != nil {
		t.Fatalf("base policy: %v", err)
	}
}

func TestDatedParams(t *testing.T) {
	p := mustParse(t, readRD(t))
	pa := p.param("rate_bp")
	for _, tt := range []struct {
		day  string
		want any
		ok   bool
	}{
		{"2024-12-31", nil, false},
		{"2025-01-01", int64(1000), true},
		{"2025-12-31", int64(1000), true},
		{"2026-01-01", int64(800), true},
		{"2030-06-01", int64(800), true},
	} {
		if got, ok := pa.At(date(t, tt.day)); got != tt.want || ok != tt.ok {
			t.Errorf("At(%s) = %v, %v; want %v, %v", tt.day, got, ok, tt.want, tt.ok)
		}
	}
	if _, err := p.ParamsAt(date(t, "2024-12-31")); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("ParamsAt before the first value: got %v, want EINVALID", err)
	}
	c, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	e := enterprise()
	e.Facts = []*chanye.Facts{
		{Year: 2025, Revenue: fen(4_000_000_000), RDSpending: fen(200_000_000)},
		{Year: 2024, Revenue: fen(4_000_000_000), RDSpending: fen(200_000_000)},
	}
	for day, want := range map[string]chanye.Fen{"2025-12-31": 20_000_000, "2026-01-01": 16_000_000} {
		d := c.Evaluate(NewSubject(e, date(t, day)), date(t, day))
		if !d.Eligible || d.AmountFen != want {
			t.Errorf("%s: eligible %v amount %d, want %d\n%s", day, d.Eligible, d.AmountFen, want, d.Explain())
		}
	}
}

// enterprise is a high-tech manufacturer founded on 2015-03-10.
func enterprise() *chanye.Enterprise {
	return &chanye.Enterprise{Code: "91440101MA59TEST0X", DistrictCode: "440112", IndustryClass: "3562",
		Founded: mustTime("2015-03-10"),
		Tiers:   []chanye.Tier{{Kind: chanye.TierHighTech, From: mustTime("2023-12-01")}}}
}

func mustTime(s string) (d chanye.Date) {
	d, err := chanye.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEvaluateExplainsNearMiss(t *testing.T) {
	c, err := Compile(mustParse(t, readRD(t)))
	if err != nil {
		t.Fatal(err)
	}
	asOf := date(t, "2025-06-30")
	e := enterprise()
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(10_000_000_000), RDSpending: fen(240_000_000)}}
	d := c.Evaluate(NewSubject(e, asOf), asOf)
	if d.Eligible || d.AmountFen != 0 || d.Missing != 1 || !d.NearMiss {
		t.Fatalf("eligible %v amount %d missing %d near miss %v, want a near miss\n%s", d.Eligible, d.AmountFen, d.Missing, d.NearMiss, d.Explain())
	}
	o := d.Conditions[1]
	if o.ID != "rd_ratio" || o.Passed || len(o.Gaps) != 1 {
		t.Fatalf("rd_ratio outcome = %+v", o)
	}
	g := o.Gaps[0]
	if g.MessageZH != "研发投入强度（上年度） 2.4%，需 ≥ 3%（差 0.6 个百分点）" ||
		g.MessageEN != "R&D ratio (last fiscal year) 2.4 %, needs ≥ 3 % (0.6 percentage points short)" {
		t.Errorf("gap = %q / %q", g.MessageZH, g.MessageEN)
	}
	if len(o.Values) != 2 || o.Values[0].Name != "e.fy1.rd_ratio" || o.Values[0].Value != 0.024 || o.Values[1].Name != "p.min_ratio" || o.Values[1].Value != 0.03 ||
		o.Values[0].TextZH != "研发投入强度（上年度） 2.4%" || o.Values[1].TextZH != "研发投入强度下限 3%" || o.Values[1].TextEN != "minimum R&D ratio 3 %" {
		t.Errorf("values = %+v", o.Values)
	}

	// Revenue short of 20 million yuan and the ratio met: the gap is in 万元.
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(1_850_000_000), RDSpending: fen(100_000_000)}}
	d = c.Evaluate(NewSubject(e, asOf), asOf)
	o = d.Conditions[2]
	if o.Passed || len(o.Gaps) != 1 || o.Gaps[0].MessageZH != "营业收入（上年度） 1,850 万元，需 ≥ 2,000 万元（差 150 万元）" ||
		o.Gaps[0].MessageEN != "Revenue (last fiscal year) ¥18,500,000.00, needs ≥ ¥20,000,000.00 (¥1,500,000.00 short)" {
		t.Errorf("revenue outcome = %+v", o)
	}
	if !d.NearMiss {
		t.Errorf("want a near miss:\n%s", d.Explain())
	}

	// No facts: the ratio is unknown, and revenue ≥ 2000 万元 && reported
	// is false (unknown && false): not eligible, not a near miss.
	e.Facts = nil
	d = c.Evaluate(NewSubject(e, asOf), asOf)
	if d.Status != VerdictNotEligible || d.Missing != 1 || d.Unknown != 1 || d.NearMiss {
		t.Errorf("status %s missing %d unknown %d near miss %v, want not eligible, 1, 1, false", d.Status, d.Missing, d.Unknown, d.NearMiss)
	}
	if v := d.Conditions[1].Values[0]; !v.Missing || !d.Conditions[1].Unknown {
		t.Errorf("%+v: want missing and the condition unknown", v)
	}
	if ex := d.Explain(); !strings.Contains(ex, "研发投入强度（上年度） 未报送") || !strings.Contains(ex, "R&D ratio (last fiscal year) not reported") {
		t.Errorf("explanation does not mention missing data:\n%s", ex)
	}

	// Eligible: 10 % of 3 million yuan capped at 300,000 yuan.
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(4_000_000_000), RDSpending: fen(400_000_000)}}
	d = c.Evaluate(NewSubject(e, asOf), asOf)
	if !d.Eligible || d.AmountFen != 30_000_000 || d.FormulaFen != 40_000_000 || !d.Capped || d.NearMiss {
		t.Errorf("got %+v, want 300000 yuan capped", d)
	}
}

// TestAmountNegativeIsAnErrorAndRounded: a negative amount is an error,
// never silently 0 (issue 9, point 7); the older floor keeps rounding
// down.
func TestAmountNegativeIsAnErrorAndRounded(t *testing.T) {
	src := strings.Replace(readRD(t), "expr: e.fy1.rd_spending * p.rate_bp / 10000", "expr: 1234567 - e.fy1.rd_spending", 1)
	c, err := Compile(mustParse(t, src))
	if err != nil {
		t.Fatal(err)
	}
	asOf := date(t, "2025-06-30")
	e := enterprise()
	e.Facts = []*chanye.Facts{{Year: 2024, Revenue: fen(4_000_000_000), RDSpending: fen(200_000_000)}}
	if d := c.Evaluate(NewSubject(e, asOf), asOf); d.Status != VerdictError || d.Eligible || d.AmountFen != 0 || !strings.Contains(d.Err, "negative") {
		t.Errorf("got %s amount %d err %q, want an error for a negative amount", d.Status, d.AmountFen, d.Err)
	}
	src = strings.Replace(readRD(t), "expr: e.fy1.rd_spending * p.rate_bp / 10000", "expr: 1234567", 1)
	for floor, want := range map[Floor]chanye.Fen{"": 1_234_567, FloorYuan: 1_234_500, FloorWan: 1_000_000} {
		p := mustParse(t, src)
		p.Amount.Floor = floor
		c, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		if d := c.Evaluate(NewSubject(e, asOf), asOf); d.AmountFen != want {
			t.Errorf("floor %q: got %d, want %d", floor, d.AmountFen, want)
		}
	}
}

func TestWrongExpectedAmountIsReported(t *testing.T) {
	src := strings.Replace(readRD(t), `amount_yuan: "200000"`, `amount_yuan: "200001"`, 1)
	p := mustParse(t, src)
	res, err := RunCases(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || res[0].Pass || !res[1].Pass {
		t.Fatalf("got %+v, want the first case failing", res)
	}
	for _, want := range []string{"want eligible ¥200001.00, got eligible ¥200000.00", "✓ rd_ratio", "研发投入强度（上年度） 5%"} {
		if !strings.Contains(res[0].Message, want) {
			t.Errorf("message %q lacks %q", res[0].Message, want)
		}
	}
	err = CanPublish(p)
	if chanye.ErrorCode(err) != chanye.EINVALID || !strings.Contains(chanye.ErrorFields(err)["cases[0]"], "200001.00") {
		t.Errorf("CanPublish = %v, want EINVALID naming cases[0]", err)
	}
	if err := CanPublish(mustParse(t, readRD(t))); err != nil {
		t.Errorf("CanPublish of the correct policy: %v", err)
	}
}

func TestSchemaAndSubject(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Schema() {
		if seen[v.Name] {
			t.Errorf("duplicate variable %s", v.Name)
		}
		seen[v.Name] = true
		if v.LabelZH == "" || v.LabelEN == "" {
			t.Errorf("%s: missing label", v.Name)
		}
		switch v.Type {
		case "int", "double", "string", "bool", "list(string)":
		default:
			t.Errorf("%s: type %s is not columnar", v.Name, v.Type)
		}
	}
	for _, n := range []string{"e.tier.little_giant.held", "e.tier.single_champion.first_year", "e.fy3.equipment_purchases", "e.fy2.rd_staff_ratio", "e.revenue_cagr3", "as_of", "policy_year"} {
		if !seen[n] {
			t.Errorf("schema lacks %s", n)
		}
	}

	e := enterprise()
	e.Industries = []string{"semiconductors"}
	// Stored small; rules see the class of fiscal 2024's figures.
	e.SizeClass = chanye.SizeSmall
	e.Tiers = append(e.Tiers, chanye.Tier{Kind: chanye.TierHighTech, From: mustTime("2026-12-01")}) // future: ignored
	e.Facts = []*chanye.Facts{
		{Year: 2024, Revenue: fen(12_100), Employees: n64(50), RDStaff: n64(5)},
		{Year: 2023, Revenue: fen(11_000)},
		{Year: 2022, Revenue: fen(10_000)},
	}
	s := NewSubject(e, mustTime("2025-03-09"))
	for name, want := range map[string]any{
		"as_of": int64(20250309), "policy_year": int64(2025), "e.age": int64(9), "e.division": "35",
		"e.size": "micro", "e.tier.high_tech.held": true, "e.tier.high_tech.year": int64(2023),
		"e.tier.little_giant.year": int64(0), "e.fy1.revenue": int64(12_100), "e.fy1.rd_staff_ratio": 0.1,
		"e.fy2.reported": true, "e.fy3.revenue": int64(10_000), "e.revenue_growth": 0.1,
		"e.fy1.reported": true,
	} {
		if got, _ := s.Value(name); got != want {
			t.Errorf("%s = %v (%T), want %v (%T)", name, got, got, want, want)
		}
	}
	if got, _ := s.Value("e.revenue_cagr3"); got.(float64) < 0.0999 || got.(float64) > 0.1001 {
		t.Errorf("e.revenue_cagr3 = %v, want 0.1", got)
	}
	if !s.Missing("e.fy1.rd_spending") || s.Missing("e.fy1.revenue") || !s.Missing("e.fy1.rd_ratio") {
		t.Error("missing flags wrong")
	}
	if got, _ := NewSubject(e, mustTime("2025-03-10")).Value("e.age"); got != int64(10) {
		t.Errorf("age on the anniversary = %v, want 10", got)
	}
}
