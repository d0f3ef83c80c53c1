package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
)

// engineBasePart is the size of one stored part of the engine's base.
const engineBasePart = 16 << 20

// LoadEngineBase calls read with the engine's stored base (see
// engine.BaseStore), read part by part in one consistent read; not at all
// when none is stored.
func (s *Store) LoadEngineBase(ctx context.Context, read func(io.Reader) error) error {
	return s.db.snapshot(ctx, func(tx *txn) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM engine_base`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return read(&partReader{ctx: ctx, tx: tx, parts: n})
	})
}

// partReader reads the stored parts in order, one in memory at a time.
type partReader struct {
	ctx   context.Context
	tx    *txn
	parts int
	next  int
	buf   bytes.Reader
}

func (r *partReader) Read(p []byte) (int, error) {
	for r.buf.Len() == 0 {
		if r.next == r.parts {
			return 0, io.EOF
		}
		var data []byte
		err := r.tx.queryRow(r.ctx, `SELECT data FROM engine_base WHERE part = ?`, r.next).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, io.ErrUnexpectedEOF
		} else if err != nil {
			return 0, err
		}
		r.buf.Reset(data)
		r.next++
	}
	return r.buf.Read(p)
}

// SaveEngineBase replaces the engine's stored base with what write
// writes, in one transaction.
func (s *Store) SaveEngineBase(ctx context.Context, write func(io.Writer) error) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		if _, err := tx.exec(ctx, `DELETE FROM engine_base`); err != nil {
			return err
		}
		w := &partWriter{ctx: ctx, tx: tx, buf: make([]byte, 0, engineBasePart)}
		if err := write(w); err != nil {
			return err
		}
		return w.flush()
	})
}

// partWriter stores what is written in parts of engineBasePart bytes.
type partWriter struct {
	ctx  context.Context
	tx   *txn
	part int
	buf  []byte
}

func (w *partWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), engineBasePart-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == engineBasePart {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *partWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.tx.exec(w.ctx, `INSERT INTO engine_base (part, data) VALUES (?, ?)`, w.part, blob(w.buf)); err != nil {
		return err
	}
	w.part++
	w.buf = w.buf[:0]
	return nil
}
