package demo

import (
	"context"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/gbt4754"
)

// Business scopes (经营范围) of the demo: a firm whose class some chain link
// lists says it makes what one or two of those links' keywords name, so
// that placement puts it there; about one in seven says only its class's
// name and stays off the chain (未挂链), as firms whose registered scope is
// vague do. Firms of other classes name their class.

// scopeUnplaced is the share of chain-class firms whose scope names no
// link's keyword.
const scopeUnplaced = 0.15

// genericScopes end every demo scope, as registry scopes end in the
// activities every firm lists.
var genericScopes = []string{
	"技术服务、技术开发、技术咨询；货物进出口",
	"技术进出口；软件开发",
	"工程和技术研究和试验发展；销售代理",
	"货物进出口；信息咨询服务（不含许可类信息咨询服务）",
}

// scopeKeywords returns, per GB/T 4754 class, the keywords of the links
// that list it, in the set's order.
func scopeKeywords(set *chain.Set) map[string][]string {
	out := map[string][]string{}
	if set == nil {
		return out
	}
	for _, ch := range set.Chains {
		for _, l := range ch.Links {
			for _, c := range l.Classes {
				out[c] = append(out[c], l.Keywords...)
			}
		}
	}
	return out
}

// scope writes firm i's business scope.
func (g *generator) scope(i int, c *class, r *record) {
	g.seed(7, i)
	rng := g.rng
	generic := genericScopes[rng.IntN(len(genericScopes))]
	text := c.code + "；" + generic
	if cl, ok := gbt4754.Lookup(c.code); ok {
		text = cl.NameZH + "；" + generic
	}
	if words := g.scopeWords[c.code]; len(words) > 0 && rng.Float64() >= scopeUnplaced {
		a, b := words[rng.IntN(len(words))], words[rng.IntN(len(words))]
		if a != b && rng.IntN(2) == 0 {
			a += "、" + b
		}
		text = a + "的研发、制造和销售；" + generic
	}
	r.scope = chanye.ScopeRecord{Code: r.ent.Code, Scope: chanye.Scope{Text: text, Source: Source, AsOf: g.asOf}}
}

// GuangzhouEnterprises is the registry the default thresholds are set for.
const GuangzhouEnterprises = 3_600_000

// Thresholds returns the diagnosis thresholds for a demo of n enterprises:
// the defaults, with the firm counts scaled down to the demo's share of
// Guangzhou's registry (at least one 规上 firm for strength), so that a
// small demo shows strong, weak and missing links as the city would.
func Thresholds(n int) chain.Thresholds {
	t := chain.DefaultThresholds()
	if n <= 0 || n >= GuangzhouEnterprises {
		return t
	}
	scale := func(v int64) int64 { return v * int64(n) / GuangzhouEnterprises }
	t.StrongAboveScale = max(t.MissingAboveScale, scale(t.StrongAboveScale), 2)
	t.StrongLeaders = scale(t.StrongLeaders)
	return t
}

// HandStore is what HandPlacements needs.
type HandStore interface {
	chain.Service
	chain.Placements
}

// HandPlacements shows the placements made by hand on a fresh demo: in the
// first chain with firms, one firm placed by the rule is taken off its link
// (a removal, with its reason) and put by hand on a link of the chain that
// has none, both saying 演示数据. It does nothing when the chain has a
// removal already, and returns how many changes it made.
func HandPlacements(ctx context.Context, s HandStore) (int, error) {
	set, err := s.FindChains(ctx)
	if err != nil {
		return 0, err
	}
	for _, ch := range set.Chains {
		removals, err := s.FindRemovals(ctx, ch.IndustryID)
		if err != nil || len(removals) > 0 {
			return 0, err
		}
		var from *chain.Placement
		var empty *chain.Link
		for _, l := range ch.Links {
			ps, total, err := s.FindPlacements(ctx, l.ID, 0, 1)
			if err != nil {
				return 0, err
			}
			switch {
			case total == 0 && empty == nil:
				empty = l
			case from == nil && len(ps) > 0 && ps[0].LinkID == l.ID && ps[0].Source == chain.ByRule:
				from = ps[0]
			}
		}
		if from == nil || empty == nil {
			continue
		}
		if _, err := s.Unplace(ctx, from.LinkID, from.Code, "演示数据：主营已转向其他环节"); err != nil {
			return 0, err
		}
		if err := s.Place(ctx, &chain.Placement{LinkID: empty.ID, Code: from.Code, Source: chain.ByHand, Note: "演示数据：走访确认"}); err != nil {
			return 1, err
		}
		return 2, nil
	}
	return 0, nil
}
