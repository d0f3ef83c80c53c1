package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/functions"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// Money never passes through a double. A share of money is a rate
// parameter — an exact decimal written "0.35" or "35%" — and the amount
// formula multiplies money by it (x * p.rate): the product is exact and
// rounded to the fen as the policy declares (down or half up). Compile
// refuses any double in an amount formula.

// ParamRate is a parameter holding a Rate.
const ParamRate ParamType = "rate"

// maxRateScale is the most decimals a rate has: 0.000000001 is the finest.
const maxRateScale = 9

// maxRateNum bounds a rate's numerator: a rate is at most 1,000 (100,000 %).
const maxRateNum = 1000 * 1_000_000_000

// Rate is an exact non-negative decimal, Num / 10^Scale.
type Rate struct {
	Num   int64
	Scale int
}

var pow10 = func() [maxRateScale + 3]int64 {
	var p [maxRateScale + 3]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// ParseRate reads a rate: a decimal ("0.35") or a percentage ("35%",
// "2.5%"), at most nine decimals as a fraction, not negative, at most 1000.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("比例 %q 须为不为负的小数，如 \"0.35\" 或 \"35%%\"，至多 9 位小数 / a rate must be a decimal not negative, such as \"0.35\" or \"35%%\", with at most 9 decimals", s)
	shift := 0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, shift = strings.TrimSpace(t), 2
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return Rate{}, bad
	}
	frac = strings.TrimRight(frac, "0")
	scale := len(frac) + shift
	if scale > maxRateScale {
		return Rate{}, bad
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > maxRateNum/pow10[maxRateScale-scale] {
		return Rate{}, bad
	}
	return Rate{Num: n, Scale: scale}, nil
}

// String writes the rate as a decimal: "0.35".
func (r Rate) String() string { return decimalText(r.Num, r.Scale) }

// Percent writes the rate as a percentage: "35%".
func (r Rate) Percent() string {
	if r.Scale >= 2 {
		return decimalText(r.Num, r.Scale-2) + "%"
	}
	return strconv.FormatInt(r.Num*pow10[2-r.Scale], 10) + "%"
}

// MarshalJSON writes the rate as a decimal string, exactly.
func (r Rate) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// errRateOverflow is a product of money and a rate past int64.
var errRateOverflow = errors.New("integer overflow")

// MulRate returns x × r rounded to the fen in mode: down is toward zero,
// half up is a half away from zero (四舍五入). ok is false when the product
// does not fit int64. The reference evaluator and the fast path both call
// it.
func MulRate(x int64, r Rate, mode RoundMode) (int64, bool) {
	neg := x < 0
	ux := uint64(x)
	if neg {
		ux = -ux
	}
	hi, lo := bits.Mul64(ux, uint64(r.Num))
	d := uint64(pow10[r.Scale])
	if hi >= d { // the quotient would not fit 64 bits
		return 0, false
	}
	q, rem := bits.Div64(hi, lo, d)
	if mode == RoundHalfUp && rem >= d-rem { // rem ≥ d/2 without overflow
		q++
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return int64(-q), true
	}
	return int64(q), true
}

// RateType is the CEL type of a rate parameter.
var RateType = cel.OpaqueType("rate")

// rateVal is a Rate as a CEL value.
type rateVal struct{ Rate }

var _ ref.Val = rateVal{}

func (v rateVal) ConvertToNative(t reflect.Type) (any, error) {
	if t == reflect.TypeOf(Rate{}) {
		return v.Rate, nil
	}
	return nil, fmt.Errorf("rate: no conversion to %v", t)
}

func (v rateVal) ConvertToType(t ref.Type) ref.Val {
	if t.TypeName() == RateType.TypeName() {
		return v
	}
	return types.NewErr("rate: no conversion to %s", t.TypeName())
}

func (v rateVal) Equal(o ref.Val) ref.Val {
	w, ok := o.(rateVal)
	return types.Bool(ok && w.Rate == v.Rate)
}

func (v rateVal) Type() ref.Type { return RateType }
func (v rateVal) Value() any     { return v.Rate }

// rateDecls declares money × rate for the checker. The standard _*_ has
// one binding for every type, so the implementations are given to each
// program instead (rateOverloads), bound to the policy's rounding mode.
var rateDecls = cel.Function("_*_",
	cel.Overload("multiply_int_rate", []*cel.Type{cel.IntType, RateType}, cel.IntType),
	cel.Overload("multiply_rate_int", []*cel.Type{RateType, cel.IntType}, cel.IntType))

// rateOverloads implements money × rate for a policy whose products round
// in mode.
func rateOverloads(mode RoundMode) cel.ProgramOption {
	mul := func(x, r ref.Val) ref.Val {
		i, ok1 := x.(types.Int)
		rv, ok2 := r.(rateVal)
		if !ok1 || !ok2 {
			return types.NewErr("no such overload")
		}
		out, ok := MulRate(int64(i), rv.Rate, mode)
		if !ok {
			return types.NewErr("%s", errRateOverflow)
		}
		return types.Int(out)
	}
	return cel.Functions(
		&functions.Overload{Operator: "multiply_int_rate", Binary: mul},
		&functions.Overload{Operator: "multiply_rate_int", Binary: func(r, x ref.Val) ref.Val { return mul(x, r) }})
}

// celValue turns a parameter's Go value into what cel-go reads.
func celValue(v any) any {
	if r, ok := v.(Rate); ok {
		return rateVal{r}
	}
	return v
}

// ResolveName reads a rate parameter as a CEL value.
func (a partial) ResolveName(name string) (any, bool) {
	v, ok := a.activation.ResolveName(name)
	return celValue(v), ok
}
