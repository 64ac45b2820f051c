-- test/pgtap/03_groups.sql
--	  Groups through the SQL API: create and uniqueness, membership rules
--	  (create, PATCH add/remove/replace, Okta's filter remove, Entra's
--	  value-list remove, PUT), tenant isolation of members, system and app
--	  groups, app subgroup links, deactivated members, versions, delete.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(102);

CREATE FUNCTION pg_temp.ops(VARIADIC o jsonb[]) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:PatchOp"]'::jsonb,
							  'Operations', to_jsonb(o))
$$;

-- the member ids of a group document, sorted
CREATE FUNCTION pg_temp.mids(doc jsonb) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(m ->> 'value' ORDER BY m ->> 'value'), '{}')
	  FROM jsonb_array_elements(COALESCE(doc -> 'members', '[]')) m
$$;

-- sorted ids
CREATE FUNCTION pg_temp.ids(VARIADIC i text[]) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(x ORDER BY x), '{}') FROM unnest(i) x
$$;

CREATE FUNCTION pg_temp.member(id text, type text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object('value', id, 'type', type))
$$;

CREATE FUNCTION pg_temp.version(t text, g text) RETURNS text
LANGUAGE sql AS $$
	SELECT scim.group_get(t, g) -> 'meta' ->> 'version'
$$;

SELECT scim.tenant_create('pgtap03') \gset _
SELECT scim.tenant_create('pgtap03_b') \gset _
SELECT scim.user_create('pgtap03', '{"userName": "u1", "displayName": "User One"}') ->> 'id' AS u1 \gset
SELECT scim.user_create('pgtap03', '{"userName": "u2"}') ->> 'id' AS u2 \gset
SELECT scim.user_create('pgtap03', '{"userName": "u3"}') ->> 'id' AS u3 \gset
SELECT scim.user_create('pgtap03', '{"userName": "u4"}') ->> 'id' AS u4 \gset
SELECT scim.user_create('pgtap03_b', '{"userName": "ub"}') ->> 'id' AS ub \gset
SELECT scim.group_create('pgtap03_b', '{"displayName": "Other"}') ->> 'id' AS gb \gset

-- ------------------------------------------------------------------ create

CREATE TEMP TABLE eng AS
SELECT scim.group_create('pgtap03', format('{"displayName": "Engineering", "externalId": "okta-eng",
	"members": [{"value": "%s"}, {"value": "%s", "type": "User", "display": "ignored"}]}', :'u1', :'u2')::jsonb) AS doc;
SELECT doc ->> 'id' AS eng FROM eng \gset

SELECT matches(:'eng'::text, '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', 'a group gets a UUID id');
SELECT is(doc -> 'schemas', '["urn:ietf:params:scim:schemas:core:2.0:Group"]'::jsonb, 'the Group carries its schema') FROM eng;
SELECT is(doc ->> 'externalId', 'okta-eng', 'externalId is kept') FROM eng;
SELECT is(pg_temp.mids(doc), pg_temp.ids(:'u1', :'u2'), 'the initial members are set') FROM eng;
SELECT is((SELECT m FROM jsonb_array_elements(doc -> 'members') m WHERE m ->> 'value' = :'u1'),
		  jsonb_build_object('value', :'u1', 'type', 'User', 'display', 'User One',
							 '$ref', COALESCE(nullif(current_setting('scim.base_url', true), ''), '/scim/v2') || '/Users/' || :'u1'),
		  'a member shows value, type, $ref and display') FROM eng;
SELECT is(doc -> 'meta' ->> 'version', 'W/"1"', 'a new group is at version 1') FROM eng;
SELECT is((SELECT array_agg(DISTINCT source || '/' || member_type) FROM scim.members
		   WHERE tenant_id = 'pgtap03' AND group_id = :'eng'::uuid), ARRAY['scim/User'],
		  'membership is rows with source scim');
SELECT ok(scim.user_get('pgtap03', :'u1') -> 'groups' @>
		  jsonb_build_array(jsonb_build_object('value', :'eng', 'display', 'Engineering', 'type', 'direct')),
		  'the user lists the group in its groups');
SELECT lives_ok(format('SELECT scim.group_create(%L, %L)', 'pgtap03', format('{"displayName": "Typed", "members": [{"value": "%s", "type": "user"}]}', :'u4')),
				'members.type is caseExact false: "user" means User');
SELECT is(scim.group_create('pgtap03', '{"displayName": "Empty"}') -> 'members', '[]'::jsonb,
		  'a group without members has an empty member list');

SELECT throws_ok($$SELECT scim.group_create('pgtap03', '{"displayName": "ENGINEERING"}')$$, '23505',
				 'group displayName "ENGINEERING" is already in use', 'group displayName uniqueness is case-insensitive');
SELECT lives_ok($$SELECT scim.group_create('pgtap03_b', '{"displayName": "Engineering"}')$$,
				'the same displayName is free in another tenant');
SELECT throws_ok($$SELECT scim.group_create('pgtap03', '{"externalId": "x"}')$$, '22023',
				 'attribute "displayName" is required', 'displayName is required');
SELECT throws_ok($$SELECT scim.group_create('pgtap03', '{"displayName": "   "}')$$, '22023',
				 'displayName must not be blank', 'a blank displayName is refused');
SELECT throws_ok(format('SELECT scim.group_create(%L, %L)', 'pgtap03',
						format('{"displayName": "Leaky", "members": [{"value": "%s"}, {"value": "%s"}]}', :'u1', :'ub')),
				 '22023', format('member "%s" is not a user or group of this organization', :'ub'),
				 'a member from another tenant is refused');
SELECT is((SELECT count(*)::int FROM scim.groups WHERE tenant_id = 'pgtap03' AND display_name = 'Leaky'), 0,
		  'the refused create left no group');
SELECT throws_ok(format('SELECT scim.group_create(%L, %L)', 'pgtap03',
						format('{"displayName": "Leaky", "members": [{"value": "%s"}]}', :'gb')),
				 '22023', format('member "%s" is not a user or group of this organization', :'gb'),
				 'a group of another tenant cannot be a member');
SELECT throws_ok($$SELECT scim.group_create('pgtap03', '{"displayName": "Leaky", "members": [{"value": "abc"}]}')$$,
				 '22023', 'member "abc" is not a user or group of this organization', 'a non-UUID member is refused');
SELECT throws_ok(format('SELECT scim.group_create(%L, %L)', 'pgtap03',
						format('{"displayName": "Leaky", "members": [{"value": "%s", "type": "Group"}]}', :'u1')),
				 '22023', format('member "%s" is a User, not a Group', :'u1'), 'a member type that does not match is refused');
SELECT throws_ok($$SELECT scim.group_create('pgtap03', '{"displayName": "Leaky", "members": [{"type": "User"}]}')$$,
				 '22023', 'each value of "members" needs a "value"', 'a member needs a value');
SELECT is((SELECT count(*)::int FROM scim.groups WHERE tenant_id = 'pgtap03' AND display_name = 'Leaky'), 0,
		  'no refused create left a group');

-- ------------------------------------------------------- ids and isolation

SELECT throws_ok($$SELECT scim.group_get('pgtap03', 'eng')$$, 'P0002', 'group "eng" not found',
				 'a non-UUID group id is not found');
SELECT throws_ok(format('SELECT scim.group_get(%L, %L)', 'pgtap03', :'u1'), 'P0002',
				 format('group "%s" not found', :'u1'), 'a user id is not a group id');
SELECT throws_ok(format('SELECT scim.group_get(%L, %L)', 'pgtap03_b', :'eng'), 'P0002',
				 format('group "%s" not found', :'eng'), 'a group of tenant A is not found from tenant B');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03_b', :'eng',
						pg_temp.ops(jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'ub'))))),
				 'P0002', format('group "%s" not found', :'eng'), 'tenant B cannot PATCH a group of tenant A');
SELECT throws_ok(format('SELECT scim.group_replace(%L, %L, %L)', 'pgtap03_b', :'eng', '{"displayName": "Mine"}'),
				 'P0002', format('group "%s" not found', :'eng'), 'tenant B cannot PUT a group of tenant A');
SELECT throws_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap03_b', :'eng'),
				 'P0002', format('group "%s" not found', :'eng'), 'tenant B cannot DELETE a group of tenant A');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'eng',
						pg_temp.ops(jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'ub'))))),
				 '22023', format('operation 1: member "%s" is not a user or group of this organization', :'ub'),
				 'PATCH add of another tenant''s user is refused');
SELECT is(pg_temp.version('pgtap03', :'eng'), 'W/"1"', 'the group is untouched by all of that');

-- ------------------------------------------------------------- PATCH add

SELECT scim.user_get('pgtap03', :'u3') -> 'meta' ->> 'version' AS u3_v \gset

SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u3')))))),
		  pg_temp.ids(:'u1', :'u2', :'u3'), 'PATCH add adds a member');
SELECT is(pg_temp.version('pgtap03', :'eng'), 'W/"2"', 'adding a member moves the version');
SELECT isnt(scim.user_get('pgtap03', :'u3') -> 'meta' ->> 'version', :'u3_v',
			'the added user''s version moves too: its groups attribute changed');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'Add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u1'), pg_temp.member(:'u3')))))),
		  pg_temp.ids(:'u1', :'u2', :'u3'), 'adding present members changes nothing');
SELECT is(pg_temp.version('pgtap03', :'eng'), 'W/"2"', 'a no-op add keeps the version');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'eng', pg_temp.ops(
					jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u4'))),
					'{"op": "add", "path": "members", "value": [{"value": "00000000-0000-0000-0000-000000000001"}]}')),
				 '22023', 'operation 2: member "00000000-0000-0000-0000-000000000001" is not a user or group of this organization',
				 'an unknown member fails the whole PATCH');
SELECT is(pg_temp.mids(scim.group_get('pgtap03', :'eng')), pg_temp.ids(:'u1', :'u2', :'u3'),
		  'PATCH is atomic: the valid first add was not kept');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'eng', pg_temp.ops(
					jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'eng'))))),
				 '22023', 'operation 1: a group cannot be a member of itself', 'a group cannot contain itself');

-- --------------------------------------------------------- PATCH remove

SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'remove', 'path', format('members[value eq "%s"]', :'u1'))))),
		  pg_temp.ids(:'u2', :'u3'), 'Okta''s remove members[value eq "id"] removes that member only');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u1'), pg_temp.member(:'u4')))))),
		  pg_temp.ids(:'u1', :'u2', :'u3', :'u4'), 'several members are added at once');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'Remove', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u2'), pg_temp.member(:'u4')))))),
		  pg_temp.ids(:'u1', :'u3'), 'Entra''s remove with a value list removes only those listed');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'remove', 'path', format('members[value eq "%s" or value eq "%s"]', :'u1', :'u2'))))),
		  pg_temp.ids(:'u3'), 'an or-ed filter removes the listed members; non-members are ignored');
SELECT is(pg_temp.version('pgtap03', :'eng'), 'W/"6"', 'each effective PATCH moved the version once');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'remove', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u1')))))),
		  pg_temp.ids(:'u3'), 'removing a non-member changes nothing');
SELECT is(pg_temp.version('pgtap03', :'eng'), 'W/"6"', 'a no-op remove keeps the version');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u1'))),
			jsonb_build_object('op', 'remove', 'path', format('members[value eq "%s"]', :'u3')),
			jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u2')))))),
		  pg_temp.ids(:'u1', :'u2'), 'add, remove and add in one request apply in order');
SELECT is(pg_temp.version('pgtap03', :'eng'), 'W/"7"', 'one request is one version step');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'eng', pg_temp.ops(
					jsonb_build_object('op', 'replace', 'path', format('members[value eq "%s"].value', :'u1'), 'value', :'u3'))),
				 '55000', 'operation 1: attribute "members.value" is immutable: members are added and removed, not edited',
				 'a member''s value cannot be edited in place (immutable)');

-- -------------------------------------------------------- PATCH replace

SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'replace', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u3'), pg_temp.member(:'u4')))))),
		  pg_temp.ids(:'u3', :'u4'), 'replace members sets the exact member list');
CREATE TEMP TABLE eng_renamed AS
SELECT scim.group_patch('pgtap03', :'eng', pg_temp.ops(
	jsonb_build_object('op', 'replace', 'value', jsonb_build_object('displayName', 'R&D',
		'members', jsonb_build_array(pg_temp.member(:'u1')))))) AS doc;
SELECT is(doc ->> 'displayName', 'R&D', 'a path-less replace renames') FROM eng_renamed;
SELECT is(pg_temp.mids(doc), pg_temp.ids(:'u1'), 'and replaces the members in the same request') FROM eng_renamed;
SELECT is(doc -> 'meta' ->> 'version', 'W/"9"', 'rename and membership change are one version step') FROM eng_renamed;
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops('{"op": "replace", "path": "members", "value": []}'))),
		  '{}'::text[], 'replace members with [] clears them');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'eng', pg_temp.ops(
			jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u1'), pg_temp.member(:'u2'))),
			'{"op": "remove", "path": "members"}'))),
		  '{}'::text[], 'remove members without a filter removes them all');
SELECT scim.group_create('pgtap03', '{"displayName": "Sales"}') ->> 'id' AS sales \gset
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'eng', pg_temp.ops('{"op": "replace", "path": "displayName", "value": "SALES"}')),
				 '23505', 'group displayName "SALES" is already in use', 'renaming onto another group''s name is 409');
SELECT is(scim.group_patch('pgtap03', :'eng', pg_temp.ops('{"op": "replace", "path": "displayName", "value": "r&d"}')) ->> 'displayName',
		  'r&d', 'a group may change the case of its own name');

-- nested groups through SCIM
SELECT is(scim.group_patch('pgtap03', :'sales', pg_temp.ops(
			jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'eng', 'Group'))))) -> 'members',
		  jsonb_build_array(jsonb_build_object('value', :'eng', 'type', 'Group', 'display', 'r&d',
			'$ref', COALESCE(nullif(current_setting('scim.base_url', true), ''), '/scim/v2') || '/Groups/' || :'eng')),
		  'a group added through SCIM is a visible Group member');
SELECT is(scim.group_get('pgtap03', :'sales') -> 'meta' ->> 'version', 'W/"2"', 'adding a group member moves the version');

-- ------------------------------------------------------------------ PUT

SELECT scim.group_create('pgtap03', format('{"displayName": "Ops", "externalId": "e-ops",
	"members": [{"value": "%s"}, {"value": "%s"}]}', :'u1', :'u2')::jsonb) ->> 'id' AS ops \gset
CREATE TEMP TABLE ops_put AS
SELECT scim.group_replace('pgtap03', :'ops', format('{"displayName": "Operations", "members": [{"value": "%s"}, {"value": "%s"}]}',
	:'u2', :'u3')::jsonb) AS doc;
SELECT is(doc ->> 'displayName', 'Operations', 'PUT renames') FROM ops_put;
SELECT is(pg_temp.mids(doc), pg_temp.ids(:'u2', :'u3'), 'PUT sets the exact member list') FROM ops_put;
SELECT ok(NOT (doc ? 'externalId'), 'PUT clears an omitted externalId') FROM ops_put;
SELECT is(doc -> 'meta' ->> 'version', 'W/"2"', 'PUT is one version step') FROM ops_put;
SELECT is(scim.group_replace('pgtap03', :'ops', format('{"displayName": "Operations", "members": [{"value": "%s"}, {"value": "%s"}]}',
		  :'u3', :'u2')::jsonb) -> 'meta' ->> 'version', 'W/"2"', 'a PUT that changes nothing keeps the version');
SELECT is(pg_temp.mids(scim.group_replace('pgtap03', :'ops', '{"displayName": "Operations"}')), '{}'::text[],
		  'PUT without members empties the group (replace mode)');
SELECT throws_ok(format('SELECT scim.group_replace(%L, %L, %L)', 'pgtap03', :'ops',
						format('{"displayName": "Operations", "members": [{"value": "%s"}]}', :'ub')),
				 '22023', format('member "%s" is not a user or group of this organization', :'ub'),
				 'PUT with another tenant''s user is refused');
SELECT throws_ok(format('SELECT scim.group_replace(%L, %L, %L)', 'pgtap03', :'ops', '{"members": []}'),
				 '22023', 'attribute "displayName" is required', 'PUT without displayName is refused');
SELECT scim.tenant_configure('pgtap03', '{"put_mode": "merge"}') \gset _
SELECT scim.group_patch('pgtap03', :'ops', pg_temp.ops(
	jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u1'))))) \gset _
SELECT is(pg_temp.mids(scim.group_replace('pgtap03', :'ops', '{"displayName": "Ops Team"}')), pg_temp.ids(:'u1'),
		  'merge mode: PUT without members leaves the membership alone');
SELECT is(pg_temp.mids(scim.group_replace('pgtap03', :'ops', '{"displayName": "Ops Team", "members": []}')), pg_temp.ids(:'u1'),
		  'merge mode: PUT with an empty member list leaves the membership alone (Zulip)');
SELECT is(pg_temp.mids(scim.group_replace('pgtap03', :'ops', format('{"displayName": "Ops Team", "members": [{"value": "%s"}]}', :'u4')::jsonb)),
		  pg_temp.ids(:'u4'), 'merge mode: PUT with members sets them exactly');
SELECT scim.tenant_configure('pgtap03', '{"put_mode": null}') \gset _

-- ---------------------------------------- app subgroup links stay hidden

SELECT scim.group_create('pgtap03', format('{"displayName": "Parent", "members": [{"value": "%s"}]}', :'u1')::jsonb) ->> 'id' AS parent \gset
SELECT scim.group_create('pgtap03', '{"displayName": "Child"}') ->> 'id' AS child \gset
INSERT INTO scim.members (tenant_id, group_id, member_id, member_type, source)
VALUES ('pgtap03', :'parent', :'child', 'Group', 'app');

SELECT is(pg_temp.mids(scim.group_get('pgtap03', :'parent')), pg_temp.ids(:'u1'), 'an app subgroup link is not shown in members');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'parent', pg_temp.ops(
			jsonb_build_object('op', 'replace', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u2')))))),
		  pg_temp.ids(:'u2'), 'PATCH replace of members changes the visible members');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap03' AND group_id = :'parent'::uuid
			AND member_id = :'child'::uuid AND source = 'app'), 1, 'the app subgroup link survives a PATCH replace of members');
SELECT scim.group_patch('pgtap03', :'parent', pg_temp.ops('{"op": "remove", "path": "members"}')) \gset _
SELECT scim.group_replace('pgtap03', :'parent', '{"displayName": "Parent"}') \gset _
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap03' AND group_id = :'parent'::uuid
			AND member_id = :'child'::uuid), 1, 'and survives remove-all and a member-less PUT');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'parent', pg_temp.ops(
			jsonb_build_object('op', 'remove', 'path', format('members[value eq "%s"]', :'child'))))), '{}'::text[],
		  'removing the hidden link by id is a no-op for SCIM');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap03' AND group_id = :'parent'::uuid
			AND member_id = :'child'::uuid), 1, 'the hidden link is still there');

-- ----------------------------------------------- deactivated members

SELECT scim.group_create('pgtap03', format('{"displayName": "Support", "members": [{"value": "%s"}, {"value": "%s"}]}', :'u1', :'u2')::jsonb) ->> 'id' AS support \gset
SELECT scim.user_patch('pgtap03', :'u2', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) \gset _
SELECT is(pg_temp.mids(scim.group_get('pgtap03', :'support')), pg_temp.ids(:'u1'), 'a deactivated user is hidden from members');
SELECT is(scim.group_list('pgtap03', 'displayName eq "support"') -> 'Resources' -> 0 -> 'members',
		  jsonb_build_array(jsonb_build_object('value', :'u1', 'type', 'User', 'display', 'User One',
			'$ref', COALESCE(nullif(current_setting('scim.base_url', true), ''), '/scim/v2') || '/Users/' || :'u1')),
		  'and from members in a group listing');
SELECT is(scim.group_list('pgtap03', format('members.value eq "%s"', :'u2')) -> 'totalResults', '0'::jsonb,
		  'a filter on members.value does not see the hidden member either');
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'support', pg_temp.ops(
			jsonb_build_object('op', 'replace', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u3')))))),
		  pg_temp.ids(:'u3'), 'replacing members works on the visible ones');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap03' AND group_id = :'support'::uuid
			AND member_id = :'u2'::uuid), 1, 'the hidden deactivated member keeps its membership row');
SELECT scim.user_patch('pgtap03', :'u2', pg_temp.ops('{"op": "replace", "path": "active", "value": true}')) \gset _
SELECT is(pg_temp.mids(scim.group_get('pgtap03', :'support')), pg_temp.ids(:'u2', :'u3'), 'a reactivated user reappears');
SELECT scim.user_patch('pgtap03', :'u2', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) \gset _
SELECT scim.tenant_configure('pgtap03', '{"list_deactivated_members": true}') \gset _
SELECT is(pg_temp.mids(scim.group_get('pgtap03', :'support')), pg_temp.ids(:'u2', :'u3'),
		  'with list_deactivated_members a deactivated user is listed');
SELECT scim.tenant_configure('pgtap03', '{"list_deactivated_members": null}') \gset _

-- ---------------------------------------------- system and app groups

SELECT scim.group_create('pgtap03', format('{"displayName": "role:owners", "members": [{"value": "%s"}]}', :'u1')::jsonb) ->> 'id' AS sys \gset
UPDATE scim.groups SET managed_by = 'system' WHERE tenant_id = 'pgtap03' AND id = :'sys';
SELECT is(scim.group_get('pgtap03', :'sys') ->> 'displayName', 'role:owners', 'a system group is readable');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'sys',
						pg_temp.ops(jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u3'))))),
				 '55000', 'group "role:owners" is a system group and cannot be changed through SCIM',
				 'a system group cannot be patched');
SELECT throws_ok(format('SELECT scim.group_replace(%L, %L, %L)', 'pgtap03', :'sys', '{"displayName": "role:owners"}'),
				 '55000', 'group "role:owners" is a system group and cannot be changed through SCIM',
				 'a system group cannot be replaced');
SELECT throws_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap03', :'sys'),
				 '55000', 'group "role:owners" is a system group and cannot be changed through SCIM',
				 'a system group cannot be deleted');
SELECT is(pg_temp.mids(scim.group_get('pgtap03', :'sys')), pg_temp.ids(:'u1'), 'the system group is unchanged');

SELECT scim.group_create('pgtap03', '{"displayName": "App Made"}') ->> 'id' AS app \gset
UPDATE scim.groups SET managed_by = 'app' WHERE tenant_id = 'pgtap03' AND id = :'app';
SELECT is(pg_temp.mids(scim.group_patch('pgtap03', :'app', pg_temp.ops(
			jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'u1')))))),
		  pg_temp.ids(:'u1'), 'an app group is writable by default (scim_may_modify_app_groups)');
SELECT scim.tenant_configure('pgtap03', '{"scim_may_modify_app_groups": false}') \gset _
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'app', pg_temp.ops('{"op": "remove", "path": "members"}')),
				 '55000', 'group "App Made" belongs to the application and cannot be changed through SCIM',
				 'without scim_may_modify_app_groups an app group is read-only');
SELECT throws_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap03', :'app'),
				 '55000', 'group "App Made" belongs to the application and cannot be changed through SCIM',
				 'and cannot be deleted');
SELECT scim.tenant_configure('pgtap03', '{"scim_may_modify_app_groups": null}') \gset _

-- reserved prefixes
SELECT scim.tenant_configure('pgtap03', '{"reserved_group_prefixes": ["role:", "@"]}') \gset _
SELECT throws_ok($$SELECT scim.group_create('pgtap03', '{"displayName": "Role:admins"}')$$, '22023',
				 'group names may not start with "role:"', 'a reserved prefix is refused, case-insensitively');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap03', :'sales', pg_temp.ops('{"op": "replace", "path": "displayName", "value": "@sales"}')),
				 '22023', 'group names may not start with "@"', 'renaming to a reserved prefix is refused');

-- ---------------------------------------------------------------- delete

SELECT scim.group_create('pgtap03', format('{"displayName": "Doomed", "members": [{"value": "%s"}]}', :'u1')::jsonb) ->> 'id' AS doomed \gset
SELECT scim.group_patch('pgtap03', :'sales', pg_temp.ops(
	jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(pg_temp.member(:'doomed', 'Group'))))) \gset _
SELECT pg_temp.version('pgtap03', :'sales') AS sales_v \gset
SELECT lives_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap03', :'doomed'), 'DELETE removes a group');
SELECT throws_ok(format('SELECT scim.group_get(%L, %L)', 'pgtap03', :'doomed'), 'P0002',
				 format('group "%s" not found', :'doomed'), 'a deleted group is not found');
SELECT is(scim.user_get('pgtap03', :'u1') ->> 'id', :'u1', 'deleting a group does not delete its members');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap03'
			AND (group_id = :'doomed'::uuid OR member_id = :'doomed'::uuid)), 0,
		  'no membership row refers to the deleted group');
SELECT isnt(pg_temp.version('pgtap03', :'sales'), :'sales_v', 'the group that contained it moved to a new version');
SELECT ok(NOT pg_temp.mids(scim.group_get('pgtap03', :'sales')) @> ARRAY[:'doomed'], 'and no longer lists it');

-- deleting a user removes its memberships and moves its groups' versions
SELECT pg_temp.version('pgtap03', :'support') AS support_v \gset
SELECT scim.user_delete('pgtap03', :'u3') \gset _
SELECT is(pg_temp.mids(scim.group_get('pgtap03', :'support')), '{}'::text[], 'a deleted user leaves its groups');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap03' AND member_id = :'u3'::uuid), 0,
		  'no membership row refers to the deleted user');
SELECT isnt(pg_temp.version('pgtap03', :'support'), :'support_v', 'its groups moved to a new version');

SELECT scim.tenant_configure('pgtap03', '{"group_delete": "reject"}') \gset _
SELECT throws_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap03', :'sales'), '0A000',
				 'groups of this organization cannot be deleted through SCIM', 'group_delete reject refuses deletion');
SELECT is(scim.group_get('pgtap03', :'sales') ->> 'displayName', 'Sales', 'the group is still there');

SELECT * FROM finish();
ROLLBACK;
