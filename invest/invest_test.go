package invest

import (
	"math"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

func day(s string) chanye.Date {
	d, err := chanye.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func fen(v int64) *chanye.Fen { f := chanye.Fen(v); return &f }

// TestTargetValidate: an expansion target needs a credit code; a link
// must be under the industry; bounds hold.
func TestTargetValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		t     Target
		field string
	}{
		"fine":            {Target{IndustryID: "auto", LinkID: "auto.parts", Kind: ListAttract, Name: "某公司", Source: "名单"}, ""},
		"expansion":       {Target{IndustryID: "auto", Kind: ListExpand, Name: "某公司", Source: "名单"}, "code"},
		"link elsewhere":  {Target{IndustryID: "auto", LinkID: "ict.chips", Kind: ListTech, Name: "某技术", Source: "名单"}, "link_id"},
		"no source":       {Target{IndustryID: "auto", Kind: ListTech, Name: "某技术"}, "source"},
		"long brings":     {Target{IndustryID: "auto", Kind: ListTech, Name: "某技术", Source: "名单", Brings: string(make([]rune, MaxTextRunes+1))}, "brings"},
		"malformed code":  {Target{IndustryID: "auto", Kind: ListAttract, Name: "某公司", Source: "名单", Code: "914401"}, "code"},
		"unknown listing": {Target{IndustryID: "auto", Kind: "x", Name: "某公司", Source: "名单"}, "kind"},
	} {
		err := tc.t.Validate()
		if got := chanye.ErrorFields(err); (tc.field == "" && err != nil) || (tc.field != "" && got[tc.field] == "") {
			t.Errorf("%s: %v %v, want a fault in %q", name, err, got, tc.field)
		}
	}
}

// TestMove: forward only, skipped stages marked, amounts and outcomes
// required where the stage needs them, closed leads stay closed.
func TestMove(t *testing.T) {
	today := day("2025-06-15")
	open := func(s Stage) *Lead { return &Lead{ID: 1, Stage: s, StageOn: day("2025-06-01")} }
	l := open(StageContact)
	events, err := l.Apply(Move{To: StageSigned, SignedFen: fen(100)}, today, "tf")
	if err != nil || len(events) != 3 || !events[0].Skipped || !events[1].Skipped || events[2].Skipped || l.Stage != StageSigned ||
		l.SignedOn != today || *l.SignedFen != 100 || events[0].From != StageContact || events[2].To != StageSigned {
		t.Fatalf("contact → signed: %+v %v %+v", events, err, l)
	}
	for name, tc := range map[string]struct {
		l     *Lead
		m     Move
		field string
	}{
		"backwards":       {open(StageVisit), Move{To: StageContact}, "to"},
		"same stage":      {open(StageVisit), Move{To: StageVisit}, "to"},
		"unsigned amount": {open(StageVisit), Move{To: StageSigned}, "signed_fen"},
		"too much":        {open(StageVisit), Move{To: StageSigned, SignedFen: fen(int64(MaxLeadFen) + 1)}, "signed_fen"},
		"landed bare":     {open(StageSigned), Move{To: StageLanded}, "project_id"},
		"lost no reason":  {open(StageClue), Move{To: StageLost}, "lost_reason"},
		"future":          {open(StageClue), Move{To: StageContact, On: day("2025-06-16")}, "on"},
		"before stage":    {open(StageClue), Move{To: StageContact, On: day("2025-05-31")}, "on"},
	} {
		if _, err := tc.l.Apply(tc.m, today, "tf"); chanye.ErrorFields(err)[tc.field] == "" {
			t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
		}
	}
	signed := open(StageSigned)
	signed.SignedOn = day("2025-06-01")
	if _, err := signed.Apply(Move{To: StageLanded, ProjectID: "GZ2025-0001"}, today, "tf"); err != nil || signed.LandedOn != today || signed.ProjectID != "GZ2025-0001" {
		t.Errorf("landed: %v %+v", err, signed)
	}
	for _, s := range []Stage{StageLanded, StageLost} {
		if _, err := open(s).Apply(Move{To: StageLost, LostReason: "x"}, today, "tf"); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("%s moved: %v", s, err)
		}
	}
	lost := open(StageNegotiate)
	if ev, err := lost.Apply(Move{To: StageLost, LostReason: "落户他市"}, today, "tf"); err != nil || len(ev) != 1 || ev[0].From != StageNegotiate || lost.LostReason != "落户他市" {
		t.Errorf("lost: %v %+v", err, ev)
	}
}

// TestCandidatesNeverInvent: every candidate is one of the firms given;
// relations, siblings, classes and keywords say who is next to the gap;
// targeted firms are left out.
func TestCandidatesNeverInvent(t *testing.T) {
	ch := &chain.Chain{IndustryID: "x", Links: []*chain.Link{
		{ID: "x.a", NameZH: "甲"}, {ID: "x.a.one", Parent: "x.a", NameZH: "甲一", Classes: []string{"3841"}, Keywords: []string{"电芯"}},
		{ID: "x.a.two", Parent: "x.a", NameZH: "甲二"}, {ID: "x.b", NameZH: "乙"}, {ID: "x.c", NameZH: "丙"},
	}, Relations: []chain.Relation{{From: "x.b", To: "x.a.one"}, {From: "x.a.one", To: "x.c"}}}
	n := Neighbours(ch, "x.a.one")
	if n["x.b"] != "supplier" || n["x.c"] != "customer" || n["x.a.two"] != "sibling" || len(n) != 3 {
		t.Errorf("neighbours %v", n)
	}
	local := []*LocalFirm{
		{Code: "A", Name: "供给", Class: "1111", Links: []string{"x.b"}, Tiers: []chanye.TierKind{chanye.TierHighTech, chanye.TierChainLeader}},
		{Code: "B", Name: "无关", Class: "1111", Links: []string{"x.a"}},
		{Code: "C", Name: "同类", Class: "3841"},
		{Code: "D", Name: "已列", Class: "3841"},
	}
	roster := []*RosterFirm{{ID: 7, Name: "外地", Class: "2222", Products: "电芯模组"}, {ID: 8, Name: "外地无关", Class: "2222", Products: "玩具"}, {ID: 9, Name: "本地", Code: "C", Class: "3841"}}
	got, err := Candidates(ch, "x.a.one", local, roster, []*Target{{Code: "D"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Code != "A" || got[0].Score != PointsSupplier+40 || got[1].Name != "同类" || got[2].RosterID != 7 {
		for _, c := range got {
			t.Logf("%+v", c)
		}
		t.Fatalf("candidates: %d", len(got))
	}
	if _, err := Candidates(ch, "x.zzz", local, roster, nil); chanye.ErrorFields(err)["link_id"] == "" {
		t.Errorf("unknown link: %v", err)
	}
}

// TestTally: counts, per-mille conversion, days, unknown amounts and
// overflow.
func TestTally(t *testing.T) {
	today := day("2025-06-15")
	leads := []*Lead{
		{ID: 1, Stage: StageContact},
		{ID: 2, Stage: StageClue},
		{ID: 3, Stage: StageClue},
	}
	ev := func(id int64, on string, from, to Stage) *Event {
		return &Event{LeadID: id, On: day(on), Kind: EventStage, From: from, To: to}
	}
	events := []*Event{ev(1, "2025-06-01", "", StageClue), ev(1, "2025-06-05", StageClue, StageContact),
		ev(2, "2025-06-10", "", StageClue), ev(3, "2025-06-14", "", StageClue), {LeadID: 1, On: day("2025-06-02"), Kind: EventCall}}
	f, err := Tally(leads, events, today)
	if err != nil {
		t.Fatal(err)
	}
	if f.Stages[0].Reached != 3 || f.Stages[1].Reached != 1 || *f.Stages[0].ToNextPerMille != 333 || f.Stages[2].ToNextPerMille != nil {
		t.Errorf("counts: %+v", f.Stages)
	}
	// Clue stays: 4 (lead 1), 5 and 1 days (still there): median 4, mean 10/3.
	if *f.Stages[0].MedianDays != 4 || *f.Stages[0].MeanDays != 10.0/3 || *f.Stages[1].MedianDays != 10 {
		t.Errorf("days: %v %v %v", *f.Stages[0].MedianDays, *f.Stages[0].MeanDays, *f.Stages[1].MedianDays)
	}
	if f.ExpectedFen != nil || f.SignedFen != nil || f.LandedFen != nil {
		t.Errorf("amounts nobody gave: %v %v %v", f.ExpectedFen, f.SignedFen, f.LandedFen)
	}
	big := []*Lead{{ID: 1, Stage: StageClue, ExpectedFen: fen(math.MaxInt64)}, {ID: 2, Stage: StageClue, ExpectedFen: fen(1)}}
	if _, err := Tally(big, nil, today); chanye.ErrorFields(err)["expected_fen"] == "" {
		t.Errorf("overflow: %v", err)
	}
}
