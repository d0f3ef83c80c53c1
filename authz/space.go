package authz

import (
	"context"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/space"
)

// Actions on industrial space (产业空间).
const (
	ReadInventory      Action = "read the industrial blocks and their units"
	WriteInventory     Action = "change the industrial blocks and their units" // create, update, import
	HoldUnits          Action = "hold space units for projects and leads"
	AllocateUnits      Action = "allocate space units" // allocate, end an allocation, release a hold
	ReadHolds          Action = "read the holds of space units"
	ReadAllocations    Action = "read the allocations of space units"
	ReadUse            Action = "read the use of industrial blocks (亩均)"
	WriteSpaceSettings Action = "change the size rule and the 亩均 thresholds"
	ExpireSpaceHolds   Action = "expire space holds and lapsed leases"
)

// spaceRules: the inventory is public in part. Officials (admin, leader,
// department, task force, district) read every block and unit with its
// prices; enterprises and the public see the blocks and the available
// units only, and never a price or a rent (Route answers them the same
// way, without a rent limit of theirs to probe with). The inventory is
// kept by administrators, by the departments (the city's land and
// industry departments: any department) and by a district for its own
// blocks and their units (Own: the block's district, before and after a
// change). A unit is held by administrators, and for a project or a lead
// in their scope by a department (a project it answers for or of an
// industry it leads; a lead of such an industry or that it owns), a task
// force (its industry's) and a district (a lead it owns, a project in
// the district). Units are allocated, allocations ended and holds
// released by administrators, departments, and a district for the units
// of its blocks. Holds and the use of the blocks (亩均) are for officials;
// allocations too, and an enterprise reads its own. The size rule and
// the thresholds are set, and the daily expiry run, by administrators.
var spaceRules = Rules{
	ReadInventory:      {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Allow, public: Aggregate},
	WriteInventory:     {admin: Allow, department: Allow, district: Own},
	HoldUnits:          {admin: Allow, department: Own, taskForce: Own, district: Own},
	AllocateUnits:      {admin: Allow, department: Allow, district: Own},
	ReadHolds:          {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow},
	ReadAllocations:    {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Own},
	ReadUse:            {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow},
	WriteSpaceSettings: {admin: Allow},
	ExpireSpaceHolds:   {admin: Allow},
}

// SpaceRules returns the industrial space rules, for review and tests.
func SpaceRules() Rules { return spaceRules }

// seesPrices reports whether a reads prices, rents and units not
// available: officials do, enterprises and the public do not.
func seesPrices(a *chanye.Actor) bool {
	return a.Role != chanye.RoleEnterprise && a.Role != chanye.RolePublic
}

// redactUnit clears what a reader who does not see prices must not read.
func redactUnit(u *space.Unit) {
	u.PriceFen, u.RentFenM2Month = nil, nil
}

// inDistrict checks an Own grant of act on a district's records: a
// district account's own district only.
func inDistrict(a *chanye.Actor, act Action, codes ...string) error {
	for _, c := range codes {
		if a.Role != chanye.RoleDistrict || a.District == "" || c != a.District {
			return deny(a, act)
		}
	}
	return nil
}

// SpaceInventory returns inner guarded by spaceRules.
func SpaceInventory(inner space.InventoryService) space.InventoryService {
	return &spaceInventory{inner: inner}
}

type spaceInventory struct{ inner space.InventoryService }

var _ space.InventoryService = (*spaceInventory)(nil)

// unitDistrict returns the district of the block of unit id, read from
// inv (unguarded).
func unitDistrict(ctx context.Context, inv space.InventoryService, id int64) (string, error) {
	u, err := inv.FindUnitByID(ctx, id)
	if err != nil {
		return "", err
	}
	b, err := inv.FindBlockByID(ctx, u.BlockID)
	if err != nil {
		return "", err
	}
	return b.DistrictCode, nil
}

func (s *spaceInventory) CreateBlock(ctx context.Context, b *space.Block) error {
	a, g, err := check(ctx, spaceRules, WriteInventory)
	if err != nil {
		return err
	}
	if g == Own {
		if err := inDistrict(a, WriteInventory, strings.TrimSpace(b.DistrictCode)); err != nil {
			return err
		}
	}
	return s.inner.CreateBlock(ctx, b)
}

func (s *spaceInventory) UpdateBlock(ctx context.Context, b *space.Block) error {
	a, g, err := check(ctx, spaceRules, WriteInventory)
	if err != nil {
		return err
	}
	if g == Own {
		old, err := s.inner.FindBlockByID(ctx, b.ID)
		if err != nil {
			return err
		}
		if err := inDistrict(a, WriteInventory, old.DistrictCode, strings.TrimSpace(b.DistrictCode)); err != nil {
			return err
		}
	}
	return s.inner.UpdateBlock(ctx, b)
}

func (s *spaceInventory) FindBlockByID(ctx context.Context, id int64) (*space.Block, error) {
	if _, _, err := check(ctx, spaceRules, ReadInventory); err != nil {
		return nil, err
	}
	return s.inner.FindBlockByID(ctx, id)
}

func (s *spaceInventory) FindBlockByCode(ctx context.Context, code string) (*space.Block, error) {
	if _, _, err := check(ctx, spaceRules, ReadInventory); err != nil {
		return nil, err
	}
	return s.inner.FindBlockByCode(ctx, code)
}

func (s *spaceInventory) FindBlocks(ctx context.Context, f space.BlockFilter) ([]*space.Block, int, error) {
	if _, _, err := check(ctx, spaceRules, ReadInventory); err != nil {
		return nil, 0, err
	}
	return s.inner.FindBlocks(ctx, f)
}

// unitBlocks checks an Own grant of WriteInventory on units of the given
// blocks: every one in the district's.
func (s *spaceInventory) unitBlocks(ctx context.Context, a *chanye.Actor, ids ...int64) error {
	for _, id := range ids {
		b, err := s.inner.FindBlockByID(ctx, id)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			continue // the store names the missing block
		} else if err != nil {
			return err
		}
		if err := inDistrict(a, WriteInventory, b.DistrictCode); err != nil {
			return err
		}
	}
	return nil
}

func (s *spaceInventory) CreateUnit(ctx context.Context, u *space.Unit) error {
	a, g, err := check(ctx, spaceRules, WriteInventory)
	if err != nil {
		return err
	}
	if g == Own {
		if err := s.unitBlocks(ctx, a, u.BlockID); err != nil {
			return err
		}
	}
	return s.inner.CreateUnit(ctx, u)
}

func (s *spaceInventory) UpdateUnit(ctx context.Context, u *space.Unit) error {
	a, g, err := check(ctx, spaceRules, WriteInventory)
	if err != nil {
		return err
	}
	if g == Own {
		old, err := s.inner.FindUnitByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := s.unitBlocks(ctx, a, old.BlockID, u.BlockID); err != nil {
			return err
		}
	}
	return s.inner.UpdateUnit(ctx, u)
}

// FindUnitByID: a unit not available is, to the public and enterprises,
// not there (ENOTFOUND); an available one comes without its prices.
func (s *spaceInventory) FindUnitByID(ctx context.Context, id int64) (*space.Unit, error) {
	a, _, err := check(ctx, spaceRules, ReadInventory)
	if err != nil {
		return nil, err
	}
	u, err := s.inner.FindUnitByID(ctx, id)
	if err != nil || seesPrices(a) {
		return u, err
	}
	if u.Status != space.Available {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "空间单元 %d 不存在 / unit %d not found", id, id)
	}
	redactUnit(u)
	return u, nil
}

// FindUnits: the public and enterprises list available units only,
// without their prices.
func (s *spaceInventory) FindUnits(ctx context.Context, f space.UnitFilter) ([]*space.Unit, int, error) {
	a, _, err := check(ctx, spaceRules, ReadInventory)
	if err != nil {
		return nil, 0, err
	}
	if seesPrices(a) {
		return s.inner.FindUnits(ctx, f)
	}
	if f.Status != nil && *f.Status != space.Available {
		return []*space.Unit{}, 0, nil
	}
	avail := space.Available
	f.Status = &avail
	us, n, err := s.inner.FindUnits(ctx, f)
	for _, u := range us {
		redactUnit(u)
	}
	return us, n, err
}

// ImportInventory: under Own, every block of the file and every stored
// block a row names — by its code, so a block of another district is not
// taken over — is of the district.
func (s *spaceInventory) ImportInventory(ctx context.Context, blocks []*space.Block, units []*space.ImportUnit) (space.ImportStats, error) {
	a, g, err := check(ctx, spaceRules, WriteInventory)
	if err != nil {
		return space.ImportStats{}, err
	}
	if g != Own {
		return s.inner.ImportInventory(ctx, blocks, units)
	}
	seen := map[string]bool{}
	stored := func(code string) error {
		code = strings.TrimSpace(code)
		if seen[code] {
			return nil
		}
		seen[code] = true
		b, err := s.inner.FindBlockByCode(ctx, code)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return nil // new, or named in the file: the store checks
		} else if err != nil {
			return err
		}
		return inDistrict(a, WriteInventory, b.DistrictCode)
	}
	for _, b := range blocks {
		if err := inDistrict(a, WriteInventory, strings.TrimSpace(b.DistrictCode)); err != nil {
			return space.ImportStats{}, err
		}
		if err := stored(b.Code); err != nil {
			return space.ImportStats{}, err
		}
	}
	for _, u := range units {
		if err := stored(u.BlockCode); err != nil {
			return space.ImportStats{}, err
		}
	}
	return s.inner.ImportInventory(ctx, blocks, units)
}

// SpaceAllocations returns inner guarded by spaceRules. inv, projects,
// leads and cat, unguarded, tell a unit's district and a hold's project
// or lead with its industry.
func SpaceAllocations(inner space.AllocationService, inv space.InventoryService, projects project.Service, leads invest.LeadService, cat chanye.CatalogService) space.AllocationService {
	return &spaceAllocations{inner: inner, inv: inv, projects: projects, leads: leads, cat: cat}
}

type spaceAllocations struct {
	inner    space.AllocationService
	inv      space.InventoryService
	projects project.Service
	leads    invest.LeadService
	cat      chanye.CatalogService
}

var _ space.AllocationService = (*spaceAllocations)(nil)

// Route: the public and enterprises are answered without prices and may
// not limit the rent (which would tell them the rents).
func (s *spaceAllocations) Route(ctx context.Context, n space.Needs, limit int) (*space.Routing, error) {
	a, _, err := check(ctx, spaceRules, ReadInventory)
	if err != nil {
		return nil, err
	}
	if !seesPrices(a) {
		n.MaxRentFenM2Month = nil
	}
	r, err := s.inner.Route(ctx, n, limit)
	if err != nil || seesPrices(a) {
		return r, err
	}
	for _, c := range r.Candidates {
		redactUnit(c.Unit)
	}
	return r, nil
}

// holds reports whether a's Own grant of HoldUnits covers the project or
// lead of kind k and id. An unknown one is not refused here: the store
// names it (EINVALID).
func (s *spaceAllocations) holds(ctx context.Context, a *chanye.Actor, k space.ForKind, id string) (bool, error) {
	id = strings.TrimSpace(id)
	switch k {
	case space.ForProject:
		p, err := s.projects.FindProjectByID(ctx, id)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return true, nil
		} else if err != nil {
			return false, err
		}
		switch a.Role {
		case chanye.RoleDepartment:
			ind, err := s.cat.FindIndustryByID(ctx, p.IndustryID)
			if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
				return false, err
			}
			led := ind != nil && a.Department != "" && ind.Responsibility.LeadDepartment == a.Department
			return led || (a.Department != "" && p.EffectiveOwners(ind).Department == a.Department), nil
		case chanye.RoleTaskForce:
			return a.IndustryID != "" && p.IndustryID == a.IndustryID, nil
		case chanye.RoleDistrict:
			return a.District != "" && p.DistrictCode == a.District, nil
		}
	case space.ForLead:
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return true, nil
		}
		l, err := s.leads.FindLeadByID(ctx, n)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return true, nil
		} else if err != nil {
			return false, err
		}
		sc, err := leadScope(ctx, s.cat, a, true)
		if err != nil {
			return false, err
		}
		return inScope(sc, l), nil
	default:
		return true, nil // Hold.Validate refuses it
	}
	return false, nil
}

func (s *spaceAllocations) HoldUnit(ctx context.Context, h *space.Hold) error {
	a, g, err := check(ctx, spaceRules, HoldUnits)
	if err != nil {
		return err
	}
	if g == Own {
		ok, err := s.holds(ctx, a, h.ForKind, h.ForID)
		if err != nil {
			return err
		}
		if !ok {
			return deny(a, HoldUnits)
		}
	}
	return s.inner.HoldUnit(ctx, h)
}

// unit checks AllocateUnits on unit id: under Own, a unit of the
// district's blocks.
func (s *spaceAllocations) unit(ctx context.Context, id int64) error {
	a, g, err := check(ctx, spaceRules, AllocateUnits)
	if err != nil || g != Own {
		return err
	}
	d, err := unitDistrict(ctx, s.inv, id)
	if err != nil {
		return err
	}
	return inDistrict(a, AllocateUnits, d)
}

func (s *spaceAllocations) ReleaseHold(ctx context.Context, id int64, note string) (*space.Hold, error) {
	if _, _, err := check(ctx, spaceRules, AllocateUnits); err != nil {
		return nil, err
	}
	h, err := s.inner.FindHoldByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.unit(ctx, h.UnitID); err != nil {
		return nil, err
	}
	return s.inner.ReleaseHold(ctx, id, note)
}

func (s *spaceAllocations) Allocate(ctx context.Context, x *space.Allocation) error {
	if err := s.unit(ctx, x.UnitID); err != nil {
		return err
	}
	return s.inner.Allocate(ctx, x)
}

func (s *spaceAllocations) EndAllocation(ctx context.Context, id int64, on chanye.Date) (*space.Allocation, error) {
	if _, _, err := check(ctx, spaceRules, AllocateUnits); err != nil {
		return nil, err
	}
	x, err := s.inner.FindAllocationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.unit(ctx, x.UnitID); err != nil {
		return nil, err
	}
	return s.inner.EndAllocation(ctx, id, on)
}

func (s *spaceAllocations) ExpireHolds(ctx context.Context) (space.Expiry, error) {
	if _, _, err := check(ctx, spaceRules, ExpireSpaceHolds); err != nil {
		return space.Expiry{}, err
	}
	return s.inner.ExpireHolds(ctx)
}

func (s *spaceAllocations) FindHoldByID(ctx context.Context, id int64) (*space.Hold, error) {
	if _, _, err := check(ctx, spaceRules, ReadHolds); err != nil {
		return nil, err
	}
	return s.inner.FindHoldByID(ctx, id)
}

func (s *spaceAllocations) FindHolds(ctx context.Context, f space.HoldFilter) ([]*space.Hold, int, error) {
	if _, _, err := check(ctx, spaceRules, ReadHolds); err != nil {
		return nil, 0, err
	}
	return s.inner.FindHolds(ctx, f)
}

// FindAllocationByID: an enterprise reads its own; another's is not
// there (ENOTFOUND).
func (s *spaceAllocations) FindAllocationByID(ctx context.Context, id int64) (*space.Allocation, error) {
	a, g, err := check(ctx, spaceRules, ReadAllocations)
	if err != nil {
		return nil, err
	}
	x, err := s.inner.FindAllocationByID(ctx, id)
	if err != nil || g != Own {
		return x, err
	}
	if err := scoped(a, ReadAllocations, isFirm(a, x.Code)); err != nil {
		return nil, err
	}
	return x, nil
}

// FindAllocations: an enterprise lists its own only.
func (s *spaceAllocations) FindAllocations(ctx context.Context, f space.AllocationFilter) ([]*space.Allocation, int, error) {
	a, g, err := check(ctx, spaceRules, ReadAllocations)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		var ok bool
		if f.Code, ok = ownCode(a, g, f.Code); !ok {
			return []*space.Allocation{}, 0, nil
		}
	}
	return s.inner.FindAllocations(ctx, f)
}

// FindSizeRule: the rule is what the city announces (大项目供地): every
// reader of the inventory reads it.
func (s *spaceAllocations) FindSizeRule(ctx context.Context) (space.SizeRule, error) {
	if _, _, err := check(ctx, spaceRules, ReadInventory); err != nil {
		return space.SizeRule{}, err
	}
	return s.inner.FindSizeRule(ctx)
}

func (s *spaceAllocations) PutSizeRule(ctx context.Context, r space.SizeRule) error {
	if _, _, err := check(ctx, spaceRules, WriteSpaceSettings); err != nil {
		return err
	}
	return s.inner.PutSizeRule(ctx, r)
}

// SpaceUse returns inner guarded by spaceRules.
func SpaceUse(inner space.UseService) space.UseService { return &spaceUse{inner: inner} }

type spaceUse struct{ inner space.UseService }

var _ space.UseService = (*spaceUse)(nil)

func (s *spaceUse) FindBlockUse(ctx context.Context, f space.BlockFilter) ([]*space.BlockUse, error) {
	if _, _, err := check(ctx, spaceRules, ReadUse); err != nil {
		return nil, err
	}
	return s.inner.FindBlockUse(ctx, f)
}

func (s *spaceUse) FindUseThresholds(ctx context.Context) (space.Thresholds, error) {
	if _, _, err := check(ctx, spaceRules, ReadUse); err != nil {
		return space.Thresholds{}, err
	}
	return s.inner.FindUseThresholds(ctx)
}

func (s *spaceUse) PutUseThresholds(ctx context.Context, t space.Thresholds) error {
	if _, _, err := check(ctx, spaceRules, WriteSpaceSettings); err != nil {
		return err
	}
	return s.inner.PutUseThresholds(ctx, t)
}
