package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// runBody is the body of POST /api/v1/runs.
type runBody struct {
	AsOf chanye.Date `json:"as_of"`
}

func (s *server) createRun(w http.ResponseWriter, r *http.Request) error {
	var body runBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.AsOf.IsZero() {
		return fieldError("as_of", "必填", "required", "")
	}
	run, err := s.engine.Run(r.Context(), body.AsOf)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/runs/%d", run.ID))
	return writeJSON(w, http.StatusCreated, run)
}

func (s *server) listRuns(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "policy", "offset", "limit")
	if err != nil {
		return err
	}
	var f policy.RunFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["policy"]; ok {
		f.PolicyID = &v
	}
	runs, total, err := s.policies.Runs.FindRuns(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(runs, total, f.Offset, f.Limit))
}

// runPolicyDetail is one policy of a run with its totals broken down.
type runPolicyDetail struct {
	policy.RunPolicy
	ByDistrict []bucket `json:"by_district"`
	ByIndustry []bucket `json:"by_industry"`
	BySize     []bucket `json:"by_size"`
}

// bucket is the eligible firms and money of one key of a breakdown.
type bucket struct {
	Key       string     `json:"key"`
	Eligible  int        `json:"eligible"`
	AmountFen chanye.Fen `json:"amount_fen"`
}

// runDetail is a run with each policy's breakdowns; its policies replace
// the run's own list.
type runDetail struct {
	*policy.Run
	Policies []runPolicyDetail `json:"policies"`
}

func (s *server) getRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	run, err := s.policies.Runs.FindRun(ctx, id)
	if err != nil {
		return err
	}
	totals, err := s.policies.Runs.FindRunTotals(ctx, id)
	if err != nil {
		return err
	}
	out := runDetail{Run: run, Policies: make([]runPolicyDetail, len(run.Policies))}
	at := map[string]*runPolicyDetail{}
	for i, p := range run.Policies {
		out.Policies[i] = runPolicyDetail{RunPolicy: p, ByDistrict: []bucket{}, ByIndustry: []bucket{}, BySize: []bucket{}}
		at[p.ID] = &out.Policies[i]
	}
	for _, t := range totals {
		d := at[t.PolicyID]
		if d == nil {
			continue
		}
		b := bucket{Key: t.Key, Eligible: t.Eligible, AmountFen: t.AmountFen}
		switch t.Dimension {
		case policy.DimDistrict:
			d.ByDistrict = append(d.ByDistrict, b)
		case policy.DimIndustry:
			d.ByIndustry = append(d.ByIndustry, b)
		case policy.DimSize:
			d.BySize = append(d.BySize, b)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// decisionStatuses are the values of ?status= on decisions.
var decisionStatuses = []policy.DecisionStatus{policy.DecisionComputed, policy.DecisionPublicised, policy.DecisionObjected,
	policy.DecisionWithdrawn, policy.DecisionApproved, policy.DecisionPaid, policy.DecisionReversed}

func (s *server) listDecisions(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "run", "policy", "code", "status", "district", "verdict", "offset", "limit")
	if err != nil {
		return err
	}
	var f policy.DecisionFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if err := refFilter(q, &f.RunID, &f.PolicyID, &f.Code); err != nil {
		return err
	}
	if v, ok := q["status"]; ok {
		st := policy.DecisionStatus(v)
		if !contains(statusNames(decisionStatuses), v) {
			return paramError("status", fmt.Sprintf("未知状态 %q", v), fmt.Sprintf("unknown status %q", v))
		}
		f.Status = &st
	}
	if v, ok := q["district"]; ok {
		f.District = &v
	}
	if v, ok := q["verdict"]; ok {
		vd := policy.Verdict(v)
		if vd != policy.VerdictEligible && vd != policy.VerdictNeedsData && vd != policy.VerdictExcluded {
			return paramError("verdict", fmt.Sprintf("须为 eligible、needs_data 或 excluded，不是 %q", v), fmt.Sprintf("must be eligible, needs_data or excluded, not %q", v))
		}
		f.Verdict = &vd
	}
	ds, total, err := s.policies.Runs.FindDecisions(r.Context(), f)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Industries == nil {
			d.Industries = []string{}
		}
	}
	return writeJSON(w, http.StatusOK, newPage(ds, total, f.Offset, f.Limit))
}

func statusNames[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// optional sets *dst to the value of the query parameter name, parsed by
// parse, when the query gives it.
// refFilter reads the ?run=, ?policy= and ?code= that name decisions in the
// decision, publicity and objection lists.
func refFilter(q map[string]string, run **int64, policyID, code **string) error {
	if err := optional(q, "run", queryID, run); err != nil {
		return err
	}
	if v, ok := q["policy"]; ok {
		*policyID = &v
	}
	return optional(q, "code", queryCode, code)
}

func optional[T any](q map[string]string, name string, parse func(name, v string) (T, error), dst **T) error {
	v, ok := q[name]
	if !ok {
		return nil
	}
	x, err := parse(name, v)
	if err != nil {
		return err
	}
	*dst = &x
	return nil
}

// oneOf parses a query parameter that must be one of values; zh and en
// say what it names in the error.
func oneOf[T ~string](zh, en string, values []T) func(name, v string) (T, error) {
	return func(name, v string) (T, error) {
		names := statusNames(values)
		if !contains(names, v) {
			return "", paramError(name, fmt.Sprintf("未知%s %q，可选 %s", zh, v, strings.Join(names, "、")), fmt.Sprintf("unknown %s %q, one of %s", en, v, strings.Join(names, ", ")))
		}
		return T(v), nil
	}
}

// queryCode parses a credit code from the query.
func queryCode(_, v string) (string, error) {
	return checkCode(v)
}

// queryPeriod parses a year from the query.
func queryPeriod(name, v string) (int, error) {
	return queryInt(name, v, 1900, 9999)
}

// queryID parses a positive integer id from the query.
func queryID(name, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, paramError(name, fmt.Sprintf("须为正整数，而不是 %q", v), fmt.Sprintf("must be a positive integer, not %q", v))
	}
	return n, nil
}

// explainRequest reads the query of an explain request, which may hold
// as_of and the names in more, the credit code of the path, and ?as_of=,
// zero (the engine's today) when absent.
func explainRequest(r *http.Request, more ...string) (q map[string]string, code string, asOf chanye.Date, err error) {
	if q, err = query(r, append([]string{"as_of"}, more...)...); err != nil {
		return nil, "", asOf, err
	}
	if code, err = pathCode(r); err != nil {
		return nil, "", asOf, err
	}
	if v, ok := q["as_of"]; ok {
		asOf, err = queryDate("as_of", v)
	}
	return q, code, asOf, err
}

func (s *server) explainEnterprise(w http.ResponseWriter, r *http.Request) error {
	_, code, asOf, err := explainRequest(r)
	if err != nil {
		return err
	}
	ed, err := s.engine.ExplainEnterprise(r.Context(), code, asOf)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ed)
}

func (s *server) explainPolicy(w http.ResponseWriter, r *http.Request) error {
	q, code, asOf, err := explainRequest(r, "version")
	if err != nil {
		return err
	}
	version := 0
	if v, ok := q["version"]; ok {
		n, err := queryID("version", v)
		if err != nil {
			return err
		}
		version = int(n)
	}
	pd, err := s.engine.Explain(r.Context(), r.PathValue("policy"), version, code, asOf)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pd)
}
