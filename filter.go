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
// when absent — and checks it against the catalog: districts and
// industries it lists, known tiers and size classes, a search text of at
// most MaxFilterQuery characters. The API, the list page and its export
// all read the filter here. bad maps each parameter at fault to what is
// wrong; the filter holds every parameter given, so a form can show it back.
func ParseEnterpriseFilter(get func(string) string, c *Catalog) (f EnterpriseFilter, bad map[string]string) {
	bad = map[string]string{}
	param := func(name string) string { return strings.TrimSpace(get(name)) }
	if v := param("district"); v != "" {
		if _, ok := c.District(v); !ok {
			bad["district"] = fmt.Sprintf("未知区县 %q / unknown district %q", v, v)
		}
		f.DistrictCode = &v
	}
	if v := param("industry"); v != "" {
		if c.Industry(v) == nil {
			bad["industry"] = fmt.Sprintf("未知产业 %q / unknown industry %q", v, v)
		}
		f.IndustryID = &v
	}
	if v := TierKind(param("tier")); v != "" {
		if !v.Valid() {
			ids := make([]string, len(TierKinds))
			for i, k := range TierKinds {
				ids[i] = string(k)
			}
			one := strings.Join(ids, ", ")
			bad["tier"] = fmt.Sprintf("未知梯度 %q，可选 %s / unknown tier %q, one of %s", v, one, v, one)
		}
		f.Tier = &v
	}
	if v := SizeClass(param("size")); v != "" {
		if !v.Valid() {
			bad["size"] = fmt.Sprintf("未知规模 %q，可选 large、medium、small、micro / unknown size class %q, one of large, medium, small, micro", v, v)
		}
		f.SizeClass = &v
	}
	if v := param("q"); v != "" {
		if utf8.RuneCountInString(v) > MaxFilterQuery {
			bad["q"] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", MaxFilterQuery, MaxFilterQuery)
		}
		f.Q = &v
	}
	return f, bad
}
