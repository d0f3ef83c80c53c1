// Package smtpmail sends chanye's e-mail through an SMTP server (net/smtp):
// one connection per message, STARTTLS when configured (and then
// required), PLAIN authentication when a user name is given. Messages are
// UTF-8 plain text, base64-encoded, with RFC 2047 subjects.
package smtpmail

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/chanye-org/chanye/notify"
)

// Config says where and how to send.
type Config struct {
	Host     string
	Port     int    // 0: 587 with STARTTLS, else 25
	From     string // the sender's address, e.g. chanye@example.org
	Username string // empty: no authentication
	Password string
	// StartTLS upgrades the connection before anything else is said, and
	// fails when the server cannot.
	StartTLS bool
	// TLS configures STARTTLS; nil: verify the server as Host.
	TLS *tls.Config
	// Timeout bounds one message, connection to QUIT; 0: 30 seconds.
	Timeout time.Duration
	// HelloName is the name given in EHLO; empty: localhost.
	HelloName string
}

// Enabled reports whether c names a server to send through.
func (c Config) Enabled() bool { return c.Host != "" }

// Validate checks c: a From address, a port in range, and a password only
// with a user name.
func (c Config) Validate() error {
	var errs []string
	if a, err := mail.ParseAddress(c.From); err != nil || a.Name != "" {
		errs = append(errs, fmt.Sprintf("发件地址无效 %q / invalid sender address", c.From))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Sprintf("端口无效 %d / invalid port", c.Port))
	}
	if c.Password != "" && c.Username == "" {
		errs = append(errs, "有密码而无用户名 / a password without a user name")
	}
	if len(errs) > 0 {
		return errors.New("smtp: " + strings.Join(errs, "; "))
	}
	return nil
}

// Mailer sends through the configured server.
type Mailer struct {
	cfg Config
}

var _ notify.Mailer = (*Mailer)(nil)

// New returns a mailer for cfg, or the error of cfg.Validate.
func New(cfg Config) (*Mailer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Port == 0 {
		cfg.Port = 25
		if cfg.StartTLS {
			cfg.Port = 587
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	return &Mailer{cfg: cfg}, nil
}

// Send delivers e to its one recipient. The error says at which step the
// server refused.
func (m *Mailer) Send(ctx context.Context, e *notify.Email) error {
	if _, err := mail.ParseAddress(e.To); err != nil {
		return fmt.Errorf("smtp: recipient %q: %w", e.To, err)
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	addr := net.JoinHostPort(m.cfg.Host, strconv.Itoa(m.cfg.Port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: connect %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Closing the connection when ctx ends unblocks whatever step waits.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: greeting from %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(m.cfg.HelloName); err != nil {
		return fmt.Errorf("smtp: EHLO: %w", err)
	}
	if m.cfg.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("smtp: %s does not offer STARTTLS", addr)
		}
		tc := m.cfg.TLS
		if tc == nil {
			tc = &tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	}
	if m.cfg.Username != "" {
		// PlainAuth itself refuses to send the password unencrypted to
		// anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host)); err != nil {
			return fmt.Errorf("smtp: AUTH: %w", err)
		}
	}
	if err := c.Mail(m.cfg.From); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(e.To); err != nil {
		return fmt.Errorf("smtp: RCPT TO %s: %w", e.To, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(m.message(e)); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("smtp: QUIT: %w", err)
	}
	return nil
}

// message is e as an RFC 5322 message from the configured sender.
func (m *Mailer) message(e *notify.Email) []byte {
	var b strings.Builder
	host := m.cfg.From[strings.LastIndex(m.cfg.From, "@")+1:]
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", m.cfg.From)
	header("To", e.To)
	// A title is one line: a line break in it would start a header of its own.
	header("Subject", mime.BEncoding.Encode("UTF-8", strings.Join(strings.Fields(e.Subject), " ")))
	header("Date", e.Date.Format(time.RFC1123Z))
	header("Message-ID", "<"+e.ID+"@"+host+">")
	header("MIME-Version", "1.0")
	header("Content-Type", `text/plain; charset="UTF-8"`)
	header("Content-Transfer-Encoding", "base64")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	body := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(e.Body, "\n", "\r\n")))
	for len(body) > 76 {
		b.WriteString(body[:76] + "\r\n")
		body = body[76:]
	}
	b.WriteString(body + "\r\n")
	return []byte(b.String())
}
