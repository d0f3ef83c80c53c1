package sqlstore

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed migrations/*.sql
var migrations embed.FS

// afterMigration holds the work in Go that a migration needs besides its
// SQL, run in its transaction: data that SQL cannot derive the same way on
// both databases (the catalog's departments live in a JSON document), and
// what only Go computes (search terms).
var afterMigration = map[string]func(ctx context.Context, tx *txn) error{
	"0019_org_units.sql": seedAfterMigration,
	// The search terms of the records already stored (search.go).
	"0022_search.sql": reindex,
}

// SchemaDigest is the SHA-256, in hex, of the migrations this build holds,
// names and texts in order: two builds with the same digest migrate a
// database to the same schema.
func SchemaDigest() string {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		panic(err) // a constant pattern over an embedded directory
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		text, err := migrations.ReadFile(name)
		if err != nil {
			panic(err) // embedded
		}
		fmt.Fprintf(h, "%s %d\n", name, len(text))
		h.Write(text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, in name order, each in its own transaction, and returns
// the names it applied. Migrations are forward-only: a file, once applied,
// is never edited; changes go in a new, higher-numbered file. On a
// database with the Citus extension it then places the tables (see
// citusPlan).
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	applied, err = db.migrate(ctx, "")
	if err != nil {
		return applied, err
	}
	if err := db.distribute(ctx); err != nil {
		return applied, fmt.Errorf("citus: %w", err)
	}
	return applied, nil
}

// migrate is Migrate's work up to the migration named last (all for ""):
// tests stop there to store rows as a later migration finds them.
func (db *DB) migrate(ctx context.Context, last string) (applied []string, err error) {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT   PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, path := range names {
		name := path[len("migrations/"):]
		ran := false
		err := db.transact(ctx, false, func(tx *txn) error {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil || n > 0 {
				return err
			}
			text, err := migrations.ReadFile(path)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, tx.db.dialect.migration(string(text))); err != nil {
				return err
			}
			if after := afterMigration[name]; after != nil {
				if err := after(ctx, tx); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, tx.now.UnixMilli()); err != nil {
				return err
			}
			ran = true
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", name, err)
		}
		if ran {
			applied = append(applied, name)
		}
		if name == last {
			break
		}
	}
	return applied, nil
}
