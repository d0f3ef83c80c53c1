-- Business scopes and the placement of enterprises on chain links (挂链,
-- issue 12).
--
-- enterprise_scopes holds each enterprise's business scope (经营范围) or
-- main products, where it came from, and the chain keywords that are words
-- of it (space-separated) with the vocabulary they were found with
-- (chain.Placer.Vocab): segmenting Chinese text is slow, so a placement
-- segments only the texts that are new or whose vocabulary changed.
CREATE TABLE enterprise_scopes (
    code       TEXT   NOT NULL PRIMARY KEY REFERENCES enterprises (code) ON DELETE CASCADE,
    scope      TEXT   NOT NULL,
    source     TEXT   NOT NULL,
    as_of      TEXT   NOT NULL,
    words      TEXT   NOT NULL DEFAULT '',
    vocab      BIGINT NOT NULL DEFAULT 0, -- 0: not segmented yet
    updated_at BIGINT NOT NULL
) /*sqlite: WITHOUT ROWID*/;

-- An enterprise on a link, by the rule (class and keywords), by hand or by
-- a file. A rule placement keeps the day it was first made while the rule
-- keeps placing the firm there. No foreign key to enterprises: rule
-- placements are millions of derived rows rewritten by chanye chains place,
-- which reads every enterprise; those by hand are checked when made.
CREATE TABLE chain_placements (
    link_id     TEXT NOT NULL,
    code        TEXT NOT NULL,
    industry_id TEXT NOT NULL,
    source      TEXT NOT NULL, -- rule, manual, import
    placed_on   TEXT NOT NULL,
    placed_by   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (link_id, code)
) /*sqlite: WITHOUT ROWID*/;
CREATE INDEX chain_placements_code ON chain_placements (code, link_id);

-- A firm taken off a link by hand: the rule leaves it off.
CREATE TABLE chain_removals (
    link_id    TEXT NOT NULL,
    code       TEXT NOT NULL,
    industry_id TEXT NOT NULL,
    removed_on TEXT NOT NULL,
    removed_by TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (link_id, code)
);

-- The figures of every link for a fiscal year, as the last placement
-- computed them (chain.LinkStats as JSON), and that placement's summary.
-- The diagnosis reads these: a few hundred rows, whatever the registry's size.
CREATE TABLE chain_link_stats (
    link_id TEXT    NOT NULL,
    year    INTEGER NOT NULL,
    doc     TEXT    NOT NULL,
    PRIMARY KEY (link_id, year)
);

CREATE TABLE chain_place_runs (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    doc TEXT    NOT NULL
);

-- The thresholds of the diagnosis (chain.Thresholds as JSON); the defaults
-- apply until an administrator changes them.
CREATE TABLE chain_thresholds (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    doc        TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL
);
