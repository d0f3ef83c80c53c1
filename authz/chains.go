package authz

import (
	"context"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// Chain actions.
const (
	ReadChains   Action = "read the industry chains" // the structure: open data
	WriteChain   Action = "change an industry chain"
	ImportChains Action = "import the industry chains"
	ReadLeads    Action = "read the 链主 designations"
	WriteLeads   Action = "designate 链主"
)

// chainRules: a chain's structure is open data; a task force keeps its
// own industry's chain, a department those of the industries it leads;
// replacing the whole set is the administrators'.
var chainRules = Rules{
	ReadChains:   {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	WriteChain:   {admin: Allow, department: Own, taskForce: Own},
	ImportChains: {admin: Allow},
	// 链主 are firm-level detail: the officials'.
	ReadLeads:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow},
	WriteLeads: {admin: Allow, department: Own, taskForce: Own},
}

// ChainRules returns the chains' rules, for review and tests.
func ChainRules() Rules { return chainRules }

type chains struct {
	inner chain.Service
	cat   chanye.CatalogService
}

// Chains returns inner guarded by chainRules; cat says who leads an
// industry.
func Chains(inner chain.Service, cat chanye.CatalogService) chain.Service {
	return &chains{inner: inner, cat: cat}
}

var _ chain.Service = (*chains)(nil)

func (c *chains) FindChains(ctx context.Context) (*chain.Set, error) {
	if _, _, err := check(ctx, chainRules, ReadChains); err != nil {
		return nil, err
	}
	return c.inner.FindChains(ctx)
}

func (c *chains) ImportChains(ctx context.Context, s *chain.Set) (chain.Imported, error) {
	if _, _, err := check(ctx, chainRules, ImportChains); err != nil {
		return chain.Imported{}, err
	}
	return c.inner.ImportChains(ctx, s)
}

func (c *chains) PutChain(ctx context.Context, ch *chain.Chain) (chain.Imported, error) {
	a, g, err := check(ctx, chainRules, WriteChain)
	if err != nil {
		return chain.Imported{}, err
	}
	if g == Own {
		ok, err := ownsIndustry(ctx, c.cat, a, ch.IndustryID)
		if err != nil {
			return chain.Imported{}, err
		}
		if err := scoped(a, WriteChain, ok); err != nil {
			return chain.Imported{}, err
		}
	}
	return c.inner.PutChain(ctx, ch)
}

type leadFirms struct {
	inner chain.LeadFirmService
	cat   chanye.CatalogService
}

// LeadFirms returns inner guarded by chainRules: officials read the 链主,
// an industry's task force and the department that leads it designate
// them, as administrators do for any.
func LeadFirms(inner chain.LeadFirmService, cat chanye.CatalogService) chain.LeadFirmService {
	return &leadFirms{inner: inner, cat: cat}
}

var _ chain.LeadFirmService = (*leadFirms)(nil)

func (l *leadFirms) FindLeadFirms(ctx context.Context, industryID string) ([]*chain.LeadFirm, error) {
	if _, _, err := check(ctx, chainRules, ReadLeads); err != nil {
		return nil, err
	}
	return l.inner.FindLeadFirms(ctx, industryID)
}

// write checks that a may designate the industry's 链主.
func (l *leadFirms) write(ctx context.Context, industryID string) error {
	a, g, err := check(ctx, chainRules, WriteLeads)
	if err != nil || g != Own {
		return err
	}
	ok, err := ownsIndustry(ctx, l.cat, a, industryID)
	if err != nil {
		return err
	}
	return scoped(a, WriteLeads, ok)
}

func (l *leadFirms) DesignateLeadFirm(ctx context.Context, x *chain.LeadFirm) error {
	if err := l.write(ctx, x.IndustryID); err != nil {
		return err
	}
	return l.inner.DesignateLeadFirm(ctx, x)
}

func (l *leadFirms) EndLeadFirm(ctx context.Context, industryID string, id int64, on chanye.Date) (*chain.LeadFirm, error) {
	if err := l.write(ctx, industryID); err != nil {
		return nil, err
	}
	return l.inner.EndLeadFirm(ctx, industryID, id, on)
}
