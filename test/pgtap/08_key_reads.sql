-- test/pgtap/08_key_reads.sql
--	  The reads by a unique key that skip the executor (src/key_fetch.c):
--	  GET /Users/{id}, GET /Groups/{id} and the filter userName eq "..."
--	  alone must answer exactly what the SQL statements of the list
--	  (src/query.c) answer for the same resource, in the same tenant only,
--	  with what the transaction itself wrote, and after the tables change
--	  (a column's type included).
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(32);

-- a user as the SQL path answers it: "id eq" is not a key read
CREATE FUNCTION pg_temp.by_sql(t text, id text) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT scim.user_list(t, format('id eq "%s"', id)) -> 'Resources' -> 0
$$;

SELECT scim.tenant_create('pgtap08') \gset _
SELECT scim.tenant_create('pgtap08_b') \gset _
SELECT scim.user_create('pgtap08', '{"userName": "Ann.Lee@Example.com", "externalId": "x-1",
	"name": {"givenName": "Ann", "familyName": "Lee", "honorificPrefix": "Dr."},
	"emails": [{"value": "ann@example.com", "type": "work", "primary": true}],
	"title": "Chief \"Quoted\" Officer ✓", "role": "moderator"}') ->> 'id' AS ann \gset
SELECT scim.user_create('pgtap08', '{"userName": "solo"}') ->> 'id' AS solo \gset
SELECT scim.user_create('pgtap08_b', '{"userName": "ann.lee@example.com"}') ->> 'id' AS ann_b \gset
-- three groups, made in an order that is not their ids' order
SELECT scim.group_create('pgtap08', format('{"displayName": "Zeta \"ops\" ✓", "members": [{"value": "%s"}]}', :'ann')::jsonb) ->> 'id' AS g1 \gset
SELECT scim.group_create('pgtap08', format('{"displayName": "alpha", "members": [{"value": "%s"}]}', :'ann')::jsonb) ->> 'id' AS g2 \gset
SELECT scim.group_create('pgtap08', format('{"displayName": "Mid", "members": [{"value": "%s"}]}', :'ann')::jsonb) ->> 'id' AS g3 \gset
SELECT scim.group_create('pgtap08', '{"displayName": "Empty"}') ->> 'id' AS g4 \gset

-- ------------------------------------------------------------ by id

SELECT is(scim.user_get('pgtap08', :'ann'), pg_temp.by_sql('pgtap08', :'ann'),
		  'user_get answers what the list statement answers (groups, name, extension attributes)');
SELECT is(scim.user_get('pgtap08', :'solo'), pg_temp.by_sql('pgtap08', :'solo'),
		  'and so for a user in no group');
SELECT ok(NOT scim.user_get('pgtap08', :'solo') ? 'groups', 'a user in no group has no groups attribute');
SELECT is((SELECT array_agg(g ->> 'value') FROM jsonb_array_elements(scim.user_get('pgtap08', :'ann') -> 'groups') g),
		  (SELECT array_agg(x ORDER BY x::uuid) FROM unnest(ARRAY[:'g1', :'g2', :'g3']) x),
		  'groups come in id order');
SELECT is((SELECT g ->> 'display' FROM jsonb_array_elements(scim.user_get('pgtap08', :'ann') -> 'groups') g
			WHERE g ->> 'value' = :'g1'), 'Zeta "ops" ✓', 'a group''s display name keeps quotes and non-ASCII');
SELECT throws_ok(format('SELECT scim.user_get(%L, %L)', 'pgtap08_b', :'ann'), 'P0002',
				 format('user "%s" not found', :'ann'), 'another tenant''s user is not found by id');
SELECT throws_ok(format('SELECT scim.user_get(%L, %L)', 'pgtap08', :'ann' || '0'), 'P0002',
				 format('user "%s0" not found', :'ann'), 'an id that is no UUID is not found');
SELECT throws_ok($$SELECT scim.user_get('pgtap08', '')$$, 'P0002', NULL, 'an empty id is not found');

-- ------------------------------------------------------------ writes answer with the groups

SELECT is(scim.user_patch('pgtap08', :'ann', '{"Operations": [{"op": "replace", "path": "title", "value": "CEO"}]}') -> 'groups',
		  scim.user_get('pgtap08', :'ann') -> 'groups', 'a PATCH answers with the user''s groups');
SELECT is(scim.user_replace('pgtap08', :'ann', '{"userName": "Ann.Lee@Example.com", "title": "CTO"}') -> 'groups',
		  pg_temp.by_sql('pgtap08', :'ann') -> 'groups', 'so does a PUT');
SELECT ok(NOT scim.user_create('pgtap08', '{"userName": "fresh"}') ? 'groups', 'a new user is in no group');

-- ------------------------------------------------------------ groups by id

SELECT is(scim.group_get('pgtap08', :'g1'), scim.group_list('pgtap08', format('id eq "%s"', :'g1')) -> 'Resources' -> 0,
		  'group_get answers what the list statement answers');
SELECT throws_ok(format('SELECT scim.group_get(%L, %L)', 'pgtap08_b', :'g1'), 'P0002',
				 format('group "%s" not found', :'g1'), 'another tenant''s group is not found by id');

-- ------------------------------------------------------------ userName eq

SELECT is(scim.user_list('pgtap08', 'userName eq "ANN.LEE@EXAMPLE.COM"'),
		  scim.user_list('pgtap08', 'userName eq "ANN.LEE@EXAMPLE.COM" and userName pr'),
		  'userName eq alone answers what the list statements answer, case-insensitively');
SELECT is(scim.user_list('pgtap08', 'userName eq "ann.lee@example.com"') -> 'Resources' -> 0 ->> 'id', :'ann',
		  'the lookup finds the tenant''s own user');
SELECT is(scim.user_list('pgtap08_b', 'userName eq "Ann.Lee@Example.com"') -> 'Resources' -> 0 ->> 'id', :'ann_b',
		  'and the other tenant its own');
SELECT is(scim.user_list('pgtap08_b', 'userName eq "solo"') -> 'totalResults', '0'::jsonb,
		  'another tenant''s userName is not found');
SELECT is(scim.user_list('pgtap08', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "solo"') -> 'totalResults',
		  '1'::jsonb, 'the attribute may carry the core schema URN');
SELECT is(scim.user_list('pgtap08', 'userName eq "solo"', 2),
		  '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1,
			"itemsPerPage": 0, "startIndex": 2, "Resources": []}'::jsonb,
		  'startIndex past the one match: an empty page, the total still 1');
SELECT is(scim.user_list('pgtap08', 'userName eq "solo"', 1, 0) -> 'totalResults', '1'::jsonb,
		  'count=0: the total only');
SELECT is(scim.user_list('pgtap08', 'userName eq "solo"', 1, 0) -> 'Resources', '[]'::jsonb,
		  'count=0: no resources');
SELECT is(scim.user_list('pgtap08', 'userName eq ""') -> 'totalResults', '0'::jsonb,
		  'an empty userName matches nothing');
SELECT throws_ok($$SELECT scim.user_list('pgtap08', 'userName eq "solo"', 1, 10, 'nosuch')$$, '22023', NULL,
				 'an invalid sortBy is still an error with the lookup');
SELECT throws_ok($$SELECT scim.user_list('pgtap08', 'userName eq 5')$$, '42601', NULL,
				 'a number for userName is still invalidFilter');

-- ------------------------------------------------------------ the transaction's own writes

SELECT is(scim.user_get('pgtap08', scim.user_create('pgtap08', '{"userName": "same-statement"}') ->> 'id') ->> 'userName',
		  'same-statement', 'a user created earlier in the same statement is read');
SELECT scim.group_patch('pgtap08', :'g4', format('{"Operations": [{"op": "add", "path": "members", "value": [{"value": "%s"}]}]}', :'solo')::jsonb) \gset _
SELECT is(scim.user_get('pgtap08', :'solo') -> 'groups' -> 0 ->> 'display', 'Empty',
		  'a membership added by the transaction shows at once');
SELECT is(scim.group_get('pgtap08', :'g4') -> 'members' -> 0 ->> 'value', :'solo',
		  'and the group read sees it too');
SELECT scim.user_delete('pgtap08', :'solo') \gset _
SELECT is(scim.user_list('pgtap08', 'userName eq "solo"') -> 'totalResults', '0'::jsonb,
		  'a deleted user is not found by userName');

-- ------------------------------------------------------------ the tables change

ALTER TABLE scim.users ADD COLUMN pgtap08_extra int;
SELECT is(scim.user_get('pgtap08', :'ann'), pg_temp.by_sql('pgtap08', :'ann'),
		  'after ALTER TABLE scim.users the read finds its columns again');
ALTER TABLE scim.members ADD COLUMN pgtap08_extra int;
SELECT is(jsonb_array_length(scim.user_get('pgtap08', :'ann') -> 'groups'), 3,
		  'and so after ALTER TABLE scim.members');

ALTER TABLE scim.groups ADD COLUMN pgtap08_extra int;
SELECT is(scim.group_get('pgtap08', :'g1'), scim.group_list('pgtap08', format('id eq "%s"', :'g1')) -> 'Resources' -> 0,
		  'and so after ALTER TABLE scim.groups');

-- the row shape (src/resource_row.h) gives each column's type: a column of
-- another type is refused, never read as the type the renderers expect
ALTER TABLE scim.users ALTER COLUMN version TYPE numeric;
SELECT throws_ok(format('SELECT scim.user_get(%L, %L)', 'pgtap08', :'ann'), 'XX000',
				 'column version of users is of type numeric, not bigint',
				 'a column of another type than the row shape''s is refused');

SELECT * FROM finish();
ROLLBACK;
