package web

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/scorecard"
)

// summaryRow is one industry or district of the meeting report. Its sums
// are checked: an overflow fails the page rather than show a wrapped total.
type summaryRow struct {
	Name                  string
	Colours               scorecard.Colours
	Investment            string
	Planned, Done, Share  string
	planned, done, invest chanye.FenSum
}

// redRow is a red project with its owners and the rules that fired.
type redRow struct {
	projectRow
	Rules []string
}

type overdueRow struct {
	ProjectID, Project, Href string
	Node, Department         string
	Planned                  string
	Days                     int
}

type meetingView struct {
	page
	Month, Year  string
	AsOf         string
	Counts       scorecard.Colours
	ByIndustry   []summaryRow
	ByDistrict   []summaryRow
	Total        summaryRow
	Red          []redRow
	Overdue      []overdueRow
	OverdueTotal int
}

var monthPattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// maxOverdueShown bounds the overdue nodes the printed report lists.
const maxOverdueShown = 200

// projectReport is the monthly meeting report (月度调度会): the summary by
// industry and district, the red list with owners, overdue nodes and
// investment against plan, laid out to print.
func (s *Server) projectReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ps, c, err := s.projectsAndCatalog(ctx)
	if err != nil {
		return err
	}
	v := &meetingView{page: s.newPage(r, "projects")}
	l := v.L
	today := chanye.DateOf(s.now())
	v.Month = today.Format("2006-01")
	if m := r.URL.Query().Get("month"); m != "" {
		if !monthPattern.MatchString(m) {
			return chanye.Invalid("筛选条件有误 / invalid filter", map[string]string{"month": "须为 YYYY-MM / must be YYYY-MM"})
		}
		v.Month = m
	}
	asOf, _ := monthEnd(v.Month)
	if asOf.After(today.Time) {
		asOf = today
	}
	v.AsOf, v.Year = asOf.String(), v.Month[:4]
	v.Title = l.Tf("rep.title", v.Month)
	board, err := ps.FindBoard(ctx, project.ProjectFilter{AsOf: asOf})
	if err != nil {
		return err
	}
	projects, ws, nodes := board.Projects, board.Warnings, board.Nodes
	labels, err := s.ruleLabels(ctx, l)
	if err != nil {
		return err
	}
	from := v.Year + "-01"
	done := map[string]*chanye.FenSum{}
	for off := 0; ; {
		reps, total, err := ps.FindReports(ctx, project.ReportFilter{From: &from, To: &v.Month, Offset: off, Limit: 10000})
		if err != nil {
			return err
		}
		for _, rep := range reps {
			d := done[rep.ProjectID]
			if d == nil {
				d = &chanye.FenSum{}
				done[rep.ProjectID] = d
			}
			d.Add(rep.InvestedFen)
		}
		off += len(reps)
		if len(reps) == 0 || off >= total {
			break
		}
	}
	year, _ := strconv.Atoi(v.Year)
	cols := project.Colours(ws)
	rules := map[string][]string{}
	for _, x := range ws {
		if x.Colour == project.Red {
			rules[x.ProjectID] = append(rules[x.ProjectID], orDefault(labels[x.RuleID], x.RuleID))
		}
	}
	inds, dists := map[string]*summaryRow{}, map[string]*summaryRow{}
	for _, p := range projects {
		col := cols[p.ID]
		v.Counts.Add(col)
		row := s.projectRow(l, c, p, col)
		var planned chanye.Fen
		for _, y := range p.YearlyPlan {
			if y.Year == year {
				planned = y.PlannedFen
			}
		}
		for _, t := range []struct {
			m   map[string]*summaryRow
			key string
		}{{inds, row.Industry}, {dists, row.District}} {
			m, key := t.m, t.key
			if m[key] == nil {
				m[key] = &summaryRow{Name: key}
			}
			sr := m[key]
			sr.Colours.Add(col)
			sr.planned.Add(planned)
			sr.invest.Add(p.TotalInvestmentFen)
			if d := done[p.ID]; d != nil {
				sr.done.AddSum(*d)
			}
		}
		v.Total.Colours.Add(col)
		v.Total.planned.Add(planned)
		v.Total.invest.Add(p.TotalInvestmentFen)
		if d := done[p.ID]; d != nil {
			v.Total.done.AddSum(*d)
		}
		if col == project.Red {
			v.Red = append(v.Red, redRow{projectRow: row, Rules: rules[p.ID]})
		}
		for _, n := range nodes[p.ID] {
			if n.Overdue(asOf) {
				v.OverdueTotal++
				v.Overdue = append(v.Overdue, overdueRow{ProjectID: p.ID, Project: p.Name, Href: row.Href, Node: n.Name,
					Department: orDefault(n.OwnerDepartment, l.T("dash")), Planned: n.PlannedDate.String(),
					Days: int(asOf.Sub(n.PlannedDate.Time).Hours() / 24)})
			}
		}
	}
	sort.SliceStable(v.Overdue, func(i, j int) bool { return v.Overdue[i].Days > v.Overdue[j].Days })
	if len(v.Overdue) > maxOverdueShown {
		v.Overdue = v.Overdue[:maxOverdueShown]
	}
	finish := func(sr *summaryRow) error {
		invest, err := sr.invest.Total("investment")
		if err != nil {
			return err
		}
		planned, err := sr.planned.Total("planned")
		if err != nil {
			return err
		}
		done, err := sr.done.Total("done")
		if err != nil {
			return err
		}
		sr.Investment, sr.Planned, sr.Done, sr.Share = fenMoney(l, invest), fenMoney(l, planned), fenMoney(l, done), l.T("dash")
		if planned > 0 {
			sr.Share = percent(float64(done) / float64(planned))
		}
		return nil
	}
	for _, m := range []map[string]*summaryRow{inds, dists} {
		rows := []summaryRow{}
		for _, sr := range m {
			if err := finish(sr); err != nil {
				return err
			}
			rows = append(rows, *sr)
		}
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].Colours.Red != rows[j].Colours.Red {
				return rows[i].Colours.Red > rows[j].Colours.Red
			}
			return rows[i].Name < rows[j].Name
		})
		if v.ByIndustry == nil {
			v.ByIndustry = rows
		} else {
			v.ByDistrict = rows
		}
	}
	if err := finish(&v.Total); err != nil {
		return err
	}
	v.Total.Name = l.T("rep.total")
	return s.render(w, "projects_report", v)
}
