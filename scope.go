package chanye

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Scope is an enterprise's business scope (经营范围) or main products, as
// the registry, a file or a person gave it: the text placement (挂链) reads
// to put the firm on chain links.
type Scope struct {
	Text   string `json:"text"`
	Source string `json:"source"` // e.g. 市场监管登记, 企业填报, 演示数据
	AsOf   Date   `json:"as_of"`
}

// ScopeRecord is the scope of a named enterprise.
type ScopeRecord struct {
	Code string `json:"code"`
	Scope
}

// The bounds of a scope.
const (
	MaxScopeRunes       = 2000 // characters of a business scope (registry scopes run to a few hundred)
	MaxScopeSourceRunes = 100
)

// Validate trims the texts and checks them: a text of 1–MaxScopeRunes
// characters, a source, an as-of date not after now.
func (s *Scope) Validate(now time.Time) error {
	s.Text, s.Source = strings.TrimSpace(s.Text), strings.TrimSpace(s.Source)
	bad := map[string]string{}
	if n := utf8.RuneCountInString(s.Text); n == 0 || n > MaxScopeRunes {
		bad["text"] = fmt.Sprintf("须为 1–%d 个字符 / must be 1–%d characters", MaxScopeRunes, MaxScopeRunes)
	}
	if n := utf8.RuneCountInString(s.Source); n == 0 || n > MaxScopeSourceRunes {
		bad["source"] = fmt.Sprintf("须注明来源，1–%d 个字符 / a source of 1–%d characters is required", MaxScopeSourceRunes, MaxScopeSourceRunes)
	}
	switch {
	case s.AsOf.IsZero():
		bad["as_of"] = "须注明数据日期 / an as-of date is required"
	case s.AsOf.After(now):
		bad["as_of"] = "不能晚于今天 / must not be in the future"
	}
	return Invalid("经营范围有误 / invalid business scope", bad)
}
