package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
)

var evidencePDF = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

// postFile sends a multipart form with a file to path through h.
func postFile(t *testing.T, h http.Handler, path string, fields map[string]string, file string, data []byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != "" {
		fw, err := mw.CreateFormFile("evidence", file)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// guardedAs serves the pages over f's store through the services as serve
// guards them, as actor a.
func guardedAs(t *testing.T, f *fixture, a *chanye.Actor) http.Handler {
	t.Helper()
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: authz.Catalog(f.store), Enterprises: authz.Enterprises(f.store, testclock.Now),
		Policies: authz.Policies(f.store.PolicyServices()), Engine: authz.Engine(eng, f.store), Version: "v-test",
		Projects: authz.Projects(f.store, f.store), Closures: authz.Closures(f.store, f.store, f.store),
		Supervisions: authz.Supervisions(f.store, f.store, f.store)})
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), a)))
	})
}

func getAs(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func postAs(t *testing.T, h http.Handler, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// 销号 on the project page: the form for those who may close, refused
// without evidence, then the warning closed, the project green, the
// closure in the history with its file.
func TestCloseWarningPage(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	dept := guardedAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	owner := guardedAs(t, f, &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: codeAuto})

	_, body := getAs(t, dept, "/projects/GZ-0001")
	if !strings.Contains(body, `id="close-form-start_late_red"`) || !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Fatal("the department is not offered the 销号 form")
	}
	_, body = getAs(t, owner, "/projects/GZ-0001")
	if strings.Contains(body, `id="close-form-`) || strings.Contains(body, `id="sup-form"`) {
		t.Error("the owner is offered 销号 or 督办")
	}
	res, _ := postFile(t, owner, "/projects/GZ-0001/closures", map[string]string{"rule_id": "start_late_red", "note": "x"}, "a.pdf", evidencePDF)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("owner closing: %d, want 403", res.StatusCode)
	}

	res, body = postFile(t, dept, "/projects/GZ-0001/closures", map[string]string{"rule_id": "start_late_red", "note": "已核实"}, "", nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "须附证明材料") {
		t.Fatalf("without evidence: %d\n%.300s", res.StatusCode, body)
	}
	res, body = postFile(t, dept, "/projects/GZ-0001/closures", map[string]string{"rule_id": "start_late_red", "note": "已核实"}, "a.png", evidencePDF)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "与扩展名不符") {
		t.Fatalf("a PDF named .png: %d", res.StatusCode)
	}
	res, _ = postFile(t, dept, "/projects/GZ-0001/closures", map[string]string{"rule_id": "start_late_red", "note": "已现场核实，开工手续在办"}, "核查.pdf", evidencePDF)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/projects/GZ-0001#closures" {
		t.Fatalf("closing: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = postFile(t, dept, "/projects/GZ-0001/closures", map[string]string{"rule_id": "start_late_red", "note": "再次"}, "b.pdf", evidencePDF)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("closing twice: %d, want 409", res.StatusCode)
	}

	_, body = getAs(t, owner, "/projects/GZ-0001")
	for _, w := range []string{`id="closed-start_late_red"`, "已现场核实，开工手续在办", "核查.pdf", `id="closure-1"`} {
		if !strings.Contains(body, w) {
			t.Errorf("project page lacks %q", w)
		}
	}
	res, file := getAs(t, owner, "/projects/GZ-0001/closures/1/file")
	if res.StatusCode != 200 || file != string(evidencePDF) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("evidence download: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	other := guardedAs(t, f, &chanye.Actor{Name: "别家", Role: chanye.RoleEnterprise, Code: codeSoft})
	if res, _ := getAs(t, other, "/projects/GZ-0001/closures/1/file"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another enterprise's download: %d, want 404", res.StatusCode)
	}
	// Every red warning closed this month: the project no longer counts red.
	ws, err := f.store.FindWarnings(context.Background(), project.ProjectFilter{IDs: []string{"GZ-0001"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Closed == nil {
			if res, _ := postFile(t, dept, "/projects/GZ-0001/closures", map[string]string{"rule_id": w.RuleID, "note": "已核实"}, "c.pdf", evidencePDF); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("closing %s: %d", w.RuleID, res.StatusCode)
			}
		}
	}
	_, body = getAs(t, dept, "/projects?colour=red")
	if strings.Contains(body, "GZ-0001") {
		t.Error("the closed project is still listed red")
	}
	_, body = getAs(t, dept, "/warnings")
	if strings.Contains(body, `data-rule="start_late_red"`) || !strings.Contains(body, fmt.Sprintf("本月已销号 %d 条", len(ws))) {
		t.Error("the board still lists the closed warning, or does not count it")
	}
}

// 督办: the department issues (a due date in the past refused beside the
// field), the owner answers, the department sends it back and closes it;
// /supervision lists it for both, overdue first.
func TestSupervisionPages(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	dept := guardedAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	owner := guardedAs(t, f, &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: codeAuto})
	tf := guardedAs(t, f, &chanye.Actor{Name: "专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	today := chanye.DateOf(testclock.Now())

	res, body := postAs(t, dept, "/projects/GZ-0001/supervisions", url.Values{"addressee": {"owner"}, "instruction": {"请尽快开工"},
		"due_on": {chanye.DateOf(today.AddDate(0, 0, -1)).String()}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="sup-due-err"`) || !strings.Contains(body, "请尽快开工") {
		t.Fatalf("due yesterday: %d", res.StatusCode)
	}
	res, _ = postAs(t, owner, "/projects/GZ-0001/supervisions", url.Values{"addressee": {"owner"}, "instruction": {"x"}, "due_on": {today.String()}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("the owner issuing: %d, want 403", res.StatusCode)
	}
	res, _ = postAs(t, dept, "/projects/GZ-0001/supervisions", url.Values{"addressee": {"owner"}, "instruction": {"请尽快开工"},
		"due_on": {chanye.DateOf(today.AddDate(0, 0, 10)).String()}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issuing: %d", res.StatusCode)
	}

	_, body = getAs(t, owner, "/supervision")
	if !strings.Contains(body, `id="sup-1"`) || !strings.Contains(body, `value="answer"`) || strings.Contains(body, `value="close"`) {
		t.Fatalf("the owner's list lacks the item or offers the wrong steps\n%.2000s", body)
	}
	// The task force is not the addressee: it reads, cannot answer.
	_, body = getAs(t, tf, "/supervision")
	if !strings.Contains(body, `id="sup-1"`) || strings.Contains(body, `value="answer"`) {
		t.Error("the task force's list")
	}
	if res, _ := postAs(t, tf, "/supervision/1", url.Values{"action": {"answer"}, "note": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the task force answering: %d, want 403", res.StatusCode)
	}
	if res, body := postAs(t, owner, "/supervision/1", url.Values{"action": {"answer"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="sup-error"`) {
		t.Errorf("an empty answer: %d", res.StatusCode)
	}
	for _, st := range []struct {
		h      http.Handler
		action string
	}{{owner, "answer"}, {dept, "return"}, {owner, "answer"}, {dept, "close"}} {
		res, _ := postAs(t, st.h, "/supervision/1", url.Values{"action": {st.action}, "note": {"第 " + st.action}, "back": {"subject"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/projects/GZ-0001#supervision" {
			t.Fatalf("%s: %d %q", st.action, res.StatusCode, res.Header.Get("Location"))
		}
	}
	_, body = getAs(t, dept, "/projects/GZ-0001")
	if !strings.Contains(body, `data-status="closed"`) || strings.Count(body, "第 answer") < 1 || !strings.Contains(body, "第 return") {
		t.Error("the project page lacks the closed item and its history")
	}
	_, body = getAs(t, dept, "/supervision")
	if strings.Contains(body, `id="sup-1"`) {
		t.Error("a closed item is listed among the open ones")
	}
	_, body = getAs(t, dept, "/supervision?status=all")
	if !strings.Contains(body, `id="sup-1"`) {
		t.Error("status=all lacks the closed item")
	}

	// Overdue: an item due today, read tomorrow, comes first, marked.
	ctx := chanye.WithActor(context.Background(), &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	if _, err := f.store.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ-0002", Addressee: project.ToOwner, Instruction: "later", DueOn: chanye.DateOf(today.AddDate(0, 1, 0))}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ-0001", Addressee: project.ToOwner, Instruction: "due today", DueOn: today}); err != nil {
		t.Fatal(err)
	}
	list, _, err := f.store.FindSupervisions(ctx, project.SupervisionFilter{Open: true})
	if err != nil || len(list) != 2 || list[0].Instruction != "due today" {
		t.Fatalf("open items = %+v, %v", list, err)
	}
}

// The meeting page is report.Build's meeting, with the workbook's link;
// the workbook downloads; the district summary is headed 区.
func TestMeetingReportAndExports(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	_, body := f.get(t, "/projects/report?month="+reportMonth, "")
	for _, w := range []string{`href="/projects/report.xlsx?month=` + reportMonth + `"`, `<th scope="col">区</th>`, `<th scope="col">产业</th>`} {
		if !strings.Contains(body, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	res, xlsx := f.get(t, "/projects/report.xlsx?month="+reportMonth, "")
	if res.StatusCode != 200 || !strings.HasPrefix(xlsx, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), "meeting-"+reportMonth+".xlsx") {
		t.Errorf("workbook: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	if res, _ := f.get(t, "/projects/report.xlsx?month=2025-13", ""); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad month: %d", res.StatusCode)
	}

	_, body = f.get(t, "/enterprises?district=440112", "")
	if !strings.Contains(body, `href="/exports/enterprises.csv?district=440112"`) {
		t.Error("the registry list does not link its export with its filter")
	}
	res, csv := f.get(t, "/exports/enterprises.csv?district=440112", "")
	if res.StatusCode != 200 || !strings.Contains(csv, codeAuto) || strings.Contains(csv, codeSoft) || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("enterprises export: %d\n%s", res.StatusCode, csv)
	}
	res, csv = f.get(t, "/exports/projects.csv?stage=signed", "")
	if res.StatusCode != 200 || !strings.Contains(csv, "GZ-0001") || strings.Contains(csv, "GZ-0002") {
		t.Errorf("projects export: %d\n%s", res.StatusCode, csv)
	}
	if res, _ := f.get(t, "/exports/decisions.csv", ""); res.StatusCode != http.StatusBadRequest {
		t.Errorf("decisions export without run: %d, want 400", res.StatusCode)
	}
	// An enterprise exports only itself.
	owner := guardedAs(t, f, &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: codeSoft})
	res, csv = getAs(t, owner, "/exports/enterprises.csv")
	if res.StatusCode == 200 && strings.Contains(csv, codeAuto) {
		t.Errorf("an enterprise exported another: %s", csv)
	}
}

// On a phone (390 px), the project page with its 销号 and 督办 forms, the
// supervision list, the warning board and the meeting report do not scroll
// sideways: wide tables scroll in their own wrappers. The 销号 form opens
// with its file input.
func TestBrowserRoutine(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	addProjects(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	if _, err := f.store.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ-0001", Addressee: project.ToOwner,
		Instruction: "请于两周内报送开工计划，并说明用地指标落实情况", DueOn: chanye.DateOf(testclock.Now().AddDate(0, 0, 14))}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	b := newBrowser(t)
	for _, u := range []struct{ path, sel string }{
		{"/projects/GZ-0001?lang=zh", `#supervision`}, {"/supervision?lang=zh", `#sup-1`},
		{"/warnings?lang=zh", `#board`}, {"/projects/report?month=" + reportMonth + "&lang=zh", `#rep-district`},
	} {
		if err := chromedp.Do(b, chromedp.EmulateViewport(390, 844), chromedp.Navigate(srv.URL+u.path), chromedp.WaitVisible(chromedp.CSS(u.sel))); err != nil {
			t.Fatalf("%s: %v", u.path, err)
		}
		wide, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || wide > 390 {
			culprits, _ := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap')).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))`))
			t.Errorf("%s is %d px wide at 390 px (%v); widest: %v", u.path, wide, err, culprits)
		}
	}
	if err := chromedp.Do(b, chromedp.Navigate(srv.URL+"/projects/GZ-0001?lang=zh"),
		chromedp.Click(chromedp.CSS(`tr[data-rule="start_late_red"] details summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#close-form-start_late_red input[type="file"]`)),
	); err != nil {
		t.Errorf("the 销号 form does not open: %v", err)
	}
}
