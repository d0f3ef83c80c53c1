package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

// The 招商 pages (issue 12): a link's candidates, targets and leads on the
// link's page; the lead list with its funnel; one lead with its history,
// its moves, its contacts and its conversion into a key project.

// InvestServices serve 招商; a nil field hides its part of the pages.
type InvestServices struct {
	Targets     invest.TargetService
	Candidates  invest.CandidateService
	Leads       invest.LeadService
	Conversions invest.ConversionService
	Funnel      invest.FunnelService
	// Supervisions is the supervision (督办) of leads; nil: the lead page
	// shows none.
	Supervisions project.SupervisionService
	Imports      invest.LeadImporter // the import form of /leads (leads_import.go)
}

// investSection is the 招商 part of a link's page.
type investSection struct {
	Candidates     []candidateRow
	Targets        []targetRow
	Leads          []leadRow
	MayTarget      bool // add targets
	MayLead        bool // open leads
	Owners         []option
	Kinds          []option
	Today          string
	ShowCandidates bool
}

type candidateRow struct {
	*invest.Candidate
	KindName string
	Reasons  string
	Targeted bool
	Place    string // city or district
}

type targetRow struct {
	*invest.Target
	KindName string
}

type leadRow struct {
	*invest.Lead
	Href, StageName, Owner, Expected string
	Signed                           string // the signed investment, when signed
	Overdue                          bool
	ProjectHref                      string
}

// investOf fills the 招商 section of a link's page for readers who may
// see it; nil otherwise.
func (s *Server) investOf(r *http.Request, v *linkPageView) (*investSection, error) {
	inv := s.cfg.Invest
	if inv.Targets == nil || inv.Leads == nil || !may(v.Actor, authz.InvestRules(), authz.ReadTargets) {
		return nil, nil
	}
	ctx, l := r.Context(), v.L
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	today := chanye.DateOf(s.now())
	sec := &investSection{Today: today.String(),
		MayTarget: may(v.Actor, authz.InvestRules(), authz.WriteTargets),
		MayLead:   may(v.Actor, authz.InvestRules(), authz.WriteInvestLeads)}
	link := v.Link.ID
	ts, _, err := inv.Targets.FindTargets(ctx, invest.TargetFilter{LinkID: &link, Limit: invest.MaxPage})
	if err != nil && !hidden(err) {
		return nil, err
	}
	for _, t := range ts {
		sec.Targets = append(sec.Targets, targetRow{Target: t, KindName: l.Pick(t.Kind.NameZH(), t.Kind.NameEN())})
		v.Demo = v.Demo || chanye.DemoSource(t.Source)
	}
	ls, _, err := inv.Leads.FindLeads(ctx, invest.LeadFilter{LinkID: &link, Limit: invest.MaxPage})
	if err != nil && !hidden(err) {
		return nil, err
	}
	for _, x := range ls {
		sec.Leads = append(sec.Leads, s.leadRow(l, x, today))
	}
	if inv.Candidates != nil && may(v.Actor, authz.InvestRules(), authz.ReadCandidates) {
		cs, err := inv.Candidates.FindCandidates(ctx, v.IndustryID, link, 20)
		switch {
		case err == nil:
			sec.ShowCandidates = true
			for _, x := range cs {
				row := candidateRow{Candidate: x, KindName: l.Pick(x.Kind.NameZH(), x.Kind.NameEN()), Place: x.City}
				if d, ok := c.District(x.DistrictCode); ok {
					row.Place = l.Pick(d.NameZH, d.NameEN)
				}
				parts := make([]string, len(x.Reasons))
				for i, x := range x.Reasons {
					parts[i] = l.Pick(x.ZH, x.EN) + " (+" + strconv.Itoa(x.Points) + ")"
				}
				row.Reasons = strings.Join(parts, l.Pick("；", "; "))
				sec.Candidates = append(sec.Candidates, row)
			}
		case !hidden(err):
			return nil, err
		}
	}
	for _, k := range invest.ListKinds {
		sec.Kinds = append(sec.Kinds, option{string(k.Kind), l.Pick(k.NameZH, k.NameEN), false})
	}
	if sec.Owners, err = s.leadOwners(r, l, c, v.IndustryID); err != nil {
		return nil, err
	}
	return sec, nil
}

// leadOwners are who may own a lead, as "kind:name" options: the task
// forces and departments on the managed lists (the industry's own first
// selected), then the districts. A department or a district opens only
// leads it owns: it is offered itself alone.
func (s *Server) leadOwners(r *http.Request, l Lang, c *chanye.Catalog, industryID string) ([]option, error) {
	lists, err := s.orgLists(r)
	if err != nil {
		return nil, err
	}
	ind := c.Industry(industryID)
	if ind == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "产业 %s 不存在 / no such industry", industryID)
	}
	var out []option
	for _, k := range []struct {
		org   chanye.OrgKind
		owner invest.OwnerKind
		own   string
	}{{chanye.OrgTaskForce, invest.OwnerTaskForce, ind.Responsibility.TaskForce}, {chanye.OrgDepartment, invest.OwnerDepartment, ind.Responsibility.LeadDepartment}} {
		for _, u := range lists.Active(k.org) {
			out = append(out, option{string(k.owner) + ":" + u.NameZH, l.T("inv.owner."+string(k.owner)) + " · " + u.NameZH, u.NameZH == k.own && k.own != ""})
		}
	}
	for _, d := range c.Districts {
		out = append(out, option{string(invest.OwnerDistrict) + ":" + d.Code, l.T("inv.owner.district") + " · " + l.Pick(d.NameZH, d.NameEN), false})
	}
	self := ""
	switch a := chanye.ActorFrom(r.Context()); a.Role {
	case chanye.RoleDepartment:
		self = string(invest.OwnerDepartment) + ":" + a.Department
	case chanye.RoleDistrict:
		self = string(invest.OwnerDistrict) + ":" + a.District
	}
	if i := slices.IndexFunc(out, func(o option) bool { return o.Value == self }); i >= 0 {
		own := out[i]
		own.Selected = true
		return []option{own}, nil
	}
	return out, nil
}

// hidden reports an error that means "not for this reader".
func hidden(err error) bool {
	switch chanye.ErrorCode(err) {
	case chanye.EFORBIDDEN, chanye.EUNAUTHORIZED, chanye.ENOTFOUND:
		return true
	}
	return false
}

func (s *Server) leadRow(l Lang, x *invest.Lead, today chanye.Date) leadRow {
	row := leadRow{Lead: x, Href: "/leads/" + strconv.FormatInt(x.ID, 10), StageName: l.Pick(x.Stage.NameZH(), x.Stage.NameEN()),
		Owner: l.T("inv.owner."+string(x.OwnerKind)) + " · " + x.OwnerName, Expected: l.T("diag.unknown"), Overdue: x.Overdue(today)}
	if x.ExpectedFen != nil {
		row.Expected = fenMoney(l, *x.ExpectedFen)
	}
	if x.SignedFen != nil {
		row.Signed = fenMoney(l, *x.SignedFen)
	}
	if x.ProjectID != "" {
		row.ProjectHref = "/projects/" + url.PathEscape(x.ProjectID)
	}
	return row
}

// addTarget puts a firm or technology on one of the link's lists.
func (s *Server) addTarget(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Invest.Targets == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	link := r.PathValue("link")
	industry, _, _ := strings.Cut(link, ".")
	t := &invest.Target{IndustryID: industry, LinkID: link, Kind: invest.ListKind(r.PostFormValue("kind")), Name: r.PostFormValue("name"),
		Code: r.PostFormValue("code"), City: r.PostFormValue("city"), Brings: r.PostFormValue("brings"), Source: r.PostFormValue("source"),
		Note: r.PostFormValue("note")}
	err := s.cfg.Invest.Targets.CreateTarget(r.Context(), t)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, linkBack(link)+"?target="+strconv.FormatInt(t.ID, 10)+"#targets", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.linkAgain(w, r, err, "name")
	}
	return err
}

// createLead opens a lead for a target, at 线索.
func (s *Server) createLead(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Invest.Leads == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	bad := map[string]string{}
	target, err := strconv.ParseInt(r.PostFormValue("target_id"), 10, 64)
	if err != nil {
		bad["target_id"] = "须为招商对象编号 / must be a target id"
	}
	kind, name, _ := strings.Cut(r.PostFormValue("owner"), ":")
	x := &invest.Lead{TargetID: target, OwnerKind: invest.OwnerKind(kind), OwnerName: name, NextAction: r.PostFormValue("next_action")}
	if v := strings.TrimSpace(r.PostFormValue("expected")); v != "" {
		f, err := parseMoney(v, "wan")
		if err != nil {
			bad["expected_fen"] = moneyBad
		}
		x.ExpectedFen = &f
	}
	for _, d := range []struct {
		key string
		dst *chanye.Date
	}{{"next_action_on", &x.NextActionOn}, {"stage_on", &x.StageOn}} {
		if v := strings.TrimSpace(r.PostFormValue(d.key)); v != "" {
			if *d.dst, err = chanye.ParseDate(v); err != nil {
				bad[d.key] = "须为 YYYY-MM-DD / must be YYYY-MM-DD"
			}
		}
	}
	if len(bad) > 0 {
		err = chanye.Invalid("线索有误 / invalid lead", bad)
	} else {
		err = s.cfg.Invest.Leads.CreateLead(r.Context(), x)
	}
	back := r.PostFormValue("page")
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/leads/"+strconv.FormatInt(x.ID, 10)+"?done=created", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		if back != "" {
			r.SetPathValue("link", back)
			return s.linkAgain(w, r, err, "target_id")
		}
	}
	return err
}

// leadsView is the list of leads with the funnel of the selection.
type leadsView struct {
	page
	Rows               []leadRow
	Total              int
	Funnel             *funnelView
	Industries, Stages []option
	Open, OverdueOnly  bool
	IndustryID         string
	Import             *leadsImport // nil: the reader may not import
}

type funnelView struct {
	Leads, Lost              int
	Stages                   []funnelStage
	Expected, Signed, Landed string
	SignedLeads, LandedLeads int
}

type funnelStage struct {
	Name             string
	Now, Reached     int
	Lost             int
	ToNext           string
	MedianDays, Mean string
}

// funnelOf writes a funnel for the pages; amounts not known show 未知.
func funnelOf(l Lang, f *invest.Funnel) *funnelView {
	money := func(v *chanye.Fen) string {
		if v == nil {
			return l.T("diag.unknown")
		}
		return fenMoney(l, *v)
	}
	days := func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v, 'f', 1, 64)
	}
	out := &funnelView{Leads: f.Leads, Lost: f.Lost, Expected: money(f.ExpectedFen), Signed: money(f.SignedFen), Landed: money(f.LandedFen),
		SignedLeads: f.SignedLeads, LandedLeads: f.LandedLeads}
	for _, st := range f.Stages {
		row := funnelStage{Name: l.Pick(st.Stage.NameZH(), st.Stage.NameEN()), Now: st.Now, Reached: st.Reached, Lost: st.Lost,
			ToNext: "—", MedianDays: days(st.MedianDays), Mean: days(st.MeanDays)}
		if st.ToNextPerMille != nil {
			row.ToNext = permilleText(int64(*st.ToNextPerMille))
		}
		out.Stages = append(out.Stages, row)
	}
	return out
}

// leadList lists the leads the reader may see, filtered, with the funnel.
func (s *Server) leadList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.leadsOf(r)
	if err != nil {
		return err
	}
	return s.render(w, "leads", v)
}

// leadsOf is the leads page as the request's query selects.
func (s *Server) leadsOf(r *http.Request) (*leadsView, error) {
	inv := s.cfg.Invest
	if inv.Leads == nil || inv.Funnel == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	v := &leadsView{page: s.newPage(r, "leads")}
	if err := refuse(v.Actor, authz.InvestRules(), authz.ReadInvestLeads); err != nil {
		return nil, err
	}
	l := v.L
	v.Title = l.T("inv.leads")
	q := r.URL.Query()
	f := invest.LeadFilter{Limit: invest.MaxPage}
	if id := q.Get("industry"); id != "" {
		f.IndustryID, v.IndustryID = &id, id
	}
	stage := invest.Stage(q.Get("stage"))
	if stage != "" {
		if !stage.Valid() {
			return nil, chanye.Invalid("筛选有误 / invalid filter", map[string]string{"stage": "未知阶段 / unknown stage"})
		}
		f.Stage = &stage
	}
	if q.Get("open") == "1" {
		v.Open = true
		f.Open = &v.Open
	}
	c, err := s.cfg.Catalog.FindCatalog(r.Context())
	if err != nil {
		return nil, err
	}
	v.Industries = []option{{"", l.T("inv.all"), v.IndustryID == ""}}
	for _, ind := range c.Industries {
		v.Industries = append(v.Industries, option{ind.ID, l.Pick(ind.NameZH, ind.NameEN), ind.ID == v.IndustryID})
	}
	v.Stages = []option{{"", l.T("inv.all"), stage == ""}}
	for _, st := range append(invest.Path[:len(invest.Path):len(invest.Path)], invest.StageLost) {
		v.Stages = append(v.Stages, option{string(st), l.Pick(st.NameZH(), st.NameEN()), st == stage})
	}
	today := chanye.DateOf(s.now())
	var ls []*invest.Lead
	if q.Get("overdue") == "1" {
		v.OverdueOnly = true
		ls, v.Total, err = inv.Leads.FindOverdueLeads(r.Context(), f)
	} else {
		ls, v.Total, err = inv.Leads.FindLeads(r.Context(), f)
	}
	if err != nil {
		return nil, err
	}
	for _, x := range ls {
		v.Rows = append(v.Rows, s.leadRow(l, x, today))
	}
	if v.Demo, err = s.demoTargets(r, ls); err != nil {
		return nil, err
	}
	ff := f
	ff.Open, ff.Stage = nil, nil
	fun, err := inv.Funnel.FindFunnel(r.Context(), ff)
	if err != nil {
		return nil, err
	}
	v.Funnel = funnelOf(l, fun)
	v.Import = s.leadsImportOf(r, v.Actor)
	return v, nil
}

// leadView is one lead's page.
type leadView struct {
	page
	Lead                        *invest.Lead
	Row                         leadRow
	Target                      *invest.Target
	LinkName, LinkHref          string
	Events                      []leadEventRow
	Done                        string
	MayMove, MayConvert         bool
	Next                        []option // stages it may move to
	ContactKinds                []option
	Districts, ProjectKinds     []option
	Today                       string
	Message                     string
	Errs                        map[string]string
	Form                        url.Values
	SuggestedID, SuggestedOwner string
	// 督办 of the lead: its items, and the form for those who may issue.
	MaySupervise bool
	Supervisions []supRow
	SupForm      supForm
	// Space is the lead's industrial space (space_links.go): nil when the
	// space is not served.
	Space *forSpace
}

type leadEventRow struct {
	*invest.Event
	Kind string
}

func (s *Server) leadPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.leadView(r)
	if err != nil {
		return err
	}
	v.Done = r.URL.Query().Get("done")
	return s.render(w, "lead", v)
}

func (s *Server) leadView(r *http.Request) (*leadView, error) {
	inv := s.cfg.Invest
	if inv.Leads == nil || inv.Targets == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	v := &leadView{page: s.newPage(r, "leads"), Errs: map[string]string{}, Form: url.Values{}}
	if err := refuse(v.Actor, authz.InvestRules(), authz.ReadInvestLeads); err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "线索不存在 / no such lead")
	}
	ctx, l := r.Context(), v.L
	x, err := inv.Leads.FindLeadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	today := chanye.DateOf(s.now())
	v.Lead, v.Row, v.Today = x, s.leadRow(l, x, today), today.String()
	v.Title = l.Tf("inv.lead.title", x.ID, x.TargetName)
	if v.Target, err = inv.Targets.FindTargetByID(ctx, x.TargetID); err != nil && !hidden(err) {
		return nil, err
	}
	v.Demo = v.Target != nil && chanye.DemoSource(v.Target.Source)
	if x.LinkID != "" {
		v.LinkHref, v.LinkName = "/chain-links/"+url.PathEscape(x.LinkID), x.LinkID
		if s.cfg.Chains != nil {
			if set, err := s.cfg.Chains.FindChains(ctx); err == nil {
				if ch := set.Chain(x.IndustryID); ch != nil {
					if lk := ch.Link(x.LinkID); lk != nil {
						v.LinkName = l.Pick(lk.NameZH, lk.NameEN)
					}
				}
			}
		}
	}
	evs, err := inv.Leads.FindLeadEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		row := leadEventRow{Event: e, Kind: l.T("inv.event." + string(e.Kind))}
		if e.Kind == invest.EventStage {
			row.Kind = l.Pick("阶段：", "Stage: ") + l.Pick(e.To.NameZH(), e.To.NameEN())
			if e.Skipped {
				row.Kind += l.T("inv.skipped")
			}
		}
		v.Events = append(v.Events, row)
	}
	v.MayMove = may(v.Actor, authz.InvestRules(), authz.WriteInvestLeads) && !x.Stage.Closed()
	v.MayConvert = may(v.Actor, authz.InvestRules(), authz.ConvertLeads) && x.ProjectID == "" &&
		(x.Stage == invest.StageSigned || x.Stage == invest.StageLanded)
	for _, st := range append(invest.Path[:len(invest.Path):len(invest.Path)], invest.StageLost) {
		if st == invest.StageLost || st.Ordinal() > x.Stage.Ordinal() {
			v.Next = append(v.Next, option{string(st), l.Pick(st.NameZH(), st.NameEN()), false})
		}
	}
	for _, k := range []invest.EventKind{invest.EventVisit, invest.EventCall, invest.EventMeeting, invest.EventEmail} {
		v.ContactKinds = append(v.ContactKinds, option{string(k), l.T("inv.event." + string(k)), false})
	}
	if err := s.leadSupervision(r, v); err != nil {
		return nil, err
	}
	if v.Space, err = s.leadSpace(r, x); err != nil {
		return nil, err
	}
	if v.MayConvert {
		c, err := s.cfg.Catalog.FindCatalog(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range c.Districts {
			v.Districts = append(v.Districts, option{d.Code, l.Pick(d.NameZH, d.NameEN), false})
		}
		for _, k := range project.Kinds {
			v.ProjectKinds = append(v.ProjectKinds, option{string(k.Kind), l.Pick(k.NameZH, k.NameEN), k.Kind == project.KindIndustrial})
		}
		v.SuggestedID = "ZS-" + strconv.FormatInt(x.ID, 10)
		v.SuggestedOwner = x.EnterpriseCode
		if v.SuggestedOwner == "" && v.Target != nil {
			v.SuggestedOwner = v.Target.Code
		}
	}
	return v, nil
}

// leadSupervision reads the lead's supervision items (督办) for its page,
// and whether the viewer may issue one: only on an open lead.
func (s *Server) leadSupervision(r *http.Request, v *leadView) error {
	svc := s.cfg.Invest.Supervisions
	if svc == nil {
		return nil
	}
	ctx, x := r.Context(), v.Lead
	today := chanye.DateOf(s.now())
	v.SupForm = supForm{Min: today.String(),
		Max: chanye.DateOf(today.AddDate(0, 0, project.MaxSupervisionDays)).String()}
	v.MaySupervise = !x.Stage.Closed() && authz.MayOnLead(ctx, s.cfg.Catalog, v.Actor, authz.IssueLeadSupervision, x)
	xs, _, err := svc.FindSupervisions(ctx, project.SupervisionFilter{LeadID: &x.ID, Limit: 1000})
	if hidden(err) {
		return nil
	} else if err != nil {
		return err
	}
	for _, it := range xs {
		row := s.supRow(v.L, v.Actor, it)
		row.Back = "subject"
		v.Supervisions = append(v.Supervisions, row)
	}
	return nil
}

// superviseLead puts a lead under supervision (督办) from its page.
func (s *Server) superviseLead(w http.ResponseWriter, r *http.Request) error {
	svc := s.cfg.Invest.Supervisions
	if svc == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := leadID(r)
	if err != nil {
		return err
	}
	x := &project.Supervision{LeadID: id, Addressee: project.ToLeadOwner, Instruction: r.PostFormValue("instruction")}
	if due := strings.TrimSpace(r.PostFormValue("due_on")); due != "" {
		if x.DueOn, err = chanye.ParseDate(due); err != nil {
			return s.leadAgain(w, r, chanye.Invalid("督办事项有误 / invalid supervision item", map[string]string{"due_on": "须为 YYYY-MM-DD / must be YYYY-MM-DD"}))
		}
	}
	_, err = svc.CreateSupervision(r.Context(), x)
	return s.leadDone(w, r, err, "supervised")
}

// leadAgain renders the lead's page with a refused form's errors.
func (s *Server) leadAgain(w http.ResponseWriter, r *http.Request, cause error) error {
	v, err := s.leadView(r)
	if err != nil {
		return err
	}
	v.Message, v.Errs, v.Form = errText(r, cause), errFields(r, cause), r.PostForm
	v.SupForm.Instruction, v.SupForm.Due = r.PostForm.Get("instruction"), r.PostForm.Get("due_on")
	return s.renderStatus(w, http.StatusBadRequest, "lead", v)
}

// leadDone ends a form on the lead's page: back to it, or the page again
// with the errors a person can fix.
func (s *Server) leadDone(w http.ResponseWriter, r *http.Request, err error, done string) error {
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/leads/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.leadAgain(w, r, err)
	}
	return err
}

// leadID reads the path's lead id and the form.
func leadID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, chanye.Errorf(chanye.ENOTFOUND, "线索不存在 / no such lead")
	}
	if err := r.ParseForm(); err != nil {
		return 0, chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	return id, nil
}

// moveLead moves a lead to a later stage, or to lost.
func (s *Server) moveLead(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Invest.Leads == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := leadID(r)
	if err != nil {
		return err
	}
	m := invest.Move{To: invest.Stage(r.PostFormValue("to")), LostReason: r.PostFormValue("lost_reason"), Note: r.PostFormValue("note"),
		ProjectID: strings.TrimSpace(r.PostFormValue("project_id")), EnterpriseCode: strings.TrimSpace(r.PostFormValue("enterprise_code"))}
	bad := map[string]string{}
	if v := strings.TrimSpace(r.PostFormValue("signed")); v != "" {
		f, err := parseMoney(v, "wan")
		if err != nil {
			bad["signed_fen"] = moneyBad
		}
		m.SignedFen = &f
	}
	if len(bad) > 0 {
		return s.leadAgain(w, r, chanye.Invalid("推进有误 / invalid move", bad))
	}
	_, err = s.cfg.Invest.Leads.MoveLead(r.Context(), id, m)
	return s.leadDone(w, r, err, "moved")
}

// addContact records a visit, call, meeting or e-mail.
func (s *Server) addContact(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Invest.Leads == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := leadID(r)
	if err != nil {
		return err
	}
	e := &invest.Event{Kind: invest.EventKind(r.PostFormValue("kind")), Note: r.PostFormValue("note")}
	if v := strings.TrimSpace(r.PostFormValue("on")); v != "" {
		if e.On, err = chanye.ParseDate(v); err != nil {
			return s.leadAgain(w, r, chanye.Invalid("接洽记录有误 / invalid contact", map[string]string{"on": "须为 YYYY-MM-DD / must be YYYY-MM-DD"}))
		}
	}
	err = s.cfg.Invest.Leads.AddLeadContact(r.Context(), id, e)
	return s.leadDone(w, r, err, "contact")
}

// setNextAction changes the lead's next action and owner.
func (s *Server) setNextAction(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Invest.Leads == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := leadID(r)
	if err != nil {
		return err
	}
	action := r.PostFormValue("next_action")
	upd := invest.LeadUpdate{NextAction: &action}
	on := chanye.Date{}
	if v := strings.TrimSpace(r.PostFormValue("next_action_on")); v != "" {
		if on, err = chanye.ParseDate(v); err != nil {
			return s.leadAgain(w, r, chanye.Invalid("线索有误 / invalid lead", map[string]string{"next_action_on": "须为 YYYY-MM-DD / must be YYYY-MM-DD"}))
		}
	}
	upd.NextActionOn = &on
	_, err = s.cfg.Invest.Leads.UpdateLead(r.Context(), id, upd)
	return s.leadDone(w, r, err, "updated")
}

// convertLead links a signed lead to a key project: an existing one by id,
// or a new one made from the lead.
func (s *Server) convertLead(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Invest.Conversions == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := leadID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if existing := strings.TrimSpace(r.PostFormValue("existing")); existing != "" {
		_, err = s.cfg.Invest.Conversions.ConvertLead(ctx, id, existing)
		return s.leadDone(w, r, err, "converted")
	}
	p := &project.Project{ID: strings.TrimSpace(r.PostFormValue("id")), Name: r.PostFormValue("name"), OwnerCode: r.PostFormValue("owner_code"),
		DistrictCode: r.PostFormValue("district_code"), Kind: project.Kind(r.PostFormValue("kind"))}
	bad := map[string]string{}
	for _, d := range []struct {
		key string
		dst *chanye.Date
	}{{"planned_start", &p.PlannedStart}, {"planned_completion", &p.PlannedCompletion}} {
		if p, err := chanye.ParseDate(r.PostFormValue(d.key)); err != nil {
			bad[d.key] = "须为 YYYY-MM-DD / must be YYYY-MM-DD"
		} else {
			*d.dst = p
		}
	}
	if len(bad) > 0 {
		return s.leadAgain(w, r, chanye.Invalid("项目信息有误 / invalid project", bad))
	}
	_, err = s.cfg.Invest.Conversions.CreateProjectFromLead(ctx, id, p)
	return s.leadDone(w, r, err, "converted")
}

// demoTargets reports whether a lead of ls follows a target whose source is
// demo data (演示数据): the page then says so.
func (s *Server) demoTargets(r *http.Request, ls []*invest.Lead) (bool, error) {
	if len(ls) == 0 {
		return false, nil
	}
	ts, _, err := s.cfg.Invest.Targets.FindTargets(r.Context(), invest.TargetFilter{Limit: invest.MaxPage})
	if hidden(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	demo := map[int64]bool{}
	for _, t := range ts {
		demo[t.ID] = chanye.DemoSource(t.Source)
	}
	for _, x := range ls {
		if demo[x.TargetID] {
			return true, nil
		}
	}
	return false, nil
}
