// Package scenario holds application scenarios (应用场景) for 首试首用, a
// new product or technology's first trial and first use in real work: a
// department, a state-owned firm, a hospital or an enterprise offers a
// need it would try something new on; the scenario is collected (征集)
// and published (发布); enterprises apply (揭榜) with their solutions; a
// named panel scores the applications against weighted criteria (评审);
// one is selected and piloted (试点) through milestones; its first use is
// confirmed (首试首用); purchases follow (推广/采购). A scenario that comes
// to nothing is closed with a reason (未成). The city pledges
// TargetPerYear scenarios a year; Progress counts them.
//
// The package is pure domain: it imports neither database/sql nor
// net/http. The store checks the catalog (industry, chain link), the
// registry (an applicant's credit code) and the attachments.
package scenario

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// Status is where a scenario is in its life.
type Status string

// The statuses, in the order a scenario moves through them; closed (未成)
// is off the path, reached from any status before first use.
const (
	Draft     Status = "draft"     // 征集: collected, not public
	Published Status = "published" // 发布: public, applications open until the deadline
	Reviewing Status = "reviewing" // 评审: the panel scores the applications
	Piloting  Status = "piloting"  // 试点: one application selected, its pilot under way
	FirstUse  Status = "first_use" // 首试首用: first use confirmed
	Procured  Status = "procured"  // 推广/采购: bought at least once since
	Closed    Status = "closed"    // 未成: ended without a result, with a reason
)

// Statuses lists the statuses with their names: the path in order, then
// closed.
var Statuses = []struct {
	Status         Status
	NameZH, NameEN string
}{
	{Draft, "征集", "collecting"},
	{Published, "发布", "published"},
	{Reviewing, "评审", "in review"},
	{Piloting, "试点", "piloting"},
	{FirstUse, "首试首用", "first use"},
	{Procured, "推广采购", "procured"},
	{Closed, "未成", "closed without result"},
}

// NameZH returns the status's Chinese name.
func (s Status) NameZH() string { zh, _, _ := s.names(); return zh }

// NameEN returns the status's English name.
func (s Status) NameEN() string { _, en, _ := s.names(); return en }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, _, ok := s.names(); return ok }

func (s Status) names() (string, string, bool) {
	for _, x := range Statuses {
		if x.Status == s {
			return x.NameZH, x.NameEN, true
		}
	}
	return string(s), string(s), false
}

// Achieved reports whether a scenario in s has its result: a confirmed
// first use (first_use, procured).
func (s Status) Achieved() bool { return s == FirstUse || s == Procured }

// Terminal reports whether a scenario in s can no longer be closed
// without result: it is closed, or it has its result (Achieved). A
// procured scenario still records further procurements.
func (s Status) Terminal() bool { return s == Closed || s.Achieved() }

// OffererKind is what kind of unit offers a scenario.
type OffererKind string

// The kinds of offering unit.
const (
	OffererDepartment OffererKind = "department"  // 部门
	OffererStateOwned OffererKind = "state_owned" // 国企
	OffererHospital   OffererKind = "hospital"    // 医院
	OffererEnterprise OffererKind = "enterprise"  // 企业
	OffererOther      OffererKind = "other"       // 其他
)

// OffererKinds lists the kinds with their names, in display order.
var OffererKinds = []struct {
	Kind           OffererKind
	NameZH, NameEN string
}{
	{OffererDepartment, "部门", "department"},
	{OffererStateOwned, "国企", "state-owned firm"},
	{OffererHospital, "医院", "hospital"},
	{OffererEnterprise, "企业", "enterprise"},
	{OffererOther, "其他", "other"},
}

// NameZH returns the kind's Chinese name.
func (k OffererKind) NameZH() string { zh, _, _ := k.names(); return zh }

// NameEN returns the kind's English name.
func (k OffererKind) NameEN() string { _, en, _ := k.names(); return en }

// Valid reports whether k is a known kind.
func (k OffererKind) Valid() bool { _, _, ok := k.names(); return ok }

func (k OffererKind) names() (string, string, bool) {
	for _, x := range OffererKinds {
		if x.Kind == k {
			return x.NameZH, x.NameEN, true
		}
	}
	return string(k), string(k), false
}

// order is k's place in OffererKinds, len(OffererKinds) for an unknown
// kind.
func (k OffererKind) order() int {
	for i, x := range OffererKinds {
		if x.Kind == k {
			return i
		}
	}
	return len(OffererKinds)
}

// The bounds of what a scenario holds, each checked by a Validate or by
// Apply.
const (
	MaxTitleRunes       = 200  // a scenario's title
	MaxTextRunes        = 4000 // requirements, a solution, evidence, a reason, a note
	MaxNameRunes        = 200  // an offering unit, a buyer, a milestone, a site
	MaxCriterionZHRunes = 50   // a criterion's Chinese name
	MaxCriterionENRunes = 100  // its English name
	MinCriteria         = 1    // a scenario has MinCriteria–MaxCriteria criteria
	MaxCriteria         = 10
	WeightTotal         = 100 // the criteria's weights add up to this
	MaxPoints           = 100 // a score is 0–MaxPoints whole points
	MinPanel            = 3   // a review panel has MinPanel–MaxPanel members
	MaxPanel            = 15
	MaxMemberRunes      = 64   // a panel member's account name
	MaxMilestones       = 50   // milestones of a pilot
	MaxProcurements     = 1000 // procurements of a scenario
	MinYear             = 2000 // every date lies in MinYear–MaxYear
	MaxYear             = 2100
	MaxPilotDays        = 5 * 366 // from the planned pilot's start to its end
	DefaultPage         = 50
	MaxPage             = 1000 // rows a Find call returns at most
	TargetPerYear       = 100  // scenarios the city pledges to publish each year
	MaxImportRows       = 1000 // calls one imported file brings
)

const (
	maxMissingListed = 20 // faults a review error names one by one
	maxLinkIDRunes   = 120
)

// Money bounds. A scenario's budget and each procurement are at most 1,000
// 亿元 (10^13 fen); MaxProcurements of them stay far from int64 overflow,
// and totals are checked all the same (chanye.FenSum).
const (
	MaxBudgetFen      chanye.Fen = 10_000_000_000_000
	MaxProcurementFen chanye.Fen = 10_000_000_000_000
)

// industryID is the shape of a catalog industry id; linkID of a chain
// link id (the industry's id, a segment, at most one sub-segment). The
// catalog itself is checked by the store.
var (
	industryID = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)
	linkID     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){1,2}$`)
	slug       = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)
)

// Offerer is the unit that offers a scenario (出题单位).
type Offerer struct {
	Name string      `json:"name"`
	Kind OffererKind `json:"kind"`
}

// Criterion is one of the criteria by which applications are judged, with
// its weight: the weights of a scenario's criteria are whole numbers that
// add up to WeightTotal.
type Criterion struct {
	ID     string `json:"id"` // a slug: a-z, 0-9, _ (2–32), starting with a letter
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Weight int    `json:"weight"` // 1–100
}

// Milestone is one step of a pilot. No numbers a scenario's milestones
// from 1 in the order they were added; a zero Done is not yet.
type Milestone struct {
	No       int         `json:"no"`
	Name     string      `json:"name"`
	Due      chanye.Date `json:"due"`
	Done     chanye.Date `json:"done,omitzero"`
	Evidence string      `json:"evidence,omitempty"` // what shows it done
}

// IsDone reports whether the milestone is done.
func (m Milestone) IsDone() bool { return !m.Done.IsZero() }

// Procurement is one purchase of the piloted solution after its first use.
type Procurement struct {
	Buyer     string      `json:"buyer"`
	AmountFen chanye.Fen  `json:"amount_fen"` // > 0
	On        chanye.Date `json:"on"`
	By        string      `json:"by"` // who recorded it
}

// Scenario is one application scenario. A nil BudgetFen is not known
// (never 0); zero dates are not yet. The fields from Status on are kept
// by Apply and the store, never set by a user.
type Scenario struct {
	ID           int64       `json:"id"`
	Title        string      `json:"title"`
	Offerer      Offerer     `json:"offerer"`
	IndustryID   string      `json:"industry_id"`
	LinkID       string      `json:"link_id"` // "" the industry as a whole
	Requirements string      `json:"requirements"`
	Site         string      `json:"site"` // where the trial takes place; "" not given
	BudgetFen    *chanye.Fen `json:"budget_fen,omitempty"`
	// Deadline is the last day applications are taken.
	Deadline chanye.Date `json:"deadline"`
	// PilotStart and PilotEnd are the planned pilot, after the deadline.
	PilotStart chanye.Date `json:"pilot_start"`
	PilotEnd   chanye.Date `json:"pilot_end"`
	Criteria   []Criterion `json:"criteria"`

	Status Status `json:"status"`
	// Applications counts the submitted (not withdrawn) applications; the
	// store fills it when it reads a scenario, and start_review needs one.
	Applications     int           `json:"applications"`
	PublishedOn      chanye.Date   `json:"published_on,omitzero"`
	ReviewOn         chanye.Date   `json:"review_on,omitzero"`
	SelectedID       int64         `json:"selected_id,omitempty"` // the application piloted
	PilotOn          chanye.Date   `json:"pilot_on,omitzero"`     // the day it was selected
	Milestones       []Milestone   `json:"milestones,omitempty"`
	FirstUseOn       chanye.Date   `json:"first_use_on,omitzero"`
	FirstUseEvidence string        `json:"first_use_evidence,omitempty"`
	FirstUseBy       string        `json:"first_use_by,omitempty"`
	Procurements     []Procurement `json:"procurements,omitempty"`
	ClosedOn         chanye.Date   `json:"closed_on,omitzero"`
	CloseReason      string        `json:"close_reason,omitempty"`
	// Demo marks a scenario chanye demo made: the pages say 演示数据.
	Demo      bool      `json:"demo,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	CreatedBy string    `json:"created_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// text checks that v has min to max characters, under key.
func text(bad map[string]string, key, v string, min, max int) {
	if n := utf8.RuneCountInString(v); n < min || n > max {
		if min == 0 {
			bad[key] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", max, max)
		} else {
			bad[key] = fmt.Sprintf("须为 %d–%d 个字符 / must be %d–%d characters", min, max, min, max)
		}
	}
}

// date checks that a required day is given and lies in MinYear–MaxYear.
func date(bad map[string]string, key string, d chanye.Date) bool {
	switch {
	case d.IsZero():
		bad[key] = "必填 / required"
	case d.Year() < MinYear || d.Year() > MaxYear:
		bad[key] = fmt.Sprintf("须在 %d–%d 年之间 / must lie in %d–%d", MinYear, MaxYear, MinYear, MaxYear)
	default:
		return true
	}
	return false
}

// Validate checks what a user sets on a scenario and trims its texts: a
// title (1–MaxTitleRunes), an offering unit (name 1–MaxNameRunes, a known
// kind), an industry id and a link id of the right shape (a link of that
// industry), requirements (1–MaxTextRunes), a site (0–MaxNameRunes), a
// budget nil or in (0, MaxBudgetFen], a deadline, a planned pilot starting
// after the deadline and ending on or after its start, within
// MaxPilotDays, criteria as ValidateCriteria wants them, and a known
// status. Each fault names its field ("offerer.name", "criteria[2].weight").
func (s *Scenario) Validate() error {
	bad := map[string]string{}
	s.Title, s.Requirements, s.Site = strings.TrimSpace(s.Title), strings.TrimSpace(s.Requirements), strings.TrimSpace(s.Site)
	s.Offerer.Name = strings.TrimSpace(s.Offerer.Name)
	s.IndustryID, s.LinkID = strings.TrimSpace(s.IndustryID), strings.TrimSpace(s.LinkID)
	text(bad, "title", s.Title, 1, MaxTitleRunes)
	text(bad, "offerer.name", s.Offerer.Name, 1, MaxNameRunes)
	if !s.Offerer.Kind.Valid() {
		bad["offerer.kind"] = fmt.Sprintf("%q 须为 department、state_owned、hospital、enterprise 或 other / must be department, state_owned, hospital, enterprise or other", s.Offerer.Kind)
	}
	switch {
	case s.IndustryID == "":
		bad["industry_id"] = "必填 / required"
	case !industryID.MatchString(s.IndustryID):
		bad["industry_id"] = "须为 2–40 个小写字母、数字或连字符，以字母开头 / 2–40 of a-z, 0-9, -, starting with a letter"
	}
	switch {
	case s.LinkID == "":
	case len(s.LinkID) > maxLinkIDRunes || !linkID.MatchString(s.LinkID):
		bad["link_id"] = "产业链环节编号格式有误 / not a chain link id"
	case !strings.HasPrefix(s.LinkID, s.IndustryID+"."):
		bad["link_id"] = "须为本产业链的环节 / must be a link of the industry's chain"
	}
	text(bad, "requirements", s.Requirements, 1, MaxTextRunes)
	text(bad, "site", s.Site, 0, MaxNameRunes)
	if s.BudgetFen != nil {
		if msg := checkAmount(*s.BudgetFen, MaxBudgetFen, "预算未知请留空", "leave the budget empty when unknown"); msg != "" {
			bad["budget_fen"] = msg
		}
	}
	dl := date(bad, "deadline", s.Deadline)
	ps := date(bad, "pilot_start", s.PilotStart)
	pe := date(bad, "pilot_end", s.PilotEnd)
	if dl && ps && !s.PilotStart.After(s.Deadline.Time) {
		bad["pilot_start"] = "试点须在揭榜截止之后开始 / the pilot starts after the application deadline"
	}
	if ps && pe {
		switch {
		case s.PilotEnd.Before(s.PilotStart.Time):
			bad["pilot_end"] = "不能早于试点开始 / cannot be before the pilot's start"
		case s.PilotEnd.Sub(s.PilotStart.Time) > MaxPilotDays*24*time.Hour:
			bad["pilot_end"] = fmt.Sprintf("试点至多 %d 天 / a pilot lasts at most %d days", MaxPilotDays, MaxPilotDays)
		}
	}
	criteria(bad, s.Criteria)
	if !s.Status.Valid() {
		bad["status"] = fmt.Sprintf("未知状态 %q / unknown status", s.Status)
	}
	return chanye.Invalid("应用场景有误 / invalid scenario", bad)
}

// checkAmount returns the field error of an amount that must be in (0,
// max], or "": for zero, the hint in each language after "must be
// positive".
func checkAmount(f, max chanye.Fen, hintZH, hintEN string) string {
	if f == 0 {
		return chanye.AppendBilingual("须大于 0 / must be positive", "；"+hintZH, "; "+hintEN)
	}
	return chanye.CheckFen(f, max)
}

// ValidateCriteria checks a scenario's criteria and trims their texts:
// MinCriteria–MaxCriteria of them, each with a distinct slug id, a Chinese
// name (1–MaxCriterionZHRunes), an English name (0–MaxCriterionENRunes)
// and a whole weight of 1–100, the weights adding up to WeightTotal.
// Faults name "criteria" or "criteria[i].field".
func ValidateCriteria(cs []Criterion) error {
	bad := map[string]string{}
	criteria(bad, cs)
	return chanye.Invalid("评审标准有误 / invalid criteria", bad)
}

func criteria(bad map[string]string, cs []Criterion) {
	if len(cs) < MinCriteria || len(cs) > MaxCriteria {
		bad["criteria"] = fmt.Sprintf("须有 %d–%d 项评审标准 / %d–%d criteria", MinCriteria, MaxCriteria, MinCriteria, MaxCriteria)
		if len(cs) == 0 {
			return
		}
	}
	seen := map[string]bool{}
	sum, weightsOK := 0, true
	for i := range cs {
		c := &cs[i]
		c.ID, c.NameZH, c.NameEN = strings.TrimSpace(c.ID), strings.TrimSpace(c.NameZH), strings.TrimSpace(c.NameEN)
		at := fmt.Sprintf("criteria[%d].", i)
		switch {
		case !slug.MatchString(c.ID):
			bad[at+"id"] = "须为 2–32 个小写字母、数字或 _，以字母开头 / 2–32 of a-z, 0-9, _, starting with a letter"
		case seen[c.ID]:
			bad[at+"id"] = fmt.Sprintf("编号 %s 重复 / id %s is listed twice", c.ID, c.ID)
		}
		seen[c.ID] = true
		text(bad, at+"name_zh", c.NameZH, 1, MaxCriterionZHRunes)
		text(bad, at+"name_en", c.NameEN, 0, MaxCriterionENRunes)
		if c.Weight < 1 || c.Weight > WeightTotal {
			bad[at+"weight"] = fmt.Sprintf("须为 1–%d 的整数 / a whole number of 1–%d", WeightTotal, WeightTotal)
			weightsOK = false
			continue
		}
		sum += c.Weight
	}
	// The total is told only when every weight is in range, lest one
	// fault be reported twice.
	if _, ok := bad["criteria"]; !ok && weightsOK && sum != WeightTotal {
		bad["criteria"] = fmt.Sprintf("权重合计为 %d，须为 %d / the weights add up to %d, not %d", sum, WeightTotal, sum, WeightTotal)
	}
}

// Public reports whether the scenario has been published, whatever came
// after: what the public may see (Filter.PublicOnly).
func (s *Scenario) Public() bool { return !s.PublishedOn.IsZero() }

// PublishedIn reports whether the scenario was published in year.
func (s *Scenario) PublishedIn(year int) bool {
	return !s.PublishedOn.IsZero() && s.PublishedOn.Year() == year
}

// FirstUsedIn reports whether the scenario's first use was confirmed on a
// day of year.
func (s *Scenario) FirstUsedIn(year int) bool {
	return !s.FirstUseOn.IsZero() && s.FirstUseOn.Year() == year
}

// ProcuredFen returns the total of the scenario's procurements, or the
// EINVALID overflow error naming "amount_fen".
func (s *Scenario) ProcuredFen() (chanye.Fen, error) {
	var sum chanye.FenSum
	for _, p := range s.Procurements {
		sum.Add(p.AmountFen)
	}
	return sum.Total("amount_fen")
}

// ScenarioUpdate changes a scenario; nil fields are left as they are.
// ClearBudget sets the budget to unknown (and BudgetFen must then be nil);
// a nil Criteria is not given. What may change depends on the status (a
// field given with its current value is no change):
//   - draft: everything;
//   - published: everything but the criteria, which applicants already
//     answer to; the deadline only later, never earlier;
//   - reviewing, piloting: the site, the budget and the planned pilot;
//   - first_use, procured, closed: nothing.
type ScenarioUpdate struct {
	Title        *string      `json:"title"`
	Offerer      *Offerer     `json:"offerer"`
	IndustryID   *string      `json:"industry_id"`
	LinkID       *string      `json:"link_id"`
	Requirements *string      `json:"requirements"`
	Site         *string      `json:"site"`
	BudgetFen    *chanye.Fen  `json:"budget_fen"`
	ClearBudget  bool         `json:"clear_budget"`
	Deadline     *chanye.Date `json:"deadline"`
	PilotStart   *chanye.Date `json:"pilot_start"`
	PilotEnd     *chanye.Date `json:"pilot_end"`
	Criteria     []Criterion  `json:"criteria"`
}

// Update applies u to s as of today and validates the result; s is
// changed only when the update is allowed and valid. ECONFLICT for a
// field the status does not let change (the error names the fields),
// EINVALID for a bad value (also a deadline moved earlier, or before
// today, while published).
func (s *Scenario) Update(u ScenarioUpdate, today chanye.Date) error {
	if u.ClearBudget && u.BudgetFen != nil {
		return chanye.Invalid("应用场景有误 / invalid scenario", map[string]string{"budget_fen": "清除预算时不能同时给出预算 / give a budget or clear it, not both"})
	}
	n := *s
	n.Criteria = slices.Clone(s.Criteria)
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&n.Title, u.Title)
	set(&n.IndustryID, u.IndustryID)
	set(&n.LinkID, u.LinkID)
	set(&n.Requirements, u.Requirements)
	set(&n.Site, u.Site)
	if u.Offerer != nil {
		n.Offerer = *u.Offerer
	}
	if u.BudgetFen != nil {
		v := *u.BudgetFen
		n.BudgetFen = &v
	}
	if u.ClearBudget {
		n.BudgetFen = nil
	}
	for _, d := range []struct{ dst, src *chanye.Date }{{&n.Deadline, u.Deadline}, {&n.PilotStart, u.PilotStart}, {&n.PilotEnd, u.PilotEnd}} {
		if d.src != nil {
			*d.dst = *d.src
		}
	}
	if u.Criteria != nil {
		n.Criteria = slices.Clone(u.Criteria)
	}

	// A field given with its current value is no change: a form may send
	// every field whatever the status.
	var frozen []string
	touch := func(changed bool, name string, allowed ...Status) {
		if changed && !slices.Contains(allowed, s.Status) {
			frozen = append(frozen, name)
		}
	}
	differ := func(a, b string) bool { return strings.TrimSpace(a) != strings.TrimSpace(b) }
	open := []Status{Draft, Published}
	running := []Status{Draft, Published, Reviewing, Piloting}
	touch(differ(n.Title, s.Title), "title", open...)
	touch(differ(n.Offerer.Name, s.Offerer.Name) || n.Offerer.Kind != s.Offerer.Kind, "offerer", open...)
	touch(differ(n.IndustryID, s.IndustryID), "industry_id", open...)
	touch(differ(n.LinkID, s.LinkID), "link_id", open...)
	touch(differ(n.Requirements, s.Requirements), "requirements", open...)
	touch(!n.Deadline.Equal(s.Deadline.Time), "deadline", open...)
	touch(!slices.EqualFunc(n.Criteria, s.Criteria, func(a, b Criterion) bool {
		return a.Weight == b.Weight && !differ(a.ID, b.ID) && !differ(a.NameZH, b.NameZH) && !differ(a.NameEN, b.NameEN)
	}), "criteria", Draft)
	touch(differ(n.Site, s.Site), "site", running...)
	touch((n.BudgetFen == nil) != (s.BudgetFen == nil) || n.BudgetFen != nil && *n.BudgetFen != *s.BudgetFen, "budget_fen", running...)
	touch(!n.PilotStart.Equal(s.PilotStart.Time), "pilot_start", running...)
	touch(!n.PilotEnd.Equal(s.PilotEnd.Time), "pilot_end", running...)
	if len(frozen) > 0 {
		return chanye.Errorf(chanye.ECONFLICT, "应用场景处于「%s」阶段，不能修改 %s / the scenario is %s: %s cannot change",
			s.Status.NameZH(), strings.Join(frozen, "、"), s.Status.NameEN(), strings.Join(frozen, ", "))
	}
	if err := n.Validate(); err != nil {
		return err
	}
	if s.Status == Published && !n.Deadline.Equal(s.Deadline.Time) {
		switch {
		case n.Deadline.Before(s.Deadline.Time):
			return chanye.Invalid("应用场景有误 / invalid scenario", map[string]string{"deadline": "发布后截止日期只能延后 / once published, the deadline can only move later"})
		case n.Deadline.Before(today.Time):
			return chanye.Invalid("应用场景有误 / invalid scenario", map[string]string{"deadline": "不能早于今天 / cannot be in the past"})
		}
	}
	*s = n
	return nil
}
