/*-------------------------------------------------------------------------
 *
 * filter.h
 *	  The SCIM filter and attribute-path grammar (RFC 7644 §3.4.2.2, §3.5.2).
 *
 * One parser serves both languages: a filter ("userName eq \"bob\"") and a
 * PATCH path ("emails[type eq \"work\"].value").  It is pure C with no
 * backend dependency; the caller resolves attribute names against the
 * schema registry.  Attribute names keep the case they were written in and
 * are compared case-insensitively by the consumers.
 *
 * src/filter.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_FILTER_H
#define SCIM_FILTER_H

#include "pure.h"

#define SCIM_FILTER_MAX_LENGTH	8192	/* bytes of filter text */
#define SCIM_FILTER_MAX_DEPTH	32	/* nesting of (), not, [] */
#define SCIM_FILTER_MAX_NODES	1000	/* nodes in one tree */

typedef enum ScimFilterOp
{
	SCIM_FOP_EQ,
	SCIM_FOP_NE,
	SCIM_FOP_CO,
	SCIM_FOP_SW,
	SCIM_FOP_EW,
	SCIM_FOP_PR,
	SCIM_FOP_GT,
	SCIM_FOP_GE,
	SCIM_FOP_LT,
	SCIM_FOP_LE,
	SCIM_FOP_AND,
	SCIM_FOP_OR,
	SCIM_FOP_NOT,
	SCIM_FOP_VALUEPATH			/* attr[inner filter] */
} ScimFilterOp;

typedef enum ScimValueKind
{
	SCIM_VAL_NONE,				/* no value (pr, and, or, not, valuepath) */
	SCIM_VAL_STRING,			/* JSON string, unescaped, UTF-8 */
	SCIM_VAL_NUMBER,			/* JSON number, as written */
	SCIM_VAL_TRUE,
	SCIM_VAL_FALSE,
	SCIM_VAL_NULL
} ScimValueKind;

/*
 * An attribute path: [urn ":"] attr ["." sub].  urn is NULL when absent.
 * For "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
 * urn = "urn:ietf:params:scim:schemas:core:2.0:User", attr = "name",
 * sub = "givenName".  Inside brackets, names are relative to the
 * multi-valued attribute ("type", "value") and urn is NULL.
 */
typedef struct ScimAttrPath
{
	char	   *urn;
	char	   *attr;
	char	   *sub;			/* NULL when absent */
} ScimAttrPath;

typedef struct ScimFilterNode
{
	ScimFilterOp op;
	int			pos;			/* byte offset in the input, for errors */
	ScimAttrPath path;			/* comparisons, pr, valuepath */
	ScimValueKind vkind;		/* comparisons other than pr */
	char	   *value;			/* string (unescaped) or number text */
	size_t		valuelen;		/* length of value in bytes */
	struct ScimFilterNode *left;	/* and/or: left; not: operand; valuepath:
									 * inner filter */
	struct ScimFilterNode *right;	/* and/or: right */
} ScimFilterNode;

/* PATCH path: attrPath, or valuePath [ "." subAttr ] */
typedef struct ScimPatchPath
{
	ScimAttrPath attr;			/* attr.sub allowed only without filter */
	ScimFilterNode *filter;		/* NULL when no [...] */
	char	   *subattr;		/* after "]." ; NULL when absent */
} ScimPatchPath;

typedef enum ScimParseCode
{
	SCIM_PARSE_OK = 0,
	SCIM_PARSE_INVALID_FILTER,	/* -> scimType invalidFilter */
	SCIM_PARSE_INVALID_PATH,	/* -> scimType invalidPath */
	SCIM_PARSE_TOO_LONG,		/* input or tree over the limits */
	SCIM_PARSE_TOO_DEEP
} ScimParseCode;

typedef struct ScimParseError
{
	ScimParseCode code;
	int			pos;			/* byte offset where it went wrong */
	char		message[256];	/* human readable, mentions the position */
} ScimParseError;

/* Parse a complete filter.  Returns NULL and fills *err on failure. */
extern ScimFilterNode *ScimFilterParse(const char *text, size_t len,
									   ScimParseError *err);

/* Parse a PATCH path.  Returns false and fills *err on failure. */
extern bool ScimPatchPathParse(const char *text, size_t len,
							   ScimPatchPath *out, ScimParseError *err);

/* Parse a plain attribute path (attributes=, sortBy=): no brackets. */
extern bool ScimAttrPathParse(const char *text, size_t len,
							  ScimAttrPath *out, ScimParseError *err);

/* The name of an operator: "eq" ... "le" as a filter writes them, "and",
 * "or", "not", and "vp" for a value path. */
extern const char *ScimFilterOpName(ScimFilterOp op);

/* Render a tree as a canonical S-expression (unit tests, debugging). */
extern char *ScimFilterToString(const ScimFilterNode *node);

#endif							/* SCIM_FILTER_H */
