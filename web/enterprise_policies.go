package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/uscc"
)

// maxReason bounds an objection's reason, in characters.
const maxReason = 2000

type conditionView struct {
	ID, Label, Clause string
	Passed, Unknown   bool
	Values            []string
	Gaps              []string
	Err               string
}

type decisionView struct {
	PolicyID, Title, Document, Clause string
	Official, NoApplication           bool
	Amount                            string
	Capped                            bool
	Missing                           int
	Conditions                        []conditionView
	Gaps                              []string // the gaps of every failed condition
	Needs                             []string // needs data: the figures, with their years
	Err                               string   // the evaluation failed
	URL                               string
	Excluded                          bool     // a relation with another policy took it out
	Reasons                           []string // what the relations did: 与 X 就高不重复, a group cap
}

// storedNeedsView is a needs-data decision a run stored, as of the run's
// as-of date.
type storedNeedsView struct {
	RunID   int64
	RunAsOf string // the day the run decided as of
	Title   string
	Needs   []string
}

// storedView is a stored decision with the explanation its run stored, as
// of the run's as-of date.
type storedView struct {
	RunID                int64
	RunAsOf              string // the day the run decided as of
	Period               int    // the policy year the entitlement is of
	Title, Amount        string
	Status, StatusKey    string
	PublicFrom, PublicTo string
	Conditions           []conditionView
	ExplainURL           string // the live explanation as of the run's day
	Payment              string // 已拨付 with the day and the treasury's reference
	Reversal             string // 已冲回 with the day and the reason
}

type objectionForm struct {
	Target  string // "run/policy"
	Reason  string
	Absent  bool
	Errors  map[string]string
	Message string
	Done    bool
}

type entPoliciesView struct {
	page
	E                  *chanye.Enterprise
	AsOf               string // the day the live explanations are as of
	Today              bool   // AsOf is today
	AsOfURL            string // the page's address, for the as-of form
	Granted, NearMiss  []decisionView
	Excluded           []decisionView // eligible by the rules, excluded by a relation
	Others             []decisionView
	NeedsData          []decisionView
	StoredNeeds        []storedNeedsView
	Stored             []storedView
	Targets            []option
	Form               objectionForm
	Objections         []objectionView
	Offers             []appOffer // policies that take an application
	ProfileURL, Action string
}

type objectionView struct {
	Title, Reason, Status, StatusKey, At string
	Absent                               bool
	Reply, RepliedAt                     string // the department's answer
}

func (s *Server) enterpriseCode(r *http.Request) (string, error) {
	code := uscc.Normalize(r.PathValue("code"))
	if err := uscc.Validate(code); err != nil {
		return "", chanye.Invalid("统一社会信用代码有误 / invalid unified social credit code", map[string]string{"code": err.Error()})
	}
	return code, nil
}

func (s *Server) enterprisePolicies(w http.ResponseWriter, r *http.Request) error {
	code, err := s.enterpriseCode(r)
	if err != nil {
		return err
	}
	v, err := s.entPoliciesView(r, code)
	if err != nil {
		return err
	}
	v.Form.Done = r.URL.Query().Get("objected") == "1"
	return s.render(w, "enterprise_policies", v)
}

// entPoliciesView explains every published policy for the enterprise as of
// the day ?as_of= names (today by default) and lists its stored decisions,
// each with the explanation its run stored as of the run's day: a run's
// decision and today's explanation may rightly differ, and the page says
// which day each is of.
func (s *Server) entPoliciesView(r *http.Request, code string) (*entPoliciesView, error) {
	ctx := r.Context()
	today := chanye.DateOf(s.now())
	asOf := today
	if q := strings.TrimSpace(r.URL.Query().Get("as_of")); q != "" {
		d, err := chanye.ParseDate(q)
		if err != nil {
			return nil, chanye.Invalid("基准日有误 / invalid as-of date", map[string]string{"as_of": err.Error()})
		}
		asOf = d
	}
	ed, err := s.cfg.Engine.ExplainEnterprise(ctx, code, asOf)
	if err != nil {
		return nil, err
	}
	e, err := s.cfg.Enterprises.FindEnterpriseByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	v := &entPoliciesView{page: s.newPage(r, "enterprises"), E: e, AsOf: ed.AsOf.String(), Today: ed.AsOf == today,
		AsOfURL: "/enterprises/" + code + "/policies", ProfileURL: "/enterprises/" + code, Action: "/enterprises/" + code + "/objections"}
	l := v.L
	v.Title = e.Name + " · " + l.T("ep.title")
	for _, d := range ed.Granted {
		v.Granted = append(v.Granted, decisionViewOf(l, d))
	}
	for _, d := range ed.Excluded {
		v.Excluded = append(v.Excluded, decisionViewOf(l, d))
	}
	for _, d := range ed.NearMisses {
		v.NearMiss = append(v.NearMiss, decisionViewOf(l, d))
	}
	for _, d := range ed.NeedsData {
		v.NeedsData = append(v.NeedsData, decisionViewOf(l, d))
	}
	for _, d := range append(ed.Errors, ed.Others...) {
		v.Others = append(v.Others, decisionViewOf(l, d))
	}
	titles, latest, err := s.policyTitles(ctx, l)
	if err != nil {
		return nil, err
	}
	for _, d := range ed.StoredNeedsData {
		sv := storedNeedsView{RunID: d.RunID, RunAsOf: dateText(d.AsOf), Title: orDefault(titles[d.PolicyID], d.PolicyID)}
		for _, n := range d.Needs {
			sv.Needs = append(sv.Needs, needText(l, n))
		}
		v.StoredNeeds = append(v.StoredNeeds, sv)
	}
	targets := map[string]bool{}
	addTarget := func(run int64, pid string, own bool) {
		key := fmt.Sprintf("%d/%s", run, pid)
		if targets[key] {
			return
		}
		targets[key] = true
		text := l.Tf("ep.target", orDefault(titles[pid], pid), run)
		if !own {
			text += " · " + l.T("ep.target.absent")
		}
		v.Targets = append(v.Targets, option{Value: key, Text: text})
	}
	paid, err := s.paymentsOf(ctx, code)
	if err != nil {
		return nil, err
	}
	loc := s.now().Location()
	for _, d := range ed.Stored {
		sv := storedView{RunID: d.RunID, RunAsOf: d.AsOf.String(), Period: d.Period, Title: orDefault(titles[d.PolicyID], d.PolicyID),
			Amount: yuan(d.AmountFen), Status: l.T("dstatus." + string(d.Status)), StatusKey: string(d.Status),
			PublicFrom: dateText(d.PublicFrom), PublicTo: dateText(d.PublicTo),
			ExplainURL: v.AsOfURL + "?as_of=" + d.AsOf.String()}
		outcomes, err := storedOutcomes(d.Conditions)
		if err != nil {
			return nil, fmt.Errorf("web: decision %s: conditions: %w", d.Ref(), err)
		}
		for _, o := range outcomes {
			sv.Conditions = append(sv.Conditions, conditionViewOf(l, o))
		}
		es := paid[d.Entitlement()]
		switch d.Status {
		case policy.DecisionPaid:
			// The entry of this run, else the entitlement's payment that
			// carries it.
			var e *policy.LedgerEntry
			for _, x := range es {
				if x.Kind != policy.LedgerReversal && (e == nil || x.Decision.RunID == d.RunID) {
					e = x
				}
			}
			switch {
			case e != nil && e.Voucher != "":
				sv.Payment = l.Tf("lc.ep.paid", e.PaidOn, e.Voucher, e.Batch)
			case e != nil:
				sv.Payment = l.T("lc.ep.paidold")
			}
		case policy.DecisionReversed:
			for _, x := range es {
				if x.Kind == policy.LedgerReversal {
					sv.Reversal = l.Tf("lc.ep.reversed", x.At.In(loc).Format("2006-01-02"), x.Note)
				}
			}
		}
		v.Stored = append(v.Stored, sv)
		if (d.Status == policy.DecisionPublicised || d.Status == policy.DecisionObjected) && !d.PublicTo.Before(today.Time) {
			addTarget(d.RunID, d.PolicyID, true)
		}
	}
	// An enterprise left out may object while a policy's list is public.
	for _, ver := range latest {
		pid := ver.PolicyID
		pub, _, err := s.cfg.Policies.Publicity.FindPublicity(ctx, policy.PublicityFilter{PolicyID: &pid, On: &today, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(pub) > 0 {
			addTarget(pub[0].RunID, pid, false)
		}
	}
	obs, _, err := s.cfg.Policies.Publicity.FindObjections(ctx, policy.ObjectionFilter{Code: &code, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, o := range obs {
		ov := objectionView{Title: orDefault(titles[o.Ref.PolicyID], o.Ref.PolicyID), Reason: o.Reason,
			Status: l.T("ostatus." + string(o.Status)), StatusKey: string(o.Status), Absent: o.Absent,
			At: o.CreatedAt.Local().Format("2006-01-02 15:04"), Reply: o.Resolution}
		if !o.ResolvedAt.IsZero() {
			ov.RepliedAt = o.ResolvedAt.In(loc).Format("2006-01-02 15:04")
		}
		v.Objections = append(v.Objections, ov)
	}
	if v.Offers, err = s.applicationOffers(r, code); err != nil {
		return nil, err
	}
	return v, nil
}

// paymentsOf returns the enterprise's ledger entries by entitlement, in
// the order written; none without a ledger.
func (s *Server) paymentsOf(ctx context.Context, code string) (map[policy.Entitlement][]*policy.LedgerEntry, error) {
	out := map[policy.Entitlement][]*policy.LedgerEntry{}
	if s.cfg.Policies.Ledger == nil {
		return out, nil
	}
	err := chanye.EachPage(1000, func(off, limit int) ([]*policy.LedgerEntry, int, error) {
		return s.cfg.Policies.Ledger.FindLedger(ctx, policy.LedgerFilter{Code: &code, Offset: off, Limit: limit})
	}, func(es []*policy.LedgerEntry) error {
		for _, e := range es {
			out[e.Entitlement] = append(out[e.Entitlement], e)
		}
		return nil
	})
	if chanye.ErrorCode(err) == chanye.EFORBIDDEN {
		return out, nil // a reader of decisions who may not read payments (a task force)
	}
	return out, err
}

func dateText(d chanye.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func decisionViewOf(l Lang, pd engine.PolicyDecision) decisionView {
	d := pd.Decision
	v := decisionView{PolicyID: pd.PolicyID, Title: l.Pick(pd.TitleZH, pd.TitleEN), Document: pd.Document, Clause: pd.Clause,
		Official: pd.Official, NoApplication: pd.Mode == policy.ModeNoApplication, Amount: yuan(d.AmountFen), Capped: d.Capped,
		Missing: d.Missing, Err: d.Err, URL: "/policies/" + url.PathEscape(pd.PolicyID)}
	for _, n := range d.Needs {
		v.Needs = append(v.Needs, needText(l, n))
	}
	v.Excluded = d.Status == policy.VerdictExcluded
	for _, a := range d.Adjustments {
		v.Reasons = append(v.Reasons, l.Pick(a.ReasonZH, a.ReasonEN))
	}
	for _, o := range d.Conditions {
		cv := conditionViewOf(l, o)
		v.Gaps = append(v.Gaps, cv.Gaps...)
		v.Conditions = append(v.Conditions, cv)
	}
	return v
}

// storedOutcomes decodes the explanation a run stored with each number as
// the evaluator had it (int64, or float64 for a double variable), so that
// money shows in 元 and ratios in %.
func storedOutcomes(raw []byte) ([]policy.Outcome, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out []policy.Outcome
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Values {
			val := &out[i].Values[j]
			n, ok := val.Value.(json.Number)
			if !ok {
				continue
			}
			if v, known := policy.LookupVariable(val.Name); known && v.Type == "double" {
				val.Value, _ = n.Float64() // 1.0 is stored as 1
			} else if x, err := n.Int64(); err == nil {
				val.Value = x
			} else {
				val.Value, _ = n.Float64()
			}
		}
	}
	return out, nil
}

// conditionViewOf shows one condition's outcome: live or as a run stored it.
func conditionViewOf(l Lang, o policy.Outcome) conditionView {
	cv := conditionView{ID: o.ID, Label: l.Pick(o.LabelZH, o.LabelEN), Clause: o.Clause, Passed: o.Passed, Unknown: o.Unknown, Err: o.Err}
	for _, val := range o.Values {
		cv.Values = append(cv.Values, valueText(l, val))
	}
	for _, g := range o.Gaps {
		cv.Gaps = append(cv.Gaps, l.Pick(g.MessageZH, g.MessageEN))
	}
	return cv
}

// valueText shows a value a condition read, with its label and unit: as
// the evaluator wrote it, or (for decisions stored before it did) from the
// schema.
func valueText(l Lang, val policy.Value) string {
	if val.TextZH != "" {
		return l.Pick(val.TextZH, val.TextEN)
	}
	label := val.Name
	sv, ok := policy.LookupVariable(val.Name)
	if ok {
		label = l.Pick(sv.LabelZH, sv.LabelEN)
	}
	if x, isInt := val.Value.(int64); isInt && val.Name == "p."+policy.CohortParam {
		if x == 0 {
			return l.T("ep.cohort.none")
		}
		return l.T("ep.cohort.year") + " = " + strconv.FormatInt(x, 10)
	}
	if val.Missing {
		return label + l.T("ep.missing")
	}
	var s string
	switch x := val.Value.(type) {
	case int64:
		s = group(x)
		if ok && sv.Unit == policy.UnitFen {
			s = fenMoney(l, chanye.Fen(x))
		} else if ok && sv.Unit == policy.UnitYear && x == 0 {
			s = l.T("dash")
		} else if ok && sv.Unit == policy.UnitYear {
			s = strconv.FormatInt(x, 10)
		} else if ok && sv.Unit == policy.UnitDate {
			s = dateIntText(l, x)
		}
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
		if ok && sv.Unit == policy.UnitRatio {
			s = strconv.FormatFloat(x*100, 'f', 2, 64) + "%"
		}
	case bool:
		s = l.T(map[bool]string{true: "ep.true", false: "ep.false"}[x])
	case []string:
		s = strings.Join(x, ", ")
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		s = strings.Join(parts, ", ")
	default:
		s = fmt.Sprint(x)
	}
	return label + " = " + s
}

// dateIntText shows a day rules read as the int YYYYMMDD as 2025-07-15,
// and 0 (none) as a dash.
func dateIntText(l Lang, x int64) string {
	if x <= 0 {
		return l.T("dash")
	}
	return fmt.Sprintf("%04d-%02d-%02d", x/10000, x/100%100, x%100)
}

// createObjection records an objection from the enterprise's policy page;
// errors are shown next to the form with the input kept.
func (s *Server) createObjection(w http.ResponseWriter, r *http.Request) error {
	code, err := s.enterpriseCode(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.ETOOLARGE, "表单过大 / the form is too large")
	}
	form := objectionForm{Target: r.PostFormValue("target"), Reason: strings.TrimSpace(r.PostFormValue("reason")),
		Absent: r.PostFormValue("absent") == "1", Errors: map[string]string{}}
	v, err := s.entPoliciesView(r, code)
	if err != nil {
		return err
	}
	runPart, pid, _ := strings.Cut(form.Target, "/")
	runID, perr := strconv.ParseInt(runPart, 10, 64)
	known := false
	for i := range v.Targets {
		if v.Targets[i].Value == form.Target {
			known, v.Targets[i].Selected = true, true
		}
	}
	switch {
	case form.Target == "":
		form.Errors["target"] = v.L.T("ep.err.target")
	case perr != nil || pid == "" || !known:
		form.Errors["target"] = v.L.T("ep.err.target.closed")
	}
	switch n := utf8.RuneCountInString(form.Reason); {
	case n == 0:
		form.Errors["reason"] = v.L.T("ep.err.reason")
	case n > maxReason:
		form.Errors["reason"] = v.L.Tf("ep.err.reason.long", maxReason)
	}
	if len(form.Errors) == 0 {
		_, derr := s.cfg.Policies.Runs.FindDecision(r.Context(), policy.DecisionRef{RunID: runID, PolicyID: pid, Code: code})
		has := derr == nil
		if derr != nil && chanye.ErrorCode(derr) != chanye.ENOTFOUND {
			return derr
		}
		switch {
		case has && form.Absent:
			form.Errors["absent"] = v.L.T("ep.err.absent.has")
		case !has && !form.Absent:
			form.Errors["absent"] = v.L.T("ep.err.absent.none")
		}
	}
	if len(form.Errors) == 0 {
		o := &policy.Objection{Ref: policy.DecisionRef{RunID: runID, PolicyID: pid, Code: code}, Reason: form.Reason}
		err := s.cfg.Policies.Publicity.CreateObjection(r.Context(), o)
		if err == nil {
			http.Redirect(w, r, "/enterprises/"+code+"/policies?objected=1#objection", http.StatusSeeOther)
			return nil
		}
		switch chanye.ErrorCode(err) {
		case chanye.EINVALID, chanye.ECONFLICT, chanye.ENOTFOUND:
			form.Message = errText(r, err)
			for k, m := range errFields(r, err) {
				form.Errors[k] = m
			}
		default:
			return err
		}
	}
	if form.Message == "" {
		form.Message = v.L.T("ep.err.form")
	}
	v.Form = form
	return s.renderStatus(w, http.StatusBadRequest, "enterprise_policies", v)
}
