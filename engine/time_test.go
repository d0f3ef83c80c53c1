package engine_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestRunTime: a run as of a day in 2026 pays the 小巨人 recognised in 2025
// (the shipped reward's cohort) and not those of 2024, keyed by the
// cohort's year; a run as of a day in 2025 stores a firm that grew from
// small (2024) to medium (2025) as small, and counts it so, though the
// registry holds it as medium today (issue 9, point 6).
func TestRunTime(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	codes := []string{"91440106MA5B1K2X9F", "91440101MA5ALP4R4C", "9144011661842063XT"}
	fen := func(yuan int64) *chanye.Fen { f := chanye.Fen(yuan * 100); return &f }
	n := func(v int64) *int64 { return &v }
	for i, code := range codes {
		e := &chanye.Enterprise{Code: code, Name: "测试企业", DistrictCode: "440112", IndustryClass: "3670", Founded: mustDate("2012-03-01")}
		if err := store.CreateEnterprise(ctx, e); err != nil {
			t.Fatalf("create %s: %v", code, err)
		}
		from := []string{"2025-07-15", "2024-07-15", ""}[i]
		if from != "" {
			if _, err := store.PutTier(ctx, code, chanye.Tier{Kind: chanye.TierLittleGiant, Level: chanye.LevelNational, From: mustDate(from), Source: "工信部"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	grower := codes[2]
	if _, err := store.PutFacts(ctx, grower, []*chanye.Facts{
		{Year: 2024, Employees: n(120), Revenue: fen(9_000_000), EquipmentPurchases: fen(6_000_000), Source: "统计年报", AsOf: mustDate("2025-03-31")},
		{Year: 2025, Employees: n(320), Revenue: fen(25_000_000), EquipmentPurchases: fen(6_000_000), Source: "统计年报", AsOf: mustDate("2026-03-31")},
	}); err != nil {
		t.Fatal(err)
	}
	if ent, err := store.FindEnterpriseByCode(ctx, grower); err != nil || ent.SizeClass != chanye.SizeMedium {
		t.Fatalf("stored size %v (%v), want medium", ent, err)
	}

	run, err := eng.Run(ctx, mustDate("2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	giants := map[string]*policy.StoredDecision{}
	for _, d := range allDecisions(t, store, run.ID) {
		if d.PolicyID == "gz-little-giant-reward" {
			giants[d.Code] = d
		}
	}
	if d := giants[codes[0]]; d == nil || d.AmountFen != 100_000_000 || d.Period != 2025 || d.Entitlement().Period != 2025 {
		t.Errorf("2025 little giant as of 2026-06-30: %+v, want ¥1,000,000 for period 2025", d)
	}
	if d := giants[codes[1]]; d != nil {
		t.Errorf("2024 little giant paid in 2026: %+v", d)
	}

	run, err = eng.Run(ctx, mustDate("2025-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	var got *policy.StoredDecision
	for _, d := range allDecisions(t, store, run.ID) {
		if d.Code == grower && d.PolicyID == "example-equipment-upgrade" {
			got = d
		}
		if d.PolicyID == "gz-little-giant-reward" {
			t.Errorf("a little giant paid in 2025, the year of recognition: %+v", d)
		}
	}
	if got == nil || got.Size != string(chanye.SizeSmall) || got.Period != 2025 {
		t.Fatalf("equipment decision as of 2025-12-31: %+v, want one stored as small", got)
	}
	totals, err := store.FindRunTotals(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tot := range totals {
		if tot.PolicyID == "example-equipment-upgrade" && tot.Dimension == policy.DimSize && tot.Key != string(chanye.SizeSmall) {
			t.Errorf("size total %+v, want the grower counted as small", tot)
		}
	}
}
