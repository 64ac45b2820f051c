/* scim--0.1.0--0.2.0.sql: ALTER EXTENSION scim UPDATE from 0.1.0 to 0.2.0; never edit it once 0.2.0 is released */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION scim UPDATE TO '0.2.0'" to load this file. \quit

-- src/sql/15_indexes.sql: scim._email_keys(jsonb), the expression of the GIN
-- index users_email_keys, is written in C (src/email_keys.c) and gives
-- exactly the keys the SQL function of 0.1.0 gave (sql/email_keys.sql), so
-- the index stays valid as it is: no REINDEX.  CREATE OR REPLACE keeps the
-- function's oid (the index refers to it), its owner (scim_owner), its
-- privileges (EXECUTE revoked from PUBLIC) and its comment.
CREATE OR REPLACE FUNCTION scim._email_keys(attrs jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'scim_email_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

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

-- src/sql/26_json.sql: test aids for the JSON core (src/json_out.c), with
-- what src/sql/40_security.sql gives every function of a fresh install:
-- scim_owner as their owner, EXECUTE revoked from PUBLIC.
CREATE FUNCTION scim._json_write(doc text)
RETURNS text AS 'MODULE_PATHNAME', 'scim_json_write'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._json_write(text) IS 'A JSON document parsed and written back, compact, by the extension''s JSON core';
ALTER FUNCTION scim._json_write(text) OWNER TO scim_owner;
REVOKE ALL ON FUNCTION scim._json_write(text) FROM PUBLIC;

CREATE FUNCTION scim._json_to_jsonb(doc text)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_json_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._json_to_jsonb(text) IS 'A JSON document parsed by the extension''s JSON core and built into jsonb by its builder';
ALTER FUNCTION scim._json_to_jsonb(text) OWNER TO scim_owner;
REVOKE ALL ON FUNCTION scim._json_to_jsonb(text) FROM PUBLIC;
