/*-------------------------------------------------------------------------
 *
 * json_parse.c
 *	  Strict JSON parser and tree operations for SCIM documents.
 *
 * The parser follows RFC 8259 and is deliberately strict about what can
 * hurt us later: input must be valid UTF-8, "\u0000" and lone surrogates
 * are refused (PostgreSQL text cannot hold them), and nesting is bounded
 * by SCIM_JSON_MAX_DEPTH so that no body can exhaust the stack.  It is
 * pure C: no backend header is included.
 *
 * src/json_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/*
 * The keys of one object being parsed, hashed once it has more than
 * KEY_INDEX_FROM members, so that finding a duplicate costs O(1) rather
 * than a scan of the keys so far: without it a 1 MB body holding one object
 * of 100,000 members took minutes of CPU.  slots[] holds member index + 1,
 * 0 for an empty slot; cap is a power of two.
 */
#define KEY_INDEX_FROM 16

typedef struct KeyIndex
{
	int		   *slots;
	int			cap;
} KeyIndex;

typedef struct JsonParser
{
	const char *s;
	size_t		len;
	size_t		pos;
	int			depth;
	ScimJsonError *err;
	bool		failed;
} JsonParser;

/* forward declarations */
static ScimJson *parse_value(JsonParser *p);
static void skip_ws(JsonParser *p);
static void fail(JsonParser *p, const char *msg);
static bool parse_string_raw(JsonParser *p, char **out, int *outlen);
static int	find_key(const ScimJson *obj, const KeyIndex *ix, const char *key);
static void index_key(const ScimJson *obj, KeyIndex *ix, int member);

/* record the first error with its position */
static void
fail(JsonParser *p, const char *msg)
{
	if (p->failed)
		return;
	p->failed = true;
	p->err->pos = (int) p->pos;
	snprintf(p->err->message, sizeof(p->err->message),
			 "%s at position %d", msg, (int) p->pos);
}

/* FNV-1a of a NUL-terminated key */
static uint32_t
key_hash(const char *key)
{
	uint32_t	h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char) *key) * 16777619u;
	return h;
}

/* the member of obj whose key is exactly key, or -1 */
static int
find_key(const ScimJson *obj, const KeyIndex *ix, const char *key)
{
	int			i;

	if (ix->slots == NULL)
	{
		for (i = 0; i < obj->count; i++)
			if (strcmp(obj->keys[i], key) == 0)
				return i;
		return -1;
	}
	for (i = key_hash(key) & (ix->cap - 1); ix->slots[i] != 0; i = (i + 1) & (ix->cap - 1))
		if (strcmp(obj->keys[ix->slots[i] - 1], key) == 0)
			return ix->slots[i] - 1;
	return -1;
}

/* record obj's new member in the index, building or growing it as needed */
static void
index_key(const ScimJson *obj, KeyIndex *ix, int member)
{
	int			first;
	int			m;
	int			i;

	if (ix->slots == NULL && obj->count <= KEY_INDEX_FROM)
		return;
	first = member;
	if (ix->slots == NULL || obj->count * 2 > ix->cap)
	{
		int			cap = 64;

		while (cap < obj->count * 4)
			cap *= 2;
		ix->slots = scim_alloc(sizeof(int) * cap);	/* zeroed */
		ix->cap = cap;
		first = 0;
	}
	for (m = first; m <= member; m++)
	{
		for (i = key_hash(obj->keys[m]) & (ix->cap - 1); ix->slots[i] != 0;
			 i = (i + 1) & (ix->cap - 1))
			;
		ix->slots[i] = m + 1;
	}
}

/* skip JSON whitespace */
static void
skip_ws(JsonParser *p)
{
	while (p->pos < p->len)
	{
		char		c = p->s[p->pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			p->pos++;
		else
			break;
	}
}

/* read four hex digits at p->pos */
static int
read_hex4(JsonParser *p, unsigned int *out)
{
	unsigned int v = 0;
	int			i;

	if (p->pos + 4 > p->len)
		return 0;
	for (i = 0; i < 4; i++)
	{
		char		c = p->s[p->pos + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int) (c - 'A' + 10);
		else
			return 0;
	}
	p->pos += 4;
	*out = v;
	return 1;
}

/* parse a string literal starting at the opening quote */
static bool
parse_string_raw(JsonParser *p, char **out, int *outlen)
{
	size_t		start = ++p->pos;
	size_t		cap;
	char	   *buf;
	int			n = 0;
	bool		plain = true;	/* printable ASCII only, as nearly always */

	/* the decoded string is never longer than the raw text */
	while (p->pos < p->len && p->s[p->pos] != '"')
	{
		unsigned char c = (unsigned char) p->s[p->pos];

		if (c < 0x20 || c >= 0x80 || c == '\\')
		{
			plain = false;
			if (c == '\\')
				p->pos++;
		}
		p->pos++;
	}
	if (p->pos >= p->len)
	{
		p->pos = start - 1;
		fail(p, "unterminated string");
		return false;
	}
	cap = p->pos - start + 1;
	buf = scim_alloc(cap);
	if (plain)
	{
		n = (int) (p->pos - start);
		memcpy(buf, p->s + start, n);
		p->pos++;				/* closing quote */
		buf[n] = '\0';
		*out = buf;
		*outlen = n;
		return true;
	}
	p->pos = start;

	while (p->s[p->pos] != '"')
	{
		unsigned char c = (unsigned char) p->s[p->pos];

		if (c >= 0x20 && c < 0x80 && c != '\\')
		{
			buf[n++] = (char) c;
			p->pos++;
			continue;
		}
		if (c < 0x20)
		{
			fail(p, "control character in string");
			return false;
		}
		if (c == '\\')
		{
			char		e = p->s[++p->pos];
			unsigned int cp;

			p->pos++;
			switch (e)
			{
				case '"':
					buf[n++] = '"';
					break;
				case '\\':
					buf[n++] = '\\';
					break;
				case '/':
					buf[n++] = '/';
					break;
				case 'b':
					buf[n++] = '\b';
					break;
				case 'f':
					buf[n++] = '\f';
					break;
				case 'n':
					buf[n++] = '\n';
					break;
				case 'r':
					buf[n++] = '\r';
					break;
				case 't':
					buf[n++] = '\t';
					break;
				case 'u':
					if (!read_hex4(p, &cp))
					{
						fail(p, "invalid \\u escape");
						return false;
					}
					if (cp == 0)
					{
						fail(p, "\\u0000 is not allowed");
						return false;
					}
					if (cp >= 0xDC00 && cp <= 0xDFFF)
					{
						fail(p, "lone low surrogate");
						return false;
					}
					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						unsigned int lo;

						if (p->pos + 6 > p->len || p->s[p->pos] != '\\' ||
							p->s[p->pos + 1] != 'u')
						{
							fail(p, "lone high surrogate");
							return false;
						}
						p->pos += 2;
						if (!read_hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						{
							fail(p, "invalid surrogate pair");
							return false;
						}
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					}
					n += (int) scim_utf8_encode(cp, buf + n);
					break;
				default:
					p->pos--;
					fail(p, "invalid escape");
					return false;
			}
		}
		else
		{
			int			sl = scim_utf8_length((const unsigned char *) p->s + p->pos,
											  p->len - p->pos);

			if (sl == 0)
			{
				fail(p, "invalid UTF-8");
				return false;
			}
			memcpy(buf + n, p->s + p->pos, sl);
			n += sl;
			p->pos += sl;
		}
	}
	p->pos++;					/* closing quote */
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return true;
}

/* parse a number per the JSON grammar, keeping its text */
static ScimJson *
parse_number(JsonParser *p)
{
	size_t		start = p->pos;
	ScimJson   *v;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len)
		goto bad;
	if (p->s[p->pos] == '0')
		p->pos++;
	else if (p->s[p->pos] >= '1' && p->s[p->pos] <= '9')
	{
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	else
		goto bad;
	if (p->pos < p->len && p->s[p->pos] == '.')
	{
		p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
			goto bad;
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E'))
	{
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
			goto bad;
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	v = ScimJsonNew(SJ_NUMBER);
	v->str = scim_strndup(p->s + start, p->pos - start);
	v->len = (int) (p->pos - start);
	return v;

bad:
	fail(p, "invalid number");
	return NULL;
}

/* match a literal keyword */
static bool
match_word(JsonParser *p, const char *word)
{
	size_t		wl = strlen(word);

	if (p->pos + wl <= p->len && memcmp(p->s + p->pos, word, wl) == 0)
	{
		p->pos += wl;
		return true;
	}
	return false;
}

/* parse any value at the current position */
static ScimJson *
parse_value(JsonParser *p)
{
	ScimJson   *v;
	char		c;

	skip_ws(p);
	if (p->pos >= p->len)
	{
		fail(p, "unexpected end of input");
		return NULL;
	}
	c = p->s[p->pos];
	if (c == '{' || c == '[')
	{
		bool		isobj = (c == '{');
		KeyIndex	ix = {NULL, 0};

		if (++p->depth > SCIM_JSON_MAX_DEPTH)
		{
			fail(p, "nesting too deep");
			return NULL;
		}
		v = ScimJsonNew(isobj ? SJ_OBJECT : SJ_ARRAY);
		p->pos++;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == (isobj ? '}' : ']'))
		{
			p->pos++;
			p->depth--;
			return v;
		}
		for (;;)
		{
			ScimJson   *item;

			if (isobj)
			{
				char	   *key;
				int			keylen;

				skip_ws(p);
				if (p->pos >= p->len || p->s[p->pos] != '"')
				{
					fail(p, "expected object key");
					return NULL;
				}
				if (!parse_string_raw(p, &key, &keylen))
					return NULL;
				skip_ws(p);
				if (p->pos >= p->len || p->s[p->pos] != ':')
				{
					fail(p, "expected ':'");
					return NULL;
				}
				p->pos++;
				item = parse_value(p);
				if (item == NULL)
					return NULL;

				/*
				 * Duplicate keys: the last one wins, matching exactly (case
				 * included) so that "Name" and "name" are both kept for the
				 * schema validator to judge.
				 */
				{
					int			i = find_key(v, &ix, key);

					if (i >= 0)
						v->items[i] = item;
					else
					{
						ScimJsonAppend(v, item);
						v->keys[v->count - 1] = key;
						index_key(v, &ix, v->count - 1);
					}
				}
			}
			else
			{
				item = parse_value(p);
				if (item == NULL)
					return NULL;
				ScimJsonAppend(v, item);
			}
			skip_ws(p);
			if (p->pos >= p->len)
			{
				fail(p, isobj ? "unterminated object" : "unterminated array");
				return NULL;
			}
			if (p->s[p->pos] == ',')
			{
				p->pos++;
				continue;
			}
			if (p->s[p->pos] == (isobj ? '}' : ']'))
			{
				p->pos++;
				break;
			}
			fail(p, isobj ? "expected ',' or '}'" : "expected ',' or ']'");
			return NULL;
		}
		p->depth--;
		return v;
	}
	if (c == '"')
	{
		char	   *s;
		int			sl;

		if (!parse_string_raw(p, &s, &sl))
			return NULL;
		v = ScimJsonNew(SJ_STRING);
		v->str = s;
		v->len = sl;
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (match_word(p, "true"))
		return ScimJsonMakeBool(true);
	if (match_word(p, "false"))
		return ScimJsonMakeBool(false);
	if (match_word(p, "null"))
		return ScimJsonNew(SJ_NULL);
	fail(p, "unexpected character");
	return NULL;
}

/*
 * ScimJsonParse
 *		Parse a complete JSON text; NULL with *err filled on failure.
 */
ScimJson *
ScimJsonParse(const char *text, size_t len, ScimJsonError *err)
{
	JsonParser	p;
	ScimJson   *v;

	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = len;
	p.err = err;
	err->pos = 0;
	err->message[0] = '\0';

	/* a UTF-8 byte order mark is tolerated */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p.pos = 3;

	v = parse_value(&p);
	if (v == NULL)
		return NULL;
	skip_ws(&p);
	if (p.pos != p.len)
	{
		fail(&p, "unexpected data after the JSON value");
		return NULL;
	}
	return v;
}

/* a new empty node of the given type */
ScimJson *
ScimJsonNew(ScimJsonType type)
{
	ScimJson   *v = scim_alloc(sizeof(ScimJson));

	v->type = type;
	return v;
}

/* a string node holding a copy of s */
ScimJson *
ScimJsonMakeString(const char *s)
{
	return ScimJsonMakeStringLen(s, strlen(s));
}

/* a string node holding a copy of len bytes of s */
ScimJson *
ScimJsonMakeStringLen(const char *s, size_t len)
{
	ScimJson   *v = ScimJsonNew(SJ_STRING);

	v->str = scim_strndup(s, len);
	v->len = (int) len;
	return v;
}

/* a boolean node */
ScimJson *
ScimJsonMakeBool(bool b)
{
	ScimJson   *v = ScimJsonNew(SJ_BOOL);

	v->boolean = b;
	return v;
}

/* a number node from its text */
ScimJson *
ScimJsonMakeNumber(const char *text)
{
	ScimJson   *v = ScimJsonNew(SJ_NUMBER);

	v->str = scim_strndup(text, strlen(text));
	v->len = (int) strlen(text);
	return v;
}

/* deep copy */
ScimJson *
ScimJsonCopy(const ScimJson *v)
{
	ScimJson   *c;
	int			i;

	if (v == NULL)
		return NULL;
	c = ScimJsonNew(v->type);
	c->boolean = v->boolean;
	if (v->str)
	{
		c->str = scim_strndup(v->str, v->len);
		c->len = v->len;
	}
	for (i = 0; i < v->count; i++)
	{
		ScimJsonAppend(c, ScimJsonCopy(v->items[i]));
		if (v->type == SJ_OBJECT)
			c->keys[i] = scim_strndup(v->keys[i], strlen(v->keys[i]));
	}
	return c;
}

/* index of key in obj (case-insensitive), or -1 */
int
ScimJsonIndex(const ScimJson *obj, const char *key)
{
	int			i;

	if (obj == NULL || obj->type != SJ_OBJECT)
		return -1;
	/* the last match wins, consistent with duplicate-key handling */
	for (i = obj->count - 1; i >= 0; i--)
		if (scim_strcasecmp(obj->keys[i], key) == 0)
			return i;
	return -1;
}

/* member of obj named key (case-insensitive), or NULL */
ScimJson *
ScimJsonGet(const ScimJson *obj, const char *key)
{
	int			i = ScimJsonIndex(obj, key);

	return i < 0 ? NULL : obj->items[i];
}

/* set obj[key] = val, replacing any member of the same name in any case */
void
ScimJsonSet(ScimJson *obj, const char *key, ScimJson *val)
{
	int			i = ScimJsonIndex(obj, key);

	if (i >= 0)
	{
		obj->items[i] = val;
		return;
	}
	ScimJsonAppend(obj, val);
	obj->keys[obj->count - 1] = scim_strndup(key, strlen(key));
}

/* remove every member named key (case-insensitive); true if any was */
bool
ScimJsonRemove(ScimJson *obj, const char *key)
{
	bool		found = false;
	int			i;

	while ((i = ScimJsonIndex(obj, key)) >= 0)
	{
		ScimJsonDelete(obj, i);
		found = true;
	}
	return found;
}

/* append to an array or object (the caller sets the object key) */
void
ScimJsonAppend(ScimJson *arr, ScimJson *val)
{
	if (arr->count == arr->cap)
	{
		int			ncap = arr->cap ? arr->cap * 2 : 4;

		arr->items = scim_realloc(arr->items, sizeof(ScimJson *) * ncap);
		if (arr->type == SJ_OBJECT)
			arr->keys = scim_realloc(arr->keys, sizeof(char *) * ncap);
		arr->cap = ncap;
	}
	arr->items[arr->count] = val;
	if (arr->type == SJ_OBJECT)
		arr->keys[arr->count] = NULL;
	arr->count++;
}

/* delete element index of an array or object */
void
ScimJsonDelete(ScimJson *arr, int index)
{
	int			i;

	for (i = index; i < arr->count - 1; i++)
	{
		arr->items[i] = arr->items[i + 1];
		if (arr->type == SJ_OBJECT)
			arr->keys[i] = arr->keys[i + 1];
	}
	arr->count--;
}

/* obj[key] when it is a string, else NULL */
const char *
ScimJsonGetString(const ScimJson *obj, const char *key)
{
	ScimJson   *v = ScimJsonGet(obj, key);

	return (v && v->type == SJ_STRING) ? v->str : NULL;
}

/*
 * "Unassigned" in the sense of RFC 7643 §2.5: null, an empty array, or an
 * object none of whose members is assigned.  The empty string counts too,
 * since no SCIM attribute can usefully hold one.
 */
bool
ScimJsonIsEmpty(const ScimJson *v)
{
	int			i;

	if (v == NULL || v->type == SJ_NULL)
		return true;
	if (v->type == SJ_STRING)
		return v->len == 0;
	if (v->type == SJ_ARRAY)
		return v->count == 0;
	if (v->type == SJ_OBJECT)
	{
		for (i = 0; i < v->count; i++)
			if (!ScimJsonIsEmpty(v->items[i]))
				return false;
		return true;
	}
	return false;
}

/* structural equality; strings compared case-insensitively unless caseExact */
bool
ScimJsonEqual(const ScimJson *a, const ScimJson *b, bool caseExact)
{
	int			i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case SJ_NULL:
			return true;
		case SJ_BOOL:
			return a->boolean == b->boolean;
		case SJ_NUMBER:
			return strcmp(a->str, b->str) == 0;
		case SJ_STRING:
			return caseExact ? strcmp(a->str, b->str) == 0
				: scim_strcasecmp(a->str, b->str) == 0;
		case SJ_ARRAY:
			if (a->count != b->count)
				return false;
			for (i = 0; i < a->count; i++)
				if (!ScimJsonEqual(a->items[i], b->items[i], caseExact))
					return false;
			return true;
		case SJ_OBJECT:
			if (a->count != b->count)
				return false;
			for (i = 0; i < a->count; i++)
			{
				ScimJson   *bv = ScimJsonGet(b, a->keys[i]);

				if (bv == NULL || !ScimJsonEqual(a->items[i], bv, caseExact))
					return false;
			}
			return true;
	}
	return false;
}

/* the JSON type's name, for error messages */
const char *
ScimJsonTypeName(ScimJsonType type)
{
	switch (type)
	{
		case SJ_NULL:
			return "null";
		case SJ_BOOL:
			return "boolean";
		case SJ_NUMBER:
			return "number";
		case SJ_STRING:
			return "string";
		case SJ_ARRAY:
			return "array";
		case SJ_OBJECT:
			return "object";
	}
	return "unknown";
}
