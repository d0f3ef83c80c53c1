package scenario

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
)

// Action is a step of a scenario's life that Apply takes.
type Action string

// The actions, with the statuses they start from and lead to.
const (
	ActPublish           Action = "publish"            // draft → published
	ActStartReview       Action = "start_review"       // published → reviewing, after the deadline
	ActSelect            Action = "select"             // reviewing → piloting: ApplicationID
	ActAddMilestone      Action = "add_milestone"      // piloting: Name, Due
	ActCompleteMilestone Action = "complete_milestone" // piloting: MilestoneNo, On, Evidence
	ActConfirmFirstUse   Action = "confirm_first_use"  // piloting → first_use: On, Evidence
	ActProcure           Action = "procure"            // first_use, procured → procured: Buyer, AmountFen, On
	ActClose             Action = "close"              // draft, published, reviewing, piloting → closed: Reason
)

// Actions lists the actions with their names and the statuses each may be
// taken from, in the order of a scenario's life.
var Actions = []struct {
	Action         Action
	NameZH, NameEN string
	From           []Status
}{
	{ActPublish, "发布", "publish", []Status{Draft}},
	{ActStartReview, "开始评审", "start the review", []Status{Published}},
	{ActSelect, "确定入选方案", "select an application", []Status{Reviewing}},
	{ActAddMilestone, "添加试点节点", "add a milestone", []Status{Piloting}},
	{ActCompleteMilestone, "完成试点节点", "complete a milestone", []Status{Piloting}},
	{ActConfirmFirstUse, "确认首试首用", "confirm the first use", []Status{Piloting}},
	{ActProcure, "记录采购", "record a procurement", []Status{FirstUse, Procured}},
	{ActClose, "终止（未成）", "close without result", []Status{Draft, Published, Reviewing, Piloting}},
}

// From returns the statuses a is allowed from; nil for an unknown action.
func (a Action) From() []Status {
	for _, x := range Actions {
		if x.Action == a {
			return x.From
		}
	}
	return nil
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return a.From() != nil }

// Move asks Apply to take a step. Only the fields of its action count;
// a zero On is today.
type Move struct {
	Action        Action      `json:"action"`
	ApplicationID int64       `json:"application_id,omitempty"` // select
	Name          string      `json:"name,omitempty"`           // add_milestone
	Due           chanye.Date `json:"due,omitzero"`             // add_milestone
	MilestoneNo   int         `json:"milestone_no,omitempty"`   // complete_milestone
	// On is the day a milestone was done, the first use took place or a
	// procurement was made.
	On        chanye.Date `json:"on,omitzero"`
	Evidence  string      `json:"evidence,omitempty"`   // complete_milestone, confirm_first_use
	Buyer     string      `json:"buyer,omitempty"`      // procure
	AmountFen chanye.Fen  `json:"amount_fen,omitempty"` // procure
	Reason    string      `json:"reason,omitempty"`     // close
	Note      string      `json:"note,omitempty"`       // any: recorded on the event
}

// Event is one entry of a scenario's history: what happened (Action), the
// status before and after (the same for a milestone or a further
// procurement), the day it was recorded (On: Apply's today; the day a
// milestone was done, the first use or a purchase took place is on the
// scenario), by whom, with a note (the move's note, else its reason,
// evidence, milestone or buyer). The store sets ID and At (the instant it
// wrote it).
type Event struct {
	ID            int64       `json:"id"`
	ScenarioID    int64       `json:"scenario_id"`
	Action        Action      `json:"action"`
	From          Status      `json:"from,omitempty"` // "" at creation
	To            Status      `json:"to"`
	On            chanye.Date `json:"on"`
	By            string      `json:"by"`
	At            time.Time   `json:"at,omitzero"`
	Note          string      `json:"note,omitempty"`
	ApplicationID int64       `json:"application_id,omitempty"` // select
	MilestoneNo   int         `json:"milestone_no,omitempty"`   // add_milestone, complete_milestone
	AmountFen     *chanye.Fen `json:"amount_fen,omitempty"`     // procure
}

// ActCreate is the action of the event the store records when it creates
// a scenario (From "", To draft); Apply does not take it.
const ActCreate Action = "create"

// Apply takes m on s as of today, by whom, and returns the event to
// record. It checks the status first: a step the status does not allow
// is ECONFLICT (so is starting the review before the deadline has passed
// or with no application, and completing a milestone twice); then the
// step's input: EINVALID naming the field. The rules of each action:
//   - publish: s must Validate and its deadline must not be before today;
//   - start_review: only after the deadline day (no early start: an
//     applicant may apply until the end of it; to shorten a call, close
//     it and publish another) and with at least one application
//     (s.Applications);
//   - select: an application id; the store checks that it is a submitted
//     application of s and marks the applications (MarkSelected), and
//     that the ranking is complete (Rank);
//   - add_milestone: a name and a due day not before the pilot began
//     (PilotOn), at most MaxMilestones;
//   - complete_milestone: the milestone's number, evidence, a done day
//     (On) not in the future nor before the pilot began;
//   - confirm_first_use: evidence and a day (On) not in the future nor
//     before the pilot's start — the later of the planned PilotStart and
//     PilotOn; by is recorded as who confirmed it;
//   - procure: a buyer, an amount in (0, MaxProcurementFen], a day (On)
//     not in the future nor before the first use, at most MaxProcurements,
//     their total within int64 (EINVALID "amount_fen" otherwise);
//   - close: a reason; from any status before the first use.
//
// s is changed only when Apply succeeds.
func (s *Scenario) Apply(m Move, today chanye.Date, by string) ([]*Event, error) {
	if !m.Action.Valid() {
		return nil, chanye.Invalid("应用场景操作有误 / invalid step", map[string]string{
			"action": fmt.Sprintf("未知操作 %q / unknown action", m.Action)})
	}
	if !slices.Contains(m.Action.From(), s.Status) {
		return nil, chanye.Errorf(chanye.ECONFLICT, "应用场景处于「%s」阶段，不能%s / the scenario is %s: cannot %s",
			s.Status.NameZH(), m.Action.nameZH(), s.Status.NameEN(), m.Action.nameEN())
	}
	m.Name, m.Evidence, m.Buyer = strings.TrimSpace(m.Name), strings.TrimSpace(m.Evidence), strings.TrimSpace(m.Buyer)
	m.Reason, m.Note = strings.TrimSpace(m.Reason), strings.TrimSpace(m.Note)
	if m.On.IsZero() {
		m.On = today
	}
	bad := map[string]string{}
	text(bad, "note", m.Note, 0, MaxTextRunes)
	// onDay checks m.On: not in the future, not before since (named).
	onDay := func(since chanye.Date, sinceZH, sinceEN string) {
		switch {
		case m.On.After(today.Time):
			bad["on"] = "不能晚于今天 / cannot be in the future"
		case m.On.Before(since.Time):
			bad["on"] = fmt.Sprintf("不能早于%s %s / cannot be before %s, %s", sinceZH, since, sinceEN, since)
		}
	}
	ev := &Event{ScenarioID: s.ID, Action: m.Action, From: s.Status, To: s.Status, On: today, By: by, Note: m.Note}
	n := *s // changed, then kept only if every check passes
	n.Criteria = slices.Clone(s.Criteria)
	switch m.Action {
	case ActPublish:
		if err := n.Validate(); err != nil {
			return nil, err
		}
		if n.Deadline.Before(today.Time) {
			bad["deadline"] = "揭榜截止日期已过 / the application deadline has passed"
		}
		n.Status, n.PublishedOn = Published, today
	case ActStartReview:
		if !today.After(s.Deadline.Time) {
			return nil, chanye.Errorf(chanye.ECONFLICT, "揭榜至 %s 截止，之后才能开始评审 / applications are open until %s: the review starts after that", s.Deadline, s.Deadline)
		}
		if s.Applications == 0 {
			return nil, chanye.Errorf(chanye.ECONFLICT, "没有揭榜申请，无从评审；可终止该场景 / there is no application to review: close the scenario instead")
		}
		n.Status, n.ReviewOn = Reviewing, today
	case ActSelect:
		if m.ApplicationID <= 0 {
			bad["application_id"] = "必填 / required"
		}
		n.Status, n.SelectedID, n.PilotOn = Piloting, m.ApplicationID, today
		ev.ApplicationID = m.ApplicationID
	case ActAddMilestone:
		text(bad, "name", m.Name, 1, MaxNameRunes)
		if date(bad, "due", m.Due) && m.Due.Before(s.PilotOn.Time) {
			bad["due"] = fmt.Sprintf("不能早于试点开始之日 %s / cannot be before the pilot began, %s", s.PilotOn, s.PilotOn)
		}
		if len(s.Milestones) >= MaxMilestones {
			bad["milestones"] = fmt.Sprintf("至多 %d 个试点节点 / at most %d milestones", MaxMilestones, MaxMilestones)
		}
		no := len(s.Milestones) + 1
		n.Milestones = append(append([]Milestone(nil), s.Milestones...), Milestone{No: no, Name: m.Name, Due: m.Due})
		ev.MilestoneNo = no
		if ev.Note == "" {
			ev.Note = m.Name
		}
	case ActCompleteMilestone:
		i := m.MilestoneNo - 1
		if i < 0 || i >= len(s.Milestones) {
			bad["milestone_no"] = fmt.Sprintf("没有第 %d 个试点节点 / there is no milestone %d", m.MilestoneNo, m.MilestoneNo)
			break
		}
		if s.Milestones[i].IsDone() {
			return nil, chanye.Errorf(chanye.ECONFLICT, "试点节点 %d 已于 %s 完成 / milestone %d was done on %s", m.MilestoneNo, s.Milestones[i].Done, m.MilestoneNo, s.Milestones[i].Done)
		}
		text(bad, "evidence", m.Evidence, 1, MaxTextRunes)
		onDay(s.PilotOn, "试点开始之日", "the day the pilot began")
		n.Milestones = append([]Milestone(nil), s.Milestones...)
		n.Milestones[i].Done, n.Milestones[i].Evidence = m.On, m.Evidence
		ev.MilestoneNo = m.MilestoneNo
		if ev.Note == "" {
			ev.Note = m.Evidence
		}
	case ActConfirmFirstUse:
		text(bad, "evidence", m.Evidence, 1, MaxTextRunes)
		onDay(s.pilotStarted(), "试点开始之日", "the pilot's start")
		n.Status, n.FirstUseOn, n.FirstUseEvidence, n.FirstUseBy = FirstUse, m.On, m.Evidence, by
		if ev.Note == "" {
			ev.Note = m.Evidence
		}
	case ActProcure:
		text(bad, "buyer", m.Buyer, 1, MaxNameRunes)
		if msg := checkAmount(m.AmountFen, MaxProcurementFen, "须填采购金额", "give the amount"); msg != "" {
			bad["amount_fen"] = msg
		}
		onDay(s.FirstUseOn, "首试首用之日", "the first use")
		if len(s.Procurements) >= MaxProcurements {
			bad["procurements"] = fmt.Sprintf("至多 %d 笔采购 / at most %d procurements", MaxProcurements, MaxProcurements)
		}
		n.Status = Procured
		n.Procurements = append(append([]Procurement(nil), s.Procurements...), Procurement{Buyer: m.Buyer, AmountFen: m.AmountFen, On: m.On, By: by})
		if len(bad) == 0 {
			if _, err := n.ProcuredFen(); err != nil {
				return nil, err
			}
		}
		amount := m.AmountFen
		ev.AmountFen = &amount
		if ev.Note == "" {
			ev.Note = m.Buyer
		}
	case ActClose:
		text(bad, "reason", m.Reason, 1, MaxTextRunes)
		n.Status, n.ClosedOn, n.CloseReason = Closed, today, m.Reason
		if ev.Note == "" {
			ev.Note = m.Reason
		}
	}
	if err := chanye.Invalid("应用场景操作有误 / invalid step", bad); err != nil {
		return nil, err
	}
	ev.To = n.Status
	*s = n
	return []*Event{ev}, nil
}

// pilotStarted is the day before which nothing of the pilot can have
// happened: the later of the planned start and the day of selection.
func (s *Scenario) pilotStarted() chanye.Date {
	if s.PilotStart.After(s.PilotOn.Time) {
		return s.PilotStart
	}
	return s.PilotOn
}

func (a Action) nameZH() string {
	for _, x := range Actions {
		if x.Action == a {
			return x.NameZH
		}
	}
	return string(a)
}

func (a Action) nameEN() string {
	for _, x := range Actions {
		if x.Action == a {
			return x.NameEN
		}
	}
	return string(a)
}
