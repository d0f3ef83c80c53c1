package sqlstore

import (
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/chain"
)

// TestChains: the default set is stored once, on a database without one;
// an import replaces it, dropping the links it no longer has; a chain is
// replaced alone; a bad set changes nothing and names the link and field.
func TestChains(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		if err := s.ImportCatalog(ctx, catalog.Default()); err != nil {
			t.Fatal(err)
		}
		empty, err := s.FindChains(ctx)
		if err != nil || len(empty.Chains) != 0 {
			t.Fatalf("a new database's chains: %v, %v", empty, err)
		}
		def := chain.Default(catalog.Default())
		if loaded, err := s.EnsureChains(ctx, func() *chain.Set { return def }); err != nil || !loaded {
			t.Fatalf("EnsureChains = %v, %v", loaded, err)
		}
		again := func() *chain.Set { t.Error("the default set was read for a database that has one"); return def }
		if loaded, err := s.EnsureChains(ctx, again); err != nil || loaded {
			t.Fatalf("EnsureChains again = %v, %v", loaded, err)
		}
		got, err := s.FindChains(ctx)
		if err != nil || len(got.Chains) != len(def.Chains) || got.Chain("icv-nev") == nil {
			t.Fatalf("stored default: %d chains, %v", len(got.Chains), err)
		}
		links := func() int {
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM chain_links`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		all := 0
		for _, ch := range def.Chains {
			all += len(ch.Links)
		}
		if n := links(); n != all {
			t.Errorf("chain_links = %d, want %d", n, all)
		}

		// One chain replaced: its links follow.
		ch := got.Chain("icv-nev")
		kept := ch.Links[:2]
		ch.Links = kept
		var rel []chain.Relation
		for _, r := range ch.Relations {
			if ch.Link(r.From) != nil && ch.Link(r.To) != nil {
				rel = append(rel, r)
			}
		}
		ch.Relations = rel
		for _, l := range ch.Links {
			l.Parent = ""
		}
		imp, err := s.PutChain(ctx, ch)
		if err != nil {
			t.Fatalf("PutChain: %v %v", err, chanye.ErrorFields(err))
		}
		if imp.Removed != len(def.Chain("icv-nev").Links)-2 || links() != all-imp.Removed {
			t.Errorf("PutChain removed %d links, chain_links %d", imp.Removed, links())
		}
		// A bad chain changes nothing.
		bad := *ch
		bad.Links = append([]*chain.Link{{ID: "icv-nev.x", Stage: "side", NameZH: "坏", NameEN: "bad", Keywords: []string{"坏环节"}}}, ch.Links...)
		_, err = s.PutChain(ctx, &bad)
		if f := chanye.ErrorFields(err); f["chains[icv-nev].links[icv-nev.x].stage"] == "" || f["chains[icv-nev].links[icv-nev.x].name_zh"] == "" {
			t.Errorf("a bad chain: %v %v", err, f)
		}
		if again, _ := s.FindChains(ctx); len(again.Chain("icv-nev").Links) != 2 {
			t.Error("a refused chain was stored")
		}
		// An import replaces the set.
		small := &chain.Set{City: "广州", Sources: def.Sources[:1], Chains: []*chain.Chain{{IndustryID: "ai", Sources: []string{def.Sources[0].ID},
			Links: []*chain.Link{{ID: "ai.chips", Stage: chain.Upstream, NameZH: "智能芯片", NameEN: "AI chips", Keywords: []string{"人工智能芯片"}}}}}}
		if _, err := s.ImportChains(chanye.WithActor(ctx, &chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "ai"}), small); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			t.Errorf("a task force imports the set: %v", err)
		}
		imp, err = s.ImportChains(ctx, small)
		if err != nil || imp.Chains != 1 || imp.Links != 1 || links() != 1 {
			t.Errorf("import = %+v, %v; chain_links %d", imp, err, links())
		}
		if n := auditCount(t, s, "chains") + auditCount(t, s, "chain"); n != 2 {
			t.Errorf("%d audit entries, want 2 (the chain, the import)", n)
		}
	})
}

// TestChainsFollowTheCatalog: a catalog import without an industry removes
// its chain and links; the other chains stay valid and can be changed.
func TestChainsFollowTheCatalog(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		c := catalog.Default()
		if err := s.ImportCatalog(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnsureChains(ctx, func() *chain.Set { return chain.Default(c) }); err != nil {
			t.Fatal(err)
		}
		var without []*chanye.Industry
		for _, ind := range c.Industries {
			if ind.ID != "cell-gene" {
				without = append(without, ind)
			}
		}
		c.Industries = without
		if err := s.ImportCatalog(ctx, c); err != nil {
			t.Fatalf("import without cell-gene: %v %v", err, chanye.ErrorFields(err))
		}
		set, err := s.FindChains(ctx)
		if err != nil || set.Chain("cell-gene") != nil || len(set.Chains) != 17 {
			t.Fatalf("chains after the import: %d, %v", len(set.Chains), err)
		}
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM chain_links WHERE industry_id = 'cell-gene'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("cell-gene links left: %d, %v", n, err)
		}
		if _, err := s.PutChain(ctx, set.Chain("ai")); err != nil {
			t.Errorf("a chain changed after the import: %v %v", err, chanye.ErrorFields(err))
		}
	})
}

// TestLeadFirms: a registry enterprise is designated 链主 with its source
// and scores, once while it holds; the designation ends on a day between
// its start and today; bad input names its field; both steps audited.
func TestLeadFirms(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		setClock(db) // 2025-06-15
		s, ctx := newStore(t, db), operator()
		e := enterprise(t, 7, "440106", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		x := &chain.LeadFirm{IndustryID: "auto", Code: e.Code, DesignatedOn: date("2025-03-01"), Source: "市工信局链主企业名单（2025）",
			Scores: []chain.Score{{Criterion: "营收规模", Value: 92}, {Criterion: "带动配套", Value: 85}}}
		if err := s.DesignateLeadFirm(ctx, x); err != nil || x.ID == 0 || x.Name != e.Name {
			t.Fatalf("designate: %+v, %v", x, err)
		}
		again := *x
		again.Scores = append([]chain.Score(nil), x.Scores...)
		if err := s.DesignateLeadFirm(ctx, &again); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("designated twice: %v", err)
		}
		for name, tc := range map[string]struct {
			change func(y *chain.LeadFirm)
			field  string
		}{
			"unknown firm":   {func(y *chain.LeadFirm) { y.Code = code(t, 99) }, "code"},
			"bad code":       {func(y *chain.LeadFirm) { y.Code = "91440101" }, "code"},
			"no source":      {func(y *chain.LeadFirm) { y.Source = " " }, "source"},
			"no scores":      {func(y *chain.LeadFirm) { y.Scores = nil }, "scores"},
			"score too high": {func(y *chain.LeadFirm) { y.Scores = []chain.Score{{Criterion: "技术", Value: 101}} }, "scores[0].value"},
			"twice a criterion": {func(y *chain.LeadFirm) {
				y.Scores = []chain.Score{{Criterion: "技术", Value: 1}, {Criterion: "技术", Value: 2}}
			}, "scores[1].criterion"},
			"in the future": {func(y *chain.LeadFirm) { y.DesignatedOn = date("2025-07-01") }, "designated_on"},
		} {
			y := &chain.LeadFirm{IndustryID: "auto", Code: code(t, 8), DesignatedOn: date("2025-03-01"), Source: "名单", Scores: []chain.Score{{Criterion: "规模", Value: 50}}}
			if name == "unknown firm" || name == "bad code" {
				tc.change(y)
			} else {
				y.Code = e.Code
				y.IndustryID = "ict"
				tc.change(y)
			}
			if err := s.DesignateLeadFirm(ctx, y); chanye.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
			}
		}
		if _, err := s.EndLeadFirm(ctx, "ict", x.ID, date("2025-06-01")); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("ended through another industry: %v", err)
		}
		if _, err := s.EndLeadFirm(ctx, "auto", x.ID, date("2025-02-01")); chanye.ErrorFields(err)["ended_on"] == "" {
			t.Errorf("ended before it began: %v", err)
		}
		ended, err := s.EndLeadFirm(ctx, "auto", x.ID, date("2025-06-01"))
		if err != nil || ended.EndedOn != date("2025-06-01") {
			t.Fatalf("end: %+v, %v", ended, err)
		}
		if _, err := s.EndLeadFirm(ctx, "auto", x.ID, date("2025-06-02")); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("ended twice: %v", err)
		}
		// Ended, the firm may be designated again; the current one lists first.
		again.ID, again.DesignatedOn = 0, date("2025-06-10")
		if err := s.DesignateLeadFirm(ctx, &again); err != nil {
			t.Fatal(err)
		}
		list, err := s.FindLeadFirms(ctx, "auto")
		if err != nil || len(list) != 2 || list[0].ID != again.ID || !list[0].EndedOn.IsZero() || list[1].Scores[0].Value != 92 {
			t.Errorf("list: %+v, %v", list, err)
		}
		if n := auditCount(t, s, "lead_firm"); n != 3 {
			t.Errorf("%d audit entries, want 3", n)
		}
	})
}
