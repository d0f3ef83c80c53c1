package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/interpreter"
)

// Declared inputs. A policy may read figures beyond the registry's schema
// — a project's equipment investment, its completion date, the share of
// R&D staff — by declaring them with a type, labels and where they come
// from; rules read them as input.NAME (CEL reserves the word "in", so
// in.NAME cannot be written). An input with no value is unknown to the
// rules exactly as a missing figure is: a decision that depends on it
// needs data, listing it with its label.
//
// Values come from the sources the declaration lists, in its order: the
// first that holds a value wins. A project source reads the enterprise's
// key project (ProjectInputs names the figures a project holds); a
// scenario source the application scenarios it won (ScenarioInputs); an
// application source reads the enterprise's accepted 快申快享 application
// for the policy. The shipped technical-retrofit policy lists
// [project, application]: a figure the project records is used, and the
// enterprise applies for the others.

// InputPrefix is how rules name a declared input: input.NAME.
const InputPrefix = "input."

// InputType is the type of a declared input.
type InputType string

// The input types. Money is int64 fen; a ratio is an exact decimal (Rate),
// which rules read as a double as they read e.fy1.rd_ratio; a date is read
// as the int YYYYMMDD.
const (
	InputMoney InputType = "money"
	InputInt   InputType = "int"
	InputRatio InputType = "ratio"
	InputDate  InputType = "date"
	InputBool  InputType = "bool"
)

// InputSource is where an input's value comes from.
type InputSource string

// The input sources.
const (
	SourceProject     InputSource = "project"     // the enterprise's key project
	SourceApplication InputSource = "application" // an accepted 快申快享 application
	SourceScenario    InputSource = "scenario"    // the application scenarios (首试首用) the enterprise won
)

// ScenarioInputs are the figures of the application scenarios (首试首用)
// an enterprise won, by input name, with their types: the day of its
// latest confirmed first use, and what buyers procured after its first
// uses, in all. A first-use award reads "confirmed first use in year Y"
// as input.first_use_on >= Y0101 && input.first_use_on <= Y1231.
var ScenarioInputs = map[string]InputType{
	"first_use_on": InputDate,  // 最近一次首试首用确认日期
	"procured":     InputMoney, // 首试首用后的采购金额合计
}

// ProjectInputs are the figures a key project holds, by input name, with
// their types: an input read from a project must be one of them.
var ProjectInputs = map[string]InputType{
	"equipment_investment": InputMoney, // 设备投资额
	"plant_investment":     InputMoney, // 厂房建设投资额
	"finished_on":          InputDate,  // 项目竣工日期
}

// Bounds of an input's value, enforced where values are entered (an
// application, a case): money from 0 to chanye.MaxFactFen, an int from 0
// to chanye.MaxFactCount, a ratio from 0 to 100 %, a date from 1949-10-01
// on.
var minInputDate = chanye.Date{}

func init() {
	minInputDate, _ = chanye.ParseDate("1949-10-01")
}

// Input is one declared input.
type Input struct {
	Name    string        `json:"name"`
	Type    InputType     `json:"type"`
	LabelZH string        `json:"label_zh"`
	LabelEN string        `json:"label_en"`
	From    []InputSource `json:"from"`
}

// Variable is how rules read the input: input.NAME.
func (in Input) Variable() string { return InputPrefix + in.Name }

// Applied reports whether an application can give the input.
func (in Input) Applied() bool { return slices.Contains(in.From, SourceApplication) }

// unit is how the input's value is shown.
func (in Input) unit() Unit {
	switch in.Type {
	case InputMoney:
		return UnitFen
	case InputRatio:
		return UnitRatio
	case InputDate:
		return UnitDate
	}
	return UnitNone
}

func (t InputType) celType() *cel.Type {
	switch t {
	case InputRatio:
		return cel.DoubleType
	case InputBool:
		return cel.BoolType
	}
	return cel.IntType
}

// ApplicationRule is how a policy with applied inputs is applied for: the
// department checks an application within ReviewDays working days.
type ApplicationRule struct {
	ReviewDays int `json:"review_days" yaml:"review_days"`
}

// MaxReviewDays bounds the review period a policy declares.
const MaxReviewDays = 60

// Input returns the declared input named n, or nil.
func (p *Policy) Input(n string) *Input {
	for i := range p.Inputs {
		if p.Inputs[i].Name == n {
			return &p.Inputs[i]
		}
	}
	return nil
}

// AppliedInputs returns the inputs an application can give, in order.
func (p *Policy) AppliedInputs() []Input {
	var out []Input
	for _, in := range p.Inputs {
		if in.Applied() {
			out = append(out, in)
		}
	}
	return out
}

// validateInputs checks the declarations and the application rule.
func (p *Policy) validateInputs(set func(path, msg string)) {
	seen := map[string]bool{}
	applied := false
	for _, in := range p.Inputs {
		at := "inputs." + in.Name
		if !identRE.MatchString(in.Name) {
			set(at, "输入名须为小写标识符 / an input name must be a lowercase identifier")
		}
		if seen[in.Name] {
			set(at, "输入重复 / duplicate input")
		}
		seen[in.Name] = true
		switch in.Type {
		case InputMoney, InputInt, InputRatio, InputDate, InputBool:
		default:
			set(at+".type", fmt.Sprintf("类型 %q 须为 money、int、ratio、date 或 bool / type must be money, int, ratio, date or bool", in.Type))
		}
		if strings.TrimSpace(in.LabelZH) == "" {
			set(at+".label_zh", "必填 / required")
		}
		if strings.TrimSpace(in.LabelEN) == "" {
			set(at+".label_en", "必填 / required")
		}
		if len(in.From) == 0 {
			set(at+".from", "须写明来源：project、scenario 或 application / give the sources: project, scenario or application")
		}
		for i, src := range in.From {
			switch {
			case src == SourceProject:
				if t, ok := ProjectInputs[in.Name]; !ok || t != in.Type {
					set(at+".from", fmt.Sprintf("重点项目没有 %s 类型的 %s（项目有 equipment_investment、plant_investment（money）与 finished_on（date））/ a project holds no %s %s (it holds equipment_investment, plant_investment (money) and finished_on (date))",
						in.Type, in.Name, in.Type, in.Name))
				}
			case src == SourceScenario:
				if t, ok := ScenarioInputs[in.Name]; !ok || t != in.Type {
					set(at+".from", fmt.Sprintf("应用场景没有 %s 类型的 %s（有 first_use_on（date）与 procured（money））/ a scenario holds no %s %s (it holds first_use_on (date) and procured (money))",
						in.Type, in.Name, in.Type, in.Name))
				}
			case src == SourceApplication:
				applied = true
			default:
				set(at+".from", fmt.Sprintf("来源 %q 须为 project、scenario 或 application / the source must be project, scenario or application", src))
			}
			if slices.Index(in.From, src) != i {
				set(at+".from", fmt.Sprintf("来源 %s 重复 / duplicate source", src))
			}
		}
	}
	if p.Application != nil {
		if d := p.Application.ReviewDays; d < 1 || d > MaxReviewDays {
			set("application.review_days", fmt.Sprintf("审核时限须为 1 至 %d 个工作日 / the review period must be 1 to %d working days", MaxReviewDays, MaxReviewDays))
		}
		if !applied {
			set("application", "没有可申报的输入（from 含 application）/ no input is given by an application (from: [application])")
		}
	} else if applied {
		set("application", "有可申报的输入时须写 application: {review_days: N} / inputs given by an application need application: {review_days: N}")
	}
}

// CheckInput checks an input's value against its type and bounds: money
// (int64 fen) from 0 to chanye.MaxFactFen, an int from 0 to
// chanye.MaxFactCount, a ratio (Rate) from 0 to 100 %, a date from
// 1949-10-01 on, a bool. It returns the problem, or "".
func (in Input) CheckInput(v any) string {
	switch in.Type {
	case InputMoney:
		x, ok := v.(int64)
		if !ok {
			return "须为金额 / must be an amount"
		}
		return chanye.CheckFen(chanye.Fen(x), chanye.MaxFactFen)
	case InputInt:
		x, ok := v.(int64)
		if !ok {
			return "须为整数 / must be an integer"
		}
		if x < 0 || x > chanye.MaxFactCount {
			return fmt.Sprintf("须为 0 至 %d / must be 0 to %d", chanye.MaxFactCount, chanye.MaxFactCount)
		}
	case InputRatio:
		x, ok := v.(Rate)
		if !ok {
			return "须为比例 / must be a ratio"
		}
		if x.Num > pow10[x.Scale] {
			return "须为 0% 至 100% / must be 0 % to 100 %"
		}
	case InputDate:
		x, ok := v.(chanye.Date)
		if !ok || x.IsZero() {
			return "须为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"
		}
		if x.Before(minInputDate.Time) {
			return "须不早于 1949-10-01 / must not be before 1949-10-01"
		}
	case InputBool:
		if _, ok := v.(bool); !ok {
			return "须为是或否 / must be yes or no"
		}
	}
	return ""
}

// ParseInput reads an input's value as a form or a file writes it: money
// in 元 ("123456789.01"), or in 万元 when unit is "wan"; a ratio as a
// percentage ("12.5%", or "12.5" when unit is "percent") or a decimal
// ("0.125"); a date YYYY-MM-DD; an int; a bool (true/false, 是/否). The
// value is checked against the bounds (CheckInput). Every conversion is
// exact.
func (in Input) ParseInput(s, unit string) (any, error) {
	s = strings.TrimSpace(s)
	bad := func(msg string) error {
		return fmt.Errorf("%s（%s）：%s / %s: %s", in.LabelZH, s, msg, in.LabelEN, msg)
	}
	if s == "" {
		return nil, bad("必填 / required")
	}
	var v any
	switch in.Type {
	case InputMoney:
		t := strings.ReplaceAll(s, ",", "")
		if unit == "wan" {
			f, msg := parseWan(t)
			if msg != "" {
				return nil, bad(msg)
			}
			v = f
		} else {
			f, err := chanye.ParseYuan(t)
			if err != nil {
				return nil, bad(err.Error())
			}
			v = int64(f)
		}
	case InputInt:
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, bad("须为整数 / must be an integer")
		}
		v = x
	case InputRatio:
		t := s
		if unit == "percent" && !strings.HasSuffix(t, "%") {
			t += "%"
		}
		r, err := ParseRate(t)
		if err != nil {
			return nil, bad(err.Error())
		}
		v = r
	case InputDate:
		d, err := chanye.ParseDate(s)
		if err != nil {
			return nil, bad(err.Error())
		}
		v = d
	case InputBool:
		switch strings.ToLower(s) {
		case "true", "yes", "是", "1":
			v = true
		case "false", "no", "否", "0":
			v = false
		default:
			return nil, bad("须为是或否 / must be yes or no")
		}
	}
	if msg := in.CheckInput(v); msg != "" {
		return nil, bad(msg)
	}
	return v, nil
}

// FormatInput writes a value as ParseInput reads it (money in 元, a ratio
// as a decimal, a date YYYY-MM-DD): the stored form.
func FormatInput(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case Rate:
		return x.String()
	case chanye.Date:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// DecodeInput reads a stored value (FormatInput) of type t: money and ints
// as integers (money in fen).
func DecodeInput(t InputType, s string) (any, error) {
	switch t {
	case InputMoney, InputInt:
		return strconv.ParseInt(s, 10, 64)
	case InputRatio:
		return ParseRate(s)
	case InputDate:
		return chanye.ParseDate(s)
	case InputBool:
		return strconv.ParseBool(s)
	}
	return nil, fmt.Errorf("policy: unknown input type %q", t)
}

// InputText shows an input's value with its unit: money in 元 / 万元, a
// ratio as a percentage, a date.
func (in Input) InputText(v any) (string, string) {
	switch x := v.(type) {
	case chanye.Date:
		return x.String(), x.String()
	case Rate:
		s := x.Percent()
		return s, strings.TrimSuffix(s, "%") + " %"
	}
	return formatAny(v, in.unit())
}

// Inputs are the values chanye holds of an enterprise's declared inputs:
// those of its key project, by input name, and those of its accepted
// applications, by policy ID and input name. Values are int64 (money in
// fen, ints), Rate, chanye.Date or bool.
type Inputs struct {
	Project  map[string]any            `json:"project,omitempty"`
	Scenario map[string]any            `json:"scenario,omitempty"`
	Applied  map[string]map[string]any `json:"applied,omitempty"`
}

// Empty reports whether no value is held.
func (x *Inputs) Empty() bool {
	return x == nil || len(x.Project) == 0 && len(x.Scenario) == 0 && len(x.Applied) == 0
}

// from returns the value source src holds of input n for policy id.
func (x *Inputs) from(src InputSource, id, n string) (any, bool) {
	var v any
	var ok bool
	switch src {
	case SourceProject:
		v, ok = x.Project[n]
	case SourceScenario:
		v, ok = x.Scenario[n]
	case SourceApplication:
		v, ok = x.Applied[id][n]
	}
	return v, ok
}

// Pairs lists the values held as sorted "source/name=value" strings
// (source "project" or the policy id of an application): one form to
// compare and hash.
func (x *Inputs) Pairs() []string {
	if x == nil {
		return nil
	}
	var kv []string
	for n, v := range x.Project {
		kv = append(kv, "project/"+n+"="+FormatInput(v))
	}
	for n, v := range x.Scenario {
		kv = append(kv, "scenario/"+n+"="+FormatInput(v))
	}
	for id, m := range x.Applied {
		for n, v := range m {
			kv = append(kv, id+"/"+n+"="+FormatInput(v))
		}
	}
	slices.Sort(kv)
	return kv
}

// Resolve returns the value of each of p's inputs in ins (which may be
// nil), taking the first of its sources that holds one; an input without
// a value is absent from the map.
func (p *Policy) Resolve(ins *Inputs) map[string]any {
	out := map[string]any{}
	if ins == nil {
		return out
	}
	for _, in := range p.Inputs {
		for _, src := range in.From {
			v, ok := ins.from(src, p.ID, in.Name)
			if ok && in.CheckInput(v) == "" {
				out[in.Name] = v
				break
			}
		}
	}
	return out
}

// InputCEL returns what the rules read of input n in ins (see Resolve),
// and whether it has a value.
func (p *Policy) InputCEL(ins *Inputs, n string) (any, bool) {
	if ins == nil {
		return nil, false
	}
	in := p.Input(n)
	if in == nil {
		return nil, false
	}
	for _, src := range in.From {
		v, ok := ins.from(src, p.ID, n)
		if ok && in.CheckInput(v) == "" {
			return inputCEL(v), true
		}
	}
	return nil, false
}

// inputCEL is what rules read of an input's value: a ratio as a double, a
// date as the int YYYYMMDD.
func inputCEL(v any) any {
	switch x := v.(type) {
	case Rate:
		f, _ := strconv.ParseFloat(x.String(), 64) // correctly rounded: "0.1" reads as the literal 0.1
		return f
	case chanye.Date:
		return dateInt(x)
	}
	return v
}

// InputActivation returns what the rules of c read of ins: the values of
// the inputs held, as CEL reads them, keyed input.NAME, and the attribute
// patterns that mark the others unknown.
func (c *Compiled) InputActivation(ins *Inputs) (map[string]any, []*interpreter.AttributePattern) {
	if len(c.Policy.Inputs) == 0 {
		return nil, nil
	}
	vals := c.Policy.Resolve(ins)
	out := make(map[string]any, len(vals))
	var unknown []*interpreter.AttributePattern
	for i, in := range c.Policy.Inputs {
		if v, ok := vals[in.Name]; ok {
			out[in.Variable()] = inputCEL(v)
		} else {
			unknown = append(unknown, c.inPatterns[i])
		}
	}
	return out, unknown
}

// inputNeeds lists the inputs among names (input.NAME), in declaration
// order.
func (p *Policy) inputNeeds(names []string) []Need {
	var out []Need
	for _, in := range p.Inputs {
		if slices.Contains(names, in.Variable()) {
			out = append(out, Need{Variable: in.Variable(), LabelZH: in.LabelZH, LabelEN: in.LabelEN, Input: true})
		}
	}
	return out
}

// NeedsOf lists what a needs-data decision of c waits for: the figures
// behind the unknown schema variables among names (as NeedsOf), then the
// declared inputs among them, in declaration order.
func (c *Compiled) NeedsOf(s Subject, asOf chanye.Date, names []string) []Need {
	var vars []string
	for _, n := range names {
		if !strings.HasPrefix(n, InputPrefix) {
			vars = append(vars, n)
		}
	}
	out := NeedsOf(s, asOf, vars)
	return append(out, c.Policy.inputNeeds(names)...)
}

// inputLabel returns the labels and unit of input.NAME, if declared.
func (p *Policy) inputLabel(name string) (string, string, Unit, bool) {
	n, ok := strings.CutPrefix(name, InputPrefix)
	if !ok {
		return "", "", "", false
	}
	in := p.Input(n)
	if in == nil {
		return name, name, UnitNone, true
	}
	return in.LabelZH, in.LabelEN, in.unit(), true
}

// inputDecl are the CEL declarations of p's inputs.
func (p *Policy) inputDecls() []cel.EnvOption {
	var out []cel.EnvOption
	for _, in := range p.Inputs {
		out = append(out, cel.Variable(in.Variable(), in.Type.celType()))
	}
	return out
}

// parseWan reads an amount in 万元 with at most 6 decimals into fen,
// exactly (1 万元 = 1,000,000 fen).
func parseWan(s string) (int64, string) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, "须为不为负的数，如 12345.67 / must be a number not negative, such as 12345.67"
	}
	if len(frac) > 6 {
		return 0, "万元金额至多 6 位小数 / an amount in 万元 has at most 6 decimals"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	if err != nil || w > int64(chanye.MaxFactFen)/1_000_000 {
		return 0, chanye.ExceedsFen(chanye.MaxFactFen)
	}
	return w*1_000_000 + f, ""
}
