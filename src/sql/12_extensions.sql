/*
 * src/sql/12_extensions.sql
 *	  Tenant-defined extension schemas for Users (custom attributes).
 */

-- API: Private
CREATE TABLE scim.schema_extensions (
	tenant_id	text NOT NULL REFERENCES scim.tenants ON DELETE CASCADE,
	urn			text NOT NULL,
	name		text NOT NULL,
	attributes	jsonb NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, urn)
);
COMMENT ON TABLE scim.schema_extensions IS 'Extension schemas a tenant registered for its Users, with their attributes as /Schemas lists them';
SELECT pg_catalog.pg_extension_config_dump('scim.schema_extensions', '');

-- API: Public
CREATE FUNCTION scim.schema_extension_add(tenant text, urn text, attributes jsonb)
RETURNS void AS 'MODULE_PATHNAME', 'scim_schema_extension_add'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION scim.schema_extension_add(text, text, jsonb) IS 'Register an extension schema of typed custom attributes for a tenant''s Users';
