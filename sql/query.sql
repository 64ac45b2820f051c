-- query.sql: filters, sorting and paging of scim.user_list / scim.group_list
-- (RFC 7644 §3.4.2; docs in src/filter_sql.c and src/query.c).
--
-- Every filter case is a row of a table: the filter and the userNames (or
-- group displayNames) it must select, sorted and comma-separated, or the
-- error it must raise.  The first listing shows what each case got; the
-- second lists the cases that got something else than the table says, and
-- must stay empty.  Ids and creation times are random, so the data fixes
-- the timestamps and filters name ids as {userName} (see "ids" below).
\set VERBOSITY terse
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

SELECT scim.tenant_create('q_acme');
SELECT scim.tenant_create('q_other');

-- ---------------------------------------------------------------- data
CREATE TEMP TABLE seed (n int, doc jsonb);
INSERT INTO seed VALUES
(1, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"userName":"alice","externalId":"EXT-A","name":{"givenName":"Alice","familyName":"Smith"},
	"displayName":"Alice Smith","nickName":"Al","title":"Engineer","userType":"Employee","role":"owner",
	"emails":[{"value":"alice@example.com","type":"work","primary":true},{"value":"alice@home.org","type":"home"}],
	"phoneNumbers":[{"value":"+1 555 0100","type":"work"}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1001","department":"R&D","organization":"Acme","manager":{"value":"emp-bob"}}}'),
(2, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"userName":"bob","externalId":"ext-a","name":{"givenName":"Bob","familyName":"Jones"},
	"title":"Manager","userType":"Employee","role":"administrator",
	"emails":[{"value":"bob@example.com","type":"work"},{"value":"Bob@Other.NET","type":"other","primary":true}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1002","department":"Sales","costCenter":"CC-1"}}'),
(3, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"userName":"carol","active":false,"name":{"formatted":"Carol King"},"title":"Engineer","role":"member",
	"emails":[{"value":"carol@example.org","type":"home","primary":true}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1003","department":"R&D"}}'),
(4, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName":"dave%admin","title":"Admin 100%","emails":[{"value":"dave@example.com","type":"work","primary":true}]}'),
(5, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName":"eve_1","displayName":"Eve","nickName":"e_v","emails":[{"value":"eve@example.com","type":"work"}]}'),
(6, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName":"back\\slash","title":"C:\\Temp"}'),
(7, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName":"josé","name":{"givenName":"José","familyName":"Núñez"},"title":"Café owner",
	"emails":[{"value":"jose@example.com","type":"work","primary":true}]}'),
(8, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName":"FRANK@Example.COM","externalId":"Frank-1",
	"emails":[{"value":"frank@example.com","type":"work","primary":false},{"value":"frank@work.example.com","type":"work"}]}'),
(9, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"userName":"grace","name":{"formatted":"Grace Hopper","honorificPrefix":"Rear Admiral"},"title":"Rear Admiral","userType":"Employee",
	"phoneNumbers":[{"value":"+1 555 0199","type":"mobile","primary":true}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1009","department":"R&D","manager":{"value":"emp-alice"}}}'),
(10, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName":"heidi","userType":"Contractor",
	"emails":[{"value":"heidi@x.com","type":"work","primary":false},{"value":"heidi@y.com","type":"home","primary":true}]}'),
(11, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ivan"}'),
(12, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName":"judy","preferredLanguage":"en-US","locale":"fr-FR","timezone":"Europe/Paris","userType":"Contractor",
	"profileUrl":"https://example.com/judy",
	"addresses":[{"streetAddress":"1 Rue de Rivoli","locality":"Paris","country":"FR","type":"work","primary":true}],
	"ims":[{"value":"judy_im","type":"xmpp"}],"roles":[{"value":"Auditor","primary":true}],
	"entitlements":[{"value":"read-only"}],
	"photos":[{"value":"https://photos.example.com/Judy.jpg","type":"photo"}]}');

SELECT n, scim.user_create('q_acme', doc)->>'userName' AS created FROM seed ORDER BY n;
-- a user of another tenant that no filter of acme may see
SELECT scim.user_create('q_other', '{"userName":"alice","emails":[{"value":"alice@example.com"}]}')->>'userName' AS other;

-- ids by userName (and group displayName), for the filters that need one:
-- a case writes {alice} for alice's id, {ALICE} for it in upper case and
-- {alice13} for its first 13 characters
CREATE TEMP TABLE ids AS
SELECT user_name AS name, id::text AS id FROM scim.users WHERE tenant_id = 'q_acme';
INSERT INTO ids SELECT 'ALICE', upper(id) FROM ids WHERE name = 'alice';
INSERT INTO ids SELECT 'alice13', left(id, 13) FROM ids WHERE name = 'alice';

SELECT scim.group_create('q_acme', jsonb_build_object('displayName', 'Engineering', 'externalId', 'g-eng',
	'members', (SELECT jsonb_agg(jsonb_build_object('value', id)) FROM ids WHERE name IN ('alice', 'carol', 'grace'))))->>'displayName' AS g;
SELECT scim.group_create('q_acme', jsonb_build_object('displayName', 'Sales', 'externalId', 'G-SALES',
	'members', (SELECT jsonb_agg(jsonb_build_object('value', id)) FROM ids WHERE name = 'bob')))->>'displayName' AS g;
INSERT INTO ids SELECT display_name, id::text FROM scim.groups WHERE tenant_id = 'q_acme';
SELECT scim.group_create('q_acme', jsonb_build_object('displayName', 'Admins_100%',
	'members', (SELECT jsonb_agg(jsonb_build_object('value', id)) FROM ids WHERE name IN ('alice', 'bob', 'Sales'))))->>'displayName' AS g;
SELECT scim.group_create('q_acme', '{"displayName":"Empty"}')->>'displayName' AS g;
INSERT INTO ids SELECT display_name, id::text FROM scim.groups WHERE tenant_id = 'q_acme' AND display_name IN ('Admins_100%', 'Empty');
INSERT INTO ids SELECT 'ENGINEERING', upper(id) FROM ids WHERE name = 'Engineering';
UPDATE scim.groups g SET created = timestamptz '2024-03-01 00:00:00+00' + x.n * interval '1 hour',
	last_modified = timestamptz '2024-03-02 00:00:00+00' + x.n * interval '1 hour'
FROM (VALUES ('Engineering', 1), ('Sales', 2), ('Admins_100%', 3), ('Empty', 4)) AS x(name, n)
WHERE g.tenant_id = 'q_acme' AND g.display_name = x.name;

-- fixed timestamps and versions (after the groups: membership changes
-- touch users too): user n was created at 2024-01-01 n:00 UTC,
-- last modified a day later, and is at version n
UPDATE scim.users u SET created = timestamptz '2024-01-01 00:00:00+00' + s.n * interval '1 hour',
	last_modified = timestamptz '2024-01-02 00:00:00+00' + s.n * interval '1 hour', version = s.n
FROM seed s WHERE u.tenant_id = 'q_acme' AND u.user_name = s.doc->>'userName';

-- a tenant with its own extension schema: numbers, dateTime, booleans,
-- simple and complex multi-valued and singular complex custom attributes
SELECT scim.tenant_create('q_ext');
SELECT scim.schema_extension_add('q_ext', 'urn:ietf:params:scim:schemas:extension:acme:2.0:User', '[
	{"name": "badge", "type": "integer"},
	{"name": "score", "type": "decimal"},
	{"name": "hired", "type": "dateTime"},
	{"name": "remote", "type": "boolean"},
	{"name": "tags", "type": "string", "multiValued": true},
	{"name": "skills", "type": "complex", "multiValued": true, "subAttributes": [
		{"name": "name", "type": "string"}, {"name": "level", "type": "integer"}]},
	{"name": "office", "type": "complex", "subAttributes": [
		{"name": "building", "type": "string"}, {"name": "floor", "type": "integer"}]},
	{"name": "code", "type": "string", "caseExact": true}]');
SELECT scim.user_create('q_ext', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:acme:2.0:User"],
	"userName": "ann", "urn:ietf:params:scim:schemas:extension:acme:2.0:User": {"badge": 7, "score": 3.5,
	"hired": "2020-05-01T00:00:00Z", "remote": true, "tags": ["red", "Blue"],
	"skills": [{"name": "SQL", "level": 3}, {"name": "C", "level": 5}], "office": {"building": "HQ", "floor": 2}, "code": "AbC"}}')->>'userName' AS created;
SELECT scim.user_create('q_ext', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:acme:2.0:User"],
	"userName": "ben", "urn:ietf:params:scim:schemas:extension:acme:2.0:User": {"badge": 12, "score": 10,
	"hired": "2022-01-15T12:00:00+01:00", "remote": false, "tags": ["green"],
	"skills": [{"name": "sql", "level": 1}], "office": {"building": "Annex"}, "code": "abc"}}')->>'userName' AS created;
SELECT scim.user_create('q_ext', '{"userName": "cat"}')->>'userName' AS created;
UPDATE scim.users u SET created = timestamptz '2024-01-01 00:00:00+00' + x.n * interval '1 hour'
FROM (VALUES ('ann', 1), ('ben', 2), ('cat', 3)) AS x(name, n)
WHERE u.tenant_id = 'q_ext' AND u.user_name = x.name;

-- ---------------------------------------------------------------- harness
-- The filter with {name} replaced by that id (see ids above)
CREATE FUNCTION pg_temp.with_ids(f text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT name, id FROM ids ORDER BY length(name) DESC LOOP
		f := replace(f, '{' || r.name || '}', r.id);
	END LOOP;
	RETURN f;
END $$;

-- The sorted userNames (User, or X: the users of q_ext) or displayNames
-- (Group) a filter selects, or
-- "ERROR <SQLSTATE> <message> (<detail>)"; "-" when nothing matches
CREATE FUNCTION pg_temp.matches(kind text, f text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
	names text;
	msg text;
	detail text;
BEGIN
	IF kind = 'U' THEN
		r := scim.user_list('q_acme', pg_temp.with_ids(f), 1, 100);
	ELSIF kind = 'X' THEN
		r := scim.user_list('q_ext', f, 1, 100);
	ELSE
		r := scim.group_list('q_acme', pg_temp.with_ids(f), 1, 100);
	END IF;
	SELECT string_agg(coalesce(x->>'userName', x->>'displayName'), ','
					  ORDER BY coalesce(x->>'userName', x->>'displayName') COLLATE "C")
	INTO names FROM jsonb_array_elements(r->'Resources') AS x;
	RETURN coalesce(names, '-') ||
		CASE WHEN (r->>'totalResults')::int <> jsonb_array_length(r->'Resources')
			 THEN ' totalResults=' || (r->>'totalResults') ELSE '' END;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
	RETURN 'ERROR ' || SQLSTATE || ' ' || msg || ' (' || coalesce(detail, '') || ')';
END $$;

-- Every case: the filter, and what it must select.  An expected error is
-- written "ERROR <SQLSTATE> <scimType>"; 42601 is invalidFilter.
CREATE TEMP TABLE cases (n serial, kind text, filter text, expect text);

-- all twelve users, in the order matches() prints them
\set all 'FRANK@Example.COM,alice,back\\slash,bob,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'

INSERT INTO cases (kind, filter, expect) VALUES
-- userName: caseExact false, every operator (F1, F3, F4)
('U', 'userName eq "alice"', 'alice'),
('U', 'USERNAME EQ "ALICE"', 'alice'),
('U', 'userName eq "frank@example.com"', 'FRANK@Example.COM'),
('U', 'userName ne "alice"', 'FRANK@Example.COM,back\slash,bob,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'userName co "A"', 'FRANK@Example.COM,alice,back\slash,carol,dave%admin,grace,ivan'),
('U', 'userName sw "J"', 'josé,judy'),
('U', 'userName ew "E"', 'alice,grace'),
('U', 'userName gt "j"', 'josé,judy'),
('U', 'userName ge "judy"', 'judy'),
('U', 'userName lt "b"', 'alice'),
('U', 'userName le "bob"', 'alice,back\slash,bob'),
('U', 'userName gt "dave%admin"', 'FRANK@Example.COM,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'userName pr', :'all'),
('U', 'userName eq null', '-'),
('U', 'userName ne null', :'all'),
('U', 'userName Eq "bob"', 'bob'),
-- LIKE metacharacters are literal (F5)
('U', 'userName sw "dave%"', 'dave%admin'),
('U', 'userName sw "%"', '-'),
('U', 'userName co "%"', 'dave%admin'),
('U', 'userName co "_"', 'eve_1'),
('U', 'userName sw "eve_"', 'eve_1'),
('U', 'userName eq "eve_"', '-'),
('U', 'userName ew "_1"', 'eve_1'),
('U', 'userName eq "back\\slash"', 'back\slash'),
('U', 'userName co "\\"', 'back\slash'),
('U', 'userName sw "back\\"', 'back\slash'),
('U', 'userName co "k\\s"', 'back\slash'),
-- JSON string escapes and UTF-8
('U', 'userName eq "jos\u00e9"', 'josé'),
('U', 'userName eq "josé"', 'josé'),
('U', 'userName co "é"', 'josé'),
('U', 'userName ew "sé"', 'josé'),
('U', 'userName eq "jose"', '-'),
('U', 'userName eq "\u0061lice"', 'alice'),
('U', 'userName eq "al\"ice"', '-'),
-- externalId: caseExact (F4)
('U', 'externalId eq "EXT-A"', 'alice'),
('U', 'externalId eq "ext-a"', 'bob'),
('U', 'externalId eq "Ext-A"', '-'),
('U', 'externalid EQ "EXT-A"', 'alice'),
('U', 'externalId co "xt"', 'bob'),
('U', 'externalId sw "F"', 'FRANK@Example.COM'),
('U', 'externalId sw "f"', '-'),
('U', 'externalId ew "-1"', 'FRANK@Example.COM'),
('U', 'externalId gt "Z"', 'bob'),
('U', 'externalId lt "F"', 'alice'),
('U', 'externalId pr', 'FRANK@Example.COM,alice,bob'),
('U', 'externalId ne "EXT-A"', 'FRANK@Example.COM,back\slash,bob,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'externalId eq null', 'back\slash,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
-- id: caseExact; a value that is not an id matches nothing
('U', 'id eq "{alice}"', 'alice'),
('U', 'id eq "{ALICE}"', '-'),
('U', 'id eq "not-a-uuid"', '-'),
('U', 'id eq "00000000-0000-0000-0000-000000000000"', '-'),
('U', 'id ne "{alice}"', 'FRANK@Example.COM,back\slash,bob,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'id ne "not-a-uuid"', :'all'),
('U', 'id pr', :'all'),
('U', 'id sw "{alice13}"', 'alice'),
('U', 'not (id eq "{alice}")', 'FRANK@Example.COM,back\slash,bob,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'id eq "{alice}" or id eq "{bob}"', 'alice,bob'),
-- displayName (sent or derived)
('U', 'displayName eq "alice smith"', 'alice'),
('U', 'displayName eq "BOB JONES"', 'bob'),
('U', 'displayName co "Núñez"', 'josé'),
('U', 'displayName sw "e"', 'eve_1'),
('U', 'displayName pr', :'all'),
-- active: boolean (F2)
('U', 'active eq true', 'FRANK@Example.COM,alice,back\slash,bob,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'active eq false', 'carol'),
('U', 'active ne true', 'carol'),
('U', 'active ne false', 'FRANK@Example.COM,alice,back\slash,bob,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'ACTIVE eq FALSE', 'carol'),
('U', 'active pr', :'all'),
('U', 'active eq null', '-'),
('U', 'active eq "true"', 'ERROR 42601'),
('U', 'active eq "yes"', 'ERROR 42601'),
('U', 'active eq 1', 'ERROR 42601'),
('U', 'active gt false', 'ERROR 42601'),
('U', 'active le true', 'ERROR 42601'),
('U', 'active co true', 'ERROR 42601'),
('U', 'active sw "t"', 'ERROR 42601'),
-- name: a complex attribute held in columns
('U', 'name.givenName eq "alice"', 'alice'),
('U', 'name.givenName eq "Carol"', 'carol'),
('U', 'name.familyName co "o"', 'bob,grace'),
('U', 'name.formatted sw "grace"', 'grace'),
('U', 'name.formatted eq "alice smith"', 'alice'),
('U', 'name.honorificPrefix pr', 'grace'),
('U', 'name.middleName pr', '-'),
('U', 'name pr', 'alice,bob,carol,grace,josé'),
('U', 'not (name pr)', 'FRANK@Example.COM,back\slash,dave%admin,eve_1,heidi,ivan,judy'),
('U', 'name[givenName eq "bob" or familyName eq "king"]', 'bob,carol'),
('U', 'NAME.FAMILYNAME eq "SMITH"', 'alice'),
('U', 'name eq "Alice Smith"', 'ERROR 42601'),
('U', 'name.foo eq "x"', 'ERROR 42601'),
-- other singular attributes, kept in attrs
('U', 'title eq "engineer"', 'alice,carol'),
('U', 'title co "admin"', 'dave%admin'),
('U', 'title co "ADMI"', 'dave%admin,grace'),
('U', 'title co "100%"', 'dave%admin'),
('U', 'title ew "%"', 'dave%admin'),
('U', 'title co "C:\\"', 'back\slash'),
('U', 'title gt "d"', 'alice,bob,carol,grace'),
('U', 'title lt "c:"', 'dave%admin'),
('U', 'title pr', 'alice,back\slash,bob,carol,dave%admin,grace,josé'),
('U', 'title eq null', 'FRANK@Example.COM,eve_1,heidi,ivan,judy'),
('U', 'title ne "Engineer"', 'FRANK@Example.COM,back\slash,bob,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'not (title pr)', 'FRANK@Example.COM,eve_1,heidi,ivan,judy'),
('U', 'nickName eq "AL"', 'alice'),
('U', 'nickName co "_"', 'eve_1'),
('U', 'userType eq "employee"', 'alice,bob,grace'),
('U', 'userType eq "contractor"', 'heidi,judy'),
('U', 'profileUrl co "JUDY"', 'judy'),
('U', 'timezone eq "europe/paris"', 'judy'),
('U', 'preferredLanguage sw "en"', 'judy'),
('U', 'locale eq "fr-FR"', 'judy'),
('U', 'role eq "OWNER"', 'alice'),
('U', 'role ne "member"', 'alice,bob'),
('U', 'role sw "adm"', 'bob'),
('U', 'password eq "secret"', 'ERROR 42601'),
('U', 'password pr', 'ERROR 42601'),
-- emails: multi-valued, any value matches (F7), bare name = value (F13)
('U', 'emails eq "alice@example.com"', 'alice'),
('U', 'emails.value eq "ALICE@EXAMPLE.COM"', 'alice'),
('U', 'emails co "example.com"', 'FRANK@Example.COM,alice,bob,dave%admin,eve_1,josé'),
('U', 'emails.value ew ".org"', 'alice,carol'),
('U', 'emails.value sw "BOB@"', 'bob'),
('U', 'emails.value eq "bob@other.net"', 'bob'),
('U', 'emails.value gt "h"', 'heidi,josé'),
('U', 'emails.type eq "home"', 'alice,carol,heidi'),
('U', 'emails.primary eq true', 'alice,bob,carol,dave%admin,heidi,josé'),
('U', 'emails pr', 'FRANK@Example.COM,alice,bob,carol,dave%admin,eve_1,heidi,josé'),
('U', 'not (emails pr)', 'back\slash,grace,ivan,judy'),
('U', 'emails eq null', 'back\slash,grace,ivan,judy'),
('U', 'emails ne null', 'FRANK@Example.COM,alice,bob,carol,dave%admin,eve_1,heidi,josé'),
('U', 'emails.display pr', '-'),
('U', 'emails.value ne "alice@example.com"', 'FRANK@Example.COM,alice,bob,carol,dave%admin,eve_1,heidi,josé'),
('U', 'not (emails.value eq "alice@example.com")', 'FRANK@Example.COM,back\slash,bob,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
-- dotted conditions joined by "and" are independent (F7) ...
('U', 'emails.type eq "work" and emails.primary eq true', 'alice,bob,dave%admin,heidi,josé'),
-- ... brackets bind them to the same value (F8)
('U', 'emails[type eq "work" and primary eq true]', 'alice,dave%admin,josé'),
('U', 'EMAILS[TYPE EQ "WORK" AND PRIMARY EQ TRUE]', 'alice,dave%admin,josé'),
('U', 'emails[type eq "work" and value co "@example.com"]', 'FRANK@Example.COM,alice,bob,dave%admin,eve_1,josé'),
('U', 'emails[type eq "home" and value ew ".org"]', 'alice,carol'),
('U', 'emails[type eq "other"]', 'bob'),
('U', 'emails[type eq "work" or type eq "other"]', 'FRANK@Example.COM,alice,bob,dave%admin,eve_1,heidi,josé'),
('U', 'emails[not (type eq "work")]', 'alice,bob,carol,heidi'),
('U', 'emails[primary eq false]', 'FRANK@Example.COM,heidi'),
('U', 'emails[primary ne true]', 'FRANK@Example.COM,alice,bob,eve_1,heidi'),
('U', 'emails[value eq "heidi@x.com" and primary eq true]', '-'),
('U', 'emails.value eq "heidi@x.com" and emails.primary eq true', 'heidi'),
('U', 'emails[type eq "work"] and emails[type eq "home"]', 'alice,heidi'),
('U', 'emails.type eq "work" and not (emails.type eq "home")', 'FRANK@Example.COM,bob,dave%admin,eve_1,josé'),
-- Entra ID writes the sub-attribute after the brackets
('U', 'emails[type eq "work"].value eq "heidi@x.com"', 'heidi'),
('U', 'emails[type eq "home"].value eq "heidi@x.com"', '-'),
('U', 'emails[type eq "work"].value co "FRANK"', 'FRANK@Example.COM'),
('U', 'emails[type eq "work"].display pr', '-'),
('U', 'emails.primary eq "true"', 'ERROR 42601'),
('U', 'emails.primary gt true', 'ERROR 42601'),
('U', 'emails.foo eq "x"', 'ERROR 42601'),
('U', 'emails[foo eq "x"]', 'ERROR 42601'),
('U', 'emails[type eq "work"][type eq "home"]', 'ERROR 42601'),
-- the other multi-valued attributes
('U', 'phoneNumbers.value co "555"', 'alice,grace'),
('U', 'phoneNumbers eq "+1 555 0100"', 'alice'),
('U', 'phoneNumbers[type eq "mobile" and primary eq true]', 'grace'),
('U', 'phoneNumbers.primary eq false', '-'),
('U', 'ims.value eq "JUDY_IM"', 'judy'),
('U', 'ims[type eq "xmpp"]', 'judy'),
('U', 'addresses.locality eq "paris"', 'judy'),
('U', 'addresses[country eq "FR" and primary eq true]', 'judy'),
('U', 'addresses.streetAddress co "rivoli"', 'judy'),
('U', 'addresses eq "Paris"', 'ERROR 42601'),
('U', 'roles.value eq "auditor"', 'judy'),
('U', 'roles eq "AUDITOR"', 'judy'),
('U', 'entitlements pr', 'judy'),
('U', 'photos.value eq "https://photos.example.com/Judy.jpg"', 'judy'),
('U', 'photos.value eq "https://photos.example.com/judy.jpg"', '-'),
('U', 'photos co "Judy"', 'judy'),
('U', 'photos co "judy"', '-'),
('U', 'x509Certificates pr', '-'),
('U', 'x509Certificates.value eq "MIIB"', '-'),
('U', 'x509Certificates.value gt "a"', 'ERROR 42601'),
-- the enterprise extension, with or without its URN (F9)
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1001"', 'alice'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d"', 'alice,carol,grace'),
('U', 'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT eq "sales"', 'bob'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "emp-bob"', 'alice'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "EMP-BOB"', '-'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr', 'alice,grace'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "emp-alice"]', 'grace'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter pr', 'bob'),
('U', 'employeeNumber ge "1002"', 'bob,carol,grace'),
('U', 'department ne "R&D"', 'FRANK@Example.COM,back\slash,bob,dave%admin,eve_1,heidi,ivan,josé,judy'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "emp-bob"', 'ERROR 42601'),
('U', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "alice"', 'ERROR 42601'),
('U', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob"', 'bob'),
('U', 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "smith"', 'alice'),
('U', 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "Sales"', 'ERROR 42601'),
('U', 'urn:example:unknown:attr eq "x"', 'ERROR 42601'),
-- schemas
('U', 'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', 'alice,bob,carol,grace'),
('U', 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"', :'all'),
('U', 'schemas co "enterprise"', 'alice,bob,carol,grace'),
('U', 'schemas pr', :'all'),
('U', 'not (schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")', 'FRANK@Example.COM,back\slash,dave%admin,eve_1,heidi,ivan,josé,judy'),
-- meta: dateTime compares chronologically, with time zones (F11)
('U', 'meta.lastModified gt "2024-01-02T06:00:00Z"', 'FRANK@Example.COM,grace,heidi,ivan,josé,judy'),
('U', 'meta.lastModified ge "2024-01-02T06:00:00Z"', 'FRANK@Example.COM,back\slash,grace,heidi,ivan,josé,judy'),
('U', 'meta.lastModified gt "2024-01-02T08:00:00+02:00"', 'FRANK@Example.COM,grace,heidi,ivan,josé,judy'),
('U', 'meta.lastModified gt "2024-01-02T01:00:00-05:00"', 'FRANK@Example.COM,grace,heidi,ivan,josé,judy'),
('U', 'meta.lastModified lt "2024-01-02T03:00:00Z"', 'alice,bob'),
('U', 'meta.lastModified le "2024-01-02T03:00:00Z"', 'alice,bob,carol'),
('U', 'meta.lastModified gt "2024-01-02T06:00:00Z" and meta.lastModified lt "2024-01-02T09:00:00Z"', 'FRANK@Example.COM,josé'),
('U', 'meta.created eq "2024-01-01T05:00:00Z"', 'eve_1'),
('U', 'meta.created eq "2024-01-01T05:00:00.000000Z"', 'eve_1'),
('U', 'meta.created ne "2024-01-01T05:00:00Z"', 'FRANK@Example.COM,alice,back\slash,bob,carol,dave%admin,grace,heidi,ivan,josé,judy'),
('U', 'meta.created gt "2024-01-01T11:30:00"', 'judy'),
('U', 'meta.created lt "2024-01-01t01:00:00.5z"', 'alice'),
('U', 'meta.created pr', :'all'),
('U', 'meta.lastModified gt "yesterday"', 'ERROR 42601'),
('U', 'meta.lastModified gt "2024-02-30T00:00:00Z"', 'ERROR 42601'),
('U', 'meta.lastModified gt "2023-02-29T00:00:00Z"', 'ERROR 42601'),
('U', 'meta.lastModified gt "2024-01-01"', 'ERROR 42601'),
('U', 'meta.lastModified gt "2024-01-01T24:00:00Z"', 'ERROR 42601'),
('U', 'meta.lastModified gt "2024-01-01T00:00:00+15:00"', 'ERROR 42601'),
('U', 'meta.lastModified gt 1700000000', 'ERROR 42601'),
('U', 'meta.created co "2024"', 'ERROR 42601'),
('U', 'meta.created sw "2024"', 'ERROR 42601'),
('U', 'meta.resourceType eq "user"', :'all'),
('U', 'meta.resourceType eq "User"', :'all'),
('U', 'meta.resourceType eq "Group"', '-'),
('U', 'meta.version eq "W/\"3\""', 'carol'),
('U', 'meta.location eq "https://example.com/Users/1"', 'ERROR 42601'),
('U', 'meta pr', :'all'),
('U', 'meta eq "x"', 'ERROR 42601'),
('U', 'meta.foo eq "x"', 'ERROR 42601'),
-- groups of a user, from scim.members
('U', 'groups.value eq "{Engineering}"', 'alice,carol,grace'),
('U', 'groups.value eq "{ENGINEERING}"', 'alice,carol,grace'),
('U', 'groups eq "{Sales}"', 'bob'),
('U', 'groups.display eq "engineering"', 'alice,carol,grace'),
('U', 'groups[display sw "admins"]', 'alice,bob'),
('U', 'groups.type eq "direct"', 'alice,bob,carol,grace'),
('U', 'groups pr', 'alice,bob,carol,grace'),
('U', 'not (groups pr)', 'FRANK@Example.COM,back\slash,dave%admin,eve_1,heidi,ivan,josé,judy'),
('U', 'groups.value eq "not-a-uuid"', '-'),
('U', 'groups[value eq "{Engineering}"] and groups[value eq "{Admins_100%}"]', 'alice'),
('U', 'groups.$ref eq "x"', 'ERROR 42601'),
-- precedence: not, then and, then or; parentheses first (F6)
('U', 'userName eq "alice" or userName eq "bob" and active eq false', 'alice'),
('U', '(userName eq "alice" or userName eq "bob") and active eq false', '-'),
('U', '(userName eq "alice" or userName eq "carol") and active eq false', 'carol'),
('U', 'userName eq "carol" and active eq false or userName eq "ivan"', 'carol,ivan'),
('U', 'userName eq "ivan" or userName eq "carol" and active eq false', 'carol,ivan'),
('U', 'not (userName sw "a" or userName sw "b")', 'FRANK@Example.COM,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'not (userName sw "a") and not (userName sw "b")', 'FRANK@Example.COM,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'not (not (userName eq "alice"))', 'alice'),
('U', '((((userName eq "alice"))))', 'alice'),
('U', 'userName eq "alice" OR userName eq "bob"', 'alice,bob'),
('U', 'userName eq "ALICE" and userName eq "alice"', 'alice'),
('U', 'userType eq "Employee" and title pr and active eq true', 'alice,bob,grace'),
('U', 'userName eq "alice" and (emails[type eq "work"] or title pr)', 'alice'),
-- missing values never make "not" true by accident (three-valued logic)
('U', 'not (title eq "Engineer")', 'FRANK@Example.COM,back\slash,bob,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'not (title eq "Engineer") and not (emails pr)', 'back\slash,grace,ivan,judy'),
('U', 'title eq "Engineer" or not (nickName pr)', 'FRANK@Example.COM,alice,back\slash,bob,carol,dave%admin,grace,heidi,ivan,josé,judy'),
('U', 'not (userType eq "Employee" and emails pr)', 'FRANK@Example.COM,back\slash,carol,dave%admin,eve_1,grace,heidi,ivan,josé,judy'),
('U', 'not (nickName co "x" or title co "x")', :'all'),
-- values of the wrong kind
('U', 'userName eq 5', 'ERROR 42601'),
('U', 'userName eq true', 'ERROR 42601'),
('U', 'userName gt null', 'ERROR 42601'),
('U', 'title co null', 'ERROR 42601'),
-- syntax: the parser's errors are invalidFilter (F10)
('U', 'userName zz "x"', 'ERROR 42601'),
('U', 'userName eq', 'ERROR 42601'),
('U', '(userName eq "x"', 'ERROR 42601'),
('U', 'userName eq "x")', 'ERROR 42601'),
('U', 'userName eq "x" and', 'ERROR 42601'),
('U', 'userName eq ''x''', 'ERROR 42601'),
('U', 'userName eq "x', 'ERROR 42601'),
('U', 'not userName eq "x"', 'ERROR 42601'),
('U', 'userName eq "a\u0000b"', 'ERROR 42601'),
('U', '', 'ERROR 42601'),
('U', 'foo eq "x"', 'ERROR 42601'),
('U', 'emails[type eq "work"', 'ERROR 42601'),
('U', 'userName[value eq "x"]', 'ERROR 42601'),
('U', 'name.givenName.x eq "a"', 'ERROR 42601'),
-- groups
('G', 'displayName eq "engineering"', 'Engineering'),
('G', 'DISPLAYNAME sw "ADMINS_"', 'Admins_100%'),
('G', 'displayName co "_1"', 'Admins_100%'),
('G', 'displayName co "%"', 'Admins_100%'),
('G', 'displayName sw "s"', 'Sales'),
('G', 'displayName gt "e"', 'Empty,Engineering,Sales'),
('G', 'displayName ne "Empty"', 'Admins_100%,Engineering,Sales'),
('G', 'externalId eq "G-SALES"', 'Sales'),
('G', 'externalId eq "g-sales"', '-'),
('G', 'externalId pr', 'Engineering,Sales'),
('G', 'id eq "{Sales}"', 'Sales'),
('G', 'members.value eq "{alice}"', 'Admins_100%,Engineering'),
('G', 'members eq "{bob}"', 'Admins_100%,Sales'),
('G', 'members.value eq "{Sales}"', 'Admins_100%'),
('G', 'members.value eq "{carol}"', '-'),
('G', 'members.value eq "{ALICE}"', '-'),
('G', 'members.value eq "not-a-uuid"', '-'),
('G', 'members.display eq "alice smith"', 'Admins_100%,Engineering'),
('G', 'members.display eq "Carol King"', '-'),
('G', 'members.display eq "sales"', 'Admins_100%'),
('G', 'members.display co "e"', 'Admins_100%,Engineering,Sales'),
('G', 'members[type eq "Group"]', 'Admins_100%'),
('G', 'members[type eq "user" and display sw "grace"]', 'Engineering'),
('G', 'members.value eq "{alice}" and members.value eq "{bob}"', 'Admins_100%'),
('G', 'members[value eq "{alice}" and value eq "{bob}"]', '-'),
('G', 'members pr', 'Admins_100%,Engineering,Sales'),
('G', 'not (members pr)', 'Empty'),
('G', 'members eq null', 'Empty'),
('G', 'meta.created gt "2024-03-01T02:30:00Z"', 'Admins_100%,Empty'),
('G', 'meta.lastModified le "2024-03-02T01:00:00Z"', 'Engineering'),
('G', 'meta.resourceType eq "Group"', 'Admins_100%,Empty,Engineering,Sales'),
('G', 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"', 'Admins_100%,Empty,Engineering,Sales'),
('G', 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "Sales"', 'Sales'),
('G', 'urn:ietf:params:scim:schemas:core:2.0:User:displayName eq "Sales"', 'ERROR 42601'),
('G', 'userName eq "x"', 'ERROR 42601'),
('G', 'members.$ref pr', 'ERROR 42601'),
-- custom attributes of a tenant extension: numbers compare numerically,
-- dateTime chronologically (F1)
('X', 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge gt 10', 'ben'),
('X', 'badge lt 10', 'ann'),
('X', 'badge eq 7', 'ann'),
('X', 'badge eq 7.0', 'ann'),
('X', 'badge ne 7', 'ben,cat'),
('X', 'badge pr', 'ann,ben'),
('X', 'badge eq "7"', 'ERROR 42601'),
('X', 'badge co 1', 'ERROR 42601'),
('X', 'score ge 3.5', 'ann,ben'),
('X', 'score gt 1e1', '-'),
('X', 'score ge 1E1', 'ben'),
('X', 'score lt -0.5', '-'),
('X', 'hired gt "2021-01-01T00:00:00Z"', 'ben'),
('X', 'hired eq "2022-01-15T11:00:00Z"', 'ben'),
('X', 'hired lt "2020-05-01T01:00:00+01:00"', '-'),
('X', 'hired le "2020-05-01T01:00:00+01:00"', 'ann'),
('X', 'hired sw "2020"', 'ERROR 42601'),
('X', 'remote eq true', 'ann'),
('X', 'remote eq false', 'ben'),
('X', 'remote ne true', 'ben,cat'),
('X', 'remote pr', 'ann,ben'),
('X', 'remote gt false', 'ERROR 42601'),
('X', 'tags eq "blue"', 'ann'),
('X', 'tags.value eq "blue"', 'ann'),
('X', 'tags[value eq "GREEN"]', 'ben'),
('X', 'tags co "e"', 'ann,ben'),
('X', 'tags pr', 'ann,ben'),
('X', 'tags.foo eq "x"', 'ERROR 42601'),
('X', 'skills[name eq "sql" and level ge 3]', 'ann'),
('X', 'skills.name eq "sql" and skills.level ge 3', 'ann'),
('X', 'skills[name eq "c" and level le 3]', '-'),
('X', 'skills.name eq "c" and skills.level le 3', 'ann'),
('X', 'skills.level gt 4', 'ann'),
('X', 'skills.name eq "SQL"', 'ann,ben'),
('X', 'skills eq "SQL"', 'ERROR 42601'),
('X', 'office.floor eq 2', 'ann'),
('X', 'office.building sw "a"', 'ben'),
('X', 'office pr', 'ann,ben'),
('X', 'office.floor pr', 'ann'),
('X', 'office[building eq "hq" and floor le 2]', 'ann'),
('X', 'code eq "abc"', 'ben'),
('X', 'code eq "ABC"', '-'),
('X', 'schemas eq "urn:ietf:params:scim:schemas:extension:acme:2.0:User"', 'ann,ben'),
('X', 'schemas.value co "ACME"', 'ann,ben');

-- ---------------------------------------------------------------- run them
SELECT n, kind, filter, pg_temp.matches(kind, filter) AS result
FROM cases ORDER BY n;

-- every case as the table expects it (the list above must be empty)
SELECT n, filter, expect, pg_temp.matches(kind, filter) AS got
FROM cases
WHERE NOT (pg_temp.matches(kind, filter) = expect OR
		   (expect LIKE 'ERROR %' AND pg_temp.matches(kind, filter) LIKE expect || ' %'))
ORDER BY n;
SELECT count(*) AS cases, count(*) FILTER (WHERE expect LIKE 'ERROR%') AS error_cases FROM cases;

-- a group's deactivated members are visible to filters exactly when the
-- tenant lists them (list_deactivated_members)
SELECT scim.tenant_configure('q_acme', '{"list_deactivated_members": true}')->'list_deactivated_members' AS listed;
SELECT pg_temp.matches('G', 'members.value eq "{carol}"') AS carol,
	   pg_temp.matches('G', 'members.display eq "Carol King"') AS carol_king,
	   pg_temp.matches('G', 'members[display sw "carol" and type eq "User"]') AS carol_bracket;
SELECT scim.tenant_configure('q_acme', '{"list_deactivated_members": false}')->'list_deactivated_members' AS listed;
SELECT pg_temp.matches('G', 'members.value eq "{carol}"') AS carol;

-- a filter too long or too deep for the parser is invalidFilter too
SELECT pg_temp.matches('U', 'userName eq "' || repeat('x', 9000) || '"') AS too_long;
SELECT pg_temp.matches('U', repeat('(', 40) || 'userName eq "x"' || repeat(')', 40)) AS too_deep;
SELECT pg_temp.matches('U', repeat('not (', 33) || 'userName eq "x"' || repeat(')', 33)) AS too_deep_not;
-- 400 comparisons, 400 parameters (the node limit is 1000) compile and run
SELECT pg_temp.matches('U', string_agg(format('title eq "%s"', i), ' or ') || ' or userName eq "ivan"') AS wide_or
FROM generate_series(1, 400) AS i;
SELECT pg_temp.matches('U', string_agg(format('title ne "%s"', i), ' and ') || ' and userName eq "ivan"') AS wide_and
FROM generate_series(1, 400) AS i;
SELECT pg_temp.matches('U', string_agg('id pr', ' or ')) AS too_many_nodes
FROM generate_series(1, 501) AS i;
-- a NULL filter lists everything; the other tenant's alice is never seen
SELECT pg_temp.matches('U', NULL) AS no_filter;
SELECT (scim.user_list('q_other', 'userName eq "alice"'))->'totalResults' AS other_tenant;
-- nor by its id
SELECT (scim.user_list('q_other', format('id eq "%s"', id)))->'totalResults' AS other_tenant_by_id
FROM scim.users WHERE tenant_id = 'q_acme' AND user_name = 'alice';
-- a listed resource is rendered exactly as a read by id renders it
SELECT count(*) AS users, bool_and(x = scim.user_get('q_acme', x->>'id')) AS as_user_get
FROM jsonb_array_elements(scim.user_list('q_acme')->'Resources') AS x;
SELECT count(*) AS groups, bool_and(x = scim.group_get('q_acme', x->>'id')) AS as_group_get
FROM jsonb_array_elements(scim.group_list('q_acme')->'Resources') AS x;

-- ---------------------------------------------------------------- paging
-- The page of a list: its counters and, in order, the userNames on it (or
-- what the jsonpath show picks from each resource; "-" when nothing)
CREATE FUNCTION pg_temp.page(f text, start_index int, count int,
							 sort_by text DEFAULT NULL, sort_order text DEFAULT 'ascending',
							 show jsonpath DEFAULT '$.userName')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
	msg text;
	detail text;
BEGIN
	r := scim.user_list('q_acme', f, start_index, count, sort_by, sort_order);
	RETURN format('total=%s items=%s start=%s: %s', r->'totalResults', r->'itemsPerPage',
				  r->'startIndex',
				  coalesce((SELECT string_agg(coalesce(jsonb_path_query_first(x, show) #>> '{}', '-'), ','
											  ORDER BY o)
							FROM jsonb_array_elements(r->'Resources') WITH ORDINALITY AS e(x, o)), ''));
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
	RETURN 'ERROR ' || SQLSTATE || ' ' || msg || ' (' || coalesce(detail, '') || ')';
END $$;

-- creation order by default; startIndex is 1-based (G1), count a page size
SELECT pg_temp.page(NULL, 1, 5) AS first_page;
SELECT pg_temp.page(NULL, 6, 5) AS second_page;
SELECT pg_temp.page(NULL, 11, 5) AS last_page;
-- past the end: an empty page, and the full total (G5)
SELECT pg_temp.page(NULL, 13, 5) AS past_end;
SELECT pg_temp.page(NULL, 1000000, 5) AS far_past_end;
-- startIndex below 1 is 1 (G1)
SELECT pg_temp.page(NULL, 0, 2) AS start_0;
SELECT pg_temp.page(NULL, -5, 2) AS start_negative;
-- count 0: the total only; a negative count is 0 (G2)
SELECT pg_temp.page(NULL, 1, 0) AS count_0;
SELECT pg_temp.page(NULL, 1, -3) AS count_negative;
SELECT pg_temp.page('userName eq "nobody"', 1, 0) AS count_0_no_match;
-- no count: the tenant's max_results; above it: max_results (G2, G3)
SELECT pg_temp.page(NULL, 1, NULL) AS default_count;
SELECT scim.tenant_configure('q_acme', '{"max_results": 5}')->'max_results' AS max_results;
SELECT pg_temp.page(NULL, 1, NULL) AS default_count;
SELECT pg_temp.page(NULL, 1, 100) AS count_above_max;
SELECT pg_temp.page(NULL, 9, 100) AS count_above_max_from_9;
SELECT pg_temp.page(NULL, 1, 5) AS count_at_max;
SELECT scim.tenant_configure('q_acme', '{"max_results": 200}')->'max_results' AS max_results;
-- a filter with paging: totalResults counts the matches, not the page
SELECT pg_temp.page('emails pr', 2, 3) AS filtered_page;
SELECT pg_temp.page('emails pr', 8, 3) AS filtered_last;
SELECT pg_temp.page('emails pr', 9, 3) AS filtered_past_end;

-- the ListResponse itself: schemas, integer counters, Resources even when
-- empty (Q1, Q2)
SELECT scim.user_list('q_acme', 'userName eq "nobody"') AS no_match;
SELECT scim.user_list('q_acme', NULL, 1, 0) AS count_0;
SELECT r - 'Resources' AS counters, jsonb_typeof(r->'totalResults') AS total_type,
	   jsonb_typeof(r->'itemsPerPage') AS items_type, jsonb_typeof(r->'startIndex') AS start_type,
	   jsonb_array_length(r->'Resources') AS resources
FROM scim.user_list('q_acme', 'userName sw "j"', 2, 1) AS r;
-- the resources are full representations
SELECT x->'schemas' AS schemas, x->>'userName' AS user_name, x->'name' AS name,
	   x->'emails' AS emails, x->'meta'->>'resourceType' AS resource_type,
	   x->'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' AS enterprise,
	   (SELECT string_agg(gr->>'display', ',' ORDER BY gr->>'display') FROM jsonb_array_elements(x->'groups') AS gr) AS groups
FROM jsonb_array_elements(scim.user_list('q_acme', 'userName eq "alice"')->'Resources') AS x;
SELECT x->>'displayName' AS display_name,
	   (SELECT string_agg(m->>'display', ',' ORDER BY m->>'display') FROM jsonb_array_elements(x->'members') AS m) AS members
FROM jsonb_array_elements(scim.group_list('q_acme', 'displayName sw "a"')->'Resources') AS x;
SELECT jsonb_path_query_array(scim.group_list('q_acme', NULL, 2, 2), '$.Resources[*].displayName') AS groups_2_3,
	   scim.group_list('q_acme', NULL, 2, 2) - 'Resources' AS counters;

-- ---------------------------------------------------------------- sorting
-- sortBy: caseExact=false strings sort case-insensitively by code point (S3)
SELECT pg_temp.page(NULL, 1, 100, 'userName') AS by_user_name;
SELECT pg_temp.page(NULL, 1, 100, 'USERNAME', 'descending') AS by_user_name_desc;
SELECT pg_temp.page(NULL, 1, 100, 'displayName') AS by_display_name;
SELECT pg_temp.page(NULL, 1, 100, 'urn:ietf:params:scim:schemas:core:2.0:User:userName') AS by_urn_user_name;
-- missing values last ascending, first descending (S5); the values shown
SELECT pg_temp.page(NULL, 1, 100, 'title', 'ascending', '$.title') AS titles;
SELECT pg_temp.page(NULL, 1, 100, 'title', 'descending', '$.title') AS titles_desc;
SELECT pg_temp.page(NULL, 1, 100, 'name.familyName', 'ascending', '$.name.familyName') AS family_names;
SELECT pg_temp.page(NULL, 1, 100, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', 'descending',
					'$."urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".employeeNumber') AS employee_numbers_desc;
-- caseExact strings sort case-sensitively, by code point (S3)
SELECT pg_temp.page(NULL, 1, 100, 'externalId', 'ascending', '$.externalId') AS external_ids;
SELECT pg_temp.page(NULL, 1, 100, 'active', 'ascending', '$.active') AS active;
SELECT pg_temp.page(NULL, 1, 100, 'meta.created', 'descending') AS newest_first;
SELECT pg_temp.page(NULL, 1, 100, 'meta.lastModified') AS oldest_first;
-- multi-valued: the primary value, or else the first (S4)
SELECT pg_temp.page('emails pr', 1, 100, 'emails') AS by_email;
SELECT pg_temp.page('emails pr', 1, 100, 'emails.value', 'descending') AS by_email_desc;
SELECT pg_temp.page('phoneNumbers pr', 1, 100, 'phoneNumbers.value', 'descending') AS by_phone_desc;
-- alice's primary email is work, bob's other, heidi's home: their first
-- ones are all work
SELECT pg_temp.page('userName eq "alice" or userName eq "bob" or userName eq "heidi"', 1, 100,
					'emails.type') AS by_primary_email_type;
-- sorting with a filter and paging
SELECT pg_temp.page('active eq true', 3, 3, 'userName') AS sorted_page;
SELECT pg_temp.page('userName sw "j"', 1, 100, 'userName', 'descending') AS sorted_filtered;
-- custom attributes: numbers and dateTime in their own order, booleans
-- false first, multi-valued by their first value (no primary sub-attribute)
SELECT sort_by, sort_order,
	   jsonb_path_query_array(scim.user_list('q_ext', NULL, 1, 10, sort_by, sort_order), '$.Resources[*].userName') AS users
FROM (VALUES ('badge', 'ascending'), ('badge', 'descending'), ('score', 'descending'),
			 ('hired', 'ascending'), ('remote', 'ascending'), ('tags', 'ascending'),
			 ('skills.level', 'ascending'), ('office.building', 'ascending'), ('office.building', 'descending'),
			 ('urn:ietf:params:scim:schemas:extension:acme:2.0:User:code', 'ascending')) AS s(sort_by, sort_order);
-- sortBy errors are invalidValue (22023)
SELECT pg_temp.page(NULL, 1, 100, 'nickname2') AS unknown;
SELECT pg_temp.page(NULL, 1, 100, 'name') AS complex;
SELECT pg_temp.page(NULL, 1, 100, 'password') AS password;
SELECT pg_temp.page(NULL, 1, 100, 'emails[type eq "work"].value') AS value_path;
SELECT pg_temp.page(NULL, 1, 100, 'userName', 'sideways') AS bad_order;
SELECT jsonb_path_query_array(scim.group_list('q_acme', NULL, 1, 10, 'displayName', 'descending'), '$.Resources[*].displayName') AS groups_desc;
SELECT jsonb_path_query_array(scim.group_list('q_acme', NULL, 1, 10, 'members'), '$.Resources[*].displayName') AS by_members;

-- ---------------------------------------------------------------- the SQL
-- What filters compile to: values are always parameters ($1 is the tenant)
SELECT f AS filter, scim._filter_to_sql('User', f) AS sql
FROM unnest(ARRAY[
	'userName eq "alice"',
	'userName sw "a%b_c\\d"',
	'externalId co "x"',
	'id eq "3f0c2b9a-1c1e-4f6e-9a7d-2b7f0a5e4c11"',
	'id eq "nope"',
	'active eq true',
	'title ne "x"',
	'not (title pr) or nickName gt "m"',
	'meta.lastModified gt "2024-01-02T08:00:00+02:00"',
	'emails eq "a@b.c"',
	'emails[type eq "work" and value eq "a@b.c"]',
	'emails[type eq "work" and primary eq true]',
	'emails.value ne "a@b.c"',
	'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"',
	'name pr',
	'groups.display eq "x"',
	'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"'
]) WITH ORDINALITY AS t(f, o) ORDER BY o;
SELECT * FROM scim._filter_params('User', 'userName sw "a%b_c\\d" or emails[type eq "Work" and value eq "A@B.C"] or meta.created lt "2024-01-02T08:00:00+02:00" or active eq false or id eq "3F0C2B9A-1C1E-4F6E-9A7D-2B7F0A5E4C11"');
SELECT f AS filter, scim._filter_to_sql('Group', f) AS sql
FROM unnest(ARRAY[
	'displayName sw "eng"',
	'members.value eq "3f0c2b9a-1c1e-4f6e-9a7d-2b7f0a5e4c11"',
	'members[type eq "User" and display co "x"]',
	'members pr'
]) WITH ORDINALITY AS t(f, o) ORDER BY o;
SELECT scim._filter_to_sql('Device', 'x eq "1"');
