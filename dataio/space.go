package dataio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/space"
	"github.com/xuri/excelize/v2"
)

// Blocks and Units are the kinds of the files of industrial space (产业空
// 间): the blocks, read by ReadBlocks and written by ExportBlocks, and the
// units in them, read by ReadUnits and written by ExportUnits. One XLSX
// workbook may hold both (ReadInventory, ExportInventory); the blocks'
// boundaries travel as GeoJSON (ReadBlocksGeoJSON, ExportBlocksGeoJSON).
const (
	Blocks Kind = "blocks"
	Units  Kind = "units"
)

// The sheets of an inventory workbook. ReadInventory also takes them by
// their English names.
const (
	SheetBlocks = "区块"
	SheetUnits  = "单元"
)

var (
	blockSheetNames = []string{SheetBlocks, "blocks", "产业区块"}
	unitSheetNames  = []string{SheetUnits, "units", "空间单元"}
)

// blockSchema: the columns of a blocks file. industries are ids separated
// by 、 , or ;.
var blockSchema = []column{
	{"code", []string{"区块编号", "编号"}, true},
	{"name", []string{"名称", "区块名称"}, true},
	{"district_code", []string{"区县", "区县代码"}, true},
	{"area_m2", []string{"面积", "面积(m²)", "面积(平方米)"}, true},
	{"industries", []string{"产业", "规划产业"}, false},
	{"schematic", []string{"示意", "示意边界"}, false},
	{"demo", []string{"演示数据"}, false},
}

// unitSchema: the columns of a units file. Amounts are in yuan: the price
// of a parcel or a floor in all, the rent per m² and month.
var unitSchema = []column{
	{"block_code", []string{"区块编号", "区块"}, true},
	{"kind", []string{"类型", "空间类型"}, true},
	{"code", []string{"编号", "单元编号"}, true},
	{"name", []string{"名称"}, false},
	{"area_m2", []string{"面积", "面积(m²)", "面积(平方米)"}, true},
	{"land_use", []string{"用地性质"}, false},
	{"plot_ratio", []string{"容积率"}, false},
	{"height_m", []string{"限高", "限高(m)", "限高(米)"}, false},
	{"building", []string{"楼栋"}, false},
	{"level", []string{"楼层"}, false},
	{"load_kg_m2", []string{"荷载", "楼面荷载", "荷载(kg/m²)"}, false},
	{"ceiling_cm", []string{"层高", "净高", "层高(cm)"}, false},
	{"freight_lift", []string{"货梯"}, false},
	{"power_kva", []string{"供电容量", "供电容量(kva)"}, false},
	{"env_class", []string{"环境类别"}, false},
	{"price_yuan", []string{"price", "价格", "价格(元)", "出让价(元)", "售价(元)"}, false},
	{"rent_yuan", []string{"rent", "租金", "租金(元/m²/月)", "租金(元/平方米/月)"}, false},
	{"status", []string{"状态"}, false},
	{"available_on", []string{"可供日期"}, false},
	{"demo", []string{"演示数据"}, false},
}

// unitColumn is the column of a unit's field where the two differ: the
// block is named by code, amounts are in yuan.
var unitColumn = map[string]string{"block_id": "block_code", "price_fen": "price_yuan", "rent_fen_m2_month": "rent_yuan"}

// BlockFile is a blocks file read whole: its blocks, and the faults of
// its rows keyed rows[N].field.
type BlockFile struct {
	Rows []*space.Block
	*sheet
	bad map[string]string
}

// ReadBlocks reads a blocks file (CSV, or XLSX: the sheet SheetBlocks, or
// the first) laid out as BlockHeader, headers in English or Chinese.
// Every row is checked as Block.Validate checks it, and codes must not
// repeat; Err names the faults. The store checks that the districts and
// industries exist.
func ReadBlocks(r io.Reader, format Format) (*BlockFile, error) {
	sh, err := readNamedSheet(r, format, Blocks, blockSchema, blockSheetNames)
	if err != nil {
		return nil, err
	}
	return blockFile(sh), nil
}

func blockFile(sh *sheet) *BlockFile {
	f := &BlockFile{sheet: sh, bad: map[string]string{}}
	first := map[string]int{}
	for i, cells := range sh.rows {
		h := sh.h
		fail := func(key, reason string) { f.bad[fmt.Sprintf("rows[%d].%s", i, key)] = reason }
		b := &space.Block{Code: h.get(cells, "code"), Name: h.get(cells, "name"), DistrictCode: h.get(cells, "district_code"),
			Industries: splitIndustries(h.get(cells, "industries"))}
		b.AreaM2 = parseWhole(h.get(cells, "area_m2"), "area_m2", fail)
		b.Schematic = parseYes(h.get(cells, "schematic"), "schematic", fail)
		b.Demo = parseYes(h.get(cells, "demo"), "demo", fail)
		check(f.bad, i, b.Validate(), nil)
		if j, dup := first[b.Code]; dup && b.Code != "" {
			fail("code", fmt.Sprintf("区块编号与第 %d 行重复 / the code is given in row %d already", sh.lines[j], sh.lines[j]))
		} else {
			first[b.Code] = i
		}
		f.Rows = append(f.Rows, b)
	}
	return f
}

// Err returns EINVALID naming rows[N].field for each fault of the file,
// nil when there is none; Problems places it.
func (f *BlockFile) Err() error {
	return chanye.Invalid(fmt.Sprintf("区块表有 %d 处错误，未导入 / the blocks file has %d faults: nothing imported", len(f.bad), len(f.bad)), f.bad)
}

// UnitFile is a units file read whole: its units, each naming its block
// by code, and the faults of its rows keyed rows[N].field.
type UnitFile struct {
	Rows []*space.ImportUnit
	*sheet
	bad map[string]string
}

// ReadUnits reads a units file (CSV, or XLSX: the sheet SheetUnits, or
// the first) laid out as UnitHeader, headers in English or Chinese:
// kinds and statuses by code or Chinese name, the plot ratio a decimal
// (2.5), amounts yuan with at most two decimals, the freight lift 是/否
// or true/false, the environmental class M1–M3 or 1–3, days YYYY-MM-DD.
// Every row is checked as Unit.Validate checks it (the block is the
// store's to find), and a block's unit codes must not repeat; Err names
// the faults.
func ReadUnits(r io.Reader, format Format) (*UnitFile, error) {
	sh, err := readNamedSheet(r, format, Units, unitSchema, unitSheetNames)
	if err != nil {
		return nil, err
	}
	return unitFile(sh), nil
}

func unitFile(sh *sheet) *UnitFile {
	f := &UnitFile{sheet: sh, bad: map[string]string{}}
	first := map[[2]string]int{}
	for i, cells := range sh.rows {
		h := sh.h
		get := func(key string) string { return h.get(cells, key) }
		fail := func(key, reason string) { f.bad[fmt.Sprintf("rows[%d].%s", i, key)] = reason }
		u := space.Unit{BlockCode: get("block_code"), Kind: kindOf(get("kind")), Code: get("code"), Name: get("name"),
			LandUse: get("land_use"), Building: get("building"), Status: unitStatusOf(get("status"))}
		u.AreaM2 = parseWhole(get("area_m2"), "area_m2", fail)
		u.PlotRatio = parseHundredths(get("plot_ratio"), "plot_ratio", fail)
		for _, c := range []struct {
			key string
			dst *int
		}{{"height_m", &u.HeightM}, {"level", &u.Level}, {"load_kg_m2", &u.LoadKgM2}, {"ceiling_cm", &u.CeilingCM}, {"power_kva", &u.PowerKVA}} {
			// The bounds (space.Max…) are far inside int32.
			if v := parseWhole(get(c.key), c.key, fail); v >= -1<<31 && v < 1<<31 {
				*c.dst = int(v)
			} else {
				fail(c.key, "数值过大 / the number is too large")
			}
		}
		u.FreightLift = parseYes(get("freight_lift"), "freight_lift", fail)
		u.Env = envOf(get("env_class"), fail)
		u.PriceFen = parseOptYuan(get("price_yuan"), "price_yuan", fail)
		u.RentFenM2Month = parseOptYuan(get("rent_yuan"), "rent_yuan", fail)
		if s := get("available_on"); s != "" {
			d, err := parseDate(s)
			if err != nil {
				fail("available_on", "须为日期 YYYY-MM-DD / must be a date YYYY-MM-DD")
			}
			u.AvailableOn = d
		}
		u.Demo = parseYes(get("demo"), "demo", fail)
		if u.BlockCode == "" {
			fail("block_code", "必填 / required")
		}
		check(f.bad, i, u.Validate(), unitColumn)
		key := [2]string{u.BlockCode, u.Code}
		if j, dup := first[key]; dup && u.Code != "" {
			fail("code", fmt.Sprintf("区块 %s 的单元编号与第 %d 行重复 / the block's unit code is given in row %d already", u.BlockCode, sh.lines[j], sh.lines[j]))
		} else {
			first[key] = i
		}
		f.Rows = append(f.Rows, &space.ImportUnit{BlockCode: u.BlockCode, Unit: u})
	}
	return f
}

// Err returns EINVALID naming rows[N].field for each fault of the file,
// nil when there is none; Problems places it.
func (f *UnitFile) Err() error {
	return chanye.Invalid(fmt.Sprintf("单元表有 %d 处错误，未导入 / the units file has %d faults: nothing imported", len(f.bad), len(f.bad)), f.bad)
}

// Problems places the field errors of err — the file's own, or the
// store's keyed rows[N].field with the unit's field names (price_fen,
// block_id…) — on the file's rows and columns.
func (f *UnitFile) Problems(err error) []Problem {
	return f.sheet.Problems(renameFields(err, unitColumn))
}

// check adds the field errors of a Validate of row i to bad, under the
// file's column names (rename), except the block_id a units file cannot
// give and the cells that could not be read in the first place.
func check(bad map[string]string, i int, err error, rename map[string]string) {
	for field, reason := range chanye.ErrorFields(err) {
		if field == "block_id" {
			continue
		}
		if col, ok := rename[field]; ok {
			field = col
		}
		key := fmt.Sprintf("rows[%d].%s", i, field)
		if _, ok := bad[key]; !ok {
			bad[key] = reason
		}
	}
}

var fieldPath = regexp.MustCompile(`^(.*\]\.)(\w+)$`)

// renameFields returns err's field errors with the fields of a path
// (rows[N].price_fen) renamed to their columns, as an EINVALID error.
func renameFields(err error, rename map[string]string) error {
	fields := chanye.ErrorFields(err)
	out := make(map[string]string, len(fields))
	for key, reason := range fields {
		if m := fieldPath.FindStringSubmatch(key); m != nil {
			if col, ok := rename[m[2]]; ok {
				key = m[1] + col
			}
		}
		if old, dup := out[key]; dup {
			reason = chanye.JoinBilingual(old, reason)
		}
		out[key] = reason
	}
	return chanye.Invalid(chanye.ErrorMessage(err), out)
}

// InventoryFile is an inventory workbook read whole: its blocks and its
// units, either of which may be missing.
type InventoryFile struct {
	Blocks *BlockFile // nil without the blocks sheet
	Units  *UnitFile  // nil without the units sheet
}

// ReadInventory reads an XLSX workbook holding the sheet SheetBlocks, the
// sheet SheetUnits, or both (also named blocks and units), each as
// ReadBlocks and ReadUnits read them.
func ReadInventory(r io.Reader) (*InventoryFile, error) {
	lim := Limits{}.withDefaults()
	x, err := openXLSX(r, lim)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	inv := &InventoryFile{}
	if name := findSheet(x, blockSheetNames); name != "" {
		sh, err := xlsxSheet(x, name, Blocks, blockSchema, lim)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		inv.Blocks = blockFile(sh)
	}
	if name := findSheet(x, unitSheetNames); name != "" {
		sh, err := xlsxSheet(x, name, Units, unitSchema, lim)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		inv.Units = unitFile(sh)
	}
	if inv.Blocks == nil && inv.Units == nil {
		return nil, chanye.Errorf(chanye.EINVALID, "工作簿须有工作表“%s”或“%s” / the workbook needs a sheet %s (blocks) or %s (units)",
			SheetBlocks, SheetUnits, SheetBlocks, SheetUnits)
	}
	return inv, nil
}

// Err returns EINVALID naming blocks[N].field and units[N].field for each
// fault of the workbook, nil when there is none.
func (f *InventoryFile) Err() error {
	bad := map[string]string{}
	for prefix, err := range map[string]error{"blocks": f.blockErr(), "units": f.unitErr()} {
		for key, reason := range chanye.ErrorFields(err) {
			bad[prefix+strings.TrimPrefix(key, "rows")] = reason
		}
	}
	return chanye.Invalid(fmt.Sprintf("工作簿有 %d 处错误，未导入 / the workbook has %d faults: nothing imported", len(bad), len(bad)), bad)
}

func (f *InventoryFile) blockErr() error {
	if f.Blocks == nil {
		return nil
	}
	return f.Blocks.Err()
}

func (f *InventoryFile) unitErr() error {
	if f.Units == nil {
		return nil
	}
	return f.Units.Err()
}

// Problems places the field errors of err — the workbook's own, or the
// store's from space.InventoryService.ImportInventory — keyed
// blocks[N].field and units[N].field on the rows and columns of each
// sheet; other fields are problems of the whole workbook, in row 0 of the
// blocks (of the units when there are no blocks).
func (f *InventoryFile) Problems(err error) (blocks, units []Problem) {
	has := map[string]bool{"blocks": f.Blocks != nil, "units": f.Units != nil}
	part := map[string]map[string]string{"blocks": {}, "units": {}}
	whole := "blocks"
	if f.Blocks == nil {
		whole = "units"
	}
	for key, reason := range chanye.ErrorFields(err) {
		if prefix, rest, ok := strings.Cut(key, "["); ok && has[prefix] {
			part[prefix]["rows["+rest] = reason
		} else {
			part[whole][key] = reason
		}
	}
	if f.Blocks != nil {
		blocks = f.Blocks.Problems(chanye.Invalid("", part["blocks"]))
	}
	if f.Units != nil {
		units = f.Units.Problems(chanye.Invalid("", part["units"]))
	}
	return blocks, units
}

// readNamedSheet reads a CSV file, or the sheet of an XLSX workbook named
// one of names (the first sheet when none is).
func readNamedSheet(r io.Reader, format Format, kind Kind, schema []column, names []string) (*sheet, error) {
	if format != XLSX {
		return readSheet(r, format, kind, schema)
	}
	lim := Limits{}.withDefaults()
	x, err := openXLSX(r, lim)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	name := findSheet(x, names)
	if name == "" {
		sheets := x.GetSheetList()
		if len(sheets) == 0 {
			return nil, fmt.Errorf("XLSX 文件没有工作表 / XLSX file has no sheet")
		}
		name = sheets[0]
	}
	return xlsxSheet(x, name, kind, schema, lim)
}

// findSheet returns the sheet of x named one of names, in any case, or "".
func findSheet(x *excelize.File, names []string) string {
	for _, s := range x.GetSheetList() {
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(s), n) {
				return s
			}
		}
	}
	return ""
}

// xlsxSheet reads the sheet name of x within lim.
func xlsxSheet(x *excelize.File, name string, kind Kind, schema []column, lim Limits) (*sheet, error) {
	rows, err := x.Rows(name)
	if err != nil {
		return nil, err
	}
	rr := &boundedRows{rr: sheetRows{rows}, lim: lim}
	defer rr.Close()
	return sheetOf(rr, kind, schema)
}

// sheetRows reads one sheet of a workbook; closing it leaves the workbook
// open for the next.
type sheetRows struct{ rows *excelize.Rows }

func (s sheetRows) Read() ([]string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	return s.rows.Columns()
}

func (s sheetRows) Close() error { return s.rows.Close() }

// splitIndustries splits a list of industry ids on 、 , or ; (either
// width).
func splitIndustries(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，;；", r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseWhole reads a whole number, thousands separated by commas or not;
// "" is 0 (unknown).
func parseWhole(s, key string, fail func(key, reason string)) int64 {
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		fail(key, fmt.Sprintf("%q 须为整数 / %q must be a whole number", s, s))
	}
	return v
}

// parseHundredths reads a decimal of at most two places as hundredths,
// exactly: "2.5" is 250; "" is 0 (unknown).
func parseHundredths(s, key string, fail func(key, reason string)) int {
	if s == "" {
		return 0
	}
	// Yuan are hundredths too; a comma would be a decimal comma here, not
	// a thousands separator.
	v, err := chanye.ParseYuan(s)
	if err != nil || strings.ContainsAny(s, ",，") || v < -1<<31 || v >= 1<<31 {
		fail(key, fmt.Sprintf("%q 须为最多两位小数的数 / %q must be a number with at most two decimals", s, s))
		return 0
	}
	return int(v)
}

// parseOptYuan reads an amount in yuan with at most two decimals; "" is
// nil (unknown).
func parseOptYuan(s, key string, fail func(key, reason string)) *chanye.Fen {
	if s == "" {
		return nil
	}
	v, err := chanye.ParseYuan(s)
	if err != nil {
		fail(key, err.Error())
		return nil
	}
	return &v
}

// parseYes reads 是/否, true/false, yes/no, 1/0 and their kin; "" is no.
func parseYes(s, key string, fail func(key, reason string)) bool {
	switch strings.ToLower(s) {
	case "", "否", "无", "没有", "false", "no", "n", "0":
		return false
	case "是", "有", "true", "yes", "y", "1", "演示数据":
		return true
	}
	fail(key, fmt.Sprintf("%q 须为 是 或 否 / %q must be 是 or 否 (true or false)", s, s))
	return false
}

// envOf reads an environmental class M1–M3, 1–3 or 一类–三类; "" is 0
// (unknown).
func envOf(s string, fail func(key, reason string)) space.EnvClass {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "":
		return 0
	case "M1", "1", "一类":
		return space.M1
	case "M2", "2", "二类":
		return space.M2
	case "M3", "3", "三类":
		return space.M3
	}
	fail("env_class", fmt.Sprintf("%q 须为 M1、M2 或 M3 / %q must be M1, M2 or M3", s, s))
	return 0
}

// kindOf reads a kind of unit by its code or a Chinese name.
func kindOf(s string) space.Kind {
	switch s {
	case "楼层":
		return space.Floor
	case "厂房":
		return space.Plant
	}
	for _, k := range space.Kinds {
		if s == k.NameZH || strings.EqualFold(s, k.NameEN) {
			return k.Kind
		}
	}
	return space.Kind(strings.ToLower(s))
}

// unitStatusOf reads a unit's status by its code or Chinese name.
func unitStatusOf(s string) space.Status {
	for _, x := range space.Statuses {
		if s == x.NameZH {
			return x.Status
		}
	}
	return space.Status(strings.ToLower(s))
}

// BlockHeader and UnitHeader are the headers ExportBlocks and ExportUnits
// write, what ReadBlocks and ReadUnits read.
var (
	BlockHeader = []string{"code", "name", "district_code", "area_m2", "industries", "schematic", "demo"}
	UnitHeader  = []string{"block_code", "kind", "code", "name", "area_m2", "land_use", "plot_ratio", "height_m", "building", "level",
		"load_kg_m2", "ceiling_cm", "freight_lift", "power_kva", "env_class", "price_yuan", "rent_yuan", "status", "available_on", "demo"}
)

func blockRow(b *space.Block) []string {
	return []string{b.Code, b.Name, b.DistrictCode, strconv.FormatInt(b.AreaM2, 10), strings.Join(b.Industries, "、"), yes(b.Schematic), demoCell(b.Demo)}
}

// unitRow writes u, naming its block by u.BlockCode; zero numbers
// (unknown) are empty cells.
func unitRow(u *space.Unit) []string {
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	lift := ""
	if u.Kind == space.Floor || u.FreightLift {
		lift = yes(u.FreightLift)
		if lift == "" {
			lift = "否"
		}
	}
	on := ""
	if !u.AvailableOn.IsZero() {
		on = u.AvailableOn.String()
	}
	return []string{u.BlockCode, string(u.Kind), u.Code, u.Name, strconv.FormatInt(u.AreaM2, 10), u.LandUse, hundredths(u.PlotRatio),
		num(u.HeightM), u.Building, num(u.Level), num(u.LoadKgM2), num(u.CeilingCM), lift, num(u.PowerKVA), u.Env.String(),
		optYuan(u.PriceFen), optYuan(u.RentFenM2Month), string(u.Status), on, demoCell(u.Demo)}
}

// yes writes 是 for true, "" for false.
func yes(v bool) string {
	if v {
		return "是"
	}
	return ""
}

// hundredths writes hundredths as a decimal without trailing zeros: 250
// is 2.5, 300 is 3; 0 (unknown) is "".
func hundredths(n int) string {
	if n == 0 {
		return ""
	}
	return strings.TrimSuffix(strings.TrimRight(chanye.Fen(n).Yuan(), "0"), ".")
}

// ExportBlocks writes the blocks as CSV or XLSX, without their
// boundaries (ExportBlocksGeoJSON writes those), and returns the rows.
func ExportBlocks(w io.Writer, format Format, blocks []*space.Block) (int, error) {
	return exportRows(w, format, BlockHeader, len(blocks), func(i int) []string { return blockRow(blocks[i]) })
}

// ExportUnits writes the units as CSV or XLSX, each naming its block by
// its BlockCode, and returns the rows.
func ExportUnits(w io.Writer, format Format, units []*space.Unit) (int, error) {
	return exportRows(w, format, UnitHeader, len(units), func(i int) []string { return unitRow(units[i]) })
}

func exportRows(w io.Writer, format Format, head []string, n int, row func(i int) []string) (int, error) {
	out, err := newRowWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := out.Write(head); err != nil {
		return 0, err
	}
	for i := range n {
		if err := out.Write(row(i)); err != nil {
			return i, err
		}
	}
	return n, out.Close()
}

// ExportInventory writes the blocks and the units as one XLSX workbook:
// the sheets SheetBlocks and SheetUnits, as ExportBlocks and ExportUnits
// write them.
func ExportInventory(w io.Writer, blocks []*space.Block, units []*space.Unit) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetBlocks); err != nil {
		return err
	}
	if _, err := x.NewSheet(SheetUnits); err != nil {
		return err
	}
	for _, s := range []struct {
		name string
		head []string
		n    int
		row  func(i int) []string
	}{
		{SheetBlocks, BlockHeader, len(blocks), func(i int) []string { return blockRow(blocks[i]) }},
		{SheetUnits, UnitHeader, len(units), func(i int) []string { return unitRow(units[i]) }},
	} {
		sw, err := x.NewStreamWriter(s.name)
		if err != nil {
			return err
		}
		xw := &xlsxWriter{f: x, sw: sw}
		if err := xw.Write(s.head); err != nil {
			return err
		}
		for i := range s.n {
			if err := xw.Write(s.row(i)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	_, err := x.WriteTo(w)
	return err
}

// MaxGeoJSONBytes bounds a GeoJSON file of blocks.
const MaxGeoJSONBytes = 256 << 20

// GeoFile is a GeoJSON FeatureCollection of blocks read whole: a block a
// feature, the geometry its boundary; Source is the collection's
// top-level "source" member (where the boundaries come from, their
// licence), "" when it has none.
type GeoFile struct {
	Blocks []*space.Block
	Source string
	bad    map[string]string
}

// geoProperties names the properties of a feature: the columns of a
// blocks file, by the same English or Chinese names.
var geoProperties = func() map[string]string {
	m := map[string]string{}
	for _, c := range blockSchema {
		m[normHeader(c.key)] = c.key
		for _, a := range c.aliases {
			m[normHeader(a)] = c.key
		}
	}
	return m
}()

// ReadBlocksGeoJSON reads a GeoJSON FeatureCollection of blocks: each
// feature's properties give code, name, district_code, area_m2 (whole
// m²), industries (a list, or ids separated by 、 , or ;), schematic and
// demo, under their English names or the Chinese headers of a blocks
// file; other properties are read past. Its geometry, a Polygon or a
// MultiPolygon, or null when not known, is the boundary, kept as written.
// Each block is checked as Block.Validate checks it, codes must not
// repeat; Err names the faults features[N].field (geometry for the
// boundary). A file that is no FeatureCollection is an error.
func ReadBlocksGeoJSON(r io.Reader) (*GeoFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxGeoJSONBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxGeoJSONBytes {
		return nil, chanye.Errorf(chanye.ETOOLARGE, "GeoJSON 文件超过 %s 的上限 / the GeoJSON file is over the limit of %s", byteSize(MaxGeoJSONBytes), byteSize(MaxGeoJSONBytes))
	}
	var fc struct {
		Type     string            `json:"type"`
		Source   json.RawMessage   `json:"source"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\ufeff")), &fc); err != nil {
		return nil, chanye.Errorf(chanye.EINVALID, "文件不是 GeoJSON：%v / the file is not GeoJSON: %v", err, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, chanye.Errorf(chanye.EINVALID, "GeoJSON 须为 FeatureCollection，而不是 %q / the GeoJSON must be a FeatureCollection, not %q", fc.Type, fc.Type)
	}
	f := &GeoFile{bad: map[string]string{}}
	if len(fc.Source) > 0 && string(fc.Source) != "null" {
		if err := json.Unmarshal(fc.Source, &f.Source); err != nil {
			f.bad["source"] = "source 须为文字 / source must be a string"
		}
	}
	first := map[string]int{}
	for i, raw := range fc.Features {
		b := f.feature(i, raw)
		if j, dup := first[b.Code]; dup && b.Code != "" {
			f.bad[fmt.Sprintf("features[%d].code", i)] = fmt.Sprintf("区块编号与 features[%d] 重复 / the code is given in features[%d] already", j, j)
		} else {
			first[b.Code] = i
		}
		f.Blocks = append(f.Blocks, b)
	}
	return f, nil
}

// feature reads the i-th feature.
func (f *GeoFile) feature(i int, raw json.RawMessage) *space.Block {
	fail := func(key, reason string) { f.bad[fmt.Sprintf("features[%d].%s", i, key)] = reason }
	b := &space.Block{}
	var ft struct {
		Type       string                     `json:"type"`
		Geometry   json.RawMessage            `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &ft); err != nil {
		fail("type", "要素须为 GeoJSON Feature 对象 / a feature must be a GeoJSON Feature object")
		return b
	}
	if ft.Type != "Feature" {
		fail("type", fmt.Sprintf("须为 Feature，而不是 %q / must be a Feature, not %q", ft.Type, ft.Type))
	}
	if g := bytes.TrimSpace(ft.Geometry); len(g) > 0 && string(g) != "null" {
		var buf bytes.Buffer
		if json.Compact(&buf, g) == nil {
			b.Boundary = buf.Bytes()
		} else {
			b.Boundary = g
		}
	}
	for name, v := range ft.Properties {
		key, ok := geoProperties[normHeader(name)]
		if !ok {
			continue
		}
		var s string
		isString := json.Unmarshal(v, &s) == nil
		switch key {
		case "code", "name", "district_code":
			raw := string(bytes.TrimSpace(v))
			if _, err := strconv.ParseUint(raw, 10, 64); !isString && err == nil && key != "name" {
				s = raw // codes, districts' above all, are often written as numbers
			} else if !isString && raw != "null" {
				fail(key, "须为文字 / must be a string")
			}
			*map[string]*string{"code": &b.Code, "name": &b.Name, "district_code": &b.DistrictCode}[key] = s
		case "area_m2":
			if !isString {
				s = string(bytes.TrimSpace(v)) // a number, read from its digits: never a float
			}
			b.AreaM2 = parseWhole(strings.TrimSpace(s), key, fail)
		case "industries":
			var list []string
			switch {
			case isString:
				b.Industries = splitIndustries(s)
			case json.Unmarshal(v, &list) == nil:
				if len(list) > 0 {
					b.Industries = list
				}
			default:
				fail(key, "须为产业编号的列表 / must be a list of industry ids")
			}
		case "schematic", "demo":
			var yesNo bool
			switch {
			case isString:
				yesNo = parseYes(strings.TrimSpace(s), key, fail)
			case json.Unmarshal(v, &yesNo) == nil:
			default:
				fail(key, "须为 true 或 false / must be true or false")
			}
			if key == "schematic" {
				b.Schematic = yesNo
			} else {
				b.Demo = yesNo
			}
		}
	}
	for field, reason := range chanye.ErrorFields(b.Validate()) {
		if field == "boundary" {
			field = "geometry"
		}
		if key := fmt.Sprintf("features[%d].%s", i, field); f.bad[key] == "" {
			f.bad[key] = reason
		}
	}
	return b
}

// Err returns EINVALID naming features[N].field for each fault of the
// file, nil when there is none.
func (f *GeoFile) Err() error {
	return chanye.Invalid(fmt.Sprintf("GeoJSON 有 %d 处错误，未导入 / the GeoJSON has %d faults: nothing imported", len(f.bad), len(f.bad)), f.bad)
}

// Faults returns the field errors of err — the file's own, or the
// store's from ImportInventory keyed blocks[N].field, the blocks in the
// file's order — keyed features[N].field, geometry for the boundary.
func (f *GeoFile) Faults(err error) map[string]string {
	out := map[string]string{}
	for key, reason := range chanye.ErrorFields(renameFields(err, map[string]string{"boundary": "geometry"})) {
		if rest, ok := strings.CutPrefix(key, "blocks["); ok {
			key = "features[" + rest
		}
		out[key] = reason
	}
	return out
}

// geoFeature is a block as a GeoJSON Feature.
type geoFeature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties struct {
		Code         string   `json:"code"`
		Name         string   `json:"name"`
		DistrictCode string   `json:"district_code"`
		AreaM2       int64    `json:"area_m2"`
		Industries   []string `json:"industries"`
		Schematic    bool     `json:"schematic,omitempty"`
		Demo         bool     `json:"demo,omitempty"`
	} `json:"properties"`
}

// ExportBlocksGeoJSON writes the blocks as a GeoJSON FeatureCollection, a
// feature a line, as ReadBlocksGeoJSON reads it: a block's boundary is
// its feature's geometry (null when not known); source, when given, is
// the collection's "source" member. It returns the features written.
func ExportBlocksGeoJSON(w io.Writer, blocks []*space.Block, source string) (int, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection"`)
	if source != "" {
		s, err := json.Marshal(source)
		if err != nil {
			return 0, err
		}
		buf.WriteString(`,"source":`)
		buf.Write(s)
	}
	buf.WriteString(`,"features":[`)
	for i, b := range blocks {
		ft := geoFeature{Type: "Feature", Geometry: b.Boundary}
		if len(b.Boundary) == 0 {
			ft.Geometry = json.RawMessage("null")
		}
		p := &ft.Properties
		p.Code, p.Name, p.DistrictCode, p.AreaM2, p.Industries, p.Schematic, p.Demo = b.Code, b.Name, b.DistrictCode, b.AreaM2, b.Industries, b.Schematic, b.Demo
		if p.Industries == nil {
			p.Industries = []string{}
		}
		line, err := json.Marshal(ft)
		if err != nil {
			return i, fmt.Errorf("block %s: %w", b.Code, err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n")
		buf.Write(line)
		if buf.Len() > 1<<16 {
			if _, err := w.Write(buf.Bytes()); err != nil {
				return i, err
			}
			buf.Reset()
		}
	}
	buf.WriteString("\n]}\n")
	_, err := w.Write(buf.Bytes())
	return len(blocks), err
}

// AsRows restates the store's field errors of one list of an inventory
// import (units[N].field, blocks[N].field) as a file's (rows[N].field),
// for the file's Problems.
func AsRows(err error, list string) error {
	fields := chanye.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		if rest, ok := strings.CutPrefix(k, list+"["); ok {
			k = "rows[" + rest
		}
		out[k] = v
	}
	return chanye.Invalid(chanye.ErrorMessage(err), out)
}
