package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpapi"
	"github.com/chanye-org/chanye/httpauth"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/metrics"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/scenario"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
	"github.com/chanye-org/chanye/web"
)

// The columns of the matrix: every role, the enterprise twice — asking for
// another enterprise's data (it learns nothing: 404) and for its own;
// the district last, so that its writes come after the others'. A
// district reads the registry and the firms on the chains as officials
// do, follows the 招商 leads it owns and otherwise sees what the public
// sees.
var matrixActors = []string{"admin", "leader", "department", "task_force", "enterprise", "enterprise_self", "public", "district"}

// login is the expected "status" of a page that sends the public to sign
// in: 302 (a GET) or 303 (a form) to /login?next=….
const login = -1

// matrixRequest is one route's request in the matrix and what each actor
// gets, in matrixActors order.
type matrixRequest struct {
	path  string // with real ids; {code} is the enterprise asked about
	body  string // JSON for the API, a form for the pages
	want  [8]int
	ctype string // the body's type when neither (a multipart form)
}

// TestRouteRoleMatrix sends one request per route of the API and of the
// pages as every role, through the services guarded as serve guards them,
// over a demo base with the shipped policies, a run and a publicity. It
// fails when a route has no entry, and when an entry names no route.
func TestRouteRoleMatrix(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	// The base and the run are as of a day on which the shipped policies
	// are in force, whatever the test clock says.
	asOf, _ := chanye.ParseDate("2025-12-31")
	if _, err := demo.Generate(ctx, store, demo.Options{AsOf: asOf, Enterprises: 1000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	run, err := eng.Run(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	// The publicised policy is one the department issues, with decisions.
	const dept = "市工业和信息化局"
	var pid string
	for _, p := range run.Policies {
		v, err := store.FindPolicyVersion(ctx, p.ID, p.Version)
		if err != nil {
			t.Fatal(err)
		}
		if p.Eligible >= 1 && v.Policy.Department == dept {
			pid = p.ID
			break
		}
	}
	if pid == "" {
		t.Fatalf("no policy of %s has eligible decisions in run %d: %+v", dept, run.ID, run.Policies)
	}
	if _, err := store.Publicise(ctx, run.ID, pid, 5); err != nil {
		t.Fatal(err)
	}
	ds, _, err := store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, PolicyID: &pid, Limit: 1})
	if err != nil || len(ds) == 0 {
		t.Fatalf("decisions: %v %d", err, len(ds))
	}
	codeB := ds[0].Code // the enterprise asked about
	ents, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	codeA := ents[0].Code // the enterprise asking
	if codeA == codeB {
		codeA = ents[1].Code
	}
	ind := "icv-nev"
	// The demo's lists and responsibilities (demo.Responsibilities).
	if _, err := demo.Responsibilities(ctx, store); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateResponsibility(ctx, ind, chanye.ResponsibilityUpdate{LeadDepartment: ptr(dept)}); err != nil {
		t.Fatal(err)
	}
	indRow, err := store.FindIndustryByID(ctx, ind)
	if err != nil {
		t.Fatal(err)
	}
	leaderKind := chanye.OrgLeader
	leaders, err := store.FindOrgUnits(ctx, chanye.OrgUnitFilter{Kind: &leaderKind})
	if err != nil || len(leaders) == 0 {
		t.Fatalf("no leaders: %v", err)
	}
	lastLeader := leaders[len(leaders)-1]
	unitPath := fmt.Sprint(lastLeader.ID)
	src, err := store.FindPolicyVersion(ctx, pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	newCode := unusedCode(t, store, ctx)
	// A key project of B in the department's industry, red (signed, not
	// started 22 months after its planned start), with a monthly report.
	start, _ := chanye.ParseDate("2025-01-15")
	end, _ := chanye.ParseDate("2027-12-31")
	const projID = "GZ-M001"
	if err := store.CreateProject(ctx, &project.Project{ID: projID, Name: "矩阵测试项目", OwnerCode: codeB, IndustryID: ind, DistrictCode: "440106",
		Kind: project.KindIndustrial, TotalInvestmentFen: 1_000_000_000_00, PlannedStart: start, PlannedCompletion: end, Stage: project.StageSigned}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutReport(ctx, &project.Report{ProjectID: projID, Month: "2025-10", InvestedFen: 100, CumulativeFen: 100, ProgressPct: 1}); err != nil {
		t.Fatal(err)
	}
	// A submitted application of B for the technical retrofit, with a file.
	// A request (诉求) of B, led by the department; the task force reads it
	// only when B's registry industry is its own.
	apiReq, _, err := store.CreateRequest(ctx, &request.Request{Code: codeB, CategoryID: "permit", Title: "矩阵诉求", Description: "矩阵", Channel: request.ChannelPhone})
	if err != nil {
		t.Fatal(err)
	}
	if apiReq.Department != dept {
		if apiReq, err = store.Act(ctx, apiReq.ID, request.Step{Action: request.StepReroute, Department: dept, Note: "矩阵"}); err != nil {
			t.Fatal(err)
		}
	}
	apiReqPath, tfReads := "/api/v1/requests/"+strconv.FormatInt(apiReq.ID, 10), 403
	if apiReq.IndustryID == ind {
		tfReads = 200
	}
	app, err := store.SaveApplication(ctx, &policy.Application{PolicyID: "gz-tech-retrofit", Code: codeB, Values: map[string]any{
		"equipment_investment": int64(100_000_00), "plant_investment": int64(0), "finished_on": asOf}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AttachFile(ctx, app.ID, "a.pdf", "application/pdf", []byte("%PDF-1.4\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.MoveApplication(ctx, app.ID, policy.AppSubmitted, ""); err != nil {
		t.Fatal(err)
	}
	// A request (诉求) of B, raised online; B is in no industry of the
	// catalog, so the administrators route it to the department.
	bReq, _, err := store.CreateRequest(chanye.WithActor(ctx, &chanye.Actor{Name: "企业乙", Role: chanye.RoleEnterprise, Code: codeB}),
		&request.Request{Code: codeB, CategoryID: "utilities", Title: "矩阵诉求", Description: "新产线需扩容供电", Channel: request.ChannelOnline})
	if err != nil {
		t.Fatal(err)
	}
	if bReq, err = store.Act(ctx, bReq.ID, request.Step{Action: request.StepReroute, Department: dept, Note: "按职责分派"}); err != nil {
		t.Fatal(err)
	}
	// A published scenario of the industry with B's application and a
	// panel of three accounts none of the matrix's actors is.
	scenarioPath, scenarioApp := matrixScenario(t, ctx, store, ind, codeB)
	scenarioPage := strings.TrimPrefix(scenarioPath, "/api/v1")
	draftPage := matrixDraft(t, ctx, store, ind)
	// Matchmaking: B's supply and demand, a third firm C's supply that
	// matches B's demand (accepted by both), a fair of the industry where
	// both registered and asked to meet, and another already scheduled.
	mm := matrixMatch(t, ctx, store, ind, codeA, codeB)
	// Industrial space: a block of Tianhe (440106) planned for the
	// industry, its units, two holds for GZ-M001 and a plant leased to B.
	sp := matrixSpace(t, ctx, store, projID, codeB)
	spp := matrixSpacePages(t, ctx, store, projID, codeB)

	// 销号 and 督办: a closure of GZ-M001's red start warning, as a
	// multipart form with its evidence; supervision items due in a week.
	closeBody, closeType := multipartBody(t, map[string]string{"rule_id": "start_late_red", "note": "矩阵"}, "evidence", "e.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	due := chanye.DateOf(testclock.Now().AddDate(0, 0, 7)).String()
	newProject := `{"id":"GZ-M002","name":"矩阵新项目","owner_code":"` + codeB + `","industry_id":"` + ind + `","district_code":"440106","kind":"industrial",` +
		`"total_investment_fen":100000000,"planned_start":"2026-01-01","planned_completion":"2027-01-01","stage":"signed"}`
	report := `{"invested_fen":100,"cumulative_fen":200,"progress_pct":2}`

	actors := map[string]*chanye.Actor{
		"admin":           {Name: "管理员", Role: chanye.RoleAdmin},
		"leader":          {Name: "市领导", Role: chanye.RoleLeader},
		"department":      {Name: "工信局", Role: chanye.RoleDepartment, Department: dept},
		"task_force":      {Name: "专班", Role: chanye.RoleTaskForce, IndustryID: ind},
		"enterprise":      {Name: "企业甲", Role: chanye.RoleEnterprise, Code: codeA},
		"enterprise_self": {Name: "企业乙", Role: chanye.RoleEnterprise, Code: codeB},
		"public":          nil,
		"district":        {Name: "天河区", Role: chanye.RoleDistrict, District: "440106"},
	}

	g := guard(store, store.PolicyServices(), eng, testclock.Now)
	g.match.Segmenter = spaceWords{} // not the dictionary: matching runs by spaces here
	log := slog.New(slog.DiscardHandler)
	api := httpapi.NewHandler(httpapi.Config{Now: testclock.Now, Catalog: g.catalog, Enterprises: g.enterprises, Policies: g.policies, Engine: g.engine,
		Audit: authz.Audit(store), Logger: log, Projects: g.projects, Closures: g.closures, Supervisions: g.supervisions, Lists: g.lists, Calendar: g.calendar, Requests: g.requests, RequestIssues: g.issues, RequestFiles: g.requestFiles,
		Notifications: g.notifications, Search: authz.Search(store), Chains: g.chains, LeadFirms: g.leadFirms, Placements: g.placements,
		Invest: g.invest, Scenarios: g.scenarios, Match: g.match, Space: g.space})
	accounts := auth.NewThrottle(store, store)
	pages, err := web.NewHandler(web.Config{Now: testclock.Now, Catalog: g.catalog, Enterprises: g.enterprises, Policies: g.policies, Engine: g.engine, Logger: log,
		Accounts: accounts, Auth: httpauth.New(httpauth.Config{Accounts: accounts, Logger: log}), Audit: authz.Audit(store), Projects: g.projects,
		Closures: g.closures, Supervisions: g.supervisions, Lists: g.lists, Calendar: g.calendar, Requests: g.requests, RequestIssues: g.issues, RequestFiles: g.requestFiles, Notifications: g.notifications, Deliveries: g.deliveries, Search: authz.Search(store),
		Chains: g.chains, LeadFirms: g.leadFirms, Placements: g.placements, Invest: g.webInvest(), Scenarios: g.webScenarios(), Match: g.webMatch(), Space: g.webSpace()})
	if err != nil {
		t.Fatal(err)
	}
	ready := httpmw.Ready(func(context.Context) error { return nil }, log)
	mux := newMux(api, pages, ready, metrics.New().Handler())
	// as stands in for the sign-in middleware.
	as := func(a *chanye.Actor, r *http.Request) *http.Request {
		if a == nil {
			return r
		}
		return r.WithContext(chanye.WithActor(r.Context(), a))
	}

	// A real static URL, fingerprinted.
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	asset := regexp.MustCompile(`/static/[^"]+`).FindString(rec.Body.String())
	if asset == "" {
		t.Fatal("the overview links no static asset")
	}

	run1 := fmt.Sprint(run.ID)
	ref := func(code string) string {
		return fmt.Sprintf(`{"run_id":%d,"policy_id":%q,"code":%q}`, run.ID, pid, code)
	}
	all := func(s int) [8]int { return [8]int{s, s, s, s, s, s, s, s} }
	//                 admin leader dept  tf   ent(A→B) ent(B) public district
	// A write some roles may do: allowed ones get ok, the others 403.
	chains, err := store.FindChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	indChain, _ := json.Marshal(chains.Chain(ind))
	allChains, _ := json.Marshal(chains)
	api401 := 401
	reqFile, reqFileType := multipartBody(t, nil, "file", "证明.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	calSheet, calSheetType := multipartBody(t, nil, "file", "2027.csv", []byte("date,kind,name,source\n2027-01-01,off,元旦,矩阵测试\n"))
	spaceSheet, spaceSheetType := multipartBody(t, nil, "file", "units.csv", []byte("block_code,kind,code,area_m2\nMX-01,plant,MX-P8,600\n"))
	leadSheet, leadSheetType := multipartBody(t, nil, "file", "leads.csv",
		[]byte("id,target_id,stage,stage_on,owner_kind,owner_name\n,1,contact,"+testclock.Today().String()+",district,440106\n"))
	apiTable := map[string]matrixRequest{
		"GET /healthz":                {path: "/healthz", want: all(200)},
		"GET /api/v1/healthz":         {path: "/api/v1/healthz", want: all(200)},
		"GET /api/openapi.json":       {path: "/api/openapi.json", want: all(200)},
		"GET /api/v1/catalog":         {path: "/api/v1/catalog", want: all(200)},
		"GET /api/v1/industries":      {path: "/api/v1/industries", want: all(200)},
		"GET /api/v1/industries/{id}": {path: "/api/v1/industries/" + ind, want: all(200)},
		"PATCH /api/v1/industries/{id}/responsibility": {path: "/api/v1/industries/" + ind + "/responsibility", body: `{"city_leader":"市领导乙（演示）"}`,
			want: [8]int{200, 403, 200, 403, 403, 403, api401, 403}},
		"GET /api/v1/industries/{id}/indicators": {path: "/api/v1/industries/" + ind + "/indicators", want: all(200)},
		"PUT /api/v1/industries/{id}/indicators": {path: "/api/v1/industries/" + ind + "/indicators",
			body: `{"items":[{"industry_id":"` + ind + `","metric":"revenue","period":"2024","value":100000000000,"unit":"yuan","source":"市统计局"}]}`,
			want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		// Search narrows each kind to what the role may read (the public:
		// published policies); asking for a kind it may not read is refused.
		"GET /api/v1/search":      {path: "/api/v1/search?q=" + url.QueryEscape(ents[0].Name), want: all(200)},
		"GET /api/v1/enterprises": {path: "/api/v1/enterprises", want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		"POST /api/v1/enterprises": {path: "/api/v1/enterprises",
			body: `{"code":"` + newCode + `","name":"广州矩阵测试有限公司","district_code":"440106","industry_class":"3612","founded":"2015-06-01"}`,
			want: [8]int{201, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/enterprises/{code}":       {path: "/api/v1/enterprises/" + codeB, want: [8]int{200, 200, 200, 200, 404, 200, api401, 200}},
		"PATCH /api/v1/enterprises/{code}":     {path: "/api/v1/enterprises/" + codeB, body: `{"name":"` + ents[0].Name + `"}`, want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/enterprises/{code}/facts": {path: "/api/v1/enterprises/" + codeB + "/facts", want: [8]int{200, 200, 200, 200, 404, 200, api401, 200}},
		"PUT /api/v1/enterprises/{code}/facts": {path: "/api/v1/enterprises/" + codeB + "/facts",
			body: `{"items":[{"year":2020,"employees":10,"source":"矩阵测试","as_of":"2021-03-01"}]}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"POST /api/v1/enterprises/{code}/tiers": {path: "/api/v1/enterprises/" + codeB + "/tiers",
			body: `{"kind":"gazelle","from":"2019-01-01","source":"矩阵测试"}`, want: [8]int{201, 403, 403, 403, 403, 403, api401, 403}},
		"DELETE /api/v1/enterprises/{code}/tiers/{kind}/{from}": {path: "/api/v1/enterprises/" + codeB + "/tiers/gazelle/2019-01-01",
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/enterprises/{code}/decisions": {path: "/api/v1/enterprises/" + codeB + "/decisions", want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"GET /api/v1/enterprises/{code}/decisions/{policy}": {path: "/api/v1/enterprises/" + codeB + "/decisions/" + pid,
			want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"GET /api/v1/policy-schema": {path: "/api/v1/policy-schema", want: all(200)},
		// Published policies are public documents; drafts are hidden from the public and enterprises.
		"GET /api/v1/policies": {path: "/api/v1/policies", want: all(200)},
		"POST /api/v1/policies": {path: "/api/v1/policies", body: `{"source":` + jsonQuote(string(src.Source)) + `}`,
			want: [8]int{201, 403, 201, 403, 403, 403, api401, 403}},
		// Testing runs the author's code: those who write or review policies.
		"POST /api/v1/policies/test": {path: "/api/v1/policies/test", body: `{"source":` + jsonQuote(string(src.Source)) + `}`,
			want: [8]int{200, 200, 200, 403, 403, 403, api401, 403}},
		"GET /api/v1/policies/{id}": {path: "/api/v1/policies/" + pid, want: all(200)},
		// Version 1 is published already: who may publish gets 409.
		"POST /api/v1/policies/{id}/versions/{version}/publish": {path: "/api/v1/policies/" + pid + "/versions/1/publish",
			want: [8]int{409, 403, 409, 403, 403, 403, api401, 403}},
		"POST /api/v1/policies/{id}/simulate": {path: "/api/v1/policies/" + pid + "/simulate", body: `{"as_of":"2025-12-31"}`,
			want: [8]int{200, 200, 200, 403, 403, 403, api401, 403}},
		"GET /api/v1/runs":                 {path: "/api/v1/runs", want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		"POST /api/v1/runs":                {path: "/api/v1/runs", body: `{"as_of":"2025-12-31"}`, want: [8]int{201, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/runs/{id}":            {path: "/api/v1/runs/" + run1, want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		"GET /api/v1/policies/{id}/budget": {path: "/api/v1/policies/" + pid + "/budget?period=2025", want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		// Publicised already: who may publicise gets 409.
		"POST /api/v1/runs/{id}/policies/{policy}/publicise": {path: "/api/v1/runs/" + run1 + "/policies/" + pid + "/publicise", body: `{}`,
			want: [8]int{409, 403, 409, 403, 403, 403, api401, 403}},
		"GET /api/v1/decisions":        {path: "/api/v1/decisions", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		"GET /api/v1/public/publicity": {path: "/api/v1/public/publicity", want: all(200)},
		"GET /api/v1/objections":       {path: "/api/v1/objections", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		// The admin objects for B first; B's own objection then finds it open.
		"POST /api/v1/objections": {path: "/api/v1/objections", body: strings.TrimSuffix(ref(codeB), "}") + `,"reason":"矩阵测试"}`,
			want: [8]int{201, 403, 403, 403, 404, 409, api401, 403}},
		// The admin rejects objection 1; the department finds it resolved.
		"POST /api/v1/objections/{id}/resolve": {path: "/api/v1/objections/1/resolve", body: `{"upheld":false,"resolution":"维持"}`,
			want: [8]int{200, 403, 409, 403, 403, 403, api401, 403}},
		// Objection 1 is rejected by now: who may correct gets 400; the
		// department, reading it, is told the same (it issues the policy).
		"POST /api/v1/objections/{id}/facts": {path: "/api/v1/objections/1/facts",
			body: `{"year":2024,"employees":10,"source":"矩阵测试","as_of":"2025-03-01"}`, want: [8]int{400, 403, 400, 403, 403, 403, api401, 403}},
		// A re-decision is a one-enterprise run: who may re-decide gets 201.
		"POST /api/v1/objections/{id}/redecide": {path: "/api/v1/objections/1/redecide", want: [8]int{201, 403, 201, 403, 404, 403, api401, 403}},
		// The payment file reads decisions and the ledger: the ledger's readers.
		"GET /api/v1/payments/file": {path: "/api/v1/payments/file?run=" + run1 + "&policy=" + pid, want: [8]int{200, 200, 200, 403, 403, 403, api401, 403}},
		// Still in its publicity window: who may approve gets 400.
		"POST /api/v1/approvals": {path: "/api/v1/approvals", body: `{"items":[` + ref(codeB) + `]}`, want: [8]int{400, 403, 400, 403, 403, 403, api401, 403}},
		// Not approved: who may pay gets 400; the others 403, whatever the
		// decision (A learns nothing of B's).
		// An inbox is an account's own: the matrix's actors have none.
		"GET /api/v1/notifications":       {path: "/api/v1/notifications", want: all(401)},
		"POST /api/v1/notifications/read": {path: "/api/v1/notifications/read", body: `{"all":true}`, want: all(401)},
		"POST /api/v1/payments": {path: "/api/v1/payments", body: strings.TrimSuffix(ref(codeB), "}") + `,"paid_on":"2025-12-31","voucher":"记-1","batch":"B-1"}`,
			want: [8]int{400, 403, 400, 403, 403, 403, api401, 403}},
		// Nothing paid: who may reverse gets 409.
		"POST /api/v1/reversals": {path: "/api/v1/reversals", body: strings.TrimSuffix(ref(codeB), "}") + `,"reason":"矩阵测试"}`,
			want: [8]int{409, 403, 409, 403, 403, 403, api401, 403}},
		// An enterprise reads its own payments (none here).
		"GET /api/v1/ledger": {path: "/api/v1/ledger", want: [8]int{200, 200, 200, 403, 200, 200, api401, 403}},
		"GET /api/v1/audit":  {path: "/api/v1/audit", want: [8]int{200, 200, 403, 403, 403, 403, api401, 403}},
		// Applications (authz.Applications): an enterprise its own, the
		// policy's department reviews, leaders read; application 1 is B's,
		// submitted, with file 1.
		"GET /api/v1/applications": {path: "/api/v1/applications", want: [8]int{200, 200, 200, 403, 200, 200, api401, 403}},
		// B has an open application: who may apply for B gets 409.
		"POST /api/v1/applications": {path: "/api/v1/applications", body: `{"policy_id":"gz-tech-retrofit","code":"` + codeB + `","values":{}}`,
			want: [8]int{409, 403, 403, 403, 404, 409, api401, 403}},
		"GET /api/v1/applications/{id}": {path: "/api/v1/applications/1", want: [8]int{200, 200, 200, 403, 404, 200, api401, 403}},
		// Submitted: who may edit gets 409.
		"PATCH /api/v1/applications/{id}": {path: "/api/v1/applications/1", body: `{"values":{}}`, want: [8]int{409, 403, 403, 403, 404, 409, api401, 403}},
		// A return without a reason: who may review gets 400; an
		// enterprise may review none (403, whatever the application).
		"POST /api/v1/applications/{id}/status": {path: "/api/v1/applications/1/status", body: `{"status":"returned"}`,
			want: [8]int{400, 403, 400, 403, 403, 403, api401, 403}},
		"POST /api/v1/applications/{id}/files": {path: "/api/v1/applications/1/files?name=b.pdf", body: `{}`,
			want: [8]int{400, 403, 403, 403, 404, 400, api401, 403}},
		// Files: the enterprise and the reviewing department, not leaders.
		"GET /api/v1/applications/{id}/files/{file}": {path: "/api/v1/applications/1/files/1", want: [8]int{200, 403, 200, 403, 404, 200, api401, 403}},
		// Key projects (authz.Projects): officials read all; the department
		// and the task force change and report on their industry's, the
		// owner reports on its own; another enterprise learns nothing.
		"GET /api/v1/projects": {path: "/api/v1/projects", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		// Created by the admin first: who else may create gets 409.
		"POST /api/v1/projects":     {path: "/api/v1/projects", body: newProject, want: [8]int{201, 403, 409, 409, 403, 403, api401, 403}},
		"GET /api/v1/projects/{id}": {path: "/api/v1/projects/" + projID, want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"PATCH /api/v1/projects/{id}": {path: "/api/v1/projects/" + projID, body: `{"name":"矩阵测试项目二"}`,
			want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		"GET /api/v1/projects/{id}/nodes": {path: "/api/v1/projects/" + projID + "/nodes", want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"PATCH /api/v1/projects/{id}/nodes/{seq}": {path: "/api/v1/projects/" + projID + "/nodes/1", body: `{"evidence":{"note":"矩阵"}}`,
			want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		"GET /api/v1/projects/{id}/reports/{month}": {path: "/api/v1/projects/" + projID + "/reports/2025-10", want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"PUT /api/v1/projects/{id}/reports/{month}": {path: "/api/v1/projects/" + projID + "/reports/2025-11", body: report,
			want: [8]int{200, 403, 200, 200, 404, 200, api401, 403}},
		"GET /api/v1/warnings": {path: "/api/v1/warnings", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		// 销号: who answers for or oversees the project closes its warning
		// (the admin first: the others find it closed, 409); whoever reads
		// the project reads the history and the evidence.
		"GET /api/v1/projects/{id}/closures": {path: "/api/v1/projects/" + projID + "/closures", want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"POST /api/v1/projects/{id}/closures": {path: "/api/v1/projects/" + projID + "/closures", body: closeBody, ctype: closeType,
			want: [8]int{201, 409, 409, 409, 403, 403, api401, 403}},
		"GET /api/v1/projects/{id}/closures/{closure}/file": {path: "/api/v1/projects/" + projID + "/closures/1/file",
			want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		// 督办: leaders and the department issue (items 1–3), the addressee
		// answers (the admin answers item 1 first: the owner finds it
		// answered, 409), the issuer settles; another enterprise learns
		// nothing.
		"GET /api/v1/supervisions": {path: "/api/v1/supervisions", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		"POST /api/v1/supervisions": {path: "/api/v1/supervisions",
			body: `{"project_id":"` + projID + `","addressee":"owner","instruction":"矩阵督办","due_on":"` + due + `"}`,
			want: [8]int{201, 201, 201, 403, 403, 403, api401, 403}},
		"GET /api/v1/supervisions/{id}": {path: "/api/v1/supervisions/1", want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"POST /api/v1/supervisions/{id}/steps": {path: "/api/v1/supervisions/1/steps", body: `{"action":"answer","note":"矩阵答复"}`,
			want: [8]int{200, 403, 403, 403, 404, 409, api401, 403}},
		"GET /api/v1/targets": {path: "/api/v1/targets", want: all(200)},
		// How colours are computed is open to every official and owner;
		// only administrators change it.
		"GET /api/v1/warning-rules": {path: "/api/v1/warning-rules", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		"PUT /api/v1/warning-rules/{id}": {path: "/api/v1/warning-rules/matrix_rule",
			body: `{"colour":"yellow","label_zh":"矩阵测试","label_en":"matrix test","expr":"overdue_nodes > 100","owner":"department"}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"DELETE /api/v1/warning-rules/{id}": {path: "/api/v1/warning-rules/matrix_rule", want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		// Scorecards are the officials' view of their own work.
		"GET /api/v1/scorecards": {path: "/api/v1/scorecards", want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		"GET /api/v1/scorecards/{kind}/{name}": {path: "/api/v1/scorecards/department/" + url.PathEscape(dept),
			want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		// The lists responsibilities choose from: read by all, kept by
		// administrators (authz.OrgUnitRules).
		// The working-day calendar: public documents every deadline is
		// counted on; administrators load a year's schedule.
		// Enterprise requests (authz.RequestRules): an enterprise raises its
		// own online, reads its own (another's is 404) and alone confirms;
		// officials record one on an enterprise's behalf; the lead
		// department handles; the categories are open, kept by
		// administrators.
		"GET /api/v1/request-categories": {path: "/api/v1/request-categories", want: all(200)},
		"PUT /api/v1/request-categories/{id}": {path: "/api/v1/request-categories/other",
			body: `{"name_zh":"其他","acknowledge":{"n":24,"unit":"hours"},"answer":{"n":3,"unit":"days"},"close":{"n":7,"unit":"days"},"yellow_per_mille":800,"confirm_days":5,"position":7}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/request-stats": {path: "/api/v1/request-stats?by=department", want: all(200)}, // open data: counts only
		// Common problems: the task force's and its lead department's.
		"GET /api/v1/request-issues": {path: "/api/v1/request-issues", want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		"POST /api/v1/request-issues/{id}/solve": {path: "/api/v1/request-issues/1/solve", body: `{"note":"矩阵"}`,
			want: [8]int{404, 403, 403, 403, 403, 403, api401, 403}}, // none raised: the task force learns nothing
		"GET /api/v1/requests": {path: "/api/v1/requests", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		// B's own by phone is refused: an enterprise raises online.
		"POST /api/v1/requests": {path: "/api/v1/requests", body: `{"code":"` + codeB + `","category_id":"other","title":"矩阵","description":"矩阵","channel":"phone"}`,
			want: [8]int{201, 403, 201, 201, 404, 400, api401, 201}},
		"GET /api/v1/requests/{id}": {path: apiReqPath, want: [8]int{200, 200, 200, tfReads, 404, 200, api401, 403}},
		// Files: whoever reads the request reads them; its enterprise and its
		// lead department attach them (a PDF's bytes).
		"GET /api/v1/requests/{id}/files": {path: apiReqPath + "/files", want: [8]int{200, 200, 200, tfReads, 404, 200, api401, 403}},
		"POST /api/v1/requests/{id}/files": {path: apiReqPath + "/files?name=a.pdf", body: "%PDF-1.4\n%%EOF\n", ctype: "application/octet-stream",
			want: [8]int{201, 403, 201, 403, 404, 201, api401, 403}},
		"GET /api/v1/requests/{id}/files/{file}": {path: apiReqPath + "/files/1", want: [8]int{200, 200, 200, tfReads, 404, 200, api401, 403}},
		// The admin acknowledges; the department's is then a conflict.
		"POST /api/v1/requests/{id}/steps": {path: apiReqPath + "/steps", body: `{"action":"acknowledge"}`,
			want: [8]int{200, 403, 409, 403, 403, 403, api401, 403}},
		// Application scenarios: officials read all, the others the
		// published; the industry's department and task force run them;
		// enterprises apply for themselves; the review is the runners'
		// and the panel's, and only panel members score (no one here).
		"GET /api/v1/scenarios": {path: "/api/v1/scenarios", want: all(200)},
		"POST /api/v1/scenarios": {path: "/api/v1/scenarios", body: `{"title":"矩阵场景","offerer":{"name":"市交通集团","kind":"state_owned"},"industry_id":"` + ind +
			`","requirements":"矩阵","deadline":"` + dayFrom(30) + `","pilot_start":"` + dayFrom(40) + `","pilot_end":"` + dayFrom(400) +
			`","criteria":[{"id":"tech","name_zh":"技术","name_en":"technology","weight":100}]}`,
			want: [8]int{201, 403, 201, 201, 403, 403, api401, 403}},
		"GET /api/v1/scenarios/feed.json": {path: "/api/v1/scenarios/feed.json", want: all(200)},
		"GET /api/v1/scenarios/feed.atom": {path: "/api/v1/scenarios/feed.atom", want: all(200)},
		"GET /api/v1/scenarios/{id}":      {path: scenarioPath, want: all(200)},
		"PATCH /api/v1/scenarios/{id}": {path: scenarioPath, body: `{"site":"矩阵现场"}`,
			want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		"GET /api/v1/scenarios/{id}/events": {path: scenarioPath + "/events", want: all(200)},
		// The review cannot start before the deadline: the runners get 409.
		"POST /api/v1/scenarios/{id}/steps": {path: scenarioPath + "/steps", body: `{"action":"start_review"}`,
			want: [8]int{409, 403, 409, 409, 403, 403, api401, 403}},
		"GET /api/v1/scenarios/{id}/applications": {path: scenarioPath + "/applications", want: [8]int{200, 200, 200, 200, 200, 200, api401, 403}},
		// A applies; B has applied already.
		"POST /api/v1/scenarios/{id}/applications": {path: scenarioPath + "/applications", body: `{"solution":"矩阵方案"}`,
			want: [8]int{403, 403, 403, 403, 201, 409, api401, 403}},
		"GET /api/v1/scenarios/{id}/panel": {path: scenarioPath + "/panel", want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		"PUT /api/v1/scenarios/{id}/panel": {path: scenarioPath + "/panel", body: `{"members":["panel-a","panel-b","panel-c"]}`,
			want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		"POST /api/v1/scenarios/{id}/conflicts": {path: scenarioPath + "/conflicts", body: fmt.Sprintf(`{"application_id":%d,"reason":"矩阵"}`, scenarioApp),
			want: [8]int{403, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/scenarios/{id}/scores": {path: scenarioPath + "/scores", want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		"PUT /api/v1/scenarios/{id}/scores": {path: scenarioPath + "/scores", body: fmt.Sprintf(`{"scores":[{"application_id":%d,"criterion_id":"tech","points":80}]}`, scenarioApp),
			want: [8]int{403, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/scenarios/{id}/ranking": {path: scenarioPath + "/ranking?partial=true", want: [8]int{200, 200, 200, 200, 403, 403, api401, 403}},
		// Across scenarios: all for the readers of every application, its
		// own for an enterprise; the others must name the scenario (400).
		"GET /api/v1/scenario-applications": {path: "/api/v1/scenario-applications", want: [8]int{200, 200, 400, 400, 200, 200, api401, 400}},
		"GET /api/v1/scenario-applications/{id}": {path: fmt.Sprintf("/api/v1/scenario-applications/%d", scenarioApp),
			want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		// Its files: whoever reads the application reads them; only B,
		// its applicant, attaches (A is told it does not exist).
		"GET /api/v1/scenario-applications/{id}/files": {path: fmt.Sprintf("/api/v1/scenario-applications/%d/files", scenarioApp),
			want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"POST /api/v1/scenario-applications/{id}/files": {path: fmt.Sprintf("/api/v1/scenario-applications/%d/files?name=a.pdf", scenarioApp),
			body: "%PDF-1.4\n%%EOF\n", ctype: "application/octet-stream", want: [8]int{403, 403, 403, 403, 404, 201, api401, 403}},
		"GET /api/v1/scenario-applications/{id}/files/{file}": {path: fmt.Sprintf("/api/v1/scenario-applications/%d/files/1", scenarioApp),
			want: [8]int{200, 200, 200, 200, 404, 200, api401, 403}},
		"POST /api/v1/scenario-applications/{id}/withdraw": {path: fmt.Sprintf("/api/v1/scenario-applications/%d/withdraw", scenarioApp),
			want: [8]int{403, 403, 403, 403, 404, 200, api401, 403}},
		"GET /api/v1/scenario-progress": {path: "/api/v1/scenario-progress", want: all(200)},
		"GET /api/v1/calendar":          {path: "/api/v1/calendar", want: all(200)},

		// Matchmaking: officials read everything, a firm its own listings
		// and matches (404 for another's) and writes for itself; runs by
		// administrators, departments and task forces; the fairs organised
		// by administrators and the industry's department and task force;
		// the public reads the fairs and the chains' figures only.
		"GET /api/v1/supplies":        {path: "/api/v1/supplies", want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		"POST /api/v1/supplies":       {path: "/api/v1/supplies", body: `{"code":"` + codeB + `","products":"矩阵电芯","link_id":"icv-nev.battery.cell","classes":["3841"]}`, want: [8]int{201, 403, 403, 403, 404, 201, api401, 403}},
		"GET /api/v1/supplies/{id}":   {path: mm.supply, want: [8]int{200, 200, 200, 200, 404, 200, api401, 200}},
		"PATCH /api/v1/supplies/{id}": {path: mm.supply, body: `{"capacity":"矩阵产能"}`, want: [8]int{200, 403, 403, 403, 404, 200, api401, 403}},
		"GET /api/v1/demands":         {path: "/api/v1/demands", want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		"POST /api/v1/demands":        {path: "/api/v1/demands", body: `{"code":"` + codeB + `","needs":"矩阵需求"}`, want: [8]int{201, 403, 403, 403, 404, 201, api401, 403}},
		"GET /api/v1/demands/{id}":    {path: mm.demand, want: [8]int{200, 200, 200, 200, 404, 200, api401, 200}},
		"PATCH /api/v1/demands/{id}":  {path: mm.demand, body: `{"quantity":"矩阵数量"}`, want: [8]int{200, 403, 403, 403, 404, 200, api401, 403}},
		"POST /api/v1/match-runs":     {path: "/api/v1/match-runs", want: [8]int{201, 403, 201, 201, 403, 403, api401, 403}},
		"GET /api/v1/matches":         {path: "/api/v1/matches", want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		"GET /api/v1/matches/{id}":    {path: mm.match, want: [8]int{200, 200, 200, 200, 404, 200, api401, 200}},
		// The admin negotiates the accepted match; the others' repeat conflicts.
		"POST /api/v1/matches/{id}/steps":         {path: mm.match + "/steps", body: `{"action":"negotiate"}`, want: [8]int{200, 403, 409, 409, 404, 409, api401, 403}},
		"GET /api/v1/match-metrics/{industry}":    {path: "/api/v1/match-metrics/" + ind, want: all(200)},
		"GET /api/v1/fairs":                       {path: "/api/v1/fairs", want: all(200)},
		"POST /api/v1/fairs":                      {path: "/api/v1/fairs", body: `{"title":"矩阵对接会","industry_id":"` + ind + `","date":"` + dayFrom(30) + `","venue":"矩阵会场","tables":2,"slot_minutes":30,"start":"09:00","end":"11:00"}`, want: [8]int{201, 403, 201, 201, 403, 403, api401, 403}},
		"GET /api/v1/fairs/{id}":                  {path: mm.fair, want: all(200)},
		"POST /api/v1/fairs/{id}/registrations":   {path: mm.fair + "/registrations", body: `{"code":"` + codeB + `","role":"buyer"}`, want: [8]int{200, 403, 200, 200, 404, 200, api401, 403}},
		"GET /api/v1/fairs/{id}/meeting-requests": {path: mm.fair + "/meeting-requests", want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		// B and C have asked already: a conflict for those who may ask.
		"POST /api/v1/fairs/{id}/meeting-requests": {path: mm.fair + "/meeting-requests", body: `{"match_id":` + mm.matchID + `}`, want: [8]int{409, 403, 409, 409, 404, 409, api401, 403}},
		"POST /api/v1/fairs/{id}/schedule":         {path: mm.fair + "/schedule", want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		"GET /api/v1/fairs/{id}/timetable":         {path: mm.fair + "/timetable", want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		// A table 0: refused once the rules let the caller edit.
		"PUT /api/v1/fairs/{id}/timetable": {path: mm.fair + "/timetable", body: `{"meetings":[{"buyer_code":"` + codeB + `","supplier_code":"` + mm.codeC + `","table":0,"slot":0}]}`,
			want: [8]int{400, 403, 400, 400, 403, 403, api401, 403}},
		"PUT /api/v1/fairs/{id}/meetings/{meeting}/outcome": {path: mm.done + "/meetings/" + mm.meetingID + "/outcome", body: `{"outcome":"held","intention":true}`,
			want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		"GET /api/v1/fairs/{id}/report":      {path: mm.done + "/report", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"GET /api/v1/fairs/{id}/report.xlsx": {path: mm.done + "/report.xlsx", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		// Industrial space (authz.SpaceRules): everyone reads the blocks
		// and the units on offer (enterprises and the public neither the
		// others nor prices); officials read holds and the use, and an
		// enterprise its own allocations; administrators, departments and
		// the district (440106, the block's) keep the inventory and
		// allocate; holds for GZ-M001 are the administrators', and the
		// department's, task force's and district's whose scope it is in;
		// the rule and the thresholds are the administrators'. The admin
		// writes first: a repeat by another allowed role conflicts.
		"GET /api/v1/space/blocks": {path: "/api/v1/space/blocks?district=440106", want: all(200)},
		"POST /api/v1/space/blocks": {path: "/api/v1/space/blocks", body: `{"code":"MX-02","name":"矩阵新区块","district_code":"440106","area_m2":100000,"industries":["` + ind + `"]}`,
			want: [8]int{201, 403, 409, 403, 403, 403, api401, 409}},
		"GET /api/v1/space/blocks.geojson": {path: "/api/v1/space/blocks.geojson", want: all(200)},
		"GET /api/v1/space/blocks/{id}":    {path: sp.block, want: all(200)},
		"PATCH /api/v1/space/blocks/{id}":  {path: sp.block, body: `{"name":"矩阵区块（改）"}`, want: [8]int{200, 403, 200, 403, 403, 403, api401, 200}},
		"GET /api/v1/space/units":          {path: "/api/v1/space/units?district=440106", want: all(200)},
		"POST /api/v1/space/units": {path: "/api/v1/space/units", body: `{"block_id":` + sp.blockID + `,"kind":"plant","code":"MX-P9","area_m2":600}`,
			want: [8]int{201, 403, 409, 403, 403, 403, api401, 409}},
		// The held floor: to enterprises and the public, not there.
		"GET /api/v1/space/units/{id}":   {path: sp.floor, want: [8]int{200, 200, 200, 200, 404, 404, 404, 200}},
		"PATCH /api/v1/space/units/{id}": {path: sp.plant, body: `{"name":"矩阵厂房（改）"}`, want: [8]int{200, 403, 200, 403, 403, 403, api401, 200}},
		"POST /api/v1/space/import": {path: "/api/v1/space/import?kind=units", body: spaceSheet, ctype: spaceSheetType,
			want: [8]int{200, 403, 200, 403, 403, 403, api401, 200}},
		"POST /api/v1/space/route": {path: "/api/v1/space/route", body: `{"investment_fen":100000000,"area_m2":500,"industry_id":"` + ind + `"}`,
			want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		"GET /api/v1/space/holds": {path: "/api/v1/space/holds?for_kind=project&for_id=" + projID, want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"POST /api/v1/space/units/{id}/holds": {path: sp.plant + "/holds", body: `{"for_kind":"project","for_id":"` + projID + `","until":"` + dayFrom(10) + `"}`,
			want: [8]int{201, 403, 409, 409, 403, 403, api401, 409}},
		"POST /api/v1/space/holds/{id}/release": {path: sp.release, body: `{"note":"矩阵"}`, want: [8]int{200, 403, 409, 403, 403, 403, api401, 409}},
		"GET /api/v1/space/allocations":         {path: "/api/v1/space/allocations", want: [8]int{200, 200, 200, 200, 200, 200, api401, 200}},
		// The floor held for GZ-M001 goes to it.
		"POST /api/v1/space/units/{id}/allocations": {path: sp.floor + "/allocations",
			body: `{"kind":"lease","code":"` + codeB + `","from":"` + dayFrom(0) + `","to":"` + dayFrom(730) + `"}`,
			want: [8]int{201, 403, 409, 403, 403, 403, api401, 409}},
		"POST /api/v1/space/allocations/{id}/end": {path: sp.lease + "/end", body: `{}`, want: [8]int{200, 403, 409, 403, 403, 403, api401, 409}},
		"GET /api/v1/space/use":                   {path: "/api/v1/space/use?industry=" + ind, want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"GET /api/v1/space/size-rule":             {path: "/api/v1/space/size-rule", want: all(200)},
		"PUT /api/v1/space/size-rule": {path: "/api/v1/space/size-rule", body: `{"large_fen":50000000000,"large_area_m2":20000,"medium_fen":5000000000,"medium_area_m2":2000}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/space/use-thresholds": {path: "/api/v1/space/use-thresholds", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"PUT /api/v1/space/use-thresholds": {path: "/api/v1/space/use-thresholds", body: `{"min_tax_per_mu_fen":15000000,"min_revenue_per_mu_fen":300000000,"idle_days":365}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"PUT /api/v1/calendar": {path: "/api/v1/calendar",
			body: `{"years":[{"year":2027,"source":"矩阵测试","days":[{"date":"2027-01-01","kind":"off","name":"元旦"}]}]}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/org-units": {path: "/api/v1/org-units?kind=leader", want: all(200)},
		"POST /api/v1/org-units": {path: "/api/v1/org-units", body: `{"kind":"leader","name_zh":"矩阵领导"}`,
			want: [8]int{201, 403, 403, 403, 403, 403, api401, 403}},
		"PATCH /api/v1/org-units/{id}": {path: "/api/v1/org-units/" + unitPath, body: `{"name_en":"Matrix leader"}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/org-units/{id}/uses": {path: "/api/v1/org-units/" + unitPath + "/uses", want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		// Chains: open structure; an industry's chain kept by its task force,
		// the department that leads it and administrators; the whole set by
		// administrators (authz.ChainRules).
		"GET /api/v1/chains":            {path: "/api/v1/chains", want: all(200)},
		"GET /api/v1/chains/{industry}": {path: "/api/v1/chains/" + ind, want: all(200)},
		"PUT /api/v1/chains/{industry}": {path: "/api/v1/chains/" + ind, body: string(indChain), want: [8]int{200, 403, 200, 200, 403, 403, api401, 403}},
		"PUT /api/v1/chains":            {path: "/api/v1/chains", body: string(allChains), want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		// 链主: read by officials; designated and ended as the chain is kept.
		// The admin's step comes first, so the owners' repeat conflicts.
		"GET /api/v1/chains/{industry}/lead-firms": {path: "/api/v1/chains/" + ind + "/lead-firms", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"POST /api/v1/chains/{industry}/lead-firms": {path: "/api/v1/chains/" + ind + "/lead-firms",
			body: `{"code":"` + ents[0].Code + `","designated_on":"` + testclock.Today().String() + `","source":"矩阵名单","scores":[{"criterion":"规模","value":80}]}`,
			want: [8]int{201, 403, 409, 409, 403, 403, api401, 403}},
		"POST /api/v1/chains/{industry}/lead-firms/{id}/end": {path: "/api/v1/chains/" + ind + "/lead-firms/1/end",
			body: `{"ended_on":"` + testclock.Today().String() + `"}`, want: [8]int{200, 403, 409, 409, 403, 403, api401, 403}},
		// Placement: administrators run it; which firm sits where is for
		// officials (an enterprise sees its own links); the industry's task
		// force and lead department place by hand; the figures and the
		// thresholds are open, changed by administrators.
		"POST /api/v1/chains/place":               {path: "/api/v1/chains/place", want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/chains/{industry}/diagnosis": {path: "/api/v1/chains/" + ind + "/diagnosis", want: all(200)},
		"GET /api/v1/chains/{industry}/removals":  {path: "/api/v1/chains/" + ind + "/removals", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"GET /api/v1/chain-links/{link}/firms":    {path: "/api/v1/chain-links/" + ind + ".battery/firms", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"POST /api/v1/chain-links/{link}/firms": {path: "/api/v1/chain-links/" + ind + ".battery/firms", body: `{"code":"` + codeB + `"}`,
			want: [8]int{201, 403, 409, 409, 403, 403, api401, 403}},
		"POST /api/v1/chain-links/{link}/firms/{code}/remove": {path: "/api/v1/chain-links/" + ind + ".battery/firms/" + codeB + "/remove",
			body: `{"reason":"矩阵"}`, want: [8]int{200, 403, 404, 404, 403, 403, api401, 403}},
		"POST /api/v1/chain-links/{link}/removals/{code}/undo": {path: "/api/v1/chain-links/" + ind + ".battery/removals/" + codeB + "/undo",
			want: [8]int{200, 403, 404, 404, 403, 403, api401, 403}},
		"GET /api/v1/chain-thresholds": {path: "/api/v1/chain-thresholds", want: all(200)},
		"PUT /api/v1/chain-thresholds": {path: "/api/v1/chain-thresholds",
			body: `{"missing_above_scale":1,"strong_above_scale":10,"strong_leaders":1,"max_top_share":500,"min_growth":0}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/enterprises/{code}/placements": {path: "/api/v1/enterprises/" + codeB + "/placements", want: [8]int{200, 200, 200, 200, 404, 200, api401, 200}},
		"GET /api/v1/enterprises/{code}/scope":      {path: "/api/v1/enterprises/" + codeB + "/scope", want: [8]int{200, 200, 200, 200, 404, 200, api401, 200}},
		"PUT /api/v1/enterprises/{code}/scope": {path: "/api/v1/enterprises/" + codeB + "/scope",
			body: `{"text":"动力电池研发","source":"矩阵","as_of":"` + testclock.Today().String() + `"}`, want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		// 招商 (authz.InvestRules): firm-level work of the officials. A task
		// force keeps its industry's targets and leads; the department reads
		// those of the industries it leads and follows the leads it owns (not
		// a district's); the district (440106) reads the lists and follows
		// the leads it owns (leads 1 and 2 are its own); leaders read;
		// administrators do all and import the rosters. Enterprises see
		// nothing; the public the funnel's counts.
		"GET /api/v1/invest-targets": {path: "/api/v1/invest-targets?industry=" + ind, want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		// Target 1 is the admin's, target 2 the task force's.
		"POST /api/v1/invest-targets": {path: "/api/v1/invest-targets",
			body: `{"industry_id":"` + ind + `","link_id":"` + ind + `.battery.cell","kind":"attract","name":"矩阵电池公司","source":"矩阵名单"}`,
			want: [8]int{201, 403, 403, 201, 403, 403, api401, 403}},
		"GET /api/v1/invest-targets/{id}": {path: "/api/v1/invest-targets/1", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		// The admin deletes target 2; the task force then finds it gone.
		"DELETE /api/v1/invest-targets/{id}":        {path: "/api/v1/invest-targets/2", want: [8]int{200, 403, 403, 404, 403, 403, api401, 403}},
		"GET /api/v1/chain-links/{link}/candidates": {path: "/api/v1/chain-links/" + ind + ".battery/candidates", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"GET /api/v1/roster":                        {path: "/api/v1/roster", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"PUT /api/v1/roster": {path: "/api/v1/roster",
			body: `{"source":"矩阵名单","rows":[{"name":"矩阵外地企业","city":"宁德","class":"3841","products":"电芯"}]}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 403}},
		"GET /api/v1/leads": {path: "/api/v1/leads", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		// A lead of target 1 that a district owns: the department, which
		// follows its own leads only, may not create it (leads 1 and 2).
		"POST /api/v1/leads": {path: "/api/v1/leads", body: `{"target_id":1,"owner_kind":"district","owner_name":"440106","expected_fen":100000000}`,
			want: [8]int{201, 403, 403, 201, 403, 403, api401, 201}},
		"GET /api/v1/leads/overdue": {path: "/api/v1/leads/overdue", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"GET /api/v1/leads/{id}":    {path: "/api/v1/leads/1", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"PATCH /api/v1/leads/{id}": {path: "/api/v1/leads/1", body: `{"next_action":"矩阵回访"}`,
			want: [8]int{200, 403, 403, 200, 403, 403, api401, 200}},
		// The admin signs lead 1; the task force's repeat is no move forward.
		"POST /api/v1/leads/{id}/move": {path: "/api/v1/leads/1/move", body: `{"to":"signed","signed_fen":100000000}`,
			want: [8]int{200, 403, 403, 400, 403, 403, api401, 400}},
		"POST /api/v1/leads/{id}/contacts": {path: "/api/v1/leads/1/contacts", body: `{"kind":"call","on":"` + testclock.Today().String() + `"}`,
			want: [8]int{201, 403, 403, 201, 403, 403, api401, 201}},
		// Linking the same project again changes nothing.
		"POST /api/v1/leads/{id}/convert": {path: "/api/v1/leads/1/convert", body: `{"project_id":"` + projID + `"}`,
			want: [8]int{200, 403, 403, 200, 403, 403, api401, 200}},
		// 督办 of leads: leaders and the lead department issue on lead 1 (the
		// district's); only the district answers it (the admin first, so
		// the district's is a conflict, not a denial).
		"GET /api/v1/lead-supervisions": {path: "/api/v1/lead-supervisions", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"POST /api/v1/lead-supervisions": {path: "/api/v1/lead-supervisions",
			body: `{"lead_id":1,"instruction":"矩阵督办","due_on":"` + testclock.Today().AddDate(0, 0, 7).Format("2006-01-02") + `"}`,
			want: [8]int{201, 201, 201, 403, 403, 403, api401, 403}},
		"GET /api/v1/lead-supervisions/{id}": {path: "/api/v1/lead-supervisions/1", want: [8]int{200, 200, 200, 200, 403, 403, api401, 200}},
		"POST /api/v1/lead-supervisions/{id}/steps": {path: "/api/v1/lead-supervisions/1/steps", body: `{"action":"answer","note":"已约见"}`,
			want: [8]int{200, 403, 403, 403, 403, 403, api401, 409}},
		// A sheet of one lead of target 1 that the district owns: the
		// department, which imports only the leads it owns, may not.
		"POST /api/v1/leads/import": {path: "/api/v1/leads/import", body: leadSheet, ctype: leadSheetType,
			want: [8]int{200, 403, 403, 200, 403, 403, api401, 200}},
		"GET /api/v1/funnel": {path: "/api/v1/funnel?industry=" + ind, want: [8]int{200, 200, 200, 200, 403, 403, 200, 200}},
	}
	lg := url.Values{"source": {string(src.Source)}, "action": {"save"}}.Encode()
	pageTable := map[string]matrixRequest{
		"GET /static/": {path: asset, want: all(200)},
		"GET /{$}":     {path: "/", want: all(200)},
		// 我的待办: every official's home; an enterprise has 我的企业.
		"GET /todo":               {path: "/todo", want: [8]int{200, 200, 200, 200, 403, 403, login, 200}},
		"GET /industries/{id}":    {path: "/industries/" + ind, want: all(200)},
		"GET /search":             {path: "/search?q=" + url.QueryEscape(ents[0].Name), want: all(200)},
		"GET /enterprises":        {path: "/enterprises", want: [8]int{200, 200, 200, 200, 200, 200, login, 200}},
		"GET /enterprises/{code}": {path: "/enterprises/" + codeB, want: [8]int{200, 200, 200, 200, 404, 200, login, 200}},
		"GET /policies":           {path: "/policies", want: all(200)},
		// The editor reads nothing stored; saving is what is guarded.
		"GET /policies/new":        {path: "/policies/new", want: all(200)},
		"POST /policies/new":       {path: "/policies/new", body: lg, want: [8]int{303, 403, 303, 403, 403, 403, login, 403}},
		"GET /policies/{id}":       {path: "/policies/" + pid, want: all(200)},
		"GET /policies/{id}/edit":  {path: "/policies/" + pid + "/edit", want: all(200)},
		"POST /policies/{id}/edit": {path: "/policies/" + pid + "/edit", body: lg, want: [8]int{303, 403, 303, 403, 403, 403, login, 403}},
		// Published already: who may publish sees the page again with the conflict.
		"POST /policies/{id}/versions/{version}/publish": {path: "/policies/" + pid + "/versions/1/publish",
			want: [8]int{400, 403, 400, 403, 403, 403, login, 403}},
		"GET /policies/{id}/simulate": {path: "/policies/" + pid + "/simulate", want: [8]int{200, 200, 200, 403, 403, 403, login, 403}},
		"GET /decisions":              {path: "/decisions", want: [8]int{200, 200, 200, 200, 403, 403, login, 403}},
		"GET /runs":                   {path: "/runs", want: [8]int{200, 200, 200, 200, 403, 403, login, 403}},
		"POST /runs":                  {path: "/runs", body: "as_of=2025-12-31", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"GET /runs/{id}":              {path: "/runs/" + run1, want: [8]int{200, 200, 200, 200, 403, 403, login, 403}},
		"POST /runs/{id}/policies/{policy}/publicise": {path: "/runs/" + run1 + "/policies/" + pid + "/publicise",
			want: [8]int{400, 403, 400, 403, 403, 403, login, 403}},
		"GET /public/publicity":            {path: "/public/publicity", want: all(200)},
		"GET /enterprises/{code}/policies": {path: "/enterprises/" + codeB + "/policies", want: [8]int{200, 200, 200, 200, 404, 200, login, 403}},
		// The admin objects for B first (objection 1 is resolved by now).
		"POST /enterprises/{code}/objections": {path: "/enterprises/" + codeB + "/objections",
			body: url.Values{"target": {run1 + "/" + pid}, "reason": {"矩阵测试"}}.Encode(),
			want: [8]int{303, 403, 403, 403, 404, 400, login, 403}},
		// The lifecycle pages (web/lifecycle.go): administrators, the
		// department for its policies, leaders reading; no one else.
		"GET /objections":      {path: "/objections?status=all", want: [8]int{200, 200, 200, 403, 403, 403, login, 403}},
		"GET /objections/{id}": {path: "/objections/1", want: [8]int{200, 200, 200, 403, 403, 403, login, 403}},
		// Objection 1 is resolved: who may answer sees the page again.
		"POST /objections/{id}/resolve": {path: "/objections/1/resolve", body: "decision=uphold&reply=" + url.QueryEscape("矩阵"),
			want: [8]int{400, 403, 400, 403, 403, 403, login, 403}},
		"POST /objections/{id}/facts": {path: "/objections/1/facts",
			body: "year=2024&figure=employees&value=10&unit=count&source=" + url.QueryEscape("矩阵") + "&as_of=2025-03-01",
			want: [8]int{400, 403, 400, 403, 403, 403, login, 403}},
		"POST /objections/{id}/redecide": {path: "/objections/1/redecide", want: [8]int{303, 403, 303, 403, 403, 403, login, 403}},
		"GET /approvals":                 {path: "/approvals?run=" + run1 + "&policy=" + pid, want: [8]int{200, 200, 200, 403, 403, 403, login, 403}},
		// Still in the window: nothing ticked to approve.
		"POST /approvals": {path: "/approvals", body: "run=" + run1 + "&policy=" + pid + "&scope=selected",
			want: [8]int{400, 403, 400, 403, 403, 403, login, 403}},
		"GET /payments": {path: "/payments?run=" + run1 + "&policy=" + pid, want: [8]int{200, 200, 200, 403, 403, 403, login, 403}},
		"POST /payments": {path: "/payments", body: "run=" + run1 + "&policy=" + pid + "&scope=all&paid_on=2025-12-31&voucher=v&batch=b",
			want: [8]int{400, 403, 400, 403, 403, 403, login, 403}},
		// Applications (web/applications.go): the queue is the officials';
		// the form an enterprise's (A's own draft is created: 303); B's
		// application 1 is submitted.
		"GET /applications":     {path: "/applications?status=all", want: [8]int{200, 200, 200, 403, 403, 403, login, 403}},
		"GET /applications/new": {path: "/applications/new?policy=gz-tech-retrofit&code=" + codeB, want: [8]int{200, 403, 403, 403, 200, 200, login, 403}},
		"POST /applications": {path: "/applications", body: "policy=gz-tech-retrofit&code=" + codeB,
			want: [8]int{400, 403, 403, 403, 303, 400, login, 403}},
		"GET /applications/{id}":       {path: "/applications/1", want: [8]int{200, 200, 200, 403, 404, 200, login, 403}},
		"POST /applications/{id}/save": {path: "/applications/1/save", body: "plant_investment=0", want: [8]int{400, 403, 403, 403, 404, 400, login, 403}},
		"POST /applications/{id}/status": {path: "/applications/1/status", body: "to=submitted",
			want: [8]int{400, 403, 403, 403, 404, 400, login, 403}},
		"POST /applications/{id}/files":       {path: "/applications/1/files", body: "x=1", want: [8]int{409, 403, 403, 403, 404, 409, login, 403}},
		"GET /applications/{id}/files/{file}": {path: "/applications/1/files/1", want: [8]int{200, 403, 200, 403, 404, 200, login, 403}},
		"GET /payments/file":                  {path: "/payments/file?run=" + run1 + "&policy=" + pid, want: [8]int{200, 200, 200, 403, 403, 403, login, 403}},
		// Nothing paid: who may reverse sees the page with the conflict.
		"POST /reversals": {path: "/reversals", body: "run=" + run1 + "&policy=" + pid + "&code=" + codeB + "&reason=" + url.QueryEscape("矩阵"),
			want: [8]int{400, 403, 400, 403, 403, 403, login, 403}},
		"/": {path: "/no-such-page", want: all(404)},
		// Sign-in and accounts (web/auth.go, auth.Service): user management
		// is the administrators'.
		"GET /login": {path: "/login", want: all(200)},
		// One's own account needs an account: the matrix's actors have none
		// (web's TestOwnPassword signs in with one).
		"GET /account":           {path: "/account", want: all(login)},
		"POST /account/password": {path: "/account/password", body: "current=x&password=y&repeat=y", want: all(login)},
		"POST /account/email":    {path: "/account/email", body: "email=a%40example.org", want: all(login)},
		// The inbox is an account's own: the matrix's actors have none.
		"GET /inbox":       {path: "/inbox", want: all(login)},
		"GET /inbox/{id}":  {path: "/inbox/1", want: all(login)},
		"POST /inbox/read": {path: "/inbox/read", body: "id=1", want: all(login)},
		// Wrong passwords: 401, until the limiter holds the address back.
		"POST /login":                    {path: "/login", body: "name=x&password=y", want: [8]int{401, 401, 401, 401, 401, 429, 429, 429}},
		"POST /logout":                   {path: "/logout", want: all(303)},
		"GET /admin/users":               {path: "/admin/users", want: [8]int{200, 403, 403, 403, 403, 403, login, 403}},
		"POST /admin/users":              {path: "/admin/users", body: "name=matrix&role=leader&password=matrix-password-1", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"POST /admin/users/{id}":         {path: "/admin/users/1", body: "action=disable", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"POST /admin/users/{id}/tokens":  {path: "/admin/users/1/tokens", body: "name=t", want: [8]int{200, 403, 403, 403, 403, 403, login, 403}},
		"POST /admin/tokens/{id}/revoke": {path: "/admin/tokens/1/revoke", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"GET /audit":                     {path: "/audit", want: [8]int{200, 200, 403, 403, 403, 403, login, 403}},
		// Key projects (web/projects.go): as the API.
		"GET /projects":        {path: "/projects", want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		"GET /projects/report": {path: "/projects/report", want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		"GET /projects/{id}":   {path: "/projects/" + projID, want: [8]int{200, 200, 200, 200, 404, 200, login, 403}},
		// The owner reports on its own project; another enterprise is told
		// it does not exist; nodes are the officials' to record (the page
		// reads the node first, so another enterprise gets 404 there too).
		"POST /projects/{id}/reports": {path: "/projects/" + projID + "/reports",
			body: "month=2025-11&unit=yuan&invested_fen=1.5&cumulative_fen=2.5&progress_pct=5", // follows October (1.00 元)
			want: [8]int{303, 403, 303, 303, 404, 303, login, 403}},
		"POST /projects/{id}/nodes/{seq}": {path: "/projects/" + projID + "/nodes/1", body: "note=" + url.QueryEscape("矩阵"),
			want: [8]int{303, 403, 303, 303, 404, 403, login, 403}},
		// The input figures are the officials' to record, as the project.
		"POST /projects/{id}/inputs": {path: "/projects/" + projID + "/inputs", body: "unit=wan&equipment_investment_fen=100&finished_on=2025-06-30",
			want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		// 销号 and 督办 on the pages (web/routine.go): as the API. The
		// form here carries no file: who may close is told it is required.
		"POST /projects/{id}/closures": {path: "/projects/" + projID + "/closures", body: "rule_id=start_late_red&note=" + url.QueryEscape("矩阵"),
			want: [8]int{400, 400, 400, 400, 403, 403, login, 403}},
		"GET /projects/{id}/closures/{closure}/file": {path: "/projects/" + projID + "/closures/1/file", want: [8]int{200, 200, 200, 200, 404, 200, login, 403}},
		"POST /projects/{id}/supervisions": {path: "/projects/" + projID + "/supervisions",
			body: "addressee=owner&instruction=" + url.QueryEscape("矩阵") + "&due_on=" + due, want: [8]int{303, 303, 303, 403, 403, 403, login, 403}},
		// A district reads the supervision of the leads it owns.
		"GET /supervision": {path: "/supervision", want: [8]int{200, 200, 200, 200, 200, 200, login, 200}},
		// Item 2 is the leader's: the admin closes it; the leader then
		// finds it closed (409); no one else settles it.
		"POST /supervision/{id}": {path: "/supervision/2", body: "action=close&note=" + url.QueryEscape("矩阵"),
			want: [8]int{303, 409, 403, 403, 403, 403, login, 403}},
		// The meeting workbook as the page; the exports as the lists they
		// come from.
		"GET /projects/report.xlsx":    {path: "/projects/report.xlsx", want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		"GET /exports/enterprises.csv": {path: "/exports/enterprises.csv?district=440106", want: [8]int{200, 200, 200, 200, 200, 200, login, 200}},
		"GET /exports/projects.csv":    {path: "/exports/projects.csv", want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		// An enterprise's export holds its own decisions only (A's none).
		"GET /exports/decisions.csv": {path: "/exports/decisions.csv?run=" + run1 + "&policy=" + pid,
			want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		"GET /warnings":       {path: "/warnings", want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		"GET /warnings/rules": {path: "/warnings/rules", want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		"POST /warnings/rules": {path: "/warnings/rules",
			body: "new=1&id=matrix_page_rule&colour=yellow&label_zh=" + url.QueryEscape("矩阵") + "&label_en=matrix&owner=department&expr=" + url.QueryEscape("overdue_nodes > 100"),
			want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"POST /warnings/rules/{id}/delete": {path: "/warnings/rules/matrix_page_rule/delete", body: "confirm=1", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"GET /scorecards":                  {path: "/scorecards", want: [8]int{200, 200, 200, 200, 403, 403, login, 403}},
		"GET /scorecards/{kind}/{name}": {path: "/scorecards/department/" + url.PathEscape(dept),
			want: [8]int{200, 200, 200, 200, 403, 403, login, 403}},
		// Responsibilities: administrators any industry, a department
		// those it leads (authz.CatalogRules); the lists administrators.
		"GET /admin/responsibilities": {path: "/admin/responsibilities", want: [8]int{200, 403, 200, 403, 403, 403, login, 403}},
		"POST /admin/responsibilities/{id}": {path: "/admin/responsibilities/" + ind,
			body: url.Values{"city_leader": {indRow.Responsibility.CityLeader}, "lead_department": {dept}, "task_force": {indRow.Responsibility.TaskForce}}.Encode(),
			want: [8]int{303, 403, 303, 403, 403, 403, login, 403}},
		"GET /admin/lists":       {path: "/admin/lists", want: [8]int{200, 403, 403, 403, 403, 403, login, 403}},
		"GET /chains":            {path: "/chains", want: all(200)},
		"GET /chains/links.xlsx": {path: "/chains/links.xlsx", want: all(200)},
		"POST /chains/{industry}/lead-firms": {path: "/chains/" + ind + "/lead-firms",
			body: url.Values{"code": {ents[1].Code}, "designated_on": {testclock.Today().String()}, "source": {"矩阵名单"}, "scores": {"规模 80"}}.Encode(),
			want: [8]int{303, 403, 400, 400, 403, 403, login, 403}},
		"POST /chains/{industry}/lead-firms/{id}/end": {path: "/chains/" + ind + "/lead-firms/2/end",
			body: url.Values{"ended_on": {testclock.Today().String()}}.Encode(), want: [8]int{303, 403, 400, 400, 403, 403, login, 403}},
		"GET /chains/{industry}":       {path: "/chains/" + ind, want: all(200)},
		"GET /chains/{industry}/edit":  {path: "/chains/" + ind + "/edit", want: [8]int{200, 403, 200, 200, 403, 403, login, 403}},
		"POST /chains/{industry}/edit": {path: "/chains/" + ind + "/edit", body: url.Values{"source": {string(indChain)}}.Encode(), want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		// The thresholds are open, set by administrators; a link's firms are
		// for officials, placed and removed by its task force, the
		// department that leads the industry and administrators.
		"GET /chains/thresholds": {path: "/chains/thresholds", want: all(200)},
		"POST /chains/thresholds": {path: "/chains/thresholds",
			body: "missing_above_scale=1&strong_above_scale=10&strong_leaders=1&max_top_share=500&min_growth=0", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"GET /chain-links/{link}": {path: "/chain-links/" + ind + ".battery", want: [8]int{200, 200, 200, 200, 403, 403, login, 200}},
		"POST /chain-links/{link}/firms": {path: "/chain-links/" + ind + ".battery/firms", body: "code=" + codeB,
			want: [8]int{303, 403, 400, 400, 403, 403, login, 403}},
		"POST /chain-links/{link}/firms/{code}/remove": {path: "/chain-links/" + ind + ".battery/firms/" + codeB + "/remove", body: "reason=" + url.QueryEscape("矩阵"),
			want: [8]int{303, 403, 400, 400, 403, 403, login, 403}},
		"POST /chain-links/{link}/removals/{code}/undo": {path: "/chain-links/" + ind + ".battery/removals/" + codeB + "/undo",
			want: [8]int{303, 403, 404, 404, 403, 403, login, 403}},
		// 招商 in the pages, after the API's rows: lead 1 is signed and
		// linked to GZ-M001, lead 2 (a district's) is at 线索. A department
		// follows its own leads only; the task force its industry's.
		"POST /chain-links/{link}/targets": {path: "/chain-links/" + ind + ".battery.cell/targets", body: "kind=attract&name=" + url.QueryEscape("矩阵页面公司") + "&source=" + url.QueryEscape("矩阵"),
			want: [8]int{303, 403, 403, 303, 403, 403, login, 403}},
		"GET /leads": {path: "/leads", want: [8]int{200, 200, 200, 200, 403, 403, login, 200}},
		"POST /leads": {path: "/leads", body: "target_id=1&owner=district:440106&page=" + ind + ".battery.cell",
			want: [8]int{303, 403, 403, 303, 403, 403, login, 303}},
		"GET /leads/{id}": {path: "/leads/2", want: [8]int{200, 200, 200, 200, 403, 403, login, 200}},
		// The admin moves lead 2 to 接洽; the task force's repeat is no move forward.
		"POST /leads/{id}/move": {path: "/leads/2/move", body: "to=contact", want: [8]int{303, 403, 403, 400, 403, 403, login, 400}},
		"POST /leads/{id}/contacts": {path: "/leads/2/contacts", body: "kind=call&on=" + testclock.Today().String() + "&note=" + url.QueryEscape("矩阵"),
			want: [8]int{303, 403, 403, 303, 403, 403, login, 303}},
		"POST /leads/{id}/next": {path: "/leads/2/next", body: "next_action=" + url.QueryEscape("回访") + "&next_action_on=" + testclock.Today().String(),
			want: [8]int{303, 403, 403, 303, 403, 403, login, 303}},
		// Linking lead 1 to its project again changes nothing.
		"POST /leads/{id}/convert": {path: "/leads/1/convert", body: "existing=" + projID, want: [8]int{303, 403, 403, 303, 403, 403, login, 303}},
		// The leader and the lead department put lead 2 under 督办; the
		// admin closes item 1, which only its issuer (the admin) may.
		"POST /leads/{id}/supervisions": {path: "/leads/2/supervisions", body: "instruction=" + url.QueryEscape("矩阵督办") + "&due_on=" + testclock.Today().String(),
			want: [8]int{303, 303, 303, 403, 403, 403, login, 403}},
		"POST /lead-supervision/{id}": {path: "/lead-supervision/1", body: "action=close", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		// The API's sheet again: the department's refusal is the page
		// again, naming the row it may not import.
		"POST /leads/import":            {path: "/leads/import", body: leadSheet, ctype: leadSheetType, want: [8]int{303, 403, 403, 303, 403, 403, login, 303}},
		"GET /calendar":                 {path: "/calendar", want: all(200)},
		"GET /open/requests":            {path: "/open/requests?by=industry", want: all(200)},
		"GET /admin/request-categories": {path: "/admin/request-categories", want: [8]int{200, 403, 403, 403, 403, 403, login, 403}},
		"POST /admin/request-categories": {path: "/admin/request-categories", body: url.Values{"id": {"other"}, "name_zh": {"其他"}, "ack_n": {"24"},
			"ack_unit": {"hours"}, "answer_n": {"3"}, "answer_unit": {"days"}, "close_n": {"7"}, "close_unit": {"days"}, "yellow_per_mille": {"800"},
			"confirm_days": {"5"}, "position": {"7"}}.Encode(), want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"GET /request-issues": {path: "/request-issues", want: [8]int{200, 200, 200, 200, 403, 403, login, 403}},
		"POST /request-issues/{id}/solve": {path: "/request-issues/1/solve", body: "note=" + url.QueryEscape("矩阵"),
			want: [8]int{404, 403, 403, 403, 403, 403, login, 403}}, // none raised: the task force learns nothing
		"POST /calendar": {path: "/calendar", body: calSheet, ctype: calSheetType, want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		// Enterprise requests (诉求): officials record one for B by visit,
		// an enterprise raises its own (whatever code it posts); a
		// district records one too but may not read them.
		"GET /requests":     {path: "/requests", want: [8]int{200, 200, 200, 200, 200, 200, login, 403}},
		"GET /requests/new": {path: "/requests/new", want: [8]int{200, 403, 200, 200, 200, 200, login, 200}},
		"POST /requests": {path: "/requests", body: url.Values{"code": {codeB}, "channel": {"visit"}, "category_id": {"permit"}, "title": {"矩阵"}, "description": {"矩阵"}}.Encode(),
			want: [8]int{303, 403, 303, 303, 303, 303, login, 303}},
		// B's request: the task force reads its industry's only.
		"GET /requests/{id}": {path: fmt.Sprintf("/requests/%d", bReq.ID), want: [8]int{200, 200, 200, 403, 404, 200, login, 403}},
		// The admin acknowledges B's request; the lead department then
		// finds it acknowledged (409); no one else handles it.
		// Files: the enterprise and the lead department attach; whoever
		// reads the request downloads them (the API's file 1 of B's other).
		"POST /requests/{id}/files": {path: fmt.Sprintf("/requests/%d/files", bReq.ID), body: reqFile, ctype: reqFileType,
			want: [8]int{303, 403, 303, 403, 404, 303, login, 403}},
		"GET /requests/{id}/files/{file}": {path: fmt.Sprintf("/requests/%d/files/1", apiReq.ID), want: [8]int{200, 200, 200, tfReads, 404, 200, login, 403}},
		"POST /requests/{id}/steps": {path: fmt.Sprintf("/requests/%d/steps", bReq.ID), body: "action=acknowledge",
			want: [8]int{303, 403, 409, 403, 403, 403, login, 403}},
		// Application scenarios: the list and a published scenario for
		// everyone; the form for its runners. After the API's rows A has
		// applied and B withdrawn, and the review cannot start before the
		// deadline; no one here is on the panel.
		"GET /scenarios":     {path: "/scenarios", want: all(200)},
		"GET /scenarios/new": {path: "/scenarios/new", want: [8]int{200, 403, 200, 200, 403, 403, login, 403}},
		"POST /scenarios": {path: "/scenarios", body: url.Values{"title": {"矩阵页面场景"}, "offerer.name": {"市交通集团"}, "offerer.kind": {"state_owned"},
			"industry_id": {ind}, "requirements": {"矩阵"}, "deadline": {dayFrom(30)}, "pilot_start": {dayFrom(40)}, "pilot_end": {dayFrom(400)},
			"criteria[0].id": {"tech"}, "criteria[0].name_zh": {"技术"}, "criteria[0].weight": {"100"}}.Encode(),
			want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		"GET /scenarios/{id}": {path: scenarioPage, want: all(200)},
		// A draft's form: its runners; the others are refused before it is read.
		"GET /scenarios/{id}/edit": {path: draftPage + "/edit", want: [8]int{200, 403, 200, 200, 403, 403, login, 403}},
		"POST /scenarios/{id}/edit": {path: draftPage + "/edit", body: url.Values{"title": {"矩阵页面场景"}, "offerer.name": {"市交通集团"}, "offerer.kind": {"state_owned"},
			"industry_id": {ind}, "requirements": {"矩阵"}, "deadline": {dayFrom(30)}, "pilot_start": {dayFrom(40)}, "pilot_end": {dayFrom(400)},
			"criteria[0].id": {"tech"}, "criteria[0].name_zh": {"技术"}, "criteria[0].weight": {"100"}}.Encode(),
			want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		"POST /scenarios/{id}/moves": {path: scenarioPage + "/moves", body: "action=start_review",
			want: [8]int{409, 403, 409, 409, 403, 403, login, 403}},
		// panel-a is user 1, disabled by the row of /admin/users/{id}: the
		// leader "matrix" created there takes its place.
		"POST /scenarios/{id}/panel": {path: scenarioPage + "/panel", body: url.Values{"panel": {"panel-b\npanel-c\nmatrix"}}.Encode(),
			want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		"POST /scenarios/{id}/applications": {path: scenarioPage + "/applications", body: "solution=" + url.QueryEscape("矩阵页面方案"),
			want: [8]int{403, 403, 403, 403, 409, 303, login, 403}},
		"POST /scenarios/{id}/applications/{app}/withdraw": {path: fmt.Sprintf("%s/applications/%d/withdraw", scenarioPage, scenarioApp),
			want: [8]int{403, 403, 403, 403, 404, 409, login, 403}},
		// B's first application is withdrawn by now: it takes no file.
		"POST /scenarios/{id}/applications/{app}/files": {path: fmt.Sprintf("%s/applications/%d/files", scenarioPage, scenarioApp), body: reqFile, ctype: reqFileType,
			want: [8]int{403, 403, 403, 403, 404, 409, login, 403}},
		"GET /scenarios/{id}/applications/{app}/files/{file}": {path: fmt.Sprintf("%s/applications/%d/files/1", scenarioPage, scenarioApp),
			want: [8]int{200, 200, 200, 200, 404, 200, login, 403}},
		"POST /scenarios/{id}/scores": {path: scenarioPage + "/scores", body: fmt.Sprintf("score-%d-tech=80", scenarioApp),
			want: [8]int{403, 403, 403, 403, 403, 403, login, 403}},
		"POST /scenarios/{id}/conflicts": {path: scenarioPage + "/conflicts", body: fmt.Sprintf("application_id=%d&reason=%s", scenarioApp, url.QueryEscape("矩阵")),
			want: [8]int{403, 403, 403, 403, 403, 403, login, 403}},
		// Matchmaking's pages, as the API's rows left it: the match in
		// talks, the first fair scheduled, the second's meeting held.
		// An enterprise posts its own listing whatever code it types.
		"GET /supplies":      {path: "/supplies", want: [8]int{200, 200, 200, 200, 200, 200, login, 200}},
		"POST /supplies":     {path: "/supplies", body: "code=" + codeB + "&text=" + url.QueryEscape("矩阵页面电芯") + "&link_id=" + ind + ".battery.cell&classes=3841", want: [8]int{303, 403, 403, 403, 303, 303, login, 403}},
		"GET /supplies/{id}": {path: pagePath(mm.supply), want: [8]int{200, 200, 200, 200, 404, 200, login, 200}},
		"POST /supplies/{id}": {path: pagePath(mm.supply), body: "text=" + url.QueryEscape("矩阵电芯") + "&link_id=" + ind + ".battery.cell&classes=3841&status=open",
			want: [8]int{303, 403, 403, 403, 404, 303, login, 403}},
		"GET /demands":      {path: "/demands", want: [8]int{200, 200, 200, 200, 200, 200, login, 200}},
		"POST /demands":     {path: "/demands", body: "code=" + codeB + "&text=" + url.QueryEscape("矩阵页面需求"), want: [8]int{303, 403, 403, 403, 303, 303, login, 403}},
		"GET /demands/{id}": {path: pagePath(mm.demand), want: [8]int{200, 200, 200, 200, 404, 200, login, 200}},
		"POST /demands/{id}": {path: pagePath(mm.demand), body: "text=" + url.QueryEscape("矩阵电池") + "&link_id=" + ind + ".vehicle.passenger&classes=3841&status=open",
			want: [8]int{303, 403, 403, 403, 404, 303, login, 403}},
		"GET /matches":      {path: "/matches?industry=" + ind, want: [8]int{200, 200, 200, 200, 200, 200, login, 200}},
		"POST /matches/run": {path: "/matches/run", want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		"GET /matches/{id}": {path: pagePath(mm.match), want: [8]int{200, 200, 200, 200, 404, 200, login, 200}},
		// In talks already: a conflict for those who may act on it.
		"POST /matches/{id}/steps": {path: pagePath(mm.match) + "/steps", body: "action=negotiate", want: [8]int{409, 403, 409, 409, 404, 409, login, 403}},
		"GET /fairs":               {path: "/fairs", want: all(200)},
		"POST /fairs": {path: "/fairs", body: "title=" + url.QueryEscape("矩阵页面对接会") + "&industry_id=" + ind + "&date=" + dayFrom(30) + "&venue=" + url.QueryEscape("矩阵会场") +
			"&tables=2&slot_minutes=30&start=09:00&end=11:00", want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		"GET /fairs/{id}":             {path: pagePath(mm.fair), want: all(200)},
		"GET /fairs/{id}/report.xlsx": {path: pagePath(mm.done) + "/report.xlsx", want: [8]int{200, 200, 200, 200, 403, 403, login, 200}},
		// A firm registers itself; registering again leaves it as it is.
		"POST /fairs/{id}/registrations": {path: pagePath(mm.fair) + "/registrations", body: "code=" + codeB + "&role=buyer", want: [8]int{303, 403, 303, 303, 303, 303, login, 403}},
		"POST /fairs/{id}/requests":      {path: pagePath(mm.fair) + "/requests", body: "match_id=" + mm.matchID, want: [8]int{409, 403, 409, 409, 404, 409, login, 403}},
		"POST /fairs/{id}/schedule":      {path: pagePath(mm.fair) + "/schedule", want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		"POST /fairs/{id}/meetings/{meeting}": {path: pagePath(mm.done) + "/meetings/" + mm.meetingID, body: "outcome=held&intention=1&amount=12",
			want: [8]int{303, 403, 303, 303, 403, 403, login, 403}},
		// A firm not at the meeting does not find it; one at it may not move it.
		"POST /fairs/{id}/meetings/{meeting}/move": {path: pagePath(mm.done) + "/meetings/" + mm.meetingID + "/move", body: "slot=1&table=1",
			want: [8]int{303, 403, 303, 303, 404, 403, login, 403}},
		// Industrial space's pages over their own records: after the
		// first actor allowed succeeds, the others allowed meet a
		// conflict (a code taken, a unit held or allocated, a hold or a
		// lease ended). The public sees the map and available space.
		"GET /space":             {path: "/space", want: all(200)},
		"POST /space/blocks":     {path: "/space/blocks", body: "code=M-PB-1&name=" + url.QueryEscape("矩阵页面新区块") + "&district_code=440106&area_m2=10000&industries=" + ind, want: [8]int{303, 403, 409, 403, 403, 403, login, 409}},
		"GET /space/blocks/{id}": {path: spp.block, want: all(200)},
		"POST /space/blocks/{id}": {path: spp.block, body: "code=M-TH-P1&name=" + url.QueryEscape("矩阵页面区块") + "&district_code=440106&area_m2=100000&industries=" + ind,
			want: [8]int{303, 403, 303, 403, 403, 403, login, 303}},
		"POST /space/blocks/{id}/units": {path: spp.block + "/units", body: "kind=plant&code=MP-1&area_m2=500&status=available", want: [8]int{303, 403, 409, 403, 403, 403, login, 409}},
		"GET /space/units/{id}":         {path: spp.hold, want: all(200)},
		"POST /space/units/{id}/holds": {path: spp.hold + "/holds", body: "for_kind=project&for_id=" + projID + "&until=" + dayFrom(10),
			want: [8]int{303, 403, 409, 409, 403, 403, login, 409}},
		"POST /space/units/{id}/holds/{hold}/release": {path: spp.release + "/holds/" + spp.holdID + "/release", body: "note=" + url.QueryEscape("矩阵"),
			want: [8]int{303, 403, 409, 403, 403, 403, login, 409}},
		"POST /space/units/{id}/allocations": {path: spp.alloc + "/allocations", body: "kind=lease&code=" + codeB + "&from=" + dayFrom(0) + "&to=" + dayFrom(365) + "&amount_fen=30",
			want: [8]int{303, 403, 409, 403, 403, 403, login, 409}},
		"POST /space/units/{id}/allocations/{alloc}/end": {path: spp.end + "/allocations/" + spp.leaseID + "/end", body: "on=" + dayFrom(0),
			want: [8]int{303, 403, 409, 403, 403, 403, login, 409}},
		"GET /space/route":                {path: "/space/route?project=" + projID + "&area_m2=2000", want: [8]int{200, 200, 200, 200, 404, 200, login, 403}},
		"GET /space/settings":             {path: "/space/settings", want: [8]int{200, 200, 200, 200, 403, 403, login, 200}},
		"POST /space/settings/rule":       {path: "/space/settings/rule", body: "large_fen=50000&large_area_m2=20000&medium_fen=5000&medium_area_m2=2000", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"POST /space/settings/thresholds": {path: "/space/settings/thresholds", body: "min_tax_per_mu_fen=15&min_revenue_per_mu_fen=300&idle_days=365", want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"POST /admin/lists": {path: "/admin/lists", body: url.Values{"kind": {"leader"}, "name_zh": {"矩阵页面领导"}}.Encode(),
			want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
		"POST /admin/lists/{id}": {path: "/admin/lists/" + unitPath,
			body: url.Values{"action": {"save"}, "name_zh": {lastLeader.NameZH}, "name_en": {"Matrix page leader"}}.Encode(),
			want: [8]int{303, 403, 403, 403, 403, 403, login, 403}},
	}

	check := func(t *testing.T, kind string, routes []string, table map[string]matrixRequest, isAPI bool) {
		for _, rt := range routes {
			if _, ok := table[rt]; !ok {
				t.Errorf("%s route %q has no entry in the route × role matrix", kind, rt)
			}
		}
		for key := range table {
			if !slices.Contains(routes, key) {
				t.Errorf("the matrix has an entry for %s route %q, which no longer exists", kind, key)
			}
		}
		for _, rt := range routes {
			req, ok := table[rt]
			if !ok {
				continue
			}
			method, _, found := strings.Cut(rt, " ")
			if !found || strings.HasPrefix(method, "/") {
				method = "GET"
			}
			for i, name := range matrixActors {
				var body io.Reader
				if req.body != "" {
					body = strings.NewReader(req.body)
				}
				r := httptest.NewRequest(method, req.path, body)
				if req.body != "" {
					if req.ctype != "" {
						r.Header.Set("Content-Type", req.ctype)
					} else if isAPI {
						r.Header.Set("Content-Type", "application/json")
					} else {
						r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
				}
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, as(actors[name], r))
				got, want := rec.Code, req.want[i]
				loc := rec.Header().Get("Location")
				switch {
				case want == login:
					if (got != http.StatusFound && got != http.StatusSeeOther) || !strings.HasPrefix(loc, "/login?next=") {
						t.Errorf("%s %s as %s: %d %q, want a redirect to /login", method, req.path, name, got, loc)
					}
				case got != want:
					t.Errorf("%s %s as %s: %d, want %d\n%.300s", method, req.path, name, got, want, rec.Body.String())
				case got == http.StatusSeeOther && strings.HasPrefix(loc, "/login"):
					t.Errorf("%s %s as %s: sent to %s, want the page's own redirect", method, req.path, name, loc)
				}
			}
		}
		t.Logf("%s: %d routes × %d actors", kind, len(routes), len(matrixActors))
	}
	// Every link of the header a role is shown answers 200 for it, and the
	// links it is shown are those the rules let it use.
	t.Run("navigation", func(t *testing.T) {
		wantLinks := map[string]string{
			"admin":           "nav-todo nav-overview nav-enterprises nav-requests nav-scenarios nav-match nav-chains nav-leads nav-space nav-projects nav-policies nav-decisions nav-publicity nav-lifecycle nav-responsibilities",
			"leader":          "nav-todo nav-overview nav-enterprises nav-requests nav-scenarios nav-match nav-chains nav-leads nav-space nav-projects nav-policies nav-decisions nav-publicity nav-lifecycle",
			"department":      "nav-todo nav-overview nav-enterprises nav-requests nav-scenarios nav-match nav-chains nav-leads nav-space nav-projects nav-policies nav-decisions nav-publicity nav-lifecycle nav-responsibilities",
			"task_force":      "nav-todo nav-overview nav-enterprises nav-requests nav-scenarios nav-match nav-chains nav-leads nav-space nav-projects nav-policies nav-decisions nav-publicity",
			"enterprise":      "nav-overview nav-mine nav-requests nav-scenarios nav-match nav-chains nav-space nav-projects nav-policies nav-publicity",
			"enterprise_self": "nav-overview nav-mine nav-requests nav-scenarios nav-match nav-chains nav-space nav-projects nav-policies nav-publicity",
			"public":          "nav-overview nav-scenarios nav-fairs nav-chains nav-space nav-policies nav-publicity",
			"district":        "nav-todo nav-overview nav-enterprises nav-scenarios nav-match nav-chains nav-leads nav-space nav-policies nav-publicity",
		}
		navRe := regexp.MustCompile(`(?s)<nav class="nav"[^>]*>(.*?)</nav>`)
		linkRe := regexp.MustCompile(`<a href="([^"]+)" id="([^"]+)"`)
		for _, name := range matrixActors {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, as(actors[name], httptest.NewRequest("GET", "/policies", nil)))
			nav := navRe.FindStringSubmatch(rec.Body.String())
			if rec.Code != 200 || nav == nil {
				t.Fatalf("/policies as %s: %d, navigation %v", name, rec.Code, nav)
			}
			var ids []string
			for _, m := range linkRe.FindAllStringSubmatch(nav[1], -1) {
				ids = append(ids, m[2])
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, as(actors[name], httptest.NewRequest("GET", m[1], nil)))
				if rec.Code != 200 {
					t.Errorf("%s is shown %s (%s), which answers %d", name, m[2], m[1], rec.Code)
				}
			}
			if got := strings.Join(ids, " "); got != wantLinks[name] {
				t.Errorf("%s is shown %s, want %s", name, got, wantLinks[name])
			}
		}
	})
	t.Run("api", func(t *testing.T) { check(t, "API", httpapi.Routes(), apiTable, true) })
	t.Run("pages", func(t *testing.T) { check(t, "page", web.Routes(), pageTable, false) })
	// Readiness is for load balancers and metrics for the scraper: both open,
	// to be fenced off by the network (README, Operations).
	opsTable := map[string]matrixRequest{
		"GET /readyz":  {path: "/readyz", want: all(200)},
		"GET /metrics": {path: "/metrics", want: all(200)},
	}
	t.Run("ops", func(t *testing.T) {
		check(t, "operations", slices.Collect(maps.Keys(opsHandlers(nil, nil))), opsTable, false)
	})
}

func ptr[T any](v T) *T { return &v }

// multipartBody is a multipart form of fields and one file.
func multipartBody(t *testing.T, fields map[string]string, field, name string, data []byte) (body, contentType string) {
	t.Helper()
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), mw.FormDataContentType()
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// unusedCode returns a valid credit code no enterprise of store has.
func unusedCode(t *testing.T, store chanye.EnterpriseService, ctx context.Context) string {
	t.Helper()
	for i := range 100 {
		c, err := uscc.Complete(fmt.Sprintf("91440101MA%07d", i))
		if err != nil {
			continue
		}
		if _, err := store.FindEnterpriseByCode(ctx, c); chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return c
		}
	}
	t.Fatal("no unused credit code")
	return ""
}

// matrixScenario stores a published scenario of industry ind with an
// application of enterprise code and a panel of three leader accounts,
// and returns its API path and the application's id.
func matrixScenario(t *testing.T, ctx context.Context, store *sqlstore.Store, ind, code string) (string, int64) {
	t.Helper()
	for _, n := range []string{"panel-a", "panel-b", "panel-c"} {
		if err := store.CreateUser(ctx, &auth.User{Name: n, Role: chanye.RoleLeader}, n+" password 1"); err != nil {
			t.Fatal(err)
		}
	}
	x := &scenario.Scenario{Title: "矩阵场景", Offerer: scenario.Offerer{Name: "市交通集团", Kind: scenario.OffererStateOwned}, IndustryID: ind,
		Requirements: "矩阵", Deadline: chanye.DateOf(testclock.Now().AddDate(0, 0, 30)), PilotStart: chanye.DateOf(testclock.Now().AddDate(0, 0, 40)),
		PilotEnd: chanye.DateOf(testclock.Now().AddDate(1, 0, 40)), Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术", NameEN: "technology", Weight: 100}}}
	if err := store.CreateScenario(ctx, x); err != nil {
		t.Fatal(err)
	}
	if _, err := store.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
		t.Fatal(err)
	}
	a := &scenario.Application{ScenarioID: x.ID, Code: code, Solution: "矩阵方案"}
	if err := store.CreateScenarioApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := store.SetPanel(ctx, x.ID, []string{"panel-a", "panel-b", "panel-c"}); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("/api/v1/scenarios/%d", x.ID), a.ID
}

// matrixDraft stores a draft scenario of industry ind and returns its
// page's path.
func matrixDraft(t *testing.T, ctx context.Context, store *sqlstore.Store, ind string) string {
	t.Helper()
	x := &scenario.Scenario{Title: "矩阵征集稿", Offerer: scenario.Offerer{Name: "市交通集团", Kind: scenario.OffererStateOwned}, IndustryID: ind,
		Requirements: "矩阵", Deadline: chanye.DateOf(testclock.Now().AddDate(0, 0, 30)), PilotStart: chanye.DateOf(testclock.Now().AddDate(0, 0, 40)),
		PilotEnd: chanye.DateOf(testclock.Now().AddDate(1, 0, 40)), Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术", NameEN: "technology", Weight: 100}}}
	if err := store.CreateScenario(ctx, x); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("/scenarios/%d", x.ID)
}

// matrixPaths are the matchmaking records of the matrix, as API paths
// and ids.
type matrixPaths struct {
	supply, demand, match, fair, done string // done: a fair scheduled, which no row reschedules
	matchID, meetingID, codeC         string
}

// spaceWords is the matrix's segmenter: the words between spaces.
type spaceWords struct{}

func (spaceWords) Words(text string) []string { return strings.Fields(text) }

// matrixMatch stores B's supply and demand and a supply of a third firm
// C (not a nor b) that matches B's demand; the match accepted by both
// sides; two fairs of industry ind where B (buyer) and C (supplier)
// registered and asked to meet, the second scheduled.
func matrixMatch(t *testing.T, ctx context.Context, store *sqlstore.Store, ind, a, b string) matrixPaths {
	t.Helper()
	ents, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var c string
	for _, e := range ents {
		if e.Code != a && e.Code != b {
			c = e.Code
			break
		}
	}
	sup := &match.Supply{Code: b, Products: "矩阵电芯", LinkID: ind + ".battery.cell", Classes: []string{"3841"}}
	dem := &match.Demand{Code: b, Needs: "矩阵电池", LinkID: ind + ".vehicle.passenger", Classes: []string{"3841"}}
	other := &match.Supply{Code: c, Products: "矩阵电池", LinkID: ind + ".battery.cell", Classes: []string{"3841"}}
	for _, err := range []error{store.CreateSupply(ctx, sup), store.CreateDemand(ctx, dem), store.CreateSupply(ctx, other)} {
		if err != nil {
			t.Fatalf("listings: %v %v", err, chanye.ErrorFields(err))
		}
	}
	if _, err := store.ProposeMatches(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ms, _, err := store.FindMatches(ctx, match.MatchFilter{DemandID: &dem.ID, SupplyID: &other.ID})
	if err != nil || len(ms) != 1 {
		t.Fatalf("the match: %v %v", ms, err)
	}
	m := ms[0]
	for _, code := range []string{b, c} {
		firm := chanye.WithActor(ctx, &chanye.Actor{Name: "firm" + code[14:], Role: chanye.RoleEnterprise, Code: code})
		if _, err := store.ActOnMatch(firm, m.ID, match.Step{Action: match.StepAccept}); err != nil {
			t.Fatal(err)
		}
	}
	var fairs [2]*match.Event
	for i := range fairs {
		ev := &match.Event{Title: "矩阵对接会", IndustryID: ind, Date: chanye.DateOf(testclock.Now().AddDate(0, 0, 20+i)), Venue: "矩阵会场",
			Tables: 2, SlotMinutes: 30, Start: 9 * 60, End: 11 * 60}
		if err := store.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		for _, r := range []match.Registration{{Code: b, Role: match.SideBuyer}, {Code: c, Role: match.SideSupplier}} {
			if err := store.RegisterForEvent(ctx, ev.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{MatchID: m.ID}); err != nil {
			t.Fatal(err)
		}
		fairs[i] = ev
	}
	tt, _, err := store.ScheduleEvent(ctx, fairs[1].ID)
	if err != nil || len(tt.Meetings) != 1 {
		t.Fatalf("schedule: %v %v", tt, err)
	}
	return matrixPaths{supply: fmt.Sprintf("/api/v1/supplies/%d", sup.ID), demand: fmt.Sprintf("/api/v1/demands/%d", dem.ID),
		match: fmt.Sprintf("/api/v1/matches/%d", m.ID), fair: fmt.Sprintf("/api/v1/fairs/%d", fairs[0].ID), done: fmt.Sprintf("/api/v1/fairs/%d", fairs[1].ID),
		matchID: fmt.Sprint(m.ID), meetingID: fmt.Sprint(tt.Meetings[0].ID), codeC: c}
}

// matrixSpacePaths are the industrial space records of the matrix, as
// API paths and ids.
type matrixSpacePaths struct {
	block, blockID string
	floor, plant   string // units: the floor held for the project, a plant on offer
	release        string // a hold's release
	lease          string // the plant leased to B
}

// matrixSpace stores block MX-01 of Tianhe (440106) planned for
// icv-nev with a parcel, a floor and three plants; the floor and the
// parcel held for project proj, a plant leased to firm b.
func matrixSpace(t *testing.T, ctx context.Context, store *sqlstore.Store, proj, b string) matrixSpacePaths {
	t.Helper()
	blk := &space.Block{Code: "MX-01", Name: "矩阵区块", DistrictCode: "440106", AreaM2: 1_000_000, Industries: []string{"icv-nev"},
		Boundary: json.RawMessage(`{"type":"Polygon","coordinates":[[[113.35,23.12],[113.36,23.12],[113.36,23.13],[113.35,23.12]]]}`), Schematic: true}
	if err := store.CreateBlock(ctx, blk); err != nil {
		t.Fatal(err)
	}
	rent := chanye.Fen(3000)
	units := []*space.Unit{
		{BlockID: blk.ID, Kind: space.Land, Code: "DK-01", AreaM2: 20_000},
		{BlockID: blk.ID, Kind: space.Floor, Code: "B1-F03", AreaM2: 2_000, Building: "1号楼", Level: 3, RentFenM2Month: &rent},
		{BlockID: blk.ID, Kind: space.Plant, Code: "CF-01", AreaM2: 900, RentFenM2Month: &rent},
		{BlockID: blk.ID, Kind: space.Plant, Code: "CF-02", AreaM2: 1_100, RentFenM2Month: &rent},
	}
	for _, u := range units {
		if err := store.CreateUnit(ctx, u); err != nil {
			t.Fatalf("unit %s: %v %v", u.Code, err, chanye.ErrorFields(err))
		}
	}
	land, floor, leased, plant := units[0], units[1], units[2], units[3]
	var holds [2]*space.Hold
	for i, u := range []*space.Unit{floor, land} {
		holds[i] = &space.Hold{UnitID: u.ID, ForKind: space.ForProject, ForID: proj, Until: chanye.DateOf(testclock.Now().AddDate(0, 0, 30))}
		if err := store.HoldUnit(ctx, holds[i]); err != nil {
			t.Fatalf("hold: %v %v", err, chanye.ErrorFields(err))
		}
	}
	lease := &space.Allocation{UnitID: leased.ID, Kind: space.Lease, Code: b, From: chanye.DateOf(testclock.Now().AddDate(0, 0, -30)),
		To: chanye.DateOf(testclock.Now().AddDate(2, 0, 0)), AmountFen: &rent}
	if err := store.Allocate(ctx, lease); err != nil {
		t.Fatalf("lease: %v %v", err, chanye.ErrorFields(err))
	}
	return matrixSpacePaths{block: fmt.Sprintf("/api/v1/space/blocks/%d", blk.ID), blockID: fmt.Sprint(blk.ID),
		floor: fmt.Sprintf("/api/v1/space/units/%d", floor.ID), plant: fmt.Sprintf("/api/v1/space/units/%d", plant.ID),
		release: fmt.Sprintf("/api/v1/space/holds/%d/release", holds[1].ID), lease: fmt.Sprintf("/api/v1/space/allocations/%d", lease.ID)}
}

// matrixSpacePage are the space records the page rows act on, apart
// from the API rows' own: block M-TH-P1 of Tianhe with four floors, the
// first on offer (hold), the second held for project proj (release), the
// third on offer (allocate), the fourth leased to firm b (end).
type matrixSpacePage struct {
	block, hold, release, holdID, alloc, end, leaseID string
}

func matrixSpacePages(t *testing.T, ctx context.Context, store *sqlstore.Store, proj, b string) matrixSpacePage {
	t.Helper()
	blk := &space.Block{Code: "M-TH-P1", Name: "矩阵页面区块", DistrictCode: "440106", AreaM2: 100_000, Industries: []string{"icv-nev"}}
	if err := store.CreateBlock(ctx, blk); err != nil {
		t.Fatal(err)
	}
	var us [4]*space.Unit
	for i := range us {
		us[i] = &space.Unit{BlockID: blk.ID, Kind: space.Floor, Code: fmt.Sprintf("MF-%d", i+1), Building: "1栋", Level: 1, AreaM2: 2_000}
		if err := store.CreateUnit(ctx, us[i]); err != nil {
			t.Fatalf("unit: %v %v", err, chanye.ErrorFields(err))
		}
	}
	h := &space.Hold{UnitID: us[1].ID, ForKind: space.ForProject, ForID: proj, Until: chanye.DateOf(testclock.Now().AddDate(0, 0, 10))}
	if err := store.HoldUnit(ctx, h); err != nil {
		t.Fatal(err)
	}
	x := &space.Allocation{UnitID: us[3].ID, Kind: space.Lease, Code: b, From: chanye.DateOf(testclock.Now()), To: chanye.DateOf(testclock.Now().AddDate(1, 0, 0))}
	if err := store.Allocate(ctx, x); err != nil {
		t.Fatal(err)
	}
	unit := func(u *space.Unit) string { return fmt.Sprintf("/space/units/%d", u.ID) }
	return matrixSpacePage{block: fmt.Sprintf("/space/blocks/%d", blk.ID), hold: unit(us[0]), release: unit(us[1]), holdID: fmt.Sprint(h.ID),
		alloc: unit(us[2]), end: unit(us[3]), leaseID: fmt.Sprint(x.ID)}
}

// pagePath is the page of an API path: /api/v1/fairs/3 is /fairs/3.
func pagePath(api string) string { return strings.TrimPrefix(api, "/api/v1") }

// dayFrom is the test clock's today plus n days, as YYYY-MM-DD.
func dayFrom(n int) string { return chanye.DateOf(testclock.Now().AddDate(0, 0, n)).String() }
