/*
 * src/sql/16_cache.sql
 *	  Each backend keeps the tenants it served (settings, roles, extension
 *	  schemas) and the bearer tokens it authenticated in memory
 *	  (src/tenant_cache.c).  scim.tenant_configure, scim.schema_extension_add
 *	  and scim.token_revoke invalidate that cache themselves; these
 *	  statement triggers do it for every other change of the three tables
 *	  (an UPDATE by hand, a restore), so that no backend serves settings or
 *	  accepts a token older than the last committed change.  A token's
 *	  last_used, written by requests, is not such a change.
 */

-- API: Private
CREATE FUNCTION scim._tenant_cache_invalidate()
RETURNS trigger AS 'MODULE_PATHNAME', 'scim_tenant_cache_invalidate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim._tenant_cache_invalidate() IS 'Statement trigger: every backend forgets the tenants and tokens it cached';

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
