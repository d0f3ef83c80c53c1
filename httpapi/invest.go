package httpapi

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/invest"
	"github.com/chanye-org/chanye/project"
)

// 招商 (investment attraction): the targets of an industry's lists, the
// rosters of outside firms, the candidates for a gap, the leads that follow
// a target to a key project, and their funnel. Money is in fen.

// InvestServices are the services of 招商, as the API uses them: each one
// the store guarded by package authz.
type InvestServices struct {
	Targets     invest.TargetService
	Roster      invest.RosterService
	Candidates  invest.CandidateService
	Leads       invest.LeadService
	Conversions invest.ConversionService
	Funnel      invest.FunnelService
	// Supervisions is the supervision (督办) of leads; nil: its routes
	// answer 404.
	Supervisions project.SupervisionService
	Imports      invest.LeadImporter // nil: POST /api/v1/leads/import answers 404
}

// withInvest passes the 招商 services to h, or answers 404 without them.
func (s *server) withInvest(h func(http.ResponseWriter, *http.Request, *InvestServices) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.invest == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "未配置招商 / no 招商 (investment attraction) configured")
		}
		return h(w, r, s.invest)
	}
}

// investPaging reads offset and limit (at most invest.MaxPage) from q.
func investPaging(q map[string]string) (offset, limit int, err error) {
	limit = invest.DefaultPage
	if v, ok := q["offset"]; ok {
		if offset, err = queryInt("offset", v, 0, math.MaxInt32); err != nil {
			return 0, 0, err
		}
	}
	if v, ok := q["limit"]; ok {
		if limit, err = queryInt("limit", v, 1, invest.MaxPage); err != nil {
			return 0, 0, err
		}
	}
	return offset, limit, nil
}

// given returns a pointer to q[name] when it is given.
func given(q map[string]string, name string) *string {
	if v, ok := q[name]; ok {
		return &v
	}
	return nil
}

// Targets.

func (s *server) listInvestTargets(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	q, err := query(r, "industry", "link", "kind", "code", "offset", "limit")
	if err != nil {
		return err
	}
	f := invest.TargetFilter{IndustryID: given(q, "industry"), LinkID: given(q, "link"), Code: given(q, "code")}
	if v, ok := q["kind"]; ok {
		k := invest.ListKind(v)
		if !k.Valid() {
			return paramError("kind", "须为 attract、tech 或 expand，而不是 "+strconv.Quote(v), "must be attract, tech or expand, not "+strconv.Quote(v))
		}
		f.Kind = &k
	}
	if f.Offset, f.Limit, err = investPaging(q); err != nil {
		return err
	}
	xs, total, err := svc.Targets.FindTargets(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(xs, total, f.Offset, f.Limit))
}

// targetBody is what a client sets on a new target.
type targetBody struct {
	IndustryID string          `json:"industry_id"`
	LinkID     string          `json:"link_id"`
	Kind       invest.ListKind `json:"kind"`
	Name       string          `json:"name"`
	Code       string          `json:"code"`
	City       string          `json:"city"`
	Brings     string          `json:"brings"`
	Source     string          `json:"source"`
	Note       string          `json:"note"`
}

func (s *server) createInvestTarget(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	var b targetBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	t := &invest.Target{IndustryID: b.IndustryID, LinkID: b.LinkID, Kind: b.Kind, Name: b.Name, Code: b.Code, City: b.City,
		Brings: b.Brings, Source: b.Source, Note: b.Note}
	if err := svc.Targets.CreateTarget(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/invest-targets/"+strconv.FormatInt(t.ID, 10))
	return writeJSON(w, http.StatusCreated, t)
}

func (s *server) getInvestTarget(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	t, err := svc.Targets.FindTargetByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// deleteInvestTarget removes a target and answers it, as it was. For a
// target that is not there the delete still answers, so that a caller who
// may read targets but not delete them is told so (403), not 404.
func (s *server) deleteInvestTarget(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	t, err := svc.Targets.FindTargetByID(r.Context(), id)
	if err != nil && chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return err
	}
	if err := svc.Targets.DeleteTarget(r.Context(), id); err != nil {
		return err
	}
	if t == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "招商对象 %d 不存在 / target %d not found", id, id)
	}
	return writeJSON(w, http.StatusOK, t)
}

// Candidates.

// listCandidates proposes targets for a link; its industry is the first
// part of the link's id.
func (s *server) listCandidates(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	q, err := query(r, "limit")
	if err != nil {
		return err
	}
	limit := invest.DefaultCandidate
	if v, ok := q["limit"]; ok {
		if limit, err = queryInt("limit", v, 1, invest.MaxCandidates); err != nil {
			return err
		}
	}
	link := r.PathValue("link")
	industry, _, found := strings.Cut(link, ".")
	if !found || industry == "" {
		return chanye.Errorf(chanye.ENOTFOUND, "没有环节 %q / no link %q", link, link)
	}
	xs, err := svc.Candidates.FindCandidates(r.Context(), industry, link, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(xs))
}

// Rosters.

func (s *server) listRoster(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	q, err := query(r, "source", "class", "offset", "limit")
	if err != nil {
		return err
	}
	f := invest.RosterFilter{Source: given(q, "source"), Class: given(q, "class")}
	if f.Offset, f.Limit, err = investPaging(q); err != nil {
		return err
	}
	xs, total, err := svc.Roster.FindRoster(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(xs, total, f.Offset, f.Limit))
}

// rosterRow is one firm of a roster as a client sends it.
type rosterRow struct {
	Name     string          `json:"name"`
	Code     string          `json:"code"`
	City     string          `json:"city"`
	Province string          `json:"province"`
	Class    string          `json:"class"`
	Products string          `json:"products"`
	Tier     chanye.TierKind `json:"tier"`
}

// rosterImport is the answer to a roster import.
type rosterImport struct {
	Source string `json:"source"`
	Rows   int    `json:"rows"`
}

// putRoster replaces the firms of a source with the body's rows, all or
// nothing; errors name rows[N].field.
func (s *server) putRoster(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	var b struct {
		Source string      `json:"source"`
		Rows   []rosterRow `json:"rows"`
	}
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	rows := make([]invest.RosterFirm, len(b.Rows))
	for i, x := range b.Rows {
		rows[i] = invest.RosterFirm{Name: x.Name, Code: x.Code, City: x.City, Province: x.Province, Class: x.Class, Products: x.Products, Tier: x.Tier}
	}
	if err := svc.Roster.ImportRoster(r.Context(), b.Source, rows); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rosterImport{Source: strings.TrimSpace(b.Source), Rows: len(rows)})
}

// Leads.

// leadFilter reads the lead filters of q (and, with paged, offset and
// limit). Stage and open are read only when allowed.
func leadFilter(q map[string]string, paged bool) (invest.LeadFilter, error) {
	f := invest.LeadFilter{IndustryID: given(q, "industry"), LinkID: given(q, "link"), OwnerName: given(q, "owner"),
		DistrictCode: given(q, "district"), ProjectID: given(q, "project")}
	if v, ok := q["stage"]; ok {
		st := invest.Stage(v)
		if !st.Valid() {
			return f, paramError("stage", "未知阶段 "+strconv.Quote(v), "unknown stage "+strconv.Quote(v)+", use clue, contact, visit, negotiate, signed, landed or lost")
		}
		f.Stage = &st
	}
	if v, ok := q["open"]; ok {
		b, err := queryBool("open", v)
		if err != nil {
			return f, err
		}
		f.Open = &b
	}
	if v, ok := q["owner_kind"]; ok {
		k := invest.OwnerKind(v)
		if !k.Valid() {
			return f, paramError("owner_kind", "须为 task_force、department 或 district，而不是 "+strconv.Quote(v), "must be task_force, department or district, not "+strconv.Quote(v))
		}
		f.OwnerKind = &k
	}
	if v, ok := q["target"]; ok {
		n, err := queryInt("target", v, 1, math.MaxInt32)
		if err != nil {
			return f, err
		}
		id := int64(n)
		f.TargetID = &id
	}
	if paged {
		var err error
		if f.Offset, f.Limit, err = investPaging(q); err != nil {
			return f, err
		}
	}
	return f, nil
}

// leadParams are the query parameters of the lead lists.
var leadParams = []string{"industry", "link", "stage", "open", "owner_kind", "owner", "district", "target", "project", "offset", "limit"}

func (s *server) listLeads(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	return s.findLeads(w, r, svc.Leads.FindLeads)
}

func (s *server) listOverdueLeads(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	return s.findLeads(w, r, svc.Leads.FindOverdueLeads)
}

func (s *server) findLeads(w http.ResponseWriter, r *http.Request, find func(ctx context.Context, f invest.LeadFilter) ([]*invest.Lead, int, error)) error {
	q, err := query(r, leadParams...)
	if err != nil {
		return err
	}
	f, err := leadFilter(q, true)
	if err != nil {
		return err
	}
	xs, total, err := find(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(xs, total, f.Offset, f.Limit))
}

// leadBody is what a client sets on a new lead.
type leadBody struct {
	TargetID     int64            `json:"target_id"`
	LinkID       string           `json:"link_id"`
	OwnerKind    invest.OwnerKind `json:"owner_kind"`
	OwnerName    string           `json:"owner_name"`
	ExpectedFen  *chanye.Fen      `json:"expected_fen"`
	NextAction   string           `json:"next_action"`
	NextActionOn chanye.Date      `json:"next_action_on"`
	// StageOn is the day the clue came in when it is recorded later; today
	// when omitted.
	StageOn chanye.Date `json:"stage_on"`
}

func (s *server) createLead(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	var b leadBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	l := &invest.Lead{TargetID: b.TargetID, LinkID: b.LinkID, OwnerKind: b.OwnerKind, OwnerName: b.OwnerName, ExpectedFen: b.ExpectedFen,
		NextAction: b.NextAction, NextActionOn: b.NextActionOn, StageOn: b.StageOn}
	if err := svc.Leads.CreateLead(r.Context(), l); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/leads/"+strconv.FormatInt(l.ID, 10))
	return writeJSON(w, http.StatusCreated, l)
}

// leadView is a lead with its history.
type leadView struct {
	*invest.Lead
	Events []*invest.Event `json:"events"`
}

func (s *server) getLead(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	l, err := svc.Leads.FindLeadByID(r.Context(), id)
	if err != nil {
		return err
	}
	evs, err := svc.Leads.FindLeadEvents(r.Context(), id)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []*invest.Event{}
	}
	return writeJSON(w, http.StatusOK, leadView{Lead: l, Events: evs})
}

func (s *server) patchLead(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var upd invest.LeadUpdate
	if err := s.decodeJSON(w, r, &upd); err != nil {
		return err
	}
	l, err := svc.Leads.UpdateLead(r.Context(), id, upd)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

func (s *server) moveLead(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var m invest.Move
	if err := s.decodeJSON(w, r, &m); err != nil {
		return err
	}
	l, err := svc.Leads.MoveLead(r.Context(), id, m)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

func (s *server) addLeadContact(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Kind invest.EventKind `json:"kind"`
		On   chanye.Date      `json:"on"`
		Note string           `json:"note"`
	}
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	e := &invest.Event{Kind: b.Kind, On: b.On, Note: b.Note}
	if err := svc.Leads.AddLeadContact(r.Context(), id, e); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

// convertLead turns a signed lead into a key project: it links the
// project the body names, or creates one from the lead (201, with the
// project's Location).
func (s *server) convertLead(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		ProjectID string           `json:"project_id"`
		Project   *project.Project `json:"project"`
	}
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	switch {
	case b.Project != nil && b.ProjectID != "":
		return fieldError("project", "与 project_id 只能给出其一", "give project_id or project, not both", "")
	case b.Project != nil:
		b.Project.Colour = "" // computed, never given
		l, err := svc.Conversions.CreateProjectFromLead(r.Context(), id, b.Project)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/projects/"+url.PathEscape(l.ProjectID))
		return writeJSON(w, http.StatusCreated, l)
	case strings.TrimSpace(b.ProjectID) == "":
		return fieldError("project_id", "必填：关联已有项目，或以 project 新建项目", "required: link an existing project, or give project to create one", "")
	}
	l, err := svc.Conversions.ConvertLead(r.Context(), id, strings.TrimSpace(b.ProjectID))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

// Funnel.

// getFunnel counts the leads the filters select; the public gets the
// counts without amounts (authz).
func (s *server) getFunnel(w http.ResponseWriter, r *http.Request, svc *InvestServices) error {
	q, err := query(r, "industry", "link", "owner_kind", "owner", "district", "target", "project")
	if err != nil {
		return err
	}
	f, err := leadFilter(q, false)
	if err != nil {
		return err
	}
	out, err := svc.Funnel.FindFunnel(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
