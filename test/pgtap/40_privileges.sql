-- test/pgtap/40_privileges.sql
--	  Least privilege and row-level security (src/sql/40_security.sql,
--	  http/roles.sql, docs/security.md): who owns what, what each role can
--	  and cannot read, write or execute, and that the owner itself sees
--	  one tenant at a time, the tenant the call resolved.
CREATE EXTENSION IF NOT EXISTS pgtap;
-- the test aids (scim._json_*, scim._filter_*): test/scim_test/
CREATE EXTENSION IF NOT EXISTS scim_test;

BEGIN;
SELECT plan(132);

-- q's first column (as text) run as role r; with tenant, scim.tenant is
-- that tenant while q runs.  An error propagates (throws_ok catches it,
-- and its rollback also undoes the SET ROLE).
CREATE FUNCTION pg_temp.as_role(r name, q text, tenant text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	res text;
	old text := coalesce(current_setting('scim.tenant', true), '');
BEGIN
	IF tenant IS NOT NULL THEN
		PERFORM set_config('scim.tenant', tenant, true);
	END IF;
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE q INTO res;
	RESET ROLE;
	PERFORM set_config('scim.tenant', old, true);
	RETURN res;
END
$$;

-- one request through scim_api.handle, as the current role
CREATE FUNCTION pg_temp.http(p_method text, p_uri text, p_auth text, p_body text DEFAULT NULL)
RETURNS TABLE(status int, body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	h jsonb := jsonb_build_object('x-scim-method', p_method, 'x-scim-uri', p_uri);
	r json;
BEGIN
	IF p_auth IS NOT NULL THEN
		h := h || jsonb_build_object('x-scim-authorization', p_auth);
	END IF;
	PERFORM set_config('request.headers', h::text, true);
	PERFORM set_config('response.status', '', true);
	PERFORM set_config('response.headers', '', true);
	r := scim_api.handle(convert_to(coalesce(p_body, ''), 'UTF8'));
	status := nullif(current_setting('response.status', true), '')::int;
	body := r::jsonb;
	RETURN NEXT;
END
$$;

-- ------------------------------------------------------------------ roles

SELECT has_role('scim_owner', 'the extension made its owner role');
SELECT has_role('scim_anon', 'roles.sql made scim_anon');
SELECT has_role('scim_web', 'roles.sql made scim_web');
SELECT has_role('scim_app', 'roles.sql made scim_app');
SELECT has_role('scim_admin', 'roles.sql made scim_admin');
SELECT isnt_superuser('scim_owner', 'scim_owner is not a superuser (superusers bypass row-level security)');
SELECT is((SELECT rolbypassrls OR rolcanlogin OR rolcreaterole OR rolcreatedb OR rolinherit
			 FROM pg_roles WHERE rolname = 'scim_owner'), false,
		  'scim_owner: NOBYPASSRLS NOLOGIN NOCREATEROLE NOCREATEDB NOINHERIT');
SELECT is((SELECT count(*)::int FROM pg_roles
			WHERE rolname IN ('scim_anon', 'scim_web', 'scim_app', 'scim_admin', 'scim_owner')
			  AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)), 0,
		  'none of the roles is a superuser, bypasses row-level security or makes roles or databases');
SELECT is((SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles
			WHERE rolname IN ('scim_anon', 'scim_web', 'scim_app', 'scim_admin', 'scim_owner')
			  AND rolcanlogin), ARRAY['scim_web'],
		  'scim_web is the only one that can log in');
SELECT is((SELECT rolinherit FROM pg_roles WHERE rolname = 'scim_web'), false,
		  'scim_web is NOINHERIT: it has nothing until it becomes scim_anon');
SELECT is_member_of('scim_anon', 'scim_web', 'scim_web may become scim_anon');

-- -------------------------------------------------------------- ownership

SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	 WHERE c.relnamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace)
	   AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'i')
	   AND c.relowner <> 'scim_owner'::regrole$$,
	'every table, index and sequence of the extension belongs to scim_owner');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace)
	   AND p.proowner <> 'scim_owner'::regrole$$,
	'every function of the extension belongs to scim_owner');
SELECT table_owner_is('scim', 'users', 'scim_owner', 'scim.users belongs to scim_owner');
SELECT function_owner_is('scim_api', 'handle', ARRAY['bytea'], 'scim_owner',
						 'scim_api.handle belongs to scim_owner');

-- ------------------------------------------------------ security definers

SELECT set_eq($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace) AND p.prosecdef$$,
	ARRAY['scim_api.handle(bytea)',
		  'scim.tenant_create(text,jsonb)', 'scim.tenant_configure(text,jsonb)',
		  'scim.token_issue(text,text,timestamp with time zone)', 'scim.token_revoke(text,text)',
		  'scim.user_create(text,jsonb)', 'scim.user_get(text,text)', 'scim.user_replace(text,text,jsonb)',
		  'scim.user_patch(text,text,jsonb)', 'scim.user_delete(text,text)',
		  'scim.user_list(text,text,integer,integer,text,text)',
		  'scim.group_create(text,jsonb)', 'scim.group_get(text,text)', 'scim.group_replace(text,text,jsonb)',
		  'scim.group_patch(text,text,jsonb)', 'scim.group_delete(text,text)',
		  'scim.group_list(text,text,integer,integer,text,text)',
		  'scim.password_verify(text,text,text)', 'scim.schema_extension_add(text,text,jsonb)',
		  'scim.bulk(text,jsonb)', 'scim.events_since(text,bigint,integer)',
		  'scim.events_channel(text)'],
	'exactly the entry points are SECURITY DEFINER (a new one must be reviewed here)');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace) AND p.prosecdef
	   AND NOT (p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp', 'scim.tenant=']::text[])$$,
	'every SECURITY DEFINER pins search_path to pg_catalog, pg_temp and starts with an empty scim.tenant');
SELECT is_definer('scim_api', 'handle', ARRAY['bytea'], 'scim_api.handle is SECURITY DEFINER');
SELECT isnt_definer('scim', 'events_prune', ARRAY['timestamp with time zone'],
					'events_prune deletes across tenants: it runs as its caller');
SELECT isnt_definer('scim', '_filter_explain', ARRAY['text', 'text', 'text', 'boolean'],
					'private helpers run as their caller');
SELECT is((SELECT bool_and(proleakproof) FROM pg_proc
			WHERE oid IN ('scim._lower(text)'::regprocedure, 'scim._like(text,text)'::regprocedure,
						  'scim._keys_contain(text[],text[])'::regprocedure,
						  'scim._email_keys(text,jsonb)'::regprocedure,
						  'scim._email_key(text,text)'::regprocedure)), true,
		  'the functions the indexes are built on are LEAKPROOF (usable as index conditions under RLS)');

-- ------------------------------------------------------------- PUBLIC

SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace)
	   AND has_function_privilege('public', p.oid, 'EXECUTE')$$,
	'PUBLIC may execute no function of the extension');
SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	 WHERE c.relnamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace)
	   AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
	   AND (has_table_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
			OR (c.relkind = 'S' AND has_sequence_privilege('public', c.oid, 'USAGE, SELECT, UPDATE')))$$,
	'PUBLIC has no privilege on any table or sequence of the extension');
SELECT ok(NOT has_schema_privilege('public', 'scim', 'CREATE')
		  AND NOT has_schema_privilege('public', 'scim_api', 'CREATE'),
		  'nobody but the installer may create objects in scim or scim_api');

-- ------------------------------------------------- row-level security

SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
	 WHERE c.relnamespace = 'scim'::regnamespace AND c.relkind IN ('r', 'p')
	   AND NOT (c.relrowsecurity AND c.relforcerowsecurity)$$,
	'every table with a tenant_id has row-level security, forced (it binds the owner too)');
SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
	 WHERE c.relnamespace = 'scim'::regnamespace AND c.relkind IN ('r', 'p')
	   AND NOT EXISTS (SELECT FROM pg_policies p
					   WHERE p.schemaname = 'scim' AND p.tablename = c.relname
						 AND p.policyname = 'tenant_isolation' AND p.cmd = 'ALL'
						 AND p.qual LIKE '%current_setting(''scim.tenant''::text, true)%'
						 AND p.with_check LIKE '%current_setting(''scim.tenant''::text, true)%')$$,
	'every such table has the tenant_isolation policy keyed on scim.tenant, for reads and writes');
SELECT policies_are('scim', 'tokens', ARRAY['tenant_isolation', 'token_lookup'],
					'scim.tokens: the tenant policy and the digest lookup');
SELECT policy_cmd_is('scim', 'tokens', 'token_lookup', 'SELECT', 'the digest lookup only reads');
SELECT policy_roles_are('scim', 'tokens', 'token_lookup', ARRAY['scim_owner'],
						'the digest lookup is for scim_owner only');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relnamespace = 'scim'::regnamespace
			AND relkind = 'r' AND relname IN ('tenants', 'tokens', 'users', 'groups', 'members', 'events')
			AND relrowsecurity AND relforcerowsecurity), 6,
		  'tenants, tokens, users, groups, members and events are all under forced RLS');

-- ------------------------------------------------------------ test data

\o /dev/null
SELECT scim.tenant_create('pgtap40_a');
SELECT scim.tenant_create('pgtap40_b');
SELECT scim.user_create('pgtap40_a', '{"userName": "ann@a.test", "password": "Secret-A-1"}') ->> 'id' AS ua \gset
SELECT scim.user_create('pgtap40_b', '{"userName": "bob@b.test", "emails": [{"value": "bob@b.test", "type": "work"}]}') ->> 'id' AS ub \gset
SELECT scim.group_create('pgtap40_a', format('{"displayName": "GA", "members": [{"value": "%s"}]}', :'ua')::jsonb) ->> 'id' AS ga \gset
SELECT scim.group_create('pgtap40_b', format('{"displayName": "GB", "members": [{"value": "%s"}]}', :'ub')::jsonb) ->> 'id' AS gb \gset
SELECT scim.token_issue('pgtap40_a', 'a1') AS tok_a \gset
SELECT scim.token_issue('pgtap40_b', 'b1') AS tok_b \gset
\o

-- --------------------------------------------------------- scim_owner: RLS

SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.users
		   WHERE tenant_id IN ('pgtap40_a', 'pgtap40_b')$$), '0',
		  'scim_owner without scim.tenant sees no user');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.tenants$$), '0',
		  'scim_owner without scim.tenant sees no tenant');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.tokens$$), '0',
		  'scim_owner without scim.tenant sees no token');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT string_agg(tenant_id || ':' || user_name, ',') FROM scim.users
		   WHERE tenant_id IN ('pgtap40_a', 'pgtap40_b')$$, 'pgtap40_a'), 'pgtap40_a:ann@a.test',
		  'scim_owner with scim.tenant = A sees A''s user only');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.users$$, 'pgtap40_a'), '1',
		  'scim_owner with scim.tenant = A: even without a WHERE, one tenant');
SELECT is(pg_temp.as_role('scim_owner', format($$SELECT count(*) FROM scim.users WHERE id = %L$$, :'ub'), 'pgtap40_a'), '0',
		  'scim_owner with scim.tenant = A cannot read B''s user by id');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.groups WHERE tenant_id = 'pgtap40_b'$$, 'pgtap40_a'), '0',
		  '... nor B''s groups');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.members WHERE tenant_id = 'pgtap40_b'$$, 'pgtap40_a'), '0',
		  '... nor B''s memberships');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.events WHERE tenant_id = 'pgtap40_b'$$, 'pgtap40_a'), '0',
		  '... nor B''s events');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.tokens WHERE tenant_id = 'pgtap40_b'$$, 'pgtap40_a'), '0',
		  '... nor B''s tokens');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.tenants$$, 'pgtap40_a'), '1',
		  '... nor B''s tenant row');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.members$$, 'pgtap40_a'), '1',
		  'scim_owner with scim.tenant = A sees A''s membership');
SELECT is(pg_temp.as_role('scim_owner',
		  $$WITH x AS (UPDATE scim.users SET active = false WHERE tenant_id = 'pgtap40_b' RETURNING 1) SELECT count(*) FROM x$$,
		  'pgtap40_a'), '0', 'scim_owner scoped to A updates none of B''s users');
SELECT is(pg_temp.as_role('scim_owner',
		  $$WITH x AS (DELETE FROM scim.groups WHERE tenant_id = 'pgtap40_b' RETURNING 1) SELECT count(*) FROM x$$,
		  'pgtap40_a'), '0', 'scim_owner scoped to A deletes none of B''s groups');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_owner',
		  $q$INSERT INTO scim.users (tenant_id, id, user_name) VALUES ('pgtap40_b', gen_random_uuid(), 'x@b.test')$q$,
		  'pgtap40_a')$$, '42501', NULL, 'scim_owner scoped to A cannot insert a row of B');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_owner',
		  $q$UPDATE scim.users SET tenant_id = 'pgtap40_b' WHERE tenant_id = 'pgtap40_a'$q$,
		  'pgtap40_a')$$, '42501', NULL, 'scim_owner scoped to A cannot move a row to B');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_owner',
		  $q$INSERT INTO scim.events (tenant_id, actor, resource_type, resource_id, action) VALUES ('pgtap40_b', 'x', 'User', gen_random_uuid(), 'created')$q$,
		  'pgtap40_a')$$, '42501', NULL, 'scim_owner scoped to A cannot write B''s change feed');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_owner',
		  $q$INSERT INTO scim.tokens (tenant_id, label, token_hash) VALUES ('pgtap40_b', 'x', '\x00')$q$,
		  'pgtap40_a')$$, '42501', NULL, 'scim_owner scoped to A cannot give B a token');

-- the token lookup: by digest, before the tenant is known
SELECT is(pg_temp.as_role('scim_owner', format($$SELECT string_agg(tenant_id || '/' || label, ',') FROM scim.tokens, set_config('scim.token_digest', %L, true)$$,
		  encode(sha256(convert_to(:'tok_b', 'UTF8')), 'hex'))), 'pgtap40_b/b1',
		  'with scim.token_digest set, scim_owner sees exactly the one token of that digest');
SELECT is(pg_temp.as_role('scim_owner', $$SELECT count(*) FROM scim.tokens, set_config('scim.token_digest', repeat('ab', 32), true)$$), '0',
		  'an unknown digest shows nothing');
SELECT is(pg_temp.as_role('scim_owner', format($$WITH d AS (SELECT set_config('scim.token_digest', %L, true)),
		  x AS (UPDATE scim.tokens SET last_used = now() FROM d RETURNING 1) SELECT count(*) FROM x$$,
		  encode(sha256(convert_to(:'tok_b', 'UTF8')), 'hex'))), '0',
		  'the digest lookup only reads: writing a token needs its tenant in scope');
SELECT set_config('scim.token_digest', '', true) \g /dev/null

-- indexes stay usable under row-level security (leakproof twins): a tenant
-- big enough for the planner to care
\o /dev/null
SELECT scim.tenant_create('pgtap40_big');
SELECT set_config('scim.tenant', 'pgtap40_big', true);
INSERT INTO scim.users (tenant_id, id, user_name, attrs)
SELECT 'pgtap40_big', gen_random_uuid(), 'user' || i || '@big.test',
	   jsonb_build_object('emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@big.test', 'type', 'work')))
  FROM generate_series(1, 5000) AS i;
INSERT INTO scim.groups (tenant_id, id, display_name)
SELECT 'pgtap40_big', gen_random_uuid(), 'group ' || i FROM generate_series(1, 2000) AS i;
SELECT set_config('scim.tenant', '', true);
ANALYZE scim.users;
ANALYZE scim.groups;
\o
SELECT matches(pg_temp.as_role('scim_owner',
		  $$SELECT string_agg(line, ' ') FROM scim._filter_explain('pgtap40_big', 'User', 'userName eq "USER42@big.test"') AS e(line)$$),
		  'Index Cond: .*scim\._lower\(user_name\) = ', 'under RLS, userName eq is an index condition');
SELECT matches(pg_temp.as_role('scim_owner',
		  $$SELECT string_agg(line, ' ') FROM scim._filter_explain('pgtap40_big', 'User', 'userName sw "user4242"') AS e(line)$$),
		  'Index Cond: .*scim\._lower\(user_name\) ~>=~ ', 'under RLS, userName sw is an index range');
SELECT matches(pg_temp.as_role('scim_owner',
		  $$SELECT string_agg(line, ' ') FROM scim._filter_explain('pgtap40_big', 'User', 'emails eq "user42@big.test"') AS e(line)$$),
		  'Index Cond: \(scim\._email_keys\(tenant_id, attrs\) OPERATOR\(scim\.@>>\)', 'under RLS, emails eq uses the emails index, led by the tenant');
SELECT matches(pg_temp.as_role('scim_owner',
		  $$SELECT string_agg(line, ' ') FROM scim._filter_explain('pgtap40_big', 'Group', 'displayName eq "Group 42"') AS e(line)$$),
		  'Index Cond: .*scim\._lower\(display_name\) = ', 'under RLS, displayName eq is an index condition');

-- ------------------------------------------- the SQL API under RLS

SELECT is(scim.user_get('pgtap40_a', :'ua') ->> 'userName', 'ann@a.test', 'user_get finds a user of its tenant');
SELECT throws_ok(format($$SELECT scim.user_get('pgtap40_a', %L)$$, :'ub'), 'P0002', NULL,
				 'user_get of another tenant''s user is not found');
SELECT throws_ok(format($$SELECT scim.user_patch('pgtap40_a', %L, '{"Operations": [{"op": "replace", "path": "active", "value": false}]}')$$, :'ub'),
				 'P0002', NULL, 'user_patch of another tenant''s user is not found');
SELECT throws_ok(format($$SELECT scim.user_delete('pgtap40_a', %L)$$, :'ub'), 'P0002', NULL,
				 'user_delete of another tenant''s user is not found');
SELECT throws_ok(format($$SELECT scim.group_get('pgtap40_a', %L)$$, :'gb'), 'P0002', NULL,
				 'group_get of another tenant''s group is not found');
SELECT is((scim.user_list('pgtap40_a', format('id eq "%s"', :'ub')) ->> 'totalResults')::int, 0,
		  'filtering on another tenant''s id finds nothing');
SELECT is((scim.user_list('pgtap40_a', 'userName eq "bob@b.test" or userName pr') ->> 'totalResults')::int, 1,
		  'an "or" in a filter never reaches beyond the tenant');
SELECT throws_ok(format($$SELECT scim.group_patch('pgtap40_a', %L, '{"Operations": [{"op": "add", "path": "members", "value": [{"value": "%s"}]}]}')$$,
						:'ga', :'ub'), '22023', NULL, 'a member from another tenant is invalidValue');
SELECT throws_ok(format($$SELECT scim.group_create('pgtap40_a', '{"displayName": "GX", "members": [{"value": "%s"}]}')$$, :'gb'),
				 '22023', NULL, 'a group of another tenant as a member is invalidValue');
SELECT is((SELECT active FROM scim.users WHERE id = :'ub'), true, 'B''s user is untouched');
SELECT is((SELECT count(*)::int FROM scim.members WHERE tenant_id = 'pgtap40_a'), 1, 'A''s group still has one member');
SELECT ok(scim.password_verify('pgtap40_a', 'ANN@a.test', 'Secret-A-1'), 'password_verify works under RLS (pgcrypto reachable)');
SELECT ok(NOT scim.password_verify('pgtap40_b', 'ann@a.test', 'Secret-A-1'), 'password_verify never looks into another tenant');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM scim.events_since('pgtap40_b', 0, 100)),
		  (SELECT array_agg(seq ORDER BY seq) FROM scim.events WHERE tenant_id = 'pgtap40_b'),
		  'events_since scopes itself to its tenant: all of B''s events');
SELECT is((SELECT count(*)::int FROM scim.events_since('pgtap40_nobody', 0, 100)), 0,
		  'events_since of an unknown tenant is empty');
SELECT is(current_setting('scim.tenant', true), '', 'after the calls, scim.tenant is empty again');
SELECT is((SELECT actor FROM scim.events WHERE tenant_id = 'pgtap40_a' ORDER BY seq LIMIT 1), 'sql:' || current_user,
		  'the actor of an SQL API call is the caller, not the function owner');

-- ------------------------------------------------------------ scim_anon

SELECT function_privs_are('scim_api', 'handle', ARRAY['bytea'], 'scim_anon', ARRAY['EXECUTE'],
						  'scim_anon may execute scim_api.handle');
SELECT schema_privs_are('scim_api', 'scim_anon', ARRAY['USAGE'], 'scim_anon may use schema scim_api');
SELECT schema_privs_are('scim', 'scim_anon', ARRAY[]::text[], 'scim_anon has nothing on schema scim');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace)
	   AND has_function_privilege('scim_anon', p.oid, 'EXECUTE')
	   AND p.oid <> 'scim_api.handle(bytea)'::regprocedure$$,
	'scim_anon may execute nothing else of the extension');
SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	 WHERE c.relnamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace, 'public'::regnamespace)
	   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
	   AND NOT EXISTS (SELECT FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
					   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
						 AND e.extname <> 'scim')	-- pgTAP's own views
	   AND (has_table_privilege('scim_anon', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
			OR has_any_column_privilege('scim_anon', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))$$,
	'scim_anon has no privilege on any table');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_anon', 'SELECT count(*) FROM scim.users')$$, '42501', NULL,
				 'scim_anon cannot read scim.users');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_anon', 'SELECT count(*) FROM scim.tokens')$$, '42501', NULL,
				 'scim_anon cannot read scim.tokens');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_anon', $q$SELECT scim.user_list('pgtap40_a')$q$)$$, '42501', NULL,
				 'scim_anon cannot call the SQL API');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_anon', $q$SELECT scim.token_issue('pgtap40_a', 'evil')$q$)$$, '42501', NULL,
				 'scim_anon cannot issue tokens');
SELECT is(pg_temp.as_role('scim_anon', format($$SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', %L)$$, 'Bearer ' || :'tok_a')), '200',
		  'scim_anon: scim_api.handle does its work with the privileges it has');
SELECT is(pg_temp.as_role('scim_anon', format($$SELECT body ->> 'totalResults' FROM pg_temp.http('GET', '/scim/v2/Users', %L)$$, 'Bearer ' || :'tok_b')), '1',
		  'B''s token lists B''s one user');
SELECT is(pg_temp.as_role('scim_anon', format($$SELECT status FROM pg_temp.http('GET', '/scim/v2/Users/%s', %L)$$, :'ua', 'Bearer ' || :'tok_b')), '404',
		  'B''s token gets 404 for A''s user');
SELECT is(pg_temp.as_role('scim_anon', format($$SELECT status FROM pg_temp.http('POST', '/scim/v2/Users', %L, '{"userName": "carl@a.test"}')$$, 'Bearer ' || :'tok_a')), '201',
		  'scim_anon: a write through handle works');
SELECT is((SELECT actor FROM scim.events WHERE tenant_id = 'pgtap40_a' AND changes::text LIKE '%carl@a.test%'), 'token:a1',
		  'its event names the token by label');
SELECT is((SELECT count(*)::int FROM scim.events
			WHERE actor LIKE '%' || substr(:'tok_a', 6) || '%' OR changes::text LIKE '%' || substr(:'tok_a', 6) || '%'), 0,
		  'no event holds the clear token');
SELECT is(pg_temp.as_role('scim_anon', format($$SELECT body::text LIKE '%%' || %L || '%%' FROM pg_temp.http('GET', '/scim/v2/Users', %L)$$,
		  substr(:'tok_a', 6, 40) || 'x', 'Bearer ' || substr(:'tok_a', 1, 45) || 'x')), 'false',
		  'a rejected token is not echoed in the error');
SELECT is(pg_temp.as_role('scim_anon', format($$SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', %L)$$,
		  'Bearer ' || encode(sha256(convert_to(:'tok_a', 'UTF8')), 'hex'))), '401',
		  'the digest is not a credential');
SELECT is(current_setting('scim.tenant', true), '', 'handle leaves scim.tenant empty behind it');
SELECT is(current_setting('scim.token_digest', true), '', '... and scim.token_digest too');

-- -------------------------------------------------------------- scim_web

SELECT is(has_function_privilege('scim_web', 'scim_api.handle(bytea)', 'EXECUTE'), false,
		  'scim_web (NOINHERIT) cannot even execute handle without becoming scim_anon');
SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	 WHERE c.relnamespace IN ('scim'::regnamespace, 'scim_api'::regnamespace, 'public'::regnamespace)
	   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
	   AND NOT EXISTS (SELECT FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
					   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
						 AND e.extname <> 'scim')	-- pgTAP's own views
	   AND has_table_privilege('scim_web', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')$$,
	'scim_web has no privilege on any table');

-- -------------------------------------------------------------- scim_app

SELECT is_empty($$
	SELECT f FROM unnest(ARRAY['scim.user_create(text,jsonb)', 'scim.user_get(text,text)',
		'scim.user_replace(text,text,jsonb)', 'scim.user_patch(text,text,jsonb)', 'scim.user_delete(text,text)',
		'scim.user_list(text,text,integer,integer,text,text)', 'scim.group_create(text,jsonb)',
		'scim.group_get(text,text)', 'scim.group_replace(text,text,jsonb)', 'scim.group_patch(text,text,jsonb)',
		'scim.group_delete(text,text)', 'scim.group_list(text,text,integer,integer,text,text)',
		'scim.bulk(text,jsonb)', 'scim.events_since(text,bigint,integer)', 'scim.events_channel(text)',
		'scim.password_verify(text,text,text)', 'scim.schema_extension_add(text,text,jsonb)',
		'scim.tenant_create(text,jsonb)', 'scim.tenant_configure(text,jsonb)']) AS f
	 WHERE NOT has_function_privilege('scim_app', f, 'EXECUTE')$$,
	'scim_app may call the whole SQL API');
SELECT is_empty($$
	SELECT f FROM unnest(ARRAY['scim.token_issue(text,text,timestamp with time zone)', 'scim.token_revoke(text,text)',
		'scim.events_prune(timestamp with time zone)', 'scim_api.handle(bytea)',
		'scim._filter_explain(text,text,text,boolean)', 'scim._filter_to_sql(text,text)',
		'scim._json_write(text)', 'scim._json_to_jsonb(text)']) AS f
	 WHERE has_function_privilege('scim_app', f, 'EXECUTE')$$,
	'scim_app may not touch tokens, prune events, nor call handle or the debugging helpers');
SELECT table_privs_are('scim', 'tokens', 'scim_app', ARRAY[]::text[], 'scim_app has no privilege on scim.tokens');
SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	 WHERE c.relnamespace = 'scim'::regnamespace AND c.relkind IN ('r', 'p', 'S')
	   AND (has_table_privilege('scim_app', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
			OR has_any_column_privilege('scim_app', c.oid, 'INSERT, UPDATE, REFERENCES'))$$,
	'scim_app can write no table directly (writes go through the SQL API)');
SELECT ok(has_any_column_privilege('scim_app', 'scim.users', 'SELECT')
		  AND has_any_column_privilege('scim_app', 'scim.groups', 'SELECT')
		  AND has_any_column_privilege('scim_app', 'scim.members', 'SELECT')
		  AND has_any_column_privilege('scim_app', 'scim.events', 'SELECT')
		  AND has_any_column_privilege('scim_app', 'scim.tenants', 'SELECT'),
		  'scim_app may read users, groups, members, events and tenants');
SELECT is(has_column_privilege('scim_app', 'scim.users', 'password_hash', 'SELECT'), false,
		  'scim_app cannot read password hashes');
SELECT is(has_column_privilege('scim_app', 'scim.users', 'user_name', 'SELECT'), true,
		  'scim_app can read userName');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_app', $q$SELECT scim.token_issue('pgtap40_a', 'evil')$q$)$$, '42501', NULL,
				 'scim_app cannot issue a token');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_app', $q$SELECT scim.token_revoke('pgtap40_a', 'a1')$q$)$$, '42501', NULL,
				 'scim_app cannot revoke a token');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_app', 'SELECT count(*) FROM scim.tokens', 'pgtap40_a')$$, '42501', NULL,
				 'scim_app cannot read tokens, even of its own tenant');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_app', 'SELECT password_hash FROM scim.users', 'pgtap40_a')$$, '42501', NULL,
				 'scim_app cannot select password_hash');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_app', $q$UPDATE scim.users SET active = false$q$, 'pgtap40_a')$$, '42501', NULL,
				 'scim_app cannot update users directly');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_app', $q$DELETE FROM scim.events$q$, 'pgtap40_a')$$, '42501', NULL,
				 'scim_app cannot rewrite the change feed');
SELECT throws_ok($$SELECT pg_temp.as_role('scim_app', $q$SELECT scim_api.handle('')$q$)$$, '42501', NULL,
				 'scim_app cannot call the HTTP entry point');
SELECT is(pg_temp.as_role('scim_app', $$SELECT count(*) FROM scim.users WHERE tenant_id LIKE 'pgtap40_%'$$), '0',
		  'scim_app without scim.tenant reads no user');
SELECT is(pg_temp.as_role('scim_app', $$SELECT string_agg(user_name, ',' ORDER BY user_name) FROM scim.users$$, 'pgtap40_a'),
		  'ann@a.test,carl@a.test', 'scim_app with scim.tenant = A reads A''s users, and only them');
SELECT is(pg_temp.as_role('scim_app', $$SELECT count(*) FROM scim.groups g JOIN scim.members m USING (tenant_id) WHERE m.group_id = g.id$$, 'pgtap40_b'),
		  '1', 'scim_app with scim.tenant = B reads B''s membership');
SELECT is(pg_temp.as_role('scim_app', $$SELECT count(*) FROM scim.events WHERE tenant_id <> 'pgtap40_a'$$, 'pgtap40_a'), '0',
		  'scim_app scoped to A reads none of B''s events');
SELECT is(pg_temp.as_role('scim_app', $$SELECT count(*) FROM scim.users WHERE scim._lower(user_name) = lower('ANN@A.TEST')$$, 'pgtap40_a'),
		  '1', 'scim_app may use the leakproof twins for indexed reads');
SELECT is(pg_temp.as_role('scim_app', $$SELECT scim.user_create('pgtap40_a', '{"userName": "dora@a.test"}') ->> 'userName'$$),
		  'dora@a.test', 'scim_app writes through the SQL API');
SELECT is((SELECT actor FROM scim.events WHERE tenant_id = 'pgtap40_a' AND changes::text LIKE '%dora@a.test%'), 'sql:scim_app',
		  'and is the actor of the change');
SELECT is(pg_temp.as_role('scim_app', format($$SELECT scim.user_get('pgtap40_b', %L) ->> 'userName'$$, :'ub'), 'pgtap40_a'),
		  'bob@b.test', 'an SQL API call works on the tenant it names, whatever scim.tenant says');
SELECT is(pg_temp.as_role('scim_app', $$SELECT current_setting('scim.tenant') || '/' || (SELECT count(*) FROM scim.events_since('pgtap40_b', 0, 10))
		  || '/' || current_setting('scim.tenant')$$, 'pgtap40_a'),
		  'pgtap40_a/' || (SELECT count(*) FROM scim.events WHERE tenant_id = 'pgtap40_b') || '/pgtap40_a',
		  '... and leaves the caller''s scim.tenant as it was');
SELECT is(pg_temp.as_role('scim_app', $$SELECT scim.password_verify('pgtap40_a', 'ann@a.test', 'Secret-A-1')::text$$),
		  'true', 'scim_app can check a password without reading its hash');

-- ------------------------------------------------------------ scim_admin

SELECT ok(has_function_privilege('scim_admin', 'scim.token_issue(text,text,timestamp with time zone)', 'EXECUTE')
		  AND has_function_privilege('scim_admin', 'scim.token_revoke(text,text)', 'EXECUTE')
		  AND has_function_privilege('scim_admin', 'scim.tenant_create(text,jsonb)', 'EXECUTE'),
		  'scim_admin manages tenants and tokens');
SELECT is(has_function_privilege('scim_admin', 'scim.user_list(text,text,integer,integer,text,text)', 'EXECUTE'), false,
		  'scim_admin does not read users through the SQL API');
SELECT table_privs_are('scim', 'tokens', 'scim_admin', ARRAY[]::text[], 'scim_admin cannot read the token table either');
SELECT pg_temp.as_role('scim_admin', $$SELECT scim.token_issue('pgtap40_a', 'ops')$$) AS tok_ops \gset
SELECT matches(:'tok_ops'::text, '^scim_[0-9a-f]{64}$', 'scim_admin issues a token');
-- ... and so may act as the tenant's identity provider over HTTP
-- (docs/security.md, threat model): the token reads the tenant's users
SELECT is((SELECT body ->> 'totalResults' FROM pg_temp.http('GET', '/scim/v2/Users', 'Bearer ' || :'tok_ops')),
		  (SELECT count(*)::text FROM scim.users WHERE tenant_id = 'pgtap40_a'),
		  'a token scim_admin issued reads its tenant''s users over HTTP');
SELECT lives_ok($$SELECT pg_temp.as_role('scim_admin', $q$SELECT scim.token_revoke('pgtap40_a', 'ops')$q$)$$,
				'scim_admin revokes it');

-- ------------------------------------------------ tokens: state, not caches

SELECT lives_ok($$SELECT scim.token_issue('pgtap40_a', 'a2', now() - interval '1 second')$$, 'a token can carry an expiry');
SELECT is((SELECT count(*)::int FROM scim.tokens WHERE tenant_id = 'pgtap40_a'), 2, 'a tenant has several labelled tokens');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'Bearer ' || :'tok_a')), 200, 'A''s first token works');
SELECT is((SELECT last_used FROM scim.tokens WHERE tenant_id = 'pgtap40_a' AND label = 'a1'), now(),
		  'a request writes last_used');
UPDATE scim.tokens SET last_used = now() - interval '2 minutes' WHERE tenant_id = 'pgtap40_a' AND label = 'a1';
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'Bearer ' || :'tok_a')), 200, 'a request within the same minute');
SELECT is((SELECT last_used FROM scim.tokens WHERE tenant_id = 'pgtap40_a' AND label = 'a1'), now() - interval '2 minutes',
		  'does not write last_used again (kept to the minute per backend: what this backend wrote counts)');
SELECT lives_ok($$SELECT scim.token_revoke('pgtap40_a', 'a1')$$, 'revoke A''s first token');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'Bearer ' || :'tok_a')), 401,
		  'revocation takes effect on the very next request');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'Bearer ' || :'tok_b')), 200,
		  'B''s token is unaffected');

SELECT * FROM finish();
ROLLBACK;
