package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/chanye-org/chanye"
)

// findAll pages through FindEnterprises, the reference the scans must match.
func findAll(t *testing.T, s *Store, filter chanye.EnterpriseFilter) []*chanye.Enterprise {
	t.Helper()
	var all []*chanye.Enterprise
	for filter.Offset, filter.Limit = 0, MaxLimit; ; filter.Offset += MaxLimit {
		page, _, err := s.FindEnterprises(context.Background(), filter)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < MaxLimit {
			return all
		}
	}
}

func TestScans(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		s.chunk = 7 // many chunks, and a last one that is not full
		es, facts, tiers := population(t, 60)
		es[5].Industries, es[5].IndustriesOverride = []string{"quantum", "auto"}, true
		tiers = append(tiers, &chanye.TierRecord{Code: es[0].Code, Tier: chanye.Tier{Kind: chanye.TierSRDI, From: date("2021-05-01"),
			To: date("2022-12-31"), Source: "工信局"}})
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		srdi := chanye.TierHighTech
		for _, tc := range []struct {
			name   string
			filter chanye.EnterpriseFilter
		}{
			{"all", chanye.EnterpriseFilter{}},
			{"paging ignored", chanye.EnterpriseFilter{Offset: 10, Limit: 3}},
			{"district", chanye.EnterpriseFilter{DistrictCode: ptr("440106")}},
			{"industry", chanye.EnterpriseFilter{IndustryID: ptr("ict")}},
			{"tier", chanye.EnterpriseFilter{Tier: &srdi}},
			{"name", chanye.EnterpriseFilter{Q: ptr("企业105")}},
			{"none", chanye.EnterpriseFilter{DistrictCode: ptr("440103"), Q: ptr("无此企业")}},
		} {
			paged := tc.filter
			paged.Offset, paged.Limit = 0, 0
			want := findAll(t, s, paged)
			if tc.name == "all" && len(want) != len(es) {
				t.Fatalf("FindEnterprises found %d, want %d", len(want), len(es))
			}

			var got []*chanye.Enterprise
			if err := s.ScanEnterprises(ctx, tc.filter, func(e *chanye.Enterprise) error {
				got = append(got, e)
				return nil
			}); err != nil {
				t.Fatalf("%s: ScanEnterprises: %v", tc.name, err)
			}
			if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
				t.Errorf("%s: ScanEnterprises\n got %s\nwant %s", tc.name, g, w)
			}

			var codes, wantCodes []string
			if err := s.ScanCodes(ctx, tc.filter, func(c string) error {
				codes = append(codes, c)
				return nil
			}); err != nil {
				t.Fatalf("%s: ScanCodes: %v", tc.name, err)
			}
			var wantTiers []string
			var wantFacts []string
			for _, e := range want {
				wantCodes = append(wantCodes, e.Code)
				for _, tr := range e.Tiers {
					wantTiers = append(wantTiers, jsonOf(t, &chanye.TierRecord{Code: e.Code, Tier: tr}))
				}
				reports, err := s.FindFacts(ctx, e.Code)
				if err != nil {
					t.Fatal(err)
				}
				sort.Slice(reports, func(i, j int) bool {
					a, b := reports[i], reports[j]
					return a.Year < b.Year || a.Year == b.Year && a.Source < b.Source
				})
				for _, f := range reports {
					wantFacts = append(wantFacts, jsonOf(t, &chanye.FactsRecord{Code: e.Code, Facts: *f}))
				}
			}
			if fmt.Sprint(codes) != fmt.Sprint(wantCodes) {
				t.Errorf("%s: ScanCodes = %v, want %v", tc.name, codes, wantCodes)
			}

			var gotTiers, gotFacts []string
			if err := s.ScanTiers(ctx, tc.filter, func(r *chanye.TierRecord) error {
				gotTiers = append(gotTiers, jsonOf(t, r))
				return nil
			}); err != nil {
				t.Fatalf("%s: ScanTiers: %v", tc.name, err)
			}
			if fmt.Sprint(gotTiers) != fmt.Sprint(wantTiers) {
				t.Errorf("%s: ScanTiers\n got %v\nwant %v", tc.name, gotTiers, wantTiers)
			}
			if err := s.ScanFacts(ctx, tc.filter, func(r *chanye.FactsRecord) error {
				gotFacts = append(gotFacts, jsonOf(t, r))
				return nil
			}); err != nil {
				t.Fatalf("%s: ScanFacts: %v", tc.name, err)
			}
			if fmt.Sprint(gotFacts) != fmt.Sprint(wantFacts) {
				t.Errorf("%s: ScanFacts\n got %v\nwant %v", tc.name, gotFacts, wantFacts)
			}
		}

		// The first error of fn ends the scan and is returned as is.
		stop := errors.New("stop")
		for name, scan := range map[string]func(int) error{
			"ScanEnterprises": func(n int) error {
				return s.ScanEnterprises(ctx, chanye.EnterpriseFilter{}, func(*chanye.Enterprise) error { return countdown(&n, stop) })
			},
			"ScanCodes": func(n int) error {
				return s.ScanCodes(ctx, chanye.EnterpriseFilter{}, func(string) error { return countdown(&n, stop) })
			},
			"ScanFacts": func(n int) error {
				return s.ScanFacts(ctx, chanye.EnterpriseFilter{}, func(*chanye.FactsRecord) error { return countdown(&n, stop) })
			},
			"ScanTiers": func(n int) error {
				return s.ScanTiers(ctx, chanye.EnterpriseFilter{}, func(*chanye.TierRecord) error { return countdown(&n, stop) })
			},
		} {
			if err := scan(10); err != stop {
				t.Errorf("%s with a failing fn = %v, want %v", name, err, stop)
			}
		}
	})
}

// countdown returns err once it has been called *n+1 times.
func countdown(n *int, err error) error {
	if *n == 0 {
		return err
	}
	*n--
	return nil
}

func TestNameSearchFoldsASCIICaseOnly(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		for n, name := range []string{"广州XPeng汽车科技有限公司", "广州Ärztehaus医疗有限公司", "广州ＡＢＣ贸易有限公司"} {
			e := enterprise(t, n+1, "440103", "3612")
			e.Name = name
			if err := s.CreateEnterprise(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			q    string
			want int
		}{
			{"xpeng", 1},
			{"XPENG", 1},
			{"xPeNg汽车", 1},
			{"Ärzte", 1},
			{"ärzte", 0}, // SQLite folds ASCII letters only; PostgreSQL must too
			{"ＡＢＣ", 1},
			{"ａｂｃ", 0},
			{"x_eng", 0}, // wildcards are literal
		} {
			_, total, err := s.FindEnterprises(ctx, chanye.EnterpriseFilter{Q: &tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.want {
				t.Errorf("q %q: %d found, want %d", tc.q, total, tc.want)
			}
		}
	})
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ScanEnterprisesByCode reads what FindEnterpriseByCode reads, for many
// codes at once: across chunks, with duplicates and unknown codes skipped.
func TestScanEnterprisesByCode(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		es, facts, tiers := population(t, codesChunk+40)
		if err := s.Bulk(ctx, writeAll(es, facts, tiers)); err != nil {
			t.Fatal(err)
		}
		var codes []string
		for i := len(es) - 1; i >= 0; i -= 2 { // every other one, backwards
			codes = append(codes, es[i].Code)
		}
		codes = append(codes, es[len(es)-1].Code, "91440101MA00000000")
		var got []*chanye.Enterprise
		err := s.ScanEnterprisesByCode(ctx, codes, func(e *chanye.Enterprise) error {
			got = append(got, e)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := (len(es) + 1) / 2; len(got) != want {
			t.Fatalf("read %d enterprises, want %d", len(got), want)
		}
		for i, e := range got {
			if i > 0 && got[i-1].Code >= e.Code {
				t.Fatalf("not in code order at %d: %s after %s", i, e.Code, got[i-1].Code)
			}
			one, err := s.FindEnterpriseByCode(ctx, e.Code)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(one, e) {
				t.Fatalf("%s: read by code\n%+v\nwant\n%+v", e.Code, e, one)
			}
		}
	})
}
