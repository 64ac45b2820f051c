/*-------------------------------------------------------------------------
 *
 * patch.c
 *	  Applying a PatchOp message to a resource (RFC 7644 §3.5.2).
 *
 * ScimPatchApply() takes the current representation of a User or Group
 * and a PatchOp body, applies the operations in order to a deep copy and
 * returns it; the caller validates the result (ScimValidate) and stores
 * it.  The input document is never changed, so a failing operation
 * leaves nothing half-applied (atomicity, M2), and every error names the
 * failing operation: its detail starts with "operation N: " (1-based).
 *
 * The message: "schemas" must list the PatchOp URN when present (a body
 * without "schemas" is accepted, as Zulip does); "Operations" (any case)
 * must be a non-empty array; "op" is add, remove or replace in any case
 * (Entra sends "Replace"); "value" is required for add and replace
 * (invalidValue), "path" for remove (noTarget).  An empty "path" counts
 * as no path.
 *
 * Paths: "attr", "attr.sub", "urn:...:attr[.sub]", "attr[filter]" and
 * "attr[filter].sub", names case-insensitive.  A path that is just an
 * extension URN addresses the whole extension object; the core schema URN
 * alone addresses the whole resource (like no path).  "meta" and
 * "schemas" are readOnly.  A malformed path or unknown attribute is
 * invalidPath, a bad filter invalidFilter.
 *
 * Rules, in RFC 7644 terms (the labels are those of docs/conformance.md):
 *	- No path (add, replace; AD1, RP1): "value" is an object whose keys are
 *	  attribute paths: plain ("active"), dotted ("name.givenName"), URN
 *	  qualified ("urn:...:enterprise:2.0:User:employeeNumber"), or an
 *	  extension URN whose object value merges into the extension.  This is
 *	  what Okta ({"active":false}) and Entra with aadOptscim062020 send.
 *	  Each key is applied as if it were the path.  "schemas" and "meta"
 *	  keys are ignored (readOnly echoes).
 *	- readOnly targets (id, groups, members.display, manager.displayName,
 *	  meta, schemas) are mutability errors, except an add or replace whose
 *	  value equals the current one: Okta's group rename echoes the group's
 *	  own "id" in a path-less replace (docs/okta.md, step 9).  readOnly
 *	  sub-attributes inside a value object (Okta's members[].display) are
 *	  ignored, as on POST and PUT.  writeOnly (password) is set like any
 *	  other attribute and never compared.  An immutable sub-attribute may
 *	  be set while unassigned and never changed afterwards (M4).
 *	- add (AD2-AD6): a missing target is created; a complex target merges
 *	  the given sub-attributes; a multi-valued target gets the values that
 *	  are not already there appended (equality per sub-attribute, honouring
 *	  caseExact; an absent "primary" equals false), so re-adding is a
 *	  no-op; a single-valued target is set.
 *	- replace (RP1-RP7): single-valued is set; complex merges (RP4: the
 *	  sub-attributes not given stay, RFC 7644 §3.5.2.3); multi-valued without a
 *	  filter has all its values replaced; with a filter every matching
 *	  record is replaced by the value (RFC 7644 §3.5.2.3 "all matching
 *	  record values SHALL be replaced": the record is replaced whole, not
 *	  merged; several matches collapse into one record, since they would
 *	  all be the same); "filter.sub" sets the sub-attribute on every
 *	  match.  A path to an unassigned attribute is an add (RP5).
 *	- "attr.sub" on a multi-valued attribute without a filter
 *	  ("emails.value") addresses that sub-attribute of every value; when
 *	  there is no value yet, add and replace create one.
 *	- A value filter that matches nothing is noTarget for replace (RP8),
 *	  with one exception shared with add (for which the RFC is silent,
 *	  AD7): when the filter is exactly one 'type eq "x"' comparison, a new
 *	  record {"type":"x", ...} is appended, with the sub-attribute of the
 *	  path (or the value object) filled in.  This is what Entra ID sends
 *	  when a user has no work email yet, as add or as replace:
 *	  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"x"}.
 *	  Types are unique per multi-valued attribute in Entra's model, so the
 *	  record it names simply does not exist yet.  Any other unmatched
 *	  filter is noTarget.
 *	- remove (RM1-RM7): no path is noTarget; single-valued and complex
 *	  targets become unassigned; "complex.sub" removes that sub-attribute;
 *	  multi-valued without a filter loses every value, with a filter the
 *	  matching values (a filter that matches nothing changes nothing and
 *	  is not an error); "filter.sub" removes the sub-attribute from the
 *	  matches.  With a "value" (Entra's legacy {"op":"Remove",
 *	  "path":"members","value":[{"value":"id"}]}, RM7) only the listed
 *	  values go: matched on "value" when the listed item has one, else on
 *	  the whole record.  Removing a required attribute (userName, a
 *	  Group's displayName) or a readOnly one is mutability (RM6).
 *	  Assigning null or "" to a required attribute is invalidValue.
 *	- Values are type-checked by ScimCoerceValue ("False" becomes false);
 *	  a multi-valued target accepts one object as one value.  null or ""
 *	  as the value of add or replace unassigns the target (RFC 7643 §2.5);
 *	  inside a complex value it unassigns that sub-attribute.
 *	- primary (M5): when an operation leaves a value of a multi-valued
 *	  attribute newly "primary": true, the other values that were primary
 *	  get "primary": false.
 *	- Group membership is rows, not part of the document: on a Group, every
 *	  operation on "members" (with or without a filter, or a "members" key
 *	  of a path-less value) goes to hooks->members.  A path to a
 *	  sub-attribute of members is mutability here, before the hook: members
 *	  are added and removed, never edited in place (G13).  Without hooks,
 *	  members is an ordinary attribute.
 *
 * Cost (docs/security.md): every operation costs time linear in the size
 * of its target array and of its value, never their product.  Duplicates
 * are found through a hash set whose hash agrees with element_equal()
 * (ElemSet below), removals compact the array in one pass, and every loop
 * over request data checks for interrupts, so statement_timeout always
 * wins.  Memory is bounded by construction: a multi-valued attribute may
 * not grow beyond the tenant's max_multi_values (invalidValue, checked
 * after each operation), the values one operation copies into several
 * records ("emails.display" sets it in every email) are charged against
 * max_payload_bytes for the whole PATCH (payloadTooLarge, 413, before
 * anything is copied), and so is the resulting document.  The engine
 * counts its work in units of inner-loop steps (ScimPatchWork(); the test
 * aid scim._patch_work() of test/scim_test/ reads it to check that cost
 * stays linear).
 *
 * src/patch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"

#include "error.h"
#include "filter.h"
#include "filter_eval.h"
#include "json.h"
#include "patch.h"
#include "schema.h"
#include "tenant.h"
#include "validate.h"

/*
 * A replace whose 'type eq "x"' filter matches nothing adds the record,
 * as Entra ID expects (see the file header); other filters are noTarget.
 */
#define PATCH_REPLACE_MISSING_TYPED_AS_ADD true

typedef enum PatchOpKind
{
	PATCH_ADD,
	PATCH_REMOVE,
	PATCH_REPLACE
} PatchOpKind;

/* what a path addresses */
typedef enum PatchTargetKind
{
	PT_ATTRIBUTE,				/* an attribute, maybe .sub or [filter] */
	PT_EXTENSION,				/* a whole extension object */
	PT_RESOURCE,				/* the core schema URN: the whole resource */
	PT_COMMON					/* "meta" or "schemas" */
} PatchTargetKind;

typedef struct PatchTarget
{
	PatchTargetKind kind;
	const ScimSchemaDef *schema;	/* schema of the attribute or extension */
	const ScimAttrDef *attr;	/* PT_ATTRIBUTE */
	const ScimAttrDef *sub;		/* "attr.sub" or "attr[filter].sub" */
	ScimFilterNode *filter;		/* "attr[filter]", else NULL */
	const char *common;			/* PT_COMMON: "meta" or "schemas" */
	const char *label;			/* canonical "attr" or "attr.sub" */
	const char *text;			/* the path as written */
} PatchTarget;

typedef struct PatchState
{
	const ScimResourceTypeDef *rt;
	const ScimPatchHooks *hooks;
	ScimJson   *doc;			/* the working copy */
	int			opindex;		/* 1-based */
	PatchOpKind op;
	int64		copied;			/* bytes copied into several records */
} PatchState;

/*
 * A hash set of values of a multi-valued attribute (open addressing).  The
 * hash of a value must be the same for all values that element_equal()
 * (or scalar_equal() for a set of "value" keys) calls equal.
 */
typedef struct ElemSet
{
	int			cap;			/* a power of two */
	int			n;
	uint32	   *hashes;
	const ScimJson **elems;
} ElemSet;

/* tests of membership in an ElemSet */
typedef bool (*ElemEqual) (const ScimAttrDef *def, const ScimJson *a,
						   const ScimJson *b);

/* the values of a multi-valued attribute that were primary before an op */
typedef struct PrimarySnapshot
{
	ElemSet		set;			/* by pointer */
} PrimarySnapshot;

/* inner-loop steps of the last ScimPatchApply (see the file header) */
static uint64 patch_work = 0;

#define WORK(n) (patch_work += (n))


static const char *const op_names[] = {"add", "remove", "replace"};

/* forward declarations */
static const ScimJson *check_body(const ScimJson *patch);
static void run_operation(PatchState *st, const ScimJson *op);
static void apply_operation(PatchState *st, const ScimJson *op);
static void resolve_path(PatchState *st, const char *text,
						 const ScimSchemaDef *within, PatchTarget *t);
static void apply_target(PatchState *st, PatchTarget *t, const ScimJson *value);
static void apply_pathless(PatchState *st, const ScimSchemaDef *within,
						   const ScimJson *value);
static void apply_extension(PatchState *st, PatchTarget *t,
							const ScimJson *value);
static void apply_common(PatchState *st, PatchTarget *t, const ScimJson *value);
static void apply_attribute(PatchState *st, PatchTarget *t,
							const ScimJson *value);
static bool is_group_members(PatchState *st, PatchTarget *t);
static void call_members_hook(PatchState *st, PatchTarget *t,
							  const ScimJson *value);
static ScimJson *container_for(PatchState *st, const ScimSchemaDef *schema,
							   bool create);
static void apply_single(PatchState *st, PatchTarget *t, ScimJson *container,
						 const ScimJson *value);
static void apply_complex_sub(PatchState *st, PatchTarget *t,
							  ScimJson *container, const ScimJson *value);
static void apply_multi(PatchState *st, PatchTarget *t, ScimJson *container,
						const ScimJson *value);
static void multi_whole(PatchState *st, PatchTarget *t, ScimJson *arr,
						const ScimJson *value);
static void multi_sub_all(PatchState *st, PatchTarget *t, ScimJson *arr,
						  const ScimJson *value);
static void multi_filtered(PatchState *st, PatchTarget *t, ScimJson *arr,
						   const ScimJson *value);
static void add_typed_record(PatchState *st, PatchTarget *t, ScimJson *arr,
							 const char *type, const ScimJson *value);
static void remove_listed(PatchState *st, PatchTarget *t, ScimJson *arr,
						  const ScimJson *value);
static const ScimJson *single_value(PatchTarget *t, const ScimJson *value);
static void merge_complex(PatchState *st, const ScimAttrDef *def,
						  ScimJson *obj, const ScimJson *value,
						  const char *label);
static void set_sub(const ScimAttrDef *def, const ScimAttrDef *sub,
					ScimJson *obj, ScimJson *cv);
static void remove_sub(const ScimAttrDef *def, const ScimAttrDef *sub,
					   ScimJson *obj);
static void drop_empty_values(ScimJson *arr);
static const char *typed_filter_value(PatchTarget *t);
static bool contains_value(const ScimAttrDef *attr, const ScimJson *arr,
						   const ScimJson *elem);
static bool element_equal(const ScimAttrDef *attr, const ScimJson *a,
						  const ScimJson *b);
static bool scalar_equal(const ScimAttrDef *def, const ScimJson *a,
						 const ScimJson *b);
static bool value_same(const ScimAttrDef *def, const ScimJson *a,
					   const ScimJson *b);
static void snapshot_primary(ScimJson *arr, PrimarySnapshot *snap);
static void fix_primary(ScimJson *arr, const PrimarySnapshot *snap);
static bool is_primary(const ScimJson *elem);
static void set_init(ElemSet *set, int expected);
static void set_add(ElemSet *set, uint32 h, const ScimJson *elem);
static const ScimJson *set_find(const ElemSet *set, uint32 h, ElemEqual eq,
								const ScimAttrDef *def, const ScimJson *v);
static uint32 json_hash(const ScimJson *v, bool caseExact);
static uint32 scalar_hash(const ScimAttrDef *def, const ScimJson *v);
static uint32 element_hash(const ScimAttrDef *attr, const ScimJson *v);
static uint32 pointer_hash(const ScimJson *v);
static bool pointer_equal(const ScimAttrDef *def, const ScimJson *a,
						  const ScimJson *b);
static void set_of_values(ElemSet *set, const ScimAttrDef *attr,
						  const ScimJson *arr);
static void compact(ScimJson *arr, const bool *drop);
static int64 json_bytes(const ScimJson *v);
static void charge_copies(PatchState *st, int64 n, const ScimJson *value);
static void check_count(const ScimAttrDef *attr, const ScimJson *arr);


/*
 * ScimPatchApply
 *		The document doc of resource type rt with PatchOp message patch
 *		applied, as a new tree; doc is not modified.
 */
ScimJson *
ScimPatchApply(const ScimResourceTypeDef *rt, const ScimJson *doc,
			   const ScimJson *patch, const ScimPatchHooks *hooks)
{
	PatchState	st;
	const ScimJson *ops = check_body(patch);
	int			i;

	int64		bytes;

	memset(&st, 0, sizeof(st));
	patch_work = 0;
	st.rt = rt;
	st.hooks = hooks;
	st.doc = (doc != NULL && doc->type == SJ_OBJECT) ?
		ScimJsonCopy(doc) : ScimJsonNew(SJ_OBJECT);

	for (i = 0; i < ops->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		WORK(1);
		st.opindex = i + 1;
		run_operation(&st, ops->items[i]);
	}
	ScimTidyExtensions(st.rt, st.doc);

	/* the result may not be larger than a body the client could send */
	bytes = json_bytes(st.doc) - json_bytes(ScimJsonGet(st.doc, "meta"));
	if (bytes > scim_limits.max_resource_bytes)
		ScimError(SCIM_ERR_TOO_LARGE,
				  "the resource after PATCH would be %lld bytes, more than max_payload_bytes (%d)",
				  (long long) bytes, scim_limits.max_resource_bytes);
	return st.doc;
}

/*
 * ScimPatchWork
 *		The work units (inner-loop steps) of the last PATCH applied in this
 *		backend, so that a test can check that the engine's cost stays
 *		linear in its input (test/pgtap/60_patch_cost.sql).
 */
uint64
ScimPatchWork(void)
{
	return patch_work;
}

/* check the PatchOp envelope and return its Operations array */
static const ScimJson *
check_body(const ScimJson *patch)
{
	const ScimJson *ops;

	if (patch == NULL || patch->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "the PATCH body must be a PatchOp JSON object");

	ScimCheckSchemas(patch, SCIM_URN_PATCHOP, "a PATCH body", false);

	ops = ScimJsonGet(patch, "Operations");
	if (ops == NULL || ops->type != SJ_ARRAY || ops->count == 0)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "the PATCH body must have a non-empty \"Operations\" array");
	/* an abuse limit, like Bulk's maxOperations (docs/security.md) */
	if (ops->count > SCIM_PATCH_MAX_OPERATIONS)
		ScimError(SCIM_ERR_TOO_LARGE,
				  "a PATCH may have at most %d operations, not %d",
				  SCIM_PATCH_MAX_OPERATIONS, ops->count);
	return ops;
}

/*
 * Apply one operation; a SCIM error it raises gets "operation N: " put in
 * front of its message, so that the client learns which one failed.
 */
static void
run_operation(PatchState *st, const ScimJson *op)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	PG_TRY();
	{
		apply_operation(st, op);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (!ScimErrorIsOwn(edata) || edata->message == NULL ||
			strncmp(edata->message, "operation ", 10) == 0)
		{
			FreeErrorData(edata);
			PG_RE_THROW();
		}
		FlushErrorState();
		edata->message = psprintf("operation %d: %s", st->opindex,
								  edata->message);
		ReThrowError(edata);
	}
	PG_END_TRY();
}

/* check one element of Operations and apply it to the working copy */
static void
apply_operation(PatchState *st, const ScimJson *op)
{
	const ScimJson *name;
	const ScimJson *path;
	const ScimJson *value;
	PatchTarget t;

	if (op == NULL || op->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "an operation must be a JSON object");

	name = ScimJsonGet(op, "op");
	if (name == NULL || name->type != SJ_STRING)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "\"op\" must be \"add\", \"remove\" or \"replace\"");
	if (scim_strcasecmp(name->str, "add") == 0)
		st->op = PATCH_ADD;
	else if (scim_strcasecmp(name->str, "remove") == 0)
		st->op = PATCH_REMOVE;
	else if (scim_strcasecmp(name->str, "replace") == 0)
		st->op = PATCH_REPLACE;
	else
		ScimError(SCIM_ERR_INVALID_SYNTAX, "unknown PATCH op \"%s\"",
				  name->str);

	path = ScimJsonGet(op, "path");
	if (path != NULL && path->type == SJ_NULL)
		path = NULL;
	if (path != NULL && path->type != SJ_STRING)
		ScimError(SCIM_ERR_INVALID_PATH, "\"path\" must be a string");
	if (path != NULL && path->len == 0)
		path = NULL;

	value = ScimJsonGet(op, "value");
	if (value == NULL && st->op != PATCH_REMOVE)
		ScimError(SCIM_ERR_INVALID_VALUE, "\"value\" is required for %s",
				  op_names[st->op]);

	if (path == NULL)
	{
		if (st->op == PATCH_REMOVE)
			ScimError(SCIM_ERR_NO_TARGET, "remove requires a \"path\"");
		apply_pathless(st, NULL, value);
		return;
	}
	resolve_path(st, path->str, NULL, &t);
	apply_target(st, &t, value);
}

/*
 * Parse path text and find what it addresses.  within is the extension
 * whose object holds the key being resolved (a path-less value's
 * extension object), or NULL for the resource's top level.
 */
static void
resolve_path(PatchState *st, const char *text, const ScimSchemaDef *within,
			 PatchTarget *t)
{
	ScimPatchPath pp;
	ScimParseError err;
	const ScimSchemaDef *schema;
	const char *subname;

	memset(t, 0, sizeof(PatchTarget));
	t->text = text;
	if (!ScimPatchPathParse(text, strlen(text), &pp, &err))
		ScimError(err.code == SCIM_PARSE_INVALID_FILTER ||
				  err.code == SCIM_PARSE_TOO_DEEP ?
				  SCIM_ERR_INVALID_FILTER : SCIM_ERR_INVALID_PATH,
				  "invalid path \"%s\": %s", text, err.message);

	if (pp.attr.urn != NULL)
	{
		schema = ScimResourceFindSchema(st->rt, pp.attr.urn);
		if (schema == NULL)
		{
			/* the path may be a schema URN itself (split at its last ':') */
			schema = ScimResourceFindSchema(st->rt,
											psprintf("%s:%s", pp.attr.urn,
													 pp.attr.attr));
			if (schema == NULL)
				ScimError(SCIM_ERR_INVALID_PATH,
						  "path \"%s\" names an unknown schema", text);
			if (pp.attr.sub != NULL || pp.filter != NULL || within != NULL)
				ScimError(SCIM_ERR_INVALID_PATH, "invalid path \"%s\"", text);
			t->kind = (schema == st->rt->schema) ? PT_RESOURCE : PT_EXTENSION;
			t->schema = schema;
			t->label = schema->urn;
			return;
		}
		if (within != NULL && schema != within)
			ScimError(SCIM_ERR_INVALID_PATH,
					  "attribute \"%s\" is not in schema %s", text,
					  within->urn);
	}
	else
		schema = within ? within : st->rt->schema;

	if (schema == st->rt->schema && ScimIsMetaOrSchemas(pp.attr.attr))
	{
		t->kind = PT_COMMON;
		t->common = scim_strcasecmp(pp.attr.attr, "meta") == 0 ?
			"meta" : "schemas";
		t->label = (pp.attr.sub != NULL || pp.filter != NULL) ? text : t->common;
		return;
	}

	t->kind = PT_ATTRIBUTE;
	t->schema = schema;
	t->attr = ScimSchemaFindAttr(schema, pp.attr.attr);
	if (t->attr == NULL)
		ScimError(SCIM_ERR_INVALID_PATH, "unknown attribute \"%s\" in path \"%s\"",
				  pp.attr.attr, text);

	if (pp.filter != NULL)
	{
		if (!t->attr->multiValued)
			ScimError(SCIM_ERR_INVALID_PATH,
					  "attribute \"%s\" is not multi-valued and cannot be filtered",
					  t->attr->name);
		ScimFilterCheckValue(pp.filter, t->attr);
		t->filter = pp.filter;
	}

	subname = pp.attr.sub ? pp.attr.sub : pp.subattr;
	if (subname != NULL)
	{
		if (t->attr->type != SAT_COMPLEX)
			ScimError(SCIM_ERR_INVALID_PATH,
					  "attribute \"%s\" has no sub-attributes", t->attr->name);
		t->sub = ScimAttrFindSub(t->attr, subname);
		if (t->sub == NULL)
			ScimError(SCIM_ERR_INVALID_PATH,
					  "attribute \"%s\" has no sub-attribute \"%s\"",
					  t->attr->name, subname);
		t->label = psprintf("%s.%s", t->attr->name, t->sub->name);
	}
	else
		t->label = t->attr->name;
}

/* apply the current operation to a resolved target */
static void
apply_target(PatchState *st, PatchTarget *t, const ScimJson *value)
{
	switch (t->kind)
	{
		case PT_RESOURCE:
			if (st->op == PATCH_REMOVE)
				ScimError(SCIM_ERR_INVALID_PATH,
						  "path \"%s\" addresses the whole resource, which cannot be removed",
						  t->text);
			apply_pathless(st, NULL, value);
			break;
		case PT_EXTENSION:
			apply_extension(st, t, value);
			break;
		case PT_COMMON:
			apply_common(st, t, value);
			break;
		case PT_ATTRIBUTE:
			apply_attribute(st, t, value);
			break;
	}
}

/*
 * add or replace without a path: every key of the value object is a path
 * (AD1, RP1).  within is set for the object of an extension.
 */
static void
apply_pathless(PatchState *st, const ScimSchemaDef *within,
			   const ScimJson *value)
{
	int			i;

	if (value == NULL || value->type != SJ_OBJECT)
	{
		if (within != NULL)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "the value of extension \"%s\" must be an object",
					  within->urn);
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "without a \"path\", \"value\" must be an object of attributes");
	}

	for (i = 0; i < value->count; i++)
	{
		PatchTarget t;

		CHECK_FOR_INTERRUPTS();
		WORK(1);
		/* readOnly echoes of the whole resource: ignored */
		if (within == NULL && ScimIsMetaOrSchemas(value->keys[i]))
			continue;
		resolve_path(st, value->keys[i], within, &t);
		apply_target(st, &t, value->items[i]);
	}
}

/* an operation on a whole extension object */
static void
apply_extension(PatchState *st, PatchTarget *t, const ScimJson *value)
{
	if (st->op == PATCH_REMOVE || value->type == SJ_NULL)
	{
		ScimJsonRemove(st->doc, t->schema->urn);
		return;
	}
	apply_pathless(st, t->schema, value);
}

/* "meta" and "schemas" are the server's: only an identical echo passes */
static void
apply_common(PatchState *st, PatchTarget *t, const ScimJson *value)
{
	if (st->op != PATCH_REMOVE && strcmp(t->label, t->common) == 0 &&
		value_same(NULL, ScimJsonGet(st->doc, t->common), value))
		return;
	ScimError(SCIM_ERR_MUTABILITY, "attribute \"%s\" is readOnly", t->common);
}

/* an operation on an attribute, or on a sub-attribute or values of it */
static void
apply_attribute(PatchState *st, PatchTarget *t, const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	bool		whole = (t->sub == NULL && t->filter == NULL);
	ScimJson   *container;
	ScimJson   *cur;

	if (is_group_members(st, t))
	{
		call_members_hook(st, t, value);
		return;
	}

	container = container_for(st, t->schema, st->op != PATCH_REMOVE);
	cur = container ? ScimJsonGet(container, attr->name) : NULL;

	/* mutability and required (M4, RM6) */
	if (attr->mutability == SM_READONLY)
	{
		if (st->op != PATCH_REMOVE && whole && value_same(attr, cur, value))
			return;
		ScimError(SCIM_ERR_MUTABILITY, "attribute \"%s\" is readOnly",
				  attr->name);
	}
	if (t->sub != NULL && t->sub->mutability == SM_READONLY &&
		st->op == PATCH_REMOVE)
		ScimError(SCIM_ERR_MUTABILITY, "attribute \"%s\" is readOnly",
				  t->label);
	if (attr->required && whole)
	{
		if (st->op == PATCH_REMOVE)
			ScimError(SCIM_ERR_MUTABILITY,
					  "attribute \"%s\" is required and cannot be removed",
					  attr->name);
		if (ScimJsonIsEmpty(value))
			ScimError(SCIM_ERR_INVALID_VALUE, "attribute \"%s\" is required",
					  attr->name);
	}
	if (attr->mutability == SM_IMMUTABLE && whole && !attr->multiValued &&
		!ScimJsonIsEmpty(cur) &&
		(st->op == PATCH_REMOVE ||
		 !value_same(attr, cur, ScimCoerceValue(attr, value, attr->name))))
		ScimError(SCIM_ERR_MUTABILITY,
				  "attribute \"%s\" is immutable and already set", attr->name);

	if (st->op == PATCH_REMOVE && container == NULL)
		return;					/* the extension is not there at all */

	if (attr->multiValued)
		apply_multi(st, t, container, value);
	else if (t->sub != NULL)
		apply_complex_sub(st, t, container, value);
	else
		apply_single(st, t, container, value);
}

/* is t the members of a Group, which the caller's hook manages? */
static bool
is_group_members(PatchState *st, PatchTarget *t)
{
	return st->rt->kind == SCIM_RES_GROUP &&
		st->hooks != NULL && st->hooks->members != NULL &&
		t->schema == st->rt->schema &&
		scim_strcasecmp(t->attr->name, "members") == 0;
}

/* hand an operation on a Group's members to the caller */
static void
call_members_hook(PatchState *st, PatchTarget *t, const ScimJson *value)
{
	if (t->sub != NULL)
		ScimError(SCIM_ERR_MUTABILITY,
				  "attribute \"%s\" is %s: members are added and removed, not edited",
				  t->label, ScimMutabilityName(t->sub->mutability));
	st->hooks->members(st->hooks->arg, op_names[st->op], t->filter, NULL,
					   value ? ScimJsonCopy(value) : NULL, st->opindex);
}

/*
 * The object holding the attributes of schema: the document itself, or
 * the extension object under its URN (created when create is set).
 */
static ScimJson *
container_for(PatchState *st, const ScimSchemaDef *schema, bool create)
{
	ScimJson   *obj;

	if (schema == st->rt->schema)
		return st->doc;
	obj = ScimJsonGet(st->doc, schema->urn);
	if (obj != NULL && obj->type == SJ_OBJECT)
		return obj;
	if (!create)
		return NULL;
	obj = ScimJsonNew(SJ_OBJECT);
	ScimJsonSet(st->doc, schema->urn, obj);
	return obj;
}

/* add, replace or remove a whole single-valued attribute (simple or complex) */
static void
apply_single(PatchState *st, PatchTarget *t, ScimJson *container,
			 const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	ScimJson   *cv;

	if (st->op == PATCH_REMOVE)
	{
		ScimJsonRemove(container, attr->name);
		return;
	}

	if (attr->type == SAT_COMPLEX && value->type != SJ_NULL)
	{
		/* AD3, RP4: merge the given sub-attributes */
		ScimJson   *obj = ScimJsonGet(container, attr->name);

		if (obj == NULL || obj->type != SJ_OBJECT)
		{
			obj = ScimJsonNew(SJ_OBJECT);
			ScimJsonSet(container, attr->name, obj);
		}
		merge_complex(st, attr, obj, value, attr->name);
		if (ScimJsonIsEmpty(obj))
			ScimJsonRemove(container, attr->name);
		return;
	}

	/* AD5, RP2; null or "" unassigns (RFC 7643 §2.5) */
	cv = ScimCoerceValue(attr, value, attr->name);
	if (cv == NULL)
		ScimJsonRemove(container, attr->name);
	else
		ScimJsonSet(container, attr->name, cv);
}

/* "complex.sub" of a single-valued complex attribute (name.givenName) */
static void
apply_complex_sub(PatchState *st, PatchTarget *t, ScimJson *container,
				  const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	ScimJson   *obj = ScimJsonGet(container, attr->name);

	if (st->op == PATCH_REMOVE)
	{
		if (obj != NULL && obj->type == SJ_OBJECT)
		{
			remove_sub(attr, t->sub, obj);
			if (ScimJsonIsEmpty(obj))
				ScimJsonRemove(container, attr->name);
		}
		return;
	}

	if (obj == NULL || obj->type != SJ_OBJECT)
	{
		obj = ScimJsonNew(SJ_OBJECT);
		ScimJsonSet(container, attr->name, obj);
	}
	set_sub(attr, t->sub, obj, ScimCoerceValue(t->sub, value, t->label));
	if (ScimJsonIsEmpty(obj))
		ScimJsonRemove(container, attr->name);
}

/* an operation on a multi-valued attribute, then primary and emptiness */
static void
apply_multi(PatchState *st, PatchTarget *t, ScimJson *container,
			const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	ScimJson   *arr = ScimJsonGet(container, attr->name);
	PrimarySnapshot snap;

	if (arr == NULL || arr->type == SJ_NULL)
	{
		if (st->op == PATCH_REMOVE)
			return;
		arr = ScimJsonNew(SJ_ARRAY);
		ScimJsonSet(container, attr->name, arr);
	}
	else if (arr->type != SJ_ARRAY)
	{
		/* a lone value stored for a multi-valued attribute */
		ScimJson   *wrap = ScimJsonNew(SJ_ARRAY);

		ScimJsonAppend(wrap, arr);
		arr = wrap;
		ScimJsonSet(container, attr->name, arr);
	}

	snapshot_primary(arr, &snap);
	if (t->filter != NULL)
		multi_filtered(st, t, arr, value);
	else if (t->sub != NULL)
		multi_sub_all(st, t, arr, value);
	else
		multi_whole(st, t, arr, value);
	fix_primary(arr, &snap);
	check_count(attr, arr);

	if (arr->count == 0)
		ScimJsonRemove(container, attr->name);
}

/* add (append new values), replace (all) or remove (all or listed) */
static void
multi_whole(PatchState *st, PatchTarget *t, ScimJson *arr,
			const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	ScimJson   *cv;
	ElemSet		set;
	int			i;

	switch (st->op)
	{
		case PATCH_ADD:
		case PATCH_REPLACE:
			/* AD4, AD6: append what is not there yet; RP3: all replaced */
			cv = ScimCoerceValue(attr, value, attr->name);
			if (st->op == PATCH_REPLACE)
				arr->count = 0;
			set_of_values(&set, attr, arr);
			for (i = 0; cv != NULL && i < cv->count; i++)
			{
				uint32		h = element_hash(attr, cv->items[i]);

				CHECK_FOR_INTERRUPTS();
				if (set_find(&set, h, element_equal, attr, cv->items[i]) != NULL)
					continue;
				ScimJsonAppend(arr, cv->items[i]);
				set_add(&set, h, cv->items[i]);
			}
			break;
		case PATCH_REMOVE:
			/* RM3, or RM7 with a list of values */
			if (value == NULL || value->type == SJ_NULL)
				arr->count = 0;
			else
				remove_listed(st, t, arr, value);
			break;
	}
}

/* "multi.sub" without a filter: that sub-attribute of every value */
static void
multi_sub_all(PatchState *st, PatchTarget *t, ScimJson *arr,
			  const ScimJson *value)
{
	ScimJson   *cv;
	int			i;

	if (st->op == PATCH_REMOVE)
	{
		for (i = 0; i < arr->count; i++)
		{
			CHECK_FOR_INTERRUPTS();
			WORK(1);
			if (arr->items[i]->type == SJ_OBJECT)
				remove_sub(t->attr, t->sub, arr->items[i]);
		}
		drop_empty_values(arr);
		return;
	}

	cv = ScimCoerceValue(t->sub, value, t->label);
	charge_copies(st, arr->count, cv);
	if (arr->count == 0)
	{
		/* nothing to set it on yet: the path creates the value (RP5) */
		if (cv != NULL)
		{
			ScimJson   *elem = ScimJsonNew(SJ_OBJECT);

			set_sub(t->attr, t->sub, elem, cv);
			ScimJsonAppend(arr, elem);
		}
		return;
	}
	for (i = 0; i < arr->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		WORK(1);
		if (arr->items[i]->type == SJ_OBJECT)
			set_sub(t->attr, t->sub, arr->items[i],
					cv ? ScimJsonCopy(cv) : NULL);
	}
	drop_empty_values(arr);
}

/* "multi[filter]" and "multi[filter].sub" */
static void
multi_filtered(PatchState *st, PatchTarget *t, ScimJson *arr,
			   const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	int		   *match = palloc(sizeof(int) * (arr->count + 1));
	int			nmatch = 0;
	int			i;

	for (i = 0; i < arr->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		WORK(1);
		if (ScimFilterMatchValue(t->filter, arr->items[i], attr))
			match[nmatch++] = i;
	}

	if (nmatch == 0)
	{
		const char *type = typed_filter_value(t);

		if (st->op == PATCH_REMOVE)
			return;				/* RM4: nothing matches, nothing to remove */
		if (type != NULL &&
			(st->op == PATCH_ADD || PATCH_REPLACE_MISSING_TYPED_AS_ADD))
		{
			add_typed_record(st, t, arr, type, value);	/* AD7 */
			return;
		}
		ScimError(SCIM_ERR_NO_TARGET,
				  "no value of \"%s\" matches the filter of path \"%s\"",
				  attr->name, t->text);
	}

	if (st->op == PATCH_REMOVE)
	{
		/* RM4, RM5 */
		bool	   *drop = palloc0(sizeof(bool) * (arr->count + 1));

		for (i = 0; i < nmatch; i++)
		{
			CHECK_FOR_INTERRUPTS();
			WORK(1);
			if (t->sub == NULL)
				drop[match[i]] = true;
			else if (arr->items[match[i]]->type == SJ_OBJECT)
				remove_sub(attr, t->sub, arr->items[match[i]]);
		}
		compact(arr, drop);
		drop_empty_values(arr);
		return;
	}

	if (t->sub != NULL)
	{
		/* RP7: set the sub-attribute on every match */
		ScimJson   *cv = ScimCoerceValue(t->sub, value, t->label);

		charge_copies(st, nmatch, cv);
		for (i = 0; i < nmatch; i++)
		{
			CHECK_FOR_INTERRUPTS();
			WORK(1);
			if (arr->items[match[i]]->type == SJ_OBJECT)
				set_sub(attr, t->sub, arr->items[match[i]],
						cv ? ScimJsonCopy(cv) : NULL);
		}
		drop_empty_values(arr);
		return;
	}

	if (st->op == PATCH_ADD)
	{
		/* add to matching records: merge the value into each */
		const ScimJson *sv = single_value(t, value);

		if (sv == NULL)
			return;
		charge_copies(st, nmatch, sv);
		for (i = 0; i < nmatch; i++)
		{
			CHECK_FOR_INTERRUPTS();
			WORK(1);
			if (arr->items[match[i]]->type == SJ_OBJECT)
				merge_complex(st, attr, arr->items[match[i]], sv, attr->name);
		}
		drop_empty_values(arr);
		return;
	}

	/* RP6: replace every matching record with the value */
	{
		const ScimJson *sv = single_value(t, value);
		ScimJson   *cv = sv ? ScimCoerceValue(attr, sv, attr->name) : NULL;
		ScimJson   *rec = (cv != NULL && cv->count > 0) ? cv->items[0] : NULL;
		int			s;

		bool	   *drop = palloc0(sizeof(bool) * (arr->count + 1));

		for (i = 0; i < nmatch; i++)
		{
			const ScimJson *old = arr->items[match[i]];

			CHECK_FOR_INTERRUPTS();
			WORK(1);
			/* immutable sub-attributes must survive the replacement */
			for (s = 0; s < attr->nsub; s++)
			{
				const ScimAttrDef *sub = &attr->subAttributes[s];
				const ScimJson *ov;

				if (sub->mutability != SM_IMMUTABLE)
					continue;
				ov = old->type == SJ_OBJECT ? ScimJsonGet(old, sub->name) : NULL;
				if (!ScimJsonIsEmpty(ov) &&
					!scalar_equal(sub, ov, rec ? ScimJsonGet(rec, sub->name) : NULL))
					ScimError(SCIM_ERR_MUTABILITY,
							  "attribute \"%s.%s\" is immutable",
							  attr->name, sub->name);
			}
		}
		/* the matches all become the same record: keep it once */
		for (i = 1; i < nmatch; i++)
			drop[match[i]] = true;
		if (rec == NULL)
			drop[match[0]] = true;
		else
			arr->items[match[0]] = rec;
		compact(arr, drop);
	}
}

/*
 * AD7: an add through 'type eq "x"' that matched nothing appends a new
 * record of that type (Entra ID's emails[type eq "work"].value).
 */
static void
add_typed_record(PatchState *st, PatchTarget *t, ScimJson *arr,
				 const char *type, const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	const ScimAttrDef *tdef = ScimAttrFindSub(attr, "type");
	ScimJson   *elem = ScimJsonNew(SJ_OBJECT);

	if (t->sub != NULL)
		set_sub(attr, t->sub, elem, ScimCoerceValue(t->sub, value, t->label));
	else
	{
		const ScimJson *sv = single_value(t, value);

		if (sv != NULL)
			merge_complex(st, attr, elem, sv, attr->name);
	}
	if (ScimJsonIsEmpty(elem))
		return;					/* nothing to add */
	if (ScimJsonIsEmpty(ScimJsonGet(elem, "type")))
		ScimJsonSet(elem, tdef->name, ScimJsonMakeString(type));
	if (!contains_value(attr, arr, elem))
		ScimJsonAppend(arr, elem);
}

/*
 * RM7: remove only the listed values.  An item with a "value" removes the
 * values whose "value" equals it; any other item removes equal records.
 * The items go into two hash sets first, then one pass over arr drops
 * what matches either: the same result as removing item by item.
 */
static void
remove_listed(PatchState *st, PatchTarget *t, ScimJson *arr,
			  const ScimJson *value)
{
	const ScimAttrDef *attr = t->attr;
	const ScimAttrDef *vdef = attr->type == SAT_COMPLEX ?
	ScimAttrFindSub(attr, "value") : NULL;
	int			n = value->type == SJ_ARRAY ? value->count : 1;
	ElemSet		keys;
	ElemSet		records;
	bool	   *drop;
	int			i;

	set_init(&keys, n);
	set_init(&records, n);
	for (i = 0; i < n; i++)
	{
		const ScimJson *item = value->type == SJ_ARRAY ? value->items[i] : value;
		const ScimJson *key = (vdef != NULL && item->type == SJ_OBJECT) ?
		ScimJsonGet(item, "value") : NULL;

		CHECK_FOR_INTERRUPTS();
		WORK(1);
		if (ScimJsonIsEmpty(item))
			continue;
		if (!ScimJsonIsEmpty(key))
			set_add(&keys, scalar_hash(vdef, key), key);
		else
		{
			ScimJson   *cv = ScimCoerceValue(attr, item, attr->name);

			if (cv == NULL || cv->count == 0)
				continue;
			set_add(&records, element_hash(attr, cv->items[0]), cv->items[0]);
		}
	}

	drop = palloc0(sizeof(bool) * (arr->count + 1));
	for (i = 0; i < arr->count; i++)
	{
		const ScimJson *elem = arr->items[i];

		CHECK_FOR_INTERRUPTS();
		WORK(1);
		if (keys.n > 0 && elem->type == SJ_OBJECT)
		{
			const ScimJson *ev = ScimJsonGet(elem, vdef->name);

			if (set_find(&keys, scalar_hash(vdef, ev), scalar_equal, vdef,
						 ev) != NULL)
				drop[i] = true;
		}
		if (!drop[i] && records.n > 0 &&
			set_find(&records, element_hash(attr, elem), element_equal, attr,
					 elem) != NULL)
			drop[i] = true;
	}
	compact(arr, drop);
	(void) st;
}

/*
 * The one record a value path takes: an object (or, for a complex
 * attribute with a "value", a bare string), or an array of exactly one;
 * NULL for null.
 */
static const ScimJson *
single_value(PatchTarget *t, const ScimJson *value)
{
	if (value == NULL || value->type == SJ_NULL)
		return NULL;
	if (value->type == SJ_ARRAY)
	{
		if (value->count == 1)
			return value->items[0];
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "path \"%s\" selects values of \"%s\": \"value\" must be one %s value",
				  t->text, t->attr->name, t->attr->name);
	}
	return value;
}

/*
 * Merge the sub-attributes of value into the complex object obj (AD3,
 * RP4).  null or "" for a sub-attribute unassigns it; readOnly
 * sub-attributes in the value are ignored, as on POST and PUT.
 */
static void
merge_complex(PatchState *st, const ScimAttrDef *def, ScimJson *obj,
			  const ScimJson *value, const char *label)
{
	const ScimJson *v = value;
	int			i;

	/* a bare string for a complex attribute means its "value" (manager) */
	if (v->type == SJ_STRING && ScimAttrFindSub(def, "value") != NULL)
	{
		ScimJson   *o = ScimJsonNew(SJ_OBJECT);

		ScimJsonSet(o, "value", ScimJsonCopy(v));
		v = o;
	}
	if (v->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_VALUE,
				  "attribute \"%s\" must be an object, not %s",
				  label, ScimJsonTypeName(v->type));

	for (i = 0; i < v->count; i++)
	{
		const ScimAttrDef *sub = ScimRequireSubAttr(def, v->keys[i], label);

		if (sub->mutability == SM_READONLY)
			continue;
		set_sub(def, sub, obj,
				ScimCoerceValue(sub, v->items[i],
								psprintf("%s.%s", label, sub->name)));
	}
}

/* set sub-attribute sub of obj to cv (NULL: unassign), minding mutability */
static void
set_sub(const ScimAttrDef *def, const ScimAttrDef *sub, ScimJson *obj,
		ScimJson *cv)
{
	const ScimJson *cur = ScimJsonGet(obj, sub->name);

	if (sub->mutability == SM_READONLY)
	{
		if (scalar_equal(sub, cur, cv))
			return;
		ScimError(SCIM_ERR_MUTABILITY, "attribute \"%s.%s\" is readOnly",
				  def->name, sub->name);
	}
	if (sub->mutability == SM_IMMUTABLE && !ScimJsonIsEmpty(cur) &&
		!scalar_equal(sub, cur, cv))
		ScimError(SCIM_ERR_MUTABILITY,
				  "attribute \"%s.%s\" is immutable and already set",
				  def->name, sub->name);
	if (cv == NULL)
		ScimJsonRemove(obj, sub->name);
	else
		ScimJsonSet(obj, sub->name, cv);
}

/* unassign sub-attribute sub of obj, minding mutability */
static void
remove_sub(const ScimAttrDef *def, const ScimAttrDef *sub, ScimJson *obj)
{
	const ScimJson *cur = ScimJsonGet(obj, sub->name);

	if (ScimJsonIsEmpty(cur))
	{
		ScimJsonRemove(obj, sub->name);
		return;
	}
	if (sub->mutability == SM_READONLY || sub->mutability == SM_IMMUTABLE)
		ScimError(SCIM_ERR_MUTABILITY, "attribute \"%s.%s\" is %s",
				  def->name, sub->name, ScimMutabilityName(sub->mutability));
	ScimJsonRemove(obj, sub->name);
}

/* drop the values of a multi-valued attribute that have become empty */
static void
drop_empty_values(ScimJson *arr)
{
	bool	   *drop = palloc0(sizeof(bool) * (arr->count + 1));
	int			i;

	for (i = 0; i < arr->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		WORK(1);
		drop[i] = ScimJsonIsEmpty(arr->items[i]);
	}
	compact(arr, drop);
}

/* remove from arr the values whose drop flag is set, in one pass */
static void
compact(ScimJson *arr, const bool *drop)
{
	int			i,
				k = 0;

	for (i = 0; i < arr->count; i++)
	{
		WORK(1);
		if (!drop[i])
			arr->items[k++] = arr->items[i];
	}
	arr->count = k;
}

/*
 * The "x" of a filter that is exactly 'type eq "x"' on an attribute with a
 * "type" sub-attribute, else NULL.
 */
static const char *
typed_filter_value(PatchTarget *t)
{
	const ScimFilterNode *f = t->filter;

	if (f != NULL && f->op == SCIM_FOP_EQ && f->vkind == SCIM_VAL_STRING &&
		f->path.attr != NULL && f->path.sub == NULL &&
		scim_strcasecmp(f->path.attr, "type") == 0 &&
		ScimAttrFindSub(t->attr, "type") != NULL &&
		f->valuelen > 0 && strlen(f->value) == f->valuelen)
		return f->value;
	return NULL;
}

/* is a value equal to elem already among the values in arr? */
static bool
contains_value(const ScimAttrDef *attr, const ScimJson *arr,
			   const ScimJson *elem)
{
	int			i;

	for (i = 0; i < arr->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		WORK(1);
		if (element_equal(attr, arr->items[i], elem))
			return true;
	}
	return false;
}

/*
 * Are two values of multi-valued attr the same?  Complex values compare
 * sub-attribute by sub-attribute, each with its own caseExact; an absent
 * boolean equals false.
 */
static bool
element_equal(const ScimAttrDef *attr, const ScimJson *a, const ScimJson *b)
{
	int			i;

	if (attr->type != SAT_COMPLEX || a->type != SJ_OBJECT ||
		b->type != SJ_OBJECT)
		return scalar_equal(attr, a, b);

	for (i = 0; i < a->count; i++)
		if (!scalar_equal(ScimAttrFindSub(attr, a->keys[i]), a->items[i],
						  ScimJsonGet(b, a->keys[i])))
			return false;
	for (i = 0; i < b->count; i++)
		if (ScimJsonIndex(a, b->keys[i]) < 0 &&
			!scalar_equal(ScimAttrFindSub(attr, b->keys[i]), NULL,
						  b->items[i]))
			return false;
	return true;
}

/* are two simple values of def equal?  (def may be NULL: caseExact false) */
static bool
scalar_equal(const ScimAttrDef *def, const ScimJson *a, const ScimJson *b)
{
	bool		ea = ScimJsonIsEmpty(a);
	bool		eb = ScimJsonIsEmpty(b);

	if (def != NULL && def->type == SAT_BOOLEAN)
	{
		bool		x = false,
					y = false;

		if ((!ea && !ScimCoerceBoolean(a, &x)) ||
			(!eb && !ScimCoerceBoolean(b, &y)))
			return ScimJsonEqual(a, b, true);
		return x == y;
	}
	if (ea || eb)
		return ea && eb;
	return ScimJsonEqual(a, b, def ? def->caseExact : false);
}

/*
 * Is a (the current value of def) the same as b?  Unassigned values are
 * all the same; multi-valued values compare as sets.  def NULL means a
 * common attribute, compared exactly.
 */
static bool
value_same(const ScimAttrDef *def, const ScimJson *a, const ScimJson *b)
{
	bool		ea = ScimJsonIsEmpty(a);
	bool		eb = ScimJsonIsEmpty(b);
	int			i;

	if (ea || eb)
		return ea && eb;
	if (def == NULL)
		return ScimJsonEqual(a, b, true);
	if (def->multiValued)
	{
		ScimJson   *x = ScimJsonNew(SJ_ARRAY);
		ScimJson   *y = ScimJsonNew(SJ_ARRAY);
		ElemSet		xs;
		ElemSet		ys;

		if (a->type == SJ_ARRAY)
			x = (ScimJson *) a;
		else
			ScimJsonAppend(x, (ScimJson *) a);
		if (b->type == SJ_ARRAY)
			y = (ScimJson *) b;
		else
			ScimJsonAppend(y, (ScimJson *) b);
		if (x->count != y->count)
			return false;
		set_of_values(&xs, def, x);
		set_of_values(&ys, def, y);
		for (i = 0; i < x->count; i++)
		{
			CHECK_FOR_INTERRUPTS();
			if (set_find(&ys, element_hash(def, x->items[i]), element_equal,
						 def, x->items[i]) == NULL ||
				set_find(&xs, element_hash(def, y->items[i]), element_equal,
						 def, y->items[i]) == NULL)
				return false;
		}
		return true;
	}
	if (def->type == SAT_COMPLEX)
		return element_equal(def, a, b);
	return scalar_equal(def, a, b);
}

/* remember which values of arr are primary now */
static void
snapshot_primary(ScimJson *arr, PrimarySnapshot *snap)
{
	int			i;

	set_init(&snap->set, 1);
	for (i = 0; i < arr->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		WORK(1);
		if (is_primary(arr->items[i]))
			set_add(&snap->set, pointer_hash(arr->items[i]), arr->items[i]);
	}
}

/*
 * M5: if a value became primary, the others that are primary stop being
 * so.  When several became primary at once, the first one wins.
 */
static void
fix_primary(ScimJson *arr, const PrimarySnapshot *snap)
{
	ScimJson   *winner = NULL;
	int			i;

	for (i = 0; i < arr->count && winner == NULL; i++)
	{
		CHECK_FOR_INTERRUPTS();
		WORK(1);
		if (is_primary(arr->items[i]) &&
			set_find(&snap->set, pointer_hash(arr->items[i]), pointer_equal,
					 NULL, arr->items[i]) == NULL)
			winner = arr->items[i];
	}
	if (winner == NULL)
		return;
	for (i = 0; i < arr->count; i++)
	{
		WORK(1);
		if (arr->items[i] != winner && is_primary(arr->items[i]))
			ScimJsonSet(arr->items[i], "primary", ScimJsonMakeBool(false));
	}
}

/* does a value of a multi-valued attribute say "primary": true? */
static bool
is_primary(const ScimJson *elem)
{
	const ScimJson *p;
	bool		b;

	if (elem->type != SJ_OBJECT)
		return false;
	p = ScimJsonGet(elem, "primary");
	return p != NULL && ScimCoerceBoolean(p, &b) && b;
}

/* an empty set sized for about expected values */
static void
set_init(ElemSet *set, int expected)
{
	int			cap = 16;

	while (cap < 2 * expected + 8)
		cap *= 2;
	set->cap = cap;
	set->n = 0;
	set->hashes = palloc(sizeof(uint32) * cap);
	set->elems = palloc0(sizeof(const ScimJson *) * cap);
}

/* put elem (whose hash is h) into set, growing it when half full */
static void
set_add(ElemSet *set, uint32 h, const ScimJson *elem)
{
	int			i;

	if (2 * (set->n + 1) > set->cap)
	{
		ElemSet		big;

		set_init(&big, set->cap);
		for (i = 0; i < set->cap; i++)
		{
			WORK(1);
			if (set->elems[i] != NULL)
				set_add(&big, set->hashes[i], set->elems[i]);
		}
		pfree(set->hashes);
		pfree(set->elems);
		*set = big;
	}
	for (i = h & (set->cap - 1); set->elems[i] != NULL; i = (i + 1) & (set->cap - 1))
		WORK(1);
	set->hashes[i] = h;
	set->elems[i] = elem;
	set->n++;
}

/* a member of set that eq calls equal to v (whose hash is h), or NULL */
static const ScimJson *
set_find(const ElemSet *set, uint32 h, ElemEqual eq, const ScimAttrDef *def,
		 const ScimJson *v)
{
	int			i;

	for (i = h & (set->cap - 1); set->elems[i] != NULL; i = (i + 1) & (set->cap - 1))
	{
		WORK(1);
		if (set->hashes[i] == h && eq(def, set->elems[i], v))
			return set->elems[i];
	}
	WORK(1);
	return NULL;
}

/* a set of the values of arr, for element_equal */
static void
set_of_values(ElemSet *set, const ScimAttrDef *attr, const ScimJson *arr)
{
	int			i;

	set_init(set, arr->count);
	for (i = 0; i < arr->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		set_add(set, element_hash(attr, arr->items[i]), arr->items[i]);
	}
}

/* FNV-1a of s[0..len), ASCII letters folded to lower case unless exact */
static uint32
bytes_hash(const char *s, size_t len, bool exact)
{
	uint32		h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!exact && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	WORK(1 + len / 64);
	return h;
}

/* a hash of v that agrees with ScimJsonEqual(.., caseExact) */
static uint32
json_hash(const ScimJson *v, bool caseExact)
{
	uint32		h;
	int			i;

	if (v == NULL)
		return 0;
	switch (v->type)
	{
		case SJ_NULL:
			return 1;
		case SJ_BOOL:
			return v->boolean ? 3 : 2;
		case SJ_NUMBER:
			return hash_combine(4, bytes_hash(v->str, v->len, true));
		case SJ_STRING:
			return hash_combine(5, bytes_hash(v->str, v->len, caseExact));
		case SJ_ARRAY:
			h = 6;
			for (i = 0; i < v->count; i++)
				h = hash_combine(h, json_hash(v->items[i], caseExact));
			return h;
		case SJ_OBJECT:
			/* members in any order: a sum of the members' hashes */
			h = 7;
			for (i = 0; i < v->count; i++)
				h += hash_combine(bytes_hash(v->keys[i], strlen(v->keys[i]), false),
								  json_hash(v->items[i], caseExact));
			return h;
	}
	return 0;
}

/* a hash of simple value v of def that agrees with scalar_equal() */
static uint32
scalar_hash(const ScimAttrDef *def, const ScimJson *v)
{
	bool		b;

	if (ScimJsonIsEmpty(v))
		return 0x51;
	if (def != NULL && def->type == SAT_BOOLEAN)
	{
		if (ScimCoerceBoolean(v, &b))
			return b ? 0x53 : 0x52;
		return json_hash(v, true);
	}
	return json_hash(v, def ? def->caseExact : false);
}

/*
 * A hash of value v of multi-valued attr that agrees with element_equal():
 * for complex values, a sum over the sub-attributes that are assigned (an
 * absent or false boolean counts as unassigned, as there).
 */
static uint32
element_hash(const ScimAttrDef *attr, const ScimJson *v)
{
	uint32		sum = 0;
	int			i;

	if (attr->type != SAT_COMPLEX)
		return scalar_hash(attr, v);
	if (v->type != SJ_OBJECT && !ScimJsonIsEmpty(v))
		return json_hash(v, attr->caseExact);
	for (i = 0; v->type == SJ_OBJECT && i < v->count; i++)
	{
		const ScimAttrDef *sub = ScimAttrFindSub(attr, v->keys[i]);
		const ScimJson *m = v->items[i];
		bool		b;

		if (ScimJsonIsEmpty(m))
			continue;
		if (sub != NULL && sub->type == SAT_BOOLEAN &&
			ScimCoerceBoolean(m, &b) && !b)
			continue;
		sum += hash_combine(bytes_hash(v->keys[i], strlen(v->keys[i]), false),
							scalar_hash(sub, m));
	}
	return murmurhash32(sum);
}

/* a hash of the address of v */
static uint32
pointer_hash(const ScimJson *v)
{
	return hash_bytes_uint32((uint32) ((uintptr_t) v >> 3));
}

/* the same value, by address */
static bool
pointer_equal(const ScimAttrDef *def, const ScimJson *a, const ScimJson *b)
{
	(void) def;
	return a == b;
}

/* the size of v written as compact JSON, about (escapes not counted) */
static int64
json_bytes(const ScimJson *v)
{
	int64		n;
	int			i;

	if (v == NULL)
		return 0;
	switch (v->type)
	{
		case SJ_NULL:
		case SJ_BOOL:
			return 5;
		case SJ_NUMBER:
			return v->len;
		case SJ_STRING:
			return v->len + 2;
		case SJ_ARRAY:
		case SJ_OBJECT:
			n = 2;
			for (i = 0; i < v->count; i++)
			{
				CHECK_FOR_INTERRUPTS();
				WORK(1);
				n += json_bytes(v->items[i]) + 1;
				if (v->type == SJ_OBJECT)
					n += strlen(v->keys[i]) + 3;
			}
			return n;
	}
	return 0;
}

/*
 * One operation is about to copy value into n records: charge the bytes
 * against the PATCH's budget (max_payload_bytes for all operations
 * together), payloadTooLarge before anything is copied when it is spent.
 */
static void
charge_copies(PatchState *st, int64 n, const ScimJson *value)
{
	int64		bytes;

	if (value == NULL || n <= 1)
		return;
	bytes = n * json_bytes(value);
	st->copied += bytes;
	if (st->copied > scim_limits.max_resource_bytes)
		ScimError(SCIM_ERR_TOO_LARGE,
				  "the PATCH would copy %lld bytes into %lld values, more than max_payload_bytes (%d) allows",
				  (long long) bytes, (long long) n,
				  scim_limits.max_resource_bytes);
}

/* invalidValue when arr holds more values than the tenant allows */
static void
check_count(const ScimAttrDef *attr, const ScimJson *arr)
{
	ScimCheckMultiCount(attr, arr->count, attr->name);
}
