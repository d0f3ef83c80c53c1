-- The colour each project was last seen in (issue 11), so that a project
-- turned red by time alone — a report two months missing, a node past its
-- date — is told of once, by the daily sweep (Store.SweepRed), as one
-- turned red by a write is told of at once. since: the day (YYYY-MM-DD)
-- the colour was first seen.
CREATE TABLE project_colours (
    project_id TEXT NOT NULL PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    colour     TEXT NOT NULL,
    since      TEXT NOT NULL
);
