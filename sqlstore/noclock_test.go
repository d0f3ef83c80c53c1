package sqlstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlClock matches what reads the clock in SQL, PostgreSQL's and SQLite's.
var sqlClock = regexp.MustCompile(`(?i)\b(now\s*\(|current_(date|time|timestamp)\b|localtime(stamp)?\b|(clock|statement|transaction)_timestamp|timeofday\s*\(|(date|time|datetime|julianday|strftime|unixepoch)\s*\([^)]*'now')`)

// TestSQLReadsNoClock checks that no migration and no statement of the
// store reads the database's clock: time comes from DB.Now, the one
// injected clock. CI's second pass, which moves the test clock years ahead
// to catch code reading the wall clock, relies on it to leave PostgreSQL
// out: its statements are the ones the first pass ran, and none of them
// can disagree with the moved clock.
func TestSQLReadsNoClock(t *testing.T) {
	err := fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(text), "\n") {
			code, _, _ := strings.Cut(line, "--") // a comment may name anything
			if m := sqlClock.FindString(code); m != "" {
				t.Errorf("%s:%d reads the database's clock (%s): %s", path, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			checked++
			if m := sqlClock.FindString(s); m != "" {
				t.Errorf("%s reads the database's clock (%s): %q", fset.Position(lit.Pos()), m, s)
			}
			return true
		})
	}
	if checked < 1000 {
		t.Errorf("checked %d string literals, want the store's statements (over 1,000)", checked)
	}
}
