package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// Sources are the services a meeting report reads.
type Sources struct {
	Catalog     chanye.CatalogService
	Projects    project.Service
	Enterprises chanye.EnterpriseService // for the owners' names; may be nil
}

// ParseMonth checks a YYYY-MM month and returns its first day.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, chanye.Invalid("月份有误 / invalid month", map[string]string{"month": fmt.Sprintf("月份 %q 须为 YYYY-MM / must be YYYY-MM", s)})
	}
	return t, nil
}

// MonthAsOf is the day a month's meeting is computed for: the month's last
// day, or today while the month runs.
func MonthAsOf(month time.Time, today time.Time) chanye.Date {
	end := chanye.DateOf(month.AddDate(0, 1, -1))
	if t := chanye.DateOf(today); t.Before(end.Time) && !t.Before(month) {
		return t
	}
	return end
}

// sinceMonths is how far back Build looks for the month a red project
// turned red.
const sinceMonths = 12

// Build gathers the meeting of month (YYYY-MM) with colours as of asOf
// (see MonthAsOf; required): every project with its colour, the warnings of the
// red ones, overdue nodes and the year's investment from the reports.
// Errors: EINVALID for a bad month, and whatever the services return.
func Build(ctx context.Context, src Sources, month string, asOf chanye.Date) (*Meeting, error) {
	first, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		return nil, errors.New("report: Build needs the as-of day")
	}
	cat, err := src.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	// Every project with its colour and nodes in one read.
	board, err := src.Projects.FindBoard(ctx, project.ProjectFilter{AsOf: asOf})
	if err != nil {
		return nil, err
	}
	ps := board.Projects
	m := &Meeting{Month: first.Format("2006-01"), AsOf: asOf.String()}
	year := first.Year()
	ym := m.Month

	// The year's reports up to the month, and each project's latest.
	type done struct {
		year     chanye.FenSum
		all      chanye.Fen
		progress float64
		reported bool // a report for the month before asOf's, the one due
	}
	dones := map[string]*done{}
	from, to := fmt.Sprintf("%d-01", year), ym
	due := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
	err = chanye.EachPage(10000, func(off, limit int) ([]*project.Report, int, error) {
		return src.Projects.FindReports(ctx, project.ReportFilter{To: &to, Offset: off, Limit: limit})
	}, func(page []*project.Report) error {
		for _, r := range page {
			d := dones[r.ProjectID]
			if d == nil {
				d = &done{}
				dones[r.ProjectID] = d
			}
			if r.Month >= from {
				d.year.Add(r.InvestedFen)
			}
			// Reports come in month order: the last one seen is the latest.
			d.all, d.progress = r.CumulativeFen, r.ProgressPct
			if r.Month == due {
				d.reported = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	industryName := func(id string) string { return industryName(cat, id) }
	districtName := func(code string) string { return districtName(cat, code) }
	// Every amount is summed in fen with overflow checking: the reports
	// are bounded (project.Report.Validate), but a sum of many must still
	// be an error rather than wrap.
	type sums struct{ total, plan, done chanye.FenSum }
	byInd := map[string]*Summary{}
	byDist := map[string]*Summary{}
	sumsOf := map[*Summary]*sums{}
	var red []*project.Project
	overdueBy := map[string]int{}
	for _, p := range ps {
		m.Demo = m.Demo || p.Demo
		d := dones[p.ID]
		if d == nil {
			d = &done{}
		}
		doneYear, err := d.year.Total("done_year")
		if err != nil {
			return nil, fmt.Errorf("report: project %s: %w", p.ID, err)
		}
		var plan chanye.Fen
		for _, y := range p.YearlyPlan {
			if y.Year == year {
				plan = y.PlannedFen
			}
		}
		overdue := 0
		for _, n := range board.Nodes[p.ID] {
			if !n.Overdue(asOf) {
				continue
			}
			overdue++
			m.Overdue = append(m.Overdue, OverdueNode{ProjectID: p.ID, ProjectName: p.Name, Node: n.Name,
				Department: n.OwnerDepartment, District: districtName(p.DistrictCode), DistrictCode: p.DistrictCode, Planned: n.PlannedDate.String(),
				DaysLate: int(asOf.Sub(n.PlannedDate.Time).Hours() / 24), Colour: p.Colour.NameZH()})
		}
		overdueBy[p.ID] = overdue
		reporting := p.Stage.Ordinal() >= project.StageStarted.Ordinal() && p.Stage.Ordinal() < project.StageCompleted.Ordinal()
		for _, k := range []struct {
			m    map[string]*Summary
			key  string
			name string
		}{{byInd, p.IndustryID, industryName(p.IndustryID)}, {byDist, p.DistrictCode, districtName(p.DistrictCode)}} {
			s := k.m[k.key]
			if s == nil {
				s = &Summary{Key: k.key, Name: k.name}
				k.m[k.key] = s
				sumsOf[s] = &sums{}
			}
			s.Projects++
			switch p.Colour {
			case project.Red:
				s.Red++
			case project.Yellow:
				s.Yellow++
			default:
				s.Green++
			}
			ss := sumsOf[s]
			ss.total.Add(p.TotalInvestmentFen)
			ss.plan.Add(plan)
			ss.done.Add(doneYear)
			s.Overdue += overdue
			if reporting && !d.reported {
				s.NoReports++
			}
		}
		m.Investment = append(m.Investment, Investment{ID: p.ID, Name: p.Name, Industry: industryName(p.IndustryID),
			District: districtName(p.DistrictCode), Stage: p.Stage.NameZH(), Total: p.TotalInvestmentFen,
			PlanYear: plan, DoneYear: doneYear, DoneAll: d.all, Progress: d.progress, Colour: p.Colour.NameZH()})
		if p.Colour == project.Red {
			red = append(red, p)
		}
	}
	for s, ss := range sumsOf {
		var err error
		if s.Total, err = ss.total.Total("total"); err == nil {
			if s.PlanYear, err = ss.plan.Total("plan_year"); err == nil {
				s.DoneYear, err = ss.done.Total("done_year")
			}
		}
		if err != nil {
			return nil, fmt.Errorf("report: %s: %w", s.Name, err)
		}
	}
	for _, ind := range cat.Industries {
		if s := byInd[ind.ID]; s != nil {
			m.ByIndustry = append(m.ByIndustry, *s)
			delete(byInd, ind.ID)
		}
	}
	for _, id := range sortedKeys(byInd) { // industries no longer in the catalog
		m.ByIndustry = append(m.ByIndustry, *byInd[id])
	}
	for _, d := range cat.Districts {
		if s := byDist[d.Code]; s != nil {
			m.ByDistrict = append(m.ByDistrict, *s)
			delete(byDist, d.Code)
		}
	}
	for _, code := range sortedKeys(byDist) {
		m.ByDistrict = append(m.ByDistrict, *byDist[code])
	}
	slices.SortStableFunc(m.Overdue, func(a, b OverdueNode) int { return b.DaysLate - a.DaysLate })

	items, err := redItems(ctx, src, cat, red, asOf)
	if err != nil {
		return nil, err
	}
	m.Red = items
	for i := range m.Red {
		m.Red[i].Industry = industryName(m.Red[i].Industry)
		m.Red[i].District = districtName(m.Red[i].District)
	}
	return m, nil
}

// industryName is an industry's Chinese name, its id when the catalog no
// longer has it.
func industryName(cat *chanye.Catalog, id string) string {
	if ind := cat.Industry(id); ind != nil {
		return ind.NameZH
	}
	return id
}

// districtName is a district's Chinese name, its code when the catalog
// does not list it.
func districtName(cat *chanye.Catalog, code string) string {
	if d, ok := cat.District(code); ok {
		return d.NameZH
	}
	return code
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// redItems lists the red projects with their owners, the red warnings
// that make them red and the month they turned red.
func redItems(ctx context.Context, src Sources, cat *chanye.Catalog, red []*project.Project, asOf chanye.Date) ([]RedItem, error) {
	if len(red) == 0 {
		return nil, nil
	}
	ids := make([]string, len(red))
	for i, p := range red {
		ids[i] = p.ID
	}
	ws, err := src.Projects.FindWarnings(ctx, project.ProjectFilter{IDs: ids, AsOf: asOf})
	if err != nil {
		return nil, err
	}
	reasons := map[string][]string{}
	for _, w := range ws {
		if w.Colour == project.Red && w.Closed == nil {
			reasons[w.ProjectID] = append(reasons[w.ProjectID], w.MessageZH)
		}
	}
	// Walk back month by month while the project stays red.
	since := map[string]string{}
	still := slices.Clone(ids)
	month := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC)
	for k := 0; k < sinceMonths && len(still) > 0; k++ {
		for _, id := range still {
			since[id] = month.Format("2006-01")
		}
		end := chanye.Date{Time: month.AddDate(0, 0, -1)}
		month = month.AddDate(0, -1, 0)
		ws, err := src.Projects.FindWarnings(ctx, project.ProjectFilter{IDs: still, AsOf: end})
		if err != nil {
			return nil, err
		}
		cols := project.Colours(ws)
		next := still[:0]
		for _, id := range still {
			if cols[id] == project.Red {
				next = append(next, id)
			}
		}
		still = next
	}
	names := map[string]string{}
	out := make([]RedItem, 0, len(red))
	for _, p := range red {
		o := p.EffectiveOwners(cat.Industry(p.IndustryID))
		name, ok := names[o.OwnerCode]
		if !ok && src.Enterprises != nil {
			if e, err := src.Enterprises.FindEnterpriseByCode(ctx, o.OwnerCode); err == nil {
				name = e.Name
			} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
				return nil, err
			}
			names[o.OwnerCode] = name
		}
		out = append(out, RedItem{ID: p.ID, Name: p.Name, IndustryID: p.IndustryID, Industry: industryName(cat, p.IndustryID),
			DistrictCode: p.DistrictCode, District: districtName(cat, p.DistrictCode),
			Stage: p.Stage.NameZH(), Owner: name, OwnerCode: o.OwnerCode, Department: o.Department, Leader: o.CityLeader,
			Total: p.TotalInvestmentFen, Reasons: strings.Join(reasons[p.ID], "；"), Since: since[p.ID]})
	}
	// By industry in catalog order, then by number.
	pos := map[string]int{}
	for i, ind := range cat.Industries {
		pos[ind.ID] = i
	}
	slices.SortStableFunc(out, func(a, b RedItem) int {
		if d := pos[a.IndustryID] - pos[b.IndustryID]; d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}
