/*-------------------------------------------------------------------------
 *
 * pure_frontend.c
 *	  pure.h allocation hooks for the unit tests: calloc and realloc.
 *
 * The parsers never free what they allocate (in the server, the memory
 * context goes away as a whole).  To keep LeakSanitizer quiet, every block
 * is kept on a global list, so it stays reachable until the program exits;
 * a test may call scim_frontend_reset() to free all of them at once (after
 * which every pointer handed out before is dangling).  Out of memory aborts.
 *
 * The ASCII case-insensitive compares live in src/pure_str.c, which the
 * server and the tests share.
 *
 * test/unit/pure_frontend.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pure.h"

/* every block starts with this header, padded to the strictest alignment */
typedef union FrontendBlock
{
	struct
	{
		union FrontendBlock *prev;
		union FrontendBlock *next;
	}			link;
	long double align_ld;
	void	   *align_p;
	long long	align_ll;
} FrontendBlock;

static FrontendBlock *blocks = NULL;

/* forward declarations */
void		scim_frontend_reset(void);
static void *out_of_memory(size_t size);
static void link_block(FrontendBlock *b);
static void unlink_block(FrontendBlock *b);


/* Give up: the tests cannot continue without memory */
static void *
out_of_memory(size_t size)
{
	fprintf(stderr, "out of memory (%zu bytes)\n", size);
	abort();
	return NULL;
}

/* Put a block at the head of the list */
static void
link_block(FrontendBlock *b)
{
	b->link.prev = NULL;
	b->link.next = blocks;
	if (blocks != NULL)
		blocks->link.prev = b;
	blocks = b;
}

/* Take a block off the list */
static void
unlink_block(FrontendBlock *b)
{
	if (b->link.prev != NULL)
		b->link.prev->link.next = b->link.next;
	else
		blocks = b->link.next;
	if (b->link.next != NULL)
		b->link.next->link.prev = b->link.prev;
}

/* Zero-filled allocation; never returns NULL */
void *
scim_alloc(size_t size)
{
	FrontendBlock *b;

	if (size > (size_t) -1 - sizeof(FrontendBlock))
		return out_of_memory(size);
	b = calloc(1, sizeof(FrontendBlock) + size);
	if (b == NULL)
		return out_of_memory(size);
	link_block(b);
	return b + 1;
}

/* Resize a block from scim_alloc (or allocate one when ptr is NULL) */
void *
scim_realloc(void *ptr, size_t size)
{
	FrontendBlock *b;
	FrontendBlock *nb;

	if (ptr == NULL)
		return scim_alloc(size);
	if (size > (size_t) -1 - sizeof(FrontendBlock))
		return out_of_memory(size);
	b = (FrontendBlock *) ptr - 1;
	unlink_block(b);
	nb = realloc(b, sizeof(FrontendBlock) + size);
	if (nb == NULL)
		return out_of_memory(size);
	link_block(nb);
	return nb + 1;
}

/* Copy len bytes of s into a new NUL-terminated string */
char *
scim_strndup(const char *s, size_t len)
{
	char	   *copy = scim_alloc(len + 1);

	if (len > 0)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* Free every block handed out so far */
void
scim_frontend_reset(void)
{
	while (blocks != NULL)
	{
		FrontendBlock *next = blocks->link.next;

		free(blocks);
		blocks = next;
	}
}
