package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChainCommands: a new database has the default chains; export writes
// them as the file import reads; a bad file is refused naming the chain,
// the link and the field, and changes nothing.
func TestChainCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	out := filepath.Join(dir, "chains.json")
	mustRun(t, db, "migrate")
	if got := mustRun(t, db, "import", "catalog", filepath.Join("..", "..", "catalog", "guangzhou.json")); !strings.Contains(got, "26 个产业 industries") {
		t.Errorf("import catalog: %s", got)
	}
	if got := mustRun(t, db, "export", "chains", "--out", out); !strings.Contains(got, "已导出 / exported 18 条产业链 chains") {
		t.Fatalf("export: %s", got)
	}
	if got := mustRun(t, db, "import", "chains", out); !strings.Contains(got, "18 条产业链 chains") || !strings.Contains(got, "删去 removed 0") {
		t.Errorf("import of the export: %s", got)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(string(data), `"stage": "upstream"`, `"stage": "upper"`, 1)), 0o644)
	_, err = runCmd(t, db, "import", "chains", bad)
	if err == nil || !strings.Contains(describe(err), "].stage:") || !strings.Contains(describe(err), "chains[") {
		t.Errorf("a bad stage: %v", describe(err))
	}
	if got := mustRun(t, db, "export", "chains"); got != string(data) {
		t.Error("a refused import changed the chains")
	}
	if got := mustRun(t, db, "export", "chain-links", "--out", filepath.Join(dir, "links.xlsx")); !strings.Contains(got, "284 个环节 links") {
		t.Errorf("export chain-links: %s", got)
	}
}
