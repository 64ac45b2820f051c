/*-------------------------------------------------------------------------
 *
 * email_keys.c
 *	  scim._email_keys(tenant_id, attrs): the lookup keys of a user's
 *	  emails, the expression of the GIN index users_email_keys
 *	  (src/sql/15_indexes.sql); scim._email_key(tenant_id, key): one such
 *	  key, what the filter compiler (src/filter_sql.c) looks up.
 *
 * Every key is led by its tenant, so that one tenant's lookups never meet
 * another tenant's entries: the tenant's length in bytes in decimal, ':',
 * the tenant, ':', then the email key.  The length makes the encoding
 * unambiguous whatever characters the tenant holds (a ':' included): two
 * keys of different tenants always differ.
 *
 * The email keys are, for every element of attrs->'emails' (when that is
 * an array), lower(value) and lower(type) || ':' || lower(value), each only
 * when its parts are not null, in element order: exactly what
 *
 *	  ARRAY(SELECT k FROM jsonb_array_elements(attrs->'emails') e,
 *				LATERAL (VALUES (lower(e->>'value')),
 *								(lower(e->>'type') || ':' || lower(e->>'value'))) k
 *			WHERE k IS NOT NULL)
 *
 * computes (version 0.1.0 defined scim._email_keys(attrs) so, without the
 * tenant), without a SQL function call per INSERT and non-HOT UPDATE of
 * scim.users.  ->> semantics are kept: a member that is not an object has
 * no value, a JSON null is SQL null, a number or boolean is its text, an
 * object or array its JSON text.  lower() uses the database's default
 * collation, as the SQL function did and as the filter's lower($n) does.
 *
 * Both functions are LEAKPROOF (the index must stay usable under row-level
 * security): they raise no error that depends on their input.
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
PG_FUNCTION_INFO_V1(scim_email_key);

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

/* s lower-cased with the database's default collation, as SQL lower() */
static char *
lower_default(const char *s)
{
	return str_tolower(s, strlen(s), DEFAULT_COLLATION_OID);
}

/* key led by the tenant: "<bytes of tenant>:<tenant>:<key>" */
static text *
tenant_key(const text *tenant, const char *key, size_t keylen)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%d:", (int) VARSIZE_ANY_EXHDR(tenant));
	appendBinaryStringInfo(&buf, VARDATA_ANY(tenant), VARSIZE_ANY_EXHDR(tenant));
	appendStringInfoChar(&buf, ':');
	appendBinaryStringInfo(&buf, key, (int) keylen);
	return cstring_to_text_with_len(buf.data, buf.len);
}

/* Append the tenant's key of key to the array being built */
static void
add_key(ArrayBuildState *astate, const text *tenant, const char *key)
{
	accumArrayResult(astate, PointerGetDatum(tenant_key(tenant, key, strlen(key))),
					 false, TEXTOID, CurrentMemoryContext);
}

/*
 * scim._email_keys(tenant_id text, attrs jsonb) RETURNS text[]
 *		The keys of every email of the user, each led by the tenant.
 */
Datum
scim_email_keys(PG_FUNCTION_ARGS)
{
	text	   *tenant = PG_GETARG_TEXT_PP(0);
	Jsonb	   *attrs = PG_GETARG_JSONB_P(1);
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
			add_key(astate, tenant, value);
			type = field_text(elem->val.binary.data, "type", 4);
			if (type != NULL)
				add_key(astate, tenant, psprintf("%s:%s", lower_default(type), value));
		}
	}
	PG_RETURN_DATUM(makeArrayResult(astate, CurrentMemoryContext));
}

/*
 * scim._email_key(tenant_id text, key text) RETURNS text
 *		One email key (already lower-cased: lower(value), or lower(type) ||
 *		':' || lower(value)) led by the tenant, as scim._email_keys gives it.
 */
Datum
scim_email_key(PG_FUNCTION_ARGS)
{
	text	   *tenant = PG_GETARG_TEXT_PP(0);
	text	   *key = PG_GETARG_TEXT_PP(1);

	PG_RETURN_TEXT_P(tenant_key(tenant, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)));
}
