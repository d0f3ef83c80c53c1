// Package httpauth resolves the credentials of an HTTP request into the
// chanye.Actor on its context: an API token (Authorization: Bearer chy_…)
// or a session cookie, else chanye.Public. It guards every form POST
// against cross-site request forgery and starts and ends sessions for the
// login pages. Whether an actor may do something is decided in the
// services (package authz), not here.
package httpauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
)

// Cookie and field names.
const (
	SessionCookie = "chanye_session" // the session's secret id
	anonCookie    = "chanye_csrf"    // before sign-in: the basis of the login form's CSRF token
	CSRFField     = "csrf"           // the hidden form field
	CSRFHeader    = "X-CSRF-Token"   // the header for scripts calling the API with the cookie
)

// Config configures the middleware.
type Config struct {
	Accounts auth.Service // required
	// Secure marks cookies Secure even on plain HTTP requests, for a
	// server behind a TLS-terminating proxy; under TLS they always are.
	Secure bool
	// TrustProxy takes the client address from X-Forwarded-For's last
	// entry, for a server behind one reverse proxy; else RemoteAddr.
	TrustProxy bool
	Logger     *slog.Logger
}

// Middleware authenticates requests and starts and ends sessions.
type Middleware struct {
	accounts auth.Service
	secure   bool
	proxy    bool
	log      *slog.Logger
}

// New returns the middleware.
func New(cfg Config) *Middleware {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Middleware{accounts: cfg.Accounts, secure: cfg.Secure, proxy: cfg.TrustProxy, log: log}
}

type ctxKey int

const reqKey ctxKey = 0

// reqInfo is what the middleware learnt about a request, for the helpers.
type reqInfo struct {
	csrf      string // the token forms must send back
	addr      string // the client address, for throttling
	session   string // the session's secret id, "" without one
	viaCookie bool
}

func info(r *http.Request) *reqInfo {
	if i, ok := r.Context().Value(reqKey).(*reqInfo); ok {
		return i
	}
	return &reqInfo{addr: clientAddr(r, false)}
}

// CSRFToken returns the token the request's forms carry in the hidden field
// "csrf", or "" when the middleware did not see the request.
func CSRFToken(r *http.Request) string { return info(r).csrf }

// ClientAddr returns the client address the middleware throttles sign-ins
// by: the IP, an IPv6 address cut to its /64.
func ClientAddr(r *http.Request) string { return info(r).addr }

// csrfToken derives the CSRF token from a secret the browser holds in an
// HttpOnly cookie: an HMAC keyed with it, which a page of another site can
// neither read nor compute, and which reveals nothing of the secret.
func csrfToken(secret string) string {
	if secret == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("chanye csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// unsafe reports whether the method may change something.
func unsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// Authenticate puts the request's actor on its context. A Bearer token
// must be valid: otherwise 401. A session cookie that is unknown or expired
// is cleared and the request goes on as the public's. Unsafe methods
// outside /api/, and under /api/ when authenticated by the cookie, must
// carry the CSRF token (form field or header): otherwise 403. Requests with
// a token carry no cookie authority and need none.
func (m *Middleware) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		in := &reqInfo{addr: clientAddr(r, m.proxy)}
		actor := chanye.Public
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, secret, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				m.unauthorized(w, r, "仅支持 Bearer 令牌 / only Bearer tokens are accepted")
				return
			}
			u, err := m.accounts.FindTokenUser(ctx, strings.TrimSpace(secret))
			if err != nil {
				if chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
					m.fail(w, r, err)
					return
				}
				m.unauthorized(w, r, chanye.ErrorMessage(err))
				return
			}
			actor = u.Actor()
			ctx = chanye.WithActor(ctx, actor)
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, reqKey, in)))
			return
		}

		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			s, err := m.accounts.FindSession(ctx, c.Value)
			switch {
			case err == nil:
				actor, in.session, in.viaCookie = s.User.Actor(), c.Value, true
				in.csrf = csrfToken(c.Value)
			case chanye.ErrorCode(err) == chanye.EUNAUTHORIZED:
				m.clearCookie(w, r, SessionCookie)
			default:
				m.fail(w, r, err)
				return
			}
		}
		if in.csrf == "" {
			if c, err := r.Cookie(anonCookie); err == nil && len(c.Value) == 43 {
				in.csrf = csrfToken(c.Value)
			} else if !isAPI(r) {
				v := auth.NewSecret()
				m.setCookie(w, r, anonCookie, v)
				in.csrf = csrfToken(v)
			}
		}
		if unsafe(r.Method) && (!isAPI(r) || in.viaCookie) && !m.csrfOK(r, in.csrf) {
			m.forbidden(w, r)
			return
		}
		ctx = chanye.WithActor(ctx, actor)
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, reqKey, in)))
	})
}

// csrfOK reports whether r carries want in the header or the form field.
func (m *Middleware) csrfOK(r *http.Request, want string) bool {
	if want == "" {
		return false
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" && !isAPI(r) {
		got = r.PostFormValue(CSRFField)
	}
	return hmac.Equal([]byte(got), []byte(want))
}

// StartSession signs u in: it ends the request's current session, if any,
// starts a new one (a new id, so a planted cookie is worth nothing) and
// sets its cookie. A page the request renders afterwards carries the new
// session's CSRF token.
func (m *Middleware) StartSession(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	in := info(r)
	if in.session != "" {
		if err := m.accounts.DeleteSession(r.Context(), in.session); err != nil {
			return err
		}
	}
	id, err := m.accounts.CreateSession(r.Context(), u.ID)
	if err != nil {
		return err
	}
	in.session, in.csrf = id, csrfToken(id)
	m.setCookie(w, r, SessionCookie, id)
	m.clearCookie(w, r, anonCookie)
	return nil
}

// EndSession signs the request's session out and clears its cookie.
func (m *Middleware) EndSession(w http.ResponseWriter, r *http.Request) error {
	if in := info(r); in.session != "" {
		if err := m.accounts.DeleteSession(r.Context(), in.session); err != nil {
			return err
		}
	}
	m.clearCookie(w, r, SessionCookie)
	return nil
}

func (m *Middleware) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: m.secure || r.TLS != nil})
}

func (m *Middleware) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: m.secure || r.TLS != nil})
}

// clientAddr returns the IP of the client; an IPv6 address is cut to its
// /64, which one subscriber usually holds whole.
func clientAddr(r *http.Request, proxy bool) string {
	s := r.RemoteAddr
	if proxy {
		if f := r.Header.Values("X-Forwarded-For"); len(f) > 0 {
			parts := strings.Split(f[len(f)-1], ",")
			s = strings.TrimSpace(parts[len(parts)-1])
		}
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return s
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

func (m *Middleware) unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="chanye"`)
	writeError(w, http.StatusUnauthorized, chanye.EUNAUTHORIZED, msg)
}

func (m *Middleware) forbidden(w http.ResponseWriter, r *http.Request) {
	msg := "表单已失效，请返回刷新后重试 / the form has expired: go back, reload and try again"
	if isAPI(r) {
		writeError(w, http.StatusForbidden, chanye.EFORBIDDEN, "缺少或错误的 "+CSRFHeader+" / missing or wrong "+CSRFHeader)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	w.Write([]byte(msg + "\n"))
}

func (m *Middleware) fail(w http.ResponseWriter, r *http.Request, err error) {
	m.log.Error("httpauth: credentials lookup failed", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, chanye.EINTERNAL, chanye.ErrorMessage(err))
}

// writeError writes the API's error shape: {"error": {"code", "message"}}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg}})
}
