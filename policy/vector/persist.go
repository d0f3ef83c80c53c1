package vector

import (
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"hash"
	"io"
	"math"

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

// columnsFile is how columns are written by Encode: the exported mirror
// of Columns and column. Declared inputs are not written (they are few and
// read afresh): Decode returns columns whose input rows hold none.
type columnsFile struct {
	N         int
	Cols      []columnFile
	InputRows []int
}

type columnFile struct {
	Name    string
	K       kind
	Same    bool
	SameVal int64
	Width   uint8
	I16     []int16
	I32     []int32
	Ints    []int64
	Dbls    []float64
	Bits    []uint64
	Codes   []uint32
	Dict    []string
	Off     []uint32
	ValBits [][]uint64
	Miss    []uint64
}

// Encode writes the columns with gob, without their declared inputs'
// values (see Decode).
func (c *Columns) Encode(enc *gob.Encoder) error {
	f := columnsFile{N: c.n, InputRows: c.inputRows}
	for i, col := range c.cols {
		if col == nil {
			continue
		}
		f.Cols = append(f.Cols, columnFile{Name: schema[i].Name, K: col.k, Same: col.same, SameVal: col.sameVal, Width: col.width,
			I16: col.i16, I32: col.i32, Ints: col.ints, Dbls: col.dbls, Bits: col.bits, Codes: col.codes, Dict: col.dict,
			Off: col.off, ValBits: col.valBits, Miss: col.miss})
	}
	return enc.Encode(&f)
}

// Decode reads columns written by Encode. The rows that held declared
// inputs' values (InputRows) hold none until the caller rebuilds them.
func Decode(dec *gob.Decoder) (*Columns, error) {
	var f columnsFile
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	c := &Columns{n: f.N, cols: make([]*column, len(schema)), inputRows: f.InputRows, inputVals: make([]*policy.Inputs, len(f.InputRows))}
	for _, cf := range f.Cols {
		i, ok := schemaIndex[cf.Name]
		if !ok || kindOf(schema[i].Type) != cf.K {
			return nil, fmt.Errorf("vector: decode: variable %q is not in the schema as %d: %w", cf.Name, cf.K, io.ErrUnexpectedEOF)
		}
		col := &column{k: cf.K, same: cf.Same, sameVal: cf.SameVal, width: cf.Width, hint: f.N,
			i16: cf.I16, i32: cf.I32, ints: cf.Ints, dbls: cf.Dbls, bits: cf.Bits, codes: cf.Codes, dict: cf.Dict,
			off: cf.Off, valBits: cf.ValBits, miss: cf.Miss}
		if col.k == kString || col.k == kList {
			col.dictIdx = make(map[string]uint32, len(col.dict))
			for j, s := range col.dict {
				col.dictIdx[s] = uint32(j)
			}
		}
		if err := col.check(f.N); err != nil {
			return nil, fmt.Errorf("vector: decode: %s: %w", cf.Name, err)
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
		bad = !col.same && col.intLen() != n || col.same && col.intLen() != 0
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
		bad = len(col.off) != n+1 || col.off[n] != uint32(len(col.codes))
		for _, j := range col.codes {
			bad = bad || int(j) >= len(col.dict) || int(j) >= len(col.valBits)
		}
	}
	if col.miss != nil && len(col.miss) < words {
		bad = true
	}
	if bad {
		return fmt.Errorf("rows do not add up to %d", n)
	}
	return nil
}
