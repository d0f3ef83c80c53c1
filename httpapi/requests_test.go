package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestRequestsAPI: the routing table; intake with its field errors, from
// another platform once per reference; the queue's filters; a step, one
// out of turn and a bad one — all as openapi.json says.
func TestRequestsAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: codeA, Name: "示例汽车公司", DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Requests: store, RequestFiles: store}))
	pdf := "%PDF-1.4\n%%EOF\n"
	octet := map[string]string{"Content-Type": "application/octet-stream"}
	item := `{"code":"` + codeA + `","category_id":"permit","title":"施工许可迟迟未批","description":"报建三个月未有答复","channel":"phone"}`
	platform := `{"code":"` + codeA + `","category_id":"utilities","title":"扩容供电","description":"新产线","channel":"platform","external_source":"12345热线","external_ref":"GZ-0001"}`
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "the categories", method: "GET", path: "/api/v1/request-categories", status: 200, json: map[string]any{"items.#": 7, "items.0.id": "permit", "items.0.acknowledge.unit": "hours"}},
		{name: "a category to a department not listed", method: "PUT", path: "/api/v1/request-categories/permit", status: 400,
			body:     `{"name_zh":"审批许可","department":"不存在局","acknowledge":{"n":24,"unit":"hours"},"answer":{"n":3,"unit":"days"},"close":{"n":7,"unit":"days"},"yellow_per_mille":800,"confirm_days":5}`,
			contains: []string{`"department"`}},
		{name: "limits the wrong way round", method: "PUT", path: "/api/v1/request-categories/permit", status: 400,
			body:     `{"name_zh":"审批许可","acknowledge":{"n":5,"unit":"days"},"answer":{"n":3,"unit":"days"},"close":{"n":7,"unit":"days"},"yellow_per_mille":800,"confirm_days":5}`,
			contains: []string{`"answer"`}},
		{name: "a bad request", method: "POST", path: "/api/v1/requests", status: 400,
			body: `{"code":"` + codeA + `","category_id":"weather","title":"","description":"x","channel":"fax"}`, contains: []string{`"title"`, `"channel"`}},
		{name: "a request", method: "POST", path: "/api/v1/requests", status: 201, body: item,
			json: map[string]any{"id": 1, "status": "submitted", "industry_id": "icv-nev", "clock.stage": "acknowledge", "clock.colour": "green", "events.#": 2}},
		{name: "from a platform", method: "POST", path: "/api/v1/requests", status: 201, body: platform, json: map[string]any{"id": 2, "external_ref": "GZ-0001"}},
		{name: "from the platform again", method: "POST", path: "/api/v1/requests", status: 200, body: platform, json: map[string]any{"id": 2}},
		{name: "the queue", method: "GET", path: "/api/v1/requests?open=true", status: 200, json: map[string]any{"total": 2}},
		{name: "a bad status", method: "GET", path: "/api/v1/requests?status=done", status: 400, contains: []string{`"status"`}},
		{name: "one", method: "GET", path: "/api/v1/requests/1", status: 200, json: map[string]any{"title": "施工许可迟迟未批", "events.0.action": "submit"}},
		{name: "an unknown one", method: "GET", path: "/api/v1/requests/99", status: 404},
		{name: "confirmed out of turn", method: "POST", path: "/api/v1/requests/1/steps", status: 409, body: `{"action":"confirm","rating":"satisfied"}`},
		{name: "an unknown step", method: "POST", path: "/api/v1/requests/1/steps", status: 400, body: `{"action":"approve"}`, contains: []string{`"action"`}},
		{name: "acknowledged", method: "POST", path: "/api/v1/requests/1/steps", status: 200, body: `{"action":"acknowledge"}`,
			json: map[string]any{"status": "acknowledged", "clock.stage": "answer"}},
		{name: "answered without the answer", method: "POST", path: "/api/v1/requests/1/steps", status: 400, body: `{"action":"answer"}`, contains: []string{`"note"`}},
		{name: "answered", method: "POST", path: "/api/v1/requests/1/steps", status: 200, body: `{"action":"answer","note":"已协调加快审批"}`,
			json: map[string]any{"status": "answered", "answer": "已协调加快审批"}},
		{name: "in hand", method: "GET", path: "/api/v1/requests?status=answered", status: 200, json: map[string]any{"total": 1, "items.0.id": 1}},
		{name: "a file", method: "POST", path: "/api/v1/requests/1/files?name=" + "%E7%94%B3%E8%AF%B7.pdf", status: 201, body: pdf, header: octet,
			json: map[string]any{"id": 1, "content_type": "application/pdf", "size": len(pdf)},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if s, _ := body["sha256"].(string); len(s) != 64 {
					t.Errorf("sha256 %q", s)
				}
			}},
		{name: "HTML named .pdf", method: "POST", path: "/api/v1/requests/1/files?name=x.pdf", status: 400, body: "<html><script>alert(1)</script></html>", header: octet, contains: []string{`"file"`}},
		{name: "a program", method: "POST", path: "/api/v1/requests/1/files?name=x.exe", status: 400, body: pdf, header: octet, contains: []string{`"file"`}},
		{name: "the files", method: "GET", path: "/api/v1/requests/1/files", status: 200, json: map[string]any{"items.#": 1, "items.0.name": "申请.pdf"}},
		{name: "an unknown file", method: "GET", path: "/api/v1/requests/1/files/9", status: 404},
		{name: "the open figures", method: "GET", path: "/api/v1/request-stats", status: 200,
			json: map[string]any{"by": "category", "items.#": 2, "items.0.requests": 1, "items.0.acknowledged": 1}},
		{name: "by department", method: "GET", path: "/api/v1/request-stats?by=department&from=2020-01-01", status: 200, json: map[string]any{"by": "department"}},
		{name: "a bad grouping", method: "GET", path: "/api/v1/request-stats?by=colour", status: 400, contains: []string{`"by"`}},
		{name: "backwards days", method: "GET", path: "/api/v1/request-stats?from=2025-02-01&to=2025-01-01", status: 400, contains: []string{`"to"`}},
	})
	// The file itself: always an attachment, its type not to be sniffed.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/requests/1/files/1", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") ||
		rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Body.String() != pdf {
		t.Errorf("the file served: %d %v", rec.Code, rec.Header())
	}
}

// TestRequestIssuesAPI: the common problems with their firms, solved once
// with a note.
func TestRequestIssuesAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	for i, c := range []string{codeA, codeB, unknownCode(t)} {
		if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: c, Name: "企业" + string(rune('甲'+i)), DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.CreateRequest(ctx, &request.Request{Code: c, CategoryID: "land", Title: "用地", Description: "扩产用地", Channel: request.ChannelVisit}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := store.GroupRequests(ctx); err != nil || n != 1 {
		t.Fatalf("grouped %d, %v", n, err)
	}
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Requests: store, RequestIssues: store}))
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "the issues", method: "GET", path: "/api/v1/request-issues?open=true", status: 200,
			json: map[string]any{"items.#": 1, "items.0.firms": 3, "items.0.category_id": "land", "items.0.members.#": 3, "items.0.solved": false}},
		{name: "solved without a note", method: "POST", path: "/api/v1/request-issues/1/solve", status: 400, body: `{"note":""}`, contains: []string{`"note"`}},
		{name: "solved", method: "POST", path: "/api/v1/request-issues/1/solve", status: 200, body: `{"note":"统一协调园区用地"}`, json: map[string]any{"solved": true}},
		{name: "solved twice", method: "POST", path: "/api/v1/request-issues/1/solve", status: 409, body: `{"note":"again"}`},
		{name: "none open", method: "GET", path: "/api/v1/request-issues?open=true", status: 200, json: map[string]any{"items.#": 0}},
	})
}
