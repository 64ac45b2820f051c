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

#endif							/* SCIM_PURE_H */
