package vector

import (
	"math"
	"math/bits"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// chunkRows is how many rows a worker evaluates at once. With the vectors
// of finished nodes handed back to the worker's pool, a chunk's working set
// is a few dozen vectors of 32 KB: it stays in L2.
const chunkRows = 4096

// Result is what a run decided, per policy in program order. Slots names
// the variable of each bit of a needs mask.
type Result struct {
	Rows     int
	Policies []PolicyResult
	Slots    []string
	// Shared is set when more than 64 columns have missing rows: the last
	// slot then stands for all the columns past the 63rd, and a needs mask
	// holding it names only the first of them.
	Shared bool
}

// PolicyResult is one policy's decisions over all rows: each row is
// eligible, needs data, in error, or else not eligible.
type PolicyResult struct {
	PolicyID string
	Version  int
	Eligible []uint64 // bit i: row i is eligible
	Count    int
	Amounts  []int64 // fen, one per eligible row in row order: rounded, capped, never negative, at most chanye.MaxGrantFen
	TotalFen int64
	Overflow bool // the sum of Amounts overflows int64: TotalFen is not the total

	NeedsData  []uint64 // bit i: row i needs data
	NeedsCount int
	Needs      []uint64 // one per needs-data row in row order: the variables it needs, as bits of Result.Slots
	Errors     []uint64 // bit i: evaluating row i failed
	ErrorCount int
}

// IsEligible reports whether row i is eligible.
func (r *PolicyResult) IsEligible(i int) bool { return r.Eligible[i/64]&(1<<(i%64)) != 0 }

// IsNeedsData reports whether row i needs data.
func (r *PolicyResult) IsNeedsData(i int) bool { return r.NeedsData[i/64]&(1<<(i%64)) != 0 }

// IsError reports whether evaluating row i failed.
func (r *PolicyResult) IsError(i int) bool { return r.Errors[i/64]&(1<<(i%64)) != 0 }

// Verdict is row i's verdict.
func (r *PolicyResult) Verdict(i int) policy.Verdict {
	switch {
	case r.IsEligible(i):
		return policy.VerdictEligible
	case r.IsNeedsData(i):
		return policy.VerdictNeedsData
	case r.IsError(i):
		return policy.VerdictError
	}
	return policy.VerdictNotEligible
}

// NeedNames names the variables of a needs mask, in slot order.
func (r *Result) NeedNames(mask uint64) []string {
	var out []string
	for ; mask != 0; mask &= mask - 1 {
		if k := bits.TrailingZeros64(mask); k < len(r.Slots) {
			out = append(out, r.Slots[k])
		}
	}
	return out
}

// vbuf is a node's value over the current chunk, or over the selected rows
// of a selection.
//
// Each row of a node is a value, an error (e) or unknown (u), never two;
// a bool's true bit (t) is never set where it is in error or unknown.
// Where a row is unknown, m holds the variables it depends on as slot
// bits, or mc does for every row when m is nil.
type vbuf struct {
	epoch  int
	i      []int64
	f      []float64
	t, e   []uint64
	u      []uint64
	hasE   bool
	hasU   bool
	m      []uint64
	mc     uint64
	mPool  bool     // m comes from the pool
	uPool  bool     // u comes from the pool (taken when a row turns unknown)
	ou     []uint64 // gathered unknown bits of a string column, under a selection
	codes  []uint32 // string: codes into dict
	dict   []string
	str    string // string constant
	isStr  bool
	pooled kind // the vectors above come from the pool: give them back
	// Constants and single-valued columns keep one filled vector.
	ci     []int64
	cf     []float64
	ct, ce []uint64
	filled bool
	ocodes []uint32 // gathered string codes, under a selection
	tbl    []uint8  // string predicate per dictionary entry
	tbli   []int64
}

// exec evaluates the nodes of one DAG over chunks of a domain of rows, or
// over the selected rows of a chunk.
type exec struct {
	nodes []node
	cols  *Columns
	slots []uint64 // per schema index: the slot bit of a column with missing rows
	// inSlots are the slot bits of the declared inputs, by input.NAME;
	// inputs are the program's opInput nodes' inputs.
	inSlots map[string]uint64
	inputs  []inputRef
	iter    *column // the iteration variable, in a sub-program
	subs    map[int32]*[2][]bool
	buf     []vbuf
	epoch   int
	lo, n   int
	sel     []int32 // when not nil, the rows are lo+sel[j] and n is len(sel)
	size    int     // rows a vector holds
	// The pool: vectors of size rows and bitmaps of size bits.
	freeI [][]int64
	freeF [][]float64
	freeB [][]uint64
	freeM [][]uint64
	held  []int32 // nodes holding pooled vectors, for releaseAll
}

func newExec(nodes []node, cols *Columns, slots []uint64, iter *column, subs map[int32]*[2][]bool, size int) *exec {
	return &exec{nodes: nodes, cols: cols, slots: slots, iter: iter, subs: subs, buf: make([]vbuf, len(nodes)), size: max(size, 64)}
}

func (x *exec) chunk(lo, n int) { x.epoch++; x.lo, x.n, x.sel = lo, n, nil }

func (x *exec) words() int { return (x.n + 63) / 64 }

func (x *exec) getB() []uint64 {
	if k := len(x.freeB); k > 0 {
		b := x.freeB[k-1]
		x.freeB = x.freeB[:k-1]
		return b
	}
	return make([]uint64, (x.size+63)/64)
}

// alloc gives v pooled vectors of the chunk's size for kind k, with no
// error or unknown bits.
func (x *exec) alloc(v *vbuf, k kind) {
	if v.pooled != 0 { // recomputed in the same chunk after a release
		x.free(v)
	}
	w := x.words()
	if v.mPool {
		x.freeM = append(x.freeM, v.m[:cap(v.m)])
		v.mPool = false
	}
	v.pooled = k
	v.i, v.f, v.hasE, v.hasU, v.m, v.mc = nil, nil, false, false, nil, 0
	v.t, v.e, v.u = x.getB()[:w], x.getB()[:w], nil
	clear(v.e)
	switch k {
	case kInt:
		if k := len(x.freeI); k > 0 {
			v.i = x.freeI[k-1][:x.n]
			x.freeI = x.freeI[:k-1]
		} else {
			v.i = make([]int64, x.size)[:x.n]
		}
	case kDouble:
		if k := len(x.freeF); k > 0 {
			v.f = x.freeF[k-1][:x.n]
			x.freeF = x.freeF[:k-1]
		} else {
			v.f = make([]float64, x.size)[:x.n]
		}
	}
}

// ownU gives the allocated v a pooled bitmap of unknown rows, clear.
func (x *exec) ownU(v *vbuf) []uint64 {
	if !v.uPool {
		v.u, v.uPool = x.getB()[:x.words()], true
		clear(v.u)
	}
	return v.u
}

// masks gives v a pooled per-row mask vector.
func (x *exec) masks(v *vbuf) []uint64 {
	if !v.mPool {
		if k := len(x.freeM); k > 0 {
			v.m = x.freeM[k-1][:x.n]
			x.freeM = x.freeM[:k-1]
		} else {
			v.m = make([]uint64, x.size)[:x.n]
		}
		v.mPool = true
	}
	return v.m
}

// free hands v's pooled vectors back.
func (x *exec) free(v *vbuf) {
	if v.mPool {
		x.freeM = append(x.freeM, v.m[:cap(v.m)])
		v.m, v.mPool = nil, false
	}
	if v.pooled == 0 {
		return
	}
	x.freeB = append(x.freeB, v.t[:cap(v.t)], v.e[:cap(v.e)])
	if v.uPool {
		x.freeB = append(x.freeB, v.u[:cap(v.u)])
		v.uPool = false
	}
	switch v.pooled {
	case kInt:
		x.freeI = append(x.freeI, v.i[:cap(v.i)])
	case kDouble:
		x.freeF = append(x.freeF, v.f[:cap(v.f)])
	}
	v.pooled, v.i, v.f, v.t, v.e, v.u, v.epoch = 0, nil, nil, nil, nil, nil, 0
}

// release frees the nodes whose last consumer has run.
func (x *exec) release(ids []int32) {
	for _, id := range ids {
		x.free(&x.buf[id])
	}
}

// releaseAll frees every node evaluated under the current selection.
func (x *exec) releaseAll() {
	for _, id := range x.held {
		x.free(&x.buf[id])
	}
	x.held = x.held[:0]
}

// selected evaluates node id over rows lo+sel[j] only.
func (x *exec) selected(lo int, sel []int32, id int32) *vbuf {
	x.epoch++
	x.lo, x.n, x.sel = lo, len(sel), sel
	return x.ensure(id)
}

func (x *exec) ensure(id int32) *vbuf {
	v := &x.buf[id]
	if v.epoch == x.epoch {
		return v
	}
	n := &x.nodes[id]
	for _, a := range n.a {
		x.ensure(a)
	}
	x.eval(id, n, v)
	if v.pooled != 0 && x.sel != nil {
		x.held = append(x.held, id)
	}
	v.epoch = x.epoch
	return v
}

// strict sets v's error and unknown bits from its operands as cel-go's
// strict operators do: in error where any operand is, else unknown where
// any is, depending on the union of their variables. v is allocated.
func (x *exec) strict(v *vbuf, args ...int32) {
	anyU := false
	for _, a := range args {
		av := &x.buf[a]
		if av.hasE {
			v.hasE = true
			orInto(v.e, av.e)
		}
		anyU = anyU || av.hasU
	}
	if !anyU {
		return
	}
	v.hasU = true
	x.ownU(v)
	for _, a := range args {
		if av := &x.buf[a]; av.hasU {
			orInto(v.u, av.u)
		}
	}
	if v.hasE {
		for w := range v.u {
			v.u[w] &^= v.e[w]
		}
	}
	x.unionMasks(v, args)
}

// unionMasks sets the variables of v's unknown rows to the union of those
// of the operands unknown there.
func (x *exec) unionMasks(v *vbuf, args []int32) {
	var only *vbuf
	n := 0
	for _, a := range args {
		if av := &x.buf[a]; av.hasU {
			only, n = av, n+1
		}
	}
	if n == 1 && only.m == nil { // one unknown operand, one set of variables
		v.m, v.mc = nil, only.mc
		return
	}
	m := x.masks(v)
	for w, word := range v.u {
		for ; word != 0; word &= word - 1 {
			j := w*64 + bits.TrailingZeros64(word)
			var mm uint64
			for _, a := range args {
				if av := &x.buf[a]; av.hasU && av.u[w]>>(j%64)&1 != 0 {
					mm |= maskAt(av, j)
				}
			}
			m[j] = mm
		}
	}
}

// maskAt is the variables row j of v depends on, where it is unknown.
func maskAt(v *vbuf, j int) uint64 {
	if v.m == nil {
		return v.mc
	}
	return v.m[j]
}

// settle drops the errors a kernel found on unknown rows (cel-go never
// computes there) and the true bits of rows in error or unknown.
func (x *exec) settle(v *vbuf) {
	if v.hasU {
		for w := range v.u {
			v.e[w] &^= v.u[w]
		}
	}
	x.fixT(v)
}

func (x *exec) fixT(v *vbuf) {
	if v.t == nil {
		return
	}
	if v.hasE {
		for w := range v.t {
			v.t[w] &^= v.e[w]
		}
	}
	if v.hasU {
		for w := range v.t {
			v.t[w] &^= v.u[w]
		}
	}
}

// constant points v at its filled vectors, filling them on first use.
func (x *exec) constant(v *vbuf, k kind, iv int64, fv float64, bv bool) {
	if !v.filled {
		v.filled = true
		v.ct, v.ce = make([]uint64, (x.size+63)/64), make([]uint64, (x.size+63)/64)
		switch k {
		case kInt:
			v.ci = make([]int64, x.size)
			for j := range v.ci {
				v.ci[j] = iv
			}
		case kDouble:
			v.cf = make([]float64, x.size)
			for j := range v.cf {
				v.cf[j] = fv
			}
		case kBool:
			fillBits(v.ct, bv)
		}
	}
	w := x.words()
	v.i, v.f, v.t, v.e, v.u, v.hasE, v.hasU = nil, nil, v.ct[:w], v.ce[:w], v.ce[:w], false, false
	if k == kInt {
		v.i = v.ci[:x.n]
	}
	if k == kDouble {
		v.f = v.cf[:x.n]
	}
}

// scalarInt reports the value of int node id when it is one for every row:
// a constant, or a column whose rows are all equal.
func (x *exec) scalarInt(id int32) (int64, bool) {
	n := &x.nodes[id]
	switch {
	case n.op == opConst:
		return n.iv, true
	case n.op == opVar && n.v >= 0 && x.cols.cols[n.v].scalar():
		return x.cols.cols[n.v].sameVal, true
	}
	return 0, false
}

func (x *exec) eval(id int32, n *node, v *vbuf) {
	w := x.words()
	arg := func(i int) *vbuf { return &x.buf[n.a[i]] }
	switch n.op {
	case opConst:
		if n.k == kString {
			v.isStr, v.str = true, n.sv
			v.hasE, v.hasU = false, false
			return
		}
		x.constant(v, n.k, n.iv, n.fv, n.bv)
	case opVar:
		x.readVar(n, v)
	case opInput:
		x.readInput(n, v)
	case opAdd, opSub, opMul, opDiv, opMod:
		x.arith(n, v)
	case opNeg:
		x.alloc(v, n.k)
		x.strict(v, n.a...)
		a := arg(0)
		if n.k == kDouble {
			for j, f := range a.f {
				v.f[j] = -f
			}
			return
		}
		for j, i := range a.i {
			if i == math.MinInt64 {
				v.e[j/64] |= 1 << (j % 64)
				v.hasE = true
			} else {
				v.i[j] = -i
			}
		}
		x.settle(v)
	case opEq, opNe, opLt, opLe, opGt, opGe:
		x.compare(n, v)
	case opAnd, opOr:
		x.alloc(v, kBool)
		a, b := arg(0), arg(1)
		if !a.hasE && !b.hasE && !a.hasU && !b.hasU {
			at, bt := a.t[:w], b.t[:w]
			if n.op == opAnd {
				for j := range v.t {
					v.t[j] = at[j] & bt[j]
				}
			} else {
				for j := range v.t {
					v.t[j] = at[j] | bt[j]
				}
			}
			return
		}
		// Kleene logic, as cel-go's && and ||: a false (a true) operand
		// decides; otherwise an unknown one makes it unknown, then an
		// error one an error.
		x.ownU(v)
		for j := 0; j < w; j++ {
			ae, be := word(a, j), word(b, j)
			au, bu := uword(a, j), uword(b, j)
			at, bt := a.t[j], b.t[j]
			if n.op == opAnd {
				f := ^(at | ae | au) | ^(bt | be | bu)
				v.t[j] = at & bt
				v.u[j] = (au | bu) &^ f
				v.e[j] = (ae | be) &^ f &^ v.u[j]
			} else {
				t := at | bt
				v.t[j] = t
				v.u[j] = (au | bu) &^ t
				v.e[j] = (ae | be) &^ t &^ v.u[j]
			}
			v.hasE = v.hasE || v.e[j] != 0
			v.hasU = v.hasU || v.u[j] != 0
		}
		if v.hasU {
			x.unionMasks(v, n.a)
		}
	case opNot:
		x.alloc(v, kBool)
		a := arg(0)
		x.strict(v, n.a...)
		for j := 0; j < w; j++ {
			v.t[j] = ^a.t[j]
		}
		x.fixT(v)
	case opMask:
		x.alloc(v, kBool)
		x.strict(v, n.a[1:]...)
		copy(v.t, arg(0).t[:w])
		x.fixT(v)
	case opCond:
		x.alloc(v, n.k)
		x.ownU(v)
		c, a, b := arg(0), arg(1), arg(2)
		for j := 0; j < w; j++ {
			ce, cu := word(c, j), uword(c, j)
			ct := c.t[j]
			cf := ^ct &^ ce &^ cu
			v.e[j] = ce | ct&word(a, j) | cf&word(b, j)
			v.u[j] = cu | ct&uword(a, j) | cf&uword(b, j)
			if n.k == kBool {
				v.t[j] = (ct&a.t[j] | cf&b.t[j]) &^ (v.e[j] | v.u[j])
			}
			v.hasE = v.hasE || v.e[j] != 0
			v.hasU = v.hasU || v.u[j] != 0
		}
		if v.hasU { // the condition's variables, or the branch taken's
			m := x.masks(v)
			for w, word := range v.u {
				for ; word != 0; word &= word - 1 {
					j := w*64 + bits.TrailingZeros64(word)
					switch bit := uint64(1) << (j % 64); {
					case uword(c, w)&bit != 0:
						m[j] = maskAt(c, j)
					case c.t[w]&bit != 0:
						m[j] = maskAt(a, j)
					default:
						m[j] = maskAt(b, j)
					}
				}
			}
		}
		switch n.k {
		case kInt:
			for j := range v.i {
				if c.t[j/64]&(1<<(j%64)) != 0 {
					v.i[j] = a.i[j]
				} else {
					v.i[j] = b.i[j]
				}
			}
		case kDouble:
			for j := range v.f {
				if c.t[j/64]&(1<<(j%64)) != 0 {
					v.f[j] = a.f[j]
				} else {
					v.f[j] = b.f[j]
				}
			}
		}
	case opStrIn, opStrPre, opStrSuf, opStrHas:
		x.alloc(v, kBool)
		a := arg(0)
		if a.isStr {
			fillBits(v.t, strPred(n, a.str))
			return
		}
		x.strict(v, n.a...)
		if v.tbl == nil {
			v.tbl = make([]uint8, len(a.dict))
			for j, s := range a.dict {
				v.tbl[j] = b2u8(strPred(n, s))
			}
		}
		codeBits(v.t, a.codes, v.tbl)
		x.fixT(v)
	case opStrSize:
		x.alloc(v, kInt)
		a := arg(0)
		if a.isStr {
			for j := range v.i {
				v.i[j] = strSize(a.str)
			}
			return
		}
		x.strict(v, n.a...)
		if v.tbli == nil {
			v.tbli = make([]int64, len(a.dict))
			for j, s := range a.dict {
				v.tbli[j] = strSize(s)
			}
		}
		for j, c := range a.codes {
			v.i[j] = v.tbli[c]
		}
	case opListHas:
		ln := &x.nodes[n.a[0]]
		col := x.cols.cols[ln.v]
		j, ok := col.dictIdx[n.sv]
		if ok && int(j) < len(col.valBits) && x.sel == nil {
			// A missing row holds no item: its bit is clear already.
			v.t, v.e, v.hasE = col.valBits[j][x.lo/64:x.lo/64+w], nil, false
			x.missBits(v, ln.v)
			return
		}
		x.alloc(v, kBool)
		x.strict(v, n.a...)
		if !ok || int(j) >= len(col.valBits) {
			fillBits(v.t, false)
			return
		}
		gatherBits(v.t, col.valBits[j], x.lo, x.sel)
	case opListSize:
		x.alloc(v, kInt)
		x.strict(v, n.a...)
		off := x.cols.cols[x.nodes[n.a[0]].v].off
		if x.sel != nil {
			for j, r := range x.sel {
				r := x.lo + int(r)
				v.i[j] = int64(off[r+1] - off[r])
			}
			return
		}
		off = off[x.lo : x.lo+x.n+1]
		for j := range v.i {
			v.i[j] = int64(off[j+1] - off[j])
		}
	case opListAny, opListAll:
		x.alloc(v, kBool)
		x.listPred(id, n, v)
		if u := &x.buf[n.a[0]]; u.hasU { // the range is unknown
			v.hasU = true
			copy(x.ownU(v), u.u[:w])
			x.unionMasks(v, n.a)
			x.settle(v)
		}
	case opToInt:
		x.alloc(v, kInt)
		x.strict(v, n.a...)
		for j, f := range arg(0).f {
			i, ok := toInt(f)
			if !ok {
				v.e[j/64] |= 1 << (j % 64)
				v.hasE = true
			}
			v.i[j] = i
		}
		x.settle(v)
	case opToDouble:
		x.alloc(v, kDouble)
		x.strict(v, n.a...)
		for j, i := range arg(0).i {
			v.f[j] = float64(i)
		}
	case opMulRate:
		x.alloc(v, kInt)
		x.strict(v, n.a...)
		r, mode := policy.Rate{Num: n.iv, Scale: n.v}, policy.RoundDown
		if n.bv {
			mode = policy.RoundHalfUp
		}
		for j, i := range arg(0).i {
			p, ok := policy.MulRate(i, r, mode)
			if !ok {
				v.e[j/64] |= 1 << (j % 64)
				v.hasE = true
			}
			v.i[j] = p
		}
		x.settle(v)
	case opMin, opMax:
		x.alloc(v, n.k)
		x.strict(v, n.a...)
		if n.k == kInt {
			copy(v.i, arg(0).i)
			for k := 1; k < len(n.a); k++ {
				bi := arg(k).i[:len(v.i)]
				if n.op == opMin {
					for j, p := range v.i {
						v.i[j] = min(p, bi[j])
					}
				} else {
					for j, p := range v.i {
						v.i[j] = max(p, bi[j])
					}
				}
			}
			return
		}
		copy(v.f, arg(0).f)
		for k := 1; k < len(n.a); k++ {
			b := arg(k).f
			for j := range v.f {
				var r float64
				var ok bool
				if n.op == opMin {
					r, ok = minDouble(v.f[j], b[j])
				} else {
					r, ok = maxDouble(v.f[j], b[j])
				}
				v.f[j] = r
				if !ok {
					v.e[j/64] |= 1 << (j % 64)
					v.hasE = true
				}
			}
		}
		x.settle(v)
	default:
		panic("vector: unknown operation")
	}
}

// listPred evaluates exists (opListAny) or all (opListAll) from the
// predicate's table over the list column's dictionary. Any: rows with an
// element whose predicate is true; all: rows with one whose predicate is
// false. Both: an error where some element errs and none decides.
func (x *exec) listPred(id int32, n *node, v *vbuf) {
	col := x.cols.cols[x.nodes[n.a[0]].v]
	sub := x.subs[id]
	hit, er := v.t, v.e
	clear(hit)
	if x.sel != nil {
		for j, r := range x.sel {
			r := x.lo + int(r)
			var h, e bool
			for _, c := range col.codes[col.off[r]:col.off[r+1]] {
				if sub[1][c] {
					e = true
				} else if sub[0][c] == (n.op == opListAny) {
					h = true
				}
			}
			if h {
				hit[j/64] |= 1 << (j % 64)
			} else if e {
				er[j/64] |= 1 << (j % 64)
			}
		}
	} else {
		lo, w := x.lo/64, len(hit)
		for j, vb := range col.valBits {
			t, e := sub[0][j], sub[1][j]
			if e {
				orInto(er, vb[lo:lo+w])
			} else if t == (n.op == opListAny) {
				orInto(hit, vb[lo:lo+w])
			}
		}
		for j := range er {
			er[j] &^= hit[j]
		}
	}
	for j := range er {
		if er[j] != 0 {
			v.hasE = true
		}
		if n.op == opListAll {
			hit[j] = ^hit[j] &^ er[j]
		}
	}
}

func word(v *vbuf, j int) uint64 {
	if !v.hasE {
		return 0
	}
	return v.e[j]
}

func uword(v *vbuf, j int) uint64 {
	if !v.hasU {
		return 0
	}
	return v.u[j]
}

func fillBits(t []uint64, b bool) {
	f := uint64(0)
	if b {
		f = ^uint64(0)
	}
	for j := range t {
		t[j] = f
	}
}

func orInto(dst, src []uint64) {
	src = src[:len(dst)]
	for j := range dst {
		dst[j] |= src[j]
	}
}

func (x *exec) readVar(n *node, v *vbuf) {
	col := x.iter
	if n.v >= 0 {
		col = x.cols.cols[n.v]
	}
	lo, hi := x.lo, x.lo+x.n
	v.hasE = false
	defer x.missBits(v, n.v)
	if col.k == kInt && col.same {
		x.constant(v, kInt, col.sameVal, 0, false)
		return
	}
	if x.sel != nil {
		switch col.k {
		case kInt:
			x.alloc(v, kInt)
			col.widenInts(v.i, lo, x.sel)
		case kDouble:
			x.alloc(v, kDouble)
			for j, r := range x.sel {
				v.f[j] = col.dbls[lo+int(r)]
			}
		case kBool:
			x.alloc(v, kBool)
			gatherBits(v.t, col.bits, lo, x.sel)
		case kString:
			if v.ocodes == nil {
				v.ocodes = make([]uint32, x.size)
			}
			for j, r := range x.sel {
				v.ocodes[j] = col.codes[lo+int(r)]
			}
			v.codes, v.dict = v.ocodes[:x.n], col.dict
		}
		return
	}
	switch col.k {
	case kInt:
		if col.width == 8 {
			v.i = col.ints[lo:hi]
			return
		}
		x.alloc(v, kInt)
		col.widenInts(v.i, lo, nil)
	case kDouble:
		v.f = col.dbls[lo:hi]
	case kBool:
		v.t = col.bits[lo/64 : lo/64+x.words()]
	case kString:
		v.codes, v.dict = col.codes[lo:hi], col.dict
	}
}

// missBits marks v unknown where schema variable i's column is missing
// (none for the iteration variable, i < 0): the rows depend on i's slot.
func (x *exec) missBits(v *vbuf, i int) {
	v.hasU = false
	if i < 0 || x.cols.cols[i].miss == nil {
		return
	}
	miss, w := x.cols.cols[i].miss, x.words()
	switch {
	case x.sel == nil && v.pooled != 0:
		copy(x.ownU(v), miss[x.lo/64:x.lo/64+w])
	case x.sel == nil:
		v.u = miss[x.lo/64 : x.lo/64+w]
	default:
		if v.pooled == 0 {
			if v.ou == nil {
				v.ou = make([]uint64, (x.size+63)/64)
			}
			v.u = v.ou[:w]
		} else {
			x.ownU(v)
		}
		gatherBits(v.u, miss, x.lo, x.sel)
	}
	v.hasU = true
	v.m, v.mc = nil, x.slots[i]
}

// gatherBits sets bit j of t to bit lo+sel[j] of src.
func gatherBits(t, src []uint64, lo int, sel []int32) {
	clear(t)
	for j, r := range sel {
		r := lo + int(r)
		t[j/64] |= (src[r/64] >> (r % 64) & 1) << (j % 64)
	}
}

func (x *exec) arith(n *node, v *vbuf) {
	x.alloc(v, n.k)
	x.strict(v, n.a...)
	defer x.settle(v)
	a, b := &x.buf[n.a[0]], &x.buf[n.a[1]]
	if n.k == kDouble {
		arithDouble(n.op, v.f, a.f, b.f)
		return
	}
	var e bool
	if c, ok := x.scalarInt(n.a[1]); ok {
		e = arithIntConst(n.op, v.i, a.i, c, v.e)
	} else if c, ok := x.scalarInt(n.a[0]); ok && (n.op == opAdd || n.op == opMul) {
		e = arithIntConst(n.op, v.i, b.i, c, v.e)
	} else {
		e = arithInt(n.op, v.i, a.i, b.i, v.e)
	}
	v.hasE = v.hasE || e
}

func (x *exec) compare(n *node, v *vbuf) {
	x.alloc(v, kBool)
	x.strict(v, n.a...)
	a, b := &x.buf[n.a[0]], &x.buf[n.a[1]]
	bn := &x.nodes[n.a[1]]
	an := &x.nodes[n.a[0]]
	switch an.k {
	case kInt:
		if c, ok := x.scalarInt(n.a[1]); ok {
			cmpVS(v.t, a.i, c, n.op)
		} else if c, ok := x.scalarInt(n.a[0]); ok {
			cmpVS(v.t, b.i, c, mirrorOp(n.op))
		} else {
			cmpVV(v.t, a.i, b.i, n.op)
		}
	case kDouble:
		switch {
		case bn.op == opConst:
			cmpVS(v.t, a.f, bn.fv, n.op)
		case an.op == opConst:
			cmpVS(v.t, b.f, an.fv, mirrorOp(n.op))
		default:
			cmpVV(v.t, a.f, b.f, n.op)
		}
		// cel-go's ordering functions answer false for NaN, as Go does.
	case kBool:
		for j := range v.t {
			v.t[j] = cmpBool(n.op, a.t[j], b.t[j])
		}
	case kString:
		switch {
		case a.isStr && b.isStr:
			fillBits(v.t, cmpString(n.op, a.str, b.str))
		case a.isStr:
			if v.tbl == nil {
				v.tbl = make([]uint8, len(b.dict))
				for j, s := range b.dict {
					v.tbl[j] = b2u8(cmpString(n.op, a.str, s))
				}
			}
			codeBits(v.t, b.codes, v.tbl)
		case b.isStr:
			if v.tbl == nil {
				v.tbl = make([]uint8, len(a.dict))
				for j, s := range a.dict {
					v.tbl[j] = b2u8(cmpString(n.op, s, b.str))
				}
			}
			codeBits(v.t, a.codes, v.tbl)
		default:
			clear(v.t)
			for j, c := range a.codes {
				if cmpString(n.op, a.dict[c], b.dict[b.codes[j]]) {
					v.t[j/64] |= 1 << (j % 64)
				}
			}
		}
	}
	x.fixT(v)
}

// subTables evaluates each list predicate of the program over the distinct
// values of its column: true and error per dictionary entry.
func subTables(p *Program, cols *Columns) map[int32]*[2][]bool {
	out := map[int32]*[2][]bool{}
	for id, n := range p.nodes {
		if n.sub == nil {
			continue
		}
		col := cols.cols[p.nodes[n.a[0]].v]
		d := len(col.dict)
		iter := &column{k: kString, codes: make([]uint32, d), dict: col.dict}
		for j := range iter.codes {
			iter.codes[j] = uint32(j)
		}
		t := &[2][]bool{make([]bool, d), make([]bool, d)}
		if d > 0 {
			x := newExec(n.sub.nodes, nil, nil, iter, nil, d)
			x.chunk(0, d)
			v := x.ensure(n.sub.root)
			for j := 0; j < d; j++ {
				t[0][j] = v.t[j/64]&(1<<(j%64)) != 0
				t[1][j] = v.hasE && v.e[j/64]&(1<<(j%64)) != 0
			}
		}
		out[int32(id)] = t
	}
	return out
}

// rowActivation reads one row of the columns for cel-go, as the reference
// reads a policy.Subject: a partial activation naming the row's missing
// variables unknown.
type rowActivation struct {
	cols     *Columns
	row      int
	params   map[string]any
	reads    []int
	unknowns []*interpreter.AttributePattern
	c        *policy.Compiled
	inputs   map[string]any // the row's declared inputs held, by input.NAME
}

var _ interpreter.PartialActivation = (*rowActivation)(nil)

// at moves the activation to row r.
func (a *rowActivation) at(r int) {
	a.row, a.unknowns = r, a.unknowns[:0]
	for _, i := range a.reads {
		if a.cols.cols[i] != nil && a.cols.cols[i].missing(r) {
			a.unknowns = append(a.unknowns, policy.UnknownPattern(i))
		}
	}
	if len(a.c.Policy.Inputs) > 0 {
		var unk []*interpreter.AttributePattern
		a.inputs, unk = a.c.InputActivation(a.cols.inputsAt(r))
		a.unknowns = append(a.unknowns, unk...)
	}
}

func (a *rowActivation) ResolveName(name string) (any, bool) {
	if len(name) > 2 && name[:2] == "p." {
		v, ok := a.params[name[2:]]
		return policy.CELValue(v), ok
	}
	if strings.HasPrefix(name, policy.InputPrefix) {
		v, ok := a.inputs[name]
		return v, ok
	}
	i, ok := schemaIndex[name]
	if !ok {
		return nil, false
	}
	return a.cols.value(i, a.row)
}

func (a *rowActivation) Parent() interpreter.Activation { return nil }

// UnknownAttributePatterns implements interpreter.PartialActivation.
func (a *rowActivation) UnknownAttributePatterns() []*interpreter.AttributePattern {
	return a.unknowns
}

// AsPartialActivation lets cel-go find the patterns through its frames.
func (a *rowActivation) AsPartialActivation() (interpreter.PartialActivation, bool) { return a, true }

// slotMask is the slot bits of the variables an unknown depends on.
func (x *exec) slotMask(v ref.Val) uint64 {
	var m uint64
	for _, name := range policy.UnknownNames(v) {
		if i, ok := schemaIndex[name]; ok {
			m |= x.slots[i]
		} else {
			m |= x.inSlots[name]
		}
	}
	return m
}

// tuning says when a policy's remaining work moves to its selected rows: a
// condition not yet computed for the chunk once fewer than one row in
// condSparse is still eligible, the amount once fewer than one in
// amountSparse is. Gathering costs a few times a vector operation per row,
// so below these densities evaluating the selected rows is cheaper, and
// the amount is computed for eligible rows only. Zero: always select.
type tuning struct{ condSparse, amountSparse int }

var defaultTuning = tuning{condSparse: 3, amountSparse: 2}

// Run decides every policy of the programs for every row of cols. The
// columns must hold every variable in the programs' Reads.
func Run(cols *Columns, progs ...*Program) Result { return run(cols, defaultTuning, progs) }

func run(cols *Columns, tu tuning, progs []*Program) Result {
	cols.seal()
	res := Result{Rows: cols.n}
	// A slot per column with missing rows: the bit a needs mask names it by.
	slots := make([]uint64, len(schema))
	for i, col := range cols.cols {
		if col != nil && col.miss != nil {
			k := min(len(res.Slots), 63) // past 64 such columns, the last slot is shared
			slots[i] = 1 << k
			if len(res.Slots) < 64 {
				res.Slots = append(res.Slots, schema[i].Name)
			} else {
				res.Shared = true
			}
		}
	}
	// Then a slot per declared input: fallback rows mark them.
	inSlots := map[string]uint64{}
	for _, p := range progs {
		for _, pp := range p.pols {
			for _, in := range pp.c.Policy.Inputs {
				if _, ok := inSlots[in.Variable()]; ok {
					continue
				}
				inSlots[in.Variable()] = 1 << min(len(res.Slots), 63)
				if len(res.Slots) < 64 {
					res.Slots = append(res.Slots, in.Variable())
				} else {
					res.Shared = true
				}
			}
		}
	}
	type job struct {
		p    *Program
		subs map[int32]*[2][]bool
		rel  [][]int32 // per policy: nodes it is the last to read
		filt []bool
	}
	var jobs []job
	words, np := (cols.n+63)/64, 0
	for _, p := range progs {
		np += len(p.pols)
	}
	slab := make([]uint64, 3*words*np) // one allocation for every policy's bitmaps
	bitmap := func() []uint64 {
		b := slab[:words:words]
		slab = slab[words:]
		return b
	}
	for _, p := range progs {
		jobs = append(jobs, job{p, subTables(p, cols), p.releases(), filterable(p.nodes, cols)})
		for _, pp := range p.pols {
			res.Policies = append(res.Policies, PolicyResult{PolicyID: pp.c.Policy.ID, Version: pp.c.Policy.Version,
				Eligible: bitmap(), NeedsData: bitmap(), Errors: bitmap()})
		}
	}
	chunks := (cols.n + chunkRows - 1) / chunkRows
	outs := make([]chunkOut, chunks*np)
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(chunks, 1))
	for range workers {
		wg.Go(func() {
			d := &decider{tu: tu, elig: make([]uint64, chunkRows/64), unk: make([]uint64, chunkRows/64), err: make([]uint64, chunkRows/64),
				need: make([]uint64, chunkRows), sel: make([]int32, chunkRows), scratch: make([]int32, chunkRows)}
			xs, ss := make([]*exec, len(jobs)), make([]*exec, len(jobs))
			for i, j := range jobs {
				xs[i] = newExec(j.p.nodes, cols, slots, nil, j.subs, chunkRows)
				ss[i] = newExec(j.p.nodes, cols, slots, nil, j.subs, chunkRows)
				xs[i].inSlots, ss[i].inSlots = inSlots, inSlots
				xs[i].inputs, ss[i].inputs = j.p.inputs, j.p.inputs
			}
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				lo := c * chunkRows
				n := min(chunkRows, cols.n-lo)
				k := 0
				for i, j := range jobs {
					xs[i].chunk(lo, n)
					d.x, d.sx, d.filt = xs[i], ss[i], j.filt
					for pi := range j.p.pols {
						r := &res.Policies[k]
						outs[c*np+k] = d.decide(&j.p.pols[pi], r.Eligible[lo/64:], r.NeedsData[lo/64:], r.Errors[lo/64:])
						xs[i].release(j.rel[pi])
						k++
					}
				}
			}
		})
	}
	wg.Wait()
	for k := range res.Policies {
		r := &res.Policies[k]
		amounts, needs := 0, 0
		for c := 0; c < chunks; c++ {
			amounts += len(outs[c*np+k].amounts)
			needs += len(outs[c*np+k].needs)
		}
		r.Amounts, r.Needs = make([]int64, 0, amounts), make([]uint64, 0, needs)
		for c := 0; c < chunks; c++ {
			r.Amounts = append(r.Amounts, outs[c*np+k].amounts...)
			r.Needs = append(r.Needs, outs[c*np+k].needs...)
		}
		r.Count, r.NeedsCount = len(r.Amounts), len(r.Needs)
		for _, x := range r.Errors {
			r.ErrorCount += bits.OnesCount64(x)
		}
		var sum chanye.FenSum
		for _, a := range r.Amounts {
			sum.Add(chanye.Fen(a))
		}
		r.TotalFen, r.Overflow = int64(sum.Value()), sum.Overflowed()
	}
	return res
}

// chunkOut is one policy's decisions over one chunk: the amounts of the
// eligible rows and the needs masks of the needs-data rows, in row order.
type chunkOut struct {
	amounts []int64
	needs   []uint64
}

// releases lists, per policy of the program, the nodes no later policy
// reads: after deciding it, a worker hands their vectors back.
func (p *Program) releases() [][]int32 {
	last := make([]int32, len(p.nodes))
	for i := range last {
		last[i] = -1
	}
	var mark func(id int32, pi int32)
	mark = func(id int32, pi int32) {
		if last[id] == pi {
			return
		}
		last[id] = pi
		for _, a := range p.nodes[id].a {
			mark(a, pi)
		}
	}
	for pi, pp := range p.pols {
		for _, id := range pp.conds {
			mark(id, int32(pi))
		}
		if pp.amount >= 0 {
			mark(pp.amount, int32(pi))
		}
	}
	out := make([][]int32, len(p.pols))
	for id, pi := range last {
		if pi >= 0 {
			out[pi] = append(out[pi], int32(id))
		}
	}
	return out
}

// decider decides policies over a worker's current chunk.
type decider struct {
	tu    tuning
	x, sx *exec  // the chunk; the selected rows
	filt  []bool // per node of the program: filter can test it row by row
	elig  []uint64
	unk   []uint64 // rows a condition left unknown
	err   []uint64 // rows a condition failed on
	need  []uint64 // per row: the variables its unknown conditions depend on
	sel   []int32
	// scratch holds the known rows of a selection while filter tests them.
	scratch []int32
	marked  bool // d.need holds something for the policy at hand
}

func sparse(count, n, ratio int) bool { return count*ratio < n || ratio == 0 }

// selection lists the set bits of elig.
func (d *decider) selection(elig []uint64) []int32 {
	s := d.sel[:0]
	for w, m := range elig {
		for m != 0 {
			s = append(s, int32(w*64+bits.TrailingZeros64(m)))
			m &= m - 1
		}
	}
	return s
}

// mark records that chunk row r is unknown (depending on mask) or in
// error for the condition at hand.
func (d *decider) mark(r int32, unknown bool, mask uint64, failed bool) {
	switch {
	case failed:
		d.err[r/64] |= 1 << (r % 64)
	case unknown:
		d.unk[r/64] |= 1 << (r % 64)
		d.need[r] |= mask
		d.marked = true
	}
}

// keepState keeps the rows of sel that v (a chunk vector) does not make
// false, and marks those it leaves unknown or in error.
func (d *decider) keepState(sel []int32, v *vbuf) []int32 {
	k := 0
	for _, r := range sel {
		w, bit := r/64, uint64(1)<<(r%64)
		t, u, e := v.t[w]&bit != 0, uword(v, int(w))&bit != 0, word(v, int(w))&bit != 0
		if t || u || e {
			sel[k] = r
			k++
			if u || e {
				d.mark(r, u, maskAt(v, int(r)), e)
			}
		}
	}
	return sel[:k]
}

// decide decides one policy over the chunk and writes its eligible,
// needs-data and error bits to out, needs and errs. The conditions are
// joined as cel-go joins &&: a row stays alive until a condition is false
// for it; alive at the end, it is in error if a condition failed, else
// needs data if one was unknown (needing what those read), else eligible
// — then the amount formula decides its amount, or an error, or needs
// data (needing what it reads). While most rows are
// alive, conditions are bitmaps over the chunk, shared with the other
// policies; once few are, the rows left are a selection that each further
// condition narrows.
func (d *decider) decide(pp *polPlan, out, needs, errs []uint64) chunkOut {
	x, sx := d.x, d.sx
	w := x.words()
	all := func(b []uint64) {
		fillBits(b[:w], true)
		if r := x.n % 64; r != 0 {
			b[w-1] = 1<<r - 1
		}
	}
	if pp.allErr {
		all(errs)
		return chunkOut{}
	}
	if !pp.live {
		return chunkOut{}
	}
	elig, unk, ferr := d.elig[:w], d.unk[:w], d.err[:w]
	all(elig)
	clear(unk)
	clear(ferr)
	count := x.n
	var sel []int32 // not nil: the alive rows, and elig is stale
	for _, id := range pp.conds {
		if count == 0 {
			break
		}
		done := x.buf[id].epoch == x.epoch
		if sel == nil && (done || !sparse(count, x.n, d.tu.condSparse)) {
			v := x.ensure(id)
			count = 0
			if !v.hasE && !v.hasU {
				for j := range elig {
					elig[j] &= v.t[j]
					count += bits.OnesCount64(elig[j])
				}
				continue
			}
			for j := range elig {
				u, e := uword(v, j)&elig[j], word(v, j)&elig[j]
				elig[j] &= v.t[j] | u | e
				ferr[j] |= e
				if u != 0 {
					d.marked = true
					unk[j] |= u
					for m := u; m != 0; m &= m - 1 {
						r := j*64 + bits.TrailingZeros64(m)
						d.need[r] |= maskAt(v, r)
					}
				}
				count += bits.OnesCount64(elig[j])
			}
			continue
		}
		if sel == nil {
			sel = d.selection(elig)
		}
		switch {
		case done:
			sel = d.keepState(sel, &x.buf[id])
		case d.filt[id]:
			sel = d.filter(id, sel)
		default:
			v := sx.selected(x.lo, sel, id)
			k := 0
			for j, r := range sel {
				bit := uint64(1) << (j % 64)
				t, u, e := v.t[j/64]&bit != 0, uword(v, j/64)&bit != 0, word(v, j/64)&bit != 0
				if t || u || e {
					sel[k] = r
					k++
					if u || e {
						d.mark(r, u, maskAt(v, j), e)
					}
				}
			}
			sel = sel[:k]
			sx.releaseAll()
		}
		count = len(sel)
	}
	if sel != nil {
		clear(elig)
		for _, r := range sel {
			elig[r/64] |= 1 << (r % 64)
		}
	}
	if count > 0 && len(pp.fbConds) > 0 {
		act := &rowActivation{cols: x.cols, params: pp.params, reads: pp.reads, c: pp.c}
		sel = nil
		eachRow(elig, func(j int) bool {
			act.at(x.lo + j)
			keep := true
			for _, fc := range pp.fbConds {
				out, _, err := fc.Program.Eval(act)
				switch {
				case err != nil:
					d.mark(int32(j), false, 0, true)
				case types.IsUnknown(out):
					d.mark(int32(j), true, x.slotMask(out), false)
				case out != types.True:
					keep = false
				}
			}
			if !keep {
				count--
			}
			return keep
		})
	}
	if count == 0 { // nobody alive: every row not eligible
		d.cleanNeeds(unk, nil)
		return chunkOut{}
	}
	// Alive rows: in error, needing data, or eligible pending the amount.
	var any uint64
	for j := range elig {
		errs[j] = elig[j] & ferr[j]
		needs[j] = elig[j] & unk[j] &^ ferr[j]
		elig[j] &^= ferr[j] | unk[j]
		any |= needs[j]
	}
	anyNeeds := any != 0
	var co chunkOut
	co.amounts = d.amounts(pp, elig, needs, errs, &anyNeeds)
	if anyNeeds {
		n := 0
		for j := range needs[:w] {
			n += bits.OnesCount64(needs[j])
		}
		co.needs = make([]uint64, 0, n)
		for j := range needs[:w] {
			for m := needs[j]; m != 0; m &= m - 1 {
				co.needs = append(co.needs, d.need[j*64+bits.TrailingZeros64(m)])
			}
		}
	}
	d.cleanNeeds(unk, needs)
	copy(out[:w], elig)
	return co
}

// cleanNeeds clears d.need where it was written, the rows of unk and
// needs, for the next policy.
func (d *decider) cleanNeeds(unk, needs []uint64) {
	if !d.marked {
		return
	}
	d.marked = false
	for j := range unk {
		m := unk[j]
		if needs != nil {
			m |= needs[j]
		}
		for ; m != 0; m &= m - 1 {
			d.need[j*64+bits.TrailingZeros64(m)] = 0
		}
	}
}

// amounts computes the amount formula for the rows of elig (conditions
// all true) and returns their amounts in row order; a row whose amount
// fails moves to errs, one whose amount reads an unknown to needs (and
// anyNeeds is set).
func (d *decider) amounts(pp *polPlan, elig, needs, errs []uint64, anyNeeds *bool) []int64 {
	x, sx := d.x, d.sx
	rows := d.sel[:0]
	for j := range elig {
		for m := elig[j]; m != 0; m &= m - 1 {
			rows = append(rows, int32(j*64+bits.TrailingZeros64(m)))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	a := &pp.c.Policy.Amount
	round, capFen := a.Round(), a.CapFen
	out := make([]int64, 0, len(rows))
	// keep takes the formula's value of chunk row r, or its failure or
	// unknown (with the variables it depends on).
	keep := func(r int32, raw int64, failed, unknown bool, mask uint64) {
		w, bit := r/64, uint64(1)<<(r%64)
		switch {
		case failed:
			elig[w] &^= bit
			errs[w] |= bit
			return
		case unknown:
			elig[w] &^= bit
			needs[w] |= bit
			d.need[r] = mask
			d.marked, *anyNeeds = true, true
			return
		}
		if raw >= 0 && raw <= int64(chanye.MaxGrantFen) { // as policy.Amount.Final, without its messages
			amt := round.Apply(chanye.Fen(raw))
			if capFen > 0 && amt > capFen {
				amt = capFen
			}
			out = append(out, int64(amt))
			return
		}
		amt, problem := finalAmount(raw, *a)
		if problem != "" {
			elig[w] &^= bit
			errs[w] |= bit
			return
		}
		out = append(out, amt)
	}
	// quick takes the rows' values when none failed or is unknown and
	// every one is a plain amount, as keep would; false leaves it to keep.
	quick := func(vals []int64, sel []int32) bool {
		for _, raw := range vals {
			if raw < 0 || raw > int64(chanye.MaxGrantFen) {
				return false
			}
		}
		for k, raw := range vals {
			_ = sel[k]
			amt := round.Apply(chanye.Fen(raw))
			if capFen > 0 && amt > capFen {
				amt = capFen
			}
			out = append(out, int64(amt))
		}
		return true
	}
	switch {
	case pp.amount >= 0 && sparse(len(rows), x.n, d.tu.amountSparse):
		v := sx.selected(x.lo, rows, pp.amount)
		if v.hasE || v.hasU || !quick(v.i[:len(rows)], rows) {
			for j, r := range rows {
				bit := uint64(1) << (j % 64)
				keep(r, v.i[j], word(v, j/64)&bit != 0, uword(v, j/64)&bit != 0, maskAt(v, j))
			}
		}
		sx.releaseAll()
	case pp.amount >= 0:
		v := x.ensure(pp.amount)
		for _, r := range rows {
			bit := uint64(1) << (r % 64)
			keep(r, v.i[r], word(v, int(r/64))&bit != 0, uword(v, int(r/64))&bit != 0, maskAt(v, int(r)))
		}
	default:
		act := &rowActivation{cols: x.cols, params: pp.params, reads: pp.reads, c: pp.c}
		for _, r := range rows {
			act.at(x.lo + int(r))
			res, _, err := pp.fbAmount.Program.Eval(act)
			i, ok := res.(types.Int)
			switch {
			case err != nil:
				keep(r, 0, true, false, 0)
			case types.IsUnknown(res):
				keep(r, 0, false, true, x.slotMask(res))
			default:
				keep(r, int64(i), !ok, false, 0)
			}
		}
	}
	return out
}

// finalAmount rounds and caps the formula's value as policy.Evaluate does;
// a problem (negative, above chanye.MaxGrantFen) is an evaluation error.
func finalAmount(raw int64, a policy.Amount) (int64, string) {
	amt, _, problem := a.Final(chanye.Fen(raw))
	return int64(amt), problem
}

// eachRow calls keep for each set bit in row order and clears the bits it
// rejects.
func eachRow(b []uint64, keep func(j int) bool) {
	for w, m := range b {
		for m != 0 {
			t := bits.TrailingZeros64(m)
			m &= m - 1
			if !keep(w*64 + t) {
				b[w] &^= 1 << t
			}
		}
	}
}

// readInput reads a declared input of a policy for the chunk's rows (or
// its selected rows): unknown for the rows without a value, as cel-go
// reads an unknown attribute, depending on the input's slot.
func (x *exec) readInput(n *node, v *vbuf) {
	ref := &x.inputs[n.v]
	x.alloc(v, n.k)
	clear(v.t)
	clear(v.i)
	clear(v.f)
	u := x.ownU(v)
	fillBits(u, true)
	if r := x.n % 64; r != 0 {
		u[len(u)-1] = 1<<r - 1
	}
	known := 0
	set := func(j int, ins *policy.Inputs) {
		val, ok := ref.c.Policy.InputCEL(ins, ref.name)
		if !ok {
			return
		}
		known++
		u[j/64] &^= 1 << (j % 64)
		switch y := val.(type) {
		case int64:
			v.i[j] = y
		case float64:
			v.f[j] = y
		case bool:
			if y {
				v.t[j/64] |= 1 << (j % 64)
			}
		}
	}
	if x.sel == nil {
		rows := x.cols.inputRows
		for k := sort.SearchInts(rows, x.lo); k < len(rows) && rows[k] < x.lo+x.n; k++ {
			set(rows[k]-x.lo, x.cols.inputVals[k])
		}
	} else {
		for j, r := range x.sel {
			if ins := x.cols.inputsAt(x.lo + int(r)); ins != nil {
				set(j, ins)
			}
		}
	}
	v.hasU = known < x.n
	v.m, v.mc = nil, x.inSlots[ref.variable]
}
