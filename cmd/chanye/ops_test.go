package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye/internal/testclock"
)

// startServe starts "chanye serve" on db in this process and returns its
// base URL, its log and a function that stops it.
func startServe(t *testing.T, db string) (string, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	getenv := func(k string) string {
		if k == "CHANYE_DB" {
			return db
		}
		return ""
	}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, getenv, testclock.Now, strings.NewReader(""), &stdout, &stderr)
	}()
	urlRE := regexp.MustCompile(`listening on (http://\S+/)`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not start; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve returned early: %v; stderr %s", err, stderr.String())
		default:
		}
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	}
	t.Cleanup(stop)
	return base, &stderr, stop
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestOperations serves a database and checks what operators rely on:
// readiness, metrics, headers and request logs, a backup taken while
// serving, and a restore that waits for the server to stop.
func TestOperations(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ops.db")
	mustRun(t, db, "demo", "--enterprises", "300", "--seed", "5")
	base, logs, stop := startServe(t, db)

	if resp, body := get(t, base+"readyz"); resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("GET /readyz: %d %s", resp.StatusCode, body)
	}
	// The industries are open data: no account is needed.
	resp, _ := get(t, base+"api/v1/industries", "X-Request-ID", "ops-test-request-1")
	if resp.StatusCode != 200 || resp.Header.Get("X-Request-ID") != "ops-test-request-1" {
		t.Errorf("GET industries: %d, request id %q", resp.StatusCode, resp.Header.Get("X-Request-ID"))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("response lacks %s", h)
		}
	}
	if !strings.Contains(logs.String(), "request_id=ops-test-request-1") || !strings.Contains(logs.String(), `route="GET /api/v1/industries"`) {
		t.Errorf("log lacks the request line:\n%s", logs.String())
	}
	if resp, body := get(t, base+"metrics"); resp.StatusCode != 200 ||
		!strings.Contains(body, `chanye_http_requests_total{method="GET",route="GET /api/v1/industries",status="200"} 1`) {
		t.Errorf("GET /metrics: %d, want the industries request counted:\n%.3000s", resp.StatusCode, body)
	}

	backup := filepath.Join(dir, "ops-backup.db")
	if out := mustRun(t, db, "backup", backup); !strings.Contains(out, "backed up") {
		t.Errorf("backup printed %q", out)
	}
	if _, err := runCmd(t, db, "backup", backup); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("backup over an existing file: %v, want a refusal naming --force", err)
	}
	mustRun(t, db, "backup", "--force", backup)
	if _, err := runCmd(t, db, "restore", backup); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("restore while serving: %v, want a refusal", err)
	}
	stop()

	restored := filepath.Join(dir, "restored.db")
	mustRun(t, restored, "restore", backup)
	want := mustRun(t, db, "export", "enterprises")
	if got := mustRun(t, restored, "export", "enterprises"); got != want || strings.Count(got, "\n") != 301 {
		t.Errorf("restored export differs (%d lines, want 301)", strings.Count(got, "\n"))
	}
	if _, err := runCmd(t, "postgres://localhost/none", "backup", filepath.Join(dir, "pg.dump")); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup on PostgreSQL: %v, want the pg_dump advice", err)
	}
}
