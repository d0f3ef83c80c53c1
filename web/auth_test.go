package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpauth"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// authFixture serves the pages behind the authentication middleware, as
// serve does, with an admin and a leader account.
func authFixture(t *testing.T) *httptest.Server {
	t.Helper()
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	for _, u := range []*auth.User{{Name: "admin", Role: chanye.RoleAdmin}, {Name: "leader", Role: chanye.RoleLeader}} {
		if err := store.CreateUser(op, u, u.Name+" password 1"); err != nil {
			t.Fatal(err)
		}
	}
	accounts := auth.NewThrottle(store)
	m := httpauth.New(httpauth.Config{Accounts: accounts})
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store, Engine: eng, Accounts: accounts, Auth: m})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Authenticate(h))
	t.Cleanup(srv.Close)
	return srv
}

// browser is a client with cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// signIn loads the login page and posts name and password with its token.
func signIn(t *testing.T, c *http.Client, base, name, password string) (*http.Response, string) {
	t.Helper()
	_, body := get(t, c, base+"/login?next=/admin/users")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("login page without a csrf field:\n%s", body)
	}
	return post(t, c, base+"/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}, "next": {"/admin/users"}})
}

func TestLogin(t *testing.T) {
	srv := authFixture(t)
	c := browser(t)

	res, body := signIn(t, c, srv.URL, "admin", "not the password")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "登录名或密码错误") || !strings.Contains(body, `id="login-form"`) {
		t.Fatalf("wrong password: %d, want 401 with the error inline:\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, "⟦") {
		t.Error("login page has a missing label")
	}
	// Without the token, the form is refused.
	if res, _ := post(t, c, srv.URL+"/login", url.Values{"name": {"admin"}, "password": {"admin password 1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("login without csrf: %d, want 403", res.StatusCode)
	}

	res, _ = signIn(t, c, srv.URL, "Admin", "admin password 1")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/users" {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == httpauth.SessionCookie {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Fatalf("session cookie %+v", session)
	}

	// The admin page: create a user, make a token shown once, revoke it.
	res, body = get(t, c, srv.URL+"/admin/users")
	if res.StatusCode != 200 || !strings.Contains(body, `id="user-leader"`) || strings.Contains(body, "⟦") {
		t.Fatalf("users page %d:\n%s", res.StatusCode, body)
	}
	token := csrfField.FindStringSubmatch(body)[1]
	res, body = post(t, c, srv.URL+"/admin/users", url.Values{"csrf": {token}, "name": {"firm"}, "role": {"enterprise"},
		"code": {"bad"}, "password": {"firm password 1"}})
	if res.StatusCode != 400 || !strings.Contains(body, "统一社会信用代码") || !strings.Contains(body, `value="firm"`) {
		t.Errorf("bad enterprise account: %d, want 400 with the form kept", res.StatusCode)
	}
	res, _ = post(t, c, srv.URL+"/admin/users", url.Values{"csrf": {token}, "name": {"firm"}, "role": {"enterprise"},
		"code": {codeAuto}, "password": {"firm password 1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create user: %d", res.StatusCode)
	}
	_, body = get(t, c, srv.URL+"/admin/users")
	id := regexp.MustCompile(`action="/admin/users/(\d+)/tokens"`).FindAllStringSubmatch(body, -1)
	if len(id) != 3 {
		t.Fatalf("token forms: %v", id)
	}
	res, body = post(t, c, srv.URL+"/admin/users/"+id[0][1]+"/tokens", url.Values{"csrf": {token}, "name": {"erp"}})
	secret := regexp.MustCompile(`chy_[A-Za-z0-9_-]{43}`).FindString(body)
	if res.StatusCode != 200 || secret == "" {
		t.Fatalf("new token: %d, %q", res.StatusCode, secret)
	}
	if _, body = get(t, c, srv.URL+"/admin/users"); strings.Contains(body, secret) {
		t.Error("the token is shown twice")
	}

	// A leader may not manage accounts.
	lc := browser(t)
	if res, _ := signIn(t, lc, srv.URL, "leader", "leader password 1"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("leader sign-in: %d", res.StatusCode)
	}
	if res, _ := get(t, lc, srv.URL+"/admin/users"); res.StatusCode != http.StatusForbidden {
		t.Errorf("leader on the users page: %d, want 403", res.StatusCode)
	}

	// Sign out ends the session.
	_, body = get(t, c, srv.URL+"/")
	token = csrfField.FindStringSubmatch(body)[1]
	if res, _ := post(t, c, srv.URL+"/logout", url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res, body := get(t, c, srv.URL+"/admin/users"); res.StatusCode == 200 {
		t.Errorf("users page after sign-out: %d\n%s", res.StatusCode, body)
	}
}

func TestLoginThrottled(t *testing.T) {
	srv := authFixture(t)
	c := browser(t)
	for i := 0; i < 5; i++ {
		signIn(t, c, srv.URL, "leader", "wrong password")
	}
	res, body := signIn(t, c, srv.URL, "leader", "leader password 1")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" || !strings.Contains(body, "请 1s 后再试") {
		t.Errorf("sixth sign-in: %d, Retry-After %q, want 429 with the wait shown", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

func TestLocalNext(t *testing.T) {
	for in, want := range map[string]string{"/runs?x=1": "/runs?x=1", "": "/", "https://evil.example/": "/", "//evil.example": "/", "/\\evil": "/"} {
		if got := localNext(in); got != want {
			t.Errorf("localNext(%q) = %q, want %q", in, got, want)
		}
	}
}
