// Package testclock is the one clock of chanye's tests. No test reads the
// wall clock: whatever needs "now" or "today" is given Now, which returns a
// fixed instant — 10:00 in Guangzhou on 2026-11-16, or on the day that
// CHANYE_TEST_TODAY names (YYYY-MM-DD). CI runs the suite a second time with
// CHANYE_TEST_TODAY years ahead, so that code which still reads time.Now
// instead of its injected clock disagrees with its fixtures and fails at
// once, not on the day the calendar catches up with it.
//
// Tests whose fixtures depend on today build them relative to Today (see
// AddMonths, Month); tests with fixed dates give their code a clock pinned
// to those dates with Fixed.
package testclock

import (
	"fmt"
	"os"
	"time"

	"github.com/chanye-org/chanye"
)

// Env is the variable that moves the test clock.
const Env = "CHANYE_TEST_TODAY"

// DefaultDay is the test clock's day when Env is not set.
const DefaultDay = "2026-11-16"

// shanghai is China Standard Time, fixed at UTC+8 (no daylight saving), so
// the tests need no time zone database.
var shanghai = time.FixedZone("CST", 8*3600)

var now = func() time.Time {
	day := os.Getenv(Env)
	if day == "" {
		day = DefaultDay
	}
	t, err := time.ParseInLocation(time.DateOnly, day, shanghai)
	if err != nil {
		panic(fmt.Sprintf("testclock: %s=%q is not a date (YYYY-MM-DD): %v", Env, day, err))
	}
	return t.Add(10 * time.Hour)
}()

// Now returns the test instant. Its type fits every Now field and
// constructor argument of chanye.
func Now() time.Time { return now }

// Today returns the date of Now.
func Today() chanye.Date { return chanye.DateOf(now) }

// Fixed returns a clock that always returns the given day at 10:00 in
// Guangzhou; for tests whose fixtures are written for one date.
func Fixed(day string) func() time.Time {
	t, err := time.ParseInLocation(time.DateOnly, day, shanghai)
	if err != nil {
		panic(fmt.Sprintf("testclock: Fixed(%q): %v", day, err))
	}
	t = t.Add(10 * time.Hour)
	return func() time.Time { return t }
}

// AddMonths returns Today moved by n calendar months (negative for the
// past), on the same day of the month, clamped to the month's last day.
func AddMonths(n int) chanye.Date {
	return monthsFrom(Today(), n)
}

func monthsFrom(d chanye.Date, n int) chanye.Date {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return chanye.DateOf(time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC))
}

// Month returns the month n months from today's as "YYYY-MM" (n = -1 is
// last month).
func Month(n int) string {
	return AddMonths(n).Format("2006-01")
}

// Year returns today's year plus n.
func Year(n int) int { return Today().Year() + n }
