package authz_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestImportLeadsRules: administrators import any lead; a task force the
// leads of its industry; a department the leads it owns within the
// industries it leads; anyone else nothing. A file with one row outside
// the actor's scope is refused whole, naming each such row.
func TestImportLeadsRules(t *testing.T) {
	store := sqlstoretest.New(t)
	op := chanye.WithActor(context.Background(), chanye.Operator)
	dept := "市工业和信息化局"
	if _, err := store.UpdateResponsibility(op, "icv-nev", chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	admin := as(&chanye.Actor{Name: "a", Role: chanye.RoleAdmin})
	tf := as(&chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	d := as(&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: dept})
	other := as(&chanye.Actor{Name: "d2", Role: chanye.RoleDepartment, Department: "市科学技术局"})
	leader := as(&chanye.Actor{Name: "l", Role: chanye.RoleLeader})
	ent := as(&chanye.Actor{Name: "e", Role: chanye.RoleEnterprise, Code: "91440101MA5CXXXX0X"})
	public := as(chanye.Public)
	tianhe := as(&chanye.Actor{Name: "th", Role: chanye.RoleDistrict, District: "440106"})

	nev := &invest.Target{IndustryID: "icv-nev", LinkID: "icv-nev.battery.cell", Kind: invest.ListAttract, Name: "某电池公司", Source: "名单"}
	ai := &invest.Target{IndustryID: "ai", Kind: invest.ListAttract, Name: "某芯片公司", Source: "名单"}
	for _, x := range []*invest.Target{nev, ai} {
		if err := store.CreateTarget(op, x); err != nil {
			t.Fatal(err)
		}
	}
	imports := authz.LeadImports(store, store, store)
	row := func(target int64, kind invest.OwnerKind, owner string) *invest.Lead {
		return &invest.Lead{TargetID: target, Stage: invest.StageContact, StageOn: testclock.Today(), OwnerKind: kind, OwnerName: owner}
	}
	district := func(target int64) *invest.Lead { return row(target, invest.OwnerDistrict, "440106") }
	owned := func(target int64) *invest.Lead { return row(target, invest.OwnerDepartment, dept) }
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		rows   []*invest.Lead
		code   string
		fields []string // the rows refused, sorted
	}{
		{"admin: any industry", admin, []*invest.Lead{district(nev.ID), district(ai.ID)}, "", nil},
		{"task force: its industry", tf, []*invest.Lead{district(nev.ID), owned(nev.ID)}, "", nil},
		{"task force: not another's", tf, []*invest.Lead{district(nev.ID), district(ai.ID), district(ai.ID)}, chanye.EFORBIDDEN,
			[]string{"rows[1].target_id", "rows[2].target_id"}},
		{"department: its own in its industry", d, []*invest.Lead{owned(nev.ID), row(nev.ID, invest.OwnerDepartment, " "+dept+" ")}, "", nil},
		{"department: not a district's", d, []*invest.Lead{owned(nev.ID), district(nev.ID)}, chanye.EFORBIDDEN, []string{"rows[1].owner_name"}},
		{"department: not another industry's", d, []*invest.Lead{owned(ai.ID)}, chanye.EFORBIDDEN, []string{"rows[0].target_id"}},
		{"department: not another department's", d, []*invest.Lead{row(nev.ID, invest.OwnerDepartment, "市科学技术局")}, chanye.EFORBIDDEN,
			[]string{"rows[0].owner_name"}},
		{"department leading nothing", other, []*invest.Lead{row(nev.ID, invest.OwnerDepartment, "市科学技术局")}, chanye.EFORBIDDEN,
			[]string{"rows[0].target_id"}},
		// A target that does not exist has no industry to check: the
		// store refuses the row.
		{"task force: an unknown target", tf, []*invest.Lead{district(999)}, chanye.EINVALID, []string{"rows[0].target_id"}},
		{"district: its own, any industry", tianhe, []*invest.Lead{district(nev.ID), district(ai.ID)}, "", nil},
		{"district: not another's", tianhe, []*invest.Lead{district(ai.ID), owned(nev.ID), row(ai.ID, invest.OwnerDistrict, "440104")}, chanye.EFORBIDDEN,
			[]string{"rows[1].owner_name", "rows[2].owner_name"}},
		{"leader", leader, []*invest.Lead{district(nev.ID)}, chanye.EFORBIDDEN, nil},
		{"enterprise", ent, []*invest.Lead{district(nev.ID)}, chanye.EFORBIDDEN, nil},
		{"public", public, []*invest.Lead{district(nev.ID)}, chanye.EUNAUTHORIZED, nil},
	} {
		_, before, err := store.FindLeads(op, invest.LeadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := imports.ImportLeads(tc.ctx, tc.rows)
		if got := chanye.ErrorCode(err); got != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
			continue
		}
		if got := slices.Sorted(maps.Keys(chanye.ErrorFields(err))); !slices.Equal(got, tc.fields) {
			t.Errorf("%s: refused %v, want %v", tc.name, got, tc.fields)
		}
		_, after, err := store.FindLeads(op, invest.LeadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if want := before + map[bool]int{true: len(tc.rows)}[tc.code == ""]; after != want || (tc.code == "" && n != len(tc.rows)) {
			t.Errorf("%s: %d leads stored (import says %d), want %d", tc.name, after-before, n, want-before)
		}
	}
}
