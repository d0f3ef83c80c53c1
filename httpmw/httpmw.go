// Package httpmw holds the middleware every chanye request passes through:
// a request id, security headers, a body limit, a refusal of NUL
// characters, panic recovery, a structured log line and Prometheus
// metrics. It also serves /readyz and limits the rate of expensive
// requests per client (Limiter).
package httpmw

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/metrics"
)

// DefaultMaxBodyBytes is the body limit of every request when Config
// gives none: forms and uploads. The API holds its JSON bodies to its own,
// smaller limit.
const DefaultMaxBodyBytes = 10 << 20

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-ID"

// ContentSecurityPolicy allows scripts, styles and images from chanye's own
// origin only: no inline script, no framing, no foreign form targets.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Config configures Wrap.
type Config struct {
	Logger       *slog.Logger     // nil: slog.Default()
	Metrics      *metrics.Metrics // nil: no metrics
	MaxBodyBytes int64            // 0: DefaultMaxBodyBytes
	// Authenticate, when set, wraps the handler inside the request id and
	// the log, so that its rejections are logged and the actor it puts on
	// the context is named in the log line.
	Authenticate func(http.Handler) http.Handler
}

// Wrap returns next behind the middleware: request id, security headers,
// body limit, log and metrics, panic recovery, then cfg.Authenticate.
func Wrap(next http.Handler, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	inner := http.Handler(&tail{next: next})
	if cfg.Authenticate != nil {
		inner = cfg.Authenticate(inner)
	}
	return &outer{cfg: cfg, next: inner}
}

// outer is the first handler a request meets.
type outer struct {
	cfg  Config
	next http.Handler
}

// seen is what the innermost handler learns for the log line: the actor
// set by authentication and the route pattern chosen by the mux, both on
// requests derived from the one outer passed on.
type seen struct {
	mu      sync.Mutex
	actor   *chanye.Actor
	pattern string
}

type seenKey struct{}

func (o *outer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r.Header.Get(RequestIDHeader))
	h := w.Header()
	h.Set(RequestIDHeader, id)
	SetSecurityHeaders(h)

	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	sn := &seen{}
	ctx := context.WithValue(chanye.WithRequestID(r.Context(), id), seenKey{}, sn)
	r = r.WithContext(ctx)
	defer func() {
		p := recover()
		if p != nil {
			if p == http.ErrAbortHandler { // the handler chose to abort the response
				o.finish(r, rec, sn, start)
				panic(p)
			}
			o.cfg.Logger.Error("panic serving request", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wrote {
				writeError(rec, r, http.StatusInternalServerError, "internal_error", "服务器内部错误 / internal error")
			} else {
				rec.status = http.StatusInternalServerError // for the log: the response was cut short
			}
		}
		o.finish(r, rec, sn, start)
	}()

	if r.ContentLength > o.cfg.MaxBodyBytes {
		writeError(rec, r, http.StatusRequestEntityTooLarge, chanye.ETOOLARGE,
			fmt.Sprintf("请求体超过 %d 字节 / request body exceeds %d bytes", o.cfg.MaxBodyBytes, o.cfg.MaxBodyBytes))
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, o.cfg.MaxBodyBytes)
	}
	if status, field, msg := refuseNUL(r); status != 0 {
		writeError(rec, r, status, chanye.EINVALID, msg, field)
		return
	}
	o.next.ServeHTTP(rec, r)
}

// refuseNUL finds a NUL character in what a request hands on as text —
// the path, the query, the headers (cookies and tokens included) and a
// URL-encoded form — before authentication, a handler or the store sees
// it: PostgreSQL refuses NUL in text and SQLite keeps it, so it is refused
// here, the same whatever the database. It returns 400 (413 for a form
// over the body limit), the field at fault and the message; status 0 when
// the request is clean. JSON bodies are the API decoder's to check.
func refuseNUL(r *http.Request) (status int, field, msg string) {
	bad := func(field, zh, en string) (int, string, string) {
		return http.StatusBadRequest, field, fmt.Sprintf("%s含有空字符（NUL，U+0000）/ %s contains a NUL character (U+0000)", zh, en)
	}
	if strings.IndexByte(r.URL.Path, 0) >= 0 || strings.Contains(r.URL.RawPath, "%00") {
		return bad("path", "路径", "the path")
	}
	if strings.IndexByte(r.URL.RawQuery, 0) >= 0 {
		return bad("query", "查询字符串", "the query string")
	}
	for k, vs := range r.URL.Query() {
		if strings.IndexByte(k, 0) >= 0 {
			return bad("query", "查询参数名", "a query parameter name")
		}
		for _, v := range vs {
			if strings.IndexByte(v, 0) >= 0 {
				return bad(k, fmt.Sprintf("查询参数 %q ", k), fmt.Sprintf("query parameter %q", k))
			}
		}
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			if strings.IndexByte(v, 0) >= 0 {
				return bad(k, fmt.Sprintf("请求头 %s ", k), fmt.Sprintf("header %s", k))
			}
		}
	}
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") &&
		r.Body != nil && r.Body != http.NoBody {
		// Reading the form here is what authentication's CSRF check does
		// anyway; handlers find it parsed.
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return http.StatusRequestEntityTooLarge, "body", fmt.Sprintf("请求体超过 %d 字节 / request body exceeds %d bytes", tooLarge.Limit, tooLarge.Limit)
			}
			return http.StatusBadRequest, "body", "表单无法解析 / the form cannot be parsed"
		}
		for k, vs := range r.PostForm {
			if strings.IndexByte(k, 0) >= 0 {
				return bad("form", "表单字段名", "a form field name")
			}
			for _, v := range vs {
				if strings.IndexByte(v, 0) >= 0 {
					return bad(k, fmt.Sprintf("表单字段 %q ", k), fmt.Sprintf("form field %q", k))
				}
			}
		}
	}
	return 0, "", ""
}

// finish logs the request and counts it.
func (o *outer) finish(r *http.Request, rec *recorder, sn *seen, start time.Time) {
	d := time.Since(start)
	sn.mu.Lock()
	actor, pattern := sn.actor, sn.pattern
	sn.mu.Unlock()
	if actor == nil {
		actor = chanye.ActorFrom(r.Context())
	}
	if pattern == "" {
		pattern = r.Pattern
	}
	route := routeLabel(pattern, rec.status)
	if o.cfg.Metrics != nil {
		o.cfg.Metrics.ObserveRequest(methodLabel(r.Method), route, rec.status, d)
	}
	level := slog.LevelInfo
	switch {
	case rec.status >= 500:
		level = slog.LevelError
	case probe(r.URL.Path) && rec.status < 400:
		level = slog.LevelDebug // load balancers and scrapers ask every few seconds
	}
	o.cfg.Logger.LogAttrs(r.Context(), level, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", route),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Duration("duration", d),
		slog.String("request_id", chanye.RequestIDFrom(r.Context())),
		slog.String("actor", actor.Name),
		slog.String("remote", r.RemoteAddr),
	)
}

// tail is the last middleware before the application: it notes the actor
// and the route pattern for the log line.
type tail struct{ next http.Handler }

func (t *tail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sn, _ := r.Context().Value(seenKey{}).(*seen)
	pattern := resolvePattern(t.next, r)
	if sn != nil {
		sn.mu.Lock()
		sn.actor = chanye.ActorFrom(r.Context())
		sn.pattern = pattern
		sn.mu.Unlock()
	}
	t.next.ServeHTTP(w, r)
	if sn != nil && pattern == "" && r.Pattern != "" {
		sn.mu.Lock()
		sn.pattern = r.Pattern
		sn.mu.Unlock()
	}
}

// resolvePattern returns the pattern of the innermost mux that serves r,
// following muxes mounted in muxes (the API's routes under "/api/"), or ""
// when h is not a mux.
func resolvePattern(h http.Handler, r *http.Request) string {
	pattern := ""
	for range 4 {
		mux, ok := h.(*http.ServeMux)
		if !ok {
			break
		}
		next, p := mux.Handler(r)
		if p == "" {
			break
		}
		h, pattern = next, p
	}
	return pattern
}

// routeLabel keeps the route label to registered patterns. A mux redirect
// reports the path it redirects to, which the client chose.
func routeLabel(pattern string, status int) string {
	switch {
	case status == http.StatusMovedPermanently || status == http.StatusPermanentRedirect:
		if !strings.Contains(pattern, " ") && pattern != "/" && pattern != "/api/" {
			return "redirect"
		}
	case pattern == "":
		return "unmatched"
	}
	return pattern
}

var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// methodLabel keeps the method label to the methods chanye knows.
func methodLabel(m string) string {
	if knownMethods[m] {
		return m
	}
	return "OTHER"
}

func probe(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// requestID returns the client's id when it is short and plain, or a new
// random one: the id goes into logs and the audit log, so it must not
// carry newlines, markup or kilobytes.
func requestID(in string) string {
	if n := len(in); n >= 8 && n <= 64 && strings.Trim(in, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == "" {
		return in
	}
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// SetSecurityHeaders sets the headers every response carries.
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// writeError answers in JSON under /api/ and /readyz, in plain text
// elsewhere. field, when given, names the part of the request at fault.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string, field ...string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		e := map[string]any{"code": code, "message": msg}
		if len(field) > 0 && field[0] != "" {
			e["fields"] = map[string]string{field[0]: msg}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
		return
	}
	http.Error(w, msg, status)
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (rw *recorder) WriteHeader(status int) {
	if !rw.wrote {
		rw.status, rw.wrote = status, status >= 200 // 1xx are informational
		if status < 200 {
			rw.status = http.StatusOK
		}
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *recorder) Write(p []byte) (int, error) {
	rw.wrote = true
	n, err := rw.ResponseWriter.Write(p)
	rw.bytes += int64(n)
	return n, err
}

// Flush lets exports stream through the recorder.
func (rw *recorder) Flush() {
	rw.wrote = true
	http.NewResponseController(rw.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// Ready answers GET /readyz: 200 when check (a database ping) succeeds
// within five seconds, 503 otherwise. /healthz only says the process is up.
func Ready(check func(context.Context) error, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := check(ctx); err != nil {
			log.Warn("not ready", "request_id", chanye.RequestIDFrom(r.Context()), "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok", "database": "ok"})
	})
}

// statuses is the one table from the domain's error codes to HTTP
// statuses, for the API and the pages alike.
var statuses = map[string]int{
	chanye.EINVALID:      http.StatusBadRequest,
	chanye.ENOTFOUND:     http.StatusNotFound,
	chanye.ECONFLICT:     http.StatusConflict,
	chanye.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	chanye.EUNAUTHORIZED: http.StatusUnauthorized,
	chanye.EFORBIDDEN:    http.StatusForbidden,
	chanye.ETOOMANY:      http.StatusTooManyRequests,
	chanye.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status of a domain error code; an unknown code
// is a 500.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}
