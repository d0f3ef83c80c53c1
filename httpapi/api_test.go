package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
)

// scenario is one request and what its response must hold. Scenarios of a
// table run in order against one store, so later ones see earlier writes.
type scenario struct {
	name   string
	method string
	path   string
	body   string
	header map[string]string
	status int
	// contains are substrings of the response body.
	contains []string
	// json maps a dotted path (items.0.target.tier, items.#) to the value
	// there; # is the length of an array.
	json map[string]any
	// check runs on the decoded body for what the other two cannot say.
	check func(t *testing.T, body map[string]any, resp *http.Response)
	// noSpec skips the check against openapi.json, for requests that
	// match no documented route.
	noSpec bool
	// before runs first, e.g. to move the store's clock.
	before func()
}

const (
	codeA = "91440101MA5ALP4R4C"
	codeB = "9144011661842063XT"
)

// unknownCode is a valid credit code that no scenario creates.
func unknownCode(t *testing.T) string {
	oc, err := uscc.OrgCheckChar("00000042")
	if err != nil {
		t.Fatal(err)
	}
	c, err := uscc.Complete("91440101" + "00000042" + string(oc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAPIScenarios(t *testing.T) {
	store := sqlstoretest.New(t)
	// The names the responsibility scenarios choose, on their lists.
	op := chanye.WithActor(context.Background(), chanye.Operator)
	for k, n := range map[chanye.OrgKind]string{chanye.OrgLeader: "张三", chanye.OrgTaskForce: "智能网联与新能源汽车产业专班"} {
		if err := store.CreateOrgUnit(op, &chanye.OrgUnit{Kind: k, NameZH: n}); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	h := asActor(NewHandler(Config{Now: testclock.Now,
		Catalog: store, Enterprises: store, Version: "test-1",
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}))
	spec := newSpecValidator(t)

	emp, rev, assets := int64(50), int64(1_000_000_000), int64(2_000_000_000)
	wantSize := string(chanye.ClassifySize("3612", &emp, &rev, &assets))
	if wantSize == "" {
		t.Fatal("ClassifySize gave no class for the test facts")
	}
	industries := func(n int) func(t *testing.T, body map[string]any, _ *http.Response) {
		return func(t *testing.T, body map[string]any, _ *http.Response) {
			if got := len(body["items"].([]any)); got != n {
				t.Errorf("got %d industries, want %d", got, n)
			}
		}
	}
	enterpriseA := `{"code":"` + codeA + `","name":"广州示例汽车科技有限公司","district_code":"440106","industry_class":"3612","founded":"2015-06-01"}`

	scenarios := []scenario{
		// Meta.
		{name: "healthz", method: "GET", path: "/healthz", status: 200, json: map[string]any{"status": "ok", "version": "test-1"}},
		{name: "healthz v1", method: "GET", path: "/api/v1/healthz", status: 200, json: map[string]any{"status": "ok"}},
		{name: "openapi", method: "GET", path: "/api/openapi.json", status: 200, json: map[string]any{"openapi": "3.1.0"}},
		{name: "unknown route", method: "GET", path: "/api/v1/nothing", status: 404, noSpec: true, json: map[string]any{"error.code": "not_found"}},
		{name: "wrong method", method: "DELETE", path: "/api/v1/enterprises", status: 405, noSpec: true,
			json: map[string]any{"error.code": "method_not_allowed"},
			check: func(t *testing.T, _ map[string]any, resp *http.Response) {
				if got := resp.Header.Get("Allow"); !strings.Contains(got, "GET") || !strings.Contains(got, "POST") {
					t.Errorf("Allow = %q, want GET and POST", got)
				}
			}},

		// Catalog and industries.
		{name: "catalog", method: "GET", path: "/api/v1/catalog", status: 200,
			json:     map[string]any{"declared.cluster": 15, "declared.service": 8, "industries.#": 26, "total_target.value_yuan": 6000000000000, "declared.future": 6},
			contains: []string{`"directions"`, `"target_tiers"`, `"baseline"`, `"offices"`, `"districts"`, `"groups"`}},
		{name: "all industries", method: "GET", path: "/api/v1/industries", status: 200, json: map[string]any{"items.#": 26}},
		{name: "clusters", method: "GET", path: "/api/v1/industries?kind=cluster", status: 200, check: industries(15),
			json: map[string]any{"items.0.id": "icv-nev", "items.0.target.tier": "trillion", "items.0.target.value_yuan": 1000000000000, "items.0.progress": nil}},
		{name: "future", method: "GET", path: "/api/v1/industries?kind=future", status: 200, check: industries(3), json: map[string]any{"items.0.target": nil}},
		{name: "services", method: "GET", path: "/api/v1/industries?kind=service", status: 200, check: industries(8)},
		{name: "group", method: "GET", path: "/api/v1/industries?group=strategic-leading", status: 200, json: map[string]any{"items.0.id": "ai", "items.0.group": "strategic-leading"}},
		{name: "bad kind", method: "GET", path: "/api/v1/industries?kind=clusters", status: 400, json: map[string]any{"error.code": "invalid"}, contains: []string{`"kind"`}},
		{name: "unknown group", method: "GET", path: "/api/v1/industries?group=nope", status: 400, contains: []string{`"group"`, "emerging-pillar"}},
		{name: "unknown query parameter", method: "GET", path: "/api/v1/industries?knd=cluster", status: 400, contains: []string{`"knd"`}},
		{name: "industry", method: "GET", path: "/api/v1/industries/icv-nev", status: 200,
			json: map[string]any{"id": "icv-nev", "kind": "cluster", "indicators.#": 0, "enterprise_stats.total": 0, "progress": nil}},
		{name: "unknown industry", method: "GET", path: "/api/v1/industries/nope", status: 404, json: map[string]any{"error.code": "not_found"}},

		{name: "patch responsibility", method: "PATCH", path: "/api/v1/industries/icv-nev/responsibility",
			body: `{"city_leader":"张三","lead_department":"市工业和信息化局"}`, status: 200,
			json: map[string]any{"responsibility.city_leader": "张三", "responsibility.lead_department": "市工业和信息化局", "responsibility.task_force": ""}},
		{name: "patch responsibility keeps other fields", method: "PATCH", path: "/api/v1/industries/icv-nev/responsibility",
			body: `{"task_force":"智能网联与新能源汽车产业专班"}`, status: 200,
			json: map[string]any{"responsibility.city_leader": "张三", "responsibility.task_force": "智能网联与新能源汽车产业专班"}},
		{name: "responsibility read back", method: "GET", path: "/api/v1/industries/icv-nev", status: 200,
			json: map[string]any{"responsibility.city_leader": "张三", "responsibility.lead_department": "市工业和信息化局"}},
		{name: "responsibility wrong type", method: "PATCH", path: "/api/v1/industries/icv-nev/responsibility",
			body: `{"city_leader":5}`, status: 400,
			contains: []string{`字段 \"city_leader\" 类型错误：应为 string`, `field \"city_leader\": expected string, got number`}},
		{name: "responsibility too long", method: "PATCH", path: "/api/v1/industries/icv-nev/responsibility",
			body: `{"city_leader":"` + strings.Repeat("长", 101) + `"}`, status: 400, json: map[string]any{"error.fields.city_leader": "不超过 100 个字符 / at most 100 characters"}},
		{name: "responsibility unknown industry", method: "PATCH", path: "/api/v1/industries/nope/responsibility", body: `{}`, status: 404},

		{name: "put indicators", method: "PUT", path: "/api/v1/industries/icv-nev/indicators",
			body: `{"items":[{"metric":"revenue","period":"2023","value":600000000000,"source":"市统计局"},
				{"industry_id":"icv-nev","metric":"revenue","period":"2024","value":660000000000,"source":"市统计局"},
				{"metric":"investment","period":"2024-Q2","value":1000000,"source":"市发展改革委"}]}`,
			status: 200, json: map[string]any{"items.#": 3}},
		{name: "get indicators by metric", method: "GET", path: "/api/v1/industries/icv-nev/indicators?metric=revenue", status: 200,
			json: map[string]any{"items.#": 2, "items.0.period": "2023", "items.1.value": 660000000000, "items.1.unit": "yuan"}},
		{name: "unknown metric", method: "GET", path: "/api/v1/industries/icv-nev/indicators?metric=profit", status: 400, contains: []string{`"metric"`}},
		{name: "bad indicator rejected", method: "PUT", path: "/api/v1/industries/icv-nev/indicators",
			body:   `{"items":[{"metric":"revenue","period":"2024","value":1,"source":"x"},{"metric":"revenue","period":"2025","value":2,"source":"x"},{"metric":"revenue","period":"2024-13","value":3,"source":"x"}]}`,
			status: 400, json: map[string]any{"error.code": "invalid"}, contains: []string{`"items[2].period"`}},
		{name: "indicator of another industry rejected", method: "PUT", path: "/api/v1/industries/icv-nev/indicators",
			body:   `{"items":[{"industry_id":"ai","metric":"revenue","period":"2024","value":1,"source":"x"}]}`,
			status: 400, contains: []string{`"items[0].industry_id"`}},
		{name: "indicator wrong type names the index", method: "PUT", path: "/api/v1/industries/icv-nev/indicators",
			body:   `{"items":[{"metric":"revenue","period":"2024","value":1,"source":"x"},{"metric":"revenue","period":2024,"value":1,"source":"x"}]}`,
			status: 400, contains: []string{`字段 \"items[1].period\" 类型错误：应为 string`}},
		{name: "old indicators kept", method: "GET", path: "/api/v1/industries/icv-nev/indicators?metric=revenue", status: 200,
			json: map[string]any{"items.#": 2, "items.1.period": "2024", "items.1.value": 660000000000}},
		{name: "progress", method: "GET", path: "/api/v1/industries/icv-nev", status: 200,
			json: map[string]any{"progress.latest_year": 2024, "progress.base_year": 2023, "progress.latest_value_yuan": 660000000000, "progress.has_actual_rate": true, "indicators.#": 3}},
		{name: "progress in the list", method: "GET", path: "/api/v1/industries?kind=cluster", status: 200,
			json: map[string]any{"items.0.progress.latest_year": 2024, "items.1.progress": nil}},

		// Enterprises.
		{name: "create", method: "POST", path: "/api/v1/enterprises", body: enterpriseA, status: 201,
			json: map[string]any{"code": codeA, "district_code": "440106", "industry_class": "3612", "founded": "2015-06-01",
				"industries": []any{"icv-nev"}, "industries_override": false, "tiers": []any{}, "size_class": ""},
			check: func(t *testing.T, body map[string]any, resp *http.Response) {
				if got, want := resp.Header.Get("Location"), "/api/v1/enterprises/"+codeA; got != want {
					t.Errorf("Location = %q, want %q", got, want)
				}
				if body["created_at"] == nil {
					t.Error("no created_at")
				}
			}},
		{name: "create with industries and a lower-case code", method: "POST", path: "/api/v1/enterprises",
			body:   `{"code":"` + strings.ToLower(codeB) + `","name":"广州示例智能有限公司","district_code":"440104","industry_class":"3612","founded":"2010-01-05","industries":["ai"]}`,
			status: 201, json: map[string]any{"code": codeB, "industries": []any{"ai"}, "industries_override": true}},
		{name: "duplicate", method: "POST", path: "/api/v1/enterprises", body: enterpriseA, status: 409, json: map[string]any{"error.code": "conflict"}},
		{name: "invalid check character", method: "POST", path: "/api/v1/enterprises",
			body: strings.Replace(enterpriseA, codeA, codeA[:17]+"D", 1), status: 400, contains: []string{"第18位校验码应为 C", "character 18"}},
		{name: "invalid fields", method: "POST", path: "/api/v1/enterprises",
			body:   `{"code":"` + unknownCode(t) + `","name":" ","district_code":"999999","industry_class":"3612","founded":"2015-06-01"}`,
			status: 400, contains: []string{`"name"`, `"district_code"`}},
		{name: "unknown field", method: "POST", path: "/api/v1/enterprises",
			body: strings.Replace(enterpriseA, `{`, `{"nickname":"x",`, 1), status: 400,
			json: map[string]any{"error.fields.nickname": "未知字段 / unknown field"}},
		{name: "derived field rejected", method: "POST", path: "/api/v1/enterprises",
			body: strings.Replace(enterpriseA, `{`, `{"size_class":"large",`, 1), status: 400, contains: []string{`"size_class"`}},
		{name: "wrong type", method: "POST", path: "/api/v1/enterprises",
			body: strings.Replace(enterpriseA, `"2015-06-01"`, `20150601`, 1), status: 400,
			json: map[string]any{"error.message": `字段 "founded" 类型错误：应为 string，实为 number / field "founded": expected string, got number`}},
		{name: "bad date", method: "POST", path: "/api/v1/enterprises",
			body: strings.Replace(enterpriseA, `"2015-06-01"`, `"2015-13-01"`, 1), status: 400, contains: []string{`"founded"`, "YYYY-MM-DD"}},
		{name: "malformed JSON", method: "POST", path: "/api/v1/enterprises", body: `{"code": "x",}`, status: 400,
			contains: []string{"JSON 语法错误，位于第 14 字节", "malformed JSON at byte 14"}},
		{name: "truncated JSON", method: "POST", path: "/api/v1/enterprises", body: `{"code": "x"`, status: 400, contains: []string{"malformed JSON"}},
		{name: "two JSON values", method: "POST", path: "/api/v1/enterprises", body: enterpriseA + `{}`, status: 400, contains: []string{"exactly one JSON value"}},
		{name: "empty body", method: "POST", path: "/api/v1/enterprises", body: ``, status: 400, contains: []string{"empty"}},
		{name: "too large", method: "POST", path: "/api/v1/enterprises",
			body: strings.Replace(enterpriseA, "广州示例汽车科技有限公司", strings.Repeat("x", DefaultMaxBodyBytes), 1), status: 413,
			json: map[string]any{"error.code": "too_large"}},
		{name: "not JSON", method: "POST", path: "/api/v1/enterprises", body: enterpriseA, header: map[string]string{"Content-Type": "text/plain"}, status: 415},
		{name: "bad requests stored nothing", method: "GET", path: "/api/v1/enterprises", status: 200, json: map[string]any{"total": 2, "items.#": 2}},

		{name: "read", method: "GET", path: "/api/v1/enterprises/" + codeA, status: 200, json: map[string]any{"code": codeA, "name": "广州示例汽车科技有限公司"}},
		{name: "read normalises the code", method: "GET", path: "/api/v1/enterprises/" + strings.ToLower(codeA), status: 200, json: map[string]any{"code": codeA}},
		{name: "read invalid code", method: "GET", path: "/api/v1/enterprises/" + codeA[:17] + "D", status: 400,
			contains: []string{"第18位校验码应为 C", "character 18 (check character) should be C"}, json: map[string]any{"error.fields.code": "第18位校验码应为 C，实为 D / character 18 (check character) should be C, got D"}},
		{name: "read bad character", method: "GET", path: "/api/v1/enterprises/91440101MA5ALP4R4I", status: 400, contains: []string{"第18位"}},
		{name: "read unknown", method: "GET", path: "/api/v1/enterprises/" + unknownCode(t), status: 404, json: map[string]any{"error.code": "not_found"}},

		{name: "filter district", method: "GET", path: "/api/v1/enterprises?district=440106", status: 200, json: map[string]any{"total": 1, "items.0.code": codeA}},
		{name: "filter industry", method: "GET", path: "/api/v1/enterprises?industry=ai", status: 200, json: map[string]any{"total": 1, "items.0.code": codeB}},
		{name: "filter q", method: "GET", path: "/api/v1/enterprises?q=智能", status: 200, json: map[string]any{"total": 1, "items.0.code": codeB}},
		{name: "page", method: "GET", path: "/api/v1/enterprises?limit=1&offset=1", status: 200,
			json: map[string]any{"total": 2, "items.#": 1, "offset": 1, "limit": 1}},
		{name: "default page", method: "GET", path: "/api/v1/enterprises", status: 200, json: map[string]any{"offset": 0, "limit": 50}},
		{name: "limit over 1000", method: "GET", path: "/api/v1/enterprises?limit=1001", status: 400, contains: []string{`"limit"`, "1 到 1000"}},
		{name: "negative offset", method: "GET", path: "/api/v1/enterprises?offset=-1", status: 400, contains: []string{`"offset"`}},
		{name: "unknown tier", method: "GET", path: "/api/v1/enterprises?tier=giant", status: 400, contains: []string{`"tier"`, "little_giant"}},
		{name: "unknown size", method: "GET", path: "/api/v1/enterprises?size=huge", status: 400, contains: []string{`"size"`}},
		{name: "unknown industry filter", method: "GET", path: "/api/v1/enterprises?industry=nope", status: 400, contains: []string{`"industry"`}},
		{name: "bad district", method: "GET", path: "/api/v1/enterprises?district=4401", status: 400, contains: []string{`"district"`}},
		{name: "parameter twice", method: "GET", path: "/api/v1/enterprises?limit=1&limit=2", status: 400, contains: []string{`"limit"`}},

		{name: "patch", method: "PATCH", path: "/api/v1/enterprises/" + codeA, body: `{"name":"广州示例汽车集团有限公司"}`, status: 200,
			json: map[string]any{"name": "广州示例汽车集团有限公司", "industries": []any{"icv-nev"}}},
		{name: "patch industries", method: "PATCH", path: "/api/v1/enterprises/" + codeB, body: `{"industries":["ai","icv-nev"]}`, status: 200,
			json: map[string]any{"industries.#": 2, "industries_override": true}},
		{name: "patch reset industries", method: "PATCH", path: "/api/v1/enterprises/" + codeB, body: `{"reset_industries":true}`, status: 200,
			json: map[string]any{"industries": []any{"icv-nev"}, "industries_override": false}},
		{name: "patch invalid", method: "PATCH", path: "/api/v1/enterprises/" + codeA, body: `{"district_code":"000000"}`, status: 400, contains: []string{`"district_code"`}},
		{name: "patch unknown field", method: "PATCH", path: "/api/v1/enterprises/" + codeA, body: `{"code":"x"}`, status: 400, json: map[string]any{"error.fields.code": "未知字段 / unknown field"}},
		{name: "patch unknown", method: "PATCH", path: "/api/v1/enterprises/" + unknownCode(t), body: `{"name":"x"}`, status: 404},

		{name: "put facts", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts",
			body:   fmt.Sprintf(`{"items":[{"year":2024,"employees":%d,"revenue_fen":%d,"total_assets_fen":%d,"source":"统计年报","as_of":"2025-03-31"}]}`, emp, rev, assets),
			status: 200, json: map[string]any{"size_class": wantSize, "facts.0.year": 2024, "facts.0.revenue_fen": rev}},
		{name: "put facts from a second source", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts",
			body:   `{"items":[{"year":2024,"rd_spending_fen":5000000,"source":"研发统计","as_of":"2025-04-30"}]}`,
			status: 200, json: map[string]any{"size_class": wantSize, "facts.#": 1, "facts.0.rd_spending_fen": 5000000, "facts.0.employees": emp}},
		{name: "facts", method: "GET", path: "/api/v1/enterprises/" + codeA + "/facts", status: 200, json: map[string]any{"items.#": 2}},
		{name: "bad facts", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts",
			body: `{"items":[{"year":2023,"employees":10,"source":"x","as_of":"2024-01-01"},{"year":2024,"employees":-1,"source":"x"}]}`, status: 400,
			contains: []string{`"items[1].as_of"`, `"items[1].employees"`}},
		{name: "facts unchanged", method: "GET", path: "/api/v1/enterprises/" + codeA + "/facts", status: 200, json: map[string]any{"items.#": 2}},
		{name: "facts of unknown", method: "GET", path: "/api/v1/enterprises/" + unknownCode(t) + "/facts", status: 404},
		{name: "size filter", method: "GET", path: "/api/v1/enterprises?size=" + wantSize, status: 200, json: map[string]any{"total": 1, "items.0.size_class": wantSize}},
		{name: "enterprise with facts", method: "GET", path: "/api/v1/enterprises/" + codeA, status: 200, json: map[string]any{"facts.#": 1, "size_class": wantSize}},

		{name: "add tier", method: "POST", path: "/api/v1/enterprises/" + codeA + "/tiers",
			body: `{"kind":"srdi","level":"provincial","from":"2024-01-01","source":"广东省工业和信息化厅"}`, status: 201,
			json: map[string]any{"tiers.#": 1, "tiers.0.kind": "srdi", "tiers.0.level": "provincial", "tiers.0.to": nil},
			check: func(t *testing.T, _ map[string]any, resp *http.Response) {
				if got, want := resp.Header.Get("Location"), "/api/v1/enterprises/"+codeA+"/tiers/srdi/2024-01-01"; got != want {
					t.Errorf("Location = %q, want %q", got, want)
				}
			}},
		{name: "bad tier", method: "POST", path: "/api/v1/enterprises/" + codeA + "/tiers", body: `{"kind":"giant","level":"county","from":"2024-01-01","to":"2023-01-01"}`, status: 400,
			contains: []string{`"kind"`, `"level"`, `"to"`}},
		{name: "tier filter", method: "GET", path: "/api/v1/enterprises?tier=srdi", status: 200, json: map[string]any{"total": 1, "items.0.code": codeA}},
		{name: "industry stats", method: "GET", path: "/api/v1/industries/icv-nev", status: 200,
			json: map[string]any{"enterprise_stats.total": 2, "enterprise_stats.by_tier.srdi": 1, "enterprise_stats.by_district.440106": 1}},
		{name: "delete tier", method: "DELETE", path: "/api/v1/enterprises/" + codeA + "/tiers/srdi/2024-01-01", status: 200, json: map[string]any{"tiers": []any{}}},
		{name: "delete tier again", method: "DELETE", path: "/api/v1/enterprises/" + codeA + "/tiers/srdi/2024-01-01", status: 404},
		{name: "delete unknown tier kind", method: "DELETE", path: "/api/v1/enterprises/" + codeA + "/tiers/giant/2024-01-01", status: 400, contains: []string{`"kind"`}},
		{name: "delete bad date", method: "DELETE", path: "/api/v1/enterprises/" + codeA + "/tiers/srdi/2024-1-1", status: 400, contains: []string{`"from"`}},
		{name: "tier filter after delete", method: "GET", path: "/api/v1/enterprises?tier=srdi", status: 200, json: map[string]any{"total": 0, "items": []any{}}},
	}
	runScenarios(t, h, spec, scenarios)

	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("client errors were logged as errors:\n%s", logs.String())
	}
}

// TestInternalError checks that an unexpected error is a 500 whose message
// hides the cause, and that it is logged.
func TestInternalError(t *testing.T) {
	store := sqlstoretest.New(t)
	var logs bytes.Buffer
	h := NewHandler(Config{Now: testclock.Now,
		Catalog: brokenCatalog{store}, Enterprises: store,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "catalog fails", method: "GET", path: "/api/v1/catalog", status: 500,
			json: map[string]any{"error.code": "internal", "error.message": "内部错误 / internal error"}},
	})
	if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("server error not logged:\n%s", logs.String())
	}
}

// brokenCatalog is the real store with one method failing as a broken
// database would.
type brokenCatalog struct{ *sqlstore.Store }

func (brokenCatalog) FindCatalog(context.Context) (*chanye.Catalog, error) {
	return nil, errors.New("disk on fire")
}

func runScenarios(t *testing.T, h http.Handler, spec validator.Validator, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if sc.before != nil {
				sc.before()
			}
			var body io.Reader
			if sc.body != "" {
				body = strings.NewReader(sc.body)
			}
			req := httptest.NewRequest(sc.method, sc.path, body)
			if sc.body != "" && sc.header["Content-Type"] == "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range sc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			resp := rec.Result()
			raw := rec.Body.Bytes()
			if resp.StatusCode != sc.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, sc.status, raw)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			for _, s := range sc.contains {
				if !strings.Contains(string(raw), s) {
					t.Errorf("body does not contain %s:\n%s", s, raw)
				}
			}
			var decoded map[string]any
			if err := json.Unmarshal(raw, &decoded); err != nil {
				t.Fatalf("body is not a JSON object: %v\n%s", err, raw)
			}
			for path, want := range sc.json {
				got, ok := lookup(decoded, path)
				if !ok {
					t.Errorf("%s: missing in %s", path, raw)
					continue
				}
				if !sameJSON(got, want) {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
			if sc.check != nil {
				sc.check(t, decoded, resp)
			}
			validateResponse(t, spec, sc, resp, raw)
		})
	}
}

// lookup follows a dotted path through decoded JSON; "#" is an array's length.
func lookup(v any, path string) (any, bool) {
	for part := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			if part == "#" {
				return len(x), true
			}
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// sameJSON compares a decoded value with a Go literal by their JSON.
func sameJSON(got, want any) bool {
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	json.Unmarshal(g, &gv)
	json.Unmarshal(w, &wv)
	return reflect.DeepEqual(gv, wv)
}

func newSpecValidator(t *testing.T) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return v
}

// validateResponse checks the response against the document's schema for
// its route and status.
func validateResponse(t *testing.T, spec validator.Validator, sc scenario, resp *http.Response, raw []byte) {
	t.Helper()
	if sc.noSpec {
		return
	}
	req := httptest.NewRequest(sc.method, sc.path, nil)
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if ok, errs := spec.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			t.Errorf("response does not match openapi.json: %s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.FieldPath)
			}
		}
	}
}

// TestSignInBeforeFields: the public gets 401 from every route that changes
// state or runs a policy's code, before its body or path is read: a
// caller without an account learns no field errors (POST /api/v1/enterprises
// once answered them). GET routes are authz's alone.
func TestSignInBeforeFields(t *testing.T) {
	store := sqlstoretest.New(t)
	h := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Projects: store,
		Logger: slog.New(slog.DiscardHandler)})
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if method == http.MethodGet {
			continue
		}
		r := httptest.NewRequest(method, param.ReplaceAllString(path, "x"), strings.NewReader(`{"code":"bad","name":5`))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), `"fields"`) || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s as the public: %d %s, want 401 without field errors", rt, rec.Code, rec.Body.String())
		}
	}
}
