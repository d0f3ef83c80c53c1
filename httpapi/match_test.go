package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/xuri/excelize/v2"
)

// firmHeader names, in tests, the credit code of the enterprise account
// making the request.
const firmHeader = "X-Test-Firm"

// asFirm runs a request carrying firmHeader as that firm's account.
func asFirm(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code := r.Header.Get(firmHeader); code != "" {
			r = r.WithContext(chanye.WithActor(r.Context(), &chanye.Actor{Name: "firm" + code[14:], Role: chanye.RoleEnterprise, Code: code}))
		}
		h.ServeHTTP(w, r)
	})
}

// spaceWords is the tests' segmenter: the words between spaces.
type spaceWords struct{}

func (spaceWords) Words(text string) []string { return strings.Fields(text) }

// TestMatchAPI walks matchmaking through the API as openapi.json says: a
// supply and a demand posted by their firms, matching run, the match
// accepted by both sides, negotiated and signed; a fair with both firms
// registered, a meeting asked for from the match, scheduled, moved by
// hand, its outcome recorded and the report read as JSON and as XLSX.
func TestMatchAPI(t *testing.T) {
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
	h := asActor(asFirm(NewHandler(Config{Now: func() time.Time { return now }, Catalog: store, Enterprises: store, Policies: store.PolicyServices(),
		Match: &MatchServices{Listings: store, Matches: store, Events: store, Segmenter: spaceWords{}}})))
	buyer, supplier := map[string]string{firmHeader: codeA}, map[string]string{firmHeader: codeB}
	day := chanye.DateOf(now.AddDate(0, 0, 20)).String()
	fair := `{"title":"新能源汽车供需对接会","industry_id":"icv-nev","date":"` + day + `","venue":"琶洲会展中心","tables":2,"slot_minutes":30,"start":"09:00","end":"11:00"}`
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "a supply on an unknown link", method: "POST", path: "/api/v1/supplies", header: supplier, status: 400,
			body: `{"products":"动力电池 电芯","link_id":"icv-nev.nothing","classes":["3841"]}`, contains: []string{`"link_id"`}},
		{name: "B's supply", method: "POST", path: "/api/v1/supplies", header: supplier, status: 201,
			body: `{"products":"动力电池 电芯","link_id":"icv-nev.battery.cell","classes":["3841"],"certifications":["IATF 16949"]}`,
			json: map[string]any{"id": 1, "code": codeB, "status": "open"}},
		{name: "A's demand", method: "POST", path: "/api/v1/demands", header: buyer, status: 201,
			body: `{"needs":"电芯","link_id":"icv-nev.vehicle.passenger","classes":["3841"]}`, json: map[string]any{"id": 1, "code": codeA}},
		{name: "A changes it", method: "PATCH", path: "/api/v1/demands/1", header: buyer, status: 200, body: `{"quantity":"每月 2000 套"}`,
			json: map[string]any{"quantity": "每月 2000 套", "needs": "电芯"}},
		{name: "the supplies", method: "GET", path: "/api/v1/supplies?industry=icv-nev&status=open", status: 200, json: map[string]any{"total": 1, "items.0.code": codeB}},
		{name: "B reads its supply", method: "GET", path: "/api/v1/supplies/1", header: supplier, status: 200, json: map[string]any{"certifications.0": "IATF 16949"}},
		{name: "the demand", method: "GET", path: "/api/v1/demands/1", status: 200, json: map[string]any{"link_id": "icv-nev.vehicle.passenger"}},
		{name: "the demands", method: "GET", path: "/api/v1/demands?code=" + codeA, status: 200, json: map[string]any{"total": 1}},
		{name: "matching", method: "POST", path: "/api/v1/match-runs", status: 201, json: map[string]any{"supplies": 1, "demands": 1, "added": 1}},
		{name: "again, nothing new", method: "POST", path: "/api/v1/match-runs", status: 201, json: map[string]any{"proposed": 1, "added": 0}},
		{name: "the matches", method: "GET", path: "/api/v1/matches?status=proposed", status: 200,
			json: map[string]any{"total": 1, "items.0.buyer_code": codeA, "items.0.supplier_code": codeB}},
		{name: "a bad status", method: "GET", path: "/api/v1/matches?status=maybe", status: 400, contains: []string{`"status"`}},
		{name: "A reads its match", method: "GET", path: "/api/v1/matches/1", header: buyer, status: 200, json: map[string]any{"status": "proposed"},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if rs, _ := body["reasons"].([]any); len(rs) < 2 {
					t.Errorf("reasons: %v", body["reasons"])
				}
			}},
		{name: "A accepts", method: "POST", path: "/api/v1/matches/1/steps", header: buyer, status: 200, body: `{"action":"accept"}`,
			json: map[string]any{"status": "proposed", "buyer_decision": "accepted"}},
		{name: "an official cannot accept", method: "POST", path: "/api/v1/matches/1/steps", status: 403, body: `{"action":"accept"}`},
		{name: "B accepts", method: "POST", path: "/api/v1/matches/1/steps", header: supplier, status: 200, body: `{"action":"accept"}`,
			json: map[string]any{"status": "accepted", "supplier_decision": "accepted", "accepted_on": testclock.Today().String()}},
		{name: "negotiating", method: "POST", path: "/api/v1/matches/1/steps", header: buyer, status: 200, body: `{"action":"negotiate"}`,
			json: map[string]any{"status": "negotiating"}},
		{name: "a contract without an amount", method: "POST", path: "/api/v1/matches/1/steps", status: 400, body: `{"action":"sign"}`, contains: []string{`"contract_fen"`}},
		{name: "signed", method: "POST", path: "/api/v1/matches/1/steps", status: 200, body: `{"action":"sign","contract_fen":1200000000}`,
			json: map[string]any{"status": "signed", "contract_fen": 1200000000, "events.#": 4}},
		{name: "the chain's figures", method: "GET", path: "/api/v1/match-metrics/icv-nev", status: 200,
			json: map[string]any{"matches": 1, "accepted": 1, "signed": 1, "contract_fen": 1200000000}},

		{name: "a fair", method: "POST", path: "/api/v1/fairs", status: 201, body: fair, json: map[string]any{"id": 1, "start": "09:00", "end": "11:00"}},
		{name: "a fair without a venue", method: "POST", path: "/api/v1/fairs", status: 400, body: strings.Replace(fair, "琶洲会展中心", "", 1), contains: []string{`"venue"`}},
		{name: "the fairs", method: "GET", path: "/api/v1/fairs?industry=icv-nev", status: 200, json: map[string]any{"total": 1, "items.0.title": "新能源汽车供需对接会"}},
		{name: "A registers", method: "POST", path: "/api/v1/fairs/1/registrations", header: buyer, status: 200, body: `{"role":"buyer"}`,
			json: map[string]any{"registrations.#": 1, "registrations.0.code": codeA}},
		{name: "B registers", method: "POST", path: "/api/v1/fairs/1/registrations", header: supplier, status: 200, body: `{"role":"supplier"}`},
		{name: "the fair", method: "GET", path: "/api/v1/fairs/1", status: 200, json: map[string]any{"event.venue": "琶洲会展中心", "registrations.#": 2}},
		{name: "A asks to meet B", method: "POST", path: "/api/v1/fairs/1/meeting-requests", header: buyer, status: 201, body: `{"match_id":1}`,
			json: map[string]any{"buyer_code": codeA, "supplier_code": codeB}},
		{name: "B asks too", method: "POST", path: "/api/v1/fairs/1/meeting-requests", header: supplier, status: 409, body: `{"match_id":1}`},
		{name: "the requests", method: "GET", path: "/api/v1/fairs/1/meeting-requests", status: 200, json: map[string]any{"items.#": 1, "items.0.match_id": 1}},
		{name: "scheduled", method: "POST", path: "/api/v1/fairs/1/schedule", status: 200,
			json: map[string]any{"meetings.#": 1, "meetings.0.table": 1, "meetings.0.slot": 0, "meetings.0.start": "09:00", "unscheduled.#": 0}},
		{name: "a double booking", method: "PUT", path: "/api/v1/fairs/1/timetable", status: 400,
			body: `{"meetings":[{"id":1,"match_id":1,"buyer_code":"` + codeA + `","supplier_code":"` + codeB + `","table":1,"slot":1},` +
				`{"buyer_code":"` + codeA + `","supplier_code":"` + codeB + `","table":2,"slot":1}]}`},
		{name: "moved by hand", method: "PUT", path: "/api/v1/fairs/1/timetable", status: 200,
			body: `{"meetings":[{"id":1,"match_id":1,"buyer_code":"` + codeA + `","supplier_code":"` + codeB + `","priority":50,"table":2,"slot":1}]}`,
			json: map[string]any{"meetings.0.id": 1, "meetings.0.table": 2, "meetings.0.start": "09:30"}},
		{name: "B's timetable", method: "GET", path: "/api/v1/fairs/1/timetable", header: supplier, status: 200, json: map[string]any{"meetings.#": 1, "meetings.0.end": "10:00"}},
		{name: "the outcome", method: "PUT", path: "/api/v1/fairs/1/meetings/1/outcome", status: 200, body: `{"outcome":"held","intention":true,"contract_fen":500000000}`,
			json: map[string]any{"outcome": "held", "contract_fen": 500000000}},
		{name: "no rescheduling after outcomes", method: "POST", path: "/api/v1/fairs/1/schedule", status: 409},
		{name: "the report", method: "GET", path: "/api/v1/fairs/1/report", status: 200,
			json: map[string]any{"registered": 2, "meetings": 1, "held": 1, "intentions": 1, "contracts": 1, "contract_fen": 500000000}},
	})

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/fairs/1/report.xlsx", nil))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("report.xlsx: %d %s", rec.Code, rec.Body.String())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != dataio.SheetFairReport || got[1] != dataio.SheetFairMeetings {
		t.Errorf("sheets %v", got)
	}
	for cell, want := range map[string]string{"B1": "新能源汽车供需对接会", "B2": day, "B7": "1", "B12": "5000000.00"} {
		if got, _ := f.GetCellValue(dataio.SheetFairReport, cell); got != want {
			t.Errorf("%s!%s = %q, want %q", dataio.SheetFairReport, cell, got, want)
		}
	}
	rows, _ := f.GetRows(dataio.SheetFairMeetings)
	if len(rows) != 2 || rows[1][1] != "09:30" || rows[1][3] != "2" || rows[1][4] != codeA || !strings.HasPrefix(rows[1][7], "已洽谈") {
		t.Errorf("meetings sheet: %q", rows)
	}
}

// TestLazySegmenter: the segmenter is loaded once, with the chains'
// words, and shared by the runs after.
func TestLazySegmenter(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the dictionary")
	}
	store := sqlstoretest.New(t)
	var l match.LazySegmenter
	a, err := l.Get(t.Context(), store)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := l.Get(t.Context(), store)
	if a != b {
		t.Error("loaded twice")
	}
	if got := a.Words("电机控制器"); len(got) != 1 || got[0] != "电机控制器" {
		t.Errorf("a chain's keyword is cut: %q", got)
	}
}
