package dataio

import (
	"io"

	"github.com/chanye-org/chanye/chain"
)

// Placements is the kind of a file of placements on chain links (挂链),
// read whole by ReadPlacements and written by ExportPlacements.
const Placements Kind = "placements"

// placementSchema: the columns of a placements file.
var placementSchema = []column{
	{"code", []string{"统一社会信用代码", "信用代码"}, true},
	{"link_id", []string{"环节", "环节编号"}, true},
	{"note", []string{"说明", "备注"}, false},
	{"source", []string{"来源"}, false},
	{"placed_on", []string{"挂链日期"}, false},
	{"name", []string{"企业名称"}, false},
}

// PlacementFile is a placements file: its rows in the file's order, and
// where each came from (Problems).
type PlacementFile struct {
	Rows []*chain.Placement
	*sheet
}

// ReadPlacements reads a placements file (CSV or XLSX): code, link_id and
// an optional note (统一社会信用代码, 环节, 说明); the other columns an
// export writes (source, placed_on, name) are read past, so that an export
// imports back. Cells are checked by the store (rows[N].field), placed by
// Problems.
func ReadPlacements(r io.Reader, format Format) (*PlacementFile, error) {
	sh, err := readSheet(r, format, Placements, placementSchema)
	if err != nil {
		return nil, err
	}
	f := &PlacementFile{sheet: sh}
	for _, cells := range sh.rows {
		f.Rows = append(f.Rows, &chain.Placement{Code: sh.h.get(cells, "code"), LinkID: sh.h.get(cells, "link_id"), Note: sh.h.get(cells, "note")})
	}
	return f, nil
}

// PlacementHeader is the header ExportPlacements writes.
var PlacementHeader = []string{"code", "link_id", "note", "source", "placed_on", "name"}

// ExportPlacements writes every placement scan gives as CSV or XLSX, one
// row each, and returns the rows written.
func ExportPlacements(w io.Writer, format Format, scan func(fn func(*chain.Placement) error) error) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(PlacementHeader); err != nil {
		return 0, err
	}
	n := 0
	err = scan(func(p *chain.Placement) error {
		n++
		return out.Write([]string{p.Code, p.LinkID, p.Note, string(p.Source), p.PlacedOn.String(), p.Name})
	})
	if err != nil {
		return n, err
	}
	return n, out.Close()
}
