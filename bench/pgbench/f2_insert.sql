-- F2: a single-row INSERT into bench.users_floor (same columns and unique
-- indexes as scim.users), the row user_create would store.
-- Variables: run (-D run=R), n (-D n=0, a per-client counter).
\set n :n + 1
INSERT INTO bench.users_floor (tenant_id, id, user_name, external_id, display_name,
	name_formatted, given_name, family_name, role, attrs, derived)
VALUES ('default', gen_random_uuid(), 'pgb' || :run::text || '-' || :client_id::text || '-' || :n::text || '@example.com',
	'ext-pgb' || :run::text || '-' || :client_id::text || '-' || :n::text, 'Bench User', 'Bench User', 'Bench', 'User',
	'member', '{"emails":[{"value":"x@example.com","type":"work","primary": true}]}',
	'{name.formatted,displayName}');
