/*-------------------------------------------------------------------------
 *
 * user.c
 *	  The User resource: create, read, replace, patch, delete.
 *
 * A user is one row of scim.users.  The attributes an application needs
 * are columns; everything else of the SCIM document is kept in attrs.
 * Values are stored exactly as sent.  What the client did not send but an
 * application always wants (displayName, the other form of the name) is
 * derived when writing and listed in the row's "derived" column, so that
 * it is recomputed, never mistaken for client data, when the inputs change.
 *
 * Tenant rules applied here: the allowed roles and the default role, the
 * Zulip-style userName-is-email and name-required rules, whether users
 * may be created inactive, what DELETE does, and protection of the last
 * active owner.
 *
 * src/user.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
#include "fmgr.h"

#include "error.h"
#include "extension.h"
#include "json.h"
#include "json_out.h"
#include "key_fetch.h"
#include "patch.h"
#include "resource.h"
#include "resource_row.h"
#include "schema.h"
#include "spi_util.h"
#include "tenant.h"
#include "user.h"
#include "validate.h"

/* a user's groups (UC_GROUPS) as the list statements compute them */
#define USER_GROUPS_ITEM ", " \
"(SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(g.id, g.display_name) " \
"ORDER BY g.id) FROM scim.members m JOIN scim.groups g " \
"ON g.tenant_id = m.tenant_id AND g.id = m.group_id " \
"WHERE m.tenant_id = u.tenant_id AND m.member_id = u.id) AS groups"

/* the select list of user lists (query.c): ScimUserRender reads this shape */
const char *ScimUserColumns = SCIM_ROW_SQL(SCIM_USER_ROW_ITEMS USER_GROUPS_ITEM);

/*
 * What the statements of a write read: the locking SELECT before it and
 * its INSERT or UPDATE ... RETURNING.  The same shape with the groups left
 * NULL: a new user is in no group, and otherwise with_groups adds them
 * from the indexes, which costs less than starting the sub-select's plan
 * nodes in every statement (bench/README.md, F-9).
 */
static const char *const row_columns =
SCIM_ROW_SQL(SCIM_USER_ROW_ITEMS ", NULL::pg_catalog.jsonb AS groups");

/* the sub-attribute each column holds (resource_row.h), by position */
#define SCIM_ROW_SUB(NAME, column, type, attr, sub) [UC_##NAME] = sub,
static const char *const column_sub[UC_GROUPS] = {SCIM_USER_ROW(SCIM_ROW_SUB)};

/* the six name columns, one after the other */
#define UC_NAME_FIRST UC_NAME_FORMATTED
StaticAssertDecl(UC_HONORIFIC_SUFFIX == UC_NAME_FIRST + 5,
				 "the six name columns follow each other");

/* the sub-attributes of name, in column order: name_parts[0..5] */
static const char *const *const name_parts = &column_sub[UC_NAME_FIRST];

/* attributes held in columns rather than attrs */
static const char *const column_attrs[] = {
	"userName", "externalId", "active", "displayName", "name", "role",
	"password", NULL
};

/* a user as the writer sees it: column values plus the rest */
typedef struct UserRow
{
	char	   *user_name;
	char	   *external_id;
	bool		active;
	char	   *display_name;
	char	   *name[6];
	char	   *role;
	ScimJson   *attrs;
	char	   *password;		/* clear text to hash, or NULL: keep */
	List	   *derived;		/* of char * */
} UserRow;

/* the stored state of a user, as loaded for a write */
typedef struct StoredUser
{
	pg_uuid_t	uuid;
	char	   *id;
	ScimJson   *raw;			/* representation without derived values */
	ScimJson   *norm;			/* raw, validated: what a client could send */
	bool		active;
	char	   *role;
	int64		version;
	HeapTuple	tup;			/* the row as a GET reads it: the locked one,
								 * then the updated one (write_update) */
	TupleDesc	desc;
} StoredUser;

/* forward declarations */
static ScimJson *render(ScimRequest *req, HeapTuple tup, TupleDesc desc,
						bool with_derived);
static StoredUser *load_state(ScimRequest *req, const char *id);
static HeapTuple with_groups(ScimRequest *req, const pg_uuid_t *id,
							 HeapTuple tup, TupleDesc desc);
static void row_from_doc(ScimRequest *req, ScimJson *doc, UserRow *row);
static void derive(UserRow *row);
static void check_rules(ScimRequest *req, UserRow *row, StoredUser *old);
static void check_last_owner(ScimRequest *req, StoredUser *old, UserRow *row,
							 bool deleting);
static void check_user_name_free(ScimRequest *req, const char *user_name,
								 const pg_uuid_t *except);
static bool valid_email(const char *s);
static int64 write_update(ScimRequest *req, StoredUser *old, ScimJson *doc,
						  const char *action);
static const char *pgcrypto_schema(void);

/* is name in the list of derived attribute names */
static bool
derived_has(List *derived, const char *name)
{
	ListCell   *lc;

	foreach(lc, derived)
	{
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	}
	return false;
}

/* a text (or other) column of tup as text, or NULL */
static char *
col_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d;

	if (TupleDescAttr(desc, col - 1)->atttypid != TEXTOID)
		return SPI_getvalue(tup, desc, col);
	d = SPI_getbinval(tup, desc, col, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * render
 *		The SCIM representation of the user in tup.  Without with_derived,
 *		attributes the server derived are left out (the base for PATCH).
 */
static ScimJson *
render(ScimRequest *req, HeapTuple tup, TupleDesc desc, bool with_derived)
{
	ScimJson   *doc = ScimJsonNew(SJ_OBJECT);
	ScimJson   *schemas = ScimJsonNew(SJ_ARRAY);
	ScimJson   *name = ScimJsonNew(SJ_OBJECT);
	ScimJson   *attrs;
	char	   *id = col_text(tup, desc, UC_ID);
	char	   *s;
	bool		isnull;
	Datum		d;
	List	   *derived = NIL;
	int			i;

	d = SPI_getbinval(tup, desc, UC_DERIVED, &isnull);
	if (!isnull && !with_derived)
	{
		Datum	   *elems;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, NULL, &n);
		for (i = 0; i < n; i++)
			derived = lappend(derived, TextDatumGetCString(elems[i]));
	}
#define IS_DERIVED(n) (derived != NIL && derived_has(derived, (n)))

	ScimJsonSet(doc, "schemas", schemas);
	ScimJsonAppend(schemas, ScimJsonMakeString(SCIM_URN_USER));
	ScimJsonSet(doc, "id", ScimJsonMakeString(id));
	if ((s = col_text(tup, desc, UC_EXTERNAL_ID)) != NULL)
		ScimJsonSet(doc, "externalId", ScimJsonMakeString(s));
	ScimJsonSet(doc, "userName", ScimJsonMakeString(col_text(tup, desc, UC_USER_NAME)));
	for (i = 0; i < 6; i++)
	{
		char	   *full = psprintf("name.%s", name_parts[i]);

		if ((s = col_text(tup, desc, UC_NAME_FIRST + i)) != NULL &&
			!IS_DERIVED(full))
			ScimJsonSet(name, name_parts[i], ScimJsonMakeString(s));
	}
	if (name->count > 0)
		ScimJsonSet(doc, "name", name);
	if ((s = col_text(tup, desc, UC_DISPLAY_NAME)) != NULL && !IS_DERIVED("displayName"))
		ScimJsonSet(doc, "displayName", ScimJsonMakeString(s));

	d = SPI_getbinval(tup, desc, UC_ATTRS, &isnull);
	attrs = ScimJsonFromJsonb(DatumGetJsonbP(d));
	for (i = 0; i < attrs->count; i++)
	{
		ScimJsonSet(doc, attrs->keys[i], attrs->items[i]);
		if (strncmp(attrs->keys[i], "urn:", 4) == 0)
			ScimJsonAppend(schemas, ScimJsonMakeString(attrs->keys[i]));
	}

	ScimJsonSet(doc, "active",
				ScimJsonMakeBool(DatumGetBool(SPI_getbinval(tup, desc, UC_ACTIVE, &isnull))));
	if ((s = col_text(tup, desc, UC_ROLE)) != NULL)
		ScimJsonSet(doc, "role", ScimJsonMakeString(s));

	d = SPI_getbinval(tup, desc, UC_GROUPS, &isnull);
	if (!isnull)
	{
		ScimJson   *pairs = ScimJsonFromJsonb(DatumGetJsonbP(d));
		ScimJson   *groups = ScimJsonNew(SJ_ARRAY);

		for (i = 0; i < pairs->count; i++)
		{
			ScimJson   *g = ScimJsonNew(SJ_OBJECT);
			const char *gid = pairs->items[i]->items[0]->str;

			ScimJsonSet(g, "value", ScimJsonMakeString(gid));
			ScimJsonSet(g, "$ref", ScimJsonMakeString(ScimLocation(req, SCIM_RES_GROUP, gid)));
			ScimJsonSet(g, "display", ScimJsonCopy(pairs->items[i]->items[1]));
			ScimJsonSet(g, "type", ScimJsonMakeString("direct"));
			ScimJsonAppend(groups, g);
		}
		ScimJsonSet(doc, "groups", groups);
	}

	ScimJsonSet(doc, "meta",
				ScimMeta(req, SCIM_RES_USER, id,
						 DatumGetTimestampTz(SPI_getbinval(tup, desc, UC_CREATED, &isnull)),
						 DatumGetTimestampTz(SPI_getbinval(tup, desc, UC_MODIFIED, &isnull)),
						 DatumGetInt64(SPI_getbinval(tup, desc, UC_VERSION, &isnull))));
#undef IS_DERIVED
	return doc;
}

/* the full representation of the user in tup */
ScimJson *
ScimUserRender(ScimRequest *req, HeapTuple tup, TupleDesc desc)
{
	return render(req, tup, desc, true);
}

/* tup, a row of row_columns, with the groups of user *id */
static HeapTuple
with_groups(ScimRequest *req, const pg_uuid_t *id, HeapTuple tup,
			TupleDesc desc)
{
	int			col = UC_GROUPS;
	bool		isnull;
	Datum		groups = ScimUserGroups(req, id, &isnull);

	return heap_modify_tuple_by_cols(tup, desc, 1, &col, &groups, &isnull);
}

/*
 * The stored state of a user of the request's tenant for a write, its row
 * locked (FOR NO KEY UPDATE); 404 when unknown (ids that are not UUIDs
 * are simply unknown).  Reads go through ScimUserFetch (key_fetch.c).
 */
static StoredUser *
load_state(ScimRequest *req, const char *id)
{
	static SPIPlanPtr plan = NULL;
	StoredUser *st = palloc0(sizeof(StoredUser));
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;

	if (!ScimLockRow(req, &plan,
					 psprintf("SELECT %s FROM scim.users u WHERE u.tenant_id = $1 AND u.id = $2 "
							  "FOR NO KEY UPDATE OF u", row_columns), id, &st->uuid))
		ScimError(SCIM_ERR_NOT_FOUND, "user \"%s\" not found", id);
	desc = SPI_tuptable->tupdesc;
	tup = with_groups(req, &st->uuid, SPI_tuptable->vals[0], desc);
	st->id = col_text(tup, desc, UC_ID);
	st->raw = render(req, tup, desc, false);
	st->norm = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_USER), st->raw);
	st->active = DatumGetBool(SPI_getbinval(tup, desc, UC_ACTIVE, &isnull));
	st->role = col_text(tup, desc, UC_ROLE);
	st->version = DatumGetInt64(SPI_getbinval(tup, desc, UC_VERSION, &isnull));
	st->tup = tup;
	st->desc = desc;
	ScimCheckIfMatch(req, st->version);
	return st;
}

/* the answer of a write: the user as write_update left it */
static ScimResult *
result_of(ScimRequest *req, StoredUser *st)
{
	ScimResult *r = palloc0(sizeof(ScimResult));
	bool		isnull;

	r->resource = render(req, st->tup, st->desc, true);
	r->version = DatumGetInt64(SPI_getbinval(st->tup, st->desc, UC_VERSION, &isnull));
	r->id = st->id;
	return r;
}

/* a syntactically valid email address, as Zulip checks userName */
static bool
valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	const char *dot;
	const char *p;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return false;
	for (p = s; *p; p++)
		if ((unsigned char) *p <= ' ' || *p == '<' || *p == '>' || *p == ',' ||
			*p == ';' || *p == '"' || *p == '(' || *p == ')' || *p == '\\')
			return false;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

/* split a normalized document into column values and attrs */
static void
row_from_doc(ScimRequest *req, ScimJson *doc, UserRow *row)
{
	ScimJson   *name = ScimJsonGet(doc, "name");
	ScimJson   *v;
	int			i;

	memset(row, 0, sizeof(UserRow));
	row->user_name = (char *) ScimJsonGetString(doc, "userName");
	row->external_id = (char *) ScimJsonGetString(doc, "externalId");
	v = ScimJsonGet(doc, "active");
	row->active = v ? v->boolean : true;
	row->display_name = (char *) ScimJsonGetString(doc, "displayName");
	for (i = 0; i < 6; i++)
		row->name[i] = (char *) ScimJsonGetString(name, name_parts[i]);
	row->role = (char *) ScimJsonGetString(doc, "role");
	row->password = (char *) ScimJsonGetString(doc, "password");

	row->attrs = ScimJsonNew(SJ_OBJECT);
	for (i = 0; i < doc->count; i++)
	{
		int			k;
		bool		is_column = false;

		for (k = 0; column_attrs[k]; k++)
			if (strcmp(doc->keys[i], column_attrs[k]) == 0)
				is_column = true;
		if (!is_column)
			ScimJsonSet(row->attrs, doc->keys[i], doc->items[i]);
	}
	(void) req;
}

/* join the non-empty parts with single spaces */
static char *
join_name(char *const *parts, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		if (parts[i] && parts[i][0])
			appendStringInfo(&buf, "%s%s", buf.len ? " " : "", parts[i]);
	return buf.len ? buf.data : NULL;
}

/*
 * derive
 *		Fill in the name form the client did not send, and displayName.
 *		Okta sends givenName/familyName, Entra sends formatted: either way
 *		the application finds both, and always something to display.
 */
static void
derive(UserRow *row)
{
	char	  **n = row->name;

	if (n[0] == NULL && (n[1] || n[2]))
	{
		char	   *parts[5] = {n[4], n[1], n[3], n[2], n[5]};

		n[0] = join_name(parts, 5);
		row->derived = lappend(row->derived, "name.formatted");
	}
	else if (n[0] != NULL && n[1] == NULL && n[2] == NULL)
	{
		char	   *f = pstrdup(n[0]);
		char	   *sp = strchr(f, ' ');

		if (sp)
		{
			*sp = '\0';
			n[2] = sp + 1;
			while (*n[2] == ' ')
				n[2]++;
			row->derived = lappend(row->derived, "name.familyName");
		}
		n[1] = f;
		row->derived = lappend(row->derived, "name.givenName");
	}
	if (row->display_name == NULL)
	{
		row->display_name = n[0] ? n[0] : row->user_name;
		row->derived = lappend(row->derived, "displayName");
	}
}

/* is s absent, or only white space (no usable name part) */
static bool
blank(const char *s)
{
	if (s == NULL)
		return true;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return *s == '\0';
}

/* the tenant's rules on a user about to be written (old: NULL on create) */
static void
check_rules(ScimRequest *req, UserRow *row, StoredUser *old)
{
	ScimTenant *t = req->tenant;
	const char *old_name = old ? ScimJsonGetString(old->norm, "userName") : NULL;

	/*
	 * Rules apply to what a write sets, not to what it leaves as it was:
	 * tightening a rule must not block deprovisioning existing users.
	 */
	if (t->username_is_email && (old_name == NULL || strcmp(old_name, row->user_name) != 0) &&
		!valid_email(row->user_name))
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "userName \"%s\" is not a valid email address", row->user_name);
	if (old == NULL && t->require_name && blank(row->name[0]) &&
		blank(row->name[1]) && blank(row->name[2]))
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "a name is required: send name.formatted, or name.givenName and name.familyName");
	if (old == NULL && !t->allow_create_inactive && !row->active)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "users must be created active: send \"active\": true or leave it out");
	if (row->role == NULL)
		row->role = (old && old->role) ? old->role : t->default_role;
	else if ((old == NULL || old->role == NULL || strcmp(old->role, row->role) != 0) &&
			 !ScimTenantRoleAllowed(t, row->role))
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "role \"%s\" is not one of this organization's roles: %s",
				  row->role, ScimTenantRoleList(t));
}

/*
 * check_last_owner
 *		With protect_last_owner, refuse to deactivate, demote or delete the
 *		tenant's last active owner.
 *
 *		Concurrent demotions of two owners must not both pass.  The caller
 *		already holds its own user's row lock (load_state), so locking the
 *		other owners' rows here would deadlock two such writers (each holds
 *		one owner and waits for the other's).  The tenant's row is the
 *		mutex instead: every demotion takes it FOR NO KEY UPDATE (which the
 *		foreign-key locks of ordinary writes, FOR KEY SHARE, do not
 *		conflict with), and only then counts the owners, with a snapshot
 *		taken after the lock, so it sees every demotion that went before.
 *		The owners are then locked FOR KEY SHARE only so that a REPEATABLE
 *		READ caller of the SQL API fails with a serialization error instead
 *		of counting from a stale snapshot.  Lock order: own user row, tenant
 *		row, other owners (docs/reliability.md).
 */
static void
check_last_owner(ScimRequest *req, StoredUser *old, UserRow *row, bool deleting)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr mutex = NULL;
	Oid			types[2] = {TEXTOID, UUIDOID};
	Datum		values[2];
	bool		stays_owner;
	int			n;

	if (!req->tenant->protect_last_owner || !old->active || old->role == NULL ||
		strcmp(old->role, "owner") != 0)
		return;
	stays_owner = !deleting && row->active && row->role &&
		strcmp(row->role, "owner") == 0;
	if (stays_owner)
		return;

	values[0] = CStringGetTextDatum(req->tenant->id);
	values[1] = UUIDPGetDatum(&old->uuid);
	ScimPlan(&mutex,
			 "SELECT 1 FROM scim.tenants t WHERE t.tenant_id = $1 FOR NO KEY UPDATE",
			 1, types);
	ScimExec(mutex, values, NULL, 0);
	ScimPlan(&plan,
			 "SELECT u.id FROM scim.users u WHERE u.tenant_id = $1 "
			 "AND u.role = 'owner' AND u.active ORDER BY u.id FOR KEY SHARE",
			 2, types);
	n = ScimExec(plan, values, NULL, 0);
	{
		int			i,
					others = 0;

		for (i = 0; i < n; i++)
		{
			bool		isnull;
			pg_uuid_t  *u = DatumGetUUIDP(ScimSpiDatum(i, 1, &isnull));

			if (memcmp(u->data, old->uuid.data, UUID_LEN) != 0)
				others++;
		}
		if (others == 0)
			ScimError(SCIM_ERR_MUTABILITY,
					  "cannot %s the organization's last active owner",
					  deleting ? "delete" : !row->active ? "deactivate" : "demote");
	}
}

/* 409 when another user of the tenant has this userName (any case) */
static void
check_user_name_free(ScimRequest *req, const char *user_name,
					 const pg_uuid_t *except)
{
	static SPIPlanPtr plan = NULL;

	ScimCheckKeyFree(req, &plan,
					 "SELECT 1 FROM scim.users u WHERE u.tenant_id = $1 "
					 "AND scim._lower(u.user_name) = lower($2) AND u.id <> $3",
					 "userName", user_name, except);
}

/* schema of pgcrypto, for crypt() and gen_salt() (cached per backend) */
static const char *
pgcrypto_schema(void)
{
	static char *schema = NULL;
	static SPIPlanPtr plan = NULL;

	if (schema == NULL)
	{
		ScimPlan(&plan,
				 "SELECT n.nspname FROM pg_catalog.pg_extension e "
				 "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
				 "WHERE e.extname = 'pgcrypto'", 0, NULL);
		if (ScimExec(plan, NULL, NULL, 1) != 1)
			ereport(ERROR,
					errcode(ERRCODE_UNDEFINED_OBJECT),
					errmsg("extension \"pgcrypto\" is not installed"));
		schema = MemoryContextStrdup(TopMemoryContext,
									 quote_identifier(ScimSpiText(0, 1)));
	}
	return schema;
}

/* the derived list as a text[] datum */
static Datum
derived_datum(List *derived)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(derived) + 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, derived)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* the parameter types of the write statements (bind_row) */
static const Oid row_param_types[17] = {
	TEXTOID, UUIDOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTOID,
	TIMESTAMPTZOID, TEXTARRAYOID
};

/*
 * bind_row
 *		The parameters $1..$17 of the write statements: tenant, id, the
 *		column values of row, and now as $16.
 */
static void
bind_row(ScimRequest *req, pg_uuid_t *uuid, UserRow *row, Datum *values,
		 char *nulls)
{
	int			i;

	memset(nulls, ' ', 17);
	values[0] = CStringGetTextDatum(req->tenant->id);
	values[1] = UUIDPGetDatum(uuid);
	values[15] = TimestampTzGetDatum(GetCurrentTimestamp());
	values[2] = CStringGetTextDatum(row->user_name);
	nulls[2] = ' ';
	values[3] = ScimTextDatumOrNull(row->external_id, &nulls[3]);
	values[4] = BoolGetDatum(row->active);
	nulls[4] = ' ';
	values[5] = ScimTextDatumOrNull(row->display_name, &nulls[5]);
	for (i = 0; i < 6; i++)
		values[6 + i] = ScimTextDatumOrNull(row->name[i], &nulls[6 + i]);
	values[12] = ScimTextDatumOrNull(row->role, &nulls[12]);
	values[13] = ScimJsonToJsonb(row->attrs);
	nulls[13] = ' ';
	values[14] = ScimTextDatumOrNull(row->password, &nulls[14]);
	values[16] = derived_datum(row->derived);
	nulls[16] = ' ';
}

/*
 * ScimUserCreate
 *		POST /Users.
 */
ScimResult *
ScimUserCreate(ScimRequest *req, ScimJson *in)
{
	static SPIPlanPtr plan = NULL;
	Datum		values[17];
	char		nulls[17];
	ScimJson   *doc = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_USER), in);
	UserRow		row;
	pg_uuid_t	uuid;
	char	   *id;
	ScimJson   *changes;
	HeapTuple	tup;
	TupleDesc	desc;
	ScimResult *res;

	row_from_doc(req, doc, &row);
	check_rules(req, &row, NULL);
	derive(&row);

	ScimNewUuid(&uuid);
	id = ScimUuidToString(&uuid);
	bind_row(req, &uuid, &row, values, nulls);

	/*
	 * The new row comes back as a GET would read it, no second statement; its
	 * groups column is NULL, as it is in no group yet.
	 */
	if (plan == NULL)
		ScimPlan(&plan,
				 psprintf("INSERT INTO scim.users AS u (tenant_id, id, user_name, external_id, active, "
						  "display_name, name_formatted, given_name, family_name, middle_name, "
						  "honorific_prefix, honorific_suffix, role, attrs, password_hash, "
						  "created, last_modified, version, derived) "
						  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
						  "CASE WHEN $15 IS NULL THEN NULL ELSE %s.crypt($15, %s.gen_salt('bf')) END, "
						  "$16, $16, 1, $17) ON CONFLICT DO NOTHING RETURNING %s",
						  pgcrypto_schema(), pgcrypto_schema(), row_columns),
				 17, row_param_types);
	if (ScimExec(plan, values, nulls, 0) != 1)
		ScimError(SCIM_ERR_UNIQUENESS, "userName \"%s\" is already in use", row.user_name);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	changes = ScimJsonNew(SJ_OBJECT);
	ScimJsonSet(changes, "attributes", ScimChangedAttributes(NULL, doc));
	ScimJsonSet(changes, "userName", ScimJsonMakeString(row.user_name));
	ScimJsonSet(changes, "active", ScimJsonMakeBool(row.active));
	ScimJsonSet(changes, "role", ScimJsonMakeString(row.role));
	ScimEventAppend(req, "User", &uuid, "created", changes);
	req->changed = true;

	res = palloc0(sizeof(ScimResult));
	res->resource = render(req, tup, desc, true);
	res->version = 1;
	res->id = id;
	return res;
}

/*
 * ScimUserGet
 *		GET /Users/{id}.
 */
ScimResult *
ScimUserGet(ScimRequest *req, const char *id)
{
	HeapTuple	tup;
	TupleDesc	desc;
	ScimResult *r = palloc0(sizeof(ScimResult));
	bool		isnull;
	pg_uuid_t	uuid;

	/* ids that are not UUIDs are simply unknown */
	if (!ScimParseUuid(id, &uuid) || !ScimUserFetch(req, &uuid, NULL, &tup, &desc))
		ScimError(SCIM_ERR_NOT_FOUND, "user \"%s\" not found", id);
	r->resource = render(req, tup, desc, true);
	r->version = DatumGetInt64(SPI_getbinval(tup, desc, UC_VERSION, &isnull));
	r->id = pstrdup(id);
	return r;
}

/*
 * write_update
 *		Store the normalized document doc as the new state of user old.
 *		Returns the new version; nothing is written (and the version stays)
 *		when doc equals what is stored and no password is being set.
 */
static int64
write_update(ScimRequest *req, StoredUser *old, ScimJson *doc, const char *action)
{
	static SPIPlanPtr plan = NULL;
	Datum		values[17];
	char		nulls[17];
	UserRow		row;
	ScimJson   *changes;
	ScimJson   *without_password = ScimJsonCopy(doc);

	ScimJsonRemove(without_password, "password");
	row_from_doc(req, doc, &row);
	check_rules(req, &row, old);
	if (ScimJsonGet(without_password, "role") == NULL)
		ScimJsonSet(without_password, "role", ScimJsonMakeString(row.role));
	if (row.password == NULL && ScimJsonEqual(old->norm, without_password, true))
		return old->version;	/* no change: version and lastModified stay */

	check_last_owner(req, old, &row, false);
	{
		const char *old_name = ScimJsonGetString(old->norm, "userName");

		if (scim_strcasecmp(old_name, row.user_name) != 0)
			check_user_name_free(req, row.user_name, &old->uuid);
	}
	derive(&row);

	bind_row(req, &old->uuid, &row, values, nulls);
	/* the updated row comes back as a GET would read it, groups added */
	if (plan == NULL)
		ScimPlan(&plan,
				 psprintf("UPDATE scim.users AS u SET user_name = $3, external_id = $4, active = $5, "
						  "display_name = $6, name_formatted = $7, given_name = $8, "
						  "family_name = $9, middle_name = $10, honorific_prefix = $11, "
						  "honorific_suffix = $12, role = $13, attrs = $14, "
						  "password_hash = CASE WHEN $15 IS NULL THEN u.password_hash "
						  "ELSE %s.crypt($15, %s.gen_salt('bf')) END, "
						  "last_modified = GREATEST($16, u.last_modified), version = u.version + 1, "
						  "derived = $17 WHERE u.tenant_id = $1 AND u.id = $2 RETURNING %s",
						  pgcrypto_schema(), pgcrypto_schema(), row_columns),
				 17, row_param_types);
	if (ScimExec(plan, values, nulls, 0) != 1)
		elog(ERROR, "the locked user %s was not updated", old->id);
	old->desc = SPI_tuptable->tupdesc;
	old->tup = with_groups(req, &old->uuid, SPI_tuptable->vals[0], old->desc);

	changes = ScimJsonNew(SJ_OBJECT);
	ScimJsonSet(changes, "attributes", ScimChangedAttributes(old->norm, without_password));
	if (row.password)
		ScimJsonAppend(ScimJsonGet(changes, "attributes"), ScimJsonMakeString("password"));
	ScimEventAppend(req, "User", &old->uuid, action, changes);
	if (old->active != row.active)
	{
		changes = ScimJsonNew(SJ_OBJECT);
		ScimJsonSet(changes, "active", ScimJsonMakeBool(row.active));
		ScimEventAppend(req, "User", &old->uuid,
						row.active ? "reactivated" : "deactivated", changes);
	}
	if (old->role == NULL || strcmp(old->role, row.role) != 0)
	{
		changes = ScimJsonNew(SJ_OBJECT);
		if (old->role)
			ScimJsonSet(changes, "old", ScimJsonMakeString(old->role));
		ScimJsonSet(changes, "new", ScimJsonMakeString(row.role));
		ScimEventAppend(req, "User", &old->uuid, "role_changed", changes);
	}
	req->changed = true;
	return old->version + 1;
}

/*
 * ScimUserReplace
 *		PUT /Users/{id}.  RFC 7644 §3.5.1: omitted readWrite attributes are
 *		cleared — except role, active and password, which keep their values
 *		when omitted: an IdP that does not map roles must not demote an
 *		owner, and one that does not send active must not (re)activate.
 *		With put_mode "merge" (Zulip) only the attributes sent change.
 */
ScimResult *
ScimUserReplace(ScimRequest *req, const char *id, ScimJson *in)
{
	StoredUser *old = load_state(req, id);
	ScimJson   *doc = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_USER), in);

	if (req->tenant->put_merge)
		doc = ScimMergeOver(old->norm, doc);
	else
	{
		static const char *const kept[] = {"role", "active", NULL};
		int			i;

		for (i = 0; kept[i]; i++)
			if (ScimJsonGet(doc, kept[i]) == NULL && ScimJsonGet(old->norm, kept[i]))
				ScimJsonSet(doc, kept[i], ScimJsonCopy(ScimJsonGet(old->norm, kept[i])));
	}
	write_update(req, old, doc, "replaced");
	return result_of(req, old);
}

/*
 * ScimUserPatch
 *		PATCH /Users/{id}: the operations apply to the stored document
 *		(without derived values), and the result is written as a whole.
 */
ScimResult *
ScimUserPatch(ScimRequest *req, const char *id, ScimJson *patch)
{
	StoredUser *old = load_state(req, id);
	ScimJson   *patched = ScimPatchApply(ScimResourceType(req->tenant, SCIM_RES_USER), old->raw, patch, NULL);
	ScimJson   *doc = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_USER), patched);

	/* active cannot become unassigned: removing it keeps its value */
	if (ScimJsonGet(doc, "active") == NULL)
		ScimJsonSet(doc, "active", ScimJsonMakeBool(old->active));
	write_update(req, old, doc, "patched");
	return result_of(req, old);
}

/*
 * ScimUserDelete
 *		DELETE /Users/{id}, as the tenant's user_delete setting says:
 *		delete the row (the userName becomes free), deactivate, or refuse.
 */
void
ScimUserDelete(ScimRequest *req, const char *id)
{
	static SPIPlanPtr del = NULL;
	static SPIPlanPtr grp = NULL;
	Oid			types[3] = {TEXTOID, UUIDOID, TIMESTAMPTZOID};
	Datum		values[3];
	StoredUser *old;
	UserRow		row;
	ScimJson   *changes;
	pg_uuid_t	uuid;
	int			left;
	int			i;
	SPITupleTable *left_groups;

	if (req->tenant->user_delete == SCIM_USER_DELETE_REJECT)
	{
		old = load_state(req, id);	/* unknown ids are still 404 */
		ScimError(SCIM_ERR_REJECTED,
				  "users of this organization cannot be deleted: deactivate them by setting \"active\" to false");
	}
	if (req->tenant->user_delete == SCIM_USER_DELETE_DEACTIVATE)
	{
		ScimJson   *doc;

		old = load_state(req, id);
		doc = ScimJsonCopy(old->norm);
		ScimJsonSet(doc, "active", ScimJsonMakeBool(false));
		write_update(req, old, doc, "patched");
		return;
	}

	/*
	 * The groups it was in change too: bump them first, then lock the user
	 * (lock order is groups before users, as in group.c), then drop the rows.
	 */
	if (!ScimParseUuid(id, &uuid))
		ScimError(SCIM_ERR_NOT_FOUND, "user \"%s\" not found", id);
	values[0] = CStringGetTextDatum(req->tenant->id);
	values[1] = UUIDPGetDatum(&uuid);
	values[2] = TimestampTzGetDatum(GetCurrentTimestamp());
	/* locked in id order first, as every statement locking several groups */
	ScimPlan(&grp,
			 "WITH l AS (SELECT g.id FROM scim.groups g WHERE g.tenant_id = $1 "
			 "AND g.id IN (SELECT m.group_id FROM scim.members m "
			 "WHERE m.tenant_id = $1 AND m.member_id = $2) "
			 "ORDER BY g.id FOR NO KEY UPDATE) "
			 "UPDATE scim.groups g SET version = g.version + 1, "
			 "last_modified = GREATEST($3, g.last_modified) "
			 "FROM l WHERE g.tenant_id = $1 AND g.id = l.id RETURNING g.id", 3, types);
	left = ScimExec(grp, values, NULL, 0);
	left_groups = SPI_tuptable;

	old = load_state(req, id);
	memset(&row, 0, sizeof(row));
	check_last_owner(req, old, &row, true);
	ScimPlan(&del,
			 "WITH m AS (DELETE FROM scim.members WHERE tenant_id = $1 AND member_id = $2) "
			 "DELETE FROM scim.users WHERE tenant_id = $1 AND id = $2", 2, types);
	ScimExec(del, values, NULL, 0);

	changes = ScimJsonNew(SJ_OBJECT);
	ScimJsonSet(changes, "userName", ScimJsonCopy(ScimJsonGet(old->norm, "userName")));
	ScimEventAppend(req, "User", &old->uuid, "deleted", changes);

	/* the groups it was a member of lost a member: say so in their feed */
	for (i = 0; i < left; i++)
	{
		bool		isnull;
		pg_uuid_t  *gid = DatumGetUUIDP(SPI_getbinval(left_groups->vals[i],
													  left_groups->tupdesc, 1, &isnull));
		ScimJson   *members = ScimJsonNew(SJ_ARRAY);

		changes = ScimJsonNew(SJ_OBJECT);
		ScimJsonSet(changes, "count", ScimJsonMakeNumber("1"));
		ScimJsonAppend(members, ScimJsonMakeString(old->id));
		ScimJsonSet(changes, "members", members);
		ScimEventAppend(req, "Group", gid, "members_removed", changes);
	}
	req->changed = true;
}

PG_FUNCTION_INFO_V1(scim_password_verify);

/*
 * scim.password_verify(tenant text, user_name text, password text)
 *		True when the active user's stored hash matches password.
 */
Datum
scim_password_verify(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	bool		ok = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_BOOL(false);
	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = PG_GETARG_DATUM(2);
	ScimTenantScope(TextDatumGetCString(values[0]));
	SPI_connect();
	ScimPlan(&plan,
			 psprintf("SELECT u.password_hash = %s.crypt($3, u.password_hash) "
					  "FROM scim.users u WHERE u.tenant_id = $1 "
					  "AND scim._lower(u.user_name) = lower($2) AND u.active "
					  "AND u.password_hash IS NOT NULL", pgcrypto_schema()),
			 3, types);
	if (ScimExec(plan, values, NULL, 1) == 1)
		ok = ScimSpiBool(0, 1, NULL);
	SPI_finish();
	PG_RETURN_BOOL(ok);
}
