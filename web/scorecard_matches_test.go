package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/match"
)

// TestScorecardMatches: a department's scorecard shows the matchmaking of
// the industries it leads: the open demands, the share matched with a
// supplier of the city, the matches and what they came to, linking the
// industry's matches; an unknown share (no open demand) says so.
func TestScorecardMatches(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	dept := testDept
	if _, err := f.store.UpdateResponsibility(ctx, f.autoID, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	addProjects(t, f)
	card := "/scorecards/department/" + url.PathEscape(testDept) + "?lang=zh"
	_, body := f.get(t, card, "")
	if !strings.Contains(body, `id="sc-matches-table"`) || !strings.Contains(body, `<td class="num">0</td><td class="num">未知</td>`) {
		t.Fatalf("a chain without demands:\n%.3000s", body)
	}
	ms := []*match.Match{proposeAutoSoft(t, f)}
	for _, code := range []string{codeAuto, codeSoft} {
		firm := chanye.WithActor(ctx, &chanye.Actor{Name: "firm", Role: chanye.RoleEnterprise, Code: code})
		if _, err := f.store.ActOnMatch(firm, ms[0].ID, match.Step{Action: match.StepAccept}); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []match.Step{{Action: match.StepNegotiate}, {Action: match.StepSign, ContractFen: 12_345_600}} {
		if _, err := f.store.ActOnMatch(ctx, ms[0].ID, st); err != nil {
			t.Fatal(err)
		}
	}
	_, body = f.get(t, card, "")
	want := `<a href="/matches?industry=` + f.autoID + `">`
	row := body[strings.Index(body, want):]
	row = row[:strings.Index(row, "</tr>")]
	for _, cell := range []string{`<td class="num">1</td><td class="num">100.0%</td><td class="num">1</td><td class="num">1</td><td class="num">1</td>`, "12.3456 万元"} {
		if !strings.Contains(row, cell) {
			t.Errorf("the industry's row lacks %s:\n%s", cell, row)
		}
	}
}
