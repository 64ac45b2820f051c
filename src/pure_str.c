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
#include <stdint.h>

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
	return scim_strncasecmp(a, b, SIZE_MAX);
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

/* Length of the valid UTF-8 sequence at s (avail bytes left), 0 if invalid */
int
scim_utf8_length(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	int			need;
	int			k;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;			/* no UTF-16 surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		need = 4;
		if (c == 0xF0)
			lo = 0x90;			/* no overlong forms */
		else if (c == 0xF4)
			hi = 0x8F;			/* nothing above U+10FFFF */
	}
	else
		return 0;

	if (avail < (size_t) need || s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k < need; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return need;
}

/* Write code point cp (1..0x10FFFF, not a surrogate) as UTF-8 */
size_t
scim_utf8_encode(unsigned int cp, char *out)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}
