-- The audit log: one row per write of the store, appended in the write's
-- own transaction. Each row carries the SHA-256 of the row before it
-- (prev_hash) and its own hash over its fields and prev_hash, so that an
-- edited, inserted or removed row breaks the chain (see sqlstore/audit.go
-- for the exact encoding). ids are assigned 1, 2, 3 … by the writer under a
-- lock, never by a sequence: a gap means rows were removed. before and
-- after are TEXT, not JSONB, so that the hashed bytes are the stored bytes.
CREATE TABLE audit_log (
    id         /*sqlite: INTEGER PRIMARY KEY, --*/ BIGINT PRIMARY KEY,
    at         BIGINT NOT NULL, -- unix milliseconds, UTC
    actor      TEXT   NOT NULL,
    actor_role TEXT   NOT NULL,
    request_id TEXT   NOT NULL DEFAULT '',
    action     TEXT   NOT NULL,
    entity     TEXT   NOT NULL,
    entity_key TEXT   NOT NULL DEFAULT '',
    before     TEXT,
    after      TEXT,
    prev_hash  TEXT   NOT NULL,
    hash       TEXT   NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_key, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_at ON audit_log (at, id);
