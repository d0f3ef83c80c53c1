package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/workday"
)

// The working-day calendar: the shipped schedules (package workday) with
// the years an administrator loaded (calendar_years, calendar_days) in
// their place. It counts review periods, 公示 windows and the clocks.

var _ workday.Service = (*Store)(nil)

// calendarIn returns the calendar in force, read in tx.
func calendarIn(ctx context.Context, tx *txn) (*workday.Calendar, error) {
	years := map[int]*workday.Year{}
	rows, err := tx.query(ctx, `SELECT year, source FROM calendar_years ORDER BY year`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		y := &workday.Year{}
		if err := rows.Scan(&y.Year, &y.Source); err != nil {
			rows.Close()
			return nil, err
		}
		years[y.Year] = y
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(years) == 0 {
		return workday.Default(), nil
	}
	rows, err = tx.query(ctx, `SELECT year, day, kind, name FROM calendar_days ORDER BY day`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			year int
			day  sql.NullString
			d    workday.Day
		)
		if err := rows.Scan(&year, &day, &d.Kind, &d.Name); err != nil {
			return nil, err
		}
		if d.Date, err = parseDate(day); err != nil {
			return nil, err
		}
		years[year].Days = append(years[year].Days, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	all := workday.Shipped()
	for _, y := range years {
		all = append(all, y) // after the shipped: a loaded year replaces its namesake
	}
	return workday.New(all...)
}

// FindCalendar returns the calendar in force.
func (s *Store) FindCalendar(ctx context.Context) (*workday.Calendar, error) {
	var out *workday.Calendar
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = calendarIn(ctx, tx)
		return err
	})
	return out, err
}

// ImportCalendar stores the years' schedules, each replacing what was
// loaded for its year, in one transaction; each year is an audit entry.
// EINVALID.
func (s *Store) ImportCalendar(ctx context.Context, years []*workday.Year) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	if len(years) == 0 {
		return chanye.Invalid("放假安排有误 / invalid holiday schedule", map[string]string{"years": "没有年份 / no year"})
	}
	seen := map[int]bool{}
	for _, y := range years {
		if y == nil {
			return chanye.Invalid("放假安排有误 / invalid holiday schedule", map[string]string{"years": "空的年份 / an empty year"})
		}
		if err := y.Validate(); err != nil {
			return err
		}
		if seen[y.Year] {
			return chanye.Invalid("放假安排有误 / invalid holiday schedule", map[string]string{strconv.Itoa(y.Year): "重复 / listed twice"})
		}
		seen[y.Year] = true
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		old, err := calendarIn(ctx, tx)
		if err != nil {
			return err
		}
		for _, y := range years {
			var before any
			if old.Known(y.Year) {
				for _, o := range old.Years() {
					if o.Year == y.Year {
						before = map[string]any{"source": o.Source, "days": len(o.Days)}
					}
				}
			}
			if _, err := tx.exec(ctx, `DELETE FROM calendar_days WHERE year = ?`, y.Year); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `DELETE FROM calendar_years WHERE year = ?`, y.Year); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO calendar_years (year, source, imported_at, imported_by) VALUES (?, ?, ?, ?)`,
				y.Year, y.Source, tx.now.UnixMilli(), by); err != nil {
				return err
			}
			off, work := 0, 0
			for _, d := range y.Days {
				if _, err := tx.exec(ctx, `INSERT INTO calendar_days (day, year, kind, name) VALUES (?, ?, ?, ?)`,
					d.Date.String(), y.Year, string(d.Kind), d.Name); err != nil {
					return err
				}
				if d.Kind == workday.Off {
					off++
				} else {
					work++
				}
			}
			if err := tx.audit(ctx, "import", "calendar", strconv.Itoa(y.Year), before,
				map[string]any{"source": y.Source, "days": len(y.Days), "off": off, "work": work}); err != nil {
				return err
			}
		}
		return nil
	})
}
