package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/chanye-org/chanye"
)

// Limiter slows down repeated failures of one key (an account, an address):
// the Free-th failure makes the key wait Base, each further one twice as
// long, up to Max. A success forgets the key. It lives
// in memory: a restart forgets, which costs an attacker a restart's worth
// of guesses, not more. It is safe for concurrent use.
type Limiter struct {
	Free int
	Base time.Duration
	Max  time.Duration
	// Now is the clock; tests set it.
	Now func() time.Time

	mu   sync.Mutex
	keys map[string]*strikes
}

type strikes struct {
	failures int
	until    time.Time // no attempt before
	last     time.Time
}

// maxKeys bounds the limiter's memory; past it, keys idle for longer than
// Max are forgotten first.
const maxKeys = 100_000

// NewLimiter returns a limiter with free failures, then base, doubling up to
// max.
func NewLimiter(free int, base, max time.Duration) *Limiter {
	return &Limiter{Free: free, Base: base, Max: max, Now: time.Now}
}

// Wait returns how long key must wait before its next attempt; 0 when it
// may try now.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.keys[key]
	if s == nil {
		return 0
	}
	return max(s.until.Sub(l.Now()), 0)
}

// Fail records a failure of key and returns the wait it now owes.
func (l *Limiter) Fail(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	if l.keys == nil {
		l.keys = map[string]*strikes{}
	}
	s := l.keys[key]
	if s == nil {
		if len(l.keys) >= maxKeys {
			l.prune(now)
		}
		s = &strikes{}
		l.keys[key] = s
	} else if now.Sub(s.last) > l.Max+24*time.Hour {
		*s = strikes{} // a day of quiet after the longest wait starts over
	}
	s.failures++
	s.last = now
	if n := s.failures - l.Free + 1; n > 0 {
		d := l.Max
		if n <= 30 && l.Base<<(n-1) < l.Max {
			d = l.Base << (n - 1)
		}
		s.until = now.Add(d)
		return d
	}
	return 0
}

// Succeed forgets key's failures.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// prune forgets the keys that owe nothing and have been idle for Max, or
// failing that, half of all keys: a flood of addresses must not grow memory
// without bound.
func (l *Limiter) prune(now time.Time) {
	for k, s := range l.keys {
		if now.After(s.until) && now.Sub(s.last) > l.Max {
			delete(l.keys, k)
		}
	}
	for k := range l.keys {
		if len(l.keys) < maxKeys/2 {
			break
		}
		delete(l.keys, k)
	}
}

// RetryError is an ETOOMANY error that says when to try again. It unwraps
// to a *chanye.Error, so chanye.ErrorCode sees ETOOMANY.
type RetryError struct {
	After time.Duration
	err   *chanye.Error
}

func (e *RetryError) Error() string { return e.err.Error() }
func (e *RetryError) Unwrap() error { return e.err }

// tooMany returns the ETOOMANY error for a wait of d, rounded up to seconds.
func tooMany(d time.Duration) *RetryError {
	d = d.Round(time.Second)
	if d < time.Second {
		d = time.Second
	}
	return &RetryError{After: d, err: chanye.Errorf(chanye.ETOOMANY,
		"登录失败次数过多，请 %s 后再试 / too many failed sign-ins, try again in %s", d, d)}
}

// RetryAfter returns the wait an error from Authenticate asks for, or 0.
func RetryAfter(err error) time.Duration {
	var re *RetryError
	if errors.As(err, &re) {
		return re.After
	}
	return 0
}

// Throttle returns s with Authenticate limited per account and per client
// address by the two limiters. A failure is counted before the password is
// checked, so that parallel guesses cannot slip past the count.
func Throttle(s Service, accounts, addrs *Limiter) Service {
	return &throttled{Service: s, accounts: accounts, addrs: addrs}
}

// NewThrottle returns Throttle with chanye's limits: after 5 failures of an
// account, or 20 from one address, the next attempt waits 1 s, then 2 s,
// 4 s … up to 15 minutes.
func NewThrottle(s Service) Service {
	return Throttle(s, NewLimiter(5, time.Second, 15*time.Minute), NewLimiter(20, time.Second, 15*time.Minute))
}

type throttled struct {
	Service
	accounts, addrs *Limiter
}

func (t *throttled) Authenticate(ctx context.Context, name, password, addr string) (*User, error) {
	account := strings.ToLower(strings.TrimSpace(name))
	if d := max(t.accounts.Wait(account), t.addrs.Wait(addr)); d > 0 {
		return nil, tooMany(d)
	}
	t.accounts.Fail(account)
	t.addrs.Fail(addr)
	u, err := t.Service.Authenticate(ctx, name, password, addr)
	if err != nil {
		return nil, err
	}
	t.accounts.Succeed(account)
	t.addrs.Succeed(addr)
	return u, nil
}
