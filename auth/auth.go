// Package auth holds chanye's accounts: users with a role and its scope,
// argon2id password hashes, API tokens and sessions stored only as hashes,
// and the limiter that slows down password guessing. It imports neither
// database/sql nor net/http: sqlstore stores accounts, httpauth reads
// credentials from requests.
package auth

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// User is an account. Name is the login; the scope fields say what a
// scoped role may touch and are empty for the other roles.
type User struct {
	ID                int64       `json:"id"`
	Name              string      `json:"name"`
	DisplayName       string      `json:"display_name"`
	Role              chanye.Role `json:"role"`
	Department        string      `json:"department,omitempty"`  // RoleDepartment
	IndustryID        string      `json:"industry_id,omitempty"` // RoleTaskForce
	Code              string      `json:"code,omitempty"`        // RoleEnterprise: the credit code
	District          string      `json:"district,omitempty"`    // RoleDistrict: the district's code
	Email             string      `json:"email,omitempty"`       // optional: where notifications are e-mailed
	Disabled          bool        `json:"disabled"`
	CreatedAt         time.Time   `json:"created_at"`
	PasswordChangedAt time.Time   `json:"password_changed_at"`
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Validate normalises u (trimmed fields, lower-case name, normalised credit
// code, scope fields other roles do not use cleared) and checks it: a login
// name of 2–64 of a-z 0-9 . _ -, a known role other than public, and the
// scope its role needs. It returns EINVALID naming the fields at fault.
func (u *User) Validate() error {
	u.Name = strings.ToLower(strings.TrimSpace(u.Name))
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	u.Department = strings.TrimSpace(u.Department)
	u.IndustryID = strings.TrimSpace(u.IndustryID)
	u.District = strings.TrimSpace(u.District)
	u.Code = uscc.Normalize(u.Code)
	fields := map[string]string{}
	if err := NormalizeEmail(&u.Email); err != nil {
		fields["email"] = err.Error()
	}
	if !namePattern.MatchString(u.Name) {
		fields["name"] = "登录名为 2–64 个小写字母、数字或 . _ - / login name: 2–64 of a-z, 0-9, . _ -"
	}
	if len([]rune(u.DisplayName)) > 100 {
		fields["display_name"] = "最多 100 个字符 / at most 100 characters"
	}
	if !u.Role.Valid() || u.Role == chanye.RolePublic {
		fields["role"] = "未知角色 / unknown role"
	}
	if u.Role != chanye.RoleDepartment {
		u.Department = ""
	} else if u.Department == "" {
		fields["department"] = "部门账号须填写部门名称 / a department account needs the department's name"
	}
	if u.Role != chanye.RoleTaskForce {
		u.IndustryID = ""
	} else if u.IndustryID == "" {
		fields["industry_id"] = "专班账号须填写产业 / a task force account needs its industry"
	}
	if u.Role != chanye.RoleDistrict {
		u.District = ""
	} else if u.District == "" {
		fields["district"] = "区账号须填写区县代码 / a district account needs its district code"
	}
	if u.Role != chanye.RoleEnterprise {
		u.Code = ""
	} else if err := uscc.Validate(u.Code); err != nil {
		zh, en := chanye.SplitBilingual(err.Error()) // uscc.Error: bilingual, not a domain error
		fields["code"] = "企业账号须填写有效的统一社会信用代码：" + zh + " / an enterprise account needs a valid credit code: " + en
	}
	return chanye.Invalid("账号有误 / invalid account", fields)
}

// NormalizeEmail trims *email and checks that it is empty or one plain
// address (name@host, no display name), at most 254 characters. The error
// is bilingual, for a field.
func NormalizeEmail(email *string) error {
	e := strings.TrimSpace(*email)
	*email = e
	if e == "" {
		return nil
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || len(e) > 254 || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
		return chanye.Errorf(chanye.EINVALID, "电子邮箱格式不正确，如 name@example.org / not an e-mail address such as name@example.org")
	}
	return nil
}

// Actor returns who the user acts as, with the scope of its role.
func (u *User) Actor() *chanye.Actor {
	return &chanye.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, Department: u.Department, IndustryID: u.IndustryID, Code: u.Code, District: u.District}
}

// UserFilter selects users; nil fields select all.
type UserFilter struct {
	Name     *string
	Role     *chanye.Role
	Disabled *bool
	Offset   int
	Limit    int
}

// UserUpdate changes a user; nil fields stay as they are. Changing the role
// or scope is validated as a whole. A password is changed with
// ChangePassword, which says what it revoked.
type UserUpdate struct {
	DisplayName *string
	Role        *chanye.Role
	Department  *string
	IndustryID  *string
	District    *string
	Code        *string
	Email       *string
	Disabled    *bool
}

// PasswordChange is what changing a user's password did. A password is
// changed after a suspected compromise as often as not, so whatever the old
// password let in stops: every session of the user ends and every live API
// token of the user is revoked (a new token is made after the change).
type PasswordChange struct {
	User          *User   `json:"user"`
	SessionsEnded int     `json:"sessions_ended"`
	TokensRevoked int     `json:"tokens_revoked"`
	TokenIDs      []int64 `json:"token_ids,omitempty"` // the tokens revoked
}

// Apply applies upd to u, without validating.
func (upd UserUpdate) Apply(u *User) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.DisplayName, upd.DisplayName)
	set(&u.Department, upd.Department)
	set(&u.IndustryID, upd.IndustryID)
	set(&u.District, upd.District)
	set(&u.Code, upd.Code)
	set(&u.Email, upd.Email)
	if upd.Role != nil {
		u.Role = *upd.Role
	}
	if upd.Disabled != nil {
		u.Disabled = *upd.Disabled
	}
}

// Token is an API token as stored: never the secret, only its hash.
type Token struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	UserName  string    `json:"user_name"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  time.Time `json:"last_used,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
}

// Session is a signed-in browser. Its id is only known to the browser's
// cookie; the store keeps its hash.
type Session struct {
	User      *User
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // the absolute limit
}

// Session lifetimes: a session ends after SessionIdle without a request, and
// SessionMaxAge after sign-in whatever happens.
const (
	SessionIdle   = 2 * time.Hour
	SessionMaxAge = 12 * time.Hour
)

// Expired reports whether s has ended at now.
func (s *Session) Expired(now time.Time) bool {
	return !now.Before(s.ExpiresAt) || !now.Before(s.LastSeen.Add(SessionIdle))
}

// Service manages accounts. User management (CreateUser, FindUsers,
// FindUserByName, UpdateUser, ChangePassword, CreateToken for another user,
// RevokeToken of another user's token, FindTokens) is for the admin role:
// the context's actor (chanye.ActorFrom) must be an admin, else
// EUNAUTHORIZED for the public and EFORBIDDEN for the others (see
// RequireAdmin). Authenticate, the session methods and FindTokenUser serve
// sign-in itself and need no actor.
type Service interface {
	// CreateUser stores u with the password hashed. EINVALID for a bad
	// user or a password under MinPasswordLength, ECONFLICT when the name
	// is taken, EFORBIDDEN for a non-admin.
	CreateUser(ctx context.Context, u *User, password string) error
	// FindUsers returns a page of users by name and the total. EFORBIDDEN.
	FindUsers(ctx context.Context, filter UserFilter) ([]*User, int, error)
	// FindUserByName returns the user. ENOTFOUND, EFORBIDDEN.
	FindUserByName(ctx context.Context, name string) (*User, error)
	// UpdateUser changes the user by id. A disabled user's sessions end
	// and tokens stop working. ENOTFOUND, EINVALID, EFORBIDDEN.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// ChangePassword sets the user's password, ends all the user's sessions
	// and revokes all its live API tokens (see PasswordChange). EINVALID for
	// a password under MinPasswordLength, ENOTFOUND, EFORBIDDEN.
	ChangePassword(ctx context.Context, id int64, password string) (*PasswordChange, error)
	// ChangeOwnPassword sets the signed-in user's password, as
	// ChangePassword does, once current is its password: EINVALID (field
	// current) when it is not, or the new one is under MinPasswordLength;
	// EUNAUTHORIZED with no signed-in user.
	ChangeOwnPassword(ctx context.Context, current, password string) (*PasswordChange, error)
	// FindOwnUser returns the signed-in user. EUNAUTHORIZED without one.
	FindOwnUser(ctx context.Context) (*User, error)
	// ChangeOwnEmail sets the signed-in user's e-mail address for
	// notifications ("" removes it) and returns the user. EINVALID for a
	// malformed address, EUNAUTHORIZED with no signed-in user.
	ChangeOwnEmail(ctx context.Context, email string) (*User, error)
	// CountAdmins returns how many enabled admins there are; it needs no
	// actor, so that the first start can create one.
	CountAdmins(ctx context.Context) (int, error)

	// Authenticate returns the enabled user with this name and password.
	// EUNAUTHORIZED for a wrong name or password or a disabled user, alike;
	// ETOOMANY (with a RetryError) when the throttle (see Throttle) holds
	// the attempt back.
	Authenticate(ctx context.Context, name, password, addr string) (*User, error)

	// CreateSession starts a session for the user and returns its secret
	// id, for the cookie.
	CreateSession(ctx context.Context, userID int64) (string, error)
	// FindSession returns the live session with this id and marks it seen.
	// EUNAUTHORIZED when it is unknown, expired or its user disabled.
	FindSession(ctx context.Context, id string) (*Session, error)
	// DeleteSession ends the session; an unknown id is not an error.
	DeleteSession(ctx context.Context, id string) error

	// CreateToken creates an API token for the user and returns it with
	// its secret, shown once. EFORBIDDEN unless the actor is an admin.
	CreateToken(ctx context.Context, userID int64, name string) (*Token, string, error)
	// FindTokenUser returns the enabled owner of a live token and marks it
	// used. EUNAUTHORIZED for an unknown, malformed or revoked token.
	FindTokenUser(ctx context.Context, secret string) (*User, error)
	// RevokeToken revokes the token. ENOTFOUND, EFORBIDDEN.
	RevokeToken(ctx context.Context, id int64) error
	// FindTokens lists the tokens of a user, or all when userID is 0.
	// EFORBIDDEN.
	FindTokens(ctx context.Context, userID int64) ([]*Token, error)
}

// RequireAdmin returns EUNAUTHORIZED for the public and EFORBIDDEN for
// any other actor but an admin.
func RequireAdmin(ctx context.Context) error {
	switch chanye.ActorFrom(ctx).Role {
	case chanye.RoleAdmin:
		return nil
	case chanye.RolePublic:
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / please sign in")
	default:
		return chanye.Errorf(chanye.EFORBIDDEN, "仅管理员可管理账号 / only admins manage accounts")
	}
}

// ErrBadCredentials is the one answer to a wrong name, a wrong password or
// a disabled account, so that none can be told apart.
var ErrBadCredentials = chanye.NewError(chanye.EUNAUTHORIZED, "用户名或密码错误 / wrong name or password", nil)
