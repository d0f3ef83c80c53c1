package smtpmail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/auth"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/smtpmail"
	"github.com/chanye-org/chanye/sqlstore/sqlstoretest"
)

// received is one message the in-process server accepted.
type received struct {
	from, to, user string
	data           []byte
}

// server is an in-process SMTP server (github.com/emersion/go-smtp) on
// 127.0.0.1 that keeps what it receives and refuses recipients at
// refused.example.
type server struct {
	mu   sync.Mutex
	msgs []received
	user string // the user a session authenticated as
	host string
	port int
}

func (s *server) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type session struct {
	srv        *server
	from, user string
	to         []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "chanye" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@refused.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	for _, to := range s.to {
		s.srv.msgs = append(s.srv.msgs, received{from: s.from, to: to, user: s.user, data: b})
	}
	return nil
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// startServer serves SMTP on a free port of 127.0.0.1 until the test
// ends; with tlsCfg it offers STARTTLS.
func startServer(t *testing.T, tlsCfg *tls.Config) *server {
	t.Helper()
	srv := &server{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: srv}, nil }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.TLSConfig = tlsCfg
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	srv.host = host
	srv.port, _ = strconv.Atoi(port)
	return srv
}

func mailer(t *testing.T, cfg smtpmail.Config) *smtpmail.Mailer {
	t.Helper()
	m, err := smtpmail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSend delivers one message with authentication and reads it back as
// a mail reader would: headers, the encoded subject, the UTF-8 body.
func TestSend(t *testing.T) {
	srv := startServer(t, nil)
	m := mailer(t, smtpmail.Config{Host: srv.host, Port: srv.port, From: "chanye@example.org", Username: "chanye", Password: "s3cret"})
	date := time.Date(2025, 6, 15, 9, 30, 0, 0, time.UTC)
	err := m.Send(context.Background(), &notify.Email{To: "boss@example.org", Subject: "异议已答复 / Objection answered\r\nBcc: evil@example.org",
		Body: "处理意见：数据无误\n\nResolution: confirmed", Date: date, ID: "notification-1-delivery-2"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 || msgs[0].from != "chanye@example.org" || msgs[0].to != "boss@example.org" || msgs[0].user != "chanye" {
		t.Fatalf("received %+v", msgs)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(msgs[0].data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "异议已答复 / Objection answered Bcc: evil@example.org" {
		t.Errorf("subject %q, %v", subject, err)
	}
	if len(msg.Header["Bcc"]) != 0 {
		t.Errorf("a line break in the subject made a header: %v", msg.Header)
	}
	if got, _ := msg.Header.Date(); !got.Equal(date) {
		t.Errorf("Date %v, want the given clock's %v", got, date)
	}
	if id := msg.Header.Get("Message-ID"); id != "<notification-1-delivery-2@example.org>" {
		t.Errorf("Message-ID %q", id)
	}
	body, _ := io.ReadAll(msg.Body)
	dec, err := io.ReadAll(base64Reader(body))
	if err != nil || string(dec) != "处理意见：数据无误\r\n\r\nResolution: confirmed" {
		t.Errorf("body %q, %v", dec, err)
	}
}

// TestSendFailures: each failure says which step failed and why.
func TestSendFailures(t *testing.T) {
	srv := startServer(t, nil)
	ctx := context.Background()
	e := &notify.Email{To: "nobody@refused.example", Subject: "x", Body: "x", Date: testclock.Now(), ID: "1"}
	err := mailer(t, smtpmail.Config{Host: srv.host, Port: srv.port, From: "chanye@example.org"}).Send(ctx, e)
	if err == nil || !strings.Contains(err.Error(), "RCPT TO nobody@refused.example") || !strings.Contains(err.Error(), "550") {
		t.Errorf("refused recipient: %v", err)
	}
	e.To = "boss@example.org"
	err = mailer(t, smtpmail.Config{Host: srv.host, Port: srv.port, From: "chanye@example.org", Username: "chanye", Password: "wrong"}).Send(ctx, e)
	if err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("wrong password: %v", err)
	}
	err = mailer(t, smtpmail.Config{Host: srv.host, Port: srv.port, From: "chanye@example.org", StartTLS: true}).Send(ctx, e)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("STARTTLS required, not offered: %v", err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	err = mailer(t, smtpmail.Config{Host: "127.0.0.1", Port: port, From: "chanye@example.org"}).Send(ctx, e)
	if err == nil || !strings.Contains(err.Error(), "connect") {
		t.Errorf("no server: %v", err)
	}
	if len(srv.messages()) != 0 {
		t.Errorf("%d messages got through", len(srv.messages()))
	}
	if _, err := smtpmail.New(smtpmail.Config{Host: "x", From: "Chanye <c@example.org>"}); err == nil {
		t.Error("a From with a display name was accepted")
	}
	if _, err := smtpmail.New(smtpmail.Config{Host: "x", From: "c@example.org", Password: "p"}); err == nil {
		t.Error("a password without a user was accepted")
	}
}

// TestStartTLS upgrades the connection to TLS before authenticating.
func TestStartTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	m := mailer(t, smtpmail.Config{Host: srv.host, Port: srv.port, From: "chanye@example.org", Username: "chanye", Password: "s3cret",
		StartTLS: true, TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}})
	if err := m.Send(context.Background(), &notify.Email{To: "boss@example.org", Subject: "x", Body: "x", Date: testclock.Now(), ID: "1"}); err != nil {
		t.Fatal(err)
	}
	if len(srv.messages()) != 1 {
		t.Fatalf("%d messages", len(srv.messages()))
	}
	// Without the server's certificate trusted, nothing is sent.
	m = mailer(t, smtpmail.Config{Host: srv.host, Port: srv.port, From: "chanye@example.org", StartTLS: true})
	if err := m.Send(context.Background(), &notify.Email{To: "boss@example.org", Subject: "x", Body: "x", Date: testclock.Now(), ID: "2"}); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("untrusted certificate: %v", err)
	}
}

// TestSenderDelivers runs the sender over a real store: a notification is
// mailed to the scope's accounts with an address, once; a refused address
// is recorded with its error, retried after its backoff, and failed for
// good after notify.MaxAttempts, counted each time.
func TestSenderDelivers(t *testing.T) {
	{
		db, store := sqlstoretest.NewWithDB(t)
		now := testclock.Now()
		db.Now = func() time.Time { return now }
		op := chanye.WithActor(context.Background(), chanye.Operator)
		for _, u := range []*auth.User{
			{Name: "boss", Role: chanye.RoleLeader, Email: "boss@example.org"},
			{Name: "boss-2", Role: chanye.RoleLeader, Email: "boss2@refused.example"},
			{Name: "boss-3", Role: chanye.RoleLeader}, // no address
			{Name: "root", Role: chanye.RoleAdmin, Email: "root@example.org"},
		} {
			if err := store.CreateUser(op, u, "a-long-enough-password"); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.Notify(op, notify.Message{Kind: notify.Supervision, Subject: "supervision/1", TitleZH: "收到督办", TitleEN: "Supervision received",
			BodyZH: "请于周五前答复", BodyEN: "Answer by Friday", Link: "/projects/GZ-1"}, notify.Leaders); err != nil {
			t.Fatal(err)
		}
		srv := startServer(t, nil)
		failures := 0
		s := &notify.Sender{Store: store, Mailer: mailer(t, smtpmail.Config{Host: srv.host, Port: srv.port, From: "chanye@example.org"}),
			Now: func() time.Time { return now }, BaseURL: "https://chanye.example.org/", Observe: func(err error) {
				if err != nil {
					failures++
				}
			}}
		r, err := s.Once(context.Background())
		if err != nil || r != (notify.Round{Queued: 2, Sent: 1, Failed: 1}) || failures != 1 {
			t.Fatalf("round %+v, %d failures, %v", r, failures, err)
		}
		msgs := srv.messages()
		if len(msgs) != 1 || msgs[0].to != "boss@example.org" {
			t.Fatalf("received %+v", msgs)
		}
		msg, _ := mail.ReadMessage(bytes.NewReader(msgs[0].data))
		body, _ := io.ReadAll(msg.Body)
		text, _ := io.ReadAll(base64Reader(body))
		for _, want := range []string{"收到督办", "请于周五前答复", "Supervision received", "https://chanye.example.org/projects/GZ-1"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("the e-mail lacks %q:\n%s", want, text)
			}
		}
		if r, _ := s.Once(context.Background()); r != (notify.Round{}) {
			t.Errorf("a second round at once did %+v, want nothing (the refused one waits)", r)
		}
		for i := 1; i < notify.MaxAttempts; i++ {
			wait, _ := notify.Backoff(i)
			now = now.Add(wait)
			if r, err := s.Once(context.Background()); err != nil || r.Failed != 1 {
				t.Fatalf("retry %d: %+v, %v", i, r, err)
			}
		}
		now = now.Add(24 * time.Hour)
		if r, _ := s.Once(context.Background()); r != (notify.Round{}) {
			t.Errorf("after the last try: %+v, want nothing", r)
		}
		if failures != notify.MaxAttempts {
			t.Errorf("%d failures counted, want %d", failures, notify.MaxAttempts)
		}
		failed := notify.DeliveryFailed
		ds, _, counts, err := store.FindDeliveries(op, notify.DeliveryFilter{Status: &failed})
		if err != nil || len(ds) != 1 || ds[0].Email != "boss2@refused.example" || !strings.Contains(ds[0].LastError, "550") ||
			counts != (notify.DeliveryCounts{Sent: 1, Failed: 1}) {
			t.Fatalf("failed deliveries %+v, counts %+v, %v", ds, counts, err)
		}
		if len(srv.messages()) != 1 {
			t.Errorf("%d messages, want 1", len(srv.messages()))
		}
	}
}

func base64Reader(b []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.ReplaceAll(b, []byte("\r\n"), nil)))
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Unix(0, 0), NotAfter: time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
