package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/request"
)

// requestFixture is newFixture with the automotive cluster led by
// testDept, so that codeAuto's requests are routed to it.
func requestFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	dept := testDept
	if _, err := f.store.UpdateResponsibility(chanye.WithActor(context.Background(), chanye.Operator), f.autoID,
		chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	return f
}

// wantRedirect fails unless res is a 303 to loc.
func wantRedirect(t *testing.T, what string, res *http.Response, body, loc string) {
	t.Helper()
	if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != loc {
		t.Fatalf("%s: %d %q, want 303 to %q\n%.1500s", what, res.StatusCode, got, loc, body)
	}
}

// TestRequestPages walks the loop of a request on the pages: the
// enterprise raises it (a form without a category or title is refused
// with both fields, what was typed kept); the lead department
// acknowledges and answers it (an empty answer refused); the enterprise
// rates it 不满意, which reopens it, and, answered again, 满意, which closes
// it; another enterprise is told it does not exist; an official records
// one on an enterprise's behalf by a channel other than online.
func TestRequestPages(t *testing.T) {
	f := requestFixture(t)
	firm := pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	other := pagesAs(t, f, &chanye.Actor{Name: "示范软件", Role: chanye.RoleEnterprise, Code: codeSoft})
	lead := pagesAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	leader := pagesAs(t, f, &chanye.Actor{Name: "市领导", Role: chanye.RoleLeader})

	_, body := getAs(t, firm, "/requests/new?lang=zh")
	if !strings.Contains(body, `id="req-category"`) || !strings.Contains(body, "按企业名录中的登记自动确定") || strings.Contains(body, `id="req-code"`) {
		t.Errorf("the enterprise's form:\n%.3000s", body)
	}
	checkPage(t, body)
	res, body := postAs(t, firm, "/requests?lang=zh", url.Values{"category_id": {""}, "title": {" "}, "description": {"新产线投产需扩容供电"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="req-category-err"`) || !strings.Contains(body, `id="req-title-err"`) ||
		!strings.Contains(body, "新产线投产需扩容供电</textarea>") || strings.Contains(body, `id="req-description-err"`) {
		t.Fatalf("a form without a category or title: %d\n%.3000s", res.StatusCode, body)
	}
	res, body = postAs(t, firm, "/requests", url.Values{"category_id": {"utilities"}, "title": {"新产线需扩容供电"}, "description": {"新产线下月投产，需将供电容量扩至 2 万千伏安。"},
		"code": {codeSoft}, "channel": {"phone"}}) // an enterprise's own, online, whatever it posts
	wantRedirect(t, "raised", res, body, "/requests/1?done=created")
	_, body = getAs(t, firm, "/requests/1?done=created&lang=zh")
	for _, want := range []string{"诉求已提交并分派", `data-status="submitted"`, "待签收", testDept, "企业提交", `<span class="light green">正常</span>`, "签收时限"} {
		if !strings.Contains(body, want) {
			t.Errorf("the raised request's page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="req-ack-form"`) || strings.Contains(body, `id="req-confirm-form"`) {
		t.Error("the enterprise is offered a step before the answer")
	}
	checkPage(t, body)
	if res, _ := getAs(t, other, "/requests/1"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another enterprise opens the request: %d", res.StatusCode)
	}
	if res, _ := postAs(t, other, "/requests/1/steps", url.Values{"action": {"confirm"}, "rating": {"satisfied"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another enterprise rates the request: %d", res.StatusCode)
	}
	if _, body := getAs(t, other, "/requests?lang=zh"); strings.Contains(body, "新产线需扩容供电") || !strings.Contains(body, `id="no-requests"`) {
		t.Error("another enterprise's 我的诉求 shows the request")
	}
	_, body = getAs(t, leader, "/requests/1?lang=zh")
	if strings.Contains(body, `id="req-ack-form"`) || !strings.Contains(body, "新产线需扩容供电") {
		t.Error("a leader reads the request, and takes no step")
	}

	// The lead department acknowledges and answers.
	_, body = getAs(t, lead, "/todo?lang=zh")
	if !strings.Contains(body, `id="todo-requests"`) || !strings.Contains(body, "新产线需扩容供电") {
		t.Errorf("the department's 我的待办 lacks the request:\n%.3000s", body)
	}
	_, body = getAs(t, lead, "/requests/1?lang=zh")
	for _, want := range []string{`id="req-ack-form"`, `id="req-reroute-form"`, `id="req-cohandle-form"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the lead department's page lacks %s", want)
		}
	}
	if strings.Contains(body, `id="req-answer-form"`) {
		t.Error("an answer is offered before the acknowledgement")
	}
	checkPage(t, body)
	res, body = postAs(t, lead, "/requests/1/steps", url.Values{"action": {"acknowledge"}})
	wantRedirect(t, "acknowledged", res, body, "/requests/1?done=acknowledge")
	if res, body := postAs(t, lead, "/requests/1/steps?lang=zh", url.Values{"action": {"acknowledge"}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, `id="req-error"`) {
		t.Errorf("acknowledged twice: %d", res.StatusCode)
	}
	res, body = postAs(t, lead, "/requests/1/steps?lang=zh", url.Values{"action": {"answer"}, "note": {" "}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="req-answer-err"`) {
		t.Fatalf("an empty answer: %d\n%.2000s", res.StatusCode, body)
	}
	res, body = postAs(t, lead, "/requests/1/steps", url.Values{"action": {"answer"}, "note": {"已协调供电局，本周内上门勘查。"}})
	wantRedirect(t, "answered", res, body, "/requests/1?done=answer")
	_, body = getAs(t, lead, "/requests/1?lang=zh")
	if !strings.Contains(body, `id="req-callback-form"`) || !strings.Contains(body, "之后才能回访办结") {
		t.Error("the callback is not offered, or not said to wait for the confirmation time")
	}
	res, body = postAs(t, lead, "/requests/1/steps?lang=zh", url.Values{"action": {"callback"}, "note": {"电话回访"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "之后才能回访办结") {
		t.Errorf("a callback before the confirmation time: %d", res.StatusCode)
	}

	// The enterprise rates it: 不满意 reopens, 满意 closes.
	_, body = getAs(t, firm, "/requests?lang=zh")
	if !strings.Contains(body, "待您确认") || !strings.Contains(body, "已协调供电局") {
		t.Errorf("我的诉求 does not say the answer awaits the enterprise:\n%.3000s", body)
	}
	_, body = getAs(t, firm, "/requests/1?lang=zh")
	if !strings.Contains(body, `id="req-confirm-form"`) || !strings.Contains(body, "不满意将重新交办") && !strings.Contains(body, "选择“不满意”将重新交办") {
		t.Errorf("the enterprise is not offered its rating:\n%.3000s", body)
	}
	checkPage(t, body)
	if res, body := postAs(t, firm, "/requests/1/steps?lang=zh", url.Values{"action": {"confirm"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="req-rating-err"`) {
		t.Errorf("a rating without a choice: %d", res.StatusCode)
	}
	res, body = postAs(t, firm, "/requests/1/steps", url.Values{"action": {"confirm"}, "rating": {"unsatisfied"}, "note": {"勘查时间太晚"}})
	wantRedirect(t, "unsatisfied", res, body, "/requests/1?done=reopen")
	_, body = getAs(t, firm, "/requests/1?lang=zh")
	if !strings.Contains(body, `data-status="acknowledged"`) || !strings.Contains(body, `<dd id="req-reopened">1</dd>`) || !strings.Contains(body, "重新交办") {
		t.Errorf("不满意 did not reopen the request:\n%.3000s", body)
	}
	if res, _ := postAs(t, firm, "/requests/1/steps", url.Values{"action": {"confirm"}, "rating": {"satisfied"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("rated while in hand again: %d", res.StatusCode)
	}
	res, body = postAs(t, lead, "/requests/1/steps", url.Values{"action": {"answer"}, "note": {"已于今日完成扩容。"}})
	wantRedirect(t, "answered again", res, body, "/requests/1?done=answer")
	res, body = postAs(t, firm, "/requests/1/steps", url.Values{"action": {"confirm"}, "rating": {"satisfied"}})
	wantRedirect(t, "satisfied", res, body, "/requests/1?done=confirm")
	_, body = getAs(t, firm, "/requests/1?lang=zh")
	for _, want := range []string{`data-status="closed"`, "企业确认办结", `<dd id="req-rating">满意</dd>`, "已于今日完成扩容", "确认评价"} {
		if !strings.Contains(body, want) {
			t.Errorf("the closed request's page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="req-confirm-form"`) {
		t.Error("a closed request offers a rating")
	}

	// An official records one for an enterprise, by visit; online is the
	// enterprise's own channel.
	res, body = postAs(t, lead, "/requests?lang=zh", url.Values{"code": {codeAuto}, "channel": {"online"}, "category_id": {"land"}, "title": {"扩建用地"}, "description": {"走访中提出"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="req-channel-err"`) || !strings.Contains(body, `value="扩建用地"`) {
		t.Errorf("an official's request online: %d\n%.2000s", res.StatusCode, body)
	}
	res, body = postAs(t, lead, "/requests", url.Values{"code": {strings.ToLower(codeAuto)}, "channel": {"visit"}, "category_id": {"land"}, "title": {"扩建用地"}, "description": {"走访中提出"}})
	wantRedirect(t, "recorded by the department", res, body, "/requests/2?done=created")
	if _, body := getAs(t, firm, "/requests/2?lang=zh"); !strings.Contains(body, "走访") {
		t.Error("the enterprise does not see the request recorded on its behalf")
	}
}

// TestRequestQueue: the queue puts an overdue request first, with its
// colour named, whatever the order they came in; 只看超时 keeps it alone;
// the navigation links the queue for those who may read it, not a
// district, which records a request but may not read it.
func TestRequestQueue(t *testing.T) {
	f := requestFixture(t)
	ctx := chanye.WithActor(context.Background(), &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	raise := func(title string) {
		t.Helper()
		if _, _, err := f.store.CreateRequest(ctx, &request.Request{Code: codeAuto, CategoryID: "permit", Title: title, Description: "详见附件",
			Channel: request.ChannelOnline}); err != nil {
			t.Fatal(err)
		}
	}
	raise("新近提出的诉求")
	f.db.Now = func() time.Time { return testclock.Now().AddDate(0, 0, -30) }
	raise("一个月前的诉求")
	f.db.Now = testclock.Now
	lead := pagesAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})

	_, body := getAs(t, lead, "/requests?lang=zh")
	rows := regexp.MustCompile(`<tr data-id="(\d+)" data-status="submitted" data-colour="(\w+)">`).FindAllStringSubmatch(body, -1)
	if len(rows) != 2 || rows[0][1] != "2" || rows[0][2] != "red" || rows[1][1] != "1" || rows[1][2] != "green" {
		t.Fatalf("the queue's rows: %v, want #2 (red) before #1 (green)\n%.3000s", rows, body)
	}
	for _, want := range []string{`<span class="light red">超时</span>`, `<span class="light green">正常</span>`, "示范智能汽车", `id="nav-requests"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the queue lacks %q", want)
		}
	}
	checkPage(t, body)
	_, body = getAs(t, lead, "/requests?overdue=1&lang=zh")
	if !strings.Contains(body, "一个月前的诉求") || strings.Contains(body, "新近提出的诉求") {
		t.Error("只看超时 shows more than the overdue request")
	}
	if _, body := getAs(t, lead, "/requests/1?done=nothing"); strings.Contains(body, `id="done"`) {
		t.Error("the page says an unknown step is done")
	}
	if res, _ := getAs(t, lead, "/requests?status=lost"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown status: %d", res.StatusCode)
	}
	// A district may not read requests: no link, and the page refuses it.
	district := pagesAs(t, f, &chanye.Actor{Name: "黄埔区", Role: chanye.RoleDistrict, District: "440112"})
	if res, body := getAs(t, district, "/requests"); res.StatusCode != http.StatusForbidden || strings.Contains(body, `id="nav-requests"`) {
		t.Errorf("a district's queue: %d", res.StatusCode)
	}
	// It records one all the same, and is told so on the form.
	res, body := postAs(t, district, "/requests", url.Values{"code": {codeAuto}, "channel": {"meeting"}, "category_id": {"talent"}, "title": {"招工难"}, "description": {"座谈会上提出"}})
	wantRedirect(t, "recorded by a district", res, body, "/requests/new?created=3")
	if _, body := getAs(t, district, "/requests/new?created=3&lang=zh"); !strings.Contains(body, "诉求 #3 已登记并分派") {
		t.Error("the district is not told the request was recorded")
	}
	// The enterprise's home links its requests.
	firm := pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	if _, body := getAs(t, firm, "/enterprises/"+codeAuto+"?lang=zh"); !strings.Contains(body, `href="/requests/new"`) || !strings.Contains(body, `id="home-requests"`) {
		t.Error("the enterprise's home does not link 提出诉求 and 我的诉求")
	}
	other := pagesAs(t, f, &chanye.Actor{Name: "示范软件", Role: chanye.RoleEnterprise, Code: codeSoft})
	if _, body := getAs(t, other, "/enterprises/"+codeAuto+"?lang=zh"); strings.Contains(body, `id="home-requests"`) {
		t.Error("another enterprise's page links 我的诉求")
	}
}

// TestBrowserRequests: in Chromium, an enterprise raises a request from
// its home; the lead department finds it in its queue on a phone (390 px,
// an overdue request first, nothing wider than the screen), acknowledges
// and answers it; the enterprise rates the answer 满意 and the request is
// closed.
func TestBrowserRequests(t *testing.T) {
	chromiumPath(t)
	f := requestFixture(t)
	f.db.Now = func() time.Time { return testclock.Now().AddDate(0, 0, -30) }
	if _, _, err := f.store.CreateRequest(chanye.WithActor(context.Background(), chanye.Operator), &request.Request{Code: codeAuto, CategoryID: "permit",
		Title: "一个月前的施工许可", Description: "迟迟未批", Channel: request.ChannelPhone}); err != nil {
		t.Fatal(err)
	}
	f.db.Now = testclock.Now
	firm := httptest.NewServer(pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto}))
	defer firm.Close()
	dept := httptest.NewServer(pagesAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept}))
	defer dept.Close()
	b := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, text := drive(t, b)
	narrow := func(where string) {
		t.Helper()
		w, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || w > 391 {
			t.Errorf("%s is %d px wide on a 390 px screen (%v)", where, w, err)
		}
	}

	run("the enterprise's home", chromedp.Navigate(firm.URL+"/enterprises/"+codeAuto+"?lang=zh"), chromedp.WaitVisible(css(`#home-request-new`)))
	run("the form", chromedp.Click(css(`#home-request-new`)), chromedp.WaitVisible(css(`#req-form`)))
	run("raised",
		chromedp.SetValue(css(`#req-category`), "utilities"),
		chromedp.SendKeys(css(`#req-title`), "新产线需扩容供电"),
		chromedp.SendKeys(css(`#req-description`), "新产线下月投产，需将供电容量扩至 2 万千伏安。"),
		chromedp.Click(css(`#req-submit`)),
		chromedp.WaitVisible(css(`#done`)))
	if got := text(`#req-status`); !strings.Contains(got, "待签收") {
		t.Errorf("a raised request is %q", got)
	}
	if got := text(`#req-clock`); !strings.Contains(got, "正常") || !strings.Contains(got, "签收时限") {
		t.Errorf("its clock says %q", got)
	}

	run("the department's queue on a phone", chromedp.EmulateViewport(390, 900), chromedp.Navigate(dept.URL+"/requests?lang=zh"), chromedp.WaitVisible(css(`#req-list`)))
	narrow("the queue")
	rows, err := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#req-list tbody tr')].map(r => r.dataset.id + ' ' + r.querySelector('.light').innerText)`))
	if err != nil || len(rows) != 2 || rows[0] != "1 超时" || rows[1] != "2 正常" {
		t.Errorf("the queue's rows: %q (%v), want the overdue #1 first", rows, err)
	}
	run("the request", chromedp.Click(css(`#req-list tr[data-id="2"] a`)), chromedp.WaitVisible(css(`#req-ack-form`)))
	narrow("the request's page")
	run("acknowledged", chromedp.Click(css(`#req-ack-submit`)), chromedp.WaitVisible(css(`#req-answer-form`)))
	run("answered",
		chromedp.SendKeys(css(`#req-answer-note`), "已协调供电局，本周内上门勘查。"),
		chromedp.Click(css(`#req-answer-submit`)),
		chromedp.WaitVisible(css(`#req-status[data-status="answered"]`)))
	if got := text(`#req-status`); !strings.Contains(got, "待确认") {
		t.Errorf("an answered request is %q", got)
	}

	run("我的诉求", chromedp.Navigate(firm.URL+"/requests?lang=zh"), chromedp.WaitVisible(css(`#req-list`)))
	narrow("我的诉求")
	if got := text(`#req-list tr[data-id="2"]`); !strings.Contains(got, "待您确认") || !strings.Contains(got, "已协调供电局") {
		t.Errorf("我的诉求 shows %q", got)
	}
	run("the rating form", chromedp.Click(css(`#req-list tr[data-id="2"] a`)), chromedp.WaitVisible(css(`#req-confirm-form`)))
	narrow("the rating form")
	run("rated",
		chromedp.Click(css(`#req-rating-satisfied`)),
		chromedp.Click(css(`#req-confirm-submit`)),
		chromedp.WaitVisible(css(`#req-status[data-status="closed"]`)))
	if got := text(`#req-status`) + text(`#req-rating`); !strings.Contains(got, "已办结") || !strings.Contains(got, "满意") {
		t.Errorf("a rated request is %q", got)
	}
	if got := text(`#req-events`); !strings.Contains(got, "确认评价") || !strings.Contains(got, "签收") {
		t.Errorf("the history: %q", got)
	}
}
