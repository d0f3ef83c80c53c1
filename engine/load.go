package engine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"sort"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
)

// base is the enterprise base loaded for one evaluation: the columns the
// programs read, and per row what breakdowns and stored decisions need.
// Names are not held (3.6 M of them would be the largest column); the few
// that are shown are read by code.
type base struct {
	asOf     chanye.Date
	cols     *vector.Columns
	codes    []string
	district []uint16 // index into districts
	size     []uint8  // index into sizes
	inds     []uint32 // index into indSets
	snapshot string
	inputs   map[string]*policy.Inputs // declared inputs' values, by code

	districts []string
	sizes     []string
	indSets   [][]string
}

// Len is the number of rows.
func (b *base) Len() int { return len(b.codes) }

// factBatch is how many fact reports the reading goroutine hands over at
// once: channel operations per report would cost more than the reading.
const factBatch = 2048

// scan streams every enterprise with all its fact reports (NewSubject
// merges them per year), in code order: ScanEnterprises and ScanFacts run
// together and are merged by code. fn must not keep e.Facts' slice.
func (e *Engine) scan(ctx context.Context, fn func(ent *chanye.Enterprise) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*chanye.FactsRecord, 4)
	factErr := make(chan error, 1)
	go func() {
		defer close(batches)
		buf := make([]*chanye.FactsRecord, 0, factBatch)
		err := e.cfg.Enterprises.ScanFacts(ctx, chanye.EnterpriseFilter{}, func(r *chanye.FactsRecord) error {
			buf = append(buf, r)
			if len(buf) == factBatch {
				select {
				case batches <- buf:
				case <-ctx.Done():
					return ctx.Err()
				}
				buf = make([]*chanye.FactsRecord, 0, factBatch)
			}
			return nil
		})
		if err == nil && len(buf) > 0 {
			select {
			case batches <- buf:
			case <-ctx.Done():
			}
		}
		factErr <- err
	}()
	var pending []*chanye.FactsRecord
	done := false
	// next returns the first fact report not yet consumed, or nil at the end.
	next := func() *chanye.FactsRecord {
		for len(pending) == 0 && !done {
			b, ok := <-batches
			if !ok {
				done = true
				break
			}
			pending = b
		}
		if len(pending) == 0 {
			return nil
		}
		return pending[0]
	}
	var facts []*chanye.Facts
	err := e.cfg.Enterprises.ScanEnterprises(ctx, chanye.EnterpriseFilter{}, func(ent *chanye.Enterprise) error {
		facts = facts[:0]
		for r := next(); r != nil && r.Code <= ent.Code; r = next() {
			if r.Code == ent.Code {
				f := r.Facts
				facts = append(facts, &f)
			}
			pending = pending[1:]
		}
		ent.Facts = facts
		return fn(ent)
	})
	cancel()
	for range batches { // let the reader finish
	}
	if ferr := <-factErr; err == nil && ferr != nil && !errors.Is(ferr, context.Canceled) {
		err = ferr
	}
	return err
}

// load reads the base as of asOf into columns holding the variables reads.
func (e *Engine) load(ctx context.Context, asOf chanye.Date, reads []string) (*base, error) {
	_, total, err := e.cfg.Enterprises.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	cols, err := vector.NewColumns(total, reads...)
	if err != nil {
		return nil, err
	}
	b := &base{asOf: asOf, cols: cols,
		codes: make([]string, 0, total), district: make([]uint16, 0, total),
		size: make([]uint8, 0, total), inds: make([]uint32, 0, total)}
	idx := make([]int, len(reads))
	for i, name := range reads {
		idx[i] = schemaIndex[name]
	}
	if b.inputs, err = e.inputs(ctx); err != nil {
		return nil, err
	}
	dIdx, sIdx, iIdx := map[string]uint16{}, map[string]uint8{}, map[string]uint32{}
	h := sha256.New()
	var row []byte
	err = e.scan(ctx, func(ent *chanye.Enterprise) error {
		s := policy.NewSubject(ent, asOf).WithInputs(b.inputs[ent.Code])
		cols.Append(s)
		b.codes = append(b.codes, ent.Code)
		d, ok := dIdx[ent.DistrictCode]
		if !ok {
			d = uint16(len(b.districts))
			dIdx[ent.DistrictCode] = d
			b.districts = append(b.districts, ent.DistrictCode)
		}
		b.district = append(b.district, d)
		size := s.Values()[sizeIndex].(string) // as of asOf, as the rules see it
		sz, ok := sIdx[size]
		if !ok {
			sz = uint8(len(b.sizes))
			sIdx[size] = sz
			b.sizes = append(b.sizes, size)
		}
		b.size = append(b.size, sz)
		key := setKey(ent.Industries)
		in, ok := iIdx[key]
		if !ok {
			in = uint32(len(b.indSets))
			iIdx[key] = in
			b.indSets = append(b.indSets, append([]string(nil), ent.Industries...))
		}
		b.inds = append(b.inds, in)
		row = appendRow(row[:0], ent.Code, s.Values(), idx)
		row = appendInputs(row, b.inputs[ent.Code])
		h.Write(row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.snapshot = hex.EncodeToString(h.Sum(nil))
	return b, nil
}

// schemaIndex maps a schema variable to its place in Subject.Values.
var schemaIndex = func() map[string]int {
	m := map[string]int{}
	for i, v := range policy.Schema() {
		m[v.Name] = i
	}
	return m
}()

// sizeIndex is the place of e.size, the size class as of the as-of date.
var sizeIndex = schemaIndex["e.size"]

func setKey(ss []string) string {
	n := 0
	for _, s := range ss {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	for _, s := range ss {
		b = append(b, s...)
		b = append(b, 0)
	}
	return string(b)
}

// appendRow encodes a row for the snapshot hash: the code and each value
// read, typed and length-prefixed so that no two rows encode alike.
func appendRow(b []byte, code string, vals []any, idx []int) []byte {
	b = appendString(b, code)
	for _, i := range idx {
		switch v := vals[i].(type) {
		case int64:
			b = append(b, 'i')
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		case float64:
			b = append(b, 'd')
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		case bool:
			if v {
				b = append(b, 'T')
			} else {
				b = append(b, 'F')
			}
		case string:
			b = append(b, 's')
			b = appendString(b, v)
		case []string:
			b = append(b, 'l')
			b = binary.AppendUvarint(b, uint64(len(v)))
			for _, s := range v {
				b = appendString(b, s)
			}
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendInputs encodes a row's declared inputs for the snapshot hash,
// sorted, in their stored form.
func appendInputs(b []byte, ins *policy.Inputs) []byte {
	if ins.Empty() {
		return b
	}
	var kv []string
	for n, v := range ins.Project {
		kv = append(kv, "project/"+n+"="+policy.FormatInput(v))
	}
	for id, m := range ins.Applied {
		for n, v := range m {
			kv = append(kv, id+"/"+n+"="+policy.FormatInput(v))
		}
	}
	sort.Strings(kv)
	b = append(b, 'I')
	for _, s := range kv {
		b = appendString(b, s)
	}
	return b
}
