-- test/pgtap/02_users.sql
--	  Users through the SQL API: create (derivation, validation, roles,
--	  passwords), case-insensitive userName uniqueness, opaque ids and
--	  tenant isolation, PUT (clearing, role/active/password preserved,
--	  merge mode), PATCH (forms, atomicity, no-op), versions, deactivation
--	  and protection of the last owner.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(126);

-- 'SQLSTATE: message | detail' of running sql, or 'ok'
CREATE FUNCTION pg_temp.err(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ': ' || SQLERRM || ' | ' || COALESCE(d, '');
END
$$;

-- a PatchOp body of the given operations
CREATE FUNCTION pg_temp.ops(VARIADIC o jsonb[]) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:PatchOp"]'::jsonb,
							  'Operations', to_jsonb(o))
$$;

CREATE FUNCTION pg_temp.base() RETURNS text
LANGUAGE sql AS $$
	SELECT COALESCE(nullif(current_setting('scim.base_url', true), ''), '/scim/v2')
$$;

SELECT scim.tenant_create('pgtap02') \gset _
SELECT scim.tenant_create('pgtap02_b') \gset _

-- ------------------------------------------------------------------ create

CREATE TEMP TABLE alice_created AS
SELECT scim.user_create('pgtap02', '{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName": "alice@example.com",
	"name": {"givenName": "Alice", "familyName": "Liddell"},
	"title": "Engineer",
	"externalId": "ext-alice",
	"emails": [{"value": "alice@example.com", "type": "work", "primary": true}],
	"password": "Sup3rS3cret!",
	"role": "administrator"}') AS doc;
SELECT doc ->> 'id' AS alice FROM alice_created \gset

SELECT matches(:'alice'::text, '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
			   'the server issues a UUID id');
SELECT is(doc -> 'schemas', '["urn:ietf:params:scim:schemas:core:2.0:User"]'::jsonb,
		  'the User carries the core schema') FROM alice_created;
SELECT is(doc ->> 'userName', 'alice@example.com', 'userName is stored as sent') FROM alice_created;
SELECT is(doc -> 'name', '{"givenName": "Alice", "familyName": "Liddell", "formatted": "Alice Liddell"}'::jsonb,
		  'name.formatted is derived from givenName and familyName (Okta shape)') FROM alice_created;
SELECT is(doc ->> 'displayName', 'Alice Liddell', 'displayName is derived from the name') FROM alice_created;
SELECT is(doc ->> 'role', 'administrator', 'role is stored as sent') FROM alice_created;
SELECT is(doc -> 'active', 'true'::jsonb, 'a user is active by default') FROM alice_created;
SELECT ok(NOT (doc ? 'password'), 'password is never returned') FROM alice_created;
SELECT is(doc -> 'meta' ->> 'version', 'W/"1"', 'a new user is at version 1') FROM alice_created;
SELECT is(doc -> 'meta' ->> 'resourceType', 'User', 'meta.resourceType is User') FROM alice_created;
SELECT is(doc -> 'meta' ->> 'location', pg_temp.base() || '/Users/' || :'alice',
		  'meta.location is the resource URI') FROM alice_created;
SELECT is(doc -> 'meta' ->> 'lastModified', doc -> 'meta' ->> 'created',
		  'lastModified equals created until the first change') FROM alice_created;
SELECT is(scim.user_get('pgtap02', :'alice'), doc, 'user_get returns what user_create returned')
  FROM alice_created;
SELECT is((SELECT derived FROM scim.users WHERE tenant_id = 'pgtap02' AND id = :'alice'::uuid),
		  ARRAY['name.formatted', 'displayName'], 'derived attributes are recorded as such');
SELECT ok((SELECT password_hash LIKE '$2%' AND position('Sup3rS3cret!' IN password_hash) = 0
			 FROM scim.users WHERE tenant_id = 'pgtap02' AND id = :'alice'::uuid),
		  'the password is stored as a bcrypt hash only');
SELECT ok(scim.password_verify('pgtap02', 'alice@example.com', 'Sup3rS3cret!'),
		  'password_verify accepts the right password');
SELECT ok(NOT scim.password_verify('pgtap02', 'alice@example.com', 'sup3rs3cret!'),
		  'password_verify refuses a wrong password');
SELECT ok(scim.password_verify('pgtap02', 'ALICE@EXAMPLE.COM', 'Sup3rS3cret!'),
		  'password_verify finds the userName case-insensitively');
SELECT ok(NOT scim.password_verify('pgtap02_b', 'alice@example.com', 'Sup3rS3cret!'),
		  'password_verify is scoped to the tenant');

SELECT scim.user_create('pgtap02', '{"userName": "bob"}') ->> 'id' AS bob \gset
SELECT is(scim.user_get('pgtap02', :'bob') ->> 'role', 'member', 'without a role the default role applies');
SELECT is(scim.user_get('pgtap02', :'bob') ->> 'displayName', 'bob', 'without a name displayName is the userName');

SELECT is(scim.user_create('pgtap02', '{"userName": "carol", "name": {"formatted": "Carol Ann Smith"}}') -> 'name',
		  '{"formatted": "Carol Ann Smith", "givenName": "Carol", "familyName": "Ann Smith"}'::jsonb,
		  'givenName and familyName are derived from name.formatted (Entra shape)');
SELECT is(scim.user_create('pgtap02', '{"userName": "dan", "id": "not-mine", "meta": {"version": "W/\"9\""}}') ->> 'id' <> 'not-mine',
		  true, 'an id sent by the client is ignored');
SELECT is(scim.user_create('pgtap02', '{"userName": "eve", "active": "False"}') -> 'active', 'false'::jsonb,
		  'Entra''s string boolean "False" creates an inactive user');

-- uniqueness
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": "ALICE@Example.COM"}')$$, '23505',
				 'userName "ALICE@Example.COM" is already in use',
				 'userName uniqueness is case-insensitive');
SELECT is(pg_temp.err($$SELECT scim.user_create('pgtap02', '{"userName": "Bob"}')$$),
		  '23505: userName "Bob" is already in use | scimType: uniqueness.',
		  'the uniqueness error carries scimType uniqueness');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": "EVE"}')$$, '23505',
				 'userName "EVE" is already in use', 'a deactivated user still holds its userName');
SELECT lives_ok($$SELECT scim.user_create('pgtap02_b', '{"userName": "alice@example.com"}')$$,
				'the same userName is free in another tenant');
SELECT lives_ok($$SELECT scim.user_create('pgtap02', '{"userName": "\u00c4rger@example.org"}')$$, 'a non-ASCII userName');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": "\u00e4RGER@EXAMPLE.ORG"}')$$, '23505',
				 format('userName "%sRGER@EXAMPLE.ORG" is already in use', chr(228)),
				 'uniqueness folds non-ASCII letters too');

-- validation
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"name": {"givenName": "No"}}')$$, '22023',
				 'attribute "userName" is required', 'userName is required');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": ""}')$$, '22023',
				 'attribute "userName" is required', 'an empty userName counts as missing');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": 5}')$$, '22023',
				 'attribute "userName" must be a string, not number', 'userName must be a string');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": "x1", "active": "maybe"}')$$, '22023',
				 'attribute "active" must be a boolean', 'active must be a boolean');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": "x2", "shoeSize": 44}')$$, '22P02',
				 'unknown attribute "shoeSize" in schema urn:ietf:params:scim:schemas:core:2.0:User',
				 'unknown attributes are refused, not dropped');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '["userName"]')$$, '22P02',
				 'the User resource must be a JSON object', 'the resource must be an object');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": "x3", "role": "chief"}')$$, '22023',
				 'role "chief" is not one of this organization''s roles: owner, administrator, moderator, member, guest',
				 'an unknown role is refused with the list of roles');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', '{"userName": "x4", "emails": [
					{"value": "a@x.org", "primary": true}, {"value": "b@x.org", "primary": true}]}')$$, '22023',
				 'only one value of "emails" may be primary', 'at most one primary email');
SELECT throws_ok($$SELECT scim.user_create('pgtap02', NULL)$$, '22023',
				 'resource must not be null', 'a NULL resource is refused');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap02' AND user_name LIKE 'x_'), 0,
		  'refused creates wrote nothing');

-- ---------------------------------------------------- ids and isolation

SELECT throws_ok($$SELECT scim.user_get('pgtap02', 'abc')$$, 'P0002',
				 'user "abc" not found', 'an id that is not UUID-shaped is simply not found');
SELECT throws_ok($$SELECT scim.user_get('pgtap02', '00000000-0000-0000-0000-000000000000')$$, 'P0002',
				 'user "00000000-0000-0000-0000-000000000000" not found', 'an unknown UUID is not found');
SELECT throws_ok($$SELECT scim.user_replace('pgtap02', 'abc', '{"userName": "z"}')$$, 'P0002',
				 'user "abc" not found', 'PUT never creates');
SELECT throws_ok($$SELECT scim.user_patch('pgtap02', '1;DROP', '{"Operations": [{"op": "replace", "path": "title", "value": "x"}]}')$$,
				 'P0002', 'user "1;DROP" not found', 'PATCH of a non-UUID id is not found');
SELECT throws_ok($$SELECT scim.user_delete('pgtap02', '')$$, 'P0002',
				 'user "" not found', 'DELETE of an empty id is not found');
SELECT throws_ok($$SELECT scim.user_get('pgtap02', NULL)$$, '22023',
				 'id must not be null', 'a NULL id is refused');
SELECT throws_ok($$SELECT scim.user_get('pgtap02_nope', '00000000-0000-0000-0000-000000000000')$$, 'P0002',
				 'tenant "pgtap02_nope" does not exist', 'an unknown tenant is not found');

SELECT throws_ok(format('SELECT scim.user_get(%L, %L)', 'pgtap02_b', :'alice'), 'P0002',
				 format('user "%s" not found', :'alice'), 'a user of tenant A is not found from tenant B');
SELECT throws_ok(format('SELECT scim.user_replace(%L, %L, %L)', 'pgtap02_b', :'alice', '{"userName": "stolen"}'),
				 'P0002', format('user "%s" not found', :'alice'), 'tenant B cannot PUT a user of tenant A');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02_b', :'alice',
						pg_temp.ops('{"op": "replace", "path": "active", "value": false}')),
				 'P0002', format('user "%s" not found', :'alice'), 'tenant B cannot PATCH a user of tenant A');
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap02_b', :'alice'), 'P0002',
				 format('user "%s" not found', :'alice'), 'tenant B cannot DELETE a user of tenant A');
SELECT is(scim.user_get('pgtap02', :'alice') -> 'meta' ->> 'version', 'W/"1"',
		  'the user of tenant A is untouched by tenant B''s attempts');

-- ------------------------------------------------------ PUT, replace mode

CREATE TEMP TABLE alice_put AS
SELECT scim.user_replace('pgtap02', :'alice', '{"userName": "alice@example.com", "nickName": "Al"}') AS doc;
SELECT is(doc ->> 'nickName', 'Al', 'PUT sets what it sends') FROM alice_put;
SELECT ok(NOT (doc ?| ARRAY['title', 'emails', 'externalId', 'name']),
		  'PUT clears the readWrite attributes it omits') FROM alice_put;
SELECT is(doc ->> 'displayName', 'alice@example.com', 'the derived displayName follows the cleared name')
  FROM alice_put;
SELECT is(doc ->> 'role', 'administrator', 'PUT without role keeps the role') FROM alice_put;
SELECT is(doc -> 'active', 'true'::jsonb, 'PUT without active keeps active') FROM alice_put;
SELECT ok(scim.password_verify('pgtap02', 'alice@example.com', 'Sup3rS3cret!'), 'PUT without password keeps the password');
SELECT is(doc -> 'meta' ->> 'version', 'W/"2"', 'PUT moves the version') FROM alice_put;
SELECT ok((doc -> 'meta' ->> 'lastModified')::timestamptz > (doc -> 'meta' ->> 'created')::timestamptz,
		  'PUT advances lastModified') FROM alice_put;
SELECT is(scim.user_replace('pgtap02', :'alice', '{"userName": "alice@example.com", "nickName": "Al"}') -> 'meta' ->> 'version',
		  'W/"2"', 'a PUT that changes nothing keeps the version');
SELECT is(scim.user_replace('pgtap02', :'alice', '{"userName": "alice@example.com", "role": "guest"}') ->> 'role',
		  'guest', 'PUT with a role changes it');
SELECT is(scim.user_replace('pgtap02', :'alice', '{"userName": "Alice@Example.com", "role": "guest"}') ->> 'userName',
		  'Alice@Example.com', 'a user may change the case of its own userName (no self-collision)');
SELECT throws_ok(format('SELECT scim.user_replace(%L, %L, %L)', 'pgtap02', :'alice', '{"userName": "BOB"}'),
				 '23505', 'userName "BOB" is already in use', 'PUT onto another user''s userName is 409');
SELECT throws_ok(format('SELECT scim.user_replace(%L, %L, %L)', 'pgtap02', :'alice', '{"nickName": "x"}'),
				 '22023', 'attribute "userName" is required', 'PUT without userName is refused');
SELECT is(scim.user_get('pgtap02', :'alice') ->> 'userName', 'Alice@Example.com', 'failed PUTs changed nothing');
SELECT is(scim.user_replace('pgtap02', :'alice', format('{"userName": "Alice@Example.com", "id": "%s", "password": "N3wPass"}', :'bob')::jsonb) ->> 'id',
		  :'alice', 'an id in the PUT body is ignored');
SELECT ok(scim.password_verify('pgtap02', 'alice@example.com', 'N3wPass')
		  AND NOT scim.password_verify('pgtap02', 'alice@example.com', 'Sup3rS3cret!'),
		  'PUT with a password replaces it');
SELECT is(scim.user_replace('pgtap02', :'alice', '{"userName": "Alice@Example.com", "active": false}') -> 'active',
		  'false'::jsonb, 'PUT with active false deactivates');
SELECT is(scim.user_get('pgtap02', :'alice') -> 'active', 'false'::jsonb, 'a deactivated user is still readable');
SELECT ok(NOT scim.password_verify('pgtap02', 'alice@example.com', 'N3wPass'), 'an inactive user''s password never matches');
SELECT is(scim.user_replace('pgtap02', :'alice', '{"userName": "Alice@Example.com"}') -> 'active',
		  'false'::jsonb, 'PUT without active does not reactivate');
SELECT is(scim.user_replace('pgtap02', :'alice', '{"userName": "Alice@Example.com", "active": true}') -> 'active',
		  'true'::jsonb, 'PUT with active true reactivates');

-- -------------------------------------------------------- PUT, merge mode

SELECT is(scim.tenant_configure('pgtap02', '{"put_mode": "merge"}') ->> 'put_mode', 'merge', 'put_mode set to merge');
SELECT scim.user_create('pgtap02', '{"userName": "frank", "title": "Cook", "nickName": "Frankie",
	"name": {"givenName": "Frank", "familyName": "Ocean"}}') ->> 'id' AS frank \gset
CREATE TEMP TABLE frank_put AS
SELECT scim.user_replace('pgtap02', :'frank', '{"userName": "frank", "title": "Chef"}') AS doc;
SELECT is(doc ->> 'title', 'Chef', 'merge PUT changes what it sends') FROM frank_put;
SELECT is(doc ->> 'nickName', 'Frankie', 'merge PUT keeps omitted attributes') FROM frank_put;
SELECT is(doc -> 'name' ->> 'familyName', 'Ocean', 'merge PUT keeps the omitted name') FROM frank_put;
SELECT is(doc -> 'meta' ->> 'version', 'W/"2"', 'merge PUT moves the version once') FROM frank_put;
SELECT is(scim.user_replace('pgtap02', :'frank', '{"userName": "frank"}') -> 'meta' ->> 'version', 'W/"2"',
		  'a merge PUT that changes nothing keeps the version');
SELECT scim.tenant_configure('pgtap02', '{"put_mode": null}') \gset _

-- ------------------------------------------------------------------ PATCH

SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "title", "value": "Chef"}')) ->> 'title',
		  'Chef', 'PATCH replace sets an attribute');
SELECT is(scim.user_get('pgtap02', :'bob') -> 'meta' ->> 'version', 'W/"2"', 'PATCH moves the version');
SELECT scim.user_get('pgtap02', :'bob') -> 'meta' ->> 'lastModified' AS bob_modified \gset
SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "title", "value": "Chef"}')) -> 'meta' ->> 'version',
		  'W/"2"', 'a no-op PATCH keeps the version');
SELECT is(scim.user_get('pgtap02', :'bob') -> 'meta' ->> 'lastModified', :'bob_modified',
		  'a no-op PATCH keeps lastModified');
SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "Replace", "path": "nickName", "value": "B"}')) ->> 'nickName',
		  'B', 'op names are case-insensitive (Entra sends Replace)');
SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:role", "value": "moderator"}')) ->> 'role',
		  'moderator', 'a schema-qualified path to role works (Entra, Zulip issue #39773)');
SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Kitchen"}'))
		  -> 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', '{"department": "Kitchen"}'::jsonb,
		  'an enterprise extension attribute is set through its URN path');
SELECT ok(scim.user_get('pgtap02', :'bob') -> 'schemas' ? 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
		  'and the extension is listed in schemas');
SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "replace", "value": {"active": false}}')) -> 'active',
		  'false'::jsonb, 'a path-less replace with an object works (Okta deactivation)');
SELECT is(scim.user_get('pgtap02', :'bob') -> 'active', 'false'::jsonb, 'the PATCH-deactivated user is readable');
SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "active", "value": "True"}')) -> 'active',
		  'true'::jsonb, 'the string boolean "True" reactivates');
SELECT is(scim.user_patch('pgtap02', :'bob', pg_temp.ops(
			'{"op": "add", "path": "emails", "value": [{"value": "bob@work.example", "type": "work"}]}',
			'{"op": "add", "path": "emails", "value": [{"value": "bob@home.example", "type": "home"}]}')) -> 'emails',
		  '[{"value": "bob@work.example", "type": "work"}, {"value": "bob@home.example", "type": "home"}]'::jsonb,
		  'add appends to a multi-valued attribute, operations apply in order');
SELECT is(scim.user_get('pgtap02', :'bob') -> 'meta' ->> 'version', 'W/"8"',
		  'a PATCH of several operations is one version step');

SELECT scim.user_create('pgtap02', '{"userName": "erin", "name": {"givenName": "Erin", "familyName": "Hale"}}') ->> 'id' AS erin \gset
CREATE TEMP TABLE erin_patch AS
SELECT scim.user_patch('pgtap02', :'erin', pg_temp.ops('{"op": "replace", "path": "name.givenName", "value": "Erin-Marie"}')) AS doc;
SELECT is(doc -> 'name' ->> 'formatted', 'Erin-Marie Hale', 'a derived name.formatted is recomputed after a change')
  FROM erin_patch;
SELECT is(doc ->> 'displayName', 'Erin-Marie Hale', 'a derived displayName is recomputed after a change') FROM erin_patch;
SELECT is(scim.user_patch('pgtap02', :'erin', pg_temp.ops('{"op": "replace", "path": "displayName", "value": "EH"}')) ->> 'displayName',
		  'EH', 'an explicit displayName replaces the derived one');
SELECT is(scim.user_patch('pgtap02', :'erin', pg_temp.ops('{"op": "replace", "path": "name.familyName", "value": "Hill"}')) ->> 'displayName',
		  'EH', 'an explicit displayName is not overwritten by derivation');

SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops('{"op": "remove", "path": "userName"}')),
				 '55000', 'operation 1: attribute "userName" is required and cannot be removed',
				 'removing the required userName is a mutability error');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops('{"op": "remove"}')),
				 '42704', 'operation 1: remove requires a "path"', 'remove without a path is noTarget');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "shoeSize", "value": 1}')),
				 '42703', 'operation 1: unknown attribute "shoeSize" in path "shoeSize"', 'an unknown path is invalidPath');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops('{"op": "move", "path": "title", "value": 1}')),
				 '22P02', 'operation 1: unknown PATCH op "move"', 'an unknown op is invalidSyntax');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', '{"Operations": []}'),
				 '22P02', 'the PATCH body must have a non-empty "Operations" array', 'an empty PATCH is invalidSyntax');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "id", "value": "00000000-0000-0000-0000-000000000000"}')),
				 '55000', 'operation 1: attribute "id" is readOnly', 'id cannot be changed');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops(
					'{"op": "replace", "path": "title", "value": "Sous-chef"}',
					'{"op": "replace", "path": "active", "value": "maybe"}')),
				 '22023', 'operation 2: attribute "active" must be a boolean', 'a bad second operation fails the PATCH');
SELECT is(scim.user_get('pgtap02', :'bob') ->> 'title', 'Chef', 'PATCH is atomic: the first operation was not kept');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "role", "value": "chief"}')),
				 '22023', 'role "chief" is not one of this organization''s roles: owner, administrator, moderator, member, guest',
				 'PATCH to an unknown role is refused');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "userName", "value": "CAROL"}')),
				 '23505', 'userName "CAROL" is already in use', 'PATCH onto another user''s userName is 409');
SELECT is(scim.user_get('pgtap02', :'bob') -> 'meta' ->> 'version', 'W/"8"', 'failed PATCHes left the version alone');

-- deactivated users stay visible to the IdP's lookup
SELECT scim.user_patch('pgtap02', :'bob', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) \gset _
SELECT is(scim.user_list('pgtap02', 'userName eq "BOB"') -> 'Resources' -> 0 ->> 'id', :'bob',
		  'filter userName eq finds a deactivated user (case-insensitively)');
SELECT is(scim.user_list('pgtap02', 'userName eq "BOB"') -> 'Resources' -> 0 -> 'active', 'false'::jsonb,
		  'and shows it inactive');

-- ----------------------------------------------------- last active owner

SELECT scim.tenant_create('pgtap02_own') \gset _
SELECT scim.user_create('pgtap02_own', '{"userName": "owner1", "role": "owner"}') ->> 'id' AS owner1 \gset
SELECT scim.user_create('pgtap02_own', '{"userName": "member1"}') ->> 'id' AS member1 \gset

SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02_own', :'owner1', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')),
				 '55000', 'cannot deactivate the organization''s last active owner', 'the last owner cannot be deactivated');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02_own', :'owner1', pg_temp.ops('{"op": "replace", "path": "role", "value": "member"}')),
				 '55000', 'cannot demote the organization''s last active owner', 'the last owner cannot be demoted');
SELECT throws_ok(format('SELECT scim.user_replace(%L, %L, %L)', 'pgtap02_own', :'owner1', '{"userName": "owner1", "role": "administrator"}'),
				 '55000', 'cannot demote the organization''s last active owner', 'nor demoted by PUT');
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap02_own', :'owner1'),
				 '55000', 'cannot delete the organization''s last active owner', 'the last owner cannot be deleted');
SELECT is(scim.user_replace('pgtap02_own', :'owner1', '{"userName": "owner1", "title": "CEO"}') ->> 'role', 'owner',
		  'a PUT that omits role leaves the last owner an owner');
SELECT lives_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02_own', :'member1', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')),
				'other users can still be deactivated');
SELECT scim.user_create('pgtap02_own', '{"userName": "owner3", "role": "owner", "active": false}') ->> 'id' AS owner3 \gset
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02_own', :'owner1', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')),
				 '55000', 'cannot deactivate the organization''s last active owner', 'an inactive owner does not count');
SELECT scim.user_create('pgtap02_own', '{"userName": "owner2", "role": "owner"}') ->> 'id' AS owner2 \gset
SELECT is(scim.user_patch('pgtap02_own', :'owner1', pg_temp.ops('{"op": "replace", "path": "role", "value": "member"}')) ->> 'role',
		  'member', 'with a second active owner the first can be demoted');
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap02_own', :'owner2'),
				 '55000', 'cannot delete the organization''s last active owner', 'the remaining owner is now protected');
SELECT is(scim.user_patch('pgtap02_own', :'owner3', pg_temp.ops('{"op": "replace", "path": "active", "value": true}')) -> 'active',
		  'true'::jsonb, 'reactivating an owner is allowed');
SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap02_own', :'owner2'),
				'with another active owner an owner can be deleted');
SELECT scim.tenant_configure('pgtap02_own', '{"protect_last_owner": false}') \gset _
SELECT is(scim.user_patch('pgtap02_own', :'owner3', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) -> 'active',
		  'false'::jsonb, 'without protect_last_owner the last owner can be deactivated');

-- ---------------------------------------------------------- DELETE basics

SELECT lives_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap02', :'erin'), 'DELETE removes a user');
SELECT throws_ok(format('SELECT scim.user_get(%L, %L)', 'pgtap02', :'erin'), 'P0002',
				 format('user "%s" not found', :'erin'), 'a deleted user is not found');
SELECT throws_ok(format('SELECT scim.user_delete(%L, %L)', 'pgtap02', :'erin'), 'P0002',
				 format('user "%s" not found', :'erin'), 'deleting twice is not found');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap02', :'erin', pg_temp.ops('{"op": "replace", "path": "title", "value": "x"}')),
				 'P0002', format('user "%s" not found', :'erin'), 'a deleted user cannot be patched');
SELECT isnt(scim.user_create('pgtap02', '{"userName": "ERIN"}') ->> 'id', :'erin',
			'a deleted user''s userName is free again, under a new id');

SELECT * FROM finish();
ROLLBACK;
