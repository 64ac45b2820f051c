/*-------------------------------------------------------------------------
 *
 * pure_str.c
 *	  Locale-independent string helpers shared by the pure parsers.
 *
 * These are linked both into the server module and into the unit tests and
 * fuzzers, so they depend on nothing but pure.h.  Only ASCII letters fold:
 * SCIM attribute names and keywords are ASCII, and folding must not depend
 * on the server's locale.
 *
 * src/pure_str.c
 *
 *-------------------------------------------------------------------------
 */
#include "pure.h"

/* forward declarations */
static unsigned char ascii_lower(unsigned char c);


/* Fold an ASCII upper-case letter to lower case */
static unsigned char
ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + ('a' - 'A')) : c;
}

/* Compare two NUL-terminated strings, ignoring ASCII case */
int
scim_strcasecmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *) a;
	const unsigned char *y = (const unsigned char *) b;

	for (;;)
	{
		unsigned char cx = ascii_lower(*x++);
		unsigned char cy = ascii_lower(*y++);

		if (cx != cy)
			return (int) cx - (int) cy;
		if (cx == '\0')
			return 0;
	}
}

/* Compare at most n bytes of two strings, ignoring ASCII case */
int
scim_strncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *) a;
	const unsigned char *y = (const unsigned char *) b;

	for (; n > 0; n--)
	{
		unsigned char cx = ascii_lower(*x++);
		unsigned char cy = ascii_lower(*y++);

		if (cx != cy)
			return (int) cx - (int) cy;
		if (cx == '\0')
			return 0;
	}
	return 0;
}
