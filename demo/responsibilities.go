package demo

import (
	"cmp"
	"context"

	"github.com/chanye-org/chanye"
)

// ResponsibilityStore is what Responsibilities writes to.
type ResponsibilityStore interface {
	chanye.CatalogService
	chanye.OrgUnitService
}

// demoDepartmentEN names in English the departments the demo may add to a
// list that lacks them (a catalog without departments).
var demoDepartmentEN = map[string]string{
	"市工业和信息化局": "Bureau of Industry and Information Technology", "市科技局": "Science and Technology Bureau",
	"市商务局": "Bureau of Commerce", "市交通运输局": "Transport Bureau", "市委金融办": "Financial Affairs Office",
	"市文化广电旅游局": "Culture, Radio, Television and Tourism Bureau", "市发展改革委": "Development and Reform Commission",
}

// Responsibilities fills the managed lists with demo city leaders
// (市领导甲（演示）…, in that order) and one demo task force per industry
// (…工作专班（演示）), and gives every industry without one a city leader, a
// lead department (a real department of the list, as the demo projects
// use) and a task force. Names the demo invents say 演示; an industry's
// recorded responsibility is kept. Running it again changes nothing. It
// returns how many industries it assigned.
func Responsibilities(ctx context.Context, store ResponsibilityStore) (int, error) {
	lists, err := store.FindOrgUnits(ctx, chanye.OrgUnitFilter{})
	if err != nil {
		return 0, err
	}
	ensure := func(kind chanye.OrgKind, zh, en string) error {
		if chanye.OrgLists(lists).Find(kind, zh) != nil {
			return nil
		}
		u := &chanye.OrgUnit{Kind: kind, NameZH: zh, NameEN: en}
		if err := store.CreateOrgUnit(ctx, u); err != nil {
			return err
		}
		lists = append(lists, u)
		return nil
	}
	if err := ensureLeaders(ctx, store, &lists); err != nil {
		return 0, err
	}
	inds, err := store.FindIndustries(ctx, chanye.IndustryFilter{})
	if err != nil {
		return 0, err
	}
	assigned, n := 0, 0
	for _, ind := range inds {
		r := ind.Responsibility
		var upd chanye.ResponsibilityUpdate
		if r.CityLeader == "" {
			upd.CityLeader = &demoLeaders[n%len(demoLeaders)]
			n++
		}
		if r.LeadDepartment == "" {
			d := cmp.Or(leadDepartments[ind.ID], "市工业和信息化局")
			if err := ensure(chanye.OrgDepartment, d, demoDepartmentEN[d]); err != nil {
				return 0, err
			}
			upd.LeadDepartment = &d
		}
		if r.TaskForce == "" {
			tf := ind.NameZH + "工作专班（演示）"
			if err := ensure(chanye.OrgTaskForce, tf, ind.NameEN+" task force (demo)"); err != nil {
				return 0, err
			}
			upd.TaskForce = &tf
		}
		if upd == (chanye.ResponsibilityUpdate{}) {
			continue
		}
		if _, err := store.UpdateResponsibility(ctx, ind.ID, upd); err != nil {
			return assigned, err
		}
		assigned++
	}
	return assigned, nil
}

// EnsureLeaders adds the demo city leaders (市领导甲（演示）…) to the managed
// list where they are missing, as GenerateProjects and Responsibilities
// do: a database that imports the demo's projects needs them.
func EnsureLeaders(ctx context.Context, store chanye.OrgUnitService) error {
	have, err := store.FindOrgUnits(ctx, chanye.OrgUnitFilter{})
	if err != nil {
		return err
	}
	return ensureLeaders(ctx, store, &have)
}

// ensureLeaders adds the demo city leaders to the managed list where they
// are missing; lists is what the store holds, kept up to date.
func ensureLeaders(ctx context.Context, store chanye.OrgUnitService, lists *[]*chanye.OrgUnit) error {
	for i, zh := range demoLeaders {
		if chanye.OrgLists(*lists).Find(chanye.OrgLeader, zh) != nil {
			continue
		}
		u := &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: zh, NameEN: demoLeadersEN[i]}
		if err := store.CreateOrgUnit(ctx, u); err != nil {
			return err
		}
		*lists = append(*lists, u)
	}
	return nil
}
