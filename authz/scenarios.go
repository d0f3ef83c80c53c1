package authz

import (
	"context"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/scenario"
)

// Actions on application scenarios (首试首用).
const (
	ReadScenarios            Action = "read application scenarios"
	RunScenarios             Action = "create and run application scenarios"
	ApplyToScenarios         Action = "apply to application scenarios"
	ReadScenarioApplications Action = "read the applications to a scenario"
	ReadScenarioReviews      Action = "read a scenario's review"
	ScoreScenarios           Action = "declare conflicts and score a scenario's applications"
	ReadScenarioProgress     Action = "read the scenarios' yearly progress"
	ReadScenarioResult       Action = "read its own application's place in a scenario's ranking"
)

// scenarioRules: officials read every scenario, the public, enterprises
// and districts those published (a call is public once published, its
// result too); an administrator runs any scenario, a department those of
// the industries it leads, a task force its industry's — create, edit,
// publish, set the panel, select, record the pilot, the first use and
// procurement. An enterprise applies for itself and reads its own
// applications. The review — applications, scores, declarations and the
// ranking — is read by administrators and leaders, by the scenario's
// department and task force (Own), and by the members of its panel, who
// alone score (Own: on the panel), whatever their role; an enterprise
// account is never on a panel. An enterprise that applied reads its own
// application's place in the ranking (total, rank, means), never another's,
// once an application is selected (Own: ScenarioReviews.FindRanking narrows
// the ranking to it). The yearly progress is open.
var scenarioRules = Rules{
	ReadScenarios:            {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Published, public: Published},
	RunScenarios:             {admin: Allow, department: Own, taskForce: Own},
	ApplyToScenarios:         {enterprise: Own},
	ReadScenarioApplications: {admin: Allow, leader: Allow, department: Own, taskForce: Own, district: Own, enterprise: Own},
	ReadScenarioReviews:      {admin: Allow, leader: Allow, department: Own, taskForce: Own, district: Own},
	ScoreScenarios:           {admin: Own, leader: Own, department: Own, taskForce: Own, district: Own},
	ReadScenarioProgress:     {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	ReadScenarioResult:       {enterprise: Own},
}

// ScenarioRules returns the scenarios' rules, for review and tests.
func ScenarioRules() Rules { return scenarioRules }

// scenarioHidden is the answer for a scenario the actor may not see.
var scenarioHidden = chanye.Errorf(chanye.ENOTFOUND, "应用场景不存在 / no such scenario")

// scenarioGuard holds what the three decorators share: the unguarded
// scenarios and reviews, to read the record a rule is about, and the
// catalog, to tell which industries a department leads.
type scenarioGuard struct {
	scenarios scenario.ScenarioService
	reviews   scenario.ReviewService
	cat       chanye.CatalogService
}

// runs reports whether a's Own grant of RunScenarios covers s: its
// industry is the department's or the task force's.
func (g *scenarioGuard) runs(ctx context.Context, a *chanye.Actor, s *scenario.Scenario) (bool, error) {
	return ownsIndustry(ctx, g.cat, a, s.IndustryID)
}

// onPanel reports whether a signed-in official is on the panel of
// scenario id.
func (g *scenarioGuard) onPanel(ctx context.Context, a *chanye.Actor, id int64) (bool, error) {
	if a.Role == chanye.RolePublic || a.Role == chanye.RoleEnterprise || a.Name == "" {
		return false, nil
	}
	panel, err := g.reviews.FindPanel(ctx, id)
	if err != nil {
		return false, err
	}
	return slices.Contains(panel, a.Name), nil
}

// review checks act (ReadScenarioApplications, ReadScenarioReviews or
// ScoreScenarios) on scenario id for a non-enterprise: allowed outright,
// or, under Own, for the scenario's department or task force (not to
// score) and for the members of its panel.
func (g *scenarioGuard) review(ctx context.Context, act Action, id int64) error {
	a, gr, err := check(ctx, scenarioRules, act)
	if err != nil || gr == Allow {
		return err
	}
	s, err := g.scenarios.FindScenarioByID(ctx, id)
	if err != nil {
		return err
	}
	if act != ScoreScenarios {
		if ok, err := g.runs(ctx, a, s); err != nil || ok {
			return err
		}
	}
	ok, err := g.onPanel(ctx, a, id)
	if err != nil {
		return err
	}
	return scopedAs(a, act, ok, scenarioHidden)
}

// Scenarios returns inner guarded by scenarioRules; reviews (unguarded)
// tells who is on a scenario's panel, cat which industries a department
// leads.
func Scenarios(inner scenario.ScenarioService, reviews scenario.ReviewService, cat chanye.CatalogService) scenario.ScenarioService {
	return &scenarios{scenarioGuard{scenarios: inner, reviews: reviews, cat: cat}}
}

type scenarios struct{ scenarioGuard }

var _ scenario.ScenarioService = (*scenarios)(nil)

// MayRunScenario reports whether the rules let a run s: an
// administrator, or the department or task force of its industry.
func MayRunScenario(ctx context.Context, cat chanye.CatalogService, a *chanye.Actor, s *scenario.Scenario) bool {
	switch scenarioRules.Grant(a.Role, RunScenarios) {
	case Allow:
		return true
	case Own:
		ok, err := ownsIndustry(ctx, cat, a, s.IndustryID)
		return err == nil && ok
	}
	return false
}

func (s *scenarios) FindScenarioByID(ctx context.Context, id int64) (*scenario.Scenario, error) {
	_, g, err := check(ctx, scenarioRules, ReadScenarios)
	if err != nil {
		return nil, err
	}
	x, err := s.scenarios.FindScenarioByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if g == Published && !x.Public() {
		return nil, scenarioHidden // a draft is not there for those who read the published
	}
	return x, nil
}

// FindScenarios keeps the published ones for the public and enterprises.
func (s *scenarios) FindScenarios(ctx context.Context, f scenario.Filter) ([]*scenario.Scenario, int, error) {
	_, g, err := check(ctx, scenarioRules, ReadScenarios)
	if err != nil {
		return nil, 0, err
	}
	if g == Published {
		f.PublicOnly = true
	}
	return s.scenarios.FindScenarios(ctx, f)
}

func (s *scenarios) FindScenarioEvents(ctx context.Context, id int64) ([]*scenario.Event, error) {
	if _, err := s.FindScenarioByID(ctx, id); err != nil {
		return nil, err
	}
	return s.scenarios.FindScenarioEvents(ctx, id)
}

func (s *scenarios) CreateScenario(ctx context.Context, x *scenario.Scenario) error {
	a, g, err := check(ctx, scenarioRules, RunScenarios)
	if err != nil {
		return err
	}
	if g == Own {
		ok, err := s.runs(ctx, a, x)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			ok, err = false, nil // an unknown industry is no one's
		}
		if err != nil {
			return err
		}
		if err := scoped(a, RunScenarios, ok); err != nil {
			return err
		}
	}
	return s.scenarios.CreateScenario(ctx, x)
}

// run checks RunScenarios on scenario id.
func (s *scenarios) run(ctx context.Context, id int64) error {
	a, g, err := check(ctx, scenarioRules, RunScenarios)
	if err != nil || g == Allow {
		return err
	}
	x, err := s.scenarios.FindScenarioByID(ctx, id)
	if err != nil {
		return err
	}
	ok, err := s.runs(ctx, a, x)
	if err != nil {
		return err
	}
	return scoped(a, RunScenarios, ok)
}

// UpdateScenario: the scenario's runner; an industry it moves to must be
// the runner's too.
func (s *scenarios) UpdateScenario(ctx context.Context, id int64, upd scenario.ScenarioUpdate) (*scenario.Scenario, error) {
	if err := s.run(ctx, id); err != nil {
		return nil, err
	}
	if upd.IndustryID != nil {
		a := chanye.ActorFrom(ctx)
		if scenarioRules.Grant(a.Role, RunScenarios) == Own {
			ok, err := s.runs(ctx, a, &scenario.Scenario{IndustryID: strings.TrimSpace(*upd.IndustryID)})
			if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
				return nil, err
			}
			if err := scoped(a, RunScenarios, ok); err != nil {
				return nil, err
			}
		}
	}
	return s.scenarios.UpdateScenario(ctx, id, upd)
}

func (s *scenarios) MoveScenario(ctx context.Context, id int64, m scenario.Move) (*scenario.Scenario, error) {
	if err := s.run(ctx, id); err != nil {
		return nil, err
	}
	return s.scenarios.MoveScenario(ctx, id, m)
}

func (s *scenarios) FindProgress(ctx context.Context, year int) (*scenario.YearProgress, error) {
	if _, _, err := check(ctx, scenarioRules, ReadScenarioProgress); err != nil {
		return nil, err
	}
	return s.scenarios.FindProgress(ctx, year)
}

// ScenarioApplications returns inner guarded by scenarioRules; scenarios
// and reviews (unguarded) give the scenario and its panel, cat which
// industries a department leads.
func ScenarioApplications(inner scenario.ApplicationService, scenarios scenario.ScenarioService, reviews scenario.ReviewService, cat chanye.CatalogService) scenario.ApplicationService {
	return &scenarioApps{inner: inner, scenarioGuard: scenarioGuard{scenarios: scenarios, reviews: reviews, cat: cat}}
}

type scenarioApps struct {
	inner scenario.ApplicationService
	scenarioGuard
}

var _ scenario.ApplicationService = (*scenarioApps)(nil)

// ownApp reports whether a is the enterprise of application x.
func ownApp(a *chanye.Actor, x *scenario.Application) bool {
	return a.Role == chanye.RoleEnterprise && a.Code != "" && strings.EqualFold(a.Code, x.Code)
}

func (s *scenarioApps) FindScenarioApplicationByID(ctx context.Context, id int64) (*scenario.Application, error) {
	a, g, err := check(ctx, scenarioRules, ReadScenarioApplications)
	if err != nil {
		return nil, err
	}
	x, err := s.inner.FindScenarioApplicationByID(ctx, id)
	if err != nil || g == Allow {
		return x, err
	}
	if a.Role == chanye.RoleEnterprise {
		return x, scopedAs(a, ReadScenarioApplications, ownApp(a, x), scenarioHidden)
	}
	return x, s.review(ctx, ReadScenarioApplications, x.ScenarioID)
}

// FindScenarioApplications: an enterprise its own; another Own grant the
// applications of one scenario it runs or judges.
func (s *scenarioApps) FindScenarioApplications(ctx context.Context, f scenario.ApplicationFilter) ([]*scenario.Application, int, error) {
	a, g, err := check(ctx, scenarioRules, ReadScenarioApplications)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		switch {
		case a.Role == chanye.RoleEnterprise:
			if a.Code == "" {
				return []*scenario.Application{}, 0, nil
			}
			f.Code = &a.Code
		case f.ScenarioID == nil:
			return nil, 0, chanye.Invalid("查询条件有误 / invalid filter", map[string]string{"scenario_id": "须指定应用场景 / name the scenario"})
		default:
			if err := s.review(ctx, ReadScenarioApplications, *f.ScenarioID); err != nil {
				return nil, 0, err
			}
		}
	}
	return s.inner.FindScenarioApplications(ctx, f)
}

// CreateScenarioApplication: an enterprise for itself.
func (s *scenarioApps) CreateScenarioApplication(ctx context.Context, x *scenario.Application) error {
	a, _, err := check(ctx, scenarioRules, ApplyToScenarios)
	if err != nil {
		return err
	}
	if err := scoped(a, ApplyToScenarios, a.Code != "" && strings.EqualFold(a.Code, strings.TrimSpace(x.Code))); err != nil {
		return err
	}
	if _, err := Scenarios(s.scenarios, s.reviews, s.cat).FindScenarioByID(ctx, x.ScenarioID); err != nil {
		return err // a draft is not there for an enterprise
	}
	return s.inner.CreateScenarioApplication(ctx, x)
}

// WithdrawScenarioApplication: the enterprise that applied.
func (s *scenarioApps) WithdrawScenarioApplication(ctx context.Context, id int64) (*scenario.Application, error) {
	a, _, err := check(ctx, scenarioRules, ApplyToScenarios)
	if err != nil {
		return nil, err
	}
	x, err := s.inner.FindScenarioApplicationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := scopedAs(a, ApplyToScenarios, ownApp(a, x), scenarioHidden); err != nil {
		return nil, err
	}
	return s.inner.WithdrawScenarioApplication(ctx, id)
}

// ScenarioReviews returns inner guarded by scenarioRules: the panel is set
// by the scenario's runners, read with the review; members declare and
// score for themselves. scenarios and apps (unguarded) give the scenario
// an application is to.
func ScenarioReviews(inner scenario.ReviewService, scenarios scenario.ScenarioService, apps scenario.ApplicationService, cat chanye.CatalogService) scenario.ReviewService {
	return &scenarioReviews{inner: inner, apps: apps, scenarioGuard: scenarioGuard{scenarios: scenarios, reviews: inner, cat: cat}}
}

type scenarioReviews struct {
	inner scenario.ReviewService
	apps  scenario.ApplicationService
	scenarioGuard
}

var _ scenario.ReviewService = (*scenarioReviews)(nil)

func (s *scenarioReviews) FindPanel(ctx context.Context, id int64) ([]string, error) {
	if err := s.review(ctx, ReadScenarioReviews, id); err != nil {
		return nil, err
	}
	return s.inner.FindPanel(ctx, id)
}

// SetPanel: the scenario's runners.
func (s *scenarioReviews) SetPanel(ctx context.Context, id int64, members []string) error {
	if err := (&scenarios{s.scenarioGuard}).run(ctx, id); err != nil {
		return err
	}
	return s.inner.SetPanel(ctx, id, members)
}

// DeclareConflict: a member for itself.
func (s *scenarioReviews) DeclareConflict(ctx context.Context, c *scenario.Conflict) error {
	a := chanye.ActorFrom(ctx)
	if c.Member != a.Name {
		return deny(a, ScoreScenarios)
	}
	app, err := s.apps.FindScenarioApplicationByID(ctx, c.ApplicationID)
	if err != nil {
		return err
	}
	if err := s.review(ctx, ScoreScenarios, app.ScenarioID); err != nil {
		return err
	}
	return s.inner.DeclareConflict(ctx, c)
}

// PutScores: a member its own scores.
func (s *scenarioReviews) PutScores(ctx context.Context, id int64, scores []scenario.Score) error {
	a := chanye.ActorFrom(ctx)
	if err := s.review(ctx, ScoreScenarios, id); err != nil {
		return err
	}
	for _, sc := range scores {
		if sc.Member != a.Name {
			return deny(a, ScoreScenarios)
		}
	}
	return s.inner.PutScores(ctx, id, scores)
}

func (s *scenarioReviews) FindScores(ctx context.Context, id int64) ([]scenario.Score, []scenario.Conflict, error) {
	if err := s.review(ctx, ReadScenarioReviews, id); err != nil {
		return nil, nil, err
	}
	return s.inner.FindScores(ctx, id)
}

// FindRanking: the readers of the review the whole ranking; an
// enterprise its own applications' entries alone (ReadScenarioResult),
// once the scenario has selected one.
func (s *scenarioReviews) FindRanking(ctx context.Context, id int64, partial bool) (*scenario.Ranking, error) {
	if a := chanye.ActorFrom(ctx); a.Role == chanye.RoleEnterprise {
		return s.ownResult(ctx, a, id, partial)
	}
	if err := s.review(ctx, ReadScenarioReviews, id); err != nil {
		return nil, err
	}
	return s.inner.FindRanking(ctx, id, partial)
}

// ownResult is the ranking narrowed to enterprise a's applications to
// scenario id: EFORBIDDEN before an application is selected or for an
// enterprise that did not apply (withdrawn ones are not ranked), 404 for a
// draft. Ranked still tells how many were ranked; what the panel missed
// (Incomplete) is not told.
func (s *scenarioReviews) ownResult(ctx context.Context, a *chanye.Actor, id int64, partial bool) (*scenario.Ranking, error) {
	if _, _, err := check(ctx, scenarioRules, ReadScenarioResult); err != nil {
		return nil, err
	}
	x, err := s.scenarios.FindScenarioByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !x.Public() {
		return nil, scenarioHidden
	}
	if x.SelectedID == 0 {
		return nil, chanye.Errorf(chanye.EFORBIDDEN, "确定入选方案后才公布评审结果 / the review's result is told once an application is selected")
	}
	mine := map[int64]bool{}
	if a.Code != "" {
		code := a.Code
		apps, _, err := s.apps.FindScenarioApplications(ctx, scenario.ApplicationFilter{ScenarioID: &id, Code: &code, Limit: scenario.MaxPage})
		if err != nil {
			return nil, err
		}
		for _, ap := range apps {
			if ap.Status != scenario.Withdrawn {
				mine[ap.ID] = true
			}
		}
	}
	if len(mine) == 0 {
		return nil, deny(a, ReadScenarioResult)
	}
	r, err := s.inner.FindRanking(ctx, id, partial)
	if err != nil {
		return nil, err
	}
	out := &scenario.Ranking{Entries: []scenario.Entry{}, Ranked: r.Ranked}
	for _, e := range r.Entries {
		if mine[e.ApplicationID] {
			out.Entries = append(out.Entries, e)
		}
	}
	return out, nil
}

// ScenarioFiles returns inner guarded by scenarioRules: the enterprise
// that applied attaches files to its own application (ApplyToScenarios;
// another enterprise is told it does not exist); whoever reads the
// application reads its files — administrators and leaders, the
// scenario's department and task force, the members of its panel and the
// applicant, never another enterprise. apps, scenarios and reviews
// (unguarded) give the application, its scenario and its panel; cat which
// industries a department leads.
func ScenarioFiles(inner scenario.FileService, apps scenario.ApplicationService, scenarios scenario.ScenarioService, reviews scenario.ReviewService, cat chanye.CatalogService) scenario.FileService {
	return &scenarioFiles{inner: inner, apps: apps, read: ScenarioApplications(apps, scenarios, reviews, cat)}
}

type scenarioFiles struct {
	inner scenario.FileService
	apps  scenario.ApplicationService // unguarded
	read  scenario.ApplicationService // guarded: who reads an application
}

var _ scenario.FileService = (*scenarioFiles)(nil)

func (s *scenarioFiles) AttachScenarioFile(ctx context.Context, appID int64, name string, data []byte) (*scenario.File, error) {
	a, _, err := check(ctx, scenarioRules, ApplyToScenarios)
	if err != nil {
		return nil, err
	}
	x, err := s.apps.FindScenarioApplicationByID(ctx, appID)
	if err != nil {
		return nil, err
	}
	if err := scopedAs(a, ApplyToScenarios, ownApp(a, x), scenarioHidden); err != nil {
		return nil, err
	}
	return s.inner.AttachScenarioFile(ctx, appID, name, data)
}

func (s *scenarioFiles) FindScenarioFiles(ctx context.Context, appID int64) ([]*scenario.File, error) {
	if _, err := s.read.FindScenarioApplicationByID(ctx, appID); err != nil {
		return nil, err
	}
	return s.inner.FindScenarioFiles(ctx, appID)
}

func (s *scenarioFiles) FindScenarioFile(ctx context.Context, appID, fileID int64) (*scenario.File, []byte, error) {
	if _, err := s.read.FindScenarioApplicationByID(ctx, appID); err != nil {
		return nil, nil, err
	}
	return s.inner.FindScenarioFile(ctx, appID, fileID)
}
