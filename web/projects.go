package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/scorecard"
)

// The key project pages: the list, a project, the warning board, the
// scorecards and the monthly meeting report. They answer 404 without a
// project service.

func (s *Server) projectService() (project.Service, error) {
	if s.cfg.Projects == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置重点项目 / no project service configured")
	}
	return s.cfg.Projects, nil
}

// projectsAndCatalog returns the project service and the catalog, which
// the list, the warning board and the meeting report all start from.
func (s *Server) projectsAndCatalog(ctx context.Context) (project.Service, *chanye.Catalog, error) {
	ps, err := s.projectService()
	if err != nil {
		return nil, nil, err
	}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ps, c, nil
}

// projectRow is one project in a list.
type projectRow struct {
	ID, Name, Href     string
	Industry, District string
	Kind, Stage        string
	Colour, ColourName string
	Investment         string
	Start, Completion  string
	Department, Leader string
	OwnerCode          string
}

func colourName(l Lang, c project.Colour) string {
	if c == "" {
		c = project.Green
	}
	return l.T("colour." + string(c))
}

func (s *Server) projectRow(l Lang, c *chanye.Catalog, p *project.Project, col project.Colour) projectRow {
	ind := c.Industry(p.IndustryID)
	o := p.EffectiveOwners(ind)
	row := projectRow{ID: p.ID, Name: p.Name, Href: "/projects/" + url.PathEscape(p.ID), Industry: p.IndustryID, District: p.DistrictCode,
		Kind: l.Pick(p.Kind.NameZH(), p.Kind.NameEN()), Stage: l.Pick(p.Stage.NameZH(), p.Stage.NameEN()),
		Colour: string(orColour(col)), ColourName: colourName(l, col), Investment: fenMoney(l, p.TotalInvestmentFen),
		Start: p.PlannedStart.String(), Completion: p.PlannedCompletion.String(),
		Department: orDefault(o.Department, l.T("dash")), Leader: orDefault(o.CityLeader, l.T("dash")), OwnerCode: p.OwnerCode}
	if ind != nil {
		row.Industry = l.Pick(ind.NameZH, ind.NameEN)
	}
	if d, ok := c.District(p.DistrictCode); ok {
		row.District = l.Pick(d.NameZH, d.NameEN)
	}
	return row
}

func orColour(c project.Colour) project.Colour {
	if c == "" {
		return project.Green
	}
	return c
}

type projectListView struct {
	page
	Districts, Industries, Stages, Colours []option
	Department, Leader, Owner              string
	Owners                                 ownerFilters
	Rows                                   []projectRow
	pager
}

// readProjectFilter reads the filters of the list and the board into f and
// the view's options, noting bad values in bad.
func readProjectFilter(l Lang, c *chanye.Catalog, q url.Values, f *project.ProjectFilter, bad map[string]string,
	districts, industries, stages, colours *[]option) {
	pf, wrong := project.ParseFilter(q.Get, c)
	maps.Copy(bad, wrong)
	pf.AsOf, pf.Offset, pf.Limit, pf.IDs = f.AsOf, f.Offset, f.Limit, f.IDs
	if stages == nil {
		pf.Stage = nil // the board has no stage filter
		delete(bad, "stage")
	}
	*f = pf
	district, industry, colour := deref(f.DistrictCode), deref(f.IndustryID), ""
	if f.Colour != nil {
		colour = string(*f.Colour)
	}
	*districts = append(*districts, option{"", l.T("ent.all"), district == ""})
	for _, d := range c.Districts {
		*districts = append(*districts, option{d.Code, l.Pick(d.NameZH, d.NameEN), d.Code == district})
	}
	*industries = append(*industries, option{"", l.T("ent.all"), industry == ""})
	for _, ind := range c.Industries {
		*industries = append(*industries, option{ind.ID, l.Pick(ind.NameZH, ind.NameEN), ind.ID == industry})
	}
	if stages != nil {
		stage := ""
		if f.Stage != nil {
			stage = string(*f.Stage)
		}
		*stages = append(*stages, option{"", l.T("ent.all"), stage == ""})
		for _, st := range project.Stages {
			*stages = append(*stages, option{string(st.Stage), l.Pick(st.NameZH, st.NameEN), string(st.Stage) == stage})
		}
	}
	*colours = append(*colours, option{"", l.T("ent.all"), colour == ""})
	for _, col := range []project.Colour{project.Red, project.Yellow, project.Green} {
		*colours = append(*colours, option{string(col), colourName(l, col), string(col) == colour})
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// projectList lists projects with filters and colour badges.
func (s *Server) projectList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ps, c, err := s.projectsAndCatalog(ctx)
	if err != nil {
		return err
	}
	v := &projectListView{page: s.newPage(r, "projects")}
	l := v.L
	v.Title = l.T("proj.title")
	q := r.URL.Query()
	f := project.ProjectFilter{Limit: pageSize}
	bad := map[string]string{}
	readProjectFilter(l, c, q, &f, bad, &v.Districts, &v.Industries, &v.Stages, &v.Colours)
	v.Department, v.Leader, v.Owner = deref(f.Department), deref(f.CityLeader), deref(f.OwnerCode)
	if v.Owners, err = s.ownerFilters(r, l, c, f); err != nil {
		return err
	}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	items, total, err := ps.FindProjects(ctx, f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, p := range items {
		v.Demo = v.Demo || p.Demo
		v.Rows = append(v.Rows, s.projectRow(l, c, p, p.Colour))
	}
	return s.render(w, "projects", v)
}

// warningRow is one warning as the pages show it.
type warningRow struct {
	ProjectID, ProjectName, Href string
	Industry, IndustryID         string
	Colour, ColourName           string
	RuleID, Rule                 string
	Message                      string
	Values                       []ruleValue
	OwnerHint, Owner             string
	Closed                       bool   // closed (销号) as of the day shown
	ClosedBy, ClosedNote         string // who closed it, and why
}

type kv struct{ Key, Value string }

// ruleValue is a value a warning rule read: the variable's label (its
// name, which rules are written with, on hover) and the value for reading.
type ruleValue struct{ Label, Name, Value string }

// ruleVarLabels maps the warning rules' variables to short labels: their
// descriptions without what the parentheses explain.
var ruleVarLabels = func() map[string][2]string {
	m := map[string][2]string{}
	for _, v := range project.Variables() {
		zh, _, _ := strings.Cut(v.DescZH, "（")
		en, _, _ := strings.Cut(v.DescEN, " (")
		m[v.Name] = [2]string{zh, en}
	}
	return m
}()

// valuesOf lists a warning's values by label, in the order of the
// variables' names, numbers rounded for reading, yes or no for truth.
func valuesOf(l Lang, m map[string]any) []ruleValue {
	var out []ruleValue
	for k, v := range m {
		s := fmt.Sprint(v)
		switch x := v.(type) {
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
			if x != float64(int64(x)) {
				s = strconv.FormatFloat(x, 'f', 1, 64)
			}
		case bool:
			s = l.T(map[bool]string{true: "ep.true", false: "ep.false"}[x])
		}
		label := k
		if d, ok := ruleVarLabels[k]; ok {
			label = l.Pick(d[0], d[1])
		}
		out = append(out, ruleValue{Label: label, Name: k, Value: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ruleLabels maps rule ids to their labels.
func (s *Server) ruleLabels(ctx context.Context, l Lang) (map[string]string, error) {
	rules, err := s.cfg.Projects.FindWarningRules(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rules {
		out[r.ID] = l.Pick(r.LabelZH, r.LabelEN)
	}
	return out, nil
}

func (s *Server) warningRow(l Lang, c *chanye.Catalog, labels map[string]string, w project.Warning, p *project.Project) warningRow {
	row := warningRow{ProjectID: w.ProjectID, Href: "/projects/" + url.PathEscape(w.ProjectID), Colour: string(w.Colour),
		ColourName: colourName(l, w.Colour), RuleID: w.RuleID, Rule: orDefault(labels[w.RuleID], w.RuleID),
		Message: l.Pick(w.MessageZH, w.MessageEN), Values: valuesOf(l, w.Values),
		OwnerHint: l.T("hint." + string(w.OwnerHint)), Owner: orDefault(w.Owner, l.T("dash"))}
	if w.Closed != nil {
		row.Closed, row.ClosedBy, row.ClosedNote = true, w.Closed.By, w.Closed.Note
	}
	if p != nil {
		row.ProjectName, row.IndustryID = p.Name, p.IndustryID
		if ind := c.Industry(p.IndustryID); ind != nil {
			row.Industry = l.Pick(ind.NameZH, ind.NameEN)
		}
	}
	if row.Industry == "" {
		row.Industry = l.T("dash")
	}
	return row
}

// nodeRow is one node on the timeline.
type nodeRow struct {
	Seq              int
	Name, Department string
	Planned, Actual  string
	State            string // done, overdue, pending
	Note, Link, File string
	DaysLate         int
}

// investChart is the data of the investment chart (charts.js "combo").
type investChart struct {
	Categories []string      `json:"categories"`
	Series     []chartSeries `json:"series"`
	Axes       []string      `json:"axes"`
}

type chartSeries struct {
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Values []*json.Number `json:"values"`
}

type reportRow struct {
	Month, Invested, Cumulative, Progress, Problems, By string
}

type projectView struct {
	page
	P        projectRow
	Owner    string // the owner enterprise's name, when readable
	Plan     []kv
	Warnings []warningRow
	Nodes    []nodeRow
	Reports  []reportRow
	Chart    investChart
	HasChart bool
	Planned  string // progress planned to date
	Reported string // latest reported progress

	CanReport   bool // the actor may send a monthly report (the service decides)
	CanRecord   bool // the actor may record nodes (the service decides)
	Form        reportForm
	Message     string            // why a form was refused
	Errs        map[string]string // the refused form's field errors
	NodeSeq     int               // the node whose form was refused
	NodeForm    nodeForm
	Inputs      inputsForm // the figures policies read as declared inputs
	routineView            // 销号 and 督办 (routine.go)
	// Space is the project's industrial space (space_links.go): nil when
	// the space is not served.
	Space *forSpace
}

// projectPage shows a project: its warnings with the values the rules
// read, the node timeline, investment against plan and the reports.
func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.projectView(r)
	if err != nil {
		return err
	}
	return s.render(w, "project", v)
}

// projectView reads what the project page shows, with the report form
// empty for the month before this one.
func (s *Server) projectView(r *http.Request) (*projectView, error) {
	ps, err := s.projectService()
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	p, err := ps.FindProjectByID(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	v := &projectView{page: s.newPage(r, "projects")}
	v.CanReport, v.CanRecord = mayReport(v.Actor, p), mayRecord(v.Actor)
	v.Form = reportForm{Month: lastMonth(s.now()), Unit: "wan", Units: moneyUnits(v.L, "wan")}
	l := v.L
	v.Inputs = inputsFormOf(l, p)
	v.Title = p.Name
	v.Demo = p.Demo
	v.P = s.projectRow(l, c, p, p.Colour)
	if e, err := s.cfg.Enterprises.FindEnterpriseByCode(ctx, p.OwnerCode); err == nil {
		v.Owner = e.Name
	}
	for _, y := range p.YearlyPlan {
		v.Plan = append(v.Plan, kv{strconv.Itoa(y.Year), fenMoney(l, y.PlannedFen)})
	}
	labels, err := s.ruleLabels(ctx, l)
	if err != nil {
		return nil, err
	}
	today := chanye.DateOf(s.now())
	ws, err := ps.FindWarnings(ctx, project.ProjectFilter{IDs: []string{p.ID}, AsOf: today})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Colour.Rank() > ws[j].Colour.Rank() })
	for _, x := range ws {
		v.Warnings = append(v.Warnings, s.warningRow(l, c, labels, x, p))
	}
	if err := s.routineOf(r, v, p, c.Industry(p.IndustryID), labels); err != nil {
		return nil, err
	}
	if v.Space, err = s.projectSpace(r, p); err != nil {
		return nil, err
	}
	nodes, err := ps.FindNodes(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		row := nodeRow{Seq: n.Seq, Name: n.Name, Department: orDefault(n.OwnerDepartment, l.T("dash")), Planned: n.PlannedDate.String(),
			Actual: l.T("dash"), State: "pending", Note: n.Evidence.Note, Link: n.Evidence.Link, File: n.Evidence.File}
		switch {
		case !n.ActualDate.IsZero():
			row.State, row.Actual = "done", n.ActualDate.String()
		case n.Overdue(today):
			row.State, row.DaysLate = "overdue", int(today.Sub(n.PlannedDate.Time).Hours()/24)
		}
		v.Nodes = append(v.Nodes, row)
	}
	id := p.ID
	reps, _, err := ps.FindReports(ctx, project.ReportFilter{ProjectID: &id, Limit: 10000})
	if err != nil {
		return nil, err
	}
	v.Planned = strconv.FormatFloat(project.PlannedProgress(p, today), 'f', 1, 64) + "%"
	v.Reported = l.T("dash")
	v.Chart = investChart{Axes: []string{l.T("unit.wan")}}
	monthly := chartSeries{Name: l.T("proj.invested"), Type: "bar"}
	cum := chartSeries{Name: l.T("proj.cumulative"), Type: "line"}
	plan := chartSeries{Name: l.T("proj.planned"), Type: "line"}
	for _, rep := range reps {
		v.Reports = append(v.Reports, reportRow{Month: rep.Month, Invested: fenMoney(l, rep.InvestedFen), Cumulative: fenMoney(l, rep.CumulativeFen),
			Progress: strconv.FormatFloat(rep.ProgressPct, 'f', 1, 64) + "%", Problems: rep.Problems, By: rep.ReportedBy})
		v.Reported = strconv.FormatFloat(rep.ProgressPct, 'f', 1, 64) + "%"
		end, ok := monthEnd(rep.Month)
		if !ok {
			continue
		}
		v.Chart.Categories = append(v.Chart.Categories, rep.Month)
		monthly.Values = append(monthly.Values, wan(rep.InvestedFen))
		cum.Values = append(cum.Values, wan(rep.CumulativeFen))
		plan.Values = append(plan.Values, wan(project.PlannedInvestment(p, end)))
	}
	v.Chart.Series = []chartSeries{monthly, cum, plan}
	v.HasChart = len(v.Chart.Categories) > 0
	slices.Reverse(v.Reports) // newest first
	return v, nil
}

func wan(f chanye.Fen) *json.Number {
	n := chartNumber(int64(f), fenPerWan, 0)
	return &n
}

// monthEnd returns the last day of month YYYY-MM.
func monthEnd(m string) (chanye.Date, bool) {
	d, err := chanye.ParseDate(m + "-01")
	if err != nil {
		return chanye.Date{}, false
	}
	return chanye.DateOf(d.AddDate(0, 1, -1)), true
}

// boardGroup is the warnings of one industry on a page of the board, by
// colour, red first.
type boardGroup struct {
	Industry string
	Colours  []boardColour
}

// boardColour is one colour's warnings within an industry's group.
type boardColour struct {
	Colour, ColourName, Heading string
	Rows                        []warningRow
}

type tally struct {
	Name        string
	Href        string
	Red, Yellow int
}

type boardView struct {
	page
	Districts, Industries, Colours []option
	Department, Leader, Owner      string
	Owners                         ownerFilters
	Counts                         scorecard.Colours
	Groups                         []boardGroup
	Closed                         int // warnings closed (销号) this month, not listed
	ByOwner, ByRule                []tally
	AsOf                           string
	pager
}

// warningBoard shows the open warnings grouped by industry (in the
// catalog's order), then by colour, red first, a page at a time, with
// tallies by owner and by rule over the whole selection. Closed warnings
// (销号) are counted, not listed: the project page shows them.
func (s *Server) warningBoard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ps, c, err := s.projectsAndCatalog(ctx)
	if err != nil {
		return err
	}
	v := &boardView{page: s.newPage(r, "projects")}
	l := v.L
	v.Title = l.T("board.title")
	f := project.ProjectFilter{AsOf: chanye.DateOf(s.now())}
	bad := map[string]string{}
	q := r.URL.Query()
	readProjectFilter(l, c, q, &f, bad, &v.Districts, &v.Industries, nil, &v.Colours)
	v.Department, v.Leader, v.Owner = deref(f.Department), deref(f.CityLeader), deref(f.OwnerCode)
	if v.Owners, err = s.ownerFilters(r, l, c, f); err != nil {
		return err
	}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	v.AsOf = f.AsOf.String()
	colour := f.Colour
	f.Colour = nil
	board, err := ps.FindBoard(ctx, f)
	if err != nil {
		return err
	}
	labels, err := s.ruleLabels(ctx, l)
	if err != nil {
		return err
	}
	byID := map[string]*project.Project{}
	cols := project.Colours(board.Warnings)
	for _, p := range board.Projects {
		v.Demo = v.Demo || p.Demo
		byID[p.ID] = p
		v.Counts.Add(cols[p.ID])
	}
	pos := map[string]int{}
	for i, ind := range c.Industries {
		pos[ind.ID] = i
	}
	owners, rules := map[string]*tally{}, map[string]*tally{}
	var rows []warningRow
	for _, x := range board.Warnings {
		if x.Closed != nil {
			v.Closed++
			continue
		}
		if colour != nil && x.Colour != *colour {
			continue
		}
		row := s.warningRow(l, c, labels, x, byID[x.ProjectID])
		rows = append(rows, row)
		for _, t := range []struct {
			m   map[string]*tally
			key string
		}{{owners, row.OwnerHint + " · " + row.Owner}, {rules, row.Rule}} {
			if t.m[t.key] == nil {
				t.m[t.key] = &tally{Name: t.key}
			}
			if x.Colour == project.Red {
				t.m[t.key].Red++
			} else {
				t.m[t.key].Yellow++
			}
		}
	}
	rank := func(r warningRow) int { return project.Colour(r.Colour).Rank() }
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if pa, pb := pos[a.IndustryID], pos[b.IndustryID]; pa != pb {
			return pa < pb
		}
		if a.Industry != b.Industry { // industries no longer in the catalog
			return a.Industry < b.Industry
		}
		return rank(a) > rank(b) // the warnings come ordered by project and rule
	})
	v.pager.link(r.URL, len(rows))
	for _, row := range rows[min(v.offset(), len(rows)):min(v.offset()+pageSize, len(rows))] {
		if n := len(v.Groups); n == 0 || v.Groups[n-1].Industry != row.Industry {
			v.Groups = append(v.Groups, boardGroup{Industry: row.Industry})
		}
		g := &v.Groups[len(v.Groups)-1]
		if n := len(g.Colours); n == 0 || g.Colours[n-1].Colour != row.Colour {
			g.Colours = append(g.Colours, boardColour{Colour: row.Colour, ColourName: row.ColourName, Heading: l.T("board." + row.Colour)})
		}
		cc := &g.Colours[len(g.Colours)-1]
		cc.Rows = append(cc.Rows, row)
	}
	v.ByOwner, v.ByRule = sortTallies(owners), sortTallies(rules)
	return s.render(w, "warnings", v)
}

func sortTallies(m map[string]*tally) []tally {
	var out []tally
	for _, t := range m {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Red != out[j].Red {
			return out[i].Red > out[j].Red
		}
		if out[i].Yellow != out[j].Yellow {
			return out[i].Yellow > out[j].Yellow
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// allProjects pages through every project f selects.
func allProjects(ctx context.Context, ps project.Service, f project.ProjectFilter) ([]*project.Project, error) {
	var out []*project.Project
	f.Offset, f.Limit = 0, 1000
	for {
		items, total, err := ps.FindProjects(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		f.Offset += len(items)
		if len(items) == 0 || f.Offset >= total {
			return out, nil
		}
	}
}

// coloursByIndustry counts the projects of each industry by colour as of
// today, for the overview. It returns nil without a project service, or
// when the visitor may not read the projects: the overview is public.
func (s *Server) coloursByIndustry(ctx context.Context) (map[string]*scorecard.Colours, error) {
	if s.cfg.Projects == nil {
		return nil, nil
	}
	f := project.ProjectFilter{AsOf: chanye.DateOf(s.now())}
	projects, err := allProjects(ctx, s.cfg.Projects, f)
	switch chanye.ErrorCode(err) {
	case "":
	case chanye.EUNAUTHORIZED, chanye.EFORBIDDEN:
		return nil, nil
	default:
		return nil, err
	}
	out := map[string]*scorecard.Colours{}
	for _, p := range projects {
		if out[p.IndustryID] == nil {
			out[p.IndustryID] = &scorecard.Colours{}
		}
		out[p.IndustryID].Add(p.Colour)
	}
	return out, nil
}
