package authz_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestRequestRules: an enterprise raises and reads only its own requests
// (another's is not found) and alone confirms an answer; the lead
// department handles; a co-handler and the task force read; another
// department sees nothing; leaders read and change nothing.
func TestRequestRules(t *testing.T) {
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	dept := "市工业和信息化局"
	if _, err := store.UpdateResponsibility(op, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateOrgUnit(op, &chanye.OrgUnit{Kind: chanye.OrgDepartment, NameZH: "市科学技术局"}); err != nil && chanye.ErrorCode(err) != chanye.ECONFLICT {
		t.Fatal(err)
	}
	founded, _ := chanye.ParseDate("2015-06-01")
	codeA, codeB := projectCode(t, 71), projectCode(t, 72)
	for _, c := range []string{codeA, codeB} {
		if err := store.CreateEnterprise(op, &chanye.Enterprise{Code: c, Name: "企业" + c[14:], DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
			t.Fatal(err)
		}
	}
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	entA := as(&chanye.Actor{Name: "a", Role: chanye.RoleEnterprise, Code: codeA})
	entB := as(&chanye.Actor{Name: "b", Role: chanye.RoleEnterprise, Code: codeB})
	lead := as(&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept})
	other := as(&chanye.Actor{Name: "o", Role: chanye.RoleDepartment, Department: "市科学技术局"})
	tf := as(&chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	leader := as(&chanye.Actor{Name: "l", Role: chanye.RoleLeader})
	admin := as(&chanye.Actor{Name: "admin", Role: chanye.RoleAdmin})
	svc := authz.Requests(store, store)

	raise := func(code string, ch request.Channel) *request.Request {
		return &request.Request{Code: code, CategoryID: "permit", Title: "施工许可", Description: "迟迟未批", Channel: ch}
	}
	r, _, err := svc.CreateRequest(entA, raise(codeA, request.ChannelOnline))
	if err != nil || r.Department != dept {
		t.Fatalf("an enterprise raises its own: %+v %v", r, err)
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		call func(context.Context) error
		want string
	}{
		"enterprise for another": {entA, func(ctx context.Context) error {
			_, _, err := svc.CreateRequest(ctx, raise(codeB, request.ChannelOnline))
			return err
		}, chanye.ENOTFOUND},
		"enterprise by phone": {entA, func(ctx context.Context) error {
			_, _, err := svc.CreateRequest(ctx, raise(codeA, request.ChannelPhone))
			return err
		}, chanye.EINVALID},
		"leader raises nothing": {leader, func(ctx context.Context) error {
			_, _, err := svc.CreateRequest(ctx, raise(codeA, request.ChannelVisit))
			return err
		}, chanye.EFORBIDDEN},
		"another enterprise reads": {entB, func(ctx context.Context) error { _, err := svc.FindRequestByID(ctx, r.ID); return err }, chanye.ENOTFOUND},
		"another department reads": {other, func(ctx context.Context) error { _, err := svc.FindRequestByID(ctx, r.ID); return err }, chanye.EFORBIDDEN},
		"the task force reads":     {tf, func(ctx context.Context) error { _, err := svc.FindRequestByID(ctx, r.ID); return err }, ""},
		"the leader reads":         {leader, func(ctx context.Context) error { _, err := svc.FindRequestByID(ctx, r.ID); return err }, ""},
		"the task force handles": {tf, func(ctx context.Context) error {
			_, err := svc.Act(ctx, r.ID, request.Step{Action: request.StepAcknowledge})
			return err
		}, chanye.EFORBIDDEN},
		"the enterprise handles": {entA, func(ctx context.Context) error {
			_, err := svc.Act(ctx, r.ID, request.Step{Action: request.StepAcknowledge})
			return err
		}, chanye.EFORBIDDEN},
		"public lists":              {as(chanye.Public), func(ctx context.Context) error { _, _, err := svc.FindRequests(ctx, request.Filter{}); return err }, chanye.EUNAUTHORIZED},
		"public reads categories":   {as(chanye.Public), func(ctx context.Context) error { _, err := svc.FindCategories(ctx); return err }, ""},
		"department keeps no table": {lead, func(ctx context.Context) error { return svc.PutCategory(ctx, &request.Category{ID: "x"}) }, chanye.EFORBIDDEN},
		"department escalates":      {lead, func(ctx context.Context) error { _, err := svc.Escalate(ctx); return err }, chanye.EFORBIDDEN},
	} {
		if got := chanye.ErrorCode(tc.call(tc.ctx)); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
	for _, st := range []struct {
		name string
		ctx  context.Context
		step request.Step
		want string
	}{
		{"the lead acknowledges", lead, request.Step{Action: request.StepAcknowledge}, ""},
		{"the lead asks a co-handler", lead, request.Step{Action: request.StepCoHandle, Departments: []string{"市科学技术局"}}, ""},
		{"the co-handler answers", other, request.Step{Action: request.StepAnswer, Note: "x"}, chanye.EFORBIDDEN},
		{"the lead answers", lead, request.Step{Action: request.StepAnswer, Note: "已办理"}, ""},
		{"the admin confirms for the enterprise", admin, request.Step{Action: request.StepConfirm, Rating: request.Satisfied}, chanye.EFORBIDDEN},
		{"another enterprise confirms", entB, request.Step{Action: request.StepConfirm, Rating: request.Satisfied}, chanye.ENOTFOUND},
		{"the enterprise confirms", entA, request.Step{Action: request.StepConfirm, Rating: request.Basic}, ""},
	} {
		if _, err := svc.Act(st.ctx, r.ID, st.step); chanye.ErrorCode(err) != st.want {
			t.Errorf("%s: %v, want %q", st.name, err, st.want)
		}
	}
	if _, err := svc.FindRequestByID(other, r.ID); err != nil {
		t.Errorf("the co-handler reads: %v", err)
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		want int
	}{"enterprise": {entA, 1}, "other enterprise": {entB, 0}, "lead": {lead, 1}, "co-handler": {other, 1}, "task force": {tf, 1}, "leader": {leader, 1}} {
		if _, n, err := svc.FindRequests(tc.ctx, request.Filter{}); err != nil || n != tc.want {
			t.Errorf("%s lists %d (%v), want %d", name, n, err, tc.want)
		}
	}
}

// TestRequestWithoutIndustry: a request of an enterprise that belongs to
// no industry of the catalog is routed by the administrators; no
// department reads it as the lead department of its industry, not even
// that of the catalog's first industry (the store reads "" as every
// industry), until the administrators route it there.
func TestRequestWithoutIndustry(t *testing.T) {
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	inds, err := store.FindIndustries(op, chanye.IndustryFilter{})
	if err != nil || len(inds) == 0 {
		t.Fatalf("industries: %v", err)
	}
	dept := "市工业和信息化局"
	if _, err := store.UpdateResponsibility(op, inds[0].ID, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	founded, _ := chanye.ParseDate("2015-06-01")
	code := projectCode(t, 73)
	if err := store.CreateEnterprise(op, &chanye.Enterprise{Code: code, Name: "农场", DistrictCode: "440106", IndustryClass: "0111", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	svc := authz.Requests(store, store)
	r, _, err := svc.CreateRequest(op, &request.Request{Code: code, CategoryID: "land", Title: "用地", Description: "扩建", Channel: request.ChannelVisit})
	if err != nil || r.IndustryID != "" || r.Department != "" {
		t.Fatalf("not routed: %+v %v", r, err)
	}
	lead := chanye.WithActor(context.Background(), &chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept})
	if _, err := svc.FindRequestByID(lead, r.ID); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("the first industry's lead department reads a request of no industry: %v", err)
	}
	if _, err := svc.Act(op, r.ID, request.Step{Action: request.StepReroute, Department: dept, Note: "按职责分派"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FindRequestByID(lead, r.ID); err != nil {
		t.Errorf("the department it is routed to: %v", err)
	}
}
