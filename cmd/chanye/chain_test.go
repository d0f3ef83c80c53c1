package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChainCommands: a new database has the default chains; export writes
// them as the file import reads; a bad file is refused naming the chain,
// the link and the field, and changes nothing.
func TestChainCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	out := filepath.Join(dir, "chains.json")
	mustRun(t, db, "migrate")
	if got := mustRun(t, db, "import", "catalog", filepath.Join("..", "..", "catalog", "guangzhou.json")); !strings.Contains(got, "26 个产业 industries") {
		t.Errorf("import catalog: %s", got)
	}
	if got := mustRun(t, db, "export", "chains", "--out", out); !strings.Contains(got, "已导出 / exported 18 条产业链 chains") {
		t.Fatalf("export: %s", got)
	}
	if got := mustRun(t, db, "import", "chains", out); !strings.Contains(got, "18 条产业链 chains") || !strings.Contains(got, "删去 removed 0") {
		t.Errorf("import of the export: %s", got)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(string(data), `"stage": "upstream"`, `"stage": "upper"`, 1)), 0o644)
	_, err = runCmd(t, db, "import", "chains", bad)
	if err == nil || !strings.Contains(describe(err), "].stage:") || !strings.Contains(describe(err), "chains[") {
		t.Errorf("a bad stage: %v", describe(err))
	}
	if got := mustRun(t, db, "export", "chains"); got != string(data) {
		t.Error("a refused import changed the chains")
	}
	sheet := filepath.Join(dir, "links.xlsx")
	if got := mustRun(t, db, "export", "chain-links", "--out", sheet); !strings.Contains(got, "284 个环节 links") {
		t.Errorf("export chain-links: %s", got)
	}
	// The sheet imports back unchanged (the workbook and the CSV); an
	// edited one names row and column.
	if got := mustRun(t, db, "import", "chain-links", sheet); !strings.Contains(got, "18 条产业链 chains from the sheet, 284 个环节 links") || !strings.Contains(got, "删去 removed 0") {
		t.Errorf("import chain-links: %s", got)
	}
	csvSheet := filepath.Join(dir, "links.csv")
	mustRun(t, db, "export", "chain-links", "--out", csvSheet)
	text, err := os.ReadFile(csvSheet)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "import", "chain-links", csvSheet)
	mustRun(t, db, "export", "chain-links", "--out", csvSheet)
	if again, _ := os.ReadFile(csvSheet); string(again) != string(text) {
		t.Error("importing the exported sheet changed the chains")
	}
	edited := filepath.Join(dir, "edited.csv")
	os.WriteFile(edited, []byte(strings.Replace(string(text), ",upstream,", ",upper,", 1)), 0o644)
	var stderr strings.Builder
	_, err = runCmdErr(t, &stderr, db, "import", "chain-links", edited)
	if err == nil || !strings.Contains(stderr.String(), "第 2 行 / row 2, 列 / column stage") {
		t.Errorf("an edited sheet: %v\n%s", describe(err), stderr.String())
	}
}

// TestPlacementCommands: scopes come in from a file; chanye chains place
// puts the firm on its link and diagnose explains every link; a file of
// placements is imported all or nothing, its problems naming row and
// column, and an export of the placements imports back.
func TestPlacementCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mustRun(t, db, "migrate")
	ents := write("e.csv", "code,name,district_code,industry_class,founded\n"+
		"91440101MA5ALP4R4C,示例电芯有限公司,440106,3841,2015-06-01\n9144011661842063XT,示例整车有限公司,440112,3612,2012-01-01\n")
	scopes := write("s.csv", "统一社会信用代码,经营范围,来源,数据日期\n91440101MA5ALP4R4C,锂离子电池、电芯的研发和制造,市场监管登记,2025-01-02\n")
	mustRun(t, db, "import", "enterprises", ents, "scopes", scopes)
	if got := mustRun(t, db, "chains", "place"); !strings.Contains(got, "1 家在链 on a link") || !strings.Contains(got, "1 家无经营范围 no scope") {
		t.Errorf("place: %s", got)
	}
	got := mustRun(t, db, "chains", "diagnose", "--industry", "icv-nev")
	if !strings.Contains(got, "icv-nev.battery.cell") || !strings.Contains(got, "缺失：本地无规上企业（在链企业 1 家）") || !strings.Contains(got, "诊断用时 / diagnosed in") {
		t.Errorf("diagnose: %s", got)
	}
	bad := write("bad.csv", "统一社会信用代码,环节,说明\n9144011661842063XT,icv-nev.vehicle,走访确认\n9144011661842063XT,icv-nev.nowhere,\n91440101MA5ALP4R4X,icv-nev.vehicle,\n")
	_, err := runCmd(t, db, "import", "placements", bad)
	if err == nil || !strings.Contains(describe(err), "未导入") {
		t.Errorf("a bad file: %v", describe(err))
	}
	if got := mustRun(t, db, "chains", "firms", "icv-nev.vehicle"); !strings.Contains(got, "共 0 个挂链") {
		t.Errorf("a refused file placed firms: %s", got)
	}
	good := write("good.csv", "统一社会信用代码,环节,说明\n9144011661842063XT,icv-nev.vehicle,走访确认\n91440101MA5ALP4R4C,icv-nev.battery.cell,\n")
	if got := mustRun(t, db, "import", "placements", good); !strings.Contains(got, "新增 added 1, 更新 updated 1") {
		t.Errorf("import placements: %s", got)
	}
	out := filepath.Join(dir, "out.csv")
	if got := mustRun(t, db, "export", "placements", "--out", out); !strings.Contains(got, "3 个挂链 placements") {
		t.Errorf("export placements: %s", got)
	}
	if got := mustRun(t, db, "import", "placements", out); !strings.Contains(got, "新增 added 0, 更新 updated 3") {
		t.Errorf("the export imported back: %s", got)
	}

	// 招商 targets by file: all or nothing, problems by row and column.
	badTargets := write("bt.csv", "产业编号,环节,名单,名称,统一社会信用代码,来源\n"+
		"icv-nev,icv-nev.battery.cell,招商,外地电芯公司,,名单\n"+
		"icv-nev,icv-nev.nowhere,招商,外地电机公司,,名单\n"+
		"icv-nev,icv-nev.vehicle,增资扩产,本地整车,9144011661842063XT,\n")
	var stderr strings.Builder
	if _, err := runCmdErr(t, &stderr, db, "import", "targets", badTargets); err == nil ||
		!strings.Contains(stderr.String(), "第 3 行 / row 3, 列 / column 环节") || !strings.Contains(stderr.String(), "第 4 行 / row 4, 列 / column 来源") {
		t.Errorf("bad targets: %v\n%s", describe(err), stderr.String())
	}
	if got := mustRun(t, db, "export", "targets"); strings.Count(got, "\n") != 1 {
		t.Errorf("a refused file stored targets:\n%s", got)
	}
	goodTargets := write("gt.csv", "产业编号,环节,名单,名称,统一社会信用代码,来源\n"+
		"icv-nev,icv-nev.battery.cell,招商,外地电芯公司,,名单\n"+
		"icv-nev,icv-nev.vehicle,增资扩产,本地整车,9144011661842063XT,走访\n")
	if got := mustRun(t, db, "import", "targets", goodTargets); !strings.Contains(got, "已导入招商对象 / targets imported: 2") {
		t.Errorf("import targets: %s", got)
	}
	stderr.Reset()
	if _, err := runCmdErr(t, &stderr, db, "import", "targets", goodTargets); err == nil || !strings.Contains(stderr.String(), "已在该环节的名单上") {
		t.Errorf("the same firm twice on a list: %v\n%s", describe(err), stderr.String())
	}
}
