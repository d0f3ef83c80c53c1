package sqlstore

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
)

// TestRequests: intake routes by the enterprise's industry (or the
// category's department), idempotently for another platform's reference,
// and starts the clocks on the calendar; the steps move a request and an
// unsatisfied rating reopens it; the queue puts the overdue first; the
// sweep escalates to the lead department, then the city leader, once
// each; every step is an event, a notification and an audit entry.
func TestRequests(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := setClock(db)
		*clock = time.Date(2025, 1, 24, 8, 0, 0, 0, time.UTC) // Friday 16:00 in China, before the Spring Festival
		s := newStore(t, db)
		op := operator()
		for _, d := range []string{"工信局", "市人社局", "市发展改革委"} {
			if err := s.CreateOrgUnit(op, &chanye.OrgUnit{Kind: chanye.OrgDepartment, NameZH: d}); err != nil && chanye.ErrorCode(err) != chanye.ECONFLICT {
				t.Fatal(err)
			}
		}
		if err := s.CreateEnterprise(op, enterprise(t, 1, "440106", "3612")); err != nil { // auto: lead department 工信局
			t.Fatal(err)
		}
		if err := s.CreateEnterprise(op, enterprise(t, 2, "440103", "0111")); err != nil { // no industry of the catalog
			t.Fatal(err)
		}
		firm := chanye.WithActor(context.Background(), &chanye.Actor{Name: "企业", Role: chanye.RoleEnterprise, Code: code(t, 1)})
		in := func(cat, title string) *request.Request {
			return &request.Request{Code: code(t, 1), CategoryID: cat, Title: title, Description: "详细情况", Channel: request.ChannelOnline}
		}
		for name, tc := range map[string]struct {
			r   *request.Request
			key string
		}{
			"unknown category":   {in("weather", "x"), "category_id"},
			"unknown enterprise": {&request.Request{Code: code(t, 9), CategoryID: "permit", Title: "x", Description: "y", Channel: request.ChannelPhone}, "code"},
			"no title":           {in("permit", " "), "title"},
		} {
			if _, _, err := s.CreateRequest(firm, tc.r); chanye.ErrorFields(err)[tc.key] == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		a, created, err := s.CreateRequest(firm, in("utilities", "新产线需扩容供电"))
		if err != nil || !created {
			t.Fatalf("intake: %v", err)
		}
		china := func(x time.Time) string { return x.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04") }
		if a.Department != "工信局" || a.IndustryID != "auto" || a.TaskForce != "汽车专班" || a.Status != request.Submitted ||
			china(a.AcknowledgeDue) != "2025-01-26 16:00" || china(a.AnswerDue) != "2025-02-06 00:00" || a.Clock.Colour != request.Green ||
			len(a.Events) != 2 || a.Events[1].Action != "route" || a.EnterpriseName == "" {
			t.Fatalf("taken in: %+v, due %s / %s", a, china(a.AcknowledgeDue), china(a.AnswerDue))
		}
		// The same reference from another platform is one request.
		ext := &request.Request{Code: code(t, 2), CategoryID: "talent", Title: "招工难", Description: "缺技工", Channel: request.ChannelPlatform,
			ExternalSource: "12345热线", ExternalRef: "GD-2025-0001"}
		b, created, err := s.CreateRequest(op, ext)
		if err != nil || !created || b.Department != "" {
			t.Fatalf("from a platform, not routed: %+v %v", b, err)
		}
		again, created, err := s.CreateRequest(op, ext)
		if err != nil || created || again.ID != b.ID {
			t.Fatalf("the same reference again: %d %v %v", again.ID, created, err)
		}
		// The category's department routes a request whatever the industry.
		c := &request.Category{ID: "talent", NameZH: "人才用工", Department: "市人社局", Acknowledge: request.Limit{N: 24, Unit: request.Hours},
			Answer: request.Limit{N: 3, Unit: request.Days}, Close: request.Limit{N: 7, Unit: request.Days}, YellowPerMille: 800, ConfirmDays: 5, Position: 5}
		if err := s.PutCategory(op, c); err != nil {
			t.Fatal(err)
		}
		bad := *c
		bad.Department = "不存在局"
		if chanye.ErrorFields(s.PutCategory(op, &bad))["department"] == "" {
			t.Error("a category routed to a department not on the list")
		}
		d, _, err := s.CreateRequest(firm, in("talent", "高级技工招聘"))
		if err != nil || d.Department != "市人社局" {
			t.Fatalf("routed by the category: %+v %v", d, err)
		}

		// Steps on a: acknowledged, answered, rated unsatisfied (reopened),
		// answered again, confirmed.
		dept := chanye.WithActor(context.Background(), &chanye.Actor{Name: "工信局", Role: chanye.RoleDepartment, Department: "工信局"})
		*clock = time.Date(2025, 2, 5, 2, 0, 0, 0, time.UTC)
		for _, st := range []struct {
			ctx  context.Context
			step request.Step
			want request.Status
		}{
			{dept, request.Step{Action: request.StepAcknowledge}, request.Acknowledged},
			{dept, request.Step{Action: request.StepAnswer, Note: "已协调供电局上门勘察"}, request.Answered},
			{firm, request.Step{Action: request.StepConfirm, Rating: request.Unsatisfied, Note: "仍未通电"}, request.Acknowledged},
			{dept, request.Step{Action: request.StepAnswer, Note: "已完成扩容"}, request.Answered},
			{firm, request.Step{Action: request.StepConfirm, Rating: request.Satisfied}, request.Closed},
		} {
			x, err := s.Act(st.ctx, a.ID, st.step)
			if err != nil || x.Status != st.want {
				t.Fatalf("%s: %+v %v", st.step.Action, x, err)
			}
		}
		a, _ = s.FindRequestByID(op, a.ID)
		if a.Reopened != 1 || a.Rating != request.Satisfied || a.ClosedBy != "confirmed" || a.Clock != nil || len(a.Events) != 8 {
			t.Errorf("a closed: %+v, %d events", a, len(a.Events))
		}
		if _, err := s.Act(dept, a.ID, request.Step{Action: request.StepAnswer, Note: "x"}); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("a closed request answered: %v", err)
		}
		if _, err := s.Act(op, b.ID, request.Step{Action: request.StepReroute, Department: "不存在局", Note: "x"}); chanye.ErrorFields(err)["department"] == "" {
			t.Errorf("rerouted to a name not on the list: %v", err)
		}
		if x, err := s.Act(op, b.ID, request.Step{Action: request.StepReroute, Department: "市人社局", Note: "属人社职责"}); err != nil || x.Department != "市人社局" {
			t.Fatalf("rerouted: %+v %v", x, err)
		}
		if x, err := s.Act(op, d.ID, request.Step{Action: request.StepCoHandle, Departments: []string{"工信局"}}); err != nil || len(x.CoHandlers) != 1 {
			t.Fatalf("co-handled: %+v %v", x, err)
		}

		// The queue: b and d are overdue (their acknowledgement), first; a
		// is closed, last. 工信局 sees a (its own), d (co-handled).
		list, total, err := s.FindRequests(op, request.Filter{})
		if err != nil || total != 3 || list[2].ID != a.ID || list[0].Clock.Colour != request.Red {
			t.Fatalf("the queue: %d, %v", total, err)
		}
		if _, n, _ := s.FindRequests(op, request.Filter{Overdue: true}); n != 2 {
			t.Errorf("%d overdue, want 2", n)
		}
		mine := "工信局"
		if _, n, _ := s.FindRequests(op, request.Filter{Department: &mine}); n != 2 {
			t.Errorf("工信局's queue: %d, want 2", n)
		}
		owner := code(t, 1)
		if _, n, _ := s.FindRequests(op, request.Filter{Code: &owner}); n != 2 {
			t.Errorf("the enterprise's: %d, want 2", n)
		}

		// Escalation: d (auto, lead 工信局) red since 01-26: level 2 at once
		// (red for longer than its 48 hours); b (no industry) likewise.
		n, err := s.Escalate(op)
		if err != nil || n != 2 {
			t.Fatalf("escalated %d, %v", n, err)
		}
		if n, err := s.Escalate(op); err != nil || n != 0 {
			t.Errorf("escalated again: %d %v", n, err)
		}
		d, _ = s.FindRequestByID(op, d.ID)
		if d.Escalation != 2 || d.Events[len(d.Events)-1].Action != "escalate" || d.Events[len(d.Events)-1].Department != "甲" {
			t.Errorf("d escalated: %d %+v", d.Escalation, d.Events[len(d.Events)-1])
		}

		told := map[string]int{}
		rows, err := db.db.QueryContext(op, `SELECT scope_role, scope_key FROM notifications WHERE kind = 'request'`)
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
		rows.Close()
		want := map[string]int{
			"department/工信局":           2 + 1 + 1, // a's intake and its two ratings; d's co-handling
			"enterprise/" + code(t, 1): 3,         // a acknowledged, answered twice
			"admin/":                   2,         // b taken in, not routed, and rerouted from them
			"department/市人社局":          2,         // d's intake, b rerouted to it
			"leader/":                  2,         // b and d raised to the city leader
		}
		if !maps.Equal(told, want) {
			t.Errorf("request notifications %v, want %v", told, want)
		}
		// The open figures: by category, largest first; a's times measured.
		stats, err := s.FindStats(op, request.StatsFilter{By: request.ByCategory})
		if err != nil || len(stats) != 2 || stats[0].Key != "talent" || stats[0].Requests != 2 || stats[0].Overdue != 2 || stats[0].AckMinutes != nil {
			t.Fatalf("stats by category: %+v %v", stats, err)
		}
		u := stats[1]
		if u.Key != "utilities" || u.Closed != 1 || u.Reopened != 1 || u.Satisfied != 1 || u.AckMinutes == nil || u.CloseHours == nil || *u.CloseHours < 24 {
			t.Errorf("utilities: %+v", u)
		}
		if st, _ := s.FindStats(op, request.StatsFilter{By: request.ByLeader}); len(st) != 2 { // 甲 (auto), "" (no industry)
			t.Errorf("by leader: %+v", st)
		}
		if st, _ := s.FindStats(op, request.StatsFilter{By: request.ByDepartment, From: date("2025-02-01")}); len(st) != 0 {
			t.Errorf("none received from February: %+v", st)
		}
		if _, err := s.FindStats(op, request.StatsFilter{By: "colour"}); chanye.ErrorFields(err)["by"] == "" {
			t.Errorf("a bad grouping: %v", err)
		}
		if n := auditCount(t, s, "request"); n != 3+5+2+2 {
			t.Errorf("%d request audit entries, want 12", n)
		}
	})
}
