package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chromedp/chromedp"
)

// lcFixture is the lifecycle on a demo base: the shipped policies run and
// one publicised by the operator, two objections raised, the services
// guarded as serve guards them, and a clock the test moves.
type lcFixture struct {
	h                  http.Handler
	store              *sqlstore.Store
	now                *time.Time
	run                *policy.Run
	pid, dept          string
	granted, leftOut   string
	grantedName        string
	objGranted, objOut int64
	official, other    *chanye.Actor
	leader             *chanye.Actor
}

func newLCFixture(t testing.TB) *lcFixture {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	db, store := sqlstoretest.NewWithDB(t)
	now := policyToday()
	clock := func() time.Time { return now }
	db.Now = clock
	asOf := chanye.DateOf(now)
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: asOf, Enterprises: 300, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Now: clock, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	run, err := eng.Run(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	f := &lcFixture{store: store, now: &now, run: run}
	best := 0
	for _, p := range run.Policies {
		if p.Eligible > best {
			best, f.pid = p.Eligible, p.ID
		}
	}
	v, err := store.FindPolicyVersion(ctx, f.pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.dept = v.Policy.Department
	if _, err := store.Publicise(ctx, run.ID, f.pid, 5); err != nil {
		t.Fatal(err)
	}
	ds, _, err := store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, PolicyID: &f.pid, Limit: 1000})
	if err != nil || len(ds) < 1 {
		t.Fatalf("decisions: %d, %v", len(ds), err)
	}
	on := map[string]bool{}
	for _, d := range ds {
		on[d.Code] = true
	}
	f.granted, f.grantedName = ds[0].Code, ds[0].Name
	es, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 300})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if !on[e.Code] {
			f.leftOut = e.Code
			break
		}
	}
	object := func(code string, reason string) int64 {
		o := &policy.Objection{Ref: policy.DecisionRef{RunID: run.ID, PolicyID: f.pid, Code: code}, Reason: reason}
		if err := store.CreateObjection(chanye.WithActor(context.Background(), &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: code}), o); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	f.objGranted = object(f.granted, "金额应按 2025 年数据计算")
	f.objOut = object(f.leftOut, "本企业 2025 年营业收入 1234.56 万元，统计有误")
	other := "市科技局"
	if f.dept == other {
		other = "市工业和信息化局"
	}
	f.official = &chanye.Actor{Name: "经办人", Role: chanye.RoleDepartment, Department: f.dept}
	f.other = &chanye.Actor{Name: "他局", Role: chanye.RoleDepartment, Department: other}
	f.leader = &chanye.Actor{Name: "市领导", Role: chanye.RoleLeader}
	h, err := NewHandler(Config{Now: clock, Catalog: authz.Catalog(store), Enterprises: authz.Enterprises(store, clock),
		Policies: authz.Policies(store.PolicyServices()), Engine: authz.Engine(eng, store)})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

// as serves the handler as actor a (nil: the public).
func (f *lcFixture) as(a *chanye.Actor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a != nil {
			r = r.WithContext(chanye.WithActor(r.Context(), a))
		}
		f.h.ServeHTTP(w, r)
	})
}

func (f *lcFixture) do(t *testing.T, a *chanye.Actor, method, path string, form url.Values) (int, string, string) {
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
	f.as(a).ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location"), rec.Body.String()
}

// want fails unless the page answered status and holds each of want.
func want(t *testing.T, what string, status int, body string, wantStatus int, want ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d\n%.1500s", what, status, wantStatus, body)
		return
	}
	if strings.HasPrefix(body, "<!DOCTYPE") {
		checkPage(t, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: lacks %q", what, w)
		}
	}
}

// TestLifecyclePages walks the officials' side through every state: the
// objection queue, a reply each way, a correction and a re-decision, the
// approval under the four-eyes rule, payments with the treasury's
// reference, the payment file and a reversal; and checks that the
// enterprise sees the reply, 已拨付 with its reference and the reversal.
func TestLifecyclePages(t *testing.T) {
	f := newLCFixture(t)
	ent := &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: f.granted}
	obj := func(id int64) string { return "/objections/" + strconv.FormatInt(id, 10) }
	q := "?run=" + strconv.FormatInt(f.run.ID, 10) + "&policy=" + f.pid

	// Who sees the pages.
	s, _, b := f.do(t, f.official, "GET", "/objections", nil)
	want(t, "queue, department", s, b, 200, `id="objection-queue"`, f.granted, f.leftOut, "本企业 2025 年营业收入", `id="nav-lifecycle"`)
	s, _, b = f.do(t, f.other, "GET", "/objections", nil)
	want(t, "queue, another department", s, b, 200, `id="no-objections"`)
	s, _, _ = f.do(t, f.other, "GET", obj(f.objGranted), nil)
	want(t, "objection, another department", s, "", 403)
	s, _, b = f.do(t, f.leader, "GET", obj(f.objGranted), nil)
	want(t, "objection, leader", s, b, 200, `id="objection-explanation"`, "金额应按 2025 年数据计算")
	if strings.Contains(b, `id="resolve-form"`) {
		t.Errorf("a leader is shown the reply form")
	}
	s, _, b = f.do(t, ent, "GET", "/objections", nil)
	want(t, "queue, enterprise", s, b, 403, "无权访问", "的账号无权打开此页面", "（企业）")
	if strings.Contains(b, "may not") {
		t.Errorf("the 403 page speaks the rules' English:\n%s", b)
	}
	if strings.Contains(b, `id="nav-lifecycle"`) {
		t.Errorf("an enterprise is shown the lifecycle link")
	}
	s, loc, _ := f.do(t, nil, "GET", "/approvals", nil)
	if s != http.StatusFound || !strings.HasPrefix(loc, "/login") {
		t.Errorf("approvals, public: %d %q, want the login page", s, loc)
	}

	// A reply is required; then reject one and uphold the other.
	s, _, b = f.do(t, f.official, "GET", obj(f.objGranted), nil)
	want(t, "objection, open", s, b, 200, `id="resolve-form"`, `id="objection-explanation"`, "✓")
	s, _, b = f.do(t, f.official, "POST", obj(f.objGranted)+"/resolve", url.Values{"decision": {"reject"}, "reply": {" "}})
	want(t, "reply missing", s, b, 400, `id="resolve-error"`, "请填写答复内容")
	const reply = "经核对，认定与金额依据 2025 年度统计数据，决定维持。"
	s, loc, _ = f.do(t, f.official, "POST", obj(f.objGranted)+"/resolve", url.Values{"decision": {"reject"}, "reply": {reply}})
	if s != http.StatusSeeOther || !strings.Contains(loc, "done=reject") {
		t.Fatalf("reject: %d %q", s, loc)
	}
	s, _, b = f.do(t, f.official, "GET", loc, nil)
	want(t, "objection, rejected", s, b, 200, `id="done"`, reply, "异议不成立")
	s, loc, _ = f.do(t, f.official, "POST", obj(f.objOut)+"/resolve", url.Values{"decision": {"uphold"}, "reply": {"异议成立，更正营业收入后重新判定。"}})
	if s != http.StatusSeeOther {
		t.Fatalf("uphold: %d", s)
	}
	s, _, b = f.do(t, f.official, "GET", loc, nil)
	want(t, "objection, upheld", s, b, 200, `id="correct-form"`, `id="redecide-form"`)

	// Correct the figure: 1234.56 万元 is exactly 12,345,600.00 元.
	year := strconv.Itoa(chanye.DateOf(*f.now).Year() - 1)
	fix := url.Values{"year": {year}, "figure": {"revenue_fen"}, "value": {"1234.5601"}, "unit": {"wan"}, "source": {"企业提交的审计报告"}, "as_of": {chanye.DateOf(*f.now).String()}}
	fix.Set("source", "")
	s, _, b = f.do(t, f.official, "POST", obj(f.objOut)+"/facts", fix)
	want(t, "correction without a source", s, b, 400, `id="correct-error"`)
	fix.Set("source", "企业提交的审计报告")
	fix.Set("value", "1234.5612345")
	s, _, b = f.do(t, f.official, "POST", obj(f.objOut)+"/facts", fix)
	want(t, "correction below the fen", s, b, 400, "六位小数")
	fix.Set("value", "1234.56")
	s, loc, _ = f.do(t, f.official, "POST", obj(f.objOut)+"/facts", fix)
	if s != http.StatusSeeOther || !strings.Contains(loc, "done=corrected") {
		t.Fatalf("correct: %d %q", s, loc)
	}
	e, err := f.store.FindEnterpriseByCode(context.Background(), f.leftOut)
	if err != nil {
		t.Fatal(err)
	}
	for _, fc := range e.Facts {
		if strconv.Itoa(fc.Year) == year && (fc.Revenue == nil || *fc.Revenue != 12_345_600_00 || fc.Source != "企业提交的审计报告") {
			t.Errorf("corrected facts %d: revenue %v from %q, want 12,345,600.00 yuan from the audited accounts", fc.Year, fc.Revenue, fc.Source)
		}
	}
	s, _, b = f.do(t, f.official, "GET", obj(f.objOut), nil)
	want(t, "objection, corrected", s, b, 200, `id="events"`, "更正数据", "企业提交的审计报告")
	s, loc, _ = f.do(t, f.official, "POST", obj(f.objOut)+"/redecide", url.Values{})
	if s != http.StatusSeeOther || !strings.HasPrefix(loc, "/runs/") {
		t.Fatalf("re-decide: %d %q", s, loc)
	}
	s, _, _ = f.do(t, f.other, "POST", obj(f.objOut)+"/redecide", url.Values{})
	want(t, "re-decide, another department", s, "", 403)

	// The enterprise sees the reply on its page.
	s, _, b = f.do(t, ent, "GET", "/enterprises/"+f.granted+"/policies", nil)
	want(t, "enterprise, reply", s, b, 200, `id="my-objections"`, reply)

	// Approval: in the window nothing is ready; after it, four eyes.
	s, _, b = f.do(t, f.official, "GET", "/approvals"+q, nil)
	want(t, "approvals, in the window", s, b, 200, `id="none-ready"`, `id="budget"`)
	*f.now = f.now.AddDate(0, 0, 10)
	s, _, b = f.do(t, f.official, "GET", "/approvals", nil)
	want(t, "approvals, index", s, b, 200, `id="pairs"`, "/approvals"+strings.ReplaceAll(q, "&", "&amp;"))
	s, _, b = f.do(t, f.official, "GET", "/approvals"+q, nil)
	want(t, "approvals, ready", s, b, 200, `id="ready"`, `id="approve-all"`, f.granted, "预算", `id="budget-lines"`, "拒绝超额审批")
	s, _, b = f.do(t, f.leader, "GET", "/approvals"+q, nil)
	want(t, "approvals, leader", s, b, 200, `id="ready"`)
	if strings.Contains(b, `id="approve-all"`) {
		t.Errorf("a leader is shown the approve button")
	}
	s, _, b = f.do(t, chanye.Operator, "POST", "/approvals", url.Values{"run": {strconv.FormatInt(f.run.ID, 10)}, "policy": {f.pid}, "scope": {"all"}})
	want(t, "approve, the runner", s, b, 403, `id="approve-error"`, "四眼原则")
	s, loc, _ = f.do(t, f.official, "POST", "/approvals", url.Values{"run": {strconv.FormatInt(f.run.ID, 10)}, "policy": {f.pid}, "scope": {"all"}})
	if s != http.StatusSeeOther || !strings.Contains(loc, "done=") {
		t.Fatalf("approve all: %d %q", s, loc)
	}

	// Payments: the day is bounded; then the whole batch with one voucher.
	s, _, b = f.do(t, f.official, "GET", "/payments"+q, nil)
	want(t, "payments, approved", s, b, 200, `id="pay-form"`, `id="pay-all"`, `id="file-csv"`, f.granted)
	pay := url.Values{"run": {strconv.FormatInt(f.run.ID, 10)}, "policy": {f.pid}, "scope": {"all"},
		"paid_on": {chanye.DateOf(f.now.AddDate(0, 0, 1)).String()}, "voucher": {"记-2026-1126"}, "batch": {"GK20261126001"}}
	s, _, b = f.do(t, f.official, "POST", "/payments", pay)
	want(t, "pay tomorrow", s, b, 400, `id="pay-error"`, "paid_on")
	pay.Set("paid_on", chanye.DateOf(*f.now).String())
	pay.Set("voucher", "")
	s, _, b = f.do(t, f.official, "POST", "/payments", pay)
	want(t, "pay without a voucher", s, b, 400, "voucher")
	pay.Set("voucher", "记-2026-1126")
	s, _, _ = f.do(t, f.leader, "POST", "/payments", pay)
	want(t, "pay, leader", s, "", 403)
	s, loc, _ = f.do(t, f.official, "POST", "/payments", pay)
	if s != http.StatusSeeOther {
		t.Fatalf("pay all: %d", s)
	}
	s, _, b = f.do(t, f.official, "GET", loc, nil)
	want(t, "payments, paid", s, b, 200, `id="done"`, "凭证号 记-2026-1126", "批次号 GK20261126001", `id="reverse-form"`)
	s, _, b = f.do(t, f.official, "GET", "/payments/file"+q+"&format=csv", nil)
	want(t, "payment file", s, b, 200, "entitlement,code,name,amount_yuan", f.granted, "记-2026-1126", "GK20261126001")

	// The enterprise sees 已拨付 with the day and the reference.
	paidOn := chanye.DateOf(*f.now).String()
	s, _, b = f.do(t, ent, "GET", "/enterprises/"+f.granted+"/policies", nil)
	want(t, "enterprise, paid", s, b, 200, "已拨付 "+paidOn+" · 凭证号 记-2026-1126 · 批次号 GK20261126001")

	// A reversal needs a reason, which the enterprise then reads.
	rev := url.Values{"run": {strconv.FormatInt(f.run.ID, 10)}, "policy": {f.pid}, "code": {f.granted}, "reason": {""}}
	s, _, b = f.do(t, f.official, "POST", "/reversals", rev)
	want(t, "reverse without a reason", s, b, 400, "reason")
	rev.Set("reason", "认定被撤销，款项追回")
	s, loc, _ = f.do(t, f.official, "POST", "/reversals", rev)
	if s != http.StatusSeeOther || !strings.Contains(loc, "done=reversed") {
		t.Fatalf("reverse: %d %q", s, loc)
	}
	s, _, b = f.do(t, ent, "GET", "/enterprises/"+f.granted+"/policies", nil)
	want(t, "enterprise, reversed", s, b, 200, "已冲回", "认定被撤销，款项追回")
	s, _, b = f.do(t, ent, "GET", "/enterprises/"+f.granted+"/policies?lang=en", nil)
	want(t, "enterprise, English", s, b, 200, "Reversed", "Reply")
}

// TestObjectionOfANeedsDataFirm: a firm the run left out because figures
// are missing objects; the objection page explains it live as needing
// data, names the figures and shows no amount (issue 9, point 1, with the
// objection queue of point 8).
func TestObjectionOfANeedsDataFirm(t *testing.T) {
	f := newLCFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	pid := ""
	for _, p := range f.run.Policies {
		if p.NeedsData > 0 && pid == "" {
			pid = p.ID
		}
	}
	if pid == "" {
		t.Fatalf("no firm needs data in the demo run %+v: the test needs one", f.run.Policies)
	}
	if pid != f.pid {
		if _, err := f.store.Publicise(ctx, f.run.ID, pid, 5); err != nil {
			t.Fatal(err)
		}
	}
	nd := policy.VerdictNeedsData
	needs, _, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &f.run.ID, PolicyID: &pid, Verdict: &nd, Limit: 1})
	if err != nil || len(needs) != 1 {
		t.Fatalf("needs-data decisions of %s: %d, %v", pid, len(needs), err)
	}
	d := needs[0]
	o := &policy.Objection{Ref: policy.DecisionRef{RunID: f.run.ID, PolicyID: pid, Code: d.Code}, Reason: "本企业已报送数据"}
	if err := f.store.CreateObjection(chanye.WithActor(context.Background(), &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: d.Code}), o); err != nil {
		t.Fatal(err)
	}
	s, _, b := f.do(t, f.official, "GET", "/objections/"+strconv.FormatInt(o.ID, 10), nil)
	want(t, "objection of a needs-data firm", s, b, 200, `class="status s-needs_data"`, "所需数据", d.Needs[0].LabelZH)
	if strings.Contains(b, `<span class="amount">0.00`) {
		t.Errorf("the needs-data decision shows an amount of 0")
	}
}

// TestPublicityIssuerContactSearch: the public list names the issuing
// unit and where objections go, and finds a company by name or code.
func TestPublicityIssuerContactSearch(t *testing.T) {
	f := newLCFixture(t)
	name := []rune(f.grantedName)
	part := string(name[len(name)/2-1 : len(name)/2+2])
	for _, c := range []struct {
		what, path string
		want       []string
	}{
		{"issuer and contact", "/public/publicity", []string{"发文单位", "异议受理", f.dept, "在线提出异议", `id="publicity-q"`}},
		{"by name", "/public/publicity?q=" + url.QueryEscape(part), []string{f.granted}},
		{"by code", "/public/publicity?q=" + f.granted[:14], []string{f.granted}},
		{"no match", "/public/publicity?q=" + url.QueryEscape("无此企业名称"), []string{"共 0 条"}},
		{"English", "/public/publicity?lang=en", []string{"Issued by", "Objections to"}},
	} {
		s, _, b := f.do(t, nil, "GET", c.path, nil)
		want(t, c.what, s, b, 200, c.want...)
	}
	// No phone or e-mail is shown that the policy file does not give.
	if _, _, b := f.do(t, nil, "GET", "/public/publicity", nil); strings.Contains(b, "电话 ") || strings.Contains(b, "邮箱 ") {
		t.Errorf("the public list shows a phone or e-mail no policy gives")
	}
}

// TestBrowserLifecycle works the objection reply, the approval and the
// payment pages in Chromium as the department's official, then opens the
// enterprise's page and the public list at 390 px: the reply and 已拨付
// with its reference show, and nothing scrolls sideways.
func TestBrowserLifecycle(t *testing.T) {
	chromiumPath(t)
	f := newLCFixture(t)
	official := httptest.NewServer(f.as(f.official))
	defer official.Close()
	firm := httptest.NewServer(f.as(&chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: f.granted}))
	defer firm.Close()
	ctx := newBrowser(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	q := "?run=" + strconv.FormatInt(f.run.ID, 10) + "&policy=" + f.pid
	const reply = "经核对，决定维持。"

	// The reply to an objection, from the queue.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(official.URL+"/objections?lang=zh"),
		chromedp.WaitVisible(css(`#objection-queue`)),
		chromedp.Click(css(`tr[data-objection="`+strconv.FormatInt(f.objGranted, 10)+`"] a`)),
		chromedp.WaitVisible(css(`#resolve-form`)),
		chromedp.SendKeys(css(`#resolve-form textarea`), reply),
		chromedp.Click(css(`#reject`)),
		chromedp.WaitVisible(css(`#done`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `#objection-reply`); got != reply {
		t.Errorf("reply shown %q, want %q", got, reply)
	}

	// After the window: approve everything ready, then pay it.
	*f.now = f.now.AddDate(0, 0, 10)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(official.URL+"/approvals"+q),
		chromedp.WaitVisible(css(`#ready`)),
		chromedp.Click(css(`#approve-all`)),
		chromedp.WaitVisible(css(`#done`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `#approved-count`); got == "0" {
		t.Errorf("approved count after approving all: %s", got)
	}
	// The budget line: the budget for the period, what is decided,
	// approved and paid across runs, and what is left.
	if got := text(t, ctx, `#budget-lines`); !strings.Contains(got, "拒绝超额审批") || !strings.Contains(got, "余额") || !strings.Contains(got, "已审批") {
		t.Errorf("the approval page's budget line: %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(official.URL+"/payments"+q),
		chromedp.WaitVisible(css(`#pay-form`)),
		chromedp.SendKeys(css(`input[name="voucher"]`), "记-2026-1126"),
		chromedp.SendKeys(css(`input[name="batch"]`), "GK20261126001"),
		chromedp.Click(css(`#pay-all`)),
		chromedp.WaitVisible(css(`#done`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `#to-pay`); !strings.Contains(got, "凭证号 记-2026-1126") || !strings.Contains(got, "批次号 GK20261126001") {
		t.Errorf("paid list lacks the reference: %q", got)
	}

	// The enterprise and the public, on a phone.
	phone := func(u, sel string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(u),
			chromedp.WaitVisible(css(sel)),
		); err != nil {
			t.Fatal(err)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || wide > 390 {
			culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))`))
			t.Errorf("%s is %d px wide at 390 px (%v): it scrolls sideways; widest: %v", u, wide, err, culprits)
		}
	}
	phone(firm.URL+"/enterprises/"+f.granted+"/policies?lang=zh", `#my-objections`)
	if got := text(t, ctx, `#my-objections`); !strings.Contains(got, reply) {
		t.Errorf("the enterprise does not see the reply: %q", got)
	}
	if got := text(t, ctx, `table.stored`); !strings.Contains(got, "已拨付 "+chanye.DateOf(*f.now).String()+" · 凭证号 记-2026-1126 · 批次号 GK20261126001") {
		t.Errorf("the enterprise does not see 已拨付 with its reference: %q", got)
	}
	phone(firm.URL+"/public/publicity?lang=zh", `#publicity-q`)
}
