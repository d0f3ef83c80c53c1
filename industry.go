package chanye

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// IndustryKind says which of the "21+8" lists an industry belongs to.
type IndustryKind string

// The three kinds of key industry in the 12218 system.
const (
	KindCluster IndustryKind = "cluster" // 战略性产业集群, strategic industry cluster
	KindFuture  IndustryKind = "future"  // 未来产业, future industry
	KindService IndustryKind = "service" // 现代服务业, modern service industry
)

// Valid reports whether k is one of the known kinds.
func (k IndustryKind) Valid() bool {
	return k == KindCluster || k == KindFuture || k == KindService
}

// Label is a name in Chinese and English, optionally with a longer text.
type Label struct {
	ID       string `json:"id,omitempty"`
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en"`
	DetailZH string `json:"detail_zh,omitempty"`
	DetailEN string `json:"detail_en,omitempty"`
}

// Group is a named group of industries of one kind, such as 新兴支柱产业.
type Group struct {
	ID     string       `json:"id"`
	Kind   IndustryKind `json:"kind"`
	NameZH string       `json:"name_zh"`
	NameEN string       `json:"name_en"`
}

// TargetTier is a named scale of target, such as 万亿级 (one trillion yuan).
type TargetTier struct {
	ID        string `json:"id"`
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en"`
	ValueYuan int64  `json:"value_yuan"`
}

// Target is a scale an industry must reach by a year, in whole yuan of revenue.
type Target struct {
	Tier      string `json:"tier"`
	ValueYuan int64  `json:"value_yuan"`
	Year      int    `json:"year"`
}

// Baseline is where the clusters started: their number, their revenue in the
// base year and the average yearly growth over the years before it.
type Baseline struct {
	Year        int    `json:"year"`
	Clusters    int    `json:"clusters"`
	RevenueYuan int64  `json:"revenue_yuan"`
	GrowthBP    int    `json:"growth_bp"` // basis points a year: 750 = 7.5 %
	GrowthYears int    `json:"growth_years"`
	Source      string `json:"source"`
}

// Office is an industry development office run as a real body (实体化运作).
type Office struct {
	ID         string   `json:"id"`
	NameZH     string   `json:"name_zh"`
	NameEN     string   `json:"name_en"`
	Industries []string `json:"industries"`
}

// Department is one of the city's departments (市工业和信息化局). NameZH is
// its identity: the name department accounts, responsibilities and
// policies carry.
type Department struct {
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// HasDepartment reports whether the catalog lists the department name.
func (c *Catalog) HasDepartment(name string) bool {
	for _, d := range c.Departments {
		if d.NameZH == name {
			return true
		}
	}
	return false
}

// DepartmentNames returns the names of the catalog's departments.
func (c *Catalog) DepartmentNames() []string {
	out := make([]string, len(c.Departments))
	for i, d := range c.Departments {
		out[i] = d.NameZH
	}
	return out
}

// District is a county-level division of the city (GB/T 2260).
type District struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// Responsibility names who owns an industry: one city leader, one lead
// department and one task force (工作专班), each a name of its managed list
// (OrgUnitService), or "" when not assigned.
type Responsibility struct {
	CityLeader     string    `json:"city_leader"`
	LeadDepartment string    `json:"lead_department"`
	TaskForce      string    `json:"task_force"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

// ResponsibilityUpdate holds the fields of a Responsibility to change; nil
// means "leave as is".
type ResponsibilityUpdate struct {
	CityLeader     *string `json:"city_leader"`
	LeadDepartment *string `json:"lead_department"`
	TaskForce      *string `json:"task_force"`
}

// Validate checks the lengths of the given fields.
func (u ResponsibilityUpdate) Validate() error {
	fields := map[string]string{}
	for name, v := range map[string]*string{"city_leader": u.CityLeader, "lead_department": u.LeadDepartment, "task_force": u.TaskForce} {
		if v != nil && len([]rune(strings.TrimSpace(*v))) > 100 {
			fields[name] = "不超过 100 个字符 / at most 100 characters"
		}
	}
	return Invalid("责任信息有误 / invalid responsibility", fields)
}

// Apply returns r with the given fields of u set.
func (u ResponsibilityUpdate) Apply(r Responsibility) Responsibility {
	if u.CityLeader != nil {
		r.CityLeader = strings.TrimSpace(*u.CityLeader)
	}
	if u.LeadDepartment != nil {
		r.LeadDepartment = strings.TrimSpace(*u.LeadDepartment)
	}
	if u.TaskForce != nil {
		r.TaskForce = strings.TrimSpace(*u.TaskForce)
	}
	return r
}

// Industry is one of the key industries of the 21+8.
type Industry struct {
	ID      string       `json:"id"`
	Kind    IndustryKind `json:"kind"`
	Group   string       `json:"group,omitempty"`
	Ordinal int          `json:"ordinal"`
	NameZH  string       `json:"name_zh"`
	NameEN  string       `json:"name_en"`
	Target  *Target      `json:"target,omitempty"`
	Office  string       `json:"office,omitempty"`
	// Classes are the GB/T 4754-2017 classes (4 digits) whose enterprises
	// belong to the industry by default.
	Classes        []string       `json:"classes"`
	ClassNote      string         `json:"class_note,omitempty"`
	Responsibility Responsibility `json:"responsibility"`
}

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)

// Catalog is a city's whole industrial system: the 1 overall requirement,
// the 2 directions, the 21+8 industries and what is known about them.
type Catalog struct {
	City               Label        `json:"city"`
	Sources            []string     `json:"sources"`
	OverallRequirement Label        `json:"overall_requirement"`
	Directions         []Label      `json:"directions"`
	Declared           Declared     `json:"declared"`
	Groups             []Group      `json:"groups"`
	TargetTiers        []TargetTier `json:"target_tiers"`
	Baseline           Baseline     `json:"baseline"`
	TotalTarget        Target       `json:"total_target"`
	Offices            []Office     `json:"offices"`
	// Departments are the city's departments that lead industries and
	// administer policies; a policy names exactly one of them, by NameZH.
	Departments []Department `json:"departments,omitempty"`
	Districts   []District   `json:"districts"`
	Industries  []*Industry  `json:"industries"`
}

// Declared is how many industries of each kind the system declares. It can
// exceed the number named: the source names only 3 of the 6 future
// industries, and the catalog must not invent the rest.
type Declared struct {
	Clusters int `json:"cluster"`
	Future   int `json:"future"`
	Services int `json:"service"`
}

// Count returns the declared count for a kind.
func (d Declared) Count(k IndustryKind) int {
	switch k {
	case KindCluster:
		return d.Clusters
	case KindFuture:
		return d.Future
	case KindService:
		return d.Services
	}
	return 0
}

// ParseCatalog decodes and validates a catalog file. Unknown fields are an
// error so that a misspelt key in a city's file is not silently dropped.
func ParseCatalog(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, Errorf(EINVALID, "目录文件无法解析 / catalog file is not valid JSON: %v", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the catalog's internal consistency: unique ids, known
// kinds, groups, tiers and offices, and no more industries of a kind than
// declared.
func (c *Catalog) Validate() error {
	fields := map[string]string{}
	if c.OverallRequirement.NameZH == "" {
		fields["overall_requirement"] = "必填 / required"
	}
	groups := map[string]IndustryKind{}
	for _, g := range c.Groups {
		groups[g.ID] = g.Kind
	}
	yuan := func(path string, v int64) {
		switch {
		case v < 0:
			fields[path] = "不能为负 / must not be negative"
		case v > MaxIndicatorValue:
			fields[path] = ExceedsYuan(MaxIndicatorValue)
		}
	}
	tiers := map[string]int64{}
	for i, t := range c.TargetTiers {
		tiers[t.ID] = t.ValueYuan
		yuan(fmt.Sprintf("target_tiers[%d].value_yuan", i), t.ValueYuan)
	}
	yuan("baseline.revenue_yuan", c.Baseline.RevenueYuan)
	yuan("total_target.value_yuan", c.TotalTarget.ValueYuan)
	for i, d := range c.Districts {
		if len(d.Code) != 6 || strings.Trim(d.Code, "0123456789") != "" {
			fields[fmt.Sprintf("districts[%d].code", i)] = "须为 6 位 GB/T 2260 代码 / must be a 6-digit GB/T 2260 code"
		}
	}
	seen := map[string]bool{}
	count := map[IndustryKind]int{}
	for i, ind := range c.Industries {
		at := fmt.Sprintf("industries[%d]", i)
		switch {
		case !slugRE.MatchString(ind.ID):
			fields[at+".id"] = fmt.Sprintf("%q 须为小写字母、数字和连字符 / must be lower-case letters, digits and hyphens", ind.ID)
		case seen[ind.ID]:
			fields[at+".id"] = fmt.Sprintf("%q 重复 / duplicate id", ind.ID)
		}
		seen[ind.ID] = true
		if !ind.Kind.Valid() {
			fields[at+".kind"] = fmt.Sprintf("%q 须为 cluster、future 或 service / must be cluster, future or service", ind.Kind)
		}
		count[ind.Kind]++
		if ind.Group != "" {
			if k, ok := groups[ind.Group]; !ok {
				fields[at+".group"] = fmt.Sprintf("未知分组 %q / unknown group", ind.Group)
			} else if k != ind.Kind {
				fields[at+".group"] = fmt.Sprintf("分组 %q 属于 %s / group belongs to kind %s", ind.Group, k, k)
			}
		}
		if ind.NameZH == "" {
			fields[at+".name_zh"] = "必填 / required"
		}
		if t := ind.Target; t != nil {
			if v, ok := tiers[t.Tier]; !ok {
				fields[at+".target.tier"] = fmt.Sprintf("未知目标档 %q / unknown target tier", t.Tier)
			} else if t.ValueYuan == 0 {
				t.ValueYuan = v
			}
			yuan(at+".target.value_yuan", t.ValueYuan)
			if t.Year < 2000 || t.Year > 2100 {
				fields[at+".target.year"] = "年份无效 / invalid year"
			}
		}
		for j, cl := range ind.Classes {
			if len(cl) != 4 || strings.Trim(cl, "0123456789") != "" {
				fields[fmt.Sprintf("%s.classes[%d]", at, j)] = fmt.Sprintf("%q 须为 4 位行业小类代码 / must be a 4-digit GB/T 4754 class", cl)
			}
		}
	}
	for _, k := range []IndustryKind{KindCluster, KindFuture, KindService} {
		if count[k] > c.Declared.Count(k) {
			fields["declared."+string(k)] = fmt.Sprintf("列出 %d 个，多于声明的 %d 个 / %d listed, more than the %d declared", count[k], c.Declared.Count(k), count[k], c.Declared.Count(k))
		}
	}
	depts := map[string]bool{}
	for i, d := range c.Departments {
		at := fmt.Sprintf("departments[%d].name_zh", i)
		switch name := d.NameZH; {
		case strings.TrimSpace(name) == "" || name != strings.TrimSpace(name):
			fields[at] = "必填，前后不能有空格 / required, without surrounding spaces"
		case depts[name]:
			fields[at] = fmt.Sprintf("%q 重复 / duplicate department", name)
		}
		depts[d.NameZH] = true
	}
	for i, o := range c.Offices {
		for _, id := range o.Industries {
			if !seen[id] {
				fields[fmt.Sprintf("offices[%d].industries", i)] = fmt.Sprintf("未知产业 %q / unknown industry", id)
			}
		}
	}
	return Invalid("产业目录有误 / invalid catalog", fields)
}

// District returns the district with the given code.
func (c *Catalog) District(code string) (District, bool) {
	for _, d := range c.Districts {
		if d.Code == code {
			return d, true
		}
	}
	return District{}, false
}

// Industry returns the industry with the given id, or nil.
func (c *Catalog) Industry(id string) *Industry {
	for _, ind := range c.Industries {
		if ind.ID == id {
			return ind
		}
	}
	return nil
}

// IndustriesForClass returns the ids of the industries that list the given
// GB/T 4754 class, in catalog order. A class may belong to several.
func (c *Catalog) IndustriesForClass(class string) []string {
	var ids []string
	for _, ind := range c.Industries {
		for _, cl := range ind.Classes {
			if cl == class {
				ids = append(ids, ind.ID)
				break
			}
		}
	}
	return ids
}

// ClassIndex maps each class to its industries, for bulk work where calling
// IndustriesForClass per row would be quadratic.
func (c *Catalog) ClassIndex() map[string][]string {
	idx := map[string][]string{}
	for _, ind := range c.Industries {
		for _, cl := range ind.Classes {
			idx[cl] = append(idx[cl], ind.ID)
		}
	}
	return idx
}

// IndustryFilter selects industries; nil fields match all.
type IndustryFilter struct {
	Kind  *IndustryKind
	Group *string
}

// CatalogService reads and changes the catalog.
type CatalogService interface {
	// FindCatalog returns the whole catalog with responsibilities.
	FindCatalog(ctx context.Context) (*Catalog, error)
	// FindIndustries returns industries in catalog order.
	FindIndustries(ctx context.Context, filter IndustryFilter) ([]*Industry, error)
	// FindIndustryByID returns ENOTFOUND for an unknown id.
	FindIndustryByID(ctx context.Context, id string) (*Industry, error)
	// UpdateResponsibility returns ENOTFOUND, or EINVALID naming the field
	// and the value when a name changed to is not an active entry of its
	// list (OrgUnitService).
	UpdateResponsibility(ctx context.Context, id string, upd ResponsibilityUpdate) (*Industry, error)
	// ImportCatalog replaces the catalog, keeping the responsibilities and
	// indicators of industries whose ids remain. EINVALID on a bad catalog.
	ImportCatalog(ctx context.Context, c *Catalog) error
	// FindIndicators returns indicator values ordered by industry, metric, period.
	FindIndicators(ctx context.Context, filter IndicatorFilter) ([]*Indicator, error)
	// UpsertIndicators writes values keyed by industry, metric and period,
	// all or nothing. EINVALID names the index of a bad value; ENOTFOUND an
	// unknown industry.
	UpsertIndicators(ctx context.Context, values []*Indicator) error
}
