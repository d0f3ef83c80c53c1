package sqlstore

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
)

// A list's total is remembered only until the next write: after each kind
// of write the totals are those counted afresh.
func TestRegistryCountsFollowWrites(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		es, facts, tiers := population(t, 40)
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		district, tier, industry := "440106", chanye.TierHighTech, "auto"
		filters := map[string]chanye.EnterpriseFilter{
			"all": {}, "district": {DistrictCode: &district}, "tier": {Tier: &tier}, "industry": {IndustryID: &industry},
			"industry and district": {IndustryID: &industry, DistrictCode: &district},
		}
		expect := func(step string) {
			t.Helper()
			for name, f := range filters {
				_, total, err := s.FindEnterprises(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var fresh int
				err = db.transact(ctx, true, func(tx *txn) error { // counted afresh, bypassing the memory
					if f.IndustryID != nil {
						cond, args := tx.memberWhere(f)
						fresh, err = count(ctx, tx, `SELECT COUNT(*) FROM enterprise_industries ei WHERE `+cond, args...)
						return err
					}
					cond, args := tx.where(f)
					fresh, err = count(ctx, tx, `SELECT COUNT(*) FROM enterprises e WHERE `+cond, args...)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if total != fresh {
					t.Errorf("%s: %s total %d, counted afresh %d", step, name, total, fresh)
				}
				st, err := s.EnterpriseStats(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if st.Total != fresh {
					t.Errorf("%s: %s statistics total %d, counted afresh %d", step, name, st.Total, fresh)
				}
				st.BySize["changed by the caller"] = 1 // the kept statistics are the store's
				if again, _ := s.EnterpriseStats(ctx, f); again.BySize["changed by the caller"] != 0 {
					t.Errorf("%s: %s: a caller's change reached the kept statistics", step, name)
				}
			}
		}
		expect("bulk")
		expect("again, remembered")
		if err := s.CreateEnterprise(ctx, enterprise(t, 5000, "440106", "3612")); err != nil {
			t.Fatal(err)
		}
		expect("an enterprise created")
		if _, err := s.UpdateEnterprise(ctx, es[1].Code, chanye.EnterpriseUpdate{DistrictCode: ptr("440103")}); err != nil {
			t.Fatal(err)
		}
		expect("a district changed")
		if _, err := s.PutTier(ctx, es[1].Code, chanye.Tier{Kind: chanye.TierHighTech, From: chanye.Date{Time: date("2023-01-01").Time}, Source: "科技局"}); err != nil {
			t.Fatal(err)
		}
		expect("a tier given")
		if _, err := s.UpdateEnterprise(ctx, es[2].Code, chanye.EnterpriseUpdate{Industries: &[]string{"auto", "ict"}}); err != nil {
			t.Fatal(err)
		}
		expect("industries set")
	})
}
