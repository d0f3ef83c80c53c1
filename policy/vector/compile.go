package vector

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
)

type op uint8

const (
	opConst op = iota + 1
	opVar
	opAdd
	opSub
	opMul
	opDiv
	opMod
	opNeg
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opAnd
	opOr
	opNot
	opCond
	opStrIn    // string node in a constant list (strs)
	opStrPre   // startsWith(sv)
	opStrSuf   // endsWith(sv)
	opStrHas   // contains(sv)
	opStrSize  // size(string)
	opListHas  // sv in list variable
	opListSize // size(list variable)
	opListAny  // list.exists(x, sub)
	opListAll  // list.all(x, sub)
	opToInt    // int(double)
	opToDouble // double(int)
	opMin      // n-ary: math.least over a[]
	opMax      // n-ary: math.greatest over a[]
	opMask     // a[0]'s value, unknown or in error as a[1:] are: x in [a, b] as cel-go's strict list
	opMulRate  // a[0] × the rate iv / 10^v, rounded to the fen: half up when bv
	opInput    // a declared input of a policy: Program.inputs[v]
)

// inputRef is a declared input a program's rules read.
type inputRef struct {
	c              *policy.Compiled
	name, variable string
}

// node is one vector operation of the DAG. Operands come before it.
type node struct {
	op   op
	k    kind
	a    []int32
	iv   int64
	fv   float64
	sv   string
	bv   bool
	strs map[string]bool
	v    int      // schema index of opVar; -1 for the iteration variable
	sub  *subProg // predicate of opListAny / opListAll
}

// subProg is a predicate over the distinct values of a list column,
// evaluated once per run with the iteration variable as its only column.
type subProg struct {
	nodes []node
	root  int32
	sig   string
}

// Program is the rules of many policies as of one date, compiled to one DAG
// with sub-expressions shared across policies. It is immutable.
type Program struct {
	AsOf     chanye.Date
	nodes    []node
	pols     []polPlan
	reads    []string
	inputs   []inputRef // by the v of opInput nodes
	Native   int        // expressions translated to vector operations
	Fallback int        // expressions left to cel-go per row
}

type polPlan struct {
	c        *policy.Compiled
	live     bool // active on the date with every parameter in force
	allErr   bool // active, but a parameter has no value: every decision is an error
	params   map[string]any
	reads    []int   // schema indexes the policy reads, for fallback rows' unknowns
	conds    []int32 // vectorised conditions
	fbConds  []policy.CheckedExpr
	amount   int32 // -1: fallback
	fbAmount policy.CheckedExpr
}

// errUnsupported marks an expression the fast path leaves to cel-go.
var errUnsupported = errors.New("vector: unsupported")

func unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUnsupported}, a...)...)
}

type builder struct {
	nodes  []node
	index  map[string]int32
	params map[string]any
	halfUp bool   // money × rate rounds half up, in the current policy
	iter   string // name of the comprehension variable, in a sub-program
	pol    *policy.Compiled
	inputs []inputRef
}

func newBuilder(params map[string]any) *builder {
	return &builder{index: map[string]int32{}, params: params}
}

// add hash-conses n: the same operation on the same operands is one node.
func (b *builder) add(n node) int32 {
	var k strings.Builder
	fmt.Fprintf(&k, "%d|%d|%v|%d|%x|%q|%t|%d", n.op, n.k, n.a, n.iv, math.Float64bits(n.fv), n.sv, n.bv, n.v)
	if n.strs != nil {
		fmt.Fprintf(&k, "|%v", sortedSet(n.strs))
	}
	if n.sub != nil {
		k.WriteString("|" + n.sub.sig)
	}
	key := k.String()
	if id, ok := b.index[key]; ok {
		return id
	}
	id := int32(len(b.nodes))
	b.nodes = append(b.nodes, n)
	b.index[key] = id
	return id
}

func (b *builder) isConst(id int32) bool { return b.nodes[id].op == opConst }

// Compile builds one program for the policies as of day asOf: parameters
// are bound to their values on that day, each condition and amount formula
// is translated into the shared DAG, or left to cel-go when it uses
// something the fast path does not have.
func Compile(asOf chanye.Date, pols ...*policy.Compiled) *Program {
	pr := &Program{AsOf: asOf}
	b := newBuilder(nil)
	reads := map[string]bool{}
	for _, c := range pols {
		pp := polPlan{c: c, amount: -1, reads: c.ReadIndexes()}
		params, err := c.Policy.ParamsAt(asOf)
		pp.live = c.Policy.Effective.Contains(asOf) && err == nil
		pp.allErr = c.Policy.Effective.Contains(asOf) && err != nil
		pp.params = params
		if !pp.live {
			pr.pols = append(pr.pols, pp)
			continue
		}
		b.params, b.halfUp, b.pol = params, c.RoundMode() == policy.RoundHalfUp, c
		conds, amount := c.CheckedExprs()
		for _, x := range conds {
			addReads(x, reads)
			if id, err := b.translate(x); err == nil {
				pp.conds = append(pp.conds, id)
				pr.Native++
			} else {
				pp.fbConds = append(pp.fbConds, x)
				pr.Fallback++
			}
		}
		addReads(amount, reads)
		if id, err := b.translate(amount); err == nil {
			pp.amount = id
			pr.Native++
		} else {
			pp.fbAmount = amount
			pr.Fallback++
		}
		pr.pols = append(pr.pols, pp)
	}
	pr.nodes, pr.inputs = b.nodes, b.inputs
	for _, v := range schema {
		if reads[v.Name] {
			pr.reads = append(pr.reads, v.Name)
		}
	}
	return pr
}

// Reads names the schema variables the program's rules read: the columns a
// run needs.
func (p *Program) Reads() []string { return append([]string(nil), p.reads...) }

// Nodes is the number of vector operations after sharing.
func (p *Program) Nodes() int { return len(p.nodes) }

func addReads(x policy.CheckedExpr, reads map[string]bool) {
	celast.PreOrderVisit(x.AST.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.IdentKind {
			if _, ok := schemaIndex[e.AsIdent()]; ok {
				reads[e.AsIdent()] = true
			}
		}
		if e.Kind() == celast.ComprehensionKind {
			if r := e.AsComprehension().IterRange(); r.Kind() == celast.IdentKind {
				if _, ok := schemaIndex[r.AsIdent()]; ok {
					reads[r.AsIdent()] = true
				}
			}
		}
	}))
}

// translate turns a checked expression into a node, checking that the kind
// the fast path infers is the type cel-go checked.
func (b *builder) translate(x policy.CheckedExpr) (id int32, err error) {
	a := x.AST.NativeRep()
	defer func() {
		if r := recover(); r != nil { // a shape this translator did not foresee
			id, err = -1, unsupported("%v", r)
		}
	}()
	return b.expr(a, a.Expr())
}

func checkedKind(a *celast.AST, e celast.Expr) kind {
	t := a.GetType(e.ID())
	switch t.Kind() {
	case types.BoolKind:
		return kBool
	case types.IntKind:
		return kInt
	case types.DoubleKind:
		return kDouble
	case types.StringKind:
		return kString
	case types.ListKind:
		if len(t.Parameters()) == 1 && t.Parameters()[0].Kind() == types.StringKind {
			return kList
		}
	}
	return 0
}

func (b *builder) expr(a *celast.AST, e celast.Expr) (int32, error) {
	id, err := b.expr1(a, e)
	if err != nil {
		return -1, err
	}
	if want := checkedKind(a, e); want == 0 || want != b.nodes[id].k {
		return -1, unsupported("type %v", a.GetType(e.ID()))
	}
	return id, nil
}

func (b *builder) constOf(v any) (int32, error) {
	switch x := v.(type) {
	case int64:
		return b.add(node{op: opConst, k: kInt, iv: x}), nil
	case float64:
		return b.add(node{op: opConst, k: kDouble, fv: x}), nil
	case string:
		return b.add(node{op: opConst, k: kString, sv: x}), nil
	case bool:
		return b.add(node{op: opConst, k: kBool, bv: x}), nil
	}
	return -1, unsupported("constant %T", v)
}

func (b *builder) expr1(a *celast.AST, e celast.Expr) (int32, error) {
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.Int:
			return b.constOf(int64(v))
		case types.Double:
			return b.constOf(float64(v))
		case types.String:
			return b.constOf(string(v))
		case types.Bool:
			return b.constOf(bool(v))
		}
		return -1, unsupported("literal %T", e.AsLiteral())
	case celast.IdentKind:
		name := e.AsIdent()
		if b.iter != "" && name == b.iter {
			return b.add(node{op: opVar, k: kString, v: -1}), nil
		}
		if p, ok := strings.CutPrefix(name, "p."); ok && b.params != nil {
			v, ok := b.params[p]
			if !ok {
				return -1, unsupported("parameter %s", p)
			}
			return b.constOf(v)
		}
		if n, ok := strings.CutPrefix(name, policy.InputPrefix); ok && b.pol != nil && b.iter == "" {
			return b.input(n)
		}
		i, ok := schemaIndex[name]
		if !ok || b.iter != "" { // a predicate may read only its variable
			return -1, unsupported("identifier %s", name)
		}
		return b.add(node{op: opVar, k: kindOf(schema[i].Type), v: i}), nil
	case celast.CallKind:
		return b.call(a, e)
	case celast.ComprehensionKind:
		return b.comprehension(a, e)
	}
	return -1, unsupported("expression kind %v", e.Kind())
}

var binOps = map[string]op{
	"_+_": opAdd, "_-_": opSub, "_*_": opMul, "_/_": opDiv, "_%_": opMod,
	"_==_": opEq, "_!=_": opNe, "_<_": opLt, "_<=_": opLe, "_>_": opGt, "_>=_": opGe,
	"_&&_": opAnd, "_||_": opOr,
}

func (b *builder) args(a *celast.AST, es []celast.Expr) ([]int32, error) {
	out := make([]int32, len(es))
	for i, x := range es {
		id, err := b.expr(a, x)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

func (b *builder) call(a *celast.AST, e celast.Expr) (int32, error) {
	c := e.AsCall()
	fn, es := c.FunctionName(), c.Args()
	if c.IsMemberFunction() {
		es = append([]celast.Expr{c.Target()}, es...)
	}
	if fn == "@in" && len(es) == 2 {
		return b.in(a, es[0], es[1])
	}
	if fn == "_*_" && len(es) == 2 {
		if id, ok, err := b.mulRate(a, es[0], es[1]); ok {
			return id, err
		}
	}
	if (fn == "math.@min" || fn == "math.@max") && len(es) == 1 && es[0].Kind() == celast.ListKind {
		es = es[0].AsList().Elements()
		if len(es) == 0 {
			return -1, unsupported("empty list")
		}
	}
	args, err := b.args(a, es)
	if err != nil {
		return -1, err
	}
	k := func(i int) kind { return b.nodes[args[i]].k }
	if o, ok := binOps[fn]; ok && len(args) == 2 {
		if k(0) != k(1) {
			return -1, unsupported("%s on %v and %v", fn, k(0), k(1))
		}
		switch o {
		case opAdd, opSub, opMul, opDiv:
			if k(0) != kInt && k(0) != kDouble {
				return -1, unsupported("%s on %v", fn, k(0))
			}
			return b.add(node{op: o, k: k(0), a: args}), nil
		case opMod:
			if k(0) != kInt {
				return -1, unsupported("%% on %v", k(0))
			}
			return b.add(node{op: o, k: kInt, a: args}), nil
		case opAnd, opOr:
			return b.add(node{op: o, k: kBool, a: args}), nil
		}
		if k(0) == kList {
			return -1, unsupported("comparing lists")
		}
		if k(0) == kString && o != opEq && o != opNe && b.isConst(args[0]) && !b.isConst(args[1]) {
			// Keep the column on the left: 'x' < s is s > 'x'.
			o = map[op]op{opLt: opGt, opLe: opGe, opGt: opLt, opGe: opLe}[o]
			args = []int32{args[1], args[0]}
		} else if k(0) == kString && b.isConst(args[0]) && !b.isConst(args[1]) {
			args = []int32{args[1], args[0]}
		}
		return b.add(node{op: o, k: kBool, a: args}), nil
	}
	switch {
	case fn == "!_" && len(args) == 1:
		return b.add(node{op: opNot, k: kBool, a: args}), nil
	case fn == "-_" && len(args) == 1 && (k(0) == kInt || k(0) == kDouble):
		return b.add(node{op: opNeg, k: k(0), a: args}), nil
	case fn == "_?_:_" && len(args) == 3 && k(1) == k(2) && k(1) != kString && k(1) != kList:
		return b.add(node{op: opCond, k: k(1), a: args}), nil
	case fn == "size" && len(args) == 1 && k(0) == kList && b.nodes[args[0]].op == opVar:
		return b.add(node{op: opListSize, k: kInt, a: args}), nil
	case fn == "size" && len(args) == 1 && k(0) == kString:
		return b.add(node{op: opStrSize, k: kInt, a: args}), nil
	case (fn == "startsWith" || fn == "endsWith" || fn == "contains") && len(args) == 2 &&
		k(0) == kString && k(1) == kString && b.isConst(args[1]):
		o := map[string]op{"startsWith": opStrPre, "endsWith": opStrSuf, "contains": opStrHas}[fn]
		return b.add(node{op: o, k: kBool, a: args[:1], sv: b.nodes[args[1]].sv}), nil
	case fn == "int" && len(args) == 1 && k(0) == kInt, fn == "double" && len(args) == 1 && k(0) == kDouble:
		return args[0], nil
	case fn == "int" && len(args) == 1 && k(0) == kDouble:
		return b.add(node{op: opToInt, k: kInt, a: args}), nil
	case fn == "double" && len(args) == 1 && k(0) == kInt:
		return b.add(node{op: opToDouble, k: kDouble, a: args}), nil
	case fn == "math.@min" || fn == "math.@max":
		o := map[string]op{"math.@min": opMin, "math.@max": opMax}[fn]
		if k(0) != kInt && k(0) != kDouble {
			return -1, unsupported("%s on %v", fn, k(0))
		}
		for _, x := range args[1:] {
			if b.nodes[x].k != k(0) {
				return -1, unsupported("%s on mixed kinds", fn)
			}
		}
		if len(args) == 1 {
			return args[0], nil
		}
		// One n-ary node: an error in any element wins, then an unknown,
		// as cel-go's list literal and variadic call have it.
		return b.add(node{op: o, k: k(0), a: args}), nil
	}
	return -1, unsupported("function %s", fn)
}

// in translates x in LIST: a list literal of constants or variables, or a
// list variable with a constant element.
func (b *builder) in(a *celast.AST, x, l celast.Expr) (int32, error) {
	xi, err := b.expr(a, x)
	if err != nil {
		return -1, err
	}
	xn := b.nodes[xi]
	if l.Kind() == celast.ListKind {
		els, err := b.args(a, l.AsList().Elements())
		if err != nil {
			return -1, err
		}
		if len(els) == 0 {
			return b.constOf(false)
		}
		allConst := true
		for _, el := range els {
			n := b.nodes[el]
			if n.k != xn.k || n.k == kList {
				return -1, unsupported("in on mixed kinds")
			}
			if n.op != opConst && n.op != opVar {
				return -1, unsupported("list element that may fail")
			}
			allConst = allConst && n.op == opConst
		}
		if xn.k == kString && allConst {
			set := map[string]bool{}
			for _, el := range els {
				set[b.nodes[el].sv] = true
			}
			return b.add(node{op: opStrIn, k: kBool, a: []int32{xi}, strs: set}), nil
		}
		// Elements that cannot fail make x in [a, b] true where x == a || x
		// == b, but cel-go builds the list first: an unknown element makes
		// the list, and x in it, unknown even where x == a.
		id := b.add(node{op: opEq, k: kBool, a: []int32{xi, els[0]}})
		for _, el := range els[1:] {
			id = b.add(node{op: opOr, k: kBool, a: []int32{id, b.add(node{op: opEq, k: kBool, a: []int32{xi, el}})}})
		}
		if allConst {
			return id, nil
		}
		return b.add(node{op: opMask, k: kBool, a: append([]int32{id, xi}, els...)}), nil
	}
	li, err := b.expr(a, l)
	if err != nil {
		return -1, err
	}
	if b.nodes[li].k == kList && b.nodes[li].op == opVar && xn.op == opConst && xn.k == kString {
		return b.add(node{op: opListHas, k: kBool, a: []int32{li}, sv: xn.sv}), nil
	}
	return -1, unsupported("in")
}

// mulRate translates money × a rate parameter (either order): ok is false
// when neither operand is a rate.
func (b *builder) mulRate(a *celast.AST, l, r celast.Expr) (int32, bool, error) {
	isRate := func(e celast.Expr) bool { return a.GetType(e.ID()).TypeName() == policy.RateType.TypeName() }
	if isRate(l) {
		l, r = r, l
	} else if !isRate(r) {
		return -1, false, nil
	}
	if r.Kind() != celast.IdentKind {
		return -1, true, unsupported("rate expression")
	}
	name, ok := strings.CutPrefix(r.AsIdent(), "p.")
	rate, bound := b.params[name].(policy.Rate)
	if !ok || !bound {
		return -1, true, unsupported("rate %s", r.AsIdent())
	}
	x, err := b.expr(a, l)
	if err != nil {
		return -1, true, err
	}
	if b.nodes[x].k != kInt {
		return -1, true, unsupported("rate times %v", b.nodes[x].k)
	}
	return b.add(node{op: opMulRate, k: kInt, a: []int32{x}, iv: rate.Num, v: rate.Scale, bv: b.halfUp}), true, nil
}

// comprehension translates the exists and all macros over a list variable
// whose predicate reads only the iteration variable and constants.
func (b *builder) comprehension(a *celast.AST, e celast.Expr) (int32, error) {
	c := e.AsComprehension()
	if c.HasIterVar2() || c.IterRange().Kind() != celast.IdentKind || c.Result().Kind() != celast.IdentKind ||
		c.Result().AsIdent() != c.AccuVar() || c.AccuInit().Kind() != celast.LiteralKind {
		return -1, unsupported("comprehension")
	}
	li, err := b.expr(a, c.IterRange())
	if err != nil || b.nodes[li].k != kList {
		return -1, unsupported("comprehension range")
	}
	step := c.LoopStep()
	if step.Kind() != celast.CallKind || len(step.AsCall().Args()) != 2 {
		return -1, unsupported("comprehension step")
	}
	init, fn := c.AccuInit().AsLiteral(), step.AsCall().FunctionName()
	var o op
	switch {
	case init == types.False && fn == "_||_":
		o = opListAny
	case init == types.True && fn == "_&&_":
		o = opListAll
	default:
		return -1, unsupported("comprehension %s", fn)
	}
	l, r := step.AsCall().Args()[0], step.AsCall().Args()[1]
	if l.Kind() != celast.IdentKind || l.AsIdent() != c.AccuVar() {
		return -1, unsupported("comprehension step")
	}
	sb := newBuilder(b.params)
	sb.iter = c.IterVar()
	root, err := sb.expr(a, r)
	if err != nil {
		return -1, err
	}
	var sig strings.Builder
	for _, n := range sb.nodes {
		fmt.Fprintf(&sig, "%d,%d,%v,%d,%x,%q,%t,%d,%v;", n.op, n.k, n.a, n.iv, math.Float64bits(n.fv), n.sv, n.bv, n.v, sortedSet(n.strs))
	}
	sig.WriteString(strconv.Itoa(int(root)))
	return b.add(node{op: o, k: kBool, a: []int32{li}, sub: &subProg{nodes: sb.nodes, root: root, sig: sig.String()}}), nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// input is the node reading declared input n of the policy at hand.
func (b *builder) input(n string) (int32, error) {
	in := b.pol.Policy.Input(n)
	if in == nil {
		return -1, unsupported("input %s", n)
	}
	k := kInt
	switch in.Type {
	case policy.InputRatio:
		k = kDouble
	case policy.InputBool:
		k = kBool
	}
	v := -1
	for i, r := range b.inputs {
		if r.c == b.pol && r.name == n {
			v = i
		}
	}
	if v < 0 {
		v = len(b.inputs)
		b.inputs = append(b.inputs, inputRef{c: b.pol, name: n, variable: in.Variable()})
	}
	return b.add(node{op: opInput, k: k, sv: b.pol.Policy.ID, v: v}), nil
}
