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
	MarkGUCPrefixReserved("scim");
}
