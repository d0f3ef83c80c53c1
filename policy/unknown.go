package policy

import (
	"slices"
	"strings"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// Missing data is unknown, never zero. A figure absent for the period a
// rule reads (and a ratio or growth whose base is missing or zero) is an
// unknown attribute to cel-go: the reference evaluator runs every program
// with partial evaluation (cel.OptPartialEval) over an activation that
// names the subject's missing variables as unknown attribute patterns.
// cel-go then carries unknowns through every operator with its own rules —
// Kleene logic for && and || (unknown && false is false, unknown || true is
// true), strict operators (comparisons, arithmetic, functions, list
// literals, comprehension ranges, the condition of ?:) unknown when an
// operand is, an error winning over an unknown in a strict operator — and
// the fast path (policy/vector) mirrors those rules bit for bit.

// Verdict is what a policy decides for one enterprise.
type Verdict string

// The four verdicts. Only an eligible decision is ever paid; a needs-data
// decision is neither eligible nor ineligible and lists what it needs.
const (
	VerdictEligible    Verdict = "eligible"
	VerdictNotEligible Verdict = "not_eligible"
	VerdictNeedsData   Verdict = "needs_data" // 待补充数据
	VerdictError       Verdict = "error"
)

// Verdicts lists the verdicts in the order runs report them.
var Verdicts = []Verdict{VerdictEligible, VerdictNotEligible, VerdictNeedsData, VerdictError}

// NameZH is the verdict in Chinese, as pages and the CLI show it.
func (v Verdict) NameZH() string {
	return map[Verdict]string{VerdictEligible: "符合", VerdictNotEligible: "不符合", VerdictNeedsData: "待补充数据", VerdictError: "计算出错", VerdictExcluded: "已排除"}[v]
}

// NameEN is the verdict in English.
func (v Verdict) NameEN() string {
	return map[Verdict]string{VerdictEligible: "eligible", VerdictNotEligible: "not eligible", VerdictNeedsData: "needs data", VerdictError: "error", VerdictExcluded: "excluded"}[v]
}

// Need is a figure a needs-data decision waits for: a schema variable with
// its labels and, for a yearly figure, the fiscal year it is for.
type Need struct {
	Variable   string `json:"variable"`
	LabelZH    string `json:"label_zh"`
	LabelEN    string `json:"label_en"`
	FiscalYear int    `json:"fiscal_year,omitempty"`
	// Zero marks a figure that was reported as 0 where a rule divides by
	// it: the ratio is unknown until the figure is corrected or confirmed.
	Zero bool `json:"zero,omitempty"`
	// Input marks a declared input (input.NAME): the enterprise gives it
	// in an application, or its key project records it.
	Input bool `json:"input,omitempty"`
}

// derivedFrom names the figures a derived variable is computed from, the
// base (denominator) last: when the derived value is unknown, the figures
// needed are those of them that are missing, else the base, which is 0.
var derivedFrom = func() map[string][]string {
	m := map[string][]string{
		"e.revenue_growth": {"e.fy1.revenue", "e.fy2.revenue"},
		"e.revenue_cagr3":  {"e.fy1.revenue", "e.fy3.revenue"},
	}
	for _, fy := range fiscalYears {
		p := "e." + fy.key + "."
		m[p+"rd_ratio"] = []string{p + "rd_spending", p + "revenue"}
		m[p+"rd_staff_ratio"] = []string{p + "rd_staff", p + "employees"}
	}
	return m
}()

// fiscalYearOf returns the fiscal year a yearly variable (e.fyN.…) is for
// as of day asOf, or 0: fyN is the N-th calendar year before the as-of
// year, as NewSubject reads the facts.
func fiscalYearOf(name string, asOf chanye.Date) int {
	for n, fy := range fiscalYears {
		if strings.HasPrefix(name, "e."+fy.key+".") {
			return asOf.Year() - 1 - n
		}
	}
	return 0
}

// NeedsOf lists the figures behind the unknown variables names, for
// subject s as of asOf: deduplicated, in schema order.
func NeedsOf(s Subject, asOf chanye.Date, names []string) []Need {
	seen := map[string]bool{}
	var vars []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			vars = append(vars, n)
		}
	}
	zeros := map[string]bool{}
	for _, n := range names {
		base, ok := derivedFrom[n]
		if !ok {
			add(n)
			continue
		}
		missing := false
		for _, b := range base {
			if s.Missing(b) {
				add(b)
				missing = true
			}
		}
		if !missing { // reported, and the base is 0
			b := base[len(base)-1]
			zeros[b] = true
			add(b)
		}
	}
	slices.SortFunc(vars, func(a, b string) int { return schemaIndex[a] - schemaIndex[b] })
	out := make([]Need, 0, len(vars))
	for _, n := range vars {
		v, _ := LookupVariable(n)
		out = append(out, Need{Variable: n, LabelZH: v.LabelZH, LabelEN: v.LabelEN, FiscalYear: fiscalYearOf(n, asOf), Zero: zeros[n]})
	}
	return out
}

// unknownNames returns the variables an unknown value depends on.
func unknownNames(v ref.Val) []string {
	u, ok := v.(*types.Unknown)
	if !ok {
		return nil
	}
	var out []string
	for _, id := range u.IDs() {
		trails, _ := u.GetAttributeTrails(id)
		for _, t := range trails {
			if n := t.Variable(); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// patterns holds one attribute pattern per schema variable, made once:
// patterns are never changed after they are made, so they are shared.
var patterns = sync.OnceValue(func() []*interpreter.AttributePattern {
	out := make([]*interpreter.AttributePattern, len(schema))
	for i, v := range schema {
		out[i] = cel.AttributePattern(v.Name)
	}
	return out
})

// UnknownPatterns returns the attribute patterns of the variables of reads
// (schema indexes) that are missing for s: what a partial activation over
// s hands cel-go.
func (s Subject) UnknownPatterns(reads []int) []*interpreter.AttributePattern {
	if s.missing == nil {
		return nil
	}
	var out []*interpreter.AttributePattern
	all := patterns()
	for _, i := range reads {
		if s.missing[i] {
			out = append(out, all[i])
		}
	}
	return out
}

// readIndexes returns the schema indexes of the variables the compiled
// expressions read, in schema order.
func (c *Compiled) readIndexes() []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range append(append([]*expr(nil), c.conds...), c.amount) {
		for _, name := range x.reads {
			if i, ok := schemaIndex[name]; ok && !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

// ReadIndexes returns the schema indexes of the variables the policy's
// expressions read, in schema order, for an activation's unknown patterns.
func (c *Compiled) ReadIndexes() []int { return append([]int(nil), c.reads...) }

// partial is an activation over a subject that names its missing
// variables as unknown attribute patterns, for cel-go's partial
// evaluation.
type partial struct {
	activation
	unknowns []*interpreter.AttributePattern
}

var _ interpreter.PartialActivation = partial{}

// UnknownAttributePatterns implements interpreter.PartialActivation.
func (a partial) UnknownAttributePatterns() []*interpreter.AttributePattern { return a.unknowns }

// AsPartialActivation lets cel-go find the patterns through its frames.
func (a partial) AsPartialActivation() (interpreter.PartialActivation, bool) { return a, true }
