package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/httpapi"
	"github.com/chanye-org/chanye/httpmw"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// Projects as routine work on the pages: closing a warning (销号) with a
// note and an evidence file, supervision items (督办) on the project page
// and the /supervision list. Forms show only to those the rules let use
// them (authz.MayOnProject, MayAnswer, MaySettle); the services decide.

// closureRow is a closure in a project's history.
type closureRow struct {
	ID                  int64
	Month, Rule, RuleID string
	Colour, ColourName  string
	Message, Note       string
	By, At              string
	FileName, FileHref  string
}

// supRow is a supervision item as the pages show it: on a project or on
// a 招商 lead (its subject), with the URL its steps post to.
type supRow struct {
	ID                                  int64
	SubjectID, SubjectName, SubjectHref string
	StepURL                             string
	Addressee                           string
	Instruction, Answer                 string
	Due                                 string
	Status, StatusName                  string
	Overdue                             bool
	IssuedBy, IssuedAt                  string
	CanAnswer, CanSettle                bool
	Back                                string // "subject": a step's form goes back to the project's or the lead's page
	Events                              []supEventRow
}

type supEventRow struct {
	Action, By, At, Note string
}

// supForm is the 督办 form as typed, kept when refused.
type supForm struct {
	Addressee, Instruction, Due string
	Min, Max                    string // the due date's bounds, for the date input
}

// routineView is what the project page shows of routine work.
type routineView struct {
	CanClose, CanIssue bool
	Closures           []closureRow
	Supervisions       []supRow
	SupForm            supForm
	// The refused form: the rule whose closure, or the item whose step,
	// or the new item (SupNew), with its message and field errors.
	CloseRule, CloseNote string
	StepID               int64
	SupNew               bool
	RoutineMsg           string
	RoutineErrs          map[string]string
}

func (s *Server) supRow(l Lang, a *chanye.Actor, x *project.Supervision) supRow {
	row := supRow{ID: x.ID, SubjectID: x.ProjectID, SubjectName: x.ProjectName, SubjectHref: supSubjectHref(x),
		StepURL:   "/supervision/" + strconv.FormatInt(x.ID, 10),
		Addressee: l.T("sup.to." + string(x.Addressee)), Instruction: x.Instruction, Answer: x.Answer, Due: x.DueOn.String(),
		Status: string(x.Status), StatusName: l.Pick(x.Status.NameZH(), x.Status.NameEN()), Overdue: x.Overdue,
		IssuedBy: x.IssuedBy, IssuedAt: s.stamp(x.IssuedAt)}
	if x.LeadID != 0 {
		row.SubjectID, row.SubjectName = "#"+strconv.FormatInt(x.LeadID, 10), x.LeadName
		row.StepURL = "/lead-supervision/" + strconv.FormatInt(x.ID, 10)
		row.Addressee = l.T("inv.owner."+x.LeadOwnerKind) + " · " + x.LeadOwnerName
	}
	if x.Status != project.SupClosed {
		row.CanAnswer = x.Status.Awaiting() && authz.MayAnswer(a, x)
		row.CanSettle = authz.MaySettle(a, x)
	}
	for _, e := range x.Events {
		row.Events = append(row.Events, supEventRow{Action: l.T("sup.act." + e.Action), By: e.By, At: s.stamp(e.At), Note: e.Note})
	}
	return row
}

// supSubjectHref is where an item's subject shows its supervision: the
// project's page or the lead's.
func supSubjectHref(x *project.Supervision) string {
	if x.LeadID != 0 {
		return "/leads/" + strconv.FormatInt(x.LeadID, 10) + "#supervision"
	}
	return projectHref(x.ProjectID) + "#supervision"
}

// stamp shows a time as the pages do: to the minute, in the clock's zone.
func (s *Server) stamp(t time.Time) string {
	return t.In(s.now().Location()).Format("2006-01-02 15:04")
}

// routineOf reads the closures and supervision items of p for its page.
func (s *Server) routineOf(r *http.Request, v *projectView, p *project.Project, ind *chanye.Industry, labels map[string]string) error {
	ctx, l, a := r.Context(), v.L, v.Actor
	today := chanye.DateOf(s.now())
	v.SupForm = supForm{Addressee: string(project.ToOwner), Min: today.String(),
		Max: chanye.DateOf(today.AddDate(0, 0, project.MaxSupervisionDays)).String()}
	if s.cfg.Closures != nil {
		v.CanClose = authz.MayOnProject(a, authz.CloseWarnings, p, ind)
		cs, err := s.cfg.Closures.FindClosures(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			v.Closures = append(v.Closures, closureRow{ID: c.ID, Month: c.Month, Rule: orDefault(labels[c.RuleID], c.RuleID), RuleID: c.RuleID,
				Colour: string(c.Colour), ColourName: colourName(l, c.Colour), Message: l.Pick(c.MessageZH, c.MessageEN), Note: c.Note,
				By: c.ClosedBy, At: s.stamp(c.ClosedAt), FileName: c.File.Name,
				FileHref: projectHref(p.ID) + "/closures/" + strconv.FormatInt(c.ID, 10) + "/file"})
		}
	}
	if s.cfg.Supervisions != nil {
		v.CanIssue = authz.MayOnProject(a, authz.IssueSupervision, p, ind)
		id := p.ID
		xs, _, err := s.cfg.Supervisions.FindSupervisions(ctx, project.SupervisionFilter{ProjectID: &id, Limit: 1000})
		if err != nil && chanye.ErrorCode(err) != chanye.EFORBIDDEN {
			return err
		}
		for _, x := range xs {
			row := s.supRow(l, a, x)
			row.Back = "subject"
			v.Supervisions = append(v.Supervisions, row)
		}
	}
	return nil
}

// readUpload reads a multipart form's fields and its file field; a form
// that is not multipart is read as a plain one, without a file.
func readUpload(w http.ResponseWriter, r *http.Request, field string) (project.Upload, error) {
	var up project.Upload
	r.Body = http.MaxBytesReader(w, r.Body, policy.MaxAttachmentBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); errors.Is(err, http.ErrNotMultipart) {
		if err := r.ParseForm(); err != nil {
			return up, chanye.Errorf(chanye.EINVALID, "表单有误 / bad form")
		}
		return up, nil
	} else if err != nil {
		return up, chanye.Errorf(chanye.ETOOLARGE, "附件超过 %d MB 或表单有误 / the file exceeds %d MB or the form is malformed", policy.MaxAttachmentBytes>>20, policy.MaxAttachmentBytes>>20)
	}
	f, h, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return up, nil
	} else if err != nil {
		return up, chanye.Errorf(chanye.EINVALID, "无法读取附件 / cannot read the file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, policy.MaxAttachmentBytes+1))
	if err != nil {
		return up, err
	}
	return project.Upload{Name: h.Filename, ContentType: http.DetectContentType(data), Data: data}, nil
}

// closeWarning closes a warning from the 销号 form of the project page.
func (s *Server) closeWarning(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Closures == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置预警销号 / no closure service configured")
	}
	up, err := readUpload(w, r, "evidence")
	if err != nil {
		return err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	id, rule, note := r.PathValue("id"), strings.TrimSpace(r.FormValue("rule_id")), r.FormValue("note")
	_, err = s.cfg.Closures.CloseWarning(r.Context(), id, rule, note, up)
	if err == nil {
		http.Redirect(w, r, projectHref(id)+"#closures", http.StatusSeeOther)
		return nil
	}
	if c := chanye.ErrorCode(err); c != chanye.EINVALID && c != chanye.ECONFLICT {
		return err
	}
	v, verr := s.projectView(r)
	if verr != nil {
		return verr
	}
	v.CloseRule, v.CloseNote, v.RoutineMsg, v.RoutineErrs = rule, note, errText(r, err), errFields(r, err)
	return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "project", v)
}

// closureFile downloads a closure's evidence, never rendered inline.
func (s *Server) closureFile(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Closures == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置预警销号 / no closure service configured")
	}
	cid, err := pathInt(r, "closure", "销号记录", "closure")
	if err != nil {
		return err
	}
	c, data, err := s.cfg.Closures.FindClosureFile(r.Context(), r.PathValue("id"), cid)
	if err != nil {
		return err
	}
	httpapi.ServeAttachment(w, &policy.Attachment{Name: c.File.Name, ContentType: c.File.ContentType}, data)
	return nil
}

func (s *Server) supervisionService() (project.SupervisionService, error) {
	if s.cfg.Supervisions == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置督办 / no supervision service configured")
	}
	return s.cfg.Supervisions, nil
}

// createSupervision issues an item from the 督办 form of the project page.
func (s *Server) createSupervision(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单有误 / bad form")
	}
	id := r.PathValue("id")
	form := supForm{Addressee: r.PostFormValue("addressee"), Instruction: r.PostFormValue("instruction"), Due: strings.TrimSpace(r.PostFormValue("due_on"))}
	x := &project.Supervision{ProjectID: id, Addressee: project.Addressee(form.Addressee), Instruction: form.Instruction}
	if form.Due != "" {
		d, perr := chanye.ParseDate(form.Due)
		if perr != nil {
			err = chanye.Invalid("督办事项有误 / invalid supervision item", map[string]string{"due_on": "须为 YYYY-MM-DD / must be YYYY-MM-DD"})
		}
		x.DueOn = d
	}
	if err == nil {
		_, err = svc.CreateSupervision(r.Context(), x)
	}
	return s.projectFormDone(w, r, id, "#supervision", err, func(v *projectView) {
		form.Min, form.Max = v.SupForm.Min, v.SupForm.Max
		v.SupForm, v.SupNew, v.RoutineMsg, v.RoutineErrs = form, true, errText(r, err), errFields(r, err)
	})
}

// supKinds are the subjects of supervision on the pages: key projects
// (/supervision, steps at /supervision/{id}) and 招商 leads
// (/supervision?kind=leads, steps at /lead-supervision/{id}).
const (
	supProjects = ""
	supLeads    = "leads"
)

// supervisionOf returns the service of the kind of items.
func (s *Server) supervisionOf(kind string) (project.SupervisionService, error) {
	if kind == supLeads {
		if s.cfg.Invest.Supervisions == nil {
			return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置招商督办 / no supervision of leads configured")
		}
		return s.cfg.Invest.Supervisions, nil
	}
	return s.supervisionService()
}

// moveSupervision takes a step on a project's item (answer, return,
// close); moveLeadSupervision on a lead's.
func (s *Server) moveSupervision(w http.ResponseWriter, r *http.Request) error {
	return s.supStep(w, r, supProjects)
}

func (s *Server) moveLeadSupervision(w http.ResponseWriter, r *http.Request) error {
	return s.supStep(w, r, supLeads)
}

// supStep takes the step and goes back where the form was: the project's
// or the lead's page, or the list; a refused step is shown on the list.
func (s *Server) supStep(w http.ResponseWriter, r *http.Request, kind string) error {
	svc, err := s.supervisionOf(kind)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return chanye.Errorf(chanye.EINVALID, "表单有误 / bad form")
	}
	id, err := pathInt(r, "id", "督办事项", "supervision item")
	if err != nil {
		return err
	}
	x, err := svc.MoveSupervision(r.Context(), id, project.SupAction(r.PostFormValue("action")), r.PostFormValue("note"))
	back := "/supervision"
	if kind == supLeads {
		back += "?kind=leads"
	}
	if r.PostFormValue("back") == "subject" && x != nil {
		back = supSubjectHref(x)
	}
	if err == nil {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	if c := chanye.ErrorCode(err); c != chanye.EINVALID && c != chanye.ECONFLICT {
		return err
	}
	// Shown on the list, with the item's message.
	r.URL.RawQuery = url.Values{"kind": {kind}}.Encode()
	v, verr := s.supervisionView(r)
	if verr != nil {
		return verr
	}
	v.StepID, v.Message, v.Errs = id, errText(r, err), errFields(r, err)
	return s.renderStatus(w, httpmw.Status(chanye.ErrorCode(err)), "supervision", v)
}

type supervisionView struct {
	page
	Kind     string   // supProjects or supLeads
	Kinds    []option // the kinds the actor may read, as tabs
	Statuses []option
	Open     bool
	Rows     []supRow
	StepID   int64
	Message  string
	Errs     map[string]string
	pager
}

// supervisionList lists the items the actor issued, answers or oversees:
// open ones first, overdue before the others, then by due date.
func (s *Server) supervisionList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.supervisionView(r)
	if err != nil {
		return err
	}
	return s.render(w, "supervision", v)
}

func (s *Server) supervisionView(r *http.Request) (*supervisionView, error) {
	a := chanye.ActorFrom(r.Context())
	projects := authz.ProjectRules().Grant(a.Role, authz.ReadSupervision) != authz.Deny
	leads := authz.InvestRules().Grant(a.Role, authz.ReadLeadSupervision) != authz.Deny && s.cfg.Invest.Supervisions != nil
	kind := r.URL.Query().Get("kind")
	if kind == supProjects && !projects && leads {
		kind = supLeads
	}
	if kind != supProjects && kind != supLeads {
		return nil, chanye.Invalid("筛选条件有误 / invalid filter", map[string]string{"kind": "须为空或 leads / must be empty or leads"})
	}
	svc, err := s.supervisionOf(kind)
	if err != nil {
		return nil, err
	}
	nav := "projects"
	if kind == supLeads {
		nav = "leads"
	}
	v := &supervisionView{page: s.newPage(r, nav), Kind: kind}
	l := v.L
	v.Title = l.T("sup.title")
	if projects && leads {
		v.Kinds = []option{{"/supervision", l.T("sup.kind.projects"), kind == supProjects}, {"/supervision?kind=leads", l.T("sup.kind.leads"), kind == supLeads}}
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = url.Values{}
	}
	f := project.SupervisionFilter{Limit: pageSize}
	bad := map[string]string{}
	st := q.Get("status")
	v.Statuses = append(v.Statuses, option{"", l.T("sup.open"), st == ""}, option{"all", l.T("ent.all"), st == "all"})
	for _, x := range project.SupStatuses {
		v.Statuses = append(v.Statuses, option{string(x.Status), l.Pick(x.NameZH, x.NameEN), string(x.Status) == st})
	}
	switch st {
	case "":
		f.Open, v.Open = true, true
	case "all":
	default:
		x := project.SupStatus(st)
		if !x.Valid() {
			bad["status"] = "未知状态 / unknown status"
		}
		f.Status = &x
	}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return nil, err
	}
	f.Offset = v.offset()
	xs, total, err := svc.FindSupervisions(r.Context(), f)
	if err != nil {
		return nil, err
	}
	v.link(r.URL, total)
	for _, x := range xs {
		v.Rows = append(v.Rows, s.supRow(l, v.Actor, x))
	}
	return v, nil
}

// MaySupervise reports whether the page's actor may read supervision
// items: whether the projects' navigation links /supervision.
func (p page) MaySupervise() bool {
	return p.Actor != nil && authz.ProjectRules().Grant(p.Actor.Role, authz.ReadSupervision) != authz.Deny
}

// MaySuperviseLeads reports whether the page's actor may read the
// supervision items of 招商 leads: whether the leads' pages link them.
func (p page) MaySuperviseLeads() bool {
	return p.Actor != nil && authz.InvestRules().Grant(p.Actor.Role, authz.ReadLeadSupervision) != authz.Deny
}
