package sqlstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
)

var _ chanye.AuditService = (*Store)(nil)

// The audit log (table audit_log, migrations 0004, 0006 and 0041) records
// every write of the store in the write's own transaction. Writers call
// tx.audit, which only queues the entry; transact appends the queue just
// before COMMIT, so that the chain's lock is the last one a transaction
// takes and is held only for the few inserts: no write can deadlock on it.
//
// The log is several chains, each verifiable on its own (issue 16): chain
// 0 is the coordinator's, and holds every row written before migration
// 0041; chains 1…N each belong to a range of credit codes (AuditChainOf),
// written by the per-shard work of a distributed database, so that writes
// for different shards do not wait on one lock. ids run 1, 2, 3 … without
// gaps within each chain. A transaction's entries all go to one chain,
// tx.auditChain: 0 unless the writer names another with transactChain.
// SQLite is never distributed and keeps chain 0 alone: there every
// transaction appends to it, whatever chain it names.
//
// Hash encoding, version 2 (rows of chain 0 with key_id > 0). hash is the
// lowercase hex HMAC-SHA-256, under the audit key key_id (AuditKeys, kept
// outside the database), of
//
//	"chanye.audit.v2\n" ‖ f(id) ‖ f(at) ‖ f(key_id) ‖ f(actor) ‖ f(actor_role) ‖
//	f(request_id) ‖ f(action) ‖ f(entity) ‖ f(entity_key) ‖ f(before) ‖ f(after) ‖ f(prev_hash)
//
// where f(v) is the netstring of v: its length in bytes in decimal ASCII,
// ":", the bytes, ","; a NULL before or after is "-,". Integers (id, at in
// unix milliseconds UTC, key_id) are written in decimal ASCII without
// leading zeros; text is its UTF-8 bytes exactly as stored (before and after
// are the stored JSON text, not re-encoded). The first row's prev_hash is
// auditGenesis, 64 zeros. Without the key nobody can compute a row's hash,
// so rewriting rows and recomputing every hash after them, as anyone could
// with a plain hash, breaks the chain.
//
// Version 3 (rows of chains 1…N, always keyed) covers the chain as well,
// so that a row moved to another chain no longer verifies:
//
//	"chanye.audit.v3\n" ‖ f(chain) ‖ f(id) ‖ f(at) ‖ f(key_id) ‖ … as version 2
//
// Chain 0 keeps version 2, so that the chains written before 0041 verify
// unchanged; a row moved between chain 0 and another changes version.
//
// Version 1 (key_id 0) is the unkeyed chain written before migration 0006:
// plain SHA-256 of "chanye.audit.v1\n" and the version-2 fields without
// key_id. Anyone can recompute it, so verification accepts key 0 only on
// the rows 1…N of chain 0 that the key file pins as legacy (with row N's
// hash), written before the first key existed. Key ids never decrease
// along a chain: a retired key, even leaked, cannot sign rows after a
// newer key's.
//
// No chain can fork: SQLite runs one write transaction at a time
// (_txlock=immediate), and on PostgreSQL the appender takes its chain's
// transaction-level advisory lock, auditChainLock, before it reads the
// chain's last row, holding it until COMMIT. Appenders to different
// chains take different locks and do not wait for each other.
//
// Only real changes are recorded: an entry whose before and after are the
// same JSON is dropped (writers keep timestamps out of a write that changes
// nothing, so that the comparison holds).

// auditGenesis is the prev_hash of the first row of every chain.
const auditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// auditLockKey is the pg_advisory_xact_lock key of chain 0 ("chnyaudt").
const auditLockKey int64 = 0x63686e7961756474

// auditChainLock returns the advisory lock key of chain: auditLockKey with
// the chain XORed into its upper half. Chain 0's is auditLockKey itself,
// the key of the single chain before migration 0041, so that a process
// of an older version still serializes with newer ones; the lower half
// "audt" keeps every chain's key apart from the store's other locks.
func auditChainLock(chain int) int64 { return auditLockKey ^ int64(chain)<<32 }

// AuditChainOf returns the audit chain of the enterprise with credit code
// code when the log has chains shard chains: the chain of its shard,
// chanye.ShardOf(code, chains) plus one, a value in 1…chains; 0, the coordinator's, when chains < 1. The
// mapping depends on the code and chains alone, never on the database:
// once rows are written to chains, chains must not change (an
// enterprise's later entries would go to another chain than its earlier
// ones; each chain would still verify, but no longer hold all of the
// enterprise's shard writes).
func AuditChainOf(code string, chains int) int {
	if chains < 1 {
		return 0
	}
	return AuditChainOfShard(chanye.ShardOf(code, chains))
}

// AuditChainOfShard returns the audit chain of shard (0 ≤ shard < N):
// shard + 1, chain 0 being the coordinator's.
func AuditChainOfShard(shard int) int { return shard + 1 }

// transactChain is transact for a write whose audit entries go to chain
// (see above): the per-shard work names its shard's chain so that it
// appends under that chain's lock only. EINVALID on a negative chain.
func (db *DB) transactChain(ctx context.Context, chain int, fn func(tx *txn) error) error {
	if chain < 0 {
		return chanye.Errorf(chanye.EINVALID, "审计链编号不能为负：%d / an audit chain is 0 or more, not %d", chain, chain)
	}
	return db.transact(ctx, false, func(tx *txn) error {
		tx.auditChain = chain
		return fn(tx)
	})
}

// ErrNoAuditKey is returned by every audited write of a store without
// audit keys.
var ErrNoAuditKey = errors.New("没有审计密钥，拒绝写入（--audit-key 或 CHANYE_AUDIT_KEY_FILE）/ no audit key: writes are refused (give --audit-key FILE or CHANYE_AUDIT_KEY_FILE)")

// auditRow is a queued entry: who and what, with before and after already
// encoded (nil for NULL), so that later changes to the objects do not leak
// into the record.
type auditRow struct {
	actor         *chanye.Actor
	requestID     string
	action        string
	entity, key   string
	before, after []byte
}

// audit queues one entry for this transaction: action on the record key of
// entity by the context's actor, with the record before and after (nil, a
// nil pointer, or a json.RawMessage, or any value encoded as JSON).
func (tx *txn) audit(ctx context.Context, action, entity, key string, before, after any) error {
	b, err := auditJSON(before)
	if err != nil {
		return fmt.Errorf("audit %s %s: before: %w", action, entity, err)
	}
	a, err := auditJSON(after)
	if err != nil {
		return fmt.Errorf("audit %s %s: after: %w", action, entity, err)
	}
	if b != nil && a != nil && bytes.Equal(b, a) {
		return nil // nothing changed
	}
	tx.audits = append(tx.audits, auditRow{actor: chanye.ActorFrom(ctx), requestID: chanye.RequestIDFrom(ctx),
		action: action, entity: entity, key: key, before: b, after: a})
	return nil
}

// sameJSON reports whether a and b encode to the same JSON: writing b over
// a would change nothing the audit log records, so writers skip it.
func sameJSON(a, b any) (bool, error) {
	x, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	y, err := json.Marshal(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(x, y), nil
}

// auditJSON encodes v, nil for nil or JSON null.
func auditJSON(v any) ([]byte, error) {
	var b []byte
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	return b, nil
}

// flushAudit appends the queued entries to the transaction's chain, signed
// with the current audit key; transact calls it right before COMMIT.
func (tx *txn) flushAudit(ctx context.Context) error {
	if len(tx.audits) == 0 {
		return nil
	}
	keys := tx.db.AuditKeys
	if keys == nil {
		return ErrNoAuditKey
	}
	chain := tx.auditChain
	if chain < 0 {
		return fmt.Errorf("audit chain %d: a chain is 0 or more", chain)
	}
	if tx.db.dialect.name == "postgres" {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, auditChainLock(chain)); err != nil {
			return err
		}
	} else {
		chain = 0 // SQLite keeps one chain
	}
	var (
		id, lastKey int64
		prev        = auditGenesis
	)
	err := tx.queryRow(ctx, `SELECT id, hash, key_id FROM audit_log WHERE chain = ? ORDER BY id DESC LIMIT 1`, chain).Scan(&id, &prev, &lastKey)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	keyID := keys.Current()
	if lastKey > int64(keyID) {
		// Another process rotated the key: signing with an older one would
		// fail verification, so this process must restart with the new file.
		return fmt.Errorf("审计密钥已轮换：%s由密钥 %d 签名，本进程只有密钥 %d，请用新的密钥文件重启 / the audit key was rotated: %s is signed with key %d, this process holds key %d; restart it with the new key file",
			rowZH(chain, id), lastKey, keyID, rowEN(chain, id), lastKey, keyID)
	}
	key := keys.key(keyID)
	at := tx.now.UnixMilli()
	for _, r := range tx.audits {
		id++
		e := &chanye.AuditEntry{Chain: chain, ID: id, Actor: r.actor.String(), ActorRole: r.actor.Role, RequestID: r.requestID,
			Action: r.action, Entity: r.entity, EntityKey: r.key, KeyID: keyID, Before: r.before, After: r.after, PrevHash: prev}
		e.Hash = auditHash(e, at, key)
		if _, err := tx.exec(ctx, `INSERT INTO audit_log (chain, id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash, key_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Chain, e.ID, at, e.Actor, string(e.ActorRole), e.RequestID, e.Action, e.Entity, e.EntityKey,
			nullText(e.Before), nullText(e.After), e.PrevHash, e.Hash, e.KeyID); err != nil {
			return err
		}
		prev = e.Hash
	}
	tx.audits = nil
	return nil
}

// rowZH and rowEN name row id of chain in messages: "row 7" in chain 0,
// as before there were chains, "chain 2 row 7" in the others.
func rowZH(chain int, id int64) string {
	if chain == 0 {
		return fmt.Sprintf("第 %d 行", id)
	}
	return fmt.Sprintf("审计链 %d 第 %d 行", chain, id)
}

func rowEN(chain int, id int64) string {
	if chain == 0 {
		return fmt.Sprintf("row %d", id)
	}
	return fmt.Sprintf("chain %d row %d", chain, id)
}

// chainMessage prefixes a bilingual message about chain with the chain,
// except for chain 0, whose messages read as before there were chains.
func chainMessage(chain int, msg string) string {
	if chain == 0 {
		return msg
	}
	zh, en, _ := strings.Cut(msg, " / ")
	return fmt.Sprintf("审计链 %d：%s / chain %d: %s", chain, zh, chain, en)
}

func nullText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// auditHash computes the hash of e as documented above: HMAC-SHA-256 under
// key, version 3 in chains 1…N and version 2 in chain 0, or SHA-256
// version 1 for key 0 in chain 0 (key nil); at is e.At in unix
// milliseconds, as stored.
func auditHash(e *chanye.AuditEntry, at int64, key []byte) string {
	var h hash.Hash
	switch {
	case e.Chain != 0:
		h = hmac.New(sha256.New, key)
		h.Write([]byte("chanye.audit.v3\n"))
	case e.KeyID == 0:
		h = sha256.New()
		h.Write([]byte("chanye.audit.v1\n"))
	default:
		h = hmac.New(sha256.New, key)
		h.Write([]byte("chanye.audit.v2\n"))
	}
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{','})
	}
	nullable := func(b []byte) {
		if b == nil {
			h.Write([]byte("-,"))
			return
		}
		field(string(b))
	}
	if e.Chain != 0 {
		field(strconv.Itoa(e.Chain))
	}
	field(strconv.FormatInt(e.ID, 10))
	field(strconv.FormatInt(at, 10))
	if e.Chain != 0 || e.KeyID != 0 {
		field(strconv.Itoa(e.KeyID))
	}
	field(e.Actor)
	field(string(e.ActorRole))
	field(e.RequestID)
	field(e.Action)
	field(e.Entity)
	field(e.EntityKey)
	nullable(e.Before)
	nullable(e.After)
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

const auditColumns = `chain, id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash, key_id`

// scanAudit reads one row; at is also returned as stored, for the hash.
func scanAuditRow(row interface{ Scan(...any) error }) (*chanye.AuditEntry, int64, error) {
	var (
		e             chanye.AuditEntry
		at            int64
		before, after sql.NullString
	)
	if err := row.Scan(&e.Chain, &e.ID, &at, &e.Actor, &e.ActorRole, &e.RequestID, &e.Action, &e.Entity, &e.EntityKey,
		&before, &after, &e.PrevHash, &e.Hash, &e.KeyID); err != nil {
		return nil, 0, err
	}
	if before.Valid {
		e.Before = json.RawMessage(before.String)
	}
	if after.Valid {
		e.After = json.RawMessage(after.String)
	}
	e.At = fromMillis(sql.NullInt64{Int64: at, Valid: true})
	return &e, at, nil
}

func scanAudit(row interface{ Scan(...any) error }) (*chanye.AuditEntry, error) {
	e, _, err := scanAuditRow(row)
	return e, err
}

// VerifyAudit walks every chain in id order, recomputing each row's hash
// with the store's audit keys, checks the heads the keys pin and expect
// (of its chain), then reconciles the money tables with the log (see
// reconcile.go). The report names the first problem; chanye.AuditReport
// lists them. Rows removed from the end of a chain are found only up to a
// pinned or expected head: keep the heads the report returns somewhere
// else.
func (s *Store) VerifyAudit(ctx context.Context, expect *chanye.AuditHead) (*chanye.AuditReport, error) {
	var v chanye.AuditVerify
	if expect != nil {
		v.Expect = []chanye.AuditHead{*expect}
	}
	return s.VerifyAuditChains(ctx, v)
}

// VerifyAuditChains is VerifyAudit with the expected heads of several
// chains, or of one chain only (v.Chain), which is then not reconciled with
// the tables: they reconcile with all chains together. EINVALID on a
// negative chain.
func (s *Store) VerifyAuditChains(ctx context.Context, v chanye.AuditVerify) (*chanye.AuditReport, error) {
	if v.Chain != nil && *v.Chain < 0 {
		return nil, chanye.Errorf(chanye.EINVALID, "审计链编号不能为负：%d / an audit chain is 0 or more, not %d", *v.Chain, *v.Chain)
	}
	rep := &chanye.AuditReport{OK: true}
	err := s.db.snapshot(ctx, func(tx *txn) error {
		var rc *reconciler
		if v.Chain == nil {
			rc = newReconciler()
		}
		if err := walkAudit(ctx, tx, s.db.AuditKeys, v, rep, rc); err != nil || !rep.OK || rc == nil {
			return err
		}
		return rc.reconcile(ctx, tx, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// chainWalk is where the walk stands in one chain.
type chainWalk struct {
	rep      *chanye.AuditChainReport
	prevKey  int
	prevHash string
	pins     []chanye.AuditHead // the heads it must hold
}

// walkAudit checks the chains v names row by row, handing each good row to
// rc (when not nil). A broken chain's later rows are skipped; the others
// are still checked, so that the report says which chains hold.
func walkAudit(ctx context.Context, tx *txn, keys *AuditKeys, v chanye.AuditVerify, rep *chanye.AuditReport, rc *reconciler) error {
	var (
		legacy *chanye.AuditHead // chain 0's only
		pins   []chanye.AuditHead
	)
	if keys != nil {
		legacy, pins = keys.legacy, slices.Clone(keys.pins)
	}
	if legacy != nil {
		pins = append(pins, *legacy)
	}
	pins = append(pins, v.Expect...)
	chains := map[int]*chainWalk{}
	walk := func(chain int) *chainWalk {
		w := chains[chain]
		if w == nil {
			w = &chainWalk{rep: &chanye.AuditChainReport{Chain: chain, OK: true}, prevHash: auditGenesis}
			chains[chain] = w
		}
		return w
	}
	for _, p := range pins {
		if v.Chain == nil || p.Chain == *v.Chain {
			w := walk(p.Chain)
			w.pins = append(w.pins, p)
		}
	}
	query, args := `SELECT `+auditColumns+` FROM audit_log`, []any{}
	if v.Chain != nil {
		query, args = query+` WHERE chain = ?`, append(args, *v.Chain)
	}
	// PostgreSQL's key is (chain, id); SQLite holds chain 0 alone, keyed
	// by id, and sorting by chain there would sort the whole log.
	if tx.db.dialect.name == "sqlite" {
		query += ` ORDER BY id`
	} else {
		query += ` ORDER BY chain, id`
	}
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, at, err := scanAuditRow(rows)
		if err != nil {
			return err
		}
		w := walk(e.Chain)
		if !w.rep.OK {
			continue
		}
		rep.Rows++
		w.rep.Rows++
		bad := func(problem, msg string) {
			w.rep.OK, w.rep.BadID, w.rep.Problem, w.rep.Message = false, e.ID, problem, chainMessage(e.Chain, msg)
		}
		legacy := legacy
		if e.Chain != 0 {
			legacy = nil
		}
		prevID := w.rep.LastID
		key := keys.key(e.KeyID)
		switch {
		case e.KeyID == 0 && (legacy == nil || e.ID > legacy.ID):
			bad("unkeyed", fmt.Sprintf("第 %d 行没有密钥签名，而密钥文件不认可此处的旧链 / row %d is unkeyed where the key file allows no legacy row", e.ID, e.ID))
		case e.KeyID != 0 && legacy != nil && e.ID <= legacy.ID:
			bad("key", fmt.Sprintf("第 %d 行有密钥签名，而密钥文件记载第 1–%d 行为旧链 / row %d is signed where the key file pins rows 1–%d as legacy", e.ID, legacy.ID, e.ID, legacy.ID))
		case e.KeyID != 0 && key == nil:
			bad("key", fmt.Sprintf("第 %d 行由密钥 %d 签名，密钥文件中没有该密钥 / row %d is signed with key %d, which the key file lacks", e.ID, e.KeyID, e.ID, e.KeyID))
		case e.KeyID < w.prevKey:
			bad("key", fmt.Sprintf("第 %d 行由旧密钥 %d 签名，前面已有密钥 %d 的行 / row %d is signed with key %d after rows of key %d", e.ID, e.KeyID, w.prevKey, e.ID, e.KeyID, w.prevKey))
		case auditHash(e, at, key) != e.Hash:
			bad("altered", fmt.Sprintf("第 %d 行已被改动：哈希与内容不符 / row %d was altered: its hash does not match its fields", e.ID, e.ID))
		case e.ID != prevID+1:
			bad("removed", fmt.Sprintf("第 %d 行之前缺少第 %d–%d 行 / rows %d–%d before row %d were removed", e.ID, prevID+1, e.ID-1, prevID+1, e.ID-1, e.ID))
		case e.PrevHash != w.prevHash:
			bad("broken", fmt.Sprintf("第 %d 行的前一哈希与第 %d 行不符 / row %d does not chain to row %d (inserted, or row %d rewritten)", e.ID, prevID, e.ID, prevID, prevID))
		}
		for _, p := range w.pins {
			if w.rep.OK && p.ID == e.ID && p.Hash != e.Hash {
				bad("expect", fmt.Sprintf("第 %d 行的哈希与预期的链头不符：该行或之前的行被改写 / row %d's hash differs from the expected head: it or rows before it were rewritten", e.ID, e.ID))
			}
		}
		if !w.rep.OK {
			continue
		}
		if e.KeyID == 0 {
			w.rep.LegacyRows++
		} else if e.KeyID != w.prevKey {
			w.rep.KeyIDs = append(w.rep.KeyIDs, e.KeyID)
		}
		w.prevKey, w.prevHash = e.KeyID, e.Hash
		w.rep.LastID, w.rep.Head = e.ID, &chanye.AuditHead{Chain: e.Chain, ID: e.ID, Hash: e.Hash}
		if rc != nil {
			if err := rc.observe(e); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, chain := range slices.Sorted(maps.Keys(chains)) {
		w := chains[chain]
		for _, p := range w.pins {
			if w.rep.OK && p.ID > w.rep.LastID {
				w.rep.OK, w.rep.Problem = false, "truncated"
				w.rep.Message = chainMessage(chain, fmt.Sprintf("审计日志止于第 %d 行，缺少预期的第 %d 行：末尾的行被删除 / the log ends at row %d but row %d is expected: rows were removed from the end",
					w.rep.LastID, p.ID, w.rep.LastID, p.ID))
			}
		}
		rep.Chains = append(rep.Chains, *w.rep)
		if !w.rep.OK && rep.OK {
			rep.OK, rep.BadChain, rep.BadID, rep.Problem, rep.Message = false, chain, w.rep.BadID, w.rep.Problem, w.rep.Message
		}
		if v.Chain == nil && chain == 0 || v.Chain != nil && chain == *v.Chain {
			rep.LastID, rep.Head, rep.LegacyRows, rep.KeyIDs = w.rep.LastID, w.rep.Head, w.rep.LegacyRows, w.rep.KeyIDs
		}
	}
	return nil
}

// AuditState describes the log as stored, for the key file's first
// creation: chain 0's last row, the highest key that signed a row of any
// chain, and the last row of the unkeyed (legacy) chain.
type AuditState struct {
	Last      *chanye.AuditHead // chain 0's last row; nil when it is empty
	LastKeyID int               // highest key of any chain's rows; 0 when unkeyed or empty
	Legacy    *chanye.AuditHead // last unkeyed row, nil when none
}

// AuditState reads the state of the log without checking it.
func (s *Store) AuditState(ctx context.Context) (*AuditState, error) {
	st := &AuditState{}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		// Chains 1…N (PostgreSQL only) are read only when the key file is
		// made, so a scan of them is no burden.
		if tx.db.dialect.name == "postgres" {
			if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(key_id), 0) FROM audit_log WHERE chain > 0`).Scan(&st.LastKeyID); err != nil {
				return err
			}
		}
		var (
			h   chanye.AuditHead
			key int
		)
		err := tx.queryRow(ctx, `SELECT id, hash, key_id FROM audit_log WHERE chain = 0 ORDER BY id DESC LIMIT 1`).Scan(&h.ID, &h.Hash, &key)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		st.Last, st.LastKeyID = &h, max(st.LastKeyID, key)
		var l chanye.AuditHead
		err = tx.queryRow(ctx, `SELECT id, hash FROM audit_log WHERE chain = 0 AND key_id = 0 ORDER BY id DESC LIMIT 1`).Scan(&l.ID, &l.Hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		st.Legacy = &l
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// RecordAuditKey appends the entry of a new audit key to chain 0, signed
// with it, so that the log says from which row on the key signs.
func (s *Store) RecordAuditKey(ctx context.Context, id int) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		return tx.audit(ctx, "rotate", "audit_key", itoa(int64(id)), nil, map[string]int{"key_id": id})
	})
}

// FindAudit returns one page of entries, newest first, and the total:
// ordered by time, then chain and id, since the ids of different chains
// interleave. EINVALID on a bad offset or limit, a negative chain, or From
// after To.
func (s *Store) FindAudit(ctx context.Context, f chanye.AuditFilter) ([]*chanye.AuditEntry, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return nil, 0, chanye.Invalid("时间范围有误 / invalid time range", map[string]string{"to": "早于开始时间 / before from"})
	}
	var w where
	if f.Actor != nil {
		w.add(`actor = ?`, *f.Actor)
	}
	if f.Entity != nil {
		w.add(`entity = ?`, *f.Entity)
	}
	if f.EntityKey != nil {
		w.add(`entity_key = ?`, *f.EntityKey)
	}
	if f.Action != nil {
		w.add(`action = ?`, *f.Action)
	}
	if f.Chain != nil {
		if *f.Chain < 0 {
			return nil, 0, chanye.Invalid("审计链有误 / invalid audit chain", map[string]string{"chain": "须为 0 或正整数 / must be 0 or more"})
		}
		w.add(`chain = ?`, *f.Chain)
	}
	if f.From != nil {
		w.add(`at >= ?`, f.From.UnixMilli())
	}
	if f.To != nil {
		w.add(`at < ?`, f.To.UnixMilli())
	}
	out, total, err := readPage(ctx, s.db, auditColumns, ` FROM audit_log`, w, `at DESC, chain DESC, id DESC`, limit, f.Offset, scanAudit)
	if err != nil {
		return nil, 0, err
	}
	if out == nil {
		out = []*chanye.AuditEntry{}
	}
	return out, total, nil
}
