package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/policy"
)

// TestPolicyApplications lists applications by policy and status, with
// their figures in 元 and their review deadline, and shows one with its
// timeline.
func TestPolicyApplications(t *testing.T) {
	db := filepath.Join(t.TempDir(), "apps.db")
	mustRun(t, db, "demo", "--enterprises", "20")
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	var stderr strings.Builder
	sdb, store, _, err := open(ctx, Config{DB: db, Now: testclock.Now, Stdout: &stderr, Stderr: &stderr, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var code string
	if err := store.ScanCodes(ctx, chanye.EnterpriseFilter{}, func(c string) error {
		if code == "" {
			code = c
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	a, err := store.SaveApplication(ctx, &policy.Application{PolicyID: "gz-tech-retrofit", Code: code, Values: map[string]any{
		"equipment_investment": int64(12_345_678_901), "plant_investment": int64(0), "finished_on": chanye.Date{Time: chanye.DateOf(sdb.Now()).AddDate(0, -3, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.MoveApplication(ctx, a.ID, policy.AppSubmitted, ""); err != nil {
		t.Fatal(err)
	}
	sdb.Close()

	out := mustRun(t, db, "policy", "applications", "--policy", "gz-tech-retrofit", "--status", "submitted")
	for _, want := range []string{code, "审核中 / in review", "设备投资额 12,345.678901 万元", "共 1 份"} {
		if !strings.Contains(out, want) {
			t.Errorf("list does not say %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, db, "policy", "applications", "--status", "accepted"); !strings.Contains(out, "共 0 份") {
		t.Errorf("accepted lists:\n%s", out)
	}
	out = mustRun(t, db, "policy", "applications", "--id", "1")
	for _, want := range []string{"审核截止", "create", "submit"} {
		if !strings.Contains(out, want) {
			t.Errorf("show does not say %q:\n%s", want, out)
		}
	}
	if _, err := runCmd(t, db, "policy", "applications", "--status", "done"); err == nil || !strings.Contains(err.Error(), "--status") {
		t.Errorf("an unknown status: %v", err)
	}
}
