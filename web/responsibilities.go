package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/project"
)

// The pages that assign responsibilities and keep the managed lists of
// city leaders, departments and task forces (issue 11). Both answer 404
// without Config.Lists.

// lists returns the list service, or ENOTFOUND without one.
func (s *Server) lists() (chanye.OrgUnitService, error) {
	if s.cfg.Lists == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return s.cfg.Lists, nil
}

// orgLists reads every list, or none without a list service: the filters
// then offer only the names in use.
func (s *Server) orgLists(r *http.Request) (chanye.OrgLists, error) {
	if s.cfg.Lists == nil {
		return nil, nil
	}
	return s.cfg.Lists.FindOrgUnits(r.Context(), chanye.OrgUnitFilter{})
}

// readForm reads a posted form after checking that the rules let the
// actor act at all: the refused are not shown the form's field errors.
func readForm(r *http.Request, rules authz.Rules, act authz.Action) error {
	if err := refuse(chanye.ActorFrom(r.Context()), rules, act); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	return nil
}

// refuse returns the error for an actor the rules deny act: sign in for
// the public, 403 for the others.
func refuse(a *chanye.Actor, rules authz.Rules, act authz.Action) error {
	if a == nil || a.Role == chanye.RolePublic {
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if rules.Grant(a.Role, act) == authz.Deny {
		return chanye.Errorf(chanye.EFORBIDDEN, "无权操作 / may not %s", act)
	}
	return nil
}

// choiceOptions are the options of a select of list k: "未指定" first, then
// the active names in the list's order; a current value that is not among
// them (retired, or stored before the lists) is kept, marked, so that
// saving the row does not change it unseen.
func choiceOptions(l Lang, lists chanye.OrgLists, k chanye.OrgKind, current, none string) []option {
	out := []option{{"", none, current == ""}}
	found := current == ""
	for _, u := range lists.Active(k) {
		text := u.NameZH
		if l == "en" && u.NameEN != "" {
			text = u.NameEN + " · " + u.NameZH
		}
		out = append(out, option{u.NameZH, text, u.NameZH == current})
		found = found || u.NameZH == current
	}
	if !found {
		out = append(out, option{current, l.Tf("lists.notlisted", current), true})
	}
	return out
}

// respRow is one industry on the responsibilities page.
type respRow struct {
	ID, Name, Kind           string
	Leaders, Depts, Forces   []option
	Fields                   map[string]string // the row's errors, after a failed save
	Leader, Dept, Force      string            // the names, for who may not change the row
	Editable, Saved, Current bool
}

type responsibilitiesView struct {
	page
	Rows    []respRow
	Saved   string // the industry just saved, by name
	Message string
	Own     bool // a department: only the industries it leads
}

// responsibilities shows every industry with its three owners, each row a
// form of three selects. Who may change a row is authz's rule: an
// administrator any, a department those it leads (authz.WriteResponsibility
// Own); everyone else is refused the page.
func (s *Server) responsibilities(w http.ResponseWriter, r *http.Request) error {
	return s.renderResponsibilities(w, r, http.StatusOK, "", nil, chanye.Responsibility{})
}

func (s *Server) renderResponsibilities(w http.ResponseWriter, r *http.Request, status int, failed string, err error, kept chanye.Responsibility) error {
	if _, e := s.lists(); e != nil {
		return e
	}
	v := &responsibilitiesView{page: s.newPage(r, "responsibilities")}
	if e := refuse(v.Actor, authz.CatalogRules(), authz.WriteResponsibility); e != nil {
		return e
	}
	l := v.L
	v.Title = l.T("resp.page.title")
	v.Own = authz.CatalogRules().Grant(v.Actor.Role, authz.WriteResponsibility) == authz.Own
	lists, e := s.orgLists(r)
	if e != nil {
		return e
	}
	inds, e := s.cfg.Catalog.FindIndustries(r.Context(), chanye.IndustryFilter{})
	if e != nil {
		return e
	}
	saved := r.URL.Query().Get("saved")
	none := l.T("resp.none")
	for _, ind := range inds {
		resp := ind.Responsibility
		row := respRow{ID: ind.ID, Name: l.Pick(ind.NameZH, ind.NameEN), Kind: l.T("kind." + string(ind.Kind)),
			Leader: orDefault(resp.CityLeader, none), Dept: orDefault(resp.LeadDepartment, none), Force: orDefault(resp.TaskForce, none)}
		row.Editable = !v.Own || v.Actor.Department != "" && resp.LeadDepartment == v.Actor.Department
		if ind.ID == failed {
			row.Fields, row.Current = errFields(r, err), true
			if len(row.Fields) == 0 {
				row.Fields = map[string]string{"": errText(r, err)}
			}
			resp = kept // the values sent, kept for correcting
			v.Message = l.Tf("resp.page.failed", row.Name, errText(r, err))
		}
		if ind.ID == saved && failed == "" {
			row.Saved, v.Saved = true, row.Name
		}
		row.Leaders = choiceOptions(l, lists, chanye.OrgLeader, resp.CityLeader, none)
		row.Depts = choiceOptions(l, lists, chanye.OrgDepartment, resp.LeadDepartment, none)
		row.Forces = choiceOptions(l, lists, chanye.OrgTaskForce, resp.TaskForce, none)
		v.Rows = append(v.Rows, row)
	}
	return s.renderStatus(w, status, "responsibilities", v)
}

// saveResponsibility saves one row: the three names as chosen. The
// service checks them against the lists and the actor against the rules;
// a refused value shows the page again with the row as sent.
func (s *Server) saveResponsibility(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.lists(); err != nil {
		return err
	}
	id := r.PathValue("id")
	kept := chanye.Responsibility{CityLeader: strings.TrimSpace(r.PostFormValue("city_leader")),
		LeadDepartment: strings.TrimSpace(r.PostFormValue("lead_department")), TaskForce: strings.TrimSpace(r.PostFormValue("task_force"))}
	_, err := s.cfg.Catalog.UpdateResponsibility(r.Context(), id, chanye.ResponsibilityUpdate{
		CityLeader: &kept.CityLeader, LeadDepartment: &kept.LeadDepartment, TaskForce: &kept.TaskForce})
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/responsibilities?saved="+url.QueryEscape(id)+"#ind-"+url.PathEscape(id), http.StatusSeeOther)
		return nil
	case chanye.EINVALID:
		return s.renderResponsibilities(w, r, http.StatusBadRequest, id, err, kept)
	}
	return err
}

// listEntry is one entry of a list on the lists page.
type listEntry struct {
	*chanye.OrgUnit
	First, Last bool
	Fields      map[string]string // after a failed change of this entry
}

// listSection is one list on the lists page.
type listSection struct {
	Kind, Title, Intro string
	Entries            []listEntry
	New                chanye.OrgUnit // the add form, kept after a refusal
	NewFields          map[string]string
}

type listsView struct {
	page
	Sections []listSection
	Done     string
	Message  string
}

// listsPage shows the three lists, each in its order, with forms to add,
// rename, move, retire and restore. Administrators only.
func (s *Server) listsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLists(w, r, http.StatusOK, nil, 0, nil)
}

// renderLists shows the lists; after a refused change, err is the refusal,
// id the entry it concerned (0: the add form of newUnit's kind), and the
// values sent are kept in the form.
func (s *Server) renderLists(w http.ResponseWriter, r *http.Request, status int, err error, id int64, sent *chanye.OrgUnit) error {
	svc, e := s.lists()
	if e != nil {
		return e
	}
	v := &listsView{page: s.newPage(r, "responsibilities")}
	if e := refuse(v.Actor, authz.OrgUnitRules(), authz.WriteOrgUnits); e != nil {
		return e
	}
	l := v.L
	v.Title = l.T("lists.title")
	all, e := svc.FindOrgUnits(r.Context(), chanye.OrgUnitFilter{})
	if e != nil {
		return e
	}
	if err != nil {
		v.Message = errText(r, err)
	} else if d := r.URL.Query().Get("done"); d != "" {
		v.Done = l.Tf("lists.done", d)
	}
	for _, k := range chanye.OrgKinds {
		sec := listSection{Kind: string(k), Title: l.T("lists.kind." + string(k)), Intro: l.T("lists.intro." + string(k)), New: chanye.OrgUnit{Kind: k}}
		var entries []*chanye.OrgUnit
		for _, u := range all {
			if u.Kind == k {
				entries = append(entries, u)
			}
		}
		for i, u := range entries {
			e := listEntry{OrgUnit: u, First: i == 0, Last: i == len(entries)-1}
			if err != nil && id == u.ID {
				cp := *u
				if sent != nil {
					cp.NameZH, cp.NameEN = sent.NameZH, sent.NameEN
				}
				e.OrgUnit, e.Fields = &cp, fieldsOrMessage(r, err)
			}
			sec.Entries = append(sec.Entries, e)
		}
		if err != nil && id == 0 && sent != nil && sent.Kind == k {
			sec.New, sec.NewFields = *sent, fieldsOrMessage(r, err)
		}
		v.Sections = append(v.Sections, sec)
	}
	return s.renderStatus(w, status, "lists", v)
}

// fieldsOrMessage returns err's fields, or its message under "" when it
// names none (a conflict).
func fieldsOrMessage(r *http.Request, err error) map[string]string {
	if f := errFields(r, err); len(f) > 0 {
		return f
	}
	return map[string]string{"": errText(r, err)}
}

// createListEntry adds a name at the end of its list.
func (s *Server) createListEntry(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lists()
	if err != nil {
		return err
	}
	u := &chanye.OrgUnit{Kind: chanye.OrgKind(r.PostFormValue("kind")), NameZH: r.PostFormValue("name_zh"), NameEN: r.PostFormValue("name_en")}
	err = svc.CreateOrgUnit(r.Context(), u)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/lists?done="+url.QueryEscape(u.NameZH)+"#list-"+string(u.Kind), http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		if !u.Kind.Valid() {
			return err
		}
		return s.renderLists(w, r, http.StatusBadRequest, err, 0, u)
	}
	return err
}

// updateListEntry renames, moves, retires or restores an entry, as the
// form's action says.
func (s *Server) updateListEntry(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lists()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	var (
		upd  chanye.OrgUnitUpdate
		sent *chanye.OrgUnit
	)
	switch r.PostFormValue("action") {
	case "save":
		zh, en := r.PostFormValue("name_zh"), r.PostFormValue("name_en")
		upd.NameZH, upd.NameEN = &zh, &en
		sent = &chanye.OrgUnit{NameZH: zh, NameEN: en}
	case "up":
		upd.Position = new(max(pos-1, 1))
	case "down":
		upd.Position = new(pos + 1)
	case "retire":
		upd.Retired = new(true)
	case "restore":
		upd.Retired = new(false)
	default:
		return chanye.Invalid("未知操作 / unknown action", map[string]string{"action": r.PostFormValue("action")})
	}
	u, err := svc.UpdateOrgUnit(r.Context(), id, upd)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/lists?done="+url.QueryEscape(u.NameZH)+"#entry-"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderLists(w, r, http.StatusBadRequest, err, id, sent)
	}
	return err
}

// ownerFilters are the selects of the owner filters of the project list
// and the warning board.
type ownerFilters struct {
	Leaders, Depts, Forces []option
}

// ownerFilters builds the owner filters for f's values.
func (s *Server) ownerFilters(r *http.Request, l Lang, c *chanye.Catalog, f project.ProjectFilter) (ownerFilters, error) {
	lists, err := s.orgLists(r)
	if err != nil {
		return ownerFilters{}, err
	}
	return ownerFilters{
		Leaders: filterOptions(l, lists, chanye.OrgLeader, deref(f.CityLeader), namesInUse(c, chanye.OrgLeader)),
		Depts:   filterOptions(l, lists, chanye.OrgDepartment, deref(f.Department), namesInUse(c, chanye.OrgDepartment)),
		Forces:  filterOptions(l, lists, chanye.OrgTaskForce, deref(f.TaskForce), namesInUse(c, chanye.OrgTaskForce)),
	}, nil
}

// namesInUse returns the names of kind k the industries' responsibilities
// give, in catalog order.
func namesInUse(c *chanye.Catalog, k chanye.OrgKind) []string {
	var names []string
	for _, ind := range c.Industries {
		n := map[chanye.OrgKind]string{chanye.OrgLeader: ind.Responsibility.CityLeader,
			chanye.OrgDepartment: ind.Responsibility.LeadDepartment, chanye.OrgTaskForce: ind.Responsibility.TaskForce}[k]
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// filterOptions are the options of a filter on list k: all first, then
// the list's active names in its order, or fallback when the list is
// empty. A current value outside them is kept, marked.
func filterOptions(l Lang, lists chanye.OrgLists, k chanye.OrgKind, current string, fallback []string) []option {
	names := fallback
	if active := lists.Active(k); len(active) > 0 {
		names = nil
		for _, u := range active {
			names = append(names, u.NameZH)
		}
	}
	out := []option{{"", l.T("ent.all"), current == ""}}
	for _, n := range names {
		out = append(out, option{n, n, n == current})
	}
	if current != "" && !slices.Contains(names, current) {
		out = append(out, option{current, l.Tf("lists.notlisted", current), true})
	}
	return out
}
