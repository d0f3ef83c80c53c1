package chanye

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// Upper bounds on money figures, per kind. Every money input is checked
// against its bound by the Validate method of the type that holds it, so the
// API, the pages, the imports and the store refuse the same values. The
// bounds are generous for real figures (the largest enterprise, project,
// policy and grant there is) yet leave every sum the product computes far
// from int64 overflow (about 9.2 × 10^18 fen): a run total of 3.6 million
// enterprises each granted MaxGrantFen is 3.6 × 10^18 fen. The sums are
// checked all the same (AddFen, FenSum): an overflow is an error, never a
// wrap. README ("Limits") has the table.
const (
	// MaxFactFen bounds each of an enterprise's yearly money figures
	// (Facts: revenue, R&D spending, total assets, tax paid, exports,
	// equipment purchases) and a policy's money parameters, which are
	// compared with them: 100 万亿元 (10^16 fen), about twice the total
	// assets of the largest bank in the world.
	MaxFactFen Fen = 10_000_000_000_000_000
	// MaxProjectFen bounds a key project's total investment, each year's
	// planned investment and a monthly report's invested and cumulative
	// amounts: 1 万亿元 (10^14 fen), more than any single project.
	MaxProjectFen Fen = 100_000_000_000_000
	// MaxBudgetFen bounds a policy's budget: 1 万亿元 (10^14 fen).
	MaxBudgetFen Fen = 100_000_000_000_000
	// MaxGrantFen bounds what one policy grants one enterprise: a policy's
	// cap, the amount a rule computes (more is an evaluation error), a
	// case's expected amount and every payment ledger entry: 100 亿元
	// (10^12 fen).
	MaxGrantFen Fen = 1_000_000_000_000
)

// Bounds on the other numbers typed next to money.
const (
	// MaxFactCount bounds an enterprise's yearly counts (employees, R&D
	// staff, invention patents): 10^8.
	MaxFactCount int64 = 100_000_000
	// MaxIndicatorValue bounds an industry indicator, a target and the
	// baseline revenue, in whole yuan (or a count): 1,000 万亿元 (10^15
	// yuan, 10^17 fen), several times the output of any economy.
	MaxIndicatorValue int64 = 1_000_000_000_000_000
)

// OverflowMessage is the message of the error a checked sum or product of
// amounts returns when it leaves the int64 range.
const OverflowMessage = "金额合计超出可计算范围 / a total of amounts is out of range"

// ErrOverflow returns the EINVALID error of an amount computation that
// would leave the int64 range; what names what was being computed, e.g.
// "total_fen". Callers add context with %w.
func ErrOverflow(what string) error {
	var fields map[string]string
	if what != "" {
		fields = map[string]string{what: "合计溢出 / the total overflows"}
	}
	return NewError(EINVALID, OverflowMessage, fields)
}

// AddFen returns a+b, or ErrOverflow when the sum leaves the int64 range.
func AddFen(a, b Fen) (Fen, error) {
	s, ok := addFen(a, b)
	if !ok {
		return 0, ErrOverflow("")
	}
	return s, nil
}

// SubFen returns a−b, or ErrOverflow when the difference leaves the int64
// range.
func SubFen(a, b Fen) (Fen, error) {
	d := a - b
	if (d < a) != (b > 0) {
		return 0, ErrOverflow("")
	}
	return d, nil
}

// MulFen returns f×n, or ErrOverflow when the product leaves the int64
// range.
func MulFen(f Fen, n int64) (Fen, error) {
	p, ok := mulInt64(int64(f), n)
	if !ok {
		return 0, ErrOverflow("")
	}
	return Fen(p), nil
}

func addFen(a, b Fen) (Fen, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// mulInt64 multiplies with the full 128-bit product: it overflows exactly
// when the product does not fit in int64.
func mulInt64(a, b int64) (int64, bool) {
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(absU(a), absU(b))
	if hi != 0 {
		return 0, false
	}
	if neg {
		if lo > 1<<63 {
			return 0, false
		}
		return int64(-lo), true // -(1<<63) wraps to MinInt64, as it should
	}
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

func absU(a int64) uint64 {
	if a < 0 {
		return uint64(-a) // MinInt64 gives 1<<63, its magnitude
	}
	return uint64(a)
}

// FenSum adds amounts with overflow checking. Once an addition overflows,
// the sum stays overflowed and Total reports it; its zero value is an empty
// sum. Totals that are built in loops use it so that one check at the end
// covers every addition.
type FenSum struct {
	v    Fen
	over bool
}

// Add adds f to the sum.
func (s *FenSum) Add(f Fen) {
	if s.over {
		return
	}
	v, ok := addFen(s.v, f)
	s.v, s.over = v, !ok
}

// AddSum adds the total of t to the sum.
func (s *FenSum) AddSum(t FenSum) {
	if t.over {
		s.over = true
		return
	}
	s.Add(t.v)
}

// Total returns the sum, or ErrOverflow naming what when an addition
// overflowed.
func (s FenSum) Total(what string) (Fen, error) {
	if s.over {
		return 0, ErrOverflow(what)
	}
	return s.v, nil
}

// Overflowed reports whether an addition overflowed.
func (s FenSum) Overflowed() bool { return s.over }

// Value returns the sum; it is meaningless when Overflowed.
func (s FenSum) Value() Fen { return s.v }

// CheckFen returns the field error for an amount outside [0, max], or "".
func CheckFen(f, max Fen) string {
	switch {
	case f < 0:
		return "不能为负 / must not be negative"
	case f > max:
		return ExceedsFen(max)
	}
	return ""
}

// ExceedsFen is the field error of an amount above max: it names the bound
// in yuan and in fen, since inputs come in either.
func ExceedsFen(max Fen) string {
	return fmt.Sprintf("超过上限 %s（%d 分）/ exceeds the limit of ¥%s (%d fen)", yuanZH(max), int64(max), groupDigits(int64(max/100)), int64(max))
}

// ExceedsYuan is the field error of a whole-yuan value above max.
func ExceedsYuan(max int64) string {
	return fmt.Sprintf("超过上限 %s / exceeds the limit of ¥%s", yuanZH(Fen(max)*100), groupDigits(max))
}

// ExceedsCount is the field error of a count above max.
func ExceedsCount(max int64) string {
	return fmt.Sprintf("超过上限 %s / exceeds the limit of %s", groupDigits(max), groupDigits(max))
}

// yuanZH writes a bound in the largest Chinese unit that divides it:
// 10^14 fen is "1 万亿元".
func yuanZH(f Fen) string {
	y := int64(f / 100)
	switch {
	case f%100 != 0:
		return f.Yuan() + " 元"
	case y != 0 && y%1_000_000_000_000 == 0:
		return strconv.FormatInt(y/1_000_000_000_000, 10) + " 万亿元"
	case y != 0 && y%100_000_000 == 0:
		return strconv.FormatInt(y/100_000_000, 10) + " 亿元"
	case y != 0 && y%10_000 == 0:
		return strconv.FormatInt(y/10_000, 10) + " 万元"
	}
	return strconv.FormatInt(y, 10) + " 元"
}

// groupDigits writes a non-negative integer with a comma every three digits.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
