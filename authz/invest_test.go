package authz_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestInvestRules: a task force keeps its industry's targets and leads; a
// department reads those of the industries it leads and follows the
// leads it owns; leaders read all and change nothing; enterprises see
// nothing; the public gets the funnel's counts without amounts.
func TestInvestRules(t *testing.T) {
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	dept := "市工业和信息化局"
	if _, err := store.UpdateResponsibility(op, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	tf := as(&chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	tfAI := as(&chanye.Actor{Name: "tf-ai", Role: chanye.RoleTaskForce, IndustryID: "ai"})
	lead := as(&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept})
	leader := as(&chanye.Actor{Name: "l", Role: chanye.RoleLeader})
	ent := as(&chanye.Actor{Name: "e", Role: chanye.RoleEnterprise, Code: "91440101MA5CXXXX0X"})
	public := as(chanye.Public)
	tianhe := as(&chanye.Actor{Name: "th", Role: chanye.RoleDistrict, District: "440106"})
	yuexiu := as(&chanye.Actor{Name: "yx", Role: chanye.RoleDistrict, District: "440104"})

	targets := authz.Targets(store, store)
	leads := authz.Leads(store, store, store)
	funnel := authz.Funnel(store, store)
	rosters := authz.Rosters(store)
	cands := authz.Candidates(store, store)
	conv := authz.Conversions(store, store, store)

	target := func(industry, link string) *invest.Target {
		return &invest.Target{IndustryID: industry, LinkID: link, Kind: invest.ListAttract, Name: "某公司", Source: "名单"}
	}
	nev, ai := target("icv-nev", "icv-nev.battery.cell"), target("ai", "ai.chips")
	if err := targets.CreateTarget(tf, nev); err != nil {
		t.Fatalf("a task force adds a target to its own lists: %v", err)
	}
	if err := targets.CreateTarget(op, ai); err != nil {
		t.Fatal(err)
	}
	// l1: icv-nev, owned by a district; l2: ai, owned by the department.
	l1 := &invest.Lead{TargetID: nev.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"}
	if err := leads.CreateLead(tf, l1); err != nil {
		t.Fatalf("a task force opens a lead of its industry: %v", err)
	}
	l2 := &invest.Lead{TargetID: ai.ID, OwnerKind: invest.OwnerDepartment, OwnerName: dept}
	if err := leads.CreateLead(lead, l2); err != nil {
		t.Fatalf("a department opens a lead it owns: %v %v", err, chanye.ErrorFields(err))
	}
	amount := chanye.Fen(1_000_000)
	for name, tc := range map[string]struct {
		ctx  context.Context
		call func(context.Context) error
		want string
	}{
		"task force: another industry's target":  {tf, func(ctx context.Context) error { return targets.CreateTarget(ctx, target("ai", "")) }, chanye.EFORBIDDEN},
		"department adds no target":              {lead, func(ctx context.Context) error { return targets.CreateTarget(ctx, target("icv-nev", "")) }, chanye.EFORBIDDEN},
		"department reads its industry's target": {lead, func(ctx context.Context) error { _, err := targets.FindTargetByID(ctx, nev.ID); return err }, ""},
		"department: not another's target":       {lead, func(ctx context.Context) error { _, err := targets.FindTargetByID(ctx, ai.ID); return err }, chanye.EFORBIDDEN},
		"task force deletes another's target":    {tfAI, func(ctx context.Context) error { return targets.DeleteTarget(ctx, nev.ID) }, chanye.EFORBIDDEN},
		"enterprise reads no target": {ent, func(ctx context.Context) error {
			_, _, err := targets.FindTargets(ctx, invest.TargetFilter{})
			return err
		}, chanye.EFORBIDDEN},
		"public reads no target": {public, func(ctx context.Context) error {
			_, _, err := targets.FindTargets(ctx, invest.TargetFilter{})
			return err
		}, chanye.EUNAUTHORIZED},
		"department reads a lead it owns":      {lead, func(ctx context.Context) error { _, err := leads.FindLeadByID(ctx, l2.ID); return err }, ""},
		"department reads its industry's lead": {lead, func(ctx context.Context) error { _, err := leads.FindLeadByID(ctx, l1.ID); return err }, ""},
		"department: not another's lead moved": {lead, func(ctx context.Context) error {
			_, err := leads.MoveLead(ctx, l1.ID, invest.Move{To: invest.StageContact})
			return err
		}, chanye.EFORBIDDEN},
		"department moves its own lead": {lead, func(ctx context.Context) error {
			_, err := leads.MoveLead(ctx, l2.ID, invest.Move{To: invest.StageContact})
			return err
		}, ""},
		"department gives its lead away": {lead, func(ctx context.Context) error {
			k, n := invest.OwnerDistrict, "440106"
			_, err := leads.UpdateLead(ctx, l2.ID, invest.LeadUpdate{OwnerKind: &k, OwnerName: &n})
			return err
		}, chanye.EFORBIDDEN},
		"department opens a district's lead": {lead, func(ctx context.Context) error {
			return leads.CreateLead(ctx, &invest.Lead{TargetID: ai.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"})
		}, chanye.EFORBIDDEN},
		"task force: another industry's lead": {tfAI, func(ctx context.Context) error { _, err := leads.FindLeadEvents(ctx, l1.ID); return err }, chanye.EFORBIDDEN},
		"leader reads a lead":                 {leader, func(ctx context.Context) error { _, err := leads.FindLeadByID(ctx, l1.ID); return err }, ""},
		"leader moves no lead": {leader, func(ctx context.Context) error {
			return leads.AddLeadContact(ctx, l1.ID, &invest.Event{Kind: invest.EventCall})
		}, chanye.EFORBIDDEN},
		"enterprise reads no lead": {ent, func(ctx context.Context) error { _, err := leads.FindLeadByID(ctx, l1.ID); return err }, chanye.EFORBIDDEN},
		"public reads no overdue leads": {public, func(ctx context.Context) error {
			_, _, err := leads.FindOverdueLeads(ctx, invest.LeadFilter{})
			return err
		}, chanye.EUNAUTHORIZED},
		"task force imports no roster": {tf, func(ctx context.Context) error { return rosters.ImportRoster(ctx, "名单", nil) }, chanye.EFORBIDDEN},
		"task force reads the roster": {tf, func(ctx context.Context) error {
			_, _, err := rosters.FindRoster(ctx, invest.RosterFilter{})
			return err
		}, ""},
		"public reads no roster": {public, func(ctx context.Context) error {
			_, _, err := rosters.FindRoster(ctx, invest.RosterFilter{})
			return err
		}, chanye.EUNAUTHORIZED},
		// Let through, the store answers for the link: one it does not
		// have, so that the test needs no placements.
		"task force: its own candidates": {tf, func(ctx context.Context) error {
			_, err := cands.FindCandidates(ctx, "icv-nev", "icv-nev.none", 0)
			return err
		}, chanye.EINVALID},
		"task force: not another's":            {tf, func(ctx context.Context) error { _, err := cands.FindCandidates(ctx, "ai", "ai.chips", 0); return err }, chanye.EFORBIDDEN},
		"enterprise: no candidates":            {ent, func(ctx context.Context) error { _, err := cands.FindCandidates(ctx, "ai", "ai.chips", 0); return err }, chanye.EFORBIDDEN},
		"task force: not another's conversion": {tfAI, func(ctx context.Context) error { _, err := conv.ConvertLead(ctx, l1.ID, "GZ-1"); return err }, chanye.EFORBIDDEN},
		// A district follows the leads it owns, reads the lists and the
		// candidates, and makes no key project (projects are the city's).
		"district reads a target":     {tianhe, func(ctx context.Context) error { _, err := targets.FindTargetByID(ctx, ai.ID); return err }, ""},
		"district adds no target":     {tianhe, func(ctx context.Context) error { return targets.CreateTarget(ctx, target("ai", "")) }, chanye.EFORBIDDEN},
		"district reads its own lead": {tianhe, func(ctx context.Context) error { _, err := leads.FindLeadByID(ctx, l1.ID); return err }, ""},
		"district: not a department's lead": {tianhe, func(ctx context.Context) error {
			_, err := leads.FindLeadByID(ctx, l2.ID)
			return err
		}, chanye.EFORBIDDEN},
		"district: not another district's lead": {yuexiu, func(ctx context.Context) error {
			return leads.AddLeadContact(ctx, l1.ID, &invest.Event{Kind: invest.EventCall})
		}, chanye.EFORBIDDEN},
		"district opens its own lead": {yuexiu, func(ctx context.Context) error {
			return leads.CreateLead(ctx, &invest.Lead{TargetID: ai.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440104"})
		}, ""},
		"district opens no lead for another": {yuexiu, func(ctx context.Context) error {
			return leads.CreateLead(ctx, &invest.Lead{TargetID: ai.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"})
		}, chanye.EFORBIDDEN},
		"district gives its lead away": {tianhe, func(ctx context.Context) error {
			k, n := invest.OwnerDepartment, dept
			_, err := leads.UpdateLead(ctx, l1.ID, invest.LeadUpdate{OwnerKind: &k, OwnerName: &n})
			return err
		}, chanye.EFORBIDDEN},
		"district: no new key project": {tianhe, func(ctx context.Context) error {
			_, err := conv.CreateProjectFromLead(ctx, l1.ID, nil)
			return err
		}, chanye.EFORBIDDEN},
		"enterprise: no funnel": {ent, func(ctx context.Context) error { _, err := funnel.FindFunnel(ctx, invest.LeadFilter{}); return err }, chanye.EFORBIDDEN},
	} {
		if got := chanye.ErrorCode(tc.call(tc.ctx)); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
	// Lists narrowed to the actor's scope.
	for name, tc := range map[string]struct {
		ctx     context.Context
		targets int
		leads   int
	}{
		"department": {lead, 1, 2}, // icv-nev's target; l1 (its industry) and l2 (its own)
		"task force": {tf, 1, 1},
		"ai":         {tfAI, 1, 2}, // with 越秀's lead of ai
		"leader":     {leader, 2, 3},
		"district":   {tianhe, 2, 1}, // every target; l1, its own
	} {
		if _, n, err := targets.FindTargets(tc.ctx, invest.TargetFilter{}); err != nil || n != tc.targets {
			t.Errorf("%s sees %d targets (%v), want %d", name, n, err, tc.targets)
		}
		if _, n, err := leads.FindLeads(tc.ctx, invest.LeadFilter{}); err != nil || n != tc.leads {
			t.Errorf("%s sees %d leads (%v), want %d", name, n, err, tc.leads)
		}
		if f, err := funnel.FindFunnel(tc.ctx, invest.LeadFilter{}); err != nil || f.Leads != tc.leads {
			t.Errorf("%s's funnel: %+v %v", name, f, err)
		}
	}
	// The public counts every lead, without amounts.
	if _, err := leads.MoveLead(tf, l1.ID, invest.Move{To: invest.StageSigned, SignedFen: &amount}); err != nil {
		t.Fatal(err)
	}
	f, err := funnel.FindFunnel(public, invest.LeadFilter{})
	if err != nil || f.Leads != 3 || f.SignedLeads != 1 || f.SignedFen != nil || f.ExpectedFen != nil {
		t.Errorf("the public's funnel: %+v %v", f, err)
	}
	if f, _ := funnel.FindFunnel(leader, invest.LeadFilter{}); f.SignedFen == nil || *f.SignedFen != amount {
		t.Errorf("the leader's funnel lacks the amount: %+v", f)
	}
}
