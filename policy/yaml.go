package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"gopkg.in/yaml.v3"
)

// The YAML form of a policy. Money follows one convention everywhere: the
// key's suffix names the unit. A key ending in _yuan holds yuan, written as a
// quoted string with at most two decimals ("1000000.00") or a whole number;
// a key ending in _fen holds an integer number of fen. Either is parsed
// exactly into fen; an unquoted decimal (a YAML float) is rejected, so no
// amount ever passes through a float. Dates are written 2006-01-02.
type fileYAML struct {
	ID          string                      `yaml:"id"`
	Version     int                         `yaml:"version"`
	Status      string                      `yaml:"status"`
	TitleZH     string                      `yaml:"title_zh"`
	TitleEN     string                      `yaml:"title_en"`
	Document    string                      `yaml:"document"`
	Clause      string                      `yaml:"clause"`
	Issuer      string                      `yaml:"issuer"`
	Department  string                      `yaml:"department"`
	Contact     *Contact                    `yaml:"contact"`
	SourceURL   string                      `yaml:"source_url"`
	NoteZH      string                      `yaml:"note_zh"`
	NoteEN      string                      `yaml:"note_en"`
	Official    *bool                       `yaml:"official"`
	Effective   struct{ From, To dateYAML } `yaml:"effective"`
	BudgetYuan  *yuanYAML                   `yaml:"budget_yuan"`
	BudgetFen   *fenYAML                    `yaml:"budget_fen"`
	Budget      *budgetYAML                 `yaml:"budget"`
	Relations   *relationsYAML              `yaml:"relations"`
	Groups      []groupYAML                 `yaml:"groups"`
	Mode        string                      `yaml:"mode"`
	FiscalYears *int                        `yaml:"fiscal_years"`
	Cohort      *cohortYAML                 `yaml:"cohort"`
	Inputs      inputsYAML                  `yaml:"inputs"`
	Application *ApplicationRule            `yaml:"application"`
	Params      map[string]paramYAML        `yaml:"params"`
	Conditions  []Condition                 `yaml:"conditions"`
	Amount      amountYAML                  `yaml:"amount"`
	Cases       []caseYAML                  `yaml:"cases"`
}

// cohortYAML is the cohort a policy pays: the tier, optionally its level
// and which recognition counts (first, the default, or latest), and the
// batches paid, either as one pair recognised_in / paid_in or as a list.
type cohortYAML struct {
	Tier         string `yaml:"tier"`
	Level        string `yaml:"level"`
	Recognition  string `yaml:"recognition"`
	RecognisedIn *int   `yaml:"recognised_in"`
	PaidIn       *int   `yaml:"paid_in"`
	Batches      []struct {
		RecognisedIn int `yaml:"recognised_in"`
		PaidIn       int `yaml:"paid_in"`
	} `yaml:"batches"`
}

// paramYAML is a parameter: either the list of its dated values, or a
// mapping with its labels, its unit and the values.
type paramYAML struct {
	LabelZH string           `yaml:"label_zh"`
	LabelEN string           `yaml:"label_en"`
	Unit    string           `yaml:"unit"`
	Values  []paramValueYAML `yaml:"values"`
}

func (p *paramYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		return n.Decode(&p.Values)
	}
	type plain paramYAML
	return n.Decode((*plain)(p))
}

type paramValueYAML struct {
	From      dateYAML  `yaml:"from"`
	Value     yaml.Node `yaml:"value"`
	ValueYuan *yuanYAML `yaml:"value_yuan"`
	ValueFen  *fenYAML  `yaml:"value_fen"`
	ValueRate *rateYAML `yaml:"value_rate"`
}

// rateYAML is a rate written as a quoted decimal or percentage ("0.35",
// "35%"), read exactly.
type rateYAML struct{ r Rate }

func (y *rateYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return typeErr(n, "比例须写成带引号的字符串，如 \"0.35\" 或 \"35%%\" / a rate must be a quoted string such as \"0.35\" or \"35%%\"")
	}
	r, err := ParseRate(n.Value)
	if err != nil {
		return typeErr(n, "%s", err.Error())
	}
	y.r = r
	return nil
}

// budgetYAML is a budget and what happens at it:
// {yuan: "300000000", at_limit: refuse | pro_rata | in_order, order: [amount_desc, code]}.
type budgetYAML struct {
	Yuan    *yuanYAML `yaml:"yuan"`
	Fen     *fenYAML  `yaml:"fen"`
	AtLimit string    `yaml:"at_limit"`
	Order   []string  `yaml:"order"`
}

// budget converts the budget at path.
func (b *budgetYAML) budget(path string, fields map[string]string) Budget {
	out := Budget{AtLimit: AtLimit(b.AtLimit), Order: b.Order}
	switch {
	case b.Yuan != nil && b.Fen != nil:
		fields[path] = "yuan 与 fen 只能写一个 / give yuan or fen, not both"
	case b.Yuan != nil:
		out.Fen = b.Yuan.fen
	case b.Fen != nil:
		out.Fen = b.Fen.fen
	default:
		fields[path+".yuan"] = "必填 / required"
	}
	return out
}

type relationsYAML struct {
	ExclusiveGroup string   `yaml:"exclusive_group"`
	Excludes       []string `yaml:"excludes"`
	Requires       []string `yaml:"requires"`
}

type groupYAML struct {
	ID                   string      `yaml:"id"`
	CapPerEnterpriseYuan *yuanYAML   `yaml:"cap_per_enterprise_yuan"`
	CapPerEnterpriseFen  *fenYAML    `yaml:"cap_per_enterprise_fen"`
	Budget               *budgetYAML `yaml:"budget"`
}

type amountYAML struct {
	Expr     string        `yaml:"expr"`
	CapYuan  *yuanYAML     `yaml:"cap_yuan"`
	CapFen   *fenYAML      `yaml:"cap_fen"`
	Floor    string        `yaml:"floor"`
	Rounding *roundingYAML `yaml:"rounding"`
}

// roundingYAML is rounding: half_up (to the fen) or {mode: half_up, to: wan}.
type roundingYAML struct {
	Mode string `yaml:"mode"`
	To   string `yaml:"to"`
}

func (r *roundingYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Mode = n.Value
		return nil
	}
	type plain roundingYAML
	return n.Decode((*plain)(r))
}

type caseYAML struct {
	Name       string          `yaml:"name"`
	AsOf       dateYAML        `yaml:"as_of"`
	Enterprise *enterpriseYAML `yaml:"enterprise"`
	Inputs     yaml.Node       `yaml:"inputs"`
	Expect     struct {
		Eligible   *bool     `yaml:"eligible"`
		NeedsData  bool      `yaml:"needs_data"`
		AmountYuan *yuanYAML `yaml:"amount_yuan"`
		AmountFen  *fenYAML  `yaml:"amount_fen"`
	} `yaml:"expect"`
}

type enterpriseYAML struct {
	Code       string      `yaml:"code"`
	Name       string      `yaml:"name"`
	District   string      `yaml:"district"`
	Class      string      `yaml:"class"`
	Founded    dateYAML    `yaml:"founded"`
	Size       string      `yaml:"size"`
	Industries []string    `yaml:"industries"`
	Tiers      []tierYAML  `yaml:"tiers"`
	Facts      []factsYAML `yaml:"facts"`
}

type tierYAML struct {
	Kind  string   `yaml:"kind"`
	Level string   `yaml:"level"`
	From  dateYAML `yaml:"from"`
	To    dateYAML `yaml:"to"`
}

// typeErr reports a problem at node n the way yaml.v3 reports its own, so
// that all of them are collected and mapped to field paths together.
func typeErr(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
}

type dateYAML struct{ chanye.Date }

func (d *dateYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeErr(n, "日期须为 YYYY-MM-DD / a date must be YYYY-MM-DD")
	}
	if n.Tag == "!!null" {
		return nil
	}
	v, err := chanye.ParseDate(n.Value)
	if err != nil {
		return typeErr(n, "%s", err.Error())
	}
	d.Date = v
	return nil
}

type yuanYAML struct{ fen chanye.Fen }

func (y *yuanYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int") {
		return typeErr(n, "元金额须写成带引号的字符串，如 \"1000000.00\"，或整数元 / a yuan amount must be a quoted string such as \"1000000.00\" or whole yuan")
	}
	v, err := chanye.ParseYuan(n.Value)
	if err != nil {
		return typeErr(n, "%s", err.Error())
	}
	y.fen = v
	return nil
}

type fenYAML struct{ fen chanye.Fen }

func (f *fenYAML) UnmarshalYAML(n *yaml.Node) error {
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
		return typeErr(n, "分金额须为整数 / a fen amount must be an integer")
	}
	f.fen = chanye.Fen(v)
	return nil
}

// factsYAML is one year of figures, keyed as in chanye.FactFields, where a
// money figure may be given in yuan (revenue_yuan) or fen (revenue_fen).
type factsYAML struct{ chanye.Facts }

func (f *factsYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return typeErr(n, "年度数据须为映射 / facts must be a mapping")
	}
	vals := make([]*int64, len(chanye.FactFields))
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if key == "year" {
			y, err := strconv.Atoi(v.Value)
			if err != nil || v.Tag != "!!int" {
				errs = append(errs, fmt.Sprintf("line %d: 年度须为整数 / year must be an integer", v.Line))
			}
			f.Year = y
			continue
		}
		if key == "source" {
			f.Source = v.Value
			continue
		}
		idx, yuan := factIndex(key)
		if idx < 0 {
			errs = append(errs, fmt.Sprintf("line %d: field %s not found in type facts", k.Line, key))
			continue
		}
		var x int64
		if yuan {
			var y yuanYAML
			if err := y.UnmarshalYAML(v); err != nil {
				errs = append(errs, err.(*yaml.TypeError).Errors...)
				continue
			}
			x = int64(y.fen)
		} else {
			var err error
			if x, err = strconv.ParseInt(v.Value, 10, 64); err != nil || v.Tag != "!!int" {
				errs = append(errs, fmt.Sprintf("line %d: %s 须为整数 / %s must be an integer", v.Line, key, key))
				continue
			}
		}
		vals[idx] = &x
	}
	f.SetValues(vals)
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// factIndex maps a YAML key to its index in chanye.FactFields, and whether
// the value is written in yuan; -1 for an unknown key.
func factIndex(key string) (int, bool) {
	for i, ff := range chanye.FactFields {
		switch {
		case key == ff.Key:
			return i, false
		case ff.Money && key == strings.TrimSuffix(ff.Key, "_fen")+"_yuan":
			return i, true
		}
	}
	return -1, false
}

var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
var yamlFieldRE = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// Parse reads a policy from YAML, rejecting unknown fields, and validates
// it. Errors are EINVALID with Fields keyed by field path (such as
// conditions[2].expr or cases[0].enterprise.facts[1].revenu_yuan) and
// messages that give the line. Expressions are checked by Compile.
func Parse(b []byte) (*Policy, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, chanye.NewError(chanye.EINVALID, "YAML 无法解析 / YAML does not parse", map[string]string{"yaml": err.Error()})
	}
	lines, paths := map[string]int{}, map[int]string{}
	if len(root.Content) == 1 {
		indexLines(root.Content[0], "", lines, paths)
	}
	var f fileYAML
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, chanye.NewError(chanye.EINVALID, "YAML 无法解析 / YAML does not parse", map[string]string{"yaml": err.Error()})
		}
		return nil, chanye.NewError(chanye.EINVALID, "政策文件有误 / invalid policy file", yamlFields(te.Errors, lines, paths))
	}
	p, fields := f.policy(lines)
	if len(fields) > 0 {
		return nil, chanye.NewError(chanye.EINVALID, fmt.Sprintf("政策 %s 有误 / invalid policy", f.ID), fields)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// atLine returns the "中文 / English" message msg with line n added to
// each half — "（第 N 行）", " (line N)" — or msg as it is when n is 0.
func atLine(msg string, n int) string {
	if n <= 0 {
		return msg
	}
	return chanye.AppendBilingual(msg, fmt.Sprintf("（第 %d 行）", n), fmt.Sprintf(" (line %d)", n))
}

// yamlFields turns yaml.v3's "line N: msg" errors into fields keyed by the
// path of the key on that line, or of the unknown field itself when a flow
// mapping holds several keys on one line.
func yamlFields(errs []string, lines map[string]int, paths map[int]string) map[string]string {
	out := map[string]string{}
	for _, e := range errs {
		key, msg := "yaml", e
		if m := yamlLineRE.FindStringSubmatch(e); m != nil {
			n, _ := strconv.Atoi(m[1])
			msg = m[2]
			key = fmt.Sprintf("line %d", n)
			if p, ok := paths[n]; ok {
				key = p
			}
			if fm := yamlFieldRE.FindStringSubmatch(msg); fm != nil {
				msg = fmt.Sprintf("未知字段 %s / unknown field %s", fm[1], fm[1])
				for p, l := range lines {
					if l == n && (p == fm[1] || strings.HasSuffix(p, "."+fm[1])) {
						key = p
					}
				}
			}
			msg = atLine(msg, n)
		}
		if old, dup := out[key]; dup {
			msg = chanye.JoinBilingual(old, msg)
		}
		out[key] = msg
	}
	return out
}

// indexLines records the line of every field path under n, and for each
// line the deepest path that starts on it.
func indexLines(n *yaml.Node, path string, lines map[string]int, paths map[int]string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			lines[p], paths[k.Line] = k.Line, p
			indexLines(n.Content[i+1], p, lines, paths)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = c.Line
			if _, taken := paths[c.Line]; !taken || c.Kind == yaml.ScalarNode {
				paths[c.Line] = p
			}
			indexLines(c, p, lines, paths)
		}
	}
}

// money picks the amount of a _yuan/_fen pair; giving both is an error.
func money(y *yuanYAML, f *fenYAML, path string, fields map[string]string) (chanye.Fen, bool) {
	switch {
	case y != nil && f != nil:
		fields[path+"_fen"] = fmt.Sprintf("%s_yuan 与 %s_fen 只能写一个 / give %s_yuan or %s_fen, not both", path, path, path, path)
	case y != nil:
		return y.fen, true
	case f != nil:
		return f.fen, true
	}
	return 0, false
}

// policy converts the decoded file, collecting what the types alone cannot
// say.
func (f *fileYAML) policy(lines map[string]int) (*Policy, map[string]string) {
	fields := map[string]string{}
	at := func(msg, path string) string { return atLine(msg, lines[path]) }
	p := &Policy{
		ID: f.ID, Version: f.Version, Status: Status(f.Status), TitleZH: f.TitleZH, TitleEN: f.TitleEN,
		Document: f.Document, Clause: f.Clause, Issuer: f.Issuer, Department: f.Department, Contact: f.Contact, SourceURL: f.SourceURL,
		NoteZH: f.NoteZH, NoteEN: f.NoteEN, Mode: Mode(f.Mode),
		Effective: Period{From: f.Effective.From.Date, To: f.Effective.To.Date},
		Conds:     f.Conditions, lines: lines, Inputs: f.Inputs.list, Application: f.Application,
	}
	if f.Official == nil {
		fields["official"] = "必填：true 为正式文件，false 为示例 / required: true for an official text, false for an example"
	} else {
		p.Official = *f.Official
	}
	if f.FiscalYears != nil {
		p.FiscalYears = *f.FiscalYears
		if p.FiscalYears == 0 {
			fields["fiscal_years"] = at(fmt.Sprintf("须为 1 至 %d / must be 1 to %d", MaxFiscalYears, MaxFiscalYears), "fiscal_years")
		}
	}
	if f.Cohort != nil {
		p.Cohort = f.Cohort.cohort(fields, at)
		p.Conds = append(append([]Condition(nil), p.Conds...), p.Cohort.condition())
	}
	p.BudgetFen, _ = money(f.BudgetYuan, f.BudgetFen, "budget", fields)
	if f.Budget != nil {
		if f.BudgetYuan != nil || f.BudgetFen != nil {
			fields["budget"] = at("budget 与 budget_yuan/budget_fen 只能写一种 / give budget or budget_yuan/budget_fen, not both", "budget")
		}
		b := f.Budget.budget("budget", fields)
		p.BudgetFen, p.AtLimit, p.BudgetOrder = b.Fen, b.AtLimit, b.Order
	}
	if r := f.Relations; r != nil {
		p.Relations = Relations{ExclusiveGroup: r.ExclusiveGroup, Excludes: r.Excludes, Requires: r.Requires}
	}
	for i, g := range f.Groups {
		path := fmt.Sprintf("groups[%d]", i)
		grp := Group{ID: g.ID}
		grp.CapPerEnterpriseFen, _ = money(g.CapPerEnterpriseYuan, g.CapPerEnterpriseFen, path+".cap_per_enterprise", fields)
		if g.Budget != nil {
			grp.Budget = g.Budget.budget(path+".budget", fields)
		}
		p.Groups = append(p.Groups, grp)
	}
	p.Amount = Amount{Expr: f.Amount.Expr, Floor: Floor(f.Amount.Floor)}
	if r := f.Amount.Rounding; r != nil {
		p.Amount.Rounding = Rounding{Mode: RoundMode(r.Mode), To: RoundUnit(r.To)}
	}
	p.Amount.CapFen, _ = money(f.Amount.CapYuan, f.Amount.CapFen, "amount.cap", fields)
	for _, name := range sortedKeys(f.Params) {
		py := f.Params[name]
		pa := Param{Name: name, LabelZH: py.LabelZH, LabelEN: py.LabelEN, Unit: Unit(py.Unit)}
		for j, v := range py.Values {
			path := fmt.Sprintf("params.%s[%d]", name, j)
			pv := ParamValue{From: v.From.Date}
			if v.ValueRate != nil {
				if v.Value.Kind != 0 || v.ValueYuan != nil || v.ValueFen != nil {
					fields[path+".value"] = at("value_rate 与 value、value_yuan、value_fen 只能写一个 / give value_rate or another value, not both", path)
				}
				pv.Value = v.ValueRate.r
				if j == 0 {
					pa.Type = ParamRate
				}
			} else if m, ok := money(v.ValueYuan, v.ValueFen, path+".value", fields); ok {
				if v.Value.Kind != 0 {
					fields[path+".value"] = at("value 与 value_yuan/value_fen 只能写一个 / give value or value_yuan/value_fen, not both", path)
				}
				pv.Value, pa.Money = int64(m), true
			} else {
				val, typ, err := scalar(&v.Value)
				if err != nil {
					fields[path+".value"] = at(err.Error(), path)
				}
				pv.Value = val
				if j == 0 {
					pa.Type = typ
				}
			}
			if j == 0 && pa.Money {
				pa.Type = ParamInt
			}
			pa.Values = append(pa.Values, pv)
		}
		p.Params = append(p.Params, pa)
	}
	for i, c := range f.Cases {
		path := fmt.Sprintf("cases[%d]", i)
		cs := Case{Name: c.Name, AsOf: c.AsOf.Date}
		if c.Enterprise != nil {
			cs.Enterprise = c.Enterprise.enterprise(path+".enterprise", fields, at)
		}
		cs.Inputs = p.caseInputs(&c.Inputs, path+".inputs", fields)
		switch {
		case c.Expect.NeedsData && c.Expect.Eligible != nil && *c.Expect.Eligible:
			fields[path+".expect.needs_data"] = at("待补充数据的决定不符合条件 / a needs-data decision is not eligible", path)
		case c.Expect.NeedsData:
			cs.Expect.NeedsData = true
		case c.Expect.Eligible == nil:
			fields[path+".expect.eligible"] = at("必填 / required", path)
		default:
			cs.Expect.Eligible = *c.Expect.Eligible
		}
		cs.Expect.AmountFen, _ = money(c.Expect.AmountYuan, c.Expect.AmountFen, path+".expect.amount", fields)
		if !cs.Expect.Eligible && cs.Expect.AmountFen != 0 {
			fields[path+".expect.amount_fen"] = at("不符合条件时金额须为 0 / the amount must be 0 when not eligible", path)
		}
		p.Cases = append(p.Cases, cs)
	}
	return p, fields
}

// cohort converts the cohort of a file. The condition it adds comes last,
// so that the conditions written keep their index (and their lines).
func (y *cohortYAML) cohort(fields map[string]string, at func(msg, path string) string) *Cohort {
	c := &Cohort{Recognition: Recognition(y.Recognition)}
	if c.Recognition == "" {
		c.Recognition = RecognitionFirst
	}
	if y.Tier == "" {
		fields["cohort.tier"] = at("必填 / required", "cohort")
	} else if k, err := chanye.ParseTierKind(y.Tier); err != nil {
		fields["cohort.tier"] = at(err.Error(), "cohort.tier")
	} else {
		c.Tier = k
	}
	if l, err := chanye.ParseTierLevel(y.Level); err != nil {
		fields["cohort.level"] = at(err.Error(), "cohort.level")
	} else {
		c.Level = l
	}
	switch {
	case (y.RecognisedIn == nil) != (y.PaidIn == nil):
		fields["cohort"] = at("recognised_in 与 paid_in 须同时写明 / give both recognised_in and paid_in", "cohort")
	case y.RecognisedIn != nil && len(y.Batches) > 0:
		fields["cohort"] = at("recognised_in/paid_in 与 batches 只能写一种 / give recognised_in and paid_in, or batches, not both", "cohort")
	case y.RecognisedIn != nil:
		c.Batches = []Batch{{RecognisedIn: *y.RecognisedIn, PaidIn: *y.PaidIn}}
	}
	for _, b := range y.Batches {
		c.Batches = append(c.Batches, Batch{RecognisedIn: b.RecognisedIn, PaidIn: b.PaidIn})
	}
	return c
}

// scalar reads a parameter value: int, double, string or bool.
func scalar(n *yaml.Node) (any, ParamType, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, "", errors.New("须为整数、小数、字符串或布尔值 / must be an int, double, string or bool")
	}
	switch n.Tag {
	case "!!int":
		v, err := strconv.ParseInt(n.Value, 0, 64)
		return v, ParamInt, err
	case "!!float":
		v, err := strconv.ParseFloat(n.Value, 64)
		return v, ParamDouble, err
	case "!!bool":
		v, err := strconv.ParseBool(n.Value)
		return v, ParamBool, err
	case "!!str":
		return n.Value, ParamString, nil
	}
	return nil, "", fmt.Errorf("不支持的取值 %q / unsupported value", n.Value)
}

// enterprise builds the enterprise of a case: facts merged per year, newest
// first, and the size class derived from them, or as given when the case
// has no facts.
func (y *enterpriseYAML) enterprise(path string, fields map[string]string, at func(msg, path string) string) *chanye.Enterprise {
	e := &chanye.Enterprise{Code: y.Code, Name: y.Name, DistrictCode: y.District, IndustryClass: y.Class,
		Founded: y.Founded.Date, Industries: y.Industries, IndustriesOverride: y.Industries != nil}
	for i, t := range y.Tiers {
		k, err := chanye.ParseTierKind(t.Kind)
		if err != nil {
			fields[fmt.Sprintf("%s.tiers[%d].kind", path, i)] = at(err.Error(), fmt.Sprintf("%s.tiers[%d]", path, i))
		}
		l, err := chanye.ParseTierLevel(t.Level)
		if err != nil {
			fields[fmt.Sprintf("%s.tiers[%d].level", path, i)] = at(err.Error(), fmt.Sprintf("%s.tiers[%d]", path, i))
		}
		e.Tiers = append(e.Tiers, chanye.Tier{Kind: k, Level: l, From: t.From.Date, To: t.To.Date, Source: "case"})
	}
	byYear := map[int][]*chanye.Facts{}
	for i := range y.Facts {
		fc := y.Facts[i].Facts
		if fc.Source == "" {
			fc.Source = "case"
		}
		byYear[fc.Year] = append(byYear[fc.Year], &fc)
	}
	years := make([]int, 0, len(byYear))
	for yr := range byYear {
		years = append(years, yr)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	for _, yr := range years {
		e.Facts = append(e.Facts, chanye.MergeFacts(byYear[yr]))
	}
	if y.Size != "" {
		e.SizeClass = chanye.SizeClass(y.Size)
		switch {
		case !e.SizeClass.Valid():
			fields[path+".size"] = at(fmt.Sprintf("规模 %q 须为 large、medium、small 或 micro / size must be large, medium, small or micro", y.Size), path+".size")
		case len(y.Facts) > 0:
			// Rules see the class of the fiscal year the as-of date sees.
			fields[path+".size"] = at("写有年度数据时，规模按基准日所见年度的数据计算，不能另写 size / with facts the size class is computed from the fiscal year the as-of date sees; drop size", path+".size")
		}
	} else {
		e.DeriveSizeClass()
	}
	return e
}

// inputsYAML is the inputs of a policy, a mapping from name to
// {type, label_zh, label_en, from}, kept in the file's order.
type inputsYAML struct{ list []Input }

func (y *inputsYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return typeErr(n, "inputs 须为映射 / inputs must be a mapping")
	}
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		var d struct {
			Type    string   `yaml:"type"`
			LabelZH string   `yaml:"label_zh"`
			LabelEN string   `yaml:"label_en"`
			From    []string `yaml:"from"`
		}
		if err := n.Content[i+1].Decode(&d); err != nil {
			var te *yaml.TypeError
			if errors.As(err, &te) {
				errs = append(errs, te.Errors...)
				continue
			}
			return err
		}
		in := Input{Name: n.Content[i].Value, Type: InputType(d.Type), LabelZH: d.LabelZH, LabelEN: d.LabelEN}
		for _, s := range d.From {
			in.From = append(in.From, InputSource(s))
		}
		y.list = append(y.list, in)
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// caseInputs reads the inputs of a case: NAME_yuan ("123.45") or NAME_fen
// for money, "12%" for a ratio, YYYY-MM-DD for a date, an int, a bool.
func (p *Policy) caseInputs(n *yaml.Node, path string, fields map[string]string) map[string]any {
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		fields[path] = fmt.Sprintf("须为映射（第 %d 行）/ must be a mapping (line %d)", n.Line, n.Line)
		return nil
	}
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		at := fmt.Sprintf("%s.%s", path, key)
		onLine := func(msg string) string { return atLine(msg, v.Line) }
		name, unit := key, ""
		if s, ok := strings.CutSuffix(key, "_yuan"); ok {
			name, unit = s, "yuan"
		} else if s, ok := strings.CutSuffix(key, "_fen"); ok {
			name, unit = s, "fen"
		}
		in := p.Input(name)
		switch {
		case in == nil:
			fields[at] = onLine(fmt.Sprintf("未声明的输入 %s / undeclared input %s", name, name))
			continue
		case (in.Type == InputMoney) != (unit != ""):
			fields[at] = onLine(fmt.Sprintf("金额输入写作 %s_yuan 或 %s_fen，其他输入写名称本身 / write a money input as %s_yuan or %s_fen, others by their name", name, name, name, name))
			continue
		}
		var val any
		var err error
		if unit == "fen" {
			var x int64
			if x, err = strconv.ParseInt(v.Value, 10, 64); err == nil && v.Tag == "!!int" {
				val = x
				if msg := in.CheckInput(val); msg != "" {
					err = errors.New(msg)
				}
			} else {
				err = errors.New("分金额须为整数 / a fen amount must be an integer")
			}
		} else {
			if in.Type == InputMoney && v.Tag != "!!str" && v.Tag != "!!int" || in.Type == InputRatio && v.Tag != "!!str" {
				err = errors.New("须写成带引号的字符串 / must be a quoted string")
			} else {
				val, err = in.ParseInput(v.Value, "")
			}
		}
		if err != nil {
			fields[at] = onLine(err.Error())
			continue
		}
		out[name] = val
	}
	return out
}
