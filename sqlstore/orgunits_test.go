package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
)

// addUnits appends names to the list of kind.
func addUnits(t *testing.T, s *Store, kind chanye.OrgKind, names ...string) []*chanye.OrgUnit {
	t.Helper()
	var out []*chanye.OrgUnit
	for _, n := range names {
		u := &chanye.OrgUnit{Kind: kind, NameZH: n}
		if err := s.CreateOrgUnit(context.Background(), u); err != nil {
			t.Fatalf("add %s %q: %v", kind, n, err)
		}
		out = append(out, u)
	}
	return out
}

// names returns the names of the list of kind, in order, retired ones
// marked with a trailing "-".
func names(t *testing.T, s *Store, kind chanye.OrgKind) string {
	t.Helper()
	us, err := s.FindOrgUnits(context.Background(), chanye.OrgUnitFilter{Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, u := range us {
		if u.Position != i+1 {
			t.Errorf("%s %q at position %d, want %d", kind, u.NameZH, u.Position, i+1)
		}
		n := u.NameZH
		if u.Retired {
			n += "-"
		}
		out = append(out, n)
	}
	return strings.Join(out, " ")
}

// TestOrgUnitsSeeded: a catalog import puts its departments and the names
// its responsibilities carry on the lists, and so does migration 0019 for
// the names stored before it; the catalog's departments are the list's.
func TestOrgUnitsSeeded(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := NewStore(db)
		c := testCatalog()
		c.Departments = []chanye.Department{{NameZH: "市科技局", NameEN: "Science"}}
		if _, err := s.EnsureCatalog(ctx, c); err != nil {
			t.Fatal(err)
		}
		for kind, want := range map[chanye.OrgKind]string{chanye.OrgLeader: "甲", chanye.OrgDepartment: "市科技局 工信局", chanye.OrgTaskForce: "汽车专班"} {
			if got := names(t, s, kind); got != want {
				t.Errorf("%s list %q, want %q", kind, got, want)
			}
		}
		// Names stored before the lists existed: the migration's seeding
		// adds them behind the others, once.
		if _, err := db.db.ExecContext(ctx, `UPDATE industries SET city_leader = '乙', task_force = '信息专班' WHERE id = 'ict'`); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := db.transact(ctx, false, func(tx *txn) error { return seedAfterMigration(ctx, tx) }); err != nil {
				t.Fatal(err)
			}
		}
		if got := names(t, s, chanye.OrgLeader); got != "甲 乙" {
			t.Errorf("leaders after seeding %q, want 甲 乙", got)
		}
		if got := names(t, s, chanye.OrgTaskForce); got != "汽车专班 信息专班" {
			t.Errorf("task forces after seeding %q", got)
		}
		cat, err := s.FindCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cat.Departments) != 2 || cat.Departments[0] != (chanye.Department{NameZH: "市科技局", NameEN: "Science"}) {
			t.Errorf("catalog departments %+v, want the list's", cat.Departments)
		}
	})
}

// TestOrgUnits: entries are added at the end, moved, renamed (the rename
// carried to the industries, accounts and projects naming them), retired
// only when unused; responsibilities and accounts choose active names only.
func TestOrgUnits(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := chanye.WithActor(context.Background(), chanye.Operator)
		s := newStore(t, db)
		ls := addUnits(t, s, chanye.OrgLeader, "市领导丁", "市领导乙", "市领导丙")
		if ls[0].Position != 2 || ls[2].Position != 4 || ls[0].ID == 0 {
			t.Errorf("added at %d…%d (id %d), want after 甲", ls[0].Position, ls[2].Position, ls[0].ID)
		}
		// Code point order would be 丁 丙 乙 甲: the list keeps the order given.
		if _, err := s.UpdateOrgUnit(ctx, ls[0].ID, chanye.OrgUnitUpdate{Position: ptr(99)}); err != nil {
			t.Fatal(err)
		}
		if got := names(t, s, chanye.OrgLeader); got != "甲 市领导乙 市领导丙 市领导丁" {
			t.Errorf("after moving 丁 last: %q", got)
		}
		u, err := s.UpdateOrgUnit(ctx, ls[2].ID, chanye.OrgUnitUpdate{Position: ptr(2)})
		if err != nil || u.Position != 2 {
			t.Fatalf("move 丙 up: %+v, %v", u, err)
		}
		if got := names(t, s, chanye.OrgLeader); got != "甲 市领导丙 市领导乙 市领导丁" {
			t.Errorf("after moving 丙 to 2: %q", got)
		}

		// Refusals on create and update.
		err = s.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: " 市领导乙 "})
		wantCode(t, err, chanye.ECONFLICT)
		err = s.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: "mayor", NameZH: "x"})
		if chanye.ErrorFields(err)["kind"] == "" {
			t.Errorf("unknown kind: %v, want the field named", err)
		}
		err = s.CreateOrgUnit(ctx, &chanye.OrgUnit{Kind: chanye.OrgLeader, NameZH: "  "})
		if chanye.ErrorFields(err)["name_zh"] == "" {
			t.Errorf("blank name: %v, want the field named", err)
		}
		_, err = s.UpdateOrgUnit(ctx, ls[1].ID, chanye.OrgUnitUpdate{NameZH: ptr("市领导丙")})
		wantCode(t, err, chanye.ECONFLICT)
		_, err = s.UpdateOrgUnit(ctx, 9999, chanye.OrgUnitUpdate{NameEN: ptr("x")})
		wantCode(t, err, chanye.ENOTFOUND)

		// Responsibilities choose from the lists: an unknown name is
		// refused naming the field and the value; "" unassigns.
		_, err = s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{CityLeader: ptr("市领导甲"), TaskForce: ptr("汽车专班")})
		wantCode(t, err, chanye.EINVALID)
		if f := chanye.ErrorFields(err); !strings.Contains(f["city_leader"], "市领导甲") || f["task_force"] != "" {
			t.Errorf("unknown leader: fields %v, want city_leader naming 市领导甲 and no task_force", f)
		}
		if !strings.Contains(chanye.ErrorMessage(err), "市领导甲") {
			t.Errorf("message %q does not name the value", chanye.ErrorMessage(err))
		}
		if _, err := s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{CityLeader: ptr("市领导乙"), LeadDepartment: ptr("工信局")}); err != nil {
			t.Fatal(err)
		}

		// A department account names 工信局.
		if err := s.CreateUser(ctx, &auth.User{Name: "gxj", Role: chanye.RoleDepartment, Department: "工信局"}, testPassword); err != nil {
			t.Fatal(err)
		}
		err = s.CreateUser(ctx, &auth.User{Name: "bad", Role: chanye.RoleDepartment, Department: "不存在局"}, testPassword)
		if f := chanye.ErrorFields(err)["department"]; !strings.Contains(f, "不存在局") {
			t.Errorf("unknown department account: %v, want the field naming the value", err)
		}
		// Retiring a name in use is refused, saying where.
		_, err = s.UpdateOrgUnit(ctx, ls[1].ID, chanye.OrgUnitUpdate{Retired: ptr(true)})
		wantCode(t, err, chanye.ECONFLICT)
		if m := chanye.ErrorMessage(err); !strings.Contains(m, "产业 1 个（ict）") {
			t.Errorf("retire in use: %q, want the industry named", m)
		}
		kind := chanye.OrgDepartment
		depts, err := s.FindOrgUnits(ctx, chanye.OrgUnitFilter{Kind: &kind})
		if err != nil || len(depts) != 1 {
			t.Fatalf("departments %v, %v", depts, err)
		}
		uses, err := s.FindOrgUnitUses(ctx, depts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(uses) != 2 || uses[0].What != "industries" || uses[0].Count != 2 || uses[1].What != "users" || uses[1].Keys[0] != "gxj" {
			t.Errorf("uses of 工信局 %+v", uses)
		}

		// A rename is carried to the industries and accounts.
		got, err := s.UpdateOrgUnit(ctx, depts[0].ID, chanye.OrgUnitUpdate{NameZH: ptr("市工业和信息化局"), NameEN: ptr("MIIT")})
		if err != nil || got.NameZH != "市工业和信息化局" || got.NameEN != "MIIT" {
			t.Fatalf("rename: %+v, %v", got, err)
		}
		for _, id := range []string{"auto", "ict"} {
			ind, err := s.FindIndustryByID(ctx, id)
			if err != nil || ind.Responsibility.LeadDepartment != "市工业和信息化局" {
				t.Errorf("%s after rename: %+v, %v", id, ind, err)
			}
		}
		user, err := s.FindUserByName(ctx, "gxj")
		if err != nil || user.Department != "市工业和信息化局" {
			t.Errorf("account after rename: %+v, %v", user, err)
		}
		ents, _, err := s.FindAudit(ctx, chanye.AuditFilter{Entity: ptr("org_unit"), Limit: 100})
		carried := false
		for _, e := range ents {
			carried = carried || strings.Contains(string(e.After), `"carried":{"industries":2,"users":1}`)
		}
		if err != nil || !carried {
			t.Errorf("no audit entry of the rename says what it carried: %v", err)
		}

		// Unused: retired, then never newly chosen; restored, chosen again.
		if _, err := s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{CityLeader: ptr("")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateOrgUnit(ctx, ls[1].ID, chanye.OrgUnitUpdate{Retired: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if got := names(t, s, chanye.OrgLeader); got != "甲 市领导丙 市领导乙- 市领导丁" {
			t.Errorf("after retiring 乙: %q", got)
		}
		_, err = s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{CityLeader: ptr("市领导乙")})
		if f := chanye.ErrorFields(err)["city_leader"]; !strings.Contains(f, "已停用") {
			t.Errorf("retired leader chosen: %v", err)
		}
		if _, err := s.UpdateOrgUnit(ctx, ls[1].ID, chanye.OrgUnitUpdate{Retired: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateResponsibility(ctx, "ict", chanye.ResponsibilityUpdate{CityLeader: ptr("市领导乙")}); err != nil {
			t.Errorf("restored leader chosen: %v", err)
		}
	})
}

// TestOrgUnitRenameRefusedForPolicies: a department that a policy version
// names is not renamed, nor retired; the message names the policy.
func TestOrgUnitRenameRefusedForPolicies(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := chanye.WithActor(context.Background(), chanye.Operator)
		s := NewStore(db)
		c := testCatalog()
		c.Departments = []chanye.Department{{NameZH: "市工业和信息化局", NameEN: "Industry"}}
		if _, err := s.EnsureCatalog(ctx, c); err != nil {
			t.Fatal(err)
		}
		v, err := s.CreatePolicyVersion(as(ctx, "editor"), policySource(t))
		if err != nil {
			t.Fatal(err)
		}
		kind := chanye.OrgDepartment
		depts, err := s.FindOrgUnits(ctx, chanye.OrgUnitFilter{Kind: &kind})
		if err != nil || depts[0].NameZH != "市工业和信息化局" {
			t.Fatalf("departments %v, %v", depts, err)
		}
		_, err = s.UpdateOrgUnit(ctx, depts[0].ID, chanye.OrgUnitUpdate{NameZH: ptr("市工信局")})
		wantCode(t, err, chanye.ECONFLICT)
		if m := chanye.ErrorMessage(err); !strings.Contains(m, v.Policy.ID) {
			t.Errorf("rename refused: %q, want policy %s named", m, v.Policy.ID)
		}
		_, err = s.UpdateOrgUnit(ctx, depts[0].ID, chanye.OrgUnitUpdate{Retired: ptr(true)})
		if m := chanye.ErrorMessage(err); chanye.ErrorCode(err) != chanye.ECONFLICT || !strings.Contains(m, "政策 1 个") {
			t.Errorf("retire: %v, want the policy named", err)
		}
		// The English name is not the identity: it may change.
		if _, err := s.UpdateOrgUnit(ctx, depts[0].ID, chanye.OrgUnitUpdate{NameEN: ptr("MIIT")}); err != nil {
			t.Error(err)
		}
	})
}
