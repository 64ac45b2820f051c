-- explain.sql: the SQL that filters compile to, and the indexes its plans
-- use (src/filter_sql.c, src/query.c).  scim._filter_explain() runs
-- EXPLAIN (COSTS OFF) on the very statement a list runs, with the same
-- parameters; the list runs it as a custom plan, so the values are
-- constants to the planner (the LIKE prefix of sw becomes an index range).
\set VERBOSITY terse
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

-- two tenants of 5000 users and 300 groups each, written straight into the
-- tables (scim.user_create would take a while)
SELECT scim.tenant_create('x_big');
SELECT scim.tenant_create('x_other');
INSERT INTO scim.users (tenant_id, id, user_name, external_id, display_name,
						given_name, family_name, name_formatted, attrs, created, last_modified)
SELECT t, gen_random_uuid(), 'user' || i || '@example.com', 'ext-' || i, 'User ' || i,
	   'Given' || i, 'Family' || (i % 100), 'Given' || i || ' Family' || (i % 100),
	   jsonb_build_object(
		   'title', 'Title ' || (i % 50),
		   'emails', jsonb_build_array(
			   jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true),
			   jsonb_build_object('value', 'u' || i || '@home.example', 'type', 'home'))),
	   timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
	   timestamptz '2024-01-02 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, 5000) AS i, (VALUES ('x_big'), ('x_other')) AS x(t);
INSERT INTO scim.groups (tenant_id, id, display_name, external_id, created, last_modified)
SELECT t, gen_random_uuid(), 'Group ' || i, 'gext-' || i,
	   timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
	   timestamptz '2024-01-02 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, 300) AS i, (VALUES ('x_big'), ('x_other')) AS x(t);
-- user n is a member of group n % 300 + 1
INSERT INTO scim.members (tenant_id, group_id, member_id, member_type)
SELECT u.tenant_id, g.id, u.id, 'User'
FROM scim.users u
JOIN scim.groups g ON g.tenant_id = u.tenant_id
	AND g.display_name = 'Group ' || (substring(u.user_name FROM 'user(\d+)@')::int % 300 + 1)
WHERE u.tenant_id IN ('x_big', 'x_other');
VACUUM (ANALYZE) scim.users, scim.groups, scim.members;

-- the compiled predicate and the plan of the count query
CREATE FUNCTION pg_temp.show(kind text, f text) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT 'filter: ' || f
	UNION ALL SELECT 'sql:    ' || scim._filter_to_sql(kind, f)
	UNION ALL SELECT * FROM scim._filter_explain('x_big', kind, f)
$$;

-- userName eq: an index on (tenant_id, lower(user_name)); the
-- text_pattern_ops one serves "=" as well as the unique one does
SELECT * FROM pg_temp.show('User', 'userName eq "USER4242@example.com"');
-- userName sw: the text_pattern_ops index, the prefix as an index range
SELECT * FROM pg_temp.show('User', 'userName sw "User4242@"');
-- externalId eq: caseExact, the plain index on (tenant_id, external_id)
SELECT * FROM pg_temp.show('User', 'externalId eq "ext-4242"');
-- displayName eq: (tenant_id, lower(display_name))
SELECT * FROM pg_temp.show('User', 'displayName eq "user 4242"');
-- id eq: the primary key; an id that is not a uuid is not even looked up
SELECT * FROM pg_temp.show('User', 'id eq "3f0c2b9a-1c1e-4f6e-9a7d-2b7f0a5e4c11"');
SELECT * FROM pg_temp.show('User', 'id eq "4242"');
-- meta.lastModified gt: (tenant_id, last_modified), the time zone applied
SELECT * FROM pg_temp.show('User', 'meta.lastModified gt "2024-01-05T13:15:00+02:00"');
SELECT * FROM pg_temp.show('User', 'meta.created ge "2024-01-04T09:15:00Z"');
-- emails: the GIN index on scim._email_keys(tenant_id, attrs), its keys led
-- by the request's tenant ($1), then the exact EXISTS
SELECT * FROM pg_temp.show('User', 'emails[type eq "work"].value eq "User4242@Example.com"');
SELECT * FROM pg_temp.show('User', 'emails.value eq "u4242@home.example"');
-- the other tenant, whose user 4242 has the same emails, looks up its own
-- key, and the index gives each tenant its own user only: the scan of the
-- index finds one row, not the two users holding the address
SELECT * FROM scim._filter_explain('x_other', 'User', 'emails.value eq "u4242@home.example"');
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT u.tenant_id FROM scim.users u
WHERE scim._email_keys(u.tenant_id, u.attrs) OPERATOR(scim.@>>) ARRAY[scim._email_key('x_other', lower('U4242@home.example'))];
-- and / or of indexed conditions: bitmap AND / OR
SELECT * FROM pg_temp.show('User', 'userName eq "user1@example.com" or externalId eq "ext-2"');
-- groups: displayName eq and sw (the two lower(display_name) indexes),
-- externalId eq, and members.value eq through the members index
SELECT * FROM pg_temp.show('Group', 'displayName eq "group 42"');
SELECT * FROM pg_temp.show('Group', 'displayName sw "group 42"');
SELECT * FROM pg_temp.show('Group', 'externalId eq "gext-42"');
SELECT * FROM pg_temp.show('Group', 'members.value eq "3f0c2b9a-1c1e-4f6e-9a7d-2b7f0a5e4c11"');
-- a user's groups
SELECT * FROM pg_temp.show('User', 'groups.value eq "3f0c2b9a-1c1e-4f6e-9a7d-2b7f0a5e4c11"');

-- the page query: filter, order, OFFSET and LIMIT
SELECT * FROM scim._filter_explain('x_big', 'User', 'userName sw "user4242"', true);
-- no filter: creation order straight from (tenant_id, created)
SELECT * FROM scim._filter_explain('x_big', 'User', NULL, true);

-- an invalid filter fails before anything runs
SELECT * FROM scim._filter_explain('x_big', 'User', 'userName eq');

DELETE FROM scim.tenants WHERE tenant_id IN ('x_big', 'x_other');
