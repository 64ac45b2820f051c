/*-------------------------------------------------------------------------
 *
 * tenant_cache.h
 *	  The per-backend cache of loaded tenants and bearer tokens
 *	  (tenant_cache.c).
 *
 * src/tenant_cache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_TENANT_CACHE_H
#define SCIM_TENANT_CACHE_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "tenant.h"

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

#endif							/* SCIM_TENANT_CACHE_H */
