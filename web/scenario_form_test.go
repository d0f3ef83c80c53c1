package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/scenario"
)

// TestScenarioEditPage: the new form offers the chain links of the
// industries the task force runs in a select, 「（不指定）」 first, grouped
// by chain; a draft's page links its form, filled with what it holds (the
// budget exactly, in 万元); a refused change (another chain's link, a bad
// weight) is shown again with its errors and what was typed; a saved one
// changes everything and is audited, an empty budget clearing it. Only
// the scenario's runners edit it, and only while it is a draft.
func TestScenarioEditPage(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	set, err := f.store.FindChains(ctx)
	if err != nil || set.Chain(f.autoID) == nil || len(set.Chain(f.autoID).Links) < 2 {
		t.Fatalf("the fixture's chain of %s: %v", f.autoID, err)
	}
	links := set.Chain(f.autoID).Links
	var sub, otherLink string
	for _, lk := range links {
		if lk.Parent != "" && sub == "" {
			sub = lk.ID
		}
	}
	for _, ch := range set.Chains {
		if ch.IndustryID != f.autoID && len(ch.Links) > 0 {
			otherLink = ch.Links[0].ID
		}
	}
	tf := pagesAs(t, f, &chanye.Actor{Name: "汽车专班", Role: chanye.RoleTaskForce, IndustryID: f.autoID})
	otherTF := pagesAs(t, f, &chanye.Actor{Name: "生物专班", Role: chanye.RoleTaskForce, IndustryID: strings.Split(otherLink, ".")[0]})
	firm := pagesAs(t, f, &chanye.Actor{Name: "示范汽车", Role: chanye.RoleEnterprise, Code: codeAuto})
	public := pagesAs(t, f, &chanye.Actor{Role: chanye.RolePublic})

	// The new form: the task force's chain only, (none) first.
	_, body := getAs(t, tf, "/scenarios/new")
	sel := between(body, `<select name="link_id"`, `</select>`)
	if !strings.Contains(sel, `<option value="" selected>（不指定）</option>`) || strings.Index(sel, "（不指定）") > strings.Index(sel, "<optgroup") ||
		!strings.Contains(sel, `<option value="`+links[0].ID+`">`+links[0].NameZH+`</option>`) || !strings.Contains(sel, `<option value="`+sub+`">— `) ||
		strings.Contains(sel, otherLink) || strings.Count(sel, "<optgroup") != 1 {
		t.Fatalf("the new form's links:\n%s", sel)
	}
	form := scenarioForm(f.autoID)
	form.Set("link_id", links[0].ID)
	res, _ := postAs(t, tf, "/scenarios", form)
	id := scenarioIDFrom(t, res)
	path := fmt.Sprintf("/scenarios/%d", id)
	if x, err := f.store.FindScenarioByID(ctx, id); err != nil || x.LinkID != links[0].ID {
		t.Fatalf("created with its link: %+v %v", x, err)
	}

	// The draft's page links its form, filled.
	if _, body := getAs(t, tf, path); !strings.Contains(body, `href="`+path+`/edit"`) {
		t.Fatal("the draft's page does not link its form")
	}
	res, body = getAs(t, tf, path+"/edit")
	if res.StatusCode != 200 || !strings.Contains(body, `id="scn-edit-form"`) || !strings.Contains(body, `action="`+path+`/edit"`) ||
		!strings.Contains(body, `value="自动驾驶环卫车首试首用"`) || !strings.Contains(body, `value="12.345678"`) ||
		!strings.Contains(body, `<option value="`+links[0].ID+`" selected>`) || !strings.Contains(body, `name="criteria[1].weight" id="f-criteria-1-weight" value="40"`) {
		t.Fatalf("the draft's form: %d\n%s", res.StatusCode, between(body, `id="scn-edit-form"`, `</form>`))
	}
	for name, tc := range map[string]struct {
		h    http.Handler
		want int
	}{"another industry's task force": {otherTF, 403}, "an enterprise": {firm, 403}} {
		if res, _ := getAs(t, tc.h, path+"/edit"); res.StatusCode != tc.want {
			t.Errorf("%s's form: %d, want %d", name, res.StatusCode, tc.want)
		}
		if res, _ := postAs(t, tc.h, path+"/edit", form); res.StatusCode != tc.want {
			t.Errorf("%s's change: %d, want %d", name, res.StatusCode, tc.want)
		}
	}
	if res, _ := getAs(t, public, path+"/edit"); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
		t.Errorf("the public's form: %d, want a redirect to sign in", res.StatusCode)
	}

	// Refused: another chain's link and a bad weight, named and kept.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("title", "改过的标题")
	bad.Set("link_id", otherLink)
	bad.Set("criteria[2].weight", "四十")
	res, body = postAs(t, tf, path+"/edit", bad)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="e-link_id"`) || !strings.Contains(body, `id="e-f-criteria-1-weight"`) ||
		!strings.Contains(body, `value="改过的标题"`) || !strings.Contains(body, `<option value="`+otherLink+`" selected>`) || !strings.Contains(body, `id="scn-edit-form"`) {
		t.Errorf("a refused change: %d\n%s", res.StatusCode, between(body, `id="scn-error"`, `</form>`))
	}
	bad.Set("criteria[2].weight", "40")
	if res, body := postAs(t, tf, path+"/edit", bad); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="e-link_id"`) {
		t.Errorf("another chain's link: %d", res.StatusCode)
	}

	// Saved: everything changes; the budget is cleared; a third criterion
	// with its English name.
	good := url.Values{"title": {"智能网联环卫车首试首用"}, "offerer.name": {"市城管委"}, "offerer.kind": {"state_owned"}, "industry_id": {f.autoID},
		"link_id": {sub}, "requirements": {"三个街道。"}, "site": {"黄埔区"}, "budget": {""},
		"deadline": {form.Get("deadline")}, "pilot_start": {form.Get("pilot_start")}, "pilot_end": {form.Get("pilot_end")},
		"criteria[0].id": {"tech"}, "criteria[0].name_zh": {"技术"}, "criteria[0].name_en": {"technology"}, "criteria[0].weight": {"50"},
		"criteria[1].id": {"cost"}, "criteria[1].name_zh": {"成本"}, "criteria[1].weight": {"30"},
		"criteria[4].id": {"service"}, "criteria[4].name_zh": {"服务"}, "criteria[4].weight": {"20"}}
	res, _ = postAs(t, tf, path+"/edit", good)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != path+"?done=updated" {
		t.Fatalf("saved: %d %q", res.StatusCode, loc)
	}
	x, err := f.store.FindScenarioByID(ctx, id)
	if err != nil || x.Title != "智能网联环卫车首试首用" || x.Offerer.Kind != scenario.OffererStateOwned || x.LinkID != sub || x.BudgetFen != nil ||
		len(x.Criteria) != 3 || x.Criteria[0].NameEN != "technology" || x.Criteria[2].ID != "service" || x.Site != "黄埔区" {
		t.Fatalf("stored: %+v %v", x, err)
	}
	entity := "scenario"
	if _, n, err := f.store.FindAudit(ctx, chanye.AuditFilter{Entity: &entity, Action: ptr("update")}); err != nil || n != 1 {
		t.Errorf("audit entries of the change: %d %v", n, err)
	}
	if _, body := getAs(t, tf, path+"?done=updated"); !strings.Contains(body, "已保存修改") {
		t.Error("the page does not say the change was saved")
	}

	// Published: no form any more.
	if res, _ := postAs(t, tf, path+"/moves", url.Values{"action": {"publish"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	if _, body := getAs(t, tf, path); strings.Contains(body, `id="scn-edit"`) {
		t.Error("a published scenario's page links the draft's form")
	}
	if res, _ := getAs(t, tf, path+"/edit"); res.StatusCode != http.StatusConflict {
		t.Errorf("a published scenario's form: %d, want 409", res.StatusCode)
	}
	if res, _ := postAs(t, tf, path+"/edit", good); res.StatusCode != http.StatusConflict {
		t.Errorf("a published scenario changed from the form: %d, want 409", res.StatusCode)
	}
}
