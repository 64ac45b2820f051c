/*
 * src/sql/20_api.sql
 *	  The SQL API (docs/sql-api.md).  Implemented in C; none is STRICT, so
 *	  that a NULL argument gets a clear error rather than a silent NULL.
 */

-- API: Public
CREATE FUNCTION scim.tenant_create(tenant text, settings jsonb DEFAULT '{}')
RETURNS void AS 'MODULE_PATHNAME', 'scim_tenant_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.tenant_create(text, jsonb) IS 'Create a tenant (organization) with optional settings';

-- API: Public
CREATE FUNCTION scim.tenant_configure(tenant text, settings jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_tenant_configure'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.tenant_configure(text, jsonb) IS 'Merge settings into a tenant''s; returns every effective setting';

-- API: Public
CREATE FUNCTION scim.token_issue(tenant text, label text DEFAULT NULL, expires timestamptz DEFAULT NULL)
RETURNS text AS 'MODULE_PATHNAME', 'scim_token_issue'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.token_issue(text, text, timestamptz) IS 'Issue a bearer token; the clear token is returned once and stored only as its SHA-256 digest';

-- API: Public
CREATE FUNCTION scim.token_revoke(tenant text, label text)
RETURNS void AS 'MODULE_PATHNAME', 'scim_token_revoke'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.token_revoke(text, text) IS 'Revoke a bearer token; effective on the next request';

-- API: Public
CREATE FUNCTION scim.user_create(tenant text, resource jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_user_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.user_create(text, jsonb) IS 'POST /Users: create a user, return the SCIM User';

-- API: Public
CREATE FUNCTION scim.user_get(tenant text, id text)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_user_get'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.user_get(text, text) IS 'GET /Users/{id}';

-- API: Public
CREATE FUNCTION scim.user_replace(tenant text, id text, resource jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_user_replace'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.user_replace(text, text, jsonb) IS 'PUT /Users/{id}: replace a user';

-- API: Public
CREATE FUNCTION scim.user_patch(tenant text, id text, patch jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_user_patch'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.user_patch(text, text, jsonb) IS 'PATCH /Users/{id}: apply a PatchOp, all or nothing';

-- API: Public
CREATE FUNCTION scim.user_delete(tenant text, id text)
RETURNS void AS 'MODULE_PATHNAME', 'scim_user_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.user_delete(text, text) IS 'DELETE /Users/{id}, as the tenant''s user_delete setting says';

-- API: Public
CREATE FUNCTION scim.user_list(tenant text, filter text DEFAULT NULL, start_index int DEFAULT 1,
							   count int DEFAULT NULL, sort_by text DEFAULT NULL,
							   sort_order text DEFAULT 'ascending')
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_user_list'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.user_list(text, text, int, int, text, text) IS 'GET /Users: a ListResponse';

-- API: Public
CREATE FUNCTION scim.group_create(tenant text, resource jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_group_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.group_create(text, jsonb) IS 'POST /Groups: create a group, return the SCIM Group';

-- API: Public
CREATE FUNCTION scim.group_get(tenant text, id text)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_group_get'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.group_get(text, text) IS 'GET /Groups/{id}';

-- API: Public
CREATE FUNCTION scim.group_replace(tenant text, id text, resource jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_group_replace'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.group_replace(text, text, jsonb) IS 'PUT /Groups/{id}: replace a group and its membership';

-- API: Public
CREATE FUNCTION scim.group_patch(tenant text, id text, patch jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_group_patch'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.group_patch(text, text, jsonb) IS 'PATCH /Groups/{id}: apply a PatchOp, all or nothing';

-- API: Public
CREATE FUNCTION scim.group_delete(tenant text, id text)
RETURNS void AS 'MODULE_PATHNAME', 'scim_group_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.group_delete(text, text) IS 'DELETE /Groups/{id}';

-- API: Public
CREATE FUNCTION scim.group_list(tenant text, filter text DEFAULT NULL, start_index int DEFAULT 1,
								count int DEFAULT NULL, sort_by text DEFAULT NULL,
								sort_order text DEFAULT 'ascending')
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_group_list'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.group_list(text, text, int, int, text, text) IS 'GET /Groups: a ListResponse';

-- API: Public
CREATE FUNCTION scim.password_verify(tenant text, user_name text, password text)
RETURNS boolean AS 'MODULE_PATHNAME', 'scim_password_verify'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.password_verify(text, text, text) IS 'Check a user''s password against its salted hash (inactive users never match)';

-- API: PostgREST only
CREATE FUNCTION scim_api.handle(bytea)
RETURNS json AS 'MODULE_PATHNAME', 'scim_handle'
LANGUAGE C VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION scim_api.handle(bytea) IS 'The HTTP entry point: one SCIM request (method, URI and headers from request.headers, raw body) in, one SCIM response out';
REVOKE ALL ON FUNCTION scim_api.handle(bytea) FROM PUBLIC;
