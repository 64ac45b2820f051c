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

#include "filter.h"
#include "filter_sql.h"
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

/*
 * The statements of one list request and their parameters: the count
 * statement takes the first nargs_count of f's parameters, the page
 * statement the first nargs_page (also OFFSET and LIMIT).
 */
typedef struct ScimListQuery
{
	ScimSqlFilter f;			/* $1 is the tenant, then the filter's */
	int64		start;			/* clamped startIndex */
	int64		count;			/* clamped page size */
	char	   *count_sql;
	char	   *page_sql;
	int			nargs_count;	/* parameters of count_sql */
	int			nargs_page;		/* of page_sql: also OFFSET and LIMIT */
} ScimListQuery;

extern void ScimListQueryBuild(ScimRequest *req, ScimResourceKind kind,
							   const ScimListParams *params,
							   const ScimFilterNode *filter, ScimListQuery *q);
extern ScimListResult *ScimList(ScimRequest *req, ScimResourceKind kind,
								const ScimListParams *params);
extern ScimJson *ScimListResponse(ScimListResult *res);

#endif							/* SCIM_QUERY_H */
