package engine

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
)

// The engine keeps the last base it built (Engine.res) and brings it up
// to date for the next run or simulation instead of reading millions of
// enterprises again: the enterprises stamped since, those a founding
// anniversary or a tier turns between its day and the new one of the same
// year (both from EnterpriseService.ChangedCodes), and those whose declared
// inputs changed are read by key and decided afresh; every other row is
// copied. More than a quarter of the rows to read again, a new year, or
// variables the base lacks read the whole base instead. The result equals a base read afresh — the same rows, columns
// and snapshot — which the tests hold it to. A process that starts (the
// CLI) finds the last base in the store (Config.Snapshots) with the stamp
// it had seen, and refreshes it the same way.

// BaseStore keeps the engine's last base between processes, as one opaque
// stream.
type BaseStore interface {
	// LoadEngineBase calls read with the stored stream; not at all when
	// none is stored.
	LoadEngineBase(ctx context.Context, read func(io.Reader) error) error
	// SaveEngineBase replaces the stored stream by what write writes, all
	// or nothing.
	SaveEngineBase(ctx context.Context, write func(io.Writer) error) error
}

// current returns the base as of asOf holding at least the variables
// reads, with every change stamped before the call: the resident base
// refreshed, the stored one refreshed, or the whole base read.
// tm, when not nil, is told where the base came from.
func (e *Engine) current(ctx context.Context, asOf chanye.Date, reads []string, tm *Timings) (*base, error) {
	if tm == nil {
		tm = &Timings{}
	}
	e.resMu.Lock()
	defer e.resMu.Unlock()
	seq, err := e.cfg.Enterprises.ChangeSeq(ctx)
	if err != nil {
		return nil, err
	}
	var old *base
	old, tm.Base = e.res, BaseKept
	if old == nil && e.cfg.Snapshots != nil {
		if old, err = e.readStored(ctx); err != nil {
			return nil, err
		}
		tm.Base = BaseStored
	}
	want := reads
	if old != nil && old.asOf.Year() == asOf.Year() && seq >= old.seq {
		held := old.cols.Vars()
		if holdsAll(held, reads) {
			b, err := e.refresh(ctx, old, asOf, seq, &tm.Changed)
			if err != nil {
				return nil, err
			}
			if b != nil {
				e.res = b
				return b, nil
			}
		}
		want = append(held, reads...) // keep what the earlier calls needed
	}
	e.res, tm.Base = nil, BaseWhole // let the old base go before reading the new one
	b, err := e.load(ctx, asOf, want)
	if err != nil {
		return nil, err
	}
	e.res = b
	return b, nil
}

func holdsAll(held, reads []string) bool {
	for _, r := range reads {
		if !slices.Contains(held, r) {
			return false
		}
	}
	return true
}

// refresh returns old brought to day asOf (of old's year) and to stamp seq,
// or nil when more than a quarter of its rows would be read again: reading
// them by key would cost more than reading the whole base.
// reread is set to the number of rows read again.
func (e *Engine) refresh(ctx context.Context, old *base, asOf chanye.Date, seq int64, reread *int) (*base, error) {
	inputs, err := e.inputs(ctx)
	if err != nil {
		return nil, err
	}
	day := !asOf.Equal(old.asOf.Time)
	var turning *[2]chanye.Date
	if day {
		turning = &[2]chanye.Date{old.asOf, asOf}
	}
	changed, err := e.cfg.Enterprises.ChangedCodes(ctx, old.seq, turning)
	if err != nil {
		return nil, err
	}
	// And the rows whose declared inputs changed, appeared or went.
	again := changed
	isChanged := func(code string) bool {
		_, ok := slices.BinarySearch(changed, code)
		return ok
	}
	for code, ins := range inputs {
		if !isChanged(code) && !slices.Equal(ins.Pairs(), old.inputs[code].Pairs()) {
			again = append(again, code)
		}
	}
	for _, r := range old.cols.InputRows() {
		if code := old.codes[r]; !isChanged(code) && inputs[code] == nil {
			again = append(again, code)
		}
	}
	if len(again) > old.Len()/4 {
		return nil, nil // most rows changed (a new year of facts): read the whole base
	}
	fresh := make(map[string]*chanye.Enterprise, len(again))
	if len(again) > 0 {
		err := e.cfg.Enterprises.ScanEnterprisesByCode(ctx, again, func(ent *chanye.Enterprise) error {
			fresh[ent.Code] = ent
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	*reread = len(fresh)
	drift := -1 // rows read again since the stored base, when it is an ancestor
	if old.stored {
		drift = len(fresh)
	} else if old.drift >= 0 {
		drift = old.drift + len(fresh)
	}
	slices.Sort(again)
	again = slices.Compact(again)
	if len(fresh) == 0 && !day {
		b := *old
		b.seq, b.inputs = seq, inputs
		b.parent, b.again = old.seq, again
		return &b, nil
	}
	src := old.cols
	if day {
		var ok bool
		if src, ok = src.WithDay(policy.NewSubject(&chanye.Enterprise{}, asOf)); !ok {
			return nil, fmt.Errorf("engine: the day's columns of the base of %s hold more than one value", old.asOf)
		}
	}
	// New enterprises go in code order among the rows.
	var added []string
	for code := range fresh {
		if _, ok := slices.BinarySearch(old.codes, code); !ok {
			added = append(added, code)
		}
	}
	slices.Sort(added)
	b, err := newBase(asOf, old.Len()+len(added), old.cols.Vars(), inputs)
	if err != nil {
		return nil, err
	}
	oldDay := &base{cols: src, codes: old.codes, district: old.district, size: old.size, inds: old.inds,
		districts: old.districts, sizes: old.sizes, indSets: old.indSets}
	for r, k := 0, 0; r < old.Len() || k < len(added); {
		if k < len(added) && (r == old.Len() || added[k] < old.codes[r]) {
			b.add(fresh[added[k]])
			k++
			continue
		}
		if ent := fresh[old.codes[r]]; ent != nil {
			b.add(ent)
		} else {
			b.copyRow(oldDay, r)
		}
		r++
	}
	b.seq, b.drift = seq, drift
	b.parent, b.again = old.seq, again
	b.finish()
	return b, nil
}

// baseFormat is the version of the stored base's form and of what a row
// holds: bump it when policy.NewSubject or the columns change meaning, so
// that a base stored by an older build is read afresh.
const baseFormat = 1

// The stored stream: the build key (gob), storedHeader (gob), the codes
// end to end, the rows' district, size and industries indexes (little-
// endian), then the columns (vector.Columns.Encode). The large parts are
// written as bytes: gob would hold the whole stream in memory.

// storedHeader is what the stream holds after the build key.
type storedHeader struct {
	AsOf      string
	Seq       int64
	N         int
	CodeWidth int // every code is as long (credit codes are 18 characters)
	Districts []string
	Sizes     []string
	IndSets   [][]string
}

// buildKey identifies what a stored base can be read back by: the form,
// the schema's variables and the program itself (the SHA-256 of its
// executable, or its version and revision when the file cannot be read),
// so that a base stored by another build is read afresh.
var buildKey = sync.OnceValue(func() string {
	h := sha256.New()
	fmt.Fprintf(h, "format %d\n", baseFormat)
	for _, v := range policy.Schema() {
		fmt.Fprintf(h, "%s %s\n", v.Name, v.Type)
	}
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			_, err = io.Copy(h, f)
			f.Close()
			if err == nil {
				return hex.EncodeToString(h.Sum(nil))
			}
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "%s %s\n", bi.Main.Path, bi.Main.Version)
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.time" || s.Key == "vcs.modified" {
				fmt.Fprintf(h, "%s=%s\n", s.Key, s.Value)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
})

// readStored returns the base the store holds, or nil when it holds none
// or one another build wrote. Its rows holding declared inputs hold none
// (refresh reads them again).
func (e *Engine) readStored(ctx context.Context) (*base, error) {
	var b *base
	err := e.cfg.Snapshots.LoadEngineBase(ctx, func(r io.Reader) error {
		br := bufio.NewReaderSize(r, 1<<20)
		dec := gob.NewDecoder(br) // br is a ByteReader: gob reads no further than its values
		var build string
		if err := dec.Decode(&build); err != nil {
			return err
		}
		if build != buildKey() {
			return nil
		}
		var h storedHeader
		if err := dec.Decode(&h); err != nil {
			return err
		}
		asOf, err := chanye.ParseDate(h.AsOf)
		if err != nil {
			return err
		}
		if h.N < 0 || h.N > vector.MaxRows || h.CodeWidth < 1 || h.CodeWidth > 64 {
			return fmt.Errorf("%d codes of %d bytes", h.N, h.CodeWidth)
		}
		all := make([]byte, h.N*h.CodeWidth)
		if _, err := io.ReadFull(br, all); err != nil {
			return err
		}
		b = &base{asOf: asOf, seq: h.Seq, parent: -1, codes: splitCodes(string(all), h.CodeWidth),
			district: make([]uint16, h.N), size: make([]uint8, h.N), inds: make([]uint32, h.N),
			inputs: map[string]*policy.Inputs{}, districts: h.Districts, sizes: h.Sizes, indSets: h.IndSets, stored: true, drift: 0}
		for _, p := range []any{b.district, b.size, b.inds} {
			if err := binary.Read(br, binary.LittleEndian, p); err != nil {
				return err
			}
		}
		for r := range h.N {
			if int(b.district[r]) >= len(b.districts) || int(b.size[r]) >= len(b.sizes) || int(b.inds[r]) >= len(b.indSets) {
				return fmt.Errorf("row %d: a breakdown index out of range", r)
			}
		}
		if b.cols, err = vector.Decode(br); err != nil {
			return err
		}
		if b.cols.Len() != h.N {
			return fmt.Errorf("%d codes, %d rows", h.N, b.cols.Len())
		}
		b.finish()
		return nil
	})
	if err != nil {
		e.cfg.Logger.Warn("stored base not read, reading the whole base", "err", err)
		return nil, nil
	}
	return b, nil
}

// keepDrift is how many rows a base may differ from the stored one it
// comes from before it replaces it: refreshing a few thousand rows more
// in the next process costs less than writing the whole base again.
func keepDrift(rows int) int { return max(10_000, rows/100) }

// store writes b to the store for the next process unless the store holds
// it, or a base b differs from by fewer than keepDrift rows. A failure is
// logged, not returned: the next process reads the whole base instead.
func (e *Engine) store(ctx context.Context, b *base) {
	if e.cfg.Snapshots == nil {
		return
	}
	e.resMu.Lock()
	defer e.resMu.Unlock()
	if b.stored || e.res != b || b.drift >= 0 && b.drift < keepDrift(b.Len()) {
		return // stored already, a newer base is resident, or the stored one is near enough
	}
	width := 18
	if b.Len() > 0 {
		width = len(b.codes[0])
	}
	for _, c := range b.codes {
		if len(c) != width {
			return // codes of several lengths: never stored (the store validates credit codes)
		}
	}
	err := e.cfg.Snapshots.SaveEngineBase(ctx, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		enc := gob.NewEncoder(bw)
		if err := enc.Encode(buildKey()); err != nil {
			return err
		}
		h := storedHeader{AsOf: b.asOf.String(), Seq: b.seq, N: b.Len(), CodeWidth: width, Districts: b.districts, Sizes: b.sizes, IndSets: b.indSets}
		if err := enc.Encode(&h); err != nil {
			return err
		}
		for _, c := range b.codes {
			bw.WriteString(c)
		}
		for _, p := range []any{b.district, b.size, b.inds} {
			if err := binary.Write(bw, binary.LittleEndian, p); err != nil {
				return err
			}
		}
		if err := b.cols.Encode(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		e.cfg.Logger.Warn("base not stored", "err", err)
		return
	}
	b.stored = true
}

// splitCodes cuts codes end to end, w bytes each, into strings sharing
// all's memory.
func splitCodes(all string, w int) []string {
	out := make([]string, len(all)/w)
	for i := range out {
		out[i] = all[i*w : (i+1)*w]
	}
	return out
}
