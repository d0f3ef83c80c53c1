package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
)

const (
	testLeader = "张市长"
	testDept   = "市工业和信息化局"
	testTF     = "智能网联汽车专班"
)

// reportMonth is the month of GZ-0001's one monthly report, 13 months
// before the test clock's.
var reportMonth = testclock.Month(-13)

// addProjects gives the automotive cluster its owners and two projects:
// GZ-0001, signed but not started 22 months after its planned start (red,
// for the department), with one monthly report; GZ-0002, planned for
// later (green). Dates are relative to the test clock.
func addProjects(t *testing.T, f *fixture) {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	leader, dept, tf := testLeader, testDept, testTF
	for kind, name := range map[chanye.OrgKind]string{chanye.OrgLeader: leader, chanye.OrgTaskForce: tf} {
		if err := f.store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: kind, NameZH: name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.UpdateResponsibility(ctx, f.autoID, chanye.ResponsibilityUpdate{CityLeader: &leader, LeadDepartment: &dept, TaskForce: &tf}); err != nil {
		t.Fatal(err)
	}
	date := func(s string) chanye.Date {
		d, err := chanye.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, p := range []*project.Project{
		{ID: "GZ-0001", Name: "示范整车基地", OwnerCode: codeAuto, IndustryID: f.autoID, DistrictCode: "440112", Kind: project.KindIndustrial,
			TotalInvestmentFen: 10_000_000_000_00, YearlyPlan: []project.YearPlan{{Year: testclock.Year(-1), PlannedFen: 4_000_000_000_00}},
			PlannedStart: testclock.AddMonths(-22), PlannedCompletion: testclock.AddMonths(13), Stage: project.StageSigned},
		{ID: "GZ-0002", Name: "示范数字化车间", OwnerCode: codeAuto, IndustryID: f.autoID, DistrictCode: "440112", Kind: project.KindDigitalRetrofit,
			TotalInvestmentFen: 50_000_000_00, PlannedStart: date("2099-06-01"), PlannedCompletion: date("2099-12-31"), Stage: project.StagePlanning},
	} {
		if err := f.store.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.PutReport(ctx, &project.Report{ProjectID: "GZ-0001", Month: reportMonth, InvestedFen: 50_000_000_00,
		CumulativeFen: 200_000_000_00, ProgressPct: 12.5, Problems: "用地指标待落实"}); err != nil {
		t.Fatal(err)
	}
}

func TestProjectPages(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	dept := "/scorecards/department/" + url.PathEscape(testDept)
	tests := []struct {
		name, path string
		status     int
		want       []string
		notWant    []string
	}{
		{"list", "/projects", 200, []string{"共 2 个项目", "GZ-0001", "示范整车基地", `data-colour="red"`, `data-colour="green"`, "签约", testDept, testLeader}, nil},
		{"list red", "/projects?colour=red", 200, []string{"共 1 个项目", "GZ-0001"}, []string{"GZ-0002"}},
		{"list stage", "/projects?stage=planning&industry=" + f.autoID + "&district=440112", 200, []string{"共 1 个项目", "GZ-0002"}, []string{"示范整车基地"}},
		{"list en", "/projects?lang=en", 200, []string{"2 projects, page 1 of 1", "Key projects", "signed"}, nil},
		{"list bad colour", "/projects?colour=blue", 400, []string{"red、yellow", "筛选条件有误"}, []string{"invalid filter"}},
		{"list bad colour en", "/projects?colour=blue&lang=en", 400, []string{"invalid filter"}, []string{"筛选条件有误"}},
		{"project", "/projects/GZ-0001", 200, []string{
			"示范整车基地", "开工滞后三个月及以上", "months_since_planned_start", testDept, "节点进度", "chart-investment-data",
			"用地指标待落实", "12.5%", "广州示范智能汽车有限公司", "逾期",
		}, nil},
		{"project en", "/projects/GZ-0001?lang=en", 200, []string{"start three months or more late", "Node timeline", "Investment against plan"}, nil},
		{"project green", "/projects/GZ-0002", 200, []string{"当前无预警", "尚无月报"}, nil},
		{"project unknown", "/projects/GZ-9999", 404, nil, nil},
		{"board", "/warnings", 200, []string{"预警看板", "红色预警", "GZ-0001", "开工滞后三个月及以上", testDept, "按责任方", "按规则", "共 2 个项目"}, nil},
		{"board yellow", "/warnings?colour=yellow", 200, []string{"预警看板"}, []string{`data-project="GZ-0001"`}},
		{"board en", "/warnings?lang=en", 200, []string{"Warning board", "Red warnings", "By rule"}, nil},
		{"scorecards", "/scorecards", 200, []string{"记分卡", testLeader, autoZH}, nil},
		{"scorecards departments", "/scorecards?kind=department", 200, []string{testDept, "所发政策尚无支付记录"}, nil},
		{"scorecards task forces", "/scorecards?kind=task_force", 200, []string{testTF, "不适用"}, nil},
		{"scorecards bad kind", "/scorecards?kind=mayor", 400, nil, nil},
		{"scorecard", dept, 200, []string{testDept, autoZH, "目标状态", "红色项目", "示范整车基地", "逾期节点", "—"}, nil},
		{"scorecard en", dept + "?lang=en", 200, []string{"Target status", "Red projects", "Overdue nodes"}, nil},
		{"scorecard unknown", "/scorecards/leader/" + url.PathEscape("无名氏"), 404, nil, nil},
		{"report", "/projects/report?month=" + reportMonth, 200, []string{"月度调度会报告 " + reportMonth, "按产业汇总", "按区汇总", "红色项目清单", "GZ-0001", "@media print", "<td>黄埔区</td>", "<td>" + autoZH + "</td>"}, []string{"<td>" + f.autoID + "</td>", "<td>440112</td>"}},
		{"report en", "/projects/report?month=" + reportMonth + "&lang=en", 200, []string{"monthly meeting report " + reportMonth, "Summary by district", "Red list", "<td>Huangpu</td>"}, []string{"黄埔区", "<td>" + f.autoID + "</td>"}},
		{"report bad month", "/projects/report?month=2025-13", 400, nil, nil},
		{"todo", "/todo", 200, []string{"我的待办", `id="todo-red"`, `data-total="1"`, "示范整车基地", "/projects?colour=red"}, nil},
		{"enterprise projects", "/enterprises/" + codeAuto, 200, []string{`id="own-projects"`, "示范整车基地", "示范数字化车间", "/projects/GZ-0001"}, nil},
		{"enterprise without projects", "/enterprises/" + codeSoft, 200, []string{`id="no-projects"`}, []string{"own-projects"}},
		{"overview lights", "/", 200, []string{`class="cluster-lights"`, "/projects?industry=" + f.autoID}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.get(t, tt.path, "")
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d\n%.500s", res.StatusCode, tt.status, body)
			}
			if strings.Contains(body, "⟦") {
				t.Errorf("missing label: %s", body[strings.Index(body, "⟦"):][:60])
			}
			if strings.Contains(tt.path, "report") && tt.status == 200 {
				// The print rules live in the stylesheet, not inline.
				body += f.stylesheet(t, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body has %q", w)
				}
			}
			if strings.Contains(body, "<script>") {
				t.Error("inline script")
			}
		})
	}
}

// stylesheet returns the stylesheet a page links.
func (f *fixture) stylesheet(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `/static/css/`)
	if i < 0 {
		t.Fatal("no stylesheet")
	}
	href := page[i : i+strings.Index(page[i:], `"`)]
	_, css := f.get(t, href, "")
	return css
}

// TestBrowserProjects opens the warning board, which must show the red
// project with its rule and owner, and the department's scorecard, which
// must show its industries' target status and its projects' colours.
func TestBrowserProjects(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	addProjects(t, f)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	t.Run("warning board", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/warnings?lang=zh"),
			chromedp.WaitVisible(css(`#board .board-colour[data-colour="red"] tr[data-project="GZ-0001"]`)),
		); err != nil {
			t.Fatal(err)
		}
		row := `#board .board-colour[data-colour="red"] tr[data-project="GZ-0001"][data-rule="start_late_red"]`
		if got := text(t, ctx, row+` td`); !strings.Contains(got, "红") || !strings.Contains(got, "示范整车基地") {
			t.Errorf("red row project cell = %q", got)
		}
		if got := text(t, ctx, row+` td.rule`); !strings.Contains(got, "开工滞后三个月及以上") {
			t.Errorf("rule cell = %q, want the rule", got)
		}
		if got := text(t, ctx, row+` td.values`); !strings.Contains(got, "距计划开工月份的月数：22") || !strings.Contains(got, "已开工：否") || strings.Contains(got, "months_since") {
			t.Errorf("values cell = %q, want the values the rule read", got)
		}
		if got := text(t, ctx, row+` td.owner`); !strings.Contains(got, testDept) {
			t.Errorf("owner cell = %q, want %s", got, testDept)
		}
		if got := text(t, ctx, `#board .board-industry h2`); got != autoZH {
			t.Errorf("industry group = %q, want %s", got, autoZH)
		}
		// Within an industry, red comes before yellow.
		first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#board .board-colour').dataset.colour`))
		if err != nil || first != "red" {
			t.Errorf("first colour = %q (%v), want red", first, err)
		}
	})

	t.Run("project", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/projects/GZ-0001?lang=zh"),
			chromedp.WaitVisible(css(`#chart-investment canvas`)),
		); err != nil {
			t.Fatal(err)
		}
		drawn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#chart-investment').dataset.rendered === 'true'`))
		if err != nil || !drawn {
			t.Errorf("investment chart not rendered: %v", err)
		}
		if got := text(t, ctx, `#warnings tr[data-rule="start_late_red"]`); !strings.Contains(got, "距计划开工月份的月数：22") {
			t.Errorf("warning row = %q, want the rule's values", got)
		}
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ol.timeline li.node.overdue').length`)); err != nil || n == 0 {
			t.Errorf("timeline shows no overdue node (%d, %v)", n, err)
		}
	})

	t.Run("meeting report prints", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/projects/report?month="+reportMonth+"&lang=zh"),
			chromedp.WaitVisible(css(`#rep-red`)),
		); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`['header.top', 'form.filters', '.subnav'].every(s => getComputedStyle(document.querySelector(s)).display === 'none')`))
		if err != nil || !hidden {
			t.Errorf("printing shows the header, filters or sub-navigation (%v)", err)
		}
		if got := text(t, ctx, `#rep-red`); !strings.Contains(got, "示范整车基地") || !strings.Contains(got, testDept) {
			t.Errorf("red list = %q", got)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("scorecard", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/scorecards?kind=department&lang=zh"),
			chromedp.WaitVisible(css(`table.scorecards`)),
			chromedp.Click(css(`tr[data-name="`+testDept+`"] a`)),
			chromedp.WaitVisible(css(`#sc-industries`)),
		); err != nil {
			t.Fatal(err)
		}
		row := `#sc-industries tr[data-industry="` + f.autoID + `"]`
		status := text(t, ctx, row+` .track`)
		if status != "可达成" && status != "有风险" && status != "难达成" {
			t.Errorf("target status of %s = %q, want one of 可达成 有风险 难达成", autoZH, status)
		}
		if got := text(t, ctx, row+` .light.red`); got != "1" {
			t.Errorf("red projects of %s = %q, want 1", autoZH, got)
		}
		if got := text(t, ctx, row+` .light.green`); got != "1" {
			t.Errorf("green projects of %s = %q, want 1", autoZH, got)
		}
		if got := text(t, ctx, `#sc-projects`); !strings.Contains(got, "红 1") || !strings.Contains(got, "绿 1") {
			t.Errorf("project colours = %q", got)
		}
		if got := text(t, ctx, `#sc-red`); !strings.Contains(got, "示范整车基地") {
			t.Errorf("red list = %q", got)
		}
		if got := text(t, ctx, `#sc-payout p`); got != "—" {
			t.Errorf("payout without payments = %q, want —", got)
		}
	})
}

// TestProjectNotFoundLeaksNothing: another enterprise's project, its
// nodes' and report forms answer the enterprise exactly what a project that
// does not exist answers (they once said 记录不存在 against 项目不存在).
func TestProjectNotFoundLeaksNothing(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: authz.Catalog(f.store), Enterprises: authz.Enterprises(f.store, testclock.Now),
		Policies: authz.Policies(f.store.PolicyServices()), Engine: authz.Engine(eng, f.store), Projects: authz.Projects(f.store, f.store)})
	if err != nil {
		t.Fatal(err)
	}
	other := &chanye.Actor{Name: "软件", Role: chanye.RoleEnterprise, Code: codeSoft} // GZ-0001 is codeAuto's
	send := func(method, path, form string) (int, string) {
		var r *http.Request
		if form != "" {
			r = httptest.NewRequest(method, path, strings.NewReader(form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r.WithContext(chanye.WithActor(r.Context(), other)))
		body := rec.Body.String()
		// The message, without the page around it.
		if i := strings.Index(body, "<main"); i >= 0 {
			body = body[i:]
		}
		return rec.Code, body
	}
	for _, c := range []struct{ name, method, path, form string }{
		{"project", "GET", "/projects/%s", ""},
		{"report form", "POST", "/projects/%s/reports", "month=" + reportMonth + "&invested_fen=1&cumulative_fen=1&progress_pct=1"},
		{"report form with errors", "POST", "/projects/%s/reports", "month=" + reportMonth + "&invested_fen=x&cumulative_fen=1&progress_pct=1"},
		{"node form", "POST", "/projects/%s/nodes/1", "note=x"},
		{"node form with errors", "POST", "/projects/%s/nodes/1", "actual_date=x"},
	} {
		s1, b1 := send(c.method, fmt.Sprintf(c.path, "GZ-0001"), c.form)
		s2, b2 := send(c.method, fmt.Sprintf(c.path, "GZ-9999"), c.form)
		if s1 != http.StatusNotFound || s1 != s2 || strings.ReplaceAll(b1, "GZ-0001", "GZ-9999") != b2 {
			t.Errorf("%s: hidden %d, missing %d; want one 404 page\n%.400s\n%.400s", c.name, s1, s2, b1, b2)
		}
	}
}
