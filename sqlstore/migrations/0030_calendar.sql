-- The working-day calendar (issue 13): the schedules of holidays and 调休
-- working days an administrator loads over those chanye ships (package
-- workday), one row per listed day; a loaded year replaces the shipped one
-- whole. Dates TEXT 'YYYY-MM-DD', timestamps BIGINT unix milliseconds.
CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    source      TEXT   NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT   NOT NULL
);

CREATE TABLE calendar_days (
    day  TEXT    PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
    kind TEXT    NOT NULL,
    name TEXT    NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days (year, day);
