package sqlstore

import (
	"context"
)

// findPage counts the rows of from (a FROM clause, with any joins) that
// meet w and reads limit of them from offset in order, each with scan. It
// runs no SELECT when the page starts past the last row.
func findPage[T any](ctx context.Context, tx *txn, columns, from string, w where, order string, limit, offset int,
	scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, int, error) {
	total, err := count(ctx, tx, `SELECT COUNT(*)`+from+w.String(), w.args...)
	if err != nil || total <= offset {
		return nil, total, err
	}
	rows, err := tx.query(ctx, `SELECT `+columns+from+w.String()+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(w.args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// readPage is findPage in a read transaction of its own.
func readPage[T any](ctx context.Context, db *DB, columns, from string, w where, order string, limit, offset int,
	scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, int, error) {
	var (
		out   []T
		total int
	)
	err := db.transact(ctx, true, func(tx *txn) (err error) {
		out, total, err = findPage(ctx, tx, columns, from, w, order, limit, offset, scan)
		return err
	})
	return out, total, err
}

// queryAll returns every row of a query, each read by scan.
func queryAll[T any](ctx context.Context, tx *txn, scan func(row interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
