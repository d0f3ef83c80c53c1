// Package notify holds chanye's notifications: an in-app inbox per account
// and, when SMTP is configured, e-mail to the accounts that gave an
// address. A notification is addressed to a scope — an enterprise, a
// department, a task force, the city leaders or the administrators — never
// to a list of users picked by hand: whoever holds an account of that
// scope, now or later, finds it in their inbox, each with their own read
// state. What is asked of one named person (a member of a review panel,
// named by the panel itself) goes to that account's own scope, User.
//
// Notifications are written by the store in the transaction of the action
// they report (an objection answered, an application returned, a payment
// made, a project turned red …), so that one never exists without the
// other. Each has a subject naming the event (an objection, a ledger
// entry, a project and day): the same event for the same scope is stored
// once, however often the write is replayed.
//
// The package imports neither database/sql nor net/http; sqlstore stores
// notifications, smtpmail sends them, Sender moves them from one to the
// other.
package notify

import (
	"context"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
)

// Scope is who a notification is for: a role and the key of that role's
// scope — an enterprise's credit code, a department's name, a task
// force's industry id, a district's code — or "" for the leaders and the administrators,
// who each see the whole city; or one account by name (User).
type Scope struct {
	Role chanye.Role `json:"role"`
	Key  string      `json:"key,omitempty"`
}

// Enterprise is the scope of the enterprise with this credit code.
func Enterprise(code string) Scope { return Scope{chanye.RoleEnterprise, code} }

// Department is the scope of the department of this name, as accounts and
// responsibilities name it.
func Department(name string) Scope { return Scope{chanye.RoleDepartment, name} }

// TaskForce is the scope of the task force (专班) of this industry.
func TaskForce(industry string) Scope { return Scope{chanye.RoleTaskForce, industry} }

// District is the scope of the district (区) with this code.
func District(code string) Scope { return Scope{chanye.RoleDistrict, code} }

// UserRole is the Role of an account's own scope (User): not a role an
// account holds, the mark of a notification for one named person.
const UserRole chanye.Role = "user"

// User is the scope of the one account of this name (its sign-in name):
// for what concerns a person rather than an office, such as a review
// panel's members. An account's inbox holds its role's scope and its own.
func User(name string) Scope { return Scope{UserRole, name} }

// Leaders and Admins are the city leaders' and the administrators' scopes.
var (
	Leaders = Scope{Role: chanye.RoleLeader}
	Admins  = Scope{Role: chanye.RoleAdmin}
)

// Valid reports whether s names someone: a known role other than the
// public, with a key exactly when the role is scoped.
func (s Scope) Valid() bool {
	switch s.Role {
	case chanye.RoleAdmin, chanye.RoleLeader:
		return s.Key == ""
	case chanye.RoleEnterprise, chanye.RoleDepartment, chanye.RoleTaskForce, chanye.RoleDistrict, UserRole:
		return strings.TrimSpace(s.Key) != ""
	}
	return false
}

// ScopeOf returns the scope of an actor's role, and false for an actor
// without one (the public, a scoped role missing its scope). The actor's
// inbox holds it and, for a named account, User(a.Name).
func ScopeOf(a *chanye.Actor) (Scope, bool) {
	var s Scope
	switch a.Role {
	case chanye.RoleAdmin, chanye.RoleLeader:
		s = Scope{Role: a.Role}
	case chanye.RoleEnterprise:
		s = Enterprise(a.Code)
	case chanye.RoleDepartment:
		s = Department(a.Department)
	case chanye.RoleTaskForce:
		s = TaskForce(a.IndustryID)
	case chanye.RoleDistrict:
		s = District(a.District)
	}
	return s, s.Valid()
}

// Kind says what happened. The inbox shows any kind; a new one needs
// only a constant here and a tx.notify call where it happens (see
// sqlstore/notify.go).
type Kind string

// The kinds of notification.
const (
	ObjectionFiled       Kind = "objection_filed"       // to the department that issues the policy
	ObjectionResolved    Kind = "objection_resolved"    // to the enterprise that objected
	ApplicationSubmitted Kind = "application_submitted" // to the department that reviews it
	ApplicationReturned  Kind = "application_returned"  // to the enterprise, with the reason
	ApplicationAccepted  Kind = "application_accepted"  // to the enterprise
	PaymentMade          Kind = "payment_made"          // to the enterprise paid
	ProjectRed           Kind = "project_red"           // to the owner, the task force and the responsible department
	Supervision          Kind = "supervision"           // 督办: to whoever is to act
	Request              Kind = "request"               // 诉求: to whoever is to act on an enterprise request
	Scenario             Kind = "scenario"              // 首试首用: an application to the scenario's runners; a result to its applicants
	Match                Kind = "match"                 // 供需对接: new proposals and each step of a match to its two firms
	Fair                 Kind = "fair"                  // 供需对接会: a registration or the timetable to the firm; a firm's meeting request to the organisers
	Space                Kind = "space"                 // 产业空间: a hold of a unit about to expire, to the project's or lead's holders
)

// Message is what a notification says, in Chinese and English, and where
// it leads. Subject names the event it reports, so that the same event is
// stored once per scope (e.g. "objection/12", "ledger/345",
// "project/GZ-001/2026-03-05").
type Message struct {
	Kind    Kind   `json:"kind"`
	Subject string `json:"subject"`
	TitleZH string `json:"title_zh"`
	TitleEN string `json:"title_en"`
	BodyZH  string `json:"body_zh,omitempty"`
	BodyEN  string `json:"body_en,omitempty"`
	Link    string `json:"link,omitempty"` // a path of this site, e.g. /objections/12
}

// Validate checks m: a kind, a subject and both titles, text of bounded
// length, and a link that is a path of this site (never another site:
// the inbox and the e-mails link it as given).
func (m *Message) Validate() error {
	f := map[string]string{}
	for name, v := range map[string]string{"kind": string(m.Kind), "subject": m.Subject, "title_zh": m.TitleZH, "title_en": m.TitleEN} {
		if strings.TrimSpace(v) == "" {
			f[name] = "必填 / required"
		}
	}
	for name, v := range map[string]string{"subject": m.Subject, "title_zh": m.TitleZH, "title_en": m.TitleEN, "link": m.Link} {
		if len([]rune(v)) > 200 {
			f[name] = "最多 200 个字符 / at most 200 characters"
		}
	}
	for name, v := range map[string]string{"body_zh": m.BodyZH, "body_en": m.BodyEN} {
		if len([]rune(v)) > 2000 {
			f[name] = "最多 2000 个字符 / at most 2000 characters"
		}
	}
	if m.Link != "" && (!strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//") || strings.ContainsAny(m.Link, "\\ \r\n")) {
		f["link"] = "须为本站路径，如 /objections/12 / must be a path of this site, e.g. /objections/12"
	}
	return chanye.Invalid("通知有误 / invalid notification", f)
}

// Notification is a message as stored for one scope, and as one account
// reads it: Read is that account's state.
type Notification struct {
	ID int64 `json:"id"`
	Message
	Scope     Scope     `json:"scope"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// Title is the notification's title in the language asked for.
func (n *Notification) Title(en bool) string {
	if en {
		return n.TitleEN
	}
	return n.TitleZH
}

// Body is the notification's text in the language asked for.
func (n *Notification) Body(en bool) string {
	if en {
		return n.BodyEN
	}
	return n.BodyZH
}

// Filter selects notifications of the actor's inbox, newest first.
type Filter struct {
	Unread bool // only those the account has not read
	Offset int
	Limit  int
}

// Service is an account's inbox. Every method reads or changes the inbox
// of the context's actor (chanye.ActorFrom), which must be a signed-in
// account with a scope: EUNAUTHORIZED otherwise. No method reads anyone
// else's inbox.
type Service interface {
	// FindNotifications returns a page of the inbox, newest first, the
	// total the filter selects and the number unread. EINVALID on bad
	// paging.
	FindNotifications(ctx context.Context, f Filter) (items []*Notification, total, unread int, err error)
	// CountUnread returns the number of unread notifications: one indexed
	// count, cheap enough for every page's header.
	CountUnread(ctx context.Context) (int, error)
	// MarkRead marks the given notifications of the inbox read, or all of
	// them when ids is empty, and returns the number still unread. An id
	// outside the inbox is ENOTFOUND.
	MarkRead(ctx context.Context, ids ...int64) (unread int, err error)
	// OpenNotification marks one notification read and returns it (for
	// its link). ENOTFOUND when it is not in the inbox.
	OpenNotification(ctx context.Context, id int64) (*Notification, error)
}
