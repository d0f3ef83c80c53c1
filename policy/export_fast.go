package policy

import (
	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/cel"
)

// This file is the narrow hook the vectorised evaluator (policy/vector)
// needs: the checked expressions of a compiled policy and the raw values of
// a subject. Nothing here changes how the reference evaluator decides.

// CheckedExpr is one compiled expression: its type-checked AST, which the
// fast path translates, and the reference program, which it falls back to.
type CheckedExpr struct {
	AST     *cel.Ast
	Program cel.Program
}

// CheckedExprs returns the compiled conditions, in policy order, and the
// amount formula.
func (c *Compiled) CheckedExprs() (conds []CheckedExpr, amount CheckedExpr) {
	for _, x := range c.conds {
		conds = append(conds, CheckedExpr{AST: x.ast, Program: x.prg})
	}
	return conds, CheckedExpr{AST: c.amount.ast, Program: c.amount.prg}
}

// Values returns the subject's values in schema order (int64, float64,
// string, bool or []string); the slice is shared, not copied.
func (s Subject) Values() []any { return s.values }

// SubjectOf builds a subject from values in schema order, for generated
// populations and tests; missing marks unreported figures and may be nil.
func SubjectOf(code string, asOf chanye.Date, values []any, missing []bool) Subject {
	if missing == nil {
		missing = make([]bool, len(values))
	}
	return Subject{Code: code, AsOf: asOf, values: values, missing: missing}
}
