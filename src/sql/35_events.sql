/*
 * src/sql/35_events.sql
 *	  The change feed's consumer API (docs/events.md).
 */

-- API: Private
-- The first event sequence number no running transaction can still use:
-- seq is (top-level full transaction id << 20) + the event's number within
-- its transaction (src/resource.c), so every event below the oldest running
-- transaction's id is final.  A transaction's own events count as final
-- to itself when no older transaction is still running.
CREATE FUNCTION scim._event_seq_horizon() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (h.xmin::text::bigint
			OPERATOR(pg_catalog.+) CASE WHEN h.own OPERATOR(pg_catalog.=) h.xmin THEN 1 ELSE 0 END)
		   OPERATOR(pg_catalog.<<) 20
	  FROM (SELECT pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot()) AS xmin,
				   pg_catalog.pg_current_xact_id_if_assigned() AS own) h
$$;

-- API: Public
-- Runs as the extension's owner under row-level security (40_security.sql):
-- like the C entry points it first makes its tenant the scope of the call
-- (scim.tenant, reset when it returns).
CREATE FUNCTION scim.events_since(tenant text, after_seq bigint, max int)
RETURNS SETOF scim.events
LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET scim.tenant = ''
AS $$
BEGIN
	PERFORM pg_catalog.set_config('scim.tenant', coalesce(tenant, ''), true);
	RETURN QUERY
		SELECT e.*
		  FROM scim.events e
		 WHERE e.tenant_id OPERATOR(pg_catalog.=) tenant
		   AND e.seq OPERATOR(pg_catalog.>) coalesce(after_seq, 0)
		   -- only events of transactions older than every running one: none
		   -- of those can still commit an event with a smaller seq
		   AND e.seq OPERATOR(pg_catalog.<) scim._event_seq_horizon()
		 ORDER BY e.seq
		 LIMIT greatest(coalesce(max, 1000), 0);
END
$$;
COMMENT ON FUNCTION scim.events_since(text, bigint, int) IS 'The tenant''s events after sequence after_seq, in order, at most max of them';

-- API: Public (operators)
-- Deletes across tenants, so it runs as its caller (SECURITY INVOKER): a
-- superuser, or a role that bypasses row-level security.
CREATE FUNCTION scim.events_prune(before timestamptz)
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH gone AS (
		DELETE FROM scim.events e WHERE e.at OPERATOR(pg_catalog.<) before RETURNING 1
	)
	SELECT count(*) FROM gone
$$;
COMMENT ON FUNCTION scim.events_prune(timestamptz) IS 'Delete events older than before; returns how many were removed';

-- API: Private
-- The key of the tenants' NOTIFY channel names (src/resource.c,
-- event_channel): HMAC-SHA-256(key, tenant), so that the channel names no
-- tenant.  One row, made here from 244 random bits (gen_random_uuid uses
-- the server's strong random source); only the extension's owner reads it
-- (src/sql/40_security.sql revokes everything from PUBLIC).  A restore into
-- a new database makes a new key: consumers ask scim.events_channel when
-- they start.
CREATE TABLE scim.notify_key (
	key bytea NOT NULL
);
INSERT INTO scim.notify_key (key)
SELECT pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::text
				|| pg_catalog.gen_random_uuid()::text, '-', ''), 'hex');
COMMENT ON TABLE scim.notify_key IS 'The secret that derives each tenant''s NOTIFY channel name (scim.events_channel)';

-- API: Public
-- The channel to LISTEN on for a tenant's events ("scim_events_" and 32 hex
-- digits); the payload of each notification is {"seq": <seq>}.
CREATE FUNCTION scim.events_channel(tenant text)
RETURNS text
AS 'MODULE_PATHNAME', 'scim_events_channel'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION scim.events_channel(text) IS 'The NOTIFY channel of the tenant''s events (the payload is {"seq": <seq>})';
