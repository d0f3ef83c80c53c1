// Package chain holds the industry chains (产业链) of the chain-leader
// system (链长制): for each industry its links (环节) in upstream, midstream
// and downstream, nested segment → sub-segment, with the products,
// technologies, GB/T 4754 classes and keywords that place enterprises on
// them, and the supply relations between links — a graph, not only a
// tree. The embedded Guangzhou set (Default) is structure only, read from
// the public sources it lists; a city loads its own with
// `chanye import chains FILE`.
package chain

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/gbt4754"
	"github.com/chanye-org/chanye/uscc"
)

// Stage is where a link sits on its chain.
type Stage string

// The stages, in order.
const (
	Upstream   Stage = "upstream"   // 上游
	Midstream  Stage = "midstream"  // 中游
	Downstream Stage = "downstream" // 下游
)

// Stages lists the stages with their names, in order.
var Stages = []struct {
	Stage          Stage
	NameZH, NameEN string
}{
	{Upstream, "上游", "upstream"},
	{Midstream, "中游", "midstream"},
	{Downstream, "下游", "downstream"},
}

// Ordinal returns the stage's place in Stages, -1 for an unknown stage.
func (s Stage) Ordinal() int {
	for i, x := range Stages {
		if x.Stage == s {
			return i
		}
	}
	return -1
}

// NameZH returns the stage's Chinese name.
func (s Stage) NameZH() string {
	if i := s.Ordinal(); i >= 0 {
		return Stages[i].NameZH
	}
	return string(s)
}

// NameEN returns the stage's English name.
func (s Stage) NameEN() string {
	if i := s.Ordinal(); i >= 0 {
		return Stages[i].NameEN
	}
	return string(s)
}

// Link is one link (环节) of a chain: a top-level segment (Parent "") or a
// sub-segment of one.
type Link struct {
	ID           string   `json:"id"`
	Parent       string   `json:"parent"`
	Stage        Stage    `json:"stage"`
	NameZH       string   `json:"name_zh"`
	NameEN       string   `json:"name_en"`
	Description  string   `json:"description"`
	Products     []string `json:"products"`
	Technologies []string `json:"technologies"`
	Classes      []string `json:"classes"`  // GB/T 4754-2017 classes (小类) whose firms may sit on the link
	Keywords     []string `json:"keywords"` // words of a business scope that place a firm on the link
}

// Relation says that link From supplies link To.
type Relation struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Chain is one industry's chain.
type Chain struct {
	IndustryID string     `json:"industry_id"`
	Sources    []string   `json:"sources"` // ids of the set's sources
	Links      []*Link    `json:"links"`
	Relations  []Relation `json:"relations"`
}

// Source is a public document a set was read from.
type Source struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Publisher string `json:"publisher"`
	Date      string `json:"date"`
	URL       string `json:"url"`
	Note      string `json:"note"`
}

// Set is a city's chains with the sources they were read from: what a
// chains file holds and what the store keeps.
type Set struct {
	City    string   `json:"city"`
	Note    string   `json:"note"`
	Sources []Source `json:"sources"`
	Chains  []*Chain `json:"chains"`
}

// The bounds of a set, each checked by Validate.
const (
	MaxChains        = 200  // chains in a set
	MaxLinks         = 60   // links in a chain
	MaxRelations     = 200  // relations in a chain
	MaxSources       = 100  // sources in a set
	MaxTerms         = 30   // products, technologies or keywords of a link
	MaxClasses       = 20   // classes of a link
	MaxTermRunes     = 20   // characters of a product, technology or keyword
	MinKeywordRunes  = 2    // characters of a keyword
	MaxNameZHRunes   = 30   // characters of a link's Chinese name
	MaxNameENRunes   = 80   // characters of its English name
	MaxTextRunes     = 500  // characters of a description, a source's note or title
	MaxSetNoteRunes  = 2000 // characters of the set's note
	MaxFileBytes     = 4 << 20
	maxSourceIDRunes = 40
)

// linkID is a link's id: the industry's id, a segment and at most one
// sub-segment, dot-separated.
var linkID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){1,2}$`)

// Parse reads a chains file (JSON, at most MaxFileBytes) and checks it
// against the catalog. EINVALID naming the chain, the link and the field.
func Parse(data []byte, c *chanye.Catalog) (*Set, error) {
	if len(data) > MaxFileBytes {
		return nil, chanye.Errorf(chanye.ETOOLARGE, "产业链文件超过 %d MB / the chains file exceeds %d MB", MaxFileBytes>>20, MaxFileBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Set
	if err := dec.Decode(&s); err != nil {
		return nil, chanye.Bilingual(chanye.EINVALID, "产业链文件无法解析："+err.Error(), "the chains file is not valid JSON: "+err.Error())
	}
	if err := s.Validate(c); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks a set: every chain of an industry the catalog lists,
// once; links with well-formed unique ids under their chain's industry, at
// most two levels, a sub-segment on its parent's stage; names, terms and
// classes within their bounds; relations between two links of one chain,
// no loop on one link, none twice; every chain citing at least one of the
// set's sources, and every source cited. Fields are keyed
// "chains[INDUSTRY].links[LINK].FIELD", "sources[ID].FIELD" and the like.
func (s *Set) Validate(c *chanye.Catalog) error {
	bad := map[string]string{}
	text := func(key, v string, min, max int) {
		if n := utf8.RuneCountInString(strings.TrimSpace(v)); n < min || n > max {
			bad[key] = fmt.Sprintf("须为 %d–%d 个字符 / must be %d–%d characters", min, max, min, max)
		}
	}
	text("city", s.City, 1, 50)
	text("note", s.Note, 0, MaxSetNoteRunes)
	if len(s.Sources) > MaxSources {
		bad["sources"] = fmt.Sprintf("至多 %d 个 / at most %d", MaxSources, MaxSources)
	}
	sources := map[string]bool{}
	for i, src := range s.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if src.ID != "" {
			key = "sources[" + src.ID + "]"
		}
		text(key+".id", src.ID, 1, maxSourceIDRunes)
		if sources[src.ID] {
			bad[key+".id"] = "重复 / duplicate"
		}
		sources[src.ID] = true
		text(key+".title", src.Title, 1, MaxTextRunes)
		text(key+".publisher", src.Publisher, 0, MaxTextRunes)
		text(key+".note", src.Note, 0, MaxTextRunes)
		if src.URL != "" && !strings.HasPrefix(src.URL, "https://") && !strings.HasPrefix(src.URL, "http://") {
			bad[key+".url"] = "须以 http:// 或 https:// 开头 / must begin with http:// or https://"
		}
	}
	if len(s.Chains) > MaxChains {
		bad["chains"] = fmt.Sprintf("至多 %d 条 / at most %d", MaxChains, MaxChains)
	}
	cited := map[string]bool{}
	chains := map[string]bool{}
	links := map[string]bool{}
	for i, ch := range s.Chains {
		key := fmt.Sprintf("chains[%d]", i)
		if ch.IndustryID != "" {
			key = "chains[" + ch.IndustryID + "]"
		}
		if c.Industry(ch.IndustryID) == nil {
			bad[key+".industry_id"] = fmt.Sprintf("目录中没有产业 %q / the catalog has no industry %q", ch.IndustryID, ch.IndustryID)
		}
		if chains[ch.IndustryID] {
			bad[key+".industry_id"] = "同一产业只能有一条产业链 / one chain per industry"
		}
		chains[ch.IndustryID] = true
		if len(ch.Sources) == 0 {
			bad[key+".sources"] = "须列出至少一个来源 / cite at least one source"
		}
		for _, id := range ch.Sources {
			if !sources[id] {
				bad[key+".sources"] = fmt.Sprintf("来源 %q 不在文件的来源中 / source %q is not among the file's sources", id, id)
			}
			cited[id] = true
		}
		ch.validate(key, links, bad)
	}
	for _, src := range s.Sources {
		if src.ID != "" && !cited[src.ID] {
			bad["sources["+src.ID+"]"] = "没有产业链引用此来源 / no chain cites this source"
		}
	}
	return chanye.Invalid(fmt.Sprintf("产业链文件有 %d 处错误 / the chains file has %d errors", len(bad), len(bad)), bad)
}

// validate checks one chain's links and relations; seen holds the link ids
// of the set so far.
func (ch *Chain) validate(key string, seen map[string]bool, bad map[string]string) {
	if len(ch.Links) == 0 || len(ch.Links) > MaxLinks {
		bad[key+".links"] = fmt.Sprintf("须有 1–%d 个环节 / must have 1–%d links", MaxLinks, MaxLinks)
	}
	byID := map[string]*Link{}
	for i, l := range ch.Links {
		lk := fmt.Sprintf("%s.links[%d]", key, i)
		if l.ID != "" {
			lk = key + ".links[" + l.ID + "]"
		}
		switch {
		case !linkID.MatchString(l.ID):
			bad[lk+".id"] = "编号须为“产业编号.环节[.子环节]”，小写字母、数字和连字符 / the id must be INDUSTRY.segment[.sub] in lowercase letters, digits and hyphens"
		case !strings.HasPrefix(l.ID, ch.IndustryID+"."):
			bad[lk+".id"] = fmt.Sprintf("编号须以 %q 开头 / the id must begin with %q", ch.IndustryID+".", ch.IndustryID+".")
		case seen[l.ID]:
			bad[lk+".id"] = "重复 / duplicate"
		}
		seen[l.ID] = true
		byID[l.ID] = l
		if l.Stage.Ordinal() < 0 {
			bad[lk+".stage"] = fmt.Sprintf("%q 须为 upstream、midstream 或 downstream / must be upstream, midstream or downstream", l.Stage)
		}
		check := func(field, v string, min, max int) {
			if n := utf8.RuneCountInString(strings.TrimSpace(v)); n < min || n > max {
				bad[lk+"."+field] = fmt.Sprintf("须为 %d–%d 个字符 / must be %d–%d characters", min, max, min, max)
			}
		}
		check("name_zh", l.NameZH, 2, MaxNameZHRunes)
		check("name_en", l.NameEN, 2, MaxNameENRunes)
		check("description", l.Description, 0, MaxTextRunes)
		terms(lk+".products", l.Products, 1, bad)
		terms(lk+".technologies", l.Technologies, 1, bad)
		terms(lk+".keywords", l.Keywords, MinKeywordRunes, bad)
		if len(l.Classes) > MaxClasses {
			bad[lk+".classes"] = fmt.Sprintf("至多 %d 个 / at most %d", MaxClasses, MaxClasses)
		}
		for _, code := range l.Classes {
			if err := gbt4754.Validate(code); err != nil {
				bad[lk+".classes"] = err.Error()
			}
		}
		if len(l.Classes) == 0 && len(l.Keywords) == 0 {
			bad[lk+".keywords"] = "行业代码和关键词至少给出一项，否则无法挂链 / give classes or keywords, or no firm can be placed on the link"
		}
	}
	// Parents are checked once every link is known: a sub-segment may come
	// before its parent in the file.
	for _, l := range ch.Links {
		if l.Parent == "" {
			continue
		}
		lk := key + ".links[" + l.ID + "]"
		p := byID[l.Parent]
		switch {
		case p == nil:
			bad[lk+".parent"] = fmt.Sprintf("上级环节 %q 不在本产业链中 / parent %q is not a link of this chain", l.Parent, l.Parent)
		case p.Parent != "":
			bad[lk+".parent"] = "至多两级：上级须为一级环节 / two levels at most: the parent must be a top-level link"
		case p.Stage != l.Stage:
			bad[lk+".stage"] = fmt.Sprintf("子环节须与上级同处 %s / a sub-segment sits on its parent's stage, %s", p.Stage.NameZH(), p.Stage)
		}
	}
	if len(ch.Relations) > MaxRelations {
		bad[key+".relations"] = fmt.Sprintf("至多 %d 条 / at most %d", MaxRelations, MaxRelations)
	}
	pairs := map[Relation]bool{}
	for i, r := range ch.Relations {
		rk := fmt.Sprintf("%s.relations[%d]", key, i)
		switch {
		case byID[r.From] == nil:
			bad[rk+".from"] = fmt.Sprintf("%q 不是本产业链的环节 / is not a link of this chain", r.From)
		case byID[r.To] == nil:
			bad[rk+".to"] = fmt.Sprintf("%q 不是本产业链的环节 / is not a link of this chain", r.To)
		case r.From == r.To:
			bad[rk] = "环节不能供给自身 / a link does not supply itself"
		case pairs[r]:
			bad[rk] = "重复 / duplicate"
		}
		pairs[r] = true
	}
}

// terms checks a list of short terms: at most MaxTerms, each of min to
// MaxTermRunes characters, none twice.
func terms(key string, list []string, min int, bad map[string]string) {
	if len(list) > MaxTerms {
		bad[key] = fmt.Sprintf("至多 %d 个 / at most %d", MaxTerms, MaxTerms)
		return
	}
	for i, t := range list {
		if n := utf8.RuneCountInString(strings.TrimSpace(t)); n < min || n > MaxTermRunes {
			bad[key] = fmt.Sprintf("%q 须为 %d–%d 个字符 / %q must be %d–%d characters", t, min, MaxTermRunes, t, min, MaxTermRunes)
		} else if slices.Contains(list[:i], t) {
			bad[key] = fmt.Sprintf("%q 重复 / %q appears twice", t, t)
		}
	}
}

// Chain returns the chain of an industry, nil when the set has none.
func (s *Set) Chain(industryID string) *Chain {
	for _, c := range s.Chains {
		if c.IndustryID == industryID {
			return c
		}
	}
	return nil
}

// Link returns the link of that id, nil when the chain has none.
func (ch *Chain) Link(id string) *Link {
	for _, l := range ch.Links {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// Children returns the sub-segments of a top-level link, in file order.
func (ch *Chain) Children(id string) []*Link {
	var out []*Link
	for _, l := range ch.Links {
		if l.Parent == id {
			out = append(out, l)
		}
	}
	return out
}

//go:embed guangzhou.json
var guangzhouJSON []byte

// Default returns a freshly parsed copy of the Guangzhou chains, checked
// against the catalog c (the default catalog's industries). It panics if
// the embedded file is invalid: a build defect the tests catch.
func Default(c *chanye.Catalog) *Set {
	s, err := Parse(guangzhouJSON, c)
	if err != nil {
		panic("chain: embedded guangzhou.json: " + err.Error())
	}
	return s
}

// DefaultSet is Default checked against the default catalog: what a new
// database starts with (sqlstore's EnsureChains keeps the chains that fit
// its catalog).
func DefaultSet() *Set { return Default(catalog.Default()) }

// DefaultJSON returns a copy of the embedded chains file.
func DefaultJSON() []byte { return slices.Clone(guangzhouJSON) }

// Imported is what storing a set changed.
type Imported struct {
	Chains  int `json:"chains"`  // chains in the set stored
	Links   int `json:"links"`   // links in the set stored
	Removed int `json:"removed"` // links the set no longer has
}

// Service keeps a city's chains. Every write is audited.
type Service interface {
	// FindChains returns the stored set; a database without one has an
	// empty set (no chains).
	FindChains(ctx context.Context) (*Set, error)
	// ImportChains replaces the stored set with s, checked against the
	// catalog. EINVALID naming the chain, the link and the field.
	ImportChains(ctx context.Context, s *Set) (Imported, error)
	// PutChain replaces one industry's chain in the stored set (adds it
	// when the set has none); the set must stay valid (its sources too).
	// EINVALID.
	PutChain(ctx context.Context, ch *Chain) (Imported, error)
}

// LeadFirm is the designation of an enterprise as a 链主 (a firm that
// leads its industry's chain): when, on what authority (the source: a
// list published by a department, a meeting's decision) and the criteria
// scores that justified it. EndedOn is set when the designation ends.
type LeadFirm struct {
	ID           int64       `json:"id"`
	IndustryID   string      `json:"industry_id"`
	Code         string      `json:"code"`
	Name         string      `json:"name,omitempty"` // the registry's, when read
	DesignatedOn chanye.Date `json:"designated_on"`
	Source       string      `json:"source"`
	Scores       []Score     `json:"scores"`
	Note         string      `json:"note,omitempty"`
	EndedOn      chanye.Date `json:"ended_on,omitzero"`
	By           string      `json:"by,omitempty"`
}

// Score is one criterion of a designation and the firm's score on it.
type Score struct {
	Criterion string `json:"criterion"`
	Value     int    `json:"value"` // 0–100
}

// The bounds of a designation.
const (
	MaxScores         = 10  // criteria of a designation
	MaxCriterionRunes = 30  // characters of a criterion
	MaxSourceRunes    = 200 // characters of a designation's source
)

// Validate checks a designation: a well-formed credit code, a date, a
// source, 1–MaxScores distinct criteria scored 0–100, a note of at most
// MaxTextRunes characters. It trims the texts.
func (x *LeadFirm) Validate() error {
	bad := map[string]string{}
	x.Code = uscc.Normalize(x.Code)
	x.Source, x.Note = strings.TrimSpace(x.Source), strings.TrimSpace(x.Note)
	if err := uscc.Validate(x.Code); err != nil {
		bad["code"] = err.Error()
	}
	if x.DesignatedOn.IsZero() {
		bad["designated_on"] = "必填 / required"
	}
	if n := utf8.RuneCountInString(x.Source); n == 0 || n > MaxSourceRunes {
		bad["source"] = fmt.Sprintf("须为 1–%d 个字符，如认定文件 / must be 1–%d characters, e.g. the designating document", MaxSourceRunes, MaxSourceRunes)
	}
	if utf8.RuneCountInString(x.Note) > MaxTextRunes {
		bad["note"] = fmt.Sprintf("不超过 %d 个字符 / at most %d characters", MaxTextRunes, MaxTextRunes)
	}
	if len(x.Scores) == 0 || len(x.Scores) > MaxScores {
		bad["scores"] = fmt.Sprintf("须给出 1–%d 项评分 / give 1–%d criteria scores", MaxScores, MaxScores)
	}
	seen := map[string]bool{}
	for i, s := range x.Scores {
		x.Scores[i].Criterion = strings.TrimSpace(s.Criterion)
		key := fmt.Sprintf("scores[%d]", i)
		switch n := utf8.RuneCountInString(x.Scores[i].Criterion); {
		case n == 0 || n > MaxCriterionRunes:
			bad[key+".criterion"] = fmt.Sprintf("须为 1–%d 个字符 / must be 1–%d characters", MaxCriterionRunes, MaxCriterionRunes)
		case seen[x.Scores[i].Criterion]:
			bad[key+".criterion"] = "重复 / duplicate"
		}
		seen[x.Scores[i].Criterion] = true
		if s.Value < 0 || s.Value > 100 {
			bad[key+".value"] = "须为 0–100 / must be 0–100"
		}
	}
	return chanye.Invalid("链主认定有误 / invalid 链主 designation", bad)
}

// LeadFirmService keeps the 链主 designations. Writes are audited.
type LeadFirmService interface {
	// FindLeadFirms returns an industry's designations, current ones
	// first, each with the registry's name of the firm.
	FindLeadFirms(ctx context.Context, industryID string) ([]*LeadFirm, error)
	// DesignateLeadFirm stores a designation of a registry enterprise;
	// its ID and By are set. EINVALID, ENOTFOUND (industry, enterprise),
	// ECONFLICT when the firm is already a current 链主 of the industry.
	DesignateLeadFirm(ctx context.Context, x *LeadFirm) error
	// EndLeadFirm ends a current designation of the industry on a day.
	// ENOTFOUND (also for a designation of another industry), ECONFLICT
	// when it has ended, EINVALID for a day before it began or after today.
	EndLeadFirm(ctx context.Context, industryID string, id int64, on chanye.Date) (*LeadFirm, error)
}
