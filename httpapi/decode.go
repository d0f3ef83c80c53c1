package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
)

// decodeJSON reads exactly one JSON value from the request body into dst,
// rejecting unknown fields, bodies over the limit and other media types.
// Errors are *chanye.Error naming the field at fault and the problem, so
// that a client can fix its request without reading our source. dst is
// only meaningful when the error is nil: callers must not act on a partly
// decoded value.
func (s *server) decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return chanye.Errorf(codeUnsupportedMedia, "请求体须为 application/json，而不是 %q / request body must be application/json, not %q", ct, ct)
		}
	}
	// Read the whole body first: the walk that locates a bad field needs it.
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// readBody reads the request body up to the limit.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readBodyLimit(w, r, s.maxBody)
}

// readBodyLimit reads the request body up to limit bytes.
func readBodyLimit(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, chanye.NewError(chanye.ETOOLARGE, fmt.Sprintf("请求体超过 %d 字节 / request body exceeds %d bytes", tooLarge.Limit, tooLarge.Limit), nil)
		}
		return nil, chanye.Errorf(chanye.EINVALID, "无法读取请求体 / cannot read request body: %v", err)
	}
	return body, nil
}

// decodeBytes is decodeJSON after the body is read.
func decodeBytes(body []byte, dst any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return chanye.Errorf(chanye.EINVALID, "请求体为空，须为一个 JSON 值 / request body is empty, expected one JSON value")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var syntax *json.SyntaxError
	switch {
	case err == nil:
	case errors.As(err, &syntax):
		return syntaxError(syntax.Offset, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return syntaxError(int64(len(body)), "unexpected end of JSON input")
	default:
		// Type errors, unknown fields and errors from UnmarshalJSON methods
		// do not say where they are, or say it without array indexes:
		// walk the value to find the first field that fails on its own.
		if e := locate(body, reflect.TypeOf(dst).Elem(), ""); e != nil {
			return e
		}
		return chanye.Errorf(chanye.EINVALID, "JSON 无法解析 / cannot decode JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return chanye.Errorf(chanye.EINVALID, "请求体只能包含一个 JSON 值（第 %d 字节后还有内容）/ request body must hold exactly one JSON value, found more after byte %d", dec.InputOffset(), dec.InputOffset())
	}
	if path, ok := nulAt(body); ok {
		return fieldError(path, "含有空字符（NUL，U+0000）", "contains a NUL character (U+0000)", "")
	}
	return nil
}

// nulAt returns the path (items[2].name) of the first string, key or value,
// that holds a NUL character ("\u0000" in JSON): PostgreSQL refuses it in
// text and SQLite keeps it, so the API refuses it, the same on both. body
// is valid JSON.
func nulAt(body []byte) (string, bool) {
	if !bytes.Contains(body, []byte(`\u0000`)) && bytes.IndexByte(body, 0) < 0 {
		return "", false // the common case: no NUL can hide in body
	}
	type level struct {
		array bool
		index int
		key   string
	}
	var stack []level
	here := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.array {
				fmt.Fprintf(&b, "[%d]", l.index)
			} else if l.key != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			}
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	inObject := func() bool { return len(stack) > 0 && !stack[len(stack)-1].array }
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			expectKey = inObject()
			continue
		}
		if expectKey { // tok is a member name
			stack[len(stack)-1].key, _ = tok.(string)
			if strings.IndexByte(stack[len(stack)-1].key, 0) >= 0 {
				return here(), true
			}
			expectKey = false
			continue
		}
		// tok starts a value.
		if len(stack) > 0 && stack[len(stack)-1].array {
			stack[len(stack)-1].index++
		}
		switch t := tok.(type) {
		case string:
			if strings.IndexByte(t, 0) >= 0 {
				return here(), true
			}
		case json.Delim:
			stack = append(stack, level{array: t == '[', index: -1})
			expectKey = t == '{'
			continue
		}
		expectKey = inObject()
	}
}

func syntaxError(offset int64, detail string) error {
	detail = strings.TrimPrefix(detail, "json: ")
	return chanye.NewError(chanye.EINVALID, fmt.Sprintf("JSON 语法错误，位于第 %d 字节：%s / malformed JSON at byte %d: %s", offset, detail, offset, detail), map[string]string{"body": fmt.Sprintf("第 %d 字节 / at byte %d", offset, offset)})
}

// jsonKind names the JSON type that Go types with an UnmarshalJSON method
// expect, where reflection on their Go kind would say "object".
var jsonKind = map[reflect.Type]string{
	reflect.TypeFor[chanye.Date](): "string",
}

// locate finds the first part of raw that cannot be decoded into a value
// of type t and returns an EINVALID error naming it by its path, such as
// items[2].period. It returns nil when raw decodes on its own.
func locate(raw []byte, t reflect.Type, path string) *chanye.Error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	err := strictUnmarshal(raw, reflect.New(t).Interface())
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	got := jsonType(raw)
	switch {
	case t.Kind() == reflect.Struct && got == "object" && !implementsUnmarshaler(t):
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			break
		}
		fields := structFields(t)
		// Report in the order the fields appear in the request.
		for _, name := range keysInOrder(raw) {
			ft, ok := fields[name]
			if !ok {
				return fieldError(join(path, name), "未知字段", "unknown field", fmt.Sprintf("未知字段 %q / unknown field %q", join(path, name), join(path, name)))
			}
			if e := locate(members[name], ft, join(path, name)); e != nil {
				return e
			}
		}
	case t.Kind() == reflect.Slice && got == "array":
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			break
		}
		for i, item := range items {
			if e := locate(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); e != nil {
				return e
			}
		}
	case errors.As(err, &typeErr) || jsonKind[t] != "" && got != jsonKind[t]:
		want := expectedType(t)
		if got == "number" && want == "integer" {
			got = "number " + string(raw)
		}
		name := path
		if name == "" {
			name = "body"
		}
		return fieldError(name, "类型错误：应为 "+want+"，实为 "+got, "expected "+want+", got "+got, "")
	}
	// An UnmarshalJSON method refused the value: its message says why,
	// in Chinese and English when it is one of ours.
	zh, en := textOf(err)
	zh = "有误：" + zh
	if path == "" {
		path = "body"
	}
	return fieldError(path, zh, en, "")
}

// textOf returns the message of a parser's error (a date's, a value's
// UnmarshalJSON) in Chinese and English: a domain error's own two, else the
// halves of a plain error's "中文 / English", else its words in both.
func textOf(err error) (zh, en string) {
	if ce := (*chanye.Error)(nil); errors.As(err, &ce) {
		return ce.In(false), ce.In(true)
	}
	zh, en, ok := strings.Cut(err.Error(), " / ")
	if !ok {
		zh, en = err.Error(), err.Error()
	}
	return zh, en
}

// fieldError returns an EINVALID error for one field; message defaults to
// `字段 "x" zh / field "x": en`.
func fieldError(field, zh, en, message string) *chanye.Error {
	if message == "" {
		message = fmt.Sprintf("字段 %q %s / field %q: %s", field, zh, field, en)
	}
	return chanye.NewError(chanye.EINVALID, message, map[string]string{field: zh + " / " + en})
}

func strictUnmarshal(raw []byte, dst any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

func implementsUnmarshaler(t reflect.Type) bool {
	u := reflect.TypeFor[json.Unmarshaler]()
	return t.Implements(u) || reflect.PointerTo(t).Implements(u)
}

// structFields maps the JSON names of t's fields, embedded ones included,
// to their types. Matching is exact: encoding/json also folds case, which
// locate only needs for requests that decoded anyway.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range structFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	// Fold case as encoding/json does, so "Name" is not called unknown.
	for k, v := range out {
		if _, ok := out[strings.ToLower(k)]; !ok {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

// keysInOrder returns the member names of a JSON object in input order.
func keysInOrder(raw []byte) []string {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	var keys []string
	if _, err := dec.Token(); err != nil {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		key, _ := tok.(string)
		if !contains(keys, key) {
			keys = append(keys, key)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonType names the JSON type of a raw value.
func jsonType(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return "nothing"
	}
	switch s[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// expectedType names the JSON type a Go type decodes from.
func expectedType(t reflect.Type) string {
	if k, ok := jsonKind[t]; ok {
		return k
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return t.String()
}

// queryInt parses an integer query parameter within [min, max].
func queryInt(name, value string, min, max int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < min || n > max {
		return 0, paramError(name, fmt.Sprintf("须为 %d 到 %d 的整数，而不是 %q", min, max, value), fmt.Sprintf("must be an integer from %d to %d, not %q", min, max, value))
	}
	return n, nil
}
