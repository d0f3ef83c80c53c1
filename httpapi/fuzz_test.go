package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// FuzzDecode feeds arbitrary bodies to the JSON decoder and to POST
// /api/v1/enterprises on a real store. Whatever the bytes: no panic; the
// decoder fails with EINVALID or succeeds; the API answers 201 or a 4xx
// with a JSON error, never a 5xx, and stores nothing when it refuses.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"code":"` + codeA + `","name":"广州示例汽车科技有限公司","district_code":"440106","industry_class":"3612","founded":"2015-06-01"}`,
		`{"code":"` + codeA + `","name":"x","district_code":"440106","industry_class":"3612","founded":"2015-06-01","tiers":[{"kind":"high_tech","from":"2020-01-01"}]}`,
		`{"code":"` + codeA + `","industries":["icv-nev"],"industries_override":true}`,
		`{"name":"x","count":3,"items":[{"period":"2024","as_of":"2024-01-02","tags":["a"]}],"kind":"srdi","from":"2024-01-01"}`,
		`{"items":[{"as_of":20240102}]}`, `{"founded":"2024-02-30"}`, `{"tiers":[{"kind":"x","from":"2020-01-01","to":"2019-01-01"}]}`,
		`[]`, `{} {}`, `{"a":`, ``, `null`, `"\ud800"`, `{"name":"\u0000"}`, `{"code":1e999}`,
		strings.Repeat("[", 10000),
	} {
		f.Add([]byte(s))
	}
	store := sqlstoretest.New(f)
	h := NewHandler(Config{Now: testclock.Now, Catalog: store, Enterprises: store, Logger: slog.New(slog.DiscardHandler)})
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	count := func(t *testing.T) int {
		_, n, err := store.FindEnterprises(ctx, chanye.EnterpriseFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{new(decodeTarget), new(chanye.Enterprise), new(map[string]any)} {
			if err := decodeBytes(body, dst); err != nil {
				var e *chanye.Error
				if !errors.As(err, &e) || e.Code != chanye.EINVALID {
					t.Fatalf("decode %q into %T: %v, want EINVALID", body, dst, err)
				}
			}
		}

		before := count(t)
		r := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/enterprises", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code == http.StatusCreated {
			if got := count(t); got != before+1 {
				t.Fatalf("201 but %d enterprises, had %d", got, before)
			}
			return
		}
		if w.Code < 400 || w.Code >= 500 {
			t.Fatalf("POST %q: status %d %s, want 201 or 4xx", body, w.Code, w.Body)
		}
		var resp struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.Error.Code == "" || resp.Error.Message == "" {
			t.Fatalf("POST %q: %d body %s, want a JSON error", body, w.Code, w.Body)
		}
		if got := count(t); got != before {
			t.Fatalf("POST %q refused with %d but enterprises went from %d to %d", body, w.Code, before, got)
		}
	})
}
