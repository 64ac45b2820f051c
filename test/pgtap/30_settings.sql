-- test/pgtap/30_settings.sql
--	  Every tenant setting on its own (issue 11, docs/zulip.md): each is
--	  switched in a tenant of its own, where it must change exactly its
--	  own behaviour and nothing else, and its values are validated.  Then
--	  the zulip preset: the values it sets, what it leaves alone, and each
--	  of its rules overridden one by one.  Last, the user rules in depth
--	  (events, versions, what an email or a name is, users created before
--	  a rule was tightened) and the zulip preset end to end.  Defaults:
--	  01_tenants_tokens.sql.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(168);

CREATE FUNCTION pg_temp.ops(VARIADIC o jsonb[]) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:PatchOp"]'::jsonb,
							  'Operations', to_jsonb(o))
$$;

-- the change feed's actions on one resource, in order
CREATE FUNCTION pg_temp.actions(t text, id text) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(action ORDER BY seq), '{}') FROM scim.events
	 WHERE tenant_id = t AND resource_id = id::uuid
$$;

-- the effective settings of a tenant
CREATE FUNCTION pg_temp.eff(t text) RETURNS jsonb
LANGUAGE sql AS $$ SELECT scim.tenant_configure(t, '{}') $$;

-- a group the application made (managed_by app or system), with user members
CREATE FUNCTION pg_temp.app_group(t text, name text, managed text, VARIADIC members text[] DEFAULT '{}')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	g uuid := gen_random_uuid();
BEGIN
	INSERT INTO scim.groups (tenant_id, id, display_name, managed_by) VALUES (t, g, name, managed);
	INSERT INTO scim.members (tenant_id, group_id, member_id, member_type, source)
	SELECT t, g, m::uuid, 'User', 'app' FROM unnest(members) m;
	RETURN g::text;
END
$$;

-- the member ids of a group document, sorted
CREATE FUNCTION pg_temp.mids(doc jsonb) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(m ->> 'value' ORDER BY m ->> 'value'), '{}')
	  FROM jsonb_array_elements(COALESCE(doc -> 'members', '[]')) m
$$;

-- one HTTP request through scim_api.handle: the status
CREATE FUNCTION pg_temp.http_status(p_method text, p_uri text, p_auth text, p_body text)
RETURNS int LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('request.headers', jsonb_build_object(
		'x-scim-method', p_method, 'x-scim-uri', p_uri, 'x-scim-authorization', p_auth,
		'x-scim-content-type', 'application/scim+json')::text, true);
	PERFORM set_config('response.status', '', true);
	PERFORM scim_api.handle(convert_to(p_body, 'UTF8'));
	RETURN nullif(current_setting('response.status', true), '')::int;
END
$$;

-- a Zulip-preset rule, its default and its Zulip value
CREATE TEMP TABLE zulip_rules (name text PRIMARY KEY, dflt jsonb, zulip jsonb);
INSERT INTO zulip_rules VALUES
	('username_is_email', 'false', 'true'),
	('require_name', 'false', 'true'),
	('allow_create_inactive', 'true', 'false'),
	('put_mode', '"replace"', '"merge"'),
	('user_delete', '"delete"', '"reject"'),
	('list_deactivated_members', 'false', 'false'),
	('reserved_group_prefixes', '[]', '["@", "role:", "user:", "stream:", "channel:"]'),
	('max_group_name_length', '0', '100');

-- ------------------------------------------------------------- the catalogue

SELECT scim.tenant_create('pgtap30_plain') \gset _
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.eff('pgtap30_plain')) k),
		  ARRAY['allow_create_inactive', 'bulk_max_operations', 'default_role', 'group_delete',
				'list_deactivated_members', 'max_group_name_length', 'max_multi_values', 'max_payload_bytes', 'max_results',
				'notify', 'preset', 'protect_last_owner', 'put_mode', 'require_name',
				'reserved_group_prefixes', 'roles', 'scim_may_modify_app_groups', 'user_delete',
				'username_is_email'],
		  'every setting is tested in this file (a new setting needs its section here)');
SELECT is((SELECT settings FROM scim.tenants WHERE tenant_id = 'pgtap30_plain'), '{}'::jsonb,
		  'a plain tenant stores no settings');

-- ------------------------------------------------------------------ preset

SELECT is(pg_temp.eff('pgtap30_plain') -> 'preset', '"none"', 'preset: "none" by default');
SELECT scim.tenant_create('pgtap30_preset', '{"preset": "zulip"}') \gset _
SELECT is((SELECT settings FROM scim.tenants WHERE tenant_id = 'pgtap30_preset'), '{"preset": "zulip"}'::jsonb,
		  'preset: only the preset itself is stored');
SELECT is((SELECT count(*)::int FROM zulip_rules z WHERE pg_temp.eff('pgtap30_preset') -> z.name = z.zulip),
		  (SELECT count(*)::int FROM zulip_rules), 'preset: every Zulip rule takes its Zulip value');
SELECT is(pg_temp.eff('pgtap30_preset') - (SELECT array_agg(name) FROM zulip_rules) - 'preset',
		  pg_temp.eff('pgtap30_plain') - (SELECT array_agg(name) FROM zulip_rules) - 'preset',
		  'preset: every other setting keeps its default');
SELECT throws_ok($$SELECT scim.tenant_create('pgtap30_bad', '{"preset": "slack"}')$$, '22023',
				 'setting "preset" must be one of "none", "zulip"', 'preset: unknown presets are refused');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_plain', '{"preset": true}')$$, '22023',
				 'setting "preset" must be one of "none", "zulip"', 'preset: must be a string');

-- each rule of the preset overridden on its own: that one is back to its
-- default, the others keep their Zulip values
CREATE FUNCTION pg_temp.override_mismatches() RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	e jsonb;
	bad text[] := '{}';
BEGIN
	FOR r IN SELECT * FROM zulip_rules WHERE dflt <> zulip LOOP
		PERFORM scim.tenant_create('pgtap30_ov_' || r.name,
								   jsonb_build_object('preset', 'zulip', r.name, r.dflt));
		e := pg_temp.eff('pgtap30_ov_' || r.name);
		IF e -> r.name <> r.dflt THEN
			bad := bad || (r.name || ' not overridden');
		END IF;
		bad := bad || ARRAY(SELECT r.name || ' changed ' || z.name FROM zulip_rules z
							 WHERE z.name <> r.name AND e -> z.name <> z.zulip);
	END LOOP;
	RETURN bad;
END
$$;
SELECT is(pg_temp.override_mismatches(), '{}'::text[], 'preset: each rule can be overridden on its own');

-- an explicit setting wins over the preset, whichever came first
SELECT scim.tenant_create('pgtap30_order', '{"put_mode": "replace"}') \gset _
SELECT is(scim.tenant_configure('pgtap30_order', '{"preset": "zulip"}') -> 'put_mode', '"replace"',
		  'preset: a setting made before the preset still wins');
SELECT is(pg_temp.eff('pgtap30_order') -> 'user_delete', '"reject"', 'preset: and the rest of the preset applies');
SELECT is(scim.tenant_configure('pgtap30_order', '{"preset": null}') -> 'user_delete', '"delete"',
		  'preset: null switches it off again');
SELECT is(pg_temp.eff('pgtap30_order') -> 'put_mode', '"replace"', 'preset: the explicit setting stays');

-- the preset's rules in action (one statement each; the HTTP suite has the rest)
SELECT scim.user_create('pgtap30_preset', '{"userName": "iago@zulip.example", "name": {"formatted": "Iago"}}') ->> 'id' AS p_iago \gset
SELECT throws_ok($$SELECT scim.user_create('pgtap30_preset', '{"userName": "iago", "name": {"formatted": "Iago"}}')$$,
				 '22023', 'userName "iago" is not a valid email address', 'preset in action: userName is an email');
SELECT throws_ok($$SELECT scim.group_create('pgtap30_preset', '{"displayName": "channel:general"}')$$,
				 '22023', 'group names may not start with "channel:"', 'preset in action: channel: is reserved');
SELECT throws_ok(format('SELECT scim.group_create(%L, %L)', 'pgtap30_preset', jsonb_build_object('displayName', repeat('g', 101))),
				 '22023', 'group names may not be longer than 100 characters', 'preset in action: 100 characters at most');
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap30_preset', :'p_iago'), '0A000',
				 'users of this organization cannot be deleted: deactivate them by setting "active" to false',
				 'preset in action: DELETE is refused');

-- ------------------------------------------------------------------- roles

SELECT scim.tenant_create('pgtap30_roles', '{"roles": ["owner", "member", "staff"]}') \gset _
SELECT is(scim.user_create('pgtap30_roles', '{"userName": "s", "role": "staff"}') ->> 'role', 'staff',
		  'roles: a custom role is accepted');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_roles', '{"userName": "g", "role": "guest"}')$$, '22023',
				 'role "guest" is not one of this organization''s roles: owner, member, staff',
				 'roles: a role outside the list is refused, naming the list');
SELECT is(scim.user_create('pgtap30_roles', '{"userName": "plain"}') ->> 'role', 'member',
		  'roles: alone, the default role still applies');
SELECT lives_ok($$SELECT scim.user_create('pgtap30_roles', '{"userName": "not-an-email", "active": false}')$$,
				'roles: alone, no other rule is switched on');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_roles', '{"roles": ["owner", "staff"]}')$$, '22023',
				 'default_role "member" is not one of the tenant''s roles', 'roles: must keep the default role');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_roles', '{"roles": "owner"}')$$, '22023',
				 'setting "roles" must be an array of strings', 'roles: must be an array');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_roles', '{"roles": ["owner", 1]}')$$, '22023',
				 'setting "roles" must be an array of non-empty strings', 'roles: of strings');

-- ------------------------------------------------------------ default_role

SELECT scim.tenant_create('pgtap30_defrole', '{"default_role": "guest"}') \gset _
SELECT scim.user_create('pgtap30_defrole', '{"userName": "gus", "title": "Visitor"}') ->> 'id' AS gus \gset
SELECT is(scim.user_get('pgtap30_defrole', :'gus') ->> 'role', 'guest', 'default_role: applies to users created without a role');
SELECT is(scim.user_create('pgtap30_defrole', '{"userName": "mod", "role": "moderator"}') ->> 'role', 'moderator',
		  'default_role: an explicit role wins');
SELECT is(scim.user_replace('pgtap30_defrole', :'gus', '{"userName": "gus", "role": "member"}') ->> 'role', 'member',
		  'default_role: PUT may set another role');
SELECT is(scim.user_replace('pgtap30_defrole', :'gus', '{"userName": "gus"}') ->> 'role', 'member',
		  'default_role: a PUT without role keeps the role, it does not reset it to the default');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_defrole', '{"default_role": "emperor"}')$$, '22023',
				 'default_role "emperor" is not one of the tenant''s roles', 'default_role: must be one of the roles');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_defrole', '{"default_role": ""}')$$, '22023',
				 'setting "default_role" must be a non-empty string', 'default_role: a non-empty string');

-- ------------------------------------------------------ protect_last_owner

SELECT is(pg_temp.eff('pgtap30_plain') -> 'protect_last_owner', 'true', 'protect_last_owner: on by default');
SELECT scim.user_create('pgtap30_plain', '{"userName": "queen", "role": "owner"}') ->> 'id' AS queen \gset
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap30_plain', :'queen',
				 pg_temp.ops('{"op": "replace", "path": "active", "value": false}')), '55000',
				 'cannot deactivate the organization''s last active owner', 'protect_last_owner: the last owner stays active');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap30_plain', :'queen',
				 pg_temp.ops('{"op": "replace", "path": "role", "value": "member"}')), '55000',
				 'cannot demote the organization''s last active owner', 'protect_last_owner: and stays owner');
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap30_plain', :'queen'), '55000',
				 'cannot delete the organization''s last active owner', 'protect_last_owner: and is not deleted');
SELECT scim.user_create('pgtap30_plain', '{"userName": "king", "role": "owner"}') ->> 'id' AS king \gset
SELECT is(scim.user_patch('pgtap30_plain', :'queen', pg_temp.ops('{"op": "replace", "path": "role", "value": "member"}')) ->> 'role',
		  'member', 'protect_last_owner: with a second owner, one may be demoted');
SELECT scim.tenant_create('pgtap30_owner', '{"protect_last_owner": false}') \gset _
SELECT scim.user_create('pgtap30_owner', '{"userName": "solo", "role": "owner"}') ->> 'id' AS solo \gset
SELECT is(scim.user_patch('pgtap30_owner', :'solo', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) -> 'active',
		  'false'::jsonb, 'protect_last_owner false: the last owner may be deactivated (as in Zulip)');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_owner', '{"protect_last_owner": 0}')$$, '22023',
				 'setting "protect_last_owner" must be a boolean', 'protect_last_owner: a boolean');

-- ------------------------------------------------------------- user_delete

SELECT scim.user_create('pgtap30_plain', '{"userName": "gone"}') ->> 'id' AS gone \gset
SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap30_plain', :'gone'), 'user_delete: "delete" by default');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap30_plain' AND user_name = 'gone'), 0,
		  'user_delete delete: the row is gone');
SELECT lives_ok($$SELECT scim.user_create('pgtap30_plain', '{"userName": "GONE"}')$$, 'user_delete delete: the userName is free again');
SELECT scim.tenant_create('pgtap30_udeact', '{"user_delete": "deactivate"}') \gset _
SELECT scim.user_create('pgtap30_udeact', '{"userName": "sleepy"}') ->> 'id' AS sleepy \gset
SELECT scim.user_delete('pgtap30_udeact', :'sleepy') \gset _
SELECT is(scim.user_get('pgtap30_udeact', :'sleepy') -> 'active', 'false'::jsonb, 'user_delete deactivate: the user stays, inactive');
SELECT scim.tenant_create('pgtap30_ureject', '{"user_delete": "reject"}') \gset _
SELECT scim.user_create('pgtap30_ureject', '{"userName": "stay"}') ->> 'id' AS stay \gset
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap30_ureject', :'stay'), '0A000',
				 'users of this organization cannot be deleted: deactivate them by setting "active" to false',
				 'user_delete reject: DELETE is refused and says to use active');
SELECT is(scim.user_get('pgtap30_ureject', :'stay') -> 'active', 'true'::jsonb, 'user_delete reject: the user is untouched');
SELECT is(pg_temp.actions('pgtap30_ureject', :'stay'), ARRAY['created'], 'user_delete reject: and no event was recorded');
SELECT throws_ok($$SELECT scim.user_delete('pgtap30_ureject', 'nope')$$, 'P0002', 'user "nope" not found',
				 'user_delete reject: an unknown id is still not found');
SELECT lives_ok($$SELECT scim.user_create('pgtap30_ureject', '{"userName": "x", "active": false}')$$,
				'user_delete: alone, no other rule is switched on');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_ureject', '{"user_delete": "archive"}')$$, '22023',
				 'setting "user_delete" must be one of "delete", "deactivate", "reject"', 'user_delete: one of three');

-- ------------------------------------------------------------ group_delete

SELECT scim.group_create('pgtap30_plain', '{"displayName": "Doomed"}') ->> 'id' AS doomed \gset
SELECT lives_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap30_plain', :'doomed'), 'group_delete: "delete" by default');
SELECT throws_ok(format('SELECT scim.group_get(%L, %L)', 'pgtap30_plain', :'doomed'), 'P0002',
				 format('group "%s" not found', :'doomed'), 'group_delete delete: the group is gone');
SELECT scim.tenant_create('pgtap30_greject', '{"group_delete": "reject"}') \gset _
SELECT scim.group_create('pgtap30_greject', '{"displayName": "Kept"}') ->> 'id' AS kept \gset
SELECT throws_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap30_greject', :'kept'), '0A000',
				 'groups of this organization cannot be deleted through SCIM', 'group_delete reject: DELETE is refused');
SELECT is(scim.group_get('pgtap30_greject', :'kept') ->> 'displayName', 'Kept', 'group_delete reject: the group stays');
SELECT lives_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap30_greject', :'kept',
				pg_temp.ops('{"op": "replace", "path": "displayName", "value": "Kept too"}')),
				'group_delete reject: the group can still be changed');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_greject', '{"group_delete": "deactivate"}')$$, '22023',
				 'setting "group_delete" must be one of "delete", "reject"', 'group_delete: one of two');

-- ------------------------------------------------ list_deactivated_members

SELECT scim.user_create('pgtap30_plain', '{"userName": "ann"}') ->> 'id' AS ann \gset
SELECT scim.user_create('pgtap30_plain', '{"userName": "bob"}') ->> 'id' AS bob \gset
SELECT scim.group_create('pgtap30_plain', format('{"displayName": "Team", "members": [{"value": "%s"}, {"value": "%s"}]}',
	:'ann', :'bob')::jsonb) ->> 'id' AS team \gset
SELECT scim.user_patch('pgtap30_plain', :'bob', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) \gset _
SELECT is(pg_temp.mids(scim.group_get('pgtap30_plain', :'team')), ARRAY[:'ann'],
		  'list_deactivated_members false (default): a deactivated member is hidden');
SELECT is(pg_temp.mids(scim.group_list('pgtap30_plain', 'displayName eq "Team"') -> 'Resources' -> 0), ARRAY[:'ann'],
		  'list_deactivated_members false: also in lists');
SELECT is(pg_temp.mids(scim.group_patch('pgtap30_plain', :'team',
		  pg_temp.ops(format('{"op": "replace", "path": "members", "value": [{"value": "%s"}]}', :'ann')::jsonb))), ARRAY[:'ann'],
		  'list_deactivated_members false: replacing the members sees only the visible ones');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap30_plain' AND group_id = :'team'::uuid
		   AND member_id = :'bob'::uuid), 1, 'list_deactivated_members false: so the hidden membership survives');
SELECT scim.user_patch('pgtap30_plain', :'bob', pg_temp.ops('{"op": "replace", "path": "active", "value": true}')) \gset _
SELECT is(pg_temp.mids(scim.group_get('pgtap30_plain', :'team')), (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY[:'ann', :'bob']) x),
		  'list_deactivated_members false: the member returns on reactivation');
SELECT scim.tenant_create('pgtap30_listdeact', '{"list_deactivated_members": true}') \gset _
SELECT scim.user_create('pgtap30_listdeact', '{"userName": "cy"}') ->> 'id' AS cy \gset
SELECT scim.group_create('pgtap30_listdeact', format('{"displayName": "Team", "members": [{"value": "%s"}]}', :'cy')::jsonb) ->> 'id' AS team2 \gset
SELECT scim.user_patch('pgtap30_listdeact', :'cy', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) \gset _
SELECT is(pg_temp.mids(scim.group_get('pgtap30_listdeact', :'team2')), ARRAY[:'cy'],
		  'list_deactivated_members true: the deactivated member is listed');
SELECT is(pg_temp.mids(scim.group_patch('pgtap30_listdeact', :'team2', pg_temp.ops('{"op": "replace", "path": "members", "value": []}'))),
		  '{}'::text[], 'list_deactivated_members true: and can be removed');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_listdeact', '{"list_deactivated_members": "yes"}')$$, '22023',
				 'setting "list_deactivated_members" must be a boolean', 'list_deactivated_members: a boolean');

-- ---------------------------------------------- scim_may_modify_app_groups

SELECT pg_temp.app_group('pgtap30_plain', 'Made by the app', 'app', :'ann') AS appg \gset
SELECT is(pg_temp.mids(scim.group_patch('pgtap30_plain', :'appg',
		  pg_temp.ops(format('{"op": "add", "path": "members", "value": [{"value": "%s"}]}', :'bob')::jsonb))),
		  (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY[:'ann', :'bob']) x),
		  'scim_may_modify_app_groups true (default): SCIM may change app groups');
SELECT scim.tenant_create('pgtap30_appro', '{"scim_may_modify_app_groups": false}') \gset _
SELECT scim.user_create('pgtap30_appro', '{"userName": "dee"}') ->> 'id' AS dee \gset
SELECT pg_temp.app_group('pgtap30_appro', 'Made by the app', 'app', :'dee') AS appg2 \gset
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap30_appro', :'appg2',
				 pg_temp.ops('{"op": "replace", "path": "displayName", "value": "Mine now"}')), '55000',
				 'group "Made by the app" belongs to the application and cannot be changed through SCIM',
				 'scim_may_modify_app_groups false: PATCH of an app group is refused');
SELECT throws_ok(format('SELECT scim.group_replace(%L, %L, %L)', 'pgtap30_appro', :'appg2', '{"displayName": "Mine now"}'), '55000',
				 'group "Made by the app" belongs to the application and cannot be changed through SCIM',
				 'scim_may_modify_app_groups false: so is PUT');
SELECT throws_ok(format('SELECT scim.group_delete(%L, %L)', 'pgtap30_appro', :'appg2'), '55000',
				 'group "Made by the app" belongs to the application and cannot be changed through SCIM',
				 'scim_may_modify_app_groups false: and DELETE');
SELECT is(pg_temp.mids(scim.group_get('pgtap30_appro', :'appg2')), ARRAY[:'dee'],
		  'scim_may_modify_app_groups false: the app group is still readable');
SELECT lives_ok($$SELECT scim.group_create('pgtap30_appro', '{"displayName": "Made by SCIM"}')$$,
				'scim_may_modify_app_groups false: SCIM groups are unaffected');
SELECT pg_temp.app_group('pgtap30_plain', 'role:owners', 'system') AS sysg \gset
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap30_plain', :'sysg',
				 pg_temp.ops('{"op": "replace", "path": "displayName", "value": "owners"}')), '55000',
				 'group "role:owners" is a system group and cannot be changed through SCIM',
				 'system groups are read-only whatever the setting');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_appro', '{"scim_may_modify_app_groups": null, "notify": "off"}')$$, '22023',
				 'setting "notify" must be a boolean', 'a bad value refuses the whole change');
SELECT is(pg_temp.eff('pgtap30_appro') -> 'scim_may_modify_app_groups', 'false', 'and nothing of it was stored');

-- ---------------------------------------------------------------- put_mode

SELECT scim.user_create('pgtap30_plain', '{"userName": "ed", "title": "Editor", "name": {"formatted": "Ed Itor"}, "role": "moderator"}') ->> 'id' AS ed \gset
SELECT scim.user_replace('pgtap30_plain', :'ed', '{"userName": "ed", "active": false}') AS ed_put \gset
SELECT ok(NOT (:'ed_put'::jsonb ? 'title') AND NOT (:'ed_put'::jsonb ? 'name'),
		  'put_mode replace (default): omitted attributes are cleared');
SELECT is(:'ed_put'::jsonb ->> 'role', 'moderator', 'put_mode replace: role is kept when omitted');
SELECT is(scim.user_replace('pgtap30_plain', :'ed', '{"userName": "ed"}') -> 'active', 'false'::jsonb,
		  'put_mode replace: active is kept when omitted');
SELECT is(pg_temp.mids(scim.group_replace('pgtap30_plain', :'team', '{"displayName": "Team"}')), '{}'::text[],
		  'put_mode replace: a group PUT without members empties the group');
SELECT scim.tenant_create('pgtap30_merge', '{"put_mode": "merge"}') \gset _
SELECT scim.user_create('pgtap30_merge', '{"userName": "fay", "title": "Editor", "name": {"formatted": "Fay Merge"}}') ->> 'id' AS fay \gset
SELECT scim.user_replace('pgtap30_merge', :'fay', '{"userName": "fay", "active": false}') AS fay_put \gset
SELECT is(:'fay_put'::jsonb ->> 'title', 'Editor', 'put_mode merge: omitted attributes are kept');
SELECT is(:'fay_put'::jsonb -> 'name' ->> 'formatted', 'Fay Merge', 'put_mode merge: the name too');
SELECT is(:'fay_put'::jsonb -> 'active', 'false'::jsonb, 'put_mode merge: sent attributes change');
SELECT scim.user_create('pgtap30_merge', '{"userName": "gil"}') ->> 'id' AS gil \gset
SELECT scim.group_create('pgtap30_merge', format('{"displayName": "Crew", "members": [{"value": "%s"}]}', :'gil')::jsonb) ->> 'id' AS crew \gset
SELECT is(pg_temp.mids(scim.group_replace('pgtap30_merge', :'crew', '{"displayName": "Crew 2", "members": []}')), ARRAY[:'gil'],
		  'put_mode merge: a group PUT with an empty member list keeps the members');
SELECT is(scim.group_get('pgtap30_merge', :'crew') ->> 'displayName', 'Crew 2', 'put_mode merge: and renames');
SELECT lives_ok($$SELECT scim.user_create('pgtap30_merge', '{"userName": "no-email", "active": false}')$$,
				'put_mode: alone, no other rule is switched on');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_merge', '{"put_mode": "patch"}')$$, '22023',
				 'setting "put_mode" must be one of "replace", "merge"', 'put_mode: one of two');

-- ------------------------------------------------------------- max_results

SELECT scim.tenant_create('pgtap30_maxres', '{"max_results": 2}') \gset _
SELECT count(scim.user_create('pgtap30_maxres', jsonb_build_object('userName', 'u' || i))) FROM generate_series(1, 3) i \gset _
SELECT is(scim.user_list('pgtap30_maxres') -> 'itemsPerPage', '2'::jsonb, 'max_results: the default page size');
SELECT is(scim.user_list('pgtap30_maxres', NULL, 1, 50) -> 'itemsPerPage', '2'::jsonb, 'max_results: caps count');
SELECT is(scim.user_list('pgtap30_maxres', NULL, 1, 50) -> 'totalResults', '3'::jsonb, 'max_results: totalResults is all');
SELECT is(scim.user_list('pgtap30_maxres', NULL, 3, 50) -> 'itemsPerPage', '1'::jsonb, 'max_results: later pages reach the rest');
SELECT is(pg_temp.eff('pgtap30_plain') -> 'max_results', '200'::jsonb, 'max_results: 200 by default');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_maxres', '{"max_results": 0}')$$, '22023',
				 'setting "max_results" must be an integer between 1 and 10000', 'max_results: at least 1');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_maxres', '{"max_results": 2.5}')$$, '22023',
				 'setting "max_results" must be an integer between 1 and 10000', 'max_results: an integer');

-- ----------------------------------------------------- bulk_max_operations

SELECT scim.tenant_create('pgtap30_bulk', '{"bulk_max_operations": 2}') \gset _
CREATE FUNCTION pg_temp.bulk_of(n int) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]'::jsonb,
		'Operations', jsonb_agg(jsonb_build_object('method', 'POST', 'path', '/Users', 'bulkId', 'b' || i,
			'data', jsonb_build_object('userName', 'bulk' || i || '-' || n))))
	FROM generate_series(1, n) i
$$;
SELECT lives_ok($$SELECT scim.bulk('pgtap30_bulk', pg_temp.bulk_of(2))$$, 'bulk_max_operations: a request at the limit runs');
SELECT throws_ok($$SELECT scim.bulk('pgtap30_bulk', pg_temp.bulk_of(3))$$, '54000', NULL,
				 'bulk_max_operations: one more operation is refused as too large');
SELECT lives_ok($$SELECT scim.bulk('pgtap30_plain', pg_temp.bulk_of(3))$$, 'bulk_max_operations: another tenant keeps 1000');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_bulk', '{"bulk_max_operations": 0}')$$, '22023',
				 'setting "bulk_max_operations" must be an integer between 1 and 100000', 'bulk_max_operations: at least 1');

-- ------------------------------------------------------- max_payload_bytes

SELECT scim.tenant_create('pgtap30_payload', '{"max_payload_bytes": 1024}') \gset _
SELECT 'Bearer ' || scim.token_issue('pgtap30_payload', 'pgtap30') AS auth_payload \gset
SELECT is(pg_temp.http_status('POST', '/scim/v2/Users', :'auth_payload', '{"userName": "small"}'), 201,
		  'max_payload_bytes: a small body is accepted');
SELECT is(pg_temp.http_status('POST', '/scim/v2/Users', :'auth_payload',
		  jsonb_build_object('userName', 'big', 'title', repeat('x', 1100))::text), 413,
		  'max_payload_bytes: a larger body is a 413');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap30_payload'), 1, 'max_payload_bytes: nothing of it was written');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_payload', '{"max_payload_bytes": 1023}')$$, '22023', NULL,
				 'max_payload_bytes: at least 1024');

-- -------------------------------------------------------- max_multi_values

SELECT scim.tenant_create('pgtap30_multi', '{"max_multi_values": 3}') \gset _
SELECT lives_ok($$SELECT scim.user_create('pgtap30_multi', '{"userName": "three", "emails": [{"value": "a@x"}, {"value": "b@x"}, {"value": "c@x"}]}')$$,
				'max_multi_values: as many values as the limit are accepted');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_multi', '{"userName": "four", "emails": [{"value": "a@x"}, {"value": "b@x"}, {"value": "c@x"}, {"value": "d@x"}]}')$$,
				 '22023', 'attribute "emails" has 4 values, more than max_multi_values (3)',
				 'max_multi_values: one more value is invalidValue, naming the limit');
SELECT throws_like(format($$SELECT scim.user_patch('pgtap30_multi', %L, %L)$$,
						  (SELECT id FROM scim.users WHERE tenant_id = 'pgtap30_multi'),
						  pg_temp.ops('{"op": "add", "path": "emails", "value": [{"value": "d@x"}]}')),
				   '%has 4 values, more than max_multi_values (3)%',
				   'max_multi_values: a PATCH that would grow past the limit is refused');
SELECT is((SELECT jsonb_array_length(scim.user_get('pgtap30_multi', id::text) -> 'emails') FROM scim.users WHERE tenant_id = 'pgtap30_multi'), 3,
		  'max_multi_values: the refused PATCH changed nothing');
SELECT lives_ok($$SELECT scim.user_create('pgtap30_plain', '{"userName": "four", "emails": [{"value": "a@x"}, {"value": "b@x"}, {"value": "c@x"}, {"value": "d@x"}]}')$$,
				'max_multi_values: another tenant keeps 1000');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_multi', '{"max_multi_values": 0}')$$, '22023',
				 'setting "max_multi_values" must be an integer between 1 and 100000', 'max_multi_values: at least 1');

-- ------------------------------------------------------- username_is_email

SELECT scim.tenant_create('pgtap30_email', '{"username_is_email": true}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap30_email', '{"userName": "plain"}')$$, '22023',
				 'userName "plain" is not a valid email address', 'username_is_email: a plain name is refused');
SELECT is(scim.user_create('pgtap30_email', '{"userName": "Nameless@Example.org", "active": false}') -> 'active', 'false'::jsonb,
		  'username_is_email: alone, no name is needed and users may be created inactive');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_email', '{"username_is_email": "true"}')$$, '22023',
				 'setting "username_is_email" must be a boolean', 'username_is_email: a boolean');

-- ------------------------------------------------------------ require_name

SELECT scim.tenant_create('pgtap30_name', '{"require_name": true}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap30_name', '{"userName": "x"}')$$, '22023',
				 'a name is required: send name.formatted, or name.givenName and name.familyName', 'require_name: no name is refused');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_name', '{"userName": "x", "name": {"givenName": "  ", "familyName": " "}}')$$, '22023',
				 'a name is required: send name.formatted, or name.givenName and name.familyName', 'require_name: a blank name is no name');
SELECT scim.user_create('pgtap30_name', '{"userName": "plain", "name": {"givenName": "Given"}, "active": false}') ->> 'id' AS given \gset
SELECT is(scim.user_get('pgtap30_name', :'given') ->> 'displayName', 'Given',
		  'require_name: alone, a givenName is enough, userName need not be an email, inactive is fine');
SELECT lives_ok(format('SELECT scim.user_replace(%L, %L, %L)', 'pgtap30_name', :'given', '{"userName": "plain"}'),
				'require_name: applies to creation only (a PUT may drop the name)');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_name', '{"require_name": 1}')$$, '22023',
				 'setting "require_name" must be a boolean', 'require_name: a boolean');

-- --------------------------------------------------- allow_create_inactive

SELECT is(scim.user_create('pgtap30_plain', '{"userName": "dormant", "active": false}') -> 'active', 'false'::jsonb,
		  'allow_create_inactive true (default): a user may be created inactive');
SELECT scim.tenant_create('pgtap30_active', '{"allow_create_inactive": false}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap30_active', '{"userName": "dormant", "active": false}')$$, '22023',
				 'users must be created active: send "active": true or leave it out', 'allow_create_inactive false: refused');
SELECT is(scim.user_create('pgtap30_active', '{"userName": "plain"}') -> 'active', 'true'::jsonb,
		  'allow_create_inactive false: alone, a nameless non-email user is created, active');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_active', '{"allow_create_inactive": null, "require_name": "no"}')$$, '22023',
				 'setting "require_name" must be a boolean', 'allow_create_inactive: changes are validated together');

-- ------------------------------------------------- reserved_group_prefixes

SELECT lives_ok($$SELECT scim.group_create('pgtap30_plain', '{"displayName": "role:anything"}')$$,
				'reserved_group_prefixes: none by default');
SELECT scim.tenant_create('pgtap30_prefix', '{"reserved_group_prefixes": ["team-", "#"]}') \gset _
SELECT throws_ok($$SELECT scim.group_create('pgtap30_prefix', '{"displayName": "team-red"}')$$, '22023',
				 'group names may not start with "team-"', 'reserved_group_prefixes: a listed prefix is refused');
SELECT throws_ok($$SELECT scim.group_create('pgtap30_prefix', '{"displayName": "TEAM-Blue"}')$$, '22023',
				 'group names may not start with "team-"', 'reserved_group_prefixes: in any letter case');
SELECT lives_ok($$SELECT scim.group_create('pgtap30_prefix', '{"displayName": "role:admins"}')$$,
				'reserved_group_prefixes: the list replaces Zulip''s, it does not add to it');
SELECT scim.group_create('pgtap30_prefix', '{"displayName": "red team-"}') ->> 'id' AS redteam \gset
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap30_prefix', :'redteam',
				 pg_temp.ops('{"op": "replace", "path": "displayName", "value": "#general"}')), '22023',
				 'group names may not start with "#"', 'reserved_group_prefixes: renames are checked too');
SELECT is(length(scim.group_create('pgtap30_prefix', jsonb_build_object('displayName', repeat('p', 150))) ->> 'displayName'), 150,
		  'reserved_group_prefixes: alone, no length limit');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_prefix', '{"reserved_group_prefixes": ["ok", ""]}')$$, '22023',
				 'setting "reserved_group_prefixes" must be an array of non-empty strings', 'reserved_group_prefixes: no empty prefix');

-- --------------------------------------------------- max_group_name_length

SELECT is(pg_temp.eff('pgtap30_plain') -> 'max_group_name_length', '0'::jsonb, 'max_group_name_length: 0 (no limit) by default');
SELECT is(length(scim.group_create('pgtap30_plain', jsonb_build_object('displayName', repeat('n', 300))) ->> 'displayName'), 300,
		  'max_group_name_length 0: a 300-character name is fine');
SELECT scim.tenant_create('pgtap30_glen', '{"max_group_name_length": 10}') \gset _
SELECT lives_ok($$SELECT scim.group_create('pgtap30_glen', '{"displayName": "0123456789"}')$$,
				'max_group_name_length: a name at the limit is fine');
SELECT throws_ok($$SELECT scim.group_create('pgtap30_glen', '{"displayName": "0123456789a"}')$$, '22023',
				 'group names may not be longer than 10 characters', 'max_group_name_length: one more is refused');
SELECT lives_ok($$SELECT scim.group_create('pgtap30_glen', '{"displayName": "ééééééééé€"}')$$,
				'max_group_name_length: counts characters, not bytes');
SELECT scim.group_create('pgtap30_glen', '{"displayName": "short"}') ->> 'id' AS short \gset
SELECT throws_ok(format('SELECT scim.group_replace(%L, %L, %L)', 'pgtap30_glen', :'short', '{"displayName": "much too long"}'), '22023',
				 'group names may not be longer than 10 characters', 'max_group_name_length: renames by PUT are checked');
SELECT throws_ok(format('SELECT scim.group_patch(%L, %L, %L)', 'pgtap30_glen', :'short',
				 pg_temp.ops('{"op": "replace", "path": "displayName", "value": "much too long"}')), '22023',
				 'group names may not be longer than 10 characters', 'max_group_name_length: and by PATCH');
SELECT lives_ok($$SELECT scim.group_create('pgtap30_glen', '{"displayName": "@short"}')$$,
				'max_group_name_length: alone, no prefix is reserved');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_glen', '{"max_group_name_length": -1}')$$, '22023',
				 'setting "max_group_name_length" must be an integer between 0 and 10000', 'max_group_name_length: not negative');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap30_glen', '{"max_group_name_length": "100"}')$$, '22023',
				 'setting "max_group_name_length" must be an integer', 'max_group_name_length: a number');
SELECT is(scim.tenant_configure('pgtap30_glen', '{"max_group_name_length": null}') -> 'max_group_name_length', '0'::jsonb,
		  'max_group_name_length: null resets it');
SELECT lives_ok($$SELECT scim.group_create('pgtap30_glen', '{"displayName": "no limit any more"}')$$,
				'max_group_name_length: and the limit is gone');

-- ------------------------------------------------------------------ notify

SELECT is(pg_temp.eff('pgtap30_plain') -> 'notify', 'true'::jsonb, 'notify: on by default');
SELECT scim.tenant_create('pgtap30_quiet', '{"notify": false}') \gset _
SELECT scim.user_create('pgtap30_quiet', '{"userName": "mute"}') ->> 'id' AS mute \gset
SELECT is((SELECT array_agg(action ORDER BY seq) FROM scim.events WHERE tenant_id = 'pgtap30_quiet'), ARRAY['created'],
		  'notify false: the change is still recorded in scim.events');
SELECT is(pg_temp.eff('pgtap30_quiet') -> 'notify', 'false'::jsonb, 'notify: can be turned off');

-- ------------------------------------------------ the user rules in depth
-- What a rule does beyond switching it on: events, versions, attributes
-- kept, letter case, users created before a rule was tightened, and the
-- zulip preset's user and group rules end to end.

SELECT scim.tenant_create('pgtap30_rules') \gset _
SELECT scim.tenant_create('pgtap30_rules_other') \gset _

-- user_delete deactivate
SELECT scim.tenant_configure('pgtap30_rules', '{"user_delete": "deactivate"}') \gset _
SELECT scim.user_create('pgtap30_rules', '{"userName": "dee", "title": "Keep me"}') ->> 'id' AS dee \gset
SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap30_rules', :'dee'), 'user_delete deactivate: DELETE succeeds');
SELECT is(scim.user_get('pgtap30_rules', :'dee') ->> 'title', 'Keep me', 'user_delete deactivate: the user keeps its attributes');
SELECT is(scim.user_get('pgtap30_rules', :'dee') -> 'meta' ->> 'version', 'W/"2"', 'user_delete deactivate: deactivating moved the version');
SELECT is(pg_temp.actions('pgtap30_rules', :'dee'), ARRAY['created', 'patched', 'deactivated'],
		  'user_delete deactivate: the change feed shows a deactivation, not a deletion');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_rules', '{"userName": "DEE"}')$$, '23505',
				 'userName "DEE" is already in use', 'user_delete deactivate: the deactivated user still holds its userName');
SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap30_rules', :'dee'), 'user_delete deactivate: deleting an inactive user again succeeds');
SELECT is(pg_temp.actions('pgtap30_rules', :'dee'), ARRAY['created', 'patched', 'deactivated'], 'user_delete deactivate: and changes nothing');
SELECT scim.user_create('pgtap30_rules', '{"userName": "boss", "role": "owner"}') ->> 'id' AS boss \gset
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap30_rules', :'boss'), '55000',
				 'cannot deactivate the organization''s last active owner', 'user_delete deactivate: still protects the last owner');

-- roles and default_role
SELECT scim.tenant_configure('pgtap30_rules', '{"default_role": "guest"}') \gset _
SELECT is(scim.user_create('pgtap30_rules_other', '{"userName": "gina"}') ->> 'role', 'member',
		  'default_role: another tenant keeps its own default role');
SELECT scim.tenant_configure('pgtap30_rules', '{"roles": ["admin", "staff", "owner"], "default_role": "staff"}') \gset _
SELECT is(scim.user_create('pgtap30_rules', '{"userName": "sam"}') ->> 'role', 'staff', 'roles with default_role: a default out of the custom roles');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_rules', '{"userName": "adm", "role": "Admin"}')$$, '22023',
				 'role "Admin" is not one of this organization''s roles: admin, staff, owner', 'roles: compare exactly');
SELECT lives_ok($$SELECT scim.user_create('pgtap30_rules_other', '{"userName": "mem", "role": "member"}')$$,
				'roles: another tenant keeps the default roles');

-- rules tightened after users exist: a user created before must still be
-- deprovisionable (the rules concern the values a request writes, not
-- unchanged stored ones)
SELECT scim.user_create('pgtap30_rules_other', '{"userName": "legacy"}') ->> 'id' AS legacy \gset
SELECT scim.tenant_configure('pgtap30_rules_other', '{"username_is_email": true, "roles": ["owner", "staff"], "default_role": "staff"}') \gset _
SELECT lives_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap30_rules_other', :'legacy',
				pg_temp.ops('{"op": "replace", "path": "active", "value": false}')),
				'tightened rules: a user whose stored userName and role predate them can still be deactivated');
SELECT is(scim.user_get('pgtap30_rules_other', :'legacy') -> 'active', 'false'::jsonb, 'tightened rules: and is inactive afterwards');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap30_rules_other', :'legacy',
				 pg_temp.ops('{"op": "replace", "path": "userName", "value": "still-no-email"}')),
				 '22023', 'userName "still-no-email" is not a valid email address', 'tightened rules: while a new userName must follow them');

-- username_is_email: what an email is
SELECT scim.tenant_configure('pgtap30_rules', '{"username_is_email": true}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap30_rules', '{"userName": "a@b"}')$$, '22023',
				 'userName "a@b" is not a valid email address', 'username_is_email: an email needs a domain with a dot');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_rules', '{"userName": "a@@b.org"}')$$, '22023',
				 'userName "a@@b.org" is not a valid email address', 'username_is_email: one @ only');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_rules', '{"userName": "a b@c.org"}')$$, '22023',
				 'userName "a b@c.org" is not a valid email address', 'username_is_email: no spaces');
SELECT scim.user_create('pgtap30_rules', '{"userName": "Mail.User@Example.org"}') ->> 'id' AS mail \gset
SELECT is(scim.user_get('pgtap30_rules', :'mail') ->> 'userName', 'Mail.User@Example.org', 'username_is_email: a valid email is accepted as sent');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap30_rules', :'mail', pg_temp.ops('{"op": "replace", "path": "userName", "value": "nomail"}')),
				 '22023', 'userName "nomail" is not a valid email address', 'username_is_email: the rule applies to PATCH too');
SELECT scim.tenant_configure('pgtap30_rules', '{"username_is_email": null}') \gset _

-- require_name: what a name is
SELECT scim.tenant_configure('pgtap30_rules', '{"require_name": true}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap30_rules', '{"userName": "nameless", "name": {"middleName": "M"}}')$$, '22023',
				 'a name is required: send name.formatted, or name.givenName and name.familyName',
				 'require_name: a middle name alone is not a usable name');
SELECT is(scim.user_create('pgtap30_rules', '{"userName": "named", "name": {"formatted": "Nora Named"}}') -> 'name' ->> 'familyName',
		  'Named', 'require_name: name.formatted satisfies it (and gives the familyName)');
SELECT lives_ok($$SELECT scim.user_create('pgtap30_rules', '{"userName": "fam", "name": {"familyName": "Only"}}')$$,
				'require_name: a familyName satisfies it');
SELECT scim.tenant_configure('pgtap30_rules', '{"require_name": null}') \gset _

-- allow_create_inactive false: later deactivation stays possible
SELECT scim.tenant_configure('pgtap30_rules', '{"allow_create_inactive": false}') \gset _
SELECT scim.user_create('pgtap30_rules', '{"userName": "awake", "active": true}') ->> 'id' AS awake \gset
SELECT is(scim.user_patch('pgtap30_rules', :'awake', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) -> 'active',
		  'false'::jsonb, 'allow_create_inactive false: users can still be deactivated later');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap30_rules' AND user_name IN ('nameless', 'a@b', 'a@@b.org', 'a b@c.org', 'DEE')), 0,
		  'no refused create left a row');

-- the zulip preset end to end
SELECT scim.tenant_create('pgtap30_zulip', '{"preset": "zulip"}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap30_zulip', '{"userName": "iago@zulip.example"}')$$, '22023',
				 'a name is required: send name.formatted, or name.givenName and name.familyName', 'zulip: a name is required');
SELECT throws_ok($$SELECT scim.user_create('pgtap30_zulip', '{"userName": "iago@zulip.example", "name": {"formatted": "Iago"}, "active": false}')$$, '22023',
				 'users must be created active: send "active": true or leave it out', 'zulip: users are created active');
SELECT scim.user_create('pgtap30_zulip', '{"userName": "iago@zulip.example", "name": {"givenName": "Iago", "familyName": "Bard"}, "title": "Poet"}') ->> 'id' AS iago \gset
SELECT is(scim.user_replace('pgtap30_zulip', :'iago', '{"userName": "iago@zulip.example"}') ->> 'title', 'Poet',
		  'zulip: PUT merges, omitted attributes stay');
SELECT throws_ok($$SELECT scim.group_create('pgtap30_zulip', '{"displayName": "role:admins"}')$$, '22023',
				 'group names may not start with "role:"', 'zulip: role: is reserved');
SELECT throws_ok($$SELECT scim.group_create('pgtap30_zulip', '{"displayName": "@everyone"}')$$, '22023',
				 'group names may not start with "@"', 'zulip: @ is reserved');
SELECT throws_ok($$SELECT scim.group_create('pgtap30_zulip', '{"displayName": "Stream:general"}')$$, '22023',
				 'group names may not start with "stream:"', 'zulip: stream: is reserved, in any case');
SELECT is(scim.group_create('pgtap30_zulip', '{"displayName": "Engineering: backend"}') ->> 'displayName', 'Engineering: backend',
		  'zulip: other names are fine');

SELECT * FROM finish();
ROLLBACK;
