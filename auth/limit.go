package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
)

// Budget limits the failed sign-ins of one key: the Free-th failure counted
// makes the key wait Base, each further one twice as long, up to Max. One
// failure is forgiven for every Leak without a failure, so a count decays
// with time alone. Leak is at least Max, so that a count only decays once
// its wait is over; at the cap an attacker gets one try per Max.
type Budget struct {
	Free int
	Base time.Duration
	Max  time.Duration
	Leak time.Duration
}

// Limits are the three budgets of sign-in. A stranger's failures on an
// account delay that stranger's pair and address for long, but the
// account's owner elsewhere only up to Account.Max, and not at all from an
// address the owner signed in from within Trust.
type Limits struct {
	Pair    Budget // one account from one address; a success resets it
	Address Budget // one address over all accounts; a success does not reset it
	Account Budget // one account over all addresses; Max is short
	// Trust is how long a success makes its pair skip the account's budget.
	Trust time.Duration
}

// DefaultLimits are chanye's limits: 5 free failures per account and
// address, 20 per address, 10 per account; waits double from 1 s up to
// 15 minutes, and up to 30 s for the account as a whole.
var DefaultLimits = Limits{
	Pair:    Budget{Free: 5, Base: time.Second, Max: 15 * time.Minute, Leak: 15 * time.Minute},
	Address: Budget{Free: 20, Base: time.Second, Max: 15 * time.Minute, Leak: 15 * time.Minute},
	Account: Budget{Free: 10, Base: time.Second, Max: 30 * time.Second, Leak: 30 * time.Second},
	Trust:   30 * 24 * time.Hour,
}

// Counter is one key's state in a budget, as Attempts keeps it.
type Counter struct {
	Failures int       // counted, before decay
	Last     time.Time // when the last failure was counted
	Trusted  time.Time // a pair only: until when its last success trusts it
	// Expires is when the counter is worth nothing and may be deleted: its
	// count decayed, its wait and trust over. The budget sets it.
	Expires time.Time
}

// delay is the wait owed after failures.
func (b Budget) delay(failures int) time.Duration {
	n := failures - b.Free + 1
	switch {
	case n <= 0:
		return 0
	case n > 30 || b.Base<<(n-1) >= b.Max:
		return b.Max
	}
	return b.Base << (n - 1)
}

// wait returns how long c must wait at now before its next attempt.
func (b Budget) wait(c Counter, now time.Time) time.Duration {
	return max(c.Last.Add(b.delay(c.Failures)).Sub(now), 0)
}

// decayed returns c's count at now, less one failure per Leak since the last.
func (b Budget) decayed(c Counter, now time.Time) int {
	if c.Failures == 0 || b.Leak <= 0 || !now.After(c.Last) {
		return c.Failures
	}
	return max(c.Failures-int(min(now.Sub(c.Last)/b.Leak, 1<<30)), 0)
}

// expire sets c.Expires: the latest of the end of its decay, its wait and
// its trust.
func (b Budget) expire(c *Counter) {
	c.Expires = c.Trusted
	if c.Failures > 0 {
		end := c.Last.Add(b.delay(c.Failures))
		if d := c.Last.Add(time.Duration(min(c.Failures, 1<<20)) * b.Leak); d.After(end) {
			end = d
		}
		if end.After(c.Expires) {
			c.Expires = end
		}
	}
}

// fail counts a failure at now.
func (b Budget) fail(c *Counter, now time.Time) {
	c.Failures, c.Last = b.decayed(*c, now)+1, now
	b.expire(c)
}

// Attempts keeps the counters of the sign-in budgets where a restart does
// not lose them.
type Attempts interface {
	// UpdateAttempts loads the counters of keys (zero for a key never
	// seen), locked against concurrent updates, calls fn with them and the
	// store's clock, and stores them as fn leaves them; a counter whose
	// Expires is not after now is deleted. All in one transaction.
	UpdateAttempts(ctx context.Context, keys []AttemptKey, fn func(now time.Time, counters []Counter) error) error
}

// AttemptKey names a counter: Kind is KeyPair (Account and Addr),
// KeyAddress (Addr) or KeyAccount (Account).
type AttemptKey struct {
	Kind    string
	Account string
	Addr    string
}

// The kinds of AttemptKey, which are also the budgets a RetryError names.
const (
	KeyPair    = "pair"
	KeyAddress = "address"
	KeyAccount = "account"
)

// attemptKeys returns the keys of a sign-in as pair, address, account. A
// name that cannot be a login counts under "-", and so does an address that
// is not short and printable: a stored key is bounded and plain text.
func attemptKeys(name, addr string) []AttemptKey {
	account := LoginName(name)
	if addr == "" || len(addr) > 64 || strings.IndexFunc(addr, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0 {
		addr = "-"
	}
	return []AttemptKey{{KeyPair, account, addr}, {KeyAddress, "", addr}, {KeyAccount, account, ""}}
}

// RetryError is an ETOOMANY error that says when to try again and which
// budget is spent. It unwraps to a *chanye.Error, so chanye.ErrorCode sees
// ETOOMANY.
type RetryError struct {
	After  time.Duration
	Budget string // KeyPair, KeyAddress or KeyAccount
	err    *chanye.Error
}

func (e *RetryError) Error() string { return e.err.Error() }
func (e *RetryError) Unwrap() error { return e.err }

// tooMany returns the ETOOMANY error for a wait of d, rounded up to whole
// seconds: trying again after the wait said must work.
func tooMany(d time.Duration, budget string) *RetryError {
	d = max((d + time.Second - 1).Truncate(time.Second), time.Second)
	return &RetryError{After: d, Budget: budget, err: chanye.Errorf(chanye.ETOOMANY,
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

// Throttle returns s with Authenticate limited by limits, the counters kept
// in attempts. A failure is counted in all three budgets before the
// password is checked, so that parallel guesses cannot slip past the
// count; a success then takes its own count back from the address and the
// account, resets the pair and trusts it. A throttled attempt is counted
// nowhere and never reaches s.
func Throttle(s Service, attempts Attempts, limits Limits) Service {
	return &throttled{Service: s, attempts: attempts, limits: limits}
}

// NewThrottle returns Throttle with DefaultLimits.
func NewThrottle(s Service, attempts Attempts) Service {
	return Throttle(s, attempts, DefaultLimits)
}

type throttled struct {
	Service
	attempts Attempts
	limits   Limits
}

func (t *throttled) budgets() [3]Budget {
	return [3]Budget{t.limits.Pair, t.limits.Address, t.limits.Account}
}

func (t *throttled) Authenticate(ctx context.Context, name, password, addr string) (*User, error) {
	keys := attemptKeys(name, addr)
	budgets := t.budgets()
	var (
		wait          time.Duration
		spent         string
		before, after [3]Counter
	)
	err := t.attempts.UpdateAttempts(ctx, keys, func(now time.Time, c []Counter) error {
		if len(c) != len(keys) {
			return fmt.Errorf("auth: %d counters for %d keys", len(c), len(keys))
		}
		wait, spent = 0, ""
		for i, b := range budgets {
			if i == 2 && now.Before(c[0].Trusted) {
				continue // the owner's own address: strangers cannot slow it down
			}
			if d := b.wait(c[i], now); d > wait {
				wait, spent = d, keys[i].Kind
			}
		}
		if wait > 0 {
			return nil
		}
		copy(before[:], c)
		for i, b := range budgets {
			b.fail(&c[i], now)
		}
		copy(after[:], c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, tooMany(wait, spent)
	}
	u, err := t.Service.Authenticate(ctx, name, password, addr)
	if err != nil {
		return nil, err
	}
	err = t.attempts.UpdateAttempts(ctx, keys, func(now time.Time, c []Counter) error {
		c[0] = Counter{Trusted: now.Add(t.limits.Trust)}
		budgets[0].expire(&c[0])
		for i := 1; i < len(c); i++ {
			if c[i].Failures == after[i].Failures && c[i].Last.Equal(after[i].Last) {
				c[i] = before[i] // nothing counted since: as if never tried
			} else if c[i].Failures > 0 {
				c[i].Failures-- // others failed since: take back ours only
			}
			budgets[i].expire(&c[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// LoginName returns name as a login (trimmed, lower case), or "-" when it
// cannot be one: what the throttle counts under and what logs may show.
func LoginName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if !namePattern.MatchString(n) {
		return "-"
	}
	return n
}
