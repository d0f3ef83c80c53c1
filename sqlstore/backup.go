package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chanye-org/chanye"
)

// Ping checks that the database answers a query, for readiness checks.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// PostgresBackupHelp is the answer to backup and restore on PostgreSQL:
// its own tools do both.
const PostgresBackupHelp = "PostgreSQL 请用 pg_dump / pg_restore 备份与恢复（见 README）/ on PostgreSQL, back up with pg_dump and restore with pg_restore (see the README): " +
	"pg_dump --format=custom --file=chanye.dump \"$CHANYE_DB\"; pg_restore --clean --if-exists --no-owner --dbname=\"$CHANYE_DB\" chanye.dump"

// Backup writes a consistent copy of the SQLite database to path while
// others keep reading and writing: VACUUM INTO reads one snapshot. The copy
// is written next to path and linked into place, so a reader of path never
// sees a half-written file. ECONFLICT when path exists and force is false;
// EINVALID on PostgreSQL, whose tools are pg_dump and pg_restore.
func (db *DB) Backup(ctx context.Context, path string, force bool) error {
	if db.dialect.name != "sqlite" {
		return chanye.Errorf(chanye.EINVALID, "%s", PostgresBackupHelp)
	}
	if path == "" {
		return chanye.Errorf(chanye.EINVALID, "备份文件路径为空 / empty backup path")
	}
	if _, err := os.Stat(path); err == nil && !force {
		return chanye.Errorf(chanye.ECONFLICT, "%s 已存在，加 --force 覆盖 / %s exists; --force overwrites it", path, path)
	}
	tmp, err := tempName(path)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if force {
		return os.Rename(tmp, path)
	}
	// Link fails when path appeared meanwhile: never clobber without force.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return chanye.Errorf(chanye.ECONFLICT, "%s 已存在，加 --force 覆盖 / %s exists; --force overwrites it", path, path)
		}
		return fmt.Errorf("backup: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// CheckBackup verifies that the SQLite file at path is a sound chanye
// database: PRAGMA integrity_check passes and schema_migrations lists the
// migrations applied. It returns their names. EINVALID otherwise.
func CheckBackup(ctx context.Context, path string) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, chanye.Errorf(chanye.EINVALID, "无法读取备份 / cannot read the backup: %v", err)
	}
	// mode=ro: verifying must not create or change anything.
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer sdb.Close()
	var result string
	if err := sdb.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return nil, chanye.Errorf(chanye.EINVALID, "%s 不是 SQLite 数据库 / %s is not a SQLite database: %v", path, path, err)
	}
	if result != "ok" {
		return nil, chanye.Errorf(chanye.EINVALID, "%s 损坏 / %s is damaged: %s", path, path, result)
	}
	rows, err := sdb.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return nil, chanye.Errorf(chanye.EINVALID, "%s 不是 chanye 数据库（没有 schema_migrations）/ %s is not a chanye database (no schema_migrations): %v", path, path, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(names) == 0 || names[0] != "0001_init.sql" {
		return nil, chanye.Errorf(chanye.EINVALID, "%s 不是 chanye 数据库 / %s is not a chanye database (migrations %v)", path, path, names)
	}
	return names, nil
}

// Restore replaces the SQLite database at target with the backup at src,
// after CheckBackup: src is copied next to target, the target's -wal and
// -shm files are removed, and the copy is renamed into place, so target is
// either the old database or the whole backup. The target must not be open:
// Restore refuses (ECONFLICT) when another connection holds it, as a running
// server does. EINVALID on PostgreSQL.
func Restore(ctx context.Context, src, target string) error {
	if strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://") {
		return chanye.Errorf(chanye.EINVALID, "%s", PostgresBackupHelp)
	}
	if target == "" {
		return chanye.Errorf(chanye.EINVALID, "数据库路径为空 / empty database path")
	}
	if _, err := CheckBackup(ctx, src); err != nil {
		return err
	}
	if sameFile(src, target) {
		return chanye.Errorf(chanye.EINVALID, "备份与数据库是同一个文件 / the backup is the database itself")
	}
	if err := inUse(target); err != nil {
		return err
	}
	tmp, err := tempName(target)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := copyFile(src, tmp); err != nil {
		return err
	}
	// The old WAL must go before the new file arrives: SQLite would replay
	// it into the restored database.
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	return syncDir(filepath.Dir(target))
}

// tempName returns an unused file name next to path.
func tempName(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	// VACUUM INTO wants a file that does not exist.
	return name, os.Remove(name)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not every file system syncs directories
	return nil
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
