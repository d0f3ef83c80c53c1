package invest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

// TestValidateImport: a lead read from a file is at a known stage reached
// on a day neither in the future nor over five years back, and carries the
// days and amounts of its stage, none of another's; a row with an id is
// refused.
func TestValidateImport(t *testing.T) {
	today := day("2026-03-10")
	base := func(st Stage, on string) Lead {
		return Lead{TargetID: 1, OwnerKind: OwnerDistrict, OwnerName: "440106", Stage: st, StageOn: day(on)}
	}
	signed := func(st Stage, on, signedOn string, f int64) Lead {
		l := base(st, on)
		l.SignedOn, l.SignedFen = day(signedOn), fen(f)
		return l
	}
	with := func(l Lead, change func(*Lead)) Lead { change(&l); return l }
	for name, tc := range map[string]struct {
		l      Lead
		fields string // the fields at fault, sorted, joined by spaces
	}{
		"a clue":                 {base(StageClue, "2026-03-01"), ""},
		"a visit today":          {base(StageVisit, "2026-03-10"), ""},
		"five years back":        {base(StageContact, "2021-03-10"), ""},
		"signed":                 {signed(StageSigned, "2026-02-01", "2026-02-01", 100), ""},
		"landed":                 {with(signed(StageLanded, "2026-03-01", "2026-02-01", 100), func(l *Lead) { l.LandedOn = day("2026-03-01") }), ""},
		"lost before signing":    {with(base(StageLost, "2026-03-01"), func(l *Lead) { l.LostReason = " 另选他址 " }), ""},
		"lost after signing":     {with(signed(StageLost, "2026-03-01", "2026-01-05", 100), func(l *Lead) { l.LostReason = "撤资" }), ""},
		"next action ahead":      {with(base(StageClue, "2026-03-01"), func(l *Lead) { l.NextAction, l.NextActionOn = "回访", day("2026-04-01") }), ""},
		"an id":                  {with(base(StageClue, "2026-03-01"), func(l *Lead) { l.ID = 7 }), "id"},
		"no stage":               {base("", "2026-03-01"), "stage"},
		"unknown stage":          {base("lead", "2026-03-01"), "stage"},
		"no day":                 {Lead{TargetID: 1, OwnerKind: OwnerDistrict, OwnerName: "440106", Stage: StageClue}, "stage_on"},
		"tomorrow":               {base(StageClue, "2026-03-11"), "stage_on"},
		"six years back":         {base(StageClue, "2021-03-09"), "stage_on"},
		"signed without the day": {with(base(StageSigned, "2026-02-01"), func(l *Lead) { l.SignedFen = fen(100) }), "signed_fen signed_on"},
		"signed without amount":  {with(base(StageSigned, "2026-02-01"), func(l *Lead) { l.SignedOn = day("2026-02-01") }), "signed_fen"},
		"signed on another day":  {signed(StageSigned, "2026-02-01", "2026-01-20", 100), "signed_on"},
		"signed for nothing":     {signed(StageSigned, "2026-02-01", "2026-02-01", 0), "signed_fen"},
		"signed too much":        {signed(StageSigned, "2026-02-01", "2026-02-01", int64(MaxLeadFen)+1), "signed_fen"},
		"a visit signed":         {signed(StageVisit, "2026-02-01", "2026-01-20", 100), "signed_on"},
		"landed without the day": {signed(StageLanded, "2026-03-01", "2026-02-01", 100), "landed_on"},
		"landed another day":     {with(signed(StageLanded, "2026-03-01", "2026-02-01", 100), func(l *Lead) { l.LandedOn = day("2026-02-20") }), "landed_on"},
		"landed before signing":  {with(signed(StageLanded, "2026-03-01", "2026-03-05", 100), func(l *Lead) { l.LandedOn = day("2026-03-01") }), "signed_on"},
		"landed unsigned":        {with(base(StageLanded, "2026-03-01"), func(l *Lead) { l.LandedOn = day("2026-03-01") }), "signed_on"},
		"a clue landed":          {with(base(StageClue, "2026-03-01"), func(l *Lead) { l.LandedOn = day("2026-03-01") }), "landed_on"},
		"lost without reason":    {base(StageLost, "2026-03-01"), "lost_reason"},
		"a clue with a reason":   {with(base(StageClue, "2026-03-01"), func(l *Lead) { l.LostReason = "撤资" }), "lost_reason"},
		"lost, signed later":     {with(signed(StageLost, "2026-03-01", "2026-03-05", 100), func(l *Lead) { l.LostReason = "撤资" }), "signed_on"},
		"expected negative":      {with(base(StageClue, "2026-03-01"), func(l *Lead) { l.ExpectedFen = fen(-1) }), "expected_fen"},
		"no owner":               {with(base(StageClue, "2026-03-01"), func(l *Lead) { l.OwnerKind, l.OwnerName = "", "" }), "owner_kind owner_name"},
	} {
		err := tc.l.ValidateImport(today)
		got := slices.Sorted(maps.Keys(chanye.ErrorFields(err)))
		if strings.Join(got, " ") != tc.fields {
			t.Errorf("%s: faults in %v, want %q (%v)", name, got, tc.fields, err)
		}
	}
}

// TestImportHistory: an imported lead reached every stage on the path up
// to its own; those left the same day are passed (Skipped), the stages up
// to 签约 are dated the signing day; a lost lead is lost from the last stage
// it reached.
func TestImportHistory(t *testing.T) {
	show := func(evs []*Event) string {
		var parts []string
		for _, e := range evs {
			s := fmt.Sprintf("%s>%s@%s", e.From, e.To, e.On.Format("01-02"))
			if e.Skipped {
				s += "~"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " ")
	}
	l := func(st Stage, on, signedOn string) *Lead {
		x := &Lead{ID: 9, Stage: st, StageOn: day(on)}
		if signedOn != "" {
			x.SignedOn = day(signedOn)
		}
		return x
	}
	for name, tc := range map[string]struct {
		l    *Lead
		want string
	}{
		"clue":               {l(StageClue, "2026-03-01", ""), ">clue@03-01"},
		"visit":              {l(StageVisit, "2026-03-01", ""), ">clue@03-01~ clue>contact@03-01~ contact>visit@03-01"},
		"signed":             {l(StageSigned, "2026-03-01", "2026-03-01"), ">clue@03-01~ clue>contact@03-01~ contact>visit@03-01~ visit>negotiate@03-01~ negotiate>signed@03-01"},
		"landed":             {l(StageLanded, "2026-03-01", "2026-02-01"), ">clue@02-01~ clue>contact@02-01~ contact>visit@02-01~ visit>negotiate@02-01~ negotiate>signed@02-01 signed>landed@03-01"},
		"landed the same":    {l(StageLanded, "2026-03-01", "2026-03-01"), ">clue@03-01~ clue>contact@03-01~ contact>visit@03-01~ visit>negotiate@03-01~ negotiate>signed@03-01~ signed>landed@03-01"},
		"lost":               {l(StageLost, "2026-03-01", ""), ">clue@03-01~ clue>lost@03-01"},
		"lost after signing": {l(StageLost, "2026-03-01", "2026-01-10"), ">clue@01-10~ clue>contact@01-10~ contact>visit@01-10~ visit>negotiate@01-10~ negotiate>signed@01-10 signed>lost@03-01"},
	} {
		evs := tc.l.ImportHistory("专班")
		if got := show(evs); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, tc.want)
		}
		for i, e := range evs {
			if e.LeadID != 9 || e.Kind != EventStage || e.By != "专班" || (i == 0) != (e.Note == ImportNote) {
				t.Errorf("%s: event %d %+v", name, i, e)
			}
		}
	}
}

// TestImportedFunnel: leads imported at their stages count in the funnel
// as leads moved there do: each stage reached at least as often as the
// next, a lost lead lost where it stood.
func TestImportedFunnel(t *testing.T) {
	var leads []*Lead
	var events []*Event
	for i, st := range []Stage{StageClue, StageVisit, StageSigned, StageLanded, StageLost} {
		l := &Lead{ID: int64(i + 1), Stage: st, StageOn: day("2026-03-01")}
		if st == StageSigned || st == StageLanded {
			l.SignedOn, l.SignedFen = day("2026-02-01"), fen(100)
		}
		if st == StageSigned {
			l.SignedOn = l.StageOn
		}
		leads = append(leads, l)
		events = append(events, l.ImportHistory("x")...)
	}
	f, err := Tally(leads, events, day("2026-03-10"))
	if err != nil {
		t.Fatal(err)
	}
	var reached []int
	for _, s := range f.Stages {
		reached = append(reached, s.Reached)
	}
	if !slices.Equal(reached, []int{5, 3, 3, 2, 2, 1}) || f.Stages[0].Lost != 1 || f.Lost != 1 || f.SignedLeads != 2 {
		t.Errorf("reached %v, lost at clue %d, lost %d, signed %d", reached, f.Stages[0].Lost, f.Lost, f.SignedLeads)
	}
}
