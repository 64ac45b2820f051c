/*-------------------------------------------------------------------------
 *
 * json_out.h
 *	  The JSON tree (json.h) written out, and to and from jsonb
 *	  (json_out.c).
 *
 * src/json_out.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_JSON_OUT_H
#define SCIM_JSON_OUT_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "json.h"

extern void ScimJsonOut(StringInfo buf, const ScimJson *v);
extern void ScimJsonOutString(StringInfo buf, const char *s);
extern char *ScimJsonToCString(const ScimJson *v);
extern Datum ScimJsonToJsonb(const ScimJson *v);
extern ScimJson *ScimJsonFromJsonb(Jsonb *jb);
extern ScimJson *ScimJsonParseOrError(const char *text, size_t len,
									  const char *what);

#endif							/* SCIM_JSON_OUT_H */
