package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/internal/testclock"
)

// decodeTarget has the shapes request bodies have: nested lists of
// structs, pointers, dates and embedded structs.
type decodeTarget struct {
	Name  *string      `json:"name"`
	Count int64        `json:"count"`
	Items []decodeItem `json:"items"`
	chanye.Tier
}

type decodeItem struct {
	Period string      `json:"period"`
	AsOf   chanye.Date `json:"as_of"`
	Tags   []string    `json:"tags"`
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       string // "" for success
		field      string // the field the error names
		message    string // a substring of the message
	}{
		{name: "ok", body: `{"name":"x","count":3,"items":[{"period":"2024","as_of":"2024-01-02","tags":["a"]}],"kind":"srdi","from":"2024-01-01"}`},
		{name: "field names fold case", body: `{"Name":"x"}`},
		{name: "null pointer", body: `{"name":null}`},
		{name: "whitespace around", body: " \n {} \n "},
		{name: "string for integer", body: `{"count":"3"}`, code: chanye.EINVALID, field: "count", message: `字段 "count" 类型错误：应为 integer，实为 string / field "count": expected integer, got string`},
		{name: "fraction for integer", body: `{"count":1.5}`, code: chanye.EINVALID, field: "count", message: "got number 1.5"},
		{name: "integer overflow", body: `{"count":99999999999999999999}`, code: chanye.EINVALID, field: "count"},
		{name: "nested index", body: `{"items":[{"period":"2024"},{"period":"2024"},{"period":2024}]}`, code: chanye.EINVALID, field: "items[2].period", message: "expected string, got number"},
		{name: "array element", body: `{"items":[{"tags":["a",1]}]}`, code: chanye.EINVALID, field: "items[0].tags[1]"},
		{name: "object for array", body: `{"items":{}}`, code: chanye.EINVALID, field: "items", message: "expected array, got object"},
		{name: "date not a string", body: `{"items":[{"as_of":20240102}]}`, code: chanye.EINVALID, field: "items[0].as_of", message: "expected string, got number"},
		{name: "bad date", body: `{"items":[{"as_of":"2024-02-30"}]}`, code: chanye.EINVALID, field: "items[0].as_of", message: "YYYY-MM-DD"},
		{name: "embedded date", body: `{"from":"yesterday"}`, code: chanye.EINVALID, field: "from"},
		{name: "unknown field", body: `{"name":"x","nmae":"y"}`, code: chanye.EINVALID, field: "nmae", message: `未知字段 "nmae" / unknown field "nmae"`},
		{name: "unknown nested field", body: `{"items":[{},{"periods":"2024"}]}`, code: chanye.EINVALID, field: "items[1].periods"},
		{name: "array for object", body: `[]`, code: chanye.EINVALID, field: "body", message: "expected object, got array"},
		{name: "syntax", body: `{"name":"x" "count":1}`, code: chanye.EINVALID, field: "body", message: "malformed JSON at byte 13"},
		{name: "truncated", body: `{"items":[`, code: chanye.EINVALID, message: "malformed JSON at byte 10"},
		{name: "two values", body: `{} {}`, code: chanye.EINVALID, message: "exactly one JSON value"},
		{name: "trailing garbage", body: `{}x`, code: chanye.EINVALID, message: "exactly one JSON value"},
		{name: "empty", body: ``, code: chanye.EINVALID, message: "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dst decodeTarget
			err := decodeBytes([]byte(tc.body), &dst)
			if got := chanye.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q, want %q (err %v)", got, tc.code, err)
			}
			if err == nil {
				return
			}
			if tc.field != "" {
				if _, ok := chanye.ErrorFields(err)[tc.field]; !ok {
					t.Errorf("fields %v do not name %q", chanye.ErrorFields(err), tc.field)
				}
			}
			if msg := chanye.ErrorMessage(err); !strings.Contains(msg, tc.message) {
				t.Errorf("message %q does not contain %q", msg, tc.message)
			}
		})
	}
}

func TestDecodeLimit(t *testing.T) {
	s := newServer(Config{Now: testclock.Now, MaxBodyBytes: 16})
	for _, tc := range []struct {
		body, code string
	}{
		{`{"name":"short"}`, ""},
		{`{"name":"far too long"}`, chanye.ETOOLARGE},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		var dst decodeTarget
		err := s.decodeJSON(httptest.NewRecorder(), r, &dst)
		if got := chanye.ErrorCode(err); got != tc.code {
			t.Errorf("%s: code %q, want %q (%v)", tc.body, got, tc.code, err)
		}
	}
	if got := newServer(Config{Now: testclock.Now}).maxBody; got != DefaultMaxBodyBytes {
		t.Errorf("default limit %d, want %d", got, DefaultMaxBodyBytes)
	}
}

func TestNulAt(t *testing.T) {
	for _, c := range []struct {
		body, want string
	}{
		{`{"name":"a"}`, ""},
		{`{"name":"a\u0000b"}`, "name"},
		{`{"name":"a\\u0000b"}`, ""}, // a backslash, then "u0000": no NUL
		{`"\u0000"`, "body"},
		{`{"items":[{"a":1},{"source":"x","b":"\u0000"}]}`, "items[1].b"},
		{`{"items":[[1,2],["x","\u0000"]]}`, "items[1][1]"},
		{`{"a":{"b":[true,null,"\u0000"]}}`, "a.b[2]"},
		{`{"k\u0000":1}`, "k\x00"},
		{`{"a":[],"b":{},"c":"\u0000"}`, "c"},
	} {
		got, ok := nulAt([]byte(c.body))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("nulAt(%s) = %q, %v; want %q", c.body, got, ok, c.want)
		}
	}
}
