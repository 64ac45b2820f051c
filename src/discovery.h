/*-------------------------------------------------------------------------
 *
 * discovery.h
 *	  The discovery endpoints: /ServiceProviderConfig, /ResourceTypes and
 *	  /Schemas (discovery.c).
 *
 * src/discovery.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_DISCOVERY_H
#define SCIM_DISCOVERY_H

#include "postgres.h"

#include "json.h"
#include "resource.h"

extern ScimJson *ScimServiceProviderConfig(ScimRequest *req);
extern ScimJson *ScimResourceTypesList(ScimRequest *req);
extern ScimJson *ScimResourceTypeGet(ScimRequest *req, const char *name);
extern ScimJson *ScimSchemasList(ScimRequest *req);
extern ScimJson *ScimSchemaGet(ScimRequest *req, const char *urn);

#endif							/* SCIM_DISCOVERY_H */
