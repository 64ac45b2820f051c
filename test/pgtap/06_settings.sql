-- test/pgtap/06_settings.sql
--	  Tenant rules on users and groups: user_delete (delete, deactivate,
--	  reject), default_role and custom roles, username_is_email,
--	  require_name, allow_create_inactive, reserved group prefixes, and
--	  the zulip preset end to end.  Settings of one tenant never apply to
--	  another.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(49);

CREATE FUNCTION pg_temp.ops(VARIADIC o jsonb[]) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:PatchOp"]'::jsonb,
							  'Operations', to_jsonb(o))
$$;

CREATE FUNCTION pg_temp.actions(t text, id text) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(action ORDER BY seq), '{}') FROM scim.events
	 WHERE tenant_id = t AND resource_id = id::uuid
$$;

SELECT scim.tenant_create('pgtap06') \gset _
SELECT scim.tenant_create('pgtap06_other') \gset _

-- ------------------------------------------------- user_delete: deactivate

SELECT scim.tenant_configure('pgtap06', '{"user_delete": "deactivate"}') \gset _
SELECT scim.user_create('pgtap06', '{"userName": "dee", "title": "Keep me"}') ->> 'id' AS dee \gset
SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap06', :'dee'), 'user_delete deactivate: DELETE succeeds');
SELECT is(scim.user_get('pgtap06', :'dee') -> 'active', 'false'::jsonb, 'the user is kept, inactive');
SELECT is(scim.user_get('pgtap06', :'dee') ->> 'title', 'Keep me', 'with its attributes');
SELECT is(scim.user_get('pgtap06', :'dee') -> 'meta' ->> 'version', 'W/"2"', 'deactivating moved the version');
SELECT is(pg_temp.actions('pgtap06', :'dee'), ARRAY['created', 'patched', 'deactivated'],
		  'the change feed shows a deactivation, not a deletion');
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "DEE"}')$$, '23505',
				 'userName "DEE" is already in use', 'the deactivated user still holds its userName');
SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap06', :'dee'), 'deleting an inactive user again succeeds');
SELECT is(pg_temp.actions('pgtap06', :'dee'), ARRAY['created', 'patched', 'deactivated'], 'and changes nothing');
SELECT scim.user_create('pgtap06', '{"userName": "boss", "role": "owner"}') ->> 'id' AS boss \gset
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap06', :'boss'), '55000',
				 'cannot deactivate the organization''s last active owner', 'deactivate-on-delete still protects the last owner');

-- ----------------------------------------------------- user_delete: reject

SELECT scim.tenant_configure('pgtap06', '{"user_delete": "reject"}') \gset _
SELECT scim.user_create('pgtap06', '{"userName": "rex"}') ->> 'id' AS rex \gset
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap06', :'rex'), '0A000',
				 'users of this organization cannot be deleted: deactivate them by setting "active" to false',
				 'user_delete reject refuses DELETE and says what to do');
SELECT is(scim.user_get('pgtap06', :'rex') -> 'active', 'true'::jsonb, 'the user is untouched');
SELECT is(pg_temp.actions('pgtap06', :'rex'), ARRAY['created'], 'and no event was recorded');
SELECT throws_ok($$SELECT scim.user_delete('pgtap06', '00000000-0000-0000-0000-00000000abcd')$$, 'P0002',
				 'user "00000000-0000-0000-0000-00000000abcd" not found', 'an unknown id is still not found first');
SELECT scim.user_create('pgtap06_other', '{"userName": "rex"}') ->> 'id' AS rex_other \gset
SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap06_other', :'rex_other'),
				'another tenant keeps its own user_delete (delete)');
SELECT throws_ok(format('SELECT scim.user_get(%L, %L)', 'pgtap06_other', :'rex_other'), 'P0002',
				 format('user "%s" not found', :'rex_other'), 'and there the user is really gone');

-- ------------------------------------------------------------------ roles

SELECT scim.tenant_configure('pgtap06', '{"default_role": "guest"}') \gset _
SELECT is(scim.user_create('pgtap06', '{"userName": "gina"}') ->> 'role', 'guest', 'default_role applies to new users');
SELECT is(scim.user_create('pgtap06', '{"userName": "mo", "role": "moderator"}') ->> 'role', 'moderator',
		  'an explicit role wins over default_role');
SELECT is(scim.user_create('pgtap06_other', '{"userName": "gina"}') ->> 'role', 'member',
		  'another tenant keeps its own default role');
SELECT scim.tenant_configure('pgtap06', '{"roles": ["admin", "staff", "owner"], "default_role": "staff"}') \gset _
SELECT is(scim.user_create('pgtap06', '{"userName": "sam"}') ->> 'role', 'staff', 'custom roles and default role');
SELECT is(scim.user_create('pgtap06', '{"userName": "ada", "role": "admin"}') ->> 'role', 'admin', 'a custom role is accepted');
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "mem", "role": "member"}')$$, '22023',
				 'role "member" is not one of this organization''s roles: admin, staff, owner',
				 'a role outside the tenant''s list is refused, and the list is the tenant''s');
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "adm", "role": "Admin"}')$$, '22023',
				 'role "Admin" is not one of this organization''s roles: admin, staff, owner', 'roles compare exactly');
SELECT lives_ok($$SELECT scim.user_create('pgtap06_other', '{"userName": "mem", "role": "member"}')$$,
				'another tenant keeps the default roles');

-- ------------------------------------- rules tightened after users exist

-- A user created before a rule was tightened must still be deprovisionable:
-- the rule concerns the values a request writes, not unchanged stored ones.
SELECT scim.user_create('pgtap06_other', '{"userName": "legacy"}') ->> 'id' AS legacy \gset
SELECT scim.tenant_configure('pgtap06_other', '{"username_is_email": true, "roles": ["owner", "staff"], "default_role": "staff"}') \gset _
SELECT lives_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap06_other', :'legacy',
				pg_temp.ops('{"op": "replace", "path": "active", "value": false}')),
				'a user whose stored userName and role predate tightened rules can still be deactivated');
SELECT is(scim.user_get('pgtap06_other', :'legacy') -> 'active', 'false'::jsonb, 'and is inactive afterwards');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap06_other', :'legacy',
				 pg_temp.ops('{"op": "replace", "path": "userName", "value": "still-no-email"}')),
				 '22023', 'userName "still-no-email" is not a valid email address', 'while a new userName must follow the rule');
SELECT scim.tenant_configure('pgtap06_other', '{"username_is_email": null, "roles": null, "default_role": null}') \gset _

-- ------------------------------------------------------ username_is_email

SELECT scim.tenant_configure('pgtap06', '{"username_is_email": true}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "plain"}')$$, '22023',
				 'userName "plain" is not a valid email address', 'username_is_email refuses a plain name');
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "a@b"}')$$, '22023',
				 'userName "a@b" is not a valid email address', 'an email needs a domain with a dot');
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "a@@b.org"}')$$, '22023',
				 'userName "a@@b.org" is not a valid email address', 'one @ only');
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "a b@c.org"}')$$, '22023',
				 'userName "a b@c.org" is not a valid email address', 'no spaces');
SELECT scim.user_create('pgtap06', '{"userName": "Mail.User@Example.org"}') ->> 'id' AS mail \gset
SELECT is(scim.user_get('pgtap06', :'mail') ->> 'userName', 'Mail.User@Example.org', 'a valid email is accepted as sent');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap06', :'mail', pg_temp.ops('{"op": "replace", "path": "userName", "value": "nomail"}')),
				 '22023', 'userName "nomail" is not a valid email address', 'the rule applies to PATCH too');
SELECT lives_ok($$SELECT scim.user_create('pgtap06_other', '{"userName": "plain"}')$$, 'another tenant accepts plain names');
SELECT scim.tenant_configure('pgtap06', '{"username_is_email": null}') \gset _

-- ------------------------------------------------------------ require_name

SELECT scim.tenant_configure('pgtap06', '{"require_name": true}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "nameless"}')$$, '22023',
				 'a name is required: send name.formatted, or name.givenName and name.familyName',
				 'require_name refuses a user without a name');
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "nameless", "name": {"middleName": "M"}}')$$, '22023',
				 'a name is required: send name.formatted, or name.givenName and name.familyName',
				 'a middle name alone is not a usable name');
SELECT is(scim.user_create('pgtap06', '{"userName": "named", "name": {"formatted": "Nora Named"}}') -> 'name' ->> 'familyName',
		  'Named', 'name.formatted satisfies require_name');
SELECT lives_ok($$SELECT scim.user_create('pgtap06', '{"userName": "fam", "name": {"familyName": "Only"}}')$$,
				'a familyName satisfies require_name');
SELECT scim.tenant_configure('pgtap06', '{"require_name": null}') \gset _

-- ---------------------------------------------------- allow_create_inactive

SELECT scim.tenant_configure('pgtap06', '{"allow_create_inactive": false}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap06', '{"userName": "sleepy", "active": false}')$$, '22023',
				 'users must be created active: send "active": true or leave it out', 'allow_create_inactive false refuses inactive creates');
SELECT scim.user_create('pgtap06', '{"userName": "awake", "active": true}') ->> 'id' AS awake \gset
SELECT is(scim.user_patch('pgtap06', :'awake', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) -> 'active',
		  'false'::jsonb, 'users can still be deactivated later');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap06' AND user_name IN ('sleepy', 'nameless', 'plain')), 0,
		  'no refused create left a row');

-- --------------------------------------------------------- the zulip preset

SELECT scim.tenant_create('pgtap06_z', '{"preset": "zulip"}') \gset _
SELECT throws_ok($$SELECT scim.user_create('pgtap06_z', '{"userName": "iago", "name": {"formatted": "Iago"}}')$$, '22023',
				 'userName "iago" is not a valid email address', 'zulip: userName must be an email');
SELECT throws_ok($$SELECT scim.user_create('pgtap06_z', '{"userName": "iago@zulip.example"}')$$, '22023',
				 'a name is required: send name.formatted, or name.givenName and name.familyName', 'zulip: a name is required');
SELECT throws_ok($$SELECT scim.user_create('pgtap06_z', '{"userName": "iago@zulip.example", "name": {"formatted": "Iago"}, "active": false}')$$, '22023',
				 'users must be created active: send "active": true or leave it out', 'zulip: users are created active');
SELECT scim.user_create('pgtap06_z', '{"userName": "iago@zulip.example", "name": {"givenName": "Iago", "familyName": "Bard"}, "title": "Poet"}') ->> 'id' AS iago \gset
SELECT is(scim.user_replace('pgtap06_z', :'iago', '{"userName": "iago@zulip.example"}') ->> 'title', 'Poet',
		  'zulip: PUT merges, omitted attributes stay');
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap06_z', :'iago'), '0A000',
				 'users of this organization cannot be deleted: deactivate them by setting "active" to false', 'zulip: DELETE is refused');
SELECT throws_ok($$SELECT scim.group_create('pgtap06_z', '{"displayName": "role:admins"}')$$, '22023',
				 'group names may not start with "role:"', 'zulip: role: is reserved');
SELECT throws_ok($$SELECT scim.group_create('pgtap06_z', '{"displayName": "@everyone"}')$$, '22023',
				 'group names may not start with "@"', 'zulip: @ is reserved');
SELECT throws_ok($$SELECT scim.group_create('pgtap06_z', '{"displayName": "Stream:general"}')$$, '22023',
				 'group names may not start with "stream:"', 'zulip: stream: is reserved, in any case');
SELECT is(scim.group_create('pgtap06_z', '{"displayName": "Engineering: backend"}') ->> 'displayName', 'Engineering: backend',
		  'zulip: other names are fine');

SELECT * FROM finish();
ROLLBACK;
