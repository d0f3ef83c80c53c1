package dataio_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/demo"
	"github.com/chanye-org/chanye/space"
)

// spaceSample returns the first blocks of the demo inventory with their
// units, and a few units at the edges: unknown numbers and amounts, a
// basement, a floor without a lift, a plot ratio of 2.05, a price in fen.
func spaceSample(t *testing.T) ([]*space.Block, []*space.Unit) {
	t.Helper()
	asOf := chanye.Date{Time: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)}
	blocks, imported, err := demo.Space(demo.SpaceOptions{Seed: 3, Industries: []string{"icv-nev", "ai", "biomedicine"}, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	blocks = blocks[:25]
	var units []*space.Unit
	for _, iu := range imported {
		if iu.BlockCode <= blocks[len(blocks)-1].Code {
			u := iu.Unit
			units = append(units, &u)
		}
	}
	price := chanye.Fen(123_456_789_01)
	b := blocks[0]
	blocks = append(blocks, &space.Block{Code: "HP-真实-01", Name: "真实区块, \"引号\"", DistrictCode: "440112", AreaM2: 1})
	units = append(units,
		&space.Unit{BlockCode: b.Code, Kind: space.Land, Code: "X-1", AreaM2: 10_001, PlotRatio: 205, PriceFen: &price, Status: space.Reserve},
		&space.Unit{BlockCode: b.Code, Kind: space.Floor, Code: "X-B1", Building: "地下", Level: -1, AreaM2: 1_000, Status: space.Available},
		&space.Unit{BlockCode: b.Code, Kind: space.Plant, Code: "X-2", Name: "=1+1", AreaM2: 1, Env: space.M3, Status: space.Held, FreightLift: true})
	return blocks, units
}

// importUnits is what ReadUnits gives back for units.
func importUnits(units []*space.Unit) []*space.ImportUnit {
	var out []*space.ImportUnit
	for _, u := range units {
		out = append(out, &space.ImportUnit{BlockCode: u.BlockCode, Unit: *u})
	}
	return out
}

// withoutBoundaries returns copies of blocks without their boundaries,
// which a blocks sheet does not carry.
func withoutBoundaries(blocks []*space.Block) []*space.Block {
	var out []*space.Block
	for _, b := range blocks {
		c := *b
		c.Boundary = nil
		out = append(out, &c)
	}
	return out
}

func diffBlocks(t *testing.T, what string, got, want []*space.Block) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d blocks, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: block %d\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

func diffUnits(t *testing.T, what string, got, want []*space.ImportUnit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d units, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: unit %d\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

// TestSpaceRoundTrip: what ExportBlocks, ExportUnits, ExportInventory and
// ExportBlocksGeoJSON write, the readers read back unchanged and without
// a fault, amounts to the fen and plot ratios to the hundredth.
func TestSpaceRoundTrip(t *testing.T) {
	blocks, units := spaceSample(t)
	for _, format := range []dataio.Format{dataio.CSV, dataio.XLSX} {
		var bb, ub bytes.Buffer
		if n, err := dataio.ExportBlocks(&bb, format, blocks); err != nil || n != len(blocks) {
			t.Fatalf("%s: ExportBlocks %d, %v", format, n, err)
		}
		if n, err := dataio.ExportUnits(&ub, format, units); err != nil || n != len(units) {
			t.Fatalf("%s: ExportUnits %d, %v", format, n, err)
		}
		bf, err := dataio.ReadBlocks(&bb, format)
		if err != nil || bf.Err() != nil {
			t.Fatalf("%s: ReadBlocks %v %v", format, err, chanye.ErrorFields(bf.Err()))
		}
		diffBlocks(t, string(format), bf.Rows, withoutBoundaries(blocks))
		uf, err := dataio.ReadUnits(&ub, format)
		if err != nil || uf.Err() != nil {
			t.Fatalf("%s: ReadUnits %v %v", format, err, chanye.ErrorFields(uf.Err()))
		}
		diffUnits(t, string(format), uf.Rows, importUnits(units))
	}

	var wb bytes.Buffer
	if err := dataio.ExportInventory(&wb, blocks, units); err != nil {
		t.Fatal(err)
	}
	book := wb.Bytes()
	inv, err := dataio.ReadInventory(bytes.NewReader(book))
	if err != nil || inv.Err() != nil {
		t.Fatalf("ReadInventory %v %v", err, chanye.ErrorFields(inv.Err()))
	}
	diffBlocks(t, "workbook", inv.Blocks.Rows, withoutBoundaries(blocks))
	diffUnits(t, "workbook", inv.Units.Rows, importUnits(units))
	// Either sheet of the workbook reads alone.
	if uf, err := dataio.ReadUnits(bytes.NewReader(book), dataio.XLSX); err != nil || len(uf.Rows) != len(units) {
		t.Errorf("the units sheet of the workbook: %v", err)
	}

	var gj bytes.Buffer
	const source = "演示数据，示意边界 / demo data, schematic boundaries"
	if n, err := dataio.ExportBlocksGeoJSON(&gj, blocks, source); err != nil || n != len(blocks) {
		t.Fatalf("ExportBlocksGeoJSON %d, %v", n, err)
	}
	gf, err := dataio.ReadBlocksGeoJSON(&gj)
	if err != nil || gf.Err() != nil {
		t.Fatalf("ReadBlocksGeoJSON %v %v", err, chanye.ErrorFields(gf.Err()))
	}
	if gf.Source != source {
		t.Errorf("source %q, want %q", gf.Source, source)
	}
	diffBlocks(t, "GeoJSON", gf.Blocks, blocks)
}

// TestSpaceCells: the decimals of a units file are read exactly, the
// yes-no, class, kind and status cells in either language.
func TestSpaceCells(t *testing.T) {
	const csv = "block_code,kind,code,area_m2,plot_ratio,freight_lift,env_class,price,rent,status\n" +
		"A,Land,1,\"10,000\",2.5,,1,\"1,234,567.8\",,储备\n" +
		"A,楼层,2,1000,,true,m2,0.01,25.05,\n" +
		"A,标准厂房,3,800,,否,三类,,0.1,ALLOCATED\n"
	f, err := dataio.ReadUnits(strings.NewReader(csv), dataio.CSV)
	if err != nil || f.Err() != nil {
		t.Fatalf("%v %v", err, chanye.ErrorFields(f.Err()))
	}
	a, b, c := f.Rows[0], f.Rows[1], f.Rows[2]
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"kind", []space.Kind{a.Kind, b.Kind, c.Kind}, []space.Kind{space.Land, space.Floor, space.Plant}},
		{"area", a.AreaM2, int64(10_000)},
		{"plot ratio", a.PlotRatio, 250},
		{"price", *a.PriceFen, chanye.Fen(123_456_780)},
		{"small price", *b.PriceFen, chanye.Fen(1)},
		{"rents", []chanye.Fen{*b.RentFenM2Month, *c.RentFenM2Month}, []chanye.Fen{2505, 10}},
		{"lifts", []bool{b.FreightLift, c.FreightLift}, []bool{true, false}},
		{"classes", []space.EnvClass{a.Env, b.Env, c.Env}, []space.EnvClass{space.M1, space.M2, space.M3}},
		{"statuses", []space.Status{a.Status, b.Status, c.Status}, []space.Status{space.Reserve, space.Available, space.Allocated}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	// A decimal comma is no thousands separator in a plot ratio.
	f, err = dataio.ReadUnits(strings.NewReader("block_code,kind,code,area_m2,plot_ratio\nA,land,1,10000,\"2,5\"\n"), dataio.CSV)
	if err != nil || chanye.ErrorFields(f.Err())["rows[0].plot_ratio"] == "" {
		t.Errorf("plot ratio 2,5: %v %v", err, f.Err())
	}
}

func readTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func spaceProblems(t *testing.T, ps []dataio.Problem, want []dataio.Problem) {
	t.Helper()
	for _, w := range want {
		if !hasProblem(ps, w.Row, w.Column, w.Reason) {
			t.Errorf("no problem in row %d, column %s with %q", w.Row, w.Column, w.Reason)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:", len(ps), len(want))
		for _, p := range ps {
			t.Log(p)
		}
	}
}

// TestReadUnitsBad: each fault of a units file, in the cells or found by
// Unit.Validate, names its row and column as the file spells it.
func TestReadUnitsBad(t *testing.T) {
	f, err := dataio.ReadUnits(readTestdata(t, "space_units_bad.csv"), dataio.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if chanye.ErrorCode(f.Err()) != chanye.EINVALID {
		t.Fatalf("Err = %v", f.Err())
	}
	spaceProblems(t, f.Problems(f.Err()), []dataio.Problem{
		{Row: 2, Column: "面积(m²)", Reason: "whole number"},
		{Row: 2, Column: "容积率", Reason: "two decimals"},
		{Row: 3, Column: "环境类别", Reason: "M1, M2 or M3"},
		{Row: 3, Column: "价格(元)", Reason: "two decimals"},
		{Row: 3, Column: "租金", Reason: "not rented"},
		{Row: 3, Column: "可供日期", Reason: "YYYY-MM-DD"},
		{Row: 4, Column: "货梯", Reason: "是 or 否"},
		{Row: 5, Column: "状态", Reason: "only land"},
		{Row: 6, Column: "区块编号", Reason: "required"},
		{Row: 6, Column: "类型", Reason: "land, floor or plant"},
		{Row: 7, Column: "编号", Reason: "row 5"},
	})
	// The store's faults, by the unit's field names, land on the columns too.
	store := chanye.Invalid("", map[string]string{"rows[2].price_fen": "too dear", "rows[3].block_id": "未知区块 / unknown block"})
	spaceProblems(t, f.Problems(store), []dataio.Problem{{Row: 4, Column: "价格(元)", Reason: "too dear"}, {Row: 5, Column: "区块编号", Reason: "unknown block"}})
}

// TestReadBlocksBad: each fault of a blocks file names its row and column.
func TestReadBlocksBad(t *testing.T) {
	f, err := dataio.ReadBlocks(readTestdata(t, "space_blocks_bad.csv"), dataio.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Rows[0]; got.AreaM2 != 3_000_000 || !slices.Equal(got.Industries, []string{"icv-nev", "ai"}) || got.Schematic {
		t.Errorf("the good row: %+v", got)
	}
	spaceProblems(t, f.Problems(f.Err()), []dataio.Problem{
		{Row: 3, Column: "名称", Reason: "required"},
		{Row: 3, Column: "区县", Reason: "6 digits"},
		{Row: 3, Column: "面积", Reason: "whole number"},
		{Row: 4, Column: "区块编号", Reason: "row 2"},
		{Row: 4, Column: "产业", Reason: "once each"},
		{Row: 4, Column: "示意", Reason: "是 or 否"},
	})
}

// TestReadInventoryProblems: the store's faults keyed blocks[N].field and
// units[N].field land on the rows and columns of each sheet.
func TestReadInventoryProblems(t *testing.T) {
	blocks, units := spaceSample(t)
	var wb bytes.Buffer
	if err := dataio.ExportInventory(&wb, blocks[:2], units[:3]); err != nil {
		t.Fatal(err)
	}
	inv, err := dataio.ReadInventory(&wb)
	if err != nil {
		t.Fatal(err)
	}
	store := chanye.Invalid("", map[string]string{"blocks[1].district_code": "未知区县 / unknown district",
		"units[2].rent_fen_m2_month": "too dear", "blocks": "at most 5000"})
	bp, up := inv.Problems(store)
	spaceProblems(t, bp, []dataio.Problem{{Row: 0, Column: "blocks", Reason: "at most"}, {Row: 3, Column: "district_code", Reason: "unknown district"}})
	spaceProblems(t, up, []dataio.Problem{{Row: 4, Column: "rent_yuan", Reason: "too dear"}})

	if _, err := dataio.ReadInventory(bytes.NewReader(xlsxOf(t))); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("a workbook without the sheets: %v", err)
	}
}

// xlsxOf returns a workbook with one sheet named neither 区块 nor 单元.
func xlsxOf(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := dataio.ExportBlocks(&b, dataio.XLSX, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadBlocksGeoJSON: a collection from elsewhere — Chinese property
// names, a district as a number, other properties, a feature without a
// geometry — reads with its source; a bad geometry or area names its
// feature; a file that is no FeatureCollection is refused whole.
func TestReadBlocksGeoJSON(t *testing.T) {
	f, err := dataio.ReadBlocksGeoJSON(readTestdata(t, "space_blocks.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Source, "示意边界") || len(f.Blocks) != 4 {
		t.Fatalf("source %q, %d blocks", f.Source, len(f.Blocks))
	}
	a, d := f.Blocks[0], f.Blocks[3]
	if a.Code != "HP-01" || a.DistrictCode != "440112" || a.AreaM2 != 1_200_000 || !slices.Equal(a.Industries, []string{"icv-nev", "ai"}) ||
		!strings.HasPrefix(string(a.Boundary), `{"type":"Polygon","coordinates":[[[113.45,23.15],`) {
		t.Errorf("feature 0: %+v %s", a, a.Boundary)
	}
	if d.Boundary != nil || d.AreaM2 != 650_000 || !d.Schematic {
		t.Errorf("feature 3: %+v", d)
	}
	if got := f.Blocks[1].Industries; !slices.Equal(got, []string{"ai", "biomedicine"}) {
		t.Errorf("feature 1's industries %v", got)
	}
	bad := chanye.ErrorFields(f.Err())
	want := []string{"features[1].geometry", "features[2].area_m2", "features[2].geometry"}
	if got := slices.Sorted(func(yield func(string) bool) {
		for k := range bad {
			if !yield(k) {
				return
			}
		}
	}); !slices.Equal(got, want) {
		t.Errorf("faults %v, want %v", bad, want)
	}
	if !strings.Contains(bad["features[1].geometry"], "closed") || !strings.Contains(bad["features[2].geometry"], "Polygon") {
		t.Errorf("geometry faults: %v", bad)
	}

	store := chanye.Invalid("", map[string]string{"blocks[3].boundary": "too big", "blocks[0].district_code": "unknown district"})
	if got := f.Faults(store); got["features[3].geometry"] != "too big" || got["features[0].district_code"] != "unknown district" {
		t.Errorf("the store's faults: %v", got)
	}

	for _, s := range []string{`{"type":"Feature","geometry":null,"properties":{}}`, `[1,2]`, `not json`} {
		if _, err := dataio.ReadBlocksGeoJSON(strings.NewReader(s)); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("%s: err = %v", s, err)
		}
	}
	f, err = dataio.ReadBlocksGeoJSON(strings.NewReader(`{"type":"FeatureCollection","source":{"licence":"CC0"},"features":[{"type":"Point"},` +
		`{"type":"Feature","properties":{"code":"A","name":"甲","district_code":"440112","area_m2":1}},` +
		`{"type":"Feature","properties":{"code":"A","name":"乙","district_code":"440112","area_m2":1,"industries":7}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	bad = chanye.ErrorFields(f.Err())
	for _, k := range []string{"source", "features[0].type", "features[2].code", "features[2].industries"} {
		if bad[k] == "" {
			t.Errorf("no fault %s: %v", k, bad)
		}
	}
}
