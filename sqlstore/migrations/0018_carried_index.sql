-- A budget's and a relation's guard sums, per policy and period, what is
-- approved or paid (policy_guard.go): every approval, every payment and
-- `chanye policy run`'s budget lines ask it. Through the entitlement index
-- it read every decision of the policy and period, in every run, to keep
-- the few approved (1.2 s for seven policies after nine runs at 3.6 M
-- enterprises, growing with each run). A partial index holds the approved
-- and paid ones with their amounts: the query's own condition, so that
-- SQLite and PostgreSQL both use it.
CREATE INDEX policy_decisions_carried ON policy_decisions (policy_id, period, code, amount_fen)
    WHERE status IN ('approved', 'paid');
