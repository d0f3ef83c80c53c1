package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
)

// TestIssuesPage: three firms of the industry asking of land make a common
// problem; its task force sees it with the firms and records the solution
// (not without a note); the lead department reads it without the form; an
// enterprise may not open the page.
func TestIssuesPage(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	dept := testDept
	if _, err := f.store.UpdateResponsibility(ctx, f.autoID, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{codeAuto, codeSoft, codeSH} {
		e, err := f.store.FindEnterpriseByCode(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.UpdateEnterprise(ctx, c, chanye.EnterpriseUpdate{Industries: &[]string{f.autoID}}); err != nil {
			t.Fatalf("%s (%v): %v", c, e.Industries, err)
		}
		if _, _, err := f.store.CreateRequest(ctx, &request.Request{Code: c, CategoryID: "land", Title: "扩产用地", Description: "需新增用地", Channel: request.ChannelVisit}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.store.GroupRequests(ctx); err != nil || n != 1 {
		t.Fatalf("grouped %d, %v", n, err)
	}
	tf := pagesAs(t, f, &chanye.Actor{Name: "专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	lead := pagesAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	_, body := getAs(t, tf, "/request-issues?lang=zh")
	if !strings.Contains(body, `id="issue-1"`) || !strings.Contains(body, "3 家企业") || !strings.Contains(body, "广州示范智能汽车有限公司") || !strings.Contains(body, `id="solve-1"`) {
		t.Fatalf("the task force's issues:\n%.3000s", body)
	}
	if _, body := getAs(t, lead, "/request-issues?lang=zh"); !strings.Contains(body, `id="issue-1"`) || strings.Contains(body, `id="solve-1"`) {
		t.Error("the lead department: the issue without the form")
	}
	if res, _ := getAs(t, pagesAs(t, f, &chanye.Actor{Name: "e", Role: chanye.RoleEnterprise, Code: codeAuto}), "/request-issues"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise opens the issues: %d", res.StatusCode)
	}
	if res, body := postAs(t, tf, "/request-issues/1/solve?lang=zh", url.Values{"note": {" "}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "须写明解决情况") {
		t.Errorf("solved without a note: %d", res.StatusCode)
	}
	res, _ := postAs(t, tf, "/request-issues/1/solve", url.Values{"note": {"统一协调园区用地"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/request-issues?all=1&done=solved") {
		t.Fatalf("solved: %d %q", res.StatusCode, loc)
	}
	if _, body := getAs(t, tf, "/request-issues?all=1&lang=zh"); !strings.Contains(body, "统一协调园区用地") || strings.Contains(body, `id="solve-1"`) {
		t.Error("the solution is not shown, or the form still is")
	}
}
