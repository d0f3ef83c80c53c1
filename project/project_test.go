package project

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

func date(s string) chanye.Date {
	d, err := chanye.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func code(t testing.TB, n int) string {
	t.Helper()
	body := fmt.Sprintf("%08d", n)
	oc, err := uscc.OrgCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	c, err := uscc.Complete("91440101" + body + string(oc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testProject starts on 2025-01-01 and completes on 2026-12-31, with no
// yearly plan: planned progress is linear in days.
func testProject(t testing.TB) *Project {
	return &Project{ID: "GZ2025-0001", Name: "测试项目", OwnerCode: code(t, 1), IndustryID: "auto", DistrictCode: "440106",
		Kind: KindIndustrial, TotalInvestmentFen: 100_000_000_00, PlannedStart: date("2025-01-01"),
		PlannedCompletion: date("2026-12-31"), Stage: StageBuilding}
}

func TestProjectValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(p *Project)
		field string
	}{
		{"ok", func(p *Project) {}, ""},
		{"id", func(p *Project) { p.ID = "a b" }, "id"},
		{"name", func(p *Project) { p.Name = " " }, "name"},
		{"owner", func(p *Project) { p.OwnerCode = "91440101000000001X" }, "owner_code"},
		{"kind", func(p *Project) { p.Kind = "castle" }, "kind"},
		{"stage", func(p *Project) { p.Stage = "done" }, "stage"},
		{"total", func(p *Project) { p.TotalInvestmentFen = 0 }, "total_investment_fen"},
		{"order", func(p *Project) { p.PlannedCompletion = p.PlannedStart }, "planned_completion"},
		{"plan exceeds", func(p *Project) { p.YearlyPlan = []YearPlan{{2025, p.TotalInvestmentFen}, {2026, 1}} }, "yearly_plan"},
		{"plan duplicate", func(p *Project) { p.YearlyPlan = []YearPlan{{2025, 1}, {2025, 1}} }, "yearly_plan[1]"},
		{"total at the bound", func(p *Project) { p.TotalInvestmentFen = chanye.MaxProjectFen }, ""},
		{"total above the bound", func(p *Project) { p.TotalInvestmentFen = chanye.MaxProjectFen + 1 }, "total_investment_fen"},
		{"total at MaxInt64", func(p *Project) { p.TotalInvestmentFen = math.MaxInt64 }, "total_investment_fen"},
		{"plan above the bound", func(p *Project) {
			p.TotalInvestmentFen = chanye.MaxProjectFen
			p.YearlyPlan = []YearPlan{{2025, chanye.MaxProjectFen + 1}}
		}, "yearly_plan[0]"},
		{"plans that wrap", func(p *Project) { p.YearlyPlan = []YearPlan{{2025, math.MaxInt64}, {2026, math.MaxInt64}} }, "yearly_plan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testProject(t)
			tc.edit(p)
			err := p.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if _, ok := chanye.ErrorFields(err)[tc.field]; !ok {
				t.Fatalf("Validate() = %v, want a message for %s", err, tc.field)
			}
		})
	}
}

func TestStagesAndKinds(t *testing.T) {
	if StageSigned.Ordinal() >= StageStarted.Ordinal() || StageFullOutput.Ordinal() != 7 {
		t.Error("stages out of order")
	}
	if s, ok := ParseStage("在建"); !ok || s != StageBuilding {
		t.Errorf("ParseStage(在建) = %q, %v", s, ok)
	}
	if k, ok := ParseKind("数字化改造"); !ok || k != KindDigitalRetrofit {
		t.Errorf("ParseKind(数字化改造) = %q, %v", k, ok)
	}
	if StageLand.NameZH() != "供地" || KindInfrastructure.NameEN() != "infrastructure" {
		t.Error("names")
	}
}

func TestEffectiveOwners(t *testing.T) {
	ind := &chanye.Industry{ID: "auto", Responsibility: chanye.Responsibility{CityLeader: "甲", LeadDepartment: "工信局"}}
	p := testProject(t)
	if got := p.EffectiveOwners(ind); got.Department != "工信局" || got.CityLeader != "甲" || got.OwnerCode != p.OwnerCode {
		t.Errorf("EffectiveOwners = %+v", got)
	}
	p.Department = "发改委"
	if got := p.EffectiveOwners(ind); got.Department != "发改委" || got.CityLeader != "甲" {
		t.Errorf("EffectiveOwners with own department = %+v", got)
	}
}

func TestNodesFor(t *testing.T) {
	for _, k := range Kinds {
		ns := NodesFor(k.Kind, date("2025-03-01"), date("2026-09-01"))
		var start *Node
		for i, n := range ns {
			if n.Seq != i+1 || n.Name == "" || n.OwnerDepartment == "" {
				t.Errorf("%s node %d = %+v", k.Kind, i, n)
			}
			if i > 0 && n.PlannedDate.Before(ns[i-1].PlannedDate.Time) {
				t.Errorf("%s: node %s before %s", k.Kind, n.Name, ns[i-1].Name)
			}
			if n.Name == StartNode {
				start = n
			}
		}
		if start == nil || start.PlannedDate != date("2025-03-01") {
			t.Errorf("%s: start node %+v, want planned 2025-03-01", k.Kind, start)
		}
	}
	ns := NodesFor(KindIndustrial, date("2025-03-01"), date("2026-09-01"))
	var names []string
	for _, n := range ns {
		names = append(names, n.Name)
	}
	if got := strings.Join(names, ","); got != "立项备案,用地预审,环评批复,规划许可,施工许可,开工,主体封顶,竣工验收,投产,达产" {
		t.Errorf("industrial nodes = %s", got)
	}
	if ns[7].PlannedDate != date("2026-09-01") || ns[0].PlannedDate != date("2024-09-01") {
		t.Errorf("竣工验收 %s, 立项 %s", ns[7].PlannedDate, ns[0].PlannedDate)
	}
}

func TestPlannedProgress(t *testing.T) {
	p := &Project{PlannedStart: date("2025-01-01"), PlannedCompletion: date("2027-01-01"), TotalInvestmentFen: 1000}
	for _, tc := range []struct {
		asOf string
		want float64
	}{
		{"2024-06-01", 0}, {"2025-12-31", 50}, {"2026-12-31", 100}, {"2030-01-01", 100},
	} {
		if got := PlannedProgress(p, date(tc.asOf)); math.Abs(got-tc.want) > 0.2 {
			t.Errorf("linear PlannedProgress(%s) = %.2f, want %.0f", tc.asOf, got, tc.want)
		}
	}
	// By yearly plan: 800 in 2025, 200 in 2026: 80 % planned by the end of 2025.
	p.YearlyPlan = []YearPlan{{2025, 800}, {2026, 200}}
	if got := PlannedProgress(p, date("2025-12-31")); math.Abs(got-80) > 0.01 {
		t.Errorf("plan PlannedProgress(2025-12-31) = %.2f, want 80", got)
	}
	if got := PlannedInvestment(p, date("2025-12-31")); got != 800 {
		t.Errorf("PlannedInvestment = %d, want 800", got)
	}
	if got := PlannedProgress(p, date("2026-07-01")); got < 89 || got > 91 {
		t.Errorf("plan PlannedProgress(2026-07-01) = %.2f, want about 90", got)
	}
}

func TestReportValidate(t *testing.T) {
	ok := Report{ProjectID: "X", Month: "2025-05", InvestedFen: 10, CumulativeFen: 30, ProgressPct: 40}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, r := range map[string]Report{
		"month":          {Month: "2025-13", CumulativeFen: 1},
		"progress_pct":   {Month: "2025-01", ProgressPct: 101},
		"cumulative_fen": {Month: "2025-01", InvestedFen: 5, CumulativeFen: 4},
		"invested_fen":   {Month: "2025-01", InvestedFen: -1},
	} {
		if _, bad := chanye.ErrorFields(r.Validate())[field]; !bad {
			t.Errorf("%+v: no error for %s", r, field)
		}
	}
}

func TestReportBounds(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		invested, cumulative chanye.Fen
		fields               []string
	}{
		{"at the bound", chanye.MaxProjectFen, chanye.MaxProjectFen, nil},
		{"cumulative above", 1, chanye.MaxProjectFen + 1, []string{"cumulative_fen"}},
		{"both above", chanye.MaxProjectFen + 1, chanye.MaxProjectFen + 1, []string{"invested_fen", "cumulative_fen"}},
		{"MaxInt64", math.MaxInt64, math.MaxInt64, []string{"invested_fen", "cumulative_fen"}},
	} {
		r := &Report{ProjectID: "GZ2025-0001", Month: "2026-10", InvestedFen: tc.invested, CumulativeFen: tc.cumulative, ProgressPct: 10}
		fields := chanye.ErrorFields(r.Validate())
		if len(fields) != len(tc.fields) {
			t.Errorf("%s: fields %v, want %v", tc.name, fields, tc.fields)
		}
		for _, f := range tc.fields {
			if fields[f] != chanye.ExceedsFen(chanye.MaxProjectFen) {
				t.Errorf("%s: %s = %q, want the bound", tc.name, f, fields[f])
			}
		}
	}
}

// A report agrees with its project and the reports around it: consecutive
// months add up exactly; after a gap the cumulative holds at least the
// months around it; never above the total investment.
func TestReportChain(t *testing.T) {
	p := &Project{TotalInvestmentFen: 1000}
	rep := func(month string, invested, cumulative chanye.Fen) *Report {
		return &Report{Month: month, InvestedFen: invested, CumulativeFen: cumulative}
	}
	for _, tc := range []struct {
		name       string
		r          *Report
		prev, next *Report
		bad        bool
	}{
		{"first report", rep("2025-01", 10, 10), nil, nil, false},
		{"adds up", rep("2025-02", 10, 30), rep("2025-01", 20, 20), nil, false},
		{"does not add up", rep("2025-02", 10, 31), rep("2025-01", 20, 20), nil, true},
		{"across the new year", rep("2025-01", 10, 30), rep("2024-12", 20, 20), nil, false},
		{"after a gap, more", rep("2025-03", 10, 45), rep("2025-01", 20, 20), nil, false},
		{"after a gap, less", rep("2025-03", 10, 29), rep("2025-01", 20, 20), nil, true},
		{"the next follows", rep("2025-02", 10, 30), rep("2025-01", 20, 20), rep("2025-03", 5, 35), false},
		{"the next does not follow", rep("2025-02", 10, 30), rep("2025-01", 20, 20), rep("2025-03", 5, 36), true},
		{"the next after a gap", rep("2025-02", 10, 30), nil, rep("2025-05", 5, 99), false},
		{"the next after a gap, less", rep("2025-02", 10, 30), nil, rep("2025-05", 5, 34), true},
		{"at the total", rep("2025-02", 10, 1000), rep("2025-01", 990, 990), nil, false},
		{"above the total", rep("2025-02", 11, 1001), rep("2025-01", 990, 990), nil, true},
	} {
		err := tc.r.CheckChain(p, tc.prev, tc.next)
		if _, got := chanye.ErrorFields(err)["cumulative_fen"]; got != tc.bad {
			t.Errorf("%s: %v, want refused %v", tc.name, err, tc.bad)
		}
	}
	if err := rep("2025-02", 0, 5000).CheckChain(&Project{}, nil, nil); err != nil {
		t.Errorf("a project without a total investment: %v", err)
	}
}
