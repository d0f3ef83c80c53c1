// Package httpapi serves the chanye services as JSON over HTTP under
// /api/v1/, described by the OpenAPI document served at /api/openapi.json.
//
// Handlers are thin: they decode, call a service and encode, and return an
// error that one adapter turns into a response. Every route is listed in
// routes, which both registers it and lets the tests hold it against the
// OpenAPI document.
package httpapi

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/search"
	"github.com/chanye-org/chanye/workday"
)

// DefaultMaxBodyBytes is the request body limit when Config gives none.
const DefaultMaxBodyBytes = 1 << 20

//go:embed openapi.json
var openAPIDocument []byte

// Config holds what the handler needs. Catalog and Enterprises are required;
// the policy routes need Policies, and runs, simulations and explanations
// need Engine.
type Config struct {
	Catalog      chanye.CatalogService
	Enterprises  chanye.EnterpriseService
	Policies     policy.Services
	Audit        chanye.AuditService        // nil: GET /api/v1/audit answers 404
	Projects     project.Service            // nil: the project, warning and scorecard routes answer 404
	Closures     project.ClosureService     // nil: the closure (销号) routes answer 404
	Supervisions project.SupervisionService // nil: the supervision (督办) routes answer 404
	Search       search.Service             // nil: GET /api/v1/search answers 404
	Engine       Engine
	Logger       *slog.Logger // nil: slog.Default()
	Version      string
	MaxBodyBytes int64 // 0: DefaultMaxBodyBytes
	// Limiter limits each client's rate on the routes that evaluate over
	// the whole base (expensive); nil: no limit. serve shares one with the
	// pages.
	Limiter *httpmw.Limiter
	// Now is the clock that "today" is read from: the same one the store
	// and the engine use. nil: time.Now.
	Now func() time.Time
	// Lists keeps the lists of city leaders, departments and task forces;
	// nil: the /api/v1/org-units routes answer 404.
	Lists chanye.OrgUnitService
	// Calendar is the working-day calendar; nil: /api/v1/calendar answers
	// 404.
	Calendar workday.Service
	// Requests are the enterprise requests (诉求) and RequestIssues the
	// common problems grouped from them; nil: their routes answer 404.
	Requests      request.Service
	RequestIssues request.IssueService
	RequestFiles  request.FileService
	// Notifications is the caller's inbox; nil: the notification routes
	// answer 404.
	Notifications notify.Service
	// Chains serves the industry chains and LeadFirms their 链主; nil
	// answers 404 there.
	Chains    chain.Service
	LeadFirms chain.LeadFirmService
	// Placements places firms on the chains and diagnoses the links; nil
	// answers 404 there.
	Placements chain.Placements
	// Invest serves 招商: targets, rosters, candidates, leads and their
	// funnel; nil answers 404 there.
	Invest *InvestServices
	// Scenarios serves the application scenarios (首试首用); nil: their
	// routes answer 404.
	Scenarios *ScenarioServices
	// Match serves supply–demand matchmaking (广聚群链); nil: its routes
	// answer 404.
	Match *MatchServices
	// Space serves industrial space (产业空间): blocks, units, routing,
	// holds, allocations and 亩均; nil: its routes answer 404.
	Space *SpaceServices
}

// Engine is what the API asks of the policy engine: *engine.Engine, or
// the same guarded by package authz.
type Engine interface {
	Run(ctx context.Context, asOf chanye.Date) (*policy.Run, error)
	Simulate(ctx context.Context, draft *policy.Policy, asOf chanye.Date) (*engine.Simulation, error)
	Test(ctx context.Context, p *policy.Policy) ([]policy.CaseResult, error)
	ExplainEnterprise(ctx context.Context, code string, asOf chanye.Date) (*engine.EnterpriseDecisions, error)
	Explain(ctx context.Context, policyID string, version int, code string, asOf chanye.Date) (*engine.PolicyDecision, error)
	Redecide(ctx context.Context, policyID, code string, asOf chanye.Date) (*policy.Run, *engine.PolicyDecision, error)
}

// Codes the transport adds to the domain's; they never leave this package.
const (
	codeMethodNotAllowed = "method_not_allowed"
	codeUnsupportedMedia = "unsupported_media_type"
)

// transportStatus maps the transport's own codes to HTTP statuses; the
// domain's codes go by httpmw.Status, the table the pages use too.
var transportStatus = map[string]int{
	codeMethodNotAllowed: http.StatusMethodNotAllowed,
	codeUnsupportedMedia: http.StatusUnsupportedMediaType,
}

// server carries the configuration to the handlers.
type server struct {
	catalog        chanye.CatalogService
	enterprises    chanye.EnterpriseService
	policies       policy.Services
	audit          chanye.AuditService
	projects       project.Service
	closures       project.ClosureService
	supervision    project.SupervisionService
	searcher       search.Service
	engine         Engine
	log            *slog.Logger
	version        string
	maxBody        int64
	now            func() time.Time
	limiter        *httpmw.Limiter
	lists          chanye.OrgUnitService
	calendar       workday.Service
	requests       request.Service
	issues         request.IssueService
	requestFileSvc request.FileService
	notifications  notify.Service
	chains         chain.Service
	placements     chain.Placements
	leadFirms      chain.LeadFirmService
	invest         *InvestServices
	scenarios      *ScenarioServices
	match          *MatchServices
	segmenter      *match.LazySegmenter
	space          *SpaceServices
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one method and path of the API.
type route struct {
	method string
	path   string // a net/http pattern path, which is also the OpenAPI path
	handle handlerFunc
}

// NewHandler returns the HTTP handler of the API.
func NewHandler(cfg Config) http.Handler {
	s := newServer(cfg)
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range s.routes() {
		h := rt.handle
		if rt.method != http.MethodGet && rt.method != http.MethodHead {
			h = signedIn(h)
		}
		mux.Handle(rt.method+" "+rt.path, s.adapt(h))
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	// The methods a path lacks answer 405 in JSON: the mux's own 405 would
	// be plain text. They are registered one method at a time because a
	// method-less pattern such as /api/v1/policies/test would conflict with
	// GET /api/v1/policies/{id}: neither is more specific than the other.
	for path, methods := range allowed {
		h := s.adapt(methodNotAllowed(methods))
		for _, m := range knownMethods {
			if !contains(methods, m) && (m != http.MethodHead || !contains(methods, http.MethodGet)) {
				mux.Handle(m+" "+path, h)
			}
		}
	}
	mux.Handle("/api/", s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return chanye.Errorf(chanye.ENOTFOUND, "没有这个接口 %s / no such endpoint", r.URL.Path)
	}))
	return mux
}

func newServer(cfg Config) *server {
	s := &server{catalog: cfg.Catalog, enterprises: cfg.Enterprises, policies: cfg.Policies, engine: cfg.Engine, log: cfg.Logger, version: cfg.Version, maxBody: cfg.MaxBodyBytes, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	s.audit, s.projects, s.limiter, s.lists, s.searcher = cfg.Audit, cfg.Projects, cfg.Limiter, cfg.Lists, cfg.Search
	s.closures, s.supervision = cfg.Closures, cfg.Supervisions
	s.notifications = cfg.Notifications
	s.chains, s.leadFirms, s.placements = cfg.Chains, cfg.LeadFirms, cfg.Placements
	s.invest, s.calendar, s.requests, s.issues, s.requestFileSvc = cfg.Invest, cfg.Calendar, cfg.Requests, cfg.RequestIssues, cfg.RequestFiles
	s.scenarios, s.space = cfg.Scenarios, cfg.Space
	s.match, s.segmenter = cfg.Match, &match.LazySegmenter{}
	if cfg.Match != nil && cfg.Match.Lazy != nil {
		s.segmenter = cfg.Match.Lazy
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	return s
}

// Routes lists every route of the API as "METHOD PATTERN", in the order
// they are registered, for tests that must cover them all.
func Routes() []string {
	var out []string
	for _, rt := range (&server{}).routes() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// knownMethods are the methods that get a 405 on a path without them; any
// other method is a 404.
var knownMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodTrace}

// routes lists every route of the API. Adding one here without documenting
// it in openapi.json fails TestRoutesDocumented.
func (s *server) routes() []route {
	return []route{
		{"GET", "/healthz", s.healthz},
		{"GET", "/api/v1/healthz", s.healthz},
		{"GET", "/api/openapi.json", s.openAPI},

		{"GET", "/api/v1/catalog", s.getCatalog},
		{"GET", "/api/v1/industries", s.listIndustries},
		{"GET", "/api/v1/industries/{id}", s.getIndustry},
		{"PATCH", "/api/v1/industries/{id}/responsibility", s.patchResponsibility},
		{"GET", "/api/v1/industries/{id}/indicators", s.listIndicators},
		{"PUT", "/api/v1/industries/{id}/indicators", s.putIndicators},

		{"GET", "/api/v1/search", s.search},

		{"GET", "/api/v1/enterprises", s.listEnterprises},
		{"POST", "/api/v1/enterprises", s.createEnterprise},
		{"GET", "/api/v1/enterprises/{code}", s.getEnterprise},
		{"PATCH", "/api/v1/enterprises/{code}", s.patchEnterprise},
		{"GET", "/api/v1/enterprises/{code}/facts", s.listFacts},
		{"PUT", "/api/v1/enterprises/{code}/facts", s.putFacts},
		{"POST", "/api/v1/enterprises/{code}/tiers", s.addTier},
		{"DELETE", "/api/v1/enterprises/{code}/tiers/{kind}/{from}", s.deleteTier},
		{"GET", "/api/v1/enterprises/{code}/decisions", s.explainEnterprise},
		{"GET", "/api/v1/enterprises/{code}/decisions/{policy}", s.explainPolicy},

		{"GET", "/api/v1/policy-schema", s.policySchema},
		{"GET", "/api/v1/policies", s.listPolicies},
		{"POST", "/api/v1/policies", s.createPolicy},
		{"POST", "/api/v1/policies/test", s.expensive(s.testPolicy)},
		{"GET", "/api/v1/policies/{id}", s.getPolicy},
		{"POST", "/api/v1/policies/{id}/versions/{version}/publish", s.publishPolicy},
		{"GET", "/api/v1/policies/{id}/budget", s.getBudgetUse},
		{"POST", "/api/v1/policies/{id}/simulate", s.expensive(s.simulatePolicy)},

		{"GET", "/api/v1/runs", s.listRuns},
		{"POST", "/api/v1/runs", s.expensive(s.createRun)},
		{"GET", "/api/v1/runs/{id}", s.getRun},
		{"POST", "/api/v1/runs/{id}/policies/{policy}/publicise", s.publicise},
		{"GET", "/api/v1/decisions", s.listDecisions},
		{"GET", "/api/v1/public/publicity", s.listPublicity},
		{"GET", "/api/v1/objections", s.listObjections},
		{"POST", "/api/v1/objections", s.createObjection},
		{"POST", "/api/v1/objections/{id}/resolve", s.resolveObjection},
		{"POST", "/api/v1/objections/{id}/facts", s.correctFacts},
		{"POST", "/api/v1/objections/{id}/redecide", s.redecide},
		{"POST", "/api/v1/approvals", s.approve},
		{"POST", "/api/v1/payments", s.pay},
		{"GET", "/api/v1/payments/file", s.paymentFile},
		{"POST", "/api/v1/reversals", s.reverse},
		{"GET", "/api/v1/ledger", s.listLedger},
		{"GET", "/api/v1/applications", s.listApplications},
		{"POST", "/api/v1/applications", s.createApplication},
		{"GET", "/api/v1/applications/{id}", s.getApplication},
		{"PATCH", "/api/v1/applications/{id}", s.patchApplication},
		{"POST", "/api/v1/applications/{id}/status", s.moveApplication},
		{"POST", "/api/v1/applications/{id}/files", s.attachFile},
		{"GET", "/api/v1/applications/{id}/files/{file}", s.getFile},

		{"GET", "/api/v1/audit", s.listAudit},

		// The caller's own inbox (notifications.go).
		{"GET", "/api/v1/notifications", s.listNotifications},
		{"POST", "/api/v1/notifications/read", s.markNotificationsRead},

		// Key projects, warnings, targets and scorecards (projects.go).
		{"GET", "/api/v1/projects", s.withProjects(s.listProjects)},
		{"POST", "/api/v1/projects", s.withProjects(s.createProject)},
		{"GET", "/api/v1/projects/{id}", s.withProjects(s.getProject)},
		{"PATCH", "/api/v1/projects/{id}", s.withProjects(s.patchProject)},
		{"GET", "/api/v1/projects/{id}/nodes", s.withProjects(s.listNodes)},
		{"PATCH", "/api/v1/projects/{id}/nodes/{seq}", s.withProjects(s.patchNode)},
		{"GET", "/api/v1/projects/{id}/reports/{month}", s.withProjects(s.getReport)},
		{"PUT", "/api/v1/projects/{id}/reports/{month}", s.withProjects(s.putReport)},
		{"GET", "/api/v1/projects/{id}/closures", s.listClosures},
		{"POST", "/api/v1/projects/{id}/closures", s.closeWarning},
		{"GET", "/api/v1/projects/{id}/closures/{closure}/file", s.getClosureFile},
		{"GET", "/api/v1/supervisions", s.projectSupAPI().list},
		{"POST", "/api/v1/supervisions", s.projectSupAPI().create},
		{"GET", "/api/v1/supervisions/{id}", s.projectSupAPI().get},
		{"POST", "/api/v1/supervisions/{id}/steps", s.projectSupAPI().move},
		{"GET", "/api/v1/warnings", s.expensive(s.withProjects(s.listWarnings))},
		{"GET", "/api/v1/warning-rules", s.listWarningRules},
		{"PUT", "/api/v1/warning-rules/{id}", s.putWarningRule},
		{"DELETE", "/api/v1/warning-rules/{id}", s.deleteWarningRule},
		{"GET", "/api/v1/targets", s.listTargets},
		{"GET", "/api/v1/scorecards", s.expensive(s.listScorecards)},
		{"GET", "/api/v1/scorecards/{kind}/{name}", s.expensive(s.getScorecard)},

		// Industry chains (chains.go).
		{"GET", "/api/v1/chains", s.listChains},
		{"PUT", "/api/v1/chains", s.importChains},
		{"GET", "/api/v1/chains/{industry}", s.getChain},
		{"PUT", "/api/v1/chains/{industry}", s.putChain},
		{"GET", "/api/v1/chains/{industry}/lead-firms", s.listLeadFirms},
		{"POST", "/api/v1/chains/{industry}/lead-firms", s.designateLeadFirm},
		{"POST", "/api/v1/chains/{industry}/lead-firms/{id}/end", s.endLeadFirm},
		// Placement (挂链) and diagnosis (placements.go).
		{"POST", "/api/v1/chains/place", s.placeAll},
		{"GET", "/api/v1/chains/{industry}/diagnosis", s.chainDiagnosis},
		{"GET", "/api/v1/chains/{industry}/removals", s.listRemovals},
		{"GET", "/api/v1/chain-links/{link}/firms", s.listPlacements},
		{"POST", "/api/v1/chain-links/{link}/firms", s.placeFirm},
		{"POST", "/api/v1/chain-links/{link}/firms/{code}/remove", s.unplaceFirm},
		{"POST", "/api/v1/chain-links/{link}/removals/{code}/undo", s.undoRemoval},
		{"GET", "/api/v1/chain-thresholds", s.getThresholds},
		{"PUT", "/api/v1/chain-thresholds", s.putThresholds},
		{"GET", "/api/v1/enterprises/{code}/placements", s.enterprisePlacements},
		{"GET", "/api/v1/enterprises/{code}/scope", s.getScope},
		{"PUT", "/api/v1/enterprises/{code}/scope", s.putScope},
		// 招商: targets, candidates, rosters, leads and the funnel
		// (invest.go). GET /api/v1/targets is taken by the industries'
		// targets (目标), so 招商's are invest-targets.
		{"GET", "/api/v1/invest-targets", s.withInvest(s.listInvestTargets)},
		{"POST", "/api/v1/invest-targets", s.withInvest(s.createInvestTarget)},
		{"GET", "/api/v1/invest-targets/{id}", s.withInvest(s.getInvestTarget)},
		{"DELETE", "/api/v1/invest-targets/{id}", s.withInvest(s.deleteInvestTarget)},
		{"GET", "/api/v1/chain-links/{link}/candidates", s.withInvest(s.listCandidates)},
		{"GET", "/api/v1/roster", s.withInvest(s.listRoster)},
		{"PUT", "/api/v1/roster", s.withInvest(s.putRoster)},
		{"GET", "/api/v1/leads", s.withInvest(s.listLeads)},
		{"POST", "/api/v1/leads", s.withInvest(s.createLead)},
		{"GET", "/api/v1/leads/overdue", s.withInvest(s.listOverdueLeads)},
		{"GET", "/api/v1/leads/{id}", s.withInvest(s.getLead)},
		{"PATCH", "/api/v1/leads/{id}", s.withInvest(s.patchLead)},
		{"POST", "/api/v1/leads/{id}/move", s.withInvest(s.moveLead)},
		{"POST", "/api/v1/leads/{id}/contacts", s.withInvest(s.addLeadContact)},
		{"POST", "/api/v1/leads/{id}/convert", s.withInvest(s.convertLead)},
		{"GET", "/api/v1/lead-supervisions", s.leadSupAPI().list},
		{"POST", "/api/v1/lead-supervisions", s.leadSupAPI().create},
		{"GET", "/api/v1/lead-supervisions/{id}", s.leadSupAPI().get},
		{"POST", "/api/v1/lead-supervisions/{id}/steps", s.leadSupAPI().move},
		{"POST", "/api/v1/leads/import", s.withInvest(s.importLeads)}, // invest_import.go
		{"GET", "/api/v1/funnel", s.withInvest(s.getFunnel)},

		// The lists responsibilities choose from (orgunits.go).
		// Enterprise requests (requests.go).
		{"GET", "/api/v1/request-categories", s.listRequestCategories},
		{"PUT", "/api/v1/request-categories/{id}", s.putRequestCategory},
		{"GET", "/api/v1/requests", s.listRequests},
		{"POST", "/api/v1/requests", s.createRequest},
		{"GET", "/api/v1/requests/{id}", s.getRequest},
		{"POST", "/api/v1/requests/{id}/steps", s.actOnRequest},
		{"GET", "/api/v1/requests/{id}/files", s.listRequestFiles},
		{"POST", "/api/v1/requests/{id}/files", s.attachRequestFile},
		{"GET", "/api/v1/requests/{id}/files/{file}", s.getRequestFile},
		{"GET", "/api/v1/request-stats", s.getRequestStats},
		{"GET", "/api/v1/request-issues", s.listRequestIssues},
		{"POST", "/api/v1/request-issues/{id}/solve", s.solveRequestIssue},
		// Application scenarios (scenarios.go).
		{"GET", "/api/v1/scenarios", s.withScenarios(s.listScenarios)},
		{"POST", "/api/v1/scenarios", s.withScenarios(s.createScenario)},
		{"GET", "/api/v1/scenarios/feed.json", s.withScenarios(s.scenarioFeedJSON)},
		{"GET", "/api/v1/scenarios/feed.atom", s.withScenarios(s.scenarioFeedAtom)},
		{"GET", "/api/v1/scenarios/{id}", s.withScenarios(s.getScenario)},
		{"PATCH", "/api/v1/scenarios/{id}", s.withScenarios(s.patchScenario)},
		{"GET", "/api/v1/scenarios/{id}/events", s.withScenarios(s.listScenarioEvents)},
		{"POST", "/api/v1/scenarios/{id}/steps", s.withScenarios(s.moveScenario)},
		{"GET", "/api/v1/scenarios/{id}/applications", s.withScenarios(s.listScenarioApplications)},
		{"POST", "/api/v1/scenarios/{id}/applications", s.withScenarios(s.applyToScenario)},
		{"GET", "/api/v1/scenarios/{id}/panel", s.withScenarios(s.getScenarioPanel)},
		{"PUT", "/api/v1/scenarios/{id}/panel", s.withScenarios(s.putScenarioPanel)},
		{"POST", "/api/v1/scenarios/{id}/conflicts", s.withScenarios(s.declareScenarioConflict)},
		{"GET", "/api/v1/scenarios/{id}/scores", s.withScenarios(s.getScenarioScores)},
		{"PUT", "/api/v1/scenarios/{id}/scores", s.withScenarios(s.putScenarioScores)},
		{"GET", "/api/v1/scenarios/{id}/ranking", s.withScenarios(s.getScenarioRanking)},
		{"GET", "/api/v1/scenario-applications", s.withScenarios(s.listScenarioApplications)},
		{"GET", "/api/v1/scenario-applications/{id}", s.withScenarios(s.getScenarioApplication)},
		{"GET", "/api/v1/scenario-applications/{id}/files", s.withScenarios(s.listScenarioFiles)},
		{"POST", "/api/v1/scenario-applications/{id}/files", s.withScenarios(s.attachScenarioFile)},
		{"GET", "/api/v1/scenario-applications/{id}/files/{file}", s.withScenarios(s.getScenarioFile)},
		{"POST", "/api/v1/scenario-applications/{id}/withdraw", s.withScenarios(s.withdrawScenarioApplication)},
		{"GET", "/api/v1/scenario-progress", s.withScenarios(s.getScenarioProgress)},
		// Supply–demand matchmaking (match.go).
		{"GET", "/api/v1/supplies", s.withMatch(s.listSupplies)},
		{"POST", "/api/v1/supplies", s.withMatch(s.createSupply)},
		{"GET", "/api/v1/supplies/{id}", s.withMatch(s.getSupply)},
		{"PATCH", "/api/v1/supplies/{id}", s.withMatch(s.patchSupply)},
		{"GET", "/api/v1/demands", s.withMatch(s.listDemands)},
		{"POST", "/api/v1/demands", s.withMatch(s.createDemand)},
		{"GET", "/api/v1/demands/{id}", s.withMatch(s.getDemand)},
		{"PATCH", "/api/v1/demands/{id}", s.withMatch(s.patchDemand)},
		{"POST", "/api/v1/match-runs", s.expensive(s.withMatch(s.proposeMatches))},
		{"GET", "/api/v1/matches", s.withMatch(s.listMatches)},
		{"GET", "/api/v1/matches/{id}", s.withMatch(s.getMatch)},
		{"POST", "/api/v1/matches/{id}/steps", s.withMatch(s.actOnMatch)},
		{"GET", "/api/v1/match-metrics/{industry}", s.withMatch(s.getMatchMetrics)},
		{"GET", "/api/v1/fairs", s.withMatch(s.listFairs)},
		{"POST", "/api/v1/fairs", s.withMatch(s.createFair)},
		{"GET", "/api/v1/fairs/{id}", s.withMatch(s.getFair)},
		{"POST", "/api/v1/fairs/{id}/registrations", s.withMatch(s.registerForFair)},
		{"GET", "/api/v1/fairs/{id}/meeting-requests", s.withMatch(s.listMeetingRequests)},
		{"POST", "/api/v1/fairs/{id}/meeting-requests", s.withMatch(s.requestMeeting)},
		{"POST", "/api/v1/fairs/{id}/schedule", s.withMatch(s.scheduleFair)},
		{"GET", "/api/v1/fairs/{id}/timetable", s.withMatch(s.getTimetable)},
		{"PUT", "/api/v1/fairs/{id}/timetable", s.withMatch(s.putTimetable)},
		{"PUT", "/api/v1/fairs/{id}/meetings/{meeting}/outcome", s.withMatch(s.recordMeetingOutcome)},
		{"GET", "/api/v1/fairs/{id}/report", s.withMatch(s.getFairReport)},
		{"GET", "/api/v1/fairs/{id}/report.xlsx", s.withMatch(s.getFairReportXLSX)},
		// Industrial space (space.go).
		{"GET", "/api/v1/space/blocks", s.withSpace(s.listSpaceBlocks)},
		{"POST", "/api/v1/space/blocks", s.withSpace(s.createSpaceBlock)},
		{"GET", "/api/v1/space/blocks.geojson", s.withSpace(s.spaceBlocksGeoJSON)},
		{"GET", "/api/v1/space/blocks/{id}", s.withSpace(s.getSpaceBlock)},
		{"PATCH", "/api/v1/space/blocks/{id}", s.withSpace(s.patchSpaceBlock)},
		{"GET", "/api/v1/space/units", s.withSpace(s.listSpaceUnits)},
		{"POST", "/api/v1/space/units", s.withSpace(s.createSpaceUnit)},
		{"GET", "/api/v1/space/units/{id}", s.withSpace(s.getSpaceUnit)},
		{"PATCH", "/api/v1/space/units/{id}", s.withSpace(s.patchSpaceUnit)},
		{"POST", "/api/v1/space/import", s.withSpace(s.importSpace)},
		{"POST", "/api/v1/space/route", s.withSpace(s.routeSpace)},
		{"GET", "/api/v1/space/holds", s.withSpace(s.listSpaceHolds)},
		{"POST", "/api/v1/space/units/{id}/holds", s.withSpace(s.holdSpaceUnit)},
		{"POST", "/api/v1/space/holds/{id}/release", s.withSpace(s.releaseSpaceHold)},
		{"GET", "/api/v1/space/allocations", s.withSpace(s.listSpaceAllocations)},
		{"POST", "/api/v1/space/units/{id}/allocations", s.withSpace(s.allocateSpaceUnit)},
		{"POST", "/api/v1/space/allocations/{id}/end", s.withSpace(s.endSpaceAllocation)},
		{"GET", "/api/v1/space/use", s.withSpace(s.getSpaceUse)},
		{"GET", "/api/v1/space/size-rule", s.withSpace(s.getSizeRule)},
		{"PUT", "/api/v1/space/size-rule", s.withSpace(s.putSizeRule)},
		{"GET", "/api/v1/space/use-thresholds", s.withSpace(s.getUseThresholds)},
		{"PUT", "/api/v1/space/use-thresholds", s.withSpace(s.putUseThresholds)},
		// The working-day calendar (calendar.go).
		{"GET", "/api/v1/calendar", s.getCalendar},
		{"PUT", "/api/v1/calendar", s.putCalendar},
		{"GET", "/api/v1/org-units", s.listOrgUnits},
		{"POST", "/api/v1/org-units", s.createOrgUnit},
		{"PATCH", "/api/v1/org-units/{id}", s.patchOrgUnit},
		{"GET", "/api/v1/org-units/{id}/uses", s.orgUnitUses},
	}
}

// expensive marks a route that evaluates over the whole base — a policy's
// cases, a simulation, a run, the warning rules over every project, the
// scorecards over projects and the ledger —: each client's rate is limited
// (429 with Retry-After) before it starts.
func (s *server) expensive(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.limiter.Check(w, r); err != nil {
			return err
		}
		return h(w, r)
	}
}

// signedIn answers 401 to the public before h reads anything: every route
// that changes state, or runs a policy's code (test, simulate), needs an
// account, and a caller without one must not get field errors first (what
// each role may do is authz's to decide, after).
func signedIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if chanye.ActorFrom(r.Context()).Role == chanye.RolePublic {
			return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first: %s %s needs an account", r.Method, r.URL.Path)
		}
		return h(w, r)
	}
}

// adapt turns a handlerFunc into an http.Handler that writes its error.
func (s *server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	MessageZH string            `json:"message_zh"`
	MessageEN string            `json:"message_en"`
	Fields    map[string]string `json:"fields,omitempty"`
	FieldsZH  map[string]string `json:"fields_zh,omitempty"`
	FieldsEN  map[string]string `json:"fields_en,omitempty"`
}

// writeError writes err with the status of its code. Only server errors are
// logged as errors: client errors are the client's business.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := chanye.ErrorCode(err)
	status, ok := transportStatus[code]
	if !ok {
		if status = httpmw.Status(code); status == http.StatusInternalServerError {
			code = chanye.EINTERNAL
		}
	}
	zh, en := chanye.ErrorText(err)
	body := errorBody{errorDetail{Code: code, Message: chanye.ErrorMessage(err), MessageZH: zh, MessageEN: en,
		Fields: chanye.ErrorFields(err), FieldsZH: chanye.ErrorFieldsIn(err, false), FieldsEN: chanye.ErrorFieldsIn(err, true)}}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="chanye"`)
	}
	if status == http.StatusInternalServerError {
		// Even an *Error with code EINTERNAL may carry internals.
		body.Error.Message, body.Error.Fields, body.Error.FieldsZH, body.Error.FieldsEN = "内部错误 / internal error", nil, nil, nil
		s.log.ErrorContext(r.Context(), "http request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.log.DebugContext(r.Context(), "http request rejected", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	if err := writeJSON(w, status, body); err != nil {
		s.log.ErrorContext(r.Context(), "writing error response", "err", err)
	}
}

// writeJSON writes v as JSON with status. It encodes before writing the
// header, so that a value that cannot be encoded is still a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a failed write means the client left
	return nil
}

// methodNotAllowed answers 405 with the methods the path has.
func methodNotAllowed(methods []string) handlerFunc {
	allow := strings.Join(methods, ", ")
	if strings.Contains(allow, "GET") {
		allow += ", HEAD"
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", allow)
		return chanye.Errorf(codeMethodNotAllowed, "%s 不支持 %s 方法，可用 %s / method %s not allowed, use %s", r.URL.Path, r.Method, allow, r.Method, allow)
	}
}

// list is the envelope of every list response.
type list[T any] struct {
	Items []T `json:"items"`
}

func newList[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items}
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.version})
}

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPIDocument) // a failed write means the client left
	return nil
}
