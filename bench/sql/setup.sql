-- bench/sql/setup.sql - the benchmark's own objects, in the bench stack's
-- scim database only (bench/run.sh runs it as the superuser).  Seeding is
-- data, not API use: rows go straight into scim.users / scim.groups /
-- scim.members, shaped like what the API stores (derived display names).

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- F2: a plain table with the same columns and the same UNIQUE indexes as
-- scim.users (copied from the catalog: primary key and the userName key),
-- nothing else: no foreign key, no check, no row-level security, none of
-- scim.users' other indexes.
CREATE TABLE bench.users_floor (LIKE scim.users INCLUDING DEFAULTS);
DO $$
DECLARE
	def text;
BEGIN
	FOR def IN
		SELECT pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = 'scim.users'::regclass AND i.indisunique
	LOOP
		EXECUTE regexp_replace(def, ' INDEX (\S+) ON scim\.users ', ' INDEX floor_\1 ON bench.users_floor ');
	END LOOP;
END
$$;

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
	defs text[];
	names text[];
	k int;
BEGIN
	SELECT count(*) INTO have FROM scim.users WHERE tenant_id = 'default';
	IF have >= total THEN
		RETURN 0;
	END IF;
	-- A big load goes in without scim.users' non-unique indexes, which are
	-- then built again from their own definitions (the usual bulk-load
	-- practice; the GIN index's expression is a SQL function, see
	-- bench/README.md, Findings F-2).
	IF total - have > 50000 THEN
		SELECT array_agg(pg_get_indexdef(i.indexrelid)), array_agg(i.indexrelid::regclass::text)
		INTO defs, names
		FROM pg_index i
		WHERE i.indrelid = 'scim.users'::regclass AND NOT i.indisunique;
		FOR k IN 1 .. coalesce(array_length(names, 1), 0) LOOP
			EXECUTE 'DROP INDEX ' || names[k];
		END LOOP;
	END IF;
	-- seed-<n> with n > have never collides with earlier seeds (1..<= have)
	INSERT INTO scim.users (tenant_id, id, user_name, display_name, name_formatted,
							given_name, family_name, role, attrs, derived)
	SELECT 'default', gen_random_uuid(), 'seed-' || n || '@example.com',
		   'Seed ' || n, 'Seed ' || n, 'Seed', n::text, 'member', '{}',
		   '{name.formatted,displayName}'
	FROM generate_series(have + 1, total) AS n;
	FOR k IN 1 .. coalesce(array_length(defs, 1), 0) LOOP
		EXECUTE defs[k];
	END LOOP;
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
