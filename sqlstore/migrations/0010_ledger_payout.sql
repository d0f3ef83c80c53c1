-- The treasury's reference for each payment (issue 9, the lifecycle in the
-- pages): the day the money left (paid_on, YYYY-MM-DD), the accounting
-- voucher number (凭证号) and the bank batch number (银行批次号). Entries
-- written before have none; reversals have none. The partial unique index
-- policy_ledger_one_payment still holds one payment per entitlement.
ALTER TABLE policy_ledger ADD COLUMN paid_on TEXT;
ALTER TABLE policy_ledger ADD COLUMN voucher TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_ledger ADD COLUMN batch TEXT NOT NULL DEFAULT '';
-- The payment file and page read a run's entries of one policy.
CREATE INDEX policy_ledger_run ON policy_ledger (run_id, policy_id, id);
