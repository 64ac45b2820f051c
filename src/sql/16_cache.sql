/*
 * src/sql/16_cache.sql
 *	  Each backend keeps the tenants it served (settings, roles, extension
 *	  schemas) in memory (src/tenant_cache.c).  scim.tenant_configure and
 *	  scim.schema_extension_add invalidate that cache themselves; these
 *	  statement triggers do it for every other change of the two tables
 *	  (an UPDATE by hand, a restore), so that no backend serves settings
 *	  older than the last committed change.
 */

-- API: Private
CREATE FUNCTION scim._tenant_cache_invalidate()
RETURNS trigger AS 'MODULE_PATHNAME', 'scim_tenant_cache_invalidate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim._tenant_cache_invalidate() IS 'Statement trigger: every backend forgets the tenants it cached (settings, roles, extension schemas)';

CREATE TRIGGER tenants_cache_invalidate
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scim.tenants
	FOR EACH STATEMENT EXECUTE FUNCTION scim._tenant_cache_invalidate();
CREATE TRIGGER schema_extensions_cache_invalidate
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scim.schema_extensions
	FOR EACH STATEMENT EXECUTE FUNCTION scim._tenant_cache_invalidate();
