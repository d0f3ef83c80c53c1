// Package sqlstore implements the chanye services on SQL: SQLite (pure Go,
// one file, WAL) as the embedded default and PostgreSQL (pgx) in production.
// Both run the same schema and the same queries; the few differences live in
// one dialect value.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/chanye-org/chanye"
)

// DB is a connection pool to SQLite or PostgreSQL.
type DB struct {
	db      *sql.DB
	dialect dialect
	// Now returns the current time; tests replace it to control "today".
	Now func() time.Time
	// AuditKeys sign the audit chain and verify it (see audit.go). Without
	// them every audited write fails: set them before the first write.
	AuditKeys *AuditKeys

	// prepared holds the reads prepared once for every transaction (see
	// preparedRead).
	preparedMu sync.RWMutex
	prepared   map[string]*sql.Stmt

	counts registryCounts // see registryCount
}

// maxPrepared bounds the reads kept prepared: queries built with values in
// their text are distinct each time and would otherwise grow the map.
const maxPrepared = 1000

// preparedRead returns query prepared on the pool, once, for the
// transactions to use (each connection then prepares it once): SQLite
// otherwise parses every statement on every call, which was half the time
// of reading one enterprise. nil on PostgreSQL, whose driver keeps its own
// statement cache, and once maxPrepared reads are kept.
func (db *DB) preparedRead(ctx context.Context, query string) *sql.Stmt {
	if db.dialect.name != "sqlite" {
		return nil
	}
	db.preparedMu.RLock()
	st, ok := db.prepared[query]
	db.preparedMu.RUnlock()
	if ok {
		return st
	}
	db.preparedMu.Lock()
	defer db.preparedMu.Unlock()
	if st, ok := db.prepared[query]; ok {
		return st
	}
	if len(db.prepared) >= maxPrepared {
		return nil
	}
	st, err := db.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the query runs unprepared and reports its error there
	}
	if db.prepared == nil {
		db.prepared = map[string]*sql.Stmt{}
	}
	db.prepared[query] = st
	return st
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// opens PostgreSQL, anything else is the path of a SQLite file, created if
// missing. Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		driverName, source string
		d                  dialect
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		driverName, source, d = "pgx", dsn, postgres
	} else {
		if dsn == "" {
			return nil, chanye.Errorf(chanye.EINVALID, "数据库路径为空 / empty database path")
		}
		// _txlock=immediate takes the write lock at BEGIN so that two writers
		// wait on busy_timeout instead of failing on lock upgrade; read-only
		// transactions still begin deferred.
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "cache_size("+itoa(cacheKiB)+")")
		q.Set("_txlock", "immediate")
		driverName, source, d = "sqlite", "file:"+dsn+"?"+q.Encode(), sqliteDialect
	}
	db, err := sql.Open(driverName, source)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d.name, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", d.name, err)
	}
	return &DB{db: db, dialect: d, Now: time.Now}, nil
}

// Close closes the pool and its prepared reads.
func (db *DB) Close() error {
	db.preparedMu.Lock()
	for _, st := range db.prepared {
		st.Close()
	}
	db.prepared = nil
	db.preparedMu.Unlock()
	return db.db.Close()
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// txn is a transaction with the time it started, so that one service call
// sees one "now".
type txn struct {
	*sql.Tx
	conn  *sql.Conn // the transaction's connection: PostgreSQL writes only
	db    *DB
	now   time.Time
	stmts map[string]stmt // prepared by stmt, closed with the transaction
	// audits are the audit entries queued by audit, appended to the chain
	// auditChain just before COMMIT (see audit.go): 0 unless transactChain
	// names another.
	audits     []auditRow
	auditChain int
	// seq is the transaction's change stamp once taken (see stamp).
	seq int64
}

// today returns the date of the transaction's now, as stored.
func (tx *txn) today() string { return chanye.DateOf(tx.now).String() }

// Every statement's arguments pass checkArgs first: PostgreSQL refuses a
// NUL in text with an internal error and SQLite stores it, so the store
// refuses it itself, the same on both. The HTTP middleware refuses NUL in
// requests before they get here; this is the last line of defence.

func (tx *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return tx.ExecContext(ctx, tx.db.dialect.rebind(query), args...)
}

func (tx *txn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	if st := tx.db.preparedRead(ctx, query); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, tx.db.dialect.rebind(query), args...)
}

func (tx *txn) queryRow(ctx context.Context, query string, args ...any) row {
	if err := checkArgs(args); err != nil {
		return row{err: err}
	}
	if st := tx.db.preparedRead(ctx, query); st != nil {
		return row{Row: tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)}
	}
	return row{Row: tx.QueryRowContext(ctx, tx.db.dialect.rebind(query), args...)}
}

// row is a *sql.Row, or the error that kept its query from running.
type row struct {
	*sql.Row
	err error
}

// Scan is sql.Row's Scan, or the error.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.Row.Scan(dest...)
}

// stmt is a prepared statement whose arguments are checked as tx.exec's.
type stmt struct{ *sql.Stmt }

// ExecContext is sql.Stmt's, after checkArgs.
func (s stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return s.Stmt.ExecContext(ctx, args...)
}

// QueryContext is sql.Stmt's, after checkArgs.
func (s stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return s.Stmt.QueryContext(ctx, args...)
}

// errNUL is the answer to a text holding a NUL character.
var errNUL = chanye.NewError(chanye.EINVALID, "文本不能含有空字符（NUL，U+0000）/ text must not contain a NUL character (U+0000)", nil)

// SQLite's page cache per connection, in KiB as its negative: 64 MiB for
// everyday work (a server holds several connections), 256 MiB for the
// transaction of a bulk import, whose indexes are larger.
const (
	cacheKiB     = -64 << 10
	bulkCacheKiB = -256 << 10
)

// copyRows is how many rows a COPY of insertMany carries at most.
const copyRows = 5000

// insertMany inserts rows of len(columns) values each (args, row after
// row) into table: with COPY on PostgreSQL, in multi-row INSERTs of
// bulkRows on SQLite. A run stores hundreds of thousands of decisions.
func (tx *txn) insertMany(ctx context.Context, table string, columns []string, args []any) error {
	cols := len(columns)
	if len(args) == 0 {
		return nil
	}
	if tx.conn == nil {
		list := strings.Join(columns, ", ")
		return inChunks(ctx, tx, args, cols, func(n int) string {
			return `INSERT INTO ` + table + ` (` + list + `) VALUES ` + placeholders(n, cols)
		}, nil)
	}
	if err := checkArgs(args); err != nil {
		return err
	}
	rows := make([][]any, len(args)/cols)
	for i := range rows {
		rows[i] = args[i*cols : (i+1)*cols]
	}
	return tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqlstore: copy into %s: a %T is not a pgx connection", table, dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		return err
	})
}

// blob is a binary argument (attachments, the engine's base): bytes, not
// text, so checkArgs lets a NUL in it pass.
type blob []byte

// Value gives the driver the bytes.
func (b blob) Value() (driver.Value, error) { return []byte(b), nil }

// checkArgs returns EINVALID when a text argument holds a NUL.
func checkArgs(args []any) error {
	for _, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		case *string:
			if v == nil {
				continue
			}
			s = *v
		case sql.NullString:
			s = v.String
		default:
			continue
		}
		if strings.IndexByte(s, 0) >= 0 {
			return errNUL
		}
	}
	return nil
}

// stmt returns query prepared, once per transaction: bulk writes run the
// same few statements thousands of times, and preparing a 200-row INSERT
// costs as much as running it.
func (tx *txn) stmt(ctx context.Context, query string) (stmt, error) {
	if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	prepared, err := tx.PrepareContext(ctx, tx.db.dialect.rebind(query))
	if err != nil {
		return stmt{}, err
	}
	if tx.stmts == nil {
		tx.stmts = map[string]stmt{}
	}
	st := stmt{prepared}
	tx.stmts[query] = st
	return st, nil
}

// transact runs fn in one transaction, committing when fn returns nil.
// Driver errors are translated to domain errors here, at the edge.
func (db *DB) transact(ctx context.Context, readOnly bool, fn func(tx *txn) error) error {
	return db.transactWith(ctx, &sql.TxOptions{ReadOnly: readOnly}, fn)
}

// snapshot runs fn in a read-only transaction whose queries all see one
// state of the database: SQLite's read transactions do; PostgreSQL's
// default (read committed) would let each statement see newer commits.
func (db *DB) snapshot(ctx context.Context, fn func(tx *txn) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect.name == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.transactWith(ctx, opts, fn)
}

func (db *DB) transactWith(ctx context.Context, opts *sql.TxOptions, fn func(tx *txn) error) error {
	var (
		conn  *sql.Conn
		sqlTx *sql.Tx
		err   error
	)
	if db.dialect.name == "postgres" && !opts.ReadOnly {
		// A write on PostgreSQL holds its connection, so that insertMany
		// can COPY on it inside the transaction.
		if conn, err = db.db.Conn(ctx); err != nil {
			return db.dialect.translate(err)
		}
		defer conn.Close()
		sqlTx, err = conn.BeginTx(ctx, opts)
	} else {
		sqlTx, err = db.db.BeginTx(ctx, opts)
	}
	if err != nil {
		return db.dialect.translate(err)
	}
	tx := &txn{Tx: sqlTx, conn: conn, db: db, now: db.Now().UTC()}
	defer func() {
		for _, st := range tx.stmts {
			st.Close()
		}
	}()
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return db.dialect.translate(err)
	}
	if err := tx.flushAudit(ctx); err != nil {
		sqlTx.Rollback()
		return db.dialect.translate(err)
	}
	return db.dialect.translate(sqlTx.Commit())
}

// dialect holds what differs between the two databases.
type dialect struct {
	name string
	// distinct is the null-safe "differs" operator.
	distinct string
	// dollar says placeholders are $1, $2 … instead of ?.
	dollar bool
	// indexes lists the name and definition of the secondary indexes of
	// the table named by its one parameter.
	indexes string
}

var (
	sqliteDialect = dialect{name: "sqlite", distinct: "IS NOT",
		indexes: `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`}
	postgres = dialect{name: "postgres", distinct: "IS DISTINCT FROM", dollar: true,
		indexes: `SELECT i.indexname, i.indexdef FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename = ? AND i.indexname NOT IN (
				SELECT c.conname FROM pg_constraint c WHERE c.connamespace = current_schema()::regnamespace)
			ORDER BY i.indexname`}
)

// lowerASCII returns an expression that folds A-Z of the text column col to
// a-z. SQLite's LIKE ignores ASCII case and only ASCII case; PostgreSQL's
// LIKE is case-sensitive, and its lower() and ILIKE fold by locale, so there
// translate() folds exactly the letters SQLite does: a search matches the
// same rows on both.
func (d dialect) lowerASCII(col string) string {
	if d.name == "sqlite" {
		return col
	}
	return `translate(` + col + `, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`
}

// rebind turns ? placeholders into $n for PostgreSQL. Queries in this
// package never hold a literal ? inside a string.
func (d dialect) rebind(query string) string {
	if !d.dollar || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + len(query)/4)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteByte(query[i])
		}
	}
	return b.String()
}

// migration returns a migration's text for the dialect: each comment
// /*NAME: X*/ whose NAME is the dialect's ("sqlite" or "postgres") becomes
// X; the other dialect's stay comments. So /*sqlite: X*/ is SQLite only and
// /*postgres: X*/ PostgreSQL only (whole statements, over several lines if
// need be; X holds no comment of its own but -- ones).
func (d dialect) migration(text string) string {
	open := "/*" + d.name + ":"
	var b strings.Builder
	for {
		i := strings.Index(text, open)
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "*/")
		if j < 0 {
			break
		}
		b.WriteString(text[:i])
		b.WriteString(strings.TrimSpace(text[i+len(open) : i+j]))
		text = text[i+j+2:]
	}
	b.WriteString(text)
	return b.String()
}

// translate turns unique and foreign-key violations and integer overflows
// (chanye.ErrOverflow) into domain errors and leaves every other error as
// is (shown to users as an internal error).
func (d dialect) translate(err error) error {
	if err == nil {
		return nil
	}
	var e *chanye.Error
	if errors.As(err, &e) {
		return err
	}
	var unique, foreign, overflow bool
	var pgErr *pgconn.PgError
	var liteErr *sqlite.Error
	switch {
	case errors.As(err, &pgErr):
		// 22003 numeric_value_out_of_range: a bigint sum or a value past
		// the column's range.
		unique, foreign, overflow = pgErr.Code == "23505", pgErr.Code == "23503", pgErr.Code == "22003"
		// A NUL that got past checkArgs (inside a JSON value, say): the
		// same answer as checkArgs gives.
		if pgErr.Code == "22021" || pgErr.Code == "22P05" {
			return errNUL
		}
	case errors.As(err, &liteErr):
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			unique = true
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			foreign = true
		default:
			// SUM() of integers past int64 fails with a plain SQLITE_ERROR.
			overflow = strings.Contains(liteErr.Error(), "integer overflow")
		}
	}
	// On PostgreSQL SUM of bigint is numeric: past int64 it fails in
	// database/sql's Scan, which says so only in words.
	if e := err.Error(); strings.Contains(e, "Scan error") && strings.Contains(e, "value out of range") {
		overflow = true
	}
	switch {
	case unique:
		return chanye.NewError(chanye.ECONFLICT, "记录已存在 / record already exists", nil)
	case foreign:
		return chanye.NewError(chanye.ENOTFOUND, "引用的记录不存在 / referenced record does not exist", nil)
	case overflow:
		return fmt.Errorf("%w (%v)", chanye.ErrOverflow(""), err)
	}
	return err
}

// placeholders returns "(?,?,…),(?,?,…)…": rows groups of cols.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// millis stores a time as unix milliseconds; the zero time as NULL.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMillis reads a time stored by millis.
func fromMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// dateArg stores a date as TEXT; the zero date as NULL.
func dateArg(d chanye.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// parseDate reads a date stored by dateArg.
func parseDate(v sql.NullString) (chanye.Date, error) {
	if !v.Valid || v.String == "" {
		return chanye.Date{}, nil
	}
	t, err := time.Parse(chanye.DateLayout, v.String)
	if err != nil {
		return chanye.Date{}, fmt.Errorf("stored date %q: %w", v.String, err)
	}
	return chanye.Date{Time: t}, nil
}
