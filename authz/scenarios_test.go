package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/scenario"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// TestScenarioRules: a draft is the officials'; the public and
// enterprises see a scenario once published; the industry's task force
// runs it and another industry's does not; an enterprise applies for
// itself and reads its own application only, and attaches files to it
// alone, which the runners and the panel read; a panel member of any
// official role reads the review and scores for itself alone, a
// department outside the industry and off the panel does neither; once an
// application is selected each applicant reads its own place in the
// ranking, never another's.
func TestScenarioRules(t *testing.T) {
	db, store := sqlstoretest.NewWithDB(t)
	now := testclock.Now()
	db.Now = func() time.Time { return now }
	op := chanye.WithActor(context.Background(), chanye.Operator)
	founded, _ := chanye.ParseDate("2015-06-01")
	codeA, codeB, codeC := projectCode(t, 81), projectCode(t, 82), projectCode(t, 83)
	for _, c := range []string{codeA, codeB, codeC} {
		if err := store.CreateEnterprise(op, &chanye.Enterprise{Code: c, Name: "企业" + c[14:], DistrictCode: "440106", IndustryClass: "3612", Founded: founded}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"judge", "pb", "pc"} {
		if err := store.CreateUser(op, &auth.User{Name: n, Role: chanye.RoleLeader}, n+" password 1"); err != nil {
			t.Fatal(err)
		}
	}
	as := func(a *chanye.Actor) context.Context { return chanye.WithActor(context.Background(), a) }
	entA := as(&chanye.Actor{Name: "a", Role: chanye.RoleEnterprise, Code: codeA})
	entB := as(&chanye.Actor{Name: "b", Role: chanye.RoleEnterprise, Code: codeB})
	entC := as(&chanye.Actor{Name: "c", Role: chanye.RoleEnterprise, Code: codeC})
	tf := as(&chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "icv-nev"})
	otherTF := as(&chanye.Actor{Name: "tf2", Role: chanye.RoleTaskForce, IndustryID: "biomedicine"})
	dept := as(&chanye.Actor{Name: "d", Role: chanye.RoleDepartment, Department: "市科技局"})
	judge := as(&chanye.Actor{Name: "judge", Role: chanye.RoleDistrict, District: "440106"})
	public := context.Background()
	svc := authz.Scenarios(store, store, store)
	apps := authz.ScenarioApplications(store, store, store, store)
	reviews := authz.ScenarioReviews(store, store, store, store)
	files := authz.ScenarioFiles(store, store, store, store, store)

	day := func(n int) chanye.Date { return chanye.DateOf(now.AddDate(0, 0, n)) }
	x := &scenario.Scenario{Title: "固态电池装车", Offerer: scenario.Offerer{Name: "市交通集团", Kind: scenario.OffererStateOwned}, IndustryID: "icv-nev",
		Requirements: "运行一年", Deadline: day(10), PilotStart: day(20), PilotEnd: day(380),
		Criteria: []scenario.Criterion{{ID: "tech", NameZH: "技术", NameEN: "technology", Weight: 100}}}
	other := *x
	if err := svc.CreateScenario(otherTF, &other); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("another industry's task force creates: %v", err)
	}
	if err := svc.CreateScenario(tf, x); err != nil {
		t.Fatalf("the task force creates: %v %v", err, chanye.ErrorFields(err))
	}
	for name, ctx := range map[string]context.Context{"public": public, "enterprise": entA} {
		if _, err := svc.FindScenarioByID(ctx, x.ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("%s reads a draft: %v", name, err)
		}
		if _, total, err := svc.FindScenarios(ctx, scenario.Filter{}); err != nil || total != 0 {
			t.Errorf("%s lists drafts: %d %v", name, total, err)
		}
	}
	if _, err := svc.MoveScenario(otherTF, x.ID, scenario.Move{Action: scenario.ActPublish}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("another industry's task force publishes: %v", err)
	}
	if _, err := svc.MoveScenario(tf, x.ID, scenario.Move{Action: scenario.ActPublish}); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.FindScenarioByID(public, x.ID); err != nil || got.Status != scenario.Published {
		t.Errorf("the public reads a published scenario: %v", err)
	}

	// Enterprises apply for themselves and read their own.
	if err := apps.CreateScenarioApplication(entA, &scenario.Application{ScenarioID: x.ID, Code: codeB, Solution: "冒名"}); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("A applies as B: %v", err)
	}
	a := &scenario.Application{ScenarioID: x.ID, Code: codeA, Solution: "方案甲"}
	if err := apps.CreateScenarioApplication(entA, a); err != nil {
		t.Fatal(err)
	}
	if _, err := apps.FindScenarioApplicationByID(entB, a.ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("B reads A's application: %v", err)
	}
	if list, _, err := apps.FindScenarioApplications(entB, scenario.ApplicationFilter{ScenarioID: &x.ID}); err != nil || len(list) != 0 {
		t.Errorf("B lists the scenario's applications: %+v %v", list, err)
	}
	if _, err := apps.WithdrawScenarioApplication(entB, a.ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("B withdraws A's application: %v", err)
	}

	// Files: A attaches to its own; no one else attaches; the runners
	// read them, another enterprise and a department off the industry
	// do not.
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	f, err := files.AttachScenarioFile(entA, a.ID, "方案.pdf", pdf)
	if err != nil {
		t.Fatalf("A attaches: %v %v", err, chanye.ErrorFields(err))
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		code string
	}{"B": {entB, chanye.ENOTFOUND}, "the task force": {tf, chanye.EFORBIDDEN}, "the public": {public, chanye.EUNAUTHORIZED}} {
		if _, err := files.AttachScenarioFile(tc.ctx, a.ID, "冒名.pdf", pdf); chanye.ErrorCode(err) != tc.code {
			t.Errorf("%s attaches to A's application: %v, want %s", name, err, tc.code)
		}
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		code string
	}{"A": {entA, ""}, "the task force": {tf, ""}, "B": {entB, chanye.ENOTFOUND}, "a department off the industry": {dept, chanye.EFORBIDDEN},
		"the public": {public, chanye.EUNAUTHORIZED}, "a district off the panel": {judge, chanye.EFORBIDDEN}} {
		if _, err := files.FindScenarioFiles(tc.ctx, a.ID); chanye.ErrorCode(err) != tc.code {
			t.Errorf("%s lists A's files: %v, want %q", name, err, tc.code)
		}
		if _, _, err := files.FindScenarioFile(tc.ctx, a.ID, f.ID); chanye.ErrorCode(err) != tc.code {
			t.Errorf("%s reads A's file: %v, want %q", name, err, tc.code)
		}
	}

	b := &scenario.Application{ScenarioID: x.ID, Code: codeB, Solution: "方案乙"}
	if err := apps.CreateScenarioApplication(entB, b); err != nil {
		t.Fatal(err)
	}

	// The panel: a district account judges; a department off it reads nothing.
	if err := reviews.SetPanel(dept, x.ID, []string{"judge", "pb", "pc"}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("a department outside the industry sets the panel: %v", err)
	}
	if err := reviews.SetPanel(tf, x.ID, []string{"judge", "pb", "pc"}); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 11)
	if _, err := svc.MoveScenario(tf, x.ID, scenario.Move{Action: scenario.ActStartReview}); err != nil {
		t.Fatal(err)
	}
	if _, err := apps.FindScenarioApplicationByID(judge, a.ID); err != nil {
		t.Errorf("a panel member reads the application: %v", err)
	}
	if _, _, err := files.FindScenarioFile(judge, a.ID, f.ID); err != nil {
		t.Errorf("a panel member reads the application's file: %v", err)
	}
	if _, _, err := reviews.FindScores(dept, x.ID); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("a department off the panel reads the scores: %v", err)
	}
	if err := reviews.PutScores(judge, x.ID, []scenario.Score{{ApplicationID: a.ID, Member: "pb", CriterionID: "tech", Points: 90}}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("a member scores for another: %v", err)
	}
	if err := reviews.PutScores(tf, x.ID, []scenario.Score{{ApplicationID: a.ID, Member: "tf", CriterionID: "tech", Points: 90}}); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("the task force, off the panel, scores: %v", err)
	}
	if err := reviews.PutScores(judge, x.ID, []scenario.Score{{ApplicationID: a.ID, Member: "judge", CriterionID: "tech", Points: 90}}); err != nil {
		t.Errorf("a member scores: %v %v", err, chanye.ErrorFields(err))
	}
	if _, err := reviews.FindRanking(judge, x.ID, true); err != nil {
		t.Errorf("a member reads the ranking: %v", err)
	}
	if _, err := reviews.FindRanking(entA, x.ID, true); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("an enterprise reads the ranking before the selection: %v", err)
	}

	// Selected: each applicant reads its own place, never the other's;
	// an enterprise that did not apply reads nothing.
	for m, pts := range map[string][2]int{"judge": {90, 70}, "pb": {80, 60}, "pc": {85, 75}} {
		sc := []scenario.Score{{ApplicationID: a.ID, Member: m, CriterionID: "tech", Points: pts[0]}, {ApplicationID: b.ID, Member: m, CriterionID: "tech", Points: pts[1]}}
		if err := store.PutScores(op, x.ID, sc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.MoveScenario(tf, x.ID, scenario.Move{Action: scenario.ActSelect, ApplicationID: a.ID}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		app  int64
		rank int
	}{"A": {entA, a.ID, 1}, "B": {entB, b.ID, 2}} {
		r, err := reviews.FindRanking(tc.ctx, x.ID, false)
		if err != nil || len(r.Entries) != 1 || r.Entries[0].ApplicationID != tc.app || r.Entries[0].Rank != tc.rank || r.Ranked != 2 || len(r.Incomplete) != 0 {
			t.Errorf("%s reads its place: %+v %v", name, r, err)
		}
	}
	if _, err := reviews.FindRanking(entC, x.ID, false); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("an enterprise that did not apply reads the ranking: %v", err)
	}
	if _, _, err := reviews.FindScores(entA, x.ID); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
		t.Errorf("an applicant reads the scores: %v", err)
	}
	if r, err := reviews.FindRanking(tf, x.ID, false); err != nil || len(r.Entries) != 2 {
		t.Errorf("the task force reads the whole ranking: %+v %v", r, err)
	}
}
