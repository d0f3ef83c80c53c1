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
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpauth"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/search"
	"github.com/chanye-org/chanye/workday"
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
	// Policies store policy versions, runs, decisions, the public list,
	// objections and the ledger.
	Policies policy.Services
	// Engine decides policies live: runs, simulations and explanations.
	Engine  Engine
	Logger  *slog.Logger
	Version string
	// Accounts and Auth serve the login and user admin pages; without
	// them those pages answer 404.
	Accounts auth.Service
	Auth     *httpauth.Middleware
	// Audit reads the audit log for /audit; without it the page answers 404.
	Audit chanye.AuditService
	// Projects serves the key projects, the warning board, the scorecards
	// and the meeting report; without it those pages answer 404.
	Projects project.Service
	// Closures and Supervisions serve 销号 and 督办 on the project pages
	// and /supervision; without them those forms and pages are absent
	// (404).
	Closures     project.ClosureService
	Supervisions project.SupervisionService
	// Search answers the header's search box; without it /search answers
	// 404 and the box is not shown.
	Search search.Service
	// Chains serves the industry chain pages; without it they answer 404.
	// LeadFirms adds the 链主 of each chain for officials.
	Chains    chain.Service
	LeadFirms chain.LeadFirmService
	// Placements places firms on the chains and diagnoses the links; nil:
	// the chain pages show no verdicts and the link pages answer 404.
	Placements chain.Placements
	// Invest serves 招商; nil fields hide their parts of the pages.
	Invest InvestServices
	// Now is the clock that "today" is read from: the same one the store
	// and the engine use. nil: time.Now.
	Now func() time.Time
	// Limiter limits each client's rate on the pages that evaluate over
	// the whole base; nil: no limit. serve shares one with the API.
	Limiter *httpmw.Limiter
	// Calendar is the working-day calendar (/calendar); nil: it answers
	// 404.
	Calendar workday.Service
	// Requests are the enterprise requests (诉求); nil: their pages answer
	// 404 and the navigation hides them. RequestIssues are the common
	// problems grouped from them (/request-issues).
	Requests      request.Service
	RequestIssues request.IssueService
	RequestFiles  request.FileService
	// Lists keeps the lists of city leaders, departments and task forces
	// (responsibilities.go); without it those pages answer 404 and the
	// filters offer only the names in use.
	Lists chanye.OrgUnitService
	// Notifications is the accounts' inbox (/inbox and the header's 通知
	// count); Deliveries the e-mail queue its admins see. nil: /inbox
	// answers 404 and the header shows no count.
	Notifications notify.Service
	Deliveries    notify.DeliveryReader
	// Scenarios serves the application scenarios (应用场景, scenarios.go);
	// without them their pages answer 404 and the navigation hides them.
	Scenarios ScenarioServices
	// Match serves supply–demand matchmaking (广聚群链, match.go,
	// fairs.go); without it its pages answer 404 and the navigation hides
	// them.
	Match MatchServices
	// Space serves the industrial space (产业空间, space.go): the map and
	// the blocks, the units with their holds and allocations, routing and
	// the settings; without it its pages answer 404 and the navigation
	// hides them.
	Space SpaceServices
}

// Engine is what the pages ask of the policy engine: *engine.Engine, or
// the same guarded by package authz.
type Engine interface {
	Run(ctx context.Context, asOf chanye.Date) (*policy.Run, error)
	Simulate(ctx context.Context, draft *policy.Policy, asOf chanye.Date) (*engine.Simulation, error)
	Test(ctx context.Context, p *policy.Policy) ([]policy.CaseResult, error)
	ExplainEnterprise(ctx context.Context, code string, asOf chanye.Date) (*engine.EnterpriseDecisions, error)
	Redecide(ctx context.Context, policyID, code string, asOf chanye.Date) (*policy.Run, *engine.PolicyDecision, error)
}

// pageNames are the views; NewHandler fails if any is missing.
var pageNames = []string{"overview", "industry", "enterprises", "enterprise", "error",
	"policies", "policy", "policy_edit", "simulate", "decisions", "runs", "run", "publicity", "enterprise_policies", "todo",
	"login", "users", "audit", "projects", "project", "warnings", "warning_rules", "scorecards", "scorecard", "projects_report",
	"objections", "objection", "approvals", "payments", "applications", "application", "account",
	"responsibilities", "lists", "supervision", "inbox", "search", "chains", "chain", "chain_edit",
	"chain_link", "chain_thresholds", "leads", "lead", "calendar", "request_stats", "request_issues", "request_categories",
	"requests", "request", "request_new",
	"scenarios", "scenario", "scenario_new", "listings", "listing", "matches", "match", "fairs", "fair",
	"space", "space_block", "space_unit", "space_route", "space_settings"}

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
	if cfg.Catalog == nil || cfg.Enterprises == nil || cfg.Policies.Versions == nil || cfg.Policies.Runs == nil || cfg.Policies.Publicity == nil || cfg.Engine == nil {
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
	s := &Server{cfg: cfg, log: log, assets: a, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
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

// route is one pattern of the pages and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routeTable lists every route in one place.
func (s *Server) routeTable() []route {
	return []route{
		{"GET /static/", s.assets},
		{"GET /{$}", s.handle(s.overview)},
		{"GET /todo", s.handle(s.todo)},
		{"GET /industries/{id}", s.handle(s.industry)},
		{"GET /chains", s.handle(s.chains)},
		{"GET /chains/links.xlsx", s.handle(s.chainLinksXLSX)},
		{"GET /chains/{industry}", s.handle(s.chainPage)},
		{"GET /chains/{industry}/edit", s.handle(s.chainEdit)},
		{"POST /chains/{industry}/edit", s.handle(s.chainSave)},
		{"POST /chains/{industry}/lead-firms", s.handle(s.designateLeadFirm)},
		{"POST /chains/{industry}/lead-firms/{id}/end", s.handle(s.endLeadFirm)},
		{"GET /chains/thresholds", s.handle(s.thresholdsPage)},
		{"POST /chains/thresholds", s.handle(s.saveThresholds)},
		{"GET /chain-links/{link}", s.handle(s.linkPage)},
		{"POST /chain-links/{link}/firms", s.handle(s.placeFirm)},
		{"POST /chain-links/{link}/firms/{code}/remove", s.handle(s.unplaceFirm)},
		{"POST /chain-links/{link}/removals/{code}/undo", s.handle(s.undoRemoval)},
		{"POST /chain-links/{link}/targets", s.handle(s.addTarget)},
		{"GET /leads", s.handle(s.leadList)},
		{"POST /leads", s.handle(s.createLead)},
		{"POST /leads/import", s.handle(s.importLeads)}, // leads_import.go
		{"GET /leads/{id}", s.handle(s.leadPage)},
		{"POST /leads/{id}/move", s.handle(s.moveLead)},
		{"POST /leads/{id}/contacts", s.handle(s.addContact)},
		{"POST /leads/{id}/next", s.handle(s.setNextAction)},
		{"POST /leads/{id}/convert", s.handle(s.convertLead)},
		{"POST /leads/{id}/supervisions", s.handle(s.superviseLead)},
		{"POST /lead-supervision/{id}", s.handle(s.moveLeadSupervision)},
		{"GET /search", s.handle(s.searchPage)},
		{"GET /enterprises", s.handle(s.enterpriseList)},
		{"GET /enterprises/{code}", s.handle(s.enterprise)},
		{"GET /policies", s.handle(s.policyList)},
		{"GET /policies/new", s.handle(s.policyNew)},
		{"POST /policies/new", s.handle(s.expensive(s.policySave))},
		{"GET /policies/{id}", s.handle(s.policyPage)},
		{"GET /policies/{id}/edit", s.handle(s.policyEdit)},
		{"POST /policies/{id}/edit", s.handle(s.expensive(s.policySave))},
		{"POST /policies/{id}/versions/{version}/publish", s.handle(s.publish)},
		{"GET /policies/{id}/simulate", s.handle(s.expensive(s.simulate))},
		{"GET /decisions", s.handle(s.decisionList)},
		{"GET /runs", s.handle(s.runList)},
		{"POST /runs", s.handle(s.expensive(s.createRun))},
		{"GET /runs/{id}", s.handle(s.runPage)},
		{"POST /runs/{id}/policies/{policy}/publicise", s.handle(s.publicise)},
		{"GET /public/publicity", s.handle(s.publicity)},
		{"GET /enterprises/{code}/policies", s.handle(s.enterprisePolicies)},
		{"POST /enterprises/{code}/objections", s.handle(s.createObjection)},
		// The officials' side of the lifecycle (lifecycle.go).
		{"GET /objections", s.handle(s.objectionList)},
		{"GET /objections/{id}", s.handle(s.objectionPage)},
		{"POST /objections/{id}/resolve", s.handle(s.resolveObjection)},
		{"POST /objections/{id}/facts", s.handle(s.correctFacts)},
		{"POST /objections/{id}/redecide", s.handle(s.redecide)},
		{"GET /approvals", s.handle(s.approvalPage)},
		{"POST /approvals", s.handle(s.approve)},
		{"GET /payments", s.handle(s.paymentPage)},
		{"POST /payments", s.handle(s.pay)},
		{"GET /payments/file", s.handle(s.paymentFile)},
		{"POST /reversals", s.handle(s.reverse)},
		{"GET /applications", s.handle(s.applicationList)},
		{"GET /applications/new", s.handle(s.applicationNew)},
		{"POST /applications", s.handle(s.applicationCreate)},
		{"GET /applications/{id}", s.handle(s.applicationPage)},
		{"POST /applications/{id}/save", s.handle(s.applicationSave)},
		{"POST /applications/{id}/status", s.handle(s.applicationMove)},
		{"POST /applications/{id}/files", s.handle(s.applicationAttach)},
		{"GET /applications/{id}/files/{file}", s.handle(s.applicationFile)},
		// Sign-in and accounts (auth.go); auth.Service refuses user
		// management to anyone but an admin.
		{"GET /login", s.handle(s.loginPage)},
		{"GET /account", s.handle(s.accountPage)},
		{"POST /account/password", s.handle(s.changeOwnPassword)},
		{"POST /account/email", s.handle(s.changeOwnEmail)},
		// Notifications (inbox.go): each account's own.
		{"GET /inbox", s.handle(s.inboxPage)},
		{"GET /inbox/{id}", s.handle(s.openNotification)},
		{"POST /inbox/read", s.handle(s.markRead)},
		{"POST /login", s.handle(s.login)},
		{"POST /logout", s.handle(s.logout)},
		{"GET /admin/users", s.handle(s.userList)},
		{"POST /admin/users", s.handle(s.createUser)},
		{"POST /admin/users/{id}", s.handle(s.updateUser)},
		{"POST /admin/users/{id}/tokens", s.handle(s.createToken)},
		{"POST /admin/tokens/{id}/revoke", s.handle(s.revokeToken)},
		// The audit log (audit.go): admins and leaders only, by authz.
		{"GET /audit", s.handle(s.auditPage)},
		// Key projects (projects.go, scorecards.go, projects_report.go).
		{"GET /projects", s.handle(s.projectList)},
		{"GET /projects/report", s.handle(s.expensive(s.projectReport))},
		{"GET /projects/{id}", s.handle(s.projectPage)},
		{"POST /projects/{id}/reports", s.handle(s.putReport)},
		{"POST /projects/{id}/nodes/{seq}", s.handle(s.putNode)},
		{"POST /projects/{id}/inputs", s.handle(s.putInputs)},
		// 销号 and 督办 (routine.go), the meeting workbook and the exports (exports.go).
		{"POST /projects/{id}/closures", s.handle(s.closeWarning)},
		{"GET /projects/{id}/closures/{closure}/file", s.handle(s.closureFile)},
		{"POST /projects/{id}/supervisions", s.handle(s.createSupervision)},
		{"GET /supervision", s.handle(s.supervisionList)},
		{"POST /supervision/{id}", s.handle(s.moveSupervision)},
		{"GET /projects/report.xlsx", s.handle(s.expensive(s.projectReportXLSX))},
		{"GET /exports/enterprises.csv", s.handle(s.expensive(s.exportEnterprises))},
		{"GET /exports/projects.csv", s.handle(s.expensive(s.exportProjects))},
		{"GET /exports/decisions.csv", s.handle(s.expensive(s.exportDecisions))},
		{"GET /warnings", s.handle(s.expensive(s.warningBoard))},
		{"GET /warnings/rules", s.handle(s.warningRules)},
		{"POST /warnings/rules", s.handle(s.saveWarningRule)},
		{"POST /warnings/rules/{id}/delete", s.handle(s.deleteWarningRule)},
		{"GET /scorecards", s.handle(s.expensive(s.scorecardList))},
		{"GET /scorecards/{kind}/{name}", s.handle(s.expensive(s.scorecardPage))},
		// Responsibilities and the lists they choose from (responsibilities.go).
		{"GET /admin/responsibilities", s.handle(s.responsibilities)},
		{"POST /admin/responsibilities/{id}", s.handle(s.saveResponsibility)},
		{"GET /admin/lists", s.handle(s.listsPage)},
		{"GET /calendar", s.handle(s.calendarPage)},
		{"GET /open/requests", s.handle(s.requestStats)},
		{"GET /request-issues", s.handle(s.issuesPage)},
		{"POST /requests/{id}/files", s.handle(s.requestAttach)},
		{"GET /requests/{id}/files/{file}", s.handle(s.requestFile)},
		{"GET /admin/request-categories", s.handle(s.categoriesPage)},
		{"POST /admin/request-categories", s.handle(s.putCategory)},
		{"POST /request-issues/{id}/solve", s.handle(s.solveIssue)},
		{"POST /calendar", s.handle(s.importCalendar)},
		// Enterprise requests (诉求, requests.go).
		{"GET /requests", s.handle(s.requestList)},
		{"GET /requests/new", s.handle(s.requestNew)},
		{"POST /requests", s.handle(s.requestCreate)},
		{"GET /requests/{id}", s.handle(s.requestPage)},
		{"POST /requests/{id}/steps", s.handle(s.requestStep)},
		// Application scenarios (应用场景, scenarios.go).
		{"GET /scenarios", s.handle(s.scenarioList)},
		{"GET /scenarios/new", s.handle(s.scenarioNew)},
		{"POST /scenarios", s.handle(s.scenarioCreate)},
		{"GET /scenarios/{id}", s.handle(s.scenarioPage)},
		{"GET /scenarios/{id}/edit", s.handle(s.scenarioEdit)},
		{"POST /scenarios/{id}/edit", s.handle(s.scenarioUpdate)},
		{"POST /scenarios/{id}/moves", s.handle(s.scenarioMove)},
		{"POST /scenarios/{id}/panel", s.handle(s.scenarioPanel)},
		{"POST /scenarios/{id}/applications", s.handle(s.scenarioApply)},
		{"POST /scenarios/{id}/applications/{app}/withdraw", s.handle(s.scenarioWithdraw)},
		{"POST /scenarios/{id}/applications/{app}/files", s.handle(s.scenarioAttach)},
		{"GET /scenarios/{id}/applications/{app}/files/{file}", s.handle(s.scenarioFile)},
		{"POST /scenarios/{id}/scores", s.handle(s.scenarioScores)},
		{"POST /scenarios/{id}/conflicts", s.handle(s.scenarioConflict)},
		// Supply–demand matchmaking (广聚群链, match.go) and its fairs (fairs.go).
		{"GET /supplies", s.handle(s.supplyList)},
		{"POST /supplies", s.handle(s.supplyCreate)},
		{"GET /supplies/{id}", s.handle(s.supplyPage)},
		{"POST /supplies/{id}", s.handle(s.supplySave)},
		{"GET /demands", s.handle(s.demandList)},
		{"POST /demands", s.handle(s.demandCreate)},
		{"GET /demands/{id}", s.handle(s.demandPage)},
		{"POST /demands/{id}", s.handle(s.demandSave)},
		{"GET /matches", s.handle(s.matchList)},
		{"POST /matches/run", s.handle(s.expensive(s.matchRun))},
		{"GET /matches/{id}", s.handle(s.matchPage)},
		{"POST /matches/{id}/steps", s.handle(s.matchStep)},
		{"GET /fairs", s.handle(s.fairList)},
		{"POST /fairs", s.handle(s.fairCreate)},
		{"GET /fairs/{id}", s.handle(s.fairPage)},
		{"GET /fairs/{id}/report.xlsx", s.handle(s.fairReportXLSX)},
		{"POST /fairs/{id}/registrations", s.handle(s.fairRegister)},
		{"POST /fairs/{id}/requests", s.handle(s.fairRequest)},
		{"POST /fairs/{id}/schedule", s.handle(s.fairSchedule)},
		{"POST /fairs/{id}/meetings/{meeting}", s.handle(s.fairOutcome)},
		{"POST /fairs/{id}/meetings/{meeting}/move", s.handle(s.fairMove)},
		// Industrial space (产业空间, space.go, space_units.go, space_route.go).
		{"GET /space", s.handle(s.spacePage)},
		{"POST /space/blocks", s.handle(s.spaceBlockCreate)},
		{"GET /space/blocks/{id}", s.handle(s.spaceBlockPage)},
		{"POST /space/blocks/{id}", s.handle(s.spaceBlockSave)},
		{"POST /space/blocks/{id}/units", s.handle(s.spaceUnitCreate)},
		{"GET /space/units/{id}", s.handle(s.spaceUnitPage)},
		{"POST /space/units/{id}/holds", s.handle(s.spaceHold)},
		{"POST /space/units/{id}/holds/{hold}/release", s.handle(s.spaceRelease)},
		{"POST /space/units/{id}/allocations", s.handle(s.spaceAllocate)},
		{"POST /space/units/{id}/allocations/{alloc}/end", s.handle(s.spaceEndAllocation)},
		{"GET /space/route", s.handle(s.spaceRoute)},
		{"GET /space/settings", s.handle(s.spaceSettings)},
		{"POST /space/settings/rule", s.handle(s.spaceRuleSave)},
		{"POST /space/settings/thresholds", s.handle(s.spaceThresholdsSave)},
		{"POST /admin/lists", s.handle(s.createListEntry)},
		{"POST /admin/lists/{id}", s.handle(s.updateListEntry)},
		{"/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
			return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
		})},
	}
}

// routes registers routeTable on a mux. Every form but the sign-in and
// sign-out ones needs an account: the public is sent to sign in before
// the form is read, never shown its field errors.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		h := rt.handler
		if strings.HasPrefix(rt.pattern, "POST ") && rt.pattern != "POST /login" && rt.pattern != "POST /logout" {
			h = signedIn(h)
		}
		mux.Handle(rt.pattern, h)
	}
	return mux
}

// signedIn sends the public to the login page before h runs.
func signedIn(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if chanye.ActorFrom(r.Context()).Role == chanye.RolePublic {
			redirectToLogin(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Routes lists the pattern of every route of the pages, for tests that
// must cover them all.
func Routes() []string {
	var out []string
	for _, rt := range (&Server{}).routeTable() {
		out = append(out, rt.pattern)
	}
	return out
}

// handlerFunc is a page handler that returns its error for handle to show.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// expensive marks a page that evaluates over the whole base (the policy
// editor's check, a simulation, a run, the warning board, the scorecards,
// the meeting report): each client's rate is limited, shared with the
// API, before it starts (429 with Retry-After).
func (s *Server) expensive(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.cfg.Limiter.Check(w, r); err != nil {
			return err
		}
		return h(w, r)
	}
}

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

type errorView struct {
	page
	Status  int
	Message string
	Fields  map[string]string
	Mark    *markedCode // the faulty character of a credit code
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := chanye.ErrorCode(err)
	if code == chanye.EUNAUTHORIZED {
		redirectToLogin(w, r)
		return
	}
	status := httpmw.Status(code)
	if status >= 500 {
		s.log.Error("web: page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	v := &errorView{page: s.newPage(r, ""), Status: status, Fields: errFields(r, err)}
	v.Title = fmt.Sprintf("%d", status)
	v.Message = errText(r, err)
	if status == http.StatusForbidden && v.Actor != nil {
		// The rule's words are for developers ("… may not read runs"):
		// the page says who is refused, in the page's language, and
		// where to go instead (the links the header shows).
		v.Message = v.L.Tf("err.403.msg", v.Actor.Name, v.L.T("role."+string(v.Actor.Role)))
	}
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

// redirectToLogin sends a visitor without an account to the login page,
// to come back afterwards: to the page asked for, or after a form to the
// page that showed it (a form's URL answers only POST). Either is taken
// only when httpauth.SafeNext finds it a clean path of this site, else "/".
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	next, status := r.URL.RequestURI(), http.StatusFound
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		next, status = "", http.StatusSeeOther
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
			next = ref.RequestURI()
		}
	}
	if next = httpauth.SafeNext(next); next == "" {
		next = "/"
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), status)
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
