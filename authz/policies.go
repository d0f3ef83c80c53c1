package authz

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Policy actions, from drafting a policy to paying what it grants.
const (
	ReadPolicies     Action = "read policies"
	WritePolicy      Action = "draft and publish policies"
	ReadRuns         Action = "read runs"
	CreateRun        Action = "store a run"
	ReadDecisions    Action = "read decisions"
	Publicise        Action = "publicise decisions"
	ReadPublicity    Action = "read the public list"
	CreateObjection  Action = "object to a decision"
	ReadObjections   Action = "read objections"
	ResolveObjection Action = "resolve objections"
	Approve          Action = "approve decisions"
	Pay              Action = "pay"
	Reverse          Action = "reverse payments"
	ReadLedger       Action = "read the ledger"
	CorrectFacts     Action = "correct an enterprise's figures after an upheld objection"
)

// policyRules: a department drafts, publishes and carries out the policies
// it administers (Own: the policy's department is the account's); leaders read
// everything; published policies are public documents, drafts are not; a task force reads policies, runs, decisions and objections; an
// enterprise reads its own decisions, objections and payments and objects
// for itself; the public list is public. A department corrects an
// enterprise's figures only through an upheld objection to a policy it
// administers (the registry is otherwise the administrators' to write).
var policyRules = Rules{
	ReadPolicies:     {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Published, public: Published},
	WritePolicy:      {admin: Allow, department: Own},
	ReadRuns:         {admin: Allow, leader: Allow, department: Allow, taskForce: Allow},
	CreateRun:        {admin: Allow, department: Own},
	ReadDecisions:    {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Own},
	Publicise:        {admin: Allow, department: Own},
	ReadPublicity:    {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	CreateObjection:  {admin: Allow, enterprise: Own},
	ReadObjections:   {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Own},
	ResolveObjection: {admin: Allow, department: Own},
	Approve:          {admin: Allow, department: Own},
	Pay:              {admin: Allow, department: Own},
	Reverse:          {admin: Allow, department: Own},
	ReadLedger:       {admin: Allow, leader: Allow, department: Allow, enterprise: Own},
	CorrectFacts:     {admin: Allow, department: Own},
}

// PolicyRules returns the policies' rules, for review and tests.
func PolicyRules() Rules { return policyRules }

// issues reports whether the department a administers p: by identity,
// the policy's Department is the account's. The issuer is the document's
// text and decides nothing (市工业和信息化局 is contained in 市工业和信息化局
// 办公室 and in any issuer that cares to name it).
func issues(a *chanye.Actor, p *policy.Policy) bool {
	return a.Role == chanye.RoleDepartment && a.Department != "" && p != nil && p.Department == a.Department
}

// ownsPolicy reports whether the department a issues the policy id, by its
// latest version. ENOTFOUND for a policy with no version.
func ownsPolicy(ctx context.Context, pols policy.VersionService, a *chanye.Actor, id string) (bool, error) {
	vs, _, err := pols.FindPolicies(ctx, policy.VersionFilter{PolicyID: &id, Latest: true, Limit: 1})
	if err != nil {
		return false, err
	}
	if len(vs) == 0 {
		return false, chanye.Errorf(chanye.ENOTFOUND, "政策 %s 不存在 / no policy %s", id, id)
	}
	return issues(a, vs[0].Policy), nil
}

// Policies returns each of inner's services guarded by policyRules. Who
// issues a policy is read from inner.Versions, unguarded.
func Policies(inner policy.Services) policy.Services {
	return policy.Services{
		Versions:     &versions{inner: inner.Versions},
		Runs:         &runs{inner: inner.Runs, versions: inner.Versions},
		Publicity:    &publicity{inner: inner.Publicity, versions: inner.Versions},
		Ledger:       &ledger{inner: inner.Ledger, versions: inner.Versions},
		Applications: Applications(inner.Applications),
	}
}

var (
	_ policy.VersionService   = (*versions)(nil)
	_ policy.RunService       = (*runs)(nil)
	_ policy.PublicityService = (*publicity)(nil)
	_ policy.LedgerService    = (*ledger)(nil)
)

// own checks an action on the policies ids: allowed outright, or for Own
// when a issues every one of them.
func own(ctx context.Context, vs policy.VersionService, act Action, ids ...string) error {
	a, g, err := check(ctx, policyRules, act)
	if err != nil || g != Own {
		return err
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		ok, err := ownsPolicy(ctx, vs, a, id)
		if err != nil {
			return err
		}
		if err := scoped(a, act, ok); err != nil {
			return err
		}
	}
	return nil
}

// enterpriseCode returns the enterprise's code when the grant of act is
// Own, "" when it is Allow.
func enterpriseCode(ctx context.Context, act Action) (string, error) {
	a, g, err := check(ctx, policyRules, act)
	if err != nil || g != Own {
		return "", err
	}
	if a.Code == "" {
		return "", deny(a, act)
	}
	return a.Code, nil
}

// sameCode reports whether a requested code is the actor's own.
func sameCode(code, own string) bool {
	return strings.EqualFold(strings.TrimSpace(code), own)
}

// versions guards policy versions.
type versions struct {
	inner policy.VersionService
}

func (s *versions) CreatePolicyVersion(ctx context.Context, src []byte) (*policy.Version, error) {
	a, g, err := check(ctx, policyRules, WritePolicy)
	if err != nil {
		return nil, err
	}
	if g == Own {
		p, err := policy.Parse(src)
		if err != nil {
			return nil, err
		}
		if err := scoped(a, WritePolicy, issues(a, p)); err != nil {
			return nil, err
		}
		// A new version of a policy another department issues is theirs.
		ok, err := ownsPolicy(ctx, s.inner, a, p.ID)
		if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return nil, err
		}
		if err == nil {
			if err := scoped(a, WritePolicy, ok); err != nil {
				return nil, err
			}
		}
	}
	return s.inner.CreatePolicyVersion(ctx, src)
}

// isPublic reports whether a version is a public document.
func isPublic(v *policy.Version) bool {
	return v.Status == policy.StatusPublished || v.Status == policy.StatusRetired
}

func (s *versions) FindPolicies(ctx context.Context, filter policy.VersionFilter) ([]*policy.Version, int, error) {
	_, g, err := check(ctx, policyRules, ReadPolicies)
	if err != nil {
		return nil, 0, err
	}
	if g == Published {
		if filter.Status != nil && *filter.Status != policy.StatusPublished && *filter.Status != policy.StatusRetired {
			return []*policy.Version{}, 0, nil
		}
		if filter.Status == nil {
			st := policy.StatusPublished
			filter.Status = &st
		}
	}
	return s.inner.FindPolicies(ctx, filter)
}

func (s *versions) FindPolicyVersion(ctx context.Context, id string, version int) (*policy.Version, error) {
	_, g, err := check(ctx, policyRules, ReadPolicies)
	if err != nil {
		return nil, err
	}
	v, err := s.inner.FindPolicyVersion(ctx, id, version)
	if err == nil && g == Published && !isPublic(v) {
		return nil, policy.VersionNotFound(id, version)
	}
	return v, err
}

func (s *versions) PublishPolicyVersion(ctx context.Context, id string, version int) (*policy.Version, error) {
	a, g, err := check(ctx, policyRules, WritePolicy)
	if err != nil {
		return nil, err
	}
	if g == Own {
		v, err := s.inner.FindPolicyVersion(ctx, id, version)
		if err != nil {
			return nil, err
		}
		if err := scoped(a, WritePolicy, issues(a, v.Policy)); err != nil {
			return nil, err
		}
	}
	return s.inner.PublishPolicyVersion(ctx, id, version)
}

// runs guards runs and their decisions.
type runs struct {
	inner    policy.RunService
	versions policy.VersionService
}

func (s *runs) CreateRun(ctx context.Context, run *policy.Run, decisions iter.Seq2[*policy.StoredDecision, error]) error {
	ids := make([]string, len(run.Policies))
	for i, p := range run.Policies {
		ids[i] = p.ID
	}
	if err := own(ctx, s.versions, CreateRun, ids...); err != nil {
		return err
	}
	return s.inner.CreateRun(ctx, run, decisions)
}

func (s *runs) FindRuns(ctx context.Context, filter policy.RunFilter) ([]*policy.Run, int, error) {
	if _, _, err := check(ctx, policyRules, ReadRuns); err != nil {
		return nil, 0, err
	}
	return s.inner.FindRuns(ctx, filter)
}

func (s *runs) FindRun(ctx context.Context, id int64) (*policy.Run, error) {
	if _, _, err := check(ctx, policyRules, ReadRuns); err != nil {
		return nil, err
	}
	return s.inner.FindRun(ctx, id)
}

func (s *runs) FindRunTotals(ctx context.Context, id int64) ([]*policy.RunTotal, error) {
	if _, _, err := check(ctx, policyRules, ReadRuns); err != nil {
		return nil, err
	}
	return s.inner.FindRunTotals(ctx, id)
}

func (s *runs) FindDecisions(ctx context.Context, filter policy.DecisionFilter) ([]*policy.StoredDecision, int, error) {
	own, err := enterpriseCode(ctx, ReadDecisions)
	if err != nil {
		return nil, 0, err
	}
	if own != "" {
		if filter.Code != nil && !sameCode(*filter.Code, own) {
			return []*policy.StoredDecision{}, 0, nil
		}
		filter.Code = &own
	}
	return s.inner.FindDecisions(ctx, filter)
}

func (s *runs) FindDecision(ctx context.Context, ref policy.DecisionRef) (*policy.StoredDecision, error) {
	own, err := enterpriseCode(ctx, ReadDecisions)
	if err != nil {
		return nil, err
	}
	if own != "" && !sameCode(ref.Code, own) {
		return nil, hidden()
	}
	return s.inner.FindDecision(ctx, ref)
}

func (s *runs) FindDecisionEvents(ctx context.Context, ref policy.DecisionRef) ([]*policy.DecisionEvent, error) {
	own, err := enterpriseCode(ctx, ReadDecisions)
	if err != nil {
		return nil, err
	}
	if own != "" && !sameCode(ref.Code, own) {
		return nil, hidden()
	}
	return s.inner.FindDecisionEvents(ctx, ref)
}

func (s *runs) FindApprovals(ctx context.Context, refs []policy.DecisionRef) (map[policy.DecisionRef]time.Time, error) {
	own, err := enterpriseCode(ctx, ReadDecisions)
	if err != nil {
		return nil, err
	}
	if own != "" {
		var mine []policy.DecisionRef
		for _, r := range refs {
			if sameCode(r.Code, own) {
				mine = append(mine, r)
			}
		}
		refs = mine
	}
	return s.inner.FindApprovals(ctx, refs)
}

// publicity guards the public list and objections.
type publicity struct {
	inner    policy.PublicityService
	versions policy.VersionService
}

func (s *publicity) Publicise(ctx context.Context, runID int64, policyID string, days int) (*policy.Publicity, error) {
	if err := own(ctx, s.versions, Publicise, policyID); err != nil {
		return nil, err
	}
	return s.inner.Publicise(ctx, runID, policyID, days)
}

func (s *publicity) FindPublicity(ctx context.Context, filter policy.PublicityFilter) ([]*policy.PublicityEntry, int, error) {
	if _, _, err := check(ctx, policyRules, ReadPublicity); err != nil {
		return nil, 0, err
	}
	return s.inner.FindPublicity(ctx, filter)
}

func (s *publicity) CreateObjection(ctx context.Context, o *policy.Objection) error {
	own, err := enterpriseCode(ctx, CreateObjection)
	if err != nil {
		return err
	}
	if own != "" && !sameCode(o.Ref.Code, own) {
		return hidden()
	}
	return s.inner.CreateObjection(ctx, o)
}

func (s *publicity) ResolveObjection(ctx context.Context, id int64, upheld bool, resolution string) (*policy.Objection, error) {
	a, g, err := check(ctx, policyRules, ResolveObjection)
	if err != nil {
		return nil, err
	}
	if g == Own {
		o, err := s.inner.FindObjectionByID(ctx, id)
		if err != nil {
			return nil, err
		}
		ok, err := ownsPolicy(ctx, s.versions, a, o.Ref.PolicyID)
		if err != nil {
			return nil, err
		}
		if err := scoped(a, ResolveObjection, ok); err != nil {
			return nil, err
		}
	}
	return s.inner.ResolveObjection(ctx, id, upheld, resolution)
}

// FindObjectionByID is read as FindObjections reads: an enterprise sees
// only its own, and another's is not found.
func (s *publicity) FindObjectionByID(ctx context.Context, id int64) (*policy.Objection, error) {
	own, err := enterpriseCode(ctx, ReadObjections)
	if err != nil {
		return nil, err
	}
	o, err := s.inner.FindObjectionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if own != "" && !sameCode(o.Ref.Code, own) {
		return nil, hidden()
	}
	return o, nil
}

func (s *publicity) CorrectFacts(ctx context.Context, objectionID int64, f *chanye.Facts) (*chanye.Enterprise, error) {
	a, g, err := check(ctx, policyRules, CorrectFacts)
	if err != nil {
		return nil, err
	}
	if g == Own {
		o, err := s.inner.FindObjectionByID(ctx, objectionID)
		if err != nil {
			return nil, err
		}
		ok, err := ownsPolicy(ctx, s.versions, a, o.Ref.PolicyID)
		if err != nil {
			return nil, err
		}
		if err := scoped(a, CorrectFacts, ok); err != nil {
			return nil, err
		}
	}
	return s.inner.CorrectFacts(ctx, objectionID, f)
}

func (s *publicity) FindObjections(ctx context.Context, filter policy.ObjectionFilter) ([]*policy.Objection, int, error) {
	own, err := enterpriseCode(ctx, ReadObjections)
	if err != nil {
		return nil, 0, err
	}
	if own != "" {
		if filter.Code != nil && !sameCode(*filter.Code, own) {
			return []*policy.Objection{}, 0, nil
		}
		filter.Code = &own
	}
	return s.inner.FindObjections(ctx, filter)
}

// ledger guards approval, payment and the ledger.
type ledger struct {
	inner    policy.LedgerService
	versions policy.VersionService
}

func (s *ledger) Approve(ctx context.Context, refs []policy.DecisionRef) error {
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.PolicyID
	}
	if err := own(ctx, s.versions, Approve, ids...); err != nil {
		return err
	}
	return s.inner.Approve(ctx, refs)
}

func (s *ledger) Pay(ctx context.Context, ref policy.DecisionRef, p policy.Payout) (*policy.LedgerEntry, bool, error) {
	if err := own(ctx, s.versions, Pay, ref.PolicyID); err != nil {
		return nil, false, err
	}
	return s.inner.Pay(ctx, ref, p)
}

func (s *ledger) Reverse(ctx context.Context, ref policy.DecisionRef, reason string) (*policy.LedgerEntry, error) {
	if err := own(ctx, s.versions, Reverse, ref.PolicyID); err != nil {
		return nil, err
	}
	return s.inner.Reverse(ctx, ref, reason)
}

// FindBudgetUse: a budget's use is read by those who read runs.
func (s *ledger) FindBudgetUse(ctx context.Context, policyID string, period int) (*policy.BudgetUse, error) {
	if _, _, err := check(ctx, policyRules, ReadRuns); err != nil {
		return nil, err
	}
	return s.inner.FindBudgetUse(ctx, policyID, period)
}

// FindLedger: an enterprise reads its own payments (已拨付, with the
// treasury's reference) and nobody else's.
func (s *ledger) FindLedger(ctx context.Context, filter policy.LedgerFilter) ([]*policy.LedgerEntry, int, error) {
	own, err := enterpriseCode(ctx, ReadLedger)
	if err != nil {
		return nil, 0, err
	}
	if own != "" {
		if filter.Code != nil && !sameCode(*filter.Code, own) {
			return []*policy.LedgerEntry{}, 0, nil
		}
		filter.Code = &own
	}
	return s.inner.FindLedger(ctx, filter)
}
