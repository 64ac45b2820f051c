-- email_keys.sql: scim._email_keys(tenant_id, attrs) (src/email_keys.c),
-- the expression of the GIN index users_email_keys, gives exactly the keys
-- of the SQL definition of version 0.1.0 (the reference below), each led by
-- the tenant as "<bytes of tenant_id>:<tenant_id>:", on ordinary emails and
-- on every odd shape a stored document could hold; scim._email_key gives
-- the same key for one email; the keys of two tenants never meet.
\set VERBOSITY terse
SET client_min_messages = warning;

CREATE TEMP TABLE email_cases (n int, attrs jsonb);
INSERT INTO email_cases VALUES
	(1, '{"emails": [{"value": "Ann@Example.com", "type": "work", "primary": true}]}'),
	(2, '{"emails": [{"value": "a@x.org", "type": "Work"}, {"value": "B@X.org", "type": "HOME"}]}'),
	(3, '{"emails": [{"value": "no-type@x.org"}]}'),
	(4, '{"emails": [{"type": "work"}]}'),
	(5, '{"emails": [{"value": null, "type": "work"}, {"value": "v@x", "type": null}]}'),
	(6, '{"emails": [{"value": 42, "type": true}, {"value": false}, {"value": 1.50e3}]}'),
	(7, '{"emails": [{"value": {"A": 1}, "type": ["X"]}]}'),
	(8, '{"emails": ["plain@x.org", 7, null, [], {}]}'),
	(9, '{"emails": {"value": "not-an-array@x.org"}}'),
	(10, '{"emails": "a@b"}'),
	(11, '{"emails": []}'),
	(12, '{}'),
	(13, '[{"emails": [{"value": "root-is-array@x"}]}]'),
	(14, '"scalar"'),
	(15, '{"emails": [{"value": "", "type": ""}, {"value": "ÄÖÜ@Straße.de", "type": "Wörk"}]}'),
	(16, '{"emails": [{"value": "a:b@x", "type": "c:d"}], "other": 1}'),
	(17, '{"Emails": [{"value": "case-of-key@x"}]}');

-- the 0.1.0 definition, each key led by the tenant, as a reference
CREATE FUNCTION pg_temp.email_keys_reference(tenant_id text, attrs jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT
RETURN ARRAY(
	SELECT octet_length(tenant_id) || ':' || tenant_id || ':' || k.key
	FROM jsonb_array_elements(
			CASE WHEN jsonb_typeof(attrs -> 'emails') = 'array'
				 THEN attrs -> 'emails' END) AS e(elem),
		 LATERAL (VALUES
			(lower(e.elem ->> 'value')),
			(lower(e.elem ->> 'type') || ':' || lower(e.elem ->> 'value'))) AS k(key)
	WHERE k.key IS NOT NULL);

SELECT n, scim._email_keys('acme', attrs) AS keys
FROM email_cases ORDER BY n;

-- the same as the reference, element for element, on every case, for
-- tenants of every shape: a ':' or a digit inside, multibyte characters
-- (the length counts bytes), the longest a tenant may be (200)
CREATE TEMP TABLE tenant_cases (tenant_id text);
INSERT INTO tenant_cases VALUES ('acme'), ('a:b'), ('12:x'), ('Zoë'), ('日本'), (repeat('t', 200));
SELECT count(*) AS cases,
	   count(*) FILTER (WHERE scim._email_keys(t.tenant_id, attrs) IS DISTINCT FROM pg_temp.email_keys_reference(t.tenant_id, attrs)) AS differ
FROM email_cases, tenant_cases t;
SELECT tenant_id, scim._email_keys(tenant_id, '{"emails": [{"value": "A@x", "type": "Work"}]}') AS keys
FROM tenant_cases WHERE length(tenant_id) < 200 ORDER BY tenant_id COLLATE "C";

-- scim._email_key, which the filters look up, gives the very keys of
-- scim._email_keys: lower(value) and lower(type) || ':' || lower(value)
SELECT count(*) AS keys,
	   count(*) FILTER (WHERE NOT scim._email_keys(t.tenant_id, c.attrs) OPERATOR(scim.@>>)
			ARRAY[scim._email_key(t.tenant_id, lower(e.elem ->> 'value'))]) AS value_missing,
	   count(*) FILTER (WHERE e.elem ->> 'type' IS NOT NULL AND NOT scim._email_keys(t.tenant_id, c.attrs) OPERATOR(scim.@>>)
			ARRAY[scim._email_key(t.tenant_id, lower(e.elem ->> 'type') || ':' || lower(e.elem ->> 'value'))]) AS type_missing
FROM email_cases c, tenant_cases t,
	 jsonb_array_elements(CASE WHEN jsonb_typeof(c.attrs -> 'emails') = 'array' THEN c.attrs -> 'emails' END) AS e(elem)
WHERE jsonb_typeof(e.elem) = 'object' AND e.elem ->> 'value' IS NOT NULL;

-- led by the tenant: the same emails give every two tenants disjoint keys,
-- even where the tenant and the email could be cut elsewhere
-- ('a' with 'b:c@x' and 'a:b' with 'c@x')
SELECT count(*) AS pairs,
	   count(*) FILTER (WHERE scim._email_keys(t1.tenant_id, c.attrs) && scim._email_keys(t2.tenant_id, c.attrs)) AS shared
FROM email_cases c, tenant_cases t1, tenant_cases t2
WHERE t1.tenant_id < t2.tenant_id;
SELECT scim._email_key('a', 'b:c@x') AS key_a, scim._email_key('a:b', 'c@x') AS key_ab,
	   scim._email_key('a', 'b:c@x') = scim._email_key('a:b', 'c@x') AS same;

-- and on generated documents of 0..5 emails with random shapes
SELECT count(*) AS documents,
	   count(*) FILTER (WHERE scim._email_keys('t-' || length(d::text), d)
							IS DISTINCT FROM pg_temp.email_keys_reference('t-' || length(d::text), d)) AS differ
FROM (
	SELECT jsonb_build_object('emails', coalesce(jsonb_agg(
			CASE (i + j) % 4
				WHEN 0 THEN jsonb_build_object('value', 'U' || i || '.' || j || '@Example.COM', 'type', 'Work')
				WHEN 1 THEN jsonb_build_object('value', 'u' || i || '@x')
				WHEN 2 THEN jsonb_build_object('type', 'home', 'value', j)
				ELSE jsonb_build_object('value', NULL::text, 'type', 'other')
			END), '[]')) AS d
	FROM generate_series(1, 500) AS i
	LEFT JOIN generate_series(1, 5) AS j ON j <= i % 6
	GROUP BY i) AS docs;

-- NULL in, NULL out (STRICT)
SELECT scim._email_keys(NULL, '{}') IS NULL AS strict_null_tenant,
	   scim._email_keys('acme', NULL) IS NULL AS strict_null_attrs,
	   scim._email_key(NULL, 'a@x') IS NULL AS strict_null_key_tenant,
	   scim._email_key('acme', NULL) IS NULL AS strict_null_key;

-- the functions as the catalog describes them: C, immutable, leakproof
SELECT p.oid::regprocedure AS function, l.lanname, p.provolatile, p.proleakproof, p.proisstrict, p.proparallel
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'scim'::regnamespace AND p.proname IN ('_email_keys', '_email_key')
ORDER BY 1::text;

-- the index is led by the tenant: its expression is
-- scim._email_keys(tenant_id, attrs)
SELECT pg_get_indexdef('scim.users_email_keys'::regclass) AS users_email_keys;

