package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/pgcluster"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/shardrun"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// The sharded run (issue 16) on a local cluster: three PostgreSQL
// clusters made with pg_createcluster stand in for Citus's workers, the
// suite's PostgreSQL holds the coordinator, NATS JetStream the queue.
// Needs CHANYE_TEST_CLUSTER=1 (root, pg_createcluster), CHANYE_TEST_QUEUE
// (a NATS server with JetStream) and CHANYE_TEST_POSTGRES; .ci/run sets
// all three.

// shardEnv skips the test unless the local cluster can be made.
func shardEnv(t *testing.T) (coordServer, queue string) {
	t.Helper()
	if os.Getenv("CHANYE_TEST_CLUSTER") == "" {
		t.Skip("CHANYE_TEST_CLUSTER not set: the local cluster test makes PostgreSQL clusters with pg_createcluster")
	}
	coordServer, queue = os.Getenv("CHANYE_TEST_POSTGRES"), os.Getenv("CHANYE_TEST_QUEUE")
	if coordServer == "" || queue == "" {
		t.Fatal("CHANYE_TEST_CLUSTER needs CHANYE_TEST_POSTGRES and CHANYE_TEST_QUEUE")
	}
	if err := pgcluster.Available(); err != nil {
		t.Fatal(err)
	}
	return coordServer, queue
}

// withDatabase returns server's URL with its database replaced by db.
func withDatabase(t *testing.T, server, db string) string {
	t.Helper()
	re := regexp.MustCompile(`^(postgres(?:ql)?://[^/]+/)[^?]*`)
	if !re.MatchString(server) {
		t.Fatalf("CHANYE_TEST_POSTGRES %q is not a postgres:// URL", server)
	}
	return re.ReplaceAllString(server, "${1}"+db)
}

// proc is a chanye process whose output is scanned line by line.
type proc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	done  chan struct{}
	err   error
}

func startProc(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	r, w := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
	}()
	go func() {
		p.err = p.cmd.Wait()
		w.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitFor waits until a line of the process's output contains s.
func (p *proc) waitFor(t *testing.T, s string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, l := range p.lines {
			if strings.Contains(l, s) {
				p.mu.Unlock()
				return l
			}
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no line with %q within %s; output:\n%s", s, within, p.output())
	return ""
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

func countAt(t *testing.T, url, query string, args ...any) int {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestShardedRunKilledWorkers runs a sharded run over three shards while
// one worker dies right after storing its part on the shard (before the
// coordinator records it) and another is SIGKILLed in the middle of its
// part. Replacements get both parts again from the queue; every part is
// stored exactly once, and the run equals the same run on one database.
func TestShardedRunKilledWorkers(t *testing.T) {
	coordServer, queue := shardEnv(t)
	bin := buildChanye(t)
	ctx := context.Background()
	const shards, enterprises = 3, 6000

	// The coordinator: a database of its own on the suite's server,
	// holding every enterprise too, for the run on one database to
	// compare with.
	coordDB := fmt.Sprintf("chanye_shard_coord_%d", os.Getpid())
	admin := withDatabase(t, coordServer, "postgres")
	pgcluster.Psql(ctx, admin, "DROP DATABASE IF EXISTS "+coordDB)
	if err := pgcluster.Psql(ctx, admin, "CREATE DATABASE "+coordDB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgcluster.Psql(ctx, admin, "DROP DATABASE IF EXISTS "+coordDB+" WITH (FORCE)") })
	coord := withDatabase(t, coordServer, coordDB)
	key := filepath.Join(t.TempDir(), "audit.key")
	env := []string{"CHANYE_AUDIT_KEY_FILE=" + key, "CHANYE_QUEUE=" + queue}
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("chanye %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	cli("demo", "--db", coord, "--enterprises", fmt.Sprint(enterprises), "--shard", "0/1")
	files, err := filepath.Glob("../../policy/policies/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("shipped policies: %v", err)
	}
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".yaml")
		cli("policy", "add", "--db", coord, f)
		cli("policy", "publish", "--db", coord, id)
	}

	// The shards: a cluster each, holding its share of the same base.
	urls := make([]string, shards)
	for k := range shards {
		c, err := pgcluster.Create(ctx, fmt.Sprintf("chanye_test_shard%d", k))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Drop() })
		if err := c.CreateDatabase(ctx, "chanye"); err != nil {
			t.Fatal(err)
		}
		urls[k] = c.URL("chanye")
		cli("demo", "--db", urls[k], "--enterprises", fmt.Sprint(enterprises), "--shard", fmt.Sprintf("%d/%d", k, shards))
	}
	stream := fmt.Sprintf("CHANYE_TEST_%d", os.Getpid())
	t.Cleanup(func() {
		if q, err := shardrun.Open(ctx, shardrun.Config{URL: queue, Stream: stream}); err == nil {
			q.Delete(ctx)
			q.Close()
		}
	})
	worker := func(k int, extra ...string) *proc {
		return startProc(t, bin, append(env, extra...), "worker", "--db", coord, "--stream", stream, "--ack-wait", "2s",
			"--shards", fmt.Sprint(shards), "--shard", fmt.Sprintf("%d=%s", k, urls[k]))
	}
	w0 := worker(0, "CHANYE_WORKER_EXIT_AFTER_STORE=1") // dies between the shard's commit and the coordinator's
	w1 := worker(1)
	w2 := worker(2)
	for _, w := range []*proc{w0, w1, w2} {
		w.waitFor(t, "worker ready", time.Minute)
	}

	out := cli("policy", "run", "--db", coord, "--shards", fmt.Sprint(shards), "--stream", stream)
	m := regexp.MustCompile(`run (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no run id in:\n%s", out)
	}
	runID, _ := strconv.ParseInt(m[1], 10, 64)

	w2.waitFor(t, "part started", time.Minute)
	w2.cmd.Process.Signal(syscall.SIGKILL) // in the middle of its part
	<-w2.done
	<-w0.done
	w0.waitFor(t, "exiting after the part is stored", time.Second)
	w1.waitFor(t, "part stored", time.Minute)
	if n := countAt(t, coord, `SELECT parts_done FROM policy_runs WHERE id = $1`, runID); n != 1 {
		t.Fatalf("parts done before the replacements: %d, want 1 (shard 1's)", n)
	}
	if n := countAt(t, urls[0], `SELECT COUNT(*) FROM policy_run_parts WHERE run_id = $1`, runID); n != 1 {
		t.Fatalf("shard 0 holds %d records of its part before the replacement, want 1 (stored, not yet recorded)", n)
	}

	// Replacements: the queue delivers parts 0 and 2 again once their
	// ack wait has passed; --resume publishes them too, which the
	// stream's dedupe drops.
	w0b := worker(0)
	w2b := worker(2)
	out = cli("policy", "run", "--db", coord, "--resume", fmt.Sprint(runID), "--stream", stream, "--wait", "90s")
	if !strings.Contains(out, "企业 / enterprises 6000") {
		t.Fatalf("the complete run does not count %d enterprises:\n%s", enterprises, out)
	}
	if l := w0b.waitFor(t, "part stored", time.Minute); !strings.Contains(l, "stored_now=false") {
		t.Errorf("shard 0's part was stored before the crash, yet the replacement stored it again: %s", l)
	}
	w2b.waitFor(t, "part stored", time.Minute)

	// Exactly once: one record of each part on its shard and on the
	// coordinator, and each shard's decisions are its part's count.
	if n := countAt(t, coord, `SELECT COUNT(*) FROM policy_run_parts WHERE run_id = $1`, runID); n != shards {
		t.Errorf("coordinator records %d parts, want %d", n, shards)
	}
	decided := 0
	for k, u := range urls {
		if n := countAt(t, u, `SELECT COUNT(*) FROM policy_run_parts WHERE run_id = $1 AND shard = $2`, runID, k); n != 1 {
			t.Errorf("shard %d holds %d records of its part, want 1", k, n)
		}
		n := countAt(t, u, `SELECT COUNT(*) FROM policy_decisions WHERE run_id = $1`, runID)
		if want := countAt(t, coord, `SELECT eligible FROM policy_run_parts WHERE run_id = $1 AND shard = $2`, runID, k); n != want {
			t.Errorf("shard %d holds %d decisions of the run, its part counts %d", k, n, want)
		}
		decided += n
		// Each shard's part went to its own audit chain, k+1, which
		// verifies on its own.
		if out := cli("audit", "verify", "--db", u, "--chain", fmt.Sprint(k+1)); !strings.Contains(out, "OK") {
			t.Errorf("shard %d's chain %d:\n%s", k, k+1, out)
		}
		cli("audit", "verify", "--db", u)
	}

	// The same policies on one database, over the same enterprises.
	cli("policy", "run", "--db", coord)
	sameRuns(t, coord, urls, runID, runID+1)
	if n := countAt(t, coord, `SELECT COUNT(*) FROM policy_decisions WHERE run_id = $1`, runID+1); n != decided || n == 0 {
		t.Errorf("one database stored %d eligible decisions, the shards %d", n, decided)
	}

	// The next day's run, 1 % of the firms changed alike on the shards
	// and on the coordinator: each part explains the changed firms and
	// carries the rest from its last part, and the run still equals the
	// run on one database, decision by decision.
	var asOf string
	db, err := sql.Open("pgx", coord)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT as_of FROM policy_runs WHERE id = $1`, runID).Scan(&asOf); err != nil {
		t.Fatal(err)
	}
	day, err := chanye.ParseDate(asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range append([]string{coord}, urls...) {
		_, store, _, err := open(ctx, Config{DB: u, AuditKeyFile: key, Now: testclock.Now, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := changeShare(chanye.WithActor(ctx, chanye.Operator), store, 1, day, 2); err != nil {
			t.Fatal(err)
		}
	}
	out = cli("policy", "run", "--db", coord, "--shards", fmt.Sprint(shards), "--stream", stream, "--wait", "90s")
	m = regexp.MustCompile(`run (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no run id in:\n%s", out)
	}
	daily, _ := strconv.ParseInt(m[1], 10, 64)
	// Shards 1 and 2 carry: their workers decided the last parts and keep
	// those bases. Shard 0's worker found its part stored by the worker
	// that died and holds no base of its lineage: it decides every firm.
	if n := countAt(t, coord, `SELECT COUNT(*) FROM policy_run_parts WHERE run_id = $1 AND shard IN (1, 2) AND carried > 0 AND carried_from = $2`, daily, runID); n != 2 {
		t.Errorf("%d of shards 1 and 2 carried decisions from run %d", n, runID)
	}
	if n := countAt(t, coord, `SELECT carried FROM policy_run_parts WHERE run_id = $1 AND shard = 0`, daily); n != 0 {
		t.Errorf("shard 0 carried %d decisions without a base of the last part's lineage", n)
	}
	cli("policy", "run", "--db", coord)
	sameRuns(t, coord, urls, daily, daily+1)
	cli("audit", "verify", "--db", coord)
	for _, u := range urls {
		cli("audit", "verify", "--db", u)
	}
}

// sameRuns fails unless sharded run a equals run b on the coordinator, a
// run on one database: per policy, in every total, and decision by
// decision (amount, conditions, adjustments), the shards' decisions of a
// together being the coordinator's of b.
func sameRuns(t *testing.T, coord string, shards []string, a, b int64) {
	t.Helper()
	for _, q := range []string{
		`SELECT COUNT(*) FROM (SELECT policy_id, eligible, amount_fen, not_eligible, needs_data, errors, excluded FROM policy_run_policies WHERE run_id = $1
			EXCEPT SELECT policy_id, eligible, amount_fen, not_eligible, needs_data, errors, excluded FROM policy_run_policies WHERE run_id = $2) d`,
		`SELECT COUNT(*) FROM (SELECT policy_id, dimension, bucket, eligible, amount_fen FROM policy_run_totals WHERE run_id = $1
			EXCEPT SELECT policy_id, dimension, bucket, eligible, amount_fen FROM policy_run_totals WHERE run_id = $2) d`,
	} {
		if n := countAt(t, coord, q, a, b) + countAt(t, coord, q, b, a); n != 0 {
			t.Errorf("runs %d (sharded) and %d (one database) differ in %d rows of:\n%s", a, b, n, q)
		}
	}
	rows := func(url string, run int64) map[string]string {
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		out := map[string]string{}
		for _, q := range []string{
			`SELECT 'e/' || policy_id || '/' || code, amount_fen || ' ' || conditions || ' ' || adjustments FROM policy_decisions WHERE run_id = $1`,
			`SELECT 'n/' || policy_id || '/' || code, needs || ' ' || conditions FROM policy_needs_data WHERE run_id = $1`,
			`SELECT 'x/' || policy_id || '/' || code, adjustments || ' ' || conditions FROM policy_excluded WHERE run_id = $1`,
		} {
			rs, err := db.Query(q, run)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				var k, v string
				if err := rs.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				out[k] = v
			}
			rs.Close()
		}
		return out
	}
	want := rows(coord, b)
	got := map[string]string{}
	for _, u := range shards {
		maps.Copy(got, rows(u, a))
	}
	diff := 0
	for k, v := range want {
		if got[k] != v {
			if diff++; diff <= 3 {
				t.Errorf("decision %s: sharded %q, one database %q", k, got[k], v)
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			if diff++; diff <= 3 {
				t.Errorf("decision %s only in the sharded run", k)
			}
		}
	}
	if diff > 0 || len(want) == 0 {
		t.Errorf("%d of %d decisions differ", diff, len(want))
	}
}
