package httpapi

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
)

// defaultPublicityDays is the 公示 period when a request gives none.
const defaultPublicityDays = 5

// maxApprovals bounds the decisions of one approval request.
const maxApprovals = 1000

// publiciseBody is the optional body of POST .../publicise.
type publiciseBody struct {
	Days *int `json:"days"`
}

func (s *server) publicise(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	days := defaultPublicityDays
	b, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(b)) != "" {
		var body publiciseBody
		if err := decodeBytes(b, &body); err != nil {
			return err
		}
		if body.Days != nil {
			days = *body.Days
		}
	}
	if days < 1 || days > 60 {
		return fieldError("days", "须为 1 到 60 个工作日", "must be from 1 to 60 working days", "")
	}
	p, err := s.policies.Publicity.Publicise(r.Context(), id, r.PathValue("policy"), days)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

// listPublicity is the public list (公示): no login, ever.
func (s *server) listPublicity(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "policy", "run", "code", "q", "on", "offset", "limit")
	if err != nil {
		return err
	}
	var f policy.PublicityFilter
	if v, ok := q["q"]; ok && strings.TrimSpace(v) != "" {
		f.Query = &v
	}
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if err := refFilter(q, &f.RunID, &f.PolicyID, &f.Code); err != nil {
		return err
	}
	if err := optional(q, "on", queryDate, &f.On); err != nil {
		return err
	}
	entries, total, err := s.policies.Publicity.FindPublicity(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(entries, total, f.Offset, f.Limit))
}

// refBody names one stored decision in a request.
type refBody struct {
	RunID    int64  `json:"run_id"`
	PolicyID string `json:"policy_id"`
	Code     string `json:"code"`
}

// ref checks the reference; prefix locates its fields (items[2].).
func (b refBody) ref(prefix string) (policy.DecisionRef, map[string]string) {
	f := map[string]string{}
	if b.RunID < 1 {
		f[prefix+"run_id"] = "须为正整数 / must be a positive integer"
	}
	if strings.TrimSpace(b.PolicyID) == "" {
		f[prefix+"policy_id"] = "必填 / required"
	}
	code, err := checkCode(b.Code)
	if err != nil {
		f[prefix+"code"] = chanye.ErrorFields(err)["code"]
	}
	return policy.DecisionRef{RunID: b.RunID, PolicyID: b.PolicyID, Code: code}, f
}

// decodeRef reads body, a request naming one decision, and
// checks the reference and, when reason is not nil, that *reason is given.
// invalid heads the error listing the faulty fields.
func (s *server) decodeRef(w http.ResponseWriter, r *http.Request, body interface {
	ref(prefix string) (policy.DecisionRef, map[string]string)
}, reason *string, invalid string) (ref policy.DecisionRef, err error) {
	if err := s.decodeJSON(w, r, body); err != nil {
		return ref, err
	}
	ref, f := body.ref("")
	if reason != nil && strings.TrimSpace(*reason) == "" {
		f["reason"] = "必填 / required"
	}
	return ref, chanye.Invalid(invalid, f)
}

// objectionBody is the body of POST /api/v1/objections.
type objectionBody struct {
	refBody
	Absent bool   `json:"absent"`
	Reason string `json:"reason"`
}

func (s *server) createObjection(w http.ResponseWriter, r *http.Request) error {
	var body objectionBody
	ref, err := s.decodeRef(w, r, &body, &body.Reason, "异议有误 / invalid objection")
	if err != nil {
		return err
	}
	o := &policy.Objection{Ref: ref, Absent: body.Absent, Reason: body.Reason}
	if err := s.policies.Publicity.CreateObjection(r.Context(), o); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/objections?status=%s", o.Status))
	return writeJSON(w, http.StatusCreated, o)
}

// objectionStatuses are the values of ?status= on objections.
var objectionStatuses = []policy.ObjectionStatus{policy.ObjectionOpen, policy.ObjectionUpheld, policy.ObjectionRejected}

func (s *server) listObjections(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "status", "run", "policy", "code", "offset", "limit")
	if err != nil {
		return err
	}
	var f policy.ObjectionFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if err := optional(q, "status", oneOf("状态", "status", objectionStatuses), &f.Status); err != nil {
		return err
	}
	if err := refFilter(q, &f.RunID, &f.PolicyID, &f.Code); err != nil {
		return err
	}
	os, total, err := s.policies.Publicity.FindObjections(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(os, total, f.Offset, f.Limit))
}

// resolveBody is the body of POST /api/v1/objections/{id}/resolve.
type resolveBody struct {
	Upheld     *bool  `json:"upheld"`
	Resolution string `json:"resolution"`
}

func (s *server) resolveObjection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var body resolveBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	f := map[string]string{}
	if body.Upheld == nil {
		f["upheld"] = "必填：true 撤回决定，false 驳回异议 / required: true withdraws the decision, false rejects the objection"
	}
	if strings.TrimSpace(body.Resolution) == "" {
		f["resolution"] = "必填 / required"
	}
	if err := chanye.Invalid("处理意见有误 / invalid resolution", f); err != nil {
		return err
	}
	o, err := s.policies.Publicity.ResolveObjection(r.Context(), id, *body.Upheld, body.Resolution)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

// approvalBody is the body of POST /api/v1/approvals.
type approvalBody struct {
	Items []refBody `json:"items"`
}

func (s *server) approve(w http.ResponseWriter, r *http.Request) error {
	var body approvalBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	if len(body.Items) == 0 || len(body.Items) > maxApprovals {
		return fieldError("items", fmt.Sprintf("须有 1 到 %d 项", maxApprovals), fmt.Sprintf("must hold 1 to %d decisions", maxApprovals), "")
	}
	refs := make([]policy.DecisionRef, len(body.Items))
	f := map[string]string{}
	for i, it := range body.Items {
		ref, errs := it.ref(fmt.Sprintf("items[%d].", i))
		refs[i] = ref
		for k, v := range errs {
			f[k] = v
		}
	}
	if err := chanye.Invalid("审批项有误 / invalid approval", f); err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.policies.Ledger.Approve(ctx, refs); err != nil {
		return err
	}
	out := make([]*policy.StoredDecision, len(refs))
	for i, ref := range refs {
		var err error
		if out[i], err = s.policies.Runs.FindDecision(ctx, ref); err != nil {
			return err
		}
		if out[i].Industries == nil {
			out[i].Industries = []string{}
		}
	}
	return writeJSON(w, http.StatusOK, newList(out))
}

// paymentBody is the body of POST /api/v1/payments: the decision and how
// the treasury paid it.
type paymentBody struct {
	refBody
	policy.Payout
}

// ref checks the reference and the payout together, so that one answer
// names every faulty field.
func (b paymentBody) ref(prefix string) (policy.DecisionRef, map[string]string) {
	ref, f := b.refBody.ref(prefix)
	p := b.Payout
	for k, v := range chanye.ErrorFields(p.Validate()) {
		f[prefix+k] = v
	}
	return ref, f
}

// pay pays an approved decision: 201 with the ledger entry it wrote (a
// payment, or an adjustment from a later run), or 200 with the entry that
// already paid it. The ledger holds one payment per entitlement however
// calls race, and the store says which call wrote it.
func (s *server) pay(w http.ResponseWriter, r *http.Request) error {
	var body paymentBody
	ref, err := s.decodeRef(w, r, &body, nil, "支付项有误 / invalid payment")
	if err != nil {
		return err
	}
	e, created, err := s.policies.Ledger.Pay(r.Context(), ref, body.Payout)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, e)
}

// reversalBody is the body of POST /api/v1/reversals.
type reversalBody struct {
	refBody
	Reason string `json:"reason"`
}

func (s *server) reverse(w http.ResponseWriter, r *http.Request) error {
	var body reversalBody
	ref, err := s.decodeRef(w, r, &body, &body.Reason, "冲销有误 / invalid reversal")
	if err != nil {
		return err
	}
	e, err := s.policies.Ledger.Reverse(r.Context(), ref, body.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

// ledgerKinds are the values of ?kind= on the ledger.
var ledgerKinds = []policy.LedgerKind{policy.LedgerPayment, policy.LedgerAdjustment, policy.LedgerReversal}

func (s *server) listLedger(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "policy", "code", "period", "kind", "offset", "limit")
	if err != nil {
		return err
	}
	var f policy.LedgerFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["policy"]; ok {
		f.PolicyID = &v
	}
	if err := optional(q, "code", queryCode, &f.Code); err != nil {
		return err
	}
	if err := optional(q, "period", queryPeriod, &f.Period); err != nil {
		return err
	}
	if err := optional(q, "kind", oneOf("类型", "kind", ledgerKinds), &f.Kind); err != nil {
		return err
	}
	entries, total, err := s.policies.Ledger.FindLedger(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(entries, total, f.Offset, f.Limit))
}

// correctFacts writes a corrected year of the objecting enterprise's
// figures after an upheld objection: a facts report like the items of PUT
// /enterprises/{code}/facts, with its source and as-of day.
func (s *server) correctFacts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var f chanye.Facts
	if err := s.decodeJSON(w, r, &f); err != nil {
		return err
	}
	// The store validates f after authz has checked who asks.
	e, err := s.policies.Publicity.CorrectFacts(r.Context(), id, &f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, present(e))
}

// redecision is the answer of POST /api/v1/objections/{id}/redecide: the
// run of one policy for one enterprise and what it decided.
type redecision struct {
	Run      *policy.Run            `json:"run"`
	Decision *engine.PolicyDecision `json:"decision"`
}

// redecide decides the objection's enterprise again for its policy, as of
// the day of the objection's run, as a run of its own (engine.Redecide).
func (s *server) redecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.readBody(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	o, err := s.policies.Publicity.FindObjectionByID(ctx, id)
	if err != nil {
		return err
	}
	orig, err := s.policies.Runs.FindRun(ctx, o.Ref.RunID)
	if err != nil {
		return err
	}
	run, pd, err := s.engine.Redecide(ctx, o.Ref.PolicyID, o.Ref.Code, orig.AsOf)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/runs/%d", run.ID))
	return writeJSON(w, http.StatusCreated, redecision{Run: run, Decision: pd})
}

// paymentFile serves the payment file of one policy in one run for the
// treasury system, CSV or XLSX (dataio.WritePayments).
func (s *server) paymentFile(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "run", "policy", "format")
	if err != nil {
		return err
	}
	f := map[string]string{}
	runID, err := queryID("run", q["run"])
	if err != nil {
		f["run"] = chanye.ErrorFields(err)["run"]
	}
	pid := strings.TrimSpace(q["policy"])
	if pid == "" {
		f["policy"] = "必填 / required"
	}
	format := dataio.CSV
	if v, ok := q["format"]; ok {
		if format, err = dataio.ParseFormat(v); err != nil {
			f["format"] = "须为 csv 或 xlsx / must be csv or xlsx"
		}
	}
	if err := chanye.Invalid("查询参数有误 / invalid query", f); err != nil {
		return err
	}
	var buf bytes.Buffer
	src := dataio.PaymentSources{Versions: s.policies.Versions, Runs: s.policies.Runs, Ledger: s.policies.Ledger}
	if _, err := dataio.WritePayments(r.Context(), src, runID, pid, &buf, format); err != nil {
		return err
	}
	writeFile(w, fmt.Sprintf("payments-run%d-%s.%s", runID, pid, format), format, buf.Bytes())
	return nil
}

// writeFile answers a download: written whole after it was built, so that
// an error is still a clean JSON answer.
func writeFile(w http.ResponseWriter, name string, format dataio.Format, body []byte) {
	ct := "text/csv; charset=utf-8"
	if format == dataio.XLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a failed write means the client left
}
