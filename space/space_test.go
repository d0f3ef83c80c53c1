package space_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/space"
)

var today = chanye.Date{Time: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)}

func fen(f chanye.Fen) *chanye.Fen { return &f }

// fields returns the sorted field names of err's field errors.
func fields(err error) []string {
	var out []string
	for k := range chanye.ErrorFields(err) {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestBlockValidate(t *testing.T) {
	square := json.RawMessage(`{"type":"Polygon","coordinates":[[[113.3,23.1],[113.4,23.1],[113.4,23.2],[113.3,23.1]]]}`)
	ok := space.Block{Code: " HP-01 ", Name: "黄埔科学城 A 区", DistrictCode: "440112", AreaM2: 3_000_000, Industries: []string{"icv-nev"}, Boundary: square}
	if err := ok.Validate(); err != nil || ok.Code != "HP-01" {
		t.Fatalf("a good block: %v %v", err, chanye.ErrorFields(err))
	}
	for name, tc := range map[string]struct {
		edit func(b *space.Block)
		want string
	}{
		"no code":  {func(b *space.Block) { b.Code = "" }, "code"},
		"odd code": {func(b *space.Block) { b.Code = "A B" }, "code"},
		"district": {func(b *space.Block) { b.DistrictCode = "4401" }, "district_code"},
		"area":     {func(b *space.Block) { b.AreaM2 = 0 }, "area_m2"},
		"huge":     {func(b *space.Block) { b.AreaM2 = space.MaxBlockAreaM2 + 1 }, "area_m2"},
		"twice":    {func(b *space.Block) { b.Industries = []string{"a", "a"} }, "industries"},
		"point":    {func(b *space.Block) { b.Boundary = json.RawMessage(`{"type":"Point","coordinates":[113,23]}`) }, "boundary"},
		"open ring": {func(b *space.Block) {
			b.Boundary = json.RawMessage(`{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,2]]]}`)
		}, "boundary"},
		"latitude first": {func(b *space.Block) {
			b.Boundary = json.RawMessage(`{"type":"Polygon","coordinates":[[[23,113],[23,114],[24,114],[23,113]]]}`)
		}, "boundary"},
		"not json": {func(b *space.Block) { b.Boundary = json.RawMessage(`{`) }, "boundary"},
	} {
		b := ok
		b.Industries = slices.Clone(ok.Industries)
		tc.edit(&b)
		if got := fields(b.Validate()); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s: fields %v, want [%s]", name, got, tc.want)
		}
	}
}

func TestUnitValidate(t *testing.T) {
	land := space.Unit{BlockID: 1, Kind: space.Land, Code: "HP-01-03", AreaM2: 40_000, LandUse: "M1", PlotRatio: 250, HeightM: 60,
		PowerKVA: 10_000, Env: space.M2, PriceFen: fen(200_000_000_00), Status: space.Reserve}
	if err := land.Validate(); err != nil {
		t.Fatalf("a good parcel: %v %v", err, chanye.ErrorFields(err))
	}
	floor := space.Unit{BlockID: 1, Kind: space.Floor, Code: "B2-5F", Building: "2 号楼", Level: 5, AreaM2: 2_400, LoadKgM2: 800, CeilingCM: 540,
		FreightLift: true, RentFenM2Month: fen(4500)}
	if err := floor.Validate(); err != nil || floor.Status != space.Available {
		t.Fatalf("a good floor: %v %v, status %s", err, chanye.ErrorFields(err), floor.Status)
	}
	for name, tc := range map[string]struct {
		base space.Unit
		edit func(u *space.Unit)
		want []string
	}{
		"kind":             {land, func(u *space.Unit) { u.Kind = "office" }, []string{"kind"}},
		"block":            {land, func(u *space.Unit) { u.BlockID = 0 }, []string{"block_id"}},
		"land for rent":    {land, func(u *space.Unit) { u.RentFenM2Month = fen(100) }, []string{"rent_fen_m2_month"}},
		"negative price":   {land, func(u *space.Unit) { u.PriceFen = fen(-1) }, []string{"price_fen"}},
		"plot ratio":       {land, func(u *space.Unit) { u.PlotRatio = space.MaxPlotRatio + 1 }, []string{"plot_ratio"}},
		"env":              {land, func(u *space.Unit) { u.Env = 4 }, []string{"env_class"}},
		"reserve floor":    {floor, func(u *space.Unit) { u.Status = space.Reserve }, []string{"status"}},
		"floor plot ratio": {floor, func(u *space.Unit) { u.PlotRatio = 200 }, []string{"plot_ratio"}},
		"plant level":      {floor, func(u *space.Unit) { u.Kind = space.Plant }, []string{"level"}},
		"rent too high":    {floor, func(u *space.Unit) { u.RentFenM2Month = fen(space.MaxRentFenM2Month + 1) }, []string{"rent_fen_m2_month"}},
		"area":             {floor, func(u *space.Unit) { u.AreaM2 = -5 }, []string{"area_m2"}},
	} {
		u := tc.base
		tc.edit(&u)
		if got := fields(u.Validate()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", name, got, tc.want)
		}
	}
	u := floor
	if !u.Offered(today) {
		t.Error("an available floor is not offered")
	}
	u.AvailableOn = chanye.Date{Time: today.AddDate(0, 0, 1)}
	if u.Offered(today) {
		t.Error("a floor available tomorrow is offered today")
	}
}

func TestSizeRule(t *testing.T) {
	r := space.DefaultRule
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		inv  chanye.Fen
		area int64
		want space.Kind
	}{
		{500_000_000_00, 100, space.Land},     // 5 亿元
		{1, 20_000, space.Land},               // 30 亩
		{499_999_999_99, 19_999, space.Floor}, // just under
		{50_000_000_00, 10, space.Floor},      // 5,000 万元
		{49_999_999_99, 1_999, space.Plant},   // just under
		{0, 0, space.Plant},
	} {
		if got, _ := r.KindFor(tc.inv, tc.area); got != tc.want {
			t.Errorf("%d fen, %d m²: %s, want %s", tc.inv, tc.area, got, tc.want)
		}
	}
	bad := space.SizeRule{LargeFen: 100, LargeAreaM2: 100, MediumFen: 100, MediumAreaM2: 10}
	if got := fields(bad.Validate()); !slices.Equal(got, []string{"medium_fen"}) {
		t.Errorf("medium not below large: %v", got)
	}
	if got := fields(space.SizeRule{}.Validate()); len(got) != 4 {
		t.Errorf("a zero rule: %v", got)
	}
}

// inventory is two blocks, one planned for icv-nev in 440112, and floors
// of several fits.
func inventory() ([]*space.Unit, map[int64]*space.Block) {
	blocks := map[int64]*space.Block{
		1: {ID: 1, Code: "HP-01", DistrictCode: "440112", Industries: []string{"icv-nev"}},
		2: {ID: 2, Code: "PY-02", DistrictCode: "440113", Industries: []string{"biomedicine"}},
	}
	units := []*space.Unit{
		{ID: 1, BlockID: 1, Kind: space.Floor, Code: "F1", AreaM2: 3_000, PowerKVA: 800, Env: space.M2, LoadKgM2: 1000, CeilingCM: 600, FreightLift: true, RentFenM2Month: fen(4000), Status: space.Available},
		{ID: 2, BlockID: 1, Kind: space.Floor, Code: "F2", AreaM2: 6_000, PowerKVA: 800, Env: space.M2, LoadKgM2: 1000, CeilingCM: 600, FreightLift: true, RentFenM2Month: fen(4000), Status: space.Available},
		{ID: 3, BlockID: 2, Kind: space.Floor, Code: "F3", AreaM2: 3_000, PowerKVA: 800, Env: space.M2, LoadKgM2: 1000, CeilingCM: 600, FreightLift: true, RentFenM2Month: fen(4000), Status: space.Available},
		{ID: 4, BlockID: 1, Kind: space.Floor, Code: "F4", AreaM2: 2_000, PowerKVA: 200, Env: space.M1, LoadKgM2: 300, CeilingCM: 400, RentFenM2Month: fen(9000), Status: space.Available},
		{ID: 5, BlockID: 1, Kind: space.Floor, Code: "F5", AreaM2: 3_000, Status: space.Held},
		{ID: 6, BlockID: 1, Kind: space.Land, Code: "L1", AreaM2: 30_000, Status: space.Available},
		{ID: 7, BlockID: 1, Kind: space.Floor, Code: "F7", AreaM2: 3_000, PowerKVA: 800, Env: space.M2, LoadKgM2: 1000, CeilingCM: 600, FreightLift: true,
			RentFenM2Month: fen(4000), Status: space.Available, AvailableOn: chanye.Date{Time: today.AddDate(0, 3, 0)}},
	}
	return units, blocks
}

func TestRoute(t *testing.T) {
	units, blocks := inventory()
	n := space.Needs{InvestmentFen: 80_000_000_00, AreaM2: 2_500, IndustryID: "icv-nev", PowerKVA: 500, Env: space.M2, Districts: []string{"440112"},
		By: chanye.Date{Time: today.AddDate(0, 1, 0)}, LoadKgM2: 800, CeilingCM: 500, FreightLift: true, MaxRentFenM2Month: fen(5000)}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	got := space.Route(units, blocks, n, space.DefaultRule, 0)
	if got.Kind != space.Floor || got.Why.TextZH != "中项目供楼" || got.Considered != 5 {
		t.Fatalf("routed to %s (%s) over %d units", got.Kind, got.Why.TextZH, got.Considered)
	}
	var order []string
	for _, c := range got.Candidates {
		order = append(order, c.Unit.Code)
	}
	// F1 meets every need and fits; F2 meets them but is twice the area;
	// F7 comes too late; F3 is in the wrong block and district; F4 fails
	// nearly everything. The held F5 and the land are not candidates.
	if want := []string{"F1", "F2", "F7", "F3", "F4"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	best := got.Candidates[0]
	if best.Score != 100 || len(best.Unmet) != 0 {
		t.Errorf("F1: score %d, unmet %v", best.Score, best.Unmet)
	}
	if got.Candidates[1].Score != 90 {
		t.Errorf("F2 loses only the fit: %d", got.Candidates[1].Score)
	}
	late := got.Candidates[2]
	if len(late.Unmet) != 1 || !strings.Contains(late.Unmet[0].TextZH, "晚于所需") {
		t.Errorf("F7's unmet needs: %v", late.Unmet)
	}
	var f4 []string
	for _, u := range got.Candidates[4].Unmet {
		f4 = append(f4, u.TextEN)
	}
	if len(f4) != 7 {
		t.Errorf("F4's unmet needs: %q", f4)
	}
	// The same input in another order gives the same answer.
	slices.Reverse(units)
	again := space.Route(units, blocks, n, space.DefaultRule, 2)
	if len(again.Candidates) != 2 || again.Candidates[0].Unit.Code != "F1" || again.Candidates[1].Unit.Code != "F2" {
		t.Errorf("reversed input, limit 2: %v", again.Candidates)
	}
	// A kind asked for overrides the rule.
	n.Kind = space.Land
	if got := space.Route(units, blocks, n, space.DefaultRule, 0); got.Kind != space.Land || len(got.Candidates) != 1 {
		t.Errorf("land asked: %s, %d candidates", got.Kind, len(got.Candidates))
	}
}

func TestHoldAndAllocationValidate(t *testing.T) {
	h := space.Hold{UnitID: 1, ForKind: space.ForProject, ForID: "P-001", Until: chanye.Date{Time: today.AddDate(0, 1, 0)}}
	if err := h.Validate(today); err != nil {
		t.Fatal(err)
	}
	h.Until = chanye.Date{Time: today.AddDate(0, 0, -1)}
	h.ForKind = "firm"
	if got := fields(h.Validate(today)); !slices.Equal(got, []string{"for_kind", "until"}) {
		t.Errorf("a hold ending yesterday for a firm: %v", got)
	}
	h.ForKind, h.Until = space.ForLead, chanye.Date{Time: today.AddDate(0, 0, space.MaxHoldDays+1)}
	if got := fields(h.Validate(today)); !slices.Equal(got, []string{"until"}) {
		t.Errorf("a hold over a year: %v", got)
	}

	code := "91440101MA5ALP4R4C"
	lease := space.Allocation{UnitID: 1, Kind: space.Lease, Code: code, From: today, To: chanye.Date{Time: today.AddDate(5, 0, 0)}, AmountFen: fen(4000)}
	if err := lease.Validate(space.Plant); err != nil {
		t.Fatalf("a good lease: %v %v", err, chanye.ErrorFields(err))
	}
	for name, tc := range map[string]struct {
		kind space.Kind
		edit func(a *space.Allocation)
		want []string
	}{
		"land leased":   {space.Land, func(a *space.Allocation) {}, []string{"kind"}},
		"plant sold":    {space.Plant, func(a *space.Allocation) { a.Kind = space.Sale; a.To = chanye.Date{} }, []string{"kind"}},
		"no end":        {space.Floor, func(a *space.Allocation) { a.To = chanye.Date{} }, []string{"to"}},
		"end first":     {space.Floor, func(a *space.Allocation) { a.To = a.From }, []string{"to"}},
		"too long":      {space.Floor, func(a *space.Allocation) { a.To = chanye.Date{Time: today.AddDate(51, 0, 0)} }, []string{"to"}},
		"bad code":      {space.Floor, func(a *space.Allocation) { a.Code = "91440101MA5ALP4R4D" }, []string{"code"}},
		"half for":      {space.Floor, func(a *space.Allocation) { a.ForID = "P-1" }, []string{"for_kind"}},
		"rent too high": {space.Floor, func(a *space.Allocation) { a.AmountFen = fen(space.MaxRentFenM2Month + 1) }, []string{"amount_fen"}},
		"transfer end":  {space.Land, func(a *space.Allocation) { a.Kind = space.Transfer }, []string{"to"}},
	} {
		a := lease
		tc.edit(&a)
		if got := fields(a.Validate(tc.kind)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", name, got, tc.want)
		}
	}
	if !lease.Active(today) || lease.Active(chanye.Date{Time: today.AddDate(5, 0, 1)}) || lease.Active(chanye.Date{Time: today.AddDate(0, 0, -1)}) {
		t.Error("a lease is active from its first to its last day only")
	}
	lease.Ended = true
	if lease.Active(today) {
		t.Error("an ended lease is active")
	}
}

func TestPerMu(t *testing.T) {
	for _, tc := range []struct {
		total chanye.Fen
		m2    int64
		want  chanye.Fen
	}{
		{15, 10_000, 1},             // 15 fen on 15 亩
		{1_000_000, 666, 1_001_001}, // 666 m² is 0.999 亩: 1,001,001.001…
		{8, 10_000, 1},              // 0.533… rounds up
		{7, 10_000, 0},              // 0.466… rounds down
		{-8, 10_000, -1},            // away from zero
		{100_000_000_000_000, 1, 66_666_666_666_666_667}, // 10^14 × 10^4 leaves int64 on the way, not in the end
	} {
		if got := space.PerMu(tc.total, tc.m2); got != tc.want {
			t.Errorf("PerMu(%d, %d) = %d, want %d", tc.total, tc.m2, got, tc.want)
		}
	}
}

func TestUse(t *testing.T) {
	b1 := &space.Block{ID: 1, Code: "A"}
	b2 := &space.Block{ID: 2, Code: "B"}
	b3 := &space.Block{ID: 3, Code: "C"}
	long := chanye.Date{Time: today.AddDate(-2, 0, 0)}
	alloc := func(code string) []*space.Allocation {
		return []*space.Allocation{{Kind: space.Transfer, Code: code, From: long}}
	}
	units := []space.UnitState{
		{Unit: &space.Unit{BlockID: 1, Kind: space.Land, AreaM2: 10_000, Status: space.Allocated}, Active: alloc("f1")}, // 15 亩
		{Unit: &space.Unit{BlockID: 1, Kind: space.Land, AreaM2: 20_000, Status: space.Allocated}, Active: alloc("f2")}, // 30 亩
		{Unit: &space.Unit{BlockID: 1, Kind: space.Floor, AreaM2: 1_000, Status: space.Allocated}, Active: []*space.Allocation{{Kind: space.Lease, Code: "f3", From: today}}},
		{Unit: &space.Unit{BlockID: 1, Kind: space.Floor, AreaM2: 3_000, Status: space.Available}},
		{Unit: &space.Unit{BlockID: 2, Kind: space.Land, AreaM2: 10_000, Status: space.Allocated}, Active: alloc("f4")},
		{Unit: &space.Unit{BlockID: 3, Kind: space.Land, AreaM2: 10_000, Status: space.Allocated}, Active: alloc("f5")},
		{Unit: &space.Unit{BlockID: 3, Kind: space.Plant, AreaM2: 500, Status: space.Held}},
	}
	figures := map[string]space.Figures{
		"f1": {Revenue: fen(900_000_000), Tax: fen(45_000_000), ValueAdded: fen(150_000_000)},
		"f2": {Revenue: fen(900_000_000), Tax: fen(0)},
		"f4": {Revenue: fen(6_000_000_000), Tax: fen(300_000_000)},
		// f5 has no figures at all.
	}
	got, err := space.Use([]*space.Block{b1, b2, b3}, units, figures, space.DefaultThresholds, today)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, u := range got {
		order = append(order, u.Block.Code)
	}
	if !slices.Equal(order, []string{"B", "A", "C"}) {
		t.Fatalf("ranked %v, want B (20 万 a 亩), A (1 万), then C unknown", order)
	}
	b, a, c := got[0], got[1], got[2]
	if *b.TaxPerMu != 20_000_000 || b.Rank != 1 || len(b.Flags) != 0 {
		t.Errorf("B: tax per 亩 %d, rank %d, flags %v", *b.TaxPerMu, b.Rank, b.Flags)
	}
	// A: 45 万 tax and 1,800 万 revenue on 45 亩: 1 万 and 40 万 a 亩, both
	// under the thresholds; value added unknown (f2 has none).
	if *a.TaxPerMu != 1_000_000 || *a.RevenuePerMu != 40_000_000 || a.VAPerMu != nil || a.Rank != 2 || len(a.Flags) != 2 {
		t.Errorf("A: tax %v revenue %v VA %v rank %d flags %v", a.TaxPerMu, a.RevenuePerMu, a.VAPerMu, a.Rank, a.Flags)
	}
	if a.Units != 4 || a.Allocated != 3 || a.Available != 1 || a.LandM2 != 30_000 || *a.OccupancyPerMille != 250 || a.Firms != 2 {
		t.Errorf("A's units: %+v", a)
	}
	// C: land without any firm's figures for two years: unknown, flagged idle.
	if c.TaxPerMu != nil || c.Rank != 0 || c.Missing != 1 || len(c.Flags) != 1 || c.Held != 1 || *c.OccupancyPerMille != 0 {
		t.Errorf("C: %+v", c)
	}
	if err := (space.Thresholds{IdleDays: -1}).Validate(); err == nil {
		t.Error("negative idle days accepted")
	}
}

func TestRoll(t *testing.T) {
	b1 := &space.Block{ID: 1, Code: "A", DistrictCode: "440112", Industries: []string{"icv-nev", "biomedicine"}}
	b2 := &space.Block{ID: 2, Code: "B", DistrictCode: "440112", Industries: []string{"icv-nev"}}
	b3 := &space.Block{ID: 3, Code: "C", DistrictCode: "440113", Industries: []string{"biomedicine"}}
	transfer := func(code string) []*space.Allocation {
		return []*space.Allocation{{Kind: space.Transfer, Code: code, From: today}}
	}
	units := []space.UnitState{
		{Unit: &space.Unit{BlockID: 1, Kind: space.Land, AreaM2: 30_000, Status: space.Allocated}, Active: transfer("f1")},
		{Unit: &space.Unit{BlockID: 1, Kind: space.Floor, AreaM2: 1_000, Status: space.Allocated}, Active: []*space.Allocation{{Kind: space.Lease, Code: "f3", From: today}}},
		{Unit: &space.Unit{BlockID: 2, Kind: space.Land, AreaM2: 10_000, Status: space.Allocated}, Active: transfer("f2")},
		{Unit: &space.Unit{BlockID: 2, Kind: space.Plant, AreaM2: 3_000, Status: space.Available}},
		{Unit: &space.Unit{BlockID: 3, Kind: space.Land, AreaM2: 10_000, Status: space.Allocated}, Active: transfer("f9")}, // no figures
	}
	figures := map[string]space.Figures{
		"f1": {Revenue: fen(1_800_000_000), Tax: fen(45_000_000)},
		"f2": {Revenue: fen(6_000_000_000), Tax: fen(300_000_000)},
	}
	uses, err := space.Use([]*space.Block{b1, b2, b3}, units, figures, space.Thresholds{}, today)
	if err != nil {
		t.Fatal(err)
	}
	byDistrict, err := space.Roll(uses, func(b *space.Block) []string { return []string{b.DistrictCode} })
	if err != nil {
		t.Fatal(err)
	}
	if len(byDistrict) != 2 {
		t.Fatalf("districts: %d", len(byDistrict))
	}
	hp := byDistrict[0]
	if hp.Key != "440112" {
		hp = byDistrict[1]
	}
	// 3.45 亿 fen of tax and 78 亿 fen of revenue on 40,000 m², 60 亩; a
	// quarter of the 4,000 m² of floors and plants let.
	if hp.Blocks != 2 || hp.LandM2 != 40_000 || *hp.TaxPerMu != 5_750_000 || *hp.RevenuePerMu != 130_000_000 ||
		*hp.OccupancyPerMille != 250 || *hp.VacancyPerMille != 750 || hp.Available != 1 {
		t.Errorf("440112: %+v tax %v revenue %v", hp, hp.TaxPerMu, hp.RevenuePerMu)
	}
	byIndustry, err := space.Roll(uses, func(b *space.Block) []string { return b.Industries })
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range byIndustry {
		switch r.Key {
		case "icv-nev":
			if r.Blocks != 2 || r.TaxPerMu == nil {
				t.Errorf("icv-nev: %+v", r)
			}
		case "biomedicine": // A and C: C's land has no figures, so unknown
			if r.Blocks != 2 || r.TaxPerMu != nil || r.LandM2 != 40_000 {
				t.Errorf("biomedicine: %+v", r)
			}
		default:
			t.Errorf("unexpected key %s", r.Key)
		}
	}
}
