package web

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/gbt4754"
)

// comboChart is the data of a chart with categories on x and bar or line
// series on one or two value axes (charts.js "combo").
type comboChart struct {
	Categories []string      `json:"categories"`
	Series     []comboSeries `json:"series"`
	Axes       []string      `json:"axes"`
}

type comboSeries struct {
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Axis   int            `json:"axis"`
	Values []*json.Number `json:"values"` // null where a category has no value
}

// countChart is one series of counts (charts.js "bar"), or shares as
// items (charts.js "pie").
type countChart struct {
	Name   string      `json:"name"`
	Names  []string    `json:"names,omitempty"`
	Values []int       `json:"values,omitempty"`
	Items  []countItem `json:"items,omitempty"`
}

type countItem struct {
	Name  string `json:"name"`
	Value int    `json:"value"`
}

type classView struct{ Code, Name string }

type industryView struct {
	page
	Row            industryRow
	NameZH, NameEN string
	Classes        []classView
	ClassNote      string
	HasIndicators  bool
	Indicators     comboChart
	Stats          *chanye.EnterpriseStats
	ByTier, ByDist countChart
	BySize         countChart
	EnterprisesURL string
}

func (s *Server) industry(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	ind, err := s.cfg.Catalog.FindIndustryByID(ctx, id)
	if err != nil {
		return err
	}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	byInd, err := s.indicatorsByIndustry(ctx, &id)
	if err != nil {
		return err
	}
	stats, err := s.cfg.Enterprises.EnterpriseStats(ctx, chanye.EnterpriseFilter{IndustryID: &id})
	if err != nil {
		return err
	}
	v := &industryView{page: s.newPage(r, "overview"), NameZH: ind.NameZH, NameEN: ind.NameEN,
		ClassNote: ind.ClassNote, Stats: stats, EnterprisesURL: "/enterprises?industry=" + id}
	v.Demo = anyDemo(byInd)
	l := v.L
	v.Row = s.industryRow(l, c, ind, byInd[id])
	v.Title = v.Row.Name
	for _, code := range ind.Classes {
		cv := classView{Code: code, Name: l.T("dash")}
		if cl, ok := gbt4754.Lookup(code); ok {
			cv.Name = cl.NameZH
		}
		v.Classes = append(v.Classes, cv)
	}
	v.Indicators, v.HasIndicators = indicatorChart(l, byInd[id]), len(byInd[id]) > 0

	v.ByTier.Name = l.T("col.tier")
	for _, k := range chanye.TierKinds {
		if n := stats.ByTier[string(k)]; n > 0 {
			v.ByTier.Names = append(v.ByTier.Names, l.Pick(k.NameZH(), k.NameEN()))
			v.ByTier.Values = append(v.ByTier.Values, n)
		}
	}
	v.BySize.Name = l.T("col.size")
	for _, k := range sizeClasses {
		if n := stats.BySize[string(k)]; n > 0 {
			v.BySize.Items = append(v.BySize.Items, countItem{sizeName(l, k), n})
		}
	}
	if n := stats.BySize[""]; n > 0 {
		v.BySize.Items = append(v.BySize.Items, countItem{l.T("ent.size.none"), n})
	}
	v.ByDist.Name = l.T("col.district")
	for _, d := range c.Districts {
		if n := stats.ByDistrict[d.Code]; n > 0 {
			v.ByDist.Names = append(v.ByDist.Names, l.Pick(d.NameZH, d.NameEN))
			v.ByDist.Values = append(v.ByDist.Values, n)
		}
	}
	return s.render(w, "industry", v)
}

// indicatorChart puts each metric on a line over the periods: money in 亿元
// on the left axis, counts on the right.
func indicatorChart(l Lang, values []*chanye.Indicator) comboChart {
	ch := comboChart{Axes: []string{l.T("unit.yi"), l.T("col.count")}}
	periods := map[string]bool{}
	for _, v := range values {
		periods[v.Period] = true
	}
	for p := range periods {
		ch.Categories = append(ch.Categories, p)
	}
	sort.Strings(ch.Categories)
	index := map[string]int{}
	for i, p := range ch.Categories {
		index[p] = i
	}
	for _, m := range chanye.Metrics {
		se := comboSeries{Name: l.Pick(m.NameZH, m.NameEN), Type: "line", Values: make([]*json.Number, len(ch.Categories))}
		if m.Unit != "yuan" {
			se.Axis = 1
		}
		any := false
		for _, v := range values {
			if v.Metric != m.ID {
				continue
			}
			n := json.Number(chartNumber(v.Value, 1, 0))
			if m.Unit == "yuan" {
				n = chartNumber(v.Value, yuanPerYi, 2)
			}
			se.Values[index[v.Period]], any = &n, true
		}
		if any {
			ch.Series = append(ch.Series, se)
		}
	}
	return ch
}
