/*-------------------------------------------------------------------------
 *
 * query.c
 *	  Listing users and groups: filter, sort and paging (RFC 7644 §3.4.2).
 *
 * A list is at most two statements: one page of the matching resources,
 * then, unless the page itself tells, how many match.  Both statements
 * read the same snapshot (read-only SPI).
 *
 * The filter compiler emits parameterised SQL, so every request of the
 * same shape (say userName eq "...") runs the same text.  Statements are
 * prepared once per backend and kept, by text and parameter types, in a
 * small cache (plan_for): parse and plan were 40% of a filtered GET
 * (bench/README.md, F-4).  The kept plans go through PostgreSQL's plan
 * cache, which plans the first executions with their values (custom
 * plans) and keeps doing so while that looks cheaper than one generic
 * plan: the LIKE prefix of "sw" still becomes an index range, and a page
 * size known to the planner keeps plain lists on their index.  A filter
 * that an eq on a unique key narrows to one resource (userName eq, the
 * IdPs' lookup) gets one generic plan at once: every plan of it is the
 * same index lookup.  DDL on the tables invalidates the plans as usual.
 * The IdPs' lookup itself, userName eq "..." and nothing else, skips the
 * executor: ScimUserFetch reads the userName key (bench/README.md, F-9).
 *
 * Paging (RFC 7644 §3.4.2.4): startIndex is 1-based and below 1 means 1;
 * a negative count means 0; no count means the tenant's max_results, and
 * a count above it is cut down to it.  count = 0 answers totalResults
 * only, and a startIndex past the end gives an empty page.  itemsPerPage
 * is the number of resources on the page.
 *
 * src/query.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "error.h"
#include "extension.h"
#include "filter.h"
#include "filter_sql.h"
#include "group.h"
#include "json.h"
#include "key_fetch.h"
#include "query.h"
#include "resource.h"
#include "schema.h"
#include "user.h"

/* forward declarations */
static void page_bounds(ScimRequest *req, const ScimListParams *params,
						int64 *start, int64 *count);
static ScimJson *number(int64 n);


/* the clamped startIndex and page size of params */
static void
page_bounds(ScimRequest *req, const ScimListParams *params,
			int64 *start, int64 *count)
{
	int			max = req->tenant->max_results;

	*start = Max(params->start_index, 1);
	if (params->count < 0)
		*count = max;			/* absent: the default page */
	else
		*count = Min(params->count, max);
	*count = Max(*count, 0);
}

/*
 * ScimListQueryBuild
 *		The count and page statements of a list for params, whose filter (if
 *		any) is the tree given, with their parameters: what ScimList runs.
 */
void
ScimListQueryBuild(ScimRequest *req, ScimResourceKind kind,
				   const ScimListParams *params, const ScimFilterNode *filter,
				   ScimListQuery *q)
{
	bool		users = (kind == SCIM_RES_USER);
	const char *table = users ? "scim.users u" : "scim.groups g";
	const char *alias = users ? "u" : "g";
	StringInfoData where;
	char	   *order;

	memset(q, 0, sizeof(ScimListQuery));
	page_bounds(req, params, &q->start, &q->count);

	q->f.show_inactive_members = req->tenant->list_deactivated_members;
	q->f.argtypes[0] = TEXTOID;
	q->f.args[0] = CStringGetTextDatum(req->tenant->id);
	q->f.nargs = 1;
	q->f.tenant_param = 1;

	initStringInfo(&where);
	appendStringInfo(&where, "%s.tenant_id = $1", alias);
	if (filter != NULL)
	{
		appendStringInfoString(&where, " AND ");
		q->f.sql = where;
		ScimFilterToSql(ScimResourceType(req->tenant, kind), filter, &q->f, 2);
		where = q->f.sql;
	}
	order = ScimSortToSql(ScimResourceType(req->tenant, kind), params->sort_by,
						  params->descending);

	q->nargs_count = q->f.nargs;
	q->count_sql = psprintf("SELECT count(*) FROM %s WHERE %s", table, where.data);

	q->f.argtypes[q->f.nargs] = INT8OID;
	q->f.args[q->f.nargs] = Int64GetDatum(q->start - 1);
	q->f.argtypes[q->f.nargs + 1] = INT8OID;
	q->f.args[q->f.nargs + 1] = Int64GetDatum(q->count);
	q->nargs_page = q->f.nargs + 2;
	q->page_sql = psprintf("SELECT %s FROM %s WHERE %s ORDER BY %s OFFSET $%d LIMIT $%d",
						   users ? ScimUserColumns : ScimGroupColumns,
						   table, where.data, order,
						   q->f.nargs + 1, q->f.nargs + 2);
}

/* kept statements: more shapes than this in one backend, start over */
#define PLAN_CACHE_SIZE 64

typedef struct KeptStatement
{
	uint32		hash;			/* of the text */
	char	   *sql;
	bool		generic;
	int			nargs;
	Oid			argtypes[SCIM_SQL_MAX_PARAMS];
	SPIPlanPtr	plan;
} KeptStatement;

static KeptStatement plans[PLAN_CACHE_SIZE];
static int	nplans = 0;
static MemoryContext plan_cxt = NULL;

/*
 * plan_for
 *		The kept plan of sql with these parameter types, prepared on first
 *		use.  generic: always run one generic plan.  The plan cache keeps
 *		planning a filter on a unique key anew each time (the generic plan,
 *		not knowing LIMIT, is costed above the custom ones, planning
 *		included), although any plan of it is one index lookup.
 */
static SPIPlanPtr
plan_for(const char *sql, int nargs, const Oid *argtypes, bool generic)
{
	uint32		hash = hash_bytes((const unsigned char *) sql, strlen(sql));
	SPIPlanPtr	plan;
	KeptStatement *e;
	int			i;

	for (i = 0; i < nplans; i++)
	{
		e = &plans[i];
		if (e->hash == hash && e->nargs == nargs && e->generic == generic &&
			memcmp(e->argtypes, argtypes, nargs * sizeof(Oid)) == 0 &&
			strcmp(e->sql, sql) == 0)
			return e->plan;
	}

	plan = SPI_prepare_cursor(sql, nargs, (Oid *) argtypes,
							  generic ? CURSOR_OPT_GENERIC_PLAN : 0);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");

	if (plan_cxt == NULL)
		plan_cxt = AllocSetContextCreate(TopMemoryContext, "scim list statements",
										 ALLOCSET_SMALL_SIZES);
	if (nplans == PLAN_CACHE_SIZE)
	{
		for (i = 0; i < nplans; i++)
			SPI_freeplan(plans[i].plan);
		MemoryContextReset(plan_cxt);
		nplans = 0;
	}
	e = &plans[nplans++];
	e->hash = hash;
	e->sql = MemoryContextStrdup(plan_cxt, sql);
	e->generic = generic;
	e->nargs = nargs;
	memcpy(e->argtypes, argtypes, nargs * sizeof(Oid));
	e->plan = plan;
	return plan;
}

/* Run sql, through its kept plan, with the first nargs parameters of q */
static void
run_kept(const char *sql, ScimListQuery *q, int nargs)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = plan_for(sql, nargs, q->f.argtypes, q->f.at_most_one);
	int			rc;

	rc = SPI_execute_plan(plan, q->f.args, NULL, true, 0);
	MemoryContextSwitchTo(cxt);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/*
 * ScimList
 *		One page of the users or groups of the request's tenant that match
 *		params->filter, in params->sort_by order, and how many match.
 *		Runs in the caller's SPI connection.
 */
ScimListResult *
ScimList(ScimRequest *req, ScimResourceKind kind, const ScimListParams *params)
{
	ScimListResult *res = palloc0(sizeof(ScimListResult));
	ScimListQuery *q = palloc(sizeof(ScimListQuery));
	ScimFilterNode *filter = NULL;
	const char *user_name = NULL;
	SPITupleTable *tt = NULL;
	uint64		n = 0;
	uint64		i;
	bool		isnull;

	if (params->filter != NULL)
	{
		filter = ScimFilterParseOrError(params->filter);
		user_name = ScimFilterUserNameEq(kind, filter);
	}

	/*
	 * userName eq "..." alone, the IdPs' lookup before every create: one user
	 * or none, read from the userName key (key_fetch.c), with no SQL. sortBy
	 * is compiled all the same, for its errors.
	 */
	if (user_name != NULL)
	{
		HeapTuple	tup;
		TupleDesc	desc;
		int64		start;
		int64		count;
		bool		found;

		(void) ScimSortToSql(ScimResourceType(req->tenant, kind), params->sort_by,
							 params->descending);
		page_bounds(req, params, &start, &count);
		found = ScimUserFetch(req, NULL, user_name, &tup, &desc);
		res->start_index = (int) start;
		res->total = found ? 1 : 0;
		if (found && start == 1 && count > 0)
			res->resources = list_make1(ScimUserRender(req, tup, desc));
		return res;
	}

	ScimListQueryBuild(req, kind, params, filter, q);
	res->start_index = (int) q->start;

	/*
	 * The page first: a page that is neither full nor empty past the start
	 * tells the total by itself, so the usual lookup (userName eq, one or no
	 * match) is one statement.  Both statements read the same snapshot.
	 */
	if (q->count > 0)
	{
		run_kept(q->page_sql, q, q->nargs_page);
		/* the count and group rendering run queries: keep our tuples */
		tt = SPI_tuptable;
		n = SPI_processed;
	}
	if (q->count > 0 && ((n > 0 && n < (uint64) q->count) ||
						 (n == 0 && q->start == 1)))
		res->total = q->start - 1 + (int64) n;
	else
	{
		run_kept(q->count_sql, q, q->nargs_count);
		res->total = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 1,
												 &isnull));
	}

	for (i = 0; i < n; i++)
	{
		ScimJson   *r;

		CHECK_FOR_INTERRUPTS();
		if (kind == SCIM_RES_USER)
			r = ScimUserRender(req, tt->vals[i], tt->tupdesc);
		else
			r = ScimGroupRender(req, tt->vals[i], tt->tupdesc,
								!params->exclude_members);
		res->resources = lappend(res->resources, r);
	}
	return res;
}

/* A JSON integer */
static ScimJson *
number(int64 n)
{
	return ScimJsonMakeNumber(psprintf(INT64_FORMAT, n));
}

/*
 * ScimListResponse
 *		The ListResponse message of res (RFC 7644 §3.4.2).  Resources is
 *		there even when empty.
 */
ScimJson *
ScimListResponse(ScimListResult *res)
{
	ScimJson   *doc = ScimJsonNew(SJ_OBJECT);
	ScimJson   *schemas = ScimJsonNew(SJ_ARRAY);
	ScimJson   *resources = ScimJsonNew(SJ_ARRAY);
	ListCell   *lc;

	ScimJsonAppend(schemas, ScimJsonMakeString(SCIM_URN_LIST));
	ScimJsonSet(doc, "schemas", schemas);
	ScimJsonSet(doc, "totalResults", number(res->total));
	ScimJsonSet(doc, "itemsPerPage", number(list_length(res->resources)));
	ScimJsonSet(doc, "startIndex", number(res->start_index));
	foreach(lc, res->resources)
		ScimJsonAppend(resources, (ScimJson *) lfirst(lc));
	ScimJsonSet(doc, "Resources", resources);
	return doc;
}
