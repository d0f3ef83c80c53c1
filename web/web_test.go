package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
)

const (
	codeAuto = "91440101MA5ALP4R4C"
	codeSoft = "9144011661842063XT"
	codeSH   = "91310110666007217T"
	autoZH   = "智能网联与新能源汽车"
)

// fixture is a handler on a temp-dir SQLite store holding catalog.Default(),
// three enterprises and revenue indicators for the automotive cluster.
type fixture struct {
	h      http.Handler
	store  *sqlstore.Store
	db     *sqlstore.DB // its clock, for tests that move it
	autoID string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, store := sqlstoretest.NewWithDB(t)
	f := &fixture{store: store, db: db}
	for _, ind := range catalog.Default().Industries {
		if ind.NameZH == autoZH {
			f.autoID = ind.ID
		}
	}
	if f.autoID == "" {
		t.Fatalf("catalog.Default() has no %s", autoZH)
	}
	var values []*chanye.Indicator
	for i, y := range []string{"2022", "2023", "2024"} {
		values = append(values, &chanye.Indicator{IndustryID: f.autoID, Metric: "revenue", Period: y,
			Value: int64(5000+500*i) * yuanPerYi, Source: "test"})
	}
	values = append(values, &chanye.Indicator{IndustryID: f.autoID, Metric: "enterprises", Period: "2024",
		Value: 1200, Source: "test"})
	if err := store.UpsertIndicators(ctx, values); err != nil {
		t.Fatal(err)
	}
	date := func(s string) chanye.Date {
		d, err := chanye.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, e := range []*chanye.Enterprise{
		{Code: codeAuto, Name: "广州示范智能汽车有限公司", DistrictCode: "440112", IndustryClass: "3612", Founded: date("2016-05-01")},
		{Code: codeSoft, Name: "广州示范软件科技有限公司", DistrictCode: "440106", IndustryClass: "6513", Founded: date("2009-03-15")},
		{Code: codeSH, Name: "示范数据服务有限公司", DistrictCode: "440106", IndustryClass: "6513", Founded: date("2007-11-20")},
	} {
		if err := store.CreateEnterprise(ctx, e); err != nil {
			t.Fatalf("create %s: %v", e.Code, err)
		}
	}
	fen := func(yuan int64) *chanye.Fen { f := chanye.Fen(yuan * 100); return &f }
	n := func(v int64) *int64 { return &v }
	if _, err := store.PutFacts(ctx, codeAuto, []*chanye.Facts{
		{Year: 2022, Revenue: fen(180_000_000), RDSpending: fen(9_000_000), Employees: n(850), Source: "统计年报", AsOf: date("2023-03-31")},
		{Year: 2023, Revenue: fen(230_000_000), RDSpending: fen(12_500_000), Employees: n(1020), TotalAssets: fen(410_000_000), Source: "统计年报", AsOf: date("2024-03-31")},
		{Year: 2023, RDSpending: fen(13_000_000), Source: "税务汇算", AsOf: date("2024-05-31")},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutTier(ctx, codeAuto, chanye.Tier{Kind: chanye.TierSRDI, Level: chanye.LevelProvincial, From: date("2023-01-01"), Source: "省工信厅"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutTier(ctx, codeAuto, chanye.Tier{Kind: chanye.TierHighTech, From: date("2019-01-01"), To: date("2021-12-31"), Source: "市科技局"}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng, Version: "v-test", Projects: store,
		Closures: store, Supervisions: store, Search: authz.Search(store), Chains: store, LeadFirms: store, Placements: store, Calendar: store, Requests: store, RequestIssues: store, RequestFiles: store,
		Invest:    InvestServices{Targets: store, Candidates: store, Leads: store, Conversions: store, Funnel: store, Supervisions: store.LeadSupervisions()},
		Scenarios: ScenarioServices{Scenarios: store, Applications: store, Reviews: store, Files: store},
		Match:     MatchServices{Listings: store, Matches: store, Events: store, Segmenter: spaceWords{}},
		Space:     SpaceServices{Inventory: store, Allocations: store, Use: store}})
	if err != nil {
		t.Fatal(err)
	}
	f.h = asOperator(h)
	return f
}

// get requests path, optionally with a lang cookie, and returns the
// response and its body.
func (f *fixture) get(t *testing.T, path, cookie string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "lang", Value: cookie})
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestPages(t *testing.T) {
	f := newFixture(t)
	otherCode, err := uscc.Complete("91440106MA5ALP4R4")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, cookie string
		status             int
		want, notWant      []string
	}{
		{"overview zh", "/", "", 200, []string{
			"产业第一、制造业立市", autoZH, "万亿级", "时尚消费品", "软件与互联网", "轨道交通", "生物医药与健康",
			"智能无人系统", "具身智能", "细胞与基因", "另 3 个未来产业待公布", "现代服务业", "4 万亿元", "7.5%",
			"6 万亿元", "未指定", "chart-targets-data", `lang="zh-CN"`, "v-test", "6,000 亿元", "9.5%",
			"数据来源：广州市高质量发展大会讲话",
		}, []string{"Overview", `id="demo-note"`, "演示数据"}},
		{"overview en by query", "/?lang=en", "", 200, []string{
			"Strategic industry clusters", "3 more future industries not yet named", "not assigned", `lang="en"`, "中文",
		}, []string{"产业体系</a>"}},
		{"overview en by cookie", "/", "en", 200, []string{"Strategic industry clusters"}, nil},
		{"overview zh overrides cookie", "/?lang=zh", "en", 200, []string{"战略性产业集群"}, nil},
		{"industry", "/industries/" + f.autoID, "", 200, []string{
			autoZH, "3612", "新能源车整车制造", "共 1 家企业", "chart-indicators-data", "chart-tier-data",
			"/enterprises?industry=" + f.autoID, "万亿级", "黄埔区",
		}, nil},
		{"industry en", "/industries/" + f.autoID + "?lang=en", "", 200, []string{"1 enterprises", "Industry classes"}, nil},
		{"industry unknown", "/industries/no-such-thing", "", 404, []string{"404", "返回首页"}, nil},
		{"list", "/enterprises", "", 200, []string{
			"共 3 家，第 1 / 1 页", codeAuto, codeSoft, codeSH, "广州示范智能汽车有限公司", "黄埔区", "天河区", "专精特新中小企业",
		}, []string{"高新技术企业</span>"}},
		{"list district", "/enterprises?district=440112", "", 200, []string{"共 1 家", codeAuto}, []string{codeSoft}},
		{"list industry", "/enterprises?industry=" + f.autoID, "", 200, []string{"共 1 家", codeAuto}, []string{codeSoft}},
		{"list tier", "/enterprises?tier=srdi", "", 200, []string{"共 1 家", codeAuto}, []string{codeSH}},
		{"list q", "/enterprises?q=软件", "", 200, []string{"共 1 家", codeSoft}, []string{codeAuto}},
		{"list en", "/enterprises?lang=en", "", 200, []string{"3 enterprises, page 1 of 1", "Huangpu"}, nil},
		{"list bad tier", "/enterprises?tier=emperor", "", 400, []string{"未知梯度"}, nil},
		{"list bad page", "/enterprises?page=-1", "", 400, []string{"页码"}, nil},
		{"profile", "/enterprises/" + codeAuto, "", 200, []string{
			"广州示范智能汽车有限公司", "按《统计上大中小微型企业划分办法（2017）》", "2016-05-01", "专精特新中小企业", "现有", "已到期",
			"认定级别", "认定日期", `<td class="level">省级</td><td class="nowrap">2023-01-01</td>`, `<td class="level">未记录</td>`,
			"统计年报", "税务汇算", "2024-05-31", "2.30 亿元", "1,300.00 万元", "1,020", "chart-facts-data", autoZH,
		}, nil},
		{"profile lower case", "/enterprises/" + strings.ToLower(codeAuto), "", 200, []string{"广州示范智能汽车有限公司"}, nil},
		{"profile en", "/enterprises/" + codeAuto + "?lang=en", "", 200, []string{
			"Size class", "per the NBS rules", "230.00 m yuan", "Specialised, refined", `<td class="level">Provincial</td>`,
		}, nil},
		{"profile no facts", "/enterprises/" + codeSoft, "", 200, []string{"暂无年度数据"}, nil},
		{"profile bad check", "/enterprises/91440101MA5ALP4R4D", "", 400, []string{"第18位", "<mark>D</mark>"}, nil},
		{"profile bad char", "/enterprises/91440101MA5ALP4R4O", "", 400, []string{"第18位", "&#39;O&#39;"}, nil},
		{"profile bad length", "/enterprises/9144", "", 400, []string{"长度为 4"}, nil},
		{"profile unknown", "/enterprises/" + otherCode, "", 404, []string{"404"}, nil},
		{"no such page", "/nowhere", "", 404, []string{"404"}, nil},
		{"no such page en", "/nowhere?lang=en", "", 404, []string{"Not found"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.get(t, tt.path, tt.cookie)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d\n%s", res.StatusCode, tt.status, body)
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
			checkPage(t, body)
		})
	}
}

// Figures from chanye demo say 演示数据 where they are shown, and the footer
// then names no real source; real figures on other pages do not.
func TestDemoFiguresLabelled(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	ctx := context.Background()
	if err := f.store.UpsertIndicators(ctx, []*chanye.Indicator{{IndustryID: "biomedicine", Metric: "revenue", Period: "2024",
		Value: 3000 * yuanPerYi, Source: demo.IndicatorSource}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		demo bool
	}{{"/", true}, {"/industries/biomedicine", true}, {"/industries/" + f.autoID, false},
		{"/projects", false}, {"/projects/GZ-0001", false}, {"/warnings", false}, {"/projects/report?month=" + reportMonth, false},
		{"/enterprises/" + codeAuto, false}, {"/scorecards", false}} {
		_, body := f.get(t, tc.path, "")
		if got := strings.Contains(body, `id="demo-note"`) && strings.Contains(body, "本页数字含演示数据"); got != tc.demo {
			t.Errorf("%s: labelled demo %v, want %v", tc.path, got, tc.demo)
		}
		if got := strings.Contains(body, "数据来源：广州市高质量发展大会讲话"); got == tc.demo {
			t.Errorf("%s: footer names the real source: %v, want %v", tc.path, got, !tc.demo)
		}
	}
	// A project chanye demo generated is demo data wherever it shows:
	// the project, the lists and board that hold it, the meeting report,
	// its owner's page.
	p, err := f.store.FindProjectByID(ctx, "GZ-0001")
	if err != nil {
		t.Fatal(err)
	}
	p.Demo = true
	if err := f.store.CreateProject(ctx, &project.Project{ID: "GZZD-9001", Name: "演示项目", OwnerCode: codeAuto, IndustryID: f.autoID,
		DistrictCode: "440112", Kind: project.KindIndustrial, TotalInvestmentFen: 100_000_00, PlannedStart: p.PlannedStart,
		PlannedCompletion: p.PlannedCompletion, Stage: project.StagePlanning, Demo: true}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/projects", "/projects/GZZD-9001", "/warnings", "/projects/report?month=" + reportMonth, "/enterprises/" + codeAuto,
		"/scorecards", "/scorecards/department/" + url.PathEscape(testDept)} {
		if _, body := f.get(t, path, ""); !strings.Contains(body, `id="demo-note"`) {
			t.Errorf("%s: a demo project shown without 演示数据", path)
		}
	}
	if _, body := f.get(t, "/projects/GZ-0001", ""); strings.Contains(body, `id="demo-note"`) {
		t.Error("a real project is labelled demo")
	}
}

func TestLanguageCookie(t *testing.T) {
	f := newFixture(t)
	res, _ := f.get(t, "/?lang=en", "")
	var got string
	for _, c := range res.Cookies() {
		if c.Name == "lang" {
			got = c.Value
		}
	}
	if got != "en" {
		t.Errorf("lang cookie = %q, want en", got)
	}
	_, body := f.get(t, "/enterprises?lang=en&district=440112", "")
	if !strings.Contains(body, `href="/enterprises?district=440112&amp;lang=zh"`) {
		t.Errorf("switch link does not keep the filter")
	}
}

func TestStatic(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/", "")
	for _, name := range []string{"css/site.css", "js/charts.js", "vendor/echarts/echarts.min.js"} {
		m := regexp.MustCompile(`"(/static/` + regexp.QuoteMeta(strings.TrimSuffix(name, filepath.Ext(name))) + `\.[0-9a-f]{12}` + regexp.QuoteMeta(filepath.Ext(name)) + `)"`).FindStringSubmatch(body)
		if m == nil {
			t.Errorf("page does not link a fingerprinted %s", name)
			continue
		}
		req := httptest.NewRequest("GET", m[1], nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("GET %s = %d", m[1], rec.Code)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s Cache-Control = %q", m[1], cc)
		}
		if ce := rec.Header().Get("Content-Encoding"); ce != "gzip" {
			t.Errorf("GET %s Content-Encoding = %q, want gzip", m[1], ce)
		}
	}
	for _, path := range []string{"/static/css/site.css", "/static/css/site.000000000000.css"} {
		if res, _ := f.get(t, path, ""); res.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", path, res.StatusCode)
		}
	}
}

func TestParseTemplatesFailsOnMissingView(t *testing.T) {
	fsys := fstest.MapFS{"templates/layout.html": {Data: []byte(`{{define "layout"}}{{template "content" .}}{{end}}`)}}
	for _, name := range pageNames[1:] {
		fsys["templates/"+name+".html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}x{{end}}`)}
	}
	a := &assets{byName: map[string]string{}}
	if _, err := parseTemplates(fsys, a); err == nil || !strings.Contains(err.Error(), pageNames[0]) {
		t.Errorf("parseTemplates without %s = %v, want an error naming it", pageNames[0], err)
	}
	fsys["templates/"+pageNames[0]+".html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}x{{end}}`)}
	if _, err := parseTemplates(fsys, a); err != nil {
		t.Errorf("parseTemplates with every view = %v", err)
	}
}

func TestMessagesComplete(t *testing.T) {
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q lacks a language: %q", k, m)
		}
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{scaled(123456789, 100, 2), "1,234,567.89"},
		{scaled(5, 10, 0), "1"},
		{scaled(-150, 100, 1), "-1.5"},
		{scaled(0, 100, 2), "0.00"},
		{scaled(999_999, 1_000_000, 2), "1.00"},
		{yiYuan("zh", 1_000_000_000_000), "10,000 亿元"},
		{yiYuan("zh", 123_456_000_000), "1,234.56 亿元"},
		{yiYuan("en", 123_456_000_000), "123.5 bn yuan"},
		{bigYuan("zh", 4_000_000_000_000), "4 万亿元"},
		{bigYuan("en", 6_000_000_000_000), "6 trillion yuan"},
		{bigYuan("zh", 500_000_000_000), "5,000 亿元"},
		{fenMoney("zh", 23_000_000_000), "2.30 亿元"},
		{fenMoney("zh", 9_999_990_000), "9,999.99 万元"},
		{fenMoney("zh", 1_234_567_890_123), "123.46 亿元"},
		{fenMoney("en", 23_000_000_000), "230.00 m yuan"},
		{fenMoney("en", 1_234_567_890_123), "12.35 bn yuan"},
		{fenMoney("zh", 1), "0.00 万元"},
		{string(chartNumber(123_456_789_012, yuanPerYi, 2)), "1234.57"},
		{percent(0.075), "7.5%"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// The targets chart leaves a cluster without figures empty (null), never
// at 0: missing data is unknown.
func TestTargetChartUnknownIsNull(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/", "")
	m := regexp.MustCompile(`(?s)<script type="application/json" id="chart-targets-data">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no targets chart data")
	}
	var ch struct {
		Names  []string   `json:"names"`
		Latest []*float64 `json:"latest"`
	}
	if err := json.Unmarshal([]byte(m[1]), &ch); err != nil {
		t.Fatalf("%v: %s", err, m[1])
	}
	known, unknown := 0, 0
	for i, name := range ch.Names {
		switch {
		case name == autoZH && (ch.Latest[i] == nil || *ch.Latest[i] <= 0):
			t.Errorf("%s: latest %v, want its figure", name, ch.Latest[i])
		case ch.Latest[i] == nil:
			unknown++
		default:
			known++
		}
	}
	if known != 1 || unknown == 0 {
		t.Errorf("%d clusters with a figure, %d without; want 1 and some null: %s", known, unknown, m[1])
	}
}
