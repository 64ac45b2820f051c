-- http/roles.sql - the roles PostgREST uses; run by scripts/stack.sh as a
-- superuser in the scim database, after the extension (or the fake in
-- test/http/noop.sql) has created scim_api.handle(bytea).
--
--   scim_web   LOGIN NOINHERIT: PostgREST's connection role; it can do nothing
--              by itself and switches to scim_anon for every request.
--   scim_anon  NOLOGIN: the request role; it may only USAGE schema scim_api
--              and EXECUTE scim_api.handle(bytea).  Everything the handler
--              touches beyond that is reached through the function itself.
--
-- Roles are cluster-wide, so this file is idempotent: run it any number of
-- times, in any database that has scim_api.handle(bytea).
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
END
$$;

-- Enforce the attributes even if the roles existed with others.
ALTER ROLE scim_anon NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE scim_web LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT scim_anon TO scim_web;

-- Take away everything, then give back exactly one schema and one function.
DO $$
DECLARE
	s text;
BEGIN
	EXECUTE format('REVOKE ALL ON DATABASE %I FROM scim_anon, scim_web', current_database());
	FOR s IN SELECT nspname FROM pg_catalog.pg_namespace
			  WHERE nspname IN ('public', 'scim', 'scim_api')
	LOOP
		EXECUTE format('REVOKE ALL ON SCHEMA %I FROM scim_anon, scim_web', s);
		EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM scim_anon, scim_web', s);
		EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM scim_anon, scim_web', s);
		EXECUTE format('REVOKE ALL ON ALL ROUTINES IN SCHEMA %I FROM scim_anon, scim_web', s);
	END LOOP;
END
$$;

-- Functions are executable by PUBLIC by default: in the exposed schema only
-- handle(bytea) may be called, and only by scim_anon.
REVOKE ALL ON ALL ROUTINES IN SCHEMA scim_api FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO scim_web;
GRANT USAGE ON SCHEMA scim_api TO scim_anon;
GRANT EXECUTE ON FUNCTION scim_api.handle(bytea) TO scim_anon;
