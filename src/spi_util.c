/*-------------------------------------------------------------------------
 *
 * spi_util.c
 *	  Small helpers around SPI: kept plans, typed column access, uuids.
 *
 * Every statement the extension runs is a prepared plan kept for the life
 * of the backend (SPI_keepplan), with values passed as parameters.
 *
 * src/spi_util.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "spi_util.h"

/*
 * ScimPlan
 *		The kept plan for sql, prepared on first use and cached in *cache.
 */
SPIPlanPtr
ScimPlan(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	SPIPlanPtr	plan;
	MemoryContext cxt = CurrentMemoryContext;

	if (*cache != NULL)
		return *cache;
	plan = SPI_prepare(sql, nargs, (Oid *) argtypes);
	MemoryContextSwitchTo(cxt);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	*cache = plan;
	return plan;
}

/*
 * Execute a kept plan; errors out on SPI failure, returns SPI_processed.
 * Statements always run in read-write mode, so that each one sees what
 * the previous ones of the same operation wrote.
 */
int
ScimExec(SPIPlanPtr plan, Datum *values, const char *nulls, long count)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			rc = SPI_execute_plan(plan, values, nulls, false, count);

	/* SPI leaves its procedure context current: give back the caller's */
	MemoryContextSwitchTo(cxt);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/* column col (1-based) of result row as a palloc'd string, or NULL */
char *
ScimSpiText(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* column col of result row as a datum */
Datum
ScimSpiDatum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col,
						 isnull);
}

/* boolean column */
bool
ScimSpiBool(int row, int col, bool *isnull)
{
	bool		n;
	Datum		d = ScimSpiDatum(row, col, &n);

	if (isnull)
		*isnull = n;
	return n ? false : DatumGetBool(d);
}

/* a text datum for s, setting *null to 'n' when s is NULL */
Datum
ScimTextDatumOrNull(const char *s, char *null)
{
	if (s == NULL)
	{
		*null = 'n';
		return (Datum) 0;
	}
	*null = ' ';
	return CStringGetTextDatum(s);
}

/*
 * Parse a resource id.  Ids are UUIDs in their canonical 36-character
 * form; anything else is simply not an id we issued (the caller answers
 * "not found"), so this never raises.
 */
bool
ScimParseUuid(const char *s, pg_uuid_t *out)
{
	int			i,
				j = 0;

	if (s == NULL || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++)
	{
		char		c = s[i];
		int			v;

		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (c != '-')
				return false;
			continue;
		}
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return false;
		if (j % 2 == 0)
			out->data[j / 2] = (unsigned char) (v << 4);
		else
			out->data[j / 2] |= (unsigned char) v;
		j++;
	}
	return true;
}

/* canonical lower-case text form of a uuid */
char *
ScimUuidToString(const pg_uuid_t *u)
{
	static const char hex[] = "0123456789abcdef";
	char	   *s = palloc(37);
	int			i,
				p = 0;

	for (i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[p++] = '-';
		s[p++] = hex[u->data[i] >> 4];
		s[p++] = hex[u->data[i] & 0x0F];
	}
	s[p] = '\0';
	return s;
}

/* a new random (version 4) uuid from the strong random source */
void
ScimNewUuid(pg_uuid_t *out)
{
	if (!pg_strong_random(out->data, UUID_LEN))
		ereport(ERROR,
				errcode(ERRCODE_INTERNAL_ERROR),
				errmsg("could not generate random values"));
	out->data[6] = (out->data[6] & 0x0f) | 0x40;
	out->data[8] = (out->data[8] & 0x3f) | 0x80;
}

/* write v as exactly n decimal digits at s; returns s + n */
static char *
put_digits(char *s, int v, int n)
{
	int			i;

	for (i = n - 1; i >= 0; i--)
	{
		s[i] = '0' + v % 10;
		v /= 10;
	}
	return s + n;
}

/* a timestamp as RFC 3339 / xsd:dateTime in UTC, e.g. 2024-01-02T03:04:05.123456Z */
char *
ScimTimestampToString(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char	   *s = palloc(40);
	char	   *p = s;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	if (tm.tm_year < 1 || tm.tm_year > 9999)
	{
		/* outside four-digit years (never from now()): the long way */
		if (fsec != 0)
			snprintf(s, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
					 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
					 tm.tm_sec, (int) fsec);
		else
			snprintf(s, 40, "%04d-%02d-%02dT%02d:%02d:%02dZ",
					 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
					 tm.tm_sec);
		return s;
	}
	p = put_digits(p, tm.tm_year, 4);
	*p++ = '-';
	p = put_digits(p, tm.tm_mon, 2);
	*p++ = '-';
	p = put_digits(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_sec, 2);
	if (fsec != 0)
	{
		*p++ = '.';
		p = put_digits(p, (int) fsec, 6);
	}
	*p++ = 'Z';
	*p = '\0';
	return s;
}
