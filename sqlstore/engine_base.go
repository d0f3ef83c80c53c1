package sqlstore

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"

	"github.com/klauspost/compress/zstd"
)

// engineBasePart is the size of one stored part of the engine's base (a
// variable for the tests).
var engineBasePart = 16 << 20

// The base is stored compressed with zstd at its fastest level: a quarter
// of the bytes to read back (103 of 384 MiB at 3.6 M enterprises), which
// the database hands over page by page, for a decompression that runs
// beside the reading.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

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
		br := bufio.NewReader(&partReader{ctx: ctx, tx: tx, parts: n})
		if head, err := br.Peek(len(zstdMagic)); err != nil || !bytes.Equal(head, zstdMagic) {
			return read(br) // stored by an older build, uncompressed: the engine judges it
		}
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(2))
		if err != nil {
			return err
		}
		defer zr.Close()
		return read(zr)
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
		zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2))
		if err != nil {
			return err
		}
		if err := write(zw); err != nil {
			zw.Close()
			return err
		}
		if err := zw.Close(); err != nil {
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
