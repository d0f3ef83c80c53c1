package workday

import (
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
)

func day(t *testing.T, s string) chanye.Date {
	t.Helper()
	d, err := chanye.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestShipped: the published schedules of 2024–2026 as the notices say —
// 2025's Spring Festival off from 除夕 (01-28) to 02-04 with the Sundays
// 01-26 and 02-08 worked, 2026's nine days with 02-14 and 02-28 worked.
func TestShipped(t *testing.T) {
	c := Default()
	for _, y := range []int{2024, 2025, 2026} {
		if !c.Known(y) {
			t.Errorf("%d is not shipped", y)
		}
	}
	if c.Known(2023) || c.Known(2027) {
		t.Error("a year without a published schedule is known")
	}
	for s, want := range map[string]bool{
		"2025-01-24": true,  // Friday
		"2025-01-25": false, // Saturday
		"2025-01-26": true,  // Sunday worked (调休)
		"2025-01-27": true,  // Monday
		"2025-01-28": false, // 除夕
		"2025-02-04": false, // 初七
		"2025-02-05": true,
		"2025-02-08": true, // Saturday worked
		"2025-10-08": false,
		"2025-10-11": true,
		"2024-02-18": true,
		"2024-06-10": false,
		"2026-01-04": true,
		"2026-02-23": false,
		"2026-02-28": true,
		"2026-10-10": true,
		"2027-01-01": true, // a Friday, its schedule not known: weekdays only
	} {
		if got := c.Working(day(t, s)); got != want {
			t.Errorf("Working(%s) = %v, want %v", s, got, want)
		}
	}
	if got := c.Holiday(day(t, "2025-01-30")); got != "春节" {
		t.Errorf("Holiday(2025-01-30) = %q", got)
	}
	for _, y := range c.Years() {
		if !strings.Contains(y.Source, "国务院办公厅关于") || !strings.Contains(y.Source, "部分节假日安排的通知") {
			t.Errorf("%d's source: %q", y.Year, y.Source)
		}
	}
}

// TestAddWorkingDays: a clock that crosses the Spring Festival skips the
// holiday and counts the Sundays worked.
func TestAddWorkingDays(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2025-01-24", 1, "2025-01-26"}, // Friday + 1: the Sunday worked
		{"2025-01-24", 2, "2025-01-27"},
		{"2025-01-24", 3, "2025-02-05"}, // over the eight days off
		{"2025-01-27", 5, "2025-02-10"}, // 02-05..02-08 (Sat worked), then Monday 02-10
		{"2025-09-26", 4, "2025-10-09"}, // Fri → Sun 09-28 worked, 09-29, 09-30, then 10-09
		{"2025-03-07", 5, "2025-03-14"}, // an ordinary week
		{"2025-03-07", 0, "2025-03-07"},
		{"2027-01-29", 1, "2027-02-01"}, // unknown year: weekdays only
	} {
		if got := c.AddWorkingDays(day(t, tc.from), tc.n); got.String() != tc.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
		if tc.n > 0 {
			if n := c.WorkingDaysBetween(day(t, tc.from), day(t, tc.want)); n != tc.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.from, tc.want, n, tc.n)
			}
		}
	}
	if got := c.UnknownYears(day(t, "2026-12-20"), day(t, "2027-01-10")); len(got) != 1 || got[0] != 2027 {
		t.Errorf("UnknownYears = %v", got)
	}
	var zero Calendar
	if got := zero.AddWorkingDays(day(t, "2025-01-24"), 3); got.String() != "2025-01-29" {
		t.Errorf("the zero calendar counts weekdays: %s", got)
	}
}

// TestRead: a file's mistakes name the row and the column, or the day.
func TestRead(t *testing.T) {
	const head = "date,kind,name,source\n"
	for name, tc := range map[string]struct {
		text, key string
	}{
		"bad header":        {"day,kind,name,source\n2027-01-01,off,元旦,x\n", "header"},
		"bad date":          {head + "2027-13-01,off,元旦,通知\n", "row 2, date"},
		"two sources":       {head + "2027-01-01,off,元旦,通知甲\n2027-02-01,off,春节,通知乙\n", "row 3, source"},
		"bad kind":          {head + "2027-01-01,rest,元旦,通知\n", "2027-01-01"},
		"a weekday worked":  {head + "2027-01-05,work,元旦,通知\n", "2027-01-05"},
		"twice":             {head + "2027-01-01,off,元旦,通知\n2027-01-01,off,元旦,通知\n", "2027-01-01"},
		"no name":           {head + "2027-01-01,off,,通知\n", "2027-01-01"},
		"no source":         {head + "2027-01-01,off,元旦,\n", "2027.source"},
		"short row":         {head + "2027-01-01,off\n", "row 2"},
		"no rows":           {head, "rows"},
		"a year out of use": {head + "1999-01-01,off,元旦,通知\n", "year"},
	} {
		_, err := Read(strings.NewReader(tc.text))
		if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorFields(err)[tc.key] == "" {
			t.Errorf("%s: %v %v, want a problem at %q", name, err, chanye.ErrorFields(err), tc.key)
		}
	}
	ys, err := Read(strings.NewReader("\ufeff" + head + "2027-01-02,work,元旦,通知\n2027-01-01,off,元旦,通知\n"))
	if err != nil || len(ys) != 1 || ys[0].Year != 2027 || len(ys[0].Days) != 2 || ys[0].Days[0].Date.String() != "2027-01-01" {
		t.Fatalf("Read = %+v, %v", ys, err)
	}
	// A loaded year replaces the shipped one of the same number.
	c, err := New(append(Shipped(), &Year{Year: 2026, Source: "更正", Days: []Day{{Date: day(t, "2026-03-02"), Kind: Off, Name: "测试"}}})...)
	if err != nil {
		t.Fatal(err)
	}
	if c.Working(day(t, "2026-03-02")) || !c.Working(day(t, "2026-02-23")) {
		t.Error("the loaded 2026 does not replace the shipped one")
	}
}

// TestAddWorkingHours: a 24-hour clock started on the Friday before the
// Spring Festival of 2025 runs through the Sunday worked; one started on
// the first day off starts after the holiday.
func TestAddWorkingHours(t *testing.T) {
	c := Default()
	loc := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, tc := range []struct {
		from string
		h    int
		want string
	}{
		{"2025-01-24 16:00", 1, "2025-01-24 17:00"},
		{"2025-01-24 16:00", 24, "2025-01-26 16:00"}, // Saturday off, Sunday worked
		{"2025-01-27 10:00", 24, "2025-02-05 10:00"}, // Monday, then eight days off
		{"2025-01-30 09:00", 2, "2025-02-05 02:00"},  // started in the holiday
		{"2025-03-07 12:00", 48, "2025-03-11 12:00"}, // Friday over an ordinary weekend
		{"2025-03-07 12:00", 0, "2025-03-07 12:00"},
	} {
		if got := c.AddWorkingHours(at(tc.from), tc.h).Format("2006-01-02 15:04"); got != tc.want {
			t.Errorf("AddWorkingHours(%s, %d) = %s, want %s", tc.from, tc.h, got, tc.want)
		}
	}
}
