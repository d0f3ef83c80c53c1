package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
)

// TestImportLeads: chanye import leads adds a file's leads at their
// stages, all or nothing, each problem naming its row and column; an
// export imports back once its id column is emptied, and not before.
func TestImportLeads(t *testing.T) {
	dir, db, target := leadsDB(t)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	day := func(days int) string { return chanye.DateOf(testclock.Today().AddDate(0, 0, days)).String() }

	bad := write("bad.csv", "id,target_id,stage,stage_on,owner_kind,owner_name,signed_on,signed_fen\n"+
		fmt.Sprintf(",%d,visit,%s,district,440106,,\n", target.ID, day(-10))+
		fmt.Sprintf(",%d,signed,%s,district,449999,%s,\n", target.ID, day(-3), day(-3))+
		fmt.Sprintf(",%d,clue,%s,district,440106,,\n", target.ID, day(1)))
	_, stderr, err := runStd(t, db, "import", "leads", bad)
	if err == nil || !strings.Contains(describe(err), "未导入") {
		t.Errorf("a bad file: %v", describe(err))
	}
	for _, want := range []string{"第 3 行 / row 3, 列 / column owner_name:", "第 3 行 / row 3, 列 / column signed_fen:", "第 4 行 / row 4, 列 / column stage_on:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if got := mustRun(t, db, "export", "leads"); strings.Count(got, "\n") != 1 {
		t.Errorf("a refused file stored leads:\n%s", got)
	}

	good := write("good.csv", "招商对象编号,阶段,阶段日期,负责方类型,负责方,签约日期,签约投资(分)\n"+
		fmt.Sprintf("%d,考察,%s,区,440106,,\n", target.ID, day(-10))+
		fmt.Sprintf("%d,signed,%s,district,440112,%s,5000000000\n", target.ID, day(-3), day(-3)))
	if got := mustRun(t, db, "import", "leads", good); !strings.Contains(got, "已导入线索 / leads imported: 2") {
		t.Errorf("import leads: %s", got)
	}

	out := filepath.Join(dir, "out.csv")
	mustRun(t, db, "export", "leads", "--out", out)
	_, stderr, err = runStd(t, db, "import", "leads", out)
	if err == nil || strings.Count(stderr, "id 须为空") != 2 {
		t.Errorf("an export with its ids: %v\n%s", describe(err), stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	for i, r := range records {
		if i > 0 {
			r[0] = ""
		}
		w.Write(r)
	}
	w.Flush()
	if got := mustRun(t, db, "import", "leads", write("again.csv", b.String())); !strings.Contains(got, "leads imported: 2") {
		t.Errorf("the export without its ids: %s", got)
	}
	if got := mustRun(t, db, "export", "leads"); strings.Count(got, "\n") != 5 || strings.Count(got, ",signed,签约,") != 2 {
		t.Errorf("after importing the export again:\n%s", got)
	}
}
