package web

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chromedp/chromedp"
)

// TestBrowserGapToProject is the newcomer's walk of issue 12 in Chromium:
// the chain map shows a missing link explained; the link's page proposes a
// candidate with its reasons; the candidate goes on the 招商 list, a lead is
// opened, moved to 签约 (a move without the signed amount is refused,
// naming it), turned into a key project, and found again from the link.
func TestBrowserGapToProject(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	if err := f.store.ImportRoster(ctx, "测试名单（专精特新）", []invest.RosterFirm{
		{Name: "示例电芯科技有限公司", City: "宁德", Province: "福建", Class: "3841", Products: "锂离子电池电芯、储能电芯", Tier: chanye.TierLittleGiant},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.PlaceAll(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	b := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	run, text := drive(t, b)

	run("the chain map", chromedp.Navigate(srv.URL+"/chains/icv-nev?lang=zh"), chromedp.WaitVisible(css(`#chain-map canvas`)))
	if got := text(`#link-icv-nev\\.battery-cell, [id="link-icv-nev.battery.cell"] .link-verdict`); !strings.Contains(got, "缺失") || !strings.Contains(got, "本地无规上企业") {
		t.Errorf("the cells link's verdict: %q", got)
	}
	colours, err := chromedp.Run(b, chromedp.Evaluate[[]string](`(function () {
		var o = echarts.getInstanceByDom(document.querySelector('#chain-map')).getOption();
		return o.series[0].categories.map(function (c) { return c.name; });
	})()`))
	if err != nil || strings.Join(colours, ",") != "强,弱,缺失,未诊断" {
		t.Errorf("the map's legend: %q, %v", colours, err)
	}

	run("the link's page", chromedp.Click(css(`[id="link-icv-nev.battery.cell"] a.link-firms`)), chromedp.WaitVisible(css(`#candidate-table`)))
	if got := text(`#candidate-table`); !strings.Contains(got, "示例电芯科技有限公司") || !strings.Contains(got, "行业代码") {
		t.Errorf("the candidates: %q", got)
	}
	run("onto the list", chromedp.Click(css(`#candidate-table .add-target`)), chromedp.WaitVisible(css(`#target-table`)))
	run("open a lead",
		chromedp.SetValue(css(`#target-table .lead-new select[name=owner]`), "district:440106"),
		chromedp.SendKeys(css(`#target-table .lead-new input[name=expected]`), "50000"),
		chromedp.Click(css(`#target-table .lead-new button`)),
		chromedp.WaitVisible(css(`#lead-stage`)))
	if got := text(`#lead-stage`); !strings.Contains(got, "线索") {
		t.Errorf("a new lead is at %q", got)
	}
	run("signed without an amount",
		chromedp.SetValue(css(`#move-to`), "signed"),
		chromedp.Click(css(`#move-submit`)),
		chromedp.WaitVisible(css(`#lead-error`)))
	if got := text(`#lead-error`); !strings.Contains(got, "signed_fen") {
		t.Errorf("the refused move says %q", got)
	}
	run("signed",
		chromedp.SetValue(css(`#move-to`), "signed"),
		chromedp.SendKeys(css(`#move-signed`), "48000"),
		chromedp.Click(css(`#move-submit`)),
		chromedp.WaitVisible(css(`#done`)))
	if got := text(`#lead-stage`); !strings.Contains(got, "签约") {
		t.Errorf("after the move the lead is at %q", got)
	}
	if got := text(`#lead-events`); strings.Count(got, "跨过") != 3 {
		t.Errorf("the three stages passed are not in the history: %q", got)
	}
	run("a key project",
		chromedp.SendKeys(css(`#convert-name`), "示例电芯项目"),
		chromedp.SetValue(css(`#convert-owner`), codeAuto),
		chromedp.SetValue(css(`#convert-completion`), testclock.AddMonths(30).String()),
		chromedp.Click(css(`#convert-submit`)),
		chromedp.WaitVisible(css(`#lead-project a`)))
	project := text(`#lead-project`)
	run("found from the link", chromedp.Click(css(`#lead-link`)), chromedp.WaitVisible(css(`#link-leads`)))
	if got := text(`#link-leads .lead-project`); got == "" || got != project {
		t.Errorf("the link's leads show project %q, want %q", got, project)
	}
	run("the project", chromedp.Click(css(`#link-leads .lead-project`)), chromedp.WaitVisible(css(`h1`)))
	if got := text(`h1`); !strings.Contains(got, "示例电芯项目") {
		t.Errorf("the project page: %q", got)
	}
}

// TestInvestPages: a lead whose next action is past its day is a warning
// in 我的待办 and on /leads?overdue=1; the department's scorecard shows its
// industry's funnel; a lead of a demo target says 演示数据.
func TestInvestPages(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	target := &invest.Target{IndustryID: f.autoID, LinkID: f.autoID + ".battery", Kind: invest.ListAttract, Name: "示例电池外地公司", Source: "演示数据 demo 名单"}
	if err := f.store.CreateTarget(ctx, target); err != nil {
		t.Fatal(err)
	}
	due := chanye.DateOf(testclock.Now().AddDate(0, 0, -3))
	expected := chanye.Fen(30_000_000_000)
	lead := &invest.Lead{TargetID: target.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440112", ExpectedFen: &expected,
		NextAction: "上门拜访", NextActionOn: due}
	if err := f.store.CreateLead(ctx, lead); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]string{
		"/todo":            {`id="todo-leads"`, "上门拜访", "/leads/" + strconv.FormatInt(lead.ID, 10)},
		"/leads?overdue=1": {"示例电池外地公司", "逾期", "演示数据", "3.00 亿元"},
		"/leads/" + strconv.FormatInt(lead.ID, 10):           {"演示数据", `id="move-form"`, "上门拜访"},
		"/scorecards/department/" + url.PathEscape(testDept): {`id="sc-funnel-table"`, `data-industry="` + f.autoID + `"`},
	} {
		resp, body := f.get(t, path+map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")]+"lang=zh", "")
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
			continue
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
	}
}
