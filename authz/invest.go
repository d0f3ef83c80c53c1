package authz

import (
	"context"
	"slices"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

// 招商 actions.
const (
	ReadTargets      Action = "read 招商 targets"
	WriteTargets     Action = "change 招商 targets"
	ReadRoster       Action = "read the rosters of outside firms"
	ImportRoster     Action = "import a roster of outside firms"
	ReadCandidates   Action = "read the candidates for a gap"
	ReadInvestLeads  Action = "read 招商 leads"
	WriteInvestLeads Action = "follow 招商 leads" // create, change, move, record contacts
	ConvertLeads     Action = "turn 招商 leads into key projects"
	ReadFunnel       Action = "read the 招商 funnel"

	IssueLeadSupervision  Action = "put 招商 leads under supervision" // 督办
	AnswerLeadSupervision Action = "answer the supervision of 招商 leads"
	SettleLeadSupervision Action = "close or return the supervision of 招商 leads"
	ReadLeadSupervision   Action = "read the supervision of 招商 leads"
)

// investRules: 招商 is firm-level work of the officials. A task force
// keeps its own industry's targets and leads; a department reads the
// targets and leads of the industries it leads and follows the leads it
// owns; a district (区) reads the lists and the candidates and follows the
// leads it owns; city leaders read all; administrators do all.
// Enterprises see nothing; the public only the funnel's counts.
var investRules = Rules{
	ReadTargets:      {admin: Allow, leader: Allow, department: Own, taskForce: Own, district: Allow},
	WriteTargets:     {admin: Allow, taskForce: Own},
	ReadRoster:       {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow},
	ImportRoster:     {admin: Allow},
	ReadCandidates:   {admin: Allow, leader: Allow, department: Own, taskForce: Own, district: Allow},
	ReadInvestLeads:  {admin: Allow, leader: Allow, department: Own, taskForce: Own, district: Own},
	WriteInvestLeads: {admin: Allow, department: Own, taskForce: Own, district: Own},
	ConvertLeads:     {admin: Allow, department: Own, taskForce: Own, district: Own},
	ReadFunnel:       {admin: Allow, leader: Allow, department: Own, taskForce: Own, district: Own, public: Aggregate},
	// 督办 of leads, as of projects: leaders and the industry's lead
	// department issue; the lead's owner answers; the issuer settles.
	IssueLeadSupervision:  {admin: Allow, leader: Allow, department: Own},
	AnswerLeadSupervision: {admin: Allow, department: Own, taskForce: Own, district: Own},
	SettleLeadSupervision: {admin: Allow, leader: Own, department: Own},
	ReadLeadSupervision:   {admin: Allow, leader: Allow, department: Own, taskForce: Own, district: Own},
	ImportLeads:           {admin: Allow, department: Own, taskForce: Own, district: Own}, // invest_import.go
}

// InvestRules returns the 招商 rules, for review and tests.
func InvestRules() Rules { return investRules }

// ledIndustries returns the industries the actor's scope covers: a task
// force's own, those a department leads.
func ledIndustries(ctx context.Context, cat chanye.CatalogService, a *chanye.Actor) ([]string, error) {
	switch a.Role {
	case chanye.RoleTaskForce:
		if a.IndustryID == "" {
			return []string{}, nil
		}
		return []string{a.IndustryID}, nil
	case chanye.RoleDepartment:
		out := []string{}
		if a.Department == "" {
			return out, nil
		}
		inds, err := cat.FindIndustries(ctx, chanye.IndustryFilter{})
		if err != nil {
			return nil, err
		}
		for _, ind := range inds {
			if ind.Responsibility.LeadDepartment == a.Department {
				out = append(out, ind.ID)
			}
		}
		return out, nil
	}
	return []string{}, nil
}

// leadScope is the leads an Own grant covers: those of the actor's
// industries and, for a department or a district, those it owns; for
// writes (industries false) a department's own only.
func leadScope(ctx context.Context, cat chanye.CatalogService, a *chanye.Actor, industries bool) (*invest.LeadScope, error) {
	sc := &invest.LeadScope{IndustryIDs: []string{}}
	switch {
	case a.Role == chanye.RoleDepartment && a.Department != "":
		sc.OwnerKind, sc.OwnerName = invest.OwnerDepartment, a.Department
	case a.Role == chanye.RoleDistrict && a.District != "":
		sc.OwnerKind, sc.OwnerName = invest.OwnerDistrict, a.District
	}
	if industries || a.Role == chanye.RoleTaskForce {
		var err error
		if sc.IndustryIDs, err = ledIndustries(ctx, cat, a); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// inScope reports whether sc covers the lead.
func inScope(sc *invest.LeadScope, l *invest.Lead) bool {
	return slices.Contains(sc.IndustryIDs, l.IndustryID) ||
		(sc.OwnerName != "" && l.OwnerKind == sc.OwnerKind && l.OwnerName == sc.OwnerName)
}

type targets struct {
	inner invest.TargetService
	cat   chanye.CatalogService
}

// Targets returns inner guarded by investRules: a task force keeps its
// industry's lists, a department reads those of the industries it leads.
func Targets(inner invest.TargetService, cat chanye.CatalogService) invest.TargetService {
	return &targets{inner: inner, cat: cat}
}

var _ invest.TargetService = (*targets)(nil)

// industry checks act on an industry's targets.
func (t *targets) industry(ctx context.Context, act Action, id string) error {
	a, g, err := check(ctx, investRules, act)
	if err != nil || g != Own {
		return err
	}
	ok, err := ownsIndustry(ctx, t.cat, a, id)
	if err != nil {
		return err
	}
	return scoped(a, act, ok)
}

func (t *targets) FindTargetByID(ctx context.Context, id int64) (*invest.Target, error) {
	if _, _, err := check(ctx, investRules, ReadTargets); err != nil {
		return nil, err
	}
	x, err := t.inner.FindTargetByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := t.industry(ctx, ReadTargets, x.IndustryID); err != nil {
		return nil, err
	}
	return x, nil
}

func (t *targets) FindTargets(ctx context.Context, f invest.TargetFilter) ([]*invest.Target, int, error) {
	a, g, err := check(ctx, investRules, ReadTargets)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		if f.Industries, err = ledIndustries(ctx, t.cat, a); err != nil {
			return nil, 0, err
		}
	}
	return t.inner.FindTargets(ctx, f)
}

func (t *targets) CreateTarget(ctx context.Context, x *invest.Target) error {
	if err := t.industry(ctx, WriteTargets, x.IndustryID); err != nil {
		return err
	}
	return t.inner.CreateTarget(ctx, x)
}

// ImportTargets checks every row's industry as CreateTarget does.
func (t *targets) ImportTargets(ctx context.Context, rows []*invest.Target) (int, error) {
	seen := map[string]bool{}
	for _, x := range rows {
		if !seen[x.IndustryID] {
			seen[x.IndustryID] = true
			if err := t.industry(ctx, WriteTargets, x.IndustryID); err != nil {
				return 0, err
			}
		}
	}
	return t.inner.ImportTargets(ctx, rows)
}

func (t *targets) DeleteTarget(ctx context.Context, id int64) error {
	if _, _, err := check(ctx, investRules, WriteTargets); err != nil {
		return err
	}
	x, err := t.inner.FindTargetByID(ctx, id)
	if err != nil {
		return err
	}
	if err := t.industry(ctx, WriteTargets, x.IndustryID); err != nil {
		return err
	}
	return t.inner.DeleteTarget(ctx, id)
}

type rosters struct{ inner invest.RosterService }

// Rosters returns inner guarded by investRules: officials read the
// rosters, administrators import them.
func Rosters(inner invest.RosterService) invest.RosterService { return &rosters{inner: inner} }

var _ invest.RosterService = (*rosters)(nil)

func (r *rosters) ImportRoster(ctx context.Context, source string, rows []invest.RosterFirm) error {
	if _, _, err := check(ctx, investRules, ImportRoster); err != nil {
		return err
	}
	return r.inner.ImportRoster(ctx, source, rows)
}

func (r *rosters) FindRoster(ctx context.Context, f invest.RosterFilter) ([]*invest.RosterFirm, int, error) {
	if _, _, err := check(ctx, investRules, ReadRoster); err != nil {
		return nil, 0, err
	}
	return r.inner.FindRoster(ctx, f)
}

type candidates struct {
	inner invest.CandidateService
	cat   chanye.CatalogService
}

// Candidates returns inner guarded by investRules: a task force and a
// department see the candidates of their industries' links.
func Candidates(inner invest.CandidateService, cat chanye.CatalogService) invest.CandidateService {
	return &candidates{inner: inner, cat: cat}
}

var _ invest.CandidateService = (*candidates)(nil)

func (c *candidates) FindCandidates(ctx context.Context, industryID, linkID string, limit int) ([]*invest.Candidate, error) {
	a, g, err := check(ctx, investRules, ReadCandidates)
	if err != nil {
		return nil, err
	}
	if g == Own {
		ok, err := ownsIndustry(ctx, c.cat, a, industryID)
		if err != nil {
			return nil, err
		}
		if err := scoped(a, ReadCandidates, ok); err != nil {
			return nil, err
		}
	}
	return c.inner.FindCandidates(ctx, industryID, linkID, limit)
}

type leads struct {
	inner   invest.LeadService
	targets invest.TargetService
	cat     chanye.CatalogService
}

// Leads returns inner guarded by investRules: a task force follows its
// industry's leads; a department reads those of the industries it leads
// and follows those it owns; leaders read all. targets, unguarded, gives
// a new lead's industry (its target's).
func Leads(inner invest.LeadService, targets invest.TargetService, cat chanye.CatalogService) invest.LeadService {
	return &leads{inner: inner, targets: targets, cat: cat}
}

var _ invest.LeadService = (*leads)(nil)

// may checks act on the lead l.
func (s *leads) may(ctx context.Context, act Action, l *invest.Lead) error {
	return mayLead(ctx, s.cat, act, l)
}

func mayLead(ctx context.Context, cat chanye.CatalogService, act Action, l *invest.Lead) error {
	a, g, err := check(ctx, investRules, act)
	if err != nil || g != Own {
		return err
	}
	sc, err := leadScope(ctx, cat, a, act == ReadInvestLeads)
	if err != nil {
		return err
	}
	return scoped(a, act, inScope(sc, l))
}

// stored checks act on the stored lead id and returns it.
func (s *leads) stored(ctx context.Context, act Action, id int64) (*invest.Lead, error) {
	if _, _, err := check(ctx, investRules, act); err != nil {
		return nil, err
	}
	l, err := s.inner.FindLeadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return l, s.may(ctx, act, l)
}

// narrow sets the filter's scope for an Own grant.
func (s *leads) narrow(ctx context.Context, f *invest.LeadFilter) error {
	a, g, err := check(ctx, investRules, ReadInvestLeads)
	if err != nil || g != Own {
		return err
	}
	f.Within, err = leadScope(ctx, s.cat, a, true)
	return err
}

func (s *leads) FindLeadByID(ctx context.Context, id int64) (*invest.Lead, error) {
	return s.stored(ctx, ReadInvestLeads, id)
}

func (s *leads) FindLeads(ctx context.Context, f invest.LeadFilter) ([]*invest.Lead, int, error) {
	if err := s.narrow(ctx, &f); err != nil {
		return nil, 0, err
	}
	return s.inner.FindLeads(ctx, f)
}

func (s *leads) FindOverdueLeads(ctx context.Context, f invest.LeadFilter) ([]*invest.Lead, int, error) {
	if err := s.narrow(ctx, &f); err != nil {
		return nil, 0, err
	}
	return s.inner.FindOverdueLeads(ctx, f)
}

func (s *leads) FindLeadEvents(ctx context.Context, id int64) ([]*invest.Event, error) {
	if _, err := s.stored(ctx, ReadInvestLeads, id); err != nil {
		return nil, err
	}
	return s.inner.FindLeadEvents(ctx, id)
}

// CreateLead: the lead takes its target's industry, so the target is
// read first; an Own grant must cover the lead as it will be stored.
func (s *leads) CreateLead(ctx context.Context, l *invest.Lead) error {
	a, g, err := check(ctx, investRules, WriteInvestLeads)
	if err != nil {
		return err
	}
	if g == Own {
		t, err := s.targets.FindTargetByID(ctx, l.TargetID)
		if err != nil {
			return err
		}
		next := *l
		next.IndustryID = t.IndustryID
		sc, err := leadScope(ctx, s.cat, a, false)
		if err != nil {
			return err
		}
		if err := scoped(a, WriteInvestLeads, inScope(sc, &next)); err != nil {
			return err
		}
	}
	return s.inner.CreateLead(ctx, l)
}

func (s *leads) UpdateLead(ctx context.Context, id int64, upd invest.LeadUpdate) (*invest.Lead, error) {
	old, err := s.stored(ctx, WriteInvestLeads, id)
	if err != nil {
		return nil, err
	}
	// The change must not move the lead out of the actor's scope.
	next := upd.Apply(*old)
	if err := s.may(ctx, WriteInvestLeads, &next); err != nil {
		return nil, err
	}
	return s.inner.UpdateLead(ctx, id, upd)
}

func (s *leads) MoveLead(ctx context.Context, id int64, m invest.Move) (*invest.Lead, error) {
	if _, err := s.stored(ctx, WriteInvestLeads, id); err != nil {
		return nil, err
	}
	return s.inner.MoveLead(ctx, id, m)
}

func (s *leads) AddLeadContact(ctx context.Context, id int64, e *invest.Event) error {
	if _, err := s.stored(ctx, WriteInvestLeads, id); err != nil {
		return err
	}
	return s.inner.AddLeadContact(ctx, id, e)
}

type conversions struct {
	inner invest.ConversionService
	leads invest.LeadService
	cat   chanye.CatalogService
}

// Conversions returns inner guarded by investRules: whoever follows a
// lead turns it into a key project; leads, unguarded, reads the lead.
// Making a new project also needs the right to change key projects of
// its industry (projectRules: a department those it answers for, a task
// force its industry's).
func Conversions(inner invest.ConversionService, leads invest.LeadService, cat chanye.CatalogService) invest.ConversionService {
	return &conversions{inner: inner, leads: leads, cat: cat}
}

var _ invest.ConversionService = (*conversions)(nil)

func (c *conversions) lead(ctx context.Context, id int64) (*invest.Lead, error) {
	if _, _, err := check(ctx, investRules, ConvertLeads); err != nil {
		return nil, err
	}
	l, err := c.leads.FindLeadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return l, mayLead(ctx, c.cat, ConvertLeads, l)
}

func (c *conversions) ConvertLead(ctx context.Context, leadID int64, projectID string) (*invest.Lead, error) {
	if _, err := c.lead(ctx, leadID); err != nil {
		return nil, err
	}
	return c.inner.ConvertLead(ctx, leadID, projectID)
}

func (c *conversions) CreateProjectFromLead(ctx context.Context, leadID int64, p *project.Project) (*invest.Lead, error) {
	l, err := c.lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	a, g, err := check(ctx, projectRules, WriteProjects)
	if err != nil {
		return nil, err
	}
	if g == Own {
		ok, err := ownsIndustry(ctx, c.cat, a, l.IndustryID)
		if err != nil {
			return nil, err
		}
		if a.Role == chanye.RoleDepartment && p.Department != "" {
			ok = p.Department == a.Department
		}
		if err := scoped(a, WriteProjects, ok); err != nil {
			return nil, err
		}
	}
	return c.inner.CreateProjectFromLead(ctx, leadID, p)
}

type funnel struct {
	inner invest.FunnelService
	cat   chanye.CatalogService
}

// Funnel returns inner guarded by investRules: officials count the leads
// they read; the public gets the counts without amounts.
func Funnel(inner invest.FunnelService, cat chanye.CatalogService) invest.FunnelService {
	return &funnel{inner: inner, cat: cat}
}

var _ invest.FunnelService = (*funnel)(nil)

func (s *funnel) FindFunnel(ctx context.Context, f invest.LeadFilter) (*invest.Funnel, error) {
	a, g, err := check(ctx, investRules, ReadFunnel)
	if err != nil {
		return nil, err
	}
	if g == Own {
		if f.Within, err = leadScope(ctx, s.cat, a, true); err != nil {
			return nil, err
		}
	}
	out, err := s.inner.FindFunnel(ctx, f)
	if err != nil || g != Aggregate {
		return out, err
	}
	return out.Counts(), nil
}
