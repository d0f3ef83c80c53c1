package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye/policy"
	celast "github.com/google/cel-go/common/ast"
)

// This file turns the checked CEL rules of the benchmark into SQL: one WHERE
// clause per policy over a table with one column per schema variable read,
// so that the benchmark can time the same rules in SQLite and PostgreSQL.
// Only the subset the realistic policies use is translated: comparisons,
// arithmetic, logic, the conditional, "in" over a list literal, membership
// in e.industries and exists() over it.

// sqlDialect is what differs between the two databases.
type sqlDialect struct {
	name     string
	boolType string
	textType string
	// hasItem tests whether the list column (stored as ",a,b,") holds s.
	hasItem func(col, lit string) string
	param   func(i int) string
}

var sqliteBench = sqlDialect{name: "SQLite", boolType: "INTEGER", textType: "TEXT",
	hasItem: func(col, lit string) string { return "instr(" + col + ", " + lit + ") > 0" },
	param:   func(int) string { return "?" }}

// PostgreSQL compares text by its collation; "C" orders by bytes as CEL does.
var postgresBench = sqlDialect{name: "PostgreSQL", boolType: "BOOLEAN", textType: `TEXT COLLATE "C"`,
	hasItem: func(col, lit string) string { return "strpos(" + col + ", " + lit + ") > 0" },
	param:   func(i int) string { return "$" + strconv.Itoa(i) }}

// sqlColumn is the column name of a schema variable.
func sqlColumn(name string) string { return strings.NewReplacer(".", "_").Replace(name) }

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlTranslator translates the expressions of one policy.
type sqlTranslator struct {
	d      sqlDialect
	params map[string]any
}

var errSQLUnsupported = errors.New("not in the SQL subset")

// where returns the WHERE clause of a compiled policy as of the day whose
// parameters are params: its conditions joined with AND.
func sqlWhere(d sqlDialect, c *policy.Compiled, params map[string]any) (string, error) {
	t := sqlTranslator{d: d, params: params}
	conds, _ := c.CheckedExprs()
	var parts []string
	for i, x := range conds {
		s, err := t.expr(x.AST.NativeRep().Expr(), "")
		if err != nil {
			return "", fmt.Errorf("%s condition %s: %w", c.Policy.ID, c.Policy.Conds[i].ID, err)
		}
		parts = append(parts, "("+s+")")
	}
	return strings.Join(parts, " AND "), nil
}

func (t *sqlTranslator) literal(v any) (string, error) {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10), nil
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
	return "", fmt.Errorf("%w: constant %T", errSQLUnsupported, v)
}

var sqlOps = map[string]string{"_==_": "=", "_!=_": "<>", "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=",
	"_+_": "+", "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%", "_&&_": "AND", "_||_": "OR"}

// expr translates e; iterVar is the variable of an enclosing exists(), whose
// tests become tests on the list column listCol.
func (t *sqlTranslator) expr(e celast.Expr, iterVar string) (string, error) {
	switch e.Kind() {
	case celast.LiteralKind:
		return t.literal(e.AsLiteral().Value())
	case celast.IdentKind:
		name := e.AsIdent()
		if p, ok := strings.CutPrefix(name, "p."); ok {
			v, ok := t.params[p]
			if !ok {
				return "", fmt.Errorf("%w: parameter %s without a value", errSQLUnsupported, p)
			}
			return t.literal(v)
		}
		if _, ok := policy.LookupVariable(name); ok {
			return sqlColumn(name), nil
		}
		return "", fmt.Errorf("%w: identifier %s", errSQLUnsupported, name)
	case celast.CallKind:
		return t.call(e, iterVar)
	case celast.ComprehensionKind:
		return t.exists(e)
	}
	return "", fmt.Errorf("%w: expression kind %v", errSQLUnsupported, e.Kind())
}

func (t *sqlTranslator) call(e celast.Expr, iterVar string) (string, error) {
	c := e.AsCall()
	fn, args := c.FunctionName(), c.Args()
	if fn == "@in" && len(args) == 2 {
		return t.in(args[0], args[1], iterVar)
	}
	if fn == "!_" && len(args) == 1 {
		x, err := t.expr(args[0], iterVar)
		return "NOT (" + x + ")", err
	}
	if fn == "_?_:_" && len(args) == 3 {
		var s [3]string
		for i, a := range args {
			x, err := t.expr(a, iterVar)
			if err != nil {
				return "", err
			}
			s[i] = x
		}
		return "(CASE WHEN " + s[0] + " THEN " + s[1] + " ELSE " + s[2] + " END)", nil
	}
	op, ok := sqlOps[fn]
	if !ok || len(args) != 2 {
		return "", fmt.Errorf("%w: function %s", errSQLUnsupported, fn)
	}
	l, err := t.expr(args[0], iterVar)
	if err != nil {
		return "", err
	}
	r, err := t.expr(args[1], iterVar)
	if err != nil {
		return "", err
	}
	return "(" + l + " " + op + " " + r + ")", nil
}

// in translates x in l: a scalar in a list literal, a constant in the
// industries column, or (inside exists) the iteration variable in a list
// literal.
func (t *sqlTranslator) in(x, l celast.Expr, iterVar string) (string, error) {
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
					return "", fmt.Errorf("%w: non-constant list item", errSQLUnsupported)
				}
				ors = append(ors, t.d.hasItem(sqlColumn("e.industries"), sqlString(","+fmt.Sprint(it.AsLiteral().Value())+",")))
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
		return t.d.hasItem(sqlColumn("e.industries"), sqlString(","+fmt.Sprint(x.AsLiteral().Value())+",")), nil
	}
	return "", fmt.Errorf("%w: in over a non-literal list", errSQLUnsupported)
}

// exists translates e.industries.exists(v, v in [...]), the macro cel-go
// expands to a comprehension whose step is result || predicate.
func (t *sqlTranslator) exists(e celast.Expr) (string, error) {
	cp := e.AsComprehension()
	rng := cp.IterRange()
	if rng.Kind() != celast.IdentKind || rng.AsIdent() != "e.industries" {
		return "", fmt.Errorf("%w: comprehension over something other than e.industries", errSQLUnsupported)
	}
	step := cp.LoopStep()
	if step.Kind() != celast.CallKind || step.AsCall().FunctionName() != "_||_" || len(step.AsCall().Args()) != 2 {
		return "", fmt.Errorf("%w: comprehension other than exists", errSQLUnsupported)
	}
	return t.expr(step.AsCall().Args()[1], cp.IterVar())
}

// sqlPeer is one database the benchmark loads the population into.
type sqlPeer struct {
	d     sqlDialect
	conn  *sql.Conn
	cols  []string // schema variables, in table order
	types []string
	rows  [][]any // pending insert
	close func()
}

const sqlInsertRows = 500

func newSQLPeer(ctx context.Context, d sqlDialect, db *sql.DB, reads []string, closeFn func()) (*sqlPeer, error) {
	conn, err := db.Conn(ctx) // one connection: the table is temporary
	if err != nil {
		return nil, err
	}
	p := &sqlPeer{d: d, conn: conn, cols: reads, close: func() { conn.Close(); closeFn() }}
	var defs []string
	for _, name := range reads {
		v, _ := policy.LookupVariable(name)
		typ := map[string]string{"int": "BIGINT", "double": "DOUBLE PRECISION", "string": d.textType, "bool": d.boolType, "list(string)": d.textType}[v.Type]
		if d.name == "SQLite" && typ == "DOUBLE PRECISION" {
			typ = "REAL"
		}
		p.types = append(p.types, v.Type)
		defs = append(defs, sqlColumn(name)+" "+typ) // NULL where the figure is missing
	}
	if _, err := conn.ExecContext(ctx, "CREATE TEMP TABLE bench_subjects (id BIGINT PRIMARY KEY, "+strings.Join(defs, ", ")+")"); err != nil {
		p.close()
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	return p, nil
}

// add queues one subject's row and inserts the queue when it is full. A
// missing value is NULL: SQL's three-valued logic then keeps a row only
// where every condition is true, as the engine decides eligibility.
func (p *sqlPeer) add(ctx context.Context, id int, vals []any, missing []bool) error {
	row := make([]any, 0, len(p.cols)+1)
	row = append(row, int64(id))
	for i, name := range p.cols {
		v := vals[benchSchemaIndex[name]]
		if missing != nil && missing[benchSchemaIndex[name]] {
			row = append(row, nil)
			continue
		}
		switch p.types[i] {
		case "list(string)":
			v = "," + strings.Join(v.([]string), ",") + ","
		case "bool":
			if p.d.name == "SQLite" {
				if v.(bool) {
					v = int64(1)
				} else {
					v = int64(0)
				}
			}
		}
		row = append(row, v)
	}
	p.rows = append(p.rows, row)
	if len(p.rows) >= sqlInsertRows {
		return p.flush(ctx)
	}
	return nil
}

func (p *sqlPeer) flush(ctx context.Context) error {
	if len(p.rows) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO bench_subjects VALUES ")
	args := make([]any, 0, len(p.rows)*(len(p.cols)+1))
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
			b.WriteString(p.d.param(len(args)))
		}
		b.WriteByte(')')
	}
	p.rows = p.rows[:0]
	_, err := p.conn.ExecContext(ctx, b.String(), args...)
	if err != nil {
		return fmt.Errorf("%s: %w", p.d.name, err)
	}
	return nil
}

// count runs one COUNT(*) per where clause ("" counts nothing: the policy
// is not in force) and returns the counts and the time of all queries.
func (p *sqlPeer) count(ctx context.Context, wheres []string) ([]int, time.Duration, error) {
	if err := p.flush(ctx); err != nil {
		return nil, 0, err
	}
	if _, err := p.conn.ExecContext(ctx, "ANALYZE bench_subjects"); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", p.d.name, err)
	}
	out := make([]int, len(wheres))
	start := time.Now()
	for i, w := range wheres {
		if w == "" {
			continue
		}
		if err := p.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM bench_subjects WHERE "+w).Scan(&out[i]); err != nil {
			return nil, 0, fmt.Errorf("%s: %w\n%s", p.d.name, err, w)
		}
	}
	return out, time.Since(start), nil
}
