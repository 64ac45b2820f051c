/*
 * src/sql/30_bulk.sql
 *	  Bulk operations (RFC 7644 §3.7), implemented in C (src/bulk.c).  Not
 *	  STRICT, so that a NULL argument gets a clear error rather than a
 *	  silent NULL.
 */

-- API: Public
CREATE FUNCTION scim.bulk(tenant text, request jsonb)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_bulk'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.bulk(text, jsonb) IS 'POST /Bulk: run a BulkRequest, each operation in its own subtransaction; returns the BulkResponse';
