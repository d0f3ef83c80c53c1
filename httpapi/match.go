package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/match"
)

// Supply–demand matchmaking (广聚群链): the firms' supplies and demands,
// runs of matching, the matches followed by their sides to a contract,
// the matchmaking fairs with their registrations, meetings, timetable and
// report (JSON and XLSX), and the chains' figures.

// MatchServices serves matchmaking; each service is guarded by authz.
type MatchServices struct {
	Listings match.ListingService
	Matches  match.MatchService
	Events   match.EventService
	// Segmenter cuts the listings' texts when matching runs; nil loads
	// match.NewSegmenter once, at the first run (about 1.5 s), with the
	// keywords and products of the chains (Config.Chains, when given).
	Segmenter match.Segmenter
	// Lazy loads the production segmenter once, shared with the pages;
	// nil: the API loads its own.
	Lazy *match.LazySegmenter
}

func (s *server) withMatch(h func(http.ResponseWriter, *http.Request, *MatchServices) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.match == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "未配置供需对接 / no matchmaking configured")
		}
		return h(w, r, s.match)
	}
}

// listingFilter reads a listings query: code, link, industry, district,
// status, offset, limit.
func listingFilter(r *http.Request) (match.ListingFilter, error) {
	q, err := query(r, "code", "link", "industry", "district", "status", "offset", "limit")
	if err != nil {
		return match.ListingFilter{}, err
	}
	var f match.ListingFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return f, err
	}
	for k, p := range map[string]**string{"code": &f.Code, "link": &f.LinkID, "industry": &f.IndustryID, "district": &f.DistrictCode} {
		if v, ok := q[k]; ok {
			*p = &v
		}
	}
	if v, ok := q["status"]; ok {
		st := match.Status(v)
		if !st.Valid() {
			return f, paramError("status", "须为 open 或 closed", "must be open or closed")
		}
		f.Status = &st
	}
	return f, nil
}

// ownCode is the code of a listing or registration: the caller's firm
// when left out.
func ownCode(r *http.Request, code string) string {
	if code == "" {
		return chanye.ActorFrom(r.Context()).Code
	}
	return code
}

func (s *server) listSupplies(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	f, err := listingFilter(r)
	if err != nil {
		return err
	}
	out, total, err := svc.Listings.FindSupplies(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(out, total, f.Offset, f.Limit))
}

func (s *server) createSupply(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	var x match.Supply
	if err := s.decodeJSON(w, r, &x); err != nil {
		return err
	}
	x.Code = ownCode(r, x.Code)
	if err := svc.Listings.CreateSupply(r.Context(), &x); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/supplies/"+strconv.FormatInt(x.ID, 10))
	return writeJSON(w, http.StatusCreated, &x)
}

func (s *server) getSupply(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	return byID(w, r, svc.Listings.FindSupplyByID)
}

func (s *server) patchSupply(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	return byIDWith(s, w, r, svc.Listings.UpdateSupply)
}

func (s *server) listDemands(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	f, err := listingFilter(r)
	if err != nil {
		return err
	}
	out, total, err := svc.Listings.FindDemands(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(out, total, f.Offset, f.Limit))
}

func (s *server) createDemand(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	var x match.Demand
	if err := s.decodeJSON(w, r, &x); err != nil {
		return err
	}
	x.Code = ownCode(r, x.Code)
	if err := svc.Listings.CreateDemand(r.Context(), &x); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/demands/"+strconv.FormatInt(x.ID, 10))
	return writeJSON(w, http.StatusCreated, &x)
}

func (s *server) getDemand(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	return byID(w, r, svc.Listings.FindDemandByID)
}

func (s *server) patchDemand(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	return byIDWith(s, w, r, svc.Listings.UpdateDemand)
}

// Matching and matches.

// proposeMatches runs matching over the open listings: 201 with the run.
func (s *server) proposeMatches(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	seg := svc.Segmenter
	if seg == nil {
		var err error
		if seg, err = s.segmenter.Get(r.Context(), s.chains); err != nil {
			return err
		}
	}
	run, err := svc.Matches.ProposeMatches(r.Context(), seg)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, run)
}

// listMatches reads ?code= (either side), buyer, supplier, link, industry,
// demand, supply, status, offset, limit; a firm sees its own whatever it
// asks.
func (s *server) listMatches(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	q, err := query(r, "code", "buyer", "supplier", "link", "industry", "demand", "supply", "status", "offset", "limit")
	if err != nil {
		return err
	}
	var f match.MatchFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	for k, p := range map[string]**string{"code": &f.Code, "buyer": &f.BuyerCode, "supplier": &f.SupplierCode, "link": &f.LinkID, "industry": &f.IndustryID} {
		if v, ok := q[k]; ok {
			*p = &v
		}
	}
	for k, p := range map[string]**int64{"demand": &f.DemandID, "supply": &f.SupplyID} {
		if v, ok := q[k]; ok {
			id, err := queryID(k, v)
			if err != nil {
				return err
			}
			*p = &id
		}
	}
	if v, ok := q["status"]; ok {
		st := match.MatchStatus(v)
		if !st.Valid() {
			return paramError("status", fmt.Sprintf("未知状态 %q", v), fmt.Sprintf("unknown status %q", v))
		}
		f.Status = &st
	}
	out, total, err := svc.Matches.FindMatches(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(out, total, f.Offset, f.Limit))
}

func (s *server) getMatch(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	return byID(w, r, svc.Matches.FindMatchByID)
}

func (s *server) actOnMatch(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	return byIDWith(s, w, r, svc.Matches.ActOnMatch)
}

func (s *server) getMatchMetrics(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	m, err := svc.Matches.FindChainMetrics(r.Context(), r.PathValue("industry"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// Fairs.

func (s *server) listFairs(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	q, err := query(r, "industry", "from", "to", "offset", "limit")
	if err != nil {
		return err
	}
	var f match.EventFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["industry"]; ok {
		f.IndustryID = &v
	}
	for k, p := range map[string]*chanye.Date{"from": &f.From, "to": &f.To} {
		if v, ok := q[k]; ok {
			if *p, err = queryDate(k, v); err != nil {
				return err
			}
		}
	}
	out, total, err := svc.Events.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(out, total, f.Offset, f.Limit))
}

func (s *server) createFair(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	var ev match.Event
	if err := s.decodeJSON(w, r, &ev); err != nil {
		return err
	}
	if err := svc.Events.CreateEvent(r.Context(), &ev); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/fairs/"+strconv.FormatInt(ev.ID, 10))
	return writeJSON(w, http.StatusCreated, &ev)
}

func (s *server) getFair(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	plan, err := svc.Events.FindEventByID(r.Context(), id)
	if err != nil {
		return err
	}
	if plan.Registrations == nil {
		plan.Registrations = []match.Registration{}
	}
	return writeJSON(w, http.StatusOK, plan)
}

// registerForFair registers a firm (the caller's when code is left out)
// and answers with the fair as the caller sees it.
func (s *server) registerForFair(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var reg match.Registration
	if err := s.decodeJSON(w, r, &reg); err != nil {
		return err
	}
	reg.Code = ownCode(r, reg.Code)
	if err := svc.Events.RegisterForEvent(r.Context(), id, reg); err != nil {
		return err
	}
	return s.getFair(w, r, svc)
}

func (s *server) listMeetingRequests(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	rs, err := svc.Events.FindMeetingRequests(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(rs))
}

func (s *server) requestMeeting(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var mr match.MeetingRequest
	if err := s.decodeJSON(w, r, &mr); err != nil {
		return err
	}
	if err := svc.Events.RequestMeeting(r.Context(), id, &mr); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &mr)
}

// scheduleBody is a fair's timetable as Schedule made it, with the
// requests it left out.
type scheduleBody struct {
	*match.Timetable
	Unscheduled []match.Unscheduled `json:"unscheduled"`
}

func (s *server) scheduleFair(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	t, left, err := svc.Events.ScheduleEvent(r.Context(), id)
	if err != nil {
		return err
	}
	if t.Meetings == nil {
		t.Meetings = []*match.Meeting{}
	}
	if left == nil {
		left = []match.Unscheduled{}
	}
	return writeJSON(w, http.StatusOK, scheduleBody{Timetable: t, Unscheduled: left})
}

func (s *server) getTimetable(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	t, err := svc.Events.FindTimetable(r.Context(), id)
	if err != nil {
		return err
	}
	if t.Meetings == nil {
		t.Meetings = []*match.Meeting{}
	}
	return writeJSON(w, http.StatusOK, t)
}

// putTimetable replaces the timetable with one edited by hand; an event
// sent with it (as GET gives it) is ignored: the fair's is the store's.
func (s *server) putTimetable(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var t match.Timetable
	if err := s.decodeJSON(w, r, &t); err != nil {
		return err
	}
	if err := svc.Events.SaveTimetable(r.Context(), id, &t); err != nil {
		return err
	}
	if t.Meetings == nil {
		t.Meetings = []*match.Meeting{}
	}
	return writeJSON(w, http.StatusOK, &t)
}

func (s *server) recordMeetingOutcome(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	mid, err := pathInt(r, "meeting")
	if err != nil {
		return err
	}
	var o match.OutcomeUpdate
	if err := s.decodeJSON(w, r, &o); err != nil {
		return err
	}
	m, err := svc.Events.RecordMeetingOutcome(r.Context(), id, mid, o)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

func (s *server) getFairReport(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	return byID(w, r, svc.Events.FindEventReport)
}

// getFairReportXLSX writes a fair's report as a workbook: the fair and
// its figures, then its meetings with their outcomes (as the caller may
// read the timetable: the report's readers read it whole).
func (s *server) getFairReportXLSX(w http.ResponseWriter, r *http.Request, svc *MatchServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	rep, err := svc.Events.FindEventReport(r.Context(), id)
	if err != nil {
		return err
	}
	t, err := svc.Events.FindTimetable(r.Context(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := dataio.WriteFairReport(&buf, rep, t); err != nil {
		return err
	}
	writeFile(w, fmt.Sprintf("fair-%d-report.xlsx", id), dataio.XLSX, buf.Bytes())
	return nil
}
