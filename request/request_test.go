package request

import (
	"testing"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/workday"
)

var cst = time.FixedZone("CST", 8*3600)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	x, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func category() *Category {
	return &Category{ID: "permit", NameZH: "审批许可", Acknowledge: Limit{24, Hours}, Answer: Limit{3, Days}, Close: Limit{7, Days},
		YellowPerMille: 800, ConfirmDays: 5}
}

// TestClocksCrossTheSpringFestival: a request taken in on the Friday
// before the Spring Festival of 2025 is to be acknowledged by the Sunday
// worked, answered and closed after the holiday; its colours and
// escalation follow the limits.
func TestClocksCrossTheSpringFestival(t *testing.T) {
	cal, c := workday.Default(), category()
	r := &Request{Status: Submitted}
	r.Start(c, cal, at(t, "2025-01-24 16:00"))
	for name, tc := range map[string]struct{ got, want time.Time }{
		"acknowledge": {r.AcknowledgeDue, at(t, "2025-01-26 16:00")}, // Saturday off, Sunday worked
		"answer":      {r.AnswerDue, at(t, "2025-02-06 00:00")},      // 01-26, 01-27, 02-05: the end of 02-05
		"close":       {r.CloseDue, at(t, "2025-02-11 00:00")},       // …02-06, 02-07, 02-08 (worked), 02-10
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("%s due %s, want %s", name, tc.got.Format(time.DateTime), tc.want.Format(time.DateTime))
		}
	}
	for now, want := range map[string]Colour{"2025-01-25 10:00": Green, "2025-01-26 09:00": Yellow, "2025-01-26 16:01": Red} {
		if got := r.ClockAt(at(t, now)).Colour; got != want {
			t.Errorf("at %s the clock is %s, want %s", now, got, want)
		}
	}
	if got := r.EscalationAt(at(t, "2025-01-26 17:00")); got != 1 {
		t.Errorf("red: escalation %d, want 1", got)
	}
	if got := r.EscalationAt(at(t, "2025-01-29 09:00")); got != 2 { // red for as long again as the 48 h it ran
		t.Errorf("red twice over: escalation %d, want 2", got)
	}
	if got := r.EscalationAt(at(t, "2025-01-25 09:00")); got != 0 {
		t.Errorf("green: escalation %d", got)
	}
}

// TestApply: acknowledge, answer, an unsatisfied rating reopens with fresh
// clocks, a second answer is confirmed; a callback only after the
// confirmation time; steps out of turn conflict; bad steps name the field.
func TestApply(t *testing.T) {
	cal, c := workday.Default(), category()
	r := &Request{ID: 7, Status: Submitted, Department: "市工业和信息化局"}
	r.Start(c, cal, at(t, "2025-03-03 09:00"))
	step := func(now string, st Step) []*Event {
		t.Helper()
		evs, err := r.Apply(st, c, cal, at(t, now), "某人")
		if err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
		return evs
	}
	conflict := func(now string, st Step) {
		t.Helper()
		if _, err := r.Apply(st, c, cal, at(t, now), "某人"); chanye.ErrorCode(err) != chanye.ECONFLICT {
			t.Errorf("%s while %s: %v, want a conflict", st.Action, r.Status, err)
		}
	}
	conflict("2025-03-03 10:00", Step{Action: StepAnswer, Note: "x"})
	step("2025-03-03 10:00", Step{Action: StepAcknowledge})
	if _, err := r.Apply(Step{Action: StepAnswer}, c, cal, at(t, "2025-03-04 10:00"), "某人"); chanye.ErrorFields(err)["note"] == "" {
		t.Errorf("an answer without a note: %v", err)
	}
	step("2025-03-04 10:00", Step{Action: StepAnswer, Note: "已协调供电局"})
	if !r.ConfirmDue.Equal(at(t, "2025-03-12 00:00")) {
		t.Errorf("confirm due %s", r.ConfirmDue)
	}
	evs := step("2025-03-05 10:00", Step{Action: StepConfirm, Rating: Unsatisfied, Note: "仍未通电"})
	if len(evs) != 2 || evs[1].Action != "reopen" || r.Status != Acknowledged || r.Reopened != 1 ||
		!r.ClockStart.Equal(at(t, "2025-03-05 10:00")) || !r.AnswerDue.Equal(at(t, "2025-03-11 00:00")) {
		t.Fatalf("reopened: %+v %+v", evs, r)
	}
	step("2025-03-06 10:00", Step{Action: StepAnswer, Note: "已通电"})
	conflict("2025-03-07 10:00", Step{Action: StepCallback, Note: "电话回访"}) // within the five days
	step("2025-03-14 10:00", Step{Action: StepCallback, Note: "电话回访，企业无异议"})
	if r.Status != Closed || r.ClosedBy != "callback" || r.ClockAt(at(t, "2025-03-20 10:00")) != nil {
		t.Errorf("after the callback: %+v", r)
	}
	conflict("2025-03-15 10:00", Step{Action: StepReroute, Department: "市发展改革委", Note: "x"})
	for _, tc := range []struct {
		st  Step
		key string
	}{
		{Step{Action: "approve"}, "action"},
		{Step{Action: StepConfirm, Rating: "great"}, "rating"},
		{Step{Action: StepReroute, Department: "市发展改革委"}, "note"},
		{Step{Action: StepCoHandle, Departments: []string{"a", "a"}}, "departments"},
	} {
		if _, err := r.Apply(tc.st, c, cal, at(t, "2025-03-15 10:00"), "某人"); chanye.ErrorFields(err)[tc.key] == "" {
			t.Errorf("%+v: %v, want a problem at %s", tc.st, err, tc.key)
		}
	}
}

// TestValidate: a request's fields, the platform's reference, the
// category's limits.
func TestValidate(t *testing.T) {
	ok := Request{CategoryID: "permit", Title: "施工许可卡住", Description: "三个月未批", Channel: ChannelOnline}
	for name, tc := range map[string]struct {
		mut func(r *Request)
		key string
	}{
		"no title":              {func(r *Request) { r.Title = " " }, "title"},
		"unknown channel":       {func(r *Request) { r.Channel = "fax" }, "channel"},
		"a platform, no ref":    {func(r *Request) { r.Channel = ChannelPlatform }, "external_ref"},
		"a reference, not from": {func(r *Request) { r.ExternalSource, r.ExternalRef = "12345", "A1" }, "external_ref"},
	} {
		r := ok
		tc.mut(&r)
		if chanye.ErrorFields(r.Validate())[tc.key] == "" {
			t.Errorf("%s: no problem at %s", name, tc.key)
		}
	}
	r := ok
	if err := r.Validate(); err != nil {
		t.Errorf("a good request: %v", err)
	}
	c := category()
	c.Answer = Limit{2, Hours}
	if chanye.ErrorFields(c.Validate())["answer"] == "" {
		t.Error("an answer limit shorter than the acknowledgement's is accepted")
	}
	c = category()
	c.Close = Limit{300, Days}
	if chanye.ErrorFields(c.Validate())["close"] == "" {
		t.Error("a limit over a year is accepted")
	}
	if err := category().Validate(); err != nil {
		t.Errorf("a good category: %v", err)
	}
	ind := &chanye.Industry{Responsibility: chanye.Responsibility{LeadDepartment: "市工业和信息化局"}}
	if Route(category(), ind) != "市工业和信息化局" || Route(&Category{Department: "市人社局"}, ind) != "市人社局" || Route(category(), nil) != "" {
		t.Error("Route")
	}
}
