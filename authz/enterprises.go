package authz

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
)

// Registry actions.
const (
	ReadRegistry  Action = "read the enterprise registry" // profiles, facts, tiers, scans
	ReadStats     Action = "read registry statistics"
	WriteRegistry Action = "change the enterprise registry" // profiles, facts (from the authorities), tiers, imports
)

// registryRules: officials (a district's too) read the registry, an
// enterprise only itself;
// totals that single out no enterprise are open; only administrators
// write, since facts and tiers come from the authorities.
var registryRules = Rules{
	ReadRegistry:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Own},
	ReadStats:     {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Aggregate, public: Aggregate},
	WriteRegistry: {admin: Allow},
}

// RegistryRules returns the registry's rules, for review and tests.
func RegistryRules() Rules { return registryRules }

type enterprises struct {
	inner chanye.EnterpriseService
	now   func() time.Time
}

// Enterprises returns inner guarded by registryRules; now tells the day
// that tier filters are read on (time.Now when nil).
func Enterprises(inner chanye.EnterpriseService, now func() time.Time) chanye.EnterpriseService {
	if now == nil {
		now = time.Now
	}
	return &enterprises{inner: inner, now: now}
}

var _ chanye.EnterpriseService = (*enterprises)(nil)

// readOne checks a read of one enterprise's data: an enterprise asking for
// another code gets ENOTFOUND.
func (s *enterprises) readOne(ctx context.Context, code string) error {
	a, g, err := check(ctx, registryRules, ReadRegistry)
	if err != nil {
		return err
	}
	if g == Own {
		return scoped(a, ReadRegistry, a.Code != "" && strings.EqualFold(strings.TrimSpace(code), a.Code))
	}
	return nil
}

// narrow returns filter as the actor may read it: whole when the grant
// covers every enterprise, narrowed to the actor's own code when the grant
// is Own (the store then applies the filter's other conditions to it, as to
// any), none when the actor has no enterprise.
func (s *enterprises) narrow(ctx context.Context, filter chanye.EnterpriseFilter) (f chanye.EnterpriseFilter, none bool, err error) {
	a, g, err := check(ctx, registryRules, ReadRegistry)
	if err != nil {
		return filter, true, err
	}
	if g == Allow {
		return filter, false, nil
	}
	if a.Code == "" || filter.Code != nil && *filter.Code != a.Code {
		return filter, true, nil
	}
	filter.Code = &a.Code
	return filter, false, nil
}

// ownCodes returns of codes those the actor may read: all of them when the
// grant covers every enterprise, else at most its own.
func (s *enterprises) ownCodes(ctx context.Context, codes []string) ([]string, error) {
	a, g, err := check(ctx, registryRules, ReadRegistry)
	if err != nil || g == Allow {
		return codes, err
	}
	if a.Code != "" && slices.Contains(codes, a.Code) {
		return []string{a.Code}, nil
	}
	return nil, nil
}

func (s *enterprises) FindEnterpriseByCode(ctx context.Context, code string) (*chanye.Enterprise, error) {
	if err := s.readOne(ctx, code); err != nil {
		return nil, err
	}
	return s.inner.FindEnterpriseByCode(ctx, code)
}

func (s *enterprises) FindEnterprises(ctx context.Context, filter chanye.EnterpriseFilter) ([]*chanye.Enterprise, int, error) {
	f, none, err := s.narrow(ctx, filter)
	if err != nil || none {
		return []*chanye.Enterprise{}, 0, err
	}
	return s.inner.FindEnterprises(ctx, f)
}

func (s *enterprises) ScanEnterprises(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.Enterprise) error) error {
	f, none, err := s.narrow(ctx, filter)
	if err != nil || none {
		return err
	}
	return s.inner.ScanEnterprises(ctx, f, fn)
}

func (s *enterprises) ChangeSeq(ctx context.Context) (int64, error) {
	if _, _, err := check(ctx, registryRules, ReadRegistry); err != nil {
		return 0, err
	}
	return s.inner.ChangeSeq(ctx)
}

func (s *enterprises) FindNames(ctx context.Context, codes []string) (map[string]string, error) {
	codes, err := s.ownCodes(ctx, codes)
	if err != nil || len(codes) == 0 {
		return map[string]string{}, err
	}
	return s.inner.FindNames(ctx, codes)
}

func (s *enterprises) ChangedCodes(ctx context.Context, after int64, turning *[2]chanye.Date) ([]string, error) {
	a, g, err := check(ctx, registryRules, ReadRegistry)
	if err != nil {
		return nil, err
	}
	if g != Allow {
		return nil, scoped(a, ReadRegistry, false)
	}
	return s.inner.ChangedCodes(ctx, after, turning)
}

func (s *enterprises) ScanEnterprisesByCode(ctx context.Context, codes []string, fn func(*chanye.Enterprise) error) error {
	codes, err := s.ownCodes(ctx, codes)
	if err != nil || len(codes) == 0 {
		return err
	}
	return s.inner.ScanEnterprisesByCode(ctx, codes, fn)
}

func (s *enterprises) ScanCodes(ctx context.Context, filter chanye.EnterpriseFilter, fn func(code string) error) error {
	f, none, err := s.narrow(ctx, filter)
	if err != nil || none {
		return err
	}
	return s.inner.ScanCodes(ctx, f, fn)
}

func (s *enterprises) ScanFacts(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.FactsRecord) error) error {
	f, none, err := s.narrow(ctx, filter)
	if err != nil || none {
		return err
	}
	return s.inner.ScanFacts(ctx, f, fn)
}

func (s *enterprises) ScanTiers(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.TierRecord) error) error {
	f, none, err := s.narrow(ctx, filter)
	if err != nil || none {
		return err
	}
	return s.inner.ScanTiers(ctx, f, fn)
}

func (s *enterprises) EnterpriseStats(ctx context.Context, filter chanye.EnterpriseFilter) (*chanye.EnterpriseStats, error) {
	a, g, err := check(ctx, registryRules, ReadStats)
	if err != nil {
		return nil, err
	}
	if g == Aggregate && filter.Q != nil && strings.TrimSpace(*filter.Q) != "" {
		return nil, deny(a, ReadRegistry)
	}
	return s.inner.EnterpriseStats(ctx, filter)
}

func (s *enterprises) FindFacts(ctx context.Context, code string) ([]*chanye.Facts, error) {
	if err := s.readOne(ctx, code); err != nil {
		return nil, err
	}
	return s.inner.FindFacts(ctx, code)
}

func (s *enterprises) write(ctx context.Context) error {
	_, _, err := check(ctx, registryRules, WriteRegistry)
	return err
}

func (s *enterprises) CreateEnterprise(ctx context.Context, e *chanye.Enterprise) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	return s.inner.CreateEnterprise(ctx, e)
}

func (s *enterprises) UpdateEnterprise(ctx context.Context, code string, upd chanye.EnterpriseUpdate) (*chanye.Enterprise, error) {
	if err := s.write(ctx); err != nil {
		return nil, err
	}
	return s.inner.UpdateEnterprise(ctx, code, upd)
}

func (s *enterprises) PutFacts(ctx context.Context, code string, facts []*chanye.Facts) (*chanye.Enterprise, error) {
	if err := s.write(ctx); err != nil {
		return nil, err
	}
	return s.inner.PutFacts(ctx, code, facts)
}

func (s *enterprises) PutTier(ctx context.Context, code string, t chanye.Tier) (*chanye.Enterprise, error) {
	if err := s.write(ctx); err != nil {
		return nil, err
	}
	return s.inner.PutTier(ctx, code, t)
}

func (s *enterprises) DeleteTier(ctx context.Context, code string, kind chanye.TierKind, from chanye.Date) (*chanye.Enterprise, error) {
	if err := s.write(ctx); err != nil {
		return nil, err
	}
	return s.inner.DeleteTier(ctx, code, kind, from)
}

func (s *enterprises) Bulk(ctx context.Context, fn func(w chanye.BulkWriter) error) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	return s.inner.Bulk(ctx, fn)
}

func (s *enterprises) FindScope(ctx context.Context, code string) (*chanye.Scope, error) {
	if err := s.readOne(ctx, code); err != nil {
		return nil, err
	}
	return s.inner.FindScope(ctx, code)
}

func (s *enterprises) PutScope(ctx context.Context, code string, sc *chanye.Scope) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	return s.inner.PutScope(ctx, code, sc)
}

func (s *enterprises) ScanScopes(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.ScopeRecord) error) error {
	f, none, err := s.narrow(ctx, filter)
	if err != nil || none {
		return err
	}
	return s.inner.ScanScopes(ctx, f, fn)
}
