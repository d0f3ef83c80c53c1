package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/match"
)

// The pages of the matchmaking fairs (供需对接会): the list, open to the
// public, with the form that plans one; and a fair's page: who registered
// and who came, the meetings asked for, the timetable of tables and
// slots, each meeting's outcome and the fair's report (also as XLSX).
// The organisers (authz.MayOrganiseFair) register firms, schedule, move
// meetings and record outcomes; a firm registers itself and asks for its
// meetings, and sees its own part only.

// fairRow is a fair in the list.
type fairRow struct {
	*match.Event
	Href, Industry, Times string
}

func newFairRow(l Lang, ev *match.Event, inds map[string]string) fairRow {
	ind := l.T("mm.fair.every")
	if ev.IndustryID != "" {
		ind = orDefault(inds[ev.IndustryID], ev.IndustryID)
	}
	return fairRow{Event: ev, Href: "/fairs/" + strconv.FormatInt(ev.ID, 10), Industry: ind,
		Times: l.Tf("mm.fair.times", ev.Start.String(), ev.End.String(), ev.Tables, ev.Slots(), ev.SlotMinutes)}
}

// fairsView is the list of fairs and the form that plans one.
type fairsView struct {
	page
	Rows       []fairRow
	MayCreate  bool
	Industries []option
	stepForm
	pager
}

func (s *Server) fairList(w http.ResponseWriter, r *http.Request) error {
	return s.renderFairs(w, r, http.StatusOK, nil)
}

// renderFairs shows the fairs, the latest day first; cause is a refused
// plan, shown with what was typed.
func (s *Server) renderFairs(w http.ResponseWriter, r *http.Request, status int, cause error) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	v := &fairsView{page: s.newPage(r, "fairs")}
	ctx, l, q := r.Context(), v.L, r.URL.Query()
	v.Title = l.T("mm.fairs.title")
	if v.Actor.Role != chanye.RolePublic && may(v.Actor, authz.MatchRules(), authz.ReadMatches) {
		v.Nav = "match"
	}
	if cause != nil {
		v.refused(r, "create", cause)
	}
	inds, indList, err := s.industryNames(ctx, l)
	if err != nil {
		return err
	}
	if may(v.Actor, authz.MatchRules(), authz.OrganiseFairs) {
		v.Industries = []option{}
		if authz.MayOrganiseFair(ctx, s.cfg.Catalog, v.Actor, &match.Event{}) {
			v.Industries = append(v.Industries, option{"", l.T("mm.fair.every"), v.Kept("create", "industry_id") == ""})
		}
		for _, ind := range indList {
			if authz.MayOrganiseFair(ctx, s.cfg.Catalog, v.Actor, &match.Event{IndustryID: ind.ID}) {
				v.Industries = append(v.Industries, option{ind.ID, inds[ind.ID], ind.ID == v.Kept("create", "industry_id")})
			}
		}
		v.MayCreate = len(v.Industries) > 0
	}
	bad := map[string]string{}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	evs, total, err := svc.Events.FindEvents(ctx, match.EventFilter{Offset: v.offset(), Limit: pageSize})
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, ev := range evs {
		v.Rows = append(v.Rows, newFairRow(l, ev, inds))
		v.Demo = v.Demo || ev.Demo
	}
	return s.renderStatus(w, status, "fairs", v)
}

// fairCreate plans a fair from the form.
func (s *Server) fairCreate(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	if err := readForm(r, authz.MatchRules(), authz.OrganiseFairs); err != nil {
		return err
	}
	fv := r.PostFormValue
	bad := map[string]string{}
	ev := &match.Event{Title: fv("title"), IndustryID: fv("industry_id"), Date: parseDay(fv("date"), "date", bad), Venue: fv("venue"),
		Tables: formInt(fv("tables"), "tables", bad), SlotMinutes: formInt(fv("slot_minutes"), "slot_minutes", bad),
		Start: formTime(fv("start"), "start", bad), End: formTime(fv("end"), "end", bad)}
	if len(bad) > 0 {
		err = chanye.Invalid("对接会有误 / invalid matchmaking fair", bad)
	} else {
		err = svc.Events.CreateEvent(r.Context(), ev)
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/fairs/"+strconv.FormatInt(ev.ID, 10)+"?done=created", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderFairs(w, r, httpmw.Status(chanye.ErrorCode(err)), err)
	}
	return err
}

// formInt reads a whole number of a form into bad under key; "" is 0,
// which the domain refuses where it needs one.
func formInt(s, key string, bad map[string]string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		bad[key] = "须为整数 / must be a whole number"
	}
	return n
}

// formTime reads a time of day HH:MM into bad under key.
func formTime(s, key string, bad map[string]string) match.TimeOfDay {
	t, err := match.ParseTimeOfDay(strings.TrimSpace(s))
	if err != nil {
		bad[key] = "须为时间 HH:MM / must be a time HH:MM"
	}
	return t
}

// regRow is a registration as the page shows it.
type regRow struct {
	match.Registration
	Name, Role string
}

// meetReqRow is a meeting asked for.
type meetReqRow struct {
	match.MeetingRequest
	Buyer, Supplier, State string
	Scheduled              bool
}

// meetingRow is a meeting of the timetable.
type meetingRow struct {
	*match.Meeting
	Buyer, Supplier, Outcome, Contract, Amount string
	Outcomes, Slots                            []option
}

// fairView is a fair's page.
type fairView struct {
	page
	Row                        fairRow
	Organiser, Firm, ReadsPlan bool
	Registrations              []regRow
	Requests                   []meetReqRow
	Meetings                   []meetingRow
	Report                     *fairReportView
	Roles, MatchOptions        []option
	RegRoles                   []option // the roles a firm may still register in
	MyRoles                    []string
	Done                       string
	HasOutcomes                bool
	stepForm
}

// fairReportView is a fair's report as the page shows it.
type fairReportView struct {
	*match.EventReport
	Contract string
}

func (s *Server) fairPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.fairView(r)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); messages["mm.fdone."+done] != [2]string{} {
		v.Done = v.L.T("mm.fdone." + done)
	}
	return s.render(w, "fair", v)
}

func (s *Server) fairView(r *http.Request) (*fairView, error) {
	svc, err := s.matchServices()
	if err != nil {
		return nil, err
	}
	id, err := pathInt(r, "id", "对接会", "fair")
	if err != nil {
		return nil, err
	}
	v := &fairView{page: s.newPage(r, "fairs")}
	ctx, l, a := r.Context(), v.L, v.Actor
	if a.Role != chanye.RolePublic && may(a, authz.MatchRules(), authz.ReadMatches) {
		v.Nav = "match"
	}
	plan, err := svc.Events.FindEventByID(ctx, id)
	if err != nil {
		return nil, err
	}
	inds, _, err := s.industryNames(ctx, l)
	if err != nil {
		return nil, err
	}
	ev := plan.Event
	v.Row, v.Demo, v.Title = newFairRow(l, &ev, inds), ev.Demo, ev.Title
	v.Organiser = authz.MayOrganiseFair(ctx, s.cfg.Catalog, a, &ev)
	v.Firm = a.Role == chanye.RoleEnterprise && a.Code != ""
	v.ReadsPlan = a.Role != chanye.RolePublic
	if !v.ReadsPlan {
		return v, nil
	}
	names := map[string]string{}
	for _, x := range plan.Registrations {
		names[x.Code] = orDefault(x.Name, x.Code)
		v.Registrations = append(v.Registrations, regRow{Registration: x, Name: names[x.Code], Role: l.Pick(x.Role.NameZH(), x.Role.NameEN())})
		if v.Firm && isOwnFirm(a, x.Code) {
			v.MyRoles = append(v.MyRoles, string(x.Role))
		}
	}
	if v.Firm {
		// The meetings a firm may ask for: its matches not declined nor
		// failed (a pair that signed may meet again), with the other side.
		ms, _, err := svc.Matches.FindMatches(ctx, match.MatchFilter{Code: &a.Code, Limit: match.MaxPage})
		if err != nil && !hidden(err) {
			return nil, err
		}
		for _, m := range ms {
			// A firm's counterparts are named by its matches.
			names[m.BuyerCode], names[m.SupplierCode] = orDefault(m.BuyerName, m.BuyerCode), orDefault(m.SupplierName, m.SupplierCode)
			if m.Status == match.Declined || m.Status == match.Failed {
				continue
			}
			other := orDefault(m.SupplierName, m.SupplierCode)
			if isOwnFirm(a, m.SupplierCode) {
				other = orDefault(m.BuyerName, m.BuyerCode)
			}
			v.MatchOptions = append(v.MatchOptions, option{strconv.FormatInt(m.ID, 10),
				l.Tf("mm.req.match", m.ID, other, l.Pick(m.Status.NameZH(), m.Status.NameEN()), m.Score), false})
		}
	}
	for _, side := range []match.Side{match.SideBuyer, match.SideSupplier} {
		v.Roles = append(v.Roles, option{string(side), l.Pick(side.NameZH(), side.NameEN()), false})
		if !slices.Contains(v.MyRoles, string(side)) {
			v.RegRoles = append(v.RegRoles, v.Roles[len(v.Roles)-1])
		}
	}
	name := func(code string) string { return orDefault(names[code], code) }
	reqs, err := svc.Events.FindMeetingRequests(ctx, id)
	if err != nil {
		return nil, err
	}
	tt, err := svc.Events.FindTimetable(ctx, id)
	if err != nil {
		return nil, err
	}
	placed := map[[2]string]bool{}
	for _, m := range tt.Meetings {
		placed[[2]string{m.BuyerCode, m.SupplierCode}] = true
		v.HasOutcomes = v.HasOutcomes || m.Outcome != ""
	}
	// Why a request is not in the timetable: Schedule's reason for the
	// plan as it stands; a timetable edited by hand may leave one out
	// for no reason Schedule knows.
	reasons := map[[2]string]string{}
	if v.Organiser {
		_, left := match.Schedule(*plan, reqs)
		for _, u := range left {
			reasons[[2]string{u.Request.BuyerCode, u.Request.SupplierCode}] = l.Pick(u.ReasonZH, u.ReasonEN)
		}
	}
	for _, q := range reqs {
		pair := [2]string{q.BuyerCode, q.SupplierCode}
		row := meetReqRow{MeetingRequest: q, Buyer: name(q.BuyerCode), Supplier: name(q.SupplierCode), Scheduled: placed[pair]}
		switch {
		case row.Scheduled:
			row.State = l.T("mm.req.scheduled")
		case len(tt.Meetings) == 0:
			row.State = l.T("mm.req.waiting")
		default:
			row.State = orDefault(reasons[pair], l.T("mm.req.left"))
		}
		v.Requests = append(v.Requests, row)
	}
	var slots []option
	for i := range ev.Slots() {
		start, end := ev.SlotTime(i)
		slots = append(slots, option{strconv.Itoa(i), start.String() + "–" + end.String(), false})
	}
	for _, m := range tt.Meetings {
		row := meetingRow{Meeting: m, Buyer: name(m.BuyerCode), Supplier: name(m.SupplierCode), Outcome: l.Pick(m.Outcome.NameZH(), m.Outcome.NameEN())}
		if m.ContractFen > 0 {
			row.Contract = exactMoney(l, m.ContractFen)
			row.Amount = strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%06d", m.ContractFen/1_000_000, m.ContractFen%1_000_000), "0"), ".")
		}
		for _, o := range []match.MeetingOutcome{"", match.Held, match.NoShow} {
			row.Outcomes = append(row.Outcomes, option{string(o), l.Pick(o.NameZH(), o.NameEN()), o == m.Outcome})
		}
		for _, o := range slots {
			o.Selected = o.Value == strconv.Itoa(m.Slot)
			row.Slots = append(row.Slots, o)
		}
		v.Meetings = append(v.Meetings, row)
	}
	if may(a, authz.MatchRules(), authz.ReadFairReports) {
		rep, err := svc.Events.FindEventReport(ctx, id)
		if err != nil {
			return nil, err
		}
		v.Report = &fairReportView{EventReport: rep, Contract: exactMoney(l, rep.ContractFen)}
	}
	return v, nil
}

// fairStep reads a fair's form and, after do, goes back to its page with
// done's message, or shows the page again with the form's errors.
func (s *Server) fairStep(w http.ResponseWriter, r *http.Request, step string, do func(svc *MatchServices, id int64) error) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id", "对接会", "fair")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	err = do(svc, id)
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/fairs/"+strconv.FormatInt(id, 10)+"?done="+step+"#"+fairAnchor[step], http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		v, verr := s.fairView(r)
		if verr != nil {
			return verr
		}
		v.refused(r, step, err)
		return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "fair", v)
	}
	return err
}

// fairAnchor is the section of the page each step goes back to.
var fairAnchor = map[string]string{"register": "fair-regs", "attend": "fair-regs", "request": "fair-reqs", "schedule": "fair-timetable",
	"outcome": "fair-timetable", "move": "fair-timetable"}

// fairRegister registers a firm: an enterprise itself, an organiser any
// firm, or a firm's attendance.
func (s *Server) fairRegister(w http.ResponseWriter, r *http.Request) error {
	step := "register"
	if r.FormValue("attended") != "" {
		step = "attend"
	}
	return s.fairStep(w, r, step, func(svc *MatchServices, id int64) error {
		a := chanye.ActorFrom(r.Context())
		reg := match.Registration{Code: r.PostFormValue("code"), Role: match.Side(r.PostFormValue("role")), Attended: r.PostFormValue("attended") == "1"}
		if a.Role == chanye.RoleEnterprise {
			reg.Code = a.Code
		}
		return svc.Events.RegisterForEvent(r.Context(), id, reg)
	})
}

// fairRequest asks for a meeting: from one of the firm's matches, or by
// the two codes (an organiser, or a firm naming the other side).
func (s *Server) fairRequest(w http.ResponseWriter, r *http.Request) error {
	return s.fairStep(w, r, "request", func(svc *MatchServices, id int64) error {
		fv := r.PostFormValue
		req := &match.MeetingRequest{BuyerCode: strings.TrimSpace(fv("buyer_code")), SupplierCode: strings.TrimSpace(fv("supplier_code"))}
		if m := strings.TrimSpace(fv("match_id")); m != "" {
			n, err := strconv.ParseInt(m, 10, 64)
			if err != nil || n < 1 {
				return chanye.Invalid("洽谈申请有误 / invalid meeting request", map[string]string{"match_id": "请选择对接 / choose a match"})
			}
			req.MatchID = n
		}
		if a := chanye.ActorFrom(r.Context()); a.Role == chanye.RoleEnterprise && req.MatchID == 0 {
			// A firm names the other side and says which side it is.
			other := strings.TrimSpace(fv("other_code"))
			switch match.Side(fv("my_role")) {
			case match.SideBuyer:
				req.BuyerCode, req.SupplierCode = a.Code, other
			case match.SideSupplier:
				req.BuyerCode, req.SupplierCode = other, a.Code
			default:
				return chanye.Invalid("洽谈申请有误 / invalid meeting request", map[string]string{"my_role": "须为 buyer 或 supplier / must be buyer or supplier"})
			}
		}
		return svc.Events.RequestMeeting(r.Context(), id, req)
	})
}

// fairSchedule places the requested meetings in a new timetable.
func (s *Server) fairSchedule(w http.ResponseWriter, r *http.Request) error {
	return s.fairStep(w, r, "schedule", func(svc *MatchServices, id int64) error {
		_, _, err := svc.Events.ScheduleEvent(r.Context(), id)
		return err
	})
}

// fairOutcome records what became of a meeting.
func (s *Server) fairOutcome(w http.ResponseWriter, r *http.Request) error {
	return s.fairStep(w, r, "outcome", func(svc *MatchServices, id int64) error {
		mid, err := pathInt(r, "meeting", "洽谈", "meeting")
		if err != nil {
			return err
		}
		fv := r.PostFormValue
		bad := map[string]string{}
		o := match.OutcomeUpdate{Outcome: match.MeetingOutcome(fv("outcome")), Intention: fv("intention") == "1"}
		if strings.TrimSpace(fv("amount")) != "" {
			o.ContractFen = parseWan(fv("amount"), "contract_fen", bad)
		}
		if len(bad) > 0 {
			return chanye.Invalid("洽谈结果有误 / invalid outcome", bad)
		}
		_, err = svc.Events.RecordMeetingOutcome(r.Context(), id, mid, o)
		return err
	})
}

// fairMove moves a meeting to another slot and table: the timetable with
// that one change, checked whole (no firm nor table booked twice).
func (s *Server) fairMove(w http.ResponseWriter, r *http.Request) error {
	return s.fairStep(w, r, "move", func(svc *MatchServices, id int64) error {
		mid, err := pathInt(r, "meeting", "洽谈", "meeting")
		if err != nil {
			return err
		}
		bad := map[string]string{}
		slot, table := formInt(r.PostFormValue("slot"), "slot", bad), formInt(r.PostFormValue("table"), "table", bad)
		if len(bad) > 0 {
			return chanye.Invalid("洽谈安排有误 / invalid move", bad)
		}
		tt, err := svc.Events.FindTimetable(r.Context(), id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(tt.Meetings, func(m *match.Meeting) bool { return m.ID == mid })
		if i < 0 {
			return chanye.Errorf(chanye.ENOTFOUND, "洽谈不存在 / no such meeting")
		}
		tt.Meetings[i].Slot, tt.Meetings[i].Table = slot, table
		err = svc.Events.SaveTimetable(r.Context(), id, tt)
		// The timetable names the meeting by its place in the list: the
		// form has its own fields.
		if fields := chanye.ErrorFields(err); len(fields) > 0 {
			prefix := fmt.Sprintf("meetings[%d].", i)
			moved := map[string]string{}
			for k, m := range fields {
				moved[strings.TrimPrefix(k, prefix)] = m
			}
			zh, en := chanye.ErrorText(err)
			return chanye.Invalid(zh+" / "+en, moved)
		}
		return err
	})
}

// fairReportXLSX writes a fair's report as a workbook, as the API does.
func (s *Server) fairReportXLSX(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.matchServices()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id", "对接会", "fair")
	if err != nil {
		return err
	}
	rep, err := svc.Events.FindEventReport(r.Context(), id)
	if err != nil {
		return err
	}
	tt, err := svc.Events.FindTimetable(r.Context(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := dataio.WriteFairReport(&buf, rep, tt); err != nil {
		return err
	}
	sendXLSX(w, fmt.Sprintf("fair-%d-report.xlsx", id), buf.Bytes())
	return nil
}
