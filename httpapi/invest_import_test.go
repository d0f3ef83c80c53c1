package httpapi

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// sheetForm is a multipart form with one file, as a body and its type.
func sheetForm(t *testing.T, field, name, text string) (string, map[string]string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(text))
	mw.Close()
	return b.String(), map[string]string{"Content-Type": mw.FormDataContentType()}
}

// TestImportLeadsAPI: a sheet of leads is stored whole or not at all; a
// refusal names each problem by the sheet's row and column; a task force
// may not import another industry's leads; the request is a multipart
// form with its file — all as openapi.json says.
func TestImportLeadsAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	ctx := chanye.WithActor(t.Context(), chanye.Operator)
	nev := &invest.Target{IndustryID: "icv-nev", LinkID: "icv-nev.battery.cell", Kind: invest.ListAttract, Name: "宁德某电池", Source: "名单"}
	ai := &invest.Target{IndustryID: "ai", Kind: invest.ListAttract, Name: "某芯片公司", Source: "名单"}
	for _, x := range []*invest.Target{nev, ai} {
		if err := store.CreateTarget(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	svc := &InvestServices{Targets: authz.Targets(store, store), Leads: authz.Leads(store, store, store), Funnel: authz.Funnel(store, store),
		Imports: authz.LeadImports(store, store, store)}
	h := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Invest: svc})
	as := func(a *chanye.Actor) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), a)))
		})
	}
	spec := newSpecValidator(t)
	day := func(days int) string { return chanye.DateOf(testclock.Today().AddDate(0, 0, days)).String() }
	header := "id,target_id,stage,stage_on,owner_kind,owner_name,signed_on,signed_fen,expected_fen\n"
	good := header + fmt.Sprintf(",%d,visit,%s,district,440106,,,100000000\n,%d,signed,%s,district,440112,%s,5000000000,\n",
		nev.ID, day(-20), nev.ID, day(-2), day(-2))
	bad := header + fmt.Sprintf(",%d,visit,%s,district,440106,,,\n,%d,clue,%s,district,449999,,,\n,999,lost,%s,district,440106,,,abc\n",
		nev.ID, day(-20), nev.ID, day(1), day(-1))
	other := header + fmt.Sprintf(",%d,clue,%s,district,440106,,,\n,%d,clue,%s,district,440106,,,\n", nev.ID, day(-1), ai.ID, day(-1))
	form := func(text string) (string, map[string]string) { return sheetForm(t, "file", "leads.csv", text) }
	goodBody, goodType := form(good)
	badBody, badType := form(bad)
	storeBad := header + fmt.Sprintf(",%d,visit,%s,district,440106,,,\n,%d,clue,%s,district,449999,,,\n,999,lost,%s,district,440106,,,\n",
		nev.ID, day(-20), nev.ID, day(1), day(-1))
	storeBadBody, storeBadType := form(storeBad)
	otherBody, otherType := form(other)
	noName, noNameType := sheetForm(t, "file", "线索", good)
	wrongField, wrongFieldType := sheetForm(t, "sheet", "leads.csv", good)
	runScenarios(t, as(&chanye.Actor{Name: "管理员", Role: chanye.RoleAdmin}), spec, []scenario{
		{name: "a cell that cannot be read", method: "POST", path: "/api/v1/leads/import", body: badBody, header: badType, status: 400,
			json: map[string]any{"error.code": "invalid"}, contains: []string{`"row 4, column expected_fen"`}},
		{name: "rows the store refuses", method: "POST", path: "/api/v1/leads/import", body: storeBadBody, header: storeBadType, status: 400,
			contains: []string{`"row 3, column owner_name"`, `"row 3, column stage_on"`, `"row 4, column target_id"`, `"row 4, column lost_reason"`}},
		{name: "nothing stored", method: "GET", path: "/api/v1/leads", status: 200, json: map[string]any{"total": 0}},
		{name: "the good sheet", method: "POST", path: "/api/v1/leads/import", body: goodBody, header: goodType, status: 200,
			json: map[string]any{"imported": 2}},
		{name: "stored at their stages", method: "GET", path: "/api/v1/leads?stage=signed", status: 200,
			json: map[string]any{"total": 1, "items.0.signed_fen": 5000000000, "items.0.industry_id": "icv-nev", "items.0.link_id": "icv-nev.battery.cell"}},
		{name: "a file named without an extension is read by its bytes", method: "POST", path: "/api/v1/leads/import", body: noName, header: noNameType, status: 200,
			json: map[string]any{"imported": 2}},
		{name: "no file", method: "POST", path: "/api/v1/leads/import", body: wrongField, header: wrongFieldType, status: 400, contains: []string{`"file"`}},
		{name: "not a form", method: "POST", path: "/api/v1/leads/import", body: good, header: map[string]string{"Content-Type": "text/csv"}, status: 415},
		{name: "no GET", method: "GET", path: "/api/v1/leads/import", status: 405, noSpec: true},
	})
	runScenarios(t, as(&chanye.Actor{Name: "专班", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"}), spec, []scenario{
		{name: "a task force: not another industry's", method: "POST", path: "/api/v1/leads/import", body: otherBody, header: otherType, status: 403,
			json: map[string]any{"error.code": "forbidden"}, contains: []string{`"row 3, column target_id"`}},
		{name: "its own", method: "POST", path: "/api/v1/leads/import", body: goodBody, header: goodType, status: 200, json: map[string]any{"imported": 2}},
	})
	runScenarios(t, as(&chanye.Actor{Name: "市领导", Role: chanye.RoleLeader}), spec, []scenario{
		{name: "a leader imports nothing", method: "POST", path: "/api/v1/leads/import", body: goodBody, header: goodType, status: 403},
	})
	if _, total, _ := store.FindLeads(ctx, invest.LeadFilter{}); total != 6 {
		t.Errorf("%d leads stored, want 6", total)
	}
}
