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

// TestPlacementsAPI: a scope is stored, the placement puts the firm on its
// link, the diagnosis explains every link, firms are placed and removed by
// hand, and bad input names its field — all as openapi.json says.
func TestPlacementsAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	for code, class := range map[string]string{codeA: "3841", codeB: "3841"} {
		if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: code, Name: "示例电池" + code[len(code)-4:], DistrictCode: "440106", IndustryClass: class, Founded: founded}); err != nil {
			t.Fatal(err)
		}
	}
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Chains: store, Placements: store}))
	spec := newSpecValidator(t)
	day := testclock.Today().String()
	runScenarios(t, h, spec, []scenario{
		{name: "no scope yet", method: "GET", path: "/api/v1/enterprises/" + codeA + "/scope", status: 404},
		{name: "not diagnosed before a placement", method: "GET", path: "/api/v1/chains/icv-nev/diagnosis", status: 200,
			json: map[string]any{"placed_at": nil, "links.0.verdict": "unknown"}},
		{name: "a scope", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/scope", status: 200,
			body: `{"text":"锂离子电池、电芯的研发和制造","source":"市场监管登记","as_of":"` + day + `"}`, json: map[string]any{"source": "市场监管登记"}},
		{name: "an empty scope", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/scope", status: 400,
			body: `{"text":"","source":"x","as_of":"` + day + `"}`, contains: []string{`"text"`}},
		{name: "place", method: "POST", path: "/api/v1/chains/place", status: 200, json: map[string]any{"placed": 1, "segmented": 1}},
		{name: "its links", method: "GET", path: "/api/v1/enterprises/" + codeA + "/placements", status: 200,
			// 锂离子电池 is a keyword of the storage chain's cells too.
			json: map[string]any{"items.#": 2, "items.0.link_id": "icv-nev.battery.cell", "items.1.link_id": "new-energy-storage.cells.lithium", "items.0.source": "rule"}},
		{name: "the link's firms", method: "GET", path: "/api/v1/chain-links/icv-nev.battery/firms", status: 200,
			json: map[string]any{"total": 1, "items.0.code": codeA}},
		{name: "a limit too large", method: "GET", path: "/api/v1/chain-links/icv-nev.battery/firms?limit=501", status: 400, contains: []string{`"limit"`}},
		{name: "by hand", method: "POST", path: "/api/v1/chain-links/icv-nev.battery/firms", status: 201,
			body: `{"code":"` + codeB + `","note":"走访确认"}`, json: map[string]any{"source": "manual", "industry_id": "icv-nev"}},
		{name: "by hand twice", method: "POST", path: "/api/v1/chain-links/icv-nev.battery/firms", status: 409, body: `{"code":"` + codeB + `"}`},
		{name: "an unknown link", method: "POST", path: "/api/v1/chain-links/icv-nev.nowhere/firms", status: 404, body: `{"code":"` + codeB + `"}`},
		{name: "remove without a reason", method: "POST", path: "/api/v1/chain-links/icv-nev.battery.cell/firms/" + codeA + "/remove", status: 400,
			body: `{"reason":""}`, contains: []string{`"reason"`}},
		{name: "remove", method: "POST", path: "/api/v1/chain-links/icv-nev.battery.cell/firms/" + codeA + "/remove", status: 200, body: `{"reason":"主营已转为储能"}`, json: map[string]any{"reason": "主营已转为储能"}},
		{name: "removals", method: "GET", path: "/api/v1/chains/icv-nev/removals", status: 200, json: map[string]any{"items.#": 1, "items.0.reason": "主营已转为储能"}},
		{name: "undo", method: "POST", path: "/api/v1/chain-links/icv-nev.battery.cell/removals/" + codeA + "/undo", status: 200, json: map[string]any{"code": codeA}},
		{name: "undo again", method: "POST", path: "/api/v1/chain-links/icv-nev.battery.cell/removals/" + codeA + "/undo", status: 404},
		{name: "place again", method: "POST", path: "/api/v1/chains/place", status: 200, json: map[string]any{"placed": 2, "added": 1, "segmented": 0}},
		{name: "diagnosis", method: "GET", path: "/api/v1/chains/icv-nev/diagnosis", status: 200,
			json:     map[string]any{"links.0.link_id": "icv-nev.battery", "links.0.verdict": "missing", "links.0.stats.firms": 2, "thresholds.strong_above_scale": 10},
			contains: []string{`本地无规上企业`}},
		{name: "thresholds", method: "GET", path: "/api/v1/chain-thresholds", status: 200, json: map[string]any{"max_top_share": 500}},
		{name: "bad thresholds", method: "PUT", path: "/api/v1/chain-thresholds", status: 400,
			body: `{"missing_above_scale":1,"strong_above_scale":10,"strong_leaders":1,"max_top_share":1001,"min_growth":0}`, contains: []string{`"max_top_share"`}},
		{name: "looser thresholds", method: "PUT", path: "/api/v1/chain-thresholds", status: 200,
			body: `{"missing_above_scale":0,"strong_above_scale":0,"strong_leaders":0,"max_top_share":1000,"min_growth":-1000}`},
		{name: "strong now", method: "GET", path: "/api/v1/chains/icv-nev/diagnosis", status: 200, json: map[string]any{"links.0.verdict": "strong"}},
	})
}
