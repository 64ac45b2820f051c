/*-------------------------------------------------------------------------
 *
 * removed.c
 *	  C symbols that install scripts of earlier releases name and that this
 *	  release no longer implements.
 *
 * A frozen install script (upgrade/scim--X.sql) is run as it is by
 * CREATE EXTENSION scim VERSION 'X', and PostgreSQL checks that every C
 * function it declares exists in scim.so; so does the restore of a
 * database still at X (pg_upgrade).  So scim.so keeps each such symbol
 * (docs/operations.md, "Upgrades"); one whose function is gone raises
 * feature_not_supported until ALTER EXTENSION scim UPDATE drops the
 * declaration.  0.1.0 declared test aids in scim: their code is now the
 * test-only extension scim_test (test/scim_test/).
 *
 * src/removed.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/regproc.h"

/* declared by upgrade/scim--0.1.0.sql, dropped by scim--0.1.0--0.2.0.sql */
PG_FUNCTION_INFO_V1(scim_filter_to_sql);
PG_FUNCTION_INFO_V1(scim_filter_params);
PG_FUNCTION_INFO_V1(scim_filter_explain);

static void removed(FunctionCallInfo fcinfo,
					const char *release) pg_attribute_noreturn();

/* The error of a function that release removed */
static void
removed(FunctionCallInfo fcinfo, const char *release)
{
	ereport(ERROR,
			errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			errmsg("function %s was removed in scim %s",
				   format_procedure(fcinfo->flinfo->fn_oid), release),
			errhint("Run ALTER EXTENSION scim UPDATE."));
}

/* scim._filter_to_sql(text, text) of 0.1.0: a test aid, now in scim_test */
Datum
scim_filter_to_sql(PG_FUNCTION_ARGS)
{
	removed(fcinfo, "0.2.0");
}

/* scim._filter_params(text, text) of 0.1.0: a test aid, now in scim_test */
Datum
scim_filter_params(PG_FUNCTION_ARGS)
{
	removed(fcinfo, "0.2.0");
}

/* scim._filter_explain(text, text, text, boolean) of 0.1.0: likewise */
Datum
scim_filter_explain(PG_FUNCTION_ARGS)
{
	removed(fcinfo, "0.2.0");
}
