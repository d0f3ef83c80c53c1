package vector

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

// Columns written by Encode read back by Decode hash alike variable by
// variable; a damaged stream fails to decode instead of reaching a kernel.
func TestEncodeDecode(t *testing.T) {
	asOf := mustDate(t, "2026-06-30")
	subjects := SyntheticSubjects(3000, asOf, 7)
	cols, err := NewColumns(len(subjects))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subjects {
		cols.Append(s)
	}
	var buf bytes.Buffer
	if err := cols.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if back.Len() != cols.Len() {
		t.Fatalf("%d rows read back, want %d", back.Len(), cols.Len())
	}
	for _, v := range cols.Vars() {
		a, b := sha256.New(), sha256.New()
		cols.HashVar(a, v)
		back.HashVar(b, v)
		if !bytes.Equal(a.Sum(nil), b.Sum(nil)) {
			t.Errorf("%s differs after Encode and Decode", v)
		}
	}
	// A column one row short.
	for _, col := range cols.cols {
		if col != nil && col.k == kDouble {
			col.dbls = col.dbls[:len(col.dbls)-1]
			break
		}
	}
	buf.Reset()
	if err := cols.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(&buf); err == nil || !strings.Contains(err.Error(), "rows do not add up") {
		t.Errorf("a short column decoded: %v", err)
	}
}
