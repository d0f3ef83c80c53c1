package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
)

// maxChanges is how many of the largest differences a simulation lists.
const maxChanges = 100

// Test runs the cases written beside p's rules: it reads nothing stored,
// but it runs the author's code, so it is an engine call that authz guards
// like a simulation. EINVALID when p does not compile.
func (e *Engine) Test(ctx context.Context, p *policy.Policy) ([]policy.CaseResult, error) {
	return policy.RunCases(p)
}

// Simulate runs a draft — a parsed policy that need not be stored — on the
// live base as of asOf without writing anything, and compares it with the
// budget and with the published version of the same policy id. EINVALID
// when the draft does not compile.
func (e *Engine) Simulate(ctx context.Context, draft *policy.Policy, asOf chanye.Date) (*Simulation, error) {
	start := time.Now()
	asOf, err := e.asOfOrToday(asOf, MaxAheadDays)
	if err != nil {
		return nil, err
	}
	dc, err := policy.Compile(draft)
	if err != nil {
		return nil, err
	}
	pub, err := e.version(ctx, draft.ID, 0)
	if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return nil, err
	}
	// The draft is decided beside the published policies in force, so
	// that the relations between them apply: set 0 is the draft and the
	// others, set 1 the published version and the others.
	all, err := e.published(ctx)
	if err != nil {
		return nil, err
	}
	var others []*policy.Compiled
	for _, c := range all {
		if c.Policy.ID != draft.ID && c.Policy.Effective.Contains(asOf) {
			others = append(others, c)
		}
	}
	withDraft := append([]*policy.Compiled{dc}, others...)
	related := policy.NewResolver(policiesOf(withDraft)).Active()
	if pub != nil {
		related = related || policy.NewResolver(policiesOf(append([]*policy.Compiled{pub}, others...))).Active()
	}
	if !related {
		others = nil // nothing relates the draft to them: decide it alone
	}
	progs := []*vector.Program{vector.Compile(asOf, dc)}
	if pub != nil {
		progs = append(progs, vector.Compile(asOf, pub))
	}
	if len(others) > 0 {
		progs = append(progs, vector.Compile(asOf, others...))
	}
	var reads []string
	for _, p := range progs {
		reads = append(reads, p.Reads()...)
	}
	b, err := e.current(ctx, asOf, reads, nil)
	if err != nil {
		return nil, err
	}
	res := vector.Run(b.cols, progs...)
	cat, err := e.cfg.Catalog.FindCatalog(ctx)
	if err != nil {
		return nil, err
	}
	sim := &Simulation{PolicyID: draft.ID, AsOf: asOf, Enterprises: b.Len(), BudgetFen: draft.BudgetFen}
	// resolved returns policy k's amounts by row after the relations with
	// the others (results from index rest on), with what they excluded
	// and took off.
	rest := 1
	if pub != nil {
		rest = 2
	}
	resolved := func(k int, c *policy.Compiled) (map[int]chanye.Fen, int, chanye.Fen) {
		if len(others) == 0 && !policy.NewResolver([]*policy.Policy{c.Policy}).Active() {
			return amountsByRow(&res.Policies[k]), 0, 0
		}
		set := append([]*policy.Compiled{c}, others...)
		sub := &vector.Result{Rows: res.Rows, Policies: append([]vector.PolicyResult{res.Policies[k]}, res.Policies[rest:]...)}
		rs := Resolve(set, sub, func(row int) string { return b.codes[row] })
		if rs == nil {
			return amountsByRow(&res.Policies[k]), 0, 0
		}
		out := map[int]chanye.Fen{}
		excluded := 0
		var reduced int64
		for i, row := range grantsOf(sub)[0].Rows {
			if rs.Excluded(0, int32(i)) {
				excluded++
			} else {
				out[int(row)] = chanye.Fen(rs.Amounts[0][i])
			}
			reduced += res.Policies[k].Amounts[i] - rs.Amounts[0][i]
		}
		return out, excluded, chanye.Fen(reduced)
	}
	after, excl, reduced := resolved(0, dc)
	if sim.Draft, err = b.totals(after, cat); err != nil {
		return nil, fmt.Errorf("engine: simulation of %s: draft: %w", draft.ID, err)
	}
	sim.Draft.NeedsData, sim.Draft.Errors = res.Policies[0].NeedsCount, res.Policies[0].ErrorCount
	sim.Draft.Excluded, sim.Draft.ReducedFen = excl, reduced
	sim.OverBudget = draft.BudgetFen > 0 && sim.Draft.AmountFen > draft.BudgetFen
	before := map[int]chanye.Fen{}
	if pub != nil {
		before, excl, reduced = resolved(1, pub)
		t, err := b.totals(before, cat)
		if err != nil {
			return nil, fmt.Errorf("engine: simulation of %s: published: %w", draft.ID, err)
		}
		t.NeedsData, t.Errors = res.Policies[1].NeedsCount, res.Policies[1].ErrorCount
		t.Excluded, t.ReducedFen = excl, reduced
		sim.Published = &t
	}
	if err := e.budgetLine(ctx, sim, draft, asOf); err != nil {
		return nil, err
	}
	// Amounts are in [0, MaxGrantFen], so a difference never overflows;
	// the sums of differences are checked like every total.
	var changes []Change
	var gain, loss chanye.FenSum
	diff := func(row int, was, now chanye.Fen, wasElig, nowElig bool) {
		if was == now && wasElig == nowElig {
			return
		}
		if now > was || now == was && nowElig {
			sim.Gainers++
			gain.Add(now - was)
		} else {
			sim.Losers++
			loss.Add(was - now)
		}
		changes = append(changes, Change{Code: b.codes[row], BeforeFen: was, AfterFen: now})
	}
	for row, now := range after {
		was, ok := before[row]
		diff(row, was, now, ok, true)
	}
	for row, was := range before {
		if _, ok := after[row]; !ok {
			diff(row, was, 0, true, false)
		}
	}
	if sim.GainFen, err = gain.Total("gain_fen"); err != nil {
		return nil, fmt.Errorf("engine: simulation of %s: %w", draft.ID, err)
	}
	if sim.LossFen, err = loss.Total("loss_fen"); err != nil {
		return nil, fmt.Errorf("engine: simulation of %s: %w", draft.ID, err)
	}
	slices.SortFunc(changes, func(x, y Change) int {
		if c := cmp.Compare(abs(y.AfterFen-y.BeforeFen), abs(x.AfterFen-x.BeforeFen)); c != 0 {
			return c
		}
		return cmp.Compare(x.Code, y.Code)
	})
	if len(changes) > maxChanges {
		changes = changes[:maxChanges]
	}
	for i := range changes {
		if ent, err := e.cfg.Enterprises.FindEnterpriseByCode(ctx, changes[i].Code); err == nil {
			changes[i].Name = ent.Name
		}
	}
	sim.Changes = changes
	if sim.Changes == nil {
		sim.Changes = []Change{}
	}
	sim.ElapsedMS = time.Since(start).Milliseconds()
	return sim, nil
}

// budgetLine sets the simulation's budget line: the draft's budget and
// what it decides, against what the published version approved and paid
// for the same period (when the engine can read it).
func (e *Engine) budgetLine(ctx context.Context, sim *Simulation, draft *policy.Policy, asOf chanye.Date) error {
	if draft.BudgetFen == 0 {
		return nil
	}
	l := &BudgetLine{PolicyID: draft.ID, Period: draft.Period(asOf), BudgetFen: draft.BudgetFen, AtLimit: draft.PolicyBudget().Mode(),
		DecidedFen: sim.Draft.AmountFen}
	if e.cfg.Budgets != nil {
		u, err := e.cfg.Budgets.FindBudgetUse(ctx, draft.ID, l.Period)
		switch {
		case err == nil:
			l.ApprovedFen, l.PaidFen = u.ApprovedFen, u.PaidFen
		case chanye.ErrorCode(err) != chanye.ENOTFOUND:
			return err
		}
	}
	left, err := chanye.SubFen(l.BudgetFen, max(l.DecidedFen, l.ApprovedFen))
	if err != nil {
		return err
	}
	l.RemainingFen, l.Over = left, left < 0
	sim.Budget = l
	return nil
}

// policiesOf returns the policies of cs.
func policiesOf(cs []*policy.Compiled) []*policy.Policy {
	out := make([]*policy.Policy, len(cs))
	for k, c := range cs {
		out[k] = c.Policy
	}
	return out
}

func abs(f chanye.Fen) chanye.Fen {
	if f < 0 {
		return -f
	}
	return f
}

// amountsByRow maps each eligible row to its amount.
func amountsByRow(pr *vector.PolicyResult) map[int]chanye.Fen {
	out := make(map[int]chanye.Fen, pr.Count)
	k := 0
	for w, x := range pr.Eligible {
		for ; x != 0; x &= x - 1 {
			out[w*64+trailingZeros(x)] = chanye.Fen(pr.Amounts[k])
			k++
		}
	}
	return out
}

// totals sums eligible rows and their amounts overall and by district,
// industry (a firm in two industries counts in both) and size. A sum that
// overflows is an error (chanye.ErrOverflow), never a wrap.
func (b *base) totals(amounts map[int]chanye.Fen, cat *chanye.Catalog) (Totals, error) {
	var t Totals
	type sum struct {
		Bucket
		fen chanye.FenSum
	}
	var all chanye.FenSum
	dist := make([]sum, len(b.districts))
	size := make([]sum, len(b.sizes))
	ind := map[string]*sum{}
	for row, a := range amounts {
		t.Eligible++
		all.Add(a)
		d := &dist[b.district[row]]
		d.Eligible++
		d.fen.Add(a)
		s := &size[b.size[row]]
		s.Eligible++
		s.fen.Add(a)
		for _, id := range b.indSets[b.inds[row]] {
			x := ind[id]
			if x == nil {
				x = &sum{Bucket: Bucket{Key: id}}
				ind[id] = x
			}
			x.Eligible++
			x.fen.Add(a)
		}
	}
	var err error
	if t.AmountFen, err = all.Total("amount_fen"); err != nil {
		return t, err
	}
	for _, xs := range [][]sum{dist, size} {
		for i := range xs {
			if xs[i].AmountFen, err = xs[i].fen.Total("amount_fen"); err != nil {
				return t, err
			}
		}
	}
	for _, x := range ind {
		if x.AmountFen, err = x.fen.Total("amount_fen"); err != nil {
			return t, err
		}
	}
	t.ByDistrict = []Bucket{}
	for i, xs := range dist {
		x := xs.Bucket
		if x.Eligible == 0 {
			continue
		}
		x.Key = b.districts[i]
		if d, ok := cat.District(x.Key); ok {
			x.NameZH, x.NameEN = d.NameZH, d.NameEN
		}
		t.ByDistrict = append(t.ByDistrict, x)
	}
	slices.SortFunc(t.ByDistrict, func(x, y Bucket) int { return cmp.Compare(x.Key, y.Key) })
	t.BySize = []Bucket{}
	for _, sc := range []chanye.SizeClass{chanye.SizeLarge, chanye.SizeMedium, chanye.SizeSmall, chanye.SizeMicro, ""} {
		i := slices.Index(b.sizes, string(sc))
		if i < 0 || size[i].Eligible == 0 {
			continue
		}
		x := size[i].Bucket
		x.Key = string(sc)
		x.NameZH, x.NameEN = "未分类", "unclassified"
		if sc != "" {
			x.NameZH, x.NameEN = sc.NameZH(), sc.NameEN()
		}
		t.BySize = append(t.BySize, x)
	}
	t.ByIndustry = []Bucket{}
	for _, in := range cat.Industries { // catalog order
		if x := ind[in.ID]; x != nil {
			x.NameZH, x.NameEN = in.NameZH, in.NameEN
			t.ByIndustry = append(t.ByIndustry, x.Bucket)
			delete(ind, in.ID)
		}
	}
	for _, x := range ind { // ids no longer in the catalog
		t.ByIndustry = append(t.ByIndustry, x.Bucket)
	}
	return t, nil
}
