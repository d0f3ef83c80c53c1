package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/notify"
)

// Notifications: the inbox (notify.Service) and the e-mail queue
// (notify.DeliveryService). Notifications are written by tx.notify inside
// the transaction of the action they report.

var (
	_ notify.Service         = (*Store)(nil)
	_ notify.DeliveryService = (*Store)(nil)
)

// notify stores m for each scope, in the transaction of the action it
// reports; an event already told to a scope (same kind and subject) is
// not told again. Adding a kind is one call where it happens, e.g. for a
// 督办:
//
//	err := tx.notify(ctx, notify.Message{Kind: notify.Supervision, Subject: "supervision/" + itoa(id),
//		TitleZH: "收到督办：" + title, TitleEN: "Supervision received: " + title, Link: "/projects/" + pid}, notify.Department(dept))
//
// Scopes that are not valid (a project without a department, say) are
// skipped: there is no one to tell.
func (tx *txn) notify(ctx context.Context, m notify.Message, scopes ...notify.Scope) error {
	if err := m.Validate(); err != nil {
		return err
	}
	seen := map[notify.Scope]bool{}
	for _, sc := range scopes {
		if !sc.Valid() || seen[sc] {
			continue
		}
		seen[sc] = true
		if _, err := tx.exec(ctx, `INSERT INTO notifications (scope_role, scope_key, kind, subject, title_zh, title_en, body_zh, body_en, link, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, subject, scope_role, scope_key) DO NOTHING`,
			string(sc.Role), sc.Key, string(m.Kind), m.Subject, m.TitleZH, m.TitleEN, m.BodyZH, m.BodyEN, m.Link, tx.now.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// Notify stores m for the scopes in a transaction of its own, for a
// notification that no store write carries (an announcement by the
// operator, say): writes of the store call tx.notify in their own
// transaction instead. Admins only (EFORBIDDEN, EUNAUTHORIZED); audited.
func (s *Store) Notify(ctx context.Context, m notify.Message, scopes ...notify.Scope) error {
	if err := auth.RequireAdmin(ctx); err != nil {
		return err
	}
	return s.db.transact(ctx, false, func(tx *txn) error {
		if err := tx.notify(ctx, m, scopes...); err != nil {
			return err
		}
		return tx.audit(ctx, "notify", "notification", m.Subject, nil, map[string]any{"message": m, "scopes": scopes})
	})
}

// inbox is the signed-in account whose inbox a call reads: its role's
// scope and its own (notify.User; the role's again for an account
// without a name).
type inbox struct {
	user       int64
	scope, own notify.Scope
}

// cond is the condition on notifications (alias n, or none when "") that
// selects the inbox's two scopes, and its arguments.
func (in inbox) cond(n string) (string, []any) {
	if n != "" {
		n += "."
	}
	return `((` + n + `scope_role = ? AND ` + n + `scope_key = ?) OR (` + n + `scope_role = ? AND ` + n + `scope_key = ?))`,
		[]any{string(in.scope.Role), in.scope.Key, string(in.own.Role), in.own.Key}
}

var errNoInbox = chanye.Bilingual(chanye.EUNAUTHORIZED, "请先登录", "sign in to read your notifications")

func inboxOf(ctx context.Context) (inbox, error) {
	a := chanye.ActorFrom(ctx)
	sc, ok := notify.ScopeOf(a)
	if a.UserID == 0 || !ok {
		return inbox{}, errNoInbox
	}
	in := inbox{user: a.UserID, scope: sc, own: notify.User(a.Name)}
	if !in.own.Valid() {
		in.own = sc
	}
	return in, nil
}

// readThrough is the account's cursor: every notification of its scope
// with an id up to it is read.
const readThrough = `COALESCE((SELECT c.read_through FROM notification_cursors c WHERE c.user_id = ?), 0)`

// readExpr says whether notification n is read by the account (its id
// twice: the cursor's and the reads').
const readExpr = `CASE WHEN n.id <= ` + readThrough + ` OR EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = ? AND r.notification_id = n.id) THEN 1 ELSE 0 END`

const notificationColumns = `n.id, n.scope_role, n.scope_key, n.kind, n.subject, n.title_zh, n.title_en, n.body_zh, n.body_en, n.link, n.created_at`

func scanNotification(row interface{ Scan(...any) error }, extra ...any) (*notify.Notification, error) {
	var (
		n       notify.Notification
		created int64
	)
	if err := row.Scan(append([]any{&n.ID, &n.Scope.Role, &n.Scope.Key, &n.Kind, &n.Subject, &n.TitleZH, &n.TitleEN,
		&n.BodyZH, &n.BodyEN, &n.Link, &created}, extra...)...); err != nil {
		return nil, err
	}
	n.CreatedAt = time.UnixMilli(created).UTC()
	return &n, nil
}

// countUnread is the inbox's unread count: one range of the scope index
// past the account's cursor.
func countUnread(ctx context.Context, tx *txn, in inbox) (int, error) {
	cond, args := in.cond("n")
	return count(ctx, tx, `SELECT COUNT(*) FROM notifications n WHERE `+cond+` AND n.id > `+readThrough+`
		AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = ? AND r.notification_id = n.id)`,
		append(args, in.user, in.user)...)
}

// FindNotifications returns a page of the actor's inbox, newest first,
// the total and the unread count. EUNAUTHORIZED without an account,
// EINVALID on bad paging.
func (s *Store) FindNotifications(ctx context.Context, f notify.Filter) ([]*notify.Notification, int, int, error) {
	in, err := inboxOf(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, 0, err
	}
	var w where
	cond, args := in.cond("n")
	w.add(cond, args...)
	if f.Unread {
		w.add(`n.id > `+readThrough+` AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = ? AND r.notification_id = n.id)`, in.user, in.user)
	}
	var (
		out           []*notify.Notification
		total, unread int
	)
	err = s.db.transact(ctx, true, func(tx *txn) error {
		if unread, err = countUnread(ctx, tx, in); err != nil {
			return err
		}
		// The read state's two ids come first: the columns precede the
		// filter's placeholders.
		cols := notificationColumns + `, ` + readExpr
		if total, err = count(ctx, tx, `SELECT COUNT(*) FROM notifications n`+w.String(), w.args...); err != nil || total <= f.Offset {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+cols+` FROM notifications n`+w.String()+` ORDER BY n.id DESC LIMIT ? OFFSET ?`,
			append(append([]any{in.user, in.user}, w.args...), limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var read int
			n, err := scanNotification(rows, &read)
			if err != nil {
				return err
			}
			n.Read = read == 1
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, 0, err
	}
	if out == nil {
		out = []*notify.Notification{}
	}
	return out, total, unread, nil
}

// CountUnread returns the actor's unread count. EUNAUTHORIZED.
func (s *Store) CountUnread(ctx context.Context) (int, error) {
	in, err := inboxOf(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		n, err = countUnread(ctx, tx, in)
		return err
	})
	return n, err
}

// cursorLag is how old the newest notification may be that 全部标为已读
// moves the cursor to. Identities are handed out at INSERT and on
// PostgreSQL commit in any order: a notification whose transaction has
// not committed yet may hold an id below one already visible, and a
// cursor moved past it would mark it read unseen. No transaction that
// writes a notification lasts this long; the younger ones are marked one
// by one.
const cursorLag = 10 * time.Minute

// MarkRead marks the given notifications of the actor's inbox read, or
// all of them when ids is empty, and returns the unread count. Reading is
// the account's own state, not a change to any record: it is not audited,
// as sessions are not. ENOTFOUND for an id outside the inbox,
// EUNAUTHORIZED.
func (s *Store) MarkRead(ctx context.Context, ids ...int64) (int, error) {
	in, err := inboxOf(ctx)
	if err != nil {
		return 0, err
	}
	var unread int
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if len(ids) > 0 {
			for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
				if err := markOne(ctx, tx, in, id); err != nil {
					return err
				}
			}
		} else if err := markAll(ctx, tx, in); err != nil {
			return err
		}
		unread, err = countUnread(ctx, tx, in)
		return err
	})
	return unread, err
}

// markOne marks one notification of the inbox read. ENOTFOUND.
func markOne(ctx context.Context, tx *txn, in inbox, id int64) error {
	var n int
	cond, args := in.cond("")
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE id = ? AND `+cond, append([]any{id}, args...)...).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return chanye.Errorf(chanye.ENOTFOUND, "通知 %d 不存在 / no notification %d", id, id)
	}
	_, err := tx.exec(ctx, `INSERT INTO notification_reads (user_id, notification_id, read_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id, notification_id) DO NOTHING`, in.user, id, tx.now.UnixMilli())
	return err
}

// markAll marks every notification of the inbox read: those younger than
// cursorLag one by one, the cursor moved to the newest older one, and the
// marks the cursor now covers dropped.
func markAll(ctx context.Context, tx *txn, in inbox) error {
	now := tx.now.UnixMilli()
	cond, args := in.cond("n")
	if _, err := tx.exec(ctx, `INSERT INTO notification_reads (user_id, notification_id, read_at)
		SELECT ?, n.id, ? FROM notifications n WHERE `+cond+` AND n.id > `+readThrough+`
			AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = ? AND r.notification_id = n.id)`,
		append(append([]any{in.user, now}, args...), in.user, in.user)...); err != nil {
		return err
	}
	var through sql.NullInt64
	plain, args := in.cond("")
	if err := tx.queryRow(ctx, `SELECT MAX(id) FROM notifications WHERE `+plain+` AND created_at <= ?`,
		append(args, tx.now.Add(-cursorLag).UnixMilli())...).Scan(&through); err != nil {
		return err
	}
	if !through.Valid {
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO notification_cursors (user_id, read_through, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET read_through = excluded.read_through, updated_at = excluded.updated_at
		WHERE excluded.read_through > notification_cursors.read_through`, in.user, through.Int64, now); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM notification_reads WHERE user_id = ? AND notification_id <= ?`, in.user, through.Int64)
	return err
}

// OpenNotification marks one notification of the actor's inbox read and
// returns it. ENOTFOUND, EUNAUTHORIZED.
func (s *Store) OpenNotification(ctx context.Context, id int64) (*notify.Notification, error) {
	in, err := inboxOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *notify.Notification
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if err := markOne(ctx, tx, in, id); err != nil {
			return err
		}
		out, err = scanNotification(tx.queryRow(ctx, `SELECT `+notificationColumns+` FROM notifications n WHERE n.id = ?`, id))
		if err != nil {
			return err
		}
		out.Read = true
		return nil
	})
	return out, err
}

// scopeUsers is the condition on users (columns unqualified) that selects
// the accounts of a scope.
func scopeUsers(sc notify.Scope) (string, []any) {
	switch sc.Role {
	case chanye.RoleEnterprise:
		return `role = ? AND code = ?`, []any{string(sc.Role), sc.Key}
	case chanye.RoleDepartment:
		return `role = ? AND department = ?`, []any{string(sc.Role), sc.Key}
	case chanye.RoleTaskForce:
		return `role = ? AND industry_id = ?`, []any{string(sc.Role), sc.Key}
	case chanye.RoleDistrict:
		return `role = ? AND district = ?`, []any{string(sc.Role), sc.Key}
	case notify.UserRole:
		return `name = ?`, []any{sc.Key}
	}
	return `role = ?`, []any{string(sc.Role)}
}

// queueBatch bounds the notifications one QueueDeliveries arranges; the
// next round takes the rest.
const queueBatch = 500

// QueueDeliveries arranges the e-mails of the notifications not yet
// arranged: one pending delivery per enabled account of the scope with an
// address. Notifications older than notify.MaxAge are marked arranged
// with none. It needs no actor: the sender calls it.
func (s *Store) QueueDeliveries(ctx context.Context) (int, error) {
	queued := 0
	err := s.db.transact(ctx, false, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT id, scope_role, scope_key, created_at FROM notifications WHERE queued_at IS NULL ORDER BY id LIMIT ?`, queueBatch)
		if err != nil {
			return err
		}
		type pending struct {
			id      int64
			scope   notify.Scope
			created int64
		}
		var ps []pending
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.id, &p.scope.Role, &p.scope.Key, &p.created); err != nil {
				rows.Close()
				return err
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := tx.now.UnixMilli()
		oldest := tx.now.Add(-notify.MaxAge).UnixMilli()
		for _, p := range ps {
			if p.created >= oldest {
				cond, args := scopeUsers(p.scope)
				res, err := tx.exec(ctx, `INSERT INTO notification_deliveries (notification_id, user_id, email, status, next_at, created_at, updated_at)
					SELECT ?, id, email, 'pending', ?, ?, ? FROM users WHERE disabled = 0 AND email <> '' AND `+cond+`
					ON CONFLICT (notification_id, user_id) DO NOTHING`,
					append([]any{p.id, now, now, now}, args...)...)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				queued += int(n)
			}
			if _, err := tx.exec(ctx, `UPDATE notifications SET queued_at = ? WHERE id = ?`, now, p.id); err != nil {
				return err
			}
		}
		return nil
	})
	return queued, err
}

const deliveryColumns = `d.id, d.user_id, u.name, d.email, d.status, d.attempts, d.last_error, d.next_at, d.sent_at, d.updated_at, ` + notificationColumns

const deliveryFrom = ` FROM notification_deliveries d JOIN users u ON u.id = d.user_id JOIN notifications n ON n.id = d.notification_id`

func scanDelivery(row interface{ Scan(...any) error }) (*notify.Delivery, error) {
	var (
		d             notify.Delivery
		next, updated int64
		sent          sql.NullInt64
	)
	n, err := scanNotification(scanFirst{row, []any{&d.ID, &d.UserID, &d.UserName, &d.Email, &d.Status, &d.Attempts, &d.LastError, &next, &sent, &updated}})
	if err != nil {
		return nil, err
	}
	d.Notification = n
	d.NextAt, d.UpdatedAt, d.SentAt = time.UnixMilli(next).UTC(), time.UnixMilli(updated).UTC(), fromMillis(sent)
	if d.Status != notify.DeliveryPending {
		d.NextAt = time.Time{}
	}
	return &d, nil
}

// scanFirst scans a row whose first columns go to first.
type scanFirst struct {
	row   interface{ Scan(...any) error }
	first []any
}

func (s scanFirst) Scan(dest ...any) error {
	return s.row.Scan(append(slices.Clip(s.first), dest...)...)
}

// DueDeliveries returns up to limit pending deliveries whose next try has
// come, oldest first.
func (s *Store) DueDeliveries(ctx context.Context, limit int) ([]*notify.Delivery, error) {
	var out []*notify.Delivery
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT `+deliveryColumns+deliveryFrom+` WHERE d.status = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?`,
			tx.now.UnixMilli(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// maxErrorText bounds the error kept on a delivery.
const maxErrorText = 500

// RecordDelivery records one attempt of a pending delivery: sent, or the
// error with the next try by notify.Backoff, failed after the last.
// ENOTFOUND; ECONFLICT when the delivery is not pending.
func (s *Store) RecordDelivery(ctx context.Context, id int64, sendErr error) (*notify.Delivery, error) {
	var out *notify.Delivery
	err := s.db.transact(ctx, false, func(tx *txn) error {
		d, err := scanDelivery(tx.queryRow(ctx, `SELECT `+deliveryColumns+deliveryFrom+` WHERE d.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return chanye.Errorf(chanye.ENOTFOUND, "投递 %d 不存在 / no delivery %d", id, id)
		} else if err != nil {
			return err
		}
		if d.Status != notify.DeliveryPending {
			return chanye.Errorf(chanye.ECONFLICT, "投递 %d 已%s / delivery %d is %s", id, d.Status, id, d.Status)
		}
		d.Attempts++
		d.UpdatedAt = tx.now
		next := tx.now
		if sendErr == nil {
			d.Status, d.SentAt, d.LastError = notify.DeliverySent, tx.now, ""
		} else {
			d.LastError = strings.ToValidUTF8(sendErr.Error(), "?")
			if r := []rune(d.LastError); len(r) > maxErrorText {
				d.LastError = string(r[:maxErrorText]) + "…"
			}
			d.LastError = strings.ReplaceAll(d.LastError, "\x00", "")
			if wait, again := notify.Backoff(d.Attempts); again {
				next = tx.now.Add(wait)
			} else {
				d.Status = notify.DeliveryFailed
			}
		}
		if _, err := tx.exec(ctx, `UPDATE notification_deliveries SET status = ?, attempts = ?, last_error = ?, next_at = ?, sent_at = ?, updated_at = ?
			WHERE id = ?`, string(d.Status), d.Attempts, d.LastError, next.UnixMilli(), millis(d.SentAt), tx.now.UnixMilli(), id); err != nil {
			return err
		}
		d.NextAt = time.Time{}
		if d.Status == notify.DeliveryPending {
			d.NextAt = next
		}
		out = d
		return nil
	})
	return out, err
}

// FindDeliveries returns a page of deliveries, newest first, the total and
// the counts by status. For administrators: authz guards it.
func (s *Store) FindDeliveries(ctx context.Context, f notify.DeliveryFilter) ([]*notify.Delivery, int, notify.DeliveryCounts, error) {
	var counts notify.DeliveryCounts
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, counts, err
	}
	var w where
	if f.Status != nil {
		w.add(`d.status = ?`, string(*f.Status))
	}
	var (
		out   []*notify.Delivery
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT status, COUNT(*) FROM notification_deliveries GROUP BY status`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				st string
				n  int
			)
			if err := rows.Scan(&st, &n); err != nil {
				rows.Close()
				return err
			}
			switch notify.DeliveryStatus(st) {
			case notify.DeliveryPending:
				counts.Pending = n
			case notify.DeliverySent:
				counts.Sent = n
			case notify.DeliveryFailed:
				counts.Failed = n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out, total, err = findPage(ctx, tx, deliveryColumns, deliveryFrom, w, `d.id DESC`, limit, f.Offset, scanDelivery)
		return err
	})
	if out == nil {
		out = []*notify.Delivery{}
	}
	return out, total, counts, err
}
