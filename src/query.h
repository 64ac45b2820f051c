/*-------------------------------------------------------------------------
 *
 * query.h
 *	  Listing users and groups: filter, sort and paging (query.c).
 *
 * src/query.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_QUERY_H
#define SCIM_QUERY_H

#include "postgres.h"

#include "nodes/pg_list.h"

#include "json.h"
#include "resource.h"
#include "schema.h"

typedef struct ScimListParams
{
	const char *filter;
	int			start_index;	/* already clamped to >= 1 */
	int			count;			/* -1: default */
	const char *sort_by;
	bool		descending;
	bool		exclude_members;	/* groups: leave members out */
} ScimListParams;

typedef struct ScimListResult
{
	int64		total;
	int			start_index;
	List	   *resources;		/* of ScimJson * */
} ScimListResult;

extern ScimListResult *ScimList(ScimRequest *req, ScimResourceKind kind,
								const ScimListParams *params);
extern ScimJson *ScimListResponse(ScimListResult *res);

#endif							/* SCIM_QUERY_H */
