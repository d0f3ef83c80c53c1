package httpmw_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/metrics"
)

// newApp returns an application behind the middleware, with its log.
func newApp(t *testing.T) (http.Handler, *bytes.Buffer, *metrics.Metrics) {
	t.Helper()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"`+r.PathValue("id")+`","request_id":"`+chanye.RequestIDFrom(r.Context())+`"}`)
	})
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	m := metrics.New()
	mux.Handle("GET /metrics", m.Handler())
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "Bearer t" {
				r = r.WithContext(chanye.WithActor(r.Context(), &chanye.Actor{Name: "alice", Role: chanye.RoleAdmin}))
			}
			next.ServeHTTP(w, r)
		})
	}
	return httpmw.Wrap(mux, httpmw.Config{Logger: log, Metrics: m, MaxBodyBytes: 1000, Authenticate: auth}), &logs, m
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestSecurityHeaders(t *testing.T) {
	h, _, _ := newApp(t)
	for _, path := range []string{"/api/v1/things/1", "/nowhere", "/panic"} {
		w := serve(h, httptest.NewRequest("GET", path, nil))
		for name, want := range map[string]string{
			"X-Frame-Options":        "DENY",
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
		} {
			if got := w.Header().Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		csp := w.Header().Get("Content-Security-Policy")
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[name] = value
		}
		if s := directives["script-src"]; s != "'self'" {
			t.Errorf("%s: script-src %q, want 'self' only", path, s)
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline code", path, csp)
		}
		for _, d := range []string{"frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "style-src 'self'", "img-src 'self' data:"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, d)
			}
		}
	}
}

func TestRequestID(t *testing.T) {
	h, logs, _ := newApp(t)
	// A sane incoming id is kept, reaches the handler and the log.
	r := httptest.NewRequest("GET", "/api/v1/things/7", nil)
	r.Header.Set("X-Request-ID", "trace-0123456789")
	r.Header.Set("Authorization", "Bearer t")
	w := serve(h, r)
	if got := w.Header().Get("X-Request-ID"); got != "trace-0123456789" {
		t.Errorf("response id %q, want the incoming one", got)
	}
	if !strings.Contains(w.Body.String(), `"request_id":"trace-0123456789"`) {
		t.Errorf("handler saw %s, want the id on its context", w.Body)
	}
	line := lastLine(logs)
	for _, want := range []string{`"request_id":"trace-0123456789"`, `"actor":"alice"`, `"status":200`, `"route":"GET /api/v1/things/{id}"`, `"method":"GET"`, `"path":"/api/v1/things/7"`, `"bytes":`, `"duration":`} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %s lacks %s", line, want)
		}
	}
	// A bad one is replaced.
	for _, bad := range []string{"", "short", "has space in it!", "new\nline-0123456789", strings.Repeat("a", 65), "<script>alert(1)</script>"} {
		r := httptest.NewRequest("GET", "/api/v1/things/7", nil)
		r.Header.Set("X-Request-ID", bad)
		got := serve(h, r).Header().Get("X-Request-ID")
		if got == bad || len(got) != 24 {
			t.Errorf("incoming id %q: response id %q, want a new 24-hex id", bad, got)
		}
	}
	if !strings.Contains(lastLine(logs), `"actor":"public"`) {
		t.Errorf("anonymous log line %s, want actor public", lastLine(logs))
	}
}

func lastLine(b *bytes.Buffer) string {
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	return lines[len(lines)-1]
}

func TestMetricsCountRequests(t *testing.T) {
	h, _, _ := newApp(t)
	serve(h, httptest.NewRequest("GET", "/api/v1/things/1", nil))
	serve(h, httptest.NewRequest("GET", "/api/v1/things/2", nil))
	w := serve(h, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 {
		t.Fatalf("GET /metrics: %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`chanye_http_requests_total{method="GET",route="GET /api/v1/things/{id}",status="200"} 2`,
		`chanye_http_request_duration_seconds_count{method="GET",route="GET /api/v1/things/{id}",status="200"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Error("metrics lack the Go runtime collector")
	}
}

func TestBodyLimit(t *testing.T) {
	h, _, _ := newApp(t)
	// Declared too large: refused before the handler runs.
	w := serve(h, httptest.NewRequest("POST", "/form", strings.NewReader(strings.Repeat("x", 1001))))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("declared 1001 bytes: %d, want 413", w.Code)
	}
	// Streamed without a length: cut off by the reader.
	r := httptest.NewRequest("POST", "/form", io.MultiReader(strings.NewReader(strings.Repeat("x", 2000))))
	r.ContentLength = -1
	if w := serve(h, r); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("streamed 2000 bytes: %d, want 413", w.Code)
	}
	if w := serve(h, httptest.NewRequest("POST", "/form", strings.NewReader("small"))); w.Code != 200 {
		t.Errorf("small body: %d, want 200", w.Code)
	}
	w = serve(h, httptest.NewRequest("POST", "/api/v1/things/1", strings.NewReader(strings.Repeat("x", 1001))))
	if w.Code != 413 || !strings.Contains(w.Body.String(), `"code":"too_large"`) && !strings.Contains(w.Body.String(), chanye.ETOOLARGE) {
		t.Errorf("API 413: %d %s, want a JSON error", w.Code, w.Body)
	}
}

func TestPanicIs500(t *testing.T) {
	h, logs, _ := newApp(t)
	w := serve(h, httptest.NewRequest("GET", "/panic", nil))
	if w.Code != http.StatusInternalServerError {
		t.Errorf("panic: %d, want 500", w.Code)
	}
	if strings.Contains(w.Body.String(), "boom") {
		t.Errorf("panic value leaked to the client: %s", w.Body)
	}
	if !strings.Contains(logs.String(), `"msg":"panic serving request"`) || !strings.Contains(logs.String(), `"panic":"boom"`) {
		t.Errorf("panic not logged:\n%s", logs)
	}
	if line := lastLine(logs); !strings.Contains(line, `"status":500`) || !strings.Contains(line, `"level":"ERROR"`) {
		t.Errorf("request line %s, want status 500 at ERROR", line)
	}
}

func TestReady(t *testing.T) {
	var down error
	h := httpmw.Ready(func(context.Context) error { return down }, slog.New(slog.DiscardHandler))
	if w := serve(h, httptest.NewRequest("GET", "/readyz", nil)); w.Code != 200 {
		t.Errorf("up: %d, want 200", w.Code)
	}
	down = errors.New("sql: database is closed")
	w := serve(h, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "closed") {
		t.Errorf("down: %d %s, want 503 without the error text", w.Code, w.Body)
	}
}

// TestNULRefused: a NUL in a page's query or form is refused with 400
// naming the field, before authentication or the handler runs.
func TestNULRefused(t *testing.T) {
	h, _, _ := newApp(t)
	for _, c := range []struct {
		name, method, path, body, want string
	}{
		{"form value", "POST", "/form", "name=a%00b&csrf=x", `form field "name"`},
		{"form field name", "POST", "/form", "a%00=b", "form field name"},
		{"query value", "GET", "/nowhere?actor=a%00", "", `query parameter "actor"`},
		{"path", "GET", "/policies/a%00", "", "路径"},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		r := httptest.NewRequest(c.method, c.path, body)
		if c.body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		w := serve(h, r)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.want) || !strings.Contains(w.Body.String(), "NUL") {
			t.Errorf("%s: %d %q, want 400 naming %s", c.name, w.Code, w.Body.String(), c.want)
		}
	}
	// A clean form still reaches the handler.
	r := httptest.NewRequest("POST", "/form", strings.NewReader("name=ab"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := serve(h, r); w.Code != http.StatusOK {
		t.Errorf("clean form: %d %s", w.Code, w.Body.String())
	}
}
