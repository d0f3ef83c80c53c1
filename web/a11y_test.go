package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpauth"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/scenario"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// axeDir holds the package.json that pins axe-core; `npm ci` there
// installs it.
const axeDir = "testdata/axe"

// axeSource reads axe-core as npm installed it. Without it the
// accessibility test skips, unless CHANYE_BROWSER_TEST=required, when it
// fails saying how to install it.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(axeDir, "node_modules", "axe-core", "axe.min.js"))
	if err == nil {
		return string(b)
	}
	msg := fmt.Sprintf("axe-core is not installed (%v): run `npm ci` in web/%s", err, axeDir)
	if os.Getenv("CHANYE_BROWSER_TEST") == "required" {
		t.Fatal(msg + " (CHANYE_BROWSER_TEST=required)")
	}
	t.Skip(msg)
	return ""
}

// a11yEnterprises is the smallest demo base whose lifecycle reaches every
// state (objections, payments, applications).
const a11yEnterprises = 1000

// a11yWalk is one walk over every page: as a role ("" is the public), in
// a language, at the widths given.
type a11yWalk struct {
	role   chanye.Role
	lang   Lang
	widths []int
}

// name names the walk in the test's output, e.g. enterprise-en.
func (w a11yWalk) name() string {
	r := string(w.role)
	if r == "" {
		r = "public"
	}
	return r + "-" + string(w.lang)
}

// a11yWalks are the walks of the accessibility test. The public and the
// enterprise, whose pages are opened on phones, are walked in Chinese on a
// desktop and a phone, and again in English on a phone, where the longer
// English labels would first overflow; the administrator, who sees the
// most pages, in Chinese and in English on a desktop; the department, the
// leader, the task force and the district, whose navigation and homes
// differ, on a desktop. The officials' pages on a phone are not walked:
// axe found the same at both widths, the widths were only logged, and the
// walk was the longest part of CI.
var a11yWalks = []a11yWalk{
	{chanye.RolePublic, "zh", []int{1280, 390}},
	{chanye.RoleEnterprise, "zh", []int{1280, 390}},
	{chanye.RoleDepartment, "zh", []int{1280}},
	{chanye.RoleAdmin, "zh", []int{1280}},
	{chanye.RoleLeader, "zh", []int{1280}},
	{chanye.RoleTaskForce, "zh", []int{1280}},
	{chanye.RoleDistrict, "zh", []int{1280}},
	{chanye.RolePublic, "en", []int{390}},
	{chanye.RoleEnterprise, "en", []int{390}},
	{chanye.RoleAdmin, "en", []int{1280}},
}

// notPages are the GET routes that answer something other than a page.
var notPages = []string{"GET /static/", "GET /chains/links.xlsx", "GET /payments/file", "GET /applications/{id}/files/{file}",
	"GET /projects/{id}/closures/{closure}/file", "GET /projects/report.xlsx", "GET /exports/enterprises.csv", "GET /exports/projects.csv", "GET /exports/decisions.csv",
	"GET /inbox/{id}", "GET /requests/{id}/files/{file}", "GET /fairs/{id}/report.xlsx", "GET /scenarios/{id}/applications/{app}/files/{file}"}

// a11yFixture is a demo city behind the sign-in middleware, as serve runs
// it: 300 enterprises, 40 key projects, the shipped policies carried
// through the demo lifecycle, and an account for each role walked.
type a11yFixture struct {
	srv *httptest.Server
	// paths gives each GET page route the path walked for it.
	paths map[string]string
	// logins are the accounts by role; each password is name + " password 1".
	logins map[chanye.Role]string
}

func newA11yFixture(t *testing.T) *a11yFixture {
	t.Helper()
	now := policyToday
	db, store := sqlstoretest.NewWithDB(t)
	db.Now = now
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	today := chanye.DateOf(now())
	chains, err := store.FindChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, store, demo.Options{Enterprises: a11yEnterprises, Seed: 1, AsOf: today, Chains: chains}); err != nil {
		t.Fatal(err)
	}
	cat, err := store.FindCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.GenerateProjects(ctx, store, cat, store, demo.ProjectOptions{Projects: 40, TotalYuan: 2e11, Seed: 1, AsOf: today}); err != nil {
		t.Fatal(err)
	}
	// The chain pages show verdicts: the demo's firms placed, with the
	// thresholds scaled to its size as serve --demo does.
	if err := store.PutThresholds(ctx, demo.Thresholds(a11yEnterprises)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PlaceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Leads(ctx, store, demo.LeadOptions{Seed: 1, Today: today, Leads: 40, Roster: 40, Projects: 3}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Budgets: store, Inputs: store, Snapshots: store, Now: now})
	if _, err := eng.EnsureShipped(ctx, true); err != nil {
		t.Fatal(err)
	}
	// The demo lifecycle lives through the past weeks on its own clock,
	// as serve --demo does it.
	clock := now
	db.Now = func() time.Time { return clock() }
	demoEng := engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Budgets: store, Inputs: store, Snapshots: store, Now: func() time.Time { return clock() }})
	st, err := demo.Lifecycle(ctx, demo.LifecycleOptions{Today: today, Services: store.PolicyServices(), Run: demoEng.Run,
		SetClock: func(at time.Time) { clock = func() time.Time { return at } },
		Restore:  func() { db.Now = now }})
	if err != nil || st.Objections == 0 || st.Applications == 0 {
		t.Fatalf("demo lifecycle: %+v, %v", st, err)
	}

	runs, _, err := store.FindRuns(ctx, policy.RunFilter{Limit: 1})
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs: %d, %v", len(runs), err)
	}
	objections, _, err := store.FindObjections(ctx, policy.ObjectionFilter{Limit: 1})
	if err != nil || len(objections) == 0 {
		t.Fatalf("objections: %d, %v", len(objections), err)
	}
	apps, _, err := store.FindApplications(ctx, policy.ApplicationFilter{Limit: 1})
	if err != nil || len(apps) == 0 {
		t.Fatalf("applications: %d, %v", len(apps), err)
	}
	projects, _, err := store.FindProjects(ctx, project.ProjectFilter{Limit: 1})
	if err != nil || len(projects) == 0 {
		t.Fatalf("projects: %d, %v", len(projects), err)
	}
	p := projects[0]
	v, err := store.FindPolicyVersion(ctx, objections[0].Ref.PolicyID, 0)
	if err != nil {
		t.Fatal(err)
	}
	dept := v.Policy.Department
	code := p.OwnerCode // the enterprise signed in owns a project

	// A request of the enterprise's, answered by the department: the
	// enterprise is offered its rating, the department the callback.
	req := a11yRequest(t, ctx, store, code, dept)

	f := &a11yFixture{logins: map[chanye.Role]string{}}
	for _, u := range []*auth.User{
		{Name: "admin", Role: chanye.RoleAdmin},
		{Name: "dept", Role: chanye.RoleDepartment, Department: dept},
		{Name: "firm", Role: chanye.RoleEnterprise, Code: code},
		{Name: "leader", Role: chanye.RoleLeader},
		{Name: "force", Role: chanye.RoleTaskForce, IndustryID: p.IndustryID},
		{Name: "district", Role: chanye.RoleDistrict, District: p.DistrictCode},
	} {
		if err := store.CreateUser(ctx, u, u.Name+" password 1"); err != nil {
			t.Fatal(err)
		}
		f.logins[u.Role] = u.Name
	}
	scn := a11yScenario(t, ctx, db, store, code, p.IndustryID)
	draft := a11yDraft(t, ctx, db, store, p.IndustryID)
	mm := a11yMatchmaking(t, ctx, store, code, p.IndustryID)
	sp := a11ySpace(t, ctx, store, p)
	accounts := auth.NewThrottle(store, store)
	m := httpauth.New(httpauth.Config{Accounts: accounts})
	h, err := NewHandler(Config{Now: now, Catalog: authz.Catalog(store), Enterprises: authz.Enterprises(store, now),
		Policies: authz.Policies(store.PolicyServices()), Engine: authz.Engine(eng, store), Accounts: accounts, Auth: m,
		Audit: authz.Audit(store), Projects: authz.Projects(store, store), Chains: authz.Chains(store, store), Calendar: authz.Calendar(store), Requests: authz.Requests(store, store), RequestIssues: authz.Issues(store, store), RequestFiles: authz.RequestFiles(store, store, store),
		LeadFirms: authz.LeadFirms(store, store), Placements: authz.Placements(store, store),
		Invest: InvestServices{Targets: authz.Targets(store, store), Candidates: authz.Candidates(store, store), Leads: authz.Leads(store, store, store),
			Conversions: authz.Conversions(store, store, store), Funnel: authz.Funnel(store, store), Supervisions: authz.LeadSupervisions(store.LeadSupervisions(), store, store)},
		Scenarios: ScenarioServices{Scenarios: authz.Scenarios(store, store, store), Applications: authz.ScenarioApplications(store, store, store, store),
			Reviews: authz.ScenarioReviews(store, store, store, store), Files: authz.ScenarioFiles(store, store, store, store, store)},
		Match: MatchServices{Listings: authz.MatchListings(store, store), Matches: authz.Matches(store, store, store), Events: authz.MatchEvents(store, store, store),
			Segmenter: spaceWords{}},
		Space: SpaceServices{Inventory: authz.SpaceInventory(store), Allocations: authz.SpaceAllocations(store, store, store, store, store), Use: authz.SpaceUse(store)}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(m.Authenticate(h))
	t.Cleanup(f.srv.Close)

	esc := url.PathEscape
	run := fmt.Sprint(runs[0].ID)
	f.paths = map[string]string{
		"GET /{$}":                         "/",
		"GET /todo":                        "/todo",
		"GET /industries/{id}":             "/industries/" + p.IndustryID,
		"GET /chains":                      "/chains",
		"GET /chains/{industry}":           "/chains/icv-nev",
		"GET /chains/{industry}/edit":      "/chains/icv-nev/edit",
		"GET /chains/thresholds":           "/chains/thresholds",
		"GET /chain-links/{link}":          "/chain-links/icv-nev.battery",
		"GET /leads":                       "/leads",
		"GET /leads/{id}":                  "/leads/1",
		"GET /enterprises":                 "/enterprises",
		"GET /enterprises/{code}":          "/enterprises/" + code,
		"GET /policies":                    "/policies",
		"GET /policies/new":                "/policies/new",
		"GET /policies/{id}":               "/policies/" + v.PolicyID,
		"GET /policies/{id}/edit":          "/policies/" + v.PolicyID + "/edit",
		"GET /policies/{id}/simulate":      "/policies/" + v.PolicyID + "/simulate",
		"GET /decisions":                   "/decisions",
		"GET /runs":                        "/runs",
		"GET /runs/{id}":                   "/runs/" + run,
		"GET /public/publicity":            "/public/publicity",
		"GET /enterprises/{code}/policies": "/enterprises/" + code + "/policies",
		"GET /objections":                  "/objections",
		"GET /objections/{id}":             "/objections/" + fmt.Sprint(objections[0].ID),
		"GET /approvals":                   "/approvals?run=" + run + "&policy=" + v.PolicyID,
		"GET /payments":                    "/payments?run=" + run + "&policy=" + v.PolicyID,
		"GET /applications":                "/applications",
		"GET /applications/new":            "/applications/new?policy=" + apps[0].PolicyID,
		"GET /applications/{id}":           "/applications/" + fmt.Sprint(apps[0].ID),
		"GET /login":                       "/login",
		"GET /account":                     "/account",
		"GET /admin/users":                 "/admin/users",
		"GET /admin/responsibilities":      "/admin/responsibilities",
		"GET /admin/lists":                 "/admin/lists",
		"GET /audit":                       "/audit",
		"GET /projects":                    "/projects",
		"GET /projects/report":             "/projects/report",
		"GET /projects/{id}":               "/projects/" + esc(p.ID),
		"GET /warnings":                    "/warnings",
		"GET /supervision":                 "/supervision",
		"GET /calendar":                    "/calendar",
		"GET /open/requests":               "/open/requests?by=department",
		"GET /request-issues":              "/request-issues?all=1",
		"GET /admin/request-categories":    "/admin/request-categories",
		"GET /inbox":                       "/inbox",
		"GET /search":                      "/search?q=" + url.QueryEscape("广州"),
		"GET /warnings/rules":              "/warnings/rules",
		"GET /scorecards":                  "/scorecards",
		"GET /scorecards/{kind}/{name}":    "/scorecards/department/" + esc(dept),
		"GET /requests":                    "/requests",
		"GET /requests/new":                "/requests/new",
		"GET /requests/{id}":               "/requests/" + fmt.Sprint(req.ID),
		"GET /scenarios":                   "/scenarios",
		"GET /scenarios/new":               "/scenarios/new",
		"GET /scenarios/{id}":              "/scenarios/" + fmt.Sprint(scn),
		"GET /scenarios/{id}/edit":         "/scenarios/" + fmt.Sprint(draft) + "/edit",
		"GET /supplies":                    "/supplies",
		"GET /supplies/{id}":               "/supplies/" + fmt.Sprint(mm.supply),
		"GET /demands":                     "/demands",
		"GET /demands/{id}":                "/demands/" + fmt.Sprint(mm.demand),
		"GET /matches":                     "/matches?industry=" + esc(p.IndustryID),
		"GET /matches/{id}":                "/matches/" + fmt.Sprint(mm.match),
		"GET /fairs":                       "/fairs",
		"GET /fairs/{id}":                  "/fairs/" + fmt.Sprint(mm.fair),
		"GET /space":                       "/space",
		"GET /space/blocks/{id}":           "/space/blocks/" + fmt.Sprint(sp.block),
		"GET /space/units/{id}":            "/space/units/" + fmt.Sprint(sp.unit),
		"GET /space/route":                 "/space/route?area_m2=2500&project=" + url.QueryEscape(p.ID),
		"GET /space/settings":              "/space/settings",
		"/":                                "/no-such-page",
	}
	return f
}

// a11ySpaceIDs are the ids of a11ySpace's records.
type a11ySpaceIDs struct{ block, unit int64 }

// a11ySpace loads the demo inventory and, in a block of project p's
// district, transfers a land parcel to p's owner (the block's 亩均 known)
// and gives a floor a history: held for p and released, leased to p's
// owner and the lease ended, so that the floor's page shows its holds,
// its allocations and every form to the roles that may use them.
func a11ySpace(t *testing.T, ctx context.Context, store *sqlstore.Store, p *project.Project) a11ySpaceIDs {
	t.Helper()
	inds, err := store.FindIndustries(ctx, chanye.IndustryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ind := range inds {
		ids = append(ids, ind.ID)
	}
	today := chanye.DateOf(policyToday())
	all, allUnits, err := demo.Space(demo.SpaceOptions{Seed: 1, Industries: ids, AsOf: today})
	if err != nil {
		t.Fatal(err)
	}
	// A share of the blocks, some in every district and p's district's
	// first ones, makes the same pages: the whole inventory's 690 blocks and
	// 20,760 units only made each visit of the map slower.
	var blocks []*space.Block
	kept := map[string]bool{}
	inP := 0
	for i, b := range all {
		if b.DistrictCode == p.DistrictCode && inP < 12 {
			inP++
		} else if i%10 != 0 {
			continue
		}
		blocks, kept[b.Code] = append(blocks, b), true
	}
	var units []*space.ImportUnit
	for _, u := range allUnits {
		if kept[u.BlockCode] {
			units = append(units, u)
		}
	}
	if _, err := store.ImportInventory(ctx, blocks, units); err != nil {
		t.Fatal(err)
	}
	avail, floor, land := space.Available, space.Floor, space.Land
	fs, _, err := store.FindUnits(ctx, space.UnitFilter{DistrictCode: &p.DistrictCode, Kind: &floor, Status: &avail, Limit: 1})
	if err != nil || len(fs) == 0 {
		t.Fatalf("no floor available in %s: %v", p.DistrictCode, err)
	}
	u := fs[0]
	ls, _, err := store.FindUnits(ctx, space.UnitFilter{BlockID: &u.BlockID, Kind: &land, Status: &avail, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) > 0 {
		if err := store.Allocate(ctx, &space.Allocation{UnitID: ls[0].ID, Kind: space.Transfer, Code: p.OwnerCode, From: today}); err != nil {
			t.Fatal(err)
		}
	}
	h := &space.Hold{UnitID: u.ID, ForKind: space.ForProject, ForID: p.ID, Until: chanye.DateOf(policyToday().AddDate(0, 0, 30)), Note: "候选楼层"}
	if err := store.HoldUnit(ctx, h); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ReleaseHold(ctx, h.ID, "项目改址"); err != nil {
		t.Fatal(err)
	}
	rent := chanye.Fen(3550)
	x := &space.Allocation{UnitID: u.ID, Kind: space.Lease, Code: p.OwnerCode, ForKind: space.ForProject, ForID: p.ID, From: today,
		To: chanye.DateOf(policyToday().AddDate(3, 0, 0)), AmountFen: &rent}
	if err := store.Allocate(ctx, x); err != nil {
		t.Fatal(err)
	}
	if _, err := store.EndAllocation(ctx, x.ID, today); err != nil {
		t.Fatal(err)
	}
	return a11ySpaceIDs{block: u.BlockID, unit: u.ID}
}

// a11yMatch are the ids of a11yMatchmaking's records.
type a11yMatch struct{ supply, demand, match, fair int64 }

// a11yMatchmaking stores a demand of enterprise code on the first link of
// industry ind's chain (or of the first chain) and another firm's supply
// on it, matches them, and plans a fair of the chain's industry with both
// registered and their meeting scheduled, so that each page shows its
// forms and its tables.
func a11yMatchmaking(t *testing.T, ctx context.Context, store *sqlstore.Store, code, ind string) a11yMatch {
	t.Helper()
	set, err := store.FindChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The industry's chain, else the first: a service industry has none.
	ch := set.Chain(ind)
	if ch == nil {
		ch = set.Chains[0]
	}
	if len(ch.Links) == 0 || len(ch.Links[0].Classes) == 0 {
		t.Fatalf("chain %s has no link with classes", ch.IndustryID)
	}
	link := ch.Links[0]
	ents, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 2})
	if err != nil || len(ents) < 2 {
		t.Fatalf("enterprises: %d %v", len(ents), err)
	}
	other := ents[0].Code
	if other == code {
		other = ents[1].Code
	}
	sup := &match.Supply{Code: other, Products: "精密零件 总成", LinkID: link.ID, Classes: link.Classes[:1], Capacity: "年产 5 万套", Certifications: []string{"IATF 16949"}}
	if err := store.CreateSupply(ctx, sup); err != nil {
		t.Fatal(err)
	}
	dem := &match.Demand{Code: code, Needs: "采购 精密零件", LinkID: link.ID, Classes: link.Classes[:1], Quantity: "每月 500 件"}
	if err := store.CreateDemand(ctx, dem); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ProposeMatches(ctx, spaceWords{}); err != nil {
		t.Fatal(err)
	}
	ms, _, err := store.FindMatches(ctx, match.MatchFilter{DemandID: &dem.ID})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches: %d %v", len(ms), err)
	}
	ev := &match.Event{Title: "供需对接会", IndustryID: ch.IndustryID, Date: chanye.DateOf(policyToday().AddDate(0, 0, 7)), Venue: "琶洲", Tables: 3,
		SlotMinutes: 30, Start: 9 * 60, End: 11 * 60}
	if err := store.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	for _, r := range []match.Registration{{Code: code, Role: match.SideBuyer}, {Code: other, Role: match.SideSupplier}} {
		if err := store.RegisterForEvent(ctx, ev.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{MatchID: ms[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.ScheduleEvent(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	return a11yMatch{supply: sup.ID, demand: dem.ID, match: ms[0].ID, fair: ev.ID}
}

// a11yScenario stores a scenario of industry ind under review: enterprise
// code (with a file) and another applied before its deadline, the panel (admin, leader,
// dept) scores in part, so that its page shows the ranking with its gaps,
// and a member's scoring and conflict forms. It returns the scenario's id.
func a11yScenario(t *testing.T, ctx context.Context, db *sqlstore.DB, store *sqlstore.Store, code, ind string) int64 {
	t.Helper()
	now := db.Now
	past := func() time.Time { return now().AddDate(0, 0, -20) }
	db.Now = past
	defer func() { db.Now = now }()
	day := func(n int) chanye.Date { return chanye.DateOf(past().AddDate(0, 0, n)) }
	budget := chanye.Fen(1_234_567_89)
	x := &scenario.Scenario{Title: "智能网联公交首试首用", Offerer: scenario.Offerer{Name: "市公交集团", Kind: scenario.OffererStateOwned}, IndustryID: ind,
		Requirements: "在 3 条公交线路试点车路协同与自动驾驶接驳。", Site: "天河区", BudgetFen: &budget, Deadline: day(5), PilotStart: day(30), PilotEnd: day(200),
		Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术方案", NameEN: "technology", Weight: 60}, {ID: "cost", NameZH: "成本效益", NameEN: "cost", Weight: 40}}}
	if err := store.CreateScenario(ctx, x); err != nil {
		t.Fatal(err)
	}
	if _, err := store.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
		t.Fatal(err)
	}
	others, _, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{code}
	if o := others[0].Code; o != code {
		codes = append(codes, o)
	} else {
		codes = append(codes, others[1].Code)
	}
	var apps []int64
	for _, c := range codes {
		a := &scenario.Application{ScenarioID: x.ID, Code: c, Solution: "以车路协同平台和 L4 级接驳车完成试点。"}
		if err := store.CreateScenarioApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a.ID)
	}
	if _, err := store.AttachScenarioFile(ctx, apps[0], "车路协同方案.pdf", []byte("%PDF-1.4\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	if err := store.SetPanel(ctx, x.ID, []string{"admin", "leader", "dept"}); err != nil {
		t.Fatal(err)
	}
	db.Now = now
	if _, err := store.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActStartReview}); err != nil {
		t.Fatal(err)
	}
	var scores []scenario.Score
	for _, m := range []string{"leader", "dept"} {
		for _, c := range []string{"tech", "cost"} {
			scores = append(scores, scenario.Score{ApplicationID: apps[0], Member: m, CriterionID: c, Points: 80})
		}
	}
	if err := store.PutScores(ctx, x.ID, scores); err != nil {
		t.Fatal(err)
	}
	return x.ID
}

// a11yDraft stores a draft scenario of industry ind on the first link of
// its chain, for the draft's form; it returns its id.
func a11yDraft(t *testing.T, ctx context.Context, db *sqlstore.DB, store *sqlstore.Store, ind string) int64 {
	t.Helper()
	set, err := store.FindChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	link := ""
	if ch := set.Chain(ind); ch != nil && len(ch.Links) > 0 {
		link = ch.Links[0].ID
	}
	day := func(n int) chanye.Date { return chanye.DateOf(db.Now().AddDate(0, 0, n)) }
	x := &scenario.Scenario{Title: "氢能重卡首试首用", Offerer: scenario.Offerer{Name: "市港务集团", Kind: scenario.OffererStateOwned}, IndustryID: ind, LinkID: link,
		Requirements: "在港区试点氢能重卡短驳运输。", Deadline: day(30), PilotStart: day(60), PilotEnd: day(240),
		Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术方案", NameEN: "technology", Weight: 100}}}
	if err := store.CreateScenario(ctx, x); err != nil {
		t.Fatal(err)
	}
	return x.ID
}

// a11yRequest raises a request of enterprise code, reroutes it to
// department dept, which acknowledges and answers it.
func a11yRequest(t *testing.T, ctx context.Context, store *sqlstore.Store, code, dept string) *request.Request {
	t.Helper()
	if err := store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgDepartment, NameZH: dept}); err != nil && chanye.ErrorCode(err) != chanye.ECONFLICT {
		t.Fatal(err)
	}
	x, _, err := store.CreateRequest(ctx, &request.Request{Code: code, CategoryID: "utilities", Title: "新产线需扩容供电",
		Description: "新产线下月投产，需将供电容量扩至 2 万千伏安。", Channel: request.ChannelVisit})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []request.Step{{Action: request.StepReroute, Department: dept, Note: "按职责改派"}, {Action: request.StepAcknowledge},
		{Action: request.StepAnswer, Note: "已协调供电局，本周内上门勘查。"}} {
		if st.Action == request.StepReroute && x.Department == dept {
			continue
		}
		if x, err = store.Act(ctx, x.ID, st); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return x
}

// axeFinding is one element axe-core found at fault.
type axeFinding struct {
	Rule, Impact, Help, Target string
}

// pageCheck is what the walk finds on one page at one width.
type pageCheck struct {
	Findings    []axeFinding
	ScrollWidth int
	Wide        []string // elements reaching past the viewport
	Unwrapped   int      // tables outside a focusable scrolling region
	Charts      []string // charts wider than their container
}

// checkPage runs axe-core on the open page (injected by the tab) with the
// WCAG 2.1 A and AA rules and measures the page's width.
const checkPageJS = `(async () => {
  // A long list repeats one row's markup: its first ten rows stand for it.
  const context = {exclude: [['tbody > tr:nth-child(n+11)'], ['ol.source > li:nth-child(n+21)']]};
  const r = await axe.run(context, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations'], preload: false});
  const findings = [];
  for (const v of r.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const n of v.nodes) findings.push({Rule: v.id, Impact: v.impact, Help: v.help, Target: n.target.join(' ')});
  }
  const vw = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > vw + 1 && !e.closest('.table-wrap'))
    .slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right));
  const unwrapped = [...document.querySelectorAll('main table')].filter(t => { const w = t.closest('.table-wrap'); return !w || w.tabIndex !== 0 || w.getAttribute('role') !== 'region' || !w.getAttribute('aria-label'); }).length;
  const charts = [...document.querySelectorAll('[data-chart]')].filter(c => { const k = c.querySelector('canvas'); return k && k.getBoundingClientRect().width > c.getBoundingClientRect().width + 1; }).map(c => c.id);
  return {Findings: findings, ScrollWidth: document.documentElement.scrollWidth, Wide: wide, Unwrapped: unwrapped, Charts: charts};
})()`

// TestBrowserAccessibility walks every page in each of a11yWalks: every
// role, in Chinese and in English, at 1280 px wide and, for the public and
// enterprises, 390. axe-core's WCAG 2.1 AA rules must find nothing serious
// or critical; every table sits in a focusable scrolling region; and on a
// phone no page is wider than the screen.
func TestBrowserAccessibility(t *testing.T) {
	if testing.Short() {
		// The walk reads no clock of its own; CI's second pass, with
		// the date moved, is for the tests that do.
		t.Skip("-short: the accessibility walk runs in the full pass")
	}
	chromiumPath(t)
	axe := axeSource(t)
	f := newA11yFixture(t)
	var missing []string
	for _, rt := range Routes() {
		if _, ok := f.paths[rt]; !ok && !slices.Contains(notPages, rt) && (strings.HasPrefix(rt, "GET ") || rt == "/") {
			missing = append(missing, rt)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("pages not walked: add a path for each to newA11yFixture's paths: %v", missing)
	}
	routes := make([]string, 0, len(f.paths))
	for rt := range f.paths {
		routes = append(routes, rt)
	}
	slices.Sort(routes)

	browser := newBrowserTimeout(t, 10*time.Minute)
	if _, err := chromedp.Run(browser, chromedp.Location()); err != nil { // start the browser
		t.Fatal(err)
	}
	start := time.Now()
	var mu sync.Mutex
	byRule := map[string]int{}
	t.Run("walk", func(t *testing.T) {
		for _, w := range a11yWalks {
			t.Run(w.name(), func(t *testing.T) {
				t.Parallel() // a tab each, in a browser context of its own: its own cookies
				tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
				defer cancel()
				for rule, n := range f.walk(t, tab, axe, w, routes) {
					mu.Lock()
					byRule[rule] += n
					mu.Unlock()
				}
			})
		}
	})
	total := 0
	for _, n := range byRule {
		total += n
	}
	if total > 0 {
		b, _ := json.Marshal(byRule)
		t.Errorf("%d serious or critical axe findings by rule: %s", total, b)
	}
	t.Logf("walked %d routes in %d walks in %v", len(routes), len(a11yWalks), time.Since(start).Round(time.Millisecond))
}

// walk signs in as the walk's role in tab, in its language, and checks
// every route at the walk's widths. It returns the axe findings counted by
// rule.
func (f *a11yFixture) walk(t *testing.T, tab context.Context, axe string, w a11yWalk, routes []string) map[string]int {
	role := w.role
	byRule := map[string]int{}
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: axe}); err != nil {
		t.Fatal(err)
	}
	// ?lang= sets the language cookie the rest of the walk reads.
	if err := chromedp.Do(tab, chromedp.Navigate(f.srv.URL+"/login?lang="+string(w.lang))); err != nil {
		t.Fatal(err)
	}
	if name := f.logins[role]; name != "" {
		if err := chromedp.Do(tab,
			chromedp.SendKeys(chromedp.CSS(`#login-form input[name="name"]`), name),
			chromedp.SendKeys(chromedp.CSS(`#login-form input[name="password"]`), name+" password 1"),
			chromedp.Submit(chromedp.CSS(`#login-form`)),
			chromedp.WaitVisible(chromedp.CSS(`#logout`)),
		); err != nil {
			t.Fatalf("sign in as %s: %v", name, err)
		}
	}
	for _, width := range w.widths {
		if err := chromedp.Do(tab, chromedp.EmulateViewport(int64(width), 900)); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, rt := range routes {
			if err := chromedp.Do(tab, chromedp.Navigate(f.srv.URL+f.paths[rt])); err != nil {
				t.Errorf("%s %dpx %s: %v", w.name(), width, f.paths[rt], err)
				continue
			}
			landed, err := chromedp.Run(tab, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			// The public is sent to sign in from many pages, and a
			// role refused a page sees the error page: each is
			// checked once.
			u, _ := url.Parse(landed)
			kind, err := chromedp.Run(tab, chromedp.Evaluate[string](`(document.querySelector('.error-page .status') || {}).textContent || location.pathname`))
			if err != nil {
				t.Fatal(err)
			}
			if seen[kind] && (kind == "/login" || kind != u.Path) {
				continue
			}
			seen[kind] = true
			c, err := chromedp.Run(tab, chromedp.Evaluate[pageCheck](checkPageJS, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Errorf("%s %dpx %s: axe: %v", w.name(), width, landed, err)
				continue
			}
			at := fmt.Sprintf("%s %dpx %s", w.name(), width, u.RequestURI())
			for _, x := range c.Findings {
				t.Errorf("%s: %s (%s) at %s: %s", at, x.Rule, x.Impact, x.Target, x.Help)
				byRule[x.Rule]++
			}
			if c.Unwrapped > 0 {
				t.Errorf("%s: %d table(s) outside <div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=…>", at, c.Unwrapped)
			}
			if len(c.Charts) > 0 {
				t.Errorf("%s: charts wider than their box: %v", at, c.Charts)
			}
			if width == 390 && c.ScrollWidth > width+1 {
				t.Errorf("%s: the page is %d px wide, it scrolls sideways; widest: %v", at, c.ScrollWidth, c.Wide)
			}
		}
	}
	return byRule
}
