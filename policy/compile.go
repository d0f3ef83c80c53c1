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
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
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
	reads  []int // schema indexes the expressions read, for the unknown patterns
	// inPatterns mark each declared input unknown, in declaration order.
	inPatterns []*interpreter.AttributePattern
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
	opts := []cel.EnvOption{rateDecls}
	for _, pa := range p.Params {
		opts = append(opts, cel.Variable("p."+pa.Name, paramCELType(pa.Type)))
	}
	if p.Cohort != nil {
		opts = append(opts, cel.Variable("p."+CohortParam, cel.IntType))
	}
	opts = append(opts, p.inputDecls()...)
	env, err := base.Extend(opts...)
	if err != nil {
		return nil, fmt.Errorf("policy: parameter environment: %w", err)
	}
	c := &Compiled{Policy: p}
	for _, in := range p.Inputs {
		c.inPatterns = append(c.inPatterns, cel.AttributePattern(in.Variable()))
	}
	fields := map[string]string{}
	for i, cd := range p.Conds {
		path := fmt.Sprintf("conditions[%d].expr", i)
		who := fmt.Sprintf("条件 %s（%s）", cd.ID, cd.LabelZH) + "|" + fmt.Sprintf("condition %s (%s)", cd.ID, cd.LabelEN)
		x, msg := compileExpr(env, p, cd.Expr, cel.BoolType, who)
		if msg == "" {
			msg = p.beyondYears(x.reads, who)
		}
		if msg != "" {
			fields[path] = p.atLine(msg, path)
		}
		c.conds = append(c.conds, x)
	}
	x, msg := compileExpr(env, p, p.Amount.Expr, cel.IntType, "金额公式|amount formula")
	if msg == "" {
		msg = x.exact(p)
	}
	if msg == "" {
		msg = p.beyondYears(x.reads, "金额公式|amount formula")
	}
	if msg != "" {
		fields["amount.expr"] = p.atLine(msg, "amount.expr")
	}
	c.amount = x
	if err := chanye.Invalid(fmt.Sprintf("政策 %s 的规则有误 / the rules of policy %s do not compile", p.ID, p.ID), fields); err != nil {
		return nil, err
	}
	c.reads = c.readIndexes()
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
	case ParamRate:
		return RateType
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
		}, cel.EvalOptions(cel.OptExhaustiveEval, cel.OptPartialEval), rateOverloads(p.Amount.Round().Mode))
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
		return ok || strings.HasPrefix(name, "p.") || strings.HasPrefix(name, InputPrefix)
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

// exact checks the money path of the amount formula — the int-typed
// nodes from the result down, through arithmetic, the branches of ?: and
// math.least/greatest, to the leaves: no double is turned into money there
// (int(x) of a double), and no negative number or parameter makes the
// amount negative where that is plain from the text. Doubles and negative
// numbers in the conditions of ?: are not on the path. It returns the
// problem, or "".
func (x *expr) exact(p *Policy) string {
	native := x.ast.NativeRep()
	info := native.SourceInfo()
	at := func(e celast.Expr) (int, int) {
		loc := info.GetStartLocation(e.ID())
		col := loc.Column() + 1
		if e.Kind() == celast.CallKind && !e.AsCall().IsMemberFunction() && identRE.MatchString(e.AsCall().FunctionName()) &&
			col > len(e.AsCall().FunctionName()) {
			col -= len(e.AsCall().FunctionName()) // cel-go places a call at its parenthesis
		}
		return loc.Line(), col
	}
	isInt := func(e celast.Expr) bool { return native.GetType(e.ID()).Kind() == types.IntKind }
	var walk func(e celast.Expr) string
	walk = func(e celast.Expr) string {
		switch e.Kind() {
		case celast.LiteralKind:
			if i, ok := e.AsLiteral().(types.Int); ok && i < 0 {
				l, c := at(e)
				return fmt.Sprintf("金额公式 第 %d 行第 %d 列：负数 %d 会使金额为负 / amount formula at %d:%d: the negative number %d can make the amount negative", l, c, i, l, c, i)
			}
		case celast.IdentKind:
			n, ok := strings.CutPrefix(e.AsIdent(), "p.")
			if pa := p.param(n); ok && pa != nil {
				for _, v := range pa.Values {
					if i, ok := v.Value.(int64); ok && i < 0 {
						return fmt.Sprintf("金额公式：参数 %s 自 %s 起为负数 %d，会使金额为负 / amount formula: parameter %s is the negative number %d from %s, which can make the amount negative",
							e.AsIdent(), v.From, i, e.AsIdent(), i, v.From)
					}
				}
			}
		case celast.ListKind: // math.least([…]) and math.greatest([…])
			for _, el := range e.AsList().Elements() {
				if msg := walk(el); msg != "" {
					return msg
				}
			}
		case celast.CallKind:
			call := e.AsCall()
			args := call.Args()
			if call.FunctionName() == "int" && len(args) == 1 && !isInt(args[0]) {
				l, c := at(e)
				return fmt.Sprintf("金额公式 第 %d 行第 %d 列：金额计算不得使用小数（double），会丢失分；请把比例写成比例参数（如 rate: {value_rate: \"0.35\"}）并写 x * p.rate，"+
					"或用整数写 x * 35 / 100 / amount formula at %d:%d: no double on the money path, it loses fen; write a share as a rate parameter "+
					"(such as rate: {value_rate: \"0.35\"}) and x * p.rate, or in integers x * 35 / 100", l, c, l, c)
			}
			if call.FunctionName() == "_?_:_" {
				args = args[1:]
			}
			for _, a := range args {
				if a.Kind() == celast.ListKind || isInt(a) {
					if msg := walk(a); msg != "" {
						return msg
					}
				}
			}
		}
		return ""
	}
	return walk(native.Expr())
}
