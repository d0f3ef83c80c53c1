package project

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/interpreter"
)

// MaxCost bounds a rule's cost, as policy.MaxCost bounds a condition's: the
// static estimate is checked when the rule is saved and the same figure
// limits evaluation. The schema is flat scalars, so a sensible rule costs
// under 30.
const MaxCost = 1_000

// HysteresisMonths is how far back Evaluate replays the red rules to know
// whether a group was red at the end of the previous month (was_red). A red
// that has held by hysteresis alone for longer than this is forgotten.
const HysteresisMonths = 12

// Variable is one project variable a rule can read.
type Variable struct {
	Name   string `json:"name"`
	Type   string `json:"type"` // bool, int, double, string
	DescZH string `json:"desc_zh"`
	DescEN string `json:"desc_en"`
	cel    *cel.Type
}

// variables is the flat schema of the rules, in the order of vars' fields.
var variables = []Variable{
	{Name: "months_since_planned_start", Type: "int", DescZH: "距计划开工月份的月数（计划开工当月为 0，之前为负）", DescEN: "months since the planned start month (0 in it, negative before)", cel: cel.IntType},
	{Name: "months_to_planned_completion", Type: "int", DescZH: "距计划竣工月份的月数（已过为负）", DescEN: "months to the planned completion month (negative once past)", cel: cel.IntType},
	{Name: "started", Type: "bool", DescZH: "已开工（开工节点有实际日期，或阶段已到开工）", DescEN: "started (the start node has an actual date, or the stage is started or later)", cel: cel.BoolType},
	{Name: "completed", Type: "bool", DescZH: "已竣工（阶段为竣工及以后）", DescEN: "completed (stage completed or later)", cel: cel.BoolType},
	{Name: "reporting", Type: "bool", DescZH: "须报月报：已开工或计划开工月份已到，且未竣工", DescEN: "monthly reports due: started or past the planned start month, and not completed", cel: cel.BoolType},
	{Name: "stage", Type: "string", DescZH: "阶段代码", DescEN: "stage id", cel: cel.StringType},
	{Name: "stage_ordinal", Type: "int", DescZH: "阶段序号（谋划 0 … 达产 7）", DescEN: "stage ordinal (planning 0 … full output 7)", cel: cel.IntType},
	{Name: "kind", Type: "string", DescZH: "项目类型代码", DescEN: "kind id", cel: cel.StringType},
	{Name: "planned_progress_pct", Type: "double", DescZH: "计划进度（%）", DescEN: "planned progress (%)", cel: cel.DoubleType},
	{Name: "actual_progress_pct", Type: "double", DescZH: "最近月报的形象进度（%；竣工后为 100）", DescEN: "physical progress in the latest report (%; 100 once completed)", cel: cel.DoubleType},
	{Name: "progress_gap_pts", Type: "double", DescZH: "进度差：最近月报所属月末的计划进度 − 该月报的实际进度（百分点；无月报时按当日计划）", DescEN: "progress gap: planned at the end of the latest report's month − that report's progress (points; with no report, planned today)", cel: cel.DoubleType},
	{Name: "months_without_report", Type: "int", DescZH: "连续未报月报的月数（上月起算）", DescEN: "months without a report, counting from last month", cel: cel.IntType},
	{Name: "reports_missed_6m", Type: "int", DescZH: "此前六个月中应报而未报月报的月数（补报后减少）", DescEN: "months among the six before this one whose report was due and is not filed (filing late lowers it)", cel: cel.IntType},
	{Name: "invested_ratio", Type: "double", DescZH: "累计完成投资 / 总投资", DescEN: "cumulative investment / total investment", cel: cel.DoubleType},
	{Name: "planned_invested_ratio", Type: "double", DescZH: "计划累计投资 / 总投资", DescEN: "planned cumulative investment / total investment", cel: cel.DoubleType},
	{Name: "investment_gap_pts", Type: "double", DescZH: "投资差（计划 − 实际，占总投资百分点）", DescEN: "investment gap (planned − actual, points of the total)", cel: cel.DoubleType},
	{Name: "overdue_nodes", Type: "int", DescZH: "逾期未完成的节点数", DescEN: "nodes past their deadline and not done", cel: cel.IntType},
	{Name: "total_investment_yi", Type: "double", DescZH: "总投资（亿元）", DescEN: "total investment (100 million yuan)", cel: cel.DoubleType},
	{Name: "was_red", Type: "bool", DescZH: "本组红色规则上月末已触发", DescEN: "the group's red rule fired at the end of last month", cel: cel.BoolType},
}

var variableIndex = func() map[string]int {
	m := map[string]int{}
	for i, v := range variables {
		m[v.Name] = i
	}
	return m
}()

// Variables returns the schema of the warning rules.
func Variables() []Variable { return append([]Variable(nil), variables...) }

var ruleEnv = sync.OnceValues(func() (*cel.Env, error) {
	var opts []cel.EnvOption
	for _, v := range variables {
		opts = append(opts, cel.Variable(v.Name, v.cel))
	}
	return cel.NewEnv(opts...)
})

// RuleSet is a list of compiled rules, immutable and safe for concurrent use.
type RuleSet struct {
	rules []*compiled
	// replay are the red rules of the groups where some rule reads
	// was_red: the only ones Evaluate replays over past months.
	replay []*compiled
	// hyst are the rules of those groups: when none of them fires today
	// with was_red either false or true, was_red changes nothing and
	// the replay is skipped.
	hyst []*compiled
	// alwaysReplay turns that shortcut off, for the tests that show it
	// gives the same warnings.
	alwaysReplay bool
}

type compiled struct {
	*Rule
	prg   cel.Program
	reads []int // indexes into variables, in order of appearance
}

// costEstimator sizes the string variables; the schema has no lists.
var costEstimator = policy.SizeEstimator(func(p []string) *checker.SizeEstimate {
	if len(p) > 0 {
		if i, ok := variableIndex[p[0]]; ok && variables[i].Type == "string" {
			return &checker.SizeEstimate{Min: 0, Max: 32}
		}
	}
	return nil
})

// Compile checks the rule: its fields, and its expression parsed,
// type-checked as a bool over Variables and cost-limited. The error is
// EINVALID; Fields["expr"] names the rule and the line:column.
func (r *Rule) Compile() (*RuleSet, error) {
	c, err := compileRule(r)
	if err != nil {
		return nil, err
	}
	rs := &RuleSet{rules: []*compiled{c}}
	rs.index()
	return rs, nil
}

func (rs *RuleSet) index() {
	hyst := map[string]bool{}
	for _, c := range rs.rules {
		for _, i := range c.reads {
			if i == wasRedIdx {
				hyst[c.Group] = true
			}
		}
	}
	for _, c := range rs.rules {
		if c.Colour == Red && hyst[c.Group] {
			rs.replay = append(rs.replay, c)
		}
		if hyst[c.Group] {
			rs.hyst = append(rs.hyst, c)
		}
	}
}

// wasRedMatters reports whether some rule of a hysteresis group fires on
// a (today's variables) with was_red false or true: only then can the
// replay change a warning, its values or its message.
func (rs *RuleSet) wasRedMatters(a *activation) bool {
	if rs.alwaysReplay {
		return true
	}
	for _, c := range rs.hyst {
		for _, v := range []bool{false, true} {
			a.vals[wasRedIdx] = v
			if fires(c, a) {
				return true
			}
		}
	}
	return false
}

// CompileRules compiles rules in Position order (then ID). EINVALID names
// each bad rule as rules[i].field; duplicate IDs are EINVALID too.
func CompileRules(rules []*Rule) (*RuleSet, error) {
	rs := &RuleSet{}
	f := map[string]string{}
	seen := map[string]bool{}
	for i, r := range rules {
		c, err := compileRule(r)
		for k, v := range chanye.ErrorFields(err) {
			f[fmt.Sprintf("rules[%d].%s", i, k)] = v
		}
		if err != nil && len(chanye.ErrorFields(err)) == 0 {
			return nil, err
		}
		if seen[r.ID] {
			f[fmt.Sprintf("rules[%d].id", i)] = "规则编号重复 / duplicate rule id"
		}
		seen[r.ID] = true
		if c != nil {
			rs.rules = append(rs.rules, c)
		}
	}
	if err := chanye.Invalid("预警规则有误 / invalid warning rules", f); err != nil {
		return nil, err
	}
	sort.SliceStable(rs.rules, func(i, j int) bool {
		a, b := rs.rules[i], rs.rules[j]
		if a.Position != b.Position {
			return a.Position < b.Position
		}
		return a.ID < b.ID
	})
	rs.index()
	return rs, nil
}

// Rules returns the rules of the set in order.
func (rs *RuleSet) Rules() []*Rule {
	out := make([]*Rule, len(rs.rules))
	for i, c := range rs.rules {
		out[i] = c.Rule
	}
	return out
}

func compileRule(r *Rule) (*compiled, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	env, err := ruleEnv()
	if err != nil {
		return nil, fmt.Errorf("project: rule environment: %w", err)
	}
	fail := func(line, col int, zh, en string) (*compiled, error) {
		msg := fmt.Sprintf("规则 %s（%s）：%s / rule %s (%s): %s", r.ID, r.LabelZH, zh, r.ID, r.LabelEN, en)
		if line > 0 {
			msg = fmt.Sprintf("规则 %s（%s）第 %d 行第 %d 列：%s / rule %s (%s) at %d:%d: %s", r.ID, r.LabelZH, line, col, zh, r.ID, r.LabelEN, line, col, en)
		}
		return nil, chanye.Invalid("预警规则无法编译 / the warning rule does not compile", map[string]string{"expr": msg})
	}
	checked, prg, ce := policy.CompileCEL(env, r.Expr, cel.BoolType, MaxCost, costEstimator, nil)
	if ce != nil {
		return fail(ce.Line, ce.Col, ce.ZH, ce.EN)
	}
	c := &compiled{Rule: r, prg: prg}
	seen := map[int]bool{}
	celast.PreOrderVisit(checked.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.IdentKind {
			return
		}
		if i, ok := variableIndex[e.AsIdent()]; ok && !seen[i] {
			seen[i] = true
			c.reads = append(c.reads, i)
		}
	}))
	return c, nil
}

// Data is what warnings are computed from. Industries gives the owners
// that projects do not set themselves; it may be nil.
type Data struct {
	Projects   []*Project
	Reports    []*Report
	Nodes      []*Node
	Industries map[string]*chanye.Industry
	// Closures are the warnings closed (销号); those that cover asOf
	// mark their warnings Closed.
	Closures []*Closure
}

// Evaluate returns the warnings of every project as of asOf, ordered by
// project (as given) and rule. A rule whose evaluation fails (cost limit)
// fires no warning. In each group a red warning hides the yellow ones.
//
// Warnings that d.Closures cover are marked Closed (closure.go).
//
// was_red at asOf is found by replaying the red rules at the end of each
// of the HysteresisMonths previous months, oldest first.
func Evaluate(rs *RuleSet, d Data, asOf chanye.Date) []Warning {
	reports := map[string][]*Report{}
	for _, r := range d.Reports {
		reports[r.ProjectID] = append(reports[r.ProjectID], r)
	}
	for _, rr := range reports {
		sort.Slice(rr, func(i, j int) bool { return rr[i].Month < rr[j].Month })
	}
	nodes := map[string][]*Node{}
	for _, n := range d.Nodes {
		nodes[n.ProjectID] = append(nodes[n.ProjectID], n)
	}
	// Projects are independent and the rule set is safe for concurrent
	// use: a board of a thousand projects is evaluated on every core, in
	// contiguous shares so that the order stays the projects'.
	shares := min(runtime.GOMAXPROCS(0), (len(d.Projects)+minShare-1)/minShare)
	if shares <= 1 {
		var out []Warning
		for _, p := range d.Projects {
			out = append(out, rs.evaluate(p, reports[p.ID], nodes[p.ID], d.Industries[p.IndustryID], asOf)...)
		}
		applyClosures(out, d.Closures, asOf)
		return out
	}
	parts := make([][]Warning, shares)
	var wg sync.WaitGroup
	for i := range shares {
		lo, hi := i*len(d.Projects)/shares, (i+1)*len(d.Projects)/shares
		wg.Go(func() {
			for _, p := range d.Projects[lo:hi] {
				parts[i] = append(parts[i], rs.evaluate(p, reports[p.ID], nodes[p.ID], d.Industries[p.IndustryID], asOf)...)
			}
		})
	}
	wg.Wait()
	var out []Warning
	for _, ws := range parts {
		out = append(out, ws...)
	}
	applyClosures(out, d.Closures, asOf)
	return out
}

// minShare is the fewest projects Evaluate gives a goroutine of their own.
const minShare = 128

// EvaluateProject returns the warnings of one project as of asOf; reports
// and nodes are the project's own.
func (rs *RuleSet) EvaluateProject(p *Project, reports []*Report, nodes []*Node, ind *chanye.Industry, asOf chanye.Date) []Warning {
	rr := append([]*Report(nil), reports...)
	sort.Slice(rr, func(i, j int) bool { return rr[i].Month < rr[j].Month })
	return rs.evaluate(p, rr, nodes, ind, asOf)
}

func (rs *RuleSet) evaluate(p *Project, reports []*Report, nodes []*Node, ind *chanye.Industry, asOf chanye.Date) []Warning {
	now := monthIndex(asOf.Time)
	wasRed := map[string]bool{}
	var a activation
	a.fill(p, reports, nodes, asOf, false)
	if len(rs.replay) > 0 && rs.wasRedMatters(&a) {
		var r activation
		prev := make([]bool, len(rs.replay)) // per replayed rule
		cur := make([]bool, len(rs.replay))
		for m := now - HysteresisMonths; m < now; m++ {
			r.fill(p, reports, nodes, monthEnd(m), false)
			for i, c := range rs.replay {
				was := false
				for j, d := range rs.replay {
					was = was || (prev[j] && d.Group == c.Group)
				}
				r.vals[wasRedIdx] = was
				cur[i] = fires(c, &r)
			}
			prev, cur = cur, prev
		}
		for i, c := range rs.replay {
			wasRed[c.Group] = wasRed[c.Group] || prev[i]
		}
	}
	var ws []Warning
	redGroups := map[string]bool{}
	owners := p.EffectiveOwners(ind)
	for _, c := range rs.rules {
		a.vals[wasRedIdx] = wasRed[c.Group]
		if !fires(c, &a) {
			continue
		}
		if c.Colour == Red {
			redGroups[c.Group] = true
		}
		w := Warning{ProjectID: p.ID, RuleID: c.ID, Group: c.Group, Colour: c.Colour, AsOf: asOf,
			Values: map[string]any{}, OwnerHint: c.Owner, Owners: owners}
		var parts []string
		for _, i := range c.reads {
			w.Values[variables[i].Name] = a.vals[i]
			parts = append(parts, variables[i].Name+"="+format(a.vals[i]))
		}
		seen := strings.Join(parts, ", ")
		w.MessageZH = fmt.Sprintf("%s（%s）", c.LabelZH, seen)
		w.MessageEN = fmt.Sprintf("%s (%s)", c.LabelEN, seen)
		switch c.Owner {
		case OwnerEnterprise:
			w.Owner = owners.OwnerCode
		case OwnerDepartment:
			w.Owner = owners.Department
		case OwnerLeader:
			w.Owner = owners.CityLeader
		}
		ws = append(ws, w)
	}
	out := ws[:0]
	for _, w := range ws {
		if w.Colour == Yellow && redGroups[w.Group] {
			continue
		}
		out = append(out, w)
	}
	return out
}

func fires(c *compiled, a *activation) bool {
	v, _, err := c.prg.Eval(a)
	if err != nil {
		return false
	}
	b, ok := v.Value().(bool)
	return ok && b
}

func format(v any) string {
	if f, ok := v.(float64); ok {
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
	}
	return fmt.Sprint(v)
}

// Indexes of the variables that fill sets by position.
var wasRedIdx = variableIndex["was_red"]

// activation holds the variables of one project at one day, by index.
type activation struct {
	vals [len0]any
}

const len0 = 19

func (a *activation) ResolveName(name string) (any, bool) {
	if i, ok := variableIndex[name]; ok {
		return a.vals[i], true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// Values returns the variables of p as of asOf, was_red false: what a rule
// would see, for explanations and tests.
func Values(p *Project, reports []*Report, nodes []*Node, asOf chanye.Date) map[string]any {
	rr := append([]*Report(nil), reports...)
	sort.Slice(rr, func(i, j int) bool { return rr[i].Month < rr[j].Month })
	var a activation
	a.fill(p, rr, nodes, asOf, false)
	m := map[string]any{}
	for i, v := range variables {
		m[v.Name] = a.vals[i]
	}
	return m
}

// fill computes the variables of p at the end of day asOf from the reports
// (sorted by month) of months up to asOf's and the nodes done by asOf.
func (a *activation) fill(p *Project, reports []*Report, nodes []*Node, asOf chanye.Date, wasRed bool) {
	now := monthIndex(asOf.Time)
	startM := monthIndex(p.PlannedStart.Time)
	stage := p.Stage.Ordinal()
	started := stage >= StageStarted.Ordinal()
	overdue := 0
	for _, n := range nodes {
		if n.Name == StartNode && !n.ActualDate.IsZero() {
			// The start node's date, when known, says when the start was:
			// replayed months before it had not started.
			started = !n.ActualDate.After(asOf.Time)
		}
		if n.ActualDate.IsZero() || n.ActualDate.After(asOf.Time) {
			if n.PlannedDate.Before(asOf.Time) {
				overdue++
			}
		}
	}
	completed := stage >= StageCompleted.Ordinal()
	var latest *Report
	for _, r := range reports {
		if m, ok := parseMonth(r.Month); ok && m <= now {
			latest = r
		} else {
			break
		}
	}
	planned := PlannedProgress(p, asOf)
	actual, cum, lastM, plannedThen := 0.0, chanye.Fen(0), startM-1, planned
	if latest != nil {
		m, _ := parseMonth(latest.Month)
		actual, cum, plannedThen = latest.ProgressPct, latest.CumulativeFen, PlannedProgress(p, monthEnd(min(m, now)))
		lastM = max(lastM, m)
	}
	if completed {
		actual = 100
	}
	missing := max(0, now-1-lastM)
	// Reports are due from the planned start month, or the actual start's
	// when earlier; a month filed late counts as filed.
	firstDue := startM
	for _, n := range nodes {
		if n.Name == StartNode && !n.ActualDate.IsZero() && !n.ActualDate.After(asOf.Time) {
			firstDue = min(firstDue, monthIndex(n.ActualDate.Time))
		}
	}
	missed := 0
	for m := max(firstDue, now-6); m < now; m++ {
		missed++
		for _, r := range reports {
			if rm, ok := parseMonth(r.Month); ok && rm == m {
				missed--
				break
			}
		}
	}
	total := float64(p.TotalInvestmentFen)
	inv, plannedInv := 0.0, 0.0
	if total > 0 {
		inv = float64(cum) / total
		plannedInv = float64(PlannedInvestment(p, asOf)) / total
	}
	a.vals = [len0]any{
		int64(now - startM),
		int64(monthIndex(p.PlannedCompletion.Time) - now),
		started,
		completed,
		!completed && (started || now >= startM),
		string(p.Stage),
		int64(stage),
		string(p.Kind),
		planned,
		actual,
		plannedThen - actual,
		int64(missing),
		int64(missed),
		inv,
		plannedInv,
		(plannedInv - inv) * 100,
		int64(overdue),
		total / 1e10,
		wasRed,
	}
}
