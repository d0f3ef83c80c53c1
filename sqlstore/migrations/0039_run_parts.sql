-- Runs decided shard by shard (issue 16). A sharded run is created on the
-- coordinator with parts = the number of shards and stored part by part:
-- each shard's decisions in the shard's own transaction, with its row in
-- the shard's policy_run_parts, so that a part delivered twice is stored
-- once; then the part's summary in the coordinator's policy_run_parts. The
-- run is complete when parts_done = parts; its totals are the sums of the
-- parts'. parts = 0 is a run stored whole in one transaction (CreateRun).
ALTER TABLE policy_runs ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE policy_runs ADD COLUMN parts_done INTEGER NOT NULL DEFAULT 0;

CREATE TABLE policy_run_parts (
    run_id      BIGINT  NOT NULL,
    shard       INTEGER NOT NULL,
    shards      INTEGER NOT NULL,
    enterprises BIGINT  NOT NULL,
    eligible    BIGINT  NOT NULL,
    total_fen   BIGINT  NOT NULL,
    needs_data  BIGINT  NOT NULL,
    excluded    BIGINT  NOT NULL,
    errors      BIGINT  NOT NULL,
    snapshot    TEXT    NOT NULL,
    as_of       TEXT    NOT NULL,
    base_seq    BIGINT  NOT NULL, -- the change stamp of the base the part was decided on
    carried_from BIGINT,          -- the run whose decisions the part carried for the firms not read again
    carried     BIGINT  NOT NULL, -- decisions carried (eligible, needs data and excluded)
    summary     TEXT    NOT NULL, -- JSON: per policy its counts, totals by dimension and first errors
    stored_at   BIGINT  NOT NULL,
    stored_by   TEXT    NOT NULL,
    PRIMARY KEY (run_id, shard)
);
