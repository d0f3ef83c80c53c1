// Package search finds enterprises (by name or credit code), key projects
// and policies from one box of text that may be Chinese, Latin or both.
//
// Chinese has no spaces between words, so text is indexed the classic
// CJK way: each run of Han characters as its overlapping two-character
// bigrams, plus the run's last character alone, so that a one-character
// query, taken as a prefix, finds every name that holds it; each run of
// other letters and digits as one lowercased word. A query is cut the same
// way and every one of its terms must match. Terms is the one function
// that makes the terms of both the index and the query, for SQLite's FTS5
// and PostgreSQL's tsvector alike.
package search

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/chanye-org/chanye"
)

// Kind is what a hit is.
type Kind string

// The kinds, in the order results are shown.
const (
	Enterprises Kind = "enterprise"
	Projects    Kind = "project"
	Policies    Kind = "policy"
)

// Kinds are every kind, in order.
var Kinds = []Kind{Enterprises, Projects, Policies}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Limits of a query.
const (
	DefaultLimit = 20  // hits per kind
	MaxLimit     = 100 // hits per kind
	MaxQuery     = 100 // characters
	// Candidates is how many matches per kind are ranked: a query that
	// matches more (广州 matches nearly every firm) ranks the first ones
	// the index gives and says there are more.
	Candidates = 1000
)

// Match says how a hit matched the query, best first.
type Match string

// The matches, best first.
const (
	MatchExact    Match = "exact"    // the whole name, title or credit code
	MatchPrefix   Match = "prefix"   // the name or code starts with the query
	MatchContains Match = "contains" // the query appears whole in the name
	MatchTerms    Match = "terms"    // every term of the query appears
)

var matchOrder = map[Match]int{MatchExact: 0, MatchPrefix: 1, MatchContains: 2, MatchTerms: 3}

// Hit is one enterprise, project or policy found.
type Hit struct {
	Kind Kind   `json:"kind"`
	Key  string `json:"key"`  // credit code, project id or policy id
	Name string `json:"name"` // the enterprise's or project's name, the policy's Chinese title
	// NameEN is a policy's English title.
	NameEN string `json:"name_en,omitempty"`
	// Detail is a short second line: a project's owner code, a policy's
	// document number.
	Detail string `json:"detail,omitempty"`
	// Version and Status are a policy's: the newest version the actor may
	// read that matches.
	Version int    `json:"version,omitempty"`
	Status  string `json:"status,omitempty"`
	Match   Match  `json:"match"`
}

// Group is the hits of one kind, best first.
type Group struct {
	Kind Kind  `json:"kind"`
	Hits []Hit `json:"hits"`
	// More is set when more matched than are shown.
	More bool `json:"more"`
}

// Results are the groups of the kinds searched, in Kinds order.
type Results struct {
	Query  string  `json:"query"`
	Groups []Group `json:"groups"`
}

// Filter is a query. Kinds nil searches every kind the actor may read.
// The scopes narrow what is searched; package authz sets them from the
// actor's grants, and the store obeys them.
type Filter struct {
	Q     string
	Kinds []Kind
	Limit int // hits per kind; 0: DefaultLimit

	// EnterpriseCode, when set, limits enterprises to this one.
	EnterpriseCode *string
	// ProjectOwner, when set, limits projects to those of this owner.
	ProjectOwner *string
	// PublishedOnly limits policies to published and retired versions.
	PublishedOnly bool
}

// Service searches.
type Service interface {
	// Search returns the hits of each kind of the filter, ranked: exact
	// name or code first, then names that start with the query, then names
	// that hold it whole, then the rest; shorter names first within each.
	// EINVALID for an empty or too long query, an unknown kind or a bad
	// limit.
	Search(ctx context.Context, f Filter) (*Results, error)
}

// Validate checks the query, the kinds and the limit, and sets the
// default limit.
func (f *Filter) Validate() error {
	fields := map[string]string{}
	q := strings.TrimSpace(f.Q)
	switch {
	case utf8.RuneCountInString(q) > MaxQuery:
		fields["q"] = "查询过长，最多 100 个字 / query too long: at most 100 characters"
	case len(Query(q).Terms) == 0:
		fields["q"] = "请输入企业名称、信用代码、项目或政策的关键词 / enter a word of a name or title, or a credit code"
	}
	for _, k := range f.Kinds {
		if !k.Valid() {
			fields["kind"] = "须为 enterprise、project 或 policy / must be enterprise, project or policy"
		}
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		fields["limit"] = "须在 1 到 100 之间 / must be between 1 and 100"
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	return chanye.Invalid("查询有误 / invalid search", fields)
}

// Wants reports whether the filter asks for kind k.
func (f *Filter) Wants(k Kind) bool { return len(f.Kinds) == 0 || slices.Contains(f.Kinds, k) }

// fold maps fullwidth ASCII (ＡＢＣ１２３) to ASCII and lowercases, so
// that a name typed either way is found either way.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	return unicode.ToLower(r)
}

// run is one run of the text: Han characters, or other letters and digits.
type run struct {
	text string
	han  bool
}

// runs cuts text into runs; anything else (spaces, punctuation, symbols)
// separates them.
func runs(text string) []run {
	var (
		out []run
		b   strings.Builder
		han bool
	)
	flush := func() {
		if b.Len() > 0 {
			out = append(out, run{b.String(), han})
			b.Reset()
		}
	}
	for _, r := range text {
		r = fold(r)
		h := unicode.Is(unicode.Han, r)
		if !h && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if b.Len() > 0 && h != han {
			flush()
		}
		han = h
		b.WriteRune(r)
	}
	flush()
	return out
}

// Terms returns the index terms of text, each once, in order of first
// appearance: the bigrams of each Han run and its last character, and each
// other run as one word.
func Terms(text string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, r := range runs(text) {
		if !r.han {
			add(r.text)
			continue
		}
		rs := []rune(r.text)
		for i := 0; i+1 < len(rs); i++ {
			add(string(rs[i : i+2]))
		}
		add(string(rs[len(rs)-1]))
	}
	return out
}

// maxTerms bounds the terms of a query: more would only narrow it further.
const maxTerms = 32

// Parsed is a query cut into terms.
type Parsed struct {
	// Terms must all match; those marked in Prefix match any term that
	// starts with them.
	Terms  []string
	Prefix []bool
	// Squeezed is the query's letters, digits and Han characters,
	// lowercased, without separators: what Rank compares names with.
	Squeezed string
}

// Query cuts a query as Terms cuts the index: a Han run of two or more
// characters gives its bigrams, which must match exactly; a single Han
// character, and every word of letters and digits, match as prefixes (广
// finds 广州, "hua" finds Huawei).
func Query(q string) Parsed {
	var p Parsed
	seen := map[string]bool{}
	add := func(t string, prefix bool) {
		if !seen[t] && len(p.Terms) < maxTerms {
			seen[t] = true
			p.Terms, p.Prefix = append(p.Terms, t), append(p.Prefix, prefix)
		}
	}
	var sq strings.Builder
	for _, r := range runs(q) {
		sq.WriteString(r.text)
		rs := []rune(r.text)
		if !r.han || len(rs) == 1 {
			add(r.text, true)
			continue
		}
		for i := 0; i+1 < len(rs); i++ {
			add(string(rs[i:i+2]), false)
		}
	}
	p.Squeezed = sq.String()
	// The bigrams of a legal form (有限公司, 股份, 集团 …) are in nearly
	// every name: ANDed with a rare term they only cost time (a full
	// name took 112 ms at 3.6 M enterprises, 2 ms without them). They
	// are left out when other terms remain; ranking still compares the
	// whole query (Squeezed).
	var terms []string
	var prefix []bool
	for i, t := range p.Terms {
		if !common[t] {
			terms, prefix = append(terms, t), append(prefix, p.Prefix[i])
		}
	}
	if len(terms) > 0 {
		p.Terms, p.Prefix = terms, prefix
	}
	return p
}

// common are the bigrams of the legal forms of Chinese enterprise names.
var common = func() map[string]bool {
	m := map[string]bool{}
	for _, form := range []string{"有限公司", "有限责任公司", "股份有限公司", "集团"} {
		for _, t := range Terms(form) {
			if utf8.RuneCountInString(t) == 2 {
				m[t] = true
			}
		}
	}
	return m
}()

// Squeeze is what Query's Squeezed is for any text.
func Squeeze(text string) string {
	var b strings.Builder
	for _, r := range runs(text) {
		b.WriteString(r.text)
	}
	return b.String()
}

// MatchOf says how name (or a code, compared as typed but case folded)
// matches the parsed query.
func MatchOf(p Parsed, name string) Match {
	n := Squeeze(name)
	switch {
	case p.Squeezed == "":
		return MatchTerms
	case n == p.Squeezed:
		return MatchExact
	case strings.HasPrefix(n, p.Squeezed):
		return MatchPrefix
	case strings.Contains(n, p.Squeezed):
		return MatchContains
	}
	return MatchTerms
}

// Better reports whether match m is better than n.
func Better(m, n Match) bool { return matchOrder[m] < matchOrder[n] }

// Rank orders hits best first: by match, then shorter names, then key.
func Rank(hits []Hit) {
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if d := matchOrder[a.Match] - matchOrder[b.Match]; d != 0 {
			return d
		}
		if d := utf8.RuneCountInString(a.Name) - utf8.RuneCountInString(b.Name); d != 0 {
			return d
		}
		return strings.Compare(a.Key, b.Key)
	})
}
