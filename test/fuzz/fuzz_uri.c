/*-------------------------------------------------------------------------
 *
 * fuzz_uri.c
 *	  libFuzzer target for ScimUriParse and ScimUriParam (src/uri_parse.c).
 *
 * The input bytes are the raw request URI as nginx hands it over
 * ($request_uri), passed without a terminating NUL.  The parser runs with
 * the real prefix "/scim/v2" and, on the same bytes, with no prefix, so
 * that inputs not starting with the prefix still reach the path and query
 * code.
 *
 * Checks for an accepted URI:
 *	- at most SCIM_URI_MAX_SEGMENTS segments and SCIM_URI_MAX_PARAMS
 *	  parameters; segments are non-empty, names non-empty, values set; all
 *	  are NUL-free valid UTF-8;
 *	- a round trip: the pieces percent-encoded again (every byte outside
 *	  the unreserved set) parse back to the same pieces;
 *	- ScimUriParam finds the first parameter of each name, in any case;
 *	- what is accepted with the prefix is accepted without it, with the
 *	  prefix's segments in front.
 * For a refused one: the message is set, NUL-terminated and printable.
 *
 * test/fuzz/fuzz_uri.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"
#include "fuzz_assert.h"
#include "pure_fuzz.h"

#define PREFIX "/scim/v2"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* is s valid UTF-8 (no overlong forms, surrogates, > U+10FFFF) */
static bool
valid_utf8(const unsigned char *s)
{
	while (*s)
	{
		unsigned char c = *s;
		unsigned int cp;
		int			n;
		int			k;

		if (c < 0x80)
		{
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4, cp = c & 0x07;
		else
			return false;
		for (k = 1; k < n; k++)
		{
			if ((s[k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
			cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += n;
	}
	return true;
}

/* append s to out at *o, percent-encoding all but unreserved characters */
static void
encode(char *out, size_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *) s; *p; p++)
	{
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
			*p == '_' || *p == '~')
			out[(*o)++] = (char) *p;
		else
		{
			out[(*o)++] = '%';
			out[(*o)++] = hex[*p >> 4];
			out[(*o)++] = hex[*p & 15];
		}
	}
}

/* the error message is set, terminated and printable */
static void
check_error(const char *errbuf, size_t errlen)
{
	const char *p;

	FUZZ_ASSERT(memchr(errbuf, '\0', errlen) != NULL);
	FUZZ_ASSERT(errbuf[0] != '\0');
	for (p = errbuf; *p; p++)
		FUZZ_ASSERT((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7f);
}

/* check an accepted URI and its round trip */
static void
check_uri(const ScimUri *u, size_t size)
{
	ScimUri		again;
	char		errbuf[256];
	char	   *enc;
	size_t		o = 0;
	size_t		need = 2;
	int			i;
	int			j;

	FUZZ_ASSERT(u->nsegments >= 0 && u->nsegments <= SCIM_URI_MAX_SEGMENTS);
	FUZZ_ASSERT(u->nparams >= 0 && u->nparams <= SCIM_URI_MAX_PARAMS);
	for (i = 0; i < u->nsegments; i++)
	{
		FUZZ_ASSERT(u->segments[i] != NULL && u->segments[i][0] != '\0');
		FUZZ_ASSERT(strlen(u->segments[i]) <= size);
		FUZZ_ASSERT(valid_utf8((const unsigned char *) u->segments[i]));
		need += 1 + 3 * strlen(u->segments[i]);
	}
	for (i = 0; i < u->nparams; i++)
	{
		const char *v;

		FUZZ_ASSERT(u->params[i].name != NULL && u->params[i].name[0] != '\0');
		FUZZ_ASSERT(u->params[i].value != NULL);
		FUZZ_ASSERT(strlen(u->params[i].name) + strlen(u->params[i].value) <= size);
		FUZZ_ASSERT(valid_utf8((const unsigned char *) u->params[i].name));
		FUZZ_ASSERT(valid_utf8((const unsigned char *) u->params[i].value));
		need += 2 + 3 * (strlen(u->params[i].name) + strlen(u->params[i].value));

		/* ScimUriParam: the first parameter of that name, in any case */
		v = ScimUriParam(u, u->params[i].name);
		for (j = 0; j < u->nparams; j++)
			if (scim_strcasecmp(u->params[j].name, u->params[i].name) == 0)
				break;
		FUZZ_ASSERT(j <= i && v == u->params[j].value);
	}

	/* round trip: encode every piece again and parse the result */
	enc = malloc(need + 1);
	FUZZ_ASSERT(enc != NULL);
	for (i = 0; i < u->nsegments; i++)
	{
		enc[o++] = '/';
		encode(enc, &o, u->segments[i]);
	}
	for (i = 0; i < u->nparams; i++)
	{
		enc[o++] = i == 0 ? '?' : '&';
		encode(enc, &o, u->params[i].name);
		enc[o++] = '=';
		encode(enc, &o, u->params[i].value);
	}
	FUZZ_ASSERT(o <= need);
	enc[o] = '\0';
	if (!ScimUriParse(enc, o, "", &again, errbuf, sizeof(errbuf)))
		fprintf(stderr, "round trip of \"%s\" failed: %s\n", enc, errbuf);
	FUZZ_ASSERT(ScimUriParse(enc, o, "", &again, errbuf, sizeof(errbuf)));
	FUZZ_ASSERT(again.nsegments == u->nsegments && again.nparams == u->nparams);
	for (i = 0; i < u->nsegments; i++)
		FUZZ_ASSERT(strcmp(again.segments[i], u->segments[i]) == 0);
	for (i = 0; i < u->nparams; i++)
		FUZZ_ASSERT(strcmp(again.params[i].name, u->params[i].name) == 0 &&
					strcmp(again.params[i].value, u->params[i].value) == 0);
	free(enc);
}

/* Parse one input with and without the prefix; check both; free the arena */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *uri = (const char *) data;
	ScimUri    *with = malloc(sizeof(ScimUri));
	ScimUri    *without = malloc(sizeof(ScimUri));
	char		errbuf[256];
	char		tiny[8];
	bool		ok_with;
	bool		ok_without;

	FUZZ_ASSERT(with != NULL && without != NULL);
	memset(errbuf, 0x7f, sizeof(errbuf));
	ok_with = ScimUriParse(uri, size, PREFIX, with, errbuf, sizeof(errbuf));
	if (ok_with)
		check_uri(with, size);
	else
		check_error(errbuf, sizeof(errbuf));

	/* a short error buffer is truncated, never overrun */
	if (!ok_with)
	{
		FUZZ_ASSERT(!ScimUriParse(uri, size, PREFIX, with, tiny, sizeof(tiny)));
		FUZZ_ASSERT(memchr(tiny, '\0', sizeof(tiny)) != NULL);
		FUZZ_ASSERT(!ScimUriParse(uri, size, PREFIX, with, NULL, 0));
	}

	memset(errbuf, 0x7f, sizeof(errbuf));
	ok_without = ScimUriParse(uri, size, "", without, errbuf, sizeof(errbuf));
	if (ok_without)
		check_uri(without, size);
	else
		check_error(errbuf, sizeof(errbuf));

	/*
	 * The prefix only removes its own two segments ("scim", "v2"), so the
	 * rest must agree.  The other way round does not hold: without the prefix
	 * two more segments count against the limit.
	 */
	if (ok_with && ok_without)
	{
		int			i;

		FUZZ_ASSERT(without->nsegments == with->nsegments + 2);
		FUZZ_ASSERT(strcmp(without->segments[0], "scim") == 0 &&
					strcmp(without->segments[1], "v2") == 0);
		for (i = 0; i < with->nsegments; i++)
			FUZZ_ASSERT(strcmp(without->segments[i + 2], with->segments[i]) == 0);
		FUZZ_ASSERT(without->nparams == with->nparams);
	}
	if (ok_with)
		FUZZ_ASSERT(ok_without || without->nsegments == SCIM_URI_MAX_SEGMENTS ||
					strstr(errbuf, "path segments") != NULL);

	free(with);
	free(without);
	scim_fuzz_reset();
	return 0;
}
