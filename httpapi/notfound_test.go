package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestNotFoundLeaksNothing: what another enterprise's project, or a
// policy's draft, answers the enterprise or the public is exactly what a
// project or version that does not exist answers: the same status, code
// and message. They once differed (记录不存在 against 项目不存在), which told
// which ids exist.
func TestNotFoundLeaksNothing(t *testing.T) {
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	store := sqlstoretest.New(t)
	founded, _ := chanye.ParseDate("2015-06-01")
	for _, c := range []string{codeA, codeB} {
		if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: c, Name: "广州示例" + c[14:] + "有限公司", DistrictCode: "440106",
			IndustryClass: "3612", Founded: founded}); err != nil {
			t.Fatal(err)
		}
	}
	start, _ := chanye.ParseDate("2025-01-15")
	end, _ := chanye.ParseDate("2027-12-31")
	if err := store.CreateProject(ctx, &project.Project{ID: "GZ-0001", Name: "示例项目", OwnerCode: codeA, IndustryID: "icv-nev", DistrictCode: "440106",
		Kind: project.KindIndustrial, TotalInvestmentFen: 1_000_000_00, PlannedStart: start, PlannedCompletion: end, Stage: project.StageSigned}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutReport(ctx, &project.Report{ProjectID: "GZ-0001", Month: "2025-10", InvestedFen: 100, CumulativeFen: 100, ProgressPct: 1}); err != nil {
		t.Fatal(err)
	}
	// A policy with a published version 1 and a draft version 2.
	lg := shippedSources(t)[littleGiant]
	if _, err := store.CreatePolicyVersion(ctx, []byte(lg)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishPolicyVersion(ctx, littleGiant, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreatePolicyVersion(ctx, []byte(lg)); err != nil {
		t.Fatal(err)
	}

	pols := authz.Policies(store.PolicyServices())
	eng := authz.Engine(engine.New(engine.Config{Now: testclock.Now, Catalog: store, Enterprises: store, Versions: store, Runs: store}), store)
	api := NewHandler(Config{Now: testclock.Now, Catalog: authz.Catalog(store), Enterprises: authz.Enterprises(store, testclock.Now),
		Policies: pols, Engine: eng, Projects: authz.Projects(store, store)})
	// X-Test-Code signs in as that enterprise; without it, the public.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := r.Header.Get("X-Test-Code"); c != "" {
			r = r.WithContext(chanye.WithActor(r.Context(), &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: c}))
		}
		api.ServeHTTP(w, r)
	})
	send := func(method, path, code, body string) (int, string) {
		var r *http.Request
		if body != "" {
			r = httptest.NewRequest(method, path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		if code != "" {
			r.Header.Set("X-Test-Code", code)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var e errorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		return rec.Code, e.Error.Code + " " + e.Error.Message
	}
	report := `{"invested_fen":100,"cumulative_fen":200,"progress_pct":2}`
	for _, c := range []struct {
		name, method, other, missing, code, body string
	}{
		{"project", "GET", "/api/v1/projects/GZ-0001", "/api/v1/projects/GZ-9999", codeB, ""},
		{"nodes", "GET", "/api/v1/projects/GZ-0001/nodes", "/api/v1/projects/GZ-9999/nodes", codeB, ""},
		{"report", "GET", "/api/v1/projects/GZ-0001/reports/2025-10", "/api/v1/projects/GZ-9999/reports/2025-10", codeB, ""},
		{"report form", "PUT", "/api/v1/projects/GZ-0001/reports/2025-11", "/api/v1/projects/GZ-9999/reports/2025-11", codeB, report},
		{"draft, to an enterprise", "GET", "/api/v1/policies/" + littleGiant + "?version=2", "/api/v1/policies/" + littleGiant + "?version=9", codeB, ""},
		{"draft, to the public", "GET", "/api/v1/policies/" + littleGiant + "?version=2", "/api/v1/policies/" + littleGiant + "?version=9", "", ""},
		{"draft explained", "GET", "/api/v1/enterprises/" + codeB + "/decisions/" + littleGiant + "?version=2",
			"/api/v1/enterprises/" + codeB + "/decisions/" + littleGiant + "?version=9", codeB, ""},
	} {
		s1, m1 := send(c.method, c.other, c.code, c.body)
		s2, m2 := send(c.method, c.missing, c.code, c.body)
		// A version's answer names the version asked for: 9 for 2.
		m2 = strings.NewReplacer("第 9 版", "第 2 版", "version 9", "version 2").Replace(m2)
		if s1 != http.StatusNotFound || s1 != s2 || m1 != m2 {
			t.Errorf("%s: hidden %d %q, missing %d %q; want one 404 answer", c.name, s1, m1, s2, m2)
		}
	}
	// The owner still sees its project.
	if s, m := send("GET", "/api/v1/projects/GZ-0001", codeA, ""); s != http.StatusOK {
		t.Errorf("owner: %d %s", s, m)
	}
}
