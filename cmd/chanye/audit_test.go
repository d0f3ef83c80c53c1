package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
