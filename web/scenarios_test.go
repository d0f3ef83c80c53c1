package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/scenario"
)

// scenarioForm is a valid new scenario's form for industry ind, its
// deadline today.
func scenarioForm(ind string) url.Values {
	today := testclock.Now()
	return url.Values{"title": {"自动驾驶环卫车首试首用"}, "offerer.name": {"市城管局"}, "offerer.kind": {"department"},
		"industry_id": {ind}, "requirements": {"在两个街道试点自动驾驶环卫作业。"}, "site": {"海珠区"}, "budget": {"12.345678"},
		"deadline": {chanye.DateOf(today).String()}, "pilot_start": {chanye.DateOf(today.AddDate(0, 0, 10)).String()},
		"pilot_end":      {chanye.DateOf(today.AddDate(0, 6, 0)).String()},
		"criteria[0].id": {"tech"}, "criteria[0].name_zh": {"技术方案"}, "criteria[0].weight": {"60"},
		"criteria[2].id": {"cost"}, "criteria[2].name_zh": {"成本效益"}, "criteria[2].weight": {"40"}}
}

// scenarioIDFrom reads the id of the scenario a form redirected to.
func scenarioIDFrom(t *testing.T, res *http.Response) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(res.Header.Get("Location"), "/scenarios/%d?", &id); err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%d to %q: %v", res.StatusCode, res.Header.Get("Location"), err)
	}
	return id
}

// TestScenarioPages walks a scenario through the pages, each step by
// the role that takes it: the task force creates it (a refused form keeps
// what was typed and names each field) and publishes it; two enterprises
// apply, each seeing its own application only; the panel is set, the
// clock moves past the deadline and the review starts, each member asked
// to score in its own inbox at both; the members score
// (one declares a conflict); under the ranking the task force reads each
// member's scores, 回避 where declared; the ranking lets the task force
// select, add a milestone, confirm the first use and record a procurement
// in 万元; each applicant then reads its own place and total, never the
// other's.
func TestScenarioPages(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	inboxes := map[string]context.Context{}
	for _, n := range []string{"judge-a", "judge-b", "judge-c"} {
		u := &auth.User{Name: n, Role: chanye.RoleLeader}
		if err := f.store.CreateUser(ctx, u, n+" password 1"); err != nil {
			t.Fatal(err)
		}
		inboxes[n] = chanye.WithActor(context.Background(), u.Actor())
	}
	tf := pagesAs(t, f, &chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	auto := pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	soft := pagesAs(t, f, &chanye.Actor{Name: "示范软件", Role: chanye.RoleEnterprise, Code: codeSoft})
	public := pagesAs(t, f, &chanye.Actor{Role: chanye.RolePublic})
	member := func(n string) http.Handler { return pagesAs(t, f, &chanye.Actor{Name: n, Role: chanye.RoleLeader}) }

	res, body := getAs(t, tf, "/scenarios/new")
	if res.StatusCode != 200 || !strings.Contains(body, `id="scn-new-form"`) || !strings.Contains(body, `<option value="`+f.autoID+`"`) {
		t.Fatalf("the task force's form: %d", res.StatusCode)
	}
	if res, _ := getAs(t, auto, "/scenarios/new"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise's form: %d, want 403", res.StatusCode)
	}

	// A refused form: every field's error next to it, what was typed kept.
	bad := scenarioForm(f.autoID)
	bad.Set("title", "")
	bad.Set("budget", "1.2345678")
	bad.Set("criteria[2].weight", "四十")
	res, body = postAs(t, tf, "/scenarios", bad)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad form: %d, want 400", res.StatusCode)
	}
	for _, want := range []string{`id="e-f-title"`, `id="e-budget"`, `id="e-f-criteria-1-weight"`, `value="1.2345678"`, `value="四十"`, `value="市城管局"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %s", want)
		}
	}
	res, body = postAs(t, tf, "/scenarios?lang=en", bad)
	if !strings.Contains(body, "required") && !strings.Contains(body, "must") {
		t.Errorf("the English form's errors are not in English")
	}

	res, _ = postAs(t, tf, "/scenarios", scenarioForm(f.autoID))
	id := scenarioIDFrom(t, res)
	path := fmt.Sprintf("/scenarios/%d", id)
	x, err := f.store.FindScenarioByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if x.BudgetFen == nil || *x.BudgetFen != 12_345_678 || len(x.Criteria) != 2 || x.Status != scenario.Draft {
		t.Fatalf("stored: budget %v, criteria %v, status %s", x.BudgetFen, x.Criteria, x.Status)
	}

	// A draft is the officials' alone.
	if res, _ := getAs(t, public, path); res.StatusCode != http.StatusNotFound {
		t.Errorf("the public reads the draft: %d", res.StatusCode)
	}
	_, body = getAs(t, tf, path)
	if !strings.Contains(body, `id="scn-publish-form"`) || !strings.Contains(body, "123,456.78") && !strings.Contains(body, "12.345678") {
		t.Errorf("the draft's page lacks the publish form or the exact budget")
	}
	if res, _ := postAs(t, tf, path+"/moves", url.Values{"action": {"publish"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	res, body = getAs(t, public, "/scenarios")
	if res.StatusCode != 200 || !strings.Contains(body, `href="`+path+`"`) || !strings.Contains(body, "/api/v1/scenarios/feed.atom") ||
		!strings.Contains(body, `id="scn-progress-bar"`) || !strings.Contains(body, `id="nav-scenarios"`) {
		t.Errorf("the public list: %d, lacks the scenario, the feeds, the progress or the navigation", res.StatusCode)
	}
	_, body = getAs(t, public, path)
	if strings.Contains(body, `id="scn-steps"`) || strings.Contains(body, `id="scn-apply-form"`) || strings.Contains(body, `id="scn-apps"`) {
		t.Error("the public is offered steps, the application form or the review")
	}

	// The enterprises apply; each sees its own application only.
	_, body = getAs(t, auto, path)
	if !strings.Contains(body, `id="scn-apply-form"`) {
		t.Fatal("the enterprise is not offered the application form")
	}
	if res, body := postAs(t, auto, path+"/applications", url.Values{"solution": {" "}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="scn-solution-err"`) {
		t.Errorf("an empty solution: %d", res.StatusCode)
	}
	for _, ap := range []struct {
		h   http.Handler
		sol string
	}{{auto, "汽车方案：L4 环卫车三台。"}, {soft, "软件方案：调度平台。"}} {
		if res, _ := postAs(t, ap.h, path+"/applications", url.Values{"solution": {ap.sol}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %d", res.StatusCode)
		}
	}
	_, body = getAs(t, auto, path)
	if !strings.Contains(body, `id="scn-mine"`) || !strings.Contains(body, "汽车方案") || strings.Contains(body, "软件方案") || strings.Contains(body, `id="scn-apply-form"`) {
		t.Error("the enterprise's page: its own application, and no other's, no second form")
	}
	// The software firm withdraws and applies again while the call is open;
	// the car maker may not withdraw another's.
	softApps, _, err := f.store.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &id, Code: ptr(codeSoft)})
	if err != nil || len(softApps) != 1 {
		t.Fatalf("the software firm's applications: %d, %v", len(softApps), err)
	}
	withdraw := fmt.Sprintf("%s/applications/%d/withdraw", path, softApps[0].ID)
	if res, _ := postAs(t, auto, withdraw, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another's withdrawal: %d, want 404", res.StatusCode)
	}
	if res, _ := postAs(t, soft, withdraw, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", res.StatusCode)
	}
	if _, body := getAs(t, soft, path); !strings.Contains(body, `data-status="withdrawn"`) || !strings.Contains(body, `id="scn-apply-form"`) {
		t.Error("the withdrawn application is not shown, or no new one offered")
	}
	if res, _ := postAs(t, soft, path+"/applications", url.Values{"solution": {"软件方案：调度平台（修订）。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply again: %d", res.StatusCode)
	}
	apps, _, err := f.store.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &id, Status: ptr(scenario.Submitted)})
	if err != nil || len(apps) != 2 {
		t.Fatalf("applications: %d, %v", len(apps), err)
	}
	appOf := map[string]int64{}
	for _, a := range apps {
		appOf[a.Code] = a.ID
	}

	// The panel: refused when too small, then set.
	if res, body := postAs(t, tf, path+"/panel", url.Values{"panel": {"judge-a"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="scn-panel-err"`) {
		t.Errorf("a panel of one: %d", res.StatusCode)
	}
	if res, _ := postAs(t, tf, path+"/panel", url.Values{"panel": {"judge-a\njudge-b\njudge-c"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("panel: %d", res.StatusCode)
	}
	// The review starts after the deadline day.
	if res, _ := postAs(t, tf, path+"/moves", url.Values{"action": {"start_review"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("review on the deadline: %d, want 409", res.StatusCode)
	}
	f.db.Now = func() time.Time { return testclock.Now().AddDate(0, 0, 1) }
	t.Cleanup(func() { f.db.Now = testclock.Now })
	if res, _ := postAs(t, tf, path+"/moves", url.Values{"action": {"start_review"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start review: %d", res.StatusCode)
	}
	// Each member was asked to score, in its own inbox, when the panel was
	// set and when the review started.
	for n, in := range inboxes {
		items, _, unread, err := f.store.FindNotifications(in, notify.Filter{})
		if err != nil || len(items) != 2 || unread != 2 || items[0].Link != path+"#scn-score-form" || items[0].TitleZH != "请为应用场景评分：自动驾驶环卫车首试首用" ||
			items[1].Subject != fmt.Sprintf("scenario/%d/panel", id) {
			t.Errorf("%s's inbox: %+v %v", n, items, err)
		}
	}

	// The members score; one declares a conflict with the software firm.
	_, body = getAs(t, member("judge-a"), path)
	field := func(code, crit string) string { return fmt.Sprintf("score-%d-%s", appOf[code], crit) }
	if !strings.Contains(body, `id="scn-score-form"`) || !strings.Contains(body, `name="`+field(codeAuto, "tech")+`"`) {
		t.Fatal("the member is not offered the scoring form")
	}
	if _, body := getAs(t, auto, path); strings.Contains(body, `id="scn-score-form"`) || strings.Contains(body, `id="scn-rank"`) {
		t.Error("the enterprise sees the scoring form or the ranking")
	}
	if res, body := postAs(t, member("judge-a"), path+"/scores", url.Values{field(codeAuto, "tech"): {"101"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="101"`) {
		t.Errorf("a score of 101: %d, or not kept", res.StatusCode)
	}
	if res, _ := postAs(t, member("judge-c"), path+"/conflicts", url.Values{"application_id": {fmt.Sprint(appOf[codeSoft])}, "reason": {"曾任该企业顾问"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("conflict: %d", res.StatusCode)
	}
	// 我的待办 lists what each member has still to score.
	for m, want := range map[string]string{"judge-a": "尚缺 4 项评分", "judge-c": "尚缺 2 项评分"} {
		if _, body := getAs(t, member(m), "/todo"); !strings.Contains(between(body, `id="todo-scenario-scores"`, `</section>`), want) {
			t.Errorf("%s's 我的待办 lacks %q", m, want)
		}
	}
	if _, body := getAs(t, tf, "/todo"); strings.Contains(body, `id="todo-scenario-scores"`) {
		t.Error("the task force, on no panel, is shown scores to give")
	}
	for _, m := range []string{"judge-a", "judge-b", "judge-c"} {
		form := url.Values{field(codeAuto, "tech"): {"90"}, field(codeAuto, "cost"): {"80"}}
		if m != "judge-c" {
			form.Set(field(codeSoft, "tech"), "70")
			form.Set(field(codeSoft, "cost"), "60")
		}
		if res, body := postAs(t, member(m), path+"/scores", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s scores: %d %.300s", m, res.StatusCode, body)
		}
	}
	if _, body := getAs(t, member("judge-a"), "/todo"); strings.Contains(body, `id="todo-scenario-scores"`) && strings.Contains(body, "项评分") {
		t.Error("judge-a's 我的待办 still lists scores to give")
	}
	_, body = getAs(t, tf, path)
	if !strings.Contains(body, `id="scn-rank"`) || !strings.Contains(body, "86.00") || !strings.Contains(body, `id="scn-select-form"`) {
		t.Fatalf("the task force's ranking: %q", between(body, `id="scn-ranking"`, `</section>`))
	}
	// Under the ranking, each member's scores: judge-c's of the software
	// firm's application are 回避, with the reason.
	scores := between(body, `id="scn-member-scores"`, `</table>`)
	row := func(code, member string) string {
		return between(scores, fmt.Sprintf(`data-app="%d" data-member="%s"`, appOf[code], member), `</tr>`)
	}
	if r := row(codeAuto, "judge-b"); !strings.Contains(r, ">90<") || !strings.Contains(r, ">80<") {
		t.Errorf("judge-b's scores of the car maker's: %q", r)
	}
	if r := row(codeSoft, "judge-c"); !strings.Contains(r, `data-conflict="1"`) || !strings.Contains(r, "回避") || !strings.Contains(r, "曾任该企业顾问") || strings.Contains(r, ">70<") {
		t.Errorf("judge-c's row of the software firm's: %q", r)
	}
	if _, body := getAs(t, auto, path); strings.Contains(body, `id="scn-member-scores"`) || strings.Contains(body, `id="scn-result-mine"`) {
		t.Error("an applicant sees the members' scores, or its result before the selection")
	}

	// Select, pilot, first use, procurement.
	steps := []url.Values{
		{"action": {"select"}, "application_id": {fmt.Sprint(appOf[codeAuto])}},
		{"action": {"add_milestone"}, "name": {"首批车辆上路"}, "due": {chanye.DateOf(testclock.Now().AddDate(0, 1, 0)).String()}},
		{"action": {"complete_milestone"}, "milestone_no": {"1"}, "evidence": {"三台车辆上路"}},
		{"action": {"confirm_first_use"}, "evidence": {"验收报告"}},
		{"action": {"procure"}, "buyer": {"市城管局"}, "amount": {"50.5"}},
	}
	for _, st := range steps {
		if st.Get("action") == "confirm_first_use" { // not before the planned pilot's start
			f.db.Now = func() time.Time { return testclock.Now().AddDate(0, 0, 12) }
		}
		if res, body := postAs(t, tf, path+"/moves", st); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", st.Get("action"), res.StatusCode, between(body, `id="scn-error"`, `</div>`))
		}
	}
	if res, body := postAs(t, tf, path+"/moves", url.Values{"action": {"procure"}, "buyer": {"市城管局"}, "amount": {"-1"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="-1"`) {
		t.Errorf("a negative procurement: %d", res.StatusCode)
	}
	x, err = f.store.FindScenarioByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if x.Status != scenario.Procured || len(x.Procurements) != 1 || x.Procurements[0].AmountFen != 50_500_000 || x.SelectedID != appOf[codeAuto] {
		t.Fatalf("stored: %s, %+v", x.Status, x.Procurements)
	}
	_, body = getAs(t, auto, path)
	if !strings.Contains(body, `data-status="selected"`) || !strings.Contains(body, `id="scn-selected"`) {
		t.Error("the enterprise does not see its application selected")
	}
	// Each applicant reads its own place and total, never the other's.
	if got := between(body, `id="scn-result-mine"`, `</p>`); !strings.Contains(got, "第 1 名（共 2 个方案），总分 86.00") {
		t.Errorf("the car maker's result: %q", got)
	}
	_, body = getAs(t, soft, path)
	if got := between(body, `id="scn-result-mine"`, `</p>`); !strings.Contains(got, "第 2 名（共 2 个方案），总分 66.00") || strings.Contains(body, "86.00") ||
		strings.Contains(body, `id="scn-rank"`) || strings.Contains(body, `id="scn-member-scores"`) {
		t.Errorf("the software firm's result: %q, or others' scores shown", got)
	}
	// Another scenario comes to nothing: closed with its reason.
	res, _ = postAs(t, tf, "/scenarios", scenarioForm(f.autoID))
	other := fmt.Sprintf("/scenarios/%d", scenarioIDFrom(t, res))
	if res, body := postAs(t, tf, other+"/moves", url.Values{"action": {"close"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="scn-error"`) {
		t.Errorf("a close without reason: %d", res.StatusCode)
	}
	if res, _ := postAs(t, tf, other+"/moves", url.Values{"action": {"close"}, "reason": {"出题单位撤回需求"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", res.StatusCode)
	}
	if _, body := getAs(t, tf, other); !strings.Contains(body, `data-status="closed"`) || !strings.Contains(body, "出题单位撤回需求") || strings.Contains(body, `id="scn-close-form"`) {
		t.Error("the closed scenario's page: its status, its reason and no close form")
	}
	_, body = getAs(t, public, path)
	if !strings.Contains(body, `id="scn-procurements"`) || !strings.Contains(body, `id="scn-events"`) {
		t.Error("the public page lacks the procurements or the timeline")
	}
}

// between returns the part of s from the first from to the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// TestBrowserScenario: in Chromium at 1280 px, the task force creates and
// publishes a scenario; an enterprise applies with a file, which the task
// force's table of applications links; the task force sets the
// panel and, the clock past the deadline, starts the review; a member
// scores (the other two have); the task force selects the application,
// confirms the first use and records a procurement. The public's list
// and page then fit a 390 px screen.
func TestBrowserScenario(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	for _, n := range []string{"judge-a", "judge-b", "judge-c"} {
		if err := f.store.CreateUser(ctx, &auth.User{Name: n, Role: chanye.RoleLeader}, n+" password 1"); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { f.db.Now = testclock.Now })
	serve := func(a *chanye.Actor) string {
		srv := httptest.NewServer(pagesAs(t, f, a))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tf := serve(&chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	firm := serve(&chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	judge := serve(&chanye.Actor{Name: "judge-a", Role: chanye.RoleLeader})
	public := serve(&chanye.Actor{Role: chanye.RolePublic})
	b := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, text := drive(t, b)
	day := func(n int) string { return chanye.DateOf(testclock.Now().AddDate(0, 0, n)).String() }
	status := func(st scenario.Status) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(css(`#scn-status[data-status="` + string(st) + `"]`))
	}

	run("the form", chromedp.Navigate(tf+"/scenarios?lang=zh"), chromedp.WaitVisible(css(`#scn-new`)),
		chromedp.Click(css(`#scn-new`)), chromedp.WaitVisible(css(`#scn-new-form`)))
	run("created",
		chromedp.SendKeys(css(`#f-title`), "自动驾驶环卫车首试首用"),
		chromedp.SendKeys(css(`#f-offerer-name`), "市城管局"),
		chromedp.SetValue(css(`#f-offerer-kind`), "department"),
		chromedp.SetValue(css(`#f-industry`), f.autoID),
		chromedp.SendKeys(css(`#f-requirements`), "在两个街道试点自动驾驶环卫作业。"),
		chromedp.SendKeys(css(`#f-budget`), "8.5"),
		chromedp.SetValue(css(`#f-deadline`), day(0)),
		chromedp.SetValue(css(`#f-pilot_start`), day(10)),
		chromedp.SetValue(css(`#f-pilot_end`), day(180)),
		chromedp.Click(css(`#scn-create`)),
		chromedp.WaitVisible(css(`#done`)), status(scenario.Draft))
	path, err := chromedp.Run(b, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	run("published", chromedp.Click(css(`#scn-publish`)), status(scenario.Published))

	plan := filepath.Join(t.TempDir(), "环卫方案.pdf")
	if err := os.WriteFile(plan, []byte("%PDF-1.4\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("applied", chromedp.Navigate(firm+path+"?lang=zh"), chromedp.WaitVisible(css(`#scn-apply-form`)),
		chromedp.SendKeys(css(`#scn-solution`), "L4 级环卫车三台，配套调度平台。"),
		chromedp.SetUploadFiles(css(`#scn-apply-file`), []string{plan}),
		chromedp.Click(css(`#scn-apply-submit`)), chromedp.WaitVisible(css(`#scn-mine`)))
	if got := text(`#scn-mine`); !strings.Contains(got, "已揭榜") || !strings.Contains(got, "环卫方案.pdf") {
		t.Errorf("the enterprise's application and its file: %q", got)
	}

	run("the runners' table", chromedp.Navigate(tf+path+"?lang=zh"), chromedp.WaitVisible(css(`#scn-app-list`)))
	if got := text(`#scn-app-list`); !strings.Contains(got, "环卫方案.pdf") {
		t.Errorf("the task force's table lacks the file: %q", got)
	}
	run("the panel", chromedp.Navigate(tf+path+"?lang=zh"), chromedp.WaitVisible(css(`#scn-panel-form`)),
		chromedp.SetValue(css(`#scn-panel-input`), "judge-a\njudge-b\njudge-c"),
		chromedp.Click(css(`#scn-panel-save`)), chromedp.WaitVisible(css(`#done`)))
	if got := text(`#scn-panel-list`); !strings.Contains(got, "judge-c") {
		t.Errorf("the panel: %q", got)
	}
	f.db.Now = func() time.Time { return testclock.Now().AddDate(0, 0, 1) } // past the deadline
	run("the review", chromedp.Click(css(`#scn-start-review`)), status(scenario.Reviewing))

	id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/scenarios/"), 10, 64)
	apps, _, err := f.store.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &id})
	if err != nil || len(apps) != 1 {
		t.Fatalf("applications: %d, %v", len(apps), err)
	}
	app := apps[0].ID
	var others []scenario.Score
	for _, m := range []string{"judge-b", "judge-c"} {
		others = append(others, scenario.Score{ApplicationID: app, Member: m, CriterionID: "tech", Points: 80},
			scenario.Score{ApplicationID: app, Member: m, CriterionID: "cost", Points: 70})
	}
	if err := f.store.PutScores(ctx, id, others); err != nil {
		t.Fatal(err)
	}
	run("scored", chromedp.Navigate(judge+path+"?lang=zh"), chromedp.WaitVisible(css(`#scn-score-form`)),
		chromedp.SetValue(css(fmt.Sprintf(`#score-%d-tech`, app)), "90"),
		chromedp.SetValue(css(fmt.Sprintf(`#score-%d-cost`, app)), "85"),
		chromedp.Click(css(`#scn-score-submit`)), chromedp.WaitVisible(css(`#scn-rank`)))
	// (90+80+80)/3 × 60% + (85+70+70)/3 × 40% = 50 + 30.
	if got := text(`#scn-rank`); !strings.Contains(got, "80.00") {
		t.Errorf("the ranking: %q", got)
	}

	run("selected", chromedp.Navigate(tf+path+"?lang=zh"), chromedp.WaitVisible(css(`#scn-select-form`)),
		chromedp.Click(css(`#scn-select`)), status(scenario.Piloting))
	f.db.Now = func() time.Time { return testclock.Now().AddDate(0, 0, 12) } // the planned pilot has begun
	run("first use", chromedp.SendKeys(css(`#scn-fu-evidence`), "验收报告"), chromedp.Click(css(`#scn-confirm`)), status(scenario.FirstUse))
	run("procured", chromedp.SendKeys(css(`#scn-buyer`), "市城管局"), chromedp.SendKeys(css(`#scn-amount`), "120.5"),
		chromedp.Click(css(`#scn-procure`)), status(scenario.Procured))
	if got := text(`#scn-procurements`); !strings.Contains(got, "市城管局") {
		t.Errorf("the procurements: %q", got)
	}
	x, err := f.store.FindScenarioByID(ctx, id)
	if err != nil || len(x.Procurements) != 1 || x.Procurements[0].AmountFen != 120_500_000 || x.BudgetFen == nil || *x.BudgetFen != 8_500_000 {
		t.Fatalf("stored: %+v, %v", x, err)
	}

	narrow := func(where string) {
		t.Helper()
		w, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || w > 391 {
			t.Errorf("%s is %d px wide on a 390 px screen (%v)", where, w, err)
		}
	}
	run("the public list on a phone", chromedp.EmulateViewport(390, 900), chromedp.Navigate(public+"/scenarios?lang=zh"),
		chromedp.WaitVisible(css(`#scn-list`)))
	narrow("the list")
	if got := text(`#scn-list`); !strings.Contains(got, "推广采购") {
		t.Errorf("the public list: %q", got)
	}
	run("the public page on a phone", chromedp.Navigate(public+path+"?lang=zh"), status(scenario.Procured))
	narrow("the scenario's page")
}
