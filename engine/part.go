package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// DecidePart decides one shard's part of a sharded run (issue 16): the
// given policy versions, as of asOf, for the enterprises of this engine's
// base, which holds one shard's enterprises. belongs says whether a code is
// the shard's: a base holding another shard's enterprise is refused, lest a
// wrong shard map decide a firm twice or not at all.
//
// A shard decides its firms alone, so a policy whose budget cuts across
// every firm (pro_rata, in_order) cannot be decided shard by shard: it is
// refused (EINVALID) and runs on one database. Relations between policies
// and caps per enterprise hold within each firm, hence within its shard.
func (e *Engine) DecidePart(ctx context.Context, asOf chanye.Date, versions []policy.RunPolicy, belongs func(code string) bool, tm *Timings) (*Decided, error) {
	if tm == nil {
		tm = &Timings{}
	}
	pols := make([]*policy.Compiled, 0, len(versions))
	for _, rp := range versions {
		c, err := e.version(ctx, rp.ID, rp.Version)
		if err != nil {
			return nil, err
		}
		if err := Shardable(c.Policy); err != nil {
			return nil, err
		}
		pols = append(pols, c)
	}
	d, err := e.decide(ctx, asOf, pols, tm)
	if err != nil {
		return nil, err
	}
	for _, code := range d.base.codes {
		if !belongs(code) {
			return nil, chanye.Errorf(chanye.EINVALID, "企业 %s 不属于本分片，分片配置有误 / enterprise %s is not this shard's: the shard map is wrong", code, code)
		}
	}
	return d, nil
}

// BaseSeq is the change stamp of the base d was decided on: every change
// stamped up to it is in the base.
func (d *Decided) BaseSeq() int64 { return d.base.seq }

// Carry reports whether the decisions of every enterprise that the
// refresh of d's base did not read again are, to the byte, those decided
// on the base it was refreshed from (stamp prevSeq) as of prevAsOf by the
// same policy versions (the caller checks the versions): the same year,
// period and parameters in force on both days, and no policy reading the
// day itself when the days differ. Then it returns the codes to decide
// afresh, sorted, and their decisions only; the others can be carried
// from the earlier part without being explained again.
func (d *Decided) Carry(prevSeq int64, prevAsOf chanye.Date) (again []string, decisions iter.Seq2[*policy.StoredDecision, error], ok bool) {
	b, asOf := d.base, d.base.asOf
	if b.parent < 0 || b.parent != prevSeq || prevAsOf.Year() != asOf.Year() {
		return nil, nil, false
	}
	if !prevAsOf.Equal(asOf.Time) && slices.Contains(d.reads, "as_of") {
		return nil, nil, false
	}
	for _, c := range d.pols {
		p := c.Policy
		if !p.Effective.Contains(prevAsOf) || p.Period(prevAsOf) != p.Period(asOf) {
			return nil, nil, false
		}
		before, err1 := p.ParamsAt(prevAsOf)
		now, err2 := p.ParamsAt(asOf)
		if err1 != nil || err2 != nil {
			return nil, nil, false
		}
		j1, err1 := json.Marshal(before)
		j2, err2 := json.Marshal(now)
		if err1 != nil || err2 != nil || !bytes.Equal(j1, j2) {
			return nil, nil, false
		}
	}
	keep := func(code string) bool {
		_, found := slices.BinarySearch(b.again, code)
		return found
	}
	return b.again, d.explain(keep), true
}

// Plan returns what a sharded run as of asOf decides: the day checked
// (today when zero) and the published policy versions in force on it, each
// Shardable.
func (e *Engine) Plan(ctx context.Context, asOf chanye.Date) (chanye.Date, []policy.RunPolicy, error) {
	asOf, pols, err := e.inForce(ctx, asOf)
	if err != nil {
		return asOf, nil, err
	}
	out := make([]policy.RunPolicy, 0, len(pols))
	for _, c := range pols {
		if err := Shardable(c.Policy); err != nil {
			return asOf, nil, err
		}
		out = append(out, policy.RunPolicy{ID: c.Policy.ID, Version: c.Policy.Version})
	}
	return asOf, out, nil
}

// Shardable reports, as EINVALID, why p cannot be decided shard by shard:
// its own budget or a group's cuts amounts across every firm.
func Shardable(p *policy.Policy) error {
	cuts := func(b policy.Budget) bool {
		return b.Mode() == policy.AtLimitProRata || b.Mode() == policy.AtLimitInOrder
	}
	if cuts(p.PolicyBudget()) {
		return chanye.Errorf(chanye.EINVALID, "政策 %s 的预算按 %s 在全部企业间分配，不能分片计算 / policy %s: its budget (%s) is shared across every firm and cannot be decided shard by shard",
			p.ID, p.PolicyBudget().Mode(), p.ID, p.PolicyBudget().Mode())
	}
	for _, g := range p.Groups {
		if cuts(g.Budget) {
			return chanye.Errorf(chanye.EINVALID, "政策 %s 所在组 %s 的预算按 %s 在全部企业间分配，不能分片计算 / policy %s: group %s's budget (%s) is shared across every firm and cannot be decided shard by shard",
				p.ID, g.ID, g.Budget.Mode(), p.ID, g.ID, g.Budget.Mode())
		}
	}
	return nil
}

// String describes the timings in one line, for the worker's log.
func (tm Timings) String() string {
	return fmt.Sprintf("base %s, changed %d, read %s, decide %s, store %s, keep %s", tm.Base, tm.Changed, tm.Read, tm.Decide, tm.Store, tm.Keep)
}
