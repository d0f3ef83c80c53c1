package httpauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

var adminCtx = chanye.WithActor(context.Background(), chanye.Operator)

// fixture is the middleware over a real store with one task-force user,
// its token and a session, in front of a handler that echoes the actor.
type fixture struct {
	h       http.Handler
	m       *Middleware
	token   string
	session string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := sqlstoretest.New(t)
	u := &auth.User{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "c01"}
	inds, err := store.FindIndustries(context.Background(), chanye.IndustryFilter{})
	if err != nil || len(inds) == 0 {
		t.Fatal(err)
	}
	u.IndustryID = inds[0].ID
	if err := store.CreateUser(adminCtx, u, "task force password"); err != nil {
		t.Fatal(err)
	}
	_, token, err := store.CreateToken(adminCtx, u.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	session, err := store.CreateSession(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Config{Accounts: store})
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := chanye.ActorFrom(r.Context())
		w.Header().Set("X-Actor", string(a.Role)+":"+a.Name)
		w.Write([]byte(CSRFToken(r)))
	})
	return &fixture{h: m.Authenticate(echo), m: m, token: token, session: session}
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		method string
		path   string
		auth   string // Authorization header
		cookie bool   // send the session cookie
		status int
		actor  string
	}{
		{"public page", "GET", "/", "", false, 200, "public:public"},
		{"public api", "GET", "/api/v1/catalog", "", false, 200, "public:public"},
		{"bearer", "GET", "/api/v1/catalog", "Bearer " + f.token, false, 200, "task_force:tf"},
		{"bearer lower case", "GET", "/api/v1/catalog", "bearer " + f.token, false, 200, "task_force:tf"},
		{"bearer post without csrf", "POST", "/api/v1/enterprises", "Bearer " + f.token, false, 200, "task_force:tf"},
		{"bad token", "GET", "/api/v1/catalog", "Bearer " + auth.NewToken(), false, 401, ""},
		{"malformed token", "GET", "/api/v1/catalog", "Bearer abc", false, 401, ""},
		{"basic", "GET", "/api/v1/catalog", "Basic dGY6eA==", false, 401, ""},
		{"cookie", "GET", "/enterprises", "", true, 200, "task_force:tf"},
		{"cookie api", "GET", "/api/v1/catalog", "", true, 200, "task_force:tf"},
		{"cookie form post without csrf", "POST", "/runs", "", true, 403, ""},
		{"cookie api post without csrf", "POST", "/api/v1/enterprises", "", true, 403, ""},
		{"public api post", "POST", "/api/v1/enterprises", "", false, 200, "public:public"},
		{"public form post without csrf", "POST", "/login", "", false, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(""))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.cookie {
				r.AddCookie(&http.Cookie{Name: SessionCookie, Value: f.session})
			}
			w := f.do(r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("X-Actor"); got != tt.actor {
				t.Errorf("actor %q, want %q", got, tt.actor)
			}
			if w.Code == 401 {
				var body struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != chanye.EUNAUTHORIZED {
					t.Errorf("401 body %s: want the API's error JSON", w.Body)
				}
				if w.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	// A signed-in page carries the session's token; posting it back works,
	// by form field or header, and a wrong one is refused.
	get := httptest.NewRequest("GET", "/runs", nil)
	get.AddCookie(&http.Cookie{Name: SessionCookie, Value: f.session})
	token := f.do(get).Body.String()
	if token == "" || strings.Contains(token, f.session) {
		t.Fatalf("token %q", token)
	}
	post := func(form url.Values, header string) int {
		r := httptest.NewRequest("POST", "/runs", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: f.session})
		if header != "" {
			r.Header.Set(CSRFHeader, header)
		}
		return f.do(r).Code
	}
	if c := post(url.Values{"csrf": {token}, "as_of": {"2025-01-01"}}, ""); c != 200 {
		t.Errorf("form with the token: %d", c)
	}
	if c := post(nil, token); c != 200 {
		t.Errorf("header with the token: %d", c)
	}
	if c := post(url.Values{"csrf": {token + "x"}}, ""); c != 403 {
		t.Errorf("wrong token: %d", c)
	}
	if c := post(url.Values{"csrf": {csrfToken("another session")}}, ""); c != 403 {
		t.Errorf("another session's token: %d", c)
	}

	// Before sign-in, the login form's token rests on a cookie of its own.
	w := f.do(httptest.NewRequest("GET", "/login", nil))
	anon := cookie(w, anonCookie)
	if anon == nil || !anon.HttpOnly || anon.SameSite != http.SameSiteLaxMode {
		t.Fatalf("anonymous CSRF cookie %+v", anon)
	}
	r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"csrf": {w.Body.String()}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(anon)
	if w := f.do(r); w.Code != 200 {
		t.Errorf("login post with its token: %d", w.Code)
	}

	// An expired or unknown session is cleared and the request is the public's.
	r = httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: "stale"})
	w = f.do(r)
	if c := cookie(w, SessionCookie); w.Code != 200 || w.Header().Get("X-Actor") != "public:public" || c == nil || c.MaxAge >= 0 {
		t.Errorf("stale session: %d, actor %q, cookie %+v", w.Code, w.Header().Get("X-Actor"), c)
	}
}

func TestSessionCookie(t *testing.T) {
	f := newFixture(t)
	u := &auth.User{ID: 1}
	for _, tls := range []bool{false, true} {
		var seen *http.Request
		h := f.m.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = r
			if err := f.m.StartSession(w, r, u); err != nil {
				t.Fatal(err)
			}
		}))
		r := httptest.NewRequest("POST", "/api/v1/x", nil)
		if tls {
			r = httptest.NewRequest("POST", "https://example.org/api/v1/x", nil)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		c := cookie(w, SessionCookie)
		if c == nil || c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != tls {
			t.Errorf("TLS %v: cookie %+v", tls, c)
		}
		if seen == nil {
			t.Fatal("handler not reached")
		}
	}
}

func TestClientAddr(t *testing.T) {
	for _, tt := range []struct {
		remote, xff string
		proxy       bool
		want        string
	}{
		{"192.0.2.7:5555", "", false, "192.0.2.7"},
		{"192.0.2.7:5555", "198.51.100.1", false, "192.0.2.7"},
		{"192.0.2.7:5555", "203.0.113.9, 198.51.100.1", true, "198.51.100.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", false, "2001:db8:1:2::/64"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := clientAddr(r, tt.proxy); got != tt.want {
			t.Errorf("clientAddr(%q, %q, %v) = %q, want %q", tt.remote, tt.xff, tt.proxy, got, tt.want)
		}
	}
}

func cookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
