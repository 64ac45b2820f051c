/* scim--0.1.0--0.2.0.sql: ALTER EXTENSION scim UPDATE from 0.1.0 to 0.2.0; never edit it once 0.2.0 is released */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION scim UPDATE TO '0.2.0'" to load this file. \quit

-- src/sql/15_indexes.sql: the GIN index users_email_keys is led by the
-- tenant.  Its expression becomes scim._email_keys(tenant_id, attrs), in C
-- (src/email_keys.c): the keys of 0.1.0's SQL function scim._email_keys(attrs),
-- each prefixed by "<bytes of tenant_id>:<tenant_id>:" (sql/email_keys.sql);
-- scim._email_key(tenant_id, key) gives one such key to the filters.  The
-- old index and function go, the index is built again from the rows (one
-- pass over scim.users, holding a SHARE lock on it: writes wait, reads do
-- not).  The new functions get what src/sql/40_security.sql gives every
-- function of a fresh install: scim_owner as their owner, EXECUTE revoked
-- from PUBLIC (private helpers: not SECURITY DEFINER); the index belongs
-- to the table's owner.
DROP INDEX scim.users_email_keys;
DROP FUNCTION scim._email_keys(jsonb);

CREATE FUNCTION scim._email_keys(tenant_id text, attrs jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'scim_email_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION scim._email_keys(text, jsonb) IS 'Lookup keys of a user''s emails, led by the tenant, for the users_email_keys GIN index (filters on emails.value)';
ALTER FUNCTION scim._email_keys(text, jsonb) OWNER TO scim_owner;
REVOKE ALL ON FUNCTION scim._email_keys(text, jsonb) FROM PUBLIC;

CREATE FUNCTION scim._email_key(tenant_id text, key text)
RETURNS text
AS 'MODULE_PATHNAME', 'scim_email_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION scim._email_key(text, text) IS 'One email lookup key (lower-cased) led by the tenant, as scim._email_keys gives it';
ALTER FUNCTION scim._email_key(text, text) OWNER TO scim_owner;
REVOKE ALL ON FUNCTION scim._email_key(text, text) FROM PUBLIC;

CREATE INDEX users_email_keys ON scim.users USING gin (scim._email_keys(tenant_id, attrs) scim._keys_ops);

-- src/sql/16_cache.sql: each backend caches the tenants it served and the
-- tokens it authenticated (src/tenant_cache.c); these statement triggers
-- invalidate that cache on every change of scim.tenants,
-- scim.schema_extensions and scim.tokens (last_used excepted).  The function
-- gets what src/sql/40_security.sql gives every function of a fresh
-- install: scim_owner as its owner, EXECUTE revoked from PUBLIC (a private
-- helper: not SECURITY DEFINER).
CREATE FUNCTION scim._tenant_cache_invalidate()
RETURNS trigger AS 'MODULE_PATHNAME', 'scim_tenant_cache_invalidate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim._tenant_cache_invalidate() IS 'Statement trigger: every backend forgets the tenants and tokens it cached';
ALTER FUNCTION scim._tenant_cache_invalidate() OWNER TO scim_owner;
REVOKE ALL ON FUNCTION scim._tenant_cache_invalidate() FROM PUBLIC;

CREATE TRIGGER tenants_cache_invalidate
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scim.tenants
	FOR EACH STATEMENT EXECUTE FUNCTION scim._tenant_cache_invalidate();
CREATE TRIGGER schema_extensions_cache_invalidate
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scim.schema_extensions
	FOR EACH STATEMENT EXECUTE FUNCTION scim._tenant_cache_invalidate();
CREATE TRIGGER tokens_cache_invalidate
	AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF tenant_id, label, token_hash, expires
	ON scim.tokens
	FOR EACH STATEMENT EXECUTE FUNCTION scim._tenant_cache_invalidate();

-- The test aids 0.1.0 installed (upgrade/scim--0.1.0.sql) are no longer part of
-- scim: the test harness installs them, and the JSON core's, as the
-- extension scim_test (test/scim_test/).  The C code stays in scim.so.
DROP FUNCTION scim._filter_to_sql(text, text);
DROP FUNCTION scim._filter_params(text, text);
DROP FUNCTION scim._filter_explain(text, text, text, boolean);

-- src/sql/35_events.sql: NOTIFY goes to a per-tenant channel whose name is
-- a keyed hash of the tenant (src/resource.c), with the payload {"seq":..};
-- the key table and scim.events_channel get what src/sql/40_security.sql
-- gives a fresh install: scim_owner as owner, nothing for PUBLIC, the
-- function SECURITY DEFINER as every C entry point.
CREATE TABLE scim.notify_key (
	key bytea NOT NULL
);
INSERT INTO scim.notify_key (key)
SELECT pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::text
				|| pg_catalog.gen_random_uuid()::text, '-', ''), 'hex');
COMMENT ON TABLE scim.notify_key IS 'The secret that derives each tenant''s NOTIFY channel name (scim.events_channel)';
ALTER TABLE scim.notify_key OWNER TO scim_owner;
REVOKE ALL ON TABLE scim.notify_key FROM PUBLIC;
CREATE FUNCTION scim.events_channel(tenant text)
RETURNS text
AS 'MODULE_PATHNAME', 'scim_events_channel'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION scim.events_channel(text) IS 'The NOTIFY channel of the tenant''s events (the payload is {"seq": <seq>})';
ALTER FUNCTION scim.events_channel(text) OWNER TO scim_owner;
REVOKE ALL ON FUNCTION scim.events_channel(text) FROM PUBLIC;
ALTER FUNCTION scim.events_channel(text) SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp SET scim.tenant = '' SET scim.token_digest = '';
COMMENT ON TABLE scim.events IS 'Change feed and audit trail: one row per change, announced with NOTIFY on the tenant''s channel (scim.events_channel)';
