package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/sqlstore"
	"github.com/xuri/excelize/v2"
)

// runStd runs chanye on the database db and returns what it wrote to
// stdout and stderr.
func runStd(t *testing.T, db string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "CHANYE_DB" {
			return db
		}
		return ""
	}
	err = run(context.Background(), args, getenv, testclock.Now, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestImportRoster: a roster file, CSV with Chinese headers or XLSX with
// English ones, replaces its source's firms; a bad file is refused whole,
// each problem naming its row and column.
func TestImportRoster(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	mustRun(t, db, "migrate")
	good := filepath.Join(dir, "roster.csv")
	os.WriteFile(good, []byte("\ufeff企业名称,统一社会信用代码,城市,省份,行业代码,主营产品,梯度\n"+
		"宁德某电池,,宁德,福建,3841,锂离子电池、电芯,专精特新“小巨人”\n"+
		",,,,,,\n"+
		"苏州某电机,,苏州,江苏,3812,驱动电机,\n"), 0o644)
	if got := mustRun(t, db, "import", "roster", good, "--source", "国家级小巨人名单"); !strings.Contains(got, "国家级小巨人名单, 2 家企业 firms") {
		t.Errorf("import: %s", got)
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("name,city,class,tier\n好企业,广州,3841,\n,广州,99x,gold\n"), 0o644)
	_, stderr, err := runStd(t, db, "import", "roster", bad, "--source", "国家级小巨人名单")
	if err == nil {
		t.Fatal("a bad roster was imported")
	}
	for _, want := range []string{"第 3 行 / row 3, 列 / column name:", "第 3 行 / row 3, 列 / column class:", "第 3 行 / row 3, 列 / column tier:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "row 2") {
		t.Errorf("a good row is named:\n%s", stderr)
	}
	if _, _, err := runStd(t, db, "import", "roster", good); err == nil || !strings.Contains(describe(err), "source") {
		t.Errorf("no source: %v", err)
	}
	header := filepath.Join(dir, "header.csv")
	os.WriteFile(header, []byte("企业名称,城市,颜色\n甲,广州,红\n"), 0o644)
	if _, _, err := runStd(t, db, "import", "roster", header, "--source", "x"); err == nil || !strings.Contains(describe(err), "颜色") || !strings.Contains(describe(err), "class") {
		t.Errorf("a bad header: %v", describe(err))
	}

	// XLSX, replacing the source's firms.
	x := excelize.NewFile()
	for i, row := range [][]any{{"name", "code", "city", "province", "class", "products", "tier"}, {"广州某芯片", "", "", "广东", "3973", "芯片", "little_giant"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	xlsx := filepath.Join(dir, "roster.xlsx")
	if err := x.SaveAs(xlsx); err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, db, "import", "roster", xlsx, "--source", "国家级小巨人名单"); !strings.Contains(got, "1 家企业 firms") {
		t.Errorf("import xlsx: %s", got)
	}
}

// TestExportLeads: the leads are written one a row, amounts in fen.
func TestExportLeads(t *testing.T) {
	dir, db, target := leadsDB(t)
	fen := chanye.Fen(5_000_000_000)
	inDB(t, db, func(ctx context.Context, store *sqlstore.Store) error {
		return store.CreateLead(ctx, &invest.Lead{TargetID: target.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106", ExpectedFen: &fen})
	})
	got := mustRun(t, db, "export", "leads", "--industry", "icv-nev")
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(got, "\ufeff")), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "id,target_id,target,") || !strings.Contains(lines[1], ",宁德某电池,icv-nev,icv-nev.battery.cell,clue,线索,") ||
		!strings.Contains(lines[1], ",5000000000,") {
		t.Errorf("export leads:\n%s", got)
	}
	if got := mustRun(t, db, "export", "leads", "--out", filepath.Join(dir, "leads.xlsx")); !strings.Contains(got, "1 条线索 leads") {
		t.Errorf("export leads xlsx: %s", got)
	}
	if got := mustRun(t, db, "export", "leads", "--industry", "biomed"); strings.Count(got, "\n") != 1 {
		t.Errorf("another industry's leads: %s", got)
	}
}

// leadsDB is a database file in a temporary folder with one 招商 target on
// icv-nev's battery cells.
func leadsDB(t *testing.T) (dir, db string, target *invest.Target) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "chanye.db")
	target = &invest.Target{IndustryID: "icv-nev", LinkID: "icv-nev.battery.cell", Kind: invest.ListAttract, Name: "宁德某电池", Source: "名单"}
	inDB(t, db, func(ctx context.Context, store *sqlstore.Store) error { return store.CreateTarget(ctx, target) })
	return dir, db, target
}

// inDB opens the database file db, calls f as the operator and closes it.
func inDB(t *testing.T, db string, f func(context.Context, *sqlstore.Store) error) {
	t.Helper()
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	sdb, store, _, err := open(ctx, Config{DB: db, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if err := f(ctx, store); err != nil {
		t.Fatal(err)
	}
}
