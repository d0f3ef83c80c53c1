package web

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds headless Chromium. Without one the browser test skips,
// unless CHANYE_BROWSER_TEST=required (as CI sets it), when it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CHANYE_BROWSER_TEST") == "required" {
		t.Fatal("Chromium not found and CHANYE_BROWSER_TEST=required")
	}
	t.Skip("Chromium not found; set CHANYE_BROWSER_TEST=required to make this a failure")
	return ""
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	// A deadline for a hung browser, not a speed goal: under a full
	// suite on two cores a whole flow has taken more than 90 s.
	return newBrowserTimeout(t, 4*time.Minute)
}

// newBrowserTimeout is newBrowser for a test that needs more than 4 min.
func newBrowserTimeout(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func TestBrowser(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx := newBrowser(t)

	t.Run("overview", func(t *testing.T) {
		css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/?lang=zh"),
			chromedp.WaitVisible(css(`table.clusters`)),
			chromedp.WaitVisible(css(`#chart-targets canvas`)),
		); err != nil {
			t.Fatal(err)
		}
		table := text(t, ctx, `table.clusters`)
		names := []string{"智能网联与新能源汽车", "超高清视频与新型显示", "生物医药与健康", "绿色石化与新材料", "软件与互联网",
			"智能装备与机器人", "人工智能", "半导体与集成电路", "新能源与新型储能", "低空经济与航空航天", "生物制造",
			"时尚消费品", "轨道交通", "船舶与海洋工程", "智能建造与工业化建筑"}
		for _, n := range names {
			if !strings.Contains(table, n) {
				t.Errorf("overview table lacks cluster %s", n)
			}
		}
		if got := text(t, ctx, `tr[data-industry="`+f.autoID+`"] .tier`); got != "万亿级" {
			t.Errorf("target of %s = %q, want 万亿级", autoZH, got)
		}
		future := text(t, ctx, `section.two-col`)
		for _, n := range []string{"智能无人系统", "具身智能", "细胞与基因", "另 3 个未来产业待公布"} {
			if !strings.Contains(future, n) {
				t.Errorf("future industries lack %s", n)
			}
		}
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#chart-targets').dataset.rendered === 'true'`)); err != nil || !ok {
			t.Errorf("targets chart not rendered: %v", err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`#lang-switch`)),
			chromedp.WaitVisible(css(`html[lang="en"] #chart-targets canvas`)),
		); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `main`); !strings.Contains(got, "Strategic industry clusters") || !strings.Contains(got, "3 more future industries not yet named") {
			t.Errorf("after the switch the page is not in English:\n%.300s", got)
		}
		// The cookie keeps English on the next page.
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/enterprises"), chromedp.WaitVisible(css(`table.enterprises`))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `h1`); got != "Enterprise registry" {
			t.Errorf("enterprise list heading after switch = %q, want English", got)
		}
	})

	t.Run("enterprise", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/enterprises/"+codeAuto+"?lang=zh"),
			chromedp.WaitVisible(chromedp.CSS(`#enterprise-name`)),
			chromedp.WaitReady(chromedp.CSS(`#chart-facts canvas, #chart-facts svg`)),
		); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `#enterprise-name`); got != "广州示范智能汽车有限公司" {
			t.Errorf("name = %q", got)
		}
		if got := text(t, ctx, `#size-class`); got == "" || got == "—" {
			t.Errorf("size class = %q, want a class", got)
		}
		drawn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const c = document.querySelector('#chart-facts canvas');
			return !!c && c.width > 0 && c.height > 0 && document.querySelector('#chart-facts').dataset.rendered === 'true';
		})()`))
		if err != nil || !drawn {
			t.Errorf("facts chart has no drawn canvas: %v", err)
		}
	})
}

// TestBrowserPolicies opens the public 公示 list and, from it, an
// enterprise's policy tab, which must show a granted or near-miss entry.
func TestBrowserPolicies(t *testing.T) {
	chromiumPath(t)
	f := newPolicyFixture(t)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/public/publicity?lang=zh"),
		chromedp.WaitVisible(chromedp.CSS(`table.publicity`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `table.publicity`); !strings.Contains(got, f.granted) {
		t.Errorf("publicity list lacks %s", f.granted)
	}
	if got := text(t, ctx, `#how-to-object`); !strings.Contains(got, "对未获认定提出异议") {
		t.Errorf("publicity page does not say how to object: %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/enterprises/`+f.granted+`/policies#objection"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#objection-form`)),
	); err != nil {
		t.Fatal(err)
	}
	entries, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#granted article.decision, #near-misses article.decision').length`))
	if err != nil || entries == 0 {
		t.Errorf("policy tab shows no granted or near-miss entry (%d, %v)", entries, err)
	}
	if got := text(t, ctx, `#granted`); !strings.Contains(got, "✓") {
		t.Errorf("granted entry shows no passed condition: %q", got)
	}
}

// text returns the visible text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// drive returns run, which takes actions in b and fails t with the
// page's text when one fails, and text, which reads the text of the
// element sel selects ("" when there is none).
func drive(t *testing.T, b context.Context) (run func(what string, acts ...chromedp.Action[chromedp.Void]), text func(sel string) string) {
	run = func(what string, acts ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, acts...); err != nil {
			body, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v\n%.1500s", what, err, body)
		}
	}
	text = func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Evaluate[string](`(document.querySelector(`+"`"+sel+"`"+`) || {innerText: ''}).innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return run, text
}
