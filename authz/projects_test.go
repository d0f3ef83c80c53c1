package authz_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
)

func projectCode(t *testing.T, n int) string {
	t.Helper()
	body := fmt.Sprintf("%08d", n)
	oc, err := uscc.OrgCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	c, err := uscc.Complete("91440101" + body + string(oc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// projectFixture: P1 in icv-nev (led by dept) owned by enterprise 1; P2 in
// uhd-display (no lead department) owned by enterprise 2; P3 in
// uhd-display with dept named on the project, owned by enterprise 2.
func projectFixture(t *testing.T) (project.Service, string, string) {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	if _, err := store.UpdateResponsibility(ctx, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: ptr(dept)}); err != nil {
		t.Fatal(err)
	}
	start, _ := chanye.ParseDate("2025-01-01")
	end, _ := chanye.ParseDate("2027-06-30")
	for i, spec := range []struct{ industry, dept string }{{"icv-nev", ""}, {"uhd-display", ""}, {"uhd-display", dept}} {
		p := &project.Project{ID: fmt.Sprintf("P%d", i+1), Name: "项目", OwnerCode: projectCode(t, min(i+1, 2)), IndustryID: spec.industry,
			DistrictCode: "440106", Kind: project.KindIndustrial, TotalInvestmentFen: 1_000_000, PlannedStart: start,
			PlannedCompletion: end, Stage: project.StageBuilding, Department: spec.dept}
		if err := store.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return authz.Projects(store, store), projectCode(t, 1), projectCode(t, 2)
}

func TestProjectRulesTable(t *testing.T) {
	for act, grants := range authz.ProjectRules() {
		for role := range grants {
			if !role.Valid() {
				t.Errorf("%s names unknown role %q", act, role)
			}
		}
		if authz.ProjectRules().Grant(chanye.RoleAdmin, act) != authz.Allow {
			t.Errorf("admin may not %s", act)
		}
		if g := authz.ProjectRules().Grant(chanye.RolePublic, act); g != authz.Deny {
			t.Errorf("public gets %s for %s", g, act)
		}
	}
}

func TestProjectsGuard(t *testing.T) {
	svc, codeA, codeB := projectFixture(t)
	entA := &chanye.Actor{Name: "ea", Role: chanye.RoleEnterprise, Code: codeA}
	entB := &chanye.Actor{Name: "eb", Role: chanye.RoleEnterprise, Code: codeB}
	uhdForce := &chanye.Actor{Name: "u", Role: chanye.RoleTaskForce, IndustryID: "uhd-display"}
	report := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return svc.PutReport(ctx, &project.Report{ProjectID: id, Month: "2025-05", InvestedFen: 1, CumulativeFen: 1, ProgressPct: 10})
		}
	}
	read := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := svc.FindProjectByID(ctx, id); return err }
	}
	nodes := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := svc.FindNodes(ctx, id); return err }
	}
	rename := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := svc.UpdateProject(ctx, id, project.ProjectUpdate{Name: ptr("新名")})
			return err
		}
	}
	node := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := svc.PutNode(ctx, id, 1, project.NodeUpdate{Evidence: &project.Evidence{Note: "ok"}})
			return err
		}
	}
	saveRule := func(ctx context.Context) error {
		r := project.DefaultRules()[0]
		r.LabelEN = "late"
		return svc.SaveWarningRule(ctx, r)
	}
	batch := func(ctx context.Context) error { return svc.WriteBatch(ctx, &project.Batch{}) }
	readRules := func(ctx context.Context) error { _, err := svc.FindWarningRules(ctx); return err }
	for _, tc := range []struct {
		name  string
		actor *chanye.Actor
		op    func(context.Context) error
		want  string
	}{
		{"admin renames", admin, rename("P2"), ""},
		{"admin saves a rule", admin, saveRule, ""},
		{"admin imports", admin, batch, ""},
		{"leader reads", leader, read("P2"), ""},
		{"leader may not rename", leader, rename("P1"), chanye.EFORBIDDEN},
		{"leader may not report", leader, report("P1"), chanye.EFORBIDDEN},
		{"dept renames its industry's project", ownDept, rename("P1"), ""},
		{"dept renames the project naming it", ownDept, rename("P3"), ""},
		{"dept may not rename another's", ownDept, rename("P2"), chanye.EFORBIDDEN},
		{"other dept may not rename", otherDept, rename("P1"), chanye.EFORBIDDEN},
		{"dept reads all", otherDept, read("P2"), ""},
		{"dept records a node", ownDept, node("P1"), ""},
		{"dept may not import", ownDept, batch, chanye.EFORBIDDEN},
		{"dept may not change rules", ownDept, saveRule, chanye.EFORBIDDEN},
		{"dept reads rules", ownDept, readRules, ""},
		{"task force renames its industry's", uhdForce, rename("P2"), ""},
		{"task force may not rename another industry's", taskForce, rename("P2"), chanye.EFORBIDDEN},
		{"task force reports on its industry's", taskForce, report("P1"), ""},
		{"enterprise reads its own", entA, read("P1"), ""},
		{"enterprise reads its nodes", entA, nodes("P1"), ""},
		{"enterprise reports on its own", entA, report("P1"), ""},
		{"enterprise: another's project does not exist", entA, read("P2"), chanye.ENOTFOUND},
		{"enterprise: another's nodes do not exist", entA, nodes("P2"), chanye.ENOTFOUND},
		{"enterprise may not report on another's", entA, report("P2"), chanye.ENOTFOUND},
		{"enterprise may not rename its own", entA, rename("P1"), chanye.EFORBIDDEN},
		{"enterprise may not record nodes", entA, node("P1"), chanye.EFORBIDDEN},
		{"enterprise B reports on P3", entB, report("P3"), ""},
		{"enterprise without a code", &chanye.Actor{Name: "e", Role: chanye.RoleEnterprise}, read("P1"), chanye.ENOTFOUND},
		{"public may not read", public, read("P1"), chanye.EUNAUTHORIZED},
		{"public may not read rules", public, readRules, chanye.EUNAUTHORIZED},
		{"unknown role", unknown, read("P1"), chanye.EFORBIDDEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op(chanye.WithActor(context.Background(), tc.actor))
			if got := chanye.ErrorCode(err); got != tc.want {
				t.Errorf("error %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestProjectsGuardLists(t *testing.T) {
	svc, codeA, codeB := projectFixture(t)
	entA := chanye.WithActor(context.Background(), &chanye.Actor{Name: "ea", Role: chanye.RoleEnterprise, Code: codeA})
	ps, total, err := svc.FindProjects(entA, project.ProjectFilter{})
	if err != nil || total != 1 || ps[0].ID != "P1" {
		t.Fatalf("enterprise A lists %v, %d, %v; want P1 only", ps, total, err)
	}
	if _, total, _ := svc.FindProjects(entA, project.ProjectFilter{OwnerCode: &codeB}); total != 0 {
		t.Errorf("enterprise A asking for B's projects sees %d", total)
	}
	if err := svc.PutReport(entA, &project.Report{ProjectID: "P1", Month: "2025-05", CumulativeFen: 1}); err != nil {
		t.Fatal(err)
	}
	admin := chanye.WithActor(context.Background(), admin)
	if err := svc.PutReport(admin, &project.Report{ProjectID: "P2", Month: "2025-05", CumulativeFen: 1}); err != nil {
		t.Fatal(err)
	}
	if rs, total, _ := svc.FindReports(entA, project.ReportFilter{}); total != 1 || rs[0].ProjectID != "P1" {
		t.Errorf("enterprise A's reports: %v", rs)
	}
	if _, total, _ := svc.FindReports(entA, project.ReportFilter{ProjectID: ptr("P2")}); total != 0 {
		t.Errorf("enterprise A sees %d reports of P2", total)
	}
	ws, err := svc.FindWarnings(entA, project.ProjectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.ProjectID != "P1" {
			t.Errorf("enterprise A sees a warning of %s", w.ProjectID)
		}
	}
	if _, total, _ := svc.FindProjects(chanye.WithActor(context.Background(), leader), project.ProjectFilter{}); total != 3 {
		t.Errorf("leader sees %d projects, want 3", total)
	}
	if _, _, err := svc.FindProjects(chanye.WithActor(context.Background(), public), project.ProjectFilter{}); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Errorf("public lists: %v", err)
	}
}

// TestProjectsGuardBoard: the batch read shows an enterprise its own
// projects, their nodes and warnings only, and nothing to the public.
func TestProjectsGuardBoard(t *testing.T) {
	svc, codeA, codeB := projectFixture(t)
	entA := chanye.WithActor(context.Background(), &chanye.Actor{Name: "ea", Role: chanye.RoleEnterprise, Code: codeA})
	b, err := svc.FindBoard(entA, project.ProjectFilter{})
	if err != nil || len(b.Projects) != 1 || b.Projects[0].ID != "P1" || len(b.Nodes) != 1 || len(b.Nodes["P1"]) == 0 {
		t.Fatalf("enterprise A's board: %+v, %v; want P1 and its nodes only", b, err)
	}
	for _, w := range b.Warnings {
		if w.ProjectID != "P1" {
			t.Errorf("enterprise A sees a warning of %s", w.ProjectID)
		}
	}
	if b, err := svc.FindBoard(entA, project.ProjectFilter{OwnerCode: &codeB}); err != nil || len(b.Projects)+len(b.Nodes)+len(b.Warnings) != 0 {
		t.Errorf("enterprise A asking for B's board sees %+v, %v", b, err)
	}
	if b, err := svc.FindBoard(chanye.WithActor(context.Background(), leader), project.ProjectFilter{}); err != nil || len(b.Projects) != 3 || len(b.Nodes) != 3 {
		t.Errorf("leader's board: %+v, %v; want 3 projects with nodes", b, err)
	}
	if _, err := svc.FindBoard(chanye.WithActor(context.Background(), public), project.ProjectFilter{}); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Errorf("public reads the board: %v", err)
	}
}
