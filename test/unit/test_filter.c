/*-------------------------------------------------------------------------
 *
 * test_filter.c
 *	  Data-driven unit test of the SCIM filter and path parser, printing TAP.
 *
 * Each non-comment, non-blank line of filter_cases.txt is
 *
 *		KIND <TAB> input <TAB> expected
 *
 * KIND is F (ScimFilterParse), P (ScimPatchPathParse) or A
 * (ScimAttrPathParse).  The input is taken byte for byte (no escapes; it
 * cannot contain a tab or a newline) and handed to the parser in a buffer of
 * exactly its length, so AddressSanitizer catches any read past the end.
 * expected is one of
 *
 *		F:	the ScimFilterToString rendering, e.g.
 *			(and (eq userName "bjensen") (pr title))
 *		A:	(attr URN ATTR SUB)
 *		P:	(path URN ATTR SUB FILTER SUBATTR)
 *		any:	ERROR <code> <pos>, code being invalidFilter, invalidPath,
 *			tooLong or tooDeep, pos the byte offset of ScimParseError
 *
 * where an absent URN, SUB, FILTER or SUBATTR is written "-" and FILTER is
 * a ScimFilterToString rendering.  For every error the message must also
 * be printable ASCII and mention "position <pos>".
 *
 * Cases that cannot be written in the file (limits, NUL bytes, tabs,
 * invalid UTF-8, node structure, random mutations) are generated below.
 *
 * Usage: test_filter [cases-file]; by default filter_cases.txt in the
 * current directory or in the directory of the binary.
 *
 * test/unit/test_filter.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

/* TAP lines are collected here, so that the plan can come first */
typedef struct Output
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Output;

static Output out;
static int	ntests = 0;
static int	nfailed = 0;

/* forward declarations */
static void out_printf(const char *fmt,...)
			__attribute__((format(printf, 1, 2)));
static void tap(bool ok, const char *desc, const char *got,
				const char *expected);
extern void scim_frontend_reset(void);	/* pure_frontend.c */
static char *dupf(const char *fmt,...)
			__attribute__((format(printf, 1, 2)));
static const char *code_name(ScimParseCode code);
static bool message_ok(const ScimParseError *err);
static char *copy_exact(const char *s, size_t len);
static void render_attr(char *buf, size_t size, const ScimAttrPath *p,
						bool bare);
static char *run_case(char kind, const char *input, size_t len);
static void check(const char *desc, char kind, const char *input, size_t len,
				  const char *expected);
static int	run_file(const char *path);
static char *repeat(const char *prefix, const char *unit, int times,
					const char *suffix);
static char *nest(const char *prefix, const char *open, int times,
				  const char *middle, const char *close, const char *suffix);
static void generated_tests(void);
static void structure_tests(void);
static void mutation_tests(void);


/* Append formatted text to the TAP output buffer */
static void
out_printf(const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (out.len + n + 1 > out.cap)
	{
		out.cap = (out.len + n + 1) * 2;
		out.data = realloc(out.data, out.cap);
		if (out.data == NULL)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(out.data + out.len, n + 1, fmt, ap);
	va_end(ap);
	out.len += n;
}

/* Record one test result; '#' in descriptions is escaped for TAP */
static void
tap(bool ok, const char *desc, const char *got, const char *expected)
{
	const char *p;

	ntests++;
	if (!ok)
		nfailed++;
	out_printf("%sok %d - ", ok ? "" : "not ", ntests);
	for (p = desc; *p; p++)
	{
		if (*p == '#')
			out_printf("\\#");
		else if ((unsigned char) *p < 0x20)
			out_printf("\\x%02X", (unsigned char) *p);
		else
			out_printf("%c", *p);
	}
	out_printf("\n");
	if (!ok)
	{
		out_printf("# got:      %s\n", got ? got : "(null)");
		if (expected)
			out_printf("# expected: %s\n", expected);
	}
}

/* Format into a new malloc'd string */
static char *
dupf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = malloc(n + 1);
	if (s == NULL)
		abort();
	va_start(ap, fmt);
	vsnprintf(s, n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The name used in the cases file for a parse code */
static const char *
code_name(ScimParseCode code)
{
	switch (code)
	{
		case SCIM_PARSE_OK:
			return "ok";
		case SCIM_PARSE_INVALID_FILTER:
			return "invalidFilter";
		case SCIM_PARSE_INVALID_PATH:
			return "invalidPath";
		case SCIM_PARSE_TOO_LONG:
			return "tooLong";
		case SCIM_PARSE_TOO_DEEP:
			return "tooDeep";
	}
	return "?";
}

/* An error message is printable ASCII and names its position */
static bool
message_ok(const ScimParseError *err)
{
	char		needle[32];
	const char *p;

	if (memchr(err->message, '\0', sizeof(err->message)) == NULL)
		return false;
	for (p = err->message; *p; p++)
		if ((unsigned char) *p < 0x20 || (unsigned char) *p > 0x7e)
			return false;
	snprintf(needle, sizeof(needle), "position %d", err->pos);
	return strstr(err->message, needle) != NULL;
}

/* A copy of s without a terminating NUL, to catch reads past the end */
static char *
copy_exact(const char *s, size_t len)
{
	char	   *buf = malloc(len > 0 ? len : 1);

	if (buf == NULL)
		abort();
	memcpy(buf, s, len);
	return buf;
}

/* "(attr URN ATTR SUB)", or "URN ATTR SUB" when bare */
static void
render_attr(char *buf, size_t size, const ScimAttrPath *p, bool bare)
{
	snprintf(buf, size, "%s%s %s %s%s", bare ? "" : "(attr ",
			 p->urn ? p->urn : "-", p->attr ? p->attr : "(null)",
			 p->sub ? p->sub : "-", bare ? "" : ")");
}

/* Parse input as kind F, P or A and render the result or the error */
static char *
run_case(char kind, const char *input, size_t len)
{
	ScimParseError err;
	char	   *buf = copy_exact(input, len);
	char	   *result = NULL;
	char		attr[SCIM_FILTER_MAX_LENGTH + 100];
	bool		ok;

	memset(&err, 0x7f, sizeof(err));
	if (kind == 'F')
	{
		ScimFilterNode *node = ScimFilterParse(buf, len, &err);

		ok = node != NULL;
		if (ok)
			result = dupf("%s", ScimFilterToString(node));
	}
	else if (kind == 'P')
	{
		ScimPatchPath path;

		ok = ScimPatchPathParse(buf, len, &path, &err);
		if (ok)
		{
			render_attr(attr, sizeof(attr), &path.attr, true);
			result = dupf("(path %s %s %s)", attr,
						  path.filter ? ScimFilterToString(path.filter) : "-",
						  path.subattr ? path.subattr : "-");
		}
	}
	else
	{
		ScimAttrPath path;

		ok = ScimAttrPathParse(buf, len, &path, &err);
		if (ok)
		{
			render_attr(attr, sizeof(attr), &path, false);
			result = dupf("%s", attr);
		}
	}
	if (!ok)
	{
		if (err.code == SCIM_PARSE_OK)
			result = dupf("failed with code ok");
		else if (!message_ok(&err))
			result = dupf("ERROR %s %d with a bad message",
						  code_name(err.code), err.pos);
		else
			result = dupf("ERROR %s %d", code_name(err.code),
						  err.pos);
	}
	else if (err.code != SCIM_PARSE_OK)
	{
		free(result);
		result = dupf("succeeded with code %s", code_name(err.code));
	}
	free(buf);
	scim_frontend_reset();
	return result;
}

/* Run one case and record the result */
static void
check(const char *desc, char kind, const char *input, size_t len,
	  const char *expected)
{
	char	   *got = run_case(kind, input, len);

	tap(strcmp(got, expected) == 0, desc, got, expected);
	free(got);
}

/* Run every case of the file; returns the number of cases */
static int
run_file(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[20000];
	char		desc[200];
	int			lineno = 0;
	int			cases = 0;

	if (f == NULL)
	{
		tap(false, "open cases file", path, NULL);
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char	   *input;
		char	   *expected;
		size_t		n = strlen(line);

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		input = strchr(line, '\t');
		expected = input ? strchr(input + 1, '\t') : NULL;
		if (input != line + 1 || expected == NULL ||
			strchr("FPA", line[0]) == NULL)
		{
			snprintf(desc, sizeof(desc), "line %d is well-formed", lineno);
			tap(false, desc, line, NULL);
			continue;
		}
		*input++ = '\0';
		*expected++ = '\0';
		snprintf(desc, sizeof(desc), "line %d: %c %.100s%s", lineno, line[0],
				 input, strlen(input) > 100 ? "..." : "");
		check(desc, line[0], input, strlen(input), expected);
		cases++;
	}
	fclose(f);
	return cases;
}

/* prefix + times * unit + suffix, malloc'd */
static char *
repeat(const char *prefix, const char *unit, int times, const char *suffix)
{
	size_t		ul = strlen(unit);
	char	   *s = malloc(strlen(prefix) + ul * times + strlen(suffix) + 1);
	char	   *p;
	int			i;

	if (s == NULL)
		abort();
	p = s + strlen(prefix);
	strcpy(s, prefix);
	for (i = 0; i < times; i++, p += ul)
		memcpy(p, unit, ul);
	strcpy(p, suffix);
	return s;
}

/* prefix + times * open + middle + times * close + suffix, malloc'd */
static char *
nest(const char *prefix, const char *open, int times, const char *middle,
	 const char *close, const char *suffix)
{
	char	   *inner = repeat(prefix, open, times, middle);
	char	   *s = repeat(inner, close, times, suffix);

	free(inner);
	return s;
}

/* Limits, bytes that the cases file cannot hold, whitespace */
static void
generated_tests(void)
{
	char	   *s;
	char	   *t;
	char		exp[64];

	/* length: exactly SCIM_FILTER_MAX_LENGTH bytes is fine, one more is not */
	s = repeat("userName eq \"", "a", SCIM_FILTER_MAX_LENGTH - 14, "\"");
	t = run_case('F', s, strlen(s));
	tap(strlen(s) == SCIM_FILTER_MAX_LENGTH &&
		strncmp(t, "(eq userName \"aaa", 17) == 0,
		"filter of exactly 8192 bytes parses", t, NULL);
	free(t);
	free(s);
	s = repeat("userName eq \"", "a", SCIM_FILTER_MAX_LENGTH - 13, "\"");
	check("filter of 8193 bytes", 'F', s, strlen(s), "ERROR tooLong 8192");
	check("path of 8193 bytes", 'P', s, strlen(s), "ERROR tooLong 8192");
	check("attribute path of 8193 bytes", 'A', s, strlen(s),
		  "ERROR tooLong 8192");
	free(s);
	s = repeat("", "a", SCIM_FILTER_MAX_LENGTH, "");
	t = run_case('A', s, strlen(s));
	tap(strncmp(t, "(attr - aaaa", 12) == 0, "attribute path of 8192 bytes",
		t, NULL);
	free(t);
	free(s);
	s = repeat("", " ", 100000, "x pr");
	check("filter of 100004 bytes", 'F', s, strlen(s), "ERROR tooLong 8192");
	free(s);

	/* depth: 32 levels of nesting are fine, 33 are not */
	s = nest("", "(", 32, "a pr", ")", "");
	check("32 nested parentheses", 'F', s, strlen(s), "(pr a)");
	free(s);
	s = nest("", "(", 33, "a pr", ")", "");
	check("33 nested parentheses", 'F', s, strlen(s), "ERROR tooDeep 32");
	free(s);
	s = repeat("", "(", 8000, "");
	check("8000 open parentheses", 'F', s, strlen(s), "ERROR tooDeep 32");
	free(s);
	s = nest("", "not(", 32, "a pr", ")", "");
	t = run_case('F', s, strlen(s));
	tap(strncmp(t, "(not (not (not", 14) == 0, "32 nested not()", t, NULL);
	free(t);
	free(s);
	s = nest("", "not (", 33, "a pr", ")", "");
	check("33 nested not ()", 'F', s, strlen(s), "ERROR tooDeep 160");
	free(s);
	s = nest("", "(", 31, "a[b pr]", ")", "");
	check("31 parentheses and a bracket", 'F', s, strlen(s),
		  "(vp a (pr b))");
	free(s);
	s = nest("", "(", 32, "a[b pr]", ")", "");
	check("32 parentheses and a bracket", 'F', s, strlen(s),
		  "ERROR tooDeep 33");
	free(s);
	s = nest("a[", "(", 31, "b pr", ")", "]");
	check("a bracket and 31 parentheses", 'F', s, strlen(s),
		  "(vp a (pr b))");
	free(s);
	s = nest("a[", "(", 32, "b pr", ")", "]");
	check("a bracket and 32 parentheses", 'F', s, strlen(s),
		  "ERROR tooDeep 33");
	free(s);
	s = nest("a[", "(", 31, "b pr", ")", "].c");
	check("path: a bracket and 31 parentheses", 'P', s, strlen(s),
		  "(path - a - (pr b) c)");
	free(s);
	s = nest("a[", "(", 32, "b pr", ")", "]");
	check("path: a bracket and 32 parentheses", 'P', s, strlen(s),
		  "ERROR tooDeep 33");
	free(s);
	/* a long flat chain is not deep */
	s = repeat("a pr", " and a pr", 400, "");
	t = run_case('F', s, strlen(s));
	tap(strncmp(t, "(and (and (and", 14) == 0, "400 and-ed terms", t, NULL);
	free(t);
	free(s);

	/* nodes: k terms joined by "or" make 2k - 1 nodes */
	s = repeat("a pr", " or a pr", 499, "");
	t = run_case('F', s, strlen(s));
	tap(strncmp(t, "(or (or", 7) == 0, "999 nodes", t, NULL);
	free(t);
	free(s);
	s = repeat("not(a pr", " or a pr", 499, ")");
	t = run_case('F', s, strlen(s));
	tap(strncmp(t, "(not (or (or", 12) == 0, "1000 nodes", t, NULL);
	free(t);
	free(s);
	/* node 1001 is the 500th "or", at 4 + 499 * 8 + 1 */
	s = repeat("a pr", " or a pr", 500, "");
	snprintf(exp, sizeof(exp), "ERROR tooLong %d", 4 + 499 * 8 + 1);
	check("1001 nodes", 'F', s, strlen(s), exp);
	free(s);
	s = repeat("a[b pr", " or b pr", 500, "]");
	snprintf(exp, sizeof(exp), "ERROR tooLong %d", 6 + 499 * 8 + 1);
	check("1001 nodes inside brackets", 'F', s, strlen(s), exp);
	check("path: 1001 nodes inside brackets", 'P', s, strlen(s), exp);
	free(s);
	s = repeat("a pr", " and a pr", 500, "");
	snprintf(exp, sizeof(exp), "ERROR tooLong %d", 4 + 499 * 9 + 1);
	check("1001 nodes, the last an and", 'F', s, strlen(s), exp);
	free(s);
	s = repeat("", "a pr or ", 500, "not(a pr)");
	check("1001 nodes, the last a not", 'F', s, strlen(s),
		  "ERROR tooLong 4000");
	free(s);
	s = repeat("a pr", " or a pr", 499, " or c[d pr]");
	check("1001 nodes, the last a value path", 'F', s, strlen(s),
		  "ERROR tooLong 4000");
	free(s);
	s = repeat("not(a pr", " or a pr", 499, ") or b eq 1");
	check("1001 nodes, the last a comparison", 'F', s, strlen(s),
		  "ERROR tooLong 4005");
	free(s);
	s = repeat("a pr", " or a pr", 1000, "");
	t = run_case('F', s, strlen(s));
	tap(strncmp(t, "ERROR tooLong", 13) == 0, "1999 nodes", t, NULL);
	free(t);
	free(s);

	/* whitespace: tabs and runs of blanks between tokens */
	check("tabs between tokens", 'F', "userName\teq\t\"x\"", 15,
		  "(eq userName \"x\")");
	check("tabs and spaces", 'F', " \t(\t userName  \t eq \"x\" )\t", 26,
		  "(eq userName \"x\")");
	check("tab in path", 'P', "\tmembers[value eq \"x\"]\t", 23,
		  "(path - members - (eq value \"x\") -)");
	check("raw tab inside a string", 'F', "a eq \"x\ty\"", 10,
		  "ERROR invalidFilter 7");
	check("newline between tokens", 'F', "a pr\nand b pr", 13,
		  "ERROR invalidFilter 4");
	check("carriage return", 'F', "a pr\r", 5, "ERROR invalidFilter 4");
	check("form feed", 'F', "a\fpr", 4, "ERROR invalidFilter 1");
	check("raw newline inside a string", 'F', "a eq \"x\ny\"", 10,
		  "ERROR invalidFilter 7");

	/* NUL bytes */
	check("NUL byte between tokens", 'F', "userName\0eq \"x\"", 15,
		  "ERROR invalidFilter 8");
	check("NUL byte inside a string", 'F', "userName eq \"a\0b\"", 17,
		  "ERROR invalidFilter 14");
	check("NUL byte at the end", 'F', "title pr\0", 9,
		  "ERROR invalidFilter 8");
	check("NUL byte only", 'F', "\0", 1, "ERROR invalidFilter 0");
	check("NUL byte in a path", 'P', "members\0", 8, "ERROR invalidPath 7");
	check("NUL byte in a path filter", 'P', "members[value eq \"\0\"]", 21,
		  "ERROR invalidFilter 18");
	check("NUL byte in an attribute path", 'A', "name\0.x", 7,
		  "ERROR invalidPath 4");
	check("text after a NUL byte is not ignored", 'F', "a pr\0 zz", 8,
		  "ERROR invalidFilter 4");

	/* UTF-8 inside strings */
	check("raw 2-byte UTF-8", 'F', "a eq \"\xC3\xA9\"", 9, "(eq a \"\xC3\xA9\")");
	check("raw 3-byte UTF-8", 'F', "a eq \"\xE2\x82\xAC\"", 10,
		  "(eq a \"\xE2\x82\xAC\")");
	check("raw 4-byte UTF-8", 'F', "a eq \"\xF0\x9F\x98\x80\"", 11,
		  "(eq a \"\xF0\x9F\x98\x80\")");
	check("U+10FFFF", 'F', "a eq \"\xF4\x8F\xBF\xBF\"", 11,
		  "(eq a \"\xF4\x8F\xBF\xBF\")");
	check("\\uDBFF\\uDFFF is U+10FFFF", 'F', "a eq \"\\uDBFF\\uDFFF\"", 19,
		  "(eq a \"\xF4\x8F\xBF\xBF\")");
	check("\\u07FF", 'F', "a eq \"\\u07FF\"", 13, "(eq a \"\xDF\xBF\")");
	check("\\u0800", 'F', "a eq \"\\u0800\"", 13, "(eq a \"\xE0\xA0\x80\")");
	check("\\uFFFF", 'F', "a eq \"\\uFFFF\"", 13, "(eq a \"\xEF\xBF\xBF\")");
	check("invalid continuation byte", 'F', "a eq \"\xC3\x28\"", 9,
		  "ERROR invalidFilter 6");
	check("lone continuation byte", 'F', "a eq \"x\x80\"", 9,
		  "ERROR invalidFilter 7");
	check("overlong 2-byte form", 'F', "a eq \"\xC0\xAF\"", 9,
		  "ERROR invalidFilter 6");
	check("overlong 3-byte form", 'F', "a eq \"\xE0\x80\xAF\"", 10,
		  "ERROR invalidFilter 6");
	check("overlong 4-byte form", 'F', "a eq \"\xF0\x80\x80\xAF\"", 11,
		  "ERROR invalidFilter 6");
	check("UTF-8 encoded surrogate", 'F', "a eq \"\xED\xA0\x80\"", 10,
		  "ERROR invalidFilter 6");
	check("above U+10FFFF", 'F', "a eq \"\xF4\x90\x80\x80\"", 11,
		  "ERROR invalidFilter 6");
	check("0xF5 lead byte", 'F', "a eq \"\xF5\x80\x80\x80\"", 11,
		  "ERROR invalidFilter 6");
	check("0xFF byte", 'F', "a eq \"\xFF\"", 8, "ERROR invalidFilter 6");
	check("invalid third byte", 'F', "a eq \"\xE2\x82\x28\"", 10,
		  "ERROR invalidFilter 6");
	check("invalid fourth byte", 'F', "a eq \"\xF0\x9F\x98\x28\"", 11,
		  "ERROR invalidFilter 6");
	check("sequence cut by the closing quote", 'F', "a eq \"\xE2\x82\"", 9,
		  "ERROR invalidFilter 6");
	check("sequence cut by the end of input", 'F', "a eq \"\xE2\x82", 8,
		  "ERROR invalidFilter 5");
	check("DEL inside a string", 'F', "a eq \"\x7F\"", 8,
		  "(eq a \"\x7F\")");
	check("control character 0x01", 'F', "a eq \"\x01\"", 8,
		  "ERROR invalidFilter 6");
	check("control character 0x1F", 'F', "a eq \"\x1F\"", 8,
		  "ERROR invalidFilter 6");
	check("UTF-8 outside a string", 'F', "a eq \"x\" \xC3\xA9", 11,
		  "ERROR invalidFilter 9");
	check("invalid UTF-8 outside a string", 'F', "\xFF pr", 4,
		  "ERROR invalidFilter 0");
	check("DEL outside a string", 'F', "a\x7F pr", 5,
		  "ERROR invalidFilter 1");
	check("escape before a NUL byte", 'F', "a eq \"\\\0\"", 9,
		  "ERROR invalidFilter 6");
	check("backslash as the last byte", 'F', "a eq \"\\", 7,
		  "ERROR invalidFilter 5");
	check("\\u cut by the end of input", 'F', "a eq \"\\u00", 10,
		  "ERROR invalidFilter 5");

	/* empty inputs */
	check("empty filter", 'F', "", 0, "ERROR invalidFilter 0");
	check("empty path", 'P', "", 0, "ERROR invalidPath 0");
	check("empty attribute path", 'A', "", 0, "ERROR invalidPath 0");
}

/* The tree itself, beyond its rendering; pure_str; NULL arguments */
static void
structure_tests(void)
{
	const char *f;
	ScimFilterNode *n;
	ScimParseError err;
	ScimPatchPath pp;
	ScimAttrPath ap;
	char	   *s;

	f = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"x\"";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(n && n->op == SCIM_FOP_EQ && n->pos == 0 &&
		strcmp(n->path.urn, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") == 0 &&
		strcmp(n->path.attr, "manager") == 0 &&
		strcmp(n->path.sub, "value") == 0 &&
		n->vkind == SCIM_VAL_STRING && n->valuelen == 1 &&
		strcmp(n->value, "x") == 0 && !n->left && !n->right,
		"enterprise URN is split at the last colon", err.message, NULL);

	f = "emails[type eq \"work\"].value eq \"x\"";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(n && n->op == SCIM_FOP_VALUEPATH && n->pos == 0 &&
		n->path.urn == NULL && strcmp(n->path.attr, "emails") == 0 &&
		n->path.sub == NULL && n->vkind == SCIM_VAL_NONE &&
		n->right == NULL && n->left && n->left->op == SCIM_FOP_AND &&
		n->left->pos == 22 &&
		n->left->left->op == SCIM_FOP_EQ && n->left->left->pos == 7 &&
		strcmp(n->left->left->path.attr, "type") == 0 &&
		n->left->right->op == SCIM_FOP_EQ && n->left->right->pos == 23 &&
		n->left->right->path.urn == NULL &&
		strcmp(n->left->right->path.attr, "value") == 0 &&
		n->left->right->path.sub == NULL,
		"Entra valuePath.sub filter becomes a value path", err.message, NULL);

	f = "a pr or not(b pr)";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(n && n->op == SCIM_FOP_OR && n->pos == 5 &&
		n->left->op == SCIM_FOP_PR && n->left->vkind == SCIM_VAL_NONE &&
		n->left->value == NULL && n->right->op == SCIM_FOP_NOT &&
		n->right->pos == 8 && n->right->right == NULL &&
		n->right->left->op == SCIM_FOP_PR && n->right->left->pos == 12,
		"node positions", err.message, NULL);

	f = "a eq \"\\u00e9\\\"\"";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(n && n->valuelen == 3 && memcmp(n->value, "\xC3\xA9\"", 4) == 0,
		"unescaped string value and its length", err.message, NULL);

	f = "a eq -1.5E+3";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(n && n->vkind == SCIM_VAL_NUMBER && n->valuelen == 7 &&
		strcmp(n->value, "-1.5E+3") == 0, "number kept as written",
		err.message, NULL);

	f = "a eq TRUE or a eq False or a eq nULL";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(n && n->right->vkind == SCIM_VAL_NULL &&
		strcmp(n->right->value, "null") == 0 &&
		n->left->right->vkind == SCIM_VAL_FALSE &&
		strcmp(n->left->right->value, "false") == 0 &&
		n->left->left->vkind == SCIM_VAL_TRUE &&
		strcmp(n->left->left->value, "true") == 0,
		"literal kinds, with lower-case text", err.message, NULL);

	f = "members[value eq \"x\"].display";
	tap(ScimPatchPathParse(f, strlen(f), &pp, &err) &&
		pp.attr.urn == NULL && strcmp(pp.attr.attr, "members") == 0 &&
		pp.attr.sub == NULL && pp.filter && pp.filter->op == SCIM_FOP_EQ &&
		pp.filter->pos == 8 && strcmp(pp.subattr, "display") == 0,
		"patch path fields", err.message, NULL);

	f = "members[value eq \"x\"";
	tap(!ScimPatchPathParse(f, strlen(f), &pp, &err) &&
		pp.attr.attr == NULL && pp.filter == NULL && pp.subattr == NULL,
		"failed patch path is cleared", err.message, NULL);

	f = "name..x";
	tap(!ScimAttrPathParse(f, strlen(f), &ap, &err) && ap.attr == NULL &&
		ap.urn == NULL && ap.sub == NULL,
		"failed attribute path is cleared", err.message, NULL);

	tap(ScimFilterParse("a pr", 4, NULL) != NULL &&
		ScimFilterParse("a zz", 4, NULL) == NULL &&
		ScimPatchPathParse("a", 1, &pp, NULL) &&
		!ScimPatchPathParse("a[", 2, &pp, NULL) &&
		ScimAttrPathParse("a", 1, &ap, NULL) &&
		!ScimAttrPathParse("1", 1, &ap, NULL),
		"a NULL error pointer is allowed", NULL, NULL);

	tap(ScimFilterParse(NULL, 0, &err) == NULL &&
		err.code == SCIM_PARSE_INVALID_FILTER && err.pos == 0,
		"NULL text is an empty filter", err.message, NULL);

	n = ScimFilterParse("a pr", 4, &err);
	tap(n && err.code == SCIM_PARSE_OK && err.pos == 0 &&
		err.message[0] == '\0', "success clears the error", err.message,
		NULL);

	s = ScimFilterToString(NULL);
	tap(s && s[0] == '\0', "ScimFilterToString(NULL) is empty", s, NULL);

	f = "a zz 1";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(!n && strcmp(err.message, "unknown operator \"zz\" at position 2") == 0,
		"message for an unknown operator", err.message, NULL);
	f = "userName eq \"x\" zz";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(!n && strcmp(err.message, "unexpected token \"zz\" at position 16") == 0,
		"message for trailing garbage", err.message, NULL);
	f = "a eq 1 and b eq \"abc";
	n = ScimFilterParse(f, strlen(f), &err);
	tap(!n && strcmp(err.message, "unterminated string starting at position 16") == 0,
		"message for an unterminated string", err.message, NULL);

	tap(scim_strcasecmp("UserName", "uSERnAME") == 0 &&
		scim_strcasecmp("a", "b") < 0 && scim_strcasecmp("B", "a") > 0 &&
		scim_strcasecmp("ab", "a") > 0 && scim_strcasecmp("", "") == 0 &&
		scim_strcasecmp("\xC3\xA9", "\xC3\x89") != 0 &&
		scim_strncasecmp("URN:x", "urn:y", 4) == 0 &&
		scim_strncasecmp("URN:x", "urn:y", 5) != 0 &&
		scim_strncasecmp("ab", "AB", 10) == 0 &&
		scim_strncasecmp("x", "y", 0) == 0,
		"scim_strcasecmp and scim_strncasecmp fold ASCII only", NULL, NULL);
}

/*
 * Mutate valid inputs at random (fixed seed) and parse them, checking that
 * every outcome is either a tree that renders or a well-formed error.
 */
static void
mutation_tests(void)
{
	static const char *const seeds[] = {
		"userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")",
		"emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\"]",
		"emails[type eq \"work\"].value eq \"x\\u00e9\\ud83d\\ude00\"",
		"not (urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw \"J\") and a gt -1.5e3",
		"members[value eq \"2819c223\"].display",
	};
	static const char alphabet[] = "()[]\". \\u0aeEnotr:-1$\t\xC3\xA9\xFF";
	unsigned int rng = 12345;
	char		buf[256];
	int			round;
	int			bad = 0;
	char		badcase[300] = "";

	for (round = 0; round < 30000; round++)
	{
		const char *seed = seeds[round % 5];
		size_t		len = strlen(seed);
		int			edits;
		char	   *got;

		memcpy(buf, seed, len);
		for (edits = 1 + round % 4; edits > 0; edits--)
		{
			size_t		at;

			rng = rng * 1103515245 + 12345;
			at = (rng >> 8) % (len + 1);
			rng = rng * 1103515245 + 12345;
			switch ((rng >> 8) % 3)
			{
				case 0:			/* delete */
					if (at < len)
					{
						memmove(buf + at, buf + at + 1, len - at - 1);
						len--;
					}
					break;
				case 1:			/* insert */
					if (len < sizeof(buf) - 1)
					{
						memmove(buf + at + 1, buf + at, len - at);
						buf[at] = alphabet[(rng >> 16) %
										   (sizeof(alphabet) - 1)];
						len++;
					}
					break;
				default:		/* replace */
					if (at < len)
						buf[at] = alphabet[(rng >> 16) %
										   (sizeof(alphabet) - 1)];
					break;
			}
		}
		got = run_case("FPA"[round % 3], buf, len);
		if (strncmp(got, "ERROR ", 6) != 0 && got[0] != '(')
		{
			bad++;
			snprintf(badcase, sizeof(badcase), "%.*s -> %s", (int) len, buf,
					 got);
		}
		else if (strstr(got, "bad message") != NULL)
		{
			bad++;
			snprintf(badcase, sizeof(badcase), "%.*s -> %s", (int) len, buf,
					 got);
		}
		free(got);
	}
	tap(bad == 0, "30000 random mutations parse or fail cleanly", badcase,
		NULL);
}

int
main(int argc, char **argv)
{
	const char *path = "filter_cases.txt";
	char		alt[4096];
	FILE	   *probe;
	int			cases;

	if (argc > 1)
		path = argv[1];
	else if ((probe = fopen(path, "r")) != NULL)
		fclose(probe);
	else
	{
		const char *slash = strrchr(argv[0], '/');

		if (slash != NULL)
		{
			snprintf(alt, sizeof(alt), "%.*s/filter_cases.txt",
					 (int) (slash - argv[0]), argv[0]);
			path = alt;
		}
	}

	cases = run_file(path);
	tap(cases >= 200, "the cases file holds at least 200 cases", NULL, NULL);
	generated_tests();
	structure_tests();
	mutation_tests();

	printf("1..%d\n", ntests);
	if (out.len > 0)
		fwrite(out.data, 1, out.len, stdout);
	printf("# %d cases from %s, %d tests, %d failed\n", cases, path, ntests,
		   nfailed);
	free(out.data);
	return nfailed > 0 ? 1 : 0;
}
