package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore"
)

// spaceDemoStats is what the demo's industrial space made.
type spaceDemoStats struct {
	Blocks, Units               int
	Transferred, Leased, Sold   int // allocations
	Ended                       int // leases given up early
	Held, Expiring              int // holds, and of them those ending within space.ExpiryWarningDays
	Known, Unknown, Flagged     int // blocks with land transferred: 亩均 known, unknown, under the thresholds
	ImportTook, AllocationsTook time.Duration
}

// The demo's use of its inventory. Every allocation is one transaction
// (about 2 ms on SQLite), so the shares are kept to what shows the pages
// and the map at work without slowing serve --demo's first start much.
const (
	demoLandShare = 3  // one parcel in three is transferred
	demoUnknownIn = 50 // one block with transferred land in 50 has a firm without figures on it
	demoSaleIn    = 8  // of the floors let, one in 8 with a sale price is sold
)

// demoOccupancy draws the share (per cent) of a block's floors and plants
// that are let: most blocks none, some a little, a few much.
func demoOccupancy(r *rand.Rand) int {
	switch x := r.IntN(100); {
	case x < 65:
		return 0
	case x < 90:
		return 5 + r.IntN(11)
	case x < 98:
		return 25 + r.IntN(21)
	default:
		return 60 + r.IntN(21)
	}
}

// ensureDemoSpace loads the demo's industrial space (demo.Space, planned
// for the catalog's industries) on a base without blocks, and uses it on
// the store's clock moved through the past: a third of the land parcels
// transferred to registry firms of the block's district that have
// figures, each the firm whose tax comes nearest a tax per 亩 drawn around
// the threshold (so that 亩均 shows, above and below it), a few blocks'
// land to a firm without figures (亩均 unknown); a share of the floors and plants
// of each block leased or sold; units held for demo key projects and 招商
// leads, chosen by routing their needs, one hold ending within
// space.ExpiryWarningDays; one lease given up early. The clock is put
// back and the daily expiry run, so that the holders of the hold ending
// soon are told. Units and blocks are marked demo, holds say so in
// their note.
func ensureDemoSpace(ctx context.Context, db *sqlstore.DB, store *sqlstore.Store, now func() time.Time) (spaceDemoStats, error) {
	var st spaceDemoStats
	if _, n, err := store.FindBlocks(ctx, space.BlockFilter{Limit: 1}); err != nil || n > 0 {
		return st, err
	}
	today := chanye.DateOf(now())
	c, err := store.FindCatalog(ctx)
	if err != nil {
		return st, err
	}
	var industries []string
	for _, ind := range c.Industries {
		industries = append(industries, ind.ID)
	}
	blocks, units, err := demo.Space(demo.SpaceOptions{Seed: 1, Industries: industries, AsOf: today})
	if err != nil {
		return st, err
	}
	start := time.Now()
	if _, err := store.ImportInventory(ctx, blocks, units); err != nil {
		return st, fmt.Errorf("演示产业空间 / demo space: %w", err)
	}
	st.Blocks, st.Units, st.ImportTook = len(blocks), len(units), time.Since(start)

	start = time.Now()
	realNow := db.Now
	defer func() { db.Now = realNow }()
	setDay := func(d chanye.Date) {
		at := time.Date(d.Year(), d.Month(), d.Day(), 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return at }
	}
	if err := demoAllocations(ctx, store, today, setDay, &st); err != nil {
		return st, fmt.Errorf("演示供地供房 / demo allocations: %w", err)
	}
	if err := demoHolds(ctx, store, today, setDay, &st); err != nil {
		return st, fmt.Errorf("演示预留 / demo holds: %w", err)
	}
	db.Now = realNow
	if _, err := store.ExpireHolds(ctx); err != nil {
		return st, err
	}
	st.AllocationsTook = time.Since(start)
	use, err := store.FindBlockUse(ctx, space.BlockFilter{})
	if err != nil {
		return st, err
	}
	for _, u := range use {
		switch {
		case u.LandM2 == 0:
		case u.TaxPerMu != nil:
			st.Known++
		default:
			st.Unknown++
		}
		if len(u.Flags) > 0 {
			st.Flagged++
		}
	}
	return st, nil
}

// demoFirms are the registry's firms of a district for the demo's
// allocations.
type demoFirms struct {
	figures []demoFirm // with revenue and tax in their latest year, the most tax first
	none    []string   // without any figures
	all     []string   // by code
}

type demoFirm struct {
	code string
	tax  chanye.Fen
}

// demoSpaceFirms reads the registry's firms of each district, with or
// without figures.
func demoSpaceFirms(ctx context.Context, store *sqlstore.Store, districts []string) (map[string]*demoFirms, error) {
	type latest struct {
		year     int
		tax      chanye.Fen
		complete bool
	}
	facts := map[string]latest{}
	err := store.ScanFacts(ctx, chanye.EnterpriseFilter{}, func(r *chanye.FactsRecord) error {
		if l, ok := facts[r.Code]; ok && l.year > r.Year {
			return nil
		}
		l := latest{year: r.Year, complete: r.Revenue != nil && r.TaxPaid != nil}
		if r.TaxPaid != nil {
			l.tax = *r.TaxPaid
		}
		facts[r.Code] = l
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]*demoFirms{}
	for _, d := range districts {
		f := &demoFirms{}
		err := store.ScanCodes(ctx, chanye.EnterpriseFilter{DistrictCode: &d}, func(code string) error {
			f.all = append(f.all, code)
			switch l, ok := facts[code]; {
			case !ok:
				f.none = append(f.none, code)
			case l.complete && l.tax > 0:
				f.figures = append(f.figures, demoFirm{code, l.tax})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(f.figures, func(a, b demoFirm) int { return cmp.Compare(b.tax, a.tax) })
		out[d] = f
	}
	return out, nil
}

// demoAllocations transfers land and lets floors and plants block by
// block, then makes the allocations in the order of their start, the
// store's clock on that day.
func demoAllocations(ctx context.Context, store *sqlstore.Store, today chanye.Date, setDay func(chanye.Date), st *spaceDemoStats) error {
	blocks, err := allPages(func(offset int) ([]*space.Block, int, error) {
		return store.FindBlocks(ctx, space.BlockFilter{Offset: offset, Limit: space.MaxPage})
	})
	if err != nil {
		return err
	}
	units, err := allPages(func(offset int) ([]*space.Unit, int, error) {
		return store.FindUnits(ctx, space.UnitFilter{Offset: offset, Limit: space.MaxPage})
	})
	if err != nil {
		return err
	}
	byBlock := map[int64][]*space.Unit{}
	parcels, offered := 0, 0
	for _, u := range units {
		byBlock[u.BlockID] = append(byBlock[u.BlockID], u)
		if u.Kind == space.Land {
			parcels++
			if u.Offered(today) {
				offered++
			}
		}
	}
	if offered == 0 {
		return nil
	}
	var districts []string
	for _, b := range blocks {
		if !slices.Contains(districts, b.DistrictCode) {
			districts = append(districts, b.DistrictCode)
		}
	}
	firms, err := demoSpaceFirms(ctx, store, districts)
	if err != nil {
		return err
	}
	var plan []*space.Allocation
	type parcel struct {
		a    *space.Allocation
		area int64
	}
	land := map[string][]parcel{} // parcels to transfer to firms with figures, by district
	withLand := 0
	for i, b := range blocks {
		f := firms[b.DistrictCode]
		if f == nil || len(f.all) == 0 {
			continue
		}
		r := rand.New(rand.NewPCG(1, 15<<32|uint64(i)))
		share := demoOccupancy(r)
		transferred := false
		for _, u := range byBlock[b.ID] {
			if !u.Offered(today) {
				continue
			}
			a := &space.Allocation{UnitID: u.ID}
			if u.Kind == space.Land {
				// A third of all parcels, drawn from those on offer.
				if r.IntN(offered) >= parcels/demoLandShare || len(f.figures) == 0 {
					continue
				}
				// The first parcel of one block in demoUnknownIn goes to a
				// firm without figures: the block's 亩均 is unknown. The
				// others get firms with figures below.
				if !transferred && withLand%demoUnknownIn == demoUnknownIn/2 && len(f.none) > 0 {
					a.Code = f.none[r.IntN(len(f.none))]
					plan = append(plan, a)
				} else {
					land[b.DistrictCode] = append(land[b.DistrictCode], parcel{a, u.AreaM2})
				}
				transferred = true
				a.Kind, a.From, a.AmountFen = space.Transfer, chanye.DateOf(today.AddDate(0, 0, -180-r.IntN(6*365))), u.PriceFen
				continue
			}
			if r.IntN(100) >= share {
				continue
			}
			a.Code = f.all[r.IntN(len(f.all))]
			a.From = chanye.DateOf(today.AddDate(0, 0, -r.IntN(2*365)))
			if u.Kind == space.Floor && u.PriceFen != nil && r.IntN(demoSaleIn) == 0 {
				a.Kind, a.AmountFen = space.Sale, u.PriceFen
			} else {
				a.Kind, a.AmountFen = space.Lease, u.RentFenM2Month
				a.To = chanye.DateOf(a.From.AddDate(3+r.IntN(3), 0, -1))
			}
			plan = append(plan, a)
		}
		if transferred {
			withLand++
		}
	}
	// In each district the smallest parcels go to the firms paying the
	// most tax: the registry's firms are few and small for a city's land,
	// and so some blocks come out above the thresholds, most below.
	for d, ps := range land {
		slices.SortStableFunc(ps, func(a, b parcel) int { return cmp.Compare(a.area, b.area) })
		for i, p := range ps {
			if i >= len(firms[d].figures) {
				break
			}
			p.a.Code = firms[d].figures[i].code
			plan = append(plan, p.a)
		}
	}
	slices.SortStableFunc(plan, func(a, b *space.Allocation) int {
		return cmp.Or(a.From.Compare(b.From.Time), cmp.Compare(a.UnitID, b.UnitID))
	})
	var early *space.Allocation
	for _, a := range plan {
		setDay(a.From)
		if err := store.Allocate(ctx, a); err != nil {
			return fmt.Errorf("unit %d: %w", a.UnitID, err)
		}
		switch a.Kind {
		case space.Transfer:
			st.Transferred++
		case space.Sale:
			st.Sold++
		default:
			st.Leased++
			if early == nil && !a.From.After(today.AddDate(0, 0, -60)) {
				early = a
			}
		}
	}
	if early != nil {
		// Given up ten days ago.
		on := chanye.DateOf(today.AddDate(0, 0, -10))
		setDay(on)
		if _, err := store.EndAllocation(ctx, early.ID, on); err != nil {
			return err
		}
		st.Ended++
	}
	return nil
}

// demoHolds holds units for demo key projects (signed, not started) and
// 招商 leads in talks, three weeks ago, each the best unit on offer
// Route finds for its needs: the first, for a project of the industry of
// the demo's red project (the demo task force's), until four days from
// today, so that its holders are told it ends; the others for one to
// three months more.
func demoHolds(ctx context.Context, store *sqlstore.Store, today chanye.Date, setDay func(chanye.Date), st *spaceDemoStats) error {
	// The projects and leads as of today (a project's colour is today's):
	// the clock moves back to the day of the holds after.
	heldOn := chanye.DateOf(today.AddDate(0, 0, -21))
	setDay(today)
	signed, red := project.StageSigned, project.Red
	ps, _, err := store.FindProjects(ctx, project.ProjectFilter{Stage: &signed, Limit: 1000})
	if err != nil {
		return err
	}
	reds, _, err := store.FindProjects(ctx, project.ProjectFilter{Colour: &red, Limit: 1})
	if err != nil {
		return err
	}
	if len(reds) > 0 {
		// The red project's industry first.
		first := func(p *project.Project) int {
			if p.IndustryID == reds[0].IndustryID {
				return 0
			}
			return 1
		}
		slices.SortStableFunc(ps, func(a, b *project.Project) int { return cmp.Compare(first(a), first(b)) })
	}
	type holder struct {
		kind space.ForKind
		id   string
		n    space.Needs
	}
	var holders []holder
	seen := map[string]bool{}
	for _, p := range ps {
		if len(holders) == 4 {
			break
		}
		if seen[p.IndustryID] || p.TotalInvestmentFen <= 0 {
			continue
		}
		seen[p.IndustryID] = true
		holders = append(holders, holder{space.ForProject, p.ID, demoNeeds(p.TotalInvestmentFen, p.IndustryID, p.DistrictCode)})
	}
	negotiate := invest.StageNegotiate
	ls, _, err := store.FindLeads(ctx, invest.LeadFilter{Stage: &negotiate, Limit: 2})
	if err != nil {
		return err
	}
	for _, l := range ls {
		var inv chanye.Fen = 100_000_000_00
		if l.ExpectedFen != nil && *l.ExpectedFen > 0 {
			inv = *l.ExpectedFen
		}
		district := ""
		if l.OwnerKind == invest.OwnerDistrict {
			district = l.OwnerName
		}
		holders = append(holders, holder{space.ForLead, fmt.Sprint(l.ID), demoNeeds(inv, l.IndustryID, district)})
	}
	setDay(heldOn)
	for i, h := range holders {
		r, err := store.Route(ctx, h.n, space.MaxCandidates)
		if err != nil {
			return err
		}
		for _, c := range r.Candidates {
			if !c.Unit.Offered(heldOn) {
				continue
			}
			until := chanye.DateOf(today.AddDate(0, 0, 30*(1+i%3)))
			if i == 0 {
				until = chanye.DateOf(today.AddDate(0, 0, 4))
				st.Expiring++
			}
			hold := &space.Hold{UnitID: c.Unit.ID, ForKind: h.kind, ForID: h.id, Until: until, Note: "演示预留 / demo hold"}
			if err := store.HoldUnit(ctx, hold); err != nil {
				return err
			}
			st.Held++
			break
		}
	}
	return nil
}

// demoNeeds are the needs of a project or lead of an investment: an area
// at 300 万元 a 亩 (the city's usual floor of investment per 亩), between
// 800 m² and 150,000 m², of its industry, in its district when known.
func demoNeeds(investment chanye.Fen, industry, district string) space.Needs {
	// m² = fen / 3,000,000 元 × 10,000 / 15 = fen / 450,000.
	area := min(max(int64(investment)/450_000, 800), 150_000)
	n := space.Needs{InvestmentFen: min(investment, chanye.MaxProjectFen), AreaM2: area, IndustryID: industry}
	if district != "" {
		n.Districts = []string{district}
	}
	return n
}

// spaceSummary words the demo's industrial space for a log line or the
// terminal.
func spaceSummary(st spaceDemoStats) string {
	return fmt.Sprintf("演示产业空间 / demo industrial space: %d 个区块 blocks, %d 个单元 units; 出让地块 parcels transferred %d, 出租 leased %d, 出售 sold %d, 提前退租 given up early %d; 预留 held %d (%d 个 %d 天内到期 ending within %d days); 亩均 per 亩 known for %d 个区块 blocks, unknown for %d, %d 个低于阈值 flagged; 导入 import %s, 供地供房 allocations %s",
		st.Blocks, st.Units, st.Transferred, st.Leased, st.Sold, st.Ended, st.Held, st.Expiring, space.ExpiryWarningDays, space.ExpiryWarningDays,
		st.Known, st.Unknown, st.Flagged, st.ImportTook.Round(time.Millisecond), st.AllocationsTook.Round(time.Millisecond))
}
