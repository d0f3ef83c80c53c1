package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
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
	for _, sub := range []string{"verify", "list"} {
		if _, err := runCmd(t, db, "audit", sub, "--chain", "-1"); err == nil || !strings.Contains(err.Error(), `a chain is 0 or more, not "-1"`) {
			t.Errorf("audit %s --chain -1: %v, want the chain refused", sub, err)
		}
	}

	conn := openSQLite(t, db)
	if _, err := conn.ExecContext(context.Background(), `UPDATE audit_log SET after = '{"enterprises":1}' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, db, "audit", "verify")
	if err == nil || !strings.Contains(out, "FAIL row 2 (altered)") {
		t.Errorf("verify after tampering = %q, %v; want row 2 altered and an error", out, err)
	}
}

func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

var headLine = regexp.MustCompile(`(?m)^head (\d+:[0-9a-f]{64})$`)

// printedHead returns the head a verify printed.
func printedHead(t *testing.T, out string) string {
	t.Helper()
	m := headLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("verify printed no head:\n%s", out)
	}
	return m[1]
}

// TestAuditVerifyHeadAndExpect checks the key file made on first start,
// the head verify prints, --expect against truncation, and key rotation.
func TestAuditVerifyHeadAndExpect(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	mustRun(t, db, "migrate")
	keyFile := db + ".audit-key"
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("no key file beside the database: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %v, want 0600", perm)
	}
	mustRun(t, db, "demo", "--enterprises", "20")
	out := mustRun(t, db, "audit", "verify")
	head := printedHead(t, out)
	headID, _, _ := strings.Cut(head, ":")
	if !strings.HasPrefix(out, "OK "+headID+" rows") || !strings.Contains(out, "signed with keys 1") {
		t.Errorf("verify = %q, want OK up to the head, signed with key 1", out)
	}
	if out := mustRun(t, db, "audit", "verify", "--expect", head); !strings.Contains(out, "expected head "+head+": found") {
		t.Errorf("verify --expect = %q", out)
	}
	if _, err := runCmd(t, db, "audit", "verify", "--expect", "2:beef"); err == nil || !strings.Contains(err.Error(), "ID:HASH") {
		t.Errorf("verify --expect 2:beef: %v, want a format error", err)
	}

	// More writes (an import each), then those rows removed: only the head
	// kept elsewhere tells.
	for _, n := range []string{"30", "40", "50"} {
		mustRun(t, db, "demo", "--enterprises", n)
	}
	later := printedHead(t, mustRun(t, db, "audit", "verify"))
	conn := openSQLite(t, db)
	if _, err := conn.Exec(`DELETE FROM audit_log WHERE id > ?`, headID); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, db, "audit", "verify"); err != nil || printedHead(t, out) != head {
		t.Errorf("verify without --expect after truncation = %q, %v: the chain alone cannot tell", out, err)
	}
	out, err = runCmd(t, db, "audit", "verify", "--expect", later)
	if err == nil || !strings.HasPrefix(out, "FAIL (truncated)") || printedHead(t, out) != head {
		t.Errorf("verify --expect after truncation = %q, %v; want FAIL (truncated) and the head that is left", out, err)
	}
	if _, err := conn.Exec(`DELETE FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, db, "audit", "verify", "--expect", head)
	if err == nil || !strings.HasPrefix(out, "FAIL (truncated)") || !strings.Contains(out, "head - ") {
		t.Errorf("verify --expect of an emptied log = %q, %v", out, err)
	}
}

// TestAuditRotateKey adds a key: old rows verify with the old key, new
// rows are signed with the new one, and the head at rotation is pinned.
func TestAuditRotateKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chanye.db")
	mustRun(t, db, "demo", "--enterprises", "20")
	out := mustRun(t, db, "audit", "rotate-key")
	if !strings.Contains(out, "key 2 added") || !strings.Contains(out, "pinned head ") {
		t.Errorf("rotate-key = %q", out)
	}
	text, err := os.ReadFile(db + ".audit-key")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^key 1 [0-9a-f]{64}\nkey 2 [0-9a-f]{64}\npin \d+ [0-9a-f]{64}$`).Match(text) {
		t.Errorf("key file after rotation:\n%s", text)
	}
	mustRun(t, db, "demo", "--enterprises", "30")
	out = mustRun(t, db, "audit", "verify")
	if !strings.HasPrefix(out, "OK ") || !strings.Contains(out, "signed with keys 1, 2") {
		t.Errorf("verify after rotation = %q", out)
	}
	if out := mustRun(t, db, "audit", "list", "--action", "rotate"); !strings.Contains(out, "audit_key") {
		t.Errorf("list = %q, want the rotation entry", out)
	}
	// Rows up to the pinned head removed: found without --expect.
	if _, err := openSQLite(t, db).Exec(`DELETE FROM audit_log WHERE id > 1`); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, db, "audit", "verify"); err == nil || !strings.HasPrefix(out, "FAIL (truncated)") {
		t.Errorf("verify after removing the pinned head = %q, %v", out, err)
	}
}

// TestAuditKeyFileLost: a database whose rows are signed gets no new key
// in place of a lost file; it reads but refuses to write or serve.
func TestAuditKeyFileLost(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chanye.db")
	mustRun(t, db, "demo", "--enterprises", "20")
	if err := os.Rename(db+".audit-key", db+".saved"); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, db, "export", "enterprises"); strings.Count(out, "\n") != 21 {
		t.Errorf("export without the key file: %d lines", strings.Count(out, "\n"))
	}
	if _, err := os.Stat(db + ".audit-key"); err == nil {
		t.Fatal("a new key file was made although the log is signed")
	}
	if _, err := runCmd(t, db, "demo", "--enterprises", "30"); err == nil || !strings.Contains(err.Error(), "no audit key") {
		t.Errorf("demo without the key file: %v, want writes refused", err)
	}
	if _, err := runCmd(t, db, "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "not starting") {
		t.Errorf("serve without the key file: %v, want a refusal", err)
	}
	// The file back, but readable by others: refused.
	if err := os.Rename(db+".saved", db+".audit-key"); err != nil {
		t.Fatal(err)
	}
	os.Chmod(db+".audit-key", 0o644)
	if _, err := runCmd(t, db, "audit", "verify"); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("verify with a world-readable key file: %v", err)
	}
	os.Chmod(db+".audit-key", 0o600)
	mustRun(t, db, "audit", "verify")
}

// TestAuditLegacyChain upgrades a log written before keys (every row
// key 0, hashed with plain SHA-256): the first start pins it in the new
// key file, verify marks it legacy, and a rewrite of it is found.
func TestAuditLegacyChain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chanye.db")
	mustRun(t, db, "demo", "--enterprises", "20")
	conn := openSQLite(t, db)
	unsign := func(editRow int64) {
		t.Helper()
		rows, err := conn.Query(`SELECT id, at, actor, actor_role, request_id, action, entity, entity_key, before, after FROM audit_log ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			id, at        int64
			text          []string
			before, after sql.NullString
		}
		var all []row
		for rows.Next() {
			r := row{text: make([]string, 6)}
			if err := rows.Scan(&r.id, &r.at, &r.text[0], &r.text[1], &r.text[2], &r.text[3], &r.text[4], &r.text[5], &r.before, &r.after); err != nil {
				t.Fatal(err)
			}
			all = append(all, r)
		}
		rows.Close()
		prev := strings.Repeat("0", 64)
		for _, r := range all {
			if r.id == editRow {
				r.text[0] = "mallory (admin)"
			}
			h := sha256.New()
			field := func(s string) { h.Write([]byte(strconv.Itoa(len(s)) + ":" + s + ",")) }
			h.Write([]byte("chanye.audit.v1\n"))
			field(strconv.FormatInt(r.id, 10))
			field(strconv.FormatInt(r.at, 10))
			for _, s := range r.text {
				field(s)
			}
			for _, v := range []sql.NullString{r.before, r.after} {
				if v.Valid {
					field(v.String)
				} else {
					h.Write([]byte("-,"))
				}
			}
			field(prev)
			sum := hex.EncodeToString(h.Sum(nil))
			if _, err := conn.Exec(`UPDATE audit_log SET key_id = 0, prev_hash = ?, hash = ?, actor = ? WHERE id = ?`, prev, sum, r.text[0], r.id); err != nil {
				t.Fatal(err)
			}
			prev = sum
		}
	}
	unsign(0)
	if err := os.Remove(db + ".audit-key"); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "demo", "--enterprises", "30") // first start of the keyed version
	text, err := os.ReadFile(db + ".audit-key")
	m := regexp.MustCompile(`(?m)^legacy (\d+) [0-9a-f]{64}$`).FindSubmatch(text)
	if err != nil || m == nil {
		t.Fatalf("key file = %s, %v; want the legacy chain pinned", text, err)
	}
	legacy := string(m[1])
	out := mustRun(t, db, "audit", "verify")
	if !strings.Contains(out, "legacy rows 1–"+legacy+":") || !strings.Contains(out, "signed with keys 1") {
		t.Errorf("verify = %q", out)
	}
	// Rewriting the legacy rows, as anyone can without a key, is found.
	if _, err := conn.Exec(`DELETE FROM audit_log WHERE id > ?`, legacy); err != nil {
		t.Fatal(err)
	}
	unsign(1)
	if out, err := runCmd(t, db, "audit", "verify"); err == nil || !strings.Contains(out, "FAIL row "+legacy+" (expect)") {
		t.Errorf("verify after rewriting the legacy chain = %q, %v", out, err)
	}
}

// TestAuditKeyPostgres: PostgreSQL has no default key file; writes are
// refused without one, and the file given is created on first start.
func TestAuditKeyPostgres(t *testing.T) {
	db := sqlstoretest.PostgresSchema(t)

	if _, err := runCmd(t, db, "migrate"); err == nil || !strings.Contains(err.Error(), "no audit key") {
		t.Errorf("migrate without a key file: %v, want the write refused", err)
	}
	keyFile := filepath.Join(t.TempDir(), "pg.audit-key")
	mustRun(t, db, "migrate", "--audit-key", keyFile)
	if _, err := os.Stat(keyFile); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "demo", "--enterprises", "20", "--projects", "0", "--audit-key", keyFile)
	out := mustRun(t, db, "audit", "verify", "--audit-key", keyFile)
	if !strings.HasPrefix(out, "OK ") || !strings.Contains(out, "not reconciled") {
		t.Errorf("verify = %q", out)
	}
	printedHead(t, out)
}

// TestReimportAddsNoAuditRow imports what was exported: nothing changes,
// so nothing is recorded.
func TestReimportAddsNoAuditRow(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chanye.db")
	mustRun(t, db, "demo", "--enterprises", "50")
	head := printedHead(t, mustRun(t, db, "audit", "verify"))
	for _, kind := range []string{"enterprises", "facts", "tiers", "projects", "reports"} {
		file := filepath.Join(dir, kind+".csv")
		mustRun(t, db, "export", kind, "--format", "csv", "--out", file)
		mustRun(t, db, "import", kind, file)
		if got := printedHead(t, mustRun(t, db, "audit", "verify")); got != head {
			t.Errorf("importing the exported %s again moved the head from %s to %s", kind, head, got)
		}
	}
}

// appendChainRows appends n rows to chain of the PostgreSQL log at dsn,
// signed with key keyID of keyFile as the documented version 3 encoding
// says, as the per-shard writers would; it returns the last row's hash.
func appendChainRows(t *testing.T, dsn, keyFile string, keyID, chain, n int) string {
	t.Helper()
	text, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^key ` + strconv.Itoa(keyID) + ` ([0-9a-f]{64})$`).FindSubmatch(text)
	if m == nil {
		t.Fatalf("no key %d in %s", keyID, text)
	}
	key, _ := hex.DecodeString(string(m[1]))
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prev := strings.Repeat("0", 64)
	for id := 1; id <= n; id++ {
		const at = 1750000000000
		fields := []string{strconv.Itoa(chain), strconv.Itoa(id), strconv.Itoa(at), strconv.Itoa(keyID),
			"worker (admin)", "admin", "", "update", "shard_test", fmt.Sprintf("k%d", id)}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte("chanye.audit.v3\n"))
		for _, f := range fields {
			mac.Write([]byte(strconv.Itoa(len(f)) + ":" + f + ","))
		}
		mac.Write([]byte("-,"))
		after := fmt.Sprintf(`{"n":%d}`, id)
		mac.Write([]byte(strconv.Itoa(len(after)) + ":" + after + ","))
		mac.Write([]byte(strconv.Itoa(len(prev)) + ":" + prev + ","))
		sum := hex.EncodeToString(mac.Sum(nil))
		if _, err := conn.Exec(`INSERT INTO audit_log (chain, id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash, key_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12, $13)`,
			chain, id, at, fields[4], fields[5], fields[6], fields[7], fields[8], fields[9], after, prev, sum, keyID); err != nil {
			t.Fatal(err)
		}
		prev = sum
	}
	return prev
}

// TestAuditChainsPostgres verifies a log of three chains: each is
// reported with its head, one can be verified alone, a rotation pins every
// head, and a broken chain is named while the others still verify.
func TestAuditChainsPostgres(t *testing.T) {
	db := sqlstoretest.PostgresSchema(t)
	keyFile := filepath.Join(t.TempDir(), "pg.audit-key")
	k := "--audit-key=" + keyFile
	mustRun(t, db, "demo", "--enterprises", "20", "--projects", "0", k)
	head0 := printedHead(t, mustRun(t, db, "audit", "verify", k))
	head1 := "1:2:" + appendChainRows(t, db, keyFile, 1, 1, 2)
	head2 := "2:3:" + appendChainRows(t, db, keyFile, 1, 2, 3)

	out := mustRun(t, db, "audit", "verify", k)
	rows, _, _ := strings.Cut(head0, ":")
	n, _ := strconv.Atoi(rows)
	for _, want := range []string{fmt.Sprintf("OK %d rows in 3 chains\n", n+5), fmt.Sprintf("chain 0: OK %d rows (last id %d), keys 1\n", n, n),
		"chain 1: OK 2 rows (last id 2), keys 1\n", "chain 2: OK 3 rows (last id 3), keys 1\n",
		"head " + head0 + "\nhead " + head1 + "\nhead " + head2 + "\n", "reconciled / 已核对"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify = %q, want %q", out, want)
		}
	}
	out = mustRun(t, db, "audit", "verify", "--chain", "1", "--expect", head1, k)
	if !strings.HasPrefix(out, "OK 2 rows (chain 1, last id 2)\n") || !strings.Contains(out, "expected head "+head1+": found") ||
		!strings.Contains(out, "not reconciled: one chain verified") || strings.Contains(out, "head "+head0) {
		t.Errorf("verify --chain 1 = %q", out)
	}
	if out := mustRun(t, db, "audit", "verify", "--chain", "7", k); !strings.HasPrefix(out, "OK 0 rows (chain 7, last id 0)\n") || !strings.Contains(out, "head - (审计链 7 为空 / chain 7 is empty)") {
		t.Errorf("verify --chain 7 = %q", out)
	}
	if out := mustRun(t, db, "audit", "list", "--chain", "2", k); !strings.Contains(out, "\n2:3 ") || !strings.Contains(out, "\n2:1 ") || !strings.HasSuffix(out, "3 / 3\n") {
		t.Errorf("list --chain 2 = %q", out)
	}

	out = mustRun(t, db, "audit", "rotate-key", k)
	for _, h := range []string{head0, head1, head2} {
		if !strings.Contains(out, "pinned head "+h+"\n") {
			t.Errorf("rotate-key = %q, want %s pinned", out, h)
		}
	}
	text, err := os.ReadFile(keyFile)
	if err != nil || !strings.Contains(string(text), "pin 2:3 "+head2[len("2:3:"):]+"\n") {
		t.Errorf("key file after rotation:\n%s", text)
	}

	conn, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`UPDATE audit_log SET after = '{"n":9}' WHERE chain = 2 AND id = 2`); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, db, "audit", "verify", "--expect", head1, k)
	if err == nil || !strings.HasPrefix(out, "FAIL chain 2 row 2 (altered): 审计链 2：") || !strings.Contains(out, "chain 1: OK 2 rows") ||
		!strings.Contains(out, "chain 2: FAIL row 2 (altered)\n") || !strings.Contains(out, "head 2:1:") ||
		!strings.Contains(out, "expected head "+head1+": found") {
		t.Errorf("verify after editing chain 2 = %q, %v", out, err)
	}
	// The pinned head of chain 2 is checked: its rows removed, verify fails.
	if _, err := conn.Exec(`DELETE FROM audit_log WHERE chain = 2`); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, db, "audit", "verify", k); err == nil || !strings.HasPrefix(out, "FAIL chain 2 (truncated)") {
		t.Errorf("verify after removing chain 2 = %q, %v", out, err)
	}
}
