package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
)

// fastParams keep the tests quick; the format and comparison are the same.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: not the PHC format with the default parameters", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := VerifyPassword(h, pw); err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if _, err := HashPassword("short pw"); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("short password: got %v, want EINVALID", err)
	}
	if _, err := HashPassword("一二三四五六七八九十一"); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("11 characters in 33 bytes: got %v, want EINVALID (length counts characters)", err)
	}
}

func TestParsePHC(t *testing.T) {
	good, err := HashPasswordWith("a long enough password", fastParams)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := VerifyPassword(good, "a long enough password"); !ok || err != nil {
		t.Fatalf("stored parameters not honoured: %v, %v", ok, err)
	}
	p, salt, key, err := parsePHC(good)
	if err != nil || p.Memory != 64 || p.Time != 1 || p.Threads != 1 || len(salt) != 16 || len(key) != 32 {
		t.Errorf("parsePHC(%q) = %+v, %d, %d, %v", good, p, len(salt), len(key), err)
	}
	parts := strings.Split(good, "$")
	bad := map[string]string{
		"empty":         "",
		"argon2i":       strings.Replace(good, "argon2id", "argon2i", 1),
		"version":       strings.Replace(good, "v=19", "v=16", 1),
		"params order":  strings.Replace(good, "m=64,t=1,p=1", "t=1,m=64,p=1", 1),
		"params extra":  strings.Replace(good, "m=64,t=1,p=1", "m=64,t=1,p=1,x=2", 1),
		"huge memory":   strings.Replace(good, "m=64", "m=99999999", 1),
		"zero time":     strings.Replace(good, "t=1", "t=0", 1),
		"salt base64":   strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!!", parts[5]}, "$"),
		"short hash":    strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"missing field": strings.Join(parts[:5], "$"),
		"padded":        good + "=",
	}
	for name, h := range bad {
		if ok, err := VerifyPassword(h, "a long enough password"); ok || err == nil {
			t.Errorf("%s: VerifyPassword(%q) = %v, %v; want an error", name, h, ok, err)
		}
	}
}

func TestToken(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || !ValidToken(a) || len(a) != len("chy_")+43 {
		t.Fatalf("tokens %q, %q", a, b)
	}
	for _, s := range []string{"", "chy_", "chx_" + a[4:], a + "A", a[:len(a)-1], "chy_" + strings.Repeat("+", 43)} {
		if ValidToken(s) {
			t.Errorf("ValidToken(%q) = true", s)
		}
	}
	if h := HashSecret(a); len(h) != 64 || h == HashSecret(b) || strings.Contains(h, a[4:]) {
		t.Errorf("HashSecret(%q) = %q", a, h)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		u     User
		field string // "" for valid
	}{
		{User{Name: "Admin ", Role: chanye.RoleAdmin}, ""},
		{User{Name: "x", Role: chanye.RoleAdmin}, "name"},
		{User{Name: "a b", Role: chanye.RoleAdmin}, "name"},
		{User{Name: "pub", Role: chanye.RolePublic}, "role"},
		{User{Name: "who", Role: "king"}, "role"},
		{User{Name: "dept", Role: chanye.RoleDepartment}, "department"},
		{User{Name: "dept", Role: chanye.RoleDepartment, Department: "市工业和信息化局"}, ""},
		{User{Name: "tf", Role: chanye.RoleTaskForce}, "industry_id"},
		{User{Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "c01"}, ""},
		{User{Name: "ent", Role: chanye.RoleEnterprise, Code: "91440101MA5CXXXX"}, "code"},
		{User{Name: "ent", Role: chanye.RoleEnterprise, Code: "91350100M000100Y43"}, ""},
	}
	for _, tt := range tests {
		u := tt.u
		err := u.Validate()
		f := chanye.ErrorFields(err)
		if tt.field == "" && err != nil || tt.field != "" && f[tt.field] == "" {
			t.Errorf("Validate(%+v) = %v; want a fault in %q", tt.u, err, tt.field)
		}
	}
	u := User{Name: "Leader", Role: chanye.RoleLeader, Department: "x", Code: "y"}
	if err := u.Validate(); err != nil || u.Name != "leader" || u.Department != "" || u.Code != "" {
		t.Errorf("normalised %+v, %v: want lower-case name and no scope", u, err)
	}
	a := (&User{ID: 7, Name: "tf", Role: chanye.RoleTaskForce, IndustryID: "c01"}).Actor()
	if a.UserID != 7 || a.Role != chanye.RoleTaskForce || a.IndustryID != "c01" {
		t.Errorf("Actor() = %+v", a)
	}
}

func TestSessionExpired(t *testing.T) {
	t0 := time.Date(2025, 6, 15, 9, 0, 0, 0, time.UTC)
	s := &Session{CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(SessionMaxAge)}
	for _, tt := range []struct {
		seen, now time.Duration
		want      bool
	}{
		{0, time.Minute, false},
		{0, SessionIdle - time.Second, false},
		{0, SessionIdle, true},
		{SessionMaxAge - time.Hour, SessionMaxAge - time.Minute, false},
		{SessionMaxAge - time.Minute, SessionMaxAge, true},
	} {
		s.LastSeen = t0.Add(tt.seen)
		if got := s.Expired(t0.Add(tt.now)); got != tt.want {
			t.Errorf("seen +%v, now +%v: Expired = %v, want %v", tt.seen, tt.now, got, tt.want)
		}
	}
}

// clock is a settable time for limiter tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiter(t *testing.T) {
	c := &clock{t: time.Date(2025, 6, 15, 9, 0, 0, 0, time.UTC)}
	l := NewLimiter(5, time.Second, 15*time.Minute)
	l.Now = c.now
	for i := 1; i <= 4; i++ {
		if d := l.Fail("u"); d != 0 {
			t.Fatalf("failure %d: wait %v, want 0", i, d)
		}
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900}
	for i, w := range want {
		if d := l.Fail("u"); d != w*time.Second {
			t.Fatalf("failure %d: wait %v, want %v", i+5, d, w*time.Second)
		}
		if d := l.Wait("u"); d != w*time.Second {
			t.Fatalf("after failure %d: Wait = %v", i+5, d)
		}
		c.advance(w*time.Second - time.Millisecond)
		if l.Wait("u") <= 0 {
			t.Fatalf("after failure %d: free before the wait is over", i+5)
		}
		c.advance(time.Millisecond)
		if d := l.Wait("u"); d != 0 {
			t.Fatalf("after failure %d and its wait: Wait = %v", i+5, d)
		}
	}
	if l.Wait("other") != 0 {
		t.Error("another key waits")
	}
	l.Succeed("u")
	if l.Wait("u") != 0 || l.Fail("u") != 0 {
		t.Error("success did not reset the key")
	}
}

// fakeAccounts authenticates one user by a fixed password.
type fakeAccounts struct {
	Service
	calls int
}

func (f *fakeAccounts) Authenticate(ctx context.Context, name, password, addr string) (*User, error) {
	f.calls++
	if name == "ann" && password == "right password" {
		return &User{ID: 1, Name: "ann", Role: chanye.RoleAdmin}, nil
	}
	return nil, ErrBadCredentials
}

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2025, 6, 15, 9, 0, 0, 0, time.UTC)}
	accounts, addrs := NewLimiter(5, time.Second, 15*time.Minute), NewLimiter(20, time.Second, 15*time.Minute)
	accounts.Now, addrs.Now = c.now, c.now
	fake := &fakeAccounts{}
	s := Throttle(fake, accounts, addrs)
	for i := 0; i < 5; i++ {
		if _, err := s.Authenticate(ctx, "ann", "wrong password", "10.0.0.1"); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v, want EUNAUTHORIZED", i+1, err)
		}
	}
	_, err := s.Authenticate(ctx, "ANN", "right password", "10.0.0.2")
	if chanye.ErrorCode(err) != chanye.ETOOMANY || RetryAfter(err) != time.Second {
		t.Fatalf("sixth try, right password, other address: %v (retry after %v); want ETOOMANY after 1s", err, RetryAfter(err))
	}
	if fake.calls != 5 {
		t.Errorf("throttled try reached the store: %d calls", fake.calls)
	}
	if !strings.Contains(chanye.ErrorMessage(err), "1s") {
		t.Errorf("message %q does not say how long to wait", chanye.ErrorMessage(err))
	}
	c.advance(time.Second)
	if u, err := s.Authenticate(ctx, "ann", "right password", "10.0.0.2"); err != nil || u.Name != "ann" {
		t.Fatalf("after the wait: %v, %v", u, err)
	}
	if _, err := s.Authenticate(ctx, "ann", "wrong password", "10.0.0.2"); chanye.ErrorCode(err) != chanye.EUNAUTHORIZED {
		t.Fatalf("success did not reset the account: %v", err)
	}

	// One address guessing many accounts is stopped by the address limit.
	for i := 0; i < 20; i++ {
		s.Authenticate(ctx, "user"+string(rune('a'+i)), "wrong password", "10.6.6.6")
	}
	if _, err := s.Authenticate(ctx, "zed", "wrong password", "10.6.6.6"); chanye.ErrorCode(err) != chanye.ETOOMANY {
		t.Errorf("21st account from one address: %v, want ETOOMANY", err)
	}
}
