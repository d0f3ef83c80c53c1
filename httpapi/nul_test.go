package httpapi

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestNULRefused: a NUL character in a path, a query value, a header or a
// JSON string is refused with 400 naming where it is, before any handler or
// database sees it, the same on SQLite and PostgreSQL. PostgreSQL answered
// 500 without login, and SQLite stored the NUL and let q=%00 match every
// enterprise.
func TestNULRefused(t *testing.T) {
	sqlstoretest.ForEachDB(t, func(t *testing.T, store *sqlstore.Store) {
		eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
		api := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng,
			Logger: slog.New(slog.DiscardHandler)})
		// The middleware as serve wraps it; the admin header of these tests
		// stands in for authentication.
		signedIn := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if name := r.Header.Get(actorHeader); name != "" {
					r = r.WithContext(chanye.WithActor(r.Context(), &chanye.Actor{Name: name, Role: chanye.RoleAdmin}))
				}
				next.ServeHTTP(w, r)
			})
		}
		h := httpmw.Wrap(api, httpmw.Config{Logger: slog.New(slog.DiscardHandler), Authenticate: signedIn})
		admin := map[string]string{actorHeader: "管理员"}
		lg := shippedSources(t)[littleGiant]
		nulTitle := strings.Replace(lg, "title_zh: ", `title_zh: "\0"`+"\ntitle_zh_was: ", 1)
		nulTitle = regexp.MustCompile(`(?m)^title_zh_was: .*\n`).ReplaceAllString(nulTitle, "")
		if nulTitle == lg {
			t.Fatal("the little giant policy has no title_zh")
		}
		runScenarios(t, h, newSpecValidator(t), []scenario{
			{name: "public list, query value", method: "GET", path: "/api/v1/public/publicity?policy=a%00b", status: 400,
				json: map[string]any{"error.code": "invalid"}, contains: []string{`"policy"`, "NUL"}},
			{name: "policy id in the path", method: "GET", path: "/api/v1/policies/a%00", status: 400, noSpec: true,
				json: map[string]any{"error.code": "invalid"}, contains: []string{`"path"`, "NUL"}},
			{name: "search q", method: "GET", path: "/api/v1/enterprises?q=%00", header: admin, status: 400,
				json: map[string]any{"error.code": "invalid"}, contains: []string{`"q"`, "NUL"}},
			{name: "a header", method: "GET", path: "/api/v1/industries", header: map[string]string{"X-Note": "a\x00b"}, status: 400, noSpec: true,
				json: map[string]any{"error.code": "invalid"}, contains: []string{"NUL"}},
			{name: "a token", method: "GET", path: "/api/v1/industries", header: map[string]string{"Authorization": "Bearer chy_\x00"}, status: 400, noSpec: true,
				json: map[string]any{"error.code": "invalid"}, contains: []string{"Authorization"}},
			{name: "a JSON string", method: "POST", path: "/api/v1/enterprises", header: admin,
				body:   `{"code":"` + codeA + `","name":"广州\u0000示例","district_code":"440106","industry_class":"3612","founded":"2015-06-01"}`,
				status: 400, json: map[string]any{"error.code": "invalid"}, contains: []string{`"name"`, "NUL"}},
			{name: "nothing was stored", method: "GET", path: "/api/v1/enterprises/" + codeA, header: admin, status: 404},
			{name: "a JSON string in an array", method: "PUT", path: "/api/v1/enterprises/" + codeA + "/facts", header: admin,
				body: `{"items":[{"year":2020,"employees":10,"source":"x"},{"year":2021,"source":"\u0000"}]}`, status: 400,
				contains: []string{`"items[1].source"`}},
			{name: "a policy source", method: "POST", path: "/api/v1/policies/test", header: admin,
				body: `{"source":"id: x\u0000"}`, status: 400, contains: []string{`"source"`}},
			// YAML's "\0" escape: past the decoder, the store refuses it.
			{name: "a YAML escape", method: "POST", path: "/api/v1/policies", header: map[string]string{actorHeader: "管理员", "Content-Type": "application/yaml"},
				body: nulTitle, status: 400, contains: []string{"NUL"}},
			{name: "no policy was stored", method: "GET", path: "/api/v1/policies?id=" + littleGiant, header: admin, status: 200, json: map[string]any{"total": 0}},
		})
	})
}
