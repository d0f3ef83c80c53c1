package vector

import (
	"math"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// The kernels work on one chunk of rows: value slices of n rows and bitmaps
// of (n+63)/64 words. A row whose error bit is set has no true bit.

type number interface{ int64 | float64 }

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// cmpVV and cmpVS compare a vector with a vector or a scalar straight into
// a bitmap, without branches per row.
func cmpVV[T number](t []uint64, x, y []T, o op) {
	n := len(x)
	y = y[:n]
	for w := 0; w*64 < n; w++ {
		base, end := w*64, min(w*64+64, n)
		xs, ys := x[base:end], y[base:end]
		ys = ys[:len(xs)]
		var m uint64
		switch o {
		case opEq:
			for j := range xs {
				m |= b2u(xs[j] == ys[j]) << j
			}
		case opNe:
			for j := range xs {
				m |= b2u(xs[j] != ys[j]) << j
			}
		case opLt:
			for j := range xs {
				m |= b2u(xs[j] < ys[j]) << j
			}
		case opLe:
			for j := range xs {
				m |= b2u(xs[j] <= ys[j]) << j
			}
		case opGt:
			for j := range xs {
				m |= b2u(xs[j] > ys[j]) << j
			}
		case opGe:
			for j := range xs {
				m |= b2u(xs[j] >= ys[j]) << j
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
				m |= b2u(v == c) << j
			}
		case opNe:
			for j, v := range xs {
				m |= b2u(v != c) << j
			}
		case opLt:
			for j, v := range xs {
				m |= b2u(v < c) << j
			}
		case opLe:
			for j, v := range xs {
				m |= b2u(v <= c) << j
			}
		case opGt:
			for j, v := range xs {
				m |= b2u(v > c) << j
			}
		case opGe:
			for j, v := range xs {
				m |= b2u(v >= c) << j
			}
		}
		t[w] = m
	}
}

// codeBits sets bit j of t to the table's answer for string code j.
func codeBits(t []uint64, codes []uint32, tbl []uint8) {
	n := len(codes)
	for w := 0; w*64 < n; w++ {
		cs := codes[w*64 : min(w*64+64, n)]
		var m uint64
		for j, c := range cs {
			m |= uint64(tbl[c]) << j
		}
		t[w] = m
	}
}

// arithInt computes dst = a o b with cel-go's overflow and division
// errors, ORing error bits into e; it reports whether there were any. The
// value of a row in error is unspecified.
func arithInt(o op, dst, a, b []int64, e []uint64) bool {
	n := len(dst)
	a, b = a[:n], b[:n]
	var all uint64
	for w := 0; w*64 < n; w++ {
		lo, hi := w*64, min(w*64+64, n)
		d, xs, ys := dst[lo:hi], a[lo:hi], b[lo:hi]
		ys, d = ys[:len(xs)], d[:len(xs)]
		var em uint64
		switch o {
		case opAdd:
			for j, x := range xs {
				y := ys[j]
				r := x + y
				d[j] = r
				em |= uint64((x^r)&(y^r)) >> 63 << j
			}
		case opSub:
			for j, x := range xs {
				y := ys[j]
				r := x - y
				d[j] = r
				em |= uint64((x^y)&(x^r)) >> 63 << j
			}
		case opMul:
			for j, x := range xs {
				r, ok := mulFast(x, ys[j])
				d[j] = r
				em |= b2u(!ok) << j
			}
		case opDiv:
			for j, x := range xs {
				r, ok := divInt(x, ys[j])
				d[j] = r
				em |= b2u(!ok) << j
			}
		case opMod:
			for j, x := range xs {
				r, ok := modInt(x, ys[j])
				d[j] = r
				em |= b2u(!ok) << j
			}
		}
		e[w] |= em
		all |= em
	}
	return all != 0
}

// arithIntConst is arithInt with b the same c on every row.
func arithIntConst(o op, dst, a []int64, c int64, e []uint64) bool {
	n := len(dst)
	a = a[:n]
	switch {
	case (o == opDiv || o == opMod) && c != 0 && c != -1:
		// No row can fail: divide without checks.
		if o == opDiv {
			for j, x := range a {
				dst[j] = x / c
			}
		} else {
			for j, x := range a {
				dst[j] = x % c
			}
		}
		return false
	case o == opMul && c > 0:
		// x*c overflows exactly when x is outside [MinInt64/c, MaxInt64/c].
		lo, hi := math.MinInt64/c, math.MaxInt64/c
		var all uint64
		for w := 0; w*64 < n; w++ {
			xs, d := a[w*64:min(w*64+64, n)], dst[w*64:min(w*64+64, n)]
			d = d[:len(xs)]
			var em uint64
			for j, x := range xs {
				d[j] = x * c
				em |= b2u(x < lo || x > hi) << j
			}
			e[w] |= em
			all |= em
		}
		return all != 0
	}
	var all uint64
	for w := 0; w*64 < n; w++ {
		xs, d := a[w*64:min(w*64+64, n)], dst[w*64:min(w*64+64, n)]
		d = d[:len(xs)]
		var em uint64
		switch o {
		case opAdd:
			for j, x := range xs {
				r := x + c
				d[j] = r
				em |= uint64((x^r)&(c^r)) >> 63 << j
			}
		case opSub:
			for j, x := range xs {
				r := x - c
				d[j] = r
				em |= uint64((x^c)&(x^r)) >> 63 << j
			}
		case opMul:
			for j, x := range xs {
				r, ok := mulFast(x, c)
				d[j] = r
				em |= b2u(!ok) << j
			}
		case opDiv:
			for j, x := range xs {
				r, ok := divInt(x, c)
				d[j] = r
				em |= b2u(!ok) << j
			}
		case opMod:
			for j, x := range xs {
				r, ok := modInt(x, c)
				d[j] = r
				em |= b2u(!ok) << j
			}
		}
		e[w] |= em
		all |= em
	}
	return all != 0
}

func arithDouble(o op, dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	switch o {
	case opAdd:
		for j := range dst {
			dst[j] = a[j] + b[j]
		}
	case opSub:
		for j := range dst {
			dst[j] = a[j] - b[j]
		}
	case opMul:
		for j := range dst {
			dst[j] = a[j] * b[j]
		}
	case opDiv:
		for j := range dst {
			dst[j] = a[j] / b[j]
		}
	}
}

// mulFast is mulInt from the 128-bit product: it overflows exactly when the
// high word is not the sign of the low one.
func mulFast(x, y int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	shi := int64(hi) - (x>>63)&y - (y>>63)&x
	return int64(lo), shi == int64(lo)>>63
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

// Checked integer division as cel-go's overflow.go has it; ok false is
// the row's error. (Addition, subtraction and multiplication are checked
// without branches in arithInt; kernels_test.go keeps their reference.)
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
