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

// The fiscal years a rule can see, relative to the as-of date: fy1 is the
// last complete fiscal year (the calendar year before the as-of year).
var fiscalYears = [...]struct{ key, zh, en string }{
	{"fy1", "上年度", "last fiscal year"},
	{"fy2", "前年度", "fiscal year before last"},
	{"fy3", "大前年度", "three fiscal years back"},
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
		n := k.NameZH()
		add("e.tier."+string(k)+".held", cel.BoolType, "现为"+n, "holds "+k.NameEN(), UnitNone)
		add("e.tier."+string(k)+".year", cel.IntType, n+"最近认定年份", k.NameEN()+": year of latest recognition", UnitYear)
		add("e.tier."+string(k)+".first_year", cel.IntType, n+"首次认定年份", k.NameEN()+": year of first recognition", UnitYear)
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
}

// NewSubject computes the schema values of e as of day asOf. Tiers count
// from their start date on; facts are merged per fiscal year.
func NewSubject(e *chanye.Enterprise, asOf chanye.Date) Subject {
	s := Subject{Code: e.Code, AsOf: asOf, values: make([]any, len(schema)), missing: make([]bool, len(schema))}
	for i, v := range schema {
		switch v.Type {
		case "int":
			s.values[i] = int64(0)
		case "double":
			s.values[i] = 0.0
		case "string":
			s.values[i] = ""
		case "bool":
			s.values[i] = false
		default:
			s.values[i] = []string{}
		}
	}
	set := func(name string, v any, missing bool) {
		i := schemaIndex[name]
		s.values[i], s.missing[i] = v, missing
	}
	y := asOf.Year()
	set("as_of", int64(y*10000+int(asOf.Month())*100+asOf.Day()), false)
	set("policy_year", int64(y), false)
	set("e.district", e.DistrictCode, e.DistrictCode == "")
	set("e.class", e.IndustryClass, e.IndustryClass == "")
	div := ""
	if len(e.IndustryClass) >= 2 {
		div = e.IndustryClass[:2]
	}
	set("e.division", div, div == "")
	if e.Industries != nil {
		set("e.industries", append([]string(nil), e.Industries...), false)
	}
	set("e.size", string(e.SizeClass), e.SizeClass == "")
	age := 0
	if !e.Founded.IsZero() {
		f := e.Founded
		age = y - f.Year()
		if asOf.Month() < f.Month() || asOf.Month() == f.Month() && asOf.Day() < f.Day() {
			age--
		}
		age = max(age, 0)
	}
	set("e.age", int64(age), e.Founded.IsZero())
	for _, k := range chanye.TierKinds {
		held, latest, first := false, 0, 0
		for _, t := range e.Tiers {
			if t.Kind != k || t.From.After(asOf.Time) {
				continue
			}
			held = held || t.ActiveOn(asOf)
			latest = max(latest, t.From.Year())
			if first == 0 || t.From.Year() < first {
				first = t.From.Year()
			}
		}
		p := "e.tier." + string(k) + "."
		set(p+"held", held, false)
		set(p+"year", int64(latest), false)
		set(p+"first_year", int64(first), false)
	}
	byYear := map[int][]*chanye.Facts{}
	for _, f := range e.Facts {
		if f != nil {
			byYear[f.Year] = append(byYear[f.Year], f)
		}
	}
	revenue := [len(fiscalYears)]*int64{}
	for n, fy := range fiscalYears {
		p := "e." + fy.key + "."
		f := chanye.MergeFacts(byYear[y-1-n])
		if f == nil {
			f = &chanye.Facts{}
		}
		vals := f.Values()
		for i, ff := range chanye.FactFields {
			var x int64
			if vals[i] != nil {
				x = *vals[i]
			}
			set(p+figureName(ff), x, vals[i] == nil)
		}
		set(p+"reported", byYear[y-1-n] != nil, false)
		rd, rev := (*int64)(f.RDSpending), (*int64)(f.Revenue)
		set(p+"rd_ratio", ratio(rd, rev), rd == nil || rev == nil || *rev == 0)
		set(p+"rd_staff_ratio", ratio(f.RDStaff, f.Employees), f.RDStaff == nil || f.Employees == nil || *f.Employees == 0)
		revenue[n] = rev
	}
	// (fy1 - fy2) / fy2 in one correctly rounded division, so that a growth
	// of exactly 15 % compares equal to the literal 0.15.
	if revenue[0] != nil && revenue[1] != nil && *revenue[1] != 0 {
		diff := *revenue[0] - *revenue[1]
		set("e.revenue_growth", ratio(&diff, revenue[1]), false)
	} else {
		set("e.revenue_growth", 0.0, true)
	}
	if g := ratio(revenue[0], revenue[2]); revenue[0] != nil && revenue[2] != nil && *revenue[2] != 0 {
		set("e.revenue_cagr3", math.Sqrt(g)-1, false)
	} else {
		set("e.revenue_cagr3", 0.0, true)
	}
	return s
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
}

var _ interpreter.Activation = activation{}

func (a activation) ResolveName(name string) (any, bool) {
	if p, ok := strings.CutPrefix(name, "p."); ok {
		v, ok := a.params[p]
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
