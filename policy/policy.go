// Package policy holds benefit policies written as rules (免申即享): their
// YAML form, the enterprise schema the rules are checked against, compilation
// with cel-go, the reference evaluation with explanations, and the test cases
// that travel with each policy. It imports neither database/sql nor net/http.
package policy

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// Mode says whether a policy is granted without applying.
type Mode string

// The two modes of payment.
const (
	ModeNoApplication Mode = "no_application" // 免申即享
	ModeOnApplication Mode = "on_application" // 依申请
)

// Status is where a policy version is in its life.
type Status string

// The statuses of a policy version; a published version never changes.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Policy is one version of a benefit policy. Money is in fen.
type Policy struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Status   Status `json:"status"`
	TitleZH  string `json:"title_zh"`
	TitleEN  string `json:"title_en"`
	Document string `json:"document"` // 文号, e.g. 穗府办规〔2025〕13号
	Clause   string `json:"clause"`
	Issuer   string `json:"issuer"` // as the document says; text, never an identity
	// Department is the one department that administers the policy (one
	// of the catalog's department names): departments draft, publish and
	// carry out the policies whose Department is theirs. Required when a
	// version is stored; versions stored before it was asked have none,
	// and only administrators act on them.
	Department string     `json:"department,omitempty"`
	Contact    *Contact   `json:"contact,omitempty"` // where objections go; nil: the department, through chanye
	SourceURL  string     `json:"source_url,omitempty"`
	NoteZH     string     `json:"note_zh,omitempty"` // caveats on the citation or the reading
	NoteEN     string     `json:"note_en,omitempty"`
	Official   bool       `json:"official"` // false: an illustrative example, not an official text
	Effective  Period     `json:"effective"`
	BudgetFen  chanye.Fen `json:"budget_fen"`
	// AtLimit is what happens at the budget ("" is refuse: approvals
	// beyond it are refused); BudgetOrder is the order of in_order.
	AtLimit     AtLimit  `json:"at_limit,omitempty"`
	BudgetOrder []string `json:"budget_order,omitempty"`
	// Relations and Groups are how the policy relates to others that may
	// pay the same firm (see Relations, Group, Resolver).
	Relations Relations `json:"relations,omitzero"`
	Groups    []Group   `json:"groups,omitempty"`
	Mode      Mode      `json:"mode"`
	// FiscalYears is how many fiscal years before the as-of date the rules
	// read (e.fy1 … e.fyN); 0 means DefaultFiscalYears.
	FiscalYears int `json:"fiscal_years,omitempty"`
	// Cohort, when set, is the recognition the policy pays and the batches
	// it pays: a run pays the batch of its as-of year, and the entitlement
	// is of the batch's year of recognition (see Period).
	Cohort *Cohort `json:"cohort,omitempty"`
	// Inputs are the figures the rules read beyond the schema (input.NAME)
	// and where they come from; Application, how they are applied for.
	Inputs      []Input          `json:"inputs,omitempty"`
	Application *ApplicationRule `json:"application,omitempty"`
	Params      []Param          `json:"params"`
	Conds       []Condition      `json:"conditions"`
	Amount      Amount           `json:"amount"`
	Cases       []Case           `json:"cases,omitempty"`
	lines       map[string]int   // YAML line of a field path, set by Parse
}

// Recognition says which recognition of a tier a cohort counts.
type Recognition string

// The recognitions a cohort may count.
const (
	RecognitionFirst  Recognition = "first"  // 新认定: the first recognition of the tier; a renewal is not new
	RecognitionLatest Recognition = "latest" // the latest recognition, renewals included
)

// Cohort is the group of enterprises a policy pays by when they were
// recognised: "对新认定的专精特新“小巨人”企业……给予奖励" paid the year after
// the batch is recognised reads
//
//	cohort: {tier: little_giant, recognised_in: 2025, paid_in: 2026}
//
// A run as of a day of a PaidIn year pays the batch recognised in its
// RecognisedIn year (its first recognition of Tier, or its latest, at Level
// when given); on a day of a year no batch is paid in, the policy pays no
// one. Parse adds the condition CohortCondition that says so; rules read
// the batch's year as p.cohort_year (0 when none is paid that year).
type Cohort struct {
	Tier        chanye.TierKind  `json:"tier"`
	Level       chanye.TierLevel `json:"level,omitempty"`
	Recognition Recognition      `json:"recognition"` // "" counts as first
	Batches     []Batch          `json:"batches"`
}

// Batch is the enterprises recognised in one year, paid in another.
type Batch struct {
	RecognisedIn int `json:"recognised_in"`
	PaidIn       int `json:"paid_in"`
}

// CohortParam is the parameter rules read the paid batch's year of
// recognition from, p.cohort_year; CohortCondition is the id of the
// condition Parse adds for a cohort.
const (
	CohortParam     = "cohort_year"
	CohortCondition = "cohort"
)

// BatchPaidIn returns the batch paid in year.
func (c *Cohort) BatchPaidIn(year int) (Batch, bool) {
	for _, b := range c.Batches {
		if b.PaidIn == year {
			return b, true
		}
	}
	return Batch{}, false
}

// condition is the condition a cohort adds: the enterprise's recognition
// counted is of the paid batch's year (and level). p.cohort_year is 0 in a
// year no batch is paid, which no recognition matches.
func (c *Cohort) condition() Condition {
	v, rec, zh, en := "e.tier."+string(c.Tier)+".", "year", "首次认定", "first recognised"
	lv := "level"
	if c.Recognition != RecognitionLatest {
		rec, lv = "first_year", "first_level"
	} else {
		zh, en = "最近一次认定", "last recognised"
	}
	expr := fmt.Sprintf("p.%s > 0 && %s%s == p.%s", CohortParam, v, rec, CohortParam)
	as := c.Tier.NameZH()
	asEN := c.Tier.NameEN()
	if c.Level != "" {
		expr += fmt.Sprintf(" && %s%s == %q", v, lv, string(c.Level))
		as += "（" + c.Level.NameZH() + "）"
		asEN += " (" + strings.ToLower(c.Level.NameEN()) + ")"
	}
	var bz, be []string
	for _, b := range c.Batches {
		bz = append(bz, fmt.Sprintf("%d 年认定、%d 年兑现", b.RecognisedIn, b.PaidIn))
		be = append(be, fmt.Sprintf("recognised %d, paid %d", b.RecognisedIn, b.PaidIn))
	}
	return Condition{ID: CohortCondition,
		LabelZH: fmt.Sprintf("属兑现批次（%s）：%s为%s的年份为本批认定年度", strings.Join(bz, "；"), zh, as),
		LabelEN: fmt.Sprintf("In the batch paid (%s): %s as %s in the batch's year", strings.Join(be, "; "), en, asEN),
		Expr:    expr}
}

// Years returns how many fiscal years the rules may read.
func (p *Policy) Years() int {
	if p.FiscalYears == 0 {
		return DefaultFiscalYears
	}
	return p.FiscalYears
}

// Period returns the policy year of a decision as of day d, which keys its
// entitlement: the year of recognition of the batch a cohort policy pays
// in d's year, otherwise d's year.
func (p *Policy) Period(d chanye.Date) int {
	if p.Cohort != nil {
		if b, ok := p.Cohort.BatchPaidIn(d.Year()); ok {
			return b.RecognisedIn
		}
	}
	return d.Year()
}

// Period is a span of days; a zero To is open-ended.
type Period struct {
	From chanye.Date `json:"from"`
	To   chanye.Date `json:"to"`
}

// Contains reports whether day d lies in the period.
func (p Period) Contains(d chanye.Date) bool {
	return !d.Before(p.From.Time) && (p.To.IsZero() || !d.After(p.To.Time))
}

// ParamType is the CEL type of a parameter.
type ParamType string

// The parameter types.
const (
	ParamInt    ParamType = "int"
	ParamDouble ParamType = "double"
	ParamString ParamType = "string"
	ParamBool   ParamType = "bool"
)

// Param is a named value that may change on given dates; rules read it as
// p.NAME. Values are int64, float64, string or bool, all of Type; money is
// int64 fen. Explanations show a parameter by its labels and in its unit
// (money in 元 / 万元, a ratio or basis points as a percentage), never by
// its name or in raw fen.
type Param struct {
	Name    string       `json:"name"`
	Type    ParamType    `json:"type"`
	Money   bool         `json:"money,omitempty"` // int values in fen
	LabelZH string       `json:"label_zh,omitempty"`
	LabelEN string       `json:"label_en,omitempty"`
	Unit    Unit         `json:"unit,omitempty"` // how a value that is not money is shown: ratio, bp, people, count, years, year
	Values  []ParamValue `json:"values"`         // ascending by From
}

// ParamValue is the value of a parameter from a day on.
type ParamValue struct {
	From  chanye.Date `json:"from"`
	Value any         `json:"value"`
}

// At returns the value in force on day d: the one with the latest From not
// after d.
func (p *Param) At(d chanye.Date) (any, bool) {
	var v any
	found := false
	for _, pv := range p.Values {
		if pv.From.After(d.Time) {
			break
		}
		v, found = pv.Value, true
	}
	return v, found
}

// Condition is one named requirement of a policy, a CEL boolean.
type Condition struct {
	ID      string `json:"id" yaml:"id"`
	LabelZH string `json:"label_zh" yaml:"label_zh"`
	LabelEN string `json:"label_en" yaml:"label_en"`
	Clause  string `json:"clause,omitempty" yaml:"clause"`
	Expr    string `json:"expr" yaml:"expr"`
}

// Floor rounds a computed amount down to a whole unit: the older form of
// Rounding{Mode: RoundDown, To: yuan or wan}, still read.
type Floor string

// The rounding units of Amount.Floor; "" keeps fen.
const (
	FloorYuan Floor = "yuan"     // whole yuan
	FloorWan  Floor = "wan_yuan" // whole 万元
)

// RoundMode is how an amount is rounded to its unit.
type RoundMode string

// The rounding modes: down (toward zero; amounts are never negative) and
// half up (a half rounds up).
const (
	RoundDown   RoundMode = "down"
	RoundHalfUp RoundMode = "half_up"
)

// RoundUnit is the unit an amount is rounded to.
type RoundUnit string

// The rounding units.
const (
	RoundFen  RoundUnit = "fen"
	RoundYuan RoundUnit = "yuan"
	RoundWan  RoundUnit = "wan" // 万元
)

// fen is the unit in fen.
func (u RoundUnit) fen() int64 {
	switch u {
	case RoundYuan:
		return 100
	case RoundWan:
		return 1_000_000
	}
	return 1
}

// Rounding is how the amount is rounded, declared per policy: the mode
// (down by default) and the unit (fen by default). Each product of money
// and a rate parameter (x * p.rate) is rounded to the fen in the mode, and
// the amount to the unit in the mode.
type Rounding struct {
	Mode RoundMode `json:"mode,omitempty"`
	To   RoundUnit `json:"to,omitempty"`
}

// Amount is how much an eligible enterprise gets: Expr is a CEL int in
// fen, computed exactly (no double anywhere in it: Compile refuses one),
// rounded as Rounding (or Floor) says, then capped at CapFen (no cap when
// CapFen is zero). A negative value is an evaluation error, as is one
// above chanye.MaxGrantFen (which only an uncapped formula can give) or a
// formula whose arithmetic overflows: the decision is an error, never paid.
type Amount struct {
	Expr     string     `json:"expr"`
	CapFen   chanye.Fen `json:"cap_fen,omitempty"`
	Floor    Floor      `json:"floor,omitempty"`
	Rounding Rounding   `json:"rounding,omitzero"`
}

// Round is the rounding in force: Rounding, or Floor's, or down to the fen.
func (a Amount) Round() Rounding {
	r := a.Rounding
	switch a.Floor {
	case FloorYuan:
		r = Rounding{Mode: RoundDown, To: RoundYuan}
	case FloorWan:
		r = Rounding{Mode: RoundDown, To: RoundWan}
	}
	if r.Mode == "" {
		r.Mode = RoundDown
	}
	if r.To == "" {
		r.To = RoundFen
	}
	return r
}

// Final turns the formula's value into the amount granted: rounded as
// declared, capped at CapFen. problem, in Chinese and English, is set when
// the value is negative or the amount exceeds chanye.MaxGrantFen (only an
// uncapped formula can give that), so that no total of decisions wraps:
// the decision is an error. The reference and the fast path both call it.
func (a Amount) Final(raw chanye.Fen) (amt chanye.Fen, capped bool, problem string) {
	if raw < 0 {
		z, e := MoneyText(raw)
		return 0, false, fmt.Sprintf("金额公式的结果为负（%s）/ the amount formula is negative (%s)", z, e)
	}
	if raw > chanye.MaxGrantFen {
		if a.CapFen > 0 { // the cap is at most chanye.MaxGrantFen
			return a.CapFen, true, ""
		}
		return 0, false, fmt.Sprintf("金额 %s 元超过单户上限 %s 元 / the amount ¥%s exceeds the limit of ¥%s per enterprise",
			raw.Yuan(), chanye.MaxGrantFen.Yuan(), raw.Yuan(), chanye.MaxGrantFen.Yuan())
	}
	r := a.Round()
	amt = roundFen(raw, r)
	if a.CapFen > 0 && amt > a.CapFen {
		amt, capped = a.CapFen, true
	}
	if amt > chanye.MaxGrantFen { // half up past the bound
		return 0, false, fmt.Sprintf("金额 %s 元超过单户上限 %s 元 / the amount ¥%s exceeds the limit of ¥%s per enterprise",
			amt.Yuan(), chanye.MaxGrantFen.Yuan(), amt.Yuan(), chanye.MaxGrantFen.Yuan())
	}
	return amt, capped, ""
}

// Apply rounds a non-negative amount at most chanye.MaxGrantFen to the
// unit of r, in its mode.
func (r Rounding) Apply(x chanye.Fen) chanye.Fen { return roundFen(x, r) }

// roundFen rounds a non-negative amount at most chanye.MaxGrantFen to the
// unit of r.
func roundFen(x chanye.Fen, r Rounding) chanye.Fen {
	u := chanye.Fen(r.To.fen())
	if u == 1 {
		return x
	}
	if r.Mode == RoundHalfUp {
		return (x + u/2) / u * u
	}
	return x / u * u
}

// Case is a test case beside the rules: an enterprise as of a day and what
// the policy must decide for it.
type Case struct {
	Name       string             `json:"name"`
	AsOf       chanye.Date        `json:"as_of"`
	Enterprise *chanye.Enterprise `json:"enterprise"`
	Inputs     map[string]any     `json:"inputs,omitempty"` // the declared inputs' values, by name
	Expect     Expect             `json:"expect"`
}

// Expect is the expected decision of a case: eligible with the amount,
// not eligible, or needs data (neither: a figure the rules read is
// missing).
type Expect struct {
	Eligible  bool       `json:"eligible"`
	NeedsData bool       `json:"needs_data,omitempty"`
	AmountFen chanye.Fen `json:"amount_fen"`
}

// Verdict is the verdict the case expects.
func (e Expect) Verdict() Verdict {
	switch {
	case e.Eligible:
		return VerdictEligible
	case e.NeedsData:
		return VerdictNeedsData
	}
	return VerdictNotEligible
}

// Bounds of a policy file: a test request runs every case, so both are
// held to what a real policy needs (the shipped ones have under 10 cases
// and 4 KB).
const (
	MaxCases       = 100
	MaxSourceBytes = 256 << 10
)

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	identRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// atLine returns the "中文 / English" message msg with the line of a field
// path Parse saw added to each half — "（第 N 行）", " (line N)" — or msg
// as it is for a path it did not see.
func (p *Policy) atLine(msg, path string) string {
	n := p.lines[path]
	if n == 0 && strings.HasSuffix(path, "_fen") {
		n = p.lines[strings.TrimSuffix(path, "_fen")+"_yuan"]
	}
	return atLine(msg, n)
}

// Validate checks everything but the expressions, which Compile checks. The
// error is EINVALID with Fields keyed by field path, e.g. conditions[2].id.
func (p *Policy) Validate() error {
	f := map[string]string{}
	set := func(path, msg string) {
		if _, dup := f[path]; !dup {
			f[path] = p.atLine(msg, path)
		}
	}
	if !slugRE.MatchString(p.ID) {
		set("id", "须为小写字母、数字和连字符 / must be a slug of lowercase letters, digits and hyphens")
	}
	if p.Version < 1 {
		set("version", "须为正整数 / must be a positive integer")
	}
	if p.Status != StatusDraft && p.Status != StatusPublished {
		set("status", fmt.Sprintf("状态 %q 须为 draft 或 published / status must be draft or published", p.Status))
	}
	for path, v := range map[string]string{"title_zh": p.TitleZH, "title_en": p.TitleEN, "document": p.Document, "issuer": p.Issuer} {
		if strings.TrimSpace(v) == "" {
			set(path, "必填 / required")
		}
	}
	if d := p.Department; d != "" && (d != strings.TrimSpace(d) || strings.ContainsAny(d, " ,，、;；/（）()") || utf8.RuneCountInString(d) > 40) {
		set("department", "须为一个部门的名称，如 市工业和信息化局 / must be the name of one department, such as 市工业和信息化局")
	}
	p.Contact.validate(set)
	if p.Effective.From.IsZero() {
		set("effective.from", "必填 / required")
	} else if !p.Effective.To.IsZero() && p.Effective.To.Before(p.Effective.From.Time) {
		set("effective.to", "不能早于起始日期 / must not be before from")
	}
	p.validateRelations(set)
	if p.Mode != ModeNoApplication && p.Mode != ModeOnApplication {
		set("mode", fmt.Sprintf("方式 %q 须为 no_application（免申即享）或 on_application / mode must be no_application or on_application", p.Mode))
	}
	if p.FiscalYears < 0 || p.FiscalYears > MaxFiscalYears {
		set("fiscal_years", fmt.Sprintf("须为 1 至 %d / must be 1 to %d", MaxFiscalYears, MaxFiscalYears))
	}
	if p.Cohort != nil {
		p.validateCohort(set)
	}
	p.validateInputs(set)
	seen := map[string]bool{}
	for i, pa := range p.Params {
		at := fmt.Sprintf("params.%s", pa.Name)
		if !identRE.MatchString(pa.Name) {
			set(at, "参数名须为小写标识符 / a parameter name must be a lowercase identifier")
		}
		if seen[pa.Name] {
			set(at, "参数重复 / duplicate parameter")
		}
		if pa.Name == CohortParam && p.Cohort != nil {
			set(at, fmt.Sprintf("参数名 %s 由 cohort 给出 / the parameter %s comes from the cohort", CohortParam, CohortParam))
		}
		seen[pa.Name] = true
		if len(pa.Values) == 0 {
			set(at, "至少一个取值 / at least one value is required")
		}
		if !paramUnits[pa.Unit] || pa.Unit == UnitBP && pa.Type != ParamInt || pa.Unit == UnitRatio && pa.Type != ParamDouble && pa.Type != ParamRate {
			set(at+".unit", fmt.Sprintf("单位 %q 不适用于 %s 参数 / unit %q does not fit a %s parameter", pa.Unit, pa.Type, pa.Unit, pa.Type))
		}
		for j, v := range pa.Values {
			vat := fmt.Sprintf("%s[%d]", at, j)
			if v.From.IsZero() {
				set(vat+".from", "必填 / required")
			} else if j > 0 && !v.From.After(pa.Values[j-1].From.Time) {
				set(vat+".from", "日期须严格递增 / dates must be strictly increasing")
			}
			if !pa.Type.holds(v.Value) {
				set(vat+".value", fmt.Sprintf("取值须为 %s，与首个取值一致 / the value must be of type %s like the first", pa.Type, pa.Type))
			} else if x, ok := v.Value.(int64); ok && pa.Money {
				// Money parameters are thresholds on the facts and terms of
				// the formula: bounded like the facts they are compared with.
				if msg := chanye.CheckFen(chanye.Fen(x), chanye.MaxFactFen); msg != "" {
					set(vat+".value", msg)
				}
			}
		}
		_ = i
	}
	if len(p.Conds) == 0 {
		set("conditions", "至少一个条件 / at least one condition is required")
	}
	ids := map[string]bool{}
	for i, c := range p.Conds {
		at := fmt.Sprintf("conditions[%d]", i)
		if !identRE.MatchString(c.ID) {
			set(at+".id", "条件编号须为小写标识符 / a condition id must be a lowercase identifier")
		} else if ids[c.ID] {
			set(at+".id", fmt.Sprintf("条件编号 %s 重复 / duplicate condition id", c.ID))
		}
		ids[c.ID] = true
		if c.ID == CohortCondition && (p.Cohort == nil || c.Expr != p.Cohort.condition().Expr) {
			set(at+".id", fmt.Sprintf("条件编号 %s 留给 cohort 生成的条件 / the condition id %s is kept for the cohort's condition", CohortCondition, CohortCondition))
		}
		if strings.TrimSpace(c.LabelZH) == "" {
			set(at+".label_zh", "必填 / required")
		}
		if strings.TrimSpace(c.LabelEN) == "" {
			set(at+".label_en", "必填 / required")
		}
		if strings.TrimSpace(c.Expr) == "" {
			set(at+".expr", "必填 / required")
		}
	}
	if strings.TrimSpace(p.Amount.Expr) == "" {
		set("amount.expr", "必填 / required")
	}
	if msg := chanye.CheckFen(p.Amount.CapFen, chanye.MaxGrantFen); msg != "" {
		set("amount.cap_fen", msg)
	}
	if p.Amount.Floor != "" && p.Amount.Floor != FloorYuan && p.Amount.Floor != FloorWan {
		set("amount.floor", "须为 yuan 或 wan_yuan / must be yuan or wan_yuan")
	}
	if r := p.Amount.Rounding; r.Mode != "" && r.Mode != RoundDown && r.Mode != RoundHalfUp {
		set("amount.rounding.mode", fmt.Sprintf("舍入方式 %q 须为 down 或 half_up / the rounding mode must be down or half_up", r.Mode))
	}
	if r := p.Amount.Rounding; r.To != "" && r.To != RoundFen && r.To != RoundYuan && r.To != RoundWan {
		set("amount.rounding.to", fmt.Sprintf("舍入单位 %q 须为 fen、yuan 或 wan / the rounding unit must be fen, yuan or wan", r.To))
	}
	if p.Amount.Floor != "" && p.Amount.Rounding != (Rounding{}) {
		set("amount.rounding", "floor 与 rounding 只能写一个 / give floor or rounding, not both")
	}
	if len(p.Cases) > MaxCases {
		set("cases", fmt.Sprintf("至多 %d 个用例，实有 %d 个 / at most %d cases, not %d", MaxCases, len(p.Cases), MaxCases, len(p.Cases)))
	}
	for i, c := range p.Cases {
		at := fmt.Sprintf("cases[%d]", i)
		if strings.TrimSpace(c.Name) == "" {
			set(at+".name", "必填 / required")
		}
		if c.AsOf.IsZero() {
			set(at+".as_of", "必填 / required")
		}
		if c.Enterprise == nil {
			set(at+".enterprise", "必填 / required")
		} else {
			for j, f := range c.Enterprise.Facts {
				for k, v := range f.Values() {
					ff := chanye.FactFields[k]
					if v != nil && ff.Money && chanye.Fen(*v) > chanye.MaxFactFen {
						set(fmt.Sprintf("%s.enterprise.facts[%d].%s", at, j, ff.Key), chanye.ExceedsFen(chanye.MaxFactFen))
					} else if v != nil && !ff.Money && *v > chanye.MaxFactCount {
						set(fmt.Sprintf("%s.enterprise.facts[%d].%s", at, j, ff.Key), chanye.ExceedsCount(chanye.MaxFactCount))
					}
				}
			}
		}
		if msg := chanye.CheckFen(c.Expect.AmountFen, chanye.MaxGrantFen); msg != "" {
			set(at+".expect.amount_fen", msg)
		}
	}
	return chanye.Invalid(fmt.Sprintf("政策 %s 有误 / invalid policy", p.ID), f)
}

// validateCohort checks the cohort: a known tier and level, at least one
// batch, each paid in its year of recognition or later and in a year that
// meets the effective period, no two paid in one year; and the condition
// Parse adds for it.
func (p *Policy) validateCohort(set func(path, msg string)) {
	c := p.Cohort
	if !c.Tier.Valid() {
		set("cohort.tier", fmt.Sprintf("未知梯度 %q / unknown tier", c.Tier))
	}
	if c.Level != "" && !c.Level.Valid() {
		set("cohort.level", fmt.Sprintf("未知认定级别 %q，须为 national、provincial 或 municipal / unknown level, must be national, provincial or municipal", c.Level))
	}
	if c.Recognition != "" && c.Recognition != RecognitionFirst && c.Recognition != RecognitionLatest {
		set("cohort.recognition", fmt.Sprintf("%q 须为 first（首次认定）或 latest（最近一次认定）/ must be first or latest", c.Recognition))
	}
	if len(c.Batches) == 0 {
		set("cohort", "须写明认定年度与兑现年度：recognised_in、paid_in，或 batches / give recognised_in and paid_in, or batches")
	}
	paid := map[int]bool{}
	for i, b := range c.Batches {
		at := fmt.Sprintf("cohort.batches[%d]", i)
		switch {
		case b.RecognisedIn < 1949 || b.RecognisedIn > 9999:
			set(at+".recognised_in", fmt.Sprintf("认定年度 %d 无效 / invalid year of recognition", b.RecognisedIn))
		case b.PaidIn < b.RecognisedIn || b.PaidIn > 9999:
			set(at+".paid_in", fmt.Sprintf("兑现年度 %d 须不早于认定年度 %d / the year paid %d must not be before the year of recognition %d", b.PaidIn, b.RecognisedIn, b.PaidIn, b.RecognisedIn))
		case paid[b.PaidIn]:
			set(at+".paid_in", fmt.Sprintf("%d 年已有兑现批次 / a batch is already paid in %d", b.PaidIn, b.PaidIn))
		case !p.Effective.From.IsZero() && (b.PaidIn < p.Effective.From.Year() || !p.Effective.To.IsZero() && b.PaidIn > p.Effective.To.Year()):
			set(at+".paid_in", fmt.Sprintf("兑现年度 %d 不在有效期内 / the year paid %d is outside the effective period", b.PaidIn, b.PaidIn))
		}
		paid[b.PaidIn] = true
	}
	want := c.condition()
	found := false
	for _, cd := range p.Conds {
		found = found || cd.ID == want.ID && cd.Expr == want.Expr
	}
	if !found {
		set("cohort", "缺少 cohort 生成的条件（政策须由 Parse 读入）/ the cohort's condition is missing (policies are read by Parse)")
	}
}

func (t ParamType) holds(v any) bool {
	switch v.(type) {
	case int64:
		return t == ParamInt
	case float64:
		return t == ParamDouble
	case string:
		return t == ParamString
	case bool:
		return t == ParamBool
	case Rate:
		return t == ParamRate
	}
	return false
}

// ParamsAt returns the value of every parameter in force on day d, keyed by
// name, and for a cohort policy p.cohort_year. EINVALID names a parameter
// with no value yet on d.
func (p *Policy) ParamsAt(d chanye.Date) (map[string]any, error) {
	out := make(map[string]any, len(p.Params))
	f := map[string]string{}
	for i := range p.Params {
		v, ok := p.Params[i].At(d)
		if !ok {
			f["params."+p.Params[i].Name] = fmt.Sprintf("%s 前无取值 / no value before %s", d, d)
			continue
		}
		out[p.Params[i].Name] = v
	}
	if p.Cohort != nil {
		b, _ := p.Cohort.BatchPaidIn(d.Year())
		out[CohortParam] = int64(b.RecognisedIn)
	}
	if err := chanye.Invalid("参数无取值 / parameter without a value", f); err != nil {
		return nil, err
	}
	return out, nil
}

// param returns the parameter named n, or nil.
func (p *Policy) param(n string) *Param {
	for i := range p.Params {
		if p.Params[i].Name == n {
			return &p.Params[i]
		}
	}
	return nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
