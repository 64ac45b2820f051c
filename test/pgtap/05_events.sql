-- test/pgtap/05_events.sql
--	  The change feed: one scim.events row per change with tenant, actor,
--	  resource and action; no row for failed or no-op operations; no
--	  password value ever; events_since / events_prune; and NOTIFY
--	  scim_events delivered to a listener in another session (through
--	  dblink when it is available; the writes made there are committed
--	  and removed again at the end).
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SELECT plan(51);

CREATE FUNCTION pg_temp.ops(VARIADIC o jsonb[]) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('schemas', '["urn:ietf:params:scim:api:messages:2.0:PatchOp"]'::jsonb,
							  'Operations', to_jsonb(o))
$$;

-- the actions recorded for one resource, in order
CREATE FUNCTION pg_temp.actions(t text, id text) RETURNS text[]
LANGUAGE sql AS $$
	SELECT COALESCE(array_agg(action ORDER BY seq), '{}') FROM scim.events
	 WHERE tenant_id = t AND resource_id = id::uuid
$$;

-- the changes of the latest event of an action for one resource
CREATE FUNCTION pg_temp.changes(t text, id text, act text) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT changes FROM scim.events WHERE tenant_id = t AND resource_id = id::uuid AND action = act
	 ORDER BY seq DESC LIMIT 1
$$;

CREATE FUNCTION pg_temp.nevents(t text) RETURNS int
LANGUAGE sql AS $$
	SELECT count(*)::int FROM scim.events WHERE tenant_id = t
$$;

-- ------------------------------------------------ NOTIFY, seen from outside

-- A listener and a writer in two other sessions: the writer commits a
-- user in a tenant with notify off, then one in a tenant with notify on;
-- the listener must get exactly the second, with the event's seq.
DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS dblink; EXCEPTION WHEN OTHERS THEN NULL; END $$;

CREATE FUNCTION pg_temp.notify_probe(tq text, tn text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	conn text := format('host=%s port=%s dbname=%s user=%s',
						split_part(current_setting('unix_socket_directories'), ',', 1),
						current_setting('port'), current_database(), current_user);
	got jsonb := '[]';
	cq text := scim.events_channel(tq);
	cn text := scim.events_channel(tn);
	evs jsonb;
	r record;
	i int;
	done boolean := false;
	err text;
BEGIN
	BEGIN
		PERFORM dblink_connect('pgtap05_listen', conn);
		PERFORM dblink_connect('pgtap05_write', conn);
		PERFORM dblink_exec('pgtap05_listen', format('LISTEN %I', cq));
		PERFORM dblink_exec('pgtap05_listen', format('LISTEN %I', cn));
		PERFORM 1 FROM dblink('pgtap05_write', format('SELECT scim.tenant_create(%L, %L)::text', tq, '{"notify": false}')) AS x(v text);
		PERFORM 1 FROM dblink('pgtap05_write', format('SELECT scim.user_create(%L, %L)::text', tq, '{"userName": "quiet"}')) AS x(v text);
		PERFORM 1 FROM dblink('pgtap05_write', format('SELECT scim.tenant_create(%L)::text', tn)) AS x(v text);
		PERFORM 1 FROM dblink('pgtap05_write', format('SELECT scim.user_create(%L, %L)::text', tn, '{"userName": "loud"}')) AS x(v text);
		FOR i IN 1..200 LOOP
			FOR r IN SELECT * FROM dblink_get_notify('pgtap05_listen') LOOP
				IF r.notify_name IN (cq, cn) THEN
					got := got || jsonb_build_object('channel', r.notify_name, 'payload', r.extra::jsonb);
				END IF;
				done := done OR r.notify_name = cn;
			END LOOP;
			EXIT WHEN done;
			PERFORM pg_sleep(0.05);
		END LOOP;
		SELECT jsonb_agg(jsonb_build_object('tenant', t, 'seq', s, 'action', a) ORDER BY s) INTO evs
		  FROM dblink('pgtap05_write', format('SELECT tenant_id, seq, action FROM scim.events WHERE tenant_id IN (%L, %L)', tq, tn))
			AS x(t text, s bigint, a text);
	EXCEPTION WHEN OTHERS THEN
		err := SQLERRM;
	END;
	BEGIN
		PERFORM dblink_exec('pgtap05_write', format('DELETE FROM scim.events WHERE tenant_id IN (%L, %L)', tq, tn));
		PERFORM dblink_exec('pgtap05_write', format('DELETE FROM scim.tenants WHERE tenant_id IN (%L, %L)', tq, tn));
	EXCEPTION WHEN OTHERS THEN
		err := COALESCE(err, 'cleanup: ' || SQLERRM);
	END;
	BEGIN
		PERFORM dblink_disconnect('pgtap05_listen');
		PERFORM dblink_disconnect('pgtap05_write');
	EXCEPTION WHEN OTHERS THEN
		NULL;
	END;
	RETURN jsonb_build_object('error', err, 'notifications', got, 'events', COALESCE(evs, '[]'));
END
$$;

SELECT 'pgtap05_q_' || substr(md5(random()::text || clock_timestamp()::text), 1, 12) AS tq,
	   'pgtap05_n_' || substr(md5(random()::text || clock_timestamp()::text), 1, 12) AS tn \gset
CREATE TEMP TABLE probe AS SELECT pg_temp.notify_probe(:'tq', :'tn') AS r;

SELECT is(r ->> 'error', NULL, 'the two-session NOTIFY probe ran (needs dblink)') FROM probe;
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(r -> 'events') e WHERE e ->> 'action' = 'created'), 2,
		  'both committed creates recorded an event row') FROM probe;
SELECT is(jsonb_array_length(r -> 'notifications'), 1,
		  'the listener got one notification: none for the tenant with notify off') FROM probe;
SELECT is(r -> 'notifications' -> 0 ->> 'channel', scim.events_channel(:'tn'), 'on the tenant''s channel, scim.events_channel') FROM probe;
SELECT is(r -> 'notifications' -> 0 -> 'payload',
		  jsonb_build_object('seq', (SELECT (e ->> 'seq')::bigint FROM jsonb_array_elements(r -> 'events') e WHERE e ->> 'tenant' = :'tn')),
		  'the payload is the event''s seq alone: it names no tenant') FROM probe;
-- the channel name is a keyed hash: it names no tenant either, and another
-- tenant's differs
SELECT matches(scim.events_channel(:'tn'), '^scim_events_[0-9a-f]{32}$', 'a channel is scim_events_ and 32 hex digits');
SELECT ok(scim.events_channel(:'tn') <> scim.events_channel(:'tq')
		  AND strpos(scim.events_channel(:'tn'), :'tn') = 0
		  AND scim.events_channel(:'tn') <> 'scim_events_' || left(encode(sha256(convert_to(:'tn', 'UTF8')), 'hex'), 32),
		  'each tenant has its own channel, not derivable from its name without the key');
SELECT ok(NOT has_table_privilege('scim_app', 'scim.notify_key', 'SELECT')
		  AND NOT has_table_privilege('scim_admin', 'scim.notify_key', 'SELECT')
		  AND NOT has_table_privilege('scim_anon', 'scim.notify_key', 'SELECT')
		  AND NOT has_function_privilege('scim_anon', 'scim.events_channel(text)', 'EXECUTE')
		  AND NOT has_function_privilege('scim_admin', 'scim.events_channel(text)', 'EXECUTE')
		  AND has_function_privilege('scim_app', 'scim.events_channel(text)', 'EXECUTE'),
		  'only scim_app learns channel names; no role but the owner reads the key');
SELECT is((SELECT count(*)::int FROM scim.tenants WHERE tenant_id IN (:'tq', :'tn')), 0,
		  'the probe cleaned up after itself');

-- ------------------------------------------------------------ user events

SELECT scim.tenant_create('pgtap05') \gset _
SELECT scim.tenant_create('pgtap05_b') \gset _
SELECT 'sql:' || current_user AS actor \gset

SELECT scim.user_create('pgtap05', '{"userName": "ev1", "password": "Sup3rS3cret!", "role": "administrator",
	"title": "T0"}') ->> 'id' AS ev1 \gset
SELECT is(pg_temp.actions('pgtap05', :'ev1'), ARRAY['created'], 'a create records one created event');
SELECT is((SELECT row(tenant_id, actor, resource_type)::text FROM scim.events WHERE resource_id = :'ev1'::uuid),
		  row('pgtap05', :'actor', 'User')::text, 'the event names the tenant, the SQL role as actor and the resource type');
SELECT is(pg_temp.changes('pgtap05', :'ev1', 'created') - 'attributes',
		  '{"userName": "ev1", "active": true, "role": "administrator"}'::jsonb,
		  'created carries userName, active and role');
SELECT ok(pg_temp.changes('pgtap05', :'ev1', 'created') -> 'attributes' ?& ARRAY['userName', 'title', 'password'],
		  'created lists the attributes set, password by name only');

SELECT scim.user_patch('pgtap05', :'ev1', pg_temp.ops('{"op": "replace", "path": "title", "value": "T1"}')) \gset _
SELECT is(pg_temp.changes('pgtap05', :'ev1', 'patched') -> 'attributes', '["title"]'::jsonb, 'patched lists what changed');
SELECT scim.user_patch('pgtap05', :'ev1', pg_temp.ops('{"op": "replace", "path": "title", "value": "T1"}')) \gset _
SELECT is(pg_temp.actions('pgtap05', :'ev1'), ARRAY['created', 'patched'], 'a no-op PATCH records nothing');

SELECT scim.user_replace('pgtap05', :'ev1', '{"userName": "ev1", "nickName": "E"}') \gset _
SELECT is((SELECT array_agg(a ORDER BY a) FROM jsonb_array_elements_text(pg_temp.changes('pgtap05', :'ev1', 'replaced') -> 'attributes') a),
		  ARRAY['nickName', 'title'], 'replaced lists the attributes set and the ones cleared');

SELECT scim.user_patch('pgtap05', :'ev1', pg_temp.ops('{"op": "replace", "path": "active", "value": false}')) \gset _
SELECT is(pg_temp.changes('pgtap05', :'ev1', 'deactivated'), '{"active": false}'::jsonb, 'deactivation is its own event');
SELECT scim.user_patch('pgtap05', :'ev1', pg_temp.ops('{"op": "replace", "path": "active", "value": true}')) \gset _
SELECT is(pg_temp.changes('pgtap05', :'ev1', 'reactivated'), '{"active": true}'::jsonb, 'reactivation is its own event');
SELECT scim.user_patch('pgtap05', :'ev1', pg_temp.ops('{"op": "replace", "path": "role", "value": "moderator"}')) \gset _
SELECT is(pg_temp.changes('pgtap05', :'ev1', 'role_changed'), '{"old": "administrator", "new": "moderator"}'::jsonb,
		  'a role change records the old and new role');
SELECT scim.user_patch('pgtap05', :'ev1', pg_temp.ops('{"op": "replace", "path": "password", "value": "N3wS3cret!"}')) \gset _
SELECT is(pg_temp.changes('pgtap05', :'ev1', 'patched') -> 'attributes', '["password"]'::jsonb,
		  'a password change is recorded by name');
SELECT scim.user_replace('pgtap05', :'ev1', '{"userName": "ev1", "nickName": "E", "password": "Th1rdS3cret!"}') \gset _

-- failures record nothing
SELECT pg_temp.nevents('pgtap05') AS n_before \gset
SELECT throws_ok($$SELECT scim.user_create('pgtap05', '{"userName": "EV1"}')$$, '23505', 'userName "EV1" is already in use',
				 'a duplicate create fails');
SELECT throws_ok(format('SELECT scim.user_patch(%L, %L, %L)', 'pgtap05', :'ev1', pg_temp.ops(
					'{"op": "replace", "path": "title", "value": "X"}', '{"op": "replace", "path": "role", "value": "chief"}')),
				 '22023', 'role "chief" is not one of this organization''s roles: owner, administrator, moderator, member, guest',
				 'a PATCH that fails late fails');
SELECT is(pg_temp.nevents('pgtap05'), :'n_before'::int, 'failed operations record no event');

SELECT scim.user_delete('pgtap05', :'ev1') \gset _
SELECT is(pg_temp.changes('pgtap05', :'ev1', 'deleted'), '{"userName": "ev1"}'::jsonb, 'deleted names the userName');
SELECT is(pg_temp.actions('pgtap05', :'ev1'),
		  ARRAY['created', 'patched', 'replaced', 'patched', 'deactivated', 'patched', 'reactivated',
				'patched', 'role_changed', 'patched', 'replaced', 'deleted'],
		  'every change of the user is one event, in order');
SELECT is((SELECT count(*)::int FROM scim.events WHERE tenant_id = 'pgtap05' AND resource_id = :'ev1'::uuid
			AND (actor, resource_type) IS DISTINCT FROM (:'actor', 'User')), 0,
		  'all of them carry the actor and resource type');
SELECT is((SELECT count(*)::int FROM scim.events WHERE tenant_id = 'pgtap05'
			AND (changes::text LIKE '%3cret%' OR changes::text LIKE '%S3c%')), 0,
		  'no event contains a password value');
SELECT is((SELECT count(*)::int FROM scim.events WHERE tenant_id = 'pgtap05_b'), 0,
		  'nothing was recorded for another tenant');

-- ----------------------------------------------------------- group events

SELECT scim.user_create('pgtap05', '{"userName": "m1"}') ->> 'id' AS m1 \gset
SELECT scim.user_create('pgtap05', '{"userName": "m2"}') ->> 'id' AS m2 \gset
SELECT scim.group_create('pgtap05', format('{"displayName": "evg", "members": [{"value": "%s"}, {"value": "%s"}]}', :'m1', :'m2')::jsonb) ->> 'id' AS evg \gset

SELECT is(pg_temp.actions('pgtap05', :'evg'), ARRAY['created', 'members_added'], 'a group created with members: created, then members_added');
SELECT is((SELECT row(tenant_id, actor, resource_type)::text FROM scim.events WHERE resource_id = :'evg'::uuid AND action = 'created'),
		  row('pgtap05', :'actor', 'Group')::text, 'a group event names tenant, actor and resource type');
SELECT is(pg_temp.changes('pgtap05', :'evg', 'created') ->> 'displayName', 'evg', 'created names the group');
SELECT is(pg_temp.changes('pgtap05', :'evg', 'members_added') -> 'count', '2'::jsonb, 'members_added counts the members');
SELECT is((SELECT array_agg(v ORDER BY v) FROM jsonb_array_elements_text(pg_temp.changes('pgtap05', :'evg', 'members_added') -> 'members') v),
		  (SELECT array_agg(v ORDER BY v) FROM unnest(ARRAY[:'m1', :'m2']) v), 'and lists their ids');

SELECT scim.group_patch('pgtap05', :'evg', pg_temp.ops(jsonb_build_object('op', 'remove', 'path', format('members[value eq "%s"]', :'m1')))) \gset _
SELECT is(pg_temp.changes('pgtap05', :'evg', 'members_removed'), jsonb_build_object('count', 1, 'members', jsonb_build_array(:'m1')),
		  'members_removed lists exactly the removed member');
SELECT scim.group_patch('pgtap05', :'evg', pg_temp.ops(jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(jsonb_build_object('value', :'m2'))))) \gset _
SELECT is(pg_temp.actions('pgtap05', :'evg'), ARRAY['created', 'members_added', 'members_removed'],
		  'adding a present member records nothing');
SELECT scim.group_patch('pgtap05', :'evg', pg_temp.ops('{"op": "replace", "path": "displayName", "value": "evg2"}',
	jsonb_build_object('op', 'add', 'path', 'members', 'value', jsonb_build_array(jsonb_build_object('value', :'m1'))))) \gset _
SELECT is((pg_temp.actions('pgtap05', :'evg'))[4:5], ARRAY['patched', 'members_added'],
		  'a rename with an add records patched and members_added');
SELECT is(pg_temp.changes('pgtap05', :'evg', 'patched') -> 'attributes', '["displayName"]'::jsonb, 'patched names displayName');
SELECT is(scim.group_get('pgtap05', :'evg') -> 'meta' ->> 'version', 'W/"3"', 'while the version moved once per request');
SELECT scim.group_replace('pgtap05', :'evg', '{"displayName": "evg3"}') \gset _
SELECT is((pg_temp.actions('pgtap05', :'evg'))[6:7], ARRAY['replaced', 'members_removed'], 'PUT records replaced and the removals');
SELECT is(pg_temp.changes('pgtap05', :'evg', 'members_removed') -> 'count', '2'::jsonb, 'PUT without members removed both');
SELECT scim.group_delete('pgtap05', :'evg') \gset _
SELECT is(pg_temp.changes('pgtap05', :'evg', 'deleted'), '{"displayName": "evg3"}'::jsonb, 'deleted names the group');
SELECT is((SELECT count(*)::int FROM scim.events WHERE tenant_id = 'pgtap05' AND resource_id = :'evg'::uuid
			AND (actor, resource_type) IS DISTINCT FROM (:'actor', 'Group')), 0,
		  'all group events carry the actor and resource type Group');

-- notify off still records events
SELECT scim.tenant_configure('pgtap05_b', '{"notify": false}') \gset _
SELECT scim.user_create('pgtap05_b', '{"userName": "silent"}') ->> 'id' AS silent \gset
SELECT is(pg_temp.actions('pgtap05_b', :'silent'), ARRAY['created'], 'with notify off the event row is still written');

SELECT is((SELECT action FROM scim.events WHERE tenant_id = 'pgtap05' ORDER BY seq DESC LIMIT 1), 'deleted',
		  'the latest event is the group deletion');

-- ------------------------------------------------------------ events_since

SELECT min(seq) AS first_seq, count(*)::int AS n_all FROM scim.events WHERE tenant_id = 'pgtap05' \gset
SELECT is((SELECT count(*)::int FROM scim.events_since('pgtap05', 0, 1000)), :'n_all'::int,
		  'events_since from 0 returns every event of the tenant');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM scim.events_since('pgtap05', 0, 1000)),
		  (SELECT array_agg(seq ORDER BY seq) FROM scim.events WHERE tenant_id = 'pgtap05'), 'in seq order');
SELECT is((SELECT min(seq) FROM scim.events_since('pgtap05', :'first_seq', 1000)), (SELECT min(seq) FROM scim.events
		   WHERE tenant_id = 'pgtap05' AND seq > :'first_seq'), 'events_since starts after the given seq');
SELECT is((SELECT count(*)::int FROM scim.events_since('pgtap05', 0, 3)), 3, 'max limits the batch');
SELECT is((SELECT count(*)::int FROM scim.events_since('pgtap05', 0, 1000) WHERE tenant_id <> 'pgtap05'), 0,
		  'events_since never returns another tenant''s events');

INSERT INTO scim.events (tenant_id, seq, actor, resource_type, resource_id, action, at)
VALUES ('pgtap05', 1, 'test', 'User', '00000000-0000-0000-0000-000000000005', 'created', '1999-12-31T00:00:00Z');
SELECT is(scim.events_prune('2000-01-01T00:00:00Z'), 1::bigint, 'events_prune removes events older than the cut-off');
SELECT is((SELECT count(*)::int FROM scim.events WHERE tenant_id = 'pgtap05'), :'n_all'::int, 'and only those');

SELECT * FROM finish();
ROLLBACK;
