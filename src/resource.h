/*-------------------------------------------------------------------------
 *
 * resource.h
 *	  What Users and Groups share (resource.c): the context of one
 *	  operation, the result of a read or write, locations, meta, versions,
 *	  preconditions and the change feed.
 *
 * src/resource.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_RESOURCE_H
#define SCIM_RESOURCE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "utils/uuid.h"

#include "json.h"
#include "schema.h"
#include "tenant.h"

/* one operation's context */
typedef struct ScimRequest
{
	ScimTenant *tenant;
	const char *actor;			/* "token:<label>" or "sql:<role>" */
	const char *base_url;		/* e.g. "https://host/scim/v2" */
	const char *if_match;		/* If-Match header, or NULL */
	bool		changed;		/* set by writers: did anything change */
	bool		no_member_list; /* group writes answer without the members:
								 * the caller will not send them */
} ScimRequest;

/* a user or group as read or written (user.c, group.c) */
typedef struct ScimResult
{
	ScimJson   *resource;		/* the full representation */
	int64		version;
	char	   *id;
} ScimResult;

extern ScimRequest *ScimRequestForSql(text *tenant);

/* resource location: <base>/<Users|Groups>/<id> */
extern char *ScimLocation(ScimRequest *req, ScimResourceKind kind, const char *id);
extern ScimJson *ScimMeta(ScimRequest *req, ScimResourceKind kind, const char *id,
						  TimestampTz created, TimestampTz modified, int64 version);
extern char *ScimVersionTag(int64 version);
extern void ScimCheckIfMatch(ScimRequest *req, int64 version);
extern ScimJson *ScimChangedAttributes(const ScimJson *before, const ScimJson *after);
extern ScimJson *ScimMergeOver(ScimJson *stored, ScimJson *doc);

/* the statements users and groups share the shape of */
extern bool ScimLockRow(ScimRequest *req, SPIPlanPtr *plan, const char *sql,
						const char *id, pg_uuid_t *uuid);
extern void ScimCheckKeyFree(ScimRequest *req, SPIPlanPtr *plan, const char *sql,
							 const char *what, const char *key,
							 const pg_uuid_t *except);

/* the change feed: one row of scim.events per change */
extern void ScimEventAppend(ScimRequest *req, const char *resource_type,
							const pg_uuid_t *id, const char *action,
							ScimJson *changes);

#endif							/* SCIM_RESOURCE_H */
