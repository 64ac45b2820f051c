/*-------------------------------------------------------------------------
 *
 * patch.h
 *	  The PATCH engine (RFC 7644 §3.5.2) over a resource document
 *	  (patch.c).
 *
 * src/patch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_PATCH_H
#define SCIM_PATCH_H

#include "postgres.h"

#include "filter.h"
#include "json.h"
#include "schema.h"

/*
 * Group membership is rows, not part of the document: the PATCH engine
 * hands every operation on "members" to these callbacks.
 */
typedef struct ScimPatchHooks
{
	/* op is "add", "remove" or "replace"; filter may be NULL */
	void		(*members) (void *arg, const char *op, struct ScimFilterNode *filter,
							const char *subattr, ScimJson *value, int opindex);
	void	   *arg;
} ScimPatchHooks;

/* most operations one PatchOp may carry (413 beyond) */
#define SCIM_PATCH_MAX_OPERATIONS 1000

extern ScimJson *ScimPatchApply(const ScimResourceTypeDef *rt, const ScimJson *doc,
								const ScimJson *patch, const ScimPatchHooks *hooks);
extern uint64 ScimPatchWork(void);

#endif							/* SCIM_PATCH_H */
