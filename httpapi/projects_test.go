package httpapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestProjectScenarios drives the key project routes: a project created
// with its nodes, a node done, a monthly report, the warning board with a
// red project and its rule, targets and the scorecards of its leader,
// department and task force.
func TestProjectScenarios(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Projects: store}))
	spec := newSpecValidator(t)

	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: codeA, Name: "广州示例汽车科技有限公司", DistrictCode: "440106",
		IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	leader, dept, tf := "张市长", "市工业和信息化局", "智能网联汽车专班"
	for _, u := range []chanye.OrgUnit{{Kind: chanye.OrgLeader, NameZH: leader}, {Kind: chanye.OrgLeader, NameZH: "李副市长"}, {Kind: chanye.OrgTaskForce, NameZH: tf}} {
		if err := store.CreateOrgUnit(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.UpdateResponsibility(ctx, "icv-nev", chanye.ResponsibilityUpdate{CityLeader: &leader, LeadDepartment: &dept, TaskForce: &tf}); err != nil {
		t.Fatal(err)
	}
	var ins []*chanye.Indicator
	for i, y := range []string{"2022", "2023", "2024"} {
		ins = append(ins, &chanye.Indicator{IndustryID: "icv-nev", Metric: "revenue", Period: y, Value: int64(5000+500*i) * 100_000_000, Source: "test"})
	}
	if err := store.UpsertIndicators(ctx, ins); err != nil {
		t.Fatal(err)
	}

	// GZ-0001 is signed but has not started 22 months after its planned
	// start: red, for the department, by start_late_red (and by
	// report_missing_red: no report since the planned start).
	late := `{"id":"GZ-0001","name":"示例整车基地","owner_code":"` + codeA + `","industry_id":"icv-nev","district_code":"440106",
		"kind":"industrial","total_investment_fen":1000000000000,"yearly_plan":[{"year":2025,"planned_fen":400000000000}],
		"planned_start":"2025-01-15","planned_completion":"2027-12-31","stage":"signed"}`
	scenarios := []scenario{
		{name: "no projects", method: "GET", path: "/api/v1/projects", status: 200, json: map[string]any{"items.#": 0, "total": 0}},
		{name: "create", method: "POST", path: "/api/v1/projects", body: late, status: 201,
			json: map[string]any{"id": "GZ-0001", "owners.department": dept, "owners.city_leader": leader, "stage": "signed"},
			check: func(t *testing.T, _ map[string]any, resp *http.Response) {
				if got := resp.Header.Get("Location"); got != "/api/v1/projects/GZ-0001" {
					t.Errorf("Location = %q", got)
				}
			}},
		{name: "create twice", method: "POST", path: "/api/v1/projects", body: late, status: 409, json: map[string]any{"error.code": "conflict"}},
		{name: "create invalid", method: "POST", path: "/api/v1/projects", status: 400,
			body:     `{"id":"GZ-0002","name":"","owner_code":"` + codeA + `","industry_id":"icv-nev","district_code":"440106","kind":"nope","total_investment_fen":1,"planned_start":"2025-01-01","planned_completion":"2026-01-01","stage":"signed"}`,
			contains: []string{`"kind"`, `"name"`}},
		{name: "get", method: "GET", path: "/api/v1/projects/GZ-0001", status: 200,
			json: map[string]any{"colour": "red", "warnings.0.rule_id": "start_late_red", "warnings.0.owner": dept, "warnings.0.owner_hint": "department"}},
		{name: "unknown", method: "GET", path: "/api/v1/projects/GZ-9999", status: 404},
		{name: "filter colour", method: "GET", path: "/api/v1/projects?colour=red&industry=icv-nev", status: 200, json: map[string]any{"total": 1, "items.0.id": "GZ-0001"}},
		{name: "filter green", method: "GET", path: "/api/v1/projects?colour=green", status: 200, json: map[string]any{"total": 0}},
		{name: "filter department", method: "GET", path: "/api/v1/projects?department=" + dept + "&stage=signed&district=440106&owner=" + codeA, status: 200, json: map[string]any{"total": 1}},
		{name: "bad colour", method: "GET", path: "/api/v1/projects?colour=blue", status: 400, contains: []string{`"colour"`}},
		{name: "bad stage", method: "GET", path: "/api/v1/projects?stage=done", status: 400, contains: []string{`"stage"`}},
		{name: "warning rules: the defaults", method: "GET", path: "/api/v1/warning-rules", status: 200, json: map[string]any{"items.0.id": "start_late_yellow"}},
		{name: "warning rule with a type error", method: "PUT", path: "/api/v1/warning-rules/nodes_overdue", status: 400,
			body:     `{"colour":"yellow","label_zh":"节点逾期","label_en":"nodes overdue","expr":"overdue_nodes > 'three'","owner":"department"}`,
			contains: []string{`nodes_overdue`, `1:`}},
		{name: "warning rule whose id differs from the path", method: "PUT", path: "/api/v1/warning-rules/nodes_overdue", status: 400,
			body: `{"id":"other","colour":"yellow","label_zh":"节点逾期","label_en":"nodes overdue","expr":"overdue_nodes > 3","owner":"department"}`, contains: []string{`"id"`}},
		{name: "warning rule saved", method: "PUT", path: "/api/v1/warning-rules/nodes_overdue", status: 200,
			body:     `{"colour":"yellow","label_zh":"节点逾期","label_en":"nodes overdue","expr":"overdue_nodes > 3","owner":"department","position":9}`,
			contains: []string{`"nodes_overdue"`, `"start_late_yellow"`}},
		{name: "warning rule deleted", method: "DELETE", path: "/api/v1/warning-rules/nodes_overdue", status: 200,
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				for _, it := range body["items"].([]any) {
					if it.(map[string]any)["id"] == "nodes_overdue" {
						t.Error("the deleted rule is still listed")
					}
				}
			}},
		{name: "unknown warning rule", method: "DELETE", path: "/api/v1/warning-rules/nodes_overdue", status: 404},
		{name: "unknown industry", method: "GET", path: "/api/v1/projects?industry=nope", status: 400, contains: []string{`"industry"`}},
		{name: "nodes", method: "GET", path: "/api/v1/projects/GZ-0001/nodes", status: 200, json: map[string]any{"items.0.seq": 1, "items.0.actual_date": nil},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if n := len(body["items"].([]any)); n < 3 {
					t.Errorf("%d nodes, want the template's", n)
				}
			}},
		{name: "node done", method: "PATCH", path: "/api/v1/projects/GZ-0001/nodes/1", body: `{"actual_date":"2025-01-10","evidence":{"note":"立项批复","link":"https://example.org/a.pdf"}}`,
			status: 200, json: map[string]any{"seq": 1, "actual_date": "2025-01-10", "evidence.note": "立项批复"}},
		{name: "node bad link", method: "PATCH", path: "/api/v1/projects/GZ-0001/nodes/1", body: `{"evidence":{"link":"ftp://x"}}`, status: 400, contains: []string{"evidence.link"}},
		{name: "node bad seq", method: "PATCH", path: "/api/v1/projects/GZ-0001/nodes/x", body: `{}`, status: 400, contains: []string{`"seq"`}},
		{name: "node unknown", method: "PATCH", path: "/api/v1/projects/GZ-0001/nodes/99", body: `{}`, status: 404},
		{name: "no report", method: "GET", path: "/api/v1/projects/GZ-0001/reports/2025-10", status: 404},
		{name: "report", method: "PUT", path: "/api/v1/projects/GZ-0001/reports/2025-10", status: 200,
			body: `{"invested_fen":5000000000,"cumulative_fen":20000000000,"progress_pct":12.5,"problems":"用地指标待落实"}`,
			json: map[string]any{"month": "2025-10", "progress_pct": 12.5, "reported_by": chanye.Operator.Name}},
		{name: "report read", method: "GET", path: "/api/v1/projects/GZ-0001/reports/2025-10", status: 200, json: map[string]any{"invested_fen": 5000000000, "problems": "用地指标待落实"}},
		{name: "report invalid", method: "PUT", path: "/api/v1/projects/GZ-0001/reports/2025-11", body: `{"invested_fen":5,"cumulative_fen":1,"progress_pct":120}`,
			status: 400, contains: []string{"cumulative_fen", "progress_pct"}},
		{name: "report bad month", method: "PUT", path: "/api/v1/projects/GZ-0001/reports/2025-13", body: `{"invested_fen":0,"cumulative_fen":0,"progress_pct":0}`, status: 400, contains: []string{`"month"`}},
		{name: "report unknown project", method: "PUT", path: "/api/v1/projects/GZ-9999/reports/2025-10", body: `{"invested_fen":0,"cumulative_fen":0,"progress_pct":0}`, status: 404},
		{name: "patch leader not on the list", method: "PATCH", path: "/api/v1/projects/GZ-0001", body: `{"city_leader":"王不在"}`, status: 400,
			json: map[string]any{"error.message_en": `invalid project: city_leader "王不在" not on its list or retired`,
				"error.fields_zh.city_leader": `"王不在" 不在市领导名单中，请从名单中选择`, "error.fields_en.city_leader": `"王不在" is not on the list of city leaders: choose one from it`}, contains: []string{`"city_leader":`}},
		{name: "patch", method: "PATCH", path: "/api/v1/projects/GZ-0001", body: `{"city_leader":"李副市长"}`, status: 200,
			json: map[string]any{"city_leader": "李副市长", "owners.city_leader": "李副市长"}},
		{name: "patch invalid", method: "PATCH", path: "/api/v1/projects/GZ-0001", body: `{"stage":"done"}`, status: 400, contains: []string{`"stage"`}},
		{name: "patch unknown field", method: "PATCH", path: "/api/v1/projects/GZ-0001", body: `{"owner_code":"x"}`, status: 400},
		{name: "board", method: "GET", path: "/api/v1/warnings", status: 200,
			json: map[string]any{"projects.total": 1, "projects.red": 1, "items.0.project_id": "GZ-0001", "items.0.project_name": "示例整车基地",
				"items.0.rule_id": "start_late_red", "items.0.colour": "red", "items.0.owner": dept, "items.0.industry_id": "icv-nev"},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				v := body["items"].([]any)[0].(map[string]any)["values"].(map[string]any)
				if _, ok := v["months_since_planned_start"]; !ok {
					t.Errorf("the warning's values lack months_since_planned_start: %v", v)
				}
			}},
		{name: "board yellow", method: "GET", path: "/api/v1/warnings?colour=yellow", status: 200, json: map[string]any{"items.#": 0, "projects.total": 1}},
		{name: "board other district", method: "GET", path: "/api/v1/warnings?district=440103", status: 200, json: map[string]any{"items.#": 0, "projects.total": 0}},
		{name: "board bad param", method: "GET", path: "/api/v1/warnings?offset=1", status: 400},
		{name: "targets", method: "GET", path: "/api/v1/targets", status: 200,
			json: map[string]any{"items.0.industry_id": "icv-nev", "items.0.track.industry_id": "icv-nev", "items.1.track": nil},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				st := body["items"].([]any)[0].(map[string]any)["track"].(map[string]any)["status"]
				if st != "on_track" && st != "at_risk" && st != "off_track" {
					t.Errorf("status %v", st)
				}
			}},
		{name: "scorecards of leaders", method: "GET", path: "/api/v1/scorecards?kind=leader", status: 200,
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				names := map[string]bool{}
				for _, c := range body["items"].([]any) {
					names[c.(map[string]any)["name"].(string)] = true
				}
				// 张市长 leads icv-nev; 李副市长 answers for GZ-0001.
				if !names[leader] || !names["李副市长"] {
					t.Errorf("leaders %v, want %s and 李副市长", names, leader)
				}
			}},
		{name: "scorecard of the department", method: "GET", path: "/api/v1/scorecards/department/" + dept, status: 200,
			json: map[string]any{"kind": "department", "name": dept, "industries.0.id": "icv-nev", "projects.total": 1, "projects.red": 1,
				"red.0.id": "GZ-0001", "open_warnings": 2, "industries.0.projects.red": 1, "payout": nil},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if s, _ := body["industries"].([]any)[0].(map[string]any)["status"].(string); s == "" {
					t.Error("icv-nev has no target status")
				}
				if n := body["overdue_nodes"].(float64); n < 1 {
					t.Errorf("overdue_nodes = %v, want the start node at least", n)
				}
			}},
		{name: "scorecard of the task force", method: "GET", path: "/api/v1/scorecards/task_force/" + tf, status: 200, json: map[string]any{"projects.total": 1, "payout": nil}},
		{name: "scorecard of the old leader", method: "GET", path: "/api/v1/scorecards/leader/" + leader, status: 200,
			json: map[string]any{"industries.0.id": "icv-nev", "projects.total": 0}},
		{name: "scorecard unknown", method: "GET", path: "/api/v1/scorecards/leader/无名氏", status: 404},
		{name: "scorecard bad kind", method: "GET", path: "/api/v1/scorecards/mayor/x", status: 400, contains: []string{`"kind"`}},
		{name: "scorecards bad kind", method: "GET", path: "/api/v1/scorecards?kind=mayor", status: 400},
	}
	runScenarios(t, h, spec, scenarios)

	t.Run("without a project service", func(t *testing.T) {
		h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store}))
		runScenarios(t, h, spec, []scenario{
			{name: "projects", method: "GET", path: "/api/v1/projects", status: 404},
			{name: "board", method: "GET", path: "/api/v1/warnings", status: 404},
		})
	})
}
