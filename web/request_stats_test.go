package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
)

// TestRequestStatsPage: the public sees the loop's figures by category,
// with unknown shares as "—", the demo's share said, and no enterprise's
// name.
func TestRequestStatsPage(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	dept := testDept
	if _, err := f.store.UpdateResponsibility(ctx, f.autoID, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.CreateRequest(ctx, &request.Request{Code: codeAuto, CategoryID: "permit", Title: "演示数据：施工许可", Description: "演示数据：详情", Channel: request.ChannelPhone}); err != nil {
		t.Fatal(err)
	}
	public := pagesAs(t, f, chanye.Public)
	res, body := getAs(t, public, "/open/requests?lang=zh")
	if res.StatusCode != 200 || !strings.Contains(body, `id="rs-table"`) || !strings.Contains(body, "审批许可") || !strings.Contains(body, "—") ||
		!strings.Contains(body, "其中 1 件为演示数据") || strings.Contains(body, "广州示范智能汽车有限公司") {
		t.Fatalf("the open figures: %d\n%.3000s", res.StatusCode, body)
	}
	if _, body := getAs(t, public, "/open/requests?by=industry&lang=zh"); !strings.Contains(body, "智能网联") {
		t.Errorf("by industry: the industry's name is not shown")
	}
	if res, _ := getAs(t, public, "/open/requests?by=colour"); res.StatusCode != 400 {
		t.Errorf("a bad grouping: %d", res.StatusCode)
	}
	// For officials the board opens the queues: the department's row its
	// requests; the public's rows are plain.
	if strings.Contains(body, "/requests?open=1") {
		t.Error("the public's board links into the queue")
	}
	_, body = f.get(t, "/open/requests?by=department&lang=zh", "")
	link := "/requests?open=1&amp;department=" + url.QueryEscape(testDept)
	if !strings.Contains(body, link) {
		t.Errorf("the board does not open the department's queue (%s)", link)
	}
	if _, body := f.get(t, "/requests?open=1&department="+url.QueryEscape(testDept)+"&lang=zh", ""); !strings.Contains(body, "只看："+testDept) || !strings.Contains(body, "施工许可") {
		t.Errorf("the department's queue from the board:\n%.2000s", body)
	}
	// The department's scorecard counts the request it leads.
	addProjects(t, f)
	_, body = f.get(t, "/scorecards/department/"+url.PathEscape(testDept)+"?lang=zh", "")
	if !strings.Contains(body, `id="sc-requests-table"`) || !strings.Contains(body, "按时签收率") {
		t.Errorf("the department's scorecard lacks its requests:\n%.2000s", body)
	}
}
