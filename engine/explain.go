package engine

import (
	"context"
	"runtime"
	"sync"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// parallelPolicies is the fewest policies per core worth a goroutine.
const parallelPolicies = 8

// maxStored bounds the stored decisions ExplainEnterprise lists.
const maxStored = 1000

// ExplainEnterprise decides every published policy for one enterprise as of
// asOf with the reference evaluator: what it is granted, what needs data
// (with the figures), what failed, what it misses by one condition (with
// the gaps), the rest, and its stored decisions from runs, eligible and
// needing data. ENOTFOUND for an unknown code.
func (e *Engine) ExplainEnterprise(ctx context.Context, code string, asOf chanye.Date) (*EnterpriseDecisions, error) {
	asOf, err := e.asOfOrToday(asOf, MaxAheadDays)
	if err != nil {
		return nil, err
	}
	ent, err := e.cfg.Enterprises.FindEnterpriseByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	pols, err := e.published(ctx)
	if err != nil {
		return nil, err
	}
	s, err := e.subject(ctx, ent, asOf)
	if err != nil {
		return nil, err
	}
	out := ExplainSubject(s, pols, asOf)
	out.Name = ent.Name
	stored, _, err := e.cfg.Runs.FindDecisions(ctx, policy.DecisionFilter{Code: &ent.Code, Limit: maxStored})
	if err != nil {
		return nil, err
	}
	if stored == nil {
		stored = []*policy.StoredDecision{}
	}
	out.Stored = stored
	nd := policy.VerdictNeedsData
	if out.StoredNeedsData, _, err = e.cfg.Runs.FindDecisions(ctx, policy.DecisionFilter{Code: &ent.Code, Verdict: &nd, Limit: maxStored}); err != nil {
		return nil, err
	}
	if out.StoredNeedsData == nil {
		out.StoredNeedsData = []*policy.StoredDecision{}
	}
	return out, nil
}

// explainAll evaluates pols for ent and sorts the decisions into granted,
// near misses and others. It reads nothing: the part that must be fast.
func explainAll(ent *chanye.Enterprise, pols []*policy.Compiled, asOf chanye.Date) *EnterpriseDecisions {
	out := ExplainSubject(policy.NewSubject(ent, asOf), pols, asOf)
	out.Name = ent.Name
	return out
}

// ExplainSubject is ExplainEnterprise without reading: it decides pols for
// one subject with the reference evaluator, the cores sharing the policies
// when there are many, and sorts the decisions. Stored is left empty.
func ExplainSubject(s policy.Subject, pols []*policy.Compiled, asOf chanye.Date) *EnterpriseDecisions {
	out := &EnterpriseDecisions{Code: s.Code, AsOf: asOf, Stored: []*policy.StoredDecision{}, StoredNeedsData: []*policy.StoredDecision{},
		Granted: []PolicyDecision{}, Excluded: []PolicyDecision{}, NeedsData: []PolicyDecision{}, Errors: []PolicyDecision{}, NearMisses: []PolicyDecision{}, Others: []PolicyDecision{}}
	pds := make([]PolicyDecision, len(pols))
	// The reference evaluator allocates heavily; with many policies the
	// cores share them, so that 100 policies stay under a millisecond.
	workers := min(runtime.GOMAXPROCS(0), len(pols)/parallelPolicies)
	if workers > 1 {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(pols); i += workers {
					pds[i] = policyDecision(pols[i], pols[i].Evaluate(s, asOf))
				}
			})
		}
		wg.Wait()
	} else {
		for i, c := range pols {
			pds[i] = policyDecision(c, c.Evaluate(s, asOf))
		}
	}
	resolveAll(pols, pds)
	for _, pd := range pds {
		switch {
		case pd.Decision.Status == policy.VerdictExcluded:
			out.Excluded = append(out.Excluded, pd)
		case pd.Decision.Eligible:
			out.Granted = append(out.Granted, pd)
		case pd.Decision.Status == policy.VerdictNeedsData:
			out.NeedsData = append(out.NeedsData, pd)
		case pd.Decision.Status == policy.VerdictError:
			out.Errors = append(out.Errors, pd)
		case pd.Decision.NearMiss:
			out.NearMisses = append(out.NearMisses, pd)
		default:
			out.Others = append(out.Others, pd)
		}
	}
	return out
}

// resolveAll applies the relations between pols to one firm's decisions
// pds (pds[k] of pols[k]): the explanation says why a decision is
// excluded or lowered. Budgets that cut over all firms are a run's.
func resolveAll(pols []*policy.Compiled, pds []PolicyDecision) {
	ps := make([]*policy.Policy, len(pols))
	for k, c := range pols {
		ps[k] = c.Policy
	}
	rs := policy.NewResolver(ps)
	if !rs.Active() {
		return
	}
	ds := make([]policy.Decision, len(pds))
	for k := range pds {
		ds[k] = pds[k].Decision
	}
	rs.ResolveDecisions(ds)
	for k := range pds {
		pds[k].Decision = ds[k]
	}
}

func policyDecision(c *policy.Compiled, d policy.Decision) PolicyDecision {
	p := c.Policy
	return PolicyDecision{PolicyID: p.ID, Version: p.Version, TitleZH: p.TitleZH, TitleEN: p.TitleEN,
		Document: p.Document, Clause: p.Clause, Mode: p.Mode, Official: p.Official, Decision: d}
}

// Explain decides one policy version (0: the published one) for one
// enterprise as of asOf with the reference evaluator. ENOTFOUND for an
// unknown policy, version or code.
func (e *Engine) Explain(ctx context.Context, policyID string, version int, code string, asOf chanye.Date) (*PolicyDecision, error) {
	asOf, err := e.asOfOrToday(asOf, MaxAheadDays)
	if err != nil {
		return nil, err
	}
	c, err := e.version(ctx, policyID, version)
	if err != nil {
		return nil, err
	}
	ent, err := e.cfg.Enterprises.FindEnterpriseByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	s, err := e.subject(ctx, ent, asOf)
	if err != nil {
		return nil, err
	}
	d, err := e.related(ctx, c, s, asOf, c.Evaluate(s, asOf))
	if err != nil {
		return nil, err
	}
	pd := policyDecision(c, d)
	return &pd, nil
}

// related applies to d, c's eligible decision for s, the relations with
// the published policies in force on asOf, deciding them for s when any
// relation is declared: what Explain and Redecide say and store.
func (e *Engine) related(ctx context.Context, c *policy.Compiled, s policy.Subject, asOf chanye.Date, d policy.Decision) (policy.Decision, error) {
	if !d.Eligible {
		return d, nil
	}
	all, err := e.published(ctx)
	if err != nil {
		return d, err
	}
	pols := []*policy.Compiled{c}
	for _, o := range all {
		if o.Policy.ID != c.Policy.ID && o.Policy.Effective.Contains(asOf) {
			pols = append(pols, o)
		}
	}
	rs := policy.NewResolver(policiesOf(pols))
	if !rs.Active() {
		return d, nil
	}
	ds := make([]policy.Decision, len(pols))
	ds[0] = d
	for k := 1; k < len(pols); k++ {
		ds[k] = pols[k].Evaluate(s, asOf)
	}
	rs.ResolveDecisions(ds)
	return ds[0], nil
}
