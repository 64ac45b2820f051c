-- test/pgtap/20_bulk.sql
--	  Bulk (RFC 7644 §3.7) through scim.bulk and through scim_api.handle:
--	  bulkId references backward and forward (a group whose members are
--	  created in the same request), circularity, failOnErrors counting,
--	  limits (maxOperations, maxPayloadSize) and their advertisement,
--	  isolation of a failed operation, versions as If-Match, unknown paths,
--	  DELETE of a user created in the same request.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(53);

-- a BulkRequest of the given operations, plus extra members
CREATE FUNCTION pg_temp.req(ops jsonb, extra jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]'::jsonb,
							  'Operations', ops) || extra
$$;

-- the statuses of a BulkResponse, in response order
CREATE FUNCTION pg_temp.statuses(resp jsonb) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(o ->> 'status' ORDER BY n), '{}')
	  FROM jsonb_array_elements(resp -> 'Operations') WITH ORDINALITY AS e(o, n)
$$;

-- the bulkIds (or methods, when there is none) of a BulkResponse, in order
CREATE FUNCTION pg_temp.order_of(resp jsonb) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(COALESCE(o ->> 'bulkId', o ->> 'method') ORDER BY n), '{}')
	  FROM jsonb_array_elements(resp -> 'Operations') WITH ORDINALITY AS e(o, n)
$$;

-- the entry of bulkId b in a BulkResponse
CREATE FUNCTION pg_temp.entry(resp jsonb, b text) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT o FROM jsonb_array_elements(resp -> 'Operations') o WHERE o ->> 'bulkId' = b
$$;

-- the id at the end of a location
CREATE FUNCTION pg_temp.id_of(location text) RETURNS text
LANGUAGE sql AS $$
	SELECT regexp_replace(location, '^.*/', '')
$$;

-- one request through scim_api.handle; response headers flattened into one object
CREATE FUNCTION pg_temp.http(p_method text, p_uri text, p_auth text, p_body text DEFAULT NULL)
RETURNS TABLE(status int, body jsonb, headers jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	h jsonb := jsonb_build_object('x-scim-method', p_method, 'x-scim-uri', p_uri,
								  'x-scim-host', 'sp.example', 'x-scim-scheme', 'https',
								  'x-scim-authorization', p_auth);
	r json;
BEGIN
	IF p_body IS NOT NULL THEN
		h := h || '{"x-scim-content-type": "application/scim+json"}';
	END IF;
	PERFORM set_config('request.headers', h::text, true);
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

SELECT scim.tenant_create('pgtap20') \gset _
SELECT 'Bearer ' || scim.token_issue('pgtap20', 'bulk') AS auth \gset

-- ------------------------------------------------ backward and forward references

CREATE TEMP TABLE r1 AS SELECT scim.bulk('pgtap20', pg_temp.req('[
	{"method": "POST", "path": "/Groups", "bulkId": "eng", "data": {"displayName": "Engineering",
		"members": [{"value": "bulkId:ann"}, {"value": "bulkId:ben", "type": "User"}]}},
	{"method": "POST", "path": "/Users", "bulkId": "ann", "data": {"userName": "ann@example.com"}},
	{"method": "POST", "path": "/Users", "bulkId": "ben", "data": {"userName": "ben@example.com"}},
	{"method": "POST", "path": "/Groups", "bulkId": "all", "data": {"displayName": "Everyone",
		"members": [{"value": "bulkId:ann"}, {"value": "bulkId:eng"}]}}]')) AS r;

SELECT is(r -> 'schemas', '["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]', 'the response is a BulkResponse') FROM r1;
SELECT is(pg_temp.statuses(r), '{201,201,201,201}', 'every operation created its resource') FROM r1;
SELECT is(pg_temp.order_of(r), '{ann,ben,eng,all}',
		  'a group referring forward runs after its members; the rest keeps the request order') FROM r1;
SELECT is((SELECT count(*)::int FROM scim.members m JOIN scim.groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
			WHERE g.tenant_id = 'pgtap20' AND g.display_name = 'Engineering'), 2,
		  'the group holds the two users created in the same request');
SELECT is((SELECT array_agg(u.user_name ORDER BY u.user_name) FROM scim.members m
			 JOIN scim.users u ON u.tenant_id = m.tenant_id AND u.id = m.member_id
			WHERE m.tenant_id = 'pgtap20' AND m.group_id = pg_temp.id_of(pg_temp.entry(r, 'eng') ->> 'location')::uuid),
		  '{ann@example.com,ben@example.com}', 'the members are the users whose bulkIds were referenced') FROM r1;
SELECT is((SELECT array_agg(m.member_type ORDER BY m.member_type) FROM scim.members m
			WHERE m.tenant_id = 'pgtap20' AND m.group_id = pg_temp.id_of(pg_temp.entry(r, 'all') ->> 'location')::uuid),
		  '{Group,User}', 'a group created in the request can be a member too (backward reference)') FROM r1;
SELECT matches(pg_temp.entry(r, 'ann') ->> 'location', '/Users/[0-9a-f-]{36}$', 'a created user has a location') FROM r1;
SELECT is(pg_temp.entry(r, 'ann') ->> 'version', 'W/"1"',
		  'version is the ETag right after the operation') FROM r1;
SELECT ok(NOT (pg_temp.entry(r, 'ann') ? 'response'), 'a success carries no response body') FROM r1;

-- ------------------------------------------------ PATCH, PUT, DELETE by bulkId
CREATE TEMP TABLE r2 AS SELECT scim.bulk('pgtap20', pg_temp.req('[
	{"method": "DELETE", "path": "/Users/bulkId:tmp"},
	{"method": "POST", "path": "/Users", "bulkId": "tmp", "data": {"userName": "tmp@example.com"}},
	{"method": "PUT", "path": "/Users/bulkId:kim", "data": {"userName": "kim@example.com", "title": "Boss"}},
	{"method": "POST", "path": "/Users", "bulkId": "kim", "data": {"userName": "kim@example.com"}}]')) AS r;
SELECT is(pg_temp.order_of(r), '{tmp,DELETE,kim,PUT}', 'PUT and DELETE of a bulkId path wait for its POST') FROM r2;
SELECT is(pg_temp.statuses(r), '{201,204,201,200}', 'the user created in the request is deleted: 204') FROM r2;
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap20' AND user_name = 'tmp@example.com'), 0,
		  'the deleted user is gone');
SELECT is((SELECT attrs ->> 'title' FROM scim.users WHERE tenant_id = 'pgtap20' AND user_name = 'kim@example.com'), 'Boss',
		  'PUT replaced the user created in the request');
SELECT is(r #>> '{Operations,1,location}', r #>> '{Operations,0,location}',
		  'the DELETE reports the location of the resource its bulkId path named') FROM r2;

-- ------------------------------------------------ circular references
CREATE TEMP TABLE r3 AS SELECT scim.bulk('pgtap20', pg_temp.req('[
	{"method": "POST", "path": "/Groups", "bulkId": "a", "data": {"displayName": "A", "members": [{"value": "bulkId:b"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "b", "data": {"displayName": "B", "members": [{"value": "bulkId:a"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "c", "data": {"displayName": "C", "members": [{"value": "bulkId:a"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "me", "data": {"displayName": "Me", "members": [{"value": "bulkId:me"}]}},
	{"method": "POST", "path": "/Users", "bulkId": "ok", "data": {"userName": "ok@example.com"}}]')) AS r;
SELECT is(pg_temp.statuses(r), '{409,409,409,409,201}', 'a cycle and what depends on it fail with 409; the rest runs') FROM r3;
SELECT is(pg_temp.entry(r, 'a') #>> '{response,scimType}', 'invalidSyntax', 'a cycle is invalidSyntax') FROM r3;
SELECT matches(pg_temp.entry(r, 'b') #>> '{response,detail}', '^circular bulkId reference', 'and says it is circular') FROM r3;
SELECT matches(pg_temp.entry(r, 'me') #>> '{response,detail}', '^circular bulkId reference', 'a self-reference is circular') FROM r3;
SELECT matches(pg_temp.entry(r, 'c') #>> '{response,detail}', 'bulkId "a" cannot be resolved',
			   'an operation needing a resource of the cycle fails as unresolved') FROM r3;
SELECT is(pg_temp.entry(r, 'c') #>> '{response,status}', '409', 'with a SCIM Error whose status is a string') FROM r3;
SELECT is((SELECT count(*)::int FROM scim.groups WHERE tenant_id = 'pgtap20' AND display_name IN ('A', 'B', 'C', 'Me')), 0,
		  'nothing of the cycle was created');
SELECT is(pg_temp.statuses(scim.bulk('pgtap20', pg_temp.req('[
	{"method": "POST", "path": "/Groups", "bulkId": "x", "data": {"displayName": "X", "members": [{"value": "bulkId:undefined"}]}}]'))),
		  '{409}', 'a reference to a bulkId nobody defines fails with 409');

-- ------------------------------------------------ failOnErrors
CREATE FUNCTION pg_temp.three_failures(foe jsonb) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT scim.bulk('pgtap20', pg_temp.req('[
		{"method": "DELETE", "path": "/Users/00000000-0000-0000-0000-000000000001"},
		{"method": "POST", "path": "/Users", "bulkId": "f1", "data": {"userName": "ann@example.com"}},
		{"method": "PATCH", "path": "/Groups/nope", "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "externalId"}]}},
		{"method": "DELETE", "path": "/Users/00000000-0000-0000-0000-000000000002"}]',
		jsonb_build_object('failOnErrors', foe)))
$$;
SELECT is(pg_temp.statuses(pg_temp.three_failures('1')), '{404}', 'failOnErrors 1: stops after the first failure');
SELECT is(pg_temp.statuses(pg_temp.three_failures('2')), '{404,409}', 'failOnErrors 2: stops after the second');
SELECT is(pg_temp.statuses(pg_temp.three_failures('4')), '{404,409,404,404}', 'failOnErrors above the failures: all run');
SELECT is(pg_temp.statuses(pg_temp.three_failures('null')), '{404,409,404,404}', 'no failOnErrors: all run');
SELECT is(pg_temp.statuses(scim.bulk('pgtap20', pg_temp.req('[
	{"method": "POST", "path": "/Users", "bulkId": "s1", "data": {"userName": "s1@example.com"}},
	{"method": "POST", "path": "/Users", "bulkId": "s2", "data": {"userName": "s1@example.com"}},
	{"method": "POST", "path": "/Users", "bulkId": "s3", "data": {"userName": "s3@example.com"}}]', '{"failOnErrors": 1}'))),
		  '{201,409}', 'what ran before the stop is reported');
SELECT is((SELECT array_agg(user_name ORDER BY user_name) FROM scim.users WHERE tenant_id = 'pgtap20' AND user_name IN ('s1@example.com', 's3@example.com')),
		  '{s1@example.com}', 'and kept; what came after did not run');
SELECT throws_ok($$SELECT scim.bulk('pgtap20', pg_temp.req('[]', '{"failOnErrors": 0}'))$$, '22P02',
				 '"failOnErrors" must be a positive integer', 'failOnErrors 0 is invalidSyntax');

-- ------------------------------------------------ isolation
CREATE TEMP TABLE r4 AS SELECT scim.bulk('pgtap20', pg_temp.req('[
	{"method": "POST", "path": "/Users", "bulkId": "i1", "data": {"userName": "i1@example.com"}},
	{"method": "POST", "path": "/Users", "bulkId": "i2", "data": {"userName": "i2@example.com", "emails": [{"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}]}},
	{"method": "POST", "path": "/Users", "bulkId": "i3", "data": {"userName": "i3@example.com"}}]')) AS r;
SELECT is(pg_temp.statuses(r), '{201,400,201}', 'one invalid operation fails alone') FROM r4;
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap20' AND user_name IN ('i1@example.com', 'i3@example.com')), 2,
		  'the operations around it are kept');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap20' AND user_name = 'i2@example.com'), 0,
		  'the failed one left nothing');
SELECT is(pg_temp.entry(r, 'i2') #>> '{response,scimType}', 'invalidValue', 'its response is the SCIM Error of the failure') FROM r4;

-- ------------------------------------------------ versions (If-Match per operation)
SELECT scim.user_create('pgtap20', '{"userName": "ver@example.com"}') ->> 'id' AS vid \gset
CREATE TEMP TABLE r5 AS SELECT scim.bulk('pgtap20', pg_temp.req(jsonb_build_array(
	jsonb_build_object('method', 'PATCH', 'path', '/Users/' || :'vid', 'version', 'W/"7"',
		'data', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "x"}]}'::jsonb),
	jsonb_build_object('method', 'PATCH', 'path', '/Users/' || :'vid', 'version', 'W/"1"',
		'data', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "y"}]}'::jsonb),
	jsonb_build_object('method', 'DELETE', 'path', '/Users/' || :'vid', 'version', 'W/"1"')))) AS r;
SELECT is(pg_temp.statuses(r), '{412,200,412}', 'a stale version is 412 for its operation only') FROM r5;
SELECT is(r #>> '{Operations,1,version}', 'W/"2"', 'a matching version lets the write through and reports the new one') FROM r5;
SELECT is((SELECT attrs ->> 'title' FROM scim.users WHERE tenant_id = 'pgtap20' AND id = :'vid'::uuid), 'y',
		  'only the matching PATCH changed the user');

-- ------------------------------------------------ unknown paths
SELECT is(pg_temp.statuses(scim.bulk('pgtap20', pg_temp.req('[
	{"method": "POST", "path": "/Widgets", "bulkId": "w", "data": {}},
	{"method": "DELETE", "path": "/Groups/a/b"},
	{"method": "POST", "path": "/Users", "bulkId": "after", "data": {"userName": "after@example.com"}}]'))),
		  '{404,404,201}', 'an unknown endpoint is 404 for its operation, not for the request');

-- ------------------------------------------------ malformed requests and limits
SELECT throws_ok($$SELECT scim.bulk('pgtap20', '{"Operations": []}')$$, '22P02', NULL, 'no BulkRequest schema: invalidSyntax');
SELECT throws_ok($$SELECT scim.bulk('pgtap20', pg_temp.req('[{"method": "GET", "path": "/Users"}]'))$$, '22P02', NULL,
				 'an unknown method: invalidSyntax');
SELECT throws_ok($$SELECT scim.bulk('pgtap20', pg_temp.req('[{"method": "POST", "path": "/Users", "data": {"userName": "nobulkid"}}]'))$$,
				 '22P02', NULL, 'a POST without bulkId: invalidSyntax');
SELECT throws_ok($$SELECT scim.bulk('pgtap20', pg_temp.req('[
	{"method": "POST", "path": "/Users", "bulkId": "d", "data": {"userName": "d1"}},
	{"method": "POST", "path": "/Users", "bulkId": "d", "data": {"userName": "d2"}}]'))$$,
				 '22P02', 'bulkId "d" is used by more than one operation', 'a duplicate bulkId: invalidSyntax');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap20' AND user_name IN ('d1', 'd2', 'nobulkid')), 0,
		  'nothing of a malformed request ran');
SELECT lives_ok($$SELECT scim.tenant_configure('pgtap20', '{"bulk_max_operations": 2, "max_payload_bytes": 2048}')$$,
				'limits lowered to 2 operations and 2048 bytes');
SELECT throws_ok($$SELECT scim.bulk('pgtap20', pg_temp.req('[
	{"method": "DELETE", "path": "/Users/x1"}, {"method": "DELETE", "path": "/Users/x2"}, {"method": "DELETE", "path": "/Users/x3"}]'))$$,
				 '54000', 'the bulk request has 3 operations, more than maxOperations (2)', 'over maxOperations: 413');
SELECT is(pg_temp.statuses(scim.bulk('pgtap20', pg_temp.req('[
	{"method": "DELETE", "path": "/Users/x1"}, {"method": "DELETE", "path": "/Users/x2"}]'))),
		  '{404,404}', 'exactly maxOperations is accepted');
SELECT throws_ok(format($$SELECT scim.bulk('pgtap20', pg_temp.req(jsonb_build_array(jsonb_build_object(
	'method', 'POST', 'path', '/Users', 'bulkId', 'big', 'data', jsonb_build_object('userName', %L)))))$$, repeat('b', 2100)),
				 '54000', NULL, 'over maxPayloadSize: 413');

-- ------------------------------------------------ through scim_api.handle
CREATE TEMP TABLE h1 AS SELECT * FROM pg_temp.http('GET', '/scim/v2/ServiceProviderConfig', :'auth');
SELECT is(body -> 'bulk', '{"supported": true, "maxOperations": 2, "maxPayloadSize": 2048}',
		  '/ServiceProviderConfig advertises bulk with the tenant''s real limits') FROM h1;
CREATE TEMP TABLE h2 AS SELECT * FROM pg_temp.http('POST', '/scim/v2/Bulk', :'auth', pg_temp.req('[
	{"method": "POST", "path": "/Groups", "bulkId": "hg", "data": {"displayName": "Via handle", "members": [{"value": "bulkId:hu"}]}},
	{"method": "POST", "path": "/Users", "bulkId": "hu", "data": {"userName": "hu@example.com"}}]')::text);
SELECT is(status, 200, 'POST /Bulk answers 200') FROM h2;
SELECT is(pg_temp.statuses(body), '{201,201}', 'with the BulkResponse') FROM h2;
SELECT matches(body #>> '{Operations,0,location}', '^https://sp\.example/scim/v2/Users/', 'locations use the request''s base URL') FROM h2;
SELECT is((SELECT status FROM pg_temp.http('POST', '/scim/v2/Bulk', :'auth', pg_temp.req('[
	{"method": "DELETE", "path": "/Users/x1"}, {"method": "DELETE", "path": "/Users/x2"}, {"method": "DELETE", "path": "/Users/x3"}]')::text)),
		  413, 'POST /Bulk over maxOperations: 413');
SELECT is((SELECT body ->> 'scimType' FROM pg_temp.http('POST', '/scim/v2/Bulk', :'auth', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [')),
		  'invalidSyntax', 'POST /Bulk with malformed JSON: 400 invalidSyntax');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Bulk', :'auth')), 405, 'GET /Bulk: 405');

SELECT * FROM finish();
ROLLBACK;
