package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// inboxUsers creates one account per name, with the role and scope given,
// and returns a context acting as each.
func inboxUsers(t *testing.T, s *Store, users ...*auth.User) map[string]context.Context {
	t.Helper()
	out := map[string]context.Context{}
	listed := map[string]bool{}
	for _, u := range users {
		// A department account names a department of the managed list
		// (seeded already with the names projects use).
		if d := u.Department; u.Role == chanye.RoleDepartment && !listed[d] {
			listed[d] = true
			err := s.CreateOrgUnit(context.Background(), &chanye.OrgUnit{Kind: chanye.OrgDepartment, NameZH: d})
			if err != nil && chanye.ErrorCode(err) != chanye.ECONFLICT {
				t.Fatal(err)
			}
		}
		if err := s.CreateUser(operator(), u, "a-long-enough-password"); err != nil {
			t.Fatalf("create %s: %v", u.Name, err)
		}
		out[u.Name] = chanye.WithActor(context.Background(), u.Actor())
	}
	return out
}

// inboxOfUser returns the kinds and subjects of an account's inbox,
// newest first, and its unread count.
func inboxOfUser(t *testing.T, s *Store, ctx context.Context) ([]string, int) {
	t.Helper()
	items, total, unread, err := s.FindNotifications(ctx, notify.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(items) {
		t.Fatalf("total %d, %d items", total, len(items))
	}
	var out []string
	for _, n := range items {
		out = append(out, string(n.Kind)+" "+n.Subject)
	}
	if n, err := s.CountUnread(ctx); err != nil || n != unread {
		t.Fatalf("CountUnread = %d, %v; FindNotifications says %d", n, err, unread)
	}
	return out, unread
}

func wantInbox(t *testing.T, s *Store, ctx context.Context, who string, want ...string) []string {
	t.Helper()
	got, _ := inboxOfUser(t, s, ctx)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s's inbox:\n%s\nwant:\n%s", who, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return got
}

// TestNotifyPolicyLifecycle: an objection tells the issuing department,
// its answer the enterprise, a payment the enterprise paid — each once,
// to that scope only — and each account keeps its own read state.
func TestNotifyPolicyLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := newStore(t, db)
		version := publishedPolicy(t, s)
		a, b := code(t, 1), code(t, 2)
		const dept = "市工业和信息化局"
		u := inboxUsers(t, s,
			&auth.User{Name: "ent-a", Role: chanye.RoleEnterprise, Code: a},
			&auth.User{Name: "ent-b", Role: chanye.RoleEnterprise, Code: b},
			&auth.User{Name: "dept-1", Role: chanye.RoleDepartment, Department: dept},
			&auth.User{Name: "dept-2", Role: chanye.RoleDepartment, Department: dept},
			&auth.User{Name: "other-dept", Role: chanye.RoleDepartment, Department: "市发展和改革委员会"},
			&auth.User{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "auto"},
			&auth.User{Name: "boss", Role: chanye.RoleLeader},
			&auth.User{Name: "root", Role: chanye.RoleAdmin})
		run := createRun(t, s, version, eligible(version, a, "440103", 100_00), eligible(version, b, "440103", 200_00))
		ref := func(code string) policy.DecisionRef {
			return policy.DecisionRef{RunID: run.ID, PolicyID: testPolicyID, Code: code}
		}
		if _, err := s.Publicise(as(ctx, "clerk"), run.ID, testPolicyID, 5); err != nil {
			t.Fatal(err)
		}
		oa := &policy.Objection{Ref: ref(a), Reason: "金额应更高"}
		if err := s.CreateObjection(u["ent-a"], oa); err != nil {
			t.Fatal(err)
		}
		filed := fmt.Sprintf("objection_filed objection/%d", oa.ID)
		wantInbox(t, s, u["dept-1"], "dept-1", filed)
		wantInbox(t, s, u["dept-2"], "dept-2", filed)
		wantInbox(t, s, u["ent-a"], "ent-a")
		if _, err := s.ResolveObjection(u["dept-1"], oa.ID, false, "数据无误"); err != nil {
			t.Fatal(err)
		}
		resolved := fmt.Sprintf("objection_resolved objection/%d", oa.ID)
		wantInbox(t, s, u["ent-a"], "ent-a", resolved)
		items, _, _, err := s.FindNotifications(u["ent-a"], notify.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if n := items[0]; !strings.Contains(n.TitleZH, "异议已答复（未予采纳）") || !strings.Contains(n.TitleEN, "rejected") || n.BodyZH != "处理意见：数据无误" ||
			n.Link != "/enterprises/"+a+"/policies" || n.Scope != notify.Enterprise(a) || !n.CreatedAt.Equal(today) || n.Read {
			t.Errorf("resolution notification %+v", n)
		}

		*clock = today.AddDate(0, 0, 6)
		if err := s.Approve(as(ctx, "director"), []policy.DecisionRef{ref(a), ref(b)}); err != nil {
			t.Fatal(err)
		}
		e, _, err := s.Pay(as(ctx, "treasury"), ref(b), payout(s))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Pay(as(ctx, "treasury"), ref(b), payout(s)); err != nil { // a replay: no second notice
			t.Fatal(err)
		}
		paid := fmt.Sprintf("payment_made ledger/%d", e.ID)
		wantInbox(t, s, u["ent-b"], "ent-b", paid)
		items, _, _, _ = s.FindNotifications(u["ent-b"], notify.Filter{})
		if n := items[0]; n.TitleZH != "已拨付 200.00 元："+mustTitle(t, s) || !strings.Contains(n.BodyZH, "记-2025-0001") {
			t.Errorf("payment notification %+v", n)
		}
		for _, who := range []string{"other-dept", "tf", "boss", "root"} {
			wantInbox(t, s, u[who], who)
		}
		wantInbox(t, s, u["ent-a"], "ent-a", resolved)

		// Read state is each account's own.
		if n, err := s.MarkRead(u["dept-1"], items[0].ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("dept-1 marks ent-b's notification: %d, %v; want ENOTFOUND", n, err)
		}
		if _, err := s.OpenNotification(u["ent-a"], items[0].ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("ent-a opens ent-b's notification: %v; want ENOTFOUND", err)
		}
		deptItems, _, unread, _ := s.FindNotifications(u["dept-1"], notify.Filter{})
		if unread != 1 {
			t.Fatalf("dept-1 unread %d, want 1", unread)
		}
		n, err := s.OpenNotification(u["dept-1"], deptItems[0].ID)
		if err != nil || n.Link != fmt.Sprintf("/objections/%d", oa.ID) || !n.Read {
			t.Fatalf("open = %+v, %v", n, err)
		}
		if _, unread := inboxOfUser(t, s, u["dept-1"]); unread != 0 {
			t.Errorf("dept-1 unread after opening: %d", unread)
		}
		if _, unread := inboxOfUser(t, s, u["dept-2"]); unread != 1 {
			t.Errorf("dept-2 unread after dept-1 read: %d, want 1", unread)
		}
		if got, _, _, _ := s.FindNotifications(u["dept-2"], notify.Filter{Unread: true}); len(got) != 1 || got[0].Read {
			t.Errorf("dept-2 unread filter: %+v", got)
		}
		if got, total, _, _ := s.FindNotifications(u["dept-1"], notify.Filter{Unread: true}); len(got) != 0 || total != 0 {
			t.Errorf("dept-1 unread filter: %d items, total %d", len(got), total)
		}

		_, err = s.CountUnread(ctx)
		wantCodeOf(t, "no account", err, chanye.EUNAUTHORIZED)
		_, err = s.CountUnread(chanye.WithActor(ctx, chanye.Operator))
		wantCodeOf(t, "the operator has no inbox", err, chanye.EUNAUTHORIZED)
	})
}

func mustTitle(t *testing.T, s *Store) string {
	v, err := s.FindPolicyVersion(context.Background(), testPolicyID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return v.Policy.TitleZH
}

// TestNotifyDedupAndMarkAll: the same event is stored once per scope;
// 全部标为已读 reads every one, older and newer than the cursor's lag, and
// later notifications are unread again.
func TestNotifyDedupAndMarkAll(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := setClock(db)
		s := newStore(t, db)
		u := inboxUsers(t, s, &auth.User{Name: "boss", Role: chanye.RoleLeader}, &auth.User{Name: "boss-2", Role: chanye.RoleLeader},
			&auth.User{Name: "root", Role: chanye.RoleAdmin})
		send := func(subject string, scopes ...notify.Scope) {
			t.Helper()
			err := db.transact(context.Background(), false, func(tx *txn) error {
				return tx.notify(context.Background(), notify.Message{Kind: notify.Supervision, Subject: subject, TitleZH: "督办", TitleEN: "Supervision"}, scopes...)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		send("s/1", notify.Leaders, notify.Leaders, notify.Department(""))
		send("s/1", notify.Leaders) // replayed
		*clock = clock.Add(time.Hour)
		send("s/2", notify.Leaders, notify.Admins)
		wantInbox(t, s, u["boss"], "boss", "supervision s/2", "supervision s/1")
		wantInbox(t, s, u["root"], "root", "supervision s/2")
		err := db.transact(context.Background(), false, func(tx *txn) error {
			return tx.notify(context.Background(), notify.Message{Kind: notify.Supervision, Subject: "s/3", TitleZH: "x", TitleEN: "x", Link: "https://evil.example"}, notify.Leaders)
		})
		wantCodeOf(t, "a link off the site", err, chanye.EINVALID)

		// s/1 is past the cursor's lag, s/2 is not: both are read after.
		*clock = clock.Add(5 * time.Minute)
		if n, err := s.MarkRead(u["boss"]); err != nil || n != 0 {
			t.Fatalf("mark all: %d unread, %v", n, err)
		}
		*clock = clock.Add(time.Minute)
		send("s/4", notify.Leaders)
		if _, unread := inboxOfUser(t, s, u["boss"]); unread != 1 {
			t.Errorf("boss unread after a new one: %d, want 1", unread)
		}
		if _, unread := inboxOfUser(t, s, u["boss-2"]); unread != 3 {
			t.Errorf("boss-2 unread: %d, want 3", unread)
		}
		*clock = clock.Add(time.Hour)
		if n, err := s.MarkRead(u["boss"]); err != nil || n != 0 {
			t.Fatalf("mark all again: %d unread, %v", n, err)
		}
		items, _, _, _ := s.FindNotifications(u["boss"], notify.Filter{})
		for _, n := range items {
			if !n.Read {
				t.Errorf("%s unread after marking all", n.Subject)
			}
		}
		var cursor int64
		if err := db.db.QueryRow(db.dialect.rebind(`SELECT read_through FROM notification_cursors WHERE user_id = ?`), chanye.ActorFrom(u["boss"]).UserID).Scan(&cursor); err != nil || cursor != items[0].ID {
			t.Errorf("cursor %d, %v; want %d (the newest, an hour old)", cursor, err, items[0].ID)
		}
	})
}

// TestNotifyApplication: a submission tells the reviewing department,
// a return (with its reason) and an acceptance the enterprise; a second
// submission is a second event.
func TestNotifyApplication(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := setClock(db)
		s := newStore(t, db)
		a := enterprise(t, 1, "440103", "3612")
		if err := s.CreateEnterprise(ctx, a); err != nil {
			t.Fatal(err)
		}
		publishRetrofit(t, s)
		u := inboxUsers(t, s, &auth.User{Name: "ent-a", Role: chanye.RoleEnterprise, Code: a.Code},
			&auth.User{Name: "dept", Role: chanye.RoleDepartment, Department: "市工业和信息化局"},
			&auth.User{Name: "ent-b", Role: chanye.RoleEnterprise, Code: code(t, 2)})
		app, err := s.SaveApplication(u["ent-a"], &policy.Application{PolicyID: retrofitID, Code: a.Code, Values: map[string]any{
			"equipment_investment": int64(12_345_678_901), "plant_investment": int64(0), "finished_on": date("2025-03-31")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachFile(u["ent-a"], app.ID, "a.pdf", "application/pdf", pdfBytes); err != nil {
			t.Fatal(err)
		}
		wantInbox(t, s, u["dept"], "dept")
		if _, err := s.MoveApplication(u["ent-a"], app.ID, policy.AppSubmitted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MoveApplication(u["dept"], app.ID, policy.AppReturned, "请补充设备发票"); err != nil {
			t.Fatal(err)
		}
		*clock = clock.Add(24 * time.Hour)
		if _, err := s.MoveApplication(u["ent-a"], app.ID, policy.AppSubmitted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MoveApplication(u["dept"], app.ID, policy.AppAccepted, ""); err != nil {
			t.Fatal(err)
		}
		dept := wantInbox(t, s, u["dept"], "dept", "application_submitted application_event/5", "application_submitted application_event/3")
		ent := wantInbox(t, s, u["ent-a"], "ent-a", "application_accepted application_event/6", "application_returned application_event/4")
		_, _ = dept, ent
		wantInbox(t, s, u["ent-b"], "ent-b")
		items, _, _, _ := s.FindNotifications(u["ent-a"], notify.Filter{})
		if r := items[1]; r.BodyZH != "原因：请补充设备发票" || r.Link != fmt.Sprintf("/applications/%d", app.ID) || !strings.HasPrefix(r.TitleZH, "申报被退回：") {
			t.Errorf("return notification %+v", r)
		}
	})
}

// TestNotifyProjectRed: a change that turns a project red tells its
// owner, the industry's task force and the responsible department, once;
// a change to a project already red tells no one.
func TestNotifyProjectRed(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := setClock(db) // 2025-06-15
		s, ctx := newStore(t, db), operator()
		u := inboxUsers(t, s, &auth.User{Name: "owner", Role: chanye.RoleEnterprise, Code: code(t, 1)},
			&auth.User{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "auto"},
			&auth.User{Name: "dept", Role: chanye.RoleDepartment, Department: "工信局"},
			&auth.User{Name: "tf-ict", Role: chanye.RoleTaskForce, IndustryID: "ict"},
			&auth.User{Name: "other", Role: chanye.RoleEnterprise, Code: code(t, 2)})
		// Building since April, to be finished by the end of June: on plan
		// in April, stalled in May.
		p := testProjectN(t, 1)
		p.YearlyPlan = nil
		p.PlannedStart, p.PlannedCompletion = date("2025-04-01"), date("2025-06-30")
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		april := project.PlannedProgress(p, date("2025-04-30"))
		if err := s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-04", InvestedFen: 100, CumulativeFen: 100, ProgressPct: april}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"owner", "tf", "dept"} {
			wantInbox(t, s, u[who], who)
		}
		if err := s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 0, CumulativeFen: 100, ProgressPct: april}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.FindProjectByID(ctx, p.ID); err != nil || got.Colour != project.Red {
			t.Fatalf("project after a stalled May: %v, %v; want red", got.Colour, err)
		}
		red := "project_red project/" + p.ID + "/2025-06-15"
		for _, who := range []string{"owner", "tf", "dept"} {
			wantInbox(t, s, u[who], who, red)
		}
		for _, who := range []string{"tf-ict", "other"} {
			wantInbox(t, s, u[who], who)
		}
		items, _, _, _ := s.FindNotifications(u["tf"], notify.Filter{})
		if n := items[0]; !strings.Contains(n.BodyZH, "形象进度落后计划超过 30 个百分点") || n.Link != "/projects/"+p.ID {
			t.Errorf("red notification %+v", n)
		}
		// Still red: no second notice, even on another day.
		*clock = clock.Add(24 * time.Hour)
		if err := s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: "2025-05", InvestedFen: 0, CumulativeFen: 100, ProgressPct: april + 1}); err != nil {
			t.Fatal(err)
		}
		wantInbox(t, s, u["owner"], "owner", red)

		// A signed project whose planned start moves three months back
		// turns red by the update.
		q := testProjectN(t, 2)
		q.Stage, q.YearlyPlan = project.StageSigned, nil
		q.PlannedStart, q.PlannedCompletion = date("2025-07-01"), date("2026-12-31")
		if err := s.CreateProject(ctx, q); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateProject(ctx, q.ID, project.ProjectUpdate{PlannedStart: ptr(date("2025-02-01"))}); err != nil {
			t.Fatal(err)
		}
		wantInbox(t, s, u["tf"], "tf", "project_red project/"+q.ID+"/2025-06-16", red)
		wantInbox(t, s, u["other"], "other", "project_red project/"+q.ID+"/2025-06-16")
	})
}

// TestSweepRed: a project that turns red by time alone — no write, its
// reports missing and its completion date passed — is told of by the
// sweep, once; the first sweep only records what it sees, and one turned
// red by a write is not told of again by the sweep.
func TestSweepRed(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := setClock(db) // 2025-06-15
		s, ctx := newStore(t, db), operator()
		u := inboxUsers(t, s, &auth.User{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "auto"},
			&auth.User{Name: "owner", Role: chanye.RoleEnterprise, Code: code(t, 1)})
		p := testProjectN(t, 1)
		p.YearlyPlan = nil
		p.PlannedStart, p.PlannedCompletion = date("2025-04-01"), date("2025-07-31")
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"2025-04", "2025-05"} {
			pct := project.PlannedProgress(p, date(m+"-28"))
			if err := s.PutReport(ctx, &project.Report{ProjectID: p.ID, Month: m, InvestedFen: 100, CumulativeFen: chanye.Fen(100 * int64(m[6]-'3')), ProgressPct: pct}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SweepRed(chanye.WithActor(context.Background(), &chanye.Actor{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "auto"})); chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			t.Fatalf("a task force sweeps: %v", err)
		}
		sweep := func(want Sweep) {
			t.Helper()
			got, err := s.SweepRed(ctx)
			if err != nil || got != want {
				t.Fatalf("sweep on %s = %+v, %v; want %+v", clock.Format(time.DateOnly), got, err, want)
			}
		}
		sweep(Sweep{Projects: 1})
		wantInbox(t, s, u["tf"], "tf")

		// Two months later, nothing reported since May and the completion
		// date passed: red with no write.
		*clock = clock.AddDate(0, 2, 5) // 2025-08-20
		if got, err := s.FindProjectByID(ctx, p.ID); err != nil || got.Colour != project.Red {
			t.Fatalf("project on 2025-08-20: %v, %v; want red", got.Colour, err)
		}
		wantInbox(t, s, u["tf"], "tf")
		sweep(Sweep{Projects: 1, Changed: 1, TurnedRed: 1})
		red := "project_red project/" + p.ID + "/2025-08-20"
		wantInbox(t, s, u["tf"], "tf", red)
		wantInbox(t, s, u["owner"], "owner", red)
		sweep(Sweep{Projects: 1})
		*clock = clock.Add(24 * time.Hour)
		sweep(Sweep{Projects: 1})
		wantInbox(t, s, u["tf"], "tf", red)

		// Turned red by a write: told at once, not again by the sweep.
		q := testProjectN(t, 2)
		q.Stage, q.YearlyPlan = project.StageSigned, nil
		q.PlannedStart, q.PlannedCompletion = date("2025-10-01"), date("2026-12-31")
		if err := s.CreateProject(ctx, q); err != nil {
			t.Fatal(err)
		}
		sweep(Sweep{Projects: 2})
		if _, err := s.UpdateProject(ctx, q.ID, project.ProjectUpdate{PlannedStart: ptr(date("2025-02-01"))}); err != nil {
			t.Fatal(err)
		}
		byWrite := "project_red project/" + q.ID + "/2025-08-21"
		wantInbox(t, s, u["tf"], "tf", byWrite, red)
		sweep(Sweep{Projects: 2})
		wantInbox(t, s, u["tf"], "tf", byWrite, red)
	})
}

// TestDeliveries: the queue mails the enabled accounts of a scope that
// gave an address, records each attempt, retries with a bound and keeps
// the error; old notifications are not mailed.
func TestDeliveries(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := setClock(db)
		s := newStore(t, db)
		ctx := context.Background()
		u := inboxUsers(t, s, &auth.User{Name: "boss", Role: chanye.RoleLeader, Email: "boss@example.org"},
			&auth.User{Name: "boss-2", Role: chanye.RoleLeader}, // no address
			&auth.User{Name: "boss-3", Role: chanye.RoleLeader, Email: "b3@example.org"},
			&auth.User{Name: "root", Role: chanye.RoleAdmin, Email: "root@example.org"})
		if _, err := s.UpdateUser(operator(), chanye.ActorFrom(u["boss-3"]).UserID, auth.UserUpdate{Disabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		send := func(subject string, scopes ...notify.Scope) {
			t.Helper()
			if err := db.transact(ctx, false, func(tx *txn) error {
				return tx.notify(ctx, notify.Message{Kind: notify.Supervision, Subject: subject, TitleZH: "督办 " + subject, TitleEN: "Supervision " + subject}, scopes...)
			}); err != nil {
				t.Fatal(err)
			}
		}
		send("old", notify.Leaders)
		*clock = clock.Add(notify.MaxAge + time.Hour)
		send("new", notify.Leaders)
		n, err := s.QueueDeliveries(ctx)
		if err != nil || n != 1 {
			t.Fatalf("queued %d, %v; want 1 (boss, for the new one)", n, err)
		}
		if n, err := s.QueueDeliveries(ctx); err != nil || n != 0 {
			t.Fatalf("queued again %d, %v; want 0", n, err)
		}
		due, err := s.DueDeliveries(ctx, 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due %d, %v", len(due), err)
		}
		d := due[0]
		if d.Email != "boss@example.org" || d.UserName != "boss" || d.Notification.Subject != "new" || d.Status != notify.DeliveryPending {
			t.Fatalf("delivery %+v", d)
		}
		for i := 1; i < notify.MaxAttempts; i++ {
			rec, err := s.RecordDelivery(ctx, d.ID, errors.New("550 mailbox unavailable"))
			if err != nil {
				t.Fatal(err)
			}
			wait, _ := notify.Backoff(i)
			if rec.Status != notify.DeliveryPending || rec.Attempts != i || rec.LastError != "550 mailbox unavailable" || !rec.NextAt.Equal(clock.Add(wait)) {
				t.Fatalf("after failure %d: %+v", i, rec)
			}
			if due, _ := s.DueDeliveries(ctx, 10); len(due) != 0 {
				t.Fatalf("due before its next try: %d", len(due))
			}
			*clock = clock.Add(wait)
		}
		rec, err := s.RecordDelivery(ctx, d.ID, errors.New("550 mailbox unavailable"))
		if err != nil || rec.Status != notify.DeliveryFailed || rec.Attempts != notify.MaxAttempts {
			t.Fatalf("last failure: %+v, %v", rec, err)
		}
		_, err = s.RecordDelivery(ctx, d.ID, nil)
		wantCodeOf(t, "record a failed delivery", err, chanye.ECONFLICT)

		send("admin", notify.Admins)
		if n, _ := s.QueueDeliveries(ctx); n != 1 {
			t.Fatalf("queued %d for the admins, want 1", n)
		}
		due, _ = s.DueDeliveries(ctx, 10)
		if len(due) != 1 || due[0].Email != "root@example.org" {
			t.Fatalf("due %+v", due)
		}
		if rec, err := s.RecordDelivery(ctx, due[0].ID, nil); err != nil || rec.Status != notify.DeliverySent || !rec.SentAt.Equal(*clock) {
			t.Fatalf("sent: %+v, %v", rec, err)
		}
		failed := notify.DeliveryFailed
		list, total, counts, err := s.FindDeliveries(ctx, notify.DeliveryFilter{Status: &failed})
		if err != nil || total != 1 || len(list) != 1 || list[0].LastError != "550 mailbox unavailable" || counts != (notify.DeliveryCounts{Sent: 1, Failed: 1}) {
			t.Fatalf("failed deliveries %+v total %d counts %+v, %v", list, total, counts, err)
		}
	})
}

// TestChangeOwnEmail: an account sets and clears its own address; a bad
// one is refused with the field named.
func TestChangeOwnEmail(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		setClock(db)
		s := newStore(t, db)
		u := inboxUsers(t, s, &auth.User{Name: "boss", Role: chanye.RoleLeader})
		_, err := s.ChangeOwnEmail(u["boss"], "not an address")
		if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorFields(err)["email"] == "" {
			t.Fatalf("bad address: %v", err)
		}
		got, err := s.ChangeOwnEmail(u["boss"], " boss@example.org ")
		if err != nil || got.Email != "boss@example.org" {
			t.Fatalf("set: %+v, %v", got, err)
		}
		if stored, _ := s.FindUserByName(operator(), "boss"); stored.Email != "boss@example.org" {
			t.Errorf("stored %q", stored.Email)
		}
		if got, err := s.ChangeOwnEmail(u["boss"], ""); err != nil || got.Email != "" {
			t.Fatalf("clear: %+v, %v", got, err)
		}
		_, err = s.ChangeOwnEmail(context.Background(), "a@example.org")
		wantCodeOf(t, "no account", err, chanye.EUNAUTHORIZED)
		err = s.CreateUser(operator(), &auth.User{Name: "x", Role: chanye.RoleLeader, Email: "x@"}, "a-long-enough-password")
		if chanye.ErrorFields(err)["email"] == "" {
			t.Errorf("create with a bad address: %v", err)
		}
	})
}

// TestNotifyUser: a notification to one account (notify.User) is in that
// account's inbox beside its role's, in no other's of the same role; it
// is marked read with the rest and mailed to that account alone.
func TestNotifyUser(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := setClock(db)
		s := newStore(t, db)
		ctx := context.Background()
		u := inboxUsers(t, s, &auth.User{Name: "judge", Role: chanye.RoleLeader, Email: "judge@example.org"},
			&auth.User{Name: "boss", Role: chanye.RoleLeader, Email: "boss@example.org"})
		send := func(subject string, scopes ...notify.Scope) {
			t.Helper()
			if err := db.transact(ctx, false, func(tx *txn) error {
				return tx.notify(ctx, notify.Message{Kind: notify.Scenario, Subject: subject, TitleZH: "评分 " + subject, TitleEN: "Score " + subject}, scopes...)
			}); err != nil {
				t.Fatal(err)
			}
		}
		send("all", notify.Leaders)
		send("mine", notify.User("judge"), notify.User("judge"), notify.User(""))
		send("mine", notify.User("judge")) // replayed
		send("nobody", notify.User("no-such-account"))
		wantInbox(t, s, u["judge"], "judge", "scenario mine", "scenario all")
		wantInbox(t, s, u["boss"], "boss", "scenario all")
		if n, err := s.QueueDeliveries(ctx); err != nil || n != 3 {
			t.Fatalf("queued %d, %v; want 3 (both leaders, then the judge alone)", n, err)
		}
		due, err := s.DueDeliveries(ctx, 10)
		if err != nil || len(due) != 3 || due[2].UserName != "judge" || due[2].Notification.Subject != "mine" || due[2].Notification.Scope != notify.User("judge") {
			t.Fatalf("due: %+v %v", due, err)
		}
		items, _, _, err := s.FindNotifications(u["judge"], notify.Filter{})
		if err != nil || len(items) != 2 {
			t.Fatal(err)
		}
		if _, err := s.MarkRead(u["boss"], items[0].ID); chanye.ErrorCode(err) != chanye.ENOTFOUND {
			t.Errorf("another account marks the judge's own: %v", err)
		}
		if _, err := s.OpenNotification(u["judge"], items[0].ID); err != nil {
			t.Errorf("the judge opens its own: %v", err)
		}
		*clock = clock.Add(time.Hour)
		if n, err := s.MarkRead(u["judge"]); err != nil || n != 0 {
			t.Errorf("mark all: %d unread, %v", n, err)
		}
		send("later", notify.User("judge"))
		if _, unread := inboxOfUser(t, s, u["judge"]); unread != 1 {
			t.Errorf("unread after a new one of its own: %d, want 1", unread)
		}
	})
}
