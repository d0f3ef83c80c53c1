// Package web serves the server-rendered pages of chanye: the 12218
// overview, industry pages and the enterprise registry. Templates and static
// assets are embedded; templates are parsed once by NewHandler, and static
// assets are served under content-hashed URLs with long cache lifetimes.
//
// Pages carry no inline script: charts read their data from
// <script type="application/json"> blocks through static/js/charts.js, so a
// strict Content-Security-Policy can be added without changing templates.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the pages need: the services, the policy engine, a
// logger and the version shown in the footer.
type Config struct {
	Catalog     chanye.CatalogService
	Enterprises chanye.EnterpriseService
	// Policies stores policy versions, runs, decisions and the public list.
	Policies policy.Service
	// Engine decides policies live: runs, simulations and explanations.
	Engine  *engine.Engine
	Logger  *slog.Logger
	Version string
}

// pageNames are the views; NewHandler fails if any is missing.
var pageNames = []string{"overview", "industry", "enterprises", "enterprise", "error",
	"policies", "policy", "policy_edit", "simulate", "decisions", "runs", "run", "publicity", "enterprise_policies"}

// Server renders the pages. It is safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	assets *assets
	pages  map[string]*template.Template
	now    func() time.Time
}

// NewHandler parses the templates, fingerprints the static assets and
// returns the handler for "/" and "/static/...". It fails on a missing or
// broken template or a missing service.
func NewHandler(cfg Config) (http.Handler, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.routes(), nil
}

func newServer(cfg Config) (*Server, error) {
	if cfg.Catalog == nil || cfg.Enterprises == nil || cfg.Policies == nil || cfg.Engine == nil {
		return nil, errors.New("web: Config.Catalog, Enterprises, Policies and Engine are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a, err := loadAssets(sub)
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	s := &Server{cfg: cfg, log: log, assets: a, now: time.Now}
	if s.pages, err = parseTemplates(templateFS, a); err != nil {
		return nil, err
	}
	return s, nil
}

// parseTemplates builds one template set per page: the shared layout plus
// the page's own file, so each page can define "content" and "title".
func parseTemplates(fsys fs.FS, a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"static": func(name string) (string, error) { return a.url(name) },
		// pair passes the page and an item to a shared block.
		"pair": func(v, x any) pairArg { return pairArg{v, x} },
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(fsys, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse view %q: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// pairArg is the argument of a block that needs the page (V) besides its
// item (X).
type pairArg struct{ V, X any }

// routes lists every route in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", s.assets)
	mux.HandleFunc("GET /{$}", s.handle(s.overview))
	mux.HandleFunc("GET /industries/{id}", s.handle(s.industry))
	mux.HandleFunc("GET /enterprises", s.handle(s.enterpriseList))
	mux.HandleFunc("GET /enterprises/{code}", s.handle(s.enterprise))
	mux.HandleFunc("GET /policies", s.handle(s.policyList))
	mux.HandleFunc("GET /policies/new", s.handle(s.policyNew))
	mux.HandleFunc("POST /policies/new", s.handle(s.policySave))
	mux.HandleFunc("GET /policies/{id}", s.handle(s.policyPage))
	mux.HandleFunc("GET /policies/{id}/edit", s.handle(s.policyEdit))
	mux.HandleFunc("POST /policies/{id}/edit", s.handle(s.policySave))
	mux.HandleFunc("POST /policies/{id}/versions/{version}/publish", s.handle(s.publish))
	mux.HandleFunc("GET /policies/{id}/simulate", s.handle(s.simulate))
	mux.HandleFunc("GET /decisions", s.handle(s.decisionList))
	mux.HandleFunc("GET /runs", s.handle(s.runList))
	mux.HandleFunc("POST /runs", s.handle(s.createRun))
	mux.HandleFunc("GET /runs/{id}", s.handle(s.runPage))
	mux.HandleFunc("POST /runs/{id}/policies/{policy}/publicise", s.handle(s.publicise))
	mux.HandleFunc("GET /public/publicity", s.handle(s.publicity))
	mux.HandleFunc("GET /enterprises/{code}/policies", s.handle(s.enterprisePolicies))
	mux.HandleFunc("POST /enterprises/{code}/objections", s.handle(s.createObjection))
	mux.HandleFunc("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}))
	return mux
}

// handlerFunc is a page handler that returns its error for handle to show.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: it resolves the language (storing a switch
// in the cookie) and turns errors into error pages, logging server errors.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v := r.URL.Query().Get("lang"); v == "zh" || v == "en" {
			http.SetCookie(w, &http.Cookie{Name: "lang", Value: v, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	}
}

// statuses maps domain error codes to HTTP statuses.
var statuses = map[string]int{
	chanye.EINVALID:  http.StatusBadRequest,
	chanye.ENOTFOUND: http.StatusNotFound,
	chanye.ECONFLICT: http.StatusConflict,
	chanye.ETOOLARGE: http.StatusRequestEntityTooLarge,
	chanye.EINTERNAL: http.StatusInternalServerError,
}

type errorView struct {
	page
	Status  int
	Message string
	Fields  map[string]string
	Mark    *markedCode // the faulty character of a credit code
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := chanye.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.Error("web: page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	v := &errorView{page: s.newPage(r, ""), Status: status, Fields: chanye.ErrorFields(err)}
	v.Title = fmt.Sprintf("%d", status)
	v.Message = chanye.ErrorMessage(err)
	var ic *invalidCode
	if errors.As(err, &ic) {
		v.Mark = ic.marked()
	}
	var buf bytes.Buffer
	if err := s.pages["error"].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("web: render error page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, name string, data any) error {
	return s.renderStatus(w, http.StatusOK, name, data)
}

// renderStatus is render with a status other than 200, for a form shown
// again with its errors.
func (s *Server) renderStatus(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	writeHTML(w, status, buf.Bytes())
	return nil
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Cookie")
	w.WriteHeader(status)
	w.Write(body)
}
