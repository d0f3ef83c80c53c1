package dataio_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/internal/testclock"
)

// TestImportMoneyBounds: imports refuse money above its bound, naming the
// column and the bound, and keep a figure at the bound (issue 8, finding 1).
func TestImportMoneyBounds(t *testing.T) {
	e := withProjects(t)
	ctx := context.Background()
	opts := dataio.Options{Now: testclock.Now()}
	const facts = "code,year,revenue_yuan,total_assets_yuan,source,as_of\n"
	for _, tc := range []struct {
		kind     dataio.Kind
		csv      string
		col, why string
	}{
		{dataio.Facts, facts + "9144011661842063XT,2024,100000000000000.01,1,统计年报,2025-05-31\n", "revenue_yuan", "100 万亿元"},
		{dataio.Facts, facts + "9144011661842063XT,2024,1,999999999999999.99,统计年报,2025-05-31\n", "total_assets_yuan", "exceeds the limit"},
		{dataio.Reports, "项目编号,月份,本月完成投资(元),累计完成投资(元),形象进度(%)\nGZ2025-0001,2025-06,1,1000000000000.01,5\n",
			"累计完成投资(元)", "1 万亿元"},
		{dataio.Projects, "项目编号,项目名称,业主单位统一社会信用代码,产业,区县代码,项目类型,阶段,总投资(元),计划开工,计划竣工,2026年计划投资(元)\n" +
			"GZ2025-0009,超限项目,9144011661842063XT,icv-nev,440112,industrial,在建,1000000000000.01,2025-03-01,2027-06-30,1\n",
			"总投资(元)", "1 万亿元"},
		{dataio.Projects, "项目编号,项目名称,业主单位统一社会信用代码,产业,区县代码,项目类型,阶段,总投资(元),计划开工,计划竣工,2026年计划投资(元)\n" +
			"GZ2025-0009,超限项目,9144011661842063XT,icv-nev,440112,industrial,在建,1000000000000,2025-03-01,2027-06-30,1000000000000.01\n",
			"2026年计划投资(元)", "1 万亿元"},
	} {
		var err error
		if tc.kind == dataio.Facts {
			_, err = e.files.Import(ctx, tc.kind, strings.NewReader(tc.csv), opts)
		} else {
			_, err = projectFiles(e.store).Import(ctx, tc.kind, strings.NewReader(tc.csv), opts)
		}
		var pe *dataio.ProblemsError
		if !errors.As(err, &pe) {
			t.Fatalf("%s %s: err = %v, want problems", tc.kind, tc.col, err)
		}
		if !hasProblem(pe.Problems, 2, tc.col, tc.why) {
			t.Errorf("%s: no problem in row 2, column %q with %q: %v", tc.kind, tc.col, tc.why, pe.Problems)
		}
	}
	if _, err := e.files.Import(ctx, dataio.Facts, strings.NewReader(facts+"9144011661842063XT,2024,100000000000000,1,统计年报,2025-05-31\n"), opts); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.FindFacts(ctx, "9144011661842063XT")
	if err != nil || len(got) == 0 || *got[0].Revenue != chanye.MaxFactFen {
		t.Errorf("revenue at the bound: %v, %v", got, err)
	}
}
