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

#include "schema.h"
#include "tenant.h"

extern void ScimExtensionsLoad(ScimTenant *tenant);
extern void ScimExtensionsUse(const ScimTenant *tenant);
extern void ScimExtensionsReset(void);
extern const ScimResourceTypeDef *ScimResourceType(ScimResourceKind kind);

#endif							/* SCIM_EXTENSION_H */
