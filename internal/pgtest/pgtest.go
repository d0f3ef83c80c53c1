// Package pgtest gives tests PostgreSQL databases of their own in the
// server that CHANYE_TEST_POSTGRES names: an empty schema, dropped when the
// test ends, or a database copied from a template that is built once, for
// tests that want a migrated store and would otherwise spend most of their
// time migrating it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

// Schema makes an empty schema of its own in the database at dsn, dropped
// when the test ends, and returns the URL that opens it (dsn with the
// schema as search_path).
func Schema(t testing.TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := "test_" + randomHex()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		admin.Close()
	})
	u := parse(t, dsn)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Clone makes a database of its own, a copy of a template, dropped when
// the test ends, and returns the URL that opens it (dsn with the new
// database). The template, prefix_ and key's first 12 characters, is made
// once on the server by build, given its URL. key must change whenever
// what build makes does (a digest of the migrations, say): a template of
// that name already on the server is used as it is. A template whose build
// did not finish is made again; the prefix's templates of other keys are
// dropped when a new one is made.
func Clone(t testing.TB, dsn, prefix, key string, build func(dsn string) error) string {
	t.Helper()
	ctx := context.Background()
	name := prefix + "_" + key[:min(len(key), 12)]
	if err := ensureTemplate(ctx, dsn, prefix, name, build); err != nil {
		t.Fatalf("template %s: %v", name, err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := "test_" + randomHex()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+db+" TEMPLATE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database from %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP DATABASE "+db+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
		admin.Close()
	})
	u := parse(t, dsn)
	u.Path = "/" + db
	return u.String()
}

// made holds the templates this process has made or found, by name.
var made sync.Map // name → *templateOnce

type templateOnce struct {
	once sync.Once
	err  error
}

func ensureTemplate(ctx context.Context, dsn, prefix, name string, build func(string) error) error {
	v, _ := made.LoadOrStore(name, new(templateOnce))
	o := v.(*templateOnce)
	o.once.Do(func() { o.err = makeTemplate(ctx, dsn, prefix, name, build) })
	return o.err
}

// templateLock is the advisory lock under which test processes, one per
// package, make templates one at a time.
const templateLock = 7_216_216_001

// makeTemplate makes the template unless the server has it, marked as a
// template, from an earlier process; it drops the other templates of the
// same prefix that no test is copying, left by earlier builds.
func makeTemplate(ctx context.Context, dsn, prefix, name string, build func(string) error) error {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLock)
	var ready sql.NullBool
	err = conn.QueryRowContext(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	switch {
	case err == nil && ready.Bool:
		return nil
	case err == nil: // a build that did not finish
		if _, err := conn.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return err
		}
	case err != sql.ErrNoRows:
		return err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	if err := build(u.String()); err != nil {
		return err
	}
	// Marked last: only a finished build is a template, and none connects
	// to it again, which copying it requires.
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datistemplate AND datname LIKE $1 AND datname <> $2", prefix+"\\_%", name)
	if err != nil {
		return err
	}
	var old []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		old = append(old, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range old { // best effort: one being copied stays for the next build
		if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+n+" WITH IS_TEMPLATE false"); err == nil {
			conn.ExecContext(ctx, "DROP DATABASE "+n)
		}
	}
	return nil
}

func parse(t testing.TB, dsn string) *url.URL {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
