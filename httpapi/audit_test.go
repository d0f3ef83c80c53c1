package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
	if item["entity_key"] != codeA || item["action"] != "create" || item["request_id"] != "r-1" || item["before"] != nil {
		t.Errorf("entry %v", item)
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
