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
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// respFixture serves the pages over the default catalog with the lists,
// the services guarded as serve guards them, acting as the actor given.
type respFixture struct {
	store *sqlstore.Store
	h     http.Handler
}

const testDeptZH = "市工业和信息化局"

func newRespFixture(t *testing.T) *respFixture {
	t.Helper()
	store := sqlstoretest.New(t)
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: authz.Catalog(store), Enterprises: store, Policies: store.PolicyServices(), Engine: eng,
		Projects: authz.Projects(store, store), Lists: authz.OrgUnits(store)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	for _, n := range []string{"市领导甲", "市领导乙", "市领导丙"} {
		if err := store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgTaskForce, NameZH: "汽车专班"}); err != nil {
		t.Fatal(err)
	}
	return &respFixture{store: store, h: h}
}

var (
	respAdmin  = &chanye.Actor{Name: "管理员", Role: chanye.RoleAdmin}
	respLeader = &chanye.Actor{Name: "领导", Role: chanye.RoleLeader}
	respDept   = &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDeptZH}
)

// do sends a GET (form nil) or a POST of form as a (nil: the public).
func (f *respFixture) do(t *testing.T, a *chanye.Actor, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if form != nil {
		req = httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if a != nil {
		req = req.WithContext(chanye.WithActor(req.Context(), a))
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// rowOf returns the table row of industry id on the responsibilities page.
func rowOf(body, id string) string {
	return regexp.MustCompile(`(?s)<tr id="ind-` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
}

func TestResponsibilitiesPage(t *testing.T) {
	f := newRespFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)

	res, body := f.do(t, respAdmin, "/admin/responsibilities", nil)
	if res.StatusCode != 200 {
		t.Fatalf("admin: status %d", res.StatusCode)
	}
	if n := strings.Count(body, `<tr id="ind-`); n != 26 {
		t.Errorf("%d industries, want the catalog's 26", n)
	}
	row := rowOf(body, "icv-nev")
	for _, want := range []string{"智能网联与新能源汽车", `<select name="city_leader" form="resp-icv-nev"`, `<option value="市领导甲">市领导甲</option>`,
		`<option value="` + testDeptZH + `">`, `<option value="汽车专班">`, `<option value="" selected>未指定</option>`} {
		if !strings.Contains(row, want) {
			t.Errorf("the icv-nev row lacks %q:\n%s", want, row)
		}
	}
	// The leaders are offered in the list's order, not code point order.
	if i, j := strings.Index(row, "市领导甲"), strings.Index(row, "市领导丙"); i < 0 || j < i {
		t.Errorf("甲 at %d, 丙 at %d: want the list's order", i, j)
	}
	if !strings.Contains(body, `id="nav-responsibilities"`) {
		t.Error("no nav link for the admin")
	}

	// Saving a row.
	form := url.Values{"city_leader": {"市领导乙"}, "lead_department": {testDeptZH}, "task_force": {"汽车专班"}}
	res, _ = f.do(t, respAdmin, "/admin/responsibilities/icv-nev", form)
	if loc := res.Header.Get("Location"); res.StatusCode != 303 || !strings.HasPrefix(loc, "/admin/responsibilities?saved=icv-nev") {
		t.Fatalf("save: status %d to %q", res.StatusCode, loc)
	}
	ind, err := f.store.FindIndustryByID(ctx, "icv-nev")
	if err != nil || ind.Responsibility.CityLeader != "市领导乙" || ind.Responsibility.LeadDepartment != testDeptZH || ind.Responsibility.TaskForce != "汽车专班" {
		t.Fatalf("stored %+v, %v", ind, err)
	}
	_, body = f.do(t, respAdmin, "/admin/responsibilities?saved=icv-nev", nil)
	if !strings.Contains(body, `id="saved"`) || !strings.Contains(body, "已保存：智能网联与新能源汽车") {
		t.Error("no success message after saving")
	}
	if row := rowOf(body, "icv-nev"); !strings.Contains(row, `<option value="市领导乙" selected>`) {
		t.Errorf("the saved leader is not selected:\n%s", row)
	}

	// A value not on the list: refused, the form shown again with the
	// value kept and the field's error, nothing stored.
	form.Set("lead_department", "不存在局")
	res, body = f.do(t, respAdmin, "/admin/responsibilities/icv-nev", form)
	if res.StatusCode != 400 {
		t.Fatalf("unknown department: status %d", res.StatusCode)
	}
	row = rowOf(body, "icv-nev")
	for _, want := range []string{`<option value="不存在局" selected>不存在局（不在名单中）</option>`, `class="field-err"`, `aria-invalid="true"`} {
		if !strings.Contains(row, want) {
			t.Errorf("the refused row lacks %q:\n%s", want, row)
		}
	}
	if !strings.Contains(body, `id="resp-error"`) || !strings.Contains(body, "不存在局") {
		t.Error("no error message naming the value")
	}
	if ind, _ := f.store.FindIndustryByID(ctx, "icv-nev"); ind.Responsibility.LeadDepartment != testDeptZH {
		t.Errorf("stored %q after a refusal", ind.Responsibility.LeadDepartment)
	}

	// Not for leaders (403) nor the public (sign in).
	if res, _ := f.do(t, respLeader, "/admin/responsibilities", nil); res.StatusCode != 403 {
		t.Errorf("leader: status %d, want 403", res.StatusCode)
	}
	if res, _ := f.do(t, respLeader, "/admin/responsibilities/icv-nev", form); res.StatusCode != 403 {
		t.Errorf("leader saves: status %d, want 403", res.StatusCode)
	}
	if res, _ := f.do(t, nil, "/admin/responsibilities", nil); res.StatusCode != 302 {
		t.Errorf("public: status %d, want the sign-in redirect", res.StatusCode)
	}
	if _, body := f.do(t, respLeader, "/", nil); strings.Contains(body, `id="nav-responsibilities"`) {
		t.Error("a leader is shown the link")
	}

	// A department changes the industries it leads, as authz says, and
	// only those.
	res, body = f.do(t, respDept, "/admin/responsibilities", nil)
	if res.StatusCode != 200 {
		t.Fatalf("department: status %d", res.StatusCode)
	}
	if n := strings.Count(body, `action="/admin/responsibilities/`); n != 1 || !strings.Contains(body, `action="/admin/responsibilities/icv-nev"`) {
		t.Errorf("department may save %d rows, want icv-nev's only", n)
	}
	form.Set("lead_department", testDeptZH)
	form.Set("city_leader", "市领导丙")
	if res, _ := f.do(t, respDept, "/admin/responsibilities/icv-nev", form); res.StatusCode != 303 {
		t.Errorf("department saves its own: status %d", res.StatusCode)
	}
	if res, _ := f.do(t, respDept, "/admin/responsibilities/biomedicine", form); res.StatusCode != 403 {
		t.Errorf("department saves another's: status %d, want 403", res.StatusCode)
	}

	// The project list filters by the lists, in their order.
	_, body = f.do(t, respAdmin, "/projects?leader="+url.QueryEscape("市领导丙"), nil)
	sel := regexp.MustCompile(`(?s)<select name="leader">.*?</select>`).FindString(body)
	if !strings.Contains(sel, `<option value="市领导丙" selected>`) || strings.Index(sel, "市领导甲") > strings.Index(sel, "市领导乙") {
		t.Errorf("leader filter:\n%s", sel)
	}
	if !strings.Contains(body, `<select name="task_force">`) || !strings.Contains(body, `<select name="department">`) {
		t.Error("no department or task force select")
	}
}

func TestListsPage(t *testing.T) {
	f := newRespFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	res, body := f.do(t, respAdmin, "/admin/lists", nil)
	if res.StatusCode != 200 {
		t.Fatalf("admin: status %d", res.StatusCode)
	}
	for _, want := range []string{`id="list-leader"`, `id="list-department"`, `id="list-task_force"`, `value="` + testDeptZH + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("lists page lacks %q", want)
		}
	}
	for _, a := range []*chanye.Actor{respLeader, respDept} {
		if res, _ := f.do(t, a, "/admin/lists", nil); res.StatusCode != 403 {
			t.Errorf("%s: status %d, want 403", a.Role, res.StatusCode)
		}
		if res, _ := f.do(t, a, "/admin/lists", url.Values{"kind": {"leader"}, "name_zh": {"x"}}); res.StatusCode != 403 {
			t.Errorf("%s adds: status %d, want 403", a.Role, res.StatusCode)
		}
	}

	// Add, and a duplicate refused with the input kept.
	res, _ = f.do(t, respAdmin, "/admin/lists", url.Values{"kind": {"leader"}, "name_zh": {"市领导丁"}, "name_en": {"Leader D"}})
	if res.StatusCode != 303 {
		t.Fatalf("add: status %d", res.StatusCode)
	}
	res, body = f.do(t, respAdmin, "/admin/lists", url.Values{"kind": {"leader"}, "name_zh": {"市领导丁"}, "name_en": {"again"}})
	add := regexp.MustCompile(`(?s)<form [^>]*id="add-leader".*?</form>`).FindString(body)
	if res.StatusCode != 400 || !strings.Contains(add, `value="again"`) || !strings.Contains(add, `class="field-err"`) {
		t.Errorf("duplicate: status %d, form:\n%s", res.StatusCode, add)
	}

	leader := chanye.OrgLeader
	list := func() []*chanye.OrgUnit {
		us, err := f.store.FindOrgUnits(ctx, chanye.OrgUnitFilter{Kind: &leader})
		if err != nil {
			t.Fatal(err)
		}
		return us
	}
	ls := list()
	if len(ls) != 4 || ls[3].NameZH != "市领导丁" {
		t.Fatalf("leaders %v", ls)
	}
	// Move 丁 up: it changes places with 丙.
	res, _ = f.do(t, respAdmin, "/admin/lists/"+itoa(ls[3].ID), url.Values{"action": {"up"}, "position": {"4"}})
	if ls = list(); res.StatusCode != 303 || ls[2].NameZH != "市领导丁" || ls[3].NameZH != "市领导丙" {
		t.Errorf("up: status %d, order %s %s", res.StatusCode, ls[2].NameZH, ls[3].NameZH)
	}
	// A blank rename is refused, the row showing the error.
	res, body = f.do(t, respAdmin, "/admin/lists/"+itoa(ls[0].ID), url.Values{"action": {"save"}, "name_zh": {" "}, "name_en": {"kept"}})
	row := regexp.MustCompile(`(?s)<tr id="entry-` + itoa(ls[0].ID) + `".*?</tr>`).FindString(body)
	if res.StatusCode != 400 || !strings.Contains(row, `value="kept"`) || !strings.Contains(row, "必填") {
		t.Errorf("blank rename: status %d, row:\n%s", res.StatusCode, row)
	}
	// Retiring a name in use is refused, saying where.
	if _, err := f.store.UpdateResponsibility(ctx, "icv-nev", chanye.ResponsibilityUpdate{CityLeader: &ls[0].NameZH}); err != nil {
		t.Fatal(err)
	}
	res, body = f.do(t, respAdmin, "/admin/lists/"+itoa(ls[0].ID), url.Values{"action": {"retire"}})
	if res.StatusCode != 400 || !strings.Contains(body, "icv-nev") {
		t.Errorf("retire in use: status %d", res.StatusCode)
	}
	// A rename is carried to the industry.
	res, _ = f.do(t, respAdmin, "/admin/lists/"+itoa(ls[0].ID), url.Values{"action": {"save"}, "name_zh": {"市长"}, "name_en": {"Mayor"}})
	if ind, _ := f.store.FindIndustryByID(ctx, "icv-nev"); res.StatusCode != 303 || ind.Responsibility.CityLeader != "市长" {
		t.Errorf("rename: status %d, industry's leader %q", res.StatusCode, ind.Responsibility.CityLeader)
	}
}

// TestAccountDepartmentChosen: the account form offers the list's
// departments; an unknown one is refused with the field's error and kept.
func TestAccountDepartmentChosen(t *testing.T) {
	srv := authFixture(t)
	c := browser(t)
	if res, _ := signIn(t, c, srv.URL, "admin", "admin password 1"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	res, body := get(t, c, srv.URL+"/admin/users")
	if res.StatusCode != 200 || !strings.Contains(body, `<select name="department" id="user-department">`) || !strings.Contains(body, `<option value="`+testDeptZH+`">`) {
		t.Fatalf("account form: status %d, no department select of the list", res.StatusCode)
	}
	token := csrfField.FindStringSubmatch(body)[1]
	form := url.Values{"csrf": {token}, "name": {"dept9"}, "role": {"department"}, "department": {"不存在局"}, "password": {"a long password 123"}}
	res, body = post(t, c, srv.URL+"/admin/users", form)
	if res.StatusCode != 400 || !strings.Contains(body, `<option value="不存在局" selected>`) || !strings.Contains(body, `id="user-department-error"`) {
		t.Errorf("unknown department: status %d", res.StatusCode)
	}
	form.Set("department", testDeptZH)
	if res, _ = post(t, c, srv.URL+"/admin/users", form); res.StatusCode != 303 {
		t.Errorf("listed department: status %d", res.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
