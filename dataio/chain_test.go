package dataio_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/dataio"
)

// TestExportChainLinks: one row per link with its chain, stage, lists and
// what it supplies, in CSV and XLSX alike.
func TestExportChainLinks(t *testing.T) {
	c := catalog.Default()
	set := chain.Default(c)
	links := 0
	for _, ch := range set.Chains {
		links += len(ch.Links)
	}
	var buf bytes.Buffer
	n, err := dataio.ExportChainLinks(&buf, dataio.CSV, set, c)
	if err != nil || n != links {
		t.Fatalf("CSV: %d rows, %v; want %d", n, err, links)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != links+1 || strings.Join(rows[0], ",") != strings.Join(dataio.ChainLinkHeader, ",") {
		t.Fatalf("CSV rows %d, %v", len(rows), err)
	}
	var battery []string
	for _, r := range rows {
		if r[2] == "icv-nev.battery" {
			battery = r
		}
	}
	if battery == nil || battery[4] != "upstream" || !strings.Contains(battery[10], "3841") || !strings.Contains(battery[12], "icv-nev.vehicle") {
		t.Errorf("battery row %v", battery)
	}
	buf.Reset()
	if n, err := dataio.ExportChainLinks(&buf, dataio.XLSX, set, c); err != nil || n != links {
		t.Fatalf("XLSX: %d, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows("Sheet1")
	if err != nil || len(xrows) != links+1 {
		t.Errorf("XLSX rows %d, %v", len(xrows), err)
	}
}
