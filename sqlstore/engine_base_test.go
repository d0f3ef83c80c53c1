package sqlstore

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"
)

// The base comes back as it was saved, over several parts; it is stored
// compressed; a base stored uncompressed (by an older build) is handed
// over as it is, for the engine to judge.
func TestEngineBaseRoundTrip(t *testing.T) {
	part := engineBasePart
	engineBasePart = 64 << 10 // several parts, compressed
	t.Cleanup(func() { engineBasePart = part })
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		load := func() []byte {
			t.Helper()
			var got []byte
			err := s.LoadEngineBase(ctx, func(r io.Reader) error {
				var err error
				got, err = io.ReadAll(r)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := load(); got != nil {
			t.Fatalf("no base stored, read %d bytes", len(got))
		}
		// Small numbers, as the base mostly holds, over several parts.
		want := make([]byte, 10*engineBasePart+12345)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range want {
			want[i] = byte(r.IntN(4))
		}
		if err := s.SaveEngineBase(ctx, func(w io.Writer) error { _, err := w.Write(want); return err }); err != nil {
			t.Fatal(err)
		}
		if got := load(); !bytes.Equal(got, want) {
			t.Fatalf("read %d bytes back, saved %d (equal %v)", len(got), len(want), bytes.Equal(got, want))
		}
		var stored, parts int
		err := db.transact(ctx, true, func(tx *txn) error {
			return tx.queryRow(ctx, `SELECT COALESCE(SUM(LENGTH(data)), 0), COUNT(*) FROM engine_base`).Scan(&stored, &parts)
		})
		if err != nil {
			t.Fatal(err)
		}
		if stored >= len(want)/2 || parts < 2 {
			t.Errorf("stored %d bytes in %d parts for %d saved: not compressed", stored, parts, len(want))
		}
		raw := []byte("an uncompressed base")
		err = db.transact(ctx, false, func(tx *txn) error {
			if _, err := tx.exec(ctx, `DELETE FROM engine_base`); err != nil {
				return err
			}
			_, err := tx.exec(ctx, `INSERT INTO engine_base (part, data) VALUES (0, ?)`, blob(raw))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := load(); !bytes.Equal(got, raw) {
			t.Errorf("an uncompressed base read back as %q", got)
		}
	})
}
