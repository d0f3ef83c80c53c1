package authz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/space"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestSpaceRules: each rule of spaceRules on a store with a block of
// Tianhe (icv-nev) and one of Yuexiu (ai), a project and a lead in each:
// the public and firms see available units without prices; a district
// keeps its own blocks and allocates their units; a unit is held for a
// project or lead in the holder's scope only; a firm reads its own
// allocations; the use of the blocks is for officials; the settings and
// the expiry for administrators.
func TestSpaceRules(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := testclock.Now()
	db.Now = func() time.Time { return now }
	today := testclock.Today()
	day := func(years, days int) chanye.Date { return chanye.Date{Time: today.AddDate(years, 0, days)} }
	op := chanye.WithActor(context.Background(), chanye.Operator)
	dept := "市工业和信息化局"
	if _, err := store.UpdateResponsibility(op, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	inv := authz.SpaceInventory(store)
	alloc := authz.SpaceAllocations(store, store, store, store, store)
	use := authz.SpaceUse(store)

	// Two blocks, ten plants in Tianhe's and two in Yuexiu's.
	bt := &space.Block{Code: "TH-01", Name: "天河智慧城", DistrictCode: "440106", AreaM2: 1_000_000, Industries: []string{"icv-nev"}}
	by := &space.Block{Code: "YX-01", Name: "越秀产业园", DistrictCode: "440104", AreaM2: 500_000, Industries: []string{"ai"}}
	for _, b := range []*space.Block{bt, by} {
		if err := store.CreateBlock(op, b); err != nil {
			t.Fatal(err)
		}
	}
	rent := chanye.Fen(3500)
	var th, yx []*space.Unit
	for i := range 12 {
		u := &space.Unit{BlockID: bt.ID, Kind: space.Plant, Code: fmt.Sprintf("P%02d", i), AreaM2: 1000, RentFenM2Month: &rent}
		if i >= 10 {
			u.BlockID = by.ID
		}
		if err := store.CreateUnit(op, u); err != nil {
			t.Fatal(err)
		}
		if i < 10 {
			th = append(th, u)
		} else {
			yx = append(yx, u)
		}
	}
	start, end := day(0, -180), day(1, 0)
	for i, p := range []struct{ industry, district string }{{"icv-nev", "440106"}, {"ai", "440104"}} {
		if err := store.CreateProject(op, &project.Project{ID: fmt.Sprintf("P%d", i+1), Name: "项目", OwnerCode: projectCode(t, 1), IndustryID: p.industry,
			DistrictCode: p.district, Kind: project.KindIndustrial, TotalInvestmentFen: 1_000_000,
			PlannedStart: start, PlannedCompletion: end, Stage: project.StageBuilding}); err != nil {
			t.Fatal(err)
		}
	}
	nev := &invest.Target{IndustryID: "icv-nev", LinkID: "icv-nev.battery.cell", Kind: invest.ListAttract, Name: "某公司", Source: "名单"}
	ai := &invest.Target{IndustryID: "ai", LinkID: "ai.chips", Kind: invest.ListAttract, Name: "某芯片公司", Source: "名单"}
	for _, x := range []*invest.Target{nev, ai} {
		if err := store.CreateTarget(op, x); err != nil {
			t.Fatal(err)
		}
	}
	// l1: icv-nev, owned by Tianhe; l2: ai, owned by the department.
	l1 := &invest.Lead{TargetID: nev.ID, OwnerKind: invest.OwnerDistrict, OwnerName: "440106"}
	l2 := &invest.Lead{TargetID: ai.ID, OwnerKind: invest.OwnerDepartment, OwnerName: dept}
	for _, l := range []*invest.Lead{l1, l2} {
		if err := store.CreateLead(op, l); err != nil {
			t.Fatal(err)
		}
	}

	admin := chanye.Operator
	leader := &chanye.Actor{Name: "l", Role: chanye.RoleLeader}
	department := &chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept}
	otherDept := &chanye.Actor{Name: "d2", Role: chanye.RoleDepartment, Department: "市商务局"}
	tfNEV := &chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"}
	tfAI := &chanye.Actor{Name: "tf-ai", Role: chanye.RoleTaskForce, IndustryID: "ai"}
	tianhe := &chanye.Actor{Name: "th", Role: chanye.RoleDistrict, District: "440106"}
	yuexiu := &chanye.Actor{Name: "yx", Role: chanye.RoleDistrict, District: "440104"}
	firmA := &chanye.Actor{Name: "a", Role: chanye.RoleEnterprise, Code: projectCode(t, 1)}
	firmB := &chanye.Actor{Name: "b", Role: chanye.RoleEnterprise, Code: projectCode(t, 2)}
	public := chanye.Public

	next := 0 // the next free plant of Tianhe's block
	hold := func(forKind space.ForKind, forID string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			err := alloc.HoldUnit(ctx, &space.Hold{UnitID: th[next].ID, ForKind: forKind, ForID: forID, Until: day(0, 20)})
			if err == nil {
				next++
			}
			return err
		}
	}
	lead := func(l *invest.Lead) string { return fmt.Sprint(l.ID) }
	newBlock := func(code, district string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return inv.CreateBlock(ctx, &space.Block{Code: code, Name: "新区块", DistrictCode: district, AreaM2: 1000})
		}
	}
	held := th[0].ID
	var allocation *space.Allocation
	run(t, []rcase{
		// ReadInventory: blocks for all, units for officials; firms and
		// the public see available units only, without prices.
		{"public reads the blocks", public, func(ctx context.Context) error { _, _, err := inv.FindBlocks(ctx, space.BlockFilter{}); return err }, ""},
		{"public reads an available unit without rent", public, func(ctx context.Context) error {
			u, err := inv.FindUnitByID(ctx, th[5].ID)
			if err == nil && u.RentFenM2Month != nil {
				return fmt.Errorf("rent shown: %v", *u.RentFenM2Month)
			}
			return err
		}, ""},
		{"leader reads the rent", leader, func(ctx context.Context) error {
			if u, err := inv.FindUnitByID(ctx, th[5].ID); err != nil || u.RentFenM2Month == nil {
				return fmt.Errorf("no rent: %v", err)
			}
			return nil
		}, ""},
		{"firm routes without rents", firmA, func(ctx context.Context) error {
			r, err := alloc.Route(ctx, space.Needs{Kind: space.Plant, AreaM2: 900, MaxRentFenM2Month: ptr(chanye.Fen(1))}, 0)
			if err == nil && (len(r.Candidates) == 0 || r.Candidates[0].Unit.RentFenM2Month != nil || len(r.Candidates[0].Unmet) != 0) {
				return fmt.Errorf("a firm's routing: %+v", r.Candidates)
			}
			return err
		}, ""},
		{"public reads the size rule", public, func(ctx context.Context) error { _, err := alloc.FindSizeRule(ctx); return err }, ""},

		// HoldUnits.
		{"task force holds for its industry's project", tfNEV, hold(space.ForProject, "P1"), ""},
		{"task force: not for another industry's project", tfAI, hold(space.ForProject, "P1"), chanye.EFORBIDDEN},
		{"task force holds for its industry's lead", tfNEV, hold(space.ForLead, lead(l1)), ""},
		{"task force: not for another industry's lead", tfNEV, hold(space.ForLead, lead(l2)), chanye.EFORBIDDEN},
		{"department holds for a project of an industry it leads", department, hold(space.ForProject, "P1"), ""},
		{"department holds for a lead it owns", department, hold(space.ForLead, lead(l2)), ""},
		{"another department: not for the project", otherDept, hold(space.ForProject, "P1"), chanye.EFORBIDDEN},
		{"district holds for its lead", tianhe, hold(space.ForLead, lead(l1)), ""},
		{"district holds for a project in it", tianhe, hold(space.ForProject, "P1"), ""},
		{"district: not for another's lead", tianhe, hold(space.ForLead, lead(l2)), chanye.EFORBIDDEN},
		{"district: not for a project elsewhere", tianhe, hold(space.ForProject, "P2"), chanye.EFORBIDDEN},
		{"another district holds for its project", yuexiu, hold(space.ForProject, "P2"), ""},
		{"leader holds nothing", leader, hold(space.ForProject, "P1"), chanye.EFORBIDDEN},
		{"firm holds nothing", firmA, hold(space.ForProject, "P1"), chanye.EFORBIDDEN},
		{"admin holds for any", admin, hold(space.ForLead, lead(l2)), ""},

		// A held unit is not the public's to see.
		{"public: a held unit is not there", public, func(ctx context.Context) error { _, err := inv.FindUnitByID(ctx, held); return err }, chanye.ENOTFOUND},
		{"firm lists available units only", firmA, func(ctx context.Context) error {
			list, n, err := inv.FindUnits(ctx, space.UnitFilter{BlockID: &bt.ID})
			if err == nil && (n != 10-next || list[0].RentFenM2Month != nil) {
				return fmt.Errorf("%d units listed, %d available", n, 10-next)
			}
			return err
		}, ""},
		{"firm asks for held units", firmA, func(ctx context.Context) error {
			st := space.Held
			if _, n, err := inv.FindUnits(ctx, space.UnitFilter{Status: &st}); err != nil || n != 0 {
				return fmt.Errorf("%d held units listed: %v", n, err)
			}
			return nil
		}, ""},
		{"firm reads no holds", firmA, func(ctx context.Context) error { _, _, err := alloc.FindHolds(ctx, space.HoldFilter{}); return err }, chanye.EFORBIDDEN},
		{"task force reads the holds", tfNEV, func(ctx context.Context) error { _, _, err := alloc.FindHolds(ctx, space.HoldFilter{}); return err }, ""},

		// WriteInventory.
		{"district creates a block of its own", tianhe, newBlock("TH-02", "440106"), ""},
		{"district: not another district's", tianhe, newBlock("TH-03", "440104"), chanye.EFORBIDDEN},
		{"district: no unit in another's block", tianhe, func(ctx context.Context) error {
			return inv.CreateUnit(ctx, &space.Unit{BlockID: by.ID, Kind: space.Plant, Code: "X1", AreaM2: 100})
		}, chanye.EFORBIDDEN},
		{"district: no moving a block away", tianhe, func(ctx context.Context) error {
			b := *bt
			b.DistrictCode = "440104"
			return inv.UpdateBlock(ctx, &b)
		}, chanye.EFORBIDDEN},
		{"district: no import over another's block", tianhe, func(ctx context.Context) error {
			_, err := inv.ImportInventory(ctx, []*space.Block{{Code: "YX-01", Name: "接管", DistrictCode: "440106", AreaM2: 1}}, nil)
			return err
		}, chanye.EFORBIDDEN},
		{"district: no units into another's block", tianhe, func(ctx context.Context) error {
			_, err := inv.ImportInventory(ctx, nil, []*space.ImportUnit{{BlockCode: "YX-01", Unit: space.Unit{Kind: space.Plant, Code: "X2", AreaM2: 100}}})
			return err
		}, chanye.EFORBIDDEN},
		{"district imports into its own", tianhe, func(ctx context.Context) error {
			_, err := inv.ImportInventory(ctx, nil, []*space.ImportUnit{{BlockCode: "TH-02", Unit: space.Unit{Kind: space.Plant, Code: "X3", AreaM2: 100}}})
			return err
		}, ""},
		{"department creates a block anywhere", department, newBlock("YX-02", "440104"), ""},
		{"task force creates no block", tfNEV, newBlock("TH-04", "440106"), chanye.EFORBIDDEN},
		{"firm creates no block", firmA, newBlock("TH-05", "440106"), chanye.EFORBIDDEN},
		{"public creates no block", public, newBlock("TH-06", "440106"), chanye.EUNAUTHORIZED},

		// AllocateUnits.
		{"another district releases no hold here", yuexiu, func(ctx context.Context) error {
			holds, _, _ := store.FindHolds(op, space.HoldFilter{UnitID: &held})
			_, err := alloc.ReleaseHold(ctx, holds[0].ID, "")
			return err
		}, chanye.EFORBIDDEN},
		{"task force releases no hold", tfNEV, func(ctx context.Context) error {
			holds, _, _ := store.FindHolds(op, space.HoldFilter{UnitID: &held})
			_, err := alloc.ReleaseHold(ctx, holds[0].ID, "")
			return err
		}, chanye.EFORBIDDEN},
		{"district releases a hold of its block", tianhe, func(ctx context.Context) error {
			holds, _, _ := store.FindHolds(op, space.HoldFilter{UnitID: &held})
			_, err := alloc.ReleaseHold(ctx, holds[0].ID, "项目改址")
			return err
		}, ""},
		{"another district allocates nothing here", yuexiu, func(ctx context.Context) error {
			return alloc.Allocate(ctx, &space.Allocation{UnitID: held, Kind: space.Lease, Code: projectCode(t, 1), From: today, To: day(1, 0)})
		}, chanye.EFORBIDDEN},
		{"district allocates a unit of its block", tianhe, func(ctx context.Context) error {
			allocation = &space.Allocation{UnitID: held, Kind: space.Lease, Code: projectCode(t, 1), From: today, To: day(1, 0)}
			return alloc.Allocate(ctx, allocation)
		}, ""},
		{"department allocates", department, func(ctx context.Context) error {
			return alloc.Allocate(ctx, &space.Allocation{UnitID: yx[1].ID, Kind: space.Lease, Code: projectCode(t, 2), From: today, To: day(1, 0)})
		}, ""},
		{"leader allocates nothing", leader, func(ctx context.Context) error {
			return alloc.Allocate(ctx, &space.Allocation{UnitID: th[9].ID, Kind: space.Lease, Code: projectCode(t, 2), From: today, To: day(1, 0)})
		}, chanye.EFORBIDDEN},

		// ReadAllocations.
		{"firm reads its allocation", firmA, func(ctx context.Context) error { _, err := alloc.FindAllocationByID(ctx, allocation.ID); return err }, ""},
		{"firm: not another's", firmB, func(ctx context.Context) error { _, err := alloc.FindAllocationByID(ctx, allocation.ID); return err }, chanye.ENOTFOUND},
		{"firm lists its own only", firmB, func(ctx context.Context) error {
			list, n, err := alloc.FindAllocations(ctx, space.AllocationFilter{})
			if err == nil && (n != 1 || list[0].Code != projectCode(t, 2)) {
				return fmt.Errorf("%d allocations listed", n)
			}
			return err
		}, ""},
		{"firm asks for another's", firmB, func(ctx context.Context) error {
			c := projectCode(t, 1)
			if _, n, err := alloc.FindAllocations(ctx, space.AllocationFilter{Code: &c}); err != nil || n != 0 {
				return fmt.Errorf("%d of another's allocations: %v", n, err)
			}
			return nil
		}, ""},
		{"public reads no allocation", public, func(ctx context.Context) error {
			_, _, err := alloc.FindAllocations(ctx, space.AllocationFilter{})
			return err
		}, chanye.EUNAUTHORIZED},
		{"another district ends nothing here", yuexiu, func(ctx context.Context) error {
			_, err := alloc.EndAllocation(ctx, allocation.ID, chanye.Date{})
			return err
		}, chanye.EFORBIDDEN},
		{"district ends the allocation", tianhe, func(ctx context.Context) error {
			_, err := alloc.EndAllocation(ctx, allocation.ID, chanye.Date{})
			return err
		}, ""},

		// ReadUse, WriteSpaceSettings, ExpireSpaceHolds.
		{"leader reads the use", leader, func(ctx context.Context) error { _, err := use.FindBlockUse(ctx, space.BlockFilter{}); return err }, ""},
		{"district reads the use", yuexiu, func(ctx context.Context) error { _, err := use.FindUseThresholds(ctx); return err }, ""},
		{"firm reads no use", firmA, func(ctx context.Context) error { _, err := use.FindBlockUse(ctx, space.BlockFilter{}); return err }, chanye.EFORBIDDEN},
		{"public reads no use", public, func(ctx context.Context) error { _, err := use.FindBlockUse(ctx, space.BlockFilter{}); return err }, chanye.EUNAUTHORIZED},
		{"department sets no rule", department, func(ctx context.Context) error { return alloc.PutSizeRule(ctx, space.DefaultRule) }, chanye.EFORBIDDEN},
		{"leader sets no thresholds", leader, func(ctx context.Context) error { return use.PutUseThresholds(ctx, space.DefaultThresholds) }, chanye.EFORBIDDEN},
		{"admin sets the rule", admin, func(ctx context.Context) error { return alloc.PutSizeRule(ctx, space.DefaultRule) }, ""},
		{"admin sets the thresholds", admin, func(ctx context.Context) error { return use.PutUseThresholds(ctx, space.DefaultThresholds) }, ""},
		{"department runs no expiry", department, func(ctx context.Context) error { _, err := alloc.ExpireHolds(ctx); return err }, chanye.EFORBIDDEN},
		{"admin runs the expiry", admin, func(ctx context.Context) error { _, err := alloc.ExpireHolds(ctx); return err }, ""},
	})
}

// TestSpaceRulesTable: every grant names a known role, administrators
// may do everything, and only reading the inventory is open to the
// public.
func TestSpaceRulesTable(t *testing.T) {
	rs := authz.SpaceRules()
	for act, grants := range rs {
		for role := range grants {
			if !role.Valid() {
				t.Errorf("%q grants unknown role %q", act, role)
			}
		}
		if rs.Grant(chanye.RoleAdmin, act) != authz.Allow {
			t.Errorf("admin may not %q", act)
		}
		if g := rs.Grant(chanye.RolePublic, act); (g != authz.Deny) != (act == authz.ReadInventory) {
			t.Errorf("the public is given %v to %q", g, act)
		}
	}
}
