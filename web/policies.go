package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/policy"
)

// actor names who makes the request, for the "by" of what it changes: the
// signed-in actor the authentication middleware put on the context.
func actor(r *http.Request) string {
	return chanye.ActorFrom(r.Context()).String()
}

// maxSource bounds a posted policy file; the shipped ones are under 8 KB.
const maxSource = policy.MaxSourceBytes

// policyRow is one policy as the list shows it.
type policyRow struct {
	ID, Title, Document, Clause, Issuer string
	NoApplication, Official             bool
	Status                              string // the latest version's status
	StatusKey                           string // for the badge class
	Version, Published                  int    // latest version; the published one, 0 if none
	Period, Budget                      string
}

type policiesView struct {
	page
	Rows     []policyRow
	MayWrite bool // the new-policy button
}

// mayOn is may for an action on p: a department's Own grant covers the
// policies it administers only.
func mayOn(a *chanye.Actor, rules authz.Rules, act authz.Action, p *policy.Policy) bool {
	if a == nil {
		return false
	}
	switch rules.Grant(a.Role, act) {
	case authz.Deny:
		return false
	case authz.Own:
		return a.Role == chanye.RoleDepartment && a.Department != "" && p.Department == a.Department
	}
	return true
}

// may reports whether the signed-in actor's role has act in rules at all:
// pages show only the buttons that can work. A scoped grant (Own) is
// checked again when the action runs.
func may(a *chanye.Actor, rules authz.Rules, act authz.Action) bool {
	return a != nil && rules.Grant(a.Role, act) != authz.Deny
}

func (s *Server) policyList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := &policiesView{page: s.newPage(r, "policies")}
	v.MayWrite = may(v.Actor, authz.PolicyRules(), authz.WritePolicy)
	l := v.L
	v.Title = l.T("pol.title")
	latest, _, err := s.cfg.Policies.Versions.FindPolicies(ctx, policy.VersionFilter{Latest: true, Limit: 1000})
	if err != nil {
		return err
	}
	published := policy.StatusPublished
	pubs, _, err := s.cfg.Policies.Versions.FindPolicies(ctx, policy.VersionFilter{Status: &published, Limit: 1000})
	if err != nil {
		return err
	}
	pubVersion := map[string]int{}
	for _, pv := range pubs {
		pubVersion[pv.PolicyID] = pv.Version
	}
	for _, ver := range latest {
		row := policyRowOf(l, ver)
		row.Published = pubVersion[ver.PolicyID]
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, "policies", v)
}

func policyRowOf(l Lang, ver *policy.Version) policyRow {
	p := ver.Policy
	return policyRow{ID: ver.PolicyID, Title: l.Pick(p.TitleZH, p.TitleEN), Document: p.Document, Clause: p.Clause,
		Issuer: p.Issuer, NoApplication: p.Mode == policy.ModeNoApplication, Official: p.Official,
		Status: l.T("vstatus." + string(ver.Status)), StatusKey: string(ver.Status), Version: ver.Version,
		Period: periodText(l, p.Effective), Budget: wanYuan(l, p.BudgetFen)}
}

func periodText(l Lang, pd policy.Period) string {
	to := l.T("pol.open")
	if !pd.To.IsZero() {
		to = pd.To.String()
	}
	return pd.From.String() + " – " + to
}

// wanYuan formats fen in 万元 (10k yuan), "—" for zero.
func wanYuan(l Lang, f chanye.Fen) string {
	if f == 0 {
		return l.T("dash")
	}
	return trimZeros(scaled(int64(f), fenPerWan, 2))
}

// yuan formats fen in whole yuan with separators and two decimals.
func yuan(f chanye.Fen) string { return scaled(int64(f), 100, 2) }

type paramView struct {
	Name, Type, Label string
	Values            []paramValueView
}

type paramValueView struct {
	From, Value string
	Current     bool // in force today
}

type caseView struct {
	Name, Want, Got, Message string
	Pass                     bool
}

type versionView struct {
	Version                       int
	Status, StatusKey             string
	CreatedAt, CreatedBy          string
	PublishedAt, PublishedBy, URL string
	Selected                      bool
}

type policyView struct {
	page
	P          *policy.Policy
	V          *policy.Version
	Row        policyRow
	Note       string
	Params     []paramView
	Amount     string // cap and rounding in words
	Cases      []caseView
	CaseErr    string
	Failing    int
	Versions   []versionView
	Draft      bool
	Error      string            // a refused publish
	ErrFields  map[string]string // its failing cases
	EditURL    string
	SimURL     string
	PublishURL string
	// What the signed-in actor may start from the page: the public sees
	// no button that would fail.
	MayEdit, MaySimulate bool
	// BudgetMode is what happens at the budget; Relations what the
	// policy declares about others, in words; Conflicts what it may
	// conflict with among the published policies.
	BudgetMode string
	Relations  []kvText
	Conflicts  []string
}

// kvText is a labelled line of text.
type kvText struct{ Label, Text string }

// policyVersion resolves /policies/{id}?version=N: the given version, or
// the latest. It returns every version too.
func (s *Server) policyVersion(ctx context.Context, r *http.Request) (*policy.Version, []*policy.Version, error) {
	id := r.PathValue("id")
	all, _, err := s.cfg.Policies.Versions.FindPolicies(ctx, policy.VersionFilter{PolicyID: &id, Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, chanye.Errorf(chanye.ENOTFOUND, "政策 %s 不存在 / no policy %s", id, id)
	}
	want := all[len(all)-1].Version
	if q := r.URL.Query().Get("version"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			return nil, nil, chanye.Invalid("版本号有误 / invalid version", map[string]string{"version": "须为正整数 / must be a positive whole number"})
		}
		want = n
	}
	for _, v := range all {
		if v.Version == want {
			return v, all, nil
		}
	}
	return nil, nil, chanye.Errorf(chanye.ENOTFOUND, "政策 %s 没有第 %d 版 / policy %s has no version %d", id, want, id, want)
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) error {
	ver, all, err := s.policyVersion(r.Context(), r)
	if err != nil {
		return err
	}
	v := s.policyView(r, ver, all)
	return s.render(w, "policy", v)
}

func (s *Server) policyView(r *http.Request, ver *policy.Version, all []*policy.Version) *policyView {
	v := &policyView{page: s.newPage(r, "policies"), P: ver.Policy, V: ver}
	l := v.L
	p := ver.Policy
	v.Title = l.Pick(p.TitleZH, p.TitleEN)
	v.Row = policyRowOf(l, ver)
	v.Note = l.Pick(p.NoteZH, p.NoteEN)
	v.Draft = ver.Status == policy.StatusDraft
	base := "/policies/" + url.PathEscape(ver.PolicyID)
	q := "?version=" + strconv.Itoa(ver.Version)
	v.EditURL, v.SimURL = base+"/edit"+q, base+"/simulate"+q
	v.PublishURL = fmt.Sprintf("%s/versions/%d/publish", base, ver.Version)
	v.MayEdit = mayOn(v.Actor, authz.PolicyRules(), authz.WritePolicy, p)
	v.MaySimulate = mayOn(v.Actor, authz.EngineRules(), authz.Simulate, p)
	today := chanye.DateOf(s.now())
	for _, pa := range p.Params {
		pv := paramView{Name: "p." + pa.Name, Type: string(pa.Type), Label: l.Pick(p.ParamLabel(pa.Name))}
		cur, _ := pa.At(today)
		for i, val := range pa.Values {
			x := paramValueView{From: val.From.String(), Value: paramText(l, pa, val.Value)}
			// The value in force is the last one not after today.
			x.Current = !val.From.After(today.Time) && (i == len(pa.Values)-1 || pa.Values[i+1].From.After(today.Time)) && cur != nil
			pv.Values = append(pv.Values, x)
		}
		v.Params = append(v.Params, pv)
	}
	var amt []string
	if p.Amount.CapFen > 0 {
		amt = append(amt, l.Tf("pol.cap", yuan(p.Amount.CapFen)))
	}
	if p.Amount.Floor != "" {
		amt = append(amt, l.T("pol.floor."+string(p.Amount.Floor)))
	}
	v.Amount = strings.Join(amt, " · ")
	if p.BudgetFen > 0 {
		v.BudgetMode = l.T("budget.mode." + string(p.PolicyBudget().Mode()))
	}
	rel := p.Relations
	if rel.ExclusiveGroup != "" {
		v.Relations = append(v.Relations, kvText{l.T("pol.rel.group"), rel.ExclusiveGroup})
	}
	if len(rel.Excludes) > 0 {
		v.Relations = append(v.Relations, kvText{l.T("pol.rel.excludes"), strings.Join(rel.Excludes, "、")})
	}
	if len(rel.Requires) > 0 {
		v.Relations = append(v.Relations, kvText{l.T("pol.rel.requires"), strings.Join(rel.Requires, "、")})
	}
	for _, g := range p.Groups {
		if g.CapPerEnterpriseFen > 0 {
			v.Relations = append(v.Relations, kvText{l.T("pol.rel.cap"), yuan(g.CapPerEnterpriseFen)})
		}
		if g.Budget.Fen > 0 {
			v.Relations = append(v.Relations, kvText{l.T("pol.rel.groupbudget"), yuan(g.Budget.Fen) + " · " + l.T("budget.mode."+string(g.Budget.Mode()))})
		}
	}
	if s.cfg.Policies.Versions != nil {
		st := policy.StatusPublished
		if pubs, _, err := s.cfg.Policies.Versions.FindPolicies(r.Context(), policy.VersionFilter{Status: &st, Limit: 1000}); err == nil {
			var ps []*policy.Policy
			for _, x := range pubs {
				ps = append(ps, x.Policy)
			}
			for _, c := range policy.Conflicts(p, ps) {
				v.Conflicts = append(v.Conflicts, l.Pick(c.ReasonZH, c.ReasonEN))
			}
		}
	}
	results, err := policy.RunCases(p)
	if err != nil {
		v.CaseErr = errText(r, err)
	}
	for _, cr := range results {
		cv := caseView{Name: cr.Name, Pass: cr.Pass, Want: expectText(l, cr.Want.Verdict(), cr.Want.AmountFen),
			Got: expectText(l, cr.Decision.Status, cr.Decision.AmountFen), Message: cr.Message}
		if !cr.Pass {
			v.Failing++
		}
		v.Cases = append(v.Cases, cv)
	}
	for i := len(all) - 1; i >= 0; i-- {
		o := all[i]
		vv := versionView{Version: o.Version, Status: l.T("vstatus." + string(o.Status)), StatusKey: string(o.Status),
			CreatedAt: o.CreatedAt.Local().Format("2006-01-02 15:04"), CreatedBy: o.CreatedBy, PublishedBy: o.PublishedBy,
			URL: base + "?version=" + strconv.Itoa(o.Version), Selected: o.Version == ver.Version}
		if !o.PublishedAt.IsZero() {
			vv.PublishedAt = o.PublishedAt.Local().Format("2006-01-02 15:04")
		}
		v.Versions = append(v.Versions, vv)
	}
	return v
}

func paramText(l Lang, pa policy.Param, val any) string {
	switch x := val.(type) {
	case int64:
		if pa.Money {
			return yuan(chanye.Fen(x)) + " " + l.T("unit.yuan")
		}
		return group(x)
	case float64, policy.Rate:
		return l.Pick(policy.ParamText(&pa, x))
	}
	return fmt.Sprint(val)
}

func expectText(l Lang, v policy.Verdict, amount chanye.Fen) string {
	switch v {
	case policy.VerdictEligible:
		return l.T("dec.yes") + " · " + yuan(amount) + " " + l.T("unit.yuan")
	case policy.VerdictNeedsData:
		return l.T("run.needs")
	case policy.VerdictError:
		return l.T("run.errors")
	}
	return l.T("dec.no")
}

// publish publishes a draft version; a refusal shows the policy page with
// the failing cases.
func (s *Server) publish(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return chanye.Errorf(chanye.ENOTFOUND, "版本不存在 / no such version")
	}
	_, perr := s.cfg.Policies.Versions.PublishPolicyVersion(ctx, id, n)
	if perr == nil {
		http.Redirect(w, r, "/policies/"+url.PathEscape(id)+"?version="+strconv.Itoa(n), http.StatusSeeOther)
		return nil
	}
	if code := chanye.ErrorCode(perr); code != chanye.EINVALID && code != chanye.ECONFLICT {
		return perr
	}
	r.URL.RawQuery = "version=" + strconv.Itoa(n)
	ver, all, err := s.policyVersion(ctx, r)
	if err != nil {
		return err
	}
	v := s.policyView(r, ver, all)
	v.Error, v.ErrFields = errText(r, perr), errFields(r, perr)
	return s.renderStatus(w, http.StatusBadRequest, "policy", v)
}

// sourceError is one error of a policy file, placed in the source.
type sourceError struct {
	Field     string // the field path, e.g. conditions[1].expr
	Condition string // the condition id, when the error is in a condition
	Line      int    // the YAML line, 0 when unknown
	Pos       string // line:column inside the expression
	Message   string
}

type sourceLine struct {
	N      int
	Text   string
	Errors []sourceError
}

type schemaVar struct {
	Name, Type, Label, Unit string
}

type editView struct {
	page
	New       bool
	PolicyID  string
	Action    string
	Source    string
	Message   string // the error headline
	Errors    []sourceError
	Lines     []sourceLine // the source with errors under their lines
	Checked   bool         // "Check" ran and compiled
	Cases     []caseView
	Failing   int
	Vars      []schemaVar
	Params    []schemaVar
	CancelURL string
	// The buttons the signed-in actor may use: checking runs the cases
	// (authz.TestPolicy), saving stores a draft (authz.WritePolicy).
	MayCheck, MaySave bool
}

// newPolicyTemplate prefills the editor for a new policy.
const newPolicyTemplate = `id: my-policy
version: 1
status: draft
official: false
title_zh: （示例）新政策
title_en: (Example) New policy
document: 示例，非正式文件
clause: 第一条
issuer: 示例：市工业和信息化局
department: 市工业和信息化局
effective:
  from: 2026-01-01
budget_yuan: "10000000"
mode: no_application
params:
  reward:
    - {from: 2026-01-01, value_yuan: "100000"}
conditions:
  - id: high_tech
    label_zh: 现为高新技术企业
    label_en: Is a high-tech enterprise
    clause: 第一条
    expr: e.tier.high_tech.held
amount:
  expr: p.reward
`

func (s *Server) policyNew(w http.ResponseWriter, r *http.Request) error {
	v := s.editView(r, "", newPolicyTemplate)
	return s.render(w, "policy_edit", v)
}

func (s *Server) policyEdit(w http.ResponseWriter, r *http.Request) error {
	ver, _, err := s.policyVersion(r.Context(), r)
	if err != nil {
		return err
	}
	v := s.editView(r, ver.PolicyID, string(ver.Source))
	v.addParams(ver.Policy)
	return s.render(w, "policy_edit", v)
}

func (s *Server) editView(r *http.Request, id, src string) *editView {
	v := &editView{page: s.newPage(r, "policies"), New: id == "", PolicyID: id, Source: src}
	v.MayCheck = may(v.Actor, authz.EngineRules(), authz.TestPolicy)
	v.MaySave = may(v.Actor, authz.PolicyRules(), authz.WritePolicy)
	l := v.L
	if v.New {
		v.Title, v.Action, v.CancelURL = l.T("edit.new"), "/policies/new", "/policies"
	} else {
		v.Title = l.T("edit.title") + " · " + id
		v.Action, v.CancelURL = "/policies/"+url.PathEscape(id)+"/edit", "/policies/"+url.PathEscape(id)
	}
	for _, sv := range policy.Schema() {
		unit := ""
		if sv.Unit != "" {
			unit = l.T("unit." + string(sv.Unit))
		}
		v.Vars = append(v.Vars, schemaVar{Name: sv.Name, Type: sv.Type, Label: l.Pick(sv.LabelZH, sv.LabelEN), Unit: unit})
	}
	return v
}

func (v *editView) addParams(p *policy.Policy) {
	v.Params = nil
	for _, pa := range p.Params {
		t := string(pa.Type)
		unit := ""
		if pa.Money {
			unit = v.L.T("unit.fen")
		}
		v.Params = append(v.Params, schemaVar{Name: "p." + pa.Name, Type: t, Unit: unit})
	}
}

// policySave handles both buttons of the editor: "check" compiles the
// source and runs its cases; "save" stores it as a new draft version.
func (s *Server) policySave(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxSource)
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.ETOOLARGE, "政策文件过大 / the policy file is too large")
	}
	id := r.PathValue("id")
	src := strings.ReplaceAll(r.PostFormValue("source"), "\r\n", "\n")
	v := s.editView(r, id, src)
	fail := func(err error) error {
		if chanye.ErrorCode(err) != chanye.EINVALID {
			return err
		}
		v.Message = errText(r, err)
		v.placeErrors(chanye.ErrorFields(err), errFields(r, err))
		return s.renderStatus(w, http.StatusBadRequest, "policy_edit", v)
	}
	if strings.TrimSpace(src) == "" {
		return fail(chanye.Invalid("政策文件为空 / the policy file is empty", map[string]string{"source": "必填 / required"}))
	}
	p, err := policy.Parse([]byte(src))
	if err != nil {
		return fail(err)
	}
	v.addParams(p)
	if id != "" && p.ID != id {
		return fail(chanye.Invalid("政策编号与所编辑的政策不同 / the id differs from the policy being edited",
			map[string]string{"id": lineOf(src, "id", fmt.Sprintf("应为 %s，实为 %s / must be %s, not %s", id, p.ID, id, p.ID))}))
	}
	switch r.PostFormValue("action") {
	case "save":
		ver, err := s.cfg.Policies.Versions.CreatePolicyVersion(r.Context(), []byte(src))
		if err != nil {
			return fail(err)
		}
		http.Redirect(w, r, "/policies/"+url.PathEscape(ver.PolicyID)+"?version="+strconv.Itoa(ver.Version), http.StatusSeeOther)
		return nil
	case "check":
		results, err := s.cfg.Engine.Test(r.Context(), p)
		if err != nil {
			return fail(err)
		}
		v.Checked = true
		for _, cr := range results {
			if !cr.Pass {
				v.Failing++
			}
			v.Cases = append(v.Cases, caseView{Name: cr.Name, Pass: cr.Pass, Want: expectText(v.L, cr.Want.Verdict(), cr.Want.AmountFen),
				Got: expectText(v.L, cr.Decision.Status, cr.Decision.AmountFen), Message: cr.Message})
		}
		return s.render(w, "policy_edit", v)
	}
	return fail(chanye.Invalid("未知操作 / unknown action", map[string]string{"action": "须为 check 或 save / must be check or save"}))
}

// lineOf returns the "中文 / English" message msg with the line of a
// top-level key added to each half, or msg when src has no such key.
func lineOf(src, key, msg string) string {
	for i, ln := range strings.Split(src, "\n") {
		if strings.HasPrefix(ln, key+":") {
			return chanye.AppendBilingual(msg, fmt.Sprintf("（第 %d 行）", i+1), fmt.Sprintf(" (line %d)", i+1))
		}
	}
	return msg
}

var (
	lineRE   = regexp.MustCompile(`line (\d+)`)
	posRE    = regexp.MustCompile(` at (\d+:\d+):`)
	condRE   = regexp.MustCompile(`^conditions\[(\d+)\]`)
	condIDRE = regexp.MustCompile(`^条件 ([a-z][a-z0-9_]*)`)
)

// placeErrors turns the fields of a parse or compile error into errors
// with a line and a condition, and lays them under their source lines:
// both are read from the two-language messages (fields), each shown in
// the page's language (shown).
func (v *editView) placeErrors(fields, shown map[string]string) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	conds := conditionIDs(v.Source)
	byLine := map[int][]sourceError{}
	for _, k := range keys {
		msg := fields[k]
		e := sourceError{Field: k, Message: shown[k]}
		if m := lineRE.FindStringSubmatch(msg); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		}
		if m := posRE.FindStringSubmatch(msg); m != nil {
			e.Pos = m[1]
		}
		if m := condIDRE.FindStringSubmatch(msg); m != nil {
			e.Condition = m[1]
		} else if m := condRE.FindStringSubmatch(k); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(conds) {
				e.Condition = conds[i]
			}
		}
		v.Errors = append(v.Errors, e)
		byLine[e.Line] = append(byLine[e.Line], e)
	}
	sort.SliceStable(v.Errors, func(i, j int) bool { return v.Errors[i].Line < v.Errors[j].Line })
	for i, ln := range strings.Split(v.Source, "\n") {
		v.Lines = append(v.Lines, sourceLine{N: i + 1, Text: ln, Errors: byLine[i+1]})
	}
}

// conditionIDs reads the condition ids from a source that may not parse,
// so that an error keyed conditions[i] can name its condition.
func conditionIDs(src string) []string {
	var ids []string
	in := false
	for _, ln := range strings.Split(src, "\n") {
		if strings.HasPrefix(ln, "conditions:") {
			in = true
			continue
		}
		if in && ln != "" && ln[0] != ' ' && ln[0] != '-' && ln[0] != '#' {
			break
		}
		if t := strings.TrimSpace(ln); in && strings.HasPrefix(t, "- id:") {
			ids = append(ids, strings.Trim(strings.TrimSpace(strings.TrimPrefix(t, "- id:")), `"'`))
		}
	}
	return ids
}
