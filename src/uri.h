/*-------------------------------------------------------------------------
 *
 * uri.h
 *	  Splitting a request URI into path segments and query parameters.
 *
 * Pure C (no backend headers) so that it can be fuzzed on its own.
 *
 * src/uri.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_URI_H
#define SCIM_URI_H

#include "pure.h"

#define SCIM_URI_MAX_SEGMENTS 16
#define SCIM_URI_MAX_PARAMS 64

typedef struct ScimQueryParam
{
	char	   *name;			/* percent-decoded */
	char	   *value;			/* percent-decoded, '+' as space; "" when the
								 * parameter has no '=' */
} ScimQueryParam;

typedef struct ScimUri
{
	char	   *segments[SCIM_URI_MAX_SEGMENTS];	/* decoded, non-empty */
	int			nsegments;
	ScimQueryParam params[SCIM_URI_MAX_PARAMS];
	int			nparams;
} ScimUri;

/*
 * Parse uri (the raw request URI, e.g. "/scim/v2/Users?filter=...").
 * prefix ("/scim/v2") is stripped case-sensitively; path segments after it
 * are split on '/', empty segments (doubled or trailing slashes) skipped,
 * then percent-decoded ("%2F" inside a segment stays inside it).  Query
 * parameters are split on '&', decoded, '+' read as a space.  Returns false
 * with a message in errbuf when the URI is malformed (bad percent escape,
 * decoded NUL byte or invalid UTF-8, too many segments or parameters, or
 * the prefix is missing).
 */
extern bool ScimUriParse(const char *uri, size_t len, const char *prefix,
						 ScimUri *out, char *errbuf, size_t errlen);

/* value of the first parameter named name (ASCII case-insensitive), or NULL */
extern const char *ScimUriParam(const ScimUri *uri, const char *name);

#endif							/* SCIM_URI_H */
