package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestResponsibilities: the demo gives every industry a city leader, a lead
// department and a task force from the lists; the names it invents say
// 演示; the leaders' list is in 甲乙丙 order; a second run changes nothing
// and a recorded responsibility is kept.
func TestResponsibilities(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	s := sqlstoretest.New(t)
	if err := s.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: "张市长"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateResponsibility(ctx, "ai", chanye.ResponsibilityUpdate{CityLeader: new("张市长")}); err != nil {
		t.Fatal(err)
	}
	n, err := demo.Responsibilities(ctx, s)
	if err != nil || n != 26 {
		t.Fatalf("assigned %d, %v; want the 26 industries", n, err)
	}
	inds, err := s.FindIndustries(ctx, chanye.IndustryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	lists, err := s.FindOrgUnits(ctx, chanye.OrgUnitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ind := range inds {
		r := ind.Responsibility
		if r.CityLeader == "" || r.LeadDepartment == "" || r.TaskForce == "" {
			t.Errorf("%s: %+v, want all three", ind.ID, r)
		}
		if ind.ID != "ai" && !strings.HasSuffix(r.CityLeader, "（演示）") || !strings.HasSuffix(r.TaskForce, "（演示）") {
			t.Errorf("%s: invented names not marked 演示: %+v", ind.ID, r)
		}
		for k, name := range map[chanye.OrgKind]string{chanye.OrgLeader: r.CityLeader, chanye.OrgDepartment: r.LeadDepartment, chanye.OrgTaskForce: r.TaskForce} {
			if m := chanye.OrgLists(lists).CheckChoice(k, name); m != "" {
				t.Errorf("%s: %s", ind.ID, m)
			}
		}
	}
	if ai, err := s.FindIndustryByID(ctx, "ai"); err != nil || ai.Responsibility.CityLeader != "张市长" {
		t.Errorf("the recorded leader was replaced: %+v, %v", ai, err)
	}
	var leaders []string
	for _, u := range chanye.OrgLists(lists).Active(chanye.OrgLeader) {
		leaders = append(leaders, u.NameZH)
	}
	if got := strings.Join(leaders, " "); got != "张市长 市领导甲（演示） 市领导乙（演示） 市领导丙（演示） 市领导丁（演示） 市领导戊（演示） 市领导己（演示）" {
		t.Errorf("leaders %q", got)
	}
	if n, err := demo.Responsibilities(ctx, s); err != nil || n != 0 {
		t.Errorf("second run assigned %d, %v; want nothing", n, err)
	}
}
