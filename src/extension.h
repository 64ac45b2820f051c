/*-------------------------------------------------------------------------
 *
 * extension.h
 *	  Tenant-defined extension schemas and the resource types they make
 *	  (extension.c).
 *
 * src/extension.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_EXTENSION_H
#define SCIM_EXTENSION_H

#include "postgres.h"

#include "json.h"
#include "schema.h"
#include "tenant.h"

extern void ScimExtensionsLoad(ScimTenant *tenant);
extern const ScimResourceTypeDef *ScimResourceType(const ScimTenant *tenant,
												   ScimResourceKind kind);
extern char *ScimExtensionName(const char *urn);
extern void ScimExtensionCheck(const char *urn, const char *name, ScimJson *attrs);

#endif							/* SCIM_EXTENSION_H */
