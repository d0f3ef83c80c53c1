package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chanye-org/chanye/engine"
	"github.com/chanye-org/chanye/internal/testclock"
)

func TestAuditPage(t *testing.T) {
	f := newFixture(t)
	eng := engine.New(engine.Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Versions: f.store, Runs: f.store})
	h, err := NewHandler(Config{Now: testclock.Now, Catalog: f.store, Enterprises: f.store, Policies: f.store.PolicyServices(), Engine: eng, Audit: f.store})
	if err != nil {
		t.Fatal(err)
	}
	h = asOperator(h)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	status, body := get("/audit")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	for _, want := range []string{"审计日志", codeAuto, "enterprise_tiers", "public (public)", "新建", "size_class"} {
		if !strings.Contains(body, want) {
			t.Errorf("/audit lacks %q", want)
		}
	}
	if strings.Contains(body, "⟦") {
		t.Errorf("/audit has a missing message")
	}
	status, body = get("/audit?lang=en&entity=enterprise_tiers&key=" + codeAuto + "/high_tech/2019-01-01")
	if status != http.StatusOK || !strings.Contains(body, "Audit log") || !strings.Contains(body, "1 entries") {
		t.Errorf("filtered, in English: status %d\n%s", status, body)
	}
	// An actor filter once shadowed the signed-in actor the layout reads.
	status, body = get("/audit?actor=" + url.QueryEscape("public (public)"))
	if status != http.StatusOK || !strings.Contains(body, `value="public (public)"`) || !strings.Contains(body, "<td>public (public)</td>") {
		t.Errorf("actor filter: status %d\n%.500s", status, body)
	}
	if status, _ := get("/audit?from=tomorrow"); status != http.StatusBadRequest {
		t.Errorf("bad date: status %d, want 400", status)
	}
	// A single database has chain 0 only; its entries keep their plain ids.
	status, body = get("/audit?lang=en&chain=0&entity=enterprise_tiers&key=" + codeAuto + "/high_tech/2019-01-01")
	if status != http.StatusOK || !strings.Contains(body, "1 entries") || !strings.Contains(body, `name="chain" min="0" step="1" value="0"`) ||
		!regexp.MustCompile(`<td class="num">\d+</td>`).MatchString(body) {
		t.Errorf("chain 0: status %d\n%s", status, body)
	}
	if status, body = get("/audit?lang=en&chain=1"); status != http.StatusOK || !strings.Contains(body, "No entries match") {
		t.Errorf("chain 1: status %d", status)
	}
	if status, _ := get("/audit?chain=-1"); status != http.StatusBadRequest {
		t.Errorf("chain -1: status %d, want 400", status)
	}
}

func TestDiffJSON(t *testing.T) {
	for _, c := range []struct{ before, after, want string }{
		{`{"a":1,"b":[1, 2]}`, `{"a":1,"b":[1,2,3],"c":"x"}`, `[{b [1,2] [1,2,3]} {c  "x"}]`},
		{``, `{"a":1}`, `[{a  1}]`},
		{`{"a":1}`, ``, `[{a 1 }]`},
		{`{"a":1}`, `{"a":1}`, `[]`},
		{`[1]`, `{"a":1}`, `[{ [1] } {a  1}]`},
	} {
		got := diffJSON(json.RawMessage(c.before), json.RawMessage(c.after))
		if s := fmt.Sprint(got); s != c.want && !(c.want == "[]" && len(got) == 0) {
			t.Errorf("diffJSON(%s, %s) = %s, want %s", c.before, c.after, s, c.want)
		}
	}
}
