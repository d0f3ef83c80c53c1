package report_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/report"
	"github.com/chanye-org/chanye/scorecard"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
	"github.com/xuri/excelize/v2"
)

// boundProjects stores n projects, alternately in two industries, each at
// the bounds: total investment and the 2026 plan at MaxProjectFen, and ten
// monthly reports of 2026, the first investing MaxProjectFen (the whole
// total: a cumulative never exceeds it), the others nothing.
func boundProjects(t *testing.T, n int) *sqlstore.Store {
	t.Helper()
	s := sqlstoretest.New(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	oc, _ := uscc.OrgCheckChar("00000001")
	owner, err := uscc.Complete("9144010100000001" + string(oc))
	if err != nil {
		t.Fatal(err)
	}
	b := &project.Batch{}
	for i := range n {
		p := &project.Project{ID: fmt.Sprintf("GZ2026-%04d", i), Name: fmt.Sprintf("上限项目%d", i), OwnerCode: owner,
			IndustryID: []string{"icv-nev", "biomedicine"}[i%2], DistrictCode: "440106", Kind: project.KindIndustrial,
			TotalInvestmentFen: chanye.MaxProjectFen, YearlyPlan: []project.YearPlan{{Year: 2026, PlannedFen: chanye.MaxProjectFen}},
			PlannedStart: chanye.Date{Time: asOf.AddDate(-1, 0, 0)}, PlannedCompletion: chanye.Date{Time: asOf.AddDate(2, 0, 0)},
			Stage: project.StageBuilding}
		b.Projects = append(b.Projects, p)
		for m := 1; m <= 10; m++ {
			var invested chanye.Fen
			if m == 1 {
				invested = chanye.MaxProjectFen
			}
			b.Reports = append(b.Reports, &project.Report{ProjectID: p.ID, Month: fmt.Sprintf("2026-%02d", m),
				InvestedFen: invested, CumulativeFen: chanye.MaxProjectFen, ProgressPct: 50, ReportedBy: "test"})
		}
	}
	if err := s.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMeetingAtTheBounds: the meeting over projects at the money bounds
// has exact, non-negative totals, in the Meeting and in the workbook, and
// the scorecards build over the same data (issue 8, finding 1).
func TestMeetingAtTheBounds(t *testing.T) {
	const n = 60
	s := boundProjects(t, n)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	m, err := report.Build(ctx, report.Sources{Catalog: s, Projects: s}, "2026-11", asOf)
	if err != nil {
		t.Fatal(err)
	}
	max := chanye.MaxProjectFen
	if len(m.Investment) != n {
		t.Fatalf("%d investment rows, want %d", len(m.Investment), n)
	}
	for _, r := range m.Investment {
		if r.Total != max || r.PlanYear != max || r.DoneYear != max || r.DoneAll != max {
			t.Fatalf("investment row %+v", r)
		}
	}
	var projects int
	var done chanye.Fen
	for _, r := range m.ByIndustry {
		if r.Total != chanye.Fen(r.Projects)*max || r.PlanYear != r.Total || r.DoneYear != r.Total {
			t.Errorf("summary %s: total %d plan %d done %d for %d projects", r.Name, r.Total, r.PlanYear, r.DoneYear, r.Projects)
		}
		projects += r.Projects
		done += r.DoneYear
	}
	if projects != n || done != n*max || done <= 0 {
		t.Errorf("by industry: %d projects, done %d; want %d, %d", projects, done, n, n*max)
	}

	var buf bytes.Buffer
	if err := report.Write(&buf, m); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SheetInvestment, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	total := rows[len(rows)-1]
	want := []float64{n * float64(max) / 1e6, n * float64(max) / 1e6, n * float64(max) / 1e6, 1, n * float64(max) / 1e6}
	for i, col := range []int{5, 6, 7, 8, 9} {
		got, err := strconv.ParseFloat(total[col], 64)
		if err != nil || got != want[i] {
			t.Errorf("投资完成 total row, column %d = %q, want %v", col+1, total[col], want[i])
		}
	}

	dept := "市工业和信息化局"
	for _, id := range []string{"icv-nev", "biomedicine"} {
		if _, err := s.UpdateResponsibility(ctx, id, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
			t.Fatal(err)
		}
	}
	sc := &scorecard.Service{Catalog: s, Projects: s}
	cards, err := sc.Cards(ctx, asOf, scorecard.Leader, scorecard.Department)
	if err != nil {
		t.Fatal(err)
	}
	var counted int
	for _, c := range cards {
		if c.Kind == scorecard.Department {
			counted += c.Projects.Total
		}
	}
	if counted != n {
		t.Errorf("department cards count %d projects, want %d", counted, n)
	}
}

// beyondBounds serves the store's projects with reports above every bound,
// as a database written before the bounds existed could hold them.
type beyondBounds struct{ project.Service }

func (b beyondBounds) FindReports(ctx context.Context, f project.ReportFilter) ([]*project.Report, int, error) {
	rs, n, err := b.Service.FindReports(ctx, f)
	for _, r := range rs {
		r.InvestedFen, r.CumulativeFen = math.MaxInt64, math.MaxInt64
	}
	return rs, n, err
}

// TestMeetingOverflowIsAnError: sums past int64 make Build fail with the
// overflow error instead of showing a wrapped, negative total.
func TestMeetingOverflowIsAnError(t *testing.T) {
	s := boundProjects(t, 2)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	m, err := report.Build(ctx, report.Sources{Catalog: s, Projects: beyondBounds{s}}, "2026-11", asOf)
	if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorMessage(err) != chanye.OverflowMessage {
		t.Fatalf("Build = %+v, %v; want the overflow error", m, err)
	}
	if err := report.Write(&bytes.Buffer{}, &report.Meeting{Month: "2026-11", Investment: []report.Investment{
		{ID: "a", Total: math.MaxInt64}, {ID: "b", Total: 1}}}); chanye.ErrorMessage(err) != chanye.OverflowMessage {
		t.Errorf("Write = %v, want the overflow error", err)
	}
}
