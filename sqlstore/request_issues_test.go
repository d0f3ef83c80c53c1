package sqlstore

import (
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
)

// TestGroupRequests: three firms on one link asking of power within the
// window make one issue for the link; three more of the industry asking of
// land make one for the industry; two are not enough, and a request older
// than the window is left out; a second sweep raises nothing; the task
// force hears of each; solving one needs a note, once.
func TestGroupRequests(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := setClock(db)
		s := newStore(t, db)
		op := operator()
		for n := 1; n <= 8; n++ {
			if err := s.CreateEnterprise(op, enterprise(t, n, "440106", "3612")); err != nil {
				t.Fatal(err)
			}
		}
		placementsFixture(t, db, [2]string{"auto.parts.battery", code(t, 1)}, [2]string{"auto.parts.battery", code(t, 2)},
			[2]string{"auto.parts.battery", code(t, 3)}, [2]string{"auto.parts.motor", code(t, 3)})
		raise := func(n int, cat string) *request.Request {
			t.Helper()
			r, _, err := s.CreateRequest(op, &request.Request{Code: code(t, n), CategoryID: cat, Title: "同类诉求", Description: "详情", Channel: request.ChannelPhone})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		old := raise(7, "land") // 40 days before the others: outside the window
		*clock = clock.AddDate(0, 0, 40)
		for n := 1; n <= 3; n++ {
			raise(n, "utilities")
		}
		for n := 4; n <= 6; n++ {
			raise(n, "land")
		}
		raise(8, "finance")
		raise(1, "finance") // two firms: no issue
		n, err := s.GroupRequests(op)
		if err != nil || n != 2 {
			t.Fatalf("raised %d, %v; want 2", n, err)
		}
		if n, err := s.GroupRequests(op); err != nil || n != 0 {
			t.Errorf("a second sweep raised %d, %v", n, err)
		}
		xs, err := s.FindIssues(op, request.IssueFilter{Open: true})
		if err != nil || len(xs) != 2 {
			t.Fatalf("issues: %+v %v", xs, err)
		}
		byCat := map[string]*request.Issue{}
		for _, x := range xs {
			byCat[x.CategoryID] = x
		}
		if p := byCat["utilities"]; p == nil || p.LinkID != "auto.parts.battery" || p.Firms != 3 || len(p.Members) != 3 || p.TaskForce != "汽车专班" {
			t.Errorf("the link's issue: %+v", p)
		}
		if l := byCat["land"]; l == nil || l.LinkID != "" || l.IndustryID != "auto" || l.Firms != 3 || len(l.Members) != 3 {
			t.Errorf("the industry's issue: %+v", l)
		}
		for _, m := range byCat["land"].Members {
			if m.RequestID == old.ID {
				t.Error("a request older than the window was grouped")
			}
		}
		if r, _ := s.FindRequestByID(op, byCat["land"].Members[0].RequestID); r.Events[len(r.Events)-1].Action != "grouped" {
			t.Errorf("no grouped event: %+v", r.Events)
		}
		var told int
		if err := db.db.QueryRowContext(op, db.dialect.rebind(`SELECT COUNT(*) FROM notifications WHERE scope_role = 'task_force' AND scope_key = ?`), "auto").Scan(&told); err != nil || told != 2 {
			t.Errorf("the task force heard of %d issues, %v", told, err)
		}
		if _, err := s.SolveIssue(op, byCat["land"].ID, " "); chanye.ErrorFields(err)["note"] == "" {
			t.Errorf("solved without a note: %v", err)
		}
		x, err := s.SolveIssue(op, byCat["land"].ID, "统一协调了园区用地指标")
		if err != nil || !x.Solved || x.Note == "" || !x.SolvedAt.Equal(clock.Truncate(time.Millisecond)) {
			t.Fatalf("solved: %+v %v", x, err)
		}
		if _, err := s.SolveIssue(op, x.ID, "again"); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("solved twice: %v", err)
		}
		if xs, _ := s.FindIssues(op, request.IssueFilter{IndustryIDs: []string{"ict"}}); len(xs) != 0 {
			t.Errorf("another industry's issues: %d", len(xs))
		}
		if n := auditCount(t, s, "request_issue"); n != 3 {
			t.Errorf("%d issue audit entries, want 3", n)
		}
	})
}
