package testclock

import (
	"testing"

	"github.com/chanye-org/chanye"
)

func TestMonthsFrom(t *testing.T) {
	day := func(s string) chanye.Date {
		d, err := chanye.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tt := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-16", -22, "2025-01-16"},
		{"2026-11-16", 2, "2027-01-16"},
		{"2031-03-31", -1, "2031-02-28"},
		{"2032-03-31", -1, "2032-02-29"},
		{"2026-01-31", 1, "2026-02-28"},
	} {
		if got := monthsFrom(day(tt.from), tt.n).String(); got != tt.want {
			t.Errorf("monthsFrom(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestFixed(t *testing.T) {
	c := Fixed("2030-02-01")
	if got := chanye.DateOf(c()).String(); got != "2030-02-01" {
		t.Errorf("Fixed day = %s", got)
	}
	if c() != c() {
		t.Error("Fixed is not fixed")
	}
}
