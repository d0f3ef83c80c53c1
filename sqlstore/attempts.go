package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chanye-org/chanye/auth"
)

var _ auth.Attempts = (*Store)(nil)

// maxAttemptRows bounds login_attempts whatever a spray of addresses and
// names does: past it, the rows that expire soonest — single failures, not
// the counts of a key being throttled, nor a trusted pair — are dropped
// until a tenth of the room is free again. A row with its index entries
// takes at most some 300 bytes (keys are bounded by auth), so the table
// stays under about 30 MB.
const maxAttemptRows = 100_000

// attemptLockKey is the pg_advisory_xact_lock key of the sign-in counters
// ("chnythrt"): on PostgreSQL two sign-ins must not both read a count
// before either writes it. SQLite runs one write transaction at a time.
const attemptLockKey int64 = 0x63686e7974687274

// UpdateAttempts loads the counters of keys, calls fn with them and the
// transaction's now (to the millisecond, as stored) and stores what fn
// leaves, in one transaction; a counter that expires by now is deleted.
// A call that writes also deletes every expired row and holds the table
// under its bound.
func (s *Store) UpdateAttempts(ctx context.Context, keys []auth.AttemptKey, fn func(now time.Time, counters []auth.Counter) error) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		if tx.db.dialect.name == "postgres" {
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, attemptLockKey); err != nil {
				return err
			}
		}
		now := tx.now.Truncate(time.Millisecond)
		counters := make([]auth.Counter, len(keys))
		for i, k := range keys {
			var (
				c                      auth.Counter
				last, trusted, expires int64
			)
			err := tx.queryRow(ctx, `SELECT failures, last_at, trusted_until, expires_at FROM login_attempts WHERE kind = ? AND account = ? AND addr = ?`,
				k.Kind, k.Account, k.Addr).Scan(&c.Failures, &last, &trusted, &expires)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			if expires <= now.UnixMilli() {
				continue // worth nothing: as if never seen
			}
			c.Last, c.Trusted, c.Expires = fromMs(last), fromMs(trusted), fromMs(expires)
			counters[i] = c
		}
		loaded := append([]auth.Counter(nil), counters...)
		if err := fn(now, counters); err != nil {
			return err
		}
		wrote := false
		for i, k := range keys {
			c := counters[i]
			if c == loaded[i] {
				continue
			}
			wrote = true
			if !c.Expires.After(now) {
				if _, err := tx.exec(ctx, `DELETE FROM login_attempts WHERE kind = ? AND account = ? AND addr = ?`, k.Kind, k.Account, k.Addr); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO login_attempts (kind, account, addr, failures, last_at, trusted_until, expires_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (kind, account, addr) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at,
					trusted_until = excluded.trusted_until, expires_at = excluded.expires_at`,
				k.Kind, k.Account, k.Addr, c.Failures, ms(c.Last), ms(c.Trusted), ms(c.Expires)); err != nil {
				return err
			}
		}
		if !wrote {
			return nil
		}
		return s.pruneAttempts(ctx, tx, now)
	})
}

// pruneAttempts deletes the expired counters and, past the bound, those
// that expire soonest.
func (s *Store) pruneAttempts(ctx context.Context, tx *txn, now time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM login_attempts WHERE expires_at <= ?`, now.UnixMilli()); err != nil {
		return err
	}
	limit := s.maxAttempts
	if limit <= 0 {
		limit = maxAttemptRows
	}
	n, err := count(ctx, tx, `SELECT COUNT(*) FROM login_attempts`)
	if err != nil || n <= limit {
		return err
	}
	_, err = tx.exec(ctx, `DELETE FROM login_attempts WHERE expires_at <= (
		SELECT expires_at FROM login_attempts ORDER BY expires_at LIMIT 1 OFFSET ?)`, n-limit*9/10-1)
	return err
}

// ms stores a time as unix milliseconds, the zero time as 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMs reads a time stored by ms.
func fromMs(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
