/*-------------------------------------------------------------------------
 *
 * key_fetch.h
 *	  One user or group by a unique key, read from the indexes
 *	  (key_fetch.c).
 *
 * src/key_fetch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_KEY_FETCH_H
#define SCIM_KEY_FETCH_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/uuid.h"

#include "resource.h"

extern bool ScimUserFetch(ScimRequest *req, const pg_uuid_t *id,
						  const char *user_name, HeapTuple *tup,
						  TupleDesc *desc);
extern bool ScimGroupFetch(ScimRequest *req, const pg_uuid_t *id,
						   HeapTuple *tup, TupleDesc *desc);
extern Datum ScimUserGroups(ScimRequest *req, const pg_uuid_t *id,
							bool *isnull);

#endif							/* SCIM_KEY_FETCH_H */
