/*-------------------------------------------------------------------------
 *
 * fuzz_filter.c
 *	  libFuzzer target for ScimFilterParse and ScimFilterToString.
 *
 * The input bytes are the filter text, passed without a terminating NUL
 * (libFuzzer's buffer is exactly size bytes, so AddressSanitizer catches
 * any read past the end).
 *
 * test/fuzz/fuzz_filter.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "fuzz_check.h"
#include "pure_fuzz.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse one input; check the tree or the error; free the arena */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ScimParseError err;
	ScimFilterNode *node;

	node = ScimFilterParse((const char *) data, size, &err);
	if (node != NULL)
	{
		FUZZ_ASSERT(err.code == SCIM_PARSE_OK);
		check_filter(node, size, false);
	}
	else
		check_error(&err, size, false);
	scim_fuzz_reset();
	return 0;
}
