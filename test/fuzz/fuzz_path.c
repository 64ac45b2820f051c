/*-------------------------------------------------------------------------
 *
 * fuzz_path.c
 *	  libFuzzer target for ScimPatchPathParse and ScimAttrPathParse.
 *
 * Both parsers get the same bytes.  Besides memory safety it checks that
 * whatever ScimAttrPathParse accepts, ScimPatchPathParse accepts with the
 * same result and no filter, and that "<path> pr" is then a valid filter.
 *
 * test/fuzz/fuzz_path.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fuzz_check.h"
#include "pure_fuzz.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* NULL-tolerant string equality */
static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
		(a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Parse one input both ways; check results and errors; free the arena */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	ScimParseError err;
	ScimPatchPath pp;
	ScimAttrPath ap;
	bool		patch_ok;
	bool		attr_ok;

	patch_ok = ScimPatchPathParse(text, size, &pp, &err);
	if (patch_ok)
	{
		FUZZ_ASSERT(err.code == SCIM_PARSE_OK);
		check_path(&pp.attr, false);
		if (pp.filter != NULL)
		{
			FUZZ_ASSERT(pp.attr.sub == NULL);
			check_filter(pp.filter, size, true);
		}
		else
			FUZZ_ASSERT(pp.subattr == NULL);
		if (pp.subattr != NULL)
			FUZZ_ASSERT(strpbrk(pp.subattr, ".:[]()\" \t") == NULL);
	}
	else
	{
		check_error(&err, size, true);
		FUZZ_ASSERT(pp.attr.attr == NULL && pp.filter == NULL &&
					pp.subattr == NULL);
	}

	attr_ok = ScimAttrPathParse(text, size, &ap, &err);
	if (attr_ok)
	{
		char	   *f;
		ScimFilterNode *node;

		FUZZ_ASSERT(err.code == SCIM_PARSE_OK);
		check_path(&ap, false);
		FUZZ_ASSERT(patch_ok && pp.filter == NULL &&
					same(ap.urn, pp.attr.urn) &&
					same(ap.attr, pp.attr.attr) &&
					same(ap.sub, pp.attr.sub));
		if (size + 3 <= SCIM_FILTER_MAX_LENGTH)
		{
			f = malloc(size + 3);
			FUZZ_ASSERT(f != NULL);
			memcpy(f, text, size);
			memcpy(f + size, " pr", 3);
			node = ScimFilterParse(f, size + 3, &err);
			FUZZ_ASSERT(node != NULL && node->op == SCIM_FOP_PR &&
						same(node->path.attr, ap.attr) &&
						same(node->path.sub, ap.sub) &&
						same(node->path.urn, ap.urn));
			free(f);
		}
	}
	else
	{
		check_error(&err, size, true);
		FUZZ_ASSERT(err.code == SCIM_PARSE_INVALID_PATH ||
					err.code == SCIM_PARSE_TOO_LONG);
		FUZZ_ASSERT(ap.attr == NULL && ap.urn == NULL && ap.sub == NULL);
	}

	scim_fuzz_reset();
	return 0;
}
