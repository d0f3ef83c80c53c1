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
	Department string         `json:"department,omitempty"`
	Contact    *Contact       `json:"contact,omitempty"` // where objections go; nil: the department, through chanye
	SourceURL  string         `json:"source_url,omitempty"`
	NoteZH     string         `json:"note_zh,omitempty"` // caveats on the citation or the reading
	NoteEN     string         `json:"note_en,omitempty"`
	Official   bool           `json:"official"` // false: an illustrative example, not an official text
	Effective  Period         `json:"effective"`
	BudgetFen  chanye.Fen     `json:"budget_fen"`
	Mode       Mode           `json:"mode"`
	Params     []Param        `json:"params"`
	Conds      []Condition    `json:"conditions"`
	Amount     Amount         `json:"amount"`
	Cases      []Case         `json:"cases,omitempty"`
	lines      map[string]int // YAML line of a field path, set by Parse
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
// int64 fen.
type Param struct {
	Name   string       `json:"name"`
	Type   ParamType    `json:"type"`
	Money  bool         `json:"money,omitempty"` // int values in fen
	Values []ParamValue `json:"values"`          // ascending by From
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

// Floor rounds a computed amount down to a whole unit.
type Floor string

// The rounding units of Amount.Floor; "" keeps fen.
const (
	FloorYuan Floor = "yuan"     // whole yuan
	FloorWan  Floor = "wan_yuan" // whole 万元
)

// Amount is how much an eligible enterprise gets: Expr is a CEL int in fen,
// rounded down by Floor, then clamped to [0, CapFen] (no cap when CapFen is
// zero). CapFen is at most chanye.MaxGrantFen; an amount above it, which only
// an uncapped formula can give, is an evaluation error (the decision is not
// eligible), as is a formula whose arithmetic overflows.
type Amount struct {
	Expr   string     `json:"expr"`
	CapFen chanye.Fen `json:"cap_fen,omitempty"`
	Floor  Floor      `json:"floor,omitempty"`
}

// Case is a test case beside the rules: an enterprise as of a day and what
// the policy must decide for it.
type Case struct {
	Name       string             `json:"name"`
	AsOf       chanye.Date        `json:"as_of"`
	Enterprise *chanye.Enterprise `json:"enterprise"`
	Expect     Expect             `json:"expect"`
}

// Expect is the expected decision of a case.
type Expect struct {
	Eligible  bool       `json:"eligible"`
	AmountFen chanye.Fen `json:"amount_fen"`
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

// line returns " (第 N 行 / line N)" for a field path Parse saw, or "".
func (p *Policy) line(path string) string {
	n := p.lines[path]
	if n == 0 && strings.HasSuffix(path, "_fen") {
		n = p.lines[strings.TrimSuffix(path, "_fen")+"_yuan"]
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("（第 %d 行 / line %d）", n, n)
}

// Validate checks everything but the expressions, which Compile checks. The
// error is EINVALID with Fields keyed by field path, e.g. conditions[2].id.
func (p *Policy) Validate() error {
	f := map[string]string{}
	set := func(path, msg string) {
		if _, dup := f[path]; !dup {
			f[path] = msg + p.line(path)
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
	if msg := chanye.CheckFen(p.BudgetFen, chanye.MaxBudgetFen); msg != "" {
		set("budget_fen", msg)
	}
	if p.Mode != ModeNoApplication && p.Mode != ModeOnApplication {
		set("mode", fmt.Sprintf("方式 %q 须为 no_application（免申即享）或 on_application / mode must be no_application or on_application", p.Mode))
	}
	seen := map[string]bool{}
	for i, pa := range p.Params {
		at := fmt.Sprintf("params.%s", pa.Name)
		if !identRE.MatchString(pa.Name) {
			set(at, "参数名须为小写标识符 / a parameter name must be a lowercase identifier")
		}
		if seen[pa.Name] {
			set(at, "参数重复 / duplicate parameter")
		}
		seen[pa.Name] = true
		if len(pa.Values) == 0 {
			set(at, "至少一个取值 / at least one value is required")
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
	}
	return false
}

// ParamsAt returns the value of every parameter in force on day d, keyed by
// name. EINVALID names a parameter with no value yet on d.
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
