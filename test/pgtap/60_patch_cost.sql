-- test/pgtap/60_patch_cost.sql
--	  The PATCH engine's cost is linear (docs/security.md, "Request
--	  limits"): a property test over random operation lists within the
--	  limits.  The engine counts its inner-loop steps (ScimPatchWork() in
--	  src/patch.c, read by the test aid scim._patch_work() of test/scim_test/), and
--	  every PATCH must stay under a fixed multiple of what each operation
--	  reads: the values of its target when it runs plus the values it
--	  carries.  A quadratic step (each new value compared with every value
--	  already there) costs hundreds of times more at these sizes.
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(6);

-- the test aid scim._patch_work(): test/scim_test/
CREATE EXTENSION IF NOT EXISTS scim_test;

SELECT scim.tenant_create('pgtap60', '{"max_multi_values": 4000}') \gset _

-- n emails whose values start with prefix
CREATE FUNCTION pg_temp.emails(prefix text, n int) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('value', prefix || i || '@example.org',
												 'type', CASE WHEN i % 3 = 0 THEN 'work' ELSE 'home' END)), '[]')
	FROM generate_series(1, n) i
$$;

-- a user with n emails; its id
CREATE FUNCTION pg_temp.user_with(name text, n int) RETURNS text
LANGUAGE sql AS $$
	SELECT scim.user_create('pgtap60', jsonb_build_object('userName', name, 'emails', pg_temp.emails('e', n))) ->> 'id'
$$;

-- apply patch to user id; the work it took (errors count as well)
CREATE FUNCTION pg_temp.work_of(id text, ops jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		PERFORM scim.user_patch('pgtap60', id,
								jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:PatchOp"]'::jsonb,
												   'Operations', ops));
	EXCEPTION WHEN OTHERS THEN
		NULL;
	END;
	RETURN scim._patch_work();
END
$$;

-- one random operation on emails carrying up to maxv values
CREATE FUNCTION pg_temp.random_op(maxv int, OUT op jsonb, OUT nvalues int)
LANGUAGE plpgsql AS $$
DECLARE
	m int := 1 + floor(random() * maxv)::int;
	k int := floor(random() * 8)::int;
BEGIN
	nvalues := m;
	op := CASE k
		WHEN 0 THEN jsonb_build_object('op', 'add', 'path', 'emails', 'value', pg_temp.emails('a' || m, m))
		WHEN 1 THEN jsonb_build_object('op', 'replace', 'path', 'emails', 'value', pg_temp.emails('r', m))
		WHEN 2 THEN jsonb_build_object('op', 'remove', 'path', 'emails', 'value', pg_temp.emails('e', m))
		WHEN 3 THEN jsonb_build_object('op', 'remove', 'path', 'emails[value co "1"]')
		WHEN 4 THEN jsonb_build_object('op', 'replace', 'path', 'emails[type eq "work"].display', 'value', repeat('d', m))
		WHEN 5 THEN jsonb_build_object('op', 'replace', 'path', 'emails.display', 'value', repeat('x', m))
		WHEN 6 THEN jsonb_build_object('op', 'add', 'value', jsonb_build_object('emails', pg_temp.emails('p', m)))
		ELSE jsonb_build_object('op', 'add', 'path', 'emails[type eq "other"].value', 'value', 'o' || m || '@example.org')
	END;
END
$$;

-- the property, over rounds random users and operation lists: work never
-- above 64 steps per value read (the values present, at most max_multi_values
-- per operation, plus the values carried)
CREATE FUNCTION pg_temp.worst_ratio(rounds int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	worst numeric := 0;
	r int;
	n int;
	start int;
	id text;
	ops jsonb;
	o record;
	carried int;
	reads bigint;
BEGIN
	PERFORM setseed(0.6025);
	FOR r IN 1..rounds LOOP
		start := floor(random() * 2000)::int;
		id := pg_temp.user_with('p' || r, start);
		n := 1 + floor(random() * 12)::int;
		ops := '[]';
		carried := 0;
		FOR i IN 1..n LOOP
			o := pg_temp.random_op(1500);
			ops := ops || jsonb_build_array(o.op);
			carried := carried + o.nvalues;
		END LOOP;
		reads := n::bigint * (4000 + 1) + carried + start;
		worst := greatest(worst, pg_temp.work_of(id, ops)::numeric / reads);
	END LOOP;
	RETURN worst;
END
$$;

SELECT cmp_ok(pg_temp.worst_ratio(25), '<=', 64::numeric,
			  'random PATCHes within the limits: at most 64 steps per value read');

-- the cases that were quadratic, one by one, at the largest size allowed
SELECT pg_temp.user_with('big', 4000) AS big \gset
SELECT cmp_ok(pg_temp.work_of(:'big', jsonb_build_array(jsonb_build_object('op', 'replace', 'path', 'emails', 'value', pg_temp.emails('n', 4000)))),
			  '<=', 64 * 8000::bigint, 'replace with 4000 new values: linear');
SELECT cmp_ok(pg_temp.work_of(:'big', jsonb_build_array(jsonb_build_object('op', 'remove', 'path', 'emails', 'value', pg_temp.emails('n', 4000)))),
			  '<=', 64 * 8000::bigint, 'remove 4000 listed values from 4000: linear');
SELECT pg_temp.user_with('big2', 0) AS big2 \gset
SELECT cmp_ok(pg_temp.work_of(:'big2', jsonb_build_array(jsonb_build_object('op', 'add', 'path', 'emails', 'value', pg_temp.emails('n', 4000)))),
			  '<=', 64 * 8000::bigint, 'add 4000 values one by one into an empty list: linear');
SELECT is(jsonb_array_length(scim.user_get('pgtap60', :'big2') -> 'emails'), 4000, 'and all 4000 were added');
SELECT cmp_ok(pg_temp.work_of(:'big2', jsonb_build_array(jsonb_build_object('op', 'add', 'path', 'emails', 'value', pg_temp.emails('n', 4000)))),
			  '<=', 64 * 8000::bigint, 're-adding the same 4000 values: linear, and a no-op');

SELECT * FROM finish();
ROLLBACK;
