package authz_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestLeadSupervisionRules: leaders and the industry's lead department
// put a lead under 督办; only the lead's owner answers (its district, its
// department, its industry's task force); only the issuer settles; each
// reads the items of the leads it reads and those it issued.
func TestLeadSupervisionRules(t *testing.T) {
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	dept := "市工业和信息化局"
	if _, err := store.UpdateResponsibility(op, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	leader := as(&chanye.Actor{Name: "l", Role: chanye.RoleLeader, UserID: 7})
	otherLeader := as(&chanye.Actor{Name: "l2", Role: chanye.RoleLeader, UserID: 8})
	lead := as(&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept})
	other := as(&chanye.Actor{Name: "o", Role: chanye.RoleDepartment, Department: "市科学技术局"})
	tf := as(&chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	tianhe := as(&chanye.Actor{Name: "th", Role: chanye.RoleDistrict, District: "440106"})
	yuexiu := as(&chanye.Actor{Name: "yx", Role: chanye.RoleDistrict, District: "440104"})
	ent := as(&chanye.Actor{Name: "e", Role: chanye.RoleEnterprise, Code: "91440101MA5CXXXX0X"})

	tg := &invest.Target{IndustryID: "icv-nev", LinkID: "icv-nev.battery.cell", Kind: invest.ListAttract, Name: "某公司", Source: "名单"}
	if err := store.CreateTarget(op, tg); err != nil {
		t.Fatal(err)
	}
	l := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"}
	if err := store.CreateLead(op, l); err != nil {
		t.Fatal(err)
	}
	sups := authz.LeadSupervisions(store.LeadSupervisions(), store, store)
	due := testclock.Today().AddDate(0, 0, 7)
	item := func() *project.Supervision {
		return &project.Supervision{LeadID: l.ID, Instruction: "本周约见", DueOn: chanye.DateOf(due)}
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		want string
	}{
		"another department issues": {other, chanye.EFORBIDDEN},
		"the task force issues":     {tf, chanye.EFORBIDDEN},
		"the district issues":       {tianhe, chanye.EFORBIDDEN},
		"an enterprise issues":      {ent, chanye.EFORBIDDEN},
		"the public issues":         {as(chanye.Public), chanye.EUNAUTHORIZED},
	} {
		if _, err := sups.CreateSupervision(tc.ctx, item()); chanye.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	x, err := sups.CreateSupervision(leader, item())
	if err != nil {
		t.Fatal(err)
	}
	y, err := sups.CreateSupervision(lead, item())
	if err != nil {
		t.Fatalf("the lead department issues: %v", err)
	}
	// In order: each step needs the one before.
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		id     int64
		action project.SupAction
		want   string
	}{
		{"the task force answers a district's lead", tf, x.ID, project.SupAnswer, chanye.EFORBIDDEN},
		{"another district answers", yuexiu, x.ID, project.SupAnswer, chanye.EFORBIDDEN},
		{"the owner answers", tianhe, x.ID, project.SupAnswer, ""},
		{"the owner closes", tianhe, x.ID, project.SupClose, chanye.EFORBIDDEN},
		{"another leader closes", otherLeader, x.ID, project.SupClose, chanye.EFORBIDDEN},
		{"the issuer returns", leader, x.ID, project.SupReturn, ""},
		{"the department closes its own", lead, y.ID, project.SupClose, ""},
	} {
		name := tc.name
		if _, err := sups.MoveSupervision(tc.ctx, tc.id, tc.action, "说明"); chanye.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		want int
	}{
		"leader": {leader, 2}, "department": {lead, 2}, "task force": {tf, 2}, "owner": {tianhe, 2},
		"another district": {yuexiu, 0}, "another department": {other, 0},
	} {
		if _, n, err := sups.FindSupervisions(tc.ctx, project.SupervisionFilter{}); err != nil || n != tc.want {
			t.Errorf("%s lists %d items (%v), want %d", name, n, err, tc.want)
		}
	}
	if _, err := sups.FindSupervisionByID(yuexiu, x.ID); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("another district reads an item: %v", err)
	}
	if _, _, err := sups.FindSupervisions(ent, project.SupervisionFilter{}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("an enterprise lists items: %v", err)
	}
	// The pages' questions agree with the service.
	got, _ := store.LeadSupervisions().FindSupervisionByID(op, x.ID)
	if !authz.MayAnswer(chanye.ActorFrom(tianhe), got) || authz.MayAnswer(chanye.ActorFrom(tf), got) ||
		!authz.MaySettle(chanye.ActorFrom(leader), got) || authz.MaySettle(chanye.ActorFrom(otherLeader), got) {
		t.Error("MayAnswer / MaySettle disagree with the rules")
	}
	if !authz.MayOnLead(context.Background(), store, chanye.ActorFrom(lead), authz.IssueLeadSupervision, l) ||
		authz.MayOnLead(context.Background(), store, chanye.ActorFrom(other), authz.IssueLeadSupervision, l) {
		t.Error("MayOnLead disagrees with the rules")
	}
}
