package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/chanye-org/chanye"
	"golang.org/x/sync/singleflight"
)

// registryCounts remembers aggregates of enterprise selections (counts and
// the statistics of a page) with the change stamp (migration 0015) they
// were computed at. Every write that changes an enterprise's row,
// industries, facts or tiers takes a new stamp, and an aggregate is used
// only at the stamp it was computed at: none outlives a write. A list of
// 3.6 M enterprises filtered by industry costs a count of hundreds of
// thousands of rows, asked for by every page of it.
type registryCounts struct {
	mu  sync.Mutex
	seq int64
	n   map[string]any
	// flight makes the requests that miss the same aggregate at the same
	// stamp wait for one computation (32 pages of one industry asked at
	// once computed it 32 times over, none finishing in 10 s). The same
	// stamp is the same registry, whichever transaction computes it.
	flight singleflight.Group
}

// maxCounts bounds the aggregates remembered at one stamp.
const maxCounts = 4096

// registryMemo is compute's value for key, an aggregate of the registry
// (enterprises and their industries, facts and tiers only), remembered
// until the next change stamp. The stamp is read first in the transaction,
// so a value is never older than the stamp it is kept under. The value is
// shared: callers must not change it.
func (tx *txn) registryMemo(ctx context.Context, key string, compute func() (any, error)) (any, error) {
	var seq int64
	if err := tx.queryRow(ctx, `SELECT seq FROM change_counter WHERE id = 1`).Scan(&seq); err != nil {
		return nil, err
	}
	c := &tx.db.counts
	c.mu.Lock()
	v, ok := c.n[key]
	ok = ok && c.seq == seq
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err, shared := c.flight.Do(fmt.Sprint(seq, "\x00", key), compute)
	if shared && err != nil && ctx.Err() == nil {
		// the request that computed went away (its context ended): compute here
		v, err = compute()
	}
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq > c.seq || c.n == nil {
		c.seq, c.n = seq, map[string]any{}
	}
	if seq == c.seq && len(c.n) < maxCounts {
		c.n[key] = v
	}
	return v, nil
}

// registryCount is the count of a query over the registry, remembered
// until the next change stamp (registryMemo).
func (tx *txn) registryCount(ctx context.Context, query string, args ...any) (int, error) {
	v, err := tx.registryMemo(ctx, "count\x00"+query+"\x00"+fmt.Sprintf("%q", args), func() (any, error) {
		return count(ctx, tx, query, args...)
	})
	if err != nil {
		return 0, err
	}
	return v.(int), nil
}

// copyStats returns a copy of st, whose maps the caller may change.
func copyStats(st *chanye.EnterpriseStats) *chanye.EnterpriseStats {
	out := *st
	out.ByTier, out.BySize, out.ByDistrict = maps.Clone(st.ByTier), maps.Clone(st.BySize), maps.Clone(st.ByDistrict)
	return &out
}
