/*-------------------------------------------------------------------------
 *
 * project.c
 *	  Attribute projection: the "attributes" and "excludedAttributes"
 *	  parameters (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §7 "returned").
 *
 * ScimProject() edits a full resource representation in place: "schemas",
 * "id", "meta" and the core attributes at the top level, and each
 * extension's attributes in an object under the extension URN.  Both
 * parameters are comma-separated lists of attribute paths in attribute
 * notation (RFC 7644 §3.10): "userName", "name.familyName",
 * "emails.value", URN-qualified names such as
 * "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
 * or "urn:ietf:params:scim:schemas:core:2.0:User:userName", and a bare
 * schema URN naming the whole schema.  Names match case-insensitively,
 * and spaces around each item are ignored.
 *
 * The rules:
 *	- attributes: the result keeps "schemas", "id" and every attribute
 *	  whose returned characteristic is "always", plus what is named.  For
 *	  "name.familyName" only that sub-attribute of "name" is kept, for
 *	  "emails.value" only "value" in each email (emails left with nothing
 *	  are dropped).  "meta" is a common attribute returned by default, so
 *	  it is dropped unless named ("meta", "meta.location", ...).  A bare
 *	  core schema URN keeps every top-level attribute but "meta"; a bare
 *	  extension URN keeps that whole extension.
 *	- excludedAttributes: the named attributes or sub-attributes are
 *	  removed, except "schemas", "id" and returned-always ones.  A bare
 *	  extension URN removes the whole extension; a bare core schema URN
 *	  removes every core attribute that may be removed ("meta" and the
 *	  extensions stay).
 *	- Both given: RFC 7644 says they are mutually exclusive and defines no
 *	  error, so "attributes" wins and "excludedAttributes" is ignored.
 *	- Unknown names, and items that are not valid attribute paths, are
 *	  ignored rather than refused: the RFC defines no error for them, and
 *	  clients (Entra ID among them) send attribute lists built for other
 *	  servers.  An unqualified name refers to the core schema (or a common
 *	  attribute), never to an extension attribute, as RFC 7644 §3.10 says.
 *	- returned "never" attributes (password) are removed in every case.
 *	  returned "request" attributes are handled like "default" ones: the
 *	  renderer decides whether they are in the document at all.
 *	- An extension object left empty is removed, and its URN is removed
 *	  from "schemas", which must list exactly the extensions present
 *	  (RFC 7643 §3).
 *
 * Cost: the list is put into a hash set of lower-cased "scope, attr, sub"
 * keys once per call (ProjIndex), so that deciding about each member of
 * each value is one lookup, not a scan of the list; duplicate items of
 * excludedAttributes are dropped, and so is a sub-attribute the registry
 * does not know on an attribute it knows (validated documents hold none).
 * The work is linear in the document and the list.
 *
 * Extensions are recognised in the document itself (a top-level object
 * whose key starts with "urn:"), so extensions the registry does not know
 * are projected by name as well; the registry only supplies the
 * "returned" characteristic of the attributes it defines.
 *
 * src/project.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "filter.h"
#include "json.h"
#include "project.h"
#include "schema.h"
#include "validate.h"

/* one item of "attributes" or "excludedAttributes", resolved */
typedef struct ProjItem
{
	const char *scope;			/* NULL: the top level (core schema and common
								 * attributes); else an extension URN */
	const char *attr;			/* NULL: the whole scope */
	const char *sub;			/* NULL: the whole attribute */
} ProjItem;

/* the keys of the items, for lookups by scope, attr and sub */
typedef struct ProjIndex
{
	int			cap;			/* a power of two */
	int			n;
	char	  **keys;
} ProjIndex;

typedef struct ProjList
{
	ProjItem   *items;
	int			n;
	ProjIndex	index;
} ProjList;

/* the sub of the key that says "some sub-attribute of attr is named" */
#define ANY_SUB "\x02"

/* forward declarations */
static void parse_list(const ScimResourceTypeDef *rt, const ScimJson *doc,
					   const char *csv, ProjList *list);
static bool resolve_item(const ScimResourceTypeDef *rt, const ScimJson *doc,
						 const char *s, size_t len, ProjItem *item);
static bool is_blank(const char *s);
static bool is_extension(const char *key, const ScimJson *val);
static bool is_fixed_key(const char *key);
static const ScimSchemaDef *scope_schema(const ScimResourceTypeDef *rt,
										 const char *scope);
static const ScimAttrDef *find_attr(const ScimSchemaDef *schema,
									const char *name);
static const ScimAttrDef *find_sub(const ScimAttrDef *def, const char *name);
static void drop_extension(ScimJson *doc, const char *urn);
static void include_members(const ScimResourceTypeDef *rt, const ProjList *list,
							const char *scope, ScimJson *obj);
static bool include_subs(const ProjList *list, const char *scope,
						 const char *attr, const ScimAttrDef *def,
						 ScimJson *val);
static void project_include(const ScimResourceTypeDef *rt, ScimJson *doc,
							const ProjList *list);
static void exclude_subs(const ScimAttrDef *def, const char *sub,
						 ScimJson *val);
static void project_exclude(const ScimResourceTypeDef *rt, ScimJson *doc,
							const ProjList *list);
static void strip_never(const ScimSchemaDef *schema, ScimJson *obj);
static char *index_key(const char *scope, const char *attr, const char *sub);
static bool index_add(ProjIndex *ix, const char *scope, const char *attr,
					  const char *sub);
static bool index_has(const ProjIndex *ix, const char *scope,
					  const char *attr, const char *sub);
static void index_build(ProjList *list);

/* is s NULL, or nothing but spaces and commas? */
static bool
is_blank(const char *s)
{
	if (s == NULL)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != ',')
			return false;
	return true;
}

/* is this top-level member an extension object ("urn:...": {...})? */
static bool
is_extension(const char *key, const ScimJson *val)
{
	return val != NULL && val->type == SJ_OBJECT &&
		scim_strncasecmp(key, "urn:", 4) == 0;
}

/* top-level members that projection never removes */
static bool
is_fixed_key(const char *key)
{
	return scim_strcasecmp(key, "schemas") == 0 ||
		scim_strcasecmp(key, "id") == 0;
}

/* the registry's schema for a scope, or NULL when it knows none */
static const ScimSchemaDef *
scope_schema(const ScimResourceTypeDef *rt, const char *scope)
{
	if (scope == NULL)
		return rt->schema;
	return ScimResourceFindSchema(rt, scope);
}

/* attribute definition of name in schema, tolerating a NULL schema */
static const ScimAttrDef *
find_attr(const ScimSchemaDef *schema, const char *name)
{
	return schema ? ScimSchemaFindAttr(schema, name) : NULL;
}

/* sub-attribute definition, tolerating a NULL attribute */
static const ScimAttrDef *
find_sub(const ScimAttrDef *def, const char *name)
{
	return def ? ScimAttrFindSub(def, name) : NULL;
}

/*
 * Resolve one list item s[0..len) (already trimmed) against rt and doc.
 * Returns false when it is to be ignored (not a valid attribute path).
 */
static bool
resolve_item(const ScimResourceTypeDef *rt, const ScimJson *doc,
			 const char *s, size_t len, ProjItem *item)
{
	char	   *name = pnstrdup(s, len);
	ScimAttrPath path;
	ScimParseError err;
	int			i;

	memset(item, 0, sizeof(ProjItem));

	/* a bare schema URN: the core schema, or a whole extension */
	if (scim_strcasecmp(name, rt->schema->urn) == 0)
		return true;
	for (i = 0; rt->extensions[i] != NULL; i++)
	{
		if (scim_strcasecmp(name, rt->extensions[i]->urn) == 0)
		{
			item->scope = rt->extensions[i]->urn;
			return true;
		}
	}
	for (i = 0; i < doc->count; i++)
	{
		if (is_extension(doc->keys[i], doc->items[i]) &&
			scim_strcasecmp(name, doc->keys[i]) == 0)
		{
			item->scope = doc->keys[i];
			return true;
		}
	}

	/* [urn ":"] attr ["." sub]; the parser splits the URN at its last ':' */
	if (!ScimAttrPathParse(name, len, &path, &err))
		return false;
	if (path.urn != NULL && scim_strcasecmp(path.urn, rt->schema->urn) != 0)
		item->scope = path.urn;
	item->attr = path.attr;
	item->sub = path.sub;
	return true;
}

/* split a comma-separated list and resolve its items */
static void
parse_list(const ScimResourceTypeDef *rt, const ScimJson *doc,
		   const char *csv, ProjList *list)
{
	const char *p = csv;
	int			cap = 8;

	list->n = 0;
	list->items = palloc(sizeof(ProjItem) * cap);
	while (*p)
	{
		const char *start;
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
							   end[-1] == '\r' || end[-1] == '\n'))
			end--;
		if (*p == ',')
			p++;
		if (end == start)
			continue;
		if (list->n == cap)
		{
			cap *= 2;
			list->items = repalloc(list->items, sizeof(ProjItem) * cap);
		}
		if (resolve_item(rt, doc, start, end - start, &list->items[list->n]))
			list->n++;
	}
}

/* remove the extension object urn and its entry in "schemas" */
static void
drop_extension(ScimJson *doc, const char *urn)
{
	ScimJson   *schemas = ScimJsonGet(doc, "schemas");
	char	   *copy = pstrdup(urn);	/* urn may be a key of doc */
	int			i;

	ScimJsonRemove(doc, copy);
	if (schemas == NULL || schemas->type != SJ_ARRAY)
		return;
	for (i = schemas->count - 1; i >= 0; i--)
	{
		ScimJson   *s = schemas->items[i];

		if (s->type == SJ_STRING && scim_strcasecmp(s->str, copy) == 0)
			ScimJsonDelete(schemas, i);
	}
}

/*
 * With "attributes": keep in val (the value of attribute attr of scope,
 * def its definition or NULL) only the sub-attributes named, and those
 * returned always.  Multi-valued: the same in each value, dropping values
 * left empty.  Returns false when nothing is left.
 */
static bool
include_subs(const ProjList *list, const char *scope, const char *attr,
			 const ScimAttrDef *def, ScimJson *val)
{
	int			i;
	int			k;

	if (val->type == SJ_ARRAY)
	{
		k = 0;
		for (i = 0; i < val->count; i++)
		{
			ScimJson   *elem = val->items[i];

			CHECK_FOR_INTERRUPTS();
			if (elem->type == SJ_OBJECT &&
				include_subs(list, scope, attr, def, elem))
				val->items[k++] = elem;
		}
		val->count = k;
		return val->count > 0;
	}
	if (val->type != SJ_OBJECT)
		return false;			/* a simple attribute has no sub-attributes */

	k = 0;
	for (i = 0; i < val->count; i++)
	{
		const ScimAttrDef *sdef = find_sub(def, val->keys[i]);
		bool		keep = (sdef != NULL && sdef->returned == SR_ALWAYS);

		CHECK_FOR_INTERRUPTS();
		if (!keep)
			keep = index_has(&list->index, scope, attr, val->keys[i]);
		if (keep)
		{
			val->keys[k] = val->keys[i];
			val->items[k++] = val->items[i];
		}
	}
	val->count = k;
	return !ScimJsonIsEmpty(val);
}

/*
 * With "attributes": keep in obj (the top level when scope is NULL, else
 * an extension object) what list asks for and what is returned always.
 */
static void
include_members(const ScimResourceTypeDef *rt, const ProjList *list,
				const char *scope, ScimJson *obj)
{
	const ScimSchemaDef *schema = scope_schema(rt, scope);
	int			i;

	for (i = obj->count - 1; i >= 0; i--)
	{
		const char *key = obj->keys[i];
		ScimJson   *val = obj->items[i];
		const ScimAttrDef *def;
		bool		whole = false;
		bool		subs = false;

		if (scope == NULL && (is_fixed_key(key) || is_extension(key, val)))
			continue;
		def = find_attr(schema, key);
		if (def != NULL && def->returned == SR_ALWAYS)
			continue;

		CHECK_FOR_INTERRUPTS();
		/* the whole schema; "meta" is not part of the core schema */
		if (index_has(&list->index, scope, NULL, NULL))
			whole = (scope != NULL || scim_strcasecmp(key, "meta") != 0);
		if (index_has(&list->index, scope, key, NULL))
			whole = true;
		subs = index_has(&list->index, scope, key, ANY_SUB);
		if (whole)
			continue;
		if (!subs || !include_subs(list, scope, key, def, val))
			ScimJsonDelete(obj, i);
	}
}

/* apply "attributes" to doc */
static void
project_include(const ScimResourceTypeDef *rt, ScimJson *doc,
				const ProjList *list)
{
	int			i;

	include_members(rt, list, NULL, doc);

	/* extension objects: whole, member by member, or not at all */
	for (i = doc->count - 1; i >= 0; i--)
	{
		const char *key = doc->keys[i];

		if (!is_extension(key, doc->items[i]))
			continue;
		if (!index_has(&list->index, key, NULL, NULL))
			include_members(rt, list, key, doc->items[i]);
	}
}

/*
 * With "excludedAttributes": remove sub-attribute sub from val (in each
 * value when multi-valued, dropping values left empty), unless the
 * registry says it is returned always.
 */
static void
exclude_subs(const ScimAttrDef *def, const char *sub, ScimJson *val)
{
	const ScimAttrDef *sdef = find_sub(def, sub);
	int			i;

	if (sdef != NULL && sdef->returned == SR_ALWAYS)
		return;
	if (val->type == SJ_OBJECT)
		ScimJsonRemove(val, sub);
	else if (val->type == SJ_ARRAY)
	{
		for (i = val->count - 1; i >= 0; i--)
		{
			ScimJson   *elem = val->items[i];

			if (elem->type != SJ_OBJECT)
				continue;
			ScimJsonRemove(elem, sub);
			if (ScimJsonIsEmpty(elem))
				ScimJsonDelete(val, i);
		}
	}
}

/* apply "excludedAttributes" to doc */
static void
project_exclude(const ScimResourceTypeDef *rt, ScimJson *doc,
				const ProjList *list)
{
	int			k;
	int			i;

	ProjIndex	seen;

	memset(&seen, 0, sizeof(seen));
	for (k = 0; k < list->n; k++)
	{
		const ProjItem *it = &list->items[k];
		const ScimSchemaDef *schema = scope_schema(rt, it->scope);
		const ScimAttrDef *def;
		ScimJson   *target;
		ScimJson   *val;

		CHECK_FOR_INTERRUPTS();
		if (!index_add(&seen, it->scope, it->attr, it->sub))
			continue;			/* named before */

		if (it->attr == NULL && it->scope != NULL)
		{
			drop_extension(doc, it->scope);
			continue;
		}
		if (it->attr == NULL)
		{
			/* the whole core schema: every core attribute that may go */
			for (i = doc->count - 1; i >= 0; i--)
			{
				const char *key = doc->keys[i];

				def = find_attr(schema, key);
				if (is_fixed_key(key) || is_extension(key, doc->items[i]) ||
					scim_strcasecmp(key, "meta") == 0 ||
					(def != NULL && def->returned == SR_ALWAYS))
					continue;
				ScimJsonDelete(doc, i);
			}
			continue;
		}

		target = it->scope ? ScimJsonGet(doc, it->scope) : doc;
		if (target == NULL || target->type != SJ_OBJECT)
			continue;
		if (it->scope == NULL && is_fixed_key(it->attr))
			continue;
		def = find_attr(schema, it->attr);
		if (def != NULL && def->returned == SR_ALWAYS)
			continue;
		val = ScimJsonGet(target, it->attr);
		if (val == NULL ||
			(it->scope == NULL && is_extension(it->attr, val)))
			continue;
		if (it->sub == NULL)
			ScimJsonRemove(target, it->attr);
		else if (def == NULL || find_sub(def, it->sub) != NULL)
		{
			exclude_subs(def, it->sub, val);
			if (ScimJsonIsEmpty(val))
				ScimJsonRemove(target, it->attr);
		}
	}
}

/* remove from obj the attributes (and sub-attributes) returned never */
static void
strip_never(const ScimSchemaDef *schema, ScimJson *obj)
{
	int			i;
	int			j;

	if (schema == NULL || obj == NULL || obj->type != SJ_OBJECT)
		return;
	for (i = obj->count - 1; i >= 0; i--)
	{
		const ScimAttrDef *def = ScimSchemaFindAttr(schema, obj->keys[i]);
		ScimJson   *val = obj->items[i];

		if (def == NULL)
			continue;
		if (def->returned == SR_NEVER)
		{
			ScimJsonDelete(obj, i);
			continue;
		}
		for (j = 0; j < def->nsub; j++)
		{
			const ScimAttrDef *sdef = &def->subAttributes[j];

			if (sdef->returned != SR_NEVER)
				continue;
			exclude_subs(NULL, sdef->name, val);
			if (ScimJsonIsEmpty(val))
			{
				ScimJsonDelete(obj, i);
				break;
			}
		}
	}
}

/*
 * Apply "attributes" / "excludedAttributes" (comma-separated, NULL or ""
 * when absent) to the full representation doc of a resource of type rt,
 * in place.  See the file header for the rules.
 */
void
ScimProject(const ScimResourceTypeDef *rt, ScimJson *doc,
			const char *attributes, const char *excluded)
{
	ProjList	list;
	int			i;
	MemoryContext work;
	MemoryContext old;

	if (rt == NULL || doc == NULL || doc->type != SJ_OBJECT)
		return;

	/*
	 * The list, its index and the lookup keys live in a context of their own,
	 * gone when this resource is done: a page projects each of its resources
	 * with the whole list, and would otherwise keep every resource's copy
	 * until the response is written.  The steps below only drop or reorder
	 * members of doc, allocating nothing that doc keeps.
	 */
	work = AllocSetContextCreate(CurrentMemoryContext, "scim projection",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	if (!is_blank(attributes))
	{
		parse_list(rt, doc, attributes, &list);
		index_build(&list);
		project_include(rt, doc, &list);
	}
	else if (!is_blank(excluded))
	{
		parse_list(rt, doc, excluded, &list);
		project_exclude(rt, doc, &list);
	}

	/* returned "never" never leaves, whatever was asked */
	strip_never(rt->schema, doc);
	for (i = 0; rt->extensions[i] != NULL; i++)
		strip_never(rt->extensions[i],
					ScimJsonGet(doc, rt->extensions[i]->urn));
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);

	ScimTidyExtensions(rt, doc);
}

/*
 * the lower-cased key of scope (NULL: ""), attr and sub in a ProjIndex,
 * palloc'd at its exact size (it is built for every lookup)
 */
static char *
index_key(const char *scope, const char *attr, const char *sub)
{
	const char *parts[3] = {scope, attr, sub};
	size_t		len = 2;
	char	   *key;
	char	   *p;
	int			k;

	for (k = 0; k < 3; k++)
		len += parts[k] ? strlen(parts[k]) : 0;
	p = key = palloc(len + 1);
	for (k = 0; k < 3; k++)
	{
		const char *s;

		if (k > 0)
			*p++ = '\x01';
		for (s = parts[k]; s != NULL && *s; s++)
			*p++ = (*s >= 'A' && *s <= 'Z') ? *s + ('a' - 'A') : *s;
	}
	*p = '\0';
	return key;
}

/* add a key to ix; false when it was there already */
static bool
index_add(ProjIndex *ix, const char *scope, const char *attr, const char *sub)
{
	char	   *key = index_key(scope, attr, sub);
	uint32		h;
	int			i;

	if (index_has(ix, scope, attr, sub))
	{
		pfree(key);
		return false;
	}
	if (2 * (ix->n + 1) > ix->cap)
	{
		ProjIndex	big;

		big.cap = ix->cap ? 2 * ix->cap : 16;
		big.n = 0;
		big.keys = palloc0(sizeof(char *) * big.cap);
		for (i = 0; i < ix->cap; i++)
			if (ix->keys[i] != NULL)
			{
				int			j;

				h = hash_bytes((const unsigned char *) ix->keys[i],
							   strlen(ix->keys[i]));
				for (j = h & (big.cap - 1); big.keys[j] != NULL;
					 j = (j + 1) & (big.cap - 1))
					;
				big.keys[j] = ix->keys[i];
				big.n++;
			}
		*ix = big;
	}
	h = hash_bytes((const unsigned char *) key, strlen(key));
	for (i = h & (ix->cap - 1); ix->keys[i] != NULL; i = (i + 1) & (ix->cap - 1))
		;
	ix->keys[i] = key;
	ix->n++;
	return true;
}

/* is the key of scope, attr and sub in ix? */
static bool
index_has(const ProjIndex *ix, const char *scope, const char *attr,
		  const char *sub)
{
	char	   *key;
	uint32		h;
	int			i;
	bool		found = false;

	if (ix->n == 0)
		return false;
	key = index_key(scope, attr, sub);
	h = hash_bytes((const unsigned char *) key, strlen(key));
	for (i = h & (ix->cap - 1); ix->keys[i] != NULL && !found;
		 i = (i + 1) & (ix->cap - 1))
		found = strcmp(ix->keys[i], key) == 0;
	pfree(key);
	return found;
}

/* index the items of list: each item, and "some sub" for attr.sub */
static void
index_build(ProjList *list)
{
	int			k;

	memset(&list->index, 0, sizeof(ProjIndex));
	for (k = 0; k < list->n; k++)
	{
		const ProjItem *it = &list->items[k];

		CHECK_FOR_INTERRUPTS();
		(void) index_add(&list->index, it->scope, it->attr, it->sub);
		if (it->attr != NULL && it->sub != NULL)
			(void) index_add(&list->index, it->scope, it->attr, ANY_SUB);
	}
}
