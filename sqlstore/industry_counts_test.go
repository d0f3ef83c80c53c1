package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/chanye-org/chanye"
)

// Every membership carries its enterprise's district and size class
// (migration 0014) after every write that changes them: a bulk import of
// new enterprises and of changed ones, facts that re-derive the size, a
// single create and update, a catalog that re-derives memberships.
func TestMembershipsCarryDistrictAndSize(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		consistent := func(step string) {
			t.Helper()
			var bad, members int
			err := db.transact(ctx, true, func(tx *txn) error {
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM enterprise_industries`).Scan(&members); err != nil {
					return err
				}
				return tx.queryRow(ctx, `SELECT COUNT(*) FROM enterprise_industries ei JOIN enterprises e ON e.code = ei.code
					WHERE ei.district_code <> e.district_code OR ei.size_class <> e.size_class`).Scan(&bad)
			})
			if err != nil || bad != 0 || members == 0 {
				t.Fatalf("%s: %d of %d memberships differ from their enterprise (%v)", step, bad, members, err)
			}
		}
		es, facts, tiers := population(t, 120)
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		consistent("bulk of new enterprises with facts")

		// The same enterprises again, some moved to another district and
		// class, with facts that change their size.
		for i, e := range es[:40] {
			e.DistrictCode = map[string]string{"440103": "440106", "440106": "440103"}[e.DistrictCode]
			if i%2 == 0 {
				e.IndustryClass = "3971"
			}
		}
		var more []*chanye.FactsRecord
		for _, e := range es[:60] {
			emp, rev := int64(2000), chanye.Fen(5e11)
			more = append(more, &chanye.FactsRecord{Code: e.Code, Facts: chanye.Facts{Year: 2024, Employees: &emp, Revenue: &rev, Source: "统计局", AsOf: date("2025-06-01")}})
		}
		if err := s.Bulk(ctx, writeAll(es[:40], more, nil)); err != nil {
			t.Fatal(err)
		}
		consistent("bulk of changed enterprises and facts")

		e := enterprise(t, 9001, "440103", "3911")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		consistent("create")
		if _, err := s.UpdateEnterprise(ctx, e.Code, chanye.EnterpriseUpdate{DistrictCode: ptr("440106")}); err != nil {
			t.Fatal(err)
		}
		consistent("update")
		cat, err := s.FindCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cat.Industries[0].Classes = []string{"3612", "3911", "0111"}
		if err := s.ImportCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		consistent("catalog import")

		// Counted from the memberships, an industry's selection is what
		// the enterprises themselves give.
		for _, f := range []chanye.EnterpriseFilter{
			{IndustryID: ptr("auto")},
			{IndustryID: ptr("ict"), DistrictCode: ptr("440106")},
			{IndustryID: ptr("ict"), SizeClass: ptr(chanye.SizeClass("large"))},
			{IndustryID: ptr("auto"), Tier: ptr(chanye.TierHighTech)},
			{IndustryID: ptr("auto"), Q: ptr("测试企业10")},
		} {
			got, err := s.EnterpriseStats(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want := naiveStats(t, db, f)
			if got.Total != want.Total || !maps.Equal(got.BySize, want.BySize) || !maps.Equal(got.ByDistrict, want.ByDistrict) || !maps.Equal(got.ByTier, want.ByTier) {
				t.Errorf("%s: stats %+v, want %+v", describeFilter(f), got, want)
			}
			page, total, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{IndustryID: f.IndustryID, DistrictCode: f.DistrictCode,
				SizeClass: f.SizeClass, Tier: f.Tier, Q: f.Q, Limit: 1000})
			if err != nil || total != want.Total || len(page) != want.Total {
				t.Errorf("%s: list %d of %d (%v), want %d", describeFilter(f), len(page), total, err, want.Total)
			}
			for i := 1; i < len(page); i++ {
				if page[i-1].Code >= page[i].Code {
					t.Fatalf("%s: list not in code order", describeFilter(f))
				}
			}
		}
	})
}

// naiveStats counts a selection from the enterprises themselves.
func naiveStats(t *testing.T, db *DB, f chanye.EnterpriseFilter) *chanye.EnterpriseStats {
	t.Helper()
	st := &chanye.EnterpriseStats{ByTier: map[string]int{}, BySize: map[string]int{}, ByDistrict: map[string]int{}}
	err := db.transact(context.Background(), true, func(tx *txn) error {
		cond, args := tx.where(f)
		for _, g := range []struct {
			col  string
			into map[string]int
		}{{"e.size_class", st.BySize}, {"e.district_code", st.ByDistrict}} {
			if err := countInto(context.Background(), tx, g.into, `SELECT `+g.col+`, COUNT(*) FROM enterprises e WHERE `+cond+` GROUP BY 1`, args...); err != nil {
				return err
			}
		}
		today := tx.today()
		if err := countInto(context.Background(), tx, st.ByTier, `SELECT t.kind, COUNT(DISTINCT t.code) FROM enterprise_tiers t JOIN enterprises e ON e.code = t.code
			WHERE t.from_date <= ? AND (t.to_date IS NULL OR t.to_date >= ?) AND `+cond+` GROUP BY t.kind`, append([]any{today, today}, args...)...); err != nil {
			return err
		}
		return tx.queryRow(context.Background(), `SELECT COUNT(*) FROM enterprises e WHERE `+cond, args...).Scan(&st.Total)
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total == 0 {
		t.Fatalf("%s selects no one: the comparison would prove nothing", describeFilter(f))
	}
	return st
}

func describeFilter(f chanye.EnterpriseFilter) string {
	s := ""
	for k, v := range map[string]any{"industry": f.IndustryID, "district": f.DistrictCode, "size": f.SizeClass, "tier": f.Tier, "q": f.Q} {
		switch v := v.(type) {
		case *string:
			if v != nil {
				s += fmt.Sprintf(" %s=%s", k, *v)
			}
		case *chanye.SizeClass:
			if v != nil {
				s += fmt.Sprintf(" %s=%s", k, *v)
			}
		case *chanye.TierKind:
			if v != nil {
				s += fmt.Sprintf(" %s=%s", k, *v)
			}
		}
	}
	return s
}
