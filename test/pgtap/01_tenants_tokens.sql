-- test/pgtap/01_tenants_tokens.sql
--	  Tenants, their settings (defaults, validation, the zulip preset) and
--	  bearer tokens (format, digest-only storage, labels, revocation,
--	  expiry, use through scim_api.handle).
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(52);

-- the settings named in keys, as one object (robust to settings added later)
CREATE FUNCTION pg_temp.pick(j jsonb, keys text[]) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT COALESCE(jsonb_object_agg(k, j -> k), '{}') FROM unnest(keys) AS k WHERE j ? k
$$;

-- one request through scim_api.handle; headers flattened into one object
CREATE FUNCTION pg_temp.http(p_method text, p_uri text, p_auth text,
							 p_body text DEFAULT NULL, p_extra jsonb DEFAULT '{}')
RETURNS TABLE(status int, body jsonb, headers jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	h jsonb := jsonb_build_object('x-scim-method', p_method, 'x-scim-uri', p_uri);
	r json;
BEGIN
	IF p_auth IS NOT NULL THEN
		h := h || jsonb_build_object('x-scim-authorization', p_auth);
	END IF;
	PERFORM set_config('request.headers', (h || p_extra)::text, true);
	PERFORM set_config('response.status', '', true);
	PERFORM set_config('response.headers', '', true);
	r := scim_api.handle(convert_to(COALESCE(p_body, ''), 'UTF8'));
	status := nullif(current_setting('response.status', true), '')::int;
	body := r::jsonb;
	SELECT COALESCE(jsonb_object_agg(x.key, x.value), '{}') INTO headers
	  FROM jsonb_array_elements(nullif(current_setting('response.headers', true), '')::jsonb) e,
		   jsonb_each_text(e) x;
	RETURN NEXT;
END
$$;

-- ---------------------------------------------------------------- tenants

SELECT lives_ok($$SELECT scim.tenant_create('pgtap01_a')$$, 'tenant_create makes a tenant');
SELECT is((SELECT settings FROM scim.tenants WHERE tenant_id = 'pgtap01_a'), '{}'::jsonb,
		  'a new tenant stores no explicit settings');
SELECT throws_ok($$SELECT scim.tenant_create('pgtap01_a')$$, '23505',
				 'tenant "pgtap01_a" already exists', 'a duplicate tenant is a uniqueness error');
SELECT throws_ok($$SELECT scim.tenant_create('')$$, '22023',
				 'tenant must not be empty', 'an empty tenant id is refused');
SELECT throws_ok($$SELECT scim.tenant_create(NULL)$$, '22023',
				 'tenant must not be null', 'a NULL tenant id is refused');
SELECT throws_ok($$SELECT scim.tenant_create('pgtap01_bad', '{"bogus": 1}')$$, '22023',
				 'unknown setting "bogus"', 'tenant_create refuses unknown settings');
SELECT is((SELECT count(*)::int FROM scim.tenants WHERE tenant_id = 'pgtap01_bad'), 0,
		  'a tenant_create with bad settings leaves no tenant');
SELECT lives_ok($$SELECT scim.tenant_create('pgtap01_b', '{"max_results": 7}')$$,
				'tenant_create accepts settings');
SELECT is((SELECT settings FROM scim.tenants WHERE tenant_id = 'pgtap01_b'), '{"max_results": 7}'::jsonb,
		  'tenant_create stores only the settings given');

-- defaults (README.md, "Settings")
SELECT is(pg_temp.pick(scim.tenant_configure('pgtap01_a', '{}'),
		  ARRAY['preset', 'roles', 'default_role', 'protect_last_owner', 'user_delete',
				'group_delete', 'list_deactivated_members', 'scim_may_modify_app_groups',
				'put_mode', 'max_results', 'bulk_max_operations', 'max_payload_bytes',
				'username_is_email', 'require_name', 'allow_create_inactive',
				'reserved_group_prefixes']),
		  '{"preset": "none", "roles": ["owner", "administrator", "moderator", "member", "guest"],
			"default_role": "member", "protect_last_owner": true, "user_delete": "delete",
			"group_delete": "delete", "list_deactivated_members": false,
			"scim_may_modify_app_groups": true, "put_mode": "replace", "max_results": 200,
			"bulk_max_operations": 1000, "max_payload_bytes": 1048576,
			"username_is_email": false, "require_name": false,
			"allow_create_inactive": true, "reserved_group_prefixes": []}'::jsonb,
		  'tenant_configure returns every default of the README');
SELECT is(scim.tenant_configure('pgtap01_b', '{}') -> 'max_results', '7'::jsonb,
		  'an explicit setting overrides the default');

-- the zulip preset
SELECT is(pg_temp.pick(scim.tenant_configure('pgtap01_a', '{"preset": "zulip"}'),
		  ARRAY['preset', 'username_is_email', 'require_name', 'allow_create_inactive',
				'put_mode', 'user_delete', 'reserved_group_prefixes', 'list_deactivated_members',
				'default_role', 'protect_last_owner']),
		  '{"preset": "zulip", "username_is_email": true, "require_name": true,
			"allow_create_inactive": false, "put_mode": "merge", "user_delete": "reject",
			"reserved_group_prefixes": ["@", "role:", "user:", "stream:", "channel:"],
			"list_deactivated_members": false, "default_role": "member",
			"protect_last_owner": true}'::jsonb,
		  'the zulip preset switches every Zulip-compatible choice at once');
SELECT is((SELECT settings FROM scim.tenants WHERE tenant_id = 'pgtap01_a'),
		  '{"preset": "zulip"}'::jsonb, 'the preset is stored as one setting, not expanded');
SELECT is(pg_temp.pick(scim.tenant_configure('pgtap01_a', '{"put_mode": "replace"}'),
		  ARRAY['put_mode', 'user_delete']),
		  '{"put_mode": "replace", "user_delete": "reject"}'::jsonb,
		  'an explicit setting wins over the preset, the rest of the preset stays');
SELECT is(scim.tenant_configure('pgtap01_a', '{"put_mode": null}') ->> 'put_mode', 'merge',
		  'null resets a setting: the preset value applies again');
SELECT is(pg_temp.pick(scim.tenant_configure('pgtap01_a', '{"preset": null}'),
		  ARRAY['put_mode', 'user_delete', 'username_is_email']),
		  '{"put_mode": "replace", "user_delete": "delete", "username_is_email": false}'::jsonb,
		  'resetting the preset brings back the defaults');

-- validation of settings
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '{"max_results": 0}')$$, '22023',
				 'setting "max_results" must be an integer between 1 and 10000',
				 'max_results below 1 is refused');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '{"max_results": "50"}')$$, '22023',
				 'setting "max_results" must be an integer', 'max_results must be a JSON number');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '{"user_delete": "archive"}')$$, '22023',
				 'setting "user_delete" must be one of "delete", "deactivate", "reject"',
				 'user_delete accepts only its choices');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '{"protect_last_owner": "yes"}')$$, '22023',
				 'setting "protect_last_owner" must be a boolean', 'boolean settings need booleans');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '{"default_role": "chief"}')$$, '22023',
				 'default_role "chief" is not one of the tenant''s roles',
				 'default_role must be one of the roles');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '{"roles": ["owner", "admin"]}')$$, '22023',
				 'default_role "member" is not one of the tenant''s roles',
				 'roles that no longer contain the default role are refused');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '{"roles": ["owner", ""]}')$$, '22023',
				 'setting "roles" must be an array of non-empty strings', 'roles must be non-empty strings');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', '[1, 2]')$$, '22023',
				 'settings must be a JSON object', 'settings must be an object');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_a', NULL)$$, '22023',
				 'settings must not be null', 'NULL settings are refused');
SELECT throws_ok($$SELECT scim.tenant_configure('pgtap01_nope', '{}')$$, 'P0002',
				 'tenant "pgtap01_nope" does not exist', 'configuring an unknown tenant is not found');
SELECT is((SELECT settings FROM scim.tenants WHERE tenant_id = 'pgtap01_a'), '{}'::jsonb,
		  'refused configurations changed nothing');
SELECT is(pg_temp.pick(scim.tenant_configure('pgtap01_a', '{"roles": ["admin", "staff"], "default_role": "staff"}'),
		  ARRAY['roles', 'default_role']),
		  '{"roles": ["admin", "staff"], "default_role": "staff"}'::jsonb,
		  'roles and default_role can change together');
SELECT is(scim.user_create('pgtap01_a', '{"userName": "role-check"}') ->> 'role', 'staff',
		  'a new user gets the configured default_role');

-- ----------------------------------------------------------------- tokens

SELECT scim.token_issue('pgtap01_a', 'ci') AS tok_a \gset
SELECT scim.token_issue('pgtap01_b', 'ci') AS tok_b \gset
SELECT scim.token_issue('pgtap01_a') AS tok_anon \gset

SELECT matches(:'tok_a'::text, '^scim_[0-9a-f]{64}$', 'a token is scim_ followed by 64 hex digits');
SELECT isnt(:'tok_a'::text, :'tok_b'::text, 'two tokens differ');
SELECT is((SELECT token_hash FROM scim.tokens WHERE tenant_id = 'pgtap01_a' AND label = 'ci'),
		  sha256(convert_to(:'tok_a', 'UTF8')), 'the stored value is the SHA-256 of the token');
SELECT is((SELECT count(*)::int FROM scim.tokens t
		   WHERE t::text LIKE '%' || substr(:'tok_a', 6) || '%'
			  OR encode(t.token_hash, 'escape') LIKE '%' || substr(:'tok_a', 6) || '%'), 0,
		  'the clear token is stored nowhere in scim.tokens');
SELECT matches((SELECT label FROM scim.tokens WHERE tenant_id = 'pgtap01_a'
				 AND token_hash = sha256(convert_to(:'tok_anon', 'UTF8'))),
			   '^token-[0-9a-f]{8}$', 'a token without a label gets a generated one');
SELECT is((SELECT tenant_id FROM scim.tokens WHERE token_hash = sha256(convert_to(:'tok_b', 'UTF8'))),
		  'pgtap01_b', 'the same label in another tenant is a separate token');
SELECT throws_ok($$SELECT scim.token_issue('pgtap01_a', 'ci')$$, '23505',
				 'tenant "pgtap01_a" already has a token labelled "ci"', 'a duplicate label is refused');
SELECT throws_ok($$SELECT scim.token_issue('pgtap01_a', '')$$, '22023',
				 'token label must not be empty', 'an empty label is refused');
SELECT throws_ok($$SELECT scim.token_issue('pgtap01_nope', 'x')$$, 'P0002',
				 'tenant "pgtap01_nope" does not exist', 'tokens need an existing tenant');

-- tokens at work
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig', 'Bearer ' || :'tok_a')),
		  200, 'a fresh token authenticates');
SELECT isnt((SELECT last_used FROM scim.tokens WHERE tenant_id = 'pgtap01_a' AND label = 'ci'), NULL,
			'a successful request records last_used');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig', 'Bearer ' || :'tok_a' || 'x')),
		  401, 'a token with one extra character is refused');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig',
										   'Bearer ' || encode(sha256(convert_to(:'tok_a', 'UTF8')), 'hex'))),
		  401, 'the stored digest is not itself a token');

SELECT throws_ok($$SELECT scim.token_revoke('pgtap01_b', 'nolabel')$$, 'P0002',
				 'tenant "pgtap01_b" has no token labelled "nolabel"', 'revoking an unknown label is not found');
SELECT lives_ok($$SELECT scim.token_revoke('pgtap01_a', 'ci')$$, 'token_revoke revokes');
SELECT is((SELECT count(*)::int FROM scim.tokens WHERE tenant_id = 'pgtap01_a' AND label = 'ci'), 0,
		  'the revoked token row is gone');
SELECT is((SELECT count(*)::int FROM scim.tokens WHERE tenant_id = 'pgtap01_b' AND label = 'ci'), 1,
		  'revoking a label in one tenant leaves the other tenant''s token');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig', 'Bearer ' || :'tok_a')),
		  401, 'a revoked token no longer authenticates');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig', 'Bearer ' || :'tok_b')),
		  200, 'the other tenant''s token still works');
SELECT throws_ok($$SELECT scim.token_revoke('pgtap01_a', 'ci')$$, 'P0002',
				 'tenant "pgtap01_a" has no token labelled "ci"', 'revoking twice is not found');
SELECT lives_ok($$SELECT scim.token_issue('pgtap01_a', 'ci')$$, 'a revoked label can be issued again');

-- expiry
SELECT scim.token_issue('pgtap01_a', 'old', now() - interval '1 hour') AS tok_old \gset
SELECT scim.token_issue('pgtap01_a', 'later', now() + interval '1 hour') AS tok_later \gset
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig', 'Bearer ' || :'tok_old')),
		  401, 'an expired token is refused');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig', 'Bearer ' || :'tok_later')),
		  200, 'a token before its expiry works');

SELECT * FROM finish();
ROLLBACK;
