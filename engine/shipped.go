package engine

import (
	"context"

	"github.com/chanye-org/chanye/policy"
)

// EnsureShipped stores and publishes the shipped policies (policy.Shipped)
// when no policy is stored yet, so that a new installation has something to
// run and show, as the context's actor: the city's official policies, and
// with examples (a demo) the illustrative ones too. It returns how many it
// published.
func (e *Engine) EnsureShipped(ctx context.Context, examples bool) (int, error) {
	_, total, err := e.cfg.Versions.FindPolicies(ctx, policy.VersionFilter{Limit: 1})
	if err != nil || total > 0 {
		return 0, err
	}
	n := 0
	for _, src := range policy.ShippedSources(examples) {
		v, err := e.cfg.Versions.CreatePolicyVersion(ctx, src)
		if err != nil {
			return n, err
		}
		if _, err := e.cfg.Versions.PublishPolicyVersion(ctx, v.PolicyID, v.Version); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
