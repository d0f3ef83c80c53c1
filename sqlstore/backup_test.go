package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chanye-org/chanye"
)

func countEnterprises(t *testing.T, s *Store) int {
	t.Helper()
	_, total, err := s.FindEnterprises(context.Background(), chanye.EnterpriseFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// TestBackupRestoreRoundTrip backs up a database while another goroutine
// keeps writing, restores the copy to a new path and compares: the copy is
// one consistent snapshot, whole and sound.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTestDB(t, filepath.Join(dir, "live.db"))
	s := newStore(t, db)
	const before = 300
	for i := range before {
		e := enterprise(t, i, "440106", "3612")
		e.Tiers = []chanye.Tier{{Kind: chanye.TierHighTech, From: date("2020-01-01")}}
		if err := s.CreateEnterprise(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	// The writer adds enterprises before, during and after the backup.
	var written atomic.Int64
	written.Store(before)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := before; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.CreateEnterprise(ctx, enterprise(t, i, "440103", "3971")); err != nil {
				t.Error(err)
				return
			}
			written.Store(int64(i + 1))
		}
	}()
	for written.Load() < before+20 {
		runtime.Gosched() // let the writer get going
	}
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup, false); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()

	if err := db.Backup(ctx, backup, false); chanye.ErrorCode(err) != chanye.ECONFLICT {
		t.Errorf("backup over an existing file: %v, want ECONFLICT", err)
	}
	if _, err := CheckBackup(ctx, backup); err != nil {
		t.Fatal(err)
	}

	restored := filepath.Join(dir, "restored.db")
	if err := Restore(ctx, backup, restored); err != nil {
		t.Fatal(err)
	}
	rdb := openTestDB(t, restored)
	rs := NewStore(rdb)
	n := countEnterprises(t, rs)
	if n < before+20 || int64(n) > written.Load() {
		t.Errorf("restored %d enterprises, want between %d and %d", n, before+20, written.Load())
	}
	// The copy is a snapshot: the writer's enterprises 0..n-1, no gaps.
	for _, i := range []int{0, before - 1, before, n - 1} {
		want, err := s.FindEnterpriseByCode(ctx, code(t, i))
		if err != nil {
			t.Fatal(err)
		}
		got, err := rs.FindEnterpriseByCode(ctx, code(t, i))
		if err != nil {
			t.Fatalf("enterprise %d missing from the restored copy: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("enterprise %d restored as\n%+v\nwant\n%+v", i, got, want)
		}
	}
	if _, err := rs.FindEnterpriseByCode(ctx, code(t, n)); chanye.ErrorCode(err) != chanye.ENOTFOUND {
		t.Errorf("enterprise %d after the snapshot: %v, want ENOTFOUND", n, err)
	}
	var tiers int
	if err := rdb.db.QueryRow(`SELECT COUNT(*) FROM enterprise_tiers`).Scan(&tiers); err != nil || tiers != before {
		t.Errorf("restored tiers %d, %v; want %d", tiers, err, before)
	}
}

func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTestDB(t, filepath.Join(dir, "live.db"))
	newStore(t, db)
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup, false); err != nil {
		t.Fatal(err)
	}
	// A database held open, as by a running server.
	if err := Restore(ctx, backup, filepath.Join(dir, "live.db")); chanye.ErrorCode(err) != chanye.ECONFLICT {
		t.Errorf("restore over an open database: %v, want ECONFLICT", err)
	}
	// Not a chanye database, not a database at all, damaged.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, just some text"), 0o600)
	other := filepath.Join(dir, "other.db")
	odb, err := Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	odb.db.Exec(`CREATE TABLE t (x INTEGER)`)
	odb.Close()
	raw, _ := os.ReadFile(backup)
	damaged := filepath.Join(dir, "damaged.db")
	for i := 4096 * 3; i < len(raw) && i < 4096*6; i++ {
		raw[i] ^= 0x5a
	}
	os.WriteFile(damaged, raw, 0o600)
	target := filepath.Join(dir, "target.db")
	for _, src := range []string{junk, other, damaged, filepath.Join(dir, "missing.db")} {
		if err := Restore(ctx, src, target); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("restore %s: %v, want EINVALID", filepath.Base(src), err)
		}
		if _, err := os.Stat(target); !os.IsNotExist(err) {
			t.Errorf("restore %s created the target", filepath.Base(src))
		}
	}
	// Once closed, the restore goes through and --force backups overwrite.
	db.Close()
	if err := Restore(ctx, backup, filepath.Join(dir, "live.db")); err != nil {
		t.Errorf("restore over a closed database: %v", err)
	}
	if err := Restore(ctx, backup, "postgres://localhost/x"); chanye.ErrorCode(err) != chanye.EINVALID {
		t.Errorf("restore to PostgreSQL: %v, want EINVALID pointing to pg_restore", err)
	}
}
