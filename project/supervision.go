package project

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// Supervision (督办): a leader or a department instructs a project's owner
// — the owner enterprise or the industry's task force — to act by a due
// date; the owner answers; the issuer closes the item or sends it back for
// a better answer. Every step is an event of the item's history. A 招商
// lead (package invest) is supervised the same way, its owner — a task
// force, a department or a district — answering: such an item has a
// LeadID instead of a ProjectID and is kept by a service of its own, with
// ids of its own.

// SupStatus is where a supervision item is.
type SupStatus string

// The statuses of a supervision item.
const (
	SupIssued   SupStatus = "issued"   // 待答复: waiting for the owner's answer
	SupAnswered SupStatus = "answered" // 已答复: waiting for the issuer
	SupReturned SupStatus = "returned" // 已退回: sent back, waiting for a new answer
	SupClosed   SupStatus = "closed"   // 已办结
)

// SupStatuses lists the statuses with their names, in order.
var SupStatuses = []struct {
	Status         SupStatus
	NameZH, NameEN string
}{
	{SupIssued, "待答复", "awaiting answer"},
	{SupAnswered, "已答复", "answered"},
	{SupReturned, "已退回", "sent back"},
	{SupClosed, "已办结", "closed"},
}

// NameZH returns the status's Chinese name.
func (s SupStatus) NameZH() string {
	for _, x := range SupStatuses {
		if x.Status == s {
			return x.NameZH
		}
	}
	return string(s)
}

// NameEN returns the status's English name.
func (s SupStatus) NameEN() string {
	for _, x := range SupStatuses {
		if x.Status == s {
			return x.NameEN
		}
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s SupStatus) Valid() bool { return s.NameZH() != string(s) }

// Awaiting reports whether the owner is to answer.
func (s SupStatus) Awaiting() bool { return s == SupIssued || s == SupReturned }

// SupAction is a step of a supervision item.
type SupAction string

// The steps: the owner answers; the issuer returns or closes.
const (
	SupAnswer SupAction = "answer"
	SupReturn SupAction = "return"
	SupClose  SupAction = "close"
)

// Next returns the status action leads to from s, or false when it may
// not be taken: an answer while the owner is to answer, a return of an
// answer, a close of any open item (an unanswered one is withdrawn).
func (s SupStatus) Next(action SupAction) (SupStatus, bool) {
	switch {
	case action == SupAnswer && s.Awaiting():
		return SupAnswered, true
	case action == SupReturn && s == SupAnswered:
		return SupReturned, true
	case action == SupClose && s != SupClosed && s.Valid():
		return SupClosed, true
	}
	return "", false
}

// Addressee says who answers a supervision item.
type Addressee string

// The addressees.
const (
	ToOwner     Addressee = "owner"      // the owner enterprise (项目业主)
	ToTaskForce Addressee = "task_force" // the task force of the project's industry
	ToLeadOwner Addressee = "lead_owner" // a 招商 lead's owner: its task force, department or district
)

// MaxSupervisionDays bounds how far ahead a due date may be.
const MaxSupervisionDays = 366

// MaxSupervisionText bounds an instruction, an answer or a note.
const MaxSupervisionText = 2000

// Supervision is one supervision item (督办事项).
type Supervision struct {
	ID          int64  `json:"id"`
	ProjectID   string `json:"project_id,omitempty"`
	ProjectName string `json:"project_name,omitempty"`
	// A lead's item: the lead, its target's name and its owner (kind
	// task_force, department or district, and the name or code).
	LeadID        int64       `json:"lead_id,omitempty"`
	LeadName      string      `json:"lead_name,omitempty"`
	LeadOwnerKind string      `json:"lead_owner_kind,omitempty"`
	LeadOwnerName string      `json:"lead_owner_name,omitempty"`
	IndustryID    string      `json:"industry_id,omitempty"`
	OwnerCode     string      `json:"owner_code,omitempty"`
	Addressee     Addressee   `json:"addressee"`
	Instruction   string      `json:"instruction"`
	DueOn         chanye.Date `json:"due_on"`
	Status        SupStatus   `json:"status"`
	Answer        string      `json:"answer,omitempty"` // the latest answer
	// The issuer: the account's name, its role, its department (for a
	// department) and user id (0 for the operator).
	IssuedBy         string      `json:"issued_by"`
	IssuerRole       chanye.Role `json:"issuer_role"`
	IssuerDepartment string      `json:"issuer_department,omitempty"`
	IssuerUserID     int64       `json:"-"`
	IssuedAt         time.Time   `json:"issued_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
	// Overdue is computed as of the day of reading: the owner is still to
	// answer after the due date.
	Overdue bool                `json:"overdue"`
	Events  []*SupervisionEvent `json:"events,omitempty"`
}

// SupervisionEvent is one step of an item's history.
type SupervisionEvent struct {
	ID     int64     `json:"id"`
	Action string    `json:"action"` // issue, answer, return, close
	From   SupStatus `json:"from,omitempty"`
	To     SupStatus `json:"to"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// Validate checks a new item as of today: an addressee (a lead's owner
// for a lead's item, the default when not given), an instruction of
// 1–2000 characters, a due date from today to MaxSupervisionDays ahead.
func (s *Supervision) Validate(today chanye.Date) error {
	f := map[string]string{}
	s.Instruction = strings.TrimSpace(s.Instruction)
	switch {
	case s.LeadID != 0 && s.Addressee == "":
		s.Addressee = ToLeadOwner
	case s.LeadID != 0 && s.Addressee != ToLeadOwner:
		f["addressee"] = "线索的督办对象须为 lead_owner / a lead's item goes to its owner: lead_owner"
	case s.LeadID == 0 && s.Addressee != ToOwner && s.Addressee != ToTaskForce:
		f["addressee"] = "须为 owner 或 task_force / must be owner or task_force"
	}
	if n := utf8.RuneCountInString(s.Instruction); n == 0 || n > MaxSupervisionText {
		f["instruction"] = "须为 1–2000 个字符 / 1–2000 characters"
	}
	last := chanye.DateOf(today.AddDate(0, 0, MaxSupervisionDays))
	switch {
	case s.DueOn.IsZero():
		f["due_on"] = "必填 / required"
	case s.DueOn.Before(today.Time):
		f["due_on"] = fmt.Sprintf("不能早于今天 %s / cannot be before today, %s", today, today)
	case s.DueOn.After(last.Time):
		f["due_on"] = fmt.Sprintf("不能晚于 %s（一年内）/ cannot be after %s (within a year)", last, last)
	}
	return chanye.Invalid("督办事项有误 / invalid supervision item", f)
}

// CheckStep checks the note of a step: an answer needs one, so does a
// return (what is missing); a close may have one. EINVALID keyed note.
func CheckStep(action SupAction, note string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(note))
	switch {
	case action != SupAnswer && action != SupReturn && action != SupClose:
		return chanye.Invalid("督办操作有误 / invalid step", map[string]string{"action": "须为 answer、return 或 close / must be answer, return or close"})
	case n > MaxSupervisionText:
		return chanye.Invalid("督办操作有误 / invalid step", map[string]string{"note": "不超过 2000 个字符 / at most 2000 characters"})
	case n == 0 && action != SupClose:
		return chanye.Invalid("督办操作有误 / invalid step", map[string]string{"note": "必填 / required"})
	}
	return nil
}

// SupervisionFilter selects supervision items; nil fields match all. The
// scope fields are how authz narrows a list to an actor's items:
// OwnerCode the projects of an enterprise (addressed to it), IndustryID
// those of an industry, Department the projects a department answers for
// (for leads: the leads of the industries it leads and those it owns) or
// the items it issued, District the leads a district owns.
type SupervisionFilter struct {
	ProjectID  *string
	LeadID     *int64  // a lead's items (the leads' service only)
	District   *string // the items on the leads a district owns
	Status     *SupStatus
	Open       bool // only items not closed
	OwnerCode  *string
	IndustryID *string
	Department *string
	Offset     int
	Limit      int // 0 means the default page of 50; at most 1000
}

// SupervisionService issues and moves supervision items. Lists put open
// items first, overdue ones before the others, then by due date. Errors:
// ENOTFOUND, EINVALID, ECONFLICT for a step the status does not allow,
// EFORBIDDEN or EUNAUTHORIZED from authz.
type SupervisionService interface {
	// CreateSupervision issues an item on s.ProjectID from the actor on
	// the context, due s.DueOn. ENOTFOUND, EINVALID.
	CreateSupervision(ctx context.Context, s *Supervision) (*Supervision, error)
	// MoveSupervision takes a step (answer, return, close) with a note.
	// ENOTFOUND, EINVALID, ECONFLICT.
	MoveSupervision(ctx context.Context, id int64, action SupAction, note string) (*Supervision, error)
	// FindSupervisionByID returns an item with its history. ENOTFOUND.
	FindSupervisionByID(ctx context.Context, id int64) (*Supervision, error)
	// FindSupervisions returns a page of items with their histories and
	// the total. EINVALID.
	FindSupervisions(ctx context.Context, f SupervisionFilter) ([]*Supervision, int, error)
}
