package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/httpapi"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/request"
	"github.com/chanye-org/chanye/uscc"
	"github.com/chanye-org/chanye/workday"
)

// The pages of enterprise requests (诉求, issue 13): the queue (an
// enterprise's 我的诉求), the form that raises one, and a request's page
// with its clocks, its history and the steps its viewer may take. The
// forms show only to those the rules let use them (authz.MayHandle,
// authz.MayConfirm); the guarded service decides.

// requestService returns the requests, or ENOTFOUND without them.
func (s *Server) requestService() (request.Service, error) {
	if s.cfg.Requests == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return s.cfg.Requests, nil
}

// chinaTime shows an instant to the minute in China's time, the time of
// the calendar the clocks run on; "" for a zero time.
func chinaTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workday.China).Format("2006-01-02 15:04")
}

// clockView is a running clock as the pages show it: its colour always
// with its name, never the colour alone.
type clockView struct {
	Stage, Due, Colour, ColourName string
}

// clockOf returns c's view; a closed request's (nil) shows a dash.
func clockOf(l Lang, c *request.Clock) *clockView {
	if c == nil {
		return &clockView{Stage: l.T("dash")}
	}
	return &clockView{Stage: l.T("req.stage." + c.Stage), Due: chinaTime(c.Due), Colour: string(c.Colour), ColourName: l.T("req.colour." + string(c.Colour))}
}

// requestRow is a request in a list.
type requestRow struct {
	*request.Request
	Href, Category, StatusName string
	Clock                      *clockView // the view of Request.Clock, which it hides
	Escalation                 string     // "" at level 0
	MustConfirm                bool       // the viewer is the enterprise and the answer waits for it
}

func newRequestRow(l Lang, a *chanye.Actor, x *request.Request, cats map[string]string) requestRow {
	row := requestRow{Request: x, Href: "/requests/" + strconv.FormatInt(x.ID, 10), Category: orDefault(cats[x.CategoryID], x.CategoryID),
		StatusName: l.Pick(x.Status.NameZH(), x.Status.NameEN()), Clock: clockOf(l, x.Clock),
		MustConfirm: x.Status == request.Answered && authz.MayConfirm(a, x)}
	if x.Escalation > 0 {
		row.Escalation = l.T("req.escalation." + strconv.Itoa(x.Escalation))
	}
	return row
}

// categories reads the categories as options (the first, "", says
// choose) and their names by id. A reader the rules refuse them gets
// none: the lists then show the ids.
func (s *Server) categories(ctx context.Context, l Lang, selected, first string) ([]option, map[string]string, error) {
	cs, err := s.cfg.Requests.FindCategories(ctx)
	if err != nil && !hidden(err) {
		return nil, nil, err
	}
	opts := []option{{"", first, selected == ""}}
	names := map[string]string{}
	for _, c := range cs {
		name := l.Pick(c.NameZH, orDefault(c.NameEN, c.NameZH))
		names[c.ID] = name
		opts = append(opts, option{c.ID, name, c.ID == selected})
	}
	return opts, names, nil
}

// requestsView is the queue of requests: an official's, in its scope, or
// an enterprise's own (我的诉求).
type requestsView struct {
	page
	Mine                  bool // an enterprise's own requests
	MayRaise              bool
	Rows                  []requestRow
	Statuses, Categories  []option
	Open, OverdueOnly     bool
	StatusValue, Category string
	// The board's drill-down: the department or industry the queue is
	// cut to, and its name.
	Department, Industry, Scope string
	pager
}

// requestList shows the requests the reader may see, overdue first (the
// service orders them), filtered and paged.
func (s *Server) requestList(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	v := &requestsView{page: s.newPage(r, "requests")}
	if err := refuse(v.Actor, authz.RequestRules(), authz.ReadRequests); err != nil {
		return err
	}
	ctx, l, q := r.Context(), v.L, r.URL.Query()
	v.Mine = v.Actor.Role == chanye.RoleEnterprise
	v.MayRaise = may(v.Actor, authz.RequestRules(), authz.RaiseRequests)
	v.Title = l.T("req.queue")
	if v.Mine {
		v.Title = l.T("req.mine")
	}
	f := request.Filter{Limit: pageSize}
	bad := map[string]string{}
	v.StatusValue = q.Get("status")
	v.Statuses = []option{{"", l.T("ent.all"), v.StatusValue == ""}}
	for _, x := range request.Statuses {
		v.Statuses = append(v.Statuses, option{string(x.Status), l.Pick(x.NameZH, x.NameEN), string(x.Status) == v.StatusValue})
	}
	if v.StatusValue != "" {
		st := request.Status(v.StatusValue)
		if !st.Valid() {
			bad["status"] = "未知状态 / unknown status"
		}
		f.Status = &st
	}
	v.Category = q.Get("category")
	var names map[string]string
	if v.Categories, names, err = s.categories(ctx, l, v.Category, l.T("ent.all")); err != nil {
		return err
	}
	if v.Category != "" {
		if _, ok := names[v.Category]; !ok {
			bad["category"] = "未知类别 / unknown category"
		}
		f.CategoryID = &v.Category
	}
	v.Open, v.OverdueOnly = q.Get("open") == "1", q.Get("overdue") == "1"
	f.Open, f.Overdue = v.Open, v.OverdueOnly
	// The board's rows (/open/requests) open the queue of a department or
	// an industry; the rules still narrow it to the reader's scope.
	if d := strings.TrimSpace(q.Get("department")); d != "" {
		f.Department, v.Department, v.Scope = &d, d, d
	}
	if ind := strings.TrimSpace(q.Get("industry")); ind != "" {
		f.IndustryID, v.Industry, v.Scope = &ind, ind, ind
		if x, err := s.cfg.Catalog.FindIndustryByID(ctx, ind); err == nil {
			v.Scope = l.Pick(x.NameZH, x.NameEN)
		}
	}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	xs, total, err := svc.FindRequests(ctx, f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, x := range xs {
		v.Rows = append(v.Rows, newRequestRow(l, v.Actor, x, names))
	}
	return s.render(w, "requests", v)
}

// requestNewView is the form that raises a request: an enterprise's own,
// online; an official's on an enterprise's behalf, with its credit code
// and the channel it came by.
type requestNewView struct {
	page
	Official   bool
	Categories []option
	Channels   []option
	Form       url.Values
	Message    string
	Errs       map[string]string
	Created    string // the id of a request just raised by one who may not read it
}

// officialChannels are the channels an official records a request by:
// an enterprise's own come online, another platform's through the API.
var officialChannels = []request.Channel{request.ChannelVisit, request.ChannelPhone, request.ChannelMeeting}

func (s *Server) requestNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderRequestNew(w, r, http.StatusOK, nil, url.Values{"code": {r.URL.Query().Get("code")}})
}

// renderRequestNew shows the form, with cause's message and field errors
// and what was typed when a form was refused.
func (s *Server) renderRequestNew(w http.ResponseWriter, r *http.Request, status int, cause error, form url.Values) error {
	if _, err := s.requestService(); err != nil {
		return err
	}
	v := &requestNewView{page: s.newPage(r, "requests"), Form: form, Errs: errFields(r, cause)}
	if err := refuse(v.Actor, authz.RequestRules(), authz.RaiseRequests); err != nil {
		return err
	}
	l := v.L
	v.Official = v.Actor.Role != chanye.RoleEnterprise
	v.Title = l.T("req.new")
	if v.Official {
		v.Title = l.T("req.record")
	}
	if cause != nil {
		v.Message = errText(r, cause)
	}
	if id := r.URL.Query().Get("created"); id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err == nil {
			v.Created = id
		}
	}
	var err error
	if v.Categories, _, err = s.categories(r.Context(), l, form.Get("category_id"), l.T("req.choose")); err != nil {
		return err
	}
	for _, c := range request.Channels {
		if slices.Contains(officialChannels, c.Channel) {
			v.Channels = append(v.Channels, option{string(c.Channel), l.Pick(c.NameZH, c.NameEN), string(c.Channel) == form.Get("channel")})
		}
	}
	return s.renderStatus(w, status, "request_new", v)
}

// requestCreate raises a request from the form: an enterprise's own,
// online; an official's for the enterprise the credit code names, by
// visit, phone or meeting. A refused form is shown again with every field
// error and what was typed.
func (s *Server) requestCreate(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	ctx := r.Context()
	a := chanye.ActorFrom(ctx)
	if err := refuse(a, authz.RequestRules(), authz.RaiseRequests); err != nil {
		return err
	}
	x := &request.Request{CategoryID: strings.TrimSpace(r.PostFormValue("category_id")), Title: r.PostFormValue("title"),
		Description: r.PostFormValue("description")}
	bad := map[string]string{}
	if a.Role == chanye.RoleEnterprise {
		x.Code, x.Channel = a.Code, request.ChannelOnline
	} else {
		x.Code, x.Channel = uscc.Normalize(r.PostFormValue("code")), request.Channel(r.PostFormValue("channel"))
		if x.Code == "" {
			bad["code"] = "必填 / required"
		} else if err := uscc.Validate(x.Code); err != nil {
			bad["code"] = err.Error()
		}
		if !slices.Contains(officialChannels, x.Channel) {
			bad["channel"] = "须为走访、电话或座谈会 / must be a visit, a phone call or a meeting"
		}
	}
	var out *request.Request
	if len(bad) > 0 {
		// Every field's error at once: the request's own checks too.
		probe := *x
		probe.Channel = request.ChannelOnline
		for k, m := range errFields(r, probe.Validate()) {
			if _, ok := bad[k]; !ok {
				bad[k] = m
			}
		}
		err = chanye.Invalid("诉求有误 / invalid request", bad)
	} else {
		out, _, err = svc.CreateRequest(ctx, x)
	}
	switch chanye.ErrorCode(err) {
	case "":
		id := strconv.FormatInt(out.ID, 10)
		if may(a, authz.RequestRules(), authz.ReadRequests) {
			http.Redirect(w, r, "/requests/"+id+"?done=created", http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/requests/new?created="+id, http.StatusSeeOther)
		}
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		return s.renderRequestNew(w, r, httpmw.Status(chanye.ErrorCode(err)), err, r.PostForm)
	}
	return err
}

// requestView is one request's page.
type requestView struct {
	page
	R                                 *request.Request
	Row                               requestRow
	Industry, Channel, Closed, Rating string
	Received, AckDue, AnswerDue       string
	CloseDue, ConfirmDue              string
	Events                            []requestEventRow
	Done                              string
	CanAck, CanAnswer, CanReroute     bool
	CanCoHandle, CanCallback          bool
	CanConfirm, CallbackEarly         bool
	Departments                       []option // to reroute to
	CoHandlers                        []option // to co-handle, the current ones selected
	Ratings                           []option
	MaxCoHandlers                     int
	Message                           string
	Errs                              map[string]string
	Form                              url.Values
	Failed                            string // the step whose form was refused
	// Files are the request's attachments; MayAttach shows the upload.
	Files     []*request.File
	MayAttach bool
}

type requestEventRow struct {
	*request.Event
	At, Action string
	Note       string // the event's, the intake's channel by its name
}

// Kept returns what was typed in field of step's form, when that form was
// refused.
func (v *requestView) Kept(step, field string) string {
	if v.Failed != step {
		return ""
	}
	return v.Form.Get(field)
}

// Err returns the error of field of step's form, when that form was
// refused.
func (v *requestView) Err(step, field string) string {
	if v.Failed != step {
		return ""
	}
	return v.Errs[field]
}

// requestID reads the path's request id.
func requestID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, chanye.Errorf(chanye.ENOTFOUND, "诉求不存在 / no such request")
	}
	return id, nil
}

func (s *Server) requestPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.requestView(r)
	if err != nil {
		return err
	}
	// Only the steps' own messages: the query is anyone's to write.
	if done := r.URL.Query().Get("done"); messages["req.done."+done] != [2]string{} {
		v.Done = done
	}
	return s.render(w, "request", v)
}

func (s *Server) requestView(r *http.Request) (*requestView, error) {
	svc, err := s.requestService()
	if err != nil {
		return nil, err
	}
	v := &requestView{page: s.newPage(r, "requests"), Errs: map[string]string{}, Form: url.Values{}, MaxCoHandlers: request.MaxCoHandlers}
	if err := refuse(v.Actor, authz.RequestRules(), authz.ReadRequests); err != nil {
		return nil, err
	}
	id, err := requestID(r)
	if err != nil {
		return nil, err
	}
	ctx, l := r.Context(), v.L
	x, err := svc.FindRequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	_, names, err := s.categories(ctx, l, "", "")
	if err != nil {
		return nil, err
	}
	v.R, v.Row = x, newRequestRow(l, v.Actor, x, names)
	v.Title = l.Tf("req.title", x.ID, x.Title)
	v.Industry = l.T("req.noindustry")
	if x.IndustryID != "" {
		v.Industry = x.IndustryID
		if ind, err := s.cfg.Catalog.FindIndustryByID(ctx, x.IndustryID); err == nil {
			v.Industry = l.Pick(ind.NameZH, ind.NameEN)
		}
	}
	for _, c := range request.Channels {
		if c.Channel == x.Channel {
			v.Channel = l.Pick(c.NameZH, c.NameEN)
		}
	}
	v.Received, v.AckDue, v.AnswerDue, v.CloseDue, v.ConfirmDue = chinaTime(x.ReceivedAt), chinaTime(x.AcknowledgeDue), chinaTime(x.AnswerDue),
		chinaTime(x.CloseDue), chinaTime(x.ConfirmDue)
	if x.Status == request.Closed {
		v.Closed = chinaTime(x.ClosedAt)
		if x.ClosedBy != "" {
			v.Closed += " · " + l.T("req.closedby."+x.ClosedBy)
		}
	}
	if x.Rating != "" {
		v.Rating = l.T("req.rating." + string(x.Rating))
	}
	for _, e := range x.Events {
		row := requestEventRow{Event: e, At: chinaTime(e.At), Action: l.T("req.act." + e.Action), Note: e.Note}
		if e.Action == "submit" { // the store notes the channel's id, then any platform reference
			ch, rest, _ := strings.Cut(e.Note, " ")
			for _, c := range request.Channels {
				if string(c.Channel) == ch {
					row.Note = strings.TrimSpace(l.Pick(c.NameZH, c.NameEN) + " " + rest)
				}
			}
		}
		v.Events = append(v.Events, row)
	}
	handle := authz.MayHandle(v.Actor, x)
	v.CanAck = handle && x.Status == request.Submitted
	v.CanAnswer = handle && x.Status == request.Acknowledged
	v.CanCallback = handle && x.Status == request.Answered
	v.CallbackEarly = v.CanCallback && !s.now().After(x.ConfirmDue)
	v.CanConfirm = authz.MayConfirm(v.Actor, x) && x.Status == request.Answered
	if handle && x.Status != request.Closed {
		names, err := s.departmentNames(r)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if n != x.Department {
				v.Departments = append(v.Departments, option{n, n, false})
				v.CoHandlers = append(v.CoHandlers, option{n, n, slices.Contains(x.CoHandlers, n)})
			}
		}
		// A co-handler no longer on the list is kept, so that saving the
		// others does not drop it unseen.
		for _, d := range x.CoHandlers {
			if !slices.ContainsFunc(v.CoHandlers, func(o option) bool { return o.Value == d }) {
				v.CoHandlers = append(v.CoHandlers, option{d, l.Tf("lists.notlisted", d), true})
			}
		}
		v.CanReroute, v.CanCoHandle = len(v.Departments) > 0, len(v.CoHandlers) > 0
	}
	for _, rt := range []request.Rating{request.Satisfied, request.Basic, request.Unsatisfied} {
		v.Ratings = append(v.Ratings, option{string(rt), l.T("req.rating." + string(rt)), false})
	}
	if s.cfg.RequestFiles != nil {
		if v.Files, err = s.cfg.RequestFiles.FindFiles(ctx, x.ID); err != nil {
			return nil, err
		}
		v.MayAttach = x.Status != request.Closed && len(v.Files) < policy.MaxAttachments && (handle || authz.MayConfirm(v.Actor, x))
	}
	return v, nil
}

// requestAttach takes one uploaded file (multipart, field "file") for a
// request, as an application's are taken.
func (s *Server) requestAttach(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.RequestFiles == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := requestID(r)
	if err != nil {
		return err
	}
	up, err := readUpload(w, r, "file")
	if err != nil {
		return err
	}
	if len(up.Data) == 0 {
		err = chanye.Invalid("附件无效 / invalid attachment", map[string]string{"file": "请选择文件 / choose a file"})
	} else {
		_, err = s.cfg.RequestFiles.AddFile(r.Context(), id, up.Name, up.Data)
	}
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/requests/"+strconv.FormatInt(id, 10)+"?done=attach#req-files", http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		v, verr := s.requestView(r)
		if verr != nil {
			return verr
		}
		v.Message, v.Errs, v.Failed = errText(r, err), errFields(r, err), "attach"
		return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "request", v)
	}
	return err
}

// requestFile downloads a request's file, always as an attachment.
func (s *Server) requestFile(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.RequestFiles == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	id, err := requestID(r)
	if err != nil {
		return err
	}
	fid, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		return chanye.Errorf(chanye.ENOTFOUND, "附件不存在 / no such file")
	}
	f, data, err := s.cfg.RequestFiles.FindFile(r.Context(), id, fid)
	if err != nil {
		return err
	}
	httpapi.ServeAttachment(w, &policy.Attachment{Name: f.Name, ContentType: f.ContentType}, data)
	return nil
}

// departmentNames are the departments a request may be rerouted to or
// co-handled by: the active names of the departments' list; without the
// lists, the names in use as the industries' lead departments.
func (s *Server) departmentNames(r *http.Request) ([]string, error) {
	if s.cfg.Lists != nil {
		lists, err := s.orgLists(r)
		if err != nil && !hidden(err) {
			return nil, err
		}
		var out []string
		for _, u := range lists.Active(chanye.OrgDepartment) {
			out = append(out, u.NameZH)
		}
		return out, nil
	}
	inds, err := s.cfg.Catalog.FindIndustries(r.Context(), chanye.IndustryFilter{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ind := range inds {
		if d := ind.Responsibility.LeadDepartment; d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, nil
}

// requestStep takes a step from a form of the request's page and goes
// back to it, or shows the page again with the error: 400 for a field to
// fix, 409 for a step the request's status does not allow.
func (s *Server) requestStep(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	id, err := requestID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单无法读取 / cannot read the form")
	}
	st := request.Step{Action: r.PostFormValue("action"), Note: r.PostFormValue("note"), Rating: request.Rating(r.PostFormValue("rating")),
		Department: r.PostFormValue("department"), Departments: r.PostForm["departments"]}
	x, err := svc.Act(r.Context(), id, st)
	switch chanye.ErrorCode(err) {
	case "":
		done := st.Action
		if st.Action == request.StepConfirm && x.Status != request.Closed {
			done = "reopen"
		}
		http.Redirect(w, r, "/requests/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
		return nil
	case chanye.EINVALID, chanye.ECONFLICT:
		v, verr := s.requestView(r)
		if verr != nil {
			return verr
		}
		v.Message, v.Errs, v.Form, v.Failed = errText(r, err), errFields(r, err), r.PostForm, st.Action
		return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "request", v)
	}
	return err
}

// requestsTodo lists the open requests in the reader's scope, overdue
// first, for 我的待办; none for a reader the rules refuse them.
func (s *Server) requestsTodo(ctx context.Context, l Lang) (todoSection, error) {
	if s.cfg.Requests == nil {
		return todoSection{}, nil
	}
	xs, total, err := s.cfg.Requests.FindRequests(ctx, request.Filter{Open: true, Limit: todoShown})
	if hidden(err) {
		return todoSection{}, nil
	} else if err != nil {
		return todoSection{}, err
	}
	sec := todoSection{ID: "todo-requests", Title: l.T("req.todo"), Note: l.T("req.todo.note"), Total: total, QueueURL: "/requests?open=1"}
	for _, x := range xs {
		sub := l.Pick(x.Status.NameZH(), x.Status.NameEN())
		if x.Clock != nil {
			c := clockOf(l, x.Clock)
			sub += " · " + c.Stage + " " + c.Due + " · " + c.ColourName
		}
		sec.Items = append(sec.Items, todoItem{Text: "#" + strconv.FormatInt(x.ID, 10) + " " + x.EnterpriseName + " · " + x.Title, Sub: sub,
			URL: "/requests/" + strconv.FormatInt(x.ID, 10)})
	}
	return sec, nil
}

// HasRequests reports whether the requests are served: the navigation and
// an enterprise's home then link them.
func (p page) HasRequests() bool { return p.requests }
