// Package request is the loop of enterprise requests (诉求): an
// enterprise raises a problem — a permit stuck, power for a new line,
// land, finance, talent, a policy it does not understand — or an official
// records one on its behalf; chanye routes it by responsibility, runs its
// clocks on the working-day calendar, escalates it when a clock runs out,
// and closes it only when the enterprise agrees or, failing an answer,
// after a callback the handler records. Nothing closes silently.
package request

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/workday"
)

// Status is where a request is.
type Status string

// The statuses, in the order a request moves through them. A request
// rated 不满意 goes back to acknowledged (reopened) with fresh clocks.
const (
	Submitted    Status = "submitted"    // 待签收: routed, the handling department to acknowledge
	Acknowledged Status = "acknowledged" // 办理中: acknowledged, the answer to come
	Answered     Status = "answered"     // 待确认: answered, the enterprise to confirm and rate
	Closed       Status = "closed"       // 已办结: confirmed, or closed after a callback
)

// Statuses lists the statuses with their names, in order.
var Statuses = []struct {
	Status         Status
	NameZH, NameEN string
}{
	{Submitted, "待签收", "to acknowledge"},
	{Acknowledged, "办理中", "in hand"},
	{Answered, "待确认", "answered"},
	{Closed, "已办结", "closed"},
}

// NameZH returns the status's Chinese name.
func (s Status) NameZH() string {
	for _, x := range Statuses {
		if x.Status == s {
			return x.NameZH
		}
	}
	return string(s)
}

// NameEN returns the status's English name.
func (s Status) NameEN() string {
	for _, x := range Statuses {
		if x.Status == s {
			return x.NameEN
		}
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s.NameZH() != string(s) }

// Channel is how a request came in.
type Channel string

// The channels.
const (
	ChannelOnline   Channel = "online"   // 企业自行提交
	ChannelVisit    Channel = "visit"    // 走访
	ChannelPhone    Channel = "phone"    // 电话
	ChannelMeeting  Channel = "meeting"  // 座谈会
	ChannelPlatform Channel = "platform" // 其他平台转来（带外部编号）
)

// Channels lists the channels with their names.
var Channels = []struct {
	Channel        Channel
	NameZH, NameEN string
}{
	{ChannelOnline, "企业提交", "by the enterprise"},
	{ChannelVisit, "走访", "visit"},
	{ChannelPhone, "电话", "phone"},
	{ChannelMeeting, "座谈会", "meeting"},
	{ChannelPlatform, "其他平台", "another platform"},
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, x := range Channels {
		if x.Channel == c {
			return true
		}
	}
	return false
}

// Rating is the enterprise's verdict on the answer.
type Rating string

// The ratings. Unsatisfied reopens the request.
const (
	Satisfied   Rating = "satisfied"   // 满意
	Basic       Rating = "basic"       // 基本满意
	Unsatisfied Rating = "unsatisfied" // 不满意
)

// Valid reports whether r is a known rating.
func (r Rating) Valid() bool { return r == Satisfied || r == Basic || r == Unsatisfied }

// NameZH returns the rating's Chinese name.
func (r Rating) NameZH() string {
	return map[Rating]string{Satisfied: "满意", Basic: "基本满意", Unsatisfied: "不满意"}[r]
}

// Unit is what a time limit counts: working hours or working days.
type Unit string

// The units of a limit.
const (
	Hours Unit = "hours" // hours on working days
	Days  Unit = "days"  // working days
)

// Limit is a time limit on the working-day calendar.
type Limit struct {
	N    int  `json:"n"`
	Unit Unit `json:"unit"`
}

// Bounds of a limit: a year of working days, or of working hours.
const (
	MaxLimitDays  = 260
	MaxLimitHours = 24 * 260
)

func (l Limit) String() string {
	if l.Unit == Hours {
		return fmt.Sprintf("%d 个工作小时", l.N)
	}
	return fmt.Sprintf("%d 个工作日", l.N)
}

// check returns what is wrong with l, or "".
func (l Limit) check() string {
	switch {
	case l.Unit != Hours && l.Unit != Days:
		return "单位须为 hours 或 days / the unit must be hours or days"
	case l.N < 1 || l.Unit == Days && l.N > MaxLimitDays || l.Unit == Hours && l.N > MaxLimitHours:
		return fmt.Sprintf("须为 1–%d 个工作日或 1–%d 个工作小时 / 1–%d working days or 1–%d working hours", MaxLimitDays, MaxLimitHours, MaxLimitDays, MaxLimitHours)
	}
	return ""
}

// Due returns when a clock of l started at t runs out, on cal: after N
// working hours, or at the end of the N-th working day after t's day, the
// days being China's (workday.China).
func (l Limit) Due(cal *workday.Calendar, t time.Time) time.Time {
	t = t.In(workday.China)
	if l.Unit == Hours {
		return cal.AddWorkingHours(t, l.N)
	}
	d := cal.AddWorkingDays(chanye.DateOf(t), l.N)
	y, m, day := d.Date()
	return time.Date(y, m, day+1, 0, 0, 0, 0, t.Location())
}

// Category is a kind of request and its rules — the routing table: the
// department in charge
// ("" routes it to the lead department of the enterprise's industry), the
// three time limits, the share of a limit at which its clock turns yellow,
// and how long the enterprise has to confirm an answer before the handler
// may close the request after a callback. A new database starts with
// seven (migration 0031) in the 江门 style — acknowledge within 24
// working hours, answer within 3 working days, close within 7 — each
// routed by the enterprise's industry until an administrator names the
// department in charge.
type Category struct {
	ID          string `json:"id"`
	NameZH      string `json:"name_zh"`
	NameEN      string `json:"name_en"`
	Department  string `json:"department"` // in charge; "" by industry
	Acknowledge Limit  `json:"acknowledge"`
	Answer      Limit  `json:"answer"`
	Close       Limit  `json:"close"`
	// YellowPerMille is the share of a limit, in ‰, past which its clock
	// is yellow (1–999).
	YellowPerMille int `json:"yellow_per_mille"`
	// ConfirmDays is the working days an answered request waits for the
	// enterprise before a callback may close it (1–60).
	ConfirmDays int `json:"confirm_days"`
	Position    int `json:"position"`
}

// Validate checks a category: an id of a-z 0-9 _ (2–32), names, limits in
// their bounds with acknowledge ≤ answer ≤ close as durations, the yellow
// share and the confirmation days in their bounds.
func (c *Category) Validate() error {
	bad := map[string]string{}
	c.ID, c.NameZH, c.NameEN, c.Department = strings.TrimSpace(c.ID), strings.TrimSpace(c.NameZH), strings.TrimSpace(c.NameEN), strings.TrimSpace(c.Department)
	if !idOK(c.ID) {
		bad["id"] = "2–32 个小写字母、数字或 _ / 2–32 of a-z, 0-9, _"
	}
	if n := utf8.RuneCountInString(c.NameZH); n == 0 || n > 50 {
		bad["name_zh"] = "1–50 个字符 / 1–50 characters"
	}
	if utf8.RuneCountInString(c.NameEN) > 100 {
		bad["name_en"] = "至多 100 个字符 / at most 100 characters"
	}
	for k, l := range map[string]Limit{"acknowledge": c.Acknowledge, "answer": c.Answer, "close": c.Close} {
		if msg := l.check(); msg != "" {
			bad[k] = msg
		}
	}
	if len(bad) == 0 {
		// Compared on a week without holidays: a limit in hours against
		// one in days by the same calendar.
		base := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		var plain workday.Calendar
		ack, ans, cl := c.Acknowledge.Due(&plain, base), c.Answer.Due(&plain, base), c.Close.Due(&plain, base)
		if ans.Before(ack) {
			bad["answer"] = "答复时限不能短于签收时限 / the answer's limit cannot be shorter than the acknowledgement's"
		}
		if cl.Before(ans) {
			bad["close"] = "办结时限不能短于答复时限 / the closing limit cannot be shorter than the answer's"
		}
	}
	if c.YellowPerMille < 1 || c.YellowPerMille > 999 {
		bad["yellow_per_mille"] = "须为 1–999（‰）/ 1–999 per mille"
	}
	if c.ConfirmDays < 1 || c.ConfirmDays > 60 {
		bad["confirm_days"] = "须为 1–60 个工作日 / 1–60 working days"
	}
	return chanye.Invalid("诉求类别有误 / invalid request category", bad)
}

func idOK(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Colour is the state of a clock.
type Colour string

// The colours of a clock: green within the yellow share of its limit,
// yellow past it, red past the limit; none for a clock stopped.
const (
	Green  Colour = "green"
	Yellow Colour = "yellow"
	Red    Colour = "red"
)

// Clock is the running clock of a request: which limit runs, since when
// and until when, and its colour at the instant it was read.
type Clock struct {
	Stage  string    `json:"stage"` // acknowledge, answer, close
	Start  time.Time `json:"start"`
	Due    time.Time `json:"due"`
	Colour Colour    `json:"colour"`
}

// ClockAt returns the colour at now of a clock that started at start and
// runs out at due, yellow past the share (‰) of its length.
func ClockAt(start, due, now time.Time, yellowPerMille int) Colour {
	switch {
	case now.After(due):
		return Red
	case now.Sub(start) > due.Sub(start)*time.Duration(yellowPerMille)/1000:
		return Yellow
	}
	return Green
}

// Bounds of what a request carries.
const (
	MaxTitleRunes  = 100
	MaxTextRunes   = 4000 // a description, an answer, a note
	MaxRefRunes    = 100  // an external source or reference
	MaxCoHandlers  = 5
	MaxEscalation  = 2 // 1: the industry's lead department, 2: its city leader
	DefaultPage    = 50
	MaxPage        = 1000
	MaxRequestRows = 10_000 // an import
)

// Request is one enterprise request with its handling. Zero times are
// not yet.
type Request struct {
	ID             int64     `json:"id"`
	Code           string    `json:"code"`
	EnterpriseName string    `json:"enterprise_name,omitempty"`
	IndustryID     string    `json:"industry_id"` // the enterprise's, from the registry; "" none
	CategoryID     string    `json:"category_id"`
	Title          string    `json:"title"`
	Description    string    `json:"description"`
	Channel        Channel   `json:"channel"`
	ExternalSource string    `json:"external_source,omitempty"` // another platform: the pair is unique
	ExternalRef    string    `json:"external_ref,omitempty"`
	Status         Status    `json:"status"`
	Department     string    `json:"department"` // the lead handler (牵头); "" not routed: the administrators'
	CoHandlers     []string  `json:"co_handlers,omitempty"`
	TaskForce      string    `json:"task_force,omitempty"` // the industry's
	Escalation     int       `json:"escalation"`           // 0, 1 the lead department, 2 the city leader
	Reopened       int       `json:"reopened"`
	Answer         string    `json:"answer,omitempty"`
	Rating         Rating    `json:"rating,omitempty"`
	ReceivedAt     time.Time `json:"received_at"`
	ClockStart     time.Time `json:"clock_start"` // intake, or the last reopening
	AcknowledgeDue time.Time `json:"acknowledge_due"`
	AnswerDue      time.Time `json:"answer_due"`
	CloseDue       time.Time `json:"close_due"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
	ConfirmDue     time.Time `json:"confirm_due,omitzero"` // the enterprise's, once answered
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	ClosedBy       string    `json:"closed_by,omitempty"` // confirmed, callback
	CreatedBy      string    `json:"created_by"`
	YellowPerMille int       `json:"-"`
	Clock          *Clock    `json:"clock,omitempty"` // the running one, as of the reading; nil when closed
	Events         []*Event  `json:"events,omitempty"`
}

// Event is one step of a request's history.
type Event struct {
	ID         int64     `json:"id"`
	Action     string    `json:"action"` // submit, route, reroute, cohandle, acknowledge, answer, confirm, reopen, callback, escalate
	From       Status    `json:"from,omitempty"`
	To         Status    `json:"to"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	Note       string    `json:"note,omitempty"`
	Department string    `json:"department,omitempty"` // routed or escalated to
}

// Validate checks what the person raising a request sets and trims it: a
// category, a title (1–100), a description (1–4000), a known channel, and
// an external source and reference given together (each 1–100) exactly
// for the platform channel.
func (r *Request) Validate() error {
	bad := map[string]string{}
	r.Title, r.Description = strings.TrimSpace(r.Title), strings.TrimSpace(r.Description)
	r.ExternalSource, r.ExternalRef = strings.TrimSpace(r.ExternalSource), strings.TrimSpace(r.ExternalRef)
	if r.CategoryID == "" {
		bad["category_id"] = "必填 / required"
	}
	if n := utf8.RuneCountInString(r.Title); n == 0 || n > MaxTitleRunes {
		bad["title"] = fmt.Sprintf("1–%d 个字符 / 1–%d characters", MaxTitleRunes, MaxTitleRunes)
	}
	if n := utf8.RuneCountInString(r.Description); n == 0 || n > MaxTextRunes {
		bad["description"] = fmt.Sprintf("1–%d 个字符 / 1–%d characters", MaxTextRunes, MaxTextRunes)
	}
	if !r.Channel.Valid() {
		bad["channel"] = "须为 online、visit、phone、meeting 或 platform / must be online, visit, phone, meeting or platform"
	}
	ext := r.ExternalSource != "" || r.ExternalRef != ""
	switch {
	case r.Channel == ChannelPlatform && (r.ExternalSource == "" || r.ExternalRef == ""):
		bad["external_ref"] = "其他平台转来的诉求须有来源平台和外部编号 / a request from another platform needs its source and reference"
	case r.Channel != ChannelPlatform && ext:
		bad["external_ref"] = "只有其他平台转来的诉求有外部编号 / only a request from another platform has an external reference"
	case utf8.RuneCountInString(r.ExternalSource) > MaxRefRunes || utf8.RuneCountInString(r.ExternalRef) > MaxRefRunes:
		bad["external_ref"] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxRefRunes, MaxRefRunes)
	}
	return chanye.Invalid("诉求有误 / invalid request", bad)
}

// Route returns the department in charge of a request of category c from
// an enterprise of industry ind (nil: none): the category's, else the
// industry's lead department, else "" (the administrators route it).
func Route(c *Category, ind *chanye.Industry) string {
	if c.Department != "" {
		return c.Department
	}
	if ind != nil {
		return ind.Responsibility.LeadDepartment
	}
	return ""
}

// Start sets the three due instants of a cycle started at t, on cal.
func (r *Request) Start(c *Category, cal *workday.Calendar, t time.Time) {
	r.ClockStart = t
	r.AcknowledgeDue = c.Acknowledge.Due(cal, t)
	r.AnswerDue = c.Answer.Due(cal, t)
	r.CloseDue = c.Close.Due(cal, t)
	r.YellowPerMille = c.YellowPerMille
}

// ClockAt returns the request's running clock at now: to acknowledge
// while submitted, to answer while in hand, to close while answered; nil
// once closed.
func (r *Request) ClockAt(now time.Time) *Clock {
	var stage string
	var due time.Time
	switch r.Status {
	case Submitted:
		stage, due = "acknowledge", r.AcknowledgeDue
	case Acknowledged:
		stage, due = "answer", r.AnswerDue
	case Answered:
		stage, due = "close", r.CloseDue
	default:
		return nil
	}
	return &Clock{Stage: stage, Start: r.ClockStart, Due: due, Colour: ClockAt(r.ClockStart, due, now, r.YellowPerMille)}
}

// EscalationAt returns the level a request's running clock calls for at
// now: 1 once red (the industry's lead department), 2 once red for as
// long again as the limit (the city leader); 0 otherwise.
func (r *Request) EscalationAt(now time.Time) int {
	c := r.ClockAt(now)
	switch {
	case c == nil || !now.After(c.Due):
		return 0
	case now.After(c.Due.Add(c.Due.Sub(c.Start))):
		return 2
	}
	return 1
}

// Filter selects requests; nil fields are not given. The scope fields are
// how authz narrows a list: Code an enterprise's own, Department those a
// department leads, co-handles or oversees as its industries' lead
// department, IndustryID a task force's.
type Filter struct {
	Code       *string
	Department *string
	IndustryID *string
	CategoryID *string
	Status     *Status
	Open       bool // not closed
	Overdue    bool // the running clock is red
	Offset     int
	Limit      int // DefaultPage when 0, at most MaxPage
}

// Service keeps the requests and their routing table. Every write is one
// transaction with its events, notifications and audit entry. Errors:
// ENOTFOUND, EINVALID, ECONFLICT for a step the status does not allow,
// EFORBIDDEN or EUNAUTHORIZED from authz.
type Service interface {
	// FindCategories returns the categories in order.
	FindCategories(ctx context.Context) ([]*Category, error)
	// PutCategory creates or changes a category. EINVALID (also for a
	// department not on the list).
	PutCategory(ctx context.Context, c *Category) error
	// CreateRequest takes a request in: the enterprise's industry from the
	// registry, routed by the category and the industry, its clocks
	// started. One from another platform whose (source, reference) is
	// known returns the stored one and false. ENOTFOUND for an unknown
	// enterprise, EINVALID.
	CreateRequest(ctx context.Context, r *Request) (out *Request, created bool, err error)
	// FindRequestByID returns a request with its clock and history.
	FindRequestByID(ctx context.Context, id int64) (*Request, error)
	// FindRequests returns a page of requests with their clocks, overdue
	// first, then by the running clock's due instant, closed last; and
	// the total. EINVALID.
	FindRequests(ctx context.Context, f Filter) ([]*Request, int, error)
	// Act takes a step: acknowledge, answer (note: the answer), confirm
	// (rating; unsatisfied reopens), callback (note: the call's record,
	// once the confirmation time has passed), reroute (department and
	// reason), cohandle (departments). EINVALID, ECONFLICT.
	Act(ctx context.Context, id int64, s Step) (*Request, error)
	// FindStats returns the figures of the requests received in the
	// filter's days, grouped, largest groups first. EINVALID for an
	// unknown grouping.
	FindStats(ctx context.Context, f StatsFilter) ([]*Stat, error)
	// Escalate raises every open request whose running clock calls for a
	// higher level (EscalationAt), recording each step and telling the
	// level's department or leader; it returns how many it raised.
	Escalate(ctx context.Context) (int, error)
}

// Step is what Act does.
type Step struct {
	Action      string   `json:"action"` // acknowledge, answer, confirm, callback, reroute, cohandle
	Note        string   `json:"note,omitempty"`
	Rating      Rating   `json:"rating,omitempty"`
	Department  string   `json:"department,omitempty"`  // reroute
	Departments []string `json:"departments,omitempty"` // cohandle
}

// The steps Act takes.
const (
	StepAcknowledge = "acknowledge"
	StepAnswer      = "answer"
	StepConfirm     = "confirm"
	StepCallback    = "callback"
	StepReroute     = "reroute"
	StepCoHandle    = "cohandle"
)

// Apply takes st on r at now, by whom, with r's category c and the
// calendar, and returns the events to record:
//   - acknowledge: a submitted request is in hand;
//   - answer (note: the answer): in hand → answered; the enterprise has
//     c.ConfirmDays working days to confirm;
//   - confirm (a rating): answered → closed, or, 不满意, reopened: in hand
//     again with fresh clocks;
//   - callback (note: the call's record): an answered request whose
//     confirmation time has passed closes without a rating;
//   - reroute (a department and the reason): to another department, to be
//     acknowledged by it; the clocks run on;
//   - cohandle (departments): the co-handling departments, at most
//     MaxCoHandlers, never the lead.
//
// EINVALID for a missing note, rating or department; ECONFLICT for a step
// the status does not allow.
func (r *Request) Apply(st Step, c *Category, cal *workday.Calendar, now time.Time, by string) ([]*Event, error) {
	st.Note, st.Department = strings.TrimSpace(st.Note), strings.TrimSpace(st.Department)
	bad := map[string]string{}
	if utf8.RuneCountInString(st.Note) > MaxTextRunes {
		bad["note"] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", MaxTextRunes, MaxTextRunes)
	}
	need := func(ok bool, key, msg string) {
		if !ok {
			bad[key] = msg
		}
	}
	switch st.Action {
	case StepAcknowledge:
	case StepAnswer:
		need(st.Note != "", "note", "须写明答复 / the answer is required")
	case StepConfirm:
		need(st.Rating.Valid(), "rating", "须为 satisfied、basic 或 unsatisfied / must be satisfied, basic or unsatisfied")
	case StepCallback:
		need(st.Note != "", "note", "须记录回访情况 / record the callback")
	case StepReroute:
		need(st.Department != "", "department", "必填 / required")
		need(st.Note != "", "note", "须写明改派理由 / give the reason")
	case StepCoHandle:
		seen := map[string]bool{}
		for i, d := range st.Departments {
			d = strings.TrimSpace(d)
			st.Departments[i] = d
			switch {
			case d == "":
				bad["departments"] = "不能为空 / an empty name"
			case seen[d]:
				bad["departments"] = "重复 / listed twice"
			case d == r.Department:
				bad["departments"] = "协办部门不能是牵头部门 / the lead department does not co-handle"
			}
			seen[d] = true
		}
		need(len(st.Departments) <= MaxCoHandlers, "departments", fmt.Sprintf("至多 %d 个 / at most %d", MaxCoHandlers, MaxCoHandlers))
	default:
		bad["action"] = "须为 acknowledge、answer、confirm、callback、reroute 或 cohandle / unknown step"
	}
	if err := chanye.Invalid("诉求办理有误 / invalid step", bad); err != nil {
		return nil, err
	}
	conflict := func() error {
		return chanye.Errorf(chanye.ECONFLICT, "诉求 %d %s，不能%s / request %d is %s: cannot %s", r.ID, r.Status.NameZH(), st.Action, r.ID, r.Status.NameEN(), st.Action)
	}
	ev := func(action string, to Status, note, dept string) *Event {
		return &Event{Action: action, From: r.Status, To: to, By: by, At: now, Note: note, Department: dept}
	}
	var out []*Event
	switch st.Action {
	case StepAcknowledge:
		if r.Status != Submitted {
			return nil, conflict()
		}
		out = append(out, ev(st.Action, Acknowledged, st.Note, r.Department))
		r.Status, r.AcknowledgedAt = Acknowledged, now
	case StepAnswer:
		if r.Status != Acknowledged {
			return nil, conflict()
		}
		out = append(out, ev(st.Action, Answered, st.Note, r.Department))
		r.Status, r.Answer, r.AnsweredAt = Answered, st.Note, now
		r.ConfirmDue = Limit{c.ConfirmDays, Days}.Due(cal, now)
	case StepConfirm:
		if r.Status != Answered {
			return nil, conflict()
		}
		r.Rating = st.Rating
		rated := st.Rating.NameZH()
		if st.Note != "" {
			rated += "：" + st.Note
		}
		if st.Rating == Unsatisfied {
			out = append(out, ev(st.Action, Answered, rated, ""), &Event{Action: "reopen", From: Answered, To: Acknowledged, By: by, At: now, Note: st.Note, Department: r.Department})
			r.Status, r.Reopened, r.ConfirmDue = Acknowledged, r.Reopened+1, time.Time{}
			r.Start(c, cal, now)
			r.AcknowledgedAt = now
			return out, nil
		}
		out = append(out, ev(st.Action, Closed, rated, ""))
		r.Status, r.ClosedAt, r.ClosedBy = Closed, now, "confirmed"
	case StepCallback:
		if r.Status != Answered {
			return nil, conflict()
		}
		if !now.After(r.ConfirmDue) {
			return nil, chanye.Errorf(chanye.ECONFLICT, "企业确认期至 %s，之后才能回访办结 / the enterprise may confirm until %s: a callback closes it after that",
				r.ConfirmDue.Format("2006-01-02 15:04"), r.ConfirmDue.Format("2006-01-02 15:04"))
		}
		out = append(out, ev(st.Action, Closed, st.Note, ""))
		r.Status, r.ClosedAt, r.ClosedBy = Closed, now, "callback"
	case StepReroute:
		if r.Status == Closed {
			return nil, conflict()
		}
		if st.Department == r.Department {
			return nil, chanye.Invalid("诉求办理有误 / invalid step", map[string]string{"department": "已由该部门牵头 / already the lead"})
		}
		out = append(out, ev(st.Action, Submitted, st.Note, st.Department))
		r.Status, r.Department, r.AcknowledgedAt = Submitted, st.Department, time.Time{}
		r.CoHandlers = slices.DeleteFunc(r.CoHandlers, func(d string) bool { return d == st.Department })
	case StepCoHandle:
		if r.Status == Closed {
			return nil, conflict()
		}
		out = append(out, ev(st.Action, r.Status, strings.Join(st.Departments, "、"), ""))
		r.CoHandlers = slices.Clone(st.Departments)
	}
	return out, nil
}

// Stat is one group's figures of the request loop: counts, timeliness,
// reopenings and ratings, never a name of an enterprise. Means are nil
// when nothing was measured (unknown, never zero).
type Stat struct {
	Key                string `json:"key"` // the category id, department name, industry id or city leader
	Requests           int    `json:"requests"`
	Open               int    `json:"open"`
	Closed             int    `json:"closed"`
	ClosedOnTime       int    `json:"closed_on_time"` // closed by its close limit
	Acknowledged       int    `json:"acknowledged"`
	AcknowledgedOnTime int    `json:"acknowledged_on_time"`
	Overdue            int    `json:"overdue"` // open with its running clock red, as of the reading
	Reopened           int    `json:"reopened"`
	Satisfied          int    `json:"satisfied"`
	Basic              int    `json:"basic"`
	Unsatisfied        int    `json:"unsatisfied"`
	Demo               int    `json:"demo"` // of them marked 演示数据 (their titles say so)
	// AckMinutes is the mean time from intake to acknowledgement;
	// CloseHours from intake to closure.
	AckMinutes *int64 `json:"ack_minutes,omitempty"`
	CloseHours *int64 `json:"close_hours,omitempty"`
}

// PerMille returns n of d in ‰, nil when d is 0 (unknown).
func PerMille(n, d int) *int64 {
	if d == 0 {
		return nil
	}
	v := int64(n) * 1000 / int64(d)
	return &v
}

// The groupings of StatsFilter.By.
const (
	ByCategory   = "category"
	ByDepartment = "department" // the lead department
	ByIndustry   = "industry"
	ByLeader     = "leader" // the city leader of the request's industry
)

// StatsFilter selects the requests counted: those received from From to
// To (inclusive, China days; zero: unbounded), grouped By.
type StatsFilter struct {
	By       string      `json:"by"`
	From, To chanye.Date `json:"-"`
}

// Grouping (共性问题): requests of one category from several firms on one
// chain link, or else in one industry, received within GroupWindowDays,
// are raised to the industry's task force as one issue, so that a common
// cause is solved once.
const (
	GroupMinFirms   = 3  // distinct enterprises that make an issue
	GroupWindowDays = 30 // how far back the requests of an issue go
)

// Issue is a common problem grouped from requests.
type Issue struct {
	ID         int64     `json:"id"`
	CategoryID string    `json:"category_id"`
	IndustryID string    `json:"industry_id"`
	LinkID     string    `json:"link_id,omitempty"` // "" the industry as a whole
	TaskForce  string    `json:"task_force,omitempty"`
	Firms      int       `json:"firms"`
	RaisedAt   time.Time `json:"raised_at"`
	Solved     bool      `json:"solved"`
	SolvedAt   time.Time `json:"solved_at,omitzero"`
	Note       string    `json:"note,omitempty"` // how it was solved
	// Members are the requests grouped, with their enterprises.
	Members []IssueMember `json:"members"`
}

// IssueMember is a request of an issue.
type IssueMember struct {
	RequestID      int64  `json:"request_id"`
	Code           string `json:"code"`
	EnterpriseName string `json:"enterprise_name,omitempty"`
	Title          string `json:"title"`
	Status         Status `json:"status"`
}

// IssueFilter selects issues; IndustryIDs is how authz narrows them to
// the industries a task force or a department answers for (nil: all).
type IssueFilter struct {
	IndustryIDs []string
	Open        bool
}

// IssueService groups requests into issues and keeps them.
type IssueService interface {
	// GroupRequests raises the issues the requests not yet grouped make,
	// by link first, then by industry; it returns how many it raised.
	GroupRequests(ctx context.Context) (int, error)
	// FindIssues returns the issues, open first, the latest first.
	FindIssues(ctx context.Context, f IssueFilter) ([]*Issue, error)
	// SolveIssue records how an issue was solved (note, 1–4000). EINVALID,
	// ENOTFOUND, ECONFLICT when solved already.
	SolveIssue(ctx context.Context, id int64, note string) (*Issue, error)
}

// File is an attachment of a request: bounded in size and type as a
// policy application's (policy.CheckAttachment: PDF, JPEG or PNG by their
// bytes, at most 10 MB, policy.MaxAttachments a request), checksummed,
// only ever served as a download.
type File struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// FileService keeps the attachments of requests.
type FileService interface {
	// AddFile attaches a file to an open request. EINVALID, ENOTFOUND,
	// ECONFLICT for a closed request or one with policy.MaxAttachments.
	AddFile(ctx context.Context, id int64, name string, data []byte) (*File, error)
	// FindFiles lists a request's files, without their bytes.
	FindFiles(ctx context.Context, id int64) ([]*File, error)
	// FindFile returns one file with its bytes. ENOTFOUND.
	FindFile(ctx context.Context, id, fileID int64) (*File, []byte, error)
}
