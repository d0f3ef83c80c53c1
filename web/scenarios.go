package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/httpapi"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/scenario"
)

// The pages of application scenarios (应用场景, 首试首用): the list with the
// year's progress, the form that creates one, and a scenario's page with
// the steps its viewer may take — the runners' (authz.MayRunScenario), an
// enterprise's application, a panel member's scores. Sections and forms
// show only to those the rules let use them; the guarded services decide.

// ScenarioServices are the guarded services of the scenarios' pages; the
// pages answer 404 without Scenarios, and show no attachments without
// Files.
type ScenarioServices struct {
	Scenarios    scenario.ScenarioService
	Applications scenario.ApplicationService
	Reviews      scenario.ReviewService
	Files        scenario.FileService
}

func (s *Server) scenarioService() (scenario.ScenarioService, error) {
	if s.cfg.Scenarios.Scenarios == nil || s.cfg.Scenarios.Applications == nil || s.cfg.Scenarios.Reviews == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return s.cfg.Scenarios.Scenarios, nil
}

// industryNames reads the industries as names by id and in catalog order;
// a reader the catalog refuses gets none and the pages show ids.
func (s *Server) industryNames(ctx context.Context, l Lang) (map[string]string, []*chanye.Industry, error) {
	inds, err := s.cfg.Catalog.FindIndustries(ctx, chanye.IndustryFilter{})
	if err != nil && !hidden(err) {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, ind := range inds {
		names[ind.ID] = l.Pick(ind.NameZH, ind.NameEN)
	}
	return names, inds, nil
}

func scenarioStatusName(l Lang, st scenario.Status) string {
	return l.Pick(st.NameZH(), st.NameEN())
}

// points shows hundredths of a point as 85.50.
func points(n int64) string { return fmt.Sprintf("%d.%02d", n/100, n%100) }

// scenarioRow is a scenario in the list.
type scenarioRow struct {
	*scenario.Scenario
	Href, Industry, Kind, StatusName string
}

func newScenarioRow(l Lang, x *scenario.Scenario, names map[string]string) scenarioRow {
	return scenarioRow{Scenario: x, Href: "/scenarios/" + strconv.FormatInt(x.ID, 10), Industry: orDefault(names[x.IndustryID], x.IndustryID),
		Kind: l.Pick(x.Offerer.Kind.NameZH(), x.Offerer.Kind.NameEN()), StatusName: scenarioStatusName(l, x.Status)}
}

// progressRow is one line of the year's progress.
type progressRow struct {
	Name                 string
	Published, FirstUses int
}

// scenariosView is the list of scenarios and the year's progress.
type scenariosView struct {
	page
	Rows                        []scenarioRow
	Statuses, Industries, Years []option
	StatusValue, Industry, Year string
	MayCreate                   bool
	// The year's progress against the pledge.
	PYear, Target, Published, FirstUses, Remaining, Percent int
	ByIndustry, ByOfferer                                   []progressRow
	pager
}

// scenarioList shows the scenarios the reader may see (the published for
// the public, enterprises and districts), filtered and paged, with the
// year's progress.
func (s *Server) scenarioList(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.scenarioService()
	if err != nil {
		return err
	}
	v := &scenariosView{page: s.newPage(r, "scenarios")}
	ctx, l, q := r.Context(), v.L, r.URL.Query()
	v.Title = l.T("scn.title")
	v.MayCreate = may(v.Actor, authz.ScenarioRules(), authz.RunScenarios)
	names, inds, err := s.industryNames(ctx, l)
	if err != nil {
		return err
	}
	f := scenario.Filter{Limit: pageSize}
	bad := map[string]string{}
	v.StatusValue, v.Industry = q.Get("status"), q.Get("industry")
	var statuses []scenario.Status
	for _, x := range scenario.Statuses {
		statuses = append(statuses, x.Status)
	}
	v.Statuses, f.Status = statusFilter(l, v.StatusValue, statuses, bad)
	v.Industries, f.IndustryID = industryFilter(l, v.Industry, inds, names)
	this := s.now().Year()
	v.PYear = this
	v.Year = q.Get("year")
	v.Years = []option{{"", l.T("ent.all"), v.Year == ""}}
	for y := this + 1; y >= this-5; y-- {
		v.Years = append(v.Years, option{strconv.Itoa(y), strconv.Itoa(y), strconv.Itoa(y) == v.Year})
	}
	if v.Year != "" {
		y, err := strconv.Atoi(v.Year)
		if err != nil || y < scenario.MinYear || y > scenario.MaxYear {
			bad["year"] = "年份有误 / invalid year"
		} else {
			f.Year, v.PYear = &y, y
		}
	}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	xs, total, err := svc.FindScenarios(ctx, f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, x := range xs {
		v.Rows = append(v.Rows, newScenarioRow(l, x, names))
	}
	p, err := svc.FindProgress(ctx, v.PYear)
	if err != nil && !hidden(err) {
		return err
	}
	if p != nil {
		v.Target, v.Published, v.FirstUses, v.Remaining = p.Target, p.Published, p.FirstUses, p.Remaining
		if p.Target > 0 {
			v.Percent = min(100, p.Published*100/p.Target)
		}
		for _, c := range p.ByIndustry {
			v.ByIndustry = append(v.ByIndustry, progressRow{orDefault(names[c.IndustryID], c.IndustryID), c.Published, c.FirstUses})
		}
		for _, c := range p.ByOfferer {
			v.ByOfferer = append(v.ByOfferer, progressRow{c.Name + " · " + l.Pick(c.Kind.NameZH(), c.Kind.NameEN()), c.Published, c.FirstUses})
		}
	}
	return s.render(w, "scenarios", v)
}

// scenarioEventRow is an event of the timeline.
type scenarioEventRow struct {
	*scenario.Event
	At, Action, From, To, Amount string
}

// scenarioAppRow is an application as the page shows it.
type scenarioAppRow struct {
	*scenario.Application
	StatusName, Submitted string
	Conflicted            bool // the viewing member declared a conflict with it
	Files                 []*scenario.File
	MayAttach             bool   // the applicant may add a file now
	Result                string // its place in the ranking, told the applicant once one is selected
}

// rankRow is a ranking's entry.
type rankRow struct {
	Rank          int
	Name, Total   string
	Members       int
	Tied          bool
	ApplicationID int64
	Means         []string
}

// memberScoreRow is one member's scores of one application: a cell per
// criterion, in the scenario's order.
type memberScoreRow struct {
	AppID        int64
	App, Member  string
	Conflict     bool
	ConflictNote string
	Cells        []string
}

// scoreCell is one score field of the scoring form.
type scoreCell struct {
	Name, Label, Value string
}

// scoreRow is one application's row of the scoring form.
type scoreRow struct {
	Name  string
	Cells []scoreCell
}

// scenarioView is one scenario's page.
type scenarioView struct {
	page
	S                                           *scenario.Scenario
	Row                                         scenarioRow
	Budget, Procured                            string
	Events                                      []scenarioEventRow
	Procurements                                []scenarioProcRow
	OpenMilestones                              []option
	Done, Message, Failed                       string
	Errs                                        map[string]string
	Form                                        url.Values
	Runner, MayApply, ReadsReview, Member       bool
	CanPublish, CanStartReview, CanSetPanel     bool
	CanSelect, CanMilestone, CanConfirm         bool
	CanProcure, CanClose                        bool
	Panel                                       []string
	PanelText                                   string
	Apps                                        []scenarioAppRow
	Mine                                        []scenarioAppRow // an enterprise's own
	Ranking                                     []rankRow
	Gaps                                        []string
	MemberScores                                []memberScoreRow // each member's scores, for the runners
	ShowMemberScores                            bool
	SelectOptions, ConflictOptions              []option
	ScoreRows                                   []scoreRow
	Criteria                                    []scenario.Criterion
	CriterionNames                              []string
	SelectedName, FirstUse, PilotPlan, Deadline string
	files                                       bool
}

// scenarioProcRow is a procurement as the page shows it.
type scenarioProcRow struct {
	scenario.Procurement
	Amount string
}

// Kept returns what was typed in field of step's form, when it was
// refused.
func (v *scenarioView) Kept(step, field string) string {
	if v.Failed != step {
		return ""
	}
	return v.Form.Get(field)
}

// Err returns the error of field of step's form, when it was refused.
func (v *scenarioView) Err(step, field string) string {
	if v.Failed != step {
		return ""
	}
	return v.Errs[field]
}

func scenarioID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, chanye.Errorf(chanye.ENOTFOUND, "应用场景不存在 / no such scenario")
	}
	return id, nil
}

func (s *Server) scenarioPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.scenarioView(r)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); messages["scn.done."+done] != [2]string{} {
		v.Done = done
	}
	return s.render(w, "scenario", v)
}

func (s *Server) scenarioView(r *http.Request) (*scenarioView, error) {
	svc, err := s.scenarioService()
	if err != nil {
		return nil, err
	}
	id, err := scenarioID(r)
	if err != nil {
		return nil, err
	}
	v := &scenarioView{page: s.newPage(r, "scenarios"), Errs: map[string]string{}, Form: url.Values{}, files: s.cfg.Scenarios.Files != nil}
	ctx, l, a := r.Context(), v.L, v.Actor
	x, err := svc.FindScenarioByID(ctx, id)
	if err != nil {
		return nil, err
	}
	names, _, err := s.industryNames(ctx, l)
	if err != nil {
		return nil, err
	}
	v.S, v.Row, v.Demo = x, newScenarioRow(l, x, names), x.Demo
	v.Title = x.Title
	v.Budget = l.T("dash")
	if x.BudgetFen != nil {
		v.Budget = exactMoney(l, *x.BudgetFen)
	}
	v.Deadline, v.PilotPlan = x.Deadline.String(), x.PilotStart.String()+" – "+x.PilotEnd.String()
	if t, err := x.ProcuredFen(); err == nil && len(x.Procurements) > 0 {
		v.Procured = exactMoney(l, t)
	}
	for _, p := range x.Procurements {
		v.Procurements = append(v.Procurements, scenarioProcRow{p, exactMoney(l, p.AmountFen)})
	}
	for _, m := range x.Milestones {
		if !m.IsDone() {
			v.OpenMilestones = append(v.OpenMilestones, option{strconv.Itoa(m.No), fmt.Sprintf("%d. %s", m.No, m.Name), false})
		}
	}
	evs, err := svc.FindScenarioEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		row := scenarioEventRow{Event: e, At: chinaTime(e.At), Action: l.T("scn.act." + string(e.Action)), To: scenarioStatusName(l, e.To)}
		if e.From != "" {
			row.From = scenarioStatusName(l, e.From)
		}
		if e.AmountFen != nil {
			row.Amount = exactMoney(l, *e.AmountFen)
		}
		v.Events = append(v.Events, row)
	}
	for _, c := range x.Criteria {
		v.CriterionNames = append(v.CriterionNames, fmt.Sprintf("%s（%d%%）", l.Pick(c.NameZH, orDefault(c.NameEN, c.NameZH)), c.Weight))
	}
	v.Criteria = x.Criteria
	v.Runner = authz.MayRunScenario(ctx, s.cfg.Catalog, a, x)
	if v.Runner {
		st := x.Status
		v.CanPublish = st == scenario.Draft
		v.CanStartReview = st == scenario.Published
		v.CanSetPanel = st == scenario.Published || st == scenario.Reviewing
		v.CanSelect = st == scenario.Reviewing
		v.CanMilestone = st == scenario.Piloting
		v.CanConfirm = st == scenario.Piloting
		v.CanProcure = st == scenario.FirstUse || st == scenario.Procured
		v.CanClose = !st.Terminal()
	}
	apps := map[int64]*scenario.Application{}
	if a.Role == chanye.RoleEnterprise {
		xs, _, err := s.cfg.Scenarios.Applications.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &id, Limit: scenario.MaxPage})
		if err != nil && !hidden(err) {
			return nil, err
		}
		submitted := false
		for _, ap := range xs {
			row := newScenarioAppRow(l, ap)
			if err := s.scenarioFiles(ctx, &row); err != nil {
				return nil, err
			}
			row.MayAttach = s.cfg.Scenarios.Files != nil && ap.CanAttach(x, len(row.Files), chanye.DateOf(s.now())) == nil
			v.Mine = append(v.Mine, row)
			submitted = submitted || ap.Status == scenario.Submitted
		}
		v.MayApply = may(a, authz.ScenarioRules(), authz.ApplyToScenarios) && a.Code != "" && !submitted && x.CanApply(chanye.DateOf(s.now())) == nil
		if x.SelectedID != 0 && len(v.Mine) > 0 {
			if err := s.ownResult(ctx, l, x, v.Mine); err != nil {
				return nil, err
			}
		}
	}
	// The review: applications, panel, scores and ranking, for those
	// the rules let read them.
	panel, err := s.cfg.Scenarios.Reviews.FindPanel(ctx, id)
	if err != nil && !hidden(err) {
		return nil, err
	}
	if err == nil {
		v.ReadsReview, v.Panel = true, panel
		v.PanelText = strings.Join(panel, "\n")
		v.Member = a.Name != "" && slices.Contains(panel, a.Name)
		xs, _, err := s.cfg.Scenarios.Applications.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &id, Limit: scenario.MaxPage})
		if err != nil {
			return nil, err
		}
		for _, ap := range xs {
			apps[ap.ID] = ap
		}
		if err := s.scenarioReview(ctx, l, v, x, xs, apps); err != nil {
			return nil, err
		}
	}
	if ap, ok := apps[x.SelectedID]; ok {
		v.SelectedName = orDefault(ap.EnterpriseName, ap.Code)
	}
	for _, m := range v.Mine {
		if m.ID == x.SelectedID {
			v.SelectedName = orDefault(m.EnterpriseName, m.Code)
		}
	}
	if x.Status.Achieved() {
		v.FirstUse = x.FirstUseOn.String()
	}
	return v, nil
}

// ownResult tells an applicant, once an application of x is selected,
// its own applications' places in the ranking (the guarded ranking holds
// its own entries alone); nothing when the rules refuse it.
func (s *Server) ownResult(ctx context.Context, l Lang, x *scenario.Scenario, mine []scenarioAppRow) error {
	rk, err := s.cfg.Scenarios.Reviews.FindRanking(ctx, x.ID, false)
	if hidden(err) || chanye.ErrorCode(err) == chanye.EINVALID {
		return nil
	} else if err != nil {
		return err
	}
	for _, e := range rk.Entries {
		for i := range mine {
			if mine[i].ID == e.ApplicationID {
				mine[i].Result = l.Tf("scn.result.mine", e.Rank, rk.Ranked, points(e.Total))
			}
		}
	}
	return nil
}

// scenarioFiles reads the files of row's application, when they are
// served; a reader the rules refuse gets none.
func (s *Server) scenarioFiles(ctx context.Context, row *scenarioAppRow) error {
	if s.cfg.Scenarios.Files == nil {
		return nil
	}
	fs, err := s.cfg.Scenarios.Files.FindScenarioFiles(ctx, row.ID)
	if err != nil && !hidden(err) {
		return err
	}
	row.Files = fs
	return nil
}

func newScenarioAppRow(l Lang, ap *scenario.Application) scenarioAppRow {
	return scenarioAppRow{Application: ap, StatusName: l.Pick(ap.Status.NameZH(), ap.Status.NameEN()), Submitted: chinaTime(ap.SubmittedAt)}
}

// scenarioReview fills the review's part of v: the applications, the ranking with
// its gaps, and a member's scoring and conflict forms.
func (s *Server) scenarioReview(ctx context.Context, l Lang, v *scenarioView, x *scenario.Scenario, xs []*scenario.Application, apps map[int64]*scenario.Application) error {
	scores, conflicts, err := s.cfg.Scenarios.Reviews.FindScores(ctx, x.ID)
	if err != nil {
		return err
	}
	conflicted := map[int64]bool{}
	for _, c := range conflicts {
		if c.Member == v.Actor.Name {
			conflicted[c.ApplicationID] = true
		}
	}
	for _, ap := range xs {
		row := newScenarioAppRow(l, ap)
		row.Conflicted = conflicted[ap.ID]
		if err := s.scenarioFiles(ctx, &row); err != nil {
			return err
		}
		v.Apps = append(v.Apps, row)
	}
	name := func(id int64) string {
		if ap, ok := apps[id]; ok {
			return fmt.Sprintf("#%d %s", id, orDefault(ap.EnterpriseName, ap.Code))
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	if x.Status != scenario.Draft && x.Status != scenario.Published {
		rk, err := s.cfg.Scenarios.Reviews.FindRanking(ctx, x.ID, true)
		if err != nil && chanye.ErrorCode(err) != chanye.EINVALID {
			return err
		}
		if rk != nil {
			for _, e := range rk.Entries {
				row := rankRow{Rank: e.Rank, Name: name(e.ApplicationID), Total: points(e.Total), Members: e.Members, Tied: e.Tied, ApplicationID: e.ApplicationID}
				for _, m := range e.Means {
					row.Means = append(row.Means, points(m.Mean))
				}
				v.Ranking = append(v.Ranking, row)
				v.SelectOptions = append(v.SelectOptions, option{strconv.FormatInt(e.ApplicationID, 10), fmt.Sprintf("%d. %s · %s", e.Rank, row.Name, row.Total), e.Rank == 1})
			}
			for _, g := range rk.Incomplete {
				switch {
				case g.Member == "":
					v.Gaps = append(v.Gaps, l.Tf("scn.gap.all", name(g.ApplicationID)))
				default:
					crit := g.CriterionID
					for _, c := range x.Criteria {
						if c.ID == crit {
							crit = l.Pick(c.NameZH, orDefault(c.NameEN, c.NameZH))
						}
					}
					v.Gaps = append(v.Gaps, l.Tf("scn.gap", name(g.ApplicationID), g.Member, crit))
				}
			}
		}
	}
	// Each member's scores under the ranking, for the runners and those
	// who read every review (administrators, leaders): a member who is
	// only on the panel sees its own in its form.
	if x.Status != scenario.Draft && x.Status != scenario.Published &&
		(v.Runner || authz.ScenarioRules().Grant(v.Actor.Role, authz.ReadScenarioReviews) == authz.Allow) {
		v.ShowMemberScores = true
		v.MemberScores = memberScores(l, x, v.Panel, xs, scores, conflicts, name)
	}
	if v.Member && x.Status == scenario.Reviewing {
		mine := map[string]int{}
		for _, sc := range scores {
			if sc.Member == v.Actor.Name {
				mine[fmt.Sprintf("%d-%s", sc.ApplicationID, sc.CriterionID)] = sc.Points
			}
		}
		for _, ap := range xs {
			if ap.Status != scenario.Submitted || conflicted[ap.ID] {
				continue
			}
			row := scoreRow{Name: name(ap.ID)}
			for _, c := range x.Criteria {
				k := fmt.Sprintf("%d-%s", ap.ID, c.ID)
				cell := scoreCell{Name: "score-" + k, Label: l.Pick(c.NameZH, orDefault(c.NameEN, c.NameZH))}
				if p, ok := mine[k]; ok {
					cell.Value = strconv.Itoa(p)
				}
				if kept := v.Kept("scores", cell.Name); kept != "" {
					cell.Value = kept
				}
				row.Cells = append(row.Cells, cell)
			}
			v.ScoreRows = append(v.ScoreRows, row)
			v.ConflictOptions = append(v.ConflictOptions, option{strconv.FormatInt(ap.ID, 10), name(ap.ID), false})
		}
	}
	return nil
}

// memberScores lays out a review's scores by application (in the order
// they came, withdrawn ones left out) and member (in the panel's order): a
// member's points on each criterion, 「—」 where none is given yet, 回避
// where the member declared a conflict (with its reason).
func memberScores(l Lang, x *scenario.Scenario, panel []string, xs []*scenario.Application, scores []scenario.Score, conflicts []scenario.Conflict,
	name func(int64) string) []memberScoreRow {
	type key struct {
		app               int64
		member, criterion string
	}
	points := map[key]int{}
	for _, sc := range scores {
		points[key{sc.ApplicationID, sc.Member, sc.CriterionID}] = sc.Points
	}
	reasons := map[key]string{}
	for _, c := range conflicts {
		reasons[key{c.ApplicationID, c.Member, ""}] = c.Reason
	}
	var out []memberScoreRow
	for i := len(xs) - 1; i >= 0; i-- {
		ap := xs[i]
		if ap.Status == scenario.Withdrawn {
			continue
		}
		for _, m := range panel {
			row := memberScoreRow{AppID: ap.ID, App: name(ap.ID), Member: m}
			if reason, ok := reasons[key{ap.ID, m, ""}]; ok {
				row.Conflict, row.ConflictNote = true, reason
			}
			for _, c := range x.Criteria {
				cell := l.T("dash")
				if row.Conflict {
					cell = l.T("scn.conflict.short")
				} else if p, ok := points[key{ap.ID, m, c.ID}]; ok {
					cell = strconv.Itoa(p)
				}
				row.Cells = append(row.Cells, cell)
			}
			out = append(out, row)
		}
	}
	return out
}

// scenarioFailed shows the page again after a refused form: 400 for a
// field to fix, 409 for a step the status does not allow.
func (s *Server) scenarioFailed(w http.ResponseWriter, r *http.Request, step string, err error) error {
	switch chanye.ErrorCode(err) {
	case chanye.EINVALID, chanye.ECONFLICT:
	default:
		return err
	}
	v, verr := s.scenarioView(r)
	if verr != nil {
		return verr
	}
	v.Failed, v.Form = step, r.PostForm
	v.Message, v.Errs = errText(r, err), errFields(r, err)
	// The scores kept as typed need the view built with Failed set.
	if step == "scores" && v.Member {
		for i := range v.ScoreRows {
			for j := range v.ScoreRows[i].Cells {
				if kept := v.Form.Get(v.ScoreRows[i].Cells[j].Name); kept != "" {
					v.ScoreRows[i].Cells[j].Value = kept
				}
			}
		}
	}
	return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "scenario", v)
}

// scenarioDone goes back to the scenario's page with done's message.
func scenarioDone(w http.ResponseWriter, r *http.Request, id int64, done, anchor string) {
	http.Redirect(w, r, "/scenarios/"+strconv.FormatInt(id, 10)+"?done="+done+anchor, http.StatusSeeOther)
}

// scenarioForm reads the path's id and the posted form.
func (s *Server) scenarioForm(r *http.Request) (int64, error) {
	if _, err := s.scenarioService(); err != nil {
		return 0, err
	}
	id, err := scenarioID(r)
	if err != nil {
		return 0, err
	}
	if err := r.ParseForm(); err != nil {
		return 0, chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	return id, nil
}

// scenarioMove takes a runner's step from the page.
func (s *Server) scenarioMove(w http.ResponseWriter, r *http.Request) error {
	id, err := s.scenarioForm(r)
	if err != nil {
		return err
	}
	fv := r.PostFormValue
	m := scenario.Move{Action: scenario.Action(fv("action")), Name: fv("name"), Evidence: fv("evidence"), Buyer: fv("buyer"),
		Reason: fv("reason"), Note: fv("note")}
	bad := map[string]string{}
	switch m.Action {
	case scenario.ActSelect:
		if n, err := strconv.ParseInt(fv("application_id"), 10, 64); err == nil {
			m.ApplicationID = n
		} else {
			bad["application_id"] = "请选择方案 / choose an application"
		}
	case scenario.ActAddMilestone:
		m.Due = parseDay(fv("due"), "due", bad)
	case scenario.ActCompleteMilestone:
		m.MilestoneNo, _ = strconv.Atoi(fv("milestone_no"))
		m.On = parseDay(fv("on"), "on", bad)
	case scenario.ActConfirmFirstUse:
		m.On = parseDay(fv("on"), "on", bad)
	case scenario.ActProcure:
		m.On = parseDay(fv("on"), "on", bad)
		if strings.TrimSpace(fv("amount")) == "" {
			bad["amount_fen"] = "必填 / required"
		} else {
			m.AmountFen = parseWan(fv("amount"), "amount_fen", bad)
		}
	}
	if len(bad) > 0 {
		err = chanye.Invalid("表单有误 / invalid form", bad)
	} else {
		_, err = s.cfg.Scenarios.Scenarios.MoveScenario(r.Context(), id, m)
	}
	if err != nil {
		return s.scenarioFailed(w, r, string(m.Action), err)
	}
	scenarioDone(w, r, id, string(m.Action), "")
	return nil
}

// scenarioPanel sets the panel from account names, one a line (or
// separated by commas).
func (s *Server) scenarioPanel(w http.ResponseWriter, r *http.Request) error {
	id, err := s.scenarioForm(r)
	if err != nil {
		return err
	}
	members := strings.FieldsFunc(r.PostFormValue("panel"), func(c rune) bool {
		return c == '\n' || c == '\r' || c == ',' || c == '，' || c == '、'
	})
	var names []string
	for _, m := range members {
		if m = strings.TrimSpace(m); m != "" {
			names = append(names, m)
		}
	}
	if err := s.cfg.Scenarios.Reviews.SetPanel(r.Context(), id, names); err != nil {
		return s.scenarioFailed(w, r, "panel", err)
	}
	scenarioDone(w, r, id, "panel", "#scn-panel")
	return nil
}

// scenarioApply takes an enterprise's application for itself, with a
// file when one is chosen (multipart, field "file"): the file is checked
// before the application is stored, so that a refused file leaves nothing
// half done.
func (s *Server) scenarioApply(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.scenarioService(); err != nil {
		return err
	}
	id, err := scenarioID(r)
	if err != nil {
		return err
	}
	up, err := readUpload(w, r, "file")
	if err != nil {
		return err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	a := chanye.ActorFrom(r.Context())
	x := &scenario.Application{ScenarioID: id, Code: a.Code, Solution: r.PostFormValue("solution")}
	attach := len(up.Data) > 0 && s.cfg.Scenarios.Files != nil
	if attach {
		err = policy.CheckAttachment(up.Name, up.ContentType, int64(len(up.Data)))
	}
	if err == nil {
		err = s.cfg.Scenarios.Applications.CreateScenarioApplication(r.Context(), x)
	}
	if err != nil {
		return s.scenarioFailed(w, r, "apply", err)
	}
	if attach {
		if _, err := s.cfg.Scenarios.Files.AttachScenarioFile(r.Context(), x.ID, up.Name, up.Data); err != nil {
			return s.scenarioFailed(w, r, fmt.Sprintf("attach-%d", x.ID), err)
		}
	}
	scenarioDone(w, r, id, "apply", "#scn-mine")
	return nil
}

// scenarioApp reads the path's application, a scenario's as the path
// says: ENOTFOUND for another scenario's.
func (s *Server) scenarioApp(r *http.Request, id int64) (*scenario.Application, error) {
	app, err := strconv.ParseInt(r.PathValue("app"), 10, 64)
	if err != nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "申报不存在 / no such application")
	}
	x, err := s.cfg.Scenarios.Applications.FindScenarioApplicationByID(r.Context(), app)
	if err != nil {
		return nil, err
	}
	if x.ScenarioID != id {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "申报不存在 / no such application")
	}
	return x, nil
}

// scenarioAttach takes one uploaded file (multipart, field "file") for
// the enterprise's own application.
func (s *Server) scenarioAttach(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.scenarioService(); err != nil {
		return err
	}
	if s.cfg.Scenarios.Files == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := scenarioID(r)
	if err != nil {
		return err
	}
	up, err := readUpload(w, r, "file")
	if err != nil {
		return err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	x, err := s.scenarioApp(r, id)
	if err != nil {
		return err
	}
	if len(up.Data) == 0 {
		err = chanye.Invalid("附件无效 / invalid attachment", map[string]string{"file": "请选择文件 / choose a file"})
	} else {
		_, err = s.cfg.Scenarios.Files.AttachScenarioFile(r.Context(), x.ID, up.Name, up.Data)
	}
	if err != nil {
		return s.scenarioFailed(w, r, fmt.Sprintf("attach-%d", x.ID), err)
	}
	scenarioDone(w, r, id, "attach", fmt.Sprintf("#scn-mine-%d", x.ID))
	return nil
}

// scenarioFile downloads an application's file, always as an attachment.
func (s *Server) scenarioFile(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.scenarioService(); err != nil {
		return err
	}
	if s.cfg.Scenarios.Files == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := scenarioID(r)
	if err != nil {
		return err
	}
	x, err := s.scenarioApp(r, id)
	if err != nil {
		return err
	}
	fid, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		return chanye.Errorf(chanye.ENOTFOUND, "附件不存在 / no such file")
	}
	f, data, err := s.cfg.Scenarios.Files.FindScenarioFile(r.Context(), x.ID, fid)
	if err != nil {
		return err
	}
	httpapi.ServeAttachment(w, &policy.Attachment{Name: f.Name, ContentType: f.ContentType}, data)
	return nil
}

// scenarioWithdraw withdraws an enterprise's own application.
func (s *Server) scenarioWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := s.scenarioForm(r)
	if err != nil {
		return err
	}
	x, err := s.scenarioApp(r, id)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Scenarios.Applications.WithdrawScenarioApplication(r.Context(), x.ID); err != nil {
		return s.scenarioFailed(w, r, "withdraw", err)
	}
	scenarioDone(w, r, id, "withdraw", "#scn-mine")
	return nil
}

// scenarioScores records a panel member's scores: every field
// "score-{application}-{criterion}" typed.
func (s *Server) scenarioScores(w http.ResponseWriter, r *http.Request) error {
	id, err := s.scenarioForm(r)
	if err != nil {
		return err
	}
	a := chanye.ActorFrom(r.Context())
	var scores []scenario.Score
	bad := map[string]string{}
	keys := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, "score-")
		if !ok {
			continue
		}
		val := strings.TrimSpace(r.PostForm.Get(k))
		if val == "" {
			continue
		}
		appS, crit, _ := strings.Cut(rest, "-")
		app, err := strconv.ParseInt(appS, 10, 64)
		if err != nil {
			bad[k] = "未知方案 / unknown application"
			continue
		}
		p, err := strconv.Atoi(val)
		if err != nil || p < 0 || p > scenario.MaxPoints {
			bad[k] = fmt.Sprintf("须为 0–%d 的整数 / must be a whole number 0–%d", scenario.MaxPoints, scenario.MaxPoints)
			continue
		}
		scores = append(scores, scenario.Score{ApplicationID: app, Member: a.Name, CriterionID: crit, Points: p})
	}
	if len(bad) == 0 && len(scores) == 0 {
		bad["scores"] = "请至少填写一项评分 / give at least one score"
	}
	if len(bad) > 0 {
		err = chanye.Invalid("评分有误 / invalid scores", bad)
	} else {
		err = s.cfg.Scenarios.Reviews.PutScores(r.Context(), id, scores)
	}
	if err != nil {
		return s.scenarioFailed(w, r, "scores", err)
	}
	scenarioDone(w, r, id, "scores", "#scn-ranking")
	return nil
}

// scenarioConflict records a panel member's declared conflict.
func (s *Server) scenarioConflict(w http.ResponseWriter, r *http.Request) error {
	id, err := s.scenarioForm(r)
	if err != nil {
		return err
	}
	a := chanye.ActorFrom(r.Context())
	c := &scenario.Conflict{Member: a.Name, Reason: r.PostFormValue("reason")}
	if c.ApplicationID, err = strconv.ParseInt(r.PostFormValue("application_id"), 10, 64); err != nil {
		err = chanye.Invalid("表单有误 / invalid form", map[string]string{"application_id": "请选择方案 / choose an application"})
	} else {
		// The service checks the application's own scenario.
		err = s.cfg.Scenarios.Reviews.DeclareConflict(r.Context(), c)
	}
	if err != nil {
		return s.scenarioFailed(w, r, "conflict", err)
	}
	scenarioDone(w, r, id, "conflict", "#scn-apps")
	return nil
}

// HasFiles reports whether the applications' attachments are served.
func (v *scenarioView) HasFiles() bool { return v.files }

// HasScenarios reports whether the scenarios are served: the navigation
// then links them.
func (p page) HasScenarios() bool { return p.scenarios }

// scenarioReviewTodo lists, for 我的待办, the scenarios under review on
// whose panel the reader sits with scores still to give; no section for
// one on no such panel.
func (s *Server) scenarioReviewTodo(ctx context.Context, l Lang) (todoSection, error) {
	if _, err := s.scenarioService(); err != nil {
		return todoSection{}, nil
	}
	a := chanye.ActorFrom(ctx)
	if a.Name == "" || a.Role == chanye.RoleEnterprise || a.Role == chanye.RolePublic {
		return todoSection{}, nil
	}
	st := scenario.Reviewing
	xs, _, err := s.cfg.Scenarios.Scenarios.FindScenarios(ctx, scenario.Filter{Status: &st, Limit: scenario.MaxPage})
	if hidden(err) {
		return todoSection{}, nil
	} else if err != nil {
		return todoSection{}, err
	}
	sec := todoSection{ID: "todo-scenario-scores", Title: l.T("scn.todo"), Note: l.T("scn.todo.note"), QueueURL: "/scenarios?status=reviewing"}
	member := false
	for _, x := range xs {
		panel, err := s.cfg.Scenarios.Reviews.FindPanel(ctx, x.ID)
		if hidden(err) || err == nil && !slices.Contains(panel, a.Name) {
			continue
		} else if err != nil {
			return todoSection{}, err
		}
		member = true
		// The member's gaps are the ranking's: every criterion of every
		// application it has not scored nor declared a conflict with.
		rk, err := s.cfg.Scenarios.Reviews.FindRanking(ctx, x.ID, true)
		if err != nil {
			return todoSection{}, err
		}
		missing := 0
		for _, m := range rk.Incomplete {
			if m.Member == a.Name {
				missing++
			}
		}
		if missing == 0 {
			continue
		}
		sec.Total++
		sec.Demo = sec.Demo || x.Demo
		if len(sec.Items) < todoShown {
			sec.Items = append(sec.Items, todoItem{Text: "#" + strconv.FormatInt(x.ID, 10) + " " + x.Title, Sub: l.Tf("scn.todo.missing", missing),
				URL: "/scenarios/" + strconv.FormatInt(x.ID, 10) + "#scn-score-form"})
		}
	}
	if !member {
		return todoSection{}, nil
	}
	return sec, nil
}
