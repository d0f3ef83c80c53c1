package authz

import (
	"context"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// Application actions: an enterprise applies for itself (fills, attaches,
// submits, withdraws); the department that administers the policy reviews
// (accepts, returns); each sees only its own applications — an enterprise
// its code's, a department those of its policies.
const (
	ReadApplications  Action = "read applications"
	WriteApplication  Action = "fill in and submit an application"
	ReviewApplication Action = "accept or return an application"
)

var applicationRules = Rules{
	ReadApplications:  {admin: Allow, leader: Allow, department: Own, enterprise: Own},
	WriteApplication:  {admin: Allow, enterprise: Own},
	ReviewApplication: {admin: Allow, department: Own},
}

// ApplicationRules returns the applications' rules, for review and tests.
func ApplicationRules() Rules { return applicationRules }

// Applications returns inner guarded by the application rules.
func Applications(inner policy.ApplicationService) policy.ApplicationService {
	return &applications{inner: inner}
}

type applications struct {
	inner policy.ApplicationService
}

var _ policy.ApplicationService = (*applications)(nil)

// mine reports whether application a is within the actor's scope.
func mine(ac *chanye.Actor, a *policy.Application) bool {
	switch ac.Role {
	case chanye.RoleEnterprise:
		return ac.Code != "" && sameCode(a.Code, ac.Code)
	case chanye.RoleDepartment:
		return ac.Department != "" && a.Department == ac.Department
	}
	return false
}

// guard checks act on application id, reading it unguarded for Own.
func (s *applications) guard(ctx context.Context, act Action, id int64) error {
	ac, g, err := check(ctx, applicationRules, act)
	if err != nil || g != Own {
		return err
	}
	a, err := s.inner.FindApplicationByID(ctx, id)
	if err != nil {
		return err
	}
	return scoped(ac, act, mine(ac, a))
}

func (s *applications) SaveApplication(ctx context.Context, a *policy.Application) (*policy.Application, error) {
	if a.ID != 0 {
		if err := s.guard(ctx, WriteApplication, a.ID); err != nil {
			return nil, err
		}
		return s.inner.SaveApplication(ctx, a)
	}
	ac, g, err := check(ctx, applicationRules, WriteApplication)
	if err != nil {
		return nil, err
	}
	if g == Own && (ac.Code == "" || !sameCode(a.Code, ac.Code)) {
		return nil, hidden()
	}
	return s.inner.SaveApplication(ctx, a)
}

func (s *applications) MoveApplication(ctx context.Context, id int64, to policy.AppStatus, note string) (*policy.Application, error) {
	act := WriteApplication
	if to == policy.AppAccepted || to == policy.AppReturned {
		act = ReviewApplication
	}
	if err := s.guard(ctx, act, id); err != nil {
		return nil, err
	}
	return s.inner.MoveApplication(ctx, id, to, note)
}

func (s *applications) AttachFile(ctx context.Context, appID int64, name, contentType string, data []byte) (*policy.Attachment, error) {
	if err := s.guard(ctx, WriteApplication, appID); err != nil {
		return nil, err
	}
	return s.inner.AttachFile(ctx, appID, name, contentType, data)
}

// FindAttachment: only the enterprise and the reviewing department (and
// administrators) read the files; leaders see the application, not them.
func (s *applications) FindAttachment(ctx context.Context, appID, fileID int64) (*policy.Attachment, []byte, error) {
	ac, _, err := check(ctx, applicationRules, ReadApplications)
	if err != nil {
		return nil, nil, err
	}
	if ac.Role != chanye.RoleAdmin {
		if err := s.guard(ctx, ReadApplications, appID); err != nil {
			return nil, nil, err
		}
		if ac.Role == chanye.RoleLeader {
			return nil, nil, deny(ac, "download attachments")
		}
	}
	return s.inner.FindAttachment(ctx, appID, fileID)
}

func (s *applications) FindApplicationByID(ctx context.Context, id int64) (*policy.Application, error) {
	ac, g, err := check(ctx, applicationRules, ReadApplications)
	if err != nil {
		return nil, err
	}
	a, err := s.inner.FindApplicationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if g == Own {
		if err := scoped(ac, ReadApplications, mine(ac, a)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (s *applications) FindApplications(ctx context.Context, f policy.ApplicationFilter) ([]*policy.Application, int, error) {
	ac, g, err := check(ctx, applicationRules, ReadApplications)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		switch ac.Role {
		case chanye.RoleEnterprise:
			if ac.Code == "" || f.Code != nil && !sameCode(*f.Code, ac.Code) {
				return []*policy.Application{}, 0, nil
			}
			f.Code = &ac.Code
		case chanye.RoleDepartment:
			if ac.Department == "" || f.Department != nil && *f.Department != ac.Department {
				return []*policy.Application{}, 0, nil
			}
			f.Department = &ac.Department
		default:
			return nil, 0, deny(ac, ReadApplications)
		}
	}
	return s.inner.FindApplications(ctx, f)
}
