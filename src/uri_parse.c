/*-------------------------------------------------------------------------
 *
 * uri_parse.c
 *	  Splitting a request URI into path segments and query parameters.
 *
 * The input is the raw request URI exactly as nginx received it
 * ($request_uri), e.g. "/scim/v2/Users?filter=userName+eq+%22bob%22".
 * The prefix is stripped, the path is split on '/' before any decoding (so
 * "%2F" stays inside its segment) and the query on '&' and the first '='.
 * Every piece is then percent-decoded and checked: a bad escape, a decoded
 * NUL byte or a result that is not valid UTF-8 makes the whole URI
 * malformed.
 *
 * Choices the RFCs leave open:
 *	- empty path segments (doubled or trailing slashes) are skipped;
 *	- "." and ".." segments, literal or encoded, are not resolved: they are
 *	  ordinary segments, so a request can never reach a path other than
 *	  the one it names (the router answers 404 to them);
 *	- empty query pieces ("a=1&&b=2", a trailing '&') are skipped, and so
 *	  are parameters with an empty name ("=x");
 *	- a parameter without '=' has the value "" (Entra sends
 *	  "?aadOptscim062020&filter=...");
 *	- a fragment ('#' and what follows) is dropped; clients do not send
 *	  one, but it is never part of the resource named.
 *
 * Pure C: no backend header is included, so this can be unit-tested and
 * fuzzed on its own.
 *
 * src/uri_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uri.h"

#if defined(__GNUC__) || defined(__clang__)
#define URI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define URI_PRINTF(f, a)
#endif

/* forward declarations */
static void uri_error(char *errbuf, size_t errlen, const char *fmt,...)
			URI_PRINTF(3, 4);
static int	hex_value(unsigned char c);
static bool valid_utf8(const unsigned char *s, size_t len);
static char *decode_piece(const char *s, size_t len, bool plus_is_space,
						  size_t base, const char *what,
						  char *errbuf, size_t errlen);

/* format an error message into errbuf, when there is one */
static void
uri_error(char *errbuf, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* value of an ASCII hex digit, or -1 */
static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Is s[0..len) valid UTF-8?  Overlong forms, surrogates and code points
 * above U+10FFFF are refused, as the JSON parser refuses them.
 */
static bool
valid_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		int			n = scim_utf8_length(s + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/*
 * Percent-decode s[0..len) into a new NUL-terminated string, reading '+'
 * as a space when plus_is_space (query parameters only).  base is the
 * offset of s in the whole URI, for error positions; what names the piece
 * ("path segment", "query parameter").  Returns NULL with a message in
 * errbuf when the piece is malformed.
 */
static char *
decode_piece(const char *s, size_t len, bool plus_is_space, size_t base,
			 const char *what, char *errbuf, size_t errlen)
{
	char	   *out = scim_alloc(len + 1);
	size_t		o = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '%')
		{
			int			hi;
			int			lo;

			hi = (i + 1 < len) ? hex_value((unsigned char) s[i + 1]) : -1;
			lo = (i + 2 < len) ? hex_value((unsigned char) s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
			{
				uri_error(errbuf, errlen,
						  "invalid percent escape in %s at position %zu",
						  what, base + i);
				return NULL;
			}
			c = (unsigned char) (hi * 16 + lo);
			if (c == '\0')
			{
				uri_error(errbuf, errlen,
						  "%s contains an encoded NUL byte at position %zu",
						  what, base + i);
				return NULL;
			}
			i += 2;
		}
		else if (c == '+' && plus_is_space)
			c = ' ';
		else if (c == '\0')
		{
			uri_error(errbuf, errlen,
					  "%s contains a NUL byte at position %zu", what, base + i);
			return NULL;
		}
		out[o++] = (char) c;
	}
	out[o] = '\0';
	if (!valid_utf8((const unsigned char *) out, o))
	{
		uri_error(errbuf, errlen,
				  "%s at position %zu is not valid UTF-8 once decoded",
				  what, base);
		return NULL;
	}
	return out;
}

/* split and decode a request URI; see uri.h */
bool
ScimUriParse(const char *uri, size_t len, const char *prefix,
			 ScimUri *out, char *errbuf, size_t errlen)
{
	size_t		plen = prefix ? strlen(prefix) : 0;
	size_t		path_end;
	size_t		query_end;
	size_t		pos;

	memset(out, 0, sizeof(ScimUri));
	if (errbuf && errlen > 0)
		errbuf[0] = '\0';
	if (uri == NULL)
		len = 0;

	/* the query starts at the first '?', the fragment at the first '#' */
	for (path_end = 0; path_end < len; path_end++)
		if (uri[path_end] == '?' || uri[path_end] == '#')
			break;
	query_end = path_end;
	if (path_end < len && uri[path_end] == '?')
	{
		for (query_end = path_end + 1; query_end < len; query_end++)
			if (uri[query_end] == '#')
				break;
	}

	/* the prefix, case-sensitively, ending at a segment boundary */
	if (plen > path_end || (plen > 0 && memcmp(uri, prefix, plen) != 0) ||
		(plen < path_end && plen > 0 && prefix[plen - 1] != '/' &&
		 uri[plen] != '/'))
	{
		uri_error(errbuf, errlen, "request URI does not start with \"%s\"",
				  prefix ? prefix : "");
		return false;
	}

	/* path segments */
	pos = plen;
	while (pos < path_end)
	{
		size_t		start;
		char	   *seg;

		if (uri[pos] == '/')
		{
			pos++;
			continue;
		}
		start = pos;
		while (pos < path_end && uri[pos] != '/')
			pos++;
		if (out->nsegments >= SCIM_URI_MAX_SEGMENTS)
		{
			uri_error(errbuf, errlen,
					  "request URI has more than %d path segments",
					  SCIM_URI_MAX_SEGMENTS);
			return false;
		}
		seg = decode_piece(uri + start, pos - start, false, start,
						   "path segment", errbuf, errlen);
		if (seg == NULL)
			return false;
		out->segments[out->nsegments++] = seg;
	}

	/* query parameters */
	pos = path_end < query_end ? path_end + 1 : query_end;
	while (pos < query_end)
	{
		size_t		start = pos;
		size_t		eq = 0;
		bool		has_eq = false;
		char	   *name;
		char	   *value;

		while (pos < query_end && uri[pos] != '&')
		{
			if (uri[pos] == '=' && !has_eq)
			{
				has_eq = true;
				eq = pos;
			}
			pos++;
		}
		if (pos > start)
		{
			size_t		name_end = has_eq ? eq : pos;

			name = decode_piece(uri + start, name_end - start, true, start,
								"query parameter", errbuf, errlen);
			if (name == NULL)
				return false;
			if (has_eq)
				value = decode_piece(uri + eq + 1, pos - eq - 1, true, eq + 1,
									 "query parameter", errbuf, errlen);
			else
				value = scim_strndup("", 0);
			if (value == NULL)
				return false;
			if (name[0] != '\0')
			{
				if (out->nparams >= SCIM_URI_MAX_PARAMS)
				{
					uri_error(errbuf, errlen,
							  "request URI has more than %d query parameters",
							  SCIM_URI_MAX_PARAMS);
					return false;
				}
				out->params[out->nparams].name = name;
				out->params[out->nparams].value = value;
				out->nparams++;
			}
		}
		if (pos < query_end)
			pos++;				/* the '&' */
	}
	return true;
}

/* value of the first parameter named name (ASCII case-insensitive) */
const char *
ScimUriParam(const ScimUri *uri, const char *name)
{
	int			i;

	for (i = 0; i < uri->nparams; i++)
		if (scim_strcasecmp(uri->params[i].name, name) == 0)
			return uri->params[i].value;
	return NULL;
}
