// Package authz enforces who may do what in the services themselves, so the
// CLI, the API and the pages obey the same rules. Each decorator implements
// the interface it guards (chanye.CatalogService, chanye.EnterpriseService,
// the policy services) and checks the actor on the context (chanye.ActorFrom)
// before calling the inner service; the engine guard checks the outer calls
// of the policy engine, which itself reads through unguarded services.
//
// The rules are tables, one per resource (catalogRules, registryRules,
// policyRules, engineRules): an action gives each role a Grant. A role that
// a table does not name, and any unknown role, is denied.
//
// A denial is EUNAUTHORIZED for the public (signing in may help) and
// EFORBIDDEN for everyone else, except that an enterprise asking for
// another enterprise's data gets ENOTFOUND, exactly as for a code that does
// not exist: it learns nothing about the other enterprise.
package authz

import (
	"context"

	"github.com/chanye-org/chanye"
)

// Grant is what a rule gives a role for an action.
type Grant int

// The grants. Own and Aggregate are narrowed by the decorator, which knows
// the record: Own is the actor's scope — a department's industries (those
// whose lead department it is) and policies (those it administers: the
// policy's department is the account's),
// a task force's industry, an enterprise's credit code.
const (
	Deny      Grant = iota
	Allow           // every record
	Own             // only records within the actor's scope
	Aggregate       // only totals that cannot single out one enterprise (no name or code search)
	Published       // only published (and retired) policy versions: public documents, drafts hidden
)

func (g Grant) String() string {
	return [...]string{"deny", "allow", "own", "aggregate", "published"}[g]
}

// Action is what an actor asks to do.
type Action string

// Rules gives, for each action of one resource, the grant of each role.
type Rules map[Action]map[chanye.Role]Grant

// Grant returns what the rules give the role for the action: Deny for an
// action or role they do not name, except that a district account is
// given at least what the public is: a table names districts only where
// they may do more (the 招商 leads they follow).
func (rs Rules) Grant(role chanye.Role, act Action) Grant {
	g, ok := rs[act][role]
	if !ok && role == chanye.RoleDistrict {
		return rs[act][chanye.RolePublic]
	}
	return g
}

// Short names of the roles, so that the rule tables read as tables.
var (
	admin      = chanye.RoleAdmin
	leader     = chanye.RoleLeader
	department = chanye.RoleDepartment
	taskForce  = chanye.RoleTaskForce
	district   = chanye.RoleDistrict
	enterprise = chanye.RoleEnterprise
	public     = chanye.RolePublic
)

// deny returns the error for an actor refused an action.
func deny(a *chanye.Actor, act Action) error {
	if a.Role == chanye.RolePublic {
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in to %s", act)
	}
	return chanye.Errorf(chanye.EFORBIDDEN, "无权操作 / %s (%s) may not %s", a.Name, a.Role, act)
}

// hidden is the error for an enterprise asking for another's data: the
// same as for a record that does not exist.
func hidden() error {
	return chanye.Errorf(chanye.ENOTFOUND, "记录不存在 / not found")
}

// check returns the grant of the context's actor for act, or the denial
// error when it is Deny.
func check(ctx context.Context, rs Rules, act Action) (*chanye.Actor, Grant, error) {
	a := chanye.ActorFrom(ctx)
	if !a.Role.Valid() {
		return a, Deny, chanye.Errorf(chanye.EFORBIDDEN, "未知角色 %q / unknown role", a.Role)
	}
	g := rs.Grant(a.Role, act)
	if g == Deny {
		return a, g, deny(a, act)
	}
	return a, g, nil
}

// scoped returns nil when the actor's Own grant covers the record (ok), and
// otherwise the denial: ENOTFOUND for an enterprise, so that it learns
// nothing, the role's denial for anyone else.
func scoped(a *chanye.Actor, act Action, ok bool) error {
	return scopedAs(a, act, ok, hidden())
}

// scopedAs is scoped for a record looked up before the check: an
// enterprise gets notFound, exactly the error of a record that does not
// exist, since anything else would tell it the record exists.
func scopedAs(a *chanye.Actor, act Action, ok bool, notFound error) error {
	switch {
	case ok:
		return nil
	case a.Role == chanye.RoleEnterprise:
		return notFound
	default:
		return deny(a, act)
	}
}
