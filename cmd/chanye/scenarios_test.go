package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/scenario"
	"github.com/chanye-org/chanye/sqlstore"
)

// TestImportExportScenarios: chanye import scenarios stores a file's
// calls as drafts, all or nothing, each problem on its row and column
// (the offerer's kind, a criterion, the budget); an export names each
// call's status and imports back once its ids are emptied.
func TestImportExportScenarios(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	inDB(t, db, func(ctx context.Context, store *sqlstore.Store) error { return nil })
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	day := func(days int) string { return chanye.DateOf(testclock.Today().AddDate(0, 0, days)).String() }
	head := "标题,提出单位,单位类型,产业,需求,预算（元）,揭榜截止,试点开始,试点结束,评审标准\n"
	// A cell that cannot be read (a budget in thousandths of a yuan), then
	// a row the store refuses (an unknown kind of unit, weights short of
	// 100): each named by its row and column, nothing stored.
	for _, tc := range []struct {
		text string
		want []string
	}{
		{head + "手术机器人,市一医院,医院,biomedicine,临床 100 例,12.345," + day(20) + "," + day(30) + "," + day(400) + ",tech:技术:100\n",
			[]string{"第 2 行 / row 2, 列 / column 预算（元）"}},
		{head + "公交固态电池验证,市交通集团,国企,icv-nev,装车运行一年,5000000," + day(20) + "," + day(30) + "," + day(400) + ",tech:技术:60;cost:成本:40\n" +
			"手术机器人,市一医院,医馆,biomedicine,临床 100 例,," + day(20) + "," + day(30) + "," + day(400) + ",tech:技术:50\n",
			[]string{"第 3 行 / row 3, 列 / column 单位类型", "第 3 行 / row 3, 列 / column 评审标准"}},
	} {
		_, stderr, err := runStd(t, db, "import", "scenarios", write("bad.csv", tc.text))
		if err == nil {
			t.Fatal("a bad file was imported")
		}
		for _, want := range tc.want {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
	}
	if got := mustRun(t, db, "export", "scenarios"); strings.Count(got, "\n") != 1 {
		t.Errorf("a refused file stored scenarios:\n%s", got)
	}
	good := write("good.csv", head+
		"公交固态电池验证,市交通集团,state_owned,icv-nev,装车运行一年,5000000,"+day(20)+","+day(30)+","+day(400)+",tech:技术:technology:60；cost:成本:40\n"+
		"手术机器人,市一医院,医院,biomedicine,临床 100 例,,"+day(20)+","+day(30)+","+day(400)+",tech:技术:100\n")
	if got := mustRun(t, db, "import", "scenarios", good); !strings.Contains(got, "scenarios imported as drafts: 2") {
		t.Errorf("import: %s", got)
	}
	inDB(t, db, func(ctx context.Context, store *sqlstore.Store) error {
		list, total, err := store.FindScenarios(ctx, scenario.Filter{})
		if err != nil || total != 2 || list[1].Status != scenario.Draft || list[1].BudgetFen == nil || *list[1].BudgetFen != 500000000 ||
			list[1].Criteria[0].NameEN != "technology" || list[0].Offerer.Kind != scenario.OffererHospital || list[0].BudgetFen != nil {
			t.Errorf("imported: %d %+v %v", total, list, err)
		}
		return nil
	})
	out := filepath.Join(dir, "out.csv")
	mustRun(t, db, "export", "scenarios", "--out", out)
	exported, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(exported), "tech:技术:technology:60; cost:成本::40") || !strings.Contains(string(exported), ",draft,") {
		t.Errorf("export:\n%s", exported)
	}
	if _, stderr, err := runStd(t, db, "import", "scenarios", out); err == nil || strings.Count(stderr, "id 须为空") != 2 {
		t.Errorf("an export with its ids: %v\n%s", err, stderr)
	}
}
