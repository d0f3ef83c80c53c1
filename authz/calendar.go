package authz

import (
	"context"

	"github.com/chanye-org/chanye/workday"
)

// Actions on the working-day calendar.
const (
	ReadCalendar   Action = "read the working-day calendar"
	ImportCalendar Action = "load a year's holiday schedule"
)

// calendarRules: the State Council's schedules are public documents and
// every deadline is counted on them, so everyone reads the calendar; only
// administrators load a year's schedule.
var calendarRules = Rules{
	ReadCalendar:   {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	ImportCalendar: {admin: Allow},
}

// CalendarRules returns the calendar's rules, for review and tests.
func CalendarRules() Rules { return calendarRules }

type calendar struct{ inner workday.Service }

// Calendar returns inner guarded by calendarRules.
func Calendar(inner workday.Service) workday.Service { return &calendar{inner: inner} }

var _ workday.Service = (*calendar)(nil)

func (c *calendar) FindCalendar(ctx context.Context) (*workday.Calendar, error) {
	if _, _, err := check(ctx, calendarRules, ReadCalendar); err != nil {
		return nil, err
	}
	return c.inner.FindCalendar(ctx)
}

func (c *calendar) ImportCalendar(ctx context.Context, years []*workday.Year) error {
	if _, _, err := check(ctx, calendarRules, ImportCalendar); err != nil {
		return err
	}
	return c.inner.ImportCalendar(ctx, years)
}
