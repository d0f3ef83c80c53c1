package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chanye-org/chanye"
)

// writeChain appends one entry to chain in a transaction of its own, as
// the per-shard work does.
func writeChain(ctx context.Context, db *DB, chain int, key string) error {
	return db.transactChain(ctx, chain, func(tx *txn) error {
		return tx.audit(ctx, "update", "shard_test", key, nil, map[string]any{"chain": chain, "key": key})
	})
}

func mustWriteChain(t *testing.T, db *DB, chain int, key string) {
	t.Helper()
	if err := writeChain(context.Background(), db, chain, key); err != nil {
		t.Fatal(err)
	}
}

func verifyChains(t *testing.T, s *Store, v chanye.AuditVerify) *chanye.AuditReport {
	t.Helper()
	rep, err := s.VerifyAuditChains(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// chainHead returns the last row of chain.
func chainHead(t *testing.T, db *DB, chain int) chanye.AuditHead {
	t.Helper()
	h := chanye.AuditHead{Chain: chain}
	if err := db.db.QueryRow(db.dialect.rebind(`SELECT id, hash FROM audit_log WHERE chain = ? ORDER BY id DESC LIMIT 1`), chain).Scan(&h.ID, &h.Hash); err != nil {
		t.Fatal(err)
	}
	return h
}

// chainSummary describes the report's chains: "0:3 1:2" is chain 0 with
// three rows and chain 1 with two, all intact; a broken chain shows its
// problem and row.
func chainSummary(rep *chanye.AuditReport) string {
	var parts []string
	for _, c := range rep.Chains {
		p := fmt.Sprintf("%d:%d", c.Chain, c.Rows)
		if !c.OK {
			p += fmt.Sprintf("(%s@%d)", c.Problem, c.BadID)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestAuditChainOf(t *testing.T) {
	for _, tc := range []struct {
		code   string
		chains int
		want   int
	}{
		{"91440101000000017X", 0, 0},
		{"91440101000000017X", -3, 0},
		{"91440101000000017X", 1, 1},
		// The code's Citus shard (PostgreSQL's hashtext, ranges), pinned:
		// the mapping must never change once chains hold rows.
		{"91440101000000017X", 16, 16},
		{"", 7, 2},
	} {
		if got := AuditChainOf(tc.code, tc.chains); got != tc.want {
			t.Errorf("AuditChainOf(%q, %d) = %d, want %d", tc.code, tc.chains, got, tc.want)
		}
	}
	// Every chain of 1…n takes a fair share of codes.
	const n = 8
	counts := make([]int, n+1)
	for i := range 8000 {
		c := AuditChainOf(code(t, i), n)
		if c < 1 || c > n {
			t.Fatalf("AuditChainOf = %d, outside 1…%d", c, n)
		}
		counts[c]++
	}
	for c := 1; c <= n; c++ {
		if counts[c] < 700 || counts[c] > 1300 {
			t.Errorf("chain %d takes %d of 8000 codes", c, counts[c])
		}
	}
}

// TestAuditHashVersions pins the encodings: versions 1 and 2 give the
// hashes they gave before chains existed (computed with that code), so
// that old logs verify unchanged; version 3 covers the chain.
func TestAuditHashVersions(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	e := &chanye.AuditEntry{ID: 7, Actor: "alice (admin)", ActorRole: chanye.RoleAdmin, RequestID: "req-1", Action: "update",
		Entity: "enterprise", EntityKey: "91440101000000017X", Before: []byte(`{"name":"甲"}`),
		PrevHash: "00000000000000000000000000000000000000000000000000000000000000ab"}
	const at = 1750000000123
	if got, want := auditHash(e, at, nil), "4b5c38a7114b08368254272f02849f397cf7ea1d83752e600b49737e5837f254"; got != want {
		t.Errorf("version 1 = %s, want %s", got, want)
	}
	e.KeyID = 3
	if got, want := auditHash(e, at, key), "fd77373996dae87f15ae7a801920dfb2efd89ae85b67a4e0190c57e3fc44cef5"; got != want {
		t.Errorf("version 2 = %s, want %s", got, want)
	}
	// Version 3, from the documented encoding.
	var b strings.Builder
	b.WriteString("chanye.audit.v3\n")
	for _, f := range []string{"2", "7", strconv.Itoa(at), "3", e.Actor, "admin", e.RequestID, e.Action, e.Entity, e.EntityKey, string(e.Before)} {
		fmt.Fprintf(&b, "%d:%s,", len(f), f)
	}
	fmt.Fprintf(&b, "-,%d:%s,", len(e.PrevHash), e.PrevHash)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(b.String()))
	e.Chain = 2
	v3 := auditHash(e, at, key)
	if want := hex.EncodeToString(mac.Sum(nil)); v3 != want {
		t.Errorf("version 3 = %s, want %s", v3, want)
	}
	e.Chain = 5
	if auditHash(e, at, key) == v3 {
		t.Error("version 3 does not cover the chain")
	}
}

// TestAuditChains writes to chain 0 and to two shard chains, lists and
// verifies them, then tampers with one chain: verification names it and
// still reports the others. On SQLite every write goes to chain 0.
func TestAuditChains(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db) // chain 0, row 1
		clock := setClock(db)
		for i, chain := range []int{1, 0, 2, 1, 2, 1, 0} {
			*clock = clock.Add(time.Second)
			mustWriteChain(t, db, chain, fmt.Sprintf("w%d", i))
		}
		if err := writeChain(ctx, db, -1, "bad"); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("chain -1: %v, want EINVALID", err)
		}
		pg := db.dialect.name == "postgres"
		rep := verify(t, s)
		want := "0:8"
		if pg {
			want = "0:3 1:3 2:2"
		}
		if got := chainSummary(rep); !rep.OK || got != want || rep.Rows != 8 {
			t.Fatalf("verify = %+v, chains %s; want OK, chains %s", rep, got, want)
		}
		if rep.Head == nil || *rep.Head != chainHead(t, db, 0) || rep.Reconciled == nil {
			t.Errorf("head %v, want chain 0's %v; reconciled %v", rep.Head, chainHead(t, db, 0), rep.Reconciled)
		}

		// Listed by time, then chain and id (auditEntries turns the page,
		// newest first, around).
		var listed []string
		for _, e := range auditEntries(t, s, chanye.AuditFilter{}) {
			listed = append(listed, fmt.Sprintf("%d:%d", e.Chain, e.ID))
		}
		want = "[0:1 0:2 0:3 0:4 0:5 0:6 0:7 0:8]"
		if pg {
			want = "[0:1 1:1 0:2 2:1 1:2 2:2 1:3 0:3]"
		}
		if fmt.Sprint(listed) != want {
			t.Errorf("listed %v, want %s", listed, want)
		}
		if !pg {
			return
		}
		one := auditEntries(t, s, chanye.AuditFilter{Chain: ptr(1)})
		if len(one) != 3 || one[0].EntityKey != "w0" || one[2].EntityKey != "w5" {
			t.Errorf("chain 1 lists %d entries", len(one))
		}
		if _, _, err := s.FindAudit(ctx, chanye.AuditFilter{Chain: ptr(-1)}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("chain -1: %v, want EINVALID", err)
		}

		// One chain on its own, not reconciled.
		h1 := chainHead(t, db, 1)
		rep = verifyChains(t, s, chanye.AuditVerify{Chain: ptr(1), Expect: []chanye.AuditHead{h1}})
		if !rep.OK || rep.Rows != 3 || rep.Head == nil || *rep.Head != h1 || rep.Reconciled != nil || chainSummary(rep) != "1:3" {
			t.Errorf("verify chain 1 = %+v", rep)
		}
		if _, err := s.VerifyAuditChains(ctx, chanye.AuditVerify{Chain: ptr(-1)}); chanye.ErrorCode(err) != chanye.EINVALID {
			t.Errorf("verify chain -1: %v, want EINVALID", err)
		}

		// A row moved to another chain no longer verifies: here chain 2's
		// second row appended to chain 1.
		execSQL(t, db, `UPDATE audit_log SET chain = 1, id = 4 WHERE chain = 2 AND id = 2`)
		rep = verify(t, s)
		if rep.OK || rep.BadChain != 1 || rep.BadID != 4 || rep.Problem != "altered" || chainSummary(rep) != "0:3 1:4(altered@4) 2:1" {
			t.Errorf("after moving a row = %+v, chains %s; want chain 1 row 4 altered", rep, chainSummary(rep))
		}
		if !strings.Contains(rep.Message, "chain 1: row 4 was altered") || !strings.Contains(rep.Message, "审计链 1：第 4 行") {
			t.Errorf("message %q", rep.Message)
		}
		execSQL(t, db, `UPDATE audit_log SET chain = 2, id = 2 WHERE chain = 1 AND id = 4`)
		// Moved to chain 0's end, it changes encoding.
		execSQL(t, db, `UPDATE audit_log SET chain = 0, id = 4 WHERE chain = 2 AND id = 2`)
		if rep := verify(t, s); rep.OK || rep.BadChain != 0 || rep.BadID != 4 || rep.Problem != "altered" {
			t.Errorf("after moving a row to chain 0 = %+v", rep)
		}
		execSQL(t, db, `UPDATE audit_log SET chain = 2, id = 2 WHERE chain = 0 AND id = 4`)
		if rep := verify(t, s); !rep.OK {
			t.Fatalf("restored: %+v", rep)
		}

		// A broken chain is named; the others still verify.
		execSQL(t, db, `UPDATE audit_log SET actor = 'mallory (admin)' WHERE chain = 2 AND id = 1`)
		rep = verify(t, s)
		if rep.OK || rep.BadChain != 2 || rep.BadID != 1 || rep.Problem != "altered" || chainSummary(rep) != "0:3 1:3 2:1(altered@1)" {
			t.Errorf("after editing chain 2 = %+v, chains %s", rep, chainSummary(rep))
		}
		if rep := verifyChains(t, s, chanye.AuditVerify{Chain: ptr(1)}); !rep.OK {
			t.Errorf("chain 1 alone = %+v", rep)
		}
		execSQL(t, db, `UPDATE audit_log SET actor = 'public (public)' WHERE chain = 2 AND id = 1`)

		// Heads kept elsewhere, of several chains, find truncation.
		h0, h2 := chainHead(t, db, 0), chainHead(t, db, 2)
		if rep := verifyChains(t, s, chanye.AuditVerify{Expect: []chanye.AuditHead{h0, h1, h2}}); !rep.OK {
			t.Errorf("expected heads: %+v", rep)
		}
		execSQL(t, db, `DELETE FROM audit_log WHERE chain = 1 AND id = 3`)
		rep = verifyChains(t, s, chanye.AuditVerify{Expect: []chanye.AuditHead{h0, h1, h2}})
		if rep.OK || rep.BadChain != 1 || rep.Problem != "truncated" || !strings.Contains(rep.Message, "chain 1: the log ends at row 2") {
			t.Errorf("after truncating chain 1: %+v", rep)
		}
		// A pin of a chain that has no rows at all.
		rep = verifyChains(t, s, chanye.AuditVerify{Expect: []chanye.AuditHead{{Chain: 9, ID: 1, Hash: auditGenesis}}})
		if rep.OK || rep.BadChain != 9 || rep.Problem != "truncated" {
			t.Errorf("expecting a row of an empty chain: %+v", rep)
		}
	})
}

// TestAuditChainKeys: key rules hold per chain, and the key file pins
// heads of any chain.
func TestAuditChainKeys(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		if db.dialect.name != "postgres" {
			t.Skip("SQLite keeps one chain")
		}
		s := newStore(t, db)
		mustWriteChain(t, db, 3, "a")
		h3 := chainHead(t, db, 3)
		if _, err := db.AuditKeys.Rotate(nil); err != nil {
			t.Fatal(err)
		}
		db.AuditKeys.Pin(h3)
		mustWriteChain(t, db, 3, "b")
		mustWriteChain(t, db, 4, "c")
		rep := verify(t, s)
		if !rep.OK || chainSummary(rep) != "0:1 3:2 4:1" || fmt.Sprint(rep.Chains[1].KeyIDs) != "[1 2]" || fmt.Sprint(rep.Chains[2].KeyIDs) != "[2]" {
			t.Errorf("verify = %+v", rep)
		}
		text, err := db.AuditKeys.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), fmt.Sprintf("pin 3:1 %s\n", h3.Hash)) {
			t.Errorf("key file:\n%s", text)
		}
		back, err := ParseAuditKeys(text)
		if err != nil || len(back.pins) != 1 || back.pins[0] != h3 {
			t.Fatalf("parsed pins %v, %v", back, err)
		}
		if _, err := ParseAuditKeys([]byte("key 1 " + strings.Repeat("ab", 32) + "\nlegacy 2:5 " + auditGenesis + "\n")); err == nil {
			t.Error("a legacy line of chain 2 was accepted")
		}
		// The pinned row removed: found without a head kept elsewhere.
		execSQL(t, db, `DELETE FROM audit_log WHERE chain = 3`)
		if rep := verify(t, s); rep.OK || rep.BadChain != 3 || rep.Problem != "truncated" {
			t.Errorf("after removing chain 3: %+v", rep)
		}
		st, err := s.AuditState(context.Background())
		if err != nil || st.LastKeyID != 2 || st.Last == nil || st.Last.ID != 1 {
			t.Errorf("AuditState = %+v, %v; want key 2 (chain 4's)", st, err)
		}
		// An unkeyed row is never legacy outside chain 0.
		execSQL(t, db, `UPDATE audit_log SET key_id = 0 WHERE chain = 4`)
		if rep := verify(t, s); rep.OK || chainSummary(rep) != "0:1 3:0(truncated@0) 4:1(unkeyed@1)" {
			t.Errorf("unkeyed row in chain 4: %+v", rep)
		}
	})
}

// TestAuditChainLocks: on PostgreSQL an appender holds its own chain's
// lock only. While one transaction holds chain 1's append open, writes to
// chains 2 and 0 commit; a second writer to chain 1 waits for it and then
// chains to its row: no fork.
func TestAuditChainLocks(t *testing.T) {
	db := openTestDB(t, migratedPostgres(t, postgresDSN(t)))
	s := newStore(t, db)
	ctx := context.Background()
	done := make(chan error, 1)
	err := db.transactChain(ctx, 1, func(tx *txn) error {
		if err := tx.audit(ctx, "update", "shard_test", "first", nil, map[string]string{"w": "first"}); err != nil {
			return err
		}
		// Appends to chain 1 and holds its lock until COMMIT.
		if err := tx.flushAudit(ctx); err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		for _, chain := range []int{2, 0} {
			if err := writeChain(cctx, db, chain, "meanwhile"); err != nil {
				return fmt.Errorf("chain %d while chain 1 appends: %w", chain, err)
			}
		}
		go func() { done <- writeChain(ctx, db, 1, "second") }()
		// The second writer waits on chain 1's lock, and only there.
		key := auditChainLock(1)
		deadline := time.Now().Add(20 * time.Second)
		for {
			var waiting int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
				AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1`, int64(uint32(key>>32)), int64(uint32(key))).Scan(&waiting); err != nil {
				return err
			}
			if waiting == 1 {
				break
			}
			select {
			case err := <-done:
				return fmt.Errorf("the second writer to chain 1 did not wait: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the second writer to chain 1 is not waiting on its lock")
			}
			time.Sleep(10 * time.Millisecond)
		}
		select {
		case err := <-done:
			return fmt.Errorf("the second writer to chain 1 did not wait: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range auditEntries(t, s, chanye.AuditFilter{Chain: ptr(1)}) {
		keys = append(keys, fmt.Sprintf("%d:%s", e.ID, e.EntityKey))
	}
	if fmt.Sprint(keys) != "[1:first 2:second]" {
		t.Errorf("chain 1 holds %v", keys)
	}
	if rep := verify(t, s); !rep.OK || chainSummary(rep) != "0:2 1:2 2:1" {
		t.Errorf("verify = %+v, chains %s", rep, chainSummary(rep))
	}
}

// TestAuditChainsConcurrentWriters writes to four chains from many
// goroutines at once: no chain forks, each keeps ids 1…n.
func TestAuditChainsConcurrentWriters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := newStore(t, db)
		const workers, each, chains = 8, 12, 4
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts = map[int]int{0: 1} // the catalog's import
		)
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), 1))
				for i := range each {
					chain := r.IntN(chains)
					if err := writeChain(ctx, db, chain, fmt.Sprintf("%d-%d", w, i)); err != nil {
						errs <- err
						continue
					}
					if db.dialect.name == "sqlite" {
						chain = 0
					}
					mu.Lock()
					counts[chain]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rep := verify(t, s)
		if !rep.OK || rep.Rows != 1+workers*each {
			t.Fatalf("verify = %+v", rep)
		}
		for _, c := range rep.Chains {
			if c.LastID != int64(counts[c.Chain]) || c.Rows != counts[c.Chain] {
				t.Errorf("chain %d: %d rows up to id %d, want %d", c.Chain, c.Rows, c.LastID, counts[c.Chain])
			}
		}
	})
}

// TestAuditChainSchema checks migration 0041's key on PostgreSQL.
func TestAuditChainSchema(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		if db.dialect.name != "postgres" {
			return
		}
		var def string
		if err := db.db.QueryRow(`SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'audit_log'::regclass AND contype = 'p'`).Scan(&def); err != nil {
			t.Fatal(err)
		}
		if def != "PRIMARY KEY (chain, id)" {
			t.Errorf("audit_log's key is %s", def)
		}
	})
}
