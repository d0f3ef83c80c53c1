-- The policy engine's last base (issue 10): the columns it decided on and
-- the change stamp they include, so that the next process brings them up
-- to date instead of reading millions of enterprises. One stream, cut in
-- parts; a cache of what the other tables hold, rebuilt when missing.
CREATE TABLE engine_base (
    part INTEGER NOT NULL PRIMARY KEY,
    data /*sqlite: BLOB NOT NULL --*/ BYTEA NOT NULL
);
