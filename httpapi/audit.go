package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/chanye-org/chanye"
)

// listAudit answers one page of the audit log, newest first (by time, then
// chain and id), filtered by actor, entity, key, action, chain and a time
// range.
func (s *server) listAudit(w http.ResponseWriter, r *http.Request) error {
	if s.audit == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置审计日志 / no audit log configured")
	}
	q, err := query(r, "actor", "entity", "key", "action", "chain", "from", "to", "offset", "limit")
	if err != nil {
		return err
	}
	var f chanye.AuditFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	for name, dst := range map[string]**string{"actor": &f.Actor, "entity": &f.Entity, "key": &f.EntityKey, "action": &f.Action} {
		if v, ok := q[name]; ok {
			*dst = &v
		}
	}
	if err := optional(q, "chain", func(name, v string) (int, error) { return queryInt(name, v, 0, math.MaxInt32) }, &f.Chain); err != nil {
		return err
	}
	if err := optional(q, "from", queryTime, &f.From); err != nil {
		return err
	}
	if err := optional(q, "to", queryTime, &f.To); err != nil {
		return err
	}
	entries, total, err := s.audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(entries, total, f.Offset, f.Limit))
}

// queryTime parses an RFC 3339 time, or a date meaning its midnight UTC.
func queryTime(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := queryDate(name, v)
	if err != nil {
		return time.Time{}, paramError(name, fmt.Sprintf("须为日期 YYYY-MM-DD 或 RFC 3339 时间，而不是 %q", v),
			fmt.Sprintf("must be a date YYYY-MM-DD or an RFC 3339 time, not %q", v))
	}
	return d.Time, nil
}
