/*-------------------------------------------------------------------------
 *
 * pure.h
 *	  Allocation hooks for the backend-independent parsers.
 *
 * The JSON, filter, attribute-path and URI parsers do not include any
 * PostgreSQL header, so that they can be unit-tested and fuzzed as plain
 * programs.  They allocate through the functions declared here: inside the
 * server they are palloc wrappers (pure_backend.c), in the unit tests and
 * fuzzers plain malloc (test/unit/pure_frontend.c).
 *
 * src/pure.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_PURE_H
#define SCIM_PURE_H

#include <stdbool.h>
#include <stddef.h>

/* zero-filled allocation; never returns NULL (errors out instead) */
extern void *scim_alloc(size_t size);
extern void *scim_realloc(void *ptr, size_t size);
extern char *scim_strndup(const char *s, size_t len);

/* ASCII case-insensitive comparison, independent of locale */
extern int	scim_strcasecmp(const char *a, const char *b);
extern int	scim_strncasecmp(const char *a, const char *b, size_t n);

/* UTF-8: the length of the valid sequence at s (0 if invalid: overlong
 * forms, surrogates and code points above U+10FFFF included), and the
 * encoding of code point cp into out (1 to 4 bytes) */
extern int	scim_utf8_length(const unsigned char *s, size_t avail);
extern size_t scim_utf8_encode(unsigned int cp, char *out);

#endif							/* SCIM_PURE_H */
