package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/project"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

var _ demo.LeadStore = (*sqlstore.Store)(nil)

// TestLeads: on a placed demo population, the demo's 招商 fills the three
// lists, puts leads in every stage with some overdue, lands a few as new
// key projects, keeps the funnel consistent, says 演示数据 in every source,
// and writes nothing a second time.
func TestLeads(t *testing.T) {
	s := sqlstoretest.New(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	today := testclock.Today()
	set, err := s.FindChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 2000, Seed: 1, AsOf: today, Chains: set}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Responsibilities(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := s.PutThresholds(ctx, demo.Thresholds(2000)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PlaceAll(ctx); err != nil {
		t.Fatal(err)
	}
	// A removal and a placement by hand, once, both saying 演示数据.
	if n, err := demo.HandPlacements(ctx, s); err != nil || n != 2 {
		t.Fatalf("HandPlacements = %d, %v", n, err)
	}
	removals, err := s.FindRemovals(ctx, set.Chains[0].IndustryID)
	if err != nil || len(removals) != 1 || !chanye.DemoSource(removals[0].Reason) {
		t.Fatalf("the demo's removal: %+v, %v", removals, err)
	}
	placed, err := s.FindEnterprisePlacements(ctx, removals[0].Code)
	if err != nil || !slices.ContainsFunc(placed, func(p *chain.Placement) bool { return p.Source == chain.ByHand && chanye.DemoSource(p.Note) }) {
		t.Errorf("the demo's placement by hand: %+v, %v", placed, err)
	}
	if n, err := demo.HandPlacements(ctx, s); err != nil || n != 0 {
		t.Errorf("HandPlacements again = %d, %v", n, err)
	}
	opts := demo.LeadOptions{Leads: 120, Roster: 150, Projects: 4, Seed: 1, Today: today}
	st, err := demo.Leads(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stats: %+v", st)
	if st.Leads != opts.Leads || st.Roster != opts.Roster || st.Projects != opts.Projects {
		t.Errorf("leads %d, roster %d, projects %d; want %d, %d, %d", st.Leads, st.Roster, st.Projects, opts.Leads, opts.Roster, opts.Projects)
	}

	// Targets on all three lists, every source 演示数据.
	targets, total, err := s.FindTargets(ctx, invest.TargetFilter{Limit: invest.MaxPage})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[invest.ListKind]int{}
	for _, x := range targets {
		kinds[x.Kind]++
		if !strings.Contains(x.Source, "演示数据") {
			t.Errorf("target %d source %q", x.ID, x.Source)
		}
	}
	for _, k := range invest.ListKinds {
		if kinds[k.Kind] == 0 || kinds[k.Kind] != st.Targets[k.Kind] {
			t.Errorf("%s list: %d targets stored, stats say %d", k.Kind, kinds[k.Kind], st.Targets[k.Kind])
		}
	}
	if total != len(targets) {
		t.Errorf("%d targets, read %d", total, len(targets))
	}
	roster, n, err := s.FindRoster(ctx, invest.RosterFilter{Limit: invest.MaxPage})
	if err != nil || n != opts.Roster {
		t.Fatalf("roster: %d firms, %v", n, err)
	}
	for _, f := range roster {
		if !strings.Contains(f.Source, "演示数据") || f.Code != "" {
			t.Errorf("roster firm %+v", f)
		}
	}

	// Leads in every stage, some overdue, landed ones as projects.
	leads, n, err := s.FindLeads(ctx, invest.LeadFilter{Limit: invest.MaxPage})
	if err != nil || n != opts.Leads {
		t.Fatalf("leads: %d, %v", n, err)
	}
	byStage := map[invest.Stage]int{}
	projects := 0
	for _, l := range leads {
		byStage[l.Stage]++
		switch {
		case l.Stage == invest.StageLost && l.LostReason == "":
			t.Errorf("lead %d lost without a reason", l.ID)
		case (l.Stage == invest.StageSigned || l.Stage == invest.StageLanded) && (l.SignedFen == nil || *l.SignedFen <= 0):
			t.Errorf("lead %d %s without a signed amount", l.ID, l.Stage)
		case l.Stage == invest.StageLanded && l.ProjectID == "" && l.EnterpriseCode == "":
			t.Errorf("lead %d landed as nothing", l.ID)
		}
		if l.ExpectedFen == nil || *l.ExpectedFen < 1e9 || *l.ExpectedFen > 1e12 {
			t.Errorf("lead %d expects %v fen, want 千万 to 百亿 yuan", l.ID, l.ExpectedFen)
		}
		if l.ProjectID != "" {
			projects++
			p, err := s.FindProjectByID(ctx, l.ProjectID)
			if err != nil || p.IndustryID != l.IndustryID || !strings.HasPrefix(p.Name, "(演示)") || !p.Demo {
				t.Errorf("lead %d project %s: %+v, %v", l.ID, l.ProjectID, p, err)
			}
		}
	}
	for _, x := range invest.Stages {
		if byStage[x.Stage] == 0 || byStage[x.Stage] != st.ByStage[x.Stage] {
			t.Errorf("stage %s: %d leads, stats say %d", x.Stage, byStage[x.Stage], st.ByStage[x.Stage])
		}
	}
	if projects != opts.Projects {
		t.Errorf("%d leads with a project, want %d", projects, opts.Projects)
	}
	_, overdue, err := s.FindOverdueLeads(ctx, invest.LeadFilter{})
	if err != nil || overdue == 0 || overdue != st.Overdue {
		t.Errorf("overdue leads: %d (stats %d), %v", overdue, st.Overdue, err)
	}
	events, err := s.FindLeadEvents(ctx, leads[0].ID)
	if err != nil || len(events) == 0 {
		t.Errorf("lead %d history: %d events, %v", leads[0].ID, len(events), err)
	}

	// The funnel adds up.
	f, err := s.FindFunnel(ctx, invest.LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sum := f.Lost
	for _, c := range f.Stages {
		sum += c.Now
		if c.Now != byStage[c.Stage] {
			t.Errorf("funnel %s now %d, want %d", c.Stage, c.Now, byStage[c.Stage])
		}
	}
	if f.Leads != opts.Leads || sum != f.Leads || f.Lost != byStage[invest.StageLost] {
		t.Errorf("funnel: %d leads, stages and lost sum to %d, %d lost", f.Leads, sum, f.Lost)
	}
	if f.Stages[0].Reached != f.Leads {
		t.Errorf("funnel: %d reached 线索 of %d", f.Stages[0].Reached, f.Leads)
	}
	// The leads were followed over months: days in stage are not all nil or 0.
	if d := f.Stages[0].MeanDays; d == nil || *d < 1 {
		t.Errorf("funnel: mean days at 线索 %v, want some", d)
	}
	if f.SignedLeads != byStage[invest.StageSigned]+byStage[invest.StageLanded] || f.LandedLeads != byStage[invest.StageLanded] {
		t.Errorf("funnel: %d signed, %d landed", f.SignedLeads, f.LandedLeads)
	}

	// Four overdue leads under 督办, one in each state, the first a
	// district's, every item saying 演示数据.
	for _, x := range project.SupStatuses {
		if st.Supervisions[x.Status] != 1 {
			t.Errorf("%d lead items %s, want 1 in every state: %v", st.Supervisions[x.Status], x.Status, st.Supervisions)
		}
	}
	issued := project.SupIssued
	items, _, err := s.LeadSupervisions().FindSupervisions(ctx, project.SupervisionFilter{Status: &issued})
	if err != nil || len(items) != 1 || items[0].LeadOwnerKind != string(invest.OwnerDistrict) || !chanye.DemoSource(items[0].Instruction) {
		t.Errorf("the demo's issued lead item: %+v, %v", items, err)
	}

	// A second run changes nothing.
	again, err := demo.Leads(ctx, s, opts)
	if err != nil || again.Leads != 0 || again.Roster != 0 || len(again.Targets) != 0 {
		t.Errorf("a second run: %+v, %v", again, err)
	}
	if _, n, _ := s.FindLeads(ctx, invest.LeadFilter{Limit: 1}); n != opts.Leads {
		t.Errorf("after a second run %d leads", n)
	}
	if _, n, _ := s.FindTargets(ctx, invest.TargetFilter{Limit: 1}); n != total {
		t.Errorf("after a second run %d targets, want %d", n, total)
	}
}

// TestLeadsWithoutPlacement: before any placement every link is a gap,
// the demo still fills the lists and the stages, and the same seed gives
// the same leads.
func TestLeadsWithoutPlacement(t *testing.T) {
	var got [2][]string
	for i := range got {
		s := sqlstoretest.New(t)
		ctx := chanye.WithActor(context.Background(), chanye.Operator)
		today := testclock.Today()
		if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 500, Seed: 2, AsOf: today}); err != nil {
			t.Fatal(err)
		}
		st, err := demo.Leads(ctx, s, demo.LeadOptions{Leads: 40, Roster: 60, Projects: 2, Seed: 2, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		if st.Leads != 40 || st.Projects != 2 || len(st.Targets) != 3 {
			t.Errorf("stats %+v", st)
		}
		leads, _, err := s.FindLeads(ctx, invest.LeadFilter{Limit: invest.MaxPage})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leads {
			got[i] = append(got[i], fmt.Sprintf("%s %s %s %s/%s %d %s %s", l.TargetName, l.LinkID, l.Stage, l.OwnerKind, l.OwnerName,
				*l.ExpectedFen, l.NextActionOn, l.ProjectID))
		}
	}
	if !slices.Equal(got[0], got[1]) {
		t.Errorf("the same seed gave different leads:\n%v\n%v", got[0], got[1])
	}
}
