/*-------------------------------------------------------------------------
 *
 * json_out.c
 *	  Writing JSON trees, and converting them to and from jsonb.
 *
 * src/json_out.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "json.h"
#include "scim.h"

/* append s as a JSON string literal */
void
ScimJsonOutString(StringInfo buf, const char *s)
{
	escape_json(buf, s);
}

/* append v as compact JSON text */
void
ScimJsonOut(StringInfo buf, const ScimJson *v)
{
	int			i;

	check_stack_depth();
	if (v == NULL)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	switch (v->type)
	{
		case SJ_NULL:
			appendStringInfoString(buf, "null");
			break;
		case SJ_BOOL:
			appendStringInfoString(buf, v->boolean ? "true" : "false");
			break;
		case SJ_NUMBER:
			appendBinaryStringInfo(buf, v->str, v->len);
			break;
		case SJ_STRING:
			escape_json(buf, v->str);
			break;
		case SJ_ARRAY:
			appendStringInfoChar(buf, '[');
			for (i = 0; i < v->count; i++)
			{
				if (i > 0)
					appendStringInfoChar(buf, ',');
				ScimJsonOut(buf, v->items[i]);
			}
			appendStringInfoChar(buf, ']');
			break;
		case SJ_OBJECT:
			appendStringInfoChar(buf, '{');
			for (i = 0; i < v->count; i++)
			{
				if (i > 0)
					appendStringInfoChar(buf, ',');
				escape_json(buf, v->keys[i]);
				appendStringInfoChar(buf, ':');
				ScimJsonOut(buf, v->items[i]);
			}
			appendStringInfoChar(buf, '}');
			break;
	}
}

/* v as a palloc'd JSON string */
char *
ScimJsonToCString(const ScimJson *v)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ScimJsonOut(&buf, v);
	return buf.data;
}

/* v as a jsonb datum */
Datum
ScimJsonToJsonb(const ScimJson *v)
{
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(ScimJsonToCString(v)));
}

/* a jsonb scalar as a tree node; numbers keep numeric's text */
static ScimJson *
jsonb_scalar(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return ScimJsonNew(SJ_NULL);
		case jbvString:
			return ScimJsonMakeStringLen(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return ScimJsonMakeNumber(DatumGetCString(DirectFunctionCall1(numeric_out,
																		  NumericGetDatum(v->val.numeric))));
		case jbvBool:
			return ScimJsonMakeBool(v->val.boolean);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * The tree of a jsonb value, read with jsonb's iterator: the same tree as
 * parsing its text would give (keys in jsonb's order, numbers as numeric's
 * text), without writing and parsing the text.
 */
ScimJson *
ScimJsonFromJsonb(Jsonb *jb)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	ScimJson  **open = NULL;	/* the containers being filled */
	int			depth = 0;
	int			size = 0;
	ScimJson   *result = NULL;
	char	   *key = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		ScimJson   *node;

		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
				if (v.val.array.rawScalar)
					continue;	/* a lone scalar: its WJB_ELEM is the value */
				node = ScimJsonNew(SJ_ARRAY);
				break;
			case WJB_BEGIN_OBJECT:
				node = ScimJsonNew(SJ_OBJECT);
				break;
			case WJB_KEY:
				key = pnstrdup(v.val.string.val, v.val.string.len);
				continue;
			case WJB_VALUE:
			case WJB_ELEM:
				node = jsonb_scalar(&v);
				break;
			case WJB_END_ARRAY:
			case WJB_END_OBJECT:
				if (depth > 0)	/* else the end of a lone scalar */
					depth--;
				continue;
			default:
				elog(ERROR, "unexpected jsonb iterator token %d", (int) tok);
		}
		if (depth == 0)
			result = node;
		else
		{
			ScimJson   *parent = open[depth - 1];

			ScimJsonAppend(parent, node);
			if (parent->type == SJ_OBJECT)
				parent->keys[parent->count - 1] = key;
		}
		if (node->type == SJ_ARRAY || node->type == SJ_OBJECT)
		{
			if (depth == size)
			{
				size = Max(8, size * 2);
				open = open == NULL ? palloc(size * sizeof(ScimJson *)) :
					repalloc(open, size * sizeof(ScimJson *));
			}
			open[depth++] = node;
		}
	}
	return result;
}

/*
 * Parse a request document given as text, raising invalidSyntax on any
 * defect (what is "the body" is said in what).
 */
ScimJson *
ScimJsonParseOrError(const char *text, size_t len, const char *what)
{
	ScimJsonError err;
	ScimJson   *v;

	if (len == 0)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "%s is empty", what);
	v = ScimJsonParse(text, len, &err);
	if (v == NULL)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "%s is not valid JSON: %s",
				  what, err.message);
	return v;
}
