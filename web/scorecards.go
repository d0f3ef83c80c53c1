package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/scenario"
	"github.com/chanye-org/chanye/scorecard"
	"github.com/chanye-org/chanye/space"
)

// statusRow is an industry with its target status on a scorecard.
type statusRow struct {
	ID, Name      string
	Status, Label string // on_track, at_risk, off_track; "" without data
	Reason        string
	Red, Yellow   int
	Green, Total  int
}

// cardRow is one scorecard as the pages show it.
type cardRow struct {
	Kind, Name, Href string
	Industries       []statusRow
	Projects         scorecard.Colours
	OverdueNodes     int
	OpenWarnings     int
	Payout           string // "—" where there is no data
	PayoutNote       string
}

func (s *Server) cardRow(l Lang, c *scorecard.Card) cardRow {
	row := cardRow{Kind: string(c.Kind), Name: c.Name, Href: "/scorecards/" + string(c.Kind) + "/" + url.PathEscape(c.Name),
		Projects: c.Projects, OverdueNodes: c.OverdueNodes, OpenWarnings: c.OpenWarnings, Payout: l.T("dash")}
	for _, is := range c.Industries {
		sr := statusRow{ID: is.ID, Name: l.Pick(is.NameZH, is.NameEN), Status: string(is.Status), Label: l.T("dash"),
			Reason: l.Pick(is.ReasonZH, is.ReasonEN), Red: is.Projects.Red, Yellow: is.Projects.Yellow, Green: is.Projects.Green, Total: is.Projects.Total}
		if is.Status != "" {
			sr.Label = l.T("track." + string(is.Status))
		}
		row.Industries = append(row.Industries, sr)
	}
	switch p := c.Payout; {
	case p != nil:
		row.Payout = l.Tf("sc.payout.v", strconv.FormatFloat(p.MedianDays, 'f', 1, 64))
		row.PayoutNote = l.Tf("sc.payout.note", p.Payments, p.Policies, p.Within15, strconv.FormatFloat(p.MaxDays, 'f', 1, 64))
	case c.Kind == scorecard.Department:
		row.PayoutNote = l.T("sc.payout.none")
	default:
		row.PayoutNote = l.T("sc.payout.na")
	}
	return row
}

type scorecardsView struct {
	page
	Kind  string
	Kinds []link
	Names []option // the filter: the kind's list, in its order
	Rows  []cardRow
}

func (s *Server) scorecardService() (*scorecard.Service, error) {
	if _, err := s.projectService(); err != nil {
		return nil, err
	}
	return &scorecard.Service{Catalog: s.cfg.Catalog, Projects: s.cfg.Projects, Versions: s.cfg.Policies.Versions, Runs: s.cfg.Policies.Runs, Ledger: s.cfg.Policies.Ledger,
		Lists: s.cfg.Lists}, nil
}

// scorecardList shows the scorecards of one kind: city leaders by default.
func (s *Server) scorecardList(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scorecardService()
	if err != nil {
		return err
	}
	v := &scorecardsView{page: s.newPage(r, "projects")}
	l := v.L
	v.Title = l.T("sc.title")
	kind := scorecard.Leader
	if q := r.URL.Query().Get("kind"); q != "" {
		if kind, err = scorecard.ParseKind(q); err != nil {
			return err
		}
	}
	v.Kind = string(kind)
	for _, k := range scorecard.Kinds {
		v.Kinds = append(v.Kinds, link{"/scorecards?kind=" + string(k), l.T("sc.kind." + string(k))})
	}
	cards, err := sc.Cards(r.Context(), chanye.DateOf(s.now()), kind)
	if err != nil {
		return err
	}
	// The name filter chooses from the kind's list; without one, from the
	// names that have a card.
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	lists, err := s.orgLists(r)
	if err != nil {
		return err
	}
	var names []string
	for _, c := range cards {
		names = append(names, c.Name)
	}
	v.Names = filterOptions(l, lists, chanye.OrgKind(kind), name, names)
	for _, c := range cards {
		if name == "" || c.Name == name {
			v.Demo = v.Demo || c.Demo
			v.Rows = append(v.Rows, s.cardRow(l, c))
		}
	}
	return s.render(w, "scorecards", v)
}

type scorecardView struct {
	page
	KindName string
	Card     cardRow
	Overdue  []scorecard.OverdueNode
	Red      []scorecard.ProjectRef
	AsOf     string
	// Funnel is the 招商 of the card's industries, one row each; nil when
	// the reader may not see it.
	Funnel []funnelRow
	// Requests are the figures of the enterprise requests the card
	// answers for: its own row, or one per industry of a task force's
	// card with their total; By names the first column.
	Requests []requestStatRow
	By       string
	// Scenarios are the year's application scenarios (首试首用) of the
	// card's industries, one row each with their total; nil when there is
	// no scenario service.
	Scenarios     []scenarioCardRow
	ScenarioYear  int
	ScenarioShown bool
	// Matches are the matchmaking (广聚群链) of the card's industries with
	// a chain, one row each with their total; nil when matchmaking is not
	// served or the card has no industry with a chain.
	Matches []matchCardRow
	// Space is the industrial space of the card's industries: the land
	// transferred this year in the blocks planned for each and the
	// occupancy of their floors and plants, with their total; nil when the
	// space is not served or the reader does not see its use.
	Space     []spaceCardRow
	SpaceYear int
}

// spaceCardRow is an industry's industrial space on a scorecard.
type spaceCardRow struct {
	ID, Name, Href  string
	Blocks          int
	Land, Occupancy string
}

// matchCardRow is an industry's matchmaking figures on a scorecard
// (match.Metrics); LocalShare "" is unknown (no open demand).
type matchCardRow struct {
	ID, Name                               string
	OpenDemands, Matches, Accepted, Signed int
	LocalShare, Contract                   string
}

// scenarioCardRow is an industry's scenarios of the year on a scorecard.
type scenarioCardRow struct {
	ID, Name             string
	Published, FirstUses int
}

// funnelRow is an industry's 招商 on a scorecard.
type funnelRow struct {
	ID, Name                 string
	Leads, Open, Lost        int
	SignedLeads, LandedLeads int
	Signed, Landed, Href     string
}

// scorecardPage shows one scorecard in full.
func (s *Server) scorecardPage(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scorecardService()
	if err != nil {
		return err
	}
	k, err := scorecard.ParseKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	v := &scorecardView{page: s.newPage(r, "projects")}
	l := v.L
	c, err := sc.Card(r.Context(), k, r.PathValue("name"), chanye.DateOf(s.now()))
	if err != nil {
		return err
	}
	v.Title = c.Name + " · " + l.T("sc.title")
	v.Demo = c.Demo
	v.KindName = l.T("sc.kind." + string(k))
	v.Card = s.cardRow(l, c)
	v.Overdue, v.Red, v.AsOf = c.Overdue, c.Red, c.AsOf.String()
	if v.Funnel, err = s.cardFunnel(r, l, v.Card); err != nil {
		return err
	}
	if v.Requests, v.By, err = s.cardRequests(r, l, k, v.Card); err != nil {
		return err
	}
	if err := s.cardScenarios(r, l, v); err != nil {
		return err
	}
	if v.Matches, err = s.cardMatches(r, l, v.Card); err != nil {
		return err
	}
	v.SpaceYear = chanye.DateOf(s.now()).Year()
	if v.Space, err = s.cardSpace(r, l, v.Card, v.SpaceYear); err != nil {
		return err
	}
	return s.render(w, "scorecard", v)
}

// cardScenarios fills the year's scenarios of the card's industries: those
// published and the first uses confirmed, from the year's progress, with
// their total when there are several industries.
func (s *Server) cardScenarios(r *http.Request, l Lang, v *scorecardView) error {
	if s.cfg.Scenarios.Scenarios == nil {
		return nil
	}
	v.ScenarioYear, v.ScenarioShown = chanye.DateOf(s.now()).Year(), true
	p, err := s.cfg.Scenarios.Scenarios.FindProgress(r.Context(), v.ScenarioYear)
	if err != nil {
		return err
	}
	byID := map[string]scenario.Count{}
	for _, x := range p.ByIndustry {
		byID[x.IndustryID] = x.Count
	}
	var total scenarioCardRow
	for _, ind := range v.Card.Industries {
		c := byID[ind.ID]
		v.Scenarios = append(v.Scenarios, scenarioCardRow{ID: ind.ID, Name: ind.Name, Published: c.Published, FirstUses: c.FirstUses})
		total.Published += c.Published
		total.FirstUses += c.FirstUses
	}
	if len(v.Scenarios) > 1 {
		total.Name = l.T("rs.total")
		v.Scenarios = append(v.Scenarios, total)
	}
	return nil
}

// cardMatches are the matchmaking figures of the card's industries that
// have a chain, with their total when there are several: the local
// supply share of the total is of the open demands summed, never an
// average of shares.
func (s *Server) cardMatches(r *http.Request, l Lang, c cardRow) ([]matchCardRow, error) {
	if s.cfg.Match.Matches == nil {
		return nil, nil
	}
	var out []matchCardRow
	var total match.Metrics
	var sum chanye.FenSum
	for _, ind := range c.Industries {
		mt, err := s.cfg.Match.Matches.FindChainMetrics(r.Context(), ind.ID)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			continue // an industry without a chain: nothing to match on
		} else if err != nil {
			return nil, err
		}
		row := newMetricsView(l, mt, ind.Name)
		out = append(out, matchCardRow{ID: ind.ID, Name: ind.Name, OpenDemands: mt.OpenDemands, Matches: mt.Matches, Accepted: mt.Accepted,
			Signed: mt.Signed, LocalShare: row.LocalShare, Contract: row.Contract})
		total.OpenDemands += mt.OpenDemands
		total.LocallyMatched += mt.LocallyMatched
		total.Matches += mt.Matches
		total.Accepted += mt.Accepted
		total.Signed += mt.Signed
		sum.Add(mt.ContractFen)
	}
	if len(out) > 1 {
		fen, err := sum.Total("contract_fen")
		if err != nil {
			return nil, err
		}
		total.ContractFen = fen
		if total.OpenDemands > 0 {
			share := int64(total.LocallyMatched) * 1000 / int64(total.OpenDemands)
			total.LocalSupplyPerMille = &share
		}
		row := newMetricsView(l, &total, l.T("rs.total"))
		out = append(out, matchCardRow{Name: row.Industry, OpenDemands: total.OpenDemands, Matches: total.Matches, Accepted: total.Accepted,
			Signed: total.Signed, LocalShare: row.LocalShare, Contract: row.Contract})
	}
	return out, nil
}

// cardRequests are the request figures of a card: a leader's requests
// are those of the industries it leads, a department's those it leads as
// handler, a task force's those of its industries.
func (s *Server) cardRequests(r *http.Request, l Lang, k scorecard.Kind, c cardRow) ([]requestStatRow, string, error) {
	if s.cfg.Requests == nil {
		return nil, "", nil
	}
	by := map[scorecard.Kind]string{scorecard.Leader: request.ByLeader, scorecard.Department: request.ByDepartment}[k]
	if by == "" {
		by = request.ByIndustry
	}
	stats, err := s.cfg.Requests.FindStats(r.Context(), request.StatsFilter{By: by})
	if err != nil {
		return nil, "", err
	}
	byKey := map[string]*request.Stat{}
	for _, st := range stats {
		byKey[st.Key] = st
	}
	var rows []requestStatRow
	if by != request.ByIndustry {
		if st := byKey[c.Name]; st != nil {
			rows = append(rows, statRow(l, c.Name, st))
		}
		return rows, by, nil
	}
	var all request.Stat
	for _, ind := range c.Industries {
		if st := byKey[ind.ID]; st != nil {
			rows = append(rows, statRow(l, ind.Name, st))
			addStat(&all, st)
		}
	}
	if len(rows) > 1 {
		rows = append(rows, statRow(l, l.T("rs.total"), &all))
	}
	return rows, by, nil
}

// cardFunnel is the 招商 funnel of each of a card's industries, for
// readers of the funnel's amounts; nil for others.
func (s *Server) cardFunnel(r *http.Request, l Lang, c cardRow) ([]funnelRow, error) {
	if s.cfg.Invest.Funnel == nil || !may(chanye.ActorFrom(r.Context()), authz.InvestRules(), authz.ReadInvestLeads) {
		return nil, nil
	}
	out := []funnelRow{}
	for _, ind := range c.Industries {
		id := ind.ID
		f, err := s.cfg.Invest.Funnel.FindFunnel(r.Context(), invest.LeadFilter{IndustryID: &id})
		if hidden(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		fv := funnelOf(l, f)
		row := funnelRow{ID: id, Name: ind.Name, Leads: f.Leads, Lost: f.Lost, SignedLeads: f.SignedLeads, LandedLeads: f.LandedLeads,
			Signed: fv.Signed, Landed: fv.Landed, Href: "/leads?industry=" + url.QueryEscape(id)}
		for _, st := range f.Stages {
			if !st.Stage.Closed() {
				row.Open += st.Now
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// cardSpace is the industrial space of each of the card's industries: the
// blocks planned for it, the land transferred in them this year (active
// transfers from a day of year) and the occupancy of their floors and
// plants, with the total over the blocks of any of them, each counted
// once; nil for readers who do not see the use of the blocks.
func (s *Server) cardSpace(r *http.Request, l Lang, c cardRow, year int) ([]spaceCardRow, error) {
	svc, err := s.spaceServices()
	if err != nil || len(c.Industries) == 0 {
		return nil, nil
	}
	ctx := r.Context()
	uses, err := svc.Use.FindBlockUse(ctx, space.BlockFilter{})
	if hidden(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	// The land transferred this year, by block: only blocks with land
	// transferred are read, unit by unit.
	landThisYear := map[int64]int64{}
	land, allocated := space.Land, space.Allocated
	for _, u := range uses {
		if u.LandM2 == 0 || !slices.ContainsFunc(c.Industries, func(x statusRow) bool { return slices.Contains(u.Block.Industries, x.ID) }) {
			continue
		}
		id := u.Block.ID
		units, _, err := svc.Inventory.FindUnits(ctx, space.UnitFilter{BlockID: &id, Kind: &land, Status: &allocated, Limit: space.MaxPage})
		if err != nil {
			return nil, err
		}
		for _, unit := range units {
			uid, ended := unit.ID, false
			xs, _, err := svc.Allocations.FindAllocations(ctx, space.AllocationFilter{UnitID: &uid, Ended: &ended, Limit: space.MaxPage})
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(xs, func(x *space.Allocation) bool { return x.Kind == space.Transfer && x.From.Year() == year }) {
				landThisYear[id] += unit.AreaM2
			}
		}
	}
	type sums struct {
		blocks           int
		land, floor, let int64
	}
	add := func(t *sums, u *space.BlockUse) {
		t.blocks++
		t.land += landThisYear[u.Block.ID]
		t.floor += u.FloorM2
		t.let += u.FloorLetM2
	}
	row := func(id, name string, t sums) spaceCardRow {
		out := spaceCardRow{ID: id, Name: name, Blocks: t.blocks, Land: areaText(t.land) + " · " + muText(l, t.land), Occupancy: l.T("sp.unknown")}
		if id != "" {
			out.Href = "/space?industry=" + url.QueryEscape(id)
		}
		if t.floor > 0 {
			per := t.let * 1000 / t.floor
			out.Occupancy = perMille(l, &per)
		}
		return out
	}
	var out []spaceCardRow
	var total sums
	counted := map[int64]bool{}
	for _, ind := range c.Industries {
		var t sums
		for _, u := range uses {
			if !slices.Contains(u.Block.Industries, ind.ID) {
				continue
			}
			add(&t, u)
			if !counted[u.Block.ID] {
				counted[u.Block.ID] = true
				add(&total, u)
			}
		}
		out = append(out, row(ind.ID, ind.Name, t))
	}
	if len(out) > 1 {
		out = append(out, row("", l.T("rs.total"), total))
	}
	return out, nil
}
