/*-------------------------------------------------------------------------
 *
 * tenant_cache.c
 *	  A per-backend cache of loaded tenants (settings, roles and the User
 *	  resource type with the tenant's extension schemas) and of the bearer
 *	  tokens that found them.
 *
 * Every request needs its tenant; reading scim.tenants and
 * scim.schema_extensions and merging the settings took a quarter of the
 * extension's cost of a GET (bench/README.md, F-3).  A loaded tenant is
 * built in a memory context of its own, which the cache keeps under
 * CacheMemoryContext, so later requests of the backend find it with one
 * string comparison per cached tenant.
 *
 * A token is kept by its SHA-256 digest with its tenant, label and expiry
 * (checked on every use), so that a request authenticates without a
 * statement; last_used is still written, at most once a minute per token
 * and backend.
 *
 * Invalidation follows PostgreSQL's catalog caches: whatever changes
 * scim.tenants, scim.schema_extensions or scim.tokens (tenant_configure,
 * schema_extension_add, token_issue, token_revoke, or any DML: statement
 * triggers call scim._tenant_cache_invalidate; last_used excepted) queues
 * a relcache invalidation of scim.tenants, and every backend forgets all
 * it cached.  It reaches this backend's callback when the writing
 * transaction ends (at once, and also on its rollback, for the writer
 * itself), and every other backend's when it next looks a tenant up
 * (ScimTenantCacheLookup reads the invalidation queue).  A change is
 * therefore seen by every request that starts after the change committed.
 *
 * The callback may run in the middle of a request that is using a cached
 * tenant (any lock acquisition reads the invalidation queue), so it never
 * frees an entry in place: a discarded entry's context moves under the
 * current transaction's context and goes away with it.  A tenant being
 * built while an invalidation arrives is used by its request but not kept.
 *
 * src/tenant_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "common/sha2.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "tenant.h"
#include "tenant_cache.h"

PG_FUNCTION_INFO_V1(scim_tenant_cache_invalidate);

/* more tenants than this in one backend: start over */
#define TENANT_CACHE_SIZE 64

typedef struct CachedTenant
{
	MemoryContext cxt;			/* holds tenant and everything it points to */
	ScimTenant *tenant;
} CachedTenant;

static CachedTenant cache[TENANT_CACHE_SIZE];
static int	ncached = 0;

/* more tokens than this in one backend: start over */
#define TOKEN_CACHE_SIZE 64

typedef struct CachedToken
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *tenant;
	char	   *label;
	TimestampTz expires;		/* DT_NOEND: never */
	TimestampTz touched;		/* last_used as last written or read here */
} CachedToken;

static CachedToken tokens[TOKEN_CACHE_SIZE];
static int	ntokens = 0;
static MemoryContext token_cxt = NULL;

/* bumped by every invalidation: a build that saw it change is not kept */
static uint64 generation = 0;

/* scim.tenants, once looked up (InvalidOid: not yet, or dropped) */
static Oid	tenants_relid = InvalidOid;
static bool callback_registered = false;

/*
 * Did this transaction change a tenant.  Its own later requests may have
 * cached what it wrote before any invalidation message was processed
 * locally; if it rolls back (or the subtransaction that wrote does), the
 * cache is emptied by the transaction callbacks below.
 */
static bool changed_in_xact = false;

/*
 * Drop every entry.  Inside a transaction (also while a subtransaction
 * aborts, in the middle of a Bulk request) a request may still point into
 * an entry: its memory lives on until the top transaction ends.
 */
static void
discard_all(void)
{
	int			i;

	for (i = 0; i < ncached; i++)
	{
		if (TopTransactionContext != NULL)
			MemoryContextSetParent(cache[i].cxt, TopTransactionContext);
		else
			MemoryContextDelete(cache[i].cxt);
	}
	ncached = 0;
	/* token lookups copy what they find: the strings can go at once */
	if (token_cxt != NULL)
		MemoryContextReset(token_cxt);
	ntokens = 0;
	generation++;
}

/* relcache callback: scim.tenants changed, or everything must go */
static void
relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == tenants_relid)
	{
		if (relid != InvalidOid)
			tenants_relid = InvalidOid; /* look it up again: may be dropped */
		discard_all();
	}
}

static void
xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT && changed_in_xact)
		discard_all();
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE)
		changed_in_xact = false;
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && changed_in_xact)
		discard_all();
}

/* the OID of scim.tenants, registering the callbacks on first use */
static Oid
tenants_oid(void)
{
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
		RegisterXactCallback(xact_callback, NULL);
		RegisterSubXactCallback(subxact_callback, NULL);
		callback_registered = true;
	}
	if (!OidIsValid(tenants_relid))
	{
		Oid			nsp = get_namespace_oid("scim", true);

		if (OidIsValid(nsp))
			tenants_relid = get_relname_relid("tenants", nsp);
	}
	return tenants_relid;
}

/*
 * ScimTenantCacheLookup
 *		The cached tenant tenant_id, or NULL.  The caller must not change
 *		what it gets.
 */
const ScimTenant *
ScimTenantCacheLookup(const char *tenant_id)
{
	int			i;

	(void) tenants_oid();

	/*
	 * A statement of a transaction that is already open may not take a new
	 * lock before it gets here: read the invalidation queue now, so that a
	 * change committed before this statement began is seen (cheap when the
	 * queue holds nothing for us).
	 */
	AcceptInvalidationMessages();
	for (i = 0; i < ncached; i++)
		if (strcmp(cache[i].tenant->id, tenant_id) == 0)
			return cache[i].tenant;
	return NULL;
}

/*
 * ScimTenantCacheBegin
 *		Before building a tenant: a child context of the caller's to build
 *		it in, and the generation to hand to ScimTenantCacheKeep.
 */
MemoryContext
ScimTenantCacheBegin(uint64 *gen)
{
	(void) tenants_oid();
	*gen = generation;
	return AllocSetContextCreate(CurrentMemoryContext, "scim tenant",
								 ALLOCSET_SMALL_SIZES);
}

/*
 * ScimTenantCacheKeep
 *		Keep a tenant built in cxt, unless an invalidation came in while it
 *		was built (then cxt stays where it is and dies with the caller's).
 */
void
ScimTenantCacheKeep(ScimTenant *tenant, MemoryContext cxt, uint64 gen)
{
	if (gen != generation)
		return;
	if (ncached == TENANT_CACHE_SIZE)
		discard_all();
	MemoryContextSetParent(cxt, CacheMemoryContext);
	cache[ncached].cxt = cxt;
	cache[ncached].tenant = tenant;
	ncached++;
}

/* is last_used (as written or read here) a minute old or more: write it */
static bool
touch_due(TimestampTz touched, TimestampTz now)
{
	return touched == DT_NOBEGIN || now - touched >= 60 * USECS_PER_SEC;
}

/*
 * ScimTokenCacheLookup
 *		The tenant and label of the token with this digest, if cached and
 *		not expired (palloc'd copies).  *touch: last_used is a minute old
 *		or more, the caller writes it (and the entry counts it as written).
 */
bool
ScimTokenCacheLookup(const uint8 *digest, char **tenant, char **label,
					 bool *touch)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	int			i;

	(void) tenants_oid();
	AcceptInvalidationMessages();
	for (i = 0; i < ntokens; i++)
	{
		CachedToken *t = &tokens[i];

		if (memcmp(t->digest, digest, PG_SHA256_DIGEST_LENGTH) != 0)
			continue;
		if (t->expires <= now)
			return false;		/* expired: the lookup says so */
		*tenant = pstrdup(t->tenant);
		*label = pstrdup(t->label);
		*touch = touch_due(t->touched, now);
		if (*touch)
			t->touched = now;
		return true;
	}
	return false;
}

/*
 * ScimTokenCacheKeep
 *		Remember a token just looked up (gen from ScimTokenCacheGeneration
 *		before the lookup).  expires/last_used: DT_NOEND/DT_NOBEGIN when
 *		null.  Returns whether the caller is to write last_used, as
 *		ScimTokenCacheLookup's *touch.
 */
bool
ScimTokenCacheKeep(const uint8 *digest, const char *tenant, const char *label,
				   TimestampTz expires, TimestampTz last_used, uint64 gen)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	bool		touch = touch_due(last_used, now);
	CachedToken *t;

	if (gen != generation)
		return touch;
	if (token_cxt == NULL)
		token_cxt = AllocSetContextCreate(CacheMemoryContext, "scim tokens",
										  ALLOCSET_SMALL_SIZES);
	if (ntokens == TOKEN_CACHE_SIZE)
	{
		MemoryContextReset(token_cxt);
		ntokens = 0;
	}
	t = &tokens[ntokens++];
	memcpy(t->digest, digest, PG_SHA256_DIGEST_LENGTH);
	t->tenant = MemoryContextStrdup(token_cxt, tenant);
	t->label = MemoryContextStrdup(token_cxt, label);
	t->expires = expires;
	t->touched = touch ? now : last_used;
	return touch;
}

/* the invalidation count, to hand to ScimTokenCacheKeep */
uint64
ScimTokenCacheGeneration(void)
{
	(void) tenants_oid();
	return generation;
}

/*
 * ScimTenantCacheInvalidate
 *		Settings, extensions or tokens of a tenant changed: this backend
 *		forgets every tenant and token now, the others when the change
 *		commits.
 */
void
ScimTenantCacheInvalidate(void)
{
	Oid			relid = tenants_oid();

	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);
	changed_in_xact = true;
	discard_all();
}

/*
 * scim._tenant_cache_invalidate() RETURNS trigger
 *		Statement trigger on scim.tenants, scim.schema_extensions and
 *		scim.tokens, so that a change made with plain SQL is seen like one
 *		made with the API.
 */
Datum
scim_tenant_cache_invalidate(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("scim._tenant_cache_invalidate() must be called as a trigger")));
	ScimTenantCacheInvalidate();
	return PointerGetDatum(NULL);
}
