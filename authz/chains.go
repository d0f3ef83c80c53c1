package authz

import (
	"context"
	"strings"

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
	// Placement (挂链) and diagnosis.
	ReadPlacements  Action = "read the firms placed on chain links"
	WritePlacements Action = "place firms on chain links by hand"
	PlaceChains     Action = "place every firm on the chains"
	WriteThresholds Action = "change the chain diagnosis thresholds"
)

// chainRules: a chain's structure is open data; a task force keeps its
// own industry's chain, a department those of the industries it leads;
// replacing the whole set is the administrators'.
var chainRules = Rules{
	ReadChains:   {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	WriteChain:   {admin: Allow, department: Own, taskForce: Own},
	ImportChains: {admin: Allow},
	// 链主 are firm-level detail: the officials'.
	ReadLeads:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow},
	WriteLeads: {admin: Allow, department: Own, taskForce: Own},
	// Which firm sits on which link is firm-level: officials (a district's
	// too, which follows 招商 leads from the links) read it all,
	// an enterprise only its own links; the public sees the counts (the
	// diagnosis, read under ReadChains, without the top firm's code).
	ReadPlacements:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Own},
	WritePlacements: {admin: Allow, department: Own, taskForce: Own},
	PlaceChains:     {admin: Allow},
	WriteThresholds: {admin: Allow},
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

type placements struct {
	inner chain.Placements
	cat   chanye.CatalogService
}

// Placements returns inner guarded by chainRules: officials read the
// placements, an enterprise its own; an industry's task force and lead
// department place and remove its firms by hand; administrators run the
// placement and set the thresholds; anyone reads the links' figures, the
// top firm's code only officials.
func Placements(inner chain.Placements, cat chanye.CatalogService) chain.Placements {
	return &placements{inner: inner, cat: cat}
}

var _ chain.Placements = (*placements)(nil)

// linkIndustry returns the industry of a link id (industry.segment[.sub]).
func linkIndustry(linkID string) string {
	industry, _, _ := strings.Cut(linkID, ".")
	return industry
}

func (p *placements) PlaceAll(ctx context.Context) (*chain.PlaceRun, error) {
	if _, _, err := check(ctx, chainRules, PlaceChains); err != nil {
		return nil, err
	}
	return p.inner.PlaceAll(ctx)
}

func (p *placements) LastPlaceRun(ctx context.Context) (*chain.PlaceRun, error) {
	if _, _, err := check(ctx, chainRules, ReadChains); err != nil {
		return nil, err
	}
	return p.inner.LastPlaceRun(ctx)
}

// readAll checks that the actor may read every firm's placements.
func (p *placements) readAll(ctx context.Context) error {
	a, g, err := check(ctx, chainRules, ReadPlacements)
	if err != nil || g == Allow {
		return err
	}
	return deny(a, ReadPlacements) // an enterprise reads only its own links
}

func (p *placements) FindPlacements(ctx context.Context, linkID string, offset, limit int) ([]*chain.Placement, int, error) {
	if err := p.readAll(ctx); err != nil {
		return nil, 0, err
	}
	return p.inner.FindPlacements(ctx, linkID, offset, limit)
}

func (p *placements) FindEnterprisePlacements(ctx context.Context, code string) ([]*chain.Placement, error) {
	a, g, err := check(ctx, chainRules, ReadPlacements)
	if err != nil {
		return nil, err
	}
	if g == Own {
		if err := scoped(a, ReadPlacements, a.Code != "" && strings.EqualFold(strings.TrimSpace(code), a.Code)); err != nil {
			return nil, err
		}
	}
	return p.inner.FindEnterprisePlacements(ctx, code)
}

func (p *placements) FindRemovals(ctx context.Context, industryID string) ([]*chain.Removal, error) {
	if err := p.readAll(ctx); err != nil {
		return nil, err
	}
	return p.inner.FindRemovals(ctx, industryID)
}

// write checks that the actor may place firms on the industry's links.
func (p *placements) write(ctx context.Context, industryID string) error {
	a, g, err := check(ctx, chainRules, WritePlacements)
	if err != nil || g != Own {
		return err
	}
	ok, err := ownsIndustry(ctx, p.cat, a, industryID)
	if err != nil {
		return err
	}
	return scoped(a, WritePlacements, ok)
}

func (p *placements) Place(ctx context.Context, x *chain.Placement) error {
	if err := p.write(ctx, linkIndustry(x.LinkID)); err != nil {
		return err
	}
	return p.inner.Place(ctx, x)
}

func (p *placements) Unplace(ctx context.Context, linkID, code, reason string) (*chain.Removal, error) {
	if err := p.write(ctx, linkIndustry(linkID)); err != nil {
		return nil, err
	}
	return p.inner.Unplace(ctx, linkID, code, reason)
}

func (p *placements) UndoRemoval(ctx context.Context, linkID, code string) (*chain.Removal, error) {
	if err := p.write(ctx, linkIndustry(linkID)); err != nil {
		return nil, err
	}
	return p.inner.UndoRemoval(ctx, linkID, code)
}

func (p *placements) FindLinkStats(ctx context.Context, year int) (map[string]map[int]*chain.LinkStats, error) {
	a, _, err := check(ctx, chainRules, ReadChains)
	if err != nil {
		return nil, err
	}
	out, err := p.inner.FindLinkStats(ctx, year)
	if err != nil || chainRules.Grant(a.Role, ReadPlacements) == Allow {
		return out, err
	}
	for _, years := range out {
		for _, st := range years {
			st.TopCode = ""
		}
	}
	return out, nil
}

func (p *placements) FindThresholds(ctx context.Context) (chain.Thresholds, error) {
	if _, _, err := check(ctx, chainRules, ReadChains); err != nil {
		return chain.Thresholds{}, err
	}
	return p.inner.FindThresholds(ctx)
}

func (p *placements) PutThresholds(ctx context.Context, t chain.Thresholds) error {
	if _, _, err := check(ctx, chainRules, WriteThresholds); err != nil {
		return err
	}
	return p.inner.PutThresholds(ctx, t)
}

// ImportPlacements checks every row's industry as a placement by hand
// would be checked.
func (p *placements) ImportPlacements(ctx context.Context, rows []*chain.Placement) (*chain.PlaceImport, error) {
	seen := map[string]bool{}
	for _, x := range rows {
		ind := linkIndustry(x.LinkID)
		if seen[ind] {
			continue
		}
		seen[ind] = true
		if err := p.write(ctx, ind); err != nil {
			return nil, err
		}
	}
	return p.inner.ImportPlacements(ctx, rows)
}

func (p *placements) ScanPlacements(ctx context.Context, fn func(*chain.Placement) error) error {
	if err := p.readAll(ctx); err != nil {
		return err
	}
	return p.inner.ScanPlacements(ctx, fn)
}
