package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/sqlstore"
)

// TestImportExportRequests: a platform's file is taken in all or nothing,
// its problems naming rows and columns; the same file again takes nothing
// in twice; the export lists the requests with their clocks.
func TestImportExportRequests(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	founded, _ := chanye.ParseDate("2015-06-01")
	inDB(t, db, func(ctx context.Context, store *sqlstore.Store) error {
		return store.CreateEnterprise(ctx, &chanye.Enterprise{Code: "91440101MA5ALP4R4C", Name: "示例汽车公司", DistrictCode: "440106", IndustryClass: "3612", Founded: founded})
	})
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "code,category_id,title,description,external_source,external_ref\n"
	bad := write("bad.csv", head+"91440101MA5ALP4R4C,permit,施工许可,未批,12345热线,A1\n91440101MA5ALP4R4C,weather,x,y,12345热线,A2\n")
	var stderr bytes.Buffer
	if _, err := runCmdErr(t, &stderr, db, "import", "requests", bad); err == nil || !strings.Contains(stderr.String(), "row 3, 列 / column category_id") {
		t.Errorf("a file with a bad row: %v\n%s", err, stderr.String())
	}
	good := write("good.csv", head+"91440101MA5ALP4R4C,permit,施工许可,未批,12345热线,A1\n91440101MA5ALP4R4C,land,用地,扩产,12345热线,A2\n")
	if got := mustRun(t, db, "import", "requests", good); !strings.Contains(got, "2 新 new, 0 此前") {
		t.Errorf("taken in: %s", got)
	}
	if got := mustRun(t, db, "import", "requests", good); !strings.Contains(got, "0 新 new, 2 此前") {
		t.Errorf("taken in again: %s", got)
	}
	got := mustRun(t, db, "export", "requests")
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(got, "\ufeff")), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "id,code,enterprise,") || !strings.Contains(got, "12345热线,A1,submitted") {
		t.Errorf("export:\n%s", got)
	}
}
