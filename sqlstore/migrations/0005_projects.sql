-- Key projects (issue 5): projects, their nodes, the owners' monthly
-- reports and the warning rules. Conventions as in 0001: dates TEXT
-- 'YYYY-MM-DD', months TEXT 'YYYY-MM', timestamps BIGINT unix milliseconds,
-- money BIGINT fen. industry_id and district_code are checked by the store
-- against the catalog, not by foreign keys, since a catalog import replaces
-- the industries. Colours are computed from the rules, never stored.
CREATE TABLE projects (
    id                   TEXT    PRIMARY KEY,
    name                 TEXT    NOT NULL,
    owner_code           TEXT    NOT NULL,
    industry_id          TEXT    NOT NULL,
    district_code        TEXT    NOT NULL,
    kind                 TEXT    NOT NULL,
    total_investment_fen BIGINT  NOT NULL,
    yearly_plan          TEXT    NOT NULL DEFAULT '[]', -- JSON [{"year","planned_fen"}]
    planned_start        TEXT    NOT NULL,
    planned_completion   TEXT    NOT NULL,
    stage                TEXT    NOT NULL,
    department           TEXT    NOT NULL DEFAULT '', -- '' = the industry's lead department
    city_leader          TEXT    NOT NULL DEFAULT '', -- '' = the industry's city leader
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL
);
CREATE INDEX projects_industry ON projects (industry_id, id);
CREATE INDEX projects_district ON projects (district_code, id);
CREATE INDEX projects_owner ON projects (owner_code, id);
CREATE INDEX projects_stage ON projects (stage, id);

CREATE TABLE project_nodes (
    project_id       TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    owner_department TEXT    NOT NULL DEFAULT '',
    planned_date     TEXT    NOT NULL,
    actual_date      TEXT,
    evidence_note    TEXT    NOT NULL DEFAULT '',
    evidence_link    TEXT    NOT NULL DEFAULT '',
    evidence_file    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, seq)
);

CREATE TABLE project_reports (
    project_id     TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    month          TEXT    NOT NULL,
    invested_fen   BIGINT  NOT NULL,
    cumulative_fen BIGINT  NOT NULL,
    progress_pct   DOUBLE PRECISION NOT NULL, -- physical progress, a percentage, not money
    problems       TEXT    NOT NULL DEFAULT '',
    reported_by    TEXT    NOT NULL,
    reported_at    BIGINT  NOT NULL,
    PRIMARY KEY (project_id, month)
);

-- Warning rules; while the table is empty the store serves
-- project.DefaultRules, and the first save stores them with it.
CREATE TABLE project_warning_rules (
    id         TEXT    PRIMARY KEY,
    grp        TEXT    NOT NULL,
    colour     TEXT    NOT NULL,
    label_zh   TEXT    NOT NULL,
    label_en   TEXT    NOT NULL,
    expr       TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    updated_at BIGINT  NOT NULL
);
