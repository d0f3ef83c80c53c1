package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/workday"
)

// TestCalendar: a 公示 window counts working days on the calendar (the
// National Day holiday skipped, its Sunday worked); an administrator's
// schedule for a year replaces the shipped one whole, audited; a bad one
// is refused and changes nothing.
func TestCalendar(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := NewStore(db)
		version := publishedPolicy(t, s)
		*clock = time.Date(2025, 9, 26, 9, 0, 0, 0, time.UTC) // a Friday before the National Day holiday
		run := createRun(t, s, version, eligible(version, code(t, 1), "440103", 100_00))
		pub, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5)
		if err != nil {
			t.Fatal(err)
		}
		// 09-28 (Sunday worked), 09-29, 09-30, then 10-09, 10-10.
		if pub.From.String() != "2025-09-26" || pub.To.String() != "2025-10-10" {
			t.Errorf("publicity %s–%s, want 2025-09-26–2025-10-10", pub.From, pub.To)
		}

		cal, err := s.FindCalendar(ctx)
		if err != nil || !cal.Known(2026) || cal.Known(2027) {
			t.Fatalf("the calendar in force: %v", err)
		}
		ys, err := workday.Read(strings.NewReader("date,kind,name,source\n2027-01-01,off,元旦,国务院办公厅关于2027年部分节假日安排的通知（测试）\n2027-01-02,off,元旦,国务院办公厅关于2027年部分节假日安排的通知（测试）\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ImportCalendar(as(ctx, "admin"), ys); err != nil {
			t.Fatal(err)
		}
		// A correction of 2025 without the National Day holiday.
		fix, err := workday.Read(strings.NewReader("date,kind,name,source\n2025-01-01,off,元旦,更正（测试）\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ImportCalendar(as(ctx, "admin"), fix); err != nil {
			t.Fatal(err)
		}
		cal, _ = s.FindCalendar(ctx)
		d := func(s string) chanye.Date { x, _ := chanye.ParseDate(s); return x }
		if !cal.Known(2027) || cal.Working(d("2027-01-01")) || !cal.Working(d("2025-10-08")) || cal.Working(d("2025-09-28")) || cal.Working(d("2026-02-16")) {
			t.Error("the loaded years do not replace the shipped ones, or the shipped 2026 is lost")
		}
		if n := auditCount(t, s, "calendar"); n != 2 {
			t.Errorf("%d calendar audit entries, want 2", n)
		}
		bad := []*workday.Year{{Year: 2028, Source: "测试", Days: []workday.Day{{Date: d("2028-01-04"), Kind: workday.Work, Name: "元旦"}}}}
		if err := s.ImportCalendar(as(ctx, "admin"), bad); chanye.ErrorFields(err)["2028-01-04"] == "" {
			t.Errorf("a weekday worked: %v", err)
		}
		if cal, _ := s.FindCalendar(ctx); cal.Known(2028) {
			t.Error("a refused year was stored")
		}
	})
}
