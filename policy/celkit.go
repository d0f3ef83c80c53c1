package policy

import (
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common"
)

// CompileError is why an expression does not compile, in Chinese and
// English. Line and Col (1-based) locate it; Line is 0 when the whole
// expression is at fault (its type, its cost).
type CompileError struct {
	Line, Col int
	ZH, EN    string
}

// SizeEstimator is a checker.CostEstimator that sizes a node by its path
// (variable first) and leaves call costs to cel-go. It returns nil for a
// node it does not know.
type SizeEstimator func(path []string) *checker.SizeEstimate

// EstimateSize implements checker.CostEstimator.
func (f SizeEstimator) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	return f(n.Path())
}

// EstimateCallCost implements checker.CostEstimator.
func (SizeEstimator) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// CompileCEL parses and type-checks src in env, requires its result to be
// of type want (bool or int), checks cel-go's cost estimate against
// maxCost and builds the program, limited to maxCost, with opts.
// undeclared words the error of a reference to an unknown name; it may be
// nil for "未知变量" and cel-go's message. The first problem found is
// returned.
func CompileCEL(env *cel.Env, src string, want *cel.Type, maxCost uint64, sizes checker.CostEstimator,
	undeclared func(parsed *cel.Ast, e *common.Error) (zh, en string), opts ...cel.ProgramOption) (*cel.Ast, cel.Program, *CompileError) {
	at := func(e *common.Error, zh, en string) *CompileError {
		return &CompileError{Line: e.Location.Line(), Col: e.Location.Column() + 1, ZH: zh, EN: en}
	}
	whole := func(zh, en string) *CompileError { return &CompileError{ZH: zh, EN: en} }
	parsed, iss := env.Parse(src)
	if iss.Err() != nil {
		e := iss.Errors()[0]
		return nil, nil, at(e, "语法错误", e.Message)
	}
	checked, iss := env.Check(parsed)
	if iss.Err() != nil {
		e := iss.Errors()[0]
		zh, en := "类型错误", e.Message
		if strings.HasPrefix(e.Message, "undeclared reference to") {
			zh, en = "未知变量", e.Message
			if undeclared != nil {
				zh, en = undeclared(parsed, e)
			}
		}
		return nil, nil, at(e, zh, en)
	}
	if got := checked.OutputType(); !got.IsExactType(want) {
		wantZH := map[string]string{"bool": "布尔值", "int": "整数（分）"}[want.String()]
		return nil, nil, whole(fmt.Sprintf("结果须为%s，实为 %s", wantZH, got), fmt.Sprintf("must be of type %s, not %s", want, got))
	}
	est, err := env.EstimateCost(checked, sizes)
	if err != nil {
		return nil, nil, whole("无法估算代价", err.Error())
	}
	if est.Max > maxCost {
		return nil, nil, whole(fmt.Sprintf("估算代价 %d 超过上限 %d", est.Max, maxCost),
			fmt.Sprintf("estimated cost %d exceeds the limit %d", est.Max, maxCost))
	}
	prg, err := env.Program(checked, append(opts, cel.CostLimit(maxCost))...)
	if err != nil {
		return nil, nil, whole("无法生成程序", err.Error())
	}
	return checked, prg, nil
}
