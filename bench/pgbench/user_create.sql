-- scim.user_create with the body bench/wrk/post_user.lua sends over HTTP.
-- Variables: run (-D run=R), n (-D n=0, a per-client counter).
\set n :n + 1
SELECT scim.user_create('default', ('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pgu' || :run || '-' || :client_id || '-' || :n || '@example.com","externalId":"ext-pgu' || :run || '-' || :client_id || '-' || :n || '","name":{"givenName":"Bench","familyName":"User"},"emails":[{"value":"pgu' || :run || '-' || :client_id || '-' || :n || '@example.com","type":"work","primary":true}],"active":true}')::jsonb);
