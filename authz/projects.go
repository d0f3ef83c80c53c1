package authz

import (
	"context"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// Project actions.
const (
	ReadProjects      Action = "read key projects"      // projects, nodes, reports, warnings
	WriteProjects     Action = "change key projects"    // create, update, record nodes
	ReportProjects    Action = "report on key projects" // monthly reports
	ReadWarningRules  Action = "read warning rules"     // how colours are computed
	WriteWarningRules Action = "change warning rules"   // save, delete
	ImportProjects    Action = "import key projects"    // the demo and file imports, in bulk
	// Routine work (routine.go).
	CloseWarnings     Action = "close warnings"                    // 销号, with a note and evidence
	IssueSupervision  Action = "issue supervision items"           // 督办
	AnswerSupervision Action = "answer supervision items"          // the addressee's answer
	SettleSupervision Action = "close or return supervision items" // the issuer's
	ReadSupervision   Action = "read supervision items"
)

// projectRules: officials read every project; a department changes and
// reports on the projects it answers for (the project's department, else
// its industry's lead department), a task force those of its industry; an
// owner enterprise reads and reports on its own projects only, and is told
// others do not exist. The rules that colour projects are open to every
// signed-in role and changed by administrators.
var projectRules = Rules{
	ReadProjects:      {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Own},
	WriteProjects:     {admin: Allow, department: Own, taskForce: Own},
	ReportProjects:    {admin: Allow, department: Own, taskForce: Own, enterprise: Own},
	ReadWarningRules:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow},
	WriteWarningRules: {admin: Allow},
	ImportProjects:    {admin: Allow},
	// A warning is closed by whoever answers for the project or oversees
	// it; an item is issued by a leader or the department answering for
	// the project, answered by its addressee (the owner enterprise or the
	// industry's task force), closed or sent back by its issuer (a leader
	// its own items, a department those it issued), and read by all of
	// them.
	CloseWarnings:     {admin: Allow, leader: Allow, department: Own, taskForce: Own},
	IssueSupervision:  {admin: Allow, leader: Allow, department: Own},
	AnswerSupervision: {admin: Allow, taskForce: Own, enterprise: Own},
	SettleSupervision: {admin: Allow, leader: Own, department: Own},
	ReadSupervision:   {admin: Allow, leader: Allow, department: Own, taskForce: Own, enterprise: Own},
}

// ProjectRules returns the project rules, for review and tests.
func ProjectRules() Rules { return projectRules }

type projects struct {
	inner project.Service
	cat   chanye.CatalogService
}

// Projects returns inner guarded by projectRules. cat, unguarded, gives
// the industries whose lead department answers for projects that name
// none of their own.
func Projects(inner project.Service, cat chanye.CatalogService) project.Service {
	return &projects{inner: inner, cat: cat}
}

var _ project.Service = (*projects)(nil)

// owns reports whether p is in a's scope.
func (s *projects) owns(ctx context.Context, a *chanye.Actor, p *project.Project) (bool, error) {
	switch a.Role {
	case chanye.RoleDepartment:
		if a.Department == "" {
			return false, nil
		}
		ind, err := s.cat.FindIndustryByID(ctx, p.IndustryID)
		if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return false, err
		}
		return p.EffectiveOwners(ind).Department == a.Department, nil
	case chanye.RoleTaskForce:
		return a.IndustryID != "" && p.IndustryID == a.IndustryID, nil
	case chanye.RoleEnterprise:
		return a.Code != "" && strings.EqualFold(p.OwnerCode, a.Code), nil
	}
	return false, nil
}

// checkOne checks act on the stored project id and returns it; an Own grant
// outside the actor's scope is ENOTFOUND for an enterprise and the role's
// denial for others.
func (s *projects) checkOne(ctx context.Context, act Action, id string) (*project.Project, error) {
	a, g, err := check(ctx, projectRules, act)
	if err != nil {
		return nil, err
	}
	p, err := s.inner.FindProjectByID(ctx, id)
	if err != nil || g != Own {
		return p, err
	}
	ok, err := s.owns(ctx, a, p)
	if err != nil {
		return nil, err
	}
	if err := scopedAs(a, act, ok, project.ErrNotFound); err != nil {
		return nil, err
	}
	return p, nil
}

// ownCode narrows a filter's owner code to the enterprise's own for an Own
// grant; none is false when the filter asks for another owner's.
func ownCode(a *chanye.Actor, g Grant, code *string) (*string, bool) {
	if g != Own {
		return code, true
	}
	if a.Code == "" || (code != nil && !strings.EqualFold(strings.TrimSpace(*code), a.Code)) {
		return nil, false
	}
	c := a.Code
	return &c, true
}

func (s *projects) CreateProject(ctx context.Context, p *project.Project) error {
	a, g, err := check(ctx, projectRules, WriteProjects)
	if err != nil {
		return err
	}
	if g == Own {
		ok, err := s.owns(ctx, a, p)
		if err != nil {
			return err
		}
		if err := scoped(a, WriteProjects, ok); err != nil {
			return err
		}
	}
	return s.inner.CreateProject(ctx, p)
}

func (s *projects) UpdateProject(ctx context.Context, id string, upd project.ProjectUpdate) (*project.Project, error) {
	old, err := s.checkOne(ctx, WriteProjects, id)
	if err != nil {
		return nil, err
	}
	// The change must not move the project out of the actor's scope.
	if a, g, _ := check(ctx, projectRules, WriteProjects); g == Own {
		next := upd.Apply(*old)
		ok, err := s.owns(ctx, a, &next)
		if err != nil {
			return nil, err
		}
		if err := scoped(a, WriteProjects, ok); err != nil {
			return nil, err
		}
	}
	return s.inner.UpdateProject(ctx, id, upd)
}

func (s *projects) FindProjectByID(ctx context.Context, id string) (*project.Project, error) {
	return s.checkOne(ctx, ReadProjects, id)
}

func (s *projects) FindProjects(ctx context.Context, filter project.ProjectFilter) ([]*project.Project, int, error) {
	a, g, err := check(ctx, projectRules, ReadProjects)
	if err != nil {
		return nil, 0, err
	}
	var ok bool
	if filter.OwnerCode, ok = ownCode(a, g, filter.OwnerCode); !ok {
		return []*project.Project{}, 0, nil
	}
	return s.inner.FindProjects(ctx, filter)
}

func (s *projects) PutNode(ctx context.Context, projectID string, seq int, upd project.NodeUpdate) (*project.Node, error) {
	if _, err := s.checkOne(ctx, WriteProjects, projectID); err != nil {
		return nil, err
	}
	return s.inner.PutNode(ctx, projectID, seq, upd)
}

func (s *projects) FindNodes(ctx context.Context, projectID string) ([]*project.Node, error) {
	if _, err := s.checkOne(ctx, ReadProjects, projectID); err != nil {
		return nil, err
	}
	return s.inner.FindNodes(ctx, projectID)
}

// FindOverdueNodes: the nodes of the projects the actor reads (an
// enterprise only its own projects').
func (s *projects) FindOverdueNodes(ctx context.Context, filter project.ProjectFilter) ([]*project.Node, int, error) {
	a, g, err := check(ctx, projectRules, ReadProjects)
	if err != nil {
		return nil, 0, err
	}
	var ok bool
	if filter.OwnerCode, ok = ownCode(a, g, filter.OwnerCode); !ok {
		return []*project.Node{}, 0, nil
	}
	return s.inner.FindOverdueNodes(ctx, filter)
}

func (s *projects) PutReport(ctx context.Context, r *project.Report) error {
	if _, err := s.checkOne(ctx, ReportProjects, r.ProjectID); err != nil {
		return err
	}
	return s.inner.PutReport(ctx, r)
}

func (s *projects) FindReports(ctx context.Context, filter project.ReportFilter) ([]*project.Report, int, error) {
	a, g, err := check(ctx, projectRules, ReadProjects)
	if err != nil {
		return nil, 0, err
	}
	var ok bool
	if filter.OwnerCode, ok = ownCode(a, g, filter.OwnerCode); !ok {
		return []*project.Report{}, 0, nil
	}
	return s.inner.FindReports(ctx, filter)
}

func (s *projects) FindWarnings(ctx context.Context, filter project.ProjectFilter) ([]project.Warning, error) {
	a, g, err := check(ctx, projectRules, ReadProjects)
	if err != nil {
		return nil, err
	}
	var ok bool
	if filter.OwnerCode, ok = ownCode(a, g, filter.OwnerCode); !ok {
		return []project.Warning{}, nil
	}
	return s.inner.FindWarnings(ctx, filter)
}

// FindBoard is FindProjects, FindNodes and FindWarnings at once: an
// enterprise's selection is narrowed to its own projects, so it reads the
// nodes and warnings of those only.
func (s *projects) FindBoard(ctx context.Context, filter project.ProjectFilter) (*project.Board, error) {
	a, g, err := check(ctx, projectRules, ReadProjects)
	if err != nil {
		return nil, err
	}
	var ok bool
	if filter.OwnerCode, ok = ownCode(a, g, filter.OwnerCode); !ok {
		return &project.Board{Projects: []*project.Project{}, Warnings: []project.Warning{}, Nodes: map[string][]*project.Node{}}, nil
	}
	return s.inner.FindBoard(ctx, filter)
}

func (s *projects) FindWarningRules(ctx context.Context) ([]*project.Rule, error) {
	if _, _, err := check(ctx, projectRules, ReadWarningRules); err != nil {
		return nil, err
	}
	return s.inner.FindWarningRules(ctx)
}

func (s *projects) SaveWarningRule(ctx context.Context, r *project.Rule) error {
	if _, _, err := check(ctx, projectRules, WriteWarningRules); err != nil {
		return err
	}
	return s.inner.SaveWarningRule(ctx, r)
}

func (s *projects) DeleteWarningRule(ctx context.Context, id string) error {
	if _, _, err := check(ctx, projectRules, WriteWarningRules); err != nil {
		return err
	}
	return s.inner.DeleteWarningRule(ctx, id)
}

func (s *projects) WriteBatch(ctx context.Context, b *project.Batch) error {
	if _, _, err := check(ctx, projectRules, ImportProjects); err != nil {
		return err
	}
	return s.inner.WriteBatch(ctx, b)
}
