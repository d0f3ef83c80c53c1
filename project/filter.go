package project

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// MaxFilterName bounds a name a filter compares (an owner's code, a
// department, a leader, a task force), in characters.
const MaxFilterName = 100

// ParseFilter reads the filter of the project list and the warning board
// from query parameters — industry, district, stage, kind, colour, owner,
// department, leader, task_force; get returns a parameter's value, ""
// when absent — and checks it with Validate. The API and the pages both
// read filters here. A stage or kind may be given by its id or its Chinese
// or English name. The filter holds every parameter given, good or bad, so
// a form can show it back.
func ParseFilter(get func(string) string, c *chanye.Catalog) (f ProjectFilter, bad map[string]string) {
	param := func(name string) *string {
		if v := strings.TrimSpace(get(name)); v != "" {
			return &v
		}
		return nil
	}
	f.IndustryID = param("industry")
	f.DistrictCode = param("district")
	if v := param("stage"); v != nil {
		st, ok := ParseStage(*v)
		if !ok {
			st = Stage(*v)
		}
		f.Stage = &st
	}
	if v := param("kind"); v != nil {
		k, ok := ParseKind(*v)
		if !ok {
			k = Kind(*v)
		}
		f.Kind = &k
	}
	if v := param("colour"); v != nil {
		col := Colour(*v)
		f.Colour = &col
	}
	f.OwnerCode = param("owner")
	f.Department = param("department")
	f.CityLeader = param("leader")
	f.TaskForce = param("task_force")
	return f, f.Validate(c)
}

// Validate checks the filter against the catalog: industries and districts
// it lists, the stages, kinds and colours of this package, names of at most
// MaxFilterName characters. It maps each query parameter at fault to what
// is wrong; the map is empty when the filter is sound.
func (f ProjectFilter) Validate(c *chanye.Catalog) map[string]string {
	bad := map[string]string{}
	c.CheckPlace(f.DistrictCode, f.IndustryID, bad)
	if v := f.Stage; v != nil && !v.Valid() {
		bad["stage"] = fmt.Sprintf("未知阶段 %q / unknown stage %q", *v, *v)
	}
	if v := f.Kind; v != nil && !v.Valid() {
		bad["kind"] = fmt.Sprintf("未知项目类型 %q / unknown project kind %q", *v, *v)
	}
	if v := f.Colour; v != nil && v.Rank() < 0 {
		bad["colour"] = fmt.Sprintf("%q 须为 red、yellow 或 green / %q must be red, yellow or green", *v, *v)
	}
	for name, v := range map[string]*string{"owner": f.OwnerCode, "department": f.Department, "leader": f.CityLeader, "task_force": f.TaskForce} {
		if v != nil && utf8.RuneCountInString(*v) > MaxFilterName {
			bad[name] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", MaxFilterName, MaxFilterName)
		}
	}
	return bad
}
