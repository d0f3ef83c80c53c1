package dataio

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// ChainLinkHeader is the header of a chain links sheet: one row per link,
// lists joined with "、".
var ChainLinkHeader = []string{"industry_id", "industry", "id", "parent", "stage", "name_zh", "name_en", "description",
	"products", "technologies", "classes", "keywords", "supplies"}

// ExportChainLinks writes every link of the set, chain by chain in catalog
// order, one row each with what it supplies, as CSV or XLSX (a sheet for
// people; the JSON file of `chanye export chains` is the one import
// reads). It returns the rows written.
func ExportChainLinks(w io.Writer, format Format, set *chain.Set, c *chanye.Catalog) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(ChainLinkHeader); err != nil {
		return 0, err
	}
	n := 0
	for _, ind := range c.Industries {
		ch := set.Chain(ind.ID)
		if ch == nil {
			continue
		}
		supplies := map[string][]string{}
		for _, r := range ch.Relations {
			supplies[r.From] = append(supplies[r.From], r.To)
		}
		for _, l := range ch.Links {
			row := []string{ind.ID, ind.NameZH, l.ID, l.Parent, string(l.Stage), l.NameZH, l.NameEN, l.Description,
				strings.Join(l.Products, "、"), strings.Join(l.Technologies, "、"), strings.Join(l.Classes, "、"),
				strings.Join(l.Keywords, "、"), strings.Join(supplies[l.ID], "、")}
			if err := out.Write(row); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, out.Close()
}

// ChainLinks is the kind of a chain links sheet, which ExportChainLinks
// writes and ReadChainLinks reads back.
const ChainLinks Kind = "chain-links"

// chainLinkSchema: the columns of a chain links sheet; "industry" (the
// industry's name, for people) is read past.
var chainLinkSchema = []column{
	{"industry_id", []string{"产业编号", "产业"}, true},
	{"industry", []string{"产业名称"}, false},
	{"id", []string{"环节编号"}, true},
	{"parent", []string{"上级环节"}, false},
	{"stage", []string{"位置", "上中下游"}, true},
	{"name_zh", []string{"环节名称"}, true},
	{"name_en", []string{"英文名称"}, false},
	{"description", []string{"说明"}, false},
	{"products", []string{"产品"}, false},
	{"technologies", []string{"技术"}, false},
	{"classes", []string{"行业代码"}, false},
	{"keywords", []string{"关键词"}, false},
	{"supplies", []string{"供给"}, false},
}

// ChainLinkFile is a chain links sheet read back: the chains it holds, in
// the sheet's order, and where each link came from.
type ChainLinkFile struct {
	Chains []*chain.Chain
	*sheet
	rowOf map[string]int // link id → index of its row
}

// ReadChainLinks reads a chain links sheet (CSV or XLSX) into chains: one
// per industry named, links in the sheet's order, relations from each
// link's supplies. Lists are split on 、 ; , (either width). The chains
// carry no sources: whoever stores them keeps the stored chain's.
func ReadChainLinks(r io.Reader, format Format) (*ChainLinkFile, error) {
	sh, err := readSheet(r, format, ChainLinks, chainLinkSchema)
	if err != nil {
		return nil, err
	}
	f := &ChainLinkFile{sheet: sh, rowOf: map[string]int{}}
	byIndustry := map[string]*chain.Chain{}
	list := func(s string) []string {
		out := splitList(strings.ReplaceAll(s, "、", ";"))
		if out == nil {
			return []string{}
		}
		return out
	}
	for i, cells := range sh.rows {
		h := sh.h
		ind := h.get(cells, "industry_id")
		ch := byIndustry[ind]
		if ch == nil {
			ch = &chain.Chain{IndustryID: ind, Sources: []string{}, Links: []*chain.Link{}, Relations: []chain.Relation{}}
			byIndustry[ind] = ch
			f.Chains = append(f.Chains, ch)
		}
		l := &chain.Link{ID: h.get(cells, "id"), Parent: h.get(cells, "parent"), Stage: chain.Stage(h.get(cells, "stage")),
			NameZH: h.get(cells, "name_zh"), NameEN: h.get(cells, "name_en"), Description: h.get(cells, "description"),
			Products: list(h.get(cells, "products")), Technologies: list(h.get(cells, "technologies")),
			Classes: list(h.get(cells, "classes")), Keywords: list(h.get(cells, "keywords"))}
		ch.Links = append(ch.Links, l)
		f.rowOf[l.ID] = i
		for _, to := range list(h.get(cells, "supplies")) {
			ch.Relations = append(ch.Relations, chain.Relation{From: l.ID, To: to})
		}
	}
	return f, nil
}

// chainField is a field error of a set: chains[IND].links[LINK].FIELD.
var chainField = regexp.MustCompile(`^chains\[[^\]]+\]\.links\[([^\]]+)\]\.(\w+)`)

// Problems places the field errors of a set's validation on the sheet's
// rows and columns: a link's field on its row; a relation's on the row of
// the link that supplies; the rest on the whole file.
func (f *ChainLinkFile) Problems(err error) []Problem {
	fields := map[string]string{}
	for key, reason := range chanye.ErrorFields(err) {
		if m := chainField.FindStringSubmatch(key); m != nil {
			if i, ok := f.rowOf[m[1]]; ok {
				fields[fmt.Sprintf("rows[%d].%s", i, m[2])] = reason
				continue
			}
		}
		fields[key] = reason
	}
	if len(fields) == 0 {
		return nil
	}
	return f.sheet.Problems(chanye.Invalid("", fields))
}
