/*-------------------------------------------------------------------------
 *
 * error.h
 *	  One vocabulary for SCIM errors (RFC 7644 §3.12).
 *
 * Each error kind pairs a scimType (or none), an HTTP status and a
 * SQLSTATE.  ScimError() raises it with ereport(); SQL callers see the
 * SQLSTATE and "scimType: x" in the detail, and the HTTP dispatcher turns
 * the same error into a SCIM Error body.
 *
 * src/error.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_ERROR_H
#define SCIM_ERROR_H

typedef enum ScimErrorKind
{
	SCIM_ERR_INVALID_FILTER,
	SCIM_ERR_TOO_MANY,
	SCIM_ERR_UNIQUENESS,
	SCIM_ERR_MUTABILITY,
	SCIM_ERR_INVALID_SYNTAX,
	SCIM_ERR_INVALID_PATH,
	SCIM_ERR_NO_TARGET,
	SCIM_ERR_INVALID_VALUE,
	SCIM_ERR_INVALID_VERS,
	SCIM_ERR_SENSITIVE,
	SCIM_ERR_REJECTED,			/* 400 without scimType: refused by a tenant rule */
	SCIM_ERR_NOT_FOUND,
	SCIM_ERR_UNAUTHORIZED,
	SCIM_ERR_FORBIDDEN,
	SCIM_ERR_METHOD,
	SCIM_ERR_NOT_ACCEPTABLE,
	SCIM_ERR_UNSUPPORTED_MEDIA,
	SCIM_ERR_PRECONDITION,
	SCIM_ERR_TOO_LARGE,
	SCIM_ERR_NOT_IMPLEMENTED,
	SCIM_ERR_UNAVAILABLE,
	SCIM_ERR_INTERNAL,
	SCIM_ERR__COUNT
} ScimErrorKind;

typedef struct ScimErrorInfo
{
	const char *scimType;		/* NULL when RFC 7644 defines none */
	int			status;			/* HTTP status */
	int			sqlstate;		/* MAKE_SQLSTATE value */
} ScimErrorInfo;

extern const ScimErrorInfo *ScimErrorLookup(ScimErrorKind kind);

/* map a caught error back to its SCIM kind (by scimType detail or SQLSTATE) */
extern ScimErrorKind ScimErrorKindFromData(int sqlerrcode, const char *detail);

/*
 * Raise a SCIM error.  msg is the SCIM "detail" a client sees: short,
 * lowercase first letter, no trailing period.
 */
extern void ScimError(ScimErrorKind kind, const char *fmt,...)
			pg_attribute_printf(2, 3) pg_attribute_noreturn();

#endif							/* SCIM_ERROR_H */
