// Package workday is China's working-day calendar: Saturdays and Sundays
// off, the statutory holidays off and the 调休 weekends worked, as the
// State Council's General Office publishes them each year (国务院办公厅关于
// YYYY年部分节假日安排的通知, usually in October or November of the year
// before).
//
// The schedules published so far ship in cn_holidays.csv, each day with
// the notice it comes from. An administrator loads the next year's when it
// is published (chanye calendar import FILE); until then a year without a
// schedule counts Monday to Friday only, and Known says so, so that the
// pages can warn instead of passing a guess off as the rule.
package workday

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// Kind says what a listed day is.
type Kind string

// The kinds of listed days.
const (
	Off  Kind = "off"  // a statutory holiday or a day of its 调休 span: not worked
	Work Kind = "work" // a weekend day worked in exchange (调休上班)
)

// Day is one listed day of a year's schedule.
type Day struct {
	Date chanye.Date `json:"date"`
	Kind Kind        `json:"kind"`
	Name string      `json:"name"` // the holiday it belongs to: 春节, 国庆节…
}

// Year is one year's schedule: the days it lists and the notice it comes
// from.
type Year struct {
	Year   int    `json:"year"`
	Source string `json:"source"`
	Days   []Day  `json:"days"`
}

// Bounds of a schedule file and of its fields.
const (
	MinYear       = 2000
	MaxYear       = 2100
	MaxRows       = 5000 // far above the ~40 days a year lists
	MaxNameRunes  = 50
	MaxSourceRune = 300
	// MaxSpan bounds the working days a clock adds: ten years.
	MaxSpan = 2600
)

// Header is the header of a schedule file.
var Header = []string{"date", "kind", "name", "source"}

//go:embed cn_holidays.csv
var shipped []byte

// Shipped returns the schedules that ship with chanye (2024 to 2026), each
// with its notice.
func Shipped() []*Year {
	ys, err := Read(bytes.NewReader(shipped))
	if err != nil {
		panic("workday: the shipped schedules do not read: " + err.Error())
	}
	return ys
}

// Read reads a schedule file (CSV with Header; a UTF-8 byte-order mark
// is allowed): one row per listed day, the same source on every row of a
// year. Errors name the row (the header is row 1) and the column; nothing
// is returned with an error. Validate's rules apply to every year.
func Read(r io.Reader) ([]*Year, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, chanye.Invalid("放假安排文件有误 / invalid holiday schedule", map[string]string{"file": "读不到表头 / no header: " + errText(err)})
	}
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	for i, h := range head {
		head[i] = strings.ToLower(strings.TrimSpace(h))
	}
	if !slices.Equal(head, Header) {
		return nil, chanye.Invalid("放假安排文件有误 / invalid holiday schedule",
			map[string]string{"header": fmt.Sprintf("表头须为 %s / the header must be %s", strings.Join(Header, ","), strings.Join(Header, ","))})
	}
	bad := map[string]string{}
	byYear := map[int]*Year{}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad[fmt.Sprintf("row %d", row)] = errText(err)
			break
		}
		if row-1 > MaxRows {
			bad["rows"] = fmt.Sprintf("至多 %d 行 / at most %d rows", MaxRows, MaxRows)
			break
		}
		at := func(col string) string { return fmt.Sprintf("row %d, %s", row, col) }
		if len(rec) != len(Header) {
			bad[fmt.Sprintf("row %d", row)] = fmt.Sprintf("须有 %d 列 / must have %d columns", len(Header), len(Header))
			continue
		}
		d, err := chanye.ParseDate(strings.TrimSpace(rec[0]))
		if err != nil {
			bad[at("date")] = "须为 YYYY-MM-DD / must be YYYY-MM-DD"
			continue
		}
		day := Day{Date: d, Kind: Kind(strings.TrimSpace(rec[1])), Name: strings.TrimSpace(rec[2])}
		source := strings.TrimSpace(rec[3])
		y := byYear[d.Year()]
		if y == nil {
			y = &Year{Year: d.Year(), Source: source}
			byYear[d.Year()] = y
		} else if source != y.Source {
			bad[at("source")] = fmt.Sprintf("同一年须为同一来源（%s）/ one source a year (%s)", y.Source, y.Source)
		}
		y.Days = append(y.Days, day)
	}
	if err := chanye.Invalid("放假安排文件有误 / invalid holiday schedule", bad); err != nil {
		return nil, err
	}
	out := slices.SortedFunc(maps.Values(byYear), func(a, b *Year) int { return a.Year - b.Year })
	for _, y := range out {
		if err := y.Validate(); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, chanye.Invalid("放假安排文件有误 / invalid holiday schedule", map[string]string{"rows": "没有数据行 / no rows"})
	}
	return out, nil
}

func errText(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Validate checks a year's schedule: a year in [MinYear, MaxYear], a
// source, each day in the year, listed once, of a known kind, with a
// holiday's name; a worked day falls on a weekend (a 调休 working day is
// never a weekday). Days are sorted. EINVALID naming the day.
func (y *Year) Validate() error {
	bad := map[string]string{}
	if y.Year < MinYear || y.Year > MaxYear {
		bad["year"] = fmt.Sprintf("须在 %d–%d 之间 / must be %d–%d", MinYear, MaxYear, MinYear, MaxYear)
	}
	if n := utf8.RuneCountInString(y.Source); n == 0 || n > MaxSourceRune {
		bad[fmt.Sprintf("%d.source", y.Year)] = fmt.Sprintf("须写明通知（1–%d 个字符）/ name the notice (1–%d characters)", MaxSourceRune, MaxSourceRune)
	}
	seen := map[string]bool{}
	for _, d := range y.Days {
		key := d.Date.String()
		switch {
		case d.Date.Year() != y.Year:
			bad[key] = fmt.Sprintf("不在 %d 年 / not in %d", y.Year, y.Year)
		case seen[key]:
			bad[key] = "重复 / listed twice"
		case d.Kind != Off && d.Kind != Work:
			bad[key] = fmt.Sprintf("类型 %q 须为 off 或 work / kind %q must be off or work", d.Kind, d.Kind)
		case d.Kind == Work && !weekend(d.Date):
			bad[key] = "调休上班日须为周六或周日 / a worked 调休 day falls on a weekend"
		case d.Name == "" || utf8.RuneCountInString(d.Name) > MaxNameRunes:
			bad[key] = fmt.Sprintf("须写明节日（1–%d 个字符）/ name the holiday (1–%d characters)", MaxNameRunes, MaxNameRunes)
		}
		seen[key] = true
	}
	slices.SortFunc(y.Days, func(a, b Day) int { return a.Date.Compare(b.Date.Time) })
	return chanye.Invalid(fmt.Sprintf("%d 年放假安排有误 / invalid %d holiday schedule", y.Year, y.Year), bad)
}

func weekend(d chanye.Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// Calendar answers which days are worked, from the schedules it holds.
// Its zero value knows no schedule: Monday to Friday.
type Calendar struct {
	years map[int]*Year
	days  map[string]Kind
}

// New returns the calendar of the given schedules, a later year of the
// same number replacing an earlier one (the administrator's over the
// shipped). Each year is validated.
func New(years ...*Year) (*Calendar, error) {
	c := &Calendar{years: map[int]*Year{}, days: map[string]Kind{}}
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return nil, err
		}
		c.years[y.Year] = y
	}
	for _, y := range c.years {
		for _, d := range y.Days {
			c.days[d.Date.String()] = d.Kind
		}
	}
	return c, nil
}

// Default returns the calendar of the shipped schedules.
func Default() *Calendar {
	c, err := New(Shipped()...)
	if err != nil {
		panic("workday: " + err.Error())
	}
	return c
}

// Known reports whether the calendar holds year's schedule.
func (c *Calendar) Known(year int) bool {
	_, ok := c.years[year]
	return ok
}

// Years returns the schedules held, by year.
func (c *Calendar) Years() []*Year {
	return slices.SortedFunc(maps.Values(c.years), func(a, b *Year) int { return a.Year - b.Year })
}

// Working reports whether d is worked: a weekday that is not a holiday,
// or a weekend day listed as worked.
func (c *Calendar) Working(d chanye.Date) bool {
	if k, ok := c.days[d.String()]; ok {
		return k == Work
	}
	return !weekend(d)
}

// Holiday returns the name of the holiday d belongs to, or "".
func (c *Calendar) Holiday(d chanye.Date) string {
	if y := c.years[d.Year()]; y != nil {
		if i, ok := slices.BinarySearchFunc(y.Days, d, func(x Day, d chanye.Date) int { return x.Date.Compare(d.Time) }); ok {
			return y.Days[i].Name
		}
	}
	return ""
}

// AddWorkingDays returns the n-th working day after from (from itself when
// n <= 0); n is cut to MaxSpan.
func (c *Calendar) AddWorkingDays(from chanye.Date, n int) chanye.Date {
	d := from.Time
	for n = min(n, MaxSpan); n > 0; {
		d = d.AddDate(0, 0, 1)
		if c.Working(chanye.Date{Time: d}) {
			n--
		}
	}
	return chanye.Date{Time: d}
}

// China is the time of the calendar's days: UTC+8 all year (China keeps
// no daylight saving time), so that no time-zone database is needed.
var China = time.FixedZone("CST", 8*3600)

// MaxHours bounds the working hours a clock adds: a year of working days.
const MaxHours = 24 * 260

// AddWorkingHours returns the instant h working hours after t: hours that
// fall on working days (all 24 of them, in t's location) count, those of
// days off do not. A clock started on a day off starts at the next working
// day's midnight. h is cut to MaxHours; t itself for h <= 0.
func (c *Calendar) AddWorkingHours(t time.Time, h int) time.Time {
	left := time.Duration(min(h, MaxHours)) * time.Hour
	for left > 0 {
		y, m, d := t.Date()
		next := time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
		if !c.Working(chanye.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}) {
			t = next
			continue
		}
		if step := next.Sub(t); step < left {
			t, left = next, left-step
		} else {
			t, left = t.Add(left), 0
		}
	}
	return t
}

// WorkingDaysBetween counts the working days after from up to and
// including to; 0 when to is not after from.
func (c *Calendar) WorkingDaysBetween(from, to chanye.Date) int {
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to.Time); d = d.AddDate(0, 0, 1) {
		if c.Working(chanye.Date{Time: d}) {
			n++
		}
	}
	return n
}

// UnknownYears returns the years from from to to (inclusive) that the
// calendar holds no schedule for: where it counted weekdays only.
func (c *Calendar) UnknownYears(from, to chanye.Date) []int {
	var out []int
	for y := from.Year(); y <= to.Year(); y++ {
		if !c.Known(y) {
			out = append(out, y)
		}
	}
	return out
}

// Service keeps the schedules an administrator loads over the shipped
// ones. Errors: EINVALID, EFORBIDDEN and EUNAUTHORIZED from authz.
type Service interface {
	// FindCalendar returns the calendar in force: the shipped schedules,
	// each year replaced by a loaded one of the same year.
	FindCalendar(ctx context.Context) (*Calendar, error)
	// ImportCalendar stores the years' schedules, each replacing what was
	// loaded for its year, in one transaction, audited. EINVALID.
	ImportCalendar(ctx context.Context, years []*Year) error
}
