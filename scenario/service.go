package scenario

import (
	"context"
	"fmt"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// Filter selects scenarios; nil fields are not given. PublicOnly keeps
// the scenarios ever published (Scenario.Public): what authz sets for the
// public and for enterprises. It is a plain bool, not a pointer: "not
// given" and false mean the same.
type Filter struct {
	Status      *Status      `json:"status"`
	IndustryID  *string      `json:"industry_id"`
	OffererKind *OffererKind `json:"offerer_kind"`
	Year        *int         `json:"year"` // published in the year
	PublicOnly  bool         `json:"-"`
	Offset      int          `json:"offset"`
	Limit       int          `json:"limit"` // DefaultPage when 0, at most MaxPage
}

// Validate checks a filter and sets a zero Limit to DefaultPage: a known
// status and kind, an industry id of the right shape, a year in
// MinYear–MaxYear, an offset ≥ 0 and a limit of 0–MaxPage.
func (f *Filter) Validate() error {
	bad := map[string]string{}
	if f.Status != nil && !f.Status.Valid() {
		bad["status"] = fmt.Sprintf("未知状态 %q / unknown status", *f.Status)
	}
	if f.IndustryID != nil && !industryID.MatchString(strings.TrimSpace(*f.IndustryID)) {
		bad["industry_id"] = "产业编号格式有误 / not an industry id"
	}
	if f.OffererKind != nil && !f.OffererKind.Valid() {
		bad["offerer_kind"] = fmt.Sprintf("未知单位类型 %q / unknown kind of unit", *f.OffererKind)
	}
	if f.Year != nil && (*f.Year < MinYear || *f.Year > MaxYear) {
		bad["year"] = fmt.Sprintf("须在 %d–%d 之间 / must lie in %d–%d", MinYear, MaxYear, MinYear, MaxYear)
	}
	paging(bad, &f.Offset, &f.Limit)
	return chanye.Invalid("查询条件有误 / invalid filter", bad)
}

func paging(bad map[string]string, offset, limit *int) {
	if *offset < 0 {
		bad["offset"] = "不能为负 / must not be negative"
	}
	switch {
	case *limit < 0 || *limit > MaxPage:
		bad["limit"] = fmt.Sprintf("须在 0 到 %d 之间 / must be between 0 and %d", MaxPage, MaxPage)
	case *limit == 0:
		*limit = DefaultPage
	}
}

// ApplicationFilter selects applications; nil fields are not given. Code
// is how authz narrows an enterprise to its own.
type ApplicationFilter struct {
	ScenarioID *int64             `json:"scenario_id"`
	Code       *string            `json:"code"`
	Status     *ApplicationStatus `json:"status"`
	Offset     int                `json:"offset"`
	Limit      int                `json:"limit"` // DefaultPage when 0, at most MaxPage
}

// Validate checks a filter and sets a zero Limit to DefaultPage: a known
// status, a valid credit code, an offset ≥ 0 and a limit of 0–MaxPage.
func (f *ApplicationFilter) Validate() error {
	bad := map[string]string{}
	if f.Status != nil && !f.Status.Valid() {
		bad["status"] = fmt.Sprintf("未知状态 %q / unknown status", *f.Status)
	}
	if f.Code != nil {
		code := uscc.Normalize(*f.Code)
		if err := uscc.Validate(code); err != nil {
			bad["code"] = err.Error()
		}
		f.Code = &code
	}
	paging(bad, &f.Offset, &f.Limit)
	return chanye.Invalid("查询条件有误 / invalid filter", bad)
}

// ScenarioService keeps the scenarios and their history. Every write is
// one transaction with its events and audit entry. Besides the codes
// listed, any method may return EFORBIDDEN or EUNAUTHORIZED from authz.
type ScenarioService interface {
	// FindScenarioByID returns a scenario with its milestones,
	// procurements and count of applications. ENOTFOUND.
	FindScenarioByID(ctx context.Context, id int64) (*Scenario, error)
	// FindScenarios returns a page of scenarios, the latest created
	// first, and the total. EINVALID (Filter.Validate).
	FindScenarios(ctx context.Context, filter Filter) ([]*Scenario, int, error)
	// FindScenarioEvents returns a scenario's history in order.
	// ENOTFOUND.
	FindScenarioEvents(ctx context.Context, id int64) ([]*Event, error)
	// CreateScenario stores a new scenario as a draft; its ID,
	// CreatedAt and CreatedBy are set and a create event recorded.
	// EINVALID (Scenario.Validate, also for an unknown industry or link).
	CreateScenario(ctx context.Context, s *Scenario) error
	// UpdateScenario changes a scenario (Scenario.Update as of today).
	// ENOTFOUND, EINVALID, ECONFLICT for a field its status freezes.
	UpdateScenario(ctx context.Context, id int64, upd ScenarioUpdate) (*Scenario, error)
	// MoveScenario takes a step (Scenario.Apply as of today) and records
	// its event. For select, in the same transaction, it marks the
	// applications (MarkSelected) after checking that Rank succeeds.
	// ENOTFOUND, EINVALID, ECONFLICT for a step the status does not allow
	// (also an incomplete ranking at select).
	MoveScenario(ctx context.Context, id int64, m Move) (*Scenario, error)
	// FindProgress returns the year against TargetPerYear (Progress).
	// EINVALID for a year outside MinYear–MaxYear.
	FindProgress(ctx context.Context, year int) (*YearProgress, error)
}

// ApplicationService keeps the applications (揭榜).
type ApplicationService interface {
	// FindScenarioApplicationByID returns an application with its enterprise's
	// name. ENOTFOUND.
	FindScenarioApplicationByID(ctx context.Context, id int64) (*Application, error)
	// FindScenarioApplications returns a page of applications, the latest
	// submitted first, and the total. EINVALID (ApplicationFilter.Validate).
	FindScenarioApplications(ctx context.Context, filter ApplicationFilter) ([]*Application, int, error)
	// CreateScenarioApplication stores a submitted application; its ID, Status,
	// SubmittedAt and SubmittedBy are set. ENOTFOUND for an unknown
	// scenario, EINVALID (Application.Validate, also for an enterprise
	// not in the registry), ECONFLICT when the scenario takes no
	// applications today (Scenario.CanApply) or the enterprise already
	// has a submitted application to it.
	CreateScenarioApplication(ctx context.Context, a *Application) error
	// WithdrawScenarioApplication withdraws a submitted application
	// (Application.Withdraw). ENOTFOUND, ECONFLICT.
	WithdrawScenarioApplication(ctx context.Context, id int64) (*Application, error)
}

// ReviewService keeps a scenario's review: its panel, the members'
// declarations of conflict and scores, and the ranking. The panel may be
// set while the scenario is published or reviewing, declarations and
// scores written while it is reviewing; otherwise ECONFLICT.
type ReviewService interface {
	// FindPanel returns a scenario's panel in the order it was set.
	// ENOTFOUND.
	FindPanel(ctx context.Context, scenarioID int64) ([]string, error)
	// SetPanel replaces a scenario's panel (ValidatePanel); the scores
	// and declarations of members no longer on it are deleted. ENOTFOUND,
	// EINVALID, ECONFLICT.
	SetPanel(ctx context.Context, scenarioID int64, members []string) error
	// DeclareConflict records a member's conflict with an application
	// (Conflict.Validate; its DeclaredAt set) and deletes any scores the
	// member gave it. ENOTFOUND for an unknown application, EINVALID
	// (also a member not on the panel), ECONFLICT.
	DeclareConflict(ctx context.Context, c *Conflict) error
	// PutScores records scores, replacing earlier ones of the same
	// application, member and criterion, all or none (CheckScore each,
	// faults named "scores[i].field"; each application a submitted one of
	// the scenario). ENOTFOUND, EINVALID, ECONFLICT (also a member who
	// declared a conflict with the application).
	PutScores(ctx context.Context, scenarioID int64, scores []Score) error
	// FindScores returns a scenario's scores and declarations, ordered by
	// application, member and criterion. ENOTFOUND.
	FindScores(ctx context.Context, scenarioID int64) ([]Score, []Conflict, error)
	// FindRanking ranks a scenario's applications by its stored review:
	// Rank, which refuses an incomplete review (EINVALID naming each
	// missing score), or, with partial, RankComplete, which ranks the
	// complete applications and lists the gaps of the others. ENOTFOUND,
	// EINVALID.
	FindRanking(ctx context.Context, scenarioID int64, partial bool) (*Ranking, error)
}
