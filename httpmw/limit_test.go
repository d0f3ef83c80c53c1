package httpmw

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(RateLimit{PerMinute: 6, Burst: 2}) // a token every 10 s
	l.Now = func() time.Time { return now }
	from := func(addr string, a *chanye.Actor) *http.Request {
		r := httptest.NewRequest("POST", "/api/v1/policies/test", nil)
		r.RemoteAddr = addr + ":4321"
		if a != nil {
			r = r.WithContext(chanye.WithActor(r.Context(), a))
		}
		return r
	}
	try := func(r *http.Request) (error, string) {
		w := httptest.NewRecorder()
		err := l.Check(w, r)
		return err, w.Header().Get("Retry-After")
	}
	a := from("192.0.2.1", nil)
	for i := range 2 {
		if err, _ := try(a); err != nil {
			t.Fatalf("request %d within the burst: %v", i, err)
		}
	}
	err, retry := try(a)
	if chanye.ErrorCode(err) != chanye.ETOOMANY || retry != "10" {
		t.Fatalf("over the burst: %v, Retry-After %q; want ETOOMANY, 10", err, retry)
	}
	// A refused request spends nothing: the token is due in 10 s still.
	now = now.Add(5 * time.Second)
	if err, retry := try(a); err == nil || retry != "5" {
		t.Errorf("5 s later: %v, Retry-After %q; want refused, 5", err, retry)
	}
	now = now.Add(5 * time.Second)
	if err, _ := try(a); err != nil {
		t.Errorf("10 s later: %v", err)
	}
	// Other clients have their own buckets: another address, and an account
	// whatever address it comes from.
	if err, _ := try(from("192.0.2.2", nil)); err != nil {
		t.Errorf("another address: %v", err)
	}
	dept := &chanye.Actor{UserID: 7, Name: "工信局", Role: chanye.RoleDepartment}
	for i := range 2 {
		if err, _ := try(from("192.0.2.1", dept)); err != nil {
			t.Errorf("account, request %d: %v", i, err)
		}
	}
	if err, _ := try(from("198.51.100.9", dept)); chanye.ErrorCode(err) != chanye.ETOOMANY {
		t.Errorf("the account from another address: %v, want ETOOMANY", err)
	}
	// No limit configured: a nil limiter allows everything.
	off := NewLimiter(RateLimit{})
	if off != nil || off.Check(httptest.NewRecorder(), a) != nil {
		t.Error("a zero rate should turn the limit off")
	}
}

func TestLimiterEvicts(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(RateLimit{PerMinute: 60, Burst: 1})
	l.Now = func() time.Time { return now }
	l.max = 3
	for _, k := range []string{"a", "b", "c"} {
		l.take(k)
		now = now.Add(100 * time.Millisecond)
	}
	l.take("d") // all within a second: none has refilled; "a" is the oldest
	if len(l.clients) != 3 || l.clients["a"] != nil {
		t.Errorf("after a fourth client: %d clients, a kept %v", len(l.clients), l.clients["a"] != nil)
	}
	now = now.Add(time.Minute)
	l.take("e") // every bucket has refilled: all are forgotten
	if len(l.clients) != 1 {
		t.Errorf("after a minute: %d clients, want 1", len(l.clients))
	}
}
