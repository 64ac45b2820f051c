/*
 * src/sql/15_indexes.sql
 *	  Indexes that serve filters beyond the ones on columns (10_tables.sql).
 *	  The filter compiler (src/filter_sql.c) emits expressions that match
 *	  them exactly.
 */

-- API: Private
-- The lookup keys of a user's emails: lower(value) and
-- lower(type) || ':' || lower(value) of every element, each led by the
-- tenant ("<bytes of tenant_id>:<tenant_id>:<key>", src/email_keys.c), so
-- that the index is led by the tenant as every other index of the request
-- path is: a tenant's lookup meets only its own entries, and its cost does
-- not grow with other tenants' users.  A filter on emails.value eq, or
-- emails[type eq .. and value eq ..], adds
-- "scim._email_keys(u.tenant_id, u.attrs) OPERATOR(scim.@>>)
-- ARRAY[scim._email_key($1, lower($n))]" ($1 the request's tenant) to its
-- exact EXISTS, so the GIN index below narrows the candidates.  The
-- functions and the operator (of the opclass scim._keys_ops) are
-- LEAKPROOF, so that the index stays usable under row-level security
-- (src/sql/05_leakproof.sql).  Keys of one tenant may collide (a value
-- holding a ':'); that only widens the candidate set, the EXISTS decides.
-- Written in C: as a SQL function it was parsed and planned on every
-- INSERT and non-HOT UPDATE of scim.users (bench/README.md, F-2).
CREATE FUNCTION scim._email_keys(tenant_id text, attrs jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'scim_email_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION scim._email_keys(text, jsonb) IS 'Lookup keys of a user''s emails, led by the tenant, for the users_email_keys GIN index (filters on emails.value)';

-- API: Private
CREATE FUNCTION scim._email_key(tenant_id text, key text)
RETURNS text
AS 'MODULE_PATHNAME', 'scim_email_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION scim._email_key(text, text) IS 'One email lookup key (lower-cased) led by the tenant, as scim._email_keys gives it';

CREATE INDEX users_email_keys ON scim.users USING gin (scim._email_keys(tenant_id, attrs) scim._keys_ops);
