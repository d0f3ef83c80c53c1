package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
)

var _ auth.Service = (*Store)(nil)

const userColumns = `id, name, display_name, role, department, industry_id, code, district, email, disabled, created_at, password_changed_at`

func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	var (
		u                 auth.User
		disabled          int
		created, password int64
	)
	if err := row.Scan(&u.ID, &u.Name, &u.DisplayName, &u.Role, &u.Department, &u.IndustryID, &u.Code, &u.District, &u.Email, &disabled, &created, &password); err != nil {
		return nil, err
	}
	u.Disabled = disabled != 0
	u.CreatedAt, u.PasswordChangedAt = time.UnixMilli(created).UTC(), time.UnixMilli(password).UTC()
	return &u, nil
}

// checkScope validates u, that a task force's industry exists, that a
// district's code is one of the city's and that a department's name is on
// the list of departments (unless it is the one the account had:
// oldDept), not retired.
func (s *Store) checkScope(ctx context.Context, tx *txn, u *auth.User, oldDept string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if err := checkChoices(ctx, tx, "账号有误", "invalid account", map[string]choice{
		"department": {chanye.OrgDepartment, oldDept, u.Department},
	}); err != nil {
		return err
	}
	if u.Role == chanye.RoleTaskForce {
		if _, err := findIndustry(ctx, tx, u.IndustryID); chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return chanye.Invalid("账号有误 / invalid account", map[string]string{"industry_id": "产业不存在 / no such industry"})
		} else if err != nil {
			return err
		}
	}
	if u.Role == chanye.RoleDistrict {
		c, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if _, ok := c.District(u.District); !ok {
			return chanye.Invalid("账号有误 / invalid account", map[string]string{"district": fmt.Sprintf("%q 不是本市的区县代码 / not a district code of the city", u.District)})
		}
	}
	return nil
}

// CreateUser stores u with its password hashed, setting its id and times.
// EINVALID, ECONFLICT when the name is taken, EFORBIDDEN unless the actor
// is an admin.
func (s *Store) CreateUser(ctx context.Context, u *auth.User, password string) error {
	if err := auth.RequireAdmin(ctx); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		if err := s.checkScope(ctx, tx, u, ""); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE name = ?`, u.Name).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "账号 %q 已存在 / user already exists", u.Name)
		}
		u.CreatedAt, u.PasswordChangedAt = tx.now, tx.now
		if err := tx.queryRow(ctx, `INSERT INTO users (name, display_name, role, department, industry_id, code, district, email, password_hash, disabled, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Name, u.DisplayName, string(u.Role), u.Department, u.IndustryID, u.Code, u.District, u.Email, hash, boolInt(u.Disabled),
			tx.now.UnixMilli(), tx.now.UnixMilli()).Scan(&u.ID); err != nil {
			return err
		}
		// The audit log holds the user, never the password or its hash.
		return tx.audit(ctx, "create", "user", itoa(u.ID), nil, u)
	})
}

// FindUsers returns a page of users ordered by name, and the total.
// EINVALID on bad paging, EFORBIDDEN unless the actor is an admin.
func (s *Store) FindUsers(ctx context.Context, filter auth.UserFilter) ([]*auth.User, int, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(filter.Offset, filter.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if filter.Name != nil {
		w.add(`name = ?`, strings.ToLower(strings.TrimSpace(*filter.Name)))
	}
	if filter.Role != nil {
		w.add(`role = ?`, string(*filter.Role))
	}
	if filter.Disabled != nil {
		w.add(`disabled = ?`, boolInt(*filter.Disabled))
	}
	return readPage(ctx, s.db, userColumns, ` FROM users`, w, `name`, limit, filter.Offset, scanUser)
}

// FindUserByName returns the user. ENOTFOUND, EFORBIDDEN.
func (s *Store) FindUserByName(ctx context.Context, name string) (*auth.User, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	var u *auth.User
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		u, err = findUser(ctx, tx, `name = ?`, strings.ToLower(strings.TrimSpace(name)))
		return err
	})
	return u, err
}

func findUser(ctx context.Context, tx *txn, cond string, arg any) (*auth.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "账号不存在 / no such user")
	}
	return u, err
}

// UpdateUser changes the user with this id. Disabling ends the user's
// sessions. The last enabled admin can be neither disabled nor given
// another role: ECONFLICT. ENOTFOUND, EINVALID, EFORBIDDEN.
func (s *Store) UpdateUser(ctx context.Context, id int64, upd auth.UserUpdate) (*auth.User, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	var u *auth.User
	err := s.db.transact(ctx, false, func(tx *txn) (err error) {
		if u, err = findUser(ctx, tx, `id = ?`, id); err != nil {
			return err
		}
		wasAdmin := u.Role == chanye.RoleAdmin && !u.Disabled
		before := *u
		upd.Apply(u)
		if err := s.checkScope(ctx, tx, u, before.Department); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET display_name = ?, role = ?, department = ?, industry_id = ?, code = ?, district = ?, email = ?, disabled = ? WHERE id = ?`,
			u.DisplayName, string(u.Role), u.Department, u.IndustryID, u.Code, u.District, u.Email, boolInt(u.Disabled), id); err != nil {
			return err
		}
		if u.Disabled {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, "update", "user", itoa(id), &before, u); err != nil {
			return err
		}
		if !wasAdmin {
			return nil
		}
		if n, err := countAdmins(ctx, tx); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ECONFLICT, "不能停用或降级最后一个管理员 / the last admin can be neither disabled nor demoted")
		}
		return nil
	})
	return u, err
}

// ChangePassword sets the user's password, ends every session of the user
// and revokes every live API token of the user, in one transaction, and
// says how many. EINVALID, ENOTFOUND, EFORBIDDEN.
func (s *Store) ChangePassword(ctx context.Context, id int64, password string) (*auth.PasswordChange, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	var pc *auth.PasswordChange
	err = s.db.transact(ctx, false, func(tx *txn) error {
		pc, err = setPassword(ctx, tx, id, hash)
		return err
	})
	return pc, err
}

// ChangeOwnPassword sets the signed-in user's password once its current
// one is given, as ChangePassword does.
func (s *Store) ChangeOwnPassword(ctx context.Context, current, password string) (*auth.PasswordChange, error) {
	a := chanye.ActorFrom(ctx)
	if a.UserID == 0 {
		return nil, chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	var pc *auth.PasswordChange
	err = s.db.transact(ctx, false, func(tx *txn) error {
		var old string
		if err := tx.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ? AND disabled = 0`, a.UserID).Scan(&old); errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
		} else if err != nil {
			return err
		}
		if ok, err := auth.VerifyPassword(old, current); err != nil {
			return err
		} else if !ok {
			return chanye.Invalid("当前密码不正确 / the current password is wrong", map[string]string{"current": "当前密码不正确 / the current password is wrong"})
		}
		pc, err = setPassword(ctx, tx, a.UserID, hash)
		return err
	})
	return pc, err
}

// FindOwnUser returns the signed-in user. EUNAUTHORIZED without one, or
// when it is disabled.
func (s *Store) FindOwnUser(ctx context.Context) (*auth.User, error) {
	a := chanye.ActorFrom(ctx)
	if a.UserID == 0 {
		return nil, chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	var u *auth.User
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		u, err = findUser(ctx, tx, `id = ? AND disabled = 0`, a.UserID)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
		}
		return err
	})
	return u, err
}

// ChangeOwnEmail sets the signed-in user's e-mail address for
// notifications ("" removes it), audited as an update of the user.
// EINVALID, EUNAUTHORIZED.
func (s *Store) ChangeOwnEmail(ctx context.Context, email string) (*auth.User, error) {
	a := chanye.ActorFrom(ctx)
	if a.UserID == 0 {
		return nil, chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if err := auth.NormalizeEmail(&email); err != nil {
		return nil, chanye.Invalid("电子邮箱有误 / invalid e-mail address", map[string]string{"email": chanye.ErrorMessage(err)})
	}
	var u *auth.User
	err := s.db.transact(ctx, false, func(tx *txn) (err error) {
		if u, err = findUser(ctx, tx, `id = ? AND disabled = 0`, a.UserID); chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
		} else if err != nil || u.Email == email {
			return err
		}
		before := *u
		u.Email = email
		if _, err := tx.exec(ctx, `UPDATE users SET email = ? WHERE id = ?`, email, u.ID); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "user", itoa(u.ID), &before, u)
	})
	return u, err
}

// setPassword stores the hash as user id's password, ends all its
// sessions and revokes its live API tokens, and audits what it revoked.
func setPassword(ctx context.Context, tx *txn, id int64, hash string) (*auth.PasswordChange, error) {
	u, err := findUser(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	before := *u
	u.PasswordChangedAt = tx.now
	pc := &auth.PasswordChange{User: u}
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, tx.now.UnixMilli(), id); err != nil {
		return nil, err
	}
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
	if err != nil {
		return nil, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, err
	}
	pc.SessionsEnded = int(n)
	rows, err := tx.query(ctx, `SELECT id FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		pc.TokenIDs = append(pc.TokenIDs, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pc.TokensRevoked = len(pc.TokenIDs)
	if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.now.UnixMilli(), id); err != nil {
		return nil, err
	}
	// The audit log holds what was revoked, never the password or its hash.
	return pc, tx.audit(ctx, "password", "user", itoa(id), &before, pc)
}

func countAdmins(ctx context.Context, tx *txn) (int, error) {
	return count(ctx, tx, `SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0`, string(chanye.RoleAdmin))
}

// CountAdmins returns the number of enabled admins. It needs no actor.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		n, err = countAdmins(ctx, tx)
		return err
	})
	return n, err
}

// Authenticate returns the enabled user with this name and password;
// EUNAUTHORIZED otherwise, the same for every cause. It does not throttle:
// wrap the store with auth.NewThrottle(store, store), which keeps its
// counters in login_attempts (attempts.go).
func (s *Store) Authenticate(ctx context.Context, name, password, addr string) (*auth.User, error) {
	var (
		u    *auth.User
		hash string
	)
	err := s.db.transact(ctx, true, func(tx *txn) error {
		row := tx.queryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE name = ?`, strings.ToLower(strings.TrimSpace(name)))
		var err error
		u, err = scanUser(scanTail{row, &hash})
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		auth.VerifyNothing(password) // as slow as a wrong password
		return nil, auth.ErrBadCredentials
	} else if err != nil {
		return nil, err
	}
	// The hash is checked outside the transaction: argon2 takes its time.
	ok, err := auth.VerifyPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if !ok || u.Disabled {
		return nil, auth.ErrBadCredentials
	}
	return u, nil
}

// scanTail scans a row whose last columns go to extra.
type scanTail struct {
	row   interface{ Scan(...any) error }
	extra *string
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }

// CreateSession starts a session for the user and returns its secret; it
// also clears expired sessions. ENOTFOUND for an unknown user.
func (s *Store) CreateSession(ctx context.Context, userID int64) (string, error) {
	secret := auth.NewSecret()
	err := s.db.transact(ctx, false, func(tx *txn) error {
		now := tx.now.UnixMilli()
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen <= ?`,
			now, tx.now.Add(-auth.SessionIdle).UnixMilli()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)`,
			auth.HashSecret(secret), userID, now, now, tx.now.Add(auth.SessionMaxAge).UnixMilli())
		return err
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// touchEvery is how stale last_seen may get before a request writes it:
// one write a minute per session, not one per page.
const touchEvery = time.Minute

var errNoSession = chanye.NewError(chanye.EUNAUTHORIZED, "会话已过期，请重新登录 / session expired, please sign in again", nil)

// FindSession returns the live session with this secret id and marks it
// seen. EUNAUTHORIZED when unknown, expired or its user is disabled.
func (s *Store) FindSession(ctx context.Context, id string) (*auth.Session, error) {
	if id == "" {
		return nil, errNoSession
	}
	var (
		sess    *auth.Session
		expired bool
	)
	err := s.db.transact(ctx, false, func(tx *txn) error {
		var created, seen, expires int64
		row := tx.queryRow(ctx, `SELECT `+prefixed("u.", userColumns)+`, s.created_at, s.last_seen, s.expires_at
			FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, auth.HashSecret(id))
		u, err := scanUser(scanInts{row, []*int64{&created, &seen, &expires}})
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession
		} else if err != nil {
			return err
		}
		sess = &auth.Session{User: u, CreatedAt: time.UnixMilli(created).UTC(), LastSeen: time.UnixMilli(seen).UTC(), ExpiresAt: time.UnixMilli(expires).UTC()}
		if expired = sess.Expired(tx.now) || u.Disabled; expired {
			_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, auth.HashSecret(id))
			return err
		}
		if tx.now.Sub(sess.LastSeen) >= touchEvery {
			sess.LastSeen = tx.now
			_, err = tx.exec(ctx, `UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, tx.now.UnixMilli(), auth.HashSecret(id))
		}
		return err
	})
	if err != nil {
		return nil, err
	} else if expired {
		return nil, errNoSession
	}
	return sess, nil
}

// scanInts scans a row whose last columns are integers.
type scanInts struct {
	row   interface{ Scan(...any) error }
	extra []*int64
}

func (s scanInts) Scan(dest ...any) error {
	for _, p := range s.extra {
		dest = append(dest, p)
	}
	return s.row.Scan(dest...)
}

// prefixed qualifies each of a comma-separated column list with p.
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = p + c
	}
	return strings.Join(cols, ", ")
}

// DeleteSession ends the session; an unknown id is no error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, auth.HashSecret(id))
		return err
	})
}

const tokenColumns = `t.id, t.user_id, u.name, t.name, t.created_at, t.last_used, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*auth.Token, error) {
	var (
		t             auth.Token
		created       int64
		used, revoked sql.NullInt64
	)
	if err := row.Scan(&t.ID, &t.UserID, &t.UserName, &t.Name, &created, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsed, t.Revoked = time.UnixMilli(created).UTC(), fromMillis(used), fromMillis(revoked)
	return &t, nil
}

// CreateToken creates an API token named name for the user and returns it
// with its secret, which is not kept. EINVALID for an empty name,
// ECONFLICT when the user has a live token of that name, ENOTFOUND,
// EFORBIDDEN.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string) (*auth.Token, string, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return nil, "", chanye.Invalid("令牌名称有误 / invalid token name", map[string]string{"name": "须为 1–100 个字符 / 1–100 characters"})
	}
	secret := auth.NewToken()
	var t *auth.Token
	err := s.db.transact(ctx, false, func(tx *txn) error {
		u, err := findUser(ctx, tx, `id = ?`, userID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND name = ? AND revoked_at IS NULL`, userID, name).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return chanye.Errorf(chanye.ECONFLICT, "账号 %s 已有名为 %q 的令牌 / the user already has a token of that name", u.Name, name)
		}
		t = &auth.Token{UserID: userID, UserName: u.Name, Name: name, CreatedAt: tx.now}
		if err := tx.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			userID, name, auth.HashSecret(secret), tx.now.UnixMilli()).Scan(&t.ID); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "api_token", itoa(t.ID), nil, t)
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

var errBadToken = chanye.NewError(chanye.EUNAUTHORIZED, "令牌无效或已撤销 / invalid or revoked token", nil)

// FindTokenUser returns the enabled owner of the live token and records
// its use (at most once a minute). EUNAUTHORIZED otherwise.
func (s *Store) FindTokenUser(ctx context.Context, secret string) (*auth.User, error) {
	if !auth.ValidToken(secret) {
		return nil, errBadToken
	}
	var u *auth.User
	err := s.db.transact(ctx, false, func(tx *txn) error {
		var id, used int64
		row := tx.queryRow(ctx, `SELECT `+prefixed("u.", userColumns)+`, t.id, COALESCE(t.last_used, 0)
			FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND t.revoked_at IS NULL`, auth.HashSecret(secret))
		var err error
		u, err = scanUser(scanInts{row, []*int64{&id, &used}})
		if errors.Is(err, sql.ErrNoRows) {
			return errBadToken
		} else if err != nil {
			return err
		}
		if u.Disabled {
			return errBadToken
		}
		if tx.now.Sub(time.UnixMilli(used)) >= touchEvery {
			_, err = tx.exec(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, tx.now.UnixMilli(), id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// RevokeToken revokes the token; revoking a revoked token changes
// nothing. ENOTFOUND, EFORBIDDEN.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	if err := auth.RequireAdmin(ctx); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, tx.now.UnixMilli(), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return chanye.Errorf(chanye.ENOTFOUND, "令牌 %d 不存在 / no such token", id)
		}
		return tx.audit(ctx, "revoke", "api_token", itoa(id), nil, map[string]int64{"id": id})
	})
}

// FindTokens lists the user's tokens, or every token when userID is 0,
// newest first. EFORBIDDEN.
func (s *Store) FindTokens(ctx context.Context, userID int64) ([]*auth.Token, error) {
	if err := auth.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	var w where
	if userID != 0 {
		w.add(`t.user_id = ?`, userID)
	}
	tokens, _, err := readPage(ctx, s.db, tokenColumns, ` FROM api_tokens t JOIN users u ON u.id = t.user_id`, w, `t.id DESC`, MaxLimit, 0, scanToken)
	return tokens, err
}
