package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/chanye-org/chanye"
)

// Every write that changes what the engine reads of an enterprise stamps
// it (migration 0015); a write that changes nothing does not; the stamps
// select exactly the enterprises changed since a reader last looked.
func TestChangeStamps(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		seq := func() int64 {
			t.Helper()
			n, err := s.ChangeSeq(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		changedSince := func(after int64) []string {
			t.Helper()
			codes, err := s.ChangedCodes(ctx, after, nil)
			if err != nil {
				t.Fatal(err)
			}
			return codes
		}
		expect := func(step string, after int64, want ...string) {
			t.Helper()
			slices.Sort(want)
			if got := changedSince(after); !slices.Equal(got, want) {
				t.Errorf("%s: changed since %d = %v, want %v", step, after, got, want)
			}
		}

		es, facts, tiers := population(t, 30)
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		all := make([]string, len(es))
		for i, e := range es {
			all[i] = e.Code
		}
		expect("bulk", 0, all...)
		s0 := seq()
		expect("nothing since", s0)

		// The same bulk again changes nothing.
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		expect("the same bulk again", s0)

		// Facts alone, a tier alone, a row alone, each by bulk.
		emp := int64(777)
		if err := s.Bulk(ctx, writeAll(nil, []*chanye.FactsRecord{{Code: es[1].Code, Facts: chanye.Facts{Year: 2024, Employees: &emp, Source: "新来源", AsOf: date("2025-05-01")}}},
			[]*chanye.TierRecord{{Code: es[2].Code, Tier: chanye.Tier{Kind: chanye.TierSRDI, From: date("2024-01-01"), Source: "工信局"}}})); err != nil {
			t.Fatal(err)
		}
		es[3].Name = "改名后的企业有限公司"
		if err := s.Bulk(ctx, writeAll(es[3:4], nil, nil)); err != nil {
			t.Fatal(err)
		}
		expect("bulk of facts, tiers and a row", s0, es[1].Code, es[2].Code, es[3].Code)
		s1 := seq()

		// Single writes: facts, a tier added and removed, an update, a new
		// enterprise; and a facts write that changes nothing.
		if _, err := s.PutFacts(ctx, es[4].Code, []*chanye.Facts{{Year: 2024, Employees: &emp, Source: "统计局", AsOf: date("2025-03-01")}}); err != nil {
			t.Fatal(err)
		}
		s2 := seq()
		if _, err := s.PutFacts(ctx, es[4].Code, []*chanye.Facts{{Year: 2024, Employees: &emp, Source: "统计局", AsOf: date("2025-03-01")}}); err != nil {
			t.Fatal(err)
		}
		expect("the same facts again", s2)
		if _, err := s.PutTier(ctx, es[5].Code, chanye.Tier{Kind: chanye.TierGazelle, From: date("2025-01-01")}); err != nil {
			t.Fatal(err)
		}
		s3 := seq()
		if _, err := s.DeleteTier(ctx, es[5].Code, chanye.TierGazelle, date("2025-01-01")); err != nil {
			t.Fatal(err)
		}
		expect("a tier removed", s3, es[5].Code)
		if _, err := s.UpdateEnterprise(ctx, es[6].Code, chanye.EnterpriseUpdate{Name: ptr("又一个新名字有限公司")}); err != nil {
			t.Fatal(err)
		}
		n := enterprise(t, 8001, "440103", "3911")
		if err := s.CreateEnterprise(ctx, n); err != nil {
			t.Fatal(err)
		}
		expect("single writes", s1, es[4].Code, es[5].Code, es[6].Code, n.Code)

		// A catalog that moves a class to another industry changes the
		// industries of the enterprises of that class.
		s4 := seq()
		cat, err := s.FindCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cat.Industries[1].Classes = append(cat.Industries[1].Classes, "0111")
		if err := s.ImportCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		var class0111 []string
		for _, e := range es {
			if e.IndustryClass == "0111" {
				class0111 = append(class0111, e.Code)
			}
		}
		expect("catalog", s4, class0111...)
		if s4 <= s3 || s3 <= s2 || s2 <= s1 || s1 <= s0 {
			t.Errorf("stamps not increasing: %d %d %d %d %d", s0, s1, s2, s3, s4)
		}
	})
}
