/*-------------------------------------------------------------------------
 *
 * group.c
 *	  The Group resource and its membership.
 *
 * Membership is rows of scim.members, never a JSON array: adding or
 * removing k members costs O(k) index operations whatever the group's
 * size, and a PATCH never loads the member list unless its filter needs
 * to look at members other than by id.
 *
 * What SCIM sees of a group's members: its user members (deactivated ones
 * only if the tenant's list_deactivated_members says so) and the group
 * members added through SCIM.  Subgroup links the application made
 * (source = 'app') are neither shown nor touched, and replacing the member
 * list computes its difference over the visible members only, so hidden
 * memberships survive it.  Groups the application marks "system" are
 * read-only to SCIM; groups it created ("app") are writable unless the
 * tenant's scim_may_modify_app_groups says otherwise.
 *
 * src/group.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "error.h"
#include "extension.h"
#include "filter.h"
#include "filter_eval.h"
#include "group.h"
#include "json.h"
#include "json_out.h"
#include "key_fetch.h"
#include "patch.h"
#include "resource.h"
#include "resource_row.h"
#include "schema.h"
#include "spi_util.h"
#include "tenant.h"
#include "validate.h"

/* the select list of a group's row (resource_row.h): ScimGroupRender reads it */
const char *ScimGroupColumns = SCIM_ROW_SQL(SCIM_GROUP_ROW_ITEMS);

/*
 * The members SCIM may see and change, over scim.members m; $3 is the
 * tenant's list_deactivated_members.
 */
#define VISIBLE_MEMBER \
	"((m.member_type = 'User' AND ($3 OR EXISTS (SELECT 1 FROM scim.users u " \
	"WHERE u.tenant_id = m.tenant_id AND u.id = m.member_id AND u.active))) " \
	"OR (m.member_type = 'Group' AND m.source = 'scim'))"

/*
 * A user's "groups" attribute is derived from membership rows, so every
 * membership change also moves the user members' versions (their ETags
 * must change with their representation).  The statements below end with
 * this CTE over the rows they inserted or deleted ("changed").  Lock order
 * is always groups before users, and the users of one statement are locked
 * in id order ("locked"), so that two statements changing the same users
 * in different groups cannot deadlock (docs/reliability.md).
 *
 * The locks also close a race with deletes: members.member_id has no
 * foreign key (it names a user or a group), so a member added while it is
 * being deleted could stay behind as a row naming nothing.  Locking the
 * member (users FOR NO KEY UPDATE by the version bump, groups FOR KEY
 * SHARE) either waits for the delete, and then finds the row gone
 * ("present" is false: add_members refuses the member), or makes the
 * delete wait for us, and the delete's last statement then removes the
 * new membership row too.
 */
#define BUMP_USERS \
	"locked AS (SELECT u.id FROM scim.users u JOIN changed c " \
	"ON u.tenant_id = $1 AND u.id = c.member_id AND c.member_type = 'User' " \
	"ORDER BY u.id FOR NO KEY UPDATE OF u), " \
	"glocked AS (SELECT g.id FROM scim.groups g JOIN changed c " \
	"ON g.tenant_id = $1 AND g.id = c.member_id AND c.member_type = 'Group' " \
	"ORDER BY g.id FOR KEY SHARE OF g), " \
	"bump AS (UPDATE scim.users u SET version = u.version + 1, " \
	"last_modified = GREATEST(clock_timestamp(), u.last_modified) FROM locked l " \
	"WHERE u.tenant_id = $1 AND u.id = l.id) " \
	"SELECT c.member_id, (l.id IS NOT NULL OR gl.id IS NOT NULL) AS present " \
	"FROM changed c LEFT JOIN locked l ON l.id = c.member_id " \
	"LEFT JOIN glocked gl ON gl.id = c.member_id"

/*
 * A list of member ids is bound as a uuid[] and read with unnest(), as a
 * join or an IN (SELECT ...) that PostgreSQL hashes, never as "= ANY ($n)":
 * the statements are prepared once and soon run with a generic plan, which
 * tests "= ANY" of a parameter by scanning the array for every row, so
 * replacing k members of a group of n would cost n * k comparisons.
 */

/* a group's stored state, loaded and locked for a write */
typedef struct StoredGroup
{
	pg_uuid_t	uuid;
	char	   *id;
	ScimJson   *raw;			/* representation without members */
	ScimJson   *norm;
	char	   *managed_by;
	int64		version;
} StoredGroup;

/* what the member hook did during one PATCH */
typedef struct MemberChanges
{
	ScimRequest *req;
	StoredGroup *group;
	int64		added;
	int64		removed;
	ScimJson   *added_ids;
	ScimJson   *removed_ids;
} MemberChanges;

/* forward declarations */
static StoredGroup *load_state(ScimRequest *req, const char *id);
static void check_writable(ScimRequest *req, StoredGroup *st);
static void check_name(ScimRequest *req, const char *name);
static ArrayType *resolve_members(ScimRequest *req, const pg_uuid_t *group,
								  ScimJson *value, ArrayType **types, int opindex);
static void add_members(MemberChanges *mc, ScimJson *value, int opindex);
static void remove_members(MemberChanges *mc, ArrayType *ids);
static void remove_all_members(MemberChanges *mc);
static void replace_members(MemberChanges *mc, ScimJson *value, int opindex);
static void members_hook(void *arg, const char *op, ScimFilterNode *filter,
						 const char *subattr, ScimJson *value, int opindex);
static void note_ids(ScimJson *list, SPITupleTable *tt, uint64 n);
static void write_group(ScimRequest *req, StoredGroup *old, ScimJson *doc,
						MemberChanges *mc, const char *action);
static ScimResult *result_for(ScimRequest *req, const char *id);
static Datum tenant_datum(ScimRequest *req);

/* the tenant id as a text datum */
static Datum
tenant_datum(ScimRequest *req)
{
	return CStringGetTextDatum(req->tenant->id);
}

/*
 * ScimGroupRender
 *		The representation of the group in tup, with its visible members
 *		unless with_members is false.  Runs a query of its own: callers
 *		iterating over SPI_tuptable must keep their own pointer to it.
 */
ScimJson *
ScimGroupRender(ScimRequest *req, HeapTuple tup, TupleDesc desc, bool with_members)
{
	static SPIPlanPtr plan = NULL;
	ScimJson   *doc = ScimJsonNew(SJ_OBJECT);
	ScimJson   *schemas = ScimJsonNew(SJ_ARRAY);
	ScimJson   *attrs;
	char	   *id = SPI_getvalue(tup, desc, GC_ID);
	char	   *s;
	bool		isnull;
	int			i;
	TimestampTz created = DatumGetTimestampTz(SPI_getbinval(tup, desc, GC_CREATED, &isnull));
	TimestampTz modified = DatumGetTimestampTz(SPI_getbinval(tup, desc, GC_MODIFIED, &isnull));
	int64		version = DatumGetInt64(SPI_getbinval(tup, desc, GC_VERSION, &isnull));
	Datum		uuid = SPI_getbinval(tup, desc, GC_ID, &isnull);

	ScimJsonSet(doc, "schemas", schemas);
	ScimJsonAppend(schemas, ScimJsonMakeString(SCIM_URN_GROUP));
	ScimJsonSet(doc, "id", ScimJsonMakeString(id));
	if ((s = SPI_getvalue(tup, desc, GC_EXTERNAL_ID)) != NULL)
		ScimJsonSet(doc, "externalId", ScimJsonMakeString(s));
	ScimJsonSet(doc, "displayName", ScimJsonMakeString(SPI_getvalue(tup, desc, GC_DISPLAY_NAME)));
	attrs = ScimJsonFromJsonb(DatumGetJsonbP(SPI_getbinval(tup, desc, GC_ATTRS, &isnull)));
	for (i = 0; i < attrs->count; i++)
		ScimJsonSet(doc, attrs->keys[i], attrs->items[i]);

	if (with_members)
	{
		Oid			types[3] = {TEXTOID, UUIDOID, BOOLOID};
		Datum		values[3];
		ScimJson   *members = ScimJsonNew(SJ_ARRAY);
		uint64		n;
		SPITupleTable *tt;

		values[0] = tenant_datum(req);
		values[1] = uuid;
		values[2] = BoolGetDatum(req->tenant->list_deactivated_members);
		ScimPlan(&plan,
				 "SELECT m.member_id, m.member_type, "
				 "COALESCE(u.display_name, u.user_name, mg.display_name) "
				 "FROM scim.members m "
				 "LEFT JOIN scim.users u ON m.member_type = 'User' "
				 "AND u.tenant_id = m.tenant_id AND u.id = m.member_id "
				 "LEFT JOIN scim.groups mg ON m.member_type = 'Group' "
				 "AND mg.tenant_id = m.tenant_id AND mg.id = m.member_id "
				 "WHERE m.tenant_id = $1 AND m.group_id = $2 AND " VISIBLE_MEMBER
				 " ORDER BY m.member_id", 3, types);
		n = ScimExec(plan, values, NULL, 0);
		tt = SPI_tuptable;
		for (i = 0; i < (int) n; i++)
		{
			ScimJson   *m = ScimJsonNew(SJ_OBJECT);
			char	   *mid = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);
			char	   *mtype = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
			char	   *disp = SPI_getvalue(tt->vals[i], tt->tupdesc, 3);

			CHECK_FOR_INTERRUPTS();
			ScimJsonSet(m, "value", ScimJsonMakeString(mid));
			ScimJsonSet(m, "$ref", ScimJsonMakeString(
													  ScimLocation(req, strcmp(mtype, "User") == 0 ? SCIM_RES_USER : SCIM_RES_GROUP, mid)));
			ScimJsonSet(m, "type", ScimJsonMakeString(mtype));
			if (disp)
				ScimJsonSet(m, "display", ScimJsonMakeString(disp));
			ScimJsonAppend(members, m);
		}
		ScimJsonSet(doc, "members", members);
	}
	ScimJsonSet(doc, "meta", ScimMeta(req, SCIM_RES_GROUP, id, created, modified, version));
	return doc;
}

/*
 * The state of a group of the request's tenant for a write, its row locked
 * (FOR NO KEY UPDATE); 404 when unknown.  Reads go through ScimGroupFetch
 * (key_fetch.c).
 */
static StoredGroup *
load_state(ScimRequest *req, const char *id)
{
	static SPIPlanPtr plan = NULL;
	StoredGroup *st = palloc0(sizeof(StoredGroup));
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;

	if (!ScimLockRow(req, &plan,
					 psprintf("SELECT %s FROM scim.groups g WHERE g.tenant_id = $1 "
							  "AND g.id = $2 FOR NO KEY UPDATE", ScimGroupColumns),
					 id, &st->uuid))
		ScimError(SCIM_ERR_NOT_FOUND, "group \"%s\" not found", id);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	st->id = SPI_getvalue(tup, desc, GC_ID);
	st->managed_by = SPI_getvalue(tup, desc, GC_MANAGED_BY);
	st->version = DatumGetInt64(SPI_getbinval(tup, desc, GC_VERSION, &isnull));
	st->raw = ScimGroupRender(req, tup, desc, false);
	st->norm = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_GROUP), st->raw);
	ScimCheckIfMatch(req, st->version);
	return st;
}

/* system groups, and app groups when the tenant says so, are read-only */
static void
check_writable(ScimRequest *req, StoredGroup *st)
{
	if (strcmp(st->managed_by, "system") == 0)
		ScimError(SCIM_ERR_MUTABILITY,
				  "group \"%s\" is a system group and cannot be changed through SCIM",
				  ScimJsonGetString(st->norm, "displayName"));
	if (strcmp(st->managed_by, "app") == 0 && !req->tenant->scim_may_modify_app_groups)
		ScimError(SCIM_ERR_MUTABILITY,
				  "group \"%s\" belongs to the application and cannot be changed through SCIM",
				  ScimJsonGetString(st->norm, "displayName"));
}

/* the tenant's rules on group names */
static void
check_name(ScimRequest *req, const char *name)
{
	int			i;
	const char *p;

	for (p = name; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		ScimError(SCIM_ERR_INVALID_VALUE, "displayName must not be blank");
	/* max_group_name_length counts characters; 0 means no limit */
	if (req->tenant->max_group_name_length > 0 &&
		pg_mbstrlen(name) > req->tenant->max_group_name_length)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "group names may not be longer than %d characters",
				  req->tenant->max_group_name_length);
	for (i = 0; i < req->tenant->nreserved_group_prefixes; i++)
	{
		const char *prefix = req->tenant->reserved_group_prefixes[i];

		if (scim_strncasecmp(name, prefix, strlen(prefix)) == 0)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "group names may not start with \"%s\"", prefix);
	}
}

/*
 * resolve_members
 *		The ids of a members value ([{value, type}] or one such object) as
 *		a uuid[] with their resource types in *types.  Every id must be a
 *		user or group of this tenant, and the group cannot contain itself;
 *		otherwise invalidValue, and nothing has changed.
 */
static ArrayType *
resolve_members(ScimRequest *req, const pg_uuid_t *group, ScimJson *value,
				ArrayType **types, int opindex)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, UUIDARRAYOID};
	Datum		values[2];
	ScimJson   *list = value;
	Datum	   *ids;
	Datum	   *kinds;
	char	  **wanted;
	int			n = 0,
				i;
	uint64		found;
	ArrayType  *idarr;
	char	   *prefix = opindex > 0 ? psprintf("operation %d: ", opindex) : "";

	if (value == NULL || value->type == SJ_NULL)
	{
		*types = construct_empty_array(TEXTOID);
		return construct_empty_array(UUIDOID);
	}
	if (value->type == SJ_OBJECT)
	{
		list = ScimJsonNew(SJ_ARRAY);
		ScimJsonAppend(list, value);
	}
	if (list->type != SJ_ARRAY)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "%s\"members\" must be an array of objects with a \"value\"", prefix);

	ids = palloc(sizeof(Datum) * (list->count + 1));
	wanted = palloc(sizeof(char *) * (list->count + 1));
	for (i = 0; i < list->count; i++)
	{
		ScimJson   *m = list->items[i];
		const char *v;
		pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

		CHECK_FOR_INTERRUPTS();
		if (m->type != SJ_OBJECT || (v = ScimJsonGetString(m, "value")) == NULL)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "%seach member must be an object with a string \"value\"", prefix);
		if (!ScimParseUuid(v, u))
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "%smember \"%s\" is not a user or group of this organization",
					  prefix, v);
		if (memcmp(u->data, group->data, UUID_LEN) == 0)
			ScimError(SCIM_ERR_INVALID_VALUE, "%sa group cannot be a member of itself",
					  prefix);
		wanted[n] = (char *) ScimJsonGetString(m, "type");
		ids[n++] = UUIDPGetDatum(u);
	}
	idarr = construct_array(ids, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR);

	values[0] = tenant_datum(req);
	values[1] = PointerGetDatum(idarr);
	ScimPlan(&plan,
			 "SELECT x.ord, CASE WHEN EXISTS (SELECT 1 FROM scim.users u "
			 "WHERE u.tenant_id = $1 AND u.id = x.id) THEN 'User' "
			 "WHEN EXISTS (SELECT 1 FROM scim.groups g "
			 "WHERE g.tenant_id = $1 AND g.id = x.id) THEN 'Group' END "
			 "FROM unnest($2) WITH ORDINALITY AS x(id, ord) ORDER BY x.ord",
			 2, argtypes);
	found = ScimExec(plan, values, NULL, 0);
	kinds = palloc(sizeof(Datum) * (n + 1));
	for (i = 0; i < (int) found; i++)
	{
		char	   *kind = ScimSpiText(i, 2);
		const char *v = ScimJsonGetString(list->items[i], "value");

		CHECK_FOR_INTERRUPTS();
		if (kind == NULL)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "%smember \"%s\" is not a user or group of this organization",
					  prefix, v);
		if (wanted[i] && pg_strcasecmp(wanted[i], kind) != 0)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "%smember \"%s\" is a %s, not a %s", prefix, v, kind, wanted[i]);
		kinds[i] = CStringGetTextDatum(kind);
	}
	*types = construct_array(kinds, n, TEXTOID, -1, false, TYPALIGN_INT);
	return idarr;
}

/* append the member ids of a RETURNING result to list (at most 1000 kept) */
static void
note_ids(ScimJson *list, SPITupleTable *tt, uint64 n)
{
	uint64		i;

	for (i = 0; i < n && list->count < 1000; i++)
		ScimJsonAppend(list, ScimJsonMakeString(SPI_getvalue(tt->vals[i], tt->tupdesc, 1)));
}

/* add the members listed in value; already present ones are left alone */
static void
add_members(MemberChanges *mc, ScimJson *value, int opindex)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[4] = {TEXTOID, UUIDOID, UUIDARRAYOID, TEXTARRAYOID};
	Datum		values[4];
	ArrayType  *kinds;
	ArrayType  *ids = resolve_members(mc->req, &mc->group->uuid, value, &kinds, opindex);
	uint64		n;
	uint64		i;

	if (ArrayGetNItems(ARR_NDIM(ids), ARR_DIMS(ids)) == 0)
		return;
	values[0] = tenant_datum(mc->req);
	values[1] = UUIDPGetDatum(&mc->group->uuid);
	values[2] = PointerGetDatum(ids);
	values[3] = PointerGetDatum(kinds);
	ScimPlan(&plan,
			 "WITH changed AS (INSERT INTO scim.members (tenant_id, group_id, member_id, member_type) "
			 "SELECT $1, $2, x.id, x.t FROM unnest($3, $4) AS x(id, t) "
			 "ON CONFLICT DO NOTHING RETURNING member_id, member_type), " BUMP_USERS, 4, types);
	n = ScimExec(plan, values, NULL, 0);
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		/* deleted by a concurrent transaction since resolve_members saw it */
		if (!DatumGetBool(ScimSpiDatum(i, 2, &isnull)))
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "%smember \"%s\" is not a user or group of this organization",
					  opindex > 0 ? psprintf("operation %d: ", opindex) : "",
					  ScimSpiText(i, 1));
	}
	mc->added += n;
	note_ids(mc->added_ids, SPI_tuptable, n);
}

/*
 * member_params
 *		The parameters of the member statements: $1 the tenant, $2 the group,
 *		$3 whether deactivated users count as members, $4 ids (when given).
 */
static void
member_params(MemberChanges *mc, ArrayType *ids, Datum *values)
{
	values[0] = tenant_datum(mc->req);
	values[1] = UUIDPGetDatum(&mc->group->uuid);
	values[2] = BoolGetDatum(mc->req->tenant->list_deactivated_members);
	if (ids != NULL)
		values[3] = PointerGetDatum(ids);
}

/* run a member-removing statement and note the members it removed */
static void
run_removal(MemberChanges *mc, SPIPlanPtr plan, Datum *values)
{
	uint64		n = ScimExec(plan, values, NULL, 0);

	mc->removed += n;
	note_ids(mc->removed_ids, SPI_tuptable, n);
}

/* remove the visible members whose ids are in ids */
static void
remove_members(MemberChanges *mc, ArrayType *ids)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[4] = {TEXTOID, UUIDOID, BOOLOID, UUIDARRAYOID};
	Datum		values[4];

	if (ArrayGetNItems(ARR_NDIM(ids), ARR_DIMS(ids)) == 0)
		return;
	member_params(mc, ids, values);
	ScimPlan(&plan,
			 "WITH changed AS (DELETE FROM scim.members m WHERE m.tenant_id = $1 AND m.group_id = $2 "
			 "AND m.member_id IN (SELECT x.id FROM unnest($4) AS x(id)) AND " VISIBLE_MEMBER
			 " RETURNING m.member_id, m.member_type), " BUMP_USERS, 4, types);
	run_removal(mc, plan, values);
}

/* remove every visible member */
static void
remove_all_members(MemberChanges *mc)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[3] = {TEXTOID, UUIDOID, BOOLOID};
	Datum		values[3];

	member_params(mc, NULL, values);
	ScimPlan(&plan,
			 "WITH changed AS (DELETE FROM scim.members m WHERE m.tenant_id = $1 AND m.group_id = $2 "
			 "AND " VISIBLE_MEMBER " RETURNING m.member_id, m.member_type), " BUMP_USERS,
			 3, types);
	run_removal(mc, plan, values);
}

/* make the visible members exactly those listed in value */
static void
replace_members(MemberChanges *mc, ScimJson *value, int opindex)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr lck = NULL;
	Oid			types[4] = {TEXTOID, UUIDOID, BOOLOID, UUIDARRAYOID};
	Datum		values[4];
	ArrayType  *kinds;
	ArrayType  *ids = resolve_members(mc->req, &mc->group->uuid, value, &kinds, opindex);

	member_params(mc, ids, values);

	/*
	 * The removal and the addition below are two statements, each locking its
	 * users in id order; two replacements running at once could still take
	 * them in crossing order.  Lock every user whose membership may change
	 * (listed xor member) in one go first.
	 */
	ScimPlan(&lck,
			 "SELECT u.id FROM scim.users u WHERE u.tenant_id = $1 AND u.id IN ("
			 "SELECT x.id FROM unnest($4) AS x(id) UNION "
			 "SELECT m.member_id FROM scim.members m WHERE m.tenant_id = $1 AND m.group_id = $2) "
			 "AND (u.id IN (SELECT x.id FROM unnest($4) AS x(id))) <> EXISTS (SELECT 1 FROM scim.members m "
			 "WHERE m.tenant_id = $1 AND m.group_id = $2 AND m.member_id = u.id) "
			 "ORDER BY u.id FOR NO KEY UPDATE OF u", 4, types);
	ScimExec(lck, values, NULL, 0);
	ScimPlan(&plan,
			 "WITH changed AS (DELETE FROM scim.members m WHERE m.tenant_id = $1 AND m.group_id = $2 "
			 "AND NOT EXISTS (SELECT 1 FROM unnest($4) AS x(id) WHERE x.id = m.member_id) AND "
			 VISIBLE_MEMBER
			 " RETURNING m.member_id, m.member_type), " BUMP_USERS, 4, types);
	run_removal(mc, plan, values);
	add_members(mc, value, opindex);
}

/*
 * The ids named by a members filter of the form value eq "<id>", possibly
 * or-ed together (Okta's removal); NULL for any other filter.
 */
static List *
filter_ids(ScimFilterNode *f, List *acc, bool *simple)
{
	if (f->op == SCIM_FOP_OR)
	{
		acc = filter_ids(f->left, acc, simple);
		return filter_ids(f->right, acc, simple);
	}
	if (f->op == SCIM_FOP_EQ && f->path.urn == NULL && f->path.sub == NULL &&
		scim_strcasecmp(f->path.attr, "value") == 0 && f->vkind == SCIM_VAL_STRING)
		return lappend(acc, f->value);
	*simple = false;
	return acc;
}

/* the "value" strings of a members value (array or single object) */
static List *
value_ids(ScimJson *value, int opindex)
{
	List	   *ids = NIL;
	int			i;

	if (value->type == SJ_OBJECT)
	{
		const char *v = ScimJsonGetString(value, "value");

		if (v == NULL)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "operation %d: each member must be an object with a string \"value\"",
					  opindex);
		return list_make1((char *) v);
	}
	if (value->type != SJ_ARRAY)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "operation %d: \"members\" must be an array of objects with a \"value\"",
				  opindex);
	for (i = 0; i < value->count; i++)
	{
		const char *v = ScimJsonGetString(value->items[i], "value");

		if (v == NULL)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "operation %d: each member must be an object with a string \"value\"",
					  opindex);
		ids = lappend(ids, (char *) v);
	}
	return ids;
}

/* uuid[] of the strings in ids that are uuids (others match no member) */
static ArrayType *
uuid_array(List *ids)
{
	Datum	   *d = palloc(sizeof(Datum) * (list_length(ids) + 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, ids)
	{
		pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

		if (ScimParseUuid((char *) lfirst(lc), u))
			d[n++] = UUIDPGetDatum(u);
	}
	return construct_array(d, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR);
}

/* ids of the visible members that match an arbitrary members filter */
static ArrayType *
matching_members(MemberChanges *mc, ScimFilterNode *filter)
{
	ScimJson   *all;
	List	   *ids = NIL;
	const ScimAttrDef *def = ScimSchemaFindAttr(&ScimGroupSchema, "members");
	HeapTuple	tup;
	TupleDesc	desc;
	int			i;

	if (!ScimGroupFetch(mc->req, &mc->group->uuid, &tup, &desc))
		ScimError(SCIM_ERR_NOT_FOUND, "group \"%s\" not found", mc->group->id);
	all = ScimJsonGet(ScimGroupRender(mc->req, tup, desc, true), "members");
	for (i = 0; i < all->count; i++)
		if (ScimFilterMatchValue(filter, all->items[i], def))
			ids = lappend(ids, (char *) ScimJsonGetString(all->items[i], "value"));
	return uuid_array(ids);
}

/*
 * members_hook
 *		The PATCH engine's callback for operations on "members".
 */
static void
members_hook(void *arg, const char *op, ScimFilterNode *filter,
			 const char *subattr, ScimJson *value, int opindex)
{
	MemberChanges *mc = (MemberChanges *) arg;

	if (subattr != NULL)
		ScimError(SCIM_ERR_MUTABILITY,
				  "operation %d: the sub-attributes of members are immutable", opindex);
	if (strcmp(op, "add") == 0)
	{
		if (filter != NULL)
			ScimError(SCIM_ERR_INVALID_PATH,
					  "operation %d: add to members takes no filter", opindex);
		add_members(mc, value, opindex);
	}
	else if (strcmp(op, "remove") == 0)
	{
		if (filter != NULL)
		{
			bool		simple = true;
			List	   *ids = filter_ids(filter, NIL, &simple);

			remove_members(mc, simple ? uuid_array(ids) : matching_members(mc, filter));
		}
		else if (value != NULL && value->type != SJ_NULL)
		{
			/* Entra's legacy form: remove only the members listed in value */
			remove_members(mc, uuid_array(value_ids(value, opindex)));
		}
		else
			remove_all_members(mc);
	}
	else
	{
		if (filter != NULL)
			ScimError(SCIM_ERR_MUTABILITY,
					  "operation %d: members cannot be replaced one by one: remove and add them",
					  opindex);
		replace_members(mc, value, opindex);
	}
}

/*
 * The parameters $1..$6 of the write statements: tenant, id, the doc's
 * column values and attrs, and now as $6.
 */
static void
bind_group(ScimRequest *req, const pg_uuid_t *uuid, ScimJson *doc,
		   Datum *values, char *nulls)
{
	ScimJson   *attrs = ScimJsonNew(SJ_OBJECT);
	int			i;

	values[0] = tenant_datum(req);
	values[1] = UUIDPGetDatum(uuid);
	values[5] = TimestampTzGetDatum(GetCurrentTimestamp());
	for (i = 0; i < doc->count; i++)
		if (strcmp(doc->keys[i], "displayName") != 0 &&
			strcmp(doc->keys[i], "externalId") != 0 &&
			strcmp(doc->keys[i], "members") != 0)
			ScimJsonSet(attrs, doc->keys[i], doc->items[i]);
	values[2] = CStringGetTextDatum(ScimJsonGetString(doc, "displayName"));
	nulls[2] = ' ';
	values[3] = ScimTextDatumOrNull(ScimJsonGetString(doc, "externalId"), &nulls[3]);
	values[4] = ScimJsonToJsonb(attrs);
	nulls[4] = ' ';
}

/*
 * Move the version of every user member of a group whose name changed or
 * that is being deleted: their "groups" attribute shows it.  O(members),
 * which is the price of renames and deletes, not of membership changes.
 */
static void
bump_all_user_members(ScimRequest *req, const pg_uuid_t *group)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[2] = {TEXTOID, UUIDOID};
	Datum		values[2];

	values[0] = tenant_datum(req);
	values[1] = UUIDPGetDatum(group);
	/* users locked in id order, as everywhere (see BUMP_USERS) */
	ScimPlan(&plan,
			 "WITH l AS (SELECT u.id FROM scim.users u JOIN scim.members m "
			 "ON u.tenant_id = m.tenant_id AND u.id = m.member_id "
			 "WHERE m.tenant_id = $1 AND m.group_id = $2 AND m.member_type = 'User' "
			 "ORDER BY u.id FOR NO KEY UPDATE OF u) "
			 "UPDATE scim.users u SET version = u.version + 1, "
			 "last_modified = GREATEST(clock_timestamp(), u.last_modified) "
			 "FROM l WHERE u.tenant_id = $1 AND u.id = l.id",
			 2, types);
	ScimExec(plan, values, NULL, 0);
}

/* 409 when another group of the tenant has this displayName (any case) */
static void
check_name_free(ScimRequest *req, const char *name, const pg_uuid_t *except)
{
	static SPIPlanPtr plan = NULL;

	ScimCheckKeyFree(req, &plan,
					 "SELECT 1 FROM scim.groups g WHERE g.tenant_id = $1 "
					 "AND scim._lower(g.display_name) = lower($2) AND g.id <> $3",
					 "group displayName", name, except);
}

/*
 * write_group
 *		Store doc (normalized, without members) as the new state of group
 *		old, and record the changes.  One version step covers the document
 *		and the membership changes of the request together; nothing moves
 *		when neither changed.
 */
static void
write_group(ScimRequest *req, StoredGroup *old, ScimJson *doc, MemberChanges *mc,
			const char *action)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[6] = {TEXTOID, UUIDOID, TEXTOID, TEXTOID, JSONBOID, TIMESTAMPTZOID};
	Datum		values[6];
	char		nulls[6] = "      ";
	bool		doc_changed = !ScimJsonEqual(old->norm, doc, true);
	bool		members_changed = mc && (mc->added > 0 || mc->removed > 0);
	ScimJson   *changes;

	if (!doc_changed && !members_changed)
		return;
	if (doc_changed)
	{
		const char *name = ScimJsonGetString(doc, "displayName");

		check_name(req, name);
		if (scim_strcasecmp(name, ScimJsonGetString(old->norm, "displayName")) != 0)
			check_name_free(req, name, &old->uuid);
		if (strcmp(name, ScimJsonGetString(old->norm, "displayName")) != 0)
			bump_all_user_members(req, &old->uuid);
	}
	bind_group(req, &old->uuid, doc, values, nulls);
	ScimPlan(&plan,
			 "UPDATE scim.groups SET display_name = $3, external_id = $4, attrs = $5, "
			 "last_modified = GREATEST($6, last_modified), version = version + 1 "
			 "WHERE tenant_id = $1 AND id = $2", 6, types);
	ScimExec(plan, values, nulls, 0);

	if (doc_changed)
	{
		changes = ScimJsonNew(SJ_OBJECT);
		ScimJsonSet(changes, "attributes", ScimChangedAttributes(old->norm, doc));
		ScimEventAppend(req, "Group", &old->uuid, action, changes);
	}
	if (mc && mc->added > 0)
	{
		changes = ScimJsonNew(SJ_OBJECT);
		ScimJsonSet(changes, "count", ScimJsonMakeNumber(psprintf(INT64_FORMAT, mc->added)));
		ScimJsonSet(changes, "members", mc->added_ids);
		ScimEventAppend(req, "Group", &old->uuid, "members_added", changes);
	}
	if (mc && mc->removed > 0)
	{
		changes = ScimJsonNew(SJ_OBJECT);
		ScimJsonSet(changes, "count", ScimJsonMakeNumber(psprintf(INT64_FORMAT, mc->removed)));
		ScimJsonSet(changes, "members", mc->removed_ids);
		ScimEventAppend(req, "Group", &old->uuid, "members_removed", changes);
	}
	req->changed = true;
}

/* a fresh change tracker for group st */
static MemberChanges *
new_changes(ScimRequest *req, StoredGroup *st)
{
	MemberChanges *mc = palloc0(sizeof(MemberChanges));

	mc->req = req;
	mc->group = st;
	mc->added_ids = ScimJsonNew(SJ_ARRAY);
	mc->removed_ids = ScimJsonNew(SJ_ARRAY);
	return mc;
}

/*
 * The group as now stored: with its members unless the caller said it will
 * not send them (an HTTP PATCH answered 204 or without members, a Bulk
 * operation), so that a change of k members costs O(k) whatever the
 * group's size.
 */
static ScimResult *
result_for(ScimRequest *req, const char *id)
{
	return ScimGroupGet(req, id, !req->no_member_list);
}

/*
 * ScimGroupCreate
 *		POST /Groups.
 */
ScimResult *
ScimGroupCreate(ScimRequest *req, ScimJson *in)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[6] = {TEXTOID, UUIDOID, TEXTOID, TEXTOID, JSONBOID, TIMESTAMPTZOID};
	Datum		values[6];
	char		nulls[6] = "      ";
	ScimJson   *doc = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_GROUP), in);
	StoredGroup st;
	MemberChanges *mc;
	ScimJson   *changes;
	const char *name = ScimJsonGetString(doc, "displayName");

	check_name(req, name);
	memset(&st, 0, sizeof(st));
	ScimNewUuid(&st.uuid);
	st.id = ScimUuidToString(&st.uuid);

	bind_group(req, &st.uuid, doc, values, nulls);
	ScimPlan(&plan,
			 "INSERT INTO scim.groups (tenant_id, id, display_name, external_id, attrs, "
			 "created, last_modified) VALUES ($1, $2, $3, $4, $5, $6, $6) "
			 "ON CONFLICT DO NOTHING", 6, types);
	if (ScimExec(plan, values, nulls, 0) != 1)
		ScimError(SCIM_ERR_UNIQUENESS, "group displayName \"%s\" is already in use", name);

	changes = ScimJsonNew(SJ_OBJECT);
	ScimJsonSet(changes, "attributes", ScimChangedAttributes(NULL, doc));
	ScimJsonSet(changes, "displayName", ScimJsonMakeString(name));
	ScimEventAppend(req, "Group", &st.uuid, "created", changes);

	mc = new_changes(req, &st);
	add_members(mc, ScimJsonGet(doc, "members"), 0);
	if (mc->added > 0)
	{
		changes = ScimJsonNew(SJ_OBJECT);
		ScimJsonSet(changes, "count", ScimJsonMakeNumber(psprintf(INT64_FORMAT, mc->added)));
		ScimJsonSet(changes, "members", mc->added_ids);
		ScimEventAppend(req, "Group", &st.uuid, "members_added", changes);
	}
	req->changed = true;
	return result_for(req, st.id);
}

/*
 * ScimGroupGet
 *		GET /Groups/{id}, with or without the member list.
 */
ScimResult *
ScimGroupGet(ScimRequest *req, const char *id, bool with_members)
{
	ScimResult *r = palloc0(sizeof(ScimResult));
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	pg_uuid_t	uuid;

	/* ids that are not UUIDs are simply unknown */
	if (!ScimParseUuid(id, &uuid) || !ScimGroupFetch(req, &uuid, &tup, &desc))
		ScimError(SCIM_ERR_NOT_FOUND, "group \"%s\" not found", id);
	r->version = DatumGetInt64(SPI_getbinval(tup, desc, GC_VERSION, &isnull));
	r->id = SPI_getvalue(tup, desc, GC_ID);
	r->resource = ScimGroupRender(req, tup, desc, with_members);
	return r;
}

/*
 * ScimGroupReplace
 *		PUT /Groups/{id}: the members sent become the visible membership
 *		(none sent: none left).  With put_mode "merge" (Zulip), omitted
 *		attributes are kept and an empty or missing member list leaves the
 *		membership alone.
 */
ScimResult *
ScimGroupReplace(ScimRequest *req, const char *id, ScimJson *in)
{
	StoredGroup *old = load_state(req, id);
	ScimJson   *doc;
	ScimJson   *members;
	MemberChanges *mc = new_changes(req, old);

	check_writable(req, old);
	doc = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_GROUP), in);
	members = ScimJsonGet(doc, "members");
	ScimJsonRemove(doc, "members");
	if (req->tenant->put_merge)
	{
		doc = ScimMergeOver(old->norm, doc);
		if (members != NULL)
			replace_members(mc, members, 0);
	}
	else
		replace_members(mc, members, 0);
	write_group(req, old, doc, mc, "replaced");
	return result_for(req, old->id);
}

/* add the uuids among the "value"s of a members value to *ids */
static void
collect_value_ids(ScimJson *value, List **ids)
{
	int			i;

	if (value == NULL)
		return;
	if (value->type == SJ_OBJECT)
	{
		const char *v = ScimJsonGetString(value, "value");

		if (v)
			*ids = lappend(*ids, (char *) v);
		return;
	}
	if (value->type != SJ_ARRAY)
		return;
	for (i = 0; i < value->count; i++)
		collect_value_ids(value->items[i], ids);
}

/*
 * prelock_patch_members
 *		Each member operation of a PATCH is a statement of its own that locks
 *		the users it changes in id order; with several operations, two
 *		PATCHes on different groups could still take the same users in
 *		crossing order and deadlock.  So before the first operation, lock in
 *		one go (id order) every user the member operations may change: the
 *		ids they name, and all current members when an operation removes or
 *		replaces members it does not name.  Over-locking is harmless; this
 *		never raises an error of its own (malformed operations are left to
 *		the PATCH engine).  Groups named as members are only read.
 */
static void
prelock_patch_members(ScimRequest *req, StoredGroup *st, ScimJson *patch)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[4] = {TEXTOID, UUIDOID, UUIDARRAYOID, BOOLOID};
	Datum		values[4];
	ScimJson   *ops = ScimJsonGet(patch, "Operations");
	List	   *ids = NIL;
	bool		all = false;
	int			member_ops = 0;
	int			i;

	if (ops == NULL || ops->type != SJ_ARRAY || ops->count < 2)
		return;
	for (i = 0; i < ops->count; i++)
	{
		ScimJson   *op = ops->items[i];
		const char *name = ScimJsonGetString(op, "op");
		const char *path = ScimJsonGetString(op, "path");
		ScimJson   *value = ScimJsonGet(op, "value");
		ScimPatchPath pp;
		ScimParseError err;

		if (op->type != SJ_OBJECT || name == NULL)
			continue;
		if (path == NULL)
		{
			/* a path-less add or replace may carry "members" in its value */
			if (value && value->type == SJ_OBJECT && ScimJsonGet(value, "members"))
			{
				member_ops++;
				collect_value_ids(ScimJsonGet(value, "members"), &ids);
				if (scim_strcasecmp(name, "add") != 0)
					all = true;
			}
			continue;
		}
		if (!ScimPatchPathParse(path, strlen(path), &pp, &err) ||
			scim_strcasecmp(pp.attr.attr, "members") != 0)
			continue;
		member_ops++;
		if (pp.filter != NULL)
		{
			bool		simple = true;

			ids = filter_ids(pp.filter, ids, &simple);
			if (!simple)
				all = true;
		}
		collect_value_ids(value, &ids);
		if (scim_strcasecmp(name, "replace") == 0 ||
			(scim_strcasecmp(name, "remove") == 0 && pp.filter == NULL &&
			 (value == NULL || value->type == SJ_NULL)))
			all = true;
	}
	if (member_ops < 2)
		return;

	values[0] = tenant_datum(req);
	values[1] = UUIDPGetDatum(&st->uuid);
	values[2] = PointerGetDatum(uuid_array(ids));
	values[3] = BoolGetDatum(all);
	ScimPlan(&plan,
			 "SELECT u.id FROM scim.users u WHERE u.tenant_id = $1 AND u.id IN ("
			 "SELECT x.id FROM unnest($3) AS x(id) UNION "
			 "SELECT m.member_id FROM scim.members m WHERE $4 AND m.tenant_id = $1 "
			 "AND m.group_id = $2 AND m.member_type = 'User') "
			 "ORDER BY u.id FOR NO KEY UPDATE OF u", 4, types);
	ScimExec(plan, values, NULL, 0);
}

/*
 * ScimGroupPatch
 *		PATCH /Groups/{id}: operations on members become row changes,
 *		the rest edits the document.
 */
ScimResult *
ScimGroupPatch(ScimRequest *req, const char *id, ScimJson *patch)
{
	StoredGroup *old = load_state(req, id);
	MemberChanges *mc;
	ScimPatchHooks hooks;
	ScimJson   *patched;
	ScimJson   *doc;

	check_writable(req, old);
	prelock_patch_members(req, old, patch);
	mc = new_changes(req, old);
	hooks.members = members_hook;
	hooks.arg = mc;
	patched = ScimPatchApply(ScimResourceType(req->tenant, SCIM_RES_GROUP), old->raw, patch, &hooks);
	doc = ScimValidate(ScimResourceType(req->tenant, SCIM_RES_GROUP), patched);
	ScimJsonRemove(doc, "members");
	write_group(req, old, doc, mc, "patched");
	return result_for(req, old->id);
}

/*
 * ScimGroupDelete
 *		DELETE /Groups/{id}.  Its members are not touched (RFC 7644 §3.6);
 *		groups it belonged to lose it and move to a new version.
 */
void
ScimGroupDelete(ScimRequest *req, const char *id)
{
	static SPIPlanPtr grp = NULL;
	static SPIPlanPtr del = NULL;
	static SPIPlanPtr lck = NULL;
	static SPIPlanPtr late = NULL;
	Oid			types[3] = {TEXTOID, UUIDOID, TIMESTAMPTZOID};
	Datum		values[3];
	StoredGroup *old;
	ScimJson   *changes;
	pg_uuid_t	uuid;

	/*
	 * The group and the groups it is a member of all change: lock them
	 * together in id order before anything else, as a user's delete locks its
	 * groups, so that neither can hold one of them while waiting for another
	 * the other holds.  (load_state then finds its row locked by us already.)
	 */
	if (ScimParseUuid(id, &uuid))
	{
		values[0] = tenant_datum(req);
		values[1] = UUIDPGetDatum(&uuid);
		ScimPlan(&lck,
				 "SELECT g.id FROM scim.groups g WHERE g.tenant_id = $1 AND (g.id = $2 "
				 "OR g.id IN (SELECT m.group_id FROM scim.members m "
				 "WHERE m.tenant_id = $1 AND m.member_id = $2)) "
				 "ORDER BY g.id FOR NO KEY UPDATE", 2, types);
		ScimExec(lck, values, NULL, 0);
	}
	old = load_state(req, id);

	check_writable(req, old);
	if (req->tenant->group_delete == SCIM_GROUP_DELETE_REJECT)
		ScimError(SCIM_ERR_REJECTED, "groups of this organization cannot be deleted through SCIM");

	values[0] = tenant_datum(req);
	values[1] = UUIDPGetDatum(&old->uuid);
	values[2] = TimestampTzGetDatum(GetCurrentTimestamp());
	ScimPlan(&grp,
			 "UPDATE scim.groups g SET version = g.version + 1, "
			 "last_modified = GREATEST($3, g.last_modified) "
			 "FROM scim.members m WHERE m.tenant_id = $1 AND m.member_id = $2 "
			 "AND g.tenant_id = m.tenant_id AND g.id = m.group_id", 3, types);
	ScimExec(grp, values, NULL, 0);
	bump_all_user_members(req, &old->uuid);
	ScimPlan(&del,
			 "WITH m AS (DELETE FROM scim.members WHERE tenant_id = $1 AND member_id = $2) "
			 "DELETE FROM scim.groups WHERE tenant_id = $1 AND id = $2", 2, types);
	ScimExec(del, values, NULL, 0);

	/*
	 * A concurrent PATCH that added this group to another one holds it FOR
	 * KEY SHARE (BUMP_USERS), so the DELETE above waited for it to commit;
	 * the statement's own snapshot did not see that membership row.  A new
	 * statement does.
	 */
	ScimPlan(&late,
			 "DELETE FROM scim.members WHERE tenant_id = $1 AND member_id = $2", 2, types);
	ScimExec(late, values, NULL, 0);

	changes = ScimJsonNew(SJ_OBJECT);
	ScimJsonSet(changes, "displayName", ScimJsonCopy(ScimJsonGet(old->norm, "displayName")));
	ScimEventAppend(req, "Group", &old->uuid, "deleted", changes);
	req->changed = true;
}
