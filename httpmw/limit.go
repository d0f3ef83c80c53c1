package httpmw

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/chanye-org/chanye"
)

// RateLimit is how many expensive requests one client may make: PerMinute
// on average, Burst at once. PerMinute 0 turns the limit off.
type RateLimit struct {
	PerMinute float64
	Burst     int
}

// DefaultRateLimit is serve's limit unless configured: a person testing
// and simulating by hand stays well within it, a script looping over the
// routes that evaluate the whole base does not.
var DefaultRateLimit = RateLimit{PerMinute: 30, Burst: 10}

// maxClients bounds the limiter's memory; past it, clients whose bucket
// has refilled are forgotten first (they lose nothing), then the least
// recently seen.
const maxClients = 100_000

// Limiter is a token bucket per client for the routes that evaluate
// policies or projects over the whole base (tests, simulations, runs,
// warnings, scorecards): the handlers of the API and the pages ask it
// before they start. A client is the signed-in account, else the address.
// It lives in memory, per process. It is safe for concurrent use.
type Limiter struct {
	limit rate.Limit
	burst int
	// Now is the clock (time.Now); tests set it.
	Now func() time.Time
	// Key names the client of a request; ClientKey when nil.
	Key func(*http.Request) string

	mu      sync.Mutex
	clients map[string]*client
	max     int // maxClients; tests lower it
}

type client struct {
	bucket *rate.Limiter
	seen   time.Time
}

// NewLimiter returns a limiter for cfg, or nil (no limit) when
// cfg.PerMinute is 0. A nil *Limiter allows everything.
func NewLimiter(cfg RateLimit) *Limiter {
	if cfg.PerMinute <= 0 {
		return nil
	}
	return &Limiter{limit: rate.Limit(cfg.PerMinute / 60), burst: max(cfg.Burst, 1), Now: time.Now, clients: map[string]*client{}, max: maxClients}
}

// ClientKey names the client of a request for the limiter: the signed-in
// account (by id, else by name), else the address the request came from.
// Behind a proxy, set Limiter.Key to a function that reads the proxy's
// header as the sign-in throttle does.
func ClientKey(r *http.Request) string {
	if a := chanye.ActorFrom(r.Context()); a.Role != chanye.RolePublic {
		if a.UserID != 0 {
			return "user:" + strconv.FormatInt(a.UserID, 10)
		}
		return "actor:" + a.Name + "/" + string(a.Role)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

// Check takes a token for r's client. It returns nil, or ETOOMANY saying
// when to come back after setting Retry-After on w.
func (l *Limiter) Check(w http.ResponseWriter, r *http.Request) error {
	if l == nil {
		return nil
	}
	key := ClientKey
	if l.Key != nil {
		key = l.Key
	}
	wait := l.take(key(r))
	if wait <= 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return chanye.NewError(chanye.ETOOMANY, fmt.Sprintf(
		"请求过于频繁：测试、模拟、计算、预警和记分卡每个账号（未登录则每个地址）每分钟至多 %g 次，请 %d 秒后再试 / too many requests: tests, simulations, runs, warnings and scorecards are limited to %g a minute per account (per address without one); try again in %d s",
		float64(l.limit)*60, secs, float64(l.limit)*60, secs), nil)
}

// take takes a token for key and returns 0, or how long until one is due.
func (l *Limiter) take(key string) time.Duration {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[key]
	if c == nil {
		if len(l.clients) >= l.max {
			l.evict(now)
		}
		c = &client{bucket: rate.NewLimiter(l.limit, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	res := c.bucket.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now) // refused: the token is not spent
		return d
	}
	return 0
}

// evict forgets clients whose bucket has refilled (they lose nothing),
// else the least recently seen.
func (l *Limiter) evict(now time.Time) {
	full := time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
	var oldest string
	for k, c := range l.clients {
		if now.Sub(c.seen) >= full {
			delete(l.clients, k)
		} else if oldest == "" || c.seen.Before(l.clients[oldest].seen) {
			oldest = k
		}
	}
	if len(l.clients) >= l.max && oldest != "" {
		delete(l.clients, oldest)
	}
}
