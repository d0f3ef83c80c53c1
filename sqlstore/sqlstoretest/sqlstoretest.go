// Package sqlstoretest opens real stores for the tests of other packages:
// a migrated SQLite file in the test's temp dir with the Guangzhou catalog.
// Tests use it instead of fakes, so they exercise the same SQL as production.
package sqlstoretest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chanye-org/chanye/catalog"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore"
)

// New returns a store over a fresh, migrated SQLite database holding the
// embedded default catalog, with a fresh audit key, closed when the test
// ends.
func New(t testing.TB) *sqlstore.Store {
	t.Helper()
	_, store := NewWithDB(t)
	return store
}

// NewWithDB is New that also returns the database, for tests that set its
// clock. The clock is testclock.Now until they do.
func NewWithDB(t testing.TB) (*sqlstore.DB, *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "chanye.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db, prepare(t, db)
}

// prepare gives a freshly opened database the test clock and a fresh audit
// key, migrates it and stores the default catalog.
func prepare(t testing.TB, db *sqlstore.DB) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { db.Close() })
	db.Now = testclock.Now
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	if db.AuditKeys, err = sqlstore.NewAuditKeys(nil); err != nil {
		t.Fatal(err)
	}
	store := sqlstore.NewStore(db)
	if _, err := store.EnsureCatalog(ctx, catalog.Default()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.EnsureChains(ctx, chain.DefaultSet); err != nil {
		t.Fatal(err)
	}
	return store
}
