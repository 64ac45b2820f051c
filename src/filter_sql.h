/*-------------------------------------------------------------------------
 *
 * filter_sql.h
 *	  Filters and sortBy compiled to parameterised SQL (filter_sql.c).
 *
 * src/filter_sql.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_FILTER_SQL_H
#define SCIM_FILTER_SQL_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "filter.h"
#include "schema.h"

/*
 * A filter compiled to SQL.  args[i] and argtypes[i] are the value and
 * type of parameter $(i + 1), so the arrays can go straight to
 * SPI_execute_with_args; ScimFilterToSql(..., first_param) leaves the first
 * first_param - 1 slots to the caller.  One filter has at most one
 * parameter per comparison, so the node limit bounds the arrays.
 */
#define SCIM_SQL_MAX_PARAMS (SCIM_FILTER_MAX_NODES + 24)

typedef struct ScimSqlFilter
{
	StringInfoData sql;			/* predicate text with $n parameters */
	int			nargs;
	bool		show_inactive_members;	/* in: group members include
										 * deactivated users */
	int			tenant_param;	/* in: n of the $n holding the tenant, which
								 * leads the emails index keys (0: none, no
								 * index key) */
	bool		at_most_one;	/* out: an eq on a unique key narrows the
								 * filter to one resource at most */
	Oid			argtypes[SCIM_SQL_MAX_PARAMS];
	Datum		args[SCIM_SQL_MAX_PARAMS];
} ScimSqlFilter;

extern ScimFilterNode *ScimFilterParseOrError(const char *filter);
extern const char *ScimFilterUserNameEq(ScimResourceKind kind,
										const ScimFilterNode *tree);
extern void ScimFilterToSql(const ScimResourceTypeDef *rt, const ScimFilterNode *tree,
							ScimSqlFilter *out, int first_param);
extern char *ScimSortToSql(const ScimResourceTypeDef *rt, const char *sort_by,
						   bool descending);

#endif							/* SCIM_FILTER_SQL_H */
