package policy

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/ext"
)

// MaxCost bounds the cost of one expression: cel-go's static estimate of
// the worst case is checked on save, and the same figure limits evaluation.
// A plain condition costs under 20; only comprehensions over
// e.industries come near the limit.
const MaxCost = 10_000

// maxListSize is the most industries an enterprise is assumed to belong to,
// for cost estimation; the 21+8 list has 29.
const maxListSize = 29

// maxStringSize bounds the length of the string variables (codes, sizes).
const maxStringSize = 16

// baseEnv is the CEL environment of the schema, shared by every policy.
var baseEnv = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{ext.Math()}
	for _, v := range schema {
		opts = append(opts, cel.Variable(v.Name, v.cel))
	}
	return cel.NewEnv(opts...)
})

// Compiled is a policy whose expressions are type-checked, cost-limited and
// ready to evaluate. It is immutable and safe for concurrent use.
type Compiled struct {
	Policy *Policy
	conds  []*expr
	amount *expr
}

// expr is one compiled expression with what explanations need.
type expr struct {
	ast   *cel.Ast
	prg   cel.Program
	reads []string     // schema variables and p.NAME read, in order of appearance
	cmps  []comparison // numeric comparisons of a variable with a threshold
}

// comparison is a node `v op t` where v is a numeric schema variable and t
// reads no schema variable (a constant, a parameter or arithmetic of them).
type comparison struct {
	id        int64 // the call node
	op        string
	variable  string
	varID     int64
	threshold int64 // node id of the other side
	flipped   bool  // the variable was on the right; op is already mirrored
}

// costEstimator gives cel-go the sizes of the schema's lists and strings.
var costEstimator = SizeEstimator(func(p []string) *checker.SizeEstimate {
	if len(p) > 0 {
		if v, ok := LookupVariable(p[0]); ok {
			switch v.Type {
			case "list(string)":
				return &checker.SizeEstimate{Min: 0, Max: maxListSize}
			case "string":
				return &checker.SizeEstimate{Min: 0, Max: maxStringSize}
			}
		}
	}
	if len(p) > 1 && p[1] == "@items" {
		return &checker.SizeEstimate{Min: 0, Max: maxStringSize}
	}
	return nil
})

// Compile type-checks and cost-checks every expression of p: each condition
// must be a bool and the amount an int (fen). The error is EINVALID with
// Fields keyed conditions[i].expr or amount.expr; each message names the
// condition and the line:column in the expression.
func Compile(p *Policy) (*Compiled, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	base, err := baseEnv()
	if err != nil {
		return nil, fmt.Errorf("policy: schema environment: %w", err)
	}
	var opts []cel.EnvOption
	for _, pa := range p.Params {
		opts = append(opts, cel.Variable("p."+pa.Name, paramCELType(pa.Type)))
	}
	if p.Cohort != nil {
		opts = append(opts, cel.Variable("p."+CohortParam, cel.IntType))
	}
	env, err := base.Extend(opts...)
	if err != nil {
		return nil, fmt.Errorf("policy: parameter environment: %w", err)
	}
	c := &Compiled{Policy: p}
	fields := map[string]string{}
	for i, cd := range p.Conds {
		path := fmt.Sprintf("conditions[%d].expr", i)
		who := fmt.Sprintf("条件 %s（%s）", cd.ID, cd.LabelZH) + "|" + fmt.Sprintf("condition %s (%s)", cd.ID, cd.LabelEN)
		x, msg := compileExpr(env, p, cd.Expr, cel.BoolType, who)
		if msg == "" {
			msg = p.beyondYears(x.reads, who)
		}
		if msg != "" {
			fields[path] = msg + p.line(path)
		}
		c.conds = append(c.conds, x)
	}
	x, msg := compileExpr(env, p, p.Amount.Expr, cel.IntType, "金额公式|amount formula")
	if msg == "" {
		msg = p.beyondYears(x.reads, "金额公式|amount formula")
	}
	if msg != "" {
		fields["amount.expr"] = msg + p.line("amount.expr")
	}
	c.amount = x
	if err := chanye.Invalid(fmt.Sprintf("政策 %s 的规则有误 / the rules of policy %s do not compile", p.ID, p.ID), fields); err != nil {
		return nil, err
	}
	return c, nil
}

func paramCELType(t ParamType) *cel.Type {
	switch t {
	case ParamInt:
		return cel.IntType
	case ParamDouble:
		return cel.DoubleType
	case ParamBool:
		return cel.BoolType
	}
	return cel.StringType
}

// compileExpr parses, checks and plans one expression. who is "zh|en".
func compileExpr(env *cel.Env, p *Policy, src string, want *cel.Type, who string) (*expr, string) {
	whoZH, whoEN, _ := strings.Cut(who, "|")
	fail := func(line, col int, zh, en string) (*expr, string) {
		if line > 0 {
			return nil, fmt.Sprintf("%s 第 %d 行第 %d 列：%s / %s at %d:%d: %s", whoZH, line, col, zh, whoEN, line, col, en)
		}
		return nil, fmt.Sprintf("%s：%s / %s: %s", whoZH, zh, whoEN, en)
	}
	checked, prg, ce := CompileCEL(env, src, want, MaxCost, costEstimator,
		func(parsed *cel.Ast, e *common.Error) (string, string) {
			name := qualifiedName(parsed.NativeRep(), e.ExprID)
			zh, en := "未知变量 "+name, "unknown variable "+name
			if s := suggest(name, p); s != "" {
				zh += "，是否应为 " + s + "？"
				en += "; did you mean " + s + "?"
			}
			return zh, en
		}, cel.EvalOptions(cel.OptExhaustiveEval))
	if ce != nil {
		return fail(ce.Line, ce.Col, ce.ZH, ce.EN)
	}
	x := &expr{ast: checked, prg: prg}
	x.plan()
	return x, ""
}

// plan walks the checked AST for the variables read and the numeric
// comparisons that explanations measure. After checking, a qualified name
// such as e.fy1.revenue is one identifier node.
func (x *expr) plan() {
	native := x.ast.NativeRep()
	seen := map[string]bool{}
	isVar := func(name string) bool {
		_, ok := schemaIndex[name]
		return ok || strings.HasPrefix(name, "p.")
	}
	celast.PreOrderVisit(native.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.IdentKind && isVar(e.AsIdent()) && !seen[e.AsIdent()] {
			seen[e.AsIdent()] = true
			x.reads = append(x.reads, e.AsIdent())
		}
		if e.Kind() != celast.CallKind || len(e.AsCall().Args()) != 2 {
			return
		}
		op, ok := mirror[e.AsCall().FunctionName()]
		if !ok {
			return
		}
		l, r := e.AsCall().Args()[0], e.AsCall().Args()[1]
		if v := numericVar(l); v != "" && !readsSchema(r) {
			x.cmps = append(x.cmps, comparison{id: e.ID(), op: e.AsCall().FunctionName(), variable: v, varID: l.ID(), threshold: r.ID()})
		} else if v := numericVar(r); v != "" && !readsSchema(l) {
			x.cmps = append(x.cmps, comparison{id: e.ID(), op: op, variable: v, varID: r.ID(), threshold: l.ID(), flipped: true})
		}
	}))
}

// mirror maps each comparison to the one with its sides swapped.
var mirror = map[string]string{"_>=_": "_<=_", "_>_": "_<_", "_<_": "_>_", "_<=_": "_>=_", "_==_": "_==_"}

// numericVar returns the name of e when it is an int or double schema
// variable.
func numericVar(e celast.Expr) string {
	if e.Kind() != celast.IdentKind || runScalars[e.AsIdent()] {
		return ""
	}
	if v, ok := LookupVariable(e.AsIdent()); ok && (v.Type == "int" || v.Type == "double") {
		return v.Name
	}
	return ""
}

// runScalars are the same for every enterprise of a run, so they count as
// thresholds, not as variables to measure.
var runScalars = map[string]bool{"as_of": true, "policy_year": true}

// readsSchema reports whether e reads any enterprise variable.
func readsSchema(e celast.Expr) bool {
	found := false
	celast.PreOrderVisit(e, celast.NewExprVisitor(func(n celast.Expr) {
		if n.Kind() == celast.IdentKind && !runScalars[n.AsIdent()] {
			if _, ok := schemaIndex[n.AsIdent()]; ok {
				found = true
			}
		}
	}))
	return found
}

// qualifiedName rebuilds the dotted name around the identifier node id of a
// parsed AST: for e in e.fy1.revnue it returns "e.fy1.revnue".
func qualifiedName(a *celast.AST, id int64) string {
	parent := map[int64]celast.Expr{}
	var ident celast.Expr
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.ID() == id {
			ident = e
		}
		if e.Kind() == celast.SelectKind {
			parent[e.AsSelect().Operand().ID()] = e
		}
	}))
	if ident == nil || ident.Kind() != celast.IdentKind {
		return "?"
	}
	name, cur := ident.AsIdent(), ident.ID()
	for {
		p, ok := parent[cur]
		if !ok {
			return name
		}
		name += "." + p.AsSelect().FieldName()
		cur = p.ID()
	}
}

// suggest returns the closest known variable to name, or "" when none is
// close enough to be a typo.
func suggest(name string, p *Policy) string {
	cands := make([]string, 0, len(schema)+len(p.Params))
	for _, v := range schema {
		cands = append(cands, v.Name)
	}
	for _, pa := range p.Params {
		cands = append(cands, "p."+pa.Name)
	}
	sort.Strings(cands)
	best, bestD := "", max(2, len(name)/4)+1
	for _, c := range cands {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two ASCII names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
