package chanye

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxFilterQuery bounds the text a registry filter searches for, in
// characters.
const MaxFilterQuery = 100

// ParseEnterpriseFilter reads the registry's filter from query parameters
// — district, industry, tier, size, q; get returns a parameter's value, ""
// when absent — and checks it with Validate. The API, the list page and
// its export all read the filter here. The filter holds every parameter
// given, good or bad, so a form can show it back.
func ParseEnterpriseFilter(get func(string) string, c *Catalog) (f EnterpriseFilter, bad map[string]string) {
	param := func(name string) *string {
		if v := strings.TrimSpace(get(name)); v != "" {
			return &v
		}
		return nil
	}
	f.DistrictCode = param("district")
	f.IndustryID = param("industry")
	f.Q = param("q")
	if v := param("tier"); v != nil {
		t := TierKind(*v)
		f.Tier = &t
	}
	if v := param("size"); v != nil {
		s := SizeClass(*v)
		f.SizeClass = &s
	}
	return f, f.Validate(c)
}

// Validate checks the filter against the catalog: districts and industries
// it lists, known tiers and size classes, a search text of at most
// MaxFilterQuery characters. It maps each query parameter at fault
// (district, industry, tier, size, q) to what is wrong; the map is empty
// when the filter is sound.
func (f EnterpriseFilter) Validate(c *Catalog) map[string]string {
	bad := map[string]string{}
	c.CheckPlace(f.DistrictCode, f.IndustryID, bad)
	if v := f.Tier; v != nil && !v.Valid() {
		ids := make([]string, len(TierKinds))
		for i, k := range TierKinds {
			ids[i] = string(k)
		}
		one := strings.Join(ids, ", ")
		bad["tier"] = fmt.Sprintf("未知梯度 %q，可选 %s / unknown tier %q, one of %s", *v, one, *v, one)
	}
	if v := f.SizeClass; v != nil && !v.Valid() {
		bad["size"] = fmt.Sprintf("未知规模 %q，可选 large、medium、small、micro / unknown size class %q, one of large, medium, small, micro", *v, *v)
	}
	if v := f.Q; v != nil && utf8.RuneCountInString(*v) > MaxFilterQuery {
		bad["q"] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", MaxFilterQuery, MaxFilterQuery)
	}
	return bad
}

// CheckPlace adds to bad what is wrong with a filter's district and
// industry, under the query parameters "district" and "industry": each,
// when given, must be one the catalog lists.
func (c *Catalog) CheckPlace(district, industry *string, bad map[string]string) {
	if v := district; v != nil {
		if _, ok := c.District(*v); !ok {
			bad["district"] = fmt.Sprintf("未知区县 %q / unknown district %q", *v, *v)
		}
	}
	if v := industry; v != nil && c.Industry(*v) == nil {
		bad["industry"] = fmt.Sprintf("未知产业 %q / unknown industry %q", *v, *v)
	}
}
