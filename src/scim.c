/*-------------------------------------------------------------------------
 *
 * scim.c
 *	  Module entry point and settings of the scim extension.
 *
 * src/scim.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "scim.h"

PG_MODULE_MAGIC;

char	   *scim_base_url = NULL;

/*
 * the row-level security keys (src/sql/40_security.sql); set in tenant.c
 * and token.c
 */
static char *scim_tenant = NULL;
static char *scim_token_digest = NULL;

void		_PG_init(void);

/*
 * _PG_init
 *		Define the scim.* settings.
 */
void
_PG_init(void)
{
	DefineCustomStringVariable("scim.base_url",
							   "Base URL of the SCIM service, used in meta.location of SQL API results.",
							   "Requests that arrive over HTTP use the URL they were sent to. "
							   "Empty means the relative path /scim/v2.",
							   &scim_base_url,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("scim.tenant",
							   "The tenant the current operation works on: the key of the row-level security policies.",
							   "The extension sets it on every call (transaction-local, and reset when "
							   "the call returns).  A role that reads the tables directly (scim_app) "
							   "sets it itself: without it no tenant's rows are visible.",
							   &scim_tenant,
							   "",
							   PGC_USERSET,
							   GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("scim.token_digest",
							   "Hex SHA-256 of the bearer token being authenticated (internal).",
							   "While scim_api.handle looks a token up, before its tenant is known, "
							   "row-level security shows it the one token row with this digest.",
							   &scim_token_digest,
							   "",
							   PGC_USERSET,
							   GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							   NULL, NULL, NULL);
	MarkGUCPrefixReserved("scim");
}
