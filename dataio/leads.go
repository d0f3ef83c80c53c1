package dataio

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
)

// Leads is the kind of a file of 招商 leads, written by ExportLeads and
// read by ReadLeads.
const Leads Kind = "leads"

// MaxLeadFileBytes bounds a leads file sent to the API or the pages:
// invest.MaxLeadRows rows of a few hundred bytes each.
const MaxLeadFileBytes = 8 << 20

// leadSchema: the columns of a leads file, LeadHeader's. target,
// industry_id, project_id and enterprise_code, and stage_zh when stage is
// given, are what an export writes for people: an import reads past them.
var leadSchema = []column{
	{"id", []string{"线索编号", "编号"}, false},
	{"target_id", []string{"招商对象编号", "对象编号"}, true},
	{"target", []string{"招商对象", "对象名称"}, false},
	{"industry_id", []string{"产业编号", "产业"}, false},
	{"link_id", []string{"环节", "环节编号"}, false},
	{"stage", []string{"阶段", "阶段代码"}, false},
	{"stage_zh", []string{"阶段名称"}, false},
	{"stage_on", []string{"阶段日期", "进入阶段日期"}, true},
	{"owner_kind", []string{"负责方类型"}, false},
	{"owner_name", []string{"负责方"}, false},
	{"expected_fen", []string{"预计投资(分)"}, false},
	{"next_action", []string{"下一步", "下一步工作"}, false},
	{"next_action_on", []string{"下一步日期", "计划日期"}, false},
	{"signed_on", []string{"签约日期"}, false},
	{"signed_fen", []string{"签约投资(分)"}, false},
	{"landed_on", []string{"落地日期"}, false},
	{"lost_reason", []string{"流失原因"}, false},
	{"project_id", []string{"重点项目", "项目编号"}, false},
	{"enterprise_code", []string{"统一社会信用代码", "落地企业"}, false},
}

// ownerNames are the Chinese names an owner kind may be given by.
var ownerNames = map[string]invest.OwnerKind{
	"工作专班": invest.OwnerTaskForce, "专班": invest.OwnerTaskForce,
	"市直部门": invest.OwnerDepartment, "部门": invest.OwnerDepartment,
	"区": invest.OwnerDistrict, "区县": invest.OwnerDistrict,
}

// LeadFile is a leads file read whole: its rows in the file's order, the
// cells that could not be read (Err), and where each row came from
// (Problems).
type LeadFile struct {
	Rows []*invest.Lead
	bad  map[string]string // rows[N].column → why the cell could not be read
	*sheet
}

// ReadLeads reads a leads file (CSV or XLSX, first sheet) laid out as
// LeadHeader, headers in English or Chinese, so that an export whose id
// column is emptied imports back. target_id, stage_on and stage (or
// stage_zh: either takes the code or the Chinese name, such as signed or
// 签约) are required; owner_kind takes task_force, department, district
// or their Chinese names (专班, 部门, 区); amounts are whole fen. The
// columns derived from the target or set by a conversion (target,
// industry_id, project_id, enterprise_code) are read past, and so is
// stage_zh when stage is given. A file of more than invest.MaxLeadRows rows
// is refused whole; the cells that cannot be read (a row with an id among
// them: an import only creates leads) are Err's; the rest is checked by
// the store.
func ReadLeads(r io.Reader, format Format) (*LeadFile, error) {
	sh, err := readSheet(r, format, Leads, leadSchema)
	if err != nil {
		return nil, err
	}
	if len(sh.rows) > invest.MaxLeadRows {
		return nil, chanye.Invalid("线索文件过大 / too many leads", map[string]string{
			"rows": fmt.Sprintf("至多 %d 行，请分成几个文件 / at most %d rows: split the file", invest.MaxLeadRows, invest.MaxLeadRows)})
	}
	f := &LeadFile{sheet: sh, bad: map[string]string{}}
	for i, cells := range sh.rows {
		f.Rows = append(f.Rows, f.lead(i, cells))
	}
	return f, nil
}

// Err returns EINVALID naming rows[N].column for each cell that could not
// be read, nil when every cell was; Problems places it.
func (f *LeadFile) Err() error {
	return chanye.Invalid(fmt.Sprintf("线索文件有 %d 处无法读取，未导入 / %d cells cannot be read: nothing imported", len(f.bad), len(f.bad)), f.bad)
}

// lead reads row i.
func (f *LeadFile) lead(i int, cells []string) *invest.Lead {
	h := f.h
	get := func(key string) string { return h.get(cells, key) }
	fail := func(key, reason string) { f.bad[fmt.Sprintf("rows[%d].%s", i, key)] = reason }
	l := &invest.Lead{LinkID: get("link_id"), OwnerName: get("owner_name"), NextAction: get("next_action"), LostReason: get("lost_reason")}
	if get("id") != "" {
		fail("id", "导入只新建线索，id 须为空 / import only creates leads: id must be empty")
	}
	if s := get("target_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fail("target_id", fmt.Sprintf("%q 须为招商对象编号（正整数）/ must be a target id, a positive whole number", s))
		}
		l.TargetID = n
	}
	l.Stage = stageOf(get("stage"))
	if zh := get("stage_zh"); l.Stage == "" && zh != "" {
		if l.Stage = stageOf(zh); !l.Stage.Valid() {
			fail("stage_zh", fmt.Sprintf("未知阶段 %q / unknown stage", zh))
		}
	}
	l.OwnerKind = invest.OwnerKind(get("owner_kind"))
	if k, ok := ownerNames[string(l.OwnerKind)]; ok {
		l.OwnerKind = k
	}
	for _, c := range []struct {
		key string
		dst *chanye.Date
	}{{"stage_on", &l.StageOn}, {"next_action_on", &l.NextActionOn}, {"signed_on", &l.SignedOn}, {"landed_on", &l.LandedOn}} {
		if s := get(c.key); s != "" {
			d, err := parseDate(s)
			if err != nil {
				fail(c.key, err.Error())
			}
			*c.dst = d
		}
	}
	for _, c := range []struct {
		key string
		dst **chanye.Fen
	}{{"expected_fen", &l.ExpectedFen}, {"signed_fen", &l.SignedFen}} {
		if s := get(c.key); s != "" {
			n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
			if err != nil {
				fail(c.key, fmt.Sprintf("%q 须为整数（分）/ must be a whole number of fen", s))
			}
			v := chanye.Fen(n)
			*c.dst = &v
		}
	}
	return l
}

// stageOf reads a stage by its code or its Chinese name.
func stageOf(s string) invest.Stage {
	for _, x := range invest.Stages {
		if s == x.NameZH {
			return x.Stage
		}
	}
	return invest.Stage(s)
}

// UploadFormat returns the format of an uploaded file: the one its name
// says, else XLSX for a zip archive (an XLSX file is one) and CSV for
// anything else.
func UploadFormat(name string, data []byte) Format {
	if f, err := FormatOf(name); err == nil {
		return f
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return XLSX
	}
	return CSV
}
