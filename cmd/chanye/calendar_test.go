package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCalendarCommand: the shipped years are shown with their notices; an
// export imports back; a bad file is refused naming its row and column;
// a year not loaded is said to count weekdays only.
func TestCalendarCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	got := mustRun(t, db, "calendar", "show")
	for _, want := range []string{"2024: ", "2025: 28 天放假 days off, 5 天调休上班", "国办发明电〔2024〕12号", "2026: "} {
		if !strings.Contains(got, want) {
			t.Errorf("calendar show lacks %q:\n%s", want, got)
		}
	}
	if got := mustRun(t, db, "calendar", "show", "--year", "2025"); !strings.Contains(got, "2025-01-26 Sun work 春节") {
		t.Errorf("calendar show --year 2025:\n%s", got)
	}
	if _, err := runCmd(t, db, "calendar", "show", "--year", "2027"); err == nil || !strings.Contains(err.Error(), "Monday to Friday only") {
		t.Errorf("an unknown year: %v", err)
	}
	out := filepath.Join(dir, "cal.csv")
	mustRun(t, db, "calendar", "export", "--out", out)
	if got := mustRun(t, db, "calendar", "import", out); strings.Count(got, "已导入") != 3 {
		t.Errorf("the export imported back:\n%s", got)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("date,kind,name,source\n2027-01-01,off,元旦,通知\n2027-01-05,work,元旦,通知\n2027-02-30,off,春节,通知\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runCmd(t, db, "calendar", "import", bad)
	if err == nil || !strings.Contains(err.Error(), "row 4, date") {
		t.Errorf("a bad file: %v", err)
	}
}
