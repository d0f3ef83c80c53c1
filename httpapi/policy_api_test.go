package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/metrics"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/chanye-org/chanye/uscc"
)

const littleGiant = "gz-little-giant-reward"

// day parses a date a test writes.
func day(t *testing.T, s string) chanye.Date {
	t.Helper()
	d, err := chanye.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// validCode returns the credit code of a Guangzhou firm with the given
// 8-digit organisation code.
func validCode(t *testing.T, org string) string {
	t.Helper()
	oc, err := uscc.OrgCheckChar(org)
	if err != nil {
		t.Fatal(err)
	}
	c, err := uscc.Complete("91440101" + org + string(oc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// shippedSources reads the YAML of the shipped policies, by file name.
func shippedSources(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob("../policy/policies/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("shipped policies: %v (%d files)", err, len(names))
	}
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(n), ".yaml")] = string(b)
	}
	return out
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestPolicyScenarios walks a policy through its life over the API: stored
// with a type error and then correctly, published, run over a small base,
// explained, simulated, publicised on the public list, objected to,
// approved after the window, paid twice (one payment) and reversed.
func TestPolicyScenarios(t *testing.T) {
	ctx := context.Background()
	db, store := sqlstoretest.NewWithDB(t)
	clock := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // a Monday
	db.Now = func() time.Time { return clock }
	codeC := validCode(t, "00000077") // a little giant since 2024: a near miss for the 2025 cohort
	setClock := func(d time.Time) func() { return func() { clock = d } }

	if _, err := demo.Generate(ctx, store, demo.Options{Enterprises: 2000, Seed: 7, AsOf: day(t, "2025-12-31")}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []*chanye.Enterprise{
		{Code: codeA, Name: "广州示例精密机械有限公司", DistrictCode: "440112", IndustryClass: "3562", Founded: day(t, "2012-03-01"),
			Tiers: []chanye.Tier{{Kind: chanye.TierLittleGiant, From: day(t, "2025-07-15"), Source: "工业和信息化部"}}},
		{Code: codeB, Name: "广州示例智能有限公司", DistrictCode: "440104", IndustryClass: "3612", Founded: day(t, "2010-01-05")},
		{Code: codeC, Name: "广州示例传感有限公司", DistrictCode: "440106", IndustryClass: "3562", Founded: day(t, "2014-05-01"),
			Tiers: []chanye.Tier{{Kind: chanye.TierLittleGiant, From: day(t, "2024-08-01"), Source: "工业和信息化部"}}},
	} {
		if err := store.CreateEnterprise(ctx, e); err != nil {
			t.Fatalf("%s: %v", e.Code, err)
		}
	}

	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	eng := engine.New(engine.Config{Catalog: store, Enterprises: store, Versions: store, Runs: store, Logger: log,
		Now: func() time.Time { return clock }})
	// Payments and reversals go through the metrics as in serve: a reversal
	// once panicked there after it was written, answering 500.
	met := metrics.New()
	h := asActor(NewHandler(Config{Now: func() time.Time { return clock }, Catalog: store, Enterprises: store, Policies: met.Policies(store.PolicyServices()), Engine: eng, Logger: log}))
	spec := newSpecValidator(t)

	sources := shippedSources(t)
	lg := sources[littleGiant]
	typeError := strings.Replace(lg, "expr: e.tier.little_giant.held", `expr: e.tier.little_giant.held == "yes"`, 1)
	if typeError == lg {
		t.Fatal("the little giant policy no longer has the condition this test breaks")
	}
	failingCase := strings.Replace(lg, `expect: {eligible: true, amount_yuan: "1000000.00"}`, `expect: {eligible: true, amount_yuan: "900000.00"}`, 1)
	if failingCase == lg {
		t.Fatal("the little giant policy no longer has the case this test breaks")
	}
	otherID := strings.Replace(lg, "id: "+littleGiant, "id: another-policy", 1)
	yaml := map[string]string{"Content-Type": "application/yaml"}
	actorA := map[string]string{actorHeader: "企业甲"}
	ref := func(code string) string {
		return fmt.Sprintf(`{"run_id":1,"policy_id":%q,"code":%q}`, littleGiant, code)
	}
	// pay names a decision and how the treasury paid it, the day it was
	// approved.
	pay := func(code string) string {
		return fmt.Sprintf(`{"run_id":1,"policy_id":%q,"code":%q,"paid_on":"2026-01-13","voucher":"记-2026-0113","batch":"GK20260113001"}`, littleGiant, code)
	}
	// approver is another person than the operator who ran and publicised.
	approver := map[string]string{actorHeader: "市工信局 王五"}

	scenarios := []scenario{
		{name: "schema", method: "GET", path: "/api/v1/policy-schema", status: 200, json: map[string]any{"param_prefix": "p."},
			contains: []string{`"e.fy1.revenue"`, `"e.tier.little_giant.first_year"`, `"unit":"ratio"`}},
		{name: "no policies", method: "GET", path: "/api/v1/policies", status: 200, json: map[string]any{"total": 0, "items": []any{}}},
		{name: "type error names the condition and position", method: "POST", path: "/api/v1/policies", body: typeError, header: yaml, status: 400,
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				fields, _ := lookup(body, "error.fields")
				f, _ := fields.(map[string]any)
				s, _ := f["conditions[0].expr"].(string)
				if !strings.Contains(s, "holds_little_giant") || !strings.Contains(s, "at 1:") || !strings.Contains(s, "line ") {
					t.Errorf("conditions[0].expr = %q, want the condition, its line:column and the file line", s)
				}
			}},
		{name: "YAML syntax error", method: "POST", path: "/api/v1/policies", body: "id: [", header: yaml, status: 400, contains: []string{`"yaml"`}},
		{name: "empty source", method: "POST", path: "/api/v1/policies", body: `{"source":""}`, status: 400, json: map[string]any{"error.fields.source": "必填 / required"}},
		{name: "plain text refused", method: "POST", path: "/api/v1/policies", body: lg, header: map[string]string{"Content-Type": "text/plain"}, status: 415},
		{name: "nothing stored", method: "GET", path: "/api/v1/policies", status: 200, json: map[string]any{"total": 0}},
	}
	for _, id := range []string{"example-equipment-upgrade", "example-growth-reward", "example-rd-subsidy", "example-strategic-srdi", littleGiant, "gz-single-champion-reward"} {
		src, ok := sources[id]
		if !ok {
			t.Fatalf("no shipped policy %s", id)
		}
		create := scenario{name: "create " + id, method: "POST", path: "/api/v1/policies", body: src, header: yaml, status: 201,
			json: map[string]any{"id": id, "version": 1, "status": "draft", "created_by": "operator (admin)", "policy.id": id}}
		if id == littleGiant { // the JSON form, and an actor
			create.body, create.header = `{"source":`+jsonString(src)+`}`, map[string]string{actorHeader: "市工信局 张三"}
			create.json["created_by"] = "市工信局 张三 (admin)"
			create.json["document"] = "穗府办规〔2025〕13号"
			create.json["budget_fen"] = 0
			create.check = func(t *testing.T, _ map[string]any, resp *http.Response) {
				if got, want := resp.Header.Get("Location"), "/api/v1/policies/"+littleGiant+"?version=1"; got != want {
					t.Errorf("Location = %q, want %q", got, want)
				}
			}
		}
		scenarios = append(scenarios, create,
			scenario{name: "publish " + id, method: "POST", path: "/api/v1/policies/" + id + "/versions/1/publish", status: 200,
				json: map[string]any{"status": "published", "published_by": "operator (admin)"}})
	}
	scenarios = append(scenarios, []scenario{
		{name: "publish twice", method: "POST", path: "/api/v1/policies/" + littleGiant + "/versions/1/publish", status: 409},
		{name: "publish unknown version", method: "POST", path: "/api/v1/policies/" + littleGiant + "/versions/9/publish", status: 404},
		{name: "publish bad version", method: "POST", path: "/api/v1/policies/" + littleGiant + "/versions/x/publish", status: 400, contains: []string{`"version"`}},
		{name: "draft with a failing case", method: "POST", path: "/api/v1/policies", body: failingCase, header: yaml, status: 201, json: map[string]any{"version": 2}},
		{name: "failing case blocks publishing", method: "POST", path: "/api/v1/policies/" + littleGiant + "/versions/2/publish", status: 400,
			contains: []string{`"cases[0]"`, "2025 年 7 月新认定"}},
		{name: "published list", method: "GET", path: "/api/v1/policies?status=published", status: 200, json: map[string]any{"total": 6, "items.0.status": "published"}},
		{name: "latest versions", method: "GET", path: "/api/v1/policies?latest=true&id=" + littleGiant, status: 200,
			json: map[string]any{"total": 1, "items.0.version": 2, "items.0.status": "draft"}},
		{name: "budget use", method: "GET", path: "/api/v1/policies/example-rd-subsidy/budget?period=2026", status: 200,
			json: map[string]any{"policy_id": "example-rd-subsidy", "period": 2026, "budget_fen": 30000000000, "at_limit": "refuse", "approved_fen": 0, "paid_fen": 0}},
		{name: "budget use without a period", method: "GET", path: "/api/v1/policies/example-rd-subsidy/budget", status: 400, contains: []string{`"period"`}},
		{name: "budget use of no policy", method: "GET", path: "/api/v1/policies/nope/budget?period=2026", status: 404},
		{name: "excluded decisions", method: "GET", path: "/api/v1/decisions?verdict=excluded", status: 200, json: map[string]any{"total": 0}},
		{name: "bad status filter", method: "GET", path: "/api/v1/policies?status=live", status: 400, contains: []string{`"status"`}},
		{name: "bad latest", method: "GET", path: "/api/v1/policies?latest=maybe", status: 400, contains: []string{`"latest"`}},
		{name: "read published", method: "GET", path: "/api/v1/policies/" + littleGiant, status: 200,
			json:     map[string]any{"version": 1, "status": "published", "official": true, "mode": "no_application", "policy.conditions.#": 2, "policy.amount.cap_fen": 100000000},
			contains: []string{"id: " + littleGiant}},
		{name: "read draft", method: "GET", path: "/api/v1/policies/" + littleGiant + "?version=2", status: 200, json: map[string]any{"version": 2, "status": "draft"}},
		{name: "read unknown", method: "GET", path: "/api/v1/policies/nope", status: 404},
		{name: "test cases", method: "POST", path: "/api/v1/policies/test", body: `{"source":` + jsonString(lg) + `}`, status: 200,
			json: map[string]any{"policy_id": littleGiant, "pass": true, "failed": 0, "cases.0.pass": true}},
		{name: "test a failing case", method: "POST", path: "/api/v1/policies/test", body: failingCase, header: yaml, status: 200,
			json: map[string]any{"pass": false, "failed": 1, "cases.0.pass": false, "cases.0.want.amount_fen": 90000000}},
		{name: "test a type error", method: "POST", path: "/api/v1/policies/test", body: typeError, header: yaml, status: 400, contains: []string{`"conditions[0].expr"`}},
		{name: "policies/test is not a policy id", method: "GET", path: "/api/v1/policies/test", status: 405, noSpec: true},

		// A run and its decisions.
		{name: "run needs a date", method: "POST", path: "/api/v1/runs", body: `{}`, status: 400, json: map[string]any{"error.fields.as_of": "必填 / required"}},
		{name: "run not after today", method: "POST", path: "/api/v1/runs", body: `{"as_of":"9999-12-31"}`, status: 400,
			json: map[string]any{"error.fields.as_of": "不能晚于今天 2026-01-05 / must not be after today, 2026-01-05"}},
		{name: "run not before the floor", method: "POST", path: "/api/v1/runs", body: `{"as_of":"1999-12-31"}`, status: 400, contains: []string{`"as_of"`, "2000-01-01"}},
		{name: "simulate not too far ahead", method: "POST", path: "/api/v1/policies/" + littleGiant + "/simulate", body: `{"as_of":"2028-01-01"}`, status: 400,
			contains: []string{`"as_of"`, "366"}},
		{name: "run", method: "POST", path: "/api/v1/runs", body: `{"as_of":"2026-01-05"}`, status: 201,
			json: map[string]any{"id": 1, "as_of": "2026-01-05", "by": "operator (admin)"},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if n, _ := body["enterprises"].(float64); n < 2003 {
					t.Errorf("enterprises = %v, want at least 2003", n)
				}
				if n, _ := body["eligible"].(float64); n < 1 {
					t.Errorf("eligible = %v, want some", n)
				}
			}},
		{name: "runs", method: "GET", path: "/api/v1/runs", status: 200, json: map[string]any{"total": 1, "items.0.id": 1}},
		{name: "run with breakdowns", method: "GET", path: "/api/v1/runs/1", status: 200,
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				for _, p := range body["policies"].([]any) {
					p := p.(map[string]any)
					if p["id"] != littleGiant {
						continue
					}
					if p["eligible"].(float64) < 1 || len(p["by_district"].([]any)) < 1 || len(p["by_size"].([]any)) < 1 {
						t.Errorf("little giant totals %v, want eligible firms broken down", p)
					}
					return
				}
				t.Errorf("run has no %s", littleGiant)
			}},
		{name: "unknown run", method: "GET", path: "/api/v1/runs/99", status: 404},
		{name: "decisions of an enterprise", method: "GET", path: "/api/v1/decisions?run=1&policy=" + littleGiant + "&code=" + strings.ToLower(codeA), status: 200,
			json: map[string]any{"total": 1, "items.0.code": codeA, "items.0.amount_fen": 100000000, "items.0.status": "computed", "items.0.period": 2025,
				"items.0.as_of": "2026-01-05", "items.0.conditions.1.id": "cohort", "items.0.conditions.1.passed": true}},
		{name: "decisions by district", method: "GET", path: "/api/v1/decisions?district=440112&policy=" + littleGiant + "&limit=1", status: 200,
			json: map[string]any{"items.#": 1, "items.0.district": "440112", "limit": 1}},
		{name: "bad decision status", method: "GET", path: "/api/v1/decisions?status=granted", status: 400, contains: []string{`"status"`}},
		{name: "bad run filter", method: "GET", path: "/api/v1/decisions?run=abc", status: 400, contains: []string{`"run"`}},
		{name: "explain an enterprise", method: "GET", path: "/api/v1/enterprises/" + codeA + "/decisions?as_of=2026-01-05", status: 200,
			json: map[string]any{"code": codeA, "as_of": "2026-01-05", "stored.0.status": "computed"},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if !hasPolicy(body["granted"], littleGiant) {
					t.Errorf("granted %v, want %s", body["granted"], littleGiant)
				}
			}},
		{name: "a near miss with its gap", method: "GET", path: "/api/v1/enterprises/" + codeC + "/decisions?as_of=2026-01-05", status: 200,
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				if !hasPolicy(body["near_misses"], littleGiant) {
					t.Errorf("near misses %v, want %s", body["near_misses"], littleGiant)
				}
				if !strings.Contains(fmt.Sprint(body["near_misses"]), "e.tier.little_giant.first_year") {
					t.Error("the near miss does not show the recognition year it lacks")
				}
			}},
		{name: "explain one policy", method: "GET", path: "/api/v1/enterprises/" + codeA + "/decisions/" + littleGiant + "?as_of=2026-01-05", status: 200,
			json: map[string]any{"policy_id": littleGiant, "version": 1, "decision.eligible": true, "decision.amount_fen": 100000000,
				"decision.conditions.0.passed": true, "decision.params.reward": 100000000}},
		{name: "explain an ineligible firm", method: "GET", path: "/api/v1/enterprises/" + codeB + "/decisions/" + littleGiant + "?as_of=2026-01-05", status: 200,
			json: map[string]any{"decision.eligible": false, "decision.missing": 2}},
		{name: "explain a draft version", method: "GET", path: "/api/v1/enterprises/" + codeA + "/decisions/" + littleGiant + "?as_of=2026-01-05&version=2", status: 200,
			json: map[string]any{"version": 2}},
		{name: "explain an unknown policy", method: "GET", path: "/api/v1/enterprises/" + codeA + "/decisions/nope", status: 404},
		{name: "explain an unknown enterprise", method: "GET", path: "/api/v1/enterprises/" + unknownCode(t) + "/decisions", status: 404},
		{name: "explain a bad date", method: "GET", path: "/api/v1/enterprises/" + codeA + "/decisions?as_of=2025-13-01", status: 400, contains: []string{`"as_of"`}},

		// What-if.
		{name: "simulate a halved reward", method: "POST", path: "/api/v1/policies/" + littleGiant + "/simulate",
			body: `{"params":{"reward":50000000},"as_of":"2026-01-05"}`, status: 200,
			json: map[string]any{"policy_id": littleGiant, "gainers": 0},
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				losers, loss := body["losers"].(float64), body["loss_fen"].(float64)
				if losers < 1 || loss != losers*50000000 {
					t.Errorf("losers %v losing %v fen, want each losing 50000000", losers, loss)
				}
				if body["published"] == nil {
					t.Error("no comparison with the published version")
				}
				if !strings.Contains(fmt.Sprint(body["changes"]), codeA) && losers <= 100 {
					t.Errorf("changes do not name %s", codeA)
				}
			}},
		{name: "simulate the published version", method: "POST", path: "/api/v1/policies/" + littleGiant + "/simulate", status: 200,
			json: map[string]any{"gainers": 0, "losers": 0}},
		{name: "simulate a draft", method: "POST", path: "/api/v1/policies/" + littleGiant + "/simulate",
			body: `{"source":` + jsonString(strings.Replace(lg, `value_yuan: "1000000.00"`, `value_yuan: "1200000.00"`, 1)) + `,"as_of":"2026-01-05"}`, status: 200,
			json: map[string]any{"losers": 0, "gain_fen": 0}},
		{name: "simulate an unknown parameter", method: "POST", path: "/api/v1/policies/" + littleGiant + "/simulate", body: `{"params":{"bonus":1}}`, status: 400,
			contains: []string{`"params.bonus"`, "reward"}},
		{name: "simulate a parameter of the wrong type", method: "POST", path: "/api/v1/policies/" + littleGiant + "/simulate", body: `{"params":{"reward":"lots"}}`, status: 400,
			contains: []string{`"params.reward"`, "expected integer"}},
		{name: "simulate another policy's draft", method: "POST", path: "/api/v1/policies/" + littleGiant + "/simulate", body: `{"source":` + jsonString(otherID) + `}`, status: 400,
			contains: []string{`"source"`}},
		{name: "simulate an unknown policy", method: "POST", path: "/api/v1/policies/nope/simulate", body: `{}`, status: 404},

		// Publicity, objections, approval, payment.
		{name: "publicise", method: "POST", path: "/api/v1/runs/1/policies/" + littleGiant + "/publicise", body: `{}`, status: 201,
			json: map[string]any{"from": "2026-01-05", "to": "2026-01-12", "days": 5, "version": 1}},
		{name: "publicise twice", method: "POST", path: "/api/v1/runs/1/policies/" + littleGiant + "/publicise", status: 409},
		{name: "publicise bad days", method: "POST", path: "/api/v1/runs/1/policies/gz-single-champion-reward/publicise", body: `{"days":0}`, status: 400, contains: []string{`"days"`}},
		{name: "publicise a policy not in the run", method: "POST", path: "/api/v1/runs/1/policies/nope/publicise", status: 404},
		{name: "public list without any header", method: "GET", path: "/api/v1/public/publicity?policy=" + littleGiant, status: 200,
			check: func(t *testing.T, body map[string]any, _ *http.Response) {
				var found bool
				for _, it := range body["items"].([]any) {
					it := it.(map[string]any)
					if it["code"] == codeA {
						found = true
						if it["amount_fen"] != 100000000.0 || it["document"] != "穗府办规〔2025〕13号" || it["name"] != "广州示例精密机械有限公司" || it["public_to"] != "2026-01-12" {
							t.Errorf("entry %v", it)
						}
					}
				}
				if !found && body["total"].(float64) <= 50 {
					t.Errorf("%s is not on the public list", codeA)
				}
			}},
		{name: "public list by code", method: "GET", path: "/api/v1/public/publicity?code=" + codeA, status: 200, json: map[string]any{"total": 1, "items.0.title_zh": "新认定专精特新“小巨人”企业奖励"}},
		{name: "public list of another policy", method: "GET", path: "/api/v1/public/publicity?policy=gz-single-champion-reward", status: 200, json: map[string]any{"total": 0}},
		{name: "object", method: "POST", path: "/api/v1/objections", header: actorA,
			body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeA + `","reason":"认定日期有误"}`, status: 201,
			json: map[string]any{"id": 1, "status": "open", "by": "企业甲 (admin)", "ref.code": codeA, "absent": false}},
		{name: "object again", method: "POST", path: "/api/v1/objections", body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeA + `","reason":"再议"}`, status: 409},
		{name: "object to an absence", method: "POST", path: "/api/v1/objections",
			body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeB + `","absent":true,"reason":"本企业 2025 年获评小巨人，未列入名单"}`, status: 201,
			json: map[string]any{"id": 2, "absent": true}},
		{name: "objection without a reason", method: "POST", path: "/api/v1/objections", body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeC + `"}`, status: 400,
			contains: []string{`"reason"`}},
		{name: "objection with a bad code", method: "POST", path: "/api/v1/objections", body: `{"run_id":1,"policy_id":"x","code":"123","reason":"x"}`, status: 400,
			contains: []string{`"code"`}},
		{name: "objected decision", method: "GET", path: "/api/v1/decisions?run=1&policy=" + littleGiant + "&code=" + codeA, status: 200, json: map[string]any{"items.0.status": "objected"}},
		{name: "open objections", method: "GET", path: "/api/v1/objections?status=open", status: 200, json: map[string]any{"total": 2}},
		{name: "bad objection status", method: "GET", path: "/api/v1/objections?status=closed", status: 400},
		{name: "resolve needs upheld", method: "POST", path: "/api/v1/objections/1/resolve", body: `{"resolution":"x"}`, status: 400, contains: []string{`"upheld"`}},
		{name: "reject the objection", method: "POST", path: "/api/v1/objections/1/resolve", header: map[string]string{actorHeader: "市工信局 李四"},
			body: `{"upheld":false,"resolution":"认定文件显示 2025-07-15 首次认定，决定维持"}`, status: 200,
			json: map[string]any{"status": "rejected", "resolved_by": "市工信局 李四 (admin)"}},
		{name: "resolve again", method: "POST", path: "/api/v1/objections/1/resolve", body: `{"upheld":true,"resolution":"x"}`, status: 409},
		{name: "resolve unknown", method: "POST", path: "/api/v1/objections/99/resolve", body: `{"upheld":true,"resolution":"x"}`, status: 404},
		{name: "uphold the absence", method: "POST", path: "/api/v1/objections/2/resolve", body: `{"upheld":true,"resolution":"下次计算复核"}`, status: 200,
			json: map[string]any{"status": "upheld"}},
		// After an upheld objection: the figures corrected with their
		// source, then the enterprise decided again in a run of its own.
		{name: "correct on a rejected objection", method: "POST", path: "/api/v1/objections/1/facts",
			body: `{"year":2024,"employees":120,"source":"企业提交的社保缴纳证明","as_of":"2026-01-05"}`, status: 400, contains: []string{"upheld"}},
		{name: "correct without a source", method: "POST", path: "/api/v1/objections/2/facts",
			body: `{"year":2024,"employees":120,"as_of":"2026-01-05"}`, status: 400, contains: []string{`"source"`}},
		{name: "correct after an upheld objection", method: "POST", path: "/api/v1/objections/2/facts",
			body: `{"year":2024,"employees":120,"source":"企业提交的社保缴纳证明","as_of":"2026-01-05"}`, status: 200, json: map[string]any{"code": codeB}},
		{name: "re-decide after the correction", method: "POST", path: "/api/v1/objections/2/redecide", status: 201,
			json: map[string]any{"run.id": 2, "run.enterprises": 1, "run.policies.0.id": littleGiant, "decision.policy_id": littleGiant}},
		{name: "re-decide no objection", method: "POST", path: "/api/v1/objections/99/redecide", status: 404},
		{name: "approve inside the window", method: "POST", path: "/api/v1/approvals", body: `{"items":[` + ref(codeA) + `]}`, header: approver, status: 400,
			contains: []string{"2026-01-12"}},
		{name: "approve nothing", method: "POST", path: "/api/v1/approvals", body: `{"items":[]}`, status: 400, contains: []string{`"items"`}},
		{name: "approve a bad item", method: "POST", path: "/api/v1/approvals", body: `{"items":[{"run_id":0,"policy_id":"","code":"` + codeA + `"}]}`, status: 400,
			contains: []string{`"items[0].run_id"`, `"items[0].policy_id"`}},
		{name: "pay before approval", method: "POST", path: "/api/v1/payments", body: pay(codeA), status: 400, contains: []string{"未审批"}},
		{name: "pay without the treasury's reference", method: "POST", path: "/api/v1/payments", body: ref(codeA), status: 400,
			contains: []string{`"paid_on"`, `"voucher"`, `"batch"`}},
		{name: "approve after the window", before: setClock(time.Date(2026, 1, 13, 9, 0, 0, 0, time.UTC)),
			method: "POST", path: "/api/v1/approvals", body: `{"items":[` + ref(codeA) + `]}`, header: approver, status: 200,
			json: map[string]any{"items.0.status": "approved", "items.0.status_by": "市工信局 王五 (admin)"}},
		{name: "approve again is harmless", method: "POST", path: "/api/v1/approvals", body: `{"items":[` + ref(codeA) + `]}`, header: approver, status: 200, json: map[string]any{"items.0.status": "approved"}},
		// The operator ran the run and publicised the list: four eyes.
		{name: "the runner approves nothing", method: "POST", path: "/api/v1/approvals", body: `{"items":[` + ref(codeA) + `]}`, status: 403,
			contains: []string{"四眼原则", "four-eyes rule"}},
		{name: "pay on a day to come", method: "POST", path: "/api/v1/payments", header: map[string]string{actorHeader: "市财政局"},
			body: strings.Replace(pay(codeA), "2026-01-13", "2026-01-14", 1), status: 400, contains: []string{`"paid_on"`}},
		{name: "objection after the window", method: "POST", path: "/api/v1/objections", body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeC + `","absent":true,"reason":"x"}`, status: 400},
		{name: "pay", method: "POST", path: "/api/v1/payments", body: pay(codeA), header: map[string]string{actorHeader: "市财政局"}, status: 201,
			json: map[string]any{"id": 1, "kind": "payment", "amount_fen": 100000000, "by": "市财政局 (admin)", "entitlement.period": 2025, "decision.code": codeA,
				"paid_on": "2026-01-13", "voucher": "记-2026-0113", "batch": "GK20260113001"}},
		{name: "pay again returns the payment", method: "POST", path: "/api/v1/payments", body: pay(codeA), status: 200,
			json: map[string]any{"id": 1, "kind": "payment", "by": "市财政局 (admin)"}},
		{name: "pay again with another voucher", method: "POST", path: "/api/v1/payments", body: strings.Replace(pay(codeA), "记-2026-0113", "记-2026-0999", 1), status: 409,
			contains: []string{"记-2026-0113"}},
		{name: "pay an unknown decision", method: "POST", path: "/api/v1/payments", body: pay(unknownCode(t)), status: 404},
		{name: "paid decision", method: "GET", path: "/api/v1/decisions?status=paid", status: 200, json: map[string]any{"total": 1, "items.0.code": codeA}},
		{name: "ledger has one payment", method: "GET", path: "/api/v1/ledger?code=" + codeA, status: 200, json: map[string]any{"total": 1, "items.0.amount_fen": 100000000}},
		{name: "reverse needs a reason", method: "POST", path: "/api/v1/reversals", body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeA + `"}`, status: 400,
			contains: []string{`"reason"`}},
		{name: "reverse", method: "POST", path: "/api/v1/reversals", body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeA + `","reason":"认定被撤销"}`, status: 201,
			json: map[string]any{"kind": "reversal", "amount_fen": -100000000, "note": "认定被撤销"}},
		{name: "reverse twice", method: "POST", path: "/api/v1/reversals", body: `{"run_id":1,"policy_id":"` + littleGiant + `","code":"` + codeA + `","reason":"x"}`, status: 409},
		{name: "ledger", method: "GET", path: "/api/v1/ledger?policy=" + littleGiant, status: 200, json: map[string]any{"total": 2, "items.1.kind": "reversal"}},
		{name: "ledger by kind", method: "GET", path: "/api/v1/ledger?kind=payment&period=2025", status: 200, json: map[string]any{"total": 1}},
		{name: "bad ledger kind", method: "GET", path: "/api/v1/ledger?kind=refund", status: 400, contains: []string{`"kind"`}},
		{name: "reversed leaves the public list", method: "GET", path: "/api/v1/public/publicity?code=" + codeA, status: 200, json: map[string]any{"total": 0}},
		{name: "a claimed actor is not believed", method: "POST", path: "/api/v1/policies", body: lg,
			header: map[string]string{"Content-Type": "application/yaml", "X-Chanye-Actor": "mallory"}, status: 201,
			json: map[string]any{"created_by": "operator (admin)"}},
	}...)
	runScenarios(t, h, spec, scenarios)

	// One payment and one reversal were written; the replay is not counted.
	rec := httptest.NewRecorder()
	met.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{"\nchanye_payments_total 1\n", "\nchanye_payments_fen_total 1e+08\n", "\nchanye_reversals_total 1\n", "\nchanye_reversals_fen_total 1e+08\n"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q:\n%s", strings.TrimSpace(want), grepLines(rec.Body.String(), "chanye_"))
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("client errors were logged as errors:\n%s", logs.String())
	}
}

// grepLines returns the lines of s that start with prefix.
func grepLines(s, prefix string) string {
	var out []string
	for _, ln := range strings.Split(s, "\n") {
		if strings.HasPrefix(ln, prefix) {
			out = append(out, ln)
		}
	}
	return strings.Join(out, "\n")
}

// hasPolicy reports whether a decoded list of policy decisions holds id.
func hasPolicy(list any, id string) bool {
	items, _ := list.([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && m["policy_id"] == id {
			return true
		}
	}
	return false
}
