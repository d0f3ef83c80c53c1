package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/chain"
)

// placementSet is one chain of three links: batteries with cells below,
// and vehicle making.
func placementSet() *chain.Set {
	return &chain.Set{City: "广州", Sources: []chain.Source{{ID: "s1", Title: "新能源汽车产业发展规划", Publisher: "国务院办公厅"}},
		Chains: []*chain.Chain{{IndustryID: "icv-nev", Sources: []string{"s1"},
			Links: []*chain.Link{
				{ID: "icv-nev.battery", Stage: chain.Upstream, NameZH: "动力电池", NameEN: "Batteries", Classes: []string{"3841"}, Keywords: []string{"动力电池", "电机"}},
				{ID: "icv-nev.battery.cell", Parent: "icv-nev.battery", Stage: chain.Upstream, NameZH: "电芯", NameEN: "Cells", Classes: []string{"3841"}, Keywords: []string{"电芯", "锂离子电池"}},
				{ID: "icv-nev.vehicle", Stage: chain.Midstream, NameZH: "整车制造", NameEN: "Vehicles", Classes: []string{"3612"}, Keywords: []string{"新能源汽车"}},
			},
			Relations: []chain.Relation{{From: "icv-nev.battery", To: "icv-nev.vehicle"}},
		}}}
}

func placedLinks(t *testing.T, s *Store, ctx context.Context, code string) []string {
	t.Helper()
	ps, err := s.FindEnterprisePlacements(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.LinkID+":"+string(p.Source))
	}
	return out
}

// TestPlaceAll: the rule places firms by class and scope words, keeps
// placements by hand, honours removals, follows changed scopes and
// keywords, and computes the links' figures (a sub-link's firms count on
// its parent) from which the diagnosis judges.
func TestPlaceAll(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		if err := s.ImportCatalog(ctx, catalog.Default()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportChains(ctx, placementSet()); err != nil {
			t.Fatal(err)
		}
		scope := func(n int, text string) {
			t.Helper()
			if err := s.PutScope(ctx, code(t, n), &chanye.Scope{Text: text, Source: "市场监管登记", AsOf: date("2025-01-02")}); err != nil {
				t.Fatal(err)
			}
		}
		for n, class := range map[int]string{1: "3841", 2: "3841", 3: "3841", 4: "6513", 5: "3612"} {
			if err := s.CreateEnterprise(ctx, enterprise(t, n, "440106", class)); err != nil {
				t.Fatal(err)
			}
		}
		scope(1, "电芯、锂离子电池的研发和制造；动力电池销售")
		scope(2, "发电机及发电机组制造") // 电机 is inside 发电机: not a word of it
		scope(4, "电芯研发")       // a class no link lists
		scope(5, "汽车零部件销售")
		if _, err := s.PutTier(ctx, code(t, 1), chanye.Tier{Kind: chanye.TierAboveScale, From: date("2020-01-01"), Source: "统计局"}); err != nil {
			t.Fatal(err)
		}
		rev := func(v int64) *chanye.Fen { f := chanye.Fen(v); return &f }
		if _, err := s.PutFacts(ctx, code(t, 1), []*chanye.Facts{
			{Year: 2024, Revenue: rev(120_000_000_00), Source: "统计局", AsOf: date("2025-03-01")},
			{Year: 2023, Revenue: rev(100_000_000_00), Source: "统计局", AsOf: date("2024-03-01")},
		}); err != nil {
			t.Fatal(err)
		}
		if wrong := s.PutScope(ctx, code(t, 1), &chanye.Scope{Text: " ", Source: "x", AsOf: date("2025-01-02")}); chanye.ErrorFields(wrong)["text"] == "" {
			t.Errorf("an empty scope: %v", wrong)
		}
		if missing := s.PutScope(ctx, code(t, 99), &chanye.Scope{Text: "电芯", Source: "x", AsOf: date("2025-01-02")}); chanye.ErrorCode(missing) != chanye.ENOTFOUND {
			t.Errorf("the scope of no enterprise: %v", missing)
		}

		run, err := s.PlaceAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if run.Enterprises != 5 || run.Scopes != 4 || run.Segmented != 4 || run.Placed != 1 || run.Placements != 2 ||
			run.Added != 2 || run.Unplaced != 2 || run.NoScope != 1 || run.Year != 2024 {
			t.Errorf("first run: %+v", run)
		}
		if got := placedLinks(t, s, ctx, code(t, 1)); !slices.Equal(got, []string{"icv-nev.battery:rule", "icv-nev.battery.cell:rule"}) {
			t.Errorf("firm 1 on %q", got)
		}
		if got := placedLinks(t, s, ctx, code(t, 2)); got != nil {
			t.Errorf("发电机组 placed firm 2 on %q", got)
		}

		// The same again segments nothing and changes nothing.
		again, err := s.PlaceAll(ctx)
		if err != nil || again.Segmented != 0 || again.Added != 0 || again.Dropped != 0 || again.Placements != 2 {
			t.Errorf("second run: %+v, %v", again, err)
		}

		// By hand: firm 2 on the batteries; firm 1 off its cells.
		if err := s.Place(ctx, &chain.Placement{LinkID: "icv-nev.battery", Code: code(t, 2), Source: chain.ByHand, Note: "实地走访确认"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Place(ctx, &chain.Placement{LinkID: "icv-nev.battery", Code: code(t, 2), Source: chain.ByHand}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("placing twice: %v", err)
		}
		if err := s.Place(ctx, &chain.Placement{LinkID: "icv-nev.nowhere", Code: code(t, 2), Source: chain.ByHand}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an unknown link: %v", err)
		}
		if _, err := s.Unplace(ctx, "icv-nev.battery.cell", code(t, 1), ""); chanye.ErrorFields(err)["reason"] == "" {
			t.Errorf("a removal without a reason: %v", err)
		}
		if _, err := s.Unplace(ctx, "icv-nev.battery.cell", code(t, 1), "主营已转为储能"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PlaceAll(ctx); err != nil {
			t.Fatal(err)
		}
		if got := placedLinks(t, s, ctx, code(t, 1)); !slices.Equal(got, []string{"icv-nev.battery:rule"}) {
			t.Errorf("after the removal firm 1 is on %q", got)
		}
		if got := placedLinks(t, s, ctx, code(t, 2)); !slices.Equal(got, []string{"icv-nev.battery:manual"}) {
			t.Errorf("the placement by hand: %q", got)
		}
		removals, err := s.FindRemovals(ctx, "icv-nev")
		if err != nil || len(removals) != 1 || removals[0].Reason != "主营已转为储能" {
			t.Fatalf("removals: %v, %v", removals, err)
		}
		if r, err := s.UndoRemoval(ctx, "icv-nev.battery.cell", code(t, 1)); err != nil || r.Reason != "主营已转为储能" {
			t.Fatal(err)
		}

		// A changed scope is segmented again; its rule placements follow.
		scope(2, "动力电池模组制造")
		scope(1, "汽车销售")
		r3, err := s.PlaceAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r3.Segmented != 2 || r3.Dropped != 1 {
			t.Errorf("after the scopes changed: %+v", r3)
		}
		if got := placedLinks(t, s, ctx, code(t, 1)); got != nil {
			t.Errorf("firm 1 without its words is on %q", got)
		}
		if got := placedLinks(t, s, ctx, code(t, 2)); !slices.Equal(got, []string{"icv-nev.battery:manual"}) {
			t.Errorf("firm 2 is on %q: by hand stays by hand", got)
		}

		// New keywords: every scope is segmented again.
		set := placementSet()
		set.Chains[0].Links[0].Keywords = append(set.Chains[0].Links[0].Keywords, "汽车销售")
		if _, err := s.ImportChains(ctx, set); err != nil {
			t.Fatal(err)
		}
		r4, err := s.PlaceAll(ctx)
		if err != nil || r4.Segmented != 4 {
			t.Fatalf("after new keywords: %+v, %v", r4, err)
		}
		if got := placedLinks(t, s, ctx, code(t, 1)); !slices.Equal(got, []string{"icv-nev.battery:rule"}) {
			t.Errorf("firm 1 by the new keyword: %q", got)
		}

		// The figures: firm 1 (above designated size, revenue 1.2 亿 up from
		// 1 亿) and firm 2 on the batteries; nobody on the vehicles.
		stats, err := s.FindLinkStats(ctx, 2024)
		if err != nil {
			t.Fatal(err)
		}
		b := stats["icv-nev.battery"][2024]
		if b == nil || b.Firms != 2 || b.Tiers[chanye.TierAboveScale] != 1 || b.Reported != 1 || *b.Revenue != 120_000_000_00 ||
			b.Comparable != 1 || b.ComparablePrev != 100_000_000_00 || b.TopCode != code(t, 1) {
			t.Fatalf("battery figures: %+v", b)
		}
		if g, ok := b.Growth(); !ok || g != 200 {
			t.Errorf("growth %d‰ %v, want 200‰", g, ok)
		}
		th, err := s.FindThresholds(ctx)
		if err != nil || th != chain.DefaultThresholds() {
			t.Fatalf("thresholds %+v, %v", th, err)
		}
		verdicts := map[string]chain.Verdict{}
		for _, d := range th.Diagnose(set, stats, 2024) {
			verdicts[d.LinkID] = d.Verdict
		}
		if verdicts["icv-nev.battery"] != chain.Weak || verdicts["icv-nev.vehicle"] != chain.Missing || verdicts["icv-nev.battery.cell"] != chain.Missing {
			t.Errorf("verdicts %v", verdicts)
		}
		// Looser thresholds make the batteries strong.
		if err := s.PutThresholds(ctx, chain.Thresholds{MissingAboveScale: 1, StrongAboveScale: 1, StrongLeaders: 0, MaxTopShare: 1000}); err != nil {
			t.Fatal(err)
		}
		th, _ = s.FindThresholds(ctx)
		if v, why := th.Judge(b); v != chain.Strong {
			t.Errorf("with loose thresholds: %s %v", v, why)
		}
		bad := s.PutThresholds(ctx, chain.Thresholds{MissingAboveScale: 5, StrongAboveScale: 2, MaxTopShare: 1200})
		if f := chanye.ErrorFields(bad); f["strong_above_scale"] == "" || f["max_top_share"] == "" {
			t.Errorf("bad thresholds: %v", bad)
		}
		if n := auditCount(t, s, "chain_placements"); n != 2 {
			t.Errorf("%d audit entries of placements by hand, want 2", n)
		}
	})
}
