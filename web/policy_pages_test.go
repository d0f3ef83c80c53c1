package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// policyFixture is a handler on a store holding 1,000 demo enterprises,
// the shipped policies published, one run and one policy publicised.
type policyFixture struct {
	h         http.Handler
	store     *sqlstore.Store
	run       *policy.Run
	publicID  string // the publicised policy
	granted   string // an enterprise on the public list
	leftOut   string // an enterprise not on it
	eligibles map[string]bool
}

const demoPolicyFirms = 1000

// policyToday is the clock of the policy fixture.
var policyToday = testclock.Fixed("2026-11-16")

func newPolicyFixture(t testing.TB) *policyFixture {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	// The shipped policies are dated: the base, the run and the pages'
	// "today" are pinned to days on which all of them are in force,
	// whatever the test clock says.
	db, store := sqlstoretest.NewWithDB(t)
	db.Now = policyToday
	asOf := chanye.DateOf(policyToday())
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: asOf, Enterprises: demoPolicyFirms, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Now: policyToday, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if n, err := eng.EnsureShipped(ctx, true); err != nil || n != len(policy.Shipped()) {
		t.Fatalf("EnsureShipped = %d, %v; want %d", n, err, len(policy.Shipped()))
	}
	run, err := eng.Run(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	f := &policyFixture{store: store, run: run, eligibles: map[string]bool{}}
	// Publicise the policy with the most eligible firms.
	best := -1
	for _, p := range run.Policies {
		if p.Eligible > best {
			best, f.publicID = p.Eligible, p.ID
		}
	}
	if best <= 0 {
		t.Fatalf("run %d decided nobody eligible: %+v", run.ID, run.Policies)
	}
	if _, err := store.Publicise(ctx, run.ID, f.publicID, 5); err != nil {
		t.Fatal(err)
	}
	ds, _, err := store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, PolicyID: &f.publicID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		f.eligibles[d.Code] = true
	}
	f.granted = ds[0].Code
	codes, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range codes {
		if !f.eligibles[e.Code] {
			f.leftOut = e.Code
			break
		}
	}
	h, err := NewHandler(Config{Now: policyToday, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng, Version: "v-test"})
	if err != nil {
		t.Fatal(err)
	}
	f.h = asOperator(h)
	return f
}

func (f *policyFixture) do(t *testing.T, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// checkPage fails on a missing message key or any inline script.
func checkPage(t *testing.T, body string) {
	t.Helper()
	if strings.Contains(body, "⟦") {
		t.Errorf("missing message: %s", regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(body))
	}
	for _, m := range regexp.MustCompile(`<script([^>]*)>([^<]*)</script>`).FindAllStringSubmatch(body, -1) {
		json, src := strings.Contains(m[1], `type="application/json"`), strings.Contains(m[1], "src=")
		if !json && (!src || strings.TrimSpace(m[2]) != "") {
			t.Errorf("inline script in page: %s", m[0])
		}
	}
	if regexp.MustCompile(`\son[a-z]+=`).MatchString(body) {
		t.Errorf("inline event handler in page")
	}
}

func TestPolicyPages(t *testing.T) {
	f := newPolicyFixture(t)
	runID := strconv.FormatInt(f.run.ID, 10)
	const giant = "gz-little-giant-reward"
	tests := []struct {
		name, path string
		status     int
		want       []string
		notWant    []string
	}{
		{"list zh", "/policies", 200, []string{"惠企政策", "穗府办规〔2025〕13号", "免申即享", "示例，非正式文件", "已发布", "新认定专精特新“小巨人”企业奖励", "30,000"}, nil},
		{"list en", "/policies?lang=en", 200, []string{"Benefit policies", "No application", "Example, not an official text", "published", `Reward for newly recognised &#34;little giant&#34; enterprises`}, []string{"惠企政策</h1>"}},
		{"policy zh", "/policies/" + giant, 200, []string{"现为专精特新“小巨人”企业", "e.tier.little_giant.first_year == p.cohort_year", "2025 年认定、2026 年兑现", "p.reward", "1,000,000.00 元", "封顶 1,000,000.00 元", "✓ 通过", "一、（一）", "模拟测算", "v1"}, []string{"发布此版本"}},
		{"policy en", "/policies/" + giant + "?lang=en", 200, []string{"Holds the little giant recognition", "capped at 1,000,000.00 yuan", "Test cases", "Run a simulation"}, nil},
		{"policy unknown", "/policies/no-such-policy", 404, []string{"404"}, nil},
		{"policy bad version", "/policies/" + giant + "?version=x", 400, []string{"版本号有误"}, nil},
		{"editor", "/policies/" + giant + "/edit", 200, []string{"检查 Check", "保存为新版本 Save as new version", "e.fy1.rd_ratio", "研发投入强度（上年度）", "id: gz-little-giant-reward", "p.reward"}, nil},
		{"editor en", "/policies/new?lang=en", 200, []string{"Schema variables", "R&amp;D ratio (last fiscal year)", "Save as new version", "id: my-policy"}, nil},
		{"simulate zh", "/policies/example-rd-subsidy/simulate", 200, []string{"模拟测算", "符合企业", "预算", "chart-sim-data", "按产业", "按规模", "已发布版本", "与已发布版本没有差别", `id="budget-lines"`, "拒绝超额审批", "余额（元）"}, nil},
		{"simulate en", "/policies/example-rd-subsidy/simulate?lang=en&as_of=2026-06-30", 200, []string{"Simulation", "Eligible firms", "Budget", "By industry", "2026-06-30"}, nil},
		{"simulate bad date", "/policies/example-rd-subsidy/simulate?as_of=tomorrow", 400, []string{"基准日有误"}, nil},
		{"decisions", "/decisions", 200, []string{"政策兑现决定", "公示中", "已计算", "第 " + runID + " 批"}, nil},
		{"decisions filtered", "/decisions?run=" + runID + "&policy=" + f.publicID + "&status=publicised&code=" + f.granted, 200, []string{"共 1 条", f.granted}, nil},
		{"decisions en", "/decisions?lang=en", 200, []string{"Decisions", "publicised", "Amount (yuan)"}, nil},
		{"decisions bad status", "/decisions?status=lost", 400, []string{"未知状态"}, nil},
		{"decisions bad code", "/decisions?code=123", 400, []string{"筛选条件有误"}, nil},
		{"runs", "/runs", 200, []string{"批量计算", "运行 Run", "#" + runID}, nil},
		{"runs en", "/runs?lang=en", 200, []string{"Runs", "Data snapshot"}, nil},
		{"run", "/runs/" + runID, 200, []string{"按政策", "公示中", "公示 5 个工作日"}, nil},
		{"run en", "/runs/" + runID + "?lang=en", 200, []string{"By policy", "Run " + runID}, nil},
		{"run unknown", "/runs/999", 404, []string{"404"}, nil},
		{"publicity zh", "/public/publicity", 200, []string{"免申即享公示", f.granted, "如何提出异议", "/enterprises/" + f.granted + "/policies#objection"}, []string{"发布此版本", "运行 Run", `name="as_of"`}},
		{"publicity en", "/public/publicity?lang=en", 200, []string{"Public notice of benefits", "How to object", f.granted}, nil},
		{"enterprise tab", "/enterprises/" + f.granted, 200, []string{`href="/enterprises/` + f.granted + `/policies"`, "惠企政策"}, nil},
		{"enterprise policies zh", "/enterprises/" + f.granted + "/policies", 200, []string{"符合条件", "差一项条件", "已计算的决定", "公示中", "对未获认定提出异议 I was left out", "提交异议"}, nil},
		{"enterprise policies en", "/enterprises/" + f.granted + "/policies?lang=en", 200, []string{"Granted", "Near misses", "Stored decisions", "I was left out"}, nil},
		{"enterprise policies bad code", "/enterprises/123/policies", 400, []string{"统一社会信用代码有误"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "GET", tt.path, nil)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d\n%.2000s", res.StatusCode, tt.status, body)
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

// TestNearMissShowsGap finds an enterprise that misses a policy by one
// numeric condition and checks the page says by how much.
func TestNearMissShowsGap(t *testing.T) {
	f := newPolicyFixture(t)
	ctx := context.Background()
	eng := engine.New(engine.Config{Now: policyToday, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store})
	list, _, err := f.store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: demoPolicyFirms})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		ed, err := eng.ExplainEnterprise(ctx, e.Code, chanye.Date{})
		if err != nil {
			t.Fatal(err)
		}
		for _, nm := range ed.NearMisses {
			for _, o := range nm.Decision.Conditions {
				if len(o.Gaps) == 0 {
					continue
				}
				_, body := f.do(t, "GET", "/enterprises/"+e.Code+"/policies", nil)
				if want := o.Gaps[0].MessageZH; !strings.Contains(body, want) {
					t.Errorf("near-miss page of %s lacks the gap %q", e.Code, want)
				}
				_, body = f.do(t, "GET", "/enterprises/"+e.Code+"/policies?lang=en", nil)
				if want := o.Gaps[0].MessageEN; !strings.Contains(body, want) {
					t.Errorf("English near-miss page of %s lacks the gap %q", e.Code, want)
				}
				return
			}
		}
	}
	t.Skip("no near miss with a numeric gap among the demo firms")
}

func TestPolicyEditor(t *testing.T) {
	f := newPolicyFixture(t)
	const id = "example-rd-subsidy"
	v, err := f.store.FindPolicyVersion(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	src := string(v.Source)

	t.Run("bad expression kept and shown inline", func(t *testing.T) {
		bad := strings.Replace(src, "expr: e.fy1.rd_ratio >= p.min_rd_ratio", "expr: e.fy1.rd_ratoi >= p.min_rd_ratio", 1)
		if bad == src {
			t.Fatal("fixture: the condition to break is not in the source")
		}
		res, body := f.do(t, "POST", "/policies/"+id+"/edit", url.Values{"source": {bad}, "action": {"save"}})
		if res.StatusCode != 400 {
			t.Errorf("status = %d, want 400", res.StatusCode)
		}
		for _, w := range []string{"未知变量 e.fy1.rd_ratoi", "e.fy1.rd_ratio", "<code>rd_ratio</code>", "1:1", `class="err"`, "e.fy1.rd_ratoi &gt;= p.min_rd_ratio", "第 "} {
			if !strings.Contains(body, w) {
				t.Errorf("body lacks %q", w)
			}
		}
		checkPage(t, body)
		all, _, _ := f.store.FindPolicies(context.Background(), policy.VersionFilter{PolicyID: ptr(id)})
		if len(all) != 1 {
			t.Errorf("a bad save stored a version: %d versions", len(all))
		}
	})
	t.Run("yaml error", func(t *testing.T) {
		res, body := f.do(t, "POST", "/policies/new?lang=en", url.Values{"source": {"id: x\n  bad: [\n"}, "action": {"check"}})
		if res.StatusCode != 400 || !strings.Contains(body, "YAML does not parse") {
			t.Errorf("status %d, body lacks the YAML error", res.StatusCode)
		}
	})
	t.Run("other id refused", func(t *testing.T) {
		other := strings.Replace(src, "id: "+id, "id: something-else", 1)
		res, body := f.do(t, "POST", "/policies/"+id+"/edit", url.Values{"source": {other}, "action": {"save"}})
		if res.StatusCode != 400 || !strings.Contains(body, "政策编号与所编辑的政策不同") {
			t.Errorf("status %d, body lacks the id error", res.StatusCode)
		}
	})
	t.Run("check runs cases", func(t *testing.T) {
		res, body := f.do(t, "POST", "/policies/"+id+"/edit", url.Values{"source": {src}, "action": {"check"}})
		if res.StatusCode != 200 || !strings.Contains(body, "编译通过") || !strings.Contains(body, "✓ 通过") {
			t.Errorf("status %d, check result missing", res.StatusCode)
		}
	})
	t.Run("failing case blocks publish", func(t *testing.T) {
		// Doubling the threshold breaks the cases that sit on it.
		changed := strings.Replace(src, "value: 0.03}", "value: 0.06}", 1)
		res, body := f.do(t, "POST", "/policies/"+id+"/edit", url.Values{"source": {changed}, "action": {"save"}})
		if res.StatusCode != 303 {
			t.Fatalf("save status = %d, want 303\n%.1500s", res.StatusCode, body)
		}
		loc := res.Header.Get("Location")
		if loc != "/policies/"+id+"?version=2" {
			t.Fatalf("redirect to %q", loc)
		}
		_, body = f.do(t, "GET", loc, nil)
		if !strings.Contains(body, "发布此版本") || !strings.Contains(body, "✗ 未通过") {
			t.Errorf("draft page lacks the publish button or the failing case")
		}
		res, body = f.do(t, "POST", "/policies/"+id+"/versions/2/publish", url.Values{})
		if res.StatusCode != 400 || !strings.Contains(body, "有未通过的测试用例，不能发布") || !strings.Contains(body, `id="publish-error"`) {
			t.Errorf("publish of a failing draft: status %d, no inline refusal", res.StatusCode)
		}
		checkPage(t, body)
	})
	t.Run("save and publish", func(t *testing.T) {
		changed := strings.Replace(src, `budget_yuan: "300000000.00"`, `budget_yuan: "200000000.00"`, 1)
		res, _ := f.do(t, "POST", "/policies/"+id+"/edit", url.Values{"source": {changed}, "action": {"save"}})
		if res.StatusCode != 303 {
			t.Fatalf("save status = %d", res.StatusCode)
		}
		n := strings.TrimPrefix(res.Header.Get("Location"), "/policies/"+id+"?version=")
		res, _ = f.do(t, "POST", "/policies/"+id+"/versions/"+n+"/publish", url.Values{})
		if res.StatusCode != 303 {
			t.Fatalf("publish status = %d", res.StatusCode)
		}
		_, body := f.do(t, "GET", "/policies", nil)
		if !strings.Contains(body, "20,000") {
			t.Errorf("list does not show the new budget 20,000 万元")
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestObjectionForm(t *testing.T) {
	f := newPolicyFixture(t)
	target := strconv.FormatInt(f.run.ID, 10) + "/" + f.publicID
	tests := []struct {
		name   string
		code   string
		form   url.Values
		status int
		want   []string
	}{
		{"no reason", f.granted, url.Values{"target": {target}}, 400, []string{"请写明理由", "异议未提交"}},
		{"no policy", f.granted, url.Values{"reason": {"金额有误"}}, 400, []string{"请选择政策", "金额有误"}},
		{"unknown target", f.granted, url.Values{"target": {"999/" + f.publicID}, "reason": {"x"}}, 400, []string{"该政策不在公示期内"}},
		{"listed but says left out", f.granted, url.Values{"target": {target}, "reason": {"x"}, "absent": {"1"}}, 400, []string{"请勿勾选"}},
		{"left out but not ticked", f.leftOut, url.Values{"target": {target}, "reason": {"我们也是小巨人"}}, 400, []string{"请勾选", "我们也是小巨人"}},
		{"too long", f.granted, url.Values{"target": {target}, "reason": {strings.Repeat("长", maxReason+1)}}, 400, []string{"理由不超过 2000 字"}},
		{"ok", f.granted, url.Values{"target": {target}, "reason": {"金额应按新口径计算"}}, 303, nil},
		{"second open objection", f.granted, url.Values{"target": {target}, "reason": {"again"}}, 400, []string{"again"}},
		{"left out ok", f.leftOut, url.Values{"target": {target}, "reason": {"本企业 2026 年新获认定"}, "absent": {"1"}}, 303, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "POST", "/enterprises/"+tt.code+"/objections", tt.form)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d\n%.1500s", res.StatusCode, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			checkPage(t, body)
		})
	}
	_, body := f.do(t, "GET", "/enterprises/"+f.granted+"/policies?objected=1", nil)
	for _, w := range []string{"异议已提交", "金额应按新口径计算", "处理中", "有异议"} {
		if !strings.Contains(body, w) {
			t.Errorf("page after objecting lacks %q", w)
		}
	}
	// Both made at the test clock's one instant: listed by code, not in the
	// order made (ids are not ordered across firms on Citus).
	obs, _, err := f.store.FindObjections(context.Background(), policy.ObjectionFilter{})
	byCode := map[string]*policy.Objection{}
	for _, o := range obs {
		byCode[o.Ref.Code] = o
	}
	if g, l := byCode[f.granted], byCode[f.leftOut]; err != nil || len(obs) != 2 || g == nil || g.By != chanye.Operator.String() || g.Absent || l == nil || !l.Absent {
		t.Errorf("objections stored: %v %+v", err, obs)
	}
}

func TestRunForm(t *testing.T) {
	f := newPolicyFixture(t)
	res, body := f.do(t, "POST", "/runs", url.Values{"as_of": {"yesterday"}})
	if res.StatusCode != 400 || !strings.Contains(body, "基准日有误") || !strings.Contains(body, `value="yesterday"`) {
		t.Errorf("bad date: status %d, no inline error with the input kept", res.StatusCode)
	}
	res, body = f.do(t, "POST", "/runs", url.Values{"as_of": {"2000-01-01"}})
	if res.StatusCode != 400 || !strings.Contains(body, "没有生效的已发布政策") {
		t.Errorf("a day with no policy in force: status %d", res.StatusCode)
	}
	res, _ = f.do(t, "POST", "/runs", url.Values{"as_of": {"2026-06-30"}})
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/runs/") {
		t.Fatalf("run: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = f.do(t, "GET", res.Header.Get("Location"), nil)
	if !strings.Contains(body, "基准日 2026-06-30") {
		t.Errorf("run page lacks its as-of date")
	}
	loc := res.Header.Get("Location")
	res, _ = f.do(t, "POST", loc+"/policies/"+f.publicID+"/publicise", url.Values{})
	if res.StatusCode != 303 {
		t.Errorf("publicise: status %d", res.StatusCode)
	}
	res, body = f.do(t, "POST", loc+"/policies/"+f.publicID+"/publicise", url.Values{})
	if res.StatusCode != 400 || !strings.Contains(body, `id="run-error"`) {
		t.Errorf("publicise twice: status %d, no inline error", res.StatusCode)
	}
}
