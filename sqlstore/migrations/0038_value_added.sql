-- 0038: the value added (增加值) of an enterprise's year, the base of
-- 亩均增加值 on the industrial space pages; NULL is not reported.
ALTER TABLE enterprise_facts ADD COLUMN value_added_fen BIGINT;
