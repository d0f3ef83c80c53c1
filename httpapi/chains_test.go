package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

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
