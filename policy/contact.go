package policy

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Contact is where an enterprise takes an objection to a policy's public
// list (公示): the unit that handles objections and, when the department
// publishes them, its phone and e-mail. A policy file states only what is
// known: a number or address is never made up, and a contact with the unit
// alone sends enterprises to chanye's objection form.
type Contact struct {
	Unit  string `json:"unit" yaml:"unit"`
	Phone string `json:"phone,omitempty" yaml:"phone"`
	Email string `json:"email,omitempty" yaml:"email"`
}

// phoneRE is a Chinese landline or mobile number as departments print
// them: digits with an optional +86, area code in parentheses, hyphens or
// spaces, and an optional extension (转 or ext).
var phoneRE = regexp.MustCompile(`^(\+86[ -]?)?(\(0\d{2,3}\)|0\d{2,3})?[ -]?\d{3,4}[ -]?\d{4}([ -]?(转|ext\.?|x)[ -]?\d{1,6})?$|^(\+86[ -]?)?1\d{2}[ -]?\d{4}[ -]?\d{4}$|^12345$`)

// validate adds the contact's field errors to set, under contact.*.
func (c *Contact) validate(set func(path, msg string)) {
	if c == nil {
		return
	}
	switch u := strings.TrimSpace(c.Unit); {
	case u == "":
		set("contact.unit", "必填：受理异议的单位 / required: the unit that takes objections")
	case utf8.RuneCountInString(u) > 80 || u != c.Unit:
		set("contact.unit", "须为一个单位的名称，至多 80 字 / must be the name of one unit, at most 80 characters")
	}
	if c.Phone != "" && !phoneRE.MatchString(c.Phone) {
		set("contact.phone", fmt.Sprintf("电话 %q 格式有误，如 020-12345678；未知时请留空 / phone %q is not a phone number such as 020-12345678; leave it out when unknown", c.Phone, c.Phone))
	}
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != c.Email || a.Name != "" {
			set("contact.email", fmt.Sprintf("电子邮箱 %q 格式有误；未知时请留空 / e-mail %q is not an address; leave it out when unknown", c.Email, c.Email))
		}
	}
}
