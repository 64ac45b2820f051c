/*-------------------------------------------------------------------------
 *
 * fuzz_json.c
 *	  libFuzzer target for ScimJsonParse (src/json_parse.c).
 *
 * Every request body and the request.headers document of every request go
 * through this parser before anything else, so it must never read out of
 * bounds, loop or recurse without limit, whatever the bytes.  The input is
 * passed without a terminating NUL (libFuzzer's buffer is exactly size
 * bytes, so AddressSanitizer catches any read past the end).
 *
 * Besides memory safety it checks, for an accepted document:
 *	- the tree is well-formed: strings are valid UTF-8 without NUL bytes
 *	  and len == strlen, numbers follow the JSON grammar, object keys are
 *	  set and unique (exactly; "a" and "A" may both appear), nesting is
 *	  within SCIM_JSON_MAX_DEPTH;
 *	- a round trip: the tree written back out as JSON (here, by a small
 *	  writer of our own: json_out.c needs the backend) parses again to an
 *	  identical tree;
 *	- ScimJsonCopy gives an identical tree, ScimJsonEqual holds between the
 *	  two for values whose objects have no keys differing only in case.
 * and for a refused one: the error position is within the input and the
 * message is printable and names it.
 *
 * test/fuzz/fuzz_json.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "fuzz_assert.h"
#include "pure_fuzz.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a growable output buffer (malloc, freed by the caller) */
typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

/* append n bytes */
static void
buf_add(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 256;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->data = realloc(b->data, cap);
		FUZZ_ASSERT(b->data != NULL);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* is s[0..len) valid UTF-8 (no overlong forms, surrogates, > U+10FFFF) */
static bool
valid_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		unsigned int cp;
		int			n;
		int			k;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4, cp = c & 0x07;
		else
			return false;
		if ((size_t) n > len - i)
			return false;
		for (k = 1; k < n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
			cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n;
	}
	return true;
}

/* does s match the JSON number grammar exactly */
static bool
json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.')
	{
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* qsort comparator of key pointers */
static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* check a parsed tree; depth counts containers from 1 */
static void
check_tree(const ScimJson *v, int depth)
{
	int			i;
	int			j;

	FUZZ_ASSERT(v != NULL);
	switch (v->type)
	{
		case SJ_NULL:
		case SJ_BOOL:
			FUZZ_ASSERT(v->str == NULL && v->count == 0);
			break;
		case SJ_NUMBER:
			FUZZ_ASSERT(v->str != NULL && (size_t) v->len == strlen(v->str));
			FUZZ_ASSERT(json_number(v->str));
			break;
		case SJ_STRING:
			FUZZ_ASSERT(v->str != NULL && v->len >= 0);
			FUZZ_ASSERT((size_t) v->len == strlen(v->str));
			FUZZ_ASSERT(valid_utf8((const unsigned char *) v->str, v->len));
			break;
		case SJ_ARRAY:
		case SJ_OBJECT:
			FUZZ_ASSERT(depth <= SCIM_JSON_MAX_DEPTH);
			FUZZ_ASSERT(v->count >= 0 && v->count <= v->cap);
			for (i = 0; i < v->count; i++)
			{
				if (v->type == SJ_OBJECT)
				{
					FUZZ_ASSERT(v->keys[i] != NULL);
					FUZZ_ASSERT(valid_utf8((const unsigned char *) v->keys[i],
										   strlen(v->keys[i])));
					/* duplicates: the last one wins, exactly matched */
					if (v->count <= 64)
						for (j = 0; j < i; j++)
							FUZZ_ASSERT(strcmp(v->keys[i], v->keys[j]) != 0);
				}
				check_tree(v->items[i], depth + 1);
			}
			if (v->type == SJ_OBJECT && v->count > 64)
			{
				/* large objects (hashed by the parser): sort and compare */
				char	  **sorted = malloc(sizeof(char *) * v->count);

				FUZZ_ASSERT(sorted != NULL);
				memcpy(sorted, v->keys, sizeof(char *) * v->count);
				qsort(sorted, v->count, sizeof(char *), cmp_keys);
				for (j = 1; j < v->count; j++)
					FUZZ_ASSERT(strcmp(sorted[j - 1], sorted[j]) != 0);
				free(sorted);
			}
			break;
		default:
			FUZZ_ASSERT(!"unknown JSON type");
	}
}

/* write s as a JSON string literal */
static void
write_string(Buf *b, const char *s)
{
	const unsigned char *p;

	buf_add(b, "\"", 1);
	for (p = (const unsigned char *) s; *p; p++)
	{
		char		esc[8];

		if (*p == '"' || *p == '\\')
		{
			esc[0] = '\\';
			esc[1] = (char) *p;
			buf_add(b, esc, 2);
		}
		else if (*p < 0x20)
		{
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			buf_add(b, esc, 6);
		}
		else
			buf_add(b, (const char *) p, 1);
	}
	buf_add(b, "\"", 1);
}

/* write a tree as JSON */
static void
write_json(Buf *b, const ScimJson *v)
{
	int			i;

	switch (v->type)
	{
		case SJ_NULL:
			buf_add(b, "null", 4);
			break;
		case SJ_BOOL:
			if (v->boolean)
				buf_add(b, "true", 4);
			else
				buf_add(b, "false", 5);
			break;
		case SJ_NUMBER:
			buf_add(b, v->str, v->len);
			break;
		case SJ_STRING:
			write_string(b, v->str);
			break;
		case SJ_ARRAY:
		case SJ_OBJECT:
			buf_add(b, v->type == SJ_ARRAY ? "[" : "{", 1);
			for (i = 0; i < v->count; i++)
			{
				if (i > 0)
					buf_add(b, ",", 1);
				if (v->type == SJ_OBJECT)
				{
					write_string(b, v->keys[i]);
					buf_add(b, ":", 1);
				}
				write_json(b, v->items[i]);
			}
			buf_add(b, v->type == SJ_ARRAY ? "]" : "}", 1);
			break;
	}
}

/* exact structural identity: same types, keys (in order, with case), text */
static bool
identical(const ScimJson *a, const ScimJson *b)
{
	int			i;

	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case SJ_NULL:
			return true;
		case SJ_BOOL:
			return a->boolean == b->boolean;
		case SJ_NUMBER:
		case SJ_STRING:
			return a->len == b->len && strcmp(a->str, b->str) == 0;
		case SJ_ARRAY:
		case SJ_OBJECT:
			if (a->count != b->count)
				return false;
			for (i = 0; i < a->count; i++)
			{
				if (a->type == SJ_OBJECT && strcmp(a->keys[i], b->keys[i]) != 0)
					return false;
				if (!identical(a->items[i], b->items[i]))
					return false;
			}
			return true;
	}
	return false;
}

/* no object in v holds two keys that differ only in case */
static bool
keys_case_unique(const ScimJson *v)
{
	int			i;
	int			j;

	if (v->type != SJ_ARRAY && v->type != SJ_OBJECT)
		return true;
	for (i = 0; i < v->count; i++)
	{
		if (v->type == SJ_OBJECT)
			for (j = 0; j < i; j++)
				if (scim_strcasecmp(v->keys[i], v->keys[j]) == 0)
					return false;
		if (!keys_case_unique(v->items[i]))
			return false;
	}
	return true;
}

/* Parse one input; check the tree or the error; free the arena */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ScimJsonError err;
	ScimJson   *v;

	memset(&err, 0x7f, sizeof(err));
	v = ScimJsonParse((const char *) data, size, &err);
	if (v != NULL)
	{
		Buf			out = {NULL, 0, 0};
		ScimJsonError err2;
		ScimJson   *again;
		ScimJson   *copy;

		check_tree(v, 1);

		write_json(&out, v);
		again = ScimJsonParse(out.data, out.len, &err2);
		if (again == NULL)
			fprintf(stderr, "re-parse failed: %s\n", err2.message);
		FUZZ_ASSERT(again != NULL);
		FUZZ_ASSERT(identical(v, again));
		free(out.data);

		copy = ScimJsonCopy(v);
		FUZZ_ASSERT(identical(v, copy));
		if (keys_case_unique(v))
		{
			FUZZ_ASSERT(ScimJsonEqual(v, copy, true));
			FUZZ_ASSERT(ScimJsonEqual(v, copy, false));
		}
		(void) ScimJsonIsEmpty(v);
		if (v->type == SJ_OBJECT)
		{
			/* the lookups the dispatcher makes on request.headers */
			(void) ScimJsonGetString(v, "x-scim-method");
			(void) ScimJsonGetString(v, "schemas");
			if (v->count > 0)
			{
				FUZZ_ASSERT(ScimJsonGet(v, v->keys[v->count - 1]) != NULL);
				FUZZ_ASSERT(ScimJsonRemove(copy, v->keys[v->count - 1]));
				FUZZ_ASSERT(ScimJsonGet(copy, v->keys[v->count - 1]) == NULL);
			}
		}
	}
	else
	{
		const char *p;
		char		needle[32];

		FUZZ_ASSERT(err.pos >= 0 && (size_t) err.pos <= size);
		FUZZ_ASSERT(memchr(err.message, '\0', sizeof(err.message)) != NULL);
		FUZZ_ASSERT(err.message[0] != '\0');
		for (p = err.message; *p; p++)
			FUZZ_ASSERT((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7f);
		snprintf(needle, sizeof(needle), "position %d", err.pos);
		FUZZ_ASSERT(strstr(err.message, needle) != NULL);
	}
	scim_fuzz_reset();
	return 0;
}
