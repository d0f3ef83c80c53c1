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
// when absent — and checks it against the catalog: industries and
// districts it lists, the stages, kinds and colours of this package, names
// of at most MaxFilterName characters. The API and the pages both read
// filters here. bad maps each parameter at fault to what is wrong; the
// filter holds every parameter given, good or bad, so a form can show it
// back.
func ParseFilter(get func(string) string, c *chanye.Catalog) (f ProjectFilter, bad map[string]string) {
	bad = map[string]string{}
	param := func(name string) *string {
		v := strings.TrimSpace(get(name))
		if v == "" {
			return nil
		}
		return &v
	}
	if v := param("district"); v != nil {
		if _, ok := c.District(*v); !ok {
			bad["district"] = fmt.Sprintf("未知区县 %q / unknown district %q", *v, *v)
		}
		f.DistrictCode = v
	}
	if v := param("industry"); v != nil {
		if c.Industry(*v) == nil {
			bad["industry"] = fmt.Sprintf("未知产业 %q / unknown industry %q", *v, *v)
		}
		f.IndustryID = v
	}
	if v := param("stage"); v != nil {
		st, ok := ParseStage(*v)
		if !ok {
			bad["stage"] = fmt.Sprintf("未知阶段 %q / unknown stage %q", *v, *v)
		}
		f.Stage = &st
	}
	if v := param("kind"); v != nil {
		k, ok := ParseKind(*v)
		if !ok {
			bad["kind"] = fmt.Sprintf("未知项目类型 %q / unknown project kind %q", *v, *v)
		}
		f.Kind = &k
	}
	if v := param("colour"); v != nil {
		col := Colour(*v)
		if col.Rank() < 0 {
			bad["colour"] = fmt.Sprintf("%q 须为 red、yellow 或 green / %q must be red, yellow or green", *v, *v)
		}
		f.Colour = &col
	}
	for name, dst := range map[string]**string{"owner": &f.OwnerCode, "department": &f.Department, "leader": &f.CityLeader, "task_force": &f.TaskForce} {
		if v := param(name); v != nil {
			if utf8.RuneCountInString(*v) > MaxFilterName {
				bad[name] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", MaxFilterName, MaxFilterName)
			}
			*dst = v
		}
	}
	return f, bad
}
