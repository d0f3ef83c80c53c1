package chanye

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// OrgKind names one of the managed lists that responsibilities choose
// from: the city leaders, the departments and the task forces.
type OrgKind string

// The managed lists. The values are those of the scorecard kinds.
const (
	OrgLeader     OrgKind = "leader"     // 市领导, city leaders
	OrgDepartment OrgKind = "department" // 市直部门, the departments that lead industries, issue policies and hold accounts
	OrgTaskForce  OrgKind = "task_force" // 工作专班, task forces
)

// OrgKinds lists the kinds in display order.
var OrgKinds = []OrgKind{OrgLeader, OrgDepartment, OrgTaskForce}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { return k == OrgLeader || k == OrgDepartment || k == OrgTaskForce }

// NameZH and NameEN name the list of k.
func (k OrgKind) NameZH() string {
	switch k {
	case OrgLeader:
		return "市领导"
	case OrgDepartment:
		return "部门"
	case OrgTaskForce:
		return "工作专班"
	}
	return string(k)
}

// NameEN names the list of k in English.
func (k OrgKind) NameEN() string {
	switch k {
	case OrgLeader:
		return "city leader"
	case OrgDepartment:
		return "department"
	case OrgTaskForce:
		return "task force"
	}
	return string(k)
}

// ParseOrgKind returns the kind named s, or EINVALID naming field.
func ParseOrgKind(field, s string) (OrgKind, error) {
	if k := OrgKind(s); k.Valid() {
		return k, nil
	}
	return "", Invalid(fmt.Sprintf("未知名单 %q / unknown list %q", s, s),
		map[string]string{field: "须为 leader、department 或 task_force / must be leader, department or task_force"})
}

// OrgUnit is one name on a managed list. NameZH is its identity: the
// responsibilities of industries, the accounts of departments, projects
// and policies carry it as text, so a rename is carried to them by the
// store (see OrgUnitService.UpdateOrgUnit).
//
// Position is the order of the list, and that order is the one used
// everywhere a list is shown: the filters, the scorecards, the pages.
// This is how Chinese names such as 市领导甲、乙、丙、丁 are ordered: by the
// administrators, who know the protocol order, not by code point (which
// puts 丁 before 甲) nor by pinyin (which knows nothing of rank).
type OrgUnit struct {
	ID        int64     `json:"id"`
	Kind      OrgKind   `json:"kind"`
	NameZH    string    `json:"name_zh"`
	NameEN    string    `json:"name_en"`
	Position  int       `json:"position"` // 1-based within its kind
	Retired   bool      `json:"retired"`  // kept for the record, never newly chosen
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// maxOrgName bounds a name, as responsibilities are bounded.
const maxOrgName = 100

// checkOrgName returns what is wrong with a name, or "".
func checkOrgName(s string, required bool) string {
	switch {
	case s == "" && required:
		return "必填 / required"
	case utf8.RuneCountInString(s) > maxOrgName:
		return fmt.Sprintf("不超过 %d 个字符 / at most %d characters", maxOrgName, maxOrgName)
	case strings.ContainsFunc(s, unicode.IsControl) || !utf8.ValidString(s):
		return "不能含控制字符 / must not contain control characters"
	}
	return ""
}

// Validate trims the names and checks the kind and the names.
func (u *OrgUnit) Validate() error {
	u.NameZH, u.NameEN = strings.TrimSpace(u.NameZH), strings.TrimSpace(u.NameEN)
	fields := map[string]string{}
	if !u.Kind.Valid() {
		fields["kind"] = "须为 leader、department 或 task_force / must be leader, department or task_force"
	}
	if m := checkOrgName(u.NameZH, true); m != "" {
		fields["name_zh"] = m
	}
	if m := checkOrgName(u.NameEN, false); m != "" {
		fields["name_en"] = m
	}
	return Invalid("名单项有误 / invalid list entry", fields)
}

// OrgUnitFilter selects list entries; nil fields match all.
type OrgUnitFilter struct {
	Kind    *OrgKind
	Retired *bool
}

// OrgUnitUpdate holds the changes to an entry; nil means "leave as is".
// Position moves the entry to that place (1-based) in its list, the others
// closing up behind it.
type OrgUnitUpdate struct {
	NameZH   *string `json:"name_zh"`
	NameEN   *string `json:"name_en"`
	Position *int    `json:"position"`
	Retired  *bool   `json:"retired"`
}

// Validate trims the names and checks them and the position.
func (upd *OrgUnitUpdate) Validate() error {
	fields := map[string]string{}
	for name, p := range map[string]**string{"name_zh": &upd.NameZH, "name_en": &upd.NameEN} {
		if *p == nil {
			continue
		}
		v := strings.TrimSpace(**p)
		*p = &v
		if m := checkOrgName(v, name == "name_zh"); m != "" {
			fields[name] = m
		}
	}
	if upd.Position != nil && *upd.Position < 1 {
		fields["position"] = "须为正整数 / must be a positive whole number"
	}
	return Invalid("名单项有误 / invalid list entry", fields)
}

// OrgUse says where a name is used: what kind of record and how many, with
// a few of their keys to look at.
type OrgUse struct {
	What  string   `json:"what"` // industries, users, projects, project_nodes, policies
	Count int      `json:"count"`
	Keys  []string `json:"keys"` // at most a few
}

// OrgUnitService keeps the managed lists. Writes are the administrators'.
type OrgUnitService interface {
	// FindOrgUnits returns the entries of the filter by kind (OrgKinds
	// order), then position.
	FindOrgUnits(ctx context.Context, filter OrgUnitFilter) ([]*OrgUnit, error)
	// CreateOrgUnit appends u to the end of its list, setting its id and
	// position. EINVALID; ECONFLICT when the list holds the name already.
	CreateOrgUnit(ctx context.Context, u *OrgUnit) error
	// UpdateOrgUnit renames, moves, retires or restores an entry. A rename
	// is carried to every record that names the entry; a department named
	// by a policy version is not renamed (ECONFLICT: policy documents are
	// published texts, not rewritten). Retiring a name still in use is
	// ECONFLICT saying where it is used. ENOTFOUND, EINVALID, ECONFLICT
	// when the new name is taken.
	UpdateOrgUnit(ctx context.Context, id int64, upd OrgUnitUpdate) (*OrgUnit, error)
	// FindOrgUnitUses returns where the entry's name is used. ENOTFOUND.
	FindOrgUnitUses(ctx context.Context, id int64) ([]OrgUse, error)
}

// OrgLists are the entries of the managed lists, as FindOrgUnits returns
// them, with the look-ups the pages and the scorecards need.
type OrgLists []*OrgUnit

// Active returns the entries of kind k that may be chosen, in order.
func (l OrgLists) Active(k OrgKind) []*OrgUnit {
	var out []*OrgUnit
	for _, u := range l {
		if u.Kind == k && !u.Retired {
			out = append(out, u)
		}
	}
	return out
}

// Rank returns each name of kind k with its place in the list (retired
// ones included, behind nobody: their position is kept), for sorting.
func (l OrgLists) Rank(k OrgKind) map[string]int {
	out := map[string]int{}
	for _, u := range l {
		if u.Kind == k {
			out[u.NameZH] = u.Position
		}
	}
	return out
}

// Find returns the entry of kind k named name, or nil.
func (l OrgLists) Find(k OrgKind, name string) *OrgUnit {
	for _, u := range l {
		if u.Kind == k && u.NameZH == name {
			return u
		}
	}
	return nil
}

// CheckChoice returns what is wrong with choosing name from list k, or ""
// when it is an active entry. The message names the value and the list.
func (l OrgLists) CheckChoice(k OrgKind, name string) string {
	u := l.Find(k, name)
	switch {
	case u == nil:
		return fmt.Sprintf("%q 不在%s名单中，请从名单中选择 / %q is not on the list of %ss: choose one from it", name, k.NameZH(), name, k.NameEN())
	case u.Retired:
		return fmt.Sprintf("%q 已停用，不能再选 / %q is retired and cannot be chosen", name, name)
	}
	return ""
}
