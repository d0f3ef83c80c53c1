package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/policy"
)

// perYearYAML fails for firms exactly ten years old (a division by zero)
// and needs data for firms that reported no revenue last fiscal year.
const perYearYAML = `id: per-year
version: 1
status: draft
official: false
title_zh: 按年限补助
title_en: Grant by age
document: 测试
issuer: 测试
department: 市工业和信息化局
effective: {from: 2025-01-01}
mode: no_application
conditions:
  - id: age
    label_zh: 成立年限
    label_en: age
    expr: 100 / (e.age - 10) != 7
  - id: revenue
    label_zh: 营业收入低于 2000 万元
    label_en: revenue below 20 million yuan
    expr: e.fy1.revenue < 2000000000
amount:
  expr: "100000"
cases:
  - name: eligible
    as_of: 2025-06-30
    enterprise:
      district: "440112"
      class: "3562"
      founded: 2016-01-01
      facts:
        - {year: 2024, revenue_yuan: "10000000"}
    expect: {eligible: true, amount_yuan: "1000"}
  - name: revenue too high
    as_of: 2025-06-30
    enterprise:
      district: "440112"
      class: "3562"
      founded: 2016-01-01
      facts:
        - {year: 2024, revenue_yuan: "30000000"}
    expect: {eligible: false}
  - name: 24 years old
    as_of: 2025-06-30
    enterprise:
      district: "440112"
      class: "3562"
      founded: 2001-01-01
      facts:
        - {year: 2024, revenue_yuan: "10000000"}
    expect: {eligible: false}
`

// TestRunPagesShowVerdictsAndErrors: the runs page and the run page show
// each policy's eligible, not eligible, needs-data and failed decisions,
// with an error badge and the failed decisions listed; the decisions page
// lists the needs-data decisions with the figures they need, and the
// enterprise sees what is missing (issue 9, points 1 and 2).
func TestRunPagesShowVerdictsAndErrors(t *testing.T) {
	f := newPolicyFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	v, err := f.store.CreatePolicyVersion(ctx, []byte(perYearYAML))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.PublishPolicyVersion(ctx, v.PolicyID, v.Version); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Now: policyToday, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store})
	run, err := eng.Run(ctx, chanye.DateOf(policyToday()))
	if err != nil {
		t.Fatal(err)
	}
	var rp policy.RunPolicy
	for _, p := range run.Policies {
		if p.ID == "per-year" {
			rp = p
		}
	}
	if rp.Errors == 0 || rp.NeedsData == 0 || len(rp.ErrorSamples) == 0 {
		t.Fatalf("the run gives %+v: want errors and needs data", rp)
	}
	id := strconv.FormatInt(run.ID, 10)
	nd, pid := policy.VerdictNeedsData, "per-year"
	needs, _, err := f.store.FindDecisions(ctx, policy.DecisionFilter{RunID: &run.ID, PolicyID: &pid, Verdict: &nd, Limit: 1})
	if err != nil || len(needs) == 0 {
		t.Fatalf("needs-data decisions: %v", err)
	}
	fy := strconv.Itoa(policyToday().Year() - 1)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/runs", []string{"#" + id, "有决定计算出错", "待补充数据", "出错", ">" + strconv.Itoa(run.Errors) + "<"}},
		{"/runs?lang=en", []string{"Some decisions failed", "Needs data", "Errors"}},
		{"/runs/" + id, []string{`id="run-error-badge"`, "出错的决定", rp.ErrorSamples[0].Code, "division by zero", "不符合",
			">" + strconv.Itoa(rp.NeedsData) + "</a>", "verdict=needs_data&amp;run=" + id + "&amp;policy=per-year"}},
		{"/decisions?verdict=needs_data&run=" + id + "&policy=per-year", []string{"所需数据", "营业收入（上年度）（" + fy + " 年度）", needs[0].Code}},
		{"/enterprises/" + needs[0].Code + "/policies", []string{`id="needs-data"`, "缺少下列数据", "营业收入（上年度）（" + fy + " 年度）", `id="stored-needs"`}},
	} {
		res, body := f.do(t, "GET", tc.path, nil)
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", tc.path, res.StatusCode)
			continue
		}
		checkPage(t, body)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no %q", tc.path, w)
			}
		}
	}
	// The first run had no errors: no badge on its page.
	if _, body := f.do(t, "GET", "/runs/"+strconv.FormatInt(f.run.ID, 10), nil); strings.Contains(body, "run-error-badge") {
		t.Errorf("a run without errors shows the error badge")
	}
}
