package httpapi

import (
	"net/http"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/notify"
)

// notificationPage is a page of the caller's inbox with its unread count.
type notificationPage struct {
	page[*notify.Notification]
	Unread int `json:"unread"`
}

// listNotifications answers a page of the caller's own inbox, newest
// first, with the unread count; ?unread=true keeps the unread ones.
func (s *server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	if s.notifications == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置通知 / no notifications configured")
	}
	q, err := query(r, "unread", "offset", "limit")
	if err != nil {
		return err
	}
	var f notify.Filter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["unread"]; ok {
		if f.Unread, err = queryBool("unread", v); err != nil {
			return err
		}
	}
	items, total, unread, err := s.notifications.FindNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, notificationPage{newPage(items, total, f.Offset, f.Limit), unread})
}

// markNotificationsRead marks the given notifications of the caller's
// inbox read, or all of them without ids, and answers the unread count.
func (s *server) markNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	if s.notifications == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置通知 / no notifications configured")
	}
	var body struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.All == (len(body.IDs) > 0) {
		return chanye.Invalid("须给出 ids 或 all / give ids or all", map[string]string{"ids": "给出要标为已读的通知编号，或以 \"all\": true 标记全部 / the notifications to mark read, or \"all\": true for every one"})
	}
	unread, err := s.notifications.MarkRead(r.Context(), body.IDs...)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"unread": unread})
}
