/*-------------------------------------------------------------------------
 *
 * resource.c
 *	  What Users and Groups share: the request context, meta, versions,
 *	  preconditions and the change feed.
 *
 * src/resource.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "error.h"
#include "json.h"
#include "json_out.h"
#include "resource.h"
#include "schema.h"
#include "scim.h"
#include "spi_util.h"
#include "tenant.h"

/*
 * ScimRequestForSql
 *		The context of a call made through the SQL API: the caller's role is
 *		the actor, and locations use scim.base_url.  Loading the tenant makes
 *		it the row-level security scope of the call.
 */
ScimRequest *
ScimRequestForSql(text *tenant)
{
	ScimRequest *req = palloc0(sizeof(ScimRequest));

	req->tenant = ScimTenantLoad(text_to_cstring(tenant));
	/* the caller's role: not the function owner a SECURITY DEFINER runs as */
	req->actor = psprintf("sql:%s", GetUserNameFromId(GetOuterUserId(), false));
	req->base_url = (scim_base_url && scim_base_url[0]) ? scim_base_url : "/scim/v2";
	return req;
}

/* <base>/Users/<id> or <base>/Groups/<id> */
char *
ScimLocation(ScimRequest *req, ScimResourceKind kind, const char *id)
{
	return psprintf("%s/%s/%s", req->base_url,
					kind == SCIM_RES_USER ? "Users" : "Groups", id);
}

/* the weak entity tag of a version, W/"<n>" */
char *
ScimVersionTag(int64 version)
{
	return psprintf("W/\"" INT64_FORMAT "\"", version);
}

/* the meta attribute of a resource */
ScimJson *
ScimMeta(ScimRequest *req, ScimResourceKind kind, const char *id,
		 TimestampTz created, TimestampTz modified, int64 version)
{
	ScimJson   *meta = ScimJsonNew(SJ_OBJECT);

	ScimJsonSet(meta, "resourceType",
				ScimJsonMakeString(kind == SCIM_RES_USER ? "User" : "Group"));
	ScimJsonSet(meta, "created", ScimJsonMakeString(ScimTimestampToString(created)));
	ScimJsonSet(meta, "lastModified", ScimJsonMakeString(ScimTimestampToString(modified)));
	ScimJsonSet(meta, "location", ScimJsonMakeString(ScimLocation(req, kind, id)));
	ScimJsonSet(meta, "version", ScimJsonMakeString(ScimVersionTag(version)));
	return meta;
}

/*
 * ScimCheckIfMatch
 *		RFC 7644 §3.14: a write whose If-Match names another version fails
 *		with 412.  Weak and strong forms of our tag are both accepted, as is
 *		"*" and a list of tags.
 */
void
ScimCheckIfMatch(ScimRequest *req, int64 version)
{
	const char *p;
	char	   *want;

	if (req->if_match == NULL || req->if_match[0] == '\0')
		return;
	want = psprintf("\"" INT64_FORMAT "\"", version);
	p = req->if_match;
	while (*p)
	{
		const char *start;
		size_t		len;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ',')
			p++;
		len = p - start;
		while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (len == 1 && start[0] == '*')
			return;
		if (len > 2 && (start[0] == 'W' || start[0] == 'w') && start[1] == '/')
		{
			start += 2;
			len -= 2;
		}
		if (len == strlen(want) && strncmp(start, want, len) == 0)
			return;
	}
	ScimError(SCIM_ERR_PRECONDITION,
			  "the resource has changed: its version is %s", ScimVersionTag(version));
}

/*
 * The sequence number of the next event of this transaction.
 *
 * seq = (top-level full transaction id << 20) + a counter within the
 * transaction.  Ordering events by transaction id rather than by the time
 * they were written is what lets a consumer that remembers the last seq it
 * handled see every event exactly once: scim.events_since only returns
 * events of transactions older than every running one
 * (scim._event_seq_horizon), and none of those can still commit an event
 * below that line.  A sequence would not do: a transaction can draw a
 * number, then commit after one that drew a larger number.
 */
static int64
next_event_seq(void)
{
	static FullTransactionId owner = {0};
	static uint32 counter = 0;
	FullTransactionId xid = GetTopFullTransactionId();

	if (!FullTransactionIdEquals(xid, owner))
	{
		owner = xid;
		counter = 0;
	}
	if (counter >= (1U << 20) - 1)
		ScimError(SCIM_ERR_TOO_MANY, "too many changes in one transaction");
	return (int64) ((U64FromFullTransactionId(xid) << 20) | counter++);
}

/*
 * event_channel
 *		The NOTIFY channel of a tenant's events: "scim_events_" and the first
 *		128 bits, in hex, of HMAC-SHA-256(key, tenant id), where the key is
 *		the row of scim.notify_key, which only the extension's owner reads.
 *		Any role that may connect may LISTEN to any channel, but only one
 *		that can call scim.events_channel (scim_app) learns a tenant's
 *		channel name; the payload names no tenant either.  The key is read
 *		once per backend.  A database whose extension is still at 0.1.0
 *		(library updated, ALTER EXTENSION UPDATE not run yet) has no key
 *		table: its events go to 0.1.0's channel, scim_events.
 */
static const char *
event_channel(const char *tenant)
{
	static SPIPlanPtr plan = NULL;
	static uint8 key[64];
	static int	keylen = -1;
	uint8		mac[PG_SHA256_DIGEST_LENGTH];
	pg_hmac_ctx *ctx;
	char	   *channel;
	int			i;

	if (keylen < 0)
	{
		bool		isnull;
		bytea	   *k;

		if (!OidIsValid(get_relname_relid("notify_key", get_namespace_oid("scim", false))))
			return "scim_events";

		ScimPlan(&plan, "SELECT key FROM scim.notify_key", 0, NULL);
		if (ScimExec(plan, NULL, NULL, 2) != 1)
			elog(ERROR, "scim.notify_key must hold exactly one row");
		k = DatumGetByteaPP(ScimSpiDatum(0, 1, &isnull));
		if (isnull || VARSIZE_ANY_EXHDR(k) < 16 || VARSIZE_ANY_EXHDR(k) > sizeof(key))
			elog(ERROR, "scim.notify_key holds a key of a wrong size");
		memcpy(key, VARDATA_ANY(k), VARSIZE_ANY_EXHDR(k));
		keylen = VARSIZE_ANY_EXHDR(k);
	}

	ctx = pg_hmac_create(PG_SHA256);
	if (ctx == NULL ||
		pg_hmac_init(ctx, key, keylen) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) tenant, strlen(tenant)) < 0 ||
		pg_hmac_final(ctx, mac, sizeof(mac)) < 0)
		elog(ERROR, "could not compute the event channel");
	pg_hmac_free(ctx);

	channel = palloc(sizeof("scim_events_") + 32);
	strcpy(channel, "scim_events_");
	for (i = 0; i < 16; i++)
		snprintf(channel + 12 + 2 * i, 3, "%02x", mac[i]);
	return channel;
}

PG_FUNCTION_INFO_V1(scim_events_channel);

/*
 * scim.events_channel(tenant text) RETURNS text
 *		The channel to LISTEN on for the tenant's events (event_channel).
 */
Datum
scim_events_channel(PG_FUNCTION_ARGS)
{
	char	   *tenant = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		channel[NAMEDATALEN];

	SPI_connect();
	strlcpy(channel, event_channel(tenant), sizeof(channel));
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(channel));
}

/*
 * ScimEventAppend
 *		Record a change in scim.events and announce it with NOTIFY.
 *
 * The notification goes to the tenant's own channel (event_channel) and
 * names no tenant: its payload is {"seq":...}, tiny because NOTIFY
 * serialises committing transactions; listeners read the row.
 */
void
ScimEventAppend(ScimRequest *req, const char *resource_type,
				const pg_uuid_t *id, const char *action, ScimJson *changes)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, UUIDOID, TEXTOID, JSONBOID, INT8OID};
	Datum		values[7];
	int64		seq = next_event_seq();

	values[0] = CStringGetTextDatum(req->tenant->id);
	values[1] = CStringGetTextDatum(req->actor);
	values[2] = CStringGetTextDatum(resource_type);
	values[3] = UUIDPGetDatum(id);
	values[4] = CStringGetTextDatum(action);
	values[5] = ScimJsonToJsonb(changes ? changes : ScimJsonNew(SJ_OBJECT));
	values[6] = Int64GetDatum(seq);
	ScimPlan(&plan,
			 "INSERT INTO scim.events (tenant_id, actor, resource_type, resource_id, action, changes, seq) "
			 "VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, types);
	ScimExec(plan, values, NULL, 0);

	if (req->tenant->notify)
	{
		StringInfoData payload;

		initStringInfo(&payload);
		appendStringInfo(&payload, "{\"seq\":" INT64_FORMAT "}", seq);
		Async_Notify(event_channel(req->tenant->id), payload.data);
	}
}

/* qsort comparator for the names of changed attributes */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp((*(ScimJson *const *) a)->str, (*(ScimJson *const *) b)->str);
}

/*
 * The top-level attribute names whose values differ between two
 * documents, as a sorted JSON array (for the event log; values are not
 * copied, so no secret ever reaches an event).  Sorted, so that the same
 * change made through SQL or HTTP is recorded identically.
 */
ScimJson *
ScimChangedAttributes(const ScimJson *before, const ScimJson *after)
{
	ScimJson   *names = ScimJsonNew(SJ_ARRAY);
	int			i;

	for (i = 0; after && i < after->count; i++)
	{
		ScimJson   *old = ScimJsonGet(before, after->keys[i]);

		if (old == NULL || !ScimJsonEqual(old, after->items[i], true))
			ScimJsonAppend(names, ScimJsonMakeString(after->keys[i]));
	}
	for (i = 0; before && i < before->count; i++)
		if (ScimJsonGet(after, before->keys[i]) == NULL)
			ScimJsonAppend(names, ScimJsonMakeString(before->keys[i]));
	if (names->count > 1)
		qsort(names->items, names->count, sizeof(ScimJson *), name_cmp);
	return names;
}

/*
 * ScimMergeOver
 *		A PUT under the tenant's put_merge: the attributes of doc set over a
 *		copy of the stored document, the others kept.
 */
ScimJson *
ScimMergeOver(ScimJson *stored, ScimJson *doc)
{
	ScimJson   *merged = ScimJsonCopy(stored);
	int			i;

	for (i = 0; i < doc->count; i++)
		ScimJsonSet(merged, doc->keys[i], doc->items[i]);
	return merged;
}

/*
 * ScimLockRow
 *		Run sql (cached in *plan), which takes the tenant as $1 and the uuid
 *		id as $2 and returns the row it locks, if any.  False when id is not
 *		a UUID or there is no such row; else the row is SPI_tuptable's and
 *		the parsed id is in *uuid.
 */
bool
ScimLockRow(ScimRequest *req, SPIPlanPtr *plan, const char *sql, const char *id,
			pg_uuid_t *uuid)
{
	Oid			types[2] = {TEXTOID, UUIDOID};
	Datum		values[2];

	if (!ScimParseUuid(id, uuid))
		return false;
	values[0] = CStringGetTextDatum(req->tenant->id);
	values[1] = UUIDPGetDatum(uuid);
	ScimPlan(plan, sql, 2, types);
	return ScimExec(*plan, values, NULL, 1) == 1;
}

/*
 * ScimCheckKeyFree
 *		409 when sql (cached in *plan; $1 the tenant, $2 key, $3 the id to
 *		leave out) finds a row: another resource of the tenant has key as
 *		its what.
 */
void
ScimCheckKeyFree(ScimRequest *req, SPIPlanPtr *plan, const char *sql,
				 const char *what, const char *key, const pg_uuid_t *except)
{
	Oid			types[3] = {TEXTOID, TEXTOID, UUIDOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(req->tenant->id);
	values[1] = CStringGetTextDatum(key);
	values[2] = UUIDPGetDatum(except);
	ScimPlan(plan, sql, 3, types);
	if (ScimExec(*plan, values, NULL, 1) > 0)
		ScimError(SCIM_ERR_UNIQUENESS, "%s \"%s\" is already in use", what, key);
}
