package authz

import (
	"context"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
)

// Engine actions.
const (
	RunPolicies Action = "run every policy"
	Simulate    Action = "simulate a policy"
	TestPolicy  Action = "test a policy's cases"
	Explain     Action = "explain decisions"
	Redecide    Action = "re-decide one enterprise for a policy"
)

// engineRules: a run decides every published policy, so only
// administrators start one; a simulation writes nothing, so leaders may
// try one and a department its own policies; testing a policy's cases
// reads nothing stored but runs the author's code, so it is for those who
// write or review policies (any department: a draft need not be its own
// yet), not the public; an explanation is a read of decisions; a
// re-decision (a run of one policy for one enterprise, after an upheld
// objection) is the department's for the policies it administers.
var engineRules = Rules{
	RunPolicies: {admin: Allow},
	Simulate:    {admin: Allow, leader: Allow, department: Own},
	TestPolicy:  {admin: Allow, leader: Allow, department: Allow},
	Explain:     {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Own},
	Redecide:    {admin: Allow, department: Own},
}

// EngineRules returns the engine's rules, for review and tests.
func EngineRules() Rules { return engineRules }

// EngineGuard is the policy engine with engineRules checked on its outer
// calls. The engine inside reads through unguarded services: a run the
// rules allow must read the whole base, whoever starts it.
type EngineGuard struct {
	inner    *engine.Engine
	policies policy.VersionService
}

// Engine returns inner guarded by engineRules; policies (unguarded) tells
// who issues a policy.
func Engine(inner *engine.Engine, policies policy.VersionService) *EngineGuard {
	return &EngineGuard{inner: inner, policies: policies}
}

// Run is engine.Engine.Run for administrators.
func (g *EngineGuard) Run(ctx context.Context, asOf chanye.Date) (*policy.Run, error) {
	if _, _, err := check(ctx, engineRules, RunPolicies); err != nil {
		return nil, err
	}
	return g.inner.Run(ctx, asOf)
}

// Simulate is engine.Engine.Simulate; a department simulates only a draft
// it issues of a policy it issues (or a new one).
func (g *EngineGuard) Simulate(ctx context.Context, draft *policy.Policy, asOf chanye.Date) (*engine.Simulation, error) {
	a, gr, err := check(ctx, engineRules, Simulate)
	if err != nil {
		return nil, err
	}
	if gr == Own {
		if err := scoped(a, Simulate, issues(a, draft)); err != nil {
			return nil, err
		}
		ok, err := ownsPolicy(ctx, g.policies, a, draft.ID)
		if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return nil, err
		}
		if err == nil {
			if err := scoped(a, Simulate, ok); err != nil {
				return nil, err
			}
		}
	}
	return g.inner.Simulate(ctx, draft, asOf)
}

// Test is engine.Engine.Test for those who write or review policies.
func (g *EngineGuard) Test(ctx context.Context, p *policy.Policy) ([]policy.CaseResult, error) {
	if _, _, err := check(ctx, engineRules, TestPolicy); err != nil {
		return nil, err
	}
	return g.inner.Test(ctx, p)
}

// Redecide is engine.Engine.Redecide for administrators and the
// department that administers the policy.
func (g *EngineGuard) Redecide(ctx context.Context, policyID, code string, asOf chanye.Date) (*policy.Run, *engine.PolicyDecision, error) {
	a, gr, err := check(ctx, engineRules, Redecide)
	if err != nil {
		return nil, nil, err
	}
	if gr == Own {
		ok, err := ownsPolicy(ctx, g.policies, a, policyID)
		if err != nil {
			return nil, nil, err
		}
		if err := scoped(a, Redecide, ok); err != nil {
			return nil, nil, err
		}
	}
	return g.inner.Redecide(ctx, policyID, code, asOf)
}

// explain checks an explanation for code: an enterprise asking about
// another gets ENOTFOUND.
func explain(ctx context.Context, code string) error {
	a, gr, err := check(ctx, engineRules, Explain)
	if err != nil || gr != Own {
		return err
	}
	return scoped(a, Explain, a.Code != "" && strings.EqualFold(strings.TrimSpace(code), a.Code))
}

// ExplainEnterprise is engine.Engine.ExplainEnterprise.
func (g *EngineGuard) ExplainEnterprise(ctx context.Context, code string, asOf chanye.Date) (*engine.EnterpriseDecisions, error) {
	if err := explain(ctx, code); err != nil {
		return nil, err
	}
	return g.inner.ExplainEnterprise(ctx, code, asOf)
}

// Explain is engine.Engine.Explain. An enterprise is explained only
// published versions: drafts are the departments' work in progress.
func (g *EngineGuard) Explain(ctx context.Context, policyID string, version int, code string, asOf chanye.Date) (*engine.PolicyDecision, error) {
	if err := explain(ctx, code); err != nil {
		return nil, err
	}
	if a := chanye.ActorFrom(ctx); engineRules.Grant(a.Role, Explain) == Own && version != 0 {
		v, err := g.policies.FindPolicyVersion(ctx, policyID, version)
		if err != nil {
			return nil, err
		}
		if v.Status != policy.StatusPublished {
			return nil, policy.VersionNotFound(policyID, version)
		}
	}
	return g.inner.Explain(ctx, policyID, version, code, asOf)
}
