package vector

import (
	"math"
	"strings"
	"unicode/utf8"
)

// The kernels work on one chunk of rows: value slices of n rows and bitmaps
// of (n+63)/64 words. A row whose error bit is set has no true bit.

type number interface{ int64 | float64 }

func cmpVV[T number](t []uint64, x, y []T, o op) {
	n := len(x)
	y = y[:n]
	for w := 0; w*64 < n; w++ {
		base, end := w*64, min(w*64+64, n)
		xs, ys := x[base:end], y[base:end]
		var m uint64
		switch o {
		case opEq:
			for j := range xs {
				if xs[j] == ys[j] {
					m |= 1 << j
				}
			}
		case opNe:
			for j := range xs {
				if xs[j] != ys[j] {
					m |= 1 << j
				}
			}
		case opLt:
			for j := range xs {
				if xs[j] < ys[j] {
					m |= 1 << j
				}
			}
		case opLe:
			for j := range xs {
				if xs[j] <= ys[j] {
					m |= 1 << j
				}
			}
		case opGt:
			for j := range xs {
				if xs[j] > ys[j] {
					m |= 1 << j
				}
			}
		case opGe:
			for j := range xs {
				if xs[j] >= ys[j] {
					m |= 1 << j
				}
			}
		}
		t[w] = m
	}
}

func cmpVS[T number](t []uint64, x []T, c T, o op) {
	n := len(x)
	for w := 0; w*64 < n; w++ {
		xs := x[w*64 : min(w*64+64, n)]
		var m uint64
		switch o {
		case opEq:
			for j, v := range xs {
				if v == c {
					m |= 1 << j
				}
			}
		case opNe:
			for j, v := range xs {
				if v != c {
					m |= 1 << j
				}
			}
		case opLt:
			for j, v := range xs {
				if v < c {
					m |= 1 << j
				}
			}
		case opLe:
			for j, v := range xs {
				if v <= c {
					m |= 1 << j
				}
			}
		case opGt:
			for j, v := range xs {
				if v > c {
					m |= 1 << j
				}
			}
		case opGe:
			for j, v := range xs {
				if v >= c {
					m |= 1 << j
				}
			}
		}
		t[w] = m
	}
}

func mirrorOp(o op) op {
	switch o {
	case opLt:
		return opGt
	case opLe:
		return opGe
	case opGt:
		return opLt
	case opGe:
		return opLe
	}
	return o
}

func cmpBool(o op, a, b uint64) uint64 {
	switch o {
	case opEq:
		return ^(a ^ b)
	case opNe:
		return a ^ b
	case opLt:
		return ^a & b
	case opLe:
		return ^a | b
	case opGt:
		return a &^ b
	}
	return a | ^b // opGe
}

func cmpString(o op, a, b string) bool {
	switch o {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLe:
		return a <= b
	case opGt:
		return a > b
	}
	return a >= b
}

// strPred is a one-string predicate or measure of node n, as cel-go's
// string functions compute it.
func strPred(n *node, s string) bool {
	switch n.op {
	case opStrIn:
		return n.strs[s]
	case opStrPre:
		return strings.HasPrefix(s, n.sv)
	case opStrSuf:
		return strings.HasSuffix(s, n.sv)
	case opStrHas:
		return strings.Contains(s, n.sv)
	}
	panic("vector: not a string predicate")
}

func strSize(s string) int64 { return int64(utf8.RuneCountInString(s)) }

// Checked integer arithmetic as cel-go's overflow.go has it; ok false is
// the row's error.
func addInt(x, y int64) (int64, bool) {
	if (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
		return 0, false
	}
	return x + y, true
}

func subInt(x, y int64) (int64, bool) {
	if (y < 0 && x > math.MaxInt64+y) || (y > 0 && x < math.MinInt64+y) {
		return 0, false
	}
	return x - y, true
}

func mulInt(x, y int64) (int64, bool) {
	if (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) ||
		(x > 0 && y > 0 && x > math.MaxInt64/y) ||
		(x > 0 && y < 0 && y < math.MinInt64/x) ||
		(x < 0 && y > 0 && x < math.MinInt64/y) ||
		(x < 0 && y < 0 && y < math.MaxInt64/x) {
		return 0, false
	}
	return x * y, true
}

func divInt(x, y int64) (int64, bool) {
	if y == 0 || (x == math.MinInt64 && y == -1) {
		return 0, false
	}
	return x / y, true
}

func modInt(x, y int64) (int64, bool) {
	if y == 0 || (x == math.MinInt64 && y == -1) {
		return 0, false
	}
	return x % y, true
}

func toInt(v float64) (int64, bool) {
	if math.IsInf(v, 0) || math.IsNaN(v) || v <= float64(math.MinInt64) || v >= float64(math.MaxInt64) {
		return 0, false
	}
	return int64(v), true
}

// minPair and maxPair return what ext.Math's math.@min and math.@max
// return for two doubles; ok false is cel-go's "NaN values cannot be
// ordered".
func minDouble(a, b float64) (float64, bool) {
	if a != a || b != b {
		return 0, false
	}
	if a > b {
		return b, true
	}
	return a, true
}

func maxDouble(a, b float64) (float64, bool) {
	if a != a || b != b {
		return 0, false
	}
	if a < b {
		return b, true
	}
	return a, true
}
