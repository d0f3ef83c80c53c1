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
	// The slices as little-endian bytes: gob would write them element by
	// element.
	I16, I32, Ints, Dbls, Bits, Codes, Off, Miss []byte
	Dict                                         []string
	ValBits                                      [][]byte
}

// raw is xs as little-endian bytes.
func raw[T int16 | int32 | int64 | uint32 | uint64 | float64](xs []T) []byte {
	if len(xs) == 0 {
		return nil
	}
	b, err := binary.Append(nil, binary.LittleEndian, xs)
	if err != nil {
		panic(err) // fixed-size elements always encode
	}
	return b
}

// unraw reads what raw wrote.
func unraw[T int16 | int32 | int64 | uint32 | uint64 | float64](b []byte) ([]T, error) {
	if len(b) == 0 {
		return nil, nil
	}
	size := binary.Size(T(0))
	if len(b)%size != 0 {
		return nil, fmt.Errorf("%d bytes are not whole values of %d", len(b), size)
	}
	xs := make([]T, len(b)/size)
	_, err := binary.Decode(b, binary.LittleEndian, xs)
	return xs, err
}

// Encode writes the columns with gob, without their declared inputs'
// values (see Decode).
func (c *Columns) Encode(enc *gob.Encoder) error {
	f := columnsFile{N: c.n, InputRows: c.inputRows}
	for i, col := range c.cols {
		if col == nil {
			continue
		}
		cf := columnFile{Name: schema[i].Name, K: col.k, Same: col.same, SameVal: col.sameVal, Width: col.width,
			I16: raw(col.i16), I32: raw(col.i32), Ints: raw(col.ints), Dbls: raw(col.dbls), Bits: raw(col.bits),
			Codes: raw(col.codes), Off: raw(col.off), Miss: raw(col.miss), Dict: col.dict}
		for _, vb := range col.valBits {
			cf.ValBits = append(cf.ValBits, raw(vb))
		}
		f.Cols = append(f.Cols, cf)
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
		col := &column{k: cf.K, same: cf.Same, sameVal: cf.SameVal, width: cf.Width, hint: f.N, dict: cf.Dict}
		var err error
		set := func(e error) {
			if err == nil {
				err = e
			}
		}
		var e error
		col.i16, e = unraw[int16](cf.I16)
		set(e)
		col.i32, e = unraw[int32](cf.I32)
		set(e)
		col.ints, e = unraw[int64](cf.Ints)
		set(e)
		col.dbls, e = unraw[float64](cf.Dbls)
		set(e)
		col.bits, e = unraw[uint64](cf.Bits)
		set(e)
		col.codes, e = unraw[uint32](cf.Codes)
		set(e)
		col.off, e = unraw[uint32](cf.Off)
		set(e)
		col.miss, e = unraw[uint64](cf.Miss)
		set(e)
		for _, vb := range cf.ValBits {
			w, e := unraw[uint64](vb)
			set(e)
			col.valBits = append(col.valBits, w)
		}
		if err == nil {
			err = col.check(f.N)
		}
		if err != nil {
			return nil, fmt.Errorf("vector: decode: %s: %w", cf.Name, err)
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
