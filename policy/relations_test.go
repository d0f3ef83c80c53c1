package policy

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

func TestParseRelationsAndBudget(t *testing.T) {
	src := strings.Replace(readRD(t), `budget_yuan: "1000000.00"`, `budget: {yuan: "3000000", at_limit: in_order, order: [amount_desc]}
relations:
  exclusive_group: gz-tier-reward
  excludes: [other-a]
  requires: [gz-tech-retrofit]
groups:
  - id: gz-tier-reward
    cap_per_enterprise_yuan: "3000000"
    budget: {yuan: "100000000", at_limit: pro_rata}`, 1)
	p := mustParse(t, src)
	if p.BudgetFen != 300_000_000 || p.AtLimit != AtLimitInOrder || len(p.BudgetOrder) != 1 {
		t.Errorf("budget = %d %s %v", p.BudgetFen, p.AtLimit, p.BudgetOrder)
	}
	if p.Relations.ExclusiveGroup != "gz-tier-reward" || p.Relations.Excludes[0] != "other-a" || p.Relations.Requires[0] != "gz-tech-retrofit" {
		t.Errorf("relations = %+v", p.Relations)
	}
	if len(p.Groups) != 1 || p.Groups[0].CapPerEnterpriseFen != 300_000_000 || p.Groups[0].Budget.Mode() != AtLimitProRata {
		t.Errorf("groups = %+v", p.Groups)
	}
	// budget_yuan alone keeps its meaning, with refuse at the limit.
	if q := mustParse(t, readRD(t)); q.PolicyBudget().Mode() != AtLimitRefuse || q.BudgetFen != 100_000_000 {
		t.Errorf("budget_yuan = %+v", q.PolicyBudget())
	}
}

func TestParseRelationsErrors(t *testing.T) {
	base := readRD(t)
	tests := []struct{ name, new, field, msg string }{
		{"bad mode", `budget: {yuan: "1", at_limit: maybe}`, "budget.at_limit", "refuse, pro_rata or in_order"},
		{"order without in_order", `budget: {yuan: "1", order: [code]}`, "budget.order", "in_order only"},
		{"bad order key", `budget: {yuan: "1", at_limit: in_order, order: [size]}`, "budget.order[0]", "amount_desc"},
		{"budget twice", "budget_fen: 1\nbudget: {yuan: \"1\"}", "budget", "not both"},
		{"self", "budget_yuan: \"1\"\nrelations: {excludes: [test-rd]}", "relations.excludes[0]", "itself"},
		{"bad id", "budget_yuan: \"1\"\nrelations: {requires: [Not An Id]}", "relations.requires[0]", "invalid policy id"},
		{"both", "budget_yuan: \"1\"\nrelations: {requires: [a], excludes: [a]}", "relations.requires", "both"},
		{"group not own", "budget_yuan: \"1\"\nrelations: {exclusive_group: g}\ngroups: [{id: h}]", "groups[0].id", "exclusive_group"},
		{"group without membership", "budget_yuan: \"1\"\ngroups: [{id: h}]", "groups", "belong"},
		{"unknown relation", "budget_yuan: \"1\"\nrelations: {exclusive: g}", "relations.exclusive", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(base, `budget_yuan: "1000000.00"`, tt.new, 1)
			_, err := Parse([]byte(src))
			if got, ok := chanye.ErrorFields(err)[tt.field]; !ok || !strings.Contains(got, tt.msg) {
				t.Errorf("fields = %v, want %s containing %q", chanye.ErrorFields(err), tt.field, tt.msg)
			}
		})
	}
}

// TestProRataSumsExactly: whatever the amounts and the budget, the cut
// amounts sum exactly to the budget, none grows, and each is within a fen
// of its exact share.
func TestProRataSumsExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + r.IntN(50)
		amounts := make([]int64, n)
		var total int64
		for i := range amounts {
			amounts[i] = r.Int64N(int64(chanye.MaxGrantFen) / int64(1+r.IntN(1000000)))
			total += amounts[i]
		}
		if total == 0 {
			continue
		}
		budget := chanye.Fen(r.Int64N(total))
		cut := ProRata(amounts, budget)
		var sum int64
		for i, c := range cut {
			if c < 0 || c > amounts[i] {
				t.Fatalf("cut %d of %d", c, amounts[i])
			}
			exact := float64(amounts[i]) * float64(budget) / float64(total)
			if float64(c) < exact-1.01 || float64(c) > exact+1.01 {
				t.Fatalf("cut %d, exact share %f", c, exact)
			}
			sum += c
		}
		if sum != int64(budget) {
			t.Fatalf("sum %d, budget %d (amounts %v)", sum, budget, amounts)
		}
	}
	if got := ProRata([]int64{1, 1, 1}, 2); got[0]+got[1]+got[2] != 2 || got[0] != 1 || got[1] != 1 {
		t.Errorf("ties go to the earlier: %v", got)
	}
	if got := ProRata([]int64{5, 6}, 20); got[0] != 5 || got[1] != 6 {
		t.Errorf("under budget is unchanged: %v", got)
	}
}

func rel(id string, r Relations, groups ...Group) *Policy {
	return &Policy{ID: id, TitleZH: "政策" + id, TitleEN: "policy " + id, Relations: r, Groups: groups}
}

func TestResolve(t *testing.T) {
	a := rel("a", Relations{ExclusiveGroup: "g"}, Group{ID: "g", CapPerEnterpriseFen: 250})
	b := rel("b", Relations{ExclusiveGroup: "g"})
	c := rel("c", Relations{Excludes: []string{"d"}})
	d := rel("d", Relations{})
	e := rel("e", Relations{Requires: []string{"d"}})
	r := NewResolver([]*Policy{a, b, c, d, e})
	codes := func(row int) string { return string(rune('0' + row)) }
	// rows: 0 a=100 b=200 (b kept); 1 a=300 b=300 (tie: a kept, capped 250);
	// 2 c and d (c excluded), e (kept: d granted); 3 e alone (needs d).
	res := r.Resolve(4, []Grants{
		{Rows: []int32{0, 1}, Amounts: []int64{100, 300}},
		{Rows: []int32{0, 1}, Amounts: []int64{200, 300}},
		{Rows: []int32{2}, Amounts: []int64{10}},
		{Rows: []int32{2}, Amounts: []int64{20}},
		{Rows: []int32{2, 3}, Amounts: []int64{30, 40}},
	}, codes)
	want := [][]int64{{0, 250}, {200, 0}, {0}, {20}, {30, 0}}
	for k := range want {
		for i := range want[k] {
			if res.Amounts[k][i] != want[k][i] {
				t.Errorf("policy %d decision %d: %d, want %d", k, i, res.Amounts[k][i], want[k][i])
			}
		}
	}
	reason := func(k int, i int32) string {
		adj := res.Adjustments(k, i)
		if len(adj) == 0 {
			return ""
		}
		return adj[len(adj)-1].ReasonZH
	}
	for _, tt := range []struct {
		k    int
		i    int32
		want string
	}{{0, 0, "与 政策b（b） 就高不重复"}, {1, 1, "与 政策a（a） 就高不重复"}, {0, 1, "每户合计上限 2.5 元，核减 0.5 元"},
		{2, 0, "与 政策d（d） 互斥"}, {4, 1, "需先获得 政策d（d）"}} {
		if got := reason(tt.k, tt.i); !strings.Contains(got, tt.want) {
			t.Errorf("policy %d decision %d: reason %q, want %q", tt.k, tt.i, got, tt.want)
		}
	}
	if !res.Excluded(0, 0) || res.Excluded(0, 1) || res.ExcludedCount(1) != 1 {
		t.Errorf("excluded flags wrong: %+v", res.Adjusted)
	}
}

func TestResolveBudgets(t *testing.T) {
	codes := func(row int) string { return string(rune('a' + row)) }
	pro := &Policy{ID: "p", BudgetFen: 100, AtLimit: AtLimitProRata}
	ord := &Policy{ID: "q", BudgetFen: 100, AtLimit: AtLimitInOrder, BudgetOrder: []string{OrderAmountDesc}}
	ref := &Policy{ID: "r", BudgetFen: 100} // refuse: decided as the rules say
	r := NewResolver([]*Policy{pro, ord, ref})
	g := Grants{Rows: []int32{0, 1, 2}, Amounts: []int64{50, 60, 40}}
	res := r.Resolve(3, []Grants{g, g, g}, codes)
	var sum int64
	for _, x := range res.Amounts[0] {
		sum += x
	}
	if sum != 100 {
		t.Errorf("pro rata sums to %d, want 100: %v", sum, res.Amounts[0])
	}
	// in order by amount: 60 fits, 50 does not: it and all after it are out.
	if got := res.Amounts[1]; got[0] != 0 || got[1] != 60 || got[2] != 0 {
		t.Errorf("in order = %v", got)
	}
	if adj := res.Adjustments(1, 0); len(adj) != 1 || !strings.Contains(adj[0].ReasonZH, "预算已用完") {
		t.Errorf("in order reason = %+v", adj)
	}
	if got := res.Amounts[2]; got[0] != 50 || got[1] != 60 || got[2] != 40 {
		t.Errorf("refuse changes nothing at run time: %v", got)
	}
}

func TestConflicts(t *testing.T) {
	lg := func(id string, r Relations) *Policy {
		p := rel(id, r)
		p.Cohort = &Cohort{Tier: chanye.TierLittleGiant}
		return p
	}
	p := lg("new", Relations{Requires: []string{"gone"}})
	got := Conflicts(p, []*Policy{lg("old", Relations{}), lg("new", Relations{})})
	if len(got) != 2 || got[0].Invalid || got[0].With != "gone" || got[1].Invalid || got[1].With != "old" {
		t.Fatalf("conflicts = %+v", got)
	}
	p = lg("new", Relations{ExclusiveGroup: "g"})
	if got := Conflicts(p, []*Policy{lg("old", Relations{ExclusiveGroup: "g"})}); len(got) != 0 {
		t.Errorf("related policies conflict: %+v", got)
	}
	p.Groups = []Group{{ID: "g", CapPerEnterpriseFen: 100}}
	old := lg("old", Relations{ExclusiveGroup: "g"})
	old.Groups = []Group{{ID: "g", CapPerEnterpriseFen: 200}}
	if got := Conflicts(p, []*Policy{old}); len(got) != 1 || !got[0].Invalid {
		t.Errorf("a group declared twice differently: %+v", got)
	}
}

func TestExplainSaysWhyExcluded(t *testing.T) {
	a := rel("a", Relations{ExclusiveGroup: "g"})
	b := rel("b", Relations{ExclusiveGroup: "g"})
	ds := []Decision{{PolicyID: "a", Status: VerdictEligible, Eligible: true, AmountFen: 100, Active: true},
		{PolicyID: "b", Status: VerdictEligible, Eligible: true, AmountFen: 200, Active: true},
	}
	NewResolver([]*Policy{a, b}).ResolveDecisions(ds)
	if ds[0].Status != VerdictExcluded || ds[0].AmountFen != 0 || ds[1].Status != VerdictEligible || ds[1].AmountFen != 200 {
		t.Fatalf("decisions %+v", ds)
	}
	if got := ds[0].Explain(); !strings.Contains(got, "已排除") || !strings.Contains(got, "与 政策b（b） 就高不重复") || !strings.Contains(got, "按规则 1 元") {
		t.Errorf("explanation %q", got)
	}
	// A needs-data decision takes no part.
	nd := []Decision{{PolicyID: "a", Status: VerdictNeedsData}, {PolicyID: "b", Status: VerdictEligible, Eligible: true, AmountFen: 1}}
	NewResolver([]*Policy{a, b}).ResolveDecisions(nd)
	if nd[0].Status != VerdictNeedsData || nd[1].Status != VerdictEligible || len(nd[0].Adjustments)+len(nd[1].Adjustments) != 0 {
		t.Errorf("needs data resolved: %+v", nd)
	}
}
