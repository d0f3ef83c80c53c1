package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/sqlstore"
)

const backupHelp = `chanye backup [--db PATH] [--force] FILE

在服务运行时把 SQLite 数据库的一致快照写入 FILE（VACUUM INTO）。FILE 已存在时拒绝，除非 --force。
PostgreSQL 请用 pg_dump（见 README）。审计密钥文件不在备份中：请另行保存。

Writes a consistent snapshot of the SQLite database to FILE (VACUUM INTO)
while chanye keeps serving. Refuses an existing FILE unless --force. On
PostgreSQL use pg_dump (see the README). The audit key file is not part of
the backup: keep a copy of it elsewhere.
`

const restoreHelp = `chanye restore [--db PATH] FILE

检查 FILE 是完好的 chanye 数据库（integrity_check 与 schema_migrations），再原子地替换 --db 指向的文件。
须先停止使用该数据库的服务；服务仍打开时拒绝。PostgreSQL 请用 pg_restore（见 README）。

Checks that FILE is a sound chanye database (PRAGMA integrity_check and the
schema_migrations table), then replaces the database file named by --db
atomically. Stop the server first: restore refuses a database that is open.
The next start migrates the restored database if it is older. On PostgreSQL
use pg_restore (see the README). The restored log verifies with the key file
of the database it was taken from: restoring to a new path, copy that file to
PATH.audit-key or name it with --audit-key.
`

func runBackup(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "backup", backupHelp)
	force := fs.Bool("force", false, "覆盖已有文件 / overwrite an existing file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("需要一个备份文件路径 / expected one backup file")
	}
	if strings.HasPrefix(cfg.DB, "postgres://") || strings.HasPrefix(cfg.DB, "postgresql://") {
		return chanye.Errorf(chanye.EINVALID, "%s", sqlstore.PostgresBackupHelp)
	}
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(ctx, pos[0], *force); err != nil {
		return err
	}
	st, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已备份到 / backed up to %s (%d bytes, %s)\n", pos[0], st.Size(), time.Since(start).Round(time.Millisecond))
	// The key stays out of the database's backups on purpose (README).
	fmt.Fprintf(cfg.Stdout, "审计密钥文件 %s 不在备份中，请另行保存 / the audit key file %s is not in the backup: keep a copy elsewhere\n",
		auditKeyPath(cfg, db), auditKeyPath(cfg, db))
	return nil
}

func runRestore(ctx context.Context, cfg Config, args []string) error {
	fs := newFlags(&cfg, "restore", restoreHelp)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("需要一个备份文件路径 / expected one backup file")
	}
	if err := sqlstore.Restore(ctx, pos[0], cfg.DB); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "已从 %s 恢复 %s / restored %s from %s\n", pos[0], cfg.DB, cfg.DB, pos[0])
	return nil
}
