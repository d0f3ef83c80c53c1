package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/scorecard"
)

// projectView is a project as the API shows it: with the owners that
// answer for it (the industry's responsibility where the project sets none).
type projectView struct {
	*project.Project
	Owners project.Owners `json:"owners"`
}

// projectDetail is the single read of a project: its warnings too.
type projectDetail struct {
	projectView
	Warnings []project.Warning `json:"warnings"`
}

// projects answers 404 when no project service is configured.
func (s *server) projectService() (project.Service, error) {
	if s.projects == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置重点项目 / no project service configured")
	}
	return s.projects, nil
}

// withProjects adapts a handler of the project routes: it answers 404
// without a project service and otherwise hands the service over.
func (s *server) withProjects(h func(http.ResponseWriter, *http.Request, project.Service) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ps, err := s.projectService()
		if err != nil {
			return err
		}
		return h(w, r, ps)
	}
}

func (s *server) viewProject(r *http.Request, p *project.Project) (projectView, error) {
	if p.YearlyPlan == nil {
		p.YearlyPlan = []project.YearPlan{}
	}
	ind, err := s.catalog.FindIndustryByID(r.Context(), p.IndustryID)
	if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return projectView{}, err
	}
	return projectView{Project: p, Owners: p.EffectiveOwners(ind)}, nil
}

// projectFilter reads the filters shared by the project list and the
// warning board, as the pages do (project.ParseFilter), and as_of.
func (s *server) projectFilter(r *http.Request, q map[string]string) (project.ProjectFilter, error) {
	c, err := s.catalog.FindCatalog(r.Context())
	if err != nil {
		return project.ProjectFilter{}, err
	}
	f, bad := project.ParseFilter(func(name string) string { return q[name] }, c)
	if err := chanye.Invalid("查询参数有误 / invalid query parameters", bad); err != nil {
		return f, err
	}
	if v, ok := q["as_of"]; ok {
		d, err := queryDate("as_of", v)
		if err != nil {
			return f, err
		}
		f.AsOf = d
	}
	return f, nil
}

func (s *server) listProjects(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	q, err := query(r, "industry", "district", "stage", "kind", "colour", "owner", "department", "leader", "task_force", "as_of", "offset", "limit")
	if err != nil {
		return err
	}
	f, err := s.projectFilter(r, q)
	if err != nil {
		return err
	}
	f.Limit = 50
	if v, ok := q["offset"]; ok {
		if f.Offset, err = queryInt("offset", v, 0, math.MaxInt32); err != nil {
			return err
		}
	}
	if v, ok := q["limit"]; ok {
		if f.Limit, err = queryInt("limit", v, 1, maxPage); err != nil {
			return err
		}
	}
	items, total, err := ps.FindProjects(r.Context(), f)
	if err != nil {
		return err
	}
	views := make([]projectView, 0, len(items))
	for _, p := range items {
		v, err := s.viewProject(r, p)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	return writeJSON(w, http.StatusOK, newPage(views, total, f.Offset, f.Limit))
}

func (s *server) createProject(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	var p project.Project
	if err := s.decodeJSON(w, r, &p); err != nil {
		return err
	}
	p.Colour = "" // computed, never given
	if err := ps.CreateProject(r.Context(), &p); err != nil {
		return err
	}
	created, err := ps.FindProjectByID(r.Context(), p.ID)
	if err != nil {
		return err
	}
	v, err := s.viewProject(r, created)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/projects/"+url.PathEscape(created.ID))
	return writeJSON(w, http.StatusCreated, v)
}

func (s *server) getProject(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	p, err := ps.FindProjectByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.viewProject(r, p)
	if err != nil {
		return err
	}
	ws, err := ps.FindWarnings(r.Context(), project.ProjectFilter{IDs: []string{p.ID}})
	if err != nil {
		return err
	}
	if ws == nil {
		ws = []project.Warning{}
	}
	return writeJSON(w, http.StatusOK, projectDetail{projectView: v, Warnings: ws})
}

func (s *server) patchProject(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	var upd project.ProjectUpdate
	if err := s.decodeJSON(w, r, &upd); err != nil {
		return err
	}
	p, err := ps.UpdateProject(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		return err
	}
	v, err := s.viewProject(r, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *server) listNodes(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	nodes, err := ps.FindNodes(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(nodes))
}

func (s *server) patchNode(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq < 1 {
		return paramError("seq", "须为正整数", "must be a positive whole number")
	}
	var upd project.NodeUpdate
	if err := s.decodeJSON(w, r, &upd); err != nil {
		return err
	}
	n, err := ps.PutNode(r.Context(), r.PathValue("id"), seq, upd)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

// pathMonth returns the month of the path, YYYY-MM.
func pathMonth(r *http.Request) (string, error) {
	m := r.PathValue("month")
	rep := project.Report{Month: m}
	if err := rep.Validate(); chanye.ErrorFields(err)["month"] != "" {
		return "", paramError("month", fmt.Sprintf("%q 须为 YYYY-MM", m), fmt.Sprintf("%q must be YYYY-MM", m))
	}
	return m, nil
}

func (s *server) getReport(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	month, err := pathMonth(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := ps.FindProjectByID(r.Context(), id); err != nil {
		return err
	}
	reps, _, err := ps.FindReports(r.Context(), project.ReportFilter{ProjectID: &id, From: &month, To: &month, Limit: 1})
	if err != nil {
		return err
	}
	if len(reps) == 0 {
		return chanye.Errorf(chanye.ENOTFOUND, "项目 %s 没有 %s 的月报 / project %s has no report for %s", id, month, id, month)
	}
	return writeJSON(w, http.StatusOK, reps[0])
}

// reportBody is what an owner reports for a month; the project and month
// come from the path, who and when from the request.
type reportBody struct {
	InvestedFen   chanye.Fen `json:"invested_fen"`
	CumulativeFen chanye.Fen `json:"cumulative_fen"`
	ProgressPct   float64    `json:"progress_pct"`
	Problems      string     `json:"problems"`
}

func (s *server) putReport(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	month, err := pathMonth(r)
	if err != nil {
		return err
	}
	var body reportBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	rep := &project.Report{ProjectID: r.PathValue("id"), Month: month, InvestedFen: body.InvestedFen,
		CumulativeFen: body.CumulativeFen, ProgressPct: body.ProgressPct, Problems: body.Problems}
	if err := ps.PutReport(r.Context(), rep); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// warningBoard is the answer of GET /api/v1/warnings: the warnings, red
// first, and the projects counted by colour.
type warningBoard struct {
	AsOf     chanye.Date       `json:"as_of"`
	Projects scorecard.Colours `json:"projects"`
	Items    []boardWarning    `json:"items"`
}

// boardWarning is a warning with the project's name and industry.
type boardWarning struct {
	project.Warning
	ProjectName  string `json:"project_name"`
	IndustryID   string `json:"industry_id"`
	DistrictCode string `json:"district_code"`
}

func (s *server) listWarnings(w http.ResponseWriter, r *http.Request, ps project.Service) error {
	q, err := query(r, "industry", "district", "stage", "kind", "colour", "owner", "department", "leader", "task_force", "as_of")
	if err != nil {
		return err
	}
	f, err := s.projectFilter(r, q)
	if err != nil {
		return err
	}
	colour := f.Colour
	f.Colour = nil
	if f.AsOf.IsZero() {
		f.AsOf = chanye.DateOf(s.now())
	}
	ws, err := ps.FindWarnings(r.Context(), f)
	if err != nil {
		return err
	}
	board := warningBoard{AsOf: f.AsOf, Items: []boardWarning{}}
	projects, err := s.allProjects(r, f)
	if err != nil {
		return err
	}
	cols := project.Colours(ws)
	for _, p := range projects {
		board.Projects.Add(cols[p.ID])
	}
	byID := map[string]*project.Project{}
	for _, p := range projects {
		byID[p.ID] = p
	}
	for _, x := range ws {
		if colour != nil && x.Colour != *colour {
			continue
		}
		bw := boardWarning{Warning: x}
		if p := byID[x.ProjectID]; p != nil {
			bw.ProjectName, bw.IndustryID, bw.DistrictCode = p.Name, p.IndustryID, p.DistrictCode
		}
		if bw.Values == nil {
			bw.Values = map[string]any{}
		}
		board.Items = append(board.Items, bw)
	}
	sort.SliceStable(board.Items, func(i, j int) bool {
		a, b := board.Items[i], board.Items[j]
		if a.Colour != b.Colour {
			return a.Colour.Rank() > b.Colour.Rank()
		}
		if a.IndustryID != b.IndustryID {
			return a.IndustryID < b.IndustryID
		}
		return a.ProjectID < b.ProjectID
	})
	return writeJSON(w, http.StatusOK, board)
}

// allProjects pages through every project the filter selects.
func (s *server) allProjects(r *http.Request, f project.ProjectFilter) ([]*project.Project, error) {
	var out []*project.Project
	f.Colour, f.Offset, f.Limit = nil, 0, maxPage
	for {
		ps, total, err := s.projects.FindProjects(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
		f.Offset += len(ps)
		if len(ps) == 0 || f.Offset >= total {
			return out, nil
		}
	}
}

// targetView is an industry with a target and its status; Track is null
// while the industry has no yearly value.
type targetView struct {
	IndustryID string         `json:"industry_id"`
	NameZH     string         `json:"name_zh"`
	NameEN     string         `json:"name_en"`
	Target     chanye.Target  `json:"target"`
	Track      *project.Track `json:"track"`
}

func (s *server) listTargets(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "as_of")
	if err != nil {
		return err
	}
	asOf := chanye.DateOf(s.now())
	if v, ok := q["as_of"]; ok {
		if asOf, err = queryDate("as_of", v); err != nil {
			return err
		}
	}
	c, err := s.catalog.FindCatalog(r.Context())
	if err != nil {
		return err
	}
	ins, err := s.catalog.FindIndicators(r.Context(), chanye.IndicatorFilter{})
	if err != nil {
		return err
	}
	var out []targetView
	for _, ind := range c.Industries {
		if ind.Target == nil {
			continue
		}
		out = append(out, targetView{IndustryID: ind.ID, NameZH: ind.NameZH, NameEN: ind.NameEN, Target: *ind.Target,
			Track: project.TargetStatus(ind, ins, asOf)})
	}
	return writeJSON(w, http.StatusOK, newList(out))
}

func (s *server) scorecards() (*scorecard.Service, error) {
	if _, err := s.projectService(); err != nil {
		return nil, err
	}
	return &scorecard.Service{Catalog: s.catalog, Projects: s.projects, Versions: s.policies.Versions, Runs: s.policies.Runs, Ledger: s.policies.Ledger,
		Lists: s.lists}, nil
}

func (s *server) listScorecards(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scorecards()
	if err != nil {
		return err
	}
	q, err := query(r, "kind", "as_of")
	if err != nil {
		return err
	}
	kinds := scorecard.Kinds
	if v, ok := q["kind"]; ok {
		k, err := scorecard.ParseKind(v)
		if err != nil {
			return err
		}
		kinds = []scorecard.Kind{k}
	}
	asOf := chanye.DateOf(s.now())
	if v, ok := q["as_of"]; ok {
		if asOf, err = queryDate("as_of", v); err != nil {
			return err
		}
	}
	out, err := sc.Cards(r.Context(), asOf, kinds...)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(out))
}

func (s *server) getScorecard(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scorecards()
	if err != nil {
		return err
	}
	q, err := query(r, "as_of")
	if err != nil {
		return err
	}
	k, err := scorecard.ParseKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	asOf := chanye.DateOf(s.now())
	if v, ok := q["as_of"]; ok {
		if asOf, err = queryDate("as_of", v); err != nil {
			return err
		}
	}
	c, err := sc.Card(r.Context(), k, r.PathValue("name"), asOf)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}
