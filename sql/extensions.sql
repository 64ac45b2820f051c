--
-- Tenant-defined extension schemas (custom User attributes).
--
\set VERBOSITY default
SELECT scim.tenant_create('ext');
SELECT scim.tenant_create('ext_other');
\set urn 'urn:ietf:params:scim:schemas:extension:acme:2.0:User'

SELECT scim.schema_extension_add('ext', :'urn', '[
	{"name": "badge", "type": "integer", "description": "Badge number"},
	{"name": "shirt", "canonicalValues": ["S", "M", "L"]},
	{"name": "onCall", "type": "boolean"},
	{"name": "hired", "type": "dateTime"},
	{"name": "office", "type": "complex", "subAttributes": [{"name": "building"}, {"name": "floor", "type": "integer"}]},
	{"name": "pets", "multiValued": true},
	{"name": "code", "caseExact": true}]');

-- registration errors
SELECT scim.schema_extension_add('ext', :'urn', '[{"name": "x"}]');
SELECT scim.schema_extension_add('ext', 'urn:example:custom', '[{"name": "x"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', '[{"name": "x"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "1x"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x"}, {"name": "X"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x", "type": "blob"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x", "uniqueness": "server"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x", "mutability": "readOnly"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x", "type": "complex"}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x", "type": "complex", "subAttributes": [{"name": "y", "type": "complex", "subAttributes": [{"name": "z"}]}]}]');
SELECT scim.schema_extension_add('ext', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x", "subAttributes": [{"name": "z"}]}]');
SELECT scim.schema_extension_add('nobody', 'urn:ietf:params:scim:schemas:extension:b:2.0:User', '[{"name": "x"}]');
SELECT count(*) FROM scim.schema_extensions;

-- values are validated, stored and returned
SELECT scim.user_create('ext', jsonb_build_object('userName', 'a@ext.test', :'urn',
	'{"badge": 42, "shirt": "M", "onCall": "True", "hired": "2020-01-02T03:04:05Z", "office": {"building": "HQ", "floor": 3}, "pets": ["cat", "dog"], "code": "AbC"}'::jsonb))
	-> :'urn' AS extension;
SELECT scim.user_create('ext', jsonb_build_object('userName', 'b@ext.test', :'urn', '{"badge": 7, "code": "abc", "office": {"building": "Annex"}}'::jsonb))
	-> 'schemas' AS schemas;
SELECT scim.user_create('ext', jsonb_build_object('userName', 'x@ext.test', :'urn', '{"badge": "many"}'::jsonb));
SELECT scim.user_create('ext', jsonb_build_object('userName', 'x@ext.test', :'urn', '{"badge": 1.5}'::jsonb));
SELECT scim.user_create('ext', jsonb_build_object('userName', 'x@ext.test', :'urn', '{"hired": "yesterday"}'::jsonb));
SELECT scim.user_create('ext', jsonb_build_object('userName', 'x@ext.test', :'urn', '{"colour": "red"}'::jsonb));
SELECT scim.user_create('ext', jsonb_build_object('userName', 'x@ext.test', :'urn', '{"office": {"room": 1}}'::jsonb));
-- another tenant does not have the extension
SELECT scim.user_create('ext_other', jsonb_build_object('userName', 'x@ext.test', :'urn', '{"badge": 1}'::jsonb));

-- filterable and sortable
SELECT u ->> 'userName' FROM jsonb_array_elements(scim.user_list('ext', :'urn' || ':badge gt 10') -> 'Resources') u;
SELECT u ->> 'userName' FROM jsonb_array_elements(scim.user_list('ext', :'urn' || ':office.building eq "hq"') -> 'Resources') u;
SELECT u ->> 'userName' FROM jsonb_array_elements(scim.user_list('ext', :'urn' || ':code eq "abc"') -> 'Resources') u;
SELECT u ->> 'userName' FROM jsonb_array_elements(scim.user_list('ext', :'urn' || ':pets eq "DOG"') -> 'Resources') u;
SELECT u ->> 'userName' FROM jsonb_array_elements(scim.user_list('ext', :'urn' || ':onCall eq true') -> 'Resources') u;
SELECT u ->> 'userName' FROM jsonb_array_elements(scim.user_list('ext', NULL, 1, 10, :'urn' || ':badge', 'descending') -> 'Resources') u;
SELECT scim.user_list('ext', :'urn' || ':nope eq 1');

-- PATCHable by URN path
SELECT id AS a FROM scim.users WHERE tenant_id = 'ext' AND user_name = 'a@ext.test' \gset
SELECT scim.user_patch('ext', :'a', jsonb_build_object('Operations', jsonb_build_array(
	jsonb_build_object('op', 'replace', 'path', :'urn' || ':badge', 'value', 43),
	jsonb_build_object('op', 'add', 'path', :'urn' || ':pets', 'value', jsonb_build_array('fish')),
	jsonb_build_object('op', 'remove', 'path', :'urn' || ':office.floor')))) -> :'urn' AS patched;
SELECT scim.user_patch('ext', :'a', jsonb_build_object('Operations', jsonb_build_array(
	jsonb_build_object('op', 'replace', 'path', :'urn' || ':badge', 'value', 'x')))) -> :'urn' AS patched;

-- core attributes nested under the core schema's URN (Entra's custom core attributes)
SELECT scim.user_create('ext', '{"userName": "nested@ext.test", "urn:ietf:params:scim:schemas:core:2.0:User": {"role": "moderator", "title": "Nested"}}') - 'id' - 'meta';
