/*-------------------------------------------------------------------------
 *
 * validate.c
 *	  Checking a resource document against its schemas.
 *
 * ScimValidate() takes a User or Group as a client sent it and returns a
 * normalized copy: attribute names in their canonical case, extension
 * attributes under their URN, values type-checked (with the string
 * booleans "True"/"False" that Entra sends accepted), readOnly attributes
 * the client echoed (id, meta, groups, members.display) dropped, and
 * unassigned values (null, "", [], {}) left out.  Unknown attributes are
 * refused rather than silently dropped.
 *
 * A multi-valued attribute holds at most the tenant's max_multi_values
 * values (scim_limits; invalidValue beyond, docs/security.md), so that no
 * later step (PATCH, projection, filters) works on longer arrays.  A
 * Group's "members" are exempt: they are rows, not part of the document.
 * Every loop here runs over request data and checks for interrupts.
 *
 * src/validate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "miscadmin.h"

#include "error.h"
#include "extension.h"
#include "json.h"
#include "schema.h"
#include "tenant.h"
#include "validate.h"

/* forward declarations */
static ScimJson *coerce_single(const ScimAttrDef *def, const ScimJson *v,
							   const char *where);
static ScimJson *coerce_complex(const ScimAttrDef *def, const ScimJson *v,
								const char *where);
static bool valid_datetime(const char *s);
static bool valid_base64(const char *s);
static void validate_into(const ScimSchemaDef *schema, ScimJson *out,
						  const char *key, const ScimJson *v);
static void check_primary(const ScimAttrDef *def, const ScimJson *arr);
static bool is_group_members(const ScimAttrDef *def);

/*
 * ScimCoerceBoolean
 *		A JSON boolean, or a string "true"/"false" in any case.
 */
bool
ScimCoerceBoolean(const ScimJson *v, bool *out)
{
	if (v->type == SJ_BOOL)
	{
		*out = v->boolean;
		return true;
	}
	if (v->type == SJ_STRING)
	{
		if (scim_strcasecmp(v->str, "true") == 0)
		{
			*out = true;
			return true;
		}
		if (scim_strcasecmp(v->str, "false") == 0)
		{
			*out = false;
			return true;
		}
	}
	return false;
}

/* xsd:dateTime with a time zone: 2008-01-23T04:56:22Z, fractions allowed */
static bool
valid_datetime(const char *s)
{
	const char *p = s;
	int			i;

	static const char pattern[] = "dddd-dd-ddTdd:dd:dd";

	for (i = 0; pattern[i]; i++, p++)
	{
		if (pattern[i] == 'd' ? !isdigit((unsigned char) *p) : *p != pattern[i])
			return false;
	}
	if (*p == '.')
	{
		p++;
		if (!isdigit((unsigned char) *p))
			return false;
		while (isdigit((unsigned char) *p))
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		return p[1] == '\0';
	if ((*p == '+' || *p == '-') && isdigit((unsigned char) p[1]) &&
		isdigit((unsigned char) p[2]) && p[3] == ':' &&
		isdigit((unsigned char) p[4]) && isdigit((unsigned char) p[5]) &&
		p[6] == '\0')
		return true;
	return false;
}

/* base64 text (RFC 4648, padding optional, whitespace not allowed) */
static bool
valid_base64(const char *s)
{
	size_t		n = 0;

	for (; *s && *s != '='; s++, n++)
		if (!isalnum((unsigned char) *s) && *s != '+' && *s != '/')
			return false;
	while (*s == '=')
		s++, n++;
	return *s == '\0';
}

/* a complex value: known sub-attributes only, readOnly ones dropped */
static ScimJson *
coerce_complex(const ScimAttrDef *def, const ScimJson *v, const char *where)
{
	ScimJson   *out = ScimJsonNew(SJ_OBJECT);
	int			i;

	/* a bare string for a complex attribute means its "value" (Entra manager) */
	if (v->type == SJ_STRING && ScimAttrFindSub(def, "value") != NULL)
	{
		if (v->len > 0)
			ScimJsonSet(out, "value", ScimJsonCopy(v));
		return out;
	}
	if (v->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "attribute \"%s\" must be an object, not %s",
				  where, ScimJsonTypeName(v->type));
	for (i = 0; i < def->nsub; i++)
		if (def->subAttributes[i].required &&
			ScimJsonIsEmpty(ScimJsonGet(v, def->subAttributes[i].name)))
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "each value of \"%s\" needs a \"%s\"",
					  where, def->subAttributes[i].name);
	for (i = 0; i < v->count; i++)
	{
		const ScimAttrDef *sub;
		ScimJson   *cv;

		CHECK_FOR_INTERRUPTS();
		sub = ScimRequireSubAttr(def, v->keys[i], where);
		if (sub->mutability == SM_READONLY)
			continue;
		cv = coerce_single(sub, v->items[i],
						   psprintf("%s.%s", where, sub->name));
		if (cv != NULL)
			ScimJsonSet(out, sub->name, cv);
	}
	return out;
}

/* a single (not multi-valued) value of def, or NULL when unassigned */
static ScimJson *
coerce_single(const ScimAttrDef *def, const ScimJson *v, const char *where)
{
	bool		b;

	if (ScimJsonIsEmpty(v) && v->type != SJ_OBJECT)
		return NULL;
	switch (def->type)
	{
		case SAT_COMPLEX:
			{
				ScimJson   *c = coerce_complex(def, v, where);

				return ScimJsonIsEmpty(c) ? NULL : c;
			}
		case SAT_BOOLEAN:
			if (!ScimCoerceBoolean(v, &b))
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "attribute \"%s\" must be a boolean", where);
			return ScimJsonMakeBool(b);
		case SAT_INTEGER:
			if (v->type != SJ_NUMBER || strpbrk(v->str, ".eE") != NULL)
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "attribute \"%s\" must be an integer", where);
			return ScimJsonCopy(v);
		case SAT_DECIMAL:
			if (v->type != SJ_NUMBER)
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "attribute \"%s\" must be a number", where);
			return ScimJsonCopy(v);
		case SAT_DATETIME:
			if (v->type != SJ_STRING || !valid_datetime(v->str))
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "attribute \"%s\" must be a dateTime such as \"2008-01-23T04:56:22Z\"",
						  where);
			return ScimJsonCopy(v);
		case SAT_BINARY:
			if (v->type != SJ_STRING || !valid_base64(v->str))
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "attribute \"%s\" must be base64-encoded binary", where);
			return ScimJsonCopy(v);
		case SAT_STRING:
		case SAT_REFERENCE:
			if (v->type != SJ_STRING)
				ScimError(SCIM_ERR_INVALID_VALUE,
						  "attribute \"%s\" must be a string, not %s",
						  where, ScimJsonTypeName(v->type));
			return ScimJsonCopy(v);
	}
	return NULL;
}

/* at most one value of a multi-valued attribute may be primary */
static void
check_primary(const ScimAttrDef *def, const ScimJson *arr)
{
	int			i,
				n = 0;

	for (i = 0; i < arr->count; i++)
	{
		ScimJson   *p = ScimJsonGet(arr->items[i], "primary");

		CHECK_FOR_INTERRUPTS();
		if (p && p->type == SJ_BOOL && p->boolean)
			n++;
	}
	if (n > 1)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "only one value of \"%s\" may be primary", def->name);
}

/* is def the "members" attribute of Group, whose values are rows? */
static bool
is_group_members(const ScimAttrDef *def)
{
	static const ScimAttrDef *members = NULL;

	if (members == NULL)
		members = ScimSchemaFindAttr(ScimResourceType(NULL, SCIM_RES_GROUP)->schema,
									 "members");
	return def == members;
}

/*
 * ScimCheckMultiCount
 *		invalidValue when n values are more than multi-valued attribute def
 *		may hold (the tenant's max_multi_values; Group members exempt).
 */
void
ScimCheckMultiCount(const ScimAttrDef *def, int n, const char *where)
{
	if (n > scim_limits.max_multi_values && !is_group_members(def))
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "attribute \"%s\" has %d values, more than max_multi_values (%d)",
				  where, n, scim_limits.max_multi_values);
}

/*
 * ScimCoerceValue
 *		The value v of attribute def, type-checked and normalized; NULL when
 *		it is unassigned.  Multi-valued attributes accept a single object
 *		as a one-element list.
 */
ScimJson *
ScimCoerceValue(const ScimAttrDef *def, const ScimJson *v, const char *where)
{
	ScimJson   *out;
	int			i;

	if (v == NULL || v->type == SJ_NULL)
		return NULL;
	if (!def->multiValued)
	{
		if (v->type == SJ_ARRAY)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "attribute \"%s\" is single-valued", where);
		return coerce_single(def, v, where);
	}

	out = ScimJsonNew(SJ_ARRAY);
	if (v->type != SJ_ARRAY)
	{
		ScimJson   *c = coerce_single(def, v, where);

		if (c)
			ScimJsonAppend(out, c);
	}
	else
	{
		ScimCheckMultiCount(def, v->count, where);
		for (i = 0; i < v->count; i++)
		{
			ScimJson   *c;

			CHECK_FOR_INTERRUPTS();
			c = coerce_single(def, v->items[i], where);

			if (c)
				ScimJsonAppend(out, c);
		}
	}
	if (out->count == 0)
		return NULL;
	check_primary(def, out);
	return out;
}

/* validate attribute key = v of schema and store it in out */
static void
validate_into(const ScimSchemaDef *schema, ScimJson *out, const char *key,
			  const ScimJson *v)
{
	const ScimAttrDef *def = ScimSchemaFindAttr(schema, key);
	ScimJson   *cv;

	if (def == NULL)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "unknown attribute \"%s\" in schema %s", key, schema->urn);
	if (def->mutability == SM_READONLY)
		return;					/* id, meta, groups: ignored (RFC 7644 §3.3) */
	cv = ScimCoerceValue(def, v, def->name);
	if (cv != NULL)
		ScimJsonSet(out, def->name, cv);
}

/*
 * ScimCheckSchemas
 *		A message or resource that lists its "schemas" must list urn among
 *		them: 400 invalidSyntax otherwise.  URNs compare case-insensitively,
 *		as everywhere in this server; other entries are tolerated.  Absent
 *		or null "schemas" passes unless required.
 *		what names the message in the error ("a PATCH body").
 */
void
ScimCheckSchemas(const ScimJson *msg, const char *urn, const char *what,
				 bool required)
{
	const ScimJson *schemas = ScimJsonGet(msg, "schemas");
	int			i;

	if ((schemas == NULL || schemas->type == SJ_NULL) && !required)
		return;
	for (i = 0; schemas && schemas->type == SJ_ARRAY && i < schemas->count; i++)
		if (schemas->items[i]->type == SJ_STRING &&
			scim_strcasecmp(schemas->items[i]->str, urn) == 0)
			return;
	ScimError(SCIM_ERR_INVALID_SYNTAX, "\"schemas\" of %s must contain \"%s\"",
			  what, urn);
}

/*
 * ScimTidyExtensions
 *		Drop the extension objects of rt that doc holds empty (or as
 *		something else than an object), and make doc's "schemas", when it
 *		has that array, list exactly the extensions present.
 */
void
ScimTidyExtensions(const ScimResourceTypeDef *rt, ScimJson *doc)
{
	ScimJson   *schemas = ScimJsonGet(doc, "schemas");
	int			e,
				i;

	for (e = 0; rt->extensions[e] != NULL; e++)
	{
		const char *urn = rt->extensions[e]->urn;
		ScimJson   *obj = ScimJsonGet(doc, urn);
		bool		listed = false;

		if (obj != NULL && (obj->type != SJ_OBJECT || ScimJsonIsEmpty(obj)))
		{
			ScimJsonRemove(doc, urn);
			obj = NULL;
		}
		if (schemas == NULL || schemas->type != SJ_ARRAY)
			continue;
		for (i = schemas->count - 1; i >= 0; i--)
		{
			if (schemas->items[i]->type != SJ_STRING ||
				scim_strcasecmp(schemas->items[i]->str, urn) != 0)
				continue;
			if (obj != NULL && !listed)
				listed = true;
			else
				ScimJsonDelete(schemas, i);
		}
		if (obj != NULL && !listed)
			ScimJsonAppend(schemas, ScimJsonMakeString(urn));
	}
}

/*
 * ScimValidate
 *		The normalized copy of resource document in for resource type rt.
 */
ScimJson *
ScimValidate(const ScimResourceTypeDef *rt, const ScimJson *in)
{
	ScimJson   *out = ScimJsonNew(SJ_OBJECT);
	ScimJson   *schemas;
	int			i;

	if (in == NULL || in->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "the %s resource must be a JSON object",
				  rt->name);

	schemas = ScimJsonGet(in, "schemas");
	if (schemas != NULL && schemas->type != SJ_NULL)
	{
		if (schemas->type != SJ_ARRAY)
			ScimError(SCIM_ERR_INVALID_SYNTAX, "\"schemas\" must be an array of URIs");
		for (i = 0; i < schemas->count; i++)
			if (schemas->items[i]->type != SJ_STRING)
				ScimError(SCIM_ERR_INVALID_SYNTAX, "\"schemas\" must be an array of URIs");
	}

	/*
	 * Other URNs are tolerated (Entra adds its own to Groups), but a document
	 * that says what it is must say it is one of ours.
	 */
	ScimCheckSchemas(in, rt->schema->urn, psprintf("a %s", rt->name), false);

	for (i = 0; i < in->count; i++)
	{
		const char *key = in->keys[i];
		const ScimJson *v = in->items[i];
		const ScimSchemaDef *ext;
		const char *colon;

		CHECK_FOR_INTERRUPTS();

		if (ScimIsMetaOrSchemas(key))
			continue;

		/* an extension object under its URN */
		ext = ScimResourceFindSchema(rt, key);

		/*
		 * The core schema's attributes nested under its own URN, as Entra
		 * sends custom core attributes ("role") on create: the same as top
		 * level.
		 */
		if (ext != NULL && ext == rt->schema && v->type == SJ_OBJECT)
		{
			int			k;

			for (k = 0; k < v->count; k++)
			{
				CHECK_FOR_INTERRUPTS();
				validate_into(rt->schema, out, v->keys[k], v->items[k]);
			}
			continue;
		}
		if (ext != NULL && ext != rt->schema)
		{
			ScimJson   *eo;
			int			k;

			if (v->type == SJ_NULL)
				continue;
			if (v->type != SJ_OBJECT)
				ScimError(SCIM_ERR_INVALID_SYNTAX,
						  "extension \"%s\" must be a JSON object", ext->urn);
			eo = ScimJsonGet(out, ext->urn);
			if (eo == NULL)
			{
				eo = ScimJsonNew(SJ_OBJECT);
				ScimJsonSet(out, ext->urn, eo);
			}
			for (k = 0; k < v->count; k++)
			{
				CHECK_FOR_INTERRUPTS();
				validate_into(ext, eo, v->keys[k], v->items[k]);
			}
			for (k = 0; k < ext->nattrs; k++)
				if (ext->attrs[k].required && ScimJsonGet(eo, ext->attrs[k].name) == NULL)
					ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\" of %s is required",
							  ext->attrs[k].name, ext->urn);
			continue;
		}

		/* a URN-qualified attribute name: <schema urn>:<attr> */
		colon = strrchr(key, ':');
		if (colon != NULL && scim_strncasecmp(key, "urn:", 4) == 0)
		{
			char	   *urn = pnstrdup(key, colon - key);
			const ScimSchemaDef *s = ScimResourceFindSchema(rt, urn);

			if (s == NULL)
				ScimError(SCIM_ERR_INVALID_SYNTAX,
						  "\"%s\" is neither an extension schema of this resource nor an attribute of one",
						  key);
			if (s == rt->schema)
				validate_into(s, out, colon + 1, v);
			else
			{
				ScimJson   *eo = ScimJsonGet(out, s->urn);

				if (eo == NULL)
				{
					eo = ScimJsonNew(SJ_OBJECT);
					ScimJsonSet(out, s->urn, eo);
				}
				validate_into(s, eo, colon + 1, v);
			}
			continue;
		}
		validate_into(rt->schema, out, key, v);
	}

	/* drop extension objects that ended up empty */
	ScimTidyExtensions(rt, out);

	/* required attributes */
	for (i = 0; i < rt->schema->nattrs; i++)
	{
		const ScimAttrDef *def = &rt->schema->attrs[i];

		if (def->required && ScimJsonGet(out, def->name) == NULL)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "attribute \"%s\" is required", def->name);
	}
	return out;
}

/*
 * ScimRequireSubAttr
 *		The sub-attribute name of def, case-insensitively; invalidValue
 *		naming the attribute as label when there is none.
 */
const ScimAttrDef *
ScimRequireSubAttr(const ScimAttrDef *def, const char *name, const char *label)
{
	const ScimAttrDef *sub = ScimAttrFindSub(def, name);

	if (sub == NULL)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "attribute \"%s\" has no sub-attribute \"%s\"", label, name);
	return sub;
}
