-- Change detection (issue 10): every write that changes what the policy
-- engine reads of an enterprise — its row, its industries, its facts, its
-- tiers — stamps the enterprise with the next value of one counter, once per
-- transaction. The counter's row is locked until the writing transaction
-- ends, so stamps are given in commit order: a reader that has seen every
-- stamp up to S finds every later change with change_seq > S.
ALTER TABLE enterprises ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX enterprises_change_seq ON enterprises (change_seq);
CREATE TABLE change_counter (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT  NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);
