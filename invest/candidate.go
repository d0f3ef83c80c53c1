package invest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
)

// LocalFirm is a registry enterprise as the candidates read it: its
// class, the tiers it holds today, its size class ("" unknown) and the
// links it is placed on.
type LocalFirm struct {
	Code         string
	Name         string
	DistrictCode string
	Class        string
	Tiers        []chanye.TierKind
	Size         chanye.SizeClass
	Links        []string
}

// Reason is one reason a candidate is proposed, with the points it gave.
type Reason struct {
	ZH     string `json:"zh"`
	EN     string `json:"en"`
	Points int    `json:"points"`
}

// Candidate is a firm proposed as a target for a link: a local firm to
// expand (Kind ListExpand) or an outside firm from a roster (ListAttract).
// Score is the sum of the reasons' points.
type Candidate struct {
	Kind         ListKind          `json:"kind"`
	Code         string            `json:"code,omitempty"`
	Name         string            `json:"name"`
	DistrictCode string            `json:"district_code,omitempty"` // a local firm's
	City         string            `json:"city,omitempty"`          // a roster firm's
	Province     string            `json:"province,omitempty"`
	Class        string            `json:"class"`
	Tiers        []chanye.TierKind `json:"tiers,omitempty"`
	Size         chanye.SizeClass  `json:"size,omitempty"`
	RosterID     int64             `json:"roster_id,omitempty"`
	Source       string            `json:"source,omitempty"` // the roster it came from
	Score        int               `json:"score"`
	Reasons      []Reason          `json:"reasons"`
}

// The points of the reasons. A firm scores by where it sits relative to
// the gap, then by the best tier it holds and its size.
const (
	PointsOnLink       = 30 // a local firm already placed on the link
	PointsSupplier     = 20 // placed on a link that supplies the gap
	PointsCustomer     = 20 // placed on a link the gap supplies
	PointsSibling      = 10 // placed on a sibling sub-link
	PointsClass        = 25 // its GB/T 4754 class is one of the link's
	PointsRosterClass  = 30 // a roster firm's class is one of the link's
	PointsKeyword      = 10 // per keyword of the link in a roster firm's products
	MaxKeywordsCounted = 3
)

// tierPoints are the points of the best tier a firm holds, highest first.
var tierPoints = []struct {
	Tier   chanye.TierKind
	Points int
}{
	{chanye.TierChainLeader, 40},
	{chanye.TierLeading, 35},
	{chanye.TierSingleChampion, 30},
	{chanye.TierLittleGiant, 25},
	{chanye.TierUnicorn, 20},
	{chanye.TierGazelle, 15},
	{chanye.TierSRDI, 15},
	{chanye.TierHighTech, 10},
	{chanye.TierAboveScale, 5},
}

var sizePoints = map[chanye.SizeClass]int{chanye.SizeLarge: 20, chanye.SizeMedium: 12, chanye.SizeSmall: 6, chanye.SizeMicro: 2}

// Neighbours returns the links of ch next to linkID, each with how it is
// related: "supplier" (it supplies the link), "customer" (the link
// supplies it) or "sibling" (another sub-link of the same parent). A
// link related twice keeps the first of supplier, customer, sibling.
func Neighbours(ch *chain.Chain, linkID string) map[string]string {
	out := map[string]string{}
	for _, r := range ch.Relations {
		if r.To == linkID && r.From != linkID {
			out[r.From] = "supplier"
		}
	}
	for _, r := range ch.Relations {
		if r.From == linkID && r.To != linkID && out[r.To] == "" {
			out[r.To] = "customer"
		}
	}
	if l := ch.Link(linkID); l != nil && l.Parent != "" {
		for _, s := range ch.Children(l.Parent) {
			if s.ID != linkID && out[s.ID] == "" {
				out[s.ID] = "sibling"
			}
		}
	}
	return out
}

// Candidates proposes targets for the link linkID of ch: the local firms
// of local placed on the link or next to it (Neighbours) or of one of its
// classes, for expansion, and the roster firms of one of its classes or
// whose products name one of its keywords, to attract. Firms already on
// one of the link's lists (targeted: by credit code, or by name when it
// has none) are left out, as is a roster firm that is a local one. It
// never invents a firm: every candidate is one of local or roster. The
// best first: by score, then name and code. EINVALID for a link ch does
// not have.
func Candidates(ch *chain.Chain, linkID string, local []*LocalFirm, roster []*RosterFirm, targeted []*Target) ([]*Candidate, error) {
	link := ch.Link(linkID)
	if link == nil {
		return nil, chanye.Invalid("环节有误 / invalid link", map[string]string{"link_id": fmt.Sprintf("%q 不是本产业链的环节 / is not a link of the chain", linkID)})
	}
	codes, names := map[string]bool{}, map[string]bool{}
	for _, t := range targeted {
		if t.Code != "" {
			codes[t.Code] = true
		} else {
			names[t.Name] = true
		}
	}
	near := Neighbours(ch, linkID)
	name := func(id string) string {
		if l := ch.Link(id); l != nil {
			return l.NameZH
		}
		return id
	}
	var out []*Candidate
	isLocal := map[string]bool{}
	for _, f := range local {
		isLocal[f.Code] = true
		if codes[f.Code] || names[f.Name] {
			continue
		}
		c := &Candidate{Kind: ListExpand, Code: f.Code, Name: f.Name, DistrictCode: f.DistrictCode, Class: f.Class, Tiers: f.Tiers, Size: f.Size}
		where := 0
		for _, id := range f.Links {
			switch {
			case id == linkID:
				c.add(PointsOnLink, "已在本环节", "already placed on this link")
			case near[id] == "supplier":
				c.add(PointsSupplier, "位于供给本环节的「"+name(id)+"」", "on "+id+", which supplies this link")
			case near[id] == "customer":
				c.add(PointsCustomer, "位于本环节供给的「"+name(id)+"」", "on "+id+", which this link supplies")
			case near[id] == "sibling":
				c.add(PointsSibling, "位于同级子环节「"+name(id)+"」", "on the sibling sub-link "+id)
			default:
				continue
			}
			where++
		}
		if slices.Contains(link.Classes, f.Class) {
			c.add(PointsClass, "行业代码 "+f.Class+" 属本环节", "class "+f.Class+" is one of the link's")
			where++
		}
		if where == 0 {
			continue
		}
		c.addTier(f.Tiers)
		if p, ok := sizePoints[f.Size]; ok {
			c.add(p, "规模："+f.Size.NameZH(), "size: "+f.Size.NameEN())
		} else {
			c.add(0, "规模未知", "size unknown")
		}
		out = append(out, c)
	}
	for _, f := range roster {
		if (f.Code != "" && (codes[f.Code] || isLocal[f.Code])) || (f.Code == "" && names[f.Name]) {
			continue
		}
		c := &Candidate{Kind: ListAttract, Code: f.Code, Name: f.Name, City: f.City, Province: f.Province, Class: f.Class,
			RosterID: f.ID, Source: f.Source}
		if f.Tier != "" {
			c.Tiers = []chanye.TierKind{f.Tier}
		}
		where := 0
		if slices.Contains(link.Classes, f.Class) {
			c.add(PointsRosterClass, "行业代码 "+f.Class+" 属本环节", "class "+f.Class+" is one of the link's")
			where++
		}
		var hits []string
		for _, k := range link.Keywords {
			if len(hits) < MaxKeywordsCounted && strings.Contains(f.Products, k) {
				hits = append(hits, k)
			}
		}
		if len(hits) > 0 {
			c.add(PointsKeyword*len(hits), "产品含本环节关键词："+strings.Join(hits, "、"), "its products name the link's keywords: "+strings.Join(hits, ", "))
			where++
		}
		if where == 0 {
			continue
		}
		c.addTier(c.Tiers)
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b *Candidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Code, b.Code), cmp.Compare(a.RosterID, b.RosterID))
	})
	return out, nil
}

func (c *Candidate) add(points int, zh, en string) {
	c.Score += points
	c.Reasons = append(c.Reasons, Reason{ZH: zh, EN: en, Points: points})
}

// addTier adds the points of the best of tiers.
func (c *Candidate) addTier(tiers []chanye.TierKind) {
	for _, t := range tierPoints {
		if slices.Contains(tiers, t.Tier) {
			c.add(t.Points, "梯度："+t.Tier.NameZH(), "tier: "+t.Tier.NameEN())
			return
		}
	}
}

// CandidateService proposes targets for a gap.
type CandidateService interface {
	// FindCandidates proposes targets for a link of an industry's chain
	// (see Candidates), at most limit (DefaultCandidate when 0, at most
	// MaxCandidates). ENOTFOUND for an industry without a chain, EINVALID
	// for a link it does not have.
	FindCandidates(ctx context.Context, industryID, linkID string, limit int) ([]*Candidate, error)
}
