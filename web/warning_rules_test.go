package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

func TestWarningRulesPage(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	stored := func(id string) *project.Rule {
		rules, err := f.store.FindWarningRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			if r.ID == id {
				return r
			}
		}
		return nil
	}
	form := func(expr string) url.Values {
		return url.Values{"new": {"1"}, "id": {"web_rule"}, "group": {"web_rule"}, "colour": {"red"}, "label_zh": {"网页规则"},
			"label_en": {"web rule"}, "owner": {"leader"}, "position": {"50"}, "expr": {expr}}
	}

	t.Run("defaults listed", func(t *testing.T) {
		res, body := f.get(t, "/warnings/rules", "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status = %d, want 200", res.StatusCode)
		}
		for _, r := range project.DefaultRules() {
			for _, w := range []string{`id="rule-` + r.ID + `"`, r.LabelZH, html.EscapeString(r.Expr)} {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		}
		for _, w := range []string{`id="form-new"`, `name="csrf"`, `id="rule-vars"`, project.Variables()[0].Name} {
			if !strings.Contains(body, w) {
				t.Errorf("page lacks %q", w)
			}
		}
	})
	t.Run("bad expression", func(t *testing.T) {
		res, body := f.post(t, "/warnings/rules", form("no_such_variable > 1"))
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status = %d, want 400", res.StatusCode)
		}
		for _, w := range []string{"web_rule", "no_such_variable", `class="alert rule-errors"`, "网页规则"} {
			if !strings.Contains(body, w) {
				t.Errorf("page lacks %q", w)
			}
		}
		if r := stored("web_rule"); r != nil {
			t.Errorf("stored %+v after a bad expression", r)
		}
	})
	t.Run("good save", func(t *testing.T) {
		res, _ := f.post(t, "/warnings/rules", form("overdue_nodes > 3"))
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/warnings/rules") {
			t.Fatalf("status = %d %q, want 303 to the rules", res.StatusCode, res.Header.Get("Location"))
		}
		if r := stored("web_rule"); r == nil || r.Expr != "overdue_nodes > 3" || r.Colour != project.Red || r.Position != 50 {
			t.Errorf("stored %+v", r)
		}
		_, body := f.get(t, "/warnings/rules", "")
		if !strings.Contains(body, `id="rule-web_rule"`) || !strings.Contains(body, "overdue_nodes &gt; 3") {
			t.Errorf("saved rule not listed")
		}
	})
	t.Run("delete", func(t *testing.T) {
		// The 删除 button is a form of its own, apart from 保存, and asks
		// for a tick first.
		_, body := f.get(t, "/warnings/rules", "")
		if !strings.Contains(body, `id="delete-web_rule"`) || strings.Contains(body, `formaction="/warnings/rules/web_rule/delete"`) {
			t.Error("the delete button is not a form of its own")
		}
		res, _ := f.post(t, "/warnings/rules/web_rule/delete", url.Values{})
		if res.StatusCode != http.StatusBadRequest || stored("web_rule") == nil {
			t.Fatalf("unconfirmed: status = %d, want 400 and the rule kept", res.StatusCode)
		}
		res, _ = f.post(t, "/warnings/rules/web_rule/delete", url.Values{"confirm": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status = %d, want 303", res.StatusCode)
		}
		if r := stored("web_rule"); r != nil {
			t.Errorf("still stored: %+v", r)
		}
	})
}
