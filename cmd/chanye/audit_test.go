package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
)

func TestAuditVerifyAndList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chanye.db")
	mustRun(t, db, "migrate") // stores the default catalog: the first entry
	mustRun(t, db, "demo", "--enterprises", "20")
	if out := mustRun(t, db, "audit", "verify"); !regexp.MustCompile(`^OK \d+ rows`).MatchString(out) {
		t.Errorf("verify = %q, want OK and the row count", out)
	}
	out := mustRun(t, db, "audit", "list", "--action", "import", "--entity", "enterprises")
	if !strings.Contains(out, "import") || !strings.HasSuffix(out, "1 / 1\n") {
		t.Errorf("list = %q", out)
	}

	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `UPDATE audit_log SET after = '{"enterprises":1}' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, db, "audit", "verify")
	if err == nil || !strings.Contains(out, "FAIL row 2 (altered)") {
		t.Errorf("verify after tampering = %q, %v; want row 2 altered and an error", out, err)
	}
}

func TestAuditReaders(t *testing.T) {
	for _, c := range []struct {
		actor *chanye.Actor
		want  string
	}{
		{chanye.Operator, ""},
		{&chanye.Actor{Name: "l", Role: chanye.RoleLeader}, ""},
		{&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: "工信局"}, chanye.EFORBIDDEN},
		{&chanye.Actor{Name: "e", Role: chanye.RoleEnterprise, Code: "x"}, chanye.EFORBIDDEN},
		{nil, chanye.EUNAUTHORIZED},
	} {
		ctx := context.Background()
		if c.actor != nil {
			ctx = chanye.WithActor(ctx, c.actor)
		}
		if got := chanye.ErrorCode(mayReadAudit(ctx)); got != c.want {
			t.Errorf("%v: error code %q, want %q", c.actor, got, c.want)
		}
	}
}
