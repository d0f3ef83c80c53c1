package chanye

import (
	"context"
	"fmt"
)

// Role is what an account may do. Authorization lives in the services
// (package authz), so the CLI, the API and the pages obey the same rules.
type Role string

// The roles of chanye's users.
const (
	RoleAdmin      Role = "admin"      // everything, including accounts
	RoleLeader     Role = "leader"     // city leaders: read everything, change nothing
	RoleDepartment Role = "department" // a department: its industries and the policies it issues
	RoleTaskForce  Role = "task_force" // a task force (专班): one industry
	RoleDistrict   Role = "district"   // a district government (区): the 招商 leads it follows
	RoleEnterprise Role = "enterprise" // one enterprise: its own profile, decisions and objections
	RolePublic     Role = "public"     // no login: the publicity list and open pages
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleLeader, RoleDepartment, RoleTaskForce, RoleDistrict, RoleEnterprise, RolePublic}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Actor is who is acting: a signed-in user, an API token's owner, the local
// operator at the command line, or the public. Scope fields say what a
// scoped role may touch.
type Actor struct {
	UserID     int64  `json:"user_id,omitempty"`
	Name       string `json:"name"`
	Role       Role   `json:"role"`
	Department string `json:"department,omitempty"`  // RoleDepartment: the department's name, as in responsibilities and policy issuers
	IndustryID string `json:"industry_id,omitempty"` // RoleTaskForce: its industry
	Code       string `json:"code,omitempty"`        // RoleEnterprise: its credit code
	District   string `json:"district,omitempty"`    // RoleDistrict: its district code (GB/T 2260)
}

// String names the actor for "who did it" fields: the user name, with the
// role.
func (a *Actor) String() string {
	if a == nil {
		return "public"
	}
	return fmt.Sprintf("%s (%s)", a.Name, a.Role)
}

// Public is the actor of a request without credentials.
var Public = &Actor{Name: "public", Role: RolePublic}

// Operator is the local operator running chanye commands: whoever can read
// the database file or connection string already holds every right.
var Operator = &Actor{Name: "operator", Role: RoleAdmin}

type ctxKey int

const (
	actorKey ctxKey = iota
	requestIDKey
)

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the context's actor, or Public when there is none: a
// missing actor never grants anything.
func ActorFrom(ctx context.Context) *Actor {
	if a, ok := ctx.Value(actorKey).(*Actor); ok && a != nil {
		return a
	}
	return Public
}

// WithRequestID returns a context carrying the id of the request being
// served, for logs and the audit log.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFrom returns the context's request id, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
