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

/*
 * The tree of a jsonb value.  jsonb text is always valid JSON, but may hold
 * "\u0000"-free strings only, so parsing it back cannot fail.
 */
ScimJson *
ScimJsonFromJsonb(Jsonb *jb)
{
	char	   *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	ScimJsonError err;
	ScimJson   *v = ScimJsonParse(text, strlen(text), &err);

	if (v == NULL)
		elog(ERROR, "could not read back jsonb: %s", err.message);
	return v;
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
