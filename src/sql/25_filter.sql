/*
 * src/sql/25_filter.sql
 *	  Debugging aids for the filter compiler (src/filter_sql.c) and the list
 *	  queries (src/query.c): the regression tests pin the SQL a filter
 *	  compiles to and the plans it gets.
 */

-- API: Private
CREATE FUNCTION scim._filter_to_sql(kind text, filter text)
RETURNS text AS 'MODULE_PATHNAME', 'scim_filter_to_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._filter_to_sql(text, text) IS 'The SQL predicate a SCIM filter compiles to, for kind User or Group ($1 is the tenant)';

-- API: Private
CREATE FUNCTION scim._filter_params(kind text, filter text)
RETURNS TABLE (param int, type regtype, value text)
AS 'MODULE_PATHNAME', 'scim_filter_params'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._filter_params(text, text) IS 'The parameters of the SQL a SCIM filter compiles to';

-- API: Private
-- Not STRICT: a NULL filter explains the unfiltered list.  VOLATILE only
-- because SPI refuses EXPLAIN (a utility statement) in other functions.
CREATE FUNCTION scim._filter_explain(tenant text, kind text, filter text, page boolean DEFAULT false)
RETURNS SETOF text AS 'MODULE_PATHNAME', 'scim_filter_explain'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim._filter_explain(text, text, text, boolean) IS 'EXPLAIN (COSTS OFF) of the count (or, with page, the first page) query of a list';
REVOKE ALL ON FUNCTION scim._filter_explain(text, text, text, boolean) FROM PUBLIC;
