/*-------------------------------------------------------------------------
 *
 * email_keys.c
 *	  scim._email_keys(jsonb): the lookup keys of a user's emails, the
 *	  expression of the GIN index users_email_keys (src/sql/15_indexes.sql).
 *
 * For every element of attrs->'emails' (when that is an array) the keys
 * are lower(value) and lower(type) || ':' || lower(value), each only when
 * its parts are not null, in element order: exactly what
 *
 *	  ARRAY(SELECT k FROM jsonb_array_elements(attrs->'emails') e,
 *				LATERAL (VALUES (lower(e->>'value')),
 *								(lower(e->>'type') || ':' || lower(e->>'value'))) k
 *			WHERE k IS NOT NULL)
 *
 * computes (version 0.1.0 defined it so), without a SQL function call per
 * INSERT and non-HOT UPDATE of scim.users.  ->> semantics are kept: a
 * member that is not an object has no value, a JSON null is SQL null, a
 * number or boolean is its text, an object or array its JSON text.  lower()
 * uses the database's default collation, as the SQL function did.
 *
 * The function is LEAKPROOF (the index must stay usable under row-level
 * security): it raises no error that depends on its input.
 *
 * src/email_keys.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(scim_email_keys);

/* the text of ->> for one member of an object, or NULL */
static char *
field_text(JsonbContainer *obj, const char *key, int keylen)
{
	JsonbValue	vbuf;
	JsonbValue *v = getKeyJsonValueFromContainer(obj, key, keylen, &vbuf);

	if (v == NULL)
		return NULL;
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			return NULL;
	}
}

static char *
lower_default(const char *s)
{
	return str_tolower(s, strlen(s), DEFAULT_COLLATION_OID);
}

static void
add_key(ArrayBuildState *astate, const char *key)
{
	accumArrayResult(astate, CStringGetTextDatum(key), false, TEXTOID,
					 CurrentMemoryContext);
}

Datum
scim_email_keys(PG_FUNCTION_ARGS)
{
	Jsonb	   *attrs = PG_GETARG_JSONB_P(0);
	ArrayBuildState *astate = initArrayResult(TEXTOID, CurrentMemoryContext, false);
	JsonbValue	ebuf;
	JsonbValue *emails = NULL;

	if (JB_ROOT_IS_OBJECT(attrs))
		emails = getKeyJsonValueFromContainer(&attrs->root, "emails", 6, &ebuf);
	if (emails != NULL && emails->type == jbvBinary &&
		JsonContainerIsArray(emails->val.binary.data))
	{
		JsonbContainer *arr = emails->val.binary.data;
		uint32		n = JsonContainerSize(arr);

		for (uint32 i = 0; i < n; i++)
		{
			JsonbValue *elem = getIthJsonbValueFromContainer(arr, i);
			char	   *value;
			char	   *type;

			if (elem == NULL || elem->type != jbvBinary ||
				!JsonContainerIsObject(elem->val.binary.data))
				continue;
			value = field_text(elem->val.binary.data, "value", 5);
			if (value == NULL)
				continue;
			value = lower_default(value);
			add_key(astate, value);
			type = field_text(elem->val.binary.data, "type", 4);
			if (type != NULL)
				add_key(astate, psprintf("%s:%s", lower_default(type), value));
		}
	}
	PG_RETURN_DATUM(makeArrayResult(astate, CurrentMemoryContext));
}
