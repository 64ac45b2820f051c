-- test/pgtap/07_handle.sql
--	  scim_api.handle(bytea) without nginx: the request headers PostgREST
--	  would pass (request.headers), the raw body, and what comes back
--	  (the JSON, response.status, response.headers).  Authentication,
--	  status codes and headers, SCIM error bodies, preconditions, paging
--	  through the URI, tenant isolation, and rollback of failed requests.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(107);

-- one request through scim_api.handle; response headers flattened into one object
CREATE FUNCTION pg_temp.http(p_method text, p_uri text, p_auth text,
							 p_body text DEFAULT NULL, p_extra jsonb DEFAULT '{}')
RETURNS TABLE(status int, body jsonb, headers jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	h jsonb := jsonb_build_object('x-scim-method', p_method, 'x-scim-uri', p_uri,
								  'x-scim-host', 'sp.example', 'x-scim-scheme', 'https');
	r json;
BEGIN
	IF p_auth IS NOT NULL THEN
		h := h || jsonb_build_object('x-scim-authorization', p_auth);
	END IF;
	IF p_body IS NOT NULL THEN
		h := h || '{"x-scim-content-type": "application/scim+json"}';
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

-- the scimType of an error response, or the status when there is none
CREATE FUNCTION pg_temp.kind(b jsonb) RETURNS text
LANGUAGE sql AS $$
	SELECT (b ->> 'status') || COALESCE(' ' || (b ->> 'scimType'), '')
$$;

SELECT scim.tenant_create('pgtap07') \gset _
SELECT scim.tenant_create('pgtap07_b') \gset _
SELECT 'Bearer ' || scim.token_issue('pgtap07', 'okta') AS auth, 'Bearer ' || scim.token_issue('pgtap07_b', 'other') AS auth_b \gset
SELECT substr(:'auth', 8) AS bare \gset

-- ---------------------------------------------------------- authentication

CREATE TEMP TABLE r_noauth AS SELECT * FROM pg_temp.http('GET', '/scim/v2/Users', NULL);
SELECT is(status, 401, 'no Authorization header: 401') FROM r_noauth;
SELECT is(body -> 'schemas', '["urn:ietf:params:scim:api:messages:2.0:Error"]'::jsonb, 'the 401 is a SCIM Error') FROM r_noauth;
SELECT is(body -> 'status', '"401"'::jsonb, 'with status as a JSON string') FROM r_noauth;
SELECT is(headers ->> 'WWW-Authenticate', 'Bearer realm="scim"', 'a 401 carries WWW-Authenticate: Bearer') FROM r_noauth;
SELECT is(headers ->> 'Content-Type', 'application/scim+json', 'responses are application/scim+json') FROM r_noauth;
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'Bearer scim_' || repeat('0', 64))), 401,
		  'an unknown token: 401');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'Basic dXNlcjpwYXNz')), 401,
		  'Basic credentials: 401');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'Bearer')), 401, 'an empty bearer token: 401');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', :'auth')), 200, 'Authorization: Bearer <token> works');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', :'bare')), 200, 'the bare token is accepted (Okta header auth)');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', 'bearer  ' || :'bare')), 200,
		  'the scheme is case-insensitive');
SELECT set_config('request.headers', '', true) \gset _
SELECT is(scim_api.handle(''::bytea)::jsonb ->> 'status', '401', 'without any request headers: a SCIM 401, not a crash');

-- ------------------------------------------------------------------ POST

CREATE TEMP TABLE r_post AS SELECT * FROM pg_temp.http('POST', '/scim/v2/Users', :'auth',
	'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "name": {"givenName": "Barbara", "familyName": "Jensen"}}');
SELECT COALESCE(body ->> 'id', 'none') AS bj FROM r_post \gset
SELECT is(status, 201, 'POST /Users: 201') FROM r_post;
SELECT is(headers ->> 'Location', 'https://sp.example/scim/v2/Users/' || :'bj', 'Location is the new resource''s URI') FROM r_post;
SELECT is(body -> 'meta' ->> 'location', headers ->> 'Location', 'meta.location equals Location') FROM r_post;
SELECT is(headers ->> 'ETag', 'W/"1"', 'POST returns the ETag') FROM r_post;
SELECT is(body -> 'meta' ->> 'version', headers ->> 'ETag', 'meta.version equals the ETag') FROM r_post;
SELECT is(body -> 'name' ->> 'formatted', 'Barbara Jensen', 'the body is the created User') FROM r_post;
SELECT is((SELECT actor FROM scim.events WHERE tenant_id = 'pgtap07' AND resource_id = :'bj'::uuid AND action = 'created'),
		  'token:okta', 'the actor of an HTTP change is the token''s label');
SELECT is(scim.user_get('pgtap07', :'bj') ->> 'userName', 'bjensen', 'the user is there for the SQL API too');

CREATE TEMP TABLE r_dup AS SELECT * FROM pg_temp.http('POST', '/scim/v2/Users', :'auth', '{"userName": "BJensen"}');
SELECT is(status, 409, 'a duplicate userName: 409') FROM r_dup;
SELECT is(pg_temp.kind(body), '409 uniqueness', 'with scimType uniqueness') FROM r_dup;
SELECT is(body ->> 'detail', 'userName "BJensen" is already in use', 'and the detail of the SQL error') FROM r_dup;

-- a malformed body, as raw bytes
SELECT set_config('request.headers', jsonb_build_object('x-scim-method', 'POST', 'x-scim-uri', '/scim/v2/Users',
	'x-scim-authorization', :'auth', 'x-scim-content-type', 'application/scim+json')::text, true) \gset _
SELECT scim_api.handle('\x7b7b'::bytea)::jsonb AS malformed \gset
SELECT current_setting('response.status') AS malformed_status \gset
SELECT is(:'malformed_status'::text, '400', 'a malformed JSON body: 400');
SELECT is(pg_temp.kind(:'malformed'::jsonb), '400 invalidSyntax', 'with scimType invalidSyntax');
SELECT scim_api.handle('\xff00fe'::bytea)::jsonb AS binary_body \gset
SELECT is(pg_temp.kind(:'binary_body'::jsonb), '400 invalidSyntax', 'a body that is not UTF-8: 400 invalidSyntax');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('POST', '/scim/v2/Users', :'auth', ''))), '400 invalidSyntax',
		  'an empty body: 400 invalidSyntax');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('POST', '/scim/v2/Users', :'auth', '{"userName": "x", "shoeSize": 4}'))),
		  '400 invalidSyntax', 'an unknown attribute: 400 invalidSyntax');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('POST', '/scim/v2/Users', :'auth', '{"userName": "x", "role": "chief"}'))),
		  '400 invalidValue', 'an unknown role: 400 invalidValue');
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap07' AND lower(user_name) IN ('x', 'bjensen')), 1,
		  'failed POSTs wrote nothing');
SELECT is((SELECT status FROM pg_temp.http('POST', '/scim/v2/Users', :'auth', '{"userName": "ct"}',
										   '{"x-scim-content-type": "text/plain"}')), 415, 'a text/plain body: 415');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', :'auth', NULL, '{"x-scim-accept": "text/html"}')), 406,
		  'Accept: text/html only: 406');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users', :'auth', NULL, '{"x-scim-accept": "*/*"}')), 200,
		  'Accept: */* is fine');
SELECT is((SELECT status FROM pg_temp.http('POST', '/scim/v2/Users', :'auth', '{"userName": "js"}',
										   '{"x-scim-content-type": "application/json; charset=utf-8"}')), 201,
		  'application/json with parameters is accepted');

-- ------------------------------------------------------------------- GET

CREATE TEMP TABLE r_get AS SELECT * FROM pg_temp.http('GET', '/scim/v2/Users/' || :'bj', :'auth');
SELECT is(status, 200, 'GET /Users/{id}: 200') FROM r_get;
SELECT is(body - 'meta', scim.user_get('pgtap07', :'bj') - 'meta', 'the same User as the SQL API returns') FROM r_get;
SELECT is(headers ->> 'ETag', 'W/"1"', 'GET returns the ETag') FROM r_get;
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users/' || :'bj', :'auth', NULL, '{"x-scim-if-none-match": "W/\"1\""}')),
		  304, 'If-None-Match with the current version: 304');
SELECT is((SELECT body FROM pg_temp.http('GET', '/scim/v2/Users/' || :'bj', :'auth', NULL, '{"x-scim-if-none-match": "W/\"1\""}')),
		  NULL, 'a 304 has no body');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users/' || :'bj', :'auth', NULL, '{"x-scim-if-none-match": "W/\"7\""}')),
		  200, 'If-None-Match with a stale version: 200');

CREATE TEMP TABLE r_404 AS SELECT * FROM pg_temp.http('GET', '/scim/v2/Users/2819c223-7f76-453a-919d-413861904646', :'auth');
SELECT is(status, 404, 'an unknown id: 404') FROM r_404;
SELECT is(body, '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404",
				 "detail": "user \"2819c223-7f76-453a-919d-413861904646\" not found"}'::jsonb,
		  'a 404 is a SCIM Error without scimType') FROM r_404;
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users/not-a-uuid', :'auth')), 404, 'a non-UUID id: 404, not 400 or 500');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Groups/' || :'bj', :'auth')), 404, 'a user id under /Groups: 404');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users/' || :'bj', :'auth_b')), 404,
		  'a user of tenant A from tenant B''s token: 404');
SELECT is((SELECT status FROM pg_temp.http('PATCH', '/scim/v2/Users/' || :'bj', :'auth_b',
		  '{"Operations": [{"op": "replace", "path": "active", "value": false}]}')), 404,
		  'tenant B cannot PATCH it either');
SELECT is((SELECT status FROM pg_temp.http('DELETE', '/scim/v2/Users/' || :'bj', :'auth_b')), 404,
		  'nor DELETE it');
SELECT is(scim.user_get('pgtap07', :'bj') -> 'active', 'true'::jsonb, 'the user is untouched');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Widgets', :'auth')), 404, 'an unknown endpoint: 404');
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Me', :'auth')), 501, '/Me: 501');
CREATE TEMP TABLE r_405 AS SELECT * FROM pg_temp.http('DELETE', '/scim/v2/Users', :'auth');
SELECT is(status, 405, 'DELETE on /Users: 405') FROM r_405;
SELECT is(headers ->> 'Allow', 'GET, POST', 'with an Allow header') FROM r_405;
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/users/', :'auth')), 200,
		  'endpoint names are case-insensitive and a trailing slash is tolerated');

-- ----------------------------------------------- PUT, PATCH, preconditions

CREATE TEMP TABLE r_put AS SELECT * FROM pg_temp.http('PUT', '/scim/v2/Users/' || :'bj', :'auth',
	'{"userName": "bjensen", "title": "Tour Guide"}', '{"x-scim-if-match": "W/\"1\""}');
SELECT is(status, 200, 'PUT with a matching If-Match: 200') FROM r_put;
SELECT is(headers ->> 'ETag', 'W/"2"', 'with the new ETag') FROM r_put;
SELECT ok(NOT (body ? 'name'), 'PUT cleared the omitted name') FROM r_put;
CREATE TEMP TABLE r_412 AS SELECT * FROM pg_temp.http('PATCH', '/scim/v2/Users/' || :'bj', :'auth',
	'{"Operations": [{"op": "replace", "path": "title", "value": "Stale"}]}', '{"x-scim-if-match": "W/\"1\""}');
SELECT is(status, 412, 'PATCH with a stale If-Match: 412') FROM r_412;
SELECT is(scim.user_get('pgtap07', :'bj') ->> 'title', 'Tour Guide', 'and nothing changed');
SELECT is((SELECT status FROM pg_temp.http('DELETE', '/scim/v2/Users/' || :'bj', :'auth', NULL, '{"x-scim-if-match": "W/\"1\""}')),
		  412, 'DELETE with a stale If-Match: 412');
CREATE TEMP TABLE r_patch AS SELECT * FROM pg_temp.http('PATCH', '/scim/v2/Users/' || :'bj', :'auth',
	'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "path": "title", "value": "Guide"}]}',
	'{"x-scim-if-match": "*"}');
SELECT is(status, 200, 'PATCH with If-Match * : 200') FROM r_patch;
SELECT is(body ->> 'title', 'Guide', 'the PATCH response is the updated User') FROM r_patch;
SELECT is(headers ->> 'ETag', 'W/"3"', 'with the new ETag') FROM r_patch;
CREATE TEMP TABLE r_patch_bad AS SELECT * FROM pg_temp.http('PATCH', '/scim/v2/Users/' || :'bj', :'auth',
	'{"Operations": [{"op": "replace", "path": "title", "value": "Half"}, {"op": "replace", "path": "active", "value": "perhaps"}]}');
SELECT is(pg_temp.kind(body), '400 invalidValue', 'a PATCH with a bad second operation: 400 invalidValue') FROM r_patch_bad;
SELECT is(body ->> 'detail', 'operation 2: attribute "active" must be a boolean', 'the detail names the operation') FROM r_patch_bad;
SELECT is(scim.user_get('pgtap07', :'bj') ->> 'title', 'Guide', 'the failed PATCH was rolled back entirely');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('PATCH', '/scim/v2/Users/' || :'bj', :'auth',
		  '{"Operations": [{"op": "remove", "path": "userName"}]}'))), '400 mutability', 'removing userName: 400 mutability');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('PATCH', '/scim/v2/Users/' || :'bj', :'auth',
		  '{"Operations": [{"op": "remove"}]}'))), '400 noTarget', 'remove without a path: 400 noTarget');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('PATCH', '/scim/v2/Users/' || :'bj', :'auth',
		  '{"Operations": [{"op": "replace", "path": "emails[type eq ]", "value": "x"}]}'))), '400 invalidFilter',
		  'a bad filter in a path: 400 invalidFilter');

-- ----------------------------------------- a failed request writes nothing

SELECT scim.user_create('pgtap07_b', '{"userName": "outsider"}') ->> 'id' AS outsider \gset
SELECT scim.user_create('pgtap07', '{"userName": "insider"}') ->> 'id' AS insider \gset
CREATE TEMP TABLE r_grp_bad AS SELECT * FROM pg_temp.http('POST', '/scim/v2/Groups', :'auth',
	format('{"displayName": "Half Made", "members": [{"value": "%s"}, {"value": "%s"}]}', :'insider', :'outsider'));
SELECT is(pg_temp.kind(body), '400 invalidValue', 'a group with another tenant''s member: 400 invalidValue') FROM r_grp_bad;
SELECT is((SELECT count(*)::int FROM scim.groups WHERE tenant_id = 'pgtap07' AND display_name = 'Half Made'), 0,
		  'no group row was left behind');
SELECT is((SELECT count(*)::int FROM scim.events WHERE tenant_id = 'pgtap07' AND resource_type = 'Group'), 0,
		  'and no event');
CREATE TEMP TABLE r_grp AS SELECT * FROM pg_temp.http('POST', '/scim/v2/Groups', :'auth',
	format('{"displayName": "Whole", "members": [{"value": "%s"}]}', :'insider'));
SELECT is(status, 201, 'the same group with a valid member: 201') FROM r_grp;
SELECT is(headers ->> 'Location', 'https://sp.example/scim/v2/Groups/' || (body ->> 'id'), 'with its Location') FROM r_grp;
SELECT COALESCE(body ->> 'id', 'none') AS whole FROM r_grp \gset
SELECT ok(NOT ((SELECT body FROM pg_temp.http('GET', '/scim/v2/Groups/' || :'whole' || '?excludedAttributes=members', :'auth')) ? 'members'),
		  'excludedAttributes=members leaves members out');
SELECT is((SELECT body -> 'members' -> 0 ->> 'value' FROM pg_temp.http('GET', '/scim/v2/Groups/' || :'whole', :'auth')), :'insider',
		  'a group GET shows its members');
-- the User's representation includes its groups: joining one is a change of the User
SELECT (SELECT headers ->> 'ETag' FROM pg_temp.http('GET', '/scim/v2/Users/' || :'insider', :'auth')) AS insider_etag \gset
SELECT ok((SELECT body -> 'groups' -> 0 ->> 'value' = :'whole' FROM pg_temp.http('GET', '/scim/v2/Users/' || :'insider', :'auth')),
		  'the member''s User lists the group');
SELECT scim.group_patch('pgtap07', :'whole', '{"Operations": [{"op": "replace", "path": "displayName", "value": "Whole Team"}]}') \gset _
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users/' || :'insider', :'auth', NULL,
		  jsonb_build_object('x-scim-if-none-match', :'insider_etag'))), 200,
		  'after its group was renamed the User (groups.display) is not answered 304 with the old ETag');
SELECT is((SELECT status FROM pg_temp.http('PATCH', '/scim/v2/Groups/' || :'whole', :'auth',
		  format('{"Operations": [{"op": "remove", "path": "members[value eq \"%s\"]"}]}', :'insider'))), 204,
		  'PATCH /Groups with Okta''s member removal: 204');
SELECT is(jsonb_array_length(scim.group_get('pgtap07', :'whole') -> 'members'), 0, 'the member was removed');

-- ------------------------------------------------------ lists over HTTP

SELECT count(scim.user_create('pgtap07', format('{"userName": "list%s"}', i)::jsonb)) AS created_lists
  FROM generate_series(1, 6) i \gset
SELECT count(*)::int AS nusers FROM scim.users WHERE tenant_id = 'pgtap07' \gset

CREATE TEMP TABLE r_list AS SELECT * FROM pg_temp.http('GET', '/scim/v2/Users', :'auth');
SELECT is(status, 200, 'GET /Users: 200') FROM r_list;
SELECT is((body ->> 'totalResults')::int, :'nusers'::int, 'totalResults counts the tenant''s users only') FROM r_list;
SELECT is(jsonb_array_length(body -> 'Resources'), :'nusers'::int, 'all of them on the default page') FROM r_list;
CREATE TEMP TABLE r_page AS SELECT * FROM pg_temp.http('GET', '/scim/v2/Users?startIndex=0&count=2', :'auth');
SELECT is(body -> 'startIndex', '1'::jsonb, 'startIndex=0 is treated as 1') FROM r_page;
SELECT is(jsonb_array_length(body -> 'Resources'), 2, 'count=2 gives two resources') FROM r_page;
SELECT is(body -> 'itemsPerPage', '2'::jsonb, 'itemsPerPage 2') FROM r_page;
CREATE TEMP TABLE r_zero AS SELECT * FROM pg_temp.http('GET', '/scim/v2/Users?count=0', :'auth');
SELECT is((body ->> 'totalResults')::int, :'nusers'::int, 'count=0 still gives totalResults') FROM r_zero;
SELECT is(jsonb_array_length(COALESCE(body -> 'Resources', '[]')), 0, 'count=0 gives no resources') FROM r_zero;
SELECT is((SELECT jsonb_array_length(COALESCE(body -> 'Resources', '[]')) FROM pg_temp.http('GET', '/scim/v2/Users?count=-1', :'auth')),
		  0, 'a negative count is treated as 0');
SELECT is((SELECT jsonb_array_length(COALESCE(body -> 'Resources', '[]')) FROM pg_temp.http('POST', '/scim/v2/Users/.search', :'auth',
		  '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": -1}')),
		  0, 'a negative count in a SearchRequest is treated as 0');
SELECT is((SELECT jsonb_array_length(COALESCE(body -> 'Resources', '[]')) FROM pg_temp.http('GET', '/scim/v2/Users?startIndex=500', :'auth')),
		  0, 'a startIndex past the end gives an empty page');
SELECT scim.tenant_configure('pgtap07', '{"max_results": 3}') \gset _
SELECT is((SELECT jsonb_array_length(body -> 'Resources') FROM pg_temp.http('GET', '/scim/v2/Users?count=1000', :'auth')),
		  3, 'a count above max_results is capped at max_results');
SELECT is((SELECT (body ->> 'totalResults')::int FROM pg_temp.http('GET', '/scim/v2/Users?count=1000', :'auth')),
		  :'nusers'::int, 'while totalResults stays complete');
SELECT scim.tenant_configure('pgtap07', '{"max_results": null}') \gset _
SELECT is((SELECT body -> 'Resources' -> 0 ->> 'id' FROM pg_temp.http('GET', '/scim/v2/Users?filter=userName+eq+%22BJENSEN%22', :'auth')),
		  :'bj', 'a filter in the URI, with + as space and percent-escapes');
SELECT is((SELECT body -> 'totalResults' FROM pg_temp.http('GET', '/scim/v2/Users?aadOptscim062020&filter=userName%20eq%20%22insider%22', :'auth')),
		  '1'::jsonb, 'unknown query parameters (Entra''s feature flag) are ignored');
SELECT is((SELECT body -> 'totalResults' FROM pg_temp.http('GET', '/scim/v2/Users?filter=userName+eq+%22outsider%22', :'auth')),
		  '0'::jsonb, 'a filter never reaches another tenant');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('GET', '/scim/v2/Users?filter=userName+xx+%22a%22', :'auth'))),
		  '400 invalidFilter', 'a bad filter: 400 invalidFilter');
SELECT is(pg_temp.kind((SELECT body FROM pg_temp.http('GET', '/scim/v2/Users?count=ten', :'auth'))),
		  '400 invalidValue', 'a non-numeric count: 400 invalidValue');
CREATE TEMP TABLE r_search AS SELECT * FROM pg_temp.http('POST', '/scim/v2/Users/.search', :'auth',
	'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"list\"", "startIndex": 2, "count": 2}');
SELECT is(status, 200, 'POST /Users/.search: 200') FROM r_search;
SELECT is(body -> 'totalResults', '6'::jsonb, 'the search filter applies') FROM r_search;
SELECT is(jsonb_array_length(body -> 'Resources'), 2, 'and its paging') FROM r_search;

-- ------------------------------------------------------------------ DELETE

CREATE TEMP TABLE r_del AS SELECT * FROM pg_temp.http('DELETE', '/scim/v2/Users/' || :'bj', :'auth');
SELECT is(status, 204, 'DELETE: 204') FROM r_del;
SELECT is(body, NULL, 'a 204 has no body') FROM r_del;
SELECT is((SELECT status FROM pg_temp.http('GET', '/scim/v2/Users/' || :'bj', :'auth')), 404, 'a deleted user: 404');
SELECT is((SELECT status FROM pg_temp.http('DELETE', '/scim/v2/Users/' || :'bj', :'auth')), 404, 'deleting again: 404');
SELECT is((SELECT actor FROM scim.events WHERE tenant_id = 'pgtap07' AND resource_id = :'bj'::uuid AND action = 'deleted'),
		  'token:okta', 'the deletion is recorded with the token''s label');

-- ------------------------------------------------------------ payload cap

SELECT scim.tenant_configure('pgtap07', '{"max_payload_bytes": 1024}') \gset _
CREATE TEMP TABLE r_big AS SELECT * FROM pg_temp.http('POST', '/scim/v2/Users', :'auth',
	format('{"userName": "big", "title": "%s"}', repeat('x', 2000)));
SELECT is(status, 413, 'a body over max_payload_bytes: 413') FROM r_big;
SELECT is((SELECT count(*)::int FROM scim.users WHERE tenant_id = 'pgtap07' AND user_name = 'big'), 0, 'and nothing was written');

SELECT * FROM finish();
ROLLBACK;
