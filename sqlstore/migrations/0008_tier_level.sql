-- Tiers carry the level of the body that recognised them (issue 9): national
-- (国家级), provincial (省级) or municipal (市级); '' for tiers recorded
-- before the level was asked, shown as not recorded. from_date stays the
-- exact day of recognition.
ALTER TABLE enterprise_tiers ADD COLUMN level TEXT NOT NULL DEFAULT '';
