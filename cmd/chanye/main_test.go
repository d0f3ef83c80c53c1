package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
)

// syncBuffer is a bytes.Buffer the server goroutine writes while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCmd runs one command against the test database and returns stdout.
func runCmd(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	var stderr bytes.Buffer
	return runCmdErr(t, &stderr, db, args...)
}

// runCmdErr is runCmd writing the command's stderr to stderr.
func runCmdErr(t *testing.T, stderr interface {
	io.Writer
	String() string
}, db string, args ...string) (string, error) {
	t.Helper()
	var stdout bytes.Buffer
	getenv := func(k string) string {
		if k == "CHANYE_DB" {
			return db
		}
		return ""
	}
	err := run(context.Background(), args, getenv, testclock.Now, strings.NewReader(""), &stdout, stderr)
	if err != nil {
		t.Logf("chanye %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), err
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, err := runCmd(t, db, args...)
	if err != nil {
		t.Fatalf("chanye %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "e2e.db")
	path := func(name string) string { return filepath.Join(dir, name) }

	if out := mustRun(t, db, "migrate"); !strings.Contains(out, "0001") {
		t.Errorf("migrate printed %q, want the applied migration", out)
	}
	if out := mustRun(t, db, "demo", "--enterprises", "500", "--seed", "3"); !strings.Contains(out, "500 家企业") || !strings.Contains(out, "rows/s") ||
		!strings.Contains(out, "演示诉求 / demo requests:") || !strings.Contains(out, "演示产业空间 / demo industrial space: 690 个区块 blocks") {
		t.Errorf("demo printed %q", out)
	}
	for _, kind := range []string{"enterprises", "facts", "tiers"} {
		mustRun(t, db, "export", kind, "--out", path(kind+".csv"))
	}
	before, err := os.ReadFile(path("enterprises.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(before, []byte("\n")); n != 501 {
		t.Errorf("export has %d lines, want header and 500", n)
	}
	out := mustRun(t, db, "import", "enterprises", path("enterprises.csv"), "facts", path("facts.csv"), "tiers", path("tiers.csv"))
	if !strings.Contains(out, "written 500") {
		t.Errorf("import printed %q", out)
	}
	mustRun(t, db, "export", "enterprises", "--out", path("again.csv"))
	if after, _ := os.ReadFile(path("again.csv")); !bytes.Equal(before, after) {
		t.Error("re-importing the export changed the enterprises")
	}
	// Filters and XLSX.
	mustRun(t, db, "export", "tiers", "--tier", "高新技术企业", "--format", "xlsx", "--out", path("ht.xlsx"))
	if _, err := runCmd(t, db, "import", "tiers", path("ht.xlsx")); err != nil {
		t.Errorf("importing the XLSX export: %v", err)
	}

	bad := path("bad.csv")
	os.WriteFile(bad, []byte("code,name,district_code,industry_class,founded\n9144011661842063XU,坏,440106,6513,2020-01-01\n"), 0o644)
	_, err = runCmd(t, db, "import", "enterprises", bad)
	if err == nil || !strings.Contains(err.Error(), "row 2") || !strings.Contains(err.Error(), "column code") {
		t.Errorf("bad import: error %v, want one naming row 2, column code", err)
	}
	rejects := path("rejects.csv")
	if _, err := runCmd(t, db, "import", "enterprises", bad, "--skip-invalid", "--rejects", rejects); err != nil {
		t.Errorf("skip-invalid import: %v", err)
	}
	if b, _ := os.ReadFile(rejects); !bytes.Contains(b, []byte("9144011661842063XU")) {
		t.Errorf("rejects file %q, want the bad row", b)
	}

	if out := mustRun(t, db, "serve", "--help"); !strings.Contains(out, "--addr") {
		t.Errorf("serve --help printed %q", out)
	}
	if _, err := runCmd(t, db, "bogus"); err == nil {
		t.Error("unknown command: no error")
	}
	mustRun(t, db, "version")
	testServe(t, db)
}

func testServe(t *testing.T, db string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	getenv := func(k string) string {
		if k == "CHANYE_DB" {
			return db
		}
		return ""
	}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo"}, getenv, testclock.Now, strings.NewReader(""), &stdout, &stderr)
	}()
	urlRE := regexp.MustCompile(`listening on (http://\S+/)`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("server did not start; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v; stderr %s", err, stderr.String())
		default:
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"healthz", "ok"},
		{"api/v1/industries", "icv-nev"},
		{"", "<html"},
		{"chains", "icv-nev"},
		{"chains/icv-nev", "chain-map"},
		{"api/v1/chains/icv-nev", "icv-nev.battery"},
	} {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), tc.want) {
			t.Errorf("GET /%s: %d %.200s, want 200 containing %q", tc.path, resp.StatusCode, body, tc.want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(stdout.String(), "stopped") {
		t.Errorf("stdout %q, want the stop message", stdout.String())
	}
	// The database had enterprises, so --demo added none.
	if !strings.Contains(stderr.String(), "demo data skipped") {
		t.Errorf("stderr %q, want demo skipped on a non-empty database", stderr.String())
	}
}

// The CLI writes a domain error for a person: its message, not code=…
// message=…, then its fields a line each, sorted; wrapping kept.
func TestDescribe(t *testing.T) {
	err := fmt.Errorf("政策 / policy: %w", chanye.Invalid("有误 / invalid", map[string]string{"b": "二", "a": "一"}))
	if got, want := describe(err), "政策 / policy: 有误 / invalid\n  a: 一\n  b: 二"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	if got := describe(errors.New("plain")); got != "plain" {
		t.Errorf("describe(plain) = %q", got)
	}
}
