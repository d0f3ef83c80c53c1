-- 0040: keys that Citus can distribute (issue 16; the plan is citusPlan in
-- sqlstore/citus.go). Every per-enterprise table is distributed by the
-- firm's credit code, so each of its primary and unique keys includes the
-- code, and a foreign key between two of them pairs the codes. On SQLite,
-- which is never distributed, only the code columns below are added: its
-- tables keep their rowid keys and foreign keys.
--
-- The rows that hang off an application or a request carry the firm's code,
-- copied from their parent; the store writes it with every new row.
ALTER TABLE policy_application_values ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_application_files ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_application_events ADD COLUMN code TEXT NOT NULL DEFAULT '';
UPDATE policy_application_values SET code = (SELECT a.code FROM policy_applications a WHERE a.id = policy_application_values.application_id);
UPDATE policy_application_files SET code = (SELECT a.code FROM policy_applications a WHERE a.id = policy_application_files.application_id);
UPDATE policy_application_events SET code = (SELECT a.code FROM policy_applications a WHERE a.id = policy_application_events.application_id);

ALTER TABLE request_handlers ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE request_events ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE request_files ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE request_issue_members ADD COLUMN code TEXT NOT NULL DEFAULT '';
UPDATE request_handlers SET code = (SELECT r.code FROM requests r WHERE r.id = request_handlers.request_id);
UPDATE request_events SET code = (SELECT r.code FROM requests r WHERE r.id = request_events.request_id);
UPDATE request_files SET code = (SELECT r.code FROM requests r WHERE r.id = request_files.request_id);
UPDATE request_issue_members SET code = (SELECT r.code FROM requests r WHERE r.id = request_issue_members.request_id);

-- The ledger is listed by time, then code and id (FindLedger): ids are
-- ordered within one firm's rows only once they are distributed.
CREATE INDEX policy_ledger_at ON policy_ledger (at, code, id);

-- PostgreSQL only from here. The defaults above served the copy: without
-- them a row written without its code fails instead of landing on the
-- shard of ''.
/*postgres:
ALTER TABLE policy_application_values ALTER COLUMN code DROP DEFAULT;
ALTER TABLE policy_application_files ALTER COLUMN code DROP DEFAULT;
ALTER TABLE policy_application_events ALTER COLUMN code DROP DEFAULT;
ALTER TABLE request_handlers ALTER COLUMN code DROP DEFAULT;
ALTER TABLE request_events ALTER COLUMN code DROP DEFAULT;
ALTER TABLE request_files ALTER COLUMN code DROP DEFAULT;
ALTER TABLE request_issue_members ALTER COLUMN code DROP DEFAULT;

-- Foreign keys to an application or a request by its id alone give way to
-- ones by code and id, once the parents are keyed so.
ALTER TABLE policy_application_values DROP CONSTRAINT policy_application_values_application_id_fkey;
ALTER TABLE policy_application_files DROP CONSTRAINT policy_application_files_application_id_fkey;
ALTER TABLE policy_application_events DROP CONSTRAINT policy_application_events_application_id_fkey;
ALTER TABLE request_handlers DROP CONSTRAINT request_handlers_request_id_fkey;
ALTER TABLE request_events DROP CONSTRAINT request_events_request_id_fkey;
ALTER TABLE request_files DROP CONSTRAINT request_files_request_id_fkey;
ALTER TABLE request_issue_members DROP CONSTRAINT request_issue_members_request_id_fkey;

-- Tables keyed by a generated id are keyed by (code, id). The identity
-- still gives each row an id of its own, which the store looks rows up by;
-- where it does so without the code, a plain index on id serves. An index
-- on the code alone is the key's first column now, and goes.
ALTER TABLE policy_decisions DROP CONSTRAINT policy_decisions_pkey, ADD PRIMARY KEY (code, id);
DROP INDEX policy_decisions_code;
ALTER TABLE policy_needs_data DROP CONSTRAINT policy_needs_data_pkey, ADD PRIMARY KEY (code, id);
DROP INDEX policy_needs_data_code;
ALTER TABLE policy_excluded DROP CONSTRAINT policy_excluded_pkey, ADD PRIMARY KEY (code, id);
DROP INDEX policy_excluded_code;
ALTER TABLE policy_objections DROP CONSTRAINT policy_objections_pkey, ADD PRIMARY KEY (code, id);
DROP INDEX policy_objections_code;
CREATE INDEX policy_objections_id ON policy_objections (id);
ALTER TABLE policy_decision_events DROP CONSTRAINT policy_decision_events_pkey, ADD PRIMARY KEY (code, id);
ALTER TABLE policy_ledger DROP CONSTRAINT policy_ledger_pkey, ADD PRIMARY KEY (code, id);
ALTER TABLE chain_lead_firms DROP CONSTRAINT chain_lead_firms_pkey, ADD PRIMARY KEY (code, id);
CREATE INDEX chain_lead_firms_id ON chain_lead_firms (id);

ALTER TABLE policy_applications DROP CONSTRAINT policy_applications_pkey, ADD PRIMARY KEY (code, id);
DROP INDEX policy_applications_code;
CREATE INDEX policy_applications_id ON policy_applications (id);
ALTER TABLE policy_application_values DROP CONSTRAINT policy_application_values_pkey, ADD PRIMARY KEY (code, application_id, name);
ALTER TABLE policy_application_values ADD FOREIGN KEY (code, application_id) REFERENCES policy_applications (code, id);
ALTER TABLE policy_application_files DROP CONSTRAINT policy_application_files_pkey, ADD PRIMARY KEY (code, id);
ALTER TABLE policy_application_files ADD FOREIGN KEY (code, application_id) REFERENCES policy_applications (code, id);
ALTER TABLE policy_application_events DROP CONSTRAINT policy_application_events_pkey, ADD PRIMARY KEY (code, id);
ALTER TABLE policy_application_events ADD FOREIGN KEY (code, application_id) REFERENCES policy_applications (code, id);

ALTER TABLE requests DROP CONSTRAINT requests_pkey, ADD PRIMARY KEY (code, id);
DROP INDEX requests_code;
CREATE INDEX requests_id ON requests (id);
ALTER TABLE request_handlers DROP CONSTRAINT request_handlers_pkey, ADD PRIMARY KEY (code, request_id, department);
CREATE INDEX request_handlers_request ON request_handlers (request_id);
ALTER TABLE request_handlers ADD FOREIGN KEY (code, request_id) REFERENCES requests (code, id) ON DELETE CASCADE;
ALTER TABLE request_events DROP CONSTRAINT request_events_pkey, ADD PRIMARY KEY (code, id);
ALTER TABLE request_events ADD FOREIGN KEY (code, request_id) REFERENCES requests (code, id) ON DELETE CASCADE;
ALTER TABLE request_files DROP CONSTRAINT request_files_pkey, ADD PRIMARY KEY (code, id);
ALTER TABLE request_files ADD FOREIGN KEY (code, request_id) REFERENCES requests (code, id) ON DELETE CASCADE;
ALTER TABLE request_issue_members DROP CONSTRAINT request_issue_members_pkey, ADD PRIMARY KEY (code, request_id);
ALTER TABLE request_issue_members ADD FOREIGN KEY (code, request_id) REFERENCES requests (code, id) ON DELETE CASCADE;

-- A request from another platform is taken in once per firm: a unique
-- index across firms cannot be kept on Citus. The store still looks the
-- source and reference up before taking a request in, whatever its firm.
DROP INDEX requests_external;
CREATE UNIQUE INDEX requests_external ON requests (code, external_source, external_ref) WHERE external_ref <> '';
*/
