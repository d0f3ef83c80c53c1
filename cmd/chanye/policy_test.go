package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestPolicyTestCommand(t *testing.T) {
	out, err := runCmd(t, "", "policy", "test", "../../policy/policies")
	if err != nil {
		t.Fatalf("shipped policies: %v\n%s", err, out)
	}
	if !strings.Contains(out, "✓") || strings.Contains(out, "✗") {
		t.Errorf("output:\n%s", out)
	}
	// A case expecting the wrong amount fails with the explanation.
	src, err := os.ReadFile("../../policy/policies/example-rd-subsidy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(src), `amount_yuan: "200000.00"`, `amount_yuan: "200001.00"`, 1)
	f := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(f, []byte(bad), 0o644)
	out, err = runCmd(t, "", "policy", "test", f)
	if err == nil || !strings.Contains(out, "✗ 失败 / FAIL") || !strings.Contains(out, "rd_ratio") {
		t.Errorf("a failing case: err %v, output:\n%s", err, out)
	}
	// Without its case of a firm that is not high-tech, the high_tech
	// condition never fails: not covered, named, and the command fails
	// (issue 9, point 4).
	i := strings.Index(string(src), "  - name: 非高新技术企业")
	if i < 0 {
		t.Fatal("fixture: the not-high-tech case is not in example-rd-subsidy.yaml")
	}
	os.WriteFile(f, src[:i], 0o644)
	out, err = runCmd(t, "", "policy", "test", f)
	if err == nil || !strings.Contains(out, "✗ 覆盖不足 / NOT COVERED  conditions[0]: 条件 high_tech（现为高新技术企业）在所有用例中均满足") ||
		!strings.Contains(out, "condition high_tech (Is a high-tech enterprise) is met in every case") || !strings.Contains(out, "1 files not covered") {
		t.Errorf("an uncovered condition: err %v, output:\n%s", err, out)
	}
}

func TestPolicyCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chanye.db")
	mustRun(t, db, "demo", "--enterprises", "2000", "--as-of", "2026-06-30")
	out := mustRun(t, db, "policy", "list")
	if !strings.Contains(out, "gz-little-giant-reward") || !strings.Contains(out, "published") {
		t.Errorf("policy list after demo:\n%s", out)
	}
	// A run is not taken as of a day after today (9999-12-31 was accepted).
	if _, err := runCmd(t, db, "policy", "run", "--as-of", "9999-12-31"); err == nil || !strings.Contains(err.Error(), "不能晚于今天") {
		t.Errorf("policy run --as-of 9999-12-31: %v, want refused", err)
	}
	out = mustRun(t, db, "policy", "run", "--as-of", "2026-06-30")
	if !regexp.MustCompile(`snapshot [0-9a-f]{64}`).MatchString(out) || !strings.Contains(out, "example-rd-subsidy") {
		t.Errorf("policy run:\n%s", out)
	}
	// The payment file of the run's policy: nothing approved yet, the
	// header alone; a policy the run did not decide is refused.
	csvFile := filepath.Join(t.TempDir(), "payments.csv")
	if out := mustRun(t, db, "policy", "payments", "--run", "1", "--policy", "example-rd-subsidy", "--out", csvFile); !strings.Contains(out, "0 行 rows") {
		t.Errorf("policy payments: %s", out)
	}
	if b, err := os.ReadFile(csvFile); err != nil || !strings.HasPrefix(string(b), "\ufeffentitlement,code,name,amount_yuan,policy,document,batch,voucher,paid_on,status") {
		t.Errorf("payment file %q, %v", b, err)
	}
	if out := mustRun(t, db, "policy", "payments", "--run", "1", "--policy", "example-rd-subsidy", "--format", "xlsx"); !strings.HasPrefix(out, "PK") {
		t.Errorf("policy payments --format xlsx does not write a workbook: %.20q", out)
	}
	if _, err := runCmd(t, db, "policy", "payments", "--run", "1", "--policy", "no-such-policy"); err == nil {
		t.Errorf("policy payments of a policy the run did not decide: no error")
	}
	code := regexp.MustCompile(`91[0-9A-Z]{16}`).FindString(mustRun(t, db, "export", "enterprises"))
	if code == "" {
		t.Skip("no enterprise code found in the export")
	}
	out = mustRun(t, db, "policy", "explain", "--policy", "example-rd-subsidy", "--enterprise", code, "--as-of", "2026-06-30")
	if !strings.Contains(out, "high_tech") || !strings.Contains(out, "example-rd-subsidy v1") {
		t.Errorf("policy explain:\n%s", out)
	}
	// A new version with a lower threshold: simulate, add, publish.
	src, _ := os.ReadFile("../../policy/policies/example-rd-subsidy.yaml")
	draft := strings.Replace(string(src), "- {from: 2025-01-01, value: 0.03}", "- {from: 2025-01-01, value: 0.08}", 1)
	f := filepath.Join(t.TempDir(), "draft.yaml")
	os.WriteFile(f, []byte(draft), 0o644)
	out = mustRun(t, db, "policy", "simulate", f, "--as-of", "2026-06-30")
	for _, want := range []string{"按区 / by district", "按规模 / by size", "少得 / losers", "预算 / budget"} {
		if !strings.Contains(out, want) {
			t.Errorf("policy simulate: no %q in\n%s", want, out)
		}
	}
	if _, err := runCmd(t, db, "policy", "add", f); err != nil {
		t.Fatal(err)
	}
	// The draft's cases expect the old threshold: it cannot be published.
	if _, err := runCmd(t, db, "policy", "publish", "example-rd-subsidy"); err == nil {
		t.Error("publishing a draft with failing cases succeeded")
	}
	out = mustRun(t, db, "policy", "list")
	if !strings.Contains(out, "example-rd-subsidy  2") && !regexp.MustCompile(`example-rd-subsidy\s+2\s+draft`).MatchString(out) {
		t.Errorf("policy list after add:\n%s", out)
	}
	for _, args := range [][]string{{"policy", "--help"}, {"policy", "run", "--help"}, {"bench", "policies", "--help"}} {
		if out := mustRun(t, db, args...); !strings.Contains(out, "/") {
			t.Errorf("%v: %s", args, out)
		}
	}
}

func TestBenchPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	args := []string{"bench", "policies", "--enterprises", "20000", "--policies", "20", "--json"}
	pg := os.Getenv("CHANYE_TEST_POSTGRES")
	if pg != "" {
		args = append(args, "--postgres", pg)
	}
	out := mustRun(t, "", args...)
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Every SQL form agreed with the fast path on counts and amounts, or
	// the command would have failed.
	for _, k := range []string{"enterprises", "policies", "fast_ns", "celgo_ns", "sqlite_ns", "sqlite_scan_ns", "sqlite_amounts_ns",
		"postgres_ns", "postgres_scan_ns", "postgres_amounts_ns", "explain_ns", "rss_bytes"} {
		v, ok := r[k]
		if !ok {
			t.Errorf("no key %s in %s", k, out)
		}
		if v == nil && (!strings.HasPrefix(k, "postgres") || pg != "") {
			t.Errorf("%s is null", k)
		}
	}
	if pg == "" && r["postgres_ns"] != nil {
		t.Errorf("postgres_ns = %v without --postgres", r["postgres_ns"])
	}
	if r["enterprises"].(float64) != 20000 || r["policies"].(float64) != 20 {
		t.Errorf("sizes: %s", out)
	}
	out = mustRun(t, "", "bench", "policies", "--enterprises", "5000", "--policies", "5")
	if !strings.Contains(out, "fast path") || !strings.Contains(out, "×") || !strings.Contains(out, "scaled") {
		t.Errorf("human output:\n%s", out)
	}
}

// failingYAML divides by (e.age - 10): a division by zero for firms
// exactly ten years old. Its cases cover it, as publishing requires.
const failingYAML = `id: per-year
version: 1
status: draft
official: false
title_zh: 按年限
title_en: By age
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
amount:
  expr: "100000"
cases:
  - name: nine years old
    as_of: 2025-06-30
    enterprise: {district: "440112", class: "3562", founded: 2016-01-01}
    expect: {eligible: true, amount_yuan: "1000"}
  - name: 24 years old
    as_of: 2025-06-30
    enterprise: {district: "440112", class: "3562", founded: 2001-01-01}
    expect: {eligible: false}
`

// TestPolicyRunWithErrors: a run whose decisions fail is stored and
// listed with its errors, and chanye policy run prints the counts and the
// errors and exits non-zero (issue 9, point 2). Before, the firms were
// silently not eligible and the run said nothing.
func TestPolicyRunWithErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chanye.db")
	mustRun(t, db, "demo", "--enterprises", "1000", "--as-of", "2026-06-30")
	f := filepath.Join(t.TempDir(), "per-year.yaml")
	if err := os.WriteFile(f, []byte(failingYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "policy", "add", f)
	mustRun(t, db, "policy", "publish", "per-year")
	out, err := runCmd(t, db, "policy", "run", "--as-of", "2026-06-30")
	if err == nil || !strings.Contains(err.Error(), "decisions failed") {
		t.Fatalf("policy run with failing decisions: err %v, want non-nil\n%s", err, out)
	}
	for _, want := range []string{"待补充数据 needs data", "出错 errors", "不符合 not eligible", "出错的决定 / failed decisions:", "per-year  91", "division by zero"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`per-year\s+1\s+\d+\s+\d+\s+0\s+[1-9]\d*\s`).MatchString(out) {
		t.Errorf("no per-policy counts with errors in\n%s", out)
	}
}

// bench run decides on the stored base twice: the first run of a fresh
// database reads the whole base and stores it, the second refreshes the
// kept one; a second process starts from the stored base.
func TestBenchRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bench.db")
	mustRun(t, db, "demo", "--enterprises", "300", "--projects", "0")
	out := mustRun(t, db, "bench", "run", "--runs", "2", "--as-of", "2026-06-30")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], " whole ") || !strings.Contains(lines[2], " kept ") || !strings.Contains(lines[3], "peak RSS") {
		t.Fatalf("bench run printed\n%s", out)
	}
	out = mustRun(t, db, "bench", "run", "--runs", "1", "--as-of", "2026-06-30")
	if !strings.Contains(out, " stored ") {
		t.Errorf("a second process did not start from the stored base:\n%s", out)
	}
	if _, err := runCmd(t, db, "bench", "run", "--runs", "0"); err == nil || !strings.Contains(err.Error(), "1–20") {
		t.Errorf("--runs 0: %v", err)
	}
	// Copies of the shipped policies are published until there are 20;
	// a second call publishes none, and the run decides all 20.
	out = mustRun(t, db, "bench", "run", "--runs", "1", "--policies", "20", "--as-of", "2026-06-30")
	if !strings.Contains(out, "published policies: 20") || !strings.Contains(out, "copies published now: 13") {
		t.Errorf("bench run --policies 20 printed\n%s", out)
	}
	out = mustRun(t, db, "bench", "run", "--runs", "1", "--policies", "20", "--as-of", "2026-06-30")
	if !strings.Contains(out, "copies published now: 0") {
		t.Errorf("a second bench run --policies 20 printed\n%s", out)
	}
	if out = mustRun(t, db, "policy", "run", "--as-of", "2026-06-30"); len(regexp.MustCompile(`-bench-\d+ +1 `).FindAllString(out, -1)) != 13 {
		t.Errorf("policy run after the copies printed\n%s", out)
	}
	if _, err := runCmd(t, db, "bench", "run", "--policies", "1001"); err == nil || !strings.Contains(err.Error(), "0–1000") {
		t.Errorf("--policies 1001: %v", err)
	}
}
