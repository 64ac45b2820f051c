/*-------------------------------------------------------------------------
 *
 * filter_sql.c
 *	  Compiling SCIM filters and sortBy to SQL (RFC 7644 §3.4.2.2, §3.4.2.3).
 *
 * ScimFilterToSql() turns a filter into a boolean SQL predicate over the
 * alias "u" (scim.users) or "g" (scim.groups).  Every value of the filter
 * becomes a $n parameter; the SQL text is built only from the schema
 * registry (attribute names, column names) and fixed fragments, never from
 * the request.  ScimSortToSql() does the same for sortBy.
 *
 * Decisions (labels: docs/conformance.md, "Filters"):
 *	- Attribute names are case-insensitive and may carry the core or an
 *	  extension URN (enterprise, or one the tenant registered: extension.c);
 *	  an unqualified name not in the core schema is looked up in the
 *	  extensions.  meta.created, meta.lastModified, meta.resourceType,
 *	  meta.version and "schemas" are filterable too; meta.location and
 *	  $ref are not (they depend on the base URL).
 *	  An unknown attribute, an operator that does not fit the attribute's
 *	  type (gt on a boolean, co on a dateTime), a value of the wrong JSON
 *	  kind ("active eq \"yes\"", "userName eq 5") or an invalid dateTime
 *	  is invalidFilter.  password (returned "never") is refused with
 *	  invalidFilter although RFC 7644 lets a server accept "password eq".
 *	- A filter over the parser's length, depth or node limits is
 *	  invalidFilter as well: tooMany is about results, not filters.
 *	- caseExact=false strings compare as scim._lower(column) = lower($n),
 *	  which is what the unique and lookup indexes are built on; so case
 *	  folding follows the database's LC_CTYPE, exactly as userName
 *	  uniqueness does.  scim._lower is lower() marked LEAKPROOF, and
 *	  scim._like is LIKE so marked: under row-level security only
 *	  leakproof conditions may become index conditions
 *	  (src/sql/05_leakproof.sql).
 *	- co, sw and ew are LIKE with the pattern built in C: "%", "_" and
 *	  "\" of the value are escaped, so they are never wildcards.  The
 *	  query runs with SPI_execute_with_args, i.e. a custom plan, so the
 *	  planner sees the pattern as a constant and sw uses the
 *	  text_pattern_ops indexes.
 *	- gt, ge, lt and le on strings are lexicographic by code point:
 *	  COLLATE "C" on the (folded) value, independent of the locale.
 *	- id, groups.value and members.value are uuids: a value that is not
 *	  one matches nothing (FALSE, not an error); where the attribute is
 *	  caseExact (id, members.value) only the lower-case form is one.
 *	- dateTime values must be xsd:dateTime (a missing zone means UTC) and
 *	  compare chronologically as timestamptz; integer and decimal values
 *	  (custom attributes) compare numerically.
 *	- ne is the negation of eq, so a resource without the attribute
 *	  matches "ne"; "eq null" means "not present", "ne null" "present".
 *	  On a multi-valued attribute every operator, ne included, is "some
 *	  value satisfies it" (RFC 7644: "the filter matches if any of the
 *	  values ... match"), so "emails.value ne X" is exactly
 *	  "emails[value ne X]"; "not (emails.value eq X)" says "has no X".
 *	- A bare multi-valued attribute means its "value" (emails co "x").
 *	  Dotted sub-attributes joined by "and" are independent EXISTS; inside
 *	  brackets the whole filter applies to one element.
 *	- Three-valued logic: at the top level and under and/or a NULL
 *	  comparison acts as false, which lets the predicates stay indexable;
 *	  "not" and "ne" coalesce their operand to false first, so a missing
 *	  value never turns a "not" into NULL.
 *	- The emails of a user also get an indexable conjunct led by the
 *	  tenant, when the caller names the parameter holding it:
 *	  scim._email_keys(u.tenant_id, u.attrs) OPERATOR(scim.@>>)
 *	  ARRAY[scim._email_key($1, ...)] (src/sql/15_indexes.sql), a
 *	  GIN-indexed superset that the EXISTS then checks exactly.  A
 *	  database still at 0.1.0 (library updated, ALTER EXTENSION UPDATE not
 *	  run yet) has 0.1.0's index on scim._email_keys(attrs), keys without
 *	  the tenant: its filters get that conjunct instead.
 *	- sortBy: caseExact=false strings sort by lower(value) COLLATE "C",
 *	  empty values count as missing, missing values go last ascending and
 *	  first descending, and the id breaks ties so that pages are stable.
 *	  A multi-valued sortBy uses the primary value, else the first.  An
 *	  unknown or unusable sortBy is invalidValue, and so is sorting groups
 *	  by members (which members are visible is a tenant setting).
 *
 * src/filter_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdarg.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "error.h"
#include "extension.h"
#include "filter.h"
#include "filter_sql.h"
#include "resource_row.h"
#include "schema.h"
#include "spi_util.h"

/* how a value is held, which decides how it is compared */
typedef enum ValueStore
{
	VS_TEXT,					/* a text expression */
	VS_UUID,					/* a uuid expression (ids) */
	VS_BOOL,					/* a boolean expression */
	VS_TIMESTAMP,				/* a timestamptz expression */
	VS_JSONB,					/* a jsonb scalar (booleans, numbers) */
	VS_REFUSED					/* not usable in a filter or sortBy */
} ValueStore;

/* one comparable value: its definition and SQL expression */
typedef struct ScalarRef
{
	const ScimAttrDef *def;		/* type and caseExact */
	const char *name;			/* for messages: "emails.value" */
	ValueStore	store;
	const char *expr;
} ScalarRef;

typedef enum TargetKind
{
	TK_SCALAR,					/* one value */
	TK_COMPLEX,					/* singular complex: name, manager, meta */
	TK_MULTI					/* multi-valued */
} TargetKind;

/* where the sub-attributes or values of a complex target come from */
typedef enum TargetSource
{
	SRC_COLUMNS,				/* name: sub-attributes are columns */
	SRC_JSONB,					/* a jsonb object or array in attrs */
	SRC_META,					/* meta: columns */
	SRC_SCHEMAS,				/* schemas: derived from attrs */
	SRC_GROUPS,					/* a user's groups: scim.members */
	SRC_MEMBERS					/* a group's members: scim.members */
} TargetSource;

/* what an attribute path names */
typedef struct Target
{
	TargetKind	kind;
	const ScimAttrDef *def;		/* the attribute */
	TargetSource source;
	const char *expr;			/* SRC_JSONB: object or array expression */
	const ScimAttrDef *sub;		/* TK_MULTI: the sub-attribute, or NULL */
	ScalarRef	scalar;			/* TK_SCALAR */
} Target;

/* the state of one compilation */
typedef struct FilterCtx
{
	const ScimResourceTypeDef *rt;	/* with the tenant's extensions */
	ScimResourceKind kind;
	const char *alias;			/* "u" or "g" */
	ScimSqlFilter *out;			/* parameters (NULL for sortBy) */
	ScimErrorKind errkind;		/* invalidFilter, or invalidValue (sortBy) */
	const char *where;			/* "filter" or "sortBy", for messages */
	bool		show_inactive;	/* members: deactivated users are visible */
	bool		need_join;		/* an element expression used a joined table */
	/* comparisons whose parameter the emails index key already holds */
	const ScimFilterNode *memo_node[2];
	int			memo_param[2];
} FilterCtx;

/*
 * The columns of scim.users and scim.groups by canonical attribute name:
 * the row shapes of resource_row.h, each column's value store following
 * from its type.  Columns holding no attribute of their own (attr NULL)
 * are never found.
 */
typedef struct ColumnMap
{
	const char *attr;
	const char *sub;			/* NULL for a top-level attribute */
	const char *column;			/* NULL: no column, store says why */
	ValueStore	store;
} ColumnMap;

#define COLUMN_STORE(type) \
	((type) == TEXTOID ? VS_TEXT : (type) == UUIDOID ? VS_UUID : \
	 (type) == BOOLOID ? VS_BOOL : (type) == TIMESTAMPTZOID ? VS_TIMESTAMP : \
	 VS_REFUSED)
#define COLUMN_MAP(NAME, column, type, attr, sub) \
	{attr, sub, #column, COLUMN_STORE(type)},

static const ColumnMap user_columns[] = {
	SCIM_USER_ROW(COLUMN_MAP)
	{"password", NULL, NULL, VS_REFUSED},	/* write-only, hashed */
};

static const ColumnMap group_columns[] = {
	SCIM_GROUP_ROW(COLUMN_MAP)
};

/* meta (RFC 7643 §3.1) and schemas are common attributes, not in schema.c */
static const ScimAttrDef meta_subs[] = {
	{"resourceType", SAT_STRING, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "The name of the resource type of the resource."},
	{"created", SAT_DATETIME, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "The DateTime that the resource was added to the service provider."},
	{"lastModified", SAT_DATETIME, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "The most recent DateTime that the details of this resource were updated."},
	{"location", SAT_REFERENCE, false, false, true, SM_READONLY, SR_DEFAULT, SU_NONE, "The URI of the resource being returned."},
	{"version", SAT_STRING, false, false, true, SM_READONLY, SR_DEFAULT, SU_NONE, "The version of the resource being returned."},
};

static const ScimAttrDef meta_def = {
	"meta", SAT_COMPLEX, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE,
	"A complex attribute containing resource metadata.", NULL, NULL,
	meta_subs, lengthof(meta_subs)
};

static const ScimAttrDef schemas_def = {
	"schemas", SAT_REFERENCE, true, true, false, SM_READONLY, SR_DEFAULT, SU_NONE,
	"The schema URIs of the resource."
};

/* forward declarations */
static void ctx_error(FilterCtx *fc, const char *fmt,...)
			pg_attribute_printf(2, 3) pg_attribute_noreturn();
static void init_ctx(FilterCtx *fc, const ScimResourceTypeDef *rt, ScimSqlFilter *out,
					 bool sorting);
static char *path_name(const ScimAttrPath *path);
static const ColumnMap *find_column(ScimResourceKind kind, const char *attr,
									const char *sub);
static char *jkey(const char *name);
static void jsonb_scalar(const ScimAttrDef *def, const char *obj,
						 const char *name, ScalarRef *s);
static void resolve_path(FilterCtx *fc, const ScimAttrPath *path, Target *t);
static void resolve_attr(FilterCtx *fc, const ScimSchemaDef *schema,
						 const ScimAttrDef *def, Target *t);
static void sub_scalar(FilterCtx *fc, const Target *parent,
					   const ScimAttrDef *sub, ScalarRef *s);
static const ScimAttrDef *find_sub(FilterCtx *fc, const Target *parent,
								   const char *name);
static void element_scalar(FilterCtx *fc, const Target *parent, ScalarRef *s);
static int	add_param(FilterCtx *fc, Oid type, Datum value);
static int	value_param(FilterCtx *fc, const ScimFilterNode *n);
static const char *op_sql(ScimFilterOp op);
static bool digits(const char *s, int ndigits, int *value);
static bool parse_datetime(const char *s, Datum *out);
static bool canonical_uuid(const char *s, pg_uuid_t *out);
static char *like_pattern(const ScimFilterNode *n);
static const char *unwrap(const char *expr);
static void compile_node(FilterCtx *fc, const ScimFilterNode *n,
						 const Target *elem, StringInfo buf);
static void compile_attr_exp(FilterCtx *fc, const ScimFilterNode *n,
							 const Target *elem, StringInfo buf);
static void compile_value_path(FilterCtx *fc, const ScimFilterNode *n,
							   StringInfo buf);
static void compile_multi(FilterCtx *fc, const ScimFilterNode *n,
						  const Target *t, StringInfo buf);
static void compile_compare(FilterCtx *fc, const ScimFilterNode *n,
							const ScalarRef *s, StringInfo buf);
static void check_value(FilterCtx *fc, const ScimFilterNode *n,
						const ScalarRef *s);
static void emit_compare(FilterCtx *fc, const ScimFilterNode *n,
						 const ScalarRef *s, StringInfo buf);
static void emit_present(const ScalarRef *s, StringInfo buf);
static void emit_complex_present(FilterCtx *fc, const Target *t,
								 StringInfo buf);
static void emit_multi_present(FilterCtx *fc, const Target *t,
							   StringInfo buf);
static void emit_exists(FilterCtx *fc, const Target *t, const char *pred,
						StringInfo buf);
static const char *members_visible(FilterCtx *fc);
static bool is_user_emails(FilterCtx *fc, const Target *t);
static void find_email_keys(const ScimFilterNode *n,
							const ScimFilterNode **value,
							const ScimFilterNode **type);
static void emit_email_keys(FilterCtx *fc, const ScimFilterNode *value,
							const ScimFilterNode *type, StringInfo buf);
static char *sort_expr(FilterCtx *fc, const ScalarRef *s);
static void first_value(FilterCtx *fc, const Target *t, ScalarRef *s);


/* ----------------------------------------------------------------
 *		Resolving attribute paths
 * ----------------------------------------------------------------
 */

/* Raise the context's error kind (invalidFilter or invalidValue) */
static void
ctx_error(FilterCtx *fc, const char *fmt,...)
{
	StringInfoData buf;

	/* formatted whole, as ereport() does: no cut inside a character */
	initStringInfo(&buf);
	for (;;)
	{
		va_list		ap;
		int			needed;

		va_start(ap, fmt);
		needed = appendStringInfoVA(&buf, fmt, ap);
		va_end(ap);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	ScimError(fc->errkind, "%s", buf.data);
}

/* Set up a compilation for resource type rt; sorting changes the error kind */
static void
init_ctx(FilterCtx *fc, const ScimResourceTypeDef *rt, ScimSqlFilter *out, bool sorting)
{
	memset(fc, 0, sizeof(FilterCtx));
	fc->rt = rt;
	fc->kind = rt->kind;
	fc->alias = rt->kind == SCIM_RES_USER ? "u" : "g";
	fc->out = out;
	fc->errkind = sorting ? SCIM_ERR_INVALID_VALUE : SCIM_ERR_INVALID_FILTER;
	fc->where = sorting ? "sortBy" : "filter";
	fc->show_inactive = out != NULL && out->show_inactive_members;
}

/* An attribute path as written: [urn ":"] attr ["." sub] */
static char *
path_name(const ScimAttrPath *path)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (path->urn)
		appendStringInfo(&buf, "%s:", path->urn);
	appendStringInfoString(&buf, path->attr ? path->attr : "");
	if (path->sub)
		appendStringInfo(&buf, ".%s", path->sub);
	return buf.data;
}

/* The column holding attr[.sub] of kind, or NULL when it lives in attrs */
static const ColumnMap *
find_column(ScimResourceKind kind, const char *attr, const char *sub)
{
	const ColumnMap *map = user_columns;
	int			n = lengthof(user_columns);
	int			i;

	if (kind == SCIM_RES_GROUP)
	{
		map = group_columns;
		n = lengthof(group_columns);
	}
	for (i = 0; i < n; i++)
	{
		const ColumnMap *c = &map[i];

		if (c->attr != NULL && strcmp(c->attr, attr) == 0 &&
			((sub == NULL && c->sub == NULL) ||
			 (sub != NULL && c->sub != NULL && strcmp(c->sub, sub) == 0)))
			return c;
	}
	return NULL;
}

/* A registry name as an SQL string literal, for a jsonb key */
static char *
jkey(const char *name)
{
	return quote_literal_cstr(name);
}

/* The scalar def (named name) held under its key in the jsonb object obj */
static void
jsonb_scalar(const ScimAttrDef *def, const char *obj, const char *name,
			 ScalarRef *s)
{
	s->def = def;
	s->name = name;
	switch (def->type)
	{
		case SAT_BOOLEAN:
		case SAT_INTEGER:
		case SAT_DECIMAL:
			s->store = VS_JSONB;
			s->expr = psprintf("(%s->%s)", obj, jkey(def->name));
			break;
		case SAT_DATETIME:
			/* validate.c stores only xsd:dateTime values with a zone */
			s->store = VS_TIMESTAMP;
			s->expr = psprintf("((%s->>%s)::timestamptz)", obj, jkey(def->name));
			break;
		case SAT_COMPLEX:
			s->store = VS_REFUSED;
			s->expr = NULL;
			break;
		default:
			s->store = VS_TEXT;
			s->expr = psprintf("(%s->>%s)", obj, jkey(def->name));
			break;
	}
}

/*
 * resolve_path
 *		What the attribute path of a filter or sortBy names, at the top
 *		level of a resource.
 */
static void
resolve_path(FilterCtx *fc, const ScimAttrPath *path, Target *t)
{
	const ScimResourceTypeDef *rt = fc->rt;
	const ScimSchemaDef *schema = NULL;
	const ScimAttrDef *def = NULL;
	int			i;

	memset(t, 0, sizeof(Target));
	if (path->urn != NULL)
	{
		schema = ScimResourceFindSchema(rt, path->urn);
		if (schema == NULL)
			ctx_error(fc, "unknown attribute \"%s\" in %s",
					  path_name(path), fc->where);
	}

	if (schema == NULL || schema == rt->schema)
	{
		if (scim_strcasecmp(path->attr, "meta") == 0)
			def = &meta_def;
		else if (scim_strcasecmp(path->attr, "schemas") == 0)
			def = &schemas_def;
	}
	if (def == NULL)
	{
		if (schema != NULL)
			def = ScimSchemaFindAttr(schema, path->attr);
		else
		{
			schema = rt->schema;
			def = ScimSchemaFindAttr(schema, path->attr);
			for (i = 0; def == NULL && rt->extensions[i] != NULL; i++)
			{
				schema = rt->extensions[i];
				def = ScimSchemaFindAttr(schema, path->attr);
			}
		}
	}
	if (def == NULL)
		ctx_error(fc, "unknown attribute \"%s\" in %s",
				  path_name(path), fc->where);
	if (def->returned == SR_NEVER)
		ctx_error(fc, "attribute \"%s\" cannot be used in a %s",
				  def->name, fc->where);

	resolve_attr(fc, schema, def, t);

	if (path->sub == NULL)
		return;
	if (t->kind == TK_SCALAR)
		ctx_error(fc, "unknown attribute \"%s\" in %s",
				  path_name(path), fc->where);
	if (t->kind == TK_COMPLEX)
	{
		const ScimAttrDef *sub = find_sub(fc, t, path->sub);

		sub_scalar(fc, t, sub, &t->scalar);
		t->kind = TK_SCALAR;
	}
	else
		t->sub = find_sub(fc, t, path->sub);
}

/* The target of attribute def of schema (NULL for meta and schemas) */
static void
resolve_attr(FilterCtx *fc, const ScimSchemaDef *schema,
			 const ScimAttrDef *def, Target *t)
{
	const ScimResourceTypeDef *rt = fc->rt;
	const ColumnMap *col;
	const char *obj;

	t->def = def;
	if (def == &meta_def)
	{
		t->kind = TK_COMPLEX;
		t->source = SRC_META;
		return;
	}
	if (def == &schemas_def)
	{
		t->kind = TK_MULTI;
		t->source = SRC_SCHEMAS;
		return;
	}
	if (schema == rt->schema)
	{
		if ((col = find_column(fc->kind, def->name, NULL)) != NULL)
		{
			t->kind = TK_SCALAR;
			t->scalar.def = def;
			t->scalar.name = def->name;
			t->scalar.store = col->store;
			t->scalar.expr = col->column ?
				psprintf("%s.%s", fc->alias, col->column) : NULL;
			return;
		}
		if (fc->kind == SCIM_RES_USER && strcmp(def->name, "name") == 0)
		{
			t->kind = TK_COMPLEX;
			t->source = SRC_COLUMNS;
			return;
		}
		if (fc->kind == SCIM_RES_USER && strcmp(def->name, "groups") == 0)
		{
			t->kind = TK_MULTI;
			t->source = SRC_GROUPS;
			return;
		}
		if (fc->kind == SCIM_RES_GROUP && strcmp(def->name, "members") == 0)
		{
			t->kind = TK_MULTI;
			t->source = SRC_MEMBERS;
			return;
		}
		obj = psprintf("%s.attrs", fc->alias);
	}
	else
		obj = psprintf("%s.attrs->%s", fc->alias, jkey(schema->urn));

	t->source = SRC_JSONB;
	if (def->multiValued)
	{
		t->kind = TK_MULTI;
		t->expr = psprintf("%s->%s", obj, jkey(def->name));
	}
	else if (def->type == SAT_COMPLEX)
	{
		t->kind = TK_COMPLEX;
		t->expr = psprintf("%s->%s", obj, jkey(def->name));
	}
	else
	{
		t->kind = TK_SCALAR;
		jsonb_scalar(def, obj, def->name, &t->scalar);
	}
}

/* The sub-attribute name of a complex or multi-valued target, or an error */
static const ScimAttrDef *
find_sub(FilterCtx *fc, const Target *parent, const char *name)
{
	const ScimAttrDef *sub = NULL;

	if (parent->def->nsub > 0)
		sub = ScimAttrFindSub(parent->def, name);
	else if (scim_strcasecmp(name, "value") == 0)
		sub = parent->def;		/* the values of a simple multi-valued one */
	if (sub == NULL)
		ctx_error(fc, "unknown attribute \"%s.%s\" in %s",
				  parent->def->name, name, fc->where);
	return sub;
}

/*
 * sub_scalar
 *		Sub-attribute sub of a complex target, or of the current element of
 *		a multi-valued one (aliases e, s, m, gg, mu, mg; see emit_exists).
 */
static void
sub_scalar(FilterCtx *fc, const Target *parent, const ScimAttrDef *sub,
		   ScalarRef *s)
{
	const char *a = fc->alias;
	const ColumnMap *col;

	if (sub == parent->def)
	{
		element_scalar(fc, parent, s);
		return;
	}
	memset(s, 0, sizeof(ScalarRef));
	s->def = sub;
	s->name = psprintf("%s.%s", parent->def->name, sub->name);
	s->store = VS_TEXT;
	switch (parent->source)
	{
		case SRC_COLUMNS:
			col = find_column(fc->kind, parent->def->name, sub->name);
			if (col == NULL)
				elog(ERROR, "no column for \"%s\"", s->name);
			s->store = col->store;
			s->expr = psprintf("%s.%s", a, col->column);
			break;
		case SRC_JSONB:
			jsonb_scalar(sub, parent->kind == TK_MULTI ? "e" : parent->expr,
						 s->name, s);
			break;
		case SRC_META:
			col = find_column(fc->kind, parent->def->name, sub->name);
			if (strcmp(sub->name, "resourceType") == 0)
				s->expr = fc->kind == SCIM_RES_USER ? "'User'::text" : "'Group'::text";
			else if (col == NULL)
				s->store = VS_REFUSED;	/* location needs the base URL */
			else if (strcmp(sub->name, "version") == 0)
				s->expr = psprintf("('W/\"' || %s.%s || '\"')", a, col->column);
			else
			{
				s->store = col->store;	/* created, lastModified */
				s->expr = psprintf("%s.%s", a, col->column);
			}
			break;
		case SRC_SCHEMAS:
			elog(ERROR, "schemas has no sub-attributes");
			break;
		case SRC_GROUPS:
			if (strcmp(sub->name, "value") == 0)
			{
				s->store = VS_UUID;
				s->expr = "m.group_id";
			}
			else if (strcmp(sub->name, "display") == 0)
			{
				s->expr = "gg.display_name";
				fc->need_join = true;
			}
			else if (strcmp(sub->name, "type") == 0)
				s->expr = "'direct'::text";
			else
				s->store = VS_REFUSED;	/* $ref */
			break;
		case SRC_MEMBERS:
			if (strcmp(sub->name, "value") == 0)
			{
				s->store = VS_UUID;
				s->expr = "m.member_id";
			}
			else if (strcmp(sub->name, "display") == 0)
			{
				/* as group.c renders it */
				s->expr = "COALESCE(mu.display_name, mu.user_name, mg.display_name)";
				fc->need_join = true;
			}
			else if (strcmp(sub->name, "type") == 0)
				s->expr = "m.member_type";
			else
				s->store = VS_REFUSED;	/* $ref */
			break;
	}
}

/* The current value of a multi-valued attribute without sub-attributes */
static void
element_scalar(FilterCtx *fc, const Target *parent, ScalarRef *s)
{
	memset(s, 0, sizeof(ScalarRef));
	s->def = parent->def;
	s->name = parent->def->name;
	s->store = VS_TEXT;
	if (parent->source == SRC_SCHEMAS)
		s->expr = "s.v";
	else
		s->expr = "(e #>> '{}')";
}


/* ----------------------------------------------------------------
 *		Parameters and values
 * ----------------------------------------------------------------
 */

/* Append a parameter; returns its number n (as in $n) */
static int
add_param(FilterCtx *fc, Oid type, Datum value)
{
	ScimSqlFilter *out = fc->out;

	if (out->nargs >= SCIM_SQL_MAX_PARAMS)
		ScimError(SCIM_ERR_INVALID_FILTER, "filter has more than %d values",
				  SCIM_SQL_MAX_PARAMS);
	out->argtypes[out->nargs] = type;
	out->args[out->nargs] = value;
	return ++out->nargs;
}

/* The string value of comparison n as a text parameter (shared if memoized) */
static int
value_param(FilterCtx *fc, const ScimFilterNode *n)
{
	int			i;

	for (i = 0; i < lengthof(fc->memo_node); i++)
		if (fc->memo_node[i] == n)
			return fc->memo_param[i];
	return add_param(fc, TEXTOID,
					 PointerGetDatum(cstring_to_text_with_len(n->value,
															  (int) n->valuelen)));
}

/* The SQL comparison operator of eq, gt, ge, lt and le */
static const char *
op_sql(ScimFilterOp op)
{
	switch (op)
	{
		case SCIM_FOP_GT:
			return ">";
		case SCIM_FOP_GE:
			return ">=";
		case SCIM_FOP_LT:
			return "<";
		case SCIM_FOP_LE:
			return "<=";
		default:
			return "=";
	}
}

/* Are the first ndigits characters of s digits?  Stores their value */
static bool
digits(const char *s, int ndigits, int *value)
{
	int			i;

	*value = 0;
	for (i = 0; i < ndigits; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		*value = *value * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * parse_datetime
 *		An xsd:dateTime (RFC 3339 profile) as a timestamptz datum:
 *		YYYY-MM-DDThh:mm:ss[.fraction][Z|(+|-)hh:mm]; no zone means UTC.
 *		Everything is range-checked here, so timestamptz_in cannot fail.
 */
static bool
parse_datetime(const char *s, Datum *out)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			year,
				month,
				day,
				hour,
				minute,
				second,
				tzh,
				tzm;
	const char *p = s;
	const char *zone;
	char		buf[64];

	if (!digits(p, 4, &year) || p[4] != '-' || !digits(p + 5, 2, &month) ||
		p[7] != '-' || !digits(p + 8, 2, &day) || (p[10] != 'T' && p[10] != 't') ||
		!digits(p + 11, 2, &hour) || p[13] != ':' || !digits(p + 14, 2, &minute) ||
		p[16] != ':' || !digits(p + 17, 2, &second))
		return false;
	p += 19;
	if (*p == '.')
	{
		const char *frac = ++p;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p == frac || p - frac > 20)
			return false;
	}
	zone = p;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-')
	{
		if (!digits(p + 1, 2, &tzh) || p[3] != ':' || !digits(p + 4, 2, &tzm) ||
			tzh > 14 || tzm > 59)
			return false;
		p += 6;
	}
	if (*p != '\0')
		return false;
	if (year < 1 || month < 1 || month > 12 || day < 1 ||
		day > mdays[month - 1] || hour > 23 || minute > 59 || second > 59)
		return false;
	if (month == 2 && day == 29 &&
		!((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return false;

	/* the ISO form with an explicit offset reads the same in any DateStyle */
	snprintf(buf, sizeof(buf), "%.*s%s", (int) (zone - s), s,
			 (*zone == '+' || *zone == '-') ? zone : "+00:00");
	buf[10] = 'T';
	*out = DirectFunctionCall3(timestamptz_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	return true;
}

/* A uuid in canonical lower-case form (ids are case-exact) */
static bool
canonical_uuid(const char *s, pg_uuid_t *out)
{
	const char *p;

	for (p = s; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			return false;
	return ScimParseUuid(s, out);
}

/* The LIKE pattern of co, sw or ew: the value with % _ \ escaped */
static char *
like_pattern(const ScimFilterNode *n)
{
	StringInfoData buf;
	size_t		i;

	initStringInfo(&buf);
	if (n->op != SCIM_FOP_SW)
		appendStringInfoChar(&buf, '%');
	for (i = 0; i < n->valuelen; i++)
	{
		char		c = n->value[i];

		if (c == '%' || c == '_' || c == '\\')
			appendStringInfoChar(&buf, '\\');
		appendStringInfoChar(&buf, c);
	}
	if (n->op != SCIM_FOP_EW)
		appendStringInfoChar(&buf, '%');
	return buf.data;
}


/*
 * unwrap
 *		expr without the parentheses around all of it, if it has them: for
 *		a function argument, where they are noise.  Expressions come from
 *		this file and the registry and hold no parentheses in literals.
 */
static const char *
unwrap(const char *expr)
{
	size_t		len = strlen(expr);
	int			depth = 0;
	size_t		i;

	if (len < 2 || expr[0] != '(' || expr[len - 1] != ')' ||
		strncmp(expr, "(SELECT ", 8) == 0)
		return expr;			/* a scalar subquery keeps its parentheses */
	for (i = 0; i < len - 1; i++)
	{
		if (expr[i] == '(')
			depth++;
		else if (expr[i] == ')')
			depth--;
		if (depth == 0)
			return expr;		/* the first "(" closes before the end */
	}
	return pnstrdup(expr + 1, len - 2);
}


/* ----------------------------------------------------------------
 *		Compiling filters
 * ----------------------------------------------------------------
 */

/*
 * compile_node
 *		Append the predicate of n.  elem is the complex or multi-valued
 *		attribute whose brackets n is inside, or NULL at the top level.
 *		Chains of "and" / "or" are written flat, as PostgreSQL's own
 *		parser would build them, walking the left spine in a loop.
 */
static void
compile_node(FilterCtx *fc, const ScimFilterNode *n, const Target *elem,
			 StringInfo buf)
{
	check_stack_depth();
	switch (n->op)
	{
		case SCIM_FOP_AND:
		case SCIM_FOP_OR:
			{
				const ScimFilterNode *p;
				const ScimFilterNode **items;
				int			count = 1;
				int			i;

				for (p = n; p->op == n->op; p = p->left)
					count++;
				items = palloc(count * sizeof(ScimFilterNode *));
				i = count;
				for (p = n; p->op == n->op; p = p->left)
					items[--i] = p->right;
				items[0] = p;
				appendStringInfoChar(buf, '(');
				for (i = 0; i < count; i++)
				{
					if (i > 0)
						appendStringInfoString(buf, n->op == SCIM_FOP_AND ?
											   " AND " : " OR ");
					compile_node(fc, items[i], elem, buf);
				}
				appendStringInfoChar(buf, ')');
				pfree(items);
			}
			break;
		case SCIM_FOP_NOT:
			appendStringInfoString(buf, "NOT COALESCE(");
			compile_node(fc, n->left, elem, buf);
			appendStringInfoString(buf, ", false)");
			break;
		case SCIM_FOP_VALUEPATH:
			if (elem != NULL)
				ctx_error(fc, "a value path cannot be nested inside the brackets of \"%s\"",
						  elem->def->name);
			compile_value_path(fc, n, buf);
			break;
		default:
			compile_attr_exp(fc, n, elem, buf);
			break;
	}
}

/* A comparison or "pr", at the top level or inside brackets */
static void
compile_attr_exp(FilterCtx *fc, const ScimFilterNode *n, const Target *elem,
				 StringInfo buf)
{
	Target		t;
	ScalarRef	s;

	if (elem != NULL)
	{
		/* inside brackets: a sub-attribute of elem (the parser saw to it) */
		sub_scalar(fc, elem, find_sub(fc, elem, n->path.attr), &s);
		compile_compare(fc, n, &s, buf);
		return;
	}

	resolve_path(fc, &n->path, &t);
	switch (t.kind)
	{
		case TK_SCALAR:
			compile_compare(fc, n, &t.scalar, buf);
			break;
		case TK_COMPLEX:
			if (n->op == SCIM_FOP_PR ||
				(n->vkind == SCIM_VAL_NULL &&
				 (n->op == SCIM_FOP_EQ || n->op == SCIM_FOP_NE)))
			{
				if (n->op == SCIM_FOP_EQ)
					appendStringInfoString(buf, "NOT COALESCE(");
				emit_complex_present(fc, &t, buf);
				if (n->op == SCIM_FOP_EQ)
					appendStringInfoString(buf, ", false)");
				break;
			}
			ctx_error(fc, "\"%s\" is complex and cannot be compared; name a sub-attribute such as \"%s.%s\"",
					  t.def->name, t.def->name, t.def->subAttributes[0].name);
			break;
		case TK_MULTI:
			compile_multi(fc, n, &t, buf);
			break;
	}
}

/* attr[filter]: one element of attr (or attr itself) satisfies the filter */
static void
compile_value_path(FilterCtx *fc, const ScimFilterNode *n, StringInfo buf)
{
	Target		t;
	StringInfoData pred;
	const ScimFilterNode *value = NULL;
	const ScimFilterNode *type = NULL;

	if (n->path.sub != NULL)
		ctx_error(fc, "unknown attribute \"%s\" in %s",
				  path_name(&n->path), fc->where);
	resolve_path(fc, &n->path, &t);
	if (t.kind == TK_SCALAR)
		ctx_error(fc, "\"%s\" is not complex and cannot take a filter in brackets",
				  t.scalar.name);

	if (t.kind == TK_COMPLEX)
	{
		compile_node(fc, n->left, &t, buf);
		return;
	}

	if (is_user_emails(fc, &t))
	{
		find_email_keys(n->left, &value, &type);
		if (value != NULL)
		{
			appendStringInfoChar(buf, '(');
			emit_email_keys(fc, value, type, buf);
			appendStringInfoString(buf, " AND ");
		}
	}
	fc->need_join = false;
	initStringInfo(&pred);
	compile_node(fc, n->left, &t, &pred);
	emit_exists(fc, &t, pred.data, buf);
	if (value != NULL)
		appendStringInfoChar(buf, ')');
	memset(fc->memo_node, 0, sizeof(fc->memo_node));
}

/* A comparison or "pr" on a multi-valued attribute: some value matches */
static void
compile_multi(FilterCtx *fc, const ScimFilterNode *n, const Target *t,
			  StringInfo buf)
{
	StringInfoData pred;
	ScalarRef	s;
	const ScimAttrDef *sub = t->sub;
	bool		keyed = false;

	if (sub == NULL)
	{
		/* the bare attribute: present, absent, or its "value" (F13) */
		if (n->op == SCIM_FOP_PR ||
			(n->vkind == SCIM_VAL_NULL &&
			 (n->op == SCIM_FOP_EQ || n->op == SCIM_FOP_NE)))
		{
			if (n->op == SCIM_FOP_EQ)
				appendStringInfoString(buf, "NOT COALESCE(");
			emit_multi_present(fc, t, buf);
			if (n->op == SCIM_FOP_EQ)
				appendStringInfoString(buf, ", false)");
			return;
		}
		sub = find_sub(fc, t, "value");
	}

	fc->need_join = false;
	sub_scalar(fc, t, sub, &s);
	if (is_user_emails(fc, t) && strcmp(sub->name, "value") == 0 &&
		n->op == SCIM_FOP_EQ && n->vkind == SCIM_VAL_STRING)
	{
		appendStringInfoChar(buf, '(');
		emit_email_keys(fc, n, NULL, buf);
		appendStringInfoString(buf, " AND ");
		keyed = true;
	}
	initStringInfo(&pred);
	compile_compare(fc, n, &s, &pred);
	emit_exists(fc, t, pred.data, buf);
	if (keyed)
		appendStringInfoChar(buf, ')');
	memset(fc->memo_node, 0, sizeof(fc->memo_node));
}

/*
 * compile_compare
 *		A comparison or "pr" on one value.  The result may be NULL when the
 *		value is missing, except for ne, which is NOT COALESCE(eq, false).
 */
static void
compile_compare(FilterCtx *fc, const ScimFilterNode *n, const ScalarRef *s,
				StringInfo buf)
{
	if (s->store == VS_REFUSED)
		ctx_error(fc, "attribute \"%s\" cannot be used in a %s",
				  s->name, fc->where);
	if (n->op == SCIM_FOP_PR)
	{
		emit_present(s, buf);
		return;
	}
	if (n->vkind == SCIM_VAL_NULL)
	{
		if (n->op == SCIM_FOP_EQ)
		{
			appendStringInfoString(buf, "NOT COALESCE(");
			emit_present(s, buf);
			appendStringInfoString(buf, ", false)");
		}
		else if (n->op == SCIM_FOP_NE)
			emit_present(s, buf);
		else
			ctx_error(fc, "operator \"%s\" cannot compare \"%s\" with null",
					  ScimFilterOpName(n->op), s->name);
		return;
	}
	check_value(fc, n, s);
	if (n->op == SCIM_FOP_NE)
	{
		appendStringInfoString(buf, "NOT COALESCE(");
		emit_compare(fc, n, s, buf);
		appendStringInfoString(buf, ", false)");
	}
	else
		emit_compare(fc, n, s, buf);
}

/* invalidFilter unless operator and value of n fit the attribute's type */
static void
check_value(FilterCtx *fc, const ScimFilterNode *n, const ScalarRef *s)
{
	ScimFilterOp op = n->op;
	bool		ordering = (op == SCIM_FOP_GT || op == SCIM_FOP_GE ||
							op == SCIM_FOP_LT || op == SCIM_FOP_LE);
	bool		substring = (op == SCIM_FOP_CO || op == SCIM_FOP_SW ||
							 op == SCIM_FOP_EW);

	switch (s->def->type)
	{
		case SAT_BOOLEAN:
			if (n->vkind != SCIM_VAL_TRUE && n->vkind != SCIM_VAL_FALSE)
				ctx_error(fc, "\"%s\" is a boolean and must be compared with true or false",
						  s->name);
			if (ordering || substring)
				ctx_error(fc, "operator \"%s\" is not supported for the boolean \"%s\"",
						  ScimFilterOpName(op), s->name);
			break;
		case SAT_INTEGER:
		case SAT_DECIMAL:
			if (n->vkind != SCIM_VAL_NUMBER)
				ctx_error(fc, "\"%s\" is a number and must be compared with a number",
						  s->name);
			if (substring)
				ctx_error(fc, "operator \"%s\" is not supported for the number \"%s\"",
						  ScimFilterOpName(op), s->name);
			break;
		case SAT_DATETIME:
			if (n->vkind != SCIM_VAL_STRING)
				ctx_error(fc, "\"%s\" is a dateTime and must be compared with a string",
						  s->name);
			if (substring)
				ctx_error(fc, "operator \"%s\" is not supported for the dateTime \"%s\"",
						  ScimFilterOpName(op), s->name);
			break;
		case SAT_BINARY:
			if (ordering)
				ctx_error(fc, "operator \"%s\" is not supported for the binary \"%s\"",
						  ScimFilterOpName(op), s->name);
			/* FALLTHROUGH */
		default:
			if (n->vkind != SCIM_VAL_STRING)
				ctx_error(fc, "\"%s\" is a %s and must be compared with a string",
						  s->name, ScimAttrTypeName(s->def->type));
			break;
	}
}

/* The comparison of n (eq, co, sw, ew, gt, ge, lt, le) on s, checked */
static void
emit_compare(FilterCtx *fc, const ScimFilterNode *n, const ScalarRef *s,
			 StringInfo buf)
{
	ScimFilterOp op = n->op;
	bool		substring = (op == SCIM_FOP_CO || op == SCIM_FOP_SW ||
							 op == SCIM_FOP_EW);
	int			p;

	switch (s->store)
	{
		case VS_UUID:
			if (op == SCIM_FOP_EQ || op == SCIM_FOP_NE)
			{
				pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

				if (s->def->caseExact ? !canonical_uuid(n->value, u) :
					!ScimParseUuid(n->value, u))
				{
					/* not an id we could have issued: matches nothing */
					appendStringInfoString(buf, "FALSE");
					return;
				}
				p = add_param(fc, UUIDOID, UUIDPGetDatum(u));
				appendStringInfo(buf, "%s = $%d", s->expr, p);
				return;
			}
			{
				/* other operators look at the canonical text form */
				ScalarRef	t = *s;

				t.store = VS_TEXT;
				t.expr = psprintf("%s::text", s->expr);
				emit_compare(fc, n, &t, buf);
			}
			return;
		case VS_BOOL:
			p = add_param(fc, BOOLOID, BoolGetDatum(n->vkind == SCIM_VAL_TRUE));
			appendStringInfo(buf, "%s = $%d", s->expr, p);
			return;
		case VS_TIMESTAMP:
			{
				Datum		ts;

				if (!parse_datetime(n->value, &ts))
					ctx_error(fc, "\"%s\" is not a valid dateTime for \"%s\"; use the form 2024-01-31T12:00:00Z",
							  n->value, s->name);
				p = add_param(fc, TIMESTAMPTZOID, ts);
				appendStringInfo(buf, "%s %s $%d", s->expr, op_sql(op), p);
			}
			return;
		case VS_JSONB:
			if (s->def->type == SAT_BOOLEAN)
			{
				p = add_param(fc, BOOLOID, BoolGetDatum(n->vkind == SCIM_VAL_TRUE));
				appendStringInfo(buf, "%s = to_jsonb($%d)", s->expr, p);
			}
			else
			{
				p = add_param(fc, NUMERICOID,
							  DirectFunctionCall3(numeric_in, CStringGetDatum(n->value),
												  ObjectIdGetDatum(InvalidOid),
												  Int32GetDatum(-1)));
				appendStringInfo(buf,
								 "(CASE WHEN jsonb_typeof(%s) = 'number' THEN (%s)::numeric END) %s $%d",
								 s->expr, s->expr, op_sql(op), p);
			}
			return;
		case VS_TEXT:
			break;
		case VS_REFUSED:
			elog(ERROR, "refused attribute reached emit_compare");
	}

	/* strings */
	if (substring)
		p = add_param(fc, TEXTOID, CStringGetTextDatum(like_pattern(n)));
	else
		p = value_param(fc, n);
	if (substring)
		appendStringInfoString(buf, "scim._like(");
	if (s->def->caseExact)
		appendStringInfoString(buf, s->expr);
	else
		appendStringInfo(buf, "scim._lower(%s)", unwrap(s->expr));
	if (substring)
		appendStringInfoString(buf, ", ");
	else if (op == SCIM_FOP_EQ || op == SCIM_FOP_NE)
		appendStringInfoString(buf, " = ");
	else
		appendStringInfo(buf, " COLLATE \"C\" %s ", op_sql(op));
	if (s->def->caseExact)
		appendStringInfo(buf, "$%d", p);
	else
		appendStringInfo(buf, "lower($%d)", p);
	if (substring)
		appendStringInfoChar(buf, ')');
}

/* "pr" on one value: present and not empty (NULL when missing) */
static void
emit_present(const ScalarRef *s, StringInfo buf)
{
	switch (s->store)
	{
		case VS_TEXT:
			appendStringInfo(buf, "%s <> ''", s->expr);
			break;
		case VS_JSONB:
			appendStringInfo(buf, "jsonb_typeof(%s) <> 'null'", unwrap(s->expr));
			break;
		default:
			appendStringInfo(buf, "%s IS NOT NULL", s->expr);
			break;
	}
}

/* "pr" on a singular complex attribute: some sub-attribute is present */
static void
emit_complex_present(FilterCtx *fc, const Target *t, StringInfo buf)
{
	int			i;
	bool		first = true;

	if (t->source == SRC_META)
	{
		appendStringInfoString(buf, "TRUE");
		return;
	}
	appendStringInfoChar(buf, '(');
	for (i = 0; i < t->def->nsub; i++)
	{
		ScalarRef	s;

		sub_scalar(fc, t, &t->def->subAttributes[i], &s);
		if (s.store == VS_REFUSED)
			continue;
		if (!first)
			appendStringInfoString(buf, " OR ");
		emit_present(&s, buf);
		first = false;
	}
	appendStringInfoChar(buf, ')');
}

/* "pr" on a multi-valued attribute: it has a value */
static void
emit_multi_present(FilterCtx *fc, const Target *t, StringInfo buf)
{
	switch (t->source)
	{
		case SRC_SCHEMAS:
			appendStringInfoString(buf, "TRUE");
			break;
		case SRC_JSONB:
			appendStringInfo(buf, "jsonb_array_length(%s) > 0", t->expr);
			break;
		default:
			fc->need_join = false;
			emit_exists(fc, t, "TRUE", buf);
			break;
	}
}

/*
 * emit_exists
 *		EXISTS over the values of multi-valued t, with pred on each.  The
 *		element aliases are e (jsonb arrays), s (schemas) and m (member
 *		rows, with gg for a user's groups and mu/mg for a group's members).
 */
static void
emit_exists(FilterCtx *fc, const Target *t, const char *pred, StringInfo buf)
{
	const char *a = fc->alias;

	switch (t->source)
	{
		case SRC_JSONB:
			appendStringInfo(buf,
							 "EXISTS (SELECT 1 FROM jsonb_array_elements(%s) AS e WHERE %s)",
							 t->expr, pred);
			break;
		case SRC_SCHEMAS:
			if (fc->kind == SCIM_RES_USER)
				appendStringInfo(buf,
								 "EXISTS (SELECT 1 FROM (SELECT %s::text UNION ALL "
								 "SELECT k FROM jsonb_object_keys(%s.attrs) AS k "
								 "WHERE k LIKE 'urn:%%') AS s(v) WHERE %s)",
								 quote_literal_cstr(SCIM_URN_USER), a, pred);
			else
				appendStringInfo(buf,
								 "EXISTS (SELECT 1 FROM (SELECT %s::text) AS s(v) WHERE %s)",
								 quote_literal_cstr(SCIM_URN_GROUP), pred);
			break;
		case SRC_GROUPS:
			appendStringInfoString(buf, "EXISTS (SELECT 1 FROM scim.members m ");
			if (fc->need_join)
				appendStringInfoString(buf,
									   "JOIN scim.groups gg ON gg.tenant_id = m.tenant_id "
									   "AND gg.id = m.group_id ");
			appendStringInfo(buf,
							 "WHERE m.tenant_id = %s.tenant_id AND m.member_id = %s.id AND %s)",
							 a, a, pred);
			break;
		case SRC_MEMBERS:
			appendStringInfoString(buf, "EXISTS (SELECT 1 FROM scim.members m ");
			if (fc->need_join || !fc->show_inactive)
				appendStringInfoString(buf,
									   "LEFT JOIN scim.users mu ON m.member_type = 'User' "
									   "AND mu.tenant_id = m.tenant_id AND mu.id = m.member_id ");
			if (fc->need_join)
				appendStringInfoString(buf,
									   "LEFT JOIN scim.groups mg ON m.member_type = 'Group' "
									   "AND mg.tenant_id = m.tenant_id AND mg.id = m.member_id ");
			appendStringInfo(buf,
							 "WHERE m.tenant_id = %s.tenant_id AND m.group_id = %s.id AND %s AND %s)",
							 a, a, members_visible(fc), pred);
			break;
		default:
			elog(ERROR, "attribute \"%s\" is not multi-valued", t->def->name);
	}
	fc->need_join = false;
}

/* The members SCIM sees (as group.c's VISIBLE_MEMBER), over m and mu */
static const char *
members_visible(FilterCtx *fc)
{
	if (fc->show_inactive)
		return "(m.member_type = 'User' OR m.source = 'scim')";
	return "((m.member_type = 'User' AND mu.active) OR "
		"(m.member_type = 'Group' AND m.source = 'scim'))";
}

/*
 * Is t the emails of a user, which scim._email_keys indexes, and is the
 * tenant a parameter its keys can be led by?
 */
static bool
is_user_emails(FilterCtx *fc, const Target *t)
{
	return fc->kind == SCIM_RES_USER && t->source == SRC_JSONB &&
		t->def == ScimSchemaFindAttr(&ScimUserSchema, "emails") &&
		fc->out != NULL && fc->out->tenant_param > 0;
}

/*
 * find_email_keys
 *		In the bracket filter n, the comparisons "value eq <string>" and
 *		"type eq <string>" that every match must satisfy: those joined to
 *		the whole filter by "and" only.
 */
static void
find_email_keys(const ScimFilterNode *n, const ScimFilterNode **value,
				const ScimFilterNode **type)
{
	check_stack_depth();
	if (n->op == SCIM_FOP_AND)
	{
		find_email_keys(n->left, value, type);
		find_email_keys(n->right, value, type);
		return;
	}
	if (n->op != SCIM_FOP_EQ || n->vkind != SCIM_VAL_STRING ||
		n->path.attr == NULL)
		return;
	if (*value == NULL && scim_strcasecmp(n->path.attr, "value") == 0)
		*value = n;
	else if (*type == NULL && scim_strcasecmp(n->path.attr, "type") == 0)
		*type = n;
}

/*
 * Is the emails index of this database led by the tenant, with
 * scim._email_key (0.2.0 on), or still 0.1.0's on scim._email_keys(attrs)?
 */
static bool
email_keys_led_by_tenant(void)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};

	return OidIsValid(LookupFuncName(list_make2(makeString("scim"),
												makeString("_email_key")),
									 2, argtypes, true));
}

/*
 * emit_email_keys
 *		scim._email_keys(u.tenant_id, u.attrs) OPERATOR(scim.@>>)
 *		ARRAY[scim._email_key($tenant, key)]: the GIN-indexable (and
 *		leakproof) necessary condition of an emails match, led by the
 *		request's tenant (src/sql/15_indexes.sql).  The key reuses the
 *		tenant's parameter and the comparisons' ones (memoized for
 *		value_param): no value is spliced.  At 0.1.0: 0.1.0's condition,
 *		scim._email_keys(u.attrs) OPERATOR(scim.@>>) ARRAY[(key)].
 */
static void
emit_email_keys(FilterCtx *fc, const ScimFilterNode *value,
				const ScimFilterNode *type, StringInfo buf)
{
	int			pv = value_param(fc, value);
	bool		led = email_keys_led_by_tenant();

	fc->memo_node[0] = value;
	fc->memo_param[0] = pv;
	if (led)
		appendStringInfo(buf, "scim._email_keys(%s.tenant_id, %s.attrs) OPERATOR(scim.@>>) "
						 "ARRAY[scim._email_key($%d, ",
						 fc->alias, fc->alias, fc->out->tenant_param);
	else
		appendStringInfo(buf, "scim._email_keys(%s.attrs) OPERATOR(scim.@>>) ARRAY[(",
						 fc->alias);
	if (type != NULL)
	{
		int			pt = value_param(fc, type);

		fc->memo_node[1] = type;
		fc->memo_param[1] = pt;
		appendStringInfo(buf, "lower($%d) || ':' || ", pt);
	}
	/* closes scim._email_key( or the parenthesis of 0.1.0's key */
	appendStringInfo(buf, "lower($%d))]", pv);
}

/* an eq on a key unique per tenant (id; userName, or a group's displayName) */
static bool
unique_key_eq(ScimResourceKind kind, const ScimFilterNode *n)
{
	const char *core = kind == SCIM_RES_USER ? SCIM_URN_USER : SCIM_URN_GROUP;

	if (n->op != SCIM_FOP_EQ || n->path.sub != NULL)
		return false;
	if (n->path.urn != NULL && scim_strcasecmp(n->path.urn, core) != 0)
		return false;
	return scim_strcasecmp(n->path.attr, "id") == 0 ||
		scim_strcasecmp(n->path.attr,
						kind == SCIM_RES_USER ? "userName" : "displayName") == 0;
}

/*
 * Can the filter match one resource at most: it is such an eq, or an "and"
 * with one (query.c then keeps one generic plan for its statements).
 */
static bool
at_most_one_row(ScimResourceKind kind, const ScimFilterNode *n)
{
	if (n->op == SCIM_FOP_AND)
		return at_most_one_row(kind, n->left) || at_most_one_row(kind, n->right);
	return unique_key_eq(kind, n);
}

/*
 * ScimFilterParseOrError
 *		The tree of filter; invalidFilter when it is empty or does not parse.
 */
ScimFilterNode *
ScimFilterParseOrError(const char *filter)
{
	ScimParseError err;
	ScimFilterNode *tree;

	if (filter == NULL)
		ScimError(SCIM_ERR_INVALID_FILTER, "empty filter");
	tree = ScimFilterParse(filter, strlen(filter), &err);
	if (tree == NULL)
		ScimError(SCIM_ERR_INVALID_FILTER, "%s", err.message);
	return tree;
}

/*
 * ScimFilterUserNameEq
 *		The string of a users' filter that is userName eq "<string>" and
 *		nothing else (the IdPs' lookup before every create), or NULL.  Such
 *		a filter always compiles: it needs no SQL to be answered.
 */
const char *
ScimFilterUserNameEq(ScimResourceKind kind, const ScimFilterNode *tree)
{
	if (kind == SCIM_RES_USER && unique_key_eq(kind, tree) &&
		tree->vkind == SCIM_VAL_STRING && strlen(tree->value) == tree->valuelen &&
		scim_strcasecmp(tree->path.attr, "userName") == 0)
		return tree->value;
	return NULL;
}

/*
 * ScimFilterToSql
 *		Compile a filter (ScimFilterParseOrError's tree) into a boolean
 *		predicate over alias u (users) or g (groups), appended to out->sql;
 *		its values go to out->args as parameters numbered from first_param
 *		(slot first_param - 1).  Raises invalidFilter for anything the
 *		filter gets wrong.
 */
void
ScimFilterToSql(const ScimResourceTypeDef *rt, const ScimFilterNode *tree,
				ScimSqlFilter *out, int first_param)
{
	FilterCtx	fc;

	if (out->sql.data == NULL)
		initStringInfo(&out->sql);
	if (first_param < 1 || out->nargs > first_param - 1)
		elog(ERROR, "parameter $%d is already in use", first_param);
	out->nargs = first_param - 1;

	init_ctx(&fc, rt, out, false);
	compile_node(&fc, tree, NULL, &out->sql);
	out->at_most_one = at_most_one_row(rt->kind, tree);
}


/* ----------------------------------------------------------------
 *		Compiling sortBy
 * ----------------------------------------------------------------
 */

/* The sort key of one value: folded, empty as NULL, in code point order */
static char *
sort_expr(FilterCtx *fc, const ScalarRef *s)
{
	switch (s->store)
	{
		case VS_TEXT:
			if (s->def->caseExact)
				return psprintf("NULLIF(%s, '') COLLATE \"C\"", unwrap(s->expr));
			return psprintf("lower(NULLIF(%s, '')) COLLATE \"C\"", unwrap(s->expr));
		case VS_JSONB:
			if (s->def->type == SAT_BOOLEAN)
				return psprintf("(CASE WHEN jsonb_typeof(%s) = 'boolean' THEN (%s)::boolean END)",
								s->expr, s->expr);
			return psprintf("(CASE WHEN jsonb_typeof(%s) = 'number' THEN (%s)::numeric END)",
							s->expr, s->expr);
		case VS_REFUSED:
			ctx_error(fc, "attribute \"%s\" cannot be used in a %s",
					  s->name, fc->where);
		default:
			return pstrdup(s->expr);
	}
}

/*
 * first_value
 *		The value a multi-valued sortBy uses (RFC 7644 §3.4.2.3): the
 *		primary value if any, else the first in the order the resource
 *		lists them.  Stores it in *s as a scalar subquery.
 */
static void
first_value(FilterCtx *fc, const Target *t, ScalarRef *s)
{
	const ScimAttrDef *sub = t->sub;
	ScalarRef	elem;
	const char *a = fc->alias;

	if (sub == NULL)
	{
		if (t->source == SRC_SCHEMAS)
			sub = t->def;
		else
			sub = find_sub(fc, t, "value");
	}
	fc->need_join = false;
	sub_scalar(fc, t, sub, &elem);
	if (elem.store == VS_REFUSED)
		ctx_error(fc, "attribute \"%s\" cannot be used in a %s",
				  elem.name, fc->where);
	*s = elem;
	switch (t->source)
	{
		case SRC_JSONB:
			s->expr = psprintf("(SELECT %s FROM jsonb_array_elements(%s) "
							   "WITH ORDINALITY AS x(e, n) ORDER BY %sx.n LIMIT 1)",
							   elem.expr, t->expr,
							   ScimAttrFindSub(t->def, "primary") ?
							   "COALESCE(e->'primary' = 'true'::jsonb, false) DESC, " : "");
			break;
		case SRC_SCHEMAS:
			s->expr = quote_literal_cstr(fc->kind == SCIM_RES_USER ?
										 SCIM_URN_USER : SCIM_URN_GROUP);
			break;
		case SRC_GROUPS:
			/* user.c lists a user's groups by id */
			s->expr = psprintf("(SELECT %s FROM scim.members m %s"
							   "WHERE m.tenant_id = %s.tenant_id AND m.member_id = %s.id "
							   "ORDER BY m.group_id LIMIT 1)",
							   elem.expr,
							   fc->need_join ?
							   "JOIN scim.groups gg ON gg.tenant_id = m.tenant_id "
							   "AND gg.id = m.group_id " : "",
							   a, a);
			break;
		default:
			/* which members are visible is a tenant setting sortBy lacks */
			ctx_error(fc, "sorting by \"%s\" is not supported", t->def->name);
	}
	fc->need_join = false;
}

/*
 * ScimSortToSql
 *		The ORDER BY list for sortBy (NULL: creation order), always ending
 *		with the id so that paging is stable.  invalidValue for a sortBy
 *		that is not an attribute path of a sortable attribute.
 */
char *
ScimSortToSql(const ScimResourceTypeDef *rt, const char *sort_by, bool descending)
{
	FilterCtx	fc;
	ScimAttrPath path;
	ScimParseError err;
	Target		t;
	ScalarRef	s;
	char	   *key;

	init_ctx(&fc, rt, NULL, true);
	memset(&s, 0, sizeof(ScalarRef));
	if (sort_by == NULL || sort_by[0] == '\0')
		return psprintf("%s.created, %s.id", fc.alias, fc.alias);
	if (!ScimAttrPathParse(sort_by, strlen(sort_by), &path, &err))
		ScimError(SCIM_ERR_INVALID_VALUE, "invalid sortBy: %s", err.message);

	resolve_path(&fc, &path, &t);
	switch (t.kind)
	{
		case TK_SCALAR:
			s = t.scalar;
			break;
		case TK_COMPLEX:
			ctx_error(&fc, "\"%s\" is complex and cannot be sorted by; name a sub-attribute such as \"%s.%s\"",
					  t.def->name, t.def->name, t.def->subAttributes[0].name);
			break;
		case TK_MULTI:
			first_value(&fc, &t, &s);
			break;
	}
	key = sort_expr(&fc, &s);
	if (s.store == VS_UUID && t.kind == TK_SCALAR)
		return psprintf("%s %s", key, descending ? "DESC" : "ASC");
	return psprintf("%s %s, %s.id", key,
					descending ? "DESC NULLS FIRST" : "ASC NULLS LAST", fc.alias);
}
