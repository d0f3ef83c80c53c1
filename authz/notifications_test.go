package authz_test

import (
	"context"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/notify"
)

// inbox is an in-memory notify.Service that answers with the actor's
// user id as the unread count.
type inbox struct{ notify.Service }

func (inbox) CountUnread(ctx context.Context) (int, error) {
	return int(chanye.ActorFrom(ctx).UserID), nil
}

type queue struct{}

func (queue) FindDeliveries(context.Context, notify.DeliveryFilter) ([]*notify.Delivery, int, notify.DeliveryCounts, error) {
	return nil, 7, notify.DeliveryCounts{}, nil
}

// TestNotificationsGuard: every account reads its own inbox; the public
// and actors without an account have none; only admins read the e-mail
// queue.
func TestNotificationsGuard(t *testing.T) {
	svc, q := authz.Notifications(inbox{}), authz.Deliveries(queue{})
	for _, c := range []struct {
		name        string
		actor       *chanye.Actor
		inbox, mail string
	}{
		{"admin", &chanye.Actor{UserID: 1, Role: chanye.RoleAdmin}, "", ""},
		{"leader", &chanye.Actor{UserID: 2, Role: chanye.RoleLeader}, "", chanye.EFORBIDDEN},
		{"department", &chanye.Actor{UserID: 3, Role: chanye.RoleDepartment, Department: "工信局"}, "", chanye.EFORBIDDEN},
		{"task force", &chanye.Actor{UserID: 4, Role: chanye.RoleTaskForce, IndustryID: "auto"}, "", chanye.EFORBIDDEN},
		{"enterprise", &chanye.Actor{UserID: 5, Role: chanye.RoleEnterprise, Code: "91440101MA5D0001XX"}, "", chanye.EFORBIDDEN},
		{"department without its name", &chanye.Actor{UserID: 6, Role: chanye.RoleDepartment}, chanye.EUNAUTHORIZED, chanye.EFORBIDDEN},
		{"the operator, no account", chanye.Operator, chanye.EUNAUTHORIZED, ""},
		{"public", chanye.Public, chanye.EUNAUTHORIZED, chanye.EUNAUTHORIZED},
	} {
		ctx := chanye.WithActor(context.Background(), c.actor)
		n, err := svc.CountUnread(ctx)
		if got := chanye.ErrorCode(err); got != c.inbox || err == nil && n != int(c.actor.UserID) {
			t.Errorf("%s reads its inbox: %d, %v; want %q", c.name, n, err, c.inbox)
		}
		_, total, _, err := q.FindDeliveries(ctx, notify.DeliveryFilter{})
		if got := chanye.ErrorCode(err); got != c.mail || err == nil && total != 7 {
			t.Errorf("%s reads the e-mail queue: %v; want %q", c.name, err, c.mail)
		}
	}
}
