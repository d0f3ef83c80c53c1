package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestChainsAPI: the set and one chain are read as openapi.json says; one
// chain is replaced, its industry fixed by the path; a bad set is refused
// naming the chain, the link and the field, and changes nothing.
func TestChainsAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Chains: store}))
	spec := newSpecValidator(t)
	set, err := store.FindChains(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ch := *set.Chain("ai")
	ch.Links = ch.Links[:1]
	ch.Links[0].Parent = ""
	ch.Relations = nil
	one, _ := json.Marshal(ch)
	whole, _ := json.Marshal(set)
	bad := strings.Replace(string(whole), `"stage":"upstream"`, `"stage":"upper"`, 1)
	runScenarios(t, h, spec, []scenario{
		{name: "the set", method: "GET", path: "/api/v1/chains", status: 200, json: map[string]any{"city": "广州", "chains.0.industry_id": "icv-nev"}},
		{name: "one chain", method: "GET", path: "/api/v1/chains/icv-nev", status: 200,
			json: map[string]any{"industry_id": "icv-nev", "links.0.stage": "upstream"}, contains: []string{`"source_list":[{`}},
		{name: "no chain", method: "GET", path: "/api/v1/chains/finance", status: 404},
		{name: "industry not the path's", method: "PUT", path: "/api/v1/chains/icv-nev", body: string(one), status: 400, contains: []string{`"industry_id"`}},
		{name: "replace one", method: "PUT", path: "/api/v1/chains/ai", body: string(one), status: 200, json: map[string]any{"removed": len(set.Chain("ai").Links) - 1}},
		{name: "ai has one link", method: "GET", path: "/api/v1/chains/ai", status: 200, json: map[string]any{"links.#": 1}},
		{name: "a bad set", method: "PUT", path: "/api/v1/chains", body: bad, status: 400, contains: []string{`].stage":`, `upper`}},
		{name: "import the set back", method: "PUT", path: "/api/v1/chains", body: string(whole), status: 200,
			json: map[string]any{"chains": len(set.Chains), "removed": 0}},
		{name: "ai whole again", method: "GET", path: "/api/v1/chains/ai", status: 200, json: map[string]any{"links.#": len(set.Chain("ai").Links)}},
	})
}

// TestLeadFirmsAPI: a 链主 is designated, listed and ended as openapi.json
// says; bad input names its field.
func TestLeadFirmsAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: codeA, Name: "广州示例汽车科技有限公司", DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
		t.Fatal(err)
	}
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Chains: store, LeadFirms: store}))
	spec := newSpecValidator(t)
	day := testclock.Today().String()
	runScenarios(t, h, spec, []scenario{
		{name: "none yet", method: "GET", path: "/api/v1/chains/icv-nev/lead-firms", status: 200, json: map[string]any{"items.#": 0}},
		{name: "designate", method: "POST", path: "/api/v1/chains/icv-nev/lead-firms", status: 201,
			body: `{"code":"` + codeA + `","designated_on":"` + day + `","source":"链主企业名单","scores":[{"criterion":"营收规模","value":90}]}`,
			json: map[string]any{"name": "广州示例汽车科技有限公司", "scores.0.value": 90}},
		{name: "twice", method: "POST", path: "/api/v1/chains/icv-nev/lead-firms", status: 409,
			body: `{"code":"` + codeA + `","designated_on":"` + day + `","source":"链主企业名单","scores":[{"criterion":"营收规模","value":90}]}`},
		{name: "bad score", method: "POST", path: "/api/v1/chains/ai/lead-firms", status: 400,
			body: `{"code":"` + codeA + `","designated_on":"` + day + `","source":"名单","scores":[{"criterion":"规模","value":120}]}`, contains: []string{`"scores[0].value"`}},
		{name: "listed", method: "GET", path: "/api/v1/chains/icv-nev/lead-firms", status: 200, json: map[string]any{"items.#": 1, "items.0.code": codeA}},
		{name: "end", method: "POST", path: "/api/v1/chains/icv-nev/lead-firms/1/end", body: `{"ended_on":"` + day + `"}`, status: 200, json: map[string]any{"ended_on": day}},
		{name: "end again", method: "POST", path: "/api/v1/chains/icv-nev/lead-firms/1/end", body: `{"ended_on":"` + day + `"}`, status: 409},
	})
}
