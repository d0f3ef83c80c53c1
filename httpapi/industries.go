package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/chanye-org/chanye"
)

// industryView is an industry as the API shows it: with its progress
// against the target, and null where the catalog has no target.
type industryView struct {
	ID             string                `json:"id"`
	NameZH         string                `json:"name_zh"`
	NameEN         string                `json:"name_en"`
	Kind           chanye.IndustryKind   `json:"kind"`
	Group          string                `json:"group"`
	Ordinal        int                   `json:"ordinal"`
	Target         *chanye.Target        `json:"target"`
	Office         string                `json:"office"`
	Classes        []string              `json:"classes"`
	ClassNote      string                `json:"class_note,omitempty"`
	Responsibility chanye.Responsibility `json:"responsibility"`
	Progress       *chanye.Progress      `json:"progress"`
}

// industryDetail is the single read of an industry.
type industryDetail struct {
	industryView
	Indicators      []*chanye.Indicator     `json:"indicators"`
	EnterpriseStats *chanye.EnterpriseStats `json:"enterprise_stats"`
}

func newIndustryView(ind *chanye.Industry, indicators []*chanye.Indicator) industryView {
	classes := ind.Classes
	if classes == nil {
		classes = []string{}
	}
	return industryView{
		ID: ind.ID, NameZH: ind.NameZH, NameEN: ind.NameEN, Kind: ind.Kind, Group: ind.Group,
		Ordinal: ind.Ordinal, Target: ind.Target, Office: ind.Office, Classes: classes,
		ClassNote: ind.ClassNote, Responsibility: ind.Responsibility,
		Progress: chanye.ComputeProgress(ind.Target, indicators),
	}
}

func (s *server) getCatalog(w http.ResponseWriter, r *http.Request) error {
	c, err := s.catalog.FindCatalog(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *server) listIndustries(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "kind", "group")
	if err != nil {
		return err
	}
	var filter chanye.IndustryFilter
	if v, ok := q["kind"]; ok {
		k := chanye.IndustryKind(v)
		if !k.Valid() {
			return paramError("kind", fmt.Sprintf("%q 须为 cluster、future 或 service", v), fmt.Sprintf("%q must be cluster, future or service", v))
		}
		filter.Kind = &k
	}
	if v, ok := q["group"]; ok {
		if err := s.checkGroup(r.Context(), v); err != nil {
			return err
		}
		filter.Group = &v
	}
	industries, err := s.catalog.FindIndustries(r.Context(), filter)
	if err != nil {
		return err
	}
	metric := chanye.TargetMetric
	values, err := s.catalog.FindIndicators(r.Context(), chanye.IndicatorFilter{Metric: &metric})
	if err != nil {
		return err
	}
	byIndustry := map[string][]*chanye.Indicator{}
	for _, v := range values {
		byIndustry[v.IndustryID] = append(byIndustry[v.IndustryID], v)
	}
	views := make([]industryView, len(industries))
	for i, ind := range industries {
		views[i] = newIndustryView(ind, byIndustry[ind.ID])
	}
	return writeJSON(w, http.StatusOK, newList(views))
}

// checkGroup returns EINVALID naming the parameter for an unknown group,
// so that a typo is not mistaken for an empty group.
func (s *server) checkGroup(ctx context.Context, id string) error {
	c, err := s.catalog.FindCatalog(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, g := range c.Groups {
		if g.ID == id {
			return nil
		}
		ids = append(ids, g.ID)
	}
	return paramError("group", fmt.Sprintf("未知分组 %q，可选 %s", id, strings.Join(ids, ", ")), fmt.Sprintf("unknown group %q, one of %s", id, strings.Join(ids, ", ")))
}

func (s *server) getIndustry(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	ind, err := s.catalog.FindIndustryByID(ctx, id)
	if err != nil {
		return err
	}
	indicators, err := s.catalog.FindIndicators(ctx, chanye.IndicatorFilter{IndustryID: &id})
	if err != nil {
		return err
	}
	stats, err := s.enterprises.EnterpriseStats(ctx, chanye.EnterpriseFilter{IndustryID: &id})
	if err != nil {
		return err
	}
	if indicators == nil {
		indicators = []*chanye.Indicator{}
	}
	return writeJSON(w, http.StatusOK, industryDetail{newIndustryView(ind, indicators), indicators, stats})
}

func (s *server) patchResponsibility(w http.ResponseWriter, r *http.Request) error {
	var upd chanye.ResponsibilityUpdate
	if err := s.decodeJSON(w, r, &upd); err != nil {
		return err
	}
	ind, err := s.catalog.UpdateResponsibility(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		return err
	}
	indicators, err := s.catalog.FindIndicators(r.Context(), chanye.IndicatorFilter{IndustryID: &ind.ID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newIndustryView(ind, indicators))
}

func (s *server) listIndicators(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "metric")
	if err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	// An unknown industry is a 404, not an empty list.
	if _, err := s.catalog.FindIndustryByID(ctx, id); err != nil {
		return err
	}
	filter := chanye.IndicatorFilter{IndustryID: &id}
	if v, ok := q["metric"]; ok {
		if _, ok := chanye.FindMetric(v); !ok {
			return paramError("metric", fmt.Sprintf("未知指标 %q，可选 %s", v, metricIDs()), fmt.Sprintf("unknown metric %q, one of %s", v, metricIDs()))
		}
		filter.Metric = &v
	}
	values, err := s.catalog.FindIndicators(ctx, filter)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(values))
}

func metricIDs() string {
	ids := make([]string, len(chanye.Metrics))
	for i, m := range chanye.Metrics {
		ids[i] = m.ID
	}
	return strings.Join(ids, ", ")
}

// indicatorsBody is the body of PUT .../indicators.
type indicatorsBody struct {
	Items []*chanye.Indicator `json:"items"`
}

func (s *server) putIndicators(w http.ResponseWriter, r *http.Request) error {
	var body indicatorsBody
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	if body.Items == nil {
		return fieldError("items", "必填", "required", "")
	}
	// Validate every item here so that errors name the item's index; the
	// store validates again inside its transaction.
	fields := map[string]string{}
	seen := map[[3]string]int{}
	for i, in := range body.Items {
		at := fmt.Sprintf("items[%d]", i)
		if in == nil {
			fields[at] = "不能为 null / must not be null"
			continue
		}
		switch in.IndustryID {
		case "":
			in.IndustryID = id
		case id:
		default:
			fields[at+".industry_id"] = fmt.Sprintf("%q 与路径中的 %q 不一致 / does not match %q in the path", in.IndustryID, id, id)
		}
		for k, v := range chanye.ErrorFields(in.Validate()) {
			fields[at+"."+k] = v
		}
		key := [3]string{in.IndustryID, in.Metric, in.Period}
		if j, dup := seen[key]; dup {
			fields[at] = fmt.Sprintf("与 items[%d] 的指标和期间重复 / same metric and period as items[%d]", j, j)
		}
		seen[key] = i
	}
	if err := chanye.Invalid("指标有误，未写入任何数据 / invalid indicators, nothing was written", fields); err != nil {
		return err
	}
	if _, err := s.catalog.FindIndustryByID(ctx, id); err != nil {
		return err
	}
	if err := s.catalog.UpsertIndicators(ctx, body.Items); err != nil {
		return err
	}
	values, err := s.catalog.FindIndicators(ctx, chanye.IndicatorFilter{IndustryID: &id})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(values))
}

// query returns the query parameters of r, rejecting names not in allowed
// and names given twice, so that a misspelt filter is not silently ignored.
func query(r *http.Request, allowed ...string) (map[string]string, error) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, chanye.Errorf(chanye.EINVALID, "查询字符串无法解析 / malformed query string: %v", err)
	}
	out := map[string]string{}
	for name, vs := range values {
		switch {
		case !contains(allowed, name):
			return nil, paramError(name, "未知参数，可用 "+strings.Join(allowed, ", "), "unknown parameter, use "+strings.Join(allowed, ", "))
		case len(vs) > 1:
			return nil, paramError(name, "只能给出一次", "must be given once")
		case strings.TrimSpace(vs[0]) != "":
			out[name] = strings.TrimSpace(vs[0])
		}
	}
	return out, nil
}
