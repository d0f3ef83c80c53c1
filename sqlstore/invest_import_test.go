package sqlstore

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
)

// TestImportLeads: leads from a file are stored at their stages, with
// their target's industry and (unless given) link, a history that begins
// with the import, and one audit entry; the funnel counts them as leads
// moved there.
func TestImportLeads(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db) // today 2025-06-15
		if err := s.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgDepartment, NameZH: "市工业和信息化局"}); err != nil {
			t.Fatal(err)
		}
		tg := &invest.Target{IndustryID: "auto", LinkID: "auto.parts.battery", Kind: invest.ListAttract, Name: "某电池公司", Source: "名单"}
		if err := s.CreateTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
		rows := []*invest.Lead{
			{TargetID: tg.ID, Stage: invest.StageClue, StageOn: date("2025-06-15"), OwnerKind: invest.OwnerDistrict, OwnerName: "440106",
				ExpectedFen: ptr(chanye.Fen(100_000_000)), NextAction: "回访", NextActionOn: date("2025-07-01")},
			{TargetID: tg.ID, LinkID: "auto.assembly", Stage: invest.StageVisit, StageOn: date("2025-05-01"), OwnerKind: invest.OwnerDepartment,
				OwnerName: " 市工业和信息化局 "},
			{TargetID: tg.ID, Stage: invest.StageLanded, StageOn: date("2025-06-01"), OwnerKind: invest.OwnerDistrict, OwnerName: "440103",
				SignedOn: date("2025-03-01"), SignedFen: ptr(chanye.Fen(500_000_000)), LandedOn: date("2025-06-01")},
			{TargetID: tg.ID, Stage: invest.StageLost, StageOn: date("2024-01-10"), OwnerKind: invest.OwnerDistrict, OwnerName: "440106",
				LostReason: "另选他址"},
		}
		n, err := s.ImportLeads(ctx, rows)
		if err != nil || n != 4 {
			t.Fatalf("import: %d, %v %v", n, err, chanye.ErrorFields(err))
		}
		got, total, err := s.FindLeads(ctx, invest.LeadFilter{})
		if err != nil || total != 4 {
			t.Fatalf("leads: %d %v", total, err)
		}
		byStage := map[invest.Stage]*invest.Lead{}
		for _, l := range got {
			byStage[l.Stage] = l
		}
		if l := byStage[invest.StageClue]; l == nil || l.IndustryID != "auto" || l.LinkID != "auto.parts.battery" || l.TargetName != "某电池公司" ||
			*l.ExpectedFen != 100_000_000 || l.NextActionOn != date("2025-07-01") || l.CreatedBy == "" {
			t.Errorf("the clue: %+v", l)
		}
		if l := byStage[invest.StageVisit]; l == nil || l.LinkID != "auto.assembly" || l.OwnerName != "市工业和信息化局" {
			t.Errorf("the visit: %+v", l)
		}
		landed := byStage[invest.StageLanded]
		if landed == nil || landed.SignedOn != date("2025-03-01") || *landed.SignedFen != 500_000_000 || landed.LandedOn != date("2025-06-01") || landed.ProjectID != "" {
			t.Errorf("the landed lead: %+v", landed)
		}
		if l := byStage[invest.StageLost]; l == nil || l.LostReason != "另选他址" || l.StageOn != date("2024-01-10") {
			t.Errorf("the lost lead: %+v", l)
		}
		evs, err := s.FindLeadEvents(ctx, landed.ID)
		if err != nil || len(evs) != 6 || evs[0].Note != invest.ImportNote || evs[0].From != "" || evs[0].On != date("2025-03-01") ||
			!evs[3].Skipped || evs[4].To != invest.StageSigned || evs[4].Skipped || evs[5].To != invest.StageLanded || evs[5].On != date("2025-06-01") {
			t.Errorf("the landed lead's history: %v", eventsText(evs))
		}
		if n := auditCount(t, s, "invest_leads"); n != 1 {
			t.Errorf("%d audit entries of the import, want 1", n)
		}
		f, err := s.FindFunnel(ctx, invest.LeadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var reached []int
		for _, st := range f.Stages {
			reached = append(reached, st.Reached)
		}
		if !slices.Equal(reached, []int{4, 2, 2, 1, 1, 1}) || f.Lost != 1 || f.LandedLeads != 1 {
			t.Errorf("the funnel: reached %v, lost %d, landed %d", reached, f.Lost, f.LandedLeads)
		}
	})
}

// TestImportLeadsAllOrNothing: one bad row stores nothing; the errors
// name every bad row and field, the store's checks (target, link, owner)
// and the stage's alike.
func TestImportLeadsAllOrNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db) // today 2025-06-15
		tg := &invest.Target{IndustryID: "auto", LinkID: "auto.parts", Kind: invest.ListAttract, Name: "某公司", Source: "名单"}
		if err := s.CreateTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
		good := func() *invest.Lead {
			return &invest.Lead{TargetID: tg.ID, Stage: invest.StageContact, StageOn: date("2025-06-01"), OwnerKind: invest.OwnerDistrict, OwnerName: "440106"}
		}
		with := func(change func(*invest.Lead)) *invest.Lead { l := good(); change(l); return l }
		rows := []*invest.Lead{
			good(),
			with(func(l *invest.Lead) { l.TargetID = 999 }),
			with(func(l *invest.Lead) { l.LinkID = "auto.nothing" }),
			with(func(l *invest.Lead) { l.OwnerName = "449999" }),
			with(func(l *invest.Lead) { l.OwnerKind, l.OwnerName = invest.OwnerDepartment, "不在名单的局" }),
			with(func(l *invest.Lead) { l.StageOn = date("2025-06-16") }),
			with(func(l *invest.Lead) { l.Stage, l.SignedOn = invest.StageSigned, date("2025-06-01") }),
			with(func(l *invest.Lead) { l.ID = 1 }),
			good(),
		}
		_, err := s.ImportLeads(ctx, rows)
		want := []string{"rows[1].target_id", "rows[2].link_id", "rows[3].owner_name", "rows[4].owner_name", "rows[5].stage_on",
			"rows[6].signed_fen", "rows[7].id"}
		if got := slices.Sorted(maps.Keys(chanye.ErrorFields(err))); chanye.ErrorCode(err) != chanye.EINVALID || !slices.Equal(got, want) {
			t.Errorf("a file with bad rows: %v\n got %v\nwant %v", err, got, want)
		}
		if _, total, _ := s.FindLeads(ctx, invest.LeadFilter{}); total != 0 {
			t.Errorf("a refused import stored %d leads", total)
		}
		if n := auditCount(t, s, "invest_leads"); n != 0 {
			t.Errorf("a refused import audited: %d", n)
		}
		for name, rows := range map[string][]*invest.Lead{"none": nil, "too many": make([]*invest.Lead, invest.MaxLeadRows+1)} {
			if _, err := s.ImportLeads(ctx, rows); chanye.ErrorFields(err)["rows"] == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if n, err := s.ImportLeads(ctx, []*invest.Lead{good(), good()}); err != nil || n != 2 {
			t.Errorf("the good rows alone: %d %v %v", n, err, chanye.ErrorFields(err))
		}
	})
}

func eventsText(evs []*invest.Event) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, string(e.From)+">"+string(e.To)+"@"+e.On.String())
	}
	return strings.Join(parts, " ")
}
