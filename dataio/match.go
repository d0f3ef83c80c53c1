package dataio

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/match"
	"github.com/xuri/excelize/v2"
)

// Supplies and Demands are the kinds of the files of matchmaking
// listings (广聚群链), read by ReadSupplies and ReadDemands and written by
// ExportSupplies and ExportDemands.
const (
	Supplies Kind = "supplies"
	Demands  Kind = "demands"
)

// supplySchema: the columns of a supplies file. The name column an
// export writes is read past; its id column must be emptied.
var supplySchema = []column{
	{"code", []string{"统一社会信用代码", "信用代码"}, true},
	{"products", []string{"产品", "产品与服务"}, true},
	{"link_id", []string{"环节", "环节编号"}, true},
	{"classes", []string{"行业代码", "国民经济行业"}, true},
	{"capacity", []string{"产能"}, false},
	{"district_code", []string{"区县", "区县代码"}, false},
	{"certifications", []string{"认证", "资质认证"}, false},
	{"status", []string{"状态"}, false},
	{"name", []string{"企业名称", "名称"}, false},
	{"id", []string{"编号"}, false},
}

// demandSchema: the columns of a demands file.
var demandSchema = []column{
	{"code", []string{"统一社会信用代码", "信用代码"}, true},
	{"needs", []string{"需求", "需求内容"}, true},
	{"link_id", []string{"环节", "环节编号"}, false},
	{"classes", []string{"行业代码", "国民经济行业"}, false},
	{"quantity", []string{"数量", "需求量"}, false},
	{"needed_by", []string{"需求日期", "需要日期"}, false},
	{"district_code", []string{"区县", "区县代码"}, false},
	{"status", []string{"状态"}, false},
	{"name", []string{"企业名称", "名称"}, false},
	{"id", []string{"编号"}, false},
}

// listingStatus reads a status cell: open, closed, their Chinese names,
// or "" (open).
func listingStatus(s string) match.Status {
	st := match.Status(strings.TrimSpace(s))
	for _, x := range match.Statuses {
		if string(st) == x.NameZH {
			return x.Status
		}
	}
	return st
}

// SupplyFile is a supplies file read whole, with the faults of its
// cells that are not even a value, keyed rows[N].field.
type SupplyFile struct {
	Rows []*match.Supply
	*sheet
	bad map[string]string
}

// Err returns the faults found reading the file, as EINVALID naming
// rows[N].field, or nil.
func (f *SupplyFile) Err() error {
	return chanye.Invalid("供给表有误 / invalid supplies file", f.bad)
}

// idGiven notes a row with an id: an import only creates listings, so a
// sheet an export wrote must have its id column emptied first.
func idGiven(h *header, cells []string, i int, bad map[string]string) {
	if strings.TrimSpace(h.get(cells, "id")) != "" {
		bad[fmt.Sprintf("rows[%d].id", i)] = "id 须为空：导入只新增 / id must be empty: an import only adds listings"
	}
}

// ReadSupplies reads a supplies file (CSV or XLSX): classes and
// certifications are lists separated by ; or ,. Cells are checked by
// match.Supply.Validate and the store.
func ReadSupplies(r io.Reader, format Format) (*SupplyFile, error) {
	sh, err := readSheet(r, format, Supplies, supplySchema)
	if err != nil {
		return nil, err
	}
	f := &SupplyFile{sheet: sh, bad: map[string]string{}}
	for i, cells := range sh.rows {
		h := sh.h
		idGiven(h, cells, i, f.bad)
		f.Rows = append(f.Rows, &match.Supply{Code: h.get(cells, "code"), Products: h.get(cells, "products"), LinkID: h.get(cells, "link_id"),
			Classes: splitList(h.get(cells, "classes")), Capacity: h.get(cells, "capacity"), DistrictCode: h.get(cells, "district_code"),
			Certifications: splitList(h.get(cells, "certifications")), Status: listingStatus(h.get(cells, "status"))})
	}
	return f, nil
}

// DemandFile is a demands file read whole, with the faults of cells
// that are not even a value (a day that is no day, an id), keyed
// rows[N].field.
type DemandFile struct {
	Rows []*match.Demand
	*sheet
	bad map[string]string
}

// ReadDemands reads a demands file (CSV or XLSX): classes are a list
// separated by ; or ,, needed_by a day YYYY-MM-DD or empty.
func ReadDemands(r io.Reader, format Format) (*DemandFile, error) {
	sh, err := readSheet(r, format, Demands, demandSchema)
	if err != nil {
		return nil, err
	}
	f := &DemandFile{sheet: sh, bad: map[string]string{}}
	for i, cells := range sh.rows {
		h := sh.h
		idGiven(h, cells, i, f.bad)
		d := &match.Demand{Code: h.get(cells, "code"), Needs: h.get(cells, "needs"), LinkID: h.get(cells, "link_id"),
			Classes: splitList(h.get(cells, "classes")), Quantity: h.get(cells, "quantity"), DistrictCode: h.get(cells, "district_code"),
			Status: listingStatus(h.get(cells, "status"))}
		if v := strings.TrimSpace(h.get(cells, "needed_by")); v != "" {
			day, err := parseDate(v)
			if err != nil {
				f.bad[fmt.Sprintf("rows[%d].needed_by", i)] = "须为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"
			}
			d.NeededBy = day
		}
		f.Rows = append(f.Rows, d)
	}
	return f, nil
}

// Err returns the faults found reading the file, as EINVALID naming
// rows[N].field, or nil.
func (f *DemandFile) Err() error {
	return chanye.Invalid("需求表有误 / invalid demands file", f.bad)
}

// SupplyHeader and DemandHeader are the headers the exports write.
var (
	SupplyHeader = []string{"code", "name", "products", "link_id", "classes", "capacity", "district_code", "certifications", "status", "id"}
	DemandHeader = []string{"code", "name", "needs", "link_id", "classes", "quantity", "needed_by", "district_code", "status", "id"}
)

// ExportSupplies writes the supplies as CSV or XLSX and returns the rows.
func ExportSupplies(w io.Writer, format Format, supplies []*match.Supply) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(SupplyHeader); err != nil {
		return 0, err
	}
	for _, s := range supplies {
		if err := out.Write([]string{s.Code, s.Name, s.Products, s.LinkID, strings.Join(s.Classes, ";"), s.Capacity, s.DistrictCode,
			strings.Join(s.Certifications, ";"), string(s.Status), strconv.FormatInt(s.ID, 10)}); err != nil {
			return 0, err
		}
	}
	return len(supplies), out.Close()
}

// ExportDemands writes the demands as CSV or XLSX and returns the rows.
func ExportDemands(w io.Writer, format Format, demands []*match.Demand) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(DemandHeader); err != nil {
		return 0, err
	}
	for _, d := range demands {
		by := ""
		if !d.NeededBy.IsZero() {
			by = d.NeededBy.String()
		}
		if err := out.Write([]string{d.Code, d.Name, d.Needs, d.LinkID, strings.Join(d.Classes, ";"), d.Quantity, by, d.DistrictCode,
			string(d.Status), strconv.FormatInt(d.ID, 10)}); err != nil {
			return 0, err
		}
	}
	return len(demands), out.Close()
}

// The sheets of a fair's report workbook (WriteFairReport).
const (
	SheetFairReport   = "对接会"
	SheetFairMeetings = "洽谈"
)

// WriteFairReport writes a fair's report as an XLSX workbook: the fair
// and its figures (SheetFairReport), then its meetings by slot and table
// with their outcomes (SheetFairMeetings). Amounts are in yuan.
func WriteFairReport(w io.Writer, rep *match.EventReport, t *match.Timetable) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetFairReport); err != nil {
		return err
	}
	ev := t.Event
	rows := [][]any{
		{"对接会 / Fair", ev.Title},
		{"日期 / Date", ev.Date.String()},
		{"地点 / Venue", ev.Venue},
		{"报名 / Registered", rep.Registered},
		{"到场 / Attended", rep.Attended},
		{"安排洽谈 / Meetings", rep.Meetings},
		{"已洽谈 / Held", rep.Held},
		{"未到场 / No-shows", rep.NoShow},
		{"未记录 / Pending", rep.Pending},
		{"意向 / Intentions", rep.Intentions},
		{"签约 / Contracts", rep.Contracts},
		{"签约金额（元）/ Contracts (yuan)", rep.ContractFen.Yuan()},
	}
	if ev.Demo {
		rows = append(rows, []any{"演示数据 / Demo data", "是 / yes"})
	}
	for i, row := range rows {
		if err := f.SetSheetRow(SheetFairReport, fmt.Sprintf("A%d", i+1), &row); err != nil {
			return err
		}
	}
	if _, err := f.NewSheet(SheetFairMeetings); err != nil {
		return err
	}
	head := []any{"时段 / Slot", "开始 / Start", "结束 / End", "桌号 / Table", "需方 / Buyer", "供方 / Supplier", "对接 / Match",
		"结果 / Outcome", "意向 / Intention", "签约金额（元）/ Contract (yuan)"}
	if err := f.SetSheetRow(SheetFairMeetings, "A1", &head); err != nil {
		return err
	}
	for i, m := range t.Meetings {
		var matchID any
		if m.MatchID != 0 {
			matchID = m.MatchID
		}
		outcome := "未记录 / pending"
		if m.Outcome != "" {
			outcome = m.Outcome.NameZH() + " / " + m.Outcome.NameEN()
		}
		intention := "否"
		if m.Intention {
			intention = "是"
		}
		row := []any{m.Slot + 1, m.Start.String(), m.End.String(), m.Table, m.BuyerCode, m.SupplierCode, matchID, outcome, intention, m.ContractFen.Yuan()}
		if err := f.SetSheetRow(SheetFairMeetings, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	return f.Write(w)
}
