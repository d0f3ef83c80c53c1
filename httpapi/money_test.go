package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestMoneyBounds: every money input of the API is refused above its
// bound with a field error naming the field and the bound (issue 8,
// finding 1). The monthly report is put by the owner enterprise through
// the authz guard, as in production.
func TestMoneyBounds(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: codeA, Name: "广州示例汽车科技有限公司", DistrictCode: "440106",
		IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	owner := &chanye.Actor{Name: "企业甲", Role: chanye.RoleEnterprise, Code: codeA}
	guarded := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(),
		Projects: authz.Projects(store, store)})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := chanye.Operator
		if r.Header.Get(actorHeader) == "owner" {
			a = owner
		}
		guarded.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), a)))
	})
	spec := newSpecValidator(t)
	asOwner := map[string]string{actorHeader: "owner"}
	const maxInt64 = "9223372036854775807"
	maxP, maxF := int64(chanye.MaxProjectFen), int64(chanye.MaxFactFen)
	project := func(id, total, plan string) string {
		return `{"id":"` + id + `","name":"示例整车基地","owner_code":"` + codeA + `","industry_id":"icv-nev","district_code":"440106",
			"kind":"industrial","total_investment_fen":` + total + `,"yearly_plan":[{"year":2026,"planned_fen":` + plan + `}],
			"planned_start":"2026-01-15","planned_completion":"2027-12-31","stage":"building"}`
	}
	report := func(invested, cumulative string) string {
		return `{"invested_fen":` + invested + `,"cumulative_fen":` + cumulative + `,"progress_pct":10}`
	}
	facts := func(field, v string) string {
		return `{"items":[{"year":2024,"` + field + `":` + v + `,"source":"统计年报","as_of":"2025-03-31"}]}`
	}
	limitP := fmt.Sprint(maxP)
	scenarios := []scenario{
		{name: "project at the bound", method: "POST", path: "/api/v1/projects", body: project("GZ-0001", limitP, limitP), status: 201},
		{name: "total investment above the bound", method: "POST", path: "/api/v1/projects", body: project("GZ-0002", fmt.Sprint(maxP+1), "0"),
			status: 400, json: map[string]any{"error.fields.total_investment_fen": chanye.ExceedsFen(chanye.MaxProjectFen)}},
		{name: "total investment at MaxInt64", method: "POST", path: "/api/v1/projects", body: project("GZ-0002", maxInt64, maxInt64),
			status: 400, contains: []string{`"total_investment_fen"`, `"yearly_plan[0]"`, "1 万亿元"}},
		{name: "yearly plan above the bound", method: "PATCH", path: "/api/v1/projects/GZ-0001",
			body: `{"yearly_plan":[{"year":2026,"planned_fen":` + fmt.Sprint(maxP+1) + `}]}`, status: 400, contains: []string{`"yearly_plan[0]"`, "exceeds the limit"}},
		{name: "report at MaxInt64", method: "PUT", path: "/api/v1/projects/GZ-0001/reports/2026-10", header: asOwner,
			body: report(maxInt64, maxInt64), status: 400,
			json: map[string]any{"error.fields.invested_fen": chanye.ExceedsFen(chanye.MaxProjectFen), "error.fields.cumulative_fen": chanye.ExceedsFen(chanye.MaxProjectFen)}},
		{name: "report just above the bound", method: "PUT", path: "/api/v1/projects/GZ-0001/reports/2026-10", header: asOwner,
			body: report("1", fmt.Sprint(maxP+1)), status: 400, contains: []string{`"cumulative_fen"`, "超过上限"}},
		{name: "report at the bound", method: "PUT", path: "/api/v1/projects/GZ-0001/reports/2026-10", header: asOwner,
			body: report(limitP, limitP), status: 200, json: map[string]any{"cumulative_fen": float64(maxP)}},
		{name: "no report stored above the bound", method: "GET", path: "/api/v1/projects/GZ-0001/reports/2026-10", status: 200,
			json: map[string]any{"invested_fen": float64(maxP)}},
		{name: "revenue at the bound", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts", body: facts("revenue_fen", fmt.Sprint(maxF)), status: 200},
		{name: "revenue above the bound", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts", body: facts("revenue_fen", fmt.Sprint(maxF+1)),
			status: 400, contains: []string{`"items[0].revenue_fen":"` + chanye.ExceedsFen(chanye.MaxFactFen) + `"`}},
		{name: "revenue at MaxInt64", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts", body: facts("revenue_fen", maxInt64),
			status: 400, contains: []string{`"items[0].revenue_fen"`, "100 万亿元"}},
		{name: "employees above the bound", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts", body: facts("employees", maxInt64),
			status: 400, contains: []string{`"items[0].employees"`}},
	}
	runScenarios(t, h, spec, scenarios)
}
