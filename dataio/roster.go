package dataio

import (
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
)

// Roster is the kind of a file of outside firms (招商名单), such as the
// national list of 专精特新 “小巨人”, read whole by ReadRoster.
const Roster Kind = "roster"

// rosterSchema: the columns of a roster file.
var rosterSchema = []column{
	{"name", []string{"企业名称", "名称"}, true},
	{"code", []string{"统一社会信用代码", "信用代码"}, false},
	{"city", []string{"城市", "所在城市"}, false},
	{"province", []string{"省份", "省"}, false},
	{"class", []string{"行业代码", "国民经济行业代码"}, true},
	{"products", []string{"主营产品", "产品"}, false},
	{"tier", []string{"梯度", "企业梯度"}, false},
}

// RosterFile is a roster read from a file: its firms in the file's order,
// and where each came from, to say where a problem is.
type RosterFile struct {
	Rows []invest.RosterFirm
	*sheet
}

// ReadRoster reads a roster file (CSV or XLSX, first sheet) whose header
// names the columns name, code, city, province, class, products and tier,
// in English or Chinese (企业名称, 统一社会信用代码, 城市, 省份, 行业代码,
// 主营产品, 梯度). Blank rows are skipped. Cells are not validated here:
// invest.ValidateRoster does that, and Problems places its errors. A tier
// may be given by its Chinese name.
func ReadRoster(r io.Reader, format Format) (*RosterFile, error) {
	sh, err := readSheet(r, format, Roster, rosterSchema)
	if err != nil {
		return nil, err
	}
	f := &RosterFile{sheet: sh}
	for _, cells := range sh.rows {
		h := sh.h
		f.Rows = append(f.Rows, invest.RosterFirm{Name: h.get(cells, "name"), Code: h.get(cells, "code"), City: h.get(cells, "city"),
			Province: h.get(cells, "province"), Class: h.get(cells, "class"), Products: h.get(cells, "products"), Tier: tierOf(h.get(cells, "tier"))})
	}
	return f, nil
}

// tierOf reads a tier by its key or its Chinese name.
func tierOf(s string) chanye.TierKind {
	for _, t := range chanye.TierKinds {
		if s == t.NameZH() {
			return t
		}
	}
	return chanye.TierKind(s)
}

// sheet is a small file read whole (a roster, placements): its header and
// its non-blank rows, each with its row in the file.
type sheet struct {
	h     *header
	rows  [][]string
	lines []int // the file's row (1-based, the header row 1) of each of rows
}

// readSheet reads a CSV or XLSX file (first sheet) whose header names the
// columns of schema, skipping blank rows.
func readSheet(r io.Reader, format Format, kind Kind, schema []column) (*sheet, error) {
	rr, err := newRowReader(format, r, Limits{}.withDefaults())
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	return sheetOf(rr, kind, schema)
}

// sheetOf reads the rows of rr, header first, as a sheet of schema.
func sheetOf(rr rowReader, kind Kind, schema []column) (*sheet, error) {
	first, err := rr.Read()
	if errors.Is(err, io.EOF) {
		return nil, chanye.Errorf(chanye.EINVALID, "文件为空 / the file is empty")
	}
	if err != nil {
		return nil, err
	}
	h, err := parseHeaderOf(kind, schema, first)
	if err != nil {
		return nil, err
	}
	sh := &sheet{h: h}
	for line := 2; ; line++ {
		cells, err := rr.Read()
		if errors.Is(err, io.EOF) {
			return sh, nil
		}
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(cells, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			continue
		}
		sh.rows = append(sh.rows, cells)
		sh.lines = append(sh.lines, line)
	}
}

var rowField = regexp.MustCompile(`^rows\[(\d+)\]\.(\w+)$`)

// Problems places the field errors of err (keyed rows[N].field, N the
// index of a row read) on the file's rows and columns, in file order; the
// other fields are problems of the whole file (row 0).
func (f *sheet) Problems(err error) []Problem {
	var out []Problem
	for key, reason := range chanye.ErrorFields(err) {
		m := rowField.FindStringSubmatch(key)
		if m == nil {
			out = append(out, Problem{Column: key, Reason: reason})
			continue
		}
		i, _ := strconv.Atoi(m[1])
		p := Problem{Column: f.h.name(m[2]), Reason: reason}
		if i < len(f.lines) {
			p.Row = f.lines[i]
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Problem) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return strings.Compare(a.Column, b.Column)
	})
	return out
}

// LeadHeader is the header of a leads sheet, one row per lead; amounts in
// fen, as everywhere in chanye's files.
var LeadHeader = []string{"id", "target_id", "target", "industry_id", "link_id", "stage", "stage_zh", "stage_on", "owner_kind", "owner_name",
	"expected_fen", "next_action", "next_action_on", "signed_on", "signed_fen", "landed_on", "lost_reason", "project_id", "enterprise_code"}

// ExportLeads writes the leads as CSV or XLSX, one row each, and returns
// the rows written. Unknown amounts and days are empty cells.
func ExportLeads(w io.Writer, format Format, leads []*invest.Lead) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(LeadHeader); err != nil {
		return 0, err
	}
	fen := func(f *chanye.Fen) string {
		if f == nil {
			return ""
		}
		return strconv.FormatInt(int64(*f), 10)
	}
	day := func(d chanye.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	for i, l := range leads {
		row := []string{strconv.FormatInt(l.ID, 10), strconv.FormatInt(l.TargetID, 10), l.TargetName, l.IndustryID, l.LinkID, string(l.Stage),
			l.Stage.NameZH(), day(l.StageOn), string(l.OwnerKind), l.OwnerName, fen(l.ExpectedFen), l.NextAction, day(l.NextActionOn),
			day(l.SignedOn), fen(l.SignedFen), day(l.LandedOn), l.LostReason, l.ProjectID, l.EnterpriseCode}
		if err := out.Write(row); err != nil {
			return i, err
		}
	}
	return len(leads), out.Close()
}
