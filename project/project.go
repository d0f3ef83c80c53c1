// Package project holds the city's key projects (重点项目): the projects with
// their owners, stages and yearly plans, the nodes each kind of project goes
// through, the owners' monthly reports, the warnings (red, yellow, green)
// computed from configurable CEL rules, and the status of each industry
// against its target. It imports neither database/sql nor net/http.
package project

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/uscc"
)

// Kind is what sort of project it is; it decides the node template.
type Kind string

// The kinds of project.
const (
	KindIndustrial      Kind = "industrial"       // 产业项目: a factory, a production line
	KindInfrastructure  Kind = "infrastructure"   // 基础设施: roads, rail, utilities
	KindDigitalRetrofit Kind = "digital_retrofit" // 数字化改造: an existing plant's digital retrofit
	KindRnD             Kind = "rnd_platform"     // 研发平台: labs, innovation centres
	KindServices        Kind = "services"         // 现代服务业: offices, logistics, commerce
)

// Kinds lists every kind with its names, in display order.
var Kinds = []struct {
	Kind           Kind
	NameZH, NameEN string
}{
	{KindIndustrial, "产业项目", "industrial"},
	{KindInfrastructure, "基础设施", "infrastructure"},
	{KindDigitalRetrofit, "数字化改造", "digital retrofit"},
	{KindRnD, "研发平台", "R&D platform"},
	{KindServices, "现代服务业", "modern services"},
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, _, ok := k.names(); return ok }

// NameZH returns the Chinese name of the kind.
func (k Kind) NameZH() string { zh, _, _ := k.names(); return zh }

// NameEN returns the English name of the kind.
func (k Kind) NameEN() string { _, en, _ := k.names(); return en }

func (k Kind) names() (string, string, bool) {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.NameZH, x.NameEN, true
		}
	}
	return string(k), string(k), false
}

// Stage is how far a project has come. Stages are ordered: compare them
// with Ordinal.
type Stage string

// The stages, in order.
const (
	StagePlanning   Stage = "planning"    // 谋划
	StageSigned     Stage = "signed"      // 签约
	StageLand       Stage = "land"        // 供地
	StageStarted    Stage = "started"     // 开工
	StageBuilding   Stage = "building"    // 在建
	StageCompleted  Stage = "completed"   // 竣工
	StageOperating  Stage = "operating"   // 投产
	StageFullOutput Stage = "full_output" // 达产
)

// Stages lists every stage in order with its names.
var Stages = []struct {
	Stage          Stage
	NameZH, NameEN string
}{
	{StagePlanning, "谋划", "planning"},
	{StageSigned, "签约", "signed"},
	{StageLand, "供地", "land supplied"},
	{StageStarted, "开工", "started"},
	{StageBuilding, "在建", "under construction"},
	{StageCompleted, "竣工", "completed"},
	{StageOperating, "投产", "operating"},
	{StageFullOutput, "达产", "full output"},
}

// Ordinal returns the stage's position (planning is 0), or -1 for an
// unknown stage.
func (s Stage) Ordinal() int {
	for i, x := range Stages {
		if x.Stage == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return s.Ordinal() >= 0 }

// NameZH returns the Chinese name of the stage.
func (s Stage) NameZH() string {
	if i := s.Ordinal(); i >= 0 {
		return Stages[i].NameZH
	}
	return string(s)
}

// NameEN returns the English name of the stage.
func (s Stage) NameEN() string {
	if i := s.Ordinal(); i >= 0 {
		return Stages[i].NameEN
	}
	return string(s)
}

// ParseStage accepts a stage's id or its Chinese or English name, as
// spreadsheets write them.
func ParseStage(s string) (Stage, bool) {
	s = strings.TrimSpace(s)
	for _, x := range Stages {
		if string(x.Stage) == s || x.NameZH == s || strings.EqualFold(x.NameEN, s) {
			return x.Stage, true
		}
	}
	return "", false
}

// ParseKind accepts a kind's id or its Chinese or English name.
func ParseKind(s string) (Kind, bool) {
	s = strings.TrimSpace(s)
	for _, x := range Kinds {
		if string(x.Kind) == s || x.NameZH == s || strings.EqualFold(x.NameEN, s) {
			return x.Kind, true
		}
	}
	return "", false
}

// YearPlan is the investment planned for one calendar year.
type YearPlan struct {
	Year       int        `json:"year"`
	PlannedFen chanye.Fen `json:"planned_fen"`
}

// Project is one key project (重点项目). ID is the list's project number,
// stable across imports. Department and CityLeader are set only where they
// differ from the industry's responsibility; EffectiveOwners fills them in.
type Project struct {
	ID                 string      `json:"id"`
	Name               string      `json:"name"`
	OwnerCode          string      `json:"owner_code"` // credit code of the owner enterprise (项目业主)
	IndustryID         string      `json:"industry_id"`
	DistrictCode       string      `json:"district_code"`
	Kind               Kind        `json:"kind"`
	TotalInvestmentFen chanye.Fen  `json:"total_investment_fen"`
	YearlyPlan         []YearPlan  `json:"yearly_plan"`
	PlannedStart       chanye.Date `json:"planned_start"`
	PlannedCompletion  chanye.Date `json:"planned_completion"`
	Stage              Stage       `json:"stage"`
	Department         string      `json:"department,omitempty"`
	CityLeader         string      `json:"city_leader,omitempty"`
	// The figures policies read as declared inputs (policy.ProjectInputs):
	// the equipment and the plant construction investment and the day the
	// project was finished (竣工). Nil is unknown, never 0.
	EquipmentInvestmentFen *chanye.Fen  `json:"equipment_investment_fen,omitempty"`
	PlantInvestmentFen     *chanye.Fen  `json:"plant_investment_fen,omitempty"`
	FinishedOn             *chanye.Date `json:"finished_on,omitempty"`
	CreatedAt              time.Time    `json:"created_at,omitzero"`
	UpdatedAt              time.Time    `json:"updated_at,omitzero"`

	// Demo marks a project `chanye demo` generated: pages showing it say
	// 演示数据.
	Demo bool `json:"demo,omitempty"`

	// Colour is computed, never stored: the worst warning as of the day a
	// Find call names (today by default), green without any.
	Colour Colour `json:"colour,omitempty"`
}

// IDPattern is what a project number looks like: letters, digits and
// dashes, such as GZ2025-0001.
var IDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,39}$`)

// Validate checks the project's own fields, the amounts against
// chanye.MaxProjectFen; the store checks that the industry and district
// exist.
func (p *Project) Validate() error {
	f := map[string]string{}
	p.ID = strings.TrimSpace(p.ID)
	p.Name = strings.TrimSpace(p.Name)
	p.OwnerCode = strings.ToUpper(strings.TrimSpace(p.OwnerCode))
	p.Department = strings.TrimSpace(p.Department)
	p.CityLeader = strings.TrimSpace(p.CityLeader)
	if !IDPattern.MatchString(p.ID) {
		f["id"] = "须为 1–40 位字母、数字或连字符 / 1–40 letters, digits or dashes"
	}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 200 {
		f["name"] = "须为 1–200 个字符 / 1–200 characters"
	}
	if err := uscc.Validate(p.OwnerCode); err != nil {
		f["owner_code"] = "统一社会信用代码无效 / invalid credit code"
	}
	if p.IndustryID == "" {
		f["industry_id"] = "必填 / required"
	}
	if p.DistrictCode == "" {
		f["district_code"] = "必填 / required"
	}
	if !p.Kind.Valid() {
		f["kind"] = fmt.Sprintf("未知类型 %q / unknown kind", p.Kind)
	}
	if !p.Stage.Valid() {
		f["stage"] = fmt.Sprintf("未知阶段 %q / unknown stage", p.Stage)
	}
	if p.TotalInvestmentFen <= 0 {
		f["total_investment_fen"] = "须大于 0 / must be positive"
	} else if p.TotalInvestmentFen > chanye.MaxProjectFen {
		f["total_investment_fen"] = chanye.ExceedsFen(chanye.MaxProjectFen)
	}
	if p.PlannedStart.IsZero() {
		f["planned_start"] = "必填 / required"
	}
	if p.PlannedCompletion.IsZero() {
		f["planned_completion"] = "必填 / required"
	} else if !p.PlannedStart.IsZero() && !p.PlannedCompletion.After(p.PlannedStart.Time) {
		f["planned_completion"] = "须晚于计划开工 / must be after the planned start"
	}
	var sum chanye.FenSum
	seen := map[int]bool{}
	for i, y := range p.YearlyPlan {
		k := fmt.Sprintf("yearly_plan[%d]", i)
		switch {
		case y.Year < 1990 || y.Year > 2100:
			f[k] = "年份无效 / invalid year"
		case seen[y.Year]:
			f[k] = "年份重复 / duplicate year"
		case y.PlannedFen < 0:
			f[k] = "计划投资不能为负 / planned investment cannot be negative"
		case y.PlannedFen > chanye.MaxProjectFen:
			f[k] = chanye.ExceedsFen(chanye.MaxProjectFen)
		}
		seen[y.Year] = true
		sum.Add(y.PlannedFen)
	}
	if (sum.Overflowed() || sum.Value() > p.TotalInvestmentFen) && p.TotalInvestmentFen > 0 {
		f["yearly_plan"] = "年度计划合计超过总投资 / the yearly plans exceed the total investment"
	}
	for k, v := range map[string]*chanye.Fen{"equipment_investment_fen": p.EquipmentInvestmentFen, "plant_investment_fen": p.PlantInvestmentFen} {
		switch {
		case v == nil:
		case *v < 0:
			f[k] = "不能为负 / cannot be negative"
		case *v > p.TotalInvestmentFen && p.TotalInvestmentFen > 0:
			f[k] = "不能超过总投资 / cannot exceed the total investment"
		}
	}
	if p.EquipmentInvestmentFen != nil && p.PlantInvestmentFen != nil && p.TotalInvestmentFen > 0 &&
		*p.EquipmentInvestmentFen > p.TotalInvestmentFen-*p.PlantInvestmentFen {
		f["plant_investment_fen"] = "设备与厂房投资合计超过总投资 / equipment and plant investment exceed the total investment"
	}
	if p.FinishedOn != nil && (p.FinishedOn.IsZero() || !p.PlannedStart.IsZero() && p.FinishedOn.Before(p.PlannedStart.Time)) {
		f["finished_on"] = "竣工日期须不早于计划开工 / the completion date must not be before the planned start"
	}
	for k, v := range map[string]string{"department": p.Department, "city_leader": p.CityLeader} {
		if utf8.RuneCountInString(v) > 100 {
			f[k] = "不超过 100 个字符 / at most 100 characters"
		}
	}
	return chanye.Invalid("项目信息有误 / invalid project", f)
}

// Owners are who answers for a project: the owner enterprise, the
// responsible department and the city leader.
type Owners struct {
	OwnerCode  string `json:"owner_code"`
	Department string `json:"department"`
	CityLeader string `json:"city_leader"`
}

// EffectiveOwners returns the project's owners, taking the department and
// the city leader from the industry's responsibility (lead department, city
// leader) unless the project sets its own. ind may be nil.
func (p *Project) EffectiveOwners(ind *chanye.Industry) Owners {
	o := Owners{OwnerCode: p.OwnerCode, Department: p.Department, CityLeader: p.CityLeader}
	if ind != nil {
		if o.Department == "" {
			o.Department = ind.Responsibility.LeadDepartment
		}
		if o.CityLeader == "" {
			o.CityLeader = ind.Responsibility.CityLeader
		}
	}
	return o
}

// ProjectUpdate holds the fields of a project to change; nil means "leave
// as is". The ID, owner and creation time never change.
type ProjectUpdate struct {
	Name               *string      `json:"name"`
	IndustryID         *string      `json:"industry_id"`
	DistrictCode       *string      `json:"district_code"`
	Kind               *Kind        `json:"kind"`
	TotalInvestmentFen *chanye.Fen  `json:"total_investment_fen"`
	YearlyPlan         *[]YearPlan  `json:"yearly_plan"`
	PlannedStart       *chanye.Date `json:"planned_start"`
	PlannedCompletion  *chanye.Date `json:"planned_completion"`
	Stage              *Stage       `json:"stage"`
	Department         *string      `json:"department"`
	CityLeader         *string      `json:"city_leader"`
	// The declared inputs' figures; ClearInputs unsets all three first.
	EquipmentInvestmentFen *chanye.Fen  `json:"equipment_investment_fen"`
	PlantInvestmentFen     *chanye.Fen  `json:"plant_investment_fen"`
	FinishedOn             *chanye.Date `json:"finished_on"`
	ClearInputs            bool         `json:"clear_inputs,omitempty"`
}

// Apply returns a copy of p with the given fields of u set; call Validate
// on the result.
func (u ProjectUpdate) Apply(p Project) Project {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, u.Name)
	set(&p.IndustryID, u.IndustryID)
	set(&p.DistrictCode, u.DistrictCode)
	set(&p.Department, u.Department)
	set(&p.CityLeader, u.CityLeader)
	if u.Kind != nil {
		p.Kind = *u.Kind
	}
	if u.TotalInvestmentFen != nil {
		p.TotalInvestmentFen = *u.TotalInvestmentFen
	}
	if u.YearlyPlan != nil {
		p.YearlyPlan = append([]YearPlan(nil), (*u.YearlyPlan)...)
	}
	if u.PlannedStart != nil {
		p.PlannedStart = *u.PlannedStart
	}
	if u.PlannedCompletion != nil {
		p.PlannedCompletion = *u.PlannedCompletion
	}
	if u.Stage != nil {
		p.Stage = *u.Stage
	}
	if u.ClearInputs {
		p.EquipmentInvestmentFen, p.PlantInvestmentFen, p.FinishedOn = nil, nil, nil
	}
	if u.EquipmentInvestmentFen != nil {
		v := *u.EquipmentInvestmentFen
		p.EquipmentInvestmentFen = &v
	}
	if u.PlantInvestmentFen != nil {
		v := *u.PlantInvestmentFen
		p.PlantInvestmentFen = &v
	}
	if u.FinishedOn != nil {
		v := *u.FinishedOn
		p.FinishedOn = &v
	}
	return p
}

// Evidence backs a node's actual date: a note, a link, the name of a file.
type Evidence struct {
	Note string `json:"note,omitempty"`
	Link string `json:"link,omitempty"`
	File string `json:"file,omitempty"` // the file's name; the file itself is kept elsewhere
}

// Node is one step of a project (立项, 施工许可, 开工 …) with the
// department that owns it, its deadline and, once done, its actual date.
type Node struct {
	ProjectID       string      `json:"project_id"`
	Seq             int         `json:"seq"` // 1, 2, … in template order
	Name            string      `json:"name"`
	OwnerDepartment string      `json:"owner_department"`
	PlannedDate     chanye.Date `json:"planned_date"`
	ActualDate      chanye.Date `json:"actual_date"` // zero until done
	Evidence        Evidence    `json:"evidence"`
}

// Overdue reports whether the node's deadline has passed on asOf without
// its being done.
func (n *Node) Overdue(asOf chanye.Date) bool {
	return n.ActualDate.IsZero() && n.PlannedDate.Before(asOf.Time)
}

// Validate checks the node.
func (n *Node) Validate() error {
	f := map[string]string{}
	n.Name = strings.TrimSpace(n.Name)
	if n.Seq < 1 {
		f["seq"] = "须为正整数 / must be positive"
	}
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 100 {
		f["name"] = "须为 1–100 个字符 / 1–100 characters"
	}
	if n.PlannedDate.IsZero() {
		f["planned_date"] = "必填 / required"
	}
	if utf8.RuneCountInString(n.Evidence.Note) > 2000 {
		f["evidence.note"] = "不超过 2000 个字符 / at most 2000 characters"
	}
	if l := n.Evidence.Link; l != "" && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") {
		f["evidence.link"] = "须为 http(s) 链接 / must be an http(s) link"
	}
	if strings.ContainsAny(n.Evidence.File, `/\`) || utf8.RuneCountInString(n.Evidence.File) > 200 {
		f["evidence.file"] = "须为文件名，不含路径 / a file name without a path"
	}
	return chanye.Invalid("节点信息有误 / invalid node", f)
}

// NodeUpdate is what the owner of a node reports: the actual date and the
// evidence. A nil ActualDate leaves it; a zero one clears it.
type NodeUpdate struct {
	ActualDate *chanye.Date `json:"actual_date"`
	Evidence   *Evidence    `json:"evidence"`
}

// Report is an owner's monthly report (月报) on one project. Month is
// YYYY-MM; there is one report per project and month.
type Report struct {
	ProjectID     string     `json:"project_id"`
	Month         string     `json:"month"`
	InvestedFen   chanye.Fen `json:"invested_fen"`   // invested during the month
	CumulativeFen chanye.Fen `json:"cumulative_fen"` // invested since the start, this month included
	ProgressPct   float64    `json:"progress_pct"`   // physical progress, 0–100
	Problems      string     `json:"problems,omitempty"`
	ReportedBy    string     `json:"reported_by"`
	ReportedAt    time.Time  `json:"reported_at,omitzero"`
}

var monthRE = regexp.MustCompile(`^(19|20|21)\d\d-(0[1-9]|1[0-2])$`)

// Validate checks the report, its amounts against chanye.MaxProjectFen.
func (r *Report) Validate() error {
	f := map[string]string{}
	r.Month = strings.TrimSpace(r.Month)
	if !monthRE.MatchString(r.Month) {
		f["month"] = "须为 YYYY-MM / must be YYYY-MM"
	}
	if r.InvestedFen < 0 {
		f["invested_fen"] = "不能为负 / cannot be negative"
	} else if r.InvestedFen > chanye.MaxProjectFen {
		f["invested_fen"] = chanye.ExceedsFen(chanye.MaxProjectFen)
	}
	if r.CumulativeFen > chanye.MaxProjectFen {
		f["cumulative_fen"] = chanye.ExceedsFen(chanye.MaxProjectFen)
	} else if r.CumulativeFen < r.InvestedFen {
		f["cumulative_fen"] = "累计不能小于当月 / cumulative cannot be less than the month's"
	}
	if r.ProgressPct < 0 || r.ProgressPct > 100 || r.ProgressPct != r.ProgressPct {
		f["progress_pct"] = "须在 0–100 之间 / must be 0–100"
	}
	if utf8.RuneCountInString(r.Problems) > 4000 {
		f["problems"] = "不超过 4000 个字符 / at most 4000 characters"
	}
	return chanye.Invalid("月报有误 / invalid report", f)
}

// CheckChain checks r against its project and the reports around it: the
// cumulative never exceeds the project's total investment; it is the
// previous report's cumulative plus this month's investment when prev is
// the month before (at least that after a gap: the missing months invested
// too), and the next report's cumulative is this one's plus its month's in
// the same way. prev and next are the stored reports nearest before and
// after r's month, or nil. Field errors name the figures.
func (r *Report) CheckChain(p *Project, prev, next *Report) error {
	f := map[string]string{}
	if p.TotalInvestmentFen > 0 && r.CumulativeFen > p.TotalInvestmentFen {
		f["cumulative_fen"] = fmt.Sprintf("累计完成投资 %s 元超过项目总投资 %s 元 / the cumulative ¥%s exceeds the project's total investment ¥%s",
			r.CumulativeFen.Yuan(), p.TotalInvestmentFen.Yuan(), r.CumulativeFen.Yuan(), p.TotalInvestmentFen.Yuan())
	}
	// consecutive reports a then b: b's cumulative is a's plus b's month
	link := func(a, b *Report, field, whoZH, whoEN string) {
		want, err := chanye.AddFen(a.CumulativeFen, b.InvestedFen)
		if err != nil || f[field] != "" {
			return
		}
		switch {
		case nextMonth(a.Month) == b.Month && b.CumulativeFen != want:
			f[field] = fmt.Sprintf("%s累计 %s 元 ≠ %s 月累计 %s 元 + %s 月投资 %s 元 = %s 元 / %s cumulative ¥%s ≠ %s's cumulative ¥%s + %s's investment ¥%s = ¥%s",
				whoZH, b.CumulativeFen.Yuan(), a.Month, a.CumulativeFen.Yuan(), b.Month, b.InvestedFen.Yuan(), want.Yuan(),
				whoEN, b.CumulativeFen.Yuan(), a.Month, a.CumulativeFen.Yuan(), b.Month, b.InvestedFen.Yuan(), want.Yuan())
		case nextMonth(a.Month) != b.Month && b.CumulativeFen < want:
			f[field] = fmt.Sprintf("%s累计 %s 元小于 %s 月累计 %s 元 + %s 月投资 %s 元 = %s 元 / %s cumulative ¥%s is less than %s's cumulative ¥%s + %s's investment ¥%s = ¥%s",
				whoZH, b.CumulativeFen.Yuan(), a.Month, a.CumulativeFen.Yuan(), b.Month, b.InvestedFen.Yuan(), want.Yuan(),
				whoEN, b.CumulativeFen.Yuan(), a.Month, a.CumulativeFen.Yuan(), b.Month, b.InvestedFen.Yuan(), want.Yuan())
		}
	}
	if prev != nil {
		link(prev, r, "cumulative_fen", "本月", "this month's")
	}
	if next != nil {
		link(r, next, "cumulative_fen", next.Month+" 月月报的", "the "+next.Month+" report's")
	}
	return chanye.Invalid(fmt.Sprintf("%s 月报与项目或前后月报不符 / the %s report does not agree with the project or the reports around it", r.Month, r.Month), f)
}

// nextMonth returns the month after m (YYYY-MM).
func nextMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// ProjectFilter selects projects; nil fields match all. Leader matches the
// effective city leader and Department the effective department (the
// project's own, else its industry's). Colour compares with the colour as
// of AsOf (today when zero).
type ProjectFilter struct {
	IndustryID   *string
	DistrictCode *string
	Stage        *Stage
	Kind         *Kind
	Colour       *Colour
	OwnerCode    *string
	Department   *string
	CityLeader   *string
	TaskForce    *string  // the task force of the project's industry
	IDs          []string // when not nil, only these projects
	AsOf         chanye.Date
	Offset       int
	Limit        int // 0 means the default page of 50; at most 1000
}

// ReportFilter selects monthly reports; nil fields match all.
type ReportFilter struct {
	ProjectID *string
	OwnerCode *string // only reports on this enterprise's projects
	From, To  *string // months YYYY-MM, inclusive
	Offset    int
	Limit     int // 0 means the default page of 50; at most 10000
}

// Batch is what the demo and imports write in one transaction: projects
// (created or replaced by ID), their nodes (each project's given nodes
// replace its stored ones) and reports (upserted by project and month).
type Batch struct {
	Projects []*Project
	Nodes    []*Node
	Reports  []*Report
}

// ErrNotFound is the answer for a project that does not exist, and for one
// an enterprise may not see: the two must not be told apart.
var ErrNotFound = chanye.NewError(chanye.ENOTFOUND, "项目不存在 / project not found", nil)

// Service reads and changes key projects. Errors: ENOTFOUND for an unknown
// project (and, through authz, for a project an enterprise does not own),
// EINVALID with Fields for bad input, ECONFLICT for a duplicate, EFORBIDDEN
// or EUNAUTHORIZED from authz.
type Service interface {
	// CreateProject stores a new project and its nodes from the kind's
	// template (NodesFor). EINVALID (also for an unknown industry or
	// district), ECONFLICT when the ID exists.
	CreateProject(ctx context.Context, p *Project) error
	// UpdateProject changes a project and returns it. ENOTFOUND, EINVALID.
	UpdateProject(ctx context.Context, id string, upd ProjectUpdate) (*Project, error)
	// FindProjectByID returns the project with its colour as of today.
	// ENOTFOUND.
	FindProjectByID(ctx context.Context, id string) (*Project, error)
	// FindProjects returns a page of projects ordered by ID, each with its
	// colour as of filter.AsOf, and the total. EINVALID for a bad filter.
	FindProjects(ctx context.Context, filter ProjectFilter) ([]*Project, int, error)
	// PutNode records a node's actual date and evidence and returns it.
	// ENOTFOUND for an unknown project or seq, EINVALID.
	PutNode(ctx context.Context, projectID string, seq int, upd NodeUpdate) (*Node, error)
	// FindNodes returns a project's nodes in order. ENOTFOUND.
	FindNodes(ctx context.Context, projectID string) ([]*Node, error)
	// FindOverdueNodes returns the nodes past their planned date and not
	// done as of today, the longest overdue first, with their total:
	// filter.Department selects the nodes of the projects that department
	// answers for (EffectiveOwners, as the scorecards count them),
	// filter.IndustryID those of the industry's projects, filter.OwnerCode
	// those of the enterprise's projects; Offset and Limit page them.
	FindOverdueNodes(ctx context.Context, filter ProjectFilter) ([]*Node, int, error)
	// PutReport creates or replaces the report of r.ProjectID for r.Month;
	// ReportedBy and ReportedAt are set from the actor and the clock.
	// ENOTFOUND, EINVALID.
	PutReport(ctx context.Context, r *Report) error
	// FindReports returns reports ordered by project and month, and the total.
	FindReports(ctx context.Context, filter ReportFilter) ([]*Report, int, error)
	// FindWarnings evaluates the warning rules on the projects the filter
	// selects (its Colour, Offset and Limit ignored) as of filter.AsOf
	// (today when zero), ordered by project and rule. EINVALID.
	FindWarnings(ctx context.Context, filter ProjectFilter) ([]Warning, error)
	// FindBoard reads every project the filter selects (its Colour, Offset
	// and Limit ignored) with its nodes and evaluates the warning rules
	// once, as of filter.AsOf (today when zero): the batch form of
	// FindProjects, FindNodes and FindWarnings, with the same answers.
	FindBoard(ctx context.Context, filter ProjectFilter) (*Board, error)
	// FindWarningRules returns the warning rules in order: the defaults
	// (DefaultRules) until one is saved.
	FindWarningRules(ctx context.Context) ([]*Rule, error)
	// SaveWarningRule creates or replaces a rule by ID after compiling it:
	// EINVALID names the expression's line:column.
	SaveWarningRule(ctx context.Context, r *Rule) error
	// DeleteWarningRule removes a rule. ENOTFOUND.
	DeleteWarningRule(ctx context.Context, id string) error
	// WriteBatch writes a batch all or nothing. EINVALID names the part at
	// fault as projects[i].field, nodes[i].field or reports[i].field.
	WriteBatch(ctx context.Context, b *Batch) error
}
