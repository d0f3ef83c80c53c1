// Package vector is the fast path of the policy engine: it holds
// enterprises in typed columns and evaluates the checked CEL rules of many
// policies at once as a shared DAG of vector operations over bitmaps.
// policy.Compiled.Evaluate (cel-go) is the reference; whatever this package
// cannot translate it hands back to cel-go per row, so the two never differ.
package vector

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// schema and its index, in the order of policy.Subject values.
var (
	schema      = policy.Schema()
	schemaIndex = func() map[string]int {
		m := make(map[string]int, len(schema))
		for i, v := range schema {
			m[v.Name] = i
		}
		return m
	}()
)

type kind uint8

const (
	kBool kind = iota + 1
	kInt
	kDouble
	kString
	kList
)

func kindOf(typ string) kind {
	switch typ {
	case "bool":
		return kBool
	case "int":
		return kInt
	case "double":
		return kDouble
	case "string":
		return kString
	}
	return kList
}

// Columns holds the schema variables of many enterprises, one typed column
// per variable: ints in 16, 32 or 64 bits as they fit, doubles as slices,
// bools as bitmaps, strings dictionary-encoded, lists of strings as one
// bitmap per distinct value plus the lists themselves (for size and for
// rows handed back to cel-go). Only the variables asked for are held. Rows
// are added with Append; any number of Runs may then share the columns.
type Columns struct {
	n    int
	cols []*column // by schema index; nil when not held
	// Runs may share the columns: the first to start pads the bitmaps
	// (seal), under mu, and the others wait for it. Append must not run
	// alongside a Run.
	mu       sync.Mutex
	sealedAt int
	// inputRows are the rows that hold declared inputs' values, ascending,
	// and inputVals their values: few enterprises have any.
	inputRows []int
	inputVals []*policy.Inputs
}

// inputsAt returns row r's declared inputs' values, or nil.
func (c *Columns) inputsAt(r int) *policy.Inputs {
	if k := sort.SearchInts(c.inputRows, r); k < len(c.inputRows) && c.inputRows[k] == r {
		return c.inputVals[k]
	}
	return nil
}

type column struct {
	k kind
	// An int column whose rows are all equal (as_of, policy_year) keeps one
	// value until a row differs. Then it holds its rows in the narrowest of
	// int16, int32 and int64 that fits them all (tier years, head counts and
	// most amounts in fen fit 16 or 32 bits), widening when a row does not.
	same    bool
	sameVal int64
	width   uint8 // 2, 4 or 8 bytes, once not same
	hint    int   // rows expected, for the capacity when widening
	i16     []int16
	i32     []int32
	ints    []int64
	dbls    []float64
	bits    []uint64 // bool values
	codes   []uint32 // string codes, or per list item
	dict    []string
	dictIdx map[string]uint32
	off     []uint32   // list: items of row i are codes[off[i]:off[i+1]]
	valBits [][]uint64 // list: rows holding dict value j
	// miss is the validity (null) bitmap: bit r set when row r's value is
	// missing, unknown to the rules; nil while no row is. A missing row
	// holds the zero of its kind (no bool or list bit set), so that the
	// kernels' invariant — no true bit where a value is unknown — holds.
	miss []uint64
}

// scalar reports whether an int column is one value for every row, none
// of them missing: it can be read as a constant.
func (col *column) scalar() bool { return col.k == kInt && col.same && col.miss == nil }

// missing reports whether row r is missing.
func (col *column) missing(r int) bool {
	return col.miss != nil && r/64 < len(col.miss) && col.miss[r/64]&(1<<(r%64)) != 0
}

// NewColumns returns empty columns for about n enterprises holding the named
// schema variables, or every variable when none is named (see
// Program.Reads for the ones a run needs).
func NewColumns(n int, vars ...string) (*Columns, error) {
	c := &Columns{cols: make([]*column, len(schema))}
	if len(vars) == 0 {
		for _, v := range schema {
			vars = append(vars, v.Name)
		}
	}
	for _, name := range vars {
		i, ok := schemaIndex[name]
		if !ok {
			return nil, fmt.Errorf("vector: unknown variable %q", name)
		}
		if c.cols[i] != nil {
			continue
		}
		col := &column{k: kindOf(schema[i].Type)}
		switch col.k {
		case kInt:
			col.same, col.hint = true, n
		case kDouble:
			col.dbls = make([]float64, 0, n)
		case kBool:
			col.bits = make([]uint64, 0, (n+63)/64)
		case kString:
			col.codes = make([]uint32, 0, n)
			col.dictIdx = map[string]uint32{}
		case kList:
			col.off = make([]uint32, 1, n+1)
			col.dictIdx = map[string]uint32{}
		}
		c.cols[i] = col
	}
	return c, nil
}

// Len is the number of enterprises appended.
func (c *Columns) Len() int { return c.n }

// Append adds the subject as the next row; a missing value is held as
// missing (and as the zero of its kind).
func (c *Columns) Append(s policy.Subject) {
	vals, miss, row := s.Values(), s.MissingFlags(), c.n
	if in := s.Inputs(); !in.Empty() {
		c.inputRows, c.inputVals = append(c.inputRows, row), append(c.inputVals, in)
	}
	for i, col := range c.cols {
		if col == nil {
			continue
		}
		v := vals[i]
		if miss != nil && miss[i] {
			col.setMissing(row)
			v = zeroOf[col.k]
		}
		switch col.k {
		case kInt:
			col.pushInt(row, v.(int64))
		case kDouble:
			col.dbls = append(col.dbls, v.(float64))
		case kBool:
			col.pushBool(row, v.(bool))
		case kString:
			col.codes = append(col.codes, col.code(v.(string)))
		case kList:
			for _, x := range v.([]string) {
				col.pushItem(row, x)
			}
			col.off = append(col.off, uint32(len(col.codes)))
		}
	}
	c.n++
}

// AppendRow adds row r of src as the next row, as Append of the subject
// src's row came from would, so that columns rebuilt from an older copy
// and a few new subjects equal columns loaded afresh. c must hold the
// variables src holds.
func (c *Columns) AppendRow(src *Columns, r int) {
	row := c.n
	if in := src.inputsAt(r); in != nil {
		c.inputRows, c.inputVals = append(c.inputRows, row), append(c.inputVals, in)
	}
	for i, col := range c.cols {
		if col == nil {
			continue
		}
		from := src.cols[i]
		if from.missing(r) {
			col.setMissing(row) // held as the zero of its kind in src too
		}
		switch col.k {
		case kInt:
			col.pushInt(row, from.int(r))
		case kDouble:
			col.dbls = append(col.dbls, from.dbls[r])
		case kBool:
			col.pushBool(row, from.bits[r/64]&(1<<(r%64)) != 0)
		case kString:
			col.codes = append(col.codes, col.code(from.dict[from.codes[r]]))
		case kList:
			for _, j := range from.codes[from.off[r]:from.off[r+1]] {
				col.pushItem(row, from.dict[j])
			}
			col.off = append(col.off, uint32(len(col.codes)))
		}
	}
	c.n++
}

// Vars names the variables c holds, in schema order.
func (c *Columns) Vars() []string {
	var out []string
	for i, col := range c.cols {
		if col != nil {
			out = append(out, schema[i].Name)
		}
	}
	return out
}

func (col *column) setMissing(row int) {
	for len(col.miss) <= row/64 {
		col.miss = append(col.miss, 0)
	}
	col.miss[row/64] |= 1 << (row % 64)
}

// pushInt appends x as row row of an int column.
func (col *column) pushInt(row int, x int64) {
	if col.same {
		if row == 0 {
			col.sameVal = x
			return
		}
		if x == col.sameVal {
			return
		}
		col.same = false
		for range row {
			col.appendInt(col.sameVal)
		}
	}
	col.appendInt(x)
}

func (col *column) pushBool(row int, v bool) {
	if row%64 == 0 {
		col.bits = append(col.bits, 0)
	}
	if v {
		col.bits[row/64] |= 1 << (row % 64)
	}
}

// pushItem appends x to row row of a list column.
func (col *column) pushItem(row int, x string) {
	j := col.code(x)
	for len(col.valBits) <= int(j) {
		col.valBits = append(col.valBits, nil)
	}
	w := row / 64
	for len(col.valBits[j]) <= w {
		col.valBits[j] = append(col.valBits[j], 0)
	}
	col.valBits[j][w] |= 1 << (row % 64)
	col.codes = append(col.codes, j)
}

// schemaZeros is the zero of every schema variable's kind, in schema order.
var schemaZeros = func() []any {
	out := make([]any, len(schema))
	for i, v := range schema {
		out[i] = zeroOf[kindOf(v.Type)]
	}
	return out
}()

// zeroOf is what a missing value is held as, by kind.
var zeroOf = map[kind]any{kInt: int64(0), kDouble: 0.0, kBool: false, kString: "", kList: []string(nil)}

func intWidth(x int64) uint8 {
	switch {
	case x == int64(int16(x)):
		return 2
	case x == int64(int32(x)):
		return 4
	}
	return 8
}

// appendInt appends x to an int column that is not same, widening it
// first if x does not fit.
func (col *column) appendInt(x int64) {
	if w := intWidth(x); w > col.width {
		col.widen(w)
	}
	switch col.width {
	case 2:
		col.i16 = append(col.i16, int16(x))
	case 4:
		col.i32 = append(col.i32, int32(x))
	default:
		col.ints = append(col.ints, x)
	}
}

// widen moves the rows so far to the wider storage w.
func (col *column) widen(w uint8) {
	n := col.intLen()
	c := max(col.hint, n+1)
	switch w {
	case 2:
		col.i16 = make([]int16, 0, c)
	case 4:
		col.i32 = make([]int32, n, c)
		for j, v := range col.i16 {
			col.i32[j] = int32(v)
		}
		col.i16 = nil
	case 8:
		col.ints = make([]int64, n, c)
		for j := range col.ints {
			col.ints[j] = col.int(j)
		}
		col.i16, col.i32 = nil, nil
	}
	col.width = w
}

func (col *column) intLen() int { return len(col.i16) + len(col.i32) + len(col.ints) }

// int is row r of an int column.
func (col *column) int(r int) int64 {
	switch {
	case col.same:
		return col.sameVal
	case col.width == 2:
		return int64(col.i16[r])
	case col.width == 4:
		return int64(col.i32[r])
	}
	return col.ints[r]
}

// widenInts writes rows lo+j of an int column, or rows lo+sel[j] when sel
// is not nil, to dst as int64.
func (col *column) widenInts(dst []int64, lo int, sel []int32) {
	switch {
	case sel != nil && col.width == 2:
		for j, r := range sel {
			dst[j] = int64(col.i16[lo+int(r)])
		}
	case sel != nil && col.width == 4:
		for j, r := range sel {
			dst[j] = int64(col.i32[lo+int(r)])
		}
	case sel != nil:
		for j, r := range sel {
			dst[j] = col.ints[lo+int(r)]
		}
	case col.width == 2:
		for j, v := range col.i16[lo : lo+len(dst)] {
			dst[j] = int64(v)
		}
	case col.width == 4:
		for j, v := range col.i32[lo : lo+len(dst)] {
			dst[j] = int64(v)
		}
	default:
		copy(dst, col.ints[lo:lo+len(dst)])
	}
}

func (col *column) code(s string) uint32 {
	j, ok := col.dictIdx[s]
	if !ok {
		j = uint32(len(col.dict))
		col.dict = append(col.dict, s)
		col.dictIdx[s] = j
	}
	return j
}

// seal pads every bitmap to the full number of words, so that evaluation
// can slice them without bounds checks per chunk.
func (c *Columns) seal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sealedAt == c.n && c.n > 0 {
		return
	}
	c.sealedAt = c.n
	words := (c.n + 63) / 64
	for _, col := range c.cols {
		if col == nil {
			continue
		}
		for len(col.bits) < words && col.k == kBool {
			col.bits = append(col.bits, 0)
		}
		for len(col.miss) < words && col.miss != nil {
			col.miss = append(col.miss, 0)
		}
		for j := range col.valBits {
			for len(col.valBits[j]) < words {
				col.valBits[j] = append(col.valBits[j], 0)
			}
		}
	}
}

// value returns the value of schema variable i at row r as policy.Subject
// holds it, for rows handed back to cel-go.
func (c *Columns) value(i, r int) (any, bool) {
	col := c.cols[i]
	if col == nil {
		return nil, false
	}
	switch col.k {
	case kInt:
		return col.int(r), true
	case kDouble:
		return col.dbls[r], true
	case kBool:
		return col.bits[r/64]&(1<<(r%64)) != 0, true
	case kString:
		return col.dict[col.codes[r]], true
	}
	items := col.codes[col.off[r]:col.off[r+1]]
	out := make([]string, len(items))
	for k, j := range items {
		out[k] = col.dict[j]
	}
	return out, true
}

// Bytes is the memory the columns hold, slices at their capacity.
func (c *Columns) Bytes() int64 {
	var b int64
	for _, col := range c.cols {
		if col == nil {
			continue
		}
		b += int64(cap(col.i16))*2 + int64(cap(col.i32))*4 + int64(cap(col.ints))*8 + int64(cap(col.dbls))*8 + int64(cap(col.bits))*8
		b += int64(cap(col.codes))*4 + int64(cap(col.off))*4 + int64(cap(col.miss))*8
		for _, s := range col.dict {
			b += int64(len(s)) + 16 + 24 // the string, its header and its map entry, roughly
		}
		for _, vb := range col.valBits {
			b += int64(cap(vb)) * 8
		}
	}
	return b
}

// WithDay returns columns sharing c's, except that the variables whose
// value is the same for every row whatever the enterprise (as_of,
// policy_year) hold s's values: the columns as of s's day for the rows
// whose other values do not change with the day. ok is false when such a
// held column is not one value without missing rows.
func (c *Columns) WithDay(s policy.Subject) (_ *Columns, ok bool) {
	out := &Columns{n: c.n, cols: slices.Clone(c.cols), inputRows: c.inputRows, inputVals: c.inputVals}
	vals := s.Values()
	for _, name := range dayVars {
		i := schemaIndex[name]
		col := c.cols[i]
		if col == nil {
			continue
		}
		if !col.scalar() {
			return nil, false
		}
		out.cols[i] = &column{k: kInt, same: true, sameVal: vals[i].(int64), hint: c.n}
	}
	return out, true
}

// dayVars are the variables that hold the day itself, one value for every
// row.
var dayVars = []string{"as_of", "policy_year"}

// Subject returns row r as the subject it was appended from, for the
// reference evaluator to explain: the held variables' values and missing
// flags and the row's declared inputs, with code and asOf. A variable not
// held is the zero of its type: the programs the columns were loaded for
// read none.
func (c *Columns) Subject(r int, code string, asOf chanye.Date) policy.Subject {
	vals, miss := slices.Clone(schemaZeros), make([]bool, len(schema))
	for i, col := range c.cols {
		if col != nil {
			vals[i], _ = c.value(i, r)
			miss[i] = col.missing(r)
		}
	}
	return policy.SubjectOf(code, asOf, vals, miss).WithInputs(c.inputsAt(r))
}
