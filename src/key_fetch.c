/*-------------------------------------------------------------------------
 *
 * key_fetch.c
 *	  Reading one user or group, found by a unique key, straight from the
 *	  indexes.
 *
 * GET /Users/{id}, GET /Groups/{id} and the IdPs' lookup (filter userName
 * eq "...") read one row, and for a user its groups.  As SQL statements
 * through SPI, the executor's start-up and shut-down of their plans (five
 * nodes for a user with its groups) were most of the extension's cost of
 * such a request (bench/README.md, F-9).  Here the same rows are read the
 * way PostgreSQL reads its own catalogs: an index scan with equality keys
 * on the primary key (tenant_id, id) or the userName key (tenant_id,
 * scim._lower(user_name)), and for a user its memberships through
 * members_member (tenant_id, member_id), each group through groups_pkey.
 *
 * The result is a tuple in the very shape of ScimUserColumns (user.c) or
 * ScimGroupColumns (group.c), so the renderers cannot tell where it came
 * from.  What the SQL statement gave for free is kept by hand:
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
 * The relations are found by name and their columns by name once (the
 * columns and their types are the row shapes of resource_row.h: a column
 * of another type is an error, not a misread), the indexes checked against
 * what the scans assume, and all of it forgotten
 * on any relcache invalidation of them (an ALTER, a VACUUM, a DROP
 * EXTENSION).
 *
 * src/key_fetch.c
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
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"

#include "key_fetch.h"
#include "resource.h"
#include "resource_row.h"

/* a column the scans copy into the tuple they hand out, and its type */
typedef struct RowColumn
{
	const char *name;
	Oid			type;
} RowColumn;

#define ROW_COLUMN(NAME, column, type, attr, sub) {#column, type},

/* the columns of scim.users in ScimUserColumns order; groups come last */
static const RowColumn user_columns[] = {SCIM_USER_ROW(ROW_COLUMN)};

/* the columns of scim.groups in ScimGroupColumns order */
static const RowColumn group_columns[] = {SCIM_GROUP_ROW(ROW_COLUMN)};

#define NUM_USER_COLUMNS SCIM_USER_TABLE_COLUMNS
#define NUM_GROUP_COLUMNS SCIM_GROUP_TABLE_COLUMNS

/* the relations the scans use */
enum
{
	REL_USERS,
	REL_USERS_PKEY,
	REL_USERS_USER_NAME,
	REL_MEMBERS,
	REL_MEMBERS_MEMBER,
	REL_GROUPS,
	REL_GROUPS_PKEY,
	NUM_RELS
};

static const char *const rel_names[NUM_RELS] = {
	"users", "users_pkey", "users_user_name", "members", "members_member",
	"groups", "groups_pkey"
};

/* what the scans need to know, found once */
typedef struct FetchInfo
{
	bool		valid;
	Oid			rels[NUM_RELS];
	AttrNumber	user_att[NUM_USER_COLUMNS];
	AttrNumber	group_att[NUM_GROUP_COLUMNS];
	AttrNumber	member_group_id;
	TupleDesc	user_desc;		/* ScimUserColumns' shape */
	TupleDesc	group_desc;		/* ScimGroupColumns' shape */
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
static void lock_relations(void);
static AttrNumber column_of(Relation rel, const char *name, Oid type);
static TupleDesc columns_desc(Relation rel, const RowColumn *cols, int n,
							  AttrNumber *atts, bool with_groups,
							  TupleDesc kept);
static void check_index(Oid indexid, Relation heap, const char *first,
						const char *second);
static IndexScanDesc begin_key_scan(Relation heap, Relation index,
									Datum tenant, RegProcedure eq, Datum key,
									Snapshot snap);
static Snapshot begin_read(void);
static bool fetch_one(Relation heap, Relation index, Datum tenant,
					  RegProcedure eq, Datum key, Snapshot snap,
					  TupleTableSlot *slot);
static Datum user_groups(Datum tenant, Datum user_id, Snapshot snap,
						 bool *isnull);
static int	group_ref_cmp(const void *a, const void *b);


/* relcache callback: forget everything when one of our relations changes */
static void
relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (!info.valid)
		return;
	for (i = 0; i < NUM_RELS; i++)
		if (relid == InvalidOid || relid == info.rels[i])
			info.valid = false;
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
 * The descriptor of the n columns cols of rel (their numbers to atts; each
 * must be of the type cols gives), plus a jsonb "groups" column if
 * with_groups.  Tuples handed out earlier may still be read with kept: it
 * stays if it is the same, and is replaced (never freed) only if the
 * columns' types changed.
 */
static TupleDesc
columns_desc(Relation rel, const RowColumn *cols, int n, AttrNumber *atts,
			 bool with_groups, TupleDesc kept)
{
	TupleDesc	out;
	MemoryContext old;
	int			i;

	old = MemoryContextSwitchTo(CacheMemoryContext);
	out = CreateTemplateTupleDesc(n + (with_groups ? 1 : 0));
	MemoryContextSwitchTo(old);
	for (i = 0; i < n; i++)
	{
		Form_pg_attribute att;

		atts[i] = column_of(rel, cols[i].name, cols[i].type);
		att = TupleDescAttr(RelationGetDescr(rel), atts[i] - 1);
		TupleDescInitEntry(out, i + 1, cols[i].name, cols[i].type,
						   att->atttypmod, att->attndims);
	}
	if (with_groups)
		TupleDescInitEntry(out, n + 1, "groups", JSONBOID, -1, 0);
	if (kept != NULL && equalTupleDescs(kept, out))
	{
		FreeTupleDesc(out);
		return kept;
	}
	return out;
}

/*
 * Index indexid must be a btree on (first, second) of heap; second NULL:
 * an expression (users_user_name's scim._lower(user_name)).
 */
static void
check_index(Oid indexid, Relation heap, const char *first, const char *second)
{
	Relation	index = index_open(indexid, AccessShareLock);
	Form_pg_index ind = index->rd_index;

	if (index->rd_rel->relam != BTREE_AM_OID || ind->indnkeyatts != 2 ||
		ind->indrelid != RelationGetRelid(heap) ||
		ind->indkey.values[0] != column_of(heap, first, TEXTOID) ||
		(second != NULL && ind->indkey.values[1] != column_of(heap, second, UUIDOID)) ||
		(second == NULL && ind->indkey.values[1] != 0))
		elog(ERROR, "index %s is not the one expected",
			 RelationGetRelationName(index));
	index_close(index, NoLock);
}

/* find the relations, their columns and check the indexes */
static void
load_info(void)
{
	TupleDesc	user_desc = info.user_desc;
	TupleDesc	group_desc = info.group_desc;
	Oid			nsp;
	Relation	rel;
	int			i;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	info.valid = false;
	nsp = get_namespace_oid("scim", false);
	for (i = 0; i < NUM_RELS; i++)
	{
		info.rels[i] = get_relname_relid(rel_names[i], nsp);
		if (!OidIsValid(info.rels[i]))
			elog(ERROR, "relation scim.%s does not exist", rel_names[i]);
	}

	rel = table_open(info.rels[REL_USERS], AccessShareLock);
	info.user_desc = columns_desc(rel, user_columns, NUM_USER_COLUMNS,
								  info.user_att, true, user_desc);
	check_index(info.rels[REL_USERS_PKEY], rel, "tenant_id", "id");
	check_index(info.rels[REL_USERS_USER_NAME], rel, "tenant_id", NULL);
	table_close(rel, NoLock);

	rel = table_open(info.rels[REL_MEMBERS], AccessShareLock);
	info.member_group_id = column_of(rel, "group_id", UUIDOID);
	check_index(info.rels[REL_MEMBERS_MEMBER], rel, "tenant_id", "member_id");
	table_close(rel, NoLock);

	rel = table_open(info.rels[REL_GROUPS], AccessShareLock);
	info.group_desc = columns_desc(rel, group_columns, NUM_GROUP_COLUMNS,
								   info.group_att, false, group_desc);
	check_index(info.rels[REL_GROUPS_PKEY], rel, "tenant_id", "id");
	table_close(rel, NoLock);

	info.valid = true;
}

/*
 * Lock the relations before reading them: an invalidation that arrives
 * with a lock (say a column of scim.members re-made) is seen before what
 * it invalidates is used, and none about their columns can arrive later,
 * since changing them needs a lock that conflicts with ours.
 */
static void
lock_relations(void)
{
	int			i;

	for (;;)
	{
		if (!info.valid)
			load_info();
		for (i = 0; i < NUM_RELS; i++)
			LockRelationOid(info.rels[i], AccessShareLock);
		if (info.valid)
			return;
	}
}

/*
 * An index scan of heap for the rows whose index key is (tenant_id, key)
 * under snap; eq is the equality of key's type.
 */
static IndexScanDesc
begin_key_scan(Relation heap, Relation index, Datum tenant, RegProcedure eq,
			   Datum key, Snapshot snap)
{
	ScanKeyData keys[2];
	IndexScanDesc scan;

	ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], F_TEXTEQ, tenant);
	ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[1], eq, key);
	scan = index_beginscan(heap, index, snap, 2, 0);
	index_rescan(scan, keys, 2, NULL, 0);
	return scan;
}

/* the one row of a key scan (begin_key_scan's arguments) into slot, if any */
static bool
fetch_one(Relation heap, Relation index, Datum tenant, RegProcedure eq,
		  Datum key, Snapshot snap, TupleTableSlot *slot)
{
	IndexScanDesc scan = begin_key_scan(heap, index, tenant, eq, key, snap);
	bool		found = index_getnext_slot(scan, ForwardScanDirection, slot);

	index_endscan(scan);
	return found;
}

/*
 * Start a read: the relations locked, and a fresh snapshot that also sees
 * the transaction's own writes, as a read-write SPI statement takes it.
 * The caller pops it (PopActiveSnapshot).
 */
static Snapshot
begin_read(void)
{
	lock_relations();
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	return GetActiveSnapshot();
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
	Relation	members = table_open(info.rels[REL_MEMBERS], NoLock);
	Relation	member_index = index_open(info.rels[REL_MEMBERS_MEMBER], NoLock);
	Relation	groups = NULL;
	Relation	group_index = NULL;
	IndexScanDesc scan;
	TupleTableSlot *mslot;
	TupleTableSlot *gslot = NULL;
	GroupRef   *refs = NULL;
	int			n = 0;
	int			size = 0;
	JsonbParseState *state = NULL;
	JsonbValue *array;
	int			i;

	scan = begin_key_scan(members, member_index, tenant, F_UUID_EQ, user_id, snap);
	mslot = table_slot_create(members, NULL);
	while (index_getnext_slot(scan, ForwardScanDirection, mslot))
	{
		bool		null;
		Datum		group_id = slot_getattr(mslot, info.member_group_id, &null);

		if (groups == NULL)
		{
			groups = table_open(info.rels[REL_GROUPS], NoLock);
			group_index = index_open(info.rels[REL_GROUPS_PKEY], NoLock);
			gslot = table_slot_create(groups, NULL);
		}
		if (!fetch_one(groups, group_index, tenant, F_UUID_EQ, group_id, snap, gslot))
			continue;			/* the inner join drops it */
		if (n == size)
		{
			size = Max(8, size * 2);
			refs = refs == NULL ? palloc(size * sizeof(GroupRef)) :
				repalloc(refs, size * sizeof(GroupRef));
		}
		refs[n].id = *DatumGetUUIDP(group_id);
		refs[n].display_name =
			DatumGetTextPCopy(slot_getattr(gslot, info.group_att[GC_DISPLAY_NAME - 1],
										   &null));
		n++;
	}
	if (groups != NULL)
	{
		ExecDropSingleTupleTableSlot(gslot);
		index_close(group_index, NoLock);
		table_close(groups, NoLock);
	}
	index_endscan(scan);
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
 * fetch_row
 *		The row found through index index_rel by (tenant, key) in the users
 *		table (user) or the groups table, as one tuple of ScimUserColumns' or
 *		ScimGroupColumns' shape in *tup and *desc; false when there is none.
 *		A key for the userName index is folded as that index folds it.
 */
static bool
fetch_row(bool user, int index_rel, Datum tenant, RegProcedure eq, Datum key,
		  HeapTuple *tup, TupleDesc *desc)
{
	const AttrNumber *att = user ? info.user_att : info.group_att;
	int			n = user ? NUM_USER_COLUMNS : NUM_GROUP_COLUMNS;
	Datum		values[Max(UC_GROUPS, NUM_GROUP_COLUMNS)];
	bool		nulls[Max(UC_GROUPS, NUM_GROUP_COLUMNS)];
	Relation	heap;
	Relation	index;
	TupleTableSlot *slot;
	Snapshot	snap;
	bool		found;
	int			i;

	snap = begin_read();
	heap = table_open(info.rels[user ? REL_USERS : REL_GROUPS], NoLock);
	index = index_open(info.rels[index_rel], NoLock);
	slot = table_slot_create(heap, NULL);
	if (index_rel == REL_USERS_USER_NAME)
		key = DirectFunctionCall1Coll(lower, index->rd_indcollation[1], key);
	found = fetch_one(heap, index, tenant, eq, key, snap, slot);
	if (found)
	{
		slot_getallattrs(slot);
		for (i = 0; i < n; i++)
		{
			values[i] = slot->tts_values[att[i] - 1];
			nulls[i] = slot->tts_isnull[att[i] - 1];
		}
		if (user)
			values[UC_GROUPS - 1] = user_groups(tenant, values[UC_ID - 1], snap,
												&nulls[UC_GROUPS - 1]);
		*desc = user ? info.user_desc : info.group_desc;
		*tup = heap_form_tuple(*desc, values, nulls);
	}
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(heap, NoLock);
	PopActiveSnapshot();
	return found;
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

	if (id != NULL)
		return fetch_row(true, REL_USERS_PKEY, tenant, F_UUID_EQ,
						 UUIDPGetDatum(id), tup, desc);
	return fetch_row(true, REL_USERS_USER_NAME, tenant, F_TEXTEQ,
					 CStringGetTextDatum(user_name), tup, desc);
}

/*
 * ScimUserGroups
 *		The groups column of ScimUserColumns for user *id of the request's
 *		tenant, read from the indexes: what a write adds to the row it
 *		RETURNs (user.c).
 */
Datum
ScimUserGroups(ScimRequest *req, const pg_uuid_t *id, bool *isnull)
{
	Datum		groups;

	groups = user_groups(CStringGetTextDatum(req->tenant->id), UUIDPGetDatum(id),
						 begin_read(), isnull);
	PopActiveSnapshot();
	return groups;
}

/*
 * ScimGroupFetch
 *		The group of the request's tenant with id *id, as one tuple of
 *		ScimGroupColumns' shape in *tup and *desc; false when there is none.
 */
bool
ScimGroupFetch(ScimRequest *req, const pg_uuid_t *id, HeapTuple *tup,
			   TupleDesc *desc)
{
	return fetch_row(false, REL_GROUPS_PKEY, CStringGetTextDatum(req->tenant->id),
					 F_UUID_EQ, UUIDPGetDatum(id), tup, desc);
}
