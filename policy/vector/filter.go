package vector

// Conditions over the selected rows of a chunk, tested row by row in one
// pass: a column against a constant, a bool column, a list membership, a
// string predicate, and conjunctions of these. They are the thresholds most
// policies end with, and here they need no gathered vector and no bitmap.

// filterable marks the nodes filter can test, given the columns of a run.
func filterable(nodes []node, cols *Columns) []bool {
	out := make([]bool, len(nodes))
	isVar := func(id int32) bool { return nodes[id].op == opVar && nodes[id].v >= 0 }
	scalar := func(id int32) bool {
		n := &nodes[id]
		return n.op == opConst || n.op == opVar && n.v >= 0 && cols.cols[n.v].scalar()
	}
	for id := range nodes {
		n := &nodes[id]
		switch n.op {
		case opVar:
			out[id] = n.k == kBool && n.v >= 0
		case opListHas:
			out[id] = true
		case opAnd:
			out[id] = out[n.a[0]] && out[n.a[1]] // operands come first
		case opStrIn, opStrPre, opStrSuf, opStrHas:
			out[id] = isVar(n.a[0])
		case opEq, opNe, opLt, opLe, opGt, opGe:
			a, b := n.a[0], n.a[1]
			switch nodes[a].k {
			case kInt, kDouble:
				out[id] = isVar(a) && !scalar(a) && scalar(b) || isVar(b) && !scalar(b) && scalar(a)
			case kString:
				out[id] = isVar(a) && nodes[b].op == opConst
			}
		}
	}
	return out
}

// filter keeps the rows of sel (offsets in the chunk) where node id is
// true or unknown, in order, and returns them in sel's array; it marks
// the unknown ones (a filterable node never fails). A conjunction keeps a
// row unknown in one operand and true or unknown in the other, as
// Kleene's && does.
func (d *decider) filter(id int32, sel []int32) []int32 {
	x := d.x
	n := &x.nodes[id]
	lo := x.lo
	v := n.v
	switch {
	case n.op == opAnd:
	case n.op >= opEq && n.op <= opGe: // the column side of column op constant
		a := n.a[0]
		if _, ok := x.scalarInt(a); ok || x.nodes[a].op == opConst {
			a = n.a[1]
		}
		v = x.nodes[a].v
	case n.op != opVar:
		v = x.nodes[n.a[0]].v
	}
	if n.op != opAnd && x.cols.cols[v].miss == nil {
		return d.filterKnown(id, sel)
	}
	if n.op == opAnd {
		return d.filter(n.a[1], d.filter(n.a[0], sel))
	}
	// A column with missing rows: those are kept, and marked unknown.
	miss, mask := x.cols.cols[v].miss, x.slots[v]
	known := d.scratch[:0] // the rows not missing, in order
	for _, r := range sel {
		if q := lo + int(r); miss[q/64]&(1<<(q%64)) == 0 {
			known = append(known, r)
		}
	}
	kept := d.filterKnown(id, known)
	k, i := 0, 0
	for _, r := range sel {
		q := lo + int(r)
		switch {
		case miss[q/64]&(1<<(q%64)) != 0:
			d.mark(r, true, mask, false)
		case i < len(kept) && kept[i] == r:
			i++
		default:
			continue
		}
		sel[k] = r
		k++
	}
	return sel[:k]
}

// filterKnown is filter on rows whose values are known.
func (d *decider) filterKnown(id int32, sel []int32) []int32 {
	x := d.x
	n := &x.nodes[id]
	lo := x.lo
	switch n.op {
	case opVar:
		return keepBitsAt(sel, x.cols.cols[n.v].bits, lo)
	case opListHas:
		col := x.cols.cols[x.nodes[n.a[0]].v]
		j, ok := col.dictIdx[n.sv]
		if !ok || int(j) >= len(col.valBits) {
			return sel[:0]
		}
		return keepBitsAt(sel, col.valBits[j], lo)
	case opStrIn, opStrPre, opStrSuf, opStrHas:
		col := x.cols.cols[x.nodes[n.a[0]].v]
		v := &d.sx.buf[id]
		if v.tbl == nil {
			v.tbl = make([]uint8, len(col.dict))
			for j, s := range col.dict {
				v.tbl[j] = b2u8(strPred(n, s))
			}
		}
		return keepCodes(sel, col.codes[lo:], v.tbl)
	}
	// A comparison, column against constant.
	a, b, o := n.a[0], n.a[1], n.op
	if _, ok := x.scalarInt(a); ok || x.nodes[a].op == opConst {
		a, b, o = b, a, mirrorOp(o)
	}
	col := x.cols.cols[x.nodes[a].v]
	switch col.k {
	case kInt:
		c, _ := x.scalarInt(b)
		switch col.width {
		case 2:
			return keepCmp(sel, col.i16[lo:], c, o)
		case 4:
			return keepCmp(sel, col.i32[lo:], c, o)
		}
		return keepCmp(sel, col.ints[lo:], c, o)
	case kDouble:
		return keepCmp(sel, col.dbls[lo:], x.nodes[b].fv, o)
	}
	v := &d.sx.buf[id]
	if v.tbl == nil {
		v.tbl = make([]uint8, len(col.dict))
		for j, s := range col.dict {
			v.tbl[j] = b2u8(cmpString(o, s, x.nodes[b].sv))
		}
	}
	return keepCodes(sel, col.codes[lo:], v.tbl)
}

// keepBits keeps the rows of sel whose bit is set in t (a chunk bitmap).
func keepBits(sel []int32, t []uint64) []int32 {
	k := 0
	for _, r := range sel {
		sel[k] = r
		k += int(t[r/64] >> (r % 64) & 1)
	}
	return sel[:k]
}

// keepBitsAt keeps the rows of sel whose bit lo+r is set in a column.
func keepBitsAt(sel []int32, t []uint64, lo int) []int32 {
	k := 0
	for _, r := range sel {
		q := lo + int(r)
		sel[k] = r
		k += int(t[q/64] >> (q % 64) & 1)
	}
	return sel[:k]
}

func keepCodes(sel []int32, codes []uint32, tbl []uint8) []int32 {
	k := 0
	for _, r := range sel {
		sel[k] = r
		k += int(tbl[codes[r]])
	}
	return sel[:k]
}

// keepCmp keeps the rows of sel where col[r] o c, the column's narrow ints
// widened; NaN compares as Go (and cel-go) compare it.
func keepCmp[T int16 | int32 | int64 | float64, C int64 | float64](sel []int32, col []T, c C, o op) []int32 {
	k := 0
	switch o {
	case opEq:
		for _, r := range sel {
			sel[k] = r
			k += int(b2u(C(col[r]) == c))
		}
	case opNe:
		for _, r := range sel {
			sel[k] = r
			k += int(b2u(C(col[r]) != c))
		}
	case opLt:
		for _, r := range sel {
			sel[k] = r
			k += int(b2u(C(col[r]) < c))
		}
	case opLe:
		for _, r := range sel {
			sel[k] = r
			k += int(b2u(C(col[r]) <= c))
		}
	case opGt:
		for _, r := range sel {
			sel[k] = r
			k += int(b2u(C(col[r]) > c))
		}
	case opGe:
		for _, r := range sel {
			sel[k] = r
			k += int(b2u(C(col[r]) >= c))
		}
	}
	return sel[:k]
}
