--
-- bulk.sql: scim.bulk (RFC 7644 §3.7; rules in src/bulk.c).
-- Malformed requests and limits (the whole request fails), then what each
-- operation reports: bulkId references backward and forward, circularity,
-- failOnErrors, isolation of failures, versions, unknown paths.  What
-- POST /Bulk answers over HTTP is in test/pgtap/20_bulk.sql.
-- Ids are random: the listings show them as <id>.
--
\set VERBOSITY default
SET scim.base_url = 'https://scim.example/scim/v2';

-- a BulkRequest of the given operations, plus extra members
CREATE FUNCTION bulk_req(ops jsonb, extra jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]'::jsonb,
							  'Operations', ops) || extra
$$;

-- the uuids of s as <id>
CREATE FUNCTION bulk_mask(s text) RETURNS text
LANGUAGE sql AS $$
	SELECT regexp_replace(s, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'g')
$$;

-- the operations of a BulkResponse, one row each, in response order
CREATE FUNCTION bulk_ops(resp jsonb)
RETURNS TABLE (n int, method text, bulk_id text, status text, location text,
			   version text, error text)
LANGUAGE sql AS $$
	SELECT o.n::int, o.op ->> 'method', o.op ->> 'bulkId', o.op ->> 'status',
		   bulk_mask(o.op ->> 'location'), o.op ->> 'version',
		   CASE WHEN o.op ? 'response' THEN
				(o.op -> 'response' ->> 'status') || COALESCE(' ' || (o.op -> 'response' ->> 'scimType'), '')
				|| ': ' || bulk_mask(o.op -> 'response' ->> 'detail') END
	  FROM jsonb_array_elements(resp -> 'Operations') WITH ORDINALITY AS o(op, n)
$$;

SELECT scim.tenant_create('bulk');

-- ------------------------------------------------- malformed: 400 for all
SELECT scim.bulk('bulk', '[]');
SELECT scim.bulk('bulk', '{"Operations": []}');
SELECT scim.bulk('bulk', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}');
SELECT scim.bulk('bulk', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]}');
SELECT scim.bulk('bulk', bulk_req('{"method": "POST"}'));
SELECT scim.bulk('bulk', bulk_req('[]', '{"failOnErrors": 0}'));
SELECT scim.bulk('bulk', bulk_req('[]', '{"failOnErrors": 1.5}'));
SELECT scim.bulk('bulk', bulk_req('[]', '{"failOnErrors": "1"}'));
SELECT scim.bulk('bulk', bulk_req('[42]'));
SELECT scim.bulk('bulk', bulk_req('[{"path": "/Users", "bulkId": "a", "data": {}}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "GET", "path": "/Users/x"}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "POST", "path": "/Users", "data": {"userName": "x"}}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "POST", "path": "/Users", "bulkId": "", "data": {"userName": "x"}}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "POST", "bulkId": "a", "data": {"userName": "x"}}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "POST", "path": "/Users/abc", "bulkId": "a", "data": {"userName": "x"}}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "DELETE", "path": "/Users"}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "PATCH", "path": "/Users/abc"}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "PUT", "path": "/Users/abc", "data": "x"}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "DELETE", "path": "/Users/abc", "version": 3}]'));
SELECT scim.bulk('bulk', bulk_req('[{"method": "POST", "path": "/Users", "bulkId": "a", "data": {"userName": "x"}},
									{"method": "POST", "path": "/Groups", "bulkId": "a", "data": {"displayName": "x"}}]'));
-- nothing of a malformed request ran
SELECT count(*) FROM scim.users WHERE tenant_id = 'bulk';
SELECT scim.bulk(NULL, bulk_req('[]'));
SELECT scim.bulk('bulk', NULL);
SELECT scim.bulk('nobody', bulk_req('[]'));

-- ------------------------------------------------- limits: 413 for all
SELECT scim.tenant_create('bulk_small', '{"bulk_max_operations": 2, "max_payload_bytes": 1024}');
SELECT * FROM bulk_ops(scim.bulk('bulk_small', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "a", "data": {"userName": "a"}},
	{"method": "POST", "path": "/Users", "bulkId": "b", "data": {"userName": "b"}}]')));
SELECT scim.bulk('bulk_small', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "c", "data": {"userName": "c"}},
	{"method": "POST", "path": "/Users", "bulkId": "d", "data": {"userName": "d"}},
	{"method": "POST", "path": "/Users", "bulkId": "e", "data": {"userName": "e"}}]'));
SELECT scim.bulk('bulk_small', bulk_req(jsonb_build_array(jsonb_build_object(
	'method', 'POST', 'path', '/Users', 'bulkId', 'f',
	'data', jsonb_build_object('userName', 'f', 'displayName', repeat('x', 1000))))));
SELECT user_name FROM scim.users WHERE tenant_id = 'bulk_small' ORDER BY 1;
-- the limits are the tenant's: with a higher maxOperations the request runs
SELECT scim.tenant_configure('bulk_small', '{"bulk_max_operations": 3}') -> 'bulk_max_operations';
SELECT * FROM bulk_ops(scim.bulk('bulk_small', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "c", "data": {"userName": "c"}},
	{"method": "POST", "path": "/Users", "bulkId": "d", "data": {"userName": "d"}},
	{"method": "POST", "path": "/Users", "bulkId": "e", "data": {"userName": "e"}}]')));

-- ------------------------------------------------- an empty request
SELECT scim.bulk('bulk', bulk_req('[]'));

-- ------------------------------------------------- backward references
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "alice", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "alice"}},
	{"method": "POST", "path": "/Users", "bulkId": "bob", "data": {"userName": "bob"}},
	{"method": "POST", "path": "/Groups", "bulkId": "team", "data": {"displayName": "Team",
		"members": [{"value": "bulkId:alice", "type": "User"}, {"value": "bulkId:bob"}]}}]')));
SELECT g.display_name, string_agg(u.user_name, ', ' ORDER BY u.user_name) AS members
  FROM scim.groups g JOIN scim.members m ON m.tenant_id = g.tenant_id AND m.group_id = g.id
  JOIN scim.users u ON u.tenant_id = m.tenant_id AND u.id = m.member_id
 WHERE g.tenant_id = 'bulk' AND g.display_name = 'Team' GROUP BY 1;

-- ------------------------------------------------- forward references
-- the group comes first in the request, its members after it: they run
-- first; everything else keeps the request order
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Groups", "bulkId": "crew", "data": {"displayName": "Crew",
		"members": [{"value": "bulkId:dan"}, {"value": "bulkId:carol"}]}},
	{"method": "POST", "path": "/Users", "bulkId": "carol", "data": {"userName": "carol"}},
	{"method": "PATCH", "path": "/Users/bulkId:dan", "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "replace", "path": "displayName", "value": "Dan D."}]}},
	{"method": "POST", "path": "/Users", "bulkId": "dan", "data": {"userName": "dan"}}]')));
SELECT g.display_name, string_agg(u.user_name || '/' || u.display_name, ', ' ORDER BY u.user_name) AS members
  FROM scim.groups g JOIN scim.members m ON m.tenant_id = g.tenant_id AND m.group_id = g.id
  JOIN scim.users u ON u.tenant_id = m.tenant_id AND u.id = m.member_id
 WHERE g.tenant_id = 'bulk' AND g.display_name = 'Crew' GROUP BY 1;
-- a reference nested deep in data, and in a PatchOp value
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "PATCH", "path": "/Groups/bulkId:ops", "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "add", "path": "members", "value": [{"value": "bulkId:erin"}]}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "ops", "data": {"displayName": "Ops"}},
	{"method": "POST", "path": "/Users", "bulkId": "erin", "data": {"userName": "erin",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "bulkId:ops-lead"}}}},
	{"method": "POST", "path": "/Users", "bulkId": "ops-lead", "data": {"userName": "ops-lead"}}]')));
SELECT scim.user_get('bulk', id::text) #>> '{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,manager,value}'
	   = (SELECT id::text FROM scim.users WHERE tenant_id = 'bulk' AND user_name = 'ops-lead') AS manager_resolved
  FROM scim.users WHERE tenant_id = 'bulk' AND user_name = 'erin';
SELECT count(*) AS ops_members FROM scim.members m JOIN scim.groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
 WHERE g.tenant_id = 'bulk' AND g.display_name = 'Ops';

-- PUT and DELETE of a bulkId path wait for its POST (the DELETE reports
-- the location of the user its path named); a group created in the request
-- can be a member of another one
CREATE TEMP TABLE bulk_r AS SELECT scim.bulk('bulk', bulk_req('[
	{"method": "DELETE", "path": "/Users/bulkId:tmp"},
	{"method": "POST", "path": "/Users", "bulkId": "tmp", "data": {"userName": "tmp"}},
	{"method": "PUT", "path": "/Users/bulkId:kim", "data": {"userName": "kim", "title": "Boss"}},
	{"method": "POST", "path": "/Users", "bulkId": "kim", "data": {"userName": "kim"}},
	{"method": "POST", "path": "/Groups", "bulkId": "outer2", "data": {"displayName": "Outer 2",
		"members": [{"value": "bulkId:kim"}, {"value": "bulkId:inner"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "inner", "data": {"displayName": "Inner", "members": [{"value": "bulkId:kim"}]}}]')) AS r;
SELECT o.* FROM bulk_r, bulk_ops(r) o;
SELECT r #>> '{Operations,1,location}' = r #>> '{Operations,0,location}' AS delete_names_the_posted_user FROM bulk_r;
SELECT count(*) AS tmp_left FROM scim.users WHERE tenant_id = 'bulk' AND user_name = 'tmp';
SELECT attrs ->> 'title' AS kim_title FROM scim.users WHERE tenant_id = 'bulk' AND user_name = 'kim';
SELECT m.member_type, count(*) FROM scim.members m JOIN scim.groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
 WHERE g.tenant_id = 'bulk' AND g.display_name = 'Outer 2' GROUP BY 1 ORDER BY 1;

-- ------------------------------------------------- circular references
-- a cycle fails as a whole (409 invalidSyntax); an operation that needs
-- one of its resources fails as unresolved; the rest runs
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Groups", "bulkId": "g1", "data": {"displayName": "G1", "members": [{"value": "bulkId:g2"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "g2", "data": {"displayName": "G2", "members": [{"value": "bulkId:g3"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "g3", "data": {"displayName": "G3", "members": [{"value": "bulkId:g1"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "self", "data": {"displayName": "Self", "members": [{"value": "bulkId:self"}]}},
	{"method": "POST", "path": "/Groups", "bulkId": "outer", "data": {"displayName": "Outer", "members": [{"value": "bulkId:g2"}]}},
	{"method": "POST", "path": "/Users", "bulkId": "frank", "data": {"userName": "frank"}}]')));
SELECT display_name FROM scim.groups WHERE tenant_id = 'bulk' AND display_name IN ('G1', 'G2', 'G3', 'Self', 'Outer');
SELECT count(*) AS frank FROM scim.users WHERE tenant_id = 'bulk' AND user_name = 'frank';
-- unknown bulkIds, and bulkIds of operations that are not POSTs
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Groups", "bulkId": "lost", "data": {"displayName": "Lost", "members": [{"value": "bulkId:nobody"}]}},
	{"method": "DELETE", "path": "/Users/bulkId:nobody"},
	{"method": "PATCH", "path": "/Users/00000000-0000-0000-0000-000000000000", "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "replace", "path": "externalId", "value": "bulkId:nobody"}]}},
	{"method": "PUT", "path": "/Users/bulkId:p", "bulkId": "p", "data": {"userName": "p"}}]')));

-- ------------------------------------------------- isolation of failures
-- the duplicate and the invalid user fail alone; the others stay
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "g", "data": {"userName": "grace"}},
	{"method": "POST", "path": "/Users", "bulkId": "dup", "data": {"userName": "ALICE"}},
	{"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"userName": "heidi", "active": "maybe"}},
	{"method": "POST", "path": "/Users", "bulkId": "i", "data": {"userName": "ivan"}},
	{"method": "POST", "path": "/Groups", "bulkId": "mixed", "data": {"displayName": "Mixed",
		"members": [{"value": "bulkId:g"}, {"value": "bulkId:bad"}]}}]')));
SELECT user_name FROM scim.users WHERE tenant_id = 'bulk' AND user_name IN ('grace', 'heidi', 'ivan', 'ALICE') ORDER BY 1;
SELECT count(*) AS mixed FROM scim.groups WHERE tenant_id = 'bulk' AND display_name = 'Mixed';
-- a failed operation leaves no event behind
SELECT count(*) AS heidi_events FROM scim.events WHERE tenant_id = 'bulk' AND changes ->> 'userName' = 'heidi';
SELECT count(*) AS grace_events FROM scim.events WHERE tenant_id = 'bulk' AND changes ->> 'userName' = 'grace';

-- ------------------------------------------------- failOnErrors
-- 1: stop at the first failure; what ran before it stays
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "j", "data": {"userName": "judy"}},
	{"method": "POST", "path": "/Users", "bulkId": "x1", "data": {"userName": "judy"}},
	{"method": "POST", "path": "/Users", "bulkId": "k", "data": {"userName": "ken"}}]', '{"failOnErrors": 1}')));
SELECT user_name FROM scim.users WHERE tenant_id = 'bulk' AND user_name IN ('judy', 'ken') ORDER BY 1;
-- 2: the first failure is accepted, the second stops
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "y1", "data": {"userName": "judy"}},
	{"method": "POST", "path": "/Users", "bulkId": "l", "data": {"userName": "leo"}},
	{"method": "DELETE", "path": "/Users/00000000-0000-0000-0000-000000000000"},
	{"method": "POST", "path": "/Users", "bulkId": "m", "data": {"userName": "mallory"}}]', '{"failOnErrors": 2}')));
SELECT user_name FROM scim.users WHERE tenant_id = 'bulk' AND user_name IN ('leo', 'mallory') ORDER BY 1;
-- failures before running (unknown endpoint, circularity) count too
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Widgets", "bulkId": "w", "data": {}},
	{"method": "POST", "path": "/Groups", "bulkId": "z", "data": {"displayName": "Z", "members": [{"value": "bulkId:z"}]}},
	{"method": "POST", "path": "/Users", "bulkId": "n", "data": {"userName": "niaj"}}]', '{"failOnErrors": 2}')));
-- without failOnErrors (or null) everything runs
SELECT count(*) FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "DELETE", "path": "/Users/00000000-0000-0000-0000-000000000000"},
	{"method": "DELETE", "path": "/Users/00000000-0000-0000-0000-000000000000"},
	{"method": "DELETE", "path": "/Users/00000000-0000-0000-0000-000000000000"}]', '{"failOnErrors": null}')));

-- ------------------------------------------------- versions, PUT, PATCH, DELETE
SELECT scim.user_create('bulk', '{"userName": "olivia"}') ->> 'id' AS olivia \gset
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req(jsonb_build_array(
	jsonb_build_object('method', 'PUT', 'path', '/Users/' || :'olivia', 'version', 'W/"1"',
					   'data', '{"userName": "olivia", "displayName": "Olivia"}'::jsonb),
	jsonb_build_object('method', 'patch', 'path', '/Users/' || :'olivia', 'version', 'W/"1"',
					   'data', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "stale"}]}'::jsonb),
	jsonb_build_object('method', 'Patch', 'path', '/Users/' || :'olivia', 'version', 'W/"2"',
					   'data', '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "Boss"}]}'::jsonb),
	jsonb_build_object('method', 'DELETE', 'path', '/Users/' || :'olivia', 'version', 'W/"2"')))));
SELECT display_name, attrs ->> 'title' AS title, version FROM scim.users WHERE tenant_id = 'bulk' AND user_name = 'olivia';
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req(jsonb_build_array(
	jsonb_build_object('method', 'DELETE', 'path', '/Users/' || :'olivia', 'version', 'W/"3"'),
	jsonb_build_object('method', 'DELETE', 'path', '/Users/' || :'olivia')))));
-- a user created and deleted in the same request; groups by path
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Users", "bulkId": "temp", "data": {"userName": "temp"}},
	{"method": "POST", "path": "groups/", "bulkId": "tg", "data": {"displayName": "Temp group", "members": [{"value": "bulkId:temp"}]}},
	{"method": "PUT", "path": "/Groups/bulkId:tg", "data": {"displayName": "Temp group 2"}},
	{"method": "DELETE", "path": "/Users/bulkId:temp"},
	{"method": "DELETE", "path": "/GROUPS/bulkId:tg"}]')));
SELECT count(*) AS temp_left FROM scim.users WHERE tenant_id = 'bulk' AND user_name = 'temp';
SELECT count(*) AS temp_group_left FROM scim.groups WHERE tenant_id = 'bulk' AND display_name LIKE 'Temp group%';

-- ------------------------------------------------- unknown paths: 404 for the operation
SELECT * FROM bulk_ops(scim.bulk('bulk', bulk_req('[
	{"method": "POST", "path": "/Widgets", "bulkId": "w", "data": {}},
	{"method": "DELETE", "path": "/Users/abc/def"},
	{"method": "PATCH", "path": "/Users/not-a-uuid", "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "title"}]}},
	{"method": "POST", "path": "/Users", "bulkId": "after", "data": {"userName": "after-404"}}]')));

-- ------------------------------------------------- the response document
SELECT jsonb_path_query(r, '$.schemas'), jsonb_typeof(r -> 'Operations'),
	   bulk_mask(r #>> '{Operations,0,location}') AS location
  FROM scim.bulk('bulk', bulk_req('[{"method": "POST", "path": "/Users", "bulkId": "last", "data": {"userName": "last"}}]')) r;
