// Package engine decides benefit policies (免申即享) for the whole
// enterprise base: it loads enterprises from the registry into the columnar
// evaluator (policy/vector), runs every published policy as of a day, and
// stores the eligible decisions with their explanations through
// policy.RunService. It also explains one enterprise across all policies and
// simulates a draft against the live base without writing.
//
// The engine imports neither database/sql nor net/http: the API, the pages
// and the CLI all call the same methods.
package engine

import (
	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Bucket is the eligible firms and money of one district, industry or size
// class.
type Bucket struct {
	Key       string     `json:"key"`
	NameZH    string     `json:"name_zh"`
	NameEN    string     `json:"name_en"`
	Eligible  int        `json:"eligible"`
	AmountFen chanye.Fen `json:"amount_fen"`
}

// BudgetLine is a policy's budget for one period against what is decided,
// approved and paid: Remaining is the budget less the most of what is
// decided and what is approved (negative: over). Over is set when the
// decided or the approved amount exceeds the budget.
type BudgetLine struct {
	PolicyID     string         `json:"policy_id"`
	Period       int            `json:"period"`
	BudgetFen    chanye.Fen     `json:"budget_fen"`
	AtLimit      policy.AtLimit `json:"at_limit"`
	DecidedFen   chanye.Fen     `json:"decided_fen"`
	ApprovedFen  chanye.Fen     `json:"approved_fen"` // approved or paid, by entitlement
	PaidFen      chanye.Fen     `json:"paid_fen"`     // the ledger's net
	RemainingFen chanye.Fen     `json:"remaining_fen"`
	Over         bool           `json:"over"`
}

// Totals are the eligible firms and money of one policy version over the
// base, overall and broken down.
type Totals struct {
	Eligible  int        `json:"eligible"`
	AmountFen chanye.Fen `json:"amount_fen"`
	NeedsData int        `json:"needs_data"` // decisions an unknown figure leaves open
	Excluded  int        `json:"excluded"`   // eligible by the rules, excluded by a relation or the budget
	// ReducedFen is what the relations and the budget took off the
	// amounts the rules decided (caps, pro rata, exclusions).
	ReducedFen chanye.Fen `json:"reduced_fen"`
	Errors     int        `json:"errors"` // decisions that failed
	ByDistrict []Bucket   `json:"by_district"`
	ByIndustry []Bucket   `json:"by_industry"`
	BySize     []Bucket   `json:"by_size"`
}

// Change is one enterprise whose amount differs between the published
// version and the draft.
type Change struct {
	Code      string     `json:"code"`
	Name      string     `json:"name"`
	BeforeFen chanye.Fen `json:"before_fen"`
	AfterFen  chanye.Fen `json:"after_fen"`
}

// Simulation is a what-if: a draft (or changed parameters) run on the live
// base without writing anything, against its budget and against the
// published version of the same policy.
type Simulation struct {
	PolicyID    string      `json:"policy_id"`
	AsOf        chanye.Date `json:"as_of"`
	Enterprises int         `json:"enterprises"` // evaluated
	Draft       Totals      `json:"draft"`
	BudgetFen   chanye.Fen  `json:"budget_fen"`
	OverBudget  bool        `json:"over_budget"`
	// Budget is the budget line: the budget and its mode, what the draft
	// decides (after the relations and the budget's cut), what is
	// approved and paid already for the period and what is left.
	Budget *BudgetLine `json:"budget,omitempty"`
	// Published is nil when the policy has no published version.
	Published *Totals    `json:"published"`
	Gainers   int        `json:"gainers"` // newly eligible or paid more
	Losers    int        `json:"losers"`  // no longer eligible or paid less
	GainFen   chanye.Fen `json:"gain_fen"`
	LossFen   chanye.Fen `json:"loss_fen"`
	// Changes are the largest differences by absolute amount, at most 100.
	Changes   []Change `json:"changes"`
	ElapsedMS int64    `json:"elapsed_ms"`
}

// PolicyDecision is one policy's live decision for one enterprise.
type PolicyDecision struct {
	PolicyID string          `json:"policy_id"`
	Version  int             `json:"version"`
	TitleZH  string          `json:"title_zh"`
	TitleEN  string          `json:"title_en"`
	Document string          `json:"document"`
	Clause   string          `json:"clause"`
	Mode     policy.Mode     `json:"mode"`
	Official bool            `json:"official"`
	Decision policy.Decision `json:"decision"`
}

// EnterpriseDecisions is everything chanye can tell an enterprise about the
// policies: what it gets now and why, what it misses by one condition and
// what is missing, and its stored decisions from runs with their status.
type EnterpriseDecisions struct {
	Code       string                   `json:"code"`
	Name       string                   `json:"name"`
	AsOf       chanye.Date              `json:"as_of"`
	Granted    []PolicyDecision         `json:"granted"`
	Excluded   []PolicyDecision         `json:"excluded"`   // eligible by the rules, excluded by a relation with a granted policy (the reason in Decision.Adjustments)
	NeedsData  []PolicyDecision         `json:"needs_data"` // 待补充数据: the figures each needs
	Errors     []PolicyDecision         `json:"errors"`     // the evaluation failed
	NearMisses []PolicyDecision         `json:"near_misses"`
	Others     []PolicyDecision         `json:"others"`
	Stored     []*policy.StoredDecision `json:"stored"`
	// StoredNeedsData are the needs-data decisions runs stored.
	StoredNeedsData []*policy.StoredDecision `json:"stored_needs_data"`
}
