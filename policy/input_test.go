package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

func retrofit(t *testing.T) *Compiled {
	t.Helper()
	for _, p := range Shipped() {
		if p.ID == "gz-tech-retrofit" {
			c, err := Compile(p)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatal("gz-tech-retrofit is not shipped")
	return nil
}

func TestInputsUnknownNeedDataWithLabels(t *testing.T) {
	c := retrofit(t)
	asOf := mustDay(t, "2026-03-15")
	e := &chanye.Enterprise{Code: "X", DistrictCode: "440113", IndustryClass: "3670"}
	d := c.Evaluate(NewSubject(e, asOf), asOf)
	if d.Status != VerdictNeedsData || d.Eligible || d.AmountFen != 0 {
		t.Fatalf("no inputs: got %s %d fen, want needs data", d.Status, d.AmountFen)
	}
	var got []string
	for _, n := range d.Needs {
		if !n.Input {
			t.Errorf("need %s not marked as an input", n.Variable)
		}
		got = append(got, n.Variable+"="+n.LabelZH)
	}
	want := "input.equipment_investment=设备投资额 input.plant_investment=厂房建设投资额 input.finished_on=项目竣工日期"
	if strings.Join(got, " ") != want {
		t.Errorf("needs %v, want %s", got, want)
	}
	if x := d.Explain(); !strings.Contains(x, "设备投资额 未填报") {
		t.Errorf("explanation does not name the missing input:\n%s", x)
	}

	// A false condition decides whatever is unknown: finished long ago.
	old, _ := chanye.ParseDate("2020-01-01")
	d = c.Evaluate(NewSubject(e, asOf).WithInputs(&Inputs{Project: map[string]any{"finished_on": old}}), asOf)
	if d.Status != VerdictNotEligible {
		t.Errorf("finished 2020: got %s, want not eligible", d.Status)
	}
}

func TestInputSourcesInDeclaredOrder(t *testing.T) {
	c := retrofit(t)
	asOf := mustDay(t, "2026-03-15")
	done, _ := chanye.ParseDate("2025-06-30")
	e := &chanye.Enterprise{Code: "X", DistrictCode: "440113", IndustryClass: "3670"}
	ins := &Inputs{
		Project: map[string]any{"equipment_investment": int64(100_000_000), "finished_on": done},                                           // 100万元
		Applied: map[string]map[string]any{"gz-tech-retrofit": {"equipment_investment": int64(500_000_000), "plant_investment": int64(0)}}, // 500万元
	}
	d := c.Evaluate(NewSubject(e, asOf).WithInputs(ins), asOf)
	// from: [project, application]: the project's equipment figure, the
	// application's plant figure.
	if d.Status != VerdictEligible || d.AmountFen != 20_000_000 {
		t.Fatalf("got %s %s, want eligible 200000.00 (20 %% of the project's 1,000,000)", d.Status, d.AmountFen.Yuan())
	}
	// Another policy's application is not this one's.
	ins.Applied = map[string]map[string]any{"other": {"plant_investment": int64(0)}}
	if d := c.Evaluate(NewSubject(e, asOf).WithInputs(ins), asOf); d.Status != VerdictNeedsData {
		t.Errorf("another policy's application: got %s, want needs data", d.Status)
	}

	p := *c.Policy
	p.Inputs = append([]Input(nil), p.Inputs...)
	for i := range p.Inputs {
		p.Inputs[i].From = []InputSource{SourceApplication, SourceProject}
	}
	ins.Applied = map[string]map[string]any{"gz-tech-retrofit": {"equipment_investment": int64(500_000_000), "plant_investment": int64(0)}}
	if got := p.Resolve(ins)["equipment_investment"]; got != int64(500_000_000) {
		t.Errorf("from: [application, project]: got %v, want the application's 500000000", got)
	}
}

func TestParseInputExactAndBounded(t *testing.T) {
	money := Input{Name: "m", Type: InputMoney, LabelZH: "金额", LabelEN: "amount"}
	ratio := Input{Name: "r", Type: InputRatio, LabelZH: "比例", LabelEN: "ratio"}
	for _, tc := range []struct {
		in         Input
		s, unit    string
		want       string // FormatInput of the value, or "error"
		errContain string
	}{
		{money, "123,456,789.01", "", "12345678901", ""},
		{money, "12345.678901", "wan", "12345678901", ""},
		{money, "0.000001", "wan", "1", ""},
		{money, "1.0000001", "wan", "error", "6 位小数"},
		{money, "1.001", "", "error", ""},
		{money, "-5", "", "error", ""},
		{money, "100000000000000001", "", "error", ""},
		{ratio, "12.5", "percent", "0.125", ""},
		{ratio, "12.5%", "", "0.125", ""},
		{ratio, "0.3", "", "0.3", ""},
		{ratio, "100.01", "percent", "error", "100%"},
		{Input{Name: "d", Type: InputDate, LabelZH: "日期", LabelEN: "date"}, "2025-02-30", "", "error", ""},
		{Input{Name: "d", Type: InputDate, LabelZH: "日期", LabelEN: "date"}, "1900-01-01", "", "error", "1949"},
		{Input{Name: "b", Type: InputBool, LabelZH: "是否", LabelEN: "flag"}, "是", "", "true", ""},
		{Input{Name: "n", Type: InputInt, LabelZH: "人数", LabelEN: "count"}, "1.5", "", "error", ""},
	} {
		v, err := tc.in.ParseInput(tc.s, tc.unit)
		switch {
		case tc.want == "error" && err == nil:
			t.Errorf("%s %q %s: got %v, want an error", tc.in.Type, tc.s, tc.unit, v)
		case tc.want == "error" && !strings.Contains(err.Error(), tc.errContain):
			t.Errorf("%s %q: error %q does not say %q", tc.in.Type, tc.s, err, tc.errContain)
		case tc.want != "error" && err != nil:
			t.Errorf("%s %q %s: %v", tc.in.Type, tc.s, tc.unit, err)
		case tc.want != "error" && FormatInput(v) != tc.want:
			t.Errorf("%s %q %s: got %s, want %s", tc.in.Type, tc.s, tc.unit, FormatInput(v), tc.want)
		}
		if err == nil {
			back, derr := DecodeInput(tc.in.Type, FormatInput(v))
			if derr != nil || FormatInput(back) != FormatInput(v) {
				t.Errorf("%s %q: stored form %q does not read back (%v, %v)", tc.in.Type, tc.s, FormatInput(v), back, derr)
			}
		}
	}
}

func TestInputDeclarationsChecked(t *testing.T) {
	base := `id: x
version: 1
status: draft
official: false
title_zh: 测试
title_en: test
document: 测试
issuer: 测试
effective: {from: 2025-01-01}
mode: no_application
conditions:
  - {id: a, label_zh: 甲, label_en: a, expr: "input.v > 0"}
amount: {expr: "1"}
`
	for _, tc := range []struct{ extra, field string }{
		{"inputs:\n  v: {type: money, label_zh: 值, label_en: v, from: [project]}\n", "inputs.v.from"},
		{"inputs:\n  v: {type: money, label_zh: 值, label_en: v, from: [application]}\n", "application"},
		{"inputs:\n  v: {type: money, label_zh: 值, label_en: v, from: [application]}\napplication: {review_days: 0}\n", "application.review_days"},
		{"inputs:\n  v: {type: float, label_zh: 值, label_en: v, from: [application]}\napplication: {review_days: 5}\n", "inputs.v.type"},
		{"inputs:\n  v: {type: int, label_zh: 值, label_en: v, from: [registry]}\n", "inputs.v.from"},
		{"inputs:\n  v: {type: int, label_zh: 值, label_en: v, from: [application]}\napplication: {review_days: 5}\ncases:\n  - {name: c, as_of: 2025-06-01, enterprise: {district: \"440113\"}, inputs: {w: 3}, expect: {eligible: false}}\n", "cases[0].inputs.w"},
		{"inputs:\n  v: {type: money, label_zh: 值, label_en: v, from: [application]}\napplication: {review_days: 5}\ncases:\n  - {name: c, as_of: 2025-06-01, enterprise: {district: \"440113\"}, inputs: {v_yuan: \"1.001\"}, expect: {eligible: false}}\n", "cases[0].inputs.v_yuan"},
	} {
		_, err := Parse([]byte(base + tc.extra))
		var ce *chanye.Error
		if !errors.As(err, &ce) || ce.Fields[tc.field] == "" {
			t.Errorf("%s: got %v, want an error on %s", strings.TrimSpace(tc.extra), err, tc.field)
		}
	}
	// Undeclared input in a rule: a compile error naming it.
	p, err := Parse([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(p); err == nil || !strings.Contains(err.Error(), "input.v") {
		t.Errorf("undeclared input.v compiled: %v", err)
	}
}

func mustDay(t *testing.T, s string) chanye.Date {
	t.Helper()
	d, err := chanye.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestFirstUseAward: a policy rewarding a confirmed first use in a year
// reads it from the scenarios the enterprise won (from: [scenario]); a
// first use of another year is not eligible, none at all needs data, and
// a scenario input of a figure scenarios do not hold is refused.
func TestFirstUseAward(t *testing.T) {
	src := `id: first-use-award
version: 1
status: draft
official: false
title_zh: 首试首用奖励（测试）
title_en: first-use award (test)
document: 测试
issuer: 测试
effective: {from: 2026-01-01}
mode: no_application
inputs:
  first_use_on: {type: date, label_zh: 首试首用确认日期, label_en: first use confirmed on, from: [scenario]}
conditions:
  - {id: first_use_2026, label_zh: 2026 年确认首试首用, label_en: first use confirmed in 2026, expr: "input.first_use_on >= 20260101 && input.first_use_on <= 20261231"}
amount: {expr: "50000000"}
cases:
  - {name: in 2026, as_of: 2026-12-01, enterprise: {district: "440113"}, inputs: {first_use_on: 2026-05-20}, expect: {eligible: true, amount_fen: 50000000}}
  - {name: in 2025, as_of: 2026-12-01, enterprise: {district: "440113"}, inputs: {first_use_on: 2025-11-02}, expect: {eligible: false}}
`
	p, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("parse: %v %v", err, chanye.ErrorFields(err))
	}
	c, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	asOf := mustDay(t, "2026-12-01")
	e := &chanye.Enterprise{Code: "X", DistrictCode: "440113", IndustryClass: "3670"}
	for _, tc := range []struct {
		ins  *Inputs
		want Verdict
	}{
		{&Inputs{Scenario: map[string]any{"first_use_on": mustDay(t, "2026-05-20"), "procured": int64(0)}}, VerdictEligible},
		{&Inputs{Scenario: map[string]any{"first_use_on": mustDay(t, "2025-11-02")}}, VerdictNotEligible},
		{&Inputs{Project: map[string]any{"finished_on": mustDay(t, "2026-05-20")}}, VerdictNeedsData},
		{nil, VerdictNeedsData},
	} {
		if d := c.Evaluate(NewSubject(e, asOf).WithInputs(tc.ins), asOf); d.Status != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.ins, d.Status, tc.want)
		}
	}
	bad := strings.Replace(src[:strings.Index(src, "cases:")], "first_use_on: {type: date", "first_use_on: {type: money", 1)
	if _, err := Parse([]byte(bad)); chanye.ErrorFields(err)["inputs.first_use_on.from"] == "" {
		t.Errorf("a money first_use_on from scenarios: %v", err)
	}
}
