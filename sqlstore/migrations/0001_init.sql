-- The catalog and the enterprise registry. Runs unchanged on SQLite and
-- PostgreSQL: dates are TEXT 'YYYY-MM-DD', timestamps BIGINT unix
-- milliseconds (UTC), booleans INTEGER 0/1, money BIGINT fen (indicators:
-- whole yuan, as the domain says). The comment /*sqlite: X*/ becomes X on
-- SQLite: registry tables keyed by text are WITHOUT ROWID there, which saves
-- a second b-tree per table.

-- One row: the catalog document without its industries.
CREATE TABLE catalog_meta (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    doc       TEXT    NOT NULL,
    version   BIGINT  NOT NULL, -- +1 on every import, so stores can tell theirs is stale
    loaded_at BIGINT  NOT NULL
);

CREATE TABLE industries (
    id                        TEXT    PRIMARY KEY,
    position                  INTEGER NOT NULL, -- order in the catalog
    kind                      TEXT    NOT NULL,
    grp                       TEXT    NOT NULL DEFAULT '',
    ordinal                   INTEGER NOT NULL DEFAULT 0,
    name_zh                   TEXT    NOT NULL,
    name_en                   TEXT    NOT NULL DEFAULT '',
    target_tier               TEXT,
    target_value_yuan         BIGINT,
    target_year               INTEGER,
    office                    TEXT    NOT NULL DEFAULT '',
    class_note                TEXT    NOT NULL DEFAULT '',
    city_leader               TEXT    NOT NULL DEFAULT '',
    lead_department           TEXT    NOT NULL DEFAULT '',
    task_force                TEXT    NOT NULL DEFAULT '',
    responsibility_updated_at BIGINT
);

-- The GB/T 4754 classes of each industry, in catalog order; a table rather
-- than JSON so that memberships can be derived in SQL.
CREATE TABLE industry_classes (
    industry_id TEXT    NOT NULL REFERENCES industries (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    class       TEXT    NOT NULL,
    PRIMARY KEY (industry_id, position)
);
CREATE INDEX industry_classes_class ON industry_classes (class);

CREATE TABLE indicators (
    industry_id TEXT   NOT NULL REFERENCES industries (id) ON DELETE CASCADE,
    metric      TEXT   NOT NULL,
    period      TEXT   NOT NULL,
    value       BIGINT NOT NULL,
    unit        TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (industry_id, metric, period)
);

CREATE TABLE enterprises (
    code                TEXT    PRIMARY KEY,
    name                TEXT    NOT NULL,
    district_code       TEXT    NOT NULL,
    industry_class      TEXT    NOT NULL,
    founded             TEXT    NOT NULL,
    industries_override INTEGER NOT NULL DEFAULT 0,
    size_class          TEXT    NOT NULL DEFAULT '',
    revision            BIGINT  NOT NULL DEFAULT 0, -- +1 on every change
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
) /*sqlite: WITHOUT ROWID*/;
CREATE INDEX enterprises_district ON enterprises (district_code, code);
CREATE INDEX enterprises_class ON enterprises (industry_class);
CREATE INDEX enterprises_size ON enterprises (size_class, code);

-- The 21+8 industries each enterprise belongs to: derived from its class,
-- or set by hand when industries_override = 1.
CREATE TABLE enterprise_industries (
    industry_id TEXT NOT NULL REFERENCES industries (id) ON DELETE CASCADE,
    code        TEXT NOT NULL REFERENCES enterprises (code) ON DELETE CASCADE,
    PRIMARY KEY (industry_id, code)
) /*sqlite: WITHOUT ROWID*/;
CREATE INDEX enterprise_industries_code ON enterprise_industries (code);

CREATE TABLE enterprise_tiers (
    code      TEXT NOT NULL REFERENCES enterprises (code) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date   TEXT, -- NULL: still held
    source    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (code, kind, from_date)
) /*sqlite: WITHOUT ROWID*/;
CREATE INDEX enterprise_tiers_kind ON enterprise_tiers (kind, from_date);

CREATE TABLE enterprise_facts (
    code                    TEXT    NOT NULL REFERENCES enterprises (code) ON DELETE CASCADE,
    year                    INTEGER NOT NULL,
    source                  TEXT    NOT NULL,
    as_of                   TEXT    NOT NULL,
    revenue_fen             BIGINT,
    rd_spending_fen         BIGINT,
    employees               BIGINT,
    rd_staff                BIGINT,
    total_assets_fen        BIGINT,
    tax_paid_fen            BIGINT,
    exports_fen             BIGINT,
    invention_patents       BIGINT,
    equipment_purchases_fen BIGINT,
    PRIMARY KEY (code, year, source)
) /*sqlite: WITHOUT ROWID*/;
