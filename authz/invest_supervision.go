package authz

import (
	"context"
	"slices"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

// The supervision (督办) of 招商 leads, guarded by investRules: leaders
// and the lead department of the lead's industry issue items; the lead's
// owner — the task force of its industry, the department or the district
// that owns it — answers; the issuer returns or closes. Whoever reads the
// lead reads its items, and an issuer those it issued.

type leadSupervisions struct {
	inner project.SupervisionService
	leads invest.LeadService
	cat   chanye.CatalogService
}

// LeadSupervisions returns inner, the leads' supervision service, guarded
// by investRules. leads and cat, unguarded, tell whose scope a lead is in.
func LeadSupervisions(inner project.SupervisionService, leads invest.LeadService, cat chanye.CatalogService) project.SupervisionService {
	return &leadSupervisions{inner: inner, leads: leads, cat: cat}
}

var _ project.SupervisionService = (*leadSupervisions)(nil)

// answersLead reports whether a owns the item's lead.
func answersLead(a *chanye.Actor, x *project.Supervision) bool {
	switch invest.OwnerKind(x.LeadOwnerKind) {
	case invest.OwnerTaskForce:
		return a.Role == chanye.RoleTaskForce && a.IndustryID != "" && a.IndustryID == x.IndustryID
	case invest.OwnerDepartment:
		return a.Role == chanye.RoleDepartment && a.Department != "" && a.Department == x.LeadOwnerName
	case invest.OwnerDistrict:
		return a.Role == chanye.RoleDistrict && a.District != "" && a.District == x.LeadOwnerName
	}
	return false
}

// subjectLead is the item's lead as the lead scope reads it.
func subjectLead(x *project.Supervision) *invest.Lead {
	return &invest.Lead{ID: x.LeadID, IndustryID: x.IndustryID, OwnerKind: invest.OwnerKind(x.LeadOwnerKind), OwnerName: x.LeadOwnerName}
}

// may reports whether a's Own grant of act covers x.
func (s *leadSupervisions) may(ctx context.Context, a *chanye.Actor, act Action, x *project.Supervision) (bool, error) {
	switch act {
	case AnswerLeadSupervision:
		return answersLead(a, x), nil
	case SettleLeadSupervision:
		return issued(a, x), nil
	case IssueLeadSupervision:
		inds, err := ledIndustries(ctx, s.cat, a)
		return slices.Contains(inds, x.IndustryID), err
	}
	if issued(a, x) {
		return true, nil
	}
	sc, err := leadScope(ctx, s.cat, a, true)
	if err != nil {
		return false, err
	}
	return inScope(sc, subjectLead(x)), nil
}

func (s *leadSupervisions) one(ctx context.Context, act Action, id int64) (*project.Supervision, error) {
	a, g, err := check(ctx, investRules, act)
	if err != nil {
		return nil, err
	}
	x, err := s.inner.FindSupervisionByID(ctx, id)
	if err != nil || g != Own {
		return x, err
	}
	ok, err := s.may(ctx, a, act, x)
	if err != nil {
		return nil, err
	}
	return x, scoped(a, act, ok)
}

func (s *leadSupervisions) CreateSupervision(ctx context.Context, x *project.Supervision) (*project.Supervision, error) {
	a, g, err := check(ctx, investRules, IssueLeadSupervision)
	if err != nil {
		return nil, err
	}
	if g == Own {
		l, err := s.leads.FindLeadByID(ctx, x.LeadID)
		if err != nil {
			return nil, err
		}
		ok, err := s.may(ctx, a, IssueLeadSupervision, &project.Supervision{IndustryID: l.IndustryID})
		if err != nil {
			return nil, err
		}
		if err := scoped(a, IssueLeadSupervision, ok); err != nil {
			return nil, err
		}
	}
	return s.inner.CreateSupervision(ctx, x)
}

func (s *leadSupervisions) MoveSupervision(ctx context.Context, id int64, action project.SupAction, note string) (*project.Supervision, error) {
	act := SettleLeadSupervision
	if action == project.SupAnswer {
		act = AnswerLeadSupervision
	}
	if _, err := s.one(ctx, act, id); err != nil {
		return nil, err
	}
	return s.inner.MoveSupervision(ctx, id, action, note)
}

func (s *leadSupervisions) FindSupervisionByID(ctx context.Context, id int64) (*project.Supervision, error) {
	return s.one(ctx, ReadLeadSupervision, id)
}

// FindSupervisions narrows an Own grant's list to the actor's scope: a
// task force's industry, a district's leads, a department's industries,
// its own leads and the items it issued.
func (s *leadSupervisions) FindSupervisions(ctx context.Context, f project.SupervisionFilter) ([]*project.Supervision, int, error) {
	a, g, err := check(ctx, investRules, ReadLeadSupervision)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		none := func() ([]*project.Supervision, int, error) { return []*project.Supervision{}, 0, nil }
		switch {
		case a.Role == chanye.RoleDepartment && a.Department != "":
			f.Department = &a.Department
		case a.Role == chanye.RoleTaskForce && a.IndustryID != "":
			f.IndustryID = &a.IndustryID
		case a.Role == chanye.RoleDistrict && a.District != "":
			f.District = &a.District
		default:
			return none()
		}
	}
	return s.inner.FindSupervisions(ctx, f)
}

// MayOnLead reports whether the rules let a take act on l: what the pages
// ask before showing a form; the services decide.
func MayOnLead(ctx context.Context, cat chanye.CatalogService, a *chanye.Actor, act Action, l *invest.Lead) bool {
	if a == nil {
		return false
	}
	switch investRules.Grant(a.Role, act) {
	case Allow:
		return true
	case Own:
		if act == IssueLeadSupervision {
			inds, err := ledIndustries(ctx, cat, a)
			return err == nil && slices.Contains(inds, l.IndustryID)
		}
		return mayLead(chanye.WithActor(ctx, a), cat, act, l) == nil
	}
	return false
}
