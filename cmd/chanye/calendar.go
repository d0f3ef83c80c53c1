package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/chanye-org/chanye/workday"
)

const calendarHelp = `chanye calendar show|import|export [flags]

  show     列出各年放假安排及其来源 / lists each year's schedule and its notice
           [--year Y]（列出该年每一天 / every listed day of that year）
  import   导入放假安排文件（CSV：date,kind,name,source），每年整体替换 /
           loads a schedule file (CSV: date,kind,name,source), each year whole:
           chanye calendar import FILE.csv
  export   导出现行放假安排 / writes the schedules in force: [--out FILE]

工作日历：周六、周日休息，法定节假日休息，调休的周末上班。chanye 自带 2024–2026 年
国务院办公厅发布的放假安排；次年安排发布后由管理员导入。未导入的年份只按周一至周五计算。
kind 为 off（放假）或 work（调休上班，须为周末）；同一年各行的 source 相同。
The working-day calendar: weekends and statutory holidays off, 调休 weekends
worked. chanye ships the State Council's schedules for 2024–2026; an
administrator loads the next year's once it is published. A year not loaded
counts Monday to Friday only. kind is off or work (a weekend day); every row
of a year names the same source.
`

func runCalendar(ctx context.Context, cfg Config, args []string) error {
	return dispatch(ctx, cfg, args, "calendar", calendarHelp, map[string]func(context.Context, Config, []string) error{
		"show":   runCalendarShow,
		"import": runCalendarImport,
		"export": runCalendarExport,
	})
}

func runCalendarShow(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "calendar show", "chanye calendar show [--year Y] [--db PATH]\n\n列出放假安排 / lists the schedules.\n")
	year := fs.Int("year", 0, "只列这一年的每一天 / every listed day of this year")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cal, err := store.FindCalendar(ctx)
	if err != nil {
		return err
	}
	for _, y := range cal.Years() {
		if *year != 0 && y.Year != *year {
			continue
		}
		off, work := 0, 0
		for _, d := range y.Days {
			if d.Kind == workday.Off {
				off++
			} else {
				work++
			}
		}
		fmt.Fprintf(cfg.Stdout, "%d: %d 天放假 days off, %d 天调休上班 weekend days worked · %s\n", y.Year, off, work, y.Source)
		if *year != 0 {
			for _, d := range y.Days {
				fmt.Fprintf(cfg.Stdout, "  %s %s %s %s\n", d.Date, d.Date.Weekday().String()[:3], d.Kind, d.Name)
			}
		}
	}
	if *year != 0 && !cal.Known(*year) {
		return fmt.Errorf("%d 年放假安排未导入，按周一至周五计算 / no schedule for %d: Monday to Friday only", *year, *year)
	}
	return nil
}

func runCalendarImport(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "calendar import", "chanye calendar import FILE.csv [--db PATH]\n\n导入放假安排，每年整体替换 / loads a schedule, each year whole.\n")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("calendar import: 需要一个文件 / one FILE")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	years, err := workday.Read(f)
	if err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := store.ImportCalendar(ctx, years); err != nil {
		return err
	}
	for _, y := range years {
		fmt.Fprintf(cfg.Stdout, "已导入 / loaded %d: %d 天 days · %s\n", y.Year, len(y.Days), y.Source)
	}
	return nil
}

func runCalendarExport(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "calendar export", "chanye calendar export [--out FILE] [--db PATH]\n\n导出现行放假安排（CSV）/ writes the schedules in force as CSV.\n")
	out := fs.String("out", "", "输出文件，默认标准输出 / output file (default stdout)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cal, err := store.FindCalendar(ctx)
	if err != nil {
		return err
	}
	w := cfg.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(workday.Header); err != nil {
		return err
	}
	n := 0
	for _, y := range cal.Years() {
		for _, d := range y.Days {
			if err := cw.Write([]string{d.Date.String(), string(d.Kind), d.Name, y.Source}); err != nil {
				return err
			}
			n++
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(cfg.Stdout, "已导出 / written: %s 行 rows to %s\n", strconv.Itoa(n), *out)
	}
	return nil
}
