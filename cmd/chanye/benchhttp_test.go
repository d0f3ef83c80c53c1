package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// bench http counts every request and every error by status, puts credit
// codes in {code} in turn and sends the token.
func TestBenchHTTP(t *testing.T) {
	codes := []string{"91440101MA5CXXXX01", "91440101MA5CXXXX02", "91440101MA5CXXXX03"}
	var (
		mu     sync.Mutex
		seen   = map[string]int{}
		flaky  atomic.Int64
		tokens atomic.Int64
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/enterprises", func(w http.ResponseWriter, r *http.Request) {
		items := make([]map[string]string, len(codes))
		for i, c := range codes {
			items[i] = map[string]string{"code": c}
		}
		json.NewEncoder(w).Encode(map[string]any{"items": items, "total": len(codes)})
	})
	mux.HandleFunc("GET /api/v1/enterprises/{code}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer chy_test" {
			tokens.Add(1)
		}
		mu.Lock()
		seen[r.PathValue("code")]++
		mu.Unlock()
		fmt.Fprint(w, `{}`)
	})
	mux.HandleFunc("GET /flaky", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1)%2 == 0 {
			http.Error(w, "no", http.StatusInternalServerError)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	out := mustRun(t, "", "bench", "http", "--url", srv.URL, "--requests", "60", "--concurrency", "4", "--token", "chy_test",
		"--route", "/api/v1/enterprises/{code}", "--route", "/flaky", "--json")
	var res []routeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(res) != 2 {
		t.Fatalf("%d routes, want 2", len(res))
	}
	if r := res[0]; r.Requests != 60 || r.Errors != 0 || r.Statuses["200"] != 60 || r.P99 < r.P50 || r.Max < r.P99 {
		t.Errorf("enterprise route: %+v", r)
	}
	for _, c := range codes {
		if seen[c] != 20 {
			t.Errorf("code %s requested %d times, want 20 (in turn)", c, seen[c])
		}
	}
	if tokens.Load() != 60 {
		t.Errorf("%d requests carried the token, want 60", tokens.Load())
	}
	if r := res[1]; r.Requests != 60 || r.Errors != 30 || r.Statuses["500"] != 30 || r.Statuses["200"] != 30 {
		t.Errorf("flaky route: %+v", r)
	}

	// The table names each route and its errors; bad flags are refused.
	out = mustRun(t, "", "bench", "http", "--url", srv.URL, "--requests", "4", "--concurrency", "2", "--route", "/flaky")
	if !strings.Contains(out, "/flaky") || !strings.Contains(out, "500×2") {
		t.Errorf("table:\n%s", out)
	}
	for _, args := range [][]string{{"--concurrency", "0"}, {"--requests", "-1"}, {"--url", "ftp://x"}, {"--route", "flaky"}, {"--duration", "1ms"}} {
		if _, err := runCmd(t, "", append([]string{"bench", "http", "--url", srv.URL}, args...)...); err == nil {
			t.Errorf("bench http %v: no error", args)
		}
	}
}
