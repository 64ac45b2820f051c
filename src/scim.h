/*-------------------------------------------------------------------------
 *
 * scim.h
 *	  Declarations shared by the backend modules of the scim extension.
 *
 * src/scim.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_H
#define SCIM_H

#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

#include "error.h"
#include "filter.h"
#include "json.h"
#include "schema.h"

/* ---- GUCs (scim.c) ---- */
extern char *scim_base_url;

/* ---- tenants and their settings (tenant.c) ---- */

typedef enum ScimUserDelete
{
	SCIM_USER_DELETE_DELETE,
	SCIM_USER_DELETE_DEACTIVATE,
	SCIM_USER_DELETE_REJECT
} ScimUserDeleteMode;

typedef enum ScimGroupDelete
{
	SCIM_GROUP_DELETE_DELETE,
	SCIM_GROUP_DELETE_REJECT
} ScimGroupDeleteMode;

typedef struct ScimTenant
{
	char	   *id;
	ScimJson   *settings;		/* every setting, defaults filled in */
	char	  **roles;
	int			nroles;
	char	   *default_role;
	bool		protect_last_owner;
	ScimUserDeleteMode user_delete;
	ScimGroupDeleteMode group_delete;
	bool		list_deactivated_members;
	bool		scim_may_modify_app_groups;
	bool		put_merge;
	int			max_results;
	int			bulk_max_operations;
	int			max_payload_bytes;
	int			max_multi_values;	/* values of one multi-valued attribute */
	bool		username_is_email;
	bool		require_name;
	bool		allow_create_inactive;
	char	  **reserved_group_prefixes;
	int			nreserved_group_prefixes;
	bool		notify;
	const struct ScimResourceTypeDef *user_type;	/* with the tenant's
													 * extensions, or NULL */
} ScimTenant;

extern ScimTenant *ScimTenantLoad(const char *tenant_id);

/*
 * The limits that bound a write's work (docs/security.md): how many values
 * one multi-valued attribute may hold, and how large a resource may become
 * (the tenant's max_payload_bytes, also after PATCH).  ScimTenantLoad sets
 * them for the tenant of the operation; validate.c and patch.c read them.
 */
typedef struct ScimRequestLimits
{
	int			max_multi_values;
	int			max_resource_bytes;
} ScimRequestLimits;

extern ScimRequestLimits scim_limits;

/* the per-backend tenant cache (tenant_cache.c) */
extern const ScimTenant *ScimTenantCacheLookup(const char *tenant_id);
extern MemoryContext ScimTenantCacheBegin(uint64 *gen);
extern void ScimTenantCacheKeep(ScimTenant *tenant, MemoryContext cxt, uint64 gen);
extern void ScimTenantCacheInvalidate(void);
extern bool ScimTokenCacheLookup(const uint8 *digest, char **tenant, char **label,
								 bool *touch);
extern bool ScimTokenCacheKeep(const uint8 *digest, const char *tenant,
							   const char *label, TimestampTz expires,
							   TimestampTz last_used, uint64 gen);
extern uint64 ScimTokenCacheGeneration(void);
extern void ScimTenantScope(const char *tenant_id);
extern void ScimTokenDigestScope(const uint8 *digest);

/* tenant extension schemas (extension.c) */
extern void ScimExtensionsLoad(ScimTenant *tenant);
extern void ScimExtensionsUse(const ScimTenant *tenant);
extern void ScimExtensionsReset(void);
extern bool ScimTenantRoleAllowed(const ScimTenant *tenant, const char *role);
extern char *ScimTenantRoleList(const ScimTenant *tenant);
extern void ScimSha256(const char *data, size_t len, uint8 *digest);

/* ---- one operation's context ---- */

typedef struct ScimRequest
{
	ScimTenant *tenant;
	const char *actor;			/* "token:<label>" or "sql:<role>" */
	const char *base_url;		/* e.g. "https://host/scim/v2" */
	const char *if_match;		/* If-Match header, or NULL */
	bool		changed;		/* set by writers: did anything change */
	bool		no_member_list;	/* group writes answer without the members:
								 * the caller will not send them */
} ScimRequest;

extern ScimRequest *ScimRequestForSql(text *tenant);

/* ---- JSON output (json_out.c) ---- */
extern void ScimJsonOut(StringInfo buf, const ScimJson *v);
extern void ScimJsonOutString(StringInfo buf, const char *s);
extern char *ScimJsonToCString(const ScimJson *v);
extern Datum ScimJsonToJsonb(const ScimJson *v);
extern ScimJson *ScimJsonFromJsonb(Jsonb *jb);
extern ScimJson *ScimJsonParseOrError(const char *text, size_t len,
									  const char *what);

/* ---- SPI helpers (spi_util.c) ---- */
extern SPIPlanPtr ScimPlan(SPIPlanPtr *cache, const char *sql, int nargs,
						   const Oid *argtypes);
extern int	ScimExec(SPIPlanPtr plan, Datum *values, const char *nulls,
					 bool readonly, long count);
extern char *ScimSpiText(int row, int col);
extern bool ScimSpiBool(int row, int col, bool *isnull);
extern int64 ScimSpiInt64(int row, int col, bool *isnull);
extern Datum ScimSpiDatum(int row, int col, bool *isnull);
extern Datum ScimTextDatumOrNull(const char *s, char *null);
extern bool ScimParseUuid(const char *s, pg_uuid_t *out);
extern char *ScimUuidToString(const pg_uuid_t *u);
extern void ScimNewUuid(pg_uuid_t *out);
extern char *ScimTimestampToString(TimestampTz ts);

/* ---- schema-driven validation (validate.c) ---- */

typedef enum ScimWriteMode
{
	SCIM_WRITE_CREATE,			/* POST */
	SCIM_WRITE_REPLACE,			/* PUT */
	SCIM_WRITE_PATCH			/* result of a PATCH */
} ScimWriteMode;

extern void ScimCheckMultiCount(const ScimAttrDef *def, int n, const char *where);
extern ScimJson *ScimValidate(const ScimResourceTypeDef *rt, const ScimJson *in,
							  ScimWriteMode mode);
extern bool ScimCoerceBoolean(const ScimJson *v, bool *out);
extern ScimJson *ScimCoerceValue(const ScimAttrDef *def, const ScimJson *v,
								 const char *where);

/* ---- events (resource.c) ---- */
extern void ScimEventAppend(ScimRequest *req, const char *resource_type,
							const pg_uuid_t *id, const char *action,
							ScimJson *changes);

/* ---- users (user.c) and groups (group.c) ---- */

typedef struct ScimResult
{
	ScimJson   *resource;		/* the full representation */
	int64		version;
	char	   *id;
} ScimResult;

extern ScimResult *ScimUserCreate(ScimRequest *req, ScimJson *in);
extern ScimResult *ScimUserGet(ScimRequest *req, const char *id);
extern ScimResult *ScimUserReplace(ScimRequest *req, const char *id, ScimJson *in);
extern ScimResult *ScimUserPatch(ScimRequest *req, const char *id, ScimJson *patch);
extern void ScimUserDelete(ScimRequest *req, const char *id);
extern ScimJson *ScimUserRender(ScimRequest *req, HeapTuple tup, TupleDesc desc);

/* ---- one user or group by a unique key, from the indexes (key_fetch.c) ---- */
extern bool ScimUserFetch(ScimRequest *req, const pg_uuid_t *id,
						  const char *user_name, HeapTuple *tup,
						  TupleDesc *desc);
extern bool ScimGroupFetch(ScimRequest *req, const pg_uuid_t *id,
						   HeapTuple *tup, TupleDesc *desc);
extern Datum ScimUserGroups(ScimRequest *req, const pg_uuid_t *id,
							bool *isnull);
extern const char *ScimUserColumns;

extern ScimResult *ScimGroupCreate(ScimRequest *req, ScimJson *in);
extern ScimResult *ScimGroupGet(ScimRequest *req, const char *id, bool with_members);
extern ScimResult *ScimGroupReplace(ScimRequest *req, const char *id, ScimJson *in);
extern ScimResult *ScimGroupPatch(ScimRequest *req, const char *id, ScimJson *patch);
extern void ScimGroupDelete(ScimRequest *req, const char *id);
extern ScimJson *ScimGroupRender(ScimRequest *req, HeapTuple tup, TupleDesc desc,
								 bool with_members);
extern const char *ScimGroupColumns;

/* resource location: <base>/<Users|Groups>/<id> */
extern char *ScimLocation(ScimRequest *req, ScimResourceKind kind, const char *id);
extern ScimJson *ScimMeta(ScimRequest *req, ScimResourceKind kind, const char *id,
						  TimestampTz created, TimestampTz modified, int64 version);
extern char *ScimVersionTag(int64 version);
extern ScimJson *ScimChangedAttributes(const ScimJson *before, const ScimJson *after);
extern void ScimCheckIfMatch(ScimRequest *req, int64 version);

/* ---- PATCH (patch.c) ---- */

/*
 * Group membership is rows, not part of the document: the PATCH engine
 * hands every operation on "members" to these callbacks.
 */
typedef struct ScimPatchHooks
{
	/* op is "add", "remove" or "replace"; filter may be NULL */
	void		(*members) (void *arg, const char *op, struct ScimFilterNode *filter,
							const char *subattr, ScimJson *value, int opindex);
	void	   *arg;
} ScimPatchHooks;

/* most operations one PatchOp may carry (413 beyond) */
#define SCIM_PATCH_MAX_OPERATIONS 1000

extern ScimJson *ScimPatchApply(const ScimResourceTypeDef *rt, const ScimJson *doc,
								const ScimJson *patch, const ScimPatchHooks *hooks);

/* ---- filter evaluation (filter_eval.c) ---- */

/* value-path filters ("emails[type eq \"work\"]") on one value of attr */
extern void ScimFilterCheckValue(const ScimFilterNode *f, const ScimAttrDef *attr);
extern bool ScimFilterMatchValue(const ScimFilterNode *f, const ScimJson *elem,
								 const ScimAttrDef *attr);

/* ---- queries (query.c, filter_sql.c) ---- */

typedef struct ScimListParams
{
	const char *filter;
	int			start_index;	/* already clamped to >= 1 */
	int			count;			/* -1: default */
	const char *sort_by;
	bool		descending;
	bool		exclude_members;	/* groups: leave members out */
} ScimListParams;

typedef struct ScimListResult
{
	int64		total;
	int			start_index;
	List	   *resources;		/* of ScimJson * */
} ScimListResult;

extern ScimListResult *ScimList(ScimRequest *req, ScimResourceKind kind,
								const ScimListParams *params);
extern ScimJson *ScimListResponse(ScimListResult *res);

/*
 * A filter compiled to SQL (filter_sql.c).  args[i] and argtypes[i] are the
 * value and type of parameter $(i + 1), so the arrays can go straight to
 * SPI_execute_with_args; ScimFilterToSql(..., first_param) leaves the first
 * first_param - 1 slots to the caller.  One filter has at most one
 * parameter per comparison, so the node limit bounds the arrays.
 */
#define SCIM_SQL_MAX_PARAMS (SCIM_FILTER_MAX_NODES + 24)

typedef struct ScimSqlFilter
{
	StringInfoData sql;			/* predicate text with $n parameters */
	int			nargs;
	bool		show_inactive_members;	/* in: group members include
										 * deactivated users */
	bool		at_most_one;	/* out: an eq on a unique key narrows the
								 * filter to one resource at most */
	Oid			argtypes[SCIM_SQL_MAX_PARAMS];
	Datum		args[SCIM_SQL_MAX_PARAMS];
} ScimSqlFilter;

extern ScimFilterNode *ScimFilterParseOrError(const char *filter);
extern const char *ScimFilterUserNameEq(ScimResourceKind kind,
										const ScimFilterNode *tree);
extern void ScimFilterToSql(ScimResourceKind kind, const ScimFilterNode *tree,
							ScimSqlFilter *out, int first_param);
extern char *ScimSortToSql(ScimResourceKind kind, const char *sort_by,
						   bool descending);

/* ---- discovery endpoints (discovery.c) ---- */
extern ScimJson *ScimServiceProviderConfig(ScimRequest *req);
extern ScimJson *ScimResourceTypesList(ScimRequest *req);
extern ScimJson *ScimResourceTypeGet(ScimRequest *req, const char *name);
extern ScimJson *ScimSchemasList(ScimRequest *req);
extern ScimJson *ScimSchemaGet(ScimRequest *req, const char *urn);

/* ---- Bulk (bulk.c) ---- */

/*
 * Run a BulkRequest (RFC 7644 §3.7) and return its BulkResponse.
 * payload_bytes is the size of the request as the client sent it.  Raises
 * 413 over the tenant's limits and 400 invalidSyntax for a malformed
 * request; each operation's own failure is reported in the response.
 */
extern ScimJson *ScimBulk(ScimRequest *req, ScimJson *request, int payload_bytes);

/* ---- projection (project.c) ---- */
extern void ScimProject(const ScimResourceTypeDef *rt, ScimJson *doc,
						const char *attributes, const char *excluded);

#endif							/* SCIM_H */
