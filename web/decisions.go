package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/uscc"
)

// decisionStatuses are the statuses the filter offers, in lifecycle order.
var decisionStatuses = []policy.DecisionStatus{policy.DecisionComputed, policy.DecisionPublicised, policy.DecisionObjected,
	policy.DecisionWithdrawn, policy.DecisionApproved, policy.DecisionPaid, policy.DecisionReversed}

type decisionRow struct {
	RunID                  int64
	PolicyID, Policy       string
	Version                int
	Code, Name, District   string
	Amount                 string // 元
	Status, StatusKey      string
	PublicFrom, PublicTo   string
	StatusBy, StatusAtText string
	Needs                  []string // a needs-data decision: the figures it needs
	Reasons                []string // what the relations or the budget did to it
}

type decisionsView struct {
	page
	Runs, Policies, Statuses, Districts []option
	Verdicts                            []option
	NeedsData                           bool // the list is of needs-data decisions
	Excluded                            bool // the list is of excluded decisions, with why
	Code                                string
	Rows                                []decisionRow
	pager
}

// policyTitles maps the id of every stored policy to its title in l, from
// the latest versions.
func (s *Server) policyTitles(ctx context.Context, l Lang) (map[string]string, []*policy.Version, error) {
	latest, _, err := s.cfg.Policies.Versions.FindPolicies(ctx, policy.VersionFilter{Latest: true, Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	out := map[string]string{}
	for _, v := range latest {
		out[v.PolicyID] = l.Pick(v.Policy.TitleZH, v.Policy.TitleEN)
	}
	return out, latest, nil
}

func (s *Server) decisionList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := &decisionsView{page: s.newPage(r, "decisions")}
	l := v.L
	v.Title = l.T("dec.title")
	q := r.URL.Query()
	f := policy.DecisionFilter{Limit: pageSize}
	bad := map[string]string{}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	titles, latest, err := s.policyTitles(ctx, l)
	if err != nil {
		return err
	}
	runs, _, err := s.cfg.Policies.Runs.FindRuns(ctx, policy.RunFilter{Limit: 100})
	if err != nil {
		return err
	}
	run := q.Get("run")
	v.Runs = append(v.Runs, option{"", l.T("ent.all"), run == ""})
	for _, rn := range runs {
		id := strconv.FormatInt(rn.ID, 10)
		v.Runs = append(v.Runs, option{id, l.Tf("run.label", rn.ID, rn.AsOf.String()), id == run})
	}
	if run != "" {
		n, err := strconv.ParseInt(run, 10, 64)
		if err != nil || n < 1 {
			bad["run"] = "须为正整数 / must be a positive whole number"
		}
		f.RunID = &n
	}
	pid := q.Get("policy")
	v.Policies = append(v.Policies, option{"", l.T("ent.all"), pid == ""})
	for _, ver := range latest {
		v.Policies = append(v.Policies, option{ver.PolicyID, titles[ver.PolicyID], ver.PolicyID == pid})
	}
	if pid != "" {
		if _, ok := titles[pid]; !ok {
			bad["policy"] = "未知政策 / unknown policy " + strconv.Quote(pid)
		}
		f.PolicyID = &pid
	}
	st := policy.DecisionStatus(q.Get("status"))
	v.Statuses = append(v.Statuses, option{"", l.T("ent.all"), st == ""})
	known := false
	for _, k := range decisionStatuses {
		v.Statuses = append(v.Statuses, option{string(k), l.T("dstatus." + string(k)), k == st})
		known = known || k == st
	}
	if st != "" {
		if !known {
			bad["status"] = "未知状态 / unknown status " + strconv.Quote(string(st))
		}
		f.Status = &st
	}
	verdict := policy.Verdict(q.Get("verdict"))
	v.Verdicts = []option{{"", l.T("dec.verdict.eligible"), verdict == ""}, {string(policy.VerdictNeedsData), l.T("dec.verdict.needs_data"), verdict == policy.VerdictNeedsData},
		{string(policy.VerdictExcluded), l.T("dec.verdict.excluded"), verdict == policy.VerdictExcluded}}
	switch verdict {
	case "", policy.VerdictEligible:
	case policy.VerdictNeedsData:
		f.Verdict, v.NeedsData = &verdict, true
	case policy.VerdictExcluded:
		f.Verdict, v.Excluded = &verdict, true
	default:
		bad["verdict"] = "须为 eligible、needs_data 或 excluded / must be eligible, needs_data or excluded"
	}
	district := q.Get("district")
	v.Districts = append(v.Districts, option{"", l.T("ent.all"), district == ""})
	for _, d := range c.Districts {
		v.Districts = append(v.Districts, option{d.Code, l.Pick(d.NameZH, d.NameEN), d.Code == district})
	}
	if district != "" {
		if _, ok := c.District(district); !ok {
			bad["district"] = "未知区县 / unknown district " + strconv.Quote(district)
		}
		f.District = &district
	}
	if v.Code = strings.TrimSpace(q.Get("code")); v.Code != "" {
		code := uscc.Normalize(v.Code)
		if err := uscc.Validate(code); err != nil {
			bad["code"] = err.Error()
		}
		f.Code = &code
	}
	v.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	list, total, err := s.cfg.Policies.Runs.FindDecisions(ctx, f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, d := range list {
		v.Rows = append(v.Rows, decisionRowOf(l, c, titles, d))
	}
	return s.render(w, "decisions", v)
}

func decisionRowOf(l Lang, c *chanye.Catalog, titles map[string]string, d *policy.StoredDecision) decisionRow {
	row := decisionRow{RunID: d.RunID, PolicyID: d.PolicyID, Policy: orDefault(titles[d.PolicyID], d.PolicyID), Version: d.Version,
		Code: d.Code, Name: d.Name, District: d.District, Amount: yuan(d.AmountFen),
		Status: l.T("dstatus." + string(d.Status)), StatusKey: string(d.Status), StatusBy: d.StatusBy}
	if dd, ok := c.District(d.District); ok {
		row.District = l.Pick(dd.NameZH, dd.NameEN)
	}
	if !d.PublicFrom.IsZero() {
		row.PublicFrom, row.PublicTo = d.PublicFrom.String(), d.PublicTo.String()
	}
	if !d.StatusAt.IsZero() {
		row.StatusAtText = d.StatusAt.Local().Format("2006-01-02 15:04")
	}
	for _, n := range d.Needs {
		row.Needs = append(row.Needs, needText(l, n))
	}
	for _, a := range d.Adjustments {
		row.Reasons = append(row.Reasons, l.Pick(a.ReasonZH, a.ReasonEN))
	}
	return row
}

// needText is a figure a needs-data decision waits for, with its year.
func needText(l Lang, n policy.Need) string {
	s := l.Pick(n.LabelZH, n.LabelEN)
	if n.FiscalYear > 0 {
		s += l.Tf("need.year", n.FiscalYear)
	}
	if n.Zero {
		s += l.T("need.zero")
	}
	return s
}

type runRow struct {
	ID                    int64
	AsOf, Finished, By    string
	Snapshot              string
	Enterprises, Eligible int
	NeedsData, Errors     int // a run with errors shows an error badge
	Total                 string
	Policies              int
	// Parts is the shards a sharded run is decided in (0: one database),
	// PartsDone those stored; an incomplete run shows how far it is.
	Parts, PartsDone int
}

type runsView struct {
	page
	Rows   []runRow
	AsOf   string
	Error  string
	Fields map[string]string
}

func runRowOf(l Lang, rn *policy.Run) runRow {
	return runRow{ID: rn.ID, AsOf: rn.AsOf.String(), Finished: rn.FinishedAt.Local().Format("2006-01-02 15:04"), By: rn.By,
		Snapshot: rn.Snapshot, Enterprises: rn.Enterprises, Eligible: rn.Eligible, NeedsData: rn.NeedsData, Errors: rn.Errors,
		Total: yuan(rn.TotalFen), Policies: len(rn.Policies), Parts: rn.Parts, PartsDone: rn.PartsDone}
}

func (s *Server) runsView(r *http.Request) (*runsView, error) {
	v := &runsView{page: s.newPage(r, "decisions"), AsOf: chanye.DateOf(s.now()).String()}
	v.Title = v.L.T("run.title")
	runs, _, err := s.cfg.Policies.Runs.FindRuns(r.Context(), policy.RunFilter{Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, rn := range runs {
		v.Rows = append(v.Rows, runRowOf(v.L, rn))
	}
	return v, nil
}

func (s *Server) runList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.runsView(r)
	if err != nil {
		return err
	}
	return s.render(w, "runs", v)
}

// createRun runs every published policy as of the posted day.
func (s *Server) createRun(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单有误 / bad form")
	}
	asOf := strings.TrimSpace(r.PostFormValue("as_of"))
	d, err := chanye.ParseDate(asOf)
	if err == nil {
		var run *policy.Run
		if run, err = s.cfg.Engine.Run(r.Context(), d); err == nil {
			http.Redirect(w, r, "/runs/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
			return nil
		}
	} else {
		err = chanye.Invalid("基准日有误 / invalid as-of date", map[string]string{"as_of": "须为 YYYY-MM-DD / must be YYYY-MM-DD"})
	}
	if chanye.ErrorCode(err) != chanye.EINVALID {
		return err
	}
	v, verr := s.runsView(r)
	if verr != nil {
		return verr
	}
	v.AsOf, v.Error, v.Fields = asOf, errText(r, err), errFields(r, err)
	return s.renderStatus(w, http.StatusBadRequest, "runs", v)
}

type runPolicyRow struct {
	ID, Title              string
	Version, Eligible      int
	NotEligible, NeedsData int
	Errors, Excluded       int
	ExcludedURL            string
	Amount                 string
	Publicised             bool
	PublicFrom, PubTo      string
	DecisionsURL, NeedsURL string
	PubliciseURL           string
	ErrorSamples           []policy.RunError
	MoreErrors             int // failed decisions beyond the samples
}

type runView struct {
	page
	Run        runRow
	Policies   []runPolicyRow
	Error      string
	BudgetRows []*budgetRow
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) error {
	return s.showRun(w, r, "")
}

func (s *Server) showRun(w http.ResponseWriter, r *http.Request, msg string) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return chanye.Errorf(chanye.ENOTFOUND, "批量计算不存在 / no such run")
	}
	rn, err := s.cfg.Policies.Runs.FindRun(ctx, id)
	if err != nil {
		return err
	}
	v := &runView{page: s.newPage(r, "decisions"), Run: runRowOf(langOf(r), rn), Error: msg}
	l := v.L
	v.Title = l.Tf("run.label", rn.ID, rn.AsOf.String())
	titles, _, err := s.policyTitles(ctx, l)
	if err != nil {
		return err
	}
	for _, p := range rn.Policies {
		row := runPolicyRow{ID: p.ID, Title: orDefault(titles[p.ID], p.ID), Version: p.Version, Eligible: p.Eligible,
			NotEligible: p.NotEligible, NeedsData: p.NeedsData, Errors: p.Errors, ErrorSamples: p.ErrorSamples,
			MoreErrors: p.Errors - len(p.ErrorSamples), Amount: yuan(p.AmountFen),
			DecisionsURL: "/decisions?run=" + strconv.FormatInt(rn.ID, 10) + "&policy=" + url.QueryEscape(p.ID),
			NeedsURL:     "/decisions?verdict=needs_data&run=" + strconv.FormatInt(rn.ID, 10) + "&policy=" + url.QueryEscape(p.ID),
			Excluded:     p.Excluded,
			ExcludedURL:  "/decisions?verdict=excluded&run=" + strconv.FormatInt(rn.ID, 10) + "&policy=" + url.QueryEscape(p.ID),
			PubliciseURL: "/runs/" + strconv.FormatInt(rn.ID, 10) + "/policies/" + url.PathEscape(p.ID) + "/publicise"}
		pid, rid := p.ID, rn.ID
		pub, _, err := s.cfg.Policies.Publicity.FindPublicity(ctx, policy.PublicityFilter{RunID: &rid, PolicyID: &pid, Limit: 1})
		if err != nil {
			return err
		}
		if len(pub) > 0 {
			row.Publicised, row.PublicFrom, row.PubTo = true, pub[0].PublicFrom.String(), pub[0].PublicTo.String()
		}
		v.Policies = append(v.Policies, row)
		if ver, err := s.cfg.Policies.Versions.FindPolicyVersion(ctx, p.ID, p.Version); err == nil {
			line, err := s.budgetLine(ctx, l, ver.Policy, ver.Policy.Period(rn.AsOf), p.AmountFen)
			if err != nil {
				return err
			}
			if line != nil {
				v.BudgetRows = append(v.BudgetRows, line)
			}
		} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return err
		}
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusBadRequest
	}
	return s.renderStatus(w, status, "run", v)
}

// publicityDays is how many working days a publicity from the run page
// lasts; the API takes any number.
const publicityDays = 5

func (s *Server) publicise(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return chanye.Errorf(chanye.ENOTFOUND, "批量计算不存在 / no such run")
	}
	_, err = s.cfg.Policies.Publicity.Publicise(r.Context(), id, r.PathValue("policy"), publicityDays)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/runs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.showRun(w, r, errText(r, err))
	}
	return err
}

type publicityRow struct {
	Policy, Document, Code, Name, Amount, From, To, ObjectURL string
	Issuer, Contact, Phone, Email                             string
}

type publicityView struct {
	page
	Policies []option
	Query    string
	Rows     []publicityRow
	pager
	Today string
}

// publicity is the public list (公示): only what a 公示 shows, no login.
func (s *Server) publicity(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := &publicityView{page: s.newPage(r, "publicity")}
	l := v.L
	v.Title = l.T("pub.title")
	today := chanye.DateOf(s.now())
	v.Today = today.String()
	f := policy.PublicityFilter{On: &today, Limit: pageSize}
	titles, latest, err := s.policyTitles(ctx, l)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pid := q.Get("policy")
	v.Policies = append(v.Policies, option{"", l.T("ent.all"), pid == ""})
	for _, ver := range latest {
		if ver.Policy.Mode == policy.ModeNoApplication || ver.PolicyID == pid {
			v.Policies = append(v.Policies, option{ver.PolicyID, titles[ver.PolicyID], ver.PolicyID == pid})
		}
	}
	if pid != "" {
		f.PolicyID = &pid
	}
	if v.Query = strings.TrimSpace(q.Get("q")); v.Query != "" {
		f.Query = &v.Query
	}
	bad := map[string]string{}
	if utf8.RuneCountInString(v.Query) > 100 {
		bad["q"] = "至多 100 个字符 / at most 100 characters"
	}
	if v.read(q, bad); len(bad) > 0 {
		return chanye.Invalid("筛选条件有误 / invalid filter", bad)
	}
	f.Offset = v.offset()
	list, total, err := s.cfg.Policies.Publicity.FindPublicity(ctx, f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, e := range list {
		row := publicityRow{Policy: l.Pick(e.TitleZH, e.TitleEN), Document: e.Document, Code: e.Code, Name: e.Name,
			Amount: yuan(e.AmountFen), From: e.PublicFrom.String(), To: e.PublicTo.String(),
			ObjectURL: "/enterprises/" + e.Code + "/policies#objection", Issuer: e.Issuer, Contact: e.Department}
		// Only what the policy file says: a phone or e-mail is never made up.
		if c := e.Contact; c != nil {
			row.Contact, row.Phone, row.Email = c.Unit, c.Phone, c.Email
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, "publicity", v)
}
