package authz

import (
	"context"

	"github.com/chanye-org/chanye"
)

// Catalog actions.
const (
	ReadCatalog         Action = "read the catalog"        // catalog, industries, indicators: open data
	WriteResponsibility Action = "change responsibilities" // who leads an industry
	WriteIndicators     Action = "report indicators"
	ImportCatalog       Action = "import the catalog"
)

// catalogRules: the catalog is open data; a department keeps the industries
// it leads, a task force reports its industry's indicators; who leads an
// industry (the responsibility) beyond that is the administrators'.
var catalogRules = Rules{
	ReadCatalog:         {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	WriteResponsibility: {admin: Allow, department: Own},
	WriteIndicators:     {admin: Allow, department: Own, taskForce: Own},
	ImportCatalog:       {admin: Allow},
}

// CatalogRules returns the catalog's rules, for review and tests.
func CatalogRules() Rules { return catalogRules }

type catalog struct {
	inner chanye.CatalogService
}

// Catalog returns inner guarded by catalogRules.
func Catalog(inner chanye.CatalogService) chanye.CatalogService {
	return &catalog{inner: inner}
}

var _ chanye.CatalogService = (*catalog)(nil)

// ownsIndustry reports whether the industry is in a's scope: a department
// leads it, or it is the task force's. No industry ("") is no one's (the
// store would read "" as the first industry). ENOTFOUND for an unknown
// industry.
func ownsIndustry(ctx context.Context, cat chanye.CatalogService, a *chanye.Actor, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	switch a.Role {
	case chanye.RoleDepartment:
		ind, err := cat.FindIndustryByID(ctx, id)
		if err != nil {
			return false, err
		}
		return a.Department != "" && ind.Responsibility.LeadDepartment == a.Department, nil
	case chanye.RoleTaskForce:
		return a.IndustryID != "" && id == a.IndustryID, nil
	}
	return false, nil
}

func (c *catalog) read(ctx context.Context) error {
	_, _, err := check(ctx, catalogRules, ReadCatalog)
	return err
}

func (c *catalog) FindCatalog(ctx context.Context) (*chanye.Catalog, error) {
	if err := c.read(ctx); err != nil {
		return nil, err
	}
	return c.inner.FindCatalog(ctx)
}

func (c *catalog) FindIndustries(ctx context.Context, filter chanye.IndustryFilter) ([]*chanye.Industry, error) {
	if err := c.read(ctx); err != nil {
		return nil, err
	}
	return c.inner.FindIndustries(ctx, filter)
}

func (c *catalog) FindIndustryByID(ctx context.Context, id string) (*chanye.Industry, error) {
	if err := c.read(ctx); err != nil {
		return nil, err
	}
	return c.inner.FindIndustryByID(ctx, id)
}

func (c *catalog) FindIndicators(ctx context.Context, filter chanye.IndicatorFilter) ([]*chanye.Indicator, error) {
	if err := c.read(ctx); err != nil {
		return nil, err
	}
	return c.inner.FindIndicators(ctx, filter)
}

func (c *catalog) UpdateResponsibility(ctx context.Context, id string, upd chanye.ResponsibilityUpdate) (*chanye.Industry, error) {
	a, g, err := check(ctx, catalogRules, WriteResponsibility)
	if err != nil {
		return nil, err
	}
	if g == Own {
		ok, err := ownsIndustry(ctx, c.inner, a, id)
		if err != nil {
			return nil, err
		}
		if err := scoped(a, WriteResponsibility, ok); err != nil {
			return nil, err
		}
	}
	return c.inner.UpdateResponsibility(ctx, id, upd)
}

func (c *catalog) ImportCatalog(ctx context.Context, cat *chanye.Catalog) error {
	if _, _, err := check(ctx, catalogRules, ImportCatalog); err != nil {
		return err
	}
	return c.inner.ImportCatalog(ctx, cat)
}

func (c *catalog) UpsertIndicators(ctx context.Context, values []*chanye.Indicator) error {
	a, g, err := check(ctx, catalogRules, WriteIndicators)
	if err != nil {
		return err
	}
	if g == Own {
		seen := map[string]bool{}
		for _, v := range values {
			if seen[v.IndustryID] {
				continue
			}
			seen[v.IndustryID] = true
			ok, err := ownsIndustry(ctx, c.inner, a, v.IndustryID)
			if err != nil {
				return err
			}
			if err := scoped(a, WriteIndicators, ok); err != nil {
				return err
			}
		}
	}
	return c.inner.UpsertIndicators(ctx, values)
}
