package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
)

func TestSearchPage(t *testing.T) {
	f := newFixture(t)
	res, body := f.get(t, "/search?q="+url.QueryEscape("示范"), "")
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	for _, want := range []string{`id="top-q"`, `id="search-enterprise"`, `id="search-project"`, `id="search-policy"`,
		`href="/enterprises/` + codeAuto + `"`, `href="/enterprises/` + codeSH + `"`, `value="示范"`} {
		if !strings.Contains(body, want) {
			t.Errorf("search page lacks %s", want)
		}
	}
	// 示范数据服务 starts with the query: listed before the others.
	if strings.Index(body, codeSH) > strings.Index(body, codeAuto) {
		t.Error("the name that starts with the query is not first")
	}
	res, body = f.get(t, "/search?q="+url.QueryEscape("——"), "en")
	if res.StatusCode != 200 || !strings.Contains(body, `id="search-error"`) {
		t.Errorf("a query of punctuation: status %d, no error shown", res.StatusCode)
	}
	if res, body = f.get(t, "/search", ""); res.StatusCode != 200 || strings.Contains(body, "search-enterprise") {
		t.Errorf("empty search: status %d, or results shown", res.StatusCode)
	}

	// The public searches published policies only.
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Policies: f.store.PolicyServices(), Engine: eng,
		Projects: f.store, Search: authz.Search(f.store)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/search?q="+url.QueryEscape("示范"), nil).WithContext(context.Background()))
	b, _ := io.ReadAll(rec.Result().Body)
	pub := string(b)
	if rec.Code != http.StatusOK || strings.Contains(pub, "search-enterprise") || !strings.Contains(pub, `id="search-policy"`) || !strings.Contains(pub, `id="top-q"`) {
		t.Errorf("public search: status %d, body %.400s", rec.Code, pub)
	}
}
