/*-------------------------------------------------------------------------
 *
 * pure_fuzz.c
 *	  pure.h allocation hooks for the fuzz targets: an arena reset after
 *	  each input.
 *
 * The parsers never free memory; in the server the memory context goes
 * away as a whole.  Here each fuzz input plays the part of the context:
 * every allocation is recorded in a table and scim_fuzz_reset() frees them
 * all once the input is done, so LeakSanitizer stays quiet and memory does
 * not grow across millions of inputs.  Each allocation is a separate
 * malloc block (rather than a slice of one big chunk) so that
 * AddressSanitizer's redzones catch an overrun of any single allocation.
 *
 * test/fuzz/pure_fuzz.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pure.h"
#include "pure_fuzz.h"

/* a block's header: its slot in the table, padded for alignment */
typedef union ArenaHeader
{
	size_t		slot;
	long double align_ld;
	void	   *align_p;
	long long	align_ll;
} ArenaHeader;

static ArenaHeader **table = NULL;
static size_t ntable = 0;
static size_t captable = 0;

/* forward declarations */
static void *out_of_memory(size_t size);
static void remember(ArenaHeader *h);


/* Give up: the fuzzer cannot continue without memory */
static void *
out_of_memory(size_t size)
{
	fprintf(stderr, "out of memory (%zu bytes)\n", size);
	abort();
	return NULL;
}

/* Record a new block in the table */
static void
remember(ArenaHeader *h)
{
	if (ntable == captable)
	{
		size_t		cap = captable ? captable * 2 : 1024;
		ArenaHeader **t = realloc(table, cap * sizeof(ArenaHeader *));

		if (t == NULL)
			out_of_memory(cap * sizeof(ArenaHeader *));
		table = t;
		captable = cap;
	}
	h->slot = ntable;
	table[ntable++] = h;
}

/* Zero-filled allocation; never returns NULL */
void *
scim_alloc(size_t size)
{
	ArenaHeader *h;

	if (size > (size_t) -1 - sizeof(ArenaHeader))
		return out_of_memory(size);
	h = calloc(1, sizeof(ArenaHeader) + size);
	if (h == NULL)
		return out_of_memory(size);
	remember(h);
	return h + 1;
}

/* Resize a block from scim_alloc (or allocate one when ptr is NULL) */
void *
scim_realloc(void *ptr, size_t size)
{
	ArenaHeader *h;
	size_t		slot;

	if (ptr == NULL)
		return scim_alloc(size);
	if (size > (size_t) -1 - sizeof(ArenaHeader))
		return out_of_memory(size);
	h = (ArenaHeader *) ptr - 1;
	slot = h->slot;
	h = realloc(h, sizeof(ArenaHeader) + size);
	if (h == NULL)
		return out_of_memory(size);
	table[slot] = h;
	return h + 1;
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

/* Free everything handed out since the last reset */
void
scim_fuzz_reset(void)
{
	size_t		i;

	for (i = 0; i < ntable; i++)
		free(table[i]);
	ntable = 0;
}
