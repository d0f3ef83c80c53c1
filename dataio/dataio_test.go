package dataio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
	"github.com/xuri/excelize/v2"
)

type env struct {
	db    *sqlstore.DB
	store *sqlstore.Store
	files *dataio.Files
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, s := sqlstoretest.NewWithDB(t)
	// The city leader the project files name is on the managed list.
	if err := s.CreateOrgUnit(context.Background(), &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: "市领导甲"}); err != nil {
		t.Fatal(err)
	}
	return &env{db: db, store: s, files: &dataio.Files{Catalog: s, Enterprises: s}}
}

func (e *env) importFile(t *testing.T, kind dataio.Kind, name string, opts dataio.Options) (dataio.Report, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return e.files.Import(context.Background(), kind, f, opts)
}

func (e *env) mustImport(t *testing.T, kind dataio.Kind, name string) dataio.Report {
	t.Helper()
	r, err := e.importFile(t, kind, name, dataio.Options{Now: testclock.Now()})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return r
}

func (e *env) count(t *testing.T) int {
	t.Helper()
	_, total, err := e.store.FindEnterprises(context.Background(), chanye.EnterpriseFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func (e *env) export(t *testing.T, kind dataio.Kind, format dataio.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := e.files.Export(context.Background(), kind, &buf, format, chanye.EnterpriseFilter{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportGood(t *testing.T) {
	e := newEnv(t)
	r := e.mustImport(t, dataio.Enterprises, "enterprises_good.csv")
	if r.Read != 3 || r.Valid != 3 || r.Written != 3 || r.Rejected != 0 {
		t.Errorf("report %+v, want 3 read, valid and written", r)
	}
	e.mustImport(t, dataio.Facts, "facts_good.csv")
	e.mustImport(t, dataio.Tiers, "tiers_good.csv")
	e.mustImport(t, dataio.Scopes, "scopes_good.csv")
	ctx := context.Background()
	if sc, err := e.store.FindScope(ctx, "9144011661842063XT"); err != nil || sc.Text != "集成电路设计；软件开发, 技术服务" || sc.Source != "企业填报" {
		t.Errorf("imported scope %+v, %v", sc, err)
	}
	if got := string(e.export(t, dataio.Scopes, dataio.CSV)); !strings.Contains(got, "91440101MA5ALP4R4C,锂离子电池、电芯的研发、制造和销售；货物进出口,市场监管登记,2025-01-02") {
		t.Errorf("scopes export:\n%s", got)
	}
	ent, err := e.store.FindEnterpriseByCode(ctx, "91440101MA5ALP4R4C") // imported in lower case
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ent.Founded.String(), "2017-06-01"; got != want {
		t.Errorf("founded %s, want %s", got, want)
	}
	ent, err = e.store.FindEnterpriseByCode(ctx, "91440106MA5B1K2X9F")
	if err != nil {
		t.Fatal(err)
	}
	if !ent.IndustriesOverride || strings.Join(ent.Industries, ";") != "biomedicine" {
		t.Errorf("industries %v override %v, want [biomedicine] set by hand", ent.Industries, ent.IndustriesOverride)
	}
	if len(ent.Tiers) != 1 || ent.Tiers[0].Kind != chanye.TierLittleGiant {
		t.Errorf("tiers %+v, want one little giant", ent.Tiers)
	}
	facts, err := e.store.FindFacts(ctx, "9144011661842063XT")
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 2 || facts[0].Revenue == nil || *facts[0].Revenue != 123456789 || *facts[0].RDSpending != 6000050 {
		t.Errorf("facts %+v, want 2024 revenue 123456789 fen and R&D 6000050 fen", facts[0])
	}
}

func TestImportBadRowsImportsNothing(t *testing.T) {
	for _, tc := range []struct {
		kind  dataio.Kind
		file  string
		want  []dataio.Problem // Reason is matched as a substring
		setup []string
	}{
		{dataio.Enterprises, "enterprises_bad.csv", []dataio.Problem{
			{Row: 3, Column: "统一社会信用代码", Reason: "校验码"},
			{Row: 4, Column: "区县代码", Reason: "440199"},
			{Row: 5, Column: "成立日期", Reason: "YYYY-MM-DD"},
		}, nil},
		{dataio.Facts, "facts_bad.csv", []dataio.Problem{
			{Row: 3, Column: "营业收入(元)", Reason: "不能为负"},
			{Row: 4, Column: "code", Reason: "不存在"},
		}, []string{"enterprises_good.csv"}},
		{dataio.Scopes, "scopes_bad.csv", []dataio.Problem{
			{Row: 3, Column: "经营范围", Reason: "1–2000"},
			{Row: 4, Column: "来源", Reason: "来源"},
		}, []string{"enterprises_good.csv"}},
		{dataio.Tiers, "tiers_bad.csv", []dataio.Problem{
			{Row: 3, Column: "梯度", Reason: "未知梯度"},
			{Row: 4, Column: "认定级别", Reason: "未知认定级别"},
		}, []string{"enterprises_good.csv"}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			e := newEnv(t)
			for _, f := range tc.setup {
				e.mustImport(t, dataio.Enterprises, f)
			}
			before := e.export(t, tc.kind, dataio.CSV)
			r, err := e.importFile(t, tc.kind, tc.file, dataio.Options{Now: testclock.Now()})
			var pe *dataio.ProblemsError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ProblemsError", err)
			}
			if chanye.ErrorCode(err) != chanye.EINVALID {
				t.Errorf("code %s, want %s", chanye.ErrorCode(err), chanye.EINVALID)
			}
			checkProblems(t, pe.Problems, tc.want)
			if r.Written != 0 || r.Rejected != len(tc.want) {
				t.Errorf("report %+v, want nothing written and %d rejected", r, len(tc.want))
			}
			if after := e.export(t, tc.kind, dataio.CSV); !bytes.Equal(before, after) {
				t.Errorf("store changed by a failed import:\n%s\nthen\n%s", before, after)
			}
		})
	}
}

func checkProblems(t *testing.T, got, want []dataio.Problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d problems %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Row != w.Row || g.Column != w.Column || !strings.Contains(g.Reason, w.Reason) {
			t.Errorf("problem %d: got %+v, want row %d column %q reason containing %q", i, g, w.Row, w.Column, w.Reason)
		}
	}
}

func TestSkipInvalid(t *testing.T) {
	e := newEnv(t)
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	r, err := e.importFile(t, dataio.Enterprises, "enterprises_bad.csv", dataio.Options{Now: testclock.Now(), SkipInvalid: true, RejectsPath: rejects})
	if err != nil {
		t.Fatal(err)
	}
	if r.Read != 4 || r.Written != 1 || r.Rejected != 3 {
		t.Errorf("report %+v, want 4 read, 1 written, 3 rejected", r)
	}
	if n := e.count(t); n != 1 {
		t.Errorf("%d enterprises stored, want 1", n)
	}
	f, err := os.Open(rejects)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("rejects file has %d rows, want header and 3", len(rows))
	}
	if got := rows[0][len(rows[0])-1]; !strings.Contains(got, "reason") {
		t.Errorf("last header %q, want a reason column", got)
	}
	if rows[1][0] != "9144011661842063XU" || !strings.Contains(rows[1][5], "统一社会信用代码") {
		t.Errorf("first reject %v, want the bad check character row with its reason", rows[1])
	}
}

func TestReimportChangesNothing(t *testing.T) {
	e := newEnv(t)
	files := []struct {
		kind dataio.Kind
		name string
	}{{dataio.Enterprises, "enterprises_good.csv"}, {dataio.Facts, "facts_good.csv"}, {dataio.Tiers, "tiers_good.csv"}}
	for _, f := range files {
		e.mustImport(t, f.kind, f.name)
	}
	ctx := context.Background()
	first, err := e.store.FindEnterpriseByCode(ctx, "9144011661842063XT")
	if err != nil {
		t.Fatal(err)
	}
	before := map[dataio.Kind][]byte{}
	for _, f := range files {
		before[f.kind] = e.export(t, f.kind, dataio.CSV)
	}
	// A later clock makes a rewrite visible in updated_at.
	e.db.Now = func() time.Time { return testclock.Now().Add(time.Hour) }
	for _, f := range files {
		e.mustImport(t, f.kind, f.name)
	}
	again, err := e.store.FindEnterpriseByCode(ctx, "9144011661842063XT")
	if err != nil {
		t.Fatal(err)
	}
	if !again.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("updated_at %v after re-import, want unchanged %v", again.UpdatedAt, first.UpdatedAt)
	}
	for _, f := range files {
		if after := e.export(t, f.kind, dataio.CSV); !bytes.Equal(before[f.kind], after) {
			t.Errorf("%s changed by re-import", f.kind)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	src := newEnv(t)
	src.mustImport(t, dataio.Enterprises, "enterprises_good.csv")
	src.mustImport(t, dataio.Facts, "facts_good.csv")
	src.mustImport(t, dataio.Tiers, "tiers_good.csv")
	for _, format := range []dataio.Format{dataio.CSV, dataio.XLSX} {
		t.Run(string(format), func(t *testing.T) {
			dst := newEnv(t)
			var sources []dataio.Source
			exports := map[dataio.Kind][]byte{}
			for _, k := range []dataio.Kind{dataio.Enterprises, dataio.Facts, dataio.Tiers} {
				exports[k] = src.export(t, k, format)
				sources = append(sources, dataio.Source{Kind: k, Format: format, Reader: bytes.NewReader(exports[k])})
			}
			// One batch: facts and tiers name enterprises of the same batch.
			reports, err := dst.files.ImportBatch(context.Background(), sources, dataio.Options{Now: testclock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if reports[1].Written != 3 || reports[2].Written != 3 {
				t.Errorf("reports %+v, want 3 facts and 3 tiers written", reports)
			}
			for _, k := range []dataio.Kind{dataio.Enterprises, dataio.Facts, dataio.Tiers} {
				a, b := src.export(t, k, dataio.CSV), dst.export(t, k, dataio.CSV)
				if !bytes.Equal(a, b) {
					t.Errorf("%s after round trip:\n%s\nwant\n%s", k, b, a)
				}
			}
		})
	}
}

// TestTierLevel: the level column (认定级别: 国家级, 市级, national …) is
// imported, stored, exported as its id in CSV and XLSX and imported back
// the same (issue 9, point 6); a bad level is a row and column error (in
// TestImportBadRowsImportsNothing).
func TestTierLevel(t *testing.T) {
	e := newEnv(t)
	e.mustImport(t, dataio.Enterprises, "enterprises_good.csv")
	e.mustImport(t, dataio.Tiers, "tiers_good.csv")
	ent, err := e.store.FindEnterpriseByCode(context.Background(), "9144011661842063XT")
	if err != nil {
		t.Fatal(err)
	}
	if len(ent.Tiers) != 2 || ent.Tiers[0].Level != chanye.LevelNational || ent.Tiers[1].Level != chanye.LevelMunicipal {
		t.Errorf("tiers %+v, want the high-tech one national and the leading one municipal", ent.Tiers)
	}
	got := strings.TrimPrefix(string(e.export(t, dataio.Tiers, dataio.CSV)), "\ufeff")
	want := "code,kind,level,from,to,source\n" +
		"91440106MA5B1K2X9F,little_giant,national,2022-07-20,,工信部\n" +
		"9144011661842063XT,high_tech,national,2023-11-20,2026-11-19,广州市科技局\n" +
		"9144011661842063XT,leading,municipal,2024-03-01,,广州市工信局\n"
	if got != want {
		t.Errorf("export\n%s\nwant\n%s", got, want)
	}
	xlsx := e.export(t, dataio.Tiers, dataio.XLSX)
	book, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows(book.GetSheetName(0))
	if err != nil || len(rows) != 4 || rows[0][2] != "level" || rows[1][2] != "national" || rows[3][2] != "municipal" {
		t.Errorf("xlsx rows %q (%v), want a level column with national and municipal", rows, err)
	}
}

// TestXLSX imports a workbook made here, with Chinese headers and cells
// typed as numbers and text.
func TestXLSX(t *testing.T) {
	e := newEnv(t)
	e.mustImport(t, dataio.Enterprises, "enterprises_good.csv")
	f := excelize.NewFile()
	rows := [][]any{
		{"统一社会信用代码", "年度", "营业收入（元）", "从业人员", "数据来源", "数据日期"},
		{"9144011661842063XT", 2025, 98765.43, 12, "企业填报", "2026-03-31"},
		{"91440106MA5B1K2X9F", 2025, "7000000", 88, "企业填报", "2026/04/01"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := e.files.Import(context.Background(), dataio.Facts, &buf, dataio.Options{Now: testclock.Now(), Format: dataio.XLSX})
	if err != nil {
		t.Fatal(err)
	}
	if r.Written != 2 {
		t.Errorf("report %+v, want 2 written", r)
	}
	facts, err := e.store.FindFacts(context.Background(), "9144011661842063XT")
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 1 || facts[0].Revenue == nil || *facts[0].Revenue != 9876543 {
		t.Errorf("facts %+v, want revenue 9876543 fen", facts)
	}
}

func TestHeaderErrors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		kind   dataio.Kind
		header string
		want   string
	}{
		{dataio.Enterprises, "code,name,district_code,industry_class", "founded"},
		{dataio.Enterprises, "code,name,district_code,industry_class,founded,colour", "colour"},
		{dataio.Facts, "code,year,source,as_of", "revenue_yuan"},
		{dataio.Tiers, "code,from", "kind"},
	} {
		_, err := e.files.Import(context.Background(), tc.kind, strings.NewReader(tc.header+"\n"), dataio.Options{Now: testclock.Now()})
		if _, ok := chanye.ErrorFields(err)[tc.want]; !ok {
			t.Errorf("%s header %q: error %v, want one naming %s", tc.kind, tc.header, err, tc.want)
		}
	}
}

func TestManyProblemsAreCapped(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	b.WriteString("code,name,district_code,industry_class,founded\n")
	for range 250 {
		b.WriteString("bad,x,440106,6513,2020-01-01\n")
	}
	_, err := e.files.Import(context.Background(), dataio.Enterprises, strings.NewReader(b.String()), dataio.Options{Now: testclock.Now()})
	var pe *dataio.ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want *ProblemsError", err)
	}
	if len(pe.Problems) != dataio.MaxProblems || pe.Total != 250 || !strings.Contains(err.Error(), "and 150 more") {
		t.Errorf("%d listed of %d; message ends %q", len(pe.Problems), pe.Total, err.Error()[len(err.Error())-40:])
	}
}

// Rows are written in code order, not file order: a repeated key still ends
// as its last row says, and dates before 1970 survive the compact buffer.
func TestImportOutOfOrderLastRowWins(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := "code,name,district_code,industry_class,founded,industries\n" +
		"91440106MA5B1K2X9F,广州示例医药有限公司,440112,2710,2019-01-20,biomedicine\n" +
		"9144011661842063XT,旧名称,440106,3611,2008-03-15,\n" +
		"91440101MA5ALP4R4C,广州示例软件有限公司,440106,6513,1958-06-01,\n" +
		"9144011661842063XT,广州示例汽车有限公司,440106,3611,1969-12-31,\n"
	if _, err := e.files.Import(ctx, dataio.Enterprises, strings.NewReader(in), dataio.Options{Now: testclock.Now()}); err != nil {
		t.Fatal(err)
	}
	tiers := "code,kind,from,to,source\n" +
		"91440106MA5B1K2X9F,小巨人,2022-07-20,,工信部\n" +
		"9144011661842063XT,high_tech,1969-12-31,1970-01-01,科技局\n" +
		"9144011661842063XT,high_tech,1969-12-31,1969-12-31,科技局\n"
	if _, err := e.files.Import(ctx, dataio.Tiers, strings.NewReader(tiers), dataio.Options{Now: testclock.Now()}); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.FindEnterpriseByCode(ctx, "9144011661842063XT")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "广州示例汽车有限公司" || got.Founded.String() != "1969-12-31" {
		t.Errorf("got %s founded %s, want the last row: 广州示例汽车有限公司 founded 1969-12-31", got.Name, got.Founded)
	}
	if len(got.Tiers) != 1 || got.Tiers[0].To.String() != "1969-12-31" {
		t.Errorf("tiers %+v, want one ending 1969-12-31", got.Tiers)
	}
	if got, want := strings.TrimPrefix(string(e.export(t, dataio.Enterprises, dataio.CSV)), "\ufeff"), "code,name,district_code,industry_class,founded,industries\n"+
		"91440101MA5ALP4R4C,广州示例软件有限公司,440106,6513,1958-06-01,\n"+
		"91440106MA5B1K2X9F,广州示例医药有限公司,440112,2710,2019-01-20,biomedicine\n"+
		"9144011661842063XT,广州示例汽车有限公司,440106,3611,1969-12-31,\n"; got != want {
		t.Errorf("export\n%s\nwant\n%s", got, want)
	}
}
