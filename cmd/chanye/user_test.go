package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/internal/testclock"
)

// runStdin runs one command with stdin and returns stdout and stderr.
func runStdin(t *testing.T, db, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		if k == "CHANYE_DB" {
			return db
		}
		return ""
	}
	err := run(context.Background(), args, getenv, testclock.Now, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "users.db")
	if _, _, err := runStdin(t, db, "a long password\n", "user", "add", "Dept1", "--role", "department", "--department", "市工业和信息化局"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runStdin(t, db, "short\n", "user", "add", "dept2", "--role", "department", "--department", "x"); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("short password: %v, want EINVALID", err)
	}
	if _, _, err := runStdin(t, db, "", "user", "add", "dept3", "--role", "department", "--department", "x"); err == nil {
		t.Error("no password on stdin: no error")
	}
	if _, _, err := runStdin(t, db, "a long password\n", "user", "add", "firm", "--role", "enterprise"); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("enterprise without a code: %v, want EINVALID", err)
	}
	out, _, err := runStdin(t, db, "", "user", "list")
	if err != nil || !strings.Contains(out, "dept1") || !strings.Contains(out, "市工业和信息化局") || strings.Contains(out, "dept2") {
		t.Fatalf("user list: %v\n%s", err, out)
	}

	// The address notifications are e-mailed to: set, refused when bad, cleared.
	if out, _, err := runStdin(t, db, "", "user", "email", "dept1", "--email", "dept1@example.org"); err != nil || !strings.Contains(out, `"dept1@example.org"`) {
		t.Errorf("user email: %v, %q", err, out)
	}
	if _, _, err := runStdin(t, db, "", "user", "email", "dept1", "--email", "dept1@"); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("a bad address: %v, want EINVALID", err)
	}
	if out, _, err := runStdin(t, db, "", "user", "email", "dept1"); err != nil || !strings.Contains(out, `""`) {
		t.Errorf("user email without --email: %v, %q; want it cleared", err, out)
	}

	// The password read from stdin is the one that signs in.
	sdb, store, _, err := open(context.Background(), Config{DB: db, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if u, err := store.Authenticate(context.Background(), "dept1", "a long password", ""); err != nil || u.Department != "市工业和信息化局" {
		t.Errorf("sign in with the stdin password: %v, %v", u, err)
	}

	out, stderr, err := runStdin(t, db, "", "user", "token", "dept1", "--name", "erp")
	secret := strings.TrimSpace(out)
	if err != nil || !auth.ValidToken(secret) || !strings.Contains(stderr, "只显示这一次") {
		t.Fatalf("user token: %v, %q, %q", err, out, stderr)
	}
	if u, err := store.FindTokenUser(context.Background(), secret); err != nil || u.Name != "dept1" {
		t.Errorf("token user: %v, %v", u, err)
	}
	id := regexp.MustCompile(`token (\d+)`).FindStringSubmatch(stderr)[1]
	if _, _, err := runStdin(t, db, "", "user", "revoke-token", id); err != nil {
		t.Fatal(err)
	}
	if _, err := store.FindTokenUser(context.Background(), secret); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Errorf("revoked token: %v", err)
	}
	// A new password revokes the live tokens and says which (issue 8).
	out, _, err = runStdin(t, db, "", "user", "token", "dept1", "--name", "erp2")
	secret = strings.TrimSpace(out)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err = runStdin(t, db, "another long password\n", "user", "password", "dept1")
	if err != nil || !strings.Contains(out, "已吊销 1 个接口令牌 (") || !strings.Contains(out, "1 API tokens revoked (") || !strings.Contains(out, "chanye user token dept1") {
		t.Errorf("user password: %v\n%s", err, out)
	}
	if _, err := store.FindTokenUser(context.Background(), secret); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Errorf("token after user password: %v", err)
	}
	if _, err := store.Authenticate(context.Background(), "dept1", "another long password", ""); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	if _, _, err := runStdin(t, db, "", "user", "disable", "dept1"); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := runStdin(t, db, "", "user", "list"); !strings.Contains(out, "disabled") {
		t.Errorf("user list after disable:\n%s", out)
	}
	if _, _, err := runStdin(t, db, "", "user", "add", "x", "a long password"); err == nil {
		t.Error("a password as an argument was accepted")
	}
}

func TestEnsureAdmin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "admin.db")
	sdb, store, _, err := open(context.Background(), Config{DB: db, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var stderr bytes.Buffer
	if _, err := ensureAdmin(context.Background(), store, "", &stderr); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^    (\S{24})$`).FindStringSubmatch(stderr.String())
	if m == nil || !strings.Contains(stderr.String(), "只显示这一次") || !strings.Contains(stderr.String(), "shown this once") {
		t.Fatalf("first start printed:\n%s", stderr.String())
	}
	if u, err := store.Authenticate(context.Background(), "admin", m[1], ""); err != nil || u.Role != chanye.RoleAdmin {
		t.Errorf("sign in with the printed password: %v, %v", u, err)
	}
	stderr.Reset()
	if _, err := ensureAdmin(context.Background(), store, "", &stderr); err != nil || stderr.Len() != 0 {
		t.Errorf("second start: %v, printed %q", err, stderr.String())
	}

	db2 := filepath.Join(t.TempDir(), "admin2.db")
	sdb2, store2, _, err := open(context.Background(), Config{DB: db2, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb2.Close()
	stderr.Reset()
	if _, err := ensureAdmin(context.Background(), store2, "from the environment", &stderr); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "from the environment") {
		t.Error("the given password was printed")
	}
	if _, err := store2.Authenticate(context.Background(), "admin", "from the environment", ""); err != nil {
		t.Errorf("CHANYE_ADMIN_PASSWORD: %v", err)
	}
}
