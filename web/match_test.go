package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/match"
	"github.com/chromedp/chromedp"
)

// spaceWords cuts texts at spaces: matching without the dictionary.
type spaceWords struct{}

func (spaceWords) Words(text string) []string { return strings.Fields(text) }

// idFrom reads the id of the record a form redirected to under prefix.
func idFrom(t *testing.T, res *http.Response, prefix string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(res.Header.Get("Location"), prefix+"%d?", &id); err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%d to %q: %v", res.StatusCode, res.Header.Get("Location"), err)
	}
	return id
}

// proposeAutoSoft lists the demo software firm's battery cells and the
// car maker's need of them, runs matching and returns their one match.
func proposeAutoSoft(t *testing.T, f *fixture) *match.Match {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	if err := f.store.CreateSupply(ctx, &match.Supply{Code: codeSoft, Products: "动力电池 电芯", LinkID: "icv-nev.battery.cell", Classes: []string{"3841"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateDemand(ctx, &match.Demand{Code: codeAuto, Needs: "采购 电芯", LinkID: "icv-nev.vehicle", Classes: []string{"3841"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ProposeMatches(ctx, spaceWords{}); err != nil {
		t.Fatal(err)
	}
	ms, _, err := f.store.FindMatches(ctx, match.MatchFilter{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches: %d %v", len(ms), err)
	}
	return ms[0]
}

// TestMatchPages walks matchmaking through the pages, each step by the
// role that takes it: a supplier posts its supply (a refused form names
// its fields and keeps what was typed) and a buyer its demand, each
// seeing its own; the task force runs matching; the buyer reads the
// match's reasons and, now matched, the supply; both sides accept, the
// task force negotiates and records the contract in 万元 (a bad amount is
// refused next to its field); an enterprise may not run matching.
func TestMatchPages(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	tf := pagesAs(t, f, &chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	buyer := pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	supplier := pagesAs(t, f, &chanye.Actor{Name: "示范软件", Role: chanye.RoleEnterprise, Code: codeSoft})
	public := pagesAs(t, f, &chanye.Actor{Role: chanye.RolePublic})

	res, body := getAs(t, supplier, "/supplies")
	if res.StatusCode != 200 || !strings.Contains(body, `id="mm-post-form"`) || strings.Contains(body, `id="l-code"`) ||
		!strings.Contains(body, `value="icv-nev.battery.cell"`) || !strings.Contains(body, `id="nav-match"`) {
		t.Fatalf("the supplier's list: %d, lacks the form or its link choices, or asks for a code", res.StatusCode)
	}
	bad := url.Values{"text": {""}, "link_id": {"icv-nev.battery.cell"}, "classes": {"38A1"}, "amount": {"年产 10 万套"}}
	res, body = postAs(t, supplier, "/supplies", bad)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad supply: %d, want 400", res.StatusCode)
	}
	for _, want := range []string{`id="l-text-err"`, `id="l-classes-err"`, `value="38A1"`, `value="年产 10 万套"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused supply lacks %s", want)
		}
	}
	res, _ = postAs(t, supplier, "/supplies", url.Values{"text": {"动力电池 电芯"}, "link_id": {"icv-nev.battery.cell"}, "classes": {"3841"},
		"amount": {"年产 10 万套"}, "certifications": {"IATF 16949, ISO 9001"}})
	sid := idFrom(t, res, "/supplies/")
	sup, err := f.store.FindSupplyByID(ctx, sid)
	if err != nil || sup.Code != codeSoft || len(sup.Certifications) != 2 || sup.Status != match.Open {
		t.Fatalf("stored supply: %+v %v", sup, err)
	}
	res, _ = postAs(t, buyer, "/demands", url.Values{"text": {"采购 电芯"}, "link_id": {"icv-nev.vehicle"}, "classes": {"3841"},
		"needed_by": {chanye.DateOf(testclock.Now().AddDate(0, 2, 0)).String()}})
	did := idFrom(t, res, "/demands/")
	_, body = getAs(t, buyer, "/demands")
	if !strings.Contains(body, fmt.Sprintf(`href="/demands/%d"`, did)) || !strings.Contains(body, "我的需求") {
		t.Errorf("the buyer's own demands lack its demand")
	}
	if res, _ := getAs(t, buyer, fmt.Sprintf("/supplies/%d", sid)); res.StatusCode != http.StatusNotFound {
		t.Errorf("the buyer reads a supply it is not matched with: %d", res.StatusCode)
	}
	if res, _ := getAs(t, public, "/supplies"); res.StatusCode != http.StatusFound {
		t.Errorf("the public's supplies: %d, want the sign-in", res.StatusCode)
	}

	// Matching: the officials', not a firm's.
	if res, _ := postAs(t, buyer, "/matches/run", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a firm runs matching: %d", res.StatusCode)
	}
	res, _ = postAs(t, tf, "/matches/run", url.Values{})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "added=1") {
		t.Fatalf("the task force runs matching: %d %q", res.StatusCode, loc)
	}
	ms, _, err := f.store.FindMatches(ctx, match.MatchFilter{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches: %d %v", len(ms), err)
	}
	path := fmt.Sprintf("/matches/%d", ms[0].ID)
	_, body = getAs(t, tf, "/matches?done=run&proposed=1&added=1&industry="+f.autoID)
	if !strings.Contains(body, `id="mm-metrics"`) || !strings.Contains(body, `href="`+path+`"`) || !strings.Contains(body, "新增 1 条") {
		t.Errorf("the officials' matches lack the chain's figures, the match or the run's result")
	}
	_, body = getAs(t, buyer, path)
	for _, want := range []string{`id="mm-accept-form"`, `id="mm-decline-form"`, `id="mm-reasons"`, "电芯", "动力电池 电芯"} {
		if !strings.Contains(body, want) {
			t.Errorf("the buyer's match page lacks %s", want)
		}
	}
	if strings.Contains(body, `id="mm-sign-form"`) {
		t.Error("a proposed match offers the contract")
	}
	if res, _ := getAs(t, buyer, fmt.Sprintf("/supplies/%d", sid)); res.StatusCode != 200 {
		t.Errorf("the buyer reads the supply it is matched with: %d", res.StatusCode)
	}

	step := func(h http.Handler, form url.Values, want int) string {
		t.Helper()
		res, body := postAs(t, h, path+"/steps", form)
		if res.StatusCode != want {
			t.Fatalf("%v: %d, want %d\n%s", form, res.StatusCode, want, body)
		}
		return body
	}
	step(buyer, url.Values{"action": {"accept"}}, http.StatusSeeOther)
	step(buyer, url.Values{"action": {"accept"}}, http.StatusConflict)
	step(supplier, url.Values{"action": {"accept"}}, http.StatusSeeOther)
	step(tf, url.Values{"action": {"negotiate"}}, http.StatusSeeOther)
	body = step(tf, url.Values{"action": {"sign"}, "amount": {"12.3456789"}}, http.StatusBadRequest)
	if !strings.Contains(body, `id="mm-amount-err"`) || !strings.Contains(body, `value="12.3456789"`) {
		t.Error("the refused contract lacks its field's error or what was typed")
	}
	step(tf, url.Values{"action": {"sign"}, "amount": {"12.5"}, "signed_on": {chanye.DateOf(testclock.Now()).String()}}, http.StatusSeeOther)
	m, err := f.store.FindMatchByID(ctx, ms[0].ID)
	if err != nil || m.Status != match.Signed || m.ContractFen != 12_500_000 || len(m.Events) != 4 {
		t.Fatalf("the signed match: %+v %v", m, err)
	}
	_, body = getAs(t, supplier, path)
	if !strings.Contains(body, `id="mm-contract"`) || !strings.Contains(body, `data-status="signed"`) || !strings.Contains(body, `id="mm-history"`) {
		t.Error("the supplier's page of the signed match lacks the contract or the history")
	}
	_, body = getAs(t, supplier, "/matches?side=supplier&lang=en")
	if !strings.Contains(body, "My matches") || !strings.Contains(body, `href="`+path+`"`) {
		t.Error("the supplier's matches as the supplier, in English")
	}

	// The supplier closes its supply from its page; a bad status is refused.
	spath := fmt.Sprintf("/supplies/%d", sid)
	edit := url.Values{"text": {"动力电池 电芯"}, "link_id": {"icv-nev.battery.cell"}, "classes": {"3841"}, "status": {"sold"}}
	if res, body := postAs(t, supplier, spath, edit); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="l-status-err"`) {
		t.Errorf("a bad status: %d", res.StatusCode)
	}
	edit.Set("status", "closed")
	if res, _ := postAs(t, buyer, spath, edit); res.StatusCode != http.StatusNotFound {
		t.Errorf("the buyer edits the supplier's supply: %d", res.StatusCode)
	}
	if res, _ := postAs(t, supplier, spath, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the supplier closes its supply: %d", res.StatusCode)
	}
	if x, _ := f.store.FindSupplyByID(ctx, sid); x.Status != match.Closed {
		t.Errorf("the supply is %s", x.Status)
	}
}

// TestFairPages runs a fair through the pages: the task force plans it (a
// refused plan names its fields), registers a firm and the other firm
// registers itself, the buyer asks for a meeting from its match, the task
// force schedules, moves the meeting (a table the fair has not is
// refused), checks the firms in and records the outcome; the report
// counts it and downloads as XLSX; the public sees the fair but not who
// comes.
func TestFairPages(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	tf := pagesAs(t, f, &chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	buyer := pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	public := pagesAs(t, f, &chanye.Actor{Role: chanye.RolePublic})
	ms := []*match.Match{proposeAutoSoft(t, f)}

	_, body := getAs(t, tf, "/fairs")
	if !strings.Contains(body, `id="mm-fair-form"`) || !strings.Contains(body, `<option value="`+f.autoID+`"`) {
		t.Fatal("the task force's list lacks the form or its industry")
	}
	if _, body := getAs(t, buyer, "/fairs"); strings.Contains(body, `id="mm-fair-form"`) {
		t.Error("an enterprise is offered the plan of a fair")
	}
	day := chanye.DateOf(testclock.Now().AddDate(0, 0, 7)).String()
	plan := url.Values{"title": {"新能源汽车供需对接会"}, "industry_id": {f.autoID}, "date": {day}, "venue": {"琶洲"},
		"tables": {"二"}, "slot_minutes": {"30"}, "start": {"12:00"}, "end": {"09:00"}}
	res, body := postAs(t, tf, "/fairs", plan)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-tables-err"`) || !strings.Contains(body, `value="新能源汽车供需对接会"`) {
		t.Fatalf("a bad plan: %d, lacks the tables' error or the title typed", res.StatusCode)
	}
	plan.Set("tables", "2")
	plan.Set("start", "09:00")
	plan.Set("end", "10:30")
	res, _ = postAs(t, tf, "/fairs", plan)
	id := idFrom(t, res, "/fairs/")
	path := fmt.Sprintf("/fairs/%d", id)

	do := func(h http.Handler, to string, form url.Values, want int) string {
		t.Helper()
		res, body := postAs(t, h, path+to, form)
		if res.StatusCode != want {
			t.Fatalf("%s %v: %d, want %d\n%s", to, form, res.StatusCode, want, body)
		}
		return body
	}
	do(tf, "/registrations", url.Values{"code": {codeSoft}, "role": {"supplier"}}, http.StatusSeeOther)
	do(buyer, "/registrations", url.Values{"code": {codeSoft}, "role": {"buyer"}}, http.StatusSeeOther) // registers itself whatever the code
	do(buyer, "/registrations", url.Values{"role": {"buyer"}, "attended": {"1"}}, http.StatusForbidden)
	do(buyer, "/requests", url.Values{"match_id": {fmt.Sprint(ms[0].ID)}}, http.StatusSeeOther)
	do(buyer, "/requests", url.Values{"match_id": {fmt.Sprint(ms[0].ID)}}, http.StatusConflict)
	_, body = getAs(t, buyer, path)
	if !strings.Contains(body, `id="fair-reg-list"`) || !strings.Contains(body, "待排期") || strings.Contains(body, `id="fair-schedule"`) {
		t.Error("the buyer's fair: its registration, its request waiting, and no schedule button")
	}
	do(tf, "/schedule", url.Values{}, http.StatusSeeOther)
	tt, err := f.store.FindTimetable(ctx, id)
	if err != nil || len(tt.Meetings) != 1 || tt.Meetings[0].Slot != 0 {
		t.Fatalf("timetable: %+v %v", tt, err)
	}
	mid := tt.Meetings[0].ID
	body = do(tf, fmt.Sprintf("/meetings/%d/move", mid), url.Values{"slot": {"2"}, "table": {"3"}}, http.StatusBadRequest)
	if !strings.Contains(body, `id="mm-error"`) || !strings.Contains(body, "<code>table</code>") {
		t.Error("a move to a table the fair has not is refused without naming the table")
	}
	do(tf, fmt.Sprintf("/meetings/%d/move", mid), url.Values{"slot": {"2"}, "table": {"2"}}, http.StatusSeeOther)
	_, body = getAs(t, buyer, path)
	if !strings.Contains(body, `data-slot="2" data-table="2"`) || !strings.Contains(body, "10:00–10:30") || strings.Contains(body, `id="fair-outcome-`) {
		t.Error("the buyer's timetable: its meeting moved, no outcome form")
	}
	do(tf, "/registrations", url.Values{"code": {codeAuto}, "role": {"buyer"}, "attended": {"1"}}, http.StatusSeeOther)
	do(tf, fmt.Sprintf("/meetings/%d", mid), url.Values{"outcome": {"no_show"}, "intention": {"1"}}, http.StatusBadRequest)
	do(tf, fmt.Sprintf("/meetings/%d", mid), url.Values{"outcome": {"held"}, "intention": {"1"}, "amount": {"30"}}, http.StatusSeeOther)
	_, body = getAs(t, tf, path)
	for _, want := range []string{`id="fair-report-contracts">1 ·`, `id="fair-report-intentions">1<`, `href="` + path + `/report.xlsx"`, `data-outcome="held"`, "已到场", "disabled"} {
		if !strings.Contains(body, want) {
			t.Errorf("the task force's fair lacks %s", want)
		}
	}
	res, _ = getAs(t, tf, path+"/report.xlsx")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("the report's workbook: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := getAs(t, buyer, path+"/report.xlsx"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise downloads the report: %d", res.StatusCode)
	}
	res, body = getAs(t, public, path)
	if res.StatusCode != 200 || !strings.Contains(body, `id="mm-fair-public"`) || strings.Contains(body, codeSoft) || !strings.Contains(body, `id="nav-fairs"`) {
		t.Errorf("the public's fair: %d, shows who registered or lacks its note", res.StatusCode)
	}
}

// TestBrowserMatchmaking drives matchmaking in Chromium, each step by its
// role: the supplier posts its supply from the form, the task force runs
// matching, both sides accept, the task force negotiates and records the
// contract; then it plans a fair, the supplier registers itself and the
// task force registers the buyer, the buyer asks to meet from its match,
// the task force schedules and the buyer sees its meeting on a phone; the
// task force records the meeting's outcome and the report counts it.
func TestBrowserMatchmaking(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	if err := f.store.CreateDemand(ctx, &match.Demand{Code: codeAuto, Needs: "采购 电芯", LinkID: "icv-nev.vehicle", Classes: []string{"3841"}}); err != nil {
		t.Fatal(err)
	}
	serve := func(a *chanye.Actor) string {
		srv := httptest.NewServer(pagesAs(t, f, a))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tf := serve(&chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	buyer := serve(&chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	supplier := serve(&chanye.Actor{Name: "示范软件", Role: chanye.RoleEnterprise, Code: codeSoft})
	b := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, text := drive(t, b)
	status := func(st match.MatchStatus) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(css(`#mm-status[data-status="` + string(st) + `"]`))
	}

	run("the supply posted", chromedp.Navigate(supplier+"/supplies?lang=zh"), chromedp.WaitVisible(css(`#mm-post-form`)),
		chromedp.SendKeys(css(`#l-text`), "动力电池 电芯"),
		chromedp.SetValue(css(`#l-link`), "icv-nev.battery.cell"),
		chromedp.SendKeys(css(`#l-classes`), "3841"),
		chromedp.SendKeys(css(`#l-certs`), "IATF 16949"),
		chromedp.Click(css(`#mm-post-submit`)), chromedp.WaitVisible(css(`#done`)))
	run("matching", chromedp.Navigate(tf+"/matches?lang=zh"), chromedp.Click(css(`#mm-run`)), chromedp.WaitVisible(css(`#mm-match-list`)))
	if got := text(`#done`); !strings.Contains(got, "新增 1 条") {
		t.Errorf("the run: %q", got)
	}
	ms, _, err := f.store.FindMatches(ctx, match.MatchFilter{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches: %d %v", len(ms), err)
	}
	path := fmt.Sprintf("/matches/%d", ms[0].ID)
	run("the buyer accepts", chromedp.Navigate(buyer+path+"?lang=zh"), chromedp.WaitVisible(css(`#mm-reasons`)),
		chromedp.Click(css(`#mm-accept`)), chromedp.WaitVisible(css(`#done`)), status(match.Proposed))
	run("the supplier accepts", chromedp.Navigate(supplier+path+"?lang=zh"), chromedp.Click(css(`#mm-accept`)), status(match.Accepted))
	run("negotiating", chromedp.Navigate(tf+path+"?lang=zh"), chromedp.Click(css(`#mm-negotiate`)), status(match.Negotiating))
	run("signed", chromedp.SendKeys(css(`#mm-amount`), "88.8"), chromedp.Click(css(`#mm-sign`)), status(match.Signed))
	if got := text(`#mm-contract`); !strings.Contains(got, "88.8 万元") {
		t.Errorf("the contract: %q", got)
	}

	day := chanye.DateOf(testclock.Now().AddDate(0, 0, 7)).String()
	run("the fair planned", chromedp.Navigate(tf+"/fairs?lang=zh"), chromedp.WaitVisible(css(`#mm-fair-form`)),
		chromedp.SendKeys(css(`#f-title`), "新能源汽车供需对接会"),
		chromedp.SetValue(css(`#f-industry`), f.autoID),
		chromedp.SetValue(css(`#f-date`), day),
		chromedp.SendKeys(css(`#f-venue`), "琶洲"),
		chromedp.SetValue(css(`#f-tables`), "2"),
		chromedp.Click(css(`#mm-fair-submit`)), chromedp.WaitVisible(css(`#fair-schedule-form`)))
	fair, err := chromedp.Run(b, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	run("the supplier registers", chromedp.Navigate(supplier+fair+"?lang=zh"), chromedp.SetValue(css(`#fr-role`), "supplier"),
		chromedp.Click(css(`#fair-register`)), chromedp.WaitVisible(css(`#fair-reg-list`)))
	run("the buyer registered", chromedp.Navigate(tf+fair+"?lang=zh"), chromedp.SendKeys(css(`#fr-code`), codeAuto),
		chromedp.SetValue(css(`#fr-role`), "buyer"), chromedp.Click(css(`#fair-register`)), chromedp.WaitVisible(css(`#done`)))
	run("the meeting asked for", chromedp.Navigate(buyer+fair+"?lang=zh"), chromedp.SetValue(css(`#fq-match`), fmt.Sprint(ms[0].ID)),
		chromedp.Click(css(`#fair-request`)), chromedp.WaitVisible(css(`#fair-req-list`)))
	run("scheduled", chromedp.Navigate(tf+fair+"?lang=zh"), chromedp.Click(css(`#fair-schedule`)), chromedp.WaitVisible(css(`#fair-tt`)))
	if got := text(`#fair-req-list`); !strings.Contains(got, "已排入") {
		t.Errorf("the requests after scheduling: %q", got)
	}
	run("the buyer's meeting on a phone", chromedp.EmulateViewport(390, 900), chromedp.Navigate(buyer+fair+"?lang=zh"), chromedp.WaitVisible(css(`#fair-tt`)))
	if got := text(`#fair-tt`); !strings.Contains(got, "09:00–09:30") || !strings.Contains(got, "广州示范软件科技有限公司") {
		t.Errorf("the buyer's timetable: %q", got)
	}
	if w, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || w > 391 {
		t.Errorf("the buyer's fair is %d px wide on a 390 px screen (%v)", w, err)
	}
	var fairID int64
	if _, err := fmt.Sscanf(fair, "/fairs/%d", &fairID); err != nil {
		t.Fatal(err)
	}
	tt, err := f.store.FindTimetable(ctx, fairID)
	if err != nil || len(tt.Meetings) != 1 {
		t.Fatalf("timetable: %+v %v", tt, err)
	}
	mid := tt.Meetings[0].ID
	run("the outcome", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(tf+fair+"?lang=zh"),
		chromedp.SetValue(css(fmt.Sprintf(`#fo-%d`, mid)), "held"),
		chromedp.Click(css(fmt.Sprintf(`#fair-outcome-%d input[name=intention]`, mid))),
		chromedp.SendKeys(css(fmt.Sprintf(`#fa-%d`, mid)), "50"),
		chromedp.Click(css(fmt.Sprintf(`#fair-outcome-submit-%d`, mid))), chromedp.WaitVisible(css(`#done`)))
	if got := text(`#fair-report`); !strings.Contains(got, "50 万元") || !strings.Contains(text(`#fair-report-intentions`), "1") {
		t.Errorf("the report: %q", got)
	}
}
