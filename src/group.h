/*-------------------------------------------------------------------------
 *
 * group.h
 *	  Groups: create, read, replace, patch, delete and render (group.c).
 *
 * src/group.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_GROUP_H
#define SCIM_GROUP_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"

#include "json.h"
#include "resource.h"

extern ScimResult *ScimGroupCreate(ScimRequest *req, ScimJson *in);
extern ScimResult *ScimGroupGet(ScimRequest *req, const char *id, bool with_members);
extern ScimResult *ScimGroupReplace(ScimRequest *req, const char *id, ScimJson *in);
extern ScimResult *ScimGroupPatch(ScimRequest *req, const char *id, ScimJson *patch);
extern void ScimGroupDelete(ScimRequest *req, const char *id);
extern ScimJson *ScimGroupRender(ScimRequest *req, HeapTuple tup, TupleDesc desc,
								 bool with_members);

/* the select list ScimGroupRender reads */
extern const char *ScimGroupColumns;

#endif							/* SCIM_GROUP_H */
