package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/chanye-org/chanye/sqlstore"
)

// The audit key file holds the keys that sign the audit chain (see
// sqlstore.AuditKeys). It lives outside the database so that whoever can
// write the database cannot recompute the chain: by default beside a
// SQLite file as <db>.audit-key; PostgreSQL has no file to sit beside, so
// its path must be given (--audit-key or CHANYE_AUDIT_KEY_FILE) or the
// store refuses to write.

// auditKeyPath returns the key file of cfg's database, "" when none.
func auditKeyPath(cfg Config, db *sqlstore.DB) string {
	switch {
	case cfg.AuditKeyFile != "":
		return cfg.AuditKeyFile
	case db.Dialect() == "sqlite":
		return cfg.DB + ".audit-key"
	}
	return ""
}

// loadAuditKeys reads the key file, or creates it on first start: a fresh
// key that pins the unkeyed chain already in the database, if any. It
// refuses to create one when rows signed with a key exist, since a new key
// could not verify them: the file was lost and must be restored
// (missingKeyError). nil keys (PostgreSQL without a path) leave the store
// read-only.
func loadAuditKeys(ctx context.Context, cfg Config, db *sqlstore.DB, store *sqlstore.Store) (*sqlstore.AuditKeys, error) {
	path := auditKeyPath(cfg, db)
	if path == "" {
		return nil, nil
	}
	keys, err := readAuditKeys(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return keys, err
	}
	st, err := store.AuditState(ctx)
	if err != nil {
		return nil, err
	}
	if st.LastKeyID > 0 {
		return nil, &missingKeyError{fmt.Sprintf("审计密钥文件 %s 不存在，而审计日志已由密钥 %d 签名：请从备份恢复该文件（新密钥无法核验旧记录）/ the audit key file %s is missing but the audit log is signed with key %d: restore the file from its backup (a new key could not verify the log)",
			path, st.LastKeyID, path, st.LastKeyID)}
	}
	if keys, err = sqlstore.NewAuditKeys(st.Legacy); err != nil {
		return nil, err
	}
	created, err := createAuditKeys(path, keys)
	if err != nil {
		return nil, err
	}
	if !created { // another process created it first
		return readAuditKeys(path)
	}
	warn(cfg, "已创建审计密钥文件 %s：请与数据库分开备份 / created the audit key file %s: back it up apart from the database", path, path)
	return keys, nil
}

// missingKeyError says the key file is missing while the log needs it. The
// database can still be read; writes are refused until the file is back.
type missingKeyError struct{ msg string }

func (e *missingKeyError) Error() string { return e.msg }

// warn writes a line to the command's error output.
func warn(cfg Config, format string, args ...any) {
	if cfg.Stderr != nil {
		fmt.Fprintf(cfg.Stderr, format+"\n", args...)
	}
}

// readAuditKeys reads a key file, which others must not be able to read.
func readAuditKeys(path string) (*sqlstore.AuditKeys, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("审计密钥文件 %s 的权限 %v 过宽，请执行 chmod 600 / the audit key file %s is accessible to others (%v): chmod 600 it",
			path, info.Mode().Perm(), path, info.Mode().Perm())
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, err := sqlstore.ParseAuditKeys(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// writeTemp writes keys to a new file (mode 0600) beside path and returns
// its name.
func writeTemp(path string, keys *sqlstore.AuditKeys) (string, error) {
	text, err := keys.MarshalText()
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if _, err := f.Write(text); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), f.Close()
}

// createAuditKeys writes a new key file whole, or not at all: false when
// path exists already.
func createAuditKeys(path string, keys *sqlstore.AuditKeys) (bool, error) {
	tmp, err := writeTemp(path, keys)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	// A hard link fails if path exists: two first starts cannot both win.
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, syncDir(path)
}

// replaceAuditKeys writes keys over the key file at path, atomically.
func replaceAuditKeys(path string, keys *sqlstore.AuditKeys) error {
	tmp, err := writeTemp(path, keys)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(path)
}

// syncDir makes a new name in path's directory durable.
func syncDir(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
