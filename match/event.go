package match

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// TimeOfDay is a time of day in minutes after midnight, written "09:30".
type TimeOfDay int

// ParseTimeOfDay reads "9:30" or "09:30" (00:00 to 24:00).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("时间 %q 须为 HH:MM / time %q must be HH:MM", s, s)
	}
	return TimeOfDay(hh*60 + mm), nil
}

// String writes the time as "09:30".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// MarshalJSON writes the time as a string "09:30".
func (t TimeOfDay) MarshalJSON() ([]byte, error) { return []byte(`"` + t.String() + `"`), nil }

// UnmarshalJSON reads a string "09:30".
func (t *TimeOfDay) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("时间须为字符串 HH:MM / time must be a string HH:MM")
	}
	v, err := ParseTimeOfDay(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Event is a matchmaking fair (供需对接会): on its day, at its venue,
// buyers and suppliers meet at Tables tables in slots of SlotMinutes from
// Start to End; a slot that does not fit whole before End is not used.
// IndustryID "" is a fair for every industry.
type Event struct {
	ID          int64       `json:"id"`
	Title       string      `json:"title"`
	IndustryID  string      `json:"industry_id,omitempty"`
	Date        chanye.Date `json:"date"`
	Venue       string      `json:"venue"`
	Tables      int         `json:"tables"`
	SlotMinutes int         `json:"slot_minutes"`
	Start       TimeOfDay   `json:"start"`
	End         TimeOfDay   `json:"end"`
	// Demo marks a fair chanye demo made: the pages say 演示数据.
	Demo bool `json:"demo,omitempty"`
}

// The bounds of a fair, each checked by a Validate.
const (
	MaxTitleRunes    = 100
	MaxVenueRunes    = 200
	MaxTables        = 200
	MinSlotMinutes   = 5
	MaxSlotMinutes   = 240
	MaxSlots         = 100  // slots of a day
	MaxRegistrations = 5000 // firms registered for a fair, by role
)

// Slots returns the number of slots of the fair, 0 when its times do not
// make one.
func (ev *Event) Slots() int {
	if ev.SlotMinutes < 1 || ev.End <= ev.Start {
		return 0
	}
	return int(ev.End-ev.Start) / ev.SlotMinutes
}

// SlotTime returns the start and end of slot i (from 0).
func (ev *Event) SlotTime(i int) (start, end TimeOfDay) {
	start = ev.Start + TimeOfDay(i*ev.SlotMinutes)
	return start, start + TimeOfDay(ev.SlotMinutes)
}

// Validate checks a fair and trims its texts: a title (1–MaxTitleRunes),
// a day, a venue (1–MaxVenueRunes), 1–MaxTables tables, slots of
// MinSlotMinutes–MaxSlotMinutes, a start before the end within the day,
// and 1–MaxSlots slots between them. The store checks the industry.
func (ev *Event) Validate() error {
	bad := map[string]string{}
	ev.Title, ev.Venue, ev.IndustryID = strings.TrimSpace(ev.Title), strings.TrimSpace(ev.Venue), strings.TrimSpace(ev.IndustryID)
	checkText("title", ev.Title, 1, MaxTitleRunes, bad)
	checkText("venue", ev.Venue, 1, MaxVenueRunes, bad)
	if ev.Date.IsZero() {
		bad["date"] = "必填 / required"
	}
	if ev.Tables < 1 || ev.Tables > MaxTables {
		bad["tables"] = fmt.Sprintf("须为 1–%d 桌 / must be 1–%d tables", MaxTables, MaxTables)
	}
	if ev.SlotMinutes < MinSlotMinutes || ev.SlotMinutes > MaxSlotMinutes {
		bad["slot_minutes"] = fmt.Sprintf("须为 %d–%d 分钟 / must be %d–%d minutes", MinSlotMinutes, MaxSlotMinutes, MinSlotMinutes, MaxSlotMinutes)
	}
	switch {
	case ev.Start < 0 || ev.End > 24*60 || ev.Start >= ev.End:
		bad["end"] = "结束时间须晚于开始时间，均在当天 / the end must come after the start, within the day"
	case bad["slot_minutes"] == "" && (ev.Slots() < 1 || ev.Slots() > MaxSlots):
		bad["end"] = fmt.Sprintf("须容纳 1–%d 个时段 / must hold 1–%d slots", MaxSlots, MaxSlots)
	}
	return chanye.Invalid("对接会有误 / invalid matchmaking fair", bad)
}

// Registration is a firm registered for a fair as a buyer or a supplier
// (a firm may register as both); Attended is set on the day.
type Registration struct {
	Code     string `json:"code"`
	Name     string `json:"name,omitempty"` // the registry's, when read
	Role     Side   `json:"role"`           // SideBuyer or SideSupplier
	Attended bool   `json:"attended"`
}

// Validate checks a registration: a well-formed credit code and a role of
// buyer or supplier.
func (r *Registration) Validate() error {
	bad := map[string]string{}
	r.Code = uscc.Normalize(r.Code)
	checkCode(r.Code, bad)
	if r.Role != SideBuyer && r.Role != SideSupplier {
		bad["role"] = "须为 buyer 或 supplier / must be buyer or supplier"
	}
	return chanye.Invalid("报名信息有误 / invalid registration", bad)
}

// EventPlan is a fair with its registrations: what Schedule and Report
// read.
type EventPlan struct {
	Event         Event          `json:"event"`
	Registrations []Registration `json:"registrations"`
}

// MeetingRequest asks for a meeting of a buyer and a supplier at a fair,
// from a match (MatchID, Priority its score) or by hand (MatchID 0).
type MeetingRequest struct {
	MatchID      int64  `json:"match_id,omitempty"`
	BuyerCode    string `json:"buyer_code"`
	SupplierCode string `json:"supplier_code"`
	Priority     int    `json:"priority"` // higher first; a match's score
}

// Validate checks a meeting request: two well-formed and different
// credit codes and a priority of 0–MaxScore. Whether the match exists,
// and is of these two firms, is the store's to check.
func (r *MeetingRequest) Validate() error {
	bad := map[string]string{}
	r.BuyerCode, r.SupplierCode = uscc.Normalize(r.BuyerCode), uscc.Normalize(r.SupplierCode)
	for field, code := range map[string]string{"buyer_code": r.BuyerCode, "supplier_code": r.SupplierCode} {
		if err := uscc.Validate(code); err != nil {
			zh, en := chanye.SplitBilingual(err.Error())
			bad[field] = "统一社会信用代码无效：" + zh + " / invalid credit code: " + en
		}
	}
	if bad["supplier_code"] == "" && r.BuyerCode == r.SupplierCode {
		bad["supplier_code"] = "企业不能与自己洽谈 / a firm does not meet itself"
	}
	if r.MatchID < 0 {
		bad["match_id"] = "不能为负 / must not be negative"
	}
	if r.Priority < 0 || r.Priority > MaxScore {
		bad["priority"] = fmt.Sprintf("须为 0–%d / must be 0–%d", MaxScore, MaxScore)
	}
	return chanye.Invalid("洽谈申请有误 / invalid meeting request", bad)
}

// MeetingOutcome is what became of a meeting.
type MeetingOutcome string

// The outcomes of a meeting; "" is not recorded yet.
const (
	Held   MeetingOutcome = "held"    // 已洽谈
	NoShow MeetingOutcome = "no_show" // 未到场: one side did not come
)

// NameZH returns the outcome's Chinese name.
func (o MeetingOutcome) NameZH() string {
	switch o {
	case Held:
		return "已洽谈"
	case NoShow:
		return "未到场"
	}
	return "待记录"
}

// NameEN returns the outcome's English name.
func (o MeetingOutcome) NameEN() string {
	switch o {
	case Held:
		return "held"
	case NoShow:
		return "no show"
	}
	return "not recorded"
}

// Valid reports whether o is "" or a known outcome.
func (o MeetingOutcome) Valid() bool { return o == "" || o == Held || o == NoShow }

// Meeting is a meeting of a buyer and a supplier at a fair: table Table
// (from 1) in slot Slot (from 0), from Start to End, with its outcome:
// whether it was held, whether the two reached an intention (意向) and
// the value of a contract signed (0 none).
type Meeting struct {
	ID           int64          `json:"id"`
	MatchID      int64          `json:"match_id,omitempty"`
	BuyerCode    string         `json:"buyer_code"`
	SupplierCode string         `json:"supplier_code"`
	Priority     int            `json:"priority"`
	Table        int            `json:"table"`
	Slot         int            `json:"slot"`
	Start        TimeOfDay      `json:"start"`
	End          TimeOfDay      `json:"end"`
	Outcome      MeetingOutcome `json:"outcome,omitempty"`
	Intention    bool           `json:"intention"`
	ContractFen  chanye.Fen     `json:"contract_fen,omitempty"`
}

// Timetable is a fair's meetings, by slot and table.
type Timetable struct {
	Event    Event      `json:"event"`
	Meetings []*Meeting `json:"meetings"`
}

// Unscheduled is a meeting request Schedule could not place, and why.
type Unscheduled struct {
	Request  MeetingRequest `json:"request"`
	ReasonZH string         `json:"reason_zh"`
	ReasonEN string         `json:"reason_en"`
}

// Schedule places the requested meetings of a fair: each at a table in a
// slot, so that no firm is in two meetings in one slot and no table holds
// two. Greedy: the requests by priority, the highest first, then by the
// buyer's and the supplier's code and the match id; each in the earliest
// slot where both firms are free, at the lowest free table. A request is
// left unscheduled, with the reason, when the two are one firm, when the
// buyer has not registered as a buyer or the supplier as a supplier, when
// the pair is placed already, or when no slot has both free and a table
// open. The same plan and requests give the same timetable.
func Schedule(plan EventPlan, requests []MeetingRequest) (Timetable, []Unscheduled) {
	ev := plan.Event
	tt := Timetable{Event: ev}
	reqs := slices.Clone(requests)
	slices.SortFunc(reqs, func(a, b MeetingRequest) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.BuyerCode, b.BuyerCode),
			cmp.Compare(a.SupplierCode, b.SupplierCode), cmp.Compare(a.MatchID, b.MatchID))
	})
	registered := map[Registration]bool{}
	for _, r := range plan.Registrations {
		registered[Registration{Code: r.Code, Role: r.Role}] = true
	}
	slots := ev.Slots()
	if ev.Tables < 1 || slots < 1 {
		slots = 0
	}
	busy := map[string][]bool{}  // firm → its slots taken
	tables := make([]int, slots) // tables taken in each slot
	placed := map[[2]string]bool{}
	var out []Unscheduled
	skip := func(r MeetingRequest, zh, en string) {
		out = append(out, Unscheduled{Request: r, ReasonZH: zh, ReasonEN: en})
	}
	for _, r := range reqs {
		pair := [2]string{r.BuyerCode, r.SupplierCode}
		switch {
		case slots == 0:
			skip(r, "对接会没有可用的时段或洽谈桌", "the fair has no slot or table")
			continue
		case r.BuyerCode == r.SupplierCode:
			skip(r, "企业不能与自己洽谈", "a firm does not meet itself")
			continue
		case !registered[Registration{Code: r.BuyerCode, Role: SideBuyer}]:
			skip(r, "需方未以采购方报名", "the buyer has not registered as a buyer")
			continue
		case !registered[Registration{Code: r.SupplierCode, Role: SideSupplier}]:
			skip(r, "供方未以供应方报名", "the supplier has not registered as a supplier")
			continue
		case placed[pair]:
			skip(r, "双方已安排洽谈", "the pair has a meeting already")
			continue
		}
		for _, c := range pair {
			if busy[c] == nil {
				busy[c] = make([]bool, slots)
			}
		}
		slot := -1
		for s := range slots {
			if !busy[r.BuyerCode][s] && !busy[r.SupplierCode][s] && tables[s] < ev.Tables {
				slot = s
				break
			}
		}
		if slot < 0 {
			skip(r, "没有双方都空闲且有空桌的时段", "no slot has both firms free and a table open")
			continue
		}
		busy[r.BuyerCode][slot], busy[r.SupplierCode][slot] = true, true
		tables[slot]++
		placed[pair] = true
		start, end := ev.SlotTime(slot)
		tt.Meetings = append(tt.Meetings, &Meeting{MatchID: r.MatchID, BuyerCode: r.BuyerCode, SupplierCode: r.SupplierCode,
			Priority: r.Priority, Table: tables[slot], Slot: slot, Start: start, End: end})
	}
	slices.SortFunc(tt.Meetings, func(a, b *Meeting) int { return cmp.Or(cmp.Compare(a.Slot, b.Slot), cmp.Compare(a.Table, b.Table)) })
	return tt, out
}

// Validate checks a timetable, as edited by hand, before it is saved:
// the fair (Event.Validate), then each meeting: two different firms,
// a table of the fair and one of its slots, no firm in two meetings of
// one slot, no table holding two, a known outcome, an intention or a
// contract (0 to chanye.MaxProjectFen) only for a meeting held. It sets
// each meeting's Start and End from its slot. Registrations are not
// checked: an official may seat a firm that came without registering.
// Fields are keyed "meetings[N].FIELD", N from 0.
func (t *Timetable) Validate() error {
	if err := t.Event.Validate(); err != nil {
		return err
	}
	ev := &t.Event
	slots := ev.Slots()
	bad := map[string]string{}
	firms := map[string]int{}  // "slot|code" → meeting
	tables := map[[2]int]int{} // slot, table → meeting
	for i, m := range t.Meetings {
		k := fmt.Sprintf("meetings[%d]", i)
		if m == nil {
			bad[k] = "空 / empty"
			continue
		}
		m.BuyerCode, m.SupplierCode = uscc.Normalize(m.BuyerCode), uscc.Normalize(m.SupplierCode)
		for field, code := range map[string]string{"buyer_code": m.BuyerCode, "supplier_code": m.SupplierCode} {
			if err := uscc.Validate(code); err != nil {
				bad[k+"."+field] = "统一社会信用代码无效 / invalid credit code"
			}
		}
		if m.BuyerCode == m.SupplierCode {
			bad[k+".supplier_code"] = "企业不能与自己洽谈 / a firm does not meet itself"
		}
		okTable, okSlot := m.Table >= 1 && m.Table <= ev.Tables, m.Slot >= 0 && m.Slot < slots
		if !okTable {
			bad[k+".table"] = fmt.Sprintf("须为 1–%d 桌 / must be table 1–%d", ev.Tables, ev.Tables)
		}
		if !okSlot {
			bad[k+".slot"] = fmt.Sprintf("须为 0–%d 时段 / must be slot 0–%d", slots-1, slots-1)
		}
		if okSlot {
			m.Start, m.End = ev.SlotTime(m.Slot)
			at := m.Start.String() + "–" + m.End.String()
			for _, code := range []string{m.BuyerCode, m.SupplierCode} {
				key := strconv.Itoa(m.Slot) + "|" + code
				if j, ok := firms[key]; ok && j != i {
					bad[k] = fmt.Sprintf("企业 %s 在 %s 已有洽谈（meetings[%d]）/ firm %s has another meeting at %s (meetings[%d])", code, at, j, code, at, j)
				} else {
					firms[key] = i
				}
			}
			if okTable {
				if j, ok := tables[[2]int{m.Slot, m.Table}]; ok {
					bad[k+".table"] = fmt.Sprintf("第 %d 桌在 %s 已有洽谈（meetings[%d]）/ table %d is taken at %s (meetings[%d])", m.Table, at, j, m.Table, at, j)
				} else {
					tables[[2]int{m.Slot, m.Table}] = i
				}
			}
		}
		if !m.Outcome.Valid() {
			bad[k+".outcome"] = "须为 held、no_show 或空 / must be held, no_show or empty"
		}
		if m.Outcome != Held && (m.Intention || m.ContractFen != 0) {
			bad[k+".outcome"] = "只有已洽谈的才有意向或签约 / only a meeting held has an intention or a contract"
		}
		if msg := chanye.CheckFen(m.ContractFen, chanye.MaxProjectFen); msg != "" {
			bad[k+".contract_fen"] = msg
		}
	}
	return chanye.Invalid("洽谈日程有误 / invalid timetable", bad)
}

// EventReport is what a fair came to.
type EventReport struct {
	EventID     int64      `json:"event_id"`
	Registered  int        `json:"registered"` // registrations, a firm once per role
	Attended    int        `json:"attended"`
	Meetings    int        `json:"meetings"` // scheduled
	Held        int        `json:"held"`
	NoShow      int        `json:"no_show"`
	Pending     int        `json:"pending"` // no outcome recorded
	Intentions  int        `json:"intentions"`
	Contracts   int        `json:"contracts"`
	ContractFen chanye.Fen `json:"contract_fen"`
}

// Report sums a fair's registrations and meetings: intentions and
// contracts count for meetings held only. ErrOverflow (EINVALID) when the
// contracts' sum leaves the int64 range.
func Report(plan EventPlan, meetings []*Meeting) (*EventReport, error) {
	out := &EventReport{EventID: plan.Event.ID}
	seen := map[Registration]bool{}
	for _, r := range plan.Registrations {
		k := Registration{Code: r.Code, Role: r.Role}
		if seen[k] {
			continue
		}
		seen[k] = true
		out.Registered++
		if r.Attended {
			out.Attended++
		}
	}
	var sum chanye.FenSum
	for _, m := range meetings {
		if m == nil {
			continue
		}
		out.Meetings++
		switch m.Outcome {
		case Held:
			out.Held++
			if m.Intention {
				out.Intentions++
			}
			if m.ContractFen > 0 {
				out.Contracts++
				sum.Add(m.ContractFen)
			}
		case NoShow:
			out.NoShow++
		default:
			out.Pending++
		}
	}
	total, err := sum.Total("contract_fen")
	if err != nil {
		return nil, fmt.Errorf("对接会 %d / fair %d: %w", plan.Event.ID, plan.Event.ID, err)
	}
	out.ContractFen = total
	return out, nil
}

// OutcomeUpdate records what became of a meeting.
type OutcomeUpdate struct {
	Outcome     MeetingOutcome `json:"outcome"`
	Intention   bool           `json:"intention"`
	ContractFen chanye.Fen     `json:"contract_fen"`
}

// Validate checks an outcome as Timetable.Validate checks a meeting's: a
// known outcome ("" clears it), an intention or a contract (0 to
// chanye.MaxProjectFen) only for a meeting held.
func (o *OutcomeUpdate) Validate() error {
	bad := map[string]string{}
	if !o.Outcome.Valid() {
		bad["outcome"] = "须为 held、no_show 或空 / must be held, no_show or empty"
	} else if o.Outcome != Held && (o.Intention || o.ContractFen != 0) {
		bad["outcome"] = "只有已洽谈的才有意向或签约 / only a meeting held has an intention or a contract"
	}
	if msg := chanye.CheckFen(o.ContractFen, chanye.MaxProjectFen); msg != "" {
		bad["contract_fen"] = msg
	}
	return chanye.Invalid("洽谈结果有误 / invalid outcome", bad)
}

// EventFilter selects fairs; nil fields are not given. From and To bound
// their days (inclusive; zero: unbounded).
type EventFilter struct {
	IndustryID *string
	From, To   chanye.Date
	Offset     int
	Limit      int // DefaultPage when 0, at most MaxPage
}

// EventService keeps the matchmaking fairs, their registrations,
// requested meetings and timetables. Every write is one transaction with
// its audit entry. Errors: EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN or
// EUNAUTHORIZED from authz (firms register and ask for meetings for
// themselves; officials plan the fairs).
type EventService interface {
	// CreateEvent stores a fair; its ID is set. EINVALID (also for an
	// unknown industry).
	CreateEvent(ctx context.Context, ev *Event) error
	// FindEventByID returns a fair with its registrations. ENOTFOUND.
	FindEventByID(ctx context.Context, id int64) (*EventPlan, error)
	// FindEvents returns a page of fairs, the latest day first, and the
	// total. EINVALID for a bad filter.
	FindEvents(ctx context.Context, f EventFilter) ([]*Event, int, error)
	// RegisterForEvent registers a registry firm for a fair in a role,
	// or changes its attendance. EINVALID, ENOTFOUND (fair, enterprise),
	// ECONFLICT past MaxRegistrations.
	RegisterForEvent(ctx context.Context, eventID int64, r Registration) error
	// RequestMeeting asks for a meeting at a fair; from a match, the
	// codes and priority left out are the match's. EINVALID (also codes
	// not the match's), ENOTFOUND (fair, match), ECONFLICT when the pair
	// has asked already.
	RequestMeeting(ctx context.Context, eventID int64, r *MeetingRequest) error
	// FindMeetingRequests returns a fair's meeting requests, the highest
	// priority first, as Schedule orders them. ENOTFOUND.
	FindMeetingRequests(ctx context.Context, eventID int64) ([]MeetingRequest, error)
	// ScheduleEvent places the fair's requested meetings (Schedule),
	// replacing its timetable, and returns it with the requests left out.
	// ENOTFOUND, ECONFLICT once outcomes are recorded.
	ScheduleEvent(ctx context.Context, eventID int64) (*Timetable, []Unscheduled, error)
	// FindTimetable returns a fair's timetable, by slot and table.
	// ENOTFOUND.
	FindTimetable(ctx context.Context, eventID int64) (*Timetable, error)
	// SaveTimetable replaces a fair's timetable with one edited by hand,
	// checked by Timetable.Validate. EINVALID (a double booking among
	// them), ENOTFOUND.
	SaveTimetable(ctx context.Context, eventID int64, t *Timetable) error
	// RecordMeetingOutcome records what became of a meeting
	// (OutcomeUpdate.Validate). EINVALID, ENOTFOUND.
	RecordMeetingOutcome(ctx context.Context, eventID, meetingID int64, o OutcomeUpdate) (*Meeting, error)
	// FindEventReport returns what a fair came to (Report). ENOTFOUND,
	// EINVALID on overflow.
	FindEventReport(ctx context.Context, eventID int64) (*EventReport, error)
}
