-- The public 公示 list reads only the decisions shown in public, by policy,
-- run and code (issue 10): every run adds hundreds of thousands of
-- decisions that are never publicised, which the list scanned (3 s at
-- 3.6 M enterprises after 25 runs). A partial index holds the public ones.
CREATE INDEX policy_decisions_public ON policy_decisions (policy_id, run_id, code)
    WHERE status IN ('publicised', 'objected', 'approved', 'paid');
