package httpauth

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNext bounds a redirect target taken from a request.
const maxNext = 2048

// SafeNext returns next when it is a clean path on this site, to redirect
// to after sign-in (or after any form that says where to go back to), and
// "" otherwise: the caller then sends the user home. Clean means it starts
// with one "/" and not "//" or "/\" (which browsers read as another host),
// holds no backslash and no control character (browsers drop tab, CR and LF
// from a Location, so "/\t/evil.example" is "//evil.example"), neither as
// it is nor once its %-escapes are decoded, is valid UTF-8, at most maxNext
// bytes, and parses as a URL without scheme or host.
func SafeNext(next string) string {
	if len(next) > maxNext || !cleanPath(next) {
		return ""
	}
	decoded, err := url.PathUnescape(next)
	if err != nil || !cleanPath(decoded) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return next
}

// cleanPath reports whether p starts with a single "/" and holds no
// backslash, no control character and no invalid UTF-8.
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') || !utf8.ValidString(p) {
		return false
	}
	return strings.IndexFunc(p, unicode.IsControl) < 0
}
