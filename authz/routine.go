package authz

import (
	"context"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/project"
)

// Projects as routine work: closing warnings (销号) and supervision items
// (督办), guarded by projectRules. The projects they read to decide scope
// come from the unguarded project service.

type closures struct {
	inner project.ClosureService
	p     *projects
}

// Closures returns inner guarded by projectRules: CloseWarnings to close,
// ReadProjects to read the history and the evidence. ps and cat,
// unguarded, tell whose scope a project is in.
func Closures(inner project.ClosureService, ps project.Service, cat chanye.CatalogService) project.ClosureService {
	return &closures{inner: inner, p: &projects{inner: ps, cat: cat}}
}

var _ project.ClosureService = (*closures)(nil)

func (s *closures) CloseWarning(ctx context.Context, projectID, ruleID, note string, file project.Upload) (*project.Closure, error) {
	if _, err := s.p.checkOne(ctx, CloseWarnings, projectID); err != nil {
		return nil, err
	}
	return s.inner.CloseWarning(ctx, projectID, ruleID, note, file)
}

func (s *closures) FindClosures(ctx context.Context, projectID string) ([]*project.Closure, error) {
	if _, err := s.p.checkOne(ctx, ReadProjects, projectID); err != nil {
		return nil, err
	}
	return s.inner.FindClosures(ctx, projectID)
}

func (s *closures) FindClosureFile(ctx context.Context, projectID string, id int64) (*project.Closure, []byte, error) {
	if _, err := s.p.checkOne(ctx, ReadProjects, projectID); err != nil {
		return nil, nil, err
	}
	return s.inner.FindClosureFile(ctx, projectID, id)
}

type supervisions struct {
	inner project.SupervisionService
	p     *projects
}

// Supervisions returns inner guarded by projectRules. ps and cat,
// unguarded, tell whose scope a project is in.
func Supervisions(inner project.SupervisionService, ps project.Service, cat chanye.CatalogService) project.SupervisionService {
	return &supervisions{inner: inner, p: &projects{inner: ps, cat: cat}}
}

var _ project.SupervisionService = (*supervisions)(nil)

// supNotFound is the answer for an item an enterprise may not see.
var supNotFound = chanye.Errorf(chanye.ENOTFOUND, "督办事项不存在 / supervision item not found")

// reads reports whether x is in a's scope for reading: a department's
// projects and the items it issued, a task force's industry, an owner's
// items addressed to it.
func (s *supervisions) reads(ctx context.Context, a *chanye.Actor, x *project.Supervision) (bool, error) {
	switch a.Role {
	case chanye.RoleDepartment:
		if a.Department != "" && x.IssuerRole == chanye.RoleDepartment && x.IssuerDepartment == a.Department {
			return true, nil
		}
		p, err := s.p.inner.FindProjectByID(ctx, x.ProjectID)
		if err != nil {
			return false, err
		}
		return s.p.owns(ctx, a, p)
	case chanye.RoleTaskForce:
		return a.IndustryID != "" && x.IndustryID == a.IndustryID, nil
	case chanye.RoleEnterprise:
		return answers(a, x), nil
	}
	return false, nil
}

// answers reports whether a is x's addressee.
func answers(a *chanye.Actor, x *project.Supervision) bool {
	switch a.Role {
	case chanye.RoleTaskForce:
		return x.Addressee == project.ToTaskForce && a.IndustryID != "" && x.IndustryID == a.IndustryID
	case chanye.RoleEnterprise:
		return x.Addressee == project.ToOwner && a.Code != "" && strings.EqualFold(x.OwnerCode, a.Code)
	}
	return false
}

// issued reports whether a is x's issuer: the same leader account, the
// same department.
func issued(a *chanye.Actor, x *project.Supervision) bool {
	switch a.Role {
	case chanye.RoleLeader:
		if x.IssuerRole != chanye.RoleLeader {
			return false
		}
		if x.IssuerUserID != 0 || a.UserID != 0 {
			return x.IssuerUserID == a.UserID
		}
		return x.IssuedBy == a.String()
	case chanye.RoleDepartment:
		return x.IssuerRole == chanye.RoleDepartment && a.Department != "" && x.IssuerDepartment == a.Department
	}
	return false
}

// one reads item id and checks act on it; out of scope is ENOTFOUND for
// an actor who may not read the item either, when an enterprise.
func (s *supervisions) one(ctx context.Context, act Action, id int64) (*project.Supervision, error) {
	a, g, err := check(ctx, projectRules, act)
	if err != nil {
		return nil, err
	}
	x, err := s.inner.FindSupervisionByID(ctx, id)
	if err != nil || g != Own {
		return x, err
	}
	var ok bool
	switch act {
	case ReadSupervision:
		if ok, err = s.reads(ctx, a, x); err != nil {
			return nil, err
		}
	case AnswerSupervision:
		ok = answers(a, x)
	case SettleSupervision:
		ok = issued(a, x)
	}
	if err := scopedAs(a, act, ok, supNotFound); err != nil {
		return nil, err
	}
	return x, nil
}

func (s *supervisions) CreateSupervision(ctx context.Context, x *project.Supervision) (*project.Supervision, error) {
	if _, err := s.p.checkOne(ctx, IssueSupervision, x.ProjectID); err != nil {
		return nil, err
	}
	return s.inner.CreateSupervision(ctx, x)
}

func (s *supervisions) MoveSupervision(ctx context.Context, id int64, action project.SupAction, note string) (*project.Supervision, error) {
	act := SettleSupervision
	if action == project.SupAnswer {
		act = AnswerSupervision
	}
	if _, err := s.one(ctx, act, id); err != nil {
		return nil, err
	}
	return s.inner.MoveSupervision(ctx, id, action, note)
}

func (s *supervisions) FindSupervisionByID(ctx context.Context, id int64) (*project.Supervision, error) {
	return s.one(ctx, ReadSupervision, id)
}

// FindSupervisions narrows an Own grant's list to the actor's scope.
func (s *supervisions) FindSupervisions(ctx context.Context, f project.SupervisionFilter) ([]*project.Supervision, int, error) {
	a, g, err := check(ctx, projectRules, ReadSupervision)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		none := func() ([]*project.Supervision, int, error) { return []*project.Supervision{}, 0, nil }
		switch a.Role {
		case chanye.RoleDepartment:
			if a.Department == "" {
				return none()
			}
			f.Department = &a.Department
		case chanye.RoleTaskForce:
			if a.IndustryID == "" {
				return none()
			}
			f.IndustryID = &a.IndustryID
		case chanye.RoleEnterprise:
			if a.Code == "" {
				return none()
			}
			f.OwnerCode = &a.Code
		default:
			return none()
		}
	}
	return s.inner.FindSupervisions(ctx, f)
}

// MayOnProject reports whether the rules let a take act on p, whose
// industry is ind (nil when unknown): what the pages ask before showing a
// form; the services decide.
func MayOnProject(a *chanye.Actor, act Action, p *project.Project, ind *chanye.Industry) bool {
	if a == nil {
		return false
	}
	switch projectRules.Grant(a.Role, act) {
	case Allow:
		return true
	case Own:
		switch a.Role {
		case chanye.RoleDepartment:
			return a.Department != "" && p.EffectiveOwners(ind).Department == a.Department
		case chanye.RoleTaskForce:
			return a.IndustryID != "" && p.IndustryID == a.IndustryID
		case chanye.RoleEnterprise:
			return a.Code != "" && strings.EqualFold(p.OwnerCode, a.Code)
		}
	}
	return false
}

// MayAnswer reports whether the rules let a answer x, a project's item or
// a lead's.
func MayAnswer(a *chanye.Actor, x *project.Supervision) bool {
	if a == nil {
		return false
	}
	if x.LeadID != 0 {
		g := investRules.Grant(a.Role, AnswerLeadSupervision)
		return g == Allow || g == Own && answersLead(a, x)
	}
	g := projectRules.Grant(a.Role, AnswerSupervision)
	return g == Allow || g == Own && answers(a, x)
}

// MaySettle reports whether the rules let a close or return x, a
// project's item or a lead's.
func MaySettle(a *chanye.Actor, x *project.Supervision) bool {
	if a == nil {
		return false
	}
	rules, act := projectRules, SettleSupervision
	if x.LeadID != 0 {
		rules, act = investRules, SettleLeadSupervision
	}
	g := rules.Grant(a.Role, act)
	return g == Allow || g == Own && issued(a, x)
}
