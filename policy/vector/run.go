package vector

import (
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/interpreter"
)

// chunkRows is how many rows a worker evaluates at once. With the vectors
// of finished nodes handed back to the worker's pool, a chunk's working set
// is a few dozen vectors of 32 KB: it stays in L2.
const chunkRows = 4096

// Result is what a run decided, per policy in program order.
type Result struct {
	Rows     int
	Policies []PolicyResult
}

// PolicyResult is one policy's decisions over all rows.
type PolicyResult struct {
	PolicyID string
	Version  int
	Eligible []uint64 // bit i: row i is eligible
	Count    int
	Amounts  []int64 // fen, one per eligible row in row order: floored, capped, never negative, at most chanye.MaxGrantFen
	TotalFen int64
	Overflow bool // the sum of Amounts overflows int64: TotalFen is not the total
}

// IsEligible reports whether row i is eligible.
func (r *PolicyResult) IsEligible(i int) bool { return r.Eligible[i/64]&(1<<(i%64)) != 0 }

// vbuf is a node's value over the current chunk, or over the selected rows
// of a selection.
type vbuf struct {
	epoch  int
	i      []int64
	f      []float64
	t, e   []uint64
	hasE   bool
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
	iter  *column // the iteration variable, in a sub-program
	subs  map[int32]*[2][]bool
	buf   []vbuf
	epoch int
	lo, n int
	sel   []int32 // when not nil, the rows are lo+sel[j] and n is len(sel)
	size  int     // rows a vector holds
	// The pool: vectors of size rows and bitmaps of size bits.
	freeI [][]int64
	freeF [][]float64
	freeB [][]uint64
	held  []int32 // nodes holding pooled vectors, for releaseAll
}

func newExec(nodes []node, cols *Columns, iter *column, subs map[int32]*[2][]bool, size int) *exec {
	return &exec{nodes: nodes, cols: cols, iter: iter, subs: subs, buf: make([]vbuf, len(nodes)), size: max(size, 64)}
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
// error bits.
func (x *exec) alloc(v *vbuf, k kind) {
	if v.pooled != 0 { // recomputed in the same chunk after a release
		x.free(v)
	}
	w := x.words()
	v.pooled = k
	v.i, v.f, v.hasE = nil, nil, false
	v.t, v.e = x.getB()[:w], x.getB()[:w]
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

// free hands v's pooled vectors back.
func (x *exec) free(v *vbuf) {
	if v.pooled == 0 {
		return
	}
	x.freeB = append(x.freeB, v.t[:cap(v.t)], v.e[:cap(v.e)])
	switch v.pooled {
	case kInt:
		x.freeI = append(x.freeI, v.i[:cap(v.i)])
	case kDouble:
		x.freeF = append(x.freeF, v.f[:cap(v.f)])
	}
	v.pooled, v.i, v.f, v.t, v.e, v.epoch = 0, nil, nil, nil, nil, 0
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

// errs merges the error bits of the operands into v.
func (x *exec) errs(v *vbuf, args ...int32) {
	for _, a := range args {
		av := &x.buf[a]
		if !av.hasE {
			continue
		}
		v.hasE = true
		orInto(v.e, av.e)
	}
}

func (x *exec) fixT(v *vbuf) {
	if v.hasE {
		for w := range v.t {
			v.t[w] &^= v.e[w]
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
	v.i, v.f, v.t, v.e, v.hasE = nil, nil, v.ct[:w], v.ce[:w], false
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
	case n.op == opVar && n.v >= 0 && n.k == kInt && x.cols.cols[n.v].same:
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
			return
		}
		x.constant(v, n.k, n.iv, n.fv, n.bv)
	case opVar:
		x.readVar(n, v)
	case opAdd, opSub, opMul, opDiv, opMod:
		x.arith(n, v)
	case opNeg:
		x.alloc(v, n.k)
		x.errs(v, n.a...)
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
	case opEq, opNe, opLt, opLe, opGt, opGe:
		x.compare(n, v)
	case opAnd, opOr:
		x.alloc(v, kBool)
		a, b := arg(0), arg(1)
		if !a.hasE && !b.hasE {
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
		for j := 0; j < w; j++ {
			ae, be := word(a, j), word(b, j)
			at, bt := a.t[j], b.t[j]
			af, bf := ^at&^ae, ^bt&^be
			if n.op == opAnd {
				v.t[j] = at & bt
				v.e[j] = (ae | be) &^ (af | bf)
			} else {
				v.t[j] = at | bt
				v.e[j] = (ae | be) &^ (at | bt)
			}
			if v.e[j] != 0 {
				v.hasE = true
			}
		}
	case opNot:
		x.alloc(v, kBool)
		a := arg(0)
		x.errs(v, n.a...)
		for j := 0; j < w; j++ {
			v.t[j] = ^a.t[j]
		}
		x.fixT(v)
	case opCond:
		x.alloc(v, n.k)
		c, a, b := arg(0), arg(1), arg(2)
		for j := 0; j < w; j++ {
			ce := word(c, j)
			ct, cf := c.t[j], ^c.t[j]&^ce
			v.e[j] = ce | ct&word(a, j) | cf&word(b, j)
			if n.k == kBool {
				v.t[j] = (ct&a.t[j] | cf&b.t[j]) &^ v.e[j]
			}
			if v.e[j] != 0 {
				v.hasE = true
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
		if v.tbl == nil {
			v.tbl = make([]uint8, len(a.dict))
			for j, s := range a.dict {
				v.tbl[j] = b2u8(strPred(n, s))
			}
		}
		codeBits(v.t, a.codes, v.tbl)
	case opStrSize:
		x.alloc(v, kInt)
		a := arg(0)
		if a.isStr {
			for j := range v.i {
				v.i[j] = strSize(a.str)
			}
			return
		}
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
		col := x.cols.cols[x.nodes[n.a[0]].v]
		j, ok := col.dictIdx[n.sv]
		if ok && int(j) < len(col.valBits) && x.sel == nil {
			v.t, v.e, v.hasE = col.valBits[j][x.lo/64:x.lo/64+w], nil, false
			return
		}
		x.alloc(v, kBool)
		if !ok || int(j) >= len(col.valBits) {
			fillBits(v.t, false)
			return
		}
		gatherBits(v.t, col.valBits[j], x.lo, x.sel)
	case opListSize:
		x.alloc(v, kInt)
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
	case opToInt:
		x.alloc(v, kInt)
		x.errs(v, n.a...)
		for j, f := range arg(0).f {
			i, ok := toInt(f)
			if !ok {
				v.e[j/64] |= 1 << (j % 64)
				v.hasE = true
			}
			v.i[j] = i
		}
	case opToDouble:
		x.alloc(v, kDouble)
		x.errs(v, n.a...)
		for j, i := range arg(0).i {
			v.f[j] = float64(i)
		}
	case opMin, opMax:
		x.alloc(v, n.k)
		x.errs(v, n.a...)
		a, b := arg(0), arg(1)
		if n.k == kInt {
			bi := b.i[:len(a.i)]
			if n.op == opMin {
				for j, p := range a.i {
					v.i[j] = min(p, bi[j])
				}
			} else {
				for j, p := range a.i {
					v.i[j] = max(p, bi[j])
				}
			}
			return
		}
		for j := range v.f {
			var r float64
			var ok bool
			if n.op == opMin {
				r, ok = minDouble(a.f[j], b.f[j])
			} else {
				r, ok = maxDouble(a.f[j], b.f[j])
			}
			v.f[j] = r
			if !ok {
				v.e[j/64] |= 1 << (j % 64)
				v.hasE = true
			}
		}
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
	x.errs(v, n.a...)
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
	x.errs(v, n.a...)
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
			x := newExec(n.sub.nodes, nil, iter, nil, d)
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
// reads a policy.Subject.
type rowActivation struct {
	cols   *Columns
	row    int
	params map[string]any
}

func (a *rowActivation) ResolveName(name string) (any, bool) {
	if len(name) > 2 && name[:2] == "p." {
		v, ok := a.params[name[2:]]
		return v, ok
	}
	i, ok := schemaIndex[name]
	if !ok {
		return nil, false
	}
	return a.cols.value(i, a.row)
}

func (a *rowActivation) Parent() interpreter.Activation { return nil }

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
	type job struct {
		p    *Program
		subs map[int32]*[2][]bool
		rel  [][]int32 // per policy: nodes it is the last to read
		filt []bool
	}
	var jobs []job
	for _, p := range progs {
		jobs = append(jobs, job{p, subTables(p, cols), p.releases(), filterable(p.nodes, cols)})
		for _, pp := range p.pols {
			res.Policies = append(res.Policies, PolicyResult{PolicyID: pp.c.Policy.ID, Version: pp.c.Policy.Version,
				Eligible: make([]uint64, (cols.n+63)/64)})
		}
	}
	chunks := (cols.n + chunkRows - 1) / chunkRows
	np := len(res.Policies)
	amounts := make([][]int64, chunks*np)
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(chunks, 1))
	for range workers {
		wg.Go(func() {
			d := &decider{tu: tu, elig: make([]uint64, chunkRows/64), sel: make([]int32, chunkRows)}
			xs, ss := make([]*exec, len(jobs)), make([]*exec, len(jobs))
			for i, j := range jobs {
				xs[i] = newExec(j.p.nodes, cols, nil, j.subs, chunkRows)
				ss[i] = newExec(j.p.nodes, cols, nil, j.subs, chunkRows)
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
						amounts[c*np+k] = d.decide(&j.p.pols[pi], res.Policies[k].Eligible[lo/64:])
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
		total := 0
		for c := 0; c < chunks; c++ {
			total += len(amounts[c*np+k])
		}
		r.Amounts = make([]int64, 0, total)
		for c := 0; c < chunks; c++ {
			r.Amounts = append(r.Amounts, amounts[c*np+k]...)
		}
		r.Count = len(r.Amounts)
		var sum chanye.FenSum
		for _, a := range r.Amounts {
			sum.Add(chanye.Fen(a))
		}
		r.TotalFen, r.Overflow = int64(sum.Value()), sum.Overflowed()
	}
	return res
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
	sel   []int32
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

// decide decides one policy over the chunk, writes its eligible bits to
// out and returns the amounts of the eligible rows. While most rows are
// eligible, conditions are bitmaps over the chunk, shared with the other
// policies; once few are, the rows left are a selection that each further
// condition narrows.
func (d *decider) decide(pp *polPlan, out []uint64) []int64 {
	if !pp.live {
		return nil
	}
	x, sx := d.x, d.sx
	w := x.words()
	elig := d.elig[:w]
	fillBits(elig, true)
	if r := x.n % 64; r != 0 {
		elig[w-1] = 1<<r - 1
	}
	count := x.n
	var sel []int32 // not nil: the eligible rows, and elig is stale
	for _, id := range pp.conds {
		if count == 0 {
			break
		}
		done := x.buf[id].epoch == x.epoch
		if sel == nil && (done || !sparse(count, x.n, d.tu.condSparse)) {
			v := x.ensure(id)
			count = 0
			for j := range elig {
				elig[j] &= v.t[j]
				count += bits.OnesCount64(elig[j])
			}
			continue
		}
		if sel == nil {
			sel = d.selection(elig)
		}
		switch {
		case done:
			sel = keepBits(sel, x.buf[id].t)
		case d.filt[id]:
			sel = d.filter(id, sel)
		default:
			v := sx.selected(x.lo, sel, id)
			k := 0
			for j, r := range sel {
				sel[k] = r
				k += int(v.t[j/64] >> (j % 64) & 1)
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
	act := &rowActivation{cols: x.cols, params: pp.params}
	if count > 0 && len(pp.fbConds) > 0 {
		sel = nil
		eachRow(elig, func(j int) bool {
			act.row = x.lo + j
			for _, fc := range pp.fbConds {
				out, _, err := fc.Program.Eval(act)
				if err != nil || out != types.True {
					count--
					return false
				}
			}
			return true
		})
	}
	var amts []int64
	a := pp.c.Policy.Amount
	switch {
	case count == 0:
	case pp.amount >= 0 && sparse(count, x.n, d.tu.amountSparse):
		if sel == nil {
			sel = d.selection(elig)
		}
		v := sx.selected(x.lo, sel, pp.amount)
		amts = make([]int64, 0, len(sel))
		for j, r := range sel {
			amt, ok := finalAmount(v.i[j], a)
			if !ok || v.hasE && v.e[j/64]&(1<<(j%64)) != 0 {
				elig[r/64] &^= 1 << (r % 64)
				continue
			}
			amts = append(amts, amt)
		}
		sx.releaseAll()
	default:
		var av *vbuf
		if pp.amount >= 0 {
			av = x.ensure(pp.amount)
		}
		amts = make([]int64, 0, count)
		eachRow(elig, func(j int) bool {
			var raw int64
			if av != nil {
				if av.hasE && av.e[j/64]&(1<<(j%64)) != 0 {
					return false
				}
				raw = av.i[j]
			} else {
				act.row = x.lo + j
				out, _, err := pp.fbAmount.Program.Eval(act)
				i, ok := out.(types.Int)
				if err != nil || !ok {
					return false
				}
				raw = int64(i)
			}
			amt, ok := finalAmount(raw, a)
			if !ok {
				return false
			}
			amts = append(amts, amt)
			return true
		})
	}
	copy(out[:w], elig)
	return amts
}

// finalAmount floors and caps the formula's value as policy.Evaluate does;
// false is an amount above chanye.MaxGrantFen, an evaluation error.
func finalAmount(raw int64, a policy.Amount) (int64, bool) {
	amt, _, ok := a.Final(chanye.Fen(raw))
	return int64(amt), ok
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
