package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/chanye-org/chanye/sqlstore"
)

// ForEachDB runs fn on a store over SQLite, as New makes it, and, when
// CHANYE_TEST_POSTGRES names a PostgreSQL database, on one over a schema of
// its own there, dropped when the test ends: for tests of other packages
// whose answers must not depend on the database.
func ForEachDB(t *testing.T, fn func(t *testing.T, store *sqlstore.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, New(t)) })
	if os.Getenv("CHANYE_TEST_POSTGRES") == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		db, err := sqlstore.Open(context.Background(), PostgresSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		fn(t, prepare(t, db))
	})
}

// NewPostgres returns a store over a schema of its own in the PostgreSQL
// database CHANYE_TEST_POSTGRES names, prepared as New prepares SQLite, for
// benchmarks that compare the two; it skips without the variable.
func NewPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), PostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	return prepare(t, db)
}

// PostgresSchema makes a schema of its own in the PostgreSQL database that
// CHANYE_TEST_POSTGRES names, dropped when the test ends, and returns the
// URL that opens it; it skips the test when the variable is not set.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CHANYE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CHANYE_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
