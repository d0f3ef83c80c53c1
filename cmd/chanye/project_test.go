package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye/internal/testclock"
)

// TestProjectCommands runs demo, export, import and the meeting report end
// to end on one database.
func TestProjectCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	today, month := testclock.Today().String(), testclock.Month(0)
	out := mustRun(t, db, "demo", "--enterprises", "3000", "--seed", "5", "--as-of", today)
	if !strings.Contains(out, "1246 个 projects") {
		t.Fatalf("demo output lacks the key projects:\n%s", out)
	}
	for _, f := range []string{"projects.xlsx", "nodes.csv", "reports.xlsx"} {
		kind := strings.TrimSuffix(f, filepath.Ext(f))
		out := mustRun(t, db, "export", kind, "--out", filepath.Join(dir, f))
		if !strings.Contains(out, "已导出 / exported") {
			t.Errorf("export %s: %s", kind, out)
		}
	}
	// Import the export back: same projects, nothing new.
	out = mustRun(t, db, "import", "projects", filepath.Join(dir, "projects.xlsx"), "nodes", filepath.Join(dir, "nodes.csv"),
		"reports", filepath.Join(dir, "reports.xlsx"))
	if !strings.Contains(out, "写入 written 1246") {
		t.Errorf("import:\n%s", out)
	}
	// A bad file imports nothing and names row and column.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("project_id,month,invested_yuan,cumulative_yuan,progress_pct\nGZZD-0001,2026-13,1,1,1\n"), 0o644)
	_, err := runCmd(t, db, "import", "reports", bad)
	if err == nil || !strings.Contains(err.Error(), "第 2 行 / row 2, 列 / column month") {
		t.Errorf("bad import: %v", err)
	}
	xlsx := filepath.Join(dir, "meeting.xlsx")
	out = mustRun(t, db, "report", "meeting", "--month", month, "--as-of", today, "--out", xlsx)
	if !strings.Contains(out, "1246 个项目 projects") {
		t.Errorf("report: %s", out)
	}
	zr, err := zip.OpenReader(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	zr.Close()
	if _, err := runCmd(t, db, "report", "meeting", "--month", "2026-13", "--out", xlsx); err == nil {
		t.Error("a bad month was accepted")
	}
}
