-- test/pgtap/09_json_core.sql
--	  The extension's JSON core against PostgreSQL's own: what its parser
--	  and writer (src/json_parse.c, src/json_out.c) make of a document must
--	  mean what json/jsonb make of it, strings escaped exactly as to_json()
--	  escapes them, the jsonb built from a tree equal to jsonb_in()'s, and
--	  timestamps written as RFC 3339 in UTC (meta.created, lastModified).
CREATE EXTENSION IF NOT EXISTS pgtap;
-- the test aids (scim._json_*, scim._filter_*): test/scim_test/
CREATE EXTENSION IF NOT EXISTS scim_test;

BEGIN;
SELECT plan(17);

CREATE TEMP TABLE docs (doc text);
INSERT INTO docs VALUES
	('{}'), ('[]'), ('""'), ('0'), ('-0'), ('true'), ('false'), ('null'),
	('"plain"'), ('-12.5e-3'), ('1E+2'), ('12345678901234567890.123456789'),
	('{"a": 1, "a": 2}'),
	('{"a": 1, "A": 2, "b": {"c": [1, "x", null, true, {"d": []}]}}'),
	('{"z": 1, "y": {"x": 2, "w": 3}, "": "empty key"}'),
	('["\u00e9t\u00e9", "\ud83d\ude00", "caf\u00c3", "\/slash", "tab\there"]'),
	('{"quote \" and backslash \\": "\b\f\n\r\t\u0001\u001f\u007f"}'),
	('  [ 1 , { "k" : "v" } ]  '),
	('{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann@example.com",
	  "name": {"givenName": "Ann", "familyName": "Lee"}, "emails": [{"value": "ann@example.com",
	  "primary": true}], "active": true, "x": 1.50e3}');
-- and 300 generated documents: every control character, quotes, backslashes,
-- non-ASCII, nested objects with keys out of order, numbers of every shape
INSERT INTO docs
SELECT jsonb_build_object(
		'k' || i, chr(1 + i % 31) || '"' || chr(32 + i % 95) || '\' || chr(160 + i) || repeat('x', i % 7),
		chr(65 + i % 26) || i, jsonb_build_array(i, -i * 1.25, (i * 7919)::numeric / 13, i % 2 = 0, NULL,
			jsonb_build_object('n' || (i % 5), to_jsonb(chr(1 + (i * 3) % 31)), 'a', 'b')),
		'e', (i || 'e' || (i % 20 - 10))::numeric)::text
  FROM generate_series(1, 300) i;

SELECT is_empty($$SELECT doc FROM docs WHERE scim._json_to_jsonb(doc) IS DISTINCT FROM doc::jsonb$$,
	'the jsonb built from a parsed tree is what jsonb_in makes of the text');
SELECT is_empty($$SELECT doc FROM docs WHERE scim._json_write(doc)::jsonb IS DISTINCT FROM doc::jsonb$$,
	'the text written from a parsed tree means what the text meant');
SELECT is_empty($$SELECT doc FROM docs WHERE scim._json_write(scim._json_write(doc)) <> scim._json_write(doc)$$,
	'writing is stable: what was written parses and writes back to the same text');
SELECT is_empty($$SELECT doc FROM docs WHERE scim._json_write(doc) ~ '[\x01-\x1f]'$$,
	'what is written has no raw control character');
SELECT is(scim._json_write('{"a":1,"a":2,"b":[true,false,null,-0.5E2]}'), '{"a":2,"b":[true,false,null,-0.5E2]}',
	'the last of duplicate keys wins; numbers keep their text');

-- strings, escaped exactly as PostgreSQL escapes them
SELECT is(scim._json_write(to_json(s)::text), to_json(s)::text,
	'every ASCII character is escaped as to_json() escapes it')
  FROM (SELECT string_agg(chr(c), '' ORDER BY c) AS s FROM generate_series(1, 127) c) x;
SELECT is(scim._json_write(to_json(s)::text), to_json(s)::text,
	'non-ASCII text is written as it is')
  FROM (VALUES ('été ✓ 😀 Ω ß 漢字')) v(s);
SELECT is(scim._json_write('"\u0041\u00e9\ud83d\ude00\/"'), '"Aé😀/"',
	'\u escapes and \/ are decoded; only what must be is escaped again');
SELECT throws_ok($$SELECT scim._json_write('"a\u0000"')$$, NULL, NULL, 'a \u0000 is refused');
SELECT throws_ok($$SELECT scim._json_to_jsonb('{"a": }')$$, NULL, NULL, 'a malformed document is refused');

-- timestamps: RFC 3339 in UTC, microseconds only when there are some
SELECT scim.tenant_create('pgtap09') \gset _
SELECT scim.user_create('pgtap09', '{"userName": "ts@example.com"}') ->> 'id' AS u \gset
CREATE FUNCTION pg_temp.created_as(t timestamptz, id text) RETURNS text
LANGUAGE sql AS $$
	UPDATE scim.users SET created = t, last_modified = t WHERE tenant_id = 'pgtap09';
	SELECT scim.user_get('pgtap09', id) -> 'meta' ->> 'created';
$$;
CREATE FUNCTION pg_temp.rfc3339(t timestamptz) RETURNS text
LANGUAGE sql AS $$
	SELECT regexp_replace(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '\.000000$', '') || 'Z'
$$;
SELECT is(pg_temp.created_as(t, :'u'), pg_temp.rfc3339(t), 'meta.created of ' || t::text)
  FROM (VALUES ('2024-01-02 03:04:05+00'::timestamptz), ('2024-01-02 03:04:05.000001+00'),
			   ('1999-12-31 23:59:59.999999+00'), ('2024-02-29 12:00:00.12+05:30'),
			   ('0001-01-01 00:00:00+00'), ('9999-12-31 23:59:59.5+00'),
			   ('10000-01-01 00:00:00+00')) v(t);

SELECT * FROM finish();
ROLLBACK;
