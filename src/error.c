/*-------------------------------------------------------------------------
 *
 * error.c
 *	  The SCIM error table, and the one mapping from an error to a SCIM
 *	  answer.
 *
 * ScimError() (error.h) raises an error of a kind with ereport(): the
 * kind's SQLSTATE, the message as given, and "scimType: x." as detail,
 * which marks the error as ours.  ScimErrorAnswer() turns any caught
 * error into what a client is told: ours keep their message; errors
 * PostgreSQL raised itself are classified by SQLSTATE and answered with a
 * fixed sentence, since their messages name tables, indexes and values;
 * internal errors say only "internal error".  What is hidden goes to the
 * server log.  ScimErrorBody() writes the SCIM Error document; the detail
 * it sends is valid UTF-8 and at most SCIM_ERROR_DETAIL_MAX bytes.
 *
 * src/error.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/elog.h"

#include "error.h"
#include "schema.h"

static const ScimErrorInfo error_table[SCIM_ERR__COUNT] = {
	[SCIM_ERR_INVALID_FILTER] = {"invalidFilter", 400, ERRCODE_SYNTAX_ERROR},
	[SCIM_ERR_TOO_MANY] = {"tooMany", 400, ERRCODE_PROGRAM_LIMIT_EXCEEDED},
	[SCIM_ERR_UNIQUENESS] = {"uniqueness", 409, ERRCODE_UNIQUE_VIOLATION},
	[SCIM_ERR_MUTABILITY] = {"mutability", 400, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE},
	[SCIM_ERR_INVALID_SYNTAX] = {"invalidSyntax", 400, ERRCODE_INVALID_TEXT_REPRESENTATION},
	[SCIM_ERR_INVALID_PATH] = {"invalidPath", 400, ERRCODE_UNDEFINED_COLUMN},
	[SCIM_ERR_NO_TARGET] = {"noTarget", 400, ERRCODE_UNDEFINED_OBJECT},
	[SCIM_ERR_INVALID_VALUE] = {"invalidValue", 400, ERRCODE_INVALID_PARAMETER_VALUE},
	[SCIM_ERR_INVALID_VERS] = {"invalidVers", 400, ERRCODE_FEATURE_NOT_SUPPORTED},
	[SCIM_ERR_SENSITIVE] = {"sensitive", 403, ERRCODE_INSUFFICIENT_PRIVILEGE},
	[SCIM_ERR_REJECTED] = {NULL, 400, ERRCODE_FEATURE_NOT_SUPPORTED},
	[SCIM_ERR_NOT_FOUND] = {NULL, 404, ERRCODE_NO_DATA_FOUND},
	[SCIM_ERR_UNAUTHORIZED] = {NULL, 401, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION},
	[SCIM_ERR_FORBIDDEN] = {NULL, 403, ERRCODE_INSUFFICIENT_PRIVILEGE},
	[SCIM_ERR_METHOD] = {NULL, 405, ERRCODE_FEATURE_NOT_SUPPORTED},
	[SCIM_ERR_NOT_ACCEPTABLE] = {NULL, 406, ERRCODE_FEATURE_NOT_SUPPORTED},
	[SCIM_ERR_UNSUPPORTED_MEDIA] = {NULL, 415, ERRCODE_FEATURE_NOT_SUPPORTED},
	[SCIM_ERR_PRECONDITION] = {NULL, 412, ERRCODE_SCIM_PRECONDITION_FAILED},
	[SCIM_ERR_TOO_LARGE] = {NULL, 413, ERRCODE_PROGRAM_LIMIT_EXCEEDED},
	[SCIM_ERR_NOT_IMPLEMENTED] = {NULL, 501, ERRCODE_FEATURE_NOT_SUPPORTED},
	[SCIM_ERR_UNAVAILABLE] = {NULL, 503, ERRCODE_T_R_SERIALIZATION_FAILURE},
	[SCIM_ERR_INTERNAL] = {NULL, 500, ERRCODE_INTERNAL_ERROR},
};

/* names used in the machine-readable errdetail of errors without scimType */
static const char *const kind_names[SCIM_ERR__COUNT] = {
	[SCIM_ERR_REJECTED] = "rejected",
	[SCIM_ERR_NOT_FOUND] = "notFound",
	[SCIM_ERR_UNAUTHORIZED] = "unauthorized",
	[SCIM_ERR_FORBIDDEN] = "forbidden",
	[SCIM_ERR_METHOD] = "methodNotAllowed",
	[SCIM_ERR_NOT_ACCEPTABLE] = "notAcceptable",
	[SCIM_ERR_UNSUPPORTED_MEDIA] = "unsupportedMediaType",
	[SCIM_ERR_PRECONDITION] = "preconditionFailed",
	[SCIM_ERR_TOO_LARGE] = "payloadTooLarge",
	[SCIM_ERR_NOT_IMPLEMENTED] = "notImplemented",
	[SCIM_ERR_UNAVAILABLE] = "unavailable",
	[SCIM_ERR_INTERNAL] = "internal",
};

#define DETAIL_PREFIX "scimType: "

/* the table entry of kind */
const ScimErrorInfo *
ScimErrorLookup(ScimErrorKind kind)
{
	if (kind < 0 || kind >= SCIM_ERR__COUNT)
		kind = SCIM_ERR_INTERNAL;
	return &error_table[kind];
}

/* the name written into errdetail for kind */
static const char *
kind_name(ScimErrorKind kind)
{
	return error_table[kind].scimType ? error_table[kind].scimType
		: kind_names[kind];
}

/*
 * errscimkind
 *		ereport() auxiliary of ScimError(): set the SQLSTATE of kind and the
 *		detail "scimType: <name>." that SQL callers read and that
 *		own_kind() recognises.
 */
int
errscimkind(ScimErrorKind kind)
{
	if (kind < 0 || kind >= SCIM_ERR__COUNT)
		kind = SCIM_ERR_INTERNAL;
	errcode(error_table[kind].sqlstate);
	errdetail_internal(DETAIL_PREFIX "%s.", kind_name(kind));
	return 0;					/* return value does not matter */
}

/*
 * The kind of an error ScimError() raised: its detail names the kind and
 * its SQLSTATE is that kind's.  False for any other error.
 */
static bool
own_kind(const ErrorData *edata, ScimErrorKind *kind)
{
	const char *name;
	int			k;

	if (edata->detail == NULL ||
		strncmp(edata->detail, DETAIL_PREFIX, strlen(DETAIL_PREFIX)) != 0)
		return false;
	name = edata->detail + strlen(DETAIL_PREFIX);
	for (k = 0; k < SCIM_ERR__COUNT; k++)
	{
		const char *kn = kind_name((ScimErrorKind) k);
		size_t		l = strlen(kn);

		if (strncmp(name, kn, l) == 0 && strcmp(name + l, ".") == 0 &&
			error_table[k].sqlstate == edata->sqlerrcode)
		{
			*kind = (ScimErrorKind) k;
			return true;
		}
	}
	return false;
}

/* was edata raised by ScimError()? */
bool
ScimErrorIsOwn(const ErrorData *edata)
{
	ScimErrorKind kind;

	return own_kind(edata, &kind);
}

/* the kind of an error PostgreSQL raised, from its SQLSTATE */
static ScimErrorKind
kind_from_sqlstate(int sqlerrcode)
{
	switch (sqlerrcode)
	{
		case ERRCODE_UNIQUE_VIOLATION:
		case ERRCODE_EXCLUSION_VIOLATION:
			return SCIM_ERR_UNIQUENESS;
		case ERRCODE_NO_DATA_FOUND:
			return SCIM_ERR_NOT_FOUND;
		case ERRCODE_T_R_SERIALIZATION_FAILURE:
		case ERRCODE_T_R_DEADLOCK_DETECTED:
		case ERRCODE_LOCK_NOT_AVAILABLE:
		case ERRCODE_QUERY_CANCELED:
		case ERRCODE_ADMIN_SHUTDOWN:
		case ERRCODE_CANNOT_CONNECT_NOW:
		case ERRCODE_TOO_MANY_CONNECTIONS:
			return SCIM_ERR_UNAVAILABLE;
		case ERRCODE_STATEMENT_TOO_COMPLEX:
			return SCIM_ERR_TOO_MANY;
		case ERRCODE_PROGRAM_LIMIT_EXCEEDED:
			/* e.g. a value too long for its index: not about results */
			return SCIM_ERR_INVALID_VALUE;
		case ERRCODE_INVALID_TEXT_REPRESENTATION:
		case ERRCODE_CHARACTER_NOT_IN_REPERTOIRE:
		case ERRCODE_UNTRANSLATABLE_CHARACTER:
		case ERRCODE_INVALID_PARAMETER_VALUE:
		case ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE:
		case ERRCODE_DATETIME_FIELD_OVERFLOW:
		case ERRCODE_INVALID_DATETIME_FORMAT:
		case ERRCODE_STRING_DATA_RIGHT_TRUNCATION:
		case ERRCODE_NOT_NULL_VIOLATION:
		case ERRCODE_CHECK_VIOLATION:
		case ERRCODE_NULL_VALUE_NOT_ALLOWED:
			return SCIM_ERR_INVALID_VALUE;
		default:
			return SCIM_ERR_INTERNAL;
	}
}

/* the fixed detail of an error of kind that PostgreSQL raised itself */
static const char *
generic_detail(ScimErrorKind kind)
{
	switch (kind)
	{
		case SCIM_ERR_UNIQUENESS:
			return "a resource with the same unique attribute already exists";
		case SCIM_ERR_UNAVAILABLE:
			return "the service is busy: retry the request";
		case SCIM_ERR_INVALID_VALUE:
			return "a value is not valid here: too long, or not of the expected form";
		case SCIM_ERR_NOT_FOUND:
			return "not found";
		case SCIM_ERR_TOO_MANY:
			return "the request is too complex to process";
		default:
			return "the request could not be processed";
	}
}

/*
 * client_text
 *		msg as a client may see it: valid UTF-8 (cut before the first byte
 *		that is not) and at most SCIM_ERROR_DETAIL_MAX bytes, cut on a
 *		character boundary and ending in "..." when cut.
 */
static const char *
client_text(const char *msg)
{
	const char *ellipsis = "...";
	int			len = strlen(msg);
	int			keep;

	if (len <= SCIM_ERROR_DETAIL_MAX &&
		pg_encoding_verifymbstr(PG_UTF8, msg, len) == len)
		return msg;
	keep = Min(len, SCIM_ERROR_DETAIL_MAX - (int) strlen(ellipsis));
	/* the longest valid prefix of those bytes ends on a character */
	keep = pg_encoding_verifymbstr(PG_UTF8, msg, keep);
	return psprintf("%.*s%s", keep, msg, ellipsis);
}

/*
 * ScimErrorAnswer
 *		What a client is told of a caught error: its kind, HTTP status,
 *		scimType and detail.  Ours keep their message (an internal one
 *		excepted); PostgreSQL's are classified by SQLSTATE and get a fixed
 *		detail.  Errors the client is not told about are logged, except
 *		uniqueness and busy errors, which are expected under concurrency.
 *		The detail is a constant or a copy in the current memory context,
 *		so edata may be freed before it is used.
 */
void
ScimErrorAnswer(const ErrorData *edata, ScimErrorReply *reply)
{
	bool		own = own_kind(edata, &reply->kind);
	const char *message = edata->message ? edata->message : "error";

	if (!own)
		reply->kind = kind_from_sqlstate(edata->sqlerrcode);
	reply->status = error_table[reply->kind].status;
	reply->scimType = error_table[reply->kind].scimType;

	if (reply->kind == SCIM_ERR_INTERNAL)
	{
		/* never show internals to the client; keep them in the log */
		ereport(LOG,
				errmsg("scim request failed: %s", message),
				edata->detail ? errdetail_internal("%s", edata->detail) : 0);
		reply->detail = "internal error";
	}
	else if (!own)
	{
		if (reply->kind != SCIM_ERR_UNIQUENESS &&
			reply->kind != SCIM_ERR_UNAVAILABLE)
			ereport(LOG,
					errmsg("scim request failed: %s", message),
					edata->detail ? errdetail_internal("%s", edata->detail) : 0);
		reply->detail = generic_detail(reply->kind);
	}
	else
		reply->detail = pstrdup(message);
}

/*
 * ScimErrorBody
 *		A SCIM Error document (RFC 7644 §3.12), the detail made fit for a
 *		client by client_text().
 */
ScimJson *
ScimErrorBody(int status, const char *scimType, const char *detail)
{
	ScimJson   *body = ScimJsonNew(SJ_OBJECT);
	ScimJson   *schemas = ScimJsonNew(SJ_ARRAY);

	ScimJsonAppend(schemas, ScimJsonMakeString(SCIM_URN_ERROR));
	ScimJsonSet(body, "schemas", schemas);
	ScimJsonSet(body, "status", ScimJsonMakeString(psprintf("%d", status)));
	if (scimType != NULL)
		ScimJsonSet(body, "scimType", ScimJsonMakeString(scimType));
	ScimJsonSet(body, "detail", ScimJsonMakeString(client_text(detail)));
	return body;
}
