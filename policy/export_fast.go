package policy

import (
	"github.com/chanye-org/chanye"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
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

// MissingFlags returns which of the subject's values are missing, in
// schema order (nil when none is); the slice is shared, not copied.
func (s Subject) MissingFlags() []bool { return s.missing }

// UnknownPattern is the attribute pattern that marks schema variable i
// unknown to cel-go's partial evaluation.
func UnknownPattern(i int) *interpreter.AttributePattern { return patterns()[i] }

// CELValue turns a parameter's value into what cel-go reads (a rate
// becomes its CEL value).
func CELValue(v any) any { return celValue(v) }

// UnknownNames returns the variables an unknown CEL value depends on, or
// nil for a value that is not unknown.
func UnknownNames(v ref.Val) []string { return unknownNames(v) }

// RoundMode returns the rounding mode of money × rate products.
func (c *Compiled) RoundMode() RoundMode { return c.Policy.Amount.Round().Mode }
