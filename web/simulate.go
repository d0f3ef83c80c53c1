package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
)

// budgetChart is the data block of the simulation chart: money by district
// as bars (draft, and published when there is one), their running total as
// a line, and the budget as a line across; all in 万元.
type budgetChart struct {
	Names      []string      `json:"names"`
	Draft      []json.Number `json:"draft"`
	Published  []json.Number `json:"published,omitempty"`
	Cumulative []json.Number `json:"cumulative"`
	Budget     *json.Number  `json:"budget,omitempty"`
	Labels     [4]string     `json:"labels"` // draft, published, cumulative, budget
	Unit       string        `json:"unit"`
}

type bucketRow struct {
	Name         string
	Eligible     int
	Amount       string
	PubEligible  int
	PubAmount    string
	HasPublished bool
}

type changeRow struct {
	Code, Name, Before, After, Diff string
	Gain                            bool
}

type simulateView struct {
	page
	PolicyID, PolicyTitle string
	Version               int
	StatusKey, Status     string
	AsOf                  string
	Sim                   *engine.Simulation
	Eligible, Amount      string
	Budget                string
	BudgetShare           string
	PubEligible           int
	PubAmount             string
	HasPublished          bool
	Gain, Loss            string
	Chart                 budgetChart
	ByIndustry, BySize    []bucketRow
	Changes               []changeRow
	BackURL               string
	BudgetRows            []*budgetRow
	Excluded              int    // eligible by the rules, excluded by a relation or the budget
	Reduced               string // what the relations and the budget took off
}

func (s *Server) simulate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ver, _, err := s.policyVersion(ctx, r)
	if err != nil {
		return err
	}
	var asOf chanye.Date
	if a := strings.TrimSpace(r.URL.Query().Get("as_of")); a != "" {
		if asOf, err = chanye.ParseDate(a); err != nil {
			return chanye.Invalid("基准日有误 / invalid as-of date", map[string]string{"as_of": "须为 YYYY-MM-DD / must be YYYY-MM-DD"})
		}
	}
	sim, err := s.cfg.Engine.Simulate(ctx, ver.Policy, asOf)
	if err != nil {
		return err
	}
	v := &simulateView{page: s.newPage(r, "policies"), PolicyID: ver.PolicyID, Version: ver.Version, Sim: sim,
		StatusKey: string(ver.Status), AsOf: sim.AsOf.String(), BackURL: "/policies/" + ver.PolicyID}
	l := v.L
	p := ver.Policy
	v.PolicyTitle = l.Pick(p.TitleZH, p.TitleEN)
	v.Status = l.T("vstatus." + string(ver.Status))
	v.Title = l.T("sim.title") + " · " + v.PolicyTitle
	v.Eligible, v.Amount = group(int64(sim.Draft.Eligible)), fenMoney(l, sim.Draft.AmountFen)
	v.Budget = l.T("dash")
	if sim.BudgetFen > 0 {
		v.Budget = fenMoney(l, sim.BudgetFen)
		v.BudgetShare = percent(float64(sim.Draft.AmountFen) / float64(sim.BudgetFen))
	}
	if b := sim.Budget; b != nil {
		v.BudgetRows = []*budgetRow{{Policy: v.PolicyTitle, Period: b.Period, Mode: l.T("budget.mode." + string(b.AtLimit)),
			Budget: yuan(b.BudgetFen), Decided: yuan(b.DecidedFen), Approved: yuan(b.ApprovedFen), Paid: yuan(b.PaidFen),
			Remaining: yuan(b.RemainingFen), Over: b.Over}}
	}
	v.Excluded, v.Reduced = sim.Draft.Excluded, fenMoney(l, sim.Draft.ReducedFen)
	v.Gain, v.Loss = fenMoney(l, sim.GainFen), fenMoney(l, sim.LossFen)
	if sim.Published != nil {
		v.HasPublished = true
		v.PubEligible, v.PubAmount = sim.Published.Eligible, fenMoney(l, sim.Published.AmountFen)
	}
	v.Chart = districtChart(l, sim)
	v.ByIndustry = bucketRows(l, sim.Draft.ByIndustry, sim.Published, func(t *engine.Totals) []engine.Bucket { return t.ByIndustry })
	v.BySize = bucketRows(l, sim.Draft.BySize, sim.Published, func(t *engine.Totals) []engine.Bucket { return t.BySize })
	for _, c := range sim.Changes {
		d := c.AfterFen - c.BeforeFen
		row := changeRow{Code: c.Code, Name: c.Name, Before: yuan(c.BeforeFen), After: yuan(c.AfterFen), Diff: yuan(d), Gain: d >= 0}
		if d > 0 {
			row.Diff = "+" + row.Diff
		}
		v.Changes = append(v.Changes, row)
	}
	return s.render(w, "simulate", v)
}

// districtChart orders districts by the draft's money, largest first, so
// the running total climbs towards the budget line.
func districtChart(l Lang, sim *engine.Simulation) budgetChart {
	ch := budgetChart{Unit: l.T("ent.unit.wan"),
		Labels: [4]string{l.T("sim.draft"), l.T("sim.published"), l.T("sim.cumulative"), l.T("sim.budget")}}
	pub := map[string]chanye.Fen{}
	if sim.Published != nil {
		for _, b := range sim.Published.ByDistrict {
			pub[b.Key] = b.AmountFen
		}
	}
	buckets := slices.Clone(sim.Draft.ByDistrict)
	seen := map[string]bool{}
	for _, b := range buckets {
		seen[b.Key] = true
	}
	if sim.Published != nil {
		for _, b := range sim.Published.ByDistrict {
			if !seen[b.Key] {
				buckets = append(buckets, engine.Bucket{Key: b.Key, NameZH: b.NameZH, NameEN: b.NameEN})
			}
		}
	}
	slices.SortStableFunc(buckets, func(a, b engine.Bucket) int {
		if a.AmountFen != b.AmountFen {
			if a.AmountFen > b.AmountFen {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	// The districts partition the draft's total, which the engine summed
	// with overflow checking, so the running sum stays in range; it is
	// checked all the same, and the chart ends where it would not.
	var run chanye.FenSum
	for _, b := range buckets {
		if run.Add(b.AmountFen); run.Overflowed() {
			break
		}
		ch.Names = append(ch.Names, orDefault(l.Pick(b.NameZH, b.NameEN), b.Key))
		ch.Draft = append(ch.Draft, chartNumber(int64(b.AmountFen), fenPerWan, 2))
		ch.Cumulative = append(ch.Cumulative, chartNumber(int64(run.Value()), fenPerWan, 2))
		if sim.Published != nil {
			ch.Published = append(ch.Published, chartNumber(int64(pub[b.Key]), fenPerWan, 2))
		}
	}
	if sim.BudgetFen > 0 {
		n := chartNumber(int64(sim.BudgetFen), fenPerWan, 2)
		ch.Budget = &n
	}
	return ch
}

func bucketRows(l Lang, draft []engine.Bucket, pub *engine.Totals, of func(*engine.Totals) []engine.Bucket) []bucketRow {
	var pubBy map[string]engine.Bucket
	if pub != nil {
		pubBy = map[string]engine.Bucket{}
		for _, b := range of(pub) {
			pubBy[b.Key] = b
		}
	}
	var rows []bucketRow
	for _, b := range draft {
		name := orDefault(l.Pick(b.NameZH, b.NameEN), b.Key)
		if b.Key == "" {
			name = l.T("sim.unknown")
		}
		row := bucketRow{Name: name, Eligible: b.Eligible, Amount: fenMoney(l, b.AmountFen)}
		if pubBy != nil {
			pb := pubBy[b.Key]
			row.HasPublished, row.PubEligible, row.PubAmount = true, pb.Eligible, fenMoney(l, pb.AmountFen)
		}
		rows = append(rows, row)
	}
	return rows
}
