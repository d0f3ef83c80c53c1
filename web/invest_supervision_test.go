package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
)

// pagesAs serves the pages over f's store through the services as serve
// guards them — the registry, projects, chains, 招商 and its 督办, the
// calendar, requests, the lists — as actor a.
func pagesAs(t *testing.T, f *fixture, a *chanye.Actor) http.Handler {
	t.Helper()
	s := f.store
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: s, Enterprises: s, Versions: s, Runs: s})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: authz.Catalog(s), Enterprises: authz.Enterprises(s, testclock.Now),
		Policies: authz.Policies(s.PolicyServices()), Engine: authz.Engine(eng, s), Version: "v-test", Projects: authz.Projects(s, s),
		Supervisions: authz.Supervisions(s, s, s), Chains: authz.Chains(s, s), Placements: authz.Placements(s, s), LeadFirms: authz.LeadFirms(s, s),
		Calendar: authz.Calendar(s), Lists: authz.OrgUnits(s), Requests: authz.Requests(s, s), RequestIssues: authz.Issues(s, s), RequestFiles: authz.RequestFiles(s, s, s),
		Invest: InvestServices{Targets: authz.Targets(s, s), Candidates: authz.Candidates(s, s), Leads: authz.Leads(s, s, s),
			Conversions: authz.Conversions(s, s, s), Funnel: authz.Funnel(s, s), Supervisions: authz.LeadSupervisions(s.LeadSupervisions(), s, s),
			Imports: authz.LeadImports(s, s, s)},
		Scenarios: ScenarioServices{Scenarios: authz.Scenarios(s, s, s), Applications: authz.ScenarioApplications(s, s, s, s),
			Reviews: authz.ScenarioReviews(s, s, s, s), Files: authz.ScenarioFiles(s, s, s, s, s)},
		Match: MatchServices{Listings: authz.MatchListings(s, s), Matches: authz.Matches(s, s, s), Events: authz.MatchEvents(s, s, s), Segmenter: spaceWords{}},
		Space: SpaceServices{Inventory: authz.SpaceInventory(s), Allocations: authz.SpaceAllocations(s, s, s, s, s), Use: authz.SpaceUse(s)}})
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), a)))
	})
}

// TestLeadSupervisionPages: the industry's lead department puts a lead
// under 督办 from its page (a form without an instruction is refused and
// kept); the district that owns the lead finds it in 我的待办 and answers
// it on the lead's page; only the department closes it, from the list of
// the leads' items.
func TestLeadSupervisionPages(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	dept := testDept
	if _, err := f.store.UpdateResponsibility(ctx, f.autoID, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	target := &invest.Target{IndustryID: f.autoID, Kind: invest.ListAttract, Name: "示例督办外地公司", Source: "名单"}
	if err := f.store.CreateTarget(ctx, target); err != nil {
		t.Fatal(err)
	}
	lead := &invest.Lead{TargetID: target.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440112"}
	if err := f.store.CreateLead(ctx, lead); err != nil {
		t.Fatal(err)
	}
	page := "/leads/" + strconv.FormatInt(lead.ID, 10)
	leadDept := pagesAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept})
	district := pagesAs(t, f, &chanye.Actor{Name: "黄埔区", Role: chanye.RoleDistrict, District: "440112"})
	other := pagesAs(t, f, &chanye.Actor{Name: "天河区", Role: chanye.RoleDistrict, District: "440106"})

	if _, body := getAs(t, leadDept, page+"?lang=zh"); !strings.Contains(body, `id="lead-sup-form"`) {
		t.Fatal("the lead department is not offered 督办")
	}
	if _, body := getAs(t, district, page+"?lang=zh"); strings.Contains(body, `id="lead-sup-form"`) {
		t.Error("the owning district is offered 督办")
	}
	if res, _ := getAs(t, other, page); res.StatusCode != http.StatusForbidden {
		t.Errorf("another district opens the lead: %d", res.StatusCode)
	}
	due := chanye.DateOf(testclock.Now().AddDate(0, 0, 5)).String()
	res, body := postAs(t, leadDept, page+"/supervisions?lang=zh", url.Values{"instruction": {" "}, "due_on": {due}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "instruction") || !strings.Contains(body, `value="`+due+`"`) {
		t.Fatalf("without an instruction: %d\n%.400s", res.StatusCode, body)
	}
	res, _ = postAs(t, leadDept, page+"/supervisions", url.Values{"instruction": {"两周内完成实地考察"}, "due_on": {due}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != page+"?done=supervised" {
		t.Fatalf("issued: %d %q", res.StatusCode, loc)
	}
	if res, _ := postAs(t, district, page+"/supervisions", url.Values{"instruction": {"x"}, "due_on": {due}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the district issues: %d", res.StatusCode)
	}

	_, body = getAs(t, district, "/todo?lang=zh")
	if !strings.Contains(body, `id="todo-lead-supervision"`) || !strings.Contains(body, "两周内完成实地考察") {
		t.Errorf("the district's 我的待办 lacks the item:\n%.2000s", body)
	}
	_, body = getAs(t, district, page+"?lang=zh")
	if !strings.Contains(body, `action="/lead-supervision/1"`) || !strings.Contains(body, `value="answer"`) || strings.Contains(body, `value="close"`) {
		t.Errorf("the district's lead page offers no answer (or a close)")
	}
	res, _ = postAs(t, district, "/lead-supervision/1", url.Values{"action": {"answer"}, "note": {"已约定下周考察"}, "back": {"subject"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != page+"#supervision" {
		t.Fatalf("answered: %d %q", res.StatusCode, loc)
	}
	if res, _ := postAs(t, district, "/lead-supervision/1", url.Values{"action": {"close"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the district closes: %d", res.StatusCode)
	}
	_, body = getAs(t, leadDept, "/supervision?kind=leads&lang=zh")
	if !strings.Contains(body, "已约定下周考察") || !strings.Contains(body, `value="close"`) || !strings.Contains(body, "示例督办外地公司") {
		t.Errorf("the department's list of the leads' items:\n%.2000s", body)
	}
	res, _ = postAs(t, leadDept, "/lead-supervision/1", url.Values{"action": {"close"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/supervision?kind=leads" {
		t.Fatalf("closed: %d %q", res.StatusCode, loc)
	}
	if res, body := postAs(t, leadDept, "/lead-supervision/1?lang=zh", url.Values{"action": {"close"}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "已办结") {
		t.Errorf("closed twice: %d", res.StatusCode)
	}
}

// TestDistrictLeadPages: a district opens a lead from a link's page, as
// its own owner only, and follows it on /leads; it does not see another
// district's leads.
func TestDistrictLeadPages(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	link := f.autoID + ".battery"
	target := &invest.Target{IndustryID: f.autoID, LinkID: link, Kind: invest.ListAttract, Name: "示例区招商公司", Source: "名单"}
	if err := f.store.CreateTarget(ctx, target); err != nil {
		t.Fatal(err)
	}
	other := &invest.Lead{TargetID: target.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106", NextAction: "天河区的回访"}
	if err := f.store.CreateLead(ctx, other); err != nil {
		t.Fatal(err)
	}
	huangpu := pagesAs(t, f, &chanye.Actor{Name: "黄埔区", Role: chanye.RoleDistrict, District: "440112"})
	_, body := getAs(t, huangpu, "/chain-links/"+link+"?lang=zh")
	if !strings.Contains(body, `value="district:440112" selected`) || strings.Contains(body, `value="district:440106"`) || strings.Contains(body, `value="task_force:`) {
		t.Fatalf("the district's owner choices on the link page:\n%.3000s", body)
	}
	res, _ := postAs(t, huangpu, "/leads", url.Values{"target_id": {strconv.FormatInt(target.ID, 10)}, "owner": {"district:440112"}, "page": {link}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the district opens a lead: %d", res.StatusCode)
	}
	if res, _ := postAs(t, huangpu, "/leads", url.Values{"target_id": {strconv.FormatInt(target.ID, 10)}, "owner": {"district:440106"}, "page": {link}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the district opens another district's lead: %d", res.StatusCode)
	}
	_, body = getAs(t, huangpu, "/leads?lang=zh")
	if !strings.Contains(body, "示例区招商公司") || strings.Contains(body, "/leads/"+strconv.FormatInt(other.ID, 10)+`"`) {
		t.Errorf("the district's /leads:\n%.3000s", body)
	}
}
