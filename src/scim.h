/*-------------------------------------------------------------------------
 *
 * scim.h
 *	  The extension's module-wide settings (scim.c).
 *
 * Each backend module has a header of its own name that declares what
 * that module defines (tenant.h for tenant.c, and so on); this one holds
 * the GUC variables that _PG_init defines.
 *
 * src/scim.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_H
#define SCIM_H

#include "postgres.h"

/* scim.base_url: the base of resource locations for SQL callers */
extern char *scim_base_url;

#endif							/* SCIM_H */
