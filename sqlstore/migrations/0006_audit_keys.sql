-- The audit chain becomes keyed: each row records the id of the HMAC key
-- that signed it (see sqlstore/audit.go). Rows written before this
-- migration keep key_id 0: they are the unkeyed SHA-256 chain, which
-- verification accepts only as the prefix the key file pins.
ALTER TABLE audit_log ADD COLUMN key_id INTEGER NOT NULL DEFAULT 0;
