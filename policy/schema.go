package policy

import (
	"fmt"
	"math"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/interpreter"
)

// Unit says how a variable's value is measured and shown.
type Unit string

// The units of schema variables.
const (
	UnitNone   Unit = ""
	UnitFen    Unit = "fen"    // money in fen, shown in 元 / 万元
	UnitPeople Unit = "people" // 人
	UnitCount  Unit = "count"  // 件, 个
	UnitRatio  Unit = "ratio"  // a fraction (0.03), shown as a percentage (3 %)
	UnitYear   Unit = "year"   // a calendar year
	UnitYears  Unit = "years"  // a duration in whole years
	UnitDate   Unit = "date"   // a day written as the int YYYYMMDD
	UnitCode   Unit = "code"   // a code of a standard
)

// Variable is one name a rule may read. Every variable is a scalar (int,
// double, string, bool) or a list of strings, so that a vectorised evaluator
// can hold each in one typed column.
type Variable struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // CEL type: int, double, string, bool, list(string)
	LabelZH string `json:"label_zh"`
	LabelEN string `json:"label_en"`
	Unit    Unit   `json:"unit"`
	cel     *cel.Type
}

// Fiscal years. A rule sees the fiscal years before the as-of date as
// e.fy1 (the last complete one, the calendar year before the as-of year),
// e.fy2 and so on. A policy reads at most its FiscalYears of them, 3 unless
// it declares more, up to MaxFiscalYears. The schema holds all
// MaxFiscalYears for every policy, so that one set of columns serves a run
// of many policies (policy/vector reads only the columns a rule names).
const (
	DefaultFiscalYears = 3
	MaxFiscalYears     = 10
)

// fiscalYears names the fiscal years of the schema, fy1 first.
var fiscalYears = func() [MaxFiscalYears]struct{ key, zh, en string } {
	var out [MaxFiscalYears]struct{ key, zh, en string }
	named := [][2]string{{"上年度", "last fiscal year"}, {"前年度", "fiscal year before last"}, {"大前年度", "three fiscal years back"}}
	for i := range out {
		out[i].key = fmt.Sprintf("fy%d", i+1)
		if i < len(named) {
			out[i].zh, out[i].en = named[i][0], named[i][1]
		} else {
			out[i].zh, out[i].en = fmt.Sprintf("往前第 %d 个年度", i+1), fmt.Sprintf("%d fiscal years back", i+1)
		}
	}
	return out
}()

// beyondYears returns a message when reads name a fiscal year beyond the
// policy's FiscalYears, else "". who is "zh|en", as compileExpr takes it.
func (p *Policy) beyondYears(reads []string, who string) string {
	for _, name := range reads {
		if n := FiscalYearOf(name); n > p.Years() {
			zh, en, _ := strings.Cut(who, "|")
			return fmt.Sprintf("%s读取 %s，须声明 fiscal_years: %d 或以上（现为 %d，最多 %d）/ %s reads %s: declare fiscal_years: %d or more (now %d, at most %d)",
				zh, name, n, p.Years(), MaxFiscalYears, en, name, n, p.Years(), MaxFiscalYears)
		}
	}
	return ""
}

// derivedYears are the fiscal years the derived variables read.
var derivedYears = map[string]int{"e.revenue_growth": 2, "e.revenue_cagr3": 3}

// FiscalYearOf returns N for a variable of fiscal year N (e.fy5.revenue),
// the years a derived variable reads (e.revenue_cagr3: 3), else 0.
func FiscalYearOf(name string) int {
	if n, ok := derivedYears[name]; ok {
		return n
	}
	rest, ok := strings.CutPrefix(name, "e.fy")
	if !ok {
		return 0
	}
	n := 0
	for i := 0; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
		n = n*10 + int(rest[i]-'0')
	}
	return n
}

// schema lists the variables in a fixed order; a Subject holds their values
// in the same order. It is built once and never changes.
var schema, schemaIndex = buildSchema()

func buildSchema() ([]Variable, map[string]int) {
	var vs []Variable
	add := func(name string, t *cel.Type, zh, en string, u Unit) {
		vs = append(vs, Variable{Name: name, Type: typeName(t), LabelZH: zh, LabelEN: en, Unit: u, cel: t})
	}
	add("as_of", cel.IntType, "基准日（YYYYMMDD）", "as-of date (YYYYMMDD)", UnitDate)
	add("policy_year", cel.IntType, "政策年度（基准日所在年）", "policy year (year of the as-of date)", UnitYear)
	add("e.district", cel.StringType, "所在区（GB/T 2260）", "district (GB/T 2260)", UnitCode)
	add("e.class", cel.StringType, "行业小类（GB/T 4754）", "industry class (GB/T 4754)", UnitCode)
	add("e.division", cel.StringType, "行业大类（两位）", "industry division (2 digits)", UnitCode)
	add("e.industries", cel.ListType(cel.StringType), "所属产业（21+8）", "industries (21+8)", UnitNone)
	add("e.size", cel.StringType, "企业规模（large/medium/small/micro）", "size class (large/medium/small/micro)", UnitNone)
	add("e.age", cel.IntType, "成立年限", "age", UnitYears)
	for _, k := range chanye.TierKinds {
		n, p := k.NameZH(), "e.tier."+string(k)+"."
		add(p+"held", cel.BoolType, "现为"+n, "holds "+k.NameEN(), UnitNone)
		add(p+"year", cel.IntType, n+"最近认定年份", k.NameEN()+": year of latest recognition", UnitYear)
		add(p+"first_year", cel.IntType, n+"首次认定年份", k.NameEN()+": year of first recognition", UnitYear)
		add(p+"date", cel.IntType, n+"最近认定日期（YYYYMMDD）", k.NameEN()+": date of latest recognition (YYYYMMDD)", UnitDate)
		add(p+"first_date", cel.IntType, n+"首次认定日期（YYYYMMDD）", k.NameEN()+": date of first recognition (YYYYMMDD)", UnitDate)
		add(p+"level", cel.StringType, n+"最近认定级别（national/provincial/municipal）", k.NameEN()+": level of latest recognition (national/provincial/municipal)", UnitNone)
		add(p+"first_level", cel.StringType, n+"首次认定级别（national/provincial/municipal）", k.NameEN()+": level of first recognition (national/provincial/municipal)", UnitNone)
	}
	for _, fy := range fiscalYears {
		p := "e." + fy.key + "."
		for _, ff := range chanye.FactFields {
			u := UnitCount
			switch {
			case ff.Money:
				u = UnitFen
			case ff.Key == "employees" || ff.Key == "rd_staff":
				u = UnitPeople
			}
			add(p+figureName(ff), cel.IntType, ff.NameZH+"（"+fy.zh+"）", ff.NameEN+" ("+fy.en+")", u)
		}
		add(p+"reported", cel.BoolType, "已报送数据（"+fy.zh+"）", "facts reported ("+fy.en+")", UnitNone)
		add(p+"rd_ratio", cel.DoubleType, "研发投入强度（"+fy.zh+"）", "R&D ratio ("+fy.en+")", UnitRatio)
		add(p+"rd_staff_ratio", cel.DoubleType, "研发人员占比（"+fy.zh+"）", "R&D staff ratio ("+fy.en+")", UnitRatio)
	}
	add("e.revenue_growth", cel.DoubleType, "营业收入增长率（上年度比前年度）", "revenue growth (last fiscal year on the one before)", UnitRatio)
	add("e.revenue_cagr3", cel.DoubleType, "营业收入三年复合增长率", "revenue CAGR over three fiscal years", UnitRatio)
	idx := make(map[string]int, len(vs))
	for i, v := range vs {
		idx[v.Name] = i
	}
	return vs, idx
}

// zeroValues holds the value of every schema variable when nothing is
// known of it, in schema order: NewSubject starts from a copy.
var zeroValues = func() []any {
	out := make([]any, len(schema))
	for i, v := range schema {
		switch v.Type {
		case "int":
			out[i] = int64(0)
		case "double":
			out[i] = 0.0
		case "string":
			out[i] = ""
		case "bool":
			out[i] = false
		default:
			out[i] = []string{}
		}
	}
	return out
}()

// figureName is the rule name of a fact figure: its key without _fen.
func figureName(ff chanye.FactField) string { return strings.TrimSuffix(ff.Key, "_fen") }

func typeName(t *cel.Type) string {
	if t.Kind() == cel.ListKind {
		return "list(string)"
	}
	return t.String()
}

// Schema describes every variable of the enterprise schema, in order, for
// the API and the policy editor. Parameters are read as p.NAME besides.
func Schema() []Variable {
	return append([]Variable(nil), schema...)
}

// LookupVariable returns the schema variable of the given name.
func LookupVariable(name string) (Variable, bool) {
	i, ok := schemaIndex[name]
	if !ok {
		return Variable{}, false
	}
	return schema[i], true
}

// Subject is the enterprise as rules see it on one as-of date: one value per
// schema variable, and which of them are missing — not reported, or a
// ratio or growth whose base is missing or 0. A missing value is unknown to
// the rules, never 0: a condition that depends on it is unknown and the
// decision needs data (see Evaluate). Its slot in values holds the zero of
// its type, which nothing reads as a figure.
type Subject struct {
	Code    string
	AsOf    chanye.Date
	values  []any // by schema index: int64, float64, string, bool or []string
	missing []bool
	inputs  *Inputs // the declared inputs' values chanye holds; nil: none
}

// WithInputs returns s reading the declared inputs' values from ins.
func (s Subject) WithInputs(ins *Inputs) Subject {
	s.inputs = ins
	return s
}

// Inputs returns the declared inputs' values the subject holds, or nil.
func (s Subject) Inputs() *Inputs { return s.inputs }

// NewSubject computes the schema values of e as of day asOf. Tiers count
// from their day of recognition on, with its date and level; the size class
// is the one of the fiscal year asOf sees (chanye.Enterprise.SizeClassOn);
// facts are merged per fiscal year.
func NewSubject(e *chanye.Enterprise, asOf chanye.Date) Subject {
	s := Subject{Code: e.Code, AsOf: asOf, values: make([]any, len(schema)), missing: make([]bool, len(schema))}
	copy(s.values, zeroValues)
	set := func(i int, v any, missing bool) { s.values[i], s.missing[i] = v, missing }
	sl := &slots
	y := asOf.Year()
	set(sl.asOf, dateInt(asOf), false)
	set(sl.policyYear, int64(y), false)
	set(sl.district, e.DistrictCode, e.DistrictCode == "")
	set(sl.class, e.IndustryClass, e.IndustryClass == "")
	div := ""
	if len(e.IndustryClass) >= 2 {
		div = e.IndustryClass[:2]
	}
	set(sl.division, div, div == "")
	if e.Industries != nil {
		set(sl.industries, append([]string(nil), e.Industries...), false)
	}
	size := e.SizeClassOn(asOf)
	set(sl.size, string(size), size == "")
	age := 0
	if !e.Founded.IsZero() {
		f := e.Founded
		age = y - f.Year()
		if asOf.Month() < f.Month() || asOf.Month() == f.Month() && asOf.Day() < f.Day() {
			age--
		}
		age = max(age, 0)
	}
	set(sl.age, int64(age), e.Founded.IsZero())
	for k, kind := range chanye.TierKinds {
		held := false
		var first, latest *chanye.Tier
		for i := range e.Tiers {
			t := &e.Tiers[i]
			if t.Kind != kind || t.From.After(asOf.Time) {
				continue
			}
			held = held || t.ActiveOn(asOf)
			if latest == nil || t.From.After(latest.From.Time) {
				latest = t
			}
			if first == nil || t.From.Before(first.From.Time) {
				first = t
			}
		}
		ts := &sl.tiers[k]
		set(ts.held, held, false)
		if latest == nil {
			continue // never recognised: years and dates 0, levels "", none missing
		}
		set(ts.year, int64(latest.From.Year()), false)
		set(ts.firstYear, int64(first.From.Year()), false)
		set(ts.date, dateInt(latest.From), false)
		set(ts.firstDate, dateInt(first.From), false)
		// A recognition whose level was not recorded has an unknown level.
		set(ts.level, string(latest.Level), latest.Level == "")
		set(ts.firstLevel, string(first.Level), first.Level == "")
	}
	var byYear [MaxFiscalYears][]*chanye.Facts // fy1 first
	for _, f := range e.Facts {
		if f == nil {
			continue
		}
		if n := y - 1 - f.Year; n >= 0 && n < MaxFiscalYears {
			byYear[n] = append(byYear[n], f)
		}
	}
	var revenue [3]*int64
	for n := range sl.years {
		ys := &sl.years[n]
		if byYear[n] == nil { // not reported: every figure and ratio is 0 and missing
			for _, i := range ys.figures {
				s.missing[i] = true
			}
			s.missing[ys.rdRatio], s.missing[ys.rdStaffRatio] = true, true
			continue
		}
		f := chanye.MergeFacts(byYear[n])
		for i, v := range f.Values() {
			if v == nil {
				s.missing[ys.figures[i]] = true
			} else {
				s.values[ys.figures[i]] = *v
			}
		}
		set(ys.reported, true, false)
		rd, rev := (*int64)(f.RDSpending), (*int64)(f.Revenue)
		set(ys.rdRatio, ratio(rd, rev), rd == nil || rev == nil || *rev == 0)
		set(ys.rdStaffRatio, ratio(f.RDStaff, f.Employees), f.RDStaff == nil || f.Employees == nil || *f.Employees == 0)
		if n < len(revenue) {
			revenue[n] = rev
		}
	}
	// (fy1 - fy2) / fy2 in one correctly rounded division, so that a growth
	// of exactly 15 % compares equal to the literal 0.15.
	if revenue[0] != nil && revenue[1] != nil && *revenue[1] != 0 {
		diff := *revenue[0] - *revenue[1]
		set(sl.growth, ratio(&diff, revenue[1]), false)
	} else {
		set(sl.growth, 0.0, true)
	}
	if g := ratio(revenue[0], revenue[2]); revenue[0] != nil && revenue[2] != nil && *revenue[2] != 0 {
		set(sl.cagr3, math.Sqrt(g)-1, false)
	} else {
		set(sl.cagr3, 0.0, true)
	}
	return s
}

// tierSlots and yearSlots are the schema indexes of one tier kind's and one
// fiscal year's variables.
type (
	tierSlots struct{ held, year, firstYear, date, firstDate, level, firstLevel int }
	yearSlots struct {
		figures                         []int // by chanye.FactFields
		reported, rdRatio, rdStaffRatio int
	}
)

// slots are the schema indexes NewSubject writes, looked up once: a run
// builds a subject for each of millions of enterprises.
var slots = func() (sl struct {
	asOf, policyYear, district, class, division, industries, size, age, growth, cagr3 int

	tiers []tierSlots // by chanye.TierKinds
	years [MaxFiscalYears]yearSlots
}) {
	at := func(name string) int {
		i, ok := schemaIndex[name]
		if !ok {
			panic("policy: no schema variable " + name)
		}
		return i
	}
	sl.asOf, sl.policyYear, sl.district, sl.class, sl.division = at("as_of"), at("policy_year"), at("e.district"), at("e.class"), at("e.division")
	sl.industries, sl.size, sl.age, sl.growth, sl.cagr3 = at("e.industries"), at("e.size"), at("e.age"), at("e.revenue_growth"), at("e.revenue_cagr3")
	sl.tiers = make([]tierSlots, len(chanye.TierKinds))
	for k, kind := range chanye.TierKinds {
		p, t := "e.tier."+string(kind)+".", &sl.tiers[k]
		t.held, t.year, t.firstYear, t.date = at(p+"held"), at(p+"year"), at(p+"first_year"), at(p+"date")
		t.firstDate, t.level, t.firstLevel = at(p+"first_date"), at(p+"level"), at(p+"first_level")
	}
	for n, fy := range fiscalYears {
		p, ys := "e."+fy.key+".", &sl.years[n]
		for _, ff := range chanye.FactFields {
			ys.figures = append(ys.figures, at(p+figureName(ff)))
		}
		ys.reported, ys.rdRatio, ys.rdStaffRatio = at(p+"reported"), at(p+"rd_ratio"), at(p+"rd_staff_ratio")
	}
	return sl
}()

// dateInt writes a day as the int YYYYMMDD rules compare.
func dateInt(d chanye.Date) int64 {
	return int64(d.Year()*10000 + int(d.Month())*100 + d.Day())
}

// ratio returns a/b, 0 when either is missing or b is 0.
func ratio(a, b *int64) float64 {
	if a == nil || b == nil || *b == 0 {
		return 0
	}
	return float64(*a) / float64(*b)
}

// Value returns the value of a schema variable and whether the name is one.
func (s Subject) Value(name string) (any, bool) {
	i, ok := schemaIndex[name]
	if !ok || s.values == nil {
		return nil, false
	}
	return s.values[i], true
}

// Missing reports whether the variable's underlying data was not reported.
func (s Subject) Missing(name string) bool {
	i, ok := schemaIndex[name]
	return ok && s.missing != nil && s.missing[i]
}

// activation resolves schema variables from a subject and p.NAME from the
// parameters in force.
type activation struct {
	s      *Subject
	params map[string]any
	inputs map[string]any // declared inputs held, keyed input.NAME
}

var _ interpreter.Activation = activation{}

func (a activation) ResolveName(name string) (any, bool) {
	if p, ok := strings.CutPrefix(name, "p."); ok {
		v, ok := a.params[p]
		return v, ok
	}
	if strings.HasPrefix(name, InputPrefix) {
		v, ok := a.inputs[name]
		return v, ok
	}
	return a.s.Value(name)
}

func (a activation) Parent() interpreter.Activation { return nil }

// String shows a subject's values for debugging.
func (s Subject) String() string {
	var b strings.Builder
	for i, v := range schema {
		fmt.Fprintf(&b, "%s=%v ", v.Name, s.values[i])
	}
	return b.String()
}
