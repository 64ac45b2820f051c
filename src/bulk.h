/*-------------------------------------------------------------------------
 *
 * bulk.h
 *	  Bulk operations (RFC 7644 §3.7) (bulk.c).
 *
 * src/bulk.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_BULK_H
#define SCIM_BULK_H

#include "postgres.h"

#include "json.h"
#include "resource.h"

/*
 * Run a BulkRequest and return its BulkResponse.  payload_bytes is the
 * size of the request as the client sent it.  Raises 413 over the
 * tenant's limits and 400 invalidSyntax for a malformed request; each
 * operation's own failure is reported in the response.
 */
extern ScimJson *ScimBulk(ScimRequest *req, ScimJson *request, int payload_bytes);

#endif							/* SCIM_BULK_H */
