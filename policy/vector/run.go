package vector

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/interpreter"
)

// chunkRows is how many rows a worker evaluates at once: the intermediate
// vectors of one chunk stay in cache.
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
	Amounts  []int64 // fen, one per eligible row in row order: floored, capped, never negative
	TotalFen int64
}

// IsEligible reports whether row i is eligible.
func (r *PolicyResult) IsEligible(i int) bool { return r.Eligible[i/64]&(1<<(i%64)) != 0 }

// vbuf is a node's value over the current chunk.
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
	own    bool // the buffers below are the node's own
	oi     []int64
	of     []float64
	ot, oe []uint64
	filled bool   // constants are filled once per worker
	tbl    []bool // string predicate per dictionary entry
	tbli   []int64
	sub    *[2][]bool // list predicate true / error per dictionary entry
}

// exec evaluates the nodes of one DAG over chunks of a domain of rows.
type exec struct {
	nodes []node
	cols  *Columns
	iter  *column // the iteration variable, in a sub-program
	subs  map[int32]*[2][]bool
	buf   []vbuf
	epoch int
	lo, n int
}

func newExec(nodes []node, cols *Columns, iter *column, subs map[int32]*[2][]bool) *exec {
	return &exec{nodes: nodes, cols: cols, iter: iter, subs: subs, buf: make([]vbuf, len(nodes))}
}

func (x *exec) chunk(lo, n int) { x.epoch++; x.lo, x.n = lo, n }

func (x *exec) words() int { return (x.n + 63) / 64 }

// alloc gives v own buffers of the chunk's size for kind k.
func (x *exec) alloc(v *vbuf, k kind) {
	w := x.words()
	if !v.own {
		v.own = true
		c := max(chunkRows, x.n)
		switch k {
		case kInt:
			v.oi = make([]int64, c)
		case kDouble:
			v.of = make([]float64, c)
		}
		v.ot, v.oe = make([]uint64, (c+63)/64), make([]uint64, (c+63)/64)
	}
	v.i, v.f, v.t, v.e, v.hasE = nil, nil, v.ot[:w], v.oe[:w], false
	if k == kInt {
		v.i = v.oi[:x.n]
	}
	if k == kDouble {
		v.f = v.of[:x.n]
	}
	clear(v.e)
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
	v.epoch = x.epoch
	return v
}

// errs merges the error bits of the operands into v and clears their true
// bits; it reports whether there were any.
func (x *exec) errs(v *vbuf, args ...int32) {
	for _, a := range args {
		av := &x.buf[a]
		if !av.hasE {
			continue
		}
		v.hasE = true
		for w := range v.e {
			v.e[w] |= av.e[w]
		}
	}
}

func (x *exec) fixT(v *vbuf) {
	if v.hasE {
		for w := range v.t {
			v.t[w] &^= v.e[w]
		}
	}
}

func (x *exec) eval(id int32, n *node, v *vbuf) {
	w := x.words()
	arg := func(i int) *vbuf { return &x.buf[n.a[i]] }
	switch n.op {
	case opConst:
		if !v.filled {
			v.own, v.filled = false, true
			x.alloc(v, n.k)
			c := max(chunkRows, x.n)
			switch n.k {
			case kInt:
				v.oi = v.oi[:c]
				for j := range v.oi {
					v.oi[j] = n.iv
				}
			case kDouble:
				v.of = v.of[:c]
				for j := range v.of {
					v.of[j] = n.fv
				}
			case kBool:
				fill := uint64(0)
				if n.bv {
					fill = ^uint64(0)
				}
				for j := range v.ot {
					v.ot[j] = fill
				}
			case kString:
				v.isStr, v.str = true, n.sv
			}
		}
		v.i, v.f, v.t, v.hasE = nil, nil, v.ot[:w], false
		if n.k == kInt {
			v.i = v.oi[:x.n]
		}
		if n.k == kDouble {
			v.f = v.of[:x.n]
		}
		v.e = v.oe[:w]
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
			if i == -1<<63 {
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
			v.tbl = make([]bool, len(a.dict))
			for j, s := range a.dict {
				v.tbl[j] = strPred(n, s)
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
		if j, ok := col.dictIdx[n.sv]; ok && int(j) < len(col.valBits) {
			v.t, v.e, v.hasE = col.valBits[j][x.lo/64:x.lo/64+w], nil, false
			return
		}
		x.alloc(v, kBool)
		fillBits(v.t, false)
	case opListSize:
		x.alloc(v, kInt)
		off := x.cols.cols[x.nodes[n.a[0]].v].off[x.lo : x.lo+x.n+1]
		for j := range v.i {
			v.i[j] = int64(off[j+1] - off[j])
		}
	case opListAny, opListAll:
		x.alloc(v, kBool)
		col := x.cols.cols[x.nodes[n.a[0]].v]
		sub := x.subs[id]
		lo := x.lo / 64
		// any: rows with an element whose predicate is true; all: rows
		// with one whose predicate is false. Both: rows with an error.
		var hit, er []uint64 = v.t, v.e
		clear(hit)
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
			if er[j] != 0 {
				v.hasE = true
			}
			if n.op == opListAll {
				hit[j] = ^hit[j] &^ er[j]
			}
		}
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
			for j := range v.i {
				if n.op == opMin {
					v.i[j] = min(a.i[j], b.i[j])
				} else {
					v.i[j] = max(a.i[j], b.i[j])
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

func codeBits(t []uint64, codes []uint32, tbl []bool) {
	n := len(codes)
	for w := 0; w*64 < n; w++ {
		cs := codes[w*64 : min(w*64+64, n)]
		var m uint64
		for j, c := range cs {
			if tbl[c] {
				m |= 1 << j
			}
		}
		t[w] = m
	}
}

func (x *exec) readVar(n *node, v *vbuf) {
	col := x.iter
	if n.v >= 0 {
		col = x.cols.cols[n.v]
	}
	lo, hi, w := x.lo, x.lo+x.n, x.words()
	v.hasE = false
	switch col.k {
	case kInt:
		if col.same {
			if !v.filled {
				v.filled = true
				v.oi = make([]int64, max(chunkRows, x.n))
				for j := range v.oi {
					v.oi[j] = col.sameVal
				}
			}
			v.i = v.oi[:x.n]
			return
		}
		v.i = col.ints[lo:hi]
	case kDouble:
		v.f = col.dbls[lo:hi]
	case kBool:
		v.t = col.bits[lo/64 : lo/64+w]
	case kString:
		v.codes, v.dict = col.codes[lo:hi], col.dict
	}
}

func (x *exec) arith(n *node, v *vbuf) {
	x.alloc(v, n.k)
	x.errs(v, n.a...)
	a, b := &x.buf[n.a[0]], &x.buf[n.a[1]]
	if n.k == kDouble {
		bf := b.f[:len(a.f)]
		for j, p := range a.f {
			switch n.op {
			case opAdd:
				v.f[j] = p + bf[j]
			case opSub:
				v.f[j] = p - bf[j]
			case opMul:
				v.f[j] = p * bf[j]
			case opDiv:
				v.f[j] = p / bf[j]
			}
		}
		return
	}
	f := map[op]func(x, y int64) (int64, bool){opAdd: addInt, opSub: subInt, opMul: mulInt, opDiv: divInt, opMod: modInt}[n.op]
	bi := b.i[:len(a.i)]
	for j, p := range a.i {
		r, ok := f(p, bi[j])
		v.i[j] = r
		if !ok {
			v.e[j/64] |= 1 << (j % 64)
			v.hasE = true
		}
	}
}

func (x *exec) compare(n *node, v *vbuf) {
	x.alloc(v, kBool)
	x.errs(v, n.a...)
	a, b := &x.buf[n.a[0]], &x.buf[n.a[1]]
	bn := &x.nodes[n.a[1]]
	an := &x.nodes[n.a[0]]
	switch x.nodes[n.a[0]].k {
	case kInt:
		switch {
		case bn.op == opConst:
			cmpVS(v.t, a.i, bn.iv, n.op)
		case an.op == opConst:
			cmpVS(v.t, b.i, an.iv, mirrorOp(n.op))
		default:
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
				v.tbl = make([]bool, len(b.dict))
				for j, s := range b.dict {
					v.tbl[j] = cmpString(n.op, a.str, s)
				}
			}
			codeBits(v.t, b.codes, v.tbl)
		case b.isStr:
			if v.tbl == nil {
				v.tbl = make([]bool, len(a.dict))
				for j, s := range a.dict {
					v.tbl[j] = cmpString(n.op, s, b.str)
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
			x := newExec(n.sub.nodes, nil, iter, nil)
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

// Run decides every policy of the programs for every row of cols. The
// columns must hold every variable in the programs' Reads.
func Run(cols *Columns, progs ...*Program) Result {
	cols.seal()
	res := Result{Rows: cols.n}
	type job struct {
		p    *Program
		subs map[int32]*[2][]bool
	}
	var jobs []job
	for _, p := range progs {
		jobs = append(jobs, job{p, subTables(p, cols)})
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
			xs := make([]*exec, len(jobs))
			for i, j := range jobs {
				xs[i] = newExec(j.p.nodes, cols, nil, j.subs)
			}
			elig := make([]uint64, chunkRows/64)
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
					for _, pp := range j.p.pols {
						amounts[c*np+k] = decideChunk(xs[i], &pp, elig[:(n+63)/64], res.Policies[k].Eligible[lo/64:], j.p.AsOf)
						k++
					}
				}
			}
		})
	}
	wg.Wait()
	for k := range res.Policies {
		r := &res.Policies[k]
		for c := 0; c < chunks; c++ {
			r.Amounts = append(r.Amounts, amounts[c*np+k]...)
		}
		r.Count = len(r.Amounts)
		for _, a := range r.Amounts {
			r.TotalFen += a
		}
	}
	return res
}

// decideChunk decides one policy over the chunk, writes its eligible bits
// to out and returns the amounts of the eligible rows.
func decideChunk(x *exec, pp *polPlan, elig, out []uint64, asOf chanye.Date) []int64 {
	if !pp.live {
		return nil
	}
	w := len(elig)
	fillBits(elig, true)
	if r := x.n % 64; r != 0 {
		elig[w-1] = 1<<r - 1
	}
	any := true
	for _, id := range pp.conds {
		v := x.ensure(id)
		var or uint64
		for j := range elig {
			elig[j] &= v.t[j]
			or |= elig[j]
		}
		if or == 0 {
			any = false
			break
		}
	}
	act := &rowActivation{cols: x.cols, params: pp.params}
	if any && len(pp.fbConds) > 0 {
		eachRow(elig, func(j int) bool {
			act.row = x.lo + j
			for _, fc := range pp.fbConds {
				out, _, err := fc.Program.Eval(act)
				if err != nil || out != types.True {
					return false
				}
			}
			return true
		})
	}
	var amts []int64
	if any {
		var av *vbuf
		if pp.amount >= 0 {
			av = x.ensure(pp.amount)
		}
		a := pp.c.Policy.Amount
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
			amts = append(amts, finalAmount(raw, a))
			return true
		})
	}
	copy(out[:w], elig)
	return amts
}

// finalAmount floors and caps the formula's value as policy.Evaluate does.
func finalAmount(raw int64, a policy.Amount) int64 {
	amt := raw
	switch a.Floor {
	case policy.FloorYuan:
		amt -= amt % 100
	case policy.FloorWan:
		amt -= amt % 1_000_000
	}
	if a.CapFen > 0 && amt > int64(a.CapFen) {
		amt = int64(a.CapFen)
	}
	return max(amt, 0)
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
