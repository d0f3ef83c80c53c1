package vector

import (
	"math"
	"slices"
	"sync"
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

// TestIntColumnWidths appends rows that make an int column all equal, then
// 16-bit, 32-bit and 64-bit, and reads every row back.
func TestIntColumnWidths(t *testing.T) {
	i := schemaIndex["e.age"]
	want := []int64{5, 5, 5, -7, 32767, -32768, 32768, math.MinInt32, 1 << 40, math.MinInt64, 3}
	widths := []uint8{0, 0, 0, 2, 2, 2, 4, 4, 8, 8, 8}
	cols, err := NewColumns(4, "e.age")
	if err != nil {
		t.Fatal(err)
	}
	asOf := mustDate(t, "2025-06-30")
	s := randomSubjects(1, asOf, 1, false)[0]
	for k, x := range want {
		s.Values()[i] = x
		cols.Append(s)
		if got := cols.cols[i].width; got != widths[k] {
			t.Errorf("after row %d: width %d, want %d", k, got, widths[k])
		}
		for r := range k + 1 {
			if got, _ := cols.value(i, r); got != want[r] {
				t.Errorf("after row %d: row %d is %v, want %d", k, r, got, want[r])
			}
		}
	}
	dst := make([]int64, 4)
	cols.cols[i].widenInts(dst, 7, nil)
	if dst[0] != want[7] || dst[3] != want[10] {
		t.Errorf("widenInts: %v", dst)
	}
	cols.cols[i].widenInts(dst[:2], 0, []int32{3, 9})
	if dst[0] != want[3] || dst[1] != want[9] {
		t.Errorf("widenInts over a selection: %v", dst[:2])
	}
}

// TestConcurrentRuns runs one program twice at once over columns no run
// has sealed; run with -race, it shows Runs may share columns.
func TestConcurrentRuns(t *testing.T) {
	asOf := mustDate(t, "2025-12-31")
	pols, err := RealisticPolicies(12, 3)
	if err != nil {
		t.Fatal(err)
	}
	prog := Compile(asOf, pols...)
	cols, err := NewColumns(0, prog.Reads()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range SyntheticSubjects(3*chunkRows+100, asOf, 5) {
		cols.Append(s)
	}
	var res [2]Result
	var wg sync.WaitGroup
	for i := range res {
		wg.Go(func() { res[i] = Run(cols, prog) })
	}
	wg.Wait()
	for k := range res[0].Policies {
		a, b := &res[0].Policies[k], &res[1].Policies[k]
		if a.Count != b.Count || a.TotalFen != b.TotalFen || !slices.Equal(a.Eligible, b.Eligible) {
			t.Errorf("policy %s: runs differ: %d %d, %d %d", a.PolicyID, a.Count, a.TotalFen, b.Count, b.TotalFen)
		}
	}
}

// addInt, subInt and mulInt are checked arithmetic as cel-go's overflow.go
// has it: the reference the branch-free kernels are held to.
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
