package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// asSearchRole runs h as the role (and enterprise code) the request's X-Role
// and X-Code headers name; the public without them.
func asSearchRole(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := chanye.Public
		if role := r.Header.Get("X-Role"); role != "" {
			a = &chanye.Actor{Name: role, Role: chanye.Role(role), Code: r.Header.Get("X-Code")}
		}
		h.ServeHTTP(w, r.WithContext(chanye.WithActor(r.Context(), a)))
	})
}

func TestSearchScenarios(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	sqlstoretest.ForEachDB(t, func(t *testing.T, store *sqlstore.Store) {
		founded, _ := chanye.ParseDate("2015-06-01")
		for _, e := range []*chanye.Enterprise{
			{Code: codeA, Name: "广州示例汽车科技有限公司", DistrictCode: "440106", IndustryClass: "3612", Founded: founded},
			{Code: codeB, Name: "广州汽车零部件示例有限公司", DistrictCode: "440106", IndustryClass: "3612", Founded: founded},
		} {
			if err := store.CreateEnterprise(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		h := asSearchRole(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(),
			Projects: store, Search: authz.Search(store)}))
		spec := newSpecValidator(t)
		q := "/api/v1/search?q=" + url.QueryEscape("汽车")
		official := map[string]string{"X-Role": "leader"}
		firmA := map[string]string{"X-Role": "enterprise", "X-Code": codeA}
		runScenarios(t, h, spec, []scenario{
			{name: "official: both firms, the one whose name starts with the query first", method: "GET", path: q, header: official, status: 200,
				json: map[string]any{"groups.#": 3, "groups.0.kind": "enterprise", "groups.0.hits.#": 2, "groups.0.hits.0.key": codeA}},
			{name: "official: a code", method: "GET", path: "/api/v1/search?q=" + codeB + "&kind=enterprise", header: official, status: 200,
				json: map[string]any{"groups.#": 1, "groups.0.hits.#": 1, "groups.0.hits.0.match": "exact"}},
			{name: "enterprise: itself only", method: "GET", path: q, header: firmA, status: 200,
				json: map[string]any{"groups.0.kind": "enterprise", "groups.0.hits.#": 1, "groups.0.hits.0.key": codeA}},
			{name: "enterprise: another's code finds nothing", method: "GET", path: "/api/v1/search?q=" + codeB + "&kind=enterprise", header: firmA, status: 200,
				json: map[string]any{"groups.0.hits.#": 0}},
			{name: "public: policies only", method: "GET", path: q, status: 200,
				json: map[string]any{"groups.#": 1, "groups.0.kind": "policy"}},
			{name: "public: enterprises refused", method: "GET", path: q + "&kind=enterprise", status: 401},
			{name: "no query", method: "GET", path: "/api/v1/search", header: official, status: 400, contains: []string{`"q"`}},
			{name: "bad kind", method: "GET", path: q + "&kind=people", header: official, status: 400, contains: []string{`"kind"`}},
			{name: "bad limit", method: "GET", path: q + "&limit=0", header: official, status: 400, contains: []string{`"limit"`}},
		})
	})
}
