/*-------------------------------------------------------------------------
 *
 * json.h
 *	  A small JSON document tree used for SCIM resources and messages.
 *
 * SCIM bodies are parsed into this tree (strictly: UTF-8 only, no \u0000,
 * no lone surrogates, bounded nesting), edited in place by the PATCH
 * engine and the resource mapper, and written back out.  Object keys keep
 * their order and the case they were sent in; lookups by attribute name
 * are case-insensitive, as RFC 7643 §2.1 requires.  When an object holds
 * the same key twice, the last occurrence wins.
 *
 * Parsing and the tree operations are pure C (no backend headers), so the
 * parser can be fuzzed on its own; output lives in json_out.c.
 *
 * src/json.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_JSON_H
#define SCIM_JSON_H

#include "pure.h"

#define SCIM_JSON_MAX_DEPTH 64

typedef enum ScimJsonType
{
	SJ_NULL,
	SJ_BOOL,
	SJ_NUMBER,
	SJ_STRING,
	SJ_ARRAY,
	SJ_OBJECT
} ScimJsonType;

typedef struct ScimJson
{
	ScimJsonType type;
	bool		boolean;		/* SJ_BOOL */
	char	   *str;			/* SJ_STRING (NUL-terminated, no NULs inside)
								 * or SJ_NUMBER text */
	int			len;			/* strlen(str) */
	int			count;			/* SJ_ARRAY, SJ_OBJECT */
	int			cap;
	char	  **keys;			/* SJ_OBJECT */
	struct ScimJson **items;	/* SJ_ARRAY, SJ_OBJECT */
} ScimJson;

typedef struct ScimJsonError
{
	int			pos;
	char		message[160];
} ScimJsonError;

/* parsing */
extern ScimJson *ScimJsonParse(const char *text, size_t len, ScimJsonError *err);

/* construction */
extern ScimJson *ScimJsonNew(ScimJsonType type);
extern ScimJson *ScimJsonMakeString(const char *s);
extern ScimJson *ScimJsonMakeStringLen(const char *s, size_t len);
extern ScimJson *ScimJsonMakeBool(bool b);
extern ScimJson *ScimJsonMakeNumber(const char *text);
extern ScimJson *ScimJsonCopy(const ScimJson *v);

/* objects: keys compared case-insensitively */
extern ScimJson *ScimJsonGet(const ScimJson *obj, const char *key);
extern int	ScimJsonIndex(const ScimJson *obj, const char *key);
extern void ScimJsonSet(ScimJson *obj, const char *key, ScimJson *val);
extern bool ScimJsonRemove(ScimJson *obj, const char *key);

/* arrays */
extern void ScimJsonAppend(ScimJson *arr, ScimJson *val);
extern void ScimJsonDelete(ScimJson *arr, int index);

/* helpers */
extern const char *ScimJsonGetString(const ScimJson *obj, const char *key);
extern bool ScimJsonIsEmpty(const ScimJson *v);
extern bool ScimJsonEqual(const ScimJson *a, const ScimJson *b, bool caseExact);
extern const char *ScimJsonTypeName(ScimJsonType type);

#endif							/* SCIM_JSON_H */
