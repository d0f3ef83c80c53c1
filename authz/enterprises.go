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

// registryRules: officials read the registry, an enterprise only itself;
// totals that single out no enterprise are open; only administrators
// write, since facts and tiers come from the authorities.
var registryRules = Rules{
	ReadRegistry:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Own},
	ReadStats:     {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Aggregate, public: Aggregate},
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

// self returns the actor's own enterprise when the grant is Own and it
// matches filter, nil when it does not match; all is true when the grant
// covers every enterprise.
func (s *enterprises) self(ctx context.Context, filter chanye.EnterpriseFilter) (e *chanye.Enterprise, all bool, err error) {
	a, g, err := check(ctx, registryRules, ReadRegistry)
	if err != nil {
		return nil, false, err
	}
	if g == Allow {
		return nil, true, nil
	}
	if a.Code == "" {
		return nil, false, nil
	}
	e, err = s.inner.FindEnterpriseByCode(ctx, a.Code)
	if chanye.ErrorCode(err) == chanye.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if !matches(e, filter, chanye.DateOf(s.now())) {
		return nil, false, nil
	}
	return e, false, nil
}

// matches reports whether e passes filter, as the store's where clause
// does: a name containing Q (ASCII case folded) or a code starting with it.
func matches(e *chanye.Enterprise, f chanye.EnterpriseFilter, today chanye.Date) bool {
	if f.DistrictCode != nil && e.DistrictCode != *f.DistrictCode {
		return false
	}
	if f.IndustryID != nil && !slices.Contains(e.Industries, *f.IndustryID) {
		return false
	}
	if f.Tier != nil && !slices.Contains(e.ActiveTiers(today), *f.Tier) {
		return false
	}
	if f.SizeClass != nil && e.SizeClass != *f.SizeClass {
		return false
	}
	if f.Q != nil {
		if q := strings.TrimSpace(*f.Q); q != "" &&
			!strings.Contains(strings.ToLower(e.Name), strings.ToLower(q)) && !strings.HasPrefix(e.Code, strings.ToUpper(q)) {
			return false
		}
	}
	return true
}

func (s *enterprises) FindEnterpriseByCode(ctx context.Context, code string) (*chanye.Enterprise, error) {
	if err := s.readOne(ctx, code); err != nil {
		return nil, err
	}
	return s.inner.FindEnterpriseByCode(ctx, code)
}

func (s *enterprises) FindEnterprises(ctx context.Context, filter chanye.EnterpriseFilter) ([]*chanye.Enterprise, int, error) {
	e, all, err := s.self(ctx, filter)
	if err != nil || all {
		if err != nil {
			return nil, 0, err
		}
		return s.inner.FindEnterprises(ctx, filter)
	}
	if e == nil {
		return []*chanye.Enterprise{}, 0, nil
	}
	if filter.Offset > 0 {
		return []*chanye.Enterprise{}, 1, nil
	}
	e.Facts = nil // lists carry no facts
	return []*chanye.Enterprise{e}, 1, nil
}

func (s *enterprises) ScanEnterprises(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.Enterprise) error) error {
	e, all, err := s.self(ctx, filter)
	switch {
	case err != nil:
		return err
	case all:
		return s.inner.ScanEnterprises(ctx, filter, fn)
	case e == nil:
		return nil
	}
	e.Facts = nil
	return fn(e)
}

func (s *enterprises) ChangeSeq(ctx context.Context) (int64, error) {
	if _, _, err := check(ctx, registryRules, ReadRegistry); err != nil {
		return 0, err
	}
	return s.inner.ChangeSeq(ctx)
}

func (s *enterprises) FindNames(ctx context.Context, codes []string) (map[string]string, error) {
	e, all, err := s.self(ctx, chanye.EnterpriseFilter{})
	switch {
	case err != nil:
		return nil, err
	case all:
		return s.inner.FindNames(ctx, codes)
	case e == nil || !slices.Contains(codes, e.Code):
		return map[string]string{}, nil
	}
	return map[string]string{e.Code: e.Name}, nil
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
	e, all, err := s.self(ctx, chanye.EnterpriseFilter{})
	switch {
	case err != nil:
		return err
	case all:
		return s.inner.ScanEnterprisesByCode(ctx, codes, fn)
	case e == nil || !slices.Contains(codes, e.Code):
		return nil
	}
	return fn(e)
}

func (s *enterprises) ScanCodes(ctx context.Context, filter chanye.EnterpriseFilter, fn func(code string) error) error {
	e, all, err := s.self(ctx, filter)
	switch {
	case err != nil:
		return err
	case all:
		return s.inner.ScanCodes(ctx, filter, fn)
	case e == nil:
		return nil
	}
	return fn(e.Code)
}

func (s *enterprises) ScanFacts(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.FactsRecord) error) error {
	e, all, err := s.self(ctx, filter)
	switch {
	case err != nil:
		return err
	case all:
		return s.inner.ScanFacts(ctx, filter, fn)
	case e == nil:
		return nil
	}
	facts, err := s.inner.FindFacts(ctx, e.Code)
	if err != nil {
		return err
	}
	for _, f := range facts {
		if err := fn(&chanye.FactsRecord{Code: e.Code, Facts: *f}); err != nil {
			return err
		}
	}
	return nil
}

func (s *enterprises) ScanTiers(ctx context.Context, filter chanye.EnterpriseFilter, fn func(*chanye.TierRecord) error) error {
	e, all, err := s.self(ctx, filter)
	switch {
	case err != nil:
		return err
	case all:
		return s.inner.ScanTiers(ctx, filter, fn)
	case e == nil:
		return nil
	}
	for _, t := range e.Tiers {
		if err := fn(&chanye.TierRecord{Code: e.Code, Tier: t}); err != nil {
			return err
		}
	}
	return nil
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
