package authz

import (
	"context"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/notify"
)

// Notification actions.
const (
	ReadInbox      Action = "read its notifications"
	ReadDeliveries Action = "read the e-mail deliveries"
)

// notificationRules: every signed-in account reads and marks its own
// inbox (Own: the store reads only the inbox of the actor's account and
// scope, there is no way to name another's); the e-mail queue, with its
// addresses and errors, is for administrators.
var notificationRules = Rules{
	ReadInbox:      {admin: Own, leader: Own, department: Own, taskForce: Own, district: Own, enterprise: Own},
	ReadDeliveries: {admin: Allow},
}

// NotificationRules returns the notifications' rules, for review and tests.
func NotificationRules() Rules { return notificationRules }

type notifications struct {
	inner notify.Service
}

// Notifications returns inner guarded by notificationRules: the public
// and actors without an account (EUNAUTHORIZED) have no inbox.
func Notifications(inner notify.Service) notify.Service {
	return &notifications{inner: inner}
}

var _ notify.Service = (*notifications)(nil)

// ownInbox checks that the actor may read an inbox and has one of its own.
func ownInbox(ctx context.Context) error {
	a, _, err := check(ctx, notificationRules, ReadInbox)
	if err != nil {
		return err
	}
	if _, ok := notify.ScopeOf(a); a.UserID == 0 || !ok {
		return chanye.Errorf(chanye.EUNAUTHORIZED, "请以账号登录 / sign in with an account to read notifications")
	}
	return nil
}

func (s *notifications) FindNotifications(ctx context.Context, f notify.Filter) ([]*notify.Notification, int, int, error) {
	if err := ownInbox(ctx); err != nil {
		return nil, 0, 0, err
	}
	return s.inner.FindNotifications(ctx, f)
}

func (s *notifications) CountUnread(ctx context.Context) (int, error) {
	if err := ownInbox(ctx); err != nil {
		return 0, err
	}
	return s.inner.CountUnread(ctx)
}

func (s *notifications) MarkRead(ctx context.Context, ids ...int64) (int, error) {
	if err := ownInbox(ctx); err != nil {
		return 0, err
	}
	return s.inner.MarkRead(ctx, ids...)
}

func (s *notifications) OpenNotification(ctx context.Context, id int64) (*notify.Notification, error) {
	if err := ownInbox(ctx); err != nil {
		return nil, err
	}
	return s.inner.OpenNotification(ctx, id)
}

type deliveries struct {
	inner notify.DeliveryReader
}

// Deliveries returns inner guarded by notificationRules.
func Deliveries(inner notify.DeliveryReader) notify.DeliveryReader {
	return &deliveries{inner: inner}
}

func (s *deliveries) FindDeliveries(ctx context.Context, f notify.DeliveryFilter) ([]*notify.Delivery, int, notify.DeliveryCounts, error) {
	if _, _, err := check(ctx, notificationRules, ReadDeliveries); err != nil {
		return nil, 0, notify.DeliveryCounts{}, err
	}
	return s.inner.FindDeliveries(ctx, f)
}
