package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
	"github.com/chanye-org/chanye/request"
)

// Enterprise requests (诉求): the routing table, intake (idempotent for
// another platform's reference), the queue and the steps.

func (s *server) requestService() (request.Service, error) {
	if s.requests == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置诉求 / no requests configured")
	}
	return s.requests, nil
}

func (s *server) listRequestCategories(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	cs, err := svc.FindCategories(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(cs))
}

// putRequestCategory creates or changes the category of the path's id.
func (s *server) putRequestCategory(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	var c request.Category
	if err := s.decodeJSON(w, r, &c); err != nil {
		return err
	}
	c.ID = r.PathValue("id")
	if err := svc.PutCategory(r.Context(), &c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &c)
}

var requestStatuses = func() []string {
	var out []string
	for _, x := range request.Statuses {
		out = append(out, string(x.Status))
	}
	return out
}()

func (s *server) listRequests(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	q, err := query(r, "code", "category", "status", "open", "overdue", "offset", "limit")
	if err != nil {
		return err
	}
	var f request.Filter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["code"]; ok {
		f.Code = &v
	}
	if v, ok := q["category"]; ok {
		f.CategoryID = &v
	}
	if v, ok := q["status"]; ok {
		st := request.Status(v)
		if !st.Valid() {
			return paramError("status", fmt.Sprintf("须为 %v 之一", requestStatuses), fmt.Sprintf("must be one of %v", requestStatuses))
		}
		f.Status = &st
	}
	for name, dst := range map[string]*bool{"open": &f.Open, "overdue": &f.Overdue} {
		if v, ok := q[name]; ok {
			if *dst, err = queryBool(name, v); err != nil {
				return err
			}
		}
	}
	rs, total, err := svc.FindRequests(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(rs, total, f.Offset, f.Limit))
}

// requestBody is what intake takes: the enterprise raising it or on whose
// behalf an official records it, and, from another platform, its
// reference.
type requestBody struct {
	Code           string          `json:"code"`
	CategoryID     string          `json:"category_id"`
	Title          string          `json:"title"`
	Description    string          `json:"description"`
	Channel        request.Channel `json:"channel"`
	ExternalSource string          `json:"external_source"`
	ExternalRef    string          `json:"external_ref"`
}

// createRequest answers 201 with a new request, or 200 with the one
// already taken in under the same platform and reference.
func (s *server) createRequest(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	var b requestBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	out, created, err := svc.CreateRequest(r.Context(), &request.Request{Code: b.Code, CategoryID: b.CategoryID, Title: b.Title,
		Description: b.Description, Channel: b.Channel, ExternalSource: b.ExternalSource, ExternalRef: b.ExternalRef})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/requests/"+strconv.FormatInt(out.ID, 10))
	}
	return writeJSON(w, status, out)
}

func (s *server) getRequest(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	out, err := svc.FindRequestByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) actOnRequest(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var st request.Step
	if err := s.decodeJSON(w, r, &st); err != nil {
		return err
	}
	out, err := svc.Act(r.Context(), id, st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// getRequestStats returns the anonymised figures of the request loop,
// grouped by category, department, industry or city leader, for the
// requests received in the days given: open data.
func (s *server) getRequestStats(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestService()
	if err != nil {
		return err
	}
	q, err := query(r, "by", "from", "to")
	if err != nil {
		return err
	}
	f := request.StatsFilter{By: q["by"]}
	if f.By == "" {
		f.By = request.ByCategory
	}
	for name, dst := range map[string]*chanye.Date{"from": &f.From, "to": &f.To} {
		if v, ok := q[name]; ok {
			if *dst, err = chanye.ParseDate(v); err != nil {
				return paramError(name, "须为 YYYY-MM-DD", "must be YYYY-MM-DD")
			}
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From.Time) {
		return paramError("to", "不能早于 from", "cannot be before from")
	}
	st, err := svc.FindStats(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"by": f.By, "items": st})
}

func (s *server) issueService() (request.IssueService, error) {
	if s.issues == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置共性问题 / no common problems configured")
	}
	return s.issues, nil
}

// listRequestIssues returns the common problems in the caller's scope,
// open first, each with its requests and firms.
func (s *server) listRequestIssues(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.issueService()
	if err != nil {
		return err
	}
	q, err := query(r, "open")
	if err != nil {
		return err
	}
	var f request.IssueFilter
	if v, ok := q["open"]; ok {
		if f.Open, err = queryBool("open", v); err != nil {
			return err
		}
	}
	xs, err := svc.FindIssues(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(xs))
}

func (s *server) solveRequestIssue(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.issueService()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Note string `json:"note"`
	}
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	x, err := svc.SolveIssue(r.Context(), id, b.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

func (s *server) requestFiles() (request.FileService, error) {
	if s.requestFileSvc == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置诉求附件 / no request files configured")
	}
	return s.requestFileSvc, nil
}

// attachRequestFile takes the body as the file (?name= its name), as an
// application's attachment is taken.
func (s *server) attachRequestFile(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestFiles()
	if err != nil {
		return err
	}
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
	f, err := svc.AddFile(r.Context(), id, q["name"], data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, f)
}

func (s *server) listRequestFiles(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestFiles()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	fs, err := svc.FindFiles(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(fs))
}

// getRequestFile downloads a file as an attachment, never rendered inline.
func (s *server) getRequestFile(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.requestFiles()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	fid, err := pathInt(r, "file")
	if err != nil {
		return err
	}
	f, data, err := svc.FindFile(r.Context(), id, fid)
	if err != nil {
		return err
	}
	ServeAttachment(w, &policy.Attachment{Name: f.Name, ContentType: f.ContentType}, data)
	return nil
}
