/*-------------------------------------------------------------------------
 *
 * test_uri.c
 *	  TAP unit test of the request URI parser (src/uri_parse.c).
 *
 * Built by test/unit/Makefile and linked with the pure sources.  Prints
 * TAP ("1..N", then "ok K - desc" or "not ok K - desc") and exits
 * non-zero when a case fails.
 *
 * test/unit/test_uri.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

#define PREFIX "/scim/v2"

#define MAX_CASES 256

static int	ntests = 0;
static int	nfailed = 0;
static char results[MAX_CASES][160];	/* buffered so the plan comes first */

/* forward declarations */
static void check(bool cond, const char *desc);
static bool parse(const char *uri, ScimUri *out, char *err);
static bool segs_are(const ScimUri *u, int n,...);
static bool param_is(const ScimUri *u, int i, const char *name,
					 const char *value);
static bool fails(const char *uri, const char *needle);
static bool fails_len(const char *uri, size_t len, const char *needle);
static void run_tests(void);

/* report one case */
static void
check(bool cond, const char *desc)
{
	if (ntests >= MAX_CASES)
	{
		fprintf(stderr, "too many cases\n");
		exit(2);
	}
	ntests++;
	if (!cond)
		nfailed++;
	snprintf(results[ntests - 1], sizeof(results[0]), "%s %d - %s",
			 cond ? "ok" : "not ok", ntests, desc);
}

/* parse uri under PREFIX */
static bool
parse(const char *uri, ScimUri *out, char *err)
{
	return ScimUriParse(uri, strlen(uri), PREFIX, out, err, 256);
}

/* does u have exactly the n segments given? */
static bool
segs_are(const ScimUri *u, int n,...)
{
	va_list		ap;
	int			i;
	bool		same = (u->nsegments == n);

	va_start(ap, n);
	for (i = 0; i < n; i++)
	{
		const char *s = va_arg(ap, const char *);

		if (same && strcmp(u->segments[i], s) != 0)
			same = false;
	}
	va_end(ap);
	if (!same)
	{
		fprintf(stderr, "# got %d segments:", u->nsegments);
		for (i = 0; i < u->nsegments; i++)
			fprintf(stderr, " [%s]", u->segments[i]);
		fprintf(stderr, "\n");
	}
	return same;
}

/* is parameter i named name with value value? */
static bool
param_is(const ScimUri *u, int i, const char *name, const char *value)
{
	if (i >= u->nparams)
	{
		fprintf(stderr, "# only %d parameters\n", u->nparams);
		return false;
	}
	if (strcmp(u->params[i].name, name) != 0 ||
		strcmp(u->params[i].value, value) != 0)
	{
		fprintf(stderr, "# parameter %d is [%s]=[%s]\n", i,
				u->params[i].name, u->params[i].value);
		return false;
	}
	return true;
}

/* does parsing uri fail with a message containing needle? */
static bool
fails(const char *uri, const char *needle)
{
	return fails_len(uri, strlen(uri), needle);
}

/* the same, for input that may hold NUL bytes */
static bool
fails_len(const char *uri, size_t len, const char *needle)
{
	ScimUri		u;
	char		err[256];

	if (ScimUriParse(uri, len, PREFIX, &u, err, sizeof(err)))
	{
		fprintf(stderr, "# parsed, expected an error\n");
		return false;
	}
	if (strstr(err, needle) == NULL)
	{
		fprintf(stderr, "# error message: %s\n", err);
		return false;
	}
	return true;
}

/* every case */
static void
run_tests(void)
{
	ScimUri		u;
	char		err[256];
	char		buf[1024];
	bool		ok;
	int			i;

	/* path */
	ok = parse("/scim/v2/Users", &u, err);
	check(ok && segs_are(&u, 1, "Users") && u.nparams == 0,
		  "plain collection");

	ok = parse("/scim/v2/Users/2819c223-7f76-453a-919d-413861904646", &u, err);
	check(ok && segs_are(&u, 2, "Users", "2819c223-7f76-453a-919d-413861904646"),
		  "resource by id");

	ok = parse("/scim/v2/Users/", &u, err);
	check(ok && segs_are(&u, 1, "Users"), "trailing slash is ignored");

	ok = parse("/scim/v2//Users//abc//", &u, err);
	check(ok && segs_are(&u, 2, "Users", "abc"), "doubled slashes are ignored");

	ok = parse("/scim/v2", &u, err);
	check(ok && segs_are(&u, 0), "prefix alone has no segments");

	ok = parse("/scim/v2/", &u, err);
	check(ok && segs_are(&u, 0), "prefix with slash has no segments");

	ok = parse("/scim/v2?x=1", &u, err);
	check(ok && segs_are(&u, 0) && param_is(&u, 0, "x", "1"),
		  "query right after the prefix");

	ok = parse("/scim/v2/Users/a%2Fb", &u, err);
	check(ok && segs_are(&u, 2, "Users", "a/b"), "%2F stays inside its segment");

	ok = parse("/scim/v2/Users/a%2fb%2F", &u, err);
	check(ok && segs_are(&u, 2, "Users", "a/b/"), "lower-case %2f decodes too");

	ok = parse("/scim/v2/Users/%2e%2e", &u, err);
	check(ok && segs_are(&u, 2, "Users", ".."),
		  "%2e%2e is an ordinary segment, not resolved");

	ok = parse("/scim/v2/Users/../Groups", &u, err);
	check(ok && segs_are(&u, 3, "Users", "..", "Groups"),
		  "literal .. is not resolved either");

	ok = parse("/scim/v2/Users/a+b", &u, err);
	check(ok && segs_are(&u, 2, "Users", "a+b"), "'+' in a path stays a plus");

	ok = parse("/scim/v2/Users/%C3%A9t%C3%A9", &u, err);
	check(ok && segs_are(&u, 2, "Users", "\xC3\xA9t\xC3\xA9"),
		  "encoded UTF-8 in a segment");

	ok = parse("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", &u, err);
	check(ok && segs_are(&u, 2, "Schemas", "urn:ietf:params:scim:schemas:core:2.0:User"),
		  "schema URN as a segment");

	ok = parse("/scim/v2/Users#frag", &u, err);
	check(ok && segs_are(&u, 1, "Users") && u.nparams == 0, "fragment dropped");

	/* prefix */
	check(fails("/Users", "does not start with"), "missing prefix is an error");
	check(fails("/scim/v1/Users", "does not start with"), "other version is an error");
	check(fails("/scim/v2Users", "does not start with"),
		  "prefix must end at a segment boundary");
	check(fails("/SCIM/v2/Users", "does not start with"),
		  "prefix is case-sensitive");
	check(fails("", "does not start with"), "empty URI is an error");

	/* query */
	ok = parse("/scim/v2/Users?aadOptscim062020&filter=userName+eq+%22a%40b.c%22", &u, err);
	check(ok && segs_are(&u, 1, "Users") && u.nparams == 2 &&
		  param_is(&u, 0, "aadOptscim062020", "") &&
		  param_is(&u, 1, "filter", "userName eq \"a@b.c\""),
		  "Entra filter with a bare aadOptscim062020");
	check(ok && ScimUriParam(&u, "filter") != NULL &&
		  strcmp(ScimUriParam(&u, "filter"), "userName eq \"a@b.c\"") == 0,
		  "ScimUriParam finds the filter");

	ok = parse("/scim/v2/Users?aadOptscim062020=true", &u, err);
	check(ok && u.nparams == 1 && param_is(&u, 0, "aadOptscim062020", "true"),
		  "aadOptscim062020=true");

	ok = parse("/scim/v2/Users?STARTINDEX=3&Count=10", &u, err);
	check(ok && ScimUriParam(&u, "startIndex") &&
		  strcmp(ScimUriParam(&u, "startIndex"), "3") == 0 &&
		  strcmp(ScimUriParam(&u, "count"), "10") == 0,
		  "parameter names are case-insensitive");
	check(ok && param_is(&u, 0, "STARTINDEX", "3"),
		  "parameter names keep their case");

	ok = parse("/scim/v2/Users?filter=", &u, err);
	check(ok && param_is(&u, 0, "filter", ""), "empty value");

	ok = parse("/scim/v2/Users?attributes", &u, err);
	check(ok && u.nparams == 1 && param_is(&u, 0, "attributes", ""),
		  "parameter without '=' has the value \"\"");

	ok = parse("/scim/v2/Users?a=1&&b=2&", &u, err);
	check(ok && u.nparams == 2 && param_is(&u, 0, "a", "1") &&
		  param_is(&u, 1, "b", "2"), "empty pieces are skipped");

	ok = parse("/scim/v2/Users?=x&a=1", &u, err);
	check(ok && u.nparams == 1 && param_is(&u, 0, "a", "1"),
		  "empty parameter name is skipped");

	ok = parse("/scim/v2/Users?filter=a%3Db=c", &u, err);
	check(ok && param_is(&u, 0, "filter", "a=b=c"),
		  "value keeps '=' after the first one");

	ok = parse("/scim/v2/Users?filter=a%2Bb+c", &u, err);
	check(ok && param_is(&u, 0, "filter", "a+b c"), "%2B is a plus, '+' a space");

	ok = parse("/scim/v2/Users?sortBy=name.familyName&sortOrder=descending", &u, err);
	check(ok && strcmp(ScimUriParam(&u, "sortorder"), "descending") == 0,
		  "sortOrder");

	ok = parse("/scim/v2/Users?count=1&count=2", &u, err);
	check(ok && strcmp(ScimUriParam(&u, "count"), "1") == 0,
		  "first of repeated parameters wins");
	check(ok && ScimUriParam(&u, "startIndex") == NULL,
		  "absent parameter is NULL");

	ok = parse("/scim/v2/Users?filter=displayName+eq+%22caf%C3%A9%22", &u, err);
	check(ok && param_is(&u, 0, "filter", "displayName eq \"caf\xC3\xA9\""),
		  "encoded UTF-8 in a value");

	ok = parse("/scim/v2/Users?a=1?b=2", &u, err);
	check(ok && param_is(&u, 0, "a", "1?b=2"), "'?' inside the query is data");

	ok = parse("/scim/v2/Users/x%2Fy?excludedAttributes=members", &u, err);
	check(ok && segs_are(&u, 2, "Users", "x/y") &&
		  param_is(&u, 0, "excludedAttributes", "members"),
		  "segments and parameters together");

	/* malformed escapes and bytes */
	check(fails("/scim/v2/Users/%zz", "percent escape"), "%zz in a path is an error");
	check(fails("/scim/v2/Users?filter=%zz", "percent escape"),
		  "%zz in a value is an error");
	check(fails("/scim/v2/Users/%4", "percent escape"), "truncated escape %4");
	check(fails("/scim/v2/Users?x=%", "percent escape"), "lone % at the end");
	check(fails("/scim/v2/Users?%g1=1", "percent escape"), "bad escape in a name");
	check(fails("/scim/v2/Users/%00", "NUL"), "%00 in a path is an error");
	check(fails("/scim/v2/Users?filter=a%00b", "NUL"), "%00 in a value is an error");
	check(fails_len("/scim/v2/Users\0x", 16, "NUL"), "raw NUL byte is an error");
	check(fails("/scim/v2/Users/%C3", "UTF-8"), "truncated UTF-8 is an error");
	check(fails("/scim/v2/Users?filter=%FF", "UTF-8"),
		  "invalid UTF-8 byte in a value is an error");
	check(fails("/scim/v2/Users/%C0%AF", "UTF-8"), "overlong UTF-8 is an error");
	check(fails("/scim/v2/Users/%ED%A0%80", "UTF-8"), "encoded surrogate is an error");
	check(fails("/scim/v2/Users/\xC3(", "UTF-8"), "raw invalid UTF-8 is an error");

	/* limits */
	strcpy(buf, "/scim/v2");
	for (i = 0; i < SCIM_URI_MAX_SEGMENTS; i++)
		strcat(buf, "/s");
	ok = parse(buf, &u, err);
	check(ok && u.nsegments == SCIM_URI_MAX_SEGMENTS, "the maximum of segments");
	strcat(buf, "/s");
	check(fails(buf, "path segments"), "one segment too many");

	strcpy(buf, "/scim/v2/Users?");
	for (i = 0; i < SCIM_URI_MAX_PARAMS; i++)
		strcat(buf, "p=1&");
	ok = parse(buf, &u, err);
	check(ok && u.nparams == SCIM_URI_MAX_PARAMS, "the maximum of parameters");
	strcat(buf, "q");
	check(fails(buf, "query parameters"), "one parameter too many");

	/* calling conventions */
	check(!ScimUriParse("/x", 2, PREFIX, &u, NULL, 0),
		  "no error buffer is allowed");
	ok = ScimUriParse("/scim/v2/Users/abc", 14, PREFIX, &u, err, sizeof(err));
	check(ok && segs_are(&u, 1, "Users"), "len bounds the input");
}

int
main(void)
{
	int			i;

	run_tests();
	printf("1..%d\n", ntests);
	for (i = 0; i < ntests; i++)
		printf("%s\n", results[i]);
	if (nfailed > 0)
		fprintf(stderr, "# %d of %d failed\n", nfailed, ntests);
	return nfailed > 0 ? 1 : 0;
}
