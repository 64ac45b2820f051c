/*-------------------------------------------------------------------------
 *
 * user.h
 *	  Users: create, read, replace, patch, delete and render (user.c).
 *
 * src/user.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_USER_H
#define SCIM_USER_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"

#include "json.h"
#include "resource.h"

extern ScimResult *ScimUserCreate(ScimRequest *req, ScimJson *in);
extern ScimResult *ScimUserGet(ScimRequest *req, const char *id);
extern ScimResult *ScimUserReplace(ScimRequest *req, const char *id, ScimJson *in);
extern ScimResult *ScimUserPatch(ScimRequest *req, const char *id, ScimJson *patch);
extern void ScimUserDelete(ScimRequest *req, const char *id);
extern ScimJson *ScimUserRender(ScimRequest *req, HeapTuple tup, TupleDesc desc);

/* the select list ScimUserRender reads */
extern const char *ScimUserColumns;

#endif							/* SCIM_USER_H */
