package authz_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestRoutineGuard: who closes warnings and who issues, answers, settles
// and reads supervision items, by role and scope. P1 is in icv-nev (led
// by dept), owned by enterprise 1; P2 in uhd-display, owned by 2.
func TestRoutineGuard(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	if _, err := store.UpdateResponsibility(ctx, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: ptr(dept)}); err != nil {
		t.Fatal(err)
	}
	start, _ := chanye.ParseDate("2024-01-01")
	end, _ := chanye.ParseDate("2027-06-30")
	for i, ind := range []string{"icv-nev", "uhd-display"} {
		if err := store.CreateProject(ctx, &project.Project{ID: fmt.Sprintf("P%d", i+1), Name: "项目", OwnerCode: projectCode(t, i+1), IndustryID: ind,
			DistrictCode: "440106", Kind: project.KindIndustrial, TotalInvestmentFen: 1_000_000, PlannedStart: start,
			PlannedCompletion: end, Stage: project.StageSigned}); err != nil { // not started: red
			t.Fatal(err)
		}
	}
	cs := authz.Closures(store, store, store)
	ss := authz.Supervisions(store, store, store)
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	leader1 := as(&chanye.Actor{UserID: 1, Name: "甲", Role: chanye.RoleLeader})
	leader2 := as(&chanye.Actor{UserID: 2, Name: "乙", Role: chanye.RoleLeader})
	dep := as(&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept})
	other := as(&chanye.Actor{Name: "o", Role: chanye.RoleDepartment, Department: "市发展改革委"})
	icvForce := as(&chanye.Actor{Name: "i", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	uhdForce := as(&chanye.Actor{Name: "u", Role: chanye.RoleTaskForce, IndustryID: "uhd-display"})
	ent1 := as(&chanye.Actor{Name: "e1", Role: chanye.RoleEnterprise, Code: projectCode(t, 1)})
	ent2 := as(&chanye.Actor{Name: "e2", Role: chanye.RoleEnterprise, Code: projectCode(t, 2)})
	pdf := project.Upload{Name: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n%%EOF\n")}
	code := func(err error) string { return chanye.ErrorCode(err) }
	due := chanye.DateOf(testclock.Now().AddDate(0, 0, 7))

	// 销号: not the owner, not another industry's task force.
	for name, c := range map[string]struct {
		ctx  context.Context
		want string
	}{"owner": {ent1, chanye.EFORBIDDEN}, "other task force": {uhdForce, chanye.EFORBIDDEN}, "other department": {other, chanye.EFORBIDDEN},
		"other enterprise": {ent2, chanye.EFORBIDDEN}} {
		if _, err := cs.CloseWarning(c.ctx, "P1", "start_late_red", "x", pdf); code(err) != c.want {
			t.Errorf("%s closing: %v, want %s", name, err, c.want)
		}
	}
	if _, err := cs.CloseWarning(icvForce, "P1", "start_late_red", "核实", pdf); err != nil {
		t.Errorf("the task force closing: %v", err)
	}
	if _, err := cs.FindClosures(ent2, "P1"); code(err) != chanye.ENOTFOUND {
		t.Errorf("another enterprise reads the closures: %v", err)
	}
	if _, _, err := cs.FindClosureFile(ent1, "P1", 1); err != nil {
		t.Errorf("the owner reads the evidence: %v", err)
	}

	// 督办: issued by leader 1 (any project) and the department (its own).
	issue := func(ctx context.Context, pid string, to project.Addressee) (*project.Supervision, error) {
		return ss.CreateSupervision(ctx, &project.Supervision{ProjectID: pid, Addressee: to, Instruction: "督办", DueOn: due})
	}
	byLeader, err := issue(leader1, "P1", project.ToOwner)
	if err != nil {
		t.Fatal(err)
	}
	byDept, err := issue(dep, "P1", project.ToTaskForce)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := issue(dep, "P2", project.ToOwner); code(err) != chanye.EFORBIDDEN {
		t.Errorf("the department issuing outside its scope: %v", err)
	}
	for _, c := range []context.Context{icvForce, ent1} {
		if _, err := issue(c, "P1", project.ToOwner); code(err) != chanye.EFORBIDDEN {
			t.Errorf("%s issuing: %v", chanye.ActorFrom(c).Name, err)
		}
	}
	// Answers: the addressee only.
	if _, err := ss.MoveSupervision(icvForce, byLeader.ID, project.SupAnswer, "x"); code(err) != chanye.EFORBIDDEN {
		t.Errorf("the task force answering the owner's item: %v", err)
	}
	if _, err := ss.MoveSupervision(ent2, byLeader.ID, project.SupAnswer, "x"); code(err) != chanye.ENOTFOUND {
		t.Errorf("another enterprise answering: %v", err)
	}
	if _, err := ss.MoveSupervision(ent1, byDept.ID, project.SupAnswer, "x"); code(err) != chanye.ENOTFOUND {
		t.Errorf("the owner answering the task force's item: %v", err)
	}
	if _, err := ss.MoveSupervision(ent1, byLeader.ID, project.SupAnswer, "已办"); err != nil {
		t.Errorf("the owner answering: %v", err)
	}
	if _, err := ss.MoveSupervision(icvForce, byDept.ID, project.SupAnswer, "已办"); err != nil {
		t.Errorf("the task force answering: %v", err)
	}
	// Settling: the issuer only — the same leader account, the same department.
	for name, c := range map[string]context.Context{"leader 2": leader2, "department": dep, "owner": ent1} {
		if _, err := ss.MoveSupervision(c, byLeader.ID, project.SupClose, ""); code(err) != chanye.EFORBIDDEN {
			t.Errorf("%s closing the leader's item: %v", name, err)
		}
	}
	if _, err := ss.MoveSupervision(leader1, byLeader.ID, project.SupClose, ""); err != nil {
		t.Errorf("leader 1 closing its item: %v", err)
	}
	if _, err := ss.MoveSupervision(other, byDept.ID, project.SupReturn, "x"); code(err) != chanye.EFORBIDDEN {
		t.Errorf("another department returning: %v", err)
	}
	if _, err := ss.MoveSupervision(dep, byDept.ID, project.SupReturn, "补充"); err != nil {
		t.Errorf("the department returning its item: %v", err)
	}
	// Reading: each its own.
	for name, c := range map[string]struct {
		ctx  context.Context
		want int
	}{"leader": {leader2, 2}, "department": {dep, 2}, "other department": {other, 0}, "icv task force": {icvForce, 2},
		"uhd task force": {uhdForce, 0}, "owner": {ent1, 1}, "other enterprise": {ent2, 0}} {
		_, total, err := ss.FindSupervisions(c.ctx, project.SupervisionFilter{})
		if err != nil || total != c.want {
			t.Errorf("%s lists %d items (%v), want %d", name, total, err, c.want)
		}
	}
	if _, err := ss.FindSupervisionByID(ent2, byLeader.ID); code(err) != chanye.ENOTFOUND {
		t.Errorf("another enterprise reading: %v", err)
	}
	if _, err := ss.FindSupervisionByID(other, byLeader.ID); code(err) != chanye.EFORBIDDEN {
		t.Errorf("another department reading: %v", err)
	}
}
