package sqlstoretest

import (
	"context"
	"os"
	"testing"

	"github.com/chanye-org/chanye/internal/pgtest"
	"github.com/chanye-org/chanye/internal/testclock"
	"github.com/chanye-org/chanye/sqlstore"
)

// ForEachDB runs fn on a store over SQLite, as New makes it, and, when
// CHANYE_TEST_POSTGRES names a PostgreSQL database, on one over a database
// of its own there, dropped when the test ends: for tests of other packages
// whose answers must not depend on the database.
func ForEachDB(t *testing.T, fn func(t *testing.T, store *sqlstore.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, New(t)) })
	if os.Getenv("CHANYE_TEST_POSTGRES") == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, NewPostgres(t)) })
}

// NewPostgres returns a store over a database of its own in the PostgreSQL
// server CHANYE_TEST_POSTGRES names, prepared as New prepares SQLite; it
// skips without the variable. The database is a copy of one migrated once
// per schema (internal/pgtest).
func NewPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	dsn := os.Getenv("CHANYE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CHANYE_TEST_POSTGRES not set")
	}
	db, err := sqlstore.Open(context.Background(), pgtest.Clone(t, dsn, "chanye_tmpl", sqlstore.SchemaDigest(), migrateTemplate))
	if err != nil {
		t.Fatal(err)
	}
	return prepare(t, db)
}

// migrateTemplate migrates the database at dsn, as a template of stores.
func migrateTemplate(dsn string) error {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.Now = testclock.Now
	_, err = db.Migrate(ctx)
	return err
}

// PostgresSchema makes an empty schema of its own in the PostgreSQL
// database that CHANYE_TEST_POSTGRES names, dropped when the test ends, and
// returns the URL that opens it; it skips the test when the variable is not
// set. Tests of migrate itself start from it.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CHANYE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CHANYE_TEST_POSTGRES not set")
	}
	return pgtest.Schema(t, dsn)
}
