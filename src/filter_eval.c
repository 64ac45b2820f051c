/*-------------------------------------------------------------------------
 *
 * filter_eval.c
 *	  Evaluating the filter of a value path ("emails[type eq \"work\"]")
 *	  against one value of a multi-valued complex attribute.
 *
 * The PATCH engine selects values with these functions (RFC 7644 §3.5.2);
 * the filter was parsed by filter_parse.c.  Inside the brackets attribute
 * names are relative to the multi-valued attribute and are looked up
 * case-insensitively among its sub-attributes; an unknown name, an
 * operator that does not fit the sub-attribute's type (gt on a boolean,
 * co on a number) or a comparison value of the wrong JSON kind
 * ("primary eq \"x\"") is invalidFilter (RFC 7644 §3.4.2.2).
 *
 * Comparison rules:
 *	- strings and references compare case-insensitively unless the
 *	  sub-attribute is caseExact; only ASCII letters fold, the other
 *	  UTF-8 bytes compare as they are.  gt/ge/lt/le are lexicographic
 *	  over the (folded) bytes.
 *	- "co" is a Knuth-Morris-Pratt search over the (folded) bytes: time
 *	  linear in the lengths of the value and the pattern, never their
 *	  product, whatever a client puts in either.
 *	- dateTime values compare as plain strings, byte for byte.  That
 *	  orders them correctly when both are written in the same zone in
 *	  the ISO form (e.g. both end in "Z"); mixed offsets are not
 *	  normalized.  Good enough for PATCH selectors.
 *	- numbers compare numerically (strtod).
 *	- booleans support eq and ne only.
 *	- "pr" is true when the sub-attribute is present and not empty;
 *	  "eq null" / "ne null" test for absence / presence.
 *	- an absent sub-attribute never satisfies eq, co, sw, ew, gt, ge,
 *	  lt or le, and always satisfies ne.
 *
 * A multi-valued attribute without sub-attributes (none exists in our
 * schemas) is treated as if each value were its own "value".
 *
 * src/filter_eval.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>

#include "miscadmin.h"

#include "error.h"
#include "filter.h"
#include "filter_eval.h"
#include "json.h"
#include "schema.h"
#include "validate.h"

/* forward declarations */
static const ScimAttrDef *resolve_sub(const ScimFilterNode *f,
									  const ScimAttrDef *attr);
static void check_comparison(const ScimFilterNode *f, const ScimAttrDef *attr);
static bool match_node(const ScimFilterNode *f, const ScimJson *elem,
					   const ScimAttrDef *attr);
static bool match_comparison(const ScimFilterNode *f, const ScimJson *elem,
							 const ScimAttrDef *attr);
static bool match_string(ScimFilterOp op, const char *a, size_t alen,
						 const char *b, size_t blen, bool fold);
static int	compare_bytes(const char *a, size_t alen, const char *b,
						  size_t blen, bool fold);
static unsigned char fold_byte(unsigned char c, bool fold);
static bool contains_bytes(const char *a, size_t alen, const char *b,
						   size_t blen, bool fold);


/* the sub-attribute of attr that comparison f names, or invalidFilter */
static const ScimAttrDef *
resolve_sub(const ScimFilterNode *f, const ScimAttrDef *attr)
{
	const ScimAttrDef *sub;

	if (f->path.attr == NULL || f->path.urn != NULL || f->path.sub != NULL)
		ScimError(SCIM_ERR_INVALID_FILTER,
				  "the filter of \"%s\" may only name its sub-attributes",
				  attr->name);
	if (attr->type != SAT_COMPLEX)
	{
		if (scim_strcasecmp(f->path.attr, "value") == 0)
			return attr;
		sub = NULL;
	}
	else
		sub = ScimAttrFindSub(attr, f->path.attr);
	if (sub == NULL)
		ScimError(SCIM_ERR_INVALID_FILTER,
				  "attribute \"%s\" has no sub-attribute \"%s\"",
				  attr->name, f->path.attr);
	return sub;
}

/* check that the operator and value of comparison f fit its sub-attribute */
static void
check_comparison(const ScimFilterNode *f, const ScimAttrDef *attr)
{
	const ScimAttrDef *sub = resolve_sub(f, attr);
	ScimFilterOp op = f->op;
	bool		ordering = (op == SCIM_FOP_GT || op == SCIM_FOP_GE ||
							op == SCIM_FOP_LT || op == SCIM_FOP_LE);
	bool		substring = (op == SCIM_FOP_CO || op == SCIM_FOP_SW ||
							 op == SCIM_FOP_EW);

	if (op == SCIM_FOP_PR)
		return;
	if (f->vkind == SCIM_VAL_NULL)
	{
		if (op != SCIM_FOP_EQ && op != SCIM_FOP_NE)
			ScimError(SCIM_ERR_INVALID_FILTER,
					  "operator \"%s\" cannot compare \"%s.%s\" with null",
					  ScimFilterOpName(op), attr->name, sub->name);
		return;
	}

	switch (sub->type)
	{
		case SAT_BOOLEAN:
			if (f->vkind != SCIM_VAL_TRUE && f->vkind != SCIM_VAL_FALSE)
				ScimError(SCIM_ERR_INVALID_FILTER,
						  "\"%s.%s\" is a boolean and must be compared with true or false",
						  attr->name, sub->name);
			if (ordering || substring)
				ScimError(SCIM_ERR_INVALID_FILTER,
						  "operator \"%s\" is not supported for the boolean \"%s.%s\"",
						  ScimFilterOpName(op), attr->name, sub->name);
			break;
		case SAT_INTEGER:
		case SAT_DECIMAL:
			if (f->vkind != SCIM_VAL_NUMBER)
				ScimError(SCIM_ERR_INVALID_FILTER,
						  "\"%s.%s\" is a number and must be compared with a number",
						  attr->name, sub->name);
			if (substring)
				ScimError(SCIM_ERR_INVALID_FILTER,
						  "operator \"%s\" is not supported for the number \"%s.%s\"",
						  ScimFilterOpName(op), attr->name, sub->name);
			break;
		case SAT_STRING:
		case SAT_REFERENCE:
		case SAT_BINARY:
		case SAT_DATETIME:
			if (f->vkind != SCIM_VAL_STRING)
				ScimError(SCIM_ERR_INVALID_FILTER,
						  "\"%s.%s\" is a %s and must be compared with a string",
						  attr->name, sub->name, ScimAttrTypeName(sub->type));
			break;
		case SAT_COMPLEX:
			ScimError(SCIM_ERR_INVALID_FILTER,
					  "\"%s.%s\" is complex and cannot be compared",
					  attr->name, sub->name);
	}
}

/*
 * ScimFilterCheckValue
 *		Raise invalidFilter unless value-path filter f is valid for the
 *		multi-valued attribute attr.
 */
void
ScimFilterCheckValue(const ScimFilterNode *f, const ScimAttrDef *attr)
{
	check_stack_depth();
	if (f == NULL)
		ScimError(SCIM_ERR_INVALID_FILTER, "empty filter for \"%s\"",
				  attr->name);
	switch (f->op)
	{
		case SCIM_FOP_AND:
		case SCIM_FOP_OR:
			ScimFilterCheckValue(f->left, attr);
			ScimFilterCheckValue(f->right, attr);
			break;
		case SCIM_FOP_NOT:
			ScimFilterCheckValue(f->left, attr);
			break;
		case SCIM_FOP_VALUEPATH:
			ScimError(SCIM_ERR_INVALID_FILTER,
					  "a value path cannot be nested inside the filter of \"%s\"",
					  attr->name);
			break;
		default:
			check_comparison(f, attr);
			break;
	}
}

/*
 * ScimFilterMatchValue
 *		Does value elem of the multi-valued attribute attr satisfy the
 *		value-path filter f?  Raises invalidFilter when f does not fit attr.
 */
bool
ScimFilterMatchValue(const ScimFilterNode *f, const ScimJson *elem,
					 const ScimAttrDef *attr)
{
	ScimFilterCheckValue(f, attr);
	return match_node(f, elem, attr);
}

/* evaluate an already checked filter node */
static bool
match_node(const ScimFilterNode *f, const ScimJson *elem,
		   const ScimAttrDef *attr)
{
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	switch (f->op)
	{
		case SCIM_FOP_AND:
			return match_node(f->left, elem, attr) &&
				match_node(f->right, elem, attr);
		case SCIM_FOP_OR:
			return match_node(f->left, elem, attr) ||
				match_node(f->right, elem, attr);
		case SCIM_FOP_NOT:
			return !match_node(f->left, elem, attr);
		case SCIM_FOP_VALUEPATH:
			return false;		/* rejected by the check */
		default:
			return match_comparison(f, elem, attr);
	}
}

/* evaluate one comparison (or pr) against elem */
static bool
match_comparison(const ScimFilterNode *f, const ScimJson *elem,
				 const ScimAttrDef *attr)
{
	const ScimAttrDef *sub = resolve_sub(f, attr);
	const ScimJson *v;
	bool		b;

	if (sub == attr)
		v = elem;
	else
		v = (elem != NULL && elem->type == SJ_OBJECT) ?
			ScimJsonGet(elem, sub->name) : NULL;

	if (f->op == SCIM_FOP_PR)
		return !ScimJsonIsEmpty(v);
	if (f->vkind == SCIM_VAL_NULL)
		return (f->op == SCIM_FOP_EQ) == ScimJsonIsEmpty(v);
	if (ScimJsonIsEmpty(v))
		return f->op == SCIM_FOP_NE;

	switch (sub->type)
	{
		case SAT_BOOLEAN:
			if (!ScimCoerceBoolean(v, &b))
				return f->op == SCIM_FOP_NE;
			return (f->op == SCIM_FOP_EQ) == (b == (f->vkind == SCIM_VAL_TRUE));
		case SAT_INTEGER:
		case SAT_DECIMAL:
			{
				double		x,
							y;

				if (v->type != SJ_NUMBER)
					return f->op == SCIM_FOP_NE;
				x = strtod(v->str, NULL);
				y = strtod(f->value, NULL);
				switch (f->op)
				{
					case SCIM_FOP_EQ:
						return x == y;
					case SCIM_FOP_NE:
						return x != y;
					case SCIM_FOP_GT:
						return x > y;
					case SCIM_FOP_GE:
						return x >= y;
					case SCIM_FOP_LT:
						return x < y;
					case SCIM_FOP_LE:
						return x <= y;
					default:
						return false;
				}
			}
		case SAT_STRING:
		case SAT_REFERENCE:
		case SAT_BINARY:
		case SAT_DATETIME:
			if (v->type != SJ_STRING)
				return f->op == SCIM_FOP_NE;
			return match_string(f->op, v->str, v->len, f->value, f->valuelen,
								!sub->caseExact && sub->type != SAT_DATETIME);
		case SAT_COMPLEX:
			break;
	}
	return false;
}

/* apply string operator op to attribute value a and filter value b */
static bool
match_string(ScimFilterOp op, const char *a, size_t alen,
			 const char *b, size_t blen, bool fold)
{
	switch (op)
	{
		case SCIM_FOP_EQ:
			return alen == blen && compare_bytes(a, alen, b, blen, fold) == 0;
		case SCIM_FOP_NE:
			return !(alen == blen && compare_bytes(a, alen, b, blen, fold) == 0);
		case SCIM_FOP_SW:
			return alen >= blen && compare_bytes(a, blen, b, blen, fold) == 0;
		case SCIM_FOP_EW:
			return alen >= blen &&
				compare_bytes(a + alen - blen, blen, b, blen, fold) == 0;
		case SCIM_FOP_CO:
			return contains_bytes(a, alen, b, blen, fold);
		case SCIM_FOP_GT:
			return compare_bytes(a, alen, b, blen, fold) > 0;
		case SCIM_FOP_GE:
			return compare_bytes(a, alen, b, blen, fold) >= 0;
		case SCIM_FOP_LT:
			return compare_bytes(a, alen, b, blen, fold) < 0;
		case SCIM_FOP_LE:
			return compare_bytes(a, alen, b, blen, fold) <= 0;
		default:
			return false;
	}
}

/*
 * Does a contain b (bytes, ASCII-folded when fold)?  Knuth-Morris-Pratt:
 * at most 2 * (alen + blen) byte comparisons.
 */
static bool
contains_bytes(const char *a, size_t alen, const char *b, size_t blen,
			   bool fold)
{
	size_t	   *fail;
	size_t		i,
				k;
	bool		found = false;

	if (blen == 0)
		return true;
	if (blen > alen)
		return false;

	/* fail[i]: length of the longest proper border of b[0..i] */
	fail = palloc(sizeof(size_t) * blen);
	fail[0] = 0;
	for (i = 1, k = 0; i < blen; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		while (k > 0 && fold_byte((unsigned char) b[i], fold) !=
			   fold_byte((unsigned char) b[k], fold))
			k = fail[k - 1];
		if (fold_byte((unsigned char) b[i], fold) ==
			fold_byte((unsigned char) b[k], fold))
			k++;
		fail[i] = k;
	}
	for (i = 0, k = 0; i < alen && !found; i++)
	{
		unsigned char c = fold_byte((unsigned char) a[i], fold);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		while (k > 0 && c != fold_byte((unsigned char) b[k], fold))
			k = fail[k - 1];
		if (c == fold_byte((unsigned char) b[k], fold))
			k++;
		if (k == blen)
			found = true;
	}
	pfree(fail);
	return found;
}

/* memcmp-style ordering of two byte strings, ASCII-folded when fold */
static int
compare_bytes(const char *a, size_t alen, const char *b, size_t blen,
			  bool fold)
{
	size_t		n = Min(alen, blen);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		unsigned char x = fold_byte((unsigned char) a[i], fold);
		unsigned char y = fold_byte((unsigned char) b[i], fold);

		if (x != y)
			return (int) x - (int) y;
	}
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

/* lower-case an ASCII letter when fold; other bytes are kept */
static unsigned char
fold_byte(unsigned char c, bool fold)
{
	if (fold && c >= 'A' && c <= 'Z')
		return (unsigned char) (c + ('a' - 'A'));
	return c;
}
