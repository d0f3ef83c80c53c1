package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

func TestListAudit(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithRequestID(chanye.WithActor(context.Background(), &chanye.Actor{Name: "alice", Role: chanye.RoleAdmin}), "r-1")
	founded, err := chanye.ParseDate("2015-06-01")
	if err != nil {
		t.Fatal(err)
	}
	e := &chanye.Enterprise{Code: codeA, Name: "广州示例汽车科技有限公司", DistrictCode: "440106", IndustryClass: "3612", Founded: founded}
	if err := store.CreateEnterprise(ctx, e); err != nil {
		t.Fatal(err)
	}
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Audit: store}))
	get := func(path string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return rec.Code, body
	}
	status, body := get("/api/v1/audit?entity=enterprise&actor=alice+(admin)&from=2000-01-01")
	if status != http.StatusOK || body["total"] != 1.0 {
		t.Fatalf("status %d, body %v", status, body)
	}
	item := body["items"].([]any)[0].(map[string]any)
	if item["entity_key"] != codeA || item["action"] != "create" || item["request_id"] != "r-1" || item["before"] != nil || item["chain"] != 0.0 {
		t.Errorf("entry %v", item)
	}
	// A single database has chain 0 only.
	if status, body := get("/api/v1/audit?chain=0"); status != http.StatusOK || body["total"] != 2.0 {
		t.Errorf("chain 0: status %d, total %v", status, body["total"])
	}
	if status, body := get("/api/v1/audit?chain=1"); status != http.StatusOK || body["total"] != 0.0 {
		t.Errorf("chain 1: status %d, total %v", status, body["total"])
	}
	if status, _ := get("/api/v1/audit?chain=-1"); status != http.StatusBadRequest {
		t.Errorf("chain -1: status %d, want 400", status)
	}
	if status, body := get("/api/v1/audit"); status != http.StatusOK || body["total"] != 2.0 {
		t.Errorf("all: status %d, total %v, want the catalog import and the creation", status, body["total"])
	}
	if status, _ := get("/api/v1/audit?from=yesterday"); status != http.StatusBadRequest {
		t.Errorf("bad from: status %d, want 400", status)
	}
	if status, _ := get("/api/v1/audit?who=x"); status != http.StatusBadRequest {
		t.Errorf("unknown parameter: status %d, want 400", status)
	}
}

// TestSameBodyTwiceAddsNoAuditRow sends every write route the body it has
// just stored: the audit log does not grow.
func TestSameBodyTwiceAddsNoAuditRow(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: codeA, Name: "广州示例汽车科技有限公司", DistrictCode: "440106",
		IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: "张三"}); err != nil {
		t.Fatal(err)
	}
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Projects: store, Audit: store}))
	rows := func() int {
		_, total, err := store.FindAudit(ctx, chanye.AuditFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return total
	}
	send := func(method, path, body string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		if rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
	}
	send("POST", "/api/v1/projects", `{"id":"GZ-0001","name":"示例整车基地","owner_code":"`+codeA+`","industry_id":"icv-nev","district_code":"440106",
		"kind":"industrial","total_investment_fen":1000000000000,"yearly_plan":[{"year":2025,"planned_fen":400000000000}],
		"planned_start":"2025-01-15","planned_completion":"2027-12-31","stage":"signed"}`)
	for _, w := range []struct{ method, path, body string }{
		{"PATCH", "/api/v1/enterprises/" + codeA, `{"name":"广州示例汽车集团有限公司"}`},
		{"PUT", "/api/v1/enterprises/" + codeA + "/facts", `{"items":[{"year":2024,"employees":300,"revenue_fen":500000000,"source":"统计年报","as_of":"2025-03-31"}]}`},
		{"PATCH", "/api/v1/industries/icv-nev/responsibility", `{"city_leader":"张三","lead_department":"市工业和信息化局"}`},
		{"PUT", "/api/v1/industries/icv-nev/indicators", `{"items":[{"metric":"revenue","period":"2023","value":600000000000,"source":"市统计局"}]}`},
		{"PATCH", "/api/v1/projects/GZ-0001", `{"stage":"building"}`},
		{"PATCH", "/api/v1/projects/GZ-0001/nodes/1", `{"actual_date":"2025-01-10","evidence":{"note":"立项批复","link":"https://example.org/a.pdf"}}`},
		{"PUT", "/api/v1/projects/GZ-0001/reports/2025-10", `{"invested_fen":5000000000,"cumulative_fen":20000000000,"progress_pct":12.5,"problems":"用地指标待落实"}`},
		{"PUT", "/api/v1/warning-rules/nodes_overdue", `{"colour":"yellow","label_zh":"节点逾期","label_en":"nodes overdue","expr":"overdue_nodes > 3","owner":"department","position":9}`},
	} {
		before := rows()
		send(w.method, w.path, w.body)
		if rows() != before+1 {
			t.Errorf("%s %s: %d audit rows added, want 1", w.method, w.path, rows()-before)
		}
		send(w.method, w.path, w.body)
		if n := rows() - before - 1; n != 0 {
			t.Errorf("%s %s again with the same body added %d audit rows", w.method, w.path, n)
		}
	}
}
