package httpapi

import (
	"testing"

	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestCalendarAPI: the shipped schedules with their notices; one year;
// a year not loaded is 404; a loaded year replaces nothing else and a bad
// one names its day, as openapi.json says.
func TestCalendarAPI(t *testing.T) {
	store := sqlstoretest.New(t)
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Calendar: store}))
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "the calendar", method: "GET", path: "/api/v1/calendar", status: 200,
			json:     map[string]any{"years.#": 3, "years.0.year": 2024, "years.1.days.1.date": "2025-01-26", "years.1.days.1.kind": "work"},
			contains: []string{"国办发明电〔2024〕12号"}},
		{name: "one year", method: "GET", path: "/api/v1/calendar?year=2026", status: 200, json: map[string]any{"years.#": 1, "years.0.year": 2026}},
		{name: "a year not loaded", method: "GET", path: "/api/v1/calendar?year=2027", status: 404, contains: []string{"Monday to Friday only"}},
		{name: "a bad year", method: "GET", path: "/api/v1/calendar?year=20x7", status: 400, contains: []string{`"year"`}},
		{name: "a weekday worked", method: "PUT", path: "/api/v1/calendar", status: 400,
			body:     `{"years":[{"year":2027,"source":"国务院办公厅关于2027年部分节假日安排的通知（测试）","days":[{"date":"2027-01-05","kind":"work","name":"元旦"}]}]}`,
			contains: []string{`"2027-01-05"`}},
		{name: "2027 loaded", method: "PUT", path: "/api/v1/calendar", status: 200,
			body: `{"years":[{"year":2027,"source":"国务院办公厅关于2027年部分节假日安排的通知（测试）","days":[{"date":"2027-01-01","kind":"off","name":"元旦"}]}]}`,
			json: map[string]any{"years.#": 4, "years.3.year": 2027}},
	})
}
