package main

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
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
	// The demo's key projects and the ones its landed leads became.
	projects := strconv.Itoa(demo.KeyProjects + demo.DefaultLeadProjects)
	if !strings.Contains(out, "写入 written "+projects) {
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
	if !strings.Contains(out, projects+" 个项目 projects") {
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
	routineCommands(t, db, dir, projects)
}

// routineCommands walks the red sweep, 销号 and 督办 through the command
// line on a demo database.
func routineCommands(t *testing.T, db, dir, projects string) {
	if out := mustRun(t, db, "project", "sweep"); !strings.Contains(out, "巡检 / swept "+projects+" 个项目 projects: 颜色变化 changed 0") {
		t.Errorf("first sweep: %s", out)
	}
	if out := mustRun(t, db, "project", "sweep"); !strings.Contains(out, "turned red and told 0") {
		t.Errorf("second sweep: %s", out)
	}

	// Close one open warning of the board with a PDF as evidence.
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	sdb, store, _, err := open(ctx, Config{DB: db, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.FindBoard(ctx, project.ProjectFilter{})
	sdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	var w *project.Warning
	for i := range b.Warnings {
		if b.Warnings[i].Closed == nil {
			w = &b.Warnings[i]
			break
		}
	}
	if w == nil {
		t.Fatal("the demo board has no open warning")
	}
	pdf := filepath.Join(dir, "evidence.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), 0o644)
	if _, err := runCmd(t, db, "project", "close", "--project", w.ProjectID, "--rule", w.RuleID, "--evidence", pdf); err == nil ||
		!strings.Contains(err.Error(), "note") {
		t.Errorf("a closure without a note: %v", err)
	}
	if out := mustRun(t, db, "project", "close", "--project", w.ProjectID, "--rule", w.RuleID, "--note", "已整改", "--evidence", pdf); !strings.Contains(out, "已销号 / closed: 项目 project "+w.ProjectID) {
		t.Errorf("close: %s", out)
	}
	if out := mustRun(t, db, "project", "closures", "--project", w.ProjectID); !strings.Contains(out, "已整改") || !strings.Contains(out, "evidence.pdf") {
		t.Errorf("closures: %s", out)
	}

	// 督办: issued, answered, closed; each step seen in the list.
	due := chanye.DateOf(testclock.Now().AddDate(0, 0, 10)).String()
	out := mustRun(t, db, "project", "supervise", "--project", w.ProjectID, "--to", "owner", "--due", due, "--instruction", "月底前完成整改")
	id := regexp.MustCompile(`事项 item (\d+)`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("supervise: %s", out)
	}
	if out := mustRun(t, db, "project", "supervisions", "--project", w.ProjectID, "--open"); !strings.Contains(out, "月底前完成整改") || !strings.Contains(out, "待答复") {
		t.Errorf("supervisions: %s", out)
	}
	if _, err := runCmd(t, db, "project", "supervision", "return", id[1], "--note", "再改"); err == nil {
		t.Error("an unanswered item was sent back")
	}
	if out := mustRun(t, db, "project", "supervision", "answer", id[1], "--note", "已整改完毕"); !strings.Contains(out, "已答复") {
		t.Errorf("answer: %s", out)
	}
	if out := mustRun(t, db, "project", "supervision", "close", id[1], "--note", "同意办结"); !strings.Contains(out, "已办结") {
		t.Errorf("close: %s", out)
	}
	if _, err := runCmd(t, db, "project", "supervision", "open", id[1]); err == nil {
		t.Error("an unknown action was taken")
	}
	if _, err := runCmd(t, db, "project", "supervise", "--project", w.ProjectID, "--due", "2020-01-01", "--instruction", "x"); err == nil {
		t.Error("a due date in the past was accepted")
	}
}
