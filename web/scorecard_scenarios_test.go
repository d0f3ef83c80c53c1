package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/scenario"
)

// TestScorecardScenarios: a department's scorecard counts the year's
// scenarios of the industries it leads — published and first uses — and
// links each industry's list.
func TestScorecardScenarios(t *testing.T) {
	f := newFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	dept := testDept
	if _, err := f.store.UpdateResponsibility(ctx, f.autoID, chanye.ResponsibilityUpdate{LeadDepartment: &dept}); err != nil {
		t.Fatal(err)
	}
	day := func(n int) chanye.Date { return chanye.DateOf(testclock.Now().AddDate(0, 0, n)) }
	x := &scenario.Scenario{Title: "整车装车验证", Offerer: scenario.Offerer{Name: "市交通集团", Kind: scenario.OffererStateOwned}, IndustryID: f.autoID,
		Requirements: "运行一年", Deadline: day(10), PilotStart: day(20), PilotEnd: day(200),
		Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术", NameEN: "technology", Weight: 100}}}
	if err := f.store.CreateScenario(ctx, x); err != nil {
		t.Fatal(err)
	}
	addProjects(t, f)
	card := "/scorecards/department/" + url.PathEscape(testDept) + "?lang=zh"
	_, body := f.get(t, card, "")
	if !strings.Contains(body, `id="sc-scenarios-table"`) || !strings.Contains(body, `<td class="num">0</td><td class="num">0</td>`) {
		t.Fatalf("a draft counts on the scorecard:\n%.3000s", body)
	}
	if _, err := f.store.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(t, card, "")
	if !strings.Contains(body, `<a href="/scenarios?industry=`+f.autoID+`">`) || !strings.Contains(body, `<td class="num">1</td>`) {
		t.Errorf("the published scenario is not counted:\n%.3000s", body)
	}
}
