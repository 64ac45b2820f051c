-- email_keys.sql: scim._email_keys (src/email_keys.c), the expression of
-- the GIN index users_email_keys, gives exactly the keys of the SQL
-- definition of version 0.1.0 (the reference below), on ordinary emails
-- and on every odd shape a stored document could hold.
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

-- the 0.1.0 definition, as a reference
CREATE FUNCTION pg_temp.email_keys_reference(attrs jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT
RETURN ARRAY(
	SELECT k.key
	FROM jsonb_array_elements(
			CASE WHEN jsonb_typeof(attrs -> 'emails') = 'array'
				 THEN attrs -> 'emails' END) AS e(elem),
		 LATERAL (VALUES
			(lower(e.elem ->> 'value')),
			(lower(e.elem ->> 'type') || ':' || lower(e.elem ->> 'value'))) AS k(key)
	WHERE k.key IS NOT NULL);

SELECT n, scim._email_keys(attrs) AS keys
FROM email_cases ORDER BY n;

-- the same as the reference, element for element, on every case
SELECT count(*) AS cases,
	   count(*) FILTER (WHERE scim._email_keys(attrs) IS DISTINCT FROM pg_temp.email_keys_reference(attrs)) AS differ
FROM email_cases;

-- and on generated documents of 0..5 emails with random shapes
SELECT count(*) AS documents,
	   count(*) FILTER (WHERE scim._email_keys(d) IS DISTINCT FROM pg_temp.email_keys_reference(d)) AS differ
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
SELECT scim._email_keys(NULL) IS NULL AS strict_null;

-- the function as the catalog describes it: C, immutable, leakproof
SELECT l.lanname, p.provolatile, p.proleakproof, p.proisstrict, p.proparallel
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.oid = 'scim._email_keys(jsonb)'::regprocedure;
