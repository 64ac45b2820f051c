/*
 * src/sql/15_indexes.sql
 *	  Indexes that serve filters beyond the ones on columns (10_tables.sql).
 *	  The filter compiler (src/filter_sql.c) emits expressions that match
 *	  them exactly.
 */

-- API: Private
-- The lookup keys of a user's emails: lower(value) and
-- lower(type) || ':' || lower(value) of every element.  A filter on
-- emails.value eq, or emails[type eq .. and value eq ..], adds
-- "scim._email_keys(u.attrs) OPERATOR(scim.@>>) ARRAY[key]" to its exact
-- EXISTS, so the GIN index below narrows the candidates.  The function and
-- the operator (of the opclass scim._keys_ops) are LEAKPROOF, so that the
-- index stays usable under row-level security (src/sql/05_leakproof.sql).  Keys may collide (a value holding a
-- ':'); that only widens the candidate set, the EXISTS decides.
CREATE FUNCTION scim._email_keys(attrs jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF
RETURN ARRAY(
	SELECT k.key
	FROM pg_catalog.jsonb_array_elements(
			CASE WHEN pg_catalog.jsonb_typeof(attrs OPERATOR(pg_catalog.->) 'emails') OPERATOR(pg_catalog.=) 'array'
				 THEN attrs OPERATOR(pg_catalog.->) 'emails' END) AS e(elem),
		 LATERAL (VALUES
			(pg_catalog.lower(e.elem OPERATOR(pg_catalog.->>) 'value')),
			(pg_catalog.lower(e.elem OPERATOR(pg_catalog.->>) 'type') OPERATOR(pg_catalog.||) ':'
			 OPERATOR(pg_catalog.||) pg_catalog.lower(e.elem OPERATOR(pg_catalog.->>) 'value'))) AS k(key)
	WHERE k.key IS NOT NULL);
COMMENT ON FUNCTION scim._email_keys(jsonb) IS 'Lookup keys of a user''s emails for the users_email_keys GIN index (filters on emails.value)';

CREATE INDEX users_email_keys ON scim.users USING gin (scim._email_keys(attrs) scim._keys_ops);
