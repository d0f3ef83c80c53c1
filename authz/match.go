package authz

import (
	"context"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/match"
)

// Actions on supply–demand matchmaking (广聚群链).
const (
	ReadListings     Action = "read supplies and demands"
	WriteListings    Action = "post and edit supplies and demands"
	ReadMatches      Action = "read matches"
	ProposeMatches   Action = "run matchmaking"
	ActOnMatches     Action = "act on matches"
	ReadFairs        Action = "read matchmaking fairs"
	JoinFairs        Action = "register for fairs and ask for meetings"
	OrganiseFairs    Action = "organise matchmaking fairs"
	ReadFairReports  Action = "read a fair's report"
	ReadChainMetrics Action = "read the chains' matchmaking figures"
)

// matchRules: an enterprise posts and edits its own listings, sees the
// matches it is a side of (with their scores and reasons) and accepts or
// declines for its side only — the store takes the side from the
// firm's code, so a firm cannot act for the other —, registers itself
// for fairs and asks for meetings it is a party to, and sees its own
// registrations, requests and meetings at a fair. Officials (admin,
// leader, department, task force, district) read every listing, match,
// fair and report. Administrators, departments and task forces run
// matchmaking: a run covers every open listing and only adds proposals,
// so it is not split by industry. Fairs are organised — created,
// scheduled, their timetable edited, outcomes recorded, firms
// registered for them — by administrators, and by the department
// leading the fair's industry and its task force (Own; a fair of every
// industry is the administrators'); the same officials step a match of
// their industry's chain links through negotiation (negotiate, sign,
// fail) as officials. The public sees the fairs themselves (title, day,
// venue: a fair is announced to be attended) but not who registered,
// and the chains' figures, which are counts. Administrators also post
// listings for a firm (data entry, imports).
var matchRules = Rules{
	ReadListings:     {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Own},
	WriteListings:    {admin: Allow, enterprise: Own},
	ReadMatches:      {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Own},
	ProposeMatches:   {admin: Allow, department: Allow, taskForce: Allow},
	ActOnMatches:     {admin: Allow, department: Own, taskForce: Own, enterprise: Own},
	ReadFairs:        {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Own, public: Aggregate},
	JoinFairs:        {admin: Allow, department: Own, taskForce: Own, enterprise: Own},
	OrganiseFairs:    {admin: Allow, department: Own, taskForce: Own},
	ReadFairReports:  {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow},
	ReadChainMetrics: {admin: Allow, leader: Allow, department: Allow, taskForce: Allow, district: Allow, enterprise: Allow, public: Allow},
}

// MatchRules returns the matchmaking rules, for review and tests.
func MatchRules() Rules { return matchRules }

// isFirm reports whether a is the enterprise of credit code code.
func isFirm(a *chanye.Actor, code string) bool {
	return a.Role == chanye.RoleEnterprise && a.Code != "" && strings.EqualFold(a.Code, strings.TrimSpace(code))
}

// MatchListings returns inner guarded by matchRules; matches (unguarded)
// tell whether a firm is matched with a listing of another firm, which it
// may then read: a side judges a match by what the other offers or needs.
func MatchListings(inner match.ListingService, matches match.MatchService) match.ListingService {
	return &listings{inner: inner, matches: matches}
}

type listings struct {
	inner   match.ListingService
	matches match.MatchService
}

var _ match.ListingService = (*listings)(nil)

// readOwn checks ReadListings on a listing of firm code.
func readOwn(ctx context.Context, code string) error {
	a, g, err := check(ctx, matchRules, ReadListings)
	if err != nil || g == Allow {
		return err
	}
	return scoped(a, ReadListings, isFirm(a, code))
}

// writeOwn checks WriteListings on a listing of firm code.
func writeOwn(ctx context.Context, code string) error {
	a, g, err := check(ctx, matchRules, WriteListings)
	if err != nil || g == Allow {
		return err
	}
	return scoped(a, WriteListings, isFirm(a, code))
}

// ownListings narrows f to the actor's firm under Own; false when the
// actor has no firm (nothing to list).
func ownListings(ctx context.Context, f *match.ListingFilter) (bool, error) {
	a, g, err := check(ctx, matchRules, ReadListings)
	if err != nil || g == Allow {
		return err == nil, err
	}
	if a.Code == "" {
		return false, nil
	}
	f.Code = &a.Code
	return true, nil
}

// listing reads listing id with find after checking act (ReadListings or
// WriteListings), and checks that the actor's grant covers its firm: a
// firm reads and changes only its own.
func listing[T any](ctx context.Context, act Action, id int64, find func(context.Context, int64) (T, error), code func(T) string) (T, error) {
	var zero T
	if _, _, err := check(ctx, matchRules, act); err != nil {
		return zero, err
	}
	x, err := find(ctx, id)
	if err != nil {
		return zero, err
	}
	own := readOwn
	if act == WriteListings {
		own = writeOwn
	}
	if err := own(ctx, code(x)); err != nil {
		return zero, err
	}
	return x, nil
}

func supplyCode(x *match.Supply) string { return x.Code }
func demandCode(x *match.Demand) string { return x.Code }

func (l *listings) CreateSupply(ctx context.Context, s *match.Supply) error {
	if err := writeOwn(ctx, s.Code); err != nil {
		return err
	}
	return l.inner.CreateSupply(ctx, s)
}

func (l *listings) UpdateSupply(ctx context.Context, id int64, upd match.SupplyUpdate) (*match.Supply, error) {
	if _, err := listing(ctx, WriteListings, id, l.inner.FindSupplyByID, supplyCode); err != nil {
		return nil, err
	}
	return l.inner.UpdateSupply(ctx, id, upd)
}

func (l *listings) FindSupplyByID(ctx context.Context, id int64) (*match.Supply, error) {
	x, err := listing(ctx, ReadListings, id, l.inner.FindSupplyByID, supplyCode)
	if err != nil && l.matched(ctx, err, match.MatchFilter{SupplyID: &id}) {
		return l.inner.FindSupplyByID(ctx, id)
	}
	return x, err
}

// matched reports whether err refuses a firm a listing it is matched with:
// f selects the listing's matches, narrowed here to the firm's.
func (l *listings) matched(ctx context.Context, err error, f match.MatchFilter) bool {
	a := chanye.ActorFrom(ctx)
	if chanye.ErrorCode(err) != chanye.ENOTFOUND || a.Role != chanye.RoleEnterprise || a.Code == "" {
		return false
	}
	f.Code, f.Limit = &a.Code, 1
	_, n, ferr := l.matches.FindMatches(ctx, f)
	return ferr == nil && n > 0
}

func (l *listings) FindSupplies(ctx context.Context, f match.ListingFilter) ([]*match.Supply, int, error) {
	if ok, err := ownListings(ctx, &f); err != nil || !ok {
		return []*match.Supply{}, 0, err
	}
	return l.inner.FindSupplies(ctx, f)
}

func (l *listings) CreateDemand(ctx context.Context, d *match.Demand) error {
	if err := writeOwn(ctx, d.Code); err != nil {
		return err
	}
	return l.inner.CreateDemand(ctx, d)
}

func (l *listings) UpdateDemand(ctx context.Context, id int64, upd match.DemandUpdate) (*match.Demand, error) {
	if _, err := listing(ctx, WriteListings, id, l.inner.FindDemandByID, demandCode); err != nil {
		return nil, err
	}
	return l.inner.UpdateDemand(ctx, id, upd)
}

func (l *listings) FindDemandByID(ctx context.Context, id int64) (*match.Demand, error) {
	x, err := listing(ctx, ReadListings, id, l.inner.FindDemandByID, demandCode)
	if err != nil && l.matched(ctx, err, match.MatchFilter{DemandID: &id}) {
		return l.inner.FindDemandByID(ctx, id)
	}
	return x, err
}

func (l *listings) FindDemands(ctx context.Context, f match.ListingFilter) ([]*match.Demand, int, error) {
	if ok, err := ownListings(ctx, &f); err != nil || !ok {
		return []*match.Demand{}, 0, err
	}
	return l.inner.FindDemands(ctx, f)
}

// Matches returns inner guarded by matchRules; chains (unguarded) tell
// the industry of a match's links, cat which industries a department
// leads.
func Matches(inner match.MatchService, chains chain.Service, cat chanye.CatalogService) match.MatchService {
	return &matches{inner: inner, chains: chains, cat: cat}
}

type matches struct {
	inner  match.MatchService
	chains chain.Service
	cat    chanye.CatalogService
}

var _ match.MatchService = (*matches)(nil)

// matchHidden is the answer for a match the firm is no side of.
var matchHidden = chanye.Errorf(chanye.ENOTFOUND, "供需对接不存在 / no such match")

// ownsMatch reports whether a department or task force follows m: the
// chain of one of its links is of an industry in a's scope.
func (m *matches) ownsMatch(ctx context.Context, a *chanye.Actor, x *match.Match) (bool, error) {
	set, err := m.chains.FindChains(ctx)
	if err != nil {
		return false, err
	}
	for _, link := range []string{x.DemandLink, x.SupplyLink} {
		for _, ch := range set.Chains {
			if link == "" || ch.Link(link) == nil {
				continue
			}
			ok, err := ownsIndustry(ctx, m.cat, a, ch.IndustryID)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

func (m *matches) ProposeMatches(ctx context.Context, seg match.Segmenter) (*match.ProposeRun, error) {
	if _, _, err := check(ctx, matchRules, ProposeMatches); err != nil {
		return nil, err
	}
	return m.inner.ProposeMatches(ctx, seg)
}

// FindMatchByID: a firm the matches it is a side of.
func (m *matches) FindMatchByID(ctx context.Context, id int64) (*match.Match, error) {
	a, g, err := check(ctx, matchRules, ReadMatches)
	if err != nil {
		return nil, err
	}
	x, err := m.inner.FindMatchByID(ctx, id)
	if err != nil || g == Allow {
		return x, err
	}
	_, side := x.SideOf(a.Code)
	if err := scopedAs(a, ReadMatches, a.Code != "" && side, matchHidden); err != nil {
		return nil, err
	}
	return x, nil
}

// FindMatches narrows a firm to the matches it is a side of.
func (m *matches) FindMatches(ctx context.Context, f match.MatchFilter) ([]*match.Match, int, error) {
	a, g, err := check(ctx, matchRules, ReadMatches)
	if err != nil {
		return nil, 0, err
	}
	if g == Own {
		if a.Code == "" {
			return []*match.Match{}, 0, nil
		}
		f.Code = &a.Code
	}
	return m.inner.FindMatches(ctx, f)
}

// ActOnMatch: a firm as its side of the match (the store takes the side
// from its code); a department or task force as an official on a match
// of its industry.
func (m *matches) ActOnMatch(ctx context.Context, id int64, st match.Step) (*match.Match, error) {
	a, g, err := check(ctx, matchRules, ActOnMatches)
	if err != nil {
		return nil, err
	}
	if g == Own {
		x, err := m.inner.FindMatchByID(ctx, id)
		if err != nil {
			return nil, err
		}
		var ok bool
		if a.Role == chanye.RoleEnterprise {
			_, ok = x.SideOf(a.Code)
			ok = ok && a.Code != ""
		} else if ok, err = m.ownsMatch(ctx, a, x); err != nil {
			return nil, err
		}
		if err := scopedAs(a, ActOnMatches, ok, matchHidden); err != nil {
			return nil, err
		}
	}
	return m.inner.ActOnMatch(ctx, id, st)
}

func (m *matches) FindChainMetrics(ctx context.Context, industryID string) (*match.Metrics, error) {
	if _, _, err := check(ctx, matchRules, ReadChainMetrics); err != nil {
		return nil, err
	}
	return m.inner.FindChainMetrics(ctx, industryID)
}

// MatchEvents returns inner guarded by matchRules; matches (unguarded)
// tell the sides of a match a meeting is asked from, cat which
// industries a department leads.
func MatchEvents(inner match.EventService, matches match.MatchService, cat chanye.CatalogService) match.EventService {
	return &fairs{inner: inner, matches: matches, cat: cat}
}

type fairs struct {
	inner   match.EventService
	matches match.MatchService
	cat     chanye.CatalogService
}

var _ match.EventService = (*fairs)(nil)

// fairHidden is the answer for a fair's part an enterprise may not see.
var fairHidden = chanye.Errorf(chanye.ENOTFOUND, "对接会不存在 / no such fair")

// organises checks act (OrganiseFairs or JoinFairs) on fair id for a
// non-enterprise: allowed outright, or, under Own, for the department
// and the task force of the fair's industry.
func (f *fairs) organises(ctx context.Context, act Action, id int64) error {
	a, g, err := check(ctx, matchRules, act)
	if err != nil || g == Allow {
		return err
	}
	plan, err := f.inner.FindEventByID(ctx, id)
	if err != nil {
		return err
	}
	ok, err := ownsIndustry(ctx, f.cat, a, plan.Event.IndustryID)
	if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return err
	}
	return scoped(a, act, ok)
}

func (f *fairs) CreateEvent(ctx context.Context, ev *match.Event) error {
	a, g, err := check(ctx, matchRules, OrganiseFairs)
	if err != nil {
		return err
	}
	if g == Own {
		ok, err := ownsIndustry(ctx, f.cat, a, strings.TrimSpace(ev.IndustryID))
		if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
			return err // an unknown industry is no one's
		}
		if err := scoped(a, OrganiseFairs, ok); err != nil {
			return err
		}
	}
	return f.inner.CreateEvent(ctx, ev)
}

// FindEventByID: the registrations are the officials'; a firm sees its
// own, the public none.
func (f *fairs) FindEventByID(ctx context.Context, id int64) (*match.EventPlan, error) {
	a, g, err := check(ctx, matchRules, ReadFairs)
	if err != nil {
		return nil, err
	}
	plan, err := f.inner.FindEventByID(ctx, id)
	if err != nil || g == Allow {
		return plan, err
	}
	regs := []match.Registration{}
	for _, r := range plan.Registrations {
		if g == Own && isFirm(a, r.Code) {
			regs = append(regs, r)
		}
	}
	plan.Registrations = regs
	return plan, nil
}

func (f *fairs) FindEvents(ctx context.Context, flt match.EventFilter) ([]*match.Event, int, error) {
	if _, _, err := check(ctx, matchRules, ReadFairs); err != nil {
		return nil, 0, err
	}
	return f.inner.FindEvents(ctx, flt)
}

// RegisterForEvent: a firm itself; the fair's organisers any firm, and
// its attendance on the day. A firm registered already in the role is
// left as it is, lest registering again undo the attendance recorded.
func (f *fairs) RegisterForEvent(ctx context.Context, eventID int64, r match.Registration) error {
	a, _, err := check(ctx, matchRules, JoinFairs)
	if err != nil {
		return err
	}
	if a.Role != chanye.RoleEnterprise {
		if err := f.organises(ctx, JoinFairs, eventID); err != nil {
			return err
		}
		return f.inner.RegisterForEvent(ctx, eventID, r)
	}
	if err := scoped(a, JoinFairs, isFirm(a, r.Code)); err != nil {
		return err
	}
	if r.Attended {
		return deny(a, OrganiseFairs) // attendance is the organisers' to record
	}
	plan, err := f.inner.FindEventByID(ctx, eventID)
	if err != nil {
		return err
	}
	for _, x := range plan.Registrations {
		if isFirm(a, x.Code) && x.Role == r.Role {
			return nil
		}
	}
	return f.inner.RegisterForEvent(ctx, eventID, r)
}

// MayOrganiseFair reports whether the rules let a organise ev: an
// administrator, or the department or task force of its industry.
func MayOrganiseFair(ctx context.Context, cat chanye.CatalogService, a *chanye.Actor, ev *match.Event) bool {
	switch matchRules.Grant(a.Role, OrganiseFairs) {
	case Allow:
		return true
	case Own:
		ok, err := ownsIndustry(ctx, cat, a, ev.IndustryID)
		return err == nil && ok
	}
	return false
}

// RequestMeeting: a firm for a meeting it is a party to (of a match, a
// side of the match); the fair's organisers any.
func (f *fairs) RequestMeeting(ctx context.Context, eventID int64, r *match.MeetingRequest) error {
	a, _, err := check(ctx, matchRules, JoinFairs)
	if err != nil {
		return err
	}
	if a.Role != chanye.RoleEnterprise {
		if err := f.organises(ctx, JoinFairs, eventID); err != nil {
			return err
		}
		return f.inner.RequestMeeting(ctx, eventID, r)
	}
	ok := isFirm(a, r.BuyerCode) || isFirm(a, r.SupplierCode)
	if r.MatchID != 0 {
		// The store checks that codes given are the match's.
		x, err := f.matches.FindMatchByID(ctx, r.MatchID)
		switch {
		case chanye.ErrorCode(err) == chanye.ENOTFOUND:
			ok = false
		case err != nil:
			return err
		default:
			_, ok = x.SideOf(a.Code)
			ok = ok && a.Code != ""
		}
	}
	if err := scopedAs(a, JoinFairs, ok, matchHidden); err != nil {
		return err
	}
	return f.inner.RequestMeeting(ctx, eventID, r)
}

// readOwnFair checks ReadFairs on fair id's details: officials all, a
// firm its own part (Own), the public nothing.
func (f *fairs) readOwnFair(ctx context.Context) (*chanye.Actor, Grant, error) {
	a, g, err := check(ctx, matchRules, ReadFairs)
	if err == nil && g == Aggregate {
		err = deny(a, ReadFairs)
	}
	return a, g, err
}

// FindMeetingRequests: a firm those it is a party to.
func (f *fairs) FindMeetingRequests(ctx context.Context, eventID int64) ([]match.MeetingRequest, error) {
	a, g, err := f.readOwnFair(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := f.inner.FindMeetingRequests(ctx, eventID)
	if err != nil || g == Allow {
		return rs, err
	}
	own := []match.MeetingRequest{}
	for _, r := range rs {
		if isFirm(a, r.BuyerCode) || isFirm(a, r.SupplierCode) {
			own = append(own, r)
		}
	}
	return own, nil
}

func (f *fairs) ScheduleEvent(ctx context.Context, eventID int64) (*match.Timetable, []match.Unscheduled, error) {
	if err := f.organises(ctx, OrganiseFairs, eventID); err != nil {
		return nil, nil, err
	}
	return f.inner.ScheduleEvent(ctx, eventID)
}

// FindTimetable: a firm its own meetings.
func (f *fairs) FindTimetable(ctx context.Context, eventID int64) (*match.Timetable, error) {
	a, g, err := f.readOwnFair(ctx)
	if err != nil {
		return nil, err
	}
	t, err := f.inner.FindTimetable(ctx, eventID)
	if err != nil || g == Allow {
		return t, err
	}
	own := []*match.Meeting{}
	for _, m := range t.Meetings {
		if isFirm(a, m.BuyerCode) || isFirm(a, m.SupplierCode) {
			own = append(own, m)
		}
	}
	t.Meetings = own
	return t, nil
}

func (f *fairs) SaveTimetable(ctx context.Context, eventID int64, t *match.Timetable) error {
	if err := f.organises(ctx, OrganiseFairs, eventID); err != nil {
		return err
	}
	return f.inner.SaveTimetable(ctx, eventID, t)
}

func (f *fairs) RecordMeetingOutcome(ctx context.Context, eventID, meetingID int64, o match.OutcomeUpdate) (*match.Meeting, error) {
	if err := f.organises(ctx, OrganiseFairs, eventID); err != nil {
		return nil, err
	}
	return f.inner.RecordMeetingOutcome(ctx, eventID, meetingID, o)
}

func (f *fairs) FindEventReport(ctx context.Context, eventID int64) (*match.EventReport, error) {
	if _, _, err := check(ctx, matchRules, ReadFairReports); err != nil {
		return nil, err
	}
	return f.inner.FindEventReport(ctx, eventID)
}
