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
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "error.h"
#include "json.h"
#include "json_out.h"

/*
 * append s as a JSON string literal: escape_json()'s output, written a run
 * of plain bytes at a time rather than a byte at a time
 */
void
ScimJsonOutString(StringInfo buf, const char *s)
{
	const char *run = s;
	const char *p;

	appendStringInfoCharMacro(buf, '"');
	for (p = s; *p; p++)
	{
		unsigned char c = (unsigned char) *p;
		const char *esc;

		if (likely(c >= 0x20 && c != '"' && c != '\\'))
			continue;
		if (p > run)
			appendBinaryStringInfo(buf, run, p - run);
		run = p + 1;
		switch (c)
		{
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			default:
				appendStringInfo(buf, "\\u%04x", (int) c);
				continue;
		}
		appendBinaryStringInfo(buf, esc, 2);
	}
	if (p > run)
		appendBinaryStringInfo(buf, run, p - run);
	appendStringInfoCharMacro(buf, '"');
}

/* append v as compact JSON text */
void
ScimJsonOut(StringInfo buf, const ScimJson *v)
{
	int			i;

	/* once per node: a long array or a deep tree stays interruptible */
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
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
			ScimJsonOutString(buf, v->str);
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
				ScimJsonOutString(buf, v->keys[i]);
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

/* a tree scalar as a jsonb scalar */
static void
jsonb_from_scalar(const ScimJson *v, JsonbValue *jv)
{
	switch (v ? v->type : SJ_NULL)
	{
		case SJ_NULL:
			jv->type = jbvNull;
			break;
		case SJ_BOOL:
			jv->type = jbvBool;
			jv->val.boolean = v->boolean;
			break;
		case SJ_NUMBER:
			jv->type = jbvNumeric;
			jv->val.numeric =
				DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(v->str),
													ObjectIdGetDatum(InvalidOid),
													Int32GetDatum(-1)));
			break;
		case SJ_STRING:
			if (v->len > JENTRY_OFFLENMASK)
				ereport(ERROR,
						errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("a string of %d bytes is too long for jsonb", v->len),
						errdetail("jsonb holds strings of up to %d bytes.", JENTRY_OFFLENMASK));
			jv->type = jbvString;
			jv->val.string.val = (char *) v->str;
			jv->val.string.len = v->len;
			break;
		default:
			elog(ERROR, "unexpected JSON node type %d", (int) v->type);
	}
}

/* push v, as the value of a key or an array element (tok), onto *state */
static JsonbValue *
push_jsonb(JsonbParseState **state, const ScimJson *v, JsonbIteratorToken tok)
{
	JsonbValue	jv;
	int			i;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	switch (v ? v->type : SJ_NULL)
	{
		case SJ_OBJECT:
			pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
			for (i = 0; i < v->count; i++)
			{
				jv.type = jbvString;
				jv.val.string.val = v->keys[i];
				jv.val.string.len = strlen(v->keys[i]);
				pushJsonbValue(state, WJB_KEY, &jv);
				push_jsonb(state, v->items[i], WJB_VALUE);
			}
			return pushJsonbValue(state, WJB_END_OBJECT, NULL);
		case SJ_ARRAY:
			pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < v->count; i++)
				push_jsonb(state, v->items[i], WJB_ELEM);
			return pushJsonbValue(state, WJB_END_ARRAY, NULL);
		default:
			jsonb_from_scalar(v, &jv);
			return pushJsonbValue(state, tok, &jv);
	}
}

/*
 * v as a jsonb datum, built with jsonb's own constructor: the value
 * jsonb_in() would make of v's text (object keys sorted, duplicates the
 * last one kept), without writing the text and parsing it back.
 */
Datum
ScimJsonToJsonb(const ScimJson *v)
{
	JsonbParseState *state = NULL;
	JsonbValue	jv;

	if (v == NULL || (v->type != SJ_OBJECT && v->type != SJ_ARRAY))
	{
		jsonb_from_scalar(v, &jv);
		return JsonbPGetDatum(JsonbValueToJsonb(&jv));
	}
	return JsonbPGetDatum(JsonbValueToJsonb(push_jsonb(&state, v, WJB_ELEM)));
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

		CHECK_FOR_INTERRUPTS();
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
