package engine_test

import (
	"fmt"
	"testing"

	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/policy/vector"
)

// TestRelationsFastEqualsReference: with half the policies in exclusive
// groups (one with a cap per enterprise) and some requiring another, the
// fast path's resolution over the bitmaps (engine.Resolve) gives every
// firm exactly what the reference evaluator's decisions, resolved one firm
// at a time (as explanations are), give: the same exclusions with the same
// reasons and the same amounts. Missing figures are in play: a needs-data
// decision takes no part in either.
func TestRelationsFastEqualsReference(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			pols, err := vector.RealisticPolicies(40, seed)
			if err != nil {
				t.Fatal(err)
			}
			vector.WithRelations(pols, 50_000_00)
			subs := vector.SyntheticSubjects(1500, asOf, seed)
			prog := vector.Compile(asOf, pols...)
			cols, err := vector.NewColumns(len(subs), prog.Reads()...)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range subs {
				cols.Append(s)
			}
			res := vector.Run(cols, prog)
			rs := engine.Resolve(pols, &res, func(row int) string { return subs[row].Code })
			if rs == nil {
				t.Fatal("no relations in play")
			}
			idx := make([]int, len(pols)) // next index into each policy's grants
			excluded, capped, needs := 0, 0, 0
			for row, s := range subs {
				ds := make([]policy.Decision, len(pols))
				for k, c := range pols {
					ds[k] = c.Evaluate(s, asOf)
				}
				policy.NewResolver(policyList(pols)).ResolveDecisions(ds)
				for k := range pols {
					pr := &res.Policies[k]
					if !pr.IsEligible(row) {
						if ds[k].Status == policy.VerdictExcluded || ds[k].Eligible {
							t.Fatalf("row %d %s: reference %s, fast path %s", row, pols[k].Policy.ID, ds[k].Status, pr.Verdict(row))
						}
						if ds[k].Status == policy.VerdictNeedsData {
							needs++
						}
						continue
					}
					i := int32(idx[k])
					idx[k]++
					fastOut := rs.Excluded(k, i)
					fastAmt := rs.Amounts[k][i]
					if fastOut != (ds[k].Status == policy.VerdictExcluded) || !fastOut && fastAmt != int64(ds[k].AmountFen) {
						t.Fatalf("row %d %s: fast path excluded %v amount %d, reference %s amount %d (%+v)",
							row, pols[k].Policy.ID, fastOut, fastAmt, ds[k].Status, ds[k].AmountFen, ds[k].Adjustments)
					}
					fa, ra := rs.Adjustments(k, i), ds[k].Adjustments
					if len(fa) != len(ra) || len(fa) > 0 && fa[len(fa)-1].ReasonZH != ra[len(ra)-1].ReasonZH {
						t.Fatalf("row %d %s: fast path %+v, reference %+v", row, pols[k].Policy.ID, fa, ra)
					}
					if fastOut {
						excluded++
					} else if len(fa) > 0 {
						capped++
					}
				}
			}
			if excluded == 0 || needs == 0 {
				t.Errorf("the relations excluded %d and %d decisions needed data: the test covers too little", excluded, needs)
			}
			t.Logf("%d excluded, %d capped, %d needs data", excluded, capped, needs)
		})
	}
}

func policyList(cs []*policy.Compiled) []*policy.Policy {
	out := make([]*policy.Policy, len(cs))
	for k, c := range cs {
		out[k] = c.Policy
	}
	return out
}
