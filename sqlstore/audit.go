package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/chanye-org/chanye"
)

var _ chanye.AuditService = (*Store)(nil)

// The audit log (table audit_log, migration 0004) records every write of
// the store in the write's own transaction. Writers call tx.audit, which
// only queues the entry; transact appends the queue just before COMMIT, so
// that the chain's lock is the last one a transaction takes and is held
// only for the few inserts: no write can deadlock on it.
//
// Hash encoding, version 1. hash is the lowercase hex SHA-256 of
//
//	"chanye.audit.v1\n" ‖ f(id) ‖ f(at) ‖ f(actor) ‖ f(actor_role) ‖ f(request_id) ‖
//	f(action) ‖ f(entity) ‖ f(entity_key) ‖ f(before) ‖ f(after) ‖ f(prev_hash)
//
// where f(v) is the netstring of v: its length in bytes in decimal ASCII,
// ":", the bytes, ","; a NULL before or after is "-,". Integers (id, at in
// unix milliseconds UTC) are written in decimal ASCII without leading
// zeros; text is its UTF-8 bytes exactly as stored (before and after are the
// stored JSON text, not re-encoded). The first row's prev_hash is
// auditGenesis, 64 zeros. ids run 1, 2, 3 … without gaps.
//
// The chain cannot fork: SQLite runs one write transaction at a time
// (_txlock=immediate), and on PostgreSQL the appender takes the
// transaction-level advisory lock auditLockKey before it reads the last
// row, holding it until COMMIT.

// auditGenesis is the prev_hash of the first row.
const auditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// auditLockKey is the pg_advisory_xact_lock key of the chain ("chnyaudt").
const auditLockKey int64 = 0x63686e7961756474

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
	tx.audits = append(tx.audits, auditRow{actor: chanye.ActorFrom(ctx), requestID: chanye.RequestIDFrom(ctx),
		action: action, entity: entity, key: key, before: b, after: a})
	return nil
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

// flushAudit appends the queued entries to the chain; transact calls it
// right before COMMIT.
func (tx *txn) flushAudit(ctx context.Context) error {
	if len(tx.audits) == 0 {
		return nil
	}
	if tx.db.dialect.name == "postgres" {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, auditLockKey); err != nil {
			return err
		}
	}
	var (
		id   int64
		prev = auditGenesis
	)
	err := tx.queryRow(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&id, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	at := tx.now.UnixMilli()
	for _, r := range tx.audits {
		id++
		e := &chanye.AuditEntry{ID: id, Actor: r.actor.String(), ActorRole: r.actor.Role, RequestID: r.requestID,
			Action: r.action, Entity: r.entity, EntityKey: r.key, Before: r.before, After: r.after, PrevHash: prev}
		e.Hash = auditHash(e, at)
		if _, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, at, e.Actor, string(e.ActorRole), e.RequestID, e.Action, e.Entity, e.EntityKey,
			nullText(e.Before), nullText(e.After), e.PrevHash, e.Hash); err != nil {
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

// auditHash computes the hash of e as documented above; at is e.At in unix
// milliseconds, as stored.
func auditHash(e *chanye.AuditEntry, at int64) string {
	h := sha256.New()
	h.Write([]byte("chanye.audit.v1\n"))
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

const auditColumns = `id, at, actor, actor_role, request_id, action, entity, entity_key, before, after, prev_hash, hash`

// scanAudit reads one row; at is also returned as stored, for the hash.
func scanAuditRow(row interface{ Scan(...any) error }) (*chanye.AuditEntry, int64, error) {
	var (
		e             chanye.AuditEntry
		at            int64
		before, after sql.NullString
	)
	if err := row.Scan(&e.ID, &at, &e.Actor, &e.ActorRole, &e.RequestID, &e.Action, &e.Entity, &e.EntityKey,
		&before, &after, &e.PrevHash, &e.Hash); err != nil {
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

// VerifyAudit walks the chain in id order, recomputing each row's hash, and
// reports the first row that fails: altered (its hash does not match its
// fields), removed (its id is not the previous id + 1, or the first id is
// not 1) or broken (its prev_hash is not the previous row's hash). It does
// not see rows removed from the end of the chain; compare LastID with a
// count kept elsewhere (a backup, a printed report) for that.
func (s *Store) VerifyAudit(ctx context.Context) (*chanye.AuditReport, error) {
	rep := &chanye.AuditReport{OK: true}
	err := s.db.transact(ctx, true, func(tx *txn) error {
		rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			prevID   int64
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
			switch {
			case auditHash(e, at) != e.Hash:
				bad("altered", fmt.Sprintf("第 %d 行已被改动：哈希与内容不符 / row %d was altered: its hash does not match its fields", e.ID, e.ID))
			case e.ID != prevID+1:
				bad("removed", fmt.Sprintf("第 %d 行之前缺少第 %d–%d 行 / rows %d–%d before row %d were removed", e.ID, prevID+1, e.ID-1, prevID+1, e.ID-1, e.ID))
			case e.PrevHash != prevHash:
				bad("broken", fmt.Sprintf("第 %d 行的前一哈希与第 %d 行不符 / row %d does not chain to row %d (inserted, or row %d rewritten)", e.ID, prevID, e.ID, prevID, prevID))
			}
			if !rep.OK {
				return nil
			}
			prevID, prevHash = e.ID, e.Hash
			rep.LastID = e.ID
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
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
