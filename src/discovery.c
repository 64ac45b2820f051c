/*-------------------------------------------------------------------------
 *
 * discovery.c
 *	  The discovery endpoints: /ServiceProviderConfig, /ResourceTypes and
 *	  /Schemas (RFC 7644 §4, RFC 7643 §5-§7).
 *
 * Everything here is derived from the schema registry (schema.c) and the
 * tenant's settings, so that what a client discovers is what the server
 * does: every attribute of every schema is listed with all of its
 * characteristics, and the limits reported are the tenant's real ones.
 * The only tenant-specific attribute characteristic is the canonical
 * value list of the User "role" attribute, which is the tenant's list of
 * allowed roles.
 *
 * The functions build ScimJson trees in the current memory context; the
 * caller writes them out.  Lookups of a single resource type or schema
 * return NULL when it is unknown, and the caller answers 404.
 *
 * src/discovery.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "discovery.h"
#include "extension.h"
#include "json.h"
#include "resource.h"
#include "schema.h"
#include "tenant.h"

/* /Bulk is implemented (bulk.c); reported as bulk.supported */
static const bool bulk_supported = true;

/* the characteristics RFC 7643 §5 lists as supported, besides bulk */
static const bool patch_supported = true;
static const bool filter_supported = true;
static const bool change_password_supported = true;
static const bool sort_supported = true;
static const bool etag_supported = true;

/* the resource types served, in the order /ResourceTypes lists them */
static const ScimResourceKind resource_kinds[] = {SCIM_RES_USER, SCIM_RES_GROUP};

/*
 * The schemas of this tenant, in the order /Schemas lists them: User, its
 * extensions (enterprise, then the tenant's own), Group.  NULL-terminated.
 */
static const ScimSchemaDef **
all_schemas(ScimRequest *req)
{
	const ScimResourceTypeDef *user = ScimResourceType(req->tenant, SCIM_RES_USER);
	const ScimSchemaDef **list = palloc0(sizeof(ScimSchemaDef *) * 16);
	int			n = 0,
				i;

	list[n++] = user->schema;
	for (i = 0; user->extensions[i] && n < 14; i++)
		list[n++] = user->extensions[i];
	list[n++] = ScimResourceType(req->tenant, SCIM_RES_GROUP)->schema;
	return list;
}

/* forward declarations */
static void set_string(ScimJson *obj, const char *key, const char *value);
static void set_bool(ScimJson *obj, const char *key, bool value);
static void set_int(ScimJson *obj, const char *key, int value);
static ScimJson *string_array(const char *const *values);
static ScimJson *schemas_of(const char *urn);
static char *base_url(ScimRequest *req);
static ScimJson *make_meta(ScimRequest *req, const char *resource_type,
						   const char *location);
static ScimJson *feature(bool supported);
static ScimJson *attribute_json(ScimRequest *req, const ScimAttrDef *attr,
								bool is_role);
static ScimJson *discovery_object(const char *schema_urn, const char *id);
static void set_discovery_meta(ScimRequest *req, ScimJson *obj,
							   const char *resource_type, const char *endpoint,
							   const char *id);
static ScimJson *schema_json(ScimRequest *req, const ScimSchemaDef *schema);
static ScimJson *resource_type_json(ScimRequest *req,
									const ScimResourceTypeDef *rt);
static ScimJson *list_response(ScimJson *resources);

/* obj[key] = value as a JSON string */
static void
set_string(ScimJson *obj, const char *key, const char *value)
{
	ScimJsonSet(obj, key, ScimJsonMakeString(value));
}

/* obj[key] = value as a JSON boolean */
static void
set_bool(ScimJson *obj, const char *key, bool value)
{
	ScimJsonSet(obj, key, ScimJsonMakeBool(value));
}

/* obj[key] = value as a JSON number */
static void
set_int(ScimJson *obj, const char *key, int value)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%d", value);
	ScimJsonSet(obj, key, ScimJsonMakeNumber(buf));
}

/* a JSON array of the strings of a NULL-terminated list */
static ScimJson *
string_array(const char *const *values)
{
	ScimJson   *arr = ScimJsonNew(SJ_ARRAY);
	int			i;

	for (i = 0; values[i] != NULL; i++)
		ScimJsonAppend(arr, ScimJsonMakeString(values[i]));
	return arr;
}

/* a "schemas" array holding urn alone */
static ScimJson *
schemas_of(const char *urn)
{
	ScimJson   *arr = ScimJsonNew(SJ_ARRAY);

	ScimJsonAppend(arr, ScimJsonMakeString(urn));
	return arr;
}

/* the request's base URL without a trailing slash ("" when unknown) */
static char *
base_url(ScimRequest *req)
{
	const char *b = req->base_url ? req->base_url : "";
	size_t		len = strlen(b);

	while (len > 0 && b[len - 1] == '/')
		len--;
	return pnstrdup(b, len);
}

/* meta {resourceType, location} of a discovery resource */
static ScimJson *
make_meta(ScimRequest *req, const char *resource_type, const char *location)
{
	ScimJson   *meta = ScimJsonNew(SJ_OBJECT);

	set_string(meta, "resourceType", resource_type);
	set_string(meta, "location", location);
	return meta;
}

/* {"supported": supported} */
static ScimJson *
feature(bool supported)
{
	ScimJson   *obj = ScimJsonNew(SJ_OBJECT);

	set_bool(obj, "supported", supported);
	return obj;
}

/*
 * The /Schemas representation of one attribute (RFC 7643 §7), with its
 * sub-attributes.  is_role marks the User "role" attribute, whose
 * canonical values are the tenant's allowed roles.
 */
static ScimJson *
attribute_json(ScimRequest *req, const ScimAttrDef *attr, bool is_role)
{
	ScimJson   *obj = ScimJsonNew(SJ_OBJECT);

	set_string(obj, "name", attr->name);
	set_string(obj, "type", ScimAttrTypeName(attr->type));
	set_bool(obj, "multiValued", attr->multiValued);
	set_string(obj, "description", attr->description ? attr->description : "");
	set_bool(obj, "required", attr->required);
	if (is_role && req->tenant != NULL && req->tenant->nroles > 0)
	{
		ScimJson   *values = ScimJsonNew(SJ_ARRAY);
		int			i;

		for (i = 0; i < req->tenant->nroles; i++)
			ScimJsonAppend(values, ScimJsonMakeString(req->tenant->roles[i]));
		ScimJsonSet(obj, "canonicalValues", values);
	}
	else if (attr->canonicalValues != NULL)
		ScimJsonSet(obj, "canonicalValues", string_array(attr->canonicalValues));
	set_bool(obj, "caseExact", attr->caseExact);
	set_string(obj, "mutability", ScimMutabilityName(attr->mutability));
	set_string(obj, "returned", ScimReturnedName(attr->returned));
	set_string(obj, "uniqueness", ScimUniquenessName(attr->uniqueness));
	if (attr->type == SAT_REFERENCE && attr->referenceTypes != NULL)
		ScimJsonSet(obj, "referenceTypes", string_array(attr->referenceTypes));
	if (attr->type == SAT_COMPLEX && attr->nsub > 0)
	{
		ScimJson   *subs = ScimJsonNew(SJ_ARRAY);
		int			i;

		for (i = 0; i < attr->nsub; i++)
			ScimJsonAppend(subs, attribute_json(req, &attr->subAttributes[i],
												false));
		ScimJsonSet(obj, "subAttributes", subs);
	}
	return obj;
}

/* a new discovery resource: its "schemas" and "id" */
static ScimJson *
discovery_object(const char *schema_urn, const char *id)
{
	ScimJson   *obj = ScimJsonNew(SJ_OBJECT);

	ScimJsonSet(obj, "schemas", schemas_of(schema_urn));
	set_string(obj, "id", id);
	return obj;
}

/* the "meta" of a discovery resource served at <base>/<endpoint>/<id> */
static void
set_discovery_meta(ScimRequest *req, ScimJson *obj, const char *resource_type,
				   const char *endpoint, const char *id)
{
	ScimJsonSet(obj, "meta",
				make_meta(req, resource_type,
						  psprintf("%s/%s/%s", base_url(req), endpoint, id)));
}

/* the Schema resource describing schema (RFC 7643 §7) */
static ScimJson *
schema_json(ScimRequest *req, const ScimSchemaDef *schema)
{
	ScimJson   *obj = discovery_object(SCIM_URN_SCHEMA, schema->urn);
	ScimJson   *attrs = ScimJsonNew(SJ_ARRAY);
	int			i;

	set_string(obj, "name", schema->name);
	set_string(obj, "description", schema->description);
	for (i = 0; i < schema->nattrs; i++)
	{
		const ScimAttrDef *attr = &schema->attrs[i];
		bool		is_role;

		is_role = (schema == &ScimUserSchema &&
				   scim_strcasecmp(attr->name, "role") == 0);
		ScimJsonAppend(attrs, attribute_json(req, attr, is_role));
	}
	ScimJsonSet(obj, "attributes", attrs);
	set_discovery_meta(req, obj, "Schema", "Schemas", schema->urn);
	return obj;
}

/* the ResourceType resource describing rt (RFC 7643 §6) */
static ScimJson *
resource_type_json(ScimRequest *req, const ScimResourceTypeDef *rt)
{
	ScimJson   *obj = discovery_object(SCIM_URN_RESTYPE, rt->name);
	int			i;

	set_string(obj, "name", rt->name);
	set_string(obj, "endpoint", rt->endpoint);
	set_string(obj, "description", rt->description);
	set_string(obj, "schema", rt->schema->urn);

	/* as in RFC 7643 §8.6, a type without extensions has no such member */
	if (rt->extensions[0] != NULL)
	{
		ScimJson   *exts = ScimJsonNew(SJ_ARRAY);

		for (i = 0; rt->extensions[i] != NULL; i++)
		{
			ScimJson   *ext = ScimJsonNew(SJ_OBJECT);

			set_string(ext, "schema", rt->extensions[i]->urn);
			set_bool(ext, "required", false);
			ScimJsonAppend(exts, ext);
		}
		ScimJsonSet(obj, "schemaExtensions", exts);
	}
	set_discovery_meta(req, obj, "ResourceType", "ResourceTypes", rt->name);
	return obj;
}

/* a ListResponse holding every element of resources, on one page */
static ScimJson *
list_response(ScimJson *resources)
{
	ScimJson   *obj = ScimJsonNew(SJ_OBJECT);

	ScimJsonSet(obj, "schemas", schemas_of(SCIM_URN_LIST));
	set_int(obj, "totalResults", resources->count);
	set_int(obj, "itemsPerPage", resources->count);
	set_int(obj, "startIndex", 1);
	ScimJsonSet(obj, "Resources", resources);
	return obj;
}

/* GET /ServiceProviderConfig (RFC 7643 §5) */
ScimJson *
ScimServiceProviderConfig(ScimRequest *req)
{
	ScimJson   *obj = ScimJsonNew(SJ_OBJECT);
	ScimJson   *bulk;
	ScimJson   *filter;
	ScimJson   *schemes = ScimJsonNew(SJ_ARRAY);
	ScimJson   *bearer = ScimJsonNew(SJ_OBJECT);
	const ScimTenant *tenant = req->tenant;

	ScimJsonSet(obj, "schemas", schemas_of(SCIM_URN_SPC));
	ScimJsonSet(obj, "patch", feature(patch_supported));

	bulk = feature(bulk_supported);
	set_int(bulk, "maxOperations",
			tenant ? tenant->bulk_max_operations
			: ScimTenantDefaultInt("bulk_max_operations"));
	set_int(bulk, "maxPayloadSize",
			tenant ? tenant->max_payload_bytes
			: ScimTenantDefaultInt("max_payload_bytes"));
	ScimJsonSet(obj, "bulk", bulk);

	filter = feature(filter_supported);
	set_int(filter, "maxResults",
			tenant ? tenant->max_results : ScimTenantDefaultInt("max_results"));
	ScimJsonSet(obj, "filter", filter);

	ScimJsonSet(obj, "changePassword", feature(change_password_supported));
	ScimJsonSet(obj, "sort", feature(sort_supported));
	ScimJsonSet(obj, "etag", feature(etag_supported));

	set_string(bearer, "type", "oauthbearertoken");
	set_string(bearer, "name", "OAuth Bearer Token");
	set_string(bearer, "description",
			   "Authentication with a per-organization bearer token sent as "
			   "'Authorization: Bearer <token>'.");
	set_bool(bearer, "primary", true);
	ScimJsonAppend(schemes, bearer);
	ScimJsonSet(obj, "authenticationSchemes", schemes);

	ScimJsonSet(obj, "meta",
				make_meta(req, "ServiceProviderConfig",
						  psprintf("%s/ServiceProviderConfig", base_url(req))));
	return obj;
}

/* GET /ResourceTypes: a ListResponse of every resource type */
ScimJson *
ScimResourceTypesList(ScimRequest *req)
{
	ScimJson   *resources = ScimJsonNew(SJ_ARRAY);
	int			i;

	for (i = 0; i < lengthof(resource_kinds); i++)
		ScimJsonAppend(resources, resource_type_json(req, ScimResourceType(req->tenant, resource_kinds[i])));
	return list_response(resources);
}

/* GET /ResourceTypes/{name}: name case-insensitive; NULL when unknown */
ScimJson *
ScimResourceTypeGet(ScimRequest *req, const char *name)
{
	int			i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < lengthof(resource_kinds); i++)
		if (scim_strcasecmp(ScimResourceType(req->tenant, resource_kinds[i])->name, name) == 0)
			return resource_type_json(req, ScimResourceType(req->tenant, resource_kinds[i]));
	return NULL;
}

/* GET /Schemas: a ListResponse of every schema in the registry */
ScimJson *
ScimSchemasList(ScimRequest *req)
{
	ScimJson   *resources = ScimJsonNew(SJ_ARRAY);
	const ScimSchemaDef **schemas = all_schemas(req);
	int			i;

	for (i = 0; schemas[i] != NULL; i++)
		ScimJsonAppend(resources, schema_json(req, schemas[i]));
	return list_response(resources);
}

/* GET /Schemas/{urn}: urn case-insensitive; NULL when unknown */
ScimJson *
ScimSchemaGet(ScimRequest *req, const char *urn)
{
	const ScimSchemaDef **schemas = all_schemas(req);
	int			i;

	if (urn == NULL)
		return NULL;
	for (i = 0; schemas[i] != NULL; i++)
		if (scim_strcasecmp(schemas[i]->urn, urn) == 0)
			return schema_json(req, schemas[i]);
	return NULL;
}
