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
)

// chainRules: a chain's structure is open data; a task force keeps its
// own industry's chain, a department those of the industries it leads;
// replacing the whole set is the administrators'.
var chainRules = Rules{
	ReadChains:   {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	WriteChain:   {admin: Allow, department: Own, taskForce: Own},
	ImportChains: {admin: Allow},
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
