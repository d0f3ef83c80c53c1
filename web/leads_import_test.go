package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
)

// leadsImportFixture is f's pages over its store guarded as serve guards
// it, with one 招商 target of the fixture's industry, and a function that
// serves them as an actor.
func leadsImportFixture(t *testing.T) (f *fixture, target *invest.Target, as func(a *chanye.Actor) http.Handler) {
	t.Helper()
	f = newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	dept := testDept
	if _, err := f.store.UpdateResponsibility(ctx, f.autoID, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	target = &invest.Target{IndustryID: f.autoID, Kind: invest.ListAttract, Name: "宁德某电池", Source: "名单"}
	if err := f.store.CreateTarget(ctx, target); err != nil {
		t.Fatal(err)
	}
	return f, target, func(a *chanye.Actor) http.Handler { return pagesAs(t, f, a) }
}

// postSheet sends the import form of /leads with the file name holding
// text (no file when name is "").
func postSheet(t *testing.T, h http.Handler, name, text string) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(text))
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/leads/import?lang=zh", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// leadSheets are a sheet of two good leads of target and one whose third
// row a district that does not exist owns, on a day to come.
func leadSheets(target int64) (good, bad string) {
	day := func(days int) string { return chanye.DateOf(testclock.Today().AddDate(0, 0, days)).String() }
	header := "招商对象编号,阶段,阶段日期,负责方类型,负责方\n"
	good = header + fmt.Sprintf("%d,考察,%s,district,440106\n%d,clue,%s,department,%s\n", target, day(-9), target, day(-1), testDept)
	bad = header + fmt.Sprintf("%d,考察,%s,district,440106\n%d,clue,%s,district,449999\n", target, day(-9), target, day(1))
	return good, bad
}

// TestLeadsImportPage: /leads offers the import form to who may import; a
// sheet with a bad row is refused whole, the page naming each problem by
// row and column; a good sheet is stored and the page says how many; a
// department may not import a district's leads; a leader none.
func TestLeadsImportPage(t *testing.T) {
	f, target, as := leadsImportFixture(t)
	admin := as(&chanye.Actor{Name: "管理员", Role: chanye.RoleAdmin})
	dept := as(&chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	leader := as(&chanye.Actor{Name: "市领导", Role: chanye.RoleLeader})
	good, bad := leadSheets(target.ID)
	stored := func() int {
		_, n, err := f.store.FindLeads(context.Background(), invest.LeadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	if _, body := getAs(t, admin, "/leads?lang=zh"); !strings.Contains(body, `id="lead-import-form"`) || !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Error("an administrator is not offered the import")
	}
	if _, body := getAs(t, leader, "/leads?lang=zh"); strings.Contains(body, `id="lead-import-form"`) {
		t.Error("a leader is offered the import")
	}
	if res, _ := postSheet(t, leader, "leads.csv", good); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader's import: %d, want 403", res.StatusCode)
	}

	res, body := postSheet(t, admin, "leads.csv", bad)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a sheet with a bad row: %d\n%.500s", res.StatusCode, body)
	}
	for _, want := range []string{`id="import-error"`, "未导入任何线索", `id="import-problems"`, "leads.csv",
		`<td data-label="行">3</td><td data-label="列"><code>负责方</code></td>`, `<td data-label="行">3</td><td data-label="列"><code>阶段日期</code></td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refusal lacks %s", want)
		}
	}
	if strings.Contains(body, `<td data-label="行">2</td>`) {
		t.Error("a good row is named")
	}
	if n := stored(); n != 0 {
		t.Errorf("a refused sheet stored %d leads", n)
	}
	for name, tc := range map[string]struct{ file, text, want string }{
		"no file":       {"", "", "请选择 CSV 或 XLSX 文件"},
		"a bad header":  {"leads.csv", "阶段,颜色\nclue,红\n", "<code>颜色</code>"},
		"a bad cell":    {"leads.csv", "target_id,stage,stage_on\nx,clue,2026-01-01\n", "<code>target_id</code>"},
		"an empty file": {"leads.csv", "", "文件为空"},
	} {
		if res, body := postSheet(t, admin, tc.file, tc.text); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, lacks %q", name, res.StatusCode, tc.want)
		}
	}

	res, body = postSheet(t, dept, "leads.csv", good)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `<td data-label="行">2</td><td data-label="列"><code>负责方</code></td>`) {
		t.Errorf("a department importing a district's lead: %d\n%.500s", res.StatusCode, body)
	}
	res, _ = postSheet(t, admin, "leads.csv", good)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/leads?imported=2#lead-import" {
		t.Fatalf("a good sheet: %d %q", res.StatusCode, loc)
	}
	if _, body := getAs(t, admin, "/leads?imported=2&lang=zh"); !strings.Contains(body, "已导入 2 条线索") || !strings.Contains(body, "宁德某电池") {
		t.Errorf("after the import the page says:\n%.500s", body)
	}
	if n := stored(); n != 2 {
		t.Errorf("%d leads stored, want 2", n)
	}
}

// TestBrowserLeadsImport: on a phone, the import form opens, a refused
// sheet lists its problems, the page passes axe-core's WCAG 2.1 AA rules
// and does not scroll sideways; a good sheet is stored.
func TestBrowserLeadsImport(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser walk runs in the full pass")
	}
	chromiumPath(t)
	axe := axeSource(t)
	_, target, as := leadsImportFixture(t)
	srv := httptest.NewServer(as(&chanye.Actor{Name: "专班", Role: chanye.RoleTaskForce, IndustryID: target.IndustryID}))
	defer srv.Close()
	good, bad := leadSheets(target.ID)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, _ := drive(t, b)
	run("a refused sheet",
		chromedp.EmulateViewport(390, 900),
		chromedp.Navigate(srv.URL+"/leads?lang=zh"),
		chromedp.Click(css(`#lead-import summary`)),
		chromedp.WaitVisible(css(`#lead-import-file`)),
		chromedp.SetUploadFiles(css(`#lead-import-file`), []string{write("bad.csv", bad)}),
		chromedp.Click(css(`#lead-import-submit`)),
		chromedp.WaitVisible(css(`#import-problems`)))
	if got := text(t, b, `#import-problems`); !strings.Contains(got, "负责方") || !strings.Contains(got, "阶段日期") {
		t.Errorf("the problems: %q", got)
	}
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatal(err)
	}
	c, err := chromedp.Run(b, chromedp.Evaluate[pageCheck](checkPageJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range c.Findings {
		t.Errorf("axe: %s (%s) at %s: %s", x.Rule, x.Impact, x.Target, x.Help)
	}
	if c.ScrollWidth > 391 || c.Unwrapped > 0 {
		t.Errorf("at 390 px the page is %d px wide (%v); %d tables unwrapped", c.ScrollWidth, c.Wide, c.Unwrapped)
	}
	run("a good sheet",
		chromedp.SetUploadFiles(css(`#lead-import-file`), []string{write("good.csv", good)}),
		chromedp.Click(css(`#lead-import-submit`)),
		chromedp.WaitVisible(css(`#import-done`)))
	if got := text(t, b, `#import-done`); got != "已导入 2 条线索。" {
		t.Errorf("after the import: %q", got)
	}
}
