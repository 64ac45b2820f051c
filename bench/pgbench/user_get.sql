-- scim.user_get of a random existing user, picked through bench.ids (as
-- f3_select.sql picks its userName).  Variable: nids.
\set r random(1, :nids)
SELECT scim.user_get('default', b.id::text) FROM bench.ids b WHERE b.n = :r;
