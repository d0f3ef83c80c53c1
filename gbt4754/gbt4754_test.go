package gbt4754

import (
	"encoding/csv"
	"os"
	"testing"
)

// referencePath is the GPL reference copy of the standard, outside the
// repository; it is a test oracle only and never shipped.
const referencePath = "../../shared/data/gbt4754-reference/"

func TestValidate(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"6513", true},
		{"0111", true},
		{"9700", true},
		{"9999", false}, // division 99 does not exist
		{"6599", true},
		{"651", false},
		{"65130", false},
		{"65a3", false},
		{"", false},
		{"9800", false},
		{"0011", false},
	}
	for _, tt := range tests {
		if err := Validate(tt.code); (err == nil) != tt.ok {
			t.Errorf("Validate(%q) = %v, want ok %v", tt.code, err, tt.ok)
		}
	}
}

func TestLookupAndSection(t *testing.T) {
	tests := []struct {
		code, name, div, sec string
		ok                   bool
	}{
		{"6513", "应用软件开发", "65", "I", true},
		{"3612", "新能源车整车制造", "36", "C", true},
		{"4710", "住宅房屋建筑", "47", "E", true},
		{"0111", "", "", "", false}, // valid but not shipped
	}
	for _, tt := range tests {
		c, ok := Lookup(tt.code)
		if ok != tt.ok || c.NameZH != tt.name || c.Division != tt.div || c.Section != tt.sec {
			t.Errorf("Lookup(%q) = %+v, %v; want %s %s %s, %v", tt.code, c, ok, tt.name, tt.div, tt.sec, tt.ok)
		}
	}
	for code, want := range map[string]string{"0111": "A", "06": "B", "4390": "C", "4420": "D", "7010": "K", "97": "T", "98": "", "": ""} {
		if got := Section(code); got != want {
			t.Errorf("Section(%q) = %q, want %q", code, got, want)
		}
	}
	if got, ok := DivisionName("65"); got != "软件和信息技术服务业" || !ok {
		t.Errorf("DivisionName(65) = %q, %v; want 软件和信息技术服务业, true", got, ok)
	}
}

func TestCounts(t *testing.T) {
	if got := len(sections); got != 20 {
		t.Errorf("sections = %d, want 20", got)
	}
	if got := len(divisions); got != 97 {
		t.Errorf("divisions = %d, want 97", got)
	}
	total := 0
	for _, w := range Weights() {
		if _, ok := Lookup(w.Code); !ok {
			t.Errorf("weighted class %s is not shipped", w.Code)
		}
		total += w.Weight
	}
	if n := len(Weights()); n < 100 || total == 0 {
		t.Errorf("weights: %d classes, total %d; want at least 100 classes", n, total)
	}
}

// TestAgainstReference checks every shipped name against the reference copy
// of the standard, with its known parse errors corrected first.
func TestAgainstReference(t *testing.T) {
	ref := readCSV(t, referencePath+"gbt4754_2017.csv")
	names := map[string]string{}
	level := map[string]string{}
	for _, r := range ref[1:] {
		names[r[0]], level[r[0]] = r[1], r[2]
	}
	for _, r := range readCSV(t, referencePath+"corrections.csv")[1:] {
		names[r[0]] = r[2]
	}
	for _, c := range Classes() {
		if got, want := c.NameZH, names[c.Code]; got != want || level[c.Code] != "class" {
			t.Errorf("class %s: got %q, want %q (level %q)", c.Code, got, want, level[c.Code])
		}
	}
	for div, got := range divisions {
		if want := names[div]; got != want || level[div] != "division" {
			t.Errorf("division %s: got %q, want %q", div, got, want)
		}
	}
	for sec, got := range sections {
		if want := names[sec]; got != want || level[sec] != "section" {
			t.Errorf("section %s: got %q, want %q", sec, got, want)
		}
	}
	for _, r := range ref[1:] {
		if r[2] == "division" && divSecs[r[0]] != r[5] {
			t.Errorf("division %s: section got %q, want %q", r[0], divSecs[r[0]], r[5])
		}
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("reference %s absent", path)
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
