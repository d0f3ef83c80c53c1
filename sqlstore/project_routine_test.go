package sqlstore

import (
	"bytes"
	"maps"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

var testPDF = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

func pdf(name string) project.Upload {
	return project.Upload{Name: name, ContentType: "application/pdf", Data: testPDF}
}

// A warning closed (销号) stops colouring its project for the rest of the
// month and stays listed, marked; next month the rule, still true, opens a
// new warning, which can be closed again.
func TestCloseWarning(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		p := testProjectN(t, 1) // red: start node not done, no reports
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		ws, err := s.FindWarnings(ctx, project.ProjectFilter{IDs: []string{p.ID}})
		if err != nil || len(ws) != 2 {
			t.Fatalf("warnings = %+v, %v", ws, err)
		}
		// Bad input first: no note, no file, a file whose bytes are not
		// its extension's, a rule that does not fire.
		_, err = s.CloseWarning(ctx, p.ID, ws[0].RuleID, " ", pdf("a.pdf"))
		wantCode(t, err, chanye.EINVALID)
		_, err = s.CloseWarning(ctx, p.ID, ws[0].RuleID, "已整改", project.Upload{})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.CloseWarning(ctx, p.ID, ws[0].RuleID, "已整改", project.Upload{Name: "a.pdf", ContentType: "text/html; charset=utf-8", Data: []byte("<html>")})
		wantCode(t, err, chanye.EINVALID)
		_, err = s.CloseWarning(ctx, p.ID, "report_missing_yellow", "已整改", pdf("a.pdf"))
		wantCode(t, err, chanye.ECONFLICT)
		_, err = s.CloseWarning(ctx, "nope", ws[0].RuleID, "已整改", pdf("a.pdf"))
		wantCode(t, err, chanye.ENOTFOUND)

		for _, w := range ws {
			c, err := s.CloseWarning(ctx, p.ID, w.RuleID, "已现场核实 "+w.RuleID, pdf("核查.pdf"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Month != "2025-06" || c.Colour != w.Colour || c.ClosedBy == "" || c.File.Size != int64(len(testPDF)) || c.MessageZH != w.MessageZH {
				t.Errorf("closure = %+v", c)
			}
		}
		_, err = s.CloseWarning(ctx, p.ID, ws[0].RuleID, "再次", pdf("a.pdf"))
		wantCode(t, err, chanye.ECONFLICT)

		got, err := s.FindProjectByID(ctx, p.ID)
		if err != nil || got.Colour != project.Green {
			t.Fatalf("colour after closing = %v, %v; want green", got.Colour, err)
		}
		ws2, err := s.FindWarnings(ctx, project.ProjectFilter{IDs: []string{p.ID}})
		if err != nil || len(ws2) != 2 || ws2[0].Closed == nil || ws2[0].Closed.Note == "" {
			t.Fatalf("closed warnings = %+v, %v", ws2, err)
		}
		board, err := s.FindBoard(ctx, project.ProjectFilter{})
		if err != nil || board.Projects[0].Colour != project.Green {
			t.Fatalf("board = %+v, %v", board, err)
		}
		// Before the day of closing the warning was open.
		early, _, err := s.FindProjects(ctx, project.ProjectFilter{AsOf: date("2025-06-10")})
		if err != nil || early[0].Colour != project.Red {
			t.Fatalf("colour on 06-10 = %v, %v; want red", early[0].Colour, err)
		}

		cs, err := s.FindClosures(ctx, p.ID)
		if err != nil || len(cs) != 2 || cs[0].ID < cs[1].ID {
			t.Fatalf("closures = %+v, %v", cs, err)
		}
		c, data, err := s.FindClosureFile(ctx, p.ID, cs[0].ID)
		if err != nil || !bytes.Equal(data, testPDF) || c.File.Name != "核查.pdf" {
			t.Fatalf("file = %+v %q, %v", c, data, err)
		}
		_, _, err = s.FindClosureFile(ctx, "GZ2025-0002", cs[0].ID)
		wantCode(t, err, chanye.ENOTFOUND)
		if n := auditCount(t, s, "project_warning"); n != 2 {
			t.Errorf("%d closure audit entries, want 2", n)
		}

		// Next month the rules still fire: new, open warnings.
		db.Now = func() time.Time { return today.AddDate(0, 1, 0) }
		got, err = s.FindProjectByID(ctx, p.ID)
		if err != nil || got.Colour != project.Red {
			t.Fatalf("colour next month = %v, %v; want red again", got.Colour, err)
		}
		if _, err := s.CloseWarning(ctx, p.ID, ws[0].RuleID, "七月核实", pdf("b.pdf")); err != nil {
			t.Fatalf("closing again next month: %v", err)
		}
	})
}

// A supervision item goes issued → answered → returned → answered →
// closed, each step in its history and the audit log; the due date is
// bounded by the clock; an item awaiting an answer past its due date is
// overdue and listed first.
func TestSupervision(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s := newStore(t, db)
		ctx := chanye.WithActor(operator(), &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: "工信局"})
		for n := 1; n <= 2; n++ {
			if err := s.CreateProject(operator(), testProjectN(t, n)); err != nil {
				t.Fatal(err)
			}
		}
		bad := []struct {
			due   string
			field string
		}{{"2025-06-14", "due_on"}, {"2026-06-17", "due_on"}, {"", "due_on"}}
		for _, b := range bad {
			x := &project.Supervision{ProjectID: "GZ2025-0001", Addressee: project.ToOwner, Instruction: "尽快开工"}
			if b.due != "" {
				x.DueOn = date(b.due)
			}
			_, err := s.CreateSupervision(ctx, x)
			wantCode(t, err, chanye.EINVALID)
			if chanye.ErrorFields(err)[b.field] == "" {
				t.Errorf("due %q: fields %v", b.due, chanye.ErrorFields(err))
			}
		}
		_, err := s.CreateSupervision(ctx, &project.Supervision{ProjectID: "nope", Addressee: project.ToOwner, Instruction: "x", DueOn: date("2025-07-01")})
		wantCode(t, err, chanye.ENOTFOUND)

		a, err := s.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ2025-0001", Addressee: project.ToOwner,
			Instruction: "请于月底前开工", DueOn: date("2025-06-15")}) // today: allowed
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != project.SupIssued || a.IssuerDepartment != "工信局" || a.IssuerRole != chanye.RoleDepartment ||
			a.OwnerCode != code(t, 1) || len(a.Events) != 1 || a.Overdue {
			t.Fatalf("created = %+v", a)
		}
		b, err := s.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ2025-0002", Addressee: project.ToTaskForce,
			Instruction: "补报月报", DueOn: date("2025-08-01")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.MoveSupervision(ctx, a.ID, project.SupReturn, "不够")
		wantCode(t, err, chanye.ECONFLICT) // nothing answered yet
		_, err = s.MoveSupervision(ctx, a.ID, project.SupAnswer, "")
		wantCode(t, err, chanye.EINVALID)
		steps := []struct {
			action project.SupAction
			note   string
			want   project.SupStatus
		}{{project.SupAnswer, "已进场", project.SupAnswered}, {project.SupReturn, "请附照片", project.SupReturned},
			{project.SupAnswer, "已进场，附照片", project.SupAnswered}, {project.SupClose, "", project.SupClosed}}
		for _, st := range steps {
			x, err := s.MoveSupervision(ctx, a.ID, st.action, st.note)
			if err != nil || x.Status != st.want {
				t.Fatalf("%s: %+v, %v", st.action, x, err)
			}
		}
		_, err = s.MoveSupervision(ctx, a.ID, project.SupAnswer, "再答")
		wantCode(t, err, chanye.ECONFLICT)
		x, err := s.FindSupervisionByID(ctx, a.ID)
		if err != nil || len(x.Events) != 5 || x.Answer != "已进场，附照片" || x.Events[2].Action != "return" || x.Events[2].Note != "请附照片" {
			t.Fatalf("history = %+v, %v", x, err)
		}
		if n := auditCount(t, s, "project_supervision"); n != 6 {
			t.Errorf("%d supervision audit entries, want 6", n)
		}
		// Each step told whoever must act next, once: the owner of a at
		// issue, on the return and at closing, the issuing department on
		// each answer; b's task force at its issue.
		told := map[string]int{}
		rows, err := db.db.QueryContext(operator(), `SELECT scope_role, scope_key FROM notifications WHERE kind = 'supervision'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var role, key string
			if err := rows.Scan(&role, &key); err != nil {
				t.Fatal(err)
			}
			told[role+"/"+key]++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		want := map[string]int{"enterprise/" + code(t, 1): 3, "department/工信局": 2, "task_force/" + b.IndustryID: 1}
		if !maps.Equal(told, want) {
			t.Errorf("supervision notifications: %v, want %v", told, want)
		}

		// Two months on, b (due 08-01, unanswered) is overdue and first.
		c, err := s.CreateSupervision(ctx, &project.Supervision{ProjectID: "GZ2025-0001", Addressee: project.ToOwner,
			Instruction: "报送整改方案", DueOn: date("2025-12-01")})
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return today.AddDate(0, 2, 0) }
		list, total, err := s.FindSupervisions(ctx, project.SupervisionFilter{})
		if err != nil || total != 3 || list[0].ID != b.ID || !list[0].Overdue || list[1].ID != c.ID || list[1].Overdue || list[2].ID != a.ID {
			t.Fatalf("list = %+v (%d), %v", list, total, err)
		}
		if len(list[2].Events) != 5 || list[2].Events[4].Action != "close" || len(list[0].Events) != 1 {
			t.Errorf("the list's histories: %d and %d events", len(list[2].Events), len(list[0].Events))
		}
		open, total, err := s.FindSupervisions(ctx, project.SupervisionFilter{Open: true, OwnerCode: ptr(code(t, 1))})
		if err != nil || total != 1 || open[0].ID != c.ID {
			t.Fatalf("open of owner 1 = %+v (%d), %v", open, total, err)
		}
		dept, total, err := s.FindSupervisions(ctx, project.SupervisionFilter{Department: ptr("工信局")})
		if err != nil || total != 3 || len(dept) != 3 {
			t.Fatalf("department's = %d, %v", total, err)
		}
		_, total, _ = s.FindSupervisions(ctx, project.SupervisionFilter{Department: ptr("发改委")})
		if total != 0 {
			t.Errorf("another department sees %d items", total)
		}
	})
}

// A node after the start (投产) cannot be done before the project started.
func TestNodeBeforeStart(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		p := testProjectN(t, 1) // planned start 2024-01-01; 开工 is node 6, 投产 node 9
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		_, err := s.PutNode(ctx, p.ID, 9, project.NodeUpdate{ActualDate: ptr(date("2023-12-01"))})
		wantCode(t, err, chanye.EINVALID)
		if chanye.ErrorFields(err)["actual_date"] == "" {
			t.Errorf("fields = %v", chanye.ErrorFields(err))
		}
		// A permit before the start is normal.
		if _, err := s.PutNode(ctx, p.ID, 1, project.NodeUpdate{ActualDate: ptr(date("2023-07-01"))}); err != nil {
			t.Fatal(err)
		}
		// Started early: the actual start is the bound.
		if _, err := s.PutNode(ctx, p.ID, 6, project.NodeUpdate{ActualDate: ptr(date("2023-11-01"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutNode(ctx, p.ID, 9, project.NodeUpdate{ActualDate: ptr(date("2023-12-01"))}); err != nil {
			t.Fatal(err)
		}
		// Moving the start after 投产 is refused too.
		_, err = s.PutNode(ctx, p.ID, 6, project.NodeUpdate{ActualDate: ptr(date("2024-02-01"))})
		wantCode(t, err, chanye.EINVALID)
	})
}

// An import refuses a node after the start done before it, naming the
// node's place in the batch.
func TestBatchNodeBeforeStart(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		s, ctx := newStore(t, db), operator()
		p := testProjectN(t, 1)
		nodes := project.NodesFor(p.Kind, p.PlannedStart, p.PlannedCompletion)
		for _, n := range nodes {
			n.ProjectID = p.ID
		}
		nodes[8].ActualDate = date("2023-06-01") // 投产 before the planned start
		err := s.WriteBatch(ctx, &project.Batch{Projects: []*project.Project{p}, Nodes: nodes})
		wantCode(t, err, chanye.EINVALID)
		if chanye.ErrorFields(err)["nodes[8].actual_date"] == "" {
			t.Errorf("fields = %v", chanye.ErrorFields(err))
		}
		nodes[8].ActualDate = chanye.Date{}
		if err := s.WriteBatch(ctx, &project.Batch{Projects: []*project.Project{p}, Nodes: nodes}); err != nil {
			t.Fatal(err)
		}
	})
}
