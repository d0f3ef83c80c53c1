package web

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/space"
)

// The pages of the industrial space (产业空间): the map of the blocks with
// their ranking by 亩均 (this file), a block's and a unit's pages with the
// forms that keep the inventory, hold and allocate (space_units.go), the
// routing of a project's or a lead's needs (space_route.go) and the
// administrators' settings. Everyone sees the blocks and the available
// units; prices, holds, allocations and 亩均 are the officials'. Forms
// show only to roles the rules let use them; the guarded services decide
// each record.

// SpaceServices are the guarded services of the industrial space pages;
// the pages answer 404 without them.
type SpaceServices struct {
	Inventory   space.InventoryService
	Allocations space.AllocationService
	Use         space.UseService
}

func (s *Server) spaceServices() (*SpaceServices, error) {
	sp := &s.cfg.Space
	if sp.Inventory == nil || sp.Allocations == nil || sp.Use == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return sp, nil
}

// seesUse reports whether a reads the use of the blocks (亩均), the holds
// and every allocation: the officials.
func seesUse(a *chanye.Actor) bool { return may(a, authz.SpaceRules(), authz.ReadUse) }

// seesPrices reports whether a reads prices, rents and the units that are
// not available: the officials (authz redacts them for the others).
func seesPrices(a *chanye.Actor) bool {
	return a != nil && a.Role != chanye.RoleEnterprise && a.Role != chanye.RolePublic
}

// spaceNames are the names the space pages show: industries and districts
// by id, in the reader's language, and the catalog's lists of them.
type spaceNames struct {
	inds, districts map[string]string
	indList         []*chanye.Industry
	distList        []chanye.District
}

func (s *Server) spaceNames(ctx context.Context, l Lang) (*spaceNames, error) {
	n := &spaceNames{districts: map[string]string{}}
	var err error
	if n.inds, n.indList, err = s.industryNames(ctx, l); err != nil {
		return nil, err
	}
	c, err := s.cfg.Catalog.FindCatalog(ctx)
	if err != nil && !hidden(err) {
		return nil, err
	}
	if c != nil {
		n.distList = c.Districts
		for _, d := range c.Districts {
			n.districts[d.Code] = l.Pick(d.NameZH, d.NameEN)
		}
	}
	return n, nil
}

func (n *spaceNames) district(code string) string { return orDefault(n.districts[code], code) }

// industries names a block's industries, joined.
func (n *spaceNames) industries(l Lang, ids []string) string {
	var out []string
	for _, id := range ids {
		out = append(out, orDefault(n.inds[id], id))
	}
	return strings.Join(out, l.Pick("、", ", "))
}

// districtOptions are the choices of a district, first "" named first.
func (n *spaceNames) districtOptions(first, selected string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first, selected == ""})
	}
	for _, d := range n.distList {
		out = append(out, option{d.Code, n.districts[d.Code], d.Code == selected})
	}
	return out
}

// industryOptions are the choices of an industry, first "" named first.
func (n *spaceNames) industryOptions(first string, selected ...string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{"", first, len(selected) == 0 || selected[0] == ""})
	}
	for _, ind := range n.indList {
		out = append(out, option{ind.ID, n.inds[ind.ID], slices.Contains(selected, ind.ID)})
	}
	return out
}

// areaText writes square metres with separators.
func areaText(m2 int64) string { return group(m2) + " m²" }

// muText writes square metres in 亩 (15 亩 a hectare), to two places.
func muText(l Lang, m2 int64) string {
	return trimZeros(scaled(m2*space.MuDenominator, space.MuNumerator, 2)) + l.Pick(" 亩", " mu")
}

// perMille writes a share in per mille as a percentage; nil is unknown.
func perMille(l Lang, v *int64) string {
	if v == nil {
		return l.T("sp.unknown")
	}
	return strconv.FormatInt(*v/10, 10) + "." + strconv.FormatInt(*v%10, 10) + "%"
}

// perMuText writes an amount per 亩 in 万元, exact to the fen; nil is
// unknown (未知), never 0.
func perMuText(l Lang, f *chanye.Fen) string {
	if f == nil {
		return l.T("sp.unknown")
	}
	return trimZeros(scaled(int64(*f), fenPerWan, 4)) + l.Pick(" 万元/亩", " 10k yuan/mu")
}

// rentText writes a rent per m² and month in yuan, exact.
func rentText(l Lang, f *chanye.Fen) string {
	if f == nil {
		return ""
	}
	return yuan(*f) + l.Pick(" 元/m²/月", " yuan/m²/month")
}

// ruleText says the size rule in words.
func ruleText(l Lang, r space.SizeRule) string {
	return l.Tf("sp.rule.text", exactMoney(l, r.LargeFen), group(r.LargeAreaM2), exactMoney(l, r.MediumFen), group(r.MediumAreaM2))
}

// blockRow is a block as the lists show it, with its use when the reader
// sees it.
type blockRow struct {
	ID                             int64
	Href, Code, Name               string
	District, DistrictCode         string
	Industries                     string
	Area, Mu                       string
	Units, Available               int
	Held, Allocated                int
	Occupancy, Revenue, Tax, VA    string
	Land                           string // land transferred: the 亩均 base
	Value                          string // the map's value, in words
	Firms, Missing, Rank           int
	Flags                          []string
	Drawn, Schematic, Demo, HasUse bool
}

func (n *spaceNames) blockRow(l Lang, b *space.Block) blockRow {
	return blockRow{ID: b.ID, Href: "/space/blocks/" + strconv.FormatInt(b.ID, 10), Code: b.Code, Name: b.Name,
		District: n.district(b.DistrictCode), DistrictCode: b.DistrictCode, Industries: n.industries(l, b.Industries),
		Area: areaText(b.AreaM2), Mu: muText(l, b.AreaM2), Drawn: len(b.Boundary) > 0, Schematic: b.Schematic, Demo: b.Demo}
}

func (n *spaceNames) useRow(l Lang, u *space.BlockUse) blockRow {
	row := n.blockRow(l, u.Block)
	row.HasUse, row.Units, row.Available, row.Held, row.Allocated = true, u.Units, u.Available, u.Held, u.Allocated
	row.Occupancy, row.Revenue, row.Tax, row.VA = perMille(l, u.OccupancyPerMille), perMuText(l, u.RevenuePerMu), perMuText(l, u.TaxPerMu), perMuText(l, u.VAPerMu)
	row.Land, row.Firms, row.Missing, row.Rank = muText(l, u.LandM2), u.Firms, u.Missing, u.Rank
	for _, f := range u.Flags {
		row.Flags = append(row.Flags, l.Pick(f.TextZH, f.TextEN))
	}
	return row
}

// spaceMap is the map's data for charts.js: the blocks' boundaries as a
// GeoJSON FeatureCollection, each feature named by the block's code, and
// the value that colours each.
type spaceMap struct {
	Name   string        `json:"name"`
	Geo    geoCollection `json:"geo"`
	Items  []mapItem     `json:"items"`
	Metric string        `json:"metric"`
	Max    json.Number   `json:"max"`
	Note   string        `json:"note,omitempty"`
	Low    string        `json:"low"`
	High   string        `json:"high"`
}

type geoCollection struct {
	Type     string       `json:"type"`
	Features []geoFeature `json:"features"`
}

type geoFeature struct {
	Type       string          `json:"type"`
	Properties geoName         `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

type geoName struct {
	Name string `json:"name"`
}

// mapItem is a block on the map: its value (nil unknown), the value in
// words and the page it opens.
type mapItem struct {
	Name  string       `json:"name"`
	Label string       `json:"label"`
	Value *json.Number `json:"value"`
	Text  string       `json:"text"`
	Href  string       `json:"href"`
}

// The map's colourings.
const (
	colourOccupancy = "occupancy"
	colourTax       = "tax"
	colourAvailable = "available"
)

// spaceView is the map of the blocks and their list.
// rollupRow is a district's or an industry's use as the page shows it.
type rollupRow struct {
	*space.Rollup
	Name, Mu, Occupancy, Vacancy, Revenue, Tax, VA string
}

// rollupTable is one of the page's tables of sums.
type rollupTable struct {
	ID, Caption, KeyLabel string
	Rows                  []rollupRow
}

// Rollups are the tables by district and by industry.
func (v *spaceView) Rollups() []rollupTable {
	return []rollupTable{{"sp-by-district", v.L.T("sp.by.district"), v.L.T("sp.district"), v.ByDistrict},
		{"sp-by-industry", v.L.T("sp.by.industry"), v.L.T("sp.industries"), v.ByIndustry}}
}

// rollups sums uses by keys (space.Roll), each group named by name.
func rollups(l Lang, uses []*space.BlockUse, keys func(*space.Block) []string, name func(string) string) ([]rollupRow, error) {
	rs, err := space.Roll(uses, keys)
	if err != nil {
		return nil, err
	}
	out := make([]rollupRow, 0, len(rs))
	for _, r := range rs {
		out = append(out, rollupRow{Rollup: r, Name: name(r.Key), Mu: muText(l, r.LandM2), Occupancy: perMille(l, r.OccupancyPerMille),
			Vacancy: perMille(l, r.VacancyPerMille), Revenue: perMuText(l, r.RevenuePerMu), Tax: perMuText(l, r.TaxPerMu), VA: perMuText(l, r.VAPerMu)})
	}
	return out, nil
}

type spaceView struct {
	page
	Districts, Industries, Colours []option
	District, Industry, Colour     string
	ColourName                     string
	Rows                           []blockRow
	Drawn, Undrawn                 []blockRow
	Map                            *spaceMap
	MapAlt                         string
	Schematic, Official, MayWrite  bool
	Rule                           string
	// ByDistrict and ByIndustry sum the blocks selected (officials).
	ByDistrict, ByIndustry []rollupRow
	// The new block form.
	BlockDistricts, BlockIndustries []option
	stepForm
	pager
}

func (s *Server) spacePage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSpace(w, r, http.StatusOK, nil)
}

// renderSpace shows the map and the list of the blocks the filter
// selects; cause is a refused new block, shown with what was typed.
func (s *Server) renderSpace(w http.ResponseWriter, r *http.Request, status int, cause error) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	v := &spaceView{page: s.newPage(r, "space")}
	ctx, l, q, a := r.Context(), v.L, r.URL.Query(), v.Actor
	v.Title = l.T("sp.title")
	if cause != nil {
		v.refused(r, "block", cause)
	}
	names, err := s.spaceNames(ctx, l)
	if err != nil {
		return err
	}
	v.Official = seesUse(a)
	v.MayWrite = may(a, authz.SpaceRules(), authz.WriteInventory)
	v.District, v.Industry = q.Get("district"), q.Get("industry")
	v.Districts = names.districtOptions(l.T("ent.all"), v.District)
	v.Industries = names.industryOptions(l.T("ent.all"), v.Industry)
	f := space.BlockFilter{}
	if v.District != "" {
		f.DistrictCode = &v.District
	}
	if v.Industry != "" {
		f.IndustryID = &v.Industry
	}
	bad := map[string]string{}
	v.pager.read(q, bad)
	colours := []string{colourAvailable}
	if v.Official {
		colours = []string{colourOccupancy, colourTax, colourAvailable}
	}
	v.Colour = cmp.Or(q.Get("colour"), colours[0])
	if !slices.Contains(colours, v.Colour) {
		bad["colour"] = "未知着色 / unknown colouring"
	}
	for _, c := range colours {
		v.Colours = append(v.Colours, option{c, l.T("sp.colour." + c), c == v.Colour})
	}
	v.ColourName = l.T("sp.colour." + v.Colour)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	var all []blockRow
	var uses []*space.BlockUse
	var blocks []*space.Block // all's, in its order
	if v.Official {
		if uses, err = svc.Use.FindBlockUse(ctx, f); err != nil {
			return err
		}
		for _, u := range uses {
			all = append(all, names.useRow(l, u))
			blocks = append(blocks, u.Block)
		}
		if v.ByDistrict, err = rollups(l, uses, space.ByDistrict, names.district); err != nil {
			return err
		}
		if v.ByIndustry, err = rollups(l, uses, space.ByIndustry,
			func(id string) string { return orDefault(names.inds[id], id) }); err != nil {
			return err
		}
	} else {
		if blocks, err = allBlocks(ctx, svc.Inventory, f); err != nil {
			return err
		}
		avail, err := availableByBlock(ctx, svc.Inventory, f)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			row := names.blockRow(l, b)
			row.Available = avail[b.ID]
			all = append(all, row)
		}
	}
	v.link(r.URL, len(all))
	from := min(v.offset(), len(all))
	v.Rows = all[from:min(from+pageSize, len(all))]
	for i := range all {
		v.Demo = v.Demo || all[i].Demo
	}
	v.Map = &spaceMap{Name: "space-blocks", Geo: geoCollection{Type: "FeatureCollection", Features: []geoFeature{}}, Items: []mapItem{},
		Metric: v.ColourName}
	var top int64
	for i, row := range all {
		if !row.Drawn {
			v.Undrawn = append(v.Undrawn, row)
			continue
		}
		var value *int64
		if v.Official {
			value, row.Value = mapValue(l, v.Colour, uses[i])
		} else {
			n := int64(row.Available)
			value, row.Value = &n, strconv.Itoa(row.Available)
		}
		v.Schematic = v.Schematic || row.Schematic
		v.Map.Geo.Features = append(v.Map.Geo.Features, geoFeature{Type: "Feature", Properties: geoName{row.Code}, Geometry: blocks[i].Boundary})
		item := mapItem{Name: row.Code, Label: row.Code + " " + row.Name, Text: row.Value, Href: row.Href}
		if value != nil {
			top = max(top, *value)
			n := mapNumber(v.Colour, *value)
			item.Value = &n
		}
		v.Map.Items = append(v.Map.Items, item)
		v.Drawn = append(v.Drawn, row)
	}
	v.Map.Max = mapNumber(v.Colour, top)
	v.Map.Low, v.Map.High = "0", mapLabel(l, v.Colour, top)
	if v.Schematic {
		v.Map.Note = l.T("sp.schematic")
	}
	v.MapAlt = l.Tf("sp.map.alt", len(v.Drawn), v.ColourName)
	if v.MayWrite {
		v.BlockDistricts = names.districtOptions("", v.Kept("block", "district_code"))
		if a.Role == chanye.RoleDistrict {
			// A district keeps its own blocks only.
			v.BlockDistricts = slices.DeleteFunc(v.BlockDistricts, func(o option) bool { return o.Value != a.District })
		}
		v.BlockIndustries = names.industryOptions("", r.PostForm["industries"]...)
	}
	rule, err := svc.Allocations.FindSizeRule(ctx)
	if err != nil {
		return err
	}
	v.Rule = ruleText(l, rule)
	return s.renderStatus(w, status, "space", v)
}

// mapValue is the value of block use u the map colours by, and the value
// in words; nil when unknown.
func mapValue(l Lang, colour string, u *space.BlockUse) (*int64, string) {
	switch colour {
	case colourOccupancy:
		return u.OccupancyPerMille, perMille(l, u.OccupancyPerMille)
	case colourTax:
		if u.TaxPerMu == nil {
			return nil, perMuText(l, nil)
		}
		v := int64(*u.TaxPerMu)
		return &v, perMuText(l, u.TaxPerMu)
	}
	n := int64(u.Available)
	return &n, strconv.Itoa(u.Available)
}

// mapNumber is a value of the map as the chart reads it: a percentage, 万元
// a 亩, or a count.
func mapNumber(colour string, v int64) json.Number {
	switch colour {
	case colourOccupancy:
		return chartNumber(v, 10, 1)
	case colourTax:
		return chartNumber(v, fenPerWan, 2)
	}
	return json.Number(strconv.FormatInt(v, 10))
}

// mapLabel is the top of the map's scale in words.
func mapLabel(l Lang, colour string, v int64) string {
	switch colour {
	case colourOccupancy:
		return perMille(l, &v)
	case colourTax:
		f := chanye.Fen(v)
		return perMuText(l, &f)
	}
	return strconv.FormatInt(v, 10)
}

// allBlocks reads every block the filter selects, page by page.
func allBlocks(ctx context.Context, inv space.InventoryService, f space.BlockFilter) ([]*space.Block, error) {
	var out []*space.Block
	f.Limit = space.MaxPage
	for {
		bs, total, err := inv.FindBlocks(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, bs...)
		f.Offset += len(bs)
		if len(bs) == 0 || f.Offset >= total {
			return out, nil
		}
	}
}

// availableByBlock counts the available units of the blocks the filter
// selects, by block id.
func availableByBlock(ctx context.Context, inv space.InventoryService, f space.BlockFilter) (map[int64]int, error) {
	st := space.Available
	uf := space.UnitFilter{Status: &st, DistrictCode: f.DistrictCode, IndustryID: f.IndustryID, Limit: space.MaxPage}
	out := map[int64]int{}
	for {
		us, total, err := inv.FindUnits(ctx, uf)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			out[u.BlockID]++
		}
		uf.Offset += len(us)
		if len(us) == 0 || uf.Offset >= total {
			return out, nil
		}
	}
}

// blockForm reads a block from the form of a new block or a block's edit
// form: the fields as the domain names them.
func blockForm(r *http.Request, bad map[string]string) *space.Block {
	fv := r.PostFormValue
	b := &space.Block{Code: fv("code"), Name: fv("name"), DistrictCode: fv("district_code"), AreaM2: formInt64(fv("area_m2"), "area_m2", bad),
		Industries: r.PostForm["industries"], Schematic: fv("schematic") != ""}
	if b.Industries == nil {
		b.Industries = []string{}
	}
	if x := strings.TrimSpace(fv("boundary")); x != "" {
		b.Boundary = json.RawMessage(x)
		if !json.Valid(b.Boundary) {
			bad["boundary"] = "边界须为 GeoJSON 几何对象 / a boundary must be a GeoJSON geometry"
		}
	}
	return b
}

// formInt64 reads a whole number of a form into bad under key; "" is 0,
// which the domain refuses where it needs one.
func formInt64(s, key string, bad map[string]string) int64 {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		bad[key] = "须为整数 / must be a whole number"
	}
	return n
}

// spaceBlockCreate stores a new block from the form on /space.
func (s *Server) spaceBlockCreate(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	if err := readForm(r, authz.SpaceRules(), authz.WriteInventory); err != nil {
		return err
	}
	bad := map[string]string{}
	b := blockForm(r, bad)
	if len(bad) > 0 {
		err = chanye.Invalid("产业区块有误 / invalid industrial block", bad)
	} else {
		err = svc.Inventory.CreateBlock(r.Context(), b)
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/space/blocks/"+strconv.FormatInt(b.ID, 10)+"?done=created", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderSpace(w, r, httpmw.Status(chanye.ErrorCode(err)), err)
	}
	return err
}

// spaceSettingsView is the size rule and the 亩均 thresholds, with the
// administrators' forms.
type spaceSettingsView struct {
	page
	Rule                 space.SizeRule
	Thresholds           space.Thresholds
	RuleText             string
	LargeWan, MediumWan  string
	MinTaxWan, MinRevWan string
	MayWrite             bool
	Done                 string
	stepForm
}

func (s *Server) spaceSettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderSpaceSettings(w, r, http.StatusOK, "", nil)
}

// renderSpaceSettings shows the settings; step and cause are a refused
// form, shown with what was typed.
func (s *Server) renderSpaceSettings(w http.ResponseWriter, r *http.Request, status int, step string, cause error) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	v := &spaceSettingsView{page: s.newPage(r, "space")}
	ctx, l := r.Context(), v.L
	if err := refuse(v.Actor, authz.SpaceRules(), authz.ReadUse); err != nil {
		return err
	}
	v.Title = l.T("sp.settings")
	if cause != nil {
		v.refused(r, step, cause)
	}
	if v.Rule, err = svc.Allocations.FindSizeRule(ctx); err != nil {
		return err
	}
	if v.Thresholds, err = svc.Use.FindUseThresholds(ctx); err != nil {
		return err
	}
	v.RuleText = ruleText(l, v.Rule)
	v.LargeWan, v.MediumWan = wanText(v.Rule.LargeFen), wanText(v.Rule.MediumFen)
	v.MinTaxWan, v.MinRevWan = wanText(v.Thresholds.MinTaxPerMuFen), wanText(v.Thresholds.MinRevenuePerMuFen)
	v.MayWrite = may(v.Actor, authz.SpaceRules(), authz.WriteSpaceSettings)
	if done := r.URL.Query().Get("done"); done == "rule" || done == "thresholds" {
		v.Done = l.T("sp.done." + done)
	}
	return s.renderStatus(w, status, "space_settings", v)
}

// spaceRuleSave sets the size rule from its form.
func (s *Server) spaceRuleSave(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	if err := readForm(r, authz.SpaceRules(), authz.WriteSpaceSettings); err != nil {
		return err
	}
	fv := r.PostFormValue
	bad := map[string]string{}
	rule := space.SizeRule{LargeFen: parseWan(fv("large_fen"), "large_fen", bad), LargeAreaM2: formInt64(fv("large_area_m2"), "large_area_m2", bad),
		MediumFen: parseWan(fv("medium_fen"), "medium_fen", bad), MediumAreaM2: formInt64(fv("medium_area_m2"), "medium_area_m2", bad)}
	if len(bad) > 0 {
		err = chanye.Invalid("分级规则有误 / invalid size rule", bad)
	} else {
		err = svc.Allocations.PutSizeRule(r.Context(), rule)
	}
	return s.settingsDone(w, r, "rule", err)
}

// spaceThresholdsSave sets the 亩均 thresholds from their form.
func (s *Server) spaceThresholdsSave(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	if err := readForm(r, authz.SpaceRules(), authz.WriteSpaceSettings); err != nil {
		return err
	}
	fv := r.PostFormValue
	bad := map[string]string{}
	th := space.Thresholds{MinTaxPerMuFen: parseWan(fv("min_tax_per_mu_fen"), "min_tax_per_mu_fen", bad),
		MinRevenuePerMuFen: parseWan(fv("min_revenue_per_mu_fen"), "min_revenue_per_mu_fen", bad), IdleDays: formInt(fv("idle_days"), "idle_days", bad)}
	if len(bad) > 0 {
		err = chanye.Invalid("亩均阈值有误 / invalid thresholds", bad)
	} else {
		err = svc.Use.PutUseThresholds(r.Context(), th)
	}
	return s.settingsDone(w, r, "thresholds", err)
}

// settingsDone goes back to the settings after a form of step, or shows
// them again with its refusal.
func (s *Server) settingsDone(w http.ResponseWriter, r *http.Request, step string, err error) error {
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/space/settings?done="+step, http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderSpaceSettings(w, r, httpmw.Status(chanye.ErrorCode(err)), step, err)
	}
	return err
}

// fieldArg is a field of a space form with its label, what it holds (what
// was typed when its form was refused) and its error.
type fieldArg struct {
	ID, Name, Label, Type, Mode, Value, Err string
}

// formField makes field name of step's form: id sp-<step>-<name>, label
// the message of labelKey; typ is an input type, or "decimal" and "int"
// for text typed as numbers. def is what it holds unless refused.
func formField(f *stepForm, l Lang, step, name, labelKey, typ string, def ...string) fieldArg {
	a := fieldArg{ID: "sp-" + step + "-" + strings.ReplaceAll(name, "_", "-"), Name: name, Label: l.T(labelKey), Type: typ, Err: f.Err(step, name)}
	switch typ {
	case "decimal":
		a.Type, a.Mode = "text", "decimal"
	case "int":
		a.Type, a.Mode = "text", "numeric"
	}
	if f.Failed == step {
		a.Value = f.Kept(step, name)
	} else if len(def) > 0 {
		a.Value = def[0]
	}
	return a
}

// F is a field of the new block form.
func (v *spaceView) F(step, name, labelKey, typ string, def ...string) fieldArg {
	return formField(&v.stepForm, v.L, step, name, labelKey, typ, def...)
}

// F is a field of the settings' forms.
func (v *spaceSettingsView) F(step, name, labelKey, typ string, def ...string) fieldArg {
	return formField(&v.stepForm, v.L, step, name, labelKey, typ, def...)
}

// HasUseNav reports whether the space pages link the settings: for the
// officials, who read the thresholds.
func (p page) HasUseNav() bool { return seesUse(p.Actor) }
