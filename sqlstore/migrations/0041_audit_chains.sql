-- 0041: one audit chain per range of credit codes (issue 16), so that
-- writes for different shards append without waiting on one lock. chain 0
-- is the coordinator's and holds every row written before this migration;
-- chains 1…N belong to ranges of codes (sqlstore.AuditChainOf). ids run
-- 1, 2, 3 … within each chain, so on PostgreSQL the key becomes
-- (chain, id) (the table stays on the coordinator under Citus, citusPlan).
-- SQLite is never distributed: it keeps one chain, 0, and id stays its
-- rowid. The listing orders by (at, chain, id), which the indexes follow.
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0 CHECK (chain >= 0);
/*postgres: ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey, ADD PRIMARY KEY (chain, id);*/
DROP INDEX audit_log_entity;
DROP INDEX audit_log_actor;
DROP INDEX audit_log_at;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_key, at, chain, id);
CREATE INDEX audit_log_actor ON audit_log (actor, at, chain, id);
CREATE INDEX audit_log_at ON audit_log (at, chain, id);
