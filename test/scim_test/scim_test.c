/*-------------------------------------------------------------------------
 *
 * scim_test.c
 *	  The C functions of the scim_test extension, the test aids of scim:
 *	  the SQL a filter compiles to and its parameters, the plan of a list
 *	  query, and what the JSON core makes of a document.
 *
 * This library is built and installed only by the test harness
 * (test/README.md, "Test aids").  It holds none of scim's code: it calls
 * the functions of scim.so that the product itself uses, found at run time
 * with load_external_function() (which loads scim.so if needed), the way
 * PostgreSQL's hstore_plperl reaches hstore.  The function pointer types
 * below are checked against the declarations of scim's headers at compile
 * time (AssertVariableIsOfType), without a reference to the symbols, so a
 * changed signature breaks this build instead of a test.
 *
 * test/scim_test/scim_test.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "error.h"
#include "extension.h"
#include "filter_sql.h"
#include "json_out.h"
#include "patch.h"
#include "query.h"
#include "resource.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(scim_test_filter_to_sql);
PG_FUNCTION_INFO_V1(scim_test_filter_params);
PG_FUNCTION_INFO_V1(scim_test_filter_explain);
PG_FUNCTION_INFO_V1(scim_test_json_write);
PG_FUNCTION_INFO_V1(scim_test_json_to_jsonb);
PG_FUNCTION_INFO_V1(scim_test_patch_work);

/* the functions of scim.so used here, by their types in scim's headers */
typedef int (*errscimkind_t) (ScimErrorKind kind);
typedef const ScimResourceTypeDef *(*ScimResourceType_t) (const ScimTenant *tenant,
														  ScimResourceKind kind);
typedef ScimFilterNode *(*ScimFilterParseOrError_t) (const char *filter);
typedef void (*ScimFilterToSql_t) (const ScimResourceTypeDef *rt,
								   const ScimFilterNode *tree,
								   ScimSqlFilter *out, int first_param);
typedef ScimRequest *(*ScimRequestForSql_t) (text *tenant);
typedef void (*ScimListQueryBuild_t) (ScimRequest *req, ScimResourceKind kind,
									  const ScimListParams *params,
									  const ScimFilterNode *filter,
									  ScimListQuery *q);
typedef ScimJson *(*ScimJsonParseOrError_t) (const char *text, size_t len,
											 const char *what);
typedef char *(*ScimJsonToCString_t) (const ScimJson *v);
typedef Datum (*ScimJsonToJsonb_t) (const ScimJson *v);
typedef uint64 (*ScimPatchWork_t) (void);

static errscimkind_t errscimkind_p;
static ScimResourceType_t ScimResourceType_p;
static ScimFilterParseOrError_t ScimFilterParseOrError_p;
static ScimFilterToSql_t ScimFilterToSql_p;
static ScimRequestForSql_t ScimRequestForSql_p;
static ScimListQueryBuild_t ScimListQueryBuild_p;
static ScimJsonParseOrError_t ScimJsonParseOrError_p;
static ScimJsonToCString_t ScimJsonToCString_p;
static ScimJsonToJsonb_t ScimJsonToJsonb_p;
static ScimPatchWork_t ScimPatchWork_p;

/* the address of a function of scim.so, which is loaded if it is not */
#define SCIM_FUNCTION(name) \
	load_external_function("$libdir/scim", #name, true, NULL)

void		_PG_init(void);

/* Find the functions of scim.so, once per backend */
void
_PG_init(void)
{
	AssertVariableIsOfType(&errscimkind, errscimkind_t);
	AssertVariableIsOfType(&ScimResourceType, ScimResourceType_t);
	AssertVariableIsOfType(&ScimFilterParseOrError, ScimFilterParseOrError_t);
	AssertVariableIsOfType(&ScimFilterToSql, ScimFilterToSql_t);
	AssertVariableIsOfType(&ScimRequestForSql, ScimRequestForSql_t);
	AssertVariableIsOfType(&ScimListQueryBuild, ScimListQueryBuild_t);
	AssertVariableIsOfType(&ScimJsonParseOrError, ScimJsonParseOrError_t);
	AssertVariableIsOfType(&ScimJsonToCString, ScimJsonToCString_t);
	AssertVariableIsOfType(&ScimJsonToJsonb, ScimJsonToJsonb_t);
	AssertVariableIsOfType(&ScimPatchWork, ScimPatchWork_t);

	errscimkind_p = (errscimkind_t) SCIM_FUNCTION(errscimkind);
	ScimResourceType_p = (ScimResourceType_t) SCIM_FUNCTION(ScimResourceType);
	ScimFilterParseOrError_p = (ScimFilterParseOrError_t)
		SCIM_FUNCTION(ScimFilterParseOrError);
	ScimFilterToSql_p = (ScimFilterToSql_t) SCIM_FUNCTION(ScimFilterToSql);
	ScimRequestForSql_p = (ScimRequestForSql_t)
		SCIM_FUNCTION(ScimRequestForSql);
	ScimListQueryBuild_p = (ScimListQueryBuild_t)
		SCIM_FUNCTION(ScimListQueryBuild);
	ScimJsonParseOrError_p = (ScimJsonParseOrError_t)
		SCIM_FUNCTION(ScimJsonParseOrError);
	ScimJsonToCString_p = (ScimJsonToCString_t)
		SCIM_FUNCTION(ScimJsonToCString);
	ScimJsonToJsonb_p = (ScimJsonToJsonb_t) SCIM_FUNCTION(ScimJsonToJsonb);
	ScimPatchWork_p = (ScimPatchWork_t) SCIM_FUNCTION(ScimPatchWork);
}

/*
 * "User" or "Group" (any case) as a resource kind; anything else is
 * invalidValue, raised as ScimError() raises it
 */
static ScimResourceKind
kind_arg(text *kind)
{
	char	   *k = text_to_cstring(kind);

	if (pg_strcasecmp(k, "User") == 0)
		return SCIM_RES_USER;
	if (pg_strcasecmp(k, "Group") == 0)
		return SCIM_RES_GROUP;
	ereport(ERROR, errscimkind_p(SCIM_ERR_INVALID_VALUE),
			errmsg_internal("resource type must be \"User\" or \"Group\", not \"%s\"",
							k));
	pg_unreachable();
}

/* filter compiled for kind with the standard schemas, parameters from $2 */
static ScimSqlFilter *
compile(text *kind, text *filter)
{
	ScimSqlFilter *f = palloc0(sizeof(ScimSqlFilter));

	f->tenant_param = 1;		/* $1 is the tenant, as in the list queries */
	/* no tenant: the standard schemas */
	ScimFilterToSql_p(ScimResourceType_p(NULL, kind_arg(kind)),
					  ScimFilterParseOrError_p(text_to_cstring(filter)),
					  f, 2);
	return f;
}

/*
 * scim._filter_to_sql(kind text, filter text) RETURNS text
 *		The predicate a filter compiles to, with parameters from $2 on ($1
 *		is the tenant in the list queries).
 */
Datum
scim_test_filter_to_sql(PG_FUNCTION_ARGS)
{
	ScimSqlFilter *f = compile(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1));

	PG_RETURN_TEXT_P(cstring_to_text(f->sql.data));
}

/*
 * scim._filter_params(kind text, filter text)
 *		RETURNS TABLE (param int, type regtype, value text)
 *		The parameters of the compiled filter, as text.
 */
Datum
scim_test_filter_params(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ScimSqlFilter *f;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	f = compile(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1));
	for (i = 1; i < f->nargs; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		Oid			typoutput;
		bool		isvarlena;

		getTypeOutputInfo(f->argtypes[i], &typoutput, &isvarlena);
		values[0] = Int32GetDatum(i + 1);
		values[1] = ObjectIdGetDatum(f->argtypes[i]);
		values[2] = CStringGetTextDatum(OidOutputFunctionCall(typoutput, f->args[i]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * scim._filter_explain(tenant text, kind text, filter text, page boolean)
 *		RETURNS SETOF text
 *		EXPLAIN (COSTS OFF) of the statement a list with this filter runs
 *		(ScimListQueryBuild, as ScimList builds it): the count, or with page
 *		the first default page, with the same parameters.
 */
Datum
scim_test_filter_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ScimListParams params;
	ScimListQuery *q = palloc(sizeof(ScimListQuery));
	ScimResourceKind kind;
	const char *sql;
	int			nargs;
	int			rc;
	uint64		i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR, errscimkind_p(SCIM_ERR_INVALID_VALUE),
				errmsg_internal("tenant and resource type must not be null"));
	kind = kind_arg(PG_GETARG_TEXT_PP(1));

	memset(&params, 0, sizeof(params));
	params.filter = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	params.start_index = 1;
	params.count = -1;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	SPI_connect();
	ScimListQueryBuild_p(ScimRequestForSql_p(PG_GETARG_TEXT_PP(0)), kind,
						 &params,
						 params.filter ? ScimFilterParseOrError_p(params.filter) : NULL,
						 q);
	if (!PG_ARGISNULL(3) && PG_GETARG_BOOL(3))
	{
		sql = q->page_sql;
		nargs = q->nargs_page;
	}
	else
	{
		sql = q->count_sql;
		nargs = q->nargs_count;
	}
	/* SPI counts EXPLAIN as a utility statement: not read-only */
	rc = SPI_execute_with_args(psprintf("EXPLAIN (COSTS OFF) %s", sql), nargs,
							   q->f.argtypes, q->f.args, NULL, false, 0);
	if (rc != SPI_OK_UTILITY && rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s",
			 SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
	{
		Datum		value;
		bool		isnull = false;

		value = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1,
							  &isnull);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value,
							 &isnull);
	}
	SPI_finish();
	return (Datum) 0;
}

/* doc parsed by the JSON core, as an invalidSyntax error if it is not JSON */
static ScimJson *
parse_doc(text *doc)
{
	return ScimJsonParseOrError_p(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc),
								  "the document");
}

/*
 * scim._json_write(doc text) RETURNS text
 *		doc parsed and written back, compact, by the JSON core.
 */
Datum
scim_test_json_write(PG_FUNCTION_ARGS)
{
	ScimJson   *v = parse_doc(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(ScimJsonToCString_p(v)));
}

/*
 * scim._json_to_jsonb(doc text) RETURNS jsonb
 *		doc parsed, then built into jsonb by the JSON core's builder.
 */
Datum
scim_test_json_to_jsonb(PG_FUNCTION_ARGS)
{
	ScimJson   *v = parse_doc(PG_GETARG_TEXT_PP(0));

	PG_RETURN_DATUM(ScimJsonToJsonb_p(v));
}

/*
 * scim._patch_work() RETURNS bigint
 *		The work units of the last PATCH applied in this backend.
 */
Datum
scim_test_patch_work(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) ScimPatchWork_p());
}
