package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// This file holds what the platform stores about policies: versions, batch
// runs with their decisions, the lifecycle of a decision from computed to
// paid, and the payment ledger; the services below are the store's
// contract, one per job.
//
// Storage volume decides the shape of a run. 100 policies × 3.6 M
// enterprises is 360 M decisions a run, too many rows to keep. A run stores
// every ELIGIBLE decision with its full explanation (parameters and each
// condition's outcome with the values it saw), and per policy the totals —
// eligible firms and money, overall and by district, industry and size.
// A decision that is not eligible is not stored: it is explained live, and
// it can be replayed exactly from what the run does store — the policy
// version (whose source never changes once published), the as-of date, and
// the data snapshot identifier.

// StatusRetired marks a published version replaced by a later one. Its text
// is unchanged; only runs no longer use it.
const StatusRetired Status = "retired"

// Version is one stored version of a policy. A published version never
// changes: a change is a new draft version with the next number.
type Version struct {
	PolicyID    string    `json:"policy_id"`
	Version     int       `json:"version"`
	Status      Status    `json:"status"` // draft, published or retired
	Source      []byte    `json:"source"` // the YAML as written
	Policy      *Policy   `json:"policy"` // Source parsed; its ID, Version and Status match the row
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	PublishedBy string    `json:"published_by,omitempty"`
	RetiredAt   time.Time `json:"retired_at,omitzero"`
	// Conflicts are set by PublishPolicyVersion: what the version may
	// conflict with among the published policies (warnings).
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// VersionFilter selects policy versions. Nil fields are not filtered on.
type VersionFilter struct {
	PolicyID *string
	Status   *Status
	// Latest keeps only the highest version of each policy (after the
	// other filters).
	Latest bool
	Offset int
	Limit  int // 0 means the default page of 50; at most 1000
}

// RunPolicy is a policy version evaluated by a run, with its totals: every
// enterprise is counted once, as eligible, not eligible, needing data or
// in error.
type RunPolicy struct {
	ID          string     `json:"id"`
	Version     int        `json:"version"`
	Eligible    int        `json:"eligible"` // set by the store from the decisions stored
	AmountFen   chanye.Fen `json:"amount_fen"`
	NotEligible int        `json:"not_eligible"` // set by the caller
	NeedsData   int        `json:"needs_data"`   // set by the store from the decisions stored
	Errors      int        `json:"errors"`       // set by the caller
	// Excluded is the decisions eligible by the rules that a relation or
	// the budget took out, set by the store from the decisions stored:
	// Eligible + Excluded + NotEligible + NeedsData + Errors is the run's
	// Enterprises.
	Excluded int `json:"excluded"`
	// ErrorSamples are the first failed decisions (at most MaxRunErrors,
	// in code order) with their messages; Errors counts them all.
	ErrorSamples []RunError `json:"error_samples,omitempty"`
}

// RunError is a decision a run could not take: the enterprise and why.
type RunError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// MaxRunErrors is how many failed decisions a run lists per policy.
const MaxRunErrors = 10

// Run is one batch evaluation of policies over the enterprise base as of a
// day. A run is written whole or not at all.
type Run struct {
	ID         int64       `json:"id"`
	AsOf       chanye.Date `json:"as_of"`
	StartedAt  time.Time   `json:"started_at"`  // set by the caller when evaluation began; the store's now if zero
	FinishedAt time.Time   `json:"finished_at"` // the store's now when the run is written
	By         string      `json:"by"`          // set by the store: the context's actor
	// Snapshot identifies the enterprise data the run read, so that any
	// decision, eligible or not, can be replayed.
	Snapshot    string      `json:"snapshot"`
	Policies    []RunPolicy `json:"policies"`
	Enterprises int         `json:"enterprises"` // enterprises evaluated, set by the caller
	Eligible    int         `json:"eligible"`    // eligible decisions stored, set by the store
	TotalFen    chanye.Fen  `json:"total_fen"`   // their money, set by the store
	NeedsData   int         `json:"needs_data"`  // needs-data decisions stored, set by the store
	Excluded    int         `json:"excluded"`    // excluded decisions stored, set by the store
	// Errors is the decisions that failed, over every policy, set by the
	// store from the policies' counts. A run with errors is stored and
	// listed as such (its decisions that did not fail are as good as any
	// run's): the runs page and the run page show it with an error badge,
	// `chanye policy run` prints the errors and exits non-zero.
	Errors int `json:"errors"`
	// Parts is the number of shards a sharded run is decided in (issue
	// 16), 0 for a run stored whole; PartsDone the parts stored so far.
	// Until every part is stored the run's counts are those of the parts
	// done, and nothing may be publicised, approved or paid from it.
	Parts     int `json:"parts,omitempty"`
	PartsDone int `json:"parts_done,omitempty"`
}

// Complete reports whether every part of the run is stored (always, for a
// run stored whole).
func (r *Run) Complete() bool { return r.PartsDone >= r.Parts }

// HasErrors reports whether some decision of the run failed.
func (r *Run) HasErrors() bool { return r.Errors > 0 }

// Validate checks what the caller sets.
func (r *Run) Validate() error {
	f := map[string]string{}
	if r.AsOf.IsZero() {
		f["as_of"] = "必填 / required"
	}
	if len(r.Policies) == 0 {
		f["policies"] = "至少一项政策 / at least one policy is required"
	}
	seen := map[string]bool{}
	for i, p := range r.Policies {
		if seen[p.ID] {
			f[fmt.Sprintf("policies[%d]", i)] = "政策重复 / duplicate policy"
		}
		seen[p.ID] = true
		if p.Version < 1 {
			f[fmt.Sprintf("policies[%d].version", i)] = "须为正整数 / must be a positive integer"
		}
		if p.NotEligible < 0 || p.Errors < 0 {
			f[fmt.Sprintf("policies[%d].errors", i)] = "不能为负 / must not be negative"
		}
		if len(p.ErrorSamples) > min(p.Errors, MaxRunErrors) {
			f[fmt.Sprintf("policies[%d].error_samples", i)] = fmt.Sprintf("至多 %d 条且不多于出错数 / at most %d and no more than the errors", MaxRunErrors, MaxRunErrors)
		}
	}
	if r.Enterprises < 0 {
		f["enterprises"] = "不能为负 / must not be negative"
	}
	return chanye.Invalid("批量计算有误 / invalid run", f)
}

// Dimension is what a run total is broken down by.
type Dimension string

// The dimensions of run totals; DimAll has the one key "".
const (
	DimAll      Dimension = "all"
	DimDistrict Dimension = "district"
	DimIndustry Dimension = "industry" // an enterprise in two industries counts in both
	DimSize     Dimension = "size"
)

// RunTotal is the eligible firms and money of one policy in a run, for one
// key of a dimension (e.g. district 440106).
type RunTotal struct {
	RunID     int64      `json:"run_id"`
	PolicyID  string     `json:"policy_id"`
	Dimension Dimension  `json:"dimension"`
	Key       string     `json:"key"`
	Eligible  int        `json:"eligible"`
	AmountFen chanye.Fen `json:"amount_fen"`
}

// RunFilter selects runs, newest first.
type RunFilter struct {
	PolicyID *string // runs that evaluated this policy
	Offset   int
	Limit    int
}

// DecisionStatus is where a stored decision is in its life.
type DecisionStatus string

// The lifecycle of a decision: computed → publicised → (objected →
// publicised again when the objection is rejected) → approved → paid, and
// paid → reversed. An upheld objection withdraws the decision; a new run
// recomputes it.
const (
	DecisionComputed   DecisionStatus = "computed"
	DecisionPublicised DecisionStatus = "publicised"
	DecisionObjected   DecisionStatus = "objected"
	DecisionWithdrawn  DecisionStatus = "withdrawn"
	DecisionApproved   DecisionStatus = "approved"
	DecisionPaid       DecisionStatus = "paid"
	DecisionReversed   DecisionStatus = "reversed"
)

// DecisionRef names one stored decision: a run decides each policy at most
// once per enterprise.
type DecisionRef struct {
	RunID    int64  `json:"run_id"`
	PolicyID string `json:"policy_id"`
	Code     string `json:"code"`
}

func (r DecisionRef) String() string {
	return fmt.Sprintf("run %d / %s / %s", r.RunID, r.PolicyID, r.Code)
}

// Entitlement is what the ledger is keyed by: an enterprise's claim under a
// policy for one policy year, whichever run decided it. Runs come and go;
// the entitlement is paid at most once.
type Entitlement struct {
	PolicyID string `json:"policy_id"`
	Period   int    `json:"period"`
	Code     string `json:"code"`
}

// StoredDecision is a decision as a run stored it: an eligible one, which
// goes on through publicity, approval and payment, or a needs-data one
// (Verdict needs_data, with Needs), kept apart so that the enterprise and
// the department see what is missing, and never publicised, approved or
// paid. Name, District, Industries and Size are the enterprise as the run
// saw it, for totals, filters and the public list.
type StoredDecision struct {
	ID         int64       `json:"id"`
	RunID      int64       `json:"run_id"`
	PolicyID   string      `json:"policy_id"`
	Version    int         `json:"version"`
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	District   string      `json:"district"`
	Industries []string    `json:"industries"`
	Size       string      `json:"size"`
	Period     int         `json:"period"` // the policy year
	AsOf       chanye.Date `json:"as_of"`  // the day its run decided as of, set by the store
	Eligible   bool        `json:"eligible"`
	Verdict    Verdict     `json:"verdict"` // eligible, needs_data or excluded
	Needs      []Need      `json:"needs,omitempty"`
	AmountFen  chanye.Fen  `json:"amount_fen"` // after the adjustments; 0 when excluded
	// Adjustments are what the relations or the budget did to the
	// decision (Resolver): excluded it, or lowered its amount, and why.
	Adjustments []Adjustment    `json:"adjustments,omitempty"`
	Params      json.RawMessage `json:"params"` // values in force, by name
	// Conditions are each condition's outcome and values ([]Outcome);
	// empty for a needs-data decision (see NewStoredDecisionParams).
	Conditions json.RawMessage `json:"conditions"`
	Status     DecisionStatus  `json:"status"`
	StatusAt   time.Time       `json:"status_at"`
	StatusBy   string          `json:"status_by"`
	// PublicFrom and PublicTo are the publicity window, once publicised.
	PublicFrom chanye.Date `json:"public_from"`
	PublicTo   chanye.Date `json:"public_to"`
}

// Ref returns the decision's reference.
func (d *StoredDecision) Ref() DecisionRef {
	return DecisionRef{RunID: d.RunID, PolicyID: d.PolicyID, Code: d.Code}
}

// Entitlement returns what the decision grants.
func (d *StoredDecision) Entitlement() Entitlement {
	return Entitlement{PolicyID: d.PolicyID, Period: d.Period, Code: d.Code}
}

// NewStoredDecision turns an evaluated decision into the stored form for
// period, with the enterprise as the run saw it.
func NewStoredDecision(d *Decision, period int, e *chanye.Enterprise) (*StoredDecision, error) {
	params, err := json.Marshal(d.Params)
	if err != nil {
		return nil, err
	}
	return NewStoredDecisionParams(d, period, e, params)
}

// NewStoredDecisionParams is NewStoredDecision with d.Params marshalled
// already: they are the same for every decision of a policy version on
// one day, and a run stores hundreds of thousands.
//
// A needs-data decision is stored with its needs and without its
// conditions (an empty list): it grants nothing, most of a run's decisions
// are of this kind, and their explanations were most of what a run wrote.
// Explain replays them for the run's as-of day.
func NewStoredDecisionParams(d *Decision, period int, e *chanye.Enterprise, params json.RawMessage) (*StoredDecision, error) {
	conds := json.RawMessage("[]")
	if d.Status != VerdictNeedsData {
		var err error
		if conds, err = json.Marshal(d.Conditions); err != nil {
			return nil, err
		}
	}
	sd := &StoredDecision{PolicyID: d.PolicyID, Version: d.Version, Code: d.Code, Period: period,
		Eligible: d.Eligible, Verdict: d.Status, Needs: d.Needs, AmountFen: d.AmountFen, Adjustments: d.Adjustments, Params: params, Conditions: conds}
	if e != nil {
		sd.Name, sd.District, sd.Size = e.Name, e.DistrictCode, string(e.SizeClass)
		sd.Industries = append([]string(nil), e.Industries...)
	}
	return sd, nil
}

// DecisionFilter selects stored decisions, ordered by run, policy and code.
type DecisionFilter struct {
	RunID    *int64
	PolicyID *string
	Code     *string
	Status   *DecisionStatus
	District *string
	// Eligible false selects nothing: only eligible decisions are stored.
	Eligible *bool
	// Verdict needs_data selects the needs-data decisions instead of the
	// eligible ones (nil or eligible), excluded the excluded ones; any
	// other verdict selects nothing.
	Verdict *Verdict
	Offset  int
	Limit   int
}

// Publicity is the 公示 of one policy's decisions in one run: the list is
// public from From to To, To being Days working days after From.
type Publicity struct {
	RunID     int64       `json:"run_id"`
	PolicyID  string      `json:"policy_id"`
	Version   int         `json:"version"`
	From      chanye.Date `json:"from"`
	To        chanye.Date `json:"to"`
	Days      int         `json:"days"`
	Decisions int         `json:"decisions"`
	CreatedAt time.Time   `json:"created_at"`
	CreatedBy string      `json:"created_by"`
}

// PublicityFilter selects entries of the public list.
type PublicityFilter struct {
	PolicyID *string
	RunID    *int64
	Code     *string
	// Query keeps the entries whose company name contains it or whose
	// credit code begins with it (case-insensitive), for the public search.
	Query *string
	// On keeps the entries whose window contains this day.
	On     *chanye.Date
	Offset int
	Limit  int
}

// PublicityEntry is one line of the public list: nothing beyond what a
// 公示 shows.
type PublicityEntry struct {
	RunID      int64       `json:"run_id"`
	PolicyID   string      `json:"policy_id"`
	Version    int         `json:"version"`
	TitleZH    string      `json:"title_zh"`
	TitleEN    string      `json:"title_en"`
	Document   string      `json:"document"`
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	AmountFen  chanye.Fen  `json:"amount_fen"`
	PublicFrom chanye.Date `json:"public_from"`
	PublicTo   chanye.Date `json:"public_to"`
	// Issuer is the unit that issued the policy, as its document says;
	// Department administers it and takes the objections; Contact is
	// where objections go (nil when the policy names none: then the
	// department and chanye's objection form are the way).
	Issuer     string   `json:"issuer"`
	Department string   `json:"department,omitempty"`
	Contact    *Contact `json:"contact,omitempty"`
}

// ObjectionStatus is where an objection is.
type ObjectionStatus string

// The statuses of an objection.
const (
	ObjectionOpen     ObjectionStatus = "open"
	ObjectionUpheld   ObjectionStatus = "upheld"   // the decision is withdrawn; a new run recomputes it
	ObjectionRejected ObjectionStatus = "rejected" // the decision stands
)

// Objection is an enterprise disputing a decision of a publicised run —
// the decision it got, or its absence (then no decision is stored for the
// ref, and Absent is true).
type Objection struct {
	ID         int64           `json:"id"`
	Ref        DecisionRef     `json:"ref"`
	Absent     bool            `json:"absent"`
	Reason     string          `json:"reason"`
	By         string          `json:"by"`
	CreatedAt  time.Time       `json:"created_at"`
	Status     ObjectionStatus `json:"status"`
	Resolution string          `json:"resolution,omitempty"`
	ResolvedBy string          `json:"resolved_by,omitempty"`
	ResolvedAt time.Time       `json:"resolved_at,omitzero"`
}

// ObjectionFilter selects objections, oldest first.
type ObjectionFilter struct {
	RunID    *int64
	PolicyID *string
	Code     *string
	Status   *ObjectionStatus
	Offset   int
	Limit    int
}

// LedgerKind is the kind of a ledger entry.
type LedgerKind string

// The kinds of ledger entries. The ledger is append-only: a correction is a
// new entry, never an update.
const (
	LedgerPayment    LedgerKind = "payment"    // at most one per entitlement, ever
	LedgerAdjustment LedgerKind = "adjustment" // the difference a later run found, + or −
	LedgerReversal   LedgerKind = "reversal"   // cancels what was paid: minus the net
)

// LedgerEntry is one line of the payment ledger. AmountFen is signed; the
// net paid for an entitlement is the sum of its entries.
type LedgerEntry struct {
	ID          int64       `json:"id"`
	Entitlement Entitlement `json:"entitlement"`
	Kind        LedgerKind  `json:"kind"`
	AmountFen   chanye.Fen  `json:"amount_fen"`
	Decision    DecisionRef `json:"decision"` // the decision the entry carries out
	By          string      `json:"by"`
	At          time.Time   `json:"at"`
	Note        string      `json:"note,omitempty"`
	// PaidOn, Voucher and Batch are the treasury's reference for a payment
	// or an adjustment (see Payout); a reversal has none.
	PaidOn  chanye.Date `json:"paid_on,omitzero"`
	Voucher string      `json:"voucher,omitempty"`
	Batch   string      `json:"batch,omitempty"`
}

// Payout is how the treasury carried a payment out: the day the money
// left (PaidOn), the accounting voucher number (凭证号) and the bank batch
// number (银行批次号). One batch usually carries many payments, and one
// voucher may cover a whole batch or a single payment.
type Payout struct {
	PaidOn  chanye.Date `json:"paid_on"`
	Voucher string      `json:"voucher"`
	Batch   string      `json:"batch"`
}

// MaxReference bounds a voucher or a batch number, in characters.
const MaxReference = 64

// Validate checks what the payout says by itself: a day, a voucher and a
// batch, each a short line of text. The store checks the day against its
// clock and the approval.
func (p *Payout) Validate() error {
	f := map[string]string{}
	if p.PaidOn.IsZero() {
		f["paid_on"] = "必填 / required"
	}
	p.Voucher, p.Batch = strings.TrimSpace(p.Voucher), strings.TrimSpace(p.Batch)
	for name, v := range map[string]string{"voucher": p.Voucher, "batch": p.Batch} {
		switch {
		case v == "":
			f[name] = "必填 / required"
		case utf8.RuneCountInString(v) > MaxReference:
			f[name] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxReference, MaxReference)
		case strings.ContainsFunc(v, unicode.IsControl):
			f[name] = "不能含控制字符 / must not contain control characters"
		}
	}
	return chanye.Invalid("支付信息有误 / invalid payment details", f)
}

// LedgerFilter selects ledger entries, in the order they were written.
type LedgerFilter struct {
	PolicyID *string
	Period   *int
	Code     *string
	Kind     *LedgerKind
	RunID    *int64 // entries carrying out decisions of this run
	Offset   int
	Limit    int
}

// DecisionEvent is one transition of a decision (or an objection to its
// absence), recorded append-only with who did it and when.
type DecisionEvent struct {
	ID     int64          `json:"id"`
	Ref    DecisionRef    `json:"ref"`
	From   DecisionStatus `json:"from,omitempty"`
	To     DecisionStatus `json:"to"`
	Action string         `json:"action"` // publicise, object, uphold, reject, approve, pay, adjust, reverse
	By     string         `json:"by"`
	At     time.Time      `json:"at"`
	Note   string         `json:"note,omitempty"`
}

// VersionNotFound is the answer for a policy version that does not exist,
// version 0 meaning the published one, and for a draft that the reader may
// not see: the two must not be told apart.
func VersionNotFound(id string, version int) error {
	if version == 0 {
		return chanye.Errorf(chanye.ENOTFOUND, "政策 %s 无已发布版本 / policy %s has no published version", id, id)
	}
	return chanye.Errorf(chanye.ENOTFOUND, "政策 %s 无第 %d 版 / policy %s has no version %d", id, version, id, version)
}

// The policy services, one per job. Each method that changes state records
// who did it — the context's actor (chanye.ActorFrom), as its String — with
// the store's time: callers pass no actor of their own, so what is recorded
// is always who the request was authenticated as. A consumer holds only the
// services it uses; Services groups them for those that use several.

// VersionService stores policy versions: drafts and their publication.
type VersionService interface {
	// CreatePolicyVersion parses and compiles src and stores it as a draft
	// with the next version number of its policy id (the version and
	// status written in src are overridden). EINVALID with the parse or
	// compile errors.
	CreatePolicyVersion(ctx context.Context, src []byte) (*Version, error)
	// FindPolicies returns one page of versions, ordered by policy id and
	// version, and the total.
	FindPolicies(ctx context.Context, filter VersionFilter) ([]*Version, int, error)
	// FindPolicyVersion returns a version; version 0 means the published
	// one. ENOTFOUND.
	FindPolicyVersion(ctx context.Context, id string, version int) (*Version, error)
	// PublishPolicyVersion publishes a draft and retires the version
	// published before it; the result lists its Conflicts with the
	// published policies (warnings). EINVALID naming the failing cases
	// (CanPublish) or a group declared unlike a published policy's
	// (relations), ECONFLICT when the version is not a draft, ENOTFOUND.
	PublishPolicyVersion(ctx context.Context, id string, version int) (*Version, error)
}

// RunService stores runs with their decisions and reads them back, with
// the transitions each decision went through.
type RunService interface {
	// CreateRun stores run and the eligible and needs-data decisions of
	// decisions in one transaction: all or nothing. Other decisions
	// yielded are skipped. It sets run.ID, By (the context's actor),
	// FinishedAt, Eligible, TotalFen, NeedsData, Errors and each policy's
	// eligible and needs-data totals; the caller sets each policy's
	// NotEligible, Errors and ErrorSamples. EINVALID (a policy version not
	// published, a decision of a policy not in the run, a bad run),
	// ECONFLICT (two decisions of one policy for one enterprise), or the
	// iterator's error.
	CreateRun(ctx context.Context, run *Run, decisions iter.Seq2[*StoredDecision, error]) error
	// FindRuns returns one page of runs, newest first, and the total.
	FindRuns(ctx context.Context, filter RunFilter) ([]*Run, int, error)
	// FindRun returns a run. ENOTFOUND.
	FindRun(ctx context.Context, id int64) (*Run, error)
	// FindRunTotals returns a run's totals, by policy, dimension and key.
	// ENOTFOUND.
	FindRunTotals(ctx context.Context, id int64) ([]*RunTotal, error)
	// FindDecisions returns one page of stored decisions and the total.
	FindDecisions(ctx context.Context, filter DecisionFilter) ([]*StoredDecision, int, error)
	// FindDecision returns one stored decision. ENOTFOUND.
	FindDecision(ctx context.Context, ref DecisionRef) (*StoredDecision, error)
	// FindDecisionEvents returns the transitions of a decision, oldest first.
	FindDecisionEvents(ctx context.Context, ref DecisionRef) ([]*DecisionEvent, error)
	// FindApprovals returns when each decision of refs was approved (its
	// latest transition to approved), by decision, read at once: what
	// FindDecisionEvents tells of each. A decision never approved, or one
	// the reader may not see, is absent.
	FindApprovals(ctx context.Context, refs []DecisionRef) (map[DecisionRef]time.Time, error)
}

// PublicityService puts decisions on the public list (公示) and handles
// the objections raised while they are on it.
type PublicityService interface {
	// Publicise puts the computed decisions of one policy in a run on the
	// public list from today for days working days. EINVALID (days < 1),
	// ENOTFOUND (no such run or policy in it), ECONFLICT (already
	// publicised).
	Publicise(ctx context.Context, runID int64, policyID string, days int) (*Publicity, error)
	// FindPublicity returns one page of the public list — decisions
	// publicised and not withdrawn or reversed — and the total.
	FindPublicity(ctx context.Context, filter PublicityFilter) ([]*PublicityEntry, int, error)

	// CreateObjection records an enterprise's objection to a publicised
	// decision, or to its absence from a publicised run, and moves a
	// disputed decision to objected. o.By is set to the context's actor.
	// EINVALID (no reason; the run's policy is not publicised; the window
	// has closed), ENOTFOUND (no such run), ECONFLICT (an objection is
	// already open for the ref).
	CreateObjection(ctx context.Context, o *Objection) error
	// ResolveObjection upholds or rejects an open objection. Upheld
	// withdraws the decision (a new run recomputes it); rejected puts it
	// back on the list. ENOTFOUND, ECONFLICT (already resolved), EINVALID
	// (no resolution text).
	ResolveObjection(ctx context.Context, id int64, upheld bool, resolution string) (*Objection, error)
	// FindObjectionByID returns one objection. ENOTFOUND.
	FindObjectionByID(ctx context.Context, id int64) (*Objection, error)
	// CorrectFacts writes f, a corrected fiscal year of the objecting
	// enterprise's figures with its source and as-of day, as a new facts
	// report (the registry's facts, audited as any facts write), and
	// records the correction on the objection's decision, in one
	// transaction. Only an upheld objection allows it: the correction is
	// what the objection was upheld for, and a re-decision reads it.
	// EINVALID (the objection is not upheld; invalid facts), ENOTFOUND.
	CorrectFacts(ctx context.Context, objectionID int64, f *chanye.Facts) (*chanye.Enterprise, error)
	// FindObjections returns one page of objections and the total.
	FindObjections(ctx context.Context, filter ObjectionFilter) ([]*Objection, int, error)
}

// LedgerService approves decisions and pays them into the ledger.
type LedgerService interface {
	// Approve approves publicised decisions whose window has ended, in one
	// transaction; decisions already approved or paid are left as they are,
	// so concurrent approvals are harmless. The four-eyes rule (四眼原则):
	// the approver is neither the account that ran the decision's run nor
	// the one that publicised it. ENOTFOUND, EINVALID (a decision still in
	// its window, objected, withdrawn or only computed), EFORBIDDEN (the
	// four-eyes rule).
	Approve(ctx context.Context, refs []DecisionRef) error
	// Pay pays an approved decision's entitlement as the treasury did it
	// (p: the day, the voucher and the bank batch). It is idempotent and
	// safe under races: the entitlement has at most one payment entry,
	// ever. Paying a decision whose entitlement is paid with the same
	// amount returns the existing entry; a decision from a later run with a
	// different amount adds an adjustment for the difference. EINVALID (not
	// approved; p invalid, its day after today or before the approval),
	// ECONFLICT (the decision paid with another voucher, batch or day; an
	// earlier or the same run's decision whose
	// amount differs from what was paid, or a reversed entitlement paid
	// again from a run that is not later), ENOTFOUND. created tells whether
	// the call wrote the entry (a payment or an adjustment) or returns one
	// written before (a replay), so that callers count and answer each
	// entry once.
	Pay(ctx context.Context, ref DecisionRef, p Payout) (e *LedgerEntry, created bool, err error)
	// Reverse cancels what was paid for the decision's entitlement with a
	// reversal entry of minus the net. ECONFLICT (nothing to reverse),
	// EINVALID (no reason), ENOTFOUND.
	Reverse(ctx context.Context, ref DecisionRef, reason string) (*LedgerEntry, error)
	// FindLedger returns one page of ledger entries and the total.
	FindLedger(ctx context.Context, filter LedgerFilter) ([]*LedgerEntry, int, error)
	// FindBudgetUse returns what the published version of a policy
	// (and its group) has approved and paid for one period, across runs,
	// against its budget. ENOTFOUND (no published version).
	FindBudgetUse(ctx context.Context, policyID string, period int) (*BudgetUse, error)
}

// BudgetUse is what a policy's budget carries for one period, across
// runs. Approved counts each entitlement once, at the most of its approved
// or paid decisions and what the ledger holds; Paid is the ledger's net.
// Approvals and payments beyond BudgetFen are refused, whatever AtLimit.
type BudgetUse struct {
	PolicyID    string     `json:"policy_id"`
	Period      int        `json:"period"`
	BudgetFen   chanye.Fen `json:"budget_fen"` // 0: no budget
	AtLimit     AtLimit    `json:"at_limit"`
	ApprovedFen chanye.Fen `json:"approved_fen"`
	PaidFen     chanye.Fen `json:"paid_fen"`
	// Group is the policy's exclusive group with its budget, when it
	// declares one: the same figures over the group's policies.
	Group *GroupUse `json:"group,omitempty"`
}

// GroupUse is a group's budget and what its policies carry for a period.
type GroupUse struct {
	ID                  string     `json:"id"`
	BudgetFen           chanye.Fen `json:"budget_fen"`
	CapPerEnterpriseFen chanye.Fen `json:"cap_per_enterprise_fen"`
	ApprovedFen         chanye.Fen `json:"approved_fen"`
	PaidFen             chanye.Fen `json:"paid_fen"`
}

// RemainingFen is the budget less what is approved (negative when over).
func (u *BudgetUse) RemainingFen() chanye.Fen { return u.BudgetFen - u.ApprovedFen }

// ApplicationService stores 快申快享 applications. Every change is recorded
// with the context's actor, as an event of the application's timeline
// and an audit entry, in the same transaction.
type ApplicationService interface {
	// SaveApplication creates a draft application of enterprise a.Code for
	// the published version of a.PolicyID with a.Values, or — a.ID set —
	// replaces the values of a draft or returned one. Values are checked
	// against the policy's applied inputs (CheckValues). EINVALID (the
	// policy takes no application; a value), ENOTFOUND (policy,
	// enterprise, application), ECONFLICT (an application of the
	// enterprise for the policy is already open, or this one is no longer
	// editable).
	SaveApplication(ctx context.Context, a *Application) (*Application, error)
	// MoveApplication moves an application to status to (submitted,
	// accepted, returned, withdrawn) with note (the reason of a return,
	// required). Submitting requires every applied input and sets the
	// review deadline: ReviewDays working days after today. ECONFLICT (not
	// a move from its status), EINVALID (a return without a reason,
	// missing values), ENOTFOUND.
	MoveApplication(ctx context.Context, id int64, to AppStatus, note string) (*Application, error)
	// AttachFile adds a file to an editable application (CheckAttachment
	// on name, the sniffed type and the size). EINVALID, ECONFLICT (not
	// editable; MaxAttachments reached), ENOTFOUND.
	AttachFile(ctx context.Context, appID int64, name, contentType string, data []byte) (*Attachment, error)
	// FindAttachment returns an attachment with its bytes. ENOTFOUND.
	FindAttachment(ctx context.Context, appID, fileID int64) (*Attachment, []byte, error)
	// FindApplicationByID returns an application with its files and
	// events. ENOTFOUND.
	FindApplicationByID(ctx context.Context, id int64) (*Application, error)
	// FindApplications returns one page of applications, newest first,
	// without files and events, and the total.
	FindApplications(ctx context.Context, filter ApplicationFilter) ([]*Application, int, error)
}

// InputService reads the declared inputs' values chanye holds: of key
// projects and of accepted applications.
type InputService interface {
	// FindInputs returns the inputs of the enterprises codes, or of every
	// enterprise that has any when codes is empty, by code.
	FindInputs(ctx context.Context, codes ...string) (map[string]*Inputs, error)
}

// Services are the policy services together, for the consumers that use
// several of them (the API, the pages) and for the decorators that wrap
// each (authorization, metrics). Applications join here as a service of
// their own.
type Services struct {
	Versions     VersionService
	Runs         RunService
	Publicity    PublicityService
	Ledger       LedgerService
	Applications ApplicationService // 快申快享 applications (application.go)
}
