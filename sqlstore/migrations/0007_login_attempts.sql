-- Sign-in throttling (issue 8): the failure counters of auth.Limits, one row
-- per key of a budget, so that a restart forgets no failure. kind is pair
-- (account and addr), address (addr, account '') or account (account, addr
-- ''); account is the login tried, '-' for a name that cannot be one. Times
-- are unix milliseconds, 0 for none. A row is worth nothing from expires_at
-- on (its count decayed, its wait and trust over) and is deleted then; the
-- store also keeps at most a fixed number of rows (see sqlstore/attempts.go).
CREATE TABLE login_attempts (
    kind          TEXT    NOT NULL,
    account       TEXT    NOT NULL,
    addr          TEXT    NOT NULL,
    failures      INTEGER NOT NULL,
    last_at       BIGINT  NOT NULL, -- the last failure counted
    trusted_until BIGINT  NOT NULL, -- a pair: until when its last success trusts it
    expires_at    BIGINT  NOT NULL,
    PRIMARY KEY (kind, account, addr)
);
CREATE INDEX login_attempts_expires ON login_attempts (expires_at);
