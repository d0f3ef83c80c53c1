package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/report"
	"github.com/chanye-org/chanye/sqlstore"
)

// generateProjects adds the demo key projects, owned by the registry's
// enterprises, then closes a few of their warnings and issues supervision
// items in every state as of today, the store's clock
// (demo.GenerateRoutine).
func generateProjects(ctx context.Context, store *sqlstore.Store, opts demo.ProjectOptions, today chanye.Date) (demo.ProjectStats, error) {
	cat, err := store.FindCatalog(ctx)
	if err != nil {
		return demo.ProjectStats{}, err
	}
	st, err := demo.GenerateProjects(ctx, store, cat, store, opts)
	if err != nil {
		return st, err
	}
	_, err = demo.GenerateRoutine(ctx, store, store, store, today, demoClosures)
	return st, err
}

// demoClosures is how many of the demo's warnings are closed (销号).
const demoClosures = 3

// ensureDemoProjects fills a database without projects with the demo list,
// for serve --demo.
func ensureDemoProjects(ctx context.Context, store *sqlstore.Store, log *slog.Logger, today chanye.Date) error {
	_, total, err := store.FindProjects(ctx, project.ProjectFilter{Limit: 1})
	if err != nil {
		return err
	}
	if total > 0 {
		log.Info("demo projects skipped: database has projects", "projects", total)
		return nil
	}
	start := time.Now()
	st, err := generateProjects(ctx, store, demo.ProjectOptions{Seed: 1, AsOf: today}, today)
	if err != nil {
		return fmt.Errorf("演示项目 / demo projects: %w", err)
	}
	log.Info("demo projects generated", "projects", st.Projects, "nodes", st.Nodes, "reports", st.Reports,
		"total_yuan", st.Total.Yuan(), "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// importProjects imports KIND FILE pairs of projects, nodes and reports in
// one transaction; runImport hands them over.
func importProjects(ctx context.Context, cfg Config, pos []string, skip bool, rejectsPath string) error {
	in, err := openImportFiles(pos, rejectsPath, func(s string) (dataio.Kind, error) {
		kind, err := dataio.ParseProjectKind(s)
		if err != nil {
			return "", fmt.Errorf("%w（项目数据不能与企业数据同批导入 / project files import apart from enterprise files）", err)
		}
		return kind, nil
	})
	if err != nil {
		return err
	}
	defer in.Close()
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	files := &dataio.ProjectFiles{Catalog: store, Projects: store, Enterprises: store}
	start := time.Now()
	reports, err := files.ImportBatch(ctx, in.sources, dataio.Options{SkipInvalid: skip, Now: cfg.Now()})
	printImport(cfg, in.names, reports, err)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "用时 / elapsed %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// exportProjects writes projects, nodes or reports; runExport hands over.
func exportProjects(ctx context.Context, cfg Config, kind dataio.Kind, format dataio.Format, out, district, industry string) error {
	var filter project.ProjectFilter
	if district != "" {
		filter.DistrictCode = &district
	}
	if industry != "" {
		filter.IndustryID = &industry
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	files := &dataio.ProjectFiles{Catalog: store, Projects: store, Enterprises: store}
	return exportTo(cfg, out, "行 rows", func(w io.Writer) (int, error) { return files.Export(ctx, kind, w, format, filter) })
}

// exportTo writes an export to out, or to stdout when out is "": a file
// that failed half-way is removed; a written one is announced with its
// count of unit.
func exportTo(cfg Config, out, unit string, write func(io.Writer) (int, error)) error {
	if out == "" {
		_, err := write(cfg.Stdout)
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	n, err := write(f)
	if err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已导出 / exported %d %s to %s\n", n, unit, out)
	return nil
}

const reportHelp = `chanye report meeting --month YYYY-MM --out FILE.xlsx [--as-of YYYY-MM-DD] [--db PATH]

生成重点项目月度调度会 XLSX 工作簿：汇总（按产业、按区）、红色清单（业主单位、责任部门、
牵头市领导）、逾期节点、投资完成（对照年度计划），金额单位万元。颜色按 --as-of 计算，默认为
该月最后一天，当月则为今天。

Writes the monthly meeting workbook on the key projects: summary by industry and
district, the red list with its owners, overdue nodes, and investment against the
year's plan, amounts in 万元. Colours are computed as of --as-of: the month's last
day by default, today while the month runs.
`

func runReport(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "report", reportHelp)
	month := fs.String("month", "", "月份 YYYY-MM，默认本月 / month, default this month")
	out := fs.String("out", "", "输出 XLSX 文件 / output XLSX file")
	asOfFlag := fs.String("as-of", "", "颜色计算日期 / day the colours are computed for")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "meeting" {
		fs.Usage()
		return errors.New("须给出报告类型 meeting / give the report: meeting")
	}
	if *out == "" {
		return errors.New("须给出 --out FILE.xlsx / give --out FILE.xlsx")
	}
	if *month == "" {
		*month = cfg.Now().Format("2006-01")
	}
	first, err := report.ParseMonth(*month)
	if err != nil {
		return err
	}
	asOf := report.MonthAsOf(first, cfg.Now())
	if *asOfFlag != "" {
		if asOf, err = chanye.ParseDate(*asOfFlag); err != nil {
			return err
		}
	}
	db, store, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	m, err := report.Build(ctx, report.Sources{Catalog: store, Projects: store, Enterprises: store}, *month, asOf)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := report.Write(f, m); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	projects := 0
	for _, s := range m.ByIndustry {
		projects += s.Projects
	}
	fmt.Fprintf(cfg.Stdout, "已生成 / wrote %s: %d 个项目 projects, 红色 red %d, 逾期节点 overdue nodes %d, 截至 as of %s, 用时 elapsed %s\n",
		*out, projects, len(m.Red), len(m.Overdue), m.AsOf, time.Since(start).Round(time.Millisecond))
	return nil
}
