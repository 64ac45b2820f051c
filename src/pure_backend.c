/*-------------------------------------------------------------------------
 *
 * pure_backend.c
 *	  The allocation hooks of pure.h, implemented with palloc.
 *
 * The pure parsers allocate in CurrentMemoryContext, so their trees live
 * exactly as long as the request that built them.
 *
 * src/pure_backend.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pure.h"

/* zeroed allocation in the current memory context */
void *
scim_alloc(size_t size)
{
	return palloc0(size);
}

/* grow (or allocate) a chunk in the current memory context */
void *
scim_realloc(void *ptr, size_t size)
{
	if (ptr == NULL)
		return palloc(size);
	return repalloc(ptr, size);
}

/* copy len bytes of s into a NUL-terminated string */
char *
scim_strndup(const char *s, size_t len)
{
	char	   *r = palloc(len + 1);

	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}
