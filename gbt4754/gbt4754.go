// Package gbt4754 holds the parts of GB/T 4754-2017 (国民经济行业分类, as
// amended in 2019) that chanye needs: all 20 sections and 97 divisions, the
// 4-digit classes the catalog maps or the demo generator uses, and a demo
// distribution of enterprises over classes.
//
// The data is our own transcription of the standard, shipped as CSV next to
// this file. Tests check it against a reference copy when one is present.
package gbt4754

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
)

//go:embed divisions.csv
var divisionsCSV []byte

//go:embed classes.csv
var classesCSV []byte

//go:embed demo_weights.csv
var weightsCSV []byte

// Class is a 4-digit class (小类) with the division and section it is in.
type Class struct {
	Code     string // 4 digits, e.g. "6513"
	NameZH   string
	Division string // 2 digits, e.g. "65"
	Section  string // one letter A-T, e.g. "I"
}

// Weighted is a class with a relative number of enterprises in it.
type Weighted struct {
	Code   string
	Weight int
}

// The tables are parsed once at start; they are embedded, so a parse error
// is a build defect and panics.
var (
	sections  = map[string]string{} // letter -> name
	divisions = map[string]string{} // 2 digits -> name
	divSecs   = map[string]string{} // 2 digits -> section letter
	classes   []Class
	byCode    = map[string]int{}
	weights   []Weighted
)

func init() {
	for _, r := range mustRead(divisionsCSV, "divisions.csv", 3) {
		code, name, sec := r[0], r[1], r[2]
		switch len(code) {
		case 1:
			sections[code] = name
		case 2:
			divisions[code], divSecs[code] = name, sec
		default:
			panic("gbt4754: divisions.csv: bad code " + code)
		}
	}
	for _, r := range mustRead(classesCSV, "classes.csv", 2) {
		if err := Validate(r[0]); err != nil {
			panic("gbt4754: classes.csv: " + err.Error())
		}
		div := r[0][:2]
		byCode[r[0]] = len(classes)
		classes = append(classes, Class{Code: r[0], NameZH: r[1], Division: div, Section: divSecs[div]})
	}
	for _, r := range mustRead(weightsCSV, "demo_weights.csv", 2) {
		n, err := strconv.Atoi(r[1])
		if _, ok := byCode[r[0]]; !ok || err != nil || n <= 0 {
			panic("gbt4754: demo_weights.csv: bad row " + r[0] + "," + r[1])
		}
		weights = append(weights, Weighted{Code: r[0], Weight: n})
	}
}

// mustRead returns the rows of an embedded CSV file without its header.
func mustRead(data []byte, name string, fields int) [][]string {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = fields
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		panic(fmt.Sprintf("gbt4754: %s: %v", name, err))
	}
	return rows[1:]
}

// Validate checks that code is a well-formed class code: 4 digits whose
// first two name an existing division. The class itself need not be one
// that chanye ships (see Lookup).
func Validate(code string) error {
	if len(code) != 4 || !digits(code) {
		return fmt.Errorf("行业代码 %q 须为 4 位数字（GB/T 4754-2017 小类）/ industry code %q must be 4 digits (a GB/T 4754-2017 class)", code, code)
	}
	if _, ok := divisions[code[:2]]; !ok {
		return fmt.Errorf("行业代码 %q 的大类 %s 不存在 / industry code %q: division %s does not exist", code, code[:2], code, code[:2])
	}
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Lookup returns a shipped class by its 4-digit code.
func Lookup(code string) (Class, bool) {
	i, ok := byCode[code]
	if !ok {
		return Class{}, false
	}
	return classes[i], true
}

// DivisionName returns the name of a 2-digit division, e.g. "65".
func DivisionName(div string) (string, bool) {
	name, ok := divisions[div]
	return name, ok
}

// SectionName returns the name of a section letter, e.g. "I".
func SectionName(sec string) (string, bool) {
	name, ok := sections[sec]
	return name, ok
}

// Section returns the section letter of a division, group or class code
// (its first two digits decide), or "" when the division does not exist.
func Section(code string) string {
	if len(code) < 2 {
		return ""
	}
	return divSecs[code[:2]]
}

// Classes returns the shipped classes in code order. The slice is a copy.
func Classes() []Class {
	return slices.Clone(classes)
}

// Weights returns a plausible distribution of a big Chinese city's
// enterprises over classes, for generating demo data. Weights are relative
// (they sum to about 11,000); the slice is a copy.
func Weights() []Weighted {
	return slices.Clone(weights)
}
