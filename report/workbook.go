// Package report writes the monthly meeting workbook on the city's key
// projects (重点项目月度调度会): a summary by industry and district, the red
// list with its owners, the overdue nodes and investment against plan, as
// an XLSX file that districts and departments open in any spreadsheet
// program. Build gathers a Meeting from the project service; Write renders
// it. Amounts are shown in 万元 (10,000 yuan).
package report

import (
	"fmt"
	"io"

	"github.com/chanye-org/chanye"
	"github.com/xuri/excelize/v2"
)

// The sheet names of the workbook, in order.
const (
	SheetSummary    = "汇总"
	SheetRed        = "红色清单"
	SheetOverdue    = "逾期节点"
	SheetInvestment = "投资完成"
)

// Sheets lists the sheets Write produces, in order.
var Sheets = []string{SheetSummary, SheetRed, SheetOverdue, SheetInvestment}

// Meeting is everything the monthly meeting workbook shows.
type Meeting struct {
	Month      string // YYYY-MM
	AsOf       string // the day the colours were computed, YYYY-MM-DD
	ByIndustry []Summary
	ByDistrict []Summary
	Red        []RedItem
	Overdue    []OverdueNode
	Investment []Investment
	// Demo says some of the projects are demo data (chanye demo's): the
	// page and the workbook say 演示数据.
	Demo bool
}

// Summary counts the projects of one industry or district by colour, with
// their investment. Money is in fen, summed with overflow checking.
type Summary struct {
	Key       string // the industry's id or the district's code
	Name      string // its Chinese name
	Projects  int
	Green     int
	Yellow    int
	Red       int
	Total     chanye.Fen // total investment
	PlanYear  chanye.Fen // planned for the year of the meeting
	DoneYear  chanye.Fen // done in that year up to the month
	Overdue   int        // overdue nodes
	NoReports int        // projects under construction without last month's report, the one due
}

// RedItem is one red project and who answers for it.
type RedItem struct {
	ID           string
	Name         string
	IndustryID   string
	Industry     string // its Chinese name
	DistrictCode string
	District     string // its Chinese name
	Stage        string
	Owner        string // owner enterprise name
	OwnerCode    string // its credit code
	Department   string
	Leader       string
	Total        chanye.Fen
	Reasons      string // the red warnings: rule and values
	Since        string // month the project turned red, when known
}

// OverdueNode is a node past its planned date and not done.
type OverdueNode struct {
	ProjectID    string
	ProjectName  string
	Node         string
	Department   string // the node's owner department
	District     string // the project's district, its Chinese name
	DistrictCode string
	Planned      string // YYYY-MM-DD
	DaysLate     int
	Colour       string // the project's colour
}

// Investment is one project's investment against its plan for the year.
type Investment struct {
	ID       string
	Name     string
	Industry string
	District string
	Stage    string
	Total    chanye.Fen
	PlanYear chanye.Fen
	DoneYear chanye.Fen
	DoneAll  chanye.Fen // cumulative since the start
	Progress float64    // physical progress, per cent
	Colour   string
}

// wan converts fen to 万元 for a number cell: the float exists only in
// the spreadsheet, every sum is made in fen before.
func wan(f chanye.Fen) float64 { return float64(f) / 1e6 }

// ratio is done/plan as a fraction for a percentage cell, or "" when there
// is no plan.
func ratio(done, plan chanye.Fen) any {
	if plan <= 0 {
		return ""
	}
	return float64(done) / float64(plan)
}

type styles struct {
	title, header, text, count, money, pct, total, totalMoney, totalPct int
	red, yellow, green                                                  int
}

func newStyles(f *excelize.File) (*styles, error) {
	var s styles
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	moneyFmt := "#,##0.00"
	pctFmt := "0.0%"
	defs := []struct {
		id *int
		st excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.text, excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&s.count, excelize.Style{Border: border, NumFmt: 3}}, // #,##0
		{&s.money, excelize.Style{Border: border, CustomNumFmt: &moneyFmt}},
		{&s.pct, excelize.Style{Border: border, CustomNumFmt: &pctFmt}},
		{&s.total, excelize.Style{Border: border, Font: &excelize.Font{Bold: true}, NumFmt: 3,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.totalMoney, excelize.Style{Border: border, Font: &excelize.Font{Bold: true}, CustomNumFmt: &moneyFmt,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.totalPct, excelize.Style{Border: border, Font: &excelize.Font{Bold: true}, CustomNumFmt: &pctFmt,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.red, excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}}, Alignment: &excelize.Alignment{Horizontal: "center"}}},
		{&s.yellow, excelize.Style{Border: border, Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFD966"}}, Alignment: &excelize.Alignment{Horizontal: "center"}}},
		{&s.green, excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"548235"}}, Alignment: &excelize.Alignment{Horizontal: "center"}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.st)
		if err != nil {
			return nil, err
		}
		*d.id = id
	}
	return &s, nil
}

// colourStyle returns the fill of a colour cell: 红/黄/绿 or red/yellow/green.
func (s *styles) colourStyle(c string) int {
	switch c {
	case "红", "red":
		return s.red
	case "黄", "yellow":
		return s.yellow
	case "绿", "green":
		return s.green
	}
	return s.text
}

// col is one column of a sheet: header, width and cell style.
type col struct {
	head  string
	width float64
	style func(s *styles) int
}

func text(s *styles) int  { return s.text }
func count(s *styles) int { return s.count }
func money(s *styles) int { return s.money }
func pct(s *styles) int   { return s.pct }

// sheet writes one table: a title row, a header row at row 2 (frozen with
// everything above it) and the data rows, each cell styled by its column.
type sheet struct {
	f     *excelize.File
	s     *styles
	name  string
	cols  []col
	row   int // last row written
	title string
}

func (w *sheet) start() error {
	if err := w.f.SetCellValue(w.name, "A1", w.title); err != nil {
		return err
	}
	if err := w.f.SetCellStyle(w.name, "A1", "A1", w.s.title); err != nil {
		return err
	}
	heads := make([]any, len(w.cols))
	for i, c := range w.cols {
		heads[i] = c.head
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := w.f.SetColWidth(w.name, name, name, c.width); err != nil {
			return err
		}
	}
	if err := w.f.SetSheetRow(w.name, "A2", &heads); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(w.cols))
	if err := w.f.SetCellStyle(w.name, "A2", last+"2", w.s.header); err != nil {
		return err
	}
	if err := w.f.SetRowHeight(w.name, 2, 30); err != nil {
		return err
	}
	w.row = 2
	return w.f.SetPanes(w.name, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A3", ActiveCell: "A3", Pane: "bottomLeft"}}})
}

// add writes one data row; styleOf, when set, overrides the style of a
// column (the colour cells).
func (w *sheet) add(vals []any, styleOf map[int]int) error {
	w.row++
	cell, _ := excelize.CoordinatesToCellName(1, w.row)
	if err := w.f.SetSheetRow(w.name, cell, &vals); err != nil {
		return err
	}
	for i, c := range w.cols {
		st := c.style(w.s)
		if o, ok := styleOf[i]; ok {
			st = o
		}
		ref, _ := excelize.CoordinatesToCellName(i+1, w.row)
		if err := w.f.SetCellStyle(w.name, ref, ref, st); err != nil {
			return err
		}
	}
	return nil
}

// blankRow writes an empty, unstyled row between two tables.
func (w *sheet) skip() { w.row++ }

// Write renders m as an XLSX workbook to out.
func Write(out io.Writer, m *Meeting) error {
	f := excelize.NewFile()
	defer f.Close()
	s, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, name := range Sheets[1:] {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	for _, fn := range []func(*excelize.File, *styles, *Meeting) error{writeSummary, writeRed, writeOverdue, writeInvestment} {
		if err := fn(f, s, m); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: fmt.Sprintf("重点项目月度调度会 %s", m.Month), Creator: "chanye"}); err != nil {
		return err
	}
	_, err = f.WriteTo(out)
	return err
}

var summaryCols = []col{
	{"产业 / 区", 28, text}, {"项目数", 9, count}, {"绿", 7, count}, {"黄", 7, count}, {"红", 7, count},
	{"总投资（万元）", 18, money}, {"年度计划（万元）", 18, money}, {"年度完成（万元）", 18, money},
	{"完成率", 10, pct}, {"逾期节点", 10, count}, {"上月未报", 10, count},
}

func writeSummary(f *excelize.File, s *styles, m *Meeting) error {
	w := &sheet{f: f, s: s, name: SheetSummary, cols: summaryCols,
		title: fmt.Sprintf("重点项目月度调度汇总 %s（按产业、按区；金额单位：万元；颜色截至 %s）", m.Month, m.AsOf)}
	if m.Demo {
		w.title = "【演示数据，非官方统计】" + w.title
	}
	if err := w.start(); err != nil {
		return err
	}
	table := func(rows []Summary, totalName string) error {
		var t Summary
		var total, plan, done chanye.FenSum
		for _, r := range rows {
			if err := w.add(summaryRow(r), nil); err != nil {
				return err
			}
			t.Projects += r.Projects
			t.Green += r.Green
			t.Yellow += r.Yellow
			t.Red += r.Red
			total.Add(r.Total)
			plan.Add(r.PlanYear)
			done.Add(r.DoneYear)
			t.Overdue += r.Overdue
			t.NoReports += r.NoReports
		}
		var err error
		if t.Total, err = total.Total("total"); err != nil {
			return err
		}
		if t.PlanYear, err = plan.Total("plan_year"); err != nil {
			return err
		}
		if t.DoneYear, err = done.Total("done_year"); err != nil {
			return err
		}
		t.Name = totalName
		if err := w.add(summaryRow(t), nil); err != nil {
			return err
		}
		first, _ := excelize.CoordinatesToCellName(1, w.row)
		last, _ := excelize.CoordinatesToCellName(len(w.cols), w.row)
		if err := f.SetCellStyle(w.name, first, last, s.total); err != nil {
			return err
		}
		for _, c := range []int{6, 7, 8} {
			ref, _ := excelize.CoordinatesToCellName(c, w.row)
			if err := f.SetCellStyle(w.name, ref, ref, s.totalMoney); err != nil {
				return err
			}
		}
		ref, _ := excelize.CoordinatesToCellName(9, w.row)
		return f.SetCellStyle(w.name, ref, ref, s.totalPct)
	}
	if err := table(m.ByIndustry, "合计（按产业）"); err != nil {
		return err
	}
	w.skip()
	// The district table repeats the header so it reads on its own.
	w.row++
	heads := make([]any, len(summaryCols))
	for i, c := range summaryCols {
		heads[i] = c.head
	}
	heads[0] = "区"
	cell, _ := excelize.CoordinatesToCellName(1, w.row)
	if err := f.SetSheetRow(w.name, cell, &heads); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(summaryCols), w.row)
	if err := f.SetCellStyle(w.name, cell, last, s.header); err != nil {
		return err
	}
	return table(m.ByDistrict, "合计（按区）")
}

func summaryRow(r Summary) []any {
	return []any{r.Name, r.Projects, r.Green, r.Yellow, r.Red, wan(r.Total), wan(r.PlanYear), wan(r.DoneYear),
		ratio(r.DoneYear, r.PlanYear), r.Overdue, r.NoReports}
}

func writeRed(f *excelize.File, s *styles, m *Meeting) error {
	w := &sheet{f: f, s: s, name: SheetRed, title: fmt.Sprintf("红色清单 %s（共 %d 个项目；金额单位：万元）", m.Month, len(m.Red)),
		cols: []col{{"序号", 6, count}, {"项目编号", 16, text}, {"项目名称", 36, text}, {"产业", 20, text}, {"区", 10, text},
			{"阶段", 8, text}, {"业主单位", 30, text}, {"统一社会信用代码", 22, text}, {"责任部门", 20, text},
			{"牵头市领导", 14, text}, {"总投资（万元）", 16, money}, {"亮红原因", 60, text}, {"亮红月份", 10, text}}}
	if err := w.start(); err != nil {
		return err
	}
	for i, r := range m.Red {
		if err := w.add([]any{i + 1, r.ID, r.Name, r.Industry, r.District, r.Stage, r.Owner, r.OwnerCode, r.Department,
			r.Leader, wan(r.Total), r.Reasons, r.Since}, nil); err != nil {
			return err
		}
	}
	return nil
}

func writeOverdue(f *excelize.File, s *styles, m *Meeting) error {
	w := &sheet{f: f, s: s, name: SheetOverdue, title: fmt.Sprintf("逾期节点 %s（共 %d 个）", m.Month, len(m.Overdue)),
		cols: []col{{"序号", 6, count}, {"项目编号", 16, text}, {"项目名称", 36, text}, {"节点", 16, text},
			{"责任部门", 22, text}, {"区", 10, text}, {"计划日期", 12, text}, {"逾期天数", 10, count}, {"项目颜色", 10, text}}}
	if err := w.start(); err != nil {
		return err
	}
	for i, r := range m.Overdue {
		if err := w.add([]any{i + 1, r.ProjectID, r.ProjectName, r.Node, r.Department, r.District, r.Planned, r.DaysLate, r.Colour},
			map[int]int{8: s.colourStyle(r.Colour)}); err != nil {
			return err
		}
	}
	return nil
}

func writeInvestment(f *excelize.File, s *styles, m *Meeting) error {
	w := &sheet{f: f, s: s, name: SheetInvestment, title: fmt.Sprintf("投资完成情况 %s（金额单位：万元）", m.Month),
		cols: []col{{"项目编号", 16, text}, {"项目名称", 36, text}, {"产业", 20, text}, {"区", 10, text}, {"阶段", 8, text},
			{"总投资（万元）", 16, money}, {"年度计划（万元）", 16, money}, {"年度完成（万元）", 16, money}, {"年度完成率", 11, pct},
			{"累计完成（万元）", 16, money}, {"形象进度", 10, pct}, {"颜色", 8, text}}}
	if err := w.start(); err != nil {
		return err
	}
	var plan, done, total, all chanye.FenSum
	for _, r := range m.Investment {
		if err := w.add([]any{r.ID, r.Name, r.Industry, r.District, r.Stage, wan(r.Total), wan(r.PlanYear), wan(r.DoneYear),
			ratio(r.DoneYear, r.PlanYear), wan(r.DoneAll), r.Progress / 100, r.Colour},
			map[int]int{11: s.colourStyle(r.Colour)}); err != nil {
			return err
		}
		plan.Add(r.PlanYear)
		done.Add(r.DoneYear)
		total.Add(r.Total)
		all.Add(r.DoneAll)
	}
	var sums [4]chanye.Fen
	for i, x := range []struct {
		s    chanye.FenSum
		what string
	}{{total, "total"}, {plan, "plan_year"}, {done, "done_year"}, {all, "done_all"}} {
		var err error
		if sums[i], err = x.s.Total(x.what); err != nil {
			return err
		}
	}
	if err := w.add([]any{"合计", fmt.Sprintf("%d 个项目", len(m.Investment)), "", "", "", wan(sums[0]), wan(sums[1]), wan(sums[2]),
		ratio(sums[2], sums[1]), wan(sums[3]), "", ""}, nil); err != nil {
		return err
	}
	first, _ := excelize.CoordinatesToCellName(1, w.row)
	last, _ := excelize.CoordinatesToCellName(len(w.cols), w.row)
	if err := f.SetCellStyle(w.name, first, last, s.total); err != nil {
		return err
	}
	for _, c := range []int{6, 7, 8, 10} {
		ref, _ := excelize.CoordinatesToCellName(c, w.row)
		if err := f.SetCellStyle(w.name, ref, ref, s.totalMoney); err != nil {
			return err
		}
	}
	ref, _ := excelize.CoordinatesToCellName(9, w.row)
	return f.SetCellStyle(w.name, ref, ref, s.totalPct)
}
