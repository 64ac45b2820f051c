-- test/http/noop.sql - a stand-in for the extension, for the HTTP stack only.
--
--   SCIM_STACK_SQL_INIT=test/http/noop.sql scripts/stack.sh start --dir .run/floor
--
-- It is the benchmark floor F1: scim_api.handle(bytea) does nothing and
-- returns '{}', so nginx -> PostgREST -> function costs what the plumbing
-- costs.  It also stubs what scripts/stack.sh calls after the setup
-- (scim.tenants, scim.tenant_create, scim.token_issue).  Never load it into a
-- database that has the real extension.

\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS scim;
CREATE SCHEMA IF NOT EXISTS scim_api;

CREATE TABLE IF NOT EXISTS scim.tenants (
	tenant_id	text PRIMARY KEY,
	settings	jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS scim.tokens (
	tenant_id	text NOT NULL REFERENCES scim.tenants,
	label		text NOT NULL,
	token_hash	bytea NOT NULL UNIQUE,
	PRIMARY KEY (tenant_id, label)
);

CREATE OR REPLACE FUNCTION scim.tenant_create(tenant text, settings jsonb DEFAULT '{}')
RETURNS void LANGUAGE sql
AS $$ INSERT INTO scim.tenants VALUES (tenant, settings) $$;

CREATE OR REPLACE FUNCTION scim.token_issue(tenant text, label text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql
AS $$
DECLARE
	tok text := 'noop_' || md5(random()::text || clock_timestamp()::text);
BEGIN
	INSERT INTO scim.tokens
	VALUES (tenant, coalesce(label, 'token-' || clock_timestamp()), sha256(convert_to(tok, 'UTF8')));
	RETURN tok;
END
$$;

-- The floor: one unnamed bytea parameter, VOLATILE (PostgREST then opens a
-- read-write transaction), as the real entry point.
CREATE OR REPLACE FUNCTION scim_api.handle(bytea)
RETURNS json LANGUAGE sql VOLATILE
AS $$ SELECT '{}'::json $$;
