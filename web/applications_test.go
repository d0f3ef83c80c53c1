package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chromedp/chromedp"
)

// TestBrowserApplication: the enterprise finds the technical-retrofit
// policy on its policies page, fills in the figures in 万元 and 元 (a
// value with too many decimals is refused beside its field), attaches a
// PDF and submits; the department finds it in its queue, cannot return it
// without a reason, returns it with one; the enterprise sees the reason and
// resubmits; the department accepts; the timeline shows every step, the
// file downloads for the department, and the enterprise's application page
// fits a phone.
func TestBrowserApplication(t *testing.T) {
	chromiumPath(t)
	f := newLCFixture(t)
	code := f.leftOut
	firm := httptest.NewServer(f.as(&chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: code}))
	defer firm.Close()
	dept := httptest.NewServer(f.as(&chanye.Actor{Name: "工信局审核员", Role: chanye.RoleDepartment, Department: "市工业和信息化局"}))
	defer dept.Close()
	pdf := filepath.Join(t.TempDir(), "竣工验收报告.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, _ := drive(t, ctx)

	run("the enterprise opens the form",
		chromedp.Navigate(firm.URL+"/enterprises/"+code+"/policies?lang=zh"),
		chromedp.WaitVisible(css(`#app-offers`)),
		chromedp.Click(css(`#app-offers a[data-apply]`)),
		chromedp.WaitVisible(css(`#app-form`)),
		chromedp.SendKeys(css(`#f-equipment_investment`), "1.001"),
		chromedp.Click(css(`#app-save`)),
		chromedp.WaitVisible(css(`.field-err-input`)),
	)
	if got := text(t, ctx, `.field-err-input`); !strings.Contains(got, "设备投资额") {
		t.Errorf("the error does not name the field: %q", got)
	}
	run("the enterprise saves in 万元",
		chromedp.SetValue(css(`#f-equipment_investment`), "12345.678901"),
		chromedp.SetValue(css(`#f-equipment_investment-unit`), "wan"),
		chromedp.SetValue(css(`#f-plant_investment`), "0"),
		chromedp.SetValue(css(`#f-finished_on`), "2025-06-30"),
		chromedp.Click(css(`#app-save`)),
		chromedp.WaitVisible(css(`#done`)),
		chromedp.SetUploadFiles(css(`#app-file`), []string{pdf}),
		chromedp.Click(css(`#app-upload-submit`)),
		chromedp.WaitVisible(css(`#app-files`)),
		chromedp.Click(css(`#app-submit`)),
		chromedp.WaitVisible(css(`#app-due`)),
	)
	if got := text(t, ctx, `#app-values`); !strings.Contains(got, "12,345.678901 万元") || !strings.Contains(got, "2025-06-30") {
		t.Errorf("submitted values: %q", got)
	}
	if got := text(t, ctx, `#app-status`); got != "审核中" {
		t.Errorf("status %q, want 审核中", got)
	}

	const reason = "请补充设备购置发票"
	run("the department returns it",
		chromedp.Navigate(dept.URL+"/applications?lang=zh"),
		chromedp.WaitVisible(css(`#applications`)),
		chromedp.Click(css(`#applications a`)),
		chromedp.WaitVisible(css(`#review-form`)),
		chromedp.Click(css(`#app-return`)),
		chromedp.WaitVisible(css(`#reason-error`)),
		chromedp.SendKeys(css(`#review-reason`), reason),
		chromedp.Click(css(`#app-return`)),
		chromedp.WaitVisible(css(`#done`)),
	)
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#app-files a').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	appURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}

	run("the enterprise sees the reason and resubmits",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(firm.URL+appURL+"?lang=zh"),
		chromedp.WaitVisible(css(`#app-reason`)),
	)
	if got := text(t, ctx, `#app-reason`); !strings.Contains(got, reason) {
		t.Errorf("the enterprise does not see the reason: %q", got)
	}
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || wide > 390 {
		t.Errorf("the application page is %d px wide at 390 px (%v)", wide, err)
	}
	// The returned page still shows the first due date, so wait for the
	// confirmation that only the resubmission's redirect carries.
	run("resubmit", chromedp.Click(css(`#app-submit`)), chromedp.WaitVisible(css(`#done`)))

	run("the department accepts",
		chromedp.EmulateViewport(1280, 1600),
		chromedp.Navigate(dept.URL+appURL+"?lang=zh"),
		chromedp.WaitVisible(css(`#review-form`)),
		chromedp.Click(css(`#app-accept`)),
		chromedp.WaitVisible(css(`#done`)),
	)
	if got := text(t, ctx, `#app-status`); got != "已采纳" {
		t.Errorf("status %q, want 已采纳", got)
	}
	events := text(t, ctx, `#app-events`)
	for _, step := range []string{"创建", "上传附件", "提交", "退回", "采纳"} {
		if !strings.Contains(events, step) {
			t.Errorf("the timeline lacks %s: %q", step, events)
		}
	}
	if !strings.Contains(events, reason) {
		t.Errorf("the timeline lacks the reason: %q", events)
	}

	resp, err := http.Get(dept.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "%PDF") || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
	other := httptest.NewServer(f.as(&chanye.Actor{Name: "他企", Role: chanye.RoleEnterprise, Code: f.granted}))
	defer other.Close()
	if resp, err := http.Get(other.URL + href); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("another enterprise downloads: %v %v", resp.StatusCode, err)
	}
}

// TestPolicyPageShowsInputs: the policy page lists the declared inputs
// with their types and sources in order, and the review period.
func TestPolicyPageShowsInputs(t *testing.T) {
	f := newLCFixture(t)
	status, _, body := f.do(t, f.leader, "GET", "/policies/gz-tech-retrofit?lang=zh", nil)
	want(t, "policy page", status, body, http.StatusOK, `id="policy-inputs"`, "input.equipment_investment", "设备投资额",
		"重点项目 → 快申快享申报", "5 个工作日内审核")
}
