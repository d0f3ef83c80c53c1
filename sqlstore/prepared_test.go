package sqlstore

import (
	"context"
	"fmt"
	"testing"
)

// SQLite reads are prepared once and shared; past maxPrepared they run
// unprepared, still answering; PostgreSQL keeps its driver's own cache.
func TestPreparedReads(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const q = `SELECT COUNT(*) FROM enterprises WHERE district_code = ?`
		a, b := db.preparedRead(ctx, q), db.preparedRead(ctx, q)
		if db.dialect.name != "sqlite" {
			if a != nil {
				t.Errorf("%s: a read prepared on the pool", db.dialect.name)
			}
			return
		}
		if a == nil || a != b {
			t.Fatalf("the same read prepared twice (%p, %p)", a, b)
		}
		for i := 0; len(db.prepared) < maxPrepared; i++ {
			db.preparedRead(ctx, fmt.Sprintf(`SELECT %d`, i))
		}
		if db.preparedRead(ctx, `SELECT 'one more'`) != nil {
			t.Errorf("more than %d reads kept prepared", maxPrepared)
		}
		err := db.transact(ctx, true, func(tx *txn) error {
			var n int
			for _, query := range []string{q, `SELECT COUNT(*) FROM enterprises WHERE district_code <> ?`} {
				if err := tx.queryRow(ctx, query, "440103").Scan(&n); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
