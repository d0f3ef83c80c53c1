package authz

import (
	"context"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/request"
)

// Actions on enterprise requests (诉求).
const (
	RaiseRequests    Action = "raise enterprise requests"
	ReadRequests     Action = "read enterprise requests"
	HandleRequests   Action = "handle enterprise requests" // acknowledge, answer, callback, reroute, co-handling
	ConfirmRequests  Action = "confirm and rate the answer to a request"
	ReadCategories   Action = "read the request categories"
	WriteCategories  Action = "keep the request categories"
	EscalateAll      Action = "escalate overdue requests"
	ReadRequestStats Action = "read the requests' anonymised statistics"
	ReadIssues       Action = "read the common problems grouped from requests"
	SolveIssues      Action = "record how a common problem was solved"
	GroupAll         Action = "group requests into common problems"
)

// requestRules: an enterprise raises its own requests, reads them and is
// the only one to confirm and rate an answer (a request closes only when
// the enterprise agrees, or after a recorded callback); officials record
// requests on an enterprise's behalf; a department reads the requests it
// leads, co-handles or oversees as the lead department of their industry,
// and handles those it leads; a task force reads its industry's; leaders
// read all; administrators do all but confirm, route what no
// responsibility routes, keep the categories and run the escalation. The
// categories are open: the forms and the open statistics show them.
var requestRules = Rules{
	RaiseRequests:   {admin: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Own},
	ReadRequests:    {admin: Allow, leader: Allow, department: Own, taskForce: Own, enterprise: Own},
	HandleRequests:  {admin: Allow, department: Own},
	ConfirmRequests: {enterprise: Own}, // not even an administrator agrees for the enterprise
	ReadCategories:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	WriteCategories: {admin: Allow},
	EscalateAll:     {admin: Allow},
	// Counts and shares, never an enterprise's name: open data.
	ReadRequestStats: {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, enterprise: Allow, public: Allow},
	// Common problems go to the industry's task force, which solves them;
	// the departments leading the industry read them.
	ReadIssues:  {admin: Allow, leader: Allow, department: Own, taskForce: Own},
	SolveIssues: {admin: Allow, taskForce: Own},
	GroupAll:    {admin: Allow},
}

// RequestRules returns the requests' rules, for review and tests.
func RequestRules() Rules { return requestRules }

type requests struct {
	inner request.Service
	cat   chanye.CatalogService
}

// Requests returns inner guarded by requestRules. cat, unguarded, tells
// which industries a department leads.
func Requests(inner request.Service, cat chanye.CatalogService) request.Service {
	return &requests{inner: inner, cat: cat}
}

var _ request.Service = (*requests)(nil)

// requestHidden is the answer for a request an enterprise may not see.
var requestHidden = chanye.Errorf(chanye.ENOTFOUND, "诉求不存在 / no such request")

// reads reports whether a's Own grant covers reading r.
func (s *requests) reads(ctx context.Context, a *chanye.Actor, r *request.Request) (bool, error) {
	switch a.Role {
	case chanye.RoleEnterprise:
		return a.Code != "" && strings.EqualFold(a.Code, r.Code), nil
	case chanye.RoleTaskForce:
		return a.IndustryID != "" && a.IndustryID == r.IndustryID, nil
	case chanye.RoleDepartment:
		if a.Department == "" {
			return false, nil
		}
		if r.Department == a.Department || slices.Contains(r.CoHandlers, a.Department) {
			return true, nil
		}
		return ownsIndustry(ctx, s.cat, a, r.IndustryID)
	}
	return false, nil
}

// MayHandle reports whether the rules let a handle r: an administrator,
// or the department that leads it.
func MayHandle(a *chanye.Actor, r *request.Request) bool {
	if a == nil {
		return false
	}
	switch requestRules.Grant(a.Role, HandleRequests) {
	case Allow:
		return true
	case Own:
		return a.Role == chanye.RoleDepartment && a.Department != "" && a.Department == r.Department
	}
	return false
}

// MayConfirm reports whether a is the enterprise that raised r.
func MayConfirm(a *chanye.Actor, r *request.Request) bool {
	return a != nil && requestRules.Grant(a.Role, ConfirmRequests) == Own && a.Code != "" && strings.EqualFold(a.Code, r.Code)
}

func (s *requests) FindCategories(ctx context.Context) ([]*request.Category, error) {
	if _, _, err := check(ctx, requestRules, ReadCategories); err != nil {
		return nil, err
	}
	return s.inner.FindCategories(ctx)
}

func (s *requests) PutCategory(ctx context.Context, c *request.Category) error {
	if _, _, err := check(ctx, requestRules, WriteCategories); err != nil {
		return err
	}
	return s.inner.PutCategory(ctx, c)
}

// CreateRequest: an enterprise raises its own, online; officials record
// one for any enterprise, by another channel.
func (s *requests) CreateRequest(ctx context.Context, r *request.Request) (*request.Request, bool, error) {
	a, g, err := check(ctx, requestRules, RaiseRequests)
	if err != nil {
		return nil, false, err
	}
	if g == Own {
		if err := scoped(a, RaiseRequests, a.Code != "" && strings.EqualFold(a.Code, strings.TrimSpace(r.Code))); err != nil {
			return nil, false, err
		}
		if r.Channel != request.ChannelOnline {
			return nil, false, chanye.Invalid("诉求有误 / invalid request", map[string]string{"channel": "企业自行提交的诉求渠道为 online / an enterprise's own request comes online"})
		}
	}
	return s.inner.CreateRequest(ctx, r)
}

// one reads request id and checks act on it: reading in a's scope,
// handling by its lead department, confirming by its enterprise. An
// enterprise out of scope gets ENOTFOUND.
func (s *requests) one(ctx context.Context, act Action, id int64) (*request.Request, error) {
	a, g, err := check(ctx, requestRules, act)
	if err != nil {
		return nil, err
	}
	r, err := s.inner.FindRequestByID(ctx, id)
	if err != nil || g != Own {
		return r, err
	}
	var ok bool
	switch act {
	case ReadRequests:
		if ok, err = s.reads(ctx, a, r); err != nil {
			return nil, err
		}
	case HandleRequests:
		ok = MayHandle(a, r)
	case ConfirmRequests:
		ok = MayConfirm(a, r)
	}
	if err := scopedAs(a, act, ok, requestHidden); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *requests) FindRequestByID(ctx context.Context, id int64) (*request.Request, error) {
	return s.one(ctx, ReadRequests, id)
}

// FindRequests narrows an Own grant's list to the actor's scope.
func (s *requests) FindRequests(ctx context.Context, f request.Filter) ([]*request.Request, int, error) {
	a, g, err := check(ctx, requestRules, ReadRequests)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		none := func() ([]*request.Request, int, error) { return []*request.Request{}, 0, nil }
		switch {
		case a.Role == chanye.RoleEnterprise && a.Code != "":
			f.Code = &a.Code
		case a.Role == chanye.RoleTaskForce && a.IndustryID != "":
			f.IndustryID = &a.IndustryID
		case a.Role == chanye.RoleDepartment && a.Department != "":
			f.Department = &a.Department
		default:
			return none()
		}
	}
	return s.inner.FindRequests(ctx, f)
}

// Act: the enterprise confirms; the lead department (or an
// administrator) takes every other step.
func (s *requests) Act(ctx context.Context, id int64, st request.Step) (*request.Request, error) {
	act := HandleRequests
	if st.Action == request.StepConfirm {
		act = ConfirmRequests
	}
	if _, err := s.one(ctx, act, id); err != nil {
		return nil, err
	}
	return s.inner.Act(ctx, id, st)
}

func (s *requests) Escalate(ctx context.Context) (int, error) {
	if _, _, err := check(ctx, requestRules, EscalateAll); err != nil {
		return 0, err
	}
	return s.inner.Escalate(ctx)
}

func (s *requests) FindStats(ctx context.Context, f request.StatsFilter) ([]*request.Stat, error) {
	if _, _, err := check(ctx, requestRules, ReadRequestStats); err != nil {
		return nil, err
	}
	return s.inner.FindStats(ctx, f)
}

type requestIssues struct {
	inner request.IssueService
	cat   chanye.CatalogService
}

// Issues returns inner guarded by requestRules: a task force reads and
// solves its industry's issues, a department reads those of the
// industries it leads.
func Issues(inner request.IssueService, cat chanye.CatalogService) request.IssueService {
	return &requestIssues{inner: inner, cat: cat}
}

var _ request.IssueService = (*requestIssues)(nil)

func (s *requestIssues) GroupRequests(ctx context.Context) (int, error) {
	if _, _, err := check(ctx, requestRules, GroupAll); err != nil {
		return 0, err
	}
	return s.inner.GroupRequests(ctx)
}

func (s *requestIssues) FindIssues(ctx context.Context, f request.IssueFilter) ([]*request.Issue, error) {
	a, g, err := check(ctx, requestRules, ReadIssues)
	if err != nil {
		return nil, err
	}
	if g == Own {
		if f.IndustryIDs, err = ledIndustries(ctx, s.cat, a); err != nil {
			return nil, err
		}
	}
	return s.inner.FindIssues(ctx, f)
}

func (s *requestIssues) SolveIssue(ctx context.Context, id int64, note string) (*request.Issue, error) {
	a, g, err := check(ctx, requestRules, SolveIssues)
	if err != nil {
		return nil, err
	}
	if g == Own {
		xs, err := s.inner.FindIssues(ctx, request.IssueFilter{IndustryIDs: []string{a.IndustryID}})
		if err != nil {
			return nil, err
		}
		if err := scoped(a, SolveIssues, slices.ContainsFunc(xs, func(x *request.Issue) bool { return x.ID == id })); err != nil {
			return nil, err
		}
	}
	return s.inner.SolveIssue(ctx, id, note)
}

type requestFiles struct {
	inner request.FileService
	reqs  *requests
}

// RequestFiles returns inner guarded by requestRules: whoever reads a
// request reads its files; its enterprise and the lead department (or an
// administrator) attach them. reqs and cat, unguarded, tell whose a
// request is.
func RequestFiles(inner request.FileService, reqs request.Service, cat chanye.CatalogService) request.FileService {
	return &requestFiles{inner: inner, reqs: &requests{inner: reqs, cat: cat}}
}

var _ request.FileService = (*requestFiles)(nil)

func (s *requestFiles) AddFile(ctx context.Context, id int64, name string, data []byte) (*request.File, error) {
	r, err := s.reqs.one(ctx, ReadRequests, id)
	if err != nil {
		return nil, err
	}
	if a := chanye.ActorFrom(ctx); !MayHandle(a, r) && !MayConfirm(a, r) {
		return nil, deny(a, "attach files to this request")
	}
	return s.inner.AddFile(ctx, id, name, data)
}

func (s *requestFiles) FindFiles(ctx context.Context, id int64) ([]*request.File, error) {
	if _, err := s.reqs.one(ctx, ReadRequests, id); err != nil {
		return nil, err
	}
	return s.inner.FindFiles(ctx, id)
}

func (s *requestFiles) FindFile(ctx context.Context, id, fileID int64) (*request.File, []byte, error) {
	if _, err := s.reqs.one(ctx, ReadRequests, id); err != nil {
		return nil, nil, err
	}
	return s.inner.FindFile(ctx, id, fileID)
}
