package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// maxPage is the largest page a list returns, as EnterpriseFilter allows.
const maxPage = 1000

// enterprisePage is the envelope of GET /api/v1/enterprises.
type enterprisePage struct {
	Items  []*chanye.Enterprise `json:"items"`
	Total  int                  `json:"total"`
	Offset int                  `json:"offset"`
	Limit  int                  `json:"limit"`
}

// present makes lists in an enterprise empty rather than null, so clients
// need not tell the two apart.
func present(e *chanye.Enterprise) *chanye.Enterprise {
	if e.Industries == nil {
		e.Industries = []string{}
	}
	if e.Tiers == nil {
		e.Tiers = []chanye.Tier{}
	}
	return e
}

// pathCode returns the normalised credit code of the path, or an EINVALID
// error saying which character is wrong.
func pathCode(r *http.Request) (string, error) {
	return checkCode(r.PathValue("code"))
}

// checkCode normalises a credit code and validates it, with uscc's account
// of the faulty character in the message itself rather than only in
// fields: a wrong code is the commonest mistake and should read plainly.
func checkCode(code string) (string, error) {
	code = uscc.Normalize(code)
	if err := uscc.Validate(code); err != nil {
		return "", chanye.NewError(chanye.EINVALID, "统一社会信用代码有误："+strings.Replace(err.Error(), " / ", " / invalid credit code: ", 1), map[string]string{"code": err.Error()})
	}
	return code, nil
}

func (s *server) listEnterprises(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "district", "industry", "tier", "size", "q", "offset", "limit")
	if err != nil {
		return err
	}
	c, err := s.catalog.FindCatalog(r.Context())
	if err != nil {
		return err
	}
	filter, bad := chanye.ParseEnterpriseFilter(func(name string) string { return q[name] }, c)
	if err := chanye.Invalid("查询参数有误 / invalid query parameters", bad); err != nil {
		return err
	}
	filter.Limit = 50
	if v, ok := q["offset"]; ok {
		if filter.Offset, err = queryInt("offset", v, 0, math.MaxInt32); err != nil {
			return err
		}
	}
	if v, ok := q["limit"]; ok {
		if filter.Limit, err = queryInt("limit", v, 1, maxPage); err != nil {
			return err
		}
	}
	items, total, err := s.enterprises.FindEnterprises(r.Context(), filter)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*chanye.Enterprise{}
	}
	for _, e := range items {
		present(e)
	}
	return writeJSON(w, http.StatusOK, enterprisePage{Items: items, Total: total, Offset: filter.Offset, Limit: filter.Limit})
}

func (s *server) getEnterprise(w http.ResponseWriter, r *http.Request) error {
	code, err := pathCode(r)
	if err != nil {
		return err
	}
	e, err := s.enterprises.FindEnterpriseByCode(r.Context(), code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, present(e))
}

// enterpriseCreate is the body of POST /api/v1/enterprises: the fields a
// client may set. Size class, facts and timestamps are derived or stored.
type enterpriseCreate struct {
	Code          string        `json:"code"`
	Name          string        `json:"name"`
	DistrictCode  string        `json:"district_code"`
	IndustryClass string        `json:"industry_class"`
	Founded       chanye.Date   `json:"founded"`
	Industries    *[]string     `json:"industries"` // given: overrides the derived ones
	Tiers         []chanye.Tier `json:"tiers"`
}

func (s *server) createEnterprise(w http.ResponseWriter, r *http.Request) error {
	var body enterpriseCreate
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	code, err := checkCode(body.Code)
	if err != nil {
		return err
	}
	e := &chanye.Enterprise{
		Code: code, Name: body.Name, DistrictCode: body.DistrictCode,
		IndustryClass: body.IndustryClass, Founded: body.Founded, Tiers: body.Tiers,
	}
	if body.Industries != nil {
		e.Industries, e.IndustriesOverride = *body.Industries, true
	}
	ctx := r.Context()
	if err := s.enterprises.CreateEnterprise(ctx, e); err != nil {
		return err
	}
	// Read back what the store holds: derived industries, timestamps.
	created, err := s.enterprises.FindEnterpriseByCode(ctx, e.Code)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/enterprises/"+url.PathEscape(created.Code))
	return writeJSON(w, http.StatusCreated, present(created))
}

func (s *server) patchEnterprise(w http.ResponseWriter, r *http.Request) error {
	code, err := pathCode(r)
	if err != nil {
		return err
	}
	var upd chanye.EnterpriseUpdate
	if err := s.decodeJSON(w, r, &upd); err != nil {
		return err
	}
	e, err := s.enterprises.UpdateEnterprise(r.Context(), code, upd)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, present(e))
}

func (s *server) listFacts(w http.ResponseWriter, r *http.Request) error {
	code, err := pathCode(r)
	if err != nil {
		return err
	}
	facts, err := s.enterprises.FindFacts(r.Context(), code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(facts))
}

// factsBody is the body of PUT .../facts.
type factsBody struct {
	Items []*chanye.Facts `json:"items"`
}

func (s *server) putFacts(w http.ResponseWriter, r *http.Request) error {
	code, err := pathCode(r)
	if err != nil {
		return err
	}
	var body factsBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	if len(body.Items) == 0 {
		return fieldError("items", "至少一项", "at least one report is required", "")
	}
	// Validate here so that errors name the item; the store checks again
	// with its own clock inside the transaction.
	fields := map[string]string{}
	for i, f := range body.Items {
		at := fmt.Sprintf("items[%d]", i)
		if f == nil {
			fields[at] = "不能为 null / must not be null"
			continue
		}
		for k, v := range chanye.ErrorFields(f.Validate(s.now())) {
			fields[at+"."+k] = v
		}
	}
	if err := chanye.Invalid("年度数据有误，未写入任何数据 / invalid facts, nothing was written", fields); err != nil {
		return err
	}
	e, err := s.enterprises.PutFacts(r.Context(), code, body.Items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, present(e))
}

func (s *server) addTier(w http.ResponseWriter, r *http.Request) error {
	code, err := pathCode(r)
	if err != nil {
		return err
	}
	var t chanye.Tier
	if err := s.decodeJSON(w, r, &t); err != nil {
		return err
	}
	e, err := s.enterprises.PutTier(r.Context(), code, t)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/enterprises/%s/tiers/%s/%s", e.Code, url.PathEscape(string(t.Kind)), t.From))
	return writeJSON(w, http.StatusCreated, present(e))
}

func (s *server) deleteTier(w http.ResponseWriter, r *http.Request) error {
	code, err := pathCode(r)
	if err != nil {
		return err
	}
	kind := chanye.TierKind(r.PathValue("kind"))
	if !kind.Valid() {
		return paramError("kind", fmt.Sprintf("未知梯度 %q", kind), fmt.Sprintf("unknown tier %q", kind))
	}
	from, err := chanye.ParseDate(r.PathValue("from"))
	if err != nil {
		zh, en := textOf(err)
		return paramError("from", zh, en)
	}
	e, err := s.enterprises.DeleteTier(r.Context(), code, kind, from)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, present(e))
}

// paramError is an EINVALID error for a query or path parameter.
func paramError(name, zh, en string) error {
	return fieldError(name, zh, en, fmt.Sprintf("参数 %q 有误：%s / parameter %q: %s", name, zh, name, en))
}
