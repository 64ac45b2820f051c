-- test/http/echo.sql - the noop stand-in plus an echoing scim_api.handle, to
-- check what nginx and PostgREST deliver (see the comment at the top of
-- http/nginx.conf.in):
--
--   SCIM_STACK_SQL_INIT=test/http/echo.sql scripts/stack.sh start --dir .run/echo
--
-- handle() answers with the request it received:
--   {"headers": request.headers, "length": N, "sha256": "...", "hex": "<first 64 bytes>"}
-- and obeys query parameters in x-scim-uri, to exercise the response GUCs:
--   _status=NNN   set response.status
--   _scim=1       response.headers: Content-Type application/scim+json,
--                 Location http://example.test/x, ETag W/"7"
--   _null=1       return NULL
--   _raise=1      RAISE an error (what PostgREST does with an escaped error)

\ir noop.sql

CREATE OR REPLACE FUNCTION scim_api.handle(bytea)
RETURNS json LANGUAGE plpgsql
AS $$
DECLARE
	h json := current_setting('request.headers', true)::json;
	uri text := coalesce(h->>'x-scim-uri', '');
	st text := substring(uri from '[?&]_status=([0-9]{3})');
BEGIN
	IF st IS NOT NULL THEN
		PERFORM set_config('response.status', st, true);
	END IF;
	IF uri ~ '[?&]_scim=1' THEN
		PERFORM set_config('response.headers',
			'[{"Content-Type": "application/scim+json"},'
			' {"Location": "http://example.test/x"}, {"ETag": "W/\"7\""}]', true);
	END IF;
	IF uri ~ '[?&]_raise=1' THEN
		RAISE EXCEPTION 'echo: raised on request' USING DETAIL = 'secret detail';
	END IF;
	IF uri ~ '[?&]_null=1' THEN
		RETURN NULL;
	END IF;
	RETURN json_build_object(
		'headers', h,
		'isnull', $1 IS NULL,
		'length', length($1),
		'sha256', encode(sha256(coalesce($1, '')), 'hex'),
		'hex', encode(substring($1 from 1 for 64), 'hex'),
		'role', current_user,
		'method', current_setting('request.method', true),
		'path', current_setting('request.path', true));
END
$$;
