package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/report"
)

// The monthly meeting report (月度调度会): the page and the workbook are
// one report.Build result — the same month rules (report.MonthAsOf), the
// same sums — the page laid out to print, the workbook (report.Write) to
// download.

// summaryRow is one industry or district of the meeting, amounts shown.
type summaryRow struct {
	report.Summary
	Investment, Planned, Done, Share string
}

// redRow is a red project with its owners and the reasons it is red.
type redRow struct {
	report.RedItem
	Href, Investment string
}

type overdueRow struct {
	report.OverdueNode
	Href string
}

type meetingView struct {
	page
	Month, Year  string
	AsOf         string
	XLSX         string // the workbook's URL
	Counts       struct{ Total, Red, Yellow, Green int }
	ByIndustry   []summaryRow
	ByDistrict   []summaryRow
	Total        summaryRow
	Red          []redRow
	Overdue      []overdueRow
	OverdueTotal int
}

// maxOverdueShown bounds the overdue nodes the printed report lists; the
// workbook lists them all.
const maxOverdueShown = 200

// meeting builds the meeting of ?month= (this month by default) as the
// workbook does.
func (s *Server) meeting(r *http.Request) (*report.Meeting, error) {
	ps, err := s.projectService()
	if err != nil {
		return nil, err
	}
	month := r.URL.Query().Get("month")
	if month == "" {
		month = s.now().Format("2006-01")
	}
	first, err := report.ParseMonth(month)
	if err != nil {
		return nil, err
	}
	src := report.Sources{Catalog: s.cfg.Catalog, Projects: ps, Enterprises: s.cfg.Enterprises}
	return report.Build(r.Context(), src, month, report.MonthAsOf(first, s.now()))
}

// projectReport is the meeting report as a page.
func (s *Server) projectReport(w http.ResponseWriter, r *http.Request) error {
	m, err := s.meeting(r)
	if err != nil {
		return err
	}
	v := &meetingView{page: s.newPage(r, "projects"), Month: m.Month, Year: m.Month[:4], AsOf: m.AsOf,
		XLSX: "/projects/report.xlsx?month=" + m.Month}
	l := v.L
	v.Demo = m.Demo
	v.Title = l.Tf("rep.title", m.Month)
	var sums [3]chanye.FenSum
	summaries := func(in []report.Summary) []summaryRow {
		out := make([]summaryRow, 0, len(in))
		for _, x := range in {
			out = append(out, summaryOf(l, x))
		}
		return out
	}
	c, err := s.cfg.Catalog.FindCatalog(r.Context())
	if err != nil {
		return err
	}
	// The report names industries and districts in Chinese, as the
	// workbook does; the page says them in the reader's language.
	industry := func(id, zh string) string {
		if ind := c.Industry(id); ind != nil {
			return l.Pick(ind.NameZH, ind.NameEN)
		}
		return zh
	}
	district := func(code, zh string) string {
		if d, ok := c.District(code); ok {
			return l.Pick(d.NameZH, d.NameEN)
		}
		return zh
	}
	v.ByIndustry, v.ByDistrict = summaries(m.ByIndustry), summaries(m.ByDistrict)
	for i := range v.ByIndustry {
		v.ByIndustry[i].Name = industry(v.ByIndustry[i].Key, v.ByIndustry[i].Name)
	}
	for i := range v.ByDistrict {
		v.ByDistrict[i].Name = district(v.ByDistrict[i].Key, v.ByDistrict[i].Name)
	}
	// The total is the industries' sum (every project has one industry).
	var t report.Summary
	for _, x := range m.ByIndustry {
		t.Projects, t.Green, t.Yellow, t.Red = t.Projects+x.Projects, t.Green+x.Green, t.Yellow+x.Yellow, t.Red+x.Red
		t.Overdue, t.NoReports = t.Overdue+x.Overdue, t.NoReports+x.NoReports
		sums[0].Add(x.Total)
		sums[1].Add(x.PlanYear)
		sums[2].Add(x.DoneYear)
	}
	for i, dst := range []*chanye.Fen{&t.Total, &t.PlanYear, &t.DoneYear} {
		if *dst, err = sums[i].Total("total"); err != nil {
			return err
		}
	}
	t.Name = l.T("rep.total")
	v.Total = summaryOf(l, t)
	v.Counts.Total, v.Counts.Red, v.Counts.Yellow, v.Counts.Green = t.Projects, t.Red, t.Yellow, t.Green
	for _, x := range m.Red {
		x.Industry, x.District = industry(x.IndustryID, x.Industry), district(x.DistrictCode, x.District)
		v.Red = append(v.Red, redRow{RedItem: x, Href: projectHref(x.ID), Investment: fenMoney(l, x.Total)})
	}
	v.OverdueTotal = len(m.Overdue)
	for _, x := range m.Overdue[:min(len(m.Overdue), maxOverdueShown)] {
		x.District = district(x.DistrictCode, x.District)
		v.Overdue = append(v.Overdue, overdueRow{OverdueNode: x, Href: projectHref(x.ProjectID)})
	}
	return s.render(w, "projects_report", v)
}

func summaryOf(l Lang, x report.Summary) summaryRow {
	row := summaryRow{Summary: x, Investment: fenMoney(l, x.Total), Planned: fenMoney(l, x.PlanYear), Done: fenMoney(l, x.DoneYear), Share: l.T("dash")}
	if x.PlanYear > 0 {
		row.Share = percent(float64(x.DoneYear) / float64(x.PlanYear))
	}
	return row
}

// projectReportXLSX downloads the meeting workbook (report.Write) of
// ?month=, the same meeting the page shows.
func (s *Server) projectReportXLSX(w http.ResponseWriter, r *http.Request) error {
	m, err := s.meeting(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, m); err != nil {
		return err
	}
	sendXLSX(w, fmt.Sprintf("meeting-%s.xlsx", m.Month), buf.Bytes())
	return nil
}
