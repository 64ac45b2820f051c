/*
 * src/sql/35_events.sql
 *	  The change feed's consumer API (docs/events.md).
 */

-- API: Public
CREATE FUNCTION scim.events_since(tenant text, after_seq bigint, max int)
RETURNS SETOF scim.events
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT e.*
	  FROM scim.events e
	 WHERE e.tenant_id OPERATOR(pg_catalog.=) tenant
	   AND e.seq OPERATOR(pg_catalog.>) coalesce(after_seq, 0)
	 ORDER BY e.seq
	 LIMIT greatest(coalesce(max, 1000), 0)
$$;
COMMENT ON FUNCTION scim.events_since(text, bigint, int) IS 'The tenant''s events after sequence after_seq, in order, at most max of them';

-- API: Public
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
