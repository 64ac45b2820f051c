-- bench/sql/setup.sql - the benchmark's own objects, in the bench stack's
-- scim database only (bench/run.sh runs it as the superuser).  Seeding is
-- data, not API use: rows go straight into scim.users / scim.groups /
-- scim.members, shaped like what the API stores (derived display names).

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- F2: a plain table with the same columns and the same UNIQUE indexes as
-- scim.users (primary key and lower(userName)), nothing else: no foreign
-- key, no check, none of scim.users' five other b-tree indexes nor its GIN
-- index on the e-mail keys.
CREATE TABLE bench.users_floor (LIKE scim.users INCLUDING DEFAULTS);
ALTER TABLE bench.users_floor ADD PRIMARY KEY (tenant_id, id);
CREATE UNIQUE INDEX users_floor_user_name ON bench.users_floor (tenant_id, lower(user_name));

-- Random picks for pgbench: n (1..count) -> an existing user.
CREATE TABLE bench.ids (
	n			int PRIMARY KEY,
	id			uuid NOT NULL,
	user_name	text NOT NULL
);

-- Grow tenant "default" to `total` users (no-op when it has that many).
CREATE FUNCTION bench.seed_users(total bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	have bigint;
BEGIN
	SELECT count(*) INTO have FROM scim.users WHERE tenant_id = 'default';
	IF have >= total THEN
		RETURN 0;
	END IF;
	-- seed-<n> with n > have never collides with earlier seeds (1..<= have)
	INSERT INTO scim.users (tenant_id, id, user_name, display_name, name_formatted,
							given_name, family_name, role, attrs, derived)
	SELECT 'default', gen_random_uuid(), 'seed-' || n || '@example.com',
		   'Seed ' || n, 'Seed ' || n, 'Seed', n::text, 'member', '{}',
		   '{name.formatted,displayName}'
	FROM generate_series(have + 1, total) AS n;
	RETURN total - have;
END
$$;

-- bench.ids := every user of tenant "default", numbered 1..count (the seeded
-- ones first, in the order they were made).
CREATE FUNCTION bench.refresh_ids() RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
	TRUNCATE bench.ids;
	INSERT INTO bench.ids
	SELECT row_number() OVER (ORDER BY created, id), id, user_name
	FROM scim.users WHERE tenant_id = 'default';
	ANALYZE bench.ids;
	RETURN (SELECT count(*) FROM bench.ids);
END
$$;

-- One group of big_size members (users 1..big_size of bench.ids) and
-- nsmall groups of 10 members each (the users after those).  Returns the
-- first bench.ids number not used by any of them.
CREATE FUNCTION bench.make_groups(big_size int, nsmall int) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	big uuid := gen_random_uuid();
BEGIN
	DELETE FROM scim.groups WHERE tenant_id = 'default' AND display_name LIKE 'bench-%';
	INSERT INTO scim.groups (tenant_id, id, display_name) VALUES ('default', big, 'bench-big');
	INSERT INTO scim.members (tenant_id, group_id, member_id, member_type)
	SELECT 'default', big, id, 'User' FROM bench.ids WHERE n <= big_size;
	INSERT INTO scim.groups (tenant_id, id, display_name)
	SELECT 'default', gen_random_uuid(), 'bench-small-' || g FROM generate_series(1, nsmall) g;
	INSERT INTO scim.members (tenant_id, group_id, member_id, member_type)
	SELECT 'default', g.id, i.id, 'User'
	FROM (SELECT id, row_number() OVER (ORDER BY display_name) - 1 AS k
		  FROM scim.groups WHERE tenant_id = 'default' AND display_name LIKE 'bench-small-%') g
	JOIN bench.ids i ON i.n BETWEEN big_size + g.k * 10 + 1 AND big_size + g.k * 10 + 10;
	ANALYZE scim.groups;
	ANALYZE scim.members;
	RETURN big_size + nsmall * 10 + 1;
END
$$;
