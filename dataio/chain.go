package dataio

import (
	"io"
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
