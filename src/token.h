/*-------------------------------------------------------------------------
 *
 * token.h
 *	  Bearer tokens: looked up by their digest, last_used kept (token.c).
 *
 * src/token.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_TOKEN_H
#define SCIM_TOKEN_H

#include "postgres.h"

#include "common/sha2.h"

/* a bearer token found: whose it is, and whether last_used is due */
typedef struct ScimToken
{
	char	   *tenant;
	char	   *label;
	bool		touch;			/* ScimTokenTouch has something to write */
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
} ScimToken;

extern void ScimTokenLookup(const char *token, ScimToken *out);
extern void ScimTokenTouch(const ScimToken *tok);

#endif							/* SCIM_TOKEN_H */
