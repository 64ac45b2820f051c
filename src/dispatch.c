/*-------------------------------------------------------------------------
 *
 * dispatch.c
 *	  scim_api.handle(bytea): the HTTP door.
 *
 * nginx maps every request under /scim/v2/ onto one PostgREST call of
 * scim_api.handle with the raw body, and passes the original method, URI
 * and headers as X-Scim-* request headers (http/nginx.conf.in).  Here we
 * authenticate the bearer token, route on the path, run the operation in
 * a subtransaction, and answer with a SCIM document, a status and headers
 * through PostgREST's response.status and response.headers settings.
 *
 * Errors roll the subtransaction back before the SCIM Error body is
 * returned: answering normally with a 4xx status would otherwise commit
 * whatever the failed operation wrote.
 *
 * src/dispatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "bulk.h"
#include "discovery.h"
#include "error.h"
#include "extension.h"
#include "filter.h"
#include "filter_sql.h"
#include "group.h"
#include "json.h"
#include "json_out.h"
#include "project.h"
#include "query.h"
#include "resource.h"
#include "schema.h"
#include "scim.h"
#include "tenant.h"
#include "token.h"
#include "uri.h"
#include "user.h"
#include "validate.h"

PG_FUNCTION_INFO_V1(scim_handle);

#define SCIM_PREFIX "/scim/v2"

/* runs of a request that failed with a deadlock (see retryable()) */
#define SCIM_ATTEMPTS 3

/* one HTTP request, as nginx described it */
typedef struct HttpRequest
{
	ScimJson   *headers;		/* request.headers, keys lower-cased */
	const char *method;
	const char *uri;
	ScimUri		parsed;
	const char *body;
	int			bodylen;
	ScimRequest *req;
} HttpRequest;

/* what we answer */
typedef struct HttpResponse
{
	int			status;
	ScimJson   *body;			/* NULL: no body */
	ScimJson   *headers;		/* array of one-key objects */
} HttpResponse;

/* forward declarations */
static const char *header(HttpRequest *h, const char *name);
static ScimJson *read_headers(void);
static void add_header(HttpResponse *r, const char *name, const char *value);
static void authenticate(HttpRequest *h);
static void check_media_types(HttpRequest *h);
static ScimJson *parse_body(HttpRequest *h);
static void route(HttpRequest *h, HttpResponse *r);
static void error_response(HttpResponse *r, const ScimErrorReply *reply);
static Datum send_response(HttpResponse *r);
static char *base_url(HttpRequest *h);

/*
 * the value of request header name (lower case), or NULL; the keys were
 * lower-cased when read (read_headers)
 */
static const char *
header(HttpRequest *h, const char *name)
{
	int			i;

	for (i = h->headers->count - 1; i >= 0; i--)
	{
		ScimJson   *v = h->headers->items[i];

		if (strcmp(h->headers->keys[i], name) == 0)
			return (v->type == SJ_STRING && v->str[0]) ? v->str : NULL;
	}
	return NULL;
}

/*
 * read_headers
 *		PostgREST's request.headers: an object of header names (which it
 *		lower-cases already; done again here, in place, so that header()
 *		can compare exactly) and values.  Anything else reads as no headers.
 */
static ScimJson *
read_headers(void)
{
	const char *text = GetConfigOption("request.headers", true, false);
	ScimJson   *headers = NULL;
	int			i;

	if (text != NULL && text[0] != '\0')
	{
		ScimJsonError err;

		headers = ScimJsonParse(text, strlen(text), &err);
	}
	if (headers == NULL || headers->type != SJ_OBJECT)
		return ScimJsonNew(SJ_OBJECT);
	for (i = 0; i < headers->count; i++)
	{
		char	   *k;

		for (k = headers->keys[i]; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				*k += 'a' - 'A';
	}
	return headers;
}

/* append a response header */
static void
add_header(HttpResponse *r, const char *name, const char *value)
{
	ScimJson   *o = ScimJsonNew(SJ_OBJECT);

	ScimJsonSet(o, name, ScimJsonMakeString(value));
	ScimJsonAppend(r->headers, o);
}

/* scheme://host/scim/v2 of this request */
static char *
base_url(HttpRequest *h)
{
	const char *host = header(h, "x-scim-host");
	const char *scheme = header(h, "x-scim-scheme");

	if (host == NULL)
		return (scim_base_url && scim_base_url[0]) ? scim_base_url : SCIM_PREFIX;
	return psprintf("%s://%s%s", scheme ? scheme : "https", host, SCIM_PREFIX);
}

/*
 * authenticate
 *		Find the tenant of the bearer token.  "Authorization: Bearer <t>"
 *		is the standard form; the bare token is accepted too, since Okta's
 *		"Header Auth" field is often filled without the scheme.  The token
 *		is looked up by its SHA-256 digest, so no comparison ever touches
 *		the secret itself.
 */
static void
authenticate(HttpRequest *h)
{
	const char *auth = header(h, "x-scim-authorization");
	const char *token;
	ScimToken	tok;

	if (auth == NULL)
		ScimError(SCIM_ERR_UNAUTHORIZED, "authentication required: send \"Authorization: Bearer <token>\"");
	token = auth;
	if (pg_strncasecmp(token, "bearer", 6) == 0 && (token[6] == ' ' || token[6] == '\t'))
	{
		token += 6;
		while (*token == ' ' || *token == '\t')
			token++;
	}
	ScimTokenLookup(token, &tok);

	/* from here on, the token's tenant is the scope of the request */
	h->req = palloc0(sizeof(ScimRequest));
	h->req->tenant = ScimTenantLoad(tok.tenant);
	ScimTokenTouch(&tok);

	h->req->actor = psprintf("token:%s", tok.label);
	h->req->base_url = base_url(h);
	h->req->if_match = header(h, "x-scim-if-match");
}

/* is media type t (parameters ignored) one of ours */
static bool
json_media_type(const char *t, bool allow_wildcards)
{
	size_t		n = strcspn(t, ";, \t");

	if ((n == 21 && pg_strncasecmp(t, "application/scim+json", 21) == 0) ||
		(n == 16 && pg_strncasecmp(t, "application/json", 16) == 0))
		return true;
	if (allow_wildcards &&
		((n == 3 && strncmp(t, "*/*", 3) == 0) ||
		 (n == 13 && pg_strncasecmp(t, "application/*", 13) == 0)))
		return true;
	return false;
}

/*
 * check_media_types
 *		Bodies must be JSON (415 otherwise); an Accept header, when sent,
 *		must admit JSON (406 otherwise).  Missing headers are fine.
 */
static void
check_media_types(HttpRequest *h)
{
	const char *ct = header(h, "x-scim-content-type");
	const char *accept = header(h, "x-scim-accept");

	if (h->bodylen > 0 && ct != NULL && !json_media_type(ct, false))
		ScimError(SCIM_ERR_UNSUPPORTED_MEDIA,
				  "request bodies must be application/scim+json or application/json");
	if (accept != NULL)
	{
		const char *p = accept;

		for (;;)
		{
			while (*p == ' ' || *p == ',' || *p == '\t')
				p++;
			if (*p == '\0')
				break;
			if (json_media_type(p, true))
				return;
			p += strcspn(p, ",");
		}
		ScimError(SCIM_ERR_NOT_ACCEPTABLE,
				  "responses are application/scim+json; the Accept header does not allow it");
	}
}

/* the request body as JSON: invalidSyntax when empty or malformed */
static ScimJson *
parse_body(HttpRequest *h)
{
	if (h->bodylen > h->req->tenant->max_payload_bytes)
		ScimError(SCIM_ERR_TOO_LARGE, "the request body is larger than %d bytes",
				  h->req->tenant->max_payload_bytes);
	return ScimJsonParseOrError(h->body, h->bodylen, "the request body");
}

/* a query parameter as a non-negative integer, or dflt when absent */
static int
int_param(HttpRequest *h, const char *name, int dflt)
{
	const char *v = ScimUriParam(&h->parsed, name);
	char	   *end;
	long		n;

	if (v == NULL || v[0] == '\0')
		return dflt;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*end != '\0' || errno != 0)
		ScimError(SCIM_ERR_INVALID_VALUE, "%s must be an integer, not \"%s\"", name, v);
	if (n > INT_MAX)
		n = INT_MAX;
	if (n <= INT_MIN)
		n = INT_MIN + 1;
	return (int) n;
}

/* is "members" named in a comma-separated attribute list */
static bool
names_members(const char *list)
{
	char	   *copy;
	char	   *tok;
	char	   *save;

	if (list == NULL)
		return false;
	copy = pstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
	{
		char	   *t = tok;
		size_t		len;
		const char *last;

		while (*t == ' ')
			t++;
		len = strlen(t);
		while (len > 0 && t[len - 1] == ' ')
			t[--len] = '\0';
		last = strrchr(t, ':');
		last = last ? last + 1 : t;
		if (pg_strncasecmp(last, "members", 7) == 0 &&
			(last[7] == '\0' || last[7] == '.'))
			return true;
	}
	return false;
}

/* projection parameters of this request (query, or a SearchRequest body) */
typedef struct Projection
{
	const char *attributes;
	const char *excluded;
} Projection;

/* does the projection leave the members of groups out */
static bool
excludes_members(Projection *p)
{
	if (p->attributes && p->attributes[0])
		return !names_members(p->attributes);
	return names_members(p->excluded);
}

/* a single resource answer: status, ETag, Location on 201, projection */
static void
resource_response(HttpRequest *h, HttpResponse *r, ScimResult *res,
				  ScimResourceKind kind, int status, Projection *proj)
{
	r->status = status;
	add_header(r, "ETag", ScimVersionTag(res->version));
	if (status == 201)
		add_header(r, "Location", ScimLocation(h->req, kind, res->id));
	ScimProject(ScimResourceType(h->req->tenant, kind), res->resource, proj->attributes, proj->excluded);
	r->body = res->resource;
}

/* a SearchRequest string-or-array member joined as a comma list */
static const char *
search_list(ScimJson *body, const char *name)
{
	ScimJson   *v = ScimJsonGet(body, name);
	StringInfoData buf;
	int			i;

	if (v == NULL || v->type == SJ_NULL)
		return NULL;
	if (v->type == SJ_STRING)
		return v->str;
	if (v->type != SJ_ARRAY)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "\"%s\" must be an array of attribute names", name);
	initStringInfo(&buf);
	for (i = 0; i < v->count; i++)
	{
		if (v->items[i]->type != SJ_STRING)
			ScimError(SCIM_ERR_INVALID_SYNTAX, "\"%s\" must be an array of attribute names", name);
		appendStringInfo(&buf, "%s%s", i ? "," : "", v->items[i]->str);
	}
	return buf.data;
}

/* a string member of a SearchRequest: absent or null is NULL, another type 400 */
static const char *
search_string(ScimJson *body, const char *name, ScimErrorKind kind)
{
	ScimJson   *v = ScimJsonGet(body, name);

	if (v == NULL || v->type == SJ_NULL)
		return NULL;
	if (v->type != SJ_STRING)
		ScimError(kind, "\"%s\" must be a string", name);
	return v->str;
}

/* an integer member of a SearchRequest */
static int
search_int(ScimJson *body, const char *name, int dflt)
{
	ScimJson   *v = ScimJsonGet(body, name);

	if (v == NULL || v->type == SJ_NULL)
		return dflt;
	if (v->type != SJ_NUMBER || strpbrk(v->str, ".eE") != NULL)
		ScimError(SCIM_ERR_INVALID_VALUE, "\"%s\" must be an integer", name);
	return (int) Max(Min(strtol(v->str, NULL, 10), INT_MAX), INT_MIN + 1);
}

/*
 * read_search
 *		The list parameters of a query string or of a SearchRequest body.
 */
static void
read_search(HttpRequest *h, bool search, ScimListParams *params, Projection *proj)
{
	const char *order;

	memset(params, 0, sizeof(ScimListParams));
	if (search)
	{
		ScimJson   *body = parse_body(h);

		if (body->type != SJ_OBJECT)
			ScimError(SCIM_ERR_INVALID_SYNTAX, "the SearchRequest must be a JSON object");
		ScimCheckSchemas(body, SCIM_URN_SEARCH, "a SearchRequest", false);
		/* a filter that is not a string must not mean "no filter" */
		params->filter = search_string(body, "filter", SCIM_ERR_INVALID_FILTER);
		params->sort_by = search_string(body, "sortBy", SCIM_ERR_INVALID_VALUE);
		order = search_string(body, "sortOrder", SCIM_ERR_INVALID_VALUE);
		params->start_index = search_int(body, "startIndex", 1);
		params->count = search_int(body, "count", INT_MIN);
		proj->attributes = search_list(body, "attributes");
		proj->excluded = search_list(body, "excludedAttributes");
	}
	else
	{
		params->filter = ScimUriParam(&h->parsed, "filter");
		params->sort_by = ScimUriParam(&h->parsed, "sortBy");
		order = ScimUriParam(&h->parsed, "sortOrder");
		params->start_index = int_param(h, "startIndex", 1);
		params->count = int_param(h, "count", INT_MIN);
		proj->attributes = ScimUriParam(&h->parsed, "attributes");
		proj->excluded = ScimUriParam(&h->parsed, "excludedAttributes");
	}
	if (params->filter && params->filter[0] == '\0')
		params->filter = NULL;
	if (params->sort_by && params->sort_by[0] == '\0')
		params->sort_by = NULL;
	if (order && order[0])
	{
		if (pg_strcasecmp(order, "descending") == 0)
			params->descending = true;
		else if (pg_strcasecmp(order, "ascending") != 0)
			ScimError(SCIM_ERR_INVALID_VALUE,
					  "sortOrder must be \"ascending\" or \"descending\", not \"%s\"", order);
	}
	/* count absent: the default page (-1); negative: 0 (RFC 7644 §3.4.2.4) */
	if (params->start_index < 1)
		params->start_index = 1;
	if (params->count == INT_MIN)
		params->count = -1;
	else if (params->count < 0)
		params->count = 0;
}

/*
 * list_or_search
 *		GET /Users, GET /Groups, and POST /{Users,Groups}/.search.
 */
static void
list_or_search(HttpRequest *h, HttpResponse *r, ScimResourceKind kind, bool search)
{
	ScimListParams params;
	Projection	proj;
	ScimListResult *res;
	ListCell   *lc;

	read_search(h, search, &params, &proj);
	params.exclude_members = kind == SCIM_RES_GROUP && excludes_members(&proj);
	res = ScimList(h->req, kind, &params);
	foreach(lc, res->resources)
		ScimProject(ScimResourceType(h->req->tenant, kind), (ScimJson *) lfirst(lc),
					proj.attributes, proj.excluded);
	r->status = 200;
	r->body = ScimListResponse(res);
}

/* does every attribute a filter names exist in resource type rt */
static bool
filter_fits(const ScimResourceTypeDef *rt, const ScimFilterNode *f)
{
	const ScimSchemaDef *schema = rt->schema;
	const ScimAttrDef *def;

	check_stack_depth();
	if (f == NULL)
		return true;
	if (f->op == SCIM_FOP_AND || f->op == SCIM_FOP_OR || f->op == SCIM_FOP_NOT)
		return filter_fits(rt, f->left) && filter_fits(rt, f->right);
	if (f->path.urn != NULL)
	{
		schema = ScimResourceFindSchema(rt, f->path.urn);
		if (schema == NULL)
			return false;
	}
	if (ScimIsMetaOrSchemas(f->path.attr))
		return true;
	def = ScimSchemaFindAttr(schema, f->path.attr);
	if (def == NULL)
		return false;
	return f->path.sub == NULL || ScimAttrFindSub(def, f->path.sub) != NULL;
}

/*
 * root_search
 *		POST /.search (RFC 7644 §3.4.3): Users, then Groups, as one list.
 *		A resource type whose schema lacks an attribute the filter names
 *		cannot match it and contributes nothing; when no type can, the
 *		filter is invalid.  Sorting applies within each type.
 */
static void
root_search(HttpRequest *h, HttpResponse *r)
{
	static const ScimResourceKind kinds[2] = {SCIM_RES_USER, SCIM_RES_GROUP};
	ScimListParams params;
	Projection	proj;
	ScimListResult *all = palloc0(sizeof(ScimListResult));
	bool		fits[2] = {true, true};
	int64		totals[2] = {0, 0};
	int64		start;
	int64		remaining;
	int			i;

	read_search(h, true, &params, &proj);
	if (params.filter)
	{
		ScimFilterNode *f = ScimFilterParseOrError(params.filter);

		for (i = 0; i < 2; i++)
			fits[i] = filter_fits(ScimResourceType(h->req->tenant, kinds[i]), f);
		if (!fits[0] && !fits[1])
			ScimError(SCIM_ERR_INVALID_FILTER,
					  "the filter names attributes that no resource type has");
	}
	for (i = 0; i < 2; i++)
		if (fits[i])
		{
			ScimListParams p = params;

			p.count = 0;
			totals[i] = ScimList(h->req, kinds[i], &p)->total;
		}

	remaining = params.count < 0 || params.count > h->req->tenant->max_results
		? h->req->tenant->max_results : params.count;
	start = params.start_index;
	all->total = totals[0] + totals[1];
	all->start_index = params.start_index;
	for (i = 0; i < 2 && remaining > 0; i++)
	{
		ScimListParams p = params;
		ScimListResult *part;
		ListCell   *lc;

		if (start > totals[i])
		{
			start -= totals[i];
			continue;
		}
		p.start_index = (int) start;
		p.count = (int) remaining;
		p.exclude_members = kinds[i] == SCIM_RES_GROUP && excludes_members(&proj);
		part = ScimList(h->req, kinds[i], &p);
		foreach(lc, part->resources)
		{
			ScimProject(ScimResourceType(h->req->tenant, kinds[i]), (ScimJson *) lfirst(lc),
						proj.attributes, proj.excluded);
			all->resources = lappend(all->resources, lfirst(lc));
		}
		remaining -= list_length(part->resources);
		start = 1;
	}
	r->status = 200;
	r->body = ScimListResponse(all);
}

/* Allow header and 405 for a method a path does not take */
static void
method_not_allowed(HttpResponse *r, const char *allow, const char *method)
{
	add_header(r, "Allow", allow);
	ScimError(SCIM_ERR_METHOD, "method %s is not allowed here (allowed: %s)", method, allow);
}

/*
 * resource_route
 *		/Users, /Users/{id}, /Groups, /Groups/{id} and their .search.
 */
static void
resource_route(HttpRequest *h, HttpResponse *r, ScimResourceKind kind)
{
	const char *m = h->method;
	Projection	proj;
	ScimResult *res;

	proj.attributes = ScimUriParam(&h->parsed, "attributes");
	proj.excluded = ScimUriParam(&h->parsed, "excludedAttributes");

	if (h->parsed.nsegments == 1)
	{
		if (strcmp(m, "GET") == 0)
			list_or_search(h, r, kind, false);
		else if (strcmp(m, "POST") == 0)
		{
			ScimJson   *body = parse_body(h);

			res = kind == SCIM_RES_USER ? ScimUserCreate(h->req, body)
				: ScimGroupCreate(h->req, body);
			resource_response(h, r, res, kind, 201, &proj);
		}
		else
			method_not_allowed(r, "GET, POST", m);
		return;
	}
	if (h->parsed.nsegments > 2)
		ScimError(SCIM_ERR_NOT_FOUND, "no such endpoint");

	if (strcmp(h->parsed.segments[1], ".search") == 0)
	{
		if (strcmp(m, "POST") != 0)
			method_not_allowed(r, "POST", m);
		list_or_search(h, r, kind, true);
		return;
	}

	{
		const char *id = h->parsed.segments[1];

		if (strcmp(m, "GET") == 0)
		{
			const char *inm = header(h, "x-scim-if-none-match");

			res = kind == SCIM_RES_USER ? ScimUserGet(h->req, id)
				: ScimGroupGet(h->req, id, !excludes_members(&proj));
			if (inm != NULL)
			{
				char	   *tag = ScimVersionTag(res->version);

				if (strcmp(inm, "*") == 0 || strstr(inm, tag + 2) != NULL)
				{
					r->status = 304;
					add_header(r, "ETag", tag);
					r->body = NULL;
					return;
				}
			}
			resource_response(h, r, res, kind, 200, &proj);
		}
		else if (strcmp(m, "PUT") == 0)
		{
			ScimJson   *body = parse_body(h);

			res = kind == SCIM_RES_USER ? ScimUserReplace(h->req, id, body)
				: ScimGroupReplace(h->req, id, body);
			resource_response(h, r, res, kind, 200, &proj);
		}
		else if (strcmp(m, "PATCH") == 0)
		{
			ScimJson   *body = parse_body(h);

			if (kind == SCIM_RES_USER)
			{
				res = ScimUserPatch(h->req, id, body);
				resource_response(h, r, res, kind, 200, &proj);
			}
			else if (proj.attributes == NULL && proj.excluded == NULL)
			{
				/*
				 * RFC 7644 §3.5.2: 200 with the resource or 204.  A group
				 * answers 204 unless the client asked for attributes, so that
				 * adding one member to a group of 100,000 does not send (or
				 * read) the other 99,999.
				 */
				h->req->no_member_list = true;
				res = ScimGroupPatch(h->req, id, body);
				r->status = 204;
				add_header(r, "ETag", ScimVersionTag(res->version));
				r->body = NULL;
			}
			else
			{
				h->req->no_member_list = excludes_members(&proj);
				res = ScimGroupPatch(h->req, id, body);
				resource_response(h, r, res, kind, 200, &proj);
			}
		}
		else if (strcmp(m, "DELETE") == 0)
		{
			if (kind == SCIM_RES_USER)
				ScimUserDelete(h->req, id);
			else
				ScimGroupDelete(h->req, id);
			r->status = 204;
			r->body = NULL;
		}
		else
			method_not_allowed(r, "GET, PUT, PATCH, DELETE", m);
	}
}

/* discovery endpoints take GET only and ignore paging; a filter is 403 */
static void
discovery_route(HttpRequest *h, HttpResponse *r, const char *what)
{
	ScimJson   *doc = NULL;
	const char *id = h->parsed.nsegments == 2 ? h->parsed.segments[1] : NULL;

	if (strcmp(h->method, "GET") != 0)
		method_not_allowed(r, "GET", h->method);
	if (h->parsed.nsegments > 2)
		ScimError(SCIM_ERR_NOT_FOUND, "no such endpoint");
	if (ScimUriParam(&h->parsed, "filter") != NULL)
		ScimError(SCIM_ERR_FORBIDDEN, "filtering is not supported on %s", what);

	if (strcmp(what, "ServiceProviderConfig") == 0)
	{
		if (id != NULL)
			ScimError(SCIM_ERR_NOT_FOUND, "no such endpoint");
		doc = ScimServiceProviderConfig(h->req);
	}
	else if (strcmp(what, "ResourceTypes") == 0)
		doc = id ? ScimResourceTypeGet(h->req, id) : ScimResourceTypesList(h->req);
	else
		doc = id ? ScimSchemaGet(h->req, id) : ScimSchemasList(h->req);
	if (doc == NULL)
		ScimError(SCIM_ERR_NOT_FOUND, "%s \"%s\" not found", what, id);
	r->status = 200;
	r->body = doc;
}

/*
 * route
 *		Dispatch on the path (endpoint names matched case-insensitively).
 */
static void
route(HttpRequest *h, HttpResponse *r)
{
	const char *first;

	if (h->parsed.nsegments == 0)
		ScimError(SCIM_ERR_NOT_FOUND, "no such endpoint: use /Users, /Groups or a discovery endpoint");
	first = h->parsed.segments[0];
	if (strcmp(first, ".search") == 0 && h->parsed.nsegments == 1)
	{
		if (strcmp(h->method, "POST") != 0)
			method_not_allowed(r, "POST", h->method);
		root_search(h, r);
		return;
	}
	if (pg_strcasecmp(first, "Users") == 0)
		resource_route(h, r, SCIM_RES_USER);
	else if (pg_strcasecmp(first, "Groups") == 0)
		resource_route(h, r, SCIM_RES_GROUP);
	else if (pg_strcasecmp(first, "ServiceProviderConfig") == 0)
		discovery_route(h, r, "ServiceProviderConfig");
	else if (pg_strcasecmp(first, "ResourceTypes") == 0)
		discovery_route(h, r, "ResourceTypes");
	else if (pg_strcasecmp(first, "Schemas") == 0)
		discovery_route(h, r, "Schemas");
	else if (pg_strcasecmp(first, "Me") == 0)
		ScimError(SCIM_ERR_NOT_IMPLEMENTED, "/Me is not supported: tokens belong to an organization, not a user");
	else if (pg_strcasecmp(first, "Bulk") == 0)
	{
		if (h->parsed.nsegments > 1)
			ScimError(SCIM_ERR_NOT_FOUND, "no such endpoint");
		if (strcmp(h->method, "POST") != 0)
			method_not_allowed(r, "POST", h->method);
		r->body = ScimBulk(h->req, parse_body(h), h->bodylen);
		r->status = 200;
	}
	else
		ScimError(SCIM_ERR_NOT_FOUND, "no such endpoint: /%s", first);
}

/* fill r with the SCIM Error answer of a caught error */
static void
error_response(HttpResponse *r, const ScimErrorReply *reply)
{
	r->status = reply->status;
	r->body = ScimErrorBody(reply->status, reply->scimType, reply->detail);
	if (reply->status == 401)
		add_header(r, "WWW-Authenticate", "Bearer realm=\"scim\"");
	if (reply->status == 503)
		add_header(r, "Retry-After", "1");
}

/* set response.status and response.headers, and return the body */
static Datum
send_response(HttpResponse *r)
{
	add_header(r, "Content-Type", "application/scim+json");
	(void) set_config_option("response.headers", ScimJsonToCString(r->headers),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
							 true, 0, false);
	(void) set_config_option("response.status", psprintf("%d", r->status),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
							 true, 0, false);
	if (r->body == NULL)
		return (Datum) 0;
	return CStringGetTextDatum(ScimJsonToCString(r->body));
}

/*
 * serve
 *		Everything after reading the headers, run inside the subtransaction.
 */
static void
serve(HttpRequest *h, HttpResponse *r)
{
	char		errbuf[256];

	authenticate(h);
	if (!ScimUriParse(h->uri, strlen(h->uri), SCIM_PREFIX, &h->parsed,
					  errbuf, sizeof(errbuf)))
		ScimError(SCIM_ERR_INVALID_SYNTAX, "malformed request URI: %s", errbuf);
	check_media_types(h);
	route(h, r);
}

/*
 * Can a request that failed with this SQLSTATE simply run again?  A
 * deadlock victim can.  A serialization failure can only under READ
 * COMMITTED (PostgREST's level), where a new statement sees new data; at
 * REPEATABLE READ the transaction's snapshot would fail it again.  Of the
 * errors ScimError() raises only a 503 (busy) has one of these SQLSTATEs,
 * and it asks for the retry anyway; a 412 has its own (error.h).
 */
static bool
retryable(ErrorData *edata)
{
	if (edata->sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED)
		return true;
	if (edata->sqlerrcode == ERRCODE_T_R_SERIALIZATION_FAILURE)
		return !IsolationUsesXactSnapshot();
	return false;
}

/*
 * scim_api.handle(bytea) RETURNS json
 */
Datum
scim_handle(PG_FUNCTION_ARGS)
{
	MemoryContext callcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	HttpRequest h;
	HttpResponse r;
	Datum		result;
	volatile bool failed = false;
	ErrorData  *volatile edata = NULL;
	int			attempt;

	memset(&h, 0, sizeof(h));
	memset(&r, 0, sizeof(r));
	r.headers = ScimJsonNew(SJ_ARRAY);

	h.headers = read_headers();
	h.method = header(&h, "x-scim-method");
	h.uri = header(&h, "x-scim-uri");
	if (!PG_ARGISNULL(0))
	{
		bytea	   *body = PG_GETARG_BYTEA_PP(0);

		h.body = VARDATA_ANY(body);
		h.bodylen = VARSIZE_ANY_EXHDR(body);
	}
	if (h.method == NULL)
		h.method = "GET";
	if (h.uri == NULL)
		h.uri = SCIM_PREFIX "/";

	SPI_connect();
	for (attempt = 1;; attempt++)
	{
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(callcxt);
		PG_TRY();
		{
			serve(&h, &r);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(callcxt);
			CurrentResourceOwner = oldowner;
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(callcxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(callcxt);
			CurrentResourceOwner = oldowner;
			failed = true;
		}
		PG_END_TRY();

		if (!failed || attempt >= SCIM_ATTEMPTS || !retryable(edata))
			break;

		/*
		 * A deadlock victim (or, in READ COMMITTED, a serialization failure)
		 * lost only this request's subtransaction: its locks are gone and the
		 * other transaction goes on.  Run the request again from the start,
		 * after a short random pause; the next statements take new snapshots.
		 * What the client sees is a slower answer, not an error
		 * (docs/reliability.md).
		 */
		ereport(LOG,
				errmsg("scim: %s %.*s retried after: %s", h.method,
					   (int) strcspn(h.uri, "?"), h.uri, edata->message),
				errdetail_internal("attempt %d of %d. %s", attempt + 1, SCIM_ATTEMPTS,
								   edata->detail_log ? edata->detail_log :
								   edata->detail ? edata->detail : ""));
		FreeErrorData(edata);
		edata = NULL;
		failed = false;
		h.req = NULL;
		memset(&h.parsed, 0, sizeof(h.parsed));
		r.status = 0;
		r.body = NULL;
		r.headers = ScimJsonNew(SJ_ARRAY);
		pg_usleep(1000L * attempt + (long) pg_prng_uint64_range(&pg_global_prng_state, 0, 5000));
		CHECK_FOR_INTERRUPTS();
	}

	if (failed)
	{
		ScimErrorReply reply;
		ScimJson   *keep = NULL;
		int			i;

		ScimErrorAnswer(edata, &reply);
		/* keep the Allow header of a 405 */
		for (i = 0; i < r.headers->count; i++)
			if (ScimJsonGet(r.headers->items[i], "Allow"))
				keep = r.headers->items[i];
		r.headers = ScimJsonNew(SJ_ARRAY);
		if (keep && reply.kind == SCIM_ERR_METHOD)
			ScimJsonAppend(r.headers, keep);
		error_response(&r, &reply);
		FreeErrorData(edata);
	}
	result = send_response(&r);
	SPI_finish();
	if (r.body == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
