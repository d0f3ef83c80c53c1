package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chromedp/chromedp"
)

// TestBrowserSpaceRouting is the "done when" in Chromium: the task
// force takes a medium project (GZ-0002, 5,000 万元), opens its routing,
// sees the candidate floors with their reasons and holds one; the
// department, which allocates, leases the held floor to the project's
// owner from its page and transfers the block's parcel to it; the block's
// page shows the occupancy and the 亩均 change.
func TestBrowserSpaceRouting(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	addProjects(t, f)
	sf := addSpace(t, f)
	serve := func(a *chanye.Actor) string {
		srv := httptest.NewServer(pagesAs(t, f, a))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tf := serve(&chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	dept := serve(&chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	b := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, text := drive(t, b)
	block := fmt.Sprintf("/space/blocks/%d", sf.drawn.ID)

	run("the block before", chromedp.Navigate(tf+block+"?lang=zh"), chromedp.WaitVisible(css(`#sp-use`)))
	occupancy, revenue := text(`#sp-occupancy`), text(`#sp-revenue`)
	if occupancy != "0.0%" || revenue != "未知" {
		t.Fatalf("the block before: occupancy %q, output per 亩 %q", occupancy, revenue)
	}
	run("the project's routing", chromedp.Navigate(tf+"/projects/GZ-0002?lang=zh"), chromedp.Click(css(`#sp-route-for-link`)),
		chromedp.WaitVisible(css(`#sp-route-form`)))
	if got := text(`#sp-route-for`); !strings.Contains(got, "示范数字化车间") {
		t.Errorf("the routing is not for the project: %q", got)
	}
	run("the needs", chromedp.SendKeys(css(`#sp-r-area_m2`), "2400"), chromedp.SendKeys(css(`#sp-r-load_kg_m2`), "600"),
		chromedp.Click(css(`#sp-route-submit`)), chromedp.WaitVisible(css(`#sp-candidates`)))
	if got := text(`#sp-route-kind`); !strings.Contains(got, "中项目供楼") {
		t.Errorf("the kind: %q", got)
	}
	first := text(`#sp-candidates > li:first-child`)
	for _, want := range []string{"1栋3层", "区块规划主导产业相符", "位于意向区", "荷载、层高和货梯满足要求"} {
		if !strings.Contains(first, want) {
			t.Errorf("the first candidate lacks %s: %q", want, first)
		}
	}
	if got := text(fmt.Sprintf(`#sp-cand-%d`, sf.floor4.ID)); !strings.Contains(got, "楼面荷载 500 千克/平方米，不足 600") {
		t.Errorf("the second floor's unmet load: %q", got)
	}
	run("held", chromedp.Click(css(fmt.Sprintf(`#sp-hold-submit-%d`, sf.floor3.ID))), chromedp.WaitVisible(css(`#done`)),
		chromedp.WaitVisible(css(`#sp-unit-status[data-status="held"]`)))
	if got := text(`#sp-holds`); !strings.Contains(got, "GZ-0002") {
		t.Errorf("the holds: %q", got)
	}

	unit := fmt.Sprintf("/space/units/%d", sf.floor3.ID)
	to := chanye.DateOf(testclock.Now().AddDate(3, 0, 0)).String()
	run("leased", chromedp.Navigate(dept+unit+"?lang=zh"), chromedp.WaitVisible(css(`#sp-allocate-form`)),
		chromedp.SetValue(css(`#sp-allocate-kind`), "lease"),
		chromedp.SendKeys(css(`#sp-allocate-code`), codeAuto),
		chromedp.SetValue(css(`#sp-allocate-to`), to),
		chromedp.SendKeys(css(`#sp-allocate-amount-fen`), "35.5"),
		chromedp.Click(css(`#sp-allocate-submit`)), chromedp.WaitVisible(css(`#sp-unit-status[data-status="allocated"]`)))
	if got := text(`#sp-allocs`); !strings.Contains(got, "35.50 元/m²/月") || !strings.Contains(got, "GZ-0002") {
		t.Errorf("the lease: %q", got)
	}
	run("transferred", chromedp.Navigate(dept+fmt.Sprintf("/space/units/%d?lang=zh", sf.parcel.ID)), chromedp.WaitVisible(css(`#sp-allocate-form`)),
		chromedp.SendKeys(css(`#sp-allocate-code`), codeAuto),
		chromedp.SendKeys(css(`#sp-allocate-amount-fen`), "6000"),
		chromedp.Click(css(`#sp-allocate-submit`)), chromedp.WaitVisible(css(`#sp-unit-status[data-status="allocated"]`)))

	run("the block after", chromedp.Navigate(tf+block+"?lang=zh"), chromedp.WaitVisible(css(`#sp-use`)))
	if got := text(`#sp-occupancy`); got != "35.7%" {
		t.Errorf("the occupancy after the lease: %q, want 35.7%% (2,500 of 7,000 m²)", got)
	}
	if got := text(`#sp-revenue`); got == "未知" || !strings.Contains(got, "万元/亩") {
		t.Errorf("the output per 亩 after the transfer: %q", got)
	}
	if got := text(`#sp-firms`); !strings.Contains(got, "广州示范智能汽车有限公司") {
		t.Errorf("the firms on the block: %q", got)
	}
	if got := text(`#sp-land`); got != "45 亩" {
		t.Errorf("the land transferred: %q", got)
	}
}

// TestBrowserSpaceMap: the map of the blocks draws a canvas, says that the
// layout is schematic, and a click on a block opens its page; the map,
// a block, a unit and a routing fit a 390 px phone for the public and an
// enterprise.
func TestBrowserSpaceMap(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	addProjects(t, f)
	sf := addSpace(t, f)
	serve := func(a *chanye.Actor) string {
		srv := httptest.NewServer(pagesAs(t, f, a))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	public := serve(&chanye.Actor{Role: chanye.RolePublic})
	firm := serve(&chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	b := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, text := drive(t, b)

	run("the map", chromedp.Navigate(public+"/space?lang=zh"), chromedp.WaitVisible(css(`#sp-map canvas`)),
		chromedp.WaitVisible(css(`#sp-map[data-rendered="true"]`)))
	drawn, err := chromedp.Run(b, chromedp.Evaluate[bool](`(() => { const c = document.querySelector('#sp-map canvas'); return c.width > 0 && c.height > 0; })()`))
	if err != nil || !drawn {
		t.Fatalf("the map's canvas is empty: %v", err)
	}
	if got := text(`#sp-schematic`); got != "示意布局，非真实边界" {
		t.Errorf("the schematic note: %q", got)
	}
	// The block's centre on the screen, from the map's own projection.
	at, err := chromedp.Run(b, chromedp.Evaluate[[]float64](`(() => {
		const el = document.getElementById('sp-map'), r = el.getBoundingClientRect();
		const p = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [113.41, 23.11]);
		return [r.left + p[0], r.top + p[1]];
	})()`))
	if err != nil || len(at) != 2 {
		t.Fatalf("the block's place on the map: %v %v", at, err)
	}
	run("a block clicked", chromedp.MouseClickXY(at[0], at[1]), chromedp.WaitVisible(css(`#sp-block-facts`)))
	if got, _ := chromedp.Run(b, chromedp.Location()); !strings.HasSuffix(strings.SplitN(got, "?", 2)[0], fmt.Sprintf("/space/blocks/%d", sf.drawn.ID)) {
		t.Errorf("the click opened %s", got)
	}
	run("the map as a table", chromedp.Navigate(public+"/space?lang=zh"), chromedp.Click(css(`#sp-map-table summary`)),
		chromedp.Click(css(`#sp-map-rows a`)), chromedp.WaitVisible(css(`#sp-block-facts`)))

	pages := []string{"/space", fmt.Sprintf("/space/blocks/%d", sf.drawn.ID), fmt.Sprintf("/space/units/%d", sf.floor3.ID),
		"/space/route?area_m2=2400&districts=440112&industry_id=" + f.autoID}
	for _, who := range []struct{ name, base string }{{"public", public}, {"enterprise", firm}} {
		for _, lang := range []string{"zh", "en"} {
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				run(who.name+" "+p, chromedp.EmulateViewport(390, 900), chromedp.Navigate(who.base+p+sep+"lang="+lang), chromedp.WaitVisible(css(`main`)))
				if w, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || w > 391 {
					t.Errorf("%s %s (%s) is %d px wide on a 390 px screen (%v)", who.name, p, lang, w, err)
				}
			}
		}
	}
}
