package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
)

// auditChange is one top-level field that a write changed.
type auditChange struct {
	Field, Before, After string
}

type auditRow struct {
	Ref                   string // "ID" in chain 0, "CHAIN:ID" in the others
	At                    string
	Actor, Action, Entity string
	Key, RequestID        string
	Changes               []auditChange
	Created, Deleted      bool
}

type auditView struct {
	page
	// ActorQ is the actor filter as typed: page.Actor is who is signed in,
	// which the layout reads.
	ActorQ, Entity, Key, Action, Chain, From, To string
	Rows                                         []auditRow
	pager
}

// auditPage lists the audit log, newest first (by time, then chain and
// id), with filters and the fields each write changed; an entry of a chain
// other than 0 is numbered CHAIN:ID. Only admins and leaders may read it (package authz).
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Audit == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置审计日志 / no audit log configured")
	}
	v := &auditView{page: s.newPage(r, "audit")}
	v.Title = v.L.T("audit.title")
	q := r.URL.Query()
	bad := map[string]string{}
	f := chanye.AuditFilter{Limit: pageSize}
	for _, p := range []struct {
		name string
		into *string
		dst  **string
	}{{"actor", &v.ActorQ, &f.Actor}, {"entity", &v.Entity, &f.Entity}, {"key", &v.Key, &f.EntityKey}, {"action", &v.Action, &f.Action}} {
		if *p.into = strings.TrimSpace(q.Get(p.name)); *p.into != "" {
			*p.dst = p.into
		}
	}
	if v.Chain = strings.TrimSpace(q.Get("chain")); v.Chain != "" {
		if k, err := strconv.Atoi(v.Chain); err != nil || k < 0 {
			bad["chain"] = "须为 0 或正整数 / must be 0 or more"
		} else {
			f.Chain = &k
		}
	}
	// Dates are days in China Standard Time, both ends included.
	for _, p := range []struct {
		name string
		into *string
		days int
		dst  **time.Time
	}{{"from", &v.From, 0, &f.From}, {"to", &v.To, 1, &f.To}} {
		if *p.into = strings.TrimSpace(q.Get(p.name)); *p.into == "" {
			continue
		}
		d, err := time.ParseInLocation(chanye.DateLayout, *p.into, cst)
		if err != nil {
			bad[p.name] = "须为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"
			continue
		}
		t := d.AddDate(0, 0, p.days)
		*p.dst = &t
	}
	v.pager.read(q, bad)
	if err := chanye.Invalid("筛选条件有误 / invalid filter", bad); err != nil {
		return err
	}
	f.Offset = v.offset()
	entries, total, err := s.cfg.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	v.link(r.URL, total)
	for _, e := range entries {
		v.Rows = append(v.Rows, auditRow{Ref: e.Ref(), At: e.At.In(cst).Format("2006-01-02 15:04:05"), Actor: e.Actor, Action: e.Action,
			Entity: e.Entity, Key: e.EntityKey, RequestID: e.RequestID, Changes: diffJSON(e.Before, e.After),
			Created: e.Before == nil && e.After != nil, Deleted: e.Before != nil && e.After == nil})
	}
	return s.render(w, "audit", v)
}

// cst is China Standard Time, the time of the page.
var cst = time.FixedZone("CST", 8*3600)

// maxShown bounds a value shown in the diff: a field may hold a whole list.
const maxShown = 160

// diffJSON returns the top-level fields that differ between two JSON
// objects, in name order; a value that is not an object is one field "".
func diffJSON(before, after json.RawMessage) []auditChange {
	b, a := fields(before), fields(after)
	var names []string
	for k := range b {
		names = append(names, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []auditChange
	for _, k := range names {
		if bytes.Equal(b[k], a[k]) {
			continue
		}
		out = append(out, auditChange{Field: k, Before: shown(b[k]), After: shown(a[k])})
	}
	return out
}

// fields splits a JSON object into its fields, each compacted.
func fields(raw json.RawMessage) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	if len(raw) == 0 {
		return out
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		m = map[string]json.RawMessage{"": raw}
	}
	for k, v := range m {
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			v = buf.Bytes()
		}
		out[k] = v
	}
	return out
}

func shown(v json.RawMessage) string {
	s := string(v)
	if r := []rune(s); len(r) > maxShown {
		s = string(r[:maxShown]) + "…"
	}
	return s
}
