/*
 * src/sql/10_tables.sql
 *	  The data model.  Every table is keyed by tenant first, so that the
 *	  schema can be distributed by tenant_id (see docs/scaling.md).
 */

-- API: Private
CREATE TABLE scim.tenants (
	tenant_id	text PRIMARY KEY CHECK (tenant_id <> '' AND length(tenant_id) <= 200),
	settings	jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
	created		timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE scim.tenants IS 'Organizations; settings holds the per-tenant rules (docs/sql-api.md)';

-- API: Private
CREATE TABLE scim.tokens (
	tenant_id	text NOT NULL REFERENCES scim.tenants ON DELETE CASCADE,
	label		text NOT NULL,
	token_hash	bytea NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	last_used	timestamptz,
	expires		timestamptz,
	PRIMARY KEY (tenant_id, label)
);
-- the bearer token is all a request carries, so the digest is the lookup key
CREATE UNIQUE INDEX tokens_token_hash ON scim.tokens (token_hash);
COMMENT ON TABLE scim.tokens IS 'Bearer tokens, stored only as SHA-256 digests';

-- API: Public (read by applications)
CREATE TABLE scim.users (
	tenant_id		text NOT NULL REFERENCES scim.tenants ON DELETE CASCADE,
	id				uuid NOT NULL,
	user_name		text NOT NULL CHECK (user_name <> ''),
	external_id		text,
	active			boolean NOT NULL DEFAULT true,
	display_name	text,
	name_formatted	text,
	given_name		text,
	family_name		text,
	middle_name		text,
	honorific_prefix text,
	honorific_suffix text,
	role			text,
	attrs			jsonb NOT NULL DEFAULT '{}',
	derived			text[] NOT NULL DEFAULT '{}',
	password_hash	text,
	created			timestamptz NOT NULL DEFAULT now(),
	last_modified	timestamptz NOT NULL DEFAULT now(),
	version			bigint NOT NULL DEFAULT 1,
	PRIMARY KEY (tenant_id, id)
);
-- scim._lower is lower() marked LEAKPROOF: row-level security keeps these
-- indexes usable (src/sql/05_leakproof.sql)
CREATE UNIQUE INDEX users_user_name ON scim.users (tenant_id, scim._lower(user_name));
CREATE INDEX users_user_name_prefix ON scim.users (tenant_id, scim._lower(user_name) text_pattern_ops);
CREATE INDEX users_external_id ON scim.users (tenant_id, external_id);
CREATE INDEX users_display_name ON scim.users (tenant_id, scim._lower(display_name));
CREATE INDEX users_last_modified ON scim.users (tenant_id, last_modified);
CREATE INDEX users_created ON scim.users (tenant_id, created);
COMMENT ON COLUMN scim.users.derived IS 'Attributes the server filled in because the client did not send them (displayName, name.formatted, name.givenName, name.familyName)';
COMMENT ON TABLE scim.users IS 'SCIM Users: the attributes applications need as columns, the rest of the SCIM document in attrs';

-- API: Public (read by applications)
CREATE TABLE scim.groups (
	tenant_id		text NOT NULL REFERENCES scim.tenants ON DELETE CASCADE,
	id				uuid NOT NULL,
	display_name	text NOT NULL CHECK (display_name <> ''),
	external_id		text,
	attrs			jsonb NOT NULL DEFAULT '{}',
	managed_by		text NOT NULL DEFAULT 'scim'
					CHECK (managed_by IN ('scim', 'app', 'system')),
	created			timestamptz NOT NULL DEFAULT now(),
	last_modified	timestamptz NOT NULL DEFAULT now(),
	version			bigint NOT NULL DEFAULT 1,
	PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX groups_display_name ON scim.groups (tenant_id, scim._lower(display_name));
CREATE INDEX groups_display_name_prefix ON scim.groups (tenant_id, scim._lower(display_name) text_pattern_ops);
CREATE INDEX groups_external_id ON scim.groups (tenant_id, external_id);
CREATE INDEX groups_last_modified ON scim.groups (tenant_id, last_modified);
COMMENT ON TABLE scim.groups IS 'SCIM Groups; managed_by marks groups the application made (app) or owns outright (system, read-only to SCIM)';
COMMENT ON COLUMN scim.groups.managed_by IS 'scim: created through SCIM; app: created by the application; system: read-only to SCIM';

-- API: Public (read by applications)
CREATE TABLE scim.members (
	tenant_id	text NOT NULL,
	group_id	uuid NOT NULL,
	member_id	uuid NOT NULL,
	member_type	text NOT NULL CHECK (member_type IN ('User', 'Group')),
	source		text NOT NULL DEFAULT 'scim' CHECK (source IN ('scim', 'app')),
	added		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, group_id, member_id),
	FOREIGN KEY (tenant_id, group_id) REFERENCES scim.groups ON DELETE CASCADE
);
CREATE INDEX members_member ON scim.members (tenant_id, member_id);
COMMENT ON TABLE scim.members IS 'Group membership, one row per direct member; subgroup links with source = app are invisible to SCIM';

-- API: Public (read by applications)
CREATE TABLE scim.events (
	tenant_id		text NOT NULL,
	seq				bigint NOT NULL,	-- (transaction id << 20) + n: see ScimEventAppend
	at				timestamptz NOT NULL DEFAULT now(),
	actor			text NOT NULL,
	resource_type	text NOT NULL,
	resource_id		uuid NOT NULL,
	action			text NOT NULL,
	changes			jsonb NOT NULL DEFAULT '{}',
	PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX events_at ON scim.events (at);
COMMENT ON TABLE scim.events IS 'Change feed and audit trail: one row per change, announced with NOTIFY on the tenant''s channel (scim.events_channel)';

SELECT pg_catalog.pg_extension_config_dump('scim.tenants', '');
SELECT pg_catalog.pg_extension_config_dump('scim.tokens', '');
SELECT pg_catalog.pg_extension_config_dump('scim.users', '');
SELECT pg_catalog.pg_extension_config_dump('scim.groups', '');
SELECT pg_catalog.pg_extension_config_dump('scim.members', '');
SELECT pg_catalog.pg_extension_config_dump('scim.events', '');
