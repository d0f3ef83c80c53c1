package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/notify"
)

// matchInboxes opens the inboxes of the fixture's four firms (firm-1 the
// buyer, firm-2 the supplier, firm-3 the motor maker, firm-4 the
// stranger), the auto task force, its lead department and an
// administrator.
func matchInboxes(t *testing.T, f *matchFixture) map[string]context.Context {
	t.Helper()
	return inboxUsers(t, f.s,
		&auth.User{Name: "firm-1", Role: chanye.RoleEnterprise, Code: f.buyer.Code},
		&auth.User{Name: "firm-2", Role: chanye.RoleEnterprise, Code: f.supplier.Code},
		&auth.User{Name: "firm-3", Role: chanye.RoleEnterprise, Code: f.motor.Code},
		&auth.User{Name: "firm-4", Role: chanye.RoleEnterprise, Code: f.stranger.Code},
		&auth.User{Name: "tf-auto", Role: chanye.RoleTaskForce, IndustryID: "auto"},
		&auth.User{Name: "dept", Role: chanye.RoleDepartment, Department: "工信局"},
		&auth.User{Name: "root", Role: chanye.RoleAdmin})
}

// newest returns the newest notification of an inbox.
func newest(t *testing.T, s *Store, ctx context.Context) *notify.Notification {
	t.Helper()
	items, _, _, err := s.FindNotifications(ctx, notify.Filter{Limit: 1})
	if err != nil || len(items) == 0 {
		t.Fatalf("inbox: %v %v", items, err)
	}
	return items[0]
}

// TestMatchNotifications: a run tells each firm once of its new matches,
// and a run adding none tells no one; an acceptance tells the other
// side, the second one both; a decline tells the other side with its
// reason; negotiation, a contract (with its value) and a failure tell
// both firms; no one else hears of it.
func TestMatchNotifications(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		f := matchSetup(t, db)
		s, ctx := f.s, f.ctx
		u := matchInboxes(t, f)
		propose := func(want int) {
			t.Helper()
			if run, err := s.ProposeMatches(ctx, f.seg); err != nil || run.Added != want {
				t.Fatalf("run: %+v %v, want %d added", run, err, want)
			}
		}
		matchOf := func(d *match.Demand) int64 {
			t.Helper()
			list, _, err := s.FindMatches(ctx, match.MatchFilter{DemandID: &d.ID})
			if err != nil || len(list) != 1 {
				t.Fatalf("matches of demand %d: %+v %v", d.ID, list, err)
			}
			return list[0].ID
		}
		act := func(ctx context.Context, id int64, st match.Step) {
			t.Helper()
			if _, err := s.ActOnMatch(ctx, id, st); err != nil {
				t.Fatalf("%s match %d: %v %v", st.Action, id, err, chanye.ErrorFields(err))
			}
		}

		propose(1)
		m1 := matchOf(f.need)
		wantInbox(t, s, u["firm-1"], "buyer", "match match_run/1")
		wantInbox(t, s, u["firm-2"], "supplier", "match match_run/1")
		if n := newest(t, s, u["firm-2"]); n.TitleZH != "供需对接推荐：1 条新的对接" || n.TitleEN != "Matchmaking: 1 new match proposed" ||
			!strings.Contains(n.BodyZH, "作为需方 0 条，作为供方 1 条") || n.Link != "/matches" || n.Scope != notify.Enterprise(f.supplier.Code) {
			t.Errorf("the run's notification: %+v", n)
		}
		propose(0)
		wantInbox(t, s, u["firm-1"], "buyer after a run adding nothing", "match match_run/1")

		act(f.asSupplier, m1, match.Step{Action: match.StepAccept})
		accept := fmt.Sprintf("match match/%d/accept/supplier", m1)
		wantInbox(t, s, u["firm-1"], "buyer", accept, "match match_run/1")
		wantInbox(t, s, u["firm-2"], "supplier", "match match_run/1")
		if n := newest(t, s, u["firm-1"]); !strings.Contains(n.TitleZH, "供方"+f.supplier.Name+"已接受对接，待您答复") || n.Link != fmt.Sprintf("/matches/%d", m1) {
			t.Errorf("the acceptance's notification: %+v", n)
		}
		act(f.asBuyer, m1, match.Step{Action: match.StepAccept})
		act(ctx, m1, match.Step{Action: match.StepNegotiate})
		act(f.asBuyer, m1, match.Step{Action: match.StepSign, ContractFen: 12_000_000_00})
		both := []string{fmt.Sprintf("match match/%d/sign", m1), fmt.Sprintf("match match/%d/negotiate", m1), fmt.Sprintf("match match/%d/accepted", m1)}
		wantInbox(t, s, u["firm-1"], "buyer", append(both, accept, "match match_run/1")...)
		wantInbox(t, s, u["firm-2"], "supplier", append(both, "match match_run/1")...)
		if n := newest(t, s, u["firm-2"]); !strings.Contains(n.TitleZH, "合同金额 12000000.00 元") || !strings.Contains(n.TitleEN, "¥12000000.00") ||
			!strings.Contains(n.BodyZH, "签约日期 2025-06-15。") || !strings.Contains(n.BodyZH, "办理：需方"+f.buyer.Name) {
			t.Errorf("the contract's notification: %+v", n)
		}

		// The stranger's demand: proposed, declined by the supplier.
		other := &match.Demand{Code: f.stranger.Code, Needs: "电芯", LinkID: "auto.assembly", Classes: []string{"3841"}}
		if err := s.CreateDemand(ctx, other); err != nil {
			t.Fatal(err)
		}
		propose(1)
		m2 := matchOf(other)
		act(f.asSupplier, m2, match.Step{Action: match.StepDecline, Note: "产能已满"})
		wantInbox(t, s, u["firm-4"], "the stranger", fmt.Sprintf("match match/%d/decline", m2), "match match_run/3")
		if n := newest(t, s, u["firm-4"]); !strings.Contains(n.TitleZH, "谢绝了对接") || !strings.HasSuffix(n.BodyZH, "理由：产能已满") || !strings.HasSuffix(n.BodyEN, "Reason: 产能已满") {
			t.Errorf("the decline's notification: %+v", n)
		}

		// The motor maker's demand: accepted by both, then failed.
		motorNeed := &match.Demand{Code: f.motor.Code, Needs: "电芯", LinkID: "auto.assembly", Classes: []string{"3841"}}
		if err := s.CreateDemand(ctx, motorNeed); err != nil {
			t.Fatal(err)
		}
		propose(1)
		m3 := matchOf(motorNeed)
		act(u["firm-3"], m3, match.Step{Action: match.StepAccept})
		act(f.asSupplier, m3, match.Step{Action: match.StepAccept})
		act(ctx, m3, match.Step{Action: match.StepFail, Note: "价格未谈拢"})
		wantInbox(t, s, u["firm-3"], "the motor maker",
			fmt.Sprintf("match match/%d/fail", m3), fmt.Sprintf("match match/%d/accepted", m3), "match match_run/4")
		wantInbox(t, s, u["firm-2"], "supplier", append([]string{fmt.Sprintf("match match/%d/fail", m3), fmt.Sprintf("match match/%d/accepted", m3),
			fmt.Sprintf("match match/%d/accept/buyer", m3), "match match_run/4", "match match_run/3"}, append(both, "match match_run/1")...)...)
		if n := newest(t, s, u["firm-3"]); !strings.Contains(n.BodyZH, "原因：价格未谈拢") || !strings.Contains(n.BodyZH, "办理：工作人员") {
			t.Errorf("the failure's notification: %+v", n)
		}
		for _, who := range []string{"tf-auto", "dept", "root"} {
			wantInbox(t, s, u[who], who)
		}
	})
}

// TestFairNotifications: a firm registered by an official is told, one
// registering itself or changing its attendance is not; a firm's meeting
// request tells the fair's organisers (the industry's task force and
// lead department, the administrators for a fair of every industry), an
// official's does not; scheduling tells each firm its meetings, and
// scheduling or editing again tells only the firms whose meetings
// changed, also of meetings cancelled.
func TestFairNotifications(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		f := matchSetup(t, db)
		s, ctx := f.s, f.ctx
		u := matchInboxes(t, f)
		fair := func(industry string) *match.Event {
			t.Helper()
			ev := &match.Event{Title: "新能源汽车供需对接会", IndustryID: industry, Date: dayAfter(20), Venue: "广州国际采购中心",
				Tables: 2, SlotMinutes: 20, Start: 9 * 60, End: 10 * 60}
			if err := s.CreateEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			return ev
		}
		ev := fair("auto")
		register := func(ctx context.Context, e *chanye.Enterprise, role match.Side) {
			t.Helper()
			if err := s.RegisterForEvent(ctx, ev.ID, match.Registration{Code: e.Code, Role: role}); err != nil {
				t.Fatalf("register %s: %v %v", e.Name, err, chanye.ErrorFields(err))
			}
		}
		register(ctx, f.buyer, match.SideBuyer)
		register(f.asSupplier, f.supplier, match.SideSupplier)
		register(ctx, f.motor, match.SideSupplier)
		register(ctx, f.stranger, match.SideBuyer)
		if err := s.RegisterForEvent(ctx, ev.ID, match.Registration{Code: f.buyer.Code, Role: match.SideBuyer, Attended: true}); err != nil {
			t.Fatal(err)
		}
		registered := fmt.Sprintf("fair fair/%d/registration/buyer", ev.ID)
		wantInbox(t, s, u["firm-1"], "buyer", registered)
		wantInbox(t, s, u["firm-2"], "supplier")
		if n := newest(t, s, u["firm-1"]); n.TitleZH != "已为您报名对接会（需方）：新能源汽车供需对接会" || n.BodyZH != "2025-07-05 09:00–10:00，广州国际采购中心。" ||
			n.Link != fmt.Sprintf("/fairs/%d", ev.ID) {
			t.Errorf("the registration's notification: %+v", n)
		}

		if _, err := s.ProposeMatches(ctx, f.seg); err != nil {
			t.Fatal(err)
		}
		ms, _, _ := s.FindMatches(ctx, match.MatchFilter{})
		if err := s.RequestMeeting(f.asBuyer, ev.ID, &match.MeetingRequest{MatchID: ms[0].ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.RequestMeeting(ctx, ev.ID, &match.MeetingRequest{BuyerCode: f.stranger.Code, SupplierCode: f.motor.Code}); err != nil {
			t.Fatal(err)
		}
		request := fmt.Sprintf("fair fair/%d/request/1", ev.ID)
		wantInbox(t, s, u["tf-auto"], "the task force", request)
		wantInbox(t, s, u["dept"], "the lead department", request)
		wantInbox(t, s, u["root"], "an administrator")
		if n := newest(t, s, u["dept"]); !strings.Contains(n.TitleZH, f.buyer.Name+" 与 "+f.supplier.Name) || !strings.Contains(n.BodyZH, fmt.Sprintf("来自对接 %d", ms[0].ID)) {
			t.Errorf("the request's notification: %+v", n)
		}

		// Scheduled: each firm hears of its meeting.
		if _, _, err := s.ScheduleEvent(ctx, ev.ID); err != nil {
			t.Fatal(err)
		}
		timetable := func(who string, n int) string {
			t.Helper()
			items, _, _, err := s.FindNotifications(u[who], notify.Filter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range items {
				if strings.HasPrefix(x.Subject, fmt.Sprintf("fair/%d/timetable/%d/", ev.ID, today.UnixMilli())) {
					out = append(out, x.TitleZH+"\n"+x.BodyZH)
				}
			}
			if len(out) != n {
				t.Fatalf("%s has %d timetable notifications, want %d: %q", who, len(out), n, out)
			}
			if n == 0 {
				return ""
			}
			return out[0]
		}
		if got := timetable("firm-1", 1); !strings.HasPrefix(got, "您在对接会“新能源汽车供需对接会”有 1 场洽谈\n") ||
			!strings.HasSuffix(got, "09:00–09:20 第 1 桌：与供方 "+f.supplier.Name) {
			t.Errorf("the buyer's timetable: %q", got)
		}
		if got := timetable("firm-2", 1); !strings.HasSuffix(got, "09:00–09:20 第 1 桌：与需方 "+f.buyer.Name) {
			t.Errorf("the supplier's timetable: %q", got)
		}
		timetable("firm-3", 1)
		timetable("firm-4", 1)
		// The same timetable again: no one is told.
		if _, _, err := s.ScheduleEvent(ctx, ev.ID); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"firm-1", "firm-2", "firm-3", "firm-4"} {
			timetable(who, 1)
		}
		// A hand edit drops the stranger's meeting and moves the
		// buyer's: the four are told, each what changed for it.
		tt, err := s.FindTimetable(ctx, ev.ID)
		if err != nil || len(tt.Meetings) != 2 {
			t.Fatalf("timetable: %+v %v", tt, err)
		}
		var kept *match.Meeting
		for _, m := range tt.Meetings {
			if m.BuyerCode == f.buyer.Code {
				kept = m
			}
		}
		kept.Slot = 2
		if err := s.SaveTimetable(ctx, ev.ID, &match.Timetable{Meetings: []*match.Meeting{kept}}); err != nil {
			t.Fatalf("save: %v %v", err, chanye.ErrorFields(err))
		}
		if got := timetable("firm-1", 2); !strings.HasSuffix(got, "09:40–10:00 第 1 桌：与供方 "+f.supplier.Name) {
			t.Errorf("the buyer's new timetable: %q", got)
		}
		timetable("firm-2", 2)
		if got := timetable("firm-4", 2); !strings.HasPrefix(got, "您在对接会“新能源汽车供需对接会”的洽谈已取消") {
			t.Errorf("the stranger's cancellation: %q", got)
		}
		timetable("firm-3", 2)
		// Saving it unchanged tells no one.
		if err := s.SaveTimetable(ctx, ev.ID, &match.Timetable{Meetings: []*match.Meeting{kept}}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"firm-1", "firm-2", "firm-3", "firm-4"} {
			timetable(who, 2)
		}

		// A fair of every industry: a firm's request tells the administrators.
		open := fair("")
		ev = open
		register(ctx, f.buyer, match.SideBuyer)
		register(ctx, f.supplier, match.SideSupplier)
		if err := s.RequestMeeting(f.asSupplier, open.ID, &match.MeetingRequest{BuyerCode: f.buyer.Code, SupplierCode: f.supplier.Code}); err != nil {
			t.Fatal(err)
		}
		wantInbox(t, s, u["root"], "an administrator", fmt.Sprintf("fair fair/%d/request/3", open.ID))
		wantInbox(t, s, u["tf-auto"], "the task force", request)
	})
}
