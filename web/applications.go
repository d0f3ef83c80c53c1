package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/httpapi"
	"github.com/chanye-org/chanye/policy"
)

// 快申快享 applications in the pages (issue 9, point 5). An enterprise sees
// on its policies page the policies that take an application, fills in the
// figures they need (money in 元 or 万元, ratios in %, dates) with
// attachments, and submits; the department that administers the policy
// reviews its queue (/applications), overdue ones marked, and accepts or
// returns with a reason. The services decide who may see and do what
// (authz); these handlers only choose what to offer.

// appRow is one application in a list.
type appRow struct {
	ID                    int64
	Policy, Name, Code    string
	Status, StatusKey     string
	Submitted, Due        string
	Overdue               bool
	Figures               []string
	URL                   string
	PolicyID, Department  string
	SubmittedOn, Reviewer string
}

type applicationsView struct {
	page
	Status   string
	Statuses []option
	Rows     []appRow
	pager
}

// applicationList is the department's queue: submitted first, the oldest
// submission (the nearest deadline) heading it, then the others newest
// first.
func (s *Server) applicationList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := officials(ctx); err != nil {
		return err
	}
	v := &applicationsView{page: s.newPage(r, "lifecycle")}
	l := v.L
	v.Title = l.T("app.queue")
	q := r.URL.Query()
	v.Status = q.Get("status")
	if v.Status == "" {
		v.Status = string(policy.AppSubmitted)
	}
	bad := map[string]string{}
	known := false
	for _, st := range append([]string{"all"}, appStatusKeys()...) {
		text := l.T("lc.all")
		if st != "all" {
			text = l.T("astatus." + st)
		}
		v.Statuses = append(v.Statuses, option{st, text, st == v.Status})
		known = known || st == v.Status
	}
	if !known {
		bad["status"] = "未知状态 / unknown status " + strconv.Quote(v.Status)
	}
	v.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f := policy.ApplicationFilter{Limit: 1000}
	if v.Status != "all" {
		st := policy.AppStatus(v.Status)
		f.Status = &st
	}
	all, err := chanye.All(1000, func(off, limit int) ([]*policy.Application, int, error) {
		f.Offset, f.Limit = off, limit
		return s.cfg.Policies.Applications.FindApplications(ctx, f)
	})
	if err != nil {
		return err
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if (a.Status == policy.AppSubmitted) != (b.Status == policy.AppSubmitted) {
			return a.Status == policy.AppSubmitted
		}
		if a.Status == policy.AppSubmitted {
			return a.DueOn.Before(b.DueOn.Time) || a.DueOn == b.DueOn && a.ID < b.ID
		}
		return false
	})
	v.link(r.URL, len(all))
	from := min(v.offset(), len(all))
	for _, a := range all[from:min(from+pageSize, len(all))] {
		row, err := s.appRow(r, l, a)
		if err != nil {
			return err
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, "applications", v)
}

func appStatusKeys() []string {
	var out []string
	for _, st := range policy.AppStatuses {
		out = append(out, string(st))
	}
	return out
}

// appRow shows an application in a list, its figures in their units.
func (s *Server) appRow(r *http.Request, l Lang, a *policy.Application) (appRow, error) {
	ver, err := s.cfg.Policies.Versions.FindPolicyVersion(r.Context(), a.PolicyID, a.Version)
	if err != nil {
		return appRow{}, err
	}
	p := ver.Policy
	row := appRow{ID: a.ID, Policy: l.Pick(p.TitleZH, p.TitleEN), Name: a.Name, Code: a.Code, Status: l.T("astatus." + string(a.Status)),
		StatusKey: string(a.Status), Overdue: a.Overdue(chanye.DateOf(s.now())), URL: "/applications/" + strconv.FormatInt(a.ID, 10),
		PolicyID: a.PolicyID, Department: a.Department}
	if !a.SubmittedOn.IsZero() {
		row.Submitted, row.Due = a.SubmittedOn.String(), a.DueOn.String()
	}
	for _, in := range p.AppliedInputs() {
		if zh, en := a.ValueText(in); zh != "" {
			row.Figures = append(row.Figures, l.Pick(in.LabelZH+" "+zh, in.LabelEN+" "+en))
		}
	}
	return row, nil
}

// appField is one typed field of the application form.
type appField struct {
	Name, Label, Type   string // Type: money, int, ratio, date, bool
	Value, Unit, Text   string
	Units               []option
	Bounds, Err, Source string
}

type applicationView struct {
	page
	A                   *policy.Application // nil: a new application
	Row                 appRow
	PolicyTitle, Code   string
	PolicyID            string
	Fields              []appField
	Files               []appFile
	Events              []eventRow
	Editable, CanReview bool
	CanWithdraw         bool
	Message, Done       string
	Reason, ReasonErr   string
	FormURL             string
	MaxFiles            int
	MaxMB               int
}

type appFile struct {
	Name, Size, URL, At string
}

// applicationNew is the blank form of an enterprise's application for
// ?policy= (and, for an administrator, ?code=).
func (s *Server) applicationNew(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := chanye.ActorFrom(ctx)
	switch a.Role {
	case chanye.RolePublic:
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	case chanye.RoleEnterprise, chanye.RoleAdmin:
	default:
		return chanye.Errorf(chanye.EFORBIDDEN, "只有企业填报申报 / only an enterprise fills in an application")
	}
	code := a.Code
	if a.Role != chanye.RoleEnterprise {
		code = strings.TrimSpace(r.URL.Query().Get("code"))
	}
	ver, err := s.cfg.Policies.Versions.FindPolicyVersion(ctx, r.URL.Query().Get("policy"), 0)
	if err != nil {
		return err
	}
	v := s.newAppView(r, ver.Policy, nil, code)
	return s.render(w, "application", v)
}

func (s *Server) newAppView(r *http.Request, p *policy.Policy, a *policy.Application, code string) *applicationView {
	v := &applicationView{page: s.newPage(r, "enterprises"), A: a, PolicyTitle: v0(r, p), PolicyID: p.ID, Code: code,
		MaxFiles: policy.MaxAttachments, MaxMB: policy.MaxAttachmentBytes >> 20}
	l := v.L
	v.Title = l.Tf("app.for", v.PolicyTitle)
	v.FormURL = "/applications"
	if a != nil {
		v.FormURL = "/applications/" + strconv.FormatInt(a.ID, 10) + "/save"
		v.Title = l.Tf("app.one", a.ID)
	}
	for _, in := range p.AppliedInputs() {
		f := appField{Name: in.Name, Label: l.Pick(in.LabelZH, in.LabelEN), Type: string(in.Type), Bounds: l.T("app.bounds." + string(in.Type))}
		if len(in.From) > 1 && in.From[0] == policy.SourceProject {
			f.Source = l.T("app.fromproject")
		}
		switch in.Type {
		case policy.InputMoney:
			f.Unit = "yuan"
			f.Units = []option{{"yuan", l.T("unit.yuan"), true}, {"wan", l.T("lc.unit.wan"), false}}
		case policy.InputRatio:
			f.Unit = "percent"
		}
		if a != nil {
			if x, ok := a.Values[in.Name]; ok {
				zh, en := in.InputText(x)
				f.Text = l.Pick(zh, en)
				f.Value = formValue(in, x)
			}
		}
		v.Fields = append(v.Fields, f)
	}
	return v
}

// v0 is the policy's title in the request's language.
func v0(r *http.Request, p *policy.Policy) string { return langOf(r).Pick(p.TitleZH, p.TitleEN) }

// formValue is a stored value as the form shows it: money in 元, a ratio
// in percent.
func formValue(in policy.Input, x any) string {
	switch y := x.(type) {
	case int64:
		if in.Type == policy.InputMoney {
			return chanye.Fen(y).Yuan()
		}
	case policy.Rate:
		return strings.TrimSuffix(y.Percent(), "%")
	}
	return policy.FormatInput(x)
}

// applicationPage shows an application: to the enterprise with the form
// while it is editable, to the department with accept and return.
func (s *Server) applicationPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.applicationView(r)
	if err != nil {
		return err
	}
	v.Done = r.URL.Query().Get("done")
	return s.render(w, "application", v)
}

func (s *Server) applicationView(r *http.Request) (*applicationView, error) {
	ctx := r.Context()
	ac := chanye.ActorFrom(ctx)
	if ac.Role == chanye.RolePublic {
		return nil, chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	id, err := pathInt(r, "id", "申报", "application")
	if err != nil {
		return nil, err
	}
	a, err := s.cfg.Policies.Applications.FindApplicationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	ver, err := s.cfg.Policies.Versions.FindPolicyVersion(ctx, a.PolicyID, a.Version)
	if err != nil {
		return nil, err
	}
	v := s.newAppView(r, ver.Policy, a, a.Code)
	if ac.Role != chanye.RoleEnterprise {
		v.Nav = "lifecycle"
	}
	l := v.L
	if v.Row, err = s.appRow(r, l, a); err != nil {
		return nil, err
	}
	v.Editable = a.Status.Editable() && (ac.Role == chanye.RoleEnterprise || ac.Role == chanye.RoleAdmin)
	v.CanWithdraw = policy.CanMove(a.Status, policy.AppWithdrawn) && (ac.Role == chanye.RoleEnterprise || ac.Role == chanye.RoleAdmin)
	v.CanReview = a.Status == policy.AppSubmitted && mayAct(ac, a.Department)
	loc := s.now().Location()
	for _, f := range a.Files {
		v.Files = append(v.Files, appFile{Name: f.Name, Size: fmt.Sprintf("%.1f KB", float64(f.Size)/1024),
			URL: fmt.Sprintf("/applications/%d/files/%d", a.ID, f.ID), At: f.CreatedAt.In(loc).Format("2006-01-02 15:04")})
	}
	for _, e := range a.Events {
		v.Events = append(v.Events, eventRow{Action: l.T("app.action." + e.Action), By: e.By, At: e.At.In(loc).Format("2006-01-02 15:04"), Note: e.Note})
	}
	return v, nil
}

// appValues reads the form's typed fields: NAME and NAME_unit.
func appValues(r *http.Request, p *policy.Policy) (map[string]any, error) {
	raw, units := map[string]string{}, map[string]string{}
	for _, in := range p.AppliedInputs() {
		raw[in.Name] = r.PostFormValue(in.Name)
		units[in.Name] = r.PostFormValue(in.Name + "_unit")
		if in.Type == policy.InputRatio {
			units[in.Name] = "percent"
		}
	}
	return policy.ParseValues(p, raw, units)
}

// applicationCreate stores a new draft from the form.
func (s *Server) applicationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r, 64<<10); err != nil {
		return err
	}
	ctx := r.Context()
	ac := chanye.ActorFrom(ctx)
	code := ac.Code
	if ac.Role != chanye.RoleEnterprise {
		code = strings.TrimSpace(r.PostFormValue("code"))
	}
	ver, err := s.cfg.Policies.Versions.FindPolicyVersion(ctx, r.PostFormValue("policy"), 0)
	if err != nil {
		return err
	}
	vals, err := appValues(r, ver.Policy)
	if err == nil {
		var a *policy.Application
		a, err = s.cfg.Policies.Applications.SaveApplication(ctx, &policy.Application{PolicyID: ver.PolicyID, Code: code, Values: vals})
		if err == nil {
			http.Redirect(w, r, "/applications/"+strconv.FormatInt(a.ID, 10)+"?done=saved", http.StatusSeeOther)
			return nil
		}
	}
	if c := chanye.ErrorCode(err); c != chanye.EINVALID && c != chanye.ECONFLICT {
		return err
	}
	v := s.newAppView(r, ver.Policy, nil, code)
	s.fieldErrors(r, v, err)
	return s.renderStatus(w, http.StatusBadRequest, "application", v)
}

// fieldErrors puts err's fields beside the form's fields, keeping what was
// typed.
func (s *Server) fieldErrors(r *http.Request, v *applicationView, err error) {
	fields := errFields(r, err)
	for i := range v.Fields {
		f := &v.Fields[i]
		f.Value = r.PostFormValue(f.Name)
		if u := r.PostFormValue(f.Name + "_unit"); u != "" {
			f.Unit = u
			pick(f.Units, u)
		}
		f.Err = fields["values."+f.Name]
		delete(fields, "values."+f.Name)
	}
	v.Message = errText(r, err)
	for k, m := range fields {
		v.Message += "；" + k + "：" + m
	}
}

// applicationSave replaces the values of a draft or returned application.
func (s *Server) applicationSave(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r, 64<<10); err != nil {
		return err
	}
	v, err := s.applicationView(r)
	if err != nil {
		return err
	}
	ver, err := s.cfg.Policies.Versions.FindPolicyVersion(r.Context(), v.A.PolicyID, v.A.Version)
	if err != nil {
		return err
	}
	vals, err := appValues(r, ver.Policy)
	if err == nil {
		if _, err = s.cfg.Policies.Applications.SaveApplication(r.Context(), &policy.Application{ID: v.A.ID, Values: vals}); err == nil {
			to := "saved"
			if r.PostFormValue("then") == "submit" {
				if _, err = s.cfg.Policies.Applications.MoveApplication(r.Context(), v.A.ID, policy.AppSubmitted, ""); err == nil {
					to = "submitted"
				}
			}
			if err == nil {
				http.Redirect(w, r, "/applications/"+strconv.FormatInt(v.A.ID, 10)+"?done="+to, http.StatusSeeOther)
				return nil
			}
		}
	}
	if c := chanye.ErrorCode(err); c != chanye.EINVALID && c != chanye.ECONFLICT {
		return err
	}
	s.fieldErrors(r, v, err)
	return s.renderStatus(w, http.StatusBadRequest, "application", v)
}

// applicationMove submits, withdraws, accepts or returns (with a reason).
func (s *Server) applicationMove(w http.ResponseWriter, r *http.Request) error {
	if err := form(w, r, 64<<10); err != nil {
		return err
	}
	v, err := s.applicationView(r)
	if err != nil {
		return err
	}
	to := policy.AppStatus(r.PostFormValue("to"))
	v.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	switch {
	case to != policy.AppSubmitted && to != policy.AppWithdrawn && to != policy.AppAccepted && to != policy.AppReturned:
		v.Message = v.L.T("app.err.to")
	case to == policy.AppReturned && v.Reason == "":
		v.ReasonErr = v.L.T("app.err.reason")
	case utf8.RuneCountInString(v.Reason) > maxReply:
		v.ReasonErr = v.L.Tf("ep.err.reason.long", maxReply)
	}
	if v.Message == "" && v.ReasonErr == "" {
		_, err := s.cfg.Policies.Applications.MoveApplication(r.Context(), v.A.ID, to, v.Reason)
		if err == nil {
			http.Redirect(w, r, "/applications/"+strconv.FormatInt(v.A.ID, 10)+"?done="+string(to), http.StatusSeeOther)
			return nil
		}
		if c := chanye.ErrorCode(err); c != chanye.EINVALID && c != chanye.ECONFLICT {
			return err
		}
		v.Message = errText(r, err)
		for k, m := range errFields(r, err) {
			v.Message += "；" + k + "：" + m
		}
	}
	return s.renderStatus(w, http.StatusBadRequest, "application", v)
}

// applicationAttach takes one uploaded file (multipart, field "file").
func (s *Server) applicationAttach(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, policy.MaxAttachmentBytes+64<<10)
	v, err := s.applicationView(r)
	if err != nil {
		return err
	}
	// Who may not attach learns so before the file is read.
	if ac := chanye.ActorFrom(r.Context()); ac.Role != chanye.RoleEnterprise && ac.Role != chanye.RoleAdmin {
		return chanye.Errorf(chanye.EFORBIDDEN, "只有企业上传附件 / only the enterprise attaches files")
	}
	if !v.A.Status.Editable() {
		return chanye.Errorf(chanye.ECONFLICT, "申报 %d 为%s，不能添加附件 / application %d is %s: no attachment can be added", v.A.ID, v.A.Status.NameZH(), v.A.ID, v.A.Status.NameEN())
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return chanye.Errorf(chanye.ETOOLARGE, "附件超过 %d MB 或表单有误 / the file exceeds %d MB or the form is malformed", policy.MaxAttachmentBytes>>20, policy.MaxAttachmentBytes>>20)
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		v.Message = v.L.T("app.err.file")
		return s.renderStatus(w, http.StatusBadRequest, "application", v)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, policy.MaxAttachmentBytes+1))
	if err != nil {
		return err
	}
	if _, err := s.cfg.Policies.Applications.AttachFile(r.Context(), v.A.ID, hdr.Filename, http.DetectContentType(data), data); err != nil {
		if c := chanye.ErrorCode(err); c != chanye.EINVALID && c != chanye.ECONFLICT {
			return err
		}
		v.Message = errText(r, err)
		for _, m := range errFields(r, err) {
			v.Message += "：" + m
		}
		return s.renderStatus(w, http.StatusBadRequest, "application", v)
	}
	http.Redirect(w, r, "/applications/"+strconv.FormatInt(v.A.ID, 10)+"?done=attached", http.StatusSeeOther)
	return nil
}

// applicationFile downloads an attachment (the service lets only the
// enterprise, the department and administrators read it).
func (s *Server) applicationFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "申报", "application")
	if err != nil {
		return err
	}
	fid, err := pathInt(r, "file", "附件", "attachment")
	if err != nil {
		return err
	}
	f, data, err := s.cfg.Policies.Applications.FindAttachment(r.Context(), id, fid)
	if err != nil {
		return err
	}
	httpapi.ServeAttachment(w, f, data)
	return nil
}

// appOffer is a policy the enterprise can apply for, on its policies
// page, with its latest application.
type appOffer struct {
	Title, Figures, NewURL string
	App                    *appRow
}

// applicationOffers lists the published policies that take an
// application, each with the enterprise's latest application for it.
func (s *Server) applicationOffers(r *http.Request, code string) ([]appOffer, error) {
	ctx := r.Context()
	if s.cfg.Policies.Applications == nil {
		return nil, nil
	}
	st := policy.StatusPublished
	vs, _, err := s.cfg.Policies.Versions.FindPolicies(ctx, policy.VersionFilter{Status: &st, Limit: 1000})
	if err != nil {
		return nil, err
	}
	apps, _, err := s.cfg.Policies.Applications.FindApplications(ctx, policy.ApplicationFilter{Code: &code, Limit: 1000})
	if chanye.ErrorCode(err) == chanye.EFORBIDDEN || chanye.ErrorCode(err) == chanye.EUNAUTHORIZED {
		return nil, nil // not this visitor's to see
	} else if err != nil {
		return nil, err
	}
	l := langOf(r)
	var out []appOffer
	for _, v := range vs {
		p := v.Policy
		if p.Application == nil || len(p.AppliedInputs()) == 0 {
			continue
		}
		var names []string
		for _, in := range p.AppliedInputs() {
			names = append(names, l.Pick(in.LabelZH, in.LabelEN))
		}
		o := appOffer{Title: l.Pick(p.TitleZH, p.TitleEN), Figures: strings.Join(names, l.Pick("、", ", ")),
			NewURL: "/applications/new?policy=" + url.QueryEscape(p.ID) + "&code=" + url.QueryEscape(code)}
		for _, a := range apps { // newest first
			if a.PolicyID == p.ID && a.Status != policy.AppWithdrawn {
				row, err := s.appRow(r, l, a)
				if err != nil {
					return nil, err
				}
				o.App = &row
				break
			}
		}
		out = append(out, o)
	}
	return out, nil
}
