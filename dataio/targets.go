package dataio

import (
	"io"
	"strconv"

	"github.com/chanye-org/chanye/invest"
)

// Targets is the kind of a file of 招商 targets, read by ReadTargets and
// written by ExportTargets.
const Targets Kind = "targets"

// targetSchema: the columns of a targets file.
var targetSchema = []column{
	{"industry_id", []string{"产业编号", "产业"}, true},
	{"link_id", []string{"环节", "环节编号"}, false},
	{"kind", []string{"名单", "名单类型"}, true},
	{"name", []string{"名称", "企业名称"}, true},
	{"code", []string{"统一社会信用代码", "信用代码"}, false},
	{"city", []string{"城市", "所在城市"}, false},
	{"brings", []string{"可带来", "产品"}, false},
	{"source", []string{"来源"}, true},
	{"note", []string{"备注", "说明"}, false},
	{"id", []string{"编号"}, false},
}

// TargetFile is a targets file read whole.
type TargetFile struct {
	Rows []*invest.Target
	*sheet
}

// ReadTargets reads a targets file (CSV or XLSX); kind is attract, tech or
// expand or its Chinese name (招商, 科技转化, 增资扩产). The id column an
// export writes is read past. Cells are checked by the store.
func ReadTargets(r io.Reader, format Format) (*TargetFile, error) {
	sh, err := readSheet(r, format, Targets, targetSchema)
	if err != nil {
		return nil, err
	}
	f := &TargetFile{sheet: sh}
	for _, cells := range sh.rows {
		h := sh.h
		kind := invest.ListKind(h.get(cells, "kind"))
		for _, k := range invest.ListKinds {
			if string(kind) == k.NameZH {
				kind = k.Kind
			}
		}
		f.Rows = append(f.Rows, &invest.Target{IndustryID: h.get(cells, "industry_id"), LinkID: h.get(cells, "link_id"), Kind: kind,
			Name: h.get(cells, "name"), Code: h.get(cells, "code"), City: h.get(cells, "city"), Brings: h.get(cells, "brings"),
			Source: h.get(cells, "source"), Note: h.get(cells, "note")})
	}
	return f, nil
}

// TargetHeader is the header ExportTargets writes.
var TargetHeader = []string{"industry_id", "link_id", "kind", "name", "code", "city", "brings", "source", "note", "id"}

// ExportTargets writes the targets as CSV or XLSX and returns the rows.
func ExportTargets(w io.Writer, format Format, targets []*invest.Target) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(TargetHeader); err != nil {
		return 0, err
	}
	for _, t := range targets {
		if err := out.Write([]string{t.IndustryID, t.LinkID, string(t.Kind), t.Name, t.Code, t.City, t.Brings, t.Source, t.Note,
			strconv.FormatInt(t.ID, 10)}); err != nil {
			return 0, err
		}
	}
	return len(targets), out.Close()
}
