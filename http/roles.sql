-- http/roles.sql - the roles that use the scim extension; run by
-- scripts/stack.sh as a superuser in the scim database, after
-- CREATE EXTENSION scim (or after the fake of test/http/noop.sql, which
-- has only scim_api.handle(bytea): what the fake lacks is skipped).
--
--   scim_web    LOGIN NOINHERIT: PostgREST's connection role; it can do
--               nothing by itself and switches to scim_anon for every request.
--   scim_anon   NOLOGIN: the request role; it may only USAGE schema scim_api
--               and EXECUTE scim_api.handle(bytea).  Everything the handler
--               touches is reached through the function itself, which runs
--               as scim_owner under row-level security.
--   scim_app    NOLOGIN: applications.  EXECUTE on the SQL API (users,
--               groups, bulk, events, tenants and their settings, password
--               checks), and SELECT on the tables for direct reads: those see
--               the rows of the tenant in the setting scim.tenant only
--               (SET LOCAL scim.tenant = 'acme'), and never a password hash.
--               Nothing on tokens: neither the table nor token_issue/revoke.
--   scim_admin  NOLOGIN: operators' tools.  Tenants and tokens
--               (token_issue, token_revoke) on top of nothing else.
--   scim_owner  (made by CREATE EXTENSION, not here) owns everything; no
--               one logs in as it.
--
-- Grant the group roles to login roles: GRANT scim_app TO zulip;
-- Roles are cluster-wide, so this file is idempotent: run it any number of
-- times, in every database that has the extension.
-- The development cluster trusts local connections; in production give
-- scim_web a password (ALTER ROLE scim_web PASSWORD '...') and use
-- scram-sha-256 in pg_hba.conf.

\set ON_ERROR_STOP on

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'scim_anon') THEN
		CREATE ROLE scim_anon NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'scim_web') THEN
		CREATE ROLE scim_web LOGIN NOINHERIT;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'scim_app') THEN
		CREATE ROLE scim_app NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'scim_admin') THEN
		CREATE ROLE scim_admin NOLOGIN;
	END IF;
END
$$;

-- Enforce the attributes even if the roles existed with others.
ALTER ROLE scim_anon NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE scim_web LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE scim_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE scim_admin NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT scim_anon TO scim_web;

-- Bound what one HTTP request may cost: a statement over 30 s, or a lock
-- wait over 10 s, is cancelled and answered 503 with Retry-After (nginx
-- gives up on PostgREST at 60 s).  Set on the login role: PostgreSQL applies
-- it to PostgREST's sessions (the settings of scim_anon would need
-- PostgREST's db-config).
ALTER ROLE scim_web SET statement_timeout = '30s';
ALTER ROLE scim_web SET lock_timeout = '10s';
ALTER ROLE scim_anon RESET ALL;

-- Take away everything, then give back exactly what each role needs.
-- (The extension itself revokes EXECUTE on its functions from PUBLIC:
-- src/sql/40_security.sql.)
DO $$
DECLARE
	s text;
BEGIN
	EXECUTE format('REVOKE ALL ON DATABASE %I FROM scim_anon, scim_web, scim_app, scim_admin',
				   current_database());
	FOR s IN SELECT nspname FROM pg_catalog.pg_namespace
			  WHERE nspname IN ('public', 'scim', 'scim_api')
	LOOP
		EXECUTE format('REVOKE ALL ON SCHEMA %I FROM scim_anon, scim_web, scim_app, scim_admin', s);
		EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM scim_anon, scim_web, scim_app, scim_admin', s);
		EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM scim_anon, scim_web, scim_app, scim_admin', s);
		EXECUTE format('REVOKE ALL ON ALL ROUTINES IN SCHEMA %I FROM scim_anon, scim_web, scim_app, scim_admin', s);
	END LOOP;
END
$$;

-- PostgREST: in the exposed schema only handle(bytea) may be called, and
-- only by scim_anon.
REVOKE ALL ON ALL ROUTINES IN SCHEMA scim_api FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO scim_web;
GRANT USAGE ON SCHEMA scim_api TO scim_anon;
GRANT EXECUTE ON FUNCTION scim_api.handle(bytea) TO scim_anon;

-- Applications and operators' tools (skipped where the schema is a fake).
DO $$
DECLARE
	f regprocedure;
	app_functions text[] := ARRAY[
		'user_create', 'user_get', 'user_replace', 'user_patch', 'user_delete', 'user_list',
		'group_create', 'group_get', 'group_replace', 'group_patch', 'group_delete', 'group_list',
		'bulk', 'events_since', 'events_channel', 'password_verify', 'schema_extension_add',
		'tenant_create', 'tenant_configure',
		-- the leakproof twins, for indexed reads: scim._lower(user_name) = lower('x')
		'_lower', '_like', '_keys_contain', '_email_keys', '_email_key'];
	admin_functions text[] := ARRAY['tenant_create', 'tenant_configure', 'token_issue', 'token_revoke'];
	t regclass;
	cols text;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'scim') THEN
		RETURN;
	END IF;
	GRANT USAGE ON SCHEMA scim TO scim_app, scim_admin;

	FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'scim'::regnamespace AND p.proname = ANY (app_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO scim_app', f);
	END LOOP;
	FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'scim'::regnamespace AND p.proname = ANY (admin_functions)
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO scim_admin', f);
	END LOOP;

	-- Direct reads: every table with a tenant_id but scim.tokens, every
	-- column but users.password_hash (scim.password_verify checks it).
	FOR t IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
			  WHERE c.relnamespace = 'scim'::regnamespace AND c.relkind IN ('r', 'p')
				AND c.relname <> 'tokens'
				AND EXISTS (SELECT FROM pg_catalog.pg_attribute a
							 WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
	LOOP
		SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
		  FROM pg_catalog.pg_attribute a
		 WHERE a.attrelid = t AND a.attnum > 0 AND NOT a.attisdropped
		   AND NOT (t = 'scim.users'::regclass AND a.attname = 'password_hash');
		EXECUTE format('GRANT SELECT (%s) ON %s TO scim_app', cols, t);
	END LOOP;
END
$$;
