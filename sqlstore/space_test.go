package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/space"
)

// testBlock is a block of the test catalog's Tianhe (440106) planned for
// the given industries.
func testBlock(code string, industries ...string) *space.Block {
	return &space.Block{Code: code, Name: "区块" + code, DistrictCode: "440106", AreaM2: 1_000_000, Industries: industries}
}

// testUnit is an available unit of a kind in block: land of a plot ratio,
// a floor of building 1, a plant, with a rent for floors and plants.
func testUnit(block int64, kind space.Kind, code string, area int64) *space.Unit {
	u := &space.Unit{BlockID: block, Kind: kind, Code: code, AreaM2: area, PowerKVA: 1000, Env: space.M2}
	switch kind {
	case space.Land:
		u.PlotRatio, u.PriceFen = 200, ptr(chanye.Fen(area*100_000))
	case space.Floor:
		u.Building, u.Level, u.RentFenM2Month = "1栋", 3, ptr(chanye.Fen(4500))
	default:
		u.RentFenM2Month = ptr(chanye.Fen(3000))
	}
	return u
}

// spaceStore is a store with the test chain, a block B1 (auto) with a
// parcel, a floor and a plant, and a block B2 (ict) in Liwan with a
// parcel; the clock at 2025-06-15, movable.
func spaceStore(t *testing.T, db *DB) (*Store, context.Context, []*space.Block, []*space.Unit) {
	t.Helper()
	s, ctx := investStore(t, db)
	b1, b2 := testBlock("B1", "auto"), testBlock("B2", "ict")
	b2.DistrictCode = "440103"
	for _, b := range []*space.Block{b1, b2} {
		if err := s.CreateBlock(ctx, b); err != nil {
			t.Fatalf("block %s: %v %v", b.Code, err, chanye.ErrorFields(err))
		}
	}
	units := []*space.Unit{testUnit(b1.ID, space.Land, "L1", 20_000), testUnit(b1.ID, space.Floor, "F1", 2_500),
		testUnit(b1.ID, space.Plant, "P1", 900), testUnit(b2.ID, space.Land, "L2", 30_000)}
	for _, u := range units {
		if err := s.CreateUnit(ctx, u); err != nil {
			t.Fatalf("unit %s: %v %v", u.Code, err, chanye.ErrorFields(err))
		}
	}
	return s, ctx, []*space.Block{b1, b2}, units
}

// TestSpaceInventory: blocks and units are stored, read and filtered;
// bad input names its field (an unknown district or industry, no such
// block, a status only holds and allocations set); codes taken are
// conflicts; every write is audited.
func TestSpaceInventory(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx, blocks, units := spaceStore(t, db)
		b1 := blocks[0]
		if got, err := s.FindBlockByCode(ctx, " B1 "); err != nil || got.ID != b1.ID || fmt.Sprint(got.Industries) != "[auto]" || got.Boundary != nil {
			t.Fatalf("B1 by code: %+v %v", got, err)
		}
		for name, tc := range map[string]struct {
			edit  func(b *space.Block)
			field string
		}{
			"unknown district": {func(b *space.Block) { b.DistrictCode = "449999" }, "district_code"},
			"unknown industry": {func(b *space.Block) { b.Industries = []string{"auto", "steam"} }, "industries"},
			"no name":          {func(b *space.Block) { b.Name = " " }, "name"},
		} {
			b := testBlock("B9", "auto")
			tc.edit(b)
			if err := s.CreateBlock(ctx, b); chanye.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
			}
		}
		if err := s.CreateBlock(ctx, testBlock("B2")); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a code taken: %v", err)
		}
		boundary := `{"type":"Polygon","coordinates":[[[113.3,23.1],[113.4,23.1],[113.4,23.2],[113.3,23.1]]]}`
		upd := *b1
		upd.Name, upd.Industries, upd.Boundary, upd.Schematic = "天河智谷", []string{"ict", "auto"}, []byte(boundary), true
		if err := s.UpdateBlock(ctx, &upd); err != nil {
			t.Fatalf("update: %v %v", err, chanye.ErrorFields(err))
		}
		if got, _ := s.FindBlockByID(ctx, b1.ID); got.Name != "天河智谷" || fmt.Sprint(got.Industries) != "[ict auto]" || string(got.Boundary) != boundary || !got.Schematic {
			t.Errorf("updated: %+v", got)
		}
		upd.Code = "B2"
		if err := s.UpdateBlock(ctx, &upd); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("update to a code taken: %v", err)
		}
		if _, err := s.FindBlockByID(ctx, 999); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("no block: %v", err)
		}
		ict, liwan := "ict", "440103"
		if list, total, err := s.FindBlocks(ctx, space.BlockFilter{IndustryID: &ict}); err != nil || total != 2 || list[0].Code != "B1" {
			t.Errorf("blocks of ict: %d %v", total, err)
		}
		if list, total, err := s.FindBlocks(ctx, space.BlockFilter{DistrictCode: &liwan}); err != nil || total != 1 || list[0].Code != "B2" {
			t.Errorf("blocks of Liwan: %d %v", total, err)
		}
		if _, _, err := s.FindBlocks(ctx, space.BlockFilter{Limit: space.MaxPage + 1}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("a page too long: %v", err)
		}

		// Units.
		for name, tc := range map[string]struct {
			u     *space.Unit
			field string
		}{
			"no block": {testUnit(999, space.Plant, "P9", 100), "block_id"},
			"held":     {&space.Unit{BlockID: b1.ID, Kind: space.Plant, Code: "P9", AreaM2: 100, Status: space.Held}, "status"},
			"rent":     {&space.Unit{BlockID: b1.ID, Kind: space.Land, Code: "L9", AreaM2: 100, RentFenM2Month: ptr(chanye.Fen(1))}, "rent_fen_m2_month"},
		} {
			if err := s.CreateUnit(ctx, tc.u); chanye.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
			}
		}
		if err := s.CreateUnit(ctx, testUnit(b1.ID, space.Plant, "P1", 100)); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a unit code taken in the block: %v", err)
		}
		if err := s.CreateUnit(ctx, testUnit(blocks[1].ID, space.Plant, "P1", 100)); err != nil {
			t.Errorf("the same code in another block: %v", err)
		}
		f1 := *units[1]
		f1.Status, f1.LoadKgM2 = space.Reserve, 800
		if err := s.UpdateUnit(ctx, &f1); chanye.ErrorFields(err)["status"] == "" {
			t.Errorf("a floor in reserve: %v", err)
		}
		f1.Status = space.Available
		if err := s.UpdateUnit(ctx, &f1); err != nil || f1.BlockCode != "B1" {
			t.Fatalf("update a floor: %+v %v %v", f1, err, chanye.ErrorFields(err))
		}
		if got, err := s.FindUnitByID(ctx, f1.ID); err != nil || got.LoadKgM2 != 800 || *got.RentFenM2Month != 4500 || got.BlockCode != "B1" {
			t.Errorf("the floor read back: %+v %v", got, err)
		}
		land, avail := space.Land, space.Available
		if list, total, err := s.FindUnits(ctx, space.UnitFilter{Kind: &land, Status: &avail}); err != nil || total != 2 || list[0].Code != "L1" || list[1].Code != "L2" {
			t.Errorf("available land: %d %v", total, err)
		}
		if _, total, err := s.FindUnits(ctx, space.UnitFilter{IndustryID: &ict, DistrictCode: &liwan}); err != nil || total != 2 {
			t.Errorf("units of ict in Liwan: %d %v", total, err)
		}
		if _, total, _ := s.FindUnits(ctx, space.UnitFilter{BlockID: &b1.ID}); total != 3 {
			t.Errorf("units of B1: %d", total)
		}
		if n := auditCount(t, s, "space_block"); n != 3 {
			t.Errorf("%d block audit entries, want 3", n)
		}
		if n := auditCount(t, s, "space_unit"); n != 6 {
			t.Errorf("%d unit audit entries, want 6", n)
		}
	})
}

// TestSpaceImport: an inventory file creates and updates blocks and
// units by code; the same file again changes nothing; a file with a bad
// row at its end stores nothing and names the row; a held unit keeps its
// status.
func TestSpaceImport(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		file := func() ([]*space.Block, []*space.ImportUnit) {
			blocks := []*space.Block{testBlock("HP-01", "auto"), testBlock("HP-02", "ict", "auto")}
			var units []*space.ImportUnit
			for i := range 30 {
				u := testUnit(0, []space.Kind{space.Land, space.Floor, space.Plant}[i%3], fmt.Sprintf("U%02d", i), int64(1000+i))
				units = append(units, &space.ImportUnit{BlockCode: blocks[i%2].Code, Unit: *u})
			}
			return blocks, units
		}
		blocks, units := file()
		st, err := s.ImportInventory(ctx, blocks, units)
		if err != nil || st != (space.ImportStats{BlocksCreated: 2, UnitsCreated: 30}) {
			t.Fatalf("import: %+v %v %v", st, err, chanye.ErrorFields(err))
		}
		blocks, units = file()
		if st, err := s.ImportInventory(ctx, blocks, units); err != nil || st != (space.ImportStats{}) {
			t.Errorf("the same file again: %+v %v", st, err)
		}
		// Hold one unit: a file does not undo it.
		if err := s.CreateProject(ctx, testProjectN(t, 1)); err != nil {
			t.Fatal(err)
		}
		u00, _, _ := s.FindUnits(ctx, space.UnitFilter{Limit: 1})
		if err := s.HoldUnit(ctx, &space.Hold{UnitID: u00[0].ID, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(30)}); err != nil {
			t.Fatal(err)
		}
		blocks, units = file()
		blocks[1].Name = "黄埔二区"
		units[0].Name, units[1].AreaM2 = "改名", 5000
		units = append(units, &space.ImportUnit{BlockCode: "HP-03", Unit: *testUnit(0, space.Plant, "N1", 100)})
		blocks = append(blocks, testBlock("HP-03", "quantum"))
		st, err = s.ImportInventory(ctx, blocks, units)
		if err != nil || st != (space.ImportStats{BlocksCreated: 1, BlocksUpdated: 1, UnitsCreated: 1, UnitsUpdated: 2}) {
			t.Fatalf("an import that changes: %+v %v %v", st, err, chanye.ErrorFields(err))
		}
		if got, _ := s.FindUnitByID(ctx, u00[0].ID); got.Status != space.Held || got.Name != "改名" {
			t.Errorf("the held unit imported over: %+v", got)
		}

		// A bad row at the end: nothing is stored, the row is named.
		_, before, _ := s.FindUnits(ctx, space.UnitFilter{})
		blocks, units = file()
		blocks = append(blocks, testBlock("HP-04", "auto"), testBlock("HP-05", "auto"))
		blocks[3].DistrictCode = "449999"
		for i := range 5 {
			units = append(units, &space.ImportUnit{BlockCode: "HP-04", Unit: *testUnit(0, space.Plant, fmt.Sprintf("X%d", i), 100)})
		}
		units[0].Name = "又改名"
		units = append(units,
			&space.ImportUnit{BlockCode: "HP-04", Unit: *testUnit(0, space.Plant, "X0", 100)},
			&space.ImportUnit{BlockCode: "HP-99", Unit: *testUnit(0, space.Plant, "Y", 100)},
			&space.ImportUnit{BlockCode: "HP-04", Unit: space.Unit{Kind: space.Floor, Code: "Z", AreaM2: 100, Status: space.Allocated}})
		_, err = s.ImportInventory(ctx, blocks, units)
		fields := chanye.ErrorFields(err)
		want := []string{"blocks[3].district_code", "units[35].code", "units[36].block_code", "units[37].status"}
		if chanye.ErrorCode(err) != chanye.EINVALID || len(fields) != len(want) {
			t.Fatalf("a bad file: %v %v", err, fields)
		}
		for _, k := range want {
			if fields[k] == "" {
				t.Errorf("no fault %s in %v", k, fields)
			}
		}
		if _, after, _ := s.FindUnits(ctx, space.UnitFilter{}); after != before {
			t.Errorf("a bad file stored units: %d, was %d", after, before)
		}
		if _, err := s.FindBlockByCode(ctx, "HP-05"); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("a bad file stored a block: %v", err)
		}
		if got, _ := s.FindUnitByID(ctx, u00[0].ID); got.Name != "改名" {
			t.Errorf("a bad file changed a unit: %+v", got)
		}
		if _, err := s.ImportInventory(ctx, nil, nil); chanye.ErrorFields(err)["rows"] == "" {
			t.Errorf("an empty file: %v", err)
		}
		if n := auditCount(t, s, "space_inventory"); n != 3 {
			t.Errorf("%d import audit entries, want 3 (an import that changes nothing is still recorded)", n)
		}
	})
}

// TestHoldUnitRace: sixteen callers hold one unit at once; exactly one
// hold is stored and the others are conflicts. The partial unique indexes
// refuse a second active hold or allocation written past the store.
func TestHoldUnitRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx, _, units := spaceStore(t, db)
		if err := s.CreateProject(ctx, testProjectN(t, 1)); err != nil {
			t.Fatal(err)
		}
		unit := units[2].ID
		const callers = 16
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, callers)
		)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.HoldUnit(as(ctx, fmt.Sprintf("clerk-%d", i)), &space.Hold{UnitID: unit, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(10)})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch chanye.ErrorCode(err) {
			case "":
				won++
			case chanye.ECONFLICT:
			default:
				t.Errorf("caller %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d holds won, want exactly 1", won)
		}
		active := space.HoldActive
		if _, n, _ := s.FindHolds(ctx, space.HoldFilter{UnitID: &unit, Status: &active}); n != 1 {
			t.Errorf("%d active holds, want 1", n)
		}
		// Past the store: a second active hold, a second allocation not
		// ended.
		hold := db.dialect.rebind(`INSERT INTO space_holds (unit_id, for_kind, for_id, until_on, note, status, held_on, held_by, ended_by, end_note, created_at)
			VALUES (?, 'project', 'GZ2025-0001', '2025-07-01', '', 'active', '2025-06-15', 'x', '', '', 0)`)
		if _, err := db.db.Exec(hold, unit); chanye.ErrorCode(db.dialect.translate(err)) != chanye.ECONFLICT {
			t.Errorf("a second active hold: %v", err)
		}
		alloc := db.dialect.rebind(`INSERT INTO space_allocations (unit_id, kind, code, for_kind, for_id, from_on, ended, ended_by, created_at, created_by)
			VALUES (?, 'lease', 'x', '', '', '2025-06-15', ?, '', 0, 'x')`)
		for i, ended := range []int{1, 0, 1, 0} {
			_, err := db.db.Exec(alloc, unit, ended)
			if want := i < 3; (err == nil) != want {
				t.Errorf("allocation %d (ended %d): %v", i, ended, err)
			}
		}
	})
}

// TestSpaceHoldsAndAllocations: a unit is held for a project or a lead
// that exists, only when offered today; released, it is available; a
// held unit is allocated for its holder only and the hold ends
// allocated; a lease that starts later makes the unit allocated; ended,
// the unit is available again; each step audited.
func TestSpaceHoldsAndAllocations(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx, _, units := spaceStore(t, db)
		if err := s.CreateProject(ctx, testProjectN(t, 1)); err != nil {
			t.Fatal(err)
		}
		lead := testLead(t, s, ctx)
		l1, f1, p1 := units[0], units[1], units[2]
		for name, h := range map[string]*space.Hold{
			"no project": {UnitID: l1.ID, ForKind: space.ForProject, ForID: "GZ2025-9999", Until: dayAfter(10)},
			"no lead":    {UnitID: l1.ID, ForKind: space.ForLead, ForID: "9999", Until: dayAfter(10)},
			"yesterday":  {UnitID: l1.ID, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(-1)},
		} {
			if err := s.HoldUnit(ctx, h); chanye.ErrorCode(err) != chanye.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		if err := s.HoldUnit(ctx, &space.Hold{UnitID: 999, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(10)}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("no unit: %v", err)
		}
		later := *p1
		later.AvailableOn = dayAfter(5)
		if err := s.UpdateUnit(ctx, &later); err != nil {
			t.Fatal(err)
		}
		if err := s.HoldUnit(ctx, &space.Hold{UnitID: p1.ID, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(10)}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a unit available only later: %v", err)
		}

		h := &space.Hold{UnitID: l1.ID, ForKind: space.ForLead, ForID: fmt.Sprintf("00%d", lead.ID), Until: dayAfter(20), Note: " 意向强 "}
		if err := s.HoldUnit(ctx, h); err != nil || h.ID == 0 || h.Status != space.HoldActive || h.ForID != fmt.Sprint(lead.ID) || h.HeldOn != dayAfter(0) || h.Note != "意向强" {
			t.Fatalf("hold for the lead: %+v %v %v", h, err, chanye.ErrorFields(err))
		}
		if u, _ := s.FindUnitByID(ctx, l1.ID); u.Status != space.Held {
			t.Errorf("held unit: %s", u.Status)
		}
		if err := s.HoldUnit(ctx, &space.Hold{UnitID: l1.ID, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(10)}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("hold a held unit: %v", err)
		}
		u := *l1
		u.Status = space.Available
		if err := s.UpdateUnit(ctx, &u); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("make a held unit available by hand: %v", err)
		}
		got, err := s.ReleaseHold(ctx, h.ID, " 企业改投他市 ")
		if err != nil || got.Status != space.HoldReleased || got.EndNote != "企业改投他市" || got.EndedOn != dayAfter(0) {
			t.Fatalf("release: %+v %v", got, err)
		}
		if _, err := s.ReleaseHold(ctx, h.ID, ""); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("release twice: %v", err)
		}
		if u, _ := s.FindUnitByID(ctx, l1.ID); u.Status != space.Available {
			t.Errorf("released unit: %s", u.Status)
		}

		// Hold for the project, then allocate.
		h = &space.Hold{UnitID: l1.ID, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(20)}
		if err := s.HoldUnit(ctx, h); err != nil {
			t.Fatal(err)
		}
		firm := code(t, 1)
		transfer := func() *space.Allocation {
			return &space.Allocation{UnitID: l1.ID, Kind: space.Transfer, Code: firm, From: dayAfter(0), AmountFen: ptr(chanye.Fen(2_000_000_000_00))}
		}
		lease := transfer()
		lease.Kind, lease.To = space.Lease, dayAfter(300)
		if err := s.Allocate(ctx, lease); chanye.ErrorFields(err)["kind"] == "" {
			t.Errorf("lease land: %v", err)
		}
		other := transfer()
		other.ForKind, other.ForID = space.ForLead, fmt.Sprint(lead.ID)
		if err := s.Allocate(ctx, other); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("allocate a unit held for another: %v", err)
		}
		a := transfer()
		if err := s.Allocate(ctx, a); err != nil || a.ID == 0 || a.ForKind != space.ForProject || a.ForID != "GZ2025-0001" || a.CreatedBy == "" {
			t.Fatalf("allocate the held unit: %+v %v %v", a, err, chanye.ErrorFields(err))
		}
		if got, _ := s.FindHoldByID(ctx, h.ID); got.Status != space.HoldAllocated {
			t.Errorf("the hold after allocation: %+v", got)
		}
		if u, _ := s.FindUnitByID(ctx, l1.ID); u.Status != space.Allocated {
			t.Errorf("allocated unit: %s", u.Status)
		}
		if err := s.Allocate(ctx, transfer()); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("allocate twice: %v", err)
		}

		// A lease that starts later allocates the floor now.
		fl := &space.Allocation{UnitID: f1.ID, Kind: space.Lease, Code: code(t, 2), From: dayAfter(30), To: dayAfter(30 + 365), AmountFen: ptr(chanye.Fen(4200))}
		if err := s.Allocate(ctx, fl); err != nil {
			t.Fatalf("a later lease: %v %v", err, chanye.ErrorFields(err))
		}
		if u, _ := s.FindUnitByID(ctx, f1.ID); u.Status != space.Allocated {
			t.Errorf("a floor leased from next month: %s", u.Status)
		}
		if _, err := s.EndAllocation(ctx, fl.ID, dayAfter(1)); chanye.ErrorFields(err)["on"] == "" {
			t.Errorf("end tomorrow: %v", err)
		}
		ended, err := s.EndAllocation(ctx, fl.ID, chanye.Date{})
		if err != nil || !ended.Ended || ended.EndedOn != dayAfter(0) {
			t.Fatalf("give up the lease before it starts: %+v %v", ended, err)
		}
		if _, err := s.EndAllocation(ctx, fl.ID, chanye.Date{}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("end twice: %v", err)
		}
		if u, _ := s.FindUnitByID(ctx, f1.ID); u.Status != space.Available {
			t.Errorf("the floor after the lease ended: %s", u.Status)
		}
		mine, total, err := s.FindAllocations(ctx, space.AllocationFilter{Code: &firm})
		if err != nil || total != 1 || mine[0].ID != a.ID {
			t.Errorf("the firm's allocations: %d %v", total, err)
		}
		project, id := space.ForProject, "GZ2025-0001"
		if _, n, _ := s.FindHolds(ctx, space.HoldFilter{ForKind: &project, ForID: &id}); n != 1 {
			t.Errorf("the project's holds: %d", n)
		}
		for entity, want := range map[string]int{"space_hold": 4, "space_allocation": 3} {
			if n := auditCount(t, s, entity); n != want {
				t.Errorf("%d %s audit entries, want %d", n, entity, want)
			}
		}
	})
}

// testLead is a lead of the test chain's battery link owned by Tianhe.
func testLead(t *testing.T, s *Store, ctx context.Context) *invest.Lead {
	t.Helper()
	tg := &invest.Target{IndustryID: "auto", LinkID: "auto.parts.battery", Kind: invest.ListAttract, Name: "某电池公司", Source: "名单"}
	if err := s.CreateTarget(ctx, tg); err != nil {
		t.Fatal(err)
	}
	l := &invest.Lead{TargetID: tg.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"}
	if err := s.CreateLead(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

// spaceNotices lists the space notifications: scope role, key and
// subject.
func spaceNotices(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.db.Query(`SELECT scope_role, scope_key, subject FROM notifications WHERE kind = 'space' ORDER BY subject, scope_role, scope_key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var role, key, subject string
		if err := rows.Scan(&role, &key, &subject); err != nil {
			t.Fatal(err)
		}
		out = append(out, role+" "+key+" "+subject)
	}
	return out
}

// TestExpireHolds: with the store's clock moved, holds ending within a
// week are told of to their holders once — a project's task force and
// department, a lead's owner —, holds past their day expire and free
// their units, and a lease past its last day ends; a second run the
// same day does nothing. Only administrators run it.
func TestExpireHolds(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx, _, units := spaceStore(t, db)
		clock := setClock(db)
		if err := s.CreateProject(ctx, testProjectN(t, 1)); err != nil {
			t.Fatal(err)
		}
		lead := testLead(t, s, ctx)
		hp := &space.Hold{UnitID: units[0].ID, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(10)}
		hl := &space.Hold{UnitID: units[3].ID, ForKind: space.ForLead, ForID: fmt.Sprint(lead.ID), Until: dayAfter(30)}
		for _, h := range []*space.Hold{hp, hl} {
			if err := s.HoldUnit(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
		plant := &space.Allocation{UnitID: units[2].ID, Kind: space.Lease, Code: code(t, 3), From: dayAfter(0), To: dayAfter(20)}
		if err := s.Allocate(ctx, plant); err != nil {
			t.Fatal(err)
		}
		district := chanye.WithActor(context.Background(), &chanye.Actor{Name: "d", Role: chanye.RoleDistrict, District: "440106"})
		if _, err := s.ExpireHolds(district); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			t.Errorf("a district runs the expiry: %v", err)
		}
		run := func(days int, want space.Expiry) {
			t.Helper()
			*clock = today.AddDate(0, 0, days)
			got, err := s.ExpireHolds(ctx)
			if err != nil || got != want {
				t.Fatalf("day %d: %+v %v, want %+v", days, got, err, want)
			}
		}
		run(0, space.Expiry{})
		run(3, space.Expiry{Warned: 1}) // the project's hold ends in 7 days
		run(3, space.Expiry{})
		projectNotice := fmt.Sprintf("space-hold/%d/ending", hp.ID)
		want := []string{"department 工信局 " + projectNotice, "task_force auto " + projectNotice}
		if got := spaceNotices(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("notices:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		run(10, space.Expiry{}) // its last day
		run(11, space.Expiry{Expired: 1})
		if u, _ := s.FindUnitByID(ctx, units[0].ID); u.Status != space.Available {
			t.Errorf("the unit of the expired hold: %s", u.Status)
		}
		if got, _ := s.FindHoldByID(ctx, hp.ID); got.Status != space.HoldExpired || got.EndedOn != dayAfter(11) {
			t.Errorf("the expired hold: %+v", got)
		}
		run(21, space.Expiry{LeasesEnded: 1})
		if got, _ := s.FindAllocationByID(ctx, plant.ID); !got.Ended || got.EndedOn != dayAfter(20) {
			t.Errorf("the lapsed lease: %+v", got)
		}
		if u, _ := s.FindUnitByID(ctx, units[2].ID); u.Status != space.Available {
			t.Errorf("the plant after its lease: %s", u.Status)
		}
		run(23, space.Expiry{Warned: 1}) // the lead's hold ends in 7 days
		if got := spaceNotices(t, db); len(got) != 3 || got[2] != fmt.Sprintf("district 440106 space-hold/%d/ending", hl.ID) {
			t.Errorf("the lead's owner told: %v", got)
		}
		run(31, space.Expiry{Expired: 1})
		if n := auditCount(t, s, "space_hold"); n != 4 {
			t.Errorf("%d hold audit entries, want 4", n)
		}
	})
}

// TestBlockUse: a block whose land is transferred to a firm with figures
// has its 亩均 exact and flagged under the thresholds; a block whose firm
// has none has them unknown (nil, never 0) and is flagged idle after a
// year; floors let count as occupancy.
func TestBlockUse(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx, blocks, units := spaceStore(t, db)
		for i := 1; i <= 2; i++ {
			if err := s.CreateEnterprise(ctx, enterprise(t, i, "440106", "3612")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.PutFacts(ctx, code(t, 1), []*chanye.Facts{
			{Year: 2024, Revenue: ptr(chanye.Fen(120_000_000_00)), TaxPaid: ptr(chanye.Fen(3_000_000_00)), Source: "统计局", AsOf: date("2025-03-01")},
			{Year: 2023, Revenue: ptr(chanye.Fen(90_000_000_00)), TaxPaid: ptr(chanye.Fen(9_000_000_00)), Source: "统计局", AsOf: date("2024-03-01")},
		}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []*space.Allocation{
			{UnitID: units[0].ID, Kind: space.Transfer, Code: code(t, 1), From: date("2024-01-01")}, // B1: 20,000 m², 30 亩
			{UnitID: units[3].ID, Kind: space.Transfer, Code: code(t, 2), From: date("2024-01-01")}, // B2: no figures
			{UnitID: units[1].ID, Kind: space.Lease, Code: code(t, 1), From: date("2025-01-01"), To: date("2027-12-31")},
		} {
			if err := s.Allocate(ctx, a); err != nil {
				t.Fatalf("allocate: %v %v", err, chanye.ErrorFields(err))
			}
		}
		use, err := s.FindBlockUse(ctx, space.BlockFilter{})
		if err != nil || len(use) != 2 {
			t.Fatalf("use: %+v %v", use, err)
		}
		b1, b2 := use[0], use[1]
		if b1.Block.ID != blocks[0].ID || b1.Rank != 1 || b2.Rank != 0 {
			t.Fatalf("ranking: %+v %+v", b1, b2)
		}
		// 2024: revenue 1.2 亿元 and tax 300 万元 over 30 亩.
		if b1.RevenuePerMu == nil || *b1.RevenuePerMu != 4_000_000_00 || b1.TaxPerMu == nil || *b1.TaxPerMu != 10_000_000 || b1.VAPerMu != nil {
			t.Errorf("B1 per 亩: revenue %v tax %v value added %v", b1.RevenuePerMu, b1.TaxPerMu, b1.VAPerMu)
		}
		if b1.Units != 3 || b1.Allocated != 2 || b1.Available != 1 || b1.FloorM2 != 3_400 || b1.FloorLetM2 != 2_500 || *b1.OccupancyPerMille != 735 {
			t.Errorf("B1 units: %+v", b1)
		}
		if len(b1.Flags) != 1 || !strings.Contains(b1.Flags[0].TextEN, "tax") {
			t.Errorf("B1 flags (tax below 15 万元 a 亩): %+v", b1.Flags)
		}
		if b2.RevenuePerMu != nil || b2.TaxPerMu != nil || b2.Missing != 1 || b2.Firms != 1 || len(b2.Flags) != 1 || !strings.Contains(b2.Flags[0].TextEN, "idle") {
			t.Errorf("B2 without figures: %+v", b2)
		}
		if err := s.PutUseThresholds(ctx, space.Thresholds{MinTaxPerMuFen: 5_000_000}); err != nil {
			t.Fatal(err)
		}
		ict := "ict"
		use, err = s.FindBlockUse(ctx, space.BlockFilter{IndustryID: &ict})
		if err != nil || len(use) != 1 || use[0].Block.Code != "B2" || len(use[0].Flags) != 0 {
			t.Errorf("ict's blocks under new thresholds: %+v %v", use, err)
		}
	})
}

// TestSpaceSettingsAndRoute: the size rule and the thresholds are the
// defaults until set, checked and audited when set; Route takes the kind
// from the stored rule, sees holds and new units at once, and hands out
// copies.
func TestSpaceSettingsAndRoute(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx, blocks, units := spaceStore(t, db)
		if r, err := s.FindSizeRule(ctx); err != nil || r != space.DefaultRule {
			t.Errorf("rule before: %+v %v", r, err)
		}
		if th, err := s.FindUseThresholds(ctx); err != nil || th != space.DefaultThresholds {
			t.Errorf("thresholds before: %+v %v", th, err)
		}
		needs := space.Needs{InvestmentFen: 100_000_000_00, AreaM2: 2_000, IndustryID: "auto"}
		r, err := s.Route(ctx, needs, 0)
		if err != nil || r.Kind != space.Floor || r.Considered != 1 || r.Candidates[0].Unit.ID != units[1].ID || r.Candidates[0].Block.Code != "B1" {
			t.Fatalf("a medium project: %+v %v", r, err)
		}
		r.Candidates[0].Unit.RentFenM2Month, r.Candidates[0].Block.Name = nil, "改"
		if again, _ := s.Route(ctx, needs, 0); again.Candidates[0].Unit.RentFenM2Month == nil || again.Candidates[0].Block.Name == "改" {
			t.Error("Route handed out its kept units")
		}
		if err := s.PutSizeRule(ctx, space.SizeRule{LargeFen: 1, LargeAreaM2: 1, MediumFen: 2, MediumAreaM2: 2}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("a medium above the large: %v", err)
		}
		rule := space.SizeRule{LargeFen: 50_000_000_00, LargeAreaM2: 10_000, MediumFen: 10_000_000_00, MediumAreaM2: 1_000}
		if err := s.PutSizeRule(ctx, rule); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindSizeRule(ctx); got != rule {
			t.Errorf("rule after: %+v", got)
		}
		if th, _ := s.FindUseThresholds(ctx); th != space.DefaultThresholds {
			t.Errorf("setting the rule changed the thresholds: %+v", th)
		}
		r, err = s.Route(ctx, needs, 0)
		if err != nil || r.Kind != space.Land || r.Considered != 2 || r.Candidates[0].Unit.ID != units[0].ID || len(r.Candidates[1].Unmet) == 0 {
			t.Fatalf("a large project under the city's rule: %+v %v", r, err)
		}
		if err := s.CreateProject(ctx, testProjectN(t, 1)); err != nil {
			t.Fatal(err)
		}
		if err := s.HoldUnit(ctx, &space.Hold{UnitID: units[0].ID, ForKind: space.ForProject, ForID: "GZ2025-0001", Until: dayAfter(10)}); err != nil {
			t.Fatal(err)
		}
		l3 := testUnit(blocks[0].ID, space.Land, "L3", 25_000)
		if err := s.CreateUnit(ctx, l3); err != nil {
			t.Fatal(err)
		}
		r, err = s.Route(ctx, needs, 0)
		if err != nil || r.Considered != 2 || r.Candidates[0].Unit.ID != l3.ID {
			t.Errorf("after a hold and a new parcel: %+v %v", r, err)
		}
		if _, err := s.Route(ctx, space.Needs{AreaM2: 0}, 0); chanye.ErrorFields(err)["area_m2"] == "" {
			t.Errorf("needs without an area: %v", err)
		}
		if n := auditCount(t, s, "space_settings"); n != 1 {
			t.Errorf("%d settings audit entries, want 1", n)
		}
	})
}
