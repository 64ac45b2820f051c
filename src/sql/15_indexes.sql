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
-- ':'); that only widens the candidate set, the EXISTS decides.  Written in
-- C (src/email_keys.c): as a SQL function it was parsed and planned on
-- every INSERT and non-HOT UPDATE of scim.users (bench/README.md, F-2).
CREATE FUNCTION scim._email_keys(attrs jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'scim_email_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION scim._email_keys(jsonb) IS 'Lookup keys of a user''s emails for the users_email_keys GIN index (filters on emails.value)';

CREATE INDEX users_email_keys ON scim.users USING gin (scim._email_keys(attrs) scim._keys_ops);
