package match_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/match"
)

func TestTimeOfDay(t *testing.T) {
	for s, want := range map[string]match.TimeOfDay{"9:30": 570, "09:30": 570, "00:00": 0, "24:00": 1440, " 13:05 ": 785} {
		got, err := match.ParseTimeOfDay(s)
		if err != nil || got != want {
			t.Errorf("ParseTimeOfDay(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "9", "9:3", "9:60", "24:01", "-1:00", "a:bc", "9:30:00"} {
		if _, err := match.ParseTimeOfDay(s); err == nil {
			t.Errorf("ParseTimeOfDay(%q) took it", s)
		}
	}
	b, err := json.Marshal(struct{ T match.TimeOfDay }{545})
	if err != nil || string(b) != `{"T":"09:05"}` {
		t.Errorf("marshal: %s %v", b, err)
	}
	var x struct{ T match.TimeOfDay }
	if err := json.Unmarshal([]byte(`{"T":"14:20"}`), &x); err != nil || x.T != 860 {
		t.Errorf("unmarshal: %d %v", x.T, err)
	}
	if err := json.Unmarshal([]byte(`{"T":860}`), &x); err == nil {
		t.Error("unmarshal took a number")
	}
}

func fair() match.Event {
	return match.Event{ID: 3, Title: "新能源汽车产业链供需对接会", IndustryID: "icv-nev", Date: day(10), Venue: "广州国际采购中心",
		Tables: 2, SlotMinutes: 20, Start: 9 * 60, End: 10 * 60}
}

func TestEventValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*match.Event)
		want []string
	}{
		{"good", func(*match.Event) {}, nil},
		{"a slot that does not fit whole is not used", func(e *match.Event) { e.End = 10*60 + 10 }, nil},
		{"no title", func(e *match.Event) { e.Title = " " }, []string{"title"}},
		{"no venue", func(e *match.Event) { e.Venue = "" }, []string{"venue"}},
		{"no day", func(e *match.Event) { e.Date = chanye.Date{} }, []string{"date"}},
		{"no tables", func(e *match.Event) { e.Tables = 0 }, []string{"tables"}},
		{"200 tables", func(e *match.Event) { e.Tables = match.MaxTables }, nil},
		{"201 tables", func(e *match.Event) { e.Tables = match.MaxTables + 1 }, []string{"tables"}},
		{"slots too short", func(e *match.Event) { e.SlotMinutes = match.MinSlotMinutes - 1 }, []string{"slot_minutes"}},
		{"slots too long", func(e *match.Event) { e.SlotMinutes = match.MaxSlotMinutes + 1 }, []string{"slot_minutes"}},
		{"the end before the start", func(e *match.Event) { e.End = 8 * 60 }, []string{"end"}},
		{"past midnight", func(e *match.Event) { e.End = 24*60 + 1 }, []string{"end"}},
		{"no whole slot", func(e *match.Event) { e.End = 9*60 + 15 }, []string{"end"}},
		{"too many slots", func(e *match.Event) { e.SlotMinutes, e.Start, e.End = 5, 0, 24*60 }, []string{"end"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := fair()
			tc.edit(&ev)
			if got := fields(ev.Validate()); !slices.Equal(got, tc.want) {
				t.Errorf("fields %q, want %q", got, tc.want)
			}
		})
	}
	r := match.Registration{Code: code(t, 1), Role: match.SideOfficial}
	if got := fields(r.Validate()); !slices.Equal(got, []string{"role"}) {
		t.Errorf("registration: %q", got)
	}
}

// TestSchedule: three slots and two tables; the reasons a request is left
// out.
func TestSchedule(t *testing.T) {
	b1, b2, s1, s2, s3, x := code(t, 1), code(t, 2), code(t, 3), code(t, 4), code(t, 5), code(t, 6)
	plan := match.EventPlan{Event: fair(), Registrations: []match.Registration{
		{Code: b1, Role: match.SideBuyer}, {Code: b2, Role: match.SideBuyer},
		{Code: s1, Role: match.SideSupplier}, {Code: s2, Role: match.SideSupplier}, {Code: s3, Role: match.SideSupplier},
		{Code: s1, Role: match.SideBuyer}, // s1 buys too
		{Code: x, Role: match.SideBuyer},
	}}
	reqs := []match.MeetingRequest{
		{MatchID: 1, BuyerCode: b1, SupplierCode: s1, Priority: 90},
		{MatchID: 2, BuyerCode: b1, SupplierCode: s2, Priority: 80},
		{MatchID: 3, BuyerCode: b2, SupplierCode: s1, Priority: 80},
		{MatchID: 4, BuyerCode: s1, SupplierCode: s2, Priority: 70}, // s1 as a buyer
		{MatchID: 5, BuyerCode: b2, SupplierCode: s3, Priority: 60},
		{MatchID: 6, BuyerCode: b1, SupplierCode: s3, Priority: 50},
		{MatchID: 7, BuyerCode: b1, SupplierCode: s1, Priority: 40}, // the pair again
		{MatchID: 8, BuyerCode: s2, SupplierCode: s1, Priority: 40}, // s2 is no buyer
		{MatchID: 9, BuyerCode: b1, SupplierCode: x, Priority: 40},  // x is no supplier
		{MatchID: 10, BuyerCode: b2, SupplierCode: b2, Priority: 40},
		{MatchID: 11, BuyerCode: x, SupplierCode: s1, Priority: 30}, // s1 is busy in every slot
	}
	tt, out := match.Schedule(plan, reqs)
	type at struct {
		match       int64
		slot, table int
		start       string
	}
	var got []at
	for _, m := range tt.Meetings {
		got = append(got, at{m.MatchID, m.Slot, m.Table, m.Start.String() + "–" + m.End.String()})
	}
	want := []at{
		{1, 0, 1, "09:00–09:20"},
		{5, 0, 2, "09:00–09:20"}, // b2 and s3 are free in slot 0
		{2, 1, 1, "09:20–09:40"}, // b1 is busy in slot 0
		{3, 1, 2, "09:20–09:40"},
		{4, 2, 1, "09:40–10:00"},
		{6, 2, 2, "09:40–10:00"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("meetings\n got %v\nwant %v", got, want)
	}
	var left []string
	for _, u := range out {
		left = append(left, fmt.Sprintf("%d %s", u.Request.MatchID, u.ReasonZH))
		if u.ReasonEN == "" {
			t.Errorf("%d: no English reason", u.Request.MatchID)
		}
	}
	// In the order taken: by priority, then the buyer's code.
	wantLeft := []string{"7 双方已安排洽谈", "9 供方未以供应方报名", "10 企业不能与自己洽谈", "8 需方未以采购方报名", "11 没有双方都空闲且有空桌的时段"}
	if !slices.Equal(left, wantLeft) {
		t.Errorf("unscheduled\n got %q\nwant %q", left, wantLeft)
	}
	if err := tt.Validate(); err != nil {
		t.Errorf("the schedule does not validate: %v", err)
	}

	// A fair without a slot places nothing.
	plan.Event.End = plan.Event.Start
	tt, out = match.Schedule(plan, reqs)
	if len(tt.Meetings) != 0 || len(out) != len(reqs) || out[0].ReasonZH != "对接会没有可用的时段或洽谈桌" {
		t.Errorf("no slot: %d meetings, %d left, %+v", len(tt.Meetings), len(out), out[0])
	}
}

// TestScheduleProperties: over random fairs and requests (a fixed seed),
// no firm is in two meetings of a slot, no table holds two, every request
// is placed or told why, a request left out for want of a slot had none,
// and the order of the requests does not matter.
func TestScheduleProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(4754, 2260))
	codes := make([]string, 40)
	for i := range codes {
		codes[i] = code(t, 100+i)
	}
	for round := range 300 {
		ev := fair()
		ev.Tables, ev.SlotMinutes = 1+r.IntN(6), 10+5*r.IntN(4)
		ev.End = ev.Start + match.TimeOfDay(ev.SlotMinutes*(1+r.IntN(8)))
		n := 5 + r.IntN(35)
		plan := match.EventPlan{Event: ev}
		for _, c := range codes[:n] {
			if r.IntN(10) < 6 {
				plan.Registrations = append(plan.Registrations, match.Registration{Code: c, Role: match.SideBuyer})
			}
			if r.IntN(10) < 6 {
				plan.Registrations = append(plan.Registrations, match.Registration{Code: c, Role: match.SideSupplier})
			}
		}
		var reqs []match.MeetingRequest
		for i := range r.IntN(80) {
			reqs = append(reqs, match.MeetingRequest{MatchID: int64(i + 1), BuyerCode: codes[r.IntN(n)], SupplierCode: codes[r.IntN(n)], Priority: r.IntN(101)})
		}
		tt, out := match.Schedule(plan, reqs)
		if len(tt.Meetings)+len(out) != len(reqs) {
			t.Fatalf("round %d: %d placed and %d left of %d", round, len(tt.Meetings), len(out), len(reqs))
		}
		firm, table := map[string]bool{}, map[string]bool{}
		busy := func(slot int, c string) bool { return firm[fmt.Sprint(slot, c)] }
		for _, m := range tt.Meetings {
			for _, k := range []string{fmt.Sprint(m.Slot, m.BuyerCode), fmt.Sprint(m.Slot, m.SupplierCode)} {
				if firm[k] {
					t.Fatalf("round %d: firm double-booked: %s", round, k)
				}
				firm[k] = true
			}
			if k := fmt.Sprint(m.Slot, "/", m.Table); table[k] {
				t.Fatalf("round %d: table double-booked: %s", round, k)
			} else {
				table[k] = true
			}
			if m.Table < 1 || m.Table > ev.Tables || m.Slot < 0 || m.Slot >= ev.Slots() {
				t.Fatalf("round %d: meeting at table %d slot %d", round, m.Table, m.Slot)
			}
		}
		if err := tt.Validate(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, u := range out {
			if u.ReasonZH != "没有双方都空闲且有空桌的时段" {
				continue
			}
			for s := range ev.Slots() {
				taken := 0
				for _, m := range tt.Meetings {
					if m.Slot == s {
						taken++
					}
				}
				if !busy(s, u.Request.BuyerCode) && !busy(s, u.Request.SupplierCode) && taken < ev.Tables {
					t.Fatalf("round %d: request %d left out, yet slot %d had room", round, u.Request.MatchID, s)
				}
			}
		}
		shuffled := slices.Clone(reqs)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		tt2, out2 := match.Schedule(plan, shuffled)
		if !reflect.DeepEqual(tt2, tt) || !reflect.DeepEqual(out2, out) {
			t.Fatalf("round %d: another order of the requests, another schedule", round)
		}
	}
}

// TestTimetableValidate: hand edits that book a firm or a table twice,
// or leave the fair's tables and slots, are refused.
func TestTimetableValidate(t *testing.T) {
	b1, b2, s1, s2 := code(t, 1), code(t, 2), code(t, 3), code(t, 4)
	good := func() match.Timetable {
		return match.Timetable{Event: fair(), Meetings: []*match.Meeting{
			{BuyerCode: b1, SupplierCode: s1, Table: 1, Slot: 0},
			{BuyerCode: b2, SupplierCode: s2, Table: 2, Slot: 0},
			{BuyerCode: b1, SupplierCode: s2, Table: 1, Slot: 1, Outcome: match.Held, Intention: true, ContractFen: 100},
		}}
	}
	for _, tc := range []struct {
		name string
		edit func(*match.Timetable)
		want []string
	}{
		{"good", func(*match.Timetable) {}, nil},
		{"a buyer twice in a slot", func(tt *match.Timetable) { tt.Meetings[1].BuyerCode = b1 }, []string{"meetings[1]"}},
		{"a firm buying and selling in one slot", func(tt *match.Timetable) { tt.Meetings[1].SupplierCode = b1 }, []string{"meetings[1]"}},
		{"a table twice in a slot", func(tt *match.Timetable) { tt.Meetings[1].Table = 1 }, []string{"meetings[1].table"}},
		{"no such table", func(tt *match.Timetable) { tt.Meetings[0].Table = 3 }, []string{"meetings[0].table"}},
		{"no such slot", func(tt *match.Timetable) { tt.Meetings[0].Slot = 3 }, []string{"meetings[0].slot"}},
		{"a firm with itself", func(tt *match.Timetable) { tt.Meetings[0].SupplierCode = b1 }, []string{"meetings[0].supplier_code"}},
		{"a bad code", func(tt *match.Timetable) { tt.Meetings[0].BuyerCode = "B" }, []string{"meetings[0].buyer_code"}},
		{"an unknown outcome", func(tt *match.Timetable) { tt.Meetings[0].Outcome = "maybe" }, []string{"meetings[0].outcome"}},
		{"an intention without a meeting", func(tt *match.Timetable) { tt.Meetings[2].Outcome = match.NoShow }, []string{"meetings[2].outcome"}},
		{"a negative contract", func(tt *match.Timetable) { tt.Meetings[2].ContractFen = -1 }, []string{"meetings[2].contract_fen"}},
		{"a nil meeting", func(tt *match.Timetable) { tt.Meetings[1] = nil }, []string{"meetings[1]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tt := good()
			tc.edit(&tt)
			err := tt.Validate()
			if got := fields(err); !slices.Equal(got, tc.want) {
				t.Errorf("fields %q, want %q (%v)", got, tc.want, err)
			}
		})
	}
	tt := good()
	tt.Meetings[2].Start = 0
	if err := tt.Validate(); err != nil || tt.Meetings[2].Start.String() != "09:20" || tt.Meetings[2].End.String() != "09:40" {
		t.Errorf("times from the slot: %s–%s, %v", tt.Meetings[2].Start, tt.Meetings[2].End, err)
	}
	tt.Event.Tables = 0
	if err := tt.Validate(); chanye.ErrorCode(err) != chanye.EINVALID || !strings.Contains(chanye.ErrorMessage(err), "对接会有误") {
		t.Errorf("a bad fair: %v", err)
	}
}

// TestReport: the sums of a fair; an overflowing sum is an error.
func TestReport(t *testing.T) {
	plan := match.EventPlan{Event: fair(), Registrations: []match.Registration{
		{Code: "A", Role: match.SideBuyer, Attended: true},
		{Code: "A", Role: match.SideSupplier, Attended: true},
		{Code: "B", Role: match.SideSupplier},
		{Code: "B", Role: match.SideSupplier}, // twice: once
		{Code: "C", Role: match.SideBuyer, Attended: true},
	}}
	meetings := []*match.Meeting{
		{Outcome: match.Held, Intention: true, ContractFen: 1_000_000},
		{Outcome: match.Held, Intention: true},
		{Outcome: match.Held, ContractFen: 250},
		{Outcome: match.Held},
		{Outcome: match.NoShow},
		{},
		nil,
	}
	got, err := match.Report(plan, meetings)
	if err != nil {
		t.Fatal(err)
	}
	want := &match.EventReport{EventID: 3, Registered: 4, Attended: 3, Meetings: 6, Held: 4, NoShow: 1, Pending: 1, Intentions: 2, Contracts: 2, ContractFen: 1_000_250}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	empty, err := match.Report(match.EventPlan{}, nil)
	if err != nil || *empty != (match.EventReport{}) {
		t.Errorf("empty: %+v %v", empty, err)
	}
	_, err = match.Report(plan, []*match.Meeting{{Outcome: match.Held, ContractFen: math.MaxInt64}, {Outcome: match.Held, ContractFen: 1}})
	if chanye.ErrorCode(err) != chanye.EINVALID || chanye.ErrorFields(err)["contract_fen"] == "" {
		t.Errorf("overflow: %v", err)
	}
}

// TestRequestAndOutcomeValidate: a meeting request names two different
// firms and a priority on the score's scale; an outcome is what a
// timetable's meeting may hold.
func TestRequestAndOutcomeValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  match.MeetingRequest
		want []string
	}{
		{"good", match.MeetingRequest{BuyerCode: code(t, 1), SupplierCode: code(t, 2), Priority: 70}, nil},
		{"a firm with itself", match.MeetingRequest{BuyerCode: code(t, 1), SupplierCode: code(t, 1)}, []string{"supplier_code"}},
		{"bad codes", match.MeetingRequest{BuyerCode: "B", SupplierCode: ""}, []string{"buyer_code", "supplier_code"}},
		{"priority past the score", match.MeetingRequest{BuyerCode: code(t, 1), SupplierCode: code(t, 2), Priority: match.MaxScore + 1}, []string{"priority"}},
		{"a negative match", match.MeetingRequest{MatchID: -1, BuyerCode: code(t, 1), SupplierCode: code(t, 2)}, []string{"match_id"}},
	} {
		if got := fields(tc.req.Validate()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		o    match.OutcomeUpdate
		want []string
	}{
		{"held with a contract", match.OutcomeUpdate{Outcome: match.Held, Intention: true, ContractFen: 100}, nil},
		{"cleared", match.OutcomeUpdate{}, nil},
		{"an intention without a meeting", match.OutcomeUpdate{Outcome: match.NoShow, Intention: true}, []string{"outcome"}},
		{"unknown", match.OutcomeUpdate{Outcome: "maybe"}, []string{"outcome"}},
		{"a negative contract", match.OutcomeUpdate{Outcome: match.Held, ContractFen: -1}, []string{"contract_fen"}},
	} {
		if got := fields(tc.o.Validate()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %q, want %q", tc.name, got, tc.want)
		}
	}
}
