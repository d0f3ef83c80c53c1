package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/sqlstore"
)

// TestMatchCommands: supplies and demands import from CSV with their
// faults named by row and column and nothing stored, also when only the
// last row is at fault; good files import, chanye match propose pairs
// them, and the exports write them back.
func TestMatchCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	const buyer, supplier = "91440101MA5ALP4R4C", "9144011661842063XT"
	founded, _ := chanye.ParseDate("2015-06-01")
	inDB(t, db, func(ctx context.Context, store *sqlstore.Store) error {
		for _, c := range []string{buyer, supplier} {
			if err := store.CreateEnterprise(ctx, &chanye.Enterprise{Code: c, Name: "企业" + c[14:], DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
				return err
			}
		}
		return nil
	})
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "统一社会信用代码,产品,环节,行业代码,区县,编号\n"+
		supplier+",动力电池 电芯,icv-nev.nothing,3841,,\n"+
		"91440101MA5ALP4R4C,电芯,icv-nev.battery.cell,38,449999,\n"+
		"91350100M000100Y43,电芯,icv-nev.battery.cell,3841,,\n"+
		supplier+",电芯,icv-nev.battery.cell,3841,,\n")
	_, stderr, err := runStd(t, db, "import", "supplies", bad)
	if err == nil || !strings.Contains(err.Error(), "未导入") {
		t.Errorf("a bad file: %v", err)
	}
	for _, want := range []string{"第 2 行 / row 2, 列 / column 环节:", "第 3 行 / row 3, 列 / column 行业代码:", "第 3 行 / row 3, 列 / column 区县:",
		"第 4 行 / row 4, 列 / column 统一社会信用代码:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "第 5 行") {
		t.Errorf("a good row is named:\n%s", stderr)
	}
	// Good rows, then one whose firm is not in the registry: all or nothing.
	last := write("last.csv", "code,products,link_id,classes\n"+
		supplier+",动力电池 电芯,icv-nev.battery.cell,3841\n"+
		buyer+",整车,icv-nev.vehicle.passenger,3612\n"+
		"91350100M000100Y43,电芯,icv-nev.battery.cell,3841\n")
	_, stderr, err = runStd(t, db, "import", "supplies", last)
	if err == nil || !strings.Contains(err.Error(), "未导入") || !strings.Contains(stderr, "第 4 行 / row 4, 列 / column code:") ||
		strings.Contains(stderr, "第 2 行") || strings.Contains(stderr, "第 3 行") || strings.Contains(stderr, "已导入") {
		t.Errorf("a bad last row: %v\n%s", err, stderr)
	}
	if got := mustRun(t, db, "export", "supplies"); strings.Count(got, "\n") != 1 {
		t.Errorf("a refused file stored supplies:\n%s", got)
	}

	sup := write("supplies.csv", "code,products,link_id,classes,certifications\n"+supplier+",动力电池 电芯,icv-nev.battery.cell,3841,IATF 16949;ISO 9001\n")
	if got := mustRun(t, db, "import", "supplies", sup); !strings.Contains(got, "imported: 1") {
		t.Errorf("import supplies: %s", got)
	}
	dem := write("demands.csv", "code,needs,link_id,classes,quantity,needed_by\n"+buyer+",电芯,icv-nev.vehicle.passenger,3841,每月 2000 套,\n")
	if got := mustRun(t, db, "import", "demands", dem); !strings.Contains(got, "imported: 1") {
		t.Errorf("import demands: %s", got)
	}
	if got := mustRun(t, db, "match", "propose"); !strings.Contains(got, "新增 / added 1") || !strings.Contains(got, "用时 / took") {
		t.Errorf("match propose: %s", got)
	}
	if got := mustRun(t, db, "match", "propose"); !strings.Contains(got, "新增 / added 0") {
		t.Errorf("match propose again: %s", got)
	}
	got := mustRun(t, db, "export", "supplies")
	if !strings.Contains(got, "IATF 16949;ISO 9001") || !strings.Contains(got, supplier) {
		t.Errorf("export supplies:\n%s", got)
	}
	out := filepath.Join(dir, "demands.xlsx")
	mustRun(t, db, "export", "demands", "--industry", "icv-nev", "--out", out)
	_, stderr, err = runStd(t, db, "import", "demands", out)
	if err == nil || !strings.Contains(stderr, "id 须为空") {
		t.Errorf("an export with its ids: %v\n%s", err, stderr)
	}
}
