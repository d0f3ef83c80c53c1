// Package dataio reads and writes enterprises, their yearly facts and their
// tiers as CSV and XLSX files, validating every row with the domain's own
// validators and writing through chanye.EnterpriseService.Bulk, so that an
// import lands in one transaction or not at all.
package dataio

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/chanye-org/chanye"
)

// Kind is what a file holds.
type Kind string

// The kinds of file dataio reads and writes.
const (
	Enterprises Kind = "enterprises"
	Facts       Kind = "facts"
	Tiers       Kind = "tiers"
	Scopes      Kind = "scopes" // business scopes (经营范围), read by placement on the chains
)

// ParseKind accepts enterprises, facts, tiers or scopes.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Enterprises, Facts, Tiers, Scopes:
		return k, nil
	}
	return "", chanye.Errorf(chanye.EINVALID, "未知数据类型 %q，可选 enterprises、facts、tiers、scopes / unknown kind", s)
}

// Format is a file format.
type Format string

// The file formats dataio reads and writes.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat accepts csv or xlsx.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "."))); f {
	case CSV, XLSX:
		return f, nil
	}
	return "", chanye.Errorf(chanye.EINVALID, "未知文件格式 %q，可选 csv、xlsx / unknown format", s)
}

// FormatOf returns the format named by a file's extension.
func FormatOf(path string) (Format, error) {
	return ParseFormat(filepath.Ext(path))
}

// column is one column of a file: its key (written in exports), the other
// headers accepted for it, and whether a file must have it.
type column struct {
	key      string
	aliases  []string
	required bool
}

// figureKey returns the file column key of a fact figure: money is in yuan
// in files (revenue_yuan) and in fen in the domain (revenue_fen).
func figureKey(f chanye.FactField) string {
	if f.Money {
		return strings.TrimSuffix(f.Key, "_fen") + "_yuan"
	}
	return f.Key
}

var schemas = map[Kind][]column{
	Enterprises: {
		{"code", []string{"统一社会信用代码", "信用代码"}, true},
		{"name", []string{"企业名称", "名称"}, true},
		{"district_code", []string{"区县代码", "区代码"}, true},
		{"industry_class", []string{"行业代码", "国民经济行业代码", "行业小类代码"}, true},
		{"founded", []string{"成立日期"}, true},
		{"industries", []string{"所属产业"}, false},
	},
	Facts: factsSchema(),
	Tiers: {
		{"code", []string{"统一社会信用代码", "信用代码"}, true},
		{"kind", []string{"梯度", "梯度类型", "类型"}, true},
		{"level", []string{"认定级别", "级别", "层级"}, false},
		{"from", []string{"起始日期", "认定日期"}, true},
		{"to", []string{"截止日期", "到期日期"}, false},
		{"source", []string{"来源", "数据来源"}, false},
	},
	Scopes: {
		{"code", []string{"统一社会信用代码", "信用代码"}, true},
		{"scope", []string{"经营范围", "主营产品", "主要产品"}, true},
		{"source", []string{"来源", "数据来源"}, true},
		{"as_of", []string{"数据日期", "截至日期"}, true},
	},
}

func factsSchema() []column {
	cols := []column{
		{"code", []string{"统一社会信用代码", "信用代码"}, true},
		{"year", []string{"年度", "年份"}, true},
	}
	for _, f := range chanye.FactFields {
		aliases := []string{f.NameZH}
		if f.Money {
			aliases = append(aliases, f.NameZH+"(元)")
		}
		cols = append(cols, column{figureKey(f), aliases, false})
	}
	return append(cols,
		column{"source", []string{"来源", "数据来源"}, true},
		column{"as_of", []string{"数据日期", "截至日期"}, true})
}

// header maps a file's header row to column keys.
type header struct {
	names []string       // the header cells as written, for messages and rejects
	index map[string]int // column key → position in the row
}

// normHeader folds the spellings people type into one: case, spaces,
// full-width brackets and a byte-order mark.
func normHeader(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.NewReplacer("（", "(", "）", ")", " ", "", "\u3000", "").Replace(s)
	return strings.ToLower(strings.TrimSpace(s))
}

// parseHeader resolves a header row against the schema of kind. Unknown,
// repeated and missing required columns are errors naming the column.
func parseHeader(kind Kind, row []string) (*header, error) {
	return parseHeaderOf(kind, schemas[kind], row)
}

// parseHeaderOf is parseHeader against the columns cols.
func parseHeaderOf(kind Kind, cols []column, row []string) (*header, error) {
	byName := map[string]string{}
	for _, c := range cols {
		byName[normHeader(c.key)] = c.key
		for _, a := range c.aliases {
			byName[normHeader(a)] = c.key
		}
	}
	h := &header{names: row, index: map[string]int{}}
	fields := map[string]string{}
	for i, name := range row {
		n := normHeader(name)
		if n == "" {
			continue
		}
		key, ok := byName[n]
		switch {
		case !ok:
			fields[name] = fmt.Sprintf("未知列 %q / unknown column", name)
		case h.has(key):
			fields[name] = fmt.Sprintf("列 %q 重复 / duplicate column", name)
		default:
			h.index[key] = i
		}
	}
	figures := false
	for _, c := range cols {
		if c.required && !h.has(c.key) {
			fields[c.key] = fmt.Sprintf("缺少必填列 %s（%s）/ missing required column %s", c.key, strings.Join(c.aliases, "、"), c.key)
		}
		if !c.required && kind == Facts && h.has(c.key) {
			figures = true
		}
	}
	if kind == Facts && !figures {
		fields["revenue_yuan"] = "至少需要一列数据（如 revenue_yuan 营业收入(元)）/ at least one figure column is required"
	}
	if len(fields) > 0 {
		return nil, chanye.NewError(chanye.EINVALID, "表头有误 / invalid header row", fields)
	}
	return h, nil
}

func (h *header) has(key string) bool { _, ok := h.index[key]; return ok }

// name returns the header cell of a column key as the file spells it.
func (h *header) name(key string) string {
	if i, ok := h.index[key]; ok {
		return h.names[i]
	}
	return key
}

// get returns the trimmed cell of a column key in row, "" when absent.
func (h *header) get(row []string, key string) string {
	i, ok := h.index[key]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// exportHeader returns the column keys of kind in file order.
func exportHeader(kind Kind) []string {
	var keys []string
	for _, c := range schemas[kind] {
		keys = append(keys, c.key)
	}
	return keys
}
