package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/report"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/xuri/excelize/v2"
)

var asOf = chanye.Date{Time: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)}

// meeting builds the November 2026 meeting over the demo list once for
// all tests of the package.
var meeting = func() func(t *testing.T) (*sqlstore.Store, *report.Meeting, []byte) {
	var (
		s   *sqlstore.Store
		m   *report.Meeting
		out []byte
	)
	return func(t *testing.T) (*sqlstore.Store, *report.Meeting, []byte) {
		t.Helper()
		if m != nil {
			return s, m, out
		}
		ctx := context.Background()
		s = sqlstoretest.New(t)
		if _, err := demo.Generate(ctx, s, demo.Options{Enterprises: 10000, Seed: 1, AsOf: asOf}); err != nil {
			t.Fatal(err)
		}
		cat, _ := s.FindCatalog(ctx)
		if _, err := demo.GenerateProjects(ctx, s, cat, s, demo.ProjectOptions{Seed: 1, AsOf: asOf}); err != nil {
			t.Fatal(err)
		}
		var err error
		start := time.Now()
		m, err = report.Build(ctx, report.Sources{Catalog: s, Projects: s, Enterprises: s}, "2026-11", asOf)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := report.Write(&buf, m); err != nil {
			t.Fatal(err)
		}
		t.Logf("meeting built and written in %s, %d bytes", time.Since(start), buf.Len())
		out = buf.Bytes()
		return s, m, out
	}
}()

func TestMeetingContent(t *testing.T) {
	s, m, out := meeting(t)
	ctx := context.Background()
	red := project.Red
	reds, total, err := s.FindProjects(ctx, project.ProjectFilter{Colour: &red, AsOf: asOf, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || len(m.Red) != total {
		t.Fatalf("red list has %d rows, the store %d red projects", len(m.Red), total)
	}
	var want, got []string
	for _, p := range reds {
		want = append(want, p.ID)
	}
	for _, r := range m.Red {
		got = append(got, r.ID)
		if r.Department == "" || r.Leader == "" || r.Owner == "" || r.OwnerCode == "" || r.Reasons == "" {
			t.Errorf("red item %s lacks an owner or a reason: %+v", r.ID, r)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("red list %v, want %v", got, want)
	}
	n, g, y, r := 0, 0, 0, 0
	for _, x := range m.ByIndustry {
		n, g, y, r = n+x.Projects, g+x.Green, y+x.Yellow, r+x.Red
	}
	if n != demo.KeyProjects || g+y+r != n || r != total {
		t.Errorf("summary by industry: %d projects (%d/%d/%d), want %d with %d red", n, g, y, r, demo.KeyProjects, total)
	}
	nd := 0
	for _, x := range m.ByDistrict {
		nd += x.Projects
	}
	if nd != n || len(m.ByDistrict) != 11 {
		t.Errorf("summary by district: %d projects in %d districts", nd, len(m.ByDistrict))
	}
	if len(m.Overdue) == 0 || len(m.Investment) != n {
		t.Errorf("%d overdue nodes, %d investment rows", len(m.Overdue), len(m.Investment))
	}

	// Read back: every sheet, the red list's rows, numbers as numbers.
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, report.Sheets) {
		t.Errorf("sheets %v, want %v", got, report.Sheets)
	}
	rows, _ := f.GetRows(report.SheetRed)
	if len(rows) != 2+total {
		t.Errorf("red sheet has %d rows, want title, header and %d", len(rows), total)
	}
	if rows[1][1] != "项目编号" || rows[2][1] != m.Red[0].ID {
		t.Errorf("red sheet header %v, first row %v", rows[1], rows[2])
	}
	typ, _ := f.GetCellType(report.SheetSummary, "F3")
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("total investment cell type %v, want a number", typ)
	}
	v, _ := f.GetCellValue(report.SheetSummary, "F3", excelize.Options{RawCellValue: true})
	if v == "" || strings.Contains(v, ",") {
		t.Errorf("summary F3 raw %q, want a plain number", v)
	}
}

// TestMeetingStructure checks the workbook with the standard library
// only: the sheets, frozen header rows, column widths and the 万元 format.
func TestMeetingStructure(t *testing.T) {
	_, m, out := meeting(t)
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) []byte {
		f := files[name]
		if f == nil {
			t.Fatalf("%s missing from the archive", name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels"} {
		wellFormed(t, name, read(name))
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(read("xl/workbook.xml"), &wb); err != nil {
		t.Fatal(err)
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	xml.Unmarshal(read("xl/_rels/workbook.xml.rels"), &rels)
	var names []string
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
		target := ""
		for _, r := range rels.Rels {
			if r.ID == s.RID {
				target = "xl/" + strings.TrimPrefix(r.Target, "/xl/")
			}
		}
		b := read(target)
		wellFormed(t, target, b)
		var ws struct {
			Pane struct {
				YSplit string `xml:"ySplit,attr"`
				State  string `xml:"state,attr"`
			} `xml:"sheetViews>sheetView>pane"`
			Cols []struct {
				Width       string `xml:"width,attr"`
				CustomWidth string `xml:"customWidth,attr"`
			} `xml:"cols>col"`
			Rows []struct{} `xml:"sheetData>row"`
		}
		if err := xml.Unmarshal(b, &ws); err != nil {
			t.Fatal(err)
		}
		if ws.Pane.State != "frozen" || ws.Pane.YSplit != "2" {
			t.Errorf("%s: pane %+v, want the two header rows frozen", s.Name, ws.Pane)
		}
		if len(ws.Cols) == 0 || ws.Cols[0].Width == "" {
			t.Errorf("%s: no column widths", s.Name)
		}
		if s.Name == report.SheetRed && len(ws.Rows) != 2+len(m.Red) {
			t.Errorf("red sheet has %d rows, want %d", len(ws.Rows), 2+len(m.Red))
		}
	}
	if !slices.Equal(names, report.Sheets) {
		t.Errorf("sheets %v, want %v", names, report.Sheets)
	}
	if styles := string(read("xl/styles.xml")); !strings.Contains(styles, `formatCode="#,##0.00"`) || !strings.Contains(styles, `formatCode="0.0%"`) {
		t.Error("styles.xml lacks the 万元 and percentage number formats")
	}
}

func wellFormed(t *testing.T, name string, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
}

// TestMeetingOpensInLibreOffice has LibreOffice, a reader that is not
// excelize, convert every sheet to CSV and checks what it read.
func TestMeetingOpensInLibreOffice(t *testing.T) {
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		if lo, err = exec.LookPath("soffice"); err != nil {
			t.Skip("libreoffice not installed")
		}
	}
	if testing.Short() {
		t.Skip("short")
	}
	_, m, out := meeting(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "meeting.xlsx")
	if err := os.WriteFile(in, out, 0o644); err != nil {
		t.Fatal(err)
	}
	// UTF-8 (76), comma-separated, cells as shown, every sheet to its own
	// file (-1).
	cmd := exec.Command(lo, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1`, "--outdir", dir, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, b)
	}
	sheet := func(name string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, "meeting-"+name+".csv"))
		if err != nil {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("%v; the directory holds %v", err, entries)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			// Rows differ in width; read them leniently.
			r := csv.NewReader(bytes.NewReader(b))
			r.FieldsPerRecord = -1
			rows, err = r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
		}
		return rows
	}
	red := sheet(report.SheetRed)
	if len(red) != 2+len(m.Red) || red[1][0] != "序号" || red[2][1] != m.Red[0].ID {
		t.Errorf("LibreOffice read %d red rows, header %v; want %d", len(red)-2, red[1], len(m.Red))
	}
	sum := sheet(report.SheetSummary)
	if !strings.HasPrefix(sum[0][0], "重点项目月度调度汇总 2026-11") || sum[1][0] != "产业 / 区" {
		t.Errorf("summary title %q, header %v", sum[0][0], sum[1])
	}
	// The 万元 format as LibreOffice renders it: thousands separators, two decimals.
	if v := sum[2][5]; !strings.Contains(v, ".") {
		t.Errorf("summary F3 rendered %q, want #,##0.00", v)
	}
	for _, name := range []string{report.SheetOverdue, report.SheetInvestment} {
		if rows := sheet(name); len(rows) < 3 {
			t.Errorf("%s: LibreOffice read %d rows", name, len(rows))
		}
	}
	t.Logf("LibreOffice read %d red, %d summary rows", len(red)-2, len(sum))
	if os.Getenv("CHANYE_KEEP_REPORT") != "" {
		os.CopyFS(os.Getenv("CHANYE_KEEP_REPORT"), os.DirFS(dir))
	}
}

func TestBuildBadMonth(t *testing.T) {
	s := sqlstoretest.New(t)
	for _, month := range []string{"2026-13", "2026/11", ""} {
		_, err := report.Build(context.Background(), report.Sources{Catalog: s, Projects: s}, month, asOf)
		if chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("month %q: %v, want EINVALID", month, err)
		}
	}
}

func TestEmptyMeeting(t *testing.T) {
	s := sqlstoretest.New(t)
	m, err := report.Build(context.Background(), report.Sources{Catalog: s, Projects: s}, "2026-11", asOf)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, m); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(report.SheetRed)
	if len(rows) != 2 {
		t.Errorf("red sheet of an empty list has %d rows, want title and header", len(rows))
	}
}

func TestMonthAsOf(t *testing.T) {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		today time.Time
		want  string
	}{
		{time.Date(2026, 11, 15, 10, 0, 0, 0, time.UTC), "2026-11-15"},
		{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), "2026-11-30"},
		{time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), "2026-11-30"},
	} {
		if got := report.MonthAsOf(nov, c.today).String(); got != c.want {
			t.Errorf("MonthAsOf(2026-11, %s) = %s, want %s", c.today.Format("2006-01-02"), got, c.want)
		}
	}
}
