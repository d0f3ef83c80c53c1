package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// roleHeader names, in these tests only, the actor as role:name:scope —
// enterprise:企业甲:CODE or department:市工信局 张三:市工业和信息化局.
const roleHeader = "X-Test-Role"

func asRole(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := chanye.Operator
		if v := r.Header.Get(roleHeader); v != "" {
			parts := strings.SplitN(v, ":", 3)
			a = &chanye.Actor{Name: parts[1], Role: chanye.Role(parts[0])}
			switch a.Role {
			case chanye.RoleEnterprise:
				a.Code = parts[2]
			case chanye.RoleDepartment:
				a.Department = parts[2]
			}
		}
		h.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), a)))
	})
}

// TestApplicationScenarios: an enterprise fills in the retrofit figures in
// 万元 and 元, attaches a PDF, submits; another enterprise sees nothing of
// it; the department returns it with a reason and accepts it resubmitted;
// the file downloads for the department only as an attachment.
func TestApplicationScenarios(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	db, store := sqlstoretest.NewWithDB(t)
	clock := time.Date(2026, 3, 13, 9, 0, 0, 0, time.UTC) // a Friday
	db.Now = func() time.Time { return clock }
	for _, e := range []*chanye.Enterprise{
		{Code: codeA, Name: "广州示例精密机械有限公司", DistrictCode: "440112", IndustryClass: "3562", Founded: day(t, "2012-03-01")},
		{Code: codeB, Name: "广州示例智能有限公司", DistrictCode: "440104", IndustryClass: "3612", Founded: day(t, "2010-01-05")},
	} {
		if err := store.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	v, err := store.CreatePolicyVersion(ctx, []byte(shippedSources(t)["gz-tech-retrofit"]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishPolicyVersion(ctx, v.PolicyID, v.Version); err != nil {
		t.Fatal(err)
	}
	h := asRole(NewHandler(Config{Now: func() time.Time { return clock }, Catalog: store, Enterprises: store, Policies: authz.Policies(store.PolicyServices())}))
	spec := newSpecValidator(t)
	firmA := map[string]string{roleHeader: "enterprise:企业甲:" + codeA}
	firmB := map[string]string{roleHeader: "enterprise:企业乙:" + codeB}
	dept := map[string]string{roleHeader: "department:市工信局 张三:市工业和信息化局"}
	status := func(s, reason string) string { return `{"status":"` + s + `","reason":"` + reason + `"}` }
	runScenarios(t, h, spec, []scenario{
		{name: "a value with too many decimals", method: "POST", path: "/api/v1/applications", header: firmA, status: 400,
			body:     `{"policy_id":"gz-tech-retrofit","values":{"equipment_investment":"1.001"}}`,
			contains: []string{"values.equipment_investment", "设备投资额"}},
		{name: "an input the policy does not declare", method: "POST", path: "/api/v1/applications", header: firmA, status: 400,
			body: `{"policy_id":"gz-tech-retrofit","values":{"revenue":"1"}}`, contains: []string{"values.revenue"}},
		{name: "B cannot apply for A", method: "POST", path: "/api/v1/applications", header: firmB, status: 404,
			body: `{"policy_id":"gz-tech-retrofit","code":"` + codeA + `","values":{}}`},
		{name: "A starts a draft in 万元", method: "POST", path: "/api/v1/applications", header: firmA, status: 201,
			body: `{"policy_id":"gz-tech-retrofit","values":{"equipment_investment":"12345.678901","plant_investment":"0"},"units":{"equipment_investment":"wan"}}`,
			json: map[string]any{"id": 1.0, "status": "draft", "code": codeA, "values.equipment_investment": 12345678901.0, "inputs.#": 3.0,
				"inputs.0.text_zh": "12,345.678901 万元"}},
		{name: "a second open application", method: "POST", path: "/api/v1/applications", header: firmA, status: 409,
			body: `{"policy_id":"gz-tech-retrofit","values":{}}`},
		{name: "submit without the completion date", method: "POST", path: "/api/v1/applications/1/status", header: firmA, status: 400,
			body: status("submitted", ""), contains: []string{"values.finished_on"}},
		{name: "A adds the completion date", method: "PATCH", path: "/api/v1/applications/1", header: firmA, status: 200,
			body: `{"values":{"equipment_investment":"123456789.01","plant_investment":"0","finished_on":"2025-06-30"}}`,
			json: map[string]any{"values.equipment_investment": 12345678901.0, "values.finished_on": "2025-06-30"}},
		{name: "a PNG name on PDF bytes", method: "POST", path: "/api/v1/applications/1/files?name=invoice.png", header: mergeHeader(firmA, map[string]string{"Content-Type": "application/octet-stream"}),
			body: string(testPDF), status: 400, contains: []string{"file"}},
		{name: "A attaches the acceptance report", method: "POST", path: "/api/v1/applications/1/files?name=" + "report.pdf", header: mergeHeader(firmA, map[string]string{"Content-Type": "application/octet-stream"}),
			body: string(testPDF), status: 201, json: map[string]any{"content_type": "application/pdf", "name": "report.pdf"}},
		{name: "B does not see A's application", method: "GET", path: "/api/v1/applications/1", header: firmB, status: 404},
		{name: "B lists none", method: "GET", path: "/api/v1/applications", header: firmB, status: 200, json: map[string]any{"total": 0.0}},
		{name: "A submits on a Friday", method: "POST", path: "/api/v1/applications/1/status", header: firmA, status: 200,
			body: status("submitted", ""), json: map[string]any{"status": "submitted", "submitted_on": "2026-03-13", "due_on": "2026-03-20", "overdue": false}},
		{name: "A cannot accept its own", method: "POST", path: "/api/v1/applications/1/status", header: firmA, status: 403, body: status("accepted", "")},
		{name: "overdue after the fifth working day", method: "GET", path: "/api/v1/applications?status=submitted", header: dept, status: 200,
			before: func() { clock = time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC) },
			json:   map[string]any{"total": 1.0, "items.0.overdue": true, "items.0.name": "广州示例精密机械有限公司"}},
		{name: "return without a reason", method: "POST", path: "/api/v1/applications/1/status", header: dept, status: 400, body: status("returned", "")},
		{name: "the department returns it", method: "POST", path: "/api/v1/applications/1/status", header: dept, status: 200,
			body: status("returned", "请补充设备发票"), json: map[string]any{"status": "returned", "reason": "请补充设备发票"}},
		{name: "A resubmits", method: "POST", path: "/api/v1/applications/1/status", header: firmA, status: 200, body: status("submitted", ""),
			json: map[string]any{"due_on": "2026-03-30"}, check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if _, ok := body["reason"]; ok {
					t.Errorf("the reason of the return is still shown: %v", body["reason"])
				}
			}},
		{name: "another department cannot accept", method: "POST", path: "/api/v1/applications/1/status", status: 403,
			header: map[string]string{roleHeader: "department:市科技局 赵六:市科技局"}, body: status("accepted", "")},
		{name: "the department accepts", method: "POST", path: "/api/v1/applications/1/status", header: dept, status: 200, body: status("accepted", "核验无误"),
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				var steps []string
				for _, e := range body["events"].([]any) {
					steps = append(steps, e.(map[string]any)["action"].(string))
				}
				if got := strings.Join(steps, ","); got != "create,save,attach,submit,return,submit,accept" {
					t.Errorf("timeline %s", got)
				}
			}},
		{name: "an unknown status", method: "GET", path: "/api/v1/applications?status=done", header: dept, status: 400},
	})

	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
	}{{"the department downloads", dept, 200}, {"A downloads", firmA, 200}, {"B does not", firmB, 404}} {
		req := httptest.NewRequest("GET", "/api/v1/applications/1/files/1", nil)
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
			continue
		}
		if tc.status == 200 && (!bytes.Equal(rec.Body.Bytes(), testPDF) || rec.Header().Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;")) {
			t.Errorf("%s: %s %q, %d bytes", tc.name, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"), rec.Body.Len())
		}
	}
}

var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")

func mergeHeader(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
