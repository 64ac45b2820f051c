/*-------------------------------------------------------------------------
 *
 * error.h
 *	  One vocabulary for SCIM errors (RFC 7644 §3.12).
 *
 * Each error kind pairs a scimType (or none), an HTTP status and a
 * SQLSTATE.  ScimError() raises it with ereport(); SQL callers see the
 * SQLSTATE and "scimType: x." in the detail.  Whoever catches an error to
 * answer a client (the HTTP dispatcher, each Bulk operation) asks
 * ScimErrorAnswer() for the status, scimType and detail to send, and
 * ScimErrorBody() for the SCIM Error document: error.c alone decides what
 * a client may see of an error.
 *
 * src/error.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_ERROR_H
#define SCIM_ERROR_H

#include "json.h"

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
	SCIM_ERR_REJECTED,			/* 400 without scimType: refused by a tenant
								 * rule */
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

/*
 * SQLSTATE of a failed If-Match precondition (412): class SC holds the
 * conditions of SCIM that PostgreSQL has no code for, the subclass is the
 * HTTP status.  It is not 40001, which PostgreSQL raises for serialization
 * failures that the dispatcher retries.
 */
#define ERRCODE_SCIM_PRECONDITION_FAILED	MAKE_SQLSTATE('S','C','4','1','2')

/* the longest detail, in bytes, a client is sent (cut on a character) */
#define SCIM_ERROR_DETAIL_MAX	1024

/* what a client is told of a caught error */
typedef struct ScimErrorReply
{
	ScimErrorKind kind;
	int			status;			/* HTTP status */
	const char *scimType;		/* NULL when none */
	const char *detail;			/* as is: ScimErrorBody() makes it fit */
} ScimErrorReply;

extern const ScimErrorInfo *ScimErrorLookup(ScimErrorKind kind);

/* ereport() auxiliary: the SQLSTATE and "scimType: x." detail of kind */
extern int	errscimkind(ScimErrorKind kind);

/* was the caught error raised by ScimError() (ours), not by PostgreSQL? */
extern bool ScimErrorIsOwn(const ErrorData *edata);

/* the SCIM answer to a caught error; logs what it hides from the client */
extern void ScimErrorAnswer(const ErrorData *edata, ScimErrorReply *reply);

/* a SCIM Error document (RFC 7644 §3.12) */
extern ScimJson *ScimErrorBody(int status, const char *scimType,
							   const char *detail);

/*
 * Raise a SCIM error: ScimError(kind, fmt, ...).  The message is the SCIM
 * "detail" a client sees: short, lowercase first letter, no trailing
 * period.  ereport() formats it, so it has no length limit of its own.
 */
#define ScimError(kind, ...) \
	ereport(ERROR, errscimkind(kind), errmsg_internal(__VA_ARGS__))

#endif							/* SCIM_ERROR_H */
