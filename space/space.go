// Package space is the city's industrial space (产业空间): the industrial
// blocks (产业区块) and, inside them, the units a project can be given —
// land parcels (地块, transferred: 出让), floors of industrial buildings
// (楼层, leased or sold) and standard plants for rent (标准厂房). The rule
// of the speech routes a project by its size: large projects get land
// (大项目供地), medium ones floors (中项目供楼), small ones rent plants
// (小项目租赁厂房). Route ranks the units of the right kind against a
// project's or a lead's needs, with the reasons and the needs left unmet;
// a unit is held for one project or lead until a day, then allocated, and
// never held or allocated twice; Use sums occupancy and 亩均 (output, tax
// and value added per 亩 of land) by block. It imports neither
// database/sql nor net/http.
package space

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// Kind is what sort of space a unit is: what the size rule routes to.
type Kind string

// The kinds of unit.
const (
	Land  Kind = "land"  // 地块: a parcel of industrial land, transferred (出让)
	Floor Kind = "floor" // 楼层: a floor of an industrial building, leased or sold
	Plant Kind = "plant" // 标准厂房: a standard plant, leased
)

// Kinds lists the kinds with their names, land first.
var Kinds = []struct {
	Kind           Kind
	NameZH, NameEN string
}{
	{Land, "地块", "land parcel"},
	{Floor, "产业楼层", "building floor"},
	{Plant, "标准厂房", "standard plant"},
}

// NameZH returns the kind's Chinese name.
func (k Kind) NameZH() string {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.NameZH
		}
	}
	return string(k)
}

// NameEN returns the kind's English name.
func (k Kind) NameEN() string {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.NameEN
		}
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Land || k == Floor || k == Plant }

// Status is where a unit stands. A held or allocated unit is so by its
// hold or allocation; the status is kept with the unit so that a list
// need not read them.
type Status string

// The statuses of a unit.
const (
	Reserve   Status = "reserve"   // 储备: land not yet offered
	Available Status = "available" // 可供
	Held      Status = "held"      // 预留: held for a project or lead until a day
	Allocated Status = "allocated" // 已出让 (land), 已出租 or 已出售 (floors, plants)
)

// Statuses lists the statuses with their names.
var Statuses = []struct {
	Status         Status
	NameZH, NameEN string
}{
	{Reserve, "储备", "reserve"},
	{Available, "可供", "available"},
	{Held, "预留", "held"},
	{Allocated, "已供", "allocated"},
}

// NameZH returns the status's Chinese name.
func (s Status) NameZH() string {
	for _, x := range Statuses {
		if x.Status == s {
			return x.NameZH
		}
	}
	return string(s)
}

// NameEN returns the status's English name.
func (s Status) NameEN() string {
	for _, x := range Statuses {
		if x.Status == s {
			return x.NameEN
		}
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Reserve || s == Available || s == Held || s == Allocated }

// EnvClass is the environmental class of industrial land a use needs or
// a unit allows (GB 50137 工业用地: 一类 M1 little disturbance, 二类 M2
// some, 三类 M3 serious); a unit of class c allows every use of class c
// or less. 0 is unknown.
type EnvClass int

// The environmental classes.
const (
	M1 EnvClass = 1
	M2 EnvClass = 2
	M3 EnvClass = 3
)

// Valid reports whether c is unknown (0) or a class.
func (c EnvClass) Valid() bool { return c >= 0 && c <= M3 }

// String returns M1, M2, M3 or "".
func (c EnvClass) String() string {
	if c < M1 || c > M3 {
		return ""
	}
	return fmt.Sprintf("M%d", int(c))
}

// Block is an industrial block (产业区块): a named area of a district
// planned for industry, with the industries it is planned for. Boundary
// is its GeoJSON geometry (a Polygon or MultiPolygon in WGS 84) when the
// city has loaded it, nil when not known; Schematic marks a boundary that
// is a drawing, not a survey (the demo's), which the map says.
type Block struct {
	ID           int64           `json:"id"`
	Code         string          `json:"code"` // the city's number of the block, unique
	Name         string          `json:"name"`
	DistrictCode string          `json:"district_code"`
	AreaM2       int64           `json:"area_m2"`
	Industries   []string        `json:"industries"` // industry ids it is planned for
	Boundary     json.RawMessage `json:"boundary,omitempty"`
	Schematic    bool            `json:"schematic,omitempty"`
	// Demo marks a block chanye demo made: the pages say 演示数据.
	Demo bool `json:"demo,omitempty"`
}

// The bounds of the inventory, each checked by a Validate.
const (
	MaxCodeRunes     = 40
	MaxNameRunes     = 100
	MaxBlockAreaM2   = 1_000_000_000 // 1,000 km²: a block larger is an error of units
	MaxUnitAreaM2    = 100_000_000   // 100 km²
	MaxIndustries    = 20
	MaxBoundaryBytes = 1 << 20
	MaxPlotRatio     = 2000 // hundredths: 20.00
	MaxHeightM       = 1000
	MaxLevel         = 200
	MaxLoadKgM2      = 100_000
	MaxCeilingCM     = 10_000
	MaxPowerKVA      = 10_000_000
	MaxLandUseRunes  = 40
	// MaxRentFenM2Month bounds a rent per m² per month: 10,000 yuan.
	MaxRentFenM2Month chanye.Fen = 1_000_000
	DefaultPage                  = 50
	MaxPage                      = 1000
)

var codePattern = regexp.MustCompile(`^[\p{Han}A-Za-z0-9][\p{Han}A-Za-z0-9._/-]*$`)

func checkCode(key, v string, bad map[string]string) {
	switch {
	case v == "":
		bad[key] = "必填 / required"
	case utf8.RuneCountInString(v) > MaxCodeRunes:
		bad[key] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxCodeRunes, MaxCodeRunes)
	case !codePattern.MatchString(v):
		bad[key] = "只能包含汉字、字母、数字和 . _ / - / letters, digits, Chinese characters and . _ / - only"
	}
}

func checkName(key, v string, required bool, bad map[string]string) {
	switch {
	case v == "" && required:
		bad[key] = "必填 / required"
	case utf8.RuneCountInString(v) > MaxNameRunes:
		bad[key] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxNameRunes, MaxNameRunes)
	}
}

func checkRange(key string, v, lo, hi int64, bad map[string]string) {
	if v < lo || v > hi {
		bad[key] = fmt.Sprintf("须在 %d–%d 之间 / must lie in %d–%d", lo, hi, lo, hi)
	}
}

// Validate checks a block and trims its texts: a code, a name, a district
// of six digits, an area of 1 m² to MaxBlockAreaM2, at most MaxIndustries
// distinct industries, a boundary of at most MaxBoundaryBytes that is a
// GeoJSON Polygon or MultiPolygon. The store checks that the district and
// the industries exist.
func (b *Block) Validate() error {
	bad := map[string]string{}
	b.Code, b.Name, b.DistrictCode = strings.TrimSpace(b.Code), strings.TrimSpace(b.Name), strings.TrimSpace(b.DistrictCode)
	checkCode("code", b.Code, bad)
	checkName("name", b.Name, true, bad)
	if !sixDigits(b.DistrictCode) {
		bad["district_code"] = "须为 6 位区县代码 / must be a district code of 6 digits"
	}
	checkRange("area_m2", b.AreaM2, 1, MaxBlockAreaM2, bad)
	if len(b.Industries) > MaxIndustries {
		bad["industries"] = fmt.Sprintf("至多 %d 个产业 / at most %d industries", MaxIndustries, MaxIndustries)
	}
	for i, id := range b.Industries {
		b.Industries[i] = strings.TrimSpace(id)
		if b.Industries[i] == "" || slices.Contains(b.Industries[:i], b.Industries[i]) {
			bad["industries"] = "产业不能为空或重复 / industries must be given once each"
		}
	}
	if len(b.Boundary) > 0 {
		if err := CheckGeometry(b.Boundary); err != "" {
			bad["boundary"] = err
		}
	}
	return chanye.Invalid("产业区块有误 / invalid industrial block", bad)
}

func sixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// CheckGeometry returns what is wrong with a block's boundary, "" when it
// is a GeoJSON Polygon or MultiPolygon of at most MaxBoundaryBytes whose
// rings are closed and of at least four positions in longitude and
// latitude range.
func CheckGeometry(raw json.RawMessage) string {
	if len(raw) > MaxBoundaryBytes {
		return fmt.Sprintf("边界至多 %d 字节 / a boundary is at most %d bytes", MaxBoundaryBytes, MaxBoundaryBytes)
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return "边界须为 GeoJSON 几何对象 / a boundary must be a GeoJSON geometry"
	}
	var polygons [][][][2]float64
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return "多边形坐标有误 / bad Polygon coordinates"
		}
		polygons = append(polygons, p)
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polygons); err != nil {
			return "多多边形坐标有误 / bad MultiPolygon coordinates"
		}
	default:
		return "边界须为 Polygon 或 MultiPolygon / a boundary must be a Polygon or a MultiPolygon"
	}
	if len(polygons) == 0 {
		return "边界没有多边形 / a boundary without a polygon"
	}
	for _, p := range polygons {
		if len(p) == 0 {
			return "多边形没有环 / a polygon without a ring"
		}
		for _, ring := range p {
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return "每个环须闭合且至少 4 个点 / each ring must be closed, of 4 positions at least"
			}
			for _, pt := range ring {
				if pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
					return "坐标须为经度、纬度 / positions must be longitude, latitude"
				}
			}
		}
	}
	return ""
}

// Unit is a space a project can be given in a block: a land parcel, a
// floor of an industrial building or a standard plant. The fields of a
// kind are zero for the others; a zero number is unknown, not nothing.
type Unit struct {
	ID        int64  `json:"id"`
	BlockID   int64  `json:"block_id"`
	BlockCode string `json:"block_code,omitempty"` // read from the block
	Kind      Kind   `json:"kind"`
	Code      string `json:"code"` // the unit's number, unique in its block: 地块编号, building and floor, plant number
	Name      string `json:"name,omitempty"`
	AreaM2    int64  `json:"area_m2"` // land: the parcel; a floor or a plant: its floor area
	// Land.
	LandUse   string `json:"land_use,omitempty"`   // e.g. M1 一类工业用地, M0 新型产业用地
	PlotRatio int    `json:"plot_ratio,omitempty"` // 容积率 in hundredths: 250 is 2.5
	HeightM   int    `json:"height_m,omitempty"`   // height limit
	// Floors.
	Building    string `json:"building,omitempty"`
	Level       int    `json:"level,omitempty"`
	LoadKgM2    int    `json:"load_kg_m2,omitempty"` // floor load
	CeilingCM   int    `json:"ceiling_cm,omitempty"` // clear height
	FreightLift bool   `json:"freight_lift,omitempty"`
	// Every kind.
	PowerKVA int      `json:"power_kva,omitempty"`
	Env      EnvClass `json:"env_class,omitempty"`
	// PriceFen is a land parcel's transfer price or a floor's sale price,
	// in all; RentFenM2Month a floor's or a plant's rent per m² and month.
	// Officials see them; the public does not (authz).
	PriceFen       *chanye.Fen `json:"price_fen,omitempty"`
	RentFenM2Month *chanye.Fen `json:"rent_fen_m2_month,omitempty"`
	Status         Status      `json:"status"`
	// AvailableOn is the first day it can be had (zero: now).
	AvailableOn chanye.Date `json:"available_on,omitzero"`
	Demo        bool        `json:"demo,omitempty"`
}

// Validate checks a unit and trims its texts: a block, a kind, a code, an
// area of 1 m² to MaxUnitAreaM2, the numbers of its kind within their
// bounds (a plot ratio, a height for land; a level, a load, a ceiling for
// a floor), a power within MaxPowerKVA, a known environmental class,
// prices of 0 to chanye.MaxProjectFen and rents to MaxRentFenM2Month (a
// rent only for floors and plants), and a known status (reserve only for
// land; "" is taken as available).
func (u *Unit) Validate() error {
	bad := map[string]string{}
	u.Code, u.Name, u.LandUse, u.Building = strings.TrimSpace(u.Code), strings.TrimSpace(u.Name), strings.TrimSpace(u.LandUse), strings.TrimSpace(u.Building)
	if u.BlockID <= 0 {
		bad["block_id"] = "必填 / required"
	}
	if !u.Kind.Valid() {
		bad["kind"] = "须为 land、floor 或 plant / must be land, floor or plant"
	}
	checkCode("code", u.Code, bad)
	checkName("name", u.Name, false, bad)
	checkRange("area_m2", u.AreaM2, 1, MaxUnitAreaM2, bad)
	if utf8.RuneCountInString(u.LandUse) > MaxLandUseRunes {
		bad["land_use"] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxLandUseRunes, MaxLandUseRunes)
	}
	checkName("building", u.Building, false, bad)
	checkRange("plot_ratio", int64(u.PlotRatio), 0, MaxPlotRatio, bad)
	checkRange("height_m", int64(u.HeightM), 0, MaxHeightM, bad)
	checkRange("level", int64(u.Level), -10, MaxLevel, bad)
	checkRange("load_kg_m2", int64(u.LoadKgM2), 0, MaxLoadKgM2, bad)
	checkRange("ceiling_cm", int64(u.CeilingCM), 0, MaxCeilingCM, bad)
	checkRange("power_kva", int64(u.PowerKVA), 0, MaxPowerKVA, bad)
	if !u.Env.Valid() {
		bad["env_class"] = "须为 1（M1）、2（M2）或 3（M3）/ must be 1 (M1), 2 (M2) or 3 (M3)"
	}
	if u.PriceFen != nil {
		if msg := chanye.CheckFen(*u.PriceFen, chanye.MaxProjectFen); msg != "" {
			bad["price_fen"] = msg
		}
	}
	if u.RentFenM2Month != nil {
		if msg := chanye.CheckFen(*u.RentFenM2Month, MaxRentFenM2Month); msg != "" {
			bad["rent_fen_m2_month"] = msg
		} else if u.Kind == Land {
			bad["rent_fen_m2_month"] = "地块出让，不出租 / land is transferred, not rented"
		}
	}
	if u.Status == "" {
		u.Status = Available
	}
	if !u.Status.Valid() {
		bad["status"] = "须为 reserve、available、held 或 allocated / unknown status"
	}
	// The fields of one kind, for a known kind.
	switch {
	case !u.Kind.Valid():
	case u.Kind != Land && (u.PlotRatio != 0 || u.HeightM != 0):
		bad["plot_ratio"] = "容积率和限高只属于地块 / a plot ratio and a height limit are a parcel's"
	case u.Kind != Floor && (u.Level != 0 || u.Building != ""):
		bad["level"] = "楼栋和楼层只属于产业楼层 / a building and a level are a floor's"
	case u.Status == Reserve && u.Kind != Land:
		bad["status"] = "只有地块有储备 / only land is held in reserve"
	}
	return chanye.Invalid("产业空间有误 / invalid space unit", bad)
}

// Offered reports whether u can be held or allocated today: available,
// and available on today or before.
func (u *Unit) Offered(today chanye.Date) bool {
	return u.Status == Available && !u.AvailableOn.After(today.Time)
}
