/*-------------------------------------------------------------------------
 *
 * spi_util.h
 *	  Small helpers around SPI: kept plans, typed column access, uuids and
 *	  timestamps (spi_util.c).
 *
 * src/spi_util.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_SPI_UTIL_H
#define SCIM_SPI_UTIL_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "utils/uuid.h"

extern SPIPlanPtr ScimPlan(SPIPlanPtr *cache, const char *sql, int nargs,
						   const Oid *argtypes);
extern int	ScimExec(SPIPlanPtr plan, Datum *values, const char *nulls,
					 long count);
extern char *ScimSpiText(int row, int col);
extern bool ScimSpiBool(int row, int col, bool *isnull);
extern Datum ScimSpiDatum(int row, int col, bool *isnull);
extern Datum ScimTextDatumOrNull(const char *s, char *null);
extern bool ScimParseUuid(const char *s, pg_uuid_t *out);
extern char *ScimUuidToString(const pg_uuid_t *u);
extern void ScimNewUuid(pg_uuid_t *out);
extern char *ScimTimestampToString(TimestampTz ts);

#endif							/* SCIM_SPI_UTIL_H */
