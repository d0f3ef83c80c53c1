// Package chanye holds the domain of a city's modern industrial system: the
// catalog of industries with their targets and owners, and the registry of
// enterprises with their tiers and yearly facts. It imports neither
// database/sql nor net/http; adapters live in sub-packages and cmd/ wires them.
package chanye

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes shared by every service. Adapters map them to transport
// statuses in one table (see httpapi).
const (
	ECONFLICT     = "conflict"     // a unique key already exists, or a concurrent change won
	EINTERNAL     = "internal"     // anything unexpected; shown to users as "internal error"
	EINVALID      = "invalid"      // bad input; Fields says which field and why
	ENOTFOUND     = "not_found"    // the record does not exist
	ETOOLARGE     = "too_large"    // a request or file exceeds a limit
	EUNAUTHORIZED = "unauthorized" // no valid credentials were given
	EFORBIDDEN    = "forbidden"    // the actor may not do this
	ETOOMANY      = "too_many"     // too many attempts; retry later
)

// Error is the one error type of the domain. Message is for people, both
// languages (Chinese first, English after " / ") as logs and the CLI show
// it; ZH and EN are the same message in one language each, which the pages
// and the API pick by the reader's language. Fields maps a field name, or a
// "row N, column C" locator, to what is wrong with it, in both languages;
// FieldsZH and FieldsEN hold each field's message in one language.
type Error struct {
	Code               string
	Message            string
	ZH, EN             string
	Fields             map[string]string
	FieldsZH, FieldsEN map[string]string
}

// Bilingual returns an *Error whose message is given in each language.
func Bilingual(code, zh, en string) *Error {
	return &Error{Code: code, Message: zh + " / " + en, ZH: zh, EN: en}
}

// bilingual returns e with ZH and EN read from a "中文 / English" message,
// and FieldsZH and FieldsEN from its fields' messages: the constructors
// split a message once, where it is made, so that no reader of an error
// has to.
func (e *Error) bilingual() *Error {
	e.ZH, e.EN = SplitBilingual(e.Message)
	return e.WithFields(e.Fields)
}

// WithFields sets e's field messages, each "中文 / English", and reads
// FieldsZH and FieldsEN from them; it returns e.
func (e *Error) WithFields(fields map[string]string) *Error {
	e.Fields, e.FieldsZH, e.FieldsEN = fields, nil, nil
	if len(fields) > 0 {
		e.FieldsZH = make(map[string]string, len(fields))
		e.FieldsEN = make(map[string]string, len(fields))
		for k, m := range fields {
			e.FieldsZH[k], e.FieldsEN[k] = SplitBilingual(m)
		}
	}
	return e
}

// SplitBilingual reads a "中文 / English" text as its two halves at the
// first " / ", or at a full-width "）/ " or "。/ " before it (the bracket
// or stop stays Chinese); a text without a separator is the same in both.
func SplitBilingual(m string) (zh, en string) {
	cut, skip := strings.Index(m, " / "), len(" / ")
	for _, sep := range []string{"）/ ", "。/ "} {
		if i := strings.Index(m, sep); i >= 0 && (cut < 0 || i < cut) {
			cut, skip = i+len(sep)-len("/ "), len("/ ")
		}
	}
	if cut < 0 {
		return m, m
	}
	return m[:cut], m[cut+skip:]
}

// AppendBilingual returns the "中文 / English" text msg with zh added to
// its Chinese half and en to its English half.
func AppendBilingual(msg, zh, en string) string {
	z, e := SplitBilingual(msg)
	return z + zh + " / " + e + en
}

// JoinBilingual joins "中文 / English" texts half by half: the Chinese
// halves with "；", the English ones with "; ".
func JoinBilingual(msgs ...string) string {
	zh, en := make([]string, len(msgs)), make([]string, len(msgs))
	for i, m := range msgs {
		zh[i], en[i] = SplitBilingual(m)
	}
	return strings.Join(zh, "；") + " / " + strings.Join(en, "; ")
}

// In returns the message in one language (en: English, else Chinese), the
// whole Message when the error was built without the two.
func (e *Error) In(en bool) string {
	switch {
	case en && e.EN != "":
		return e.EN
	case !en && e.ZH != "":
		return e.ZH
	}
	return e.Message
}

// FieldsIn returns the field messages in one language (en: English, else
// Chinese), the two-language Fields when the error was built without the
// split ones.
func (e *Error) FieldsIn(en bool) map[string]string {
	switch {
	case en && e.FieldsEN != nil:
		return e.FieldsEN
	case !en && e.FieldsZH != nil:
		return e.FieldsZH
	}
	return e.Fields
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("chanye error: code=%s message=%s", e.Code, e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + e.Fields[k])
	}
	return fmt.Sprintf("chanye error: code=%s message=%s fields=[%s]", e.Code, e.Message, b.String())
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return (&Error{Code: code, Message: fmt.Sprintf(format, args...)}).bilingual()
}

// Invalid returns an EINVALID error naming the fields at fault. It returns
// nil when fields is empty, so validators can collect and return in one step.
func Invalid(message string, fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return (&Error{Code: EINVALID, Message: message, Fields: fields}).bilingual()
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the *Error in err's chain, or a generic
// message for anything else so internals never reach users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "内部错误 / internal error"
}

// ErrorText returns the message of err in Chinese and in English: those of
// the *Error in its chain, else "内部错误" and "internal error".
func ErrorText(err error) (zh, en string) {
	var e *Error
	if errors.As(err, &e) {
		return e.In(false), e.In(true)
	}
	return "内部错误", "internal error"
}

// ErrorFields returns the field errors of the *Error in err's chain, each
// in both languages.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// ErrorFieldsIn returns the field errors of the *Error in err's chain in
// one language (en: English, else Chinese).
func ErrorFieldsIn(err error, en bool) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.FieldsIn(en)
	}
	return nil
}

// NewError returns an *Error of a "中文 / English" message, its ZH and EN
// read from it once, here.
func NewError(code, message string, fields map[string]string) *Error {
	return (&Error{Code: code, Message: message, Fields: fields}).bilingual()
}
