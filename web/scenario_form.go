package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/scenario"
)

// The form that creates a scenario (GET /scenarios/new, POST /scenarios)
// and changes a draft (GET and POST /scenarios/{id}/edit): one template,
// scenario_new, for both. A refused form is shown again with every
// field's error next to it and what was typed.

// scenarioCriteriaRows is how many criteria rows the form offers at least;
// a scenario with more shows them all, up to scenario.MaxCriteria.
const scenarioCriteriaRows = 5

// scenarioNewView is the scenario form: new when Edit is nil, else the
// draft it changes.
type scenarioNewView struct {
	page
	Edit       *scenario.Scenario
	Action     string // where the form posts
	Form       url.Values
	Industries []option
	Kinds      []option
	LinkGroups []linkGroup // the runner's chains, the chosen industry's first
	Criteria   []critRow
	Message    string
	Errs       map[string]string
}

// Val returns what was typed in field.
func (v *scenarioNewView) Val(field string) string { return v.Form.Get(field) }

// Err returns field's error.
func (v *scenarioNewView) Err(field string) string { return v.Errs[field] }

// LinkNone reports whether no chain link is chosen.
func (v *scenarioNewView) LinkNone() bool { return strings.TrimSpace(v.Form.Get("link_id")) == "" }

// scnField is one input of the form, as the "scnfield" block shows it.
type scnField struct {
	ID, Name, Label, Type, Value, Err string
	Max                               int
}

// Field returns the input name, labelled label, of type typ.
func (v *scenarioNewView) Field(name, label, typ string, max int) scnField {
	return scnField{ID: "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name), Name: name, Label: v.L.T(label), Type: typ, Value: v.Form.Get(name),
		Err: v.Errs[name], Max: max}
}

// critRow is a row of the criteria: its id, names and weight inputs.
type critRow struct {
	Legend         string
	ID, ZH, EN, Wt scnField
}

// critKey is the form's name of criterion row i's field.
func critKey(i int, field string) string { return fmt.Sprintf("criteria[%d].%s", i, field) }

// critFields are the inputs of a criterion row.
var critFields = []string{"id", "name_zh", "name_en", "weight"}

// critRows is how many criteria rows form fills: at least
// scenarioCriteriaRows, one past the last typed, at most MaxCriteria.
func critRows(form url.Values) int {
	n := scenarioCriteriaRows
	for i := range scenario.MaxCriteria {
		for _, f := range critFields {
			if strings.TrimSpace(form.Get(critKey(i, f))) != "" {
				n = max(n, i+1)
			}
		}
	}
	return n
}

func (s *Server) scenarioNew(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{critKey(0, "id"): {"tech"}, critKey(0, "name_zh"): {"技术方案"}, critKey(0, "weight"): {"60"},
		critKey(1, "id"): {"cost"}, critKey(1, "name_zh"): {"成本效益"}, critKey(1, "weight"): {"40"}}
	return s.renderScenarioForm(w, r, http.StatusOK, nil, form, nil)
}

// renderScenarioForm shows the form for a new scenario (edit nil) or for
// the draft edit, with form's values and cause's errors.
func (s *Server) renderScenarioForm(w http.ResponseWriter, r *http.Request, status int, cause error, form url.Values, edit *scenario.Scenario) error {
	if _, err := s.scenarioService(); err != nil {
		return err
	}
	v := &scenarioNewView{page: s.newPage(r, "scenarios"), Edit: edit, Action: "/scenarios", Form: form, Errs: errFields(r, cause)}
	if err := refuse(v.Actor, authz.ScenarioRules(), authz.RunScenarios); err != nil {
		return err
	}
	l := v.L
	v.Title = l.T("scn.new")
	if edit != nil {
		v.Title, v.Action = l.T("scn.edit.title"), fmt.Sprintf("/scenarios/%d/edit", edit.ID)
	}
	if cause != nil {
		v.Message = errText(r, cause)
	}
	names, inds, err := s.industryNames(r.Context(), l)
	if err != nil {
		return err
	}
	chosen := strings.TrimSpace(form.Get("industry_id"))
	v.Industries = []option{{"", l.T("req.choose"), chosen == ""}}
	var runs []string
	for _, ind := range inds {
		if authz.MayRunScenario(r.Context(), s.cfg.Catalog, v.Actor, &scenario.Scenario{IndustryID: ind.ID}) {
			v.Industries = append(v.Industries, option{ind.ID, names[ind.ID], ind.ID == chosen})
			runs = append(runs, ind.ID)
		}
	}
	if v.LinkGroups, err = s.scenarioLinkGroups(r, l, names, runs, chosen, strings.TrimSpace(form.Get("link_id"))); err != nil {
		return err
	}
	for _, k := range scenario.OffererKinds {
		v.Kinds = append(v.Kinds, option{string(k.Kind), l.Pick(k.NameZH, k.NameEN), string(k.Kind) == form.Get("offerer.kind")})
	}
	for i := range critRows(form) {
		f := func(field, label, typ string, max int) scnField { return v.Field(critKey(i, field), label, typ, max) }
		v.Criteria = append(v.Criteria, critRow{Legend: l.Tf("scn.crit.row", i+1), ID: f("id", "scn.crit.id", "text", 32),
			ZH: f("name_zh", "scn.crit.name", "text", scenario.MaxCriterionZHRunes), EN: f("name_en", "scn.crit.name.en", "text", scenario.MaxCriterionENRunes),
			Wt: f("weight", "scn.crit.weight", "number", 0)})
	}
	return s.renderStatus(w, status, "scenario_new", v)
}

// scenarioLinkGroups are the chain links a scenario may name, grouped by
// chain: the chains of the industries the reader runs (runs), the chosen
// industry's first; the links in the chain's order, a sub-segment under
// its parent. A link chosen that none of them holds is offered as it is,
// so that the refused form shows what was sent.
func (s *Server) scenarioLinkGroups(r *http.Request, l Lang, names map[string]string, runs []string, chosen, link string) ([]linkGroup, error) {
	var groups []linkGroup
	found := link == ""
	if s.cfg.Chains != nil {
		set, err := s.cfg.Chains.FindChains(r.Context())
		if err != nil && !hidden(err) {
			return nil, err
		}
		if set != nil {
			for _, ch := range set.Chains {
				if !slices.Contains(runs, ch.IndustryID) {
					continue
				}
				g := linkGroup{Label: orDefault(names[ch.IndustryID], ch.IndustryID)}
				for _, lk := range ch.Links {
					text := l.Pick(lk.NameZH, orDefault(lk.NameEN, lk.NameZH))
					if lk.Parent != "" {
						text = "— " + text
					}
					g.Options = append(g.Options, option{lk.ID, text, lk.ID == link})
					found = found || lk.ID == link
				}
				if ch.IndustryID == chosen {
					groups = append([]linkGroup{g}, groups...)
				} else {
					groups = append(groups, g)
				}
			}
		}
	}
	if !found {
		groups = append(groups, linkGroup{Label: l.T("scn.link.other"), Options: []option{{link, link, true}}})
	}
	return groups, nil
}

// parseDay reads an optional date field into bad under key.
func parseDay(s, key string, bad map[string]string) chanye.Date {
	if strings.TrimSpace(s) == "" {
		return chanye.Date{}
	}
	d, err := chanye.ParseDate(s)
	if err != nil {
		bad[key] = "须为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"
	}
	return d
}

// parseWan reads an amount in 万元 exactly to the fen into bad under key.
func parseWan(s, key string, bad map[string]string) chanye.Fen {
	f, err := parseMoney(strings.TrimSpace(s), "wan")
	if err != nil {
		bad[key] = moneyBad
	}
	return f
}

// wanInput is an amount as the form's 万元 field holds it: exact, without
// separators or trailing zeros.
func wanInput(f chanye.Fen) string {
	return trimZeros(fmt.Sprintf("%d.%06d", int64(f)/fenPerWan, int64(f)%fenPerWan))
}

// scenarioFromForm reads the posted form into a scenario; bad collects the
// fields that do not parse (a date, the budget, a weight), named as the
// domain names them, the criteria numbered as typed past blank rows.
func scenarioFromForm(r *http.Request, bad map[string]string) *scenario.Scenario {
	fv := r.PostFormValue
	x := &scenario.Scenario{Title: fv("title"), Offerer: scenario.Offerer{Name: fv("offerer.name"), Kind: scenario.OffererKind(fv("offerer.kind"))},
		IndustryID: strings.TrimSpace(fv("industry_id")), LinkID: strings.TrimSpace(fv("link_id")), Requirements: fv("requirements"), Site: fv("site"),
		Deadline: parseDay(fv("deadline"), "deadline", bad), PilotStart: parseDay(fv("pilot_start"), "pilot_start", bad),
		PilotEnd: parseDay(fv("pilot_end"), "pilot_end", bad), Status: scenario.Draft}
	if b := strings.TrimSpace(fv("budget")); b != "" {
		f := parseWan(b, "budget_fen", bad)
		x.BudgetFen = &f
	}
	for i := range scenario.MaxCriteria {
		id, zh, en, wt := strings.TrimSpace(fv(critKey(i, "id"))), fv(critKey(i, "name_zh")), fv(critKey(i, "name_en")), strings.TrimSpace(fv(critKey(i, "weight")))
		if id == "" && strings.TrimSpace(zh+en) == "" && wt == "" {
			continue
		}
		c := scenario.Criterion{ID: id, NameZH: zh, NameEN: en}
		if n, err := strconv.Atoi(wt); err != nil {
			bad[critKey(len(x.Criteria), "weight")] = "须为整数 / must be a whole number"
		} else {
			c.Weight = n
		}
		x.Criteria = append(x.Criteria, c)
	}
	if len(bad) > 0 {
		// The domain's faults too, so that one round names them all.
		probe := *x
		for k, m := range chanye.ErrorFields(probe.Validate()) {
			if _, ok := bad[k]; !ok {
				bad[k] = m
			}
		}
	}
	return x
}

// scenarioCreate stores a new scenario from the form.
func (s *Server) scenarioCreate(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.scenarioService()
	if err != nil {
		return err
	}
	if err := readForm(r, authz.ScenarioRules(), authz.RunScenarios); err != nil {
		return err
	}
	bad := map[string]string{}
	x := scenarioFromForm(r, bad)
	if err = chanye.Invalid("应用场景有误 / invalid scenario", bad); err == nil {
		err = svc.CreateScenario(r.Context(), x)
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/scenarios/"+strconv.FormatInt(x.ID, 10)+"?done=created", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderScenarioForm(w, r, httpmw.Status(chanye.ErrorCode(err)), err, renumberCriteria(r.PostForm), nil)
	}
	return err
}

// scenarioDraft reads the path's scenario for its form: the reader must
// run it (authz.MayRunScenario) and it must be a draft — a published one
// changes through the API, within what its status allows (ECONFLICT
// here).
func (s *Server) scenarioDraft(r *http.Request) (*scenario.Scenario, error) {
	svc, err := s.scenarioService()
	if err != nil {
		return nil, err
	}
	a := chanye.ActorFrom(r.Context())
	if err := refuse(a, authz.ScenarioRules(), authz.RunScenarios); err != nil {
		return nil, err
	}
	id, err := scenarioID(r)
	if err != nil {
		return nil, err
	}
	x, err := svc.FindScenarioByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !authz.MayRunScenario(r.Context(), s.cfg.Catalog, a, x) {
		return nil, chanye.Errorf(chanye.EFORBIDDEN, "无权修改该应用场景 / %s (%s) may not change this scenario", a.Name, a.Role)
	}
	if x.Status != scenario.Draft {
		return nil, chanye.Errorf(chanye.ECONFLICT, "应用场景处于「%s」阶段，只有征集中的场景可在此修改 / the scenario is %s: only a draft is changed here",
			x.Status.NameZH(), x.Status.NameEN())
	}
	return x, nil
}

// scenarioFormValues is a scenario as its form shows it.
func scenarioFormValues(x *scenario.Scenario) url.Values {
	form := url.Values{"title": {x.Title}, "offerer.name": {x.Offerer.Name}, "offerer.kind": {string(x.Offerer.Kind)},
		"industry_id": {x.IndustryID}, "link_id": {x.LinkID}, "requirements": {x.Requirements}, "site": {x.Site},
		"deadline": {x.Deadline.String()}, "pilot_start": {x.PilotStart.String()}, "pilot_end": {x.PilotEnd.String()}}
	if x.BudgetFen != nil {
		form.Set("budget", wanInput(*x.BudgetFen))
	}
	for i, c := range x.Criteria {
		form.Set(critKey(i, "id"), c.ID)
		form.Set(critKey(i, "name_zh"), c.NameZH)
		form.Set(critKey(i, "name_en"), c.NameEN)
		form.Set(critKey(i, "weight"), strconv.Itoa(c.Weight))
	}
	return form
}

// scenarioEdit shows a draft's form, filled with what it holds.
func (s *Server) scenarioEdit(w http.ResponseWriter, r *http.Request) error {
	x, err := s.scenarioDraft(r)
	if err != nil {
		return err
	}
	return s.renderScenarioForm(w, r, http.StatusOK, nil, scenarioFormValues(x), x)
}

// scenarioUpdate changes a draft from its form: every field is sent, an
// empty budget clears it (UpdateScenario, audited).
func (s *Server) scenarioUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	x, err := s.scenarioDraft(r)
	if err != nil {
		return err
	}
	bad := map[string]string{}
	n := scenarioFromForm(r, bad)
	if err = chanye.Invalid("应用场景有误 / invalid scenario", bad); err == nil {
		upd := scenario.ScenarioUpdate{Title: &n.Title, Offerer: &n.Offerer, IndustryID: &n.IndustryID, LinkID: &n.LinkID,
			Requirements: &n.Requirements, Site: &n.Site, BudgetFen: n.BudgetFen, ClearBudget: n.BudgetFen == nil,
			Deadline: &n.Deadline, PilotStart: &n.PilotStart, PilotEnd: &n.PilotEnd, Criteria: n.Criteria}
		if upd.Criteria == nil {
			upd.Criteria = []scenario.Criterion{} // none typed: refused as too few, not left as they were
		}
		_, err = s.cfg.Scenarios.Scenarios.UpdateScenario(r.Context(), x.ID, upd)
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/scenarios/"+strconv.FormatInt(x.ID, 10)+"?done=updated", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderScenarioForm(w, r, httpmw.Status(chanye.ErrorCode(err)), err, renumberCriteria(r.PostForm), x)
	}
	return err
}

// renumberCriteria moves the typed criteria rows up past blank ones, so
// that the errors the domain names by index ("criteria[1].weight") sit
// next to the row they are about.
func renumberCriteria(form url.Values) url.Values {
	out := url.Values{}
	for k, v := range form {
		if !strings.HasPrefix(k, "criteria[") {
			out[k] = v
		}
	}
	n := 0
	for i := range scenario.MaxCriteria {
		typed := ""
		for _, f := range critFields {
			typed += form.Get(critKey(i, f))
		}
		if strings.TrimSpace(typed) == "" {
			continue
		}
		for _, f := range critFields {
			out.Set(critKey(n, f), form.Get(critKey(i, f)))
		}
		n++
	}
	return out
}
