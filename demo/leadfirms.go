package demo

import (
	"context"
	"hash/fnv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// demoLeadFirmsPerChain is how many 链主 the demo designates per chain.
const demoLeadFirmsPerChain = 2

// LeadFirmStore is what LeadFirms reads and writes.
type LeadFirmStore interface {
	chain.Service
	chain.LeadFirmService
	chanye.EnterpriseService
}

// LeadFirms designates, for every chain without a 链主, up to two of the
// industry's enterprises that hold the registry's 链主企业 tier, on the
// day the tier began, with scores drawn from the credit code and a source
// that says 演示数据. It returns how many it designated; running it again
// adds none.
func LeadFirms(ctx context.Context, store LeadFirmStore) (int, error) {
	set, err := store.FindChains(ctx)
	if err != nil {
		return 0, err
	}
	tier := chanye.TierChainLeader
	n := 0
	for _, ch := range set.Chains {
		have, err := store.FindLeadFirms(ctx, ch.IndustryID)
		if err != nil {
			return n, err
		}
		if len(have) > 0 {
			continue
		}
		id := ch.IndustryID
		es, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{IndustryID: &id, Tier: &tier, Limit: demoLeadFirmsPerChain})
		if err != nil {
			return n, err
		}
		for _, e := range es {
			from := e.Founded
			for _, t := range e.Tiers {
				if t.Kind == tier {
					from = t.From
				}
			}
			h := fnv.New32a()
			h.Write([]byte(e.Code + id))
			v := int(h.Sum32())
			x := &chain.LeadFirm{IndustryID: id, Code: e.Code, DesignatedOn: from, Source: "演示数据：链主企业认定（演示）",
				Scores: []chain.Score{{Criterion: "营收规模", Value: 70 + v%30}, {Criterion: "产业链带动", Value: 60 + v/7%40}, {Criterion: "研发创新", Value: 55 + v/11%45}},
				Note:   "演示数据，非真实认定 / demo data, not a real designation"}
			if err := store.DesignateLeadFirm(ctx, x); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
