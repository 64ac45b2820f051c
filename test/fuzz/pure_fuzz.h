/*-------------------------------------------------------------------------
 *
 * pure_fuzz.h
 *	  Arena reset for the fuzz targets' pure.h allocation hooks.
 *
 * test/fuzz/pure_fuzz.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_PURE_FUZZ_H
#define SCIM_PURE_FUZZ_H

/* free everything scim_alloc and friends handed out since the last reset */
extern void scim_fuzz_reset(void);

#endif							/* SCIM_PURE_FUZZ_H */
