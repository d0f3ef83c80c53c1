package engine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
)

// base is the enterprise base as the rules see it on one day: the columns
// the programs read, and per row what breakdowns and stored decisions
// need, in code order. Names are not held (3.6 M of them would be the
// largest column); the few that are shown are read by code. A base is
// never changed once built: refresh builds a new one from it, so that
// runs and simulations may share it.
type base struct {
	asOf     chanye.Date
	seq      int64 // every change stamped up to seq is in the base
	cols     *vector.Columns
	codes    []string
	district []uint16                  // index into districts
	size     []uint8                   // index into sizes
	inds     []uint32                  // index into indSets
	inputs   map[string]*policy.Inputs // declared inputs' values, by code
	sums     *sums                     // the hashes the snapshots are made of

	districts []string
	sizes     []string
	indSets   [][]string

	// stored says the store holds this base (Config.Snapshots): it was
	// read from there or written there. drift counts the rows read again
	// since the base the store holds, -1 when the store holds none this
	// base comes from (see Engine.store).
	stored bool
	drift  int
	// parent is the stamp of the base this one was refreshed from, -1
	// when it was read whole; again are the codes the refresh read again
	// (or found gone), sorted: every other row is the parent's.
	parent int64
	again  []string
	// while building
	dIdx map[string]uint16
	sIdx map[string]uint8
	iIdx map[string]uint32
}

// Len is the number of rows.
func (b *base) Len() int { return len(b.codes) }

// newBase returns an empty base as of asOf for about n enterprises
// holding the variables vars, with the declared inputs' values inputs.
func newBase(asOf chanye.Date, n int, vars []string, inputs map[string]*policy.Inputs) (*base, error) {
	cols, err := vector.NewColumns(n, vars...)
	if err != nil {
		return nil, err
	}
	return &base{asOf: asOf, cols: cols, inputs: inputs, drift: -1, parent: -1,
		codes: make([]string, 0, n), district: make([]uint16, 0, n), size: make([]uint8, 0, n), inds: make([]uint32, 0, n),
		dIdx: map[string]uint16{}, sIdx: map[string]uint8{}, iIdx: map[string]uint32{}}, nil
}

// add appends ent as the next row.
func (b *base) add(ent *chanye.Enterprise) {
	s := policy.NewSubject(ent, b.asOf).WithInputs(b.inputs[ent.Code])
	b.cols.Append(s)
	b.appendMeta(ent.Code, ent.DistrictCode, s.Values()[sizeIndex].(string), ent.Industries)
}

// copyRow appends row r of old, as add of its enterprise would.
func (b *base) copyRow(old *base, r int) {
	b.cols.AppendRow(old.cols, r)
	b.appendMeta(old.codes[r], old.districts[old.district[r]], old.sizes[old.size[r]], old.indSets[old.inds[r]])
}

// appendMeta appends a row's code and breakdown keys: district, size as of
// the base's day (as the rules see it) and industries.
func (b *base) appendMeta(code, district, size string, industries []string) {
	b.codes = append(b.codes, code)
	b.district = append(b.district, intern(b.dIdx, &b.districts, district, district))
	b.size = append(b.size, intern(b.sIdx, &b.sizes, size, size))
	b.inds = append(b.inds, intern(b.iIdx, &b.indSets, setKey(industries), industries))
}

// intern returns the index of key's value in dict, appending v, the value,
// when key is new: idx maps the keys to the indexes.
func intern[I uint8 | uint16 | uint32, V any](idx map[string]I, dict *[]V, key string, v V) I {
	i, ok := idx[key]
	if !ok {
		i = I(len(*dict))
		idx[key] = i
		*dict = append(*dict, v)
	}
	return i
}

// finish ends building.
func (b *base) finish() {
	b.dIdx, b.sIdx, b.iIdx = nil, nil, nil
	h := sha256.New()
	var buf []byte
	for _, c := range b.codes {
		buf = appendString(buf, c)
		if len(buf) > 1<<16 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	b.sums = &sums{vars: map[string][]byte{}, codes: h.Sum(nil)}
}

// sums are the SHA-256 of a base's codes and, computed when first asked
// for, of each column.
type sums struct {
	codes []byte
	mu    sync.Mutex
	vars  map[string][]byte
}

// snapshotOf identifies the data a decision over the variables vars read:
// the SHA-256 of the codes' hash, each column's (vector.Columns.HashVar)
// in schema order and the declared inputs'. A base read afresh and one
// refreshed to the same data give the same snapshot, whatever else they
// hold.
func (b *base) snapshotOf(vars []string) string {
	h := sha256.New()
	h.Write(b.sums.codes)
	b.sums.mu.Lock()
	for _, v := range policy.Schema() {
		if !slices.Contains(vars, v.Name) {
			continue
		}
		sum, ok := b.sums.vars[v.Name]
		if !ok {
			vh := sha256.New()
			if b.cols.HashVar(vh, v.Name) {
				sum = vh.Sum(nil)
			}
			b.sums.vars[v.Name] = sum
		}
		h.Write(sum)
	}
	b.sums.mu.Unlock()
	b.cols.HashInputs(h)
	return hex.EncodeToString(h.Sum(nil))
}

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
	if err != nil {
		cancel() // the facts are not needed: stop their reader
	}
	for range batches { // let the reader finish (on success it reads to the end)
	}
	if ferr := <-factErr; err == nil && ferr != nil {
		err = ferr
	}
	return err
}

// load reads the whole base as of asOf into columns holding the
// variables reads.
func (e *Engine) load(ctx context.Context, asOf chanye.Date, reads []string) (*base, error) {
	// The stamp first: a change stamped after it is read again by the
	// next refresh, whether this scan saw it or not.
	seq, err := e.cfg.Enterprises.ChangeSeq(ctx)
	if err != nil {
		return nil, err
	}
	_, total, err := e.cfg.Enterprises.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	inputs, err := e.inputs(ctx)
	if err != nil {
		return nil, err
	}
	b, err := newBase(asOf, total, reads, inputs)
	if err != nil {
		return nil, err
	}
	err = e.scan(ctx, func(ent *chanye.Enterprise) error {
		b.add(ent)
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.seq = seq
	b.finish()
	e.loads.Add(1)
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

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
