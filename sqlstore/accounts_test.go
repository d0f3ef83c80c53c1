package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
)

var adminCtx = chanye.WithActor(context.Background(), &chanye.Actor{UserID: 1, Name: "root", Role: chanye.RoleAdmin})

const testPassword = "a long test password"

func TestAccounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s := newStore(t, db)
		ctx := adminCtx
		if n, err := s.CountAdmins(context.Background()); err != nil || n != 0 {
			t.Fatalf("CountAdmins on an empty store = %d, %v", n, err)
		}
		admin := &auth.User{Name: "Root", DisplayName: "管理员", Role: chanye.RoleAdmin}
		if err := s.CreateUser(ctx, admin, testPassword); err != nil {
			t.Fatal(err)
		}
		if admin.ID == 0 || admin.Name != "root" || !admin.CreatedAt.Equal(today) {
			t.Errorf("created %+v", admin)
		}
		tf := &auth.User{Name: "auto-tf", Role: chanye.RoleTaskForce, IndustryID: "auto"}
		if err := s.CreateUser(ctx, tf, testPassword); err != nil {
			t.Fatal(err)
		}

		// Refusals: a non-admin, a duplicate, a bad scope, a short password.
		leader := chanye.WithActor(context.Background(), &chanye.Actor{Name: "boss", Role: chanye.RoleLeader})
		for name, err := range map[string]error{
			"leader creates": s.CreateUser(leader, &auth.User{Name: "x1", Role: chanye.RoleAdmin}, testPassword),
			"leader lists":   third(s.FindUsers(leader, auth.UserFilter{})),
			"leader token":   third(s.CreateToken(leader, tf.ID, "ci")),
			"leader revokes": s.RevokeToken(leader, 1),
		} {
			if chanye.ErrorCode(err) != chanye.EFORBIDDEN {
				t.Errorf("%s: %v, want EFORBIDDEN", name, err)
			}
		}
		if err := s.CreateUser(context.Background(), &auth.User{Name: "x2", Role: chanye.RoleAdmin}, testPassword); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("public creates: %v, want EUNAUTHORIZED", err)
		}
		for name, tt := range map[string]struct {
			u    *auth.User
			pw   string
			code string
		}{
			"duplicate":        {&auth.User{Name: "ROOT", Role: chanye.RoleLeader}, testPassword, chanye.ECONFLICT},
			"unknown industry": {&auth.User{Name: "tf2", Role: chanye.RoleTaskForce, IndustryID: "steel"}, testPassword, chanye.EINVALID},
			"unknown district": {&auth.User{Name: "dist", Role: chanye.RoleDistrict, District: "110101"}, testPassword, chanye.EINVALID},
			"short password":   {&auth.User{Name: "short", Role: chanye.RoleLeader}, "short", chanye.EINVALID},
			"no code":          {&auth.User{Name: "firm", Role: chanye.RoleEnterprise}, testPassword, chanye.EINVALID},
		} {
			if err := s.CreateUser(ctx, tt.u, tt.pw); chanye.ErrorCode(err) != tt.code {
				t.Errorf("%s: %v, want %s", name, err, tt.code)
			}
		}

		users, total, err := s.FindUsers(ctx, auth.UserFilter{})
		if err != nil || total != 2 || users[0].Name != "auto-tf" || users[1].Name != "root" {
			t.Fatalf("FindUsers = %v, %d, %v", users, total, err)
		}
		role := chanye.RoleAdmin
		if users, total, _ := s.FindUsers(ctx, auth.UserFilter{Role: &role}); total != 1 || users[0].ID != admin.ID {
			t.Errorf("FindUsers(admin) = %v, %d", users, total)
		}
		if u, err := s.FindUserByName(ctx, "AUTO-TF"); err != nil || u.IndustryID != "auto" || u.Role != chanye.RoleTaskForce {
			t.Errorf("FindUserByName = %+v, %v", u, err)
		}
		if _, err := s.FindUserByName(ctx, "nobody"); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("FindUserByName(nobody) = %v", err)
		}

		// Authenticate: right, wrong, unknown, disabled.
		if u, err := s.Authenticate(context.Background(), " Auto-TF", testPassword, "10.0.0.1"); err != nil || u.ID != tf.ID {
			t.Errorf("Authenticate = %v, %v", u, err)
		}
		for _, c := range [][2]string{{"auto-tf", "wrong password!!"}, {"nobody", testPassword}} {
			if _, err := s.Authenticate(context.Background(), c[0], c[1], ""); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
				t.Errorf("Authenticate(%s) = %v, want EUNAUTHORIZED", c[0], err)
			}
		}

		// Sessions: found, seen, expire when idle and at the absolute limit,
		// end with a new password.
		id, err := s.CreateSession(context.Background(), tf.ID)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.FindSession(context.Background(), id)
		if err != nil || sess.User.ID != tf.ID || !sess.ExpiresAt.Equal(today.Add(auth.SessionMaxAge)) {
			t.Fatalf("FindSession = %+v, %v", sess, err)
		}
		var stored int
		db.transact(context.Background(), true, func(tx *txn) error {
			return tx.queryRow(context.Background(), `SELECT COUNT(*) FROM sessions WHERE id_hash = ?`, id).Scan(&stored)
		})
		if stored != 0 {
			t.Error("the session's secret is stored as is")
		}
		at := func(d time.Duration) { db.Now = func() time.Time { return today.Add(d) } }
		defer at(0)
		for d := 90 * time.Minute; d < auth.SessionMaxAge; d += 90 * time.Minute {
			at(d)
			if _, err := s.FindSession(context.Background(), id); err != nil {
				t.Fatalf("session seen every 90 min, at +%v: %v", d, err)
			}
		}
		at(auth.SessionMaxAge)
		if _, err := s.FindSession(context.Background(), id); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("session past its absolute limit: %v", err)
		}
		at(0)
		id, _ = s.CreateSession(context.Background(), tf.ID)
		at(auth.SessionIdle)
		if _, err := s.FindSession(context.Background(), id); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("idle session: %v", err)
		}
		at(0)
		id, _ = s.CreateSession(context.Background(), tf.ID)
		pw := "another long password"
		if _, err := s.ChangePassword(ctx, tf.ID, pw); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindSession(context.Background(), id); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("session after a password change: %v", err)
		}
		if _, err := s.Authenticate(context.Background(), "auto-tf", pw, ""); err != nil {
			t.Errorf("new password: %v", err)
		}
		if err := s.DeleteSession(context.Background(), "unknown"); err != nil {
			t.Errorf("DeleteSession(unknown) = %v", err)
		}

		// Tokens: hashed, found, unique by name while live, revoked.
		tok, secret, err := s.CreateToken(ctx, tf.ID, "ci")
		if err != nil || !auth.ValidToken(secret) || tok.UserName != "auto-tf" {
			t.Fatalf("CreateToken = %+v, %q, %v", tok, secret, err)
		}
		if _, _, err := s.CreateToken(ctx, tf.ID, "ci"); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("second live token named ci: %v", err)
		}
		if u, err := s.FindTokenUser(context.Background(), secret); err != nil || u.ID != tf.ID {
			t.Errorf("FindTokenUser = %v, %v", u, err)
		}
		for _, bad := range []string{"", "chy_x", auth.NewToken()} {
			if _, err := s.FindTokenUser(context.Background(), bad); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
				t.Errorf("FindTokenUser(%q) = %v", bad, err)
			}
		}
		tokens, err := s.FindTokens(ctx, tf.ID)
		if err != nil || len(tokens) != 1 || !tokens[0].LastUsed.Equal(today) || !tokens[0].Revoked.IsZero() {
			t.Fatalf("FindTokens = %+v, %v", tokens, err)
		}
		if err := s.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindTokenUser(context.Background(), secret); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("revoked token: %v", err)
		}
		if err := s.RevokeToken(ctx, 999); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("RevokeToken(999) = %v", err)
		}
		if _, _, err := s.CreateToken(ctx, tf.ID, "ci"); err != nil {
			t.Errorf("a revoked token's name is free again: %v", err)
		}

		// Disabling ends sessions and tokens; the last admin stays.
		_, secret2, _ := s.CreateToken(ctx, tf.ID, "ci2")
		id, _ = s.CreateSession(context.Background(), tf.ID)
		yes, no := true, false
		if u, err := s.UpdateUser(ctx, tf.ID, auth.UserUpdate{Disabled: &yes}); err != nil || !u.Disabled {
			t.Fatalf("disable: %+v, %v", u, err)
		}
		if _, err := s.FindSession(context.Background(), id); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("session of a disabled user: %v", err)
		}
		if _, err := s.FindTokenUser(context.Background(), secret2); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("token of a disabled user: %v", err)
		}
		if _, err := s.Authenticate(context.Background(), "auto-tf", pw, ""); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Errorf("disabled user signs in: %v", err)
		}
		if _, err := s.UpdateUser(ctx, tf.ID, auth.UserUpdate{Disabled: &no}); err != nil {
			t.Errorf("enable: %v", err)
		}
		if _, err := s.UpdateUser(ctx, admin.ID, auth.UserUpdate{Disabled: &yes}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("disabling the last admin: %v, want ECONFLICT", err)
		}
		dept, name := chanye.RoleDepartment, "工信局"
		if u, err := s.UpdateUser(ctx, tf.ID, auth.UserUpdate{Role: &dept, Department: &name}); err != nil || u.IndustryID != "" || u.Department != name {
			t.Errorf("role change: %+v, %v", u, err)
		}
		if _, err := s.UpdateUser(ctx, tf.ID, auth.UserUpdate{Role: &dept, Department: new("")}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("department without a name: %v", err)
		}
		if n, _ := s.CountAdmins(context.Background()); n != 1 {
			t.Errorf("CountAdmins = %d", n)
		}
	})
}

// TestChangePasswordRevokes checks that a new password ends every session
// of the user and revokes every live API token of the user, says how many,
// leaves other users alone, and is refused to a non-admin (issue 8).
func TestChangePasswordRevokes(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s := newStore(t, db)
		ann := &auth.User{Name: "ann", Role: chanye.RoleLeader}
		bob := &auth.User{Name: "bob", Role: chanye.RoleLeader}
		for _, u := range []*auth.User{ann, bob} {
			if err := s.CreateUser(adminCtx, u, testPassword); err != nil {
				t.Fatal(err)
			}
		}
		var secrets []string
		for _, name := range []string{"ci", "erp", "old"} {
			_, secret, err := s.CreateToken(adminCtx, ann.ID, name)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, secret)
		}
		old, _ := s.FindTokens(adminCtx, ann.ID)
		if err := s.RevokeToken(adminCtx, old[0].ID); err != nil { // "old": already revoked, not counted again
			t.Fatal(err)
		}
		_, bobSecret, _ := s.CreateToken(adminCtx, bob.ID, "ci")
		bobSession, _ := s.CreateSession(context.Background(), bob.ID)
		for range 2 {
			if _, err := s.CreateSession(context.Background(), ann.ID); err != nil {
				t.Fatal(err)
			}
		}

		leader := chanye.WithActor(context.Background(), &chanye.Actor{Name: "boss", Role: chanye.RoleLeader})
		if _, err := s.ChangePassword(leader, ann.ID, "a new long password"); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			t.Errorf("leader changes a password: %v, want EFORBIDDEN", err)
		}
		if _, err := s.ChangePassword(adminCtx, ann.ID, "short"); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("short password: %v, want EINVALID", err)
		}
		if _, err := s.FindTokenUser(context.Background(), secrets[0]); err != nil {
			t.Fatalf("a refused change revoked a token: %v", err)
		}

		pc, err := s.ChangePassword(adminCtx, ann.ID, "a new long password")
		if err != nil {
			t.Fatal(err)
		}
		if pc.SessionsEnded != 2 || pc.TokensRevoked != 2 || len(pc.TokenIDs) != 2 || pc.User.Name != "ann" || !pc.User.PasswordChangedAt.Equal(today) {
			t.Errorf("ChangePassword = %+v, want 2 sessions ended, 2 tokens revoked", pc)
		}
		for i, secret := range secrets[:2] {
			if _, err := s.FindTokenUser(context.Background(), secret); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
				t.Errorf("token %d after a password change: %v, want EUNAUTHORIZED", i, err)
			}
		}
		if _, err := s.FindTokenUser(context.Background(), bobSecret); err != nil {
			t.Errorf("another user's token: %v", err)
		}
		if _, err := s.FindSession(context.Background(), bobSession); err != nil {
			t.Errorf("another user's session: %v", err)
		}
		if _, err := s.Authenticate(context.Background(), "ann", "a new long password", ""); err != nil {
			t.Errorf("new password: %v", err)
		}
		tokens, _ := s.FindTokens(adminCtx, ann.ID)
		for _, tok := range tokens {
			if tok.Revoked.IsZero() {
				t.Errorf("token %s still live", tok.Name)
			}
		}
	})
}

func third[A, B, C any](_ A, _ B, c C) C { return c }
