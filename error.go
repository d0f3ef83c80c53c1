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
// "row N, column C" locator, to what is wrong with it.
type Error struct {
	Code    string
	Message string
	ZH, EN  string
	Fields  map[string]string
}

// Bilingual returns an *Error whose message is given in each language.
func Bilingual(code, zh, en string) *Error {
	return &Error{Code: code, Message: zh + " / " + en, ZH: zh, EN: en}
}

// bilingual returns e with ZH and EN read from a "中文 / English" message:
// the constructors split a message once, where it is made, so that no
// reader of an error has to.
func (e *Error) bilingual() *Error {
	zh, en, ok := strings.Cut(e.Message, " / ")
	if !ok {
		zh, en = e.Message, e.Message
	}
	e.ZH, e.EN = zh, en
	return e
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

// ErrorFields returns the field errors of the *Error in err's chain.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// NewError returns an *Error of a "中文 / English" message, its ZH and EN
// read from it once, here.
func NewError(code, message string, fields map[string]string) *Error {
	return (&Error{Code: code, Message: message, Fields: fields}).bilingual()
}
