package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/space"
)

// spaceFixture are the ids of addSpace's records.
type spaceFixture struct {
	drawn, undrawn       *space.Block
	parcel, floor3       *space.Unit
	floor4, plant, other *space.Unit
}

// addSpace stores two blocks: one in Huangpu (440112) planned for the
// automotive cluster, its boundary a schematic square, with a land
// parcel, two floors of building 1 and a plant; one in Tianhe (440106)
// without a boundary, with a floor.
func addSpace(t *testing.T, f *fixture) *spaceFixture {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	fen := func(yuan int64) *chanye.Fen { x := chanye.Fen(yuan * 100); return &x }
	sq := json.RawMessage(`{"type":"Polygon","coordinates":[[[113.40,23.10],[113.42,23.10],[113.42,23.12],[113.40,23.12],[113.40,23.10]]]}`)
	sf := &spaceFixture{
		drawn:   &space.Block{Code: "HP-001", Name: "黄埔智造园", DistrictCode: "440112", AreaM2: 200_000, Industries: []string{f.autoID}, Boundary: sq, Schematic: true},
		undrawn: &space.Block{Code: "TH-001", Name: "天河软件园", DistrictCode: "440106", AreaM2: 50_000, Industries: []string{}},
	}
	for _, b := range []*space.Block{sf.drawn, sf.undrawn} {
		if err := f.store.CreateBlock(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	sf.parcel = &space.Unit{BlockID: sf.drawn.ID, Kind: space.Land, Code: "HP-001-01", AreaM2: 30_000, LandUse: "M1 一类工业用地", PlotRatio: 250,
		PowerKVA: 5000, Env: space.M2, PriceFen: fen(60_000_000)}
	sf.floor3 = &space.Unit{BlockID: sf.drawn.ID, Kind: space.Floor, Code: "1栋3层", Building: "1栋", Level: 3, AreaM2: 2_500, LoadKgM2: 800,
		CeilingCM: 450, FreightLift: true, PowerKVA: 400, Env: space.M1, RentFenM2Month: fen(35)}
	sf.floor4 = &space.Unit{BlockID: sf.drawn.ID, Kind: space.Floor, Code: "1栋4层", Building: "1栋", Level: 4, AreaM2: 3_000, LoadKgM2: 500,
		CeilingCM: 420, PowerKVA: 300, Env: space.M1, RentFenM2Month: fen(32)}
	sf.plant = &space.Unit{BlockID: sf.drawn.ID, Kind: space.Plant, Code: "A1", AreaM2: 1_500, PowerKVA: 200, Env: space.M2, RentFenM2Month: fen(25)}
	sf.other = &space.Unit{BlockID: sf.undrawn.ID, Kind: space.Floor, Code: "2栋5层", Building: "2栋", Level: 5, AreaM2: 2_200, RentFenM2Month: fen(60)}
	for _, u := range []*space.Unit{sf.parcel, sf.floor3, sf.floor4, sf.plant, sf.other} {
		if err := f.store.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return sf
}

// spaceRoles are the accounts of the space tests.
type spaceRoles struct {
	admin, leader, dept, tf, district, otherDistrict, firm, public http.Handler
}

func spaceAs(t *testing.T, f *fixture) spaceRoles {
	return spaceRoles{
		admin:         pagesAs(t, f, &chanye.Actor{Name: "管理员", Role: chanye.RoleAdmin}),
		leader:        pagesAs(t, f, &chanye.Actor{Name: "市领导", Role: chanye.RoleLeader}),
		dept:          pagesAs(t, f, &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: testDept}),
		tf:            pagesAs(t, f, &chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID}),
		district:      pagesAs(t, f, &chanye.Actor{Name: "黄埔区", Role: chanye.RoleDistrict, District: "440112"}),
		otherDistrict: pagesAs(t, f, &chanye.Actor{Name: "天河区", Role: chanye.RoleDistrict, District: "440106"}),
		firm:          pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto}),
		public:        pagesAs(t, f, &chanye.Actor{Role: chanye.RolePublic}),
	}
}

// wantBody fails t when body lacks any of want or has any of not.
func wantBody(t *testing.T, what, body string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %s", what, w)
		}
	}
	for _, w := range not {
		if strings.Contains(body, w) {
			t.Errorf("%s has %s", what, w)
		}
	}
}

// TestSpaceMapPages: everyone sees the map of the blocks (the schematic
// one said to be schematic, the one without a boundary listed, not drawn)
// and the available units without prices; the officials see the ranking
// by 亩均, the units' prices and the colourings by use; only those who
// keep the inventory get the forms.
func TestSpaceMapPages(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	sf := addSpace(t, f)
	as := spaceAs(t, f)
	blockPath := fmt.Sprintf("/space/blocks/%d", sf.drawn.ID)

	res, body := getAs(t, as.public, "/space")
	if res.StatusCode != 200 {
		t.Fatalf("the public's map: %d", res.StatusCode)
	}
	checkPage(t, body)
	wantBody(t, "the public's map", body, []string{`id="sp-map-data"`, `data-chart="blocks"`, `id="sp-schematic"`, "示意布局，非真实边界", `"HP-001"`,
		`id="sp-undrawn"`, "TH-001", `id="nav-space"`, `id="sp-map-rows"`, `href="` + blockPath + `"`, `id="sp-blocks"`},
		[]string{`id="sp-block-form"`, "亩均税收</th>", `id="sp-nav-settings"`, `id="sp-by-district"`})
	if res, _ := getAs(t, as.public, "/space?colour=tax"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("the public colours by tax: %d", res.StatusCode)
	}
	_, body = getAs(t, as.public, "/space?lang=en")
	wantBody(t, "the public's map in English", body, []string{"Schematic layout, not real boundaries", "Industrial space"}, nil)
	_, body = getAs(t, as.public, "/space?district=440106")
	wantBody(t, "the public's Tianhe", body, []string{"TH-001", `id="sp-map-none"`}, []string{`"HP-001"`})

	_, body = getAs(t, as.tf, "/space?colour=tax")
	checkPage(t, body)
	wantBody(t, "the task force's map", body, []string{`id="sp-blocks"`, "亩均税收", `value="tax" selected`, `id="sp-nav-settings"`,
		`id="sp-by-district"`, `id="sp-by-industry"`, `<tr data-key="440112">`}, []string{`id="sp-block-form"`})
	_, body = getAs(t, as.district, "/space")
	wantBody(t, "the district's map", body, []string{`id="sp-block-form"`}, nil)

	// A block: the public sees its available units, not their prices.
	_, body = getAs(t, as.public, blockPath)
	checkPage(t, body)
	wantBody(t, "the public's block", body, []string{"HP-001-01", "1栋3层", "A1", "示意布局", `id="sp-land-units"`},
		[]string{"万元", "元/m²/月", `id="sp-use"`, `id="sp-edit-form"`, `id="sp-firms"`})
	_, body = getAs(t, as.firm, blockPath)
	wantBody(t, "the enterprise's block", body, []string{"1栋3层"}, []string{"元/m²/月", `id="sp-use"`})
	_, body = getAs(t, as.leader, blockPath)
	wantBody(t, "the leader's block", body, []string{`id="sp-use"`, `id="sp-occupancy">0.0%`, `id="sp-revenue">未知`, "6,000 万元", "35.00 元/m²/月", `id="sp-no-firms"`},
		[]string{`id="sp-edit-form"`})
	_, body = getAs(t, as.district, blockPath)
	wantBody(t, "the district's block", body, []string{`id="sp-edit-form"`, `id="sp-unit-form"`}, nil)
	_, body = getAs(t, as.otherDistrict, blockPath)
	wantBody(t, "another district's block", body, []string{`id="sp-use"`}, []string{`id="sp-edit-form"`})

	// A unit: prices for the officials.
	unitPath := fmt.Sprintf("/space/units/%d", sf.floor3.ID)
	_, body = getAs(t, as.public, unitPath)
	checkPage(t, body)
	wantBody(t, "the public's unit", body, []string{"1栋3层", "800 kg/m²", "价格与租金仅政府部门可见"}, []string{"35.00", `id="sp-hold-form"`, `id="sp-holds"`})
	_, body = getAs(t, as.tf, unitPath)
	wantBody(t, "the task force's unit", body, []string{`id="sp-rent">35.00 元/m²/月`, `id="sp-hold-form"`, `id="sp-no-holds"`}, []string{`id="sp-allocate-form"`})
	_, body = getAs(t, as.dept, unitPath)
	wantBody(t, "the department's unit", body, []string{`id="sp-hold-form"`, `id="sp-allocate-form"`, `<option value="lease">`, `<option value="sale">`}, []string{`<option value="transfer">`})

	// Every page in both languages, for every role, names its labels.
	for _, h := range []http.Handler{as.admin, as.leader, as.dept, as.tf, as.district, as.firm, as.public} {
		for _, p := range []string{"/space", "/space?colour=available", blockPath, unitPath, "/space/route?project=GZ-0002&area_m2=2400", "/space/settings", "/projects/GZ-0002"} {
			for _, lang := range []string{"zh", "en"} {
				if res, body := getAs(t, h, p+map[bool]string{true: "&", false: "?"}[strings.Contains(p, "?")]+"lang="+lang); res.StatusCode == 200 {
					checkPage(t, body)
				}
			}
		}
	}

	// Not found and not served.
	for _, p := range []string{"/space/blocks/999", "/space/units/999", "/space/blocks/x"} {
		if res, _ := getAs(t, as.admin, p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, res.StatusCode)
		}
	}
	bare := guardedAs(t, f, &chanye.Actor{Name: "管理员", Role: chanye.RoleAdmin})
	for _, p := range []string{"/space", blockPath, unitPath, "/space/route", "/space/settings"} {
		if res, _ := getAs(t, bare, p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s without the space: %d, want 404", p, res.StatusCode)
		}
	}
	if _, body := getAs(t, bare, "/projects"); strings.Contains(body, `id="nav-space"`) {
		t.Error("the navigation links the space that is not served")
	}
}

// TestSpaceForms keeps the inventory, the settings and a unit's holds and
// allocations through the pages: each form only for the roles the rules
// allow, a refused form shown again with its fields' errors next to them
// and what was typed.
func TestSpaceForms(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	sf := addSpace(t, f)
	as := spaceAs(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	blockPath := fmt.Sprintf("/space/blocks/%d", sf.drawn.ID)

	// A new block: the district's own only.
	form := url.Values{"code": {"HP-002"}, "name": {"黄埔二园"}, "district_code": {"440112"}, "area_m2": {"十万"}, "industries": {f.autoID},
		"boundary": {`{"type":"Point"}`}}
	res, body := postAs(t, as.district, "/space/blocks", form)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad block: %d", res.StatusCode)
	}
	wantBody(t, "the refused block", body, []string{`id="sp-block-area-m2-err"`, `value="十万"`, `value="黄埔二园"`}, nil)
	form.Set("area_m2", "100000")
	form.Del("boundary")
	form.Set("district_code", "440106")
	if res, _ := postAs(t, as.district, "/space/blocks", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("a district adds another's block: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.tf, "/space/blocks", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("a task force adds a block: %d", res.StatusCode)
	}
	form.Set("district_code", "440112")
	res, _ = postAs(t, as.district, "/space/blocks", form)
	newID := idFrom(t, res, "/space/blocks/")

	// The block's edit and add-unit forms.
	edit := url.Values{"code": {"HP-001"}, "name": {"黄埔智造园（一期）"}, "district_code": {"440112"}, "area_m2": {"0"}, "industries": {f.autoID}, "schematic": {"1"},
		"boundary": {string(sf.drawn.Boundary)}}
	res, body = postAs(t, as.district, blockPath, edit)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad edit: %d", res.StatusCode)
	}
	wantBody(t, "the refused edit", body, []string{`id="sp-block-area-m2-err"`, `value="黄埔智造园（一期）"`}, nil)
	edit.Set("area_m2", "210000")
	if res, _ := postAs(t, as.otherDistrict, blockPath, edit); res.StatusCode != http.StatusForbidden {
		t.Errorf("another district edits the block: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.district, blockPath, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the district edits its block: %d", res.StatusCode)
	}
	if b, _ := f.store.FindBlockByID(ctx, sf.drawn.ID); b.AreaM2 != 210_000 || !b.Schematic || len(b.Boundary) == 0 {
		t.Errorf("the edited block: %+v", b)
	}
	unit := url.Values{"kind": {"plant"}, "code": {"A2"}, "area_m2": {"800"}, "level": {"3"}, "rent_fen_m2_month": {"28.555"}, "status": {"available"}}
	res, body = postAs(t, as.district, blockPath+"/units", unit)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad unit: %d", res.StatusCode)
	}
	wantBody(t, "the refused unit", body, []string{`id="sp-unit-rent-fen-m2-month-err"`, `value="28.555"`, `id="sp-unit-error"`}, nil)
	unit.Set("rent_fen_m2_month", "28.5")
	unit.Del("level")
	res, _ = postAs(t, as.district, blockPath+"/units", unit)
	plantID := idFrom(t, res, "/space/units/")
	if u, err := f.store.FindUnitByID(ctx, plantID); err != nil || *u.RentFenM2Month != 2850 || u.Kind != space.Plant {
		t.Fatalf("the new plant: %+v %v", u, err)
	}
	if res, _ := postAs(t, as.firm, fmt.Sprintf("/space/blocks/%d/units", newID), unit); res.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise adds a unit: %d", res.StatusCode)
	}

	// Holds: a task force for its industry's project; a bad day kept.
	unitPath := fmt.Sprintf("/space/units/%d", sf.floor3.ID)
	hold := url.Values{"for_kind": {"project"}, "for_id": {"GZ-0002"}, "until": {"明天"}, "note": {"候选楼层"}}
	res, body = postAs(t, as.tf, unitPath+"/holds", hold)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad hold: %d", res.StatusCode)
	}
	wantBody(t, "the refused hold", body, []string{`id="sp-hold-until-err"`, ">候选楼层</textarea>", `value="GZ-0002"`, `id="sp-hold-error"`}, nil)
	hold.Set("until", chanye.DateOf(testclock.Now().AddDate(0, 0, 20)).String())
	if res, _ := postAs(t, as.firm, unitPath+"/holds", hold); res.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise holds: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.otherDistrict, unitPath+"/holds", hold); res.StatusCode != http.StatusForbidden {
		t.Errorf("a district holds for another's project: %d", res.StatusCode)
	}
	res, _ = postAs(t, as.tf, unitPath+"/holds", hold)
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "done=hold") {
		t.Fatalf("the task force holds: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := postAs(t, as.dept, unitPath+"/holds", hold); res.StatusCode != http.StatusConflict {
		t.Errorf("a held unit held again: %d", res.StatusCode)
	}
	if res, _ := getAs(t, as.public, unitPath); res.StatusCode != http.StatusNotFound {
		t.Errorf("the public reads a held unit: %d", res.StatusCode)
	}
	_, body = getAs(t, as.dept, unitPath)
	wantBody(t, "the held unit", body, []string{`data-status="held"`, `id="sp-release-form"`, `id="sp-holds"`, `<option value="project" selected>`, `value="GZ-0002"`},
		[]string{`id="sp-hold-form"`})

	// Allocation: the department leases the held floor, a bad rent kept.
	from := chanye.DateOf(testclock.Now()).String()
	to := chanye.DateOf(testclock.Now().AddDate(3, 0, 0)).String()
	lease := url.Values{"kind": {"lease"}, "code": {codeAuto}, "for_kind": {"project"}, "for_id": {"GZ-0002"}, "from": {from}, "to": {to}, "amount_fen": {"35.125"}}
	if res, _ := postAs(t, as.tf, unitPath+"/allocations", lease); res.StatusCode != http.StatusForbidden {
		t.Errorf("a task force allocates: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.otherDistrict, unitPath+"/allocations", lease); res.StatusCode != http.StatusForbidden {
		t.Errorf("another district allocates: %d", res.StatusCode)
	}
	res, body = postAs(t, as.dept, unitPath+"/allocations", lease)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad lease: %d", res.StatusCode)
	}
	wantBody(t, "the refused lease", body, []string{`id="sp-allocate-amount-fen-err"`, `value="35.125"`, `value="` + codeAuto + `"`}, nil)
	lease.Set("amount_fen", "35.5")
	if res, _ := postAs(t, as.dept, unitPath+"/allocations", lease); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the department leases: %d", res.StatusCode)
	}
	xs, _, err := f.store.FindAllocations(ctx, space.AllocationFilter{UnitID: &sf.floor3.ID})
	if err != nil || len(xs) != 1 || *xs[0].AmountFen != 3550 || xs[0].ForID != "GZ-0002" {
		t.Fatalf("the lease: %+v %v", xs, err)
	}
	_, body = getAs(t, as.leader, blockPath)
	wantBody(t, "the block after the lease", body, []string{`id="sp-occupancy">32.0%`, `id="sp-firms"`, "广州示范智能汽车有限公司"}, nil)
	_, body = getAs(t, as.firm, "/projects/GZ-0002")
	wantBody(t, "the owner's project", body, []string{`id="sp-project-allocs"`, "35.50 元/m²/月"}, []string{`id="sp-project-holds"`})

	// The lease ended: a day after today is refused next to its field.
	end := fmt.Sprintf("%s/allocations/%d/end", unitPath, xs[0].ID)
	res, body = postAs(t, as.dept, end, url.Values{"on": {"不是日期"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, fmt.Sprintf(`id="sp-end-on-%d-err"`, xs[0].ID)) {
		t.Fatalf("a bad end: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.leader, end, url.Values{"on": {from}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader ends a lease: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.dept, end, url.Values{"on": {from}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the department ends the lease: %d", res.StatusCode)
	}

	// Transfer the parcel; a release of the plant's hold by hand.
	parcelPath := fmt.Sprintf("/space/units/%d", sf.parcel.ID)
	if res, _ := postAs(t, as.district, parcelPath+"/allocations", url.Values{"kind": {"transfer"}, "code": {codeAuto}, "from": {from}, "amount_fen": {"6000"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the district transfers its parcel: %d", res.StatusCode)
	}
	_, body = getAs(t, as.leader, blockPath)
	wantBody(t, "the block after the transfer", body, []string{`id="sp-land">45 亩`, `id="sp-revenue">`, "万元/亩"}, []string{`id="sp-revenue">未知`})
	plantPath := fmt.Sprintf("/space/units/%d", sf.plant.ID)
	hold.Set("for_id", "GZ-0001")
	if res, _ := postAs(t, as.district, plantPath+"/holds", hold); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the district holds for a project in it: %d", res.StatusCode)
	}
	hs, _, _ := f.store.FindHolds(ctx, space.HoldFilter{UnitID: &sf.plant.ID})
	release := fmt.Sprintf("%s/holds/%d/release", plantPath, hs[0].ID)
	if res, _ := postAs(t, as.tf, release, url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a task force releases: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.district, fmt.Sprintf("%s/holds/%d/release", unitPath, hs[0].ID), url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("a hold released through another unit: %d", res.StatusCode)
	}
	res, body = postAs(t, as.district, release, url.Values{"note": {strings.Repeat("长", 501)}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="sp-release-error"`) {
		t.Errorf("a release with too long a note: %d", res.StatusCode)
	}
	if res, _ := postAs(t, as.district, release, url.Values{"note": {"项目改址"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the district releases: %d", res.StatusCode)
	}

	// The settings: read by the officials, set by administrators.
	if res, _ := getAs(t, as.firm, "/space/settings"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise reads the settings: %d", res.StatusCode)
	}
	if res, _ := getAs(t, as.public, "/space/settings"); res.StatusCode != http.StatusFound {
		t.Errorf("the public reads the settings: %d", res.StatusCode)
	}
	_, body = getAs(t, as.leader, "/space/settings")
	wantBody(t, "the leader's settings", body, []string{`id="sp-thresholds"`, "5,000 万元"}, []string{`id="sp-rule-form"`})
	if res, _ := postAs(t, as.dept, "/space/settings/rule", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a department sets the rule: %d", res.StatusCode)
	}
	rule := url.Values{"large_fen": {"50000"}, "large_area_m2": {"20000"}, "medium_fen": {"60000"}, "medium_area_m2": {"2000"}}
	res, body = postAs(t, as.admin, "/space/settings/rule", rule)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad rule: %d", res.StatusCode)
	}
	wantBody(t, "the refused rule", body, []string{`id="sp-rule-medium-fen-err"`, `value="60000"`}, nil)
	rule.Set("medium_fen", "3000")
	if res, _ := postAs(t, as.admin, "/space/settings/rule", rule); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin sets the rule: %d", res.StatusCode)
	}
	if r, _ := f.store.FindSizeRule(ctx); r.MediumFen != 30_000_000_00 {
		t.Errorf("the rule: %+v", r)
	}
	th := url.Values{"min_tax_per_mu_fen": {"20"}, "min_revenue_per_mu_fen": {"300"}, "idle_days": {"-1"}}
	res, body = postAs(t, as.admin, "/space/settings/thresholds", th)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="sp-thresholds-idle-days-err"`) {
		t.Fatalf("bad thresholds: %d", res.StatusCode)
	}
	th.Set("idle_days", "365")
	if res, _ := postAs(t, as.admin, "/space/settings/thresholds", th); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin sets the thresholds: %d", res.StatusCode)
	}
}

// TestSpaceRoutePages: the routing form prefilled from a project (its
// industry, investment, district) and a lead; the answer's kind by the
// size rule, the candidates with their reasons and unmet needs, and hold
// forms for the project only for those who may hold; bad needs are
// refused next to their fields.
func TestSpaceRoutePages(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	sf := addSpace(t, f)
	as := spaceAs(t, f)

	res, body := getAs(t, as.tf, "/space/route?project=GZ-0002")
	if res.StatusCode != 200 {
		t.Fatalf("the route form: %d", res.StatusCode)
	}
	checkPage(t, body)
	wantBody(t, "the prefilled form", body, []string{`id="sp-route-for"`, "示范数字化车间", `name="project" value="GZ-0002"`, `value="5000"`,
		`<option value="` + f.autoID + `" selected>`, `value="440112" checked`}, []string{`id="sp-answer"`})
	q := url.Values{"project": {"GZ-0002"}, "area_m2": {"2400"}, "investment_fen": {"5000"}, "industry_id": {f.autoID}, "districts": {"440112"},
		"load_kg_m2": {"600"}, "freight_lift": {"1"}}
	_, body = getAs(t, as.tf, "/space/route?"+q.Encode())
	checkPage(t, body)
	wantBody(t, "the answer", body, []string{`data-kind="floor"`, "中项目供楼", fmt.Sprintf(`id="sp-cand-%d"`, sf.floor3.ID), fmt.Sprintf(`id="sp-cand-%d"`, sf.floor4.ID),
		"区块规划主导产业相符", "没有货梯", fmt.Sprintf(`id="sp-hold-%d"`, sf.floor3.ID), `name="for_id" value="GZ-0002"`, "35.00 元/m²/月"}, nil)
	if i, j := strings.Index(body, fmt.Sprintf(`id="sp-cand-%d"`, sf.floor3.ID)), strings.Index(body, fmt.Sprintf(`id="sp-cand-%d"`, sf.other.ID)); i < 0 || j < 0 || i > j {
		t.Error("the floor meeting every need is not first")
	}
	_, body = getAs(t, as.firm, "/space/route?"+q.Encode())
	wantBody(t, "the owner's answer", body, []string{`data-kind="floor"`, "1栋3层"}, []string{`id="sp-hold-`, "元/m²/月", `name="max_rent_fen_m2_month"`})
	_, body = getAs(t, as.public, "/space/route?area_m2=1000")
	wantBody(t, "the public's answer", body, []string{`data-kind="plant"`, "A1", "小项目租赁厂房"}, []string{`id="sp-hold-`})
	res, body = getAs(t, as.tf, "/space/route?area_m2=0&investment_fen=abc&power_kva=x&project=GZ-0002")
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad needs: %d", res.StatusCode)
	}
	wantBody(t, "the refused needs", body, []string{`id="sp-r-investment_fen-err"`, `id="sp-r-power_kva-err"`, `value="abc"`}, []string{`id="sp-answer"`})
	if res, _ := getAs(t, as.tf, "/space/route?project=GZ-9999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown project: %d", res.StatusCode)
	}
	if res, _ := getAs(t, as.firm, "/space/route?lead=1"); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("an enterprise routes a lead: %d", res.StatusCode)
	}
	_, body = getAs(t, as.tf, "/projects/GZ-0002")
	wantBody(t, "the project's page", body, []string{`id="sp-project"`, `href="/space/route?project=GZ-0002"`, `id="sp-project-no-holds"`}, nil)

	// A lead: its industry and expected investment prefill the form; a
	// hold for it shows on its page.
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	target := &invest.Target{IndustryID: f.autoID, Kind: invest.ListAttract, Name: "示例外地整车公司", Source: "名单"}
	if err := f.store.CreateTarget(ctx, target); err != nil {
		t.Fatal(err)
	}
	expected := chanye.Fen(80_000_000_00)
	lead := &invest.Lead{TargetID: target.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440112", ExpectedFen: &expected}
	if err := f.store.CreateLead(ctx, lead); err != nil {
		t.Fatal(err)
	}
	leadRoute := fmt.Sprintf("/space/route?lead=%d", lead.ID)
	_, body = getAs(t, as.district, leadRoute+"&area_m2=25000")
	wantBody(t, "the lead's answer", body, []string{"示例外地整车公司", `value="8000"`, `data-kind="land"`, "大项目供地",
		fmt.Sprintf(`id="sp-hold-%d"`, sf.parcel.ID), `name="for_kind" value="lead"`}, nil)
	if err := f.store.HoldUnit(ctx, &space.Hold{UnitID: sf.parcel.ID, ForKind: space.ForLead, ForID: fmt.Sprint(lead.ID),
		Until: chanye.DateOf(testclock.Now().AddDate(0, 0, 10))}); err != nil {
		t.Fatal(err)
	}
	_, body = getAs(t, as.district, fmt.Sprintf("/leads/%d", lead.ID))
	wantBody(t, "the lead's page", body, []string{`href="` + leadRoute + `"`, `id="sp-project-holds"`, "HP-001-01", `data-status="active"`}, nil)
}

// TestScorecardSpace: a department's scorecard shows, for the industry it
// leads, the blocks planned for it, the land transferred in them this
// year (not a transfer of last year) and the occupancy of their floors
// and plants, linking the industry's blocks.
func TestScorecardSpace(t *testing.T) {
	f := newFixture(t)
	addProjects(t, f)
	sf := addSpace(t, f)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	card := "/scorecards/department/" + url.PathEscape(testDept) + "?lang=zh"
	_, body := f.get(t, card, "")
	want := `<a href="/space?industry=` + f.autoID + `">`
	if !strings.Contains(body, `id="sc-space-table"`) || !strings.Contains(body, want) {
		t.Fatalf("the card lacks its space:\n%.3000s", body)
	}
	old := &space.Unit{BlockID: sf.drawn.ID, Kind: space.Land, Code: "HP-001-02", AreaM2: 10_000}
	if err := f.store.CreateUnit(ctx, old); err != nil {
		t.Fatal(err)
	}
	today := chanye.DateOf(testclock.Now())
	lastYear := chanye.DateOf(testclock.Now().AddDate(-1, 0, 0))
	for _, x := range []*space.Allocation{
		{UnitID: sf.parcel.ID, Kind: space.Transfer, Code: codeAuto, From: today},
		{UnitID: old.ID, Kind: space.Transfer, Code: codeSoft, From: lastYear},
		{UnitID: sf.floor3.ID, Kind: space.Lease, Code: codeAuto, From: today, To: chanye.DateOf(testclock.Now().AddDate(2, 0, 0))},
	} {
		if err := f.store.Allocate(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	_, body = f.get(t, card, "")
	row := body[strings.Index(body, want):]
	row = row[:strings.Index(row, "</tr>")]
	for _, cell := range []string{`<td class="num">1</td>`, "30,000 m² · 45 亩", "35.7%"} {
		if !strings.Contains(row, cell) {
			t.Errorf("the industry's row lacks %s:\n%s", cell, row)
		}
	}
}
