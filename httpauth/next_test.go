package httpauth

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/":                                      "/",
		"/runs?x=1":                              "/runs?x=1",
		"/enterprises/91440101/policies":         "/enterprises/91440101/policies",
		"/enterprises?q=%E5%B9%BF%E5%B7%9E#list": "/enterprises?q=%E5%B9%BF%E5%B7%9E#list",
		"/a/b//c":                                "/a/b//c",
		"":                                       "",
		"runs":                                   "",
		"//evil.example":                         "",
		"/\\evil.example":                        "",
		"/\t/evil.example/phish":                 "",
		"\t//evil.example":                       "",
		"/%09/evil.example":                      "",
		"/%5Cevil":                               "",
		"/%2F/evil.example":                      "",
		"/x\\y":                                  "",
		"/\r\nSet-Cookie:x":                      "",
		"/%0d%0aSet-Cookie:x":                    "",
		"/%00":                                   "",
		"/x\x00":                                 "",
		"/x\u0085y":                              "",
		"/\xff":                                  "",
		"/%ff":                                   "",
		"/%zz":                                   "",
		"https://evil.example":                   "",
		"https:/evil.example":                    "",
		"javascript:alert(1)":                    "",
		"/" + strings.Repeat("a", 2048):          "",
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeNext: whatever next is, SafeNext answers "" or a path of this
// site that no browser reads as another host.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/runs?x=1", "//evil.example", "/\\evil", "/\t/evil.example", "/%09/evil", "/%5C%5Cevil",
		"https://evil.example", "/%0d%0aSet-Cookie:x", "/\x00", "/a#b", "/%E5%B9%BF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SafeNext(in)
		if got == "" {
			return
		}
		if got != in {
			t.Fatalf("SafeNext(%q) = %q: changed, not accepted or refused", in, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("SafeNext(%q) = %q: not a single-slash path", in, got)
		}
		if strings.ContainsRune(got, '\\') || strings.IndexFunc(got, unicode.IsControl) >= 0 {
			t.Fatalf("SafeNext(%q) = %q: a backslash or control character", in, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" {
			t.Fatalf("SafeNext(%q) = %q: parses as %#v, %v", in, got, u, err)
		}
		// What the browser may decode must hold the same.
		if d, err := url.PathUnescape(got); err != nil || strings.HasPrefix(d, "//") || strings.ContainsRune(d, '\\') || strings.IndexFunc(d, unicode.IsControl) >= 0 {
			t.Fatalf("SafeNext(%q) = %q: decodes to %q, %v", in, got, d, err)
		}
	})
}
