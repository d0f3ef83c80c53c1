package policy

import (
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// cohortSrc is a little giant reward that pays the 2025 cohort in 2026.
const cohortSrc = `id: cohort-test
version: 1
status: draft
official: false
title_zh: 测试
title_en: Test
document: 测试
issuer: 测试
effective: {from: 2025-01-01}
mode: no_application
cohort: {tier: 小巨人, level: 国家级, recognised_in: 2025, paid_in: 2026}
params:
  reward:
    - {from: 2025-01-01, value_yuan: "1000000"}
conditions:
  - id: holds
    label_zh: 现为小巨人
    label_en: Holds it
    expr: e.tier.little_giant.held
amount:
  expr: p.reward
`

func giant(from string, level chanye.TierLevel) *chanye.Enterprise {
	e := enterprise()
	e.Tiers = []chanye.Tier{{Kind: chanye.TierLittleGiant, Level: level, From: mustTime(from)}}
	return e
}

// TestCohortPaysItsBatch: a policy stating "recognised in 2025, paid in
// 2026" pays the 2025 cohort on a 2026 as-of date, not the 2024 cohort, and
// nobody on a 2025 date; the decision's period is the cohort's year (issue
// 9, point 6).
func TestCohortPaysItsBatch(t *testing.T) {
	p := mustParse(t, cohortSrc)
	if p.Cohort == nil || p.Cohort.Tier != chanye.TierLittleGiant || p.Cohort.Level != chanye.LevelNational ||
		p.Cohort.Recognition != RecognitionFirst || len(p.Cohort.Batches) != 1 || p.Cohort.Batches[0] != (Batch{2025, 2026}) {
		t.Fatalf("cohort %+v", p.Cohort)
	}
	last := p.Conds[len(p.Conds)-1]
	if last.ID != CohortCondition || !strings.Contains(last.LabelZH, "2025 年认定、2026 年兑现") || !strings.Contains(last.LabelEN, "recognised 2025, paid 2026") {
		t.Errorf("cohort condition %+v, want one naming the batch", last)
	}
	c, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from string
		level      chanye.TierLevel
		asOf       string
		eligible   bool
	}{
		{"2025 cohort paid in 2026", "2025-07-15", chanye.LevelNational, "2026-03-31", true},
		{"recognised on the last day of 2025", "2025-12-31", chanye.LevelNational, "2026-01-01", true},
		{"2024 cohort not paid in 2026", "2024-07-15", chanye.LevelNational, "2026-03-31", false},
		{"2025 cohort not paid in 2025", "2025-07-15", chanye.LevelNational, "2025-12-31", false},
		{"2026 cohort not paid in 2026", "2026-07-15", chanye.LevelNational, "2026-11-30", false},
		{"2025 cohort not paid in 2027", "2025-07-15", chanye.LevelNational, "2027-03-31", false},
		{"provincial level not counted", "2025-07-15", chanye.LevelProvincial, "2026-03-31", false},
	} {
		asOf := mustTime(tc.asOf)
		d := c.Evaluate(NewSubject(giant(tc.from, tc.level), asOf), asOf)
		if d.Eligible != tc.eligible || d.Err != "" {
			t.Errorf("%s: eligible %v (%s), want %v\n%s", tc.name, d.Eligible, d.Err, tc.eligible, d.Explain())
		}
	}
	asOf := mustTime("2026-03-31")
	d := c.Evaluate(NewSubject(giant("2024-07-15", chanye.LevelNational), asOf), asOf)
	if got := d.Explain(); !strings.Contains(got, "本批认定年度 2025 年") || !strings.Contains(got, "首次认定年份 2024 年，需 = 2025 年") {
		t.Errorf("explanation of the 2024 cohort lacks the cohort year and the gap:\n%s", got)
	}
	for day, want := range map[string]int{"2026-03-31": 2025, "2026-12-31": 2025, "2025-12-31": 2025, "2027-01-01": 2027} {
		if got := p.Period(mustTime(day)); got != want {
			t.Errorf("Period(%s) = %d, want %d", day, got, want)
		}
	}
}

func TestCohortErrors(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, field, msg string
	}{
		{"unknown tier", "tier: 小巨人", "tier: 巨人", "cohort.tier", "unknown tier"},
		{"unknown level", "level: 国家级", "level: 区级", "cohort.level", "unknown level"},
		{"paid before recognised", "paid_in: 2026", "paid_in: 2024", "cohort.batches[0].paid_in", "must not be before"},
		{"paid outside the period", "effective: {from: 2025-01-01}", "effective: {from: 2025-01-01, to: 2025-12-31}", "cohort.batches[0].paid_in", "outside the effective period"},
		{"half a batch", ", paid_in: 2026", "", "cohort", "give both recognised_in and paid_in"},
		{"both forms", "paid_in: 2026}", "paid_in: 2026, batches: [{recognised_in: 2026, paid_in: 2027}]}", "cohort", "not both"},
		{"two batches paid in one year", "recognised_in: 2025, paid_in: 2026}", "batches: [{recognised_in: 2024, paid_in: 2026}, {recognised_in: 2025, paid_in: 2026}]}",
			"cohort.batches[1].paid_in", "already paid in 2026"},
		{"bad recognition", "cohort: {", "cohort: {recognition: newest, ", "cohort.recognition", "first or latest"},
		{"own cohort_year", "params:\n", "params:\n  cohort_year:\n    - {from: 2025-01-01, value: 1}\n", "params.cohort_year", "comes from the cohort"},
		{"a condition named cohort", "  - id: holds", "  - id: cohort", "conditions[0].id", "kept for the cohort"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(cohortSrc, tc.old, tc.new, 1)
			if src == cohortSrc {
				t.Fatalf("edit %q not applied", tc.old)
			}
			_, err := Parse([]byte(src))
			if got := chanye.ErrorFields(err)[tc.field]; !strings.Contains(got, tc.msg) {
				t.Errorf("Parse = %v, want %s containing %q", err, tc.field, tc.msg)
			}
		})
	}
	// The general form: one batch a year, renewals counted.
	src := strings.Replace(cohortSrc, "cohort: {tier: 小巨人, level: 国家级, recognised_in: 2025, paid_in: 2026}",
		"cohort:\n  tier: little_giant\n  recognition: latest\n  batches:\n    - {recognised_in: 2025, paid_in: 2026}\n    - {recognised_in: 2026, paid_in: 2027}", 1)
	c, err := Compile(mustParse(t, src))
	if err != nil {
		t.Fatal(err)
	}
	renewed := giant("2023-07-01", "")
	renewed.Tiers = append(renewed.Tiers, chanye.Tier{Kind: chanye.TierLittleGiant, From: mustTime("2026-07-01")})
	asOf := mustTime("2027-02-01")
	if d := c.Evaluate(NewSubject(renewed, asOf), asOf); !d.Eligible || c.Policy.Period(asOf) != 2026 {
		t.Errorf("a 2026 renewal paid in 2027 by latest recognition: eligible %v, period %d\n%s", d.Eligible, c.Policy.Period(asOf), d.Explain())
	}
}

// TestTierDateAndLevel: rules read the exact day and the level of the first
// and the latest recognition of a tier; a level not recorded is missing.
func TestTierDateAndLevel(t *testing.T) {
	e := enterprise()
	e.Tiers = []chanye.Tier{
		{Kind: chanye.TierSRDI, Level: chanye.LevelMunicipal, From: mustTime("2019-10-08"), To: mustTime("2022-10-07")},
		{Kind: chanye.TierSRDI, Level: chanye.LevelProvincial, From: mustTime("2022-10-08")},
		{Kind: chanye.TierLittleGiant, From: mustTime("2024-07-20")},
		{Kind: chanye.TierSRDI, Level: chanye.LevelProvincial, From: mustTime("2026-01-05")}, // after the as-of date
	}
	s := NewSubject(e, mustTime("2025-06-30"))
	for name, want := range map[string]any{
		"e.tier.srdi.date": int64(20221008), "e.tier.srdi.first_date": int64(20191008), "e.tier.srdi.year": int64(2022),
		"e.tier.srdi.level": "provincial", "e.tier.srdi.first_level": "municipal", "e.tier.little_giant.date": int64(20240720),
		"e.tier.little_giant.level": "", "e.tier.single_champion.date": int64(0), "e.tier.single_champion.level": "",
	} {
		if got, _ := s.Value(name); got != want {
			t.Errorf("%s = %v (%T), want %v", name, got, got, want)
		}
	}
	if !s.Missing("e.tier.little_giant.level") || s.Missing("e.tier.srdi.level") || s.Missing("e.tier.single_champion.level") {
		t.Error("a level not recorded must be missing, a recorded or absent one not")
	}
	for _, name := range []string{"e.tier.srdi.date", "e.tier.srdi.first_level"} {
		if v, ok := LookupVariable(name); !ok || v.LabelZH == "" {
			t.Errorf("schema lacks %s", name)
		}
	}
}

// TestSizeAsOf: rules see the size class of the fiscal year the as-of date
// sees, not the stored current one: a manufacturer small in 2024 and
// medium in 2025 is small on a 2025 as-of date (issue 9, point 6).
func TestSizeAsOf(t *testing.T) {
	e := enterprise()
	e.IndustryClass = "3670"
	e.Facts = []*chanye.Facts{
		{Year: 2025, Employees: n64(320), Revenue: fen(25_000_000_00)},
		{Year: 2024, Employees: n64(120), Revenue: fen(9_000_000_00)},
	}
	e.DeriveSizeClass() // the stored class: medium, from 2025
	for day, want := range map[string]string{"2025-11-30": "small", "2026-02-01": "medium"} {
		if got, _ := NewSubject(e, mustTime(day)).Value("e.size"); got != want {
			t.Errorf("e.size as of %s = %v, want %s (stored %s)", day, got, want, e.SizeClass)
		}
	}
}

// TestFiscalYears: a rule reads e.fy5 only when its policy declares
// fiscal_years: 5 or more; then it sees the facts of five years back.
func TestFiscalYears(t *testing.T) {
	src := strings.Replace(readRD(t), "e.fy1.revenue >= p.min_revenue && e.fy1.reported", "e.fy5.revenue >= p.min_revenue && e.fy1.reported", 1)
	_, err := Compile(mustParse(t, src))
	if got := chanye.ErrorFields(err)["conditions[2].expr"]; !strings.Contains(got, "reads e.fy5.revenue: declare fiscal_years: 5 or more") {
		t.Errorf("Compile = %v, want conditions[2].expr asking for fiscal_years: 5", err)
	}
	src = strings.Replace(src, "mode: no_application", "mode: no_application\nfiscal_years: 5", 1)
	p := mustParse(t, src)
	if p.Years() != 5 {
		t.Fatalf("Years = %d, want 5", p.Years())
	}
	c, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	e := enterprise()
	e.Facts = []*chanye.Facts{
		{Year: 2024, Revenue: fen(40_000_000_00), RDSpending: fen(2_000_000_00)},
		{Year: 2020, Revenue: fen(30_000_000_00)},
	}
	asOf := mustTime("2025-06-30")
	if d := c.Evaluate(NewSubject(e, asOf), asOf); !d.Eligible {
		t.Errorf("fiscal 2020 as fy5: not eligible\n%s", d.Explain())
	}
	if got, _ := NewSubject(e, asOf).Value("e.fy5.revenue"); got != int64(30_000_000_00) {
		t.Errorf("e.fy5.revenue = %v", got)
	}
	for _, bad := range []string{"fiscal_years: 0", "fiscal_years: 11"} {
		_, err := Parse([]byte(strings.Replace(src, "fiscal_years: 5", bad, 1)))
		if got := chanye.ErrorFields(err)["fiscal_years"]; !strings.Contains(got, "1 to 10") {
			t.Errorf("%s: %v, want fiscal_years 1 to 10", bad, err)
		}
	}
	// Derived variables count the years they read.
	src = strings.Replace(readRD(t), "e.fy1.revenue >= p.min_revenue && e.fy1.reported", "e.revenue_cagr3 > 0.0", 1)
	src = strings.Replace(src, "mode: no_application", "mode: no_application\nfiscal_years: 2", 1)
	if _, err := Compile(mustParse(t, src)); !strings.Contains(chanye.ErrorFields(err)["conditions[2].expr"], "e.revenue_cagr3") {
		t.Errorf("e.revenue_cagr3 with fiscal_years: 2: %v, want an error", err)
	}
}
