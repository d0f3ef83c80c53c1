package policy

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
)

// Relations are what a policy declares about the other policies that may
// pay the same enterprise (issue 9, point 3):
//
//	relations:
//	  exclusive_group: gz-tier-reward   # 就高不重复: the higher amount is granted
//	  excludes: [other-policy]          # not granted to a firm granted other-policy
//	  requires: [gz-tech-retrofit]      # granted only to a firm granted gz-tech-retrofit
//
// They are resolved after every policy has decided every firm (Resolve),
// over the eligible decisions only: a needs-data decision is never
// excluded and never counts.
type Relations struct {
	ExclusiveGroup string   `json:"exclusive_group,omitempty"`
	Excludes       []string `json:"excludes,omitempty"`
	Requires       []string `json:"requires,omitempty"`
}

// empty reports whether nothing is declared.
func (r Relations) empty() bool {
	return r.ExclusiveGroup == "" && len(r.Excludes) == 0 && len(r.Requires) == 0
}

// Group is a group of policies declared in a policy file: the cap per
// enterprise across the group's policies in one period and the group's
// budget. Its members are the policies whose exclusive_group names it
// (and the policy declaring it). Every published policy declaring a group
// must declare it alike.
type Group struct {
	ID                  string     `json:"id"`
	CapPerEnterpriseFen chanye.Fen `json:"cap_per_enterprise_fen,omitempty"`
	Budget              Budget     `json:"budget,omitzero"`
}

// AtLimit is what happens when a budget is reached.
type AtLimit string

// The budget modes. Under each, nothing is ever approved or paid beyond
// the budget: the store refuses the approval that would exceed it.
const (
	// AtLimitRefuse decides as the rules say and refuses approvals beyond
	// the budget (the default, and what budget_yuan alone means).
	AtLimitRefuse AtLimit = "refuse"
	// AtLimitProRata cuts every amount by the same ratio, to the fen, the
	// remainders given by largest remainder so that the amounts sum
	// exactly to the budget.
	AtLimitProRata AtLimit = "pro_rata"
	// AtLimitInOrder grants in the declared order until the budget is
	// spent; the first firm that does not fit and all after it are
	// excluded (预算已用完).
	AtLimitInOrder AtLimit = "in_order"
)

// The keys of Budget.Order: amount_desc and amount_asc order by the amount
// decided, code by the credit code (always the last key, added when not
// written).
const (
	OrderAmountDesc = "amount_desc"
	OrderAmountAsc  = "amount_asc"
	OrderCode       = "code"
)

// Budget is a budget in fen and what happens at it.
type Budget struct {
	Fen     chanye.Fen `json:"fen"`
	AtLimit AtLimit    `json:"at_limit,omitempty"` // "" is refuse
	Order   []string   `json:"order,omitempty"`    // in_order only
}

// Mode is the mode in force.
func (b Budget) Mode() AtLimit {
	if b.AtLimit == "" {
		return AtLimitRefuse
	}
	return b.AtLimit
}

// validate checks a budget at path.
func (b Budget) validate(path, fenPath string, set func(path, msg string)) {
	if msg := chanye.CheckFen(b.Fen, chanye.MaxBudgetFen); msg != "" {
		set(fenPath, msg)
	}
	if b.Fen == 0 && b.AtLimit != "" && b.AtLimit != AtLimitRefuse {
		set(path+".at_limit", "须同时写明预算金额 / give the budget's amount too")
	}
	switch b.AtLimit {
	case "", AtLimitRefuse, AtLimitProRata, AtLimitInOrder:
	default:
		set(path+".at_limit", fmt.Sprintf("%q 须为 refuse、pro_rata 或 in_order / must be refuse, pro_rata or in_order", b.AtLimit))
	}
	if len(b.Order) > 0 && b.AtLimit != AtLimitInOrder {
		set(path+".order", "只有 at_limit: in_order 时写 order / order is for at_limit: in_order only")
	}
	for i, k := range b.Order {
		if k != OrderAmountDesc && k != OrderAmountAsc && k != OrderCode {
			set(fmt.Sprintf("%s.order[%d]", path, i), fmt.Sprintf("%q 须为 amount_desc、amount_asc 或 code / must be amount_desc, amount_asc or code", k))
		}
	}
}

// PolicyBudget is the policy's own budget: BudgetFen with its mode.
func (p *Policy) PolicyBudget() Budget {
	return Budget{Fen: p.BudgetFen, AtLimit: p.AtLimit, Order: p.BudgetOrder}
}

// validateRelations checks the relations and groups by themselves; the
// policies they name are checked against the published ones when the
// policy is published (Conflicts).
func (p *Policy) validateRelations(set func(path, msg string)) {
	r := p.Relations
	if r.ExclusiveGroup != "" && !slugRE.MatchString(r.ExclusiveGroup) {
		set("relations.exclusive_group", "组名须为小写字母、数字和连字符 / a group id must be a slug")
	}
	for _, l := range []struct {
		name string
		ids  []string
	}{{"excludes", r.Excludes}, {"requires", r.Requires}} {
		seen := map[string]bool{}
		for i, id := range l.ids {
			at := fmt.Sprintf("relations.%s[%d]", l.name, i)
			switch {
			case !slugRE.MatchString(id):
				set(at, fmt.Sprintf("政策编号 %q 无效 / invalid policy id", id))
			case id == p.ID:
				set(at, "不能指向本政策 / must not name the policy itself")
			case seen[id]:
				set(at, fmt.Sprintf("%s 重复 / duplicate", id))
			}
			seen[id] = true
		}
	}
	for _, x := range r.Excludes {
		if slices.Contains(r.Requires, x) {
			set("relations.requires", fmt.Sprintf("%s 不能既互斥又必需 / %s cannot be both excluded and required", x, x))
		}
	}
	if len(p.Groups) > 0 && r.ExclusiveGroup == "" {
		set("groups", "声明组的政策须属于该组（relations.exclusive_group）/ a policy declaring a group must belong to it (relations.exclusive_group)")
	}
	for i, g := range p.Groups {
		at := fmt.Sprintf("groups[%d]", i)
		switch {
		case !slugRE.MatchString(g.ID):
			set(at+".id", "组名须为小写字母、数字和连字符 / a group id must be a slug")
		case g.ID != r.ExclusiveGroup:
			set(at+".id", fmt.Sprintf("组 %s 须为本政策的 relations.exclusive_group（%s）/ the group must be the policy's exclusive_group", g.ID, r.ExclusiveGroup))
		case i > 0:
			set(at+".id", "只能声明本政策所属的一个组 / declare only the policy's own group")
		}
		if msg := chanye.CheckFen(g.CapPerEnterpriseFen, chanye.MaxGrantFen); msg != "" {
			set(at+".cap_per_enterprise_fen", msg)
		}
		g.Budget.validate(at+".budget", at+".budget.fen", set)
	}
	p.PolicyBudget().validate("budget", "budget_fen", set)
}

// Related reports whether the policy declares a relation, a group or a
// budget mode that changes amounts, so that Resolve has work for it.
func (p *Policy) Related() bool {
	return !p.Relations.empty() || len(p.Groups) > 0 || p.AtLimit == AtLimitProRata || p.AtLimit == AtLimitInOrder
}

// Outcome of the resolution for one eligible decision.

// AdjustKind is why Resolve changed a decision.
type AdjustKind string

// The kinds of adjustment.
const (
	AdjustExclusive AdjustKind = "exclusive" // 就高不重复: another policy of the group grants more
	AdjustExcludes  AdjustKind = "excludes"  // 互斥: a policy it excludes (or that excludes it) is granted
	AdjustRequires  AdjustKind = "requires"  // 需先获得: the policy it requires is not granted
	AdjustGroupCap  AdjustKind = "group_cap" // the group's cap per enterprise
	AdjustProRata   AdjustKind = "pro_rata"  // the budget cut pro rata
	AdjustInOrder   AdjustKind = "in_order"  // 预算已用完
)

// Adjustment is what the resolution did to an eligible decision: excluded
// it (AfterFen 0, Excluded) or reduced its amount, and why, in words.
type Adjustment struct {
	Kind      AdjustKind `json:"kind"`
	By        string     `json:"by,omitempty"` // the other policy, or the group
	BeforeFen chanye.Fen `json:"before_fen"`
	AfterFen  chanye.Fen `json:"after_fen"`
	Excluded  bool       `json:"excluded"`
	ReasonZH  string     `json:"reason_zh"`
	ReasonEN  string     `json:"reason_en"`
	group     bool       // a group's budget, not the policy's (By names the group)
}

// VerdictExcluded is the verdict of an eligible decision the relations or
// the budget took out: it is never publicised, approved or paid.
const VerdictExcluded Verdict = "excluded"

// Grants are the eligible decisions of one policy over the rows of a base:
// Rows ascending, Amounts beside them.
type Grants struct {
	Rows    []int32
	Amounts []int64
}

// Resolution is what Resolve decided: per policy, per index into its
// Grants, the final amount and, for a changed decision, its adjustments.
type Resolution struct {
	Amounts [][]int64
	// Adjusted maps (policy, index) to the adjustments of that decision,
	// only for changed decisions. Their words may be unwritten until
	// Adjustments writes them: formatting amounts for every capped firm
	// would cost more than the resolution.
	Adjusted []map[int32][]Adjustment
	rs       *Resolver
}

// Adjustments returns the adjustments of decision i of policy k with
// their reasons in words.
func (res *Resolution) Adjustments(k int, i int32) []Adjustment {
	adj := res.Adjusted[k][i]
	for j := range adj {
		if adj[j].ReasonZH == "" {
			res.rs.describe(&adj[j])
		}
	}
	return adj
}

// describe writes the reason of a cap or a pro-rata cut in words.
func (r *Resolver) describe(a *Adjustment) {
	cutZH, cutEN := MoneyText(a.BeforeFen - a.AfterFen)
	switch a.Kind {
	case AdjustGroupCap:
		capZH, capEN := MoneyText(r.groups[a.By].CapPerEnterpriseFen)
		a.ReasonZH = fmt.Sprintf("同组 %s 每户合计上限 %s，核减 %s", a.By, capZH, cutZH)
		a.ReasonEN = fmt.Sprintf("group %s caps an enterprise at %s in all; %s less", a.By, capEN, cutEN)
	case AdjustProRata:
		b, whose, whoseEN := Budget{}, "预算", "the budget"
		if a.group {
			b, whose, whoseEN = r.groups[a.By].Budget, "组 "+a.By+" 预算", "group "+a.By+"'s budget"
		} else if k, ok := r.idx[a.By]; ok {
			b = r.pols[k].PolicyBudget()
		}
		budZH, budEN := MoneyText(b.Fen)
		a.ReasonZH = fmt.Sprintf("%s %s 不足，按比例核减 %s", whose, budZH, cutZH)
		a.ReasonEN = fmt.Sprintf("%s of %s is short: cut pro rata by %s", whoseEN, budEN, cutEN)
	}
}

// Excluded reports whether decision i of policy k was excluded.
func (r *Resolution) Excluded(k int, i int32) bool {
	adj := r.Adjusted[k][i]
	return len(adj) > 0 && adj[len(adj)-1].Excluded
}

// ExcludedCount is how many decisions of policy k were excluded.
func (r *Resolution) ExcludedCount(k int) int {
	n := 0
	for i := range r.Adjusted[k] {
		if r.Excluded(k, i) {
			n++
		}
	}
	return n
}

// Resolver resolves the relations and budgets of a set of policies.
type Resolver struct {
	pols    []*Policy
	idx     map[string]int
	groups  map[string]Group // declared groups, by id
	members map[string][]int // group id → policies, by id order
	order   []int            // policy indexes by id
	active  bool

	// Per policy, precomputed for the per-firm pass: its group's index
	// (-1: none), the policies it excludes or that exclude it, and those
	// it requires (-1: not in play, never granted).
	group    []int
	gnames   []string
	gcap     []int64
	excl     [][]int
	requires [][]int
	// reasons caches the words of an exclusion by kind and other policy.
	reasons map[reasonKey][2]string
}

type reasonKey struct {
	kind  AdjustKind
	other int
	id    string
}

// NewResolver prepares the resolution of pols (the policies of one run or
// simulation, at most one version per id). A group declared differently
// by two policies takes the first declaration in id order (publishing
// reports the difference).
func NewResolver(pols []*Policy) *Resolver {
	r := &Resolver{pols: pols, idx: map[string]int{}, groups: map[string]Group{}, members: map[string][]int{}}
	for k, p := range pols {
		r.idx[p.ID] = k
		r.order = append(r.order, k)
	}
	slices.SortFunc(r.order, func(a, b int) int { return cmp.Compare(pols[a].ID, pols[b].ID) })
	for _, k := range r.order {
		p := pols[k]
		if p.Related() {
			r.active = true
		}
		if g := p.Relations.ExclusiveGroup; g != "" {
			r.members[g] = append(r.members[g], k)
		}
		for _, g := range p.Groups {
			if _, ok := r.groups[g.ID]; !ok {
				r.groups[g.ID] = g
			}
		}
	}
	r.group, r.excl, r.requires = make([]int, len(pols)), make([][]int, len(pols)), make([][]int, len(pols))
	r.reasons = map[reasonKey][2]string{}
	gi := map[string]int{}
	for _, k := range r.order {
		p := pols[k]
		r.group[k] = -1
		if g := p.Relations.ExclusiveGroup; g != "" {
			if _, ok := gi[g]; !ok {
				gi[g] = len(r.gnames)
				r.gnames = append(r.gnames, g)
				r.gcap = append(r.gcap, int64(r.groups[g].CapPerEnterpriseFen))
			}
			r.group[k] = gi[g]
		}
		for _, id := range p.Relations.Excludes {
			if o, ok := r.idx[id]; ok {
				r.excl[k] = append(r.excl[k], o)
				r.excl[o] = append(r.excl[o], k)
			}
		}
		for _, id := range p.Relations.Requires {
			o, ok := r.idx[id]
			if !ok {
				o = -1
			}
			r.requires[k] = append(r.requires[k], o)
		}
	}
	return r
}

// reason returns the words of an exclusion of kind by policy other (or
// the policy named id when other is -1), cached.
func (r *Resolver) reason(kind AdjustKind, other int, id string) (string, string) {
	key := reasonKey{kind, other, id}
	if x, ok := r.reasons[key]; ok {
		return x[0], x[1]
	}
	zh, en := id, id
	if other >= 0 {
		zh, en = r.title(other)
	}
	var x [2]string
	switch kind {
	case AdjustExclusive:
		g := r.pols[other].Relations.ExclusiveGroup
		x = [2]string{fmt.Sprintf("与 %s 就高不重复（同属 %s，该项金额较高）", zh, g), fmt.Sprintf("the higher of it and %s only (group %s; that one grants more)", en, g)}
	case AdjustExcludes:
		x = [2]string{fmt.Sprintf("与 %s 互斥，已享受该项", zh), fmt.Sprintf("excludes %s, which the firm is granted", en)}
	case AdjustRequires:
		x = [2]string{fmt.Sprintf("需先获得 %s", zh), fmt.Sprintf("requires %s first", en)}
	}
	r.reasons[key] = x
	return x[0], x[1]
}

// Active reports whether any relation, group or budget mode is in play:
// when not, Resolve changes nothing and callers may skip it.
func (r *Resolver) Active() bool { return r.active }

// title names policy k in a reason.
func (r *Resolver) title(k int) (string, string) {
	p := r.pols[k]
	return fmt.Sprintf("%s（%s）", p.TitleZH, p.ID), fmt.Sprintf("%s (%s)", p.TitleEN, p.ID)
}

// entry is one eligible decision of one firm.
type entry struct {
	k      int   // policy
	i      int32 // index into the policy's grants
	amount int64
	out    bool
}

// Resolve applies the relations, group caps and budgets to grants (one
// per policy, in the order of the resolver's policies) over rows rows.
// codes gives a row's credit code, for in_order budgets and ties. In
// order, per firm: exclusive groups (the highest amount is kept, ties to
// the lower policy id, the others excluded "与 X 就高不重复"), excludes
// (in policy id order, a decision is excluded when a policy it excludes,
// or that excludes it, is still granted: "与 X 互斥"), requires (excluded
// when the required policy is not granted in the same resolution: "需先获得
// X"), then the group's cap per enterprise (the highest amounts first, the
// rest reduced, to 0 excluded). Then over all firms, each policy's budget
// and each group's budget when pro_rata or in_order. The work is over the
// eligible decisions of the related policies only.
func (r *Resolver) Resolve(rows int, grants []Grants, codes func(row int) string) *Resolution {
	res := r.resolveFirms(rows, grants)
	if r.active {
		r.budgets(res, grants, codes)
	}
	return res
}

// adjuster returns the function that records an adjustment of an entry.
func (res *Resolution) adjuster() func(e *entry, a Adjustment) {
	return func(e *entry, a Adjustment) {
		a.BeforeFen = chanye.Fen(e.amount)
		if a.Excluded {
			a.AfterFen, e.out = 0, true
		}
		e.amount = int64(a.AfterFen)
		res.Amounts[e.k][e.i] = e.amount
		res.Adjusted[e.k][e.i] = append(res.Adjusted[e.k][e.i], a)
	}
}

// resolveFirms applies the per-firm relations and caps.
func (r *Resolver) resolveFirms(rows int, grants []Grants) *Resolution {
	res := &Resolution{Amounts: make([][]int64, len(r.pols)), Adjusted: make([]map[int32][]Adjustment, len(r.pols)), rs: r}
	for k := range r.pols {
		res.Amounts[k] = slices.Clone(grants[k].Amounts)
		res.Adjusted[k] = map[int32][]Adjustment{}
	}
	if !r.active {
		return res
	}
	adjust := res.adjuster()

	// Per firm: the policies that take part in a per-firm relation.
	var per []int
	for _, k := range r.order {
		p := r.pols[k]
		if !p.Relations.empty() || r.referenced(p.ID) {
			per = append(per, k)
		}
	}
	if len(per) > 0 {
		head := make([]int32, rows)
		for i := range head {
			head[i] = -1
		}
		n := 0
		for _, k := range per {
			n += len(grants[k].Rows)
		}
		ents, next := make([]entry, 0, n), make([]int32, 0, n)
		// In reverse id order so that each row's list runs in id order.
		for j := len(per) - 1; j >= 0; j-- {
			k := per[j]
			for i, row := range grants[k].Rows {
				ents = append(ents, entry{k: k, i: int32(i), amount: grants[k].Amounts[i]})
				next = append(next, head[row])
				head[row] = int32(len(ents) - 1)
			}
		}
		var firm []*entry
		for row := range head {
			if head[row] < 0 {
				continue
			}
			firm = firm[:0]
			for x := head[row]; x >= 0; x = next[x] {
				firm = append(firm, &ents[x])
			}
			r.firm(firm, adjust)
		}
	}
	return res
}

// budgets applies, over all firms, the budgets that cut.
func (r *Resolver) budgets(res *Resolution, grants []Grants, codes func(int) string) {
	adjust := res.adjuster()
	for _, k := range r.order {
		p := r.pols[k]
		b := p.PolicyBudget()
		if b.Fen <= 0 || b.Mode() == AtLimitRefuse {
			continue
		}
		var set []*entry
		for i := range grants[k].Rows {
			if !res.Excluded(k, int32(i)) {
				set = append(set, &entry{k: k, i: int32(i), amount: res.Amounts[k][i]})
			}
		}
		r.budget(b, p.ID, false, set, grants, codes, adjust)
	}
	for _, id := range slices.Sorted(mapKeys(r.groups)) {
		g := r.groups[id]
		if g.Budget.Fen <= 0 || g.Budget.Mode() == AtLimitRefuse {
			continue
		}
		var set []*entry
		for _, k := range r.members[id] {
			for i := range grants[k].Rows {
				if !res.Excluded(k, int32(i)) {
					set = append(set, &entry{k: k, i: int32(i), amount: res.Amounts[k][i]})
				}
			}
		}
		r.budget(g.Budget, id, true, set, grants, codes, adjust)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// referenced reports whether another policy in play excludes or requires id.
func (r *Resolver) referenced(id string) bool {
	for _, p := range r.pols {
		if slices.Contains(p.Relations.Excludes, id) || slices.Contains(p.Relations.Requires, id) {
			return true
		}
	}
	return false
}

// firm resolves one firm's eligible decisions, in policy id order. It
// allocates nothing but the adjustments it records.
func (r *Resolver) firm(firm []*entry, adjust func(*entry, Adjustment)) {
	granted := func(k int) bool {
		for _, e := range firm {
			if e.k == k && !e.out {
				return true
			}
		}
		return false
	}
	if len(firm) > 1 {
		// Exclusive groups: the highest amount, ties to the lower id
		// (firm runs in id order).
		for _, e := range firm {
			g := r.group[e.k]
			if g < 0 || e.out {
				continue
			}
			var best *entry
			for _, o := range firm {
				if r.group[o.k] == g && (best == nil || o.amount > best.amount) {
					best = o
				}
			}
			if best != e {
				zh, en := r.reason(AdjustExclusive, best.k, "")
				adjust(e, Adjustment{Kind: AdjustExclusive, By: r.pols[best.k].ID, Excluded: true, ReasonZH: zh, ReasonEN: en})
			}
		}
		// Excludes, either way.
		for _, e := range firm {
			if e.out || len(r.excl[e.k]) == 0 {
				continue
			}
			for _, o := range firm {
				if o != e && !o.out && slices.Contains(r.excl[e.k], o.k) {
					zh, en := r.reason(AdjustExcludes, o.k, "")
					adjust(e, Adjustment{Kind: AdjustExcludes, By: r.pols[o.k].ID, Excluded: true, ReasonZH: zh, ReasonEN: en})
					break
				}
			}
		}
	}
	// Requires: the required policy granted in the same resolution.
	for _, e := range firm {
		if e.out {
			continue
		}
		for j, o := range r.requires[e.k] {
			if o < 0 || !granted(o) {
				id := r.pols[e.k].Relations.Requires[j]
				zh, en := r.reason(AdjustRequires, o, id)
				adjust(e, Adjustment{Kind: AdjustRequires, By: id, Excluded: true, ReasonZH: zh, ReasonEN: en})
				break
			}
		}
	}
	// Group caps: the highest amounts first.
	for _, e := range firm {
		g := r.group[e.k]
		if g < 0 || e.out || r.gcap[g] <= 0 {
			continue
		}
		// Once per group: at its first live member in firm.
		first := true
		for _, o := range firm {
			if o == e {
				break
			}
			if r.group[o.k] == g && !o.out {
				first = false
				break
			}
		}
		if !first {
			continue
		}
		var total int64
		n := 0
		for _, o := range firm {
			if r.group[o.k] == g && !o.out {
				total += o.amount
				n++
			}
		}
		if total <= r.gcap[g] {
			continue
		}
		members := make([]*entry, 0, n)
		for _, o := range firm {
			if r.group[o.k] == g && !o.out {
				members = append(members, o)
			}
		}
		slices.SortStableFunc(members, func(a, b *entry) int { return cmp.Compare(b.amount, a.amount) })
		left := r.gcap[g]
		for _, o := range members {
			if o.amount <= left {
				left -= o.amount
				continue
			}
			// The words are written when asked for (Resolution.Adjustments).
			adjust(o, Adjustment{Kind: AdjustGroupCap, By: r.gnames[g], AfterFen: chanye.Fen(left), Excluded: left == 0})
			left = 0
		}
	}
}

// budget cuts the amounts of set to the budget b when their sum exceeds
// it: pro rata or in order.
func (r *Resolver) budget(b Budget, id string, group bool, set []*entry, grants []Grants, codes func(int) string, adjust func(*entry, Adjustment)) {
	var total uint64
	for _, e := range set {
		total += uint64(e.amount) // each ≤ MaxGrantFen: no wrap below 9·10^18 / 10^11 decisions
	}
	if total <= uint64(b.Fen) {
		return
	}
	whose := "预算"
	whoseEN := "the budget"
	if group {
		whose, whoseEN = "组 "+id+" 预算", "group "+id+"'s budget"
	}
	budZH, budEN := MoneyText(b.Fen)
	code := func(e *entry) string { return codes(int(grants[e.k].Rows[e.i])) }
	switch b.Mode() {
	case AtLimitProRata:
		cut := ProRata(amountsOf(set), b.Fen)
		for j, e := range set {
			if cut[j] == e.amount {
				continue
			}
			adjust(e, Adjustment{Kind: AdjustProRata, By: id, AfterFen: chanye.Fen(cut[j]), Excluded: cut[j] == 0, group: group})
		}
	case AtLimitInOrder:
		slices.SortStableFunc(set, func(x, y *entry) int {
			for _, k := range append(slices.Clone(b.Order), OrderCode) {
				c := 0
				switch k {
				case OrderAmountDesc:
					c = cmp.Compare(y.amount, x.amount)
				case OrderAmountAsc:
					c = cmp.Compare(x.amount, y.amount)
				case OrderCode:
					c = cmp.Compare(code(x), code(y))
				}
				if c != 0 {
					return c
				}
			}
			return cmp.Compare(x.k, y.k)
		})
		left, spent := int64(b.Fen), false
		zh := fmt.Sprintf("预算已用完（%s %s 按序发放）", whose, budZH)
		en := fmt.Sprintf("the budget is spent (%s of %s, granted in order)", whoseEN, budEN)
		for _, e := range set {
			if !spent && e.amount <= left {
				left -= e.amount
				continue
			}
			spent = true
			adjust(e, Adjustment{Kind: AdjustInOrder, By: id, Excluded: true, ReasonZH: zh, ReasonEN: en})
		}
	}
}

func amountsOf(set []*entry) []int64 {
	out := make([]int64, len(set))
	for i, e := range set {
		out[i] = e.amount
	}
	return out
}

// ProRata cuts amounts (each in [0, chanye.MaxGrantFen]) to sum exactly
// to budget when they sum to more: each gets floor(a·budget/total) fen,
// and the fen left over go one each to the largest remainders (ties to
// the earlier). Amounts summing to at most budget are returned unchanged.
// The products are computed in 128 bits: exact for any budget.
func ProRata(amounts []int64, budget chanye.Fen) []int64 {
	out := slices.Clone(amounts)
	var total uint64
	for _, a := range amounts {
		total += uint64(a)
	}
	if total <= uint64(budget) || budget < 0 {
		return out
	}
	rem := make([]uint64, len(amounts))
	var given uint64
	for i, a := range amounts {
		hi, lo := bits.Mul64(uint64(a), uint64(budget))
		q, r := bits.Div64(hi, lo, total) // a ≤ total and budget < total: q < budget, no overflow
		out[i], rem[i] = int64(q), r
		given += q
	}
	left := uint64(budget) - given // < len(amounts)
	idx := make([]int, len(amounts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(rem[y], rem[x]) })
	for _, i := range idx[:left] {
		out[i]++
	}
	return out
}

// Conflict is a problem between a policy being published and the
// policies published already: a group declared differently (Invalid: the
// publication is refused, two declarations of one group cannot both
// hold); a relation naming a policy that is not published, or two
// policies likely to pay the same firms twice with no relation declared
// (warnings, shown with the publication).
type Conflict struct {
	With     string `json:"with"`
	Invalid  bool   `json:"invalid"`
	ReasonZH string `json:"reason_zh"`
	ReasonEN string `json:"reason_en"`
}

// Conflicts checks p, about to be published, against the published
// policies (p's own earlier version among them is ignored).
func Conflicts(p *Policy, published []*Policy) []Conflict {
	var out []Conflict
	by := map[string]*Policy{}
	for _, q := range published {
		if q.ID != p.ID {
			by[q.ID] = q
		}
	}
	for _, l := range []struct {
		name string
		ids  []string
	}{{"excludes", p.Relations.Excludes}, {"requires", p.Relations.Requires}} {
		for _, id := range l.ids {
			if by[id] == nil {
				out = append(out, Conflict{With: id,
					ReasonZH: fmt.Sprintf("relations.%s 指向的政策 %s 不存在或未发布", l.name, id),
					ReasonEN: fmt.Sprintf("relations.%s names %s, which is not a published policy", l.name, id)})
			}
		}
	}
	for _, g := range p.Groups {
		for _, q := range published {
			for _, h := range q.Groups {
				if q.ID != p.ID && h.ID == g.ID && !sameGroup(g, h) {
					out = append(out, Conflict{With: q.ID, Invalid: true,
						ReasonZH: fmt.Sprintf("组 %s 的声明与已发布的 %s 不同", g.ID, q.ID),
						ReasonEN: fmt.Sprintf("group %s is declared differently by the published %s", g.ID, q.ID)})
				}
			}
		}
	}
	for _, id := range slices.Sorted(mapKeys(by)) {
		q := by[id]
		if related(p, q) {
			continue
		}
		if why := sameCohort(p, q); why != "" {
			out = append(out, Conflict{With: id,
				ReasonZH: fmt.Sprintf("与已发布的 %s（%s）都奖励%s，未声明关系：同一企业可能重复获得", q.TitleZH, id, why),
				ReasonEN: fmt.Sprintf("both it and the published %s reward %s with no relation declared: a firm may be paid twice", id, why)})
		}
	}
	return out
}

func sameGroup(a, b Group) bool {
	return a.ID == b.ID && a.CapPerEnterpriseFen == b.CapPerEnterpriseFen && a.Budget.Fen == b.Budget.Fen &&
		a.Budget.Mode() == b.Budget.Mode() && slices.Equal(a.Budget.Order, b.Budget.Order)
}

// related reports whether p and q declare a relation between them.
func related(p, q *Policy) bool {
	if g := p.Relations.ExclusiveGroup; g != "" && g == q.Relations.ExclusiveGroup {
		return true
	}
	for _, x := range [][2]*Policy{{p, q}, {q, p}} {
		r := x[0].Relations
		if slices.Contains(r.Excludes, x[1].ID) || slices.Contains(r.Requires, x[1].ID) {
			return true
		}
	}
	return false
}

// sameCohort says what p and q both recognise, or "": the same tier kind
// in their cohort, or conditions reading the same tier's recognition.
func sameCohort(p, q *Policy) string {
	if p.Cohort != nil && q.Cohort != nil && p.Cohort.Tier == q.Cohort.Tier {
		return p.Cohort.Tier.NameZH()
	}
	tiers := func(x *Policy) map[string]bool {
		m := map[string]bool{}
		for _, c := range x.Conds {
			for _, k := range chanye.TierKinds {
				if strings.Contains(c.Expr, "e.tier."+string(k)+".") {
					m[string(k)] = true
				}
			}
		}
		return m
	}
	tq := tiers(q)
	for _, k := range chanye.TierKinds {
		if tiers(p)[string(k)] && tq[string(k)] {
			return k.NameZH()
		}
	}
	return ""
}

// Adjust records adjustments on an eligible decision: the amount is the
// last one's, and an exclusion makes the decision excluded (not
// eligible, no amount).
func (d *Decision) Adjust(adj []Adjustment) {
	if len(adj) == 0 {
		return
	}
	d.Adjustments = append(d.Adjustments, adj...)
	last := adj[len(adj)-1]
	d.AmountFen = last.AfterFen
	if last.Excluded {
		d.Status, d.Eligible, d.AmountFen = VerdictExcluded, false, 0
	}
}

// ResolveDecisions applies the relations to one enterprise's decisions,
// ds[k] being the decision of the resolver's policy k: what the
// explanations of one firm say. Budgets that cut (pro_rata, in_order)
// depend on every firm and are applied by runs only.
func (r *Resolver) ResolveDecisions(ds []Decision) {
	if !r.active {
		return
	}
	grants := make([]Grants, len(r.pols))
	for k := range ds {
		if ds[k].Eligible {
			grants[k] = Grants{Rows: []int32{0}, Amounts: []int64{int64(ds[k].AmountFen)}}
		}
	}
	res := r.resolveFirms(1, grants)
	for k := range ds {
		if ds[k].Eligible {
			ds[k].Adjust(res.Adjustments(k, 0))
		}
	}
}
