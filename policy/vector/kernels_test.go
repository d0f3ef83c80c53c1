package vector

import (
	"math"
	"testing"
)

// TestArithKernels holds the branch-free integer kernels to the checked
// arithmetic cel-go has (addInt and the others), on every pair of edge
// values, with the second operand a vector and a constant.
func TestArithKernels(t *testing.T) {
	edges := []int64{0, 1, -1, 2, -2, 3, 7, 10000, -10000, 1 << 31, 1 << 32, -(1 << 32), 3037000499, 3037000500, -3037000500,
		math.MaxInt64, math.MaxInt64 - 1, math.MaxInt64 / 2, math.MaxInt64/2 + 1, math.MinInt64, math.MinInt64 + 1, math.MinInt64 / 2, math.MinInt64/2 - 1}
	ref := map[op]func(x, y int64) (int64, bool){opAdd: addInt, opSub: subInt, opMul: mulInt, opDiv: divInt, opMod: modInt}
	var a, b []int64
	for _, x := range edges {
		for _, y := range edges {
			a, b = append(a, x), append(b, y)
		}
	}
	n := len(a)
	for o, f := range ref {
		dst, e := make([]int64, n), make([]uint64, (n+63)/64)
		arithInt(o, dst, a, b, e)
		for j := range a {
			want, ok := f(a[j], b[j])
			gotErr := e[j/64]&(1<<(j%64)) != 0
			if gotErr == ok || ok && dst[j] != want {
				t.Errorf("op %d: %d, %d: got %d error %t, want %d ok %t", o, a[j], b[j], dst[j], gotErr, want, ok)
			}
		}
		for _, c := range edges {
			dst, e := make([]int64, len(edges)), make([]uint64, 1)
			arithIntConst(o, dst, edges, c, e)
			for j, x := range edges {
				want, ok := f(x, c)
				gotErr := e[0]&(1<<j) != 0
				if gotErr == ok || ok && dst[j] != want {
					t.Errorf("op %d: %d, constant %d: got %d error %t, want %d ok %t", o, x, c, dst[j], gotErr, want, ok)
				}
			}
		}
	}
}
