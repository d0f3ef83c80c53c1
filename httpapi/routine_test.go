package httpapi

import (
	"context"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// multipartForm is a closure form: fields and, when name is set, the
// evidence file.
func multipartForm(t *testing.T, fields map[string]string, name string, data []byte) (string, string) {
	t.Helper()
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, err := mw.CreateFormFile("evidence", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

// TestRoutineScenarios drives 销号 and 督办: a warning closed with its
// evidence (refused without it, or as JSON), the project green, the
// history and the file; an item issued (a past due date refused),
// answered, sent back, answered again and closed, each step in its
// history, a step the status does not allow 409.
func TestRoutineScenarios(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Projects: store,
		Closures: store, Supervisions: store}))
	spec := newSpecValidator(t)
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: codeA, Name: "广州示例汽车科技有限公司", DistrictCode: "440106",
		IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	start, _ := chanye.ParseDate("2025-01-15")
	end, _ := chanye.ParseDate("2027-12-31")
	// Signed, not started since 2025-01: red by start_late_red and report_missing_red.
	if err := store.CreateProject(ctx, &project.Project{ID: "GZ-0001", Name: "示例整车基地", OwnerCode: codeA, IndustryID: "icv-nev",
		DistrictCode: "440106", Kind: project.KindIndustrial, TotalInvestmentFen: 1_000_000_000_00, PlannedStart: start, PlannedCompletion: end,
		Stage: project.StageSigned}); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	ok1, ct := multipartForm(t, map[string]string{"rule_id": "start_late_red", "note": "已核实"}, "核查.pdf", pdf)
	ok2, ct2 := multipartForm(t, map[string]string{"rule_id": "report_missing_red", "note": "已补报"}, "b.pdf", pdf)
	noFile, ct3 := multipartForm(t, map[string]string{"rule_id": "start_late_red", "note": "已核实"}, "", nil)
	today := chanye.DateOf(testclock.Now())
	due := func(days int) string { return chanye.DateOf(today.AddDate(0, 0, days)).String() }
	item := `{"project_id":"GZ-0001","addressee":"owner","instruction":"请尽快开工","due_on":"` + due(7) + `"}`
	step := func(action, note string) string { return `{"action":"` + action + `","note":"` + note + `"}` }

	runScenarios(t, h, spec, []scenario{
		{name: "close as JSON", method: "POST", path: "/api/v1/projects/GZ-0001/closures", body: `{"rule_id":"start_late_red"}`, status: 415},
		{name: "close without evidence", method: "POST", path: "/api/v1/projects/GZ-0001/closures", body: noFile, header: map[string]string{"Content-Type": ct3},
			status: 400, contains: []string{`"file"`}},
		{name: "close", method: "POST", path: "/api/v1/projects/GZ-0001/closures", body: ok1, header: map[string]string{"Content-Type": ct},
			status: 201, json: map[string]any{"rule_id": "start_late_red", "colour": "red", "note": "已核实", "file.name": "核查.pdf", "month": today.Format("2006-01")}},
		{name: "close twice", method: "POST", path: "/api/v1/projects/GZ-0001/closures", body: ok1, header: map[string]string{"Content-Type": ct}, status: 409},
		{name: "close the other", method: "POST", path: "/api/v1/projects/GZ-0001/closures", body: ok2, header: map[string]string{"Content-Type": ct2}, status: 201},
		{name: "green", method: "GET", path: "/api/v1/projects/GZ-0001", status: 200,
			json: map[string]any{"colour": "green", "warnings.#": 2, "warnings.0.closed.note": "已核实"}},
		{name: "history", method: "GET", path: "/api/v1/projects/GZ-0001/closures", status: 200,
			json: map[string]any{"items.#": 2, "items.0.rule_id": "report_missing_red", "items.1.file.size": len(pdf)}},
		{name: "unknown project", method: "GET", path: "/api/v1/projects/GZ-9999/closures", status: 404},

		{name: "issue past due", method: "POST", path: "/api/v1/supervisions", status: 400, contains: []string{`"due_on"`},
			body: `{"project_id":"GZ-0001","addressee":"owner","instruction":"x","due_on":"` + due(-1) + `"}`},
		{name: "issue beyond a year", method: "POST", path: "/api/v1/supervisions", status: 400, contains: []string{`"due_on"`},
			body: `{"project_id":"GZ-0001","addressee":"owner","instruction":"x","due_on":"` + due(400) + `"}`},
		{name: "issue", method: "POST", path: "/api/v1/supervisions", body: item, status: 201,
			json: map[string]any{"id": 1, "status": "issued", "overdue": false, "events.#": 1, "owner_code": codeA}},
		{name: "return unanswered", method: "POST", path: "/api/v1/supervisions/1/steps", body: step("return", "x"), status: 409},
		{name: "answer", method: "POST", path: "/api/v1/supervisions/1/steps", body: step("answer", "已进场"), status: 200, json: map[string]any{"status": "answered", "answer": "已进场"}},
		{name: "return", method: "POST", path: "/api/v1/supervisions/1/steps", body: step("return", "请附照片"), status: 200, json: map[string]any{"status": "returned"}},
		{name: "answer again", method: "POST", path: "/api/v1/supervisions/1/steps", body: step("answer", "附照片"), status: 200},
		{name: "close item", method: "POST", path: "/api/v1/supervisions/1/steps", body: step("close", ""), status: 200,
			json: map[string]any{"status": "closed", "events.#": 5, "events.2.action": "return", "events.2.note": "请附照片"}},
		{name: "bad step", method: "POST", path: "/api/v1/supervisions/1/steps", body: step("approve", ""), status: 400},
		{name: "list open", method: "GET", path: "/api/v1/supervisions?open=true", status: 200, json: map[string]any{"items.#": 0, "total": 0}},
		{name: "list all", method: "GET", path: "/api/v1/supervisions?project=GZ-0001", status: 200, json: map[string]any{"items.#": 1, "items.0.status": "closed"}},
		{name: "list bad status", method: "GET", path: "/api/v1/supervisions?status=done", status: 400},
		{name: "get", method: "GET", path: "/api/v1/supervisions/1", status: 200, json: map[string]any{"events.#": 5}},
		{name: "get unknown", method: "GET", path: "/api/v1/supervisions/99", status: 404},
	})
}
