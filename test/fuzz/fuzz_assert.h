/*-------------------------------------------------------------------------
 *
 * fuzz_assert.h
 *	  FUZZ_ASSERT: abort on a violated invariant.
 *
 * libFuzzer reports the abort as a crash and saves the input under
 * artifacts/.
 *
 * test/fuzz/fuzz_assert.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_FUZZ_ASSERT_H
#define SCIM_FUZZ_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "invariant failed at %s:%d: %s\n", \
					__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif							/* SCIM_FUZZ_ASSERT_H */
