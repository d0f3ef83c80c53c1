package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/scorecard"
)

// industryRow is one industry as the overview and its page show it.
type industryRow struct {
	ID, Name, Group, Kind string
	HasTarget             bool
	TargetTier            string // 万亿级
	TargetValue           string // 10,000 亿元
	TargetYear            int
	Latest                string // "—" without data
	LatestYear            int
	HasProgress           bool
	Share                 string // "35.2%"
	ShareBar              int    // 0..100 for the <progress> element
	Required, Actual      string // "—" without data
	Projected             string
	ProjectedYear         int
	ProjectedReach        bool
	Leader, Dept, Task    string
	Office                string
	Unassigned            bool               // no leader, department or task force yet
	Lights                *scorecard.Colours // its key projects by colour; nil without any
}

// chartSeries is the data block of the overview chart.
type targetChart struct {
	Names  []string       `json:"names"`
	Latest []*json.Number `json:"latest"` // null where no figure is known: unknown, never 0
	Target []json.Number  `json:"target"`
	Labels [2]string      `json:"labels"`
	Unit   string         `json:"unit"`
}

type groupView struct {
	Name string
	Rows []industryRow
}

type overviewView struct {
	page
	City               string
	OverallRequirement chanye.Label
	Directions         []chanye.Label
	Declared           chanye.Declared
	Groups             []groupView
	Future, Services   []industryRow
	FutureUnnamed      int
	ServicesUnnamed    int
	Baseline           string
	Total              string
	Offices            []officeView
	Chart              targetChart
}

type officeView struct {
	Name       string
	Industries []link
}

type link struct{ Href, Text string }

func (s *Server) overview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	byInd, err := s.indicatorsByIndustry(ctx, nil)
	if err != nil {
		return err
	}
	lights, err := s.coloursByIndustry(ctx)
	if err != nil {
		return err
	}
	v := &overviewView{page: s.newPage(r, "overview"), Declared: c.Declared,
		OverallRequirement: c.OverallRequirement, Directions: c.Directions}
	v.Demo = anyDemo(byInd)
	l := v.L
	v.Title = l.T("ov.title")
	v.City = l.Pick(c.City.NameZH, c.City.NameEN)
	v.Chart = targetChart{Labels: [2]string{l.T("col.latest"), l.T("col.target")}, Unit: l.T("unit.yi")}

	groupIdx := map[string]int{}
	for _, g := range c.Groups {
		if g.Kind == chanye.KindCluster {
			groupIdx[g.ID] = len(v.Groups)
			v.Groups = append(v.Groups, groupView{Name: l.Pick(g.NameZH, g.NameEN)})
		}
	}
	var ungrouped []industryRow
	for _, ind := range c.Industries {
		row := s.industryRow(l, c, ind, byInd[ind.ID])
		row.Lights = lights[ind.ID]
		switch ind.Kind {
		case chanye.KindCluster:
			if i, ok := groupIdx[ind.Group]; ok {
				v.Groups[i].Rows = append(v.Groups[i].Rows, row)
			} else {
				ungrouped = append(ungrouped, row)
			}
			if ind.Target != nil {
				p := chanye.ComputeProgress(ind.Target, byInd[ind.ID])
				var latest *json.Number // unknown: ECharts draws no bar
				if p != nil {
					n := chartNumber(p.LatestValue, yuanPerYi, 2)
					latest = &n
				}
				v.Chart.Names = append(v.Chart.Names, row.Name)
				v.Chart.Latest = append(v.Chart.Latest, latest)
				v.Chart.Target = append(v.Chart.Target, chartNumber(ind.Target.ValueYuan, yuanPerYi, 2))
			}
		case chanye.KindFuture:
			v.Future = append(v.Future, row)
		case chanye.KindService:
			v.Services = append(v.Services, row)
		}
	}
	if len(ungrouped) > 0 {
		v.Groups = append(v.Groups, groupView{Name: l.T("dash"), Rows: ungrouped})
	}
	v.FutureUnnamed = max(0, c.Declared.Future-len(v.Future))
	v.ServicesUnnamed = max(0, c.Declared.Services-len(v.Services))
	b := c.Baseline
	if b.Clusters > 0 {
		v.Baseline = l.Tf("ov.baseline.v", b.Clusters, b.Year, bigYuan(l, b.RevenueYuan), b.GrowthYears,
			percent(float64(b.GrowthBP)/10000))
	}
	if t := c.TotalTarget; t.ValueYuan > 0 {
		v.Total = l.Tf("ov.total.v", t.Year, bigYuan(l, t.ValueYuan))
	}
	for _, o := range c.Offices {
		ov := officeView{Name: l.Pick(o.NameZH, o.NameEN)}
		for _, id := range o.Industries {
			if ind := c.Industry(id); ind != nil {
				ov.Industries = append(ov.Industries, link{"/industries/" + id, l.Pick(ind.NameZH, ind.NameEN)})
			}
		}
		v.Offices = append(v.Offices, ov)
	}
	return s.render(w, "overview", v)
}

// indicatorsByIndustry loads indicators, of one industry when id is set,
// grouped by industry id.
func (s *Server) indicatorsByIndustry(ctx context.Context, id *string) (map[string][]*chanye.Indicator, error) {
	all, err := s.cfg.Catalog.FindIndicators(ctx, chanye.IndicatorFilter{IndustryID: id})
	if err != nil {
		return nil, err
	}
	out := map[string][]*chanye.Indicator{}
	for _, in := range all {
		out[in.IndustryID] = append(out[in.IndustryID], in)
	}
	return out, nil
}

// anyDemo reports whether any of the indicators is demo data: the page
// that shows them says so.
func anyDemo(byInd map[string][]*chanye.Indicator) bool {
	for _, ins := range byInd {
		for _, in := range ins {
			if in.Demo() {
				return true
			}
		}
	}
	return false
}

// industryRow computes what a row shows: target, progress and owners.
func (s *Server) industryRow(l Lang, c *chanye.Catalog, ind *chanye.Industry, values []*chanye.Indicator) industryRow {
	dash := l.T("dash")
	row := industryRow{ID: ind.ID, Name: l.Pick(ind.NameZH, ind.NameEN), Kind: l.T("kind." + string(ind.Kind)),
		Latest: dash, Share: dash, Required: dash, Actual: dash}
	for _, g := range c.Groups {
		if g.ID == ind.Group {
			row.Group = l.Pick(g.NameZH, g.NameEN)
		}
	}
	for _, o := range c.Offices {
		if o.ID == ind.Office {
			row.Office = l.Pick(o.NameZH, o.NameEN)
		}
	}
	if row.Office == "" {
		for _, o := range c.Offices {
			for _, id := range o.Industries {
				if id == ind.ID {
					row.Office = l.Pick(o.NameZH, o.NameEN)
				}
			}
		}
	}
	if t := ind.Target; t != nil {
		row.HasTarget, row.TargetYear, row.TargetValue = true, t.Year, yiYuan(l, t.ValueYuan)
		row.TargetTier = t.Tier
		for _, tt := range c.TargetTiers {
			if tt.ID == t.Tier {
				row.TargetTier = l.Pick(tt.NameZH, tt.NameEN)
			}
		}
	}
	if p := chanye.ComputeProgress(ind.Target, values); p != nil {
		row.HasProgress = true
		row.Latest, row.LatestYear = yiYuan(l, p.LatestValue), p.LatestYear
		row.Share = percent(p.Share)
		row.ShareBar = min(100, max(0, int(p.Share*100+0.5)))
		if p.Target.Year > p.LatestYear {
			row.Required = percent(p.RequiredRate)
		}
		if p.HasActualRate {
			row.Actual = percent(p.ActualRate)
		}
		row.Projected, row.ProjectedYear, row.ProjectedReach = yiYuan(l, p.ProjectedValue), p.Target.Year, p.ProjectedReach
	} else if latest := latestYearly(values); latest != nil {
		row.Latest, row.LatestYear = yiYuan(l, latest.Value), latest.Year()
	}
	none := l.T("resp.none")
	row.Leader, row.Dept, row.Task = orDefault(ind.Responsibility.CityLeader, none),
		orDefault(ind.Responsibility.LeadDepartment, none), orDefault(ind.Responsibility.TaskForce, none)
	r := ind.Responsibility
	row.Unassigned = r.CityLeader == "" && r.LeadDepartment == "" && r.TaskForce == ""
	return row
}

// latestYearly returns the newest whole-year revenue value, for industries
// without a target.
func latestYearly(values []*chanye.Indicator) *chanye.Indicator {
	var out *chanye.Indicator
	for _, v := range values {
		if v.Metric == chanye.TargetMetric && len(v.Period) == 4 && (out == nil || v.Period > out.Period) {
			out = v
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
