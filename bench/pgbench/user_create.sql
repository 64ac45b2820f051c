-- scim.user_create with the body bench/wrk/post_user.lua sends over HTTP.
-- Variables: run (-D run=R), n (-D n=0, a per-client counter) and
-- urn (-D urn=urn:ietf:params:scim:schemas:core:2.0:User: pgbench would
-- take the ":ietf" of a literal URN for a variable).
\set n :n + 1
SELECT scim.user_create('default', ('{"schemas":["' || :urn || '"],"userName":"pgu' || :run::text || '-' || :client_id::text || '-' || :n::text || '@example.com","externalId":"ext-pgu' || :run::text || '-' || :client_id::text || '-' || :n::text || '","name":{"givenName":"Bench","familyName":"User"},"emails":[{"value":"pgu' || :run::text || '-' || :client_id::text || '-' || :n::text || '@example.com","type":"work","primary": true}],"active": true}')::jsonb);
