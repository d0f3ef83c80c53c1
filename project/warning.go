package project

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// Colour is a project's state on the warning board.
type Colour string

// The colours, from best to worst.
const (
	Green  Colour = "green"
	Yellow Colour = "yellow"
	Red    Colour = "red"
)

// Rank orders colours: green 0, yellow 1, red 2, anything else -1.
func (c Colour) Rank() int {
	switch c {
	case Green:
		return 0
	case Yellow:
		return 1
	case Red:
		return 2
	}
	return -1
}

// NameZH returns 绿 / 黄 / 红.
func (c Colour) NameZH() string {
	return map[Colour]string{Green: "绿", Yellow: "黄", Red: "红"}[c]
}

// OwnerHint says whom a warning is addressed to.
type OwnerHint string

// The owners a rule may name.
const (
	OwnerEnterprise OwnerHint = "owner"      // the owner enterprise (项目业主)
	OwnerDepartment OwnerHint = "department" // the responsible department
	OwnerLeader     OwnerHint = "leader"     // the city leader
)

// Rule is one warning rule: when Expr, a CEL expression over the project
// variables (Variables), is true, the project gets a warning of Colour.
// Rules of one Group describe one shortfall at two levels: in a group,
// was_red is true when the group's red rule fired at the end of the
// previous month, and a red warning hides the yellow one.
type Rule struct {
	ID       string    `json:"id"`
	Group    string    `json:"group"`
	Colour   Colour    `json:"colour"` // yellow or red
	LabelZH  string    `json:"label_zh"`
	LabelEN  string    `json:"label_en"`
	Expr     string    `json:"expr"`
	Owner    OwnerHint `json:"owner"`
	Position int       `json:"position"` // display order
}

var ruleIDRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Validate checks the rule's fields; Compile also checks its expression.
func (r *Rule) Validate() error {
	f := map[string]string{}
	if !ruleIDRE.MatchString(r.ID) {
		f["id"] = "须为 2–40 位小写字母、数字或下划线 / 2–40 lowercase letters, digits or underscores"
	}
	if r.Group == "" {
		r.Group = r.ID
	}
	if !ruleIDRE.MatchString(r.Group) {
		f["group"] = "须为 2–40 位小写字母、数字或下划线 / 2–40 lowercase letters, digits or underscores"
	}
	if r.Colour != Yellow && r.Colour != Red {
		f["colour"] = "须为 yellow 或 red / must be yellow or red"
	}
	for k, v := range map[string]string{"label_zh": r.LabelZH, "label_en": r.LabelEN} {
		if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > 200 {
			f[k] = "须为 1–200 个字符 / 1–200 characters"
		}
	}
	if strings.TrimSpace(r.Expr) == "" || len(r.Expr) > 4000 {
		f["expr"] = "须为 1–4000 字节 / 1–4000 bytes"
	}
	switch r.Owner {
	case OwnerEnterprise, OwnerDepartment, OwnerLeader:
	default:
		f["owner"] = "须为 owner、department 或 leader / must be owner, department or leader"
	}
	return chanye.Invalid("预警规则有误 / invalid warning rule", f)
}

// Warning is one rule firing on one project as of a day: the values the
// rule read, and whom it is addressed to.
type Warning struct {
	ProjectID string         `json:"project_id"`
	RuleID    string         `json:"rule_id"`
	Group     string         `json:"group"`
	Colour    Colour         `json:"colour"`
	AsOf      chanye.Date    `json:"as_of"`
	Values    map[string]any `json:"values"`
	MessageZH string         `json:"message_zh"`
	MessageEN string         `json:"message_en"`
	OwnerHint OwnerHint      `json:"owner_hint"`
	Owner     string         `json:"owner"` // the credit code, department or leader the hint names
	Owners    Owners         `json:"owners"`
	// Closed is set when the warning is closed (销号) as of AsOf: it is
	// still listed, and no longer colours the project.
	Closed *Closed `json:"closed,omitempty"`
}

// ProjectColour returns the worst colour among the open warnings of
// project id, green without any.
func ProjectColour(ws []Warning, id string) Colour {
	c := Green
	for _, w := range ws {
		if w.ProjectID == id && w.Closed == nil && w.Colour.Rank() > c.Rank() {
			c = w.Colour
		}
	}
	return c
}

// Colours returns the colour of every project of ws from its open
// warnings; projects without one are absent (green).
func Colours(ws []Warning) map[string]Colour {
	m := map[string]Colour{}
	for _, w := range ws {
		if w.Closed == nil && w.Colour.Rank() > m[w.ProjectID].Rank() {
			m[w.ProjectID] = w.Colour
		}
	}
	return m
}

// DefaultRules are the warning rules modelled on current practice:
// a start missed in its planned month is yellow, by three months red;
// progress 10–30 points behind plan yellow, more than 30 red, and a red
// stays red until the gap is back to 10 points or less; no monthly report
// for one month yellow, for two red (two missing among the last six months
// stay red until they are filed, even when a later month is).
func DefaultRules() []*Rule {
	return []*Rule{
		{ID: "start_late_yellow", Group: "start_late", Colour: Yellow, Owner: OwnerEnterprise, Position: 1,
			LabelZH: "未按计划月份开工", LabelEN: "start missed in its planned month",
			Expr: "!started && months_since_planned_start >= 1 && months_since_planned_start < 3"},
		{ID: "start_late_red", Group: "start_late", Colour: Red, Owner: OwnerDepartment, Position: 2,
			LabelZH: "开工滞后三个月及以上", LabelEN: "start three months or more late",
			Expr: "!started && months_since_planned_start >= 3"},
		{ID: "progress_behind_yellow", Group: "progress_behind", Colour: Yellow, Owner: OwnerEnterprise, Position: 3,
			LabelZH: "形象进度落后计划 10–30 个百分点", LabelEN: "progress 10–30 points behind plan",
			Expr: "started && progress_gap_pts >= 10.0 && progress_gap_pts <= 30.0"},
		{ID: "progress_behind_red", Group: "progress_behind", Colour: Red, Owner: OwnerDepartment, Position: 4,
			LabelZH: "形象进度落后计划超过 30 个百分点（补足差距前保持红色）", LabelEN: "progress more than 30 points behind plan (red until the gap is made up)",
			Expr: "started && (progress_gap_pts > 30.0 || (was_red && progress_gap_pts > 10.0))"},
		{ID: "report_missing_yellow", Group: "report_missing", Colour: Yellow, Owner: OwnerEnterprise, Position: 5,
			LabelZH: "一个月未报送月报", LabelEN: "no monthly report for one month",
			Expr: "reporting && months_without_report == 1"},
		{ID: "report_missing_red", Group: "report_missing", Colour: Red, Owner: OwnerDepartment, Position: 6,
			LabelZH: "两个月及以上未报送月报（近六个月内，补报前保持红色）", LabelEN: "no monthly report for two months or more (within the last six, red until filed)",
			Expr: "reporting && (months_without_report >= 2 || reports_missed_6m >= 2)"},
	}
}
