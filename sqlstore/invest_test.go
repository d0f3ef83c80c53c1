package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

// investChain is a small chain of the test catalog's industry auto:
// parts (with two sub-links) supply assembly, which supplies sales.
func investChain() *chain.Set {
	return &chain.Set{City: "测试市", Sources: []chain.Source{{ID: "s1", Title: "测试来源"}}, Chains: []*chain.Chain{{
		IndustryID: "auto", Sources: []string{"s1"},
		Links: []*chain.Link{
			{ID: "auto.parts", Stage: chain.Upstream, NameZH: "零部件", NameEN: "parts", Keywords: []string{"零部件"}},
			{ID: "auto.parts.battery", Parent: "auto.parts", Stage: chain.Upstream, NameZH: "动力电池", NameEN: "batteries",
				Classes: []string{"3841"}, Keywords: []string{"动力电池", "电芯"}},
			{ID: "auto.parts.motor", Parent: "auto.parts", Stage: chain.Upstream, NameZH: "驱动电机", NameEN: "motors", Keywords: []string{"驱动电机"}},
			{ID: "auto.assembly", Stage: chain.Midstream, NameZH: "整车制造", NameEN: "assembly", Classes: []string{"3612"}},
			{ID: "auto.sales", Stage: chain.Downstream, NameZH: "销售服务", NameEN: "sales", Keywords: []string{"汽车销售"}},
		},
		Relations: []chain.Relation{{From: "auto.parts.battery", To: "auto.assembly"}, {From: "auto.assembly", To: "auto.sales"}},
	}}}
}

// investStore is a store with the test chain, the clock at 2025-06-15.
func investStore(t *testing.T, db *DB) (*Store, context.Context) {
	t.Helper()
	setClock(db)
	s, ctx := newStore(t, db), operator()
	if _, err := s.ImportChains(ctx, investChain()); err != nil {
		t.Fatalf("chains: %v %v", err, chanye.ErrorFields(err))
	}
	return s, ctx
}

// TestInvestTargets: the three lists take targets on a link of the
// industry's chain; an expansion target is a registry firm; a firm is on a
// link's list once; bad input names its field; a target a lead follows
// is not deleted; every write audited.
func TestInvestTargets(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		e := enterprise(t, 1, "440106", "3612")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		attract := &invest.Target{IndustryID: "auto", LinkID: "auto.parts.battery", Kind: invest.ListAttract, Name: " 某电池公司 ", City: "宁德",
			Brings: "电芯产能", Source: "专精特新名单"}
		if err := s.CreateTarget(ctx, attract); err != nil || attract.ID == 0 || attract.Name != "某电池公司" || attract.CreatedBy == "" {
			t.Fatalf("create: %+v, %v %v", attract, err, chanye.ErrorFields(err))
		}
		expand := &invest.Target{IndustryID: "auto", LinkID: "auto.assembly", Kind: invest.ListExpand, Name: e.Name, Code: e.Code, Source: "走访"}
		if err := s.CreateTarget(ctx, expand); err != nil {
			t.Fatalf("expand: %v %v", err, chanye.ErrorFields(err))
		}
		tech := &invest.Target{IndustryID: "auto", Kind: invest.ListTech, Name: "固态电池技术", Source: "高校成果"}
		if err := s.CreateTarget(ctx, tech); err != nil {
			t.Fatalf("tech: %v", err)
		}
		again := *expand
		again.ID = 0
		if err := s.CreateTarget(ctx, &again); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("the same firm twice on a list: %v", err)
		}
		for name, tc := range map[string]struct {
			change func(x *invest.Target)
			field  string
		}{
			"expansion without code": {func(x *invest.Target) { x.Kind, x.Code = invest.ListExpand, "" }, "code"},
			"expansion not local":    {func(x *invest.Target) { x.Kind, x.Code = invest.ListExpand, code(t, 99) }, "code"},
			"bad code":               {func(x *invest.Target) { x.Code = "91440101" }, "code"},
			"unknown link":           {func(x *invest.Target) { x.LinkID = "auto.nothing" }, "link_id"},
			"another chain's link":   {func(x *invest.Target) { x.IndustryID = "ict" }, "link_id"},
			"unknown industry":       {func(x *invest.Target) { x.IndustryID, x.LinkID = "nope", "" }, "industry_id"},
			"no source":              {func(x *invest.Target) { x.Source = " " }, "source"},
			"unknown list":           {func(x *invest.Target) { x.Kind = "buy" }, "kind"},
			"name too long":          {func(x *invest.Target) { x.Name = string(make([]rune, invest.MaxNameRunes+1)) }, "name"},
		} {
			x := &invest.Target{IndustryID: "auto", LinkID: "auto.parts", Kind: invest.ListAttract, Name: "某公司", Source: "名单"}
			tc.change(x)
			if err := s.CreateTarget(ctx, x); chanye.ErrorFields(err)[tc.field] == "" || strings.Contains(chanye.ErrorFields(err)[tc.field], "内部错误") {
				t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
			}
		}
		link := "auto.assembly"
		list, total, err := s.FindTargets(ctx, invest.TargetFilter{LinkID: &link})
		if err != nil || total != 1 || list[0].ID != expand.ID || list[0].Code != e.Code {
			t.Errorf("targets of the link: %+v %d %v", list, total, err)
		}
		ind := "auto"
		if _, total, _ := s.FindTargets(ctx, invest.TargetFilter{IndustryID: &ind}); total != 3 {
			t.Errorf("targets of the industry: %d, want 3", total)
		}
		if got, err := s.FindTargetByID(ctx, attract.ID); err != nil || got.City != "宁德" {
			t.Errorf("by id: %+v %v", got, err)
		}
		if _, err := s.FindTargetByID(ctx, 999); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("unknown id: %v", err)
		}
		lead := &invest.Lead{TargetID: attract.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"}
		if err := s.CreateLead(ctx, lead); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTarget(ctx, attract.ID); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("deleted a target a lead follows: %v", err)
		}
		if err := s.DeleteTarget(ctx, tech.ID); err != nil {
			t.Errorf("delete: %v", err)
		}
		if n := auditCount(t, s, "invest_target"); n != 4 {
			t.Errorf("%d audit entries, want 4 (three created, one deleted)", n)
		}
	})
}

// TestRosterImport: a roster is replaced whole per source, all or
// nothing, its errors naming rows[N].field; other sources stay.
func TestRosterImport(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		rows := []invest.RosterFirm{
			{Name: "甲电池", City: "宁德", Province: "福建", Class: "3841", Products: "动力电池、储能", Tier: chanye.TierLittleGiant},
			{Name: "乙电机", Code: code(t, 50), Province: "江苏", Class: "3812", Products: "驱动电机"},
		}
		if err := s.ImportRoster(ctx, "国家小巨人名单", rows); err != nil {
			t.Fatalf("import: %v %v", err, chanye.ErrorFields(err))
		}
		if err := s.ImportRoster(ctx, "省名单", []invest.RosterFirm{{Name: "丙", City: "佛山", Class: "3612"}}); err != nil {
			t.Fatal(err)
		}
		bad := []invest.RosterFirm{
			{Name: "好", City: "广州", Class: "3841"},
			{Name: "", City: "", Class: "99x", Code: "123", Tier: "gold"},
		}
		err := s.ImportRoster(ctx, "国家小巨人名单", bad)
		f := chanye.ErrorFields(err)
		for _, k := range []string{"rows[1].name", "rows[1].city", "rows[1].class", "rows[1].code", "rows[1].tier"} {
			if f[k] == "" {
				t.Errorf("bad roster: no error for %s: %v", k, f)
			}
		}
		if f["rows[0].name"] != "" {
			t.Errorf("a good row blamed: %v", f)
		}
		if err := s.ImportRoster(ctx, " ", rows); chanye.ErrorFields(err)["source"] == "" {
			t.Errorf("no source: %v", err)
		}
		src := "国家小巨人名单"
		got, total, err := s.FindRoster(ctx, invest.RosterFilter{Source: &src})
		if err != nil || total != 2 || got[0].Name != "甲电池" || got[0].Tier != chanye.TierLittleGiant || got[1].Code != code(t, 50) {
			t.Fatalf("after a refused import: %+v %d %v", got, total, err)
		}
		if err := s.ImportRoster(ctx, src, rows[1:]); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.FindRoster(ctx, invest.RosterFilter{}); total != 2 {
			t.Errorf("after replacing one source: %d firms, want 2", total)
		}
		if n := auditCount(t, s, "invest_roster"); n != 3 {
			t.Errorf("%d audit entries, want 3", n)
		}
	})
}

// placementsFixture places the firms (link, code) by hand, as rows: the
// test's chain set is not one the store checks links against.
func placementsFixture(t *testing.T, db *DB, rows ...[2]string) {
	t.Helper()
	ctx := context.Background()
	for _, r := range rows {
		if _, err := db.db.ExecContext(ctx, db.dialect.rebind(`INSERT INTO chain_placements (link_id, code, industry_id, source, placed_on)
			VALUES (?, ?, 'auto', 'manual', '2025-06-01')`), r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCandidates: for the battery link, local firms on the links next to
// it or of its class are proposed for expansion, scored by position, tier
// and size; roster firms of its class or naming its keywords to attract;
// firms already on the link's lists and unrelated firms are not.
func TestCandidates(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		held := []chanye.Tier{{Kind: chanye.TierLittleGiant, From: date("2024-01-01")}}
		firms := []*chanye.Enterprise{
			enterprise(t, 1, "440106", "3612"), // on assembly, which the battery link supplies; a little giant
			enterprise(t, 2, "440106", "3841"), // of the link's class
			enterprise(t, 3, "440106", "3612"), // on the motor link: a sibling
			enterprise(t, 4, "440106", "3612"), // on sales: not next to the battery link
			enterprise(t, 5, "440106", "3841"), // of the class but already a target
		}
		firms[0].Tiers = held
		for _, e := range firms {
			if err := s.CreateEnterprise(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.db.ExecContext(ctx, db.dialect.rebind(`UPDATE enterprises SET size_class = 'large' WHERE code = ?`), firms[0].Code); err != nil {
			t.Fatal(err)
		}
		placementsFixture(t, db, [2]string{"auto.assembly", firms[0].Code}, [2]string{"auto.parts.motor", firms[2].Code}, [2]string{"auto.sales", firms[3].Code})
		if err := s.CreateTarget(ctx, &invest.Target{IndustryID: "auto", LinkID: "auto.parts.battery", Kind: invest.ListExpand,
			Name: firms[4].Name, Code: firms[4].Code, Source: "走访"}); err != nil {
			t.Fatal(err)
		}
		if err := s.ImportRoster(ctx, "名单", []invest.RosterFirm{
			{Name: "外地电芯", City: "宁德", Class: "3899", Products: "电芯、动力电池包", Tier: chanye.TierSingleChampion},
			{Name: "外地电池", City: "常州", Class: "3841"},
			{Name: "外地玩具", City: "汕头", Class: "2452", Products: "玩具"},
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindCandidates(ctx, "auto", "auto.parts.battery", 0)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		score := map[string]int{}
		for _, c := range got {
			names = append(names, c.Name)
			score[c.Name] = c.Score
			if len(c.Reasons) == 0 {
				t.Errorf("%s without reasons", c.Name)
			}
		}
		want := []string{firms[0].Name, "外地电芯", "外地电池", firms[1].Name, firms[2].Name}
		if !slices.Equal(names, want) {
			t.Fatalf("candidates %v, want %v", names, want)
		}
		// customer link 20 + little giant 25 + large 20; single champion 30 + two keywords 20.
		if score[firms[0].Name] != 65 || score["外地电芯"] != 50 || score["外地电池"] != 30 || score[firms[1].Name] != 25 || score[firms[2].Name] != 10 {
			t.Errorf("scores %v", score)
		}
		if got[0].Kind != invest.ListExpand || got[1].Kind != invest.ListAttract || got[1].RosterID == 0 {
			t.Errorf("kinds: %+v %+v", got[0], got[1])
		}
		if got, err := s.FindCandidates(ctx, "auto", "auto.parts.battery", 2); err != nil || len(got) != 2 {
			t.Errorf("limit 2: %d, %v", len(got), err)
		}
		if _, err := s.FindCandidates(ctx, "auto", "auto.nothing", 0); chanye.ErrorFields(err)["link_id"] == "" {
			t.Errorf("unknown link: %v", err)
		}
		if _, err := s.FindCandidates(ctx, "quantum", "quantum.x", 0); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("industry without a chain: %v", err)
		}
	})
}

// TestLeadLifecycle: a lead starts at 线索, moves forward only (skipped
// stages recorded as passed the same day), signs with an amount, lands on
// a project or enterprise, and is closed after; a lost lead gives a
// reason; contacts are recorded; overdue next actions are found; the
// funnel counts stages, days and amounts.
func TestLeadLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		now := setClock(db)
		*now = now.AddDate(0, 0, -30) // 2025-05-16
		tg := &invest.Target{IndustryID: "auto", LinkID: "auto.parts.battery", Kind: invest.ListAttract, Name: "某电池公司", Source: "名单"}
		if err := s.CreateTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
		exp := chanye.Fen(200_000_000_00)
		a := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106", ExpectedFen: &exp,
			NextAction: "约见董事长", NextActionOn: date("2025-06-01")}
		if err := s.CreateLead(ctx, a); err != nil {
			t.Fatalf("create: %v %v", err, chanye.ErrorFields(err))
		}
		if a.Stage != invest.StageClue || a.StageOn != date("2025-05-16") || a.IndustryID != "auto" || a.LinkID != "auto.parts.battery" {
			t.Errorf("new lead: %+v", a)
		}
		for name, l := range map[string]*invest.Lead{
			"unknown district": {TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "449999"},
			"unknown target":   {TargetID: 999, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"},
			"too much":         {TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106", ExpectedFen: ptr(invest.MaxLeadFen + 1)},
			"no owner kind":    {TargetID: tg.ID, OwnerName: "440106"},
			"from tomorrow":    {TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106", StageOn: date("2025-05-17")},
			"six years back":   {TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106", StageOn: date("2019-05-15")},
		} {
			if err := s.CreateLead(ctx, l); chanye.ErrorCode(err) != chanye.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		b := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440103", NextAction: "回访", NextActionOn: date("2025-06-20")}
		if err := s.CreateLead(ctx, b); err != nil {
			t.Fatal(err)
		}
		*now = now.AddDate(0, 0, 10) // 2025-05-26
		if _, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageContact}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddLeadContact(ctx, a.ID, &invest.Event{Kind: invest.EventVisit, On: date("2025-05-25"), Note: "登门拜访"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddLeadContact(ctx, a.ID, &invest.Event{Kind: invest.EventCall, On: date("2025-06-30")}); chanye.ErrorFields(err)["on"] == "" {
			t.Errorf("a contact in the future: %v", err)
		}
		if _, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageClue}); chanye.ErrorFields(err)["to"] == "" {
			t.Errorf("moved back: %v", err)
		}
		*now = now.AddDate(0, 0, 20) // 2025-06-15
		if _, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageSigned}); chanye.ErrorFields(err)["signed_fen"] == "" {
			t.Errorf("signed without an amount: %v", err)
		}
		signed := chanye.Fen(150_000_000_00)
		got, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageSigned, On: date("2025-06-10"), SignedFen: &signed, Note: "签约仪式"})
		if err != nil || got.Stage != invest.StageSigned || got.SignedOn != date("2025-06-10") || *got.SignedFen != signed {
			t.Fatalf("signed: %+v %v %v", got, err, chanye.ErrorFields(err))
		}
		events, err := s.FindLeadEvents(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for _, e := range events {
			s := string(e.Kind) + ":" + string(e.To) + "@" + e.On.String()
			if e.Skipped {
				s += "(skipped)"
			}
			trail = append(trail, s)
		}
		want := []string{"stage:clue@2025-05-16", "visit:@2025-05-25", "stage:contact@2025-05-26",
			"stage:visit@2025-06-10(skipped)", "stage:negotiate@2025-06-10(skipped)", "stage:signed@2025-06-10"}
		if !slices.Equal(trail, want) {
			t.Errorf("history %v, want %v", trail, want)
		}
		// Overdue: a's action (06-01) is due, but a is signed and still open; b's is not due yet.
		overdue, total, err := s.FindOverdueLeads(ctx, invest.LeadFilter{})
		if err != nil || total != 1 || overdue[0].ID != a.ID {
			t.Errorf("overdue: %+v %d %v", overdue, total, err)
		}
		if _, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageLanded}); chanye.ErrorFields(err)["project_id"] == "" {
			t.Errorf("landed without a project: %v", err)
		}
		if _, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageLanded, EnterpriseCode: code(t, 77)}); chanye.ErrorFields(err)["enterprise_code"] == "" {
			t.Errorf("landed on an unknown enterprise: %v", err)
		}
		e := enterprise(t, 77, "440106", "3841")
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
		if got, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageLanded, EnterpriseCode: e.Code}); err != nil || got.LandedOn != date("2025-06-15") || got.EnterpriseCode != e.Code {
			t.Fatalf("landed: %+v %v", got, err)
		}
		if _, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageLost, LostReason: "x"}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a landed lead moved: %v", err)
		}
		if _, err := s.UpdateLead(ctx, a.ID, invest.LeadUpdate{NextAction: ptr("")}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a landed lead changed: %v", err)
		}
		if _, err := s.MoveLead(ctx, b.ID, invest.Move{To: invest.StageLost}); chanye.ErrorFields(err)["lost_reason"] == "" {
			t.Errorf("lost without a reason: %v", err)
		}
		upd, err := s.UpdateLead(ctx, b.ID, invest.LeadUpdate{NextActionOn: ptr(date("2025-06-14"))})
		if err != nil || upd.NextActionOn != date("2025-06-14") {
			t.Fatalf("update: %+v %v", upd, err)
		}
		if _, total, _ := s.FindOverdueLeads(ctx, invest.LeadFilter{DistrictCode: ptr("440103")}); total != 1 {
			t.Errorf("the district's overdue leads: %d, want 1", total)
		}
		if _, err := s.MoveLead(ctx, b.ID, invest.Move{To: invest.StageLost, LostReason: "已落户他市"}); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.FindOverdueLeads(ctx, invest.LeadFilter{}); total != 0 {
			t.Errorf("closed leads are overdue: %d", total)
		}
		open := true
		if _, total, _ := s.FindLeads(ctx, invest.LeadFilter{Open: &open}); total != 0 {
			t.Errorf("open leads: %d, want 0", total)
		}
		f, err := s.FindFunnel(ctx, invest.LeadFilter{IndustryID: ptr("auto")})
		if err != nil {
			t.Fatal(err)
		}
		st := f.Stages
		if f.Leads != 2 || f.Lost != 1 || st[0].Reached != 2 || st[1].Reached != 1 || st[5].Reached != 1 || st[0].Lost != 1 || st[5].Now != 1 {
			t.Errorf("funnel counts: %+v", f)
		}
		if st[0].ToNextPerMille == nil || *st[0].ToNextPerMille != 500 || st[5].ToNextPerMille != nil {
			t.Errorf("conversion: %v", st[0].ToNextPerMille)
		}
		// Clue: a stayed 10 days, b 30 (until lost); contact: a 15 days; the skipped stages none.
		if st[0].Stays != 2 || *st[0].MedianDays != 20 || *st[0].MeanDays != 20 || st[1].Stays != 1 || *st[1].MedianDays != 15 || st[2].Stays != 0 || st[2].MedianDays != nil {
			t.Errorf("days: %+v", st)
		}
		if f.ExpectedFen == nil || *f.ExpectedFen != exp || f.SignedFen == nil || *f.SignedFen != signed || *f.LandedFen != signed {
			t.Errorf("amounts: %v %v %v", f.ExpectedFen, f.SignedFen, f.LandedFen)
		}
		if n := auditCount(t, s, "invest_lead"); n != 8 {
			t.Errorf("%d audit entries, want 8", n)
		}
	})
}

// TestLeadConversion: a signed lead is linked to a key project of its
// industry, or made one in the same transaction; a lead not signed, a
// project of another industry and a second project are refused.
func TestLeadConversion(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		tg := &invest.Target{IndustryID: "auto", LinkID: "auto.assembly", Kind: invest.ListAttract, Name: "某整车公司", Code: code(t, 40), Source: "名单"}
		if err := s.CreateTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
		lead := func() *invest.Lead {
			l := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"}
			if err := s.CreateLead(ctx, l); err != nil {
				t.Fatal(err)
			}
			return l
		}
		p := testProjectN(t, 1)
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		other := testProjectN(t, 2)
		other.IndustryID = "ict"
		if err := s.CreateProject(ctx, other); err != nil {
			t.Fatal(err)
		}
		a := lead()
		if _, err := s.ConvertLead(ctx, a.ID, p.ID); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("converted a lead not signed: %v", err)
		}
		amount := chanye.Fen(80_000_000_00)
		if _, err := s.MoveLead(ctx, a.ID, invest.Move{To: invest.StageSigned, SignedFen: &amount}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConvertLead(ctx, a.ID, other.ID); chanye.ErrorFields(err)["project_id"] == "" {
			t.Errorf("a project of another industry: %v", err)
		}
		if _, err := s.ConvertLead(ctx, a.ID, "GZ-NONE"); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("an unknown project: %v", err)
		}
		got, err := s.ConvertLead(ctx, a.ID, p.ID)
		if err != nil || got.ProjectID != p.ID {
			t.Fatalf("convert: %+v %v", got, err)
		}
		if _, err := s.ConvertLead(ctx, a.ID, other.ID); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a second project: %v", err)
		}
		if list, _, _ := s.FindLeads(ctx, invest.LeadFilter{ProjectID: &p.ID}); len(list) != 1 || list[0].LinkID != "auto.assembly" {
			t.Errorf("from the project back to the lead and its link: %+v", list)
		}

		b := lead()
		if _, err := s.MoveLead(ctx, b.ID, invest.Move{To: invest.StageSigned, SignedFen: &amount}); err != nil {
			t.Fatal(err)
		}
		np := &project.Project{ID: "GZ2025-0100", Name: "某整车项目", DistrictCode: "440106", Kind: project.KindIndustrial,
			PlannedStart: date("2025-07-01"), PlannedCompletion: date("2027-06-30")}
		got, err = s.CreateProjectFromLead(ctx, b.ID, np)
		if err != nil || got.ProjectID != np.ID {
			t.Fatalf("create from lead: %+v %v %v", got, err, chanye.ErrorFields(err))
		}
		stored, err := s.FindProjectByID(ctx, np.ID)
		if err != nil || stored.IndustryID != "auto" || stored.TotalInvestmentFen != amount || stored.OwnerCode != tg.Code || stored.Stage != project.StageSigned {
			t.Errorf("the project made: %+v %v", stored, err)
		}
		if nodes, err := s.FindNodes(ctx, np.ID); err != nil || len(nodes) == 0 {
			t.Errorf("its nodes: %d %v", len(nodes), err)
		}
		// A refused project leaves the lead as it was.
		c := lead()
		if _, err := s.MoveLead(ctx, c.ID, invest.Move{To: invest.StageSigned, SignedFen: &amount}); err != nil {
			t.Fatal(err)
		}
		dup := *np
		if _, err := s.CreateProjectFromLead(ctx, c.ID, &dup); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a project id taken: %v", err)
		}
		if again, _ := s.FindLeadByID(ctx, c.ID); again.ProjectID != "" {
			t.Errorf("a lead linked to a refused project: %+v", again)
		}
		if n := auditCount(t, s, "project"); n != 3 {
			t.Errorf("%d project audit entries, want 3", n)
		}
	})
}
