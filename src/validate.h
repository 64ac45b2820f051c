/*-------------------------------------------------------------------------
 *
 * validate.h
 *	  Schema-driven validation of a resource document (validate.c).
 *
 * src/validate.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_VALIDATE_H
#define SCIM_VALIDATE_H

#include "postgres.h"

#include "json.h"
#include "schema.h"

extern void ScimCheckMultiCount(const ScimAttrDef *def, int n, const char *where);
extern const ScimAttrDef *ScimRequireSubAttr(const ScimAttrDef *def, const char *name,
											 const char *label);
extern ScimJson *ScimValidate(const ScimResourceTypeDef *rt, const ScimJson *in);
extern void ScimCheckSchemas(const ScimJson *msg, const char *urn,
							 const char *what, bool required);
extern void ScimTidyExtensions(const ScimResourceTypeDef *rt, ScimJson *doc);
extern bool ScimCoerceBoolean(const ScimJson *v, bool *out);
extern ScimJson *ScimCoerceValue(const ScimAttrDef *def, const ScimJson *v,
								 const char *where);

#endif							/* SCIM_VALIDATE_H */
