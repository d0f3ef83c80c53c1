package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
)

// The officials' side of the lifecycle (issue 9, point 8): the objection
// queue with replies, corrections and re-decisions; approval against the
// budget under the four-eyes rule; payments with the treasury's reference,
// the payment file and reversals. The services decide who may do what
// (authz); these pages show each role only what it may use: administrators
// everything, a department the policies it administers, leaders all of it
// read-only. Other roles are refused the pages.

// maxReply bounds a reply to an objection and a reversal's reason, in
// characters.
const maxReply = 2000

// officials returns the context's actor when it may see the lifecycle
// pages: EUNAUTHORIZED for the public (sent to sign in), EFORBIDDEN for the
// roles that take no part in them.
func officials(ctx context.Context) (*chanye.Actor, error) {
	a := chanye.ActorFrom(ctx)
	switch a.Role {
	case chanye.RoleAdmin, chanye.RoleLeader, chanye.RoleDepartment:
		return a, nil
	case chanye.RolePublic:
		return nil, chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	return nil, chanye.Errorf(chanye.EFORBIDDEN, "无权查看 / %s (%s) may not see the lifecycle pages", a.Name, a.Role)
}

// mayAct reports whether a may act on a policy administered by dept:
// administrators on any, a department on its own; leaders read only.
func mayAct(a *chanye.Actor, dept string) bool {
	return a.Role == chanye.RoleAdmin || (a.Role == chanye.RoleDepartment && a.Department != "" && a.Department == dept)
}

// mayRead reports whether a sees a policy administered by dept in the
// queues: a department its own, the others all.
func mayRead(a *chanye.Actor, dept string) bool {
	return a.Role != chanye.RoleDepartment || a.Department == dept
}

// latestPolicies returns the latest version of each stored policy by id.
func (s *Server) latestPolicies(ctx context.Context) (map[string]*policy.Policy, error) {
	vs, _, err := s.cfg.Policies.Versions.FindPolicies(ctx, policy.VersionFilter{Latest: true, Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := map[string]*policy.Policy{}
	for _, v := range vs {
		out[v.PolicyID] = v.Policy
	}
	return out, nil
}

// form reads a posted form of at most n bytes.
func form(w http.ResponseWriter, r *http.Request, n int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, n)
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.ETOOLARGE, "表单过大或有误 / the form is too large or malformed")
	}
	return nil
}

// pathInt reads a positive id from the path's name; ENOTFOUND "no such
// what" otherwise, what in Chinese and English.
func pathInt(r *http.Request, name, whatZH, whatEN string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0, chanye.Errorf(chanye.ENOTFOUND, "%s不存在 / no such %s", whatZH, whatEN)
	}
	return id, nil
}

// mayActOn checks, before a form is read further, that the actor may act
// on the policy: administrators and its department; the services check
// again, and this only spares others the form's field errors.
func (s *Server) mayActOn(ctx context.Context, pid string) error {
	a, err := officials(ctx)
	if err != nil {
		return err
	}
	pols, err := s.latestPolicies(ctx)
	if err != nil {
		return err
	}
	if p := pols[pid]; p == nil || !mayAct(a, p.Department) {
		return chanye.Errorf(chanye.EFORBIDDEN, "无权操作 / %s (%s) may not act on policy %s", a.Name, a.Role, pid)
	}
	return nil
}

// --- Objections ---

type objectionRow struct {
	ID                        int64
	Policy, Name, Code        string
	RunID                     int64
	Reason, Status, StatusKey string
	Absent                    bool
	At, URL                   string
}

type objectionsView struct {
	page
	Status   string
	Statuses []option
	Rows     []objectionRow
	pager
}

// objectionList is the queue: open objections first (oldest first, as
// they are owed an answer), then the answered ones, newest runs' first as
// the store orders them.
func (s *Server) objectionList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := officials(ctx)
	if err != nil {
		return err
	}
	v := &objectionsView{page: s.newPage(r, "lifecycle")}
	l := v.L
	v.Title = l.T("lc.obj.title")
	q := r.URL.Query()
	v.Status = q.Get("status")
	if v.Status == "" {
		v.Status = string(policy.ObjectionOpen)
	}
	known := false
	for _, st := range []string{"open", "upheld", "rejected", "all"} {
		text := l.T("lc.all")
		if st != "all" {
			text = l.T("ostatus." + st)
		}
		v.Statuses = append(v.Statuses, option{st, text, st == v.Status})
		known = known || st == v.Status
	}
	bad := map[string]string{}
	if !known {
		bad["status"] = "未知状态 / unknown status " + strconv.Quote(v.Status)
	}
	v.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	pols, err := s.latestPolicies(ctx)
	if err != nil {
		return err
	}
	titles, _, err := s.policyTitles(ctx, l)
	if err != nil {
		return err
	}
	f := policy.ObjectionFilter{}
	if v.Status != "all" {
		st := policy.ObjectionStatus(v.Status)
		f.Status = &st
	}
	all, err := s.objectionsOf(ctx, a, pols, f)
	if err != nil {
		return err
	}
	// Open first, then by id: the oldest open objection heads the queue.
	open := make([]*policy.Objection, 0, len(all))
	var done []*policy.Objection
	for _, o := range all {
		if o.Status == policy.ObjectionOpen {
			open = append(open, o)
		} else {
			done = append(done, o)
		}
	}
	all = append(open, done...)
	v.link(r.URL, len(all))
	from := min(v.offset(), len(all))
	for _, o := range all[from:min(from+pageSize, len(all))] {
		row := objectionRow{ID: o.ID, Policy: orDefault(titles[o.Ref.PolicyID], o.Ref.PolicyID), Code: o.Ref.Code, RunID: o.Ref.RunID,
			Reason: o.Reason, Status: l.T("ostatus." + string(o.Status)), StatusKey: string(o.Status), Absent: o.Absent,
			At: o.CreatedAt.In(s.now().Location()).Format("2006-01-02 15:04"), URL: "/objections/" + strconv.FormatInt(o.ID, 10)}
		if d, err := s.cfg.Policies.Runs.FindDecision(ctx, o.Ref); err == nil {
			row.Name = d.Name
		} else if e, err := s.cfg.Enterprises.FindEnterpriseByCode(ctx, o.Ref.Code); err == nil {
			row.Name = e.Name
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, "objections", v)
}

// objectionsOf returns every objection f selects on a policy a may read
// (mayRead). The store filters by one policy at a time, so a department's
// queue is read whole and filtered here; objections are few (one per
// disputed decision) next to decisions.
func (s *Server) objectionsOf(ctx context.Context, a *chanye.Actor, pols map[string]*policy.Policy, f policy.ObjectionFilter) ([]*policy.Objection, error) {
	var out []*policy.Objection
	err := chanye.EachPage(1000, func(off, limit int) ([]*policy.Objection, int, error) {
		f.Offset, f.Limit = off, limit
		return s.cfg.Policies.Publicity.FindObjections(ctx, f)
	}, func(os []*policy.Objection) error {
		for _, o := range os {
			if p := pols[o.Ref.PolicyID]; p != nil && mayRead(a, p.Department) {
				out = append(out, o)
			}
		}
		return nil
	})
	return out, err
}

type eventRow struct {
	Action, By, At, Note string
}

type correctionForm struct {
	Year, Figure, Value, Unit, Source, AsOf string
	Years, Figures, Units                   []option
	Errors                                  map[string]string
	Message                                 string
}

type objectionPageView struct {
	page
	O                    *policy.Objection
	Policy, PolicyURL    string
	Name                 string
	RunURL, AsOf         string
	Status, StatusKey    string
	At, ResolvedAt       string
	Decision             *decisionView // the stored decision, or the live explanation of an absence
	DecisionStatus       string
	DecisionStatusKey    string
	Stored               bool
	CanAct               bool
	Reply                string
	ReplyError, Message  string
	Done                 string // what was just done, shown once
	Correct              correctionForm
	Events               []eventRow
	ResolveURL, FactsURL string
	RedecideURL          string
	asOf                 chanye.Date // the objection's run's day
}

// objectionPage shows one objection with the decision's explanation and
// the enterprise's reason, the reply form while it is open, and after an
// upheld objection the correction of the figures and the re-decision.
func (s *Server) objectionPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.objectionView(r)
	if err != nil {
		return err
	}
	v.Done = r.URL.Query().Get("done")
	return s.render(w, "objection", v)
}

func (s *Server) objectionView(r *http.Request) (*objectionPageView, error) {
	ctx := r.Context()
	a, err := officials(ctx)
	if err != nil {
		return nil, err
	}
	id, err := pathInt(r, "id", "异议", "objection")
	if err != nil {
		return nil, err
	}
	o, err := s.cfg.Policies.Publicity.FindObjectionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	pols, err := s.latestPolicies(ctx)
	if err != nil {
		return nil, err
	}
	p := pols[o.Ref.PolicyID]
	if p == nil || !mayRead(a, p.Department) {
		return nil, chanye.Errorf(chanye.EFORBIDDEN, "无权查看 / the objection is on another department's policy")
	}
	run, err := s.cfg.Policies.Runs.FindRun(ctx, o.Ref.RunID)
	if err != nil {
		return nil, err
	}
	base := "/objections/" + strconv.FormatInt(o.ID, 10)
	v := &objectionPageView{page: s.newPage(r, "lifecycle"), O: o, PolicyURL: "/policies/" + url.PathEscape(o.Ref.PolicyID),
		RunURL: "/runs/" + strconv.FormatInt(run.ID, 10), AsOf: run.AsOf.String(), asOf: run.AsOf,
		Status: "", StatusKey: string(o.Status), CanAct: mayAct(a, p.Department),
		ResolveURL: base + "/resolve", FactsURL: base + "/facts", RedecideURL: base + "/redecide"}
	l := v.L
	v.Title = l.Tf("lc.obj.one", o.ID)
	v.Policy = l.Pick(p.TitleZH, p.TitleEN)
	v.Status = l.T("ostatus." + string(o.Status))
	loc := s.now().Location()
	v.At = o.CreatedAt.In(loc).Format("2006-01-02 15:04")
	if !o.ResolvedAt.IsZero() {
		v.ResolvedAt = o.ResolvedAt.In(loc).Format("2006-01-02 15:04")
	}
	if d, err := s.cfg.Policies.Runs.FindDecision(ctx, o.Ref); err == nil {
		v.Stored, v.Name = true, d.Name
		v.DecisionStatus, v.DecisionStatusKey = l.T("dstatus."+string(d.Status)), string(d.Status)
		var outcomes []policy.Outcome
		if err := json.Unmarshal(d.Conditions, &outcomes); err != nil {
			return nil, fmt.Errorf("web: decision %s conditions: %w", o.Ref, err)
		}
		dv := decisionViewOf(l, engine.PolicyDecision{PolicyID: d.PolicyID, Version: d.Version, TitleZH: p.TitleZH, TitleEN: p.TitleEN,
			Document: p.Document, Clause: p.Clause, Mode: p.Mode, Official: p.Official,
			Decision: policy.Decision{PolicyID: d.PolicyID, Version: d.Version, Code: d.Code, Eligible: true, AmountFen: d.AmountFen, Conditions: outcomes}})
		v.Decision = &dv
	} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return nil, err
	} else {
		// An objection to an absence: explain live, as of the run's day.
		ed, err := s.cfg.Engine.ExplainEnterprise(ctx, o.Ref.Code, run.AsOf)
		if err != nil {
			return nil, err
		}
		v.Name = ed.Name
		for _, list := range [][]engine.PolicyDecision{ed.Granted, ed.NeedsData, ed.Errors, ed.NearMisses, ed.Others} {
			for _, pd := range list {
				if pd.PolicyID == o.Ref.PolicyID {
					dv := decisionViewOf(l, pd)
					v.Decision = &dv
				}
			}
		}
	}
	evs, err := s.cfg.Policies.Runs.FindDecisionEvents(ctx, o.Ref)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		v.Events = append(v.Events, eventRow{Action: l.T("lc.action." + e.Action), By: e.By, At: e.At.In(loc).Format("2006-01-02 15:04"), Note: e.Note})
	}
	v.Correct = newCorrectionForm(l, run.AsOf, chanye.DateOf(s.now()))
	return v, nil
}

// newCorrectionForm offers the fiscal years a rule as of asOf may read,
// newest first, the figures, and today as the data's day.
func newCorrectionForm(l Lang, asOf, today chanye.Date) correctionForm {
	f := correctionForm{Unit: "wan", AsOf: today.String(), Errors: map[string]string{}}
	for y := asOf.Year(); y >= asOf.Year()-3; y-- {
		f.Years = append(f.Years, option{Value: strconv.Itoa(y), Text: strconv.Itoa(y)})
	}
	for _, ff := range chanye.FactFields {
		f.Figures = append(f.Figures, option{Value: ff.Key, Text: l.Pick(ff.NameZH, ff.NameEN)})
	}
	for _, u := range []string{"wan", "yuan", "count"} {
		f.Units = append(f.Units, option{Value: u, Text: l.T("lc.unit." + u)})
	}
	return f
}

// pick marks the option of value selected.
func pick(opts []option, value string) {
	for i := range opts {
		opts[i].Selected = opts[i].Value == value
	}
}

// resolveObjection upholds or rejects an objection with the reply the
// enterprise will read on its page.
func (s *Server) resolveObjection(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r, 64<<10); err != nil {
		return err
	}
	v, err := s.objectionView(r)
	if err != nil {
		return err
	}
	v.Reply = strings.TrimSpace(r.PostFormValue("reply"))
	decision := r.PostFormValue("decision")
	switch n := utf8.RuneCountInString(v.Reply); {
	case n == 0:
		v.ReplyError = v.L.T("lc.err.reply")
	case n > maxReply:
		v.ReplyError = v.L.Tf("ep.err.reason.long", maxReply)
	case decision != "uphold" && decision != "reject":
		v.ReplyError = v.L.T("lc.err.decision")
	}
	if v.ReplyError == "" {
		_, err := s.cfg.Policies.Publicity.ResolveObjection(r.Context(), v.O.ID, decision == "uphold", v.Reply)
		if err == nil {
			http.Redirect(w, r, "/objections/"+strconv.FormatInt(v.O.ID, 10)+"?done="+decision, http.StatusSeeOther)
			return nil
		}
		if c := chanye.ErrorCode(err); c != chanye.EINVALID && c != chanye.ECONFLICT {
			return err
		}
		v.ReplyError = errText(r, err)
	}
	return s.renderStatus(w, http.StatusBadRequest, "objection", v)
}

// parseFigure turns what the correction form says into the figure's
// value: money in 元 (two decimals) or 万元 (six) to fen exactly, a count
// as a whole number.
func parseFigure(value, unit string, money bool) (int64, error) {
	value = strings.ReplaceAll(strings.TrimSpace(value), ",", "")
	switch {
	case !money && unit != "count", money && unit == "count":
		return 0, fmt.Errorf("单位与数据项不符 / the unit does not fit the figure")
	case unit == "count":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("须为非负整数 / must be a whole number, not negative")
		}
		return n, nil
	case unit == "yuan":
		f, err := chanye.ParseYuan(value)
		return int64(f), err
	case unit == "wan":
		whole, frac, _ := strings.Cut(value, ".")
		if whole == "" || strings.Trim(whole, "0123456789") != "" || len(whole) > 12 || len(frac) > 6 || strings.Trim(frac, "0123456789") != "" {
			return 0, fmt.Errorf("万元金额至多六位小数（到分）/ an amount in 10k yuan has at most six decimals (to the fen)")
		}
		w, _ := strconv.ParseInt(whole, 10, 64)
		fr, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
		f, err := chanye.MulFen(chanye.Fen(w), 1_000_000)
		if err == nil {
			f, err = chanye.AddFen(f, chanye.Fen(fr))
		}
		return int64(f), err
	}
	return 0, fmt.Errorf("未知单位 / unknown unit")
}

// correctFacts writes the corrected figure after an upheld objection.
func (s *Server) correctFacts(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r, 64<<10); err != nil {
		return err
	}
	v, err := s.objectionView(r)
	if err != nil {
		return err
	}
	l, c := v.L, &v.Correct
	c.Year, c.Figure, c.Value = r.PostFormValue("year"), r.PostFormValue("figure"), strings.TrimSpace(r.PostFormValue("value"))
	c.Unit, c.Source, c.AsOf = r.PostFormValue("unit"), strings.TrimSpace(r.PostFormValue("source")), strings.TrimSpace(r.PostFormValue("as_of"))
	pick(c.Years, c.Year)
	pick(c.Figures, c.Figure)
	pick(c.Units, c.Unit)
	f := &chanye.Facts{Source: c.Source}
	year, err := strconv.Atoi(c.Year)
	if err != nil {
		c.Errors["year"] = l.T("lc.err.year")
	}
	f.Year = year
	idx := -1
	for i, ff := range chanye.FactFields {
		if ff.Key == c.Figure {
			idx = i
		}
	}
	if idx < 0 {
		c.Errors["figure"] = l.T("lc.err.figure")
	} else if x, err := parseFigure(c.Value, c.Unit, chanye.FactFields[idx].Money); err != nil {
		c.Errors["value"] = err.Error()
	} else {
		vals := make([]*int64, len(chanye.FactFields))
		vals[idx] = &x
		f.SetValues(vals)
	}
	if f.AsOf, err = chanye.ParseDate(c.AsOf); err != nil {
		c.Errors["as_of"] = err.Error()
	}
	if len(c.Errors) == 0 {
		_, err := s.cfg.Policies.Publicity.CorrectFacts(r.Context(), v.O.ID, f)
		if err == nil {
			http.Redirect(w, r, "/objections/"+strconv.FormatInt(v.O.ID, 10)+"?done=corrected#redecide", http.StatusSeeOther)
			return nil
		}
		if chanye.ErrorCode(err) != chanye.EINVALID {
			return err
		}
		c.Message = errText(r, err)
		for k, m := range errFields(r, err) {
			c.Errors[k] = m
		}
	}
	if c.Message == "" {
		c.Message = l.T("lc.err.form")
	}
	return s.renderStatus(w, http.StatusBadRequest, "objection", v)
}

// redecide decides the objection's enterprise again for its policy as of
// the run's day, as a run of its own, and shows that run: from there it is
// publicised, approved by another person and paid like any.
func (s *Server) redecide(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r, 4096); err != nil {
		return err
	}
	v, err := s.objectionView(r)
	if err != nil {
		return err
	}
	run, _, err := s.cfg.Engine.Redecide(r.Context(), v.O.Ref.PolicyID, v.O.Ref.Code, v.asOf)
	if err == nil {
		http.Redirect(w, r, "/runs/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
		return nil
	}
	if chanye.ErrorCode(err) != chanye.EINVALID {
		return err
	}
	v.Message = errText(r, err)
	return s.renderStatus(w, http.StatusBadRequest, "objection", v)
}

// --- Approvals and payments ---

// count is a number of decisions and their amount.
type count struct {
	N      int
	Amount string
	fen    chanye.Fen
}

func (t *count) add(f chanye.Fen) error {
	total, err := chanye.AddFen(t.fen, f)
	if err != nil {
		return err
	}
	t.N, t.fen, t.Amount = t.N+1, total, yuan(total)
	return nil
}

type lcDecisionRow struct {
	Code, Name, Amount, Status, StatusKey string
	Ref                                   string // run/policy/code, the value of a checkbox
	PaidOn, Voucher, Batch, Note          string
	Reversible                            bool
}

type pairRow struct {
	RunID                  int64
	AsOf, Policy, PolicyID string
	PublicTo               string
	Ready, Approved, Paid  int
	ApproveURL, PayURL     string
}

type lifecycleView struct {
	page
	Kind                   string // approvals or payments
	Pairs                  []pairRow
	RunID                  int64
	PolicyID, Policy       string
	Document, Department   string
	PublicFrom, PublicTo   string
	Budget                 string
	HasBudget, OverBudget  bool
	Remaining              string
	Ready, Approved, Paid  count
	Waiting, Objected      count
	Rows                   []lcDecisionRow
	More                   int
	CanAct                 bool
	Action                 string
	Error, Done            string
	Fields                 map[string]string
	PaidOn, Voucher, Batch string
	FileCSV, FileXLSX      string
	Today                  string
	BudgetRows             []*budgetRow // the policy's budget line for the run's period, across runs
}

// listLimit bounds the decisions a lifecycle page lists; "all" acts on
// every one all the same.
const listLimit = 200

// decisionsOf reads every decision of one policy in a run in one status.
func (s *Server) decisionsOf(ctx context.Context, runID int64, pid string, st policy.DecisionStatus) ([]*policy.StoredDecision, error) {
	return chanye.All(1000, func(off, limit int) ([]*policy.StoredDecision, int, error) {
		return s.cfg.Policies.Runs.FindDecisions(ctx, policy.DecisionFilter{RunID: &runID, PolicyID: &pid, Status: &st, Offset: off, Limit: limit})
	})
}

// pairs lists, for the index of the approval and payment pages, each
// publicised policy of the recent runs with how many of its decisions are
// ready to approve, approved and paid.
func (s *Server) pairs(ctx context.Context, a *chanye.Actor, l Lang, pols map[string]*policy.Policy) ([]pairRow, error) {
	runs, _, err := s.cfg.Policies.Runs.FindRuns(ctx, policy.RunFilter{Limit: 30})
	if err != nil {
		return nil, err
	}
	today := chanye.DateOf(s.now())
	var out []pairRow
	countOf := func(runID int64, pid string, st policy.DecisionStatus) (int, error) {
		_, n, err := s.cfg.Policies.Runs.FindDecisions(ctx, policy.DecisionFilter{RunID: &runID, PolicyID: &pid, Status: &st, Limit: 1})
		return n, err
	}
	for _, rn := range runs {
		for _, rp := range rn.Policies {
			p := pols[rp.ID]
			if p == nil || !mayRead(a, p.Department) {
				continue
			}
			pid, rid := rp.ID, rn.ID
			pub, _, err := s.cfg.Policies.Publicity.FindPublicity(ctx, policy.PublicityFilter{RunID: &rid, PolicyID: &pid, Limit: 1})
			if err != nil {
				return nil, err
			}
			row := pairRow{RunID: rn.ID, AsOf: rn.AsOf.String(), PolicyID: pid, Policy: l.Pick(p.TitleZH, p.TitleEN)}
			if len(pub) > 0 {
				row.PublicTo = pub[0].PublicTo.String()
				if today.After(pub[0].PublicTo.Time) {
					if row.Ready, err = countOf(rid, pid, policy.DecisionPublicised); err != nil {
						return nil, err
					}
				}
			}
			if row.Approved, err = countOf(rid, pid, policy.DecisionApproved); err != nil {
				return nil, err
			}
			if row.Paid, err = countOf(rid, pid, policy.DecisionPaid); err != nil {
				return nil, err
			}
			if row.PublicTo == "" && row.Approved == 0 && row.Paid == 0 {
				continue
			}
			q := "?run=" + strconv.FormatInt(rid, 10) + "&policy=" + url.QueryEscape(pid)
			row.ApproveURL, row.PayURL = "/approvals"+q, "/payments"+q
			out = append(out, row)
		}
	}
	return out, nil
}

// lifecycleView reads the page of one policy in one run (?run=&policy=),
// or the index of them when neither is given.
func (s *Server) lifecycleView(r *http.Request, kind string, runID int64, pid string) (*lifecycleView, error) {
	ctx := r.Context()
	a, err := officials(ctx)
	if err != nil {
		return nil, err
	}
	v := &lifecycleView{page: s.newPage(r, "lifecycle"), Kind: kind, Action: "/" + kind, Today: chanye.DateOf(s.now()).String()}
	l := v.L
	v.Title = l.T("lc." + kind + ".title")
	pols, err := s.latestPolicies(ctx)
	if err != nil {
		return nil, err
	}
	if runID == 0 && pid == "" {
		v.Pairs, err = s.pairs(ctx, a, l, pols)
		return v, err
	}
	run, err := s.cfg.Policies.Runs.FindRun(ctx, runID)
	if err != nil {
		return nil, err
	}
	version := 0
	for _, rp := range run.Policies {
		if rp.ID == pid {
			version = rp.Version
		}
	}
	if version == 0 {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "批量计算 %d 未计算政策 %s / run %d did not evaluate policy %s", runID, pid, runID, pid)
	}
	ver, err := s.cfg.Policies.Versions.FindPolicyVersion(ctx, pid, version)
	if err != nil {
		return nil, err
	}
	p := ver.Policy
	if latest := pols[pid]; latest != nil {
		p.Department = orDefault(latest.Department, p.Department) // who administers it now
	}
	if !mayRead(a, p.Department) {
		return nil, chanye.Errorf(chanye.EFORBIDDEN, "无权查看 / the policy is another department's")
	}
	v.RunID, v.PolicyID, v.Policy, v.Document, v.Department = runID, pid, l.Pick(p.TitleZH, p.TitleEN), p.Document, p.Department
	v.CanAct = mayAct(a, p.Department)
	v.Title = l.Tf("lc."+kind+".one", v.Policy, runID)
	q := "?run=" + strconv.FormatInt(runID, 10) + "&policy=" + url.QueryEscape(pid)
	v.FileCSV, v.FileXLSX = "/payments/file"+q+"&format=csv", "/payments/file"+q+"&format=xlsx"
	rid := runID
	pub, _, err := s.cfg.Policies.Publicity.FindPublicity(ctx, policy.PublicityFilter{RunID: &rid, PolicyID: &pid, Limit: 1})
	if err != nil {
		return nil, err
	}
	today := chanye.DateOf(s.now())
	ended := false
	if len(pub) > 0 {
		v.PublicFrom, v.PublicTo = pub[0].PublicFrom.String(), pub[0].PublicTo.String()
		ended = today.After(pub[0].PublicTo.Time)
	}
	publicised, err := s.decisionsOf(ctx, runID, pid, policy.DecisionPublicised)
	if err != nil {
		return nil, err
	}
	approved, err := s.decisionsOf(ctx, runID, pid, policy.DecisionApproved)
	if err != nil {
		return nil, err
	}
	paid, err := s.decisionsOf(ctx, runID, pid, policy.DecisionPaid)
	if err != nil {
		return nil, err
	}
	objected, err := s.decisionsOf(ctx, runID, pid, policy.DecisionObjected)
	if err != nil {
		return nil, err
	}
	for _, d := range publicised {
		t := &v.Waiting
		if ended {
			t = &v.Ready
		}
		if err := t.add(d.AmountFen); err != nil {
			return nil, err
		}
	}
	for _, d := range approved {
		if err := v.Approved.add(d.AmountFen); err != nil {
			return nil, err
		}
	}
	for _, d := range paid {
		if err := v.Paid.add(d.AmountFen); err != nil {
			return nil, err
		}
	}
	for _, d := range objected {
		if err := v.Objected.add(d.AmountFen); err != nil {
			return nil, err
		}
	}
	// The budget line: what this run commits (approved and paid) and what
	// approving the ready ones would add, against the policy's budget.
	if p.BudgetFen > 0 {
		v.HasBudget, v.Budget = true, yuan(p.BudgetFen)
		committed, err := chanye.AddFen(v.Approved.fen, v.Paid.fen)
		if err == nil {
			committed, err = chanye.AddFen(committed, v.Ready.fen)
		}
		if err != nil {
			return nil, err
		}
		left, err := chanye.SubFen(p.BudgetFen, committed)
		if err != nil {
			return nil, err
		}
		v.Remaining, v.OverBudget = yuan(left), left < 0
		decided := chanye.Fen(0)
		for _, rp := range run.Policies {
			if rp.ID == pid {
				decided = rp.AmountFen
			}
		}
		line, err := s.budgetLine(ctx, l, p, p.Period(run.AsOf), decided)
		if err != nil {
			return nil, err
		}
		if line != nil {
			v.BudgetRows = []*budgetRow{line}
			v.OverBudget = v.OverBudget || line.Over
		}
	}
	list := approved
	if kind == "approvals" {
		list = nil
		if ended {
			list = publicised
		}
	}
	var entries map[string]*policy.LedgerEntry
	if kind == "payments" && s.cfg.Policies.Ledger != nil {
		list = append(append([]*policy.StoredDecision{}, approved...), paid...)
		if entries, err = s.entriesOf(ctx, runID, pid); err != nil {
			return nil, err
		}
	}
	for i, d := range list {
		if i == listLimit {
			v.More = len(list) - listLimit
			break
		}
		row := lcDecisionRow{Code: d.Code, Name: d.Name, Amount: yuan(d.AmountFen), Status: l.T("dstatus." + string(d.Status)),
			StatusKey: string(d.Status), Ref: fmt.Sprintf("%d/%s/%s", d.RunID, d.PolicyID, d.Code), Reversible: d.Status == policy.DecisionPaid}
		if e := entries[d.Code]; e != nil {
			row.PaidOn, row.Voucher, row.Batch = e.PaidOn.String(), e.Voucher, e.Batch
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

// entriesOf maps each code to the ledger entry that paid its decision in
// the run (a payment or an adjustment).
func (s *Server) entriesOf(ctx context.Context, runID int64, pid string) (map[string]*policy.LedgerEntry, error) {
	out := map[string]*policy.LedgerEntry{}
	err := chanye.EachPage(1000, func(off, limit int) ([]*policy.LedgerEntry, int, error) {
		return s.cfg.Policies.Ledger.FindLedger(ctx, policy.LedgerFilter{RunID: &runID, PolicyID: &pid, Offset: off, Limit: limit})
	}, func(es []*policy.LedgerEntry) error {
		for _, e := range es {
			if e.Kind != policy.LedgerReversal {
				out[e.Entitlement.Code] = e
			}
		}
		return nil
	})
	return out, err
}

// pairQuery reads ?run= and ?policy= (or the posted fields): both or
// neither.
func pairQuery(get func(string) string) (int64, string, error) {
	run, pid := get("run"), strings.TrimSpace(get("policy"))
	if run == "" && pid == "" {
		return 0, "", nil
	}
	id, err := strconv.ParseInt(run, 10, 64)
	f := map[string]string{}
	if err != nil || id < 1 {
		f["run"] = "须为正整数 / must be a positive whole number"
	}
	if pid == "" {
		f["policy"] = "必填 / required"
	}
	return id, pid, chanye.Invalid("筛选条件有误 / invalid filter", f)
}

func (s *Server) approvalPage(w http.ResponseWriter, r *http.Request) error {
	runID, pid, err := pairQuery(r.URL.Query().Get)
	if err != nil {
		return err
	}
	v, err := s.lifecycleView(r, "approvals", runID, pid)
	if err != nil {
		return err
	}
	v.Done = r.URL.Query().Get("done")
	return s.render(w, "approvals", v)
}

// selected returns the decisions a lifecycle form acts on: every one of
// all (when the form says all), else the ticked ones, which must be of
// the page's run and policy.
func selected(r *http.Request, runID int64, pid string, all []*policy.StoredDecision) ([]policy.DecisionRef, error) {
	if r.PostFormValue("scope") == "all" {
		refs := make([]policy.DecisionRef, len(all))
		for i, d := range all {
			refs[i] = d.Ref()
		}
		return refs, nil
	}
	var refs []policy.DecisionRef
	prefix := fmt.Sprintf("%d/%s/", runID, pid)
	for _, v := range r.PostForm["ref"] {
		code, ok := strings.CutPrefix(v, prefix)
		if !ok || code == "" {
			return nil, chanye.Invalid("所选决定有误 / invalid selection", map[string]string{"ref": v})
		}
		refs = append(refs, policy.DecisionRef{RunID: runID, PolicyID: pid, Code: code})
	}
	return refs, nil
}

// ledgerForm reads a form of the approval or payment page (at most limit
// bytes): its run and policy, both required, and the policy the actor
// must administer.
func (s *Server) ledgerForm(w http.ResponseWriter, r *http.Request, limit int64) (runID int64, pid string, err error) {
	if err := form(w, r, limit); err != nil {
		return 0, "", err
	}
	runID, pid, err = pairQuery(r.PostFormValue)
	if err == nil && runID == 0 {
		err = chanye.Invalid("须指明批次和政策 / run and policy required", map[string]string{"run": "必填 / required"})
	}
	if err != nil {
		return 0, "", err
	}
	return runID, pid, s.mayActOn(r.Context(), pid)
}

// approve approves all or the ticked decisions of the page, in chunks of
// at most 1000 (each one transaction; approving again is harmless).
func (s *Server) approve(w http.ResponseWriter, r *http.Request) error {
	runID, pid, err := s.ledgerForm(w, r, 1<<20)
	if err != nil {
		return err
	}
	ctx := r.Context()
	all, err := s.decisionsOf(ctx, runID, pid, policy.DecisionPublicised)
	if err != nil {
		return err
	}
	refs, err := selected(r, runID, pid, all)
	if err == nil && len(refs) == 0 {
		err = chanye.Invalid("请选择要审批的决定 / choose the decisions to approve", map[string]string{"ref": "必选 / required"})
	}
	for i := 0; err == nil && i < len(refs); i += 1000 {
		err = s.cfg.Policies.Ledger.Approve(ctx, refs[i:min(i+1000, len(refs))])
	}
	q := "?run=" + strconv.FormatInt(runID, 10) + "&policy=" + url.QueryEscape(pid)
	if err == nil {
		http.Redirect(w, r, "/approvals"+q+"&done="+strconv.Itoa(len(refs)), http.StatusSeeOther)
		return nil
	}
	switch chanye.ErrorCode(err) {
	case chanye.EINVALID, chanye.EFORBIDDEN, chanye.ECONFLICT:
	default:
		return err
	}
	v, verr := s.lifecycleView(r, "approvals", runID, pid)
	if verr != nil {
		return verr
	}
	v.Error, v.Fields = errText(r, err), errFields(r, err)
	status := http.StatusBadRequest
	if chanye.ErrorCode(err) == chanye.EFORBIDDEN {
		status = http.StatusForbidden
	}
	return s.renderStatus(w, status, "approvals", v)
}

func (s *Server) paymentPage(w http.ResponseWriter, r *http.Request) error {
	runID, pid, err := pairQuery(r.URL.Query().Get)
	if err != nil {
		return err
	}
	v, err := s.lifecycleView(r, "payments", runID, pid)
	if err != nil {
		return err
	}
	v.Done = r.URL.Query().Get("done")
	v.PaidOn = v.Today
	return s.render(w, "payments", v)
}

// pay records the payment of all or the ticked approved decisions with
// the treasury's day, voucher and batch. Each payment is its own
// transaction and idempotent: a batch cut short is finished by posting it
// again.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) error {
	runID, pid, err := s.ledgerForm(w, r, 1<<20)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := policy.Payout{Voucher: r.PostFormValue("voucher"), Batch: r.PostFormValue("batch")}
	bad := map[string]string{}
	if p.PaidOn, err = chanye.ParseDate(r.PostFormValue("paid_on")); err != nil {
		bad["paid_on"] = err.Error()
	}
	for k, m := range errFields(r, p.Validate()) {
		if _, ok := bad[k]; !ok {
			bad[k] = m
		}
	}
	err = chanye.Invalid("支付信息有误 / invalid payment details", bad)
	var refs []policy.DecisionRef
	if err == nil {
		var all []*policy.StoredDecision
		if all, err = s.decisionsOf(ctx, runID, pid, policy.DecisionApproved); err == nil {
			refs, err = selected(r, runID, pid, all)
		}
	}
	if err == nil && len(refs) == 0 {
		err = chanye.Invalid("请选择要支付的决定 / choose the decisions to pay", map[string]string{"ref": "必选 / required"})
	}
	paid := 0
	for _, ref := range refs {
		if _, _, err = s.cfg.Policies.Ledger.Pay(ctx, ref, p); err != nil {
			break
		}
		paid++
	}
	q := "?run=" + strconv.FormatInt(runID, 10) + "&policy=" + url.QueryEscape(pid)
	if err == nil {
		http.Redirect(w, r, "/payments"+q+"&done="+strconv.Itoa(paid), http.StatusSeeOther)
		return nil
	}
	switch chanye.ErrorCode(err) {
	case chanye.EINVALID, chanye.ECONFLICT:
	default:
		return err
	}
	v, verr := s.lifecycleView(r, "payments", runID, pid)
	if verr != nil {
		return verr
	}
	v.Error, v.Fields = errText(r, err), errFields(r, err)
	if paid > 0 {
		v.Done = strconv.Itoa(paid)
	}
	v.PaidOn, v.Voucher, v.Batch = r.PostFormValue("paid_on"), p.Voucher, p.Batch
	return s.renderStatus(w, http.StatusBadRequest, "payments", v)
}

// reverse cancels what was paid for a decision's entitlement, with the
// reason the enterprise will see.
func (s *Server) reverse(w http.ResponseWriter, r *http.Request) error {
	runID, pid, err := s.ledgerForm(w, r, 64<<10)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		err = chanye.Invalid("须写明冲销原因 / a reason is required", map[string]string{"reason": "必填 / required"})
	case n > maxReply:
		err = chanye.Invalid("冲销原因过长 / the reason is too long", map[string]string{"reason": fmt.Sprintf("至多 %d 字 / at most %d characters", maxReply, maxReply)})
	default:
		_, err = s.cfg.Policies.Ledger.Reverse(r.Context(), policy.DecisionRef{RunID: runID, PolicyID: pid, Code: code}, reason)
	}
	q := "?run=" + strconv.FormatInt(runID, 10) + "&policy=" + url.QueryEscape(pid)
	if err == nil {
		http.Redirect(w, r, "/payments"+q+"&done=reversed", http.StatusSeeOther)
		return nil
	}
	switch chanye.ErrorCode(err) {
	case chanye.EINVALID, chanye.ECONFLICT:
	default:
		return err
	}
	v, verr := s.lifecycleView(r, "payments", runID, pid)
	if verr != nil {
		return verr
	}
	v.Error, v.Fields, v.PaidOn = errText(r, err), errFields(r, err), v.Today
	return s.renderStatus(w, http.StatusBadRequest, "payments", v)
}

// paymentFile downloads the payment file for the treasury system.
func (s *Server) paymentFile(w http.ResponseWriter, r *http.Request) error {
	if _, err := officials(r.Context()); err != nil {
		return err
	}
	q := r.URL.Query()
	runID, pid, err := pairQuery(q.Get)
	if err == nil && runID == 0 {
		err = chanye.Invalid("须指明批次和政策 / run and policy required", map[string]string{"run": "必填 / required"})
	}
	if err != nil {
		return err
	}
	format, err := dataio.ParseFormat(orDefault(q.Get("format"), "csv"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	src := dataio.PaymentSources{Versions: s.cfg.Policies.Versions, Runs: s.cfg.Policies.Runs, Ledger: s.cfg.Policies.Ledger}
	if _, err := dataio.WritePayments(r.Context(), src, runID, pid, &buf, format); err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if format == dataio.XLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("payments-run%d-%s.%s", runID, pid, format)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes()) // a failed write means the client left
	return nil
}
