--
-- The SQL API: every public function, its normal path and its errors.
-- Ids and timestamps are random, so results show what is stable.
--
\set VERBOSITY default
SET scim.base_url = 'https://scim.example/scim/v2';

-- a document without its random parts
CREATE FUNCTION stable(doc jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT (doc - 'id' - 'meta' - 'groups' - 'members')
		|| CASE WHEN doc ? 'meta' THEN jsonb_build_object('meta', (doc->'meta') - 'created' - 'lastModified' - 'location') ELSE '{}' END
$$;

-- run a statement; on error, its SQLSTATE and message with ids masked
CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'g');
END $$;

-- tenants
SELECT scim.tenant_create('acme');
SELECT scim.tenant_create('acme');
SELECT scim.tenant_create('');
SELECT scim.tenant_create(NULL);
SELECT scim.tenant_create('bad', '{"no_such_setting": 1}');
SELECT scim.tenant_create('bad', '{"max_results": "many"}');
SELECT scim.tenant_create('bad', '{"max_results": 0}');
SELECT scim.tenant_create('bad', '{"user_delete": "shred"}');
SELECT scim.tenant_create('bad', '{"default_role": "emperor"}');
SELECT scim.tenant_create('bad', '[]');
SELECT count(*) FROM scim.tenants WHERE tenant_id = 'bad';
SELECT scim.tenant_configure('acme', '{"max_results": 50, "default_role": "guest"}');
SELECT scim.tenant_configure('acme', '{"max_results": null, "default_role": null}') ->> 'max_results';
SELECT scim.tenant_configure('nobody', '{}');
SELECT scim.tenant_configure('acme', NULL);
SELECT scim.tenant_configure('acme', '{"roles": ["a", 1]}');
SELECT scim.tenant_configure('acme', '{"roles": ["a", "b"]}');

-- tokens
SELECT scim.token_issue('acme', 'okta') ~ '^scim_[0-9a-f]{64}$' AS well_formed;
SELECT scim.token_issue('acme', 'okta');
SELECT scim.token_issue('nobody', 'x');
SELECT scim.token_issue('acme', '');
SELECT scim.token_issue('acme') IS NOT NULL AS unlabelled;
SELECT label, length(token_hash) FROM scim.tokens WHERE tenant_id = 'acme' AND label = 'okta';
SELECT scim.token_revoke('acme', 'okta');
SELECT scim.token_revoke('acme', 'okta');
SELECT scim.token_revoke('acme', NULL);

-- users: create
SELECT stable(scim.user_create('acme', '{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName": "Barbara@Example.com",
	"name": {"givenName": "Barbara", "familyName": "Jensen"},
	"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
	"externalId": "00u1", "password": "s3cret", "groups": [], "id": "ignored",
	"meta": {"created": "04-12-2018 00:00:00"}}'));
SELECT scim.user_create('acme', '{"userName": "barbara@example.COM"}');
SELECT scim.user_create('acme', '{"name": {"formatted": "No Name"}}');
SELECT scim.user_create('acme', '{"userName": ""}');
SELECT scim.user_create('acme', '{"userName": 42}');
SELECT scim.user_create('acme', '{"userName": "x", "active": "maybe"}');
SELECT scim.user_create('acme', '{"userName": "x", "shoeSize": 42}');
SELECT scim.user_create('acme', '{"userName": "x", "name": "Just a string"}');
SELECT scim.user_create('acme', '{"userName": "x", "name": {"nickname": "x"}}');
SELECT scim.user_create('acme', '{"userName": "x", "emails": [{"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}]}');
SELECT scim.user_create('acme', '{"userName": "x", "role": "emperor"}');
SELECT scim.user_create('acme', '{"userName": "x", "schemas": "urn:x"}');
SELECT scim.user_create('acme', '[1, 2]');
SELECT scim.user_create('nobody', '{"userName": "x"}');
SELECT scim.user_create(NULL, '{"userName": "x"}');
SELECT scim.user_create('acme', NULL);
-- Entra's shape: formatted name, enterprise extension, string boolean
SELECT stable(scim.user_create('acme', '{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"userName": "carl@example.com", "active": "True", "externalId": "carl",
	"name": {"formatted": "Carl van Dyke"},
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations", "manager": "26118915-6090-4610-87e4-49d8ca9f808d"},
	"roles": [], "role": "administrator"}'));
SELECT scim.password_verify('acme', 'BARBARA@example.com', 's3cret'),
	   scim.password_verify('acme', 'barbara@example.com', 'wrong'),
	   scim.password_verify('acme', 'carl@example.com', 's3cret'),
	   scim.password_verify('acme', 'nobody@example.com', 's3cret');
SELECT user_name, display_name, name_formatted, given_name, family_name, derived, password_hash LIKE '$2a$%' AS hashed
  FROM scim.users WHERE tenant_id = 'acme' ORDER BY user_name;

-- users: get
SELECT id AS barbara FROM scim.users WHERE tenant_id = 'acme' AND user_name = 'Barbara@Example.com' \gset
SELECT id AS carl FROM scim.users WHERE tenant_id = 'acme' AND user_name = 'carl@example.com' \gset
SELECT stable(scim.user_get('acme', :'barbara'));
SELECT scim.user_get('acme', :'barbara') -> 'meta' ->> 'location' = 'https://scim.example/scim/v2/Users/' || :'barbara' AS location;
SELECT scim.user_get('acme', '010101001010101011001010101011');
SELECT scim.user_get('acme', '00000000-0000-0000-0000-000000000000');
SELECT scim.user_get('acme', NULL);

-- users: replace (omitted attributes are cleared, role and active kept)
SELECT stable(scim.user_replace('acme', :'carl', '{"userName": "carl@example.com", "name": {"givenName": "Carl", "familyName": "Dyke"}}'));
SELECT scim.user_replace('acme', :'carl', '{"userName": "BARBARA@example.com"}');
SELECT scim.user_replace('acme', :'carl', '{"displayName": "no userName"}');
SELECT scim.user_replace('acme', 'nope', '{"userName": "x"}');

-- users: patch
SELECT stable(scim.user_patch('acme', :'barbara', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{"op": "replace", "value": {"active": false}}]}'));
SELECT stable(scim.user_patch('acme', :'barbara', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{"op": "Replace", "path": "active", "value": "True"}, {"op": "add", "path": "name.middleName", "value": "J"}]}'));
SELECT scim.user_patch('acme', :'barbara', '{"Operations": []}');
SELECT scim.user_patch('acme', :'barbara', '{"Operations": [{"op": "remove"}]}');
SELECT scim.user_patch('acme', :'barbara', '{"Operations": [{"op": "remove", "path": "userName"}]}');
SELECT scim.user_patch('acme', :'barbara', '{"Operations": [{"op": "replace", "path": "id", "value": "x"}]}');
SELECT scim.user_patch('acme', :'barbara', '{"Operations": [{"op": "replace", "path": "emails[type eq \"home\"", "value": "x"}]}');
SELECT scim.user_patch('acme', :'barbara', '{"Operations": [{"op": "frobnicate", "path": "title", "value": "x"}]}');
SELECT scim.user_patch('acme', :'barbara', '{"Operations": [{"op": "replace", "path": "active", "value": "no"}]}');
SELECT scim.user_patch('acme', 'nope', '{"Operations": [{"op": "replace", "path": "title", "value": "x"}]}');
-- a failed operation leaves nothing behind
SELECT scim.user_patch('acme', :'barbara', '{"Operations": [{"op": "replace", "path": "title", "value": "Boss"}, {"op": "remove", "path": "userName"}]}');
SELECT title IS NULL AS untouched FROM (SELECT attrs ->> 'title' AS title FROM scim.users WHERE id = :'barbara') t;

-- groups
SELECT stable(scim.group_create('acme', format('{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
	"displayName": "Tour Guides", "externalId": "g1", "members": [{"value": "%s"}]}', :'barbara')::jsonb));
SELECT id AS guides FROM scim.groups WHERE tenant_id = 'acme' AND display_name = 'Tour Guides' \gset
SELECT jsonb_array_length(scim.group_get('acme', :'guides') -> 'members') AS members;
SELECT scim.group_create('acme', '{"displayName": "TOUR GUIDES"}');
SELECT scim.group_create('acme', '{"externalId": "no name"}');
SELECT scim.group_create('acme', '{"displayName": "   "}');
SELECT scim.group_create('acme', '{"displayName": "Bad", "members": [{"value": "not-a-uuid"}]}');
SELECT scim.group_create('acme', '{"displayName": "Bad", "members": [{"value": "00000000-0000-0000-0000-000000000000"}]}');
SELECT try(format($q$SELECT scim.group_create('acme', '{"displayName": "Bad", "members": [{"value": "%s", "type": "Group"}]}')$q$, :'barbara'));
SELECT scim.group_create('acme', '{"displayName": "Bad", "members": [{"display": "no value"}]}');
SELECT count(*) FROM scim.groups WHERE tenant_id = 'acme' AND display_name = 'Bad';
SELECT stable(scim.group_patch('acme', :'guides', format('{"Operations": [
	{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "%s"}]},
	{"op": "Replace", "path": "displayName", "value": "Guides"}]}', :'carl')::jsonb));
SELECT jsonb_array_length(scim.group_get('acme', :'guides') -> 'members') AS members;
SELECT jsonb_array_length(scim.group_patch('acme', :'guides', format('{"Operations": [
	{"op": "Remove", "path": "members", "value": [{"value": "%s"}]}]}', :'carl')::jsonb) -> 'members') AS after_legacy_remove;
SELECT scim.group_patch('acme', :'guides', format('{"Operations": [{"op": "replace", "path": "members[value eq \"%s\"].display", "value": "x"}]}', :'barbara')::jsonb);
SELECT scim.group_patch('acme', :'guides', '{"Operations": [{"op": "add", "path": "members", "value": [{"value": "00000000-0000-0000-0000-000000000000"}]}]}');
SELECT stable(scim.group_replace('acme', :'guides', '{"displayName": "Guides", "externalId": "g1"}'));
SELECT scim.group_replace('acme', 'nope', '{"displayName": "x"}');
SELECT scim.group_get('acme', 'nope');

-- lists
SELECT jsonb_build_object('total', l -> 'totalResults', 'page', l -> 'itemsPerPage', 'start', l -> 'startIndex',
						  'names', (SELECT jsonb_agg(r -> 'userName') FROM jsonb_array_elements(l -> 'Resources') r))
  FROM scim.user_list('acme', NULL, 1, 10, 'userName') AS l;
SELECT scim.user_list('acme', 'userName eq "CARL@example.com"') -> 'totalResults' AS found;
SELECT scim.user_list('acme', NULL, 0, 0);
SELECT scim.user_list('acme', 'userName zz "x"');
SELECT scim.user_list('acme', NULL, 1, 10, NULL, 'sideways');
SELECT scim.group_list('acme', 'displayName eq "guides"') -> 'totalResults' AS found;

-- deletes and the tenant's delete rules
SELECT scim.tenant_configure('acme', '{"user_delete": "reject"}') ->> 'user_delete';
SELECT scim.user_delete('acme', :'carl');
SELECT scim.tenant_configure('acme', '{"user_delete": "deactivate"}') ->> 'user_delete';
SELECT scim.user_delete('acme', :'carl');
SELECT active FROM scim.users WHERE id = :'carl';
SELECT scim.tenant_configure('acme', '{"user_delete": null}') ->> 'user_delete';
SELECT scim.user_delete('acme', :'carl');
SELECT try(format('SELECT scim.user_delete(%L, %L)', 'acme', :'carl'));
SELECT try(format('SELECT scim.user_get(%L, %L)', 'acme', :'carl'));
SELECT scim.group_delete('acme', :'guides');
SELECT try(format('SELECT scim.group_delete(%L, %L)', 'acme', :'guides'));
SELECT count(*) AS members_left FROM scim.members WHERE tenant_id = 'acme';

-- the change feed
SELECT resource_type, action, actor = 'sql:' || current_user AS by_me, changes ? 'attributes' AS lists_attributes
  FROM scim.events WHERE tenant_id = 'acme' ORDER BY seq;
SELECT count(*) AS secrets_in_events FROM scim.events WHERE changes::text LIKE '%s3cret%';
