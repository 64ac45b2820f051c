/*-------------------------------------------------------------------------
 *
 * tenant.c
 *	  Tenants and their settings.
 *
 * A tenant is an organization (a Zulip realm).  Its settings are a jsonb
 * object holding only what was set explicitly; ScimTenantLoad() fills in
 * the defaults, which follow RFC 7643/7644 and what Okta and Entra need.
 * The preset "zulip" switches every Zulip-compatible choice at once.
 *
 * src/tenant.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "error.h"
#include "extension.h"
#include "json.h"
#include "json_out.h"
#include "spi_util.h"
#include "tenant.h"
#include "tenant_cache.h"

/*
 * The size limits of the current operation's tenant (see ScimRequestLimits
 * in tenant.h), set by ScimTenantLoad; the defaults until a tenant is loaded.
 */
ScimRequestLimits scim_limits = {1000, 1048576};

PG_FUNCTION_INFO_V1(scim_tenant_create);
PG_FUNCTION_INFO_V1(scim_tenant_configure);
PG_FUNCTION_INFO_V1(scim_schema_extension_add);

typedef enum SettingKind
{
	SET_BOOL,
	SET_INT,
	SET_ENUM,
	SET_STRING,
	SET_STRING_ARRAY
} SettingKind;

typedef struct SettingDef
{
	const char *name;
	SettingKind kind;
	const char *defval;			/* JSON text of the default */
	const char *zulip;			/* JSON text under the zulip preset, or NULL */
	const char *const *choices; /* SET_ENUM */
	int			min;			/* SET_INT */
	int			max;
} SettingDef;

static const char *const user_delete_choices[] = {"delete", "deactivate", "reject", NULL};
static const char *const group_delete_choices[] = {"delete", "reject", NULL};
static const char *const put_mode_choices[] = {"replace", "merge", NULL};
static const char *const preset_choices[] = {"none", "zulip", NULL};

/* every tenant setting, its default and its Zulip-preset value */
static const SettingDef settings_table[] = {
	{"preset", SET_ENUM, "\"none\"", NULL, preset_choices},
	{"roles", SET_STRING_ARRAY, "[\"owner\",\"administrator\",\"moderator\",\"member\",\"guest\"]", NULL},
	{"default_role", SET_STRING, "\"member\"", NULL},
	{"protect_last_owner", SET_BOOL, "true", NULL},
	{"user_delete", SET_ENUM, "\"delete\"", "\"reject\"", user_delete_choices},
	{"group_delete", SET_ENUM, "\"delete\"", NULL, group_delete_choices},
	{"list_deactivated_members", SET_BOOL, "false", "false"},
	{"scim_may_modify_app_groups", SET_BOOL, "true", NULL},
	{"put_mode", SET_ENUM, "\"replace\"", "\"merge\"", put_mode_choices},
	{"max_results", SET_INT, "200", NULL, NULL, 1, 10000},
	{"bulk_max_operations", SET_INT, "1000", NULL, NULL, 1, 100000},
	{"max_payload_bytes", SET_INT, "1048576", NULL, NULL, 1024, 10485760},
	{"max_multi_values", SET_INT, "1000", NULL, NULL, 1, 100000},
	{"username_is_email", SET_BOOL, "false", "true"},
	{"require_name", SET_BOOL, "false", "true"},
	{"allow_create_inactive", SET_BOOL, "true", "false"},
	{"reserved_group_prefixes", SET_STRING_ARRAY, "[]", "[\"@\",\"role:\",\"user:\",\"stream:\",\"channel:\"]"},
	{"max_group_name_length", SET_INT, "0", "100", NULL, 0, 10000}, /* 0: no limit */
	{"notify", SET_BOOL, "true", NULL},
};

/* forward declarations */
static ScimJson *json_const(const char *text);
static const SettingDef *find_setting(const char *name);
static void check_setting(const SettingDef *def, const ScimJson *v);
static ScimJson *effective_settings(const ScimJson *stored);
static ScimJson *merge_settings(const ScimJson *stored, const ScimJson *changes);
static void check_settings_consistent(const ScimJson *eff);

/* parse a constant JSON text of the settings table */
static ScimJson *
json_const(const char *text)
{
	ScimJsonError err;
	ScimJson   *v = ScimJsonParse(text, strlen(text), &err);

	if (v == NULL)
		elog(ERROR, "bad built-in setting: %s", text);
	return v;
}

/* the definition of setting name, or NULL */
static const SettingDef *
find_setting(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(settings_table); i++)
		if (strcmp(settings_table[i].name, name) == 0)
			return &settings_table[i];
	return NULL;
}

/*
 * ScimTenantDefaultInt
 *		The default of integer setting name, what a tenant that never set it
 *		has (discovery answers with it when there is no tenant).
 */
int
ScimTenantDefaultInt(const char *name)
{
	const SettingDef *def = find_setting(name);

	if (def == NULL || def->kind != SET_INT)
		elog(ERROR, "\"%s\" is not an integer setting", name);
	return atoi(def->defval);
}

/* raise invalidValue unless v is a valid value for def */
static void
check_setting(const SettingDef *def, const ScimJson *v)
{
	int			i;

	switch (def->kind)
	{
		case SET_BOOL:
			if (v->type != SJ_BOOL)
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "setting \"%s\" must be a boolean", def->name);
			break;
		case SET_INT:
			{
				char	   *end;
				long		n;

				if (v->type != SJ_NUMBER)
					ScimError(SCIM_ERR_INVALID_VALUE,
							  "setting \"%s\" must be an integer", def->name);
				n = strtol(v->str, &end, 10);
				if (*end != '\0' || n < def->min || n > def->max)
					ScimError(SCIM_ERR_INVALID_VALUE,
							  "setting \"%s\" must be an integer between %d and %d",
							  def->name, def->min, def->max);
				break;
			}
		case SET_ENUM:
			if (v->type == SJ_STRING)
				for (i = 0; def->choices[i]; i++)
					if (strcmp(def->choices[i], v->str) == 0)
						return;
			{
				StringInfoData buf;

				initStringInfo(&buf);
				for (i = 0; def->choices[i]; i++)
					appendStringInfo(&buf, "%s\"%s\"", i ? ", " : "", def->choices[i]);
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "setting \"%s\" must be one of %s", def->name, buf.data);
			}
			break;
		case SET_STRING:
			if (v->type != SJ_STRING || v->len == 0)
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "setting \"%s\" must be a non-empty string", def->name);
			break;
		case SET_STRING_ARRAY:
			if (v->type != SJ_ARRAY)
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "setting \"%s\" must be an array of strings", def->name);
			for (i = 0; i < v->count; i++)
				if (v->items[i]->type != SJ_STRING || v->items[i]->len == 0)
					ScimError(SCIM_ERR_INVALID_VALUE,
							  "setting \"%s\" must be an array of non-empty strings",
							  def->name);
			break;
	}
}

/*
 * Every setting's value: what was stored, else the preset's choice, else
 * the default.
 */
static ScimJson *
effective_settings(const ScimJson *stored)
{
	ScimJson   *eff = ScimJsonNew(SJ_OBJECT);
	const char *preset = ScimJsonGetString(stored, "preset");
	bool		zulip = preset && strcmp(preset, "zulip") == 0;
	int			i;

	for (i = 0; i < lengthof(settings_table); i++)
	{
		const SettingDef *def = &settings_table[i];
		ScimJson   *v = NULL;
		int			k;

		/* exact-case lookup: settings are snake_case identifiers */
		for (k = 0; stored && k < stored->count; k++)
			if (strcmp(stored->keys[k], def->name) == 0)
				v = stored->items[k];
		if (v == NULL)
			v = json_const(zulip && def->zulip ? def->zulip : def->defval);
		ScimJsonSet(eff, def->name, ScimJsonCopy(v));
	}
	return eff;
}

/* stored settings with changes merged in, each change validated */
static ScimJson *
merge_settings(const ScimJson *stored, const ScimJson *changes)
{
	ScimJson   *merged = stored ? ScimJsonCopy(stored) : ScimJsonNew(SJ_OBJECT);
	int			i;

	if (changes->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_VALUE, "settings must be a JSON object");
	for (i = 0; i < changes->count; i++)
	{
		const SettingDef *def = find_setting(changes->keys[i]);
		ScimJson   *v = changes->items[i];

		if (def == NULL)
			ScimError(SCIM_ERR_INVALID_VALUE, "unknown setting \"%s\"",
					  changes->keys[i]);
		if (v->type == SJ_NULL)
		{
			/* null resets a setting to its default */
			ScimJsonRemove(merged, def->name);
			continue;
		}
		check_setting(def, v);
		ScimJsonRemove(merged, def->name);
		ScimJsonSet(merged, def->name, ScimJsonCopy(v));
	}
	return merged;
}

/* settings that depend on each other */
static void
check_settings_consistent(const ScimJson *eff)
{
	ScimJson   *roles = ScimJsonGet(eff, "roles");
	const char *def = ScimJsonGetString(eff, "default_role");
	int			i;

	for (i = 0; i < roles->count; i++)
		if (strcmp(roles->items[i]->str, def) == 0)
			return;
	ScimError(SCIM_ERR_INVALID_VALUE,
			  "default_role \"%s\" is not one of the tenant's roles", def);
}

/* a bool member of the effective settings */
static bool
setting_bool(const ScimJson *eff, const char *name)
{
	return ScimJsonGet(eff, name)->boolean;
}

/* an int member of the effective settings */
static int
setting_int(const ScimJson *eff, const char *name)
{
	return atoi(ScimJsonGet(eff, name)->str);
}

/* a string-array member of the effective settings, as a C array */
static char **
setting_strings(const ScimJson *eff, const char *name, int *n)
{
	ScimJson   *a = ScimJsonGet(eff, name);
	char	  **r = palloc0(sizeof(char *) * (a->count + 1));
	int			i;

	for (i = 0; i < a->count; i++)
		r[i] = a->items[i]->str;
	*n = a->count;
	return r;
}

/*
 * ScimTenantScope
 *		Make tenant_id the tenant of the current operation: the setting
 *		scim.tenant, which every row-level security policy compares
 *		tenant_id with (src/sql/40_security.sql).  Transaction-local, and
 *		undone when the SQL function that set it returns, since each entry
 *		point carries SET scim.tenant = ''.  Every entry point calls this
 *		(through ScimTenantLoad) before it touches a tenant's rows.
 */
void
ScimTenantScope(const char *tenant_id)
{
	(void) set_config_option("scim.tenant", tenant_id, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
}

/* read and parse the tenant, its settings and its extensions */
static ScimTenant *
tenant_build(const char *tenant_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	ScimTenant *t;
	ScimJson   *eff;
	const char *s;
	bool		isnull;

	values[0] = CStringGetTextDatum(tenant_id);
	ScimPlan(&plan, "SELECT settings FROM scim.tenants WHERE tenant_id = $1",
			 1, types);
	if (ScimExec(plan, values, NULL, 1) != 1)
		ScimError(SCIM_ERR_NOT_FOUND, "tenant \"%s\" does not exist", tenant_id);

	eff = effective_settings(ScimJsonFromJsonb(DatumGetJsonbP(ScimSpiDatum(0, 1, &isnull))));

	t = palloc0(sizeof(ScimTenant));
	t->id = pstrdup(tenant_id);
	t->settings = eff;
	t->roles = setting_strings(eff, "roles", &t->nroles);
	t->default_role = pstrdup(ScimJsonGetString(eff, "default_role"));
	t->protect_last_owner = setting_bool(eff, "protect_last_owner");
	s = ScimJsonGetString(eff, "user_delete");
	t->user_delete = strcmp(s, "reject") == 0 ? SCIM_USER_DELETE_REJECT
		: strcmp(s, "deactivate") == 0 ? SCIM_USER_DELETE_DEACTIVATE
		: SCIM_USER_DELETE_DELETE;
	s = ScimJsonGetString(eff, "group_delete");
	t->group_delete = strcmp(s, "reject") == 0 ? SCIM_GROUP_DELETE_REJECT
		: SCIM_GROUP_DELETE_DELETE;
	t->list_deactivated_members = setting_bool(eff, "list_deactivated_members");
	t->scim_may_modify_app_groups = setting_bool(eff, "scim_may_modify_app_groups");
	t->put_merge = strcmp(ScimJsonGetString(eff, "put_mode"), "merge") == 0;
	t->max_results = setting_int(eff, "max_results");
	t->bulk_max_operations = setting_int(eff, "bulk_max_operations");
	t->max_payload_bytes = setting_int(eff, "max_payload_bytes");
	t->max_multi_values = setting_int(eff, "max_multi_values");
	t->username_is_email = setting_bool(eff, "username_is_email");
	t->require_name = setting_bool(eff, "require_name");
	t->allow_create_inactive = setting_bool(eff, "allow_create_inactive");
	t->reserved_group_prefixes = setting_strings(eff, "reserved_group_prefixes",
												 &t->nreserved_group_prefixes);
	t->max_group_name_length = setting_int(eff, "max_group_name_length");
	t->notify = setting_bool(eff, "notify");
	ScimExtensionsLoad(t);
	return t;
}

/*
 * ScimTenantLoad
 *		The tenant and its effective settings; "not found" if unknown.
 *		Also makes it the tenant of the operation (ScimTenantScope); its
 *		resource types are ScimResourceType(tenant, kind).  Served from
 *		the backend's cache (tenant_cache.c) when it can be; what is returned
 *		is the caller's copy of the struct, the settings and types it points
 *		to are shared and read-only.
 */
ScimTenant *
ScimTenantLoad(const char *tenant_id)
{
	const ScimTenant *cached;
	ScimTenant *t = palloc(sizeof(ScimTenant));

	ScimTenantScope(tenant_id);
	cached = ScimTenantCacheLookup(tenant_id);
	if (cached == NULL)
	{
		uint64		gen;
		MemoryContext cxt = ScimTenantCacheBegin(&gen);
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
		ScimTenant *built = tenant_build(tenant_id);

		MemoryContextSwitchTo(oldcxt);
		ScimTenantCacheKeep(built, cxt, gen);
		cached = built;
	}
	memcpy(t, cached, sizeof(ScimTenant));
	scim_limits.max_multi_values = t->max_multi_values;
	scim_limits.max_resource_bytes = t->max_payload_bytes;
	return t;
}

/* is role one of the tenant's roles */
bool
ScimTenantRoleAllowed(const ScimTenant *tenant, const char *role)
{
	int			i;

	for (i = 0; i < tenant->nroles; i++)
		if (strcmp(tenant->roles[i], role) == 0)
			return true;
	return false;
}

/* the tenant's roles as "owner, administrator, ..." for messages */
char *
ScimTenantRoleList(const ScimTenant *tenant)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < tenant->nroles; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", tenant->roles[i]);
	return buf.data;
}

/* argument n, a tenant, as a C string; it must not be NULL */
char *
ScimTenantArg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ScimError(SCIM_ERR_INVALID_VALUE, "tenant must not be null");
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * scim.tenant_create(tenant text, settings jsonb DEFAULT '{}') RETURNS void
 */
Datum
scim_tenant_create(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[2] = {TEXTOID, JSONBOID};
	Datum		values[2];
	char	   *tenant = ScimTenantArg(fcinfo, 0);
	ScimJson   *settings;

	if (tenant[0] == '\0')
		ScimError(SCIM_ERR_INVALID_VALUE, "tenant must not be empty");
	ScimTenantScope(tenant);
	SPI_connect();
	settings = merge_settings(NULL, PG_ARGISNULL(1) ? ScimJsonNew(SJ_OBJECT)
							  : ScimJsonFromJsonb(PG_GETARG_JSONB_P(1)));
	check_settings_consistent(effective_settings(settings));

	values[0] = CStringGetTextDatum(tenant);
	values[1] = ScimJsonToJsonb(settings);
	ScimPlan(&plan,
			 "INSERT INTO scim.tenants (tenant_id, settings) VALUES ($1, $2) "
			 "ON CONFLICT DO NOTHING", 2, types);
	if (ScimExec(plan, values, NULL, 0) != 1)
		ScimError(SCIM_ERR_UNIQUENESS, "tenant \"%s\" already exists", tenant);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * scim.tenant_configure(tenant text, settings jsonb) RETURNS jsonb
 *		Merge settings into the tenant's; return every effective setting.
 */
Datum
scim_tenant_configure(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr sel = NULL;
	static SPIPlanPtr upd = NULL;
	Oid			types[2] = {TEXTOID, JSONBOID};
	Datum		values[2];
	char	   *tenant = ScimTenantArg(fcinfo, 0);
	ScimJson   *stored;
	ScimJson   *merged;
	ScimJson   *eff;
	Datum		result;
	bool		isnull;

	if (PG_ARGISNULL(1))
		ScimError(SCIM_ERR_INVALID_VALUE, "settings must not be null");
	ScimTenantScope(tenant);
	SPI_connect();
	values[0] = CStringGetTextDatum(tenant);
	ScimPlan(&sel, "SELECT settings FROM scim.tenants WHERE tenant_id = $1 FOR UPDATE",
			 1, types);
	if (ScimExec(sel, values, NULL, 1) != 1)
		ScimError(SCIM_ERR_NOT_FOUND, "tenant \"%s\" does not exist", tenant);
	stored = ScimJsonFromJsonb(DatumGetJsonbP(ScimSpiDatum(0, 1, &isnull)));
	merged = merge_settings(stored, ScimJsonFromJsonb(PG_GETARG_JSONB_P(1)));
	eff = effective_settings(merged);
	check_settings_consistent(eff);

	values[1] = ScimJsonToJsonb(merged);
	ScimPlan(&upd, "UPDATE scim.tenants SET settings = $2 WHERE tenant_id = $1",
			 2, types);
	ScimExec(upd, values, NULL, 0);
	ScimTenantCacheInvalidate();
	result = ScimJsonToJsonb(eff);
	result = SPI_datumTransfer(result, false, -1);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * scim.schema_extension_add(tenant text, urn text, attributes jsonb)
 *		Register an extension schema of the tenant's User resource type
 *		(extension.c).
 */
Datum
scim_schema_extension_add(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID};
	Datum		values[4];
	char	   *tenant;
	char	   *urn;
	char	   *name;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ScimError(SCIM_ERR_INVALID_VALUE, "tenant, urn and attributes must not be null");
	tenant = text_to_cstring(PG_GETARG_TEXT_PP(0));
	urn = text_to_cstring(PG_GETARG_TEXT_PP(1));
	name = ScimExtensionName(urn);

	SPI_connect();
	(void) ScimTenantLoad(tenant);	/* not found: error */
	ScimExtensionCheck(urn, name, ScimJsonFromJsonb(PG_GETARG_JSONB_P(2)));

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(urn);
	values[2] = CStringGetTextDatum(name);
	values[3] = PG_GETARG_DATUM(2);
	ScimPlan(&plan,
			 "INSERT INTO scim.schema_extensions (tenant_id, urn, name, attributes) "
			 "SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM scim.schema_extensions "
			 "WHERE tenant_id = $1 AND lower(urn) = lower($2))", 4, types);
	if (ScimExec(plan, values, NULL, 0) != 1)
		ScimError(SCIM_ERR_UNIQUENESS, "tenant \"%s\" already has the extension \"%s\"",
				  tenant, urn);
	ScimTenantCacheInvalidate();
	SPI_finish();
	PG_RETURN_VOID();
}
