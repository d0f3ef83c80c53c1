package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/scenario"
)

// postUpload posts a multipart form of fields and, when name is not "", a
// file of that name holding data under "file".
func postUpload(t *testing.T, h http.Handler, path string, fields map[string]string, name, data string) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(data))
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

// TestScenarioFilePages: an enterprise applies with a file (a text file
// called a PDF is refused, and no application is left behind), another
// applies and attaches one from its own application; each sees its own
// files only and may not attach to another's; the task force sees every
// application's files in its table and downloads them; a department of
// another industry and the public may not; after the deadline nothing
// more is attached.
func TestScenarioFilePages(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	day := func(n int) chanye.Date { return chanye.DateOf(testclock.Now().AddDate(0, 0, n)) }
	x := &scenario.Scenario{Title: "自动驾驶环卫车首试首用", Offerer: scenario.Offerer{Name: "市城管局", Kind: scenario.OffererDepartment}, IndustryID: f.autoID,
		Requirements: "在两个街道试点。", Deadline: day(5), PilotStart: day(10), PilotEnd: day(100),
		Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术", Weight: 100}}}
	if err := f.store.CreateScenario(ctx, x); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/scenarios/%d", x.ID)
	auto := pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	soft := pagesAs(t, f, &chanye.Actor{Name: "示范软件", Role: chanye.RoleEnterprise, Code: codeSoft})
	tf := pagesAs(t, f, &chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	otherDept := pagesAs(t, f, &chanye.Actor{Name: "卫健委", Role: chanye.RoleDepartment, Department: "市卫健委"})
	public := pagesAs(t, f, &chanye.Actor{Role: chanye.RolePublic})
	pdf := "%PDF-1.4\n%%EOF\n"

	if _, body := getAs(t, soft, path); !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `id="scn-apply-file"`) {
		t.Fatal("the application form takes no file")
	}
	res, body := postUpload(t, soft, path+"/applications?lang=zh", map[string]string{"solution": "调度平台"}, "方案.pdf", "<html>not a PDF</html>")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="scn-apply-file-err"`) || !strings.Contains(body, "与扩展名不符") {
		t.Fatalf("a text file called a PDF: %d", res.StatusCode)
	}
	if apps, _, _ := f.store.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &x.ID}); len(apps) != 0 {
		t.Fatalf("a refused file left an application behind: %+v", apps)
	}
	if res, _ := postUpload(t, soft, path+"/applications", map[string]string{"solution": "调度平台"}, "调度方案.pdf", pdf); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply with a file: %d", res.StatusCode)
	}
	if res, _ := postAs(t, auto, path+"/applications", map[string][]string{"solution": {"L4 环卫车"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	appOf := map[string]int64{}
	apps, _, err := f.store.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &x.ID})
	if err != nil || len(apps) != 2 {
		t.Fatalf("applications: %d %v", len(apps), err)
	}
	for _, a := range apps {
		appOf[a.Code] = a.ID
	}
	attach := func(code string) string { return fmt.Sprintf("%s/applications/%d/files", path, appOf[code]) }

	_, body = getAs(t, auto, path)
	if !strings.Contains(body, fmt.Sprintf(`id="scn-attach-%d"`, appOf[codeAuto])) || strings.Contains(body, "调度方案.pdf") {
		t.Fatal("the car maker's page: no upload form for its application, or the other's file")
	}
	res, _ = postUpload(t, auto, attach(codeAuto), nil, "检测报告.pdf", pdf)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "done=attach") {
		t.Fatalf("attach: %d %q", res.StatusCode, loc)
	}
	if res, _ := postUpload(t, auto, attach(codeAuto), nil, "", ""); res.StatusCode != http.StatusBadRequest {
		t.Errorf("attach nothing: %d", res.StatusCode)
	}
	if res, _ := postUpload(t, auto, attach(codeSoft), nil, "冒名.pdf", pdf); res.StatusCode != http.StatusNotFound {
		t.Errorf("attach to another's application: %d, want 404", res.StatusCode)
	}
	if res, _ := postUpload(t, tf, attach(codeAuto), nil, "专班.pdf", pdf); res.StatusCode != http.StatusForbidden {
		t.Errorf("the task force attaches: %d, want 403", res.StatusCode)
	}
	files := map[string]string{}
	for code, name := range map[string]string{codeAuto: "检测报告.pdf", codeSoft: "调度方案.pdf"} {
		fs, err := f.store.FindScenarioFiles(ctx, appOf[code])
		if err != nil || len(fs) != 1 || fs[0].Name != name {
			t.Fatalf("%s's files: %+v %v", code, fs, err)
		}
		files[code] = fmt.Sprintf("%s/applications/%d/files/%d", path, appOf[code], fs[0].ID)
	}
	_, body = getAs(t, auto, path)
	if !strings.Contains(body, `href="`+files[codeAuto]+`"`) || strings.Contains(body, files[codeSoft]) {
		t.Error("the car maker's page: its file linked, not the other's")
	}

	// The task force's table links every application's files.
	_, body = getAs(t, tf, path)
	if table := between(body, `id="scn-app-list"`, `</table>`); !strings.Contains(table, `href="`+files[codeAuto]+`"`) || !strings.Contains(table, `href="`+files[codeSoft]+`"`) {
		t.Errorf("the task force's table lacks the files: %s", table)
	}
	for name, tc := range map[string]struct {
		h    http.Handler
		path string
		want int
	}{
		"the applicant":                 {auto, files[codeAuto], 200},
		"the task force":                {tf, files[codeSoft], 200},
		"another enterprise":            {auto, files[codeSoft], 404},
		"a department off the industry": {otherDept, files[codeSoft], 403},
		"a file under another scenario": {tf, fmt.Sprintf("/scenarios/%d/applications/%d/files/1", x.ID+1, appOf[codeSoft]), 404},
	} {
		res, body := getAs(t, tc.h, tc.path)
		if res.StatusCode != tc.want {
			t.Errorf("%s downloads: %d, want %d", name, res.StatusCode, tc.want)
		} else if tc.want == 200 && (body != pdf || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("X-Content-Type-Options") != "nosniff") {
			t.Errorf("%s's download: %q %v", name, body, res.Header)
		}
	}
	if res, _ := getAs(t, public, files[codeSoft]); res.StatusCode == 200 {
		t.Error("the public downloads a file")
	}

	// The deadline passes: no more files; once the review starts the
	// form is gone (the pages' clock stays, the store's moves).
	f.db.Now = func() time.Time { return testclock.Now().AddDate(0, 0, 6) }
	t.Cleanup(func() { f.db.Now = testclock.Now })
	if res, body := postUpload(t, auto, attach(codeAuto), nil, "迟到.pdf", pdf); res.StatusCode != http.StatusConflict || !strings.Contains(body, `id="scn-error"`) {
		t.Errorf("attach after the deadline: %d", res.StatusCode)
	}
	if _, err := f.store.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActStartReview}); err != nil {
		t.Fatal(err)
	}
	if _, body := getAs(t, auto, path); strings.Contains(body, `id="scn-attach-`) || !strings.Contains(body, `href="`+files[codeAuto]+`"`) {
		t.Error("in review: an upload form, or the file no longer linked")
	}
}
