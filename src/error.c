/*-------------------------------------------------------------------------
 *
 * error.c
 *	  The SCIM error table and the function that raises from it.
 *
 * src/error.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/elog.h"

#include "error.h"

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
	[SCIM_ERR_PRECONDITION] = {NULL, 412, ERRCODE_T_R_SERIALIZATION_FAILURE},
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
 * ScimErrorKindFromData
 *		Classify a caught error: our own errors carry their kind in the
 *		detail; others are mapped from their SQLSTATE.
 */
ScimErrorKind
ScimErrorKindFromData(int sqlerrcode, const char *detail)
{
	int			k;

	if (detail && strncmp(detail, DETAIL_PREFIX, strlen(DETAIL_PREFIX)) == 0)
	{
		const char *name = detail + strlen(DETAIL_PREFIX);

		for (k = 0; k < SCIM_ERR__COUNT; k++)
		{
			const char *kn = kind_name((ScimErrorKind) k);
			size_t		l = kn ? strlen(kn) : 0;

			if (kn && strncmp(name, kn, l) == 0 &&
				(name[l] == '\0' || name[l] == '.') &&
				error_table[k].sqlstate == sqlerrcode)
				return (ScimErrorKind) k;
		}
	}

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

/*
 * ScimError
 *		Raise a SCIM error of the given kind.
 */
void
ScimError(ScimErrorKind kind, const char *fmt,...)
{
	char		buf[1024];
	va_list		ap;
	const ScimErrorInfo *info = ScimErrorLookup(kind);

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	ereport(ERROR,
			errcode(info->sqlstate),
			errmsg_internal("%s", buf),
			errdetail_internal(DETAIL_PREFIX "%s.", kind_name(kind)));
	pg_unreachable();
}
