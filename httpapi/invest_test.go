package httpapi

import (
	"net/http"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestInvestAPI: a roster is imported and proposes a candidate for a gap;
// targets go on the lists; a lead follows one, skips stages, is refused
// moves backwards or without the signed amount, records a contact, is
// signed, becomes a new key project and lands; the funnel counts it — and
// bad input names its field, all as openapi.json says.
func TestInvestAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: codeA, Name: "示例电池公司", DistrictCode: "440106", IndustryClass: "3841", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	svc := &InvestServices{Targets: store, Roster: store, Candidates: store, Leads: store, Conversions: store, Funnel: store,
		Supervisions: store.LeadSupervisions()}
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Projects: store,
		Chains: store, Placements: store, Invest: svc}))
	spec := newSpecValidator(t)
	today := testclock.Today().String()
	yesterday := chanye.DateOf(testclock.Now().AddDate(0, 0, -1)).String()
	tomorrow := chanye.DateOf(testclock.Now().AddDate(0, 0, 1)).String()
	newProject := `{"project":{"id":"GZ-ZS01","name":"电芯扩产项目","district_code":"440106","kind":"industrial",` +
		`"planned_start":"` + today + `","planned_completion":"` + testclock.AddMonths(24).String() + `"}}`
	runScenarios(t, h, spec, []scenario{
		{name: "no targets", method: "GET", path: "/api/v1/invest-targets", status: 200, json: map[string]any{"total": 0, "items.#": 0}},
		{name: "an unknown list", method: "GET", path: "/api/v1/invest-targets?kind=buy", status: 400, contains: []string{`"kind"`}},
		{name: "an unknown parameter", method: "GET", path: "/api/v1/invest-targets?colour=red", status: 400, contains: []string{`"colour"`}},
		{name: "a bad roster", method: "PUT", path: "/api/v1/roster", status: 400,
			body:     `{"source":"国家级小巨人名单","rows":[{"name":"宁德某电池","city":"宁德","class":"3841"},{"name":"","city":"苏州","class":"99x","tier":"gold"}]}`,
			contains: []string{`"rows[1].name"`, `"rows[1].class"`, `"rows[1].tier"`}},
		{name: "nothing imported", method: "GET", path: "/api/v1/roster", status: 200, json: map[string]any{"total": 0}},
		{name: "a roster", method: "PUT", path: "/api/v1/roster", status: 200,
			body: `{"source":"国家级小巨人名单","rows":[{"name":"宁德某电池","city":"宁德","province":"福建","class":"3841","products":"锂离子电池、电芯","tier":"little_giant"}]}`,
			json: map[string]any{"source": "国家级小巨人名单", "rows": 1}},
		{name: "the roster", method: "GET", path: "/api/v1/roster?source=" + "%E5%9B%BD%E5%AE%B6%E7%BA%A7%E5%B0%8F%E5%B7%A8%E4%BA%BA%E5%90%8D%E5%8D%95", status: 200,
			json: map[string]any{"total": 1, "items.0.tier": "little_giant"}},
		{name: "candidates for the cells", method: "GET", path: "/api/v1/chain-links/icv-nev.battery.cell/candidates", status: 200,
			json:     map[string]any{"items.0.name": "宁德某电池", "items.0.kind": "attract"},
			contains: []string{"属本环节", "示例电池公司"}},
		{name: "candidates of an unknown link", method: "GET", path: "/api/v1/chain-links/icv-nev.nowhere/candidates", status: 400, contains: []string{`"link_id"`}},
		{name: "candidates of an industry without a chain", method: "GET", path: "/api/v1/chain-links/nochain.x/candidates", status: 404},
		{name: "candidates: a limit too large", method: "GET", path: "/api/v1/chain-links/icv-nev.battery.cell/candidates?limit=201", status: 400, contains: []string{`"limit"`}},
		{name: "a target", method: "POST", path: "/api/v1/invest-targets", status: 201,
			body: `{"industry_id":"icv-nev","link_id":"icv-nev.battery.cell","kind":"attract","name":"宁德某电池","city":"宁德","brings":"电芯产能","source":"国家级小巨人名单"}`,
			json: map[string]any{"id": 1, "kind": "attract", "code": ""},
			check: func(t *testing.T, body map[string]any, resp *http.Response) {
				if body["created_by"] == "" {
					t.Error("no created_by")
				}
				if loc := resp.Header.Get("Location"); loc != "/api/v1/invest-targets/1" {
					t.Errorf("Location %q", loc)
				}
			}},
		{name: "a bad target", method: "POST", path: "/api/v1/invest-targets", status: 400,
			body: `{"industry_id":"icv-nev","kind":"buy","name":"某公司","source":"名单"}`, contains: []string{`"kind"`}},
		{name: "an expansion target not in the registry", method: "POST", path: "/api/v1/invest-targets", status: 400,
			body: `{"industry_id":"icv-nev","kind":"expand","name":"某公司","code":"` + codeB + `","source":"走访"}`, contains: []string{`"code"`}},
		{name: "an unknown field", method: "POST", path: "/api/v1/invest-targets", status: 400,
			body: `{"industry_id":"icv-nev","kind":"attract","name":"某公司","source":"名单","id":7}`, contains: []string{`"id"`}},
		{name: "an expansion target", method: "POST", path: "/api/v1/invest-targets", status: 201,
			body: `{"industry_id":"icv-nev","link_id":"icv-nev.battery","kind":"expand","name":"示例电池公司","code":"` + codeA + `","source":"走访"}`,
			json: map[string]any{"id": 2, "code": codeA}},
		{name: "the same firm twice on a list", method: "POST", path: "/api/v1/invest-targets", status: 409,
			body: `{"industry_id":"icv-nev","link_id":"icv-nev.battery","kind":"expand","name":"示例电池公司","code":"` + codeA + `","source":"名单"}`},
		// The roster firm is on the cells' list now; the local firm only on
		// the battery's.
		{name: "candidates leave the link's targets out", method: "GET", path: "/api/v1/chain-links/icv-nev.battery.cell/candidates", status: 200,
			json: map[string]any{"items.#": 1, "items.0.code": codeA, "items.0.kind": "expand"}},
		{name: "the list", method: "GET", path: "/api/v1/invest-targets?industry=icv-nev&kind=expand", status: 200, json: map[string]any{"total": 1, "items.0.id": 2}},
		{name: "one target", method: "GET", path: "/api/v1/invest-targets/1", status: 200, json: map[string]any{"brings": "电芯产能"}},
		{name: "an unknown target", method: "GET", path: "/api/v1/invest-targets/99", status: 404},
		{name: "a bad id", method: "GET", path: "/api/v1/invest-targets/x", status: 400, contains: []string{`"id"`}},

		{name: "a lead", method: "POST", path: "/api/v1/leads", status: 201,
			body: `{"target_id":2,"owner_kind":"district","owner_name":"440106","expected_fen":5000000000,"next_action":"回访","next_action_on":"` + yesterday + `"}`,
			json: map[string]any{"id": 1, "stage": "clue", "stage_on": today, "industry_id": "icv-nev", "link_id": "icv-nev.battery", "expected_fen": 5000000000}},
		{name: "a lead from tomorrow", method: "POST", path: "/api/v1/leads", status: 400,
			body: `{"target_id":2,"owner_kind":"district","owner_name":"440106","stage_on":"` + tomorrow + `"}`, contains: []string{`"stage_on"`}},
		{name: "a lead with an unknown owner kind", method: "POST", path: "/api/v1/leads", status: 400,
			body: `{"target_id":2,"owner_kind":"boss","owner_name":"某某"}`, contains: []string{`"owner_kind"`}},
		{name: "a lead of an unknown target", method: "POST", path: "/api/v1/leads", status: 400,
			body: `{"target_id":99,"owner_kind":"district","owner_name":"440106"}`, contains: []string{`"target_id"`}},
		{name: "a lead with a bad amount", method: "POST", path: "/api/v1/leads", status: 400,
			body: `{"target_id":2,"owner_kind":"district","owner_name":"440106","expected_fen":"a lot"}`, contains: []string{`"expected_fen"`}},
		{name: "overdue", method: "GET", path: "/api/v1/leads/overdue", status: 200, json: map[string]any{"total": 1, "items.0.id": 1}},
		{name: "skip to 考察", method: "POST", path: "/api/v1/leads/1/move", status: 200, body: `{"to":"visit","note":"赴企业考察"}`,
			json: map[string]any{"stage": "visit"}},
		{name: "backwards", method: "POST", path: "/api/v1/leads/1/move", status: 400, body: `{"to":"contact"}`, contains: []string{`"to"`}},
		{name: "an unknown stage", method: "POST", path: "/api/v1/leads/1/move", status: 400, body: `{"to":"won"}`, contains: []string{`"to"`}},
		{name: "in the future", method: "POST", path: "/api/v1/leads/1/move", status: 400, body: `{"to":"negotiate","on":"` + tomorrow + `"}`, contains: []string{`"on"`}},
		{name: "signed without the amount", method: "POST", path: "/api/v1/leads/1/move", status: 400, body: `{"to":"signed"}`, contains: []string{`"signed_fen"`}},
		{name: "lost without a reason", method: "POST", path: "/api/v1/leads/1/move", status: 400, body: `{"to":"lost"}`, contains: []string{`"lost_reason"`}},
		{name: "a contact", method: "POST", path: "/api/v1/leads/1/contacts", status: 201, body: `{"kind":"meeting","on":"` + today + `","note":"洽谈扩产方案"}`,
			json: map[string]any{"kind": "meeting", "lead_id": 1, "on": today}},
		{name: "a contact of an unknown kind", method: "POST", path: "/api/v1/leads/1/contacts", status: 400, body: `{"kind":"lunch","on":"` + today + `"}`,
			contains: []string{`"kind"`}},
		{name: "a contact of an unknown lead", method: "POST", path: "/api/v1/leads/99/contacts", status: 404, body: `{"kind":"call","on":"` + today + `"}`},
		{name: "the next action", method: "PATCH", path: "/api/v1/leads/1", status: 200, body: `{"next_action":"签约仪式","next_action_on":"` + tomorrow + `"}`,
			json: map[string]any{"next_action": "签约仪式", "next_action_on": tomorrow}},
		{name: "not overdue now", method: "GET", path: "/api/v1/leads/overdue", status: 200, json: map[string]any{"total": 0}},
		// 督办 of the lead: to its owner, answered, its history.
		{name: "supervised", method: "POST", path: "/api/v1/lead-supervisions", status: 201,
			body: `{"lead_id":1,"instruction":"尽快签约","due_on":"` + tomorrow + `"}`,
			json: map[string]any{"id": 1, "lead_id": 1, "lead_name": "示例电池公司", "addressee": "lead_owner", "lead_owner_kind": "district",
				"lead_owner_name": "440106", "status": "issued", "events.#": 1}},
		{name: "supervised to a project's owner", method: "POST", path: "/api/v1/lead-supervisions", status: 400,
			body: `{"lead_id":1,"addressee":"owner","instruction":"尽快签约","due_on":"` + tomorrow + `"}`, contains: []string{`"addressee"`}},
		{name: "supervised due yesterday", method: "POST", path: "/api/v1/lead-supervisions", status: 400,
			body: `{"lead_id":1,"instruction":"尽快签约","due_on":"` + yesterday + `"}`, contains: []string{`"due_on"`}},
		{name: "an unknown lead supervised", method: "POST", path: "/api/v1/lead-supervisions", status: 404,
			body: `{"lead_id":99,"instruction":"尽快签约","due_on":"` + tomorrow + `"}`},
		{name: "the lead's items", method: "GET", path: "/api/v1/lead-supervisions?lead=1&open=true", status: 200, json: map[string]any{"total": 1, "items.0.id": 1}},
		{name: "a bad lead filter", method: "GET", path: "/api/v1/lead-supervisions?lead=x", status: 400, contains: []string{`"lead"`}},
		{name: "the owner answers", method: "POST", path: "/api/v1/lead-supervisions/1/steps", status: 200, body: `{"action":"answer","note":"已约定签约日期"}`,
			json: map[string]any{"status": "answered", "answer": "已约定签约日期"}},
		{name: "the item", method: "GET", path: "/api/v1/lead-supervisions/1", status: 200, json: map[string]any{"events.#": 2, "events.1.action": "answer"}},
		{name: "a bad owner", method: "PATCH", path: "/api/v1/leads/1", status: 400, body: `{"owner_kind":"task_force","owner_name":"不存在的专班"}`,
			contains: []string{`"owner_name"`}},
		{name: "converted before it is signed", method: "POST", path: "/api/v1/leads/1/convert", status: 409, body: newProject},
		{name: "signed", method: "POST", path: "/api/v1/leads/1/move", status: 200, body: `{"to":"signed","signed_fen":8000000000}`,
			json: map[string]any{"stage": "signed", "signed_fen": 8000000000, "signed_on": today}},
		{name: "its history", method: "GET", path: "/api/v1/leads/1", status: 200,
			json: map[string]any{"target_name": "示例电池公司", "events.#": 6, "events.0.to": "clue", "events.1.to": "contact", "events.1.skipped": true,
				"events.2.to": "visit", "events.3.kind": "meeting", "events.4.to": "negotiate", "events.4.skipped": true, "events.5.to": "signed"}},
		{name: "convert to nothing", method: "POST", path: "/api/v1/leads/1/convert", status: 400, body: `{}`, contains: []string{`"project_id"`}},
		{name: "convert to both", method: "POST", path: "/api/v1/leads/1/convert", status: 400,
			body: `{"project_id":"GZ-1","project":{"id":"GZ-2"}}`, contains: []string{`"project"`}},
		{name: "convert to an unknown project", method: "POST", path: "/api/v1/leads/1/convert", status: 404, body: `{"project_id":"GZ-NONE"}`},
		{name: "a bad new project", method: "POST", path: "/api/v1/leads/1/convert", status: 400,
			body:     `{"project":{"id":"GZ-ZS01","name":"x","district_code":"440106","kind":"mine","planned_start":"` + today + `","planned_completion":"` + testclock.AddMonths(24).String() + `"}}`,
			contains: []string{`"kind"`}},
		{name: "a new project", method: "POST", path: "/api/v1/leads/1/convert", status: 201, body: newProject,
			json: map[string]any{"project_id": "GZ-ZS01", "stage": "signed"},
			check: func(t *testing.T, _ map[string]any, resp *http.Response) {
				if loc := resp.Header.Get("Location"); loc != "/api/v1/projects/GZ-ZS01" {
					t.Errorf("Location %q", loc)
				}
			}},
		{name: "the project", method: "GET", path: "/api/v1/projects/GZ-ZS01", status: 200,
			json: map[string]any{"owner_code": codeA, "industry_id": "icv-nev", "total_investment_fen": 8000000000}},
		{name: "converted twice", method: "POST", path: "/api/v1/leads/1/convert", status: 409, body: newProject},
		{name: "the lead of the project", method: "GET", path: "/api/v1/leads?project=GZ-ZS01", status: 200, json: map[string]any{"total": 1, "items.0.id": 1}},
		{name: "landed", method: "POST", path: "/api/v1/leads/1/move", status: 200, body: `{"to":"landed"}`, json: map[string]any{"stage": "landed", "landed_on": today}},
		{name: "moved after landing", method: "POST", path: "/api/v1/leads/1/move", status: 409, body: `{"to":"lost","lost_reason":"x"}`},
		{name: "changed after landing", method: "PATCH", path: "/api/v1/leads/1", status: 409, body: `{"next_action":""}`},
		{name: "a second lead, lost", method: "POST", path: "/api/v1/leads", status: 201,
			body: `{"target_id":1,"owner_kind":"district","owner_name":"440106"}`, json: map[string]any{"id": 2, "link_id": "icv-nev.battery.cell"}},
		{name: "lost", method: "POST", path: "/api/v1/leads/2/move", status: 200, body: `{"to":"lost","lost_reason":"已落户他市"}`, json: map[string]any{"lost_reason": "已落户他市"}},
		{name: "a lost lead supervised", method: "POST", path: "/api/v1/lead-supervisions", status: 409,
			body: `{"lead_id":2,"instruction":"再争取","due_on":"` + tomorrow + `"}`},
		{name: "the landed leads", method: "GET", path: "/api/v1/leads?stage=landed&industry=icv-nev", status: 200, json: map[string]any{"total": 1}},
		{name: "the open leads", method: "GET", path: "/api/v1/leads?open=true", status: 200, json: map[string]any{"total": 0}},
		{name: "a district's leads", method: "GET", path: "/api/v1/leads?owner_kind=district&district=440106", status: 200, json: map[string]any{"total": 2, "items.0.id": 2}},
		{name: "a target's leads", method: "GET", path: "/api/v1/leads?target=1", status: 200, json: map[string]any{"total": 1, "items.0.id": 2}},
		{name: "an unknown stage filter", method: "GET", path: "/api/v1/leads?stage=won", status: 400, contains: []string{`"stage"`}},
		{name: "a bad open filter", method: "GET", path: "/api/v1/leads?open=maybe", status: 400, contains: []string{`"open"`}},
		{name: "an unknown lead", method: "GET", path: "/api/v1/leads/99", status: 404},
		{name: "the funnel", method: "GET", path: "/api/v1/funnel?industry=icv-nev", status: 200,
			json: map[string]any{"leads": 2, "lost": 1, "stages.#": 6, "stages.0.reached": 2, "stages.0.lost": 1, "stages.2.reached": 1, "stages.5.now": 1,
				"stages.0.to_next_per_mille": 500, "signed_fen": 8000000000, "landed_fen": 8000000000, "landed_leads": 1, "expected_fen": 5000000000}},
		{name: "the funnel of another industry", method: "GET", path: "/api/v1/funnel?industry=biomed", status: 200,
			json: map[string]any{"leads": 0, "signed_fen": nil}},
		{name: "a stage filter on the funnel", method: "GET", path: "/api/v1/funnel?stage=clue", status: 400, contains: []string{`"stage"`}},
		{name: "delete a target a lead follows", method: "DELETE", path: "/api/v1/invest-targets/2", status: 409},
		{name: "delete an unknown target", method: "DELETE", path: "/api/v1/invest-targets/99", status: 404},
	})
}

// TestInvestNotConfigured: without the 招商 services its routes answer 404
// in JSON.
func TestInvestNotConfigured(t *testing.T) {
	store := sqlstoretest.New(t)
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices()}))
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "leads", method: "GET", path: "/api/v1/leads", status: 404},
		{name: "funnel", method: "GET", path: "/api/v1/funnel", status: 404},
		{name: "lead supervision", method: "GET", path: "/api/v1/lead-supervisions", status: 404},
		{name: "a target", method: "POST", path: "/api/v1/invest-targets", status: 404, body: `{}`},
	})
}
