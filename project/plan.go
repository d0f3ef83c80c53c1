package project

import (
	"time"

	"github.com/chanye-org/chanye"
)

// PlannedProgress returns the share of the project planned to be done by
// the end of asOf, in percent (0–100).
//
// With a yearly plan (planned amounts summing to more than zero), progress
// follows the plan's money: each year's amount is spread evenly over the
// days of that year that lie between the planned start and completion (the
// whole year when none do), and progress is the planned amount to date over
// the plan's sum. Without one, progress is linear in days from the planned
// start (0 %) to the planned completion (100 %).
func PlannedProgress(p *Project, asOf chanye.Date) float64 {
	return plannedShare(p, endOfDay(asOf)) * 100
}

// PlannedInvestment returns the investment planned by the end of asOf:
// PlannedProgress applied to the yearly plan's sum, or to the total
// investment without a plan. A valid project's plan sums to at most its
// total (Validate); a plan whose sum overflows counts as none.
func PlannedInvestment(p *Project, asOf chanye.Date) chanye.Fen {
	base, ok := planSum(p)
	if !ok || base <= 0 {
		base = p.TotalInvestmentFen
	}
	v := float64(base)*plannedShare(p, endOfDay(asOf)) + 0.5
	if v >= float64(base) { // the share is at most 1; never convert past the int64 range
		return base
	}
	return chanye.Fen(v)
}

func endOfDay(d chanye.Date) time.Time { return d.AddDate(0, 0, 1) }

// planSum returns the sum of the yearly plan, false when it overflows.
func planSum(p *Project) (chanye.Fen, bool) {
	var s chanye.FenSum
	for _, y := range p.YearlyPlan {
		s.Add(y.PlannedFen)
	}
	return s.Value(), !s.Overflowed()
}

func plannedShare(p *Project, t time.Time) float64 {
	start, end := p.PlannedStart.Time, p.PlannedCompletion.Time
	sum, ok := planSum(p)
	if !ok || sum <= 0 {
		return fraction(t, start, end)
	}
	var done float64
	for _, y := range p.YearlyPlan {
		ys := time.Date(y.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		ye := ys.AddDate(1, 0, 0)
		ws, we := later(ys, start), earlier(ye, end)
		if !we.After(ws) {
			ws, we = ys, ye
		}
		done += float64(y.PlannedFen) * fraction(t, ws, we)
	}
	return done / float64(sum)
}

// fraction returns how far t is from a to b, clamped to [0, 1].
func fraction(t, a, b time.Time) float64 {
	switch {
	case !t.After(a):
		return 0
	case !t.Before(b) || !b.After(a):
		return 1
	}
	return float64(t.Sub(a)) / float64(b.Sub(a))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// monthIndex numbers months: year×12 + month − 1.
func monthIndex(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

// MonthOf returns the YYYY-MM month of d.
func MonthOf(d chanye.Date) string { return d.Format("2006-01") }

// parseMonth returns the monthIndex of a YYYY-MM month, or false.
func parseMonth(s string) (int, bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, false
	}
	n := 0
	for i, c := range []byte(s) {
		if i == 4 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	y, m := n/100, n%100
	if m < 1 || m > 12 {
		return 0, false
	}
	return y*12 + m - 1, true
}

// monthEnd returns the last day of the month with index m.
func monthEnd(m int) chanye.Date {
	return chanye.Date{Time: time.Date(m/12, time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, -1)}
}
