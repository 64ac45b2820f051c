/*-------------------------------------------------------------------------
 *
 * filter_parse.c
 *	  Tokenizer and recursive-descent parser for SCIM filters, PATCH paths
 *	  and plain attribute paths (RFC 7644 §3.4.2.2, §3.5.2).
 *
 * Precedence, loosest first: "or", "and", "not (...)", then parentheses,
 * attribute expressions and value paths.  "and" and "or" associate to the
 * left and are built in loops; the parser recurses only when it enters a
 * "(", "not (" or "[", and each of those counts against
 * SCIM_FILTER_MAX_DEPTH, so no input can exhaust the stack.
 *
 * Keywords and operators are matched case-insensitively; attribute names
 * keep the case they were written in.  An attribute path token that starts
 * with "urn:" is split at its last colon: the part before is the schema URN
 * (which may contain dots, as in "2.0"), the part after is attr[.sub].
 *
 * Entra ID sends `emails[type eq "work"].value eq "x"`, which the RFC
 * grammar does not allow in a filter.  It is accepted and rewritten to the
 * value path `emails[type eq "work" and value eq "x"]`.
 *
 * The input is a (text, len) pair: it need not be NUL-terminated and the
 * parser never reads text[len].  NUL bytes, control characters and bytes
 * outside ASCII are only valid inside string literals, which must also be
 * valid UTF-8.  Everything is allocated through pure.h and never freed
 * here: callers release the memory context (or arena) as a whole.
 *
 * src/filter_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "filter.h"

#if defined(__GNUC__) || defined(__clang__)
#define FILTER_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FILTER_PRINTF(f, a)
#endif

/* how many bytes of a token an error message quotes */
#define TOKEN_SHOW_MAX	40

typedef enum TokenKind
{
	TOK_END,
	TOK_WORD,					/* names, operators, keywords, numbers */
	TOK_STRING,					/* a JSON string literal */
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACKET,
	TOK_RBRACKET
} TokenKind;

typedef struct ParseState
{
	const char *text;
	int			len;
	int			pos;			/* next byte to scan */
	int			depth;			/* open "(", "not (" and "[" */
	int			nodes;			/* nodes allocated so far */
	bool		inbracket;		/* inside the brackets of a value path */
	ScimParseCode syntax;		/* code for syntax errors at this point */
	bool		failed;
	ScimParseError *err;

	/* the current (lookahead) token */
	TokenKind	tok;
	int			tokstart;
	int			tokend;
	bool		tokspace;		/* whitespace precedes the token */
	char	   *str;			/* TOK_STRING: the unescaped value */
	size_t		strsize;		/* TOK_STRING: its length in bytes */
} ParseState;

typedef struct StrBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} StrBuf;

/*
 * The name of each ScimFilterOp, in enum order: the comparison operators
 * as a filter writes them (up to SCIM_FOP_LE), then the logical ones, and
 * "vp" for a value path in the rendered S-expression.
 */
static const char *const op_names[] = {
	"eq", "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le",
	"and", "or", "not", "vp"
};

/* fails to compile unless op_names names every ScimFilterOp */
typedef char op_names_cover_every_op[(sizeof(op_names) / sizeof(op_names[0]) ==
									  SCIM_FOP_VALUEPATH + 1) ? 1 : -1];

/* forward declarations */
static bool init_state(ParseState *ps, const char *text, size_t len,
					   ScimParseError *err, ScimParseCode syntax);
static void set_error(ParseState *ps, ScimParseCode code, int pos,
					  const char *fmt,...) FILTER_PRINTF(4, 5);
static const char *show_token(ParseState *ps, int start, int end,
							  char *buf, size_t bufsize);
static void unexpected(ParseState *ps, const char *expected);
static bool is_word_char(unsigned char c);
static bool is_alpha(unsigned char c);
static bool is_digit(unsigned char c);
static bool lex(ParseState *ps);
static bool lex_string(ParseState *ps);
static bool lex_escape(ParseState *ps, int *ip, int close, char *out,
					   size_t *np);
static bool hex4(const char *s, unsigned int *value);
static bool token_is(ParseState *ps, const char *keyword);
static bool next_char_is(ParseState *ps, char c);
static bool enter(ParseState *ps, int pos);
static ScimFilterNode *new_node(ParseState *ps, ScimFilterOp op, int pos);
static bool valid_attr_name(const char *s, int n);
static bool valid_urn(const char *s, int n);
static bool valid_number(const char *s, int n);
static bool parse_attr_path(ParseState *ps, int start, int end,
							bool relative, ScimAttrPath *out);
static bool parse_sub_attr(ParseState *ps, char **out);
static ScimFilterNode *parse_operand(ParseState *ps, int level);
static ScimFilterNode *parse_binary(ParseState *ps, int level);
static ScimFilterNode *parse_primary(ParseState *ps);
static ScimFilterNode *parse_attr_exp(ParseState *ps);
static ScimFilterNode *parse_brackets(ParseState *ps, ScimAttrPath *path,
									  int start);
static bool parse_operator(ParseState *ps, ScimFilterNode *node);
static bool parse_value(ParseState *ps, ScimFilterNode *node);
static bool close_paren(ParseState *ps);
static bool expect_end(ParseState *ps);
static bool begin_path(ParseState *ps, const char *text, size_t len,
					   ScimParseError *err);
static void sb_append(StrBuf *sb, const char *s, size_t n);
static void sb_puts(StrBuf *sb, const char *s);
static void render_path(StrBuf *sb, const ScimAttrPath *path);
static void render_string(StrBuf *sb, const char *s, size_t n);
static void render_node(StrBuf *sb, const ScimFilterNode *node);


/* ----------------------------------------------------------------
 *		Errors
 * ----------------------------------------------------------------
 */

/* Set up the parser state, or fail when the text is over the length limit */
static bool
init_state(ParseState *ps, const char *text, size_t len,
		   ScimParseError *err, ScimParseCode syntax)
{
	memset(ps, 0, sizeof(ParseState));
	ps->err = err;
	ps->syntax = syntax;
	err->code = SCIM_PARSE_OK;
	err->pos = 0;
	err->message[0] = '\0';
	if (text == NULL)
		len = 0;
	if (len > SCIM_FILTER_MAX_LENGTH)
	{
		set_error(ps, SCIM_PARSE_TOO_LONG, SCIM_FILTER_MAX_LENGTH,
				  "%s is longer than %d bytes at position %d",
				  syntax == SCIM_PARSE_INVALID_FILTER ? "filter" : "path",
				  SCIM_FILTER_MAX_LENGTH, SCIM_FILTER_MAX_LENGTH);
		return false;
	}
	ps->text = text;
	ps->len = (int) len;
	return true;
}

/* Record the first error; later ones are consequences and are dropped */
static void
set_error(ParseState *ps, ScimParseCode code, int pos, const char *fmt,...)
{
	va_list		ap;

	if (ps->failed)
		return;
	ps->failed = true;
	ps->err->code = code;
	ps->err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof(ps->err->message), fmt, ap);
	va_end(ap);
}

/* Quote text[start, end) for a message; word tokens are printable ASCII */
static const char *
show_token(ParseState *ps, int start, int end, char *buf, size_t bufsize)
{
	int			n = end - start;

	if (n > TOKEN_SHOW_MAX)
		snprintf(buf, bufsize, "\"%.*s...\"", TOKEN_SHOW_MAX,
				 ps->text + start);
	else
		snprintf(buf, bufsize, "\"%.*s\"", n, ps->text + start);
	return buf;
}

/* Report the current token as unexpected, optionally naming what was due */
static void
unexpected(ParseState *ps, const char *expected)
{
	char		buf[TOKEN_SHOW_MAX + 8];
	const char *what;

	switch (ps->tok)
	{
		case TOK_END:
			what = "end of input";
			break;
		case TOK_WORD:
			what = show_token(ps, ps->tokstart, ps->tokend, buf, sizeof(buf));
			break;
		case TOK_STRING:
			what = "string";
			break;
		default:
			snprintf(buf, sizeof(buf), "\"%c\"", ps->text[ps->tokstart]);
			what = buf;
			break;
	}
	if (expected != NULL)
		set_error(ps, ps->syntax, ps->tokstart,
				  "unexpected %s%s at position %d, expected %s",
				  ps->tok == TOK_WORD ? "token " : "", what, ps->tokstart,
				  expected);
	else
		set_error(ps, ps->syntax, ps->tokstart,
				  "unexpected %s%s at position %d",
				  ps->tok == TOK_WORD ? "token " : "", what, ps->tokstart);
}


/* ----------------------------------------------------------------
 *		Tokenizer
 * ----------------------------------------------------------------
 */

/* ASCII letter */
static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII digit */
static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Characters of a word token: attribute names, URNs (RFC 8141 pchar minus
 * parentheses), operators, keywords and numbers.
 */
static bool
is_word_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) ||
		(c != 0 && strchr("-._~!$&'*+,;=:@/%", c) != NULL);
}

/* Scan the next token into ps; false (with the error set) on a bad one */
static bool
lex(ParseState *ps)
{
	const char *t = ps->text;
	int			p = ps->pos;
	unsigned char c;

	ps->tokspace = false;
	while (p < ps->len && (t[p] == ' ' || t[p] == '\t'))
	{
		p++;
		ps->tokspace = true;
	}
	ps->tokstart = p;
	ps->str = NULL;
	ps->strsize = 0;
	if (p >= ps->len)
	{
		ps->tok = TOK_END;
		ps->tokend = ps->pos = p;
		return true;
	}

	c = (unsigned char) t[p];
	switch (c)
	{
		case '(':
			ps->tok = TOK_LPAREN;
			break;
		case ')':
			ps->tok = TOK_RPAREN;
			break;
		case '[':
			ps->tok = TOK_LBRACKET;
			break;
		case ']':
			ps->tok = TOK_RBRACKET;
			break;
		case '"':
			return lex_string(ps);
		default:
			if (!is_word_char(c))
			{
				if (c == 0)
					set_error(ps, ps->syntax, p,
							  "NUL byte at position %d", p);
				else if (c < 0x20 || c >= 0x7f)
					set_error(ps, ps->syntax, p,
							  "unexpected byte 0x%02X at position %d", c, p);
				else
					set_error(ps, ps->syntax, p,
							  "unexpected character \"%c\" at position %d",
							  c, p);
				return false;
			}
			while (p < ps->len && is_word_char((unsigned char) t[p]))
				p++;
			ps->tok = TOK_WORD;
			ps->tokend = ps->pos = p;
			return true;
	}
	ps->tokend = ps->pos = p + 1;
	return true;
}

/* Scan and unescape a JSON string literal starting at ps->tokstart */
static bool
lex_string(ParseState *ps)
{
	const char *t = ps->text;
	int			start = ps->tokstart;
	int			close;
	int			i;
	int			k;
	char	   *out;
	size_t		n = 0;

	/* find the closing quote, stepping over escaped characters */
	close = start + 1;
	while (close < ps->len && t[close] != '"')
		close += (t[close] == '\\') ? 2 : 1;
	if (close >= ps->len)
	{
		set_error(ps, ps->syntax, start,
				  "unterminated string starting at position %d", start);
		return false;
	}

	/* unescaping never makes a string longer, so this leaves room for NUL */
	out = scim_alloc(close - start);
	i = start + 1;
	while (i < close)
	{
		unsigned char c = (unsigned char) t[i];

		if (c == '\\')
		{
			if (!lex_escape(ps, &i, close, out, &n))
				return false;
		}
		else if (c < 0x20)
		{
			if (c == 0)
				set_error(ps, ps->syntax, i,
						  "NUL byte in string at position %d", i);
			else
				set_error(ps, ps->syntax, i,
						  "control character 0x%02X in string at position %d",
						  c, i);
			return false;
		}
		else if (c < 0x80)
		{
			out[n++] = (char) c;
			i++;
		}
		else
		{
			k = scim_utf8_length((const unsigned char *) t + i, close - i);
			if (k == 0)
			{
				set_error(ps, ps->syntax, i,
						  "invalid UTF-8 in string at position %d", i);
				return false;
			}
			memcpy(out + n, t + i, k);
			n += k;
			i += k;
		}
	}
	out[n] = '\0';

	ps->tok = TOK_STRING;
	ps->str = out;
	ps->strsize = n;
	ps->tokend = ps->pos = close + 1;
	return true;
}

/*
 * Unescape the escape sequence at *ip (a backslash) into out, advancing *ip.
 * The scan in lex_string guarantees that the backslash is not the last byte
 * before the closing quote.
 */
static bool
lex_escape(ParseState *ps, int *ip, int close, char *out, size_t *np)
{
	const char *t = ps->text;
	int			i = *ip;
	unsigned char e = (unsigned char) t[i + 1];
	unsigned int cp;
	unsigned int lo;
	char		c;

	switch (e)
	{
		case '"':
		case '\\':
		case '/':
			c = (char) e;
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			c = 0;
			break;
		default:
			if (e > 0x20 && e < 0x7f)
				set_error(ps, ps->syntax, i,
						  "invalid escape \"\\%c\" in string at position %d",
						  e, i);
			else
				set_error(ps, ps->syntax, i,
						  "invalid escape in string at position %d", i);
			return false;
	}
	if (e != 'u')
	{
		out[(*np)++] = c;
		*ip = i + 2;
		return true;
	}

	if (i + 5 >= close || !hex4(t + i + 2, &cp))
	{
		set_error(ps, ps->syntax, i,
				  "invalid \\u escape in string at position %d", i);
		return false;
	}
	if (cp == 0)
	{
		set_error(ps, ps->syntax, i,
				  "\\u0000 is not allowed in a string at position %d", i);
		return false;
	}
	if (cp >= 0xDC00 && cp <= 0xDFFF)
	{
		set_error(ps, ps->syntax, i,
				  "unpaired surrogate \\u%04X in string at position %d", cp, i);
		return false;
	}
	if (cp >= 0xD800 && cp <= 0xDBFF)
	{
		/* a high surrogate must be followed by an escaped low one */
		if (i + 11 >= close || t[i + 6] != '\\' || t[i + 7] != 'u' ||
			!hex4(t + i + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
		{
			set_error(ps, ps->syntax, i,
					  "unpaired surrogate \\u%04X in string at position %d",
					  cp, i);
			return false;
		}
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		i += 6;
	}
	*np += scim_utf8_encode(cp, out + *np);
	*ip = i + 6;
	return true;
}

/* Decode four hex digits */
static bool
hex4(const char *s, unsigned int *value)
{
	unsigned int v = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		char		c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return false;
	}
	*value = v;
	return true;
}


/* Is the current token the given keyword, in any case? */
static bool
token_is(ParseState *ps, const char *keyword)
{
	size_t		n = strlen(keyword);

	return ps->tok == TOK_WORD &&
		(size_t) (ps->tokend - ps->tokstart) == n &&
		scim_strncasecmp(ps->text + ps->tokstart, keyword, n) == 0;
}

/* Is the first byte after the current token and any whitespace c? */
static bool
next_char_is(ParseState *ps, char c)
{
	int			p = ps->tokend;

	while (p < ps->len && (ps->text[p] == ' ' || ps->text[p] == '\t'))
		p++;
	return p < ps->len && ps->text[p] == c;
}


/* ----------------------------------------------------------------
 *		Parser
 * ----------------------------------------------------------------
 */

/* Count one more level of nesting, failing past SCIM_FILTER_MAX_DEPTH */
static bool
enter(ParseState *ps, int pos)
{
	if (++ps->depth > SCIM_FILTER_MAX_DEPTH)
	{
		set_error(ps, SCIM_PARSE_TOO_DEEP, pos,
				  "filter is nested deeper than %d levels at position %d",
				  SCIM_FILTER_MAX_DEPTH, pos);
		return false;
	}
	return true;
}

/* Allocate a node, failing past SCIM_FILTER_MAX_NODES */
static ScimFilterNode *
new_node(ParseState *ps, ScimFilterOp op, int pos)
{
	ScimFilterNode *node;

	if (++ps->nodes > SCIM_FILTER_MAX_NODES)
	{
		set_error(ps, SCIM_PARSE_TOO_LONG, pos,
				  "filter has more than %d nodes at position %d",
				  SCIM_FILTER_MAX_NODES, pos);
		return NULL;
	}
	node = scim_alloc(sizeof(ScimFilterNode));
	node->op = op;
	node->pos = pos;
	node->vkind = SCIM_VAL_NONE;
	return node;
}

/* ATTRNAME: ALPHA *(ALPHA / DIGIT / "-" / "_" / "$"), or "$" ALPHA ... */
static bool
valid_attr_name(const char *s, int n)
{
	int			i = 0;

	if (n > 0 && s[0] == '$')
		i = 1;
	if (i >= n || !is_alpha((unsigned char) s[i]))
		return false;
	for (i++; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '$')
			return false;
	}
	return true;
}

/* "urn:" followed by colon-separated, non-empty segments */
static bool
valid_urn(const char *s, int n)
{
	int			i;

	if (n <= 4 || s[n - 1] == ':')
		return false;
	for (i = 4; i < n; i++)
		if (s[i] == ':' && s[i - 1] == ':')
			return false;
	return true;
}

/* JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
valid_number(const char *s, int n)
{
	int			i = 0;
	int			digits;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !is_digit((unsigned char) s[i]))
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit((unsigned char) s[i]))
			i++;
	if (i < n && s[i] == '.')
	{
		i++;
		for (digits = 0; i < n && is_digit((unsigned char) s[i]); i++)
			digits++;
		if (digits == 0)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E'))
	{
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (digits = 0; i < n && is_digit((unsigned char) s[i]); i++)
			digits++;
		if (digits == 0)
			return false;
	}
	return i == n;
}

/*
 * Split and check the attribute path text[start, end): [urn ":"] attr
 * ["." sub].  A relative path (inside brackets) has neither urn nor sub.
 */
static bool
parse_attr_path(ParseState *ps, int start, int end, bool relative,
				ScimAttrPath *out)
{
	const char *s = ps->text + start;
	int			n = end - start;
	int			rest = 0;
	int			colon = -1;
	int			dot = -1;
	int			i;
	const char *why = NULL;
	char		buf[TOKEN_SHOW_MAX + 8];

	memset(out, 0, sizeof(ScimAttrPath));
	if (n >= 4 && scim_strncasecmp(s, "urn:", 4) == 0)
	{
		/* URNs contain dots ("2.0"), so the name starts after the last ':' */
		for (i = 0; i < n; i++)
			if (s[i] == ':')
				colon = i;
		if (relative)
			why = "a schema URN is not allowed inside brackets";
		else if (!valid_urn(s, colon))
			why = "invalid schema URN";
		rest = colon + 1;
	}
	for (i = rest; i < n && why == NULL; i++)
	{
		if (s[i] == '.')
		{
			if (dot >= 0)
				why = "too many \".\"";
			dot = i;
		}
	}
	if (why == NULL)
	{
		if (dot < 0 ? !valid_attr_name(s + rest, n - rest) :
			(!valid_attr_name(s + rest, dot - rest) ||
			 !valid_attr_name(s + dot + 1, n - dot - 1)))
			why = "invalid attribute name";
		else if (relative && dot >= 0)
			why = "a sub-attribute is not allowed inside brackets";
	}
	if (why != NULL)
	{
		set_error(ps, ps->syntax, start,
				  "invalid attribute path %s at position %d: %s",
				  show_token(ps, start, end, buf, sizeof(buf)), start, why);
		return false;
	}

	if (rest > 0)
		out->urn = scim_strndup(s, colon);
	if (dot < 0)
		out->attr = scim_strndup(s + rest, n - rest);
	else
	{
		out->attr = scim_strndup(s + rest, dot - rest);
		out->sub = scim_strndup(s + dot + 1, n - dot - 1);
	}
	return true;
}

/* Parse ".name" right after "]" (current token) and move past it */
static bool
parse_sub_attr(ParseState *ps, char **out)
{
	const char *s = ps->text + ps->tokstart + 1;
	int			n = ps->tokend - ps->tokstart - 1;
	char		buf[TOKEN_SHOW_MAX + 8];

	if (!valid_attr_name(s, n))
	{
		set_error(ps, ps->syntax, ps->tokstart,
				  "invalid sub-attribute %s at position %d",
				  show_token(ps, ps->tokstart, ps->tokend, buf, sizeof(buf)),
				  ps->tokstart);
		return false;
	}
	*out = scim_strndup(s, n);
	return lex(ps);
}

/* the binary operators, loosest first; each joins operands of the next */
static const struct
{
	const char *word;
	ScimFilterOp op;
}			binary_ops[] = {
	{"or", SCIM_FOP_OR},
	{"and", SCIM_FOP_AND},
};

#define NUM_BINARY_OPS ((int) (sizeof(binary_ops) / sizeof(binary_ops[0])))

/* An operand of binary_ops[level]: the next level, or a primary */
static ScimFilterNode *
parse_operand(ParseState *ps, int level)
{
	return level + 1 < NUM_BINARY_OPS ? parse_binary(ps, level + 1) :
		parse_primary(ps);
}

/*
 * Operands joined by binary_ops[level].word, left-associative; level 0
 * is FILTER.
 */
static ScimFilterNode *
parse_binary(ParseState *ps, int level)
{
	ScimFilterNode *left;
	ScimFilterNode *right;
	ScimFilterNode *node;
	int			pos;

	left = parse_operand(ps, level);
	while (left != NULL && token_is(ps, binary_ops[level].word))
	{
		pos = ps->tokstart;
		if (!lex(ps) || (right = parse_operand(ps, level)) == NULL)
			return NULL;
		if ((node = new_node(ps, binary_ops[level].op, pos)) == NULL)
			return NULL;
		node->left = left;
		node->right = right;
		left = node;
	}
	return left;
}

/* The ")" that closes what enter() opened; the parser is then past it */
static bool
close_paren(ParseState *ps)
{
	if (ps->tok != TOK_RPAREN)
	{
		unexpected(ps, "\")\"");
		return false;
	}
	ps->depth--;
	return true;
}

/* "(" FILTER ")", "not" "(" FILTER ")", attrExp or valuePath */
static ScimFilterNode *
parse_primary(ParseState *ps)
{
	ScimFilterNode *inner;
	ScimFilterNode *node;
	int			pos = ps->tokstart;

	if (ps->tok == TOK_LPAREN)
	{
		if (!enter(ps, pos) || !lex(ps) || (inner = parse_binary(ps, 0)) == NULL)
			return NULL;
		if (!close_paren(ps))
			return NULL;
		return lex(ps) ? inner : NULL;
	}

	/* "not" is a keyword only before "(": elsewhere it is a name */
	if (token_is(ps, "not") && next_char_is(ps, '('))
	{
		if (!enter(ps, pos) || !lex(ps) || !lex(ps) ||
			(inner = parse_binary(ps, 0)) == NULL)
			return NULL;
		if (!close_paren(ps))
			return NULL;
		if ((node = new_node(ps, SCIM_FOP_NOT, pos)) == NULL)
			return NULL;
		node->left = inner;
		return lex(ps) ? node : NULL;
	}

	if (ps->tok == TOK_WORD)
		return parse_attr_exp(ps);

	unexpected(ps, ps->tok == TOK_END ? "a filter expression" : NULL);
	return NULL;
}

/*
 * attrPath "pr", attrPath op value, attrPath "[" FILTER "]", and Entra's
 * attrPath "[" FILTER "]" "." subAttr (op value | "pr").
 */
static ScimFilterNode *
parse_attr_exp(ParseState *ps)
{
	ScimAttrPath path;
	ScimFilterNode *node;
	ScimFilterNode *cmp;
	ScimFilterNode *conj;
	int			start = ps->tokstart;
	int			dotpos;

	if (!parse_attr_path(ps, start, ps->tokend, ps->inbracket, &path) ||
		!lex(ps))
		return NULL;

	if (ps->tok != TOK_LBRACKET)
	{
		if ((node = new_node(ps, SCIM_FOP_EQ, start)) == NULL)
			return NULL;
		node->path = path;
		return parse_operator(ps, node) ? node : NULL;
	}

	if ((node = parse_brackets(ps, &path, start)) == NULL)
		return NULL;
	if (ps->tok != TOK_WORD || ps->tokspace || ps->text[ps->tokstart] != '.')
		return node;

	/* emails[type eq "work"].value eq "x": fold into the bracket filter */
	dotpos = ps->tokstart;
	if ((cmp = new_node(ps, SCIM_FOP_EQ, dotpos + 1)) == NULL ||
		!parse_sub_attr(ps, &cmp->path.attr) ||
		!parse_operator(ps, cmp) ||
		(conj = new_node(ps, SCIM_FOP_AND, dotpos)) == NULL)
		return NULL;
	conj->left = node->left;
	conj->right = cmp;
	node->left = conj;
	return node;
}

/*
 * "[" FILTER "]" after the attribute path (current token is "["): build the
 * value-path node and move past the "]".  In a PATCH path the filter's
 * errors are invalidFilter, but a missing "]" is invalidPath.
 */
static ScimFilterNode *
parse_brackets(ParseState *ps, ScimAttrPath *path, int start)
{
	ScimParseCode saved = ps->syntax;
	ScimFilterNode *inner;
	ScimFilterNode *node;
	int			open = ps->tokstart;

	if (ps->inbracket)
	{
		set_error(ps, SCIM_PARSE_INVALID_FILTER, open,
				  "nested \"[\" at position %d", open);
		return NULL;
	}
	if (path->sub != NULL)
	{
		set_error(ps, ps->syntax, open,
				  "\"[\" after a sub-attribute at position %d", open);
		return NULL;
	}
	if (!enter(ps, open))
		return NULL;
	ps->inbracket = true;
	ps->syntax = SCIM_PARSE_INVALID_FILTER;
	if (!lex(ps) || (inner = parse_binary(ps, 0)) == NULL)
		return NULL;
	if (ps->tok != TOK_RBRACKET)
	{
		if (ps->tok == TOK_END)
			ps->syntax = saved;
		unexpected(ps, "\"]\"");
		return NULL;
	}
	ps->inbracket = false;
	ps->syntax = saved;
	ps->depth--;
	if ((node = new_node(ps, SCIM_FOP_VALUEPATH, start)) == NULL)
		return NULL;
	node->path = *path;
	node->left = inner;
	return lex(ps) ? node : NULL;
}

/* compareOp SP compValue, or "pr" (current token is the operator) */
static bool
parse_operator(ParseState *ps, ScimFilterNode *node)
{
	char		buf[TOKEN_SHOW_MAX + 8];
	int			n = ps->tokend - ps->tokstart;
	size_t		i;

	if (ps->tok != TOK_WORD)
	{
		unexpected(ps, "an operator");
		return false;
	}
	for (i = 0; i <= SCIM_FOP_LE; i++)
	{
		if (n == 2 && scim_strncasecmp(ps->text + ps->tokstart,
									   op_names[i], 2) == 0)
			break;
	}
	if (i > SCIM_FOP_LE)
	{
		set_error(ps, ps->syntax, ps->tokstart,
				  "unknown operator %s at position %d",
				  show_token(ps, ps->tokstart, ps->tokend, buf, sizeof(buf)),
				  ps->tokstart);
		return false;
	}
	node->op = (ScimFilterOp) i;
	if (!lex(ps))
		return false;
	if (node->op == SCIM_FOP_PR)
		return true;
	return parse_value(ps, node);
}

/* compValue: JSON string, number, true, false or null */
static bool
parse_value(ParseState *ps, ScimFilterNode *node)
{
	const char *s = ps->text + ps->tokstart;
	int			n = ps->tokend - ps->tokstart;
	char		buf[TOKEN_SHOW_MAX + 8];

	if (ps->tok == TOK_STRING)
	{
		node->vkind = SCIM_VAL_STRING;
		node->value = ps->str;
		node->valuelen = ps->strsize;
		return lex(ps);
	}
	if (ps->tok != TOK_WORD)
	{
		unexpected(ps, "a value");
		return false;
	}

	if (token_is(ps, "true"))
	{
		node->vkind = SCIM_VAL_TRUE;
		node->value = scim_strndup("true", 4);
		node->valuelen = 4;
	}
	else if (token_is(ps, "false"))
	{
		node->vkind = SCIM_VAL_FALSE;
		node->value = scim_strndup("false", 5);
		node->valuelen = 5;
	}
	else if (token_is(ps, "null"))
	{
		node->vkind = SCIM_VAL_NULL;
		node->value = scim_strndup("null", 4);
		node->valuelen = 4;
	}
	else if (valid_number(s, n))
	{
		node->vkind = SCIM_VAL_NUMBER;
		node->value = scim_strndup(s, n);
		node->valuelen = n;
	}
	else
	{
		set_error(ps, ps->syntax, ps->tokstart,
				  "invalid value %s at position %d",
				  show_token(ps, ps->tokstart, ps->tokend, buf, sizeof(buf)),
				  ps->tokstart);
		return false;
	}
	return lex(ps);
}


/* ----------------------------------------------------------------
 *		Entry points
 * ----------------------------------------------------------------
 */

/* The end of the text must come next */
static bool
expect_end(ParseState *ps)
{
	if (ps->tok == TOK_END)
		return true;
	unexpected(ps, NULL);
	return false;
}

/*
 * Set up the parse of a path and read its first token, which must be a
 * word; false with *err filled otherwise.
 */
static bool
begin_path(ParseState *ps, const char *text, size_t len, ScimParseError *err)
{
	if (!init_state(ps, text, len, err, SCIM_PARSE_INVALID_PATH) || !lex(ps))
		return false;
	if (ps->tok != TOK_WORD)
	{
		unexpected(ps, "an attribute path");
		return false;
	}
	return true;
}

/* Parse a complete filter.  Returns NULL and fills *err on failure. */
ScimFilterNode *
ScimFilterParse(const char *text, size_t len, ScimParseError *err)
{
	ParseState	ps;
	ScimParseError dummy;
	ScimFilterNode *node;

	if (!init_state(&ps, text, len, err ? err : &dummy,
					SCIM_PARSE_INVALID_FILTER))
		return NULL;
	if (ps.len == 0)
	{
		set_error(&ps, SCIM_PARSE_INVALID_FILTER, 0,
				  "empty filter at position 0");
		return NULL;
	}
	if (!lex(&ps) || (node = parse_binary(&ps, 0)) == NULL)
		return NULL;
	if (!expect_end(&ps))
		return NULL;
	return node;
}

/* Parse a PATCH path.  Returns false and fills *err on failure. */
bool
ScimPatchPathParse(const char *text, size_t len, ScimPatchPath *out,
				   ScimParseError *err)
{
	ParseState	ps;
	ScimParseError dummy;
	ScimFilterNode *vp;
	int			start;

	memset(out, 0, sizeof(ScimPatchPath));
	if (!begin_path(&ps, text, len, err ? err : &dummy))
		return false;
	start = ps.tokstart;
	if (!parse_attr_path(&ps, start, ps.tokend, false, &out->attr) ||
		!lex(&ps))
		goto fail;
	if (ps.tok == TOK_LBRACKET)
	{
		if ((vp = parse_brackets(&ps, &out->attr, start)) == NULL)
			goto fail;
		out->filter = vp->left;
		if (ps.tok == TOK_WORD && !ps.tokspace &&
			ps.text[ps.tokstart] == '.' &&
			!parse_sub_attr(&ps, &out->subattr))
			goto fail;
	}
	if (!expect_end(&ps))
		goto fail;
	return true;

fail:
	memset(out, 0, sizeof(ScimPatchPath));
	return false;
}

/* Parse a plain attribute path (attributes=, sortBy=): no brackets. */
bool
ScimAttrPathParse(const char *text, size_t len, ScimAttrPath *out,
				  ScimParseError *err)
{
	ParseState	ps;
	ScimParseError dummy;

	memset(out, 0, sizeof(ScimAttrPath));
	if (!begin_path(&ps, text, len, err ? err : &dummy))
		return false;
	if (!parse_attr_path(&ps, ps.tokstart, ps.tokend, false, out) ||
		!lex(&ps))
		goto fail;
	if (!expect_end(&ps))
		goto fail;
	return true;

fail:
	memset(out, 0, sizeof(ScimAttrPath));
	return false;
}


/* ----------------------------------------------------------------
 *		Rendering
 * ----------------------------------------------------------------
 */

/* Append n bytes to a growable string, keeping it NUL-terminated */
static void
sb_append(StrBuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
	{
		size_t		cap = sb->cap ? sb->cap : 64;

		while (sb->len + n + 1 > cap)
			cap *= 2;
		sb->data = scim_realloc(sb->data, cap);
		sb->cap = cap;
	}
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

/* Append a C string */
static void
sb_puts(StrBuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

/* [urn ":"] attr ["." sub] */
static void
render_path(StrBuf *sb, const ScimAttrPath *path)
{
	if (path->urn != NULL)
	{
		sb_puts(sb, path->urn);
		sb_puts(sb, ":");
	}
	sb_puts(sb, path->attr ? path->attr : "?");
	if (path->sub != NULL)
	{
		sb_puts(sb, ".");
		sb_puts(sb, path->sub);
	}
}

/* A JSON string literal; bytes from 0x80 up are copied as they are */
static void
render_string(StrBuf *sb, const char *s, size_t n)
{
	size_t		i;
	char		esc[8];

	sb_puts(sb, "\"");
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		switch (c)
		{
			case '"':
				sb_puts(sb, "\\\"");
				break;
			case '\\':
				sb_puts(sb, "\\\\");
				break;
			case '\b':
				sb_puts(sb, "\\b");
				break;
			case '\f':
				sb_puts(sb, "\\f");
				break;
			case '\n':
				sb_puts(sb, "\\n");
				break;
			case '\r':
				sb_puts(sb, "\\r");
				break;
			case '\t':
				sb_puts(sb, "\\t");
				break;
			default:
				if (c < 0x20)
				{
					snprintf(esc, sizeof(esc), "\\u%04x", c);
					sb_puts(sb, esc);
				}
				else
					sb_append(sb, (const char *) &s[i], 1);
				break;
		}
	}
	sb_puts(sb, "\"");
}

/* the name of a filter operator ("eq", "and", ...); "?" if op is none */
const char *
ScimFilterOpName(ScimFilterOp op)
{
	if ((int) op < 0 || (int) op > SCIM_FOP_VALUEPATH)
		return "?";
	return op_names[op];
}

/*
 * One node.  The left spines of and/or chains are walked in a loop, so the
 * recursion depth follows the nesting of (), not and [] only.
 */
static void
render_node(StrBuf *sb, const ScimFilterNode *node)
{
	const ScimFilterNode **spine;
	const ScimFilterNode *n;
	int			count = 0;
	int			i;

	if (node == NULL)
	{
		sb_puts(sb, "()");
		return;
	}
	switch (node->op)
	{
		case SCIM_FOP_AND:
		case SCIM_FOP_OR:
			for (n = node; n && (n->op == SCIM_FOP_AND || n->op == SCIM_FOP_OR);
				 n = n->left)
				count++;
			spine = scim_alloc(count * sizeof(ScimFilterNode *));
			i = 0;
			for (n = node; i < count; n = n->left)
			{
				spine[i++] = n;
				sb_puts(sb, "(");
				sb_puts(sb, ScimFilterOpName(n->op));
				sb_puts(sb, " ");
			}
			render_node(sb, n);
			for (i = count - 1; i >= 0; i--)
			{
				sb_puts(sb, " ");
				render_node(sb, spine[i]->right);
				sb_puts(sb, ")");
			}
			break;
		case SCIM_FOP_NOT:
			sb_puts(sb, "(not ");
			render_node(sb, node->left);
			sb_puts(sb, ")");
			break;
		case SCIM_FOP_VALUEPATH:
			sb_puts(sb, "(vp ");
			render_path(sb, &node->path);
			sb_puts(sb, " ");
			render_node(sb, node->left);
			sb_puts(sb, ")");
			break;
		default:
			if ((int) node->op < 0 || node->op > SCIM_FOP_LE)
			{
				sb_puts(sb, "(?)");
				break;
			}
			sb_puts(sb, "(");
			sb_puts(sb, ScimFilterOpName(node->op));
			sb_puts(sb, " ");
			render_path(sb, &node->path);
			if (node->op != SCIM_FOP_PR)
			{
				sb_puts(sb, " ");
				switch (node->vkind)
				{
					case SCIM_VAL_STRING:
						render_string(sb, node->value ? node->value : "",
									  node->value ? node->valuelen : 0);
						break;
					case SCIM_VAL_NUMBER:
						sb_append(sb, node->value ? node->value : "",
								  node->value ? node->valuelen : 0);
						break;
					case SCIM_VAL_TRUE:
						sb_puts(sb, "true");
						break;
					case SCIM_VAL_FALSE:
						sb_puts(sb, "false");
						break;
					case SCIM_VAL_NULL:
						sb_puts(sb, "null");
						break;
					case SCIM_VAL_NONE:
						sb_puts(sb, "?");
						break;
				}
			}
			sb_puts(sb, ")");
			break;
	}
}

/* Render a tree as a canonical S-expression (unit tests, debugging). */
char *
ScimFilterToString(const ScimFilterNode *node)
{
	StrBuf		sb = {NULL, 0, 0};

	sb_append(&sb, "", 0);
	if (node != NULL)
		render_node(&sb, node);
	return sb.data;
}
