package httpapi

import (
	"encoding/xml"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestScenariosAPI walks a scenario through the API as openapi.json says:
// created with field errors first, published, applied to (a file
// attached, a text file called a PDF refused, none after the deadline,
// the file downloaded as an attachment), its panel set,
// reviewed with a conflict, ranked, its winner selected and run to a first
// use and a procurement; the feeds show it, and the year's progress
// counts it.
func TestScenariosAPI(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := testclock.Now()
	db.Now = func() time.Time { return now }
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	for _, code := range []string{codeA, codeB} {
		if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: code, Name: "企业" + code[14:], DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"pa", "pb", "pc"} {
		if err := store.CreateUser(ctx, &auth.User{Name: n, Role: chanye.RoleLeader}, n+" password 1"); err != nil {
			t.Fatal(err)
		}
	}
	h := asActor(NewHandler(Config{Now: func() time.Time { return now }, Catalog: store, Enterprises: store, Policies: store.PolicyServices(),
		Scenarios: &ScenarioServices{Scenarios: store, Applications: store, Reviews: store, Files: store}}))
	day := func(n int) string { return chanye.DateOf(now.AddDate(0, 0, n)).String() }
	created := `{"title":"固态电池公交装车验证","offerer":{"name":"市交通集团","kind":"state_owned"},"industry_id":"icv-nev","requirements":"50 辆公交车运行一年",` +
		`"budget_fen":500000000,"deadline":"` + day(10) + `","pilot_start":"` + day(20) + `","pilot_end":"` + day(380) + `",` +
		`"criteria":[{"id":"tech","name_zh":"技术","name_en":"technology","weight":60},{"id":"cost","name_zh":"成本","name_en":"cost","weight":40}]}`
	as := func(name string) map[string]string { return map[string]string{actorHeader: name} }
	score := func(app int, tech, cost int) string {
		return fmt.Sprintf(`{"application_id":%d,"criterion_id":"tech","points":%d},{"application_id":%d,"criterion_id":"cost","points":%d}`, app, tech, app, cost)
	}
	pdf, octets := "%PDF-1.4\n%%EOF\n", map[string]string{"Content-Type": "application/octet-stream"}
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "weights not summing to 100", method: "POST", path: "/api/v1/scenarios", status: 400,
			body: strings.Replace(created, `"weight":40`, `"weight":30`, 1), contains: []string{`"criteria"`}, json: map[string]any{"error.fields_en.criteria": "the weights add up to 90, not 100"}},
		{name: "an unknown industry", method: "POST", path: "/api/v1/scenarios", status: 400, body: strings.Replace(created, "icv-nev", "weather", 1), contains: []string{`"industry_id"`}},
		{name: "a scenario", method: "POST", path: "/api/v1/scenarios", status: 201, body: created, json: map[string]any{"id": 1, "status": "draft", "budget_fen": 500000000}},
		{name: "not in the feed as a draft", method: "GET", path: "/api/v1/scenarios/feed.json", status: 200, json: map[string]any{"items.#": 0}},
		{name: "published", method: "POST", path: "/api/v1/scenarios/1/steps", status: 200, body: `{"action":"publish"}`, json: map[string]any{"status": "published", "published_on": day(0)}},
		{name: "a firm applies", method: "POST", path: "/api/v1/scenarios/1/applications", status: 201, body: `{"code":"` + codeA + `","solution":"半固态电池包"}`,
			json: map[string]any{"id": 1, "status": "submitted", "code": codeA}},
		{name: "another", method: "POST", path: "/api/v1/scenarios/1/applications", status: 201, body: `{"code":"` + codeB + `","solution":"磷酸铁锂改进型"}`, json: map[string]any{"id": 2}},
		{name: "twice", method: "POST", path: "/api/v1/scenarios/1/applications", status: 409, body: `{"code":"` + codeB + `","solution":"再一份"}`},
		{name: "a file", method: "POST", path: "/api/v1/scenario-applications/1/files?name=plan.pdf", status: 201, body: pdf, header: octets,
			json: map[string]any{"id": 1, "application_id": 1, "content_type": "application/pdf", "name": "plan.pdf"}},
		{name: "text called a PDF", method: "POST", path: "/api/v1/scenario-applications/1/files?name=fake.pdf", status: 400, body: "not a PDF", header: octets,
			contains: []string{`"file"`}},
		{name: "the files", method: "GET", path: "/api/v1/scenario-applications/1/files", status: 200, json: map[string]any{"items.#": 1, "items.0.size": len(pdf)}},
		{name: "another application's files", method: "GET", path: "/api/v1/scenario-applications/2/files", status: 200, json: map[string]any{"items.#": 0}},
		{name: "no such file", method: "GET", path: "/api/v1/scenario-applications/2/files/1", status: 404},
		{name: "the applications", method: "GET", path: "/api/v1/scenarios/1/applications", status: 200, json: map[string]any{"total": 2, "items.0.id": 2}},
		{name: "a panel of two", method: "PUT", path: "/api/v1/scenarios/1/panel", status: 400, body: `{"members":["pa","pb"]}`, contains: []string{`"panel"`}},
		{name: "the panel", method: "PUT", path: "/api/v1/scenarios/1/panel", status: 200, body: `{"members":["pa","pb","pc"]}`, json: map[string]any{"members.#": 3}},
		{name: "the review too early", method: "POST", path: "/api/v1/scenarios/1/steps", status: 409, body: `{"action":"start_review"}`},
		{name: "the review", method: "POST", path: "/api/v1/scenarios/1/steps", status: 200, body: `{"action":"start_review"}`, json: map[string]any{"status": "reviewing"},
			before: func() { now = now.AddDate(0, 0, 11) }},
		{name: "a file after the deadline", method: "POST", path: "/api/v1/scenario-applications/1/files?name=late.pdf", status: 409, body: pdf, header: octets},
		{name: "pc declares a conflict", method: "POST", path: "/api/v1/scenarios/1/conflicts", status: 201, header: as("pc"), body: `{"application_id":1,"reason":"曾任顾问"}`,
			json: map[string]any{"member": "pc"}},
		{name: "pa scores", method: "PUT", path: "/api/v1/scenarios/1/scores", status: 200, header: as("pa"), body: `{"scores":[` + score(1, 90, 70) + `,` + score(2, 70, 80) + `]}`,
			json: map[string]any{"scores.#": 4, "conflicts.#": 1}},
		{name: "pb scores too high", method: "PUT", path: "/api/v1/scenarios/1/scores", status: 400, header: as("pb"), body: `{"scores":[` + score(1, 101, 70) + `]}`,
			contains: []string{`"scores[0].points"`}},
		{name: "pc scores what it declared", method: "PUT", path: "/api/v1/scenarios/1/scores", status: 409, header: as("pc"), body: `{"scores":[` + score(1, 50, 50) + `]}`},
		{name: "an incomplete ranking", method: "GET", path: "/api/v1/scenarios/1/ranking", status: 400},
		{name: "the complete part", method: "GET", path: "/api/v1/scenarios/1/ranking?partial=true", status: 200, json: map[string]any{"entries.#": 0}},
		{name: "pb scores", method: "PUT", path: "/api/v1/scenarios/1/scores", status: 200, header: as("pb"), body: `{"scores":[` + score(1, 90, 70) + `,` + score(2, 70, 80) + `]}`},
		{name: "pc scores", method: "PUT", path: "/api/v1/scenarios/1/scores", status: 200, header: as("pc"), body: `{"scores":[` + score(2, 70, 80) + `]}`},
		{name: "the ranking", method: "GET", path: "/api/v1/scenarios/1/ranking", status: 200,
			json: map[string]any{"entries.#": 2, "ranked": 2, "entries.0.application_id": 1, "entries.0.total": 8200, "entries.0.members": 2, "entries.1.total": 7400}},
		{name: "selected", method: "POST", path: "/api/v1/scenarios/1/steps", status: 200, body: `{"action":"select","application_id":1}`,
			json: map[string]any{"status": "piloting", "selected_id": 1}},
		{name: "the loser", method: "GET", path: "/api/v1/scenario-applications/2", status: 200, json: map[string]any{"status": "not_selected"}},
		{name: "first use", method: "POST", path: "/api/v1/scenarios/1/steps", status: 200, body: `{"action":"confirm_first_use","evidence":"运行报告"}`,
			json: map[string]any{"status": "first_use"}, before: func() { now = now.AddDate(0, 0, 30) }},
		{name: "procured", method: "POST", path: "/api/v1/scenarios/1/steps", status: 200, body: `{"action":"procure","buyer":"市交通集团","amount_fen":1200000000}`,
			json: map[string]any{"status": "procured", "procurements.0.amount_fen": 1200000000}},
		{name: "the history", method: "GET", path: "/api/v1/scenarios/1/events", status: 200, json: map[string]any{"items.#": 6, "items.0.action": "create", "items.5.action": "procure"}},
		{name: "the feed", method: "GET", path: "/api/v1/scenarios/feed.json", status: 200,
			json: map[string]any{"items.#": 1, "items.0.status": "procured", "items.0.procured_fen": 1200000000}},
		{name: "the year", method: "GET", path: fmt.Sprintf("/api/v1/scenario-progress?year=%d", now.Year()), status: 200,
			json: map[string]any{"target": 100, "published": 1, "by_industry.0.industry_id": "icv-nev"}},
		{name: "a year out of range", method: "GET", path: "/api/v1/scenario-progress?year=1900", status: 400, contains: []string{`"year"`}},
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/scenario-applications/1/files/1", nil))
	if rec.Code != 200 || rec.Body.String() != pdf || rec.Header().Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") {
		t.Errorf("the file: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/scenarios/feed.atom", nil))
	var feed struct {
		Entries []struct {
			Title   string `xml:"title"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &feed); err != nil || rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/atom+xml") ||
		len(feed.Entries) != 1 || !strings.Contains(feed.Entries[0].Summary, "采购 12000000.00 元") {
		t.Errorf("atom feed: %d %v %+v\n%s", rec.Code, err, feed, rec.Body.String())
	}
}
