// Package match is supply–demand matchmaking (广聚群链): firms list what
// they make or offer (Supply) and what they need to buy or solve
// (Demand); Propose pairs each demand with the supplies that fit it, best
// first, each pair with its reasons in words; both sides accept or
// decline a pair, and an accepted one is followed through negotiation
// (洽谈) to a contract (签约) or to a recorded failure. The matchmaking
// fairs (供需对接会) are planned here too: who registered, which meetings
// were asked for, a timetable of tables and slots with no firm and no
// table booked twice, and what the meetings came to. It imports neither
// database/sql nor net/http.
package match

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/gbt4754"
	"github.com/chanye-org/chanye/uscc"
)

// Status is whether a listing takes part in matching.
type Status string

// The statuses of a listing.
const (
	Open   Status = "open"   // 有效: matched by Propose
	Closed Status = "closed" // 已关闭: bought, sold out, withdrawn
)

// Statuses lists the statuses of a listing with their names.
var Statuses = []struct {
	Status         Status
	NameZH, NameEN string
}{
	{Open, "有效", "open"},
	{Closed, "已关闭", "closed"},
}

// NameZH returns the status's Chinese name.
func (s Status) NameZH() string {
	for _, x := range Statuses {
		if x.Status == s {
			return x.NameZH
		}
	}
	return string(s)
}

// NameEN returns the status's English name.
func (s Status) NameEN() string {
	for _, x := range Statuses {
		if x.Status == s {
			return x.NameEN
		}
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Open || s == Closed }

// The bounds of a listing, each checked by Validate.
const (
	MaxTextRunes      = 2000 // characters of a supply's products or a demand's needs
	MaxAmountRunes    = 200  // characters of a capacity or a quantity
	MaxClasses        = 10   // GB/T 4754 classes of a listing
	MaxCertifications = 20   // certifications of a supply
	MaxCertRunes      = 50   // characters of a certification
	MaxLinkIDRunes    = 100  // characters of a chain link id
	MaxNoteRunes      = 500  // characters of a step's note: why a match failed or was declined
	DefaultPage       = 50
	MaxPage           = 1000 // rows a Find call returns at most
	// MaxImportRows bounds the listings of one imported file: an import
	// is one transaction, checked whole before anything is stored.
	MaxImportRows = 100_000
)

// Supply is what a firm makes or offers (供给). LinkID is the chain link
// its products sit on; DistrictCode is where it supplies from, "" for the
// firm's registered district.
type Supply struct {
	ID             int64       `json:"id"`
	Code           string      `json:"code"`
	Name           string      `json:"name,omitempty"` // the registry's, when read
	Products       string      `json:"products"`
	LinkID         string      `json:"link_id"`
	Classes        []string    `json:"classes"`            // GB/T 4754 classes (小类) of the products
	Capacity       string      `json:"capacity,omitempty"` // e.g. 年产 50 万套
	DistrictCode   string      `json:"district_code,omitempty"`
	Certifications []string    `json:"certifications,omitempty"` // e.g. IATF 16949
	Status         Status      `json:"status"`
	PostedOn       chanye.Date `json:"posted_on,omitzero"`
	// Demo marks a supply chanye demo made: the pages say 演示数据.
	Demo bool `json:"demo,omitempty"`
}

// Demand is what a firm needs to buy or solve (需求). LinkID, when given,
// is the chain link the need is for — the buyer's own link, whose
// suppliers' links the chain names, or the link of what is needed;
// Classes, when given, are the GB/T 4754 classes of what is needed.
// NeededBy is zero when there is no date; DistrictCode "" is the firm's
// registered district.
type Demand struct {
	ID           int64       `json:"id"`
	Code         string      `json:"code"`
	Name         string      `json:"name,omitempty"` // the registry's, when read
	Needs        string      `json:"needs"`
	LinkID       string      `json:"link_id,omitempty"`
	Classes      []string    `json:"classes,omitempty"`
	Quantity     string      `json:"quantity,omitempty"` // e.g. 每月 2000 件
	NeededBy     chanye.Date `json:"needed_by,omitzero"`
	DistrictCode string      `json:"district_code,omitempty"`
	Status       Status      `json:"status"`
	PostedOn     chanye.Date `json:"posted_on,omitzero"`
	// Demo marks a demand chanye demo made: the pages say 演示数据.
	Demo bool `json:"demo,omitempty"`
}

// linkIDPattern is the form of a chain link id (chain.Link.ID); whether
// the link exists is the store's to check against the stored set.
var linkIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){1,2}$`)

// Validate checks a supply and trims its texts: a well-formed credit code,
// products of 1–MaxTextRunes characters, a well-formed link id, 1–
// MaxClasses distinct classes, a capacity of at most MaxAmountRunes, a
// district of 6 digits or "", at most MaxCertifications distinct
// certifications of 1–MaxCertRunes each, and a known status ("" is
// taken as open). The store checks that the link and the district exist.
func (s *Supply) Validate() error {
	bad := map[string]string{}
	s.Code = uscc.Normalize(s.Code)
	s.Products, s.Capacity = strings.TrimSpace(s.Products), strings.TrimSpace(s.Capacity)
	s.LinkID, s.DistrictCode = strings.TrimSpace(s.LinkID), strings.TrimSpace(s.DistrictCode)
	checkCode(s.Code, bad)
	checkText("products", s.Products, 1, MaxTextRunes, bad)
	if s.LinkID == "" {
		bad["link_id"] = "必填 / required"
	} else {
		checkLink(s.LinkID, bad)
	}
	checkClasses(s.Classes, 1, bad)
	checkText("capacity", s.Capacity, 0, MaxAmountRunes, bad)
	checkDistrict(s.DistrictCode, bad)
	if len(s.Certifications) > MaxCertifications {
		bad["certifications"] = fmt.Sprintf("至多 %d 项 / at most %d", MaxCertifications, MaxCertifications)
	}
	for i, c := range s.Certifications {
		c = strings.TrimSpace(c)
		s.Certifications[i] = c
		switch n := utf8.RuneCountInString(c); {
		case n == 0 || n > MaxCertRunes:
			bad["certifications"] = fmt.Sprintf("每项 1–%d 个字符 / each 1–%d characters", MaxCertRunes, MaxCertRunes)
		case slices.Contains(s.Certifications[:i], c):
			bad["certifications"] = fmt.Sprintf("%q 重复 / %q appears twice", c, c)
		}
	}
	checkStatus(&s.Status, bad)
	return chanye.Invalid("供给信息有误 / invalid supply", bad)
}

// Validate checks a demand and trims its texts: a well-formed credit code,
// needs of 1–MaxTextRunes characters, a well-formed link id or "", at
// most MaxClasses distinct classes, a quantity of at most MaxAmountRunes,
// a district of 6 digits or "", and a known status ("" is taken as open).
// Whether NeededBy has passed is for the caller, who knows today.
func (d *Demand) Validate() error {
	bad := map[string]string{}
	d.Code = uscc.Normalize(d.Code)
	d.Needs, d.Quantity = strings.TrimSpace(d.Needs), strings.TrimSpace(d.Quantity)
	d.LinkID, d.DistrictCode = strings.TrimSpace(d.LinkID), strings.TrimSpace(d.DistrictCode)
	checkCode(d.Code, bad)
	checkText("needs", d.Needs, 1, MaxTextRunes, bad)
	if d.LinkID != "" {
		checkLink(d.LinkID, bad)
	}
	checkClasses(d.Classes, 0, bad)
	checkText("quantity", d.Quantity, 0, MaxAmountRunes, bad)
	checkDistrict(d.DistrictCode, bad)
	checkStatus(&d.Status, bad)
	return chanye.Invalid("需求信息有误 / invalid demand", bad)
}

func checkCode(code string, bad map[string]string) {
	if err := uscc.Validate(code); err != nil {
		zh, en := chanye.SplitBilingual(err.Error()) // uscc.Error: bilingual, not a domain error
		bad["code"] = "统一社会信用代码无效：" + zh + " / invalid credit code: " + en
	}
}

func checkText(key, v string, min, max int, bad map[string]string) {
	if n := utf8.RuneCountInString(v); n < min || n > max {
		if min == 0 {
			bad[key] = fmt.Sprintf("至多 %d 个字符 / at most %d characters", max, max)
		} else {
			bad[key] = fmt.Sprintf("须为 %d–%d 个字符 / must be %d–%d characters", min, max, min, max)
		}
	}
}

func checkLink(id string, bad map[string]string) {
	if utf8.RuneCountInString(id) > MaxLinkIDRunes || !linkIDPattern.MatchString(id) {
		bad["link_id"] = "须为产业链环节编号，如 icv-nev.battery / must be a chain link id, e.g. icv-nev.battery"
	}
}

func checkClasses(classes []string, min int, bad map[string]string) {
	if n := len(classes); n < min || n > MaxClasses {
		bad["classes"] = fmt.Sprintf("须有 %d–%d 个行业代码 / give %d–%d classes", min, MaxClasses, min, MaxClasses)
		return
	}
	for i, c := range classes {
		c = strings.TrimSpace(c)
		classes[i] = c
		if err := gbt4754.Validate(c); err != nil {
			bad["classes"] = err.Error()
		} else if slices.Contains(classes[:i], c) {
			bad["classes"] = fmt.Sprintf("%s 重复 / %s appears twice", c, c)
		}
	}
}

func checkDistrict(code string, bad map[string]string) {
	if code == "" {
		return
	}
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		bad["district_code"] = "须为 6 位区县代码（GB/T 2260）/ must be a 6-digit district code (GB/T 2260)"
	}
}

func checkStatus(s *Status, bad map[string]string) {
	if *s == "" {
		*s = Open
	}
	if !s.Valid() {
		bad["status"] = "须为 open 或 closed / must be open or closed"
	}
}

// SupplyUpdate holds the fields of a supply to change; nil means "leave
// as is".
type SupplyUpdate struct {
	Products       *string   `json:"products"`
	LinkID         *string   `json:"link_id"`
	Classes        *[]string `json:"classes"`
	Capacity       *string   `json:"capacity"`
	DistrictCode   *string   `json:"district_code"`
	Certifications *[]string `json:"certifications"`
	Status         *Status   `json:"status"`
}

// DemandUpdate holds the fields of a demand to change; nil means "leave
// as is". A NeededBy pointing at the zero date clears the date.
type DemandUpdate struct {
	Needs        *string      `json:"needs"`
	LinkID       *string      `json:"link_id"`
	Classes      *[]string    `json:"classes"`
	Quantity     *string      `json:"quantity"`
	NeededBy     *chanye.Date `json:"needed_by"`
	DistrictCode *string      `json:"district_code"`
	Status       *Status      `json:"status"`
}

// ListingFilter selects supplies or demands; nil fields are not given.
// Code is how authz narrows a firm to its own listings; IndustryID
// selects the listings on the industry's chain links.
type ListingFilter struct {
	Code         *string
	LinkID       *string
	IndustryID   *string
	DistrictCode *string
	Status       *Status
	Offset       int
	Limit        int // DefaultPage when 0, at most MaxPage
}

// ListingService keeps the supplies and demands. Every write is one
// transaction with its audit entry. Errors: EINVALID (Validate, or a link
// or district the store does not know), ENOTFOUND, EFORBIDDEN or
// EUNAUTHORIZED from authz (a firm writes only its own listings).
type ListingService interface {
	// CreateSupply stores a supply of a registry enterprise; its ID and
	// PostedOn are set. EINVALID, ENOTFOUND for an unknown enterprise.
	CreateSupply(ctx context.Context, s *Supply) error
	// UpdateSupply changes a supply and returns it. EINVALID, ENOTFOUND.
	UpdateSupply(ctx context.Context, id int64, upd SupplyUpdate) (*Supply, error)
	// FindSupplyByID returns a supply. ENOTFOUND.
	FindSupplyByID(ctx context.Context, id int64) (*Supply, error)
	// FindSupplies returns a page of supplies, the latest first, and the
	// total. EINVALID for a bad filter.
	FindSupplies(ctx context.Context, f ListingFilter) ([]*Supply, int, error)
	// CreateDemand stores a demand of a registry enterprise; its ID and
	// PostedOn are set. EINVALID, ENOTFOUND for an unknown enterprise.
	CreateDemand(ctx context.Context, d *Demand) error
	// UpdateDemand changes a demand and returns it. EINVALID, ENOTFOUND.
	UpdateDemand(ctx context.Context, id int64, upd DemandUpdate) (*Demand, error)
	// FindDemandByID returns a demand. ENOTFOUND.
	FindDemandByID(ctx context.Context, id int64) (*Demand, error)
	// FindDemands returns a page of demands, the latest first, and the
	// total. EINVALID for a bad filter.
	FindDemands(ctx context.Context, f ListingFilter) ([]*Demand, int, error)
}
