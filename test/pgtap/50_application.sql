-- An application built on the extension (docs/application.md): its own tables
-- keyed to scim.users, a trigger and a change-feed consumer; SQL and HTTP
-- changes must produce identical resources and events.
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(45);

CREATE SCHEMA chat;
CREATE TABLE chat.profiles (
	tenant_id	text NOT NULL,
	user_id		uuid NOT NULL,
	status		text NOT NULL DEFAULT '',
	sessions	int NOT NULL DEFAULT 0,
	is_admin	boolean NOT NULL DEFAULT false,
	PRIMARY KEY (tenant_id, user_id),
	FOREIGN KEY (tenant_id, user_id) REFERENCES scim.users (tenant_id, id) ON DELETE CASCADE
);
CREATE FUNCTION chat.sync_profile() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO chat.profiles (tenant_id, user_id, is_admin)
		VALUES (NEW.tenant_id, NEW.id, NEW.role IN ('owner', 'administrator'));
	ELSE
		UPDATE chat.profiles
		   SET is_admin = NEW.role IN ('owner', 'administrator'),
			   sessions = CASE WHEN NEW.active THEN sessions ELSE 0 END
		 WHERE tenant_id = NEW.tenant_id AND user_id = NEW.id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER sync_profile AFTER INSERT OR UPDATE OF role, active ON scim.users
	FOR EACH ROW EXECUTE FUNCTION chat.sync_profile();
CREATE TABLE chat.feed_cursor (tenant_id text PRIMARY KEY, last_seq bigint NOT NULL);
CREATE TABLE chat.audit (tenant_id text, seq bigint, what text, PRIMARY KEY (tenant_id, seq));
CREATE FUNCTION chat.consume(tenant text, batch int DEFAULT 100) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	cursor_seq bigint;
	e scim.events;
	n int := 0;
BEGIN
	INSERT INTO chat.feed_cursor VALUES (tenant, 0) ON CONFLICT DO NOTHING;
	SELECT last_seq INTO cursor_seq FROM chat.feed_cursor WHERE tenant_id = tenant FOR UPDATE;
	FOR e IN SELECT * FROM scim.events_since(tenant, cursor_seq, batch) LOOP
		IF e.action IN ('deactivated', 'role_changed', 'deleted') THEN
			INSERT INTO chat.audit VALUES (tenant, e.seq, e.action || ' ' || e.resource_id);
		END IF;
		cursor_seq := e.seq;
		n := n + 1;
	END LOOP;
	UPDATE chat.feed_cursor SET last_seq = cursor_seq WHERE tenant_id = tenant;
	RETURN n;
END $$;

-- an HTTP request, as nginx would hand it to scim_api.handle
CREATE FUNCTION pg_temp.http(method text, uri text, body text, token text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('request.headers', json_build_object(
		'x-scim-method', method, 'x-scim-uri', uri,
		'x-scim-authorization', 'Bearer ' || token,
		'x-scim-host', 'scim.example', 'x-scim-scheme', 'https',
		'x-scim-content-type', 'application/scim+json')::text, true);
	RETURN scim_api.handle(convert_to(coalesce(body, ''), 'UTF8'))::jsonb;
END $$;
-- a resource without what differs between two creations
CREATE FUNCTION pg_temp.comparable(doc jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT (doc - 'id' - 'meta' - 'userName' - 'externalId')
		|| jsonb_build_object('meta', (doc -> 'meta') - 'created' - 'lastModified' - 'location')
$$;

SELECT scim.tenant_create('app-t');
SELECT scim.token_issue('app-t', 'idp') AS token \gset

-- 1. users created through SQL get a profile in the same transaction
SELECT scim.user_create('app-t', '{"userName": "grace@chat.test", "role": "administrator"}') ->> 'id' AS grace \gset
SELECT ok(EXISTS (SELECT 1 FROM chat.profiles WHERE tenant_id = 'app-t' AND user_id = :'grace'), 'SQL create makes a profile');
SELECT is((SELECT is_admin FROM chat.profiles WHERE user_id = :'grace'), true, 'administrators are admins in the app');
UPDATE chat.profiles SET sessions = 3 WHERE user_id = :'grace';

-- 2. ... and users created by the identity provider too
SELECT pg_temp.http('POST', '/scim/v2/Users', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "alan@chat.test", "name": {"givenName": "Alan", "familyName": "Turing"}}', :'token') ->> 'id' AS alan \gset
SELECT is(current_setting('response.status'), '201', 'HTTP create answers 201');
SELECT ok(EXISTS (SELECT 1 FROM chat.profiles WHERE tenant_id = 'app-t' AND user_id = :'alan'), 'HTTP create makes a profile');
SELECT is((SELECT is_admin FROM chat.profiles WHERE user_id = :'alan'), false, 'members are not admins');
UPDATE chat.profiles SET sessions = 2 WHERE user_id = :'alan';

-- 3. deactivation by the IdP revokes sessions inside the same transaction
SELECT pg_temp.http('PATCH', '/scim/v2/Users/' || :'alan', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]}', :'token');
SELECT is(current_setting('response.status'), '200', 'Okta deactivation answers 200');
SELECT is((SELECT sessions FROM chat.profiles WHERE user_id = :'alan'), 0, 'deactivation revoked the sessions');
SELECT is((SELECT sessions FROM chat.profiles WHERE user_id = :'grace'), 3, 'other users keep theirs');

-- 4. a role change reaches the app
SELECT pg_temp.http('PATCH', '/scim/v2/Users/' || :'alan', '{"Operations": [{"op": "Replace", "path": "role", "value": "owner"}]}', :'token');
SELECT is((SELECT is_admin FROM chat.profiles WHERE user_id = :'alan'), true, 'promotion by the IdP makes an admin');
SELECT scim.user_patch('app-t', :'grace', '{"Operations": [{"op": "replace", "path": "role", "value": "member"}]}') IS NOT NULL AS demoted;
SELECT is((SELECT is_admin FROM chat.profiles WHERE user_id = :'grace'), false, 'demotion through SQL removes admin');

-- 5. a failed SCIM request leaves the application's tables alone too
SELECT pg_temp.http('POST', '/scim/v2/Users', '{"userName": "bad@chat.test", "role": "emperor"}', :'token');
SELECT is(current_setting('response.status'), '400', 'an invalid role is refused');
SELECT is((SELECT count(*)::int FROM chat.profiles WHERE tenant_id = 'app-t'), 2, 'no profile for the refused user');
SELECT pg_temp.http('PATCH', '/scim/v2/Users/' || :'grace', '{"Operations": [{"op": "replace", "path": "active", "value": false}, {"op": "remove", "path": "userName"}]}', :'token');
SELECT is(current_setting('response.status'), '400', 'a PATCH failing in its second operation is refused');
SELECT is((SELECT sessions FROM chat.profiles WHERE user_id = :'grace'), 3, 'its first operation did not reach the app');

-- 6. the feed consumer handles each event exactly once
SELECT is(chat.consume('app-t', 2), 2, 'the first batch is handled');
SELECT cmp_ok(chat.consume('app-t'), '>', 0, 'the rest is handled');
SELECT is(chat.consume('app-t'), 0, 'nothing is handled twice');
SELECT is((SELECT count(*)::int FROM chat.audit WHERE tenant_id = 'app-t' AND what LIKE 'deactivated %'), 1, 'the deactivation was audited once');
SELECT is((SELECT count(*)::int FROM chat.audit WHERE tenant_id = 'app-t' AND what LIKE 'role_changed %'), 2, 'both role changes were audited');
SELECT is((SELECT last_seq FROM chat.feed_cursor WHERE tenant_id = 'app-t'),
		  (SELECT max(seq) FROM scim.events WHERE tenant_id = 'app-t'), 'the cursor is at the last event');
SELECT pg_temp.http('PATCH', '/scim/v2/Users/' || :'alan', '{"Operations": [{"op": "replace", "path": "active", "value": "True"}]}', :'token');
SELECT is(chat.consume('app-t'), 2, 'new events (patched, reactivated) are picked up');
SELECT is((SELECT count(*)::int FROM chat.audit WHERE tenant_id = 'app-t'), 3, 'reactivation is not audited by this app');

-- 7. deleting a user through SCIM removes its profile by the foreign key
SELECT pg_temp.http('DELETE', '/scim/v2/Users/' || :'grace', NULL, :'token');
SELECT is(current_setting('response.status'), '204', 'delete answers 204');
SELECT ok(NOT EXISTS (SELECT 1 FROM chat.profiles WHERE user_id = :'grace'), 'the profile went with the user');
SELECT is(chat.consume('app-t'), 1, 'the deletion is in the feed');
SELECT ok(EXISTS (SELECT 1 FROM chat.audit WHERE what = 'deleted ' || :'grace'), 'and audited');

-- 8. SQL and HTTP produce identical resources and events
SELECT scim.user_create('app-t', '{"userName": "sql@chat.test", "externalId": "s1", "name": {"formatted": "Ada Byron"}, "emails": [{"value": "ada@chat.test", "type": "work", "primary": true}], "title": "Countess", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Math"}}') AS sql_user \gset
SELECT pg_temp.http('POST', '/scim/v2/Users', '{"userName": "http@chat.test", "externalId": "h1", "name": {"formatted": "Ada Byron"}, "emails": [{"value": "ada@chat.test", "type": "work", "primary": true}], "title": "Countess", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Math"}}', :'token') AS http_user \gset
SELECT is(pg_temp.comparable(:'sql_user'::jsonb), pg_temp.comparable(:'http_user'::jsonb), 'created resources are identical');
SELECT is(scim.user_get('app-t', :'http_user'::jsonb ->> 'id') - 'meta', (:'http_user'::jsonb) - 'meta' - 'groups', 'the SQL API reads what HTTP wrote');
SELECT is((SELECT changes - 'userName' FROM scim.events WHERE resource_id = (:'sql_user'::jsonb ->> 'id')::uuid AND action = 'created'),
		  (SELECT changes - 'userName' FROM scim.events WHERE resource_id = (:'http_user'::jsonb ->> 'id')::uuid AND action = 'created'),
		  'creation events are identical');
SELECT is((SELECT actor FROM scim.events WHERE resource_id = (:'sql_user'::jsonb ->> 'id')::uuid AND action = 'created'),
		  'sql:' || current_user, 'SQL changes name the SQL role');
SELECT is((SELECT actor FROM scim.events WHERE resource_id = (:'http_user'::jsonb ->> 'id')::uuid AND action = 'created'),
		  'token:idp', 'HTTP changes name the token');
SELECT scim.user_patch('app-t', :'sql_user'::jsonb ->> 'id', '{"Operations": [{"op": "add", "path": "nickName", "value": "Ada"}, {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@math.test"}]}') AS sql_patched \gset
SELECT pg_temp.http('PATCH', '/scim/v2/Users/' || (:'http_user'::jsonb ->> 'id'), '{"Operations": [{"op": "add", "path": "nickName", "value": "Ada"}, {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@math.test"}]}', :'token') AS http_patched \gset
SELECT is(pg_temp.comparable(:'sql_patched'::jsonb), pg_temp.comparable(:'http_patched'::jsonb), 'patched resources are identical');
SELECT is((SELECT changes FROM scim.events WHERE resource_id = (:'sql_user'::jsonb ->> 'id')::uuid AND action = 'patched'),
		  (SELECT changes FROM scim.events WHERE resource_id = (:'http_user'::jsonb ->> 'id')::uuid AND action = 'patched'),
		  'patch events are identical');
SELECT is((:'sql_patched'::jsonb) -> 'meta' ->> 'version', 'W/"2"', 'one PATCH is one version');

-- groups: SQL and HTTP membership changes are the same rows
SELECT scim.group_create('app-t', format('{"displayName": "Staff", "members": [{"value": "%s"}]}', :'sql_user'::jsonb ->> 'id')::jsonb) ->> 'id' AS staff \gset
SELECT pg_temp.http('PATCH', '/scim/v2/Groups/' || :'staff', format('{"Operations": [{"op": "add", "path": "members", "value": [{"value": "%s"}]}]}', :'http_user'::jsonb ->> 'id'), :'token');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'app-t' AND group_id = :'staff'), 2, 'both doors add member rows');
SELECT is(jsonb_array_length(scim.group_get('app-t', :'staff') -> 'members'), 2, 'SQL sees both members');
SELECT is((SELECT jsonb_agg(m - '$ref') FROM jsonb_array_elements(pg_temp.http('GET', '/scim/v2/Groups/' || :'staff', NULL, :'token') -> 'members') m),
		  (SELECT jsonb_agg(m - '$ref') FROM jsonb_array_elements(scim.group_get('app-t', :'staff') -> 'members') m),
		  'HTTP and SQL list the same members');
SELECT is((SELECT array_agg(action ORDER BY seq) FROM scim.events WHERE resource_id = :'staff'),
		  ARRAY['created', 'members_added', 'members_added'], 'group events from both doors');
SELECT is((pg_temp.http('GET', '/scim/v2/Users/' || (:'http_user'::jsonb ->> 'id'), NULL, :'token') -> 'groups' -> 0 ->> 'display'), 'Staff', 'the user shows its group');

-- the application's own rows for a tenant are isolated too
SELECT scim.tenant_create('app-u');
SELECT scim.user_create('app-u', '{"userName": "grace@chat.test"}') IS NOT NULL AS other_tenant;
SELECT is((SELECT count(*)::int FROM chat.profiles WHERE tenant_id = 'app-u'), 1, 'the other tenant gets its own profile');
SELECT is((SELECT count(*)::int FROM scim.users WHERE lower(user_name) = 'grace@chat.test'), 1, 'the same userName lives in the other tenant only now');
SELECT is(chat.consume('app-u'), 1, 'each tenant has its own feed');
SELECT is((SELECT count(*)::int FROM chat.feed_cursor), 2, 'and its own cursor');
SELECT throws_ok($$INSERT INTO chat.profiles (tenant_id, user_id) VALUES ('app-u', '00000000-0000-0000-0000-000000000000')$$,
				 '23503', NULL, 'profiles need a SCIM user of the same tenant');
SELECT throws_ok(format($$INSERT INTO chat.profiles (tenant_id, user_id) VALUES ('app-u', %L)$$, :'alan'),
				 '23503', NULL, 'a user of another tenant does not do');

SELECT * FROM finish();
ROLLBACK;
