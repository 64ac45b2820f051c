/*
 * test/scim_test/scim_test--1.0.sql
 *	  Test aids of the scim extension, in an extension of their own that only
 *	  the test harness installs (test/README.md, "Test aids"): the SQL a
 *	  filter compiles to and its parameters (src/filter_sql.c), the plans of
 *	  the list queries (src/query.c), and what the JSON core (src/json_parse.c,
 *	  src/json_out.c) makes of a document, for the tests to compare with
 *	  PostgreSQL's json and jsonb.  Their C code is scim_test.so
 *	  (scim_test.c), which calls those functions of scim.so.  Like every
 *	  function of scim: owned by scim_owner, EXECUTE revoked from PUBLIC.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION scim_test" to load this file. \quit

CREATE FUNCTION scim._filter_to_sql(kind text, filter text)
RETURNS text AS 'MODULE_PATHNAME', 'scim_test_filter_to_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._filter_to_sql(text, text) IS 'The SQL predicate a SCIM filter compiles to, for kind User or Group ($1 is the tenant)';

CREATE FUNCTION scim._filter_params(kind text, filter text)
RETURNS TABLE (param int, type regtype, value text)
AS 'MODULE_PATHNAME', 'scim_test_filter_params'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._filter_params(text, text) IS 'The parameters of the SQL a SCIM filter compiles to';

-- Not STRICT: a NULL filter explains the unfiltered list.  VOLATILE only
-- because SPI refuses EXPLAIN (a utility statement) in other functions.
CREATE FUNCTION scim._filter_explain(tenant text, kind text, filter text, page boolean DEFAULT false)
RETURNS SETOF text AS 'MODULE_PATHNAME', 'scim_test_filter_explain'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim._filter_explain(text, text, text, boolean) IS 'EXPLAIN (COSTS OFF) of the count (or, with page, the first page) query of a list';

CREATE FUNCTION scim._json_write(doc text)
RETURNS text AS 'MODULE_PATHNAME', 'scim_test_json_write'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._json_write(text) IS 'A JSON document parsed and written back, compact, by the extension''s JSON core';

CREATE FUNCTION scim._json_to_jsonb(doc text)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_test_json_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._json_to_jsonb(text) IS 'A JSON document parsed by the extension''s JSON core and built into jsonb by its builder';

CREATE FUNCTION scim._patch_work()
RETURNS bigint AS 'MODULE_PATHNAME', 'scim_test_patch_work'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION scim._patch_work() IS 'The work units (inner-loop steps) of the last PATCH applied in this backend';

ALTER FUNCTION scim._filter_to_sql(text, text) OWNER TO scim_owner;
ALTER FUNCTION scim._filter_params(text, text) OWNER TO scim_owner;
ALTER FUNCTION scim._filter_explain(text, text, text, boolean) OWNER TO scim_owner;
ALTER FUNCTION scim._json_write(text) OWNER TO scim_owner;
ALTER FUNCTION scim._json_to_jsonb(text) OWNER TO scim_owner;
ALTER FUNCTION scim._patch_work() OWNER TO scim_owner;
REVOKE ALL ON FUNCTION scim._filter_to_sql(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION scim._filter_params(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION scim._filter_explain(text, text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION scim._json_write(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION scim._json_to_jsonb(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION scim._patch_work() FROM PUBLIC;
