/*
 * src/sql/40_security.sql
 *	  Least privilege and row-level security (docs/security.md).
 *
 *	  - Every object of the extension belongs to scim_owner, a NOLOGIN role
 *	    that is neither a superuser nor allowed to bypass row-level
 *	    security.  The entry points (scim_api.handle and the C functions of
 *	    the SQL API) are SECURITY DEFINER: they run as scim_owner, with a
 *	    pinned search_path (every name the C code uses is schema-qualified).
 *	  - Every table with a tenant_id has row-level security, FORCEd so that
 *	    it binds scim_owner too: a row is visible and writable only while
 *	    its tenant_id is the setting scim.tenant.  The C code sets it to
 *	    the tenant each call resolved (src/tenant.c, ScimTenantScope), and
 *	    every entry point resets it when it returns (SET scim.tenant = '').
 *	    This is a second wall behind the C code's own WHERE tenant_id = $1:
 *	    a statement that forgot it still sees one tenant only.
 *	  - Before a request's tenant is known, scim_api.handle looks its token
 *	    up by digest: scim.tokens also shows scim_owner the one row whose
 *	    digest is in scim.token_digest (set only during that lookup).
 *	  - EXECUTE is revoked from PUBLIC on every function: http/roles.sql
 *	    grants what scim_anon (PostgREST), scim_app (applications) and
 *	    scim_admin (tenants and tokens) may use.
 *
 *	  Superusers bypass row-level security whatever FORCE says, which is why
 *	  nothing may run as the (superuser) role that ran CREATE EXTENSION.
 */

-- API: Private
-- The owner role.  Roles are cluster-wide and normally made by operator
-- scripts (http/roles.sql), but CREATE EXTENSION must work on a bare
-- cluster (pg_regress): so the script makes scim_owner when it is missing,
-- and pins its attributes when it exists.  DROP EXTENSION leaves the role;
-- drop it by hand once no database uses the extension.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'scim_owner') THEN
		CREATE ROLE scim_owner NOLOGIN;
	END IF;
END
$$;
ALTER ROLE scim_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;
COMMENT ON ROLE scim_owner IS 'Owns the objects of the scim extension; its entry points run as it, under row-level security';

GRANT USAGE ON SCHEMA scim TO scim_owner;

-- pgcrypto (crypt, gen_salt for passwords) is looked up at run time
-- (src/user.c): scim_owner must reach its schema.
DO $$
DECLARE
	s name;
BEGIN
	SELECT n.nspname INTO s
	  FROM pg_catalog.pg_extension e
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
	 WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto';
	IF s IS NOT NULL AND NOT pg_catalog.has_schema_privilege('scim_owner', s, 'USAGE') THEN
		EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO scim_owner', s);
	END IF;
END
$$;

-- API: Private
-- Hand every table, sequence and function of the two schemas to scim_owner,
-- revoke EXECUTE from PUBLIC, and make the entry points SECURITY DEFINER:
-- scim_api.handle and every C function of schema scim whose name does not
-- start with "_" (the SQL API, bulk included).  Private helpers (_*) stay
-- SECURITY INVOKER: only the owner and superusers may run them.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT c.oid::pg_catalog.regclass AS rel, c.relkind
		  FROM pg_catalog.pg_class c
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		 WHERE n.nspname OPERATOR(pg_catalog.=) ANY (ARRAY['scim', 'scim_api'])
		   AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'f'])
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO scim_owner', r.rel);
		EXECUTE pg_catalog.format('REVOKE ALL ON TABLE %s FROM PUBLIC', r.rel);
	END LOOP;

	-- sequences that belong to no column (those follow their table)
	FOR r IN
		SELECT c.oid::pg_catalog.regclass AS rel
		  FROM pg_catalog.pg_class c
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		 WHERE n.nspname OPERATOR(pg_catalog.=) ANY (ARRAY['scim', 'scim_api'])
		   AND c.relkind OPERATOR(pg_catalog.=) 'S'
		   AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
							WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
							  AND d.objid OPERATOR(pg_catalog.=) c.oid
							  AND d.deptype OPERATOR(pg_catalog.=) ANY (ARRAY['a'::"char", 'i'::"char"]))
	LOOP
		EXECUTE pg_catalog.format('ALTER SEQUENCE %s OWNER TO scim_owner', r.rel);
		EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM PUBLIC', r.rel);
	END LOOP;

	FOR r IN
		SELECT p.oid::pg_catalog.regprocedure AS fn, p.prokind,
			   (n.nspname OPERATOR(pg_catalog.=) 'scim_api'
				OR (l.lanname OPERATOR(pg_catalog.=) 'c'
					AND pg_catalog.left(p.proname, 1) OPERATOR(pg_catalog.<>) '_')) AS entry
		  FROM pg_catalog.pg_proc p
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
		  JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
		 WHERE n.nspname OPERATOR(pg_catalog.=) ANY (ARRAY['scim', 'scim_api'])
	LOOP
		EXECUTE pg_catalog.format('ALTER ROUTINE %s OWNER TO scim_owner', r.fn);
		EXECUTE pg_catalog.format('REVOKE ALL ON ROUTINE %s FROM PUBLIC', r.fn);
		IF r.entry THEN
			EXECUTE pg_catalog.format(
				'ALTER ROUTINE %s SECURITY DEFINER SET search_path = pg_catalog, pg_temp '
				'SET scim.tenant = %L SET scim.token_digest = %L', r.fn, '', '');
		END IF;
	END LOOP;
END
$$;

-- API: Private
-- Row-level security on every table that has a tenant_id: forced (it binds
-- the owner, scim_owner, too), one policy for every command and role.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT c.oid::pg_catalog.regclass AS rel
		  FROM pg_catalog.pg_class c
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
		 WHERE n.nspname OPERATOR(pg_catalog.=) 'scim'
		   AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p'])
		   AND a.attname OPERATOR(pg_catalog.=) 'tenant_id' AND NOT a.attisdropped
	LOOP
		EXECUTE pg_catalog.format(
			'ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', r.rel);
		EXECUTE pg_catalog.format(
			'CREATE POLICY tenant_isolation ON %s '
			'USING (tenant_id OPERATOR(pg_catalog.=) pg_catalog.current_setting(''scim.tenant'', true)) '
			'WITH CHECK (tenant_id OPERATOR(pg_catalog.=) pg_catalog.current_setting(''scim.tenant'', true))',
			r.rel);
		EXECUTE pg_catalog.format(
			'COMMENT ON POLICY tenant_isolation ON %s IS %L', r.rel,
			'Rows of the tenant in scim.tenant only: the tenant the current call resolved');
	END LOOP;
END
$$;

-- The token lookup of scim_api.handle, before the tenant is known: the one
-- row whose SHA-256 the request presented.  Knowing a digest is no
-- privilege: only the clear token (which is never stored) gives it.
CREATE POLICY token_lookup ON scim.tokens FOR SELECT TO scim_owner
USING (token_hash OPERATOR(pg_catalog.=)
	   pg_catalog.decode(pg_catalog.current_setting('scim.token_digest', true), 'hex'));
COMMENT ON POLICY token_lookup ON scim.tokens IS 'scim_api.handle authenticating a request: the row of the digest in scim.token_digest';
