// Package sqlbench turns the checked CEL rules of the policy benchmark into
// SQL, so that `chanye bench policies` (SQLite, PostgreSQL) and the DuckDB
// benchmark (its own module, bench/duckdb) time the same rules on the same
// generated rows as the fast path, and check the same counts and amounts.
//
// Each policy becomes a WHERE clause (its conditions joined with AND) and an
// amount expression: the formula in integer fen, money × rate exact and
// rounded to the fen as policy.MulRate does, then rounded to the policy's
// unit and capped as policy.Amount.Final does. Only the subset the
// realistic policies use is translated: comparisons, arithmetic, logic, the
// conditional, math.least/greatest, "in" over a list literal, membership in
// e.industries and exists() over it. A missing figure is NULL: SQL's
// three-valued logic then keeps a row only where every condition is true,
// and a NULL amount (the formula reads a missing figure: needs data) or a
// negative one (an error) is not eligible, as in the engine.
package sqlbench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
)

// Dialect is what differs between the databases.
type Dialect struct {
	Name     string
	BoolType string
	TextType string
	RealType string
	// HasItem tests whether the list column (stored as ",a,b,") holds s.
	HasItem func(col, lit string) string
	Param   func(i int) string
	// IntDiv divides integers, truncating toward zero as CEL does.
	IntDiv func(a, b string) string
	// Least and Greatest of two or more values.
	Least, Greatest string
	// Table is how the bench table is created: a temporary table, or for
	// PostgreSQL an unlogged one, which gets parallel plans.
	Table string
}

var (
	SQLite = Dialect{Name: "SQLite", BoolType: "INTEGER", TextType: "TEXT", RealType: "REAL",
		HasItem: func(col, lit string) string { return "instr(" + col + ", " + lit + ") > 0" },
		Param:   func(int) string { return "?" },
		IntDiv:  func(a, b string) string { return "((" + a + ") / (" + b + "))" },
		Least:   "MIN", Greatest: "MAX", Table: "CREATE TEMP TABLE"}

	// PostgreSQL compares text by its collation; "C" orders by bytes as
	// CEL does.
	Postgres = Dialect{Name: "PostgreSQL", BoolType: "BOOLEAN", TextType: `TEXT COLLATE "C"`, RealType: "DOUBLE PRECISION",
		HasItem: func(col, lit string) string { return "strpos(" + col + ", " + lit + ") > 0" },
		Param:   func(i int) string { return "$" + strconv.Itoa(i) },
		IntDiv:  func(a, b string) string { return "((" + a + ") / (" + b + "))" },
		Least:   "LEAST", Greatest: "GREATEST", Table: "CREATE UNLOGGED TABLE"}

	// DuckDB divides integers with //, which truncates toward zero.
	DuckDB = Dialect{Name: "DuckDB", BoolType: "BOOLEAN", TextType: "VARCHAR", RealType: "DOUBLE",
		HasItem: func(col, lit string) string { return "strpos(" + col + ", " + lit + ") > 0" },
		Param:   func(int) string { return "?" },
		IntDiv:  func(a, b string) string { return "((" + a + ") // (" + b + "))" },
		Least:   "LEAST", Greatest: "GREATEST", Table: "CREATE TABLE"}
)

// Rule is one policy in SQL; Where is "" when the policy is not in force
// on the day (it decides no one).
type Rule struct {
	PolicyID string
	Where    string
	Amount   string // fen, NULL when unknown or negative
}

// Column is the column name of a schema variable.
func Column(name string) string { return strings.NewReplacer(".", "_").Replace(name) }

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ErrUnsupported is an expression outside the translated subset.
var ErrUnsupported = errors.New("not in the SQL subset")

// Translate returns the rule of a compiled policy as of a day.
func Translate(d Dialect, c *policy.Compiled, asOf chanye.Date) (Rule, error) {
	r := Rule{PolicyID: c.Policy.ID}
	params, err := c.Policy.ParamsAt(asOf)
	if err != nil || !c.Policy.Effective.Contains(asOf) {
		return r, nil
	}
	conds, amount := c.CheckedExprs()
	var parts []string
	for i, x := range conds {
		t := translator{d: d, params: params, ast: x.AST.NativeRep(), mode: c.Policy.Amount.Round().Mode}
		s, err := t.expr(t.ast.Expr(), "")
		if err != nil {
			return r, fmt.Errorf("%s condition %s: %w", c.Policy.ID, c.Policy.Conds[i].ID, err)
		}
		parts = append(parts, "("+s+")")
	}
	r.Where = strings.Join(parts, " AND ")
	if r.Where == "" {
		r.Where = "TRUE"
	}
	t := translator{d: d, params: params, ast: amount.AST.NativeRep(), mode: c.Policy.Amount.Round().Mode}
	raw, err := t.expr(t.ast.Expr(), "")
	if err != nil {
		return r, fmt.Errorf("%s amount: %w", c.Policy.ID, err)
	}
	r.Amount = final(d, c.Policy.Amount, raw)
	return r, nil
}

// final is policy.Amount.Final in SQL: NULL when negative, else rounded to
// the unit and capped.
func final(d Dialect, a policy.Amount, raw string) string {
	rd := a.Round()
	var unit int64
	switch rd.To {
	case policy.RoundYuan:
		unit = 100
	case policy.RoundWan:
		unit = 1_000_000
	default:
		unit = 1
	}
	v := "(" + raw + ")"
	if unit > 1 {
		us := strconv.FormatInt(unit, 10)
		if rd.Mode == policy.RoundHalfUp {
			v = d.IntDiv(v+" + "+strconv.FormatInt(unit/2, 10), us) + " * " + us
		} else {
			v = d.IntDiv(v, us) + " * " + us
		}
	}
	if a.CapFen > 0 {
		v = d.Least + "(" + v + ", " + strconv.FormatInt(int64(a.CapFen), 10) + ")"
	}
	return "(CASE WHEN (" + raw + ") < 0 THEN NULL ELSE " + v + " END)"
}

// translator translates the expressions of one policy.
type translator struct {
	d      Dialect
	params map[string]any
	ast    *celast.AST
	mode   policy.RoundMode
}

func (t *translator) literal(v any) (string, error) {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10), nil
	case chanye.Fen:
		return strconv.FormatInt(int64(v), 10), nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case string:
		return sqlString(v), nil
	case bool:
		if v {
			return "TRUE", nil
		}
		return "FALSE", nil
	}
	return "", fmt.Errorf("%w: constant %T", ErrUnsupported, v)
}

var sqlOps = map[string]string{"_==_": "=", "_!=_": "<>", "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=",
	"_+_": "+", "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%", "_&&_": "AND", "_||_": "OR"}

// expr translates e; iterVar is the variable of an enclosing exists(), whose
// tests become tests on the industries column.
func (t *translator) expr(e celast.Expr, iterVar string) (string, error) {
	switch e.Kind() {
	case celast.LiteralKind:
		return t.literal(e.AsLiteral().Value())
	case celast.IdentKind:
		name := e.AsIdent()
		if p, ok := strings.CutPrefix(name, "p."); ok {
			v, ok := t.params[p]
			if !ok {
				return "", fmt.Errorf("%w: parameter %s without a value", ErrUnsupported, p)
			}
			return t.literal(v)
		}
		if _, ok := policy.LookupVariable(name); ok {
			return Column(name), nil
		}
		return "", fmt.Errorf("%w: identifier %s", ErrUnsupported, name)
	case celast.CallKind:
		return t.call(e, iterVar)
	case celast.ComprehensionKind:
		return t.exists(e)
	}
	return "", fmt.Errorf("%w: expression kind %v", ErrUnsupported, e.Kind())
}

// rate returns the rate parameter e names, if it does.
func (t *translator) rate(e celast.Expr) (policy.Rate, bool) {
	if e.Kind() != celast.IdentKind {
		return policy.Rate{}, false
	}
	p, ok := strings.CutPrefix(e.AsIdent(), "p.")
	if !ok {
		return policy.Rate{}, false
	}
	r, ok := t.params[p].(policy.Rate)
	return r, ok
}

// mulRate is x × r rounded to the fen as policy.MulRate does: down toward
// zero, half up away from zero. The product is split at 10^scale so that no
// intermediate leaves 64 bits for rates below 10 and money below 10^17 fen.
func (t *translator) mulRate(x string, r policy.Rate) string {
	d := strconv.FormatInt(pow10(r.Scale), 10)
	n := strconv.FormatInt(r.Num, 10)
	abs := "abs(" + x + ")"
	frac := "(" + abs + " % " + d + ") * " + n
	if t.mode == policy.RoundHalfUp {
		frac += " + " + strconv.FormatInt(pow10(r.Scale)/2, 10)
	}
	mag := "(" + t.d.IntDiv(abs, d) + " * " + n + " + " + t.d.IntDiv(frac, d) + ")"
	return "(CASE WHEN " + x + " < 0 THEN -" + mag + " ELSE " + mag + " END)"
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func (t *translator) call(e celast.Expr, iterVar string) (string, error) {
	c := e.AsCall()
	fn, args := c.FunctionName(), c.Args()
	switch {
	case fn == "@in" && len(args) == 2:
		return t.in(args[0], args[1], iterVar)
	case fn == "!_" && len(args) == 1:
		x, err := t.expr(args[0], iterVar)
		return "NOT (" + x + ")", err
	case fn == "_?_:_" && len(args) == 3:
		var s [3]string
		for i, a := range args {
			x, err := t.expr(a, iterVar)
			if err != nil {
				return "", err
			}
			s[i] = x
		}
		return "(CASE WHEN " + s[0] + " THEN " + s[1] + " ELSE " + s[2] + " END)", nil
	case fn == "math.least" || fn == "math.greatest" || fn == "math.@min" || fn == "math.@max":
		if len(args) == 1 && args[0].Kind() == celast.ListKind {
			args = args[0].AsList().Elements()
		}
		var s []string
		for _, a := range args {
			x, err := t.expr(a, iterVar)
			if err != nil {
				return "", err
			}
			s = append(s, x)
		}
		f := t.d.Least
		if fn == "math.greatest" || fn == "math.@max" {
			f = t.d.Greatest
		}
		if len(s) == 1 {
			return s[0], nil
		}
		return f + "(" + strings.Join(s, ", ") + ")", nil
	case fn == "_*_" && len(args) == 2:
		for i, a := range args {
			if r, ok := t.rate(a); ok {
				x, err := t.expr(args[1-i], iterVar)
				if err != nil {
					return "", err
				}
				return t.mulRate(x, r), nil
			}
		}
	}
	op, ok := sqlOps[fn]
	if !ok || len(args) != 2 {
		return "", fmt.Errorf("%w: function %s", ErrUnsupported, fn)
	}
	l, err := t.expr(args[0], iterVar)
	if err != nil {
		return "", err
	}
	r, err := t.expr(args[1], iterVar)
	if err != nil {
		return "", err
	}
	if fn == "_/_" && t.ast.GetType(e.ID()).Kind() == types.IntKind {
		return t.d.IntDiv(l, r), nil
	}
	return "(" + l + " " + op + " " + r + ")", nil
}

// in translates x in l: a scalar in a list literal, a constant in the
// industries column, or (inside exists) the iteration variable in a list
// literal.
func (t *translator) in(x, l celast.Expr, iterVar string) (string, error) {
	if l.Kind() == celast.ListKind {
		var items []string
		for _, it := range l.AsList().Elements() {
			s, err := t.expr(it, "")
			if err != nil {
				return "", err
			}
			items = append(items, s)
		}
		if len(items) == 0 {
			return "FALSE", nil
		}
		if x.Kind() == celast.IdentKind && iterVar != "" && x.AsIdent() == iterVar {
			var ors []string
			for _, it := range l.AsList().Elements() {
				if it.Kind() != celast.LiteralKind {
					return "", fmt.Errorf("%w: non-constant list item", ErrUnsupported)
				}
				ors = append(ors, t.d.HasItem(Column("e.industries"), sqlString(","+fmt.Sprint(it.AsLiteral().Value())+",")))
			}
			return "(" + strings.Join(ors, " OR ") + ")", nil
		}
		s, err := t.expr(x, iterVar)
		if err != nil {
			return "", err
		}
		return "(" + s + " IN (" + strings.Join(items, ", ") + "))", nil
	}
	if l.Kind() == celast.IdentKind && l.AsIdent() == "e.industries" && x.Kind() == celast.LiteralKind {
		return t.d.HasItem(Column("e.industries"), sqlString(","+fmt.Sprint(x.AsLiteral().Value())+",")), nil
	}
	return "", fmt.Errorf("%w: in over a non-literal list", ErrUnsupported)
}

// exists translates e.industries.exists(v, v in [...]), the macro cel-go
// expands to a comprehension whose step is result || predicate.
func (t *translator) exists(e celast.Expr) (string, error) {
	cp := e.AsComprehension()
	rng := cp.IterRange()
	if rng.Kind() != celast.IdentKind || rng.AsIdent() != "e.industries" {
		return "", fmt.Errorf("%w: comprehension over something other than e.industries", ErrUnsupported)
	}
	step := cp.LoopStep()
	if step.Kind() != celast.CallKind || step.AsCall().FunctionName() != "_||_" || len(step.AsCall().Args()) != 2 {
		return "", fmt.Errorf("%w: comprehension other than exists", ErrUnsupported)
	}
	return t.expr(step.AsCall().Args()[1], cp.IterVar())
}

// Table is the bench table of one database: its columns, one per schema
// variable read, and the rows waiting to be inserted.
type Table struct {
	D     Dialect
	Name  string
	Conn  *sql.Conn
	Cols  []string // schema variables, in table order
	types []string
	index map[string]int // schema variable → its index in a subject's values
	rows  [][]any        // pending insert
	close func()
}

const insertRows = 500

// NewTable creates the bench table on one connection of db (a temporary
// table lives on one connection).
func NewTable(ctx context.Context, d Dialect, db *sql.DB, name string, reads []string, closeFn func()) (*Table, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	p := &Table{D: d, Name: name, Conn: conn, Cols: reads, index: map[string]int{}}
	for i, v := range policy.Schema() {
		p.index[v.Name] = i
	}
	p.close = func() {
		if d.Table != "CREATE TEMP TABLE" {
			conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+name)
		}
		conn.Close()
		closeFn()
	}
	if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
		p.Close()
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	if _, err := conn.ExecContext(ctx, p.DDL()); err != nil {
		p.Close()
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	return p, nil
}

// DDL creates the table.
func (p *Table) DDL() string {
	var defs []string
	p.types = p.types[:0]
	for _, name := range p.Cols {
		v, _ := policy.LookupVariable(name)
		typ := map[string]string{"int": "BIGINT", "double": p.D.RealType, "string": p.D.TextType, "bool": p.D.BoolType, "list(string)": p.D.TextType}[v.Type]
		p.types = append(p.types, v.Type)
		defs = append(defs, Column(name)+" "+typ) // NULL where the figure is missing
	}
	return p.D.Table + " " + p.Name + " (id BIGINT PRIMARY KEY, " + strings.Join(defs, ", ") + ")"
}

// Close drops the table (unless temporary) and closes the connection.
func (p *Table) Close() { p.close() }

// Row is one subject's row in table order: its id, then each column's
// value, nil where the figure is missing.
func (p *Table) Row(id int, vals []any, missing []bool) []any {
	row := make([]any, 0, len(p.Cols)+1)
	row = append(row, int64(id))
	for i, name := range p.Cols {
		k := p.index[name]
		v := vals[k]
		if missing != nil && missing[k] {
			row = append(row, nil)
			continue
		}
		switch p.types[i] {
		case "list(string)":
			v = "," + strings.Join(v.([]string), ",") + ","
		case "bool":
			if p.D.Name == "SQLite" {
				if v.(bool) {
					v = int64(1)
				} else {
					v = int64(0)
				}
			}
		}
		row = append(row, v)
	}
	return row
}

// Add queues one subject's row and inserts the queue when it is full.
func (p *Table) Add(ctx context.Context, id int, vals []any, missing []bool) error {
	p.rows = append(p.rows, p.Row(id, vals, missing))
	if len(p.rows) >= insertRows {
		return p.Flush(ctx)
	}
	return nil
}

// Flush inserts the queued rows.
func (p *Table) Flush(ctx context.Context) error {
	if len(p.rows) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + p.Name + " VALUES ")
	args := make([]any, 0, len(p.rows)*(len(p.Cols)+1))
	for i, r := range p.rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			b.WriteString(p.D.Param(len(args)))
		}
		b.WriteByte(')')
	}
	p.rows = p.rows[:0]
	if _, err := p.Conn.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("%s: %w", p.D.Name, err)
	}
	return nil
}

// Analyze flushes and gathers the planner's statistics.
func (p *Table) Analyze(ctx context.Context) error {
	if err := p.Flush(ctx); err != nil {
		return err
	}
	if _, err := p.Conn.ExecContext(ctx, "ANALYZE "+p.Name); err != nil {
		return fmt.Errorf("%s: %w", p.D.Name, err)
	}
	return nil
}

// Tally is what a query form found per policy, and its time.
type Tally struct {
	Counts  []int
	Amounts []int64 // nil when the form counts only
	Elapsed time.Duration
}

// CountEach runs one COUNT(*) per policy, counts only.
func (p *Table) CountEach(ctx context.Context, rules []Rule) (*Tally, error) {
	out := &Tally{Counts: make([]int, len(rules))}
	start := time.Now()
	for i, r := range rules {
		if r.Where == "" {
			continue
		}
		if err := p.Conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+p.Name+" WHERE "+r.Where).Scan(&out.Counts[i]); err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", p.D.Name, err, r.Where)
		}
	}
	out.Elapsed = time.Since(start)
	return out, nil
}

// SumEach runs one query per policy with its count and amount.
func (p *Table) SumEach(ctx context.Context, rules []Rule) (*Tally, error) {
	out := &Tally{Counts: make([]int, len(rules)), Amounts: make([]int64, len(rules))}
	start := time.Now()
	for i, r := range rules {
		if r.Where == "" {
			continue
		}
		var sum sql.NullInt64
		q := "SELECT COUNT(a), SUM(a) FROM (SELECT " + r.Amount + " AS a FROM " + p.Name + " WHERE " + r.Where + ") t"
		if err := p.Conn.QueryRowContext(ctx, q).Scan(&out.Counts[i], &sum); err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", p.D.Name, err, q)
		}
		out.Amounts[i] = sum.Int64
	}
	out.Elapsed = time.Since(start)
	return out, nil
}

// ScanAll computes every policy in one scan of the table: COUNT(*) FILTER
// (WHERE …) per policy, and with amounts the SUM of each amount where it
// is eligible.
func (p *Table) ScanAll(ctx context.Context, rules []Rule, amounts bool) (*Tally, error) {
	var sel []string
	var live []int
	for i, r := range rules {
		if r.Where == "" {
			continue
		}
		live = append(live, i)
		if amounts {
			sel = append(sel, "COUNT("+r.Amount+") FILTER (WHERE "+r.Where+")", "SUM("+r.Amount+") FILTER (WHERE "+r.Where+")")
		} else {
			sel = append(sel, "COUNT(*) FILTER (WHERE "+r.Where+")")
		}
	}
	out := &Tally{Counts: make([]int, len(rules))}
	if amounts {
		out.Amounts = make([]int64, len(rules))
	}
	if len(sel) == 0 {
		return out, nil
	}
	dest := make([]any, len(sel))
	counts := make([]int64, len(live))
	sums := make([]sql.NullInt64, len(live))
	for k := range live {
		if amounts {
			dest[2*k], dest[2*k+1] = &counts[k], &sums[k]
		} else {
			dest[k] = &counts[k]
		}
	}
	start := time.Now()
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + p.Name
	if err := p.Conn.QueryRowContext(ctx, q).Scan(dest...); err != nil {
		return nil, fmt.Errorf("%s: %w", p.D.Name, err)
	}
	out.Elapsed = time.Since(start)
	for k, i := range live {
		out.Counts[i] = int(counts[k])
		if amounts {
			out.Amounts[i] = sums[k].Int64
		}
	}
	return out, nil
}

// Check compares a tally with the fast path's counts and totals and names
// every policy where they differ.
func Check(name string, t *Tally, rules []Rule, counts []int, totals []int64) error {
	var bad []string
	for i, r := range rules {
		if t.Counts[i] != counts[i] {
			bad = append(bad, fmt.Sprintf("%s: %s counts %d, the fast path %d\n  WHERE %s", r.PolicyID, name, t.Counts[i], counts[i], r.Where))
		}
		if t.Amounts != nil && t.Amounts[i] != totals[i] {
			bad = append(bad, fmt.Sprintf("%s: %s sums %d fen, the fast path %d\n  AMOUNT %s", r.PolicyID, name, t.Amounts[i], totals[i], r.Amount))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s 与快速路径不一致 / %s differs from the fast path:\n%s", name, name, strings.Join(bad, "\n"))
	}
	return nil
}

// Load generates n enterprises as of asOf in batches of 20,000 (to bound
// memory), appends each to columns holding reads and hands it to every
// sink (a SQL table's Add). It returns the columns and the first batch, for
// the benchmarks that time a sample.
func Load(ctx context.Context, n int, asOf chanye.Date, reads []string, sinks ...func(id int, s policy.Subject) error) (*vector.Columns, []policy.Subject, error) {
	cols, err := vector.NewColumns(n, reads...)
	if err != nil {
		return nil, nil, err
	}
	const batch = 20_000
	var first []policy.Subject
	for off := 0; off < n; off += batch {
		subs := vector.SyntheticSubjects(min(batch, n-off), asOf, uint64(off/batch)+1)
		for i, s := range subs {
			cols.Append(s)
			for _, sink := range sinks {
				if err := sink(off+i, s); err != nil {
					return nil, nil, err
				}
			}
		}
		if off == 0 {
			first = subs
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
	}
	return cols, first, nil
}

// Fast compiles and runs the policies on the columns, best of three: the
// time and the result.
func Fast(cols *vector.Columns, asOf chanye.Date, pols []*policy.Compiled) (time.Duration, vector.Result) {
	var res vector.Result
	best := time.Duration(-1)
	for range 3 {
		t0 := time.Now()
		res = vector.Run(cols, vector.Compile(asOf, pols...))
		if el := time.Since(t0); best < 0 || el < best {
			best = el
		}
	}
	return best, res
}

// Expected is the fast path's count and total per policy, for Check.
func Expected(res vector.Result) (counts []int, totals []int64) {
	for _, pr := range res.Policies {
		counts = append(counts, pr.Count)
		totals = append(totals, pr.TotalFen)
	}
	return counts, totals
}
