/*-------------------------------------------------------------------------
 *
 * token.c
 *	  Bearer tokens: issued, revoked, and looked up by their digest.
 *
 * Tokens are 256 random bits shown once; only their SHA-256 digest is
 * stored, and a request's token is found through the digest's unique
 * index, so no comparison ever runs on the clear token.  A token found is
 * kept in the backend's cache (tenant_cache.c), and its last_used written
 * at most once a minute per token and backend.
 *
 * src/token.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "error.h"
#include "spi_util.h"
#include "tenant.h"
#include "tenant_cache.h"
#include "token.h"

PG_FUNCTION_INFO_V1(scim_token_issue);
PG_FUNCTION_INFO_V1(scim_token_revoke);

/* forward declarations */
static void token_digest(const char *token, uint8 *digest);
static bytea *digest_bytea(const uint8 *digest);
static void digest_scope(const uint8 *digest);

/* the SHA-256 digest of a clear token */
static void
token_digest(const char *token, uint8 *digest)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) token, strlen(token)) < 0 ||
		pg_cryptohash_final(ctx, digest, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
}

/* a digest as the bytea scim.tokens.token_hash holds */
static bytea *
digest_bytea(const uint8 *digest)
{
	bytea	   *hash = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	SET_VARSIZE(hash, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	memcpy(VARDATA(hash), digest, PG_SHA256_DIGEST_LENGTH);
	return hash;
}

/*
 * digest_scope
 *		While a bearer token is looked up, its tenant is not known yet: the
 *		policy of scim.tokens also shows the row whose digest is in
 *		scim.token_digest (hex).  NULL clears it.
 */
static void
digest_scope(const uint8 *digest)
{
	char		hex[2 * PG_SHA256_DIGEST_LENGTH + 1];
	int			i;

	hex[0] = '\0';
	for (i = 0; digest != NULL && i < PG_SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	(void) set_config_option("scim.token_digest", hex, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
}

/*
 * ScimTokenLookup
 *		The tenant and label of a clear bearer token; 401 unless a token
 *		that has not expired has its digest.  Served from the backend's
 *		cache when it can be; out->touch says whether last_used is due.
 */
void
ScimTokenLookup(const char *token, ScimToken *out)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {BYTEAOID};
	Datum		values[1];
	bool		isnull;
	uint64		gen;
	TimestampTz expires;
	TimestampTz last_used;

	token_digest(token, out->digest);
	if (ScimTokenCacheLookup(out->digest, &out->tenant, &out->label, &out->touch))
		return;

	gen = ScimTokenCacheGeneration();
	/* no tenant yet: row-level security shows this digest's row only */
	digest_scope(out->digest);
	values[0] = PointerGetDatum(digest_bytea(out->digest));
	ScimPlan(&plan,
			 "SELECT t.tenant_id, t.label, "
			 "COALESCE(t.expires, 'infinity'), COALESCE(t.last_used, '-infinity') "
			 "FROM scim.tokens t WHERE t.token_hash = $1 "
			 "AND (t.expires IS NULL OR t.expires > now())", 1, types);
	if (ScimExec(plan, values, NULL, 1) != 1)
		ScimError(SCIM_ERR_UNAUTHORIZED, "the bearer token is not valid");
	out->tenant = ScimSpiText(0, 1);
	out->label = ScimSpiText(0, 2);
	expires = DatumGetTimestampTz(ScimSpiDatum(0, 3, &isnull));
	last_used = DatumGetTimestampTz(ScimSpiDatum(0, 4, &isnull));
	digest_scope(NULL);
	/* the cache decides whether last_used is due, hit or miss alike */
	out->touch = ScimTokenCacheKeep(out->digest, out->tenant, out->label,
									expires, last_used, gen);
}

/*
 * ScimTokenTouch
 *		Write the token's last_used if it is due.  last_used is kept to the
 *		minute, so most requests write nothing.  Called once the token's
 *		tenant is the scope of the request (ScimTenantLoad).
 */
void
ScimTokenTouch(const ScimToken *tok)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[2] = {BYTEAOID, TEXTOID};
	Datum		values[2];

	if (!tok->touch)
		return;
	values[0] = PointerGetDatum(digest_bytea(tok->digest));
	values[1] = CStringGetTextDatum(tok->label);
	ScimPlan(&plan,
			 "UPDATE scim.tokens SET last_used = now() WHERE token_hash = $1 AND label = $2",
			 2, types);
	ScimExec(plan, values, NULL, 0);
}

/*
 * scim.token_issue(tenant text, label text DEFAULT NULL) RETURNS text
 *		A new bearer token; the clear text is returned here and nowhere else.
 */
Datum
scim_token_issue(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr ins = NULL;
	static SPIPlanPtr ten = NULL;
	Oid			types[4] = {TEXTOID, TEXTOID, BYTEAOID, TIMESTAMPTZOID};
	Datum		values[4];
	char		nulls[4] = "    ";
	char	   *tenant = ScimTenantArg(fcinfo, 0);
	char	   *label;
	uint8		secret[32];
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		token[5 + 64 + 1];
	bytea	   *hash;
	int			i;
	Datum		result;

	if (!pg_strong_random(secret, sizeof(secret)))
		elog(ERROR, "could not generate a random token");
	strcpy(token, "scim_");
	for (i = 0; i < 32; i++)
		snprintf(token + 5 + 2 * i, 3, "%02x", secret[i]);

	if (PG_ARGISNULL(1))
	{
		uint8		r[4];

		if (!pg_strong_random(r, sizeof(r)))
			elog(ERROR, "could not generate a random label");
		label = psprintf("token-%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
	}
	else
		label = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (label[0] == '\0')
		ScimError(SCIM_ERR_INVALID_VALUE, "token label must not be empty");

	token_digest(token, digest);
	hash = digest_bytea(digest);

	ScimTenantScope(tenant);
	SPI_connect();
	values[0] = CStringGetTextDatum(tenant);
	ScimPlan(&ten, "SELECT 1 FROM scim.tenants WHERE tenant_id = $1 FOR KEY SHARE",
			 1, types);
	if (ScimExec(ten, values, NULL, 1) != 1)
		ScimError(SCIM_ERR_NOT_FOUND, "tenant \"%s\" does not exist", tenant);

	values[1] = CStringGetTextDatum(label);
	values[2] = PointerGetDatum(hash);
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		values[3] = PG_GETARG_DATUM(2);
	else
		nulls[3] = 'n';
	ScimPlan(&ins,
			 "INSERT INTO scim.tokens (tenant_id, label, token_hash, expires) "
			 "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, types);
	if (ScimExec(ins, values, nulls, 0) != 1)
		ScimError(SCIM_ERR_UNIQUENESS,
				  "tenant \"%s\" already has a token labelled \"%s\"", tenant, label);
	SPI_finish();
	result = CStringGetTextDatum(token);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(secret, sizeof(secret));
	PG_RETURN_DATUM(result);
}

/*
 * scim.token_revoke(tenant text, label text) RETURNS void
 *		Takes effect on the next request: every backend forgets the tokens
 *		it cached when the revocation commits (tenant_cache.c).
 */
Datum
scim_token_revoke(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char	   *tenant = ScimTenantArg(fcinfo, 0);
	char	   *label;

	if (PG_ARGISNULL(1))
		ScimError(SCIM_ERR_INVALID_VALUE, "token label must not be null");
	label = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ScimTenantScope(tenant);
	SPI_connect();
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(label);
	ScimPlan(&plan, "DELETE FROM scim.tokens WHERE tenant_id = $1 AND label = $2",
			 2, types);
	if (ScimExec(plan, values, NULL, 0) != 1)
		ScimError(SCIM_ERR_NOT_FOUND,
				  "tenant \"%s\" has no token labelled \"%s\"", tenant, label);
	ScimTenantCacheInvalidate();
	SPI_finish();
	PG_RETURN_VOID();
}
