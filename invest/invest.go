// Package invest holds 招商 (investment attraction) of the chain-leader
// system: the targets an industry's task force keeps per chain link in the
// three lists of the 12218 system (firms to attract, technologies to
// transfer, local firms to expand), the rosters of outside firms imported
// from published lists, the candidates proposed for a weak or missing
// link, the leads that follow a target from a first clue to a landed
// project, and the funnel that counts them. It imports neither
// database/sql nor net/http.
package invest

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/gbt4754"
	"github.com/chanye-org/chanye/uscc"
)

// ListKind is which of an industry's three lists a target is on.
type ListKind string

// The lists, as the 12218 system keeps them.
const (
	ListAttract ListKind = "attract" // 招商: an outside firm to attract
	ListTech    ListKind = "tech"    // 科技转化: a technology to transfer
	ListExpand  ListKind = "expand"  // 增资扩产: a local registry firm to expand
)

// ListKinds lists the lists with their names, in display order.
var ListKinds = []struct {
	Kind           ListKind
	NameZH, NameEN string
}{
	{ListAttract, "招商", "attract"},
	{ListTech, "科技转化", "technology transfer"},
	{ListExpand, "增资扩产", "expansion"},
}

// Valid reports whether k is a known list.
func (k ListKind) Valid() bool { _, _, ok := k.names(); return ok }

// NameZH returns the list's Chinese name.
func (k ListKind) NameZH() string { zh, _, _ := k.names(); return zh }

// NameEN returns the list's English name.
func (k ListKind) NameEN() string { _, en, _ := k.names(); return en }

func (k ListKind) names() (string, string, bool) {
	for _, x := range ListKinds {
		if x.Kind == k {
			return x.NameZH, x.NameEN, true
		}
	}
	return string(k), string(k), false
}

// The bounds of what a user types, each checked by a Validate.
const (
	MaxNameRunes     = 200  // characters of a firm's or a technology's name
	MaxCityRunes     = 50   // characters of a city or a province
	MaxTextRunes     = 1000 // characters of what a target would bring, a roster firm's products
	MaxSourceRunes   = 200  // characters of a source (where a target or a roster came from)
	MaxNoteRunes     = 500  // characters of a note, a lost reason, a contact record
	MaxActionRunes   = 200  // characters of a lead's next action
	MaxOwnerRunes    = 100  // characters of a lead owner's name
	MaxRosterRows    = 100_000
	MaxPage          = 1000 // rows a Find call returns at most
	DefaultPage      = 50
	MaxCandidates    = 200 // candidates a gap query returns at most
	DefaultCandidate = 50
)

// Target is one entry of an industry's lists: an outside firm (credit code
// when known), a technology, or a registry firm to expand (code required).
// LinkID "" is the industry as a whole.
type Target struct {
	ID         int64     `json:"id"`
	IndustryID string    `json:"industry_id"`
	LinkID     string    `json:"link_id"`
	Kind       ListKind  `json:"kind"`
	Name       string    `json:"name"`
	Code       string    `json:"code"` // "": not known
	City       string    `json:"city"`
	Brings     string    `json:"brings"` // what it would bring: products, capacity, technology
	Source     string    `json:"source"` // where the target came from: a roster, a candidate, a visit
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	CreatedBy  string    `json:"created_by,omitempty"`
}

// text checks that v has min to max characters, under key.
func text(bad map[string]string, key, v string, min, max int) {
	if n := utf8.RuneCountInString(v); n < min || n > max {
		if min == 0 {
			bad[key] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", max, max)
		} else {
			bad[key] = fmt.Sprintf("须为 %d–%d 个字符 / must be %d–%d characters", min, max, min, max)
		}
	}
}

// Validate checks a target's own fields and trims its texts: a list, an
// industry, a name, a well-formed credit code when given (required on the
// expansion list), a source, texts within their bounds. The store checks
// that the industry and link exist and that an expansion target is a
// registry enterprise.
func (t *Target) Validate() error {
	bad := map[string]string{}
	t.IndustryID, t.LinkID = strings.TrimSpace(t.IndustryID), strings.TrimSpace(t.LinkID)
	t.Name, t.City, t.Brings = strings.TrimSpace(t.Name), strings.TrimSpace(t.City), strings.TrimSpace(t.Brings)
	t.Source, t.Note = strings.TrimSpace(t.Source), strings.TrimSpace(t.Note)
	t.Code = uscc.Normalize(t.Code)
	if !t.Kind.Valid() {
		bad["kind"] = fmt.Sprintf("%q 须为 attract、tech 或 expand / must be attract, tech or expand", t.Kind)
	}
	if t.IndustryID == "" {
		bad["industry_id"] = "必填 / required"
	}
	if t.LinkID != "" && !strings.HasPrefix(t.LinkID, t.IndustryID+".") {
		bad["link_id"] = "须为本产业链的环节 / must be a link of the industry's chain"
	}
	text(bad, "name", t.Name, 1, MaxNameRunes)
	switch {
	case t.Code != "":
		if err := uscc.Validate(t.Code); err != nil {
			bad["code"] = err.Error()
		}
	case t.Kind == ListExpand:
		bad["code"] = "增资扩产对象须为本地企业，须填统一社会信用代码 / an expansion target is a registry firm: give its credit code"
	}
	text(bad, "city", t.City, 0, MaxCityRunes)
	text(bad, "brings", t.Brings, 0, MaxTextRunes)
	text(bad, "source", t.Source, 1, MaxSourceRunes)
	text(bad, "note", t.Note, 0, MaxNoteRunes)
	return chanye.Invalid("招商对象有误 / invalid target", bad)
}

// TargetFilter selects targets; nil fields are not given.
type TargetFilter struct {
	IndustryID *string   `json:"industry_id"`
	LinkID     *string   `json:"link_id"`
	Kind       *ListKind `json:"kind"`
	Code       *string   `json:"code"`
	// Industries narrows the selection to these industries: what authz
	// sets for a scoped actor. Nil selects every industry.
	Industries []string `json:"-"`
	Offset     int      `json:"offset"`
	Limit      int      `json:"limit"` // DefaultPage when 0, at most MaxPage
}

// TargetService keeps the targets. Every write is audited.
type TargetService interface {
	// FindTargetByID returns a target. ENOTFOUND.
	FindTargetByID(ctx context.Context, id int64) (*Target, error)
	// FindTargets returns a page of targets ordered by industry, link, list
	// and id, and the total. EINVALID for bad paging.
	FindTargets(ctx context.Context, filter TargetFilter) ([]*Target, int, error)
	// CreateTarget stores a target; its ID, CreatedAt and CreatedBy are
	// set. EINVALID (also for an unknown industry or link, and an
	// expansion target not in the registry), ECONFLICT when the firm is
	// already on that list of the link.
	CreateTarget(ctx context.Context, t *Target) error
	// ImportTargets stores the rows as targets, all or none: EINVALID
	// naming rows[N].field (also for a firm twice on a list).
	ImportTargets(ctx context.Context, rows []*Target) (int, error)
	// DeleteTarget removes a target. ENOTFOUND, ECONFLICT when a lead
	// follows it.
	DeleteTarget(ctx context.Context, id int64) error
}

// RosterFirm is an outside firm on an imported roster, such as the
// national list of 专精特新 “小巨人”. Tier "" is not given.
type RosterFirm struct {
	ID       int64           `json:"id"`
	Source   string          `json:"source"`
	Name     string          `json:"name"`
	Code     string          `json:"code"` // "": not known
	City     string          `json:"city"`
	Province string          `json:"province"`
	Class    string          `json:"class"` // GB/T 4754-2017 class (小类)
	Products string          `json:"products"`
	Tier     chanye.TierKind `json:"tier"`
}

// Validate checks a roster firm and trims its texts: a name, a credit code
// when given, a city or province, a GB/T 4754 class, products and tier
// within bounds, a source.
func (f *RosterFirm) Validate() error {
	bad := map[string]string{}
	f.Name, f.City, f.Province = strings.TrimSpace(f.Name), strings.TrimSpace(f.City), strings.TrimSpace(f.Province)
	f.Products, f.Source, f.Class = strings.TrimSpace(f.Products), strings.TrimSpace(f.Source), strings.TrimSpace(f.Class)
	f.Code = uscc.Normalize(f.Code)
	text(bad, "name", f.Name, 1, MaxNameRunes)
	if f.Code != "" {
		if err := uscc.Validate(f.Code); err != nil {
			bad["code"] = err.Error()
		}
	}
	text(bad, "city", f.City, 0, MaxCityRunes)
	text(bad, "province", f.Province, 0, MaxCityRunes)
	if f.City == "" && f.Province == "" {
		bad["city"] = "城市和省份至少填一项 / give the city or the province"
	}
	if err := gbt4754.Validate(f.Class); err != nil {
		bad["class"] = err.Error()
	}
	text(bad, "products", f.Products, 0, MaxTextRunes)
	if f.Tier != "" && !f.Tier.Valid() {
		bad["tier"] = fmt.Sprintf("未知梯度 %q / unknown tier", f.Tier)
	}
	text(bad, "source", f.Source, 1, MaxSourceRunes)
	return chanye.Invalid("名单企业有误 / invalid roster firm", bad)
}

// ValidateRoster checks the rows of one roster: 1–MaxRosterRows rows, each
// valid, each taking source as its own. Fields are keyed "rows[N].field"
// (N from 0), "source" for the source itself.
func ValidateRoster(source string, rows []RosterFirm) error {
	bad := map[string]string{}
	source = strings.TrimSpace(source)
	text(bad, "source", source, 1, MaxSourceRunes)
	if len(rows) == 0 || len(rows) > MaxRosterRows {
		bad["rows"] = fmt.Sprintf("须有 1–%d 行 / must have 1–%d rows", MaxRosterRows, MaxRosterRows)
	}
	for i := range rows {
		rows[i].Source = source
		for k, v := range chanye.ErrorFields(rows[i].Validate()) {
			if k != "source" {
				bad[fmt.Sprintf("rows[%d].%s", i, k)] = v
			}
		}
	}
	return chanye.Invalid(fmt.Sprintf("名单有 %d 处错误 / the roster has %d errors", len(bad), len(bad)), bad)
}

// RosterFilter selects roster firms; nil fields are not given.
type RosterFilter struct {
	Source *string `json:"source"`
	Class  *string `json:"class"`
	Offset int     `json:"offset"`
	Limit  int     `json:"limit"`
}

// RosterService keeps the rosters of outside firms. Imports are audited.
type RosterService interface {
	// ImportRoster replaces every firm of source with rows, all or
	// nothing. EINVALID naming "rows[N].field".
	ImportRoster(ctx context.Context, source string, rows []RosterFirm) error
	// FindRoster returns a page of roster firms ordered by source and
	// position, and the total. EINVALID for bad paging.
	FindRoster(ctx context.Context, filter RosterFilter) ([]*RosterFirm, int, error)
}
