package web

import (
	"net/http"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/notify"
)

// The inbox (通知): every signed-in account's notifications, newest first,
// unread ones in bold; opening one marks it read and goes to its page.
// Administrators also see the e-mail queue's failures there.

// unreadCount is the header's 通知 count for the page's account: one
// indexed COUNT, run only when the layout asks (signed-in accounts); -1
// hides the count. A failed count is logged, and the header still links
// the inbox.
func (s *Server) unreadCount(r *http.Request) func() int {
	return func() int {
		a := chanye.ActorFrom(r.Context())
		if s.cfg.Notifications == nil || a.UserID == 0 {
			return -1
		}
		n, err := s.cfg.Notifications.CountUnread(r.Context())
		if err != nil {
			s.log.Error("web: unread notifications", "user", a.Name, "err", err)
			return -1
		}
		return n
	}
}

// HasInbox reports whether the header links the inbox: for accounts.
func (p page) HasInbox() bool { return p.unread != nil && p.Actor != nil && p.Actor.UserID != 0 }

// Unread is the account's unread count, -1 when unknown.
func (p page) Unread() int {
	if !p.HasInbox() {
		return -1
	}
	return p.unread()
}

type inboxItem struct {
	ID          int64
	Title, Body string
	Link        string
	At          string
	Read        bool
}

type deliveryRow struct {
	ID, Notification int64
	Title, User      string
	Email, Status    string
	Attempts         int
	Error, At        string
}

type inboxView struct {
	page
	Items  []inboxItem
	Unread int
	Only   bool // only the unread ones
	Done   string
	pager
	// Mail is the e-mail queue, for administrators: the counts and the
	// failed deliveries with their errors.
	Mail       *notify.DeliveryCounts
	Failed     []deliveryRow
	FailedMore int
}

// inboxPage lists the account's notifications, newest first.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Notifications == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置通知 / no notifications configured")
	}
	v := &inboxView{page: s.newPage(r, "")}
	if v.Actor.UserID == 0 {
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	v.Title = v.L.T("inbox.title")
	q := r.URL.Query()
	bad := map[string]string{}
	v.pager.read(q, bad)
	if err := chanye.Invalid("参数有误 / bad parameters", bad); err != nil {
		return err
	}
	v.Only = q.Get("unread") == "1"
	if q.Get("marked") == "1" {
		v.Done = v.L.T("inbox.marked")
	}
	items, total, unread, err := s.cfg.Notifications.FindNotifications(r.Context(), notify.Filter{Unread: v.Only, Offset: v.offset(), Limit: pageSize})
	if err != nil {
		return err
	}
	v.Unread = unread
	v.link(r.URL, total)
	for _, n := range items {
		v.Items = append(v.Items, inboxItem{ID: n.ID, Title: n.Title(v.L.EN()), Body: n.Body(v.L.EN()), Link: n.Link, Read: n.Read,
			At: n.CreatedAt.In(cst).Format("2006-01-02 15:04")})
	}
	if v.Actor.Role == chanye.RoleAdmin && s.cfg.Deliveries != nil {
		failed := notify.DeliveryFailed
		ds, total, counts, err := s.cfg.Deliveries.FindDeliveries(r.Context(), notify.DeliveryFilter{Status: &failed, Limit: 20})
		if err != nil {
			return err
		}
		v.Mail, v.FailedMore = &counts, total-len(ds)
		for _, d := range ds {
			v.Failed = append(v.Failed, deliveryRow{ID: d.ID, Notification: d.Notification.ID, Title: d.Notification.Title(v.L.EN()),
				User: d.UserName, Email: d.Email, Status: string(d.Status), Attempts: d.Attempts, Error: d.LastError,
				At: d.UpdatedAt.In(cst).Format("2006-01-02 15:04")})
		}
	}
	return s.render(w, "inbox", v)
}

// openNotification marks a notification read and goes to its page (the
// inbox when it has none). A GET, so that it is an ordinary link: marking
// one's own notification read is the only thing it changes.
func (s *Server) openNotification(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Notifications == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置通知 / no notifications configured")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return chanye.Errorf(chanye.ENOTFOUND, "通知不存在 / no such notification")
	}
	n, err := s.cfg.Notifications.OpenNotification(r.Context(), id)
	if err != nil {
		return err
	}
	to := n.Link
	if to == "" {
		to = "/inbox"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// markRead marks the notification named by the form's id read, or all of
// them without one (全部标为已读), and goes back to the inbox.
func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Notifications == nil {
		return chanye.Errorf(chanye.ENOTFOUND, "未配置通知 / no notifications configured")
	}
	var ids []int64
	if v := r.PostFormValue("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return chanye.Invalid("参数有误 / bad parameters", map[string]string{"id": "须为通知编号 / must be a notification id"})
		}
		ids = append(ids, id)
	}
	if _, err := s.cfg.Notifications.MarkRead(r.Context(), ids...); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox?marked=1", http.StatusSeeOther)
	return nil
}

// changeOwnEmail sets the account's e-mail address for notifications.
func (s *Server) changeOwnEmail(w http.ResponseWriter, r *http.Request) error {
	accounts, _, err := s.accounts()
	if err != nil {
		return err
	}
	v := &accountView{page: s.newPage(r, "")}
	if v.Actor.UserID == 0 {
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	v.Title = v.L.T("acct.title")
	_, err = accounts.ChangeOwnEmail(r.Context(), r.PostFormValue("email"))
	switch chanye.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/account?email=1", http.StatusSeeOther)
		return nil
	case chanye.EINVALID:
		v.Email = r.PostFormValue("email")
		v.Message, v.Errs = errText(r, err), errFields(r, err)
		return s.renderStatus(w, http.StatusBadRequest, "account", v)
	}
	return err
}
