package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/scenario"
)

// testScenario is a call of the test catalog's industry auto on its
// battery link, judged on two criteria; its deadline is days after the
// clock's today (2025-06-15).
func testScenario(days int) *scenario.Scenario {
	budget := chanye.Fen(50_000_000_00)
	return &scenario.Scenario{Title: " 固态电池整车装车验证 ", Offerer: scenario.Offerer{Name: "市交通集团", Kind: scenario.OffererStateOwned},
		IndustryID: "auto", LinkID: "auto.parts.battery", Requirements: "在 50 辆公交车上完成一年装车运行。", Site: "天河客运站",
		BudgetFen: &budget, Deadline: dayAfter(days), PilotStart: dayAfter(days + 10), PilotEnd: dayAfter(days + 375),
		Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术先进性", NameEN: "technology", Weight: 60},
			{ID: "cost", NameZH: "成本", NameEN: "cost", Weight: 40}}}
}

// dayAfter is the clock's today (2025-06-15) plus n days.
func dayAfter(n int) chanye.Date { return chanye.DateOf(today.AddDate(0, 0, n)) }

// TestScenarioLife: a scenario is created as a draft, published, applied
// to by two firms (one withdraws and applies again, a third is refused
// after the deadline), reviewed by a panel with a declared conflict,
// ranked, its winner selected, piloted to a confirmed first use and
// procured; every step is an event and an audit entry, each panel member
// is asked to score in its own inbox when the panel is set and when the
// review starts, and the year's progress counts it. Bad input names its
// field; steps out of order are
// conflicts; the same on both databases.
func TestScenarioLife(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		now := setClock(db) // after investStore's, so that moving it moves the store's clock
		firms := make([]*chanye.Enterprise, 3)
		for i := range firms {
			firms[i] = enterprise(t, i+1, "440106", "3841")
			if err := s.CreateEnterprise(ctx, firms[i]); err != nil {
				t.Fatal(err)
			}
		}
		judges := map[string]context.Context{}
		for _, n := range []string{"wang", "li", "zhao"} {
			u := &auth.User{Name: n, Role: chanye.RoleLeader}
			if err := s.CreateUser(ctx, u, testPassword); err != nil {
				t.Fatalf("user %s: %v %v", n, err, chanye.ErrorFields(err))
			}
			judges[n] = chanye.WithActor(context.Background(), u.Actor())
		}

		// Bad input names its field, before anything is stored.
		for name, tc := range map[string]struct {
			change func(x *scenario.Scenario)
			field  string
		}{
			"unknown industry":     {func(x *scenario.Scenario) { x.IndustryID, x.LinkID = "nope", "" }, "industry_id"},
			"another chain's link": {func(x *scenario.Scenario) { x.LinkID = "auto.nothing" }, "link_id"},
			"weights":              {func(x *scenario.Scenario) { x.Criteria[0].Weight = 50 }, "criteria"},
			"no title":             {func(x *scenario.Scenario) { x.Title = " " }, "title"},
		} {
			x := testScenario(10)
			tc.change(x)
			if err := s.CreateScenario(ctx, x); chanye.ErrorCode(err) != chanye.EINVALID || !hasFieldPrefix(chanye.ErrorFields(err), tc.field) {
				t.Errorf("%s: %v %v", name, err, chanye.ErrorFields(err))
			}
		}
		if _, total, _ := s.FindScenarios(ctx, scenario.Filter{}); total != 0 {
			t.Fatalf("refused scenarios were stored: %d", total)
		}

		x := testScenario(10)
		if err := s.CreateScenario(ctx, x); err != nil || x.ID == 0 || x.Status != scenario.Draft || x.Title != "固态电池整车装车验证" {
			t.Fatalf("create: %+v %v %v", x, err, chanye.ErrorFields(err))
		}
		app := &scenario.Application{ScenarioID: x.ID, Code: firms[0].Code, Solution: "半固态电池包"}
		if err := s.CreateScenarioApplication(ctx, app); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("apply to a draft: %v", err)
		}
		if list, _, _ := s.FindScenarios(ctx, scenario.Filter{PublicOnly: true}); len(list) != 0 {
			t.Errorf("a draft is public: %+v", list)
		}
		move := func(m scenario.Move) *scenario.Scenario {
			t.Helper()
			got, err := s.MoveScenario(ctx, x.ID, m)
			if err != nil {
				t.Fatalf("%s: %v %v", m.Action, err, chanye.ErrorFields(err))
			}
			return got
		}
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActStartReview}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("review a draft: %v", err)
		}
		if got := move(scenario.Move{Action: scenario.ActPublish}); got.Status != scenario.Published || got.PublishedOn != dayAfter(0) {
			t.Errorf("published: %+v", got)
		}
		if list, total, _ := s.FindScenarios(ctx, scenario.Filter{PublicOnly: true}); total != 1 || list[0].ID != x.ID || len(list[0].Criteria) != 2 {
			t.Errorf("public list: %d %+v", total, list)
		}

		// Applications: one each, withdrawn while published, not from
		// outside the registry.
		apps := make([]*scenario.Application, 2)
		for i := range apps {
			apps[i] = &scenario.Application{ScenarioID: x.ID, Code: firms[i].Code, Solution: "方案" + firms[i].Name}
			if err := s.CreateScenarioApplication(ctx, apps[i]); err != nil || apps[i].EnterpriseName != firms[i].Name {
				t.Fatalf("apply %d: %+v %v %v", i, apps[i], err, chanye.ErrorFields(err))
			}
		}
		again := &scenario.Application{ScenarioID: x.ID, Code: firms[0].Code, Solution: "再投一份"}
		if err := s.CreateScenarioApplication(ctx, again); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a second application of one firm: %v", err)
		}
		stranger := &scenario.Application{ScenarioID: x.ID, Code: code(t, 77), Solution: "方案"}
		if err := s.CreateScenarioApplication(ctx, stranger); chanye.ErrorFields(err)["code"] == "" {
			t.Errorf("a firm outside the registry: %v", err)
		}
		if w, err := s.WithdrawScenarioApplication(ctx, apps[1].ID); err != nil || w.Status != scenario.Withdrawn || w.WithdrawnAt.IsZero() {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		apps[1] = &scenario.Application{ScenarioID: x.ID, Code: firms[1].Code, Solution: "改进后的方案"}
		if err := s.CreateScenarioApplication(ctx, apps[1]); err != nil {
			t.Fatalf("apply again after withdrawing: %v", err)
		}
		if list, total, err := s.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &x.ID}); err != nil || total != 3 || list[0].ID != apps[1].ID {
			t.Errorf("applications: %d %+v %v", total, list, err)
		}
		if err := s.SetPanel(ctx, x.ID, []string{"wang", "li", "nobody"}); chanye.ErrorFields(err)["members[2]"] == "" {
			t.Errorf("a panel member without an account: %v %v", err, chanye.ErrorFields(err))
		}
		if err := s.SetPanel(ctx, x.ID, []string{"wang", "li", "zhao"}); err != nil {
			t.Fatalf("panel: %v %v", err, chanye.ErrorFields(err))
		}

		// The deadline passes; a late firm is refused; the review starts.
		*now = now.AddDate(0, 0, 11)
		late := &scenario.Application{ScenarioID: x.ID, Code: firms[2].Code, Solution: "迟到的方案"}
		if err := s.CreateScenarioApplication(ctx, late); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("apply after the deadline: %v", err)
		}
		if err := s.PutScores(ctx, x.ID, []scenario.Score{{ApplicationID: apps[0].ID, Member: "wang", CriterionID: "tech", Points: 80}}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("scores before the review: %v", err)
		}
		if got := move(scenario.Move{Action: scenario.ActStartReview}); got.Status != scenario.Reviewing || got.Applications != 2 {
			t.Errorf("review: %+v", got)
		}
		if err := s.DeclareConflict(ctx, &scenario.Conflict{ApplicationID: apps[0].ID, Member: "zhao", Reason: "曾任该企业顾问"}); err != nil {
			t.Fatalf("conflict: %v %v", err, chanye.ErrorFields(err))
		}
		var scores []scenario.Score
		for _, m := range []string{"wang", "li", "zhao"} {
			for i, a := range apps {
				if m == "zhao" && a == apps[0] {
					continue
				}
				scores = append(scores, scenario.Score{ApplicationID: a.ID, Member: m, CriterionID: "tech", Points: 90 - 20*i},
					scenario.Score{ApplicationID: a.ID, Member: m, CriterionID: "cost", Points: 70 + 10*i})
			}
		}
		bad := append([]scenario.Score{}, scores...)
		bad[0].Points = 101
		if err := s.PutScores(ctx, x.ID, bad); chanye.ErrorFields(err)["scores[0].points"] == "" {
			t.Errorf("points out of range: %v %v", err, chanye.ErrorFields(err))
		}
		if err := s.PutScores(ctx, x.ID, []scenario.Score{{ApplicationID: apps[0].ID, Member: "zhao", CriterionID: "tech", Points: 50}}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a member scoring an application it declared a conflict with: %v", err)
		}
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActSelect, ApplicationID: apps[0].ID}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("select before the scores: %v", err)
		}
		if _, err := s.FindRanking(ctx, x.ID, false); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("ranking an incomplete review: %v", err)
		}
		if err := s.PutScores(ctx, x.ID, scores); err != nil {
			t.Fatalf("scores: %v %v", err, chanye.ErrorFields(err))
		}
		r, err := s.FindRanking(ctx, x.ID, false)
		// apps[0]: 0.6 × 90 + 0.4 × 70 = 82 (two members); apps[1]: 0.6 × 70 + 0.4 × 80 = 74.
		if err != nil || len(r.Entries) != 2 || r.Entries[0].ApplicationID != apps[0].ID || r.Entries[0].Total != 8200 || r.Entries[1].Total != 7400 || r.Entries[0].Members != 2 {
			t.Fatalf("ranking: %+v %v", r, err)
		}
		got := move(scenario.Move{Action: scenario.ActSelect, ApplicationID: apps[0].ID})
		if got.Status != scenario.Piloting || got.SelectedID != apps[0].ID {
			t.Errorf("select: %+v", got)
		}
		for i, want := range []scenario.ApplicationStatus{scenario.Selected, scenario.NotSelected} {
			if a, _ := s.FindScenarioApplicationByID(ctx, apps[i].ID); a.Status != want {
				t.Errorf("application %d: %s, want %s", i, a.Status, want)
			}
		}

		// The pilot: a milestone done, the first use, two procurements.
		move(scenario.Move{Action: scenario.ActAddMilestone, Name: "首批 10 辆装车", Due: dayAfter(40)})
		*now = now.AddDate(0, 0, 20)
		if got := move(scenario.Move{Action: scenario.ActCompleteMilestone, MilestoneNo: 1, Evidence: "装车验收单"}); !got.Milestones[0].IsDone() {
			t.Errorf("milestone: %+v", got.Milestones)
		}
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActConfirmFirstUse, Evidence: "运行报告", On: dayAfter(40)}); chanye.ErrorFields(err)["on"] == "" {
			t.Errorf("a first use in the future: %v %v", err, chanye.ErrorFields(err))
		}
		first := move(scenario.Move{Action: scenario.ActConfirmFirstUse, Evidence: "运行报告", On: dayAfter(30)})
		if first.Status != scenario.FirstUse || first.FirstUseOn != dayAfter(30) || first.FirstUseBy != x.CreatedBy {
			t.Errorf("first use: %+v", first)
		}
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActClose, Reason: "改变主意"}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("close after the first use: %v", err)
		}
		move(scenario.Move{Action: scenario.ActProcure, Buyer: "市交通集团", AmountFen: 12_000_000_00})
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActProcure, Buyer: "某区公交", AmountFen: chanye.Fen(1) << 62}); chanye.ErrorFields(err)["amount_fen"] == "" {
			t.Errorf("a procurement past the bound: %v %v", err, chanye.ErrorFields(err))
		}
		move(scenario.Move{Action: scenario.ActProcure, Buyer: "某区公交", AmountFen: 3_000_000_00})
		got, err = s.FindScenarioByID(ctx, x.ID)
		if total, _ := got.ProcuredFen(); err != nil || got.Status != scenario.Procured || len(got.Procurements) != 2 || total != 15_000_000_00 || len(got.Milestones) != 1 {
			t.Errorf("procured: %+v %v", got, err)
		}

		// What policies read of it: the winner's first use and purchases.
		ins, err := s.FindInputs(ctx, firms[0].Code, firms[1].Code)
		if err != nil || ins[firms[0].Code] == nil || ins[firms[0].Code].Scenario["first_use_on"] != dayAfter(30) ||
			ins[firms[0].Code].Scenario["procured"] != int64(15_000_000_00) || ins[firms[1].Code] != nil {
			t.Errorf("policy inputs: %+v %v", ins, err)
		}

		evs, err := s.FindScenarioEvents(ctx, x.ID)
		var actions []scenario.Action
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		want := []scenario.Action{scenario.ActCreate, scenario.ActPublish, scenario.ActStartReview, scenario.ActSelect, scenario.ActAddMilestone,
			scenario.ActCompleteMilestone, scenario.ActConfirmFirstUse, scenario.ActProcure, scenario.ActProcure}
		if err != nil || len(actions) != len(want) {
			t.Fatalf("history: %v %v", actions, err)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Errorf("event %d: %s, want %s", i, actions[i], want[i])
			}
		}
		if evs[len(evs)-1].AmountFen == nil || *evs[len(evs)-1].AmountFen != 3_000_000_00 {
			t.Errorf("procurement event: %+v", evs[len(evs)-1])
		}
		if n := auditCount(t, s, "scenario"); n != 11 { // created, 8 steps, the panel, the scores
			t.Errorf("scenario audit entries: %d", n)
		}
		if n := auditCount(t, s, "scenario_application"); n != 5 { // 3 created, 1 withdrawn, 1 conflict declared
			t.Errorf("application audit entries: %d", n)
		}

		// The inboxes: the task force heard of each application; the
		// winner of its selection, first use and procurements, the other
		// of its rejection.
		u := inboxUsers(t, s, &auth.User{Name: "tf-auto", Role: chanye.RoleTaskForce, IndustryID: "auto"},
			&auth.User{Name: "firm-1", Role: chanye.RoleEnterprise, Code: firms[0].Code}, &auth.User{Name: "firm-2", Role: chanye.RoleEnterprise, Code: firms[1].Code})
		if got, _ := inboxOfUser(t, s, u["tf-auto"]); len(got) != 3 {
			t.Errorf("the task force's inbox: %v", got)
		}
		if got, _ := inboxOfUser(t, s, u["firm-1"]); len(got) != 4 || !strings.Contains(got[len(got)-1], "/select/") {
			t.Errorf("the winner's inbox: %v", got)
		}
		if got, _ := inboxOfUser(t, s, u["firm-2"]); len(got) != 1 || !strings.Contains(got[0], "/not_selected/") {
			t.Errorf("the other's inbox: %v", got)
		}
		// Each member of the panel was asked to score, in its own inbox:
		// when the panel was set and when the review started.
		for n, jctx := range judges {
			wantInbox(t, s, jctx, n, fmt.Sprintf("scenario scenario/%d/start_review", x.ID), fmt.Sprintf("scenario scenario/%d/panel", x.ID))
			items, _, _, err := s.FindNotifications(jctx, notify.Filter{})
			if err != nil || items[0].Link != fmt.Sprintf("/scenarios/%d#scn-score-form", x.ID) || !strings.HasPrefix(items[0].TitleZH, "请为应用场景评分：") ||
				!strings.HasPrefix(items[0].TitleEN, "Score the scenario: ") || items[0].Scope != notify.User(n) {
				t.Errorf("%s's notification: %+v %v", n, items, err)
			}
		}

		p, err := s.FindProgress(ctx, 2025)
		if err != nil || p.Target != scenario.TargetPerYear || p.Count.Published != 1 || p.Count.FirstUses != 1 || len(p.ByIndustry) != 1 {
			t.Errorf("progress: %+v %v", p, err)
		}
		if _, err := s.FindProgress(ctx, 1999); chanye.ErrorFields(err)["year"] == "" {
			t.Errorf("progress of 1999: %v", err)
		}
	})
}

// TestScenarioClosed: a published scenario without applications cannot be
// reviewed and is closed with a reason; the panel is not kept after it.
func TestScenarioClosed(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := investStore(t, db)
		now := setClock(db) // after investStore's, so that moving it moves the store's clock
		x := testScenario(5)
		if err := s.CreateScenario(ctx, x); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
			t.Fatal(err)
		}
		*now = now.AddDate(0, 0, 6)
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActStartReview}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("review without applications: %v", err)
		}
		if _, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActClose}); chanye.ErrorFields(err)["reason"] == "" {
			t.Errorf("close without a reason: %v", err)
		}
		got, err := s.MoveScenario(ctx, x.ID, scenario.Move{Action: scenario.ActClose, Reason: "无企业揭榜"})
		if err != nil || got.Status != scenario.Closed || got.CloseReason != "无企业揭榜" || got.ClosedOn != chanye.DateOf(*now) {
			t.Errorf("closed: %+v %v", got, err)
		}
		if err := s.SetPanel(ctx, x.ID, []string{"a", "b", "c"}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a panel for a closed scenario: %v", err)
		}
		if _, err := s.UpdateScenario(ctx, x.ID, scenario.ScenarioUpdate{Site: ptr("别处")}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("change a closed scenario: %v", err)
		}
		if _, err := s.FindScenarioByID(ctx, x.ID+100); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("unknown scenario: %v", err)
		}
	})
}

// hasFieldPrefix reports whether a field of fields starts with prefix.
func hasFieldPrefix(fields map[string]string, prefix string) bool {
	for k := range fields {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
