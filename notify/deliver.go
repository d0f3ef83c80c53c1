package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// DeliveryStatus is where an e-mail of a notification to one account is.
type DeliveryStatus string

// The statuses of a delivery: pending until sent, or failed once
// MaxAttempts attempts have failed.
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed"
)

// Delivery is one e-mail of a notification to one account's address.
type Delivery struct {
	ID           int64          `json:"id"`
	Notification *Notification  `json:"notification"`
	UserID       int64          `json:"user_id"`
	UserName     string         `json:"user_name"`
	Email        string         `json:"email"`
	Status       DeliveryStatus `json:"status"`
	Attempts     int            `json:"attempts"`
	LastError    string         `json:"last_error,omitempty"`
	NextAt       time.Time      `json:"next_at,omitzero"`
	SentAt       time.Time      `json:"sent_at,omitzero"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// MaxAttempts bounds how often one e-mail is tried: after that many
// failures it is failed for good, and counted as such.
const MaxAttempts = 5

// MaxAge is how old a notification may be when e-mail is first arranged
// for it: a server that starts sending after a long time without SMTP
// does not flood the accounts with old news (the inbox has it all).
const MaxAge = 72 * time.Hour

// Backoff returns how long to wait after a delivery's attempts-th failure
// before the next try, and false when it was the last one.
func Backoff(attempts int) (time.Duration, bool) {
	if attempts >= MaxAttempts {
		return 0, false
	}
	return time.Minute << (2 * (attempts - 1)), true // 1, 4, 16, 64 minutes
}

// DeliveryCounts are how many deliveries are in each status.
type DeliveryCounts struct {
	Pending int `json:"pending"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
}

// DeliveryFilter selects deliveries, newest first.
type DeliveryFilter struct {
	Status *DeliveryStatus
	Offset int
	Limit  int
}

// DeliveryService is the e-mail queue: the sender's side (Queue, Due,
// Record) needs no actor and is not for requests; FindDeliveries is for
// administrators (authz guards it for requests).
type DeliveryService interface {
	// QueueDeliveries arranges an e-mail to every enabled account with an
	// address in the scope of each notification not yet arranged, and
	// returns how many it queued. Notifications older than MaxAge get
	// none.
	QueueDeliveries(ctx context.Context) (int, error)
	// DueDeliveries returns up to limit pending deliveries whose time has
	// come, oldest first, with their notifications.
	DueDeliveries(ctx context.Context, limit int) ([]*Delivery, error)
	// RecordDelivery records an attempt: sent when sendErr is nil, else
	// the error and the next try by Backoff, or failed after MaxAttempts.
	// It returns the delivery as recorded.
	RecordDelivery(ctx context.Context, id int64, sendErr error) (*Delivery, error)
	DeliveryReader
}

// DeliveryReader reads the e-mail queue, for administrators.
type DeliveryReader interface {
	// FindDeliveries returns a page of deliveries, newest first, the total
	// and the counts by status.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, int, DeliveryCounts, error)
}

// Email is one message to send.
type Email struct {
	To      string
	Subject string
	Body    string
	Date    time.Time
	// ID is unique per delivery, for the Message-ID header.
	ID string
}

// Mailer sends e-mail (smtpmail.Mailer).
type Mailer interface {
	Send(ctx context.Context, e *Email) error
}

// Sender moves the e-mail queue: every Interval it queues the new
// notifications' deliveries and sends those due, recording each attempt.
// Nothing fails silently: every failure is recorded with its error on the
// delivery (shown to administrators on their inbox page), logged, and
// counted (Observe).
type Sender struct {
	Store  DeliveryService
	Mailer Mailer
	// Now is the clock of the e-mails' Date; the store's clock decides
	// what is due.
	Now func() time.Time
	Log *slog.Logger
	// BaseURL prefixes the notifications' links in the e-mails
	// ("https://chanye.example.org"); without it the path alone is given.
	BaseURL  string
	Interval time.Duration // 0: 30 seconds
	Batch    int           // deliveries per round; 0: 50
	// Observe is told of every attempt, when set (metrics.ObserveEmail).
	Observe func(err error)
}

// Run sends until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	every := s.Interval
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Once(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("notify: e-mail round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round is what one round of Once did.
type Round struct {
	Queued, Sent, Failed int
}

// Once queues and sends one round; it returns what it did. A failed
// e-mail is not an error of the round: it is recorded and retried.
func (s *Sender) Once(ctx context.Context) (Round, error) {
	var r Round
	n, err := s.Store.QueueDeliveries(ctx)
	if err != nil {
		return r, err
	}
	r.Queued = n
	batch := s.Batch
	if batch <= 0 {
		batch = 50
	}
	due, err := s.Store.DueDeliveries(ctx, batch)
	if err != nil {
		return r, err
	}
	for _, d := range due {
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		sendErr := s.Mailer.Send(ctx, s.email(d))
		if s.Observe != nil {
			s.Observe(sendErr)
		}
		rec, err := s.Store.RecordDelivery(ctx, d.ID, sendErr)
		if err != nil {
			return r, err
		}
		if sendErr == nil {
			r.Sent++
			continue
		}
		r.Failed++
		s.log().Warn("notify: e-mail failed", "delivery", d.ID, "notification", d.Notification.ID, "user", d.UserName,
			"attempts", rec.Attempts, "status", rec.Status, "err", sendErr)
	}
	return r, nil
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// email is the message of a delivery: Chinese first, then English.
func (s *Sender) email(d *Delivery) *Email {
	n := d.Notification
	var b strings.Builder
	b.WriteString(n.TitleZH + "\n")
	if n.BodyZH != "" {
		b.WriteString("\n" + n.BodyZH + "\n")
	}
	b.WriteString("\n" + n.TitleEN + "\n")
	if n.BodyEN != "" {
		b.WriteString("\n" + n.BodyEN + "\n")
	}
	if n.Link != "" {
		b.WriteString("\n查看 / View: " + strings.TrimSuffix(s.BaseURL, "/") + n.Link + "\n")
	}
	b.WriteString("\n——\n此邮件由 chanye 通知发送；全部通知见 /inbox。\nSent by chanye's notifications; all of them are in /inbox.\n")
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return &Email{To: d.Email, Subject: n.TitleZH + " / " + n.TitleEN, Body: b.String(), Date: now(),
		ID: fmt.Sprintf("notification-%d-delivery-%d", n.ID, d.ID)}
}
