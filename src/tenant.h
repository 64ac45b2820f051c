/*-------------------------------------------------------------------------
 *
 * tenant.h
 *	  Tenants and their settings (tenant.c).
 *
 * A tenant is loaded once per request (through the backend's cache,
 * tenant_cache.h) with every setting parsed into the fields below.
 *
 * src/tenant.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_TENANT_H
#define SCIM_TENANT_H

#include "postgres.h"

#include "fmgr.h"

#include "json.h"

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
	int			max_group_name_length;	/* in characters; 0: no limit */
	bool		notify;
	const struct ScimResourceTypeDef *user_type;	/* with the tenant's
													 * extensions, or NULL */
} ScimTenant;

extern ScimTenant *ScimTenantLoad(const char *tenant_id);
extern int	ScimTenantDefaultInt(const char *name);

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

extern void ScimTenantScope(const char *tenant_id);
extern bool ScimTenantRoleAllowed(const ScimTenant *tenant, const char *role);
extern char *ScimTenantRoleList(const ScimTenant *tenant);
extern char *ScimTenantArg(FunctionCallInfo fcinfo, int n);

#endif							/* SCIM_TENANT_H */
