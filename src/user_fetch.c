/*-------------------------------------------------------------------------
 *
 * user_fetch.c
 *	  Reading one user, found by a unique key, straight from the indexes.
 *
 * GET /Users/{id} and the IdPs' lookup (filter userName eq "...") read one
 * row of scim.users and the user's groups.  As one SQL statement through
 * SPI, the executor's start-up and shut-down of its five plan nodes were
 * most of the extension's cost of such a request (bench/README.md, F-9).
 * Here the same rows are read the way PostgreSQL reads its own catalogs:
 * an index scan with equality keys on the primary key (tenant_id, id) or
 * the userName key (tenant_id, scim._lower(user_name)), then the user's
 * memberships through members_member (tenant_id, member_id), each group
 * through groups_pkey.
 *
 * The result is a tuple in the very shape of ScimUserColumns (user.c), so
 * the renderer cannot tell where it came from.  What the SQL statement gave
 * for free is kept by hand:
 *	- The tenant is the first column of every key: a scan cannot leave the
 *	  request's tenant, which is what row-level security would enforce
 *	  (the tables' policy compares the same column with scim.tenant, the
 *	  setting ScimTenantScope gave the same value).
 *	- Visibility: like a read-write SPI statement, the command counter is
 *	  advanced and a fresh snapshot taken, so a read sees what committed
 *	  before it and what its own transaction wrote.
 *	- Locks: AccessShareLock on the tables and indexes, taken before the
 *	  scans and held to the end of the transaction, as the executor does.
 *	- The keys' collations are the indexes' own.
 *
 * The relations are found by name and their column numbers by name once,
 * checked against the index definitions, and forgotten on any relcache
 * invalidation of them (an ALTER, a VACUUM, a DROP EXTENSION).
 *
 * src/user_fetch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "storage/lmgr.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"

#include "scim.h"

/* the columns of scim.users in ScimUserColumns order; groups come last */
static const char *const user_columns[] = {
	"id", "user_name", "external_id", "active", "display_name",
	"name_formatted", "given_name", "family_name", "middle_name",
	"honorific_prefix", "honorific_suffix", "role", "attrs", "created",
	"last_modified", "version", "derived"
};

#define NUM_USER_COLUMNS lengthof(user_columns)
#define NUM_OUT_COLUMNS (NUM_USER_COLUMNS + 1)

/* what the scans need to know, found once */
typedef struct FetchInfo
{
	bool		valid;
	Oid			users;
	Oid			users_pkey;
	Oid			users_user_name;
	Oid			members;
	Oid			members_member;
	Oid			groups;
	Oid			groups_pkey;
	AttrNumber	user_att[NUM_USER_COLUMNS];
	AttrNumber	member_group_id;
	AttrNumber	group_display_name;
	TupleDesc	out_desc;		/* ScimUserColumns' shape */
} FetchInfo;

static FetchInfo info;
static bool callback_registered = false;

/* one group of a user */
typedef struct GroupRef
{
	pg_uuid_t	id;
	text	   *display_name;
} GroupRef;

/* forward declarations */
static void load_info(void);
static Oid	relation_oid(Oid nsp, const char *name);
static AttrNumber column_of(Relation rel, const char *name, Oid type);
static void check_index(Relation index, Relation heap, const char *first,
						const char *second);
static Datum user_groups(Datum tenant, Datum user_id, Snapshot snap,
						 bool *isnull);
static int	group_ref_cmp(const void *a, const void *b);


/* relcache callback: forget everything when one of our relations changes */
static void
relcache_callback(Datum arg, Oid relid)
{
	if (!info.valid)
		return;
	if (relid == InvalidOid || relid == info.users || relid == info.users_pkey ||
		relid == info.users_user_name || relid == info.members ||
		relid == info.members_member || relid == info.groups ||
		relid == info.groups_pkey)
		info.valid = false;
}

/* the OID of relation scim.name; it must exist */
static Oid
relation_oid(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "relation scim.%s does not exist", name);
	return relid;
}

/* the number of column name of rel, which must be of type type (if valid) */
static AttrNumber
column_of(Relation rel, const char *name, Oid type)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
		{
			if (OidIsValid(type) && att->atttypid != type)
				elog(ERROR, "column %s of %s is of type %s, not %s", name,
					 RelationGetRelationName(rel), format_type_be(att->atttypid),
					 format_type_be(type));
			return att->attnum;
		}
	}
	elog(ERROR, "column %s of %s does not exist", name,
		 RelationGetRelationName(rel));
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/*
 * index must be a btree on (first, second) of heap; second NULL: an
 * expression (users_user_name's scim._lower(user_name)).
 */
static void
check_index(Relation index, Relation heap, const char *first,
			const char *second)
{
	Form_pg_index ind = index->rd_index;

	if (index->rd_rel->relam != BTREE_AM_OID || ind->indnkeyatts != 2 ||
		ind->indrelid != RelationGetRelid(heap) ||
		ind->indkey.values[0] != column_of(heap, first, TEXTOID) ||
		(second != NULL && ind->indkey.values[1] != column_of(heap, second, UUIDOID)) ||
		(second == NULL && ind->indkey.values[1] != 0))
		elog(ERROR, "index %s is not the one expected",
			 RelationGetRelationName(index));
}

/* find the relations, their columns and check the indexes */
static void
load_info(void)
{
	Oid			nsp;
	Relation	rel;
	Relation	index;
	TupleDesc	out;
	TupleDesc	kept;
	MemoryContext old;
	int			i;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	kept = info.out_desc;
	memset(&info, 0, sizeof(info));		/* not valid until the end */

	nsp = get_namespace_oid("scim", false);
	info.users = relation_oid(nsp, "users");
	info.users_pkey = relation_oid(nsp, "users_pkey");
	info.users_user_name = relation_oid(nsp, "users_user_name");
	info.members = relation_oid(nsp, "members");
	info.members_member = relation_oid(nsp, "members_member");
	info.groups = relation_oid(nsp, "groups");
	info.groups_pkey = relation_oid(nsp, "groups_pkey");

	rel = table_open(info.users, AccessShareLock);
	old = MemoryContextSwitchTo(CacheMemoryContext);
	out = CreateTemplateTupleDesc(NUM_OUT_COLUMNS);
	MemoryContextSwitchTo(old);
	for (i = 0; i < (int) NUM_USER_COLUMNS; i++)
	{
		Form_pg_attribute att;

		info.user_att[i] = column_of(rel, user_columns[i], InvalidOid);
		att = TupleDescAttr(RelationGetDescr(rel), info.user_att[i] - 1);
		TupleDescInitEntry(out, i + 1, user_columns[i], att->atttypid,
						   att->atttypmod, att->attndims);
	}
	TupleDescInitEntry(out, NUM_OUT_COLUMNS, "groups", JSONBOID, -1, 0);

	/*
	 * Tuples handed out earlier may still be read with the kept descriptor:
	 * it stays, and is replaced (never freed) only if the columns' types
	 * changed.
	 */
	if (kept != NULL && equalTupleDescs(kept, out))
	{
		FreeTupleDesc(out);
		out = kept;
	}
	info.out_desc = out;
	index = index_open(info.users_pkey, AccessShareLock);
	check_index(index, rel, "tenant_id", "id");
	index_close(index, NoLock);
	index = index_open(info.users_user_name, AccessShareLock);
	check_index(index, rel, "tenant_id", NULL);
	index_close(index, NoLock);
	table_close(rel, NoLock);

	rel = table_open(info.members, AccessShareLock);
	info.member_group_id = column_of(rel, "group_id", UUIDOID);
	index = index_open(info.members_member, AccessShareLock);
	check_index(index, rel, "tenant_id", "member_id");
	index_close(index, NoLock);
	table_close(rel, NoLock);

	rel = table_open(info.groups, AccessShareLock);
	info.group_display_name = column_of(rel, "display_name", TEXTOID);
	index = index_open(info.groups_pkey, AccessShareLock);
	check_index(index, rel, "tenant_id", "id");
	index_close(index, NoLock);
	table_close(rel, NoLock);

	info.valid = true;
}

/* order of GroupRefs: by id, as uuid_cmp orders (ORDER BY g.id) */
static int
group_ref_cmp(const void *a, const void *b)
{
	return memcmp(((const GroupRef *) a)->id.data,
				  ((const GroupRef *) b)->id.data, UUID_LEN);
}

/*
 * user_groups
 *		The groups user_id of tenant is a direct member of, as the groups
 *		column of ScimUserColumns: a jsonb array of [id, displayName] pairs
 *		in id order, or NULL (*isnull) when there is none.
 */
static Datum
user_groups(Datum tenant, Datum user_id, Snapshot snap, bool *isnull)
{
	Relation	members = table_open(info.members, AccessShareLock);
	Relation	member_index = index_open(info.members_member, AccessShareLock);
	Relation	groups = NULL;
	Relation	group_index = NULL;
	IndexScanDesc mscan;
	IndexScanDesc gscan = NULL;
	TupleTableSlot *mslot;
	TupleTableSlot *gslot = NULL;
	ScanKeyData mkey[2];
	ScanKeyData gkey[2];
	GroupRef   *refs = NULL;
	int			n = 0;
	int			size = 0;
	JsonbParseState *state = NULL;
	JsonbValue *array;
	int			i;

	ScanKeyEntryInitialize(&mkey[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   member_index->rd_indcollation[0], F_TEXTEQ, tenant);
	ScanKeyEntryInitialize(&mkey[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
						   member_index->rd_indcollation[1], F_UUID_EQ, user_id);
	mscan = index_beginscan(members, member_index, snap, 2, 0);
	index_rescan(mscan, mkey, 2, NULL, 0);
	mslot = table_slot_create(members, NULL);
	while (index_getnext_slot(mscan, ForwardScanDirection, mslot))
	{
		bool		null;
		Datum		group_id = slot_getattr(mslot, info.member_group_id, &null);

		if (gscan == NULL)
		{
			groups = table_open(info.groups, AccessShareLock);
			group_index = index_open(info.groups_pkey, AccessShareLock);
			gscan = index_beginscan(groups, group_index, snap, 2, 0);
			gslot = table_slot_create(groups, NULL);
		}
		ScanKeyEntryInitialize(&gkey[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
							   group_index->rd_indcollation[0], F_TEXTEQ, tenant);
		ScanKeyEntryInitialize(&gkey[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
							   group_index->rd_indcollation[1], F_UUID_EQ, group_id);
		index_rescan(gscan, gkey, 2, NULL, 0);
		if (!index_getnext_slot(gscan, ForwardScanDirection, gslot))
			continue;			/* the inner join drops it */
		if (n == size)
		{
			size = Max(8, size * 2);
			refs = refs == NULL ? palloc(size * sizeof(GroupRef)) :
				repalloc(refs, size * sizeof(GroupRef));
		}
		refs[n].id = *DatumGetUUIDP(group_id);
		refs[n].display_name =
			DatumGetTextPCopy(slot_getattr(gslot, info.group_display_name, &null));
		n++;
	}
	if (gscan != NULL)
	{
		index_endscan(gscan);
		ExecDropSingleTupleTableSlot(gslot);
		index_close(group_index, NoLock);
		table_close(groups, NoLock);
	}
	index_endscan(mscan);
	ExecDropSingleTupleTableSlot(mslot);
	index_close(member_index, NoLock);
	table_close(members, NoLock);

	*isnull = (n == 0);
	if (n == 0)
		return (Datum) 0;		/* jsonb_agg of no rows */

	qsort(refs, n, sizeof(GroupRef), group_ref_cmp);
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		JsonbValue	v;

		pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
		v.type = jbvString;
		v.val.string.val = DatumGetCString(DirectFunctionCall1(uuid_out,
															   UUIDPGetDatum(&refs[i].id)));
		v.val.string.len = strlen(v.val.string.val);
		pushJsonbValue(&state, WJB_ELEM, &v);
		v.val.string.val = VARDATA_ANY(refs[i].display_name);
		v.val.string.len = VARSIZE_ANY_EXHDR(refs[i].display_name);
		pushJsonbValue(&state, WJB_ELEM, &v);
		pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	}
	array = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(array));
}

/*
 * ScimUserFetch
 *		The user of the request's tenant with id *id or, id NULL, with
 *		userName user_name (folded as the userName key is: scim._lower), as
 *		one tuple of ScimUserColumns' shape in *tup and *desc; false when
 *		there is none.
 */
bool
ScimUserFetch(ScimRequest *req, const pg_uuid_t *id, const char *user_name,
			  HeapTuple *tup, TupleDesc *desc)
{
	Datum		tenant = CStringGetTextDatum(req->tenant->id);
	Datum		values[NUM_OUT_COLUMNS];
	bool		nulls[NUM_OUT_COLUMNS];
	Relation	users;
	Relation	index;
	ScanKeyData key[2];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snap;
	bool		found;
	int			i;

	/*
	 * Lock the relations first: an invalidation that arrives with a lock
	 * (say a column of scim.members re-made) is seen before what it
	 * invalidates is used, and none about them can arrive later, since a
	 * change of their columns needs a lock that conflicts with ours.
	 */
	for (;;)
	{
		if (!info.valid)
			load_info();
		LockRelationOid(info.users, AccessShareLock);
		LockRelationOid(info.users_pkey, AccessShareLock);
		LockRelationOid(info.users_user_name, AccessShareLock);
		LockRelationOid(info.members, AccessShareLock);
		LockRelationOid(info.members_member, AccessShareLock);
		LockRelationOid(info.groups, AccessShareLock);
		LockRelationOid(info.groups_pkey, AccessShareLock);
		if (info.valid)
			break;
	}

	/* as a read-write SPI statement: see our own writes, and a new snapshot */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	snap = GetActiveSnapshot();

	users = table_open(info.users, AccessShareLock);
	index = index_open(id != NULL ? info.users_pkey : info.users_user_name,
					   AccessShareLock);
	ScanKeyEntryInitialize(&key[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], F_TEXTEQ, tenant);
	if (id != NULL)
		ScanKeyEntryInitialize(&key[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
							   index->rd_indcollation[1], F_UUID_EQ,
							   UUIDPGetDatum(id));
	else
		ScanKeyEntryInitialize(&key[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
							   index->rd_indcollation[1], F_TEXTEQ,
							   DirectFunctionCall1Coll(lower,
													   index->rd_indcollation[1],
													   CStringGetTextDatum(user_name)));
	scan = index_beginscan(users, index, snap, 2, 0);
	index_rescan(scan, key, 2, NULL, 0);
	slot = table_slot_create(users, NULL);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
	{
		slot_getallattrs(slot);
		for (i = 0; i < (int) NUM_USER_COLUMNS; i++)
		{
			values[i] = slot->tts_values[info.user_att[i] - 1];
			nulls[i] = slot->tts_isnull[info.user_att[i] - 1];
		}
		values[NUM_USER_COLUMNS] = user_groups(tenant, values[0], snap,
											   &nulls[NUM_USER_COLUMNS]);
		*tup = heap_form_tuple(info.out_desc, values, nulls);
		*desc = info.out_desc;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(users, NoLock);
	PopActiveSnapshot();
	return found;
}
