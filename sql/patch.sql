--
-- PATCH (RFC 7644 §3.5.2): a table of cases for src/patch.c and
-- src/filter_eval.c, run through scim.user_patch and scim.group_patch.
--
-- Each case starts from a fresh resource, applies a PatchOp and prints the
-- resulting resource (without id and meta) or the error (SQLSTATE, message
-- and the "scimType: x." detail).  Every case runs in a subtransaction that
-- is rolled back, so cases do not see each other.  The rules are listed in
-- the header comment of src/patch.c; labels are those of docs/conformance.md.
--
-- Fixture users alice, carol and dave exist in every case; "$alice" in a
-- start document or an operation stands for alice's id, "$self" in an
-- operation for the id of the resource being patched, and ids in the
-- output are written back as such names.  A Group's members are shown as
-- the sorted list of their ids.
--
\pset format unaligned
\pset tuples_only on
SELECT scim.tenant_create('patch');

CREATE TEMP TABLE patch_fixture (name text PRIMARY KEY, kind text, doc jsonb);
INSERT INTO patch_fixture VALUES
('bob', 'user', '{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "userName": "bob@example.com", "externalId": "ext-bob",
  "name": {"givenName": "Bob", "familyName": "Smith", "middleName": "Q"},
  "displayName": "Bob Smith", "nickName": "Bobby", "title": "Engineer",
  "active": true,
  "emails": [{"value": "bob@example.com", "type": "work", "primary": true},
             {"value": "bob@home.example", "type": "home"}],
  "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
    {"employeeNumber": "42", "department": "Eng"}}'),
('min', 'user', '{"userName": "min@example.com"}'),
('mgr', 'user', '{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "userName": "mgr@example.com",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
    {"employeeNumber": "7", "manager": {"value": "$alice"}}}'),
('mails', 'user', '{"userName": "mails@example.com",
  "emails": [{"value": "a@example.com", "type": "work"},
             {"value": "b@example.com", "type": "home", "primary": true},
             {"value": "c@example.com", "type": "work", "display": "C"},
             {"value": "d@example.com"}]}'),
('photo', 'user', '{"userName": "photo@example.com",
  "photos": [{"value": "https://img.example/Me.png", "type": "photo"}]}'),
('eng', 'group', '{"displayName": "Eng", "externalId": "ext-eng",
  "members": [{"value": "$alice"}, {"value": "$carol"}]}'),
('empty', 'group', '{"displayName": "Empty"}');

-- patch_case(label, start, ops[, show]): start is a fixture name or a JSON
-- document (a User when it has userName, else a Group); ops is the
-- Operations array, or a whole PatchOp body when it is an object; show
-- limits the output to these attributes.
CREATE FUNCTION patch_case(label text, start text, ops jsonb,
						   show text[] DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	ids		jsonb := '{}';
	n		text;
	k		text;
	kind	text;
	doc		text;
	body	text;
	created	jsonb;
	res		jsonb;
	out		text;
	msg		text;
	det		text;
	st		text;
BEGIN
	BEGIN
		FOREACH n IN ARRAY ARRAY['alice', 'carol', 'dave'] LOOP
			created := scim.user_create('patch',
				jsonb_build_object('userName', n || '@example.com'));
			ids := ids || jsonb_build_object(n, created->>'id');
		END LOOP;

		SELECT f.kind, f.doc::text INTO kind, doc
			FROM patch_fixture f WHERE f.name = start;
		IF NOT FOUND THEN
			doc := start;
			kind := CASE WHEN start::jsonb ? 'userName' THEN 'user' ELSE 'group' END;
		END IF;
		body := CASE WHEN jsonb_typeof(ops) = 'object' THEN ops::text
			ELSE jsonb_build_object('schemas',
					jsonb_build_array('urn:ietf:params:scim:api:messages:2.0:PatchOp'),
					'Operations', ops)::text END;
		FOR k IN SELECT jsonb_object_keys(ids) LOOP
			doc := replace(doc, '$' || k, ids->>k);
			body := replace(body, '$' || k, ids->>k);
		END LOOP;

		IF kind = 'user' THEN
			created := scim.user_create('patch', doc::jsonb);
		ELSE
			created := scim.group_create('patch', doc::jsonb);
		END IF;
		ids := ids || jsonb_build_object('self', created->>'id');
		body := replace(body, '$self', created->>'id');
		IF kind = 'user' THEN
			res := scim.user_patch('patch', created->>'id', body::jsonb);
		ELSE
			res := scim.group_patch('patch', created->>'id', body::jsonb);
		END IF;
		res := res - 'id' - 'meta';
		IF show IS NOT NULL THEN
			SELECT coalesce(jsonb_object_agg(key, value), '{}') INTO res
				FROM jsonb_each(res) WHERE key = ANY (show);
		END IF;
		out := res::text;
		FOR k IN SELECT jsonb_object_keys(ids) LOOP
			out := replace(out, ids->>k, '$' || k);
		END LOOP;
		-- members: just their ids, sorted (they come back in random id order)
		res := out::jsonb;
		IF jsonb_typeof(res->'members') = 'array' THEN
			res := jsonb_set(res, '{members}',
				(SELECT coalesce(jsonb_agg(m->'value' ORDER BY m->>'value'), '[]')
				 FROM jsonb_array_elements(res->'members') m));
			out := res::text;
		END IF;
		-- roll the case back: its result travels in the exception
		RAISE EXCEPTION USING ERRCODE = 'SCIMT', MESSAGE = out;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
			st = RETURNED_SQLSTATE;
		IF st = 'SCIMT' THEN
			RETURN label || ': ' || msg;
		END IF;
		FOR k IN SELECT jsonb_object_keys(ids) LOOP
			msg := replace(msg, ids->>k, '$' || k);
		END LOOP;
		RETURN label || ': ERROR ' || st || ' ' || msg || ' (' || coalesce(det, '') || ')';
	END;
END $$;

-- ---------------------------------------------------------------------
-- The PatchOp message (M1, M9)
-- ---------------------------------------------------------------------
SELECT patch_case('M1 schemas absent is accepted', 'min',
	'{"Operations": [{"op": "add", "path": "title", "value": "T"}]}', '{title}');
SELECT patch_case('M1 schemas without PatchOp', 'min',
	'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "Operations": [{"op": "add", "path": "title", "value": "T"}]}');
SELECT patch_case('M1 schemas not an array', 'min',
	'{"schemas": "urn:ietf:params:scim:api:messages:2.0:PatchOp", "Operations": [{"op": "add", "path": "title", "value": "T"}]}');
SELECT patch_case('M1 Operations missing', 'min',
	'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}');
SELECT patch_case('M1 Operations empty', 'min', '[]');
SELECT patch_case('M1 Operations not an array', 'min',
	'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": {"op": "add"}}');
SELECT patch_case('M1 operations key in any case', 'min',
	'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "operations": [{"op": "add", "path": "title", "value": "T"}]}', '{title}');
SELECT patch_case('M1 operation not an object', 'min', '["add"]');
SELECT patch_case('M1 op missing', 'min', '[{"path": "title", "value": "T"}]');
SELECT patch_case('M1 unknown op', 'min', '[{"op": "copy", "path": "title", "value": "T"}]');
SELECT patch_case('M9 op in upper case', 'min', '[{"op": "ADD", "path": "title", "value": "T"}]', '{title}');
SELECT patch_case('M1 add without value', 'min', '[{"op": "add", "path": "title"}]');
SELECT patch_case('M1 replace without value', 'min', '[{"op": "replace", "path": "title"}]');
SELECT patch_case('M1 path not a string', 'min', '[{"op": "add", "path": 3, "value": "T"}]');
SELECT patch_case('M1 empty path means no path', 'min', '[{"op": "add", "path": "", "value": {"title": "T"}}]', '{title}');
SELECT patch_case('M2 the error names the failing operation', 'min',
	'[{"op": "add", "path": "title", "value": "T"}, {"op": "add", "path": "nickName", "value": "N"}, {"op": "replace", "path": "active", "value": "maybe"}]');
SELECT patch_case('M2 operations apply in order', 'min',
	'[{"op": "add", "path": "title", "value": "one"}, {"op": "replace", "path": "title", "value": "two"}, {"op": "add", "path": "nickName", "value": "N"}, {"op": "remove", "path": "nickName"}]',
	'{title,nickName}');

-- ---------------------------------------------------------------------
-- Okta (docs/okta.md, steps 8 and 9)
-- ---------------------------------------------------------------------
SELECT patch_case('Okta deactivate', 'bob',
	'[{"op": "replace", "value": {"active": false}}]', '{active,userName}');
SELECT patch_case('Okta reactivate', '{"userName": "x@example.com", "active": false}',
	'[{"op": "replace", "value": {"active": true}}]', '{active}');
SELECT patch_case('Okta password sync is never echoed', 'bob',
	'[{"op": "replace", "value": {"password": "n3w-Secret!"}}]', '{password,userName}');
SELECT patch_case('Okta group rename echoes its own id', 'eng',
	'[{"op": "replace", "value": {"id": "$self", "displayName": "Engineering"}}]', '{displayName}');
SELECT patch_case('Okta membership add and remove', 'eng',
	'[{"op": "remove", "path": "members[value eq \"$alice\"]"}, {"op": "add", "path": "members", "value": [{"value": "$dave", "display": "dave@example.com"}]}]',
	'{displayName,members}');
SELECT patch_case('Okta full push replaces members', 'eng',
	'[{"op": "replace", "path": "members", "value": [{"value": "$dave"}]}]', '{members}');
SELECT patch_case('Okta full push with no members', 'eng',
	'[{"op": "replace", "path": "members", "value": []}]', '{members}');
SELECT patch_case('Okta add of a member already there', 'eng',
	'[{"op": "add", "path": "members", "value": [{"value": "$alice", "display": "alice@example.com"}]}]', '{members}');

-- ---------------------------------------------------------------------
-- Microsoft Entra ID (docs/entra.md, step 4)
-- ---------------------------------------------------------------------
SELECT patch_case('Entra disable with a string boolean', 'bob',
	'[{"op": "Replace", "path": "active", "value": "False"}]', '{active}');
SELECT patch_case('Entra enable with a string boolean', '{"userName": "x@example.com", "active": false}',
	'[{"op": "Replace", "path": "active", "value": "True"}]', '{active}');
SELECT patch_case('Entra disable with the flag', 'bob',
	'[{"op": "replace", "path": "active", "value": false}]', '{active}');
SELECT patch_case('Entra add a single-valued string', 'min',
	'[{"op": "Add", "path": "nickName", "value": "Minnie"}]', '{nickName}');
SELECT patch_case('Entra one Replace per attribute', 'bob',
	'[{"op": "Replace", "path": "displayName", "value": "Robert Smith"},
	  {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "robert@example.com"},
	  {"op": "Replace", "path": "name.givenName", "value": "Robert"},
	  {"op": "Replace", "path": "name.familyName", "value": "Smyth"},
	  {"op": "Replace", "path": "externalId", "value": "ext-robert"},
	  {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "43"}]',
	'{displayName,emails,name,externalId,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('Entra flag: path-less replace with dotted and URN keys', 'bob',
	'[{"op": "replace", "value": {"displayName": "Robert Smith", "name.givenName": "Robert", "name.familyName": "Smyth", "externalId": "ext-robert",
	   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "43",
	   "urn:ietf:params:scim:schemas:core:2.0:User:nickName": "Rob"}}]',
	'{displayName,name,externalId,nickName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('Entra AD7 add a work email to a user without one', 'min',
	'[{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "min@work.example"}]', '{emails}');
SELECT patch_case('Entra AD7 add updates the existing work email in place', 'bob',
	'[{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "robert@example.com"}]', '{emails}');
SELECT patch_case('Entra AD7 add a mobile phone', 'bob',
	'[{"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0199"}]', '{phoneNumbers}');
SELECT patch_case('Entra AD7 add a work address part', 'min',
	'[{"op": "Add", "path": "addresses[type eq \"work\"].streetAddress", "value": "1 Main St"},
	  {"op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "Springfield"}]', '{addresses}');
SELECT patch_case('Entra: replace through an unmatched type filter adds the typed record', 'min',
	'[{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "min@work.example"}]');
SELECT patch_case('Entra manager as a bare id', 'bob',
	'[{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "$alice"}]',
	'{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('Entra manager as an object', 'bob',
	'[{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": "$carol"}}]',
	'{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('Entra remove the manager', 'mgr',
	'[{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]',
	'{schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('Entra rename a group', 'eng',
	'[{"op": "Replace", "path": "displayName", "value": "Engineering"}]', '{displayName}');
SELECT patch_case('Entra add several members', 'empty',
	'[{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "$alice"}, {"$ref": null, "value": "$dave"}]}]', '{members}');
SELECT patch_case('Entra RM7 legacy remove lists the members to remove', 'eng',
	'[{"op": "Remove", "path": "members", "value": [{"value": "$alice"}]}]', '{members}');
SELECT patch_case('Entra flag remove through a filter', 'eng',
	'[{"op": "remove", "path": "members[value eq \"$carol\"]"}]', '{members}');
SELECT patch_case('Entra schema-qualified core path', 'bob',
	'[{"op": "Replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:title", "value": "Lead"}]', '{title}');

-- ---------------------------------------------------------------------
-- add (AD1-AD7)
-- ---------------------------------------------------------------------
SELECT patch_case('AD2 add creates a missing attribute', 'min',
	'[{"op": "add", "path": "title", "value": "Boss"}]', '{title,userName}');
SELECT patch_case('AD5 add replaces a single value', 'bob',
	'[{"op": "add", "path": "title", "value": "Lead"}]', '{title}');
SELECT patch_case('AD3 add to a complex attribute merges', 'bob',
	'[{"op": "add", "path": "name", "value": {"honorificPrefix": "Dr."}}]', '{name}');
SELECT patch_case('AD2 add creates a complex attribute', 'min',
	'[{"op": "add", "path": "name", "value": {"givenName": "Min", "familyName": "Lee"}}]', '{name}');
SELECT patch_case('AD4 add appends to a multi-valued attribute', 'bob',
	'[{"op": "add", "path": "emails", "value": [{"value": "bob@other.example", "type": "other"}]}]', '{emails}');
SELECT patch_case('AD6 add of a value already there changes nothing', 'bob',
	'[{"op": "add", "path": "emails", "value": [{"value": "BOB@Example.com", "type": "work", "primary": true}]}]', '{emails}');
SELECT patch_case('AD4 add accepts one object for a multi-valued attribute', 'min',
	'[{"op": "add", "path": "emails", "value": {"value": "m@example.com", "type": "home"}}]', '{emails}');
SELECT patch_case('M5 add a new primary value', 'bob',
	'[{"op": "add", "path": "emails", "value": [{"value": "bob@new.example", "type": "other", "primary": true}]}]', '{emails}');
SELECT patch_case('M5 two primaries in one value', 'min',
	'[{"op": "add", "path": "emails", "value": [{"value": "a@example.com", "primary": true}, {"value": "b@example.com", "primary": true}]}]');
SELECT patch_case('AD1 add without path, several attributes', 'min',
	'[{"op": "add", "value": {"title": "T", "nickName": "N", "emails": [{"value": "m@example.com"}]}}]', '{title,nickName,emails}');
SELECT patch_case('AD1 add without path, extension object merges', 'bob',
	'[{"op": "add", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"costCenter": "CC1"}}}]',
	'{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('AD1 add the extension to a user without it', 'min',
	'[{"op": "add", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"division": "West"}}}]',
	'{schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('add with the extension URN as path', 'bob',
	'[{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": {"organization": "ACME", "department": "R&D"}}]',
	'{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('add with the core URN as path', 'min',
	'[{"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User", "value": {"title": "T"}}]', '{title}');
SELECT patch_case('add through a filter merges into the match', 'mails',
	'[{"op": "add", "path": "emails[value eq \"a@example.com\"]", "value": {"display": "A"}}]', '{emails}');
SELECT patch_case('add through a filter sets a sub-attribute of every match', 'mails',
	'[{"op": "add", "path": "emails[type eq \"work\"].display", "value": "Work"}]', '{emails}');
SELECT patch_case('AD7 add through an unmatched filter that is not on type', 'mails',
	'[{"op": "add", "path": "emails[value eq \"z@example.com\"].type", "value": "work"}]');
SELECT patch_case('AD7 add a typed record from an object value', 'min',
	'[{"op": "add", "path": "emails[type eq \"home\"]", "value": {"value": "min@home.example", "primary": true}}]', '{emails}');
SELECT patch_case('add name.givenName creates name', 'min',
	'[{"op": "add", "path": "name.givenName", "value": "Min"}]', '{name}');
SELECT patch_case('add emails.value creates a value', 'min',
	'[{"op": "add", "path": "emails.value", "value": "min@example.com"}]', '{emails}');
SELECT patch_case('add emails.type sets it on every value', 'mails',
	'[{"op": "add", "path": "emails.type", "value": "other"}]', '{emails}');
SELECT patch_case('add a null value clears', 'bob',
	'[{"op": "add", "path": "nickName", "value": null}]', '{nickName,userName}');
SELECT patch_case('add an empty list changes nothing', 'bob',
	'[{"op": "add", "path": "phoneNumbers", "value": []}]', '{phoneNumbers}');
SELECT patch_case('add an unknown attribute', 'min',
	'[{"op": "add", "path": "shoeSize", "value": "44"}]');
SELECT patch_case('add an unknown sub-attribute', 'min',
	'[{"op": "add", "path": "name.nickname", "value": "N"}]');
SELECT patch_case('add a number to a string attribute', 'min',
	'[{"op": "add", "path": "title", "value": 5}]');
SELECT patch_case('add a list to a single-valued attribute', 'min',
	'[{"op": "add", "path": "title", "value": ["a", "b"]}]');
SELECT patch_case('add an unknown sub-attribute inside the value', 'min',
	'[{"op": "add", "path": "name", "value": {"givenName": "M", "nick": "N"}}]');
SELECT patch_case('add a string to a complex attribute', 'min',
	'[{"op": "add", "path": "name", "value": "Min Lee"}]');
SELECT patch_case('add a non-object without path', 'min',
	'[{"op": "add", "value": "title"}]');
SELECT patch_case('add an unknown attribute without path', 'min',
	'[{"op": "add", "value": {"title": "T", "shoeSize": 44}}]');
SELECT patch_case('add a bad boolean', 'min',
	'[{"op": "add", "path": "active", "value": "yes"}]');
SELECT patch_case('add a bad base64 certificate', 'min',
	'[{"op": "add", "path": "x509Certificates", "value": [{"value": "not base64!"}]}]');
SELECT patch_case('add a certificate', 'min',
	'[{"op": "add", "path": "x509Certificates", "value": [{"value": "TUlJQ2Z6Q0NBZWlnQXdJQkFnSUo="}]}]', '{x509Certificates}');
SELECT patch_case('add roles and entitlements', 'min',
	'[{"op": "add", "path": "roles", "value": [{"value": "admin", "primary": true}]}, {"op": "add", "path": "entitlements", "value": {"value": "vpn"}}]',
	'{roles,entitlements}');
SELECT patch_case('M4 add to readOnly groups', 'min',
	'[{"op": "add", "path": "groups", "value": [{"value": "$alice"}]}]');
SELECT patch_case('M4 add an equal id is not a change', 'min',
	'[{"op": "add", "value": {"id": "$self", "title": "T"}}]', '{title}');

-- ---------------------------------------------------------------------
-- replace (RP1-RP8)
-- ---------------------------------------------------------------------
SELECT patch_case('RP2 replace a single value', 'bob',
	'[{"op": "replace", "path": "title", "value": "CTO"}]', '{title}');
SELECT patch_case('RP2 replace with null unassigns', 'bob',
	'[{"op": "replace", "path": "title", "value": null}]', '{title,userName}');
SELECT patch_case('RP2 replace with an empty string unassigns', 'bob',
	'[{"op": "replace", "path": "nickName", "value": ""}]', '{nickName,userName}');
SELECT patch_case('RP2 replace userName', 'bob',
	'[{"op": "replace", "path": "userName", "value": "robert@example.com"}]', '{userName}');
SELECT patch_case('replace userName with an empty string', 'bob',
	'[{"op": "replace", "path": "userName", "value": ""}]');
SELECT patch_case('replace userName with null', 'bob',
	'[{"op": "replace", "value": {"userName": null}}]');
SELECT patch_case('RP4 replace a complex attribute merges', 'bob',
	'[{"op": "replace", "path": "name", "value": {"familyName": "Jones"}}]', '{name}');
SELECT patch_case('RP4 replace a sub-attribute with null inside the value', 'bob',
	'[{"op": "replace", "path": "name", "value": {"middleName": null}}]', '{name}');
SELECT patch_case('replace a complex attribute with null', 'bob',
	'[{"op": "replace", "path": "name", "value": null}]', '{name,userName}');
SELECT patch_case('RP3 replace all values', 'bob',
	'[{"op": "replace", "path": "emails", "value": [{"value": "only@example.com", "type": "work"}]}]', '{emails}');
SELECT patch_case('RP3 replace all values with an empty list', 'bob',
	'[{"op": "replace", "path": "emails", "value": []}]', '{emails,userName}');
SELECT patch_case('RP3 replace all values drops duplicates', 'min',
	'[{"op": "replace", "path": "emails", "value": [{"value": "x@example.com"}, {"value": "X@example.com"}]}]', '{emails}');
SELECT patch_case('RP6 replace a matching record', 'mails',
	'[{"op": "replace", "path": "emails[value eq \"a@example.com\"]", "value": {"value": "a2@example.com", "type": "work"}}]', '{emails}');
SELECT patch_case('RP6 replace every matching record', 'mails',
	'[{"op": "replace", "path": "emails[type eq \"work\"]", "value": {"value": "w@example.com", "type": "work"}}]', '{emails}');
SELECT patch_case('RP6 replace a matching record with a one-element list', 'mails',
	'[{"op": "replace", "path": "emails[value eq \"d@example.com\"]", "value": [{"value": "d2@example.com"}]}]', '{emails}');
SELECT patch_case('RP6 replace a matching record with two values', 'mails',
	'[{"op": "replace", "path": "emails[value eq \"d@example.com\"]", "value": [{"value": "1@example.com"}, {"value": "2@example.com"}]}]');
SELECT patch_case('RP6 replace a matching record with null removes it', 'mails',
	'[{"op": "replace", "path": "emails[value eq \"d@example.com\"]", "value": null}]', '{emails}');
SELECT patch_case('RP7 replace a sub-attribute of every match', 'mails',
	'[{"op": "replace", "path": "emails[type eq \"work\"].display", "value": "Office"}]', '{emails}');
SELECT patch_case('Entra: replace of a whole record through an unmatched type filter adds it', 'mails',
	'[{"op": "replace", "path": "emails[type eq \"other\"]", "value": {"value": "o@example.com", "type": "other"}}]');
SELECT patch_case('RP8 replace a sub-attribute through a filter that matches nothing', 'mails',
	'[{"op": "replace", "path": "emails[value sw \"z\"].display", "value": "Z"}]');
SELECT patch_case('RP5 replace an unassigned attribute adds it', 'min',
	'[{"op": "replace", "path": "emails", "value": [{"value": "m@example.com"}]}, {"op": "replace", "path": "name.familyName", "value": "Lee"}]',
	'{emails,name}');
SELECT patch_case('RP5 replace an unassigned extension attribute', 'min',
	'[{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter", "value": "CC9"}]',
	'{schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('RP1 replace without path, each attribute replaced', 'bob',
	'[{"op": "replace", "value": {"title": "CTO", "name": {"givenName": "Rob"}, "phoneNumbers": [{"value": "+1 555 0111", "type": "mobile"}]}}]',
	'{title,name,phoneNumbers}');
SELECT patch_case('RP1 replace without path ignores schemas and meta', 'bob',
	'[{"op": "replace", "value": {"schemas": ["urn:example:bogus"], "meta": {"resourceType": "Group"}, "title": "CTO"}}]',
	'{schemas,title}');
SELECT patch_case('RP1 replace without path, unknown attribute', 'bob',
	'[{"op": "replace", "value": {"title": "CTO", "favouriteColour": "blue"}}]');
SELECT patch_case('RP1 replace without path, extension object merges', 'bob',
	'[{"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"}}}]',
	'{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('M5 replace makes another value primary', 'bob',
	'[{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]', '{emails}');
SELECT patch_case('M5 replace all values with one primary', 'mails',
	'[{"op": "replace", "path": "emails", "value": [{"value": "p@example.com", "primary": true}, {"value": "q@example.com"}]}]', '{emails}');
SELECT patch_case('M5 replace a record with a primary one', 'mails',
	'[{"op": "replace", "path": "emails[value eq \"d@example.com\"]", "value": {"value": "d@example.com", "primary": true}}]', '{emails}');
SELECT patch_case('replace the whole extension with null', 'bob',
	'[{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": null}]',
	'{schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('replace an extension value that is not an object', 'bob',
	'[{"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "Sales"}}]');
SELECT patch_case('M4 replace id with another id', 'bob',
	'[{"op": "replace", "path": "id", "value": "00000000-0000-0000-0000-000000000000"}]');
SELECT patch_case('M4 replace without path, another id', 'eng',
	'[{"op": "replace", "value": {"id": "00000000-0000-0000-0000-000000000000", "displayName": "X"}}]');
SELECT patch_case('M4 replace meta', 'bob',
	'[{"op": "replace", "path": "meta.lastModified", "value": "2020-01-01T00:00:00Z"}]');
SELECT patch_case('M4 replace schemas', 'bob',
	'[{"op": "replace", "path": "schemas", "value": ["urn:ietf:params:scim:schemas:core:2.0:User"]}]');
SELECT patch_case('M4 replace readOnly manager.displayName', 'mgr',
	'[{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName", "value": "The Boss"}]');
SELECT patch_case('M4 readOnly sub-attributes inside a value are ignored', 'mgr',
	'[{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": "$carol", "displayName": "Someone"}}]',
	'{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('M4 replace readOnly groups with nothing is no change', 'min',
	'[{"op": "replace", "value": {"groups": []}}]', '{userName}');

-- ---------------------------------------------------------------------
-- remove (RM1-RM7)
-- ---------------------------------------------------------------------
SELECT patch_case('RM1 remove without path', 'bob', '[{"op": "remove"}]');
SELECT patch_case('RM1 Remove with a value but no path', 'bob',
	'[{"op": "Remove", "value": {"title": "Engineer"}}]');
SELECT patch_case('RM2 remove a single value', 'bob',
	'[{"op": "remove", "path": "title"}]', '{title,userName}');
SELECT patch_case('RM2 remove an unassigned attribute is no change', 'min',
	'[{"op": "remove", "path": "title"}]', '{title,userName}');
SELECT patch_case('RM2 remove a complex attribute', 'bob',
	'[{"op": "remove", "path": "name"}]', '{name,userName}');
SELECT patch_case('RM2 remove a sub-attribute', 'bob',
	'[{"op": "remove", "path": "name.middleName"}]', '{name}');
SELECT patch_case('RM2 removing the last sub-attribute unassigns the attribute', '{"userName": "x@example.com", "name": {"givenName": "X"}}',
	'[{"op": "remove", "path": "name.givenName"}]', '{name,userName}');
SELECT patch_case('RM3 remove all values', 'bob',
	'[{"op": "remove", "path": "emails"}]', '{emails,userName}');
SELECT patch_case('RM4 remove the matching values', 'mails',
	'[{"op": "remove", "path": "emails[type eq \"work\"]"}]', '{emails}');
SELECT patch_case('RM4 remove the last value unassigns', 'bob',
	'[{"op": "remove", "path": "phoneNumbers[type eq \"work\"]"}]', '{phoneNumbers,userName}');
SELECT patch_case('RM4 remove through a filter that matches nothing', 'mails',
	'[{"op": "remove", "path": "emails[type eq \"other\"]"}]', '{emails}');
SELECT patch_case('RM5 remove a sub-attribute of the matches', 'mails',
	'[{"op": "remove", "path": "emails[type eq \"work\"].display"}]', '{emails}');
SELECT patch_case('RM5 remove primary from the matches', 'mails',
	'[{"op": "remove", "path": "emails[primary eq true].primary"}]', '{emails}');
SELECT patch_case('remove a sub-attribute of every value', 'mails',
	'[{"op": "remove", "path": "emails.type"}]', '{emails}');
SELECT patch_case('RM7 remove the listed values', 'mails',
	'[{"op": "remove", "path": "emails", "value": [{"value": "A@example.com"}, {"value": "d@example.com"}]}]', '{emails}');
SELECT patch_case('RM7 remove a listed value that is not there', 'mails',
	'[{"op": "remove", "path": "emails", "value": [{"value": "zz@example.com"}]}]', '{emails}');
SELECT patch_case('RM7 remove a listed record without a value', '{"userName": "x@example.com", "addresses": [{"locality": "Paris", "type": "home"}, {"locality": "Rome", "type": "work"}]}',
	'[{"op": "remove", "path": "addresses", "value": {"locality": "paris", "type": "home"}}]', '{addresses}');
SELECT patch_case('RM6 remove userName', 'bob',
	'[{"op": "remove", "path": "userName"}]');
SELECT patch_case('RM6 remove userName by its qualified name', 'bob',
	'[{"op": "remove", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName"}]');
SELECT patch_case('RM6 remove id', 'bob', '[{"op": "remove", "path": "id"}]');
SELECT patch_case('RM6 remove groups', 'bob', '[{"op": "remove", "path": "groups"}]');
SELECT patch_case('RM6 remove meta', 'bob', '[{"op": "remove", "path": "meta"}]');
SELECT patch_case('RM6 remove a Group displayName', 'eng',
	'[{"op": "remove", "path": "displayName"}]');
SELECT patch_case('RM6 remove readOnly manager.displayName', 'mgr',
	'[{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName"}]');
SELECT patch_case('remove an extension attribute', 'bob',
	'[{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}]',
	'{schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('remove the last extension attribute drops the extension', 'mgr',
	'[{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}, {"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]',
	'{schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('remove the whole extension', 'bob',
	'[{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]',
	'{schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('remove the whole resource', 'bob',
	'[{"op": "remove", "path": "urn:ietf:params:scim:schemas:core:2.0:User"}]');
SELECT patch_case('remove the writeOnly password', 'bob',
	'[{"op": "add", "path": "password", "value": "s3cret-Pass"}, {"op": "remove", "path": "password"}]', '{password,userName}');
SELECT patch_case('remove and add again in one request', 'bob',
	'[{"op": "remove", "path": "emails"}, {"op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "work", "primary": true}]}]', '{emails}');

-- ---------------------------------------------------------------------
-- Paths and value filters (M6, M7; filter_eval.c)
-- ---------------------------------------------------------------------
SELECT patch_case('M6 attribute names are case-insensitive', 'bob',
	'[{"op": "replace", "path": "EMAILS[TYPE eq \"WORK\"].VALUE", "value": "bob@work.example"}, {"op": "replace", "path": "Name.GivenName", "value": "Bobby"}]', '{emails,name}');
SELECT patch_case('M6 schema URNs are case-insensitive', 'bob',
	'[{"op": "replace", "path": "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:department", "value": "Ops"}]',
	'{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User}');
SELECT patch_case('M7 malformed path', 'bob', '[{"op": "replace", "path": "name..givenName", "value": "X"}]');
SELECT patch_case('M7 path with a space', 'bob', '[{"op": "replace", "path": "name givenName", "value": "X"}]');
SELECT patch_case('M7 unknown schema URN', 'bob',
	'[{"op": "replace", "path": "urn:example:params:scim:schemas:Custom:title", "value": "X"}]');
SELECT patch_case('M7 sub-attribute of a simple attribute', 'bob',
	'[{"op": "replace", "path": "title.value", "value": "X"}]');
SELECT patch_case('M7 filter on a single-valued attribute', 'bob',
	'[{"op": "replace", "path": "name[givenName eq \"Bob\"].familyName", "value": "X"}]');
SELECT patch_case('M7 unknown sub-attribute after a filter', 'bob',
	'[{"op": "replace", "path": "emails[type eq \"work\"].label", "value": "X"}]');
SELECT patch_case('M7 incomplete filter', 'bob',
	'[{"op": "replace", "path": "emails[type eq].value", "value": "X"}]');
SELECT patch_case('M7 unknown operator in a filter', 'bob',
	'[{"op": "replace", "path": "emails[type is \"work\"].value", "value": "X"}]');
SELECT patch_case('M7 unknown sub-attribute in a filter', 'bob',
	'[{"op": "replace", "path": "emails[kind eq \"work\"].value", "value": "X"}]');
SELECT patch_case('M7 boolean compared with a string', 'bob',
	'[{"op": "replace", "path": "emails[primary eq \"true\"].value", "value": "X"}]');
SELECT patch_case('M7 ordering operator on a boolean', 'bob',
	'[{"op": "replace", "path": "emails[primary gt false].value", "value": "X"}]');
SELECT patch_case('M7 substring operator on a boolean', 'bob',
	'[{"op": "remove", "path": "emails[primary sw true]"}]');
SELECT patch_case('M7 string compared with a number', 'bob',
	'[{"op": "remove", "path": "emails[value eq 42]"}]');
SELECT patch_case('M7 URN inside brackets', 'bob',
	'[{"op": "remove", "path": "emails[urn:ietf:params:scim:schemas:core:2.0:User:type eq \"work\"]"}]');
SELECT patch_case('M7 filter error in a later operation names it', 'bob',
	'[{"op": "replace", "path": "title", "value": "X"}, {"op": "remove", "path": "emails[nope pr]"}]');
SELECT patch_case('filter: and binds to one value', 'mails',
	'[{"op": "remove", "path": "emails[type eq \"work\" and display eq \"C\"]"}]', '{emails}');
SELECT patch_case('filter: or', 'mails',
	'[{"op": "remove", "path": "emails[type eq \"home\" or value eq \"d@example.com\"]"}]', '{emails}');
SELECT patch_case('filter: not', 'mails',
	'[{"op": "remove", "path": "emails[not (type eq \"work\")]"}]', '{emails}');
SELECT patch_case('filter: parentheses', 'mails',
	'[{"op": "remove", "path": "emails[(type eq \"work\" or type eq \"home\") and not (display pr)]"}]', '{emails}');
SELECT patch_case('filter: pr', 'mails',
	'[{"op": "remove", "path": "emails[type pr]"}]', '{emails}');
SELECT patch_case('filter: not pr', 'mails',
	'[{"op": "remove", "path": "emails[not (type pr)]"}]', '{emails}');
SELECT patch_case('filter: eq null matches an absent sub-attribute', 'mails',
	'[{"op": "remove", "path": "emails[type eq null]"}]', '{emails}');
SELECT patch_case('filter: ne', 'mails',
	'[{"op": "remove", "path": "emails[type ne \"work\"]"}]', '{emails}');
SELECT patch_case('filter: co is case-insensitive', 'mails',
	'[{"op": "remove", "path": "emails[value co \"B@EXAMPLE\"]"}]', '{emails}');
SELECT patch_case('filter: sw and ew', 'mails',
	'[{"op": "remove", "path": "emails[value sw \"C\" or value ew \"D@EXAMPLE.COM\"]"}]', '{emails}');
SELECT patch_case('filter: gt and le compare strings', 'mails',
	'[{"op": "remove", "path": "emails[value gt \"b\" and value le \"c@example.com\"]"}]', '{emails}');
SELECT patch_case('filter: eq is case-insensitive on a caseExact false value', 'mails',
	'[{"op": "replace", "path": "emails[value eq \"A@EXAMPLE.COM\"].display", "value": "A"}]', '{emails}');
SELECT patch_case('filter: boolean eq true', 'mails',
	'[{"op": "replace", "path": "emails[primary eq true].display", "value": "Main"}]', '{emails}');
SELECT patch_case('filter: boolean ne true matches values without primary', 'mails',
	'[{"op": "remove", "path": "emails[primary ne true]"}]', '{emails}');
SELECT patch_case('filter: caseExact photos.value does not fold case', 'photo',
	'[{"op": "remove", "path": "photos[value eq \"https://img.example/me.png\"]"}]', '{photos}');
SELECT patch_case('filter: caseExact photos.value exact match', 'photo',
	'[{"op": "remove", "path": "photos[value eq \"https://img.example/Me.png\"]"}]', '{photos,userName}');
SELECT patch_case('AD6 caseExact values differing in case are different', 'photo',
	'[{"op": "add", "path": "photos", "value": [{"value": "https://img.example/me.png", "type": "photo"}]}]', '{photos}');

-- ---------------------------------------------------------------------
-- Group membership goes to the group's hook (G13)
-- ---------------------------------------------------------------------
SELECT patch_case('G13 members sub-attribute path', 'eng',
	'[{"op": "replace", "path": "members.value", "value": "$dave"}]');
SELECT patch_case('G13 members filter with sub-attribute', 'eng',
	'[{"op": "replace", "path": "members[value eq \"$alice\"].display", "value": "Alice"}]');
SELECT patch_case('G13 remove a members sub-attribute', 'eng',
	'[{"op": "remove", "path": "members[value eq \"$alice\"].value"}]');
SELECT patch_case('members filter with an unknown sub-attribute', 'eng',
	'[{"op": "remove", "path": "members[id eq \"$alice\"]"}]');
SELECT patch_case('remove all members', 'eng',
	'[{"op": "remove", "path": "members"}]', '{displayName,members}');
SELECT patch_case('path-less replace with members', 'eng',
	'[{"op": "replace", "value": {"displayName": "Eng 2", "members": [{"value": "$dave"}]}}]', '{displayName,members}');
SELECT patch_case('path-less add with members', 'empty',
	'[{"op": "add", "value": {"members": [{"value": "$carol"}], "externalId": "x-1"}}]', '{externalId,members}');
SELECT patch_case('group replace externalId', 'eng',
	'[{"op": "replace", "path": "externalId", "value": "ext-eng-2"}]', '{externalId}');
SELECT patch_case('group unknown attribute', 'eng',
	'[{"op": "add", "path": "userName", "value": "x"}]');
SELECT patch_case('group rename with a mixed-case op and path', 'eng',
	'[{"op": "rePLace", "path": "DISPLAYNAME", "value": "Engineering"}]', '{displayName}');

-- ---------------------------------------------------------------------
-- M2 atomicity: a failing operation leaves the stored resource unchanged
-- ---------------------------------------------------------------------
CREATE TEMP TABLE atomic AS
	SELECT scim.user_create('patch', '{"userName": "atomic@example.com", "title": "Before"}') AS u;
DO $$
BEGIN
	PERFORM scim.user_patch('patch', (SELECT u->>'id' FROM atomic),
		'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
		  {"op": "replace", "path": "title", "value": "After"},
		  {"op": "remove", "path": "userName"}]}');
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'patch failed: %', SQLERRM;
END $$;
SELECT scim.user_get('patch', (SELECT u->>'id' FROM atomic))->>'title' AS title_after_failed_patch;
