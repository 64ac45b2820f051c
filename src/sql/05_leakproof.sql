/*
 * src/sql/05_leakproof.sql
 *	  Leakproof twins of the built-ins the lookup indexes are built on.
 *
 *	  Every table is under row-level security (40_security.sql), and under
 *	  row-level security the planner turns a condition into an index
 *	  condition only if every function in it is LEAKPROOF; any other
 *	  condition must wait until the policy's condition has passed, i.e. it
 *	  becomes a filter over all of the tenant's rows.  pg_catalog.lower(),
 *	  LIKE (textlike) and array containment (@>) are not marked leakproof,
 *	  so "userName eq", the uniqueness checks, "sw" and the emails index
 *	  would each scan a whole tenant.  The twins below run the very same
 *	  built-in code and are marked LEAKPROOF; the indexes (10_tables.sql,
 *	  15_indexes.sql) and the SQL that src/filter_sql.c, src/user.c and
 *	  src/group.c generate use them.
 *
 *	  Why LEAKPROOF is sound here: they have no side effects and raise no
 *	  error that depends on row data (lower() and arraycontains() fail only
 *	  out of memory; textlike() fails only on a malformed pattern, which is
 *	  ours, built in C).  And row-level security here guards against the
 *	  extension's own bugs, not against the roles that may read the tables
 *	  (scim_owner, and scim_app, which may read every tenant through the
 *	  SQL API anyway).
 *
 *	  They keep names of their own (no "lower", no "@>" in schema scim), so
 *	  that they never capture an operator or function call in code that has
 *	  scim in its search_path.
 */

-- API: Private
CREATE FUNCTION scim._lower(text)
RETURNS text
AS 'lower'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION scim._lower(text) IS 'pg_catalog.lower(text), marked LEAKPROOF so that row-level security keeps the case-insensitive indexes usable';

-- API: Private
-- With textlike's support function, a prefix pattern on an indexed column
-- yields the same text_pattern_ops range conditions LIKE does.
CREATE FUNCTION scim._like(text, text)
RETURNS boolean
AS 'textlike'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF
SUPPORT pg_catalog.textlike_support;
COMMENT ON FUNCTION scim._like(text, text) IS 'text LIKE pattern (textlike), marked LEAKPROOF so that row-level security keeps prefix searches on the indexes';

-- API: Private
CREATE FUNCTION scim._keys_contain(text[], text[])
RETURNS boolean
AS 'arraycontains'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION scim._keys_contain(text[], text[]) IS 'text[] @> text[] (arraycontains), marked LEAKPROOF: the operator of the scim._keys_ops GIN index';

-- API: Private
CREATE OPERATOR scim.@>> (
	LEFTARG = text[],
	RIGHTARG = text[],
	FUNCTION = scim._keys_contain,
	RESTRICT = pg_catalog.contsel,
	JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR scim.@>> (text[], text[]) IS 'Does the left array contain every element of the right one (leakproof @>)';

-- API: Private
-- GIN's array_ops with the leakproof containment as its only operator
-- (strategy 2 is "contains" for the array support functions).
CREATE OPERATOR CLASS scim._keys_ops
FOR TYPE text[] USING gin AS
	OPERATOR 2 scim.@>> (text[], text[]),
	FUNCTION 2 pg_catalog.ginarrayextract(anyarray, internal, internal),
	FUNCTION 3 pg_catalog.ginqueryarrayextract(anyarray, internal, int2, internal, internal, internal, internal),
	FUNCTION 4 pg_catalog.ginarrayconsistent(internal, int2, anyarray, int4, internal, internal, internal, internal),
	FUNCTION 6 pg_catalog.ginarraytriconsistent(internal, int2, anyarray, int4, internal, internal, internal),
	STORAGE text;
