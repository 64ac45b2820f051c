/*-------------------------------------------------------------------------
 *
 * bulk.c
 *	  Bulk operations (RFC 7644 §3.7): POST /Bulk and scim.bulk().
 *
 * A BulkRequest is checked as a whole before anything runs: it must be an
 * object whose "schemas" contain the BulkRequest URN, with an "Operations"
 * array and an optional positive integer "failOnErrors".  Each operation
 * needs a method (POST, PUT, PATCH or DELETE, in any case) and a path:
 * POST addresses a resource type endpoint ("/Users") and needs a bulkId;
 * PUT, PATCH and DELETE address one resource ("/Users/{id}", where the id
 * may be "bulkId:x").  POST, PUT and PATCH need "data" (an object), and a
 * "version" acts as If-Match for its operation.  BulkIds are unique in a
 * request.  Anything else is 400 invalidSyntax for the whole request, and
 * a request over the tenant's maxPayloadSize or maxOperations is 413:
 * nothing has run then.  A path naming an endpoint other than /Users and
 * /Groups is not malformed: that operation alone fails with 404.
 *
 * References.  Any string value of data, at any depth, that is exactly
 * "bulkId:<x>" (and a path id of that form) refers to the resource created
 * by the POST whose bulkId is x; it is replaced by that resource's id
 * before the operation runs.  An operation runs after the POSTs it refers
 * to, wherever they are in the request: the order of execution is the
 * request order, except that an operation waiting for a later POST runs
 * right after the operations it waits for (the smallest topological order,
 * so a request without forward references runs exactly in its order).
 *
 * Failures of references are the operation's own, with status 409 and
 * scimType invalidSyntax (RFC 7644 §3.7.2 lets a server give up on
 * circular references with 409):
 *	- every operation on a cycle of references (one referring to itself
 *	  included) fails as a "circular bulkId reference";
 *	- a reference to a bulkId no POST of the request defines fails;
 *	- a reference to a POST that failed fails too.
 *
 * Isolation.  Each operation runs in its own subtransaction: a failed one
 * is rolled back alone and the others stay, as RFC 7644 §3.7 asks ("the
 * service provider MUST continue performing as many changes as
 * possible").  With failOnErrors N, processing stops after the Nth failed
 * operation; the operations not run yet are left out of the response.
 * What ran stays done either way.  (A committed subtransaction keeps a
 * little memory, a few kB, until the request ends: the cost is linear in
 * maxOperations, which the tenant settings bound.)
 *
 * The BulkResponse lists the operations in the order they ran.  Each
 * entry has method, bulkId (when sent), location (the resource's URL;
 * left out only when unknown: a failed POST, an unknown endpoint or an
 * unresolved path), version (after POST, PUT and PATCH), status as a
 * string ("201", "200", "204", or the error's) and, on failure, response:
 * the SCIM Error, made by ScimErrorAnswer() (error.c) exactly as for the
 * same request sent alone.  Successful operations carry no resource body: the
 * location and version identify the result (RFC 7644 §3.7.3 lets a
 * server omit it).
 *
 * src/bulk.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/binaryheap.h"
#include "lib/qunique.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "bulk.h"
#include "error.h"
#include "group.h"
#include "json.h"
#include "json_out.h"
#include "resource.h"
#include "schema.h"
#include "tenant.h"
#include "user.h"
#include "validate.h"

PG_FUNCTION_INFO_V1(scim_bulk);

#define BULK_REF_PREFIX		"bulkId:"
#define BULK_REF_PREFIX_LEN 7

typedef enum BulkMethod
{
	BULK_POST,
	BULK_PUT,
	BULK_PATCH,
	BULK_DELETE
} BulkMethod;

static const char *const method_names[] = {
	[BULK_POST] = "POST",
	[BULK_PUT] = "PUT",
	[BULK_PATCH] = "PATCH",
	[BULK_DELETE] = "DELETE",
};

/* one operation of the request */
typedef struct BulkOp
{
	int			index;			/* 0-based position in the request */
	BulkMethod	method;
	const char *bulk_id;		/* NULL when not sent */
	const char *path;			/* as sent */
	bool		endpoint_known; /* /Users or /Groups, with at most an id */
	ScimResourceKind kind;
	char	   *id;				/* the id of the path (maybe "bulkId:x") */
	ScimJson   *data;
	const char *version;		/* If-Match of this operation, or NULL */
	char	  **refs;			/* the bulkIds it refers to, distinct */
	int			nrefs;
	int		   *deps;			/* the POSTs defining them, distinct */
	int			ndeps;
	int		   *dependents;		/* the operations referring to this one */
	int			ndependents;
	int			waiting;		/* deps not processed yet */
	bool		in_cycle;
	bool		failed;
	char	   *new_id;			/* id created by a successful POST */
} BulkOp;

/* one run of a BulkRequest */
typedef struct BulkRun
{
	ScimRequest *req;
	BulkOp	   *ops;
	int			nops;
	BulkOp	  **named;			/* operations with a bulkId, by bulkId */
	int			nnamed;
	int			fail_on_errors; /* 0: process every operation */
	int			errors;
	MemoryContext cxt;			/* where the response is built */
} BulkRun;

/* what a successful operation produced */
typedef struct BulkOutcome
{
	char	   *id;
	char	   *version;		/* W/"n", or NULL after DELETE */
} BulkOutcome;

/* forward declarations */
static void check_request(BulkRun *run, ScimJson *request, int payload_bytes);
static void parse_op(BulkOp *op, ScimJson *v);
static void parse_path(BulkOp *op, const char *path);
static bool is_ref(const char *s);
static void for_each_ref(ScimJson *v, void (*fn) (ScimJson *str, void *arg),
						 void *arg);
static void collect_ref(ScimJson *str, void *arg);
static int	cmp_cstring_ptr(const void *a, const void *b);
static int	cmp_int(const void *a, const void *b);
static int	cmp_named(const void *a, const void *b);
static BulkOp *find_named(BulkRun *run, const char *bulk_id);
static void index_bulk_ids(BulkRun *run);
static void link_references(BulkRun *run);
static void mark_cycles(BulkRun *run);
static int	lower_index_first(Datum a, Datum b, void *arg);
static ScimJson *execute_all(BulkRun *run);
static ScimJson *execute_op(BulkRun *run, BulkOp *op);
static void substitute_ref(ScimJson *str, void *arg);
static bool run_isolated(BulkRun *run, BulkOp *op, const char *id,
						 BulkOutcome *out, ErrorData **error);
static void perform(BulkRun *run, ScimRequest *req, BulkOp *op,
					const char *id, BulkOutcome *out);
static ScimJson *op_entry(BulkOp *op, const char *location,
						  const char *version, const char *status);
static ScimJson *op_failure(BulkOp *op, const char *location, int status,
							const char *scim_type, const char *detail);

/*
 * ScimBulk
 *		Run a BulkRequest and return the BulkResponse, built in the current
 *		memory context.  payload_bytes is the size of the request as sent.
 *		The caller must be connected to SPI.
 */
ScimJson *
ScimBulk(ScimRequest *req, ScimJson *request, int payload_bytes)
{
	BulkRun		run;
	ScimJson   *response;
	ScimJson   *schemas;

	memset(&run, 0, sizeof(run));
	run.req = req;
	run.cxt = CurrentMemoryContext;

	check_request(&run, request, payload_bytes);
	index_bulk_ids(&run);
	link_references(&run);
	mark_cycles(&run);

	response = ScimJsonNew(SJ_OBJECT);
	schemas = ScimJsonNew(SJ_ARRAY);
	ScimJsonAppend(schemas, ScimJsonMakeString(SCIM_URN_BULKRESP));
	ScimJsonSet(response, "schemas", schemas);
	ScimJsonSet(response, "Operations", execute_all(&run));
	return response;
}

/*
 * check_request
 *		Enforce the limits and the shape of the request, and read its
 *		operations into run.  Raises 413 or 400 invalidSyntax.
 */
static void
check_request(BulkRun *run, ScimJson *request, int payload_bytes)
{
	const ScimTenant *tenant = run->req->tenant;
	ScimJson   *ops;
	ScimJson   *foe;
	int			i;

	if (payload_bytes > tenant->max_payload_bytes)
		ScimError(SCIM_ERR_TOO_LARGE,
				  "the bulk request is %d bytes, more than maxPayloadSize (%d)",
				  payload_bytes, tenant->max_payload_bytes);
	if (request == NULL || request->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "the BulkRequest must be a JSON object");

	ScimCheckSchemas(request, SCIM_URN_BULKREQ, "a BulkRequest", true);

	ops = ScimJsonGet(request, "Operations");
	if (ops == NULL || ops->type != SJ_ARRAY)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "the BulkRequest must have an \"Operations\" array");
	if (ops->count > tenant->bulk_max_operations)
		ScimError(SCIM_ERR_TOO_LARGE,
				  "the bulk request has %d operations, more than maxOperations (%d)",
				  ops->count, tenant->bulk_max_operations);

	foe = ScimJsonGet(request, "failOnErrors");
	if (foe != NULL && foe->type != SJ_NULL)
	{
		char	   *end = NULL;
		long		n;

		errno = 0;
		n = foe->type == SJ_NUMBER ? strtol(foe->str, &end, 10) : 0;
		if (foe->type != SJ_NUMBER || *end != '\0' || errno != 0 ||
			n < 1 || n > INT_MAX)
			ScimError(SCIM_ERR_INVALID_SYNTAX,
					  "\"failOnErrors\" must be a positive integer");
		run->fail_on_errors = (int) n;
	}

	run->nops = ops->count;
	run->ops = palloc0(sizeof(BulkOp) * Max(ops->count, 1));
	for (i = 0; i < ops->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		run->ops[i].index = i;
		parse_op(&run->ops[i], ops->items[i]);
	}
}

/* read and check one element of Operations */
static void
parse_op(BulkOp *op, ScimJson *v)
{
	int			n = op->index + 1;
	ScimJson   *m;
	ScimJson   *b;
	ScimJson   *p;
	ScimJson   *ver;
	List	   *refs = NIL;
	ListCell   *lc;
	int			i;

	if (v->type != SJ_OBJECT)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "operation %d: must be a JSON object", n);

	m = ScimJsonGet(v, "method");
	if (m == NULL || m->type != SJ_STRING)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "operation %d: \"method\" must be POST, PUT, PATCH or DELETE", n);
	for (i = 0; i < lengthof(method_names); i++)
		if (scim_strcasecmp(m->str, method_names[i]) == 0)
			break;
	if (i == lengthof(method_names))
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "operation %d: method \"%s\" is not one of POST, PUT, PATCH, DELETE",
				  n, m->str);
	op->method = (BulkMethod) i;

	b = ScimJsonGet(v, "bulkId");
	if (b != NULL && b->type != SJ_NULL)
	{
		if (b->type != SJ_STRING || b->len == 0)
			ScimError(SCIM_ERR_INVALID_SYNTAX,
					  "operation %d: \"bulkId\" must be a non-empty string", n);
		op->bulk_id = b->str;
	}
	if (op->method == BULK_POST && op->bulk_id == NULL)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "operation %d: a POST needs a \"bulkId\"", n);

	p = ScimJsonGet(v, "path");
	if (p == NULL || p->type != SJ_STRING || p->len == 0)
		ScimError(SCIM_ERR_INVALID_SYNTAX, "operation %d: \"path\" must be a string", n);
	op->path = p->str;
	parse_path(op, p->str);
	if (op->method == BULK_POST && op->id != NULL)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "operation %d: a POST addresses a resource type endpoint such as \"/Users\", not \"%s\"",
				  n, op->path);
	if (op->method != BULK_POST && op->id == NULL)
		ScimError(SCIM_ERR_INVALID_SYNTAX,
				  "operation %d: a %s addresses one resource such as \"/Users/{id}\", not \"%s\"",
				  n, method_names[op->method], op->path);

	if (op->method != BULK_DELETE)
	{
		op->data = ScimJsonGet(v, "data");
		if (op->data == NULL || op->data->type != SJ_OBJECT)
			ScimError(SCIM_ERR_INVALID_SYNTAX,
					  "operation %d: a %s needs \"data\", a JSON object",
					  n, method_names[op->method]);
	}

	ver = ScimJsonGet(v, "version");
	if (ver != NULL && ver->type != SJ_NULL)
	{
		if (ver->type != SJ_STRING)
			ScimError(SCIM_ERR_INVALID_SYNTAX,
					  "operation %d: \"version\" must be a string", n);
		op->version = ver->str;
	}

	/* the bulkIds it refers to, distinct */
	if (op->id != NULL && is_ref(op->id))
		refs = lappend(refs, op->id + BULK_REF_PREFIX_LEN);
	if (op->data != NULL)
		for_each_ref(op->data, collect_ref, &refs);
	if (refs != NIL)
	{
		op->refs = palloc(sizeof(char *) * list_length(refs));
		foreach(lc, refs)
			op->refs[op->nrefs++] = lfirst(lc);
		qsort(op->refs, op->nrefs, sizeof(char *), cmp_cstring_ptr);
		op->nrefs = (int) qunique(op->refs, op->nrefs, sizeof(char *),
								  cmp_cstring_ptr);
		list_free(refs);
	}
}

/*
 * parse_path
 *		Split "/Users" or "/Users/{id}" (leading and one trailing slash
 *		optional, endpoint names in any case).  op->id is the id, or NULL
 *		for an endpoint; endpoint_known is false for other endpoints and
 *		for deeper paths, which fail with 404 when they run.
 */
static void
parse_path(BulkOp *op, const char *path)
{
	const char *p = path;
	const char *slash;
	size_t		elen;
	size_t		len;

	if (*p == '/')
		p++;
	len = strlen(p);
	if (len > 0 && p[len - 1] == '/')
		len--;
	slash = memchr(p, '/', len);
	elen = slash ? (size_t) (slash - p) : len;

	op->endpoint_known = false;
	if (elen == 5 && pg_strncasecmp(p, "Users", 5) == 0)
	{
		op->kind = SCIM_RES_USER;
		op->endpoint_known = true;
	}
	else if (elen == 6 && pg_strncasecmp(p, "Groups", 6) == 0)
	{
		op->kind = SCIM_RES_GROUP;
		op->endpoint_known = true;
	}

	op->id = NULL;
	if (slash != NULL && (size_t) (slash - p) + 1 < len)
	{
		op->id = pnstrdup(slash + 1, len - elen - 1);
		if (strchr(op->id, '/') != NULL)
			op->endpoint_known = false;
	}
}

/* is s a reference "bulkId:<x>" */
static bool
is_ref(const char *s)
{
	return strncmp(s, BULK_REF_PREFIX, BULK_REF_PREFIX_LEN) == 0 &&
		s[BULK_REF_PREFIX_LEN] != '\0';
}

/*
 * for_each_ref
 *		Call fn(str, arg) for every "bulkId:<x>" string of v, depth first.
 */
static void
for_each_ref(ScimJson *v, void (*fn) (ScimJson *str, void *arg), void *arg)
{
	int			i;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	switch (v->type)
	{
		case SJ_STRING:
			if (is_ref(v->str))
				fn(v, arg);
			break;
		case SJ_ARRAY:
		case SJ_OBJECT:
			for (i = 0; i < v->count; i++)
				for_each_ref(v->items[i], fn, arg);
			break;
		default:
			break;
	}
}

/* for_each_ref callback: append the bulkId of str to the List ** arg */
static void
collect_ref(ScimJson *str, void *arg)
{
	List	  **refs = (List **) arg;

	*refs = lappend(*refs, str->str + BULK_REF_PREFIX_LEN);
}

/* qsort comparator of char * */
static int
cmp_cstring_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* qsort comparator of int */
static int
cmp_int(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/* qsort comparator of BulkOp * by bulkId */
static int
cmp_named(const void *a, const void *b)
{
	return strcmp((*(BulkOp *const *) a)->bulk_id,
				  (*(BulkOp *const *) b)->bulk_id);
}

/* the operation whose bulkId is bulk_id, or NULL */
static BulkOp *
find_named(BulkRun *run, const char *bulk_id)
{
	BulkOp		key;
	BulkOp	   *keyp = &key;
	BulkOp	  **found;

	if (run->nnamed == 0)
		return NULL;
	key.bulk_id = bulk_id;
	found = bsearch(&keyp, run->named, run->nnamed, sizeof(BulkOp *), cmp_named);
	return found ? *found : NULL;
}

/* sort the operations that have a bulkId; a bulkId used twice is 400 */
static void
index_bulk_ids(BulkRun *run)
{
	int			i;

	run->named = palloc(sizeof(BulkOp *) * Max(run->nops, 1));
	for (i = 0; i < run->nops; i++)
		if (run->ops[i].bulk_id != NULL)
			run->named[run->nnamed++] = &run->ops[i];
	qsort(run->named, run->nnamed, sizeof(BulkOp *), cmp_named);
	for (i = 1; i < run->nnamed; i++)
		if (strcmp(run->named[i - 1]->bulk_id, run->named[i]->bulk_id) == 0)
			ScimError(SCIM_ERR_INVALID_SYNTAX,
					  "bulkId \"%s\" is used by more than one operation",
					  run->named[i]->bulk_id);
}

/*
 * link_references
 *		The dependency graph: each operation depends on the POSTs whose
 *		bulkIds it refers to.  References to anything else are left for
 *		execute_op to report.
 */
static void
link_references(BulkRun *run)
{
	int		   *fill;
	int			i,
				j;

	for (i = 0; i < run->nops; i++)
	{
		BulkOp	   *op = &run->ops[i];

		CHECK_FOR_INTERRUPTS();
		if (op->nrefs == 0)
			continue;
		op->deps = palloc(sizeof(int) * op->nrefs);
		for (j = 0; j < op->nrefs; j++)
		{
			BulkOp	   *def = find_named(run, op->refs[j]);

			if (def != NULL && def->method == BULK_POST)
				op->deps[op->ndeps++] = def->index;
		}
		qsort(op->deps, op->ndeps, sizeof(int), cmp_int);
		op->ndeps = (int) qunique(op->deps, op->ndeps, sizeof(int), cmp_int);
		op->waiting = op->ndeps;
		for (j = 0; j < op->ndeps; j++)
			run->ops[op->deps[j]].ndependents++;
	}

	fill = palloc0(sizeof(int) * Max(run->nops, 1));
	for (i = 0; i < run->nops; i++)
		if (run->ops[i].ndependents > 0)
			run->ops[i].dependents = palloc(sizeof(int) * run->ops[i].ndependents);
	for (i = 0; i < run->nops; i++)
		for (j = 0; j < run->ops[i].ndeps; j++)
		{
			BulkOp	   *def = &run->ops[run->ops[i].deps[j]];

			def->dependents[fill[def->index]++] = i;
		}
	pfree(fill);
}

/*
 * mark_cycles
 *		Flag every operation on a cycle of references: the strongly
 *		connected components of the graph with more than one member, or
 *		with one that refers to itself (Tarjan's algorithm, iterative so
 *		that a long chain of references cannot overflow the stack).
 */
static void
mark_cycles(BulkRun *run)
{
	int			n = run->nops;
	int		   *order;
	int		   *low;
	bool	   *on_stack;
	int		   *stack;
	int		   *call_v;
	int		   *call_i;
	int			sp = 0;
	int			csp = 0;
	int			counter = 0;
	int			s;

	if (n == 0)
		return;
	order = palloc(sizeof(int) * n);
	low = palloc(sizeof(int) * n);
	on_stack = palloc0(sizeof(bool) * n);
	stack = palloc(sizeof(int) * n);
	call_v = palloc(sizeof(int) * n);
	call_i = palloc(sizeof(int) * n);
	for (s = 0; s < n; s++)
		order[s] = -1;

	for (s = 0; s < n; s++)
	{
		if (order[s] >= 0 || run->ops[s].ndeps == 0)
			continue;
		order[s] = low[s] = counter++;
		stack[sp++] = s;
		on_stack[s] = true;
		call_v[csp] = s;
		call_i[csp++] = 0;

		while (csp > 0)
		{
			int			v = call_v[csp - 1];
			BulkOp	   *op = &run->ops[v];

			CHECK_FOR_INTERRUPTS();
			if (call_i[csp - 1] < op->ndeps)
			{
				int			w = op->deps[call_i[csp - 1]++];

				if (order[w] < 0)
				{
					order[w] = low[w] = counter++;
					stack[sp++] = w;
					on_stack[w] = true;
					call_v[csp] = w;
					call_i[csp++] = 0;
				}
				else if (on_stack[w])
					low[v] = Min(low[v], order[w]);
				continue;
			}

			/* all of v's references are explored */
			csp--;
			if (low[v] == order[v])
			{
				int			top = sp;
				int			w;
				bool		cyclic;
				int			k;

				do
				{
					w = stack[--sp];
					on_stack[w] = false;
				} while (w != v);
				cyclic = top - sp > 1;
				for (k = 0; !cyclic && k < op->ndeps; k++)
					cyclic = op->deps[k] == v;
				for (k = sp; cyclic && k < top; k++)
					run->ops[stack[k]].in_cycle = true;
			}
			if (csp > 0)
			{
				int			u = call_v[csp - 1];

				low[u] = Min(low[u], low[v]);
			}
		}
	}
}

/* binaryheap comparator: the lowest operation index comes first */
static int
lower_index_first(Datum a, Datum b, void *arg)
{
	int			x = DatumGetInt32(a);
	int			y = DatumGetInt32(b);

	return (x < y) - (x > y);
}

/*
 * execute_all
 *		Run the operations, each as soon as what it refers to has run,
 *		lowest index first; returns the response entries in that order.
 *		Operations on a cycle are ready at once: they only fail.
 */
static ScimJson *
execute_all(BulkRun *run)
{
	ScimJson   *results = ScimJsonNew(SJ_ARRAY);
	binaryheap *ready = binaryheap_allocate(Max(run->nops, 1), lower_index_first, NULL);
	int			i;

	for (i = 0; i < run->nops; i++)
		if (run->ops[i].waiting == 0 || run->ops[i].in_cycle)
			binaryheap_add_unordered(ready, Int32GetDatum(i));
	binaryheap_build(ready);

	while (!binaryheap_empty(ready))
	{
		BulkOp	   *op = &run->ops[DatumGetInt32(binaryheap_remove_first(ready))];

		CHECK_FOR_INTERRUPTS();
		ScimJsonAppend(results, execute_op(run, op));
		if (op->failed)
		{
			run->errors++;
			if (run->fail_on_errors > 0 && run->errors >= run->fail_on_errors)
				break;
		}
		for (i = 0; i < op->ndependents; i++)
		{
			BulkOp	   *d = &run->ops[op->dependents[i]];

			if (!d->in_cycle && --d->waiting == 0)
				binaryheap_add(ready, Int32GetDatum(d->index));
		}
	}
	binaryheap_free(ready);
	return results;
}

/*
 * execute_op
 *		Resolve one operation's references and run it; returns its entry of
 *		the BulkResponse and sets op->failed.
 */
static ScimJson *
execute_op(BulkRun *run, BulkOp *op)
{
	const char *location = NULL;
	BulkOutcome out;
	ErrorData  *edata = NULL;
	char	   *id = op->id;
	int			i;

	if (op->in_cycle)
		return op_failure(op, NULL, 409, "invalidSyntax",
						  psprintf("circular bulkId reference: bulkId \"%s\" refers back to itself",
								   op->bulk_id));
	if (!op->endpoint_known)
		return op_failure(op, NULL, 404, NULL,
						  psprintf("no such endpoint: \"%s\" (use /Users or /Groups)", op->path));

	if (id != NULL && !is_ref(id))
		location = ScimLocation(run->req, op->kind, id);
	for (i = 0; i < op->nrefs; i++)
	{
		BulkOp	   *def = find_named(run, op->refs[i]);

		if (def == NULL || def->method != BULK_POST)
			return op_failure(op, location, 409, "invalidSyntax",
							  psprintf("bulkId \"%s\" is not defined by a POST of this request",
									   op->refs[i]));
		if (def->new_id == NULL)
			return op_failure(op, location, 409, "invalidSyntax",
							  psprintf("bulkId \"%s\" cannot be resolved: the operation creating it failed",
									   op->refs[i]));
	}
	if (op->nrefs > 0)
	{
		if (op->data != NULL)
			for_each_ref(op->data, substitute_ref, run);
		if (id != NULL && is_ref(id))
		{
			id = find_named(run, id + BULK_REF_PREFIX_LEN)->new_id;
			location = ScimLocation(run->req, op->kind, id);
		}
	}

	if (!run_isolated(run, op, id, &out, &edata))
	{
		ScimErrorReply reply;

		op->failed = true;
		ScimErrorAnswer(edata, &reply);
		FreeErrorData(edata);
		return op_failure(op, location, reply.status, reply.scimType,
						  reply.detail);
	}

	switch (op->method)
	{
		case BULK_POST:
			op->new_id = out.id;
			return op_entry(op, ScimLocation(run->req, op->kind, out.id),
							out.version, "201");
		case BULK_PUT:
		case BULK_PATCH:
			return op_entry(op, location, out.version, "200");
		case BULK_DELETE:
			break;
	}
	return op_entry(op, location, NULL, "204");
}

/* for_each_ref callback: replace str by the id its operation created */
static void
substitute_ref(ScimJson *str, void *arg)
{
	BulkOp	   *def = find_named((BulkRun *) arg, str->str + BULK_REF_PREFIX_LEN);

	str->str = pstrdup(def->new_id);
	str->len = strlen(str->str);
}

/*
 * run_isolated
 *		Run one operation in a subtransaction of its own, connected to SPI
 *		for just that operation so that its memory goes when it ends.  On
 *		success *out is filled (in the run's context) and true returned;
 *		on failure everything it did is rolled back, *error holds the
 *		error, and false is returned.  A query cancel still cancels the
 *		whole request.
 */
static bool
run_isolated(BulkRun *run, BulkOp *op, const char *id, BulkOutcome *out,
			 ErrorData **error)
{
	ResourceOwner oldowner = CurrentResourceOwner;
	ScimRequest opreq = *run->req;
	volatile bool ok = false;

	opreq.if_match = op->version;
	opreq.changed = false;
	/* a Bulk response carries ids and versions, never resources */
	opreq.no_member_list = true;
	memset(out, 0, sizeof(*out));

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(run->cxt);
	PG_TRY();
	{
		SPI_connect();
		perform(run, &opreq, op, id, out);
		SPI_finish();
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(run->cxt);
		CurrentResourceOwner = oldowner;
		ok = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(run->cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(run->cxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(edata);
		*error = edata;
	}
	PG_END_TRY();
	return ok;
}

/*
 * perform
 *		The operation itself, through the same core as the single-resource
 *		endpoints.  Runs in the operation's SPI memory; what the response
 *		needs is copied into the run's context.
 */
static void
perform(BulkRun *run, ScimRequest *req, BulkOp *op, const char *id,
		BulkOutcome *out)
{
	bool		user = op->kind == SCIM_RES_USER;
	ScimResult *res = NULL;
	MemoryContext oldcxt;

	switch (op->method)
	{
		case BULK_POST:
			res = user ? ScimUserCreate(req, op->data) : ScimGroupCreate(req, op->data);
			break;
		case BULK_PUT:
			res = user ? ScimUserReplace(req, id, op->data)
				: ScimGroupReplace(req, id, op->data);
			break;
		case BULK_PATCH:
			res = user ? ScimUserPatch(req, id, op->data)
				: ScimGroupPatch(req, id, op->data);
			break;
		case BULK_DELETE:
			if (user)
				ScimUserDelete(req, id);
			else
				ScimGroupDelete(req, id);
			break;
	}
	if (res != NULL)
	{
		oldcxt = MemoryContextSwitchTo(run->cxt);
		out->id = pstrdup(res->id);
		out->version = ScimVersionTag(res->version);
		MemoryContextSwitchTo(oldcxt);
	}
}

/* a BulkResponse entry: method, bulkId, location, version, status */
static ScimJson *
op_entry(BulkOp *op, const char *location, const char *version,
		 const char *status)
{
	ScimJson   *entry = ScimJsonNew(SJ_OBJECT);

	ScimJsonSet(entry, "method", ScimJsonMakeString(method_names[op->method]));
	if (op->bulk_id != NULL)
		ScimJsonSet(entry, "bulkId", ScimJsonMakeString(op->bulk_id));
	if (location != NULL)
		ScimJsonSet(entry, "location", ScimJsonMakeString(location));
	if (version != NULL)
		ScimJsonSet(entry, "version", ScimJsonMakeString(version));
	ScimJsonSet(entry, "status", ScimJsonMakeString(status));
	return entry;
}

/* the entry of an operation that failed before it ran */
static ScimJson *
op_failure(BulkOp *op, const char *location, int status,
		   const char *scim_type, const char *detail)
{
	ScimJson   *entry = op_entry(op, location, NULL, psprintf("%d", status));

	op->failed = true;
	ScimJsonSet(entry, "response", ScimErrorBody(status, scim_type, detail));
	return entry;
}

/*
 * scim.bulk(tenant text, request jsonb) RETURNS jsonb
 *		The BulkResponse of a BulkRequest.  The request's size, for
 *		maxPayloadSize, is that of its JSON text.
 */
Datum
scim_bulk(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	ScimRequest *req;
	ScimJson   *request;
	ScimJson   *response;
	char	   *json_text;
	Datum		result;

	if (PG_ARGISNULL(0))
		ScimError(SCIM_ERR_INVALID_VALUE, "tenant must not be null");
	if (PG_ARGISNULL(1))
		ScimError(SCIM_ERR_INVALID_VALUE, "request must not be null");

	SPI_connect();
	req = ScimRequestForSql(PG_GETARG_TEXT_PP(0));
	request = ScimJsonFromJsonb(PG_GETARG_JSONB_P(1));
	json_text = ScimJsonToCString(request);
	response = ScimBulk(req, request, (int) Min(strlen(json_text), (size_t) INT_MAX));
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		result = ScimJsonToJsonb(response);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	PG_RETURN_DATUM(result);
}
