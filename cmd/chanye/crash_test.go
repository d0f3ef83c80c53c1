package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chanye-org/chanye/uscc"
)

// The crash tests start the chanye binary, SIGKILL it while it writes and
// check the database after a restart: every transaction is all or nothing.

func buildChanye(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("crash tests build the binary and write hundreds of thousands of rows")
	}
	bin := filepath.Join(t.TempDir(), "chanye")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// chanyeCmd returns the binary run on db with args.
func chanyeCmd(bin, db string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "CHANYE_DB="+db)
	return cmd
}

func mustChanye(t *testing.T, bin, db string, args ...string) string {
	t.Helper()
	out, err := chanyeCmd(bin, db, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("chanye %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// walOver reports whether the database's WAL holds more than n bytes.
func walOver(db string, n int64) func() bool {
	return func() bool {
		st, err := os.Stat(db + "-wal")
		return err == nil && st.Size() > n
	}
}

// writeLocked reports whether another connection has held the database's
// write lock for two probes 20 ms apart: a long write transaction, not the
// short ones a command starts with.
func writeLocked(t *testing.T, path string) func() bool {
	probe, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { probe.Close() })
	probe.SetMaxOpenConns(1)
	busy := func() bool {
		tx, err := probe.Begin()
		if err != nil {
			return strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy")
		}
		tx.Rollback()
		return false
	}
	return func() bool {
		if !busy() {
			return false
		}
		time.Sleep(20 * time.Millisecond)
		return busy()
	}
}

// killWhenWriting starts cmd and SIGKILLs it once writing says its write
// transaction is under way. It reports whether the kill landed before the
// process ended by itself.
func killWhenWriting(t *testing.T, cmd *exec.Cmd, writing func() bool) bool {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-exited:
			t.Logf("process ended before the kill: %v", err)
			return false
		default:
		}
		if writing() {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			err := <-exited
			t.Logf("killed while writing: %v", err)
			return true
		}
	}
	cmd.Process.Kill()
	<-exited
	t.Fatal("the process wrote nothing in 10 minutes")
	return false
}

// checkDB opens the database after the crash and checks it is sound.
func checkDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q, %v", ok, err)
	}
	var fk int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign_key_check: %d violations, %v", fk, err)
	}
	return db
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// writeEnterprises writes a CSV of n valid enterprises.
func writeEnterprises(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "code,name,district_code,industry_class,founded")
	for i := range n {
		body := fmt.Sprintf("%08d", i)
		oc, err := uscc.OrgCheckChar(body)
		if err != nil {
			t.Fatal(err)
		}
		code, err := uscc.Complete("91440106" + body + string(oc))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "%s,广州崩溃测试%d有限公司,440106,3611,2015-03-%02d\n", code, i, 1+i%28)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCrashDuringImport(t *testing.T) {
	bin := buildChanye(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.db")
	csv := filepath.Join(dir, "big.csv")
	const rows = 300_000
	writeEnterprises(t, csv, rows)
	mustChanye(t, bin, db, "migrate")

	killed := killWhenWriting(t, chanyeCmd(bin, db, "import", "enterprises", csv), walOver(db, 4<<20))
	mustChanye(t, bin, db, "migrate") // the restart: opens, recovers the WAL, migrates
	sdb := checkDB(t, db)
	n := count(t, sdb, `SELECT COUNT(*) FROM enterprises`)
	if n != 0 && n != rows {
		t.Fatalf("after the kill: %d enterprises, want 0 or %d", n, rows)
	}
	t.Logf("after the restart: %d enterprises", n)
	if killed && n != 0 {
		t.Logf("the import committed before the kill landed")
	}
	if ind := count(t, sdb, `SELECT COUNT(*) FROM enterprise_industries`); n == 0 && ind != 0 {
		t.Errorf("%d industry links without their enterprises", ind)
	}
	sdb.Close()

	out := mustChanye(t, bin, db, "import", "enterprises", csv)
	if !strings.Contains(out, fmt.Sprintf("written %d", rows)) && n == 0 {
		t.Errorf("clean re-import printed %q", out)
	}
	if got := count(t, checkDB(t, db), `SELECT COUNT(*) FROM enterprises`); got != rows {
		t.Errorf("after the clean re-import: %d enterprises, want %d", got, rows)
	}
}

func TestCrashDuringPolicyRun(t *testing.T) {
	bin := buildChanye(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "run.db")
	mustChanye(t, bin, db, "demo", "--enterprises", "100000", "--seed", "7")
	// The run's one transaction stores the decisions as the reference
	// evaluator explains them; the WAL only grows at its commit, so the
	// kill waits for the write lock to be held.
	killed := killWhenWriting(t, chanyeCmd(bin, db, "policy", "run"), writeLocked(t, db))
	mustChanye(t, bin, db, "migrate")
	sdb := checkDB(t, db)
	runs := count(t, sdb, `SELECT COUNT(*) FROM policy_runs`)
	if runs > 1 {
		t.Fatalf("%d runs after one killed run", runs)
	}
	t.Logf("after the restart: %d runs, %d decisions", runs, count(t, sdb, `SELECT COUNT(*) FROM policy_decisions`))
	if killed && runs == 1 {
		t.Log("the run committed before the kill landed")
	}
	if orphans := count(t, sdb, `SELECT COUNT(*) FROM policy_decisions d WHERE NOT EXISTS (SELECT 1 FROM policy_runs r WHERE r.id = d.run_id)`); orphans != 0 {
		t.Errorf("%d decisions without their run", orphans)
	}
	if runs == 1 {
		if bad := count(t, sdb, `SELECT COUNT(*) FROM policy_runs r WHERE r.eligible != (SELECT COUNT(*) FROM policy_decisions d WHERE d.run_id = r.id)`); bad != 0 {
			t.Errorf("a run whose eligible count differs from its stored decisions")
		}
	}
	if twice := count(t, sdb, `SELECT COUNT(*) FROM (SELECT 1 FROM policy_ledger WHERE kind = 'payment' GROUP BY policy_id, period, code HAVING COUNT(*) > 1)`); twice != 0 {
		t.Errorf("%d entitlements paid twice", twice)
	}
	sdb.Close()

	out := mustChanye(t, bin, db, "policy", "run")
	if !strings.Contains(out, "run ") {
		t.Errorf("clean re-run printed %q", out)
	}
	sdb = checkDB(t, db)
	if got := count(t, sdb, `SELECT COUNT(*) FROM policy_runs`); got != runs+1 {
		t.Errorf("after the clean re-run: %d runs, want %d", got, runs+1)
	}
	if bad := count(t, sdb, `SELECT COUNT(*) FROM policy_runs r WHERE r.eligible != (SELECT COUNT(*) FROM policy_decisions d WHERE d.run_id = r.id)`); bad != 0 {
		t.Errorf("a run whose eligible count differs from its stored decisions")
	}
}
