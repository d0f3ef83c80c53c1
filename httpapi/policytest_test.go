package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestPolicyTestBounds: a test request is held to policy.MaxCases cases and
// policy.MaxSourceBytes of YAML, with a clear error: one request with
// thousands of cases once cost 0.6 s of CPU and 3.6 MB of answer.
func TestPolicyTestBounds(t *testing.T) {
	store := sqlstoretest.New(t)
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng,
		Logger: slog.New(slog.DiscardHandler)}))
	src := shippedSources(t)["gz-single-champion-reward"]
	head, cases, ok := strings.Cut(src, "\ncases:\n")
	if !ok {
		t.Fatal("the shipped policy has no cases")
	}
	one := cases[:strings.Index(cases[2:], "  - name:")+2]
	var many strings.Builder
	many.WriteString(head + "\ncases:\n")
	for i := range policy.MaxCases + 1 {
		many.WriteString(strings.Replace(one, "  - name: ", fmt.Sprintf("  - name: %d ", i), 1))
	}
	yaml := map[string]string{"Content-Type": "application/yaml"}
	huge := head + "\n# " + strings.Repeat("x", policy.MaxSourceBytes) + "\n"
	runScenarios(t, h, newSpecValidator(t), []scenario{
		{name: "the shipped policy", method: "POST", path: "/api/v1/policies/test", header: yaml, body: src, status: 200, json: map[string]any{"pass": true}},
		{name: "too many cases", method: "POST", path: "/api/v1/policies/test", header: yaml, body: many.String(), status: 400,
			json: map[string]any{"error.code": "invalid"}, contains: []string{`"cases"`, fmt.Sprintf("at most %d cases", policy.MaxCases)}},
		{name: "too large", method: "POST", path: "/api/v1/policies/test", header: yaml, body: huge, status: 413,
			json: map[string]any{"error.code": "too_large"}},
		{name: "too large as JSON", method: "POST", path: "/api/v1/policies/test", body: `{"source":` + jsonString(huge) + `}`, status: 413},
	})
}

// TestRateLimit: the routes that evaluate over the whole base share one
// token bucket per client: past it they answer 429 with Retry-After and a
// message saying when, while other routes and other clients go on.
func TestRateLimit(t *testing.T) {
	store := sqlstoretest.New(t)
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store})
	now := testclock.Now()
	lim := httpmw.NewLimiter(httpmw.RateLimit{PerMinute: 6, Burst: 2})
	lim.Now = func() time.Time { return now }
	h := asActor(NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Policies: store.PolicyServices(), Engine: eng, Projects: store,
		Logger: slog.New(slog.DiscardHandler), Limiter: lim}))
	src := jsonString(shippedSources(t)["gz-single-champion-reward"])
	test := func(name string, status int, header map[string]string) scenario {
		return scenario{name: name, method: "POST", path: "/api/v1/policies/test", body: `{"source":` + src + `}`, header: header, status: status}
	}
	other := map[string]string{actorHeader: "另一位管理员"}
	runScenarios(t, h, newSpecValidator(t), []scenario{
		test("first", 200, nil),
		{name: "a scorecard, second", method: "GET", path: "/api/v1/scorecards", status: 200},
		test("third", 429, nil),
		{name: "warnings share the bucket", method: "GET", path: "/api/v1/warnings", status: 429,
			json: map[string]any{"error.code": "too_many"}, contains: []string{"10 s"},
			check: func(t *testing.T, _ map[string]any, resp *http.Response) {
				if got := resp.Header.Get("Retry-After"); got != "10" {
					t.Errorf("Retry-After = %q, want 10", got)
				}
			}},
		{name: "other routes go on", method: "GET", path: "/api/v1/industries", status: 200},
		test("another account has its own bucket", 200, other),
		test("a token later", 200, nil).with(func() { now = now.Add(10 * time.Second) }),
	})
}

// with returns sc that first runs before.
func (sc scenario) with(before func()) scenario {
	sc.before = before
	return sc
}
