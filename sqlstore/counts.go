package sqlstore

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"
)

// registryCounts remembers counts of enterprise selections with the change
// stamp (migration 0015) they were counted at. Every write that changes an
// enterprise's row, industries, facts or tiers takes a new stamp, and a
// count is used only at the stamp it was counted at: no count outlives a
// write. A list of 3.6 M enterprises filtered by industry costs a count of
// hundreds of thousands of rows, asked for by every page of it.
type registryCounts struct {
	mu  sync.Mutex
	seq int64
	n   map[string]int
	// flight makes the requests that miss the same count at the same
	// stamp wait for one counting (32 pages of one industry asked at once
	// counted it 32 times over, none finishing in 10 s). The same stamp
	// is the same registry, whichever transaction counts.
	flight singleflight.Group
}

// maxCounts bounds the selections remembered at one stamp.
const maxCounts = 4096

// registryCount is count for a query over the registry (enterprises and
// their industries, facts and tiers only), remembered until the next
// change stamp. The stamp is read first in the transaction, so a count is
// never older than the stamp it is kept under.
func (tx *txn) registryCount(ctx context.Context, query string, args ...any) (int, error) {
	var seq int64
	if err := tx.queryRow(ctx, `SELECT seq FROM change_counter WHERE id = 1`).Scan(&seq); err != nil {
		return 0, err
	}
	key := query + "\x00" + fmt.Sprintf("%q", args)
	c := &tx.db.counts
	c.mu.Lock()
	n, ok := c.n[key]
	ok = ok && c.seq == seq
	c.mu.Unlock()
	if ok {
		return n, nil
	}
	v, err, shared := c.flight.Do(fmt.Sprint(seq, "\x00", key), func() (any, error) {
		return count(ctx, tx, query, args...)
	})
	if shared && err != nil && ctx.Err() == nil {
		// the request that counted went away (its context ended): count here
		v, err = count(ctx, tx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	n = v.(int)
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq > c.seq || c.n == nil {
		c.seq, c.n = seq, map[string]int{}
	}
	if seq == c.seq && len(c.n) < maxCounts {
		c.n[key] = n
	}
	return n, nil
}
