package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// policySummary is a policy version in lists: what a reader scans for,
// without the rules.
type policySummary struct {
	ID          string        `json:"id"`
	Version     int           `json:"version"`
	Status      policy.Status `json:"status"`
	TitleZH     string        `json:"title_zh"`
	TitleEN     string        `json:"title_en"`
	Document    string        `json:"document"`
	Clause      string        `json:"clause"`
	Issuer      string        `json:"issuer"`
	Department  string        `json:"department,omitempty"`
	Mode        policy.Mode   `json:"mode"`
	Official    bool          `json:"official"`
	Effective   policy.Period `json:"effective"`
	BudgetFen   chanye.Fen    `json:"budget_fen"`
	CreatedAt   time.Time     `json:"created_at"`
	CreatedBy   string        `json:"created_by"`
	PublishedAt time.Time     `json:"published_at,omitzero"`
	PublishedBy string        `json:"published_by,omitempty"`
	RetiredAt   time.Time     `json:"retired_at,omitzero"`
}

func summarise(v *policy.Version) policySummary {
	p := v.Policy
	return policySummary{
		ID: v.PolicyID, Version: v.Version, Status: v.Status, TitleZH: p.TitleZH, TitleEN: p.TitleEN,
		Document: p.Document, Clause: p.Clause, Issuer: p.Issuer, Department: p.Department, Mode: p.Mode, Official: p.Official,
		Effective: p.Effective, BudgetFen: p.BudgetFen, CreatedAt: v.CreatedAt, CreatedBy: v.CreatedBy,
		PublishedAt: v.PublishedAt, PublishedBy: v.PublishedBy, RetiredAt: v.RetiredAt,
	}
}

// policyDetail is one version with its source as written and as parsed.
// Source is text: policy.Version's []byte would encode as base64.
type policyDetail struct {
	policySummary
	Source    string            `json:"source"`
	Policy    *policy.Policy    `json:"policy"`
	Conflicts []policy.Conflict `json:"conflicts,omitempty"`
}

func detail(v *policy.Version) policyDetail {
	return policyDetail{policySummary: summarise(v), Source: string(v.Source), Policy: v.Policy, Conflicts: v.Conflicts}
}

// getBudgetUse is GET /api/v1/policies/{id}/budget?period=N.
func (s *server) getBudgetUse(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "period")
	if err != nil {
		return err
	}
	period, err := queryInt("period", q["period"], 1949, 9999)
	if err != nil {
		return err
	}
	u, err := s.policies.Ledger.FindBudgetUse(r.Context(), r.PathValue("id"), period)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// page is the envelope of a paged list.
type page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

func newPage[T any](items []T, total, offset, limit int) page[T] {
	if items == nil {
		items = []T{}
	}
	return page[T]{Items: items, Total: total, Offset: offset, Limit: limit}
}

// paging reads offset and limit from q; the default limit is 50.
func paging(q map[string]string) (offset, limit int, err error) {
	limit = 50
	if v, ok := q["offset"]; ok {
		if offset, err = queryInt("offset", v, 0, math.MaxInt32); err != nil {
			return 0, 0, err
		}
	}
	if v, ok := q["limit"]; ok {
		if limit, err = queryInt("limit", v, 1, maxPage); err != nil {
			return 0, 0, err
		}
	}
	return offset, limit, nil
}

// policyStatuses are the values of ?status= on policies.
var policyStatuses = []policy.Status{policy.StatusDraft, policy.StatusPublished, policy.StatusRetired}

func (s *server) listPolicies(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "id", "status", "latest", "offset", "limit")
	if err != nil {
		return err
	}
	var f policy.VersionFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["id"]; ok {
		f.PolicyID = &v
	}
	if err := optional(q, "status", oneOf("状态", "status", policyStatuses), &f.Status); err != nil {
		return err
	}
	if v, ok := q["latest"]; ok {
		if f.Latest, err = queryBool("latest", v); err != nil {
			return err
		}
	}
	vs, total, err := s.policies.Versions.FindPolicies(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]policySummary, len(vs))
	for i, v := range vs {
		items[i] = summarise(v)
	}
	return writeJSON(w, http.StatusOK, newPage(items, total, f.Offset, f.Limit))
}

// sourceBody is a policy's YAML sent as JSON.
type sourceBody struct {
	Source string `json:"source"`
}

// readSource reads a policy's YAML from the body: as the text itself under
// a YAML media type, or as {"source": "..."} in JSON. The YAML is held to
// policy.MaxSourceBytes.
func (s *server) readSource(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := chanye.NewError(chanye.ETOOLARGE, fmt.Sprintf("政策文件超过 %d 字节 / the policy file exceeds %d bytes", policy.MaxSourceBytes, policy.MaxSourceBytes), map[string]string{"source": fmt.Sprintf("至多 %d 字节 / at most %d bytes", policy.MaxSourceBytes, policy.MaxSourceBytes)})
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err == nil && (mt == "application/yaml" || mt == "text/yaml" || mt == "application/x-yaml" || mt == "text/x-yaml") {
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, policy.MaxSourceBytes))
			var over *http.MaxBytesError
			if errors.As(err, &over) {
				return nil, tooLarge
			} else if err != nil {
				return nil, chanye.Errorf(chanye.EINVALID, "无法读取请求体 / cannot read request body: %v", err)
			}
			if strings.TrimSpace(string(b)) == "" {
				return nil, fieldError("body", "为空，须为政策的 YAML", "is empty, expected a policy in YAML", "")
			}
			return b, nil
		}
	}
	// JSON escapes the YAML's newlines and quotes: allow it twice the room.
	if limit := int64(2*policy.MaxSourceBytes + 1<<10); s.maxBody > limit {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	var body sourceBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		if chanye.ErrorCode(err) == codeUnsupportedMedia {
			return nil, chanye.Errorf(codeUnsupportedMedia, "请求体须为 application/yaml、text/yaml 或 application/json / request body must be application/yaml, text/yaml or application/json")
		}
		return nil, err
	}
	if strings.TrimSpace(body.Source) == "" {
		return nil, fieldError("source", "必填", "required", "")
	}
	if len(body.Source) > policy.MaxSourceBytes {
		return nil, tooLarge
	}
	return []byte(body.Source), nil
}

func (s *server) createPolicy(w http.ResponseWriter, r *http.Request) error {
	src, err := s.readSource(w, r)
	if err != nil {
		return err
	}
	v, err := s.policies.Versions.CreatePolicyVersion(r.Context(), src)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/policies/%s?version=%d", url.PathEscape(v.PolicyID), v.Version))
	return writeJSON(w, http.StatusCreated, detail(v))
}

func (s *server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "version")
	if err != nil {
		return err
	}
	version := 0
	if v, ok := q["version"]; ok {
		if version, err = queryInt("version", v, 1, math.MaxInt32); err != nil {
			return err
		}
	}
	v, err := s.policies.Versions.FindPolicyVersion(r.Context(), r.PathValue("id"), version)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, detail(v))
}

func (s *server) publishPolicy(w http.ResponseWriter, r *http.Request) error {
	version, err := pathInt(r, "version")
	if err != nil {
		return err
	}
	v, err := s.policies.Versions.PublishPolicyVersion(r.Context(), r.PathValue("id"), int(version))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, detail(v))
}

// schemaBody is GET /api/v1/policy-schema: what rules may read.
type schemaBody struct {
	Variables   []policy.Variable `json:"variables"`
	ParamPrefix string            `json:"param_prefix"`
	MaxCost     int               `json:"max_cost"`
}

func (s *server) policySchema(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, schemaBody{Variables: policy.Schema(), ParamPrefix: "p.", MaxCost: policy.MaxCost})
}

// testResult is the answer of POST /api/v1/policies/test.
type testResult struct {
	PolicyID string              `json:"policy_id"`
	Pass     bool                `json:"pass"`
	Passed   int                 `json:"passed"`
	Failed   int                 `json:"failed"`
	Cases    []policy.CaseResult `json:"cases"`
}

// testPolicy runs the cases of a policy without storing it.
func (s *server) testPolicy(w http.ResponseWriter, r *http.Request) error {
	src, err := s.readSource(w, r)
	if err != nil {
		return err
	}
	p, err := policy.Parse(src)
	if err != nil {
		return err
	}
	results, err := s.engine.Test(r.Context(), p)
	if err != nil {
		return err
	}
	out := testResult{PolicyID: p.ID, Pass: true, Cases: results}
	for _, c := range results {
		if c.Pass {
			out.Passed++
		} else {
			out.Failed++
			out.Pass = false
		}
	}
	if out.Cases == nil {
		out.Cases = []policy.CaseResult{}
	}
	return writeJSON(w, http.StatusOK, out)
}

// simulateBody is the body of POST /api/v1/policies/{id}/simulate: a draft,
// or new values for parameters of the published version, or neither (the
// published version as it is).
type simulateBody struct {
	Source string                     `json:"source"`
	Params map[string]json.RawMessage `json:"params"`
	AsOf   chanye.Date                `json:"as_of"`
}

func (s *server) simulatePolicy(w http.ResponseWriter, r *http.Request) error {
	var body simulateBody
	if b, err := s.readBody(w, r); err != nil {
		return err
	} else if strings.TrimSpace(string(b)) != "" {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
				return chanye.Errorf(codeUnsupportedMedia, "请求体须为 application/json / request body must be application/json")
			}
		}
		if err := decodeBytes(b, &body); err != nil {
			return err
		}
	}
	id := r.PathValue("id")
	var draft *policy.Policy
	switch {
	case body.Source != "" && body.Params != nil:
		return chanye.Invalid("source 与 params 只能给出其一 / give source or params, not both",
			map[string]string{"params": "与 source 不能同时给出 / not with source"})
	case body.Source != "":
		p, err := policy.Parse([]byte(body.Source))
		if err != nil {
			return err
		}
		if p.ID != id {
			return fieldError("source", fmt.Sprintf("政策编号 %q 与路径中的 %q 不符", p.ID, id), fmt.Sprintf("policy id %q does not match %q in the path", p.ID, id), "")
		}
		draft = p
	default:
		v, err := s.policies.Versions.FindPolicyVersion(r.Context(), id, 0)
		if err != nil {
			return err
		}
		if draft, err = withParams(v.Policy, body.Params); err != nil {
			return err
		}
	}
	sim, err := s.engine.Simulate(r.Context(), draft, body.AsOf)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sim)
}

// withParams returns a copy of p, as a draft, whose named parameters hold
// one value each for the whole period. A value is JSON of the parameter's
// type: an integer (fen for money), a number, a string or a boolean.
func withParams(p *policy.Policy, values map[string]json.RawMessage) (*policy.Policy, error) {
	cp := *p
	cp.Status = policy.StatusDraft
	cp.Params = append([]policy.Param(nil), p.Params...)
	fields := map[string]string{}
	for name, raw := range values {
		at := "params." + name
		i := -1
		for j := range cp.Params {
			if cp.Params[j].Name == name {
				i = j
			}
		}
		if i < 0 {
			names := make([]string, len(cp.Params))
			for j, pa := range cp.Params {
				names[j] = pa.Name
			}
			fields[at] = fmt.Sprintf("未知参数，可选 %s / unknown parameter, one of %s", strings.Join(names, ", "), strings.Join(names, ", "))
			continue
		}
		pa := &cp.Params[i]
		v, err := paramValue(pa.Type, raw)
		if err != nil {
			fields[at] = err.Error()
			continue
		}
		from := p.Effective.From
		if len(pa.Values) > 0 && pa.Values[0].From.Before(from.Time) {
			from = pa.Values[0].From
		}
		pa.Values = []policy.ParamValue{{From: from, Value: v}}
	}
	if err := chanye.Invalid("参数有误 / invalid parameters", fields); err != nil {
		return nil, err
	}
	return &cp, nil
}

// paramValue decodes a parameter value of type t from JSON.
func paramValue(t policy.ParamType, raw json.RawMessage) (any, error) {
	var (
		v   any
		err error
	)
	switch t {
	case policy.ParamInt:
		v, err = unmarshalAs[int64](raw)
	case policy.ParamDouble:
		v, err = unmarshalAs[float64](raw)
	case policy.ParamString:
		v, err = unmarshalAs[string](raw)
	case policy.ParamBool:
		v, err = unmarshalAs[bool](raw)
	}
	if err != nil {
		want := map[policy.ParamType]string{policy.ParamInt: "integer", policy.ParamDouble: "number", policy.ParamString: "string", policy.ParamBool: "boolean"}[t]
		return nil, fmt.Errorf("类型错误：应为 %s，实为 %s / expected %s, got %s", want, jsonType(raw), want, jsonType(raw))
	}
	return v, nil
}

// unmarshalAs decodes raw as a T.
func unmarshalAs[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// pathInt parses a positive integer path value.
func pathInt(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, paramError(name, fmt.Sprintf("须为正整数，而不是 %q", v), fmt.Sprintf("must be a positive integer, not %q", v))
	}
	return n, nil
}

// queryBool parses a boolean query parameter.
func queryBool(name, v string) (bool, error) {
	switch v {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, paramError(name, fmt.Sprintf("须为 true 或 false，而不是 %q", v), fmt.Sprintf("must be true or false, not %q", v))
}

// queryDate parses a YYYY-MM-DD query parameter.
func queryDate(name, v string) (chanye.Date, error) {
	d, err := chanye.ParseDate(v)
	if err != nil {
		zh, en := textOf(err)
		return chanye.Date{}, paramError(name, zh, en)
	}
	return d, nil
}
