package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestLeadFirms: the demo designates 链主 among the firms holding the
// 链主企业 tier, says 演示数据, and adds none a second time.
func TestLeadFirms(t *testing.T) {
	s := sqlstoretest.New(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 20000, Seed: 1, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	n, err := demo.LeadFirms(ctx, s)
	if err != nil || n == 0 {
		t.Fatalf("LeadFirms = %d, %v", n, err)
	}
	total := 0
	set, _ := s.FindChains(ctx)
	for _, ch := range set.Chains {
		xs, err := s.FindLeadFirms(ctx, ch.IndustryID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range xs {
			total++
			e, err := s.FindEnterpriseByCode(ctx, x.Code)
			if err != nil || !strings.HasPrefix(x.Source, "演示数据") || len(x.Scores) != 3 {
				t.Errorf("%s: %+v, %v", ch.IndustryID, x, err)
				continue
			}
			held := false
			for _, tr := range e.Tiers {
				held = held || tr.Kind == chanye.TierChainLeader
			}
			if !held {
				t.Errorf("%s designated without the 链主企业 tier", x.Code)
			}
		}
	}
	if total != n {
		t.Errorf("%d designations stored, LeadFirms said %d", total, n)
	}
	if again, err := demo.LeadFirms(ctx, s); err != nil || again != 0 {
		t.Errorf("a second run designated %d, %v", again, err)
	}
}
