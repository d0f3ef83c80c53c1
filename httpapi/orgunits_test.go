package httpapi

import (
	"context"
	"fmt"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestOrgUnitsAPI: the lists are read in their order, kept through the API,
// and the responsibility route refuses a name not on them, naming the
// field and the value; each response matches openapi.json.
func TestOrgUnitsAPI(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Lists: store}))
	spec := newSpecValidator(t)
	jia := &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: "市领导甲"}
	if err := store.CreateOrgUnit(ctx, jia); err != nil {
		t.Fatal(err)
	}
	jiaPath, yiPath := fmt.Sprintf("/api/v1/org-units/%d", jia.ID), fmt.Sprintf("/api/v1/org-units/%d", jia.ID+1)
	runScenarios(t, h, spec, []scenario{
		{name: "departments seeded from the catalog", method: "GET", path: "/api/v1/org-units?kind=department", status: 200,
			json: map[string]any{"items.0.name_zh": "市发展改革委", "items.0.position": 1, "items.1.name_zh": "市工业和信息化局"}},
		{name: "add", method: "POST", path: "/api/v1/org-units", body: `{"kind":"leader","name_zh":"市领导乙","name_en":"Leader B"}`, status: 201,
			json: map[string]any{"name_zh": "市领导乙", "position": 2, "retired": false}},
		{name: "add twice", method: "POST", path: "/api/v1/org-units", body: `{"kind":"leader","name_zh":"市领导乙"}`, status: 409},
		{name: "add unknown kind", method: "POST", path: "/api/v1/org-units", body: `{"kind":"mayor","name_zh":"x"}`, status: 400, contains: []string{`"kind"`}, noSpec: true},
		{name: "move 乙 first", method: "PATCH", path: yiPath, body: `{"position":1}`, status: 200,
			json: map[string]any{"position": 1}},
		{name: "leaders in the list's order", method: "GET", path: "/api/v1/org-units?kind=leader&retired=false", status: 200,
			json: map[string]any{"items.#": 2, "items.0.name_zh": "市领导乙", "items.1.name_zh": "市领导甲"}},
		{name: "bad kind", method: "GET", path: "/api/v1/org-units?kind=mayor", status: 400, contains: []string{`"kind"`}, noSpec: true},
		{name: "unknown leader refused", method: "PATCH", path: "/api/v1/industries/icv-nev/responsibility", body: `{"city_leader":"市领导丙"}`, status: 400,
			contains: []string{`"city_leader"`, `市领导丙`}},
		{name: "listed leader", method: "PATCH", path: "/api/v1/industries/icv-nev/responsibility", body: `{"city_leader":"市领导甲"}`, status: 200,
			json: map[string]any{"responsibility.city_leader": "市领导甲"}},
		{name: "uses", method: "GET", path: jiaPath + "/uses", status: 200,
			json: map[string]any{"items.0.what": "industries", "items.0.count": 1, "items.0.keys.0": "icv-nev"}},
		{name: "retire in use", method: "PATCH", path: jiaPath, body: `{"retired":true}`, status: 409, contains: []string{"icv-nev"}},
		{name: "unknown entry", method: "PATCH", path: "/api/v1/org-units/9999", body: `{"name_en":"x"}`, status: 404},
	})
}
