package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Redecide decides the published version of one policy for one enterprise
// as of asOf and stores the outcome as a run of its own, limited to that
// policy and that enterprise: the re-decision after an upheld objection
// and a correction of the enterprise's figures.
//
// A one-enterprise run is the simplest correct design: it needs no status
// or table of its own, and the decision it stores goes through the same
// lifecycle as any — publicised (a correction is made public again),
// approved by another person than the one who re-decided (four eyes), and
// paid through the ledger, which is keyed by entitlement and so pays at
// most once, or only the difference to what an earlier run paid. The
// withdrawn decision stays in its run as the record of what was decided
// then. The decision is stored as a run stores one: an eligible one, or a
// needs-data one with the figures it needs (never publicised or paid); an
// enterprise found not eligible is stored as a run with no decision, and
// one whose decision failed as a run with that error listed. The run
// counts the verdict as any run does; the returned PolicyDecision explains
// the outcome either way.
//
// The decision is the reference evaluator's: for one enterprise there is
// no fast path to hold it to. The run's Snapshot is the SHA-256 of the
// enterprise's record as it was read, so the decision can be replayed.
// EINVALID (the policy is not in force on asOf, asOf out of bounds),
// ENOTFOUND (no published version, no such enterprise).
func (e *Engine) Redecide(ctx context.Context, policyID, code string, asOf chanye.Date) (*policy.Run, *PolicyDecision, error) {
	start := e.cfg.Now()
	asOf, err := e.asOfOrToday(asOf, 0)
	if err != nil {
		return nil, nil, err
	}
	c, err := e.version(ctx, policyID, 0)
	if err != nil {
		return nil, nil, err
	}
	if !c.Policy.Effective.Contains(asOf) {
		return nil, nil, chanye.Errorf(chanye.EINVALID, "政策 %s 于 %s 不在有效期内 / policy %s is not in force on %s", policyID, asOf, policyID, asOf)
	}
	ent, err := e.cfg.Enterprises.FindEnterpriseByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	ent.SizeClass = ent.SizeClassOn(asOf) // stored with the decision: the size the rules saw, as Run does
	record, err := json.Marshal(ent)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(record)
	s, err := e.subject(ctx, ent, asOf)
	if err != nil {
		return nil, nil, err
	}
	// The relations with the published policies apply as in a run: a
	// firm granted the group's higher policy is not granted this one.
	d, err := e.related(ctx, c, s, asOf, c.Evaluate(s, asOf))
	if err != nil {
		return nil, nil, err
	}
	pd := policyDecision(c, d)
	rp := policy.RunPolicy{ID: c.Policy.ID, Version: c.Policy.Version}
	switch d.Status {
	case policy.VerdictNotEligible:
		rp.NotEligible = 1
	case policy.VerdictError:
		rp.Errors, rp.ErrorSamples = 1, []policy.RunError{{Code: ent.Code, Message: d.Err}}
	}
	run := &policy.Run{AsOf: asOf, StartedAt: start, Snapshot: hex.EncodeToString(sum[:]), Enterprises: 1,
		Policies: []policy.RunPolicy{rp}}
	decisions := func(yield func(*policy.StoredDecision, error) bool) {
		if d.Status != policy.VerdictEligible && d.Status != policy.VerdictNeedsData && d.Status != policy.VerdictExcluded {
			return
		}
		yield(policy.NewStoredDecision(&d, c.Policy.Period(asOf), ent))
	}
	if err := e.cfg.Runs.CreateRun(ctx, run, decisions); err != nil {
		return nil, nil, err
	}
	e.cfg.Logger.Info("policy re-decision", "run", run.ID, "policy", policyID, "code", code, "as_of", asOf.String(),
		"verdict", string(d.Status), "amount_fen", int64(d.AmountFen))
	return run, &pd, nil
}
