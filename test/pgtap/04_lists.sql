-- test/pgtap/04_lists.sql
--	  user_list / group_list: the ListResponse, paging edge cases
--	  (RFC 7644 §3.4.2.4), max_results, filters (case rules, LIKE
--	  metacharacters, deactivated users, logic), sorting and tenant
--	  isolation of every query.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(68);

-- the ids of a ListResponse, in order
CREATE FUNCTION pg_temp.rids(doc jsonb) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(r ->> 'id' ORDER BY n), '{}')
	  FROM jsonb_array_elements(COALESCE(doc -> 'Resources', '[]')) WITH ORDINALITY AS x(r, n)
$$;

-- the userNames of a ListResponse, in order
CREATE FUNCTION pg_temp.names(doc jsonb) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(COALESCE(r ->> 'userName', r ->> 'displayName') ORDER BY n), '{}')
	  FROM jsonb_array_elements(COALESCE(doc -> 'Resources', '[]')) WITH ORDINALITY AS x(r, n)
$$;

-- the number of resources on the page
CREATE FUNCTION pg_temp.n(doc jsonb) RETURNS int
LANGUAGE sql AS $$
	SELECT jsonb_array_length(COALESCE(doc -> 'Resources', '[]'))
$$;

-- the userNames matching filter in tenant t, sorted (order-independent checks)
CREATE FUNCTION pg_temp.match(t text, filter text) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(x ORDER BY x), '{}') FROM unnest(pg_temp.names(scim.user_list(t, filter))) x
$$;

SELECT scim.tenant_create('pgtap04') \gset _
SELECT scim.tenant_create('pgtap04_b') \gset _
SELECT scim.user_create('pgtap04', '{"userName": "amy", "externalId": "EXT-1",
	"emails": [{"value": "amy@work.example", "type": "work", "primary": true}]}') ->> 'id' AS amy \gset
SELECT scim.user_create('pgtap04', '{"userName": "Ben",
	"emails": [{"value": "ben@home.example", "type": "home"}]}') ->> 'id' AS ben \gset
SELECT scim.user_create('pgtap04', '{"userName": "cara"}') ->> 'id' AS cara \gset
SELECT scim.user_create('pgtap04', '{"userName": "dave"}') ->> 'id' AS dave \gset
SELECT scim.user_create('pgtap04', '{"userName": "Eli"}') ->> 'id' AS eli \gset
SELECT scim.user_create('pgtap04', '{"userName": "fay"}') ->> 'id' AS fay \gset
SELECT scim.user_create('pgtap04', '{"userName": "g_s"}') ->> 'id' AS gs \gset
SELECT scim.user_patch('pgtap04', :'dave', '{"Operations": [{"op": "replace", "path": "active", "value": false}]}') \gset _
SELECT scim.user_create('pgtap04_b', '{"userName": "amy"}') ->> 'id' AS amy_b \gset
SELECT scim.user_create('pgtap04_b', '{"userName": "zed"}') ->> 'id' AS zed_b \gset

CREATE TEMP TABLE all_users AS SELECT scim.user_list('pgtap04') AS doc;

-- ------------------------------------------------------------ the shape

SELECT is(doc -> 'schemas', '["urn:ietf:params:scim:api:messages:2.0:ListResponse"]'::jsonb,
		  'a list is a ListResponse') FROM all_users;
SELECT is(doc -> 'totalResults', '7'::jsonb, 'totalResults counts the tenant''s users') FROM all_users;
SELECT is(doc -> 'itemsPerPage', '7'::jsonb, 'itemsPerPage is the number on the page') FROM all_users;
SELECT is(doc -> 'startIndex', '1'::jsonb, 'startIndex defaults to 1') FROM all_users;
SELECT is((SELECT array_agg(x ORDER BY x) FROM unnest(pg_temp.rids(doc)) x),
		  (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY[:'amy', :'ben', :'cara', :'dave', :'eli', :'fay', :'gs']) x),
		  'the list holds exactly the tenant''s users') FROM all_users;
SELECT is((SELECT r -> 'active' FROM jsonb_array_elements(doc -> 'Resources') r WHERE r ->> 'id' = :'dave'),
		  'false'::jsonb, 'a deactivated user is listed, as inactive') FROM all_users;
SELECT is((SELECT r FROM jsonb_array_elements(doc -> 'Resources') r WHERE r ->> 'id' = :'amy'),
		  scim.user_get('pgtap04', :'amy'), 'a listed user is rendered as user_get renders it') FROM all_users;

-- -------------------------------------------------------------- paging

SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 1, 2)), 2, 'count limits the page');
SELECT is(scim.user_list('pgtap04', NULL, 1, 2) -> 'itemsPerPage', '2'::jsonb, 'itemsPerPage follows the page');
SELECT is(scim.user_list('pgtap04', NULL, 1, 2) -> 'totalResults', '7'::jsonb, 'totalResults ignores paging');
SELECT is(pg_temp.rids(scim.user_list('pgtap04', NULL, 0, 3)), pg_temp.rids(scim.user_list('pgtap04', NULL, 1, 3)),
		  'startIndex 0 is treated as 1');
SELECT is(scim.user_list('pgtap04', NULL, -5, 3) -> 'startIndex', '1'::jsonb, 'a negative startIndex is treated as 1');
SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 1, 0)), 0, 'count 0 returns no resources');
SELECT is(scim.user_list('pgtap04', NULL, 1, 0) -> 'totalResults', '7'::jsonb, 'count 0 still returns totalResults');
SELECT is(scim.user_list('pgtap04', NULL, 1, 0) -> 'itemsPerPage', '0'::jsonb, 'count 0 has itemsPerPage 0');
SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 1, -3)), 0, 'a negative count is treated as 0');
SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 100, 5)), 0, 'a startIndex past the end gives an empty page');
SELECT is(scim.user_list('pgtap04', NULL, 100, 5) -> 'totalResults', '7'::jsonb, 'with the full totalResults');
SELECT is(scim.user_list('pgtap04', NULL, 100, 5) -> 'startIndex', '100'::jsonb, 'and the startIndex asked for');
SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 6, 5)), 2, 'the last page holds what is left');
SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 7, 5)), 1, 'startIndex at the last resource returns it');
SELECT is(pg_temp.rids(scim.user_list('pgtap04', NULL, 1, 3)) || pg_temp.rids(scim.user_list('pgtap04', NULL, 4, 3))
		  || pg_temp.rids(scim.user_list('pgtap04', NULL, 7, 3)),
		  pg_temp.rids(scim.user_list('pgtap04')), 'consecutive pages cover the list once, in the same order');
SELECT is(pg_temp.rids(scim.user_list('pgtap04', NULL, 3, 2)), (pg_temp.rids(scim.user_list('pgtap04')))[3:4],
		  'startIndex is 1-based');

SELECT scim.tenant_configure('pgtap04', '{"max_results": 3}') \gset _
SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 1, 10)), 3, 'a count above max_results is capped');
SELECT is(pg_temp.n(scim.user_list('pgtap04')), 3, 'max_results is the default page size');
SELECT is(scim.user_list('pgtap04') -> 'totalResults', '7'::jsonb, 'a capped page still reports every result');
SELECT is(pg_temp.n(scim.user_list('pgtap04', NULL, 6, 10)), 2, 'the cap applies from any startIndex');
SELECT scim.tenant_configure('pgtap04', '{"max_results": null}') \gset _

-- ------------------------------------------------------------- filters

SELECT is(pg_temp.rids(scim.user_list('pgtap04', 'userName eq "AMY"')), ARRAY[:'amy'],
		  'userName eq compares case-insensitively');
SELECT is(pg_temp.rids(scim.user_list('pgtap04', 'USERNAME EQ "ben"')), ARRAY[:'ben'],
		  'attribute names and operators are case-insensitive');
SELECT is(pg_temp.rids(scim.user_list('pgtap04', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "cara"')), ARRAY[:'cara'],
		  'a URN-qualified attribute name works');
SELECT is(scim.user_list('pgtap04', 'userName eq "nobody"') -> 'totalResults', '0'::jsonb,
		  'a filter that matches nothing is an empty list, not an error');
SELECT is(pg_temp.n(scim.user_list('pgtap04', 'userName eq "nobody"')), 0, 'with no resources');
SELECT is(pg_temp.rids(scim.user_list('pgtap04', 'userName eq "dave"')), ARRAY[:'dave'],
		  'the IdP''s lookup by userName finds a deactivated user');
SELECT is(pg_temp.match('pgtap04', 'active eq false'), ARRAY['dave'], 'active eq false finds the deactivated user');
SELECT is(pg_temp.match('pgtap04', 'not (active eq true)'), ARRAY['dave'], 'not () negates');
SELECT is(pg_temp.match('pgtap04', 'userName sw "c"'), ARRAY['cara'], 'sw is a prefix match');
SELECT is(pg_temp.match('pgtap04', 'userName co "A"'), ARRAY['amy', 'cara', 'dave', 'fay'], 'co is a case-insensitive substring match');
SELECT is(pg_temp.match('pgtap04', 'userName ew "Y"'), ARRAY['amy', 'fay'], 'ew is a suffix match');
SELECT is(pg_temp.match('pgtap04', 'userName co "_"'), ARRAY['g_s'], '_ is not a wildcard in co');
SELECT is(pg_temp.match('pgtap04', 'userName co "%"'), '{}'::text[], '% is not a wildcard in co');
SELECT is(pg_temp.match('pgtap04', 'userName eq "amy" or userName eq "Ben"'), ARRAY['Ben', 'amy'], 'or');
SELECT is(pg_temp.match('pgtap04', 'userName sw "a" and active eq true'), ARRAY['amy'], 'and');
SELECT is(pg_temp.match('pgtap04', 'userName eq "dave" or userName eq "eli" and active eq false'), ARRAY['dave'],
		  'and binds tighter than or');
SELECT is(pg_temp.match('pgtap04', 'externalId eq "EXT-1"'), ARRAY['amy'], 'externalId matches exactly');
SELECT is(pg_temp.match('pgtap04', 'externalId eq "ext-1"'), '{}'::text[], 'externalId is caseExact');
SELECT is(pg_temp.match('pgtap04', 'emails[type eq "work"]'), ARRAY['amy'], 'a value-path filter on emails');
SELECT is(pg_temp.match('pgtap04', 'emails.value ew "EXAMPLE"'), ARRAY['Ben', 'amy'], 'a dotted emails filter');
SELECT is(pg_temp.match('pgtap04', 'emails pr'), ARRAY['Ben', 'amy'], 'pr finds users with emails');
SELECT is(pg_temp.match('pgtap04', format('id eq "%s"', :'fay')), ARRAY['fay'], 'id eq finds one user');
SELECT is(pg_temp.match('pgtap04', 'meta.lastModified gt "2000-01-01T00:00:00Z"'),
		  ARRAY['Ben', 'Eli', 'amy', 'cara', 'dave', 'fay', 'g_s'], 'meta.lastModified compares as a dateTime');

SELECT throws_ok($$SELECT scim.user_list('pgtap04', 'userName eq')$$, '42601', 'unexpected end of input at position 11, expected a value', 'a filter without a value is invalidFilter');
SELECT throws_ok($$SELECT scim.user_list('pgtap04', 'shoeSize eq "44"')$$, '42601', 'unknown attribute "shoeSize" in filter', 'an unknown attribute is invalidFilter');
SELECT throws_ok($$SELECT scim.user_list('pgtap04', 'active gt true')$$, '42601', 'operator "gt" is not supported for the boolean "active"', 'gt on a boolean is invalidFilter');
SELECT throws_ok($$SELECT scim.user_list('pgtap04', 'userName zz "a"')$$, '42601', 'unknown operator "zz" at position 9', 'an unknown operator is invalidFilter');

-- ------------------------------------------------------------ isolation

SELECT is(scim.user_list('pgtap04_b') -> 'totalResults', '2'::jsonb, 'another tenant sees only its own users');
SELECT is(pg_temp.rids(scim.user_list('pgtap04_b', 'userName eq "amy"')), ARRAY[:'amy_b'],
		  'the same userName in another tenant is that tenant''s user');
SELECT is(scim.user_list('pgtap04_b', 'userName eq "cara"') -> 'totalResults', '0'::jsonb,
		  'a filter never finds another tenant''s user');
SELECT is(scim.user_list('pgtap04_b', format('id eq "%s"', :'cara')) -> 'totalResults', '0'::jsonb,
		  'nor does an id filter');

-- --------------------------------------------------------------- sorting

SELECT is(pg_temp.names(scim.user_list('pgtap04', NULL, 1, NULL, 'userName')),
		  ARRAY['amy', 'Ben', 'cara', 'dave', 'Eli', 'fay', 'g_s'], 'sortBy userName sorts case-insensitively, ascending');
SELECT is(pg_temp.names(scim.user_list('pgtap04', NULL, 1, NULL, 'userName', 'descending')),
		  ARRAY['g_s', 'fay', 'Eli', 'dave', 'cara', 'Ben', 'amy'], 'sortOrder descending reverses');
SELECT is(pg_temp.names(scim.user_list('pgtap04', NULL, 2, 2, 'userName')), ARRAY['Ben', 'cara'],
		  'paging applies after sorting');
SELECT throws_ok($$SELECT scim.user_list('pgtap04', NULL, 1, NULL, 'userName', 'up')$$, '22023',
				 'sortOrder must be "ascending" or "descending", not "up"', 'an unknown sortOrder is refused');
SELECT throws_ok($$SELECT scim.user_list('pgtap04', NULL, 1, NULL, 'shoeSize')$$, '22023', 'unknown attribute "shoeSize" in sortBy',
				 'an unknown sortBy is invalidValue');

-- --------------------------------------------------------------- groups

SELECT scim.group_create('pgtap04', format('{"displayName": "Admins", "members": [{"value": "%s"}, {"value": "%s"}]}',
	:'amy', :'ben')::jsonb) ->> 'id' AS admins \gset
SELECT scim.group_create('pgtap04', '{"displayName": "Builders"}') ->> 'id' AS builders \gset
SELECT scim.group_create('pgtap04_b', '{"displayName": "Admins"}') ->> 'id' AS admins_b \gset

SELECT is(scim.group_list('pgtap04') -> 'totalResults', '2'::jsonb, 'group_list counts the tenant''s groups');
SELECT is(pg_temp.rids(scim.group_list('pgtap04', 'displayName eq "ADMINS"')), ARRAY[:'admins'],
		  'displayName eq compares case-insensitively and stays in the tenant');
SELECT is(jsonb_array_length(scim.group_list('pgtap04', 'displayName eq "Admins"') -> 'Resources' -> 0 -> 'members'), 2,
		  'a listed group carries its members');
SELECT is(pg_temp.rids(scim.group_list('pgtap04', format('members.value eq "%s"', :'ben'))), ARRAY[:'admins'],
		  'groups can be filtered by member');
SELECT is(pg_temp.n(scim.group_list('pgtap04', NULL, 2, 5)), 1, 'group lists page too');

SELECT * FROM finish();
ROLLBACK;
