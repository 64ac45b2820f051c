-- F3: SELECT a user by its unique key, lower(userName), picked at random
-- through bench.ids (as user_get.sql picks its id).  Variable: nids.
\set r random(1, :nids)
SELECT u.* FROM bench.ids b
JOIN scim.users u ON u.tenant_id = 'default' AND scim._lower(u.user_name) = lower(b.user_name)
WHERE b.n = :r;
