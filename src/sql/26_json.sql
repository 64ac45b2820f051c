/*
 * src/sql/26_json.sql
 *	  Test aids for the JSON core (src/json_parse.c, src/json_out.c): the
 *	  tests compare what the extension's own parser, writer and jsonb
 *	  builder make of a document with what PostgreSQL's json and jsonb
 *	  make of it.
 */

-- API: Private
CREATE FUNCTION scim._json_write(doc text)
RETURNS text AS 'MODULE_PATHNAME', 'scim_json_write'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._json_write(text) IS 'A JSON document parsed and written back, compact, by the extension''s JSON core';

-- API: Private
CREATE FUNCTION scim._json_to_jsonb(doc text)
RETURNS jsonb AS 'MODULE_PATHNAME', 'scim_json_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scim._json_to_jsonb(text) IS 'A JSON document parsed by the extension''s JSON core and built into jsonb by its builder';
