package authz

import (
	"context"

	"github.com/chanye-org/chanye"
)

// Actions on the managed lists of city leaders, departments and task
// forces.
const (
	ReadOrgUnits  Action = "read the lists of leaders, departments and task forces"
	WriteOrgUnits Action = "keep the lists of leaders, departments and task forces"
)

// orgUnitRules: the lists are what the open catalog's responsibilities
// name, so everyone reads them; only administrators keep them, as only they
// manage accounts, whose departments the lists also hold.
var orgUnitRules = Rules{
	ReadOrgUnits:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	WriteOrgUnits: {admin: Allow},
}

// OrgUnitRules returns the lists' rules, for review and tests.
func OrgUnitRules() Rules { return orgUnitRules }

type orgUnits struct {
	inner chanye.OrgUnitService
}

// OrgUnits returns inner guarded by orgUnitRules.
func OrgUnits(inner chanye.OrgUnitService) chanye.OrgUnitService {
	return &orgUnits{inner: inner}
}

var _ chanye.OrgUnitService = (*orgUnits)(nil)

func (o *orgUnits) FindOrgUnits(ctx context.Context, f chanye.OrgUnitFilter) ([]*chanye.OrgUnit, error) {
	if _, _, err := check(ctx, orgUnitRules, ReadOrgUnits); err != nil {
		return nil, err
	}
	return o.inner.FindOrgUnits(ctx, f)
}

// FindOrgUnitUses says where a name is used, which names records such as
// accounts: it is for those who keep the lists.
func (o *orgUnits) FindOrgUnitUses(ctx context.Context, id int64) ([]chanye.OrgUse, error) {
	if _, _, err := check(ctx, orgUnitRules, WriteOrgUnits); err != nil {
		return nil, err
	}
	return o.inner.FindOrgUnitUses(ctx, id)
}

func (o *orgUnits) CreateOrgUnit(ctx context.Context, u *chanye.OrgUnit) error {
	if _, _, err := check(ctx, orgUnitRules, WriteOrgUnits); err != nil {
		return err
	}
	return o.inner.CreateOrgUnit(ctx, u)
}

func (o *orgUnits) UpdateOrgUnit(ctx context.Context, id int64, upd chanye.OrgUnitUpdate) (*chanye.OrgUnit, error) {
	if _, _, err := check(ctx, orgUnitRules, WriteOrgUnits); err != nil {
		return nil, err
	}
	return o.inner.UpdateOrgUnit(ctx, id, upd)
}
