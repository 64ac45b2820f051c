/*-------------------------------------------------------------------------
 *
 * project.h
 *	  Projection: the "attributes" and "excludedAttributes" parameters
 *	  applied to a resource document (project.c).
 *
 * src/project.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_PROJECT_H
#define SCIM_PROJECT_H

#include "postgres.h"

#include "json.h"
#include "schema.h"

extern void ScimProject(const ScimResourceTypeDef *rt, ScimJson *doc,
						const char *attributes, const char *excluded);

#endif							/* SCIM_PROJECT_H */
