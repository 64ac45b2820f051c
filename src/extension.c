/*-------------------------------------------------------------------------
 *
 * extension.c
 *	  Tenant-defined extension schemas: custom User attributes.
 *
 * Like Zulip's custom profile fields, but standard: a tenant registers an
 * extension schema (urn:ietf:params:scim:schemas:extension:<name>:2.0:User)
 * whose attributes are described the way /Schemas describes attributes.
 * Once registered, the extension is part of that tenant's User resource
 * type: values under its URN key are validated, stored in attrs, returned,
 * filtered, sorted and patched by URN path like the enterprise extension's,
 * and /Schemas and /ResourceTypes list it for that tenant.
 *
 * Supported characteristics: every type except binary, single- or
 * multi-valued, complex with simple sub-attributes, required, caseExact,
 * canonicalValues.  Mutability is readWrite, returned is default and
 * uniqueness none: the others would promise behaviour custom attributes do
 * not have, so they are refused rather than ignored.
 *
 * src/extension.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "error.h"
#include "extension.h"
#include "json.h"
#include "json_out.h"
#include "schema.h"
#include "spi_util.h"
#include "tenant.h"

/* forward declarations */
static void parse_attr(ScimJson *in, ScimAttrDef *out, bool is_sub);
static bool valid_name(const char *s);

/* ATTRNAME = ALPHA *(nameChar) (RFC 7644 §3.4.2.2) */
static bool
valid_name(const char *s)
{
	const char *p;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return p - s <= 64;
}

/* a string member that must be one of choices (or absent: choices[0]) */
static int
enum_member(ScimJson *in, const char *key, const char *const *choices,
			const char *attr)
{
	const char *v;
	int			i;

	if (ScimJsonGet(in, key) == NULL)
		return 0;
	v = ScimJsonGetString(in, key);
	for (i = 0; v && choices[i]; i++)
		if (strcmp(choices[i], v) == 0)
			return i;
	ScimError(SCIM_ERR_INVALID_VALUE,
			  "attribute \"%s\": \"%s\" must be one of the supported values (first: \"%s\")",
			  attr, key, choices[0]);
	return 0;
}

/* a boolean member, false when absent */
static bool
bool_member(ScimJson *in, const char *key, const char *attr)
{
	ScimJson   *v = ScimJsonGet(in, key);

	if (v == NULL)
		return false;
	if (v->type != SJ_BOOL)
		ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": \"%s\" must be a boolean",
				  attr, key);
	return v->boolean;
}

/* one attribute definition, as /Schemas writes it, into out */
static void
parse_attr(ScimJson *in, ScimAttrDef *out, bool is_sub)
{
	static const char *const types[] = {
		"string", "boolean", "decimal", "integer", "dateTime", "binary",
		"reference", "complex", NULL
	};
	static const char *const mutabilities[] = {"readWrite", NULL};
	static const char *const returns[] = {"default", NULL};
	static const char *const uniquenesses[] = {"none", NULL};
	const char *name;
	ScimJson   *canon;
	ScimJson   *subs;
	int			i;

	if (in == NULL || in->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_VALUE, "each attribute must be a JSON object");
	name = ScimJsonGetString(in, "name");
	if (name == NULL || !valid_name(name))
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "attribute name \"%s\" is not valid: a letter, then letters, digits, '-' or '_'",
				  name ? name : "");
	memset(out, 0, sizeof(ScimAttrDef));
	out->name = pstrdup(name);
	out->type = (ScimAttrType) enum_member(in, "type", types, name);
	if (ScimJsonGet(in, "type") == NULL)
		out->type = SAT_STRING;
	if (out->type == SAT_BINARY)
		ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": binary custom attributes are not supported", name);
	out->multiValued = bool_member(in, "multiValued", name);
	out->required = bool_member(in, "required", name);
	out->caseExact = bool_member(in, "caseExact", name);
	out->mutability = SM_READWRITE;
	out->returned = SR_DEFAULT;
	out->uniqueness = SU_NONE;
	(void) enum_member(in, "mutability", mutabilities, name);
	(void) enum_member(in, "returned", returns, name);
	(void) enum_member(in, "uniqueness", uniquenesses, name);
	out->description = ScimJsonGetString(in, "description")
		? pstrdup(ScimJsonGetString(in, "description")) : "";

	canon = ScimJsonGet(in, "canonicalValues");
	if (canon != NULL)
	{
		const char **values;

		if (canon->type != SJ_ARRAY)
			ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": canonicalValues must be an array of strings", name);
		values = palloc0(sizeof(char *) * (canon->count + 1));
		for (i = 0; i < canon->count; i++)
		{
			if (canon->items[i]->type != SJ_STRING)
				ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": canonicalValues must be an array of strings", name);
			values[i] = pstrdup(canon->items[i]->str);
		}
		out->canonicalValues = values;
	}

	subs = ScimJsonGet(in, "subAttributes");
	if (out->type == SAT_COMPLEX)
	{
		ScimAttrDef *defs;

		if (is_sub)
			ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": a sub-attribute cannot be complex", name);
		if (subs == NULL || subs->type != SJ_ARRAY || subs->count == 0)
			ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": a complex attribute needs subAttributes", name);
		defs = palloc0(sizeof(ScimAttrDef) * subs->count);
		for (i = 0; i < subs->count; i++)
		{
			int			k;

			parse_attr(subs->items[i], &defs[i], true);
			for (k = 0; k < i; k++)
				if (scim_strcasecmp(defs[k].name, defs[i].name) == 0)
					ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": sub-attribute \"%s\" is defined twice", name, defs[i].name);
		}
		out->subAttributes = defs;
		out->nsub = subs->count;
	}
	else if (subs != NULL)
		ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\": only complex attributes have subAttributes", name);
}

/* the schema urn with the attribute definitions in attrs */
static ScimSchemaDef *
make_schema(const char *urn, const char *name, ScimJson *attrs)
{
	ScimSchemaDef *s = palloc0(sizeof(ScimSchemaDef));
	ScimAttrDef *defs;
	int			i,
				k;

	if (attrs->type != SJ_ARRAY || attrs->count == 0)
		ScimError(SCIM_ERR_INVALID_VALUE, "attributes must be a non-empty JSON array");
	defs = palloc0(sizeof(ScimAttrDef) * attrs->count);
	for (i = 0; i < attrs->count; i++)
	{
		parse_attr(attrs->items[i], &defs[i], false);
		for (k = 0; k < i; k++)
			if (scim_strcasecmp(defs[k].name, defs[i].name) == 0)
				ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\" is defined twice", defs[i].name);
	}
	s->urn = pstrdup(urn);
	s->name = pstrdup(name);
	s->description = psprintf("Custom attributes (%s)", name);
	s->attrs = defs;
	s->nattrs = attrs->count;
	return s;
}

/*
 * ScimExtensionsLoad
 *		Build the tenant's User resource type: the standard one plus the
 *		extensions the tenant registered, kept in tenant->user_type (NULL:
 *		none), which ScimResourceType(tenant, SCIM_RES_USER) answers.
 */
void
ScimExtensionsLoad(ScimTenant *tenant)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	int			n,
				i,
				k = 0;
	ScimResourceTypeDef *rt;
	const ScimSchemaDef **exts;
	SPITupleTable *tt;

	tenant->user_type = NULL;
	values[0] = CStringGetTextDatum(tenant->id);
	ScimPlan(&plan,
			 "SELECT urn, name, attributes FROM scim.schema_extensions "
			 "WHERE tenant_id = $1 ORDER BY created, urn", 1, types);
	n = ScimExec(plan, values, NULL, 0);
	if (n == 0)
		return;
	tt = SPI_tuptable;
	rt = palloc(sizeof(ScimResourceTypeDef));
	memcpy(rt, &ScimUserType, sizeof(ScimResourceTypeDef));
	exts = palloc0(sizeof(ScimSchemaDef *) * (n + 2));
	for (i = 0; ScimUserType.extensions[i]; i++)
		exts[k++] = ScimUserType.extensions[i];
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull);

		exts[k++] = make_schema(SPI_getvalue(tt->vals[i], tt->tupdesc, 1),
								SPI_getvalue(tt->vals[i], tt->tupdesc, 2),
								ScimJsonFromJsonb(DatumGetJsonbP(d)));
	}
	rt->extensions = exts;
	tenant->user_type = rt;
}

/*
 * ScimResourceType
 *		The resource type of kind for tenant: its User type carries the
 *		tenant's extensions.  NULL: no tenant, the standard types.
 */
const ScimResourceTypeDef *
ScimResourceType(const ScimTenant *tenant, ScimResourceKind kind)
{
	if (kind == SCIM_RES_GROUP)
		return &ScimGroupType;
	if (tenant != NULL && tenant->user_type != NULL)
		return tenant->user_type;
	return &ScimUserType;
}

/*
 * ScimExtensionName
 *		The <name> of the URN of an extension a tenant registers, which must
 *		be urn:ietf:params:scim:schemas:extension:<name>:2.0:User.
 */
char *
ScimExtensionName(const char *urn)
{
	const char *prefix = "urn:ietf:params:scim:schemas:extension:";
	const char *suffix = ":2.0:User";
	size_t		ul = strlen(urn);
	char	   *name;

	if (strncmp(urn, prefix, strlen(prefix)) != 0 || ul <= strlen(prefix) + strlen(suffix) ||
		strcmp(urn + ul - strlen(suffix), suffix) != 0)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "extension URN must look like urn:ietf:params:scim:schemas:extension:<name>:2.0:User");
	name = pnstrdup(urn + strlen(prefix), ul - strlen(prefix) - strlen(suffix));
	if (!valid_name(name))
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "extension name \"%s\" is not valid: a letter, then letters, digits, '-' or '_'", name);
	if (scim_strcasecmp(urn, SCIM_URN_ENTERPRISE) == 0)
		ScimError(SCIM_ERR_UNIQUENESS, "the enterprise extension is built in");
	return name;
}

/* check the attribute definitions of the extension urn (400 if not valid) */
void
ScimExtensionCheck(const char *urn, const char *name, ScimJson *attrs)
{
	(void) make_schema(urn, name, attrs);
}
