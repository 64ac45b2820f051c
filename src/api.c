/*-------------------------------------------------------------------------
 *
 * api.c
 *	  The SQL API: scim.user_* and scim.group_* (docs/sql-api.md).
 *
 * Each function unpacks its arguments, runs the same core the HTTP
 * dispatcher uses, and returns the SCIM document as jsonb.  The caller's
 * role is recorded as the actor of the changes.
 *
 * src/api.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "error.h"
#include "group.h"
#include "json.h"
#include "json_out.h"
#include "query.h"
#include "resource.h"
#include "schema.h"
#include "tenant.h"
#include "user.h"

typedef enum ApiOp
{
	API_CREATE,
	API_GET,
	API_REPLACE,
	API_PATCH,
	API_DELETE
} ApiOp;

static const char *const arg_names[][3] = {
	[API_CREATE] = {"tenant", "resource", NULL},
	[API_GET] = {"tenant", "id", NULL},
	[API_REPLACE] = {"tenant", "id", "resource"},
	[API_PATCH] = {"tenant", "id", "patch"},
	[API_DELETE] = {"tenant", "id", NULL},
};

/* raise invalidValue when argument n is NULL */
static void
require_args(FunctionCallInfo fcinfo, ApiOp op, int nargs)
{
	int			i;

	for (i = 0; i < nargs; i++)
		if (PG_ARGISNULL(i))
			ScimError(SCIM_ERR_INVALID_VALUE, "%s must not be null", arg_names[op][i]);
}

/*
 * run_op
 *		The body shared by every single-resource function of the SQL API.
 */
static Datum
run_op(FunctionCallInfo fcinfo, ScimResourceKind kind, ApiOp op)
{
	MemoryContext caller = CurrentMemoryContext;
	int			nargs = (op == API_REPLACE || op == API_PATCH) ? 3 : 2;
	ScimRequest *req;
	ScimResult *r = NULL;
	char	   *id = NULL;
	ScimJson   *body = NULL;
	Datum		result = (Datum) 0;

	require_args(fcinfo, op, nargs);
	SPI_connect();
	req = ScimRequestForSql(PG_GETARG_TEXT_PP(0));
	if (op == API_CREATE)
		body = ScimJsonFromJsonb(PG_GETARG_JSONB_P(1));
	else
	{
		id = text_to_cstring(PG_GETARG_TEXT_PP(1));
		if (nargs == 3)
			body = ScimJsonFromJsonb(PG_GETARG_JSONB_P(2));
	}

	switch (op)
	{
		case API_CREATE:
			r = kind == SCIM_RES_USER ? ScimUserCreate(req, body) : ScimGroupCreate(req, body);
			break;
		case API_GET:
			r = kind == SCIM_RES_USER ? ScimUserGet(req, id) : ScimGroupGet(req, id, true);
			break;
		case API_REPLACE:
			r = kind == SCIM_RES_USER ? ScimUserReplace(req, id, body)
				: ScimGroupReplace(req, id, body);
			break;
		case API_PATCH:
			r = kind == SCIM_RES_USER ? ScimUserPatch(req, id, body)
				: ScimGroupPatch(req, id, body);
			break;
		case API_DELETE:
			if (kind == SCIM_RES_USER)
				ScimUserDelete(req, id);
			else
				ScimGroupDelete(req, id);
			break;
	}
	if (r != NULL)
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		result = ScimJsonToJsonb(r->resource);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	if (r == NULL)
		PG_RETURN_VOID();
	PG_RETURN_DATUM(result);
}

/*
 * run_list
 *		scim.user_list / scim.group_list (tenant, filter, start_index,
 *		count, sort_by, sort_order).
 */
static Datum
run_list(FunctionCallInfo fcinfo, ScimResourceKind kind)
{
	MemoryContext caller = CurrentMemoryContext;
	ScimListParams params;
	ScimRequest *req;
	ScimListResult *res;
	Datum		result;

	if (PG_ARGISNULL(0))
		ScimError(SCIM_ERR_INVALID_VALUE, "tenant must not be null");
	memset(&params, 0, sizeof(params));
	params.filter = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	params.start_index = PG_ARGISNULL(2) ? 1 : Max(PG_GETARG_INT32(2), 1);
	params.count = PG_ARGISNULL(3) ? -1 : Max(PG_GETARG_INT32(3), 0);
	params.sort_by = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	if (!PG_ARGISNULL(5))
	{
		char	   *order = text_to_cstring(PG_GETARG_TEXT_PP(5));

		if (pg_strcasecmp(order, "descending") == 0)
			params.descending = true;
		else if (pg_strcasecmp(order, "ascending") != 0)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "sortOrder must be \"ascending\" or \"descending\", not \"%s\"", order);
	}

	SPI_connect();
	req = ScimRequestForSql(PG_GETARG_TEXT_PP(0));
	res = ScimList(req, kind, &params);
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		result = ScimJsonToJsonb(ScimListResponse(res));
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * The SQL-callable functions, one named symbol each as the install script
 * declares them: scim_<resource>_<op> runs run_op or run_list.
 */
#define API_FUNCTION(name, body) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) { return body; }
#define API_FUNCTIONS(res, kind) \
	API_FUNCTION(scim_##res##_create, run_op(fcinfo, kind, API_CREATE)) \
	API_FUNCTION(scim_##res##_get, run_op(fcinfo, kind, API_GET)) \
	API_FUNCTION(scim_##res##_replace, run_op(fcinfo, kind, API_REPLACE)) \
	API_FUNCTION(scim_##res##_patch, run_op(fcinfo, kind, API_PATCH)) \
	API_FUNCTION(scim_##res##_delete, run_op(fcinfo, kind, API_DELETE)) \
	API_FUNCTION(scim_##res##_list, run_list(fcinfo, kind))

/* scim_user_create, _get, _replace, _patch, _delete, _list */
API_FUNCTIONS(user, SCIM_RES_USER)
/* scim_group_create, _get, _replace, _patch, _delete, _list */
API_FUNCTIONS(group, SCIM_RES_GROUP)
