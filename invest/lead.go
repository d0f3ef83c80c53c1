package invest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
	"github.com/chanye-org/chanye/uscc"
)

// Stage is where a lead stands. The open stages and 落地 are ordered (see
// Ordinal); lost is off the path.
type Stage string

// The stages.
const (
	StageClue      Stage = "clue"      // 线索
	StageContact   Stage = "contact"   // 接洽
	StageVisit     Stage = "visit"     // 考察
	StageNegotiate Stage = "negotiate" // 洽谈
	StageSigned    Stage = "signed"    // 签约
	StageLanded    Stage = "landed"    // 落地
	StageLost      Stage = "lost"      // 流失
)

// Stages lists the stages on the path, in order, then lost.
var Stages = []struct {
	Stage          Stage
	NameZH, NameEN string
}{
	{StageClue, "线索", "clue"},
	{StageContact, "接洽", "contact"},
	{StageVisit, "考察", "visit"},
	{StageNegotiate, "洽谈", "negotiation"},
	{StageSigned, "签约", "signed"},
	{StageLanded, "落地", "landed"},
	{StageLost, "流失", "lost"},
}

// Path is the stages a lead moves through, in order.
var Path = []Stage{StageClue, StageContact, StageVisit, StageNegotiate, StageSigned, StageLanded}

// Ordinal returns the stage's place on Path, -1 for lost or an unknown
// stage.
func (s Stage) Ordinal() int {
	for i, x := range Path {
		if x == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return s.Ordinal() >= 0 || s == StageLost }

// Closed reports whether a lead in s has ended: landed or lost.
func (s Stage) Closed() bool { return s == StageLanded || s == StageLost }

// NameZH returns the stage's Chinese name.
func (s Stage) NameZH() string {
	for _, x := range Stages {
		if x.Stage == s {
			return x.NameZH
		}
	}
	return string(s)
}

// NameEN returns the stage's English name.
func (s Stage) NameEN() string {
	for _, x := range Stages {
		if x.Stage == s {
			return x.NameEN
		}
	}
	return string(s)
}

// OwnerKind is who follows a lead.
type OwnerKind string

// The owners of a lead. A district owner's name is its district code.
const (
	OwnerTaskForce  OwnerKind = "task_force" // 工作专班
	OwnerDepartment OwnerKind = "department" // 市直部门
	OwnerDistrict   OwnerKind = "district"   // 区
)

// Valid reports whether k is a known owner kind.
func (k OwnerKind) Valid() bool {
	return k == OwnerTaskForce || k == OwnerDepartment || k == OwnerDistrict
}

// MaxLeadFen bounds a lead's expected and signed investment: 10 万亿元
// (10^15 fen), ten times chanye.MaxProjectFen, since a framework
// agreement may cover several projects. Funnel sums of leads stay far
// from int64 overflow and are checked all the same.
const MaxLeadFen chanye.Fen = 1_000_000_000_000_000

// MaxLeadAgeYears bounds how far back a lead's first day (StageOn at
// creation: the day the clue came in, recorded later) may lie.
const MaxLeadAgeYears = 5

// Lead is one investment lead (线索) following a target. Nil amounts and
// zero dates are not known or not yet.
type Lead struct {
	ID             int64       `json:"id"`
	TargetID       int64       `json:"target_id"`
	TargetName     string      `json:"target_name,omitempty"` // read from the target
	IndustryID     string      `json:"industry_id"`           // the target's
	LinkID         string      `json:"link_id"`               // the link it would fill; "" the industry as a whole
	Stage          Stage       `json:"stage"`
	StageOn        chanye.Date `json:"stage_on"` // the day it reached Stage
	OwnerKind      OwnerKind   `json:"owner_kind"`
	OwnerName      string      `json:"owner_name"` // a task force, a department, a district code
	ExpectedFen    *chanye.Fen `json:"expected_fen,omitempty"`
	NextAction     string      `json:"next_action"`
	NextActionOn   chanye.Date `json:"next_action_on,omitzero"`
	SignedOn       chanye.Date `json:"signed_on,omitzero"`
	SignedFen      *chanye.Fen `json:"signed_fen,omitempty"`
	LandedOn       chanye.Date `json:"landed_on,omitzero"`
	LostReason     string      `json:"lost_reason,omitempty"`
	ProjectID      string      `json:"project_id,omitempty"`      // the key project it became
	EnterpriseCode string      `json:"enterprise_code,omitempty"` // the registry enterprise it became
	CreatedAt      time.Time   `json:"created_at,omitzero"`
	CreatedBy      string      `json:"created_by,omitempty"`
	UpdatedAt      time.Time   `json:"updated_at,omitzero"`
}

// Validate checks what a user sets on a lead and trims it: an owner, the
// expected investment within [0, MaxLeadFen], a next action of at most
// MaxActionRunes with its date. The store checks the target, the link and
// a district owner against the catalog.
func (l *Lead) Validate() error {
	bad := map[string]string{}
	l.OwnerName, l.NextAction, l.LinkID = strings.TrimSpace(l.OwnerName), strings.TrimSpace(l.NextAction), strings.TrimSpace(l.LinkID)
	if l.TargetID <= 0 {
		bad["target_id"] = "必填 / required"
	}
	if !l.OwnerKind.Valid() {
		bad["owner_kind"] = fmt.Sprintf("%q 须为 task_force、department 或 district / must be task_force, department or district", l.OwnerKind)
	}
	text(bad, "owner_name", l.OwnerName, 1, MaxOwnerRunes)
	if l.ExpectedFen != nil {
		if msg := chanye.CheckFen(*l.ExpectedFen, MaxLeadFen); msg != "" {
			bad["expected_fen"] = msg
		}
	}
	text(bad, "next_action", l.NextAction, 0, MaxActionRunes)
	if !l.NextActionOn.IsZero() && l.NextAction == "" {
		bad["next_action"] = "给出日期时须写明下一步 / say what the next action is"
	}
	return chanye.Invalid("线索有误 / invalid lead", bad)
}

// LeadUpdate changes an open lead; nil fields are left as they are. An
// empty NextAction with a zero NextActionOn clears the next action.
type LeadUpdate struct {
	LinkID       *string      `json:"link_id"`
	OwnerKind    *OwnerKind   `json:"owner_kind"`
	OwnerName    *string      `json:"owner_name"`
	ExpectedFen  *chanye.Fen  `json:"expected_fen"`
	NextAction   *string      `json:"next_action"`
	NextActionOn *chanye.Date `json:"next_action_on"`
}

// Apply returns l with the update's fields set.
func (u LeadUpdate) Apply(l Lead) Lead {
	if u.LinkID != nil {
		l.LinkID = *u.LinkID
	}
	if u.OwnerKind != nil {
		l.OwnerKind = *u.OwnerKind
	}
	if u.OwnerName != nil {
		l.OwnerName = *u.OwnerName
	}
	if u.ExpectedFen != nil {
		v := *u.ExpectedFen
		l.ExpectedFen = &v
	}
	if u.NextAction != nil {
		l.NextAction = *u.NextAction
	}
	if u.NextActionOn != nil {
		l.NextActionOn = *u.NextActionOn
	}
	return l
}

// EventKind is what an entry of a lead's history records.
type EventKind string

// The kinds of event: a stage change, or a contact with the target.
const (
	EventStage   EventKind = "stage"   // 阶段变更
	EventVisit   EventKind = "visit"   // 走访
	EventCall    EventKind = "call"    // 电话
	EventMeeting EventKind = "meeting" // 会谈
	EventEmail   EventKind = "email"   // 邮件
)

// Contact reports whether k is a kind of contact record.
func (k EventKind) Contact() bool {
	return k == EventVisit || k == EventCall || k == EventMeeting || k == EventEmail
}

// Event is one entry of a lead's history. A stage change has From and To
// (From "" when the lead was created); Skipped marks a stage passed on the
// way to a later one, on the same day.
type Event struct {
	ID      int64       `json:"id"`
	LeadID  int64       `json:"lead_id"`
	On      chanye.Date `json:"on"`
	Kind    EventKind   `json:"kind"`
	From    Stage       `json:"from,omitempty"`
	To      Stage       `json:"to,omitempty"`
	Skipped bool        `json:"skipped,omitempty"`
	By      string      `json:"by"`
	Note    string      `json:"note"`
	At      time.Time   `json:"at,omitzero"`
}

// ValidateContact checks a contact record as of today: a contact kind, a
// day not after today, a note of at most MaxNoteRunes.
func (e *Event) ValidateContact(today chanye.Date) error {
	bad := map[string]string{}
	e.Note = strings.TrimSpace(e.Note)
	if !e.Kind.Contact() {
		bad["kind"] = fmt.Sprintf("%q 须为 visit、call、meeting 或 email / must be visit, call, meeting or email", e.Kind)
	}
	switch {
	case e.On.IsZero():
		bad["on"] = "必填 / required"
	case e.On.After(today.Time):
		bad["on"] = "不能晚于今天 / cannot be in the future"
	}
	text(bad, "note", e.Note, 0, MaxNoteRunes)
	return chanye.Invalid("接洽记录有误 / invalid contact record", bad)
}

// Move asks a lead to move to a stage on a day (today when zero). Moving
// to or past 签约 needs SignedFen; 落地 needs the key project or the
// registry enterprise the lead became (unless it has one already); lost
// needs a reason.
type Move struct {
	To             Stage       `json:"to"`
	On             chanye.Date `json:"on"`
	SignedFen      *chanye.Fen `json:"signed_fen,omitempty"`
	ProjectID      string      `json:"project_id,omitempty"`
	EnterpriseCode string      `json:"enterprise_code,omitempty"`
	LostReason     string      `json:"lost_reason,omitempty"`
	Note           string      `json:"note,omitempty"`
}

// Apply moves l as m asks as of today, by whom, and returns the stage
// events to record: one per stage reached, those passed on the way marked
// Skipped. Moves go forward only; a closed lead (landed, lost) does not
// move (ECONFLICT). The store checks that a project or enterprise named
// exists.
func (l *Lead) Apply(m Move, today chanye.Date, by string) ([]*Event, error) {
	if l.Stage.Closed() {
		return nil, chanye.Errorf(chanye.ECONFLICT, "线索已%s，不能再变更 / the lead is %s and cannot move", l.Stage.NameZH(), l.Stage.NameEN())
	}
	bad := map[string]string{}
	m.Note, m.LostReason = strings.TrimSpace(m.Note), strings.TrimSpace(m.LostReason)
	m.ProjectID, m.EnterpriseCode = strings.TrimSpace(m.ProjectID), uscc.Normalize(m.EnterpriseCode)
	if m.On.IsZero() {
		m.On = today
	}
	switch {
	case m.On.After(today.Time):
		bad["on"] = "不能晚于今天 / cannot be in the future"
	case m.On.Before(l.StageOn.Time):
		bad["on"] = fmt.Sprintf("不能早于进入当前阶段之日 %s / cannot be before the day the lead reached its stage, %s", l.StageOn, l.StageOn)
	}
	text(bad, "note", m.Note, 0, MaxNoteRunes)
	from, to := l.Stage.Ordinal(), m.To.Ordinal()
	switch {
	case m.To == StageLost:
		text(bad, "lost_reason", m.LostReason, 1, MaxNoteRunes)
	case !m.To.Valid():
		bad["to"] = fmt.Sprintf("未知阶段 %q / unknown stage", m.To)
	case to <= from:
		bad["to"] = fmt.Sprintf("只能向前推进，当前为%s / moves go forward only; the lead is at %s", l.Stage.NameZH(), l.Stage.NameEN())
	}
	signs := to >= StageSigned.Ordinal() && l.SignedOn.IsZero()
	if signs {
		switch {
		case m.SignedFen == nil:
			bad["signed_fen"] = "签约须填签约投资额 / give the signed investment"
		case *m.SignedFen <= 0:
			bad["signed_fen"] = "须大于 0 / must be positive"
		default:
			if msg := chanye.CheckFen(*m.SignedFen, MaxLeadFen); msg != "" {
				bad["signed_fen"] = msg
			}
		}
	}
	if m.EnterpriseCode != "" {
		if err := uscc.Validate(m.EnterpriseCode); err != nil {
			bad["enterprise_code"] = err.Error()
		}
	}
	if m.ProjectID != "" && !project.IDPattern.MatchString(m.ProjectID) {
		bad["project_id"] = "须为 1–40 位字母、数字或连字符 / 1–40 letters, digits or dashes"
	}
	if m.To == StageLanded && l.ProjectID == "" && l.EnterpriseCode == "" && m.ProjectID == "" && m.EnterpriseCode == "" {
		bad["project_id"] = "落地须关联重点项目或登记企业 / a landed lead names its key project or registry enterprise"
	}
	if err := chanye.Invalid("线索阶段变更有误 / invalid stage change", bad); err != nil {
		return nil, err
	}
	var events []*Event
	step := func(s Stage, skipped bool, note string) {
		events = append(events, &Event{LeadID: l.ID, On: m.On, Kind: EventStage, From: l.Stage, To: s, Skipped: skipped, By: by, Note: note})
		l.Stage, l.StageOn = s, m.On
	}
	if m.To == StageLost {
		l.LostReason = m.LostReason
		step(StageLost, false, m.Note)
		return events, nil
	}
	for i := from + 1; i < to; i++ {
		step(Path[i], true, "")
	}
	step(m.To, false, m.Note)
	if signs {
		v := *m.SignedFen
		l.SignedOn, l.SignedFen = m.On, &v
	}
	if m.ProjectID != "" {
		l.ProjectID = m.ProjectID
	}
	if m.EnterpriseCode != "" {
		l.EnterpriseCode = m.EnterpriseCode
	}
	if m.To == StageLanded {
		l.LandedOn = m.On
	}
	return events, nil
}

// Overdue reports whether l's next action was due before today while the
// lead is open.
func (l *Lead) Overdue(today chanye.Date) bool {
	return !l.Stage.Closed() && !l.NextActionOn.IsZero() && l.NextActionOn.Before(today.Time)
}

// LeadScope narrows a selection to the leads of some industries or of one
// owner: what authz sets for a scoped actor.
type LeadScope struct {
	IndustryIDs []string
	OwnerKind   OwnerKind
	OwnerName   string
}

// LeadFilter selects leads; nil fields are not given. DistrictCode selects
// the leads a district owns.
type LeadFilter struct {
	IndustryID   *string    `json:"industry_id"`
	LinkID       *string    `json:"link_id"`
	Stage        *Stage     `json:"stage"`
	Open         *bool      `json:"open"`
	OwnerKind    *OwnerKind `json:"owner_kind"`
	OwnerName    *string    `json:"owner_name"`
	DistrictCode *string    `json:"district_code"`
	TargetID     *int64     `json:"target_id"`
	ProjectID    *string    `json:"project_id"`
	Within       *LeadScope `json:"-"`
	Offset       int        `json:"offset"`
	Limit        int        `json:"limit"` // DefaultPage when 0, at most MaxPage
}

// LeadService keeps the leads and their history. Every write is audited.
type LeadService interface {
	// FindLeadByID returns a lead with its target's name. ENOTFOUND.
	FindLeadByID(ctx context.Context, id int64) (*Lead, error)
	// FindLeads returns a page of leads, the latest created first, and
	// the total. EINVALID for bad paging.
	FindLeads(ctx context.Context, filter LeadFilter) ([]*Lead, int, error)
	// FindOverdueLeads returns the open leads whose next action was due
	// before today, the longest overdue first, and the total: the
	// warnings of 招商.
	FindOverdueLeads(ctx context.Context, filter LeadFilter) ([]*Lead, int, error)
	// FindLeadEvents returns a lead's history in order. ENOTFOUND.
	FindLeadEvents(ctx context.Context, id int64) ([]*Event, error)
	// CreateLead stores a new lead at 线索 today, for a target, with the
	// target's industry and (unless given) link. EINVALID (also for an
	// unknown target, link or district).
	CreateLead(ctx context.Context, l *Lead) error
	// UpdateLead changes an open lead. ENOTFOUND, EINVALID, ECONFLICT for
	// a closed lead.
	UpdateLead(ctx context.Context, id int64, upd LeadUpdate) (*Lead, error)
	// MoveLead moves a lead (see Lead.Apply) and records the events.
	// ENOTFOUND, EINVALID (also for an unknown project or enterprise, or a
	// project of another industry), ECONFLICT for a closed lead.
	MoveLead(ctx context.Context, id int64, m Move) (*Lead, error)
	// AddLeadContact records a contact with the lead's target; its ID, By
	// and At are set. ENOTFOUND, EINVALID.
	AddLeadContact(ctx context.Context, id int64, e *Event) error
}

// ConversionService turns signed leads into key projects.
type ConversionService interface {
	// ConvertLead links a signed (or landed) lead to an existing key
	// project of its industry. ENOTFOUND, EINVALID (a project of another
	// industry), ECONFLICT (a lead not signed, or linked to another
	// project).
	ConvertLead(ctx context.Context, leadID int64, projectID string) (*Lead, error)
	// CreateProjectFromLead stores p as a new key project (its industry
	// and total investment taken from the lead when not given) and links
	// the lead to it, in one transaction. The errors of ConvertLead and of
	// project.Service.CreateProject.
	CreateProjectFromLead(ctx context.Context, leadID int64, p *project.Project) (*Lead, error)
}
