/*-------------------------------------------------------------------------
 *
 * fuzz_check.h
 *	  Invariants the fuzz targets check on every parse result.
 *
 * A violated invariant aborts, which libFuzzer reports as a crash and saves
 * the input under artifacts/.
 *
 * test/fuzz/fuzz_check.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_FUZZ_CHECK_H
#define SCIM_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fuzz_assert.h"

/* An error is set, in range, and its message is printable and positioned */
static void
check_error(const ScimParseError *err, size_t size, bool path)
{
	char		needle[32];
	const char *p;

	FUZZ_ASSERT(err->code != SCIM_PARSE_OK);
	if (!path)
		FUZZ_ASSERT(err->code != SCIM_PARSE_INVALID_PATH);
	FUZZ_ASSERT(err->pos >= 0 && (size_t) err->pos <= size);
	FUZZ_ASSERT(err->code != SCIM_PARSE_TOO_LONG ||
				size > SCIM_FILTER_MAX_LENGTH || err->pos < (int) size);
	FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) != NULL);
	for (p = err->message; *p; p++)
		FUZZ_ASSERT((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7f);
	snprintf(needle, sizeof(needle), "position %d", err->pos);
	FUZZ_ASSERT(strstr(err->message, needle) != NULL);
}

/* Every attribute name is a valid ATTRNAME; URNs start with "urn:" */
static void
check_path(const ScimAttrPath *path, bool relative)
{
	FUZZ_ASSERT(path->attr != NULL && path->attr[0] != '\0');
	FUZZ_ASSERT(strpbrk(path->attr, ".:[]()\" \t") == NULL);
	if (path->sub != NULL)
		FUZZ_ASSERT(!relative && path->sub[0] != '\0' &&
					strpbrk(path->sub, ".:[]()\" \t") == NULL);
	if (path->urn != NULL)
		FUZZ_ASSERT(!relative && scim_strncasecmp(path->urn, "urn:", 4) == 0);
}

/* The tree is well-formed; returns its node count */
static int
check_tree(const ScimFilterNode *n, size_t size, bool inbracket)
{
	FUZZ_ASSERT(n != NULL);
	FUZZ_ASSERT(n->pos >= 0 && (size_t) n->pos < size);
	switch (n->op)
	{
		case SCIM_FOP_AND:
		case SCIM_FOP_OR:
			FUZZ_ASSERT(n->vkind == SCIM_VAL_NONE && n->value == NULL);
			return 1 + check_tree(n->left, size, inbracket) +
				check_tree(n->right, size, inbracket);
		case SCIM_FOP_NOT:
			FUZZ_ASSERT(n->right == NULL && n->vkind == SCIM_VAL_NONE);
			return 1 + check_tree(n->left, size, inbracket);
		case SCIM_FOP_VALUEPATH:
			FUZZ_ASSERT(!inbracket && n->right == NULL &&
						n->vkind == SCIM_VAL_NONE && n->path.sub == NULL);
			check_path(&n->path, false);
			return 1 + check_tree(n->left, size, true);
		case SCIM_FOP_PR:
			FUZZ_ASSERT(n->vkind == SCIM_VAL_NONE && n->value == NULL);
			FUZZ_ASSERT(n->left == NULL && n->right == NULL);
			check_path(&n->path, inbracket);
			return 1;
		case SCIM_FOP_EQ:
		case SCIM_FOP_NE:
		case SCIM_FOP_CO:
		case SCIM_FOP_SW:
		case SCIM_FOP_EW:
		case SCIM_FOP_GT:
		case SCIM_FOP_GE:
		case SCIM_FOP_LT:
		case SCIM_FOP_LE:
			FUZZ_ASSERT(n->left == NULL && n->right == NULL);
			FUZZ_ASSERT(n->vkind != SCIM_VAL_NONE && n->value != NULL);
			FUZZ_ASSERT(strlen(n->value) == n->valuelen);
			FUZZ_ASSERT(n->vkind == SCIM_VAL_STRING ||
						n->valuelen <= size);
			check_path(&n->path, inbracket);
			return 1;
	}
	FUZZ_ASSERT(!"unknown operator");
	return 0;
}

/* Check a parsed filter and render it */
static void
check_filter(const ScimFilterNode *node, size_t size, bool inbracket)
{
	char	   *s;

	FUZZ_ASSERT(size <= SCIM_FILTER_MAX_LENGTH);
	FUZZ_ASSERT(check_tree(node, size, inbracket) <= SCIM_FILTER_MAX_NODES);
	s = ScimFilterToString(node);
	FUZZ_ASSERT(s != NULL && s[0] == '(' && s[strlen(s) - 1] == ')');
}

#endif							/* SCIM_FUZZ_CHECK_H */
