package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/project"
)

// Projects as routine work: closing warnings (销号) and supervision items
// (督办). A closure is sent as multipart/form-data (rule_id, note and the
// evidence file); the rest is JSON.

func (s *server) closureService() (project.ClosureService, error) {
	if s.closures == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置预警销号 / no closure service configured")
	}
	return s.closures, nil
}

func (s *server) supervisionService() (project.SupervisionService, error) {
	if s.supervision == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置督办 / no supervision service configured")
	}
	return s.supervision, nil
}

// maxFormOverhead is what a multipart form may hold besides its file: the
// note and the part headers.
const maxFormOverhead = 64 << 10

// readEvidence reads a closure form: its fields and the evidence file,
// typed by its bytes (http.DetectContentType), not by what the client says.
// A form without a file gives an empty Upload, which the service refuses.
func readEvidence(w http.ResponseWriter, r *http.Request) (map[string]string, project.Upload, error) {
	var up project.Upload
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, up, chanye.Errorf(codeUnsupportedMedia, "请求体须为 multipart/form-data（rule_id、note、evidence）/ request body must be multipart/form-data (rule_id, note, evidence)")
	}
	r.Body = http.MaxBytesReader(w, r.Body, policy.MaxAttachmentBytes+maxFormOverhead)
	if err := r.ParseMultipartForm(policy.MaxAttachmentBytes + maxFormOverhead); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, up, &chanye.Error{Code: chanye.ETOOLARGE, Message: fmt.Sprintf("附件超过 %d MB / the file exceeds %d MB", policy.MaxAttachmentBytes>>20, policy.MaxAttachmentBytes>>20)}
		}
		return nil, up, chanye.Errorf(chanye.EINVALID, "无法读取表单 / cannot read the form: %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	fields := map[string]string{}
	for _, k := range []string{"rule_id", "note"} {
		fields[k] = r.FormValue(k)
	}
	f, h, err := r.FormFile("evidence")
	switch {
	case errors.Is(err, http.ErrMissingFile):
		return fields, up, nil
	case err != nil:
		return nil, up, chanye.Errorf(chanye.EINVALID, "无法读取附件 / cannot read the file: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, policy.MaxAttachmentBytes+1))
	if err != nil {
		return nil, up, chanye.Errorf(chanye.EINVALID, "无法读取附件 / cannot read the file: %v", err)
	}
	return fields, project.Upload{Name: h.Filename, ContentType: http.DetectContentType(data), Data: data}, nil
}

func (s *server) closeWarning(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.closureService()
	if err != nil {
		return err
	}
	fields, up, err := readEvidence(w, r)
	if err != nil {
		return err
	}
	c, err := svc.CloseWarning(r.Context(), r.PathValue("id"), strings.TrimSpace(fields["rule_id"]), fields["note"], up)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (s *server) listClosures(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.closureService()
	if err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	cs, err := svc.FindClosures(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(cs))
}

// getClosureFile downloads a closure's evidence, as an attachment.
func (s *server) getClosureFile(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.closureService()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "closure")
	if err != nil {
		return err
	}
	c, data, err := svc.FindClosureFile(r.Context(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	ServeAttachment(w, &policy.Attachment{Name: c.File.Name, ContentType: c.File.ContentType}, data)
	return nil
}

var supStatuses = func() []string {
	var out []string
	for _, x := range project.SupStatuses {
		out = append(out, string(x.Status))
	}
	return out
}()

// supAPI serves the supervision (督办) routes of one subject: key
// projects (/api/v1/supervisions) or 招商 leads (/api/v1/lead-supervisions).
type supAPI struct {
	s     *server
	svc   func() (project.SupervisionService, error)
	leads bool // the subject is a lead: lead_id instead of project_id
}

func (s *server) projectSupAPI() supAPI { return supAPI{s: s, svc: s.supervisionService} }

func (s *server) leadSupAPI() supAPI {
	return supAPI{s: s, leads: true, svc: func() (project.SupervisionService, error) {
		if s.invest == nil || s.invest.Supervisions == nil {
			return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置招商督办 / no supervision of leads configured")
		}
		return s.invest.Supervisions, nil
	}}
}

func (api supAPI) list(w http.ResponseWriter, r *http.Request) error {
	svc, err := api.svc()
	if err != nil {
		return err
	}
	subject := "project"
	if api.leads {
		subject = "lead"
	}
	q, err := query(r, subject, "status", "open", "offset", "limit")
	if err != nil {
		return err
	}
	var f project.SupervisionFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q[subject]; ok && api.leads {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return fieldError("lead", fmt.Sprintf("线索编号 %q 须为正整数", v), fmt.Sprintf("lead %q must be a positive integer", v), "")
		}
		f.LeadID = &id
	} else if ok {
		f.ProjectID = &v
	}
	if v, ok := q["status"]; ok {
		st := project.SupStatus(v)
		if !st.Valid() {
			return fieldError("status", fmt.Sprintf("状态 %q 须为 %v 之一", v, supStatuses), fmt.Sprintf("status %q must be one of %v", v, supStatuses), "")
		}
		f.Status = &st
	}
	if v, ok := q["open"]; ok {
		if f.Open, err = queryBool("open", v); err != nil {
			return err
		}
	}
	xs, total, err := svc.FindSupervisions(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(xs, total, f.Offset, f.Limit))
}

// supervisionRequest issues an item: on a project (project_id and the
// addressee) or on a lead (lead_id; its owner answers).
type supervisionRequest struct {
	ProjectID   string            `json:"project_id"`
	LeadID      int64             `json:"lead_id"`
	Addressee   project.Addressee `json:"addressee"`
	Instruction string            `json:"instruction"`
	DueOn       chanye.Date       `json:"due_on"`
}

func (api supAPI) create(w http.ResponseWriter, r *http.Request) error {
	svc, err := api.svc()
	if err != nil {
		return err
	}
	var req supervisionRequest
	if err := api.s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	x := &project.Supervision{Addressee: req.Addressee, Instruction: req.Instruction, DueOn: req.DueOn}
	if api.leads {
		x.LeadID = req.LeadID
	} else {
		x.ProjectID = req.ProjectID
	}
	if x, err = svc.CreateSupervision(r.Context(), x); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, x)
}

func (api supAPI) get(w http.ResponseWriter, r *http.Request) error {
	svc, err := api.svc()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := svc.FindSupervisionByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

type stepRequest struct {
	Action project.SupAction `json:"action"`
	Note   string            `json:"note"`
}

func (api supAPI) move(w http.ResponseWriter, r *http.Request) error {
	svc, err := api.svc()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var req stepRequest
	if err := api.s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	x, err := svc.MoveSupervision(r.Context(), id, req.Action, req.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}
