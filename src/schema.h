/*-------------------------------------------------------------------------
 *
 * schema.h
 *	  The schema registry: SCIM attributes and their characteristics.
 *
 * RFC 7643 §2.2 and §7: every attribute has a type, multiplicity,
 * mutability, "returned" rule, case sensitivity and uniqueness.  These
 * are data (schema.c); validation, PATCH, filters, projection and the
 * /Schemas endpoint all read the same definitions.
 *
 * src/schema.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_SCHEMA_H
#define SCIM_SCHEMA_H

#include "postgres.h"

#define SCIM_URN_USER		"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_URN_GROUP		"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_URN_ENTERPRISE "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_URN_ERROR		"urn:ietf:params:scim:api:messages:2.0:Error"
#define SCIM_URN_LIST		"urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCIM_URN_PATCHOP	"urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_URN_SEARCH		"urn:ietf:params:scim:api:messages:2.0:SearchRequest"
#define SCIM_URN_BULKREQ	"urn:ietf:params:scim:api:messages:2.0:BulkRequest"
#define SCIM_URN_BULKRESP	"urn:ietf:params:scim:api:messages:2.0:BulkResponse"
#define SCIM_URN_SPC		"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
#define SCIM_URN_RESTYPE	"urn:ietf:params:scim:schemas:core:2.0:ResourceType"
#define SCIM_URN_SCHEMA		"urn:ietf:params:scim:schemas:core:2.0:Schema"

typedef enum ScimAttrType
{
	SAT_STRING,
	SAT_BOOLEAN,
	SAT_DECIMAL,
	SAT_INTEGER,
	SAT_DATETIME,
	SAT_BINARY,
	SAT_REFERENCE,
	SAT_COMPLEX
} ScimAttrType;

typedef enum ScimMutability
{
	SM_READWRITE,
	SM_READONLY,
	SM_IMMUTABLE,
	SM_WRITEONLY
} ScimMutability;

typedef enum ScimReturned
{
	SR_DEFAULT,
	SR_ALWAYS,
	SR_NEVER,
	SR_REQUEST
} ScimReturned;

typedef enum ScimUniqueness
{
	SU_NONE,
	SU_SERVER,
	SU_GLOBAL
} ScimUniqueness;

typedef struct ScimAttrDef
{
	const char *name;
	ScimAttrType type;
	bool		multiValued;
	bool		required;
	bool		caseExact;
	ScimMutability mutability;
	ScimReturned returned;
	ScimUniqueness uniqueness;
	const char *description;
	const char *const *canonicalValues; /* NULL-terminated, or NULL */
	const char *const *referenceTypes;	/* NULL-terminated, or NULL */
	const struct ScimAttrDef *subAttributes;
	int			nsub;
} ScimAttrDef;

typedef struct ScimSchemaDef
{
	const char *urn;
	const char *name;
	const char *description;
	const ScimAttrDef *attrs;
	int			nattrs;
} ScimSchemaDef;

typedef enum ScimResourceKind
{
	SCIM_RES_USER,
	SCIM_RES_GROUP
} ScimResourceKind;

typedef struct ScimResourceTypeDef
{
	ScimResourceKind kind;
	const char *name;			/* "User" */
	const char *endpoint;		/* "/Users" */
	const char *description;
	const ScimSchemaDef *schema;
	const ScimSchemaDef *const *extensions; /* NULL-terminated */
} ScimResourceTypeDef;

extern const ScimSchemaDef ScimUserSchema;
extern const ScimSchemaDef ScimEnterpriseSchema;
extern const ScimSchemaDef ScimGroupSchema;
extern const ScimResourceTypeDef ScimUserType;
extern const ScimResourceTypeDef ScimGroupType;
extern const ScimSchemaDef *const ScimAllSchemas[]; /* NULL-terminated */

/* find an attribute (case-insensitive) in a schema, or among sub-attributes */
extern const ScimAttrDef *ScimSchemaFindAttr(const ScimSchemaDef *schema,
											 const char *name);
extern const ScimAttrDef *ScimAttrFindSub(const ScimAttrDef *attr,
										  const char *name);

/* find the schema (core or extension) of a resource type by URN */
extern const ScimSchemaDef *ScimResourceFindSchema(const ScimResourceTypeDef *rt,
												   const char *urn);

/* "meta" or "schemas" (any case): written by the server, echoed by clients */
extern bool ScimIsMetaOrSchemas(const char *name);

extern const char *ScimAttrTypeName(ScimAttrType t);
extern const char *ScimMutabilityName(ScimMutability m);
extern const char *ScimReturnedName(ScimReturned r);
extern const char *ScimUniquenessName(ScimUniqueness u);

#endif							/* SCIM_SCHEMA_H */
