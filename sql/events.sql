--
-- The change feed: scim.events_since and scim.events_prune.
--
SELECT scim.tenant_create('feed');
SELECT scim.tenant_create('other');
SELECT (scim.user_create('feed', '{"userName": "ann@feed.test"}')) IS NOT NULL AS created;
SELECT (scim.user_create('other', '{"userName": "ann@other.test"}')) IS NOT NULL AS created;
SELECT id AS ann FROM scim.users WHERE tenant_id = 'feed' \gset
SELECT (scim.user_patch('feed', :'ann', '{"Operations": [{"op": "replace", "path": "active", "value": false}]}')) IS NOT NULL AS patched;
SELECT (scim.user_patch('feed', :'ann', '{"Operations": [{"op": "replace", "path": "role", "value": "owner"}]}')) IS NOT NULL AS patched;

-- every event of the tenant, in order, and only that tenant's
SELECT action, resource_type, resource_id = :'ann' AS ann, changes
  FROM scim.events_since('feed', 0, 100);
-- a consumer remembers the last sequence it handled and asks for what came after
SELECT min(seq) AS first_seq FROM scim.events WHERE tenant_id = 'feed' \gset
SELECT action FROM scim.events_since('feed', :first_seq, 2);
SELECT count(*) FROM scim.events_since('feed', :first_seq, 0);
SELECT count(*) FROM scim.events_since('feed', NULL, NULL);
SELECT count(*) FROM scim.events_since('nobody', 0, 10);

-- pruning removes only old events
UPDATE scim.events SET at = at - interval '40 days' WHERE tenant_id = 'other';
SELECT scim.events_prune(now() - interval '30 days') AS pruned;
SELECT tenant_id, count(*) FROM scim.events WHERE tenant_id IN ('feed', 'other') GROUP BY tenant_id ORDER BY tenant_id;
SELECT scim.events_prune(now() - interval '30 days') AS pruned_again;
