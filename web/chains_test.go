package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chromedp/chromedp"
)

// TestChainPages: the index lists every chain; a chain's page draws its
// map and lists its links by stage with what they supply; the editor saves
// a changed chain and shows a bad one again with the link and field at
// fault, storing nothing.
func TestChainPages(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/chains", "")
	for _, want := range []string{`id="chains"`, `data-industry="icv-nev"`, `href="/chains/icv-nev"`, "智能网联与新能源汽车", `id="chain-sources"`} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %s", want)
		}
	}
	if res, xlsx := f.get(t, "/chains/links.xlsx", ""); res.StatusCode != 200 || !strings.HasPrefix(xlsx, "PK") ||
		res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("links workbook: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if n := strings.Count(body, "data-industry="); n != 18 {
		t.Errorf("index lists %d chains, want 18", n)
	}
	res, body := f.get(t, "/chains/icv-nev", "")
	for _, want := range []string{`data-chart="chain"`, `id="chain-map-data"`, `id="link-icv-nev.battery"`, `id="stage-downstream"`,
		"动力电池", "<code>3841</code> 锂离子电池制造", `href="#link-icv-nev.vehicle"`, `id="chain-edit"`} {
		if !strings.Contains(body, want) {
			t.Errorf("chain page lacks %s", want)
		}
	}
	if res.StatusCode != 200 {
		t.Fatalf("chain page: %d", res.StatusCode)
	}
	if res, _ := f.get(t, "/chains/finance", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("an industry without a chain: %d", res.StatusCode)
	}
	_, en := f.get(t, "/chains/icv-nev?lang=en", "")
	if !strings.Contains(en, "Traction batteries") || !strings.Contains(en, "Upstream") {
		t.Error("the English page does not name links in English")
	}

	post := func(src string) (*http.Response, string) {
		req := httptest.NewRequest("POST", "/chains/ai/edit", strings.NewReader(url.Values{"source": {src}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec.Result(), rec.Body.String()
	}
	_, edit := f.get(t, "/chains/ai/edit", "")
	src := edit[strings.Index(edit, `spellcheck="false">`)+len(`spellcheck="false">`) : strings.Index(edit, "</textarea>")]
	src = html.UnescapeString(src)
	bad := strings.Replace(src, `"stage": "upstream"`, `"stage": "upper"`, 1)
	res, body = post(bad)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="chain-errors"`) || !strings.Contains(body, "].stage</code>") || !strings.Contains(body, "upper") {
		t.Errorf("a bad chain: %d\n%.2000s", res.StatusCode, body)
	}
	if res, body := post("{not json"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "JSON 无法解析") {
		t.Errorf("bad JSON: %d", res.StatusCode)
	}
	changed := strings.Replace(src, `"name_zh": "`, `"name_zh": "新`, 1)
	if res, _ := post(changed); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/chains/ai/edit?saved=1" {
		t.Fatalf("a good save: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	set, err := f.store.FindChains(chanye.WithActor(context.Background(), chanye.Operator))
	if err != nil || !strings.HasPrefix(set.Chain("ai").Links[0].NameZH, "新") {
		t.Errorf("the saved chain: %v", err)
	}
}

// TestBrowserChainMap: the chain map is drawn in Chromium, and clicking a
// link's node opens that link on the page.
func TestBrowserChainMap(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/chains/icv-nev?lang=zh"),
		chromedp.WaitVisible(chromedp.CSS(`#chain-map canvas`)),
	); err != nil {
		t.Fatal(err)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#chain-map').dataset.rendered === 'true'`))
	if err != nil || !drawn {
		t.Fatalf("chain map not rendered: %v", err)
	}
	// Where the battery node is drawn, in the page's coordinates.
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function () {
		var el = document.querySelector('#chain-map'), chart = echarts.getInstanceByDom(el);
		var node = chart.getOption().series[0].data.find(function (n) { return n.id === 'icv-nev.battery'; });
		var p = chart.convertToPixel({ seriesIndex: 0 }, [node.x, node.y]), r = el.getBoundingClientRect();
		return [r.left + p[0], r.top + p[1]];
	})()`))
	if err != nil || len(xy) != 2 {
		t.Fatalf("node position: %v, %v", xy, err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		t.Fatal(err)
	}
	hash, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.location.hash`))
	if err != nil || hash != "#link-icv-nev.battery" {
		t.Errorf("after clicking the battery node the page is at %q (%v)", hash, err)
	}
}

// TestLeadFirmPages: an official designates a 链主 on the chain page,
// sees it listed with its scores and ends it; a bad form comes back with
// what was typed and the field at fault.
func TestLeadFirmPages(t *testing.T) {
	f := newFixture(t)
	form := func(path string, v url.Values) (*http.Response, string) {
		req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec.Result(), rec.Body.String()
	}
	_, body := f.get(t, "/chains/icv-nev", "")
	if !strings.Contains(body, `id="no-lead-firms"`) || !strings.Contains(body, `id="lead-form"`) {
		t.Fatal("the chain page has no 链主 section for an administrator")
	}
	today := testclock.Today().String()
	res, body := form("/chains/icv-nev/lead-firms", url.Values{"code": {codeAuto}, "designated_on": {today}, "source": {"链主企业名单"}, "scores": {"营收规模 x"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="lead-error"`) || !strings.Contains(body, "营收规模 x") {
		t.Errorf("a bad score line: %d", res.StatusCode)
	}
	res, _ = form("/chains/icv-nev/lead-firms", url.Values{"code": {codeAuto}, "designated_on": {today}, "source": {"链主企业名单"}, "scores": {"营收规模 90\n带动配套：85"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("designate: %d", res.StatusCode)
	}
	_, body = f.get(t, "/chains/icv-nev", "")
	if !strings.Contains(body, `data-code="`+codeAuto+`" data-current="true"`) || !strings.Contains(body, "营收规模 90；带动配套 85") {
		t.Fatalf("the designation is not listed:\n%.3000s", body[strings.Index(body, `id="lead-firms"`):])
	}
	xs, err := f.store.FindLeadFirms(chanye.WithActor(context.Background(), chanye.Operator), "icv-nev")
	if err != nil || len(xs) != 1 {
		t.Fatal(xs, err)
	}
	res, _ = form("/chains/icv-nev/lead-firms/"+strconv.FormatInt(xs[0].ID, 10)+"/end", url.Values{"ended_on": {today}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("end: %d", res.StatusCode)
	}
	_, body = f.get(t, "/chains/icv-nev", "")
	if !strings.Contains(body, `data-current="false"`) || !strings.Contains(body, "已于 "+today+" 结束") {
		t.Error("the ended designation is not shown ended")
	}
}
