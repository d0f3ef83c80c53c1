package vector

import (
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"hash"
	"io"
	"math"
	"reflect"

	"github.com/chanye-org/chanye/policy"
)

// HashVar writes the content of the column of variable name to h in a
// canonical form: its rows (ints in their storage width, strings as the
// dictionary in order of first appearance and the codes, bitmaps to the
// last word of the last row) and which are missing. Columns built by
// Append and by AppendRow from the same rows in the same order hash
// alike, whether sealed or not. false when the variable is not held.
func (c *Columns) HashVar(h hash.Hash, name string) bool {
	i, ok := schemaIndex[name]
	if !ok || c.cols[i] == nil {
		return false
	}
	col := c.cols[i]
	var buf []byte
	grow := func() {
		if len(buf) > 1<<16 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	words := (c.n + 63) / 64
	u64s := func(ws []uint64) {
		for i := range words {
			var w uint64
			if i < len(ws) {
				w = ws[i]
			}
			buf = binary.LittleEndian.AppendUint64(buf, w)
			grow()
		}
	}
	u32s := func(xs []uint32) {
		buf = binary.AppendUvarint(buf, uint64(len(xs)))
		for _, x := range xs {
			buf = binary.LittleEndian.AppendUint32(buf, x)
			grow()
		}
	}
	buf = binary.AppendUvarint(buf, uint64(c.n))
	buf = appendStr(buf, name)
	if col.miss == nil {
		buf = append(buf, 0)
	} else {
		buf = append(buf, 1)
		u64s(col.miss)
	}
	switch col.k {
	case kInt:
		if col.same {
			buf = append(buf, 's')
			buf = binary.LittleEndian.AppendUint64(buf, uint64(col.sameVal))
			break
		}
		buf = append(buf, col.width)
		for r := range c.n {
			switch col.width {
			case 2:
				buf = binary.LittleEndian.AppendUint16(buf, uint16(col.i16[r]))
			case 4:
				buf = binary.LittleEndian.AppendUint32(buf, uint32(col.i32[r]))
			default:
				buf = binary.LittleEndian.AppendUint64(buf, uint64(col.ints[r]))
			}
			grow()
		}
	case kDouble:
		for _, x := range col.dbls[:c.n] {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			grow()
		}
	case kBool:
		u64s(col.bits)
	case kString, kList:
		buf = binary.AppendUvarint(buf, uint64(len(col.dict)))
		for _, s := range col.dict {
			buf = appendStr(buf, s)
			grow()
		}
		u32s(col.codes)
		if col.k == kList {
			u32s(col.off)
		}
	}
	h.Write(buf)
	return true
}

// HashInputs writes the rows holding declared inputs' values and the
// values to h.
func (c *Columns) HashInputs(h hash.Hash) {
	var buf []byte
	for k, r := range c.inputRows {
		buf = binary.AppendUvarint(buf[:0], uint64(r))
		for _, kv := range c.inputVals[k].Pairs() {
			buf = appendStr(buf, kv)
		}
		h.Write(buf)
	}
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// InputRows are the rows holding declared inputs' values, ascending.
func (c *Columns) InputRows() []int { return c.inputRows }

// MaxRows bounds the rows of columns read back by Decode: far above the
// nation's 180 million enterprises, far below what a damaged length would
// make it allocate.
const MaxRows = 1 << 30

// columnsMeta is what Encode writes with gob before the columns' slices,
// which follow as little-endian bytes in the order of slicesOf (gob would
// write them element by element, and hold the whole stream in memory).
// Declared inputs are not written (they are few and read afresh): Decode
// returns columns whose input rows hold none.
type columnsMeta struct {
	N         int
	Cols      []columnMeta
	InputRows []int
}

type columnMeta struct {
	Name    string
	K       kind
	Same    bool
	SameVal int64
	Width   uint8
	Dict    []string
	Lens    []int // of the slices, in the order of slicesOf
}

// slicesOf lists a column's slices in the order they are written, as
// pointers, for Encode and Decode alike.
func slicesOf(col *column) []any {
	out := []any{&col.i16, &col.i32, &col.ints, &col.dbls, &col.bits, &col.codes, &col.off, &col.miss}
	for j := range col.valBits {
		out = append(out, &col.valBits[j])
	}
	return out
}

// sliceLen is the length of a slice slicesOf points to.
func sliceLen(p any) int { return reflect.ValueOf(p).Elem().Len() }

// deref returns the slice p points to: encoding/binary reads and writes a
// slice of fixed-size values in one pass, a pointer to one by reflection,
// value by value (a second of the three a stored base took to read).
func deref(p any) any {
	switch p := p.(type) {
	case *[]int16:
		return *p
	case *[]int32:
		return *p
	case *[]int64:
		return *p
	case *[]float64:
		return *p
	case *[]uint32:
		return *p
	case *[]uint64:
		return *p
	}
	panic(fmt.Sprintf("vector: no slice %T", p))
}

// makeSlice makes the slice p points to n long.
func makeSlice(p any, n int) {
	switch p := p.(type) {
	case *[]int16:
		*p = make([]int16, n)
	case *[]int32:
		*p = make([]int32, n)
	case *[]int64:
		*p = make([]int64, n)
	case *[]float64:
		*p = make([]float64, n)
	case *[]uint32:
		*p = make([]uint32, n)
	case *[]uint64:
		*p = make([]uint64, n)
	}
}

// Encode writes the columns to w, without their declared inputs' values
// (see Decode).
func (c *Columns) Encode(w io.Writer) error {
	m := columnsMeta{N: c.n, InputRows: c.inputRows}
	for i, col := range c.cols {
		if col == nil {
			continue
		}
		cm := columnMeta{Name: schema[i].Name, K: col.k, Same: col.same, SameVal: col.sameVal, Width: col.width, Dict: col.dict}
		for _, p := range slicesOf(col) {
			cm.Lens = append(cm.Lens, sliceLen(p))
		}
		m.Cols = append(m.Cols, cm)
	}
	if err := gob.NewEncoder(w).Encode(&m); err != nil {
		return err
	}
	for _, col := range c.cols {
		if col == nil {
			continue
		}
		for _, p := range slicesOf(col) {
			if sliceLen(p) == 0 {
				continue
			}
			if err := binary.Write(w, binary.LittleEndian, deref(p)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Decode reads columns written by Encode from r, reading no further. The
// rows that held declared inputs' values (InputRows) hold none until the
// caller rebuilds them.
func Decode(r io.ByteReader) (*Columns, error) {
	rd, ok := r.(io.Reader)
	if !ok {
		return nil, fmt.Errorf("vector: decode: %T is not an io.Reader", r)
	}
	var m columnsMeta
	if err := gob.NewDecoder(rd).Decode(&m); err != nil {
		return nil, err
	}
	if m.N < 0 || m.N > MaxRows {
		return nil, fmt.Errorf("vector: decode: %d rows", m.N)
	}
	c := &Columns{n: m.N, cols: make([]*column, len(schema)), inputRows: m.InputRows, inputVals: make([]*policy.Inputs, len(m.InputRows))}
	for _, cm := range m.Cols {
		i, ok := schemaIndex[cm.Name]
		if !ok || kindOf(schema[i].Type) != cm.K || c.cols[i] != nil || len(cm.Lens) < 8 {
			return nil, fmt.Errorf("vector: decode: variable %q is not in the schema as %d", cm.Name, cm.K)
		}
		col := &column{k: cm.K, same: cm.Same, sameVal: cm.SameVal, width: cm.Width, hint: m.N, dict: cm.Dict}
		col.valBits = make([][]uint64, len(cm.Lens)-8)
		for k, p := range slicesOf(col) {
			n := cm.Lens[k]
			if n < 0 || n > 32*(m.N+64) { // a list holds a few items a row
				return nil, fmt.Errorf("vector: decode: %s: a slice of %d", cm.Name, n)
			}
			if n > 0 {
				makeSlice(p, n)
				if err := binary.Read(rd, binary.LittleEndian, deref(p)); err != nil {
					return nil, fmt.Errorf("vector: decode: %s: %w", cm.Name, err)
				}
			}
		}
		if err := col.check(m.N); err != nil {
			return nil, fmt.Errorf("vector: decode: %s: %w", cm.Name, err)
		}
		if col.k == kString || col.k == kList {
			col.dictIdx = make(map[string]uint32, len(col.dict))
			for j, s := range col.dict {
				col.dictIdx[s] = uint32(j)
			}
		}
		c.cols[i] = col
	}
	return c, nil
}

// check verifies that a decoded column holds n rows, so that a damaged
// file fails here and not in a kernel.
func (col *column) check(n int) error {
	words := (n + 63) / 64
	bad := false
	switch col.k {
	case kInt:
		switch {
		case col.same:
			bad = col.intLen() != 0
		case col.width == 2:
			bad = len(col.i16) != n || col.intLen() != n
		case col.width == 4:
			bad = len(col.i32) != n || col.intLen() != n
		default:
			bad = col.width != 8 || len(col.ints) != n || col.intLen() != n
		}
	case kDouble:
		bad = len(col.dbls) != n
	case kBool:
		bad = len(col.bits) < words
	case kString:
		bad = len(col.codes) != n
		for _, j := range col.codes {
			bad = bad || int(j) >= len(col.dict)
		}
	case kList:
		bad = len(col.off) != n+1 || col.off[0] != 0 || col.off[n] != uint32(len(col.codes))
		for r := 1; !bad && r <= n; r++ {
			bad = col.off[r] < col.off[r-1]
		}
		for _, j := range col.codes {
			bad = bad || int(j) >= len(col.dict) || int(j) >= len(col.valBits)
		}
	}
	if len(col.miss) > words {
		bad = true
	}
	if bad {
		return fmt.Errorf("rows do not add up to %d", n)
	}
	return nil
}
