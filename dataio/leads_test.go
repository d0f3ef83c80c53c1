package dataio_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/invest"
)

func readLeadsFile(t *testing.T, name string) *dataio.LeadFile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := dataio.ReadLeads(f, dataio.CSV)
	if err != nil {
		t.Fatalf("read %s: %v %v", name, err, chanye.ErrorFields(err))
	}
	return file
}

func day(t *testing.T, s string) chanye.Date {
	t.Helper()
	d, err := chanye.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadLeads: a file laid out as an export, its id column empty, reads
// into leads: stages by code or Chinese name, owners by key or Chinese
// name, the layouts of spreadsheet dates, amounts in fen with thousands
// separators; the derived columns are read past and blank rows skipped.
func TestReadLeads(t *testing.T) {
	file := readLeadsFile(t, "leads_good.csv")
	if err := file.Err(); err != nil {
		t.Fatalf("a good file: %v %v", err, chanye.ErrorFields(err))
	}
	if len(file.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(file.Rows))
	}
	a, b, c := file.Rows[0], file.Rows[1], file.Rows[2]
	if a.TargetID != 12 || a.LinkID != "icv-nev.battery.cell" || a.Stage != invest.StageVisit || a.StageOn != day(t, "2026-01-05") ||
		a.OwnerKind != invest.OwnerDistrict || a.OwnerName != "440106" || a.ExpectedFen == nil || *a.ExpectedFen != 1_000_000 ||
		a.NextAction != "约见董事长" || a.NextActionOn != day(t, "2026-02-01") || a.IndustryID != "" || a.TargetName != "" {
		t.Errorf("row 2: %+v", a)
	}
	if b.Stage != invest.StageSigned || b.StageOn != day(t, "2026-01-20") || b.OwnerKind != invest.OwnerTaskForce || b.LinkID != "" ||
		b.SignedOn != day(t, "2026-01-20") || b.SignedFen == nil || *b.SignedFen != 500000 || b.ProjectID != "" || b.ExpectedFen != nil {
		t.Errorf("row 3: %+v", b)
	}
	if c.TargetID != 13 || c.Stage != invest.StageLost || c.StageOn != day(t, "2025-12-01") || c.OwnerKind != invest.OwnerDepartment || c.LostReason != "另选他址" {
		t.Errorf("row 5: %+v", c)
	}
	// A problem of the store names the file's row and column.
	got := file.Problems(chanye.Invalid("x", map[string]string{"rows[2].owner_name": "不在名单中", "rows": "须有 1–10000 行"}))
	if len(got) != 2 || got[0] != (dataio.Problem{Column: "rows", Reason: "须有 1–10000 行"}) ||
		got[1] != (dataio.Problem{Row: 5, Column: "owner_name", Reason: "不在名单中"}) {
		t.Errorf("problems %+v", got)
	}
}

// TestReadLeadsBadCells: every cell that cannot be read is a problem
// naming its row (the header being row 1) and its column as the file
// spells it; a row with an id is refused, since an import only creates
// leads.
func TestReadLeadsBadCells(t *testing.T) {
	file := readLeadsFile(t, "leads_bad.csv")
	err := file.Err()
	if chanye.ErrorCode(err) != chanye.EINVALID {
		t.Fatalf("a bad file: %v", err)
	}
	var got []string
	for _, p := range file.Problems(err) {
		got = append(got, p.String())
	}
	want := []string{
		"第 2 行 / row 2, 列 / column 线索编号: 导入只新建线索，id 须为空 / import only creates leads: id must be empty",
		`第 3 行 / row 3, 列 / column 招商对象编号: "abc" 须为招商对象编号（正整数）/ must be a target id, a positive whole number`,
		`第 4 行 / row 4, 列 / column 下一步日期: 日期 "明天" 须为 YYYY-MM-DD / date must be YYYY-MM-DD`,
		`第 4 行 / row 4, 列 / column 招商对象编号: "0" 须为招商对象编号（正整数）/ must be a target id, a positive whole number`,
		`第 4 行 / row 4, 列 / column 阶段名称: 未知阶段 "洽谈中" / unknown stage`,
		`第 4 行 / row 4, 列 / column 阶段日期: 日期 "2026-13-01" 须为 YYYY-MM-DD / date must be YYYY-MM-DD`,
		`第 4 行 / row 4, 列 / column 预计投资(分): "1.5" 须为整数（分）/ must be a whole number of fen`,
		`第 5 行 / row 5, 列 / column 签约投资(分): "五十万" 须为整数（分）/ must be a whole number of fen`,
		`第 6 行 / row 6, 列 / column 落地日期: 日期 "01/05/2026" 须为 YYYY-MM-DD / date must be YYYY-MM-DD`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadLeadsHeader: a file without a required column, or with one
// chanye does not know, is refused naming the column; so is a file of
// more than invest.MaxLeadRows rows.
func TestReadLeadsHeader(t *testing.T) {
	for name, tc := range map[string]struct {
		text, field string
	}{
		"no target_id":   {"stage,stage_on\nclue,2026-01-05\n", "target_id"},
		"no stage_on":    {"target_id,stage\n1,clue\n", "stage_on"},
		"unknown column": {"target_id,stage,stage_on,colour\n1,clue,2026-01-05,red\n", "colour"},
		"too many rows":  {"target_id,stage,stage_on\n" + strings.Repeat("1,clue,2026-01-05\n", invest.MaxLeadRows+1), "rows"},
	} {
		_, err := dataio.ReadLeads(strings.NewReader(tc.text), dataio.CSV)
		if chanye.ErrorFields(err)[tc.field] == "" {
			t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
		}
	}
}

// TestLeadsRoundTrip: what ExportLeads writes, CSV or XLSX, reads back as
// the same leads once its id column is emptied; with the ids kept, every
// row is refused.
func TestLeadsRoundTrip(t *testing.T) {
	fen := func(v int64) *chanye.Fen { f := chanye.Fen(v); return &f }
	leads := []*invest.Lead{
		{ID: 1, TargetID: 3, TargetName: "某公司", IndustryID: "icv-nev", LinkID: "icv-nev.battery", Stage: invest.StageNegotiate,
			StageOn: day(t, "2026-01-05"), OwnerKind: invest.OwnerDistrict, OwnerName: "440106", ExpectedFen: fen(123_456_789),
			NextAction: "=签约准备", NextActionOn: day(t, "2026-02-01")},
		{ID: 2, TargetID: 4, IndustryID: "ai", Stage: invest.StageLanded, StageOn: day(t, "2026-01-20"), OwnerKind: invest.OwnerTaskForce,
			OwnerName: "人工智能专班", SignedOn: day(t, "2026-01-02"), SignedFen: fen(5_000_000_00), LandedOn: day(t, "2026-01-20"),
			ProjectID: "ZS-0002"},
		{ID: 3, TargetID: 4, IndustryID: "ai", Stage: invest.StageLost, StageOn: day(t, "2025-11-20"), OwnerKind: invest.OwnerDepartment,
			OwnerName: "市科技局", LostReason: "另选他址"},
	}
	for _, format := range []dataio.Format{dataio.CSV, dataio.XLSX} {
		var buf bytes.Buffer
		if _, err := dataio.ExportLeads(&buf, format, leads); err != nil {
			t.Fatal(err)
		}
		file, err := dataio.ReadLeads(bytes.NewReader(buf.Bytes()), dataio.UploadFormat("", buf.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if n := len(chanye.ErrorFields(file.Err())); n != 3 {
			t.Errorf("%s with its ids: %d problems, want 3: %v", format, n, file.Err())
		}
		for i, l := range file.Rows {
			want := *leads[i]
			want.ID, want.TargetName, want.IndustryID, want.ProjectID = 0, "", "", ""
			if got := jsonOf(t, l); got != jsonOf(t, &want) {
				t.Errorf("%s row %d:\n got %s\nwant %s", format, i+2, got, jsonOf(t, &want))
			}
		}
	}
	// The same file, its id column emptied.
	var buf bytes.Buffer
	if _, err := dataio.ExportLeads(&buf, dataio.CSV, leads); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	for i := 1; i < len(lines); i++ {
		if _, rest, ok := strings.Cut(lines[i], ","); ok {
			lines[i] = "," + rest
		}
	}
	file, err := dataio.ReadLeads(strings.NewReader(strings.Join(lines, "\n")), dataio.CSV)
	if err != nil || file.Err() != nil || len(file.Rows) != 3 {
		t.Fatalf("the export without ids: %v %v", err, file.Err())
	}
}

// TestUploadFormat: the name decides; without a known extension, an XLSX
// file is told by its zip signature.
func TestUploadFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want dataio.Format
	}{
		{"leads.csv", "PK\x03\x04", dataio.CSV},
		{"LEADS.XLSX", "id,target_id", dataio.XLSX},
		{"leads", "PK\x03\x04rest", dataio.XLSX},
		{"", "id,target_id\n", dataio.CSV},
	} {
		if got := dataio.UploadFormat(tc.name, []byte(tc.data)); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.name, got, tc.want)
		}
	}
}
