package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestSpaceAPI walks industrial space through the API as openapi.json
// says, through the guards serve puts before it: a block and its units
// with their field errors, changed by PATCH; routing by the size rule; a
// hold for a key project released and taken again, the floor allocated
// to it, land transferred to a firm with figures and a plant leased and
// given up; the use with its 亩均 exact to the fen, flagged until the
// thresholds move; an enterprise sees its own allocations and the units
// on offer without their rents; the map as GeoJSON; imports of a
// workbook, a GeoJSON file and a faulty CSV.
func TestSpaceAPI(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := testclock.Now()
	db.Now = func() time.Time { return now }
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	for _, code := range []string{codeA, codeB} {
		if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: code, Name: "企业" + code[14:], DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
			t.Fatal(err)
		}
	}
	// A's latest year: 2 亿元 of revenue, 300 万元 of tax; B has no figures.
	rev, tax := chanye.Fen(200_000_000_00), chanye.Fen(3_000_000_00)
	asOf := chanye.DateOf(now.AddDate(0, 0, -1)) // reported yesterday
	if _, err := store.PutFacts(ctx, codeA, []*chanye.Facts{{Year: now.Year() - 1, Revenue: &rev, TaxPaid: &tax, Source: "test", AsOf: asOf}}); err != nil {
		t.Fatal(err)
	}
	start, _ := chanye.ParseDate("2026-01-15")
	end, _ := chanye.ParseDate("2028-12-31")
	if err := store.CreateProject(ctx, &project.Project{ID: "GZ-S001", Name: "空间测试项目", OwnerCode: codeA, IndustryID: "icv-nev", DistrictCode: "440106",
		Kind: project.KindIndustrial, TotalInvestmentFen: 80_000_000_00, PlannedStart: start, PlannedCompletion: end, Stage: project.StageSigned}); err != nil {
		t.Fatal(err)
	}
	svc := &SpaceServices{Inventory: authz.SpaceInventory(store), Allocations: authz.SpaceAllocations(store, store, store, store, store), Use: authz.SpaceUse(store)}
	h := asActor(asFirm(NewHandler(Config{Now: func() time.Time { return now }, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Space: svc})))
	firmB := map[string]string{firmHeader: codeB}
	day := func(n int) string { return chanye.DateOf(now.AddDate(0, 0, n)).String() }
	boundary := `{"type":"Polygon","coordinates":[[[113.35,23.12],[113.36,23.12],[113.36,23.13],[113.35,23.12]]]}`
	block := `{"code":"TH-01","name":"天河智能网联汽车产业区块","district_code":"440106","area_m2":1000000,"industries":["icv-nev"],"boundary":` + boundary + `,"schematic":true}`
	land := `{"block_code":"TH-01","kind":"land","code":"DK-01","area_m2":20000,"land_use":"M1 一类工业用地","plot_ratio":250,"power_kva":5000,"env_class":2,"price_fen":3000000000}`
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "a block in no district", method: "POST", path: "/api/v1/space/blocks", status: 400, body: strings.Replace(block, "440106", "449999", 1), contains: []string{`"district_code"`}},
		{name: "a block", method: "POST", path: "/api/v1/space/blocks", status: 201, body: block,
			json: map[string]any{"id": 1, "code": "TH-01", "industries": []string{"icv-nev"}, "boundary.type": "Polygon", "schematic": true}},
		{name: "its code again", method: "POST", path: "/api/v1/space/blocks", status: 409, body: block},
		{name: "the blocks, without boundaries", method: "GET", path: "/api/v1/space/blocks?district=440106&industry=icv-nev", status: 200,
			json: map[string]any{"total": 1, "items.0.code": "TH-01"}, check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if _, ok := lookup(body, "items.0.boundary"); ok {
					t.Error("a list carries a boundary")
				}
			}},
		{name: "a bad filter", method: "GET", path: "/api/v1/space/blocks?area=1", status: 400, contains: []string{`"area"`}},
		{name: "renamed, the rest kept", method: "PATCH", path: "/api/v1/space/blocks/1", status: 200, body: `{"name":"天河智谷"}`,
			json: map[string]any{"name": "天河智谷", "area_m2": 1000000, "industries.0": "icv-nev", "boundary.type": "Polygon"}},
		{name: "the block", method: "GET", path: "/api/v1/space/blocks/1", status: 200, json: map[string]any{"name": "天河智谷", "boundary.type": "Polygon"}},

		{name: "land", method: "POST", path: "/api/v1/space/units", status: 201, body: land, json: map[string]any{"id": 1, "block_id": 1, "block_code": "TH-01", "status": "available"}},
		{name: "land for rent", method: "POST", path: "/api/v1/space/units", status: 400, body: strings.Replace(land, `"price_fen"`, `"rent_fen_m2_month":100,"price_fen"`, 1),
			contains: []string{`"rent_fen_m2_month"`}},
		{name: "no such block", method: "POST", path: "/api/v1/space/units", status: 400, body: strings.Replace(land, "TH-01", "XX-99", 1), contains: []string{`"block_code"`}},
		{name: "a floor", method: "POST", path: "/api/v1/space/units", status: 201,
			body: `{"block_id":1,"kind":"floor","code":"B1-F03","area_m2":2500,"building":"1号楼","level":3,"load_kg_m2":800,"ceiling_cm":450,"freight_lift":true,"rent_fen_m2_month":4500}`,
			json: map[string]any{"id": 2, "kind": "floor", "level": 3}},
		{name: "a plant", method: "POST", path: "/api/v1/space/units", status: 201,
			body: `{"block_id":1,"kind":"plant","code":"CF-01","area_m2":900,"env_class":1,"rent_fen_m2_month":3000}`, json: map[string]any{"id": 3}},
		{name: "another plant", method: "POST", path: "/api/v1/space/units", status: 201,
			body: `{"block_id":1,"kind":"plant","code":"CF-02","area_m2":1100,"rent_fen_m2_month":3200}`, json: map[string]any{"id": 4}},
		{name: "land in reserve", method: "POST", path: "/api/v1/space/units", status: 201,
			body: `{"block_id":1,"kind":"land","code":"DK-02","area_m2":40000,"status":"reserve"}`, json: map[string]any{"id": 5, "status": "reserve"}},
		{name: "the land", method: "GET", path: "/api/v1/space/units?block=1&kind=land", status: 200, json: map[string]any{"total": 2, "items.0.code": "DK-01"}},
		{name: "a bad kind", method: "GET", path: "/api/v1/space/units?kind=castle", status: 400, contains: []string{`"kind"`}},
		{name: "an enterprise sees what is on offer, without rents", method: "GET", path: "/api/v1/space/units?block=1", header: firmB, status: 200,
			json: map[string]any{"total": 4}, check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if strings.Contains(fmt.Sprint(body), "rent_fen") || strings.Contains(fmt.Sprint(body), "price_fen") || strings.Contains(fmt.Sprint(body), "reserve") {
					t.Errorf("an enterprise reads prices or land in reserve: %v", body)
				}
			}},
		{name: "nor the land in reserve", method: "GET", path: "/api/v1/space/units/5", header: firmB, status: 404},
		{name: "a plant's rent", method: "PATCH", path: "/api/v1/space/units/4", status: 200, body: `{"rent_fen_m2_month":3100}`,
			json: map[string]any{"rent_fen_m2_month": 3100, "area_m2": 1100, "code": "CF-02"}},
		{name: "an enterprise may not", method: "PATCH", path: "/api/v1/space/units/4", header: firmB, status: 403, body: `{"rent_fen_m2_month":1}`},

		// Routing: 8,000 万元 is a medium project by the default rule (floors).
		{name: "a medium project gets floors", method: "POST", path: "/api/v1/space/route", status: 200,
			body: `{"investment_fen":8000000000,"area_m2":2000,"industry_id":"icv-nev","districts":["440106"],"freight_lift":true}`,
			json: map[string]any{"kind": "floor", "why.text_zh": "中项目供楼", "considered": 1, "candidates.0.unit.code": "B1-F03", "candidates.0.block.code": "TH-01",
				"candidates.0.unmet.#": 0}},
		{name: "a large one land", method: "POST", path: "/api/v1/space/route?limit=1", status: 200, body: `{"investment_fen":60000000000,"area_m2":30000,"power_kva":4000}`,
			json: map[string]any{"kind": "land", "candidates.#": 1, "candidates.0.unit.code": "DK-01", "candidates.0.unmet.0.text_en": "20000 m², less than the 30000 m² needed"}},
		{name: "needs without an area", method: "POST", path: "/api/v1/space/route", status: 400, body: `{"investment_fen":100}`, contains: []string{`"area_m2"`}},
		{name: "the size rule", method: "GET", path: "/api/v1/space/size-rule", status: 200, json: map[string]any{"large_fen": 50000000000, "medium_area_m2": 2000}},
		{name: "a rule upside down", method: "PUT", path: "/api/v1/space/size-rule", status: 400,
			body: `{"large_fen":100,"large_area_m2":100,"medium_fen":200,"medium_area_m2":50}`, contains: []string{`"medium_fen"`}},
		{name: "a rule of the city's", method: "PUT", path: "/api/v1/space/size-rule", status: 200,
			body: `{"large_fen":30000000000,"large_area_m2":15000,"medium_fen":3000000000,"medium_area_m2":1500}`, json: map[string]any{"large_fen": 30000000000}},
		{name: "only administrators set it", method: "PUT", path: "/api/v1/space/size-rule", header: firmB, status: 403,
			body: `{"large_fen":30000000000,"large_area_m2":15000,"medium_fen":3000000000,"medium_area_m2":1500}`},

		// Holds and allocations.
		{name: "a hold for no project", method: "POST", path: "/api/v1/space/units/2/holds", status: 400, body: `{"for_kind":"project","for_id":"GZ-X","until":"` + day(10) + `"}`,
			contains: []string{`"for_id"`}},
		{name: "a hold", method: "POST", path: "/api/v1/space/units/2/holds", status: 201, body: `{"for_kind":"project","for_id":"GZ-S001","until":"` + day(10) + `","note":"待签约"}`,
			json: map[string]any{"id": 1, "unit_id": 2, "status": "active", "held_on": day(0)}},
		{name: "held twice", method: "POST", path: "/api/v1/space/units/2/holds", status: 409, body: `{"for_kind":"project","for_id":"GZ-S001","until":"` + day(10) + `"}`},
		{name: "the project's holds", method: "GET", path: "/api/v1/space/holds?for_kind=project&for_id=GZ-S001&status=active", status: 200, json: map[string]any{"total": 1, "items.0.note": "待签约"}},
		{name: "holds are the officials'", method: "GET", path: "/api/v1/space/holds", header: firmB, status: 403},
		{name: "released", method: "POST", path: "/api/v1/space/holds/1/release", status: 200, body: `{"note":"改选"}`, json: map[string]any{"status": "released", "end_note": "改选"}},
		{name: "released twice", method: "POST", path: "/api/v1/space/holds/1/release", status: 409, body: `{}`},
		{name: "held again", method: "POST", path: "/api/v1/space/units/2/holds", status: 201, body: `{"for_kind":"project","for_id":"GZ-S001","until":"` + day(10) + `"}`,
			json: map[string]any{"id": 2}},
		{name: "the floor to the project", method: "POST", path: "/api/v1/space/units/2/allocations", status: 201,
			body: `{"kind":"lease","code":"` + codeA + `","from":"` + day(0) + `","to":"` + day(3*365) + `","amount_fen":4500}`,
			json: map[string]any{"id": 1, "for_kind": "project", "for_id": "GZ-S001", "name": "企业" + codeA[14:], "ended": false}},
		{name: "the hold ended allocated", method: "GET", path: "/api/v1/space/holds?unit=2", status: 200, json: map[string]any{"items.0.status": "allocated"}},
		{name: "land is not leased", method: "POST", path: "/api/v1/space/units/1/allocations", status: 400,
			body: `{"kind":"lease","code":"` + codeA + `","from":"` + day(0) + `","to":"` + day(365) + `"}`, contains: []string{`"kind"`}},
		{name: "land to A", method: "POST", path: "/api/v1/space/units/1/allocations", status: 201,
			body: `{"kind":"transfer","code":"` + codeA + `","from":"` + day(-400) + `","amount_fen":3000000000}`, json: map[string]any{"id": 2, "kind": "transfer"}},
		{name: "allocated twice", method: "POST", path: "/api/v1/space/units/1/allocations", status: 409,
			body: `{"kind":"transfer","code":"` + codeB + `","from":"` + day(0) + `"}`},
		{name: "a plant to B", method: "POST", path: "/api/v1/space/units/3/allocations", status: 201,
			body: `{"kind":"lease","code":"` + codeB + `","from":"` + day(-30) + `","to":"` + day(700) + `","amount_fen":3000}`, json: map[string]any{"id": 3}},
		{name: "A's allocations", method: "GET", path: "/api/v1/space/allocations?code=" + codeA, status: 200, json: map[string]any{"total": 2, "items.0.id": 2}},
		{name: "B reads its own whatever it asks", method: "GET", path: "/api/v1/space/allocations?code=" + codeA, header: firmB, status: 200,
			json: map[string]any{"total": 0}},
		{name: "B's own", method: "GET", path: "/api/v1/space/allocations", header: firmB, status: 200, json: map[string]any{"total": 1, "items.0.code": codeB}},
		{name: "a bad code", method: "GET", path: "/api/v1/space/allocations?code=123", status: 400, contains: []string{`"code"`}},

		// 亩均: A's 300 万元 of tax on 20,000 m² (30 亩) is 10 万元 a 亩,
		// under the default 15 万元; 3,400 of the 4,500 m² of floors and
		// plants are let.
		{name: "the use", method: "GET", path: "/api/v1/space/use?district=440106", status: 200,
			json: map[string]any{"items.#": 1, "items.0.block.code": "TH-01", "items.0.land_m2": 20000, "items.0.tax_per_mu_fen": 10_000_000,
				"items.0.revenue_per_mu_fen": 666_666_667, "items.0.value_added_per_mu_fen": nil, "items.0.occupancy_per_mille": 755,
				"items.0.allocated": 3, "items.0.rank": 1, "items.0.flags.0.text_en": "tax per 亩 below the threshold", "thresholds.min_tax_per_mu_fen": 15_000_000},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if _, ok := lookup(body, "items.0.block.boundary"); ok {
					t.Error("the use carries boundaries")
				}
			}},
		{name: "the use is the officials'", method: "GET", path: "/api/v1/space/use", header: firmB, status: 403},
		{name: "thresholds out of range", method: "PUT", path: "/api/v1/space/use-thresholds", status: 400,
			body: `{"min_tax_per_mu_fen":5000000,"min_revenue_per_mu_fen":0,"idle_days":5000}`, contains: []string{`"idle_days"`}},
		{name: "lower thresholds", method: "PUT", path: "/api/v1/space/use-thresholds", status: 200,
			body: `{"min_tax_per_mu_fen":5000000,"min_revenue_per_mu_fen":0,"idle_days":365}`, json: map[string]any{"min_tax_per_mu_fen": 5000000}},
		{name: "no longer flagged", method: "GET", path: "/api/v1/space/use", status: 200, json: map[string]any{"items.0.tax_per_mu_fen": 10_000_000},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if _, ok := lookup(body, "items.0.flags"); ok {
					t.Errorf("still flagged: %v", body)
				}
			}},
		{name: "the plant given up", method: "POST", path: "/api/v1/space/allocations/3/end", status: 200, body: `{"on":"` + day(0) + `"}`,
			json: map[string]any{"ended": true, "ended_on": day(0)}},
		{name: "given up twice", method: "POST", path: "/api/v1/space/allocations/3/end", status: 409, body: `{}`},
		{name: "on offer again", method: "GET", path: "/api/v1/space/units/3", status: 200, json: map[string]any{"status": "available"}},
		{name: "less let", method: "GET", path: "/api/v1/space/use", status: 200, json: map[string]any{"items.0.occupancy_per_mille": 555}},
	})

	// The map: officials get the use, an enterprise the blocks alone.
	geo := func(t *testing.T, header map[string]string) map[string]any {
		t.Helper()
		req := httptest.NewRequest("GET", "/api/v1/space/blocks.geojson", nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/geo+json" {
			t.Fatalf("blocks.geojson: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
		validateResponse(t, newSpecValidator(t), scenario{method: "GET", path: "/api/v1/space/blocks.geojson"}, rec.Result(), rec.Body.Bytes())
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		return body
	}
	official := geo(t, nil)
	for path, want := range map[string]any{"type": "FeatureCollection", "use": true, "features.#": 1, "features.0.geometry.type": "Polygon",
		"features.0.properties.code": "TH-01", "features.0.properties.schematic": true, "features.0.properties.tax_per_mu_fen": 10_000_000,
		"features.0.properties.occupancy_per_mille": 555, "features.0.properties.rank": 1} {
		if got, ok := lookup(official, path); !ok || !sameJSON(got, want) {
			t.Errorf("the officials' map: %s = %v, want %v", path, got, want)
		}
	}
	firm := geo(t, firmB)
	if use, _ := lookup(firm, "use"); use != false {
		t.Errorf("an enterprise's map: use %v", use)
	}
	if _, ok := lookup(firm, "features.0.properties.tax_per_mu_fen"); ok {
		t.Errorf("an enterprise reads the use on the map: %v", firm)
	}

	// Imports: a workbook adds a block and its plant and updates TH-01's
	// name, keeping its boundary (a sheet has none); a GeoJSON file
	// changes the boundary; a faulty CSV stores
	// nothing and names the row and the column.
	var wb bytes.Buffer
	th := &space.Block{Code: "TH-01", Name: "天河智谷一期", DistrictCode: "440106", AreaM2: 1_000_000, Industries: []string{"icv-nev"}, Schematic: true}
	hz := &space.Block{Code: "HZ-01", Name: "海珠区块", DistrictCode: "440105", AreaM2: 500_000, Industries: []string{"icv-nev"}}
	rent := chanye.Fen(2800)
	plant := &space.Unit{BlockCode: "HZ-01", Kind: space.Plant, Code: "CF-01", AreaM2: 800, RentFenM2Month: &rent, Status: space.Available}
	if err := dataio.ExportInventory(&wb, []*space.Block{th, hz}, []*space.Unit{plant}); err != nil {
		t.Fatal(err)
	}
	var gj bytes.Buffer
	moved := *th
	moved.Name, moved.Boundary = "天河智谷一期", json.RawMessage(`{"type":"Polygon","coordinates":[[[113.37,23.12],[113.38,23.12],[113.38,23.13],[113.37,23.12]]]}`)
	if _, err := dataio.ExportBlocksGeoJSON(&gj, []*space.Block{&moved}, "示意 / schematic"); err != nil {
		t.Fatal(err)
	}
	xlsxBody, xlsxHeader := sheetForm(t, "file", "inventory.xlsx", wb.String())
	geoBody, geoHeader := sheetForm(t, "file", "blocks.geojson", gj.String())
	csvBody, csvHeader := sheetForm(t, "file", "units.csv", "block_code,kind,code,area_m2\nHZ-01,plant,CF-02,0\n")
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "a workbook", method: "POST", path: "/api/v1/space/import", header: xlsxHeader, body: xlsxBody, status: 200,
			json: map[string]any{"blocks_created": 1, "blocks_updated": 1, "units_created": 1, "units_updated": 0}},
		{name: "the workbook kept the boundary", method: "GET", path: "/api/v1/space/blocks/1", status: 200,
			json: map[string]any{"name": "天河智谷一期", "boundary.coordinates.0.0.0": 113.35}},
		{name: "an enterprise may not", method: "POST", path: "/api/v1/space/import", header: map[string]string{"Content-Type": xlsxHeader["Content-Type"], firmHeader: codeB},
			body: xlsxBody, status: 403},
		{name: "boundaries", method: "POST", path: "/api/v1/space/import", header: geoHeader, body: geoBody, status: 200, json: map[string]any{"blocks_updated": 1}},
		{name: "moved", method: "GET", path: "/api/v1/space/blocks/1", status: 200, json: map[string]any{"name": "天河智谷一期", "boundary.coordinates.0.0.0": 113.37}},
		{name: "a CSV of no kind", method: "POST", path: "/api/v1/space/import", header: csvHeader, body: csvBody, status: 400, contains: []string{`"kind"`}},
		{name: "a faulty CSV", method: "POST", path: "/api/v1/space/import?kind=units", header: csvHeader, body: csvBody, status: 400,
			contains: []string{`"units row 2, column area_m2"`}},
		{name: "nothing stored", method: "GET", path: "/api/v1/space/units?kind=plant&district=440105", status: 200, json: map[string]any{"total": 1}},
	})
}
