package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// 快申快享 applications: an enterprise fills in the figures a policy
// declares, attaches files and submits; the policy's department accepts or
// returns them. Values are written as on the form — money in 元 (or 万元
// with units), ratios as "12.5%" — and converted exactly.

// applicationBody is the body of POST /api/v1/applications and PATCH
// /api/v1/applications/{id}.
type applicationBody struct {
	PolicyID string            `json:"policy_id"`
	Code     string            `json:"code"`
	Values   map[string]string `json:"values"`
	Units    map[string]string `json:"units"`
}

// statusBody is the body of POST /api/v1/applications/{id}/status.
type statusBody struct {
	Status policy.AppStatus `json:"status"`
	Reason string           `json:"reason"`
}

// applicationView is an application as the API shows it: each value also
// in its unit with its label, and whether it is overdue today.
type applicationView struct {
	*policy.Application
	Overdue bool        `json:"overdue"`
	Inputs  []inputView `json:"inputs,omitempty"`
}

type inputView struct {
	policy.Input
	Value  string `json:"value,omitempty"` // stored form: fen, decimal, YYYY-MM-DD
	TextZH string `json:"text_zh,omitempty"`
	TextEN string `json:"text_en,omitempty"`
}

func (s *server) viewApplication(r *http.Request, a *policy.Application, withInputs bool) (applicationView, error) {
	if withInputs && a.Events == nil { // just written: read back with its files and timeline
		full, err := s.policies.Applications.FindApplicationByID(r.Context(), a.ID)
		if err != nil {
			return applicationView{}, err
		}
		a = full
	}
	v := applicationView{Application: a, Overdue: a.Overdue(chanye.DateOf(s.now()))}
	if !withInputs {
		return v, nil
	}
	ver, err := s.policies.Versions.FindPolicyVersion(r.Context(), a.PolicyID, a.Version)
	if err != nil {
		return v, err
	}
	for _, in := range ver.Policy.AppliedInputs() {
		iv := inputView{Input: in}
		if x, ok := a.Values[in.Name]; ok {
			iv.Value = policy.FormatInput(x)
			iv.TextZH, iv.TextEN = in.InputText(x)
		}
		v.Inputs = append(v.Inputs, iv)
	}
	return v, nil
}

var appStatuses = func() []string {
	var out []string
	for _, s := range policy.AppStatuses {
		out = append(out, string(s))
	}
	return out
}()

func (s *server) listApplications(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "policy", "status", "code", "offset", "limit")
	if err != nil {
		return err
	}
	var f policy.ApplicationFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["policy"]; ok {
		f.PolicyID = &v
	}
	if v, ok := q["code"]; ok {
		f.Code = &v
	}
	if v, ok := q["status"]; ok {
		st := policy.AppStatus(v)
		if !st.Valid() {
			return fieldError("status", fmt.Sprintf("状态 %q 须为 %v 之一", v, appStatuses), fmt.Sprintf("status %q must be one of %v", v, appStatuses), "")
		}
		f.Status = &st
	}
	apps, total, err := s.policies.Applications.FindApplications(r.Context(), f)
	if err != nil {
		return err
	}
	views := make([]applicationView, len(apps))
	for i, a := range apps {
		views[i], _ = s.viewApplication(r, a, false)
	}
	return writeJSON(w, http.StatusOK, newPage(views, total, f.Offset, f.Limit))
}

func (s *server) getApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	a, err := s.policies.Applications.FindApplicationByID(r.Context(), id)
	if err != nil {
		return err
	}
	v, err := s.viewApplication(r, a, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *server) createApplication(w http.ResponseWriter, r *http.Request) error {
	var body applicationBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.PolicyID == "" {
		return fieldError("policy_id", "必填", "required", "")
	}
	if body.Code == "" {
		if a := chanye.ActorFrom(r.Context()); a.Role == chanye.RoleEnterprise {
			body.Code = a.Code
		} else {
			return fieldError("code", "必填", "required", "")
		}
	}
	v, err := s.policies.Versions.FindPolicyVersion(r.Context(), body.PolicyID, 0)
	if err != nil {
		return err
	}
	vals, err := policy.ParseValues(v.Policy, body.Values, body.Units)
	if err != nil {
		return err
	}
	a, err := s.policies.Applications.SaveApplication(r.Context(), &policy.Application{PolicyID: body.PolicyID, Code: body.Code, Values: vals})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/applications/"+strconv.FormatInt(a.ID, 10))
	view, err := s.viewApplication(r, a, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, view)
}

func (s *server) patchApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var body applicationBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.PolicyID != "" || body.Code != "" {
		return fieldError("policy_id", "申报的政策和企业不能修改", "the policy and enterprise of an application cannot change", "")
	}
	cur, err := s.policies.Applications.FindApplicationByID(r.Context(), id)
	if err != nil {
		return err
	}
	v, err := s.policies.Versions.FindPolicyVersion(r.Context(), cur.PolicyID, cur.Version)
	if err != nil {
		return err
	}
	vals, err := policy.ParseValues(v.Policy, body.Values, body.Units)
	if err != nil {
		return err
	}
	a, err := s.policies.Applications.SaveApplication(r.Context(), &policy.Application{ID: id, Values: vals})
	if err != nil {
		return err
	}
	view, err := s.viewApplication(r, a, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view)
}

func (s *server) moveApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var body statusBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	switch body.Status {
	case policy.AppSubmitted, policy.AppAccepted, policy.AppReturned, policy.AppWithdrawn:
	default:
		return fieldError("status", "须为 submitted、accepted、returned 或 withdrawn", "must be submitted, accepted, returned or withdrawn", "")
	}
	a, err := s.policies.Applications.MoveApplication(r.Context(), id, body.Status, body.Reason)
	if err != nil {
		return err
	}
	view, err := s.viewApplication(r, a, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view)
}

// attachFile takes the file as the raw body, named by ?name=; its type is
// what its bytes show (http.DetectContentType), not what the client says.
func (s *server) attachFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	q, err := query(r, "name")
	if err != nil {
		return err
	}
	data, err := readAttachment(w, r)
	if err != nil {
		return err
	}
	f, err := s.policies.Applications.AttachFile(r.Context(), id, q["name"], http.DetectContentType(data), data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, f)
}

// getFile downloads an attachment, as an attachment, never rendered inline.
func (s *server) getFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	fid, err := pathInt(r, "file")
	if err != nil {
		return err
	}
	f, data, err := s.policies.Applications.FindAttachment(r.Context(), id, fid)
	if err != nil {
		return err
	}
	ServeAttachment(w, f, data)
	return nil
}

// ServeAttachment writes an application's file as a download: its
// detected type, nosniff, and the name in Content-Disposition.
func ServeAttachment(w http.ResponseWriter, f *policy.Attachment, data []byte) {
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// readAttachment reads a request body that is one attachment, at most
// policy.MaxAttachmentBytes: ETOOLARGE past it.
func readAttachment(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, policy.MaxAttachmentBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, chanye.NewError(chanye.ETOOLARGE, fmt.Sprintf("附件超过 %d MB / the file exceeds %d MB", policy.MaxAttachmentBytes>>20, policy.MaxAttachmentBytes>>20), nil)
		}
		return nil, chanye.Errorf(chanye.EINVALID, "无法读取附件 / cannot read the file: %v", err)
	}
	return data, nil
}
