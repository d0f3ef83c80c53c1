package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/space"
)

// A block's page (its facts, its units by kind, the firms on it, its 亩均
// and the forms that keep it) and a unit's page (its facts, its holds and
// allocations, and the forms that hold, release, allocate and end).

// unitRow is a unit as the pages show it; prices only for officials (the
// guarded service clears them for the others).
type unitRow struct {
	ID                         int64
	Href, Code, Name           string
	Kind, KindName             string
	Status, StatusName         string
	Area, AvailableOn          string
	LandUse, PlotRatio, Height string
	Building, Level, Load      string
	Ceiling, Power, Env        string
	FreightLift                bool
	Price, Rent                string
	BlockID                    int64
	BlockHref, BlockCode       string
	Demo                       bool
}

func newUnitRow(l Lang, u *space.Unit) unitRow {
	row := unitRow{ID: u.ID, Href: "/space/units/" + strconv.FormatInt(u.ID, 10), Code: u.Code, Name: u.Name, Kind: string(u.Kind),
		KindName: l.Pick(u.Kind.NameZH(), u.Kind.NameEN()), Status: string(u.Status), StatusName: l.Pick(u.Status.NameZH(), u.Status.NameEN()),
		Area: areaText(u.AreaM2), LandUse: u.LandUse, Building: u.Building, FreightLift: u.FreightLift, Env: u.Env.String(),
		BlockID: u.BlockID, BlockHref: "/space/blocks/" + strconv.FormatInt(u.BlockID, 10), BlockCode: u.BlockCode, Demo: u.Demo}
	if !u.AvailableOn.IsZero() {
		row.AvailableOn = u.AvailableOn.String()
	}
	num := func(n int, unit string) string {
		if n == 0 {
			return ""
		}
		return group(int64(n)) + unit
	}
	if u.PlotRatio > 0 {
		row.PlotRatio = trimZeros(scaled(int64(u.PlotRatio), 100, 2))
	}
	row.Height, row.Load, row.Ceiling, row.Power = num(u.HeightM, " m"), num(u.LoadKgM2, " kg/m²"), num(u.CeilingCM, " cm"), num(u.PowerKVA, " kVA")
	if u.Kind == space.Floor {
		row.Level = strconv.Itoa(u.Level)
	}
	if u.PriceFen != nil {
		row.Price = exactMoney(l, *u.PriceFen)
	}
	row.Rent = rentText(l, u.RentFenM2Month)
	return row
}

// buildingRow is a building's floors on a block's page.
type buildingRow struct {
	Name   string
	Floors []unitRow
}

// firmRow is a firm on a block: an active allocation of one of its units.
type firmRow struct {
	Code, Name, Href string
	Unit, UnitHref   string
	Kind, From, To   string
}

func allocKindName(l Lang, k space.AllocKind) string { return l.T("sp.alloc." + string(k)) }

// blockView is a block's page.
type blockView struct {
	page
	Row                       blockRow
	Block                     *space.Block
	Boundary                  string
	Land, Plants              []unitRow
	Buildings                 []buildingRow
	UnitTotal                 int
	Firms                     []firmRow
	Official, Prices          bool
	MayEdit, MayAddUnit       bool
	Districts, Industries     []option
	Kinds, Envs, UnitStatuses []option
	Done                      string
	stepForm
}

func (s *Server) spaceBlockPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.blockView(r)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); messages["sp.done."+done] != [2]string{} {
		v.Done = v.L.T("sp.done." + done)
	}
	return s.render(w, "space_block", v)
}

func (s *Server) blockView(r *http.Request) (*blockView, error) {
	svc, err := s.spaceServices()
	if err != nil {
		return nil, err
	}
	id, err := pathInt(r, "id", "产业区块", "block")
	if err != nil {
		return nil, err
	}
	v := &blockView{page: s.newPage(r, "space")}
	ctx, l, a := r.Context(), v.L, v.Actor
	b, err := svc.Inventory.FindBlockByID(ctx, id)
	if err != nil {
		return nil, err
	}
	names, err := s.spaceNames(ctx, l)
	if err != nil {
		return nil, err
	}
	v.Block, v.Row, v.Demo = b, names.blockRow(l, b), b.Demo
	v.Title = b.Name
	v.Official, v.Prices = seesUse(a), seesPrices(a)
	if v.Official {
		// The rank is the city's: the use of every block.
		uses, err := svc.Use.FindBlockUse(ctx, space.BlockFilter{})
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(uses, func(u *space.BlockUse) bool { return u.Block.ID == id }); i >= 0 {
			v.Row = names.useRow(l, uses[i])
		}
	}
	units, total, err := svc.Inventory.FindUnits(ctx, space.UnitFilter{BlockID: &id, Limit: space.MaxPage})
	if err != nil {
		return nil, err
	}
	v.UnitTotal = total
	var allocated []*space.Unit
	for _, u := range units {
		row := newUnitRow(l, u)
		switch u.Kind {
		case space.Land:
			v.Land = append(v.Land, row)
		case space.Plant:
			v.Plants = append(v.Plants, row)
		default:
			i := slices.IndexFunc(v.Buildings, func(g buildingRow) bool { return g.Name == u.Building })
			if i < 0 {
				v.Buildings = append(v.Buildings, buildingRow{Name: u.Building})
				i = len(v.Buildings) - 1
			}
			v.Buildings[i].Floors = append(v.Buildings[i].Floors, row)
		}
		if u.Status == space.Allocated {
			allocated = append(allocated, u)
		}
	}
	if !v.Official {
		v.Row.Available = total
	}
	// The firms on the block: the active allocations of its allocated
	// units, for those who read allocations.
	today := chanye.DateOf(s.now())
	for _, u := range allocated {
		uid := u.ID
		xs, _, err := svc.Allocations.FindAllocations(ctx, space.AllocationFilter{UnitID: &uid, Limit: space.MaxPage})
		if hidden(err) {
			break
		} else if err != nil {
			return nil, err
		}
		for _, x := range xs {
			if x.Ended || (!x.To.IsZero() && x.To.Before(today.Time)) {
				continue // over: a lease may start later
			}
			row := firmRow{Code: x.Code, Name: orDefault(x.Name, x.Code), Href: "/enterprises/" + url.PathEscape(x.Code), Unit: u.Code,
				UnitHref: "/space/units/" + strconv.FormatInt(u.ID, 10), Kind: allocKindName(l, x.Kind), From: x.From.String()}
			if !x.To.IsZero() {
				row.To = x.To.String()
			}
			v.Firms = append(v.Firms, row)
		}
	}
	if len(b.Boundary) > 0 {
		v.Boundary = string(b.Boundary)
	}
	v.MayEdit = mayKeep(a, b.DistrictCode)
	v.MayAddUnit = v.MayEdit
	if v.MayEdit {
		kept := func(field, stored string) string {
			if v.Failed == "block" {
				return v.Form.Get(field)
			}
			return stored
		}
		sel := b.Industries
		if v.Failed == "block" {
			sel = v.Form["industries"]
		}
		v.Districts = names.districtOptions("", kept("district_code", b.DistrictCode))
		v.Industries = names.industryOptions("", sel...)
		for _, k := range space.Kinds {
			v.Kinds = append(v.Kinds, option{string(k.Kind), l.Pick(k.NameZH, k.NameEN), string(k.Kind) == v.Kept("unit", "kind")})
		}
		v.Envs = envOptions(l, v.Kept("unit", "env_class"))
		for _, st := range []space.Status{space.Available, space.Reserve} {
			v.UnitStatuses = append(v.UnitStatuses, option{string(st), l.Pick(st.NameZH(), st.NameEN()), string(st) == v.Kept("unit", "status")})
		}
	}
	return v, nil
}

// mayKeep reports whether a may change the blocks and units of district
// code: administrators and departments any, a district its own.
func mayKeep(a *chanye.Actor, district string) bool {
	switch authz.SpaceRules().Grant(a.Role, authz.WriteInventory) {
	case authz.Allow:
		return true
	case authz.Own:
		return a.Role == chanye.RoleDistrict && a.District != "" && a.District == district
	}
	return false
}

// keeps refuses, before its form is read, one who may not keep the
// blocks of district: a district another's (the service would refuse it
// too, but after the form's field errors).
func keeps(r *http.Request, district string) error {
	if a := chanye.ActorFrom(r.Context()); !mayKeep(a, district) {
		return chanye.Errorf(chanye.EFORBIDDEN, "无权操作 / may not %s", authz.WriteInventory)
	}
	return nil
}

// allocatesUnit refuses, before its form is read, one who may not
// allocate unit id: a district the units of another's blocks.
func allocatesUnit(r *http.Request, svc *SpaceServices, id int64) error {
	ctx := r.Context()
	u, err := svc.Inventory.FindUnitByID(ctx, id)
	if err != nil {
		return err
	}
	b, err := svc.Inventory.FindBlockByID(ctx, u.BlockID)
	if err != nil {
		return err
	}
	if !mayAllocateIn(chanye.ActorFrom(ctx), b.DistrictCode) {
		return chanye.Errorf(chanye.EFORBIDDEN, "无权操作 / may not %s", authz.AllocateUnits)
	}
	return nil
}

// mayAllocateIn reports whether a may allocate the units of district
// code, release their holds and end their allocations.
func mayAllocateIn(a *chanye.Actor, district string) bool {
	switch authz.SpaceRules().Grant(a.Role, authz.AllocateUnits) {
	case authz.Allow:
		return true
	case authz.Own:
		return a.Role == chanye.RoleDistrict && a.District != "" && a.District == district
	}
	return false
}

// envOptions are the environmental classes, unknown first.
func envOptions(l Lang, selected string) []option {
	out := []option{{"0", l.T("sp.env.any"), selected == "" || selected == "0"}}
	for _, c := range []space.EnvClass{space.M1, space.M2, space.M3} {
		v := strconv.Itoa(int(c))
		out = append(out, option{v, l.T("sp.env." + c.String()), v == selected})
	}
	return out
}

// spaceBlockSave changes a block from its edit form.
func (s *Server) spaceBlockSave(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id", "产业区块", "block")
	if err != nil {
		return err
	}
	if err := readForm(r, authz.SpaceRules(), authz.WriteInventory); err != nil {
		return err
	}
	old, err := svc.Inventory.FindBlockByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := keeps(r, old.DistrictCode); err != nil {
		return err
	}
	bad := map[string]string{}
	b := blockForm(r, bad)
	b.ID, b.Demo = id, old.Demo
	if len(bad) > 0 {
		err = chanye.Invalid("产业区块有误 / invalid industrial block", bad)
	} else {
		err = svc.Inventory.UpdateBlock(r.Context(), b)
	}
	return s.blockDone(w, r, id, "block", "saved", err)
}

// blockDone goes back to block id's page after its form step, or shows
// the page again with the step's refusal.
func (s *Server) blockDone(w http.ResponseWriter, r *http.Request, id int64, step, done string, err error) error {
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/space/blocks/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		v, verr := s.blockView(r)
		if verr != nil {
			return verr
		}
		v.refused(r, step, err)
		return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "space_block", v)
	}
	return err
}

// unitForm reads a unit from the add-unit form: the fields as the domain
// names them, a price in 万元 and a rent in 元 a m² and month, exact.
func unitForm(r *http.Request, blockID int64, bad map[string]string) *space.Unit {
	fv := r.PostFormValue
	u := &space.Unit{BlockID: blockID, Kind: space.Kind(fv("kind")), Code: fv("code"), Name: fv("name"), AreaM2: formInt64(fv("area_m2"), "area_m2", bad),
		LandUse: fv("land_use"), HeightM: formInt(fv("height_m"), "height_m", bad), Building: fv("building"), Level: formInt(fv("level"), "level", bad),
		LoadKgM2: formInt(fv("load_kg_m2"), "load_kg_m2", bad), CeilingCM: formInt(fv("ceiling_cm"), "ceiling_cm", bad), FreightLift: fv("freight_lift") != "",
		PowerKVA: formInt(fv("power_kva"), "power_kva", bad), Env: space.EnvClass(formInt(fv("env_class"), "env_class", bad)),
		Status: space.Status(fv("status")), AvailableOn: parseDay(fv("available_on"), "available_on", bad)}
	if x := strings.TrimSpace(fv("plot_ratio")); x != "" {
		f, err := chanye.ParseYuan(x) // hundredths, as yuan are of fen
		if err != nil {
			bad["plot_ratio"] = "须为至多两位小数的数 / a number with at most two decimals"
		}
		u.PlotRatio = int(f)
	}
	if x := strings.TrimSpace(fv("price_fen")); x != "" {
		f := parseWan(x, "price_fen", bad)
		u.PriceFen = &f
	}
	if x := strings.TrimSpace(fv("rent_fen_m2_month")); x != "" {
		f := parseRent(x, "rent_fen_m2_month", bad)
		u.RentFenM2Month = &f
	}
	return u
}

// parseRent reads a rent in 元 a m² and month, exact to the fen, into bad
// under key.
func parseRent(s, key string, bad map[string]string) chanye.Fen {
	f, err := chanye.ParseYuan(s)
	if err != nil || f < 0 {
		bad[key] = "须为金额（元，至多两位小数）/ must be an amount in yuan, at most two decimals"
	}
	return f
}

// spaceUnitCreate adds a unit to a block from the block's page.
func (s *Server) spaceUnitCreate(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.spaceServices()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id", "产业区块", "block")
	if err != nil {
		return err
	}
	if err := readForm(r, authz.SpaceRules(), authz.WriteInventory); err != nil {
		return err
	}
	b, err := svc.Inventory.FindBlockByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := keeps(r, b.DistrictCode); err != nil {
		return err
	}
	bad := map[string]string{}
	u := unitForm(r, id, bad)
	if len(bad) > 0 {
		err = chanye.Invalid("产业空间有误 / invalid space unit", bad)
	} else {
		err = svc.Inventory.CreateUnit(r.Context(), u)
	}
	if err == nil {
		http.Redirect(w, r, "/space/units/"+strconv.FormatInt(u.ID, 10)+"?done=unit", http.StatusSeeOther)
		return nil
	}
	return s.blockDone(w, r, id, "unit", "unit", err)
}

// holdRow is a hold on a unit's page.
type holdRow struct {
	*space.Hold
	StatusName, For, ForHref string
}

func holdFor(l Lang, k space.ForKind, id string) (string, string) {
	switch k {
	case space.ForProject:
		return l.T("sp.for.project") + " " + id, "/projects/" + url.PathEscape(id)
	case space.ForLead:
		return l.T("sp.for.lead") + " #" + id, "/leads/" + url.PathEscape(id)
	}
	return "", ""
}

// allocRow is an allocation on a unit's page.
type allocRow struct {
	*space.Allocation
	KindName, Firm, FirmHref, Amount, For, ForHref, To string
	Active                                             bool
}

func newAllocRow(l Lang, x *space.Allocation, today chanye.Date) allocRow {
	row := allocRow{Allocation: x, KindName: allocKindName(l, x.Kind), Firm: orDefault(x.Name, x.Code), FirmHref: "/enterprises/" + url.PathEscape(x.Code),
		Active: !x.Ended && (x.To.IsZero() || !x.To.Before(today.Time))}
	row.For, row.ForHref = holdFor(l, x.ForKind, x.ForID)
	if !x.To.IsZero() {
		row.To = x.To.String()
	}
	if x.AmountFen != nil {
		if x.Kind == space.Lease {
			row.Amount = rentText(l, x.AmountFen)
		} else {
			row.Amount = exactMoney(l, *x.AmountFen)
		}
	}
	return row
}

// unitView is a unit's page.
type unitView struct {
	page
	Unit                         unitRow
	Block                        blockRow
	Holds                        []holdRow
	Allocs                       []allocRow
	Active                       *holdRow
	Official, Prices             bool
	MayHold, MayAllocate         bool
	MayRelease, MayEnd           bool
	AllocKinds, ForKinds         []option
	DefaultForKind, DefaultForID string
	Today, Until, MaxUntil       string
	Done                         string
	stepForm
}

func (s *Server) spaceUnitPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.unitView(r)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); messages["sp.done."+done] != [2]string{} {
		v.Done = v.L.T("sp.done." + done)
	}
	return s.render(w, "space_unit", v)
}

func (s *Server) unitView(r *http.Request) (*unitView, error) {
	svc, err := s.spaceServices()
	if err != nil {
		return nil, err
	}
	id, err := pathInt(r, "id", "空间单元", "unit")
	if err != nil {
		return nil, err
	}
	v := &unitView{page: s.newPage(r, "space")}
	ctx, l, a := r.Context(), v.L, v.Actor
	u, err := svc.Inventory.FindUnitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := svc.Inventory.FindBlockByID(ctx, u.BlockID)
	if err != nil {
		return nil, err
	}
	names, err := s.spaceNames(ctx, l)
	if err != nil {
		return nil, err
	}
	today := chanye.DateOf(s.now())
	v.Unit, v.Block, v.Demo = newUnitRow(l, u), names.blockRow(l, b), u.Demo
	v.Title = b.Name + " · " + u.Code
	v.Official, v.Prices = seesUse(a), seesPrices(a)
	v.Today, v.MaxUntil = today.String(), chanye.DateOf(today.AddDate(0, 0, space.MaxHoldDays)).String()
	v.Until = chanye.DateOf(today.AddDate(0, 0, 30)).String()
	hs, _, err := svc.Allocations.FindHolds(ctx, space.HoldFilter{UnitID: &id, Limit: space.MaxPage})
	if err != nil && !hidden(err) {
		return nil, err
	}
	for _, h := range hs {
		row := holdRow{Hold: h, StatusName: l.Pick(h.Status.NameZH(), h.Status.NameEN())}
		row.For, row.ForHref = holdFor(l, h.ForKind, h.ForID)
		v.Holds = append(v.Holds, row)
		if h.Status == space.HoldActive && v.Active == nil {
			active := row
			v.Active = &active
		}
	}
	xs, _, err := svc.Allocations.FindAllocations(ctx, space.AllocationFilter{UnitID: &id, Limit: space.MaxPage})
	if err != nil && !hidden(err) {
		return nil, err
	}
	for _, x := range xs {
		v.Allocs = append(v.Allocs, newAllocRow(l, x, today))
	}
	mayAlloc := mayAllocateIn(a, b.DistrictCode)
	v.MayHold = may(a, authz.SpaceRules(), authz.HoldUnits) && u.Offered(today)
	v.MayRelease = mayAlloc && v.Active != nil
	v.MayAllocate = mayAlloc && (u.Offered(today) || u.Status == space.Held)
	v.MayEnd = mayAlloc
	for _, k := range []space.ForKind{space.ForProject, space.ForLead} {
		v.ForKinds = append(v.ForKinds, option{string(k), l.T("sp.for." + string(k)), string(k) == v.Kept("hold", "for_kind")})
	}
	v.DefaultForKind, v.DefaultForID = v.Kept("allocate", "for_kind"), v.Kept("allocate", "for_id")
	if v.Failed != "allocate" && v.Active != nil {
		v.DefaultForKind, v.DefaultForID = string(v.Active.ForKind), v.Active.ForID
	}
	for _, k := range allocKinds(u.Kind) {
		v.AllocKinds = append(v.AllocKinds, option{string(k), allocKindName(l, k), string(k) == v.Kept("allocate", "kind")})
	}
	return v, nil
}

// allocKinds are the ways a unit of kind k is given.
func allocKinds(k space.Kind) []space.AllocKind {
	switch k {
	case space.Land:
		return []space.AllocKind{space.Transfer}
	case space.Floor:
		return []space.AllocKind{space.Lease, space.Sale}
	}
	return []space.AllocKind{space.Lease}
}

// unitDone goes to unit id's page after its form step, saying done, or
// shows the page again with the step's refusal.
func (s *Server) unitDone(w http.ResponseWriter, r *http.Request, id int64, step, done string, err error) error {
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/space/units/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		v, verr := s.unitView(r)
		if verr != nil {
			return verr
		}
		v.refused(r, step, err)
		return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "space_unit", v)
	}
	return err
}

// unitStep reads the unit id of a unit's form and its form, checking that
// the rules give the actor act at all.
func (s *Server) unitStep(r *http.Request, act authz.Action) (*SpaceServices, int64, error) {
	svc, err := s.spaceServices()
	if err != nil {
		return nil, 0, err
	}
	id, err := pathInt(r, "id", "空间单元", "unit")
	if err != nil {
		return nil, 0, err
	}
	if err := readForm(r, authz.SpaceRules(), act); err != nil {
		return nil, 0, err
	}
	if act == authz.AllocateUnits {
		if err := allocatesUnit(r, svc, id); err != nil {
			return nil, 0, err
		}
	}
	return svc, id, nil
}

// spaceHold holds a unit for a project or a lead until a day, from the
// unit's page or a routing's candidate.
func (s *Server) spaceHold(w http.ResponseWriter, r *http.Request) error {
	svc, id, err := s.unitStep(r, authz.HoldUnits)
	if err != nil {
		return err
	}
	fv := r.PostFormValue
	bad := map[string]string{}
	h := &space.Hold{UnitID: id, ForKind: space.ForKind(fv("for_kind")), ForID: fv("for_id"), Until: parseDay(fv("until"), "until", bad), Note: fv("note")}
	if len(bad) > 0 {
		err = chanye.Invalid("预留有误 / invalid hold", bad)
	} else {
		err = svc.Allocations.HoldUnit(r.Context(), h)
	}
	return s.unitDone(w, r, id, "hold", "hold", err)
}

// spaceRelease ends the unit's active hold by hand.
func (s *Server) spaceRelease(w http.ResponseWriter, r *http.Request) error {
	svc, id, err := s.unitStep(r, authz.AllocateUnits)
	if err != nil {
		return err
	}
	hold, err := pathInt(r, "hold", "预留", "hold")
	if err != nil {
		return err
	}
	h, err := svc.Allocations.FindHoldByID(r.Context(), hold)
	if err != nil {
		return err
	}
	if h.UnitID != id {
		return chanye.Errorf(chanye.ENOTFOUND, "预留不存在 / no such hold")
	}
	_, err = svc.Allocations.ReleaseHold(r.Context(), hold, r.PostFormValue("note"))
	return s.unitDone(w, r, id, "release", "release", err)
}

// spaceAllocate gives the unit to a firm: a transfer or a sale at a price
// in 万元, a lease at a rent in 元 a m² and month, both exact.
func (s *Server) spaceAllocate(w http.ResponseWriter, r *http.Request) error {
	svc, id, err := s.unitStep(r, authz.AllocateUnits)
	if err != nil {
		return err
	}
	fv := r.PostFormValue
	bad := map[string]string{}
	x := &space.Allocation{UnitID: id, Kind: space.AllocKind(fv("kind")), Code: strings.TrimSpace(fv("code")), ForKind: space.ForKind(fv("for_kind")),
		ForID: fv("for_id"), From: parseDay(fv("from"), "from", bad), To: parseDay(fv("to"), "to", bad)}
	if x.ForID = strings.TrimSpace(x.ForID); x.ForID == "" {
		x.ForKind = ""
	}
	if amount := strings.TrimSpace(fv("amount_fen")); amount != "" {
		var f chanye.Fen
		if x.Kind == space.Lease {
			f = parseRent(amount, "amount_fen", bad)
		} else {
			f = parseWan(amount, "amount_fen", bad)
		}
		x.AmountFen = &f
	}
	if len(bad) > 0 {
		err = chanye.Invalid("供地供房有误 / invalid allocation", bad)
	} else {
		err = svc.Allocations.Allocate(r.Context(), x)
	}
	return s.unitDone(w, r, id, "allocate", "allocate", err)
}

// spaceEndAllocation ends an allocation of the unit early, on a day no
// later than today.
func (s *Server) spaceEndAllocation(w http.ResponseWriter, r *http.Request) error {
	svc, id, err := s.unitStep(r, authz.AllocateUnits)
	if err != nil {
		return err
	}
	alloc, err := pathInt(r, "alloc", "供地供房记录", "allocation")
	if err != nil {
		return err
	}
	x, err := svc.Allocations.FindAllocationByID(r.Context(), alloc)
	if err != nil {
		return err
	}
	if x.UnitID != id {
		return chanye.Errorf(chanye.ENOTFOUND, "供地供房记录不存在 / no such allocation")
	}
	bad := map[string]string{}
	on := parseDay(r.PostFormValue("on"), "on", bad)
	if on.IsZero() && len(bad) == 0 {
		bad["on"] = "必填 / required"
	}
	if len(bad) > 0 {
		err = chanye.Invalid("终止有误 / invalid end", bad)
	} else {
		_, err = svc.Allocations.EndAllocation(r.Context(), alloc, on)
	}
	// Each allocation's end form is its own step.
	return s.unitDone(w, r, id, "end-"+strconv.FormatInt(alloc, 10), "end", err)
}

// F is a field of the block's forms.
func (v *blockView) F(step, name, labelKey, typ string, def ...string) fieldArg {
	return formField(&v.stepForm, v.L, step, name, labelKey, typ, def...)
}

// F is a field of the unit's forms.
func (v *unitView) F(step, name, labelKey, typ string, def ...string) fieldArg {
	return formField(&v.stepForm, v.L, step, name, labelKey, typ, def...)
}
