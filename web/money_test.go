package web

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
)

// negative finds an amount shown negative in a table cell.
var negative = regexp.MustCompile(`>\s*-[0-9][0-9,.]*( 亿元| 万元|%)`)

// beyondBounds serves the store's projects with every report investing
// MaxInt64, as a database written before the money bounds could hold.
type beyondBounds struct{ project.Service }

func (b beyondBounds) FindReports(ctx context.Context, f project.ReportFilter) ([]*project.Report, int, error) {
	rs, n, err := b.Service.FindReports(ctx, f)
	for _, r := range rs {
		r.InvestedFen, r.CumulativeFen = math.MaxInt64, math.MaxInt64
	}
	return rs, n, err
}

// TestMeetingReportMoney: the meeting report page totals projects at the
// money bounds exactly, and refuses to show a total that overflows instead
// of a wrapped, negative one (issue 8, finding 1).
func TestMeetingReportMoney(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	month := testclock.Month(-1)
	year, _ := strconv.Atoi(month[:4])
	const n = 3
	for i := range n {
		p := &project.Project{ID: fmt.Sprintf("GZ-90%02d", i), Name: "上限项目", OwnerCode: codeAuto, IndustryID: "biomedicine",
			DistrictCode: "440106", Kind: project.KindIndustrial, TotalInvestmentFen: chanye.MaxProjectFen,
			YearlyPlan:   []project.YearPlan{{Year: year, PlannedFen: chanye.MaxProjectFen}},
			PlannedStart: testclock.AddMonths(-6), PlannedCompletion: testclock.AddMonths(24), Stage: project.StageBuilding}
		if err := f.store.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := f.store.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: month, InvestedFen: chanye.MaxProjectFen,
			CumulativeFen: chanye.MaxProjectFen, ProgressPct: 20}); err != nil {
			t.Fatal(err)
		}
	}
	res, body := f.get(t, "/projects/report?month="+month, "")
	if res.StatusCode != 200 {
		t.Fatalf("status %d\n%.500s", res.StatusCode, body)
	}
	done := fenMoney("zh", n*chanye.MaxProjectFen)
	invest := fenMoney("zh", n*chanye.MaxProjectFen+10_000_000_000_00+50_000_000_00)
	for _, want := range []string{done, invest, "100.0%"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if m := negative.FindString(body); m != "" {
		t.Errorf("report shows a negative amount: %q", m)
	}

	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Policies: f.store.PolicyServices(), Engine: eng,
		Version: "v-test", Projects: beyondBounds{f.store}})
	if err != nil {
		t.Fatal(err)
	}
	f.h = asOperator(h)
	res, body = f.get(t, "/projects/report?month="+month, "")
	if res.StatusCode != 400 || !strings.Contains(body, "金额合计超出可计算范围") || negative.MatchString(body) {
		t.Errorf("status %d, want 400 with the overflow message\n%.800s", res.StatusCode, body)
	}
}

// TestReportFormMoneyBounds: the monthly report form refuses amounts above
// the bound with the bound beside the field and keeps what was typed.
func TestReportFormMoneyBounds(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	for _, typed := range []string{"1000000000000.01", "999999999999999.99"} {
		res, body := f.post(t, "/projects/GZ-0001/reports", url.Values{"month": {testclock.Month(-12)}, "unit": {"yuan"}, "invested_fen": {"1"},
			"cumulative_fen": {typed}, "progress_pct": {"10"}})
		if res.StatusCode != 400 {
			t.Fatalf("%s: status %d, want 400", typed, res.StatusCode)
		}
		for _, want := range []string{"超过上限 1 万亿元", typed} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", typed, want)
			}
		}
	}
}
