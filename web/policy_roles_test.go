package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestPolicyPagesByRole: the policy pages show the public no button that
// would fail — no simulate, edit, new, check or save — and checking a
// policy's cases needs an account, as on the API (it once ran any YAML for
// anyone); officials who write policies see and use them.
func TestPolicyPagesByRole(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	db, store := sqlstoretest.NewWithDB(t)
	db.Now = policyToday
	eng := engine.New(engine.Config{Now: policyToday, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Now: policyToday, Catalog: authz.Catalog(store), Enterprises: authz.Enterprises(store, policyToday),
		Policies: authz.Policies(store.PolicyServices()), Engine: authz.Engine(eng, store)})
	if err != nil {
		t.Fatal(err)
	}
	id := policy.Shipped()[0].ID
	src, err := store.FindPolicyVersion(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	do := func(a *chanye.Actor, method, path string, form url.Values) (int, string, string) {
		var r *http.Request
		if form != nil {
			r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		if a != nil {
			r = r.WithContext(chanye.WithActor(r.Context(), a))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code, rec.Header().Get("Location"), rec.Body.String()
	}
	check := url.Values{"source": {string(src.Source)}, "action": {"check"}}
	dept := &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: "市工业和信息化局"}
	ent := &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: "91440101MA5ALP4R4C"}

	for _, c := range []struct {
		name    string
		actor   *chanye.Actor
		path    string
		want    []string
		notWant []string
	}{
		{"policy, public", nil, "/policies/" + id, nil, []string{`id="simulate"`, `id="edit"`}},
		{"policy, its department", dept, "/policies/" + id, []string{`id="simulate"`, `id="edit"`}, nil},
		{"policy, another department", &chanye.Actor{Name: "科技局", Role: chanye.RoleDepartment, Department: "市科技局"}, "/policies/" + id, nil, []string{`id="simulate"`, `id="edit"`}},
		{"list, public", nil, "/policies", nil, []string{`id="new-policy"`}},
		{"list, department", dept, "/policies", []string{`id="new-policy"`}, nil},
		{"editor, public", nil, "/policies/new", []string{`id="signin"`}, []string{`id="check"`, `id="save"`}},
		{"editor, enterprise", ent, "/policies/new", []string{`id="signin"`}, []string{`id="check"`, `id="save"`}},
		{"editor, department", dept, "/policies/new", []string{`id="check"`, `id="save"`}, []string{`id="signin"`}},
	} {
		status, _, body := do(c.actor, "GET", c.path, nil)
		if status != http.StatusOK {
			t.Errorf("%s: status %d", c.name, status)
			continue
		}
		checkPage(t, body)
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: lacks %s", c.name, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%s: shows %s", c.name, w)
			}
		}
	}
	if status, loc, _ := do(nil, "POST", "/policies/new", check); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("check as the public: %d %q, want the login page", status, loc)
	}
	if status, _, _ := do(ent, "POST", "/policies/new", check); status != http.StatusForbidden {
		t.Errorf("check as an enterprise: %d, want 403", status)
	}
	if status, _, body := do(dept, "POST", "/policies/new", check); status != http.StatusOK || !strings.Contains(body, `id="check-result"`) {
		t.Errorf("check as a department: %d", status)
	}
}

// TestPagesRateLimited: the pages that evaluate over the whole base share
// the client's bucket with the API: past it, 429 with Retry-After.
func TestPagesRateLimited(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	db, store := sqlstoretest.NewWithDB(t)
	db.Now = policyToday
	eng := engine.New(engine.Config{Now: policyToday, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	lim := httpmw.NewLimiter(httpmw.RateLimit{PerMinute: 1, Burst: 1})
	now := policyToday()
	lim.Now = func() time.Time { return now }
	h, err := NewHandler(Config{Now: policyToday, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng, Projects: store, Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	h = asOperator(h)
	id := policy.Shipped()[0].ID
	for i, want := range []int{http.StatusOK, http.StatusTooManyRequests} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/policies/"+id+"/simulate", nil))
		if rec.Code != want {
			t.Fatalf("simulation %d: %d, want %d", i, rec.Code, want)
		}
		if want == http.StatusTooManyRequests && (rec.Header().Get("Retry-After") != "60" || !strings.Contains(rec.Body.String(), "60 秒后再试")) {
			t.Errorf("refused without saying when: Retry-After %q\n%.300s", rec.Header().Get("Retry-After"), rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/warnings", nil))
	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("the warning board shares the bucket: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/policies/"+id, nil))
	if rec.Code != http.StatusOK {
		t.Errorf("a policy page is not limited: %d", rec.Code)
	}
}

// TestRunAsOfBounded: the runs page refuses a day after today with the
// form shown again and the reason beside as_of.
func TestRunAsOfBounded(t *testing.T) {
	store := sqlstoretest.New(t)
	eng := engine.New(engine.Config{Now: policyToday, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	h, err := NewHandler(Config{Now: policyToday, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/runs", strings.NewReader("as_of=9999-12-31"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	asOperator(h).ServeHTTP(rec, r)
	today := chanye.DateOf(policyToday()).String()
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "不能晚于今天 "+today) || !strings.Contains(rec.Body.String(), `value="9999-12-31"`) {
		t.Errorf("run as of 9999-12-31: %d\n%.2000s", rec.Code, rec.Body.String())
	}
}

// TestFormsSignInFirst: the public posting any form but sign-in is sent to
// sign in before the form is read: no field errors (a run as of a bad day,
// a policy that does not parse) are shown to it.
func TestFormsSignInFirst(t *testing.T) {
	store := sqlstoretest.New(t)
	eng := engine.New(engine.Config{Now: policyToday, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	h, err := NewHandler(Config{Now: policyToday, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng, Projects: store})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, form string }{
		{"/runs", "as_of=not-a-day"},
		{"/policies/new", "action=check&source=" + url.QueryEscape("id: [")},
		{"/warnings/rules", "new=1&id=x&expr=" + url.QueryEscape("((")},
		{"/projects/GZ-0001/reports", "month=x"},
	} {
		r := httptest.NewRequest("POST", c.path, strings.NewReader(c.form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("POST %s as the public: %d %q, want a redirect to sign in", c.path, rec.Code, rec.Header().Get("Location"))
		}
	}
}
