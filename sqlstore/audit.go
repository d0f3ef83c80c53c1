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
	"slices"
	"strconv"

	"github.com/chanye-org/chanye"
)

var _ chanye.AuditService = (*Store)(nil)

// The audit log (table audit_log, migrations 0004 and 0006) records every
// write of the store in the write's own transaction. Writers call tx.audit,
// which only queues the entry; transact appends the queue just before
// COMMIT, so that the chain's lock is the last one a transaction takes and
// is held only for the few inserts: no write can deadlock on it.
//
// Hash encoding, version 2 (rows with key_id > 0). hash is the lowercase hex
// HMAC-SHA-256, under the audit key key_id (AuditKeys, kept outside the
// database), of
//
//	"chanye.audit.v2\n" ‖ f(id) ‖ f(at) ‖ f(key_id) ‖ f(actor) ‖ f(actor_role) ‖
//	f(request_id) ‖ f(action) ‖ f(entity) ‖ f(entity_key) ‖ f(before) ‖ f(after) ‖ f(prev_hash)
//
// where f(v) is the netstring of v: its length in bytes in decimal ASCII,
// ":", the bytes, ","; a NULL before or after is "-,". Integers (id, at in
// unix milliseconds UTC, key_id) are written in decimal ASCII without
// leading zeros; text is its UTF-8 bytes exactly as stored (before and after
// are the stored JSON text, not re-encoded). The first row's prev_hash is
// auditGenesis, 64 zeros. ids run 1, 2, 3 … without gaps. Without the key
// nobody can compute a row's hash, so rewriting rows and recomputing every
// hash after them, as anyone could with a plain hash, breaks the chain.
//
// Version 1 (key_id 0) is the unkeyed chain written before migration 0006:
// plain SHA-256 of "chanye.audit.v1\n" and the same fields without key_id.
// Anyone can recompute it, so verification accepts key 0 only on the rows
// 1…N that the key file pins as legacy (with row N's hash), written before
// the first key existed. Key ids never decrease along the chain: a retired
// key, even leaked, cannot sign rows after a newer key's.
//
// The chain cannot fork: SQLite runs one write transaction at a time
// (_txlock=immediate), and on PostgreSQL the appender takes the
// transaction-level advisory lock auditLockKey before it reads the last
// row, holding it until COMMIT.
//
// Only real changes are recorded: an entry whose before and after are the
// same JSON is dropped (writers keep timestamps out of a write that changes
// nothing, so that the comparison holds).

// auditGenesis is the prev_hash of the first row.
const auditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// auditLockKey is the pg_advisory_xact_lock key of the chain ("chnyaudt").
const auditLockKey int64 = 0x63686e7961756474

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

// flushAudit appends the queued entries to the chain, signed with the
// current audit key; transact calls it right before COMMIT.
func (tx *txn) flushAudit(ctx context.Context) error {
	if len(tx.audits) == 0 {
		return nil
	}
	keys := tx.db.AuditKeys
	if keys == nil {
		return ErrNoAuditKey
	}
	if tx.db.dialect.name == "postgres" {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, auditLockKey); err != nil {
			return err
		}
	}
	var (
		id, lastKey int64
		prev        = auditGenesis
	)
	err := tx.queryRow(ctx, `SELECT id, hash, key_id FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&id, &prev, &lastKey)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	keyID := keys.Current()
	if lastKey > int64(keyID) {
		// Another process rotated the key: signing with an older one would
		// fail verification, so this process must restart with the new file.
		return fmt.Errorf("审计密钥已轮换：第 %d 行由密钥 %d 签名，本进程只有密钥 %d，请用新的密钥文件重启 / the audit key was rotated: row %d is signed with key %d, this process holds key %d; restart it with the new key file",
			id, lastKey, keyID, id, lastKey, keyID)
	}
	key := keys.key(keyID)
	at := tx.now.UnixMilli()
	for _, r := range tx.audits {
		id++
		e := &chanye.AuditEntry{ID: id, Actor: r.actor.String(), ActorRole: r.actor.Role, RequestID: r.requestID,
			Action: r.action, Entity: r.entity, EntityKey: r.key, KeyID: keyID, Before: r.before, After: r.after, PrevHash: prev}
		e.Hash = auditHash(e, at, key)
		if _, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash, key_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, at, e.Actor, string(e.ActorRole), e.RequestID, e.Action, e.Entity, e.EntityKey,
			nullText(e.Before), nullText(e.After), e.PrevHash, e.Hash, e.KeyID); err != nil {
			return err
		}
		prev = e.Hash
	}
	tx.audits = nil
	return nil
}

func nullText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// auditHash computes the hash of e as documented above: HMAC-SHA-256 under
// key for a keyed row, SHA-256 version 1 for key 0 (key nil); at is e.At in
// unix milliseconds, as stored.
func auditHash(e *chanye.AuditEntry, at int64, key []byte) string {
	var h hash.Hash
	if e.KeyID == 0 {
		h = sha256.New()
		h.Write([]byte("chanye.audit.v1\n"))
	} else {
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
	field(strconv.FormatInt(e.ID, 10))
	field(strconv.FormatInt(at, 10))
	if e.KeyID != 0 {
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

const auditColumns = `id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash, key_id`

// scanAudit reads one row; at is also returned as stored, for the hash.
func scanAuditRow(row interface{ Scan(...any) error }) (*chanye.AuditEntry, int64, error) {
	var (
		e             chanye.AuditEntry
		at            int64
		before, after sql.NullString
	)
	if err := row.Scan(&e.ID, &at, &e.Actor, &e.ActorRole, &e.RequestID, &e.Action, &e.Entity, &e.EntityKey,
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

// VerifyAudit walks the chain in id order, recomputing each row's hash
// with the store's audit keys, checks the heads the keys pin and expect,
// then reconciles the money tables with the log (see reconcile.go). The
// report names the first problem; chanye.AuditReport lists them. Rows
// removed from the end of the chain are found only up to a pinned or
// expected head: keep the head the report returns somewhere else.
func (s *Store) VerifyAudit(ctx context.Context, expect *chanye.AuditHead) (*chanye.AuditReport, error) {
	rep := &chanye.AuditReport{OK: true}
	err := s.db.snapshot(ctx, func(tx *txn) error {
		rc := newReconciler()
		if err := walkAudit(ctx, tx, s.db.AuditKeys, expect, rep, rc); err != nil || !rep.OK {
			return err
		}
		return rc.reconcile(ctx, tx, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// walkAudit checks the chain row by row, handing each good row to rc.
func walkAudit(ctx context.Context, tx *txn, keys *AuditKeys, expect *chanye.AuditHead, rep *chanye.AuditReport, rc *reconciler) error {
	var (
		legacy *chanye.AuditHead
		pins   []chanye.AuditHead
	)
	if keys != nil {
		legacy, pins = keys.legacy, slices.Clone(keys.pins)
	}
	if legacy != nil {
		pins = append(pins, *legacy)
	}
	if expect != nil {
		pins = append(pins, *expect)
	}
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		prevID   int64
		prevKey  int
		prevHash = auditGenesis
	)
	for rows.Next() {
		e, at, err := scanAuditRow(rows)
		if err != nil {
			return err
		}
		rep.Rows++
		bad := func(problem, msg string) {
			rep.OK, rep.BadID, rep.Problem, rep.Message = false, e.ID, problem, msg
		}
		key := keys.key(e.KeyID)
		switch {
		case e.KeyID == 0 && (legacy == nil || e.ID > legacy.ID):
			bad("unkeyed", fmt.Sprintf("第 %d 行没有密钥签名，而密钥文件不认可此处的旧链 / row %d is unkeyed where the key file allows no legacy row", e.ID, e.ID))
		case e.KeyID != 0 && legacy != nil && e.ID <= legacy.ID:
			bad("key", fmt.Sprintf("第 %d 行有密钥签名，而密钥文件记载第 1–%d 行为旧链 / row %d is signed where the key file pins rows 1–%d as legacy", e.ID, legacy.ID, e.ID, legacy.ID))
		case e.KeyID != 0 && key == nil:
			bad("key", fmt.Sprintf("第 %d 行由密钥 %d 签名，密钥文件中没有该密钥 / row %d is signed with key %d, which the key file lacks", e.ID, e.KeyID, e.ID, e.KeyID))
		case e.KeyID < prevKey:
			bad("key", fmt.Sprintf("第 %d 行由旧密钥 %d 签名，前面已有密钥 %d 的行 / row %d is signed with key %d after rows of key %d", e.ID, e.KeyID, prevKey, e.ID, e.KeyID, prevKey))
		case auditHash(e, at, key) != e.Hash:
			bad("altered", fmt.Sprintf("第 %d 行已被改动：哈希与内容不符 / row %d was altered: its hash does not match its fields", e.ID, e.ID))
		case e.ID != prevID+1:
			bad("removed", fmt.Sprintf("第 %d 行之前缺少第 %d–%d 行 / rows %d–%d before row %d were removed", e.ID, prevID+1, e.ID-1, prevID+1, e.ID-1, e.ID))
		case e.PrevHash != prevHash:
			bad("broken", fmt.Sprintf("第 %d 行的前一哈希与第 %d 行不符 / row %d does not chain to row %d (inserted, or row %d rewritten)", e.ID, prevID, e.ID, prevID, prevID))
		}
		for _, p := range pins {
			if rep.OK && p.ID == e.ID && p.Hash != e.Hash {
				bad("expect", fmt.Sprintf("第 %d 行的哈希与预期的链头不符：该行或之前的行被改写 / row %d's hash differs from the expected head: it or rows before it were rewritten", e.ID, e.ID))
			}
		}
		if !rep.OK {
			return nil
		}
		if e.KeyID == 0 {
			rep.LegacyRows++
		} else if e.KeyID != prevKey {
			rep.KeyIDs = append(rep.KeyIDs, e.KeyID)
		}
		prevID, prevKey, prevHash = e.ID, e.KeyID, e.Hash
		rep.LastID, rep.Head = e.ID, &chanye.AuditHead{ID: e.ID, Hash: e.Hash}
		if err := rc.observe(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range pins {
		if p.ID > prevID {
			rep.OK, rep.Problem = false, "truncated"
			rep.Message = fmt.Sprintf("审计日志止于第 %d 行，缺少预期的第 %d 行：末尾的行被删除 / the log ends at row %d but row %d is expected: rows were removed from the end",
				prevID, p.ID, prevID, p.ID)
			return nil
		}
	}
	return nil
}

// AuditState describes the chain as stored, for the key file's first
// creation: its last row and the last row of the unkeyed legacy chain.
type AuditState struct {
	Last      *chanye.AuditHead // nil when the log is empty
	LastKeyID int               // key of the last row; 0 when unkeyed or empty
	Legacy    *chanye.AuditHead // last unkeyed row, nil when none
}

// AuditState reads the state of the chain without checking it.
func (s *Store) AuditState(ctx context.Context) (*AuditState, error) {
	st := &AuditState{}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		var h chanye.AuditHead
		err := tx.queryRow(ctx, `SELECT id, hash, key_id FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&h.ID, &h.Hash, &st.LastKeyID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		st.Last = &h
		var l chanye.AuditHead
		err = tx.queryRow(ctx, `SELECT id, hash FROM audit_log WHERE key_id = 0 ORDER BY id DESC LIMIT 1`).Scan(&l.ID, &l.Hash)
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

// RecordAuditKey appends the entry of a new audit key, signed with it, so
// that the log says from which row on the key signs.
func (s *Store) RecordAuditKey(ctx context.Context, id int) error {
	return s.db.transact(ctx, false, func(tx *txn) error {
		return tx.audit(ctx, "rotate", "audit_key", itoa(int64(id)), nil, map[string]int{"key_id": id})
	})
}

// FindAudit returns one page of entries, newest first, and the total.
// EINVALID on a bad offset or limit, or From after To.
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
	if f.From != nil {
		w.add(`at >= ?`, f.From.UnixMilli())
	}
	if f.To != nil {
		w.add(`at < ?`, f.To.UnixMilli())
	}
	out, total, err := readPage(ctx, s.db, auditColumns, ` FROM audit_log`, w, `id DESC`, limit, f.Offset, scanAudit)
	if err != nil {
		return nil, 0, err
	}
	if out == nil {
		out = []*chanye.AuditEntry{}
	}
	return out, total, nil
}
