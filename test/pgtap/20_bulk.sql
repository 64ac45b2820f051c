-- test/pgtap/20_bulk.sql
--	  POST /Bulk through scim_api.handle: the status of the whole request
--	  (200, 413 over maxOperations, 400 for malformed JSON, 405 for GET),
--	  the BulkResponse with locations under the request's base URL, and
--	  /ServiceProviderConfig advertising the tenant's real limits.  What
--	  scim.bulk does with each operation (references, circularity,
--	  failOnErrors, isolation, versions, limits) is the golden output of
--	  sql/bulk.sql.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(7);

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

SELECT scim.tenant_create('pgtap20', '{"bulk_max_operations": 2, "max_payload_bytes": 2048}') \gset _
SELECT 'Bearer ' || scim.token_issue('pgtap20', 'bulk') AS auth \gset

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
